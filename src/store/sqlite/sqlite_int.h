/* sqlite_int.h - the SQLite backend's own declarations, for the files of
 * src/store/sqlite only: nothing outside this folder sees an SQLite
 * type.  Each sqlite_X implements the public function X (ops.c). */
#ifndef MGR_SQLITE_INT_H
#define MGR_SQLITE_INT_H

#include <sqlite3.h>
#include "backend.h"

extern const struct store_ops sqlite_store_ops;

sqlite3 *db_handle(struct mgr_db *db);
/* A cached prepared statement, reset and with bindings cleared. Never
 * finalize it; the cache owns it. */
int db_prepare(struct mgr_db *db, const char *sql, sqlite3_stmt **st,
	       struct mgr_error *err);
int db_exec(struct mgr_db *db, const char *sql, struct mgr_error *err);
/* Fills err from SQLite's last error, with context; returns MGR_EDB. */
int db_error(struct mgr_db *db, struct mgr_error *err, const char *what);
/* One text column of task task_id: sql selects it by id (?1); no row is
 * MGR_ENOENT "no task" (tasks.c). */
int sqlite_task_text_get(struct mgr_db *db, const char *sql,
			 const char *task_id, char **text,
			 struct mgr_error *err);
/* Sets one text column of task task_id (sql: ?1 the id, ?2 the text, NULL
 * for NULL); no such task is MGR_ENOENT. */
int sqlite_task_text_set(struct mgr_db *db, const char *sql,
			 const char *task_id, const char *text,
			 struct mgr_error *err);
/* fn(arg, id, text) for each row of sql, a SELECT of a task's id and one
 * text column of it (tasks.c). */
int sqlite_each_task_text(struct mgr_db *db, const char *sql,
			  void (*fn)(void *arg, const char *id, const char *text),
			  void *arg, struct mgr_error *err);

/* Column helpers: a NULL column gives NULL / 0. */
char *db_column_strdup(sqlite3_stmt *st, int col);
int db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);

/* The connection (db.c). */
int sqlite_accepts(const char *where);
int sqlite_open(const char *path, int version, struct mgr_db **out,
		struct mgr_error *err);
void sqlite_close(struct mgr_db *db);
int sqlite_schema_latest(void);

/* The one-host lock: flock on "<db>.lock" (hostlock.c). */
int sqlite_host_lock(struct mgr_db *db, const char *kind,
		     struct db_host_lock **out, struct mgr_error *err);
void sqlite_host_unlock(struct db_host_lock *lock);
int sqlite_host_holder(struct mgr_db *db, int *pid, char *kind,
		       size_t kindsz);
int sqlite_host_lock_session(struct db_host_lock *lock);
int sqlite_host_lock_check(struct db_host_lock *lock, struct mgr_error *err);
int sqlite_host_lock_reopen(struct db_host_lock *lock, struct mgr_error *err);
int sqlite_host_lock_retake(struct db_host_lock *lock, struct mgr_error *err);
int sqlite_lost(struct mgr_db *db);
int sqlite_reconnect(struct mgr_db *db, struct mgr_error *err);

/* The change watch: inotify on "<db>-wal" (watch.c). */
struct db_watch *sqlite_watch_open(struct mgr_db *db);
int sqlite_watch_fd(const struct db_watch *w);
int sqlite_watch_drain(struct db_watch *w);
void sqlite_watch_close(struct db_watch *w);

/* The operations of store.h, db.h, control_store.h, snapshot_store.h. */
int sqlite_db_user_version(struct mgr_db *db, int *version,
			   struct mgr_error *err);
int sqlite_db_begin(struct mgr_db *db, struct mgr_error *err);
int sqlite_db_commit(struct mgr_db *db, struct mgr_error *err);
void sqlite_db_rollback(struct mgr_db *db);
int sqlite_db_read_begin(struct mgr_db *db, struct mgr_error *err);
void sqlite_db_read_end(struct mgr_db *db);
int64_t sqlite_db_data_version(struct mgr_db *db);
int64_t sqlite_db_change_mark(struct mgr_db *db);
void sqlite_db_release_memory(struct mgr_db *db);
void sqlite_db_cache_size(struct mgr_db *db, int kib);
void sqlite_db_io_counts(struct mgr_db *db, struct db_io_counts *out);
void sqlite_db_checkpoint_elsewhere(struct mgr_db *db, void (*due)(void *arg),
				    void *arg);
