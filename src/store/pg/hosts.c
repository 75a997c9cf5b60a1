/* hosts.c - the host registry on PostgreSQL (hosts_store.h).  Every time
 * is the server's now(), in microseconds as every time of this backend:
 * hosts on several machines share this one clock and never read their
 * own against a lease. */
#include "i18n.h"
#include "pg_int.h"
#include "hosts_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define HOST_COLUMNS "host_id, epoch, state, lease_until - " PG_NOW_US \
	", pid, version, started_at, labels, role = 'standby'"

static int
hosts_from_result(PGresult *res, struct host_rec **out, size_t *n)
{
	int rows = PQntuples(res);
	struct host_rec *v = rows > 0 ? xcalloc((size_t)rows, sizeof *v) : NULL;

	for (int i = 0; i < rows; i++) {
		v[i].host_id = pg_strdup(res, i, 0);
		v[i].epoch = pg_i64(res, i, 1);
		v[i].state = pg_strdup(res, i, 2);
		v[i].leased = !PQgetisnull(res, i, 3);
		v[i].lease_left_us = pg_i64(res, i, 3);
		v[i].pid = (int)pg_i64(res, i, 4);
		v[i].version = pg_strdup(res, i, 5);
		v[i].started_at = pg_i64(res, i, 6);
		v[i].labels = pg_strdup(res, i, 7);
		v[i].standby = pg_str(res, i, 8)[0] == 't';
	}
	PQclear(res);
	*out = v;
	*n = (size_t)rows;
	return 0;
}

int
pg_hosts_store_register(struct mgr_db *db, const struct host_reg *r,
			int64_t *epoch, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, r->host_id);
	pg_int(&p, r->lease_us);
	pg_int(&p, r->pid);
	pg_text(&p, r->version);
	pg_text(&p, r->labels);
	pg_text(&p, r->standby ? "standby" : "engine");
	pg_int(&p, r->lock_session);
	if ((rc = pg_run(db, "INSERT INTO hosts (host_id, epoch, lease_until, "
	    "state, pid, version, started_at, labels, role, lock_session) "
	    "VALUES ($1, 1, CASE WHEN $2::bigint > 0 THEN " PG_NOW_US
	    " + $2::bigint END, 'alive', $3, $4, " PG_NOW_US ", $5, $6, $7) "
	    "ON CONFLICT (host_id) DO UPDATE SET epoch = hosts.epoch + 1, "
	    "lease_until = excluded.lease_until, state = 'alive', "
	    "pid = excluded.pid, version = excluded.version, "
	    "started_at = excluded.started_at, labels = excluded.labels, "
	    "role = excluded.role, lock_session = excluded.lock_session "
	    "RETURNING epoch", &p, &res, _("cannot register the host"),
	    err)) != 0)
		return rc;
	*epoch = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* The lease of (host_id, epoch) set to now + lease_us by sql ($1 the
 * id, $2 the epoch, $3 the lease, $4 lock_session when it is not -1),
 * which returns the row's state: no row is a fence. */
static int
lease_update(struct mgr_db *db, const char *sql, const char *host_id,
	     int64_t epoch, int64_t lease_us, int lock_session, int *fenced,
	     int *draining, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, host_id);
	pg_int(&p, epoch);
	pg_int(&p, lease_us);
	if (lock_session != -1)
		pg_int(&p, lock_session);
	if ((rc = pg_run(db, sql, &p, &res, _("cannot renew the host's lease"),
	    err)) != 0)
		return rc;
	*fenced = PQntuples(res) == 0;
	*draining = !*fenced && strcmp(PQgetvalue(res, 0, 0), "draining") == 0;
	PQclear(res);
	return 0;
}

int
pg_hosts_store_renew(struct mgr_db *db, const char *host_id, int64_t epoch,
		     int64_t lease_us, int *fenced, int *draining,
		     struct mgr_error *err)
{
	return lease_update(db, "UPDATE hosts SET lease_until = " PG_NOW_US
	    " + $3 WHERE host_id = $1 AND epoch = $2 AND "
	    "state IN ('alive','draining') AND lease_until >= " PG_NOW_US
	    " RETURNING state", host_id, epoch, lease_us, -1, fenced, draining,
	    err);
}

/* The lease of (host_id, epoch) again after the connection was lost,
 * whether or not it ran out meanwhile (the server was down: nobody could
 * take over but by the lock, which the caller takes next), with the
 * lock's new session; no row while the host is dead, left or superseded. */
int
pg_hosts_store_reclaim(struct mgr_db *db, const char *host_id, int64_t epoch,
		       int64_t lease_us, int lock_session, int *fenced,
		       int *draining, struct mgr_error *err)
{
	return lease_update(db, "UPDATE hosts SET lease_until = " PG_NOW_US
	    " + $3, lock_session = $4 WHERE host_id = $1 AND epoch = $2 AND "
	    "state IN ('alive','draining') RETURNING state", host_id, epoch,
	    lease_us, lock_session, fenced, draining, err);
}

