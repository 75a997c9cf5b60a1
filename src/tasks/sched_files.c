/* sched_files.c - declarative tasks: every *.conf in tasks_directory.
 *
 *	tasks = ( { id = "backup"; func = "exec:/usr/bin/backup --quick";
 *		    trigger = "cron"; hour = 3; minute = 0;
 *		    max_retries = 2; timeout = 600; } );
 *
 * Known keys are the task's options (id func trigger name enabled
 * max_retries timeout misfire_grace_time coalesce max_instances
 * on_interrupt); every
 * other key is a trigger field.  Tasks of a file have source "file:PATH";
 * the file is the truth: its tasks are created, updated, and removed when
 * they leave the file (or the file goes).  A file with an error keeps its
 * tasks as they were; the other files still load.
 */
#include "i18n.h"
#include "manager.h"
#include "sched_int.h"
#include "scheduler.h"
#include "task_context.h"
#include "task_context_store.h"
#include "task_fields.h"
#include "task_hooks.h"
#include "task_hooks_store.h"
#include "trigger.h"
#include "tz.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libconfig.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A task's own keys in a task file are the fields a client may set
 * (task_fields.c, the one list), with func_path spelled "func"; every
 * other key is a trigger field. */
static int
is_task_key(const char *name)
{
	const struct field_def *v, *f;
	size_t n;

	if (strcmp(name, "func") == 0)
		return 1;
	v = task_fields(&n);	/* n is set before it is read */
	f = field_find(v, n, name);
	return f != NULL && strcmp(f->name, "func_path") != 0 &&
	    !(f->flags & FIELD_READONLY) && f->type != FIELD_TRIGGER_ARGS;
}

/* Ids sorted for lookups in O(log n): loading n tasks compares no pair
 * of ids twice (a file of 100,000 tasks once took minutes). */
struct id_slot {
	const char *id;
	size_t i;
};

struct id_index {
	struct id_slot *v;
	size_t n;
};

static int
slot_cmp(const void *a, const void *b)
{
	return strcmp(((const struct id_slot *)a)->id,
	    ((const struct id_slot *)b)->id);
}

static void
id_index_build(struct id_index *x, const struct task_rec *recs, size_t n)
{
	x->v = xcalloc(n + 1, sizeof *x->v);
	x->n = n;
	for (size_t i = 0; i < n; i++)
		x->v[i] = (struct id_slot){ recs[i].id, i };
	if (n > 1)
		qsort(x->v, n, sizeof *x->v, slot_cmp);
}

/* The index of id in the records, or -1. */
static long
id_index_find(const struct id_index *x, const char *id)
{
	struct id_slot key = { id, 0 }, *hit;

	if (x == NULL || x->n == 0)
		return -1;
	hit = bsearch(&key, x->v, x->n, sizeof *x->v, slot_cmp);
	return hit != NULL ? (long)hit->i : -1;
}

static void
id_index_free(struct id_index *x)
{
	free(x->v);
	memset(x, 0, sizeof *x);
}

/* A file's tasks, parsed and checked before anything is written. */
struct file_tasks {
	struct task_rec *recs;
	char ***fields;
	struct task_context *ctxs;
	struct task_hooks *hooks;
	size_t n, cap;
};

/* Ids the files loaded so far added, with their sources (open
 * addressing; the strings belong to the files' records until the end). */
struct id_set {
	const char **ids, **sources;
	size_t cap, n;
};

static void id_set_put(struct id_set *x, const char *id, const char *source);

static void
id_set_grow(struct id_set *x)
{
	struct id_set bigger = { 0 };

	bigger.cap = x->cap != 0 ? x->cap * 2 : 1024;
	bigger.ids = xcalloc(bigger.cap, sizeof *bigger.ids);
	bigger.sources = xcalloc(bigger.cap, sizeof *bigger.sources);
	for (size_t i = 0; i < x->cap; i++)
		if (x->ids[i] != NULL)
			id_set_put(&bigger, x->ids[i], x->sources[i]);
	free(x->ids);
	free(x->sources);
	*x = bigger;
}

static void
id_set_put(struct id_set *x, const char *id, const char *source)
{
	size_t k;

	if (2 * (x->n + 1) > x->cap)
		id_set_grow(x);
	for (k = fnv1a(FNV_OFFSET, id) & (x->cap - 1); x->ids[k] != NULL;
	    k = (k + 1) & (x->cap - 1))
		if (strcmp(x->ids[k], id) == 0)
			return;
	x->ids[k] = id;
	x->sources[k] = source;
	x->n++;
}

