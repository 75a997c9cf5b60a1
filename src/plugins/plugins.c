/* plugins.c - install, enable, disable, uninstall; loaded plugins. */
#include "i18n.h"
#include "fault.h"
#include "functions.h"
#include "host_worker.h"
#include "installer.h"
#include "loader.h"
#include "manager.h"
#include "manifest.h"
#include "plugin_host.h"
#include "plugins.h"
#include "reloader.h"
#include "scheduler.h"
#include "snapshot.h"
#include "util.h"
#include "validator.h"

#include <errno.h>
#include <glob.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLUGINS_MAX_DEPTH 16


/* A plugin live in this process: loaded here (lp, host; sandboxing =
 * false), or served by its confined host worker (hw; sandboxing = true,
 * the library is never mapped here). */
struct plugin_live {
	char *id;
	struct loaded_plugin *lp;
	struct plugin_host *host;
	struct host_worker *hw;
};

/* An enable, disable or reload whose host workers answer later (the
 * *_later functions): the loop goes on meanwhile, and done hears. */
struct plugin_op {
	struct mgr *mgr;
	char *id;			/* the plugin the command names */
	char **chain;			/* enable: ids, dependencies first */
	size_t at;
	struct host_worker *starting;	/* its on_enable awaited */
	struct host_worker **stopping;	/* their on_disable awaited */
	size_t nstopping;
	int stops;			/* of those, not over yet */
	int over;			/* its own steps are done: rc, err */
	int rc;
	struct mgr_error err;
	plugins_done_fn done;
	void *arg;
	struct plugin_op *next;		/* plugins->ops */
};

struct plugins {
	struct plugin_live *v;
	size_t n;
	struct funcs_cache *funcs;	/* the plugins' task functions */
	struct plugin_op *ops;		/* under way */
	struct plugin_op *collecting;	/* a disable's: takes the workers
					 * live_unload stops */
};

static void op_stop(struct plugin_op *op, struct host_worker *hw);

struct funcs_cache *
plugins_funcs_cache(struct mgr *mgr)
{
	return mgr->plugins != NULL ? mgr->plugins->funcs : NULL;
}

/* rec's row changed or its code starts: its functions are listed again
 * (off the loop) for the checks of `task add`. */
static void
funcs_refresh(struct mgr *mgr, const char *id)
{
	struct plugin_rec rec = { 0 };

	if (plugins_funcs_cache(mgr) != NULL &&
	    plugin_store_read(mgr->db, id, &rec, NULL) == 0)
		funcs_cache_refresh(mgr->plugins->funcs, &rec);
	plugin_rec_clear(&rec);
}

static void
tell_scheduler(struct mgr *mgr, const char *task_id)
{
	if (mgr->sched != NULL)
		scheduler_task_changed(mgr, task_id);
}

static struct plugin_live *
live_find(struct mgr *mgr, const char *id)
{
	if (mgr->plugins == NULL)
		return NULL;
	for (size_t i = 0; i < mgr->plugins->n; i++)
		if (strcmp(mgr->plugins->v[i].id, id) == 0)
			return &mgr->plugins->v[i];
	return NULL;
}

struct loaded_plugin *
plugins_loaded(struct mgr *mgr, const char *id)
{
	struct plugin_live *l = live_find(mgr, id);

	return l != NULL ? l->lp : NULL;
}

int
plugins_live(struct mgr *mgr, const char *id)
{
	return live_find(mgr, id) != NULL;
}

struct plugin_host *
plugins_host(struct mgr *mgr, const char *id)
{
	struct plugin_live *l = live_find(mgr, id);

	return l != NULL ? l->host : NULL;
}

char *
plugin_rec_library(const struct plugin_rec *rec)
{
	json_t *m = json_loads(rec->manifest != NULL ? rec->manifest : "{}", 0, NULL);
	const char *lib = json_string_value(json_object_get(m, "library"));
	char *path = xasprintf("%s/%s", rec->path, lib != NULL ? lib : "");

	json_decref(m);
	return path;
}

static void
live_add(struct mgr *mgr, struct plugin_live *l, const char *id)
{
	l->id = xstrdup(id);
	mgr->plugins->v = xrealloc(mgr->plugins->v,
	    (mgr->plugins->n + 1) * sizeof *mgr->plugins->v);
	mgr->plugins->v[mgr->plugins->n++] = *l;
}

/* sandboxing = true: on_enable runs in the plugin's host worker, under
 * the permissions of its manifest; nothing of it is loaded here. */
static int
live_start_worker(struct mgr *mgr, const struct plugin_rec *rec,
		  struct mgr_error *err)
{
	char *lib = plugin_rec_library(rec);
	struct plugin_live l = { 0 };
	int rc = hostw_start(mgr, rec->id, lib, &l.hw, err);

	free(lib);
	if (rc == 0)
		live_add(mgr, &l, rec->id);
	return rc;
}

/* Loads rec into this process and calls on_enable (sandboxing = false),
 * or starts its host worker. */
static int
live_load(struct mgr *mgr, const struct plugin_rec *rec, struct mgr_error *err)
{
	char *lib, *cache;
	struct plugin_live l = { 0 };
	const struct mgr_plugin_def *def;
	int rc, ok;

	funcs_cache_refresh(plugins_funcs_cache(mgr), rec);
	if (mgr->conf->sandboxing)
		return live_start_worker(mgr, rec, err);
	lib = plugin_rec_library(rec);
	cache = xstrdup(mgr->conf->cache_directory);
	rc = loader_load_cached(lib, rec->id, cache, &l.lp, err);
	free(cache);
	free(lib);
	if (rc != 0)
		return rc;
	l.host = plugin_host_new_db(mgr->db, &mgr->log, rec->id, rec->manifest);
	def = loader_def(l.lp);
	if (def->on_enable != NULL &&
	    (ok = def->on_enable(plugin_host_handle(l.host))) != 0) {
		plugin_host_free(l.host);
		loader_unload(l.lp);
		return mgr_error_set(err, MGR_EINVAL, _("plugin %s: on_enable "
		    "refused (returned %d)"), rec->id, ok);
	}
	live_add(mgr, &l, rec->id);
	return 0;
}