int sqlite_db_checkpoint(struct mgr_db *db, struct mgr_error *err);
int sqlite_db_integrity_check(struct mgr_db *db, int *ok, char **report,
			      struct mgr_error *err);
int sqlite_plugin_store_create(struct mgr_db *db, const struct plugin_rec *p,
			       struct mgr_error *err);
int sqlite_plugin_store_read(struct mgr_db *db, const char *id,
			     struct plugin_rec *out, struct mgr_error *err);
int sqlite_plugin_store_update(struct mgr_db *db, const struct plugin_rec *p,
			       struct mgr_error *err);
int sqlite_plugin_store_set_state(struct mgr_db *db, const char *id,
				  const char *state, const char *error,
				  struct mgr_error *err);
int sqlite_plugin_store_delete(struct mgr_db *db, const char *id,
			       struct mgr_error *err);
int sqlite_plugin_store_list(struct mgr_db *db, struct plugin_rec **out,
			     size_t *n, struct mgr_error *err);
int sqlite_plugin_state_get(struct mgr_db *db, const char *plugin,
			    const char *key, char **value,
			    struct mgr_error *err);
int sqlite_plugin_state_set(struct mgr_db *db, const char *plugin,
			    const char *key, const char *value,
			    struct mgr_error *err);
int sqlite_task_store_list_brief(struct mgr_db *db, struct task_rec **out,
				 size_t *n, struct mgr_error *err);
int sqlite_task_store_create(struct mgr_db *db, const struct task_rec *t,
			     const char *context,
			     struct mgr_error *err);
int sqlite_task_store_read(struct mgr_db *db, const char *id,
			   struct task_rec *out, struct mgr_error *err);
int sqlite_task_store_update(struct mgr_db *db, const struct task_rec *t,
			     struct mgr_error *err);
int sqlite_task_store_set_status(struct mgr_db *db, const char *id,
				 const char *status, int64_t last_run,
				 int64_t next_run, int64_t next_nominal,
				 struct mgr_error *err);
int sqlite_task_store_delete(struct mgr_db *db, const char *id,
			     struct mgr_error *err);
int sqlite_task_store_list(struct mgr_db *db, struct task_rec **out, size_t *n,
			   struct mgr_error *err);
int sqlite_task_store_each(struct mgr_db *db, task_row_fn fn, void *arg,
			   struct mgr_error *err);
int sqlite_task_store_list_by_plugin(struct mgr_db *db, const char *plugin_id,
				     struct task_rec **out, size_t *n,
				     struct mgr_error *err);
int sqlite_run_store_insert(struct mgr_db *db, struct run_rec *r,
			    struct mgr_error *err);
int sqlite_run_store_finish(struct mgr_db *db, const struct run_rec *r,
			    struct mgr_error *err);
void sqlite_run_store_record(struct mgr_db *db, struct run_rec *v, size_t n,
			     void (*warn)(void *arg, const char *msg),
			     void *arg);
int sqlite_run_store_end_running(struct mgr_db *db, struct run_rec *r,
				 struct mgr_error *err);
int sqlite_run_store_fire_recorded(struct mgr_db *db, const char *task_id,
				   int64_t scheduled_at, int *yes,
				   struct mgr_error *err);
int sqlite_run_store_fires_from(struct mgr_db *db, int64_t from,
				 run_fire_fn fn, void *arg,
				 struct mgr_error *err);
int sqlite_run_store_interrupt_running(struct mgr_db *db, int64_t now,
				       const char *why, struct run_rec **out,
				       size_t *n, struct mgr_error *err);
int sqlite_run_store_claimed(struct mgr_db *db, struct run_rec **out, size_t *n,
			     struct mgr_error *err);
int sqlite_run_store_list(struct mgr_db *db, const char *task_id,
			  int64_t after_id, size_t limit, struct run_rec **out,
			  size_t *n, struct mgr_error *err);
int sqlite_run_store_prune(struct mgr_db *db, int keep_per_task,
			   int64_t oldest_us, int64_t *pruned,
			   struct mgr_error *err);
