/* backend.h - what a store backend implements: one table of operations
 * (struct store_ops) behind every function of db.h, store.h,
 * control_store.h and snapshot_store.h.  store.c forwards each public
 * function to the table of the connection it is given, so a second
 * backend is a new folder beside src/store/sqlite that fills this table;
 * nothing else in the program changes.  For the files of src/store only.
 */
#ifndef MGR_STORE_BACKEND_H
#define MGR_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include "console_view_store.h"
#include "control_store.h"
#include "copy_store.h"
#include "db.h"
#include "hosts_store.h"
#include "notify_store.h"
#include "console_tick_store.h"
#include "command_input_store.h"
#include "metrics_store.h"
#include "run_ids_store.h"
#include "task_hooks_store.h"
#include "retention_store.h"
#include "runlog_store.h"
#include "snapshot_store.h"
#include "store.h"
#include "task_context_store.h"

/* Every connection, watch and lock starts with its backend's table; a
 * backend's own type embeds these first and casts. */
struct mgr_db {
	const struct store_ops *ops;
	char *path;		/* what it was opened with: a file or a URL */
	/* Told before this handle creates, changes or deletes a task row
	 * (db_on_task_write); NULL when nobody listens. */
	void (*task_writing)(void *arg, const char *id);
	void *task_writing_arg;
};
struct db_watch {
	const struct store_ops *ops;
};
struct db_host_lock {
	const struct store_ops *ops;
};

