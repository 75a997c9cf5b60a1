/* store.c - the store interface: opens a connection with the backend that
 * takes its path, and forwards every operation to that backend's table
 * (backend.h).  Nothing here knows a backend's types. */
#include "i18n.h"
#include "backend.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

extern const struct store_ops sqlite_store_ops;
extern const struct store_ops pg_store_ops;

/* The backends, asked in order; the last takes any path. */
static const struct store_ops *const backends[] = {
	&pg_store_ops,		/* a PostgreSQL URL or connection string */
	&sqlite_store_ops,
};

static const struct store_ops *
backend_for(const char *where)
{
	for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++)
		if (backends[i]->accepts(where))
			return backends[i];
	return NULL;
}

int
db_schema_latest(void)
{
	return sqlite_store_ops.schema_latest();
}

int
db_open_version(const char *path, int version, struct mgr_db **out,
		struct mgr_error *err)
{
	const struct store_ops *ops = backend_for(path);

	if (ops == NULL)
		return mgr_error_set(err, MGR_EINVAL,
		    _("%s: no store backend opens this"), path);
	return ops->open(path, version, out, err);
}

int
db_open(const char *path, struct mgr_db **out, struct mgr_error *err)
{
	return db_open_version(path, 0, out, err);
}

void
db_close(struct mgr_db *db)
{
	if (db != NULL)
		db->ops->close(db);
}

const char *
db_path(struct mgr_db *db)
{
	return db->path;
}

