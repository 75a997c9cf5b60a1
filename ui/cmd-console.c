/* cmd-console.c - "manager console" (also what "manager" alone runs on a
 * terminal). */
#include "i18n.h"
#include "cmd.h"
#include "error.h"
#include "tui.h"

static int
cmd_console_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int rc;

	(void)args;
	rc = ui_console_run(ctx->mgr, &err);
	if (rc < 0)
		return cmd_fail(ctx, rc, err.msg);
	return rc;
}

const struct cmd_entry cmd_console_entry = {
	.noun = "console",
	.verb = NULL,
	.usage = "",
	.summary = N_("open the interactive console (the default on a terminal)"),
	.flags = CMD_HOST,
	.min_args = 0,
	.max_args = 0,
	.run = cmd_console_run,
};

/* The console folder's commands. */
const struct cmd_entry *const ui_commands[] = {
	&cmd_console_entry,
	NULL
};
