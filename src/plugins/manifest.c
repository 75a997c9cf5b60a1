/* manifest.c - parsing and checking plugin.conf. */
#include "i18n.h"
#include "manifest.h"
#include "trigger.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
problems_add(struct mgr_problems *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	p->msgs = xrealloc(p->msgs, (p->n + 2) * sizeof *p->msgs);
	p->msgs[p->n++] = msg;
	p->msgs[p->n] = NULL;
}

void
problems_free(struct mgr_problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->msgs[i]);
	free(p->msgs);
	p->msgs = NULL;
	p->n = 0;
}

void
problems_rebase(struct mgr_problems *p, const char *from, const char *to)
{
	size_t n = strlen(from);

	for (size_t i = 0; i < p->n; i++) {
		struct strbuf sb = STRBUF_INIT;
		const char *s = p->msgs[i], *hit;

		while ((hit = strstr(s, from)) != NULL) {
			strbuf_add(&sb, s, (size_t)(hit - s));
			strbuf_adds(&sb, to);
			s = hit + n;
		}
		strbuf_adds(&sb, s);
		free(p->msgs[i]);
		p->msgs[i] = strbuf_detach(&sb);
	}
}

int
problems_to_error(const struct mgr_problems *p, struct mgr_error *err)
{
	if (p->n == 0)
		return 0;
	if (p->n == 1)
		return mgr_error_set(err, MGR_EINVAL, "%s", p->msgs[0]);
	return mgr_error_set(err, MGR_EINVAL, _("%s (and %zu more problems)"),
	    p->msgs[0], p->n - 1);
}

/* The libconfig tree as JSON, for the manifest column. */
static json_t *
setting_to_json(config_setting_t *s)
{
	json_t *out;
	int n;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		return json_integer(config_setting_get_int(s));
	case CONFIG_TYPE_INT64:
		return json_integer(config_setting_get_int64(s));
	case CONFIG_TYPE_FLOAT:
		return json_real(config_setting_get_float(s));
	case CONFIG_TYPE_BOOL:
		return json_boolean(config_setting_get_bool(s));
	case CONFIG_TYPE_STRING:
		return json_string(config_setting_get_string(s));
	case CONFIG_TYPE_GROUP:
		out = json_object();
		n = config_setting_length(s);
		for (int i = 0; i < n; i++) {
			config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			json_object_set_new(out, config_setting_name(e),
			    setting_to_json(e));
		}
		return out;
	default:	/* array, list */
		out = json_array();
		n = config_setting_length(s);
		for (int i = 0; i < n; i++)
			json_array_append_new(out, setting_to_json(
			    config_setting_get_elem(s, (unsigned)i)));
		return out;
	}
}

static char *
json_text(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	return s;
}

struct mload {
	const char *file;
	struct manifest *m;
	struct mgr_problems *p;
};

static int
line_of(config_setting_t *s)
{
	return (int)config_setting_source_line(s);
}

/* A string key; required ones are reported when missing. */
static char *
mload_string(struct mload *ml, config_setting_t *root, const char *key,
	     int required)
{
	config_setting_t *s = config_setting_get_member(root, key);

	if (s == NULL) {
		if (required)
			problems_add(ml->p, _("%s: required field \"%s\" is "
			    "missing"), ml->file, key);
		return NULL;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		problems_add(ml->p, _("%s:%d: field \"%s\" must be a string"),
		    ml->file, line_of(s), key);
		return NULL;
	}
	return xstrdup(config_setting_get_string(s));
}

static void
mload_identity(struct mload *ml, config_setting_t *root)
{
	struct manifest *m = ml->m;
	struct semver v;
	struct mgr_error e = { 0 };

	m->id = mload_string(ml, root, "id", 1);
	m->name = mload_string(ml, root, "name", 1);
	m->version = mload_string(ml, root, "version", 1);
	m->description = mload_string(ml, root, "description", 0);
	m->author = mload_string(ml, root, "author", 0);
	m->library = mload_string(ml, root, "library", 1);
	if (m->id != NULL && !plugin_id_valid(m->id))
		problems_add(ml->p, _("%s:%d: field \"id\": \"%s\" is not a valid "
		    "plugin id (lowercase letters, digits, '_' and '-', starting "
		    "with a letter or digit, at most 64)"), ml->file,
		    line_of(config_setting_get_member(root, "id")), m->id);
	if (m->version != NULL && version_parse(m->version, 0, &v, &e) != 0)
		problems_add(ml->p, _("%s:%d: field \"version\": %s"), ml->file,
		    line_of(config_setting_get_member(root, "version")), e.msg);
	if (m->description == NULL)
		m->description = xstrdup("");
	if (m->author == NULL)
		m->author = xstrdup("");
}

