/* taskmgr.c - the seed's TaskManager: validate, write the tasks table,
 * tell the scheduler when this process hosts it. */
#include "i18n.h"
#include "json_flat.h"
#include "manager.h"
#include "sandbox.h"
#include "scheduler.h"
#include "task_context.h"
#include "task_context_store.h"
#include "trigger.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Stored trigger_args (a JSON object) as "NAME=VALUE" fields: the
 * common flat object read directly, anything else by jansson. */
static int
trigger_args_fields(const char *id, const char *json, char ***fields,
		    struct mgr_error *err)
{
	json_error_t jerr;
	json_t *o, *v;
	const char *key;
	char **f = NULL, *s;

	if (json == NULL)
		json = "{}";
	if (json_flat_fields(json, fields) == 0)
		return 0;
	o = json_loads(json, 0, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return mgr_error_set(err, MGR_EINVAL,
		    _("task \"%s\": trigger_args is not a JSON object"), id);
	}
	json_object_foreach(o, key, v) {
		if (json_is_string(v))
			s = xasprintf("%s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			s = xasprintf("%s=%lld", key, (long long)json_integer_value(v));
		else if (json_is_real(v))
			s = xasprintf("%s=%.15g", key, json_real_value(v));
		else {
			json_decref(o);
			strv_free(f);
			return mgr_error_set(err, MGR_EINVAL,
			    _("task \"%s\": trigger field %s must be a string or "
			      "a number"), id, key);
		}
		f = strv_push(f, s);
		free(s);
	}
	json_decref(o);
	*fields = f;
	return 0;
}

int
task_trigger_build(const struct task_rec *t, struct trigger **out,
		   struct mgr_error *err)
{
	return task_trigger_build_zones(t, NULL, out, err);
}

int
task_trigger_build_zones(const struct task_rec *t, struct tz_cache *zones,
			 struct trigger **out, struct mgr_error *err)
{
	char **fields;
	int rc;

	if ((rc = trigger_args_fields(t->id, t->trigger_args, &fields, err)) != 0)
		return rc;
	rc = trigger_parse_seeded(t->trigger, (const char *const *)fields,
	    strv_len(fields), zones, t->id, out, err);
	strv_free(fields);
	if (rc != 0)
		mgr_error_prefix(err, _("task \"%s\""), t->id);
	return rc;
}

int
task_func_check(const char *func, struct mgr_error *err)
{
	const char *colon;
	char **argv;
	int rc = 0;

	if (func == NULL || *func == '\0')
		return mgr_error_set(err, MGR_EINVAL, _("func is empty"));
	if (exec_split(strncmp(func, "exec:", 5) == 0 ? func + 5 : func, &argv,
	    err) != 0)
		return mgr_error_prefix(err, _("func"));
	if (strncmp(func, "exec:", 5) == 0) {
		strv_free(argv);
		return 0;
	}
	colon = strchr(argv[0], ':');
	if (colon == NULL || colon == argv[0] || colon[1] == '\0' ||
	    strchr(colon + 1, ':') != NULL)
		rc = mgr_error_set(err, MGR_EINVAL, _("func \"%s\": expected "
		    "PLUGIN:FUNCTION [NAME=VALUE ...] or exec:COMMAND ARG..."), func);
	for (size_t i = 1; rc == 0 && argv[i] != NULL; i++)
		if (strchr(argv[i], '=') == NULL || argv[i][0] == '=')
			rc = mgr_error_set(err, MGR_EINVAL, _("func \"%s\": argument "
			    "\"%s\" is not NAME=VALUE"), func, argv[i]);
	strv_free(argv);
	return rc;
}

static int
task_id_check(const char *id, struct mgr_error *err)
{
	if (id == NULL || *id == '\0')
		return mgr_error_set(err, MGR_EINVAL, _("task id is empty"));
	for (const char *p = id; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p) || *p == '/')
			return mgr_error_set(err, MGR_EINVAL,
			    _("task id \"%s\": no blanks, control characters or "
			      "\"/\" allowed"), id);
	return 0;
}

