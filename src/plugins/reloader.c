/* reloader.c - hot reload: watchers, debounce, reload with rollback. */
#include "i18n.h"
#include "fault.h"
#include "installer.h"
#include "manager.h"
#include "manifest.h"
#include "plugins.h"
#include "reloader.h"
#include "scheduler.h"
#include "snapshot.h"
#include "util.h"
#include "validator.h"

#include <errno.h>
#include <ev.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define RELOADER_RESYNC_S 1.0
#define RELOADER_RECHECK_S 0.5	/* minimum pause before a second look */

struct watch {
	struct reloader *rl;
	char *id;
	char *lib, *conf;	/* watched paths */
	ev_stat st_lib, st_conf;
	ev_timer debounce;
	char fp[65];		/* fingerprint of the running files */
	char failed_fp[65];	/* files that failed once, looked at again */
	int64_t seen_us;	/* first change not yet handled (wall clock) */
	struct watch *next;
};

struct reloader {
	struct mgr *mgr;
	struct watch *watches;
	ev_timer resync;
};

/* ---- the running version's files ---- */

static char *
good_dir(struct mgr *mgr, const char *id)
{
	return xasprintf("%s/reload/%s", mgr->conf->state_directory, id);
}

/* Keeps a copy of folder as the running version of id. */
static int
save_good(struct mgr *mgr, const char *id, const char *folder,
	  struct mgr_error *err)
{
	char *base = xasprintf("%s/reload", mgr->conf->state_directory);
	char *good = good_dir(mgr, id), *tmp = xasprintf("%s.new", good);
	int rc;

	rm_rf(tmp, NULL);
	if ((rc = mkdir_p(base, 0700, 1, err)) == 0 &&
	    (rc = tree_copy(folder, tmp, err)) == 0) {
		rm_rf(good, NULL);
		if (rename(tmp, good) != 0)
			rc = mgr_error_set(err, MGR_EIO, "%s: %s", good,
			    strerror(errno));
	}
	rm_rf(tmp, NULL);
	free(base);
	free(good);
	free(tmp);
	return rc;
}

/* Fingerprint of a plugin's library and manifest: what a change changes. */
static void
fingerprint(const char *lib, const char *conf, char out[65])
{
	char a[65] = "-", b[65] = "-", both[131];

	if (sha256_file(lib, a, NULL) != 0)
		strcpy(a, "-");
	if (sha256_file(conf, b, NULL) != 0)
		strcpy(b, "-");
	snprintf(both, sizeof both, "%s%s", a, b);
	sha256_hex(both, strlen(both), out);
}

/* ---- one reload ---- */

/* Manifest, ELF, dependencies, then (probe) the probe child with
 * on_enable. */
static int
reload_validate(struct mgr *mgr, const struct plugin_rec *old,
		struct manifest *m, int probe, struct mgr_error *err)
{
	struct mgr_problems p = { 0 };
	struct probe_opts o, none = { 0 };
	struct plugin_rec *all = NULL;
	char exe[PATH_MAX];
	size_t n = 0;
	int rc;

	installer_probe_opts(mgr, &o, exe);
	plugin_store_list(mgr->db, &all, &n, NULL);
	rc = validate_plugin_dir(old->path, &none, all, n, m, &p, err);
	if (p.n > 0)
		rc = problems_to_error(&p, err);
	if (rc == 0 && strcmp(m->id, old->id) != 0)
		rc = mgr_error_set(err, MGR_EINVAL, _("%s/%s: id is now \"%s\"; a "
		    "reload cannot rename plugin %s"), old->path, MANIFEST_FILE,
		    m->id, old->id);
	if (rc == 0 && o.exe != NULL && probe)
		rc = probe_plugin(&o, old->path, 1, err);
	problems_free(&p);
	plugin_recs_free(all, n);
	return rc;
}

static int
record_row(struct mgr *mgr, void *arg, struct mgr_error *err)
{
	return plugin_store_update(mgr->db, arg, err);
}

/* The row of the new version: the manifest's fields, the rest kept. */
static int
switch_row(struct mgr *mgr, const struct plugin_rec *old,
	   const struct manifest *m, struct mgr_error *err)
{
	struct plugin_rec p = *old;
	int rc;

	p.name = m->name;
	p.version = m->version;
	p.description = m->description;
	p.author = m->author;
	p.manifest = m->json;
	p.dependencies = m->deps_json;
	if ((rc = db_begin(mgr->db, err)) != 0)
		return rc;
	if ((rc = plugin_store_update(mgr->db, &p, err)) == 0)
		rc = db_commit(mgr->db, err);
	else
		db_rollback(mgr->db);
	return rc;
}

