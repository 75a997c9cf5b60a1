/* cmd-task-logs.c - manager task logs: a run's full output, stdout and
 * stderr marked, every line with its time; --follow streams a running
 * run's lines until it ends, as journalctl -f does. */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "runlog.h"
#include "runlog_store.h"
#include "store.h"
#include "timefmt.h"
#include "tz.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FOLLOW_POLL_MS 100	/* a new line shows this late at most */
#define FOLLOW_CHECK_EVERY 10	/* polls between looks at the history */

extern const struct cmd_entry cmd_task_logs_entry;

struct logs_opts {
	const char *task_id;
	int64_t run_id;			/* 0: the latest run */
	int follow;
	unsigned mask;			/* kinds shown */
	int64_t since;			/* 0: from the start */
	size_t lines;			/* 0: all */
};

struct logs_out {
	struct cmd_ctx *ctx;
	const struct logs_opts *o;
	struct tz *zone;		/* local time for text */
};

static void
print_line(const struct runlog_line *l, void *arg)
{
	struct logs_out *po = arg;
	struct strbuf sb = STRBUF_INIT;

	if (!(po->o->mask & (1u << l->kind)) || l->at < po->o->since)
		return;
	runlog_line_format(&sb, l, po->ctx->json, po->zone);
	fwrite(sb.buf, 1, sb.len, po->ctx->out);
	strbuf_free(&sb);
}

/* "-30s", "-5m", "-2h", "-1d" before now, or a time (local unless it
 * says its offset). */
static int
parse_since(const char *text, struct tz *zone, int64_t *out,
	    struct mgr_error *err)
{
	char *end;
	long long n;
	int64_t unit = 0;

	if (text[0] == '-') {
		errno = 0;
		n = strtoll(text + 1, &end, 10);
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		}
		if (errno != 0 || end == text + 1 || unit == 0 || end[1] != '\0' ||
		    n < 0 || n > INT64_MAX / MGR_US_PER_S / unit)
			return mgr_error_set(err, MGR_EINVAL, _("--since \"%s\": "
			    "expected -N followed by s, m, h or d, or a time"), text);
		*out = mgr_now_us() - n * unit * MGR_US_PER_S;
		return 0;
	}
	return timefmt_parse(text, zone, out, err);
}

static int
read_opts(struct cmd_ctx *ctx, const struct cmd_args *args, struct logs_opts *o,
	  struct tz *zone)
{
	struct mgr_error err = { 0 };
	const char *run = cmd_args_value(args, "run");
	const char *since = cmd_args_value(args, "since");
	const char *lines = cmd_args_value(args, "lines");
	int out = cmd_args_has(args, "stdout"), errs = cmd_args_has(args, "stderr");
	char *end;

	o->follow = cmd_args_has(args, "follow") > 0;
	o->mask = 1u << RUNLOG_DROPPED;
	o->mask |= (out || !errs ? 1u << RUNLOG_STDOUT : 0) |
	    (errs || !out ? 1u << RUNLOG_STDERR : 0);
	if (run != NULL && ((o->run_id = strtoll(run, &end, 10)) <= 0 ||
	    *end != '\0'))
		return cmd_fail(ctx, MGR_EINVAL, _("--run needs a run number "
		    "(the RUN column of task history)"));
	if (lines != NULL) {
		long long n = strtoll(lines, &end, 10);
		if (n <= 0 || *end != '\0')
			return cmd_fail(ctx, MGR_EINVAL,
			    _("--lines needs a number above 0"));
		o->lines = (size_t)n;
	}
	if (since != NULL && parse_since(since, zone, &o->since, &err) != 0) {
		char *msg = xasprintf("--since: %s", err.msg);
		int rc = cmd_fail(ctx, err.code, msg);
		free(msg);
		return rc;
	}
	return 0;
}

/* Rows read to find the newest run that started: fire times skipped
 * behind a long run come after it. */
#define LATEST_ROWS 64

/* The newest of rows v (newest first) that started: fire times recorded
 * skipped or missed never ran and have no log, and a run that goes on
 * past a second has its next fire times skipped; the newest row when
 * none started. */
static const struct run_rec *
latest_started(const struct run_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].started_at != 0)
			return &v[i];
	return n > 0 ? &v[0] : NULL;
}

/* The task's latest run: its newest row that started or its newest log
 * file, whichever is later (a run's row is written after 1 s or at its
 * end, its log file after 1 s or 4 KiB of output). */