static int
task_numbers_check(const struct task_rec *t, struct mgr_error *err)
{
	if (t->max_retries < 0)
		return mgr_error_set(err, MGR_EINVAL,
		    _("task \"%s\": max_retries %d is negative"), t->id, t->max_retries);
	if (t->timeout < 0)
		return mgr_error_set(err, MGR_EINVAL,
		    _("task \"%s\": timeout %d is negative"), t->id, t->timeout);
	if (t->misfire_grace_time < 0 &&
	    t->misfire_grace_time != TASK_GRACE_DEFAULT)
		return mgr_error_set(err, MGR_EINVAL,
		    _("task \"%s\": misfire_grace_time %d is negative (-1: the "
		      "configured default)"), t->id, t->misfire_grace_time);
	if (t->max_instances < 1)
		return mgr_error_set(err, MGR_EINVAL,
		    _("task \"%s\": max_instances %d must be at least 1"), t->id,
		    t->max_instances);
	return 0;
}

int
task_misfire_grace(const struct mgr *mgr, const struct task_rec *t)
{
	if (t->misfire_grace_time == TASK_GRACE_DEFAULT)
		return mgr->conf->misfire_grace_time;
	return t->misfire_grace_time;
}

/* Parses, pins and stores the trigger fields; sets the next run. */
static int
task_set_trigger(struct task_rec *t, const char *const *fields, size_t n,
		 struct tz_cache *zones, struct mgr_error *err)
{
	struct trigger *trig;
	int64_t now = mgr_now_us(), next;
	char *json;
	int rc;

	if ((rc = trigger_parse_seeded(t->trigger, fields, n, zones, t->id,
	    &trig, err)) != 0)
		return rc;
	if ((rc = trigger_pin(trig, now, err)) != 0 ||
	    (rc = trigger_fields_to_json(trig, &json, err)) != 0) {
		trigger_free(trig);
		return rc;
	}
	free(t->trigger_args);
	t->trigger_args = json;
	next = trigger_next(trig, TRIGGER_NONE, now);
	t->next_run = next == TRIGGER_NONE || !t->enabled ? 0 : next;
	t->next_nominal = 0;	/* no engine has taken it yet (scheduler.c) */
	trigger_free(trig);
	return 0;
}

/* A PLUGIN:FUNCTION task belongs to its plugin, however it was added, so
 * that uninstalling the plugin and its circuit breaker both see it. */
static void
task_set_owner(struct task_rec *t)
{
	size_t len = strcspn(t->func_path, ": \t");

	if (strncmp(t->func_path, "exec:", 5) == 0 || t->func_path[len] != ':')
		return;
	free(t->plugin_id);
	t->plugin_id = xstrndup(t->func_path, len);
}

int
task_prepare(struct task_rec *t, const char *const *fields, size_t n,
	     struct mgr_error *err)
{
	return task_prepare_zones(t, fields, n, NULL, err);
}

int
task_prepare_zones(struct task_rec *t, const char *const *fields, size_t n,
		   struct tz_cache *zones, struct mgr_error *err)
{
	static const char *const none[] = { NULL };
	int rc;

	if ((rc = task_id_check(t->id, err)) != 0 ||
	    (rc = task_func_check(t->func_path, err)) != 0 ||
	    (rc = task_numbers_check(t, err)) != 0)
		return rc;
	task_set_owner(t);
	if (fields == NULL)
		return 0;
	if ((rc = task_set_trigger(t, n > 0 ? fields : none, n, zones, err)) != 0)
		return mgr_error_prefix(err, _("task \"%s\""), t->id);
	return 0;
}

int
taskmgr_add(struct mgr *mgr, struct task_rec *t, const char *const *fields,
	    size_t nfields, struct mgr_error *err)
{
	int rc;

	/* New tasks follow the id rule; tasks stored before it still load,
	 * change and go (task_prepare only refuses what breaks them). */
	if ((rc = mgr_id_check(_("task id"), t->id, err)) != 0 ||
	    (rc = task_prepare(t, fields, nfields, err)) != 0)
		return rc;
	free(t->status);
	t->status = xstrdup(t->enabled ? "scheduled" : "paused");
	if ((rc = task_store_create(mgr->db, t, err)) != 0)
		return rc;
	scheduler_task_changed(mgr, t->id);
	mgr_event(mgr, "task.added", t->id, NULL, "%s %s", t->func_path, t->trigger);
	return 0;
}

