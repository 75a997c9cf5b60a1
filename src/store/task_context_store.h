/* task_context_store.h - job control's part of the store: a task's
 * execution context (tasks.context, a JSON object) and a run's resource
 * usage (runs.user_us, sys_us, max_rss_kb), and reading one run by id. */
#ifndef MGR_TASK_CONTEXT_STORE_H
#define MGR_TASK_CONTEXT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* *json: the task's context (malloc'd), or NULL when it has none;
 * MGR_ENOENT when there is no such task. */
int task_context_store_get(struct mgr_db *db, const char *task_id,
			   char **json, struct mgr_error *err);
/* fn(arg, id, json) for every task that has a context of its own, in
 * one statement (the scheduler reads them all at its start instead of
 * one query per task at its first run). */
typedef void (*task_context_fn)(void *arg, const char *task_id,
				const char *json);
int task_context_store_all(struct mgr_db *db, task_context_fn fn, void *arg,
			   struct mgr_error *err);
/* json NULL: the defaults. */
int task_context_store_set(struct mgr_db *db, const char *task_id,
			   const char *json, struct mgr_error *err);
/* Writes the usage of the runs of v that have one (matched by task,
 * fire time and attempt, after run_store_record wrote them). */
void run_usage_store_record(struct mgr_db *db, const struct run_rec *v,
			    size_t n, void (*warn)(void *arg, const char *msg),
			    void *arg);
/* One run with its usage; MGR_ENOENT when there is no run id. */
int run_usage_store_read(struct mgr_db *db, int64_t id, struct run_rec *out,
			 struct mgr_error *err);
/* The id of the run of a task's fire time and attempt (attempt 0: the
 * latest attempt); MGR_ENOENT. */
int run_usage_store_find(struct mgr_db *db, const char *task_id,
			 int64_t scheduled_at, int attempt, int64_t *id,
			 struct mgr_error *err);
/* The usage of the newest `limit` runs of a task (or of every task when
 * task_id is NULL), by run id, for the history: fn per run. */
typedef void (*run_usage_fn)(void *arg, int64_t id, int64_t user_us,
			     int64_t sys_us, int64_t max_rss_kb);
int run_usage_store_list(struct mgr_db *db, const char *task_id, size_t limit,
			 run_usage_fn fn, void *arg, struct mgr_error *err);

#endif
