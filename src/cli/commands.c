/* commands.c - the program's command table: every folder's own list, in
 * the order `manager --help` shows them.  Only the front end names the
 * folders; no folder names another's commands. */
#include "cli.h"
#include "cmd.h"
#include "db.h"
#include "engine.h"
#include "error.h"
#include "manager.h"
#include "plugins.h"
#include "run_view.h"
#include "scheduler.h"
#include "store.h"
#include "task_context_store.h"
#include "tui.h"

#include <stddef.h>

static const struct cmd_entry *const *const lists[] = {
	cli_commands,
	ui_commands,
	store_commands,
	engine_commands,
	task_commands,
	plugin_commands,
	NULL
};

/* A command's target, looked up as the command itself would: the same
 * store errors ("no task "x"", exit 3).  A command run without the
 * database (CMD_NO_DB) has nothing to look in. */
static int
find_target(struct cmd_ctx *ctx, enum cmd_target kind, const char *id,
	    struct mgr_error *err)
{
	struct plugin_rec p = { 0 };
	struct task_rec t;
	struct run_rec r;
	int64_t run_id;
	int rc = 0;

	if (ctx->mgr == NULL || ctx->mgr->db == NULL)
		return 0;
	switch (kind) {
	case CMD_TARGET_TASK:
		if ((rc = taskmgr_get(ctx->mgr, id, &t, err)) == 0)
			task_rec_clear(&t);
		break;
	case CMD_TARGET_PLUGIN:
		rc = plugin_store_read(ctx->mgr->db, id, &p, err);
		plugin_rec_clear(&p);
		break;
	case CMD_TARGET_RUN:
		if ((rc = task_run_id_parse(id, &run_id, err)) == 0 &&
		    (rc = run_usage_store_read(ctx->mgr->db, run_id, &r, err)) == 0)
			run_rec_clear(&r);
		break;
	case CMD_TARGET_NONE:
		break;
	}
	return rc;
}

const struct cmd_table cli_table = { lists, find_target };
