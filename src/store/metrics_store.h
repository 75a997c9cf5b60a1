/* metrics_store.h - the history's counts for GET /metrics. */
#ifndef MGR_METRICS_STORE_H
#define MGR_METRICS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct mgr_db;

/* fn(arg, task, status, n) for each task and status of the recorded runs. */
typedef void (*metrics_runs_fn)(void *arg, const char *task,
				const char *status, int64_t n);
int metrics_store_runs(struct mgr_db *db, metrics_runs_fn fn, void *arg,
		       struct mgr_error *err);

/* The lateness of the runs that started (started_at - scheduled_at of
 * first attempts) as a histogram: le[i] counts those of at most
 * METRICS_LATENESS_BOUNDS[i] seconds; *count all of them, *sum their
 * seconds. */
#define METRICS_LATENESS_N 10
extern const double METRICS_LATENESS_BOUNDS[METRICS_LATENESS_N];
int metrics_store_lateness(struct mgr_db *db, int64_t le[METRICS_LATENESS_N],
			   int64_t *count, double *sum, struct mgr_error *err);

#endif
