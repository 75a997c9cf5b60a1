/* heartbeat.c - a host's lease renewed on a thread of its own, with a
 * database connection that nothing else uses (issue 19).
 *
 * Why a thread and not libpq's asynchronous API on the loop: a renewal
 * sent by the loop is still read by the loop, so a loop held by its own
 * work (a synchronous statement waiting for a lock, a second of due fire
 * times at thousands a second) would let the lease run out and a
 * standby fence a host that was only busy.  The thread renews whatever
 * the loop does, and only the database's answer decides.  It acts on
 * nothing but its own row: it renews, registers again under a new epoch
 * when a renewal matched no row, sweeps the hosts whose lease ran out,
 * and says what it found in a heartbeat_state that its owner reads (the
 * engine host's loop, woken by `notify`; a standby at its own pace).
 * The scheduler stays the loop's: the self-fence (0.8 of the lease by
 * the monotonic clock since the last renewal that went through) is
 * computed by the loop from renewed_mono, the time the renewal was sent
 * (the lease is the database's now() then plus the lease, so the send
 * time is never later than the lease's start).
 *
 * A beat that fails, or finds the engine lock's session ended (the
 * server restarted, say), puts the host "down": the connection is
 * closed and tried again with backoff (HB_RETRY_MIN_MS doubling to
 * host_reconnect_max_ms, with jitter), the loss and the recovery said once
 * each.  A lock whose session ended is taken again only for the host its
 * registry row still names (same epoch, alive or draining), and only
 * while no other session holds it; else another host has the engine and
 * the thread reports lock_lost (hb_retake).
 */
#include "i18n.h"
#include "db.h"
#include "heartbeat.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The wait between two tries while the database is out of reach: from
 * the first to the configured longest (retry_max_ms), doubling, each
 * drawn between half and all of it so that hosts that lost one server
 * do not come back in step. */
#define HB_RETRY_MIN_MS 100

struct heartbeat {
	struct heartbeat_conf c;	/* its strings are the copies below */
	char *db_path, *host_id, *version, *labels;
	struct mgr_db *db;		/* the thread's own; NULL: open again */
	int64_t epoch;			/* the thread's copy of st.epoch */
	int lock_gone;			/* the lock's session ended: retake */
	int failing;			/* a file's failed beat, said */
	int retry_ms;			/* the backoff's step, 0 while up */
	unsigned seed;			/* its jitter (rand_r) */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* heartbeat_stop */
	int stopping;			/* under lock */
	int64_t lease_us;		/* asked for by the next beat, under lock */
	struct heartbeat_state st;	/* under lock */
};

static void
hb_notify(struct heartbeat *hb)
{
	if (hb->c.notify != NULL)
		hb->c.notify(hb->c.notify_arg);
}

/* Another host has the engine (it fenced this one, or took the lock
 * while this one was cut off): said to the owner, who stops; nothing
 * more beats. */
static void
hb_lock_lost(struct heartbeat *hb, const char *why)
{
	pthread_mutex_lock(&hb->lock);
	hb->st.lock_lost = 1;
	snprintf(hb->st.lock_msg, sizeof hb->st.lock_msg, "%s", why);
	pthread_mutex_unlock(&hb->lock);
	hb_notify(hb);
}

/* The next try's wait (ms): the backoff's step doubled, with jitter. */
static int
hb_backoff(struct heartbeat *hb)
{
	int max = hb->c.retry_max_ms > HB_RETRY_MIN_MS ? hb->c.retry_max_ms :
	    HB_RETRY_MIN_MS;

	hb->retry_ms = hb->retry_ms == 0 ? HB_RETRY_MIN_MS :
	    hb->retry_ms >= max / 2 ? max : hb->retry_ms * 2;
	return hb->retry_ms / 2 + (int)(rand_r(&hb->seed) %
	    (unsigned)(hb->retry_ms / 2 + 1));
}

/* A beat that failed: the connection closed, tried again after the
 * backoff; the loss said once (hb_up says the recovery). */
