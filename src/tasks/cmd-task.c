/* cmd-task.c - manager task add|list|show|edit|remove|pause|resume|run|
 * history: the task manager from the command line (and, through the
 * command table, from the console and the HTTP API). */
#include "i18n.h"
#include "cmd.h"
#include "db.h"
#include "hostprobe.h"
#include "manager.h"
#include "scheduler.h"
#include "task_add.h"
#include "task_checked.h"
#include "task_context.h"
#include "task_hooks.h"
#include "timefmt.h"
#include "trigger.h"
#include "tz.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Option NAME's value as a whole number >= min: 0 when absent, 1 when
 * read, -1 after a usage error naming the option. */
static int
int_option(struct cmd_ctx *ctx, const struct cmd_args *args, const char *name,
	   int min, int *out)
{
	const char *value = cmd_args_value(args, name);
	char *opt;
	int rc;

	if (value == NULL)
		return 0;
	opt = xasprintf("--%s", name);
	rc = int_value(ctx, opt, value, min, out);
	free(opt);
	return rc;
}

/* "--misfire-grace-time SECONDS|default": "default" goes back to the
 * configured default (TASK_GRACE_DEFAULT). */
static int
grace_option(struct cmd_ctx *ctx, const struct cmd_args *args, struct task_rec *t)
{
	const char *value = cmd_args_value(args, "misfire-grace-time");

	if (value == NULL)
		return 0;
	if (strcmp(value, "default") == 0) {
		t->misfire_grace_time = TASK_GRACE_DEFAULT;
		return 1;
	}
	return int_value(ctx, "--misfire-grace-time", value, 0,
	    &t->misfire_grace_time);
}

/* Of two opposite flags, the later one given wins. */
static void
flag_pair(const struct cmd_args *args, const char *on, const char *off, int *v)
{
	int a = cmd_args_last(args, on), b = cmd_args_last(args, off);

	if (a > b)
		*v = 1;
	else if (b > a)
		*v = 0;
}

/* The options add and edit share. */
static int
read_task_options(struct cmd_ctx *ctx, const struct cmd_args *args,
		  struct task_rec *t)
{
	const char *name = cmd_args_value(args, "name");
	const char *on_interrupt = cmd_args_value(args, "on-interrupt");
	int v;

	if (int_option(ctx, args, "max-retries", 0, &t->max_retries) < 0 ||
	    int_option(ctx, args, "timeout", 0, &t->timeout) < 0 ||
	    grace_option(ctx, args, t) < 0 ||
	    int_option(ctx, args, "max-instances", 1, &t->max_instances) < 0)
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
	flag_pair(args, "coalesce", "no-coalesce", &t->coalesce);
	flag_pair(args, "enable", "disable", &t->enabled);
	return 0;
}

/* Trigger fields: every remaining NAME=VALUE argument. */
static int
check_fields(struct cmd_ctx *ctx, int argc, char **argv, int edit)
{
	char *msg;

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '='), *colon = strchr(argv[i], ':');

		/* "exec:..." or "plugin:func" where a field goes: a FUNC. */
		if (edit && colon != NULL && (eq == NULL || colon < eq)) {
			msg = xasprintf(_("trigger field \"%s\": this is a FUNC, not "
			    "a trigger field; to change what the task runs, use "
			    "--func '%s'"), argv[i], argv[i]);
			cmd_fail(ctx, MGR_EINVAL, msg);
			free(msg);
			return -1;
		}
		if (eq != NULL)
			continue;
		msg = xasprintf(_("trigger field \"%s\": expected NAME=VALUE"), argv[i]);
		cmd_fail(ctx, MGR_EINVAL, msg);
		free(msg);
		return -1;
	}
	return 0;
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

static void print_json(struct cmd_ctx *ctx, json_t *v);
static json_t *task_json(struct mgr *mgr, const struct task_rec *t);

int
task_show_json(struct mgr *mgr, const char *id, json_t **out,
	       struct mgr_error *err)
{
	struct task_rec t;
	int rc;

	*out = NULL;
	if ((rc = taskmgr_get(mgr, id, &t, err)) != 0)
		return rc;
	*out = task_json(mgr, &t);
	task_rec_clear(&t);
	return 0;
}

json_t *
task_add_json(struct mgr *mgr, const char *id)
{
	struct mgr_error err = { 0 };
	json_t *o;

	task_show_json(mgr, id, &o, &err);
	return o;
}

