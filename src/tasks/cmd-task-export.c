/* cmd-task-export.c - manager task export crontab: the tasks a crontab
 * can express, as its lines (a task imported from a crontab goes back as
 * the line it came from); every other task, and whatever of a written
 * task a crontab cannot keep, as a comment naming the task. */
#include "i18n.h"
#include "cmd.h"
#include "import.h"
#include "manager.h"
#include "sandbox.h"
#include "scheduler.h"
#include "util.h"

#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct cmd_entry cmd_task_export_entry;

/* One task on its way to a line: what is written and what is lost. */
struct cron_out {
	char *schedule;		/* 5 fields or @alias; NULL: none */
	char *tz;		/* CRON_TZ, or NULL */
	struct strbuf cmd;	/* the shell text */
	struct strbuf lost;	/* "; "-separated: what the line loses */
	char *why;		/* the reason it cannot be a line at all */
};

static void
lose(struct cron_out *o, const char *what)
{
	strbuf_addf(&o->lost, "%s%s", o->lost.len > 0 ? "; " : "", what);
}

static const char *
arg_str(json_t *args, const char *key)
{
	json_t *v = json_object_get(args, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A crontab= line a Vixie crontab reads the same: five fields or an
 * alias, without the extensions (? L W # H) Vixie cron lacks. */
static int
vixie_line(const char *line)
{
	int fields = 0;

	if (line[0] == '@')
		return 1;
	if (strpbrk(line, "?LWlw#H") != NULL)
		return 0;
	for (const char *p = line; *p != '\0';) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		fields++;
		p += strcspn(p, " \t");
	}
	return fields == 5;
}

/* APScheduler's day_of_week (0 = mon) as Vixie's numbers (0 = sun), for
 * values, lists and ranges that do not wrap; NULL otherwise. */
static char *
aps_dow(const char *v)
{
	static const char *const names[] = { "mon", "tue", "wed", "thu", "fri",
	    "sat", "sun" };
	struct strbuf sb = STRBUF_INIT;
	char *copy = xstrdup(v), *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		int a = -1, b = -1;
		char *dash = strchr(item, '-');
		if (dash != NULL)
			*dash = '\0';
		for (int i = 0; i < 7; i++) {
			if (strcmp(item, names[i]) == 0 || (item[0] == '0' + i &&
			    item[1] == '\0'))
				a = i;
			if (dash != NULL && (strcmp(dash + 1, names[i]) == 0 ||
			    (dash[1] == '0' + i && dash[2] == '\0')))
				b = i;
		}
		if (a < 0 || (dash != NULL && (b < a || b < 0))) {
			strbuf_free(&sb);
			free(copy);
			return NULL;
		}
		if (dash == NULL)
			strbuf_addf(&sb, "%s%d", sb.len ? "," : "", (a + 1) % 7);
		else if (b == 6)	/* ..sun: sun is 0 in cron, 7 too */
			strbuf_addf(&sb, "%s%d-7", sb.len ? "," : "", a + 1);
		else
			strbuf_addf(&sb, "%s%d-%d", sb.len ? "," : "", a + 1, b + 1);
	}
	free(copy);
	return strbuf_detach(&sb);
}

/* APScheduler's fields as five Vixie fields: unset fields coarser than
 * the finest one set are "*", finer ones their minimum. */
static char *
aps_schedule(json_t *args, const char **why)
{
	static const char *const order[] = { "month", "day", "day_of_week",
	    "hour", "minute" };
	static const char *const low[] = { "1", "1", "*", "0", "0" };
	const char *v[5], *sec = arg_str(args, "second");
	char *dow;
	int finest = -1;

	if ((sec != NULL && strcmp(sec, "0") != 0) || arg_str(args, "year") ||
	    arg_str(args, "week")) {
		*why = _("seconds, years or weeks");
		return NULL;
	}
	for (int i = 0; i < 5; i++)
		if ((v[i] = arg_str(args, order[i])) != NULL)
			finest = i;
	for (int i = 0; i < 5; i++)
		if (v[i] == NULL)
			v[i] = i > finest ? low[i] : "*";
	for (int i = 0; i < 5; i++)
		if (strpbrk(v[i], "abcdefghijklmnopqrstuvwxyz ") != NULL && i != 2) {
			*why = _("\"last\" or an n-th weekday");
			return NULL;
		}
	if (strcmp(v[1], "*") != 0 && strcmp(v[2], "*") != 0) {
		*why = _("both day and day_of_week (cron fires when either matches, "
		    "APScheduler when both do)");
		return NULL;
	}
	if (strcmp(v[2], "*") == 0)
		dow = xstrdup("*");
	else if ((dow = aps_dow(v[2])) == NULL) {
		*why = _("a day_of_week that wraps or steps");
		return NULL;
	}
	{
		char *s = xasprintf("%s %s %s %s %s", v[4], v[3], v[1], v[0], dow);
		free(dow);
		return s;
	}
}

static void
out_schedule(struct cron_out *o, const struct task_rec *t)
{
	json_t *args = json_loads(t->trigger_args != NULL ? t->trigger_args :
	    "{}", 0, NULL);
	const char *line = arg_str(args, "crontab"), *why = NULL, *tz;

	if (strcmp(t->trigger, "cron") != 0)
		why = _("a crontab has no such trigger");
	else if (arg_str(args, "quartz") != NULL)
		why = _("a Quartz line");
	else if (arg_str(args, "start_date") || arg_str(args, "end_date"))
		why = _("start_date or end_date");
	else if (line != NULL && !vixie_line(line))
		why = _("seconds or an extension (? L W # H) Vixie cron lacks");
	else if (line != NULL)
		o->schedule = xstrdup(line);
	else
		o->schedule = aps_schedule(args, &why);
	if (why != NULL && o->why == NULL)
		o->why = xstrdup(why);
	if ((tz = arg_str(args, "timezone")) != NULL && strcmp(tz, "local") != 0)
		o->tz = xstrdup(tz);
	if (json_object_get(args, "jitter") != NULL)
		lose(o, _("jitter"));
	json_decref(args);
}

/* cron's "%" and its escape: "%" in the command is "\%". */
static void
add_escaped(struct strbuf *sb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '%')
			strbuf_adds(sb, "\\");
		strbuf_add(sb, s, 1);
	}
}