/* The source that added id, or NULL. */
static const char *
id_set_get(const struct id_set *x, const char *id)
{
	if (x->cap == 0)
		return NULL;
	for (size_t k = fnv1a(FNV_OFFSET, id) & (x->cap - 1); x->ids[k] != NULL;
	    k = (k + 1) & (x->cap - 1))
		if (strcmp(x->ids[k], id) == 0)
			return x->sources[k];
	return NULL;
}

/* One reading of the tasks directory: the rows as they were before it,
 * and what its files added since.  It may run on a thread of its own
 * (sched_reload.c): it reads through db, its own connection then, and
 * only reads mgr (the configuration, which no reload replaces while a
 * reading runs). */
struct file_load {
	struct mgr *mgr;
	struct mgr_db *db;
	struct task_rec *all;
	size_t nall;
	struct id_index byid;		/* of all */
	struct id_set added;		/* strings owned by the plan's files */
	struct tz_cache *zones;		/* one load per zone name */
	char *ctx_ok;			/* the last context that passed */
};

static const struct task_rec *
load_row(const struct file_load *ld, const char *id)
{
	long i = id_index_find(&ld->byid, id);

	return i >= 0 ? &ld->all[i] : NULL;
}

static int
file_error(struct mgr_error *err, const char *path, const config_setting_t *st,
	   const char *msg)
{
	return mgr_error_set(err, MGR_EINVAL, "%s:%d: %s", path,
	    config_setting_source_line(st), msg);
}

static char *
setting_text(const config_setting_t *v)
{
	switch (config_setting_type(v)) {
	case CONFIG_TYPE_STRING:
		return xstrdup(config_setting_get_string(v));
	case CONFIG_TYPE_INT:
		return xasprintf("%d", config_setting_get_int(v));
	case CONFIG_TYPE_INT64:
		return xasprintf("%lld", (long long)config_setting_get_int64(v));
	case CONFIG_TYPE_FLOAT:
		return xasprintf("%.15g", config_setting_get_float(v));
	case CONFIG_TYPE_BOOL:
		return xstrdup(config_setting_get_bool(v) ? "true" : "false");
	default:
		return NULL;
	}
}

static int
file_int(const char *path, const config_setting_t *st, const char *name,
	 int *out, struct mgr_error *err)
{
	const config_setting_t *v = config_setting_get_member(st, name);

	if (v == NULL)
		return 0;
	if (config_setting_type(v) == CONFIG_TYPE_BOOL) {
		*out = config_setting_get_bool(v);
		return 0;
	}
	if (config_setting_type(v) != CONFIG_TYPE_INT)
		return file_error(err, path, v, _("expected a whole number"));
	*out = config_setting_get_int(v);
	return 0;
}

static int
file_string(const char *path, const config_setting_t *st, const char *name,
	    char **out, int required, struct mgr_error *err)
{
	const config_setting_t *v = config_setting_get_member(st, name);
	char *msg;
	int rc;

	if (v == NULL && !required)
		return 0;
	if (v == NULL || config_setting_type(v) != CONFIG_TYPE_STRING) {
		msg = xasprintf(_("\"%s\" must be a string"), name);
		rc = file_error(err, path, v != NULL ? v : st, msg);
		free(msg);
		return rc;
	}
	free(*out);
	*out = xstrdup(config_setting_get_string(v));
	return 0;
}

/* on_interrupt = "abandon" | "rerun" */
static int
file_on_interrupt(const char *path, const config_setting_t *st,
		  struct task_rec *t, struct mgr_error *err)
{
	const config_setting_t *v = config_setting_get_member(st, "on_interrupt");
	const char *s;
	int value;

	if (v == NULL)
		return 0;
	s = config_setting_type(v) == CONFIG_TYPE_STRING ?
	    config_setting_get_string(v) : NULL;
	if ((value = task_on_interrupt_parse(s)) < 0)
		return file_error(err, path, v,
		    _("on_interrupt must be \"abandon\" or \"rerun\""));
	t->on_interrupt = (enum task_on_interrupt)value;
	return 0;
}

