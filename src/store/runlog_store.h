/* runlog_store.h - what the run logs (src/tasks/runlog.h) ask of the
 * history: a run's key by its id, and whether a run is over. */
#ifndef MGR_RUNLOG_STORE_H
#define MGR_RUNLOG_STORE_H

#include <stdint.h>
#include "error.h"

struct mgr_db;

/* The key of run run_id, which names its log: *task_id (malloc'd),
 * *scheduled_at, *attempt.  MGR_ENOENT when there is no such run. */
int runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
		     int64_t *scheduled_at, int *attempt,
		     struct mgr_error *err);
/* *ended = 1 when the run (task_id, scheduled_at, attempt) is recorded
 * with an end; *run_id its id, or 0 when it has no row yet. */
int runlog_store_state(struct mgr_db *db, const char *task_id,
		       int64_t scheduled_at, int attempt, int *ended,
		       int64_t *run_id, struct mgr_error *err);

#endif
