/* commands.c - the program's command table: every folder's own list, in
 * the order `manager --help` shows them.  Only the front end names the
 * folders; no folder names another's commands. */
#include "cli.h"
#include "cmd.h"
#include "db.h"
#include "engine.h"
#include "plugins.h"
#include "scheduler.h"
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

const struct cmd_table cli_table = { lists };
