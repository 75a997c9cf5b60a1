/* cmd-task.c - manager task add|list|show|edit|remove|pause|resume|run|
 * history: the task manager from the command line (and, through the
 * command table, from the console and the HTTP API). */
#include "i18n.h"
#include "cmd.h"
#include "db.h"
#include "hostprobe.h"
#include "manager.h"
#include "scheduler.h"
#include "task_context.h"
#include "timefmt.h"
#include "trigger.h"
#include "tz.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define US INT64_C(1000000)

static int
fail_err(struct cmd_ctx *ctx, const struct mgr_error *err)
{
	return cmd_fail(ctx, err->code, err->msg);
}

/* VALUE of option NAME as a whole number >= min, or a usage error naming
 * the option. */
static int
int_value(struct cmd_ctx *ctx, const char *name, const char *value, int min,
	  int *out)
{
	char *end, *msg;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno == 0 && end != value && *end == '\0' && v >= min && v <= INT_MAX) {
		*out = (int)v;
		return 1;
	}
	msg = xasprintf(_("option %s: \"%s\" is not a whole number >= %d"), name,
	    value, min);
	cmd_fail(ctx, MGR_EINVAL, msg);
	free(msg);
	return -1;
}

/* "--name N": a whole number >= min. */
static int
take_int(struct cmd_ctx *ctx, int *argc, char **argv, const char *name,
	 int min, int *out)
{
	const char *value;
	int rc = cmd_take_option(ctx, argc, argv, name, &value);

	return rc <= 0 ? rc : int_value(ctx, name, value, min, out);
}

/* "--misfire-grace-time SECONDS|default": "default" goes back to the
 * configured default (TASK_GRACE_DEFAULT). */
static int
take_grace(struct cmd_ctx *ctx, int *argc, char **argv, struct task_rec *t)
{
	const char *name = "--misfire-grace-time", *value;
	int rc = cmd_take_option(ctx, argc, argv, name, &value);

	if (rc <= 0)
		return rc;
	if (strcmp(value, "default") == 0) {
		t->misfire_grace_time = TASK_GRACE_DEFAULT;
		return 1;
	}
	return int_value(ctx, name, value, 0, &t->misfire_grace_time);
}

/* The options add and edit share. */
static int
take_task_options(struct cmd_ctx *ctx, int *argc, char **argv, struct task_rec *t)
{
	const char *name = NULL, *on_interrupt = NULL;
	int v;

	if (take_int(ctx, argc, argv, "--max-retries", 0, &t->max_retries) < 0 ||
	    take_int(ctx, argc, argv, "--timeout", 0, &t->timeout) < 0 ||
	    take_grace(ctx, argc, argv, t) < 0 ||
	    take_int(ctx, argc, argv, "--max-instances", 1, &t->max_instances) < 0 ||
	    cmd_take_option(ctx, argc, argv, "--name", &name) < 0 ||
	    cmd_take_option(ctx, argc, argv, "--on-interrupt", &on_interrupt) < 0)
		return -1;
	if (on_interrupt != NULL) {
		if ((v = task_on_interrupt_parse(on_interrupt)) < 0) {
			char *msg = xasprintf(_("option --on-interrupt: \"%s\" is "
			    "not abandon or rerun"), on_interrupt);
			cmd_fail(ctx, MGR_EINVAL, msg);
			free(msg);
			return -1;
		}
		t->on_interrupt = (enum task_on_interrupt)v;
	}
	if (name != NULL) {
		free(t->name);
		t->name = xstrdup(name);
	}
	if (cmd_take_flag(argc, argv, "--no-coalesce"))
		t->coalesce = 0;
	if (cmd_take_flag(argc, argv, "--coalesce"))
		t->coalesce = 1;
	if (cmd_take_flag(argc, argv, "--disable"))
		t->enabled = 0;
	if (cmd_take_flag(argc, argv, "--enable"))
		t->enabled = 1;
	return 0;
}

/* Trigger fields: every remaining NAME=VALUE argument. */
static int
check_fields(struct cmd_ctx *ctx, int argc, char **argv)
{
	char *msg;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || strchr(argv[i], '=') != NULL)
			continue;
		msg = xasprintf(_("trigger field \"%s\": expected NAME=VALUE"), argv[i]);
		cmd_fail(ctx, MGR_EINVAL, msg);
		free(msg);
		return -1;
	}
	return 0;
}

