/* api_fields.c - request bodies checked against a field table
 * (task_fields.h): each wrong field is one {loc, msg, type} of the 422,
 * with Pydantic's type codes, so a FastAPI client reads them as it would
 * the seed's.
 */
#include "i18n.h"
#include "api_fields.h"
#include "util.h"

#include <string.h>

#define API_MAX_TRIGGER_ARGS 64

static void
values_text(struct strbuf *b, const char *const *values)
{
	for (size_t i = 0; values[i] != NULL; i++)
		strbuf_addf(b, "%s'%s'", i == 0 ? "" : values[i + 1] == NULL ?
		    " or " : ", ", values[i]);
}

static void
check_string(const struct field_def *f, json_t *v, json_t **errs)
{
	struct strbuf b = { 0 };
	size_t i;

	if (!json_is_string(v)) {
		api_invalid(errs, "body", f->name, "string_type",
		    _("Input should be a valid string"));
		return;
	}
	if (f->values == NULL)
		return;
	for (i = 0; f->values[i] != NULL; i++)
		if (strcmp(f->values[i], json_string_value(v)) == 0)
			return;
	values_text(&b, f->values);
	api_invalid(errs, "body", f->name, "literal_error",
	    _("Input should be %s"), b.buf);
	strbuf_free(&b);
}

static void
check_integer(const struct field_def *f, json_t *v, json_t **errs)
{
	json_int_t n = json_integer_value(v);

	if (!json_is_integer(v))
		api_invalid(errs, "body", f->name, "int_type",
		    _("Input should be a valid integer"));
	else if (n < f->min)
		api_invalid(errs, "body", f->name, "greater_than_equal",
		    _("Input should be greater than or equal to %d"), f->min);
	else if (n > f->max)
		api_invalid(errs, "body", f->name, "less_than_equal",
		    _("Input should be less than or equal to %d"), f->max);
}

static void
check_strings(const struct field_def *f, json_t *v, json_t **errs)
{
	json_t *item;
	size_t i;

	if (!json_is_array(v)) {
		api_invalid(errs, "body", f->name, "list_type",
		    _("Input should be a valid list"));
		return;
	}
	json_array_foreach(v, i, item)
		if (!json_is_string(item)) {
			char *loc = xasprintf("%s.%zu", f->name, i);
			api_invalid(errs, "body", loc, "string_type",
			    _("Input should be a valid string"));
			free(loc);
		}
}

/* A trigger has a dozen fields at most; a body of many thousand would
 * only cost time (each becomes a word of the command line). */
static void
check_trigger_args(const struct field_def *f, json_t *v, json_t **errs)
{
	const char *key;
	json_t *item;

	if (!json_is_object(v)) {
		api_invalid(errs, "body", f->name, "dict_type",
		    _("Input should be a valid dictionary"));
		return;
	}
	if (json_object_size(v) > API_MAX_TRIGGER_ARGS) {
		api_invalid(errs, "body", f->name, "too_long", _("%zu fields: at "
		    "most %d are allowed"), json_object_size(v),
		    API_MAX_TRIGGER_ARGS);
		return;
	}
	json_object_foreach(v, key, item)
		if (!json_is_string(item) && !json_is_number(item) &&
		    !json_is_boolean(item)) {
			char *loc = xasprintf("%s.%s", f->name, key);
			api_invalid(errs, "body", loc, "value_error", _("Value "
			    "error, %s must be a string, number or boolean"), loc);
			free(loc);
		}
}

static void
check_value(const struct field_def *f, json_t *v, json_t **errs)
{
	switch (f->type) {
	case FIELD_STRING:	check_string(f, v, errs); break;
	case FIELD_INTEGER:	check_integer(f, v, errs); break;
	case FIELD_STRINGS:	check_strings(f, v, errs); break;
	case FIELD_TRIGGER_ARGS: check_trigger_args(f, v, errs); break;
	case FIELD_OBJECT:
		if (!json_is_object(v))
			api_invalid(errs, "body", f->name, "dict_type",
			    _("Input should be a valid dictionary"));
		break;
	case FIELD_BOOLEAN:
		if (!json_is_boolean(v))
			api_invalid(errs, "body", f->name, "bool_type",
			    _("Input should be a valid boolean"));
		break;
	case FIELD_TIME:	/* read-only everywhere */
	case FIELD_OBJECTS:
		break;
	}
}

/* Whether the client sets f: read-only fields (and those set only on
 * create) are ignored, so a body taken from GET goes back as it is. */
static int
settable(const struct field_def *f, enum field_mode mode)
{
	return !(f->flags & FIELD_READONLY) &&
	    !(mode == FIELD_UPDATE && (f->flags & FIELD_CREATE_ONLY));
}

json_t *
api_fields_check(const struct field_def *defs, size_t n, json_t *body,
		 enum field_mode mode, json_t **errs)
{
	json_t *set = json_object(), *v;
	const char *key;

	json_object_foreach(body, key, v) {
		const struct field_def *f = field_find(defs, n, key);

		if (f == NULL) {
			api_invalid(errs, "body", key, "extra_forbidden",
			    _("Extra inputs are not permitted"));
			continue;
		}
		if (!settable(f, mode))
			continue;
		/* Optional[...] = None in an update: not set. */
		if (json_is_null(v) && !(f->flags & FIELD_NULLABLE)) {
			if (mode == FIELD_CREATE && (f->flags & FIELD_REQUIRED))
				check_value(f, v, errs);
			continue;
		}
		if (!json_is_null(v))
			check_value(f, v, errs);
		json_object_set(set, key, v);
	}
	for (size_t i = 0; mode == FIELD_CREATE && i < n; i++)
		if ((defs[i].flags & FIELD_REQUIRED) &&
		    json_object_get(body, defs[i].name) == NULL)
			api_invalid(errs, "body", defs[i].name, "missing",
			    _("Field required"));
	return set;
}
