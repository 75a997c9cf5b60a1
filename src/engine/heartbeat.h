/* heartbeat.h - a host's lease renewed on a thread of its own, with a
 * database connection of its own (internal to the engine's files; see
 * heartbeat.c and doc/ARCHITECTURE.md, "Host registry"). */
#ifndef MGR_HEARTBEAT_H
#define MGR_HEARTBEAT_H

#include <stdint.h>
#include "error.h"
#include "hosts_store.h"

struct mgr_log;
struct db_host_lock;
struct heartbeat;

struct heartbeat_conf {
	const char *db_path;	/* opened again by the thread */
	struct mgr_log *log;
	struct host_reg reg;	/* what a registration again says (copied) */
	int64_t epoch;		/* the epoch reg was registered with */
	int64_t registered_mono;	/* when (mgr_mono_us, before it) */
	int beat_ms;
	/* The database is a server, which a restart or the network can
	 * take away: a failed beat puts the host down and it reconnects
	 * with backoff.  0 (a file): a failed beat is said once a streak
	 * and the next beat opens the connection again, as it always did. */
	int server;
	/* The backoff's longest wait between two tries (ms), from
	 * HB_RETRY_MIN_MS doubling: host_reconnect_max_ms. */
	int retry_max_ms;
	/* Checked before each renewal (NULL: none, a standby's): once its
	 * session is gone, the thread reconnects with backoff and takes it
	 * again if this host is still the one its registry row names, or
	 * reports lock_lost and stops beating.  Used by the thread only
	 * from heartbeat_start to heartbeat_stop. */
	struct db_host_lock *lock;
	/* Called on the thread after each beat that changed the state
	 * (NULL: the owner reads it when it likes). */
	void (*notify)(void *arg);
	void *notify_arg;
};

/* What the beats found so far.  The thread writes it, the owner reads a
 * copy (heartbeat_state): the thread acts on nothing but its own row. */
struct heartbeat_state {
	int64_t epoch;		/* the epoch the host is registered with */
	int64_t renewed_mono;	/* when the last renewal (or registration)
				 * that went through was sent, mgr_mono_us */
	int64_t lease_us;	/* the lease it asked for */
	unsigned fences;	/* renewals that matched no row, so far */
	int fenced;		/* the last one did, and registering again
				 * failed: fenced until a renewal goes through */
	int draining;		/* the last renewal's row said draining */
	int lock_lost;		/* another host has the engine now */
	char lock_msg[MGR_ERROR_MAX];	/* why */
	/* The database out of reach (a beat failed, or the engine lock's
	 * session ended: the server restarted): since when (mgr_now_us, 0
	 * while reachable), and when the thread tries again (mgr_mono_us). */
	int64_t down_since, retry_mono;
};

/* Opens the thread's connection and starts beating every beat_ms. */
int heartbeat_start(const struct heartbeat_conf *c, struct heartbeat **out,
		    struct mgr_error *err);
void heartbeat_state(struct heartbeat *hb, struct heartbeat_state *out);
/* The lease the next renewals ask for (a reload changed host_lease_ms). */
void heartbeat_set_lease(struct heartbeat *hb, int64_t lease_us);
/* Stops the thread (waiting for a statement it is in) and frees it. */
void heartbeat_stop(struct heartbeat *hb);

#endif
