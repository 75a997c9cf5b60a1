/* cmd-host.c - manager host status|reload (and the hidden host echo):
 * the engine host as seen from the command line. */
#include "i18n.h"
#include "cmd.h"
#include "engine.h"
#include "host.h"
#include "manager.h"
#include "scheduler.h"
#include "timefmt.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
host_status_print(struct cmd_ctx *ctx, int running, int pid, const char *kind,
		  int64_t started_at)
{
	char when[TIMEFMT_ISO_MAX];

	if (ctx->json) {
		json_t *o = running ? json_pack("{s:b, s:i, s:s, s:s, s:s}",
		    "running", 1, "pid", pid, "kind", kind != NULL ? kind : "",
		    "started_at", timefmt_machine(when, sizeof when, started_at),
		    "database", ctx->mgr->conf->database) :
		    json_pack("{s:b, s:s}", "running", 0, "database",
		    ctx->mgr->conf->database);
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", s);
		free(s);
		json_decref(o);
	} else if (running)
		fprintf(ctx->out, _("engine host: %s, pid %d, since %s\n"),
		    kind != NULL ? kind : _("starting"), pid,
		    timefmt_utc_seconds(when, sizeof when, started_at));
	else
		fprintf(ctx->out, _("engine host: none running on %s\n"),
		    ctx->mgr->conf->database);
	return running ? CMD_EXIT_OK : mgr_code_exit_status(MGR_ENOENT);
}

static int
host_status_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int64_t started_at = 0;
	char *kind = NULL;
	int pid = 0, running, status;

	(void)args;
	running = engine_host_info(ctx->mgr, &pid, &kind, &started_at) == 0;
	status = host_status_print(ctx, running, pid, kind, started_at);
	free(kind);
	return status;
}

/* What host reload did, as text or (--json) an object. */
static int
host_reload_said(struct cmd_ctx *ctx, int hosted)
{
	const char *file = ctx->mgr->conf->file;

	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:b, s:s?, s:b}", "reloaded", 1,
		    "config", file, "host", hosted));
	else if (hosted)
		fprintf(ctx->out, _("configuration reloaded from %s\n"),
		    file != NULL ? file : _("(built-in defaults)"));
	else
		fprintf(ctx->out, _("no engine host is running; configuration %s is "
		    "valid and the task files are loaded\n"), file != NULL ?
		    file : _("(built-in defaults)"));
	return CMD_EXIT_OK;
}

/* The reload a host carries out answers once its task files are
 * applied (they are read off the loop). */
struct reload_wait {
	struct mgr *mgr;
	int returned;		/* the command has returned ... */
	struct cmd_later *later;	/* ... to answer here (NULL: the console) */
	int told, rc;		/* over before the command returned */
	struct mgr_error err;
};

static int
host_reload_answer(struct cmd_ctx *ctx, int rc, const struct mgr_error *err)
{
	if (rc != 0)
		return cmd_fail(ctx, err->code, err->msg);
	return host_reload_said(ctx, 1);
}

static void
host_reloaded(void *arg, int rc, const struct mgr_error *err)
{
	struct reload_wait *w = arg;
	struct cmd_ctx lctx = { .mgr = w->mgr };

	if (!w->returned) {
		w->told = 1;
		w->rc = rc;
		if (rc != 0)
			w->err = *err;
		return;
	}
	if (w->later != NULL) {
		lctx.out = w->later->out;
		lctx.err = w->later->err;
		lctx.json = w->later->json;
		w->later->finish(w->later, host_reload_answer(&lctx, rc, err));
	} else if (rc != 0)
		log_error(&w->mgr->log, "reload failed, the previous "
		    "configuration stays in force: %s", err->msg);
	free(w);
}

static int
host_reload_hosted(struct cmd_ctx *ctx)
{
	struct reload_wait *w = xcalloc(1, sizeof *w);
	int status;

	w->mgr = ctx->mgr;
	engine_reload(ctx->mgr, host_reloaded, w);
	if (w->told) {		/* a broken configuration, or no scheduler */
		status = host_reload_answer(ctx, w->rc, &w->err);
		free(w);
		return status;
	}
	w->returned = 1;
	if (ctx->defer == NULL)	/* the console: its log says the end */
		return host_reload_said(ctx, 1);
	w->later = ctx->defer(ctx);
	return CMD_EXIT_LATER;
}

static int
host_reload_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr *mgr = ctx->mgr;
	struct mgr_error err = { 0 };

	(void)args;
	if (mgr->host == NULL || mgr->loop == NULL ||
	    strcmp(mgr->host->kind, ENGINE_KIND_CLI) == 0) {
		/* No engine runs: this process just read the configuration, so
		 * it is valid; the task files are synced into the database. */
		if (scheduler_reload_files(mgr, &err) != 0)
			return cmd_fail(ctx, err.code, err.msg);
		return host_reload_said(ctx, 0);
	}
	return host_reload_hosted(ctx);
}

/* Test-only (hidden): a state-changing command with no side effects, so
 * the test suite can check that a command run by the host gives the
 * client the same stdout, stderr and exit status.  --pid prints the pid
 * of the process that carried it out. */
static int
host_echo_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *errtext = cmd_args_value(args, "stderr");
	const char *exit_text = cmd_args_value(args, "exit");
	int argc = args->argc;
	char **argv = args->argv;

	if (cmd_args_has(args, "pid"))
		fprintf(ctx->out, "pid %ld\n", (long)getpid());
	for (int i = 0; i < argc; i++)
		fprintf(ctx->out, "%s%s", i > 0 ? " " : "", argv[i]);
	if (argc > 0)
		fputc('\n', ctx->out);
	if (errtext != NULL)
		fprintf(ctx->err, "%s\n", errtext);
	return exit_text != NULL ? atoi(exit_text) : CMD_EXIT_OK;
}

const struct cmd_entry cmd_host_status_entry = {
	.noun = "host", .verb = "status", .usage = "",
	.summary = N_("show which process hosts the engine"),
	.flags = CMD_DB_IF_EXISTS, .min_args = 0, .max_args = 0,
	.run = host_status_run,
};

const struct cmd_entry cmd_host_reload_entry = {
	.noun = "host", .verb = "reload", .usage = "",
	.summary = N_("reload the host's configuration and task files"),
	.flags = CMD_MUTATES, .min_args = 0, .max_args = 0,
	.run = host_reload_run,
};

static const struct cmd_option host_echo_options[] = {
	{ "pid", 0, NULL, N_("print the pid of the process that carries it out"), 0 },
	{ "stderr", 0, "TEXT", N_("print TEXT on stderr"), 0 },
	{ "exit", 0, "N", N_("exit with status N"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_host_echo_entry = {
	.noun = "host", .verb = "echo",
	.usage = "[ARG...]",
	.summary = N_("test only: print the arguments where the command runs"),
	.flags = CMD_MUTATES | CMD_HIDDEN, .min_args = 0, .max_args = -1,
	.options = host_echo_options, .run = host_echo_run,
};

extern const struct cmd_entry cmd_daemon_entry;
extern const struct cmd_entry cmd_sched_run_entry;

/* The commands of the engine folder, in the order --help lists them. */
const struct cmd_entry *const engine_commands[] = {
	&cmd_daemon_entry,
	&cmd_host_status_entry,
	&cmd_host_reload_entry,
	&cmd_host_echo_entry,
	&cmd_sched_run_entry,
	NULL
};