int sqlite_event_store_add(struct mgr_db *db, const char *kind,
			   const char *subject, const char *message,
			   struct mgr_error *err);
int sqlite_event_store_list(struct mgr_db *db, const char *subject,
			    int64_t after_id, size_t limit,
			    struct event_rec **out, size_t *n,
			    struct mgr_error *err);
int sqlite_store_table_signature(struct mgr_db *db, enum store_table table,
				 int64_t sig[3], struct mgr_error *err);
int sqlite_store_console_tasks(struct mgr_db *db, int64_t updated_after,
			       store_task_row_fn fn, void *arg,
			       struct mgr_error *err);
int sqlite_store_console_runs(struct mgr_db *db, size_t limit,
			      store_run_line_fn fn, void *arg,
			      struct mgr_error *err);
/* The ids of task T's runs (T an SQL parameter such as "?1"): those
 * settled, by runs_settled, and the recent ones, from runs_settle's
 * bound on by the time-led key (migration 19).  Every reader of one
 * task's runs reads both parts: a run is in exactly one of them. */
#define SQLITE_TASK_RUN_IDS(T) "(SELECT id FROM runs_settled WHERE " \
	"task_id = " T " UNION ALL SELECT id FROM runs WHERE scheduled_at >= " \
	"(SELECT bound FROM runs_settle) AND task_id = " T ")"

/* The console's run lines (console.c, console_tick.c): the columns, and
 * a reader handing each row of a statement selecting them to fn. */
#define SQLITE_RUN_LINE_COLUMNS "id, COALESCE(started_at, scheduled_at, 0), " \
	"task_id, status, attempt, started_at, ended_at, exit_code, signal, " \
	"COALESCE(error, output)"
int sqlite_run_lines(struct mgr_db *db, sqlite3_stmt *st, store_run_line_fn fn,
		     void *arg, size_t *n, struct mgr_error *err);
int sqlite_store_console_counts(struct mgr_db *db, int64_t now,
				int *runs_per_min, int *running,
				struct mgr_error *err);
int sqlite_command_store_submit(struct mgr_db *db, const char *argv_json,
				int json, int client_pid, int64_t *id,
				struct mgr_error *err);
int sqlite_command_store_read(struct mgr_db *db, int64_t id,
			      struct command_rec *out, struct mgr_error *err);
int sqlite_command_store_claim_next(struct mgr_db *db, struct command_rec *out,
				    struct mgr_error *err);
int sqlite_command_store_claim(struct mgr_db *db, int64_t id,
			       struct mgr_error *err);
int sqlite_command_store_finish(struct mgr_db *db, int64_t id, int exit_status,
				const char *output, const char *error_output,
				struct mgr_error *err);
int sqlite_command_store_cancel(struct mgr_db *db, int64_t id,
				struct mgr_error *err);
int sqlite_command_store_abandon_running(struct mgr_db *db, const char *message,
					 int64_t *n, struct mgr_error *err);
int sqlite_command_store_prune(struct mgr_db *db, int64_t older_than_us,
			       int64_t *n, struct mgr_error *err);
int sqlite_host_store_set(struct mgr_db *db, int pid, const char *kind,
			  int64_t started_at, struct mgr_error *err);
int sqlite_host_store_clear(struct mgr_db *db, int pid, struct mgr_error *err);
int sqlite_host_store_get(struct mgr_db *db, int *pid, char **kind,
			  int64_t *started_at, int64_t *heartbeat_at,
			  struct mgr_error *err);
int sqlite_snapshot_store_insert(struct mgr_db *db, struct snapshot_rec *s,
				 struct mgr_error *err);
int sqlite_snapshot_store_read(struct mgr_db *db, int64_t id,
			       struct snapshot_rec *out, struct mgr_error *err);
int sqlite_snapshot_store_list(struct mgr_db *db, const char *plugin_id,
			       struct snapshot_rec **out, size_t *n,
			       struct mgr_error *err);
int sqlite_snapshot_store_delete(struct mgr_db *db, int64_t id,
				 struct mgr_error *err);
int sqlite_plugin_state_dump(struct mgr_db *db, const char *plugin, char **json,
			     struct mgr_error *err);
