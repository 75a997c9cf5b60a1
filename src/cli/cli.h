/* cli.h - the command line: global options, help, dispatch. */
#ifndef MGR_CLI_H
#define MGR_CLI_H

#include <stdio.h>

struct cli_opts {
	const char *config;	/* --config FILE */
	const char *db;		/* --db FILE */
	int json;		/* --json */
	int help;		/* --help */
	int version;		/* --version */
	int daemon;		/* --daemon: the "daemon" command */
	int detach;		/* --detach (with --daemon) */
	const char *pidfile;	/* --pidfile FILE (with --daemon) */
};

/* Parses the global options that come before the command; returns the
 * index of the first argument of the command (argc when none), or -1
 * after printing a usage error. */
int cli_parse_globals(int argc, char **argv, struct cli_opts *opts, FILE *err);
void cli_help(FILE *out);
void cli_short_usage(FILE *out);
/* The whole command line; returns the process exit status. */
int cli_main(int argc, char **argv);

/* The front end's own commands (cmd-config.c), and the program's table
 * (commands.c): every folder's list. */
struct cmd_entry;
struct cmd_table;
extern const struct cmd_entry *const cli_commands[];
extern const struct cmd_table cli_table;

#endif