/* Puts the running version's files and row back, and its code. */
static void
rollback(struct mgr *mgr, const struct plugin_rec *old, int unloaded,
	 const char *why)
{
	struct mgr_error err = { 0 };
	char *good = good_dir(mgr, old->id), *files, *msg;
	struct swap s;
	struct stat st;
	int rc;

	msg = xasprintf(_("%s: back to %s %s after a failed reload: %s"), old->id,
	    old->id, old->version, why);
	if (stat(good, &st) == 0 &&
	    (rc = swap_begin(mgr, old->id, &s, &err)) == 0) {
		files = xasprintf("%s/files", s.stage);
		if ((rc = tree_copy(good, files, &err)) == 0)
			rc = swap_commit(&s, "plugin.reload_rollback", msg, record_row,
			    (void *)old, &err);
		free(files);
		swap_end(&s);
	} else if ((rc = db_begin(mgr->db, &err)) == 0) {
		if ((rc = plugin_store_update(mgr->db, old, &err)) == 0)
			rc = db_commit(mgr->db, &err);
		else
			db_rollback(mgr->db);
		if (rc == 0 && stat(good, &st) != 0)
			mgr_event(mgr, "plugin.reload_rollback", old->id, NULL,
			    _("%s: no copy of the running version's files to put "
			    "back (none since its last upgrade or restore); the row "
			    "is back to %s, the folder keeps the new files: use "
			    "`manager snapshot restore`"), old->id, old->version);
	}
	if (rc != 0)
		log_error(&mgr->log, _("%s: rollback failed: %s"), old->id, err.msg);
	if (unloaded && old->enabled &&
	    plugins_live_reload(mgr, old->id, &err) != 0) {
		plugin_store_set_state(mgr->db, old->id, "faulted", err.msg, NULL);
		mgr_event(mgr, "plugin.reload_failed", old->id, NULL,
		    _("the previous version did not load again either: %s"),
		    err.msg);
	}
	free(msg);
	free(good);
}

static void
reload_failed(struct mgr *mgr, const struct plugin_rec *old,
	      const struct mgr_error *err)
{
	mgr_event(mgr, "plugin.reload_failed", old->id, NULL, _("%s %s keeps "
	    "running: %s"), old->id, old->version, err->msg);
	if (err->code == MGR_EPLUGIN || err->code == MGR_ETIMEOUT)
		fault_record_crash(mgr, old->id, "reload", err->msg);
}

/* reload_plugin's answer when !final and the new files do not pass: they
 * may be half written, look again later before rolling back. */
#define RELOAD_DEFER 1

/* One reload: the rows and files before the plugin's code is swapped,
 * and what follows the swap. */
struct reload_job {
	struct mgr *mgr;
	struct plugin_rec old;
	struct manifest m;
	int64_t seen_us;
	int probe;			/* validation runs the probe */
	reloader_done_fn done;		/* reloader_reload_later's caller */
	void *arg;
};

static void
reload_job_free(struct reload_job *j)
{
	manifest_clear(&j->m);
	plugin_rec_clear(&j->old);
	free(j);
}

/* Up to the swap: validated, snapshot taken, row switched.  rc 0: the
 * swap is next (when the plugin is enabled). */
static int
reload_prepare(struct reload_job *j, const char *id, int final,
	       struct mgr_error *err)
{
	struct mgr *mgr = j->mgr;
	char *good = good_dir(mgr, id);
	struct stat st;
	int rc;

	if ((rc = plugin_store_read(mgr->db, id, &j->old, err)) != 0)
		goto out;
	if ((rc = reload_validate(mgr, &j->old, &j->m, j->probe, err)) != 0 &&
	    !final) {
		rc = RELOAD_DEFER;
		goto out;
	}
	if (rc == 0 && stat(good, &st) == 0)
		rc = snapshot_create_from(mgr, &j->old, good, "reload", NULL, err);
	if (rc == 0)
		rc = switch_row(mgr, &j->old, &j->m, err);
	if (rc != 0) {
		rollback(mgr, &j->old, 0, err->msg);
		reload_failed(mgr, &j->old, err);
	}
out:
	free(good);
	return rc;
}

