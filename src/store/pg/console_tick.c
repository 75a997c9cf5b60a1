/* console_tick.c - the console's cheap per-tick reads on PostgreSQL
 * (console_tick_store.h; see the SQLite backend's console_tick.c). */
#include "i18n.h"
#include "pg_int.h"
#include "console_tick_store.h"

int
pg_store_console_task_stamp(struct mgr_db *db, int64_t *count,
			    int64_t *newest, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "SELECT count(*), COALESCE(max(updated_at), 0) "
	    "FROM tasks", NULL, &res, _("cannot read the tasks' count"),
	    err)) != 0)
		return rc;
	*count = pg_i64(res, 0, 0);
	*newest = pg_i64(res, 0, 1);
	PQclear(res);
	return 0;
}

int
pg_store_console_runs_after(struct mgr_db *db, int64_t after_id, size_t limit,
			    store_run_line_fn fn, void *arg, size_t *n,
			    struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*n = 0;
	pg_int(&p, after_id);
	pg_int(&p, (int64_t)limit);
	if ((rc = pg_run(db, "SELECT " PG_RUN_LINE_COLUMNS " FROM runs "
	    "WHERE id > $1 ORDER BY id DESC LIMIT $2", &p, &res,
	    _("cannot list runs"), err)) != 0)
		return rc;
	*n = pg_run_lines(res, fn, arg);
	return 0;
}

int
pg_store_console_run_again(struct mgr_db *db, int64_t id, store_run_line_fn fn,
			   void *arg, int *found, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*found = 0;
	pg_int(&p, id);
	if ((rc = pg_run(db, "SELECT " PG_RUN_LINE_COLUMNS " FROM runs "
	    "WHERE id = $1", &p, &res, _("cannot list runs"), err)) != 0)
		return rc;
	*found = pg_run_lines(res, fn, arg) > 0;
	return 0;
}
