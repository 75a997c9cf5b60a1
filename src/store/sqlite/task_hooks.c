/* task_hooks_store.c - tasks.hooks and the history reads of
 * dependencies and notifications (schema 8), apart from the other
 * tables' files. */
#include "i18n.h"
#include "sqlite/sqlite_int.h"
#include "task_hooks_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int
sqlite_task_hooks_store_get(struct mgr_db *db, const char *task_id, char **json,
		     struct mgr_error *err)
{
	return sqlite_task_text_get(db, "SELECT hooks FROM tasks WHERE id=?1",
	    task_id, json, err);
}

int
sqlite_task_hooks_store_set(struct mgr_db *db, const char *task_id, const char *json,
		     struct mgr_error *err)
{
	return sqlite_task_text_set(db, "UPDATE tasks SET hooks=?2 WHERE id=?1",
	    task_id, json, err);
}

int
sqlite_task_hooks_store_list(struct mgr_db *db, task_hooks_fn fn, void *arg,
		      struct mgr_error *err)
{
	return sqlite_each_task_text(db, "SELECT id, hooks FROM tasks WHERE "
	    "hooks IS NOT NULL ORDER BY id", fn, arg, err);
}

int
sqlite_task_hooks_store_last_final(struct mgr_db *db, const char *task_id,
			    int64_t before, char **status, int64_t *ended_at,
			    struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*status = NULL;
	*ended_at = 0;
	if ((rc = db_prepare(db, "SELECT status, ended_at FROM runs WHERE "
	    "id IN " SQLITE_TASK_RUN_IDS("?1") " AND status NOT IN ('running','claimed') AND "
	    "(?2 = 0 OR scheduled_at < ?2) ORDER BY scheduled_at DESC, "
	    "attempt DESC LIMIT 1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, before);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*status = db_column_strdup(st, 0);
		*ended_at = sqlite3_column_int64(st, 1);
	} else if (rc != SQLITE_DONE)
		return db_error(db, err, task_id);
	sqlite3_reset(st);
	return 0;
}

int
sqlite_task_hooks_store_last_start(struct mgr_db *db, const char *task_id,
			    int64_t *at, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*at = 0;
	if ((rc = db_prepare(db, "SELECT MAX(COALESCE(started_at, scheduled_at)) "
	    "FROM runs WHERE id IN " SQLITE_TASK_RUN_IDS("?1"), &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*at = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		return db_error(db, err, task_id);
	sqlite3_reset(st);
	return 0;
}
