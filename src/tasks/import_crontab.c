/* import_crontab.c - a crontab read as cron reads it (Vixie cron 4.1 as
 * Debian ships it, with cronie's CRON_TZ): comments, NAME=VALUE lines,
 * jobs of five fields or an @alias, the user column of /etc/crontab and
 * /etc/cron.d, and "%" in a command.  Each job becomes an exec: task
 * that runs its command through the crontab's SHELL with -c, as cron
 * does: the one place a task is given to a shell, because a crontab's
 * command is shell text. */
#include "i18n.h"
#include "idmap.h"
#include "import.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cron's SHELL for a job, whatever the user's login shell.  PATH is
 * left to manager.task_path, which is what Debian's cron passes on (its
 * own, systemd's) when a crontab sets none. */
#define CRON_SHELL "/bin/sh"

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const char *
skip_blanks(const char *p)
{
	while (is_blank(*p))
		p++;
	return p;
}

void
crontab_line_clear(struct crontab_line *l)
{
	free(l->name);
	free(l->value);
	free(l->schedule);
	free(l->user);
	free(l->command);
	free(l->input);
	memset(l, 0, sizeof *l);
}

/* A value without its matching quotes ('...' or "..."), as load_env
 * takes it. */
static char *
unquote(const char *s, size_t len)
{
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0])
		return xstrndup(s + 1, len - 2);
	return xstrndup(s, len);
}

/* Vixie's load_env: NAME = VALUE, blanks around "=" allowed, the name
 * or the value in matching quotes.  0 when the line is no assignment
 * (then it is a job). */
static int
env_line(const char *p, struct crontab_line *out)
{
	const char *name = p, *name_end, *v;
	size_t len;

	if (*p == '"' || *p == '\'') {
		const char *q = strchr(p + 1, *p);
		if (q == NULL)
			return 0;
		name = p + 1;
		name_end = q;
		p = q + 1;
	} else {
		while (*p != '\0' && *p != '=' && !is_blank(*p))
			p++;
		name_end = p;
	}
	p = skip_blanks(p);
	if (*p != '=' || name_end == name)
		return 0;
	v = skip_blanks(p + 1);
	len = strlen(v);
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	out->kind = CRONTAB_ENV;
	out->name = xstrndup(name, (size_t)(name_end - name));
	out->value = unquote(v, len);
	return 1;
}

/* One blank-separated word at *p, moved past it. */
static char *
take_word(const char **p)
{
	const char *s = skip_blanks(*p), *e = s;

	while (*e != '\0' && !is_blank(*e))
		e++;
	*p = e;
	return e == s ? NULL : xstrndup(s, (size_t)(e - s));
}

static int
alias_known(const char *w)
{
	static const char *const aliases[] = { "@reboot", "@yearly",
	    "@annually", "@monthly", "@weekly", "@daily", "@midnight",
	    "@hourly", NULL };

	for (size_t i = 0; aliases[i] != NULL; i++)
		if (strcmp(w, aliases[i]) == 0)
			return 1;
	return 0;
}

/* The schedule: an @alias, or five fields joined by one blank. */
static int
take_schedule(const char **p, struct crontab_line *out, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *w;

	if (**p == '@') {
		w = take_word(p);
		if (!alias_known(w)) {
			mgr_error_set(err, MGR_EINVAL, _("unknown schedule \"%s\" "
			    "(known: @reboot @yearly @annually @monthly @weekly "
			    "@daily @midnight @hourly)"), w);
			free(w);
			return MGR_EINVAL;
		}
		out->schedule = w;
		return 0;
	}
	for (int i = 0; i < 5; i++) {
		if ((w = take_word(p)) == NULL) {
			strbuf_free(&sb);
			return mgr_error_set(err, MGR_EINVAL, _("%d time fields where "
			    "cron needs 5 (minute hour day month day_of_week) and "
			    "a command"), i);
		}
		strbuf_addf(&sb, "%s%s", i > 0 ? " " : "", w);
		free(w);
	}
	out->schedule = strbuf_detach(&sb);
	return 0;
}

/* cron's "%": the first one not escaped ends the command, whose "\%"
 * become "%" (other backslashes stay for the shell); the rest is the
 * command's stdin, each "%" a newline, "\%" a "%", ending with a newline
 * (do_command.c of Vixie cron 4.1). */
