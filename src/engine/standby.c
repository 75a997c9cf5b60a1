/* standby.c - a daemon that finds the engine lock held on a database
 * server waits for it as a standby (issue 19; doc/ARCHITECTURE.md,
 * "Standby hosts").
 *
 * It registers in the host registry with the role standby and renews
 * its lease every heartbeat on the heartbeat's thread (heartbeat.c), as
 * the engine host does, so `host list` shows it.  At each heartbeat it
 * tries the lock; while another host
 * holds it, it asks the database whether the holder's lease ran out (by
 * the database's clock: hosts_store_fence_holder), and if so ends every
 * session of that host, which frees the lock and leaves the fenced host
 * unable to write anything more; it then takes the lock at once.  The
 * engine's start does the rest as after any crash: the holder's
 * unfinished runs are recorded interrupted (and run again or not as each
 * task's on_interrupt says), its claimed fire times settled.
 *
 * One host runs the engine at a time: the others wait.  The wait is not
 * on a libev loop (no engine runs yet): poll(2) on a signalfd of
 * SIGTERM, SIGINT and SIGHUP, with the heartbeat as its timeout.  A lost
 * connection (a restart of the server) is opened again at the next
 * heartbeat, and said once.
 */
#include "i18n.h"
#include "dbstring.h"
#include "engine.h"
#include "heartbeat.h"
#include "host.h"
#include "hosts_store.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct standby {
	struct mgr *mgr;
	const char *kind;
	int64_t epoch;			/* registered with at start */
	struct heartbeat *hb;		/* renews the standby's lease */
	int failing;			/* the database is out of reach */
	int sfd;			/* signalfd: SIGTERM, SIGINT, SIGHUP */
	sigset_t old;			/* the mask before */
};

/* Registers as a standby and starts the heartbeat's thread, which
 * renews the lease (and registers again when fenced: a sweep declared
 * the standby dead while it was paused, say) and sweeps, on a
 * connection of its own: never behind a try of the lock, which may wait
 * up to 10 s for the session of a holder that is gone. */
static int
standby_register(struct standby *sb, struct mgr_error *err)
{
	struct mgr *mgr = sb->mgr;
	char *labels = hostreg_labels_json(mgr->conf);
	struct host_reg r = {
		.host_id = mgr->conf->host_id, .lease_us = hostreg_lease_us(mgr),
		.pid = (int)getpid(), .version = PACKAGE_VERSION,
		.labels = labels, .standby = 1,
	};
	struct heartbeat_conf c = {
		.db_path = db_path(mgr->db), .log = &mgr->log, .reg = r,
		.beat_ms = hostreg_beat_ms(mgr),
		.server = db_string_is_server(db_path(mgr->db)),
		.retry_max_ms = mgr->conf->host_reconnect_max_ms,
	};
	int rc;

	c.registered_mono = mgr_mono_us();
	if ((rc = hosts_store_register(mgr->db, &r, &sb->epoch, err)) == 0) {
		c.epoch = sb->epoch;
		if ((rc = heartbeat_start(&c, &sb->hb, err)) != 0)
			hosts_store_leave(mgr->db, r.host_id, sb->epoch, NULL);
	}
	free(labels);
	return rc;
}

/* The database is out of reach: the connection is made again (a
 * restart of the server ended it). */
static int
standby_reconnect(struct standby *sb, struct mgr_error *err)
{
	struct mgr *mgr = sb->mgr;

	db_close(mgr->db);
	mgr->db = NULL;
	return mgr_open_db(mgr, err);
}

/* Ends the sessions of a holder whose lease ran out; 1 when it did (the
 * lock is free now). */
