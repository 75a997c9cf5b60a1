/* hostreg.c - this engine host in the host registry (hosts_store.h):
 * registered at start under a new epoch, its lease renewed every
 * heartbeat, `left` at a clean stop; and the self-fence, which holds the
 * scheduler (no due fire time taken) while the host cannot be sure it is
 * still the one the database knows.
 *
 * Fenced: the last successful renewal is older than 0.8 of the lease by
 * this process's monotonic clock (the database may already count the
 * lease as run out: its clock, not ours, decides; 0.8 leaves a margin for
 * the renewal's own time), or a renewal matched no row (another start
 * took the epoch on, or a sweep declared the host dead).  A host fenced
 * by a renewal registers again at once, under a new epoch; one that could
 * not reach the database stays fenced until a renewal goes through.
 * Draining (`host drain`) holds the scheduler as well.
 *
 * The renewal is one short statement on the loop every heartbeat, after
 * a `SELECT 1` on the engine lock's own session, which fails once a
 * standby has fenced this host (standby.c: the host then stops for
 * good; synchronous, as every statement of the loop for now: see
 * doc/ARCHITECTURE.md, "Host registry" and "Standby hosts").  On a database file (SQLite) there is
 * no heartbeat unless one is configured: one host runs per file, which
 * its lock says, so a lease would tell nobody anything, and an idle
 * engine then writes nothing and wakes once a minute, as cron does.
 */
#include "i18n.h"
#include "dbstring.h"
#include "engine.h"
#include "host.h"
#include "hosts_store.h"
#include "manager.h"
#include "scheduler.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define US_PER_MS 1000
/* The heartbeat in force (ms), 0 for none. */
int
hostreg_beat_ms(const struct mgr *mgr)
{
	if (mgr->conf->host_heartbeat_ms > 0)
		return mgr->conf->host_heartbeat_ms;
	/* The default: on a server, where several hosts may share the
	 * database; none on a file. */
	return db_string_is_server(db_path(mgr->db)) ?
	    CONF_HEARTBEAT_SERVER_MS : 0;
}

/* The lease (us), 0 for none: a host without a heartbeat holds none. */
int64_t
hostreg_lease_us(const struct mgr *mgr)
{
	return hostreg_beat_ms(mgr) > 0 ?
	    (int64_t)mgr->conf->host_lease_ms * US_PER_MS : 0;
}