int sqlite_plugin_state_replace(struct mgr_db *db, const char *plugin,
				const char *json, struct mgr_error *err);
int sqlite_event_store_has_token(struct mgr_db *db, const char *kind,
				 const char *subject, const char *token);
int sqlite_fault_store_count_crashes(struct mgr_db *db, const char *plugin,
				     int64_t since_us, int *count,
				     struct mgr_error *err);

/* task_context_store.h */
int sqlite_task_context_store_get(struct mgr_db *db, const char *task_id,
				  char **json, struct mgr_error *err);
int sqlite_task_context_store_all(struct mgr_db *db, task_context_fn fn,
				  void *arg, struct mgr_error *err);
int sqlite_task_context_store_set(struct mgr_db *db, const char *task_id,
				  const char *json, struct mgr_error *err);
void sqlite_run_usage_store_record(struct mgr_db *db, const struct run_rec *v,
				   size_t n,
				   void (*warn)(void *arg, const char *msg),
				   void *arg);
int sqlite_run_usage_store_read(struct mgr_db *db, int64_t id,
				struct run_rec *out, struct mgr_error *err);
int sqlite_run_usage_store_find(struct mgr_db *db, const char *task_id,
				int64_t scheduled_at, int attempt, int64_t *id,
				struct mgr_error *err);
int sqlite_run_usage_store_list(struct mgr_db *db, const char *task_id,
				size_t limit, run_usage_fn fn, void *arg,
				struct mgr_error *err);

/* runlog_store.h */
int sqlite_runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
			    int64_t *scheduled_at, int *attempt,
			    struct mgr_error *err);
int sqlite_runlog_store_state(struct mgr_db *db, const char *task_id,
			      int64_t scheduled_at, int attempt, int *ended,
			      int64_t *run_id, struct mgr_error *err);
void sqlite_runlog_store_record(struct mgr_db *db, const struct run_rec *v,
				size_t n,
				void (*warn)(void *arg, const char *msg),
				void *arg);
int sqlite_runlog_store_inline(struct mgr_db *db, const char *task_id,
			       int64_t scheduled_at, int attempt, int *ended,
			       char **records, size_t *len,
			       struct mgr_error *err);
int sqlite_runlog_store_list(struct mgr_db *db, runlog_store_entry_fn fn,
			     void *arg, struct mgr_error *err);
int sqlite_runlog_store_drop(struct mgr_db *db, const int64_t *ids, size_t n,
			     struct mgr_error *err);
int sqlite_runlog_store_chunked(struct mgr_db *db);
int sqlite_runlog_store_chunk_put(struct mgr_db *db, const char *task_id,
				  int64_t scheduled_at, int attempt,
				  int64_t seq, const char *bytes, size_t len,
				  struct mgr_error *err);
int sqlite_runlog_store_chunk_next(struct mgr_db *db, const char *task_id,
				   int64_t scheduled_at, int attempt,
				   int64_t seq, int64_t *got, char **bytes,
				   size_t *len, struct mgr_error *err);
int sqlite_runlog_store_chunk_tail(struct mgr_db *db, const char *task_id,
				   int64_t scheduled_at, int attempt,
				   int64_t *next_seq, int64_t *stored,
				   struct mgr_error *err);

/* console_view_store.h */
int sqlite_store_console_run_count(struct mgr_db *db, const char *task_id,
				   int64_t *n, struct mgr_error *err);

/* retention_store.h */
int sqlite_retention_prune_old(struct mgr_db *db, int64_t oldest_us, int limit,
			       int *deleted, struct mgr_error *err);
int sqlite_retention_prune_task(struct mgr_db *db, const char *task_id,
				int keep, int limit, int *deleted,
				struct mgr_error *err);
int sqlite_retention_task_ids(struct mgr_db *db, const char *after, size_t max,
			      char ***ids, size_t *n, struct mgr_error *err);
int sqlite_retention_vacuum_step(struct mgr_db *db, int pages, int64_t *left,
				 struct mgr_error *err);

/* copy_store.h (copy.c) */
int sqlite_copy_store_read(struct mgr_db *db, const char *table,
			   const char *columns, unsigned blobs,
			   const struct copy_key *key, int64_t after,
			   size_t limit, copy_row_fn fn, void *arg, size_t *n,
			   struct mgr_error *err);
