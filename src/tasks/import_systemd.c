/* import_systemd.c - a systemd timer and its service as one task: the
 * timer's OnCalendar= (a calendar trigger) or OnUnitActiveSec= (an
 * interval, started by OnBootSec=/OnActiveSec=), Persistent=,
 * RandomizedDelaySec=; the service's ExecStart= (split as systemd
 * splits it, never through a shell), User=, Group=, WorkingDirectory=,
 * Environment=, EnvironmentFile=, Nice=, UMask=, TimeoutStartSec=.
 * What cannot be kept is refused with the file and line, or noted. */
#include "i18n.h"
#include "import.h"
#include "timefmt.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define US INT64_C(1000000)

void
unit_file_clear(struct unit_file *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->v[i].section);
		free(u->v[i].key);
		free(u->v[i].value);
		free(u->v[i].file);
	}
	free(u->v);
	free(u->path);
	memset(u, 0, sizeof *u);
}

static char *
trim(char *s)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

/* One logical line from *p: a backslash at the end joins the next line
 * (with a blank), comment lines in between are skipped.  *lineno: the
 * number of its first line. */
static char *
logical_line(const char **p, int *lineno, int *first)
{
	struct strbuf sb = STRBUF_INIT;

	*first = *lineno + 1;
	while (**p != '\0') {
		size_t len = strcspn(*p, "\n");
		const char *s = *p;
		(*lineno)++;
		*p += len + ((*p)[len] == '\n');
		while (len > 0 && isspace((unsigned char)*s))
			s++, len--;	/* each line stripped, as systemd does */
		while (len > 0 && isspace((unsigned char)s[len - 1]))
			len--;
		if (sb.len > 0 && (*s == '#' || *s == ';'))
			continue;
		if (len > 0 && s[len - 1] == '\\') {
			strbuf_add(&sb, s, len - 1);
			strbuf_adds(&sb, " ");
			continue;
		}
		strbuf_add(&sb, s, len);
		break;
	}
	return strbuf_detach(&sb);
}

int
unit_file_parse(const char *text, const char *path, struct unit_file *u,
		struct mgr_error *err)
{
	char *section = NULL;
	int lineno = 0, first;

	memset(u, 0, sizeof *u);
	u->path = xstrdup(path);
	while (*text != '\0') {
		char *raw = logical_line(&text, &lineno, &first), *l = trim(raw), *eq;
		if (*l == '\0' || *l == '#' || *l == ';') {
			free(raw);
			continue;
		}
		if (*l == '[') {
			size_t len = strlen(l);
			if (l[len - 1] != ']') {
				free(raw);
				free(section);
				unit_file_clear(u);	/* nothing half-read */
				return mgr_error_set(err, MGR_EINVAL, _("%s:%d: a "
				    "section header without \"]\""), path, first);
			}
			free(section);
			section = xstrndup(l + 1, len - 2);
			free(raw);
			continue;
		}
		if ((eq = strchr(l, '=')) == NULL || section == NULL) {
			free(raw);
			free(section);
			unit_file_clear(u);
			return mgr_error_set(err, MGR_EINVAL, section == NULL ?
			    _("%s:%d: an assignment before any [section]") :
			    _("%s:%d: expected KEY=VALUE"), path, first);
		}
		*eq = '\0';
		u->v = xrealloc(u->v, (u->n + 1) * sizeof *u->v);
		u->v[u->n++] = (struct unit_entry){ xstrdup(section),
		    xstrdup(trim(l)), xstrdup(trim(eq + 1)), first, NULL };
		free(raw);
	}
	free(section);
	return 0;
}

int
unit_timespan(const char *text, int64_t *us, struct mgr_error *err)
{
	static const struct { const char *name; double us; } units[] = {
		{ "usec", 1 }, { "us", 1 }, { "µs", 1 }, { "msec", 1e3 },
		{ "ms", 1e3 }, { "seconds", 1e6 }, { "second", 1e6 },
		{ "sec", 1e6 }, { "s", 1e6 }, { "minutes", 60e6 },
		{ "minute", 60e6 }, { "min", 60e6 }, { "months", 2629800e6 },
		{ "month", 2629800e6 }, { "M", 2629800e6 }, { "m", 60e6 },
		{ "hours", 3600e6 }, { "hour", 3600e6 }, { "hr", 3600e6 },
		{ "h", 3600e6 }, { "days", 86400e6 }, { "day", 86400e6 },
		{ "d", 86400e6 }, { "weeks", 604800e6 }, { "week", 604800e6 },
		{ "w", 604800e6 }, { "years", 31557600e6 },
		{ "year", 31557600e6 }, { "y", 31557600e6 },
	};
	const char *p = text;
	double total = 0;
	int parts = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (strcmp(p, "infinity") == 0) {
		*us = -1;
		return 0;
	}
	while (*p != '\0') {
		char *end;
		double v;
		size_t i, n = sizeof units / sizeof units[0];

		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno != 0 || v < 0 || *p == '-' || *p == '+')
			return mgr_error_set(err, MGR_EINVAL, _("\"%s\" is not a "
			    "time span (such as 90, 5min, 1h 30min)"), text);
		for (p = end; *p == ' '; p++)
			;
		for (i = 0; i < n; i++) {
			size_t len = strlen(units[i].name);
			if (strncmp(p, units[i].name, len) == 0 &&
			    !isalpha((unsigned char)p[len]))
				break;
		}
		if (i < n)
			p += strlen(units[i].name);
		else if (isalpha((unsigned char)*p))
			return mgr_error_set(err, MGR_EINVAL, _("time span \"%s\": "
			    "unknown unit at \"%s\""), text, p);
		total += v * (i < n ? units[i].us : 1e6);
		parts++;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (parts == 0 || total > 9e18)
		return mgr_error_set(err, MGR_EINVAL, _("\"%s\" is not a time "
		    "span (such as 90, 5min, 1h 30min)"), text);
	*us = (int64_t)llround(total);
	return 0;
}

/* One C escape after the backslash at *p (systemd's cunescape), into
 * sb; *p moves past it. */
static int
cunescape_one(const char **p, struct strbuf *sb, const char *text,
	      struct mgr_error *err)
{
	static const char from[] = "abfnrtv\\\"'s", to[] = "\a\b\f\n\r\t\v\\\"' ";
	const char *c = strchr(from, **p);
	unsigned v = 0;
	int digits;

