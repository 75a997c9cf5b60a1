/* hosts.c - the host registry on SQLite (hosts_store.h).  The database's
 * clock is the local one: the file has no server, and every process that
 * opens it runs on this machine, so mgr_now_us() read here is the one
 * clock every lease of the file is measured by. */
#include "i18n.h"
#include "sqlite_int.h"
#include "hosts_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define HOST_COLUMNS "host_id, epoch, state, lease_until - ?1, pid, " \
	"version, started_at, labels, role = 'standby'"

static void
host_from_row(sqlite3_stmt *st, struct host_rec *h)
{
	h->host_id = db_column_strdup(st, 0);
	h->epoch = sqlite3_column_int64(st, 1);
	h->state = db_column_strdup(st, 2);
	h->leased = sqlite3_column_type(st, 3) != SQLITE_NULL;
	h->lease_left_us = sqlite3_column_int64(st, 3);
	h->pid = sqlite3_column_int(st, 4);
	h->version = db_column_strdup(st, 5);
	h->started_at = sqlite3_column_int64(st, 6);
	h->labels = db_column_strdup(st, 7);
	h->standby = sqlite3_column_int(st, 8);
}

/* Steps st to the end, keeping every row; resets it. */
static int
hosts_collect(struct mgr_db *db, sqlite3_stmt *st, struct host_rec **out,
	      size_t *n, const char *what, struct mgr_error *err)
{
	struct host_rec *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4;
			v = xrealloc(v, cap * sizeof *v);
		}
		memset(&v[len], 0, sizeof v[len]);
		host_from_row(st, &v[len++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		host_rec_free_all(v, len);
		return db_error(db, err, what);
	}
	*out = v;
	*n = len;
	return 0;
}

int
sqlite_hosts_store_register(struct mgr_db *db, const struct host_reg *r,
			    int64_t *epoch, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO hosts (host_id, epoch, "
	    "lease_until, state, pid, version, started_at, labels, role, "
	    "lock_session) VALUES (?1, 1, CASE WHEN ?3 > 0 THEN ?2 + ?3 END, "
	    "'alive', ?4, ?5, ?2, ?6, CASE WHEN ?7 THEN 'standby' ELSE "
	    "'engine' END, ?8) "
	    "ON CONFLICT (host_id) DO UPDATE SET epoch = hosts.epoch + 1, "
	    "lease_until = excluded.lease_until, state = 'alive', "
	    "pid = excluded.pid, version = excluded.version, "
	    "started_at = excluded.started_at, labels = excluded.labels, "
	    "role = excluded.role, lock_session = excluded.lock_session "
	    "RETURNING epoch", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, r->host_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, mgr_now_us());
	sqlite3_bind_int64(st, 3, r->lease_us);
	sqlite3_bind_int(st, 4, r->pid);
	sqlite3_bind_text(st, 5, r->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, r->labels, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, r->standby != 0);
	sqlite3_bind_int(st, 8, r->lock_session);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*epoch = sqlite3_column_int64(st, 0);
	/* RETURNING: the change is made by the time the row comes; step
	 * to the end so that the statement is done before the reset. */
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot register the host"));
	return 0;
}

/* The lease of (host_id, epoch) set to now + lease_us by sql (?1 the
 * id, ?2 the epoch, ?3 now, ?4 the lease, ?5 lock_session when it is
 * not -1), which returns whether the row is draining: no row is a
 * fence. */
static int
lease_update(struct mgr_db *db, const char *sql, const char *host_id,
	     int64_t epoch, int64_t lease_us, int lock_session, int *fenced,
	     int *draining, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, host_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int64(st, 3, mgr_now_us());
	sqlite3_bind_int64(st, 4, lease_us);
	if (lock_session != -1)
		sqlite3_bind_int(st, 5, lock_session);
	*fenced = 1;
	*draining = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*fenced = 0;
		*draining = sqlite3_column_int(st, 0);
		rc = sqlite3_step(st);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot renew the host's lease"));
	return 0;
}

