/* pg_int.h - the PostgreSQL backend's own declarations, for the files of
 * src/store/pg only: nothing outside this folder sees a libpq type.  Each
 * pg_X implements the public function X (ops.c).
 *
 * Statements go through pg_run with text parameters (struct pg_params),
 * synchronously, as the SQLite backend's do; the asynchronous part is the
 * change watch (watch.c), a LISTEN on its own connection whose socket the
 * loop watches.  Times are bigint Unix microseconds, as in SQLite, so
 * every row reads back exactly as it was written.
 */
#ifndef MGR_PG_INT_H
#define MGR_PG_INT_H

#include <libpq-fe.h>
#include "pq_fns.h"
#include "backend.h"

extern const struct store_ops pg_store_ops;

/* The channel the change triggers notify (watch.c listens). */
#define PG_CHANGE_CHANNEL "manager_change"

PGconn *pg_conn(struct mgr_db *db);

/* Up to PG_MAX_PARAMS text parameters: $1, $2, ... in the order added. */
#define PG_MAX_PARAMS 24
struct pg_params {
	int n;
	const char *v[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};
void pg_text(struct pg_params *p, const char *s);	/* NULL: SQL NULL */
void pg_int(struct pg_params *p, int64_t v);
void pg_time(struct pg_params *p, int64_t us);		/* 0: SQL NULL */
/* v, or SQL NULL when !present (an exit code < 0, a signal 0). */
void pg_int_or_null(struct pg_params *p, int64_t v, int present);
/* A run's key, the three next parameters: task_id, scheduled_at,
 * attempt (the runs' unique key, which also names a run's log). */
void pg_run_key(struct pg_params *p, const char *task_id,
		int64_t scheduled_at, int attempt);

/* Runs sql with p (NULL: none).  0 with *res set (the caller PQclears
 * it; res NULL: cleared here) when it succeeded; otherwise err says why
 * and names `what`: MGR_EEXIST for a unique key, MGR_EINVAL for another
 * constraint, MGR_EDB for the rest. */
int pg_run(struct mgr_db *db, const char *sql, const struct pg_params *p,
	   PGresult **res, const char *what, struct mgr_error *err);
/* pg_run of sql whose parameters are a run's key alone ($1 task_id, $2
 * scheduled_at, $3 attempt: pg_run_key), *res set as pg_run's. */
int pg_run_by_key(struct mgr_db *db, const char *sql, const char *task_id,
		  int64_t scheduled_at, int attempt, PGresult **res,
		  const char *what, struct mgr_error *err);
/* bytea's input form of len bytes: \x and two hex digits a byte
 * (malloc'd; command_input.c). */
char *pg_bytea_hex(const char *b, size_t len);
/* Rows a command changed (PQcmdTuples). */
int64_t pg_changed(PGresult *res);
/* Deletes from table the rows whose ids select_ids (with p) returns, in
 * a second statement run only when there are some (a delete of none
 * would still fire the change trigger); *n the rows deleted. */
int pg_delete_found(struct mgr_db *db, const char *table,
		    const char *select_ids, const struct pg_params *p,
		    int64_t *n, const char *what, struct mgr_error *err);

/* One text column of a task, as the SQLite backend's sqlite_task_text_get,
 * _set and sqlite_each_task_text ($1 the id, $2 the text; tasks.c). */
int pg_task_text_get(struct mgr_db *db, const char *sql, const char *task_id,
		     char **text, struct mgr_error *err);
int pg_task_text_set(struct mgr_db *db, const char *sql, const char *task_id,
		     const char *text, struct mgr_error *err);
int pg_each_task_text(struct mgr_db *db, const char *sql,
		      void (*fn)(void *arg, const char *id, const char *text),
		      void *arg, struct mgr_error *err);

/* Cell helpers: NULL gives NULL / 0 / dflt. */
char *pg_strdup(PGresult *res, int row, int col);
const char *pg_str(PGresult *res, int row, int col);
int64_t pg_i64(PGresult *res, int row, int col);
int pg_int_or(PGresult *res, int row, int col, int dflt);

/* The connection (db.c). */
int pg_accepts(const char *where);
int pg_open(const char *where, int version, struct mgr_db **out,
	    struct mgr_error *err);
void pg_close(struct mgr_db *db);
int pg_lost(struct mgr_db *db);
int pg_reconnect(struct mgr_db *db, struct mgr_error *err);
int pg_schema_latest(void);
/* The database string without its password (malloc'd), for messages. */
char *pg_label(const char *where);
/* A new connection to the same database, for the watch and the lock. */
PGconn *pg_connect(const char *where, struct mgr_error *err);
/* libpq's messages end in a newline, and may span lines: one line. */
void pg_trim_newlines(struct mgr_error *err);

/* The one-host lock: a session advisory lock (hostlock.c). */
int pg_host_lock(struct mgr_db *db, const char *kind,
		 struct db_host_lock **out, struct mgr_error *err);
void pg_host_unlock(struct db_host_lock *lock);
/* The one-host lock's two keys: "mgrh" and "lock" in ASCII; and the
 * condition on pg_locks (alias l) that finds its granted holder in this
 * database. */
#define PG_LOCK_K1 "1835493992"
#define PG_LOCK_K2 "1819239275"
#define PG_LOCK_HELD "l.locktype = 'advisory' AND l.granted AND " \
	"l.classid = " PG_LOCK_K1 " AND l.objid = " PG_LOCK_K2 " AND " \
	"l.objsubid = 2 AND l.database = (SELECT oid FROM pg_database " \
	"WHERE datname = current_database())"
/* The server's clock in Unix microseconds. */
#define PG_NOW_US "(extract(epoch FROM now()) * 1000000)::bigint"
int pg_host_holder(struct mgr_db *db, int *pid, char *kind, size_t kindsz);
int pg_host_lock_session(struct db_host_lock *lock);
int pg_host_lock_check(struct db_host_lock *lock, struct mgr_error *err);
int pg_host_lock_reopen(struct db_host_lock *lock, struct mgr_error *err);
int pg_host_lock_retake(struct db_host_lock *lock, struct mgr_error *err);

/* The change watch: LISTEN on its own connection (watch.c). */
struct db_watch *pg_watch_open(struct mgr_db *db);
int pg_watch_fd(const struct db_watch *w);
int pg_watch_drain(struct db_watch *w);
void pg_watch_close(struct db_watch *w);

/* db.h */
int pg_db_user_version(struct mgr_db *db, int *version, struct mgr_error *err);
int pg_db_begin(struct mgr_db *db, struct mgr_error *err);
int pg_db_commit(struct mgr_db *db, struct mgr_error *err);
void pg_db_rollback(struct mgr_db *db);
int pg_db_read_begin(struct mgr_db *db, struct mgr_error *err);
void pg_db_read_end(struct mgr_db *db);
int64_t pg_db_data_version(struct mgr_db *db);
void pg_db_release_memory(struct mgr_db *db);
void pg_db_cache_size(struct mgr_db *db, int kib);
void pg_db_io_counts(struct mgr_db *db, struct db_io_counts *out);
void pg_db_checkpoint_elsewhere(struct mgr_db *db, void (*due)(void *arg),
				void *arg);
int pg_db_checkpoint(struct mgr_db *db, struct mgr_error *err);
int pg_db_integrity_check(struct mgr_db *db, int *ok, char **report,
			  struct mgr_error *err);

/* store.h: plugins (plugins.c) */
int pg_plugin_store_create(struct mgr_db *db, const struct plugin_rec *p,
			   struct mgr_error *err);
int pg_plugin_store_read(struct mgr_db *db, const char *id,
			 struct plugin_rec *out, struct mgr_error *err);
int pg_plugin_store_update(struct mgr_db *db, const struct plugin_rec *p,
			   struct mgr_error *err);
int pg_plugin_store_set_state(struct mgr_db *db, const char *id,
			      const char *state, const char *error,
			      struct mgr_error *err);
int pg_plugin_store_delete(struct mgr_db *db, const char *id,
			   struct mgr_error *err);
int pg_plugin_store_list(struct mgr_db *db, struct plugin_rec **out,
			 size_t *n, struct mgr_error *err);
int pg_plugin_state_get(struct mgr_db *db, const char *plugin,
			const char *key, char **value, struct mgr_error *err);
int pg_plugin_state_set(struct mgr_db *db, const char *plugin,
			const char *key, const char *value,
			struct mgr_error *err);
int pg_plugin_state_dump(struct mgr_db *db, const char *plugin, char **json,
			 struct mgr_error *err);
int pg_plugin_state_replace(struct mgr_db *db, const char *plugin,
			    const char *json, struct mgr_error *err);

/* store.h: tasks (tasks.c) */
int pg_task_store_list_brief(struct mgr_db *db, struct task_rec **out,
			     size_t *n, struct mgr_error *err);
int pg_task_store_create(struct mgr_db *db, const struct task_rec *t,
			 const char *context,
			 struct mgr_error *err);
int pg_task_store_read(struct mgr_db *db, const char *id,
		       struct task_rec *out, struct mgr_error *err);
int pg_task_store_update(struct mgr_db *db, const struct task_rec *t,
			 struct mgr_error *err);
int pg_task_store_set_status(struct mgr_db *db, const char *id,
			     const char *status, int64_t last_run,
			     int64_t next_run, int64_t next_nominal,
			     struct mgr_error *err);
int pg_task_store_delete(struct mgr_db *db, const char *id,
			 struct mgr_error *err);
int pg_task_store_list(struct mgr_db *db, struct task_rec **out, size_t *n,
		       struct mgr_error *err);
int pg_task_store_each(struct mgr_db *db, task_row_fn fn, void *arg,
		       struct mgr_error *err);
int pg_task_store_list_by_plugin(struct mgr_db *db, const char *plugin_id,
				 struct task_rec **out, size_t *n,
				 struct mgr_error *err);

/* store.h: runs and events (runs.c) */
int pg_run_store_insert(struct mgr_db *db, struct run_rec *r,
			struct mgr_error *err);
int pg_run_store_finish(struct mgr_db *db, const struct run_rec *r,
			struct mgr_error *err);
void pg_run_store_record(struct mgr_db *db, struct run_rec *v, size_t n,
			 void (*warn)(void *arg, const char *msg), void *arg);
int pg_run_store_end_running(struct mgr_db *db, struct run_rec *r,
			     struct mgr_error *err);
int pg_run_store_fire_recorded(struct mgr_db *db, const char *task_id,
			       int64_t scheduled_at, int *yes,
			       struct mgr_error *err);
int pg_run_store_fires_from(struct mgr_db *db, int64_t from,
			     run_fire_fn fn, void *arg, struct mgr_error *err);
int pg_run_store_interrupt_running(struct mgr_db *db, int64_t now,
				   const char *why, struct run_rec **out,
				   size_t *n, struct mgr_error *err);
int pg_run_store_claimed(struct mgr_db *db, struct run_rec **out, size_t *n,
			 struct mgr_error *err);
int pg_run_store_list(struct mgr_db *db, const char *task_id,
		      int64_t after_id, size_t limit, struct run_rec **out,
		      size_t *n, struct mgr_error *err);
int pg_run_store_prune(struct mgr_db *db, int keep_per_task,
		       int64_t oldest_us, int64_t *pruned,
		       struct mgr_error *err);
int pg_event_store_add(struct mgr_db *db, const char *kind,
		       const char *subject, const char *message,
		       struct mgr_error *err);
int pg_event_store_list(struct mgr_db *db, const char *subject,
			int64_t after_id, size_t limit, struct event_rec **out,
			size_t *n, struct mgr_error *err);
int pg_event_store_has_token(struct mgr_db *db, const char *kind,
			     const char *subject, const char *token);
int pg_fault_store_count_crashes(struct mgr_db *db, const char *plugin,
				 int64_t since_us, int *count,
				 struct mgr_error *err);

/* store.h: the console's reads (console.c, console_view.c) */
#define PG_RUN_LINE_COLUMNS "id, COALESCE(started_at, scheduled_at, 0), " \
	"task_id, status, attempt, started_at, ended_at, exit_code, signal, " \
	"COALESCE(error, output)"
/* Hands each row of res (PG_RUN_LINE_COLUMNS) to fn, frees res; the
 * number of rows. */
size_t pg_run_lines(PGresult *res, store_run_line_fn fn, void *arg);
/* console_tick_store.h (console_tick.c) */
int pg_store_console_task_stamp(struct mgr_db *db, int64_t *count,
				int64_t *newest, struct mgr_error *err);
int pg_store_console_runs_after(struct mgr_db *db, int64_t after_id,
				size_t limit, store_run_line_fn fn, void *arg,
				size_t *n, struct mgr_error *err);
int pg_store_console_run_again(struct mgr_db *db, int64_t id,
			       store_run_line_fn fn, void *arg, int *found,
			       struct mgr_error *err);
int pg_store_table_signature(struct mgr_db *db, enum store_table table,
			     int64_t sig[3], struct mgr_error *err);
int pg_store_console_tasks(struct mgr_db *db, int64_t updated_after,
			   store_task_row_fn fn, void *arg,
			   struct mgr_error *err);
int pg_store_console_runs(struct mgr_db *db, size_t limit,
			  store_run_line_fn fn, void *arg,
			  struct mgr_error *err);
int pg_store_console_counts(struct mgr_db *db, int64_t now,
			    int *runs_per_min, int *running,
			    struct mgr_error *err);
int pg_store_console_run_count(struct mgr_db *db, const char *task_id,
			       int64_t *n, struct mgr_error *err);

/* control_store.h (control.c) */
int pg_command_store_submit(struct mgr_db *db, const char *argv_json,
			    int json, int client_pid, int64_t *id,
			    struct mgr_error *err);
int pg_command_store_read(struct mgr_db *db, int64_t id,
			  struct command_rec *out, struct mgr_error *err);
int pg_command_store_claim_next(struct mgr_db *db, struct command_rec *out,
				struct mgr_error *err);
int pg_command_store_claim(struct mgr_db *db, int64_t id,
			   struct mgr_error *err);
int pg_command_store_finish(struct mgr_db *db, int64_t id, int exit_status,
			    const char *output, const char *error_output,
			    struct mgr_error *err);
int pg_command_store_cancel(struct mgr_db *db, int64_t id,
			    struct mgr_error *err);
int pg_command_store_abandon_running(struct mgr_db *db, const char *message,
				     int64_t *n, struct mgr_error *err);
int pg_command_store_prune(struct mgr_db *db, int64_t older_than_us,
			   int64_t *n, struct mgr_error *err);
int pg_host_store_set(struct mgr_db *db, int pid, const char *kind,
		      int64_t started_at, struct mgr_error *err);
int pg_host_store_clear(struct mgr_db *db, int pid, struct mgr_error *err);
int pg_host_store_get(struct mgr_db *db, int *pid, char **kind,
		      int64_t *started_at, int64_t *heartbeat_at,
		      struct mgr_error *err);

/* snapshot_store.h (snapshots.c) */
int pg_snapshot_store_insert(struct mgr_db *db, struct snapshot_rec *s,
			     struct mgr_error *err);
int pg_snapshot_store_read(struct mgr_db *db, int64_t id,
			   struct snapshot_rec *out, struct mgr_error *err);
int pg_snapshot_store_list(struct mgr_db *db, const char *plugin_id,
			   struct snapshot_rec **out, size_t *n,
			   struct mgr_error *err);
int pg_snapshot_store_delete(struct mgr_db *db, int64_t id,
			     struct mgr_error *err);

/* task_context_store.h (task_context.c) */
int pg_task_context_store_get(struct mgr_db *db, const char *task_id,
			      char **json, struct mgr_error *err);
int pg_task_context_store_all(struct mgr_db *db, task_context_fn fn,
			      void *arg, struct mgr_error *err);
int pg_task_context_store_set(struct mgr_db *db, const char *task_id,
			      const char *json, struct mgr_error *err);
void pg_run_usage_store_record(struct mgr_db *db, const struct run_rec *v,
			       size_t n,
			       void (*warn)(void *arg, const char *msg),
			       void *arg);
int pg_run_usage_store_read(struct mgr_db *db, int64_t id,
			    struct run_rec *out, struct mgr_error *err);
int pg_run_usage_store_find(struct mgr_db *db, const char *task_id,
			    int64_t scheduled_at, int attempt, int64_t *id,
			    struct mgr_error *err);
int pg_run_usage_store_list(struct mgr_db *db, const char *task_id,
			    size_t limit, run_usage_fn fn, void *arg,
			    struct mgr_error *err);

/* runlog_store.h (runlog.c) */
int pg_runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
			int64_t *scheduled_at, int *attempt,
			struct mgr_error *err);
