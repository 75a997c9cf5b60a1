/* cmd-task-import.c - manager task import crontab|systemd: tasks from a
 * crontab or a systemd timer (import.h), shown (--dry-run) or written
 * in one transaction. */
#include "i18n.h"
#include "cmd.h"
#include "cmd_applied.h"
#include "import.h"
#include "manager.h"
#include "scheduler.h"
#include "timefmt.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct cmd_entry cmd_task_import_entry;

struct import_opts {
	const char *kind;	/* "crontab" or "systemd" */
	const char *file;	/* NULL or "-": stdin (crontab) */
	const char *format;	/* "user", "system" or NULL: by the path */
	const char *prefix;
	int dry_run;
};

static int
usage_fail(struct cmd_ctx *ctx, const char *msg)
{
	return cmd_usage_error(ctx, &cmd_task_import_entry, msg);
}

static int
import_args(struct cmd_ctx *ctx, const struct cmd_args *args,
	    struct import_opts *o)
{
	int rc;

	memset(o, 0, sizeof *o);
	o->dry_run = cmd_args_has(args, "dry-run") > 0;
	o->format = cmd_args_value(args, "format");
	o->prefix = cmd_args_value(args, "prefix");
	o->kind = args->argv[0];
	o->file = args->argc > 1 ? args->argv[1] : NULL;
	if (strcmp(o->kind, "crontab") != 0 && strcmp(o->kind, "systemd") != 0) {
		char *msg = xasprintf(_("cannot import \"%s\": the kinds are "
		    "crontab and systemd"), o->kind);
		rc = usage_fail(ctx, msg);
		free(msg);
		return rc;
	}
	if (o->format != NULL && strcmp(o->format, "user") != 0 &&
	    strcmp(o->format, "system") != 0)
		return usage_fail(ctx, _("option --format: \"user\" or \"system\""));
	if (strcmp(o->kind, "systemd") == 0 && o->format != NULL)
		return usage_fail(ctx, _("option --format is for crontabs"));
	if (strcmp(o->kind, "systemd") == 0 && o->file == NULL)
		return usage_fail(ctx, _("import systemd: give the UNIT.timer file"));
	if (o->prefix != NULL && !mgr_id_valid(o->prefix)) {
		struct mgr_error err = { 0 };
		mgr_id_check(_("option --prefix"), o->prefix, &err);
		return usage_fail(ctx, err.msg);
	}
	return 0;
}

/* A crontab's text: FILE, or stdin for "-" and none. */
static int
crontab_text(struct cmd_ctx *ctx, const char *file, char **text, char **path)
{
	struct mgr_error err = { 0 };

	if (file == NULL || strcmp(file, "-") == 0) {
		/* ctx->in: what the client sent (import_reads_stdin). */
		if ((ctx->in != NULL ? import_read_stream(ctx->in, text, &err) :
		    read_file("/dev/stdin", text, NULL, &err)) != 0)
			return cmd_fail(ctx, err.code, err.msg);
		*path = xstrdup("-");
		return 0;
	}
	*path = path_resolve(NULL, file);
	if (read_file(*path, text, NULL, &err) != 0) {
		free(*path);
		return cmd_fail(ctx, err.code, err.msg);
	}
	return 0;
}

/* An import, parsed (crontabs: on the thread), checked and written on
 * the engine's bulk thread (sched_bulk.c) or, elsewhere, where the
 * command runs. */
struct import_job {
	struct import_set s;
	struct cmd_capture answer;
	char *text, *path;	/* a crontab's, parsed by import_work */
	enum crontab_format format;
	char *prefix;
	int dry_run, rc, written;
};

/* Reads the file named by o: a crontab's text, or the timer and its
 * service parsed (a unit's drop-ins are found by its path, in the
 * client's working folder). */
static int
import_read(struct cmd_ctx *ctx, const struct import_opts *o,
	    struct import_job *j)
{
	int rc;

