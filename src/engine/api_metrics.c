/* api_metrics.c - GET /metrics in Prometheus' text format. */
#include "i18n.h"
#include "error.h"
#include "api_openapi.h"
#include "host.h"
#include "manager.h"
#include "metrics_store.h"
#include "sched_metrics.h"
#include "scheduler.h"
#include "timefmt.h"
#include "util.h"

#include <stdio.h>

/* A label value: backslash, double quote and newline escaped. */
static void
label(struct strbuf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_addf(b, "\\%c", *s);
		else if (*s == '\n')
			strbuf_adds(b, "\\n");
		else
			strbuf_add(b, s, 1);
	}
}

static void
run_row(void *arg, const char *task, const char *status, int64_t n)
{
	struct strbuf *b = arg;

	strbuf_adds(b, "manager_runs{task=\"");
	label(b, task);
	strbuf_adds(b, "\",status=\"");
	label(b, status);
	strbuf_addf(b, "\"} %lld\n", (long long)n);
}

static void
lateness(struct strbuf *b, struct mgr *mgr)
{
	struct mgr_error err = { 0 };
	int64_t le[METRICS_LATENESS_N], count = 0;
	double sum = 0;

	strbuf_adds(b, "# HELP manager_run_lateness_seconds How late runs "
	    "started after their scheduled time (first attempts in the "
	    "history).\n# TYPE manager_run_lateness_seconds histogram\n");
	if (metrics_store_lateness(mgr->db, le, &count, &sum, &err) != 0) {
		log_warning(&mgr->log, "api: metrics: %s", err.msg);
		for (int i = 0; i < METRICS_LATENESS_N; i++)
			le[i] = 0;
	}
	for (int i = 0; i < METRICS_LATENESS_N; i++)
		strbuf_addf(b, "manager_run_lateness_seconds_bucket{le=\"%g\"} "
		    "%lld\n", METRICS_LATENESS_BOUNDS[i], (long long)le[i]);
	strbuf_addf(b, "manager_run_lateness_seconds_bucket{le=\"+Inf\"} %lld\n"
	    "manager_run_lateness_seconds_sum %.6f\n"
	    "manager_run_lateness_seconds_count %lld\n", (long long)count, sum,
	    (long long)count);
}

char *
api_metrics_text(struct mgr *mgr)
{
	struct mgr_error err = { 0 };
	struct strbuf b = { 0 };
	int64_t started = mgr->host != NULL ? mgr->host->started_at : 0;

	strbuf_adds(&b, "# HELP manager_runs Runs in the history, by task and "
	    "status (pruning lowers them).\n# TYPE manager_runs gauge\n");
	if (metrics_store_runs(mgr->db, run_row, &b, &err) != 0)
		log_warning(&mgr->log, "api: metrics: %s", err.msg);
	lateness(&b, mgr);
	strbuf_addf(&b, "# HELP manager_runs_running Attempts going on now.\n"
	    "# TYPE manager_runs_running gauge\nmanager_runs_running %d\n"
	    "# HELP manager_runs_queued Fire times waiting for a free instance "
	    "(max_instances).\n# TYPE manager_runs_queued gauge\n"
	    "manager_runs_queued %ld\n"
	    "# HELP manager_host_uptime_seconds Seconds since this engine host "
	    "started.\n# TYPE manager_host_uptime_seconds gauge\n"
	    "manager_host_uptime_seconds %.3f\n", scheduler_running_count(mgr),
	    scheduler_queued_count(mgr), started > 0 ?
	    (double)(mgr_now_us() - started) / 1e6 : 0.0);
	return strbuf_detach(&b);
}