static int
latest_run(struct cmd_ctx *ctx, const char *task_id, int64_t *sched,
	   int *attempt)
{
	struct mgr_error err = { 0 };
	struct run_rec *v = NULL;
	const struct run_rec *r;
	size_t n = 0;
	int have = runlog_latest(ctx->mgr->conf->state_directory, task_id, sched,
	    attempt) == 0;

	if (run_store_list(ctx->mgr->db, task_id, 0, LATEST_ROWS, &v, &n,
	    &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if ((r = latest_started(v, n)) != NULL && (!have ||
	    r->scheduled_at > *sched || (r->scheduled_at == *sched &&
	    r->attempt > *attempt))) {
		*sched = r->scheduled_at;
		*attempt = r->attempt;
		have = 1;
	}
	run_recs_free(v, n);
	if (!have) {
		char *msg = xasprintf(_("task %s has not run yet"), task_id);
		int rc = cmd_fail(ctx, MGR_ENOENT, msg);
		free(msg);
		return rc;
	}
	return 0;
}

/* The run to show: --run, else the task's latest. */
static int
find_run(struct cmd_ctx *ctx, const struct logs_opts *o, int64_t *sched,
	 int *attempt)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	char *task = NULL;
	int rc;

	if (o->run_id > 0) {
		if ((rc = runlog_store_key(ctx->mgr->db, o->run_id, &task, sched,
		    attempt, &err)) != 0)
			return cmd_fail(ctx, rc, err.msg);
		rc = strcmp(task, o->task_id);
		free(task);
		if (rc != 0) {
			char *msg = xasprintf(_("run %lld is not a run of task "
			    "%s"), (long long)o->run_id, o->task_id);
			rc = cmd_fail(ctx, MGR_ENOENT, msg);
			free(msg);
			return rc;
		}
		return 0;
	}
	memset(&t, 0, sizeof t);
	if ((rc = task_store_read(ctx->mgr->db, o->task_id, &t, &err)) != 0)
		return cmd_fail(ctx, rc, err.msg);
	task_rec_clear(&t);
	return latest_run(ctx, o->task_id, sched, attempt);
}

/* The whole log at once, or its last --lines, wherever it is kept. */
static int
show_log(struct logs_out *po, const struct runlog_run *run)
{
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	char *path;

	if (runlog_read_run(run, po->o->mask, po->o->since, po->o->lines, &l,
	    &err) != 0)
		return cmd_fail(po->ctx, err.code, err.msg);
	if (!l.found && run->db != NULL && runlog_store_chunked(run->db))
		fprintf(po->ctx->err, _("manager: no output of this run of %s is "
		    "kept in the database: it printed nothing, or its log was "
		    "pruned\n"), po->o->task_id);
	else if (!l.found) {
		path = runlog_path(run->state_directory, run->task_id,
		    run->scheduled_at, run->attempt);
		fprintf(po->ctx->err, _("manager: no output of this run of %s is "
		    "kept: it printed nothing, or its log was pruned (%s)\n"),
		    po->o->task_id, path);
		free(path);
	}
	for (size_t i = 0; i < l.n; i++)
		print_line(&l.v[i], po);
	runlog_lines_clear(&l);
	return CMD_EXIT_OK;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* True when the history says the run is over (an engine that died
 * before writing the end record: its successor records the run
 * interrupted). */
static int
run_over(struct cmd_ctx *ctx, const char *task, int64_t sched, int attempt)
{
	int ended = 0;
	int64_t id;

	if (runlog_store_state(ctx->mgr->db, task, sched, attempt, &ended, &id,
	    NULL) != 0)
		return 0;
	return ended;
}

/* Prints the last --lines, then each new line as it comes, until the
 * end record (or the history says the run is over). */
static int
follow_log(struct logs_out *po, const struct runlog_run *run)
{
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	struct runlog_reader rd;
	int64_t n = 0;
	int polls = 0;

	if (runlog_reader_open_run(&rd, run, &err) != 0 ||
	    runlog_reader_tail(&rd, po->o->mask, po->o->since, po->o->lines, &l,
	    &err) != 0) {
		runlog_reader_close(&rd);
		return cmd_fail(po->ctx, err.code, err.msg);
	}
	for (size_t i = 0; i < l.n; i++)
		print_line(&l.v[i], po);
	runlog_lines_clear(&l);
	while (!rd.parse.ended) {
		fflush(po->ctx->out);
		sleep_ms(FOLLOW_POLL_MS);
		if ((n = runlog_reader_poll(&rd, print_line, po, &err)) < 0)
			break;
		if (n > 0 || ++polls % FOLLOW_CHECK_EVERY != 0 ||
		    !run_over(po->ctx, run->task_id, run->scheduled_at,
		    run->attempt))
			continue;
		/* Over without its end record: what is there, and stop. */
		if ((n = runlog_reader_poll(&rd, print_line, po, &err)) < 0)
			break;
		runlog_parse_finish(&rd.parse, print_line, po);
		break;
	}
	runlog_reader_close(&rd);
	fflush(po->ctx->out);
	if (n < 0)
		return cmd_fail(po->ctx, err.code, err.msg);
	return CMD_EXIT_OK;
}

static int
task_logs_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct logs_opts o = { 0 };
	struct logs_out po = { .ctx = ctx, .o = &o };
	struct runlog_run run = { .db = ctx->mgr->db,
	    .state_directory = ctx->mgr->conf->state_directory };
	int rc;

	tz_load(NULL, &po.zone, NULL);
	if ((rc = read_opts(ctx, args, &o, po.zone)) != 0)
		goto out;
	o.task_id = run.task_id = args->argv[0];
	if ((rc = find_run(ctx, &o, &run.scheduled_at, &run.attempt)) != 0)
		goto out;
	rc = o.follow ? follow_log(&po, &run) : show_log(&po, &run);
out:
	tz_free(po.zone);
	return rc;
}

static const struct cmd_option task_logs_options[] = {
	{ "run", 0, "RUN", N_("this run (the RUN column of task history)"), 0 },
	{ "follow", 'f', NULL, N_("print what the run writes until it ends"), 0 },
	{ "stderr", 0, NULL, N_("only what the run wrote on stderr"), 0 },
	{ "stdout", 0, NULL, N_("only what the run wrote on stdout"), 0 },
	{ "since", 0, "TIME", N_("lines from TIME on (a time, or -N followed "
	    "by s, m, h or d)"), 0 },
	{ "lines", 0, "N", N_("the last N lines"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

/* No target: find_run says which of task and run is missing. */
const struct cmd_entry cmd_task_logs_entry = {
	.noun = "task", .verb = "logs", .usage = "ID",
	.summary = N_("show a run's full output (the latest run by default)"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1,
	.options = task_logs_options, .run = task_logs_run,
};