	if (strcmp(o->kind, "systemd") == 0) {
		import_systemd(o->file, o->prefix, mgr_now_us(), &j->s);
		return 0;
	}
	if ((rc = crontab_text(ctx, o->file, &j->text, &j->path)) != 0)
		return rc;
	j->format = o->format != NULL ? (strcmp(o->format, "system") == 0 ?
	    CRONTAB_SYSTEM : CRONTAB_USER) : crontab_format_for(j->path);
	j->prefix = o->prefix != NULL ? xstrdup(o->prefix) : NULL;
	return 0;
}

static void
print_problems(struct cmd_ctx *ctx, const struct import_set *s)
{
	for (size_t i = 0; s->notes != NULL && s->notes[i] != NULL; i++)
		fprintf(ctx->err, _("manager: note: %s\n"), s->notes[i]);
	for (size_t i = 0; s->rejected != NULL && s->rejected[i] != NULL; i++)
		fprintf(ctx->err, _("manager: not imported: %s\n"),
		    s->rejected[i]);
}

/* The task as `task show --json` prints it. */
static json_t *
import_task_json(struct mgr *mgr, const struct import_task *t)
{
	json_t *o = task_json_rec(mgr, &t->rec);
	json_t *c = task_context_json(&t->ctx);
	json_t *h = task_hooks_json(&t->hooks);

	json_object_update(o, c);
	json_object_update(o, h);
	json_decref(c);
	json_decref(h);
	return o;
}

static void
print_task_text(struct cmd_ctx *ctx, const struct import_task *t, int exists)
{
	char buf[TIMEFMT_ISO_MAX];
	const struct task_context *c = &t->ctx;

	fprintf(ctx->out, exists ? _("update %s (%s)\n") : _("create %s (%s)\n"),
	    t->rec.id, t->where);
	fprintf(ctx->out, _("  trigger:  %s %s\n"), t->rec.trigger,
	    t->rec.trigger_args);
	fprintf(ctx->out, _("  func:     %s\n"), t->rec.func_path);
	if (c->user != NULL)
		fprintf(ctx->out, _("  user:     %s\n"), c->user);
	if (c->group != NULL)
		fprintf(ctx->out, _("  group:    %s\n"), c->group);
	if (c->workdir != NULL)
		fprintf(ctx->out, _("  workdir:  %s\n"), c->workdir);
	for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++)
		fprintf(ctx->out, _("  env:      %s\n"), c->env[i]);
	if (c->env_file != NULL)
		fprintf(ctx->out, _("  env file: %s\n"), c->env_file);
	if (c->umask >= 0)
		fprintf(ctx->out, _("  umask:    %04o\n"), (unsigned)c->umask);
	if (c->nice != 0)
		fprintf(ctx->out, _("  nice:     %d\n"), c->nice);
	fprintf(ctx->out, _("  next run: %s\n"), t->rec.next_run != 0 ?
	    timefmt_iso(buf, sizeof buf, t->rec.next_run, NULL) : "-");
}

static int
task_exists(struct mgr *mgr, const char *id)
{
	struct mgr_error err = { 0 };
	struct task_rec t;

	if (taskmgr_get(mgr, id, &t, &err) != 0)
		return 0;
	task_rec_clear(&t);
	return 1;
}

/* --dry-run: what would be created or updated. */
static void
import_show(struct cmd_ctx *ctx, struct import_set *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->n; i++) {
		struct import_task *t = &s->v[i];
		int exists = task_exists(ctx->mgr, t->rec.id);
		if (t->rec.status == NULL)
			t->rec.status = xstrdup(t->rec.enabled ? "scheduled" :
			    "paused");
		if (ctx->json)
			json_array_append_new(a, import_task_json(ctx->mgr, t));
		else
			print_task_text(ctx, t, exists);
	}
	if (ctx->json) {
		char *text = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", text);
		free(text);
	} else {
		size_t bad = strv_len(s->rejected);
		fprintf(ctx->out, ngettext("%zu task", "%zu tasks",
		    (unsigned long)s->n), s->n);
		fprintf(ctx->out, ngettext(", %zu line not imported",
		    ", %zu lines not imported", (unsigned long)bad), bad);
		fprintf(ctx->out, "%s\n", _(" (dry run: nothing written)"));
	}
	json_decref(a);
}