int
db_transaction(struct mgr_db *db, db_txn_fn fn, void *arg, struct mgr_error *err)
{
	int rc;

	if ((rc = db_begin(db, err)) != 0)
		return rc;
	if ((rc = fn(db, arg, err)) != 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}

struct db_watch *
db_watch_open(struct mgr_db *db)
{
	return db->ops->watch_open(db);
}

int
db_watch_fd(const struct db_watch *w)
{
	return w->ops->watch_fd(w);
}

int
db_watch_drain(struct db_watch *w)
{
	return w->ops->watch_drain(w);
}

void
db_watch_close(struct db_watch *w)
{
	if (w != NULL)
		w->ops->watch_close(w);
}

int
db_host_lock(struct mgr_db *db, const char *kind, struct db_host_lock **out,
	     struct mgr_error *err)
{
	return db->ops->host_lock(db, kind, out, err);
}

void
db_host_unlock(struct db_host_lock *lock)
{
	if (lock != NULL)
		lock->ops->host_unlock(lock);
}

int
db_host_lock_session(struct db_host_lock *lock)
{
	return lock->ops->host_lock_session(lock);
}

int
db_host_lock_check(struct db_host_lock *lock, struct mgr_error *err)
{
	return lock->ops->host_lock_check(lock, err);
}

int
db_host_lock_reopen(struct db_host_lock *lock, struct mgr_error *err)
{
	return lock->ops->host_lock_reopen(lock, err);
}

int
db_host_lock_retake(struct db_host_lock *lock, struct mgr_error *err)
{
	return lock->ops->host_lock_retake(lock, err);
}

int
db_lost(struct mgr_db *db)
{
	return db->ops->lost(db);
}

int
db_reconnect(struct mgr_db *db, struct mgr_error *err)
{
	return db->ops->reconnect(db, err);
}

int
db_host_holder(struct mgr_db *db, int *pid, char *kind, size_t kindsz)
{
	return db->ops->host_holder(db, pid, kind, kindsz);
}

/* ---- forwarded as they are ---- */

int
db_user_version(struct mgr_db *db, int *version, struct mgr_error *err)
{
	return db->ops->db_user_version(db, version, err);
}

int
db_begin(struct mgr_db *db, struct mgr_error *err)
{
	return db->ops->db_begin(db, err);
}

int
db_commit(struct mgr_db *db, struct mgr_error *err)
{
	return db->ops->db_commit(db, err);
}

void
db_rollback(struct mgr_db *db)
{
	db->ops->db_rollback(db);
}

int
db_read_begin(struct mgr_db *db, struct mgr_error *err)
{
	return db->ops->db_read_begin(db, err);
}

void
db_read_end(struct mgr_db *db)
{
	db->ops->db_read_end(db);
}

int64_t
db_data_version(struct mgr_db *db)
{
	return db->ops->db_data_version(db);
}

int64_t
db_change_mark(struct mgr_db *db)
{
	return db->ops->db_change_mark(db);
}

void
db_release_memory(struct mgr_db *db)
{
	db->ops->db_release_memory(db);
}

void
db_cache_size(struct mgr_db *db, int kib)
{
	db->ops->db_cache_size(db, kib);
}

void
db_io_counts(struct mgr_db *db, struct db_io_counts *out)
{
	db->ops->db_io_counts(db, out);
}

void
db_checkpoint_elsewhere(struct mgr_db *db, void (*due)(void *arg), void *arg)
{
	db->ops->db_checkpoint_elsewhere(db, due, arg);
}

int
db_checkpoint(struct mgr_db *db, struct mgr_error *err)
{
	return db->ops->db_checkpoint(db, err);
}




int
db_integrity_check(struct mgr_db *db, int *ok, char **report,
		   struct mgr_error *err)
{
	return db->ops->db_integrity_check(db, ok, report, err);
}

int
plugin_store_create(struct mgr_db *db, const struct plugin_rec *p,
		    struct mgr_error *err)
{
	return db->ops->plugin_store_create(db, p, err);
}

int
plugin_store_read(struct mgr_db *db, const char *id, struct plugin_rec *out,
		  struct mgr_error *err)
{
	return db->ops->plugin_store_read(db, id, out, err);
}

int
plugin_store_update(struct mgr_db *db, const struct plugin_rec *p,
		    struct mgr_error *err)
{
	return db->ops->plugin_store_update(db, p, err);
}

int
plugin_store_set_state(struct mgr_db *db, const char *id, const char *state,
		       const char *error, struct mgr_error *err)
{
	return db->ops->plugin_store_set_state(db, id, state, error, err);
}

int
plugin_store_delete(struct mgr_db *db, const char *id, struct mgr_error *err)
{
	return db->ops->plugin_store_delete(db, id, err);
}

int
plugin_store_list(struct mgr_db *db, struct plugin_rec **out, size_t *n,
		  struct mgr_error *err)
{
	return db->ops->plugin_store_list(db, out, n, err);
}

int
plugin_state_get(struct mgr_db *db, const char *plugin, const char *key,
		 char **value, struct mgr_error *err)
{
	return db->ops->plugin_state_get(db, plugin, key, value, err);
}

int
plugin_state_set(struct mgr_db *db, const char *plugin, const char *key,
		 const char *value, struct mgr_error *err)
{
	return db->ops->plugin_state_set(db, plugin, key, value, err);
}

void
db_on_task_write(struct mgr_db *db, void (*fn)(void *arg, const char *id),
		 void *arg)
{
	db->task_writing = fn;
	db->task_writing_arg = arg;
}

static void
task_writing(struct mgr_db *db, const char *id)
{
	if (db->task_writing != NULL && id != NULL)
		db->task_writing(db->task_writing_arg, id);
}

int
task_store_create(struct mgr_db *db, const struct task_rec *t,
		  struct mgr_error *err)
{
	return task_store_create_with_context(db, t, NULL, err);
}

int
task_store_create_with_context(struct mgr_db *db, const struct task_rec *t,
			       const char *context, struct mgr_error *err)
{
	task_writing(db, t->id);
	return db->ops->task_store_create(db, t, context, err);
}

int
task_store_read(struct mgr_db *db, const char *id, struct task_rec *out,
		struct mgr_error *err)
{
	return db->ops->task_store_read(db, id, out, err);
}

int
task_store_update(struct mgr_db *db, const struct task_rec *t,
		  struct mgr_error *err)
{
	task_writing(db, t->id);
	return db->ops->task_store_update(db, t, err);
}

int
task_store_set_status(struct mgr_db *db, const char *id, const char *status,
		      int64_t last_run, int64_t next_run, int64_t next_nominal,
		      struct mgr_error *err)
{
	return db->ops->task_store_set_status(db, id, status, last_run,
					      next_run, next_nominal, err);
}

int
task_store_delete(struct mgr_db *db, const char *id, struct mgr_error *err)
{
	task_writing(db, id);
	return db->ops->task_store_delete(db, id, err);
}

int
task_store_list(struct mgr_db *db, struct task_rec **out, size_t *n,
		struct mgr_error *err)
{
	return db->ops->task_store_list(db, out, n, err);
}

int
task_store_each(struct mgr_db *db, task_row_fn fn, void *arg,
		struct mgr_error *err)
{
	return db->ops->task_store_each(db, fn, arg, err);
}

int
task_store_list_brief(struct mgr_db *db, struct task_rec **out, size_t *n,
		      struct mgr_error *err)
{
	return db->ops->task_store_list_brief(db, out, n, err);
}

int
task_store_list_by_plugin(struct mgr_db *db, const char *plugin_id,
			  struct task_rec **out, size_t *n,
			  struct mgr_error *err)
{
	return db->ops->task_store_list_by_plugin(db, plugin_id, out, n, err);
}

int
run_store_insert(struct mgr_db *db, struct run_rec *r, struct mgr_error *err)
{
	return db->ops->run_store_insert(db, r, err);
}

int
run_store_finish(struct mgr_db *db, const struct run_rec *r,
		 struct mgr_error *err)
{
	return db->ops->run_store_finish(db, r, err);
}

void
run_store_record(struct mgr_db *db, struct run_rec *v, size_t n,
		 void (*warn)(void *arg, const char *msg), void *arg)
{
	db->ops->run_store_record(db, v, n, warn, arg);
}

int
run_store_end_running(struct mgr_db *db, struct run_rec *r,
		      struct mgr_error *err)
{
	return db->ops->run_store_end_running(db, r, err);
}

int
run_store_fire_recorded(struct mgr_db *db, const char *task_id,
			int64_t scheduled_at, int *yes, struct mgr_error *err)
{
	return db->ops->run_store_fire_recorded(db, task_id, scheduled_at, yes,
						err);
}

int
run_store_fires_from(struct mgr_db *db, int64_t from, run_fire_fn fn,
		     void *arg, struct mgr_error *err)
{
	return db->ops->run_store_fires_from(db, from, fn, arg, err);
}

int
run_store_interrupt_running(struct mgr_db *db, int64_t now, const char *why,
			    struct run_rec **out, size_t *n,
			    struct mgr_error *err)
{
	return db->ops->run_store_interrupt_running(db, now, why, out, n, err);
}

int
run_store_claimed(struct mgr_db *db, struct run_rec **out, size_t *n,
		  struct mgr_error *err)
{
	return db->ops->run_store_claimed(db, out, n, err);
}

int
run_store_list(struct mgr_db *db, const char *task_id, int64_t after_id,
	       size_t limit, struct run_rec **out, size_t *n,
	       struct mgr_error *err)
{
	return db->ops->run_store_list(db, task_id, after_id, limit, out, n,
				       err);
}

int
run_store_prune(struct mgr_db *db, int keep_per_task, int64_t oldest_us,
		int64_t *pruned, struct mgr_error *err)
{
	return db->ops->run_store_prune(db, keep_per_task, oldest_us, pruned,
					err);
}

int
event_store_add(struct mgr_db *db, const char *kind, const char *subject,
		const char *message, struct mgr_error *err)
{
	return db->ops->event_store_add(db, kind, subject, message, err);
}

int
event_store_list(struct mgr_db *db, const char *subject, int64_t after_id,
		 size_t limit, struct event_rec **out, size_t *n,
		 struct mgr_error *err)
{
	return db->ops->event_store_list(db, subject, after_id, limit, out, n,
					 err);
}

int
store_table_signature(struct mgr_db *db, enum store_table table, int64_t sig[3],
		      struct mgr_error *err)
{
	return db->ops->store_table_signature(db, table, sig, err);
}

int
store_console_tasks(struct mgr_db *db, int64_t updated_after,
		    store_task_row_fn fn, void *arg, struct mgr_error *err)
{
	return db->ops->store_console_tasks(db, updated_after, fn, arg, err);
}

int
store_console_runs(struct mgr_db *db, size_t limit, store_run_line_fn fn,
		   void *arg, struct mgr_error *err)
{
	return db->ops->store_console_runs(db, limit, fn, arg, err);
}

int
store_console_counts(struct mgr_db *db, int64_t now, int *runs_per_min,
		     int *running, struct mgr_error *err)
{
	return db->ops->store_console_counts(db, now, runs_per_min, running,
					     err);
}

int
command_store_submit(struct mgr_db *db, const char *argv_json, int json,
		     int client_pid, int64_t *id, struct mgr_error *err)
{
	return db->ops->command_store_submit(db, argv_json, json, client_pid,
					     id, err);
}

int
command_store_read(struct mgr_db *db, int64_t id, struct command_rec *out,
		   struct mgr_error *err)
{
	return db->ops->command_store_read(db, id, out, err);
}

int
command_store_claim_next(struct mgr_db *db, struct command_rec *out,
			 struct mgr_error *err)
{
	return db->ops->command_store_claim_next(db, out, err);
}

int
command_store_claim(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	return db->ops->command_store_claim(db, id, err);
}

int
command_store_finish(struct mgr_db *db, int64_t id, int exit_status,
		     const char *output, const char *error_output,
		     struct mgr_error *err)
{
	return db->ops->command_store_finish(db, id, exit_status, output,
					     error_output, err);
}

int
command_store_cancel(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	return db->ops->command_store_cancel(db, id, err);
}

int
command_store_abandon_running(struct mgr_db *db, const char *message,
			      int64_t *n, struct mgr_error *err)
{
	return db->ops->command_store_abandon_running(db, message, n, err);
}

int
command_store_prune(struct mgr_db *db, int64_t older_than_us, int64_t *n,
		    struct mgr_error *err)
{
	return db->ops->command_store_prune(db, older_than_us, n, err);
}

int
host_store_set(struct mgr_db *db, int pid, const char *kind, int64_t started_at,
	       struct mgr_error *err)
{
	return db->ops->host_store_set(db, pid, kind, started_at, err);
}

int
host_store_clear(struct mgr_db *db, int pid, struct mgr_error *err)
{
	return db->ops->host_store_clear(db, pid, err);
}

int
host_store_get(struct mgr_db *db, int *pid, char **kind, int64_t *started_at,
	       int64_t *heartbeat_at, struct mgr_error *err)
{
	return db->ops->host_store_get(db, pid, kind, started_at, heartbeat_at,
				       err);
}

int
snapshot_store_insert(struct mgr_db *db, struct snapshot_rec *s,
		      struct mgr_error *err)
{
	return db->ops->snapshot_store_insert(db, s, err);
}

int
snapshot_store_read(struct mgr_db *db, int64_t id, struct snapshot_rec *out,
		    struct mgr_error *err)
{
	return db->ops->snapshot_store_read(db, id, out, err);
}

int
snapshot_store_list(struct mgr_db *db, const char *plugin_id,
		    struct snapshot_rec **out, size_t *n, struct mgr_error *err)
{
	return db->ops->snapshot_store_list(db, plugin_id, out, n, err);
}

int
snapshot_store_delete(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	return db->ops->snapshot_store_delete(db, id, err);
}

int
plugin_state_dump(struct mgr_db *db, const char *plugin, char **json,
		  struct mgr_error *err)
{
	return db->ops->plugin_state_dump(db, plugin, json, err);
}

int
plugin_state_replace(struct mgr_db *db, const char *plugin, const char *json,
		     struct mgr_error *err)
{
	return db->ops->plugin_state_replace(db, plugin, json, err);
}

int
event_store_has_token(struct mgr_db *db, const char *kind, const char *subject,
		      const char *token)
{
	return db->ops->event_store_has_token(db, kind, subject, token);
}

int
fault_store_count_crashes(struct mgr_db *db, const char *plugin,
			  int64_t since_us, int *count, struct mgr_error *err)
{
	return db->ops->fault_store_count_crashes(db, plugin, since_us, count,
						  err);
}

/* task_context_store.h */

int
task_context_store_get(struct mgr_db *db, const char *task_id, char **json,
		       struct mgr_error *err)
{
	return db->ops->task_context_store_get(db, task_id, json, err);
}

int
task_context_store_all(struct mgr_db *db, task_context_fn fn, void *arg,
		       struct mgr_error *err)
{
	return db->ops->task_context_store_all(db, fn, arg, err);
}

int
task_context_store_set(struct mgr_db *db, const char *task_id, const char *json,
		       struct mgr_error *err)
{
	return db->ops->task_context_store_set(db, task_id, json, err);
}

void
run_usage_store_record(struct mgr_db *db, const struct run_rec *v, size_t n,
		       void (*warn)(void *arg, const char *msg), void *arg)
{
	db->ops->run_usage_store_record(db, v, n, warn, arg);
}

int
run_usage_store_read(struct mgr_db *db, int64_t id, struct run_rec *out,
		     struct mgr_error *err)
{
	return db->ops->run_usage_store_read(db, id, out, err);
}

int
run_usage_store_find(struct mgr_db *db, const char *task_id,
		     int64_t scheduled_at, int attempt, int64_t *id,
		     struct mgr_error *err)
{
	return db->ops->run_usage_store_find(db, task_id, scheduled_at, attempt,
					     id, err);
}

int
run_usage_store_list(struct mgr_db *db, const char *task_id, size_t limit,
		     run_usage_fn fn, void *arg, struct mgr_error *err)
{
	return db->ops->run_usage_store_list(db, task_id, limit, fn, arg, err);
}

/* runlog_store.h */

int
runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
		 int64_t *scheduled_at, int *attempt, struct mgr_error *err)
{
	return db->ops->runlog_store_key(db, run_id, task_id, scheduled_at,
					 attempt, err);
}

