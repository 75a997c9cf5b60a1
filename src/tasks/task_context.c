/* task_context.c - a task's execution context: stored form, options,
 * checks, EnvironmentFile= files and the environment of a run (see
 * task_context.h). */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "runner.h"
#include "sandbox.h"
#include "task_context.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
task_context_init(struct task_context *c)
{
	memset(c, 0, sizeof *c);
	c->umask = -1;
	c->sandbox = TASK_SANDBOX_DEFAULT;
}

void
task_context_clear(struct task_context *c)
{
	strv_free(c->env);
	free(c->env_file);
	free(c->workdir);
	free(c->user);
	free(c->group);
	strv_free(c->read_only);
	strv_free(c->write);
	free(c->ioprio);
	task_context_init(c);
}

static int
env_name_ok(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

/* NAME=VALUE with a valid name: replaces an earlier NAME in *env. */
static int
env_put(char ***env, const char *item, struct mgr_error *err)
{
	const char *eq = strchr(item, '=');
	size_t len = eq != NULL ? (size_t)(eq - item) : 0;

	if (eq == NULL || !env_name_ok(item, len))
		return mgr_error_set(err, MGR_EINVAL, _("env \"%s\": expected "
		    "NAME=VALUE, NAME of letters, digits and _ (not first a "
		    "digit)"), item);
	for (size_t i = 0; *env != NULL && (*env)[i] != NULL; i++) {
		if (strncmp((*env)[i], item, len + 1) == 0) {
			free((*env)[i]);
			(*env)[i] = xstrdup(item);
			return 0;
		}
	}
	*env = strv_push(*env, item);
	return 0;
}

static void
set_str(char **field, const char *value)
{
	free(*field);
	*field = value != NULL && *value != '\0' ? xstrdup(value) : NULL;
}

static int
int_in(const char *key, const char *value, int base, long min, long max,
       int *out, struct mgr_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, base);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		return mgr_error_set(err, MGR_EINVAL, base == 8 ?
		    _("%s \"%s\": expected an octal mode from 0 to 0777") :
		    _("%s \"%s\": expected a whole number from -20 to 19"), key,
		    value);
	*out = (int)v;
	return 0;
}

static int
bool_in(const char *key, const char *value, int *out, struct mgr_error *err)
{
	if (*value == '\0' || strcmp(value, "false") == 0 ||
	    strcmp(value, "no") == 0 || strcmp(value, "0") == 0)
		*out = 0;
	else if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 ||
	    strcmp(value, "1") == 0)
		*out = 1;
	else
		return mgr_error_set(err, MGR_EINVAL, _("%s \"%s\": expected true "
		    "or false"), key, value);
	return 0;
}

static int
limit_in(const char *key, const char *value, int *out, struct mgr_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(*value == '\0' ? "0" : value, &end, 10);
	if (errno != 0 || (*value != '\0' && (end == value || *end != '\0')) ||
	    v < 0 || v > INT_MAX)
		return mgr_error_set(err, MGR_EINVAL, _("%s \"%s\": expected a "
		    "whole number from 0 (the default) up"), key, value);
	*out = (int)v;
	return 0;
}

/* A path for read_only or write: absolute, no "..", added once; ""
 * empties the list. */
static int
path_in(const char *key, const char *value, char ***list,
	struct mgr_error *err)
{
	if (*value == '\0') {
		strv_free(*list);
		*list = NULL;
		return 0;
	}
	if (*value != '/' || strstr(value, "/../") != NULL ||
	    (strlen(value) >= 3 && strcmp(value + strlen(value) - 3, "/..") == 0))
		return mgr_error_set(err, MGR_EINVAL, _("%s \"%s\": expected an "
		    "absolute path without \"..\""), key, value);
	for (size_t i = 0; *list != NULL && (*list)[i] != NULL; i++)
		if (strcmp((*list)[i], value) == 0)
			return 0;
	*list = strv_push(*list, value);
	return 0;
}

/* The keys of the sandbox, the I/O class and the limits. */
static int
set_confinement(struct task_context *c, const char *key, const char *value,
		struct mgr_error *err)
{
	int cls, level;