	if (**p != '\0' && c != NULL) {
		strbuf_add(sb, &to[c - from], 1);
		(*p)++;
		return 0;
	}
	if (**p == 'x' && isxdigit((unsigned char)(*p)[1]) &&
	    isxdigit((unsigned char)(*p)[2])) {
		v = (unsigned)strtoul((char[]){ (*p)[1], (*p)[2], 0 }, NULL, 16);
		*p += 3;
	} else if (**p >= '0' && **p <= '3') {
		for (digits = 0; digits < 3 && **p >= '0' && **p <= '7'; digits++)
			v = v * 8 + (unsigned)(*(*p)++ - '0');
		if (digits != 3)
			return mgr_error_set(err, MGR_EINVAL, _("\"%s\": an octal "
			    "escape needs three digits"), text);
	} else
		return mgr_error_set(err, MGR_EINVAL, _("\"%s\": unknown escape "
		    "\"\\%c\""), text, **p != '\0' ? **p : ' ');
	if (v == 0)
		return mgr_error_set(err, MGR_EINVAL, _("\"%s\": a NUL byte "
		    "cannot be in a word"), text);
	strbuf_add(sb, (char[]){ (char)v }, 1);
	return 0;
}

int
unit_split(const char *text, char ***words, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text;
	char **v = NULL, quote = 0;
	int inword = 0;

	for (;;) {
		if (!quote && (*p == '\0' || isspace((unsigned char)*p))) {
			if (inword)
				v = strv_push(v, sb.buf != NULL ? sb.buf : "");
			sb.len = 0;
			if (sb.buf != NULL)
				sb.buf[0] = '\0';
			inword = 0;
			if (*p++ == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*p == '\0') {
			strbuf_free(&sb);
			strv_free(v);
			return mgr_error_set(err, MGR_EINVAL, _("\"%s\": a quote is "
			    "not closed"), text);
		}
		if ((*p == '"' || *p == '\'') && (!quote || *p == quote)) {
			quote = quote ? 0 : *p;
			p++;
			continue;
		}
		if (*p == '\\') {
			p++;
			if (cunescape_one(&p, &sb, text, err) != 0) {
				strbuf_free(&sb);
				strv_free(v);
				return MGR_EINVAL;
			}
			continue;
		}
		strbuf_add(&sb, p++, 1);
	}
	strbuf_free(&sb);
	*words = v;
	return 0;
}

/* ---- the timer and its service as a task ---- */

/* The Exec lines a task keeps, in the order systemd runs them. */
enum exec_kind { EXEC_CONDITION, EXEC_START_PRE, EXEC_START, EXEC_START_POST,
	EXEC_STOP, EXEC_STOP_POST, EXEC_KINDS };
static const char *const exec_keys[EXEC_KINDS] = { "ExecCondition",
	"ExecStartPre", "ExecStart", "ExecStartPost", "ExecStop", "ExecStopPost" };

struct sd_import {
	struct import_set *s;
	struct import_task *t;
	const struct unit_file *timer, *service;
	char *unit;		/* the service's name: "backup.service" */
	char *instance;		/* of a template ("" when none) */
	int bad;		/* something was refused: no task */
	int oneshot;
	/* The Exec lines of each kind (enum exec_kind), in order. */
	struct exec_list {
		const struct unit_entry **v;
		size_t n;
	} exec[EXEC_KINDS];
	char **dirs;		/* where units and drop-ins are looked for */
};

static char *
where_of(const struct unit_file *u, const struct unit_entry *e)
{
	return xasprintf("%s:%d", e != NULL && e->file != NULL ? e->file :
	    u->path, e != NULL ? e->line : 1);
}

#define REFUSE(im, u, e, ...) do { \
	char *w_ = where_of(u, e); \
	import_reject((im)->s, w_, __VA_ARGS__); \
	free(w_); \
	(im)->bad = 1; \
} while (0)

#define NOTE(im, u, e, ...) do { \
	char *w_ = where_of(u, e); \
	import_note((im)->s, w_, __VA_ARGS__); \
	free(w_); \
} while (0)

/* The value with its %-specifiers resolved for unit u (the timer or the
 * service); NULL (refused) on one without a value here. */
static char *
specifiers(struct sd_import *im, const struct unit_file *u,
	   const struct unit_entry *e)
{
	struct mgr_error err = { 0 };
	const char *base = strrchr(u->path, '/');
	struct unit_spec spec = { u == im->service ? im->unit :
	    base != NULL ? base + 1 : u->path, u->path,
	    strstr(u->path, "/systemd/user/") != NULL };
	char *out;

	if (unit_specifiers(&spec, e->value, &out, &err) == 0)
		return out;
	REFUSE(im, u, e, "%s=: %s", e->key, err.msg);
	return NULL;
}

/* The value of ${NAME} from the task's Environment= (systemd reads the
 * rest at run time, which a task cannot); NULL when unknown. */
static const char *
env_value(const struct sd_import *im, const char *name, size_t len)
{
	char **env = im->t->ctx.env;

	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static size_t
env_name_len(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*p) && *p != '_')
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* What systemd sets for ExecStop= and ExecStopPost= (systemd.exec(5)):
 * their words take the values at run time from the script (sd_script),
 * written in a word as RUNVAR_BEGIN NAME RUNVAR_END for sh_quote. */
#define RUNVAR_BEGIN '\001'
#define RUNVAR_END '\002'

static int
runtime_var(const struct unit_entry *e, const char *name, size_t len)
{
	static const char *const names[] = { "SERVICE_RESULT", "EXIT_CODE",
	    "EXIT_STATUS" };

	if (strcmp(e->key, "ExecStop") != 0 && strcmp(e->key, "ExecStopPost") != 0)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
			return 1;
	return 0;
}

static void
runvar_mark(struct strbuf *sb, const char *name, size_t len)
{
	strbuf_addf(sb, "%c%.*s%c", RUNVAR_BEGIN, (int)len, name, RUNVAR_END);
}

/* systemd's replace_env on one word: "$$" is "$", "${NAME}" its value;
 * any other "$" stays.  -1: NAME is not known. */