/* One entry of tasks = (...): the row and its trigger fields. */
static int
file_task(const char *path, const config_setting_t *st, struct task_rec *t,
	  char ***fields, struct mgr_error *err)
{
	int rc;

	task_rec_init(t);
	*fields = NULL;
	if ((rc = file_string(path, st, "id", &t->id, 1, err)) != 0 ||
	    (rc = file_string(path, st, "func", &t->func_path, 1, err)) != 0 ||
	    (rc = file_string(path, st, "trigger", &t->trigger, 1, err)) != 0 ||
	    (rc = file_string(path, st, "name", &t->name, 0, err)) != 0 ||
	    (rc = file_int(path, st, "enabled", &t->enabled, err)) != 0 ||
	    (rc = file_int(path, st, "max_retries", &t->max_retries, err)) != 0 ||
	    (rc = file_int(path, st, "timeout", &t->timeout, err)) != 0 ||
	    (rc = file_int(path, st, "misfire_grace_time", &t->misfire_grace_time, err)) != 0 ||
	    (rc = file_int(path, st, "coalesce", &t->coalesce, err)) != 0 ||
	    (rc = file_int(path, st, "max_instances", &t->max_instances, err)) != 0 ||
	    (rc = file_on_interrupt(path, st, t, err)) != 0)
		return rc;
	if (mgr_id_check(_("task id"), t->id, err) != 0)
		return mgr_error_prefix(err, "%s:%d", path, config_setting_source_line(
		    config_setting_get_member(st, "id")));
	for (int i = 0; i < config_setting_length(st); i++) {
		const config_setting_t *v = config_setting_get_elem(st, (unsigned)i);
		const char *name = config_setting_name(v);
		char *text, *f;

		if (is_task_key(name))
			continue;
		if ((text = setting_text(v)) == NULL)
			return file_error(err, path, v, _("a trigger field must be "
			    "a string or a number"));
		f = xasprintf("%s=%s", name, text);
		*fields = strv_push(*fields, f);
		free(f);
		free(text);
	}
	t->source = xasprintf("file:%s", path);
	return 0;
}

/* Keeps the anchor pinned when the task was first created (an interval
 * without start_date, a date without run_date), so an unchanged file
 * compares equal. */
static char **
fields_with_anchor(char **fields, const struct task_rec *old)
{
	static const char *const anchors[] = { "start_date", "run_date", NULL };
	json_t *o;

	if (old == NULL || old->trigger_args == NULL ||
	    strcmp(old->trigger, "cron") == 0)
		return fields;
	for (size_t i = 0; anchors[i] != NULL; i++) {
		size_t len = strlen(anchors[i]);
		int have = 0;
		for (size_t k = 0; fields != NULL && fields[k] != NULL; k++)
			if (strncmp(fields[k], anchors[i], len) == 0 &&
			    fields[k][len] == '=')
				have = 1;
		if (have || (o = json_loads(old->trigger_args, 0, NULL)) == NULL)
			continue;
		if (json_is_string(json_object_get(o, anchors[i]))) {
			char *f = xasprintf("%s=%s", anchors[i],
			    json_string_value(json_object_get(o, anchors[i])));
			fields = strv_push(fields, f);
			free(f);
		}
		json_decref(o);
	}
	return fields;
}


static void
file_tasks_free(struct file_tasks *ft)
{
	for (size_t i = 0; i < ft->n; i++) {
		strv_free(ft->fields[i]);
		task_context_clear(&ft->ctxs[i]);
		task_hooks_clear(&ft->hooks[i]);
	}
	task_recs_free(ft->recs, ft->n);
	free(ft->fields);
	free(ft->ctxs);
	free(ft->hooks);
	memset(ft, 0, sizeof *ft);
}

/* One context key's value: env a string or a list of strings, nice a
 * number, the others strings. */
static int
file_context_key(const char *path, const config_setting_t *v,
		 struct task_context *c, struct mgr_error *err)
{
	const char *name = config_setting_name(v);
	struct mgr_error e = { 0 };
	char *text = NULL;
	int rc = 0;

	int list = strcmp(name, "env") == 0 || strcmp(name, "read_only") == 0 ||
	    strcmp(name, "write") == 0;
	/* the sandbox's and the limits' keys: true/false and numbers too */
	int scalar = strcmp(name, "sandbox") == 0 || strcmp(name, "network") == 0 ||
	    strcmp(name, "private_tmp") == 0 || strcmp(name, "ioprio") == 0 ||
	    strncmp(name, "limit_", 6) == 0;