/* The task as it is now: its JSON with --json, else what `text` says. */
static int
task_report(struct cmd_ctx *ctx, const char *id, const char *text)
{
	struct mgr_error err = { 0 };
	struct task_rec t;

	if (!ctx->json) {
		fprintf(ctx->out, "%s\n", text);
		return CMD_EXIT_OK;
	}
	if (taskmgr_get(ctx->mgr, id, &t, &err) != 0)
		return fail_err(ctx, &err);
	print_json(ctx, task_json(ctx->mgr, &t));
	task_rec_clear(&t);
	return CMD_EXIT_OK;
}

/* A plugin function that the installed plugin lacks is an error; a
 * plugin that is not installed is a warning, and the task waits
 * disabled. */
static void
task_plugin_missing(struct cmd_ctx *ctx, struct task_rec *t)
{
	fprintf(ctx->err, _("warning: task %s: the plugin of %s is not "
	    "installed; the task is added disabled\n"), t->id, t->func_path);
	t->enabled = 0;
}

static int
task_plugin_check(struct cmd_ctx *ctx, struct task_rec *t,
		  struct mgr_error *err)
{
	int missing, rc;

	if ((rc = task_plugin_func_check(ctx->mgr, t->func_path, &missing,
	    err)) == 0 && missing)
		task_plugin_missing(ctx, t);
	return rc;
}

void
task_add_init(struct task_add *a)
{
	task_rec_init(&a->t);
	task_context_init(&a->c);
	task_hooks_init(&a->h);
	a->context_json = NULL;
}

void
task_add_clear(struct task_add *a)
{
	task_context_clear(&a->c);
	task_hooks_clear(&a->h);
	task_rec_clear(&a->t);
	free(a->context_json);
	a->context_json = NULL;
}

/* task_add_read but for the plugin's check. */
static int
task_add_parse(struct cmd_ctx *ctx, const struct cmd_args *args,
	       struct task_add *a, struct idmap *checked)
{
	struct mgr_error err = { 0 };
	int changed;

	if (read_task_options(ctx, args, &a->t) != 0 ||
	    task_context_read_args(ctx, args, &a->c, &changed) != 0 ||
	    task_hooks_read_args(ctx, args, &a->h, &changed) != 0 ||
	    check_fields(ctx, args->argc - 3, args->argv + 3, 0) < 0)
		return CMD_EXIT_USAGE;
	a->t.id = xstrdup(args->argv[0]);
	a->t.func_path = xstrdup(args->argv[1]);
	a->t.trigger = xstrdup(args->argv[2]);
	a->t.source = xstrdup("cli");
	a->fields = (const char *const *)args->argv + 3;
	a->nfields = (size_t)args->argc - 3;
	a->context_json = task_context_to_json(&a->c);
	if (task_context_check_cached(ctx->mgr, a->t.id, a->t.func_path, &a->c,
	    a->context_json, checked, &err) != 0)
		return fail_err(ctx, &err);
	return 0;
}

int
task_add_read(struct cmd_ctx *ctx, const struct cmd_args *args,
	      struct task_add *a, struct idmap *checked)
{
	struct mgr_error err = { 0 };
	int rc = task_add_parse(ctx, args, a, checked);

	if (rc == 0 && task_plugin_check(ctx, &a->t, &err) != 0)
		return fail_err(ctx, &err);
	return rc;
}

static int
task_add_one(struct cmd_ctx *ctx, struct task_add *a)
{
	struct mgr_error err = { 0 };
	int rc;

	rc = task_hooks_check(ctx->mgr, a->t.id, &a->h, &err);
	if (rc == 0)
		rc = taskmgr_add(ctx->mgr, &a->t, a->fields, a->nfields, &err);
	if (rc == 0 && ((rc = taskmgr_set_context(ctx->mgr, a->t.id, &a->c,
	    &err)) != 0 || (rc = task_hooks_put(ctx->mgr, a->t.id, &a->h,
	    &err)) != 0)) {
		struct mgr_error e2 = { 0 };
		taskmgr_remove(ctx->mgr, a->t.id, &e2);	/* all or nothing */
	}
	if (rc != 0)
		return fail_err(ctx, &err);
	if (ctx->json)
		return task_report(ctx, a->t.id, NULL);
	task_added_text(ctx, &a->t);
	return CMD_EXIT_OK;
}

