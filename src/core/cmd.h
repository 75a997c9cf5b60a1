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
struct mgr_error;
struct cmd_ctx;
struct cmd_entry;

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
	/* The command's stdin: NULL for the process's own (the command
	 * runs in the client); a host running a client's command sets what
	 * the client sent (entry->reads_stdin), else an empty stream. */
	FILE *in;
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
	CMD_NO_CONF = 1 << 5,	/* runs without reading the configuration */
	CMD_FETCHES = 1 << 8,	/* downloads from remote repositories in
				 * the client before a host runs it
				 * (plugin_prefetch) */
	CMD_DB_IF_EXISTS = 1 << 7,	/* reads only: a missing database is
				 * not created, the command runs with
				 * ctx->mgr->db NULL */
	CMD_DB_EMPTY_IF_MISSING = 1 << 9,	/* reads only: a missing
				 * database is not created, the command
				 * reads an empty one (mgr_open_db_or_empty) */
	CMD_WAITS_WORKER = 1 << 10,	/* waits for a plugin's host worker
				 * (on_enable, on_disable: seconds): a host
				 * answers it later (cmd_later), the console
				 * runs it as a child process (ui/job.c) so
				 * that it never waits */
	CMD_ON_EXISTING = 1 << 11,	/* a mutation of something that must
				 * exist already (a task, plugin, run,
				 * snapshot): with no database there is
				 * none, so the client runs it on an empty
				 * one in memory, where it says "no task
				 * ...", and creates nothing */
	CMD_ASKS_HOST = 1 << 12,	/* reads only, but a running host
				 * answers better (plugin show: the
				 * functions its cache listed): through
				 * the host when one takes commands, here
				 * otherwise (no short-lived host); the
				 * console runs it as a child process
				 * (ui/job.c), as it does CMD_WAITS_WORKER */
};

/* Exit statuses shared by every command (data/manager.1, EXIT STATUS).
 * Invalid input and other failures (1), not found (3) and conflict (4)
 * come from the error codes: mgr_code_exit_status(). */
enum { CMD_EXIT_OK = 0, CMD_EXIT_FAIL = 1, CMD_EXIT_USAGE = 2,
	CMD_EXIT_TASK_FAILED = 5,	/* the task ran and did not succeed */
	CMD_EXIT_TIMEOUT = 124,	/* the client gave up waiting for the host */
	CMD_EXIT_LATER = -1 };	/* the answer comes through a cmd_later */

/* One option of a command, as getopt_long reads it: "--name VALUE" (or
 * "--name=VALUE") when value is set, "--name" alone otherwise. */
struct cmd_option {
	const char *name;	/* long name without "--": "max-retries" */
	int short_name;		/* 'f' for -f; 0 for none */
	const char *value;	/* the value's name in help ("N"); NULL: a flag */
	const char *help;	/* N_("retries after a failed run") */
	int flags;		/* CMD_OPT_* */
};

enum cmd_option_flags {
	CMD_OPT_MANY = 1 << 0,	/* may be given several times; every value kept */
};

/* What the command acts on: its first argument, looked up by dispatch
 * before the command runs (an unknown id fails there, with the error
 * of the store: "no task "x"", exit 3). */
enum cmd_target {
	CMD_TARGET_NONE = 0,
	CMD_TARGET_TASK,
	CMD_TARGET_PLUGIN,
	CMD_TARGET_RUN,
};

/* One option's occurrences on the command line. */
struct cmd_optval {
	int count;		/* times given */
	int last;		/* position of the last one (1 = first option) */
	const char **values;	/* every value given, NULL-terminated */
};

/* A command line as the table's options read it. */
struct cmd_args {
	const struct cmd_entry *entry;
	int argc;		/* positional arguments, after the options */
	char **argv;		/* argv[argc] == NULL */
	const char *target;	/* argv[0] once found, when entry->target is set */
	struct cmd_optval *opts;	/* one per entry->options[i] */
	int help;		/* --help or -h was given */
	char **own;		/* the words a copy owns (cmd_args_copy) */
};

struct cmd_entry {
	const char *noun;	/* "plugin" */
	const char *verb;	/* "install"; NULL for a bare noun */
	const char *usage;	/* positional arguments, e.g. "ID [RUN]" */
	const char *summary;	/* N_("install a plugin") */
	int flags;
	int min_args;		/* after noun and verb */
	int max_args;		/* -1: no limit */
	/* An option that stands for the positional arguments ("from":
	 * `task add --from FILE` reads them from a file): given, the
	 * command takes none; NULL: none does. */
	const char *args_option;
	/* Options (ended by an entry whose name is NULL; NULL for none),
	 * parsed by cmd_dispatch with getopt_long; min_args/max_args count
	 * the positional arguments only; the target is found before run is
	 * called; usage shows the positional arguments alone ("ID [RUN]"),
	 * the options come from the table. */
	const struct cmd_option *options;
	enum cmd_target target;
	int (*run)(struct cmd_ctx *ctx, const struct cmd_args *args);
	/* The words the first argument may be ("crontab", "systemd"),
	 * NULL-terminated, for completion; NULL: any word or an id. */
	const char *const *words;
	/* Whether this command line (the arguments after noun and verb,
	 * options still in) reads stdin: a client sending it to a host reads
	 * its stdin (up to CMD_STDIN_MAX bytes) and sends it along.  NULL:
	 * never. */
	int (*reads_stdin)(int argc, char *const *argv);
	/* The long name of an option that makes a CMD_MUTATES command
	 * write nothing ("dry-run"): given, with no database, the command
	 * reads an empty one in memory, as CMD_ON_EXISTING does.  NULL:
	 * none. */
	const char *dry_run_option;
};