int pg_runlog_store_state(struct mgr_db *db, const char *task_id,
			  int64_t scheduled_at, int attempt, int *ended,
			  int64_t *run_id, struct mgr_error *err);
void pg_runlog_store_record(struct mgr_db *db, const struct run_rec *v,
			    size_t n, void (*warn)(void *arg, const char *msg),
			    void *arg);
int pg_runlog_store_inline(struct mgr_db *db, const char *task_id,
			   int64_t scheduled_at, int attempt, int *ended,
			   char **records, size_t *len, struct mgr_error *err);
int pg_runlog_store_list(struct mgr_db *db, runlog_store_entry_fn fn,
			 void *arg, struct mgr_error *err);
int pg_runlog_store_drop(struct mgr_db *db, const int64_t *ids, size_t n,
			 struct mgr_error *err);
int pg_runlog_store_chunked(struct mgr_db *db);
int pg_runlog_store_chunk_put(struct mgr_db *db, const char *task_id,
			      int64_t scheduled_at, int attempt, int64_t seq,
			      const char *bytes, size_t len,
			      struct mgr_error *err);
int pg_runlog_store_chunk_next(struct mgr_db *db, const char *task_id,
			       int64_t scheduled_at, int attempt, int64_t seq,
			       int64_t *got, char **bytes, size_t *len,
			       struct mgr_error *err);