/* A word for sh: as is when plain, else in single quotes. */
static void
add_sh_word(struct strbuf *sb, const char *w)
{
	if (*w != '\0' && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ0123456789_-./:=+,@%") == strlen(w)) {
		add_escaped(sb, w);
		return;
	}
	strbuf_adds(sb, "'");
	for (; *w != '\0'; w++) {
		if (*w == '\'')
			strbuf_adds(sb, "'\\''");
		else if (*w == '%')
			strbuf_adds(sb, "\\%");
		else
			strbuf_add(sb, w, 1);
	}
	strbuf_adds(sb, "'");
}

/* The script of "SHELL -c SCRIPT": the command, and after "%" its stdin
 * when the import put that in a here-document (import_crontab.c). */
static int
add_script(struct cron_out *o, const char *script)
{
	const char *p = script, *end, *mark_end;
	size_t mlen;

	if (strncmp(p, "exec 0<<'", 9) != 0) {
		if (strchr(script, '\n') != NULL)
			return -1;
		add_escaped(&o->cmd, script);
		return 0;
	}
	p += 9;
	if ((mark_end = strstr(p, "'\n")) == NULL)
		return -1;
	mlen = (size_t)(mark_end - p);
	/* end: the newline before the line that is the delimiter. */
	for (end = mark_end + 1; (end = strchr(end, '\n')) != NULL; end++)
		if (strncmp(end + 1, p, mlen) == 0 && end[1 + mlen] == '\n')
			break;
	if (end == NULL || strchr(end + mlen + 2, '\n') != NULL)
		return -1;
	add_escaped(&o->cmd, end + mlen + 2);
	strbuf_adds(&o->cmd, "%");
	/* cron's reading backwards: a newline is "%", "%" is "\\%"; the
	 * last newline cron adds itself. */
	for (const char *s = mark_end + 2; s < end; s++) {
		if (*s == '%')
			strbuf_adds(&o->cmd, "\\");
		strbuf_adds(&o->cmd, *s == '\n' ? "%" : (char[]){ *s, 0 });
	}
	return 0;
}

static void
out_command(struct cron_out *o, const struct task_rec *t, const char *shell)
{
	struct mgr_error err = { 0 };
	char **argv = NULL;

	if (strncmp(t->func_path, "exec:", 5) != 0) {
		if (o->why == NULL)
			o->why = xstrdup(_("a plugin function (a crontab runs commands)"));
		return;
	}
	if (exec_split(t->func_path + 5, &argv, &err) != 0) {
		if (o->why == NULL)
			o->why = xstrdup(err.msg);
		return;
	}
	if (strv_len(argv) == 3 && strcmp(argv[0], shell) == 0 &&
	    strcmp(argv[1], "-c") == 0) {
		if (add_script(o, argv[2]) != 0 && o->why == NULL)
			o->why = xstrdup(_("a shell script of several lines"));
	} else
		for (size_t i = 0; argv[i] != NULL; i++) {
			if (i > 0)
				strbuf_adds(&o->cmd, " ");
			if (strchr(argv[i], '\n') != NULL && o->why == NULL)
				o->why = xstrdup(_("a word with a line break"));
			add_sh_word(&o->cmd, argv[i]);
		}
	strv_free(argv);
}

