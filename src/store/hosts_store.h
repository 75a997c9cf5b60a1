/* hosts_store.h - the host registry (issue 19): one row per host id in
 * the table `hosts`, with an epoch (the fencing token, bumped at every
 * registration) and a lease.  Every time here is the database's clock:
 * PostgreSQL's now(), SQLite's the local clock (the file has no other);
 * a host never compares its own clock with a lease, it asks the database
 * (lease_left_us), so hosts with skewed clocks agree.
 *
 * States: alive (renewing), draining (renewing, starting no new run),
 * dead (its lease ran out: a sweep said so), left (a clean stop).  A
 * renewal names the epoch it registered with: once another registration
 * or a sweep has moved the row on, it changes nothing and the host knows
 * it is fenced.  The one-host lock (db.h) decides who hosts the engine;
 * on a server, the other daemons wait for it as standbys (role standby)
 * and take it when its holder's lease runs out (hosts_store_fence_holder). */
#ifndef MGR_HOSTS_STORE_H
#define MGR_HOSTS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct mgr_db;

struct host_rec {
	char *host_id;
	int64_t epoch;
	char *state;		/* "alive", "draining", "dead", "left" */
	int standby;		/* waits for the engine lock (role standby) */
	int64_t lease_left_us;	/* lease_until - the database's now */
	int leased;		/* 0: no lease (lease_left_us 0): the host
				 * renews none (hosts_store_register) */
	int pid;
	char *version;
	int64_t started_at;	/* the database's clock, microseconds */
	char *labels;		/* JSON array of strings */
};

void host_rec_free_all(struct host_rec *v, size_t n);

/* What a registration says of its host. */
struct host_reg {
	const char *host_id;
	int64_t lease_us;	/* 0: no lease, which no sweep runs out */
	int pid;
	const char *version;
	const char *labels;	/* a JSON array (NULL: "[]") */
	int standby;		/* 1: it waits for the engine lock */
	int lock_session;	/* the server's pid of the session holding
				 * its engine lock (db_host_lock_session);
				 * 0: none */
};

/* Registers r->host_id (alive, lease = now + lease_us): a new row with
 * epoch 1, or the existing one's epoch + 1, whatever its state.
 * *epoch: the new epoch. */
int hosts_store_register(struct mgr_db *db, const struct host_reg *r,
			 int64_t *epoch, struct mgr_error *err);
/* Extends the lease of (host_id, epoch) while it is alive or draining
 * and its lease has not run out by the database's clock (a host past its
 * lease is dead, swept or not: another host may already act on that).
 * *fenced: 1 when no row matched (another epoch, dead, left, lease run
 * out): the caller must start nothing more under that epoch.  *draining (may be NULL):
 * the row says draining (someone ran `host drain`). */
int hosts_store_renew(struct mgr_db *db, const char *host_id, int64_t epoch,
		      int64_t lease_us, int *fenced, int *draining,
		      struct mgr_error *err);
/* After the connection was lost (the server restarted or was out of
 * reach): the lease of (host_id, epoch) again, even if it ran out
 * meanwhile, and the engine lock's new session (db_host_lock_reopen),
 * while the row is alive or draining.  *fenced: 1 when no row matched
 * (another host declared this one dead, or a start took the epoch on).
 * The caller takes the lock next (db_host_lock_retake): a standby that
 * took it meanwhile fences this host all the same. */
int hosts_store_reclaim(struct mgr_db *db, const char *host_id, int64_t epoch,
			int64_t lease_us, int lock_session, int *fenced,
			int *draining, struct mgr_error *err);
/* Every row, by host id. */
int hosts_store_list(struct mgr_db *db, struct host_rec **out, size_t *n,
		     struct mgr_error *err);
/* alive -> draining (draining 1) or draining -> alive (0).  MGR_ENOENT
 * when there is no such host; MGR_ECONFLICT when it is dead or left. */
int hosts_store_set_draining(struct mgr_db *db, const char *host_id,
			     int draining, struct mgr_error *err);
/* A clean stop: (host_id, epoch) becomes left (no row: nothing done). */
int hosts_store_leave(struct mgr_db *db, const char *host_id, int64_t epoch,
		      struct mgr_error *err);
/* Marks dead every alive or draining host whose lease ran out by the
 * database's clock, and returns them (*out NULL, *n 0 when none). */
int hosts_store_sweep(struct mgr_db *db, struct host_rec **out, size_t *n,
		      struct mgr_error *err);

/* Fences the holder of the engine lock (db.h) when it is a registered
 * host whose lease ran out by the database's clock: ends every session
 * its process holds on the server, the lock's among them, so that the
 * host, paused or cut off, writes nothing more, and the lock is free for
 * a standby to take; marks it dead.  Returns it (*n 0 when the holder is
 * live, unregistered, or nobody holds the lock).  On a file: nothing to
 * fence (the kernel drops a dead process's lock; a paused one keeps the
 * file, whose one host it is). */
int hosts_store_fence_holder(struct mgr_db *db, struct host_rec **out,
			     size_t *n, struct mgr_error *err);

#endif
