/* cmd-reload.c - manager plugin reload ID. */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "reloader.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int
plugin_reload_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **argv = args->argv;
	struct mgr_error err = { 0 };
	struct plugin_rec p = { 0 };
	int64_t t0 = mgr_mono_us();

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
	.target = CMD_TARGET_PLUGIN, .run = plugin_reload_run,
};
