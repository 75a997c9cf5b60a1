/* api_tasks.c - POST /manager/tasks and PUT/PATCH /manager/tasks/{id}:
 * the body checked against the task field table (task_fields.h), then
 * carried out as `task add` / `task edit` command lines built from the
 * same table (one road for every action).  A task's answer (GET, and
 * the task after a change) is read straight from the store.
 */
#include "i18n.h"
#include "api_fields.h"
#include "cmd.h"
#include "db.h"
#include "manager.h"
#include "sandbox.h"
#include "scheduler.h"
#include "store.h"
#include "task_add.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a task's answer ---- */

/* What `task show --json` prints (task_show_json, the same function),
 * without running it: a command line in between cost a GET a stream for
 * stdin, the JSON printed, parsed back and printed again, and six read
 * transactions, where one snapshot of three statements does (issue 18).
 * The answer is given again while the store's change mark, read first
 * in the same snapshot, says nothing changed (api_answers.c). */
void
api_task_answer(struct api_call *call, const char *id, int status)
{
	struct mgr_db *db = call->mgr->db;
	int grace = call->mgr->conf->misfire_grace_time;
	struct mgr_error err = { 0 };
	int snapshot = db_read_begin(db, NULL) == 0;
	int64_t mark = snapshot ? db_change_mark(db) : -1;
	const char *known = api_answers_get(call->answers, id, mark, grace);
	json_t *o = NULL;
	int rc = known != NULL ? 0 : task_show_json(call->mgr, id, &o, &err);

	if (snapshot)
		db_read_end(db);
	if (rc != 0)
		api_reply_mgr_error(call, &err);
	else if (known != NULL) {
		free(call->body_out);
		call->status = status;
		call->body_out = xstrdup(known);
	} else {
		api_reply_json(call, status, o);
		if (call->status == status)
			api_answers_put(call->answers, id, mark, grace,
			    call->body_out);
	}
}

/* ---- checks beyond the table's ---- */

/* A func_path is split into words (exec_split) when the task is stored
 * and at each run: refused here, naming the field, when it cannot be. */
static void
func_path_check(json_t *set, json_t **errs)
{
	const char *func = json_string_value(json_object_get(set, "func_path"));
	struct mgr_error err = { 0 };
	char **words;

	if (func == NULL)
		return;
	if (exec_split(strncmp(func, "exec:", 5) == 0 ? func + 5 : func, &words,
	    &err) != 0) {
		api_invalid(errs, "body", "func_path", "value_error",
		    _("Value error, %s"), err.msg);
		return;
	}
	strv_free(words);
}

static void
id_check(json_t *set, json_t **errs)
{
	const char *id = json_string_value(json_object_get(set, "id"));
	struct mgr_error err = { 0 };

	if (id != NULL && mgr_id_check(_("task id"), id, &err) != 0)
		api_invalid(errs, "body", "id", "value_error", _("Value error, %s"),
		    err.msg);
}

/* The body's settable fields, or NULL after a 422. */
static json_t *
task_body(struct api_call *call, enum field_mode mode)
{
	json_t *body = api_body_object(call), *set, *errs = NULL;
	const struct field_def *defs;
	size_t n;

	if (body == NULL)
		return NULL;
	defs = task_fields(&n);
	set = api_fields_check(defs, n, body, mode, &errs);
	json_decref(body);
	if (errs == NULL) {
		func_path_check(set, &errs);
		id_check(set, &errs);
	}
	if (errs == NULL)
		return set;
	json_decref(set);
	api_reply_invalid(call, errs);
	return NULL;
}

/* ---- POST /manager/tasks ---- */

/* Tasks created over HTTP say so (`task add` writes "cli"). */
static void
mark_source_api(struct mgr *mgr, const char *id)
{
	struct mgr_error err = { 0 };
	struct task_rec t;

	if (task_store_read(mgr->db, id, &t, &err) != 0)
		return;
	free(t.source);
	t.source = xstrdup("api");
	if (task_store_update(mgr->db, &t, &err) != 0)
		log_warning(&mgr->log, "api: task %s: %s", id, err.msg);
	task_rec_clear(&t);
	scheduler_task_changed(mgr, id);
}

/* `task add` of the body's fields as id. */
static char **
task_add_argv(json_t *set, const char *id)
{
	char **argv = task_fields_argv(strv_push(strv_push(NULL, "task"), "add"), set,
	    FIELD_CREATE);

	argv = strv_push(strv_push(argv, "--"), id);
	argv = strv_push(argv, json_string_value(json_object_get(set,
	    "func_path")));
	argv = strv_push(argv, json_string_value(json_object_get(set, "trigger")));
	return task_trigger_args_argv(argv, json_object_get(set, "trigger_args"));
}

