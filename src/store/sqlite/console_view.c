/* console_view.c - the console's delete question counts what goes with
 * a task (console_view_store.h). */
#include "i18n.h"
#include "sqlite_int.h"
#include "console_view_store.h"
#include "util.h"

#include <string.h>

int
sqlite_store_console_run_count(struct mgr_db *db, const char *task_id, int64_t *n,
			       struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = db_prepare(db, "SELECT (SELECT count(*) FROM runs_settled WHERE "
	    "task_id = ?1) + (SELECT count(*) FROM runs WHERE scheduled_at >= "
	    "(SELECT bound FROM runs_settle) AND task_id = ?1)",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_error(db, err, _("cannot count the task's runs"));
	}
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return 0;
}
