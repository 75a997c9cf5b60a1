/* retention.c - bounded retention steps (retention_store.h) on
 * PostgreSQL: the same indexed, limited deletes as the SQLite backend's.
 * A PostgreSQL table has no free pages to hand back a slice at a time:
 * the server's autovacuum marks deleted rows' space for reuse. */
#include "i18n.h"
#include "pg_int.h"
#include "retention_store.h"
#include "util.h"

#include <stdlib.h>

static int
delete_limited(struct mgr_db *db, const char *select_ids,
	       const struct pg_params *p, int *deleted, struct mgr_error *err)
{
	int64_t n = 0;
	int rc = pg_delete_found(db, "runs", select_ids, p, &n,
	    _("cannot prune run history"), err);

	*deleted = (int)n;
	return rc;
}

int
pg_retention_prune_old(struct mgr_db *db, int64_t oldest_us, int limit,
		       int *deleted, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, oldest_us);
	pg_int(&p, limit);
	return delete_limited(db, "SELECT id FROM runs WHERE started_at < $1 "
	    "AND ended_at IS NOT NULL LIMIT $2", &p, deleted, err);
}

int
pg_retention_prune_task(struct mgr_db *db, const char *task_id, int keep,
			int limit, int *deleted, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	/* As on SQLite: the newest `keep` runs are counted whether ended
	 * or not, and a run still going is never deleted. */
	pg_text(&p, task_id);
	pg_int(&p, keep);
	pg_int(&p, limit);
	return delete_limited(db, "SELECT id FROM runs WHERE task_id = $1 "
	    "AND ended_at IS NOT NULL AND id <= (SELECT id FROM runs WHERE "
	    "task_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2) ORDER BY id "
	    "LIMIT $3", &p, deleted, err);
}

int
pg_retention_task_ids(struct mgr_db *db, const char *after, size_t max,
		      char ***ids, size_t *n, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc, rows;

	*ids = NULL;
	*n = 0;
	pg_text(&p, after);
	pg_int(&p, (int64_t)max);
	/* Byte order, as SQLite's, whatever the server's collation. */
	if ((rc = pg_run(db, "SELECT id FROM tasks WHERE $1::text IS NULL "
	    "OR id COLLATE \"C\" > $1 ORDER BY id COLLATE \"C\" LIMIT $2",
	    &p, &res,
	    _("cannot list tasks"), err)) != 0)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++)
		*ids = strv_push(*ids, PQgetvalue(res, i, 0));
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

/* Nothing to give back by hand (see the top): no free pages left. */
int
pg_retention_vacuum_step(struct mgr_db *db, int pages, int64_t *left,
			 struct mgr_error *err)
{
	(void)db;
	(void)pages;
	(void)err;
	*left = 0;
	return 0;
}