/* The plugin's check done (rc, missing, err): the task is added, or
 * the error printed. */
static int
task_add_checked(struct cmd_ctx *ctx, struct task_add *a, int rc,
		 int missing, const struct mgr_error *err)
{
	if (rc != 0)
		return fail_err(ctx, err);
	if (missing)
		task_plugin_missing(ctx, &a->t);
	return task_add_one(ctx, a);
}

/* A task add carried out by the engine whose plugin's list of functions
 * is not made yet (just installed, enabled, reloaded): answered once the
 * list is, the loop free meanwhile. */
struct task_add_wait {
	struct mgr *mgr;
	struct task_add a;
	char **fields;			/* a.fields: a copy of the args' */
	struct cmd_later *later;
};

static void
task_add_wait_free(struct task_add_wait *w)
{
	task_add_clear(&w->a);
	strv_free(w->fields);
	free(w);
}

static void
task_add_answered(void *arg, int rc, int missing, const struct mgr_error *err)
{
	struct task_add_wait *w = arg;
	struct cmd_ctx ctx = { .mgr = w->mgr, .out = w->later->out,
	    .err = w->later->err, .json = w->later->json };

	w->later->finish(w->later, task_add_checked(&ctx, &w->a, rc, missing,
	    err));
	task_add_wait_free(w);
}

/* a (taken) is checked without waiting for the plugin's list: the
 * answer now, or CMD_EXIT_LATER. */
static int
task_add_later(struct cmd_ctx *ctx, struct task_add *a)
{
	struct task_add_wait *w = xcalloc(1, sizeof *w);
	struct mgr_error err = { 0 };
	int missing = 0, rc;

	w->mgr = ctx->mgr;
	w->a = *a;
	for (size_t i = 0; i < a->nfields; i++)
		w->fields = strv_push(w->fields, a->fields[i]);
	w->a.fields = (const char *const *)w->fields;
	rc = task_plugin_func_check_later(ctx->mgr, w->a.t.func_path, &missing,
	    task_add_answered, w, &err);
	if (rc == TASK_CHECK_LATER) {
		w->later = ctx->defer(ctx);
		return CMD_EXIT_LATER;
	}
	rc = task_add_checked(ctx, &w->a, rc, missing, &err);
	task_add_wait_free(w);
	return rc;
}

static int
task_add_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct task_add a;
	int rc;

	if (cmd_args_has(args, "from"))
		return task_add_from(ctx, args);
	if (cmd_args_has(args, "dry-run"))
		return cmd_usage_error(ctx, args->entry, _("option --dry-run "
		    "goes with --from"));
	task_add_init(&a);
	if ((rc = task_add_parse(ctx, args, &a, NULL)) != 0) {
		task_add_clear(&a);
		return rc;
	}
	if (ctx->defer != NULL)		/* someone to answer later */
		return task_add_later(ctx, &a);
	rc = task_plugin_check(ctx, &a.t, &err) != 0 ? fail_err(ctx, &err) :
	    task_add_one(ctx, &a);
	task_add_clear(&a);
	return rc;
}

/* What add and edit both take; CONTEXT_OPTIONS: the run's context. */
#define TASK_OPTIONS \
	{ "name", 0, "NAME", N_("the task's name (default: its id)"), 0 }, \
	{ "max-retries", 0, "N", N_("retries after a failed run"), 0 }, \
	{ "timeout", 0, "SECONDS", N_("stop a run after this long (0: no limit)"), 0 }, \
	{ "misfire-grace-time", 0, "SECONDS|default", N_("how late a missed run "\
	    "may still start"), 0 }, \
	{ "no-coalesce", 0, NULL, N_("run every missed fire time, not one for "\
	    "all"), 0 }, \
	{ "max-instances", 0, "N", N_("runs of the task at the same time "\
	    "(default 1)"), 0 }, \
	{ "on-interrupt", 0, "abandon|rerun", N_("after an engine stop "\
	    "interrupted a run"), 0 }, \
	{ "disable", 0, NULL, N_("pause the task (no scheduled runs)"), 0 }
