/* console_tick_store.c - the console's cheap per-tick reads
 * (console_tick_store.h). */
#include "i18n.h"
#include "console_tick_store.h"
#include "sqlite/sqlite_int.h"

int
store_console_task_stamp(struct mgr_db *db, int64_t *count, int64_t *newest,
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