static const char *
env_of(char **env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

/* What the crontab's lines so far have set: NAME=VALUE, in order. */
struct cron_state {
	char **env;
	const char *me;		/* the user running the export */
	int system;		/* --format system: a user column */
};

static void
state_set(struct cron_state *st, struct strbuf *head, const char *name,
	  const char *value)
{
	const char *cur = env_of(st->env, name);
	char *item;

	if (cur != NULL && strcmp(cur, value) == 0)
		return;
	/* cron takes matching quotes off a value, and blanks at its ends. */
	if (*value == '\0' || strchr(" \t\"'", *value) != NULL ||
	    strchr(" \t\"'", value[strlen(value) - 1]) != NULL)
		strbuf_addf(head, "%s=%c%s%c\n", name, strchr(value, '"') ? '\'' :
		    '"', value, strchr(value, '"') ? '\'' : '"');
	else
		strbuf_addf(head, "%s=%s\n", name, value);
	item = xasprintf("%s=%s", name, value);
	for (size_t i = 0; st->env != NULL && st->env[i] != NULL; i++)
		if (strncmp(st->env[i], item, strlen(name) + 1) == 0) {
			free(st->env[i]);
			st->env[i] = item;
			return;
		}
	st->env = strv_push(st->env, item);
	free(item);
}

/* The task's environment as assignment lines before it (head), and the
 * variables an earlier line set that it must not see, unset first. */
static void
out_env(struct cron_out *o, struct cron_state *st, struct strbuf *head,
	const struct task_context *c, struct strbuf *pre)
{
	const char *shell = env_of(c->env, "SHELL");

	for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++)
		if (strchr(c->env[i], '\n') != NULL && o->why == NULL)
			o->why = xstrdup(_("a variable with a line break"));
	if (o->why != NULL)
		return;
	state_set(st, head, "SHELL", shell != NULL ? shell : "/bin/sh");
	if (o->tz != NULL)
		state_set(st, head, "CRON_TZ", o->tz);
	for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++) {
		char *name = xstrndup(c->env[i], strcspn(c->env[i], "="));
		state_set(st, head, name, c->env[i] + strlen(name) + 1);
		free(name);
	}
	for (size_t i = 0; st->env[i] != NULL; i++) {
		char *name = xstrndup(st->env[i], strcspn(st->env[i], "="));
		if (env_of(c->env, name) == NULL && strcmp(name, "SHELL") != 0 &&
		    strcmp(name, "CRON_TZ") != 0)
			strbuf_addf(pre, "unset %s; ", name);
		free(name);
	}
}

/* The context: a folder and a umask go before the command; the user is
 * the system format's column. */
static const char *
out_context(struct cron_out *o, const struct cron_state *st,
	    const struct task_context *c, struct strbuf *pre)
{
	if (c->workdir != NULL) {
		strbuf_adds(pre, "cd ");
		add_sh_word(pre, c->workdir);
		strbuf_adds(pre, " && ");
	}
	if (c->umask >= 0)
		strbuf_addf(pre, "umask %04o; ", (unsigned)c->umask);
	if (c->env_file != NULL)
		lose(o, _("env_file"));
	if (c->group != NULL)
		lose(o, _("group"));
	if (c->nice != 0)
		lose(o, _("nice"));
	if (!st->system && c->user != NULL && strcmp(c->user, st->me) != 0 &&
	    o->why == NULL)
		o->why = xasprintf(_("runs as %s (see --format system)"), c->user);
	return c->user != NULL ? c->user : st->me;
}

static void
out_options(struct cron_out *o, const struct task_rec *t, int grace)
{
	char buf[64];

	if (t->max_retries > 0) {
		snprintf(buf, sizeof buf, ngettext("%d retry", "%d retries",
		    (unsigned long)t->max_retries), t->max_retries);
		lose(o, buf);
	}
	if (t->timeout > 0) {
		snprintf(buf, sizeof buf, _("timeout %d s"), t->timeout);
		lose(o, buf);
	}
	if (grace == 0 || grace > 60)
		lose(o, _("catching up runs missed while down"));
}

/* One task: its lines into out (assignments it needs first). */
static void
export_task(struct cmd_ctx *ctx, struct cron_state *st, const struct task_rec *t,
	    struct strbuf *out, size_t *lines)
{
	struct cron_out o = { .cmd = STRBUF_INIT, .lost = STRBUF_INIT };
	struct strbuf head = STRBUF_INIT, pre = STRBUF_INIT;
	struct mgr_error err = { 0 };
	struct task_context c;
	const char *shell, *user = NULL;