static int
drop_dashdash(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
			return argc - 1;
		}
	}
	return argc;
}

/* "Wed 2026-11-25 10:30:00" in local time, or "-". */
static const char *
local_time(char *buf, size_t len, int64_t us, const struct tz *z)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	struct tm_fields f;

	if (us == 0)
		return "-";
	tz_utc_to_local(z, us / US - (us % US < 0), &f);
	snprintf(buf, len, "%s %04d-%02d-%02d %02d:%02d:%02d",
	    days[tz_weekday(f.year, f.month, f.day)], f.year, f.month, f.day,
	    f.hour, f.minute, f.second);
	return buf;
}

/* A duration for people: "no limit" for 0, else in its largest whole
 * unit ("1 day", "10 min", "90 s"). */
static const char *
duration_text(char *buf, size_t len, int secs)
{
	if (secs == 0)
		return _("no limit");
	if (secs % 86400 == 0)
		snprintf(buf, len, ngettext("%d day", "%d days",
		    (unsigned long)(secs / 86400)), secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(buf, len, _("%d h"), secs / 3600);
	else if (secs % 60 == 0)
		snprintf(buf, len, _("%d min"), secs / 60);
	else
		snprintf(buf, len, _("%d s"), secs);
	return buf;
}

/* What a new task will do, so that no default surprises anyone. */
static void
task_added_text(struct cmd_ctx *ctx, const struct task_rec *t)
{
	char next[40], retries[32], grace[32];
	struct tz *z = NULL;

	tz_load(NULL, &z, NULL);
	snprintf(retries, sizeof retries, ngettext("%d retry", "%d retries",
	    (unsigned long)t->max_retries), t->max_retries);
	fprintf(ctx->out, _("task %s added: %s, next run %s, %s, misfire grace "
	    "%s\n"), t->id, t->trigger, t->next_run != 0 ?
	    local_time(next, sizeof next, t->next_run, z) : _("none"), retries,
	    duration_text(grace, sizeof grace, task_misfire_grace(ctx->mgr, t)));
	tz_free(z);
}

extern const struct cmd_entry cmd_task_add_entry;

static int task_add_with_context(struct cmd_ctx *ctx, struct task_rec *tp,
				 const struct task_context *c, int argc,
				 char **argv);

static int
task_add_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct task_context c;
	struct task_rec t;
	int rc, changed;

	task_rec_init(&t);
	task_context_init(&c);
	if (take_task_options(ctx, &argc, argv, &t) < 0 ||
	    task_context_take_options(ctx, &argc, argv, &c, &changed) < 0) {
		task_context_clear(&c);
		return CMD_EXIT_USAGE;
	}
	rc = task_add_with_context(ctx, &t, &c, argc, argv);
	task_context_clear(&c);
	return rc;
}

/* A plugin function that the installed plugin lacks is an error; a
 * plugin that is not installed is a warning, and the task waits
 * disabled. */
static int
task_plugin_check(struct cmd_ctx *ctx, struct task_rec *t,
		  struct mgr_error *err)
{
	int missing, rc;

	if ((rc = task_plugin_func_check(ctx->mgr, t->func_path, &missing, err)) != 0 ||
	    !missing)
		return rc;
	fprintf(ctx->err, _("warning: task %s: the plugin of %s is not "
	    "installed; the task is added disabled\n"), t->id, t->func_path);
	t->enabled = 0;
	return 0;
}