/* After the swap (rc: its outcome): rolled back, or recorded. */
static int
reload_conclude(struct reload_job *j, int rc, int unloaded,
		struct mgr_error *err)
{
	struct mgr *mgr = j->mgr;
	const char *id = j->old.id;

	if (rc != 0) {
		rollback(mgr, &j->old, unloaded, err->msg);
		reload_failed(mgr, &j->old, err);
		return rc;
	}
	if (save_good(mgr, id, j->old.path, err) != 0)
		log_warning(&mgr->log, "%s", err->msg);
	mgr_event(mgr, "plugin.reloaded", id, NULL, _("%s %s -> %s reloaded "
	    "(%lld ms after the change)"), id, j->old.version, j->m.version,
	    (long long)((mgr_now_us() - j->seen_us) / 1000));
	return 0;
}

static int
reload_plugin(struct mgr *mgr, const char *id, int64_t seen_us, int final,
	      struct mgr_error *err)
{
	struct reload_job j = { .mgr = mgr, .seen_us = seen_us, .probe = 1 };
	int rc, unloaded = 0;

	if ((rc = reload_prepare(&j, id, final, err)) == 0) {
		if (j.old.enabled)
			rc = plugins_live_swap(mgr, id, &unloaded, err);
		rc = reload_conclude(&j, rc, unloaded, err);
	}
	if (rc < 0)
		mgr_error_prefix(err, _("cannot reload %s"), id);
	manifest_clear(&j.m);
	plugin_rec_clear(&j.old);
	return rc;
}

/* ---- watchers ---- */

static void stat_cb(struct ev_loop *loop, ev_stat *w, int revents);
static void debounce_cb(struct ev_loop *loop, ev_timer *w, int revents);

static struct watch *
watch_find(struct reloader *rl, const char *id)
{
	for (struct watch *w = rl->watches; w != NULL; w = w->next)
		if (strcmp(w->id, id) == 0)
			return w;
	return NULL;
}

/* (Re)starts the stat watchers on the paths the row names now: a swap
 * replaces the folder, and a new manifest may name another library. */
static void
watch_arm(struct watch *w, const struct plugin_rec *rec)
{
	struct ev_loop *loop = w->rl->mgr->loop;

	ev_stat_stop(loop, &w->st_lib);
	ev_stat_stop(loop, &w->st_conf);
	free(w->lib);
	free(w->conf);
	w->lib = plugin_rec_library(rec);
	w->conf = xasprintf("%s/%s", rec->path, MANIFEST_FILE);
	ev_stat_set(&w->st_lib, w->lib, 0.);
	ev_stat_set(&w->st_conf, w->conf, 0.);
	ev_stat_start(loop, &w->st_lib);
	ev_stat_start(loop, &w->st_conf);
	fingerprint(w->lib, w->conf, w->fp);
}

static void
watch_add(struct reloader *rl, const struct plugin_rec *rec)
{
	struct mgr_error err = { 0 };
	struct watch *w = xcalloc(1, sizeof *w);

	w->rl = rl;
	w->id = xstrdup(rec->id);
	ev_stat_init(&w->st_lib, stat_cb, "", 0.);
	ev_stat_init(&w->st_conf, stat_cb, "", 0.);
	w->st_lib.data = w->st_conf.data = w;
	ev_timer_init(&w->debounce, debounce_cb, 0., 0.);
	w->debounce.data = w;
	watch_arm(w, rec);
	if (save_good(rl->mgr, rec->id, rec->path, &err) != 0)
		log_warning(&rl->mgr->log, _("%s: cannot keep a copy of the "
		    "running version (rollback will not restore files): %s"),
		    rec->id, err.msg);
	w->next = rl->watches;
	rl->watches = w;
	log_debug(&rl->mgr->log, _("watching %s for changes"), w->lib);
}

static void
watch_free(struct reloader *rl, struct watch *w)
{
	ev_stat_stop(rl->mgr->loop, &w->st_lib);
	ev_stat_stop(rl->mgr->loop, &w->st_conf);
	ev_timer_stop(rl->mgr->loop, &w->debounce);
	free(w->id);
	free(w->lib);
	free(w->conf);
	free(w);
}

