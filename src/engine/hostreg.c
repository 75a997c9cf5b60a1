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
 * The database out of reach (a renewal failed, or the engine lock's
 * session ended: the server restarted, the network broke) holds the
 * scheduler too; the running children go on and their ends wait in the
 * history writer's memory.  The heartbeat's thread reconnects with
 * backoff and takes the lock again if the registry row still names this
 * host's epoch and nobody else took the lock; then, and only then (a
 * fenced host must not write), the loop makes its own connection and
 * the writer's again (hostreg_reconnect), and the hold ends.  If
 * another host has the engine, the host is fenced (hostreg_lock_lost).
 *
 * The renewal, the check of the engine lock's own session before it
 * (which fails once a standby has fenced this host: standby.c), the
 * registration again and the sweep run on the
 * heartbeat's thread with a connection of its own (heartbeat.c), never
 * behind the loop's work: a loop busy longer than the lease keeps it.
 * The thread reports by an ev_async of the highest priority, so a loop
 * that wakes from long work reads the report before its scheduler's
 * wake-up; an ev_timer every heartbeat checks the self-fence's clock on
 * the loop when no report comes (the server out of reach, the thread
 * waiting for it).  On a database file (SQLite) there is no heartbeat
 * unless one is configured: one host runs per file, which its lock says,
 * so a lease would tell nobody anything, and an idle engine then writes
 * nothing and wakes once a minute, as cron does.
 */
#include "i18n.h"
#include "db.h"
#include "dbstring.h"
#include "engine.h"
#include "heartbeat.h"
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

/* On the heartbeat's thread: a report for the loop. */
static void
hostreg_notify(void *arg)
{
	struct mgr *mgr = arg;

	ev_async_send(mgr->loop, &mgr->host->report);
}

/* Registers under a new epoch and starts the heartbeat's thread (with a
 * heartbeat in force), which renews from then on. */
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
	struct heartbeat_conf c = {
		.db_path = db_path(mgr->db), .log = &mgr->log, .reg = r,
		.beat_ms = hostreg_beat_ms(mgr),
		.server = db_string_is_server(db_path(mgr->db)),
		.retry_max_ms = mgr->conf->host_reconnect_max_ms, .lock = h->lock,
		.notify = hostreg_notify, .notify_arg = mgr,
	};
	int rc;

	c.registered_mono = h->renewed_mono = mgr_mono_us();
	h->lease_us = r.lease_us;
	rc = hosts_store_register(mgr->db, &r, &h->epoch, err);
	c.epoch = h->epoch;
	if (rc == 0 && c.beat_ms > 0 &&
	    (rc = heartbeat_start(&c, &h->hb, err)) != 0)
		hosts_store_leave(mgr->db, h->host_id, h->epoch, NULL);
	free(labels);
	return rc;
}

/* Tells the scheduler what the flags say, and the log when it changes. */
static void
hostreg_apply(struct mgr *mgr)
{
	struct host *h = mgr->host;
	int down = h->down_since != 0 || h->loop_lost;
	int hold = h->self_fenced || h->renew_fenced || h->draining ||
	    h->lock_lost || down;
	const char *why = h->lock_lost || h->renew_fenced ? _("fenced") :
	    down ? _("the database is out of reach") : h->self_fenced ?
	    _("fenced") : _("draining");

	if (hold == h->held)
		return;
	h->held = hold;
	if (hold)
		log_warning(&mgr->log, _("host %s (epoch %lld): %s: starting no "
		    "new run"), h->host_id, (long long)h->epoch, why);
	else
		log_info(&mgr->log, _("host %s (epoch %lld): starting runs "
		    "again"), h->host_id, (long long)h->epoch);
	scheduler_hold(mgr, hold);
}

/* After an outage, once the loop's connection is back: the control
 * plane's watch made again (its own connection may have given up). */
static void
hostreg_rewatch(struct mgr *mgr)
{
	struct host *h = mgr->host;

	if (!h->rewatch)
		return;
	h->rewatch = 0;
	if (h->control != NULL)
		control_rewatch(h->control);
}

/* The loop's connection and the history writer's, made again once the
 * heartbeat's thread has this host's lease back (reachable, a renewal
 * within 0.8 of the lease) by a beat that began after the loss was
 * found: that beat found the engine lock's session alive, and a fence
 * ends every session of the host at once, so no other host took over.
 * Until the loop's own connection is back the scheduler holds
 * (loop_lost).  A connection attempt waits at most libpq's
 * connect_timeout (the store sets one); the server just answered the
 * thread.  After an outage the loop's connection is tried with a
 * statement (libpq finds a broken one only by using it). */
static void
hostreg_reconnect(struct mgr *mgr)
{
	struct host *h = mgr->host;
	struct mgr_error err = { 0 };

	if (h->down_since != 0 || h->lock_lost || h->self_fenced ||
	    h->renew_fenced)
		return;
	scheduler_db_reconnect(mgr, h->renewed_mono);
	if (h->probe) {
		h->probe = 0;
		h->rewatch = 1;
		(void)db_data_version(mgr->db);
	}
	if (!db_lost(mgr->db)) {
		h->loop_lost = 0;
		hostreg_rewatch(mgr);
		return;
	}
	if (!h->loop_lost) {
		h->loop_lost = 1;
		h->loop_lost_mono = mgr_mono_us();
	}
	if (h->renewed_mono <= h->loop_lost_mono)
		return;		/* the next beat verifies */
	if (db_reconnect(mgr->db, &err) == 0) {
		h->loop_lost = h->loop_said = 0;
		hostreg_rewatch(mgr);
		return;
	}
	if (!h->loop_said)	/* once a streak */
		log_warning(&mgr->log, _("host %s: cannot reconnect the "
		    "engine's connection yet: %s"), h->host_id, err.msg);
	h->loop_said = 1;
	h->loop_lost_mono = mgr_mono_us();
}

