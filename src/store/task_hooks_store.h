/* task_hooks_store.h - what a task does around its runs (schema 8):
 * tasks.hooks, a JSON object holding its notifications (on_failure,
 * on_success, on_recovery, on_missed, on_output), the tasks it runs
 * after (after, after_any) and its concurrency group (group); and the
 * reads of the history that dependencies and on_recovery need. */
#ifndef MGR_TASK_HOOKS_STORE_H
#define MGR_TASK_HOOKS_STORE_H

#include <stdint.h>
#include "store.h"

/* *json: the task's hooks (malloc'd), or NULL when it has none;
 * MGR_ENOENT when there is no such task. */
int task_hooks_store_get(struct mgr_db *db, const char *task_id, char **json,
			 struct mgr_error *err);
/* json NULL: none. */
int task_hooks_store_set(struct mgr_db *db, const char *task_id,
			 const char *json, struct mgr_error *err);
/* fn(arg, id, json) for every task that has hooks, in id order. */
typedef void (*task_hooks_fn)(void *arg, const char *task_id,
			      const char *json);
int task_hooks_store_list(struct mgr_db *db, task_hooks_fn fn, void *arg,
			  struct mgr_error *err);
/* The latest run of a task that is over (not running, claimed), of a
 * fire time before `before` (0: any): its status (*status malloc'd,
 * NULL when there is none) and when it ended (Unix µs). */
int task_hooks_store_last_final(struct mgr_db *db, const char *task_id,
				int64_t before, char **status,
				int64_t *ended_at, struct mgr_error *err);
/* When the latest run of the task began or was due (0: never ran). */
int task_hooks_store_last_start(struct mgr_db *db, const char *task_id,
				int64_t *at, struct mgr_error *err);

#endif