	if (list && config_setting_is_aggregate(v)) {
		for (int i = 0; rc == 0 && i < config_setting_length(v); i++) {
			const config_setting_t *item =
			    config_setting_get_elem(v, (unsigned)i);
			if (config_setting_type(item) != CONFIG_TYPE_STRING) {
				text = xasprintf(_("%s: expected a list of strings"),
				    name);
				rc = file_error(err, path, item, text);
				free(text);
				return rc;
			}
			rc = task_context_set(c, name,
			    config_setting_get_string(item), &e);
		}
	} else if (scalar && !config_setting_is_aggregate(v)) {
		text = setting_text(v);
		rc = task_context_set(c, name, text != NULL ? text : "?", &e);
		free(text);
	} else if (strcmp(name, "nice") == 0 ?
	    config_setting_type(v) != CONFIG_TYPE_INT :
	    config_setting_type(v) != CONFIG_TYPE_STRING) {
		text = xasprintf(strcmp(name, "nice") == 0 ?
		    _("\"%s\" must be a whole number") :
		    _("\"%s\" must be a string"), name);
		rc = file_error(err, path, v, text);
		free(text);
		return rc;
	} else {
		text = setting_text(v);
		rc = task_context_set(c, name, text, &e);
		free(text);
	}
	return rc != 0 ? file_error(err, path, v, e.msg) : 0;
}

/* What the context check depends on: the context and the program (the
 * task's id only names it in errors). */
static char *
context_key(const struct task_rec *t, const struct task_context *c)
{
	char *json = task_context_to_json(c), *key;
	size_t prog = strncmp(t->func_path, "exec:", 5) == 0 ?
	    strcspn(t->func_path, " \t") : strlen(t->func_path);

	key = xasprintf("%s\n%.*s", json != NULL ? json : "", (int)prog,
	    t->func_path);
	free(json);
	return key;
}

/* Checked once for a run of tasks with the same context and program (the
 * check reads the password database and searches PATH). */
static int
file_context(struct file_load *ld, const char *path, const config_setting_t *st,
	     const struct task_rec *t, struct task_context *c,
	     struct mgr_error *err)
{
	static const char *const keys[] = { "env", "env_file", "workdir",
	    "user", "group", "umask", "nice", "sandbox", "network",
	    "private_tmp", "read_only", "write", "ioprio", "limit_cpu",
	    "limit_memory", "limit_nofile", NULL };
	const config_setting_t *v;
	char *msg, *key;
	int rc;

	if (task_file_has_any(st, keys))
		for (size_t i = 0; keys[i] != NULL; i++)
			if ((v = config_setting_get_member(st, keys[i])) != NULL &&
			    (rc = file_context_key(path, v, c, err)) != 0)
				return rc;
	key = context_key(t, c);
	if (ld->ctx_ok != NULL && strcmp(ld->ctx_ok, key) == 0) {
		free(key);
		return 0;
	}
	if ((rc = task_context_check(ld->mgr, t->id, t->func_path, c, err)) != 0) {
		msg = xstrdup(err->msg);
		rc = file_error(err, path, st, msg);
		free(msg);
		free(key);
		return rc;
	}
	free(ld->ctx_ok);
	ld->ctx_ok = key;
	return 0;
}

/* A task id of another source is not the file's to take. */
static int
file_check_owner(const struct file_load *ld, const char *path,
		 const config_setting_t *st, const struct task_rec *t,
		 const struct task_rec *old, struct mgr_error *err)
{
	const char *source = old != NULL ? old->source :
	    id_set_get(&ld->added, t->id);
	char *msg;
	int rc;

	if (source == NULL || strcmp(source, t->source) == 0)
		return 0;
	msg = xasprintf(_("task \"%s\" already exists (source %s)"), t->id,
	    source);
	rc = file_error(err, path, st, msg);
	free(msg);
	return rc;
}

static int
file_parse_entry(struct file_load *ld, const char *path,
		 const config_setting_t *st, struct file_tasks *ft,
		 struct mgr_error *err)
{
	const struct task_rec *old = NULL;
	struct task_rec *t;
	char **fields;
	int rc;

