/* notify.c - notifications owed (notify_store.h, schema 10): the table
 * notify_pending. */
#include "i18n.h"
#include "notify_store.h"
#include "sqlite/sqlite_int.h"
#include "util.h"

static void
bind_int64_or_null(sqlite3_stmt *st, int idx, int64_t v, int have)
{
	if (have)
		sqlite3_bind_int64(st, idx, v);
	else
		sqlite3_bind_null(st, idx);
}

int
sqlite_notify_store_add(struct mgr_db *db, const struct notify_rec *n,
			struct mgr_error *err)
{
	const struct run_rec *r = &n->run;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT OR REPLACE INTO notify_pending "
	    "(run_id, event, action, task_id, attempt, scheduled_at, started_at, "
	    "ended_at, status, exit_code, signal, output, error, starts) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", &st,
	    err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, n->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, n->action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, r->attempt);
	bind_int64_or_null(st, 6, r->scheduled_at, r->scheduled_at != 0);
	bind_int64_or_null(st, 7, r->started_at, r->started_at != 0);
	bind_int64_or_null(st, 8, r->ended_at, r->ended_at != 0);
	sqlite3_bind_text(st, 9, r->status, -1, SQLITE_STATIC);
	bind_int64_or_null(st, 10, r->exit_code, r->exit_code >= 0);
	bind_int64_or_null(st, 11, r->signal, r->signal > 0);
	db_bind_text_or_null(st, 12, r->output);
	db_bind_text_or_null(st, 13, r->error);
	sqlite3_bind_int(st, 14, n->starts);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err,
	    _("recording a notification owed"));
}

int
sqlite_notify_store_done(struct mgr_db *db, int64_t run_id,
			 const char *event, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "DELETE FROM notify_pending WHERE run_id = ?1 "
	    "AND event = ?2", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err,
	    _("forgetting a notification delivered"));
}

static void
notify_row(sqlite3_stmt *st, struct notify_rec *n)
{
	struct run_rec *r = &n->run;

	r->id = sqlite3_column_int64(st, 0);
	n->event = db_column_strdup(st, 1);
	n->action = db_column_strdup(st, 2);
	r->task_id = db_column_strdup(st, 3);
	r->attempt = sqlite3_column_int(st, 4);
	r->scheduled_at = sqlite3_column_int64(st, 5);
	r->started_at = sqlite3_column_int64(st, 6);
	r->ended_at = sqlite3_column_int64(st, 7);
	r->status = db_column_strdup(st, 8);
	r->exit_code = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 9);
	r->signal = sqlite3_column_int(st, 10);
	r->output = db_column_strdup(st, 11);
	r->error = db_column_strdup(st, 12);
	n->starts = sqlite3_column_int(st, 13);
}

static int
notify_list(struct mgr_db *db, notify_rec_fn fn, void *arg,
	    struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT run_id, event, action, task_id, "
	    "attempt, scheduled_at, started_at, ended_at, status, exit_code, "
	    "signal, output, error, starts FROM notify_pending ORDER BY run_id, "
	    "event", &st, err)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct notify_rec n = { 0 };
		notify_row(st, &n);
		fn(arg, &n);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err,
	    _("reading the notifications owed"));
}

/* Whether any is owed: a start with none takes no write lock. */
static int
notify_any(struct mgr_db *db, int *any, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT EXISTS (SELECT 1 FROM notify_pending)",
	    &st, err)) != 0)
		return rc;
	rc = sqlite3_step(st);
	*any = rc == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_error(db, err,
	    _("reading the notifications owed"));
}

int
sqlite_notify_store_restart(struct mgr_db *db, notify_rec_fn fn, void *arg,
			    struct mgr_error *err)
{
	int rc, any = 0;

	if ((rc = notify_any(db, &any, err)) != 0 || !any)
		return rc;
	if ((rc = db_begin(db, err)) != 0)
		return rc;
	if ((rc = db_exec(db, "UPDATE notify_pending SET starts = starts + 1",
	    err)) != 0 || (rc = notify_list(db, fn, arg, err)) != 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}