int
sqlite_hosts_store_renew(struct mgr_db *db, const char *host_id, int64_t epoch,
			 int64_t lease_us, int *fenced, int *draining,
			 struct mgr_error *err)
{
	return lease_update(db, "UPDATE hosts SET lease_until = ?3 + ?4 "
	    "WHERE host_id = ?1 AND epoch = ?2 AND state IN ('alive','draining') "
	    "AND lease_until >= ?3 RETURNING state = 'draining'", host_id, epoch,
	    lease_us, -1, fenced, draining, err);
}

/* As on PostgreSQL (hosts_store.h), though a file's lock is never lost
 * and nothing calls it there but the store's contract test. */
int
sqlite_hosts_store_reclaim(struct mgr_db *db, const char *host_id,
			   int64_t epoch, int64_t lease_us, int lock_session,
			   int *fenced, int *draining, struct mgr_error *err)
{
	return lease_update(db, "UPDATE hosts SET lease_until = ?3 + ?4, "
	    "lock_session = ?5 WHERE host_id = ?1 AND epoch = ?2 AND "
	    "state IN ('alive','draining') RETURNING state = 'draining'",
	    host_id, epoch, lease_us, lock_session, fenced, draining, err);
}

int
sqlite_hosts_store_list(struct mgr_db *db, struct host_rec **out, size_t *n,
			struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " HOST_COLUMNS " FROM hosts "
	    "ORDER BY host_id", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, mgr_now_us());
	return hosts_collect(db, st, out, n, _("cannot list the hosts"), err);
}

/* The state of host_id, malloc'd; NULL when there is no such row. */
static char *
host_state(struct mgr_db *db, const char *host_id)
{
	sqlite3_stmt *st;
	char *state = NULL;

	if (db_prepare(db, "SELECT state FROM hosts WHERE host_id = ?1", &st,
	    NULL) != 0)
		return NULL;
	sqlite3_bind_text(st, 1, host_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		state = db_column_strdup(st, 0);
	sqlite3_reset(st);
	return state;
}

int
sqlite_hosts_store_set_draining(struct mgr_db *db, const char *host_id,
				int draining, struct mgr_error *err)
{
	sqlite3_stmt *st;
	char *state;
	int rc;

	if ((rc = db_prepare(db, "UPDATE hosts SET state = CASE WHEN ?2 "
	    "THEN 'draining' ELSE 'alive' END WHERE host_id = ?1 AND "
	    "state IN ('alive','draining')", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, host_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, draining != 0);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot change the host's state"));
	if (sqlite3_changes(db_handle(db)) > 0)
		return 0;
	if ((state = host_state(db, host_id)) == NULL)
		return mgr_error_set(err, MGR_ENOENT, _("no host %s"), host_id);
	rc = mgr_error_set(err, MGR_ECONFLICT, _("host %s is %s, not alive: "
	    "only a running host drains"), host_id, state);
	free(state);
	return rc;
}

int
sqlite_hosts_store_leave(struct mgr_db *db, const char *host_id, int64_t epoch,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE hosts SET state = 'left', "
	    "lease_until = ?3 WHERE host_id = ?1 AND epoch = ?2", &st,
	    err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, host_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, epoch);
	sqlite3_bind_int64(st, 3, mgr_now_us());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot record the host's leaving"));
	return 0;
}

int
sqlite_hosts_store_sweep(struct mgr_db *db, struct host_rec **out, size_t *n,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE hosts SET state = 'dead' "
	    "WHERE state IN ('alive','draining') AND lease_until < ?1 "
	    "RETURNING " HOST_COLUMNS, &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, mgr_now_us());
	return hosts_collect(db, st, out, n, _("cannot sweep the hosts"), err);
}

/* A file's lock is the kernel's: a dead holder's is gone, and a paused
 * holder still is the file's one host.  No session to end. */
int
sqlite_hosts_store_fence_holder(struct mgr_db *db, struct host_rec **out,
				size_t *n, struct mgr_error *err)
{
	(void)db;
	(void)err;
	*out = NULL;
	*n = 0;
	return 0;
}