static int
task_add_with_context(struct cmd_ctx *ctx, struct task_rec *tp,
		      const struct task_context *c, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	struct task_rec t = *tp;
	int rc;

	if ((rc = cmd_no_more_options(ctx, &cmd_task_add_entry, argc, argv)) != 0) {
		task_rec_clear(&t);
		return rc;
	}
	argc = drop_dashdash(argc, argv);
	if (argc < 3 || check_fields(ctx, argc - 3, argv + 3) < 0) {
		task_rec_clear(&t);
		return argc < 3 ? cmd_usage(ctx, &cmd_task_add_entry) :
		    CMD_EXIT_USAGE;
	}
	t.id = xstrdup(argv[0]);
	t.func_path = xstrdup(argv[1]);
	t.trigger = xstrdup(argv[2]);
	t.source = xstrdup("cli");
	rc = task_context_check(ctx->mgr, t.id, t.func_path, c, &err);
	if (rc == 0)
		rc = task_plugin_check(ctx, &t, &err);
	if (rc == 0)
		rc = taskmgr_add(ctx->mgr, &t, (const char *const *)argv + 3,
		    (size_t)argc - 3, &err);
	if (rc == 0 && (rc = taskmgr_set_context(ctx->mgr, t.id, c, &err)) != 0) {
		struct mgr_error e2 = { 0 };
		taskmgr_remove(ctx->mgr, t.id, &e2);	/* all or nothing */
	}
	if (rc == 0 && !ctx->json)
		task_added_text(ctx, &t);
	task_rec_clear(&t);
	if (rc != 0)
		return fail_err(ctx, &err);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_task_add_entry = {
	.noun = "task", .verb = "add",
	.usage = N_("ID FUNC TYPE [FIELD=VALUE ...] [--name NAME] [--max-retries N] "
	    "[--timeout SECONDS] [--misfire-grace-time SECONDS|default] [--no-coalesce] "
	    "[--max-instances N] [--on-interrupt abandon|rerun] [--disable] "
	    "[--env NAME=VALUE]... [--env-file FILE] [--workdir DIR] "
	    "[--user NAME] [--group NAME] [--umask MODE] [--nice N] "
	    "[--sandbox none|strict] [--network] [--private-tmp] "
	    "[--read-only PATH]... [--write PATH]... [--ioprio CLASS[:LEVEL]] "
	    "[--limit-cpu SECONDS] [--limit-memory MB] [--limit-nofile N]"),
	.summary = N_("add a task (FUNC: PLUGIN:FUNCTION or exec:COMMAND ARG...)"),
	.flags = CMD_MUTATES, .min_args = 3, .max_args = -1,
	.exec = task_add_exec,
};

json_t *
task_json_time(int64_t us)
{
	char buf[TIMEFMT_ISO_MAX];

	if (us == 0)
		return json_null();
	return json_string(timefmt_iso(buf, sizeof buf, us, NULL));
}

/* The task's JSON with its context's keys (env, env_file, workdir,
 * user, group, umask, nice). */
static json_t *
task_json(struct mgr *mgr, const struct task_rec *t)
{
	json_t *o = task_json_rec(mgr, t);
	struct mgr_error err = { 0 };
	struct task_context c;

	if (taskmgr_get_context(mgr, t->id, &c, &err) == 0) {
		json_t *cj = task_context_json(&c);
		json_object_update(o, cj);
		json_decref(cj);
		task_context_clear(&c);
	}
	return o;
}

json_t *
task_json_rec(const struct mgr *mgr, const struct task_rec *t)
{
	json_t *args = json_loads(t->trigger_args != NULL ? t->trigger_args : "{}",
	    0, NULL);

	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:b, s:i, s:i, "
	    "s:i, s:b, s:i, s:s, s:s, s:s?, s:o, s:o}",
	    "id", t->id, "name", t->name, "status", t->status,
	    "last_run", task_json_time(t->last_run), "next_run", task_json_time(t->next_run),
	    "func_path", t->func_path, "trigger", t->trigger,
	    "trigger_args", args != NULL ? args : json_object(),
	    "enabled", t->enabled, "max_retries", t->max_retries,
	    "timeout", t->timeout, "misfire_grace_time", task_misfire_grace(mgr, t),
	    "coalesce", t->coalesce, "max_instances", t->max_instances,
	    "on_interrupt", task_on_interrupt_name(t->on_interrupt),
	    "source", t->source, "plugin_id", t->plugin_id,
	    "created_at", task_json_time(t->created_at),
	    "updated_at", task_json_time(t->updated_at));
}

static void
print_json(struct cmd_ctx *ctx, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fprintf(ctx->out, "%s\n", s);
	free(s);
	json_decref(v);
}

/* systemd's style of span: "4min 3s", "2h 10min", "3 days". */
static const char *
span(char *buf, size_t len, int64_t us)
{
	int64_t s = (us < 0 ? -us : us) / US;

	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldmin %llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh %lldmin", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, ngettext("%lld day", "%lld days",
		    (unsigned long)(s / 86400)), (long long)(s / 86400));
	return buf;
}

