/* console_tick_store.h - what the console's tick reads while the
 * scheduler writes 100 runs a second: the tasks table's row count and
 * newest updated_at, both without a scan (SQLite counts the pages of the
 * smallest index and finds the maximum at the end of tasks_updated), so
 * a tick costs what changed, not 10,000 rows; and the runs that are new
 * since the last tick, or that it showed still going. */
#ifndef MGR_CONSOLE_TICK_STORE_H
#define MGR_CONSOLE_TICK_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "store.h"

struct mgr_db;

/* *count = the tasks; *newest = their newest updated_at (0: none). */
int store_console_task_stamp(struct mgr_db *db, int64_t *count,
			     int64_t *newest, struct mgr_error *err);

/* The log pane's runs (as store_console_runs hands them) with an id
 * above after_id, newest first, at most limit; *n = how many. */
int store_console_runs_after(struct mgr_db *db, int64_t after_id, size_t limit,
			     store_run_line_fn fn, void *arg, size_t *n,
			     struct mgr_error *err);
/* The run id again (a run the pane shows as still going); *found = 0
 * when it is gone. */
int store_console_run_again(struct mgr_db *db, int64_t id,
			    store_run_line_fn fn, void *arg, int *found,
			    struct mgr_error *err);

#endif