	if (ft->n == ft->cap) {		/* doubling: no quadratic copying */
		ft->cap = ft->cap != 0 ? ft->cap * 2 : 16;
		ft->recs = xrealloc(ft->recs, ft->cap * sizeof *ft->recs);
		ft->fields = xrealloc(ft->fields, ft->cap * sizeof *ft->fields);
		ft->ctxs = xrealloc(ft->ctxs, ft->cap * sizeof *ft->ctxs);
		ft->hooks = xrealloc(ft->hooks, ft->cap * sizeof *ft->hooks);
	}
	task_context_init(&ft->ctxs[ft->n]);
	task_hooks_init(&ft->hooks[ft->n]);
	t = &ft->recs[ft->n];
	rc = file_task(path, st, t, &fields, err);
	ft->fields[ft->n++] = fields;
	if (rc == 0)
		old = load_row(ld, t->id);
	if (rc != 0 || (rc = file_context(ld, path, st, t, &ft->ctxs[ft->n - 1],
	    err)) != 0 || (rc = task_hooks_file(ld->mgr, path, st,
	    &ft->hooks[ft->n - 1], err)) != 0 ||
	    (rc = file_check_owner(ld, path, st, t, old, err)) != 0)
		return rc;
	fields = fields_with_anchor(fields, old);
	ft->fields[ft->n - 1] = fields;
	rc = task_prepare_zones(t, fields != NULL ? (const char *const *)fields :
	    (const char *const []){ NULL }, strv_len(fields), ld->zones, err);
	if (rc != 0) {
		char *msg = xstrdup(err->msg);
		rc = file_error(err, path, st, msg);
		free(msg);
	}
	if (old != NULL) {
		t->last_run = old->last_run;
		t->created_at = old->created_at;
		free(t->status);
		t->status = old->status != NULL ? xstrdup(old->status) : NULL;
	}
	return rc;
}

/* The first id defined twice in the file, or NULL. */
static const char *
file_twice(const struct file_tasks *ft)
{
	struct id_index x;
	const char *twice = NULL;

	id_index_build(&x, ft->recs, ft->n);
	for (size_t i = 1; twice == NULL && i < x.n; i++)
		if (strcmp(x.v[i - 1].id, x.v[i].id) == 0)
			twice = x.v[i].id;
	id_index_free(&x);
	return twice;
}

static int
file_parse(struct file_load *ld, const char *path, struct file_tasks *ft,
	   struct mgr_error *err)
{
	config_setting_t *list;
	config_t cfg;
	const char *twice;
	int rc = 0;

	memset(ft, 0, sizeof *ft);
	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		rc = mgr_error_set(err, MGR_EINVAL, "%s:%d: %s", path,
		    config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return rc;
	}
	list = config_lookup(&cfg, "tasks");
	if (list == NULL || !config_setting_is_aggregate(list))
		rc = mgr_error_set(err, MGR_EINVAL,
		    _("%s: expected tasks = ( { ... }, ... )"), path);
	for (int i = 0; rc == 0 && i < config_setting_length(list); i++) {
		config_setting_t *st = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(st))
			rc = file_error(err, path, st, _("a task is a group { ... }"));
		else
			rc = file_parse_entry(ld, path, st, ft, err);
	}
	if (rc == 0 && (twice = file_twice(ft)) != NULL)
		rc = mgr_error_set(err, MGR_EINVAL,
		    _("%s: task \"%s\" is defined twice"), path, twice);
	config_destroy(&cfg);
	if (rc != 0)
		file_tasks_free(ft);
	return rc;
}

static int
same_task(const struct task_rec *a, const struct task_rec *b)
{
	return strcmp(a->func_path, b->func_path) == 0 &&
	    strcmp(a->trigger, b->trigger) == 0 &&
	    strcmp(a->trigger_args, b->trigger_args) == 0 &&
	    strcmp(a->name != NULL ? a->name : a->id, b->name) == 0 &&
	    a->enabled == b->enabled && a->max_retries == b->max_retries &&
	    a->timeout == b->timeout &&
	    a->misfire_grace_time == b->misfire_grace_time &&
	    a->coalesce == b->coalesce && a->max_instances == b->max_instances &&
	    a->on_interrupt == b->on_interrupt;
}

/* The context is written only when it changed (writing it reschedules
 * the task). A task added by this load has none stored: not read again
 * (two reads a task were a tenth of a first load of 100,000). */