static void
mload_library(struct mload *ml, config_setting_t *root)
{
	config_setting_t *s = config_setting_get_member(root, "library");
	const char *lib = ml->m->library;
	struct stat st;
	char *path;

	if (lib == NULL)
		return;
	if (lib[0] == '\0' || strchr(lib, '/') != NULL || strcmp(lib, "..") == 0 ||
	    strcmp(lib, ".") == 0) {
		problems_add(ml->p, _("%s:%d: field \"library\": \"%s\" must be a "
		    "file name inside the plugin folder"), ml->file, line_of(s), lib);
		return;
	}
	path = manifest_library_path(ml->m);
	if (lstat(path, &st) != 0)
		problems_add(ml->p, _("%s:%d: field \"library\": %s: %s"), ml->file,
		    line_of(s), path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		problems_add(ml->p, _("%s:%d: field \"library\": %s is not a "
		    "regular file"), ml->file, line_of(s), path);
	free(path);
}

static void
mload_deps(struct mload *ml, config_setting_t *root)
{
	config_setting_t *s = config_setting_get_member(root, "dependencies");
	json_t *arr = json_array();
	int n;

	if (s != NULL && !config_setting_is_aggregate(s)) {
		problems_add(ml->p, _("%s:%d: field \"dependencies\" must be a list "
		    "of strings like [ \"base >= 1.0\" ]"), ml->file, line_of(s));
		s = NULL;
	}
	n = s != NULL ? config_setting_length(s) : 0;
	ml->m->deps = xcalloc((size_t)n + 1, sizeof *ml->m->deps);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		struct mgr_error err = { 0 };
		const char *text = config_setting_get_string(e);

		if (text == NULL) {
			problems_add(ml->p, _("%s:%d: field \"dependencies\": "
			    "element %d must be a string"), ml->file, line_of(e), i + 1);
			continue;
		}
		if (dep_parse(text, &ml->m->deps[ml->m->ndeps], &err) != 0) {
			problems_add(ml->p, _("%s:%d: field \"dependencies\": %s"),
			    ml->file, line_of(e), err.msg);
			continue;
		}
		if (ml->m->id != NULL && strcmp(ml->m->deps[ml->m->ndeps].id,
		    ml->m->id) == 0)
			problems_add(ml->p, _("%s:%d: field \"dependencies\": the "
			    "plugin depends on itself"), ml->file, line_of(e));
		json_array_append_new(arr, json_string(text));
		ml->m->ndeps++;
	}
	ml->m->deps_json = json_text(arr);
}

static const char *const task_option_keys[] = {
	"id", "name", "func", "trigger", "max_retries", "timeout", "enabled",
	NULL
};
static int
key_in(const char *const *keys, const char *key)
{
	for (size_t i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

static int
mload_task_int(struct mload *ml, config_setting_t *t, const char *key, int def)
{
	config_setting_t *s = config_setting_get_member(t, key);

	if (s == NULL)
		return def;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL && strcmp(key, "enabled") == 0)
		return config_setting_get_bool(s);
	if (config_setting_type(s) != CONFIG_TYPE_INT ||
	    config_setting_get_int(s) < 0) {
		problems_add(ml->p, _("%s:%d: task field \"%s\" must be a "
		    "non-negative integer"), ml->file, line_of(s), key);
		return def;
	}
	return config_setting_get_int(s);
}

/* Trigger fields become strings, as the tasks table stores them. */
static char *
mload_trigger_args(struct mload *ml, config_setting_t *t)
{
	json_t *args = json_object();
	int n = config_setting_length(t);

	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(t, (unsigned)i);
		const char *key = config_setting_name(e);
		json_t *v;

		if (key_in(task_option_keys, key))
			continue;
		if (!trigger_field_known(key)) {
			problems_add(ml->p, _("%s:%d: task field \"%s\" is unknown"),
			    ml->file, line_of(e), key);
			continue;
		}
		if (config_setting_is_aggregate(e)) {
			problems_add(ml->p, _("%s:%d: task field \"%s\" must be a "
			    "number or a string"), ml->file, line_of(e), key);
			continue;
		}
		v = setting_to_json(e);
		if (json_is_string(v))
			json_object_set(args, key, v);
		else {
			char *text = json_dumps(v, JSON_ENCODE_ANY);
			json_object_set_new(args, key, json_string(text));
			free(text);
		}
		json_decref(v);
	}
	return json_text(args);
}