/* on_disable, then unload. */
static void
live_unload(struct mgr *mgr, const char *id)
{
	struct plugin_live *l = live_find(mgr, id);
	const struct mgr_plugin_def *def;
	size_t at;

	if (l == NULL)
		return;
	if (l->hw != NULL && mgr->plugins->collecting != NULL)
		op_stop(mgr->plugins->collecting, l->hw);  /* answered later */
	else if (l->hw != NULL)
		hostw_stop(l->hw);	/* on_disable there */
	else {
		def = loader_def(l->lp);
		if (def->on_disable != NULL)
			def->on_disable(plugin_host_handle(l->host));
		plugin_host_free(l->host);
		loader_unload(l->lp);
	}
	free(l->id);
	at = (size_t)(l - mgr->plugins->v);
	memmove(l, l + 1, (mgr->plugins->n - at - 1) * sizeof *l);
	mgr->plugins->n--;
}

/* Marks id disabled or faulted with why, in one transaction. */
static void
record_failure(struct mgr *mgr, const char *id, const struct mgr_error *why)
{
	const char *state = why->code == MGR_EPLUGIN || why->code == MGR_ETIMEOUT ?
	    "faulted" : "disabled";

	if (db_begin(mgr->db, NULL) != 0)
		return;
	if (plugin_store_set_state(mgr->db, id, state, why->msg, NULL) != 0 ||
	    mgr_event(mgr, "plugin.enable_failed", id, NULL, "%s", why->msg) != 0 ||
	    db_commit(mgr->db, NULL) != 0)
		db_rollback(mgr->db);
}

static int plugin_enable(struct mgr *mgr, const char *id, int depth,
			 const struct manifest *known,
			 struct mgr_error *err);

/* d, a dependency of rec: installed, in a version d accepts; *enabled
 * whether it is. */
static int
dep_check(struct mgr *mgr, const struct plugin_rec *rec,
	  const struct dep_spec *d, int *enabled, struct mgr_error *err)
{
	struct plugin_rec dep = { 0 };
	struct semver v;
	int rc = 0;

	if (plugin_store_read(mgr->db, d->id, &dep, NULL) != 0)
		return mgr_error_set(err, MGR_ENOENT, _("plugin %s needs %s %s, "
		    "which is not installed"), rec->id, d->id, d->text);
	if (version_parse(dep.version, 1, &v, NULL) != 0 ||
	    !constraint_match(&d->c, &v))
		rc = mgr_error_set(err, MGR_ECONFLICT, _("plugin %s needs %s %s, "
		    "but version %s is installed"), rec->id, d->id, d->text,
		    dep.version);
	*enabled = dep.enabled;
	plugin_rec_clear(&dep);
	return rc;
}

static int
enable_deps(struct mgr *mgr, const struct plugin_rec *rec, int depth,
	    struct mgr_error *err)
{
	struct dep_spec *deps;
	size_t n;
	int rc;

	if ((rc = deps_from_json(rec->dependencies, &deps, &n, err)) != 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		int on = 0;

		if ((rc = dep_check(mgr, rec, &deps[i], &on, err)) == 0 && !on &&
		    (rc = plugin_enable(mgr, deps[i].id, depth + 1, NULL, err)) != 0)
			mgr_error_prefix(err, _("plugin %s needs %s"), rec->id,
			    deps[i].id);
	}
	free(deps);
	return rc;
}

/* For mgr_plugin_enable_later: the plugins to enable, dependencies
 * first, checked as enable_deps checks them (a failure is recorded as
 * there). */
static int
enable_chain(struct mgr *mgr, const char *id, int depth, char ***chain,
	     struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	struct dep_spec *deps = NULL;
	size_t n = 0;
	int rc, on = 0;

	if (depth > PLUGINS_MAX_DEPTH)
		return mgr_error_set(err, MGR_EINVAL, _("plugin %s: dependencies "
		    "nest deeper than %d levels"), id, PLUGINS_MAX_DEPTH);
	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) != 0)
		return rc;
	if (rec.enabled || strv_has(*chain, id)) {
		plugin_rec_clear(&rec);
		return 0;
	}
	rc = deps_from_json(rec.dependencies, &deps, &n, err);
	for (size_t i = 0; i < n && rc == 0; i++)
		if ((rc = dep_check(mgr, &rec, &deps[i], &on, err)) == 0 && !on &&
		    (rc = enable_chain(mgr, deps[i].id, depth + 1, chain,
		    err)) != 0)
			mgr_error_prefix(err, _("plugin %s needs %s"), id,
			    deps[i].id);
	if (rc != 0)
		record_failure(mgr, id, err);
	else
		*chain = strv_push(*chain, id);
	free(deps);
	plugin_rec_clear(&rec);
	return rc;
}

/* The manifest's default tasks, created once (an existing row wins).
 * known is the manifest an install just validated, or NULL: then
 * plugin.conf is read here. */
static int
create_default_tasks(struct mgr *mgr, const struct plugin_rec *rec,
		     const struct manifest *known, char ***created,
		     struct mgr_error *err)
{
	struct mgr_problems p = { 0 };
	struct manifest loaded = { 0 };
	const struct manifest *m = known;
	char *file = xasprintf("%s/%s", rec->path, MANIFEST_FILE);
	int rc = 0;

