/* test_calendar.c - systemd calendar events (trigger type "calendar"):
 * systemd.time(7)'s examples, daylight saving in five zones, errors, and
 * the trigger around them.  The expected times were taken from
 * systemd-analyze calendar --base-time=... --iterations=4 (systemd 252,
 * Debian 12); tests/sched/calendar.sh compares hundreds more live. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "calendar.h"
#include "error.h"
#include "timefmt.h"
#include "trigger.h"
#include "tz.h"

static int64_t
at(const char *text)
{
	struct mgr_error err;
	int64_t us;

	if (timefmt_parse(text, NULL, &us, &err) != 0)
		fail_msg("%s", err.msg);
	return us;
}

static struct calendar *
cal(const char *text)
{
	struct calendar *c = NULL;
	struct mgr_error err;

	if (calendar_parse(text, NULL, &c, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
	return c;
}

/* systemd.time(7), "Examples for valid timestamps and their normalized
 * form", then the shorthands and its other examples. */
static const struct {
	const char *expr, *normalized;
} man_examples[] = {
	{ "Sat,Thu,Mon..Wed,Sat..Sun", "Mon..Thu,Sat,Sun *-*-* 00:00:00" },
	{ "Mon,Sun 12-*-* 2,1:23", "Mon,Sun 2012-*-* 01,02:23:00" },
	{ "Wed *-1", "Wed *-*-01 00:00:00" },
	{ "Wed..Wed,Wed *-1", "Wed *-*-01 00:00:00" },
	{ "Wed, 17:48", "Wed *-*-* 17:48:00" },
	{ "Wed..Sat,Tue 12-10-15 1:2:3", "Tue..Sat 2012-10-15 01:02:03" },
	{ "*-*-7 0:0:0", "*-*-07 00:00:00" },
	{ "10-15", "*-10-15 00:00:00" },
	{ "monday *-12-* 17:00", "Mon *-12-* 17:00:00" },
	{ "Mon,Fri *-*-3,1,2 *:30:45", "Mon,Fri *-*-01,02,03 *:30:45" },
	{ "12,14,13,12:20,10,30", "*-*-* 12,13,14:10,20,30:00" },
	{ "12..14:10,20,30", "*-*-* 12..14:10,20,30:00" },
	{ "mon,fri *-1/2-1,3 *:30:45", "Mon,Fri *-01/2-01,03 *:30:45" },
	{ "03-05 08:05:40", "*-03-05 08:05:40" },
	{ "08:05:40", "*-*-* 08:05:40" },
	{ "05:40", "*-*-* 05:40:00" },
	{ "Sat,Sun 12-05 08:05:40", "Sat,Sun *-12-05 08:05:40" },
	{ "Sat,Sun 08:05:40", "Sat,Sun *-*-* 08:05:40" },
	{ "2003-03-05 05:40", "2003-03-05 05:40:00" },
	{ "05:40:23.4200004/3.1700005", "*-*-* 05:40:23.420000/3.170001" },
	{ "2003-02..04-05", "2003-02..04-05 00:00:00" },
	{ "2003-03-05 05:40 UTC", "2003-03-05 05:40:00 UTC" },
	{ "2003-03-05", "2003-03-05 00:00:00" },
	{ "03-05", "*-03-05 00:00:00" },
	{ "hourly", "*-*-* *:00:00" },
	{ "daily", "*-*-* 00:00:00" },
	{ "daily UTC", "*-*-* 00:00:00 UTC" },
	{ "monthly", "*-*-01 00:00:00" },
	{ "weekly", "Mon *-*-* 00:00:00" },
	{ "weekly Pacific/Auckland", "Mon *-*-* 00:00:00 Pacific/Auckland" },
	{ "yearly", "*-01-01 00:00:00" },
	{ "annually", "*-01-01 00:00:00" },
	{ "*:2/3", "*-*-* *:02/3:00" },
	{ "minutely", "*-*-* *:*:00" },
	{ "quarterly", "*-01,04,07,10-01 00:00:00" },
	{ "semiannually", "*-01,07-01 00:00:00" },
	{ "Thu,Fri 2012-*-1,5 11:12:13", "Thu,Fri 2012-*-01,05 11:12:13" },
	{ "*-02~03", "*-02~03 00:00:00" },
	{ "Mon *-05~07/1", "Mon *-05~07/1 00:00:00" },
	{ "Thursday..Saturday 2026-*-* *:*:*", "Thu..Sat 2026-*-* *:*:*" },
	{ "Tue-Thu 9:00", "Tue..Thu *-*-* 09:00:00" },
	{ "Mon..Sun", "*-*-* 00:00:00" },
	{ "*:*:0/0.5", "*-*-* *:*:00/0.500000" },
	{ "*-*-* 8..16/3:0..59/10", "*-*-* 08..14/3:00..50/10:00" },
	{ "@86400", "1970-01-02 00:00:00 UTC" },
	{ "*-*~05,03", "*-*~03,05 00:00:00" },
	{ "Mon..Fri *-*-* 09:00 Europe/Berlin",
	    "Mon..Fri *-*-* 09:00:00 Europe/Berlin" },
	{ "bi-annually utc", "*-01,07-01 00:00:00 UTC" },
};