/* Names each missing field, and an id that an earlier task has. */
static void
mload_task_required(struct mload *ml, const struct manifest_task *mt)
{
	const char *what = mt->id != NULL ? mt->id : _("(no id)");

	if (mt->id == NULL)
		problems_add(ml->p, _("%s:%d: task needs a string field "
		    "\"id\""), ml->file, mt->line);
	if (mt->func == NULL)
		problems_add(ml->p, _("%s:%d: task %s needs a string field "
		    "\"func\""), ml->file, mt->line, what);
	if (mt->trigger == NULL)
		problems_add(ml->p, _("%s:%d: task %s needs a string field "
		    "\"trigger\""), ml->file, mt->line, what);
	for (size_t i = 0; mt->id != NULL && ml->m->tasks + i < mt; i++)
		if (ml->m->tasks[i].id != NULL &&
		    strcmp(ml->m->tasks[i].id, mt->id) == 0)
			problems_add(ml->p, _("%s:%d: task id \"%s\" is already "
			    "used by the task at line %d"), ml->file, mt->line,
			    mt->id, ml->m->tasks[i].line);
}

static void
mload_task(struct mload *ml, config_setting_t *t, struct manifest_task *mt)
{
	mt->line = line_of(t);
	mt->id = mload_string(ml, t, "id", 0);
	mt->name = mload_string(ml, t, "name", 0);
	mt->func = mload_string(ml, t, "func", 0);
	mt->trigger = mload_string(ml, t, "trigger", 0);
	mload_task_required(ml, mt);
	if (mt->id != NULL) {
		struct mgr_error e = { 0 };
		if (mgr_id_check(_("task id"), mt->id, &e) != 0)
			problems_add(ml->p, "%s:%d: %s", ml->file, mt->line, e.msg);
	}
	if (mt->trigger != NULL && !trigger_type_known(mt->trigger))
		problems_add(ml->p, _("%s:%d: task field \"trigger\": \"%s\" is not "
		    "interval, cron, date or calendar"), ml->file, mt->line,
		    mt->trigger);
	if (mt->name == NULL && mt->id != NULL)
		mt->name = xstrdup(mt->id);
	mt->max_retries = mload_task_int(ml, t, "max_retries", -1);
	mt->timeout = mload_task_int(ml, t, "timeout", -1);
	mt->enabled = mload_task_int(ml, t, "enabled", 1);
	mt->trigger_args = mload_trigger_args(ml, t);
}

static void
mload_tasks(struct mload *ml, config_setting_t *root)
{
	config_setting_t *s = config_setting_get_member(root, "tasks");
	int n;

	if (s == NULL)
		return;
	if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
		problems_add(ml->p, _("%s:%d: field \"tasks\" must be a list of "
		    "groups: ( { id = ...; func = ...; trigger = ...; } )"),
		    ml->file, line_of(s));
		return;
	}
	n = config_setting_length(s);
	ml->m->tasks = xcalloc((size_t)n + 1, sizeof *ml->m->tasks);
	for (int i = 0; i < n; i++) {
		config_setting_t *t = config_setting_get_elem(s, (unsigned)i);
		if (!config_setting_is_group(t)) {
			problems_add(ml->p, _("%s:%d: element %d of \"tasks\" must be "
			    "a group { ... }"), ml->file, line_of(t), i + 1);
			continue;
		}
		mload_task(ml, t, &ml->m->tasks[ml->m->ntasks++]);
	}
}

/* permissions = { network = BOOL; read = [...]; write = [...]; exec = [...]; } */
static const char *const perm_lists[] = { "read", "write", "exec", NULL };

