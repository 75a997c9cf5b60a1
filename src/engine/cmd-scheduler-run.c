/* cmd-scheduler-run.c - `manager __scheduler-run --for SECONDS` (hidden):
 * hosts the plugins and the scheduler alone for a while, without the
 * host lock, the control plane or the API (tests and benchmarks). */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "plugins.h"
#include "scheduler.h"
#include "util.h"

#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* __scheduler-run: the loop's watchers of a short-lived host. */
struct sched_host {
	struct mgr *mgr;
	ev_timer stop;
	ev_signal sigterm, sigint, sighup;
	int stopping;
};

static void
sched_host_done(struct mgr *mgr)
{
	ev_break(mgr->loop, EVBREAK_ALL);
}

static void
sched_host_stop(struct sched_host *h)
{
	if (h->stopping++)
		return;
	ev_timer_stop(h->mgr->loop, &h->stop);
	ev_signal_stop(h->mgr->loop, &h->sigterm);
	ev_signal_stop(h->mgr->loop, &h->sigint);
	ev_signal_stop(h->mgr->loop, &h->sighup);
	scheduler_shutdown(h->mgr, h->mgr->conf->shutdown_grace_seconds,
	    sched_host_done);
}

static void
sched_host_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	sched_host_stop(w->data);
}

static void
sched_host_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	sched_host_stop(w->data);
}

static void
sched_host_reloaded(void *arg, int rc, const struct mgr_error *err)
{
	struct mgr *mgr = arg;

	if (rc != 0)
		log_error(&mgr->log, "%s", err->msg);
}

/* SIGHUP: re-read tasks_directory off the loop, as the daemon does. */
static void
sched_host_hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct sched_host *h = w->data;

	(void)loop;
	(void)revents;
	scheduler_reload_files_start(h->mgr, sched_host_reloaded, h->mgr);
}

static int
sched_run_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr *mgr = ctx->mgr;
	struct mgr_error err = { 0 };
	struct sched_host h = { .mgr = mgr };
	const char *value = cmd_args_value(args, "for");
	double secs;

	if (value == NULL || (secs = atof(value)) <= 0)
		return cmd_fail(ctx, MGR_EINVAL, _("--for needs a number of seconds"));
	mgr->loop = ev_default_loop(0);
	if (plugins_start(mgr, &err) != 0)
		fprintf(ctx->err, "manager: %s\n", err.msg);	/* the rest still runs */
	if (scheduler_start(mgr, &err) != 0) {
		plugins_stop(mgr);
		return cmd_fail(ctx, err.code, err.msg);
	}
	/* The loop's time is still the one read when it was made, before
	 * the plugins and the scheduler started: without a fresh one, a
	 * start that took longer than SECONDS left no time at all. */
	ev_now_update(mgr->loop);
	ev_timer_init(&h.stop, sched_host_timer_cb, secs, 0);
	h.stop.data = &h;
	ev_timer_start(mgr->loop, &h.stop);
	ev_signal_init(&h.sigterm, sched_host_signal_cb, SIGTERM);
	h.sigterm.data = &h;
	ev_signal_start(mgr->loop, &h.sigterm);
	ev_signal_init(&h.sigint, sched_host_signal_cb, SIGINT);
	h.sigint.data = &h;
	ev_signal_start(mgr->loop, &h.sigint);
	ev_signal_init(&h.sighup, sched_host_hup_cb, SIGHUP);
	h.sighup.data = &h;
	ev_signal_start(mgr->loop, &h.sighup);
	ev_run(mgr->loop, 0);
	scheduler_free(mgr);
	plugins_stop(mgr);
	return CMD_EXIT_OK;
}

static const struct cmd_option sched_run_options[] = {
	{ "for", 0, "SECONDS", N_("how long to run (needed)"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_sched_run_entry = {
	.noun = "__scheduler-run", .verb = NULL, .usage = "",
	.summary = N_("host the scheduler alone for a while (tests)"),
	.flags = CMD_HIDDEN, .min_args = 0, .max_args = 0,
	.options = sched_run_options, .run = sched_run_run,
};