static void
test_normalized(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof man_examples / sizeof man_examples[0]; i++) {
		struct calendar *c = cal(man_examples[i].expr);

		if (strcmp(calendar_normalized(c, 0),
		    man_examples[i].normalized) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"",
			    man_examples[i].expr, calendar_normalized(c, 0),
			    man_examples[i].normalized);
		assert_string_equal(calendar_original(c, 0),
		    man_examples[i].expr);
		calendar_free(c);
	}
}

/* An expression, a base time (UTC) and the next four times after it, as
 * systemd-analyze gives them in UTC (fewer: it stops there).  The zone
 * of expressions without one is UTC. */
static const struct {
	const char *expr, *base;
	const char *next[4];
} next_cases[] = {
	{ "Thu,Fri 2012-*-1,5 11:12:13 UTC", "2012-01-01 00:00:00",
	    { "2012-01-05 11:12:13", "2012-03-01 11:12:13", "2012-04-05 11:12:13", "2012-06-01 11:12:13" } },
	{ "*-02~03", "2026-01-01 00:00:00",
	    { "2026-02-26 00:00:00", "2027-02-26 00:00:00", "2028-02-27 00:00:00", "2029-02-26 00:00:00" } },
	{ "Mon *-05~07/1", "2026-01-01 00:00:00",
	    { "2026-05-25 00:00:00", "2027-05-31 00:00:00", "2028-05-29 00:00:00", "2029-05-28 00:00:00" } },
	{ "*-*~1 12:00 UTC", "2026-01-01 00:00:00",
	    { "2026-01-31 12:00:00", "2026-02-28 12:00:00", "2026-03-31 12:00:00", "2026-04-30 12:00:00" } },
	{ "Wed..Sat,Tue 12-10-15 1:2:3", "2012-01-01 00:00:00",
	    { NULL } },
	{ "05:40:23.4200004/3.1700005", "2026-01-01 00:00:00",
	    { "2026-01-01 05:40:23", "2026-01-01 05:40:26", "2026-01-01 05:40:29", "2026-01-01 05:40:32" } },
	{ "*:2/3", "2026-01-01 00:00:00",
	    { "2026-01-01 00:02:00", "2026-01-01 00:05:00", "2026-01-01 00:08:00", "2026-01-01 00:11:00" } },
	{ "mon,fri *-1/2-1,3 *:30:45", "2026-01-01 00:00:00",
	    { "2026-05-01 00:30:45", "2026-05-01 01:30:45", "2026-05-01 02:30:45", "2026-05-01 03:30:45" } },
	{ "2003-02..04-05", "2000-01-01 00:00:00",
	    { "2003-02-05 00:00:00", "2003-03-05 00:00:00", "2003-04-05 00:00:00" } },
	{ "quarterly Europe/Berlin", "2026-01-01 00:00:00",
	    { "2026-03-31 22:00:00", "2026-06-30 22:00:00", "2026-09-30 22:00:00", "2026-12-31 23:00:00" } },
	{ "weekly Pacific/Auckland", "2026-01-01 00:00:00",
	    { "2026-01-04 11:00:00", "2026-01-11 11:00:00", "2026-01-18 11:00:00", "2026-01-25 11:00:00" } },
	{ "@1767225600", "2020-01-01 00:00:00",
	    { "2026-01-01 00:00:00" } },
	{ "02:30 Europe/Berlin", "2026-03-28 12:00:00",
	    { "2026-03-30 00:30:00", "2026-03-31 00:30:00", "2026-04-01 00:30:00", "2026-04-02 00:30:00" } },
	{ "hourly Europe/Berlin", "2026-03-28 23:30:00",
	    { "2026-03-29 00:00:00", "2026-03-29 01:00:00", "2026-03-29 02:00:00", "2026-03-29 03:00:00" } },
	{ "*:0/40 Europe/Berlin", "2026-03-29 00:30:00",
	    { "2026-03-29 00:40:00", "2026-03-29 01:00:00", "2026-03-29 01:40:00", "2026-03-29 02:00:00" } },
	{ "02:30 Europe/Berlin", "2026-10-24 12:00:00",
	    { "2026-10-25 00:30:00", "2026-10-26 01:30:00", "2026-10-27 01:30:00", "2026-10-28 01:30:00" } },
	{ "*:30 Europe/Berlin", "2026-10-24 23:45:00",
	    { "2026-10-25 00:30:00", "2026-10-25 02:30:00", "2026-10-25 03:30:00", "2026-10-25 04:30:00" } },
	{ "02:30 America/New_York", "2026-03-07 12:00:00",
	    { "2026-03-09 06:30:00", "2026-03-10 06:30:00", "2026-03-11 06:30:00", "2026-03-12 06:30:00" } },
	{ "hourly America/New_York", "2026-03-08 05:30:00",
	    { "2026-03-08 06:00:00", "2026-03-08 07:00:00", "2026-03-08 08:00:00", "2026-03-08 09:00:00" } },
	{ "01:30 America/New_York", "2026-10-31 12:00:00",
	    { "2026-11-01 05:30:00", "2026-11-02 06:30:00", "2026-11-03 06:30:00", "2026-11-04 06:30:00" } },
	{ "*:15 America/New_York", "2026-11-01 04:30:00",
	    { "2026-11-01 05:15:00", "2026-11-01 07:15:00", "2026-11-01 08:15:00", "2026-11-01 09:15:00" } },
	{ "02:30 Australia/Sydney", "2026-10-03 00:00:00",
	    { "2026-10-04 15:30:00", "2026-10-05 15:30:00", "2026-10-06 15:30:00", "2026-10-07 15:30:00" } },
	{ "hourly Australia/Sydney", "2026-10-03 14:30:00",
	    { "2026-10-03 15:00:00", "2026-10-03 16:00:00", "2026-10-03 17:00:00", "2026-10-03 18:00:00" } },
	{ "02:30 Australia/Sydney", "2026-04-04 00:00:00",
	    { "2026-04-04 15:30:00", "2026-04-05 16:30:00", "2026-04-06 16:30:00", "2026-04-07 16:30:00" } },
	{ "*:0/20 Australia/Sydney", "2026-04-04 15:30:00",
	    { "2026-04-04 15:40:00", "2026-04-04 17:00:00", "2026-04-04 17:20:00", "2026-04-04 17:40:00" } },
	{ "*:0/20 Australia/Lord_Howe", "2026-10-03 14:30:00",
	    { "2026-10-03 14:50:00", "2026-10-03 15:10:00", "2026-10-03 15:40:00", "2026-10-03 16:00:00" } },
	{ "02:15 Australia/Lord_Howe", "2026-10-02 12:00:00",
	    { "2026-10-02 15:45:00", "2026-10-04 15:15:00", "2026-10-05 15:15:00", "2026-10-06 15:15:00" } },
	{ "*-02-30", "2026-01-01 00:00:00",
	    { NULL } },
};