	if (m == NULL && manifest_load(rec->path, &loaded, &p, NULL) == 0)
		m = &loaded;	/* else validated at install: nothing to add */
	for (size_t i = 0; m != NULL && i < m->ntasks && rc == 0; i++) {
		struct manifest_task *mt = &m->tasks[i];
		struct task_rec t, old = { 0 };

		if (task_store_read(mgr->db, mt->id, &old, NULL) == 0) {
			task_rec_clear(&old);
			continue;
		}
		if ((rc = manifest_task_rec(rec->id, mt, &t, err)) == 0 &&
		    (rc = task_store_create(mgr->db, &t, err)) == 0)
			*created = strv_push(*created, mt->id);
		if (rc != 0)
			mgr_error_prefix(err, "%s:%d", file, mt->line);
		task_rec_clear(&t);
	}
	free(file);
	manifest_clear(&loaded);
	problems_free(&p);
	return rc;
}

static int
record_enabled(struct mgr *mgr, struct plugin_rec *rec,
	       const struct manifest *known, char ***created,
	       struct mgr_error *err)
{
	int rc;

	if ((rc = db_begin(mgr->db, err)) != 0)
		return rc;
	free(rec->error);
	rec->error = NULL;
	free(rec->state);
	rec->state = xstrdup("enabled");
	rec->enabled = 1;
	if ((rc = plugin_store_update(mgr->db, rec, err)) == 0 &&
	    (rc = create_default_tasks(mgr, rec, known, created, err)) == 0 &&
	    (rc = mgr_event(mgr, "plugin.enabled", rec->id, err, _("%s %s "
	    "enabled"), rec->id, rec->version)) == 0)
		rc = db_commit(mgr->db, err);
	if (rc != 0) {
		db_rollback(mgr->db);
		strv_free(*created);
		*created = NULL;
	}
	return rc;
}

static int
enable_checked(struct mgr *mgr, struct plugin_rec *rec, int depth,
	       struct mgr_error *err)
{
	struct probe_opts o;
	char exe[PATH_MAX];
	int rc;

	installer_probe_opts(mgr, &o, exe);
	if ((rc = enable_deps(mgr, rec, depth, err)) != 0)
		return rc;
	/* With sandboxing, starting the host worker here probes as well. */
	if (o.exe != NULL && !(mgr->conf->sandboxing && mgr->plugins != NULL) &&
	    (rc = probe_plugin(&o, rec->path, 1, err)) != 0)
		return rc;
	if (mgr->plugins != NULL && live_find(mgr, rec->id) == NULL)
		rc = live_load(mgr, rec, err);
	return rc;
}

/* After the checks and the start (rc: theirs): the row, the default
 * tasks, the events, or the failure recorded. */
static int
enable_record(struct mgr *mgr, struct plugin_rec *rec, int rc,
	      const struct manifest *known, struct mgr_error *err)
{
	char **created = NULL;

	if (rc != 0)
		record_failure(mgr, rec->id, err);
	else if ((rc = record_enabled(mgr, rec, known, &created, err)) != 0) {
		live_unload(mgr, rec->id);
		record_failure(mgr, rec->id, err);
	}
	for (size_t i = 0; created != NULL && created[i] != NULL; i++)
		tell_scheduler(mgr, created[i]);
	if (rc == 0) {
		fault_clear(mgr, rec->id);  /* resumes what the breaker paused */
		plugins_emit(mgr, "plugin.enabled", rec->id, rec->version);
	}
	strv_free(created);
	return rc;
}

/* known: the manifest an install just validated (its id is id), or
 * NULL. */
static int
plugin_enable(struct mgr *mgr, const char *id, int depth,
	      const struct manifest *known, struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	int rc;

	if (depth > PLUGINS_MAX_DEPTH)
		return mgr_error_set(err, MGR_EINVAL, _("plugin %s: dependencies "
		    "nest deeper than %d levels"), id, PLUGINS_MAX_DEPTH);
	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) != 0)
		return rc;
	if (rec.enabled) {
		plugin_rec_clear(&rec);
		return 0;
	}
	rc = enable_record(mgr, &rec, enable_checked(mgr, &rec, depth, err),
	    known, err);
	plugin_rec_clear(&rec);
	return rc;
}

int
mgr_plugin_enable(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	return plugin_enable(mgr, id, 0, NULL, err);
}

/* Enabled plugins whose dependencies name id. */
static char **
enabled_dependents(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	struct plugin_rec *all;
	char **out = NULL;
	size_t n;

	if (plugin_store_list(mgr->db, &all, &n, err) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		struct dep_spec *deps;
		size_t nd;

		if (!all[i].enabled ||
		    deps_from_json(all[i].dependencies, &deps, &nd, NULL) != 0)
			continue;
		for (size_t k = 0; k < nd; k++)
			if (strcmp(deps[k].id, id) == 0) {
				out = strv_push(out, all[i].id);
				break;
			}
		free(deps);
	}
	plugin_recs_free(all, n);
	return out;
}

static int
disable_dependents(struct mgr *mgr, const char *id, int cascade, int depth,
		   struct mgr_error *err);

static void
tell_scheduler_tasks(struct mgr *mgr, const char *plugin_id)
{
	struct task_rec *tasks;
	size_t n;

	if (mgr->sched == NULL ||
	    task_store_list_by_plugin(mgr->db, plugin_id, &tasks, &n, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		tell_scheduler(mgr, tasks[i].id);
	task_recs_free(tasks, n);
}

static int
plugin_disable(struct mgr *mgr, const char *id, int cascade, int depth,
	       struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	int rc;

	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) != 0)
		return rc;
	if (!rec.enabled) {
		plugin_rec_clear(&rec);
		return 0;
	}
	if ((rc = disable_dependents(mgr, id, cascade, depth, err)) == 0 &&
	    (rc = db_begin(mgr->db, err)) == 0) {
		if ((rc = plugin_store_set_state(mgr->db, id, "disabled", NULL,
		    err)) == 0 && (rc = mgr_event(mgr, "plugin.disabled", id, err,
		    _("%s %s disabled"), id, rec.version)) == 0)
			rc = db_commit(mgr->db, err);
		if (rc != 0)
			db_rollback(mgr->db);
	}
	if (rc == 0) {
		plugins_emit(mgr, "plugin.disabled", id, rec.version);
		live_unload(mgr, id);
		tell_scheduler_tasks(mgr, id);
	}
	plugin_rec_clear(&rec);
	return rc;
}