static int
standby_fence(struct standby *sb)
{
	struct mgr *mgr = sb->mgr;
	struct mgr_error err = { 0 };
	struct host_rec *v;
	size_t n;

	if (hosts_store_fence_holder(mgr->db, &v, &n, &err) != 0) {
		log_warning(&mgr->log, "%s", err.msg);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		log_warning(&mgr->log, _("host %s (epoch %lld, pid %d) held the "
		    "engine lock %lld ms past its lease: its database sessions "
		    "were ended"), v[i].host_id, (long long)v[i].epoch, v[i].pid,
		    (long long)(-v[i].lease_left_us / 1000));
	host_rec_free_all(v, n);
	return n > 0;
}

/* One try of the lock: 0 when it is taken (mgr->host set), MGR_EBUSY
 * when it is still held, another code when the database failed. */
static int
standby_beat(struct standby *sb, struct mgr_error *err)
{
	struct mgr *mgr = sb->mgr;
	int rc;

	if (sb->failing && (rc = standby_reconnect(sb, err)) != 0)
		return rc;
	if ((rc = engine_host_acquire(mgr, sb->kind, err)) != MGR_EBUSY ||
	    !standby_fence(sb))
		return rc;
	return engine_host_acquire(mgr, sb->kind, err);
}

/* Says a change of the database's reach, once per change. */
static void
standby_reach(struct standby *sb, int rc, const struct mgr_error *err)
{
	struct mgr *mgr = sb->mgr;
	int failing = rc != 0 && rc != MGR_EBUSY;

	if (failing && !sb->failing)
		log_warning(&mgr->log, _("standby host %s: %s (trying again "
		    "every heartbeat)"), mgr->conf->host_id, err->msg);
	else if (!failing && sb->failing)
		log_info(&mgr->log, _("standby host %s: the database answers "
		    "again"), mgr->conf->host_id);
	sb->failing = failing;
}

/* Waits one heartbeat or a stop signal; 1 on a signal. */
static int
standby_sleep(struct standby *sb)
{
	struct pollfd p = { .fd = sb->sfd, .events = POLLIN };
	struct signalfd_siginfo si;

	if (poll(&p, 1, hostreg_beat_ms(sb->mgr)) <= 0)
		return 0;
	if (read(sb->sfd, &si, sizeof si) != (ssize_t)sizeof si)
		return 0;
	/* SIGHUP reloads an engine's configuration; a standby has none
	 * running yet: it reads the file when it starts one. */
	return si.ssi_signo != SIGHUP;
}

/* A stop (SIGTERM, SIGINT) that came while a beat took the lock: it
 * waits in the signalfd, and restoring the mask would let it loose on a
 * process that has no handler for it yet, killing the daemon instead of
 * stopping it.  SIGHUP is dropped: the engine reads the configuration as
 * it starts. */
static int
standby_stop_pending(struct standby *sb)
{
	struct pollfd p = { .fd = sb->sfd, .events = POLLIN };
	struct signalfd_siginfo si;

	while (poll(&p, 1, 0) > 0) {
		if (read(sb->sfd, &si, sizeof si) != (ssize_t)sizeof si)
			return 0;
		if (si.ssi_signo != SIGHUP)
			return 1;
	}
	return 0;
}

static int
standby_signals(struct standby *sb, struct mgr_error *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &sb->old) != 0 ||
	    (sb->sfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		return mgr_error_set(err, MGR_EIO, _("cannot wait for signals: "
		    "%s"), strerror(errno));
	return 0;
}

int
engine_standby(struct mgr *mgr, const char *kind, struct mgr_error *err)
{
	struct standby sb = { .mgr = mgr, .kind = kind, .sfd = -1 };
	struct heartbeat_state st;
	int rc;

	sigprocmask(SIG_SETMASK, NULL, &sb.old);
	if ((rc = standby_signals(&sb, err)) != 0 ||
	    (rc = standby_register(&sb, err)) != 0)
		goto out;
	log_info(&mgr->log, _("standby host %s (epoch %lld): another host runs "
	    "the engine on this database; waiting for its lock"),
	    mgr->conf->host_id, (long long)sb.epoch);
	for (;;) {
		if (standby_sleep(&sb)) {
			rc = 1;
			break;
		}
		if ((rc = standby_beat(&sb, err)) == 0) {
			if (standby_stop_pending(&sb)) {	/* as if waiting */
				engine_host_release(mgr);
				rc = 1;
			}
			break;
		}
		standby_reach(&sb, rc, err);
	}
	/* Stopped before the engine's start registers this host again (as
	 * the engine): a renewal of the standby's epoch after that would be
	 * fenced and register a standby again. */
	if (sb.hb != NULL) {
		heartbeat_state(sb.hb, &st);
		heartbeat_stop(sb.hb);
		sb.epoch = st.epoch;
	}
	if (rc == 1 && mgr->db != NULL && !sb.failing)
		hosts_store_leave(mgr->db, mgr->conf->host_id, sb.epoch, NULL);
out:
	if (sb.sfd != -1)
		close(sb.sfd);
	sigprocmask(SIG_SETMASK, &sb.old, NULL);
	return rc;
}