/* The most a client sends of its stdin with a command (bytes). */
#define CMD_STDIN_MAX (4 * 1024 * 1024)

/* The program's table: NULL-terminated lists of NULL-terminated lists. */
struct cmd_table {
	const struct cmd_entry *const *const *lists;
	/* Looks target `id` up: 0, or an error code with err set.  NULL:
	 * targets are not looked up. */
	int (*find_target)(struct cmd_ctx *ctx, enum cmd_target kind,
			   const char *id, struct mgr_error *err);
};

/* The i-th command of the table (in the order of the lists), or NULL. */
const struct cmd_entry *cmd_table_at(const struct cmd_table *t, size_t i);
const struct cmd_entry *cmd_find(const struct cmd_table *t, const char *noun,
				 const char *verb);
/* Prints "usage: manager NOUN VERB USAGE" to ctx->err (as a JSON error
 * with --json); returns CMD_EXIT_USAGE. */
int cmd_usage(struct cmd_ctx *ctx, const struct cmd_entry *entry);
/* A usage error: "manager: MESSAGE" and the usage (or one JSON error
 * object, code "usage") on ctx->err; returns CMD_EXIT_USAGE. */
int cmd_usage_error(struct cmd_ctx *ctx, const struct cmd_entry *entry,
		    const char *msg);
/* Checks a command line (noun verb args) of a known command without
 * running it: its options and the count of its arguments.  0, or the
 * usage error printed and CMD_EXIT_USAGE. */
int cmd_check_usage(struct cmd_ctx *ctx, int argc, char **argv);
/* Whether a command line (noun verb args) whose usage was checked can
 * change only what exists already: its entry is CMD_ON_EXISTING, or it
 * gives the entry's dry_run_option.  With no database, such a mutation
 * fails or shows nothing, so it need not create one. */
int cmd_creates_nothing(struct cmd_ctx *ctx, int argc, char **argv);
/* Runs one command line (noun verb args) in ctx.  Checks the argument
 * count, prints usage on mismatch; "--help" prints the command's help.
 * Returns a CMD_EXIT_* status. */
int cmd_dispatch(struct cmd_ctx *ctx, int argc, char **argv);

/* The help of a command (usage, summary, options from the table), of a
 * noun (its commands), or of the program's commands (noun NULL) on out.
 * Returns 0, or -1 when noun (verb) names nothing. */
int cmd_help(FILE *out, const struct cmd_table *t, const char *noun,
	     const char *verb);
/* Whether the command line (noun verb args) asks for help: --help or
 * -h among the options, or a noun followed by --help. */
int cmd_wants_help(const struct cmd_table *t, int argc, char **argv);
/* The closest command word to `word` (a noun; a verb of noun when noun is
 * set), or NULL when none is close. */
const char *cmd_closest(const struct cmd_table *t, const char *noun,
			const char *word);

/* Whether the count of positional arguments suits the entry (min_args,
 * max_args, args_option). */
int cmd_args_count_ok(const struct cmd_args *args);
/* Parses argv (the arguments after noun and verb) with the entry's
 * options; on error prints it with the usage and returns CMD_EXIT_USAGE.
 * args points into argv; free with cmd_args_clear. */
int cmd_args_parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
		   char **argv, struct cmd_args *args);
void cmd_args_clear(struct cmd_args *args);
/* A copy of a whose words are its own: a command that answers later
 * keeps its arguments past its command line's life.  cmd_args_clear
 * frees it. */
void cmd_args_copy(struct cmd_args *to, const struct cmd_args *a);
/* Times option `name` (long name) was given; 0 when absent. */
int cmd_args_has(const struct cmd_args *args, const char *name);
/* Its last value, or NULL. */
const char *cmd_args_value(const struct cmd_args *args, const char *name);
/* Every value given, NULL-terminated, or NULL when absent. */
const char *const *cmd_args_values(const struct cmd_args *args,
				   const char *name);
/* Position of its last occurrence among the options (0: absent), so
 * that of "--coalesce" and "--no-coalesce" the later one wins. */
int cmd_args_last(const struct cmd_args *args, const char *name);

/* Prints "manager: MESSAGE" to ctx->err (or a JSON error object). */
int cmd_fail(struct cmd_ctx *ctx, int code, const char *msg);
/* Prints a JSON value (indented) on ctx->out, and frees it. */
struct json_t;
void cmd_print_json(struct cmd_ctx *ctx, struct json_t *v);

#endif