int
runlog_store_state(struct mgr_db *db, const char *task_id, int64_t scheduled_at,
		   int attempt, int *ended, int64_t *run_id,
		   struct mgr_error *err)
{
	return db->ops->runlog_store_state(db, task_id, scheduled_at, attempt,
					   ended, run_id, err);
}

void
runlog_store_record(struct mgr_db *db, const struct run_rec *v, size_t n,
		    void (*warn)(void *arg, const char *msg), void *arg)
{
	db->ops->runlog_store_record(db, v, n, warn, arg);
}

int
runlog_store_inline(struct mgr_db *db, const char *task_id,
		    int64_t scheduled_at, int attempt, int *ended,
		    char **records, size_t *len, struct mgr_error *err)
{
	return db->ops->runlog_store_inline(db, task_id, scheduled_at, attempt,
					    ended, records, len, err);
}

int
runlog_store_list(struct mgr_db *db, runlog_store_entry_fn fn, void *arg,
		  struct mgr_error *err)
{
	return db->ops->runlog_store_list(db, fn, arg, err);
}

int
runlog_store_drop(struct mgr_db *db, const int64_t *ids, size_t n,
		  struct mgr_error *err)
{
	return db->ops->runlog_store_drop(db, ids, n, err);
}

int
runlog_store_chunked(struct mgr_db *db)
{
	return db->ops->runlog_store_chunked(db);
}