/* The configured labels as a JSON array (malloc'd). */
char *
hostreg_labels_json(const struct mgr_conf *conf)
{
	json_t *a = json_array();
	char *s;

	for (char **v = conf->host_labels; v != NULL && *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int
hostreg_register(struct mgr *mgr, struct mgr_error *err)
{
	struct host *h = mgr->host;
	char *labels = hostreg_labels_json(mgr->conf);
	struct host_reg r = {
		.host_id = h->host_id, .lease_us = hostreg_lease_us(mgr),
		.pid = (int)getpid(), .version = PACKAGE_VERSION,
		.labels = labels, .lock_session = db_host_lock_session(h->lock),
	};
	int64_t epoch;
	int rc;

	rc = hosts_store_register(mgr->db, &r, &epoch, err);
	free(labels);
	if (rc != 0)
		return rc;
	h->epoch = epoch;
	h->renewed_mono = mgr_mono_us();
	h->renew_fenced = 0;
	h->draining = 0;
	return 0;
}

/* Tells the scheduler what the flags say, and the log when it changes. */
static void
hostreg_apply(struct mgr *mgr)
{
	struct host *h = mgr->host;
	int hold = h->self_fenced || h->renew_fenced || h->draining ||
	    h->lock_lost;

	if (hold == h->held)
		return;
	h->held = hold;
	if (hold)
		log_warning(&mgr->log, _("host %s (epoch %lld): %s: starting no "
		    "new run"), h->host_id, (long long)h->epoch, h->draining &&
		    !h->self_fenced && !h->renew_fenced ? _("draining") :
		    _("fenced"));
	else
		log_info(&mgr->log, _("host %s (epoch %lld): starting runs "
		    "again"), h->host_id, (long long)h->epoch);
	scheduler_hold(mgr, hold);
}

/* A renewal matched no row: the host registers again, under a new
 * epoch (and stays fenced if even that fails). */
static void
hostreg_refenced(struct mgr *mgr)
{
	struct host *h = mgr->host;
	struct mgr_error err = { 0 };
	long long old = (long long)h->epoch;

	h->renew_fenced = 1;
	hostreg_apply(mgr);
	if (hostreg_register(mgr, &err) != 0) {
		log_warning(&mgr->log, _("host %s was fenced (epoch %lld is no "
		    "longer current) and cannot register again: %s"),
		    h->host_id, old, err.msg);
		return;
	}
	log_warning(&mgr->log, _("host %s was fenced (epoch %lld is no longer "
	    "current); registered again with epoch %lld"), h->host_id, old,
	    (long long)h->epoch);
}

/* Hosts whose lease ran out are marked dead, and said: at every
 * heartbeat, by every host that has one (a file's one host has none). */
void
hostreg_sweep(struct mgr *mgr)
{
	struct mgr_error err = { 0 };
	struct host_rec *v;
	size_t n;

	if (hosts_store_sweep(mgr->db, &v, &n, &err) != 0) {
		log_warning(&mgr->log, "%s", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++)
		log_warning(&mgr->log, _("host %s (epoch %lld, pid %d) is dead: "
		    "its lease ran out %lld ms ago"), v[i].host_id,
		    (long long)v[i].epoch, v[i].pid,
		    (long long)(-v[i].lease_left_us / US_PER_MS));
	host_rec_free_all(v, n);
}

/* Fenced while the last good renewal is older than 0.8 of the lease by
 * this host's own clock; the scheduler told. */
static void
hostreg_self_fence(struct mgr *mgr)
{
	struct host *h = mgr->host;
	int64_t valid = hostreg_lease_us(mgr) * 8 / 10;

	h->self_fenced = mgr_mono_us() - h->renewed_mono > valid;
	hostreg_apply(mgr);
	/* Past that time the scheduler holds by itself, whatever runs first
	 * when the loop wakes (after a SIGSTOP, its due fire times may come
	 * before this timer). */
	scheduler_hold_after(mgr, valid > 0 ? h->renewed_mono + valid : 0);
}

/* Whether another host fenced this one (ended its database sessions:
 * standby.c): it holds the scheduler for good, and a daemon stops, so
 * that its supervisor starts it again, as a standby.  Said once. */
static int
hostreg_lock_lost(struct mgr *mgr)
{
	struct host *h = mgr->host;
	struct mgr_error err = { 0 };

	if (h->lock_lost)
		return 1;
	if (db_host_lock_check(h->lock, &err) == 0)
		return 0;
	h->lock_lost = 1;
	hostreg_apply(mgr);
	log_error(&mgr->log, _("host %s (epoch %lld) lost the engine lock (%s): "
	    "another host may run the engine now; this one stops"),
	    h->host_id, (long long)h->epoch, err.msg);
	if (strcmp(h->kind, ENGINE_KIND_DAEMON) == 0)
		engine_shutdown(mgr, 0, NULL);
	return 1;
}

int
engine_host_lost(const struct mgr *mgr)
{
	return mgr->host != NULL && mgr->host->lock_lost;
}

static void
hostreg_renew_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct mgr *mgr = w->data;
	struct host *h = mgr->host;
	struct mgr_error err = { 0 };
	int fenced, draining, was = h->renew_failing;

	(void)loop;
	(void)revents;
	/* On a file, a bulk command's transaction holds the one write lock
	 * and the renewal would wait for it on the loop: this beat is left
	 * out (a long one may run the lease out: the host self-fences, as
	 * when it cannot reach the database, until a renewal goes through). */
	if (scheduler_bulk_writing(mgr) &&
	    !db_string_is_server(db_path(mgr->db))) {
		hostreg_self_fence(mgr);
		return;
	}
	if (hostreg_lock_lost(mgr))
		return;
	h->renew_failing = hosts_store_renew(mgr->db, h->host_id, h->epoch,
	    hostreg_lease_us(mgr), &fenced, &draining, &err) != 0;
	if (h->renew_failing && !was)	/* once, not every heartbeat */
		log_warning(&mgr->log, _("host %s: cannot renew its lease: %s"),
		    h->host_id, err.msg);
	else if (!h->renew_failing && fenced)
		hostreg_refenced(mgr);
	else if (!h->renew_failing) {
		h->renewed_mono = mgr_mono_us();
		h->renew_fenced = 0;
		h->draining = draining;
		hostreg_sweep(mgr);
	}
	hostreg_self_fence(mgr);
}

int
hostreg_start(struct mgr *mgr, struct mgr_error *err)
{
	struct host *h = mgr->host;
	double beat = hostreg_beat_ms(mgr) / 1000.0;
	int rc;

	h->host_id = xstrdup(mgr->conf->host_id);
	if ((rc = hostreg_register(mgr, err)) != 0) {
		free(h->host_id);
		h->host_id = NULL;
		return rc;
	}
	ev_timer_init(&h->renew, hostreg_renew_cb, beat, beat);
	h->renew.data = mgr;
	if (beat > 0) {
		ev_timer_start(mgr->loop, &h->renew);
		log_info(&mgr->log, _("host %s registered with epoch %lld "
		    "(lease %d ms, heartbeat %d ms)"), h->host_id,
		    (long long)h->epoch, mgr->conf->host_lease_ms,
		    hostreg_beat_ms(mgr));
	} else
		log_info(&mgr->log, _("host %s registered with epoch %lld (no "
		    "lease: one host per database file)"), h->host_id,
		    (long long)h->epoch);
	return 0;
}

void
hostreg_stop(struct mgr *mgr)
{
	struct host *h = mgr->host;
	struct mgr_error err = { 0 };

	if (h == NULL || h->host_id == NULL)
		return;
	ev_timer_stop(mgr->loop, &h->renew);
	if (mgr->db != NULL && hosts_store_leave(mgr->db, h->host_id, h->epoch,
	    &err) != 0)
		log_warning(&mgr->log, "%s", err.msg);
	free(h->host_id);
	h->host_id = NULL;
	h->epoch = 0;
}

int
engine_host_drain(struct mgr *mgr, const char *host_id, int draining,
		  struct mgr_error *err)
{
	struct host *h = mgr->host;
	int rc;

	if ((rc = hosts_store_set_draining(mgr->db, host_id, draining,
	    err)) != 0)
		return rc;
	/* This host's own drain holds the scheduler now, not a heartbeat
	 * later: the command's answer is the acknowledgement. */
	if (h != NULL && h->host_id != NULL &&
	    strcmp(h->host_id, host_id) == 0) {
		h->draining = draining;
		hostreg_apply(mgr);
	}
	return 0;
}

int
engine_host_registry(struct mgr *mgr, struct engine_host_reg *out)
{
	struct host *h = mgr->host;

	if (h == NULL || h->host_id == NULL)
		return MGR_ENOENT;
	out->host_id = h->host_id;
	out->epoch = h->epoch;
	out->fenced = h->self_fenced || h->renew_fenced;
	out->draining = h->draining;
	return 0;
}