static int
disable_dependents(struct mgr *mgr, const char *id, int cascade, int depth,
		   struct mgr_error *err)
{
	struct mgr_error lerr = { 0 };
	char **deps = enabled_dependents(mgr, id, &lerr);
	char *names;
	int rc = 0;

	if (lerr.code != 0)
		return mgr_error_set(err, lerr.code, "%s", lerr.msg);
	if (deps == NULL)
		return 0;
	if (!cascade || depth > PLUGINS_MAX_DEPTH) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; deps[i] != NULL; i++)
			strbuf_addf(&sb, "%s%s", i > 0 ? ", " : "", deps[i]);
		names = strbuf_detach(&sb);
		rc = mgr_error_set(err, MGR_ECONFLICT, _("cannot disable %s: "
		    "enabled plugins depend on it: %s (use --cascade to disable "
		    "them too)"), id, names);
		free(names);
	}
	for (size_t i = 0; rc == 0 && deps[i] != NULL; i++)
		rc = plugin_disable(mgr, deps[i], 1, depth + 1, err);
	strv_free(deps);
	return rc;
}

int
mgr_plugin_disable(struct mgr *mgr, const char *id, int cascade,
		   struct mgr_error *err)
{
	return plugin_disable(mgr, id, cascade, 0, err);
}

struct uninstall_rows {
	const struct plugin_rec *rec;
	int keep_tasks;
	char **removed;		/* task ids deleted */
};

static int
record_uninstall(struct mgr *mgr, void *arg, struct mgr_error *err)
{
	struct uninstall_rows *u = arg;
	struct task_rec *tasks = NULL;
	size_t n = 0;
	int rc = 0;

	if (!u->keep_tasks)
		rc = task_store_list_by_plugin(mgr->db, u->rec->id, &tasks, &n, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if ((rc = task_store_delete(mgr->db, tasks[i].id, err)) == 0)
			u->removed = strv_push(u->removed, tasks[i].id);
	if (rc == 0)
		rc = plugin_store_delete(mgr->db, u->rec->id, err);
	task_recs_free(tasks, n);
	return rc;
}

/* Removes the folder and the rows through the folder swap (snapshot.h):
 * a kill at any point leaves the plugin installed, files and row, or
 * gone, once recovery has run.  A folder outside plugins_directory (the
 * setting changed since the install) is removed after the commit. */
static int
remove_plugin(struct mgr *mgr, struct uninstall_rows *u, struct mgr_error *err)
{
	const struct plugin_rec *rec = u->rec;
	struct swap s;
	char *msg;
	int rc, elsewhere;

	if ((rc = swap_begin(mgr, rec->id, &s, err)) != 0)
		return rc;
	elsewhere = strcmp(rec->path, s.target) != 0;
	msg = xasprintf(_("%s %s uninstalled%s"), rec->id, rec->version,
	    u->keep_tasks ? _(" (tasks kept)") : "");
	s.remove = 1;
	rc = swap_commit(&s, "plugin.uninstalled", msg, record_uninstall, u, err);
	swap_end(&s);
	if (rc == 0 && elsewhere)
		rm_rf(rec->path, NULL);
	if (rc != 0) {
		strv_free(u->removed);
		u->removed = NULL;
	}
	free(msg);
	return rc;
}

int
mgr_plugin_uninstall(struct mgr *mgr, const char *id, int keep_tasks,
		     struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	struct uninstall_rows u = { &rec, keep_tasks, NULL };
	int rc;

	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) != 0)
		return rc;
	/* An uninstall can be undone with `manager snapshot restore`. */
	if ((rc = snapshot_create(mgr, id, "uninstall", NULL, err)) == 0 &&
	    (rc = plugin_disable(mgr, id, 0, 0, err)) == 0)
		rc = remove_plugin(mgr, &u, err);
	for (size_t i = 0; u.removed != NULL && u.removed[i] != NULL; i++)
		tell_scheduler(mgr, u.removed[i]);
	strv_free(u.removed);
	plugin_rec_clear(&rec);
	return rc;
}

/* An upgrade of a plugin loaded here swaps the image. */
static void
reload_upgraded(struct mgr *mgr, const char *id)
{
	struct plugin_rec rec = { 0 };
	struct mgr_error err = { 0 };

	if (live_find(mgr, id) == NULL ||
	    plugin_store_read(mgr->db, id, &rec, NULL) != 0)
		return;
	live_unload(mgr, id);
	if (live_load(mgr, &rec, &err) != 0)
		record_failure(mgr, id, &err);
	plugin_rec_clear(&rec);
}

int
plugins_live_reload(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	int rc;

	if (mgr->plugins == NULL)
		return 0;
	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) != 0)
		return rc;
	live_unload(mgr, id);
	rc = live_load(mgr, &rec, err);
	plugin_rec_clear(&rec);
	return rc;
}

/* A host worker on rec's files, started (on_enable) before the running
 * one stops (on_disable): a reload that fails leaves the running worker
 * serving, and the plugin's routes are not missing in between. */
static int
live_swap_worker(struct mgr *mgr, struct plugin_live *l,
		 const struct plugin_rec *rec, struct mgr_error *err)
{
	char *lib = plugin_rec_library(rec);
	struct host_worker *fresh, *old = l->hw;
	int rc = hostw_start(mgr, rec->id, lib, &fresh, err);

	free(lib);
	if (rc != 0)
		return rc;
	l->hw = fresh;
	hostw_stop(old);
	return 0;
}

