/* cli.c - the command line: global options, help, dispatch. */
#include "i18n.h"
#include "cli.h"
#include "cmd.h"
#include "db.h"
#include "dbstring.h"
#include "engine.h"
#include "manager.h"
#include "plugins.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The global options, as getopt_long reads them ("+": they end at the
 * command, whose own options its table reads). */
static const struct option global_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "json", no_argument, NULL, 'j' },
	{ "daemon", no_argument, NULL, 'd' },
	{ "detach", no_argument, NULL, 'D' },
	{ "config", required_argument, NULL, 'c' },
	{ "db", required_argument, NULL, 'b' },
	{ "pidfile", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

/* What getopt_long refused in `arg`, said as the commands' parser says
 * it: an unknown option, an ambiguous prefix, a flag given a value. */
static char *
global_option_error(const char *arg, int missing)
{
	size_t len = strcspn(arg, "=");
	int matches = 0, exact = 0;

	for (const struct option *o = global_options; o->name != NULL; o++)
		if (len > 2 && strncmp(o->name, arg + 2, len - 2) == 0) {
			matches++;
			exact |= o->name[len - 2] == '\0';
		}
	if (missing)
		return xasprintf(_("option %s needs a value"), arg);
	if (strncmp(arg, "--", 2) == 0 && matches > 1 && !exact)
		return xasprintf(_("option %.*s is ambiguous"), (int)len, arg);
	if (strncmp(arg, "--", 2) == 0 && matches > 0 && arg[len] == '=')
		return xasprintf(_("option %.*s takes no value"), (int)len, arg);
	return xasprintf(_("unknown option %s"), arg);
}

/* Says a usage error of the global options: as one JSON object when
 * --json is among them (before or after the one refused). */
static void
global_usage_error(int argc, char **argv, const char *msg, int usage, FILE *err)
{
	struct cmd_ctx ctx = { .err = err };

	for (int i = 1; i < argc && argv[i][0] == '-' &&
	    strcmp(argv[i], "--") != 0; i++)
		ctx.json |= strcmp(argv[i], "--json") == 0;
	cmd_usage_error(&ctx, NULL, msg);
	if (usage && !ctx.json)
		cli_short_usage(err);
}

static void
global_option_set(struct cli_opts *opts, int c)
{
	switch (c) {
	case 'h': opts->help = 1; break;
	case 'V': opts->version = 1; break;
	case 'j': opts->json = 1; break;
	case 'd': opts->daemon = 1; break;
	case 'D': opts->detach = 1; break;
	case 'c': opts->config = optarg; break;
	case 'b': opts->db = optarg; break;
	case 'p': opts->pidfile = optarg; break;
	default: break;
	}
}

int
cli_parse_globals(int argc, char **argv, struct cli_opts *opts, FILE *err)
{
	int c, first, saved_opterr = opterr;

	memset(opts, 0, sizeof *opts);
	optind = 0;		/* glibc: start a new scan */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:hV", global_options, NULL)) != -1) {
		if (c == '?' || c == ':') {
			char shortopt[3] = { '-', (char)optopt, '\0' };
			const char *arg = argv[optind - 1];
			char *msg;

			/* A short one may be inside "-hx": name it alone. */
			if (strncmp(arg, "--", 2) != 0 && optopt != 0)
				arg = shortopt;
			msg = global_option_error(arg, c == ':');
			global_usage_error(argc, argv, msg, c == '?', err);
			free(msg);
			opterr = saved_opterr;
			optind = 1;
			return -1;
		}
		global_option_set(opts, c);
	}
	first = optind;
	opterr = saved_opterr;
	optind = 1;
	return first;
}

void
cli_short_usage(FILE *out)
{
	fprintf(out, _("usage: manager [--config FILE] [--db FILE] [--json] COMMAND [ARGS]\n"
	    "Try \"manager --help\" for the list of commands.\n"));
}

