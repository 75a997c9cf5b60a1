/* fuzz_trigger.c - trigger_parse, then trigger_next/describe/fields on
 * whatever parses.  Input: first line the type ("interval", "cron",
 * "date"), each further line one NAME=VALUE field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzz_common.h"
#include "trigger.h"

#define MAX_FIELDS 16

static void
exercise(struct trigger *t)
{
	/* 2026-03-29 01:00 UTC, a DST change in Europe.  A cron that can
	 * never match is searched up to year 9999 (some 30 ms natively,
	 * far more under the sanitizers), so such a trigger is searched
	 * once only. */
	const int64_t now = INT64_C(1774746000000000);
	struct mgr_error err = { 0 };
	char *json = NULL;
	int64_t prev = TRIGGER_NONE;
	size_t i, n;
	int k;

	for (k = 0; k < 4; k++) {
		prev = trigger_next(t, prev, now);
		if (prev == TRIGGER_NONE)
			break;
	}
	free(trigger_describe(t));
	n = trigger_field_count(t);
	for (i = 0; i < n; i++) {
		(void)trigger_field_name(t, i);
		(void)trigger_field_value(t, i);
	}
	if (trigger_fields_to_json(t, &json, &err) == 0)
		free(json);
	if (k > 0 && trigger_pin(t, now, &err) == 0)
		(void)trigger_next(t, TRIGGER_NONE, now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *p, *nl;
	const char *fields[MAX_FIELDS];
	struct mgr_error err = { 0 };
	struct trigger *t = NULL;
	size_t n = 0;
	const char *type;

	setenv("TZ", "Europe/Berlin", 1);
	type = text;
	p = strchr(text, '\n');
	if (p != NULL) {
		*p++ = '\0';
		while (p != NULL && n < MAX_FIELDS) {
			nl = strchr(p, '\n');
			if (nl != NULL)
				*nl++ = '\0';
			fields[n++] = p;
			p = nl;
		}
	}
	if (trigger_parse(type, fields, n, &t, &err) == 0) {
		exercise(t);
		trigger_free(t);
	} else if (err.msg[0] == '\0') {
		abort();	/* every failure must say why */
	}
	free(text);
	return 0;
}
