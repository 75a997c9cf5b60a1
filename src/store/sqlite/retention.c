/* retention_store.c - bounded retention steps (retention_store.h), on
 * the SQLite backend. */
#include "i18n.h"
#include "retention_store.h"
#include "sqlite_int.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static int
step_changes(struct mgr_db *db, sqlite3_stmt *st, int *deleted,
	     struct mgr_error *err)
{
	int rc = sqlite3_step(st);

	*deleted = rc == SQLITE_DONE ? sqlite3_changes(db_handle(db)) : 0;
	/* Reset at once: an unreset statement keeps its transaction open. */
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err,
	    _("cannot prune run history"));
}

int
sqlite_retention_prune_old(struct mgr_db *db, int64_t oldest_us, int limit,
		    int *deleted, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*deleted = 0;
	if ((rc = db_prepare(db, "DELETE FROM runs WHERE id IN (SELECT id FROM "
	    "runs WHERE (scheduled_at < ?1 OR scheduled_at IS NULL) AND "
	    "started_at < ?1 AND ended_at IS NOT NULL LIMIT ?2)",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, oldest_us);
	sqlite3_bind_int(st, 2, limit);
	return step_changes(db, st, deleted, err);
}

int
sqlite_retention_prune_task(struct mgr_db *db, const char *task_id, int keep,
		     int limit, int *deleted, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* The newest `keep` runs are counted whether ended or not; a run
	 * still going (no ended_at) is never deleted. */
	*deleted = 0;
	if ((rc = db_prepare(db, "WITH t(id) AS " SQLITE_TASK_RUN_IDS("?1")
	    " DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE id IN "
	    "t AND ended_at IS NOT NULL AND id <= (SELECT id FROM t ORDER BY "
	    "id DESC LIMIT 1 OFFSET ?2) ORDER BY id LIMIT ?3)", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, keep);
	sqlite3_bind_int(st, 3, limit);
	return step_changes(db, st, deleted, err);
}

int
sqlite_retention_task_ids(struct mgr_db *db, const char *after, size_t max,
		   char ***ids, size_t *n, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = db_prepare(db, "SELECT id FROM tasks WHERE ?1 IS NULL OR id > ?1 "
	    "ORDER BY id LIMIT ?2", &st, err)) != 0)
		return rc;
	db_bind_text_or_null(st, 1, after);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ids = strv_push(*ids, (const char *)sqlite3_column_text(st, 0));
		(*n)++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		strv_free(*ids);
		*ids = NULL;
		*n = 0;
		return db_error(db, err, _("cannot list tasks"));
	}
	return 0;
}

int
sqlite_retention_vacuum_step(struct mgr_db *db, int pages, int64_t *left,
		      struct mgr_error *err)
{
	sqlite3_stmt *st;
	char sql[64];
	int rc;

	snprintf(sql, sizeof sql, "PRAGMA incremental_vacuum(%d)", pages);
	if ((rc = db_exec(db, sql, err)) != 0)
		return rc;
	if ((rc = db_prepare(db, "PRAGMA freelist_count", &st, err)) != 0)
		return rc;
	*left = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return 0;
}
