/* cmd-reload.c - manager plugin reload ID, and a hidden host for tests
 * (plugins, scheduler and reloader in one loop, for a while). */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "plugins.h"
#include "reloader.h"
#include "scheduler.h"
#include "util.h"

#include <ev.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
plugin_reload_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	struct plugin_rec p = { 0 };
	int64_t t0 = mgr_mono_us();

	(void)argc;
	if (reloader_reload(ctx->mgr, argv[0], &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (plugin_store_read(ctx->mgr->db, argv[0], &p, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:I}", "id", p.id,
		    "version", p.version, "state", p.state, "reload_ms",
		    (json_int_t)((mgr_mono_us() - t0) / 1000));
		char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", s);
		free(s);
		json_decref(j);
	} else
		fprintf(ctx->out, _("reloaded %s %s\n"), p.id, p.version);
	plugin_rec_clear(&p);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_plugin_reload_entry = {
	.noun = "plugin", .verb = "reload", .usage = N_("ID"),
	.summary = N_("validate and load a plugin's files again (rolls back "
	    "by itself on failure)"),
	.flags = CMD_MUTATES, .min_args = 1, .max_args = 1,
	.exec = plugin_reload_exec,
};

struct reload_host {
	struct mgr *mgr;
	ev_timer stop;
	ev_signal sigterm;
};

static void
reload_host_stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	(void)w;
	ev_break(loop, EVBREAK_ALL);
}

static void
reload_host_signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	(void)w;
	ev_break(loop, EVBREAK_ALL);
}

/* Hosts plugins, scheduler and reloader for --for SECONDS (or until
 * SIGTERM), until `manager --daemon` does it for good. */
static int
reload_host_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgr *mgr = ctx->mgr;
	struct mgr_error err = { 0 };
	struct reload_host h = { .mgr = mgr };
	const char *value = NULL;
	double secs;

	if (cmd_take_option(ctx, &argc, argv, "--for", &value) <= 0 ||
	    (secs = atof(value)) <= 0)
		return cmd_fail(ctx, MGR_EINVAL, _("--for needs a number of seconds"));
	mgr->loop = ev_default_loop(0);
	if (plugins_start(mgr, &err) != 0 || scheduler_start(mgr, &err) != 0 ||
	    reloader_start(mgr, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	ev_timer_init(&h.stop, reload_host_stop_cb, secs, 0);
	ev_timer_start(mgr->loop, &h.stop);
	ev_signal_init(&h.sigterm, reload_host_signal_cb, SIGTERM);
	ev_signal_start(mgr->loop, &h.sigterm);
	fprintf(ctx->out, "ready %d\n", (int)getpid());
	fflush(ctx->out);
	ev_run(mgr->loop, 0);
	reloader_stop(mgr);
	scheduler_free(mgr);
	plugins_stop(mgr);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_reload_host_entry = {
	.noun = "__reload-host", .verb = NULL, .usage = "--for SECONDS",
	.summary = N_("host plugins with hot reload for a while (tests)"),
	.flags = CMD_HIDDEN, .min_args = 0, .max_args = 1,
	.exec = reload_host_exec,
};