static void
hb_down(struct heartbeat *hb, const struct mgr_error *err)
{
	int64_t wait_us;
	int first;

	if (hb->db != NULL)
		db_close(hb->db);
	hb->db = NULL;
	if (!hb->c.server) {	/* a file: tried again at the next beat */
		if (!hb->failing)
			log_warning(hb->c.log, _("host %s: cannot renew its "
			    "lease: %s"), hb->host_id, err->msg);
		hb->failing = 1;
		return;
	}
	wait_us = (int64_t)hb_backoff(hb) * 1000;
	pthread_mutex_lock(&hb->lock);
	if ((first = hb->st.down_since == 0))
		hb->st.down_since = mgr_now_us();
	hb->st.retry_mono = mgr_mono_us() + wait_us;
	pthread_mutex_unlock(&hb->lock);
	if (first)
		log_warning(hb->c.log, _("host %s lost the database: %s; "
		    "reconnecting, every %d ms at first, then up to every "
		    "%d ms (host_reconnect_max_ms)"), hb->host_id, err->msg,
		    HB_RETRY_MIN_MS, hb->c.retry_max_ms > HB_RETRY_MIN_MS ?
		    hb->c.retry_max_ms : HB_RETRY_MIN_MS);
	else	/* each try, for whoever debugs a long outage */
		log_debug(hb->c.log, "host %s: reconnecting in %lld ms: %s",
		    hb->host_id, (long long)(wait_us / 1000), err->msg);
	hb_notify(hb);
}

/* A beat went through: the end of an outage, said once. */
static void
hb_up(struct heartbeat *hb)
{
	int64_t since;

	if (hb->failing)
		log_info(hb->c.log, _("host %s: its lease is renewed again"),
		    hb->host_id);
	hb->failing = 0;
	pthread_mutex_lock(&hb->lock);
	since = hb->st.down_since;
	hb->st.down_since = 0;
	pthread_mutex_unlock(&hb->lock);
	hb->retry_ms = 0;
	if (since != 0)
		log_info(hb->c.log, _("host %s reconnected to the database "
		    "after %.1f s (epoch %lld)"), hb->host_id,
		    (double)(mgr_now_us() - since) / 1e6,
		    (long long)hb->epoch);
}

/* The renewal matched no row: registered again under a new epoch, or
 * fenced until a renewal goes through. */
static void
hb_register_again(struct heartbeat *hb, int64_t lease_us)
{
	struct mgr_error err = { 0 };
	int64_t sent = mgr_mono_us(), old = hb->epoch, epoch = 0;
	int rc;

	hb->c.reg.lease_us = lease_us;
	rc = hosts_store_register(hb->db, &hb->c.reg, &epoch, &err);
	pthread_mutex_lock(&hb->lock);
	hb->st.fences++;
	hb->st.fenced = rc != 0;
	if (rc == 0) {
		hb->epoch = hb->st.epoch = epoch;
		hb->st.renewed_mono = sent;
		hb->st.lease_us = lease_us;
		hb->st.draining = 0;
	}
	pthread_mutex_unlock(&hb->lock);
	if (rc != 0)
		log_warning(hb->c.log, _("host %s was fenced (epoch %lld is no "
		    "longer current) and cannot register again: %s"),
		    hb->host_id, (long long)old, err.msg);
	else
		log_warning(hb->c.log, _("host %s was fenced (epoch %lld is no "
		    "longer current); registered again with epoch %lld"),
		    hb->host_id, (long long)old, (long long)epoch);
}

/* Hosts whose lease ran out are marked dead, and said: at every beat
 * that renewed, by every host that has a heartbeat. */