int pg_runlog_store_chunk_tail(struct mgr_db *db, const char *task_id,
			       int64_t scheduled_at, int attempt,
			       int64_t *next_seq, int64_t *stored,
			       struct mgr_error *err);

/* retention_store.h (retention.c) */
int pg_retention_prune_old(struct mgr_db *db, int64_t oldest_us, int limit,
			   int *deleted, struct mgr_error *err);
int pg_retention_prune_task(struct mgr_db *db, const char *task_id, int keep,
			    int limit, int *deleted, struct mgr_error *err);
int pg_retention_task_ids(struct mgr_db *db, const char *after, size_t max,
			  char ***ids, size_t *n, struct mgr_error *err);
int pg_retention_vacuum_step(struct mgr_db *db, int pages, int64_t *left,
			     struct mgr_error *err);

/* copy_store.h (copy.c) */
int pg_copy_store_read(struct mgr_db *db, const char *table,
		       const char *columns, unsigned blobs,
		       const struct copy_key *key, int64_t after, size_t limit,
		       copy_row_fn fn, void *arg, size_t *n,
		       struct mgr_error *err);
int pg_copy_store_insert(struct mgr_db *db, const char *table,
			 const char *columns, unsigned blobs, int ncols,
			 const char *const *values, size_t nrows,
			 struct mgr_error *err);