	if (strcmp(key, "sandbox") == 0) {
		if (*value == '\0')
			c->sandbox = TASK_SANDBOX_DEFAULT;
		else if (strcmp(value, "none") == 0 || strcmp(value, "strict") == 0)
			c->sandbox = *value == 's' ? TASK_SANDBOX_STRICT :
			    TASK_SANDBOX_NONE;
		else
			return mgr_error_set(err, MGR_EINVAL, _("sandbox \"%s\": "
			    "expected none or strict"), value);
		return 0;
	}
	if (strcmp(key, "network") == 0)
		return bool_in(key, value, &c->network, err);
	if (strcmp(key, "private_tmp") == 0)
		return bool_in(key, value, &c->private_tmp, err);
	if (strcmp(key, "read_only") == 0)
		return path_in(key, value, &c->read_only, err);
	if (strcmp(key, "write") == 0)
		return path_in(key, value, &c->write, err);
	if (strcmp(key, "ioprio") == 0) {
		if (*value != '\0' && sandbox_ioprio_parse(value, &cls, &level) != 0)
			return mgr_error_set(err, MGR_EINVAL, _("ioprio \"%s\": "
			    "expected idle, best-effort[:0-7] or realtime[:0-7]"),
			    value);
		set_str(&c->ioprio, value);
		return 0;
	}
	if (strcmp(key, "limit_cpu") == 0)
		return limit_in(key, value, &c->limit_cpu, err);
	if (strcmp(key, "limit_memory") == 0)
		return limit_in(key, value, &c->limit_memory, err);
	if (strcmp(key, "limit_nofile") == 0)
		return limit_in(key, value, &c->limit_nofile, err);
	return mgr_error_set(err, MGR_EINVAL, _("unknown context key %s"), key);
}

int
task_context_set(struct task_context *c, const char *key, const char *value,
		 struct mgr_error *err)
{
	if (strcmp(key, "env") == 0)
		return env_put(&c->env, value, err);
	if (strcmp(key, "env_file") == 0)
		set_str(&c->env_file, value);
	else if (strcmp(key, "workdir") == 0)
		set_str(&c->workdir, value);
	else if (strcmp(key, "user") == 0)
		set_str(&c->user, value);
	else if (strcmp(key, "group") == 0)
		set_str(&c->group, value);
	else if (strcmp(key, "umask") == 0) {
		if (*value == '\0')
			c->umask = -1;
		else
			return int_in("umask", value, 8, 0, 0777, &c->umask, err);
	} else if (strcmp(key, "nice") == 0)
		return int_in("nice", *value == '\0' ? "0" : value, 10, -20, 19,
		    &c->nice, err);
	else
		return set_confinement(c, key, value, err);
	return 0;
}

static int
json_str(json_t *o, const char *key, char **field, struct mgr_error *err)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return mgr_error_set(err, MGR_EINVAL, _("context field %s: "
		    "expected a string"), key);
	set_str(field, json_string_value(v));
	return 0;
}

/* A list of strings (env, read_only, write), each item as
 * task_context_set takes it. */
static int
json_list(json_t *o, const char *key, struct task_context *c,
	  struct mgr_error *err)
{
	json_t *a = json_object_get(o, key), *v;
	size_t i;
	int rc;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return mgr_error_set(err, MGR_EINVAL, _("context field %s: "
		    "expected an array of strings"), key);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			return mgr_error_set(err, MGR_EINVAL, _("context field %s: "
			    "item %zu is not a string"), key, i + 1);
		if ((rc = task_context_set(c, key, json_string_value(v), err)) != 0)
			return rc;
	}
	return 0;
}

/* The sandbox's, ioprio's and the limits' fields. */
static int
json_confinement(json_t *o, struct task_context *c, struct mgr_error *err)
{
	static const char *const strs[] = { "sandbox", "ioprio" };
	static const char *const bools[] = { "network", "private_tmp" };
	static const char *const ints[] = { "limit_cpu", "limit_memory",
	    "limit_nofile" };
	char num[32];
	json_t *v;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < 2; i++)
		if (json_is_string(v = json_object_get(o, strs[i])))
			rc = task_context_set(c, strs[i], json_string_value(v), err);
	for (size_t i = 0; rc == 0 && i < 2; i++)
		if (json_is_boolean(v = json_object_get(o, bools[i])))
			rc = task_context_set(c, bools[i], json_is_true(v) ?
			    "true" : "false", err);
	for (size_t i = 0; rc == 0 && i < 3; i++)
		if (json_is_integer(v = json_object_get(o, ints[i]))) {
			snprintf(num, sizeof num, "%lld",
			    (long long)json_integer_value(v));
			rc = task_context_set(c, ints[i], num, err);
		}
	if (rc == 0)
		rc = json_list(o, "read_only", c, err);
	if (rc == 0)
		rc = json_list(o, "write", c, err);
	return rc;
}

