/* cmd-run.c - runs as objects: `task run [--detach]` (prints the run's
 * id; without --detach follows the run to its end, with no time limit
 * through a host), `task stop ID [RUN]`, `run show RUN`, `run wait RUN`. */
#include "i18n.h"
#include "cmd.h"
#include "db.h"
#include "hostprobe.h"
#include "manager.h"
#include "run_view.h"
#include "scheduler.h"
#include "task_context_store.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_POLL_US	(100 * 1000)
#define WAIT_NO_ENGINE_US	(2 * 1000 * 1000)

static int
fail_err(struct cmd_ctx *ctx, const struct mgr_error *err)
{
	return cmd_fail(ctx, err->code, err->msg);
}

static void
print_json(struct cmd_ctx *ctx, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fprintf(ctx->out, "%s\n", s);
	free(s);
	json_decref(v);
}

int
task_run_id_parse(const char *s, int64_t *id, struct mgr_error *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == 0 && end != s && *end == '\0' && v > 0) {
		*id = v;
		return 0;
	}
	return mgr_error_set(err, MGR_EINVAL, _("run \"%s\": expected a run id "
	    "(a whole number above 0)"), s);
}

/* A run id, or a usage error. */
static int
run_id_arg(struct cmd_ctx *ctx, const char *s, int64_t *id)
{
	struct mgr_error err = { 0 };

	if (task_run_id_parse(s, id, &err) == 0)
		return 0;
	cmd_fail(ctx, err.code, err.msg);
	return -1;
}

static int
status_exit(const char *status)
{
	return strcmp(status, "succeeded") == 0 ? CMD_EXIT_OK :
	    CMD_EXIT_TASK_FAILED;
}

/* "task T: succeeded (run 42, 0.012 s, 0.001s usr 0.000s sys 1.2MiB)" */
static void
run_line(struct cmd_ctx *ctx, const struct run_rec *r)
{
	char use[64];

	fprintf(ctx->out, _("task %s: %s (run %lld, %.3f s, %s)\n"), r->task_id,
	    r->status, (long long)r->id, r->started_at && r->ended_at ?
	    (double)(r->ended_at - r->started_at) / 1e6 : 0.0,
	    task_run_usage_text(use, sizeof use, r));
	if (r->error != NULL && strcmp(r->status, "succeeded") != 0)
		fprintf(ctx->out, "  %s\n", r->error);
}

/* How `task run` ends, the same whether it ran here or on the host: the
 * last attempt of the run's fire time, as recorded. */
static int
task_run_result(struct cmd_ctx *ctx, const char *id, int64_t scheduled_at,
		const char *status)
{
	struct mgr_error err = { 0 };
	struct run_rec r;
	int64_t run_id;

	if (run_usage_store_find(ctx->mgr->db, id, scheduled_at, 0, &run_id,
	    &err) != 0 || run_usage_store_read(ctx->mgr->db, run_id, &r,
	    &err) != 0) {
		/* The task was removed meanwhile: its history went with it. */
		if (ctx->json)
			print_json(ctx, json_pack("{s:s, s:s}", "task_id", id,
			    "status", status));
		else
			fprintf(ctx->out, _("task %s: %s\n"), id, status);
		return status_exit(status);
	}
	if (ctx->json)
		print_json(ctx, task_run_json(&r));
	else
		run_line(ctx, &r);
	run_rec_clear(&r);
	return status_exit(status);
}

/* The same, knowing the first attempt's run id. */
static int
task_run_result_id(struct cmd_ctx *ctx, const char *id, int64_t run_id,
		   const char *status)
{
	struct mgr_error err = { 0 };
	struct run_rec r;
	int64_t at = 0;

	if (run_usage_store_read(ctx->mgr->db, run_id, &r, &err) == 0) {
		at = r.scheduled_at;
		run_rec_clear(&r);
	}
	return task_run_result(ctx, id, at, status);
}

static int
task_run_started(struct cmd_ctx *ctx, const char *id, int64_t run_id)
{
	if (ctx->json)
		print_json(ctx, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)run_id,
		    "task_id", id, "status", "running"));
	else
		fprintf(ctx->out, _("task %s: run %lld started\n"), id,
		    (long long)run_id);
	return CMD_EXIT_OK;
}

struct run_wait {
	struct cmd_later *later;
	struct mgr *mgr;
	char *id;
	int64_t scheduled_at;
};

static void
task_run_finished(void *arg, const char *status)
{
	struct run_wait *w = arg;
	struct cmd_ctx ctx = { .mgr = w->mgr, .out = w->later->out,
	    .err = w->later->err, .json = w->later->json };

	w->later->finish(w->later, task_run_result(&ctx, w->id,
	    w->scheduled_at, status));
	free(w->id);
	free(w);
}

/* A client asked the host: answer when the run is over (after retries),
 * as a run in the foreground would.  The client waits as long as it
 * takes (control.c: a command taken has no deadline). */
