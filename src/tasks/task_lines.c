/* task_lines.c - the lines of `task add --from` as `task add` words
 * (task_lines.h). */
#include "i18n.h"
#include "sandbox.h"
#include "task_fields.h"
#include "task_lines.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A trigger has a dozen fields at most (as the API allows). */
#define LINE_MAX_TRIGGER_ARGS 64

int
task_line_skip(const char *line)
{
	line += strspn(line, " \t\r");
	return *line == '\0' || *line == '#';
}

static int
type_error(const struct field_def *f, const char *what, struct mgr_error *err)
{
	return mgr_error_set(err, MGR_EINVAL, _("field \"%s\": %s"), f->name,
	    what);
}

static int
check_strings(const struct field_def *f, json_t *v, struct mgr_error *err)
{
	json_t *item;
	size_t i;

	if (!json_is_array(v))
		return type_error(f, _("expected a list of strings"), err);
	json_array_foreach(v, i, item)
		if (!json_is_string(item))
			return mgr_error_set(err, MGR_EINVAL, _("field \"%s\": item "
			    "%zu is not a string"), f->name, i);
	return 0;
}

static int
check_trigger_args(const struct field_def *f, json_t *v, struct mgr_error *err)
{
	const char *key;
	json_t *item;

	if (!json_is_object(v))
		return type_error(f, _("expected an object"), err);
	if (json_object_size(v) > LINE_MAX_TRIGGER_ARGS)
		return mgr_error_set(err, MGR_EINVAL, _("field \"%s\": %zu fields: "
		    "at most %d are allowed"), f->name, json_object_size(v),
		    LINE_MAX_TRIGGER_ARGS);
	json_object_foreach(v, key, item)
		if (!json_is_string(item) && !json_is_number(item) &&
		    !json_is_boolean(item))
			return mgr_error_set(err, MGR_EINVAL, _("field \"%s.%s\": "
			    "expected a string, number or boolean"), f->name, key);
	return 0;
}

/* The JSON type the table gives the field; its value's own rules are
 * `task add`'s, once it is a word. */
static int
check_value(const struct field_def *f, json_t *v, struct mgr_error *err)
{
	json_int_t n;

	switch (f->type) {
	case FIELD_STRING:
		return json_is_string(v) ? 0 :
		    type_error(f, _("expected a string"), err);
	case FIELD_BOOLEAN:
		return json_is_boolean(v) ? 0 :
		    type_error(f, _("expected true or false"), err);
	case FIELD_INTEGER:
		if (!json_is_integer(v))
			return type_error(f, _("expected a whole number"), err);
		n = json_integer_value(v);
		if (n < f->min || n > f->max)
			return mgr_error_set(err, MGR_EINVAL, _("field \"%s\": %lld "
			    "is not between %d and %d"), f->name, (long long)n,
			    f->min, f->max);
		return 0;
	case FIELD_STRINGS:
		return check_strings(f, v, err);
	case FIELD_TRIGGER_ARGS:
		return check_trigger_args(f, v, err);
	case FIELD_TIME:
	case FIELD_OBJECT:
	case FIELD_OBJECTS:
		break;
	}
	return 0;
}

/* Every key is a field of the table that a client may set on create
 * (read-only ones are left out, as the API leaves them); null is "not
 * set"; the required ones are there. */
static int
check_object(json_t *o, struct mgr_error *err)
{
	const struct field_def *defs, *f;
	const char *key;
	size_t n;
	json_t *v;
	int rc;

	defs = task_fields(&n);
	json_object_foreach(o, key, v) {
		if ((f = field_find(defs, n, key)) == NULL)
			return mgr_error_set(err, MGR_EINVAL, _("field \"%s\": not a "
			    "field of a task (TaskCreate)"), key);
		if ((f->flags & FIELD_READONLY) || json_is_null(v))
			continue;
		if ((rc = check_value(f, v, err)) != 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		v = json_object_get(o, defs[i].name);
		if ((defs[i].flags & FIELD_REQUIRED) && (v == NULL ||
		    json_is_null(v)))
			return mgr_error_set(err, MGR_EINVAL, _("field \"%s\": "
			    "required"), defs[i].name);
	}
	return 0;
}

/* The words of a checked object: the options of every field set (as
 * POST /manager/tasks builds them), then "--", ID FUNC TYPE and the
 * trigger fields. */
static char **
object_words(json_t *o, int *derived)
{
	json_t *id = json_object_get(o, "id");
	char **w, *derived_id;

	w = strv_push(task_fields_argv(NULL, o, FIELD_CREATE), "--");
	*derived = json_is_string(id) ? -1 : (int)strv_len(w);
	derived_id = json_is_string(id) ? NULL :
	    task_id_from_name(json_string_value(json_object_get(o, "name")));
	w = strv_push(w, derived_id != NULL ? derived_id : json_string_value(id));
	free(derived_id);
	w = strv_push(w, json_string_value(json_object_get(o, "func_path")));
	w = strv_push(w, json_string_value(json_object_get(o, "trigger")));
	return task_trigger_args_argv(w, json_object_get(o, "trigger_args"));
}

static int
json_line_words(const char *line, char ***words, int *derived,
		struct mgr_error *err)
{
	json_error_t jerr;
	json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	int rc;

	if (o == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("column %d: %s"),
		    jerr.column, jerr.text);
	if (!json_is_object(o))
		rc = mgr_error_set(err, MGR_EINVAL, _("not a JSON object"));
	else if ((rc = check_object(o, err)) == 0)
		*words = object_words(o, derived);
	json_decref(o);
	return rc;
}

int
task_line_words(const char *line, char ***words, int *derived,
		struct mgr_error *err)
{
	*words = NULL;
	*derived = -1;
	if (line[strspn(line, " \t")] == '{')
		return json_line_words(line, words, derived, err);
	return exec_split(line, words, err);
}
