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

int
sqlite_store_console_runs_after(struct mgr_db *db, int64_t after_id, size_t limit,
			 store_run_line_fn fn, void *arg, size_t *n,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " SQLITE_RUN_LINE_COLUMNS " FROM runs "
	    "WHERE id > ?1 ORDER BY id DESC LIMIT ?2", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, after_id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	return sqlite_run_lines(db, st, fn, arg, n, err);
}

int
sqlite_store_console_run_again(struct mgr_db *db, int64_t id, store_run_line_fn fn,
			void *arg, int *found, struct mgr_error *err)
{
	sqlite3_stmt *st;
	size_t n;
	int rc;

	if ((rc = db_prepare(db, "SELECT " SQLITE_RUN_LINE_COLUMNS " FROM runs "
	    "WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite_run_lines(db, st, fn, arg, &n, err);
	*found = n > 0;
	return rc;
}