#define CONTEXT_OPTIONS \
	{ "env", 0, "NAME=VALUE", N_("a variable of the run's environment "\
	    "(repeatable; the list replaces the task's)"), CMD_OPT_MANY }, \
	{ "env-file", 0, "FILE", N_("variables read from FILE at every run "\
	    "(-FILE: it may be missing)"), 0 }, \
	{ "workdir", 0, "DIR", N_("the run's working folder"), 0 }, \
	{ "user", 0, "NAME", N_("run as this user (the engine runs as root)"), 0 }, \
	{ "group", 0, "NAME", N_("run with this group"), 0 }, \
	{ "umask", 0, "MODE", N_("the run's umask, in octal"), 0 }, \
	{ "nice", 0, "N", N_("the run's nice value"), 0 }, \
	{ "ioprio", 0, "CLASS[:LEVEL]", N_("the run's I/O class: idle, "\
	    "best-effort or realtime, level 0-7"), 0 }, \
	{ "limit-cpu", 0, "SECONDS", N_("the run's CPU time limit (0: the "\
	    "configured default)"), 0 }, \
	{ "limit-memory", 0, "MB", N_("the run's address space limit (0: the "\
	    "configured default)"), 0 }, \
	{ "limit-nofile", 0, "N", N_("the run's open files limit (0: the "\
	    "configured default)"), 0 }, \
	{ "sandbox", 0, "none|strict", N_("the sandbox of an exec: task's "\
	    "runs (\"\": the configured task_sandbox)"), 0 }, \
	{ "network", 0, NULL, N_("a strict run may use the network"), 0 }, \
	{ "no-network", 0, NULL, N_("a strict run has no network (the "\
	    "default)"), 0 }, \
	{ "private-tmp", 0, NULL, N_("an empty /tmp of the run's own"), 0 }, \
	{ "no-private-tmp", 0, NULL, N_("no /tmp of its own (the default)"), 0 }, \
	{ "read-only", 0, "PATH", N_("a path a strict run may read (repeatable; "\
	    "the list replaces the task's)"), CMD_OPT_MANY }, \
	{ "write", 0, "PATH", N_("a path a strict run may write (repeatable; "\
	    "the list replaces the task's)"), CMD_OPT_MANY }
#define HOOK_OPTIONS \
	{ "on-failure", 0, "ACTION", N_("notify when it failed, timed out or "\
	    "crashed: exec:COMMAND, mail:ADDRESS, webhook:URL or none"), 0 }, \
	{ "on-success", 0, "ACTION", N_("notify when it succeeded"), 0 }, \
	{ "on-recovery", 0, "ACTION", N_("notify at the first success after a "\
	    "failure"), 0 }, \
	{ "on-missed", 0, "ACTION", N_("notify when a fire time was missed, "\
	    "skipped or interrupted"), 0 }, \
	{ "on-output", 0, "ACTION", N_("notify when the run printed something"), 0 }, \
	{ "after", 0, "TASK", N_("run when every one of these tasks succeeded "\
	    "(repeatable; the list replaces the task's)"), CMD_OPT_MANY }, \
	{ "after-any", 0, "TASK", N_("run when any one of these tasks "\
	    "succeeded (repeatable)"), CMD_OPT_MANY }, \
	{ "concurrency-group", 0, "NAME", N_("the group whose max_concurrent "\
	    "limits its runs"), 0 }