static void
stat_cb(struct ev_loop *loop, ev_stat *st, int revents)
{
	struct watch *w = st->data;

	(void)revents;
	if (w->seen_us == 0)
		w->seen_us = mgr_now_us();
	ev_timer_stop(loop, &w->debounce);
	ev_timer_set(&w->debounce, w->rl->mgr->conf->reload_debounce_ms / 1000., 0.);
	ev_timer_start(loop, &w->debounce);
}

/* In-process runs (sandboxing off) execute the mapped image: never swap
 * it under them. */
static int
runs_block_reload(struct mgr *mgr)
{
	return !mgr->conf->sandboxing && mgr->sched != NULL &&
	    scheduler_running_count(mgr) > 0;
}

/* A hot reload answered later: told how it went (the watch is armed
 * again by reload_swapped). */
static void
watch_reloaded(void *arg, int rc, const struct mgr_error *err)
{
	struct mgr *mgr = arg;

	if (rc != 0)
		log_error(&mgr->log, "%s", err->msg);
}

/* watch_reload_later's answers besides PLUGINS_LATER, RELOAD_DEFER and
 * a result: not for this road, or try again soon. */
#define WATCH_SYNC 2
#define WATCH_BUSY 3

static int reload_later(struct mgr *mgr, const char *id, int64_t seen_us,
			int final, reloader_done_fn done, void *arg,
			int *deferred, struct mgr_error *err);

/* A plugin its host worker serves here is reloaded without holding the
 * loop while the new worker loads and runs on_enable, and the old one
 * runs on_disable: PLUGINS_LATER (or the result now, or RELOAD_DEFER);
 * WATCH_SYNC for a plugin loaded in the engine (or not live). */
static int
watch_reload_later(struct watch *w, int final, struct mgr_error *err)
{
	struct mgr *mgr = w->rl->mgr;
	int rc, deferred;

	if (!plugins_later_ok(mgr) || !plugins_live(mgr, w->id))
		return WATCH_SYNC;
	if (plugins_busy(mgr, w->id, NULL))
		return WATCH_BUSY;
	rc = reload_later(mgr, w->id, w->seen_us != 0 ? w->seen_us :
	    mgr_now_us(), final, watch_reloaded, mgr, &deferred, err);
	return deferred ? RELOAD_DEFER : rc;
}

static void
watch_reload(struct watch *w, int force, struct mgr_error *err)
{
	struct mgr *mgr = w->rl->mgr;
	struct plugin_rec rec = { 0 };
	char fp[65];
	int rc;

	fingerprint(w->lib, w->conf, fp);
	if (!force && strcmp(fp, w->fp) == 0) {
		w->seen_us = 0;		/* touched, not changed; or our rollback */
		return;
	}
	/* A change seen by the watch does not hold the loop; `plugin
	 * reload` without a client to answer later (force) waits. */
	rc = force ? WATCH_SYNC : watch_reload_later(w, strcmp(fp,
	    w->failed_fp) == 0, err);
	if (rc == PLUGINS_LATER)
		return;		/* reload_swapped arms the watch again */
	if (rc == WATCH_BUSY) {	/* an enable, disable or reload under way */
		ev_timer_set(&w->debounce, mgr->conf->reload_debounce_ms / 1000.,
		    0.);
		ev_timer_start(mgr->loop, &w->debounce);
		return;
	}
	if (rc == WATCH_SYNC)
		rc = reload_plugin(mgr, w->id, w->seen_us != 0 ? w->seen_us :
		    mgr_now_us(), force || strcmp(fp, w->failed_fp) == 0, err);
	if (rc == RELOAD_DEFER) {
		/* Maybe still being written (a linker that stalls): the same
		 * files failing again after a pause are really broken. */
		double d = 3 * mgr->conf->reload_debounce_ms / 1000.;

		strcpy(w->failed_fp, fp);
		ev_timer_set(&w->debounce, d > RELOADER_RECHECK_S ? d :
		    RELOADER_RECHECK_S, 0.);
		ev_timer_start(mgr->loop, &w->debounce);
		return;
	}
	if (rc != 0)
		log_error(&mgr->log, "%s", err->msg);
	w->failed_fp[0] = '\0';
	w->seen_us = 0;
	if (plugin_store_read(mgr->db, w->id, &rec, NULL) == 0)
		watch_arm(w, &rec);
	plugin_rec_clear(&rec);
}

