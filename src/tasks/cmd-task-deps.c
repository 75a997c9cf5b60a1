/* cmd-task-deps.c - manager task deps ID: the tasks a task runs after
 * (upstream) and the tasks that run after it (downstream), with its
 * notifications. */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "scheduler.h"
#include "task_hooks.h"
#include "task_hooks_store.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct downstream {
	const char *id;
	char **after, **after_any;	/* tasks that run after id */
};

static void
print_list(struct cmd_ctx *ctx, const char *label, char *const *v)
{
	fprintf(ctx->out, "%-20s", label);
	if (v == NULL || v[0] == NULL)
		fprintf(ctx->out, "-");
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		fprintf(ctx->out, "%s%s", i > 0 ? ", " : "", v[i]);
	fputc('\n', ctx->out);
}

static void
deps_print(struct cmd_ctx *ctx, const struct task_hooks *h,
	   const struct downstream *d)
{
	if (ctx->json) {
		json_t *o = task_hooks_json(h);
		char *s;

		json_object_set_new(o, "task_id", json_string(d->id));
		json_object_set_new(o, "before", strv_json(d->after));
		json_object_set_new(o, "before_any", strv_json(d->after_any));
		s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", s);
		free(s);
		json_decref(o);
		return;
	}
	print_list(ctx, _("runs after (all):"), h->after);
	print_list(ctx, _("runs after (any):"), h->after_any);
	print_list(ctx, _("runs before:"), d->after);
	print_list(ctx, _("runs before (any):"), d->after_any);
	if (h->group != NULL)
		fprintf(ctx->out, "%-20s%s\n", _("concurrency group:"), h->group);
	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (h->on[e] != NULL)
			fprintf(ctx->out, "%-20s%s\n", hook_event_name(e), h->on[e]);
}

static int
task_deps_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct downstream d = { .id = args->target };
	struct task_hooks h;
	int rc;

	if ((rc = task_hooks_get(ctx->mgr, args->target, &h, &err)) == 0)
		rc = task_hooks_downstream(ctx->mgr->db, args->target, &d.after,
		    &d.after_any, &err);
	if (rc == 0)
		deps_print(ctx, &h, &d);
	task_hooks_clear(&h);
	strv_free(d.after);
	strv_free(d.after_any);
	if (rc != 0)
		return cmd_fail(ctx, rc, err.msg);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_task_deps_entry = {
	.noun = "task", .verb = "deps", .usage = "ID",
	.summary = N_("show the tasks a task runs after and before, and its "
	    "notifications"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1,
	.target = CMD_TARGET_TASK, .run = task_deps_run,
};