static void
test_next(void **state)
{
	struct tz *utc;
	struct mgr_error err;
	size_t i, k;

	(void)state;
	assert_int_equal(tz_load("UTC", &utc, &err), 0);
	for (i = 0; i < sizeof next_cases / sizeof next_cases[0]; i++) {
		struct calendar *c = cal(next_cases[i].expr);
		int64_t t = at(next_cases[i].base), u;
		char got[TIMEFMT_ISO_MAX], want[TIMEFMT_ISO_MAX];

		for (k = 0; k < 4; k++) {
			if (calendar_next(c, utc, t, &u) != 0)
				u = INT64_MIN;
			if (next_cases[i].next[k] == NULL) {
				if (u != INT64_MIN)
					fail_msg("%s from %s: #%zu is %s, want "
					    "none", next_cases[i].expr,
					    next_cases[i].base, k + 1,
					    timefmt_iso(got, sizeof got, u,
					    NULL));
				break;
			}
			timefmt_iso(want, sizeof want,
			    at(next_cases[i].next[k]), NULL);
			if (u == INT64_MIN)
				strcpy(got, "none");
			else	/* systemd-analyze shows whole seconds */
				timefmt_iso(got, sizeof got, u - u % 1000000,
				    NULL);
			if (strcmp(got, want) != 0)
				fail_msg("%s from %s: #%zu is %s, want %s",
				    next_cases[i].expr, next_cases[i].base,
				    k + 1, got, want);
			assert_true(u > t);
			t = u;
		}
		calendar_free(c);
	}
	tz_free(utc);
}