void
cli_help(FILE *out)
{
	fprintf(out, _("usage: manager [OPTIONS] [COMMAND [ARGS]]\n\n"
	    "Plugin and task management console. Without a command, opens the console.\n\n"
	    "Options:\n"
	    "  --config FILE   read this configuration file\n"
	    "  --db FILE       use this database\n"
	    "  --json          print results as JSON\n"
	    "  -h, --help      show this help\n"
	    "  -V, --version   show the version\n\n"
	    "Commands:\n"));
	cmd_help(out, &cli_table, NULL, NULL);
	fprintf(out, _("\n\"manager help NOUN [VERB]\" or \"manager NOUN VERB --help\" "
	    "shows a command's options.\n"));
	fprintf(out, _("\nEngine host:\n"
	    "  manager --daemon [--detach] [--pidfile FILE]\n"
	    "  --daemon        run the engine without the console (as \"daemon\")\n"
	    "  --detach        go to the background once the engine runs\n"
	    "  --pidfile FILE  write the daemon's pid to FILE (0644)\n"));
}

/* "--json" after the command (before "--"): the client's own errors
 * (no host, no database) are then JSON too. */
static int
cli_json_after(const struct cmd_entry *e, int argc, char **argv)
{
	for (int i = e->verb != NULL ? 2 : 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--json") == 0)
			return 1;
	}
	return 0;
}

/* Whether to open (and so create) the database before the command: not
 * for a command that needs none, nor for a read-only one when there is
 * no database file yet (`host status`, `db check` leave no trace).  A
 * server's database exists or the connection says why not. */
static int
cli_db_missing(const struct mgr *mgr)
{
	return !db_string_is_server(mgr->conf->database) &&
	    access(mgr->conf->database, F_OK) != 0 && errno == ENOENT;
}

static int
cli_wants_db(const struct mgr *mgr, const struct cmd_entry *e)
{
	if (e->flags & CMD_NO_DB)
		return 0;
	return !(e->flags & CMD_DB_IF_EXISTS) || !cli_db_missing(mgr);
}

/* A mutation that can only change what exists (CMD_ON_EXISTING, or a
 * dry run) when there is no database: on an empty one in memory it says
 * "no task ..." (or shows what a dry run would do) as it would on an
 * empty file, where the road through a host would create the database,
 * its folder and the lock.  Never the file, even if it appeared since:
 * a change to it goes through the host. */
static int
cli_run_on_empty(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	int status;

	if (db_open(DB_MEMORY, &ctx->mgr->db, &err) != 0)
		status = cmd_fail(ctx, err.code, err.msg);
	else
		status = cmd_dispatch(ctx, argc, argv);
	mgr_close(ctx->mgr);
	return status;
}

