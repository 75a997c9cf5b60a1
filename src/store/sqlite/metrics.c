/* metrics.c - the history's counts for GET /metrics
 * (metrics_store.h): one aggregate query each, so a long history costs
 * SQLite a scan, not the loop thousands of rows. */
#include "i18n.h"
#include "metrics_store.h"
#include "sqlite_int.h"

int
sqlite_metrics_store_runs(struct mgr_db *db, metrics_runs_fn fn, void *arg,
		   struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT task_id, status, count(*) FROM runs "
	    "GROUP BY task_id, status ORDER BY task_id, status", &st, err)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    sqlite3_column_int64(st, 2));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err, _("counting runs"));
}

#define LE(us) "sum(l <= " #us "), "

int
sqlite_metrics_store_lateness(struct mgr_db *db, int64_t le[METRICS_LATENESS_N],
		       int64_t *count, double *sum, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* The bounds of METRICS_LATENESS_BOUNDS, in microseconds. */
	if ((rc = db_prepare(db, "SELECT " LE(5000) LE(10000) LE(50000)
	    LE(100000) LE(500000) LE(1000000) LE(5000000) LE(10000000)
	    LE(60000000) LE(300000000) "count(*), total(l) FROM (SELECT "
	    "max(started_at - scheduled_at, 0) AS l FROM runs WHERE attempt = 1 "
	    "AND started_at IS NOT NULL AND scheduled_at IS NOT NULL)", &st,
	    err)) != 0)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < METRICS_LATENESS_N; i++)
			le[i] = sqlite3_column_int64(st, i);
		*count = sqlite3_column_int64(st, METRICS_LATENESS_N);
		*sum = sqlite3_column_double(st, METRICS_LATENESS_N + 1) / 1e6;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : db_error(db, err, _("measuring lateness"));
}
