/* cmd.h - the subcommand table ("manager NOUN VERB ARGS").
 *
 * One file per command family (cmd-*.c), each exporting its entries; each
 * folder lists its own (task_commands[], plugin_commands[], ...), and the
 * front end joins the lists into the program's table (src/cli/commands.c),
 * handed down in struct mgr and struct cmd_ctx, as tmux does.  A command writes results
 * to ctx->out and diagnostics to ctx->err, never to stdout directly: when a
 * host carries out a command for a client, both are memory streams whose
 * text is sent back in the `commands` row and printed by the client.
 */
#ifndef MGR_CMD_H
#define MGR_CMD_H

#include <stddef.h>
#include <stdio.h>

struct mgr;
struct cmd_ctx;

/* A command whose answer comes later (`task run` on a host waits for the
 * run): it prints into out/err when it knows, then calls finish once. */
struct cmd_later {
	FILE *out;
	FILE *err;
	int json;
	void (*finish)(struct cmd_later *later, int status);
	void *priv;		/* the host's: which commands row to answer */
};

struct cmd_table;

struct cmd_ctx {
	const struct cmd_table *table;	/* the program's commands */
	struct mgr *mgr;	/* engine context: conf, db, subsystems */
	FILE *out;		/* results (tables, JSON) */
	FILE *err;		/* one-line errors and warnings */
	int json;		/* --json: machine-readable output */
	/* Set when a host runs a client's command and can answer later;
	 * NULL otherwise.  A command that takes it returns CMD_EXIT_LATER. */
	struct cmd_later *(*defer)(struct cmd_ctx *ctx);
	void *defer_arg;
};

enum cmd_flags {
	CMD_NO_DB = 1 << 0,	/* runs without opening the database */
	CMD_MUTATES = 1 << 1,	/* changes engine state: goes through the host */
	CMD_HIDDEN = 1 << 2,	/* not listed in --help */
	CMD_HOST = 1 << 3,	/* hosts the engine: logs at the configured level */
	CMD_FOLLOWS = 1 << 4,	/* answers when its work is over (task run):
				 * a client waits with no time limit once the
				 * host took it */
	CMD_DB_IF_EXISTS = 1 << 7,	/* reads only: a missing database is
				 * not created, the command runs with
				 * ctx->mgr->db NULL */
};

/* Exit statuses shared by every command. */
enum { CMD_EXIT_OK = 0, CMD_EXIT_FAIL = 1, CMD_EXIT_USAGE = 2,
	CMD_EXIT_LATER = -1 };	/* the answer comes through a cmd_later */

struct cmd_entry {
	const char *noun;	/* "plugin" */
	const char *verb;	/* "install"; NULL for a bare noun */
	const char *usage;	/* arguments, e.g. "[--force] SOURCE" */
	const char *summary;	/* N_("install a plugin") */
	int flags;
	int min_args;		/* after noun and verb */
	int max_args;		/* -1: no limit */
	/* argv holds the arguments after noun and verb (argv[argc] == NULL).
	 * Returns a CMD_EXIT_* status. */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* The program's table: NULL-terminated lists of NULL-terminated lists. */
struct cmd_table {
	const struct cmd_entry *const *const *lists;
};

/* The i-th command of the table (in the order of the lists), or NULL. */
const struct cmd_entry *cmd_table_at(const struct cmd_table *t, size_t i);
const struct cmd_entry *cmd_find(const struct cmd_table *t, const char *noun,
				 const char *verb);
/* Prints "usage: manager NOUN VERB USAGE" to ctx->err; returns CMD_EXIT_USAGE. */
int cmd_usage(struct cmd_ctx *ctx, const struct cmd_entry *entry);
/* Runs one command line (noun verb args) in ctx.  Checks the argument
 * count, prints usage on mismatch.  Returns a CMD_EXIT_* status. */
int cmd_dispatch(struct cmd_ctx *ctx, int argc, char **argv);

/* Option helpers: remove a recognised option from argv (keeping order),
 * so commands parse their own flags without getopt's global state.
 * "--" ends option parsing. */
int cmd_take_flag(int *argc, char **argv, const char *name);
/* "--name VALUE" or "--name=VALUE"; returns 1 if found, 0 if absent,
 * -1 if the value is missing (an error is printed to ctx->err). */
int cmd_take_option(struct cmd_ctx *ctx, int *argc, char **argv,
		    const char *name, const char **value);
/* Removes the first "--" left in argv (after the options were taken),
 * so that the arguments after it are read as they are.  cmd_dispatch does
 * this itself for commands whose usage shows no option. */
void cmd_drop_dashdash(int *argc, char **argv);
/* Rejects any remaining "--option" with a usage message. */
int cmd_no_more_options(struct cmd_ctx *ctx, const struct cmd_entry *entry,
			int argc, char **argv);
/* Prints "manager: MESSAGE" to ctx->err (or a JSON error object). */
int cmd_fail(struct cmd_ctx *ctx, int code, const char *msg);

#endif
