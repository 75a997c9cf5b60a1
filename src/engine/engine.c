/* engine.c - the engine host's life: start-up of the loop's subsystems,
 * signals, reload, housekeeping, shutdown.  The seed's runtimer.
 *
 * Everything here runs on the loop thread.  The order of start-up is the
 * order of dependencies (plugins before the scheduler that calls them,
 * the control plane and the API last, once there is something to drive);
 * shutdown goes the other way.
 */
#include "i18n.h"
#include "api.h"
#include "confine.h"
#include "control_store.h"
#include "engine.h"
#include "fault.h"
#include "host.h"
#include "manager.h"
#include "notify.h"
#include "plugins.h"
#include "reloader.h"
#include "runner.h"
#include "scheduler.h"
#include "sweep.h"
#include "util.h"

#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* On the hour, with the minute's and the scheduler's housekeeping (all
 * on wall-clock boundaries, so that an idle engine wakes once a minute
 * for all of them). */
#define HOUSEKEEPING_S		3600.0

static void
engine_housekeeping_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct mgr *mgr = w->data;

	(void)loop;
	(void)revents;
	if (scheduler_bulk_writing(mgr))
		return;		/* a write: it would wait for the bulk's lock */
	control_prune(mgr);
}

static void
engine_reloaded(void *arg, int rc, const struct mgr_error *err)
{
	struct mgr *mgr = arg;

	if (rc != 0)
		log_error(&mgr->log, "reload failed, the previous configuration "
		    "stays in force: %s", err->msg);
}

static void
engine_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct mgr *mgr = w->data;

	(void)loop;
	(void)revents;
	if (w->signum == SIGHUP) {
		log_info(&mgr->log, "SIGHUP: reloading the configuration");
		engine_reload(mgr, engine_reloaded, mgr);
		return;
	}
	log_info(&mgr->log, "%s: shutting down (grace %d s)",
	    w->signum == SIGTERM ? "SIGTERM" : "SIGINT",
	    mgr->conf->shutdown_grace_seconds);
	engine_shutdown(mgr, mgr->conf->shutdown_grace_seconds, NULL);
}

static void
engine_signals_start(struct mgr *mgr)
{
	struct host *h = mgr->host;
	ev_signal *sigs[] = { &h->sigterm, &h->sigint, &h->sighup };
	int nums[] = { SIGTERM, SIGINT, SIGHUP };

	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		ev_signal_init(sigs[i], engine_signal_cb, nums[i]);
		sigs[i]->data = mgr;
		ev_signal_start(mgr->loop, sigs[i]);
	}
	/* A client that hangs up mid-answer must not kill the host. */
	signal(SIGPIPE, SIG_IGN);
}

static void
engine_signals_stop(struct mgr *mgr)
{
	struct host *h = mgr->host;

	if (strcmp(h->kind, ENGINE_KIND_CONSOLE) == 0)
		return;

	ev_signal_stop(mgr->loop, &h->sigterm);
	ev_signal_stop(mgr->loop, &h->sigint);
	ev_signal_stop(mgr->loop, &h->sighup);
}

/* The reloads and commands that came during a bulk command's
 * transaction. */
static void
engine_bulk_written(struct mgr *mgr)
{
	if (mgr->host == NULL)
		return;
	engine_reload_resume(mgr);
	if (mgr->host->control != NULL)
		control_drain(mgr, mgr->host->control);
}

static const struct sched_events plugin_events = {
	.run_crashed = fault_run_crashed,	/* the circuit breaker */
	.emit = plugins_emit,			/* the plugins' hooks */
	.bulk_written = engine_bulk_written,
};

void
engine_wire(struct mgr *mgr)
{
	mgr->sched_events = &plugin_events;
	mgr->plugin_runner = &plugin_runner_ops;
	/* What a crash left of an install, uninstall, restore or snapshot
	 * is settled before any command looks at plugins. */
	mgr->recover = plugins_sweep;
}

/* The subsystems other helpers own: plugins, then the scheduler. */
static int
engine_start_subsystems(struct mgr *mgr, struct mgr_error *err)
{
	int rc;

	if ((rc = plugins_start(mgr, err)) != 0)
		return rc;
	if ((rc = scheduler_start(mgr, err)) != 0)
		plugins_stop(mgr);
	else if ((rc = reloader_start(mgr, err)) != 0) {	/* hot reload */
		scheduler_free(mgr);
		plugins_stop(mgr);
	}
	return rc;
}

/* The scheduler is shut down (its runs over or interrupted) first. */
static void
engine_stop_subsystems(struct mgr *mgr)
{
	reloader_stop(mgr);
	scheduler_free(mgr);
	plugins_stop(mgr);
}

