/* hostlock.c - the PostgreSQL backend's one-host lock: a session advisory
 * lock held by a connection of its own, whose application_name says
 * "manager PID KIND" for people and clients.  The server drops the lock
 * when that session ends, however its process dies; a start waits for the
 * end of a session whose process is known gone (holder_gone).  (Several hosts on
 * one database are the cluster protocol's business, not this lock's.)
 */
#include "i18n.h"
#include "pg_int.h"
#include "control_store.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


struct pg_host_lock {
	struct db_host_lock base;
	PGconn *conn;
	char *where, *kind;	/* for pg_host_lock_reopen */
};

/* The application_name of the session holding the lock in this
 * database, or NULL (malloc'd) when nobody holds it; *held set; *local
 * (when not NULL) set when that session came through the server's unix
 * socket (client_port -1). */
static int
lock_probe(struct mgr_db *db, int *held, char **name, int *local,
	   struct mgr_error *err)
{
	PGresult *res;
	int rc;

	*held = 0;
	*name = NULL;
	if ((rc = pg_run(db, "SELECT a.application_name, a.client_port "
	    "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
	    "WHERE " PG_LOCK_HELD, NULL, &res,
	    _("cannot probe the host lock"), err)) != 0)
		return rc;
	if (PQntuples(res) > 0) {
		*held = 1;
		*name = pg_strdup(res, 0, 0);
		if (local != NULL)
			*local = pg_int_or(res, 0, 1, 0) == -1;
	}
	PQclear(res);
	return 0;
}

/* "manager PID KIND" -> pid, kind; 0 and "" when it is not one. */
static void
holder_parse(const char *name, int *pid, char *kind, size_t kindsz)
{
	int n = 0;

	if (pid != NULL)
		*pid = 0;
	if (kind != NULL && kindsz > 0)
		kind[0] = '\0';
	if (name == NULL || sscanf(name, "manager %d %n", pid != NULL ? pid :
	    &(int){ 0 }, &n) < 1 || n == 0)
		return;
	if (kind != NULL && kindsz > 0)
		snprintf(kind, kindsz, "%s", name + n);
}

static int
lock_busy(struct mgr_db *db, struct mgr_error *err)
{
	char kind[64], *name = NULL, *label = pg_label(db->path);
	int held, pid;

	lock_probe(db, &held, &name, NULL, NULL);
	holder_parse(name, &pid, kind, sizeof kind);
	free(name);
	mgr_error_set(err, MGR_EBUSY,
	    _("%s: another engine host (%s, pid %d) is running on this database "
	      "(advisory lock %s, %s)"), label, kind[0] ? kind : _("starting"),
	    pid, PG_LOCK_K1, PG_LOCK_K2);
	free(label);
	return MGR_EBUSY;
}

/* How long a start waits for the session of a holder that is gone. */
#define HOLDER_GONE_WAIT_MS 10000
#define HOLDER_GONE_POLL_MS 50

/* 1 when c got the lock, 0 when another session holds it, -1 (err set)
 * when the server refused the question. */
static int
lock_try(PGconn *c, struct mgr_error *err)
{
	PGresult *res = PQexec(c, "SELECT pg_try_advisory_lock(" PG_LOCK_K1 ", "
	    PG_LOCK_K2 ")");
	int got = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		got = PQgetvalue(res, 0, 0)[0] == 't';
	else
		mgr_error_set(err, MGR_EDB, _("cannot take the host lock: %s"),
		    PQresultErrorMessage(res));
	PQclear(res);
	return got;
}

/* Whether the lock's holder is a session whose client process is gone.
 * Known only when the holder and this process both came through the
 * server's unix socket (so both run where the server runs, and the pid in
 * the holder's application_name is a pid of this machine) and that pid
 * is no process.  The server ends such a session when it next reads from
 * it: after a kill -9 that takes moments, and a daemon restarted at once
 * waits for it instead of giving up as if another host ran. */
