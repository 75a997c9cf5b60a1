/* console.c - the console's reads on PostgreSQL (see the SQLite
 * backend's console.c): table signatures, the tasks pane's rows, the
 * latest runs, the header's counts, and the delete question's count. */
#include "i18n.h"
#include "pg_int.h"
#include "console_view_store.h"
#include "store.h"
#include "util.h"

#define SIGNATURE(table) "SELECT count(*), COALESCE(max(updated_at), 0), " \
	"COALESCE(sum(updated_at & 4294967295), 0) FROM " table

#define TASK_ROW_COLUMNS "id, name, status, plugin_id, enabled, max_retries, " \
	"next_run, last_run, updated_at"

int
pg_store_table_signature(struct mgr_db *db, enum store_table table,
			 int64_t sig[3], struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, table == STORE_TASKS ? SIGNATURE("tasks") :
	    SIGNATURE("plugins"), NULL, &res,
	    _("cannot read the table signature"), err)) != 0)
		return rc;
	for (int i = 0; i < 3; i++)
		sig[i] = pg_i64(res, 0, i);
	PQclear(res);
	return 0;
}

int
pg_store_console_tasks(struct mgr_db *db, int64_t updated_after,
		       store_task_row_fn fn, void *arg, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	struct store_task_row t;
	PGresult *res;
	int rc;

	pg_int(&p, updated_after);
	if ((rc = pg_run(db, "SELECT " TASK_ROW_COLUMNS " FROM tasks "
	    "WHERE $1::bigint < 0 OR updated_at > $1", &p, &res,
	    _("cannot list tasks"), err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		t.id = pg_str(res, i, 0);
		t.name = pg_str(res, i, 1);
		t.status = pg_str(res, i, 2);
		t.plugin_id = pg_str(res, i, 3);
		t.enabled = (int)pg_i64(res, i, 4);
		t.max_retries = (int)pg_i64(res, i, 5);
		t.next_run = pg_i64(res, i, 6);
		t.last_run = pg_i64(res, i, 7);
		t.updated_at = pg_i64(res, i, 8);
		fn(arg, &t);
	}
	PQclear(res);
	return 0;
}

/* Hands each row of res (RUN_LINE_COLUMNS) to fn; frees res. */
size_t
pg_run_lines(PGresult *res, store_run_line_fn fn, void *arg)
{
	struct store_run_line l;
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		l.id = pg_i64(res, i, 0);
		l.at = pg_i64(res, i, 1);
		l.task_id = pg_str(res, i, 2);
		l.status = pg_str(res, i, 3);
		l.attempt = (int)pg_i64(res, i, 4);
		l.started_at = pg_i64(res, i, 5);
		l.ended_at = pg_i64(res, i, 6);
		l.exit_code = pg_int_or(res, i, 7, -1);
		l.signal = (int)pg_i64(res, i, 8);
		l.text = pg_str(res, i, 9);
		fn(arg, &l);
	}
	PQclear(res);
	return (size_t)n;
}

int
pg_store_console_runs(struct mgr_db *db, size_t limit, store_run_line_fn fn,
		      void *arg, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_int(&p, (int64_t)limit);
	if ((rc = pg_run(db, "SELECT " PG_RUN_LINE_COLUMNS " FROM runs "
	    "ORDER BY id DESC LIMIT $1", &p, &res, _("cannot list runs"),
	    err)) != 0)
		return rc;
	pg_run_lines(res, fn, arg);
	return 0;
}

int
pg_store_console_counts(struct mgr_db *db, int64_t now, int *runs_per_min,
			int *running, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_int(&p, now - INT64_C(60000000));
	/* A run open for more than a day is a crashed host's leftover. */
	pg_int(&p, now - INT64_C(86400000000));
	if ((rc = pg_run(db, "SELECT (SELECT count(*) FROM runs "
	    "WHERE started_at >= $1), (SELECT count(*) FROM runs "
	    "WHERE ended_at IS NULL AND started_at IS NOT NULL "
	    "AND started_at >= $2)", &p, &res, _("cannot count runs"),
	    err)) != 0)
		return rc;
	*runs_per_min = (int)pg_i64(res, 0, 0);
	*running = (int)pg_i64(res, 0, 1);
	PQclear(res);
	return 0;
}

int
pg_store_console_run_count(struct mgr_db *db, const char *task_id,
			   int64_t *n, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*n = 0;
	pg_text(&p, task_id);
	if ((rc = pg_run(db, "SELECT count(*) FROM runs WHERE task_id = $1", &p,
	    &res, _("cannot count the task's runs"), err)) != 0)
		return rc;
	*n = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}