static void
split_percent(const char *cmd, struct crontab_line *out)
{
	struct strbuf c = STRBUF_INIT, in = STRBUF_INIT;
	const char *p = cmd;
	int escaped = 0, need_newline = 0;

	for (; *p != '\0'; p++) {
		if (escaped && *p == '%')
			c.len--;	/* the backslash goes */
		else if (!escaped && *p == '%')
			break;
		escaped = !escaped && *p == '\\';
		strbuf_add(&c, p, 1);
	}
	out->command = strbuf_detach(&c);
	if (*p != '%')
		return;
	for (p++, escaped = 0; *p != '\0'; p++) {
		char ch = *p;
		if (escaped) {
			if (ch != '%')
				strbuf_adds(&in, "\\");
		} else if (ch == '%')
			ch = '\n';
		if (!(escaped = (ch == '\\'))) {
			strbuf_add(&in, &ch, 1);
			need_newline = ch != '\n';
		}
	}
	if (escaped)
		strbuf_adds(&in, "\\");
	if (need_newline)
		strbuf_adds(&in, "\n");
	out->input = strbuf_detach(&in);
}

int
crontab_line_parse(const char *line, enum crontab_format fmt,
		   struct crontab_line *out, struct mgr_error *err)
{
	const char *p = skip_blanks(line);
	int rc;

	memset(out, 0, sizeof *out);
	if (*p == '\0' || *p == '#' || *p == '\r' || *p == '\n') {
		out->kind = CRONTAB_BLANK;
		return 0;
	}
	if (env_line(p, out))
		return 0;
	out->kind = CRONTAB_JOB;
	if ((rc = take_schedule(&p, out, err)) != 0) {
		crontab_line_clear(out);
		return rc;
	}
	if (fmt == CRONTAB_SYSTEM && (out->user = take_word(&p)) == NULL) {
		crontab_line_clear(out);
		return mgr_error_set(err, MGR_EINVAL, _("no user after the time "
		    "fields (a system crontab's line is: minute hour day month "
		    "day_of_week user command)"));
	}
	p = skip_blanks(p);
	if (*p == '\0') {
		crontab_line_clear(out);
		return mgr_error_set(err, MGR_EINVAL, _("no command after the "
		    "time fields"));
	}
	split_percent(p, out);
	return 0;
}

enum crontab_format
crontab_format_for(const char *path)
{
	if (path != NULL && (strcmp(path, "/etc/crontab") == 0 ||
	    strncmp(path, "/etc/cron.d/", 12) == 0))
		return CRONTAB_SYSTEM;
	return CRONTAB_USER;
}

/* The state the lines above a job leave: its environment and zone. */
struct cron_env {
	char **env;		/* NAME=VALUE in the crontab's order */
	const char *tz;		/* CRON_TZ, else TZ (inside env) */
};