static int
perm_path_ok(const char *path)
{
	const char *p = path;

	if (*path == '\0')
		return 0;
	while ((p = strstr(p, "..")) != NULL) {	/* no ".." component */
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 0;
		p += 2;
	}
	return 1;
}

static void
mload_perm_list(struct mload *ml, config_setting_t *s)
{
	const char *name = config_setting_name(s);
	int n;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		problems_add(ml->p, _("%s:%d: field \"permissions.%s\" must be a "
		    "list of paths like [ \"/srv/data\" ]"), ml->file, line_of(s),
		    name);
		return;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *path = config_setting_get_string(e);

		if (path == NULL)
			problems_add(ml->p, _("%s:%d: field \"permissions.%s\": "
			    "element %d must be a string"), ml->file, line_of(e),
			    name, i + 1);
		else if (!perm_path_ok(path))
			problems_add(ml->p, _("%s:%d: field \"permissions.%s\": "
			    "\"%s\" must be a path (absolute, or inside the plugin "
			    "folder) without \"..\""), ml->file, line_of(e), name, path);
	}
}

static void
mload_permissions(struct mload *ml, config_setting_t *root)
{
	config_setting_t *s = config_setting_get_member(root, "permissions");
	int n;

	if (s == NULL)
		return;
	if (!config_setting_is_group(s)) {
		problems_add(ml->p, _("%s:%d: field \"permissions\" must be a group "
		    "{ network = false; read = [ ... ]; write = [ ... ]; exec = "
		    "[ ... ]; }"), ml->file, line_of(s));
		return;
	}
	n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(e);

		if (strcmp(name, "network") == 0) {
			if (config_setting_type(e) != CONFIG_TYPE_BOOL)
				problems_add(ml->p, _("%s:%d: field \"permissions."
				    "network\" must be true or false"), ml->file,
				    line_of(e));
		} else if (key_in(perm_lists, name))
			mload_perm_list(ml, e);
		else
			problems_add(ml->p, _("%s:%d: unknown field \"permissions.%s\" "
			    "(network, read, write and exec are known)"), ml->file,
			    line_of(e), name);
	}
}

static char **
perm_list_from_json(json_t *arr)
{
	char **v = NULL;
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
		if (json_is_string(e))
			v = strv_push(v, json_string_value(e));
	return v;
}

void
manifest_perms_from_json(const char *manifest_json, struct manifest_perms *p)
{
	json_t *root = manifest_json != NULL ?
	    json_loads(manifest_json, 0, NULL) : NULL;
	json_t *perms = json_object_get(root, "permissions");

	memset(p, 0, sizeof *p);
	p->network = json_is_true(json_object_get(perms, "network"));
	p->read = perm_list_from_json(json_object_get(perms, "read"));
	p->write = perm_list_from_json(json_object_get(perms, "write"));
	p->exec = perm_list_from_json(json_object_get(perms, "exec"));
	json_decref(root);
}

void
manifest_perms_clear(struct manifest_perms *p)
{
	strv_free(p->read);
	strv_free(p->write);
	strv_free(p->exec);
	memset(p, 0, sizeof *p);
}

/* The lines for one list: the entries of list that are not in cur (all
 * of them when cur is NULL). */
static void
perms_list_lines(struct strbuf *sb, const char *indent, const char *label,
		 char *const *list, char *const *cur, int all)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (all || !strv_has(cur, list[i]))
			strbuf_addf(sb, "%s%s: %s\n", indent, label, list[i]);
}

char *
manifest_perms_describe(const struct manifest_perms *p, const char *indent)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%s\n", indent, p->network ? _("network: yes") :
	    _("network: no"));
	strbuf_addf(&sb, "%s%s\n", indent, _("read: the plugin's folder and the "
	    "system libraries"));
	perms_list_lines(&sb, indent, _("read"), p->read, NULL, 1);
	strbuf_addf(&sb, "%s%s\n", indent, _("write: a private scratch folder "
	    "($TMPDIR)"));
	perms_list_lines(&sb, indent, _("write"), p->write, NULL, 1);
	if (p->exec == NULL || p->exec[0] == NULL)
		strbuf_addf(&sb, "%s%s\n", indent, _("exec: nothing (no new "
		    "processes)"));
	perms_list_lines(&sb, indent, _("exec"), p->exec, NULL, 1);
	return strbuf_detach(&sb);
}