static const struct cmd_option task_add_options[] = {
	TASK_OPTIONS,
	CONTEXT_OPTIONS,
	HOOK_OPTIONS,
	{ "from", 0, "FILE|-", N_("add the tasks of FILE (- : stdin), one "
	    "per line, all or none (no ID FUNC TYPE then)"), 0 },
	{ "dry-run", 0, NULL, N_("with --from: check every line, add "
	    "nothing"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_task_add_entry = {
	.noun = "task", .verb = "add",
	.usage = N_("ID FUNC TYPE [FIELD=VALUE ...]"),
	.summary = N_("add a task (FUNC: PLUGIN:FUNCTION or exec:COMMAND ARG...)"),
	.flags = CMD_MUTATES, .min_args = 3, .max_args = -1,
	.args_option = "from",
	.options = task_add_options, .run = task_add_run,
	.reads_stdin = task_add_reads_stdin,
};

json_t *
task_json_time(int64_t us)
{
	char buf[TIMEFMT_ISO_MAX];

	if (us == 0)
		return json_null();
	return json_string(timefmt_machine(buf, sizeof buf, us));
}

/* trigger_args with its instants (start_date, end_date, run_date with an
 * offset) in the machine form; a wall time without an offset, read in
 * the task's zone, is left as it is.  The task keeps what was given. */
static json_t *
task_json_trigger_args(const char *text)
{
	json_t *args = json_loads(text != NULL ? text : "{}", 0, NULL), *v;
	char buf[TIMEFMT_ISO_MAX];
	const char *key;

	if (!json_is_object(args)) {
		json_decref(args);
		return json_object();
	}
	json_object_foreach(args, key, v)
		if (json_is_string(v) && timefmt_machine_text(buf, sizeof buf,
		    json_string_value(v)) != NULL)
			json_object_set_new(args, key, json_string(buf));
	return args;
}

/* The task's JSON with its context's keys (env, env_file, workdir,
 * user, group, umask, nice). */
static json_t *
task_json(struct mgr *mgr, const struct task_rec *t)
{
	json_t *o = task_json_rec(mgr, t);
	struct mgr_error err = { 0 };
	struct task_context c;
	struct task_hooks h;

	if (task_hooks_get(mgr, t->id, &h, &err) == 0) {
		json_t *hj = task_hooks_json(&h);
		json_object_update(o, hj);
		json_decref(hj);
		task_hooks_clear(&h);
	}
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
	json_t *args = task_json_trigger_args(t->trigger_args);

	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:o, s:b, s:i, s:i, "
	    "s:i, s:b, s:i, s:s, s:s, s:s?, s:o, s:o}",
	    "id", t->id, "name", t->name, "status", t->status,
	    "last_run", task_json_time(t->last_run), "next_run", task_json_time(t->next_run),
	    "func_path", t->func_path, "trigger", t->trigger,
	    "trigger_args", args,
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

/* s and a space in a column of width bytes, as "%-*s " prints it without
 * parsing a format for each of a list's rows (a fifth of listing 10,000
 * tasks was vfprintf). */
static void
put_column(FILE *f, const char *s, size_t width)
{
	static const char spaces[] = "                        ";
	size_t len = strlen(s);

	fwrite(s, 1, len, f);
	if (len < width)
		fwrite(spaces, 1, width - len < sizeof spaces - 1 ?
		    width - len : sizeof spaces - 1, f);
	putc(' ', f);
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
		if (t->last_run != 0)	/* no message lookup for "-" */
			snprintf(passed, sizeof passed, _("%s ago"),
			    span(ago, sizeof ago, now - t->last_run));
		put_column(ctx->out, local_time(next, sizeof next, t->next_run,
		    z), 24);
		put_column(ctx->out, left_text(left, sizeof left, t->next_run,
		    now), 17);
		put_column(ctx->out, local_time(last, sizeof last, t->last_run,
		    z), 24);
		put_column(ctx->out, t->last_run ? passed : "-", 14);
		put_column(ctx->out, t->status, 11);
		fprintf(ctx->out, "%s\n", t->id);
	}
	fprintf(ctx->out, ngettext("\n%zu task listed.\n",
	    "\n%zu tasks listed.\n", n), n);
	tz_free(z);
}

/* Times of 0 (none) sort after every time. */
static int
cmp_time(int64_t a, int64_t b)
{
	if (a == b)
		return 0;
	if (a == 0 || b == 0)
		return a == 0 ? 1 : -1;
	return a < b ? -1 : 1;
}

static int
cmp_id(const void *pa, const void *pb)
{
	return strcmp(((const struct task_rec *)pa)->id,
	    ((const struct task_rec *)pb)->id);
}

static int
cmp_next(const void *pa, const void *pb)
{
	const struct task_rec *a = pa, *b = pb;
	int c = cmp_time(a->next_run, b->next_run);

	return c != 0 ? c : cmp_id(pa, pb);
}

/* Newest first; never run last. */
static int
cmp_last(const void *pa, const void *pb)
{
	const struct task_rec *a = pa, *b = pb;
	int c = a->last_run == 0 || b->last_run == 0 ?
	    cmp_time(a->last_run, b->last_run) : cmp_time(b->last_run, a->last_run);

	return c != 0 ? c : cmp_id(pa, pb);
}

static int
cmp_name(const void *pa, const void *pb)
{
	const struct task_rec *a = pa, *b = pb;
	int c = strcmp(a->name != NULL ? a->name : "", b->name != NULL ? b->name : "");

	return c != 0 ? c : cmp_id(pa, pb);
}

static int
cmp_status(const void *pa, const void *pb)
{
	const struct task_rec *a = pa, *b = pb;
	int c = strcmp(a->status, b->status);

	return c != 0 ? c : cmp_id(pa, pb);
}

/* task list --sort FIELD: NEXT by default, as systemctl list-timers. */
static const struct {
	const char *name;
	int (*cmp)(const void *, const void *);
} sort_fields[] = {
	{ "next", cmp_next }, { "last", cmp_last }, { "id", cmp_id },
	{ "name", cmp_name }, { "status", cmp_status },
};

/* The index of --sort's FIELD, or -1 after a usage error. */
static int
sort_option(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *v = cmd_args_value(args, "sort");
	char *msg;

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < sizeof sort_fields / sizeof sort_fields[0]; i++)
		if (strcasecmp(v, sort_fields[i].name) == 0)
			return (int)i;
	msg = xasprintf(_("option --sort: \"%s\" is not one of next, last, id, "
	    "name, status"), v);
	cmd_usage_error(ctx, args->entry, msg);
	free(msg);
	return -1;
}

static int
task_list_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct task_rec *v;
	int field = sort_option(ctx, args);
	size_t n;

	if (field < 0)
		return CMD_EXIT_USAGE;
	if (ctx->mgr->db == NULL) {	/* CMD_DB_IF_EXISTS: no database yet */
		v = NULL;
		n = 0;
	} else if ((ctx->json ? taskmgr_list(ctx->mgr, &v, &n, &err) :
	    task_store_list_brief(ctx->mgr->db, &v, &n, &err)) != 0)
		return fail_err(ctx, &err);
	sort_array(v, n, sizeof *v, sort_fields[field].cmp);
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

static const struct cmd_option task_list_options[] = {
	{ "sort", 0, "FIELD", N_("order by next (the default), last (newest "
	    "first), id, name or status"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_task_list_entry = {
	.noun = "task", .verb = "list", .usage = "",
	.summary = N_("list tasks with their next and last runs"),
	.flags = CMD_DB_IF_EXISTS, .min_args = 0, .max_args = 0,
	.options = task_list_options, .run = task_list_run,
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
task_show_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct task_rec t;

	if (taskmgr_get(ctx->mgr, args->target, &t, &err) != 0)
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
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1,
	.target = CMD_TARGET_TASK, .run = task_show_run,
};

/* MGR_ECONFLICT naming the file when t comes from a task file (what:
 * the change refused, "pause"), else 0. */
static int
task_file_refusal(const struct task_rec *t, const char *what,
		  struct mgr_error *err)
{
	if (t->source == NULL || strncmp(t->source, "file:", 5) != 0)
		return 0;
	return mgr_error_set(err, MGR_ECONFLICT, _("task %s comes from the task "
	    "file %s: %s it there, or use --force (the file wins at the next "
	    "reload)"), t->id, t->source + 5, what);
}

int
task_pause_refused(const struct task_rec *t, struct mgr_error *err)
{
	return task_file_refusal(t, _("pause"), err);
}

/* A task from a task file is the file's: a change by hand needs
 * --force, and lasts until the next reload.  0 to go on, else the exit
 * status of the refusal. */
static int
file_task_guard(struct cmd_ctx *ctx, const struct cmd_args *args,
		const char *what)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	int rc = 0;

	if (taskmgr_get(ctx->mgr, args->target, &t, &err) != 0)
		return 0;	/* the command says it */
	if (cmd_args_has(args, "force")) {
		if (t.source != NULL && strncmp(t.source, "file:", 5) == 0)
			fprintf(ctx->err, _("manager: warning: task %s comes from "
			    "%s: the file wins at the next reload\n"), t.id,
			    t.source + 5);
	} else if ((rc = task_file_refusal(&t, what, &err)) != 0)
		rc = fail_err(ctx, &err);
	task_rec_clear(&t);
	return rc;
}

static int
task_edit_context(struct cmd_ctx *ctx, struct task_rec *t,
		  const struct task_context *c, const struct task_hooks *h,
		  const struct cmd_args *args)
{
	const char *func = cmd_args_value(args, "func");
	const char *type = cmd_args_value(args, "trigger");
	struct mgr_error err = { 0 };
	int argc = args->argc;
	char **argv = args->argv;
	int missing = 0;

	if (check_fields(ctx, argc - 1, argv + 1, 1) < 0)
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
	    task_hooks_check(ctx->mgr, t->id, h, &err) != 0 ||
	    taskmgr_modify(ctx->mgr, t, argc > 1 ?
	    (const char *const *)argv + 1 : NULL, (size_t)argc - 1, &err) != 0 ||
	    taskmgr_set_context(ctx->mgr, t->id, c, &err) != 0 ||
	    task_hooks_put(ctx->mgr, t->id, h, &err) != 0)
		return fail_err(ctx, &err);
	if (missing)
		fprintf(ctx->err, _("warning: task %s: the plugin of %s is not "
		    "installed\n"), t->id, func);
	return CMD_EXIT_OK;
}

static int
task_edit_apply(struct cmd_ctx *ctx, struct task_rec *t,
		const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct task_context c;
	struct task_hooks h;
	int rc = CMD_EXIT_USAGE, changed;

	if (taskmgr_get_context(ctx->mgr, t->id, &c, &err) != 0)
		return fail_err(ctx, &err);
	if (task_hooks_get(ctx->mgr, t->id, &h, &err) != 0) {
		task_context_clear(&c);
		return fail_err(ctx, &err);
	}
	if (read_task_options(ctx, args, t) == 0 &&
	    task_context_read_args(ctx, args, &c, &changed) == 0 &&
	    task_hooks_read_args(ctx, args, &h, &changed) == 0)
		rc = task_edit_context(ctx, t, &c, &h, args);
	task_context_clear(&c);
	task_hooks_clear(&h);
	return rc;
}

static int
task_edit_now(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	char *msg;
	int rc;

	if ((rc = file_task_guard(ctx, args, _("edit"))) != 0)
		return rc;
	if (taskmgr_get(ctx->mgr, args->target, &t, &err) != 0)
		return fail_err(ctx, &err);
	rc = task_edit_apply(ctx, &t, args);
	if (rc == CMD_EXIT_OK) {
		msg = xasprintf(_("task %s changed"), t.id);
		rc = task_report(ctx, t.id, msg);
		free(msg);
	}
	task_rec_clear(&t);
	return rc;
}

/* An edit to a PLUGIN:FUNCTION waiting for the host's list of the
 * plugin's functions (task_plugin_func_check_later). */
struct task_edit_wait {
	struct mgr *mgr;
	struct cmd_args args;	/* its own copy */
	struct cmd_later *later;
};

/* The list is there (the edit's check reads it, never the helper), or
 * the engine stopped first (err). */
static void
task_edit_checked(void *arg, int rc, int missing, const struct mgr_error *err)
{
	struct task_edit_wait *w = arg;
	struct cmd_ctx ctx = { .mgr = w->mgr, .out = w->later->out,
	    .err = w->later->err, .json = w->later->json };

	(void)missing;
	w->later->finish(w->later, rc != 0 ? cmd_fail(&ctx, err->code,
	    err->msg) : task_edit_now(&ctx, &w->args));
	cmd_args_clear(&w->args);
	free(w);
}

static int
task_edit_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *func = cmd_args_value(args, "func");
	struct mgr_error err = { 0 };
	struct task_edit_wait *w;
	int missing, rc;

	if (ctx->defer == NULL || func == NULL)
		return task_edit_now(ctx, args);
	/* On a host, the plugin's list may still be being made: the edit
	 * waits for it, the loop free, where asking the listing helper
	 * would hold the loop for seconds. */
	w = xcalloc(1, sizeof *w);
	w->mgr = ctx->mgr;
	rc = task_plugin_func_check_later(ctx->mgr, func, &missing,
	    task_edit_checked, w, &err);
	if (rc == TASK_CHECK_LATER) {
		cmd_args_copy(&w->args, args);
		w->later = ctx->defer(ctx);
		return CMD_EXIT_LATER;
	}
	free(w);
	return task_edit_now(ctx, args);	/* checks again, at once */
}

static const struct cmd_option task_edit_options[] = {
	{ "func", 0, "FUNC", N_("what the task runs: PLUGIN:FUNCTION or "
	    "exec:COMMAND ARG..."), 0 },
	{ "trigger", 0, "TYPE", N_("a new trigger type (with its FIELD=VALUE "
	    "arguments)"), 0 },
	TASK_OPTIONS,
	{ "coalesce", 0, NULL, N_("run missed fire times once (the default)"), 0 },
	{ "enable", 0, NULL, N_("resume the task"), 0 },
	CONTEXT_OPTIONS,
	HOOK_OPTIONS,
	{ "force", 0, NULL, N_("change a task of a task file (the file wins at "
	    "the next reload)"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_task_edit_entry = {
	.noun = "task", .verb = "edit",
	.usage = N_("ID [FIELD=VALUE ...]"),
	.summary = N_("change a task; FIELD=VALUE replaces its trigger fields, "
	    "--env its environment list, \"\" clears an option"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = -1,
	.options = task_edit_options, .target = CMD_TARGET_TASK,
	.run = task_edit_run,
};

/* Runs fn on the target; says msg (freed here), or with --json prints
 * the task after the change (removed: its id). */
static int
task_simple(struct cmd_ctx *ctx, const char *id,
	    int (*fn)(struct mgr *, const char *, struct mgr_error *),
	    char *msg)
{
	struct mgr_error err = { 0 };
	int rc = fn(ctx->mgr, id, &err);

	if (rc != 0)
		rc = fail_err(ctx, &err);
	else if (fn == taskmgr_remove && ctx->json)
		print_json(ctx, json_pack("{s:s, s:b}", "id", id, "removed", 1));
	else
		rc = task_report(ctx, id, msg);
	free(msg);
	return rc;
}

/* fn on the target, saying msg (freed here); --stop ends its runs
 * first, else says which are still going. */
static int
task_stopping(struct cmd_ctx *ctx, const struct cmd_args *args,
	      int (*fn)(struct mgr *, const char *, struct mgr_error *),
	      char *msg)
{
	struct mgr_error err = { 0 };
	const char *id = args->target;
	int rc, n = 0;

	if (cmd_args_has(args, "stop") && ctx->mgr->sched != NULL &&
	    scheduler_stop(ctx->mgr, id, 0, NULL, NULL, &n, &err) != 0) {
		free(msg);
		return fail_err(ctx, &err);
	}
	if ((rc = task_simple(ctx, id, fn, msg)) != CMD_EXIT_OK || ctx->json)
		return rc;
	if (n > 0)
		fprintf(ctx->out, ngettext("task %s: stopping %d run\n",
		    "task %s: stopping %d runs\n", (unsigned long)n), id, n);
	else if ((n = scheduler_task_running(ctx->mgr, id)) > 0)
		fprintf(ctx->out, ngettext("task %s: %d run is still going (end it "
		    "with `manager task stop %s`, or use --stop)\n",
		    "task %s: %d runs are still going (end them with `manager task "
		    "stop %s`, or use --stop)\n", (unsigned long)n), id, n, id);
	return rc;
}

static int
task_remove_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int rc = file_task_guard(ctx, args, _("remove"));

	if (rc != 0)
		return rc;
	return task_stopping(ctx, args, taskmgr_remove,
	    xasprintf(_("task %s removed"), args->target));
}

static int
task_pause_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int rc = file_task_guard(ctx, args, _("pause"));

	if (rc != 0)
		return rc;
	return task_stopping(ctx, args, taskmgr_pause,
	    xasprintf(_("task %s paused"), args->target));
}

static int
task_resume_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return task_simple(ctx, args->target, taskmgr_resume,
	    xasprintf(_("task %s resumed"), args->target));
}

static const struct cmd_option task_stopping_options[] = {
	{ "stop", 0, NULL, N_("also end the task's runs going on (they end as "
	    "stopped)"), 0 },
	{ "force", 0, NULL, N_("also a task of a task file (the file wins at "
	    "the next reload)"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_task_remove_entry = {
	.noun = "task", .verb = "remove", .usage = "ID",
	.summary = N_("remove a task and its run history (--stop: and end its "
	    "runs going on)"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.options = task_stopping_options, .target = CMD_TARGET_TASK,
	.run = task_remove_run,
};

const struct cmd_entry cmd_task_pause_entry = {
	.noun = "task", .verb = "pause", .usage = "ID",
	.summary = N_("pause a task (no more scheduled runs; --stop: and end "
	    "its runs going on)"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.options = task_stopping_options, .target = CMD_TARGET_TASK,
	.run = task_pause_run,
};

const struct cmd_entry cmd_task_resume_entry = {
	.noun = "task", .verb = "resume", .usage = "ID",
	.summary = N_("resume a paused task"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.target = CMD_TARGET_TASK, .run = task_resume_run,
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
extern const struct cmd_entry cmd_task_deps_entry;
extern const struct cmd_entry cmd_db_copy_entry;

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
	&cmd_task_deps_entry,
	&cmd_db_copy_entry,
	NULL
};
