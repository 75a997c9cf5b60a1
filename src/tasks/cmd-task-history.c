/* cmd-task-history.c - manager task history: the runs of one task or of
 * all, newest first, with their output on request. */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "run_view.h"
#include "sandbox.h"
#include "scheduler.h"
#include "task_context_store.h"
#include "timefmt.h"
#include "util.h"

#include <ev.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *
task_run_json(const struct run_rec *r)
{
	int usage = r->user_us > 0 || r->sys_us > 0 || r->max_rss_kb > 0;
	char name[32];
	json_t *o = json_pack("{s:I, s:s, s:i, s:o, s:o, s:o, s:s}",
	    "id", (json_int_t)r->id, "task_id", r->task_id, "attempt", r->attempt,
	    "scheduled_at", task_json_time(r->scheduled_at),
	    "started_at", task_json_time(r->started_at),
	    "ended_at", task_json_time(r->ended_at), "status", r->status);

	json_object_set_new(o, "duration", r->started_at && r->ended_at ?
	    json_real(timefmt_machine_seconds(r->ended_at -
	    r->started_at)) : json_null());
	json_object_set_new(o, "exit_code", r->exit_code >= 0 ?
	    json_integer(r->exit_code) : json_null());
	json_object_set_new(o, "signal", r->signal > 0 ?
	    json_string(sandbox_signal_name(r->signal, name, sizeof name)) :
	    json_null());
	json_object_set_new(o, "output", r->output ? json_string(r->output) :
	    json_null());
	json_object_set_new(o, "error", r->error ? json_string(r->error) :
	    json_null());
	/* Usage is recorded or not as a whole (every process has an RSS):
	 * a run that spent no system time says 0, not null. */
	json_object_set_new(o, "user_cpu", usage ?
	    json_real(timefmt_machine_seconds(r->user_us)) : json_null());
	json_object_set_new(o, "system_cpu", usage ?
	    json_real(timefmt_machine_seconds(r->sys_us)) : json_null());
	json_object_set_new(o, "max_rss_kb", r->max_rss_kb > 0 ?
	    json_integer(r->max_rss_kb) : json_null());
	return o;
}

const char *
task_run_usage_text(char *buf, size_t len, const struct run_rec *r)
{
	if (r->user_us <= 0 && r->sys_us <= 0 && r->max_rss_kb <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, _("%.3fs usr %.3fs sys %.1fMiB"),
		    (double)r->user_us / 1e6, (double)r->sys_us / 1e6,
		    (double)r->max_rss_kb / 1024);
	return buf;
}

/* The usage columns of the runs listed (their rows by id). */
struct usage_fill {
	struct run_rec *v;
	size_t n;
};

static void
usage_fill_one(void *arg, int64_t id, int64_t user_us, int64_t sys_us,
	       int64_t max_rss_kb)
{
	struct usage_fill *f = arg;

	for (size_t i = 0; i < f->n; i++) {
		if (f->v[i].id != id)
			continue;
		f->v[i].user_us = user_us;
		f->v[i].sys_us = sys_us;
		f->v[i].max_rss_kb = max_rss_kb;
		return;
	}
}

static void
history_text(struct cmd_ctx *ctx, const struct run_rec *v, size_t n, int output)
{
	char start[TIMEFMT_ISO_MAX], dur[32], use[64];

	fprintf(ctx->out, "%-8s %-32s %-10s %-7s %-11s %-24s %-30s %s\n", _("RUN"),
	    _("STARTED"), _("DURATION"), _("ATTEMPT"), _("STATUS"), _("TASK"),
	    _("CPU AND PEAK MEMORY"), _("RESULT"));
	for (size_t i = 0; i < n; i++) {
		const struct run_rec *r = &v[i];
		if (r->started_at && r->ended_at)
			snprintf(dur, sizeof dur, "%.3fs",
			    (double)(r->ended_at - r->started_at) / 1e6);
		else
			snprintf(dur, sizeof dur, "-");
		fprintf(ctx->out, "%-8lld %-32s %-10s %-7d %-11s %-24s %-30s %s\n",
		    (long long)r->id, r->started_at ? timefmt_iso(start,
		    sizeof start, r->started_at, NULL) : "-", dur, r->attempt,
		    r->status, r->task_id, task_run_usage_text(use, sizeof use, r),
		    r->error != NULL ? r->error : "");
		if (output && r->output != NULL)
			fprintf(ctx->out, "%s%s", r->output,
			    r->output[strlen(r->output) - 1] == '\n' ? "" : "\n");
	}
}

static int
task_history_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int limit = 20, output = cmd_args_has(args, "output"), argc = args->argc;
	const char *value = cmd_args_value(args, "limit");
	char *const *argv = args->argv;
	struct run_rec *v;
	size_t n;

	if (value != NULL && (limit = atoi(value)) <= 0)
		return cmd_fail(ctx, MGR_EINVAL, _("--limit needs a number above 0"));
	if (run_store_list(ctx->mgr->db, argc > 0 ? argv[0] : NULL, 0,
	    (size_t)limit, &v, &n, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	struct usage_fill fill = { v, n };
	if (run_usage_store_list(ctx->mgr->db, argc > 0 ? argv[0] : NULL,
	    (size_t)limit, usage_fill_one, &fill, &err) != 0) {
		run_recs_free(v, n);
		return cmd_fail(ctx, err.code, err.msg);
	}
	if (ctx->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, task_run_json(&v[i]));
		char *s = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", s);
		free(s);
		json_decref(a);
	} else
		history_text(ctx, v, n, output);
	run_recs_free(v, n);
	return CMD_EXIT_OK;
}

static const struct cmd_option task_history_options[] = {
	{ "limit", 0, "N", N_("show the N newest runs (default 20)"), 0 },
	{ "output", 0, NULL, N_("show each run's output too"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

/* No target: the history of a task removed meanwhile is empty, not an
 * error. */
const struct cmd_entry cmd_task_history_entry = {
	.noun = "task", .verb = "history", .usage = N_("[ID]"),
	.summary = N_("show the run history, newest first"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 0, .max_args = 1,
	.options = task_history_options, .run = task_history_run,
};
