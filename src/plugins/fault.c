/* fault.c - the plugins' circuit breaker. */
#include "i18n.h"
#include "fault.h"
#include "manager.h"
#include "plugins.h"
#include "scheduler.h"
#include "snapshot_store.h"
#include "util.h"

#include <ev.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_PAUSED_KIND "task.fault_paused"

void
fault_record_crash(struct mgr *mgr, const char *plugin_id, const char *what,
		   const char *why)
{
	mgr_event(mgr, "plugin.crashed", plugin_id, NULL, _("%s of %s crashed: "
	    "%s"), what, plugin_id, why);
	fault_check(mgr, plugin_id);
}

/* Pauses the plugin's enabled tasks, each with a marker event. */
static void
pause_tasks(struct mgr *mgr, const char *plugin_id)
{
	struct task_rec *tasks;
	struct mgr_error err = { 0 };
	size_t n;

	if (task_store_list_by_plugin(mgr->db, plugin_id, &tasks, &n, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!tasks[i].enabled)
			continue;
		if (taskmgr_pause(mgr, tasks[i].id, &err) != 0)
			log_error(&mgr->log, "%s", err.msg);
		else
			mgr_event(mgr, FAULT_PAUSED_KIND, tasks[i].id, NULL,
			    _("paused: plugin %s is faulted"), plugin_id);
	}
	task_recs_free(tasks, n);
}

static void
trip(struct mgr *mgr, const struct plugin_rec *rec, int count)
{
	struct mgr_error err = { 0 };
	char *why = xasprintf(_("faulted: %d crashes within %d s; its tasks are "
	    "paused (fix the plugin, then `manager plugin enable %s`)"), count,
	    mgr->conf->fault_window_seconds, rec->id);

	if (rec->enabled && mgr_plugin_disable(mgr, rec->id, 1, &err) != 0)
		log_error(&mgr->log, "%s", err.msg);
	if (db_begin(mgr->db, NULL) == 0) {
		if (plugin_store_set_state(mgr->db, rec->id, "faulted", why,
		    NULL) == 0 && mgr_event(mgr, "plugin.faulted", rec->id, NULL,
		    "%s", why) == 0)
			db_commit(mgr->db, NULL);	/* rolls back on failure */
		else
			db_rollback(mgr->db);
	}
	pause_tasks(mgr, rec->id);
	free(why);
}

int
fault_check(struct mgr *mgr, const char *plugin_id)
{
	struct plugin_rec rec = { 0 };
	int64_t since = mgr_now_us() -
	    (int64_t)mgr->conf->fault_window_seconds * 1000000;
	int count = 0, tripped = 0;

	if (plugin_store_read(mgr->db, plugin_id, &rec, NULL) != 0)
		return 0;
	/* A faulted plugin stays tripped until enabled again.  The state
	 * column decides: the error text is in the language of whichever
	 * process tripped it. */
	if (rec.state == NULL || strcmp(rec.state, "faulted") != 0) {
		if (fault_store_count_crashes(mgr->db, plugin_id, since, &count,
		    NULL) == 0 && count >= mgr->conf->fault_max_crashes) {
			trip(mgr, &rec, count);
			tripped = 1;
		}
	}
	plugin_rec_clear(&rec);
	return tripped;
}

struct deferred {
	struct mgr *mgr;
	char *plugin_id;
};

static void
deferred_cb(int revents, void *arg)
{
	struct deferred *d = arg;

	(void)revents;
	scheduler_sync_history(d->mgr);	/* the crashed run is in runs now */
	fault_check(d->mgr, d->plugin_id);
	free(d->plugin_id);
	free(d);
}

void
fault_run_crashed(struct mgr *mgr, const char *plugin_id)
{
	struct deferred *d;

	if (mgr->loop == NULL) {
		fault_check(mgr, plugin_id);
		return;
	}
	/* Not now: the scheduler is in the middle of finishing the run, whose
	 * row its history writer has not written yet. */
	d = xcalloc(1, sizeof *d);
	d->mgr = mgr;
	d->plugin_id = xstrdup(plugin_id);
	ev_once(mgr->loop, -1, 0, 0., deferred_cb, d);
}

/* 1 if the newest event about task_id is the breaker's pause. */
static int
paused_by_breaker(struct mgr *mgr, const char *task_id)
{
	struct event_rec *ev;
	size_t n;
	int yes;

	if (event_store_list(mgr->db, task_id, 0, 1, &ev, &n, NULL) != 0)
		return 0;
	yes = n == 1 && strcmp(ev[0].kind, FAULT_PAUSED_KIND) == 0;
	event_recs_free(ev, n);
	return yes;
}

void
fault_clear(struct mgr *mgr, const char *plugin_id)
{
	struct task_rec *tasks;
	struct mgr_error err = { 0 };
	size_t n;

	if (task_store_list_by_plugin(mgr->db, plugin_id, &tasks, &n, NULL) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!tasks[i].enabled && paused_by_breaker(mgr, tasks[i].id) &&
		    taskmgr_resume(mgr, tasks[i].id, &err) != 0)
			log_error(&mgr->log, "%s", err.msg);
	task_recs_free(tasks, n);
}