char *
manifest_perms_added(const struct manifest_perms *cur,
		     const struct manifest_perms *next)
{
	struct strbuf sb = STRBUF_INIT;

	if (next->network && !cur->network)
		strbuf_addf(&sb, "  %s\n", _("network: yes"));
	perms_list_lines(&sb, "  ", _("read"), next->read, cur->read, 0);
	perms_list_lines(&sb, "  ", _("write"), next->write, cur->write, 0);
	perms_list_lines(&sb, "  ", _("exec"), next->exec, cur->exec, 0);
	if (sb.len == 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

char **
manifest_perms_paths(char *const *paths, const char *plugin_dir)
{
	char **v = NULL;

	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++) {
		char *abs = paths[i][0] == '/' ? xstrdup(paths[i]) :
		    xasprintf("%s/%s", plugin_dir, paths[i]);
		v = strv_push(v, abs);
		free(abs);
	}
	return v;
}

static const char *const top_keys[] = {
	"id", "name", "version", "description", "author", "library",
	"dependencies", "config", "tasks", "permissions", NULL
};

static void
mload_unknown_keys(struct mload *ml, config_setting_t *root)
{
	config_setting_t *s = config_setting_get_member(root, "config");
	int n = config_setting_length(root);

	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(root, (unsigned)i);
		if (!key_in(top_keys, config_setting_name(e)))
			problems_add(ml->p, _("%s:%d: unknown field \"%s\""), ml->file,
			    line_of(e), config_setting_name(e));
	}
	if (s != NULL && !config_setting_is_group(s))
		problems_add(ml->p, _("%s:%d: field \"config\" must be a group "
		    "{ key = value; }"), ml->file, line_of(s));
}

int
manifest_load(const char *dir, struct manifest *m, struct mgr_problems *probs,
	      struct mgr_error *err)
{
	struct mload ml = { .m = m, .p = probs };
	size_t before = probs->n;
	config_t cfg;
	struct stat st;

	memset(m, 0, sizeof *m);
	m->dir = xstrdup(dir);
	m->file = xasprintf("%s/%s", dir, MANIFEST_FILE);
	ml.file = m->file;
	if (stat(m->file, &st) != 0) {
		problems_add(probs, _("%s: %s"), m->file, strerror(errno));
		return mgr_error_set(err, MGR_ENOENT, _("%s: %s (a plugin folder "
		    "holds its manifest, plugin.conf)"), m->file, strerror(errno));
	}
	config_init(&cfg);
	if (config_read_file(&cfg, m->file) != CONFIG_TRUE) {
		problems_add(probs, "%s:%d: %s", m->file, config_error_line(&cfg),
		    config_error_text(&cfg));
		config_destroy(&cfg);
		return problems_to_error(probs, err);
	}
	mload_identity(&ml, config_root_setting(&cfg));
	mload_library(&ml, config_root_setting(&cfg));
	mload_deps(&ml, config_root_setting(&cfg));
	mload_tasks(&ml, config_root_setting(&cfg));
	mload_permissions(&ml, config_root_setting(&cfg));
	mload_unknown_keys(&ml, config_root_setting(&cfg));
	m->json = json_text(setting_to_json(config_root_setting(&cfg)));
	manifest_perms_from_json(m->json, &m->perms);
	config_destroy(&cfg);
	if (probs->n > before)
		return mgr_error_set(err, MGR_EINVAL, "%s", probs->msgs[before]);
	return 0;
}

void
manifest_clear(struct manifest *m)
{
	for (size_t i = 0; i < m->ntasks; i++) {
		struct manifest_task *t = &m->tasks[i];
		free(t->id);
		free(t->name);
		free(t->func);
		free(t->trigger);
		free(t->trigger_args);
	}
	free(m->tasks);
	free(m->file);
	free(m->dir);
	free(m->id);
	free(m->name);
	free(m->version);
	free(m->description);
	free(m->author);
	free(m->library);
	free(m->deps);
	free(m->deps_json);
	free(m->json);
	manifest_perms_clear(&m->perms);
	memset(m, 0, sizeof *m);
}

char *
manifest_library_path(const struct manifest *m)
{
	return xasprintf("%s/%s", m->dir, m->library);
}
