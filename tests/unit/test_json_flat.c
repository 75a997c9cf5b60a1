/* test_json_flat.c - the flat reader of stored trigger_args gives the
 * fields jansson gives, for every text it accepts, and leaves the rest
 * to jansson. */
#include "testutil.h"
#include "json_flat.h"

#include <jansson.h>

/* What trigger_args_fields made of json before the flat reader: the
 * reference. NULL when jansson refuses it or a value is neither a
 * string nor a number. */
static char *
by_jansson(const char *json)
{
	json_t *o = json_loads(json, 0, NULL), *v;
	struct strbuf sb = STRBUF_INIT;
	const char *key;

	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	strbuf_adds(&sb, "[");
	json_object_foreach(o, key, v) {
		if (json_is_string(v))
			strbuf_addf(&sb, "%s=%s|", key, json_string_value(v));
		else if (json_is_integer(v))
			strbuf_addf(&sb, "%s=%lld|", key,
			    (long long)json_integer_value(v));
		else if (json_is_real(v))
			strbuf_addf(&sb, "%s=%.15g|", key, json_real_value(v));
		else {
			json_decref(o);
			strbuf_free(&sb);
			return NULL;
		}
	}
	json_decref(o);
	return strbuf_detach(&sb);
}

static char *
by_flat(const char *json)
{
	struct strbuf sb = STRBUF_INIT;
	char **f = (char **)1;

	if (json_flat_fields(json, &f) != 0)
		return NULL;
	strbuf_adds(&sb, "[");
	for (size_t i = 0; f != NULL && f[i] != NULL; i++)
		strbuf_addf(&sb, "%s|", f[i]);
	strv_free(f);
	return strbuf_detach(&sb);
}

static void
same(const char *json)
{
	char *a = by_flat(json), *b = by_jansson(json);

	print_message("# %s -> %s\n", json, a != NULL ? a : "(jansson's)");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
left_to_jansson(const char *json)
{
	char **f = NULL;

	print_message("# left to jansson: %s\n", json);
	assert_int_equal(json_flat_fields(json, &f), -1);
	assert_null(f);
}

static void
test_flat_objects(void **state)
{
	(void)state;
	same("{}");
	same(" { } ");
	same("{\"seconds\": 5}");
	same("{\"hour\": \"3\", \"minute\": \"*/5\", \"timezone\": \"Europe/Berlin\"}");
	same("{\"a\":-12,\"b\":0,\"c\":-0,\"d\":9223372036854775807}");
	same("{\"run_date\": \"2026-12-01 10:00:00\"}");
	same("{\"s\": \"q\\\"uote \\\\ back\\/slash \\t tab \\n nl\"}");
	same("\n{\n\t\"x\" :\r\n \"y\" \n}\n");
}

static void
test_others_left_to_jansson(void **state)
{
	(void)state;
	left_to_jansson("{\"seconds\": 0.1}");	/* a real: jansson's own */
	left_to_jansson("{\"seconds\": 1e3}");
	left_to_jansson("{\"a\": 01}");
	left_to_jansson("{\"a\": 99999999999999999999}");
	left_to_jansson("{\"a\": \"\\u00e9\"}");
	left_to_jansson("{\"a\": \"\xc3\xa9\"}");
	left_to_jansson("{\"a\": \"\\u0000\"}");
	left_to_jansson("{\"a\": true}");
	left_to_jansson("{\"a\": null}");
	left_to_jansson("{\"a\": [1]}");
	left_to_jansson("{\"a\": {\"b\": 1}}");
	left_to_jansson("{\"a\": 1, \"a\": 2}");
	left_to_jansson("{\"a=b\": 1}");
	left_to_jansson("{\"\": 1}");
	left_to_jansson("{\"a\": 1,}");
	left_to_jansson("{\"a\": 1} x");
	left_to_jansson("{\"a\" 1}");
	left_to_jansson("{\"a\": \"tab\there\"}");
	left_to_jansson("{\"a\": \"\\x\"}");
	left_to_jansson("{\"a\": \"open");
	left_to_jansson("[1]");
	left_to_jansson("");
	left_to_jansson("{");
}

/* Objects written by jansson itself, as the store writes trigger_args:
 * every printable ASCII character in names and values, and integers. */
static void
test_jansson_written(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		json_t *o = json_object();
		char name[16], value[24], *text, *a, *b;
		int n = (int)(seed % 5);

		for (int i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			snprintf(name, sizeof name, "k%d", i);
			for (size_t j = 0; j < sizeof value - 1; j++) {
				seed = seed * 1103515245 + 12345;
				value[j] = (char)(0x20 + (seed >> 16) % 95);
			}
			value[seed % (sizeof value)] = '\0';
			value[sizeof value - 1] = '\0';
			if (seed & 0x100)
				json_object_set_new(o, name, json_string(value));
			else
				json_object_set_new(o, name,
				    json_integer((json_int_t)seed - 2000000000));
		}
		text = json_dumps(o, round % 2 ? JSON_COMPACT : 0);
		a = by_flat(text);
		b = by_jansson(text);
		assert_non_null(a);
		assert_non_null(b);
		assert_string_equal(a, b);
		free(a);
		free(b);
		free(text);
		json_decref(o);
		seed = seed * 1103515245 + 12345;
	}
}

/* fmt_int64 (the numbers of a flat object, a trigger's decimals) writes
 * what "%lld" writes, the extremes included. */
static void
test_fmt_int64(void **state)
{
	const int64_t fixed[] = { 0, 1, -1, 9, 10, -10, 999999, 1000000,
	    INT64_MAX, INT64_MIN, INT64_MIN + 1 };
	char got[32], want[32];
	uint64_t x = 2463534242ULL;

	(void)state;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		snprintf(want, sizeof want, "%lld", (long long)fixed[i]);
		assert_int_equal(fmt_int64(got, fixed[i]), strlen(want));
		assert_string_equal(got, want);
	}
	for (int k = 0; k < 100000; k++) {
		int64_t v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = (int64_t)(x >> (k % 60));	/* every magnitude */
		v = k % 2 ? -v : v;
		snprintf(want, sizeof want, "%lld", (long long)v);
		assert_int_equal(fmt_int64(got, v), strlen(want));
		assert_string_equal(got, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_objects),
		cmocka_unit_test(test_fmt_int64),
		cmocka_unit_test(test_others_left_to_jansson),
		cmocka_unit_test(test_jansson_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