/* Seconds since the newest write to the watched files. */
static double
quiet_for(const struct watch *w)
{
	struct timespec now;
	struct stat a, b;
	double newest = 0, t;

	clock_gettime(CLOCK_REALTIME, &now);
	if (stat(w->lib, &a) == 0 &&
	    (t = a.st_mtim.tv_sec + a.st_mtim.tv_nsec / 1e9) > newest)
		newest = t;
	if (stat(w->conf, &b) == 0 &&
	    (t = b.st_mtim.tv_sec + b.st_mtim.tv_nsec / 1e9) > newest)
		newest = t;
	return now.tv_sec + now.tv_nsec / 1e9 - newest;
}

static void
debounce_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct watch *w = t->data;
	struct mgr_error err = { 0 };
	double debounce = w->rl->mgr->conf->reload_debounce_ms / 1000., quiet;

	(void)revents;
	/* A compiler writes its output in many steps: wait until the files
	 * have been quiet for the whole debounce, not just since the first
	 * event. */
	quiet = quiet_for(w);
	if (quiet >= 0 && quiet < debounce) {
		ev_timer_set(t, debounce - quiet + 0.005, 0.);
		ev_timer_start(loop, t);
		return;
	}
	if (runs_block_reload(w->rl->mgr)) {
		ev_timer_set(t, debounce, 0.);
		ev_timer_start(loop, t);
		return;
	}
	watch_reload(w, 0, &err);
}

/* Watches follow the plugins loaded here: enable, disable, uninstall. */
static void
resync(struct reloader *rl)
{
	struct mgr *mgr = rl->mgr;
	struct plugin_rec *all;
	struct watch **pw;
	size_t n;

	if (plugin_store_list(mgr->db, &all, &n, NULL) != 0)
		return;
	for (pw = &rl->watches; *pw != NULL;) {
		struct watch *w = *pw;
		int keep = plugins_live(mgr, w->id);

		if (keep) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		watch_free(rl, w);
	}
	for (size_t i = 0; i < n; i++)
		if (all[i].enabled && plugins_live(mgr, all[i].id) &&
		    watch_find(rl, all[i].id) == NULL)
			watch_add(rl, &all[i]);
	plugin_recs_free(all, n);
}

static void
resync_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	resync(t->data);
}

void
reloader_resync(struct mgr *mgr)
{
	if (mgr->reloader != NULL)
		resync(mgr->reloader);
}

int
reloader_start(struct mgr *mgr, struct mgr_error *err)
{
	struct reloader *rl;
	int rc;

	if ((rc = snapshot_recover(mgr, err)) != 0)
		return rc;
	if (!mgr->conf->hot_reload || mgr->loop == NULL || mgr->reloader != NULL)
		return 0;
	rl = xcalloc(1, sizeof *rl);
	rl->mgr = mgr;
	ev_timer_init(&rl->resync, resync_cb, RELOADER_RESYNC_S, RELOADER_RESYNC_S);
	rl->resync.data = rl;
	ev_timer_start(mgr->loop, &rl->resync);
	mgr->reloader = rl;
	resync(rl);
	return 0;
}

void
reloader_stop(struct mgr *mgr)
{
	struct reloader *rl = mgr->reloader;

	if (rl == NULL)
		return;
	while (rl->watches != NULL) {
		struct watch *w = rl->watches;
		rl->watches = w->next;
		watch_free(rl, w);
	}
	ev_timer_stop(mgr->loop, &rl->resync);
	free(rl);
	mgr->reloader = NULL;
}

int
reloader_reload(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	struct watch *w = mgr->reloader != NULL ?
	    watch_find(mgr->reloader, id) : NULL;
	int rc;

	if ((rc = snapshot_recover(mgr, err)) != 0)
		return rc;
	if (w == NULL)
		return reload_plugin(mgr, id, mgr_now_us(), 1, err);
	if (runs_block_reload(mgr))
		return mgr_error_set(err, MGR_EBUSY, _("cannot reload %s while "
		    "tasks run in this process (sandboxing = false); try again "
		    "when they are done"), id);
	ev_timer_stop(mgr->loop, &w->debounce);
	err->code = 0;
	watch_reload(w, 1, err);
	return err->code;
}

