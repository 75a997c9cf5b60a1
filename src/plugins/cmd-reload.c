/* cmd-reload.c - manager plugin reload ID. */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "plugins.h"
#include "reloader.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int
reload_answer(struct cmd_ctx *ctx, const char *id, int64_t t0, int rc,
	      const struct mgr_error *err)
{
	struct mgr_error rerr = { 0 };
	struct plugin_rec p = { 0 };

	if (rc != 0)
		return cmd_fail(ctx, err->code, err->msg);
	if (plugin_store_read(ctx->mgr->db, id, &p, &rerr) != 0)
		return cmd_fail(ctx, rerr.code, rerr.msg);
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

/* A reload carried out by the engine, answered when the plugin's host
 * workers have (reloader.h). */
struct reload_wait {
	struct mgr *mgr;
	char *id;
	int64_t t0;
	struct cmd_later *later;
};

static void
reload_answered(void *arg, int rc, const struct mgr_error *err)
{
	struct reload_wait *w = arg;
	struct cmd_ctx ctx = { .mgr = w->mgr, .out = w->later->out,
	    .err = w->later->err, .json = w->later->json };

	w->later->finish(w->later, reload_answer(&ctx, w->id, w->t0, rc, err));
	free(w->id);
	free(w);
}

static int
plugin_reload_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *id = args->argv[0];
	struct mgr_error err = { 0 };
	int64_t t0 = mgr_mono_us();
	struct reload_wait *w;
	int rc;

	if (ctx->defer == NULL)		/* nobody to answer later */
		return reload_answer(ctx, id, t0, reloader_reload(ctx->mgr, id,
		    &err), &err);
	w = xcalloc(1, sizeof *w);
	w->mgr = ctx->mgr;
	w->id = xstrdup(id);
	w->t0 = t0;
	if ((rc = reloader_reload_later(ctx->mgr, id, reload_answered, w,
	    &err)) == PLUGINS_LATER) {
		w->later = ctx->defer(ctx);
		return CMD_EXIT_LATER;
	}
	free(w->id);
	free(w);
	return reload_answer(ctx, id, t0, rc, &err);
}

const struct cmd_entry cmd_plugin_reload_entry = {
	.noun = "plugin", .verb = "reload", .usage = N_("ID"),
	.summary = N_("validate and load a plugin's files again (rolls back "
	    "by itself on failure)"),
	.flags = CMD_MUTATES | CMD_WAITS_WORKER | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.target = CMD_TARGET_PLUGIN, .run = plugin_reload_run,
};