/* Time left to the next run, "overdue 12s" once it has passed, "-" for
 * none. */
static const char *
left_text(char *buf, size_t len, int64_t next, int64_t now)
{
	char s[32];

	if (next == 0)
		return "-";
	if (next > now)
		return span(buf, len, next - now);
	snprintf(buf, len, _("overdue %s"), span(s, sizeof s, now - next));
	return buf;
}

static void
task_list_text(struct cmd_ctx *ctx, const struct task_rec *v, size_t n)
{
	struct tz *z = NULL;
	int64_t now = mgr_now_us();
	char next[40], last[40], left[48], passed[40], ago[32];

	tz_load(NULL, &z, NULL);
	fprintf(ctx->out, "%-24s %-17s %-24s %-14s %-11s %s\n", _("NEXT"),
	    _("LEFT"), _("LAST"), _("PASSED"), _("STATUS"), _("TASK"));
	for (size_t i = 0; i < n; i++) {
		const struct task_rec *t = &v[i];
		snprintf(passed, sizeof passed, _("%s ago"),
		    span(ago, sizeof ago, now - t->last_run));
		fprintf(ctx->out, "%-24s %-17s %-24s %-14s %-11s %s\n",
		    local_time(next, sizeof next, t->next_run, z),
		    left_text(left, sizeof left, t->next_run, now),
		    local_time(last, sizeof last, t->last_run, z),
		    t->last_run ? passed : "-", t->status, t->id);
	}
	fprintf(ctx->out, ngettext("\n%zu task listed.\n",
	    "\n%zu tasks listed.\n", n), n);
	tz_free(z);
}

static int
task_list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	struct task_rec *v;
	size_t n;

	(void)argc;
	(void)argv;
	if (taskmgr_list(ctx->mgr, &v, &n, &err) != 0)
		return fail_err(ctx, &err);
	/* A task list looks the same whether anything fires it or not. */
	if (n > 0 && ctx->mgr->sched == NULL &&
	    !host_engine_running(ctx->mgr->db))
		fprintf(ctx->err, "%s\n", _("manager: no engine is running: "
		    "nothing will fire; start `manager --daemon` or the console"));
	if (ctx->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, task_json(ctx->mgr, &v[i]));
		print_json(ctx, a);
	} else
		task_list_text(ctx, v, n);
	task_recs_free(v, n);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_task_list_entry = {
	.noun = "task", .verb = "list", .usage = "",
	.summary = N_("list tasks with their next and last runs"),
	.flags = 0, .min_args = 0, .max_args = 0,
	.exec = task_list_exec,
};

/* The execution context, as it applies (defaults said as such). */
static void
task_show_context(struct cmd_ctx *ctx, const char *id)
{
	struct mgr_error err = { 0 };
	struct task_context c;

	if (taskmgr_get_context(ctx->mgr, id, &c, &err) != 0) {
		fprintf(ctx->out, _("context:            %s\n"), err.msg);
		return;
	}
	for (size_t i = 0; c.env != NULL && c.env[i] != NULL; i++)
		fprintf(ctx->out, _("env:                %s\n"), c.env[i]);
	if (c.env_file != NULL)
		fprintf(ctx->out, _("env file:           %s\n"), c.env_file);
	fprintf(ctx->out, _("working folder:     %s\n"), c.workdir != NULL ?
	    c.workdir : _("the user's home, or / (default)"));
	fprintf(ctx->out, _("user:               %s\n"), c.user != NULL ? c.user :
	    _("the engine's (default)"));
	if (c.group != NULL)
		fprintf(ctx->out, _("group:              %s\n"), c.group);
	if (c.umask >= 0)
		fprintf(ctx->out, _("umask:              %04o\n"), (unsigned)c.umask);
	if (c.nice != 0)
		fprintf(ctx->out, _("nice:               %d\n"), c.nice);
	task_context_show_sandbox(ctx->mgr, ctx->out, &c);
	task_context_clear(&c);
}