/* Names at start the parts of the plugin sandbox this kernel lacks. */
static void
engine_log_sandbox(struct mgr *mgr)
{
	struct confine_parts parts;
	char *missing;

	if (!mgr->conf->sandboxing) {
		if (mgr->conf->sandbox_require)
			log_warning(&mgr->log, _("sandbox_require = true with "
			    "sandboxing = false: plugin functions will not run"));
		return;
	}
	confine_probe(&parts);
	if ((missing = confine_missing(&parts)) == NULL)
		return;
	log_warning(&mgr->log, mgr->conf->sandbox_require ?
	    _("plugin sandbox: this kernel lacks %s; sandbox_require = true: "
	    "plugin functions will not run") : _("plugin sandbox: this kernel "
	    "lacks %s; plugins run without it (sandbox_require = true refuses)"),
	    missing);
	free(missing);
}

int
engine_start(struct mgr *mgr, struct mgr_error *err)
{
	struct host *h = mgr->host;
	int rc;

	if (h == NULL)
		return mgr_error_set(err, MGR_EINVAL,
		    _("engine_start without the host lock"));
	if (mgr->loop == NULL)
		mgr->loop = ev_default_loop(EVFLAG_AUTO);
	/* Signals first: once the host row says a daemon runs, a SIGINT or
	 * SIGTERM must reach it (a background job starts with SIGINT
	 * ignored), even while the subsystems still start; the callbacks run
	 * only once the loop does.  The console reads its own signals (and
	 * calls engine_shutdown). */
	if (strcmp(h->kind, ENGINE_KIND_CONSOLE) != 0)
		engine_signals_start(mgr);
	/* Registered (a new epoch) before the scheduler takes any work. */
	if ((rc = hostreg_start(mgr, err)) != 0) {
		engine_signals_stop(mgr);
		return rc;
	}
	if ((rc = engine_start_subsystems(mgr, err)) != 0) {
		hostreg_stop(mgr);
		engine_signals_stop(mgr);
		return rc;
	}
	if ((rc = control_start(mgr, &h->control, err)) != 0 ||
	    (rc = api_start(mgr, &h->api, err)) != 0) {
		control_free(h->control);
		h->control = NULL;
		engine_stop_subsystems(mgr);
		hostreg_stop(mgr);
		engine_signals_stop(mgr);
		return rc;
	}
	ev_periodic_init(&h->housekeeping, engine_housekeeping_cb, 0.,
	    HOUSEKEEPING_S, NULL);
	h->housekeeping.data = mgr;
	ev_periodic_start(mgr->loop, &h->housekeeping);
	h->started = 1;
	log_info(&mgr->log, "engine host started (%s, pid %ld, database %s)",
	    h->kind, (long)getpid(), db_path(mgr->db));
	engine_log_sandbox(mgr);
	return 0;
}

static void
engine_finish_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct mgr *mgr = w->data;
	struct host *h = mgr->host;

	(void)revents;
	ev_idle_stop(loop, w);
	log_info(&mgr->log, "engine host stopped taking work");
	if (h->done != NULL)
		h->done(mgr);
	else
		ev_break(loop, EVBREAK_ALL);
}

/* Called when the running tasks are over (or at once without a
 * scheduler): calls `done` from the loop, never from inside the caller. */
static void
engine_shutdown_done(struct mgr *mgr)
{
	struct host *h = mgr->host;

	ev_idle_init(&h->finish, engine_finish_cb);
	h->finish.data = mgr;
	ev_idle_start(mgr->loop, &h->finish);
}

void
engine_shutdown(struct mgr *mgr, int grace_seconds,
		void (*done)(struct mgr *mgr))
{
	struct host *h = mgr->host;

	if (h == NULL || !h->started || h->stopping)
		return;
	h->stopping = 1;
	h->done = done;
	notify_state("STOPPING=1");
	control_pause(h->control);
	api_stop(h->api);
	h->api = NULL;
	ev_periodic_stop(mgr->loop, &h->housekeeping);
	/* Running tasks get the grace period, then are ended and recorded
	 * as interrupted; done comes back through the loop. */
	scheduler_shutdown(mgr, grace_seconds, engine_shutdown_done);
}

void
engine_stop(struct mgr *mgr)
{
	struct host *h = mgr->host;

	if (h == NULL || !h->started)
		return;
	engine_signals_stop(mgr);
	ev_periodic_stop(mgr->loop, &h->housekeeping);
	ev_idle_stop(mgr->loop, &h->finish);
	api_stop(h->api);
	h->api = NULL;
	control_free(h->control);
	h->control = NULL;
	h->stopping = 1;	/* a reload waiting does not start now */
	engine_stop_subsystems(mgr);
	hostreg_stop(mgr);	/* its runs are over: the host left */
	h->started = 0;
	h->stopping = 0;
}
