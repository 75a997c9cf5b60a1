/* test_cron.c - the crontab= extensions, quartz=, Jenkins' H and relative
 * run_date: what croniter cannot serve as a reference for
 * (tests/data/cron-dialect-cases.txt has the rest), from the semantics
 * their origins document, and every refusal naming its token. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cron_impl.h"
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
make_seeded(const char *type, const char *spec, const char *seed)
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

static int64_t
at(const char *iso)
{
	struct mgr_error err;
	int64_t us;

	if (timefmt_parse(iso, NULL, &us, &err) != 0)
		fail_msg("%s", err.msg);
	return us;
}

/* The first n fire times from FROM as one string, "-" if none. */
static void
fires(struct trigger *t, const char *from, int n, char *got, size_t len)
{
	char iso[TIMEFMT_ISO_MAX];
	int64_t f = trigger_next(t, TRIGGER_NONE, at(from));
	int i;

	got[0] = '\0';
	for (i = 0; i < n && f != TRIGGER_NONE; i++) {
		if (i > 0)
			strncat(got, ",", len - strlen(got) - 1);
		strncat(got, timefmt_iso(iso, sizeof iso, f, trigger_zone(t)),
		    len - strlen(got) - 1);
		f = trigger_next(t, f, f);
	}
	if (got[0] == '\0')
		snprintf(got, len, "-");
}

static void
check_fires_seeded(const char *spec, const char *seed, const char *from,
		   int n, const char *want)
{
	struct trigger *t = make_seeded("cron", spec, seed);
	char got[4096];

	fires(t, from, n, got, sizeof got);
	trigger_free(t);
	if (strcmp(got, want) != 0)
		fail_msg("%s from %s:\n got  %s\n want %s", spec, from, got,
		    want);
}

static void
check_fires(const char *spec, const char *from, int n, const char *want)
{
	check_fires_seeded(spec, NULL, from, n, want);
}