int
plugins_live_swap(struct mgr *mgr, const char *id, int *unloaded,
		  struct mgr_error *err)
{
	struct plugin_live *l = live_find(mgr, id);
	struct plugin_rec rec = { 0 };
	int rc;

	*unloaded = 0;
	if (mgr->plugins == NULL)
		return 0;
	if (l == NULL || l->hw == NULL) {
		*unloaded = 1;
		return plugins_live_reload(mgr, id, err);
	}
	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) == 0) {
		funcs_cache_refresh(plugins_funcs_cache(mgr), &rec);
		rc = live_swap_worker(mgr, l, &rec, err);
	}
	plugin_rec_clear(&rec);
	return rc;
}

/* ---- enable, disable and reload answered later: the engine's loop
 * sends on_enable and on_disable to the host workers and goes on; the
 * command's result is recorded when they answer (or time out). */

int
plugins_later_ok(struct mgr *mgr)
{
	return mgr->plugins != NULL && mgr->loop != NULL &&
	    mgr->conf->sandboxing;
}

/* 1 when an operation under way concerns id. */
static int
op_busy(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	for (struct plugin_op *op = mgr->plugins->ops; op != NULL;
	    op = op->next)
		if (strcmp(op->id, id) == 0 || strv_has(op->chain, id)) {
			mgr_error_set(err, MGR_EBUSY, _("plugin %s: an enable, "
			    "disable or reload of it is under way; try again "
			    "when it is over"), id);
			return 1;
		}
	return 0;
}

static struct plugin_op *
op_new(struct mgr *mgr, const char *id, plugins_done_fn done, void *arg)
{
	struct plugin_op *op = xcalloc(1, sizeof *op);

	op->mgr = mgr;
	op->id = xstrdup(id);
	op->done = done;
	op->arg = arg;
	op->next = mgr->plugins->ops;
	mgr->plugins->ops = op;
	return op;
}

static void
op_free(struct plugin_op *op)
{
	struct plugin_op **p = &op->mgr->plugins->ops;

	while (*p != op)
		p = &(*p)->next;
	*p = op->next;
	strv_free(op->chain);
	free(op->stopping);
	free(op->id);
	free(op);
}

/* Everything it waited for is over: the caller hears. */
static void
op_maybe_finish(struct plugin_op *op)
{
	if (!op->over || op->stops > 0 || op->starting != NULL)
		return;
	op->done(op->arg, op->rc, &op->err);
	op_free(op);
}

/* Its own steps are done with rc: answered now (the result returned,
 * done never called) when nothing is awaited, else PLUGINS_LATER. */
static int
op_over(struct plugin_op *op, int rc, const struct mgr_error *err)
{
	op->over = 1;
	op->rc = rc;
	if (rc != 0 && err != &op->err)
		op->err = *err;
	if (op->stops > 0 || op->starting != NULL)
		return PLUGINS_LATER;
	op_free(op);
	return rc;
}

static void
op_stopped(void *arg, struct host_worker *hw, int rc, const char *error)
{
	struct plugin_op *op = arg;

	(void)rc;
	(void)error;		/* on_disable's failure is logged only */
	for (size_t i = 0; i < op->nstopping; i++)
		if (op->stopping[i] == hw)
			op->stopping[i] = NULL;
	hostw_discard(hw);
	op->stops--;
	op_maybe_finish(op);
}

/* A worker live_unload took out of the live list: stopped from the
 * loop, op waits for it. */
static void
op_stop(struct plugin_op *op, struct host_worker *hw)
{
	op->stopping = xrealloc(op->stopping,
	    (op->nstopping + 1) * sizeof *op->stopping);
	op->stopping[op->nstopping++] = hw;
	op->stops++;
	hostw_stop_later(hw, op_stopped, op);
}

static void enable_ready(void *arg, struct host_worker *hw, int rc,
			 const char *error);

/* The plugin chain[at]: its worker started (1: on_enable awaited), or
 * enabled already (0), or an error. */
static int
enable_step(struct plugin_op *op)
{
	struct mgr *mgr = op->mgr;
	const char *id = op->chain[op->at];
	struct plugin_rec rec = { 0 };
	char *lib;
	int rc;

	if ((rc = plugin_store_read(mgr->db, id, &rec, &op->err)) != 0)
		return rc;
	if (rec.enabled) {
		plugin_rec_clear(&rec);
		return 0;
	}
	/* Its dependencies were enabled before it: this only checks. */
	if ((rc = enable_deps(mgr, &rec, 0, &op->err)) == 0 &&
	    live_find(mgr, id) == NULL) {
		funcs_cache_refresh(plugins_funcs_cache(mgr), &rec);
		lib = plugin_rec_library(&rec);
		rc = hostw_start_later(mgr, id, lib, enable_ready, op,
		    &op->starting, &op->err);
		free(lib);
		if (rc == 0) {
			plugin_rec_clear(&rec);
			return 1;
		}
	}
	rc = enable_record(mgr, &rec, rc, NULL, &op->err);
	plugin_rec_clear(&rec);
	return rc;
}

/* The chain from at on: 1 when a worker's on_enable is awaited, else
 * the result (0, or the error in op->err). */
static int
enable_next(struct plugin_op *op)
{
	int rc;

	for (; op->chain[op->at] != NULL; op->at++)
		if ((rc = enable_step(op)) != 0)
			return rc;
	return 0;
}

/* A failure of chain[at], a dependency of the plugin asked for. */
static void
enable_dep_failed(struct plugin_op *op)
{
	const char *id = op->chain[op->at];

	if (strcmp(id, op->id) == 0)
		return;
	mgr_error_prefix(&op->err, _("plugin %s needs %s"), op->id, id);
	record_failure(op->mgr, op->id, &op->err);
}

