/* api_tasks.c - POST /manager/tasks and PUT/PATCH /manager/tasks/{id}:
 * the body checked against the task field table (task_fields.h), then
 * carried out as `task add` / `task edit` command lines built from the
 * same table (one road for every action).
 */
#include "i18n.h"
#include "api_fields.h"
#include "manager.h"
#include "sandbox.h"
#include "scheduler.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- command lines from the table ---- */

/* The word "A=B" ("--opt=VALUE"). */
static char **
push_word(char **argv, const char *a, const char *b)
{
	char *w = xasprintf("%s=%s", a, b);

	argv = strv_push(argv, w);
	free(w);
	return argv;
}

/* A boolean option: "--network" or "--no-network". */
static char **
push_flag(char **argv, const char *option, int on)
{
	char *w = on ? xstrdup(option) : xasprintf("--no-%s", option + 2);

	argv = strv_push(argv, w);
	free(w);
	return argv;
}

/* A list: "--after=A" per item; [] is "--after=", which empties it. */
static char **
push_list(char **argv, const char *option, json_t *a)
{
	json_t *item;
	size_t i;

	if (json_array_size(a) == 0)
		return push_word(argv, option, "");
	json_array_foreach(a, i, item)
		argv = push_word(argv, option, json_string_value(item));
	return argv;
}

/* One word "--opt=VALUE" per field that has an option: a value that
 * looks like an option ("--func") can never be taken for one. */
static char **
push_option(char **argv, const struct field_def *f, json_t *v,
	    enum field_mode mode)
{
	char num[32];

	if (json_is_null(v)) {		/* nullable: back to none/default */
		if (mode == FIELD_UPDATE)
			argv = push_word(argv, f->option,
			    f->type == FIELD_INTEGER ? "default" : "");
		return argv;
	}
	if (f->type == FIELD_INTEGER) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return push_word(argv, f->option, num);
	}
	if (f->type == FIELD_BOOLEAN)
		return push_flag(argv, f->option, json_is_true(v));
	if (f->type == FIELD_STRINGS)
		return push_list(argv, f->option, v);
	return push_word(argv, f->option, json_string_value(v));
}

/* Fields with a road of their own: coalesce, enabled (on create), env. */
static char **
push_special(char **argv, const char *key, json_t *v, enum field_mode mode)
{
	json_t *item;
	size_t i;

	if (strcmp(key, "coalesce") == 0 && (mode == FIELD_UPDATE ||
	    json_is_false(v)))
		argv = strv_push(argv, json_is_true(v) ? "--coalesce" :
		    "--no-coalesce");
	else if (strcmp(key, "enabled") == 0 && mode == FIELD_CREATE &&
	    json_is_false(v))
		argv = strv_push(argv, "--disable");
	else if (strcmp(key, "env") == 0)
		json_array_foreach(v, i, item)
			argv = push_word(argv, "--env", json_string_value(item));
	return argv;
}

/* trigger_args {"minutes": 30} become minutes=30. */
static char **
push_trigger_args(char **argv, json_t *args)
{
	const char *key;
	json_t *v;
	char *s;

	json_object_foreach(args, key, v) {
		if (json_is_string(v))
			s = xasprintf("%s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			s = xasprintf("%s=%lld", key, (long long)json_integer_value(v));
		else if (json_is_real(v))
			s = xasprintf("%s=%.17g", key, json_real_value(v));
		else
			s = xasprintf("%s=%s", key, json_is_true(v) ? "true" : "false");
		argv = strv_push(argv, s);
		free(s);
	}
	return argv;
}

/* The options of every field set; on create func_path and trigger are
 * positional (`task add ID FUNC TYPE`). */
static char **
push_fields(char **argv, json_t *set, enum field_mode mode)
{
	const struct field_def *defs, *f;
	const char *key;
	size_t n;
	json_t *v;

	defs = task_fields(&n);
	json_object_foreach(set, key, v) {
		f = field_find(defs, n, key);
		if (f->option != NULL && !(mode == FIELD_CREATE &&
		    (f->flags & FIELD_REQUIRED) && strcmp(key, "name") != 0))
			argv = push_option(argv, f, v, mode);
		else
			argv = push_special(argv, key, v, mode);
	}
	return argv;
}

/* ---- POST /manager/tasks ---- */

/* "Nightly backup!" gives "nightly-backup": the id rule's characters,
 * lower case, runs of others one "-"; "task" when nothing is left. */
static char *
id_from_name(const char *name)
{
	struct strbuf b = { 0 };
	int dash = 0;

	for (const char *p = name; *p != '\0' && b.len < 64; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalnum(c) || ((c == '_' || c == '.') && b.len > 0)) {
			if (dash && b.len > 0)
				strbuf_adds(&b, "-");
			strbuf_add(&b, (const char[]){ (char)tolower(c) }, 1);
			dash = 0;
		} else
			dash = 1;
	}
	if (b.len == 0)
		strbuf_adds(&b, "task");
	return strbuf_detach(&b);
}

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