static const char *
env_get(char **env, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

/* The shell text of a job: its command, after a here-document that
 * gives it the stdin cron would have written to it. */
static char *
job_script(const struct crontab_line *l)
{
	char mark[32];
	int n = 0;

	if (l->input == NULL)
		return xstrdup(l->command);
	/* A delimiter no line of the input is. */
	do {
		snprintf(mark, sizeof mark, "MANAGER_STDIN%s%.0d", n ? "_" : "", n);
		n++;
	} while (strstr(l->input, mark) != NULL);
	return xasprintf("exec 0<<'%s'\n%s%s\n%s", mark, l->input, mark,
	    l->command);
}

/* The id: "cron-" and a hash of what the job runs, as whom, and which
 * of the same it is, so that changing its schedule and importing again
 * updates the task (keeping its history). */
static char *
job_id(const char *key, const char *prefix, int ordinal, int occurrence)
{
	char hex[65];
	char *k;

	if (prefix != NULL)
		return xasprintf("%s-%d", prefix, ordinal);
	k = xasprintf("%s\n%d", key, occurrence);
	sha256_hex(k, strlen(k), hex);
	free(k);
	return xasprintf("cron-%.12s", hex);
}

/* A task's name: the command's first line, cut short. */
static char *
job_name(const char *command)
{
	size_t len = strcspn(command, "\n");

	if (len > 60)
		len = utf8_prefix_len(command, 60);
	return xstrndup(command, len);
}

/* cron mails what a job prints to MAILTO (nothing when it is empty):
 * the task's on_output.  Unset, the configured default stays (cron would
 * mail the crontab's owner on this host). */
static void
job_mailto(struct import_task *t, const char *mailto)
{
	t->owns_output = 1;
	if (mailto == NULL)
		return;
	t->hooks.on[HOOK_OUTPUT] = *mailto == '\0' ? xstrdup("none") :
	    xasprintf("mail:%s", mailto);
}

static void
job_task(struct import_set *s, const char *where, const char *path,
	 const struct cron_env *e, const struct crontab_line *l, char *id)
{
	struct import_task *t = import_set_add(s, where);
	const char *shell = env_get(e->env, "SHELL");
	char *script = job_script(l), *qs, *qc;

	t->rec.id = id;
	t->rec.name = job_name(l->command);
	qs = import_exec_quote(shell != NULL ? shell : CRON_SHELL);
	qc = import_exec_quote(script);
	t->rec.func_path = xasprintf("exec:%s -c %s", qs, qc);
	free(qs);
	free(qc);
	free(script);
	t->rec.trigger = xstrdup("cron");
	t->rec.source = xasprintf("crontab:%s", path);
	t->rec.max_retries = 0;		/* cron's semantics: one try, */
	t->rec.on_interrupt = TASK_INTERRUPT_ABANDON;
	t->rec.misfire_grace_time = 60;	/* no catching up, */
	t->rec.max_instances = 100;	/* a slow job overlapping the next */
	t->fields = strv_push(NULL, "");
	free(t->fields[0]);
	t->fields[0] = xasprintf("crontab=%s", l->schedule);
	if (e->tz != NULL && *e->tz != '\0') {
		char *f = xasprintf("timezone=%s", e->tz);
		t->fields = strv_push(t->fields, f);
		free(f);
	}
	if (l->user != NULL)
		task_context_set(&t->ctx, "user", l->user, NULL);
	if (env_get(e->env, "SHELL") == NULL)
		task_context_set(&t->ctx, "env", "SHELL=" CRON_SHELL, NULL);
	for (size_t i = 0; e->env != NULL && e->env[i] != NULL; i++)
		task_context_set(&t->ctx, "env", e->env[i], NULL);
	job_mailto(t, env_get(e->env, "MAILTO"));
}

/* An assignment: into the environment of the jobs below it. */
static void
env_assign(struct import_set *s, const char *where, struct cron_env *e,
	   const struct crontab_line *l)
{
	struct mgr_error err = { 0 };
	struct task_context probe;
	char *item = xasprintf("%s=%s", l->name, l->value);

	task_context_init(&probe);
	if (task_context_set(&probe, "env", item, &err) != 0)
		import_reject(s, where, "%s", err.msg);
	else {
		size_t i, len = strlen(l->name);
		for (i = 0; e->env != NULL && e->env[i] != NULL; i++)
			if (strncmp(e->env[i], item, len + 1) == 0)
				break;
		if (e->env != NULL && e->env[i] != NULL) {
			free(e->env[i]);
			e->env[i] = xstrdup(item);
		} else
			e->env = strv_push(e->env, item);
	}
	task_context_clear(&probe);
	free(item);
	e->tz = env_get(e->env, "CRON_TZ");
	if (e->tz == NULL)
		e->tz = env_get(e->env, "TZ");
}

void
import_crontab(const char *text, const char *path, enum crontab_format fmt,
	       const char *prefix, struct import_set *out)
{
	struct cron_env e = { 0 };
	/* Jobs that run the same, counted (for their ids): a hash, so that a
	 * crontab of 100,000 lines takes linear time. */
	struct idmap seen = IDMAP_INIT;
	const char *p = text;
	int added, *occurrence;
	int lineno = 0, jobs = 0;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len), *where, *key;
		struct crontab_line l;
		struct mgr_error err = { 0 };

		p += len + (p[len] == '\n');
		where = xasprintf("%s:%d", path, ++lineno);
		if (crontab_line_parse(line, fmt, &l, &err) != 0)
			import_reject(out, where, "%s", err.msg);
		else if (l.kind == CRONTAB_ENV)
			env_assign(out, where, &e, &l);
		else if (l.kind == CRONTAB_JOB) {
			key = xasprintf("%s\n%s\n%s", l.user ? l.user : "",
			    l.command, l.input ? l.input : "");
			occurrence = idmap_put(&seen, key, 0, &added);
			job_task(out, where, path, &e, &l,
			    job_id(key, prefix, ++jobs, (*occurrence)++));
			free(key);
		}
		crontab_line_clear(&l);
		free(where);
		free(line);
	}
	idmap_clear(&seen);
	strv_free(e.env);
}