int
task_context_from_json(const char *json, struct task_context *c,
		       struct mgr_error *err)
{
	json_t *o, *v;
	int rc;

	task_context_init(c);
	if (json == NULL)
		return 0;
	if ((o = json_loads(json, 0, NULL)) == NULL || !json_is_object(o)) {
		json_decref(o);
		return mgr_error_set(err, MGR_EINVAL, _("context is not a JSON "
		    "object"));
	}
	rc = json_list(o, "env", c, err);
	if (rc == 0)
		rc = json_confinement(o, c, err);
	if (rc == 0)
		rc = json_str(o, "env_file", &c->env_file, err);
	if (rc == 0)
		rc = json_str(o, "workdir", &c->workdir, err);
	if (rc == 0)
		rc = json_str(o, "user", &c->user, err);
	if (rc == 0)
		rc = json_str(o, "group", &c->group, err);
	if (rc == 0 && json_is_integer(v = json_object_get(o, "umask")))
		c->umask = (int)json_integer_value(v);
	if (rc == 0 && json_is_integer(v = json_object_get(o, "nice")))
		c->nice = (int)json_integer_value(v);
	json_decref(o);
	if (rc != 0)
		task_context_clear(c);
	return rc;
}

static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
task_context_json(const struct task_context *c)
{
	char mode[8];
	json_t *o;

	snprintf(mode, sizeof mode, "%04o", (unsigned)(c->umask & 0777));
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "env",
	    strv_json(c->env), "env_file", str_or_null(c->env_file), "workdir",
	    str_or_null(c->workdir), "user", str_or_null(c->user), "group",
	    str_or_null(c->group), "umask", c->umask >= 0 ? json_string(mode) :
	    json_null(), "nice", c->nice);
	json_object_set_new(o, "sandbox", c->sandbox < 0 ? json_null() :
	    json_string(c->sandbox == TASK_SANDBOX_STRICT ? "strict" : "none"));
	json_object_set_new(o, "network", json_boolean(c->network));
	json_object_set_new(o, "private_tmp", json_boolean(c->private_tmp));
	json_object_set_new(o, "read_only", strv_json(c->read_only));
	json_object_set_new(o, "write", strv_json(c->write));
	json_object_set_new(o, "ioprio", str_or_null(c->ioprio));
	json_object_set_new(o, "limit_cpu", json_integer(c->limit_cpu));
	json_object_set_new(o, "limit_memory", json_integer(c->limit_memory));
	json_object_set_new(o, "limit_nofile", json_integer(c->limit_nofile));
	return o;
}

static int
context_is_default(const struct task_context *c)
{
	return c->env == NULL && c->env_file == NULL && c->workdir == NULL &&
	    c->user == NULL && c->group == NULL && c->umask < 0 &&
	    c->nice == 0 && c->sandbox == TASK_SANDBOX_DEFAULT &&
	    !c->network && !c->private_tmp && c->read_only == NULL &&
	    c->write == NULL && c->ioprio == NULL && c->limit_cpu == 0 &&
	    c->limit_memory == 0 && c->limit_nofile == 0;
}

