/* runlog_store.c - the history's side of the run logs: a run's key by
 * its id, and whether it is over (runlog_store.h). */
#include "i18n.h"
#include "runlog_store.h"
#include "sqlite_int.h"
#include "util.h"

#include <stdlib.h>

int
sqlite_runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
		 int64_t *scheduled_at, int *attempt, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT task_id, scheduled_at, attempt FROM runs "
	    "WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, run_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*task_id = xstrdup((const char *)sqlite3_column_text(st, 0));
		*scheduled_at = sqlite3_column_int64(st, 1);
		*attempt = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("no run %lld"),
		    (long long)run_id);
	return db_error(db, err, _("cannot read a run"));
}

int
sqlite_runlog_store_state(struct mgr_db *db, const char *task_id,
			  int64_t scheduled_at, int attempt, int *ended,
			  int64_t *run_id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT id, ended_at IS NOT NULL FROM runs "
	    "WHERE task_id = ?1 AND scheduled_at = ?2 AND attempt = ?3",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scheduled_at);
	sqlite3_bind_int(st, 3, attempt);
	*ended = 0;
	*run_id = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*run_id = sqlite3_column_int64(st, 0);
		*ended = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	return db_error(db, err, _("cannot read a run"));
}