static int
substitute(const struct sd_import *im, const struct unit_entry *e,
	   const char *w, struct strbuf *sb, char **unknown)
{
	for (const char *p = w; *p != '\0'; p++) {
		size_t n;
		const char *v;
		if (p[0] == '$' && p[1] == '$') {
			strbuf_adds(sb, "$");
			p++;
		} else if (p[0] == '$' && p[1] == '{' &&
		    (n = env_name_len(p + 2)) > 0 && p[2 + n] == '}') {
			if ((v = env_value(im, p + 2, n)) == NULL &&
			    runtime_var(e, p + 2, n)) {
				runvar_mark(sb, p + 2, n);
				p += 2 + n;
				continue;
			}
			if (v == NULL) {
				*unknown = xstrndup(p + 2, n);
				return -1;
			}
			strbuf_adds(sb, v);
			p += 2 + n;
		} else
			strbuf_add(sb, p, 1);
	}
	return 0;
}

/* The words of an Exec line with ${NAME} and $$ replaced; a word "$NAME"
 * alone is its value split into words, as systemd does.  NULL: refused
 * (a variable Environment= does not set). */
static char **
exec_words(struct sd_import *im, const struct unit_entry *e, char **words,
	   int expand)
{
	struct strbuf w = STRBUF_INIT;
	char **out = NULL, *unknown = NULL;

	for (size_t i = 0; words[i] != NULL; i++) {
		size_t n = words[i][0] == '$' ? env_name_len(words[i] + 1) : 0;
		char **split = NULL;
		w.len = 0;
		strbuf_adds(&w, "");
		if (expand && n > 0 && words[i][1 + n] == '\0') {
			const char *v = env_value(im, words[i] + 1, n);
			if (v == NULL && runtime_var(e, words[i] + 1, n))
				runvar_mark(&w, words[i] + 1, n);
			else if (v == NULL)
				unknown = xstrdup(words[i] + 1);
			else if (strspn(v, " \t\n") == strlen(v))
				continue;	/* no words at all */
			else if (unit_split(v, &split, NULL) != 0)
				split = strv_push(NULL, v);
		} else if (expand)
			substitute(im, e, words[i], &w, &unknown);
		else
			strbuf_adds(&w, words[i]);
		if (unknown != NULL) {
			REFUSE(im, im->service, e, _("%s=: $%s is not set by "
			    "Environment= (systemd takes it from the environment at "
			    "run time; manager substitutes no variables)"), e->key,
			    unknown);
			free(unknown);
			strbuf_free(&w);
			strv_free(split);
			strv_free(out);
			return NULL;
		}
		for (size_t j = 0; split != NULL && split[j] != NULL; j++)
			out = strv_push(out, split[j]);
		if (split == NULL)
			out = strv_push(out, w.buf);
		strv_free(split);
	}
	strbuf_free(&w);
	return out;
}

/* An Exec line's prefixes (systemd.service(5), "Command lines"): "-" a
 * failure counts as success, ":" no substitution, "@" another argv[0]
 * (refused: exec: has no way to say it), "+" and "!" run as root
 * (refused beside User=/Group=: a task has one user; noted otherwise,
 * as "!!" is).  Returns the rest of the line, NULL when refused. */
static const char *
exec_prefixes(struct sd_import *im, const struct unit_entry *e,
	      const char *p, int *expand, int *ignore)
{
	const struct task_context *c = &im->t->ctx;

	*expand = 1;
	*ignore = 0;
	for (; *p != '\0' && strchr("-@:+!", *p) != NULL; p++) {
		if (*p == '@') {
			REFUSE(im, im->service, e, _("%s=: the prefix \"@\" "
			    "(another argv[0]) cannot be kept"), e->key);
			return NULL;
		}
		if (*p == ':')
			*expand = 0;
		else if (*p == '-')
			*ignore = 1;
		else if (*p == '!' && p[1] == '!') {
			NOTE(im, im->service, e, _("%s=: the prefix \"!!\" "
			    "(ambient capabilities) is not kept: the command runs "
			    "as the task's user"), e->key);
			p++;
		} else if (c->user != NULL || c->group != NULL) {
			REFUSE(im, im->service, e, _("%s=: the prefix \"%c\" runs "
			    "this command as root, the others as %s=%s: a task runs "
			    "as one user"), e->key, *p, c->user != NULL ? "User" :
			    "Group", c->user != NULL ? c->user : c->group);
			return NULL;
		} else
			NOTE(im, im->service, e, _("%s=: the prefix \"%c\" "
			    "(privileges beyond the unit's) is not kept: the "
			    "command runs as the task's user"), e->key, *p);
	}
	return p;
}

/* One Exec line as it will run. */
struct sd_cmd {
	char **argv;
	int ignore;		/* "-": a failure counts as success */
	enum exec_kind kind;
};

/* One command line of an Exec line (text: the line or one of its
 * commands). */
static int
exec_parse(struct sd_import *im, const struct unit_entry *e, const char *text,
	   struct sd_cmd *cmd)
{
	struct mgr_error err = { 0 };
	struct unit_entry rest;
	char *resolved, **words = NULL;
	int expand;

	rest = *e;
	if ((rest.value = (char *)exec_prefixes(im, e, text, &expand,
	    &cmd->ignore)) == NULL)
		return -1;
	if ((resolved = specifiers(im, im->service, &rest)) == NULL)
		return -1;
	if (unit_split(resolved, &words, &err) != 0 || words == NULL) {
		REFUSE(im, im->service, e, "%s=: %s", e->key, words == NULL &&
		    err.msg[0] == '\0' ? _("no command") : err.msg);
		free(resolved);
		return -1;
	}
	free(resolved);
	cmd->argv = exec_words(im, e, words, expand);
	strv_free(words);
	return cmd->argv != NULL ? 0 : -1;
}

/* The commands of one Exec line: a lone ";" outside quotes separates
 * two, a lone "\;" is the word ";" (config_parse_exec). */
static char **
exec_commands(const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	char **v = NULL, quote = 0;
	const char *p = text;

	for (; *p != '\0'; p++) {
		int start = !quote && (p == text || isspace((unsigned char)p[-1]));
		size_t lone = *p == '\\' ? 2 : 1;
		if (start && (p[0] == ';' || (p[0] == '\\' && p[1] == ';')) &&
		    (p[lone] == '\0' || isspace((unsigned char)p[lone]))) {
			if (*p == ';') {
				if (strspn(sb.buf != NULL ? sb.buf : "", " \t") !=
				    sb.len)
					v = strv_push(v, sb.buf);
				sb.len = 0;
				strbuf_adds(&sb, "");
			} else
				strbuf_adds(&sb, "';'");
			p += lone - 1;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			strbuf_add(&sb, p++, 2);
			continue;
		}
		if ((*p == '"' || *p == '\'') && (!quote || *p == quote))
			quote = quote ? 0 : *p;
		strbuf_add(&sb, p, 1);
	}
	if (sb.len > 0 && strspn(sb.buf, " \t") != sb.len)
		v = strv_push(v, sb.buf);
	strbuf_free(&sb);
	return v;
}