static int
str_same(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
strv_same(char *const *a, char *const *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return 0;
	return *a == *b;
}

/* Every field of struct task_context: a field added there is added here,
 * or task_context_to_json's callers that reuse a JSON would store a
 * stale one. */
int
task_context_equal(const struct task_context *a, const struct task_context *b)
{
	return strv_same(a->env, b->env) && str_same(a->env_file, b->env_file) &&
	    str_same(a->workdir, b->workdir) && str_same(a->user, b->user) &&
	    str_same(a->group, b->group) && a->umask == b->umask &&
	    a->nice == b->nice && a->sandbox == b->sandbox &&
	    a->network == b->network && a->private_tmp == b->private_tmp &&
	    strv_same(a->read_only, b->read_only) &&
	    strv_same(a->write, b->write) && str_same(a->ioprio, b->ioprio) &&
	    a->limit_cpu == b->limit_cpu && a->limit_memory == b->limit_memory &&
	    a->limit_nofile == b->limit_nofile;
}

char *
task_context_to_json(const struct task_context *c)
{
	json_t *o;
	char *s;

	if (context_is_default(c))
		return NULL;
	o = task_context_json(c);
	/* stored as a number, shown as an octal string */
	json_object_set_new(o, "umask", c->umask >= 0 ?
	    json_integer(c->umask) : json_null());
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* A path option given relative to the client's folder (the host runs
 * the command there) is stored absolute: runs start elsewhere. */
static char *
abs_path(const char *value)
{
	char cwd[PATH_MAX];

	if (*value == '\0' || *value == '/' || (*value == '-' && value[1] == '/') ||
	    getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(value);
	if (*value == '-')
		return xasprintf("-%s/%s", cwd, value + 1);
	return xasprintf("%s/%s", cwd, value);
}

static int
option_failed(struct cmd_ctx *ctx, const char *opt, const struct mgr_error *err)
{
	char *msg = xasprintf(_("option --%s: %s"), opt, err->msg);

	cmd_fail(ctx, err->code, msg);
	free(msg);
	return -1;
}

static int
read_one(struct cmd_ctx *ctx, const struct cmd_args *args, const char *opt,
	 const char *key, struct task_context *c, int *changed)
{
	struct mgr_error err = { 0 };
	const char *value = cmd_args_value(args, opt);
	char *path = NULL;
	int rc;

	if (value == NULL)
		return 0;
	if (strcmp(key, "env_file") == 0 || strcmp(key, "workdir") == 0)
		value = path = abs_path(value);
	rc = task_context_set(c, key, value, &err);
	free(path);
	if (rc != 0)
		return option_failed(ctx, opt, &err);
	*changed = 1;
	return 1;
}

/* Every --env NAME=VALUE: a new list, which replaces the task's. */
static int
read_env(struct cmd_ctx *ctx, const struct cmd_args *args,
	 struct task_context *c, int *changed)
{
	const char *const *values = cmd_args_values(args, "env");
	struct mgr_error err = { 0 };
	char **env = NULL;

	if (values == NULL)
		return 0;
	for (size_t i = 0; values[i] != NULL; i++)
		if (env_put(&env, values[i], &err) != 0) {
			strv_free(env);
			return option_failed(ctx, "env", &err);
		}
	strv_free(c->env);
	c->env = env;
	*changed = 1;
	return 0;
}

/* Every --read-only PATH (or --write PATH): a new list, which replaces
 * the task's. */
static int
read_paths(struct cmd_ctx *ctx, const struct cmd_args *args, const char *opt,
	   const char *key, char ***list, int *changed)
{
	const char *const *values = cmd_args_values(args, opt);
	struct mgr_error err = { 0 };
	char **paths = NULL, *path;
	int rc;

	if (values == NULL)
		return 0;
	for (size_t i = 0; values[i] != NULL; i++) {
		path = abs_path(values[i]);
		rc = path_in(key, path, &paths, &err);
		free(path);
		if (rc != 0) {
			strv_free(paths);
			return option_failed(ctx, opt, &err);
		}
	}
	strv_free(*list);
	*list = paths;
	*changed = 1;
	return 0;
}

/* --network and --no-network: the later one given wins. */
static void
read_switch(const struct cmd_args *args, const char *on, const char *off,
	    int *field, int *changed)
{
	int last_on = cmd_args_last(args, on), last_off = cmd_args_last(args, off);

	if (last_on == 0 && last_off == 0)
		return;
	*field = last_on > last_off;
	*changed = 1;
}

int
task_context_read_args(struct cmd_ctx *ctx, const struct cmd_args *args,
		       struct task_context *c, int *changed)
{
	static const char *const opts[][2] = {
		{ "env-file", "env_file" }, { "workdir", "workdir" },
		{ "user", "user" }, { "group", "group" },
		{ "umask", "umask" }, { "nice", "nice" },
		{ "sandbox", "sandbox" }, { "ioprio", "ioprio" },
		{ "limit-cpu", "limit_cpu" }, { "limit-memory", "limit_memory" },
		{ "limit-nofile", "limit_nofile" },
	};

	*changed = 0;
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (read_one(ctx, args, opts[i][0], opts[i][1], c, changed) < 0)
			return -1;
	read_switch(args, "network", "no-network", &c->network, changed);
	read_switch(args, "private-tmp", "no-private-tmp", &c->private_tmp,
	    changed);
	if (read_paths(ctx, args, "read-only", "read_only", &c->read_only,
	    changed) < 0 ||
	    read_paths(ctx, args, "write", "write", &c->write, changed) < 0)
		return -1;
	return read_env(ctx, args, c, changed);
}

/* ---- EnvironmentFile= ---- */

struct env_parse {
	const char *path;
	const char *p;		/* next character */
	int line;
	char ***env;
	struct mgr_error *err;
};

static int
env_error(struct env_parse *e, int line, const char *what)
{
	return mgr_error_set(e->err, MGR_EINVAL, "%s:%d: %s", e->path, line, what);
}

/* A quoted part of a value: "..." with \ escapes (a backslash-newline
 * joins lines), or '...' taken literally. */
static int
env_quoted(struct env_parse *e, struct strbuf *v)
{
	char q = *e->p++;
	int start = e->line;

	for (; *e->p != q; e->p++) {
		if (*e->p == '\0')
			return env_error(e, start, q == '"' ?
			    _("unterminated \" in the value") :
			    _("unterminated ' in the value"));
		if (*e->p == '\n')
			e->line++;
		if (q == '"' && *e->p == '\\' && e->p[1] != '\0') {
			e->p++;
			if (*e->p == '\n') {
				e->line++;
				continue;
			}
		}
		strbuf_add(v, e->p, 1);
	}
	e->p++;
	return 0;
}

/* The value after "NAME=", up to the end of its line; blanks around an
 * unquoted value go, a backslash takes the next character literally and
 * a backslash at the end of a line joins the next. */
static int
env_value(struct env_parse *e, struct strbuf *v)
{
	size_t keep = 0;
	int rc;

	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
	while (*e->p != '\0' && *e->p != '\n') {
		if (*e->p == '"' || *e->p == '\'') {
			if ((rc = env_quoted(e, v)) != 0)
				return rc;
			keep = v->len;
			continue;
		}
		if (*e->p == '\\' && e->p[1] != '\0') {
			if (*++e->p == '\n') {
				e->line++;
				e->p++;
				continue;
			}
			strbuf_add(v, e->p++, 1);
			keep = v->len;
			continue;
		}
		strbuf_add(v, e->p, 1);
		if (*e->p != ' ' && *e->p != '\t')
			keep = v->len;
		e->p++;
	}
	v->len = keep;
	return 0;
}

static int
env_line(struct env_parse *e)
{
	struct strbuf v = STRBUF_INIT;
	const char *name;
	size_t len;
	int rc;
	char *item;

	name = e->p;
	while (*e->p != '\0' && *e->p != '\n' && *e->p != '=' &&
	    *e->p != ' ' && *e->p != '\t')
		e->p++;
	len = (size_t)(e->p - name);
	while (*e->p == ' ' || *e->p == '\t')
		e->p++;
	if (*e->p != '=')
		return env_error(e, e->line, _("expected NAME=VALUE"));
	if (!env_name_ok(name, len))
		return mgr_error_set(e->err, MGR_EINVAL, _("%s:%d: \"%.*s\" is not "
		    "a variable name (letters, digits and _, not first a digit)"),
		    e->path, e->line, (int)len, name);
	e->p++;
	if ((rc = env_value(e, &v)) != 0) {
		strbuf_free(&v);
		return rc;
	}
	item = xasprintf("%.*s=%.*s", (int)len, name, (int)v.len,
	    v.buf != NULL ? v.buf : "");
	strbuf_free(&v);
	rc = env_put(e->env, item, e->err);
	free(item);
	return rc;
}

int
task_env_file_read(const char *path, char ***env, struct mgr_error *err)
{
	struct env_parse e = { .line = 1, .env = env, .err = err };
	int optional = *path == '-';
	char *text;
	size_t len;
	int rc = 0;

	e.path = path + optional;
	if (read_file(e.path, &text, &len, err) != 0) {
		if (optional && access(e.path, F_OK) != 0)
			return 0;
		return rc = err->code;
	}
	if (strlen(text) != len) {
		free(text);
		return mgr_error_set(err, MGR_EINVAL, _("%s: not a text file (a "
		    "NUL byte)"), e.path);
	}
	for (e.p = text; rc == 0 && *e.p != '\0'; e.line++, e.p++) {
		while (*e.p == ' ' || *e.p == '\t')
			e.p++;
		if (*e.p == '#' || *e.p == ';')
			e.p += strcspn(e.p, "\n");
		else if (*e.p != '\n' && *e.p != '\0')
			rc = env_line(&e);
		if (*e.p == '\0')
			break;
	}
	free(text);
	return rc;
}

/* ---- the run's user and environment ---- */

/* The run's user: its own, else the engine's. */
static int
run_passwd(const struct task_context *c, struct passwd *pw, char *buf,
	   size_t len, struct mgr_error *err)
{
	struct passwd *res = NULL;
	int rc;

	if (c->user != NULL)
		rc = getpwnam_r(c->user, pw, buf, len, &res);
	else
		rc = getpwuid_r(geteuid(), pw, buf, len, &res);
	if (res != NULL)
		return 0;
	if (c->user != NULL)
		return mgr_error_set(err, MGR_EINVAL, _("user \"%s\": no such user%s%s"),
		    c->user, rc != 0 ? ": " : "", rc != 0 ? strerror(rc) : "");
	pw->pw_name = (char *)"";
	pw->pw_dir = (char *)"/";
	pw->pw_shell = (char *)"/bin/sh";
	pw->pw_uid = geteuid();
	return 0;
}

static char **
env_add(char **env, const char *name, const char *value)
{
	char *s = xasprintf("%s=%s", name, value);
	struct mgr_error err = { 0 };

	env_put(&env, s, &err);	/* names here are valid */
	free(s);
	return env;
}

static const char *
home_or_root(const char *dir)
{
	struct stat st;

	return dir != NULL && *dir == '/' && stat(dir, &st) == 0 &&
	    S_ISDIR(st.st_mode) ? dir : "/";
}

int
task_context_env(struct mgr *mgr, const struct task_context *c,
		 const struct task_run_ids *ids, char ***envp, char **workdir,
		 struct mgr_error *err)
{
	struct passwd pw;
	char buf[4096], num[32];
	char **env = NULL;
	int rc;

	if ((rc = run_passwd(c, &pw, buf, sizeof buf, err)) != 0)
		return rc;
	env = env_add(env, "PATH", mgr->conf->task_path);
	env = env_add(env, "HOME", pw.pw_dir);
	env = env_add(env, "USER", pw.pw_name);
	env = env_add(env, "LOGNAME", pw.pw_name);
	env = env_add(env, "SHELL", pw.pw_shell != NULL && *pw.pw_shell != '\0' ?
	    pw.pw_shell : "/bin/sh");
	env = env_add(env, "LANG", mgr->conf->task_lang);
	if (c->env_file != NULL &&
	    (rc = task_env_file_read(c->env_file, &env, err)) != 0) {
		strv_free(env);
		return rc;
	}
	for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++)
		env_put(&env, c->env[i], err);
	env = env_add(env, "MANAGER_TASK_ID", ids->task_id);
	snprintf(num, sizeof num, "%lld", (long long)ids->run_id);
	env = env_add(env, "MANAGER_RUN_ID", ids->run_id > 0 ? num : "");
	snprintf(num, sizeof num, "%lld", (long long)(ids->scheduled_at / 1000000));
	env = env_add(env, "MANAGER_SCHEDULED_AT", num);
	snprintf(num, sizeof num, "%d", ids->attempt);
	env = env_add(env, "MANAGER_ATTEMPT", num);
	*envp = env;
	*workdir = xstrdup(c->workdir != NULL ? c->workdir :
	    home_or_root(pw.pw_dir));
	return 0;
}

/* ---- checks when a task is added or changed ---- */

static int check_user_group_ids(const char *id, const struct task_context *c,
				const struct passwd *pw, const struct group *gr,
				int root, struct mgr_error *err);

static int
check_user_group(const char *id, const struct task_context *c,
		 struct mgr_error *err)
{
	/* The _r forms: task files are checked on a thread of their own
	 * (sched_reload.c) while the loop may check a command's task. */
	struct passwd pwbuf, *pw = NULL;
	struct group grbuf, *gr = NULL;
	char pwtext[4096], *grtext = NULL;
	size_t grlen = 4096;
	int root = geteuid() == 0, rc;

	if (c->user != NULL &&
	    getpwnam_r(c->user, &pwbuf, pwtext, sizeof pwtext, &pw) != 0)
		pw = NULL;
	/* A group lists its members: as long as it needs. */
	do {
		grtext = xrealloc(grtext, grlen *= 2);
		rc = c->group != NULL ? getgrnam_r(c->group, &grbuf, grtext,
		    grlen, &gr) : 0;
	} while (rc == ERANGE && grlen < (1U << 24));
	rc = check_user_group_ids(id, c, pw, rc == 0 ? gr : NULL, root, err);
	free(grtext);
	return rc;
}

static int
check_user_group_ids(const char *id, const struct task_context *c,
		     const struct passwd *pw, const struct group *gr, int root,
		     struct mgr_error *err)
{
	if (c->user != NULL && pw == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": user \"%s\": "
		    "no such user"), id, c->user);
	if (c->group != NULL && gr == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": group \"%s\": "
		    "no such group"), id, c->group);
	if (!root && pw != NULL && pw->pw_uid != geteuid())
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": user \"%s\": "
		    "the engine does not run as root, so its runs cannot switch "
		    "to another user"), id, c->user);
	if (!root && gr != NULL && gr->gr_gid != getegid()) {
		gid_t groups[256];
		int n = getgroups(256, groups), found = 0;
		for (int i = 0; i < n; i++)
			found |= groups[i] == gr->gr_gid;
		if (!found)
			return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": group "
			    "\"%s\": the engine does not run as root and is not "
			    "in that group"), id, c->group);
	}
	return 0;
}