static void
enable_ready(void *arg, struct host_worker *hw, int rc, const char *error)
{
	struct plugin_op *op = arg;
	struct mgr *mgr = op->mgr;
	struct plugin_rec rec = { 0 };
	struct plugin_live l = { .hw = hw };

	op->starting = NULL;
	if (rc != 0)
		mgr_error_set(&op->err, rc, "%s", error);
	else
		rc = plugin_store_read(mgr->db, op->chain[op->at], &rec, &op->err);
	if (rc == 0) {
		live_add(mgr, &l, rec.id);
		rc = enable_record(mgr, &rec, 0, NULL, &op->err);
	} else {
		hostw_discard(hw);
		record_failure(mgr, op->chain[op->at], &op->err);
	}
	plugin_rec_clear(&rec);
	if (rc == 0) {
		op->at++;
		if ((rc = enable_next(op)) == 1)
			return;		/* the next one's on_enable */
	}
	if (rc != 0)
		enable_dep_failed(op);
	op->over = 1;
	op->rc = rc;
	op_maybe_finish(op);
}

int
mgr_plugin_enable_later(struct mgr *mgr, const char *id, plugins_done_fn done,
			void *arg, struct mgr_error *err)
{
	struct plugin_op *op;
	char **chain = NULL;
	int rc;

	if (!plugins_later_ok(mgr))
		return mgr_plugin_enable(mgr, id, err);
	if (op_busy(mgr, id, err))
		return err->code;
	if ((rc = enable_chain(mgr, id, 0, &chain, err)) != 0 || chain == NULL)
		return rc;	/* refused, or enabled already */
	op = op_new(mgr, id, done, arg);
	op->chain = chain;
	if ((rc = enable_next(op)) == 1)
		return PLUGINS_LATER;
	if (rc != 0) {
		enable_dep_failed(op);
		*err = op->err;
	}
	return op_over(op, rc, err);	/* nothing awaited: answered now */
}

int
mgr_plugin_disable_later(struct mgr *mgr, const char *id, int cascade,
			 plugins_done_fn done, void *arg,
			 struct mgr_error *err)
{
	struct plugin_op *op;
	int rc;

	if (!plugins_later_ok(mgr))
		return mgr_plugin_disable(mgr, id, cascade, err);
	if (op_busy(mgr, id, err))
		return err->code;
	op = op_new(mgr, id, done, arg);
	mgr->plugins->collecting = op;
	rc = plugin_disable(mgr, id, cascade, 0, err);
	mgr->plugins->collecting = NULL;
	return op_over(op, rc, err);
}

/* The reload's new worker answered: it serves from now on, and the one
 * it replaces stops (its on_disable awaited). */
static void
swap_ready(void *arg, struct host_worker *hw, int rc, const char *error)
{
	struct plugin_op *op = arg;
	struct plugin_live *l = live_find(op->mgr, op->id);
	struct host_worker *old;

	op->starting = NULL;
	if (rc != 0) {
		hostw_discard(hw);
		mgr_error_set(&op->err, rc, "%s", error);
	} else if (l == NULL || l->hw == NULL)
		hostw_discard(hw);	/* disabled meanwhile (the breaker) */
	else {
		old = l->hw;
		l->hw = hw;
		op_stop(op, old);
	}
	op->over = 1;
	op->rc = rc;
	op_maybe_finish(op);
}

int
plugins_live_swap_later(struct mgr *mgr, const char *id, plugins_done_fn done,
			void *arg, struct mgr_error *err)
{
	struct plugin_live *l = plugins_later_ok(mgr) ? live_find(mgr, id) : NULL;
	struct plugin_rec rec = { 0 };
	struct plugin_op *op;
	char *lib;
	int rc;

	if (l == NULL || l->hw == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("plugin %s is not served "
		    "by a host worker here"), id);
	if ((rc = plugin_store_read(mgr->db, id, &rec, err)) != 0)
		return rc;
	funcs_cache_refresh(plugins_funcs_cache(mgr), &rec);
	lib = plugin_rec_library(&rec);
	op = op_new(mgr, id, done, arg);
	rc = hostw_start_later(mgr, id, lib, swap_ready, op, &op->starting, err);
	free(lib);
	plugin_rec_clear(&rec);
	return op_over(op, rc, err);
}

int
plugins_busy(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	return mgr->plugins != NULL && op_busy(mgr, id, err);
}

/* The engine stops: what is under way ends now, its callers told. */
static void
ops_abandon(struct mgr *mgr)
{
	while (mgr->plugins->ops != NULL) {
		struct plugin_op *op = mgr->plugins->ops;

		hostw_discard(op->starting);
		op->starting = NULL;
		for (size_t i = 0; i < op->nstopping; i++)
			hostw_discard(op->stopping[i]);
		op->nstopping = 0;
		op->stops = 0;
		if (!op->over) {
			op->over = 1;
			op->rc = mgr_error_set(&op->err, MGR_EBUSY, _("plugin %s: "
			    "the engine stopped before its host worker "
			    "answered"), op->id);
		}
		op_maybe_finish(op);
	}
}

int
mgr_plugin_install(struct mgr *mgr, const char *source, int flags,
		   char **installed_id, struct mgr_error *err)
{
	return mgr_plugin_install_from(mgr, source, NULL, flags, installed_id,
	    err);
}