static int
task_run_later(struct cmd_ctx *ctx, const char *id)
{
	struct mgr_error err = { 0 };
	struct run_wait *w = xcalloc(1, sizeof *w);
	int64_t run_id;

	w->id = xstrdup(id);
	w->mgr = ctx->mgr;
	w->later = ctx->defer(ctx);
	if (scheduler_run_now_id(ctx->mgr, id, task_run_finished, w, &run_id,
	    &w->scheduled_at, &err) != 0) {
		struct cmd_ctx lctx = { .out = w->later->out,
		    .err = w->later->err, .json = w->later->json };

		w->later->finish(w->later, fail_err(&lctx, &err));
		free(w->id);
		free(w);
	}
	return CMD_EXIT_LATER;
}

static int
task_run_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	const char *status = NULL;
	int detach = cmd_args_has(args, "detach");
	char *const *argv = args->argv;
	int64_t run_id = 0, at;

	if (ctx->mgr->sched != NULL && ctx->defer != NULL && !detach)
		return task_run_later(ctx, argv[0]);
	if (ctx->mgr->sched != NULL) {
		/* The console's `x`, or --detach: the answer is the id. */
		if (scheduler_run_now_id(ctx->mgr, argv[0], NULL, NULL, &run_id,
		    &at, &err) != 0)
			return fail_err(ctx, &err);
		return task_run_started(ctx, argv[0], run_id);
	}
	if (detach)
		return cmd_fail(ctx, MGR_ECONFLICT, _("--detach needs a running "
		    "engine (manager --daemon, or the console): a run started "
		    "here would end with this command"));
	/* No engine here: run it in the foreground and wait. */
	if (scheduler_run_foreground(ctx->mgr, argv[0], &status, &run_id,
	    &err) != 0)
		return fail_err(ctx, &err);
	return task_run_result_id(ctx, argv[0], run_id, status);
}