int
runlog_store_chunk_put(struct mgr_db *db, const char *task_id,
		       int64_t scheduled_at, int attempt, int64_t seq,
		       const char *bytes, size_t len, struct mgr_error *err)
{
	return db->ops->runlog_store_chunk_put(db, task_id, scheduled_at,
	    attempt, seq, bytes, len, err);
}

int
runlog_store_chunk_next(struct mgr_db *db, const char *task_id,
			int64_t scheduled_at, int attempt, int64_t seq,
			int64_t *got, char **bytes, size_t *len,
			struct mgr_error *err)
{
	*bytes = NULL;
	*len = 0;
	return db->ops->runlog_store_chunk_next(db, task_id, scheduled_at,
	    attempt, seq, got, bytes, len, err);
}

int
runlog_store_chunk_tail(struct mgr_db *db, const char *task_id,
			int64_t scheduled_at, int attempt, int64_t *next_seq,
			int64_t *stored, struct mgr_error *err)
{
	return db->ops->runlog_store_chunk_tail(db, task_id, scheduled_at,
	    attempt, next_seq, stored, err);
}

/* console_view_store.h */

int
store_console_run_count(struct mgr_db *db, const char *task_id, int64_t *n,
			struct mgr_error *err)
{
	return db->ops->store_console_run_count(db, task_id, n, err);
}