/* Fenced while the last good renewal is older than 0.8 of the lease it
 * asked for, by this host's own clock; the scheduler told. */
static void
hostreg_self_fence(struct mgr *mgr)
{
	struct host *h = mgr->host;
	int64_t valid = h->lease_us * 8 / 10;

	h->self_fenced = mgr_mono_us() - h->renewed_mono > valid;
	hostreg_reconnect(mgr);
	hostreg_apply(mgr);
	/* Past that time the scheduler holds by itself, whatever runs first
	 * when the loop wakes (after a SIGSTOP, its due fire times may come
	 * before the heartbeat's report). */
	scheduler_hold_after(mgr, valid > 0 ? h->renewed_mono + valid : 0);
}

/* Another host has the engine (it fenced this one, ending its database
 * sessions: standby.c, or took the lock while this one was cut off):
 * this one holds the scheduler for good, drops the records that waited
 * for the database (the new engine host settles those runs), and a
 * daemon stops, so that its supervisor starts it again, as a standby.
 * Said once. */
static void
hostreg_lock_lost(struct mgr *mgr, const char *why)
{
	struct host *h = mgr->host;

	if (h->lock_lost)
		return;
	h->lock_lost = 1;
	scheduler_db_fenced(mgr);
	hostreg_apply(mgr);
	log_error(&mgr->log, _("host %s (epoch %lld) lost the engine lock (%s): "
	    "another host may run the engine now; this one stops"),
	    h->host_id, (long long)h->epoch, why);
	if (strcmp(h->kind, ENGINE_KIND_DAEMON) == 0)
		engine_shutdown(mgr, 0, NULL);
}

int
engine_host_lost(const struct mgr *mgr)
{
	return mgr->host != NULL && mgr->host->lock_lost;
}

/* What the heartbeat's thread found, taken on the loop.  A fence is
 * held and said under the epoch it fenced before the new epoch is
 * taken; a renewal sent before this host's own `host drain` went
 * through says nothing of it. */
static void
hostreg_take(struct mgr *mgr)
{
	struct host *h = mgr->host;
	struct heartbeat_state st;

	heartbeat_state(h->hb, &st);
	if (st.lock_lost) {
		hostreg_lock_lost(mgr, st.lock_msg);
		return;
	}
	if (st.fences != h->fences) {
		h->fences = st.fences;
		h->renew_fenced = 1;
		hostreg_apply(mgr);
	}
	h->epoch = st.epoch;
	h->renew_fenced = st.fenced;
	h->renewed_mono = st.renewed_mono;
	if (h->down_since != 0 && st.down_since == 0)
		h->probe = 1;
	h->down_since = st.down_since;
	h->retry_mono = st.retry_mono;
	h->lease_us = st.lease_us;
	if (st.renewed_mono > h->drain_mono)
		h->draining = st.draining;
	hostreg_self_fence(mgr);
	/* host_lease_ms holds from the next renewal after a reload. */
	heartbeat_set_lease(h->hb, hostreg_lease_us(mgr));
}

static void
hostreg_report_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	hostreg_take(w->data);
}

/* The self-fence's clock, when no report comes (the thread waits for a
 * server out of reach).  It takes the thread's state too: after a long
 * callback this timer may run before the report of the same wake-up,
 * and must not fence on a renewal the thread already made. */
static void
hostreg_clock_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	hostreg_take(w->data);
}

int
hostreg_start(struct mgr *mgr, struct mgr_error *err)
{
	struct host *h = mgr->host;
	double beat = hostreg_beat_ms(mgr) / 1000.0;
	int rc;

	h->host_id = xstrdup(mgr->conf->host_id);
	/* Before the thread can report (hostreg_register starts it). */
	ev_async_init(&h->report, hostreg_report_cb);
	ev_set_priority(&h->report, EV_MAXPRI);
	h->report.data = mgr;
	ev_timer_init(&h->fence_clock, hostreg_clock_cb, beat, beat);
	h->fence_clock.data = mgr;
	if (beat > 0) {
		ev_async_start(mgr->loop, &h->report);
		ev_timer_start(mgr->loop, &h->fence_clock);
	}
	if ((rc = hostreg_register(mgr, err)) != 0) {
		ev_async_stop(mgr->loop, &h->report);
		ev_timer_stop(mgr->loop, &h->fence_clock);
		free(h->host_id);
		h->host_id = NULL;
		return rc;
	}
	if (beat > 0)
		log_info(&mgr->log, _("host %s registered with epoch %lld "
		    "(lease %d ms, heartbeat %d ms)"), h->host_id,
		    (long long)h->epoch, mgr->conf->host_lease_ms,
		    hostreg_beat_ms(mgr));
	else
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
	struct heartbeat_state st;

	if (h == NULL || h->host_id == NULL)
		return;
	if (h->hb != NULL) {
		heartbeat_state(h->hb, &st);
		heartbeat_stop(h->hb);
		h->hb = NULL;
		h->epoch = st.epoch;
	}
	ev_async_stop(mgr->loop, &h->report);
	ev_timer_stop(mgr->loop, &h->fence_clock);
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
		h->drain_mono = mgr_mono_us();
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
	out->fenced = h->self_fenced || h->renew_fenced || h->lock_lost;
	out->draining = h->draining;
	out->down_since = h->down_since != 0 ? h->down_since :
	    h->loop_lost ? mgr_now_us() : 0;
	out->retry_in_us = h->down_since != 0 && h->retry_mono > mgr_mono_us() ?
	    h->retry_mono - mgr_mono_us() : 0;
	out->waiting = scheduler_db_waiting(mgr);
	return 0;
}
