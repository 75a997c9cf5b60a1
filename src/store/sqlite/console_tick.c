/* console_tick_store.c - the console's cheap per-tick reads
 * (console_tick_store.h). */
#include "i18n.h"
#include "console_tick_store.h"
#include "sqlite/sqlite_int.h"

int
sqlite_store_console_task_stamp(struct mgr_db *db, int64_t *count, int64_t *newest,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* Each a subquery of its own: a bare count(*) is SQLite's page
	 * count (OP_Count), a bare max() of an indexed column one seek (a NULL
	 * max, no tasks, reads as 0);
	 * together in one SELECT they would be a scan. */
	if ((rc = db_prepare(db, "SELECT (SELECT count(*) FROM tasks), "
	    "(SELECT max(updated_at) FROM tasks)", &st, err)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_error(db, err, _("cannot read the tasks' count"));
	}
	*count = sqlite3_column_int64(st, 0);
	*newest = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	return 0;
}

#define RUN_LINE_COLUMNS "id, COALESCE(started_at, scheduled_at, 0), " \
	"task_id, status, attempt, started_at, ended_at, exit_code, signal, " \
	"COALESCE(error, output)"

/* Hands each row of st to fn; *n counts them. */
static int
run_lines(struct mgr_db *db, sqlite3_stmt *st, store_run_line_fn fn, void *arg,
	  size_t *n, struct mgr_error *err)
{
	struct store_run_line l;
	int rc;

	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.id = sqlite3_column_int64(st, 0);
		l.at = sqlite3_column_int64(st, 1);
		l.task_id = (const char *)sqlite3_column_text(st, 2);
		l.status = (const char *)sqlite3_column_text(st, 3);
		l.attempt = sqlite3_column_int(st, 4);
		l.started_at = sqlite3_column_int64(st, 5);
		l.ended_at = sqlite3_column_int64(st, 6);
		l.exit_code = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 7);
		l.signal = sqlite3_column_int(st, 8);
		l.text = (const char *)sqlite3_column_text(st, 9);
		fn(arg, &l);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err, _("cannot list runs"));
}

int
sqlite_store_console_runs_after(struct mgr_db *db, int64_t after_id, size_t limit,
			 store_run_line_fn fn, void *arg, size_t *n,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " RUN_LINE_COLUMNS " FROM runs "
	    "WHERE id > ?1 ORDER BY id DESC LIMIT ?2", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return run_lines(db, st, fn, arg, n, err);
}

int
sqlite_store_console_run_again(struct mgr_db *db, int64_t id, store_run_line_fn fn,
			void *arg, int *found, struct mgr_error *err)
{
	sqlite3_stmt *st;
	size_t n;
	int rc;

	if ((rc = db_prepare(db, "SELECT " RUN_LINE_COLUMNS " FROM runs "
	    "WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = run_lines(db, st, fn, arg, &n, err);
	*found = n > 0;
	return rc;
}