static void
task_show_text(struct cmd_ctx *ctx, const struct task_rec *t)
{
	struct trigger *trig = NULL;
	char *desc = NULL, buf[TIMEFMT_ISO_MAX], span[32];

	if (task_trigger_build(t, &trig, NULL) == 0)
		desc = trigger_describe(trig);
	fprintf(ctx->out, _("id:                 %s\n"), t->id);
	fprintf(ctx->out, _("name:               %s\n"), t->name);
	fprintf(ctx->out, _("func:               %s\n"), t->func_path);
	fprintf(ctx->out, _("trigger:            %s %s\n"), t->trigger, t->trigger_args);
	if (desc != NULL)
		fprintf(ctx->out, _("schedule:           %s\n"), desc);
	fprintf(ctx->out, _("status:             %s%s\n"), t->status,
	    t->enabled || strcmp(t->status, "paused") == 0 ? "" : _(" (paused)"));
	fprintf(ctx->out, _("next run:           %s\n"), t->next_run ?
	    timefmt_iso(buf, sizeof buf, t->next_run, trigger_zone(trig)) : "-");
	fprintf(ctx->out, _("last run:           %s\n"), t->last_run ?
	    timefmt_iso(buf, sizeof buf, t->last_run, trigger_zone(trig)) : "-");
	fprintf(ctx->out, _("max retries:        %d\n"), t->max_retries);
	fprintf(ctx->out, _("timeout:            %s\n"),
	    duration_text(span, sizeof span, t->timeout));
	fprintf(ctx->out, _("misfire grace time: %s%s\n"), duration_text(span,
	    sizeof span, task_misfire_grace(ctx->mgr, t)),
	    t->misfire_grace_time == TASK_GRACE_DEFAULT ? _(" (default)") : "");
	fprintf(ctx->out, _("coalesce:           %s\n"), t->coalesce ? _("yes") : _("no"));
	fprintf(ctx->out, _("max instances:      %d\n"), t->max_instances);
	fprintf(ctx->out, _("on interrupt:       %s\n"),
	    task_on_interrupt_name(t->on_interrupt));
	fprintf(ctx->out, _("source:             %s\n"), t->source);
	task_show_context(ctx, t->id);
	free(desc);
	trigger_free(trig);
}

static int
task_show_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	struct task_rec t;

	(void)argc;
	if (taskmgr_get(ctx->mgr, argv[0], &t, &err) != 0)
		return fail_err(ctx, &err);
	if (ctx->json)
		print_json(ctx, task_json(ctx->mgr, &t));
	else
		task_show_text(ctx, &t);
	task_rec_clear(&t);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_task_show_entry = {
	.noun = "task", .verb = "show", .usage = "ID",
	.summary = N_("show a task"),
	.flags = 0, .min_args = 1, .max_args = 1,
	.exec = task_show_exec,
};

extern const struct cmd_entry cmd_task_edit_entry;

static int task_edit_context(struct cmd_ctx *ctx, struct task_rec *t,
			     const struct task_context *c, const char *func,
			     const char *type, int argc, char **argv);

static int
task_edit_apply(struct cmd_ctx *ctx, struct task_rec *t, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	const char *func = NULL, *type = NULL;
	struct task_context c;
	int rc, changed;

	if (taskmgr_get_context(ctx->mgr, t->id, &c, &err) != 0)
		return fail_err(ctx, &err);
	if (cmd_take_option(ctx, &argc, argv, "--func", &func) < 0 ||
	    cmd_take_option(ctx, &argc, argv, "--trigger", &type) < 0 ||
	    take_task_options(ctx, &argc, argv, t) < 0 ||
	    task_context_take_options(ctx, &argc, argv, &c, &changed) < 0) {
		task_context_clear(&c);
		return CMD_EXIT_USAGE;
	}
	rc = task_edit_context(ctx, t, &c, func, type, argc, argv);
	task_context_clear(&c);
	return rc;
}