static void
hb_sweep(struct heartbeat *hb)
{
	struct mgr_error err = { 0 };
	struct host_rec *v;
	size_t n;

	if (hosts_store_sweep(hb->db, &v, &n, &err) != 0) {
		log_warning(hb->c.log, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++)
		log_warning(hb->c.log, _("host %s (epoch %lld, pid %d) is dead: "
		    "its lease ran out %lld ms ago"), v[i].host_id,
		    (long long)v[i].epoch, v[i].pid,
		    (long long)(-v[i].lease_left_us / 1000));
	host_rec_free_all(v, n);
}

static void
hb_renewed(struct heartbeat *hb, int64_t sent, int64_t lease_us,
	   int draining)
{
	hb_up(hb);
	pthread_mutex_lock(&hb->lock);
	hb->st.renewed_mono = sent;
	hb->st.lease_us = lease_us;
	hb->st.fenced = 0;
	hb->st.draining = draining;
	pthread_mutex_unlock(&hb->lock);
}

/* The engine lock again after its session ended: a new session, named
 * in this host's row if the row is still this epoch's (alive or
 * draining: nobody declared it dead meanwhile), then the lock on it if
 * nobody else took it.  0: the host goes on (*sent, *draining set);
 * 1: another host has the engine (said by hb_lock_lost); -1: the
 * server is still out of reach (err set). */
static int
hb_retake(struct heartbeat *hb, int64_t lease_us, int64_t *sent,
	  int *draining, struct mgr_error *err)
{
	int fenced = 0, rc;

	if (db_host_lock_reopen(hb->c.lock, err) != 0)
		return -1;
	*sent = mgr_mono_us();
	if (hosts_store_reclaim(hb->db, hb->host_id, hb->epoch, lease_us,
	    db_host_lock_session(hb->c.lock), &fenced, draining, err) != 0)
		return -1;
	if (fenced) {
		char why[MGR_ERROR_MAX];

		snprintf(why, sizeof why, _("its registry row is no longer "
		    "epoch %lld's: another host declared it dead, or a start "
		    "under its id took the epoch on"), (long long)hb->epoch);
		hb_lock_lost(hb, why);
		return 1;
	}
	if ((rc = db_host_lock_retake(hb->c.lock, err)) == MGR_EBUSY) {
		hb_lock_lost(hb, err->msg);
		return 1;
	}
	if (rc != 0)
		return -1;
	hb->lock_gone = 0;
	return 0;
}

/* Renews (or, after the lock's session ended, takes the lock again):
 * 0 when the beat went through, -1 on a failure (err set), 1 when
 * another host has the engine.  sent: the beat's start, before the
 * lock's check, so that a renewal's time says the lock's session lived
 * then too (the loop reconnects only after such a time: hostreg.c). */
static int
hb_renew(struct heartbeat *hb, int64_t sent, int64_t lease_us,
	 struct mgr_error *err)
{
	int fenced = 0, draining = 0, rc;

	if (hb->lock_gone) {
		if ((rc = hb_retake(hb, lease_us, &sent, &draining, err)) != 0)
			return rc;
	} else if (hosts_store_renew(hb->db, hb->host_id, hb->epoch, lease_us,
	    &fenced, &draining, err) != 0)
		return -1;
	if (fenced) {
		hb_up(hb);
		hb_register_again(hb, lease_us);
		return 0;
	}
	hb_renewed(hb, sent, lease_us, draining);
	hb_sweep(hb);
	return 0;
}

static void
hb_beat(struct heartbeat *hb)
{
	struct mgr_error err = { 0 };
	int64_t lease_us, sent = mgr_mono_us();
	int rc;

	if (hb->c.lock != NULL && !hb->lock_gone &&
	    db_host_lock_check(hb->c.lock, &err) != 0) {
		hb->lock_gone = 1;
		hb_down(hb, &err);
		return;
	}
	mgr_error_clear(&err);
	if (hb->db == NULL && db_open(hb->db_path, &hb->db, &err) != 0) {
		hb->db = NULL;
		hb_down(hb, &err);
		return;
	}
	pthread_mutex_lock(&hb->lock);
	lease_us = hb->lease_us;
	pthread_mutex_unlock(&hb->lock);
	if ((rc = hb_renew(hb, sent, lease_us, &err)) < 0)
		hb_down(hb, &err);
	else if (rc == 0)
		hb_notify(hb);
}

/* The next beat's time: `ms` after the last one's, or after now when a
 * slow beat (a server out of reach) overran it: no burst after. */
static void
hb_next(struct timespec *at, int ms)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	at->tv_sec += ms / 1000;
	at->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (at->tv_nsec >= 1000000000L) {
		at->tv_sec++;
		at->tv_nsec -= 1000000000L;
	}
	if (at->tv_sec < now.tv_sec ||
	    (at->tv_sec == now.tv_sec && at->tv_nsec < now.tv_nsec)) {
		*at = now;
		hb_next(at, ms);
	}
}

