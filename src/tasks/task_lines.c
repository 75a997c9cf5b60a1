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

/* "Nightly backup!" gives "nightly-backup", as POST /manager/tasks
 * derives an id: the id rule's characters, lower case, runs of others
 * one "-"; "task" when nothing is left. */
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

static char **
push_word(char **w, const char *a, const char *b)
{
	char *s = xasprintf("%s=%s", a, b);

	w = strv_push(w, s);
	free(s);
	return w;
}

/* The options of one field, as POST /manager/tasks writes them on
 * create: "--opt=VALUE" (a value that looks like an option stays a
 * value), a flag, one word per list item ([] empties the list). */
static char **
push_option(char **w, const struct field_def *f, json_t *v)
{
	char num[32], *s;
	json_t *item;
	size_t i;

	switch (f->type) {
	case FIELD_INTEGER:
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return push_word(w, f->option, num);
	case FIELD_BOOLEAN:
		if (json_is_true(v))
			return strv_push(w, f->option);
		s = xasprintf("--no-%s", f->option + 2);
		w = strv_push(w, s);
		free(s);
		return w;
	case FIELD_STRINGS:
		if (json_array_size(v) == 0)
			return push_word(w, f->option, "");
		json_array_foreach(v, i, item)
			w = push_word(w, f->option, json_string_value(item));
		return w;
	default:
		return push_word(w, f->option, json_string_value(v));
	}
}

/* Fields with a road of their own: coalesce and enabled are flags that
 * turn a default off, env is --env per item. */
static char **
push_special(char **w, const char *key, json_t *v)
{
	json_t *item;
	size_t i;

	if (strcmp(key, "coalesce") == 0 && json_is_false(v))
		w = strv_push(w, "--no-coalesce");
	else if (strcmp(key, "enabled") == 0 && json_is_false(v))
		w = strv_push(w, "--disable");
	else if (strcmp(key, "env") == 0)
		json_array_foreach(v, i, item)
			w = push_word(w, "--env", json_string_value(item));
	return w;
}

/* trigger_args {"minutes": 30} become minutes=30. */
static char **
push_trigger_args(char **w, json_t *args)
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
		w = strv_push(w, s);
		free(s);
	}
	return w;
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

/* The words of a checked object: the options of every field set, then
 * "--", ID FUNC TYPE and the trigger fields. */
static char **
object_words(json_t *o, int *derived)
{
	const struct field_def *defs, *f;
	json_t *v, *id = json_object_get(o, "id");
	const char *key;
	char **w = NULL, *derived_id;
	size_t n;

	defs = task_fields(&n);
	json_object_foreach(o, key, v) {
		f = field_find(defs, n, key);
		if ((f->flags & FIELD_READONLY) || json_is_null(v) ||
		    strcmp(key, "id") == 0)
			continue;
		if (f->option != NULL && !((f->flags & FIELD_REQUIRED) &&
		    strcmp(key, "name") != 0))
			w = push_option(w, f, v);
		else
			w = push_special(w, key, v);
	}
	w = strv_push(w, "--");
	*derived = json_is_string(id) ? -1 : (int)strv_len(w);
	derived_id = json_is_string(id) ? NULL :
	    id_from_name(json_string_value(json_object_get(o, "name")));
	w = strv_push(w, derived_id != NULL ? derived_id : json_string_value(id));
	free(derived_id);
	w = strv_push(w, json_string_value(json_object_get(o, "func_path")));
	w = strv_push(w, json_string_value(json_object_get(o, "trigger")));
	return push_trigger_args(w, json_object_get(o, "trigger_args"));
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
