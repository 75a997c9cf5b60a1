/* test_trigger.c - trigger syntax, errors, DST, calendar corner cases. */

#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"
#include "timefmt.h"
#include "trigger.h"
#include "tz.h"

#define MAX_FIELDS 16

/* Splits "a=1;b=2" into fields (in place). */
static size_t
split(char *spec, const char **fields)
{
	char *p, *save = NULL;
	size_t n = 0;

	for (p = strtok_r(spec, ";", &save); p != NULL && n < MAX_FIELDS;
	    p = strtok_r(NULL, ";", &save))
		fields[n++] = p;
	return n;
}

static struct trigger *
make(const char *type, const char *spec)
{
	const char *fields[MAX_FIELDS];
	struct trigger *t = NULL;
	struct mgr_error err;
	char *copy = strdup(spec);
	size_t n = split(copy, fields);

	if (trigger_parse(type, fields, n, &t, &err) != 0)
		fail_msg("%s %s: %s", type, spec, err.msg);
	free(copy);
	return t;
}

static int64_t
at(const char *iso)
{
	struct mgr_error err;
	int64_t us;

	if (timefmt_parse(iso, NULL, &us, &err) != 0)
		fail_msg("%s", err.msg);
	return us;
}

/* The first n fire times from FROM, joined by ",", "-" if none. */
static void
check_fires(const char *type, const char *spec, const char *from, int n,
	    const char *want)
{
	struct trigger *t = make(type, spec);
	char got[4096] = "", iso[TIMEFMT_ISO_MAX];
	int64_t f = trigger_next(t, TRIGGER_NONE, at(from));
	int i;

	for (i = 0; i < n && f != TRIGGER_NONE; i++) {
		if (i > 0)
			strcat(got, ",");
		strcat(got, timefmt_iso(iso, sizeof iso, f, trigger_zone(t)));
		f = trigger_next(t, f, f);
	}
	if (got[0] == '\0')
		strcpy(got, "-");
	trigger_free(t);
	if (strcmp(got, want) != 0)
		fail_msg("%s %s from %s:\n got  %s\n want %s", type, spec,
		    from, got, want);
}

static void
check_error(const char *type, const char *spec, const char *want)
{
	const char *fields[MAX_FIELDS];
	struct trigger *t = (struct trigger *)1;
	struct mgr_error err;
	char *copy = strdup(spec);
	size_t n = split(copy, fields);

	assert_int_equal(trigger_parse(type, fields, n, &t, &err), MGR_EINVAL);
	assert_null(t);
	free(copy);
	if (strcmp(err.msg, want) != 0)
		fail_msg("%s %s:\n got  %s\n want %s", type, spec, err.msg,
		    want);
}

/* ---- cron: APScheduler fields ---- */