static int
task_edit_context(struct cmd_ctx *ctx, struct task_rec *t,
		  const struct task_context *c, const char *func,
		  const char *type, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	int rc, missing = 0;

	if ((rc = cmd_no_more_options(ctx, &cmd_task_edit_entry, argc, argv)) != 0)
		return rc;
	argc = drop_dashdash(argc, argv);
	if (check_fields(ctx, argc - 1, argv + 1) < 0)
		return CMD_EXIT_USAGE;
	if (type != NULL && argc == 1)
		return cmd_fail(ctx, MGR_EINVAL,
		    _("--trigger needs the new trigger's FIELD=VALUE arguments"));
	if (func != NULL) {
		free(t->func_path);
		t->func_path = xstrdup(func);
	}
	if (type != NULL) {
		free(t->trigger);
		t->trigger = xstrdup(type);
	}
	if (task_context_check(ctx->mgr, t->id, t->func_path, c, &err) != 0 ||
	    (func != NULL && task_plugin_func_check(ctx->mgr, func, &missing,
	    &err) != 0) ||
	    taskmgr_modify(ctx->mgr, t, argc > 1 ?
	    (const char *const *)argv + 1 : NULL, (size_t)argc - 1, &err) != 0 ||
	    taskmgr_set_context(ctx->mgr, t->id, c, &err) != 0)
		return fail_err(ctx, &err);
	if (missing)
		fprintf(ctx->err, _("warning: task %s: the plugin of %s is not "
		    "installed\n"), t->id, func);
	if (!ctx->json)
		fprintf(ctx->out, _("task %s changed\n"), t->id);
	return CMD_EXIT_OK;
}

static int
task_edit_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	int rc;

	if (argv[0][0] == '-')
		return cmd_usage(ctx, &cmd_task_edit_entry);
	if (taskmgr_get(ctx->mgr, argv[0], &t, &err) != 0)
		return fail_err(ctx, &err);
	rc = task_edit_apply(ctx, &t, argc, argv);
	task_rec_clear(&t);
	return rc;
}

const struct cmd_entry cmd_task_edit_entry = {
	.noun = "task", .verb = "edit",
	.usage = N_("ID [--func FUNC] [--trigger TYPE] [FIELD=VALUE ...] "
	    "[--name NAME] [--max-retries N] [--timeout SECONDS] "
	    "[--misfire-grace-time SECONDS|default] [--coalesce|--no-coalesce] "
	    "[--max-instances N] [--on-interrupt abandon|rerun] [--enable|--disable] "
	    "[--env NAME=VALUE]... [--env-file FILE] [--workdir DIR] "
	    "[--user NAME] [--group NAME] [--umask MODE] [--nice N] "
	    "[--sandbox none|strict] [--network] [--private-tmp] "
	    "[--read-only PATH]... [--write PATH]... [--ioprio CLASS[:LEVEL]] "
	    "[--limit-cpu SECONDS] [--limit-memory MB] [--limit-nofile N]"),
	.summary = N_("change a task; FIELD=VALUE replaces its trigger fields, "
	    "--env its environment list, \"\" clears an option"),
	.flags = CMD_MUTATES, .min_args = 1, .max_args = -1,
	.exec = task_edit_exec,
};

/* Runs fn; on success prints msg (unless --json). */
static int
task_simple(struct cmd_ctx *ctx, const char *id,
	    int (*fn)(struct mgr *, const char *, struct mgr_error *),
	    char *msg)
{
	struct mgr_error err = { 0 };
	int rc = fn(ctx->mgr, id, &err);

	if (rc == 0 && !ctx->json)
		fprintf(ctx->out, "%s\n", msg);
	free(msg);
	return rc != 0 ? fail_err(ctx, &err) : CMD_EXIT_OK;
}

/* pause and remove: --stop ends the runs going on too (they end as
 * `stopped`); without it a run going on is said to go on. */
static int
task_stopping_args(struct cmd_ctx *ctx, const struct cmd_entry *entry,
		   int *argc, char **argv, int *stop)
{
	int rc;

	*stop = cmd_take_flag(argc, argv, "--stop");
	if ((rc = cmd_no_more_options(ctx, entry, *argc, argv)) != 0)
		return rc;
	cmd_drop_dashdash(argc, argv);
	if (*argc != 1)
		return cmd_usage(ctx, entry);
	return 0;
}

/* fn on task argv[0] (options taken), saying msg (freed here); --stop
 * ends its runs first, else says which are still going. */
