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

struct plugins {
	struct plugin_live *v;
	size_t n;
	struct funcs_cache *funcs;	/* the plugins' task functions */
};

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
	l.host = plugin_host_new(mgr->db, &mgr->log, rec->id, rec->manifest);
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
	if (l->hw != NULL)
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
		struct plugin_rec dep = { 0 };
		struct semver v;

		if (plugin_store_read(mgr->db, deps[i].id, &dep, NULL) != 0)
			rc = mgr_error_set(err, MGR_ENOENT, _("plugin %s needs %s %s, "
			    "which is not installed"), rec->id, deps[i].id,
			    deps[i].text);
		else if (version_parse(dep.version, 1, &v, NULL) != 0 ||
		    !constraint_match(&deps[i].c, &v))
			rc = mgr_error_set(err, MGR_ECONFLICT, _("plugin %s needs "
			    "%s %s, but version %s is installed"), rec->id,
			    deps[i].id, deps[i].text, dep.version);
		else if (!dep.enabled &&
		    (rc = plugin_enable(mgr, deps[i].id, depth + 1, NULL, err)) != 0)
			mgr_error_prefix(err, _("plugin %s needs %s"), rec->id,
			    deps[i].id);
		plugin_rec_clear(&dep);
	}
	free(deps);
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

/* known: the manifest an install just validated (its id is id), or
 * NULL. */
static int
plugin_enable(struct mgr *mgr, const char *id, int depth,
	      const struct manifest *known, struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	char **created = NULL;
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
	if ((rc = enable_checked(mgr, &rec, depth, err)) != 0)
		record_failure(mgr, id, err);
	else if ((rc = record_enabled(mgr, &rec, known, &created, err)) != 0) {
		live_unload(mgr, id);
		record_failure(mgr, id, err);
	}
	for (size_t i = 0; created != NULL && created[i] != NULL; i++)
		tell_scheduler(mgr, created[i]);
	if (rc == 0) {
		fault_clear(mgr, id);	/* resumes what the breaker paused */
		plugins_emit(mgr, "plugin.enabled", id, rec.version);
	}
	strv_free(created);
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
		if (rec->enabled)
			rc = start_one(mgr, rec, err);
		else
			funcs_cache_refresh(mgr->plugins->funcs, rec);
	}
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