int
pg_hosts_store_list(struct mgr_db *db, struct host_rec **out, size_t *n,
		    struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "SELECT " HOST_COLUMNS " FROM hosts "
	    "ORDER BY host_id COLLATE \"C\"", NULL, &res,
	    _("cannot list the hosts"), err)) != 0)
		return rc;
	return hosts_from_result(res, out, n);
}

int
pg_hosts_store_set_draining(struct mgr_db *db, const char *host_id,
			    int draining, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	char *state;
	int rc;

	pg_text(&p, host_id);
	pg_int(&p, draining != 0);
	/* The row's state before the change, from the same statement: a
	 * row found in another state names it in the error. */
	if ((rc = pg_run(db, "WITH h AS (SELECT state FROM hosts WHERE "
	    "host_id = $1 FOR UPDATE), u AS (UPDATE hosts SET state = CASE "
	    "WHEN $2::int = 1 THEN 'draining' ELSE 'alive' END WHERE "
	    "host_id = $1 AND state IN ('alive','draining') RETURNING 1) "
	    "SELECT h.state, (SELECT count(*) FROM u) FROM h", &p, &res,
	    _("cannot change the host's state"), err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT, _("no host %s"), host_id);
	}
	if (pg_i64(res, 0, 1) > 0) {
		PQclear(res);
		return 0;
	}
	state = pg_strdup(res, 0, 0);
	PQclear(res);
	rc = mgr_error_set(err, MGR_ECONFLICT, _("host %s is %s, not alive: "
	    "only a running host drains"), host_id, state);
	free(state);
	return rc;
}

int
pg_hosts_store_leave(struct mgr_db *db, const char *host_id, int64_t epoch,
		     struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, host_id);
	pg_int(&p, epoch);
	return pg_run(db, "UPDATE hosts SET state = 'left', lease_until = "
	    PG_NOW_US " WHERE host_id = $1 AND epoch = $2", &p, NULL,
	    _("cannot record the host's leaving"), err);
}

int
pg_hosts_store_sweep(struct mgr_db *db, struct host_rec **out, size_t *n,
		     struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "UPDATE hosts SET state = 'dead' "
	    "WHERE state IN ('alive','draining') AND lease_until < " PG_NOW_US
	    " RETURNING " HOST_COLUMNS, NULL, &res,
	    _("cannot sweep the hosts"), err)) != 0)
		return rc;
	return hosts_from_result(res, out, n);
}

/* The holder of the engine lock, by its session in pg_locks, is the
 * registered engine host whose row names that session (lock_session)
 * and the pid its application_name says ("manager PID KIND").  When
 * its lease ran out, every session of that process (the same pid in
 * "manager PID ...", from the same client address: pg_connect names
 * each session so) is ended, and its row marked dead.  The sessions
 * must belong to this database's role (or the caller hold
 * pg_signal_backend), as every host of one database does. */
#define FENCE_SQL \
	"WITH holder AS (SELECT a.pid, a.client_addr, a.application_name " \
	"FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE " \
	PG_LOCK_HELD "), stale AS (UPDATE hosts h SET state = CASE WHEN " \
	"h.state IN ('alive','draining') THEN 'dead' ELSE h.state END " \
	"FROM holder WHERE h.lock_session = holder.pid AND h.role = 'engine' " \
	"AND h.pid::text = split_part(holder.application_name, ' ', 2) " \
	"AND h.lease_until < " PG_NOW_US " RETURNING h.host_id, h.epoch, " \
	"h.state, h.lease_until - " PG_NOW_US " AS left_us, h.pid, " \
	"h.version, h.started_at, h.labels, h.role = 'standby' AS standby, " \
	"holder.client_addr AS addr, holder.application_name AS app) " \
	"SELECT host_id, epoch, state, left_us, pid, version, started_at, " \
	"labels, standby, (SELECT count(pg_terminate_backend(a.pid)) FROM " \
	"pg_stat_activity a WHERE a.datname = current_database() AND " \
	"a.client_addr IS NOT DISTINCT FROM stale.addr AND " \
	"a.application_name LIKE 'manager %' AND " \
	"split_part(a.application_name, ' ', 2) = split_part(stale.app, ' ', 2)) " \
	"FROM stale"

int
pg_hosts_store_fence_holder(struct mgr_db *db, struct host_rec **out,
			    size_t *n, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, FENCE_SQL, NULL, &res,
	    _("cannot fence the engine lock's holder"), err)) != 0)
		return rc;
	return hosts_from_result(res, out, n);
}
