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
#include "trigger.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const task_keys[] = { "id", "func", "trigger", "name",
	"enabled", "max_retries", "timeout", "misfire_grace_time", "coalesce",
	"max_instances", "on_interrupt", "env", "env_file", "workdir", "user",
	"group", "umask", "nice", NULL };

static int
is_task_key(const char *name)
{
	for (size_t i = 0; task_keys[i] != NULL; i++)
		if (strcmp(task_keys[i], name) == 0)
			return 1;
	return 0;
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

/* A file's tasks, parsed and checked before anything is written. */
struct file_tasks {
	struct task_rec *recs;
	char ***fields;
	struct task_context *ctxs;
	size_t n;
};

static void
file_tasks_free(struct file_tasks *ft)
{
	for (size_t i = 0; i < ft->n; i++) {
		strv_free(ft->fields[i]);
		task_context_clear(&ft->ctxs[i]);
	}
	task_recs_free(ft->recs, ft->n);
	free(ft->fields);
	free(ft->ctxs);
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

	if (strcmp(name, "env") == 0 && config_setting_is_aggregate(v)) {
		for (int i = 0; rc == 0 && i < config_setting_length(v); i++) {
			const config_setting_t *item =
			    config_setting_get_elem(v, (unsigned)i);
			if (config_setting_type(item) != CONFIG_TYPE_STRING)
				return file_error(err, path, item,
				    _("env: expected \"NAME=VALUE\" strings"));
			rc = task_context_set(c, "env",
			    config_setting_get_string(item), &e);
		}
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

static int
file_context(struct mgr *mgr, const char *path, const config_setting_t *st,
	     const struct task_rec *t, struct task_context *c,
	     struct mgr_error *err)
{
	static const char *const keys[] = { "env", "env_file", "workdir",
	    "user", "group", "umask", "nice", NULL };
	const config_setting_t *v;
	char *msg;
	int rc;

	for (size_t i = 0; keys[i] != NULL; i++)
		if ((v = config_setting_get_member(st, keys[i])) != NULL &&
		    (rc = file_context_key(path, v, c, err)) != 0)
			return rc;
	if ((rc = task_context_check(mgr, t->id, t->func_path, c, err)) != 0) {
		msg = xstrdup(err->msg);
		rc = file_error(err, path, st, msg);
		free(msg);
	}
	return rc;
}

static int
file_check_owner(struct mgr *mgr, const char *path, const config_setting_t *st,
		 struct task_rec *t, struct task_rec *old, struct mgr_error *err)
{
	char *msg;
	int rc;

	memset(old, 0, sizeof *old);
	rc = task_store_read(mgr->db, t->id, old, err);
	if (rc == MGR_ENOENT) {
		mgr_error_clear(err);
		return 0;
	}
	if (rc != 0)
		return rc;
	if (old->source != NULL && strcmp(old->source, t->source) == 0)
		return 0;
	msg = xasprintf(_("task \"%s\" already exists (source %s)"), t->id,
	    old->source);
	rc = file_error(err, path, st, msg);
	free(msg);
	task_rec_clear(old);
	return rc;
}

static int
file_parse_entry(struct mgr *mgr, const char *path, const config_setting_t *st,
		 struct file_tasks *ft, struct mgr_error *err)
{
	struct task_rec *t, old;
	char **fields;
	int rc;

	ft->recs = xrealloc(ft->recs, (ft->n + 1) * sizeof *ft->recs);
	ft->fields = xrealloc(ft->fields, (ft->n + 1) * sizeof *ft->fields);
	ft->ctxs = xrealloc(ft->ctxs, (ft->n + 1) * sizeof *ft->ctxs);
	task_context_init(&ft->ctxs[ft->n]);
	t = &ft->recs[ft->n];
	rc = file_task(path, st, t, &fields, err);
	ft->fields[ft->n++] = fields;
	if (rc != 0 || (rc = file_context(mgr, path, st, t, &ft->ctxs[ft->n - 1],
	    err)) != 0 || (rc = file_check_owner(mgr, path, st, t, &old,
	    err)) != 0)
		return rc;
	fields = fields_with_anchor(fields, old.id != NULL ? &old : NULL);
	ft->fields[ft->n - 1] = fields;
	rc = task_prepare(t, fields != NULL ? (const char *const *)fields :
	    (const char *const []){ NULL }, strv_len(fields), err);
	if (rc != 0) {
		char *msg = xstrdup(err->msg);
		rc = file_error(err, path, st, msg);
		free(msg);
	}
	if (old.id != NULL) {
		t->last_run = old.last_run;
		t->created_at = old.created_at;
		free(t->status);
		t->status = old.status;
		old.status = NULL;
	}
	task_rec_clear(&old);
	return rc;
}

static int
file_parse(struct mgr *mgr, const char *path, struct file_tasks *ft,
	   struct mgr_error *err)
{
	config_setting_t *list;
	config_t cfg;
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
			rc = file_parse_entry(mgr, path, st, ft, err);
	}
	for (size_t i = 0; rc == 0 && i < ft->n; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(ft->recs[i].id, ft->recs[k].id) == 0)
				rc = mgr_error_set(err, MGR_EINVAL,
				    _("%s: task \"%s\" is defined twice"), path,
				    ft->recs[i].id);
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

static int
file_in_list(const struct file_tasks *ft, const char *id)
{
	for (size_t i = 0; i < ft->n; i++)
		if (strcmp(ft->recs[i].id, id) == 0)
			return 1;
	return 0;
}

/* Brings the tasks of source "file:PATH" in line with ft (NULL: the file
 * is gone). */
static int
file_apply(struct mgr *mgr, const char *source, struct file_tasks *ft,
	   struct task_rec *all, size_t nall, struct mgr_error *err)
{
	struct task_rec old;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < nall; i++)
		if (all[i].source != NULL && strcmp(all[i].source, source) == 0 &&
		    (ft == NULL || !file_in_list(ft, all[i].id)))
			rc = taskmgr_remove(mgr, all[i].id, err);
	for (size_t i = 0; rc == 0 && ft != NULL && i < ft->n; i++) {
		struct task_rec *t = &ft->recs[i];
		memset(&old, 0, sizeof old);
		if (task_store_read(mgr->db, t->id, &old, NULL) != 0)
			rc = taskmgr_add(mgr, t, NULL, 0, err);
		else if (!same_task(t, &old)) {
			rc = taskmgr_modify(mgr, t, NULL, 0, err);
			/* A pause or resume by hand (task pause --force) lasts
			 * until here: the file wins. */
			if (rc == 0 && old.enabled != t->enabled)
				rc = t->enabled ? taskmgr_resume(mgr, t->id, err) :
				    taskmgr_pause(mgr, t->id, err);
		}
		task_rec_clear(&old);
		if (rc == 0)
			rc = taskmgr_set_context(mgr, t->id, &ft->ctxs[i], err);
	}
	return rc;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int
file_sync_one(struct mgr *mgr, const char *path, struct task_rec *all,
	      size_t nall, struct mgr_error *err)
{
	struct file_tasks ft;
	char *source = xasprintf("file:%s", path);
	int rc;

	if ((rc = file_parse(mgr, path, &ft, err)) == 0) {
		if ((rc = db_begin(mgr->db, err)) == 0) {
			rc = file_apply(mgr, source, &ft, all, nall, err);
			if (rc == 0)
				rc = db_commit(mgr->db, err);
			else
				db_rollback(mgr->db);
		}
		file_tasks_free(&ft);
	}
	free(source);
	return rc;
}

/* Files that went away take their tasks with them. */
static int
file_sync_gone(struct mgr *mgr, const char *dir, struct task_rec *all,
	       size_t nall, struct mgr_error *err)
{
	size_t dlen = strlen(dir);
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < nall; i++) {
		const char *src = all[i].source;
		if (src == NULL || strncmp(src, "file:", 5) != 0 ||
		    strncmp(src + 5, dir, dlen) != 0 || src[5 + dlen] != '/' ||
		    access(src + 5, F_OK) == 0)
			continue;
		rc = taskmgr_remove(mgr, all[i].id, err);
	}
	return rc;
}

int
sched_load_files(struct mgr *mgr, struct mgr_error *err)
{
	const char *dir = mgr->conf->tasks_directory;
	struct mgr_error one = { 0 };
	struct task_rec *all;
	struct dirent **names;
	size_t nall;
	int n, rc, failed = 0;

	if (dir == NULL || (n = scandir(dir, &names, NULL, alphasort)) < 0)
		return 0;	/* no folder, no declarative tasks */
	if ((rc = task_store_list(mgr->db, &all, &nall, err)) != 0)
		n = 0;
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		if (has_suffix(names[i]->d_name, ".conf") &&
		    file_sync_one(mgr, path, all, nall, &one) != 0) {
			log_error(&mgr->log, "%s", one.msg);
			if (failed++ == 0)
				*err = one;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	if (rc == 0 && file_sync_gone(mgr, dir, all, nall, &one) != 0 &&
	    failed++ == 0)
		*err = one;
	if (rc == 0)
		task_recs_free(all, nall);
	return rc != 0 ? rc : failed ? MGR_EINVAL : 0;
}

int
scheduler_reload_files(struct mgr *mgr, struct mgr_error *err)
{
	return sched_load_files(mgr, err);
}