/* A word for sh, taken literally but for what runvar_mark wrote: a
 * whole word "$NAME" as ${NAME} (no word when unset, as systemd), in a
 * word as "${NAME}". */
static void
sh_quote(struct strbuf *sb, const char *w)
{
	const char *end;

	if (*w == RUNVAR_BEGIN && (end = strchr(w, RUNVAR_END)) != NULL &&
	    end[1] == '\0') {
		strbuf_addf(sb, "${%.*s}", (int)(end - w - 1), w + 1);
		return;
	}
	if (*w != '\0' && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789_@%+=:,./-") == strlen(w)) {
		strbuf_adds(sb, w);
		return;
	}
	strbuf_adds(sb, "'");
	for (; *w != '\0'; w++)
		if (*w == '\'')
			strbuf_adds(sb, "'\\''");
		else if (*w == RUNVAR_BEGIN && (end = strchr(w, RUNVAR_END)) != NULL) {
			strbuf_addf(sb, "'\"${%.*s}\"'", (int)(end - w - 1), w + 1);
			w = end;
		} else
			strbuf_add(sb, w, 1);
	strbuf_adds(sb, "'");
}

/* One command for sh: every word quoted (nothing expands: sh only
 * sequences), a program without a '/' through env, so that it is never
 * one of sh's builtins (nor a function of the script). */
static void
sh_command(struct strbuf *sb, const struct sd_cmd *c)
{
	if (strchr(c->argv[0], '/') == NULL)
		strbuf_adds(sb, "env ");
	for (size_t j = 0; c->argv[j] != NULL; j++) {
		if (j > 0)
			strbuf_adds(sb, " ");
		sh_quote(sb, c->argv[j]);
	}
}

/* "exec:/bin/sh -c SCRIPT" (sb is freed). */
static char *
sh_func(struct strbuf *sb)
{
	char *q = import_exec_quote(sb->buf), *f;

	strbuf_free(sb);
	f = xasprintf("exec:/bin/sh -c %s", q);
	free(q);
	return f;
}

/* The task's func without ExecCondition=, ExecStop= or ExecStopPost=:
 * one command as exec: words; several, or one whose failure counts as
 * success, as the sh script that runs them in order and stops at the
 * first failure, "|| :" after a "-" command, the last one exec'd (so
 * that its end is the run's). */
static char *
exec_func(const struct sd_cmd *cmds, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char *q;

	if (n == 1 && !cmds[0].ignore) {
		strbuf_adds(&sb, "exec:");
		for (size_t i = 0; cmds[0].argv[i] != NULL; i++) {
			q = import_exec_quote(cmds[0].argv[i]);
			strbuf_addf(&sb, "%s%s", i > 0 ? " " : "", q);
			free(q);
		}
		return strbuf_detach(&sb);
	}
	strbuf_adds(&sb, "set -e");
	for (size_t i = 0; i < n; i++) {
		strbuf_adds(&sb, "; ");
		if (i == n - 1 && !cmds[i].ignore)
			strbuf_adds(&sb, "exec ");
		sh_command(&sb, &cmds[i]);
		if (cmds[i].ignore)
			strbuf_adds(&sb, " || :");
	}
	return sh_func(&sb);
}

/* The functions of the script that runs the stages as systemd does.
 * _m_s: the status of the first failure (0: none yet), a step runs only
 * while it is 0 and no SIGTERM came; _m_x a step, _m_i a "-" step (its
 * failure does not count), _m_m and _m_j the same for ExecStart=, which
 * keep how the command ended (_m_c, _m_t) for $EXIT_CODE and
 * $EXIT_STATUS; sh gives a command killed by signal N the status 128+N,
 * which _m_e and _m_f read as that signal when N is one.  _m_v exports
 * what ExecStop= and ExecStopPost= are given.  The SIGTERM the runner
 * sends the run's process group at the task's timeout (and at a stop or
 * shutdown) ends the running command; the trap (_m_k) then skips every
 * step left but ExecStopPost=, which runs with SERVICE_RESULT=timeout, as
 * systemd runs it after TimeoutStartSec=, within the kill grace. */
static const char sd_script_head[] =
	"_m_s=0 _m_r=success _m_c= _m_t= _m_k=; trap _m_k=1 TERM; "
	"_m_x() { [ \"$_m_s$_m_k\" = 0 ] || return 0; \"$@\"; _m_s=$?; }; "
	"_m_i() { [ \"$_m_s$_m_k\" = 0 ] || return 0; \"$@\"; }; "
	"_m_e() { _m_c=exited _m_t=$1; if [ $1 -gt 128 ] && "
	"_m_n=$(kill -l $1 2>/dev/null); then _m_c=killed _m_t=$_m_n; fi; }; "
	"_m_m() { [ \"$_m_s$_m_k\" = 0 ] || return 0; \"$@\"; _m_s=$?; "
	"_m_e $_m_s; }; "
	"_m_j() { [ \"$_m_s$_m_k\" = 0 ] || return 0; \"$@\"; _m_e $?; }; "
	"_m_f() { if [ -n \"$_m_k\" ]; then _m_r=timeout; "
	"elif [ $_m_s -gt 128 ] && kill -l $_m_s >/dev/null 2>&1; "
	"then _m_r=signal; elif [ $_m_s -ne 0 ]; then _m_r=exit-code; fi; }; "
	"_m_v() { export SERVICE_RESULT=$_m_r; [ -z \"$_m_c\" ] || "
	"export EXIT_CODE=$_m_c EXIT_STATUS=$_m_t; }";

/* The steps of kind k of cmds (each command with the kind it comes
 * from), as calls of the script's functions. */
static void
sd_steps(struct strbuf *sb, const struct sd_cmd *cmds, size_t n,
	 enum exec_kind k)
{
	for (size_t i = 0; i < n; i++) {
		if (cmds[i].kind != k)
			continue;
		strbuf_adds(sb, k == EXEC_START ? (cmds[i].ignore ? "; _m_j " :
		    "; _m_m ") : cmds[i].ignore ? "; _m_i " : "; _m_x ");
		sh_command(sb, &cmds[i]);
	}
}