static int
file_apply_context(struct mgr *mgr, const char *id, const struct task_context *c,
		   int added, struct mgr_error *err)
{
	char *now = task_context_to_json(c), *stored = NULL;
	int same;

	if (added)
		same = now == NULL;
	else
		same = task_context_store_get(mgr->db, id, &stored, NULL) == 0 &&
		    (now == NULL || stored == NULL ? now == stored :
		    strcmp(stored, now) == 0);
	free(now);
	free(stored);
	return same ? 0 : taskmgr_set_context(mgr, id, c, err);
}

/* Brings the tasks of source "file:PATH" in line with ft (NULL: the file
 * is gone), against the rows as they were when the loading began. */

/* ---- reading: every file parsed and compared, nothing written ---- */

/* One file of the directory, as read. */
struct file_plan {
	char *path, *source;
	int rc;			/* the file is refused: err says where */
	struct mgr_error err;
	struct file_tasks ft;
	char *skip;		/* per task: row, context and hooks unchanged */
	size_t *gone, ngone;	/* rows (of all) of the file's tasks that left it */
};

struct files_plan {
	struct file_load ld;
	int rc;			/* the rows could not be read */
	struct mgr_error err;
	struct file_plan *files;
	size_t nfiles;
	size_t *gone, ngone;	/* rows of files that went away */
	size_t next_file, next_gone;	/* applying: where it is */
	int failed;		/* files refused so far */
	struct mgr_error first;	/* the first of them */
	struct files_plan_stats stats;
};

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int
same_json(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Nothing of task i to write: its row, its context and its hooks are
 * as stored (hooks only when it has none: their check reads the rest of
 * the graph, which this loading may change). */
static int
file_task_unchanged(const struct file_load *ld, const struct file_tasks *ft,
		    size_t i)
{
	const struct task_rec *t = &ft->recs[i], *old = load_row(ld, t->id);
	const struct task_hooks *h = &ft->hooks[i];
	char *now, *stored = NULL;
	int same;

	if (old == NULL || !same_task(t, old) || h->after != NULL ||
	    h->after_any != NULL)
		return 0;
	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (h->on[e] != NULL)
			return 0;
	now = task_context_to_json(&ft->ctxs[i]);
	same = task_context_store_get(ld->db, t->id, &stored, NULL) == 0 &&
	    same_json(now, stored);
	free(now);
	free(stored);
	if (!same || task_hooks_store_get(ld->db, t->id, &stored, NULL) != 0)
		return 0;
	now = task_hooks_to_json(h);
	same = same_json(now, stored);
	free(now);
	free(stored);
	return same;
}

static void
file_plan_read(struct file_load *ld, const char *dir, const char *name,
	       struct file_plan *fp)
{
	int read;

	memset(fp, 0, sizeof *fp);
	fp->path = xasprintf("%s/%s", dir, name);
	fp->source = xasprintf("file:%s", fp->path);
	if ((fp->rc = file_parse(ld, fp->path, &fp->ft, &fp->err)) != 0)
		return;
	/* Its ids are the file's for the rest of the reading. */
	fp->skip = xcalloc(fp->ft.n + 1, 1);
	for (size_t i = 0; i < fp->ft.n; i++)
		id_set_put(&ld->added, fp->ft.recs[i].id, fp->ft.recs[i].source);
	/* The stored contexts and hooks in one read transaction: one lock
	 * of the shared WAL index per file, not two per task (the loop
	 * waits for that lock while another thread holds it). */
	read = db_read_begin(ld->db, NULL) == 0;
	for (size_t i = 0; i < fp->ft.n; i++)
		fp->skip[i] = (char)file_task_unchanged(ld, &fp->ft, i);
	if (read)
		db_read_end(ld->db);
}

static int
plan_source_cmp(const void *a, const void *b)
{
	return strcmp((*(struct file_plan *const *)a)->source,
	    (*(struct file_plan *const *)b)->source);
}

static void
push_index(size_t **v, size_t *n, size_t i)
{
	if ((*n & (*n - 1)) == 0 || *n == 0)	/* 0, 1, 2, 4 ...: doubling */
		*v = xrealloc(*v, (*n == 0 ? 1 : 2 * *n) * sizeof **v);
	(*v)[(*n)++] = i;
}

/* Who loses which rows: a file read without error loses its tasks no
 * longer in it; a file that went away loses them all. */
static void
files_plan_gone(struct files_plan *p, const char *dir)
{
	struct file_load *ld = &p->ld;
	struct file_plan **read = xcalloc(p->nfiles + 1, sizeof *read), **hit;
	size_t nread = 0, dlen = strlen(dir);
	const char *seen = NULL;	/* the last source looked at ... */
	int there = 0;			/* ... and whether its file is */

	for (size_t f = 0; f < p->nfiles; f++)
		if (p->files[f].rc == 0)
			read[nread++] = &p->files[f];
	qsort(read, nread, sizeof *read, plan_source_cmp);
	for (size_t i = 0; i < ld->nall; i++) {
		const char *src = ld->all[i].source;
		struct file_plan key = { .source = (char *)src }, *kp = &key;

		if (src == NULL || strncmp(src, "file:", 5) != 0)
			continue;
		hit = nread > 0 ? bsearch(&kp, read, nread, sizeof *read,
		    plan_source_cmp) : NULL;
		if (hit != NULL) {
			if (id_set_get(&ld->added, ld->all[i].id) == NULL)
				push_index(&(*hit)->gone, &(*hit)->ngone, i);
			continue;
		}
		if (strncmp(src + 5, dir, dlen) != 0 || src[5 + dlen] != '/')
			continue;
		if (seen == NULL || strcmp(seen, src) != 0)
			there = access(src + 5, F_OK) == 0;
		seen = src;
		if (!there)
			push_index(&p->gone, &p->ngone, i);
	}
	free(read);
}

static int
cancelled(const int *cancel)
{
	return cancel != NULL && __atomic_load_n(cancel, __ATOMIC_RELAXED);
}

struct files_plan *
files_plan_read(struct mgr *mgr, struct mgr_db *db, const int *cancel)
{
	struct files_plan *p = xcalloc(1, sizeof *p);
	const char *dir = mgr->conf->tasks_directory;
	struct dirent **names;
	int n;

	p->ld.mgr = mgr;
	p->ld.db = db;
	if (dir == NULL || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return p;	/* no folder, no declarative tasks */
	p->ld.zones = tz_cache_new();
	if ((p->rc = task_store_list(db, &p->ld.all, &p->ld.nall, &p->err)) == 0)
		id_index_build(&p->ld.byid, p->ld.all, p->ld.nall);
	p->files = xcalloc((size_t)n + 1, sizeof *p->files);
	for (int i = 0; i < n; i++) {
		if (p->rc == 0 && !cancelled(cancel) &&
		    has_suffix(names[i]->d_name, ".conf"))
			file_plan_read(&p->ld, dir, names[i]->d_name,
			    &p->files[p->nfiles++]);
		free(names[i]);
	}
	free(names);
	if (p->rc == 0 && !cancelled(cancel))
		files_plan_gone(p, dir);
	p->stats.files = p->nfiles;
	return p;
}

/* ---- applying, on the loop thread, a file at a time ---- */

/* Brings the tasks of one file in line with what was read, against the
 * rows as they were when the reading began: in one transaction, so a
 * file that fails here keeps its tasks as they were. */
static int
file_plan_write(struct files_plan *p, const struct file_plan *fp,
		struct mgr_error *err)
{
	struct mgr *mgr = p->ld.mgr;
	const struct task_rec *old;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < fp->ngone; i++)
		rc = taskmgr_remove(mgr, p->ld.all[fp->gone[i]].id, err);
	for (size_t i = 0; rc == 0 && i < fp->ft.n; i++) {
		struct task_rec *t = &fp->ft.recs[i];
		if (fp->skip[i])
			continue;
		if ((old = load_row(&p->ld, t->id)) == NULL)
			rc = taskmgr_add(mgr, t, NULL, 0, err);
		else if (!same_task(t, old)) {
			rc = taskmgr_modify(mgr, t, NULL, 0, err);
			/* A pause or resume by hand (task pause --force) lasts
			 * until here: the file wins. */
			if (rc == 0 && old->enabled != t->enabled)
				rc = t->enabled ? taskmgr_resume(mgr, t->id, err) :
				    taskmgr_pause(mgr, t->id, err);
		}
		if (rc == 0)
			rc = file_apply_context(mgr, t->id, &fp->ft.ctxs[i],
			    old == NULL, err);
	}
	/* Dependencies once every task of the file exists; a task added by
	 * this load without any has nothing stored to compare or clear. */
	for (size_t i = 0; rc == 0 && i < fp->ft.n; i++)
		if (!fp->skip[i] && !(task_hooks_empty(&fp->ft.hooks[i]) &&
		    load_row(&p->ld, fp->ft.recs[i].id) == NULL) &&
		    ((rc = task_hooks_check(mgr, fp->ft.recs[i].id,
		    &fp->ft.hooks[i], err)) != 0 || (rc = task_hooks_put(mgr,
		    fp->ft.recs[i].id, &fp->ft.hooks[i], err)) != 0))
			mgr_error_prefix(err, "%s", fp->path);
	return rc;
}

static int
file_plan_apply(struct files_plan *p, const struct file_plan *fp,
		struct mgr_error *err)
{
	struct mgr *mgr = p->ld.mgr;
	int rc, todo = fp->ngone > 0;

	if (fp->rc != 0) {
		*err = fp->err;
		return fp->rc;
	}
	for (size_t i = 0; i < fp->ft.n; i++)
		if (fp->skip[i])
			p->stats.unchanged++;
		else
			todo = 1;
	p->stats.tasks += fp->ft.n;
	p->stats.removed += fp->ngone;
	if (!todo)
		return 0;
	if ((rc = db_begin(mgr->db, err)) != 0)
		return rc;
	if ((rc = file_plan_write(p, fp, err)) == 0)
		return db_commit(mgr->db, err);
	db_rollback(mgr->db);
	return rc;
}

#define GONE_SLICE 64	/* removals of files that went, between clock reads */

int
files_plan_apply(struct files_plan *p, int64_t budget_us)
{
	struct mgr *mgr = p->ld.mgr;
	struct mgr_error one = { 0 };
	int64_t start = mgr_now_us();
	size_t gone0 = p->next_gone;

	if (p->rc != 0)
		return 1;
	p->stats.slices++;
	do {
		if (p->next_file < p->nfiles) {
			if (file_plan_apply(p, &p->files[p->next_file++], &one) != 0) {
				log_error(&mgr->log, "%s", one.msg);
				if (p->failed++ == 0)
					p->first = one;
			}
			continue;
		}
		for (int k = 0; k < GONE_SLICE && p->next_gone < p->ngone; k++)
			if (taskmgr_remove(mgr, p->ld.all[p->gone[p->next_gone++]].id,
			    &one) != 0 && p->failed++ == 0)
				p->first = one;
	} while ((p->next_file < p->nfiles || p->next_gone < p->ngone) &&
	    mgr_now_us() - start < budget_us);
	if (mgr_now_us() - start > p->stats.longest_us)
		p->stats.longest_us = mgr_now_us() - start;
	p->stats.removed += p->next_gone - gone0;
	return p->next_file == p->nfiles && p->next_gone == p->ngone;
}

int
files_plan_result(const struct files_plan *p, struct mgr_error *err)
{
	if (p->rc != 0) {
		*err = p->err;
		return p->rc;
	}
	if (p->failed)
		*err = p->first;
	return p->failed ? MGR_EINVAL : 0;
}

const struct files_plan_stats *
files_plan_stats(const struct files_plan *p)
{
	return &p->stats;
}

void
files_plan_free(struct files_plan *p)
{
	if (p == NULL)
		return;
	for (size_t f = 0; f < p->nfiles; f++) {
		file_tasks_free(&p->files[f].ft);
		free(p->files[f].path);
		free(p->files[f].source);
		free(p->files[f].skip);
		free(p->files[f].gone);
	}
	free(p->files);
	free(p->gone);
	task_recs_free(p->ld.all, p->ld.nall);
	id_index_free(&p->ld.byid);
	free(p->ld.added.ids);
	free(p->ld.added.sources);
	free(p->ld.ctx_ok);
	tz_cache_free(p->ld.zones);
	free(p);
}

/* At start-up, and where no engine runs: read and apply at once. */
int
sched_load_files(struct mgr *mgr, struct mgr_error *err)
{
	struct files_plan *p = files_plan_read(mgr, mgr->db, NULL);
	int rc;

	files_plan_apply(p, INT64_MAX);
	rc = files_plan_result(p, err);
	files_plan_free(p);
	malloc_trim(0);		/* the parse's memory back to the system */
	return rc;
}
