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
 * it is fenced.  The one-host lock (db.h) still decides who hosts the
 * engine; this table is the first step of several hosts per database. */
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
	int64_t lease_left_us;	/* lease_until - the database's now */
	int leased;		/* 0: no lease (lease_left_us 0): the host
				 * renews none (hosts_store_register) */
	int pid;
	char *version;
	int64_t started_at;	/* the database's clock, microseconds */
	char *labels;		/* JSON array of strings */
};

void host_rec_free_all(struct host_rec *v, size_t n);

/* Registers host_id (alive, lease = now + lease_us; lease_us 0: no
 * lease, which no sweep runs out): a new row with epoch 1, or the
 * existing one's epoch + 1, whatever its state.
 * labels: a JSON array (NULL: "[]").  *epoch: the new epoch. */
int hosts_store_register(struct mgr_db *db, const char *host_id,
			 int64_t lease_us, int pid, const char *version,
			 const char *labels, int64_t *epoch,
			 struct mgr_error *err);
/* Extends the lease of (host_id, epoch) while it is alive or draining
 * and its lease has not run out by the database's clock (a host past its
 * lease is dead, swept or not: another host may already act on that).
 * *fenced: 1 when no row matched (another epoch, dead, left, lease run
 * out): the caller must start nothing more under that epoch.  *draining (may be NULL):
 * the row says draining (someone ran `host drain`). */
int hosts_store_renew(struct mgr_db *db, const char *host_id, int64_t epoch,
		      int64_t lease_us, int *fenced, int *draining,
		      struct mgr_error *err);
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

#endif