/* The message of a skipped run: the status comes from the script. */
static void
sd_skip_message(struct strbuf *sb)
{
	char *msg = xasprintf(_("ExecCondition= exited with status %s: the "
	    "run is skipped, as systemd skips the service (not a failure)"),
	    "\001");
	char *mark = strchr(msg, '\001');

	strbuf_adds(sb, "printf '%s%s%s\\n' ");
	*mark = '\0';
	sh_quote(sb, msg);
	strbuf_adds(sb, " \"$_m_s\" ");
	sh_quote(sb, mark + 1);
	strbuf_adds(sb, " >&2");
	free(msg);
}

/* The func of a service with ExecCondition=, ExecStop= or
 * ExecStopPost= (systemd.service(5)): the conditions, of which a status
 * of 1-254 skips the rest and is no failure (a condition killed by a
 * signal reads as 128+N here: sh cannot tell it from an exit); then
 * ExecStartPre=, ExecStart=, ExecStartPost=, stopping at the first
 * failure or at the SIGTERM of the task's timeout; ExecStop= when they
 * all succeeded; ExecStopPost= whatever happened before (a timeout
 * too), with $SERVICE_RESULT, $EXIT_CODE and $EXIT_STATUS.  The run's status: the
 * first failure's, else that of a failing stop command. */
static char *
sd_script(const struct sd_cmd *cmds, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, sd_script_head);
	sd_steps(&sb, cmds, n, EXEC_CONDITION);
	strbuf_adds(&sb, "; if [ -z \"$_m_k\" ] && [ $_m_s -gt 0 ] && "
	    "[ $_m_s -lt 255 ]; then ");
	sd_skip_message(&sb);
	strbuf_adds(&sb, "; _m_r=exec-condition _m_s=0; else :");
	sd_steps(&sb, cmds, n, EXEC_START_PRE);
	sd_steps(&sb, cmds, n, EXEC_START);
	sd_steps(&sb, cmds, n, EXEC_START_POST);
	strbuf_adds(&sb, "; _m_v");
	sd_steps(&sb, cmds, n, EXEC_STOP);
	strbuf_adds(&sb, "; _m_f; fi; _m_z=$_m_s _m_s=0 _m_k=; _m_v");
	sd_steps(&sb, cmds, n, EXEC_STOP_POST);
	strbuf_adds(&sb, "; [ $_m_z -ne 0 ] && exit $_m_z; exit $_m_s");
	return sh_func(&sb);
}

/* Every command of the Exec lines of list l into *cmds (grown, *n
 * counted); -1 when one is refused. */
static int
exec_list_parse(struct sd_import *im, const struct exec_list *l,
		enum exec_kind kind, struct sd_cmd **cmds, size_t *n)
{
	int bad = 0;

	for (size_t i = 0; i < l->n; i++) {
		char **lines = exec_commands(l->v[i]->value);
		for (size_t j = 0; lines != NULL && lines[j] != NULL; j++) {
			*cmds = xrealloc(*cmds, (*n + 1) * sizeof **cmds);
			(*cmds)[*n] = (struct sd_cmd){ .kind = kind };
			bad |= exec_parse(im, l->v[i], lines[j],
			    &(*cmds)[(*n)++]) != 0;
		}
		if (lines == NULL) {
			REFUSE(im, im->service, l->v[i], "%s=: %s", l->v[i]->key,
			    _("no command"));
			bad = 1;
		}
		strv_free(lines);
	}
	return bad ? -1 : 0;
}

/* What systemd would not run as the task runs: several ExecStart= of a
 * service that is not Type=oneshot (systemd refuses it), and for such a
 * service ExecStartPost= (it runs while ExecStart= runs) and ExecStop=
 * (it stops the running main process, with $MAINPID). */