/* retention_store.h */

int
retention_prune_old(struct mgr_db *db, int64_t oldest_us, int limit,
		    int *deleted, struct mgr_error *err)
{
	return db->ops->retention_prune_old(db, oldest_us, limit, deleted, err);
}

int
retention_prune_task(struct mgr_db *db, const char *task_id, int keep,
		     int limit, int *deleted, struct mgr_error *err)
{
	return db->ops->retention_prune_task(db, task_id, keep, limit, deleted,
					     err);
}

int
retention_task_ids(struct mgr_db *db, const char *after, size_t max,
		   char ***ids, size_t *n, struct mgr_error *err)
{
	return db->ops->retention_task_ids(db, after, max, ids, n, err);
}

int
retention_vacuum_step(struct mgr_db *db, int pages, int64_t *left,
		      struct mgr_error *err)
{
	return db->ops->retention_vacuum_step(db, pages, left, err);
}

/* copy_store.h */

int
copy_store_read(struct mgr_db *db, const char *table, const char *columns,
		unsigned blobs, const struct copy_key *key, int64_t after,
		size_t limit, copy_row_fn fn, void *arg, size_t *n,
		struct mgr_error *err)
{
	return db->ops->copy_store_read(db, table, columns, blobs, key, after,
	    limit, fn, arg, n, err);
}