int
taskmgr_modify(struct mgr *mgr, struct task_rec *t, const char *const *fields,
	       size_t nfields, struct mgr_error *err)
{
	int rc;

	if ((rc = task_prepare(t, fields, nfields, err)) != 0)
		return rc;
	if ((rc = task_store_update(mgr->db, t, err)) != 0)
		return rc;
	scheduler_task_changed(mgr, t->id);
	mgr_event(mgr, "task.modified", t->id, NULL, "%s %s", t->func_path,
	    t->trigger);
	return 0;
}

int
taskmgr_remove(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	int rc;

	if ((rc = task_store_delete(mgr->db, id, err)) != 0)
		return rc;
	scheduler_task_changed(mgr, id);
	mgr_event(mgr, "task.removed", id, NULL, "%s", _("removed"));
	return 0;
}

/* Pause and resume: APScheduler's pause_job clears the next run time;
 * resume_job computes it afresh from now. */
int
taskmgr_set_enabled(struct mgr *mgr, const char *id, int enabled,
		    struct tz_cache *zones, struct mgr_error *err)
{
	struct task_rec t;
	struct trigger *trig;
	int64_t next;
	int rc;

	memset(&t, 0, sizeof t);
	if ((rc = task_store_read(mgr->db, id, &t, err)) != 0)
		return rc;
	t.enabled = enabled;
	t.next_run = 0;
	if (enabled && (rc = task_trigger_build_zones(&t, zones, &trig,
	    err)) == 0) {
		next = trigger_next(trig, TRIGGER_NONE, mgr_now_us());
		t.next_run = next == TRIGGER_NONE ? 0 : next;
		trigger_free(trig);
	}
	t.next_nominal = 0;	/* no engine has taken it yet (scheduler.c) */
	free(t.status);
	t.status = xstrdup(enabled ? "scheduled" : "paused");
	if (rc == 0)
		rc = task_store_update(mgr->db, &t, err);
	task_rec_clear(&t);
	if (rc != 0)
		return rc;
	scheduler_task_changed(mgr, id);
	mgr_event(mgr, enabled ? "task.resumed" : "task.paused", id, NULL, "%s",
	    enabled ? _("resumed") : _("paused"));
	return 0;
}

int
taskmgr_pause(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	return taskmgr_set_enabled(mgr, id, 0, NULL, err);
}

int
taskmgr_resume(struct mgr *mgr, const char *id, struct mgr_error *err)
{
	return taskmgr_set_enabled(mgr, id, 1, NULL, err);
}

int
taskmgr_get(struct mgr *mgr, const char *id, struct task_rec *out,
	    struct mgr_error *err)
{
	memset(out, 0, sizeof *out);
	return task_store_read(mgr->db, id, out, err);
}

int
taskmgr_list(struct mgr *mgr, struct task_rec **out, size_t *n,
	     struct mgr_error *err)
{
	return task_store_list(mgr->db, out, n, err);
}

int
taskmgr_get_context(struct mgr *mgr, const char *id, struct task_context *c,
		    struct mgr_error *err)
{
	char *json = NULL;
	int rc;

	task_context_init(c);
	if ((rc = task_context_store_get(mgr->db, id, &json, err)) != 0)
		return rc;
	rc = task_context_from_json(json, c, err);
	free(json);
	if (rc != 0)
		return mgr_error_prefix(err, _("task \"%s\": context"), id);
	return 0;
}

int
taskmgr_set_context(struct mgr *mgr, const char *id, const struct task_context *c,
		    struct mgr_error *err)
{
	char *json = task_context_to_json(c);
	int rc = task_context_store_set(mgr->db, id, json, err);

	free(json);
	if (rc == 0)
		scheduler_task_changed(mgr, id);
	return rc;
}