static int
check_folder(const char *id, const char *dir, struct mgr_error *err)
{
	struct stat st;

	if (*dir != '/')
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": workdir "
		    "\"%s\" is not an absolute path"), id, dir);
	if (stat(dir, &st) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": workdir "
		    "\"%s\": %s"), id, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": workdir "
		    "\"%s\" is not a folder"), id, dir);
	return 0;
}

/* An executable regular file. */
static int
runnable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

/* The exec: program as manager-exec's execvp will look for it. */
static int
check_program(const char *id, const char *prog, char *const *env,
	      struct mgr_error *err)
{
	const char *path = "";
	char *dirs, *save = NULL;
	int found = 0;

	if (strchr(prog, '/') != NULL) {
		if (runnable(prog))
			return 0;
		return mgr_error_set(err, MGR_EINVAL, access(prog, F_OK) != 0 ?
		    _("task \"%s\": program \"%s\" does not exist") :
		    _("task \"%s\": program \"%s\" is not an executable file"),
		    id, prog);
	}
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			path = env[i] + 5;
	dirs = xstrdup(path);
	for (char *d = strtok_r(dirs, ":", &save); d != NULL && !found;
	    d = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", d, prog);
		found = runnable(full);
		free(full);
	}
	free(dirs);
	if (found)
		return 0;
	return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": program \"%s\" is "
	    "not found on the run's PATH (%s)"), id, prog, path);
}

