/* task_hooks.c - tasks.hooks and the history reads of dependencies and
 * notifications (task_hooks_store.h, schema 8) on PostgreSQL: the
 * statements of the SQLite backend's task_hooks.c, with SQLite's orders
 * spelled out (byte order for ids, NULL fire times last). */
#include "i18n.h"
#include "pg_int.h"
#include "task_hooks_store.h"
#include "util.h"

#include <stdlib.h>

int
pg_task_hooks_store_get(struct mgr_db *db, const char *task_id, char **json,
			struct mgr_error *err)
{
	return pg_task_text_get(db, "SELECT hooks FROM tasks WHERE id=$1",
	    task_id, json, err);
}

int
pg_task_hooks_store_set(struct mgr_db *db, const char *task_id,
			const char *json, struct mgr_error *err)
{
	return pg_task_text_set(db, "UPDATE tasks SET hooks=$2 WHERE id=$1",
	    task_id, json, err);
}

int
pg_task_hooks_store_list(struct mgr_db *db, task_hooks_fn fn, void *arg,
			 struct mgr_error *err)
{
	return pg_each_task_text(db, "SELECT id, hooks FROM tasks WHERE hooks "
	    "IS NOT NULL ORDER BY id COLLATE \"C\"", fn, arg, err);
}

int
pg_task_hooks_store_last_final(struct mgr_db *db, const char *task_id,
			       int64_t before, char **status,
			       int64_t *ended_at, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*status = NULL;
	*ended_at = 0;
	pg_text(&p, task_id);
	pg_int(&p, before);
	/* NULLS LAST: SQLite's order, where NULL sorts below every value. */
	if ((rc = pg_run(db, "SELECT status, ended_at FROM runs WHERE "
	    "task_id=$1 AND status NOT IN ('running','claimed') AND "
	    "($2::bigint = 0 OR scheduled_at < $2::bigint) "
	    "ORDER BY scheduled_at DESC NULLS LAST, attempt DESC LIMIT 1", &p,
	    &res, task_id, err)) != 0)
		return rc;
	if (PQntuples(res) > 0) {
		*status = pg_strdup(res, 0, 0);
		*ended_at = pg_i64(res, 0, 1);
	}
	PQclear(res);
	return 0;
}

int
pg_task_hooks_store_last_start(struct mgr_db *db, const char *task_id,
			       int64_t *at, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*at = 0;
	pg_text(&p, task_id);
	if ((rc = pg_run(db, "SELECT max(COALESCE(started_at, scheduled_at)) "
	    "FROM runs WHERE task_id=$1", &p, &res, task_id, err)) != 0)
		return rc;
	*at = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}