int
copy_store_insert(struct mgr_db *db, const char *table, const char *columns,
		  unsigned blobs, int ncols, const char *const *values,
		  size_t nrows, struct mgr_error *err)
{
	return db->ops->copy_store_insert(db, table, columns, blobs, ncols,
	    values, nrows, err);
}

int
copy_store_finish(struct mgr_db *db, struct mgr_error *err)
{
	return db->ops->copy_store_finish(db, err);
}

/* task_hooks_store.h */

int
task_hooks_store_get(struct mgr_db *db, const char *task_id, char **json,
		     struct mgr_error *err)
{
	return db->ops->task_hooks_store_get(db, task_id, json, err);
}

int
task_hooks_store_set(struct mgr_db *db, const char *task_id, const char *json,
		     struct mgr_error *err)
{
	return db->ops->task_hooks_store_set(db, task_id, json, err);
}

int
task_hooks_store_list(struct mgr_db *db, task_hooks_fn fn, void *arg,
		      struct mgr_error *err)
{
	return db->ops->task_hooks_store_list(db, fn, arg, err);
}

int
task_hooks_store_last_final(struct mgr_db *db, const char *task_id,
			    int64_t before, char **status, int64_t *ended_at,
			    struct mgr_error *err)
{
	return db->ops->task_hooks_store_last_final(db, task_id, before, status,
						    ended_at, err);
}

int
task_hooks_store_last_start(struct mgr_db *db, const char *task_id, int64_t *at,
			    struct mgr_error *err)
{
	return db->ops->task_hooks_store_last_start(db, task_id, at, err);
}

/* run_ids_store.h */

int
run_ids_store_reserve(struct mgr_db *db, int64_t count, int64_t after,
		      int64_t *first, struct mgr_error *err)
{
	return db->ops->run_ids_store_reserve(db, count, after, first, err);
}

/* command_input_store.h */

int
command_store_submit_input(struct mgr_db *db, const char *argv_json, int json,
			   int client_pid, const char *input, size_t len,
			   int64_t *id, struct mgr_error *err)
{
	return db->ops->command_store_submit_input(db, argv_json, json,
						   client_pid, input, len, id,
						   err);
}

int
command_store_input(struct mgr_db *db, int64_t id, char **input, size_t *len,
		    struct mgr_error *err)
{
	return db->ops->command_store_input(db, id, input, len, err);
}

/* metrics_store.h */

const double METRICS_LATENESS_BOUNDS[METRICS_LATENESS_N] = { 0.005, 0.01,
	0.05, 0.1, 0.5, 1, 5, 10, 60, 300 };