int
mgr_plugin_install_from(struct mgr *mgr, const char *source, const char *repo,
			int flags, char **installed_id, struct mgr_error *err)
{
	struct install_result res;
	int rc;

	rc = installer_install_from(mgr, source, repo, ((flags & PLUGIN_INSTALL_FORCE) ?
	    INSTALL_FORCE : 0) | ((flags & PLUGIN_INSTALL_ACCEPT_PERMISSIONS) ?
	    INSTALL_ACCEPT_PERMISSIONS : 0), &res, err);
	if (rc != 0)
		return rc;
	funcs_refresh(mgr, res.id);
	if (res.old_version != NULL)
		reload_upgraded(mgr, res.id);
	if (mgr->conf->auto_enable && !(flags & PLUGIN_INSTALL_NO_ENABLE) &&
	    (rc = plugin_enable(mgr, res.id, 0, res.manifest, err)) != 0)
		mgr_error_prefix(err, _("installed %s %s, but enabling it failed"),
		    res.id, res.version);
	if (installed_id != NULL)
		*installed_id = xstrdup(res.id);
	install_result_clear(&res);
	return rc;
}

/* An install whose enable answers later: what its caller is told. */
struct install_wait {
	char *id, *version;
	plugins_done_fn done;
	void *arg;
};

static void
install_wait_free(struct install_wait *w)
{
	free(w->id);
	free(w->version);
	free(w);
}

/* The enable's outcome, said as mgr_plugin_install_from says it. */
static int
install_enabled_rc(const struct install_wait *w, int rc,
		   const struct mgr_error *in, struct mgr_error *out)
{
	if (out != in)
		*out = *in;
	if (rc != 0)
		mgr_error_prefix(out, _("installed %s %s, but enabling it "
		    "failed"), w->id, w->version);
	return rc;
}

static void
install_enabled(void *arg, int rc, const struct mgr_error *err)
{
	struct install_wait *w = arg;
	struct mgr_error said = { 0 };

	rc = install_enabled_rc(w, rc, err, &said);
	w->done(w->arg, rc, &said);
	install_wait_free(w);
}

int
mgr_plugin_install_later(struct mgr *mgr, const char *source, const char *repo,
			 int flags, char **installed_id, plugins_done_fn done,
			 void *arg, struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	struct install_wait *w;
	int rc;

	if (!mgr->conf->auto_enable || (flags & PLUGIN_INSTALL_NO_ENABLE) ||
	    !plugins_later_ok(mgr))
		return mgr_plugin_install_from(mgr, source, repo, flags,
		    installed_id, err);
	if ((rc = mgr_plugin_install_from(mgr, source, repo, flags |
	    PLUGIN_INSTALL_NO_ENABLE, installed_id, err)) != 0)
		return rc;
	if ((rc = plugin_store_read(mgr->db, *installed_id, &rec, err)) != 0)
		return rc;
	w = xcalloc(1, sizeof *w);
	w->id = xstrdup(rec.id);
	w->version = xstrdup(rec.version);
	w->done = done;
	w->arg = arg;
	plugin_rec_clear(&rec);
	rc = mgr_plugin_enable_later(mgr, w->id, install_enabled, w, err);
	if (rc == PLUGINS_LATER)
		return rc;
	rc = install_enabled_rc(w, rc, err, err);
	install_wait_free(w);
	return rc;
}

static int
start_one(struct mgr *mgr, struct plugin_rec *rec, struct mgr_error *err)
{
	struct mgr_error why = { 0 };
	struct probe_opts o;
	char exe[PATH_MAX];
	int rc = 0;

	/* With sandboxing, live_load runs the plugin confined and is its own
	 * probe; without, the probe child spares the engine a crash. */
	installer_probe_opts(mgr, &o, exe);
	if (!mgr->conf->sandboxing && o.exe != NULL)
		rc = probe_plugin(&o, rec->path, 1, &why);
	if (rc == 0)
		rc = live_load(mgr, rec, &why);
	if (rc != 0) {
		log_error(&mgr->log, "%s", why.msg);
		record_failure(mgr, rec->id, &why);
	}
	(void)err;
	return 0;
}

static void start_ready(void *arg, struct host_worker *hw, int rc,
			const char *error);

/* A plugin whose worker did not start at the engine's start is recorded
 * disabled or faulted; the scheduler, which started meanwhile with its
 * tasks waiting for it, marks them `disabled` as it does for a plugin
 * disabled by hand. */
static void
start_failed(struct mgr *mgr, const char *id, const struct mgr_error *why)
{
	log_error(&mgr->log, "%s", why->msg);
	record_failure(mgr, id, why);
	tell_scheduler_tasks(mgr, id);
}

/* The engine's start with host workers: the enabled plugins' workers
 * start one after another (dependencies first), each on_enable answered
 * from the loop, so that the scheduler, the control plane and the API
 * start meanwhile: a task that needs none of them fires on time. */
static int
start_next(struct plugin_op *op)
{
	struct mgr *mgr = op->mgr;
	struct mgr_error why = { 0 };
	struct plugin_rec rec = { 0 };
	char *lib;
	int rc;

	for (; op->chain[op->at] != NULL; op->at++) {
		const char *id = op->chain[op->at];

		if (plugin_store_read(mgr->db, id, &rec, NULL) != 0)
			continue;	/* uninstalled meanwhile */
		rc = !rec.enabled || live_find(mgr, id) != NULL ? 0 : 1;
		if (rc == 1) {
			funcs_cache_refresh(plugins_funcs_cache(mgr), &rec);
			lib = plugin_rec_library(&rec);
			rc = hostw_start_later(mgr, id, lib, start_ready, op,
			    &op->starting, &why) == 0 ? 1 : -1;
			free(lib);
		}
		plugin_rec_clear(&rec);
		if (rc == 1)
			return 1;
		if (rc == -1)
			start_failed(mgr, id, &why);
	}
	return 0;
}

/* chain[at]'s worker answered its on_enable (or failed): it serves,
 * unless its plugin was disabled or uninstalled meanwhile; then the
 * next. */