static int
cli_run_command(struct cli_opts *opts, int argc, char **argv)
{
	struct conf_source src = { .config_arg = opts->config, .db_arg = opts->db,
	    .warnings = stderr };
	struct cmd_ctx ctx = { .table = &cli_table, .out = stdout, .err = stderr,
	    .json = opts->json };
	const struct cmd_entry *e;
	struct mgr_error err = { 0 };
	int status;

	e = cmd_find(&cli_table, argv[0], argc > 1 ? argv[1] : NULL);
	/* Help, and the usage of an unknown command, need no configuration. */
	if (e == NULL || (e->flags & CMD_NO_CONF) ||
	    cmd_wants_help(&cli_table, argc, argv))
		return cmd_dispatch(&ctx, argc, argv);
	ctx.json |= cli_json_after(e, argc, argv);
	/* A usage error is told before anything is opened or created (the
	 * database, its folder, a short-lived host's lock). */
	if ((status = cmd_check_usage(&ctx, argc, argv)) != 0)
		return status;
	if (mgr_open(&src, &ctx.mgr, &err) != 0)
		return cmd_fail(&ctx, err.code, err.msg);
	engine_wire(ctx.mgr);
	ctx.mgr->commands = &cli_table;
	/* A one-shot command says what it did on stdout; its log lines on
	 * stderr would only repeat that, so only warnings get through. */
	if (!(e->flags & CMD_HOST) && ctx.mgr->log.to_stderr &&
	    ctx.mgr->log.level > LOG_LVL_WARNING)
		ctx.mgr->log.level = LOG_LVL_WARNING;
	if ((e->flags & CMD_MUTATES) && cli_db_missing(ctx.mgr) &&
	    cmd_creates_nothing(&ctx, argc, argv))
		return cli_run_on_empty(&ctx, argc, argv);
	if ((e->flags & CMD_FETCHES) &&
	    plugin_prefetch(ctx.mgr, argc, argv, stderr, &err) != 0) {
		status = cmd_fail(&ctx, err.code, err.msg);
		mgr_close(ctx.mgr);
		return status;
	}
	if (e->flags & CMD_MUTATES) {
		/* Through the running host, or as a short-lived one.  Remote
		 * repositories were downloaded just above, here in the
		 * client: the host only reads their cache. */
		status = engine_cli_command(ctx.mgr, argc, argv, opts->json);
		mgr_close(ctx.mgr);
		return status;
	}
	if ((e->flags & CMD_DB_EMPTY_IF_MISSING) ?
	    mgr_open_db_or_empty(ctx.mgr, &err) != 0 :
	    cli_wants_db(ctx.mgr, e) && mgr_open_db(ctx.mgr, &err) != 0) {
		status = cmd_fail(&ctx, err.code, err.msg);
		mgr_close(ctx.mgr);
		return status;
	}
	if (!(e->flags & CMD_ASKS_HOST) || (status = engine_cli_ask(ctx.mgr,
	    argc, argv, ctx.json)) == ENGINE_NOT_ASKED)
		status = cmd_dispatch(&ctx, argc, argv);
	mgr_close(ctx.mgr);
	return status;
}

/* --daemon [--detach] [--pidfile FILE] is "daemon" with those options. */
static int
cli_run_daemon(struct cli_opts *opts, int argc, char **argv)
{
	char **v = strv_push(NULL, "daemon"), **view;
	int status;

	if (opts->detach)
		v = strv_push(v, "--detach");
	if (opts->pidfile != NULL) {
		v = strv_push(v, "--pidfile");
		v = strv_push(v, opts->pidfile);
	}
	for (int i = 0; i < argc; i++)
		v = strv_push(v, argv[i]);
	/* Commands take options out of argv: hand them a copy of the
	 * pointers, so that v still owns every string. */
	view = xmalloc((strv_len(v) + 1) * sizeof *view);
	memcpy(view, v, (strv_len(v) + 1) * sizeof *view);
	status = cli_run_command(opts, (int)strv_len(v), view);
	free(view);
	strv_free(v);
	return status;
}

int
cli_main(int argc, char **argv)
{
	struct cli_opts opts;
	int first = cli_parse_globals(argc, argv, &opts, stderr);

	if (first < 0)
		return CMD_EXIT_USAGE;
	if (opts.version) {
		printf("manager %s\n", PACKAGE_VERSION);
		return CMD_EXIT_OK;
	}
	if ((opts.detach || opts.pidfile != NULL) && !opts.daemon) {
		fprintf(stderr, _("manager: --detach and --pidfile go with --daemon\n"));
		return CMD_EXIT_USAGE;
	}
	if (opts.daemon && !opts.help)
		return cli_run_daemon(&opts, argc - first, argv + first);
	/* No command on a terminal: the console. */
	if (!opts.help && first == argc && isatty(STDIN_FILENO) &&
	    isatty(STDOUT_FILENO)) {
		char *console[] = { (char *)"console", NULL };

		return cli_run_command(&opts, 1, console);
	}
	if (opts.help || first == argc) {
		cli_help(stdout);
		return CMD_EXIT_OK;
	}
	return cli_run_command(&opts, argc - first, argv + first);
}