static int
holder_gone(struct mgr_db *db, PGconn *c)
{
	const char *host = PQhost(c);
	char *name = NULL;
	int held, local = 0, pid = 0;

	if (host == NULL || host[0] != '/' ||
	    lock_probe(db, &held, &name, &local, NULL) != 0)
		return 0;
	holder_parse(held ? name : NULL, &pid, NULL, 0);
	free(name);
	return held && local && pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

/* A session for the lock, named "manager PID KIND" (holder_parse). */
static PGconn *
lock_connect(const char *where, const char *kind, struct mgr_error *err)
{
	PGconn *c;
	char *set;

	if ((c = pg_connect(where, err)) == NULL)
		return NULL;
	set = xasprintf("SET application_name = 'manager %ld %s'",
	    (long)getpid(), kind);
	PQclear(PQexec(c, set));
	free(set);
	return c;
}

int
pg_host_lock(struct mgr_db *db, const char *kind, struct db_host_lock **out,
	     struct mgr_error *err)
{
	struct pg_host_lock *l;
	PGconn *c;
	int got;

	if ((c = lock_connect(db->path, kind, err)) == NULL)
		return MGR_EDB;
	for (int waited = 0;; waited += HOLDER_GONE_POLL_MS) {
		if ((got = lock_try(c, err)) != 0 || waited >= HOLDER_GONE_WAIT_MS ||
		    !holder_gone(db, c))
			break;
		usleep(HOLDER_GONE_POLL_MS * 1000);
	}
	if (got < 0) {
		PQfinish(c);
		return MGR_EDB;
	}
	if (!got) {
		PQfinish(c);
		return lock_busy(db, err);
	}
	l = xcalloc(1, sizeof *l);
	l->base.ops = db->ops;
	l->conn = c;
	l->where = xstrdup(db->path);
	l->kind = xstrdup(kind);
	*out = &l->base;
	return 0;
}

void
pg_host_unlock(struct db_host_lock *base)
{
	struct pg_host_lock *l = (struct pg_host_lock *)base;

	/* Released here, not only by the session's end, which the server
	 * carries out after PQfinish returns: a host started right after
	 * this one stopped (a restart, a test) found the lock still held
	 * (the store contract test's test_host_lock, once in six runs at
	 * load 15).  On a session a fence ended the question just fails. */
	PQclear(PQexec(l->conn, "SELECT pg_advisory_unlock(" PG_LOCK_K1 ", "
	    PG_LOCK_K2 ")"));
	PQfinish(l->conn);
	free(l->where);
	free(l->kind);
	free(l);
}

int
pg_host_holder(struct mgr_db *db, int *pid, char *kind, size_t kindsz)
{
	char *name = NULL;
	int held;

	if (lock_probe(db, &held, &name, NULL, NULL) != 0)
		held = 0;
	holder_parse(held ? name : NULL, pid, kind, kindsz);
	free(name);
	return held;
}

int
pg_host_lock_session(struct db_host_lock *base)
{
	return PQbackendPID(((struct pg_host_lock *)base)->conn);
}

/* A question on the lock's own session: it fails once the session is
 * gone (ended by a standby's fence, or by a restart of the server). */
int
pg_host_lock_check(struct db_host_lock *base, struct mgr_error *err)
{
	PGresult *res = PQexec(((struct pg_host_lock *)base)->conn, "SELECT 1");
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		mgr_error_set(err, MGR_EDB, _("the session holding the engine "
		    "lock ended: %s"), PQresultErrorMessage(res));
	pg_trim_newlines(err);
	PQclear(res);
	return ok ? 0 : MGR_EDB;
}

/* A new session for a lock whose session ended (the server restarted,
 * or the connection broke), without the lock yet: the caller first
 * names that session in its registry row (hosts_store_reclaim), then
 * takes the lock on it (pg_host_lock_retake), so that a standby never
 * sees the lock held by a session no row names. */
int
pg_host_lock_reopen(struct db_host_lock *base, struct mgr_error *err)
{
	struct pg_host_lock *l = (struct pg_host_lock *)base;
	PGconn *c;

	if ((c = lock_connect(l->where, l->kind, err)) == NULL)
		return MGR_EDB;
	PQfinish(l->conn);
	l->conn = c;
	return 0;
}

/* The lock again, on the session pg_host_lock_reopen made: MGR_EBUSY
 * when another session holds it (another host took over meanwhile). */
int
pg_host_lock_retake(struct db_host_lock *base, struct mgr_error *err)
{
	struct pg_host_lock *l = (struct pg_host_lock *)base;
	int got = lock_try(l->conn, err);

	pg_trim_newlines(err);
	if (got < 0)
		return MGR_EDB;
	if (!got)
		return mgr_error_set(err, MGR_EBUSY, _("another session holds "
		    "the engine lock (advisory lock %s, %s)"), PG_LOCK_K1,
		    PG_LOCK_K2);
	return 0;
}
