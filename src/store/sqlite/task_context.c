/* task_context_store.c - tasks.context and the runs' resource usage
 * (schema 5): job control's statements, apart from the other tables'
 * files. */
#include "i18n.h"
#include "sqlite_int.h"
#include "task_context_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int
sqlite_task_context_store_get(struct mgr_db *db, const char *task_id, char **json,
			      struct mgr_error *err)
{
	return sqlite_task_text_get(db, "SELECT context FROM tasks WHERE id=?1",
	    task_id, json, err);
}

int
sqlite_task_context_store_all(struct mgr_db *db, task_context_fn fn,
			      void *arg, struct mgr_error *err)
{
	return sqlite_each_task_text(db, "SELECT id, context FROM tasks "
	    "WHERE context IS NOT NULL", fn, arg, err);
}

int
sqlite_task_context_store_set(struct mgr_db *db, const char *task_id,
			      const char *json, struct mgr_error *err)
{
	return sqlite_task_text_set(db, "UPDATE tasks SET context=?2 WHERE id=?1",
	    task_id, json, err);
}

static void
bind_usage(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(st, idx, v);
	else
		sqlite3_bind_null(st, idx);
}

void
sqlite_run_usage_store_record(struct mgr_db *db, const struct run_rec *v, size_t n,
		       void (*warn)(void *arg, const char *msg), void *arg)
{
	struct mgr_error err = { 0 };
	sqlite3_stmt *st;

	for (size_t i = 0; i < n; i++) {
		const struct run_rec *r = &v[i];
		if (r->user_us <= 0 && r->sys_us <= 0 && r->max_rss_kb <= 0)
			continue;
		if (db_prepare(db, "UPDATE runs SET user_us=?4, sys_us=?5, "
		    "max_rss_kb=?6 WHERE task_id=?1 AND scheduled_at=?2 AND "
		    "attempt=?3", &st, &err) != 0) {
			warn(arg, err.msg);
			return;
		}
		sqlite3_bind_text(st, 1, r->task_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, r->scheduled_at);
		sqlite3_bind_int(st, 3, r->attempt > 0 ? r->attempt : 1);
		bind_usage(st, 4, r->user_us);
		bind_usage(st, 5, r->sys_us);
		bind_usage(st, 6, r->max_rss_kb);
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_error(db, &err, r->task_id);
			warn(arg, err.msg);
		}
	}
}

int
sqlite_run_usage_store_read(struct mgr_db *db, int64_t id, struct run_rec *out,
			    struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = db_prepare(db, "SELECT id, task_id, attempt, scheduled_at, "
	    "started_at, ended_at, status, exit_code, signal, output, error, "
	    "user_us, sys_us, max_rss_kb FROM runs WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("no run %lld (pruned, or "
		    "its task was removed)"), (long long)id);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("runs"));
	out->id = sqlite3_column_int64(st, 0);
	out->task_id = db_column_strdup(st, 1);
	out->attempt = sqlite3_column_int(st, 2);
	out->scheduled_at = sqlite3_column_int64(st, 3);
	out->started_at = sqlite3_column_int64(st, 4);
	out->ended_at = sqlite3_column_int64(st, 5);
	out->status = db_column_strdup(st, 6);
	out->exit_code = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 7);
	out->signal = sqlite3_column_int(st, 8);
	out->output = db_column_strdup(st, 9);
	out->error = db_column_strdup(st, 10);
	out->user_us = sqlite3_column_int64(st, 11);
	out->sys_us = sqlite3_column_int64(st, 12);
	out->max_rss_kb = sqlite3_column_int64(st, 13);
	sqlite3_reset(st);
	return 0;
}

int
sqlite_run_usage_store_find(struct mgr_db *db, const char *task_id,
			    int64_t scheduled_at, int attempt, int64_t *id,
			    struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT id FROM runs WHERE task_id=?1 AND "
	    "scheduled_at=?2 AND (?3 <= 0 OR attempt=?3) ORDER BY attempt DESC "
	    "LIMIT 1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scheduled_at);
	sqlite3_bind_int(st, 3, attempt);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("task \"%s\": no run of "
		    "that time"), task_id);
	if (rc != SQLITE_ROW)
		return db_error(db, err, task_id);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}

static const char usage_task_sql[] = "SELECT id, user_us, sys_us, "
    "max_rss_kb FROM runs WHERE id IN " SQLITE_TASK_RUN_IDS("?1")
    " ORDER BY id DESC LIMIT ?2";
static const char usage_all_sql[] = "SELECT id, user_us, sys_us, "
    "max_rss_kb FROM runs ORDER BY id DESC LIMIT ?2";

int
sqlite_run_usage_store_list(struct mgr_db *db, const char *task_id, size_t limit,
			    run_usage_fn fn, void *arg, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* A task's runs by its index, as sqlite_run_store_list reads them. */
	if ((rc = db_prepare(db, task_id != NULL ? usage_task_sql :
	    usage_all_sql, &st, err)) != 0)
		return rc;
	if (task_id != NULL)
		sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		    sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("runs"));
	sqlite3_reset(st);
	return 0;
}