/* The swap's answer (plugins_live_swap_later): the reload concludes,
 * the watch (if any: the engine may be stopping) follows the files. */
static void
reload_swapped(void *arg, int rc, const struct mgr_error *swap_err)
{
	struct reload_job *j = arg;
	struct mgr *mgr = j->mgr;
	struct mgr_error err = { 0 };
	struct watch *w = mgr->reloader != NULL ?
	    watch_find(mgr->reloader, j->old.id) : NULL;
	struct plugin_rec rec = { 0 };

	if (rc != 0)
		err = *swap_err;
	if ((rc = reload_conclude(j, rc, 0, &err)) < 0)
		mgr_error_prefix(&err, _("cannot reload %s"), j->old.id);
	if (w != NULL && plugin_store_read(mgr->db, w->id, &rec, NULL) == 0) {
		w->failed_fp[0] = '\0';
		w->seen_us = 0;
		watch_arm(w, &rec);
	}
	plugin_rec_clear(&rec);
	j->done(j->arg, rc, &err);
	reload_job_free(j);
}

/* reloader_reload_later's work, for a change seen at seen_us; final as
 * reload_prepare's.  *deferred: 1 when !final and the new files did not
 * pass (RELOAD_DEFER: looked at again later). */
static int
reload_later(struct mgr *mgr, const char *id, int64_t seen_us, int final,
	     reloader_done_fn done, void *arg, int *deferred,
	     struct mgr_error *err)
{
	struct watch *w = mgr->reloader != NULL ?
	    watch_find(mgr->reloader, id) : NULL;
	struct plugin_rec rec = { 0 };
	struct reload_job *j;
	int rc;

	*deferred = 0;
	if (plugins_busy(mgr, id, err) ||
	    (rc = snapshot_recover(mgr, err)) != 0)
		return err->code;
	if (w != NULL)
		ev_timer_stop(mgr->loop, &w->debounce);
	j = xcalloc(1, sizeof *j);
	j->mgr = mgr;
	j->seen_us = seen_us;
	/* The new host worker's start is the probe (on_enable runs once,
	 * confined), as for an enable: a probe would hold the loop. */
	j->probe = 0;
	j->done = done;
	j->arg = arg;
	if ((rc = reload_prepare(j, id, final, err)) == RELOAD_DEFER) {
		*deferred = 1;
		reload_job_free(j);
		return 0;
	}
	if (rc == 0 && j->old.enabled) {
		rc = plugins_live_swap_later(mgr, id, reload_swapped, j, err);
		if (rc == PLUGINS_LATER)
			return rc;
		rc = reload_conclude(j, rc, 0, err);
	} else if (rc == 0)
		rc = reload_conclude(j, 0, 0, err);
	if (rc < 0)
		mgr_error_prefix(err, _("cannot reload %s"), id);
	reload_job_free(j);
	if (w != NULL && plugin_store_read(mgr->db, id, &rec, NULL) == 0)
		watch_arm(w, &rec);
	plugin_rec_clear(&rec);
	return rc;
}

int
reloader_reload_later(struct mgr *mgr, const char *id, reloader_done_fn done,
		      void *arg, struct mgr_error *err)
{
	int deferred;

	if (!plugins_later_ok(mgr) || !plugins_live(mgr, id))
		return reloader_reload(mgr, id, err);
	return reload_later(mgr, id, mgr_now_us(), 1, done, arg, &deferred,
	    err);
}

void
reloader_adopt(struct mgr *mgr, const char *id)
{
	struct watch *w = mgr->reloader != NULL ?
	    watch_find(mgr->reloader, id) : NULL;
	struct plugin_rec rec = { 0 };
	struct mgr_error err = { 0 };

	if (w == NULL) {
		/* Not watched here: the copy of the running version is stale. */
		char *good = good_dir(mgr, id);
		rm_rf(good, NULL);
		free(good);
		return;
	}
	if (plugin_store_read(mgr->db, id, &rec, NULL) != 0)
		return;
	ev_timer_stop(mgr->loop, &w->debounce);
	w->seen_us = 0;
	w->failed_fp[0] = '\0';
	watch_arm(w, &rec);
	if (save_good(mgr, id, rec.path, &err) != 0)
		log_warning(&mgr->log, "%s", err.msg);
	plugin_rec_clear(&rec);
}
