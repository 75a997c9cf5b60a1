/* test_api_fields.c - the HTTP API's checks of a body against the task
 * field table (one {loc, msg, type} per wrong value, read-only fields
 * ignored, required ones on create), and the one form of its answers
 * (times RFC 3339 UTC ms Z, durations to the millisecond, trigger_args
 * numbers). */
#include "testutil.h"
#include "api_fields.h"
#include "cmd.h"
#include "scheduler.h"
#include "task_fields.h"

#include <jansson.h>
#include <string.h>

static json_t *
check(const char *body, enum field_mode mode, json_t **errs)
{
	const struct field_def *defs;
	json_t *b = json_loads(body, 0, NULL), *set;
	size_t n;

	assert_non_null(b);
	defs = task_fields(&n);
	*errs = NULL;
	set = api_fields_check(defs, n, b, mode, errs);
	json_decref(b);
	return set;
}

/* The i-th error as "loc1.loc2:type". */
static char *
error_at(json_t *errs, size_t i)
{
	json_t *e = json_array_get(errs, i), *loc = json_object_get(e, "loc"), *v;
	char buf[256] = "";
	size_t j;

	json_array_foreach(loc, j, v) {
		char part[64];
		if (json_is_integer(v))
			snprintf(part, sizeof part, "%lld", (long long)json_integer_value(v));
		else
			snprintf(part, sizeof part, "%s", json_string_value(v));
		strcat(buf, j > 0 ? "." : "");
		strcat(buf, part);
	}
	strcat(buf, ":");
	strcat(buf, json_string_value(json_object_get(e, "type")));
	return strdup(buf);
}

static void
assert_errors(json_t *errs, const char *const *want)
{
	size_t n = 0;

	for (; want[n] != NULL; n++) {
		char *got = error_at(errs, n);
		assert_string_equal(got, want[n]);
		free(got);
	}
	assert_int_equal(json_array_size(errs), n);
}

static void
test_create_errors(void **state)
{
	static const char *const want[] = { "body.name:string_type",
	    "body.trigger:literal_error", "body.max_instances:greater_than_equal",
	    "body.nice:less_than_equal", "body.env.1:string_type",
	    "body.colour:extra_forbidden", "body.func_path:missing", NULL };
	json_t *errs, *set = check("{\"name\": 5, \"trigger\": \"weekly\", "
	    "\"max_instances\": 0, \"nice\": 20, \"env\": [\"A=1\", 2], "
	    "\"colour\": 1}", FIELD_CREATE, &errs);

	(void)state;
	assert_non_null(errs);
	assert_errors(errs, want);
	json_decref(errs);
	json_decref(set);
}

/* A body taken from GET: read-only fields are left out, not refused;
 * id is set only on create. */
static void
test_update_ignores_read_only(void **state)
{
	json_t *errs, *set = check("{\"id\": \"t\", \"name\": \"n\", \"status\": "
	    "\"paused\", \"next_run\": null, \"source\": \"api\", \"enabled\": "
	    "true, \"misfire_grace_time\": null, \"timeout\": null}",
	    FIELD_UPDATE, &errs);

	(void)state;
	assert_null(errs);
	assert_int_equal(json_object_size(set), 3);
	assert_non_null(json_object_get(set, "name"));
	assert_non_null(json_object_get(set, "enabled"));
	/* nullable: null is a value (back to the default) */
	assert_true(json_is_null(json_object_get(set, "misfire_grace_time")));
	/* not nullable: null in an update is "not given" */
	assert_null(json_object_get(set, "timeout"));
	json_decref(set);
}

static void
test_trigger_args_values(void **state)
{
	static const char *const want[] = { "body.trigger_args.x:value_error",
	    NULL };
	json_t *errs, *set = check("{\"trigger_args\": {\"hour\": 4, \"minute\": "
	    "\"*/5\", \"jitter\": 1.5, \"x\": [1]}}", FIELD_UPDATE, &errs);

	(void)state;
	assert_errors(errs, want);
	json_decref(errs);
	json_decref(set);
}

static void
test_normalize(void **state)
{
	json_t *o = json_loads("{\"next_run\": \"2026-03-02T09:00:00.123456+01:00\", "
	    "\"created_at\": \"2026-03-02T08:00:00Z\", \"name\": "
	    "\"2026-03-02 is a name\", \"duration\": 0.0023540000000000002, "
	    "\"trigger_args\": {\"hour\": \"4\", \"minute\": \"*/5\", \"day\": "
	    "\"05\", \"start_date\": \"2026-03-02T08:00:00+00:00\"}}", 0, NULL);

	(void)state;
	api_normalize(o);
	assert_string_equal(json_string_value(json_object_get(o, "next_run")),
	    "2026-03-02T08:00:00.123Z");
	assert_string_equal(json_string_value(json_object_get(o, "created_at")),
	    "2026-03-02T08:00:00.000Z");
	assert_string_equal(json_string_value(json_object_get(o, "name")),
	    "2026-03-02 is a name");
	assert_true(json_real_value(json_object_get(o, "duration")) == 0.002);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o,
	    "trigger_args"), "hour")), 4);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "trigger_args"), "minute")), "*/5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "trigger_args"), "day")), "05");
	assert_string_equal(json_string_value(json_object_get(json_object_get(o,
	    "trigger_args"), "start_date")), "2026-03-02T08:00:00.000Z");
	json_decref(o);
}

static const struct cmd_option *
option_of(const struct cmd_entry *e, const char *name)
{
	for (const struct cmd_option *o = e->options; o != NULL &&
	    o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* The field table names the command-line option of each field (the API
 * builds `task add` and `task edit` lines from it): every one of them is
 * an option of `task edit`, and of `task add` unless it is positional
 * there (func, trigger); a boolean is a flag, any other field takes a
 * value.  A field added to the table without its option fails here. */
static void
test_field_options_exist(void **state)
{
	const struct cmd_entry *const *const lists[] = { task_commands, NULL };
	const struct cmd_table table = { lists, NULL };
	const struct cmd_entry *add = cmd_find(&table, "task", "add");
	const struct cmd_entry *edit = cmd_find(&table, "task", "edit");
	const struct field_def *v;
	size_t n, checked = 0;

	(void)state;
	assert_non_null(add);
	assert_non_null(edit);
	v = task_fields(&n);
	for (size_t i = 0; i < n; i++) {
		const struct cmd_option *o;
		const char *name = v[i].option;
		if (name == NULL)
			continue;
		assert_true(strncmp(name, "--", 2) == 0);
		name += 2;
		o = option_of(edit, name);
		if (o == NULL)
			fail_msg("field %s: task edit has no --%s", v[i].name, name);
		if ((v[i].type == FIELD_BOOLEAN) != (o->value == NULL))
			fail_msg("field %s: --%s %s a value", v[i].name, name,
			    o->value == NULL ? "takes no" : "takes");
		if (option_of(add, name) == NULL && strcmp(name, "func") != 0 &&
		    strcmp(name, "trigger") != 0)
			fail_msg("field %s: task add has no --%s", v[i].name, name);
		checked++;
	}
	assert_true(checked >= 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_update_ignores_read_only),
		cmocka_unit_test(test_trigger_args_values),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_field_options_exist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