static void
start_ready(void *arg, struct host_worker *hw, int rc, const char *error)
{
	struct plugin_op *op = arg;
	struct mgr *mgr = op->mgr;
	const char *id = op->chain[op->at];
	struct plugin_rec rec = { 0 };
	struct plugin_live l = { .hw = hw };
	struct mgr_error why = { 0 };

	op->starting = NULL;
	if (rc != 0) {
		hostw_discard(hw);
		mgr_error_set(&why, rc, "%s", error);
		start_failed(mgr, id, &why);
	} else if (plugin_store_read(mgr->db, id, &rec, NULL) == 0 &&
	    rec.enabled && live_find(mgr, id) == NULL) {
		live_add(mgr, &l, id);
		reloader_resync(mgr);	/* hot reload watches it now */
	} else
		hostw_discard(hw);
	plugin_rec_clear(&rec);
	op->at++;
	if (start_next(op) == 1)
		return;
	op->over = 1;
	op_maybe_finish(op);
}

static void
start_over(void *arg, int rc, const struct mgr_error *err)
{
	struct mgr *mgr = arg;

	(void)rc;
	(void)err;	/* each plugin's failure is recorded on its own */
	log_info(&mgr->log, _("plugins: the enabled plugins' host workers "
	    "have started"));
}

/* Starts the enabled plugins of chain (taken) from the loop; an
 * enable, disable or reload of one of them meanwhile is refused as busy
 * until they have all answered. */
static void
start_later(struct mgr *mgr, char **chain)
{
	struct plugin_op *op = op_new(mgr, chain[0], start_over, mgr);

	op->chain = chain;
	if (start_next(op) == 0) {
		op->over = 1;
		op_maybe_finish(op);
	}
}

/* Shadow copies left by a process that died without unloading. */
static void
purge_cache(struct mgr *mgr)
{
	char *pattern = xasprintf("%s/shadow-*", mgr->conf->cache_directory);
	glob_t g;

	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			rm_rf(g.gl_pathv[i], NULL);
		globfree(&g);
	}
	free(pattern);
}

int
plugins_start(struct mgr *mgr, struct mgr_error *err)
{
	struct plugin_rec *all;
	struct dep_node *nodes;
	struct dep_spec **specs;
	size_t n, *order;
	char **chain = NULL;
	int rc;

	if (mgr->plugins == NULL) {
		mgr->plugins = xcalloc(1, sizeof *mgr->plugins);
		mgr->plugins->funcs = funcs_cache_new(mgr);
		purge_cache(mgr);
	}
	if ((rc = plugin_store_list(mgr->db, &all, &n, err)) != 0)
		return rc;
	nodes = xcalloc(n + 1, sizeof *nodes);
	specs = xcalloc(n + 1, sizeof *specs);
	order = xcalloc(n + 1, sizeof *order);
	for (size_t i = 0; i < n; i++) {
		nodes[i].id = all[i].id;
		nodes[i].version = all[i].version;
		deps_from_json(all[i].dependencies, &specs[i], &nodes[i].ndeps, NULL);
		nodes[i].deps = specs[i];
	}
	rc = deps_order(nodes, n, order, err);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		struct plugin_rec *rec = &all[order[i]];
		if (rec->enabled && plugins_later_ok(mgr))
			chain = strv_push(chain, rec->id);
		else if (rec->enabled)
			rc = start_one(mgr, rec, err);
		else
			funcs_cache_refresh(mgr->plugins->funcs, rec);
	}
	if (chain != NULL)
		start_later(mgr, chain);
	for (size_t i = 0; i < n; i++)
		free(specs[i]);
	free(specs);
	free(nodes);
	free(order);
	plugin_recs_free(all, n);
	return rc;
}

void
plugins_stop(struct mgr *mgr)
{
	if (mgr->plugins == NULL)
		return;
	ops_abandon(mgr);
	/* Dependents were loaded last: unload them first. */
	while (mgr->plugins->n > 0)
		live_unload(mgr, mgr->plugins->v[mgr->plugins->n - 1].id);
	funcs_cache_free(mgr->plugins->funcs);
	free(mgr->plugins->v);
	free(mgr->plugins);
	mgr->plugins = NULL;
}

void
plugins_emit(struct mgr *mgr, const char *event, const char *subject,
	     const char *message)
{
	if (mgr->plugins == NULL)
		return;
	for (size_t i = 0; i < mgr->plugins->n; i++) {
		if (mgr->plugins->v[i].hw != NULL)
			hostw_emit(mgr->plugins->v[i].hw, event, subject, message);
		else
			plugin_host_emit(mgr->plugins->v[i].host, event, subject,
			    message);
	}
}

int
plugins_route(struct mgr *mgr, const char *plugin_id, const char *method,
	      const char *path, const char *body, char **out_body, int *status,
	      void (*done)(void *arg, struct hostw_answer *a), void *arg,
	      void **ticket, struct mgr_error *err)
{
	struct plugin_live *l = live_find(mgr, plugin_id);
	struct hostw_req *req = NULL;
	int rc;

	*out_body = NULL;
	if (l == NULL)
		return MGR_ENOENT;
	if (path[0] == '/')
		path++;
	if (l->hw == NULL)
		return plugin_host_route(l->host, method, path, body, out_body,
		    status);
	rc = hostw_route(l->hw, method, path, body, done, arg, &req, err);
	*ticket = req;
	return rc == 0 ? PLUGINS_ROUTE_LATER : rc;
}

void
plugins_route_cancel(void *ticket)
{
	hostw_cancel(ticket);
}

void
plugins_route_methods(struct mgr *mgr, const char *plugin_id, const char *path,
		      char *buf, size_t size)
{
	struct plugin_live *l = live_find(mgr, plugin_id);

	if (size > 0)
		buf[0] = '\0';
	if (path[0] == '/')
		path++;
	if (l != NULL && l->hw != NULL)
		hostw_route_methods(l->hw, path, buf, size);
	else if (l != NULL)
		plugin_host_route_methods(l->host, path, buf, size);
}