struct store_ops {
	const char *name;	/* "sqlite" */
	int (*schema_latest)(void);	/* the version this build writes */
	/* Whether this backend opens `where` (a path, or a URL it knows). */
	int (*accepts)(const char *where);
	/* Opens, creating and migrating up to `version` (0: the latest). */
	int (*open)(const char *where, int version, struct mgr_db **out,
	    struct mgr_error *err);
	void (*close)(struct mgr_db *db);
	/* The one-host lock and the change watch (db.h). */
	int (*host_lock)(struct mgr_db *db, const char *kind,
	    struct db_host_lock **out, struct mgr_error *err);
	void (*host_unlock)(struct db_host_lock *lock);
	int (*host_holder)(struct mgr_db *db, int *pid, char *kind,
	    size_t kindsz);
	/* The server's pid of the lock's session (0: none, on a file). */
	int (*host_lock_session)(struct db_host_lock *lock);
	/* 0 while the lock is still held; MGR_EDB when its session ended. */
	int (*host_lock_check)(struct db_host_lock *lock,
	    struct mgr_error *err);
	int (*host_lock_reopen)(struct db_host_lock *lock,
	    struct mgr_error *err);
	int (*host_lock_retake)(struct db_host_lock *lock,
	    struct mgr_error *err);
	/* db.h: db_lost, db_reconnect */
	int (*lost)(struct mgr_db *db);
	int (*reconnect)(struct mgr_db *db, struct mgr_error *err);
	struct db_watch *(*watch_open)(struct mgr_db *db);
	int (*watch_fd)(const struct db_watch *w);
	int (*watch_drain)(struct db_watch *w);
	void (*watch_close)(struct db_watch *w);
	/* The rest: each public function of the same name. */
	int (*db_user_version)(struct mgr_db *db, int *version,
	    struct mgr_error *err);
	int (*db_begin)(struct mgr_db *db, struct mgr_error *err);
	int (*db_commit)(struct mgr_db *db, struct mgr_error *err);
	void (*db_rollback)(struct mgr_db *db);
	int (*db_read_begin)(struct mgr_db *db, struct mgr_error *err);
	void (*db_read_end)(struct mgr_db *db);
	int64_t (*db_data_version)(struct mgr_db *db);
	int64_t (*db_change_mark)(struct mgr_db *db);
	void (*db_release_memory)(struct mgr_db *db);
	void (*db_cache_size)(struct mgr_db *db, int kib);
	void (*db_io_counts)(struct mgr_db *db, struct db_io_counts *out);
	void (*db_checkpoint_elsewhere)(struct mgr_db *db,
	    void (*due)(void *arg), void *arg);
	int (*db_checkpoint)(struct mgr_db *db, struct mgr_error *err);
	int (*db_integrity_check)(struct mgr_db *db, int *ok, char **report,
	    struct mgr_error *err);
	int (*plugin_store_create)(struct mgr_db *db,
	    const struct plugin_rec *p, struct mgr_error *err);
	int (*plugin_store_read)(struct mgr_db *db, const char *id,
	    struct plugin_rec *out, struct mgr_error *err);
	int (*plugin_store_update)(struct mgr_db *db,
	    const struct plugin_rec *p, struct mgr_error *err);
	int (*plugin_store_set_state)(struct mgr_db *db, const char *id,
	    const char *state, const char *error, struct mgr_error *err);
	int (*plugin_store_delete)(struct mgr_db *db, const char *id,
	    struct mgr_error *err);
	int (*plugin_store_list)(struct mgr_db *db, struct plugin_rec **out,
	    size_t *n, struct mgr_error *err);
	int (*plugin_state_get)(struct mgr_db *db, const char *plugin,
	    const char *key, char **value, struct mgr_error *err);
	int (*plugin_state_set)(struct mgr_db *db, const char *plugin,
	    const char *key, const char *value, struct mgr_error *err);
	int (*task_store_create)(struct mgr_db *db, const struct task_rec *t,
	    const char *context, struct mgr_error *err);
	int (*task_store_read)(struct mgr_db *db, const char *id,
	    struct task_rec *out, struct mgr_error *err);
	int (*task_store_update)(struct mgr_db *db, const struct task_rec *t,
	    struct mgr_error *err);
	int (*task_store_set_status)(struct mgr_db *db, const char *id,
	    const char *status, int64_t last_run, int64_t next_run,
	    int64_t next_nominal, struct mgr_error *err);
	int (*task_store_delete)(struct mgr_db *db, const char *id,
	    struct mgr_error *err);
	int (*task_store_list)(struct mgr_db *db, struct task_rec **out,
	    size_t *n, struct mgr_error *err);
	int (*task_store_each)(struct mgr_db *db, task_row_fn fn, void *arg,
	    struct mgr_error *err);
	int (*task_store_list_brief)(struct mgr_db *db, struct task_rec **out,
	    size_t *n, struct mgr_error *err);
	int (*task_store_list_by_plugin)(struct mgr_db *db,
	    const char *plugin_id, struct task_rec **out, size_t *n,
	    struct mgr_error *err);
	int (*run_store_insert)(struct mgr_db *db, struct run_rec *r,
	    struct mgr_error *err);
	int (*run_store_finish)(struct mgr_db *db, const struct run_rec *r,
	    struct mgr_error *err);
	void (*run_store_record)(struct mgr_db *db, struct run_rec *v, size_t n,
	    void (*warn)(void *arg, const char *msg), void *arg);
	int (*run_store_end_running)(struct mgr_db *db, struct run_rec *r,
	    struct mgr_error *err);
	int (*run_store_fire_recorded)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int *yes, struct mgr_error *err);
	int (*run_store_fires_from)(struct mgr_db *db, int64_t from,
	    run_fire_fn fn, void *arg, struct mgr_error *err);
	int (*run_store_interrupt_running)(struct mgr_db *db, int64_t now,
	    const char *why, struct run_rec **out, size_t *n,
	    struct mgr_error *err);
	int (*run_store_claimed)(struct mgr_db *db, struct run_rec **out,
	    size_t *n, struct mgr_error *err);
	int (*run_store_list)(struct mgr_db *db, const char *task_id,
	    int64_t after_id, size_t limit, struct run_rec **out, size_t *n,
	    struct mgr_error *err);
	int (*run_store_prune)(struct mgr_db *db, int keep_per_task,
	    int64_t oldest_us, int64_t *pruned, struct mgr_error *err);
	int (*event_store_add)(struct mgr_db *db, const char *kind,
	    const char *subject, const char *message, struct mgr_error *err);
	int (*event_store_list)(struct mgr_db *db, const char *subject,
	    int64_t after_id, size_t limit, struct event_rec **out, size_t *n,
	    struct mgr_error *err);
	int (*store_table_signature)(struct mgr_db *db, enum store_table table,
	    int64_t sig[3], struct mgr_error *err);
	int (*store_console_tasks)(struct mgr_db *db, int64_t updated_after,
	    store_task_row_fn fn, void *arg, struct mgr_error *err);
	int (*store_console_runs)(struct mgr_db *db, size_t limit,
	    store_run_line_fn fn, void *arg, struct mgr_error *err);
	int (*store_console_counts)(struct mgr_db *db, int64_t now,
	    int *runs_per_min, int *running, struct mgr_error *err);
	int (*command_store_submit)(struct mgr_db *db, const char *argv_json,
	    int json, int client_pid, int64_t *id, struct mgr_error *err);
	int (*command_store_read)(struct mgr_db *db, int64_t id,
	    struct command_rec *out, struct mgr_error *err);
	int (*command_store_claim_next)(struct mgr_db *db,
	    struct command_rec *out, struct mgr_error *err);
	int (*command_store_claim)(struct mgr_db *db, int64_t id,
	    struct mgr_error *err);
	int (*command_store_finish)(struct mgr_db *db, int64_t id,
	    int exit_status, const char *output, const char *error_output,
	    struct mgr_error *err);
	int (*command_store_cancel)(struct mgr_db *db, int64_t id,
	    struct mgr_error *err);
	int (*command_store_abandon_running)(struct mgr_db *db,
	    const char *message, int64_t *n, struct mgr_error *err);
	int (*command_store_prune)(struct mgr_db *db, int64_t older_than_us,
	    int64_t *n, struct mgr_error *err);
	int (*host_store_set)(struct mgr_db *db, int pid, const char *kind,
	    int64_t started_at, struct mgr_error *err);
	int (*host_store_clear)(struct mgr_db *db, int pid,
	    struct mgr_error *err);
	int (*host_store_get)(struct mgr_db *db, int *pid, char **kind,
	    int64_t *started_at, int64_t *heartbeat_at, struct mgr_error *err);
	int (*snapshot_store_insert)(struct mgr_db *db, struct snapshot_rec *s,
	    struct mgr_error *err);
	int (*snapshot_store_read)(struct mgr_db *db, int64_t id,
	    struct snapshot_rec *out, struct mgr_error *err);
	int (*snapshot_store_list)(struct mgr_db *db, const char *plugin_id,
	    struct snapshot_rec **out, size_t *n, struct mgr_error *err);
	int (*snapshot_store_delete)(struct mgr_db *db, int64_t id,
	    struct mgr_error *err);
	int (*plugin_state_dump)(struct mgr_db *db, const char *plugin,
	    char **json, struct mgr_error *err);
	int (*plugin_state_replace)(struct mgr_db *db, const char *plugin,
	    const char *json, struct mgr_error *err);
	int (*event_store_has_token)(struct mgr_db *db, const char *kind,
	    const char *subject, const char *token);
	int (*fault_store_count_crashes)(struct mgr_db *db, const char *plugin,
	    int64_t since_us, int *count, struct mgr_error *err);
	/* task_context_store.h */
	int (*task_context_store_get)(struct mgr_db *db, const char *task_id,
	    char **json, struct mgr_error *err);
	int (*task_context_store_all)(struct mgr_db *db, task_context_fn fn,
				      void *arg, struct mgr_error *err);
	int (*task_context_store_set)(struct mgr_db *db, const char *task_id,
	    const char *json, struct mgr_error *err);
	void (*run_usage_store_record)(struct mgr_db *db,
	    const struct run_rec *v, size_t n,
	    void (*warn)(void *arg, const char *msg), void *arg);
	int (*run_usage_store_read)(struct mgr_db *db, int64_t id,
	    struct run_rec *out, struct mgr_error *err);
	int (*run_usage_store_find)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int attempt, int64_t *id,
	    struct mgr_error *err);
	int (*run_usage_store_list)(struct mgr_db *db, const char *task_id,
	    size_t limit, run_usage_fn fn, void *arg, struct mgr_error *err);
	/* runlog_store.h */
	int (*runlog_store_key)(struct mgr_db *db, int64_t run_id,
	    char **task_id, int64_t *scheduled_at, int *attempt,
	    struct mgr_error *err);
	int (*runlog_store_state)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int attempt, int *ended, int64_t *run_id,
	    struct mgr_error *err);
	void (*runlog_store_record)(struct mgr_db *db, const struct run_rec *v,
	    size_t n, void (*warn)(void *arg, const char *msg), void *arg);
	int (*runlog_store_inline)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int attempt, int *ended, char **records,
	    size_t *len, struct mgr_error *err);
	int (*runlog_store_list)(struct mgr_db *db, runlog_store_entry_fn fn,
	    void *arg, struct mgr_error *err);
	int (*runlog_store_drop)(struct mgr_db *db, const int64_t *ids,
	    size_t n, struct mgr_error *err);
	/* A backend that keeps large logs as files (SQLite) says 0 here
	 * and fails the chunk operations, naming its database. */
	int (*runlog_store_chunked)(struct mgr_db *db);
	int (*runlog_store_chunk_put)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int attempt, int64_t seq, const char *bytes,
	    size_t len, struct mgr_error *err);
	int (*runlog_store_chunk_next)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int attempt, int64_t seq, int64_t *got,
	    char **bytes, size_t *len, struct mgr_error *err);
	int (*runlog_store_chunk_tail)(struct mgr_db *db, const char *task_id,
	    int64_t scheduled_at, int attempt, int64_t *next_seq,
	    int64_t *stored, struct mgr_error *err);
	/* console_view_store.h */
	int (*store_console_run_count)(struct mgr_db *db, const char *task_id,
	    int64_t *n, struct mgr_error *err);
	/* retention_store.h */
	int (*retention_prune_old)(struct mgr_db *db, int64_t oldest_us,
	    int limit, int *deleted, struct mgr_error *err);
	int (*retention_prune_task)(struct mgr_db *db, const char *task_id,
	    int keep, int limit, int *deleted, struct mgr_error *err);
	int (*retention_task_ids)(struct mgr_db *db, const char *after,
	    size_t max, char ***ids, size_t *n, struct mgr_error *err);
	int (*retention_vacuum_step)(struct mgr_db *db, int pages,
	    int64_t *left, struct mgr_error *err);
	/* copy_store.h */
	int (*copy_store_read)(struct mgr_db *db, const char *table,
	    const char *columns, unsigned blobs, const struct copy_key *key,
	    int64_t after, size_t limit, copy_row_fn fn, void *arg, size_t *n,
	    struct mgr_error *err);
	int (*copy_store_insert)(struct mgr_db *db, const char *table,
	    const char *columns, unsigned blobs, int ncols,
	    const char *const *values, size_t nrows, struct mgr_error *err);
	int (*copy_store_finish)(struct mgr_db *db, struct mgr_error *err);
	/* task_hooks_store.h */
	int (*task_hooks_store_get)(struct mgr_db *db, const char *task_id,
	    char **json, struct mgr_error *err);
	int (*task_hooks_store_set)(struct mgr_db *db, const char *task_id,
	    const char *json, struct mgr_error *err);
	int (*task_hooks_store_list)(struct mgr_db *db, task_hooks_fn fn,
	    void *arg, struct mgr_error *err);
	int (*task_hooks_store_last_final)(struct mgr_db *db,
	    const char *task_id, int64_t before, char **status,
	    int64_t *ended_at, struct mgr_error *err);
	int (*task_hooks_store_last_start)(struct mgr_db *db,
	    const char *task_id, int64_t *at, struct mgr_error *err);
	/* run_ids_store.h */
	int (*run_ids_store_reserve)(struct mgr_db *db, int64_t count,
	    int64_t after, int64_t *first, struct mgr_error *err);
	/* command_input_store.h */
	int (*command_store_submit_input)(struct mgr_db *db,
	    const char *argv_json, int json, int client_pid, const char *input,
	    size_t len, int64_t *id, struct mgr_error *err);
	int (*command_store_input)(struct mgr_db *db, int64_t id, char **input,
	    size_t *len, struct mgr_error *err);
	/* metrics_store.h */
	int (*metrics_store_runs)(struct mgr_db *db, metrics_runs_fn fn,
	    void *arg, struct mgr_error *err);
	int (*metrics_store_lateness)(struct mgr_db *db,
	    int64_t le[METRICS_LATENESS_N], int64_t *count, double *sum,
	    struct mgr_error *err);
	/* console_tick_store.h */
	int (*store_console_task_stamp)(struct mgr_db *db, int64_t *count,
	    int64_t *newest, struct mgr_error *err);
	int (*store_console_runs_after)(struct mgr_db *db, int64_t after_id,
	    size_t limit, store_run_line_fn fn, void *arg, size_t *n,
	    struct mgr_error *err);
	int (*store_console_run_again)(struct mgr_db *db, int64_t id,
	    store_run_line_fn fn, void *arg, int *found, struct mgr_error *err);
	/* notify_store.h */
	int (*notify_store_add)(struct mgr_db *db, const struct notify_rec *n,
	    struct mgr_error *err);
	int (*notify_store_done)(struct mgr_db *db, int64_t run_id,
	    const char *event, struct mgr_error *err);
	int (*notify_store_restart)(struct mgr_db *db, notify_rec_fn fn,
	    void *arg, struct mgr_error *err);
	/* hosts_store.h */
	int (*hosts_store_register)(struct mgr_db *db,
	    const struct host_reg *r, int64_t *epoch, struct mgr_error *err);
	int (*hosts_store_renew)(struct mgr_db *db, const char *host_id,
	    int64_t epoch, int64_t lease_us, int *fenced, int *draining,
	    struct mgr_error *err);
	int (*hosts_store_reclaim)(struct mgr_db *db, const char *host_id,
	    int64_t epoch, int64_t lease_us, int lock_session, int *fenced,
	    int *draining, struct mgr_error *err);
	int (*hosts_store_list)(struct mgr_db *db, struct host_rec **out,
	    size_t *n, struct mgr_error *err);
	int (*hosts_store_set_draining)(struct mgr_db *db, const char *host_id,
	    int draining, struct mgr_error *err);
	int (*hosts_store_leave)(struct mgr_db *db, const char *host_id,
	    int64_t epoch, struct mgr_error *err);
	int (*hosts_store_sweep)(struct mgr_db *db, struct host_rec **out,
	    size_t *n, struct mgr_error *err);
	int (*hosts_store_fence_holder)(struct mgr_db *db,
	    struct host_rec **out, size_t *n, struct mgr_error *err);
};

#endif
