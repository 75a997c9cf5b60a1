/* console_view_store.c - the console's run view reads one run by id;
 * its delete question counts what goes with a task. */
#include "i18n.h"
#include "sqlite_int.h"
#include "console_view_store.h"
#include "util.h"

#include <string.h>

int
sqlite_store_console_run_read(struct mgr_db *db, int64_t id, struct run_rec *r,
		       struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof *r);
	if ((rc = db_prepare(db, "SELECT id, task_id, attempt, scheduled_at, "
	    "started_at, ended_at, status, exit_code, signal, output, error "
	    "FROM runs WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return mgr_error_set(err, MGR_ENOENT, _("run #%lld is not "
		    "recorded (pruned, or its task was removed)"), (long long)id);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_error(db, err, _("cannot read the run"));
	}
	r->id = sqlite3_column_int64(st, 0);
	r->task_id = db_column_strdup(st, 1);
	r->attempt = sqlite3_column_int(st, 2);
	r->scheduled_at = sqlite3_column_int64(st, 3);
	r->started_at = sqlite3_column_int64(st, 4);
	r->ended_at = sqlite3_column_int64(st, 5);
	r->status = db_column_strdup(st, 6);
	r->exit_code = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 7);
	r->signal = sqlite3_column_int(st, 8);
	r->output = db_column_strdup(st, 9);
	r->error = db_column_strdup(st, 10);
	sqlite3_reset(st);
	return 0;
}

int
sqlite_store_console_run_count(struct mgr_db *db, const char *task_id, int64_t *n,
			struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*n = 0;
	if ((rc = db_prepare(db, "SELECT count(*) FROM runs WHERE task_id = ?1",
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
