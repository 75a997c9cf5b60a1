/* task_add.h - `manager task add`, shared by its two roads: one task
 * from the command line (cmd-task.c) and many from a file in one
 * transaction (`--from`, cmd-task-add-from.c).  Both read a task with
 * the same option table and the same checks: task_add_read. */
#ifndef MGR_TASK_ADD_H
#define MGR_TASK_ADD_H

#include <jansson.h>
#include "cmd.h"
#include "store.h"
#include "task_context.h"
#include "task_hooks.h"

struct task_add {
	struct task_rec t;
	struct task_context c;
	struct task_hooks h;
	const char *const *fields;	/* trigger fields: in the args' argv */
	size_t nfields;
	char *context_json;	/* task_context_to_json(&c); NULL: default */
};

void task_add_init(struct task_add *a);
void task_add_clear(struct task_add *a);
/* A `task add` command line (args: ID FUNC TYPE FIELD=VALUE and the
 * options) read into a and checked as far as it can be without the
 * store: the options' values, the trigger fields' form, the run's
 * context on this host, the plugin.  The hooks (task_hooks_check) and
 * the trigger (task_prepare) are the caller's.  checked (NULL: none)
 * keeps the contexts and programs found good, checked once for many
 * tasks.  0, or the exit status with the error printed on ctx->err. */
struct idmap;
int task_add_read(struct cmd_ctx *ctx, const struct cmd_args *args,
		  struct task_add *a, struct idmap *checked);
/* The task as `task show --json` prints it, or NULL when it is gone. */
json_t *task_add_json(struct mgr *mgr, const char *id);
/* The same into *out, or the store's error (MGR_ENOENT: no such task):
 * the HTTP API's task answers (GET, pause, resume), read without a
 * command line. */
int task_show_json(struct mgr *mgr, const char *id, json_t **out,
		   struct mgr_error *err);
/* MGR_ECONFLICT naming the file when t comes from a task file (a change
 * by hand needs --force and lasts until the next reload), as `task
 * pause` without --force refuses it; else 0. */
int task_pause_refused(const struct task_rec *t, struct mgr_error *err);

/* --from FILE|- (cmd-task-add-from.c). */
int task_add_from(struct cmd_ctx *ctx, const struct cmd_args *args);
/* Whether a `task add` command line reads stdin: --from - (the host
 * running a client's command gets it from the client). */
int task_add_reads_stdin(int argc, char *const *argv);

#endif