static int
task_add(struct api_call *call, json_t *set, const char *id, char **errout)
{
	char **argv = push_fields(strv_push(strv_push(NULL, "task"), "add"), set,
	    FIELD_CREATE);
	char *out = NULL;
	int status;

	argv = strv_push(strv_push(argv, "--"), id);
	argv = strv_push(argv, json_string_value(json_object_get(set,
	    "func_path")));
	argv = strv_push(argv, json_string_value(json_object_get(set, "trigger")));
	argv = push_trigger_args(argv, json_object_get(set, "trigger_args"));
	status = api_run_argv(call, argv, &out, errout);
	free(out);
	return status;
}

void
api_task_create(struct api_call *call, const char *unused)
{
	json_t *set = task_body(call, FIELD_CREATE), *v;
	char *base, *id, *errout = NULL;
	int status, derived, tries = 0;

	(void)unused;
	if (set == NULL)
		return;
	v = json_object_get(set, "id");
	derived = !json_is_string(v);
	base = derived ? id_from_name(json_string_value(json_object_get(set,
	    "name"))) : xstrdup(json_string_value(v));
	id = xstrdup(base);
	/* A derived id takes the first free "-2", "-3" ... */
	while ((status = task_add(call, set, id, &errout)) == 4 && derived &&
	    ++tries < 100) {
		free(id);
		free(errout);
		id = xasprintf("%s-%d", base, tries + 1);
	}
	if (status != 0)
		api_reply_failed(call, status, errout);
	else {
		mark_source_api(call->mgr, id);
		snprintf(call->location, sizeof call->location,
		    "/manager/tasks/%s", id);
		api_reply_show(call, "task", id, 201);
	}
	free(errout);
	free(id);
	free(base);
	json_decref(set);
}

/* ---- PUT and PATCH /manager/tasks/{id} ---- */

/* `task edit` for every field but enabled, which is `task pause` or
 * `task resume` (so that status follows); 0, or the failed exit status
 * with *errout. */
static int
task_edit(struct api_call *call, json_t *set, const char *id, char **errout)
{
	json_t *enabled = json_object_get(set, "enabled");
	char **argv, *out = NULL;
	int status = 0;

	json_incref(enabled);
	json_object_del(set, "enabled");
	if (json_object_size(set) > 0) {
		argv = strv_push(strv_push(strv_push(NULL, "task"), "edit"), id);
		argv = strv_push(push_fields(argv, set, FIELD_UPDATE), "--");
		argv = push_trigger_args(argv, json_object_get(set, "trigger_args"));
		status = api_run_argv(call, argv, &out, errout);
		free(out);
		out = NULL;
	}
	if (status == 0 && enabled != NULL) {
		free(*errout);
		argv = strv_push(strv_push(strv_push(strv_push(NULL, "task"),
		    json_is_true(enabled) ? "resume" : "pause"), "--"), id);
		status = api_run_argv(call, argv, &out, errout);
		free(out);
	}
	json_decref(enabled);
	return status;
}

void
api_task_update(struct api_call *call, const char *id)
{
	json_t *set = task_body(call, FIELD_UPDATE);
	char *errout = NULL;
	int status;

	if (set == NULL)
		return;
	if ((status = task_edit(call, set, id, &errout)) != 0)
		api_reply_failed(call, status, errout);
	else
		api_reply_show(call, "task", id, 200);
	free(errout);
	json_decref(set);
}