static void
test_cron_basic_forms(void **state)
{
	(void)state;
	/* Unset finer fields default to their minimum. */
	check_fires("cron", "hour=9;timezone=UTC", "2026-03-02T09:00:01Z", 2,
	    "2026-03-03T09:00:00+00:00,2026-03-04T09:00:00+00:00");
	/* Every second (no fields at all is an error: test_no_fields). */
	check_fires("cron", "second=*;timezone=UTC", "2026-03-02T09:00:00.5Z", 2,
	    "2026-03-02T09:00:01+00:00,2026-03-02T09:00:02+00:00");
	check_fires("cron", "minute=*/15;timezone=UTC", "2026-03-02T09:01:00Z",
	    3, "2026-03-02T09:15:00+00:00,2026-03-02T09:30:00+00:00,"
	    "2026-03-02T09:45:00+00:00");
	check_fires("cron", "minute=10-20/5;hour=1;timezone=UTC",
	    "2026-03-02T00:00:00Z", 4, "2026-03-02T01:10:00+00:00,"
	    "2026-03-02T01:15:00+00:00,2026-03-02T01:20:00+00:00,"
	    "2026-03-03T01:10:00+00:00");
	check_fires("cron", "minute=5/20;timezone=UTC", "2026-03-02T00:00:00Z",
	    3, "2026-03-02T00:05:00+00:00,2026-03-02T00:25:00+00:00,"
	    "2026-03-02T00:45:00+00:00");
	check_fires("cron", "minute=0;hour=9, 17 ,12;timezone=UTC",
	    "2026-03-02T00:00:00Z", 3, "2026-03-02T09:00:00+00:00,"
	    "2026-03-02T12:00:00+00:00,2026-03-02T17:00:00+00:00");
	check_fires("cron", "second=*/20;minute=0;hour=0;timezone=UTC",
	    "2026-03-02T00:00:00Z", 3, "2026-03-02T00:00:00+00:00,"
	    "2026-03-02T00:00:20+00:00,2026-03-02T00:00:40+00:00");
	check_fires("cron", "year=2027;month=3;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2027-03-01T00:00:00+00:00");
	check_fires("cron", "year=2026;month=1;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "-");
}

static void
test_cron_names(void **state)
{
	(void)state;
	/* 2026-03-02 is a Monday; day_of_week 0 = Monday. */
	check_fires("cron", "day_of_week=mon-fri;hour=9;timezone=UTC",
	    "2026-03-06T10:00:00Z", 2,
	    "2026-03-09T09:00:00+00:00,2026-03-10T09:00:00+00:00");
	check_fires("cron", "day_of_week=SAT,sun;hour=9;timezone=UTC",
	    "2026-03-02T00:00:00Z", 2,
	    "2026-03-07T09:00:00+00:00,2026-03-08T09:00:00+00:00");
	check_fires("cron", "day_of_week=0;timezone=UTC", "2026-03-03T00:00:00Z",
	    1, "2026-03-09T00:00:00+00:00");
	check_fires("cron", "day_of_week=6;timezone=UTC", "2026-03-03T00:00:00Z",
	    1, "2026-03-08T00:00:00+00:00");
	check_fires("cron", "month=jul-aug,DEC;day=1;timezone=UTC",
	    "2026-03-02T00:00:00Z", 3, "2026-07-01T00:00:00+00:00,"
	    "2026-08-01T00:00:00+00:00,2026-12-01T00:00:00+00:00");
	check_fires("cron", "week=10;day_of_week=fri;timezone=UTC",
	    "2026-01-01T00:00:00Z", 2,
	    "2026-03-06T00:00:00+00:00,2027-03-12T00:00:00+00:00");
}

static void
test_cron_last_and_nth(void **state)
{
	(void)state;
	check_fires("cron", "day=last;timezone=UTC", "2026-01-15T00:00:00Z", 3,
	    "2026-01-31T00:00:00+00:00,2026-02-28T00:00:00+00:00,"
	    "2026-03-31T00:00:00+00:00");
	/* Leap year February. */
	check_fires("cron", "day=last;month=2;timezone=UTC",
	    "2027-03-01T00:00:00Z", 1, "2028-02-29T00:00:00+00:00");
	check_fires("cron", "day=2nd fri;hour=9;timezone=UTC",
	    "2026-01-01T00:00:00Z", 3, "2026-01-09T09:00:00+00:00,"
	    "2026-02-13T09:00:00+00:00,2026-03-13T09:00:00+00:00");
	check_fires("cron", "day=last fri;timezone=UTC", "2026-01-01T00:00:00Z",
	    2, "2026-01-30T00:00:00+00:00,2026-02-27T00:00:00+00:00");
	/* Months without a fifth Sunday are skipped. */
	check_fires("cron", "day=5th sun;timezone=UTC", "2026-01-01T00:00:00Z",
	    2, "2026-03-29T00:00:00+00:00,2026-05-31T00:00:00+00:00");
	check_fires("cron", "day=1st MON,last;timezone=UTC",
	    "2026-03-03T00:00:00Z", 3, "2026-03-31T00:00:00+00:00,"
	    "2026-04-06T00:00:00+00:00,2026-04-30T00:00:00+00:00");
}

static void
test_cron_leap_years(void **state)
{
	(void)state;
	check_fires("cron", "month=2;day=29;timezone=UTC",
	    "2026-01-01T00:00:00Z", 2,
	    "2028-02-29T00:00:00+00:00,2032-02-29T00:00:00+00:00");
	/* 2100 is not a leap year. */
	check_fires("cron", "month=2;day=29;timezone=UTC",
	    "2097-01-01T00:00:00Z", 1, "2104-02-29T00:00:00+00:00");
	check_fires("cron", "day=31;timezone=UTC", "2026-04-01T00:00:00Z", 2,
	    "2026-05-31T00:00:00+00:00,2026-07-31T00:00:00+00:00");
	/* Never: no February 31st, before the end of the calendar. */
	check_fires("cron", "month=2;day=31;timezone=UTC",
	    "2026-01-01T00:00:00Z", 1, "-");
}

static void
test_cron_start_end(void **state)
{
	(void)state;
	check_fires("cron", "hour=9;start_date=2026-03-10;"
	    "end_date=2026-03-12 09:00:00;timezone=Europe/Berlin",
	    "2026-03-01T00:00:00Z", 5, "2026-03-10T09:00:00+01:00,"
	    "2026-03-11T09:00:00+01:00,2026-03-12T09:00:00+01:00");
	/* With a previous fire time later than now (clock went back). */
	{
		struct trigger *t = make("cron", "minute=0;timezone=UTC");
		int64_t f = trigger_next(t, at("2026-03-02T10:00:00Z"),
		    at("2026-03-02T08:30:00Z"));

		assert_true(f == at("2026-03-02T09:00:00Z"));
		trigger_free(t);
	}
}

/* ---- DST ---- */

static void
test_dst_berlin(void **state)
{
	(void)state;
	/* 02:30 does not exist on 29 March: once, at 03:00. */
	check_fires("cron", "hour=2;minute=30;timezone=Europe/Berlin",
	    "2026-03-28T12:00:00Z", 3, "2026-03-29T03:00:00+02:00,"
	    "2026-03-30T02:30:00+02:00,2026-03-31T02:30:00+02:00");
	/* Every 20 minutes through the gap: 02:00-02:40 collapse to 03:00. */
	check_fires("cron", "minute=*/20;timezone=Europe/Berlin",
	    "2026-03-29T01:30:00+01:00", 4, "2026-03-29T01:40:00+01:00,"
	    "2026-03-29T03:00:00+02:00,2026-03-29T03:20:00+02:00,"
	    "2026-03-29T03:40:00+02:00");
	/* 02:30 happens twice on 25 October: once, the first time. */
	check_fires("cron", "hour=2;minute=30;timezone=Europe/Berlin",
	    "2026-10-24T12:00:00Z", 2,
	    "2026-10-25T02:30:00+02:00,2026-10-26T02:30:00+01:00");
	/* Every 20 minutes runs through the repeated hour again. */
	check_fires("cron", "minute=*/20;timezone=Europe/Berlin",
	    "2026-10-25T02:30:00+02:00", 5, "2026-10-25T02:40:00+02:00,"
	    "2026-10-25T02:00:00+01:00,2026-10-25T02:20:00+01:00,"
	    "2026-10-25T02:40:00+01:00,2026-10-25T03:00:00+01:00");
	/* Daily at 09:00 keeps local time across the change. */
	check_fires("cron", "hour=9;timezone=Europe/Berlin",
	    "2026-03-28T00:00:00Z", 2,
	    "2026-03-28T09:00:00+01:00,2026-03-29T09:00:00+02:00");
}

static void
test_dst_new_york(void **state)
{
	(void)state;
	check_fires("cron", "crontab=30 2 * * *;timezone=America/New_York",
	    "2026-03-07T00:00:00Z", 3, "2026-03-07T02:30:00-05:00,"
	    "2026-03-08T03:00:00-04:00,2026-03-09T02:30:00-04:00");
	check_fires("cron", "crontab=30 1 * * *;timezone=America/New_York",
	    "2026-10-31T12:00:00Z", 2,
	    "2026-11-01T01:30:00-04:00,2026-11-02T01:30:00-05:00");
	check_fires("cron", "minute=0;timezone=America/New_York",
	    "2026-11-01T00:30:00-04:00", 4, "2026-11-01T01:00:00-04:00,"
	    "2026-11-01T01:00:00-05:00,2026-11-01T02:00:00-05:00,"
	    "2026-11-01T03:00:00-05:00");
}

static void
test_dst_lord_howe_and_chatham(void **state)
{
	(void)state;
	/* Lord Howe: +10:30 to +11 at 02:00, back at 02:00 (+11). */
	check_fires("cron", "minute=*/15;hour=2;timezone=Australia/Lord_Howe",
	    "2026-10-03T12:00:00Z", 3, "2026-10-04T02:30:00+11:00,"
	    "2026-10-04T02:45:00+11:00,2026-10-05T02:00:00+11:00");
	/* Back to +10:30 at 02:00, so 01:30-01:59 repeat: a '*' in the
	 * minute field runs there again, a fixed time does not. */
	check_fires("cron", "minute=*/15;hour=1;timezone=Australia/Lord_Howe",
	    "2026-04-04T12:00:00Z", 7, "2026-04-05T01:00:00+11:00,"
	    "2026-04-05T01:15:00+11:00,2026-04-05T01:30:00+11:00,"
	    "2026-04-05T01:45:00+11:00,2026-04-05T01:30:00+10:30,"
	    "2026-04-05T01:45:00+10:30,2026-04-06T01:00:00+10:30");
	check_fires("cron", "minute=0,45;hour=1;timezone=Australia/Lord_Howe",
	    "2026-04-04T12:00:00Z", 3, "2026-04-05T01:00:00+11:00,"
	    "2026-04-05T01:45:00+11:00,2026-04-06T01:00:00+10:30");
	/* Chatham: 02:45 -> 03:45 in September. */
	check_fires("cron", "hour=3;minute=0;timezone=Pacific/Chatham",
	    "2026-09-26T00:00:00Z", 2,
	    "2026-09-27T03:45:00+13:45,2026-09-28T03:00:00+13:45");
	check_fires("cron", "hour=3;minute=0;timezone=Pacific/Chatham",
	    "2026-04-04T00:00:00Z", 2,
	    "2026-04-05T03:00:00+13:45,2026-04-06T03:00:00+12:45");
}

/* The autumn fold, as Vixie cron and APScheduler's test_dst_change:
 * a trigger whose minute or hour field starts with '*' (every N minutes,
 * hourly, every N hours) runs through the repeated hour again; one with
 * both given as values runs once, the first time. */
static void
test_dst_fold_wildcard(void **state)
{
	(void)state;
	/* APScheduler 3.9 test_dst_change "interval_autumn". */
	check_fires("cron", "minute=*/30;timezone=US/Eastern",
	    "2013-11-03T01:35:00-04:00", 4, "2013-11-03T01:00:00-05:00,"
	    "2013-11-03T01:30:00-05:00,2013-11-03T02:00:00-05:00,"
	    "2013-11-03T02:30:00-05:00");
	/* A step in the hour field (APScheduler 3.0's hour='*\/1'). */
	check_fires("cron", "hour=*/1;timezone=US/Eastern",
	    "2013-11-03T00:30:00-04:00", 3, "2013-11-03T01:00:00-04:00,"
	    "2013-11-03T01:00:00-05:00,2013-11-03T02:00:00-05:00");
	check_fires("cron", "hour=*;minute=15,45;timezone=US/Eastern",
	    "2013-11-03T01:20:00-04:00", 4, "2013-11-03T01:45:00-04:00,"
	    "2013-11-03T01:15:00-05:00,2013-11-03T01:45:00-05:00,"
	    "2013-11-03T02:15:00-05:00");
	check_fires("cron", "crontab=*/30 * * * *;timezone=US/Eastern",
	    "2013-11-03T01:35:00-04:00", 2,
	    "2013-11-03T01:00:00-05:00,2013-11-03T01:30:00-05:00");
	/* Berlin repeats 02:00-02:59. */
	check_fires("cron", "minute=*/30;timezone=Europe/Berlin",
	    "2026-10-25T01:35:00+02:00", 5, "2026-10-25T02:00:00+02:00,"
	    "2026-10-25T02:30:00+02:00,2026-10-25T02:00:00+01:00,"
	    "2026-10-25T02:30:00+01:00,2026-10-25T03:00:00+01:00");
	check_fires("cron", "hour=*/2;timezone=Europe/Berlin",
	    "2026-10-25T00:30:00+02:00", 3, "2026-10-25T02:00:00+02:00,"
	    "2026-10-25T02:00:00+01:00,2026-10-25T04:00:00+01:00");
	/* Vixie: a '*' in the minute field is enough, even with hours. */
	check_fires("cron", "crontab=*/20 1-3 * * *;timezone=Europe/Berlin",
	    "2026-10-25T01:50:00+02:00", 7, "2026-10-25T02:00:00+02:00,"
	    "2026-10-25T02:20:00+02:00,2026-10-25T02:40:00+02:00,"
	    "2026-10-25T02:00:00+01:00,2026-10-25T02:20:00+01:00,"
	    "2026-10-25T02:40:00+01:00,2026-10-25T03:00:00+01:00");
	/* Starting in the second pass: its own times are still to come. */
	check_fires("cron", "minute=*/20;timezone=Europe/Berlin",
	    "2026-10-25T02:10:00+01:00", 2,
	    "2026-10-25T02:20:00+01:00,2026-10-25T02:40:00+01:00");
}

static void
test_dst_fold_fixed_once(void **state)
{
	(void)state;
	check_fires("cron", "hour=1;minute=30;timezone=US/Eastern",
	    "2013-11-02T12:00:00-04:00", 2,
	    "2013-11-03T01:30:00-04:00,2013-11-04T01:30:00-05:00");
	check_fires("cron", "crontab=30 1 * * *;timezone=US/Eastern",
	    "2013-11-03T01:31:00-04:00", 1, "2013-11-04T01:30:00-05:00");
	/* Values, lists and ranges in both fields: once. */
	check_fires("cron", "crontab=0,30 1-3 * * *;timezone=Europe/Berlin",
	    "2026-10-25T01:50:00+02:00", 3, "2026-10-25T02:00:00+02:00,"
	    "2026-10-25T02:30:00+02:00,2026-10-25T03:00:00+01:00");
	check_fires("cron", "hour=2;minute=0,30;timezone=Europe/Berlin",
	    "2026-10-25T01:50:00+02:00", 3, "2026-10-25T02:00:00+02:00,"
	    "2026-10-25T02:30:00+02:00,2026-10-26T02:00:00+01:00");
	/* Starting in the second pass: 02:30 was already shown once. */
	check_fires("cron", "hour=2;minute=30;timezone=Europe/Berlin",
	    "2026-10-25T02:10:00+01:00", 1, "2026-10-26T02:30:00+01:00");
}

/* A calendar day that never appears on the zone's clocks is skipped, not
 * run at the end of the gap (APScheduler and Vixie cron both skip it). */
static void
test_skipped_day(void **state)
{
	(void)state;
	/* Samoa went from 29 to 31 December 2011. */
	check_fires("cron", "hour=12;timezone=Pacific/Apia",
	    "2011-12-29T12:00:01-10:00", 2,
	    "2011-12-31T12:00:00+14:00,2012-01-01T12:00:00+14:00");
	check_fires("cron", "crontab=0 12 * * *;timezone=Pacific/Apia",
	    "2011-12-29T12:00:01-10:00", 1, "2011-12-31T12:00:00+14:00");
	check_fires("cron", "day=30;hour=9;timezone=Pacific/Apia",
	    "2011-12-01T00:00:00-10:00", 1, "2012-01-30T09:00:00+14:00");
	/* Every 30 minutes: straight on from 23:30 to the next midnight. */
	check_fires("cron", "minute=*/30;timezone=Pacific/Apia",
	    "2011-12-29T23:10:00-10:00", 3, "2011-12-29T23:30:00-10:00,"
	    "2011-12-31T00:00:00+14:00,2011-12-31T00:30:00+14:00");
	/* Kwajalein went from 20 to 22 August 1993. */
	check_fires("cron", "hour=12;timezone=Pacific/Kwajalein",
	    "1993-08-20T12:00:01-12:00", 1, "1993-08-22T12:00:00+12:00");
}

/* ---- crontab ---- */

/* Found by tests/fuzz: strtok_r skipped empty items, so "1,,2" meant
 * "1,2"; APScheduler and Vixie cron both refuse it. */
static void
test_empty_list_items(void **state)
{
	(void)state;
	check_error("cron", "minute=1,,2",
	    "minute: \"1,,2\" has an empty item between commas");
	check_error("cron", "hour=5,",
	    "hour: \"5,\" has an empty item between commas");
	check_error("cron", "crontab=, * * * *",
	    "minute: \",\" has an empty item between commas");
	check_error("cron", "crontab=0 0 * * mon,,fri",
	    "day_of_week: \"mon,,fri\" has an empty item between commas");
	check_fires("cron", "minute=1, 2;timezone=UTC",
	    "2026-03-02T00:00:00Z", 2,
	    "2026-03-02T00:01:00+00:00,2026-03-02T00:02:00+00:00");
}

/* Found by tests/fuzz (timeout under the sanitizers): fields that can
 * never meet are searched up to year 9999 and must give "never"
 * without hanging. */
static void
test_never_matching_cron_ends(void **state)
{
	(void)state;
	check_fires("cron", "day=15;week=4;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "-");
	check_fires("cron", "week=4;month=2;second=*;timezone=Europe/Berlin",
	    "2026-03-02T00:00:00Z", 1, "-");
	check_fires("cron", "crontab=0 0 31 2 *;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "-");
}

/* Found by tests/fuzz (UBSan: signed overflow in interval_next): an
 * interval of 160 000 years passed the parser, and prev + interval
 * overflowed. */
static void
test_huge_interval(void **state)
{
	(void)state;
	check_error("interval", "hours=01410188263",
	    "hours: \"01410188263\" is too large (an interval is at most "
	    "10000 years)");
	check_error("interval", "weeks=500000;weeks=500000",
	    "field \"weeks\" is given twice");
	/* Allowed, but past year 9999: never. */
	check_fires("interval", "weeks=520000", "2026-01-01T00:00:00Z", 1,
	    "-");
	check_fires("interval", "weeks=5200;start_date=2026-01-01T00:00Z",
	    "2026-01-01T00:00:00Z", 3, "2026-01-01T00:00:00+00:00,"
	    "2125-08-30T00:00:00+00:00,2225-04-28T00:00:00+00:00");
}

static void
test_crontab(void **state)
{
	(void)state;
	check_fires("cron", "crontab=0 9 * * 1-5;timezone=UTC",
	    "2026-03-06T10:00:00Z", 2,
	    "2026-03-09T09:00:00+00:00,2026-03-10T09:00:00+00:00");
	/* 0 and 7 are both Sunday. */
	check_fires("cron", "crontab=0 0 * * 7;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2026-03-08T00:00:00+00:00");
	check_fires("cron", "crontab=0 0 * * 0;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2026-03-08T00:00:00+00:00");
	check_fires("cron", "crontab=0 0 * * 5-7;timezone=UTC",
	    "2026-03-02T00:00:00Z", 4, "2026-03-06T00:00:00+00:00,"
	    "2026-03-07T00:00:00+00:00,2026-03-08T00:00:00+00:00,"
	    "2026-03-13T00:00:00+00:00");
	check_fires("cron", "crontab=*/30 9-10 * jan,MAR sun;timezone=UTC",
	    "2026-03-02T00:00:00Z", 5, "2026-03-08T09:00:00+00:00,"
	    "2026-03-08T09:30:00+00:00,2026-03-08T10:00:00+00:00,"
	    "2026-03-08T10:30:00+00:00,2026-03-15T09:00:00+00:00");
	check_fires("cron", "crontab=0 0 29 2 *;timezone=UTC",
	    "2026-01-01T00:00:00Z", 1, "2028-02-29T00:00:00+00:00");
	/* Seconds are always 0: rounds up to the next minute. */
	check_fires("cron", "crontab=* * * * *;timezone=UTC",
	    "2026-03-02T00:00:01Z", 1, "2026-03-02T00:01:00+00:00");
}

static void
test_crontab_vixie_or(void **state)
{
	(void)state;
	/* Both restricted: the 13th OR any Friday. */
	check_fires("cron", "crontab=0 0 13 * fri;timezone=UTC",
	    "2026-01-01T00:00:00Z", 4, "2026-01-02T00:00:00+00:00,"
	    "2026-01-09T00:00:00+00:00,2026-01-13T00:00:00+00:00,"
	    "2026-01-16T00:00:00+00:00");
	/* Only one restricted: that one alone. */
	check_fires("cron", "crontab=0 0 13 * *;timezone=UTC",
	    "2026-01-01T00:00:00Z", 2,
	    "2026-01-13T00:00:00+00:00,2026-02-13T00:00:00+00:00");
	/* A field starting with '*' counts as unrestricted (AND): odd days
	 * that are Fridays. */
	check_fires("cron", "crontab=0 0 */2 * fri;timezone=UTC",
	    "2026-01-01T00:00:00Z", 3, "2026-01-09T00:00:00+00:00,"
	    "2026-01-23T00:00:00+00:00,2026-02-13T00:00:00+00:00");
}

static void
test_crontab_aliases(void **state)
{
	struct trigger *t;

	(void)state;
	check_fires("cron", "crontab=@yearly;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2027-01-01T00:00:00+00:00");
	check_fires("cron", "crontab=@annually;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2027-01-01T00:00:00+00:00");
	check_fires("cron", "crontab=@monthly;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2026-04-01T00:00:00+00:00");
	check_fires("cron", "crontab=@weekly;timezone=UTC",
	    "2026-03-02T00:00:00Z", 1, "2026-03-08T00:00:00+00:00");
	check_fires("cron", "crontab=@daily;timezone=UTC",
	    "2026-03-02T00:00:01Z", 1, "2026-03-03T00:00:00+00:00");
	check_fires("cron", "crontab=@midnight;timezone=UTC",
	    "2026-03-02T00:00:01Z", 1, "2026-03-03T00:00:00+00:00");
	check_fires("cron", "crontab=@hourly;timezone=UTC",
	    "2026-03-02T00:00:01Z", 1, "2026-03-02T01:00:00+00:00");
	t = make("cron", "crontab=@reboot");
	assert_true(trigger_is_reboot(t));
	assert_true(trigger_next(t, TRIGGER_NONE, 0) == TRIGGER_NONE);
	trigger_free(t);
	t = make("cron", "crontab=@daily");
	assert_false(trigger_is_reboot(t));
	trigger_free(t);
}

/* ---- interval and date ---- */

static void
test_interval(void **state)
{
	struct trigger *t;
	int64_t now = at("2026-03-02T09:00:00Z");

	(void)state;
	/* No start_date: now + interval, as APScheduler. */
	check_fires("interval", "minutes=30;timezone=UTC",
	    "2026-03-02T09:00:00Z", 2,
	    "2026-03-02T09:30:00+00:00,2026-03-02T10:00:00+00:00");
	/* Start in the past: the next slot on its grid. */
	check_fires("interval", "hours=2;start_date=2026-03-01 00:30:00;"
	    "timezone=UTC", "2026-03-02T09:00:00Z", 2,
	    "2026-03-02T10:30:00+00:00,2026-03-02T12:30:00+00:00");
	check_fires("interval", "weeks=1;days=1;hours=1;minutes=1;seconds=1;"
	    "start_date=2026-03-02T09:00:00Z;timezone=UTC",
	    "2026-03-01T00:00:00Z", 2,
	    "2026-03-02T09:00:00+00:00,2026-03-10T10:01:01+00:00");
	check_fires("interval", "minutes=1.5;start_date=2026-03-02;"
	    "timezone=UTC", "2026-03-02T00:00:00Z", 2,
	    "2026-03-02T00:00:00+00:00,2026-03-02T00:01:30+00:00");
	/* Zero means one second. */
	check_fires("interval", "seconds=0;start_date=2026-03-02;timezone=UTC",
	    "2026-03-02T00:00:00Z", 2,
	    "2026-03-02T00:00:00+00:00,2026-03-02T00:00:01+00:00");
	/* Absolute time: 24 h across the DST change is 10:00 next day. */
	check_fires("interval", "days=1;start_date=2026-03-28 09:00:00;"
	    "timezone=Europe/Berlin", "2026-03-28T00:00:00Z", 2,
	    "2026-03-28T09:00:00+01:00,2026-03-29T10:00:00+02:00");
	check_fires("interval", "hours=1;start_date=2026-03-02;"
	    "end_date=2026-03-02T02:00:00Z;timezone=UTC",
	    "2026-03-01T00:00:00Z", 5, "2026-03-02T00:00:00+00:00,"
	    "2026-03-02T01:00:00+00:00,2026-03-02T02:00:00+00:00");
	/* A previous fire time gives prev + interval even if late. */
	t = make("interval", "minutes=10;timezone=UTC");
	assert_true(trigger_next(t, now, now + 3600 * MGR_US_PER_S) ==
	    now + 600 * MGR_US_PER_S);
	trigger_free(t);
}

static void
test_date(void **state)
{
	struct trigger *t;

	(void)state;
	check_fires("date", "run_date=2026-03-02 09:00:00;"
	    "timezone=Europe/Berlin", "2026-01-01T00:00:00Z", 3,
	    "2026-03-02T09:00:00+01:00");
	/* Past run dates are still returned (the scheduler's misfire). */
	check_fires("date", "run_date=2026-03-02T09:00:00Z;timezone=UTC",
	    "2027-01-01T00:00:00Z", 3, "2026-03-02T09:00:00+00:00");
	t = make("date", "timezone=UTC");
	assert_true(trigger_next(t, TRIGGER_NONE, 42) == 42);
	assert_int_equal(trigger_pin(t, 1000, NULL), 0);
	assert_true(trigger_next(t, TRIGGER_NONE, 42) == 1000);
	assert_string_equal(trigger_field_name(t, 0), "run_date");
	assert_string_equal(trigger_field_value(t, 0),
	    "1970-01-01T00:00:00.001000+00:00");
	trigger_free(t);
}

/* ---- errors ---- */

static void
test_errors(void **state)
{
	(void)state;
	check_error("cron", "minuts=3", "unknown field \"minuts\" for cron "
	    "trigger");
	check_error("cron", "minute=61", "minute: \"61\" is out of range 0-59");
	check_error("cron", "day_of_week=funday", "day_of_week: \"funday\" is "
	    "not a weekday name");
	check_error("cron", "month=foo", "month: \"foo\" is not a month name");
	check_error("cron", "year=1969", "year: \"1969\" is out of range "
	    "1970-9999");
	check_error("cron", "hour=5-3", "hour: range \"5-3\" is reversed "
	    "(first is greater than last)");
	check_error("cron", "minute=*/0", "minute: step in \"*/0\" must be at "
	    "least 1");
	check_error("cron", "minute=*/90", "minute: step 90 in \"*/90\" is "
	    "larger than the range (59)");
	check_error("cron", "day=2nd funday", "day: \"funday\" is not a "
	    "weekday name");
	check_error("cron", "day=6th fri", "day: \"6th fri\" is not a valid "
	    "expression (expected *, */N, A, A-B, A-B/N, last, last fri or "
	    "2nd fri)");
	check_error("cron", "hour=mon", "hour: \"mon\" is not a valid "
	    "expression (expected *, */N, A, A-B or A-B/N)");
	check_error("cron", "day_of_week=mon/2", "day_of_week: \"mon/2\" is "
	    "not a valid expression (expected *, */N, A, A-B, A-B/N or "
	    "weekday names like mon-fri)");
	check_error("cron", "minute=", "minute: \"\" is not a valid "
	    "expression (expected *, */N, A, A-B or A-B/N)");
	check_error("cron", "minute", "\"minute\" is not a NAME=VALUE field");
	check_error("cron", "minute=1;minute=2", "field \"minute\" is given "
	    "twice");
	check_error("cron", "crontab=0 9 * *", "crontab: expected 5 fields "
	    "(minute hour day month day_of_week), got 4");
	check_error("cron", "crontab=61 9 * * *", "minute: \"61\" is out of "
	    "range 0-59");
	check_error("cron", "crontab=0 9 * * 8", "day_of_week: \"8\" is out "
	    "of range 0-7");
	check_error("cron", "crontab=0 9 * * funday", "day_of_week: "
	    "\"funday\" is not a weekday name");
	check_error("cron", "crontab=0 9 * foo *", "month: \"foo\" is not a "
	    "month name");
	check_error("cron", "crontab=0 9-x * * *", "hour: \"9-x\" is not a "
	    "valid crontab expression (expected *, */N, A, A-B or A-B/N)");
	check_error("cron", "crontab=@fortnightly", "crontab: \"@fortnightly\" "
	    "is not a known alias (@yearly, @annually, @monthly, @weekly, "
	    "@daily, @midnight, @hourly, @reboot)");
	check_error("cron", "crontab=@daily;minute=0", "crontab cannot be "
	    "combined with field \"minute\"");
	check_error("cron", "timezone=Mars/Olympus", "timezone: unknown time "
	    "zone \"Mars/Olympus\"");
	check_error("cron", "start_date=2026-13-01", "start_date: "
	    "\"2026-13-01\" is not a valid date or time (a field is out of "
	    "range)");
	check_error("interval", "minutes=abc", "minutes: \"abc\" is not a "
	    "number");
	check_error("interval", "minutes=-5", "minutes: \"-5\" must not be "
	    "negative");
	check_error("interval", "hour=1", "unknown field \"hour\" for "
	    "interval trigger");
	check_error("interval", "weeks=99999999999", "weeks: \"99999999999\" "
	    "is too large");
	check_error("date", "jitter=5", "unknown field \"jitter\" for date "
	    "trigger");
	check_error("date", "run_date=soon", "run_date: \"soon\" is not a "
	    "valid date or time (expected YYYY-MM-DD[THH:MM[:SS]][+HH:MM])");
	check_error("weekly", "", "unknown trigger type \"weekly\" (expected "
	    "interval, cron, date or calendar)");
}

/* ---- describe, fields, accessors ---- */

static void
check_describe(const char *type, const char *spec, const char *want)
{
	struct trigger *t = make(type, spec);
	char *d = trigger_describe(t);

	assert_non_null(d);
	assert_string_equal(d, want);
	free(d);
	trigger_free(t);
}

static void
test_describe(void **state)
{
	(void)state;
	check_describe("interval", "minutes=30", "every 30min");
	check_describe("interval", "hours=1;minutes=90", "every 2h30min");
	check_describe("interval", "weeks=2;days=1;seconds=1.5",
	    "every 2w1d1.500000s");
	check_describe("interval", "seconds=0", "every 1s");
	check_describe("cron", "minute=0;hour=9;day_of_week=mon-fri",
	    "cron day_of_week=mon-fri hour=9 minute=0");
	check_describe("cron", "crontab=0 9 * * 1-5;timezone=UTC",
	    "cron crontab=\"0 9 * * 1-5\" timezone=UTC");
	check_describe("date", "run_date=2026-03-02 09:00:00;"
	    "timezone=Europe/Berlin",
	    "once at 2026-03-02T09:00:00+01:00 timezone=Europe/Berlin");
}

static void
test_fields_roundtrip(void **state)
{
	struct trigger *t, *u;
	const char *fields[MAX_FIELDS];
	char *json, buf[MAX_FIELDS][256];
	size_t i, n;
	int64_t from = at("2026-03-02T00:00:00Z");

	(void)state;
	t = make("interval", "minutes=007.50;jitter=5;start_date=2026-03-02 "
	    "09:00:00;timezone=Europe/Berlin");
	assert_int_equal(trigger_fields_to_json(t, &json, NULL), 0);
	assert_string_equal(json, "{\"minutes\":7.5,\"start_date\":"
	    "\"2026-03-02T09:00:00+01:00\",\"timezone\":\"Europe/Berlin\","
	    "\"jitter\":5}");
	free(json);
	assert_true(trigger_jitter_us(t) == 5 * MGR_US_PER_S);
	assert_string_equal(tz_name(trigger_zone(t)), "Europe/Berlin");
	assert_int_equal(trigger_type(t), TRIGGER_INTERVAL);
	assert_string_equal(trigger_type_name(t), "interval");
	assert_true(trigger_end_us(t) == TRIGGER_NONE);

	/* Parsing the normalised fields gives the same fire times. */
	n = trigger_field_count(t);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof buf[i], "%s=%s",
		    trigger_field_name(t, i), trigger_field_value(t, i));
		fields[i] = buf[i];
	}
	assert_null(trigger_field_name(t, n));
	assert_int_equal(trigger_parse("interval", fields, n, &u, NULL), 0);
	assert_true(trigger_next(t, TRIGGER_NONE, from) ==
	    trigger_next(u, TRIGGER_NONE, from));
	trigger_free(u);
	trigger_free(t);

	t = make("cron", "day=last fri;hour=9;end_date=2026-12-31T00:00:00Z;"
	    "timezone=UTC");
	assert_int_equal(trigger_fields_to_json(t, &json, NULL), 0);
	assert_string_equal(json, "{\"day\":\"last fri\",\"hour\":\"9\","
	    "\"end_date\":\"2026-12-31T00:00:00+00:00\",\"timezone\":\"UTC\"}");
	free(json);
	assert_true(trigger_end_us(t) == at("2026-12-31T00:00:00Z"));
	trigger_free(t);

	/* Escaping. */
	t = make("cron", "crontab=0 9 * * 1-5\t");
	assert_int_equal(trigger_fields_to_json(t, &json, NULL), 0);
	assert_string_equal(json, "{\"crontab\":\"0 9 * * 1-5\\u0009\"}");
	free(json);
	trigger_free(t);
}

static void
test_pin_interval(void **state)
{
	struct trigger *t = make("interval", "hours=1;timezone=UTC");
	int64_t now = at("2026-03-02T09:00:00Z");

	(void)state;
	assert_int_equal(trigger_pin(t, now, NULL), 0);
	/* The anchor stays put when now moves on. */
	assert_true(trigger_next(t, TRIGGER_NONE, now + 90 * 60 *
	    MGR_US_PER_S) == at("2026-03-02T11:00:00Z"));
	assert_string_equal(trigger_field_name(t, 1), "start_date");
	assert_string_equal(trigger_field_value(t, 1),
	    "2026-03-02T10:00:00+00:00");
	assert_string_equal(trigger_field_name(t, 2), "timezone");
	trigger_free(t);
}

/* issue 11: an interval or a cron without a single field of its own is an
 * error naming the fields it needs, not a run every second. */
static void
test_no_fields(void **state)
{
	struct trigger *t;

	(void)state;
	check_error("interval", "", "interval: give at least one of weeks, "
	    "days, hours, minutes, seconds");
	check_error("interval", "timezone=UTC;start_date=2026-01-01T00:00:00Z",
	    "interval: give at least one of weeks, days, hours, minutes, "
	    "seconds");
	check_error("cron", "", "cron: give at least one of year, month, day, "
	    "week, day_of_week, hour, minute, second, or crontab");
	check_error("cron", "timezone=UTC;jitter=5", "cron: give at least one "
	    "of year, month, day, week, day_of_week, hour, minute, second, or "
	    "crontab");
	/* One field is enough; APScheduler's zero interval stays one second. */
	t = make("interval", "seconds=0");
	assert_true(trigger_next(t, at("2026-01-01T00:00:00Z"),
	    at("2026-01-01T00:00:00Z")) == at("2026-01-01T00:00:01Z"));
	trigger_free(t);
	trigger_free(make("cron", "second=*"));
	trigger_free(make("cron", "crontab=@daily"));
	trigger_free(make("date", "run_date=2026-01-01T00:00:00Z"));
}

/* fixed_jitter (systemd's FixedRandomDelay=): one delay per task and
 * machine, the same whenever the trigger is parsed again, in [0, jitter];
 * another task or machine draws another; drawn per fire time without it. */
static struct trigger *
seeded(const char *type, const char *spec, const char *seed)
{
	const char *fields[MAX_FIELDS];
	struct trigger *t = NULL;
	struct mgr_error err;
	char *copy = strdup(spec);
	size_t n = split(copy, fields);

	if (trigger_parse_seeded(type, fields, n, NULL, seed, &t, &err) != 0)
		fail_msg("%s %s: %s", type, spec, err.msg);
	free(copy);
	return t;
}

static void
test_fixed_jitter(void **state)
{
	const char *spec = "oncalendar=daily;jitter=3600;fixed_jitter=true";
	struct trigger *a = seeded("calendar", spec, "backup.timer");
	struct trigger *b = seeded("calendar", spec, "backup.timer");
	struct trigger *c = seeded("calendar", spec, "other.timer");
	struct trigger *d = seeded("calendar", "oncalendar=daily;jitter=3600",
	    "backup.timer");
	char *id = trigger_machine_id(), *json;
	int64_t fa = trigger_fixed_jitter_us(a);
	uint64_t h;

	(void)state;
	assert_true(fa >= 0 && fa <= 3600 * MGR_US_PER_S);
	assert_true(trigger_fixed_jitter_us(b) == fa);
	assert_true(trigger_fixed_jitter_us(c) != fa);
	assert_true(trigger_fixed_jitter_us(d) == -1);
	h = trigger_fixed_hash(id, "backup.timer");
	assert_true(fa == (int64_t)(h % (uint64_t)(3600 * MGR_US_PER_S + 1)));
	assert_true(trigger_fixed_hash("0123456789abcdef0123456789abcdef",
	    "backup.timer") != trigger_fixed_hash("fedcba9876543210fedcba9876543210",
	    "backup.timer"));
	assert_true(trigger_fixed_hash(id, "a") == trigger_fixed_hash(id, "a"));
	assert_int_equal(trigger_fields_to_json(a, &json, NULL), 0);
	assert_non_null(strstr(json, "\"fixed_jitter\":\"true\""));
	free(json);
	trigger_free(a);
	trigger_free(b);
	trigger_free(c);
	trigger_free(d);
	free(id);
	a = seeded("interval", "minutes=5;jitter=30;fixed_jitter=false", "x");
	assert_true(trigger_fixed_jitter_us(a) == -1);
	trigger_free(a);
	check_error("calendar", "oncalendar=daily;fixed_jitter=true",
	    "fixed_jitter: there is no jitter to fix");
	check_error("cron", "crontab=* * * * *;jitter=5;fixed_jitter=yes",
	    "fixed_jitter: \"yes\" is not true or false");
	check_error("date", "run_date=2030-01-01;fixed_jitter=true",
	    "unknown field \"fixed_jitter\" for date trigger");
}

/* The one time form for machines (--json, the HTTP API): UTC, "Z",
 * milliseconds cut; instants written with an offset rewritten, wall
 * times and other words left alone; durations to the millisecond. */
static void
test_timefmt_machine(void **state)
{
	char buf[TIMEFMT_ISO_MAX];

	(void)state;
	assert_string_equal(timefmt_machine(buf, sizeof buf, 0),
	    "1970-01-01T00:00:00.000Z");
	assert_string_equal(timefmt_machine(buf, sizeof buf,
	    INT64_C(1772442000999999)), "2026-03-02T09:00:00.999Z");
	assert_string_equal(timefmt_machine(buf, sizeof buf, -1),
	    "1969-12-31T23:59:59.999Z");
	assert_string_equal(timefmt_machine_text(buf, sizeof buf,
	    "2026-03-02T09:00:00.123456+01:00"), "2026-03-02T08:00:00.123Z");
	assert_string_equal(timefmt_machine_text(buf, sizeof buf,
	    "2026-03-02T08:00:00Z"), "2026-03-02T08:00:00.000Z");
	assert_null(timefmt_machine_text(buf, sizeof buf, "2099-01-01T00:00:00"));
	assert_null(timefmt_machine_text(buf, sizeof buf, "2026-03-02"));
	assert_null(timefmt_machine_text(buf, sizeof buf, "hello"));
	assert_true(timefmt_machine_seconds(2354) == 0.002);
	assert_true(timefmt_machine_seconds(2500) == 0.003);
	assert_true(timefmt_machine_seconds(INT64_C(1500000)) == 1.5);
}


/* ---- trigger_compact: what the scheduler keeps per task ---- */

/* The same first 50 fire times (from 2026-03-01, through the spring
 * change in Berlin), jitter, zone, type and end as the parsed trigger;
 * no stored fields. */
static void
check_compact(const char *type, const char *spec)
{
	struct trigger *t = make(type, spec), *c = trigger_compact(make(type, spec));
	int64_t ft = trigger_next(t, TRIGGER_NONE, at("2026-03-01T00:00:00Z"));
	int64_t fc = trigger_next(c, TRIGGER_NONE, at("2026-03-01T00:00:00Z"));
	char *json = NULL, *d;

	for (int i = 0; i < 50 && ft != TRIGGER_NONE; i++) {
		if (ft != fc)
			fail_msg("%s %s: fire %d: %lld, compact %lld", type,
			    spec, i, (long long)ft, (long long)fc);
		ft = trigger_next(t, ft, ft);
		fc = trigger_next(c, fc, fc);
	}
	assert_true(ft == fc);
	assert_true(trigger_jitter_us(c) == trigger_jitter_us(t));
	assert_true(trigger_fixed_jitter_us(c) == trigger_fixed_jitter_us(t));
	assert_true(trigger_end_us(c) == trigger_end_us(t));
	assert_int_equal(trigger_zone(c) == NULL, trigger_zone(t) == NULL);
	assert_int_equal(trigger_type(c), trigger_type(t));
	assert_int_equal(trigger_is_reboot(c), trigger_is_reboot(t));
	assert_int_equal(trigger_is_hashed(c), trigger_is_hashed(t));
	assert_true(trigger_field_count(t) > 0);
	assert_int_equal(trigger_field_count(c), 0);
	assert_null(trigger_field_name(c, 0));
	assert_int_equal(trigger_fields_to_json(c, &json, NULL), 0);
	assert_string_equal(json, "{}");
	free(json);
	d = trigger_describe(c);
	assert_non_null(d);
	free(d);
	trigger_free(t);
	trigger_free(c);
}

/* Issue 18's bytes per task: the scheduler keeps a compact cron trigger
 * of bench/task-memory.sh's tasks (hour and minute) as one 160-byte
 * malloc chunk (152 bytes and 8 of header; it took 176). */
static void
check_compact_bytes(void)
{
	struct trigger *c = trigger_compact(make("cron", "hour=3;minute=7"));

	if (malloc_usable_size(c) > 152)
		fail_msg("a compact cron trigger takes %zu bytes of malloc, "
		    "152 at most", malloc_usable_size(c));
	trigger_free(c);
}

static void
test_trigger_compact(void **state)
{
	(void)state;
	check_compact_bytes();
	check_compact("cron", "hour=9;minute=30;timezone=Europe/Berlin");
	check_compact("cron", "day=last;hour=2;timezone=Europe/Berlin");
	check_compact("cron", "day=2nd fri;month=1-6;year=2026-2030");
	check_compact("cron", "crontab=*/15 2 * * *;timezone=Europe/Berlin");
	check_compact("cron", "crontab=@reboot");
	check_compact("cron", "quartz=0 0 12 ? * 6L 2026-2028");
	check_compact("cron", "minute=*/7;jitter=30;fixed_jitter=true;"
	    "end_date=2026-03-02T00:00:00Z");
	check_compact("interval", "minutes=90;start_date=2026-01-01T00:00:00Z;"
	    "jitter=5");
	check_compact("date", "run_date=2026-05-01T10:00:00+02:00");
	check_compact("calendar", "oncalendar=Mon..Fri 09:00;"
	    "timezone=Europe/Berlin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_basic_forms),
		cmocka_unit_test(test_trigger_compact),
		cmocka_unit_test(test_timefmt_machine),
		cmocka_unit_test(test_cron_names),
		cmocka_unit_test(test_cron_last_and_nth),
		cmocka_unit_test(test_cron_leap_years),
		cmocka_unit_test(test_cron_start_end),
		cmocka_unit_test(test_dst_berlin),
		cmocka_unit_test(test_dst_new_york),
		cmocka_unit_test(test_dst_lord_howe_and_chatham),
		cmocka_unit_test(test_dst_fold_wildcard),
		cmocka_unit_test(test_dst_fold_fixed_once),
		cmocka_unit_test(test_skipped_day),
		cmocka_unit_test(test_crontab),
		cmocka_unit_test(test_empty_list_items),
		cmocka_unit_test(test_never_matching_cron_ends),
		cmocka_unit_test(test_huge_interval),
		cmocka_unit_test(test_crontab_vixie_or),
		cmocka_unit_test(test_crontab_aliases),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_fields_roundtrip),
		cmocka_unit_test(test_pin_interval),
		cmocka_unit_test(test_no_fields),
		cmocka_unit_test(test_fixed_jitter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