/* What systemd refuses is refused, and the message names the expression
 * and the part at fault. */
static const struct {
	const char *expr, *msg;
} bad_cases[] = {
	{ "Mon..Frx 09:00", "unexpected \"Frx 09:00\"" },
	{ "*/5:00", "unexpected \"/5:00\"" },
	{ "25:00", "the hour is out of range (0..23" },
	{ "Mon..", "incomplete" },
	{ "Fri..Mon", "unexpected \"Mon\"" },
	{ "12:00:60", "the second is out of range" },
	{ "*-*~29", "the day is out of range (~1..~28" },
	{ "*-*~05,28", "the day is out of range" },
	{ "1969-01-01", "the year is out of range (1970..2199" },
	{ "10:00 Mars/Olympus", "unexpected \" Mars/Olympus\"" },
	{ "0/0:00", "a repetition of 0 at \"/0:00\"" },
	{ "99999999999:00", "number out of range at \"99999999999:00\"" },
	{ "@abc", "unexpected \"abc\"" },
	{ "12:00:1.", "incomplete" },
	{ "Monday_ 12:00", "unexpected \"Monday_ 12:00\"" },
	{ "*-*-* 12:00 UTC UTC", "unexpected \" UTC\"" },
	{ "", "an empty calendar event" },
	{ "daily;", "an empty calendar event" },
	{ "daily; 10:00 Z", "unexpected \" Z\"" },
};

static void
test_bad(void **state)
{
	struct calendar *c;
	struct mgr_error err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		if (calendar_parse(bad_cases[i].expr, NULL, &c, &err) == 0)
			fail_msg("\"%s\" was accepted", bad_cases[i].expr);
		assert_null(c);
		if (strstr(err.msg, bad_cases[i].msg) == NULL ||
		    strstr(err.msg, "oncalendar: \"") == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"",
			    bad_cases[i].expr, err.msg, bad_cases[i].msg);
	}
}

/* A list of 241 values is systemd's limit; one more is refused. */
static void
test_list_limit(void **state)
{
	char text[2 * 242 + 8];
	struct calendar *c;
	struct mgr_error err;
	int i;

	(void)state;
	for (i = 0; i < 241; i++)
		memcpy(text + 2 * i, "0,", 2);
	strcpy(text + 2 * 241 - 1, ":00");
	c = cal(text);
	assert_string_equal(calendar_normalized(c, 0), "*-*-* 00:00:00");
	calendar_free(c);
	memmove(text + 2, text, strlen(text) + 1);
	memcpy(text, "0,", 2);
	assert_int_not_equal(calendar_parse(text, NULL, &c, &err), 0);
	assert_non_null(strstr(err.msg, "more than 241 values"));
}

/* Several events fire at the earliest of their times. */
static void
test_several(void **state)
{
	struct calendar *c = cal(" Sat 12:00 UTC ;*-*-01 06:00 UTC; "
	    "Mon..Fri *-*-* 09:00 Europe/Berlin");
	int64_t t = at("2026-05-29 12:00:00"), u;	/* a Friday */
	static const char *const want[] = { "2026-05-30 12:00:00",
	    "2026-06-01 06:00:00", "2026-06-01 07:00:00",
	    "2026-06-02 07:00:00" };
	size_t i;

	(void)state;
	assert_int_equal(calendar_count(c), 3);
	assert_string_equal(calendar_original(c, 0), "Sat 12:00 UTC");
	assert_string_equal(calendar_normalized(c, 1), "*-*-01 06:00:00 UTC");
	assert_null(calendar_normalized(c, 3));
	for (i = 0; i < 4; i++) {
		assert_int_equal(calendar_next(c, NULL, t, &u), 0);
		assert_int_equal(u, at(want[i]));
		t = u;
	}
	calendar_free(c);
}

/* Fractions of a second are kept to the microsecond. */
static void
test_fraction(void **state)
{
	struct calendar *c = cal("*:*:0/0.25 UTC");
	int64_t u;

	(void)state;
	assert_int_equal(calendar_next(c, NULL, at("2026-01-01 00:00:00"),
	    &u), 0);
	assert_int_equal(u, at("2026-01-01 00:00:00.25"));
	assert_int_equal(calendar_next(c, NULL, u, &u), 0);
	assert_int_equal(u, at("2026-01-01 00:00:00.5"));
	calendar_free(c);
}

