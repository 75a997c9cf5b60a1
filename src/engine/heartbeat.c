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
 * A beat that fails (the server restarted, say) closes the connection;
 * the next one opens it again, and the first failure of a streak is said
 * once.
 */
#include "i18n.h"
#include "db.h"
#include "heartbeat.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct heartbeat {
	struct heartbeat_conf c;	/* its strings are the copies below */
	char *db_path, *host_id, *version, *labels;
	struct mgr_db *db;		/* the thread's own; NULL: open again */
	int64_t epoch;			/* the thread's copy of st.epoch */
	int failing;			/* said once a streak */
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

/* The engine lock's session is gone (a standby fenced this host, or the
 * server restarted): said to the owner, who stops; nothing more beats. */
static void
hb_lock_lost(struct heartbeat *hb, const char *why)
{
	pthread_mutex_lock(&hb->lock);
	hb->st.lock_lost = 1;
	snprintf(hb->st.lock_msg, sizeof hb->st.lock_msg, "%s", why);
	pthread_mutex_unlock(&hb->lock);
	hb_notify(hb);
}

/* A beat that failed: said once a streak; the connection is opened
 * again by the next beat (whatever broke it). */
static void
hb_failed(struct heartbeat *hb, const struct mgr_error *err)
{
	if (!hb->failing)
		log_warning(hb->c.log, _("host %s: cannot renew its lease: %s"),
		    hb->host_id, err->msg);
	hb->failing = 1;
	if (hb->db != NULL)
		db_close(hb->db);
	hb->db = NULL;
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
	if (hb->failing)
		log_info(hb->c.log, _("host %s: its lease is renewed again"),
		    hb->host_id);
	hb->failing = 0;
	pthread_mutex_lock(&hb->lock);
	hb->st.renewed_mono = sent;
	hb->st.lease_us = lease_us;
	hb->st.fenced = 0;
	hb->st.draining = draining;
	pthread_mutex_unlock(&hb->lock);
}

static void
hb_beat(struct heartbeat *hb)
{
	struct mgr_error err = { 0 };
	int fenced = 0, draining = 0;
	int64_t sent, lease_us;

	if (hb->c.lock != NULL && db_host_lock_check(hb->c.lock, &err) != 0) {
		hb_lock_lost(hb, err.msg);
		return;
	}
	if (hb->db == NULL && db_open(hb->db_path, &hb->db, &err) != 0) {
		hb->db = NULL;
		hb_failed(hb, &err);
		return;
	}
	pthread_mutex_lock(&hb->lock);
	lease_us = hb->lease_us;
	pthread_mutex_unlock(&hb->lock);
	sent = mgr_mono_us();
	if (hosts_store_renew(hb->db, hb->host_id, hb->epoch, lease_us,
	    &fenced, &draining, &err) != 0) {
		hb_failed(hb, &err);
		return;
	}
	if (fenced)
		hb_register_again(hb, lease_us);
	else {
		hb_renewed(hb, sent, lease_us, draining);
		hb_sweep(hb);
	}
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

static void *
hb_main(void *arg)
{
	struct heartbeat *hb = arg;
	struct timespec at;

	clock_gettime(CLOCK_MONOTONIC, &at);
	pthread_mutex_lock(&hb->lock);
	while (!hb->stopping) {
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