	if (taskmgr_get_context(ctx->mgr, t->id, &c, &err) != 0)
		o.why = xstrdup(err.msg);
	shell = env_of(c.env, "SHELL");
	out_schedule(&o, t);
	out_command(&o, t, shell != NULL ? shell : "/bin/sh");
	out_options(&o, t, task_misfire_grace(ctx->mgr, t));
	if (o.why == NULL)
		user = out_context(&o, st, &c, &pre);
	if (o.why == NULL)
		out_env(&o, st, &head, &c, &pre);
	if (o.why != NULL)
		strbuf_addf(out, _("# %s: not a crontab line (%s): %s %s %s\n"),
		    t->id, o.why, t->trigger, t->trigger_args, t->func_path);
	else {
		strbuf_adds(out, head.buf != NULL ? head.buf : "");
		if (o.lost.len > 0)
			strbuf_addf(out, _("# %s: not kept: %s\n"), t->id, o.lost.buf);
		if (!t->enabled)
			strbuf_addf(out, _("# %s is paused:\n# "), t->id);
		strbuf_addf(out, "%s%s%s %s%s\n", o.schedule, st->system ? " " : "",
		    st->system ? user : "", pre.buf != NULL ? pre.buf : "", o.cmd.buf);
		*lines += t->enabled;
	}
	strbuf_free(&head);
	strbuf_free(&pre);
	strbuf_free(&o.cmd);
	strbuf_free(&o.lost);
	free(o.schedule);
	free(o.tz);
	free(o.why);
	task_context_clear(&c);
}

/* Tasks without a zone first: a crontab cannot go back to none. */
static int
zone_first(const void *a, const void *b)
{
	const struct task_rec *x = a, *y = b;
	int zx = x->trigger_args != NULL && strstr(x->trigger_args,
	    "\"timezone\"") != NULL;
	int zy = y->trigger_args != NULL && strstr(y->trigger_args,
	    "\"timezone\"") != NULL;

	return zx != zy ? zx - zy : strcmp(x->id, y->id);
}

/* --json: the crontab's text with its counts. */
static void
export_json(struct cmd_ctx *ctx, const char *format, const char *text,
	    size_t lines, size_t n)
{
	cmd_print_json(ctx, json_pack("{s:s, s:s, s:I, s:I, s:s}", "kind",
	    "crontab", "format", format, "tasks", (json_int_t)n, "lines",
	    (json_int_t)lines, "text", text));
}

static int
task_export_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct cron_state st = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct mgr_error err = { 0 };
	const char *format = cmd_args_value(args, "format");
	struct task_rec *v;
	struct passwd *pw = getpwuid(geteuid());
	size_t n, lines = 0;
	char *msg;
	int rc;

	if (strcmp(args->argv[0], "crontab") != 0) {
		msg = xasprintf(_("cannot export \"%s\": the kind is crontab"),
		    args->argv[0]);
		rc = cmd_usage_error(ctx, &cmd_task_export_entry, msg);
		free(msg);
		return rc;
	}
	if (format != NULL && strcmp(format, "user") != 0 &&
	    strcmp(format, "system") != 0)
		return cmd_usage_error(ctx, &cmd_task_export_entry,
		    _("option --format: \"user\" or \"system\""));
	if (taskmgr_list(ctx->mgr, &v, &n, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	st.system = format != NULL && strcmp(format, "system") == 0;
	st.me = pw != NULL ? pw->pw_name : "root";
	st.env = strv_push(NULL, "SHELL=/bin/sh");	/* cron's */
	sort_array(v, n, sizeof *v, zone_first);
	for (size_t i = 0; i < n; i++)
		export_task(ctx, &st, &v[i], &out, &lines);
	if (ctx->json)
		export_json(ctx, st.system ? "system" : "user",
		    out.buf != NULL ? out.buf : "", lines, n);
	else
		fprintf(ctx->out, _("# manager task export crontab: %zu of %zu "
		    "tasks as lines\n%s"), lines, n, out.buf != NULL ? out.buf : "");
	strbuf_free(&out);
	strv_free(st.env);
	task_recs_free(v, n);
	return CMD_EXIT_OK;
}

static const struct cmd_option task_export_options[] = {
	{ "format", 0, "user|system", N_("a user's crontab (the default) or the "
	    "system's, with a user column"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

static const char *const task_export_words[] = { "crontab", NULL };

const struct cmd_entry cmd_task_export_entry = {
	.noun = "task", .verb = "export", .usage = "crontab",
	.summary = N_("write the tasks as a crontab (what it cannot express "
	    "as comments)"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1,
	.options = task_export_options, .words = task_export_words,
	.run = task_export_run,
};