/* The sandbox's paths exist; realtime I/O needs root. */
static int
check_confinement(const char *id, const struct task_context *c,
		  struct mgr_error *err)
{
	char *const *lists[2] = { c->read_only, c->write };
	const char *keys[2] = { "read_only", "write" };
	struct stat st;
	int cls = 0, level;

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; lists[k] != NULL && lists[k][i] != NULL; i++)
			if (stat(lists[k][i], &st) != 0)
				return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": "
				    "%s \"%s\": %s"), id, keys[k], lists[k][i],
				    strerror(errno));
	if (c->private_tmp && c->workdir != NULL &&
	    (strcmp(c->workdir, "/tmp") == 0 || strncmp(c->workdir, "/tmp/", 5) == 0))
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": workdir "
		    "\"%s\" is under /tmp, which private_tmp replaces with an "
		    "empty one"), id, c->workdir);
	if (c->ioprio != NULL && sandbox_ioprio_parse(c->ioprio, &cls, &level) == 0 &&
	    cls == 1 && geteuid() != 0)
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": ioprio "
		    "\"%s\": the realtime class needs an engine that runs as "
		    "root"), id, c->ioprio);
	return 0;
}

int
task_context_sandbox(const struct mgr *mgr, const struct task_context *c)
{
	if (c->sandbox != TASK_SANDBOX_DEFAULT)
		return c->sandbox;
	return mgr->conf->task_sandbox != NULL &&
	    strcmp(mgr->conf->task_sandbox, "strict") == 0 ?
	    TASK_SANDBOX_STRICT : TASK_SANDBOX_NONE;
}

