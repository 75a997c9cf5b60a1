/* console_view_store.h - reads of the console's views that the panes'
 * queries do not cover (a run, whole, is run_usage_store_read). */
#ifndef MGR_CONSOLE_VIEW_STORE_H
#define MGR_CONSOLE_VIEW_STORE_H

#include <stdint.h>
#include "store.h"

/* *n = the runs recorded for task_id (what removing it deletes). */
int store_console_run_count(struct mgr_db *db, const char *task_id,
			    int64_t *n, struct mgr_error *err);

#endif