int pg_copy_store_finish(struct mgr_db *db, struct mgr_error *err);

/* task_hooks_store.h (task_hooks.c) */
int pg_task_hooks_store_get(struct mgr_db *db, const char *task_id,
			    char **json, struct mgr_error *err);
int pg_task_hooks_store_set(struct mgr_db *db, const char *task_id,
			    const char *json, struct mgr_error *err);
int pg_task_hooks_store_list(struct mgr_db *db, task_hooks_fn fn, void *arg,
			     struct mgr_error *err);
int pg_task_hooks_store_last_final(struct mgr_db *db, const char *task_id,
				   int64_t before, char **status,
				   int64_t *ended_at, struct mgr_error *err);
int pg_task_hooks_store_last_start(struct mgr_db *db, const char *task_id,
				   int64_t *at, struct mgr_error *err);

/* run_ids_store.h (run_ids.c) */
int pg_run_ids_store_reserve(struct mgr_db *db, int64_t count, int64_t after,
			     int64_t *first, struct mgr_error *err);

/* command_input_store.h (command_input.c) */
int pg_command_store_submit_input(struct mgr_db *db, const char *argv_json,
				  int json, int client_pid, const char *input,
				  size_t len, int64_t *id,
				  struct mgr_error *err);
int pg_command_store_input(struct mgr_db *db, int64_t id, char **input,
			   size_t *len, struct mgr_error *err);