static int
exec_type_check(struct sd_import *im, size_t nstart)
{
	struct exec_list *l = im->exec;
	int bad = 0;

	if (im->oneshot)
		return 0;
	if (l[EXEC_START_POST].n > 0) {
		REFUSE(im, im->service, l[EXEC_START_POST].v[0], _("ExecStartPost= "
		    "of a service that is not Type=oneshot runs while ExecStart= "
		    "runs: a task runs its commands one after another"));
		bad = 1;
	}
	if (l[EXEC_STOP].n > 0) {
		REFUSE(im, im->service, l[EXEC_STOP].v[0], _("ExecStop= of a "
		    "service that is not Type=oneshot stops its main process while "
		    "it runs: a task's command runs to its end (Type=oneshot runs "
		    "ExecStop= after it, as a task does)"));
		bad = 1;
	}
	if (nstart > 1) {
		REFUSE(im, im->service, l[EXEC_START].v[l[EXEC_START].n > 1],
		    _("a second ExecStart=: only a Type=oneshot service may have "
		    "several commands (systemd refuses this unit)"));
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* The Exec lines, in the order systemd runs them, as the task's func. */
static void
service_execs(struct sd_import *im)
{
	struct exec_list *l = im->exec;
	struct sd_cmd *cmds = NULL;
	size_t n = 0, nstart = 0;
	int bad = 0;

	if (l[EXEC_START].n == 0) {
		if (!im->bad)
			REFUSE(im, im->service, NULL, _("no ExecStart="));
		return;
	}
	for (int k = 0; k < EXEC_KINDS; k++) {
		size_t before = n;
		bad |= exec_list_parse(im, &l[k], (enum exec_kind)k, &cmds, &n);
		if (k == EXEC_START)
			nstart = n - before;
	}
	bad |= exec_type_check(im, nstart) != 0;
	if (!bad) {
		free(im->t->rec.func_path);
		im->t->rec.func_path = l[EXEC_CONDITION].n + l[EXEC_STOP].n +
		    l[EXEC_STOP_POST].n > 0 ? sd_script(cmds, n) :
		    exec_func(cmds, n);
	}
	for (size_t i = 0; i < n; i++)
		strv_free(cmds[i].argv);
	free(cmds);
}

/* Environment=: NAME=VALUE words (quotes, escapes); empty resets. */
static void
service_env(struct sd_import *im, const struct unit_entry *e)
{
	struct mgr_error err = { 0 };
	char *text = specifiers(im, im->service, e), **words = NULL;

	if (text == NULL)
		return;
	if (*text == '\0') {
		strv_free(im->t->ctx.env);
		im->t->ctx.env = NULL;
	} else if (unit_split(text, &words, &err) != 0)
		REFUSE(im, im->service, e, "Environment=: %s", err.msg);
	for (size_t i = 0; words != NULL && words[i] != NULL; i++)
		if (task_context_set(&im->t->ctx, "env", words[i], &err) != 0)
			REFUSE(im, im->service, e, "Environment=: %s", err.msg);
	strv_free(words);
	free(text);
}

/* A time span into *out seconds (infinity: 0, no limit). */
static int
span_seconds(struct sd_import *im, const struct unit_file *u,
	     const struct unit_entry *e, int *out)
{
	struct mgr_error err = { 0 };
	int64_t us;

	if (unit_timespan(e->value, &us, &err) != 0) {
		REFUSE(im, u, e, "%s=: %s", e->key, err.msg);
		return -1;
	}
	*out = us < 0 ? 0 : (int)((us + US - 1) / US > 0x7fffffff ? 0 :
	    (us + US - 1) / US);
	return 0;
}

/* A key of the context: User= Group= WorkingDirectory= Nice= UMask=
 * EnvironmentFile=. */
static void
service_context(struct sd_import *im, const struct unit_entry *e,
		const char *key)
{
	struct mgr_error err = { 0 };
	char *v = specifiers(im, im->service, e);
	const char *value = v;

	if (v == NULL)
		return;
	if (strcmp(key, "workdir") == 0) {
		value += *value == '-';		/* "-": may be missing */
		if (strcmp(value, "~") == 0)
			value = "";		/* the user's home: the default */
	}
	if (strcmp(key, "env_file") == 0 && im->t->ctx.env_file != NULL &&
	    *value != '\0')
		REFUSE(im, im->service, e, _("EnvironmentFile=: a task reads one "
		    "environment file, this is the second"));
	else if (task_context_set(&im->t->ctx, key, value, &err) != 0)
		REFUSE(im, im->service, e, "%s=: %s", e->key, err.msg);
	free(v);
}

/* The Exec lines of enum exec_kind: kept in order (an empty value
 * empties the list), read once the whole service is known. */
static int
exec_key(struct sd_import *im, const struct unit_entry *e)
{
	for (size_t i = 0; i < EXEC_KINDS; i++) {
		struct exec_list *l = &im->exec[i];
		if (strcmp(e->key, exec_keys[i]) != 0)
			continue;
		if (*e->value == '\0')
			l->n = 0;
		else {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
			l->v[l->n++] = e;
		}
		return 1;
	}
	return 0;
}

static void
service_key(struct sd_import *im, const struct unit_entry *e, int *timeout)
{
	static const char *const ctx_keys[][2] = { { "User", "user" },
	    { "Group", "group" }, { "WorkingDirectory", "workdir" },
	    { "Nice", "nice" }, { "UMask", "umask" },
	    { "EnvironmentFile", "env_file" } };

	for (size_t i = 0; i < sizeof ctx_keys / sizeof ctx_keys[0]; i++)
		if (strcmp(e->key, ctx_keys[i][0]) == 0) {
			service_context(im, e, ctx_keys[i][1]);
			return;
		}
	if (exec_key(im, e))
		return;
	if (strcmp(e->key, "Environment") == 0)
		service_env(im, e);
	else if (strcmp(e->key, "TimeoutStartSec") == 0 ||
	    strcmp(e->key, "TimeoutSec") == 0 || strcmp(e->key, "RuntimeMaxSec") == 0) {
		int secs;
		if (span_seconds(im, im->service, e, &secs) == 0 &&
		    (timeout[1] == 0 || strcmp(e->key, "RuntimeMaxSec") == 0)) {
			timeout[0] = secs;
			timeout[1] = strcmp(e->key, "RuntimeMaxSec") == 0;
		}
	} else if (strcmp(e->key, "Type") == 0) {
		im->oneshot = strcmp(e->value, "oneshot") == 0;
		if (!im->oneshot && strcmp(e->value, "simple") != 0 &&
		    strcmp(e->value, "exec") != 0)
			NOTE(im, im->service, e, _("Type=%s: the run ends when the "
			    "command ends"), e->value);
	} else if (strcmp(e->key, "ExecReload") == 0)
		/* Noted, not refused: only `systemctl reload` runs it, never
		 * a timer, so the task runs what the timer's start runs. */
		NOTE(im, im->service, e, _("ExecReload= is not imported: systemd "
		    "runs it on \"systemctl reload\" only, never when a timer "
		    "starts the service"));
	else
		NOTE(im, im->service, e, _("%s= is not imported"), e->key);
}

/* The [Service] section onto the task; timeout: TimeoutStartSec= bounds
 * a oneshot service's run, RuntimeMaxSec= any. */
static void
import_service(struct sd_import *im)
{
	int timeout[2] = { 0, 0 };	/* seconds, from RuntimeMaxSec= */
	int seen_timeout = 0;

	for (size_t i = 0; i < im->service->n; i++) {
		const struct unit_entry *e = &im->service->v[i];
		if (strcmp(e->section, "Service") == 0) {
			seen_timeout |= strncmp(e->key, "Timeout", 7) == 0 ||
			    strcmp(e->key, "RuntimeMaxSec") == 0;
			service_key(im, e, timeout);
		} else if (strcmp(e->section, "Unit") == 0 &&
		    strcmp(e->key, "Description") == 0) {
			char *name = specifiers(im, im->service, e);
			if (name != NULL) {
				free(im->t->rec.name);
				im->t->rec.name = name;
			}
		} else if (strcmp(e->section, "Install") != 0 &&
		    !(strcmp(e->section, "Unit") == 0 &&
		    strcmp(e->key, "Documentation") == 0))
			NOTE(im, im->service, e, _("[%s] %s= is not imported"),
			    e->section, e->key);
	}
	service_execs(im);
	for (size_t i = 0; i < EXEC_KINDS; i++) {
		free(im->exec[i].v);
		im->exec[i] = (struct exec_list){ 0 };
	}
	if (im->oneshot || timeout[1])
		im->t->rec.timeout = timeout[0];
	else if (seen_timeout)
		NOTE(im, im->service, NULL, _("TimeoutStartSec= of a service that "
		    "is not Type=oneshot does not limit its run: no timeout"));
}

/* What the [Timer] section says. */
struct timer_keys {
	char **calendars;	/* OnCalendar= values */
	const struct unit_entry *first;	/* the first line of the schedule */
	const struct unit_entry *every_e, *start_e;
	int64_t every_us, start_us, jitter_us;
	int persistent;
	int fixed_delay;	/* FixedRandomDelay= */
	char *unit;		/* Unit=, specifiers resolved */
};

static int
unit_bool(const char *v)
{
	return strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0;
}

static int
timer_span(struct sd_import *im, const struct unit_entry *e, int64_t *us)
{
	struct mgr_error err = { 0 };

	if (unit_timespan(e->value, us, &err) == 0 && *us >= 0)
		return 0;
	REFUSE(im, im->timer, e, "%s=: %s", e->key, err.msg[0] != '\0' ? err.msg :
	    _("infinity is not a time"));
	return -1;
}

static void
timer_key(struct sd_import *im, const struct unit_entry *e,
	  struct timer_keys *k)
{
	const char *key = e->key;
	struct mgr_error err = { 0 };
	int64_t us;
	char *v;

	if (strcmp(key, "OnCalendar") == 0) {
		if (*e->value == '\0') {
			strv_free(k->calendars);
			k->calendars = NULL;
		} else if ((v = specifiers(im, im->timer, e)) != NULL) {
			k->calendars = strv_push(k->calendars, v);
			free(v);
		}
		k->first = k->first != NULL ? k->first : e;
	} else if (strcmp(key, "OnUnitActiveSec") == 0) {
		if (timer_span(im, e, &k->every_us) == 0 && k->every_us == 0)
			REFUSE(im, im->timer, e, _("OnUnitActiveSec=0 is no interval"));
		k->every_e = e;
		k->first = k->first != NULL ? k->first : e;
	} else if (strcmp(key, "OnBootSec") == 0 ||
	    strcmp(key, "OnStartupSec") == 0 || strcmp(key, "OnActiveSec") == 0) {
		if (timer_span(im, e, &k->start_us) == 0)
			k->start_e = e;
		k->first = k->first != NULL ? k->first : e;
	} else if (strcmp(key, "OnUnitInactiveSec") == 0)
		REFUSE(im, im->timer, e, _("OnUnitInactiveSec= counts from the end "
		    "of the last run; an interval task counts from its start"));
	else if (strcmp(key, "Persistent") == 0)
		k->persistent = unit_bool(e->value);
	else if (strcmp(key, "FixedRandomDelay") == 0)
		k->fixed_delay = unit_bool(e->value);
	else if (strcmp(key, "RandomizedDelaySec") == 0) {
		if (unit_timespan(e->value, &us, &err) != 0 || us < 0)
			REFUSE(im, im->timer, e, "RandomizedDelaySec=: %s",
			    err.msg[0] ? err.msg : _("infinity is not a time"));
		else
			k->jitter_us = us;
	} else if (strcmp(key, "AccuracySec") == 0)
		NOTE(im, im->timer, e, _("AccuracySec=%s: manager fires at the "
		    "time itself; systemd may fire up to that much later to "
		    "group wake-ups"), e->value);
	else if (strcmp(key, "Unit") == 0) {
		if ((v = specifiers(im, im->timer, e)) != NULL) {
			free(k->unit);
			k->unit = v;
		}
	} else
		NOTE(im, im->timer, e, _("%s= is not imported"), key);
}

/* Seconds for a trigger field: "90" or "0.5". */
static char *
seconds_text(const char *name, int64_t us)
{
	if (us % US == 0)
		return xasprintf("%s=%lld", name, (long long)(us / US));
	return xasprintf("%s=%lld.%06lld", name, (long long)(us / US),
	    (long long)(us % US));
}

static void
push_field(struct import_task *t, char *f)
{
	t->fields = strv_push(t->fields, f);
	free(f);
}

/* The trigger: OnCalendar= (calendar), or OnUnitActiveSec= (interval)
 * started by OnBootSec=/OnStartupSec=/OnActiveSec= counted from now. */
static void
timer_trigger(struct sd_import *im, struct timer_keys *k, int64_t now_us)
{
	struct import_task *t = im->t;
	char iso[TIMEFMT_ISO_MAX];

	if (k->calendars != NULL && (k->every_e != NULL || k->start_e != NULL)) {
		REFUSE(im, im->timer, k->every_e != NULL ? k->every_e : k->start_e,
		    _("both OnCalendar= and a monotonic timer: a task has one "
		    "trigger"));
		return;
	}
	if (k->calendars != NULL) {
		t->rec.trigger = xstrdup("calendar");
		for (size_t i = 0; k->calendars[i] != NULL; i++)
			push_field(t, xasprintf("oncalendar=%s", k->calendars[i]));
	} else if (k->every_e != NULL) {
		t->rec.trigger = xstrdup("interval");
		push_field(t, seconds_text("seconds", k->every_us));
		if (k->start_e == NULL)
			NOTE(im, im->timer, k->every_e, _("OnUnitActiveSec= alone: "
			    "systemd waits for the service to be started another "
			    "way first; the task runs one interval after its import"));
		push_field(t, xasprintf("start_date=%s", timefmt_iso(iso,
		    sizeof iso, now_us / US * US + (k->start_e != NULL ?
		    k->start_us : k->every_us), NULL)));
	} else if (k->start_e != NULL) {
		REFUSE(im, im->timer, k->start_e, _("%s= alone runs once after "
		    "boot: no trigger repeats that (an @reboot task runs at "
		    "engine start, without a delay)"), k->start_e->key);
		return;
	} else {
		REFUSE(im, im->timer, NULL, _("no OnCalendar= nor OnUnitActiveSec="));
		return;
	}
	if (k->jitter_us > 0)
		push_field(t, seconds_text("jitter", k->jitter_us));
	if (k->jitter_us > 0 && k->fixed_delay)
		push_field(t, xstrdup("fixed_jitter=true"));
	/* Persistent=true catches up a time missed while down (once). */
	t->rec.misfire_grace_time = k->persistent ? 0 : 60;
}

static void
import_timer(struct sd_import *im, struct timer_keys *k)
{
	for (size_t i = 0; i < im->timer->n; i++) {
		const struct unit_entry *e = &im->timer->v[i];
		if (strcmp(e->section, "Timer") == 0)
			timer_key(im, e, k);
		else if (strcmp(e->section, "Unit") == 0 &&
		    strcmp(e->key, "Description") == 0 && im->t->rec.name == NULL)
			im->t->rec.name = specifiers(im, im->timer, e);
		else if (strcmp(e->section, "Install") != 0 &&
		    !(strcmp(e->section, "Unit") == 0 &&
		    strcmp(e->key, "Documentation") == 0))
			NOTE(im, im->timer, e, _("[%s] %s= is not imported"),
			    e->section, e->key);
	}
}

/* The unit at path, named name, and its drop-ins under dirs. */
static int
read_unit(struct import_set *s, char *const *dirs, const char *path,
	  const char *name, struct unit_file *u)
{
	struct mgr_error err = { 0 };
	char *text = NULL;
	int rc;

	memset(u, 0, sizeof *u);
	if ((rc = read_file(path, &text, NULL, &err)) == 0)
		rc = unit_file_parse(text, path, u, &err);
	free(text);
	if (rc != 0) {
		import_reject(s, NULL, "%s", err.msg);	/* names path */
		unit_file_clear(u);
		return rc;
	}
	if ((rc = unit_read_dropins(s, dirs, name, u)) != 0)
		unit_file_clear(u);
	return rc;
}

/* The timer's service: Unit=, else the same name, in the timer's
 * folders; a template instance "a@b.service" is read from "a@.service"
 * when there is no file of its own. */
static int
read_service(struct sd_import *im, const char *unit, struct unit_file *svc)
{
	char *path, *at;
	int rc;

	im->unit = xstrdup(unit);
	at = strchr(im->unit, '@');
	im->instance = at != NULL ? xstrndup(at + 1, strlen(at + 1) -
	    strlen(".service")) : xstrdup("");
	path = unit_find(im->dirs, unit);
	if (path == NULL && at != NULL) {
		char *tmpl = xasprintf("%.*s.service", (int)(at - im->unit + 1),
		    im->unit);
		path = unit_find(im->dirs, tmpl);
		free(tmpl);
	}
	if (path == NULL)	/* read_unit names it as missing */
		path = xasprintf("%s/%s", im->dirs[0], unit);
	rc = read_unit(im->s, im->dirs, path, unit, svc);
	free(path);
	return rc;
}

static char *
timer_id(const char *timer_path, const char *prefix)
{
	const char *base = strrchr(timer_path, '/');
	char *id, hex[65];

	base = base != NULL ? base + 1 : timer_path;
	id = xasprintf("%s%s%s", prefix != NULL ? prefix : "",
	    prefix != NULL ? "-" : "", base);
	if (mgr_id_valid(id))
		return id;
	sha256_hex(id, strlen(id), hex);
	free(id);
	return xasprintf("timer-%.12s", hex);
}

/* The service's name: Unit=, else the timer's with .service. */
static char *
service_name(const char *timer_path, const char *unit)
{
	const char *base = strrchr(timer_path, '/');
	size_t len;

	if (unit != NULL)
		return xstrdup(unit);
	base = base != NULL ? base + 1 : timer_path;
	len = strlen(base);
	if (len > 6 && strcmp(base + len - 6, ".timer") == 0)
		len -= 6;
	return xasprintf("%.*s.service", (int)len, base);
}

static void
import_unit_pair(struct sd_import *im, const char *timer_path,
		 int64_t now_us, struct timer_keys *k)
{
	struct unit_file svc;
	char *name;

	import_timer(im, k);
	name = service_name(timer_path, k->unit);
	if (strlen(name) < 9 || strcmp(name + strlen(name) - 8, ".service") != 0) {
		REFUSE(im, im->timer, NULL, _("Unit=%s: only a .service can be a "
		    "task"), name);
		free(name);
		return;
	}
	if (read_service(im, name, &svc) == 0) {
		im->service = &svc;
		import_service(im);
		unit_file_clear(&svc);
		im->service = NULL;
	} else
		im->bad = 1;
	free(name);
	if (!im->bad)
		timer_trigger(im, k, now_us);
}

/* The timer's file and the folders of its service and drop-ins: beside
 * a path, the unit search path for a name. */
static char *
timer_locate(const char *arg, char ***dirs, struct import_set *out)
{
	char *path, *dir, **search;
	struct strbuf list = STRBUF_INIT;

	if (strchr(arg, '/') != NULL) {
		path = path_resolve(NULL, arg);
		dir = path_dirname_abs(path);
		*dirs = strv_push(NULL, dir);
		free(dir);
		return path;
	}
	search = unit_search_path();
	if ((path = unit_find(search, arg)) == NULL) {
		for (size_t i = 0; search[i] != NULL; i++)
			strbuf_addf(&list, "%s%s", i > 0 ? ":" : "", search[i]);
		import_reject(out, arg, _("no such unit in the unit search path "
		    "(%s); give a path to read a file"), list.buf);
		strbuf_free(&list);
		strv_free(search);
		return NULL;
	}
	*dirs = search;
	return path;
}

void
import_systemd(const char *timer_arg, const char *prefix, int64_t now_us,
	       struct import_set *out)
{
	struct sd_import im = { .s = out };
	struct timer_keys k = { 0 };
	struct unit_file timer;
	size_t len = strlen(timer_arg);
	char *where, *timer_path, *name;

	if (len < 7 || strcmp(timer_arg + len - 6, ".timer") != 0) {
		import_reject(out, timer_arg, "%s", _("not a .timer unit"));
		return;
	}
	if ((timer_path = timer_locate(timer_arg, &im.dirs, out)) == NULL)
		return;
	name = strrchr(timer_path, '/') + 1;
	if (read_unit(out, im.dirs, timer_path, name, &timer) != 0) {
		strv_free(im.dirs);
		free(timer_path);
		return;
	}
	im.timer = &timer;
	where = xasprintf("%s:1", timer_path);
	im.t = import_set_add(out, where);
	free(where);
	im.t->rec.id = timer_id(timer_path, prefix);
	im.t->rec.source = xasprintf("systemd:%s", timer_path);
	im.t->rec.max_retries = 0;	/* systemd starts the service once */
	im.t->rec.on_interrupt = TASK_INTERRUPT_ABANDON;
	import_unit_pair(&im, timer_path, now_us, &k);
	if (k.first != NULL) {
		free(im.t->where);
		im.t->where = where_of(&timer, k.first);
	}
	if (im.t->rec.name == NULL)
		im.t->rec.name = xstrdup(im.t->rec.id);
	if (im.bad)
		import_set_drop_last(out);
	strv_free(k.calendars);
	free(k.unit);
	free(im.unit);
	free(im.instance);
	unit_file_clear(&timer);
	strv_free(im.dirs);
	free(timer_path);
}