/* The monotonic time mono_us (mgr_mono_us) as a timespec. */
static void
hb_retry_at(struct timespec *at, int64_t mono_us)
{
	struct timespec now;
	int64_t left = mono_us - mgr_mono_us();

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (left < 0)
		left = 0;
	at->tv_sec = now.tv_sec + (time_t)(left / 1000000);
	at->tv_nsec = now.tv_nsec + (long)(left % 1000000) * 1000L;
	if (at->tv_nsec >= 1000000000L) {
		at->tv_sec++;
		at->tv_nsec -= 1000000000L;
	}
}

static void *
hb_main(void *arg)
{
	struct heartbeat *hb = arg;
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	pthread_mutex_lock(&hb->lock);
	while (!hb->stopping) {
		if (hb->retry_ms > 0)	/* down: the backoff's wait */
			hb_retry_at(&at, hb->st.retry_mono);
		else
			hb_next(&at, hb->c.beat_ms);
		while (!hb->stopping && !hb->st.lock_lost &&
		    pthread_cond_timedwait(&hb->wake, &hb->lock, &at) != ETIMEDOUT)
			;
		/* Once the lock is lost there is nothing to renew for. */
		if (hb->st.lock_lost) {
			while (!hb->stopping)
				pthread_cond_wait(&hb->wake, &hb->lock);
		}
		if (hb->stopping)
			break;
		pthread_mutex_unlock(&hb->lock);
		hb_beat(hb);
		pthread_mutex_lock(&hb->lock);
	}
	pthread_mutex_unlock(&hb->lock);
	return NULL;
}

static void
hb_free(struct heartbeat *hb)
{
	if (hb->db != NULL)
		db_close(hb->db);
	free(hb->db_path);
	free(hb->host_id);
	free(hb->version);
	free(hb->labels);
	free(hb);
}

int
heartbeat_start(const struct heartbeat_conf *c, struct heartbeat **out,
		struct mgr_error *err)
{
	struct heartbeat *hb = xcalloc(1, sizeof *hb);
	pthread_condattr_t attr;
	int rc;

	hb->c = *c;
	hb->db_path = xstrdup(c->db_path);
	hb->c.reg.host_id = hb->host_id = xstrdup(c->reg.host_id);
	hb->c.reg.version = hb->version = xstrdup(c->reg.version);
	hb->c.reg.labels = hb->labels = c->reg.labels != NULL ?
	    xstrdup(c->reg.labels) : NULL;
	hb->epoch = hb->st.epoch = c->epoch;
	hb->st.renewed_mono = c->registered_mono;
	hb->seed = (unsigned)(mgr_mono_us() ^ (int64_t)getpid());
	hb->lease_us = hb->st.lease_us = c->reg.lease_us;
	if ((rc = db_open(hb->db_path, &hb->db, err)) != 0) {
		hb->db = NULL;
		hb_free(hb);
		return rc;
	}
	pthread_mutex_init(&hb->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&hb->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (thread_create_named(&hb->thread, "mgr-heartbeat", hb_main, hb) != 0) {
		pthread_cond_destroy(&hb->wake);
		pthread_mutex_destroy(&hb->lock);
		hb_free(hb);
		return mgr_error_set(err, MGR_EIO, _("cannot start the "
		    "heartbeat of host %s"), c->reg.host_id);
	}
	*out = hb;
	return 0;
}

void
heartbeat_state(struct heartbeat *hb, struct heartbeat_state *out)
{
	pthread_mutex_lock(&hb->lock);
	*out = hb->st;
	pthread_mutex_unlock(&hb->lock);
}

void
heartbeat_set_lease(struct heartbeat *hb, int64_t lease_us)
{
	pthread_mutex_lock(&hb->lock);
	hb->lease_us = lease_us;
	pthread_mutex_unlock(&hb->lock);
}

void
heartbeat_stop(struct heartbeat *hb)
{
	if (hb == NULL)
		return;
	thread_ask_stop(&hb->lock, &hb->wake, &hb->stopping);
	pthread_join(hb->thread, NULL);
	pthread_cond_destroy(&hb->wake);
	pthread_mutex_destroy(&hb->lock);
	hb_free(hb);
}