int sqlite_copy_store_insert(struct mgr_db *db, const char *table,
			 const char *columns, unsigned blobs, int ncols,
			 const char *const *values, size_t nrows,
			 struct mgr_error *err);
int sqlite_copy_store_finish(struct mgr_db *db, struct mgr_error *err);
/* task_hooks_store.h */
int sqlite_task_hooks_store_get(struct mgr_db *db, const char *task_id,
				char **json, struct mgr_error *err);
int sqlite_task_hooks_store_set(struct mgr_db *db, const char *task_id,
				const char *json, struct mgr_error *err);
int sqlite_task_hooks_store_list(struct mgr_db *db, task_hooks_fn fn, void *arg,
				 struct mgr_error *err);
int sqlite_task_hooks_store_last_final(struct mgr_db *db, const char *task_id,
				       int64_t before, char **status,
				       int64_t *ended_at,
				       struct mgr_error *err);
int sqlite_task_hooks_store_last_start(struct mgr_db *db, const char *task_id,
				       int64_t *at, struct mgr_error *err);

/* run_ids_store.h */
int sqlite_run_ids_store_reserve(struct mgr_db *db, int64_t count,
				 int64_t after, int64_t *first,
				 struct mgr_error *err);

/* command_input_store.h */
int sqlite_command_store_submit_input(struct mgr_db *db, const char *argv_json,
				      int json, int client_pid,
				      const char *input, size_t len,
				      int64_t *id, struct mgr_error *err);
int sqlite_command_store_input(struct mgr_db *db, int64_t id, char **input,
			       size_t *len, struct mgr_error *err);

/* metrics_store.h (metrics.c) */
int sqlite_metrics_store_runs(struct mgr_db *db, metrics_runs_fn fn, void *arg,
			      struct mgr_error *err);
int sqlite_metrics_store_lateness(struct mgr_db *db,
				  int64_t le[METRICS_LATENESS_N],
				  int64_t *count, double *sum,
				  struct mgr_error *err);

/* console_tick_store.h */
int sqlite_store_console_task_stamp(struct mgr_db *db, int64_t *count,
				    int64_t *newest, struct mgr_error *err);
int sqlite_store_console_runs_after(struct mgr_db *db, int64_t after_id,
				    size_t limit, store_run_line_fn fn,
				    void *arg, size_t *n,
				    struct mgr_error *err);
int sqlite_store_console_run_again(struct mgr_db *db, int64_t id,
				   store_run_line_fn fn, void *arg, int *found,
				   struct mgr_error *err);

/* notify_store.h */
int sqlite_notify_store_add(struct mgr_db *db, const struct notify_rec *n,
			    struct mgr_error *err);
int sqlite_notify_store_done(struct mgr_db *db, int64_t run_id,
			     const char *event, struct mgr_error *err);
int sqlite_notify_store_restart(struct mgr_db *db, notify_rec_fn fn, void *arg,
				struct mgr_error *err);

/* hosts.c (hosts_store.h) */
int sqlite_hosts_store_register(struct mgr_db *db, const struct host_reg *r,
		int64_t *epoch, struct mgr_error *err);
int sqlite_hosts_store_renew(struct mgr_db *db, const char *host_id,
    int64_t epoch, int64_t lease_us, int *fenced, int *draining,
    struct mgr_error *err);
int sqlite_hosts_store_reclaim(struct mgr_db *db, const char *host_id,
    int64_t epoch, int64_t lease_us, int lock_session, int *fenced,
    int *draining, struct mgr_error *err);
int sqlite_hosts_store_list(struct mgr_db *db, struct host_rec **out,
    size_t *n, struct mgr_error *err);
int sqlite_hosts_store_set_draining(struct mgr_db *db, const char *host_id,
    int draining, struct mgr_error *err);
int sqlite_hosts_store_leave(struct mgr_db *db, const char *host_id,
    int64_t epoch, struct mgr_error *err);
int sqlite_hosts_store_sweep(struct mgr_db *db, struct host_rec **out,
    size_t *n, struct mgr_error *err);
int sqlite_hosts_store_fence_holder(struct mgr_db *db, struct host_rec **out,
		size_t *n, struct mgr_error *err);

#endif