static const struct cmd_option task_run_options[] = {
	{ "detach", 0, NULL, N_("print the run's id and return at once"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_task_run_entry = {
	.noun = "task", .verb = "run", .usage = "ID",
	.summary = N_("run a task now: print its run id, and wait for its end "
	    "unless --detach"),
	.flags = CMD_MUTATES | CMD_FOLLOWS | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.options = task_run_options, .target = CMD_TARGET_TASK,
	.run = task_run_run,
};

/* ---- task stop ---- */

struct stop_wait {
	struct cmd_later *later;
	char *id;
	int n;
};

/* "task T: N runs stopped" (stopping: asked, not yet over). */
static int
task_stop_said(struct cmd_ctx *ctx, const char *id, int n, int over)
{
	if (ctx->json)
		print_json(ctx, json_pack("{s:s, s:i, s:b}", "id", id, "stopped",
		    n, "over", over));
	else if (n == 0)
		fprintf(ctx->out, _("task %s: no run is going\n"), id);
	else if (over)
		fprintf(ctx->out, ngettext("task %s: %d run stopped\n",
		    "task %s: %d runs stopped\n", (unsigned long)n), id, n);
	else
		fprintf(ctx->out, ngettext("task %s: stopping %d run\n",
		    "task %s: stopping %d runs\n", (unsigned long)n), id, n);
	return CMD_EXIT_OK;
}

static void
task_stop_finished(void *arg, const char *status)
{
	struct stop_wait *w = arg;
	struct cmd_ctx ctx = { .out = w->later->out, .err = w->later->err,
	    .json = w->later->json };

	(void)status;
	w->later->finish(w->later, task_stop_said(&ctx, w->id, w->n, 1));
	free(w->id);
	free(w);
}

/* A client asked the host: answered when the runs are over and
 * recorded, so that the history says `stopped` when the command ends. */
static int
task_stop_later(struct cmd_ctx *ctx, const char *id, int64_t run_id)
{
	struct stop_wait *w = xcalloc(1, sizeof *w);
	struct mgr_error err = { 0 };
	int n, rc;

	w->id = xstrdup(id);
	w->later = ctx->defer(ctx);
	if (scheduler_stop(ctx->mgr, id, run_id, task_stop_finished, w, &n,
	    &err) == 0 && n > 0) {
		w->n = n;
		return CMD_EXIT_LATER;
	}
	struct cmd_ctx lctx = { .out = w->later->out, .err = w->later->err,
	    .json = w->later->json };
	rc = err.code != 0 ? fail_err(&lctx, &err) :
	    task_stop_said(&lctx, id, 0, 1);
	w->later->finish(w->later, rc);
	free(w->id);
	free(w);
	return CMD_EXIT_LATER;
}

static int
task_stop_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	int64_t run_id = 0;
	int n, nowait = cmd_args_has(args, "no-wait"), argc = args->argc;
	char *const *argv = args->argv;

	if (argc > 1 && run_id_arg(ctx, argv[1], &run_id) != 0)
		return CMD_EXIT_USAGE;
	/* A task removed while its run went on: that run can be stopped. */
	if (taskmgr_get(ctx->mgr, argv[0], &t, &err) != 0 &&
	    scheduler_task_running(ctx->mgr, argv[0]) == 0)
		return fail_err(ctx, &err);
	task_rec_clear(&t);
	if (ctx->mgr->sched == NULL) {
		/* Runs only go on in an engine, and none runs. */
		if (run_id > 0)
			return cmd_fail(ctx, MGR_ENOENT, _("no engine is running, "
			    "so no run is going"));
		return task_stop_said(ctx, argv[0], 0, 1);
	}
	if (ctx->defer != NULL && !nowait)
		return task_stop_later(ctx, argv[0], run_id);
	/* --no-wait, or the console hosting: never waits; the runs pane
	 * shows the end. */
	if (scheduler_stop(ctx->mgr, argv[0], run_id, NULL, NULL, &n, &err) != 0)
		return fail_err(ctx, &err);
	return task_stop_said(ctx, argv[0], n, n == 0);
}

static const struct cmd_option task_stop_options[] = {
	{ "no-wait", 0, NULL, N_("return once the runs are told to stop"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_task_stop_entry = {
	.noun = "task", .verb = "stop", .usage = N_("ID [RUN]"),
	.summary = N_("stop the task's runs going on (or one run): SIGTERM, "
	    "then SIGKILL after kill_grace_seconds; waits for their end unless "
	    "--no-wait"),
	.flags = CMD_MUTATES | CMD_FOLLOWS | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 2,
	/* no target: a task removed while its run went on can be stopped */
	.options = task_stop_options, .run = task_stop_run,
};

/* ---- run show, run wait ---- */

static void
run_details(struct cmd_ctx *ctx, const struct run_rec *r)
{
	json_t *o = task_run_json(r), *v;
	const char *key;

	if (ctx->json) {
		print_json(ctx, o);
		return;
	}
	json_object_foreach(o, key, v) {
		char *s;
		if (json_is_null(v) || strcmp(key, "output") == 0)
			continue;
		s = json_is_string(v) ? xstrdup(json_string_value(v)) :
		    json_dumps(v, JSON_ENCODE_ANY);
		fprintf(ctx->out, "%-14s %s\n", key, s);
		free(s);
	}
	if (r->output != NULL)
		fprintf(ctx->out, "output:\n%s%s", r->output,
		    r->output[0] != '\0' && r->output[strlen(r->output) - 1] ==
		    '\n' ? "" : "\n");
	json_decref(o);
}

static int
run_show_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct run_rec r;
	int64_t id;

	if (run_id_arg(ctx, args->target, &id) != 0)
		return CMD_EXIT_USAGE;
	if (run_usage_store_read(ctx->mgr->db, id, &r, &err) != 0)
		return fail_err(ctx, &err);
	run_details(ctx, &r);
	run_rec_clear(&r);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_run_show_entry = {
	.noun = "run", .verb = "show", .usage = "RUN",
	.summary = N_("show a run: status, exit code, times, CPU, peak memory, "
	    "output"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1,
	.target = CMD_TARGET_RUN, .run = run_show_run,
};

/* Polls the row until the run ends; Ctrl-C stops the waiting, never the
 * run.  A run left `running` with no engine to end it is an error after
 * a while (the next engine start records it interrupted). */
static int
run_wait_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int64_t id, lonely = 0;
	struct run_rec r;
	int rc;

	if (run_id_arg(ctx, args->target, &id) != 0)
		return CMD_EXIT_USAGE;
	for (;;) {
		if (run_usage_store_read(ctx->mgr->db, id, &r, &err) != 0)
			return fail_err(ctx, &err);
		if (r.ended_at != 0)
			break;
		run_rec_clear(&r);
		if (ctx->mgr->sched != NULL)
			return cmd_fail(ctx, MGR_ECONFLICT, _("run wait cannot "
			    "wait inside the engine host"));
		lonely = host_engine_running(ctx->mgr->db) ? 0 :
		    lonely + WAIT_POLL_US;
		if (lonely >= WAIT_NO_ENGINE_US) {
			char *msg = xasprintf(_("run %lld is recorded running, but "
			    "no engine is running to end it"), (long long)id);
			rc = cmd_fail(ctx, MGR_ECONFLICT, msg);
			free(msg);
			return rc;
		}
		usleep(WAIT_POLL_US);
	}
	if (ctx->json)
		print_json(ctx, task_run_json(&r));
	else
		run_line(ctx, &r);
	rc = status_exit(r.status);
	run_rec_clear(&r);
	return rc;
}

const struct cmd_entry cmd_run_wait_entry = {
	.noun = "run", .verb = "wait", .usage = "RUN",
	.summary = N_("wait for a run's end; exit status 0 when it succeeded"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1,
	.target = CMD_TARGET_RUN, .run = run_wait_run,
};