static int
task_stopping(struct cmd_ctx *ctx, char **argv, int stop,
	      int (*fn)(struct mgr *, const char *, struct mgr_error *),
	      char *msg)
{
	struct mgr_error err = { 0 };
	int rc, n = 0;

	if (stop && ctx->mgr->sched != NULL &&
	    scheduler_stop(ctx->mgr, argv[0], 0, NULL, NULL, &n, &err) != 0) {
		free(msg);
		return fail_err(ctx, &err);
	}
	if ((rc = task_simple(ctx, argv[0], fn, msg)) != CMD_EXIT_OK || ctx->json)
		return rc;
	if (n > 0)
		fprintf(ctx->out, ngettext("task %s: stopping %d run\n",
		    "task %s: stopping %d runs\n", (unsigned long)n), argv[0], n);
	else if ((n = scheduler_task_running(ctx->mgr, argv[0])) > 0)
		fprintf(ctx->out, ngettext("task %s: %d run is still going (end it "
		    "with `manager task stop %s`, or use --stop)\n",
		    "task %s: %d runs are still going (end them with `manager task "
		    "stop %s`, or use --stop)\n", (unsigned long)n), argv[0], n,
		    argv[0]);
	return rc;
}

extern const struct cmd_entry cmd_task_remove_entry;
extern const struct cmd_entry cmd_task_pause_entry;

static int
task_remove_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	int stop, rc;

	if ((rc = task_stopping_args(ctx, &cmd_task_remove_entry, &argc, argv,
	    &stop)) != 0)
		return rc;
	return task_stopping(ctx, argv, stop, taskmgr_remove,
	    xasprintf(_("task %s removed"), argv[0]));
}

static int
task_pause_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	int stop, rc;

	if ((rc = task_stopping_args(ctx, &cmd_task_pause_entry, &argc, argv,
	    &stop)) != 0)
		return rc;
	return task_stopping(ctx, argv, stop, taskmgr_pause,
	    xasprintf(_("task %s paused"), argv[0]));
}

static int
task_resume_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	return task_simple(ctx, argv[0], taskmgr_resume,
	    xasprintf(_("task %s resumed"), argv[0]));
}

const struct cmd_entry cmd_task_remove_entry = {
	.noun = "task", .verb = "remove", .usage = N_("ID [--stop]"),
	.summary = N_("remove a task and its run history (--stop: and end its "
	    "runs going on)"),
	.flags = CMD_MUTATES, .min_args = 1, .max_args = 3,
	.exec = task_remove_exec,
};

const struct cmd_entry cmd_task_pause_entry = {
	.noun = "task", .verb = "pause", .usage = N_("ID [--stop]"),
	.summary = N_("pause a task (no more scheduled runs; --stop: and end "
	    "its runs going on)"),
	.flags = CMD_MUTATES, .min_args = 1, .max_args = 3,
	.exec = task_pause_exec,
};

const struct cmd_entry cmd_task_resume_entry = {
	.noun = "task", .verb = "resume", .usage = "ID",
	.summary = N_("resume a paused task"),
	.flags = CMD_MUTATES, .min_args = 1, .max_args = 1,
	.exec = task_resume_exec,
};

extern const struct cmd_entry cmd_schedule_preview_entry;
extern const struct cmd_entry cmd_task_history_entry;
extern const struct cmd_entry cmd_task_run_entry;
extern const struct cmd_entry cmd_task_stop_entry;
extern const struct cmd_entry cmd_run_show_entry;
extern const struct cmd_entry cmd_run_wait_entry;
extern const struct cmd_entry cmd_task_logs_entry;
extern const struct cmd_entry cmd_task_import_entry;
extern const struct cmd_entry cmd_task_export_entry;

/* The commands of the tasks folder, in the order --help lists them. */
const struct cmd_entry *const task_commands[] = {
	&cmd_schedule_preview_entry,
	&cmd_task_add_entry,
	&cmd_task_list_entry,
	&cmd_task_show_entry,
	&cmd_task_edit_entry,
	&cmd_task_remove_entry,
	&cmd_task_pause_entry,
	&cmd_task_resume_entry,
	&cmd_task_run_entry,
	&cmd_task_stop_entry,
	&cmd_task_history_entry,
	&cmd_run_show_entry,
	&cmd_run_wait_entry,
	&cmd_task_logs_entry,
	&cmd_task_import_entry,
	&cmd_task_export_entry,
	NULL
};