/* metrics_store.h (metrics.c) */
int pg_metrics_store_runs(struct mgr_db *db, metrics_runs_fn fn, void *arg,
			  struct mgr_error *err);
int pg_metrics_store_lateness(struct mgr_db *db,
			      int64_t le[METRICS_LATENESS_N], int64_t *count,
			      double *sum, struct mgr_error *err);

/* notify_store.h (notify.c) */
int pg_notify_store_add(struct mgr_db *db, const struct notify_rec *n,
			struct mgr_error *err);
int pg_notify_store_done(struct mgr_db *db, int64_t run_id, const char *event,
			 struct mgr_error *err);
int pg_notify_store_restart(struct mgr_db *db, notify_rec_fn fn, void *arg,
			    struct mgr_error *err);

/* hosts.c (hosts_store.h) */
int pg_hosts_store_register(struct mgr_db *db, const struct host_reg *r,
		int64_t *epoch, struct mgr_error *err);
int pg_hosts_store_renew(struct mgr_db *db, const char *host_id,
    int64_t epoch, int64_t lease_us, int *fenced, int *draining,
    struct mgr_error *err);
int pg_hosts_store_reclaim(struct mgr_db *db, const char *host_id,
    int64_t epoch, int64_t lease_us, int lock_session, int *fenced,
    int *draining, struct mgr_error *err);
int pg_hosts_store_list(struct mgr_db *db, struct host_rec **out,
    size_t *n, struct mgr_error *err);
int pg_hosts_store_set_draining(struct mgr_db *db, const char *host_id,
    int draining, struct mgr_error *err);
int pg_hosts_store_leave(struct mgr_db *db, const char *host_id,
    int64_t epoch, struct mgr_error *err);
int pg_hosts_store_sweep(struct mgr_db *db, struct host_rec **out,
    size_t *n, struct mgr_error *err);
int pg_hosts_store_fence_holder(struct mgr_db *db, struct host_rec **out,
		size_t *n, struct mgr_error *err);

#endif