int
metrics_store_runs(struct mgr_db *db, metrics_runs_fn fn, void *arg,
		   struct mgr_error *err)
{
	return db->ops->metrics_store_runs(db, fn, arg, err);
}

int
metrics_store_lateness(struct mgr_db *db, int64_t le[METRICS_LATENESS_N],
		       int64_t *count, double *sum, struct mgr_error *err)
{
	return db->ops->metrics_store_lateness(db, le, count, sum, err);
}

/* console_tick_store.h */

int
store_console_task_stamp(struct mgr_db *db, int64_t *count, int64_t *newest,
			 struct mgr_error *err)
{
	return db->ops->store_console_task_stamp(db, count, newest, err);
}

int
store_console_runs_after(struct mgr_db *db, int64_t after_id, size_t limit,
			 store_run_line_fn fn, void *arg, size_t *n,
			 struct mgr_error *err)
{
	return db->ops->store_console_runs_after(db, after_id, limit, fn, arg,
						 n, err);
}

int
store_console_run_again(struct mgr_db *db, int64_t id, store_run_line_fn fn,
			void *arg, int *found, struct mgr_error *err)
{
	return db->ops->store_console_run_again(db, id, fn, arg, found, err);
}

/* notify_store.h */

void
notify_rec_clear(struct notify_rec *n)
{
	run_rec_clear(&n->run);
	free(n->event);
	free(n->action);
	memset(n, 0, sizeof *n);
}

int
notify_store_add(struct mgr_db *db, const struct notify_rec *n,
		 struct mgr_error *err)
{
	return db->ops->notify_store_add(db, n, err);
}

int
notify_store_done(struct mgr_db *db, int64_t run_id, const char *event,
		  struct mgr_error *err)
{
	return db->ops->notify_store_done(db, run_id, event, err);
}

int
notify_store_restart(struct mgr_db *db, notify_rec_fn fn, void *arg,
		     struct mgr_error *err)
{
	return db->ops->notify_store_restart(db, fn, arg, err);
}

/* hosts_store.h */

void
host_rec_free_all(struct host_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].host_id);
		free(v[i].state);
		free(v[i].version);
		free(v[i].labels);
	}
	free(v);
}

int
hosts_store_register(struct mgr_db *db, const struct host_reg *r,
		     int64_t *epoch, struct mgr_error *err)
{
	struct host_reg with = *r;

	if (with.labels == NULL)
		with.labels = "[]";
	return db->ops->hosts_store_register(db, &with, epoch, err);
}

int
hosts_store_renew(struct mgr_db *db, const char *host_id, int64_t epoch,
		  int64_t lease_us, int *fenced, int *draining,
		  struct mgr_error *err)
{
	int d = 0;

	return db->ops->hosts_store_renew(db, host_id, epoch, lease_us, fenced,
	    draining != NULL ? draining : &d, err);
}

int
hosts_store_reclaim(struct mgr_db *db, const char *host_id, int64_t epoch,
		    int64_t lease_us, int lock_session, int *fenced,
		    int *draining, struct mgr_error *err)
{
	return db->ops->hosts_store_reclaim(db, host_id, epoch, lease_us,
	    lock_session, fenced, draining, err);
}

int
hosts_store_list(struct mgr_db *db, struct host_rec **out, size_t *n,
		 struct mgr_error *err)
{
	return db->ops->hosts_store_list(db, out, n, err);
}

int
hosts_store_set_draining(struct mgr_db *db, const char *host_id, int draining,
			 struct mgr_error *err)
{
	return db->ops->hosts_store_set_draining(db, host_id, draining, err);
}

int
hosts_store_leave(struct mgr_db *db, const char *host_id, int64_t epoch,
		  struct mgr_error *err)
{
	return db->ops->hosts_store_leave(db, host_id, epoch, err);
}

int
hosts_store_sweep(struct mgr_db *db, struct host_rec **out, size_t *n,
		  struct mgr_error *err)
{
	return db->ops->hosts_store_sweep(db, out, n, err);
}

int
hosts_store_fence_holder(struct mgr_db *db, struct host_rec **out, size_t *n,
			 struct mgr_error *err)
{
	*out = NULL;
	*n = 0;
	return db->ops->hosts_store_fence_holder(db, out, n, err);
}