static void
show_paths(FILE *out, const char *label, char *const *v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		fprintf(out, "%s%s\n", label, v[i]);
}

void
task_context_show_sandbox(const struct mgr *mgr, FILE *out,
			  const struct task_context *c)
{
	int strict = task_context_sandbox(mgr, c) == TASK_SANDBOX_STRICT;

	fprintf(out, _("sandbox:            %s%s\n"), strict ? "strict" : "none",
	    c->sandbox == TASK_SANDBOX_DEFAULT ? _(" (manager.task_sandbox)") : "");
	if (strict) {
		fprintf(out, _("network:            %s\n"), c->network ? _("yes") :
		    _("no"));
		fprintf(out, _("private /tmp:       %s\n"), c->private_tmp ?
		    _("yes") : _("no"));
		show_paths(out, _("read-only:          "), c->read_only);
		show_paths(out, _("write:              "), c->write);
	}
	if (c->ioprio != NULL)
		fprintf(out, _("I/O class:          %s\n"), c->ioprio);
	if (c->limit_cpu > 0)
		fprintf(out, _("CPU limit:          %d s\n"), c->limit_cpu);
	if (c->limit_memory > 0)
		fprintf(out, _("memory limit:       %d MB\n"), c->limit_memory);
	if (c->limit_nofile > 0)
		fprintf(out, _("open files limit:   %d\n"), c->limit_nofile);
}