/* *written: the tasks are committed. */
static int
import_write(struct cmd_ctx *ctx, struct import_set *s, int *written)
{
	struct mgr_error err = { 0 };
	struct import_result res;
	json_t *a;

	if (import_commit(ctx->mgr, s, &res, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	*written = 1;
	if (!ctx->json) {
		fprintf(ctx->out, _("%zu created, %zu updated, %zu not imported\n"),
		    res.created, res.updated, strv_len(s->rejected));
		return 0;
	}
	a = json_array();
	for (size_t i = 0; i < s->n; i++) {
		struct task_rec t;
		if (taskmgr_get(ctx->mgr, s->v[i].rec.id, &t, &err) != 0)
			continue;
		json_array_append_new(a, import_task_json(ctx->mgr,
		    &(struct import_task){ .rec = t, .ctx = s->v[i].ctx }));
		task_rec_clear(&t);
	}
	{
		char *text = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", text);
		free(text);
	}
	json_decref(a);
	return 0;
}

static void
import_work(struct mgr *own, const struct mgr_error *open_failed, void *arg)
{
	struct import_job *j = arg;
	struct cmd_ctx *ctx = &j->answer.ctx;

	if (own == NULL) {
		j->rc = cmd_fail(ctx, open_failed->code, open_failed->msg);
		return;
	}
	ctx->mgr = own;
	if (j->text != NULL)
		import_crontab(j->text, j->path, j->format, j->prefix, &j->s);
	import_prepare(own, &j->s, j->dry_run);
	print_problems(ctx, &j->s);
	if (j->dry_run)
		import_show(ctx, &j->s);
	else
		j->rc = import_write(ctx, &j->s, &j->written);
	if (j->rc == 0 && j->s.rejected != NULL)
		j->rc = CMD_EXIT_FAIL;	/* the rest is imported, but say so */
}

/* Over: the answer, at once or once the scheduler has every task. */
static int
import_end(struct import_job *j)
{
	const char **ids = import_ids(&j->s);
	int rc = cmd_answer_applied(&j->answer, j->rc, ids,
	    j->written ? j->s.n : 0);

	free(ids);
	import_set_clear(&j->s);
	free(j->text);
	free(j->path);
	free(j->prefix);
	free(j);
	return rc;
}

static void
import_done(void *arg)
{
	import_end(arg);
}

/* On an engine host the tasks are checked and written off the loop, and
 * the answer waits until the scheduler has every task imported
 * (cmd_applied.h). */
static int
task_import_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct import_opts o;
	struct import_job *j;
	int rc;

	if ((rc = import_args(ctx, args, &o)) != 0)
		return rc;
	j = xcalloc(1, sizeof *j);
	j->dry_run = o.dry_run;
	if ((rc = import_read(ctx, &o, j)) != 0) {
		free(j);
		return rc;
	}
	cmd_capture_begin(&j->answer, ctx);
	if (!j->answer.on) {
		import_work(ctx->mgr, NULL, j);
		return import_end(j);
	}
	if (scheduler_bulk_start(ctx->mgr, import_work, import_done, j,
	    &err) != 0) {
		j->rc = cmd_fail(&j->answer.ctx, err.code, err.msg);
		return import_end(j);
	}
	cmd_capture_defer(&j->answer);
	return CMD_EXIT_LATER;
}

static const struct cmd_option task_import_options[] = {
	{ "format", 0, "user|system", N_("a crontab's format: a user's, or the "
	    "system's with a user column (default: by its path)"), 0 },
	{ "prefix", 0, "PREFIX", N_("the start of the new tasks' ids"), 0 },
	{ "dry-run", 0, NULL, N_("show the tasks, write nothing"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const char *const task_import_words[] = { "crontab", "systemd", NULL };

const struct cmd_entry cmd_task_import_entry = {
	.noun = "task", .verb = "import",
	.usage = N_("crontab [FILE|-] | systemd UNIT.timer"),
	.summary = N_("tasks from a crontab or a systemd timer (a re-import "
	    "updates them; --dry-run shows them)"),
	.flags = CMD_MUTATES, .min_args = 1, .max_args = 2,
	.options = task_import_options, .words = task_import_words,
	.run = task_import_run,
	.reads_stdin = import_reads_stdin,
	.dry_run_option = "dry-run",
};
