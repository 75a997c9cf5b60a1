/* console_tick_store.h - what the console's tick reads while the
 * scheduler writes 100 runs a second: the tasks table's row count and
 * newest updated_at, both without a scan (SQLite counts the pages of the
 * smallest index and finds the maximum at the end of tasks_updated), so
 * a tick costs what changed, not 10,000 rows. */
#ifndef MGR_CONSOLE_TICK_STORE_H
#define MGR_CONSOLE_TICK_STORE_H

#include <stdint.h>
#include "error.h"

struct mgr_db;

/* *count = the tasks; *newest = their newest updated_at (0: none). */
int store_console_task_stamp(struct mgr_db *db, int64_t *count,
			     int64_t *newest, struct mgr_error *err);

#endif