static struct trigger *
make(const char *const *fields, size_t n)
{
	struct trigger *t = NULL;
	struct mgr_error err;

	if (trigger_parse("calendar", fields, n, &t, &err) != 0)
		fail_msg("%s", err.msg);
	return t;
}

/* The trigger type: repeated oncalendar fields become one stored value
 * that parses back to the same trigger; the timezone field is the zone of
 * events without one; start and end dates bound it. */
static void
test_trigger(void **state)
{
	static const char *const f[] = { "oncalendar=Mon..Fri 09:00",
	    "oncalendar=Sat 12:00 UTC", "timezone=Europe/Berlin",
	    "jitter=30", "end_date=2026-06-10" };
	struct trigger *t = make(f, 5), *back;
	const char *stored;
	char *json, *desc;
	struct mgr_error err;
	int64_t u;

	(void)state;
	assert_int_equal(trigger_type(t), TRIGGER_CALENDAR);
	assert_string_equal(trigger_type_name(t), "calendar");
	assert_string_equal(trigger_field_name(t, 0), "oncalendar");
	stored = trigger_field_value(t, 0);
	assert_string_equal(stored, "Mon..Fri 09:00; Sat 12:00 UTC");
	assert_int_equal(trigger_jitter_us(t), 30 * 1000000);
	assert_int_equal(calendar_count(trigger_calendar(t)), 2);
	assert_int_equal(trigger_fields_to_json(t, &json, &err), 0);
	assert_non_null(strstr(json, "\"oncalendar\":\"Mon..Fri 09:00; Sat "
	    "12:00 UTC\""));
	free(json);
	desc = trigger_describe(t);
	assert_string_equal(desc, "calendar oncalendar=\"Mon..Fri 09:00; Sat "
	    "12:00 UTC\" end_date=2026-06-10T00:00:00+02:00 "
	    "timezone=Europe/Berlin jitter=30");
	free(desc);
	/* Friday 2026-06-05 10:00 Berlin: Saturday noon UTC, then Monday
	 * 09:00 Berlin. */
	u = trigger_next(t, TRIGGER_NONE, at("2026-06-05 08:00:00"));
	assert_int_equal(u, at("2026-06-06 12:00:00"));
	u = trigger_next(t, u, u);
	assert_int_equal(u, at("2026-06-08 07:00:00"));
	/* A fire time is its own first time from it, not after a prev. */
	assert_int_equal(trigger_next(t, TRIGGER_NONE, u), u);
	assert_int_equal(trigger_next(t, u, u), at("2026-06-09 07:00:00"));
	/* end_date 2026-06-10 00:00 Berlin: nothing after the 9th. */
	assert_int_equal(trigger_next(t, at("2026-06-09 07:00:00"),
	    at("2026-06-09 07:00:00")), TRIGGER_NONE);
	{
		const char *again[] = { NULL, "timezone=Europe/Berlin" };
		char *field = malloc(strlen(stored) + 12);

		sprintf(field, "oncalendar=%s", stored);
		again[0] = field;
		back = make(again, 2);
		assert_int_equal(trigger_next(back, TRIGGER_NONE,
		    at("2026-06-05 08:00:00")), at("2026-06-06 12:00:00"));
		trigger_free(back);
		free(field);
	}
	trigger_free(t);
}

static void
test_trigger_errors(void **state)
{
	static const char *const none[] = { "timezone=UTC" };
	static const char *const bad[] = { "oncalendar=daily",
	    "oncalendar=Mon 25:00" };
	static const char *const cron[] = { "oncalendar=daily", "minute=5" };
	struct trigger *t;
	struct mgr_error err;

	(void)state;
	assert_int_not_equal(trigger_parse("calendar", none, 1, &t, &err), 0);
	assert_non_null(strstr(err.msg, "give oncalendar"));
	assert_int_not_equal(trigger_parse("calendar", bad, 2, &t, &err), 0);
	assert_non_null(strstr(err.msg, "\"Mon 25:00\": the hour"));
	assert_int_not_equal(trigger_parse("calendar", cron, 2, &t, &err), 0);
	assert_non_null(strstr(err.msg, "unknown field \"minute\" for calendar"));
	assert_int_not_equal(trigger_parse("cron", bad, 1, &t, &err), 0);
	assert_non_null(strstr(err.msg, "unknown field \"oncalendar\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalized),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_list_limit),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_fraction),
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_trigger_errors),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