/* A body without an id takes one from its name: the name's, then the
 * first free "-2", "-3" ... "-100".  The id to try after id was taken,
 * or NULL (the body names its id, or every one was taken). */
static char *
next_derived_id(json_t *set, const char *id)
{
	char *base, *next = NULL, *end;
	size_t len;
	long n = 1;

	if (json_is_string(json_object_get(set, "id")))
		return NULL;
	base = task_id_from_name(json_string_value(json_object_get(set, "name")));
	len = strlen(base);
	if (strcmp(id, base) != 0 && strncmp(id, base, len) == 0 &&
	    id[len] == '-')
		n = strtol(id + len + 1, &end, 10);
	if (n < 100)
		next = xasprintf("%s-%ld", base, n + 1);
	free(base);
	return next;
}

static void task_created(struct api_call *call, int status, const char *out,
			 const char *errout, const char *noun, const char *id);

/* `task add` through api_run_argv_then: a PLUGIN:FUNCTION is checked
 * against the engine's list of the plugin's functions, which may still
 * be being made (the request then waits, the loop free). */
static void
task_try_add(struct api_call *call, json_t *set, const char *id)
{
	api_run_argv_then(call, task_add_argv(set, id), task_created, "task", id);
}

static void
task_created(struct api_call *call, int status, const char *out,
	     const char *errout, const char *noun, const char *id)
{
	json_t *set;
	char *next;

	(void)out;
	(void)noun;
	if (status == 4 && (set = task_body(call, FIELD_CREATE)) != NULL) {
		next = next_derived_id(set, id);
		if (next != NULL)
			task_try_add(call, set, next);
		json_decref(set);
		if (next != NULL) {
			free(next);
			return;
		}
	}
	if (status != 0)
		api_reply_failed(call, status, errout);
	else {
		mark_source_api(call->mgr, id);
		snprintf(call->location, sizeof call->location,
		    "/manager/tasks/%s", id);
		api_reply_show(call, "task", id, 201);
	}
}

void
api_task_create(struct api_call *call, const char *unused)
{
	json_t *set = task_body(call, FIELD_CREATE), *v;
	char *id;

	(void)unused;
	if (set == NULL)
		return;
	v = json_object_get(set, "id");
	id = json_is_string(v) ? xstrdup(json_string_value(v)) :
	    task_id_from_name(json_string_value(json_object_get(set, "name")));
	task_try_add(call, set, id);
	free(id);
	json_decref(set);
}

/* ---- PUT and PATCH /manager/tasks/{id} ---- */

/* After `task edit`: "enabled" is `task pause` or `task resume` (so
 * that status follows), then the task as GET shows it. */
static void
task_edited(struct api_call *call, int status, const char *out,
	    const char *errout, const char *noun, const char *id)
{
	json_t *set, *enabled;

	(void)out;
	if (status != CMD_EXIT_OK) {
		api_reply_failed(call, status, errout);
		return;
	}
	if ((set = task_body(call, FIELD_UPDATE)) == NULL)
		return;
	enabled = json_object_get(set, "enabled");
	if (enabled != NULL)
		api_run_argv_then(call, strv_push(strv_push(strv_push(strv_push(
		    NULL, "task"), json_is_true(enabled) ? "resume" : "pause"),
		    "--"), id), api_then_show, noun, id);
	else
		api_reply_show(call, noun, id, 200);
	json_decref(set);
}

/* `task edit` for every field but enabled, through api_run_argv_then: a
 * PLUGIN:FUNCTION is checked against the engine's list of the plugin's
 * functions, which may still be being made (the request then waits, the
 * loop free). */
void
api_task_update(struct api_call *call, const char *id)
{
	json_t *set = task_body(call, FIELD_UPDATE);
	char **argv;

	if (set == NULL)
		return;
	json_object_del(set, "enabled");
	if (json_object_size(set) > 0) {
		argv = strv_push(strv_push(strv_push(NULL, "task"), "edit"), id);
		argv = strv_push(task_fields_argv(argv, set, FIELD_UPDATE), "--");
		argv = task_trigger_args_argv(argv, json_object_get(set, "trigger_args"));
		api_run_argv_then(call, argv, task_edited, "task", id);
	} else
		task_edited(call, CMD_EXIT_OK, NULL, NULL, "task", id);
	json_decref(set);
}
