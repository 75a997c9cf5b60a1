/* console_view_store.h - reads of the console's views that the panes'
 * queries (console_store.c) do not cover: one run, whole. */
#ifndef MGR_CONSOLE_VIEW_STORE_H
#define MGR_CONSOLE_VIEW_STORE_H

#include <stdint.h>
#include "store.h"

/* Reads run id into out (cleared with run_rec_clear); MGR_ENOENT naming
 * the id when no such run is recorded (pruned, or its task removed). */
int store_console_run_read(struct mgr_db *db, int64_t id, struct run_rec *out,
			   struct mgr_error *err);

/* *n = the runs recorded for task_id (what removing it deletes). */
int store_console_run_count(struct mgr_db *db, const char *task_id,
			    int64_t *n, struct mgr_error *err);

#endif