/* Two specs give the same n fire times from FROM. */
static void
check_same(const char *a, const char *b, const char *from, int n)
{
	struct trigger *ta = make_seeded("cron", a, NULL);
	struct trigger *tb = make_seeded("cron", b, NULL);
	char ga[8192], gb[8192];

	fires(ta, from, n, ga, sizeof ga);
	fires(tb, from, n, gb, sizeof gb);
	trigger_free(ta);
	trigger_free(tb);
	if (strcmp(ga, gb) != 0)
		fail_msg("%s and %s differ from %s:\n %s\n %s", a, b, from, ga,
		    gb);
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

/* ---- Quartz: the tutorial's table, what croniter cannot check ---- */

static void
test_quartz_done_when(void **state)
{
	(void)state;
	/* The issue's "done when": the last Fridays of 2027's first three
	 * months, and no more after 2027. */
	check_fires("quartz=0 15 10 ? * 6L 2027;timezone=UTC",
	    "2026-11-28T00:00:00Z", 13, "2027-01-29T10:15:00+00:00,"
	    "2027-02-26T10:15:00+00:00,2027-03-26T10:15:00+00:00,"
	    "2027-04-30T10:15:00+00:00,2027-05-28T10:15:00+00:00,"
	    "2027-06-25T10:15:00+00:00,2027-07-30T10:15:00+00:00,"
	    "2027-08-27T10:15:00+00:00,2027-09-24T10:15:00+00:00,"
	    "2027-10-29T10:15:00+00:00,2027-11-26T10:15:00+00:00,"
	    "2027-12-31T10:15:00+00:00");
}

static void
test_quartz_last_and_weekday(void **state)
{
	(void)state;
	/* "L-2": the day two before the last (Quartz: last day - 2). */
	check_fires("quartz=0 15 10 L-2 * ?;timezone=UTC",
	    "2026-01-01T00:00:00Z", 3, "2026-01-29T10:15:00+00:00,"
	    "2026-02-26T10:15:00+00:00,2026-03-29T10:15:00+00:00");
	/* "15W": the 15th a Saturday gives Friday the 14th, a Sunday
	 * Monday the 16th, a Tuesday the 15th itself. */
	check_fires("quartz=0 0 9 15W * ?;timezone=UTC",
	    "2026-08-01T00:00:00Z", 4, "2026-08-14T09:00:00+00:00,"
	    "2026-09-15T09:00:00+00:00,2026-10-15T09:00:00+00:00,"
	    "2026-11-16T09:00:00+00:00");
	/* "1W" does not jump back over the month's start: Saturday the 1st
	 * gives Monday the 3rd. */
	check_fires("quartz=0 0 9 1W * ?;timezone=UTC",
	    "2026-08-01T00:00:00Z", 4, "2026-08-03T09:00:00+00:00,"
	    "2026-09-01T09:00:00+00:00,2026-10-01T09:00:00+00:00,"
	    "2026-11-02T09:00:00+00:00");
	/* "LW": the last weekday (May 31 2026 a Sunday, Oct 31 a
	 * Saturday). */
	check_fires("quartz=0 0 18 LW * ?;timezone=UTC",
	    "2026-05-01T00:00:00Z", 6, "2026-05-29T18:00:00+00:00,"
	    "2026-06-30T18:00:00+00:00,2026-07-31T18:00:00+00:00,"
	    "2026-08-31T18:00:00+00:00,2026-09-30T18:00:00+00:00,"
	    "2026-10-30T18:00:00+00:00");
	check_fires("quartz=0 0 0 L-3W * ?;timezone=UTC",
	    "2026-01-01T00:00:00Z", 4, "2026-01-28T00:00:00+00:00,"
	    "2026-02-25T00:00:00+00:00,2026-03-27T00:00:00+00:00,"
	    "2026-04-27T00:00:00+00:00");
	/* "31W" in a month without a 31st: no day that month. */
	check_fires("quartz=0 0 0 31W * ?;timezone=UTC",
	    "2026-01-01T00:00:00Z", 3, "2026-01-30T00:00:00+00:00,"
	    "2026-03-31T00:00:00+00:00,2026-05-29T00:00:00+00:00");
	/* "L" alone in day_of_week is Saturday. */
	check_same("quartz=0 0 0 ? * L;timezone=UTC",
	    "quartz=0 0 0 ? * SAT;timezone=UTC", "2026-01-01T00:00:00Z", 10);
	/* Names in any case; a year range. */
	check_fires("quartz=0 0 12 ? jan-FEB Mon#1 2026-2027;timezone=UTC",
	    "2026-01-01T00:00:00Z", 5, "2026-01-05T12:00:00+00:00,"
	    "2026-02-02T12:00:00+00:00,2027-01-04T12:00:00+00:00,"
	    "2027-02-01T12:00:00+00:00");
	check_fires("quartz=0 0 12 * * ? 2020;timezone=UTC",
	    "2026-01-01T00:00:00Z", 1, "-");
}

/* Wrap-around ranges are the lists they stand for, in every field. */
static void
test_wrap_around(void **state)
{
	const char *from = "2026-01-01T00:00:00Z";

	(void)state;
	check_same("crontab=0 0 * * fri-mon;timezone=UTC",
	    "crontab=0 0 * * 5,6,0,1;timezone=UTC", from, 20);
	check_same("crontab=0 22-2 * * *;timezone=UTC",
	    "crontab=0 22,23,0,1,2 * * *;timezone=UTC", from, 20);
	check_same("crontab=0 22-2/2 * * *;timezone=UTC",
	    "crontab=0 22,0,2 * * *;timezone=UTC", from, 20);
	check_same("crontab=0 0 1 nov-feb *;timezone=UTC",
	    "crontab=0 0 1 1,2,11,12 *;timezone=UTC", from, 12);
	check_same("crontab=0 0 30-2 * *;timezone=UTC",
	    "crontab=0 0 30,31,1,2 * *;timezone=UTC", from, 20);
	check_same("crontab=50-10/5 * * * * *;timezone=UTC",
	    "crontab=50,55,0,5,10 * * * * *;timezone=UTC", from, 20);
	check_same("crontab=55-5 * * * *;timezone=UTC",
	    "crontab=55-59,0-5 * * * *;timezone=UTC", from, 30);
	check_same("crontab=0 0 * * sat-sun;timezone=UTC",
	    "crontab=0 0 * * 6,7;timezone=UTC", from, 10);
	check_same("quartz=0 0 0 ? * FRI-MON;timezone=UTC",
	    "quartz=0 0 0 ? * 6,7,1,2;timezone=UTC", from, 20);
	check_same("quartz=0 0 0 ? * 7-2;timezone=UTC",
	    "quartz=0 0 0 ? * 7,1,2;timezone=UTC", from, 20);
}

static void
test_crontab_extensions(void **state)
{
	(void)state;
	/* Six fields, seconds first; 7 is Sunday there too. */
	check_fires("crontab=*/20 0 0 * * 7;timezone=UTC",
	    "2026-01-01T00:00:00Z", 4, "2026-01-04T00:00:00+00:00,"
	    "2026-01-04T00:00:20+00:00,2026-01-04T00:00:40+00:00,"
	    "2026-01-11T00:00:00+00:00");
	/* L, L-n, nW, LW, dL, d#n in lists, with names. */
	check_fires("crontab=0 0 1,L * *;timezone=UTC", "2026-01-02T00:00:00Z",
	    3, "2026-01-31T00:00:00+00:00,2026-02-01T00:00:00+00:00,"
	    "2026-02-28T00:00:00+00:00");
	check_fires("crontab=0 0 L-1,15W * *;timezone=UTC",
	    "2026-08-01T00:00:00Z", 4, "2026-08-14T00:00:00+00:00,"
	    "2026-08-30T00:00:00+00:00,2026-09-15T00:00:00+00:00,"
	    "2026-09-29T00:00:00+00:00");
	check_fires("crontab=0 0 LW * ?;timezone=UTC", "2026-05-01T00:00:00Z",
	    2, "2026-05-29T00:00:00+00:00,2026-06-30T00:00:00+00:00");
	check_fires("crontab=0 9 ? * friL,MON#2;timezone=UTC",
	    "2026-01-01T00:00:00Z", 4, "2026-01-12T09:00:00+00:00,"
	    "2026-01-30T09:00:00+00:00,2026-02-09T09:00:00+00:00,"
	    "2026-02-27T09:00:00+00:00");
	check_fires("crontab=0 9 * * 7L;timezone=UTC", "2026-01-01T00:00:00Z",
	    2, "2026-01-25T09:00:00+00:00,2026-02-22T09:00:00+00:00");
	/* Both day fields restricted: either (Vixie), also with L. */
	check_fires("crontab=0 0 L * mon;timezone=UTC", "2026-01-20T00:00:00Z",
	    3, "2026-01-26T00:00:00+00:00,2026-01-31T00:00:00+00:00,"
	    "2026-02-02T00:00:00+00:00");
	/* "?" is "*": the other day field alone decides. */
	check_same("crontab=0 0 ? * 1;timezone=UTC",
	    "crontab=0 0 * * 1;timezone=UTC", "2026-01-01T00:00:00Z", 8);
	check_same("crontab=0 0 1 * ?;timezone=UTC",
	    "crontab=0 0 1 * *;timezone=UTC", "2026-01-01T00:00:00Z", 8);
	/* The old five-field lines are what they were. */
	check_same("crontab=0 0 */2 * fri;timezone=UTC",
	    "day=*/2;day_of_week=fri;hour=0;minute=0;timezone=UTC",
	    "2026-01-01T00:00:00Z", 10);
}

/* ---- the examples in croniter's and cron-parser's READMEs ---- */

static void
test_documented_examples(void **state)
{
	(void)state;
	/* croniter, from base = datetime(2010, 1, 25, 4, 46).  (Its README
	 * lists 2010-01-26 for "2 4 * * mon,fri", a Tuesday; croniter
	 * itself gives 2010-01-29, as here.) */
	check_fires("crontab=*/5 * * * *;timezone=UTC", "2010-01-25T04:46:00Z",
	    3, "2010-01-25T04:50:00+00:00,2010-01-25T04:55:00+00:00,"
	    "2010-01-25T05:00:00+00:00");
	check_fires("crontab=2 4 * * mon,fri;timezone=UTC",
	    "2010-01-25T04:46:00Z", 3, "2010-01-29T04:02:00+00:00,"
	    "2010-02-01T04:02:00+00:00,2010-02-05T04:02:00+00:00");
	check_fires("crontab=2 4 1 * wed;timezone=UTC", "2010-01-25T04:46:00Z",
	    3, "2010-01-27T04:02:00+00:00,2010-02-01T04:02:00+00:00,"
	    "2010-02-03T04:02:00+00:00");
	check_fires("crontab=0 0 * * sat#1,sun#2;timezone=UTC",
	    "2010-01-25T04:46:00Z", 1, "2010-02-06T00:00:00+00:00");
	/* croniter writes the last Friday "L5"; cron-parser and Quartz
	 * "5L". */
	check_fires("crontab=0 0 * * 5#3,5L;timezone=UTC",
	    "2010-01-25T04:46:00Z", 2, "2010-01-29T00:00:00+00:00,"
	    "2010-02-19T00:00:00+00:00");
	/* cron-parser: "*\/22 * * * *" from Wed, 26 Dec 2012 12:38:53 UTC to
	 * 14:40:00 UTC, printed in EET: 14:44 ... 16:22, then done. */
	check_fires("crontab=*/22 * * * *;timezone=Europe/Athens;"
	    "end_date=2012-12-26T14:40:00Z", "2012-12-26T12:38:53Z", 7,
	    "2012-12-26T14:44:00+02:00,2012-12-26T15:00:00+02:00,"
	    "2012-12-26T15:22:00+02:00,2012-12-26T15:44:00+02:00,"
	    "2012-12-26T16:00:00+02:00,2012-12-26T16:22:00+02:00");
	/* cron-parser: "0 * * * *" from 2016-03-27 00:00:01 in
	 * Europe/Athens: 01:00, 02:00, then 04:00 EEST ("Notice DST
	 * transition": 03:00 does not exist). */
	check_fires("crontab=0 * * * *;timezone=Europe/Athens",
	    "2016-03-27T00:00:01+02:00", 3, "2016-03-27T01:00:00+02:00,"
	    "2016-03-27T02:00:00+02:00,2016-03-27T04:00:00+03:00");
}

/* ---- Jenkins' H ---- */

static int64_t
first_fire(const char *spec, const char *seed)
{
	struct trigger *t = make_seeded("cron", spec, seed);
	int64_t f = trigger_next(t, TRIGGER_NONE, at("2026-01-01T00:00:00Z"));

	trigger_free(t);
	return f;
}

static void
test_hash(void **state)
{
	struct trigger *t;
	char seed[32];
	int minutes[60] = { 0 }, distinct = 0, i, m, h;
	int64_t f, base = at("2026-01-01T00:00:00Z");

	(void)state;
	/* Stable: the same id gives the same times every time. */
	assert_true(first_fire("crontab=H H * * *;timezone=UTC", "backup") ==
	    first_fire("crontab=H H * * *;timezone=UTC", "backup"));
	/* No seed reads as the empty id. */
	assert_true(first_fire("crontab=H H * * *;timezone=UTC", NULL) ==
	    first_fire("crontab=H H * * *;timezone=UTC", ""));
	/* Spread: 200 ids land on many minutes, each within H(10-19). */
	for (i = 0; i < 200; i++) {
		snprintf(seed, sizeof seed, "task-%d", i);
		f = first_fire("crontab=H H(10-19) * * *;timezone=UTC", seed);
		m = (int)((f - base) / MGR_US_PER_S / 60 % 60);
		h = (int)((f - base) / MGR_US_PER_S / 3600 % 24);
		assert_true(h >= 10 && h <= 19);
		distinct += minutes[m]++ == 0;
	}
	assert_true(distinct >= 40);
	/* H/15: every 15 minutes from a hashed start below 15. */
	f = first_fire("crontab=H/15 * * * *;timezone=UTC", "backup");
	m = (int)((f - base) / MGR_US_PER_S / 60);
	assert_true(m < 15);
	t = make_seeded("cron", "crontab=H/15 * * * *;timezone=UTC", "backup");
	for (i = 1; i < 8; i++) {
		f = trigger_next(t, f, f);
		assert_true(f == base + (int64_t)(m + 15 * i) * 60 *
		    MGR_US_PER_S);
	}
	trigger_free(t);
	/* H(0-29)/10 stays in 0-29; H in day stays in 1-28, in
	 * day_of_week in 0-6. */
	for (i = 0; i < 50; i++) {
		snprintf(seed, sizeof seed, "id%d", i);
		f = first_fire("crontab=H(0-29)/10 0 * * *;timezone=UTC", seed);
		assert_true((f - base) / MGR_US_PER_S / 60 < 30);
		f = first_fire("crontab=0 0 H * *;timezone=UTC", seed);
		assert_true((f - base) / MGR_US_PER_S / 86400 < 28);
	}
}

/* ---- refusals, each naming the field and the token ---- */

static void
test_refusals(void **state)
{
	(void)state;
	check_error("cron", "crontab=0 0 0 0 * * * *", "crontab: expected 5 "
	    "fields (minute hour day month day_of_week) or 6 (second first), "
	    "got more than 6");
	check_error("cron", "quartz=0 0 12 * *", "quartz: expected 6 or 7 "
	    "fields (second minute hour day month day_of_week [year]), got 5");
	check_error("cron", "quartz=0 0 12 * * MON", "quartz: exactly one of "
	    "day (\"*\") and day_of_week (\"MON\") must be \"?\"");
	check_error("cron", "quartz=0 0 12 ? * ?", "quartz: exactly one of "
	    "day (\"?\") and day_of_week (\"?\") must be \"?\"");
	check_error("cron", "quartz=0 0 ? * * ?", "hour: \"?\": \"?\" is "
	    "only for day and day_of_week");
	check_error("cron", "crontab=0 0 1,? * *", "day: \"1,?\": \"?\" must "
	    "be the whole field");
	check_error("cron", "quartz=0 0 12 ? * 0", "day_of_week: \"0\" is out "
	    "of range 1-7");
	check_error("cron", "quartz=0 0 12 ? * 8", "day_of_week: \"8\" is out "
	    "of range 1-7");
	check_error("cron", "quartz=60 0 12 * * ?", "second: \"60\" is out of "
	    "range 0-59");
	check_error("cron", "quartz=0 0 12 * * ? 2100", "year: \"2100\" is "
	    "out of range 1970-2099");
	check_error("cron", "quartz=0 0 12 * * ? 2030-2027", "year: range "
	    "\"2030-2027\" is reversed (first is greater than last)");
	check_error("cron", "quartz=0 0/60 12 * * ?", "minute: step 60 in "
	    "\"0/60\" is larger than the range (59)");
	check_error("cron", "quartz=0 0 12 ? * 6#6", "day_of_week: \"6#6\": "
	    "\"#\" must be followed by a number from 1 to 5");
	check_error("cron", "crontab=0 0 * * 5#0", "day_of_week: \"5#0\": "
	    "\"#\" must be followed by a number from 1 to 5");
	check_error("cron", "quartz=0 0 12 L-31 * ?", "day: \"L-31\": the "
	    "offset from the last day is at most 30");
	check_error("cron", "quartz=0 0 12 L,15 * ?", "day: \"L,15\": Quartz "
	    "takes L, W and # only alone in the field");
	check_error("cron", "quartz=0 0 12 ? * 2,6L", "day_of_week: "
	    "\"2,6L\": Quartz takes L, W and # only alone in the field");
	check_error("cron", "quartz=0 0 12 1-5W * ?", "day: \"1-5W\" is not "
	    "a valid Quartz expression (expected ?, *, */N, A, A-B, A-B/N, "
	    "L, L-N, NW or LW)");
	check_error("cron", "quartz=0 0 H * * ?", "hour: \"H\" is not a valid "
	    "Quartz expression (expected *, */N, A, A-B, A/N or A-B/N)");
	check_error("cron", "crontab=0 0 32W * *", "day: \"32\" is out of "
	    "range 1-31");
	check_error("cron", "crontab=0 0 * * L", "day_of_week: \"L\" is not a "
	    "valid crontab expression (expected *, ?, */N, A, A-B, A-B/N, DL, "
	    "D#N or H)");
	check_error("cron", "crontab=0 0 LX * *", "day: \"LX\" is not a "
	    "valid crontab expression (expected *, ?, */N, A, A-B, A-B/N, L, "
	    "L-N, NW, LW or H)");
	check_error("cron", "crontab=0 0 * * funL", "day_of_week: \"fun\" is "
	    "not a weekday name");
	check_error("cron", "crontab=H(30-20) * * * *", "minute: range "
	    "\"H(30-20)\" is reversed (first is greater than last)");
	check_error("cron", "crontab=H(0-70) * * * *", "minute: \"70\" is out "
	    "of range 0-59");
	check_error("cron", "crontab=H/61 * * * *", "minute: step 61 in "
	    "\"H/61\" is larger than the range (60)");
	check_error("cron", "crontab=H(5-10 * * * *", "minute: \"H(5-10\" is "
	    "not a valid crontab expression (expected *, */N, A, A-B or "
	    "A-B/N)");
	check_error("cron", "crontab=0 0 * * *;quartz=0 0 0 * * ?", "crontab "
	    "cannot be combined with field \"quartz\"");
	check_error("cron", "quartz=0 0 0 * * ?;hour=1", "quartz cannot be "
	    "combined with field \"hour\"");
	check_error("cron", "crontab=0 0 * * 1#", "day_of_week: \"1#\": "
	    "\"#\" must be followed by a number from 1 to 5");
}

/* ---- relative run_date ---- */

static int64_t
pinned(const char *spec, const char *now, char *value, size_t len)
{
	struct trigger *t = make_seeded("date", spec, NULL);
	int64_t r;
	size_t i;

	assert_int_equal(trigger_pin(t, at(now), NULL), 0);
	r = trigger_next(t, TRIGGER_NONE, at(now) + 999 * MGR_US_PER_S);
	for (i = 0; i < trigger_field_count(t); i++)
		if (strcmp(trigger_field_name(t, i), "run_date") == 0)
			snprintf(value, len, "%s", trigger_field_value(t, i));
	trigger_free(t);
	return r;
}

static void
test_relative_run_date(void **state)
{
	char v[64];

	(void)state;
	assert_true(pinned("run_date=+10min;timezone=UTC",
	    "2026-03-02T09:00:00Z", v, sizeof v) == at("2026-03-02T09:10:00Z"));
	/* Pinning stores the absolute time, so a restart keeps it. */
	assert_string_equal(v, "2026-03-02T09:10:00+00:00");
	assert_true(pinned("run_date=now+2h;timezone=UTC",
	    "2026-03-02T09:00:00Z", v, sizeof v) == at("2026-03-02T11:00:00Z"));
	assert_true(pinned("run_date=NOW + 1h 30 minutes;timezone=UTC",
	    "2026-03-02T09:00:00Z", v, sizeof v) == at("2026-03-02T10:30:00Z"));
	assert_true(pinned("run_date=+1d2h3m4s;timezone=UTC",
	    "2026-03-02T09:00:00Z", v, sizeof v) == at("2026-03-03T11:03:04Z"));
	assert_true(pinned("run_date=now;timezone=UTC",
	    "2026-03-02T09:00:00Z", v, sizeof v) == at("2026-03-02T09:00:00Z"));
	/* tomorrow is a date in the zone: 23:30 UTC is already Tuesday in
	 * Berlin, so tomorrow is Wednesday. */
	assert_true(pinned("run_date=tomorrow 09:00;timezone=Europe/Berlin",
	    "2026-03-02T23:30:00Z", v, sizeof v) ==
	    at("2026-03-04T09:00:00+01:00"));
	assert_string_equal(v, "2026-03-04T09:00:00+01:00");
	/* Across the spring change: the next day's 09:00 is CEST. */
	assert_true(pinned("run_date=tomorrow 09:00;timezone=Europe/Berlin",
	    "2026-03-28T12:00:00Z", v, sizeof v) ==
	    at("2026-03-29T09:00:00+02:00"));
	/* A time in the gap means its end, as for absolute dates. */
	assert_true(pinned("run_date=tomorrow 02:30;timezone=Europe/Berlin",
	    "2026-03-28T12:00:00Z", v, sizeof v) ==
	    at("2026-03-29T03:00:00+02:00"));
	assert_true(pinned("run_date=today 18:00:30;timezone=America/New_York",
	    "2026-11-01T12:00:00Z", v, sizeof v) ==
	    at("2026-11-01T18:00:30-05:00"));
	assert_true(pinned("run_date=tomorrow;timezone=UTC",
	    "2026-03-02T09:00:00Z", v, sizeof v) == at("2026-03-03T00:00:00Z"));
	check_error("date", "run_date=+10 parsecs", "run_date: \"+10 "
	    "parsecs\": \"parsecs\" is not a unit (s, min, h, d, w or their "
	    "long names)");
	check_error("date", "run_date=+1.5h", "run_date: \"+1.5h\": \".5h\" "
	    "is not a unit (s, min, h, d, w or their long names)");
	check_error("date", "run_date=+", "run_date: \"+\" is not a valid "
	    "relative time (expected +N UNIT..., now, now+N UNIT, today or "
	    "tomorrow [HH:MM[:SS]])");
	check_error("date", "run_date=now-5min", "run_date: \"now-5min\" is "
	    "not a valid relative time (expected +N UNIT..., now, now+N UNIT, "
	    "today or tomorrow [HH:MM[:SS]])");
	check_error("date", "run_date=tomorrow 25:00", "run_date: \"tomorrow "
	    "25:00\" is not a valid date or time (a field is out of range)");
	check_error("date", "run_date=+99999999999999w", "run_date: "
	    "\"+99999999999999w\" is too far away");
}

/* ---- APScheduler fields: the sets against the expressions ---- */

static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A number in [lo, hi]. */
static int
rnd_in(uint64_t *x, int lo, int hi)
{
	return lo + (int)(rnd(x) % (uint64_t)(hi - lo + 1));
}

/* One random item of field id ("*", "*\/n", "a", "a-b", "a-b/n",
 * "a/n", names, and for the day "last" and "2nd fri"), appended. */
static void
random_item(uint64_t *x, int id, char *out, size_t len)
{
	static const int lo[] = { 2020, 1, 1, 1, 0, 0, 0, 0 };
	static const int hi[] = { 2040, 12, 31, 53, 6, 23, 59, 59 };
	static const int fmin[] = { 1970, 1, 1, 1, 0, 0, 0, 0 };
	static const char *const days[] = { "mon", "tue", "wed", "thu", "fri",
		"sat", "sun" };
	static const char *const nth[] = { "1st", "2nd", "3rd", "4th", "5th",
		"last" };
	size_t at = strlen(out);
	int a = rnd_in(x, lo[id], hi[id]), b = rnd_in(x, a, hi[id]);
	int span = hi[id] - fmin[id], kind = (int)(rnd(x) % 9);

	if (id == CRON_DAY && kind == 7) {
		snprintf(out + at, len - at, "last");
		return;
	}
	if (id == CRON_DAY && kind == 8) {
		snprintf(out + at, len - at, "%s %s", nth[rnd(x) % 6],
		    days[rnd(x) % 7]);
		return;
	}
	if (id == CRON_DOW && kind >= 7) {
		snprintf(out + at, len - at, "%s-%s", days[a], days[b]);
		return;
	}
	switch (kind % 6) {
	case 0:
		snprintf(out + at, len - at, "*");
		break;
	case 1:
		snprintf(out + at, len - at, "*/%d", rnd_in(x, 1, span));
		break;
	case 2:
		snprintf(out + at, len - at, "%d", a);
		break;
	case 3:
		snprintf(out + at, len - at, "%d-%d", a, b);
		break;
	case 4:
		snprintf(out + at, len - at, "%d-%d/%d", a, b,
		    rnd_in(x, 1, b > a ? b - a : 1));
		break;
	default:
		snprintf(out + at, len - at, "%d/%d", a,
		    rnd_in(x, 1, hi[id] > a ? hi[id] - a : 1));
		break;
	}
}

/* The next three matches from *w of c, as text. */
static void
next_three(const struct cron *c, struct tm_fields w, char *out, size_t len)
{
	int64_t limit = tz_fields_to_seconds(&w) + INT64_C(3) * 366 * 86400;
	size_t at;
	int i;

	out[0] = '\0';
	for (i = 0; i < 3; i++) {
		at = strlen(out);
		if (cron_next_wall(c, &w, limit) != 0) {
			snprintf(out + at, len - at, " none");
			return;
		}
		snprintf(out + at, len - at, " %04d-%02d-%02dT%02d:%02d:%02d",
		    w.year, w.month, w.day, w.hour, w.minute, w.second);
		tz_seconds_to_fields(tz_fields_to_seconds(&w) + 1, &w);
	}
}

/* Random field combinations, each parsed to sets (what the engine
 * keeps) and to expressions only (APScheduler's own search): the same
 * fire times from random starts, or a wrong bit somewhere. */
static void
test_aps_sets_match_expressions(void **state)
{
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
	char text[CRON_NFIELDS][64], want[128], got[128];
	const char *values[CRON_NFIELDS];
	struct cron *sets, *exprs;
	struct mgr_error err;
	struct tm_fields w;
	int round, id, k, n, compared = 0, compact = 0;

	(void)state;
	for (round = 0; round < 3000; round++) {
		for (id = 0; id < CRON_NFIELDS; id++) {
			values[id] = NULL;
			text[id][0] = '\0';
			/* The year seldom, the others half the time. */
			if (rnd(&x) % (id == CRON_YEAR ? 8 : 2) != 0)
				continue;
			n = rnd_in(&x, 1, 3);
			for (k = 0; k < n; k++) {
				if (k > 0)
					strcat(text[id], ",");
				random_item(&x, id, text[id], sizeof text[id]);
			}
			values[id] = text[id];
		}
		if (cron_aps_parse(values, 1, &sets, &err) != 0)
			continue;	/* a step over the range, say */
		if (cron_aps_parse(values, 0, &exprs, &err) != 0)
			fail_msg("expressions refused what sets took: %s",
			    err.msg);
		compact += sets->a.exprs == 0;
		tz_seconds_to_fields(INT64_C(1577836800) +
		    (int64_t)(rnd(&x) % (INT64_C(20) * 365 * 86400)), &w);
		next_three(exprs, w, want, sizeof want);
		next_three(sets, w, got, sizeof got);
		if (strcmp(want, got) != 0) {
			fail_msg("from %04d-%02d-%02dT%02d:%02d:%02d, year=%s "
			    "month=%s day=%s week=%s day_of_week=%s hour=%s "
			    "minute=%s second=%s: expressions%s, sets%s",
			    w.year, w.month, w.day, w.hour, w.minute, w.second,
			    text[0], text[1], text[2], text[3], text[4],
			    text[5], text[6], text[7], want, got);
		}
		cron_free(sets);
		cron_free(exprs);
		compared++;
	}
	print_message("%d combinations compared, %d all sets\n", compared,
	    compact);
	assert_true(compared > 1000 && compact > 500);
}

/* ---- speed: the scheduler's hot path ---- */

static void
test_next_is_fast(void **state)
{
	struct trigger *t = make_seeded("cron", "quartz=0 15 10 ? * 6L;"
	    "timezone=Europe/Berlin", NULL);
	struct timespec a, b;
	int64_t f = at("2026-01-01T00:00:00Z");
	double ms;
	int i;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 10000 && f != TRIGGER_NONE; i++)
		f = trigger_next(t, f, f);
	clock_gettime(CLOCK_MONOTONIC, &b);
	trigger_free(t);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("10000 next fire times (last Fridays): %.1f ms\n", ms);
	/* A month apart each: well under 100 us a call even under the
	 * sanitizers and a loaded machine. */
	assert_true(ms < 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quartz_done_when),
		cmocka_unit_test(test_quartz_last_and_weekday),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_crontab_extensions),
		cmocka_unit_test(test_documented_examples),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_relative_run_date),
		cmocka_unit_test(test_next_is_fast),
		cmocka_unit_test(test_aps_sets_match_expressions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
