/* metrics.c - the history's counts for GET /metrics (metrics_store.h)
 * on PostgreSQL: the SQLite backend's two aggregate queries, with its
 * byte order for task ids. */
#include "i18n.h"
#include "metrics_store.h"
#include "pg_int.h"

int
pg_metrics_store_runs(struct mgr_db *db, metrics_runs_fn fn, void *arg,
		      struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "SELECT task_id, status, count(*) FROM runs "
	    "GROUP BY task_id, status ORDER BY task_id COLLATE \"C\", "
	    "status COLLATE \"C\"", NULL, &res, _("counting runs"), err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++)
		fn(arg, pg_str(res, i, 0), pg_str(res, i, 1), pg_i64(res, i, 2));
	PQclear(res);
	return 0;
}

#define LE(us) "count(*) FILTER (WHERE l <= " #us "), "

int
pg_metrics_store_lateness(struct mgr_db *db, int64_t le[METRICS_LATENESS_N],
			  int64_t *count, double *sum, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	/* The bounds of METRICS_LATENESS_BOUNDS, in microseconds. */
	if ((rc = pg_run(db, "SELECT " LE(5000) LE(10000) LE(50000)
	    LE(100000) LE(500000) LE(1000000) LE(5000000) LE(10000000)
	    LE(60000000) LE(300000000) "count(*), sum(l) FROM (SELECT "
	    "greatest(started_at - scheduled_at, 0) AS l FROM runs WHERE "
	    "attempt = 1 AND started_at IS NOT NULL AND scheduled_at IS NOT "
	    "NULL) AS f", NULL, &res, _("measuring lateness"), err)) != 0)
		return rc;
	for (int i = 0; i < METRICS_LATENESS_N; i++)
		le[i] = pg_i64(res, 0, i);
	*count = pg_i64(res, 0, METRICS_LATENESS_N);
	/* An exact integer (sum of bigint), NULL (0) without rows. */
	*sum = (double)pg_i64(res, 0, METRICS_LATENESS_N + 1) / 1e6;
	PQclear(res);
	return 0;
}