void
task_context_spec(const struct mgr *mgr, const struct task_context *c,
		  struct run_spec *spec)
{
	spec->user = c->user;
	spec->group = c->group;
	spec->umask = c->umask;
	spec->nice = c->nice;
	spec->strict = task_context_sandbox(mgr, c) == TASK_SANDBOX_STRICT;
	spec->network = c->network;
	spec->private_tmp = c->private_tmp;
	spec->read_only = c->read_only;
	spec->write = c->write;
	spec->ioprio = c->ioprio;
	spec->limit_cpu = c->limit_cpu;
	spec->limit_memory = c->limit_memory;
	spec->limit_nofile = c->limit_nofile;
}

int
task_plugin_func_check(struct mgr *mgr, const char *func_path, int *missing,
		struct mgr_error *err)
{
	*missing = 0;
	if (strncmp(func_path, "exec:", 5) == 0 || mgr->plugin_runner == NULL ||
	    mgr->plugin_runner->check == NULL)
		return 0;
	return mgr->plugin_runner->check(mgr, func_path, missing, err);
}

int
task_plugin_func_check_later(struct mgr *mgr, const char *func_path,
			     int *missing, task_checked_fn done, void *arg,
			     struct mgr_error *err)
{
	*missing = 0;
	if (strncmp(func_path, "exec:", 5) == 0 || mgr->plugin_runner == NULL ||
	    mgr->plugin_runner->check_later == NULL)
		return task_plugin_func_check(mgr, func_path, missing, err);
	return mgr->plugin_runner->check_later(mgr, func_path, missing, done,
	    arg, err);
}

int
task_context_check(struct mgr *mgr, const char *task_id, const char *func_path,
		   const struct task_context *c, struct mgr_error *err)
{
	struct task_run_ids ids = { .task_id = task_id, .attempt = 1 };
	char **env = NULL, **argv = NULL, *workdir = NULL;
	int rc;

	if (c->env_file != NULL &&
	    c->env_file[*c->env_file == '-'] != '/')
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": env_file "
		    "\"%s\" is not an absolute path"), task_id, c->env_file);
	if ((rc = check_user_group(task_id, c, err)) != 0 ||
	    (rc = check_confinement(task_id, c, err)) != 0 ||
	    (c->workdir != NULL && (rc = check_folder(task_id, c->workdir,
	    err)) != 0))
		return rc;
	if ((rc = task_context_env(mgr, c, &ids, &env, &workdir, err)) != 0)
		return mgr_error_prefix(err, _("task \"%s\""), task_id);
	if (func_path != NULL && strncmp(func_path, "exec:", 5) == 0 &&
	    exec_split(func_path + 5, &argv, err) == 0)
		rc = check_program(task_id, argv[0], env, err);
	strv_free(argv);
	strv_free(env);
	free(workdir);
	return rc;
}
