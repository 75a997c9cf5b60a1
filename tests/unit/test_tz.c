/* test_tz.c - TZif reader, POSIX TZ rules, calendar, ISO 8601 times. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "error.h"
#include "timefmt.h"
#include "tz.h"

static struct tz *
load(const char *name)
{
	struct mgr_error err;
	struct tz *z = NULL;

	if (tz_load(name, &z, &err) != 0)
		fail_msg("tz_load(%s): %s", name, err.msg);
	return z;
}

/* Offset at an ISO 8601 instant. */
static int
offset_at(const struct tz *z, const char *iso)
{
	int64_t us;

	assert_int_equal(timefmt_parse(iso, NULL, &us, NULL), 0);
	return tz_offset_at(z, us / MGR_US_PER_S);
}

/* The wall time in z as UTC ISO text, and its flags. */
static void
check_wall(const char *zone, int y, int mo, int d, int h, int mi,
	   const char *want_utc, int want_flags)
{
	struct tm_fields f = { y, mo, d, h, mi, 0 };
	struct tz *z = load(zone);
	char buf[TIMEFMT_ISO_MAX];
	int64_t s;
	int flags = -1;

	assert_int_equal(tz_local_to_utc(z, &f, &s, &flags), 0);
	timefmt_iso(buf, sizeof buf, s * MGR_US_PER_S, NULL);
	assert_string_equal(buf, want_utc);
	assert_int_equal(flags, want_flags);
	tz_free(z);
}

static void
test_utc_without_tzdata(void **state)
{
	struct tz *z;

	(void)state;
	setenv("TZDIR", "/nonexistent", 1);
	z = load("UTC");
	assert_string_equal(tz_name(z), "UTC");
	assert_int_equal(tz_offset_at(z, 1780000000), 0);
	tz_free(z);
	z = load("Etc/UTC");
	assert_int_equal(tz_offset_at(z, -5000000000LL), 0);
	tz_free(z);
	unsetenv("TZDIR");
}

static void
test_offsets(void **state)
{
	struct tz *z;

	(void)state;
	z = load("Europe/Berlin");
	assert_int_equal(offset_at(z, "2026-01-15T12:00:00Z"), 3600);
	assert_int_equal(offset_at(z, "2026-07-15T12:00:00Z"), 7200);
	/* Transition instants: 01:00 UTC both ways. */
	assert_int_equal(offset_at(z, "2026-03-29T00:59:59Z"), 3600);
	assert_int_equal(offset_at(z, "2026-03-29T01:00:00Z"), 7200);
	assert_int_equal(offset_at(z, "2026-10-25T00:59:59Z"), 7200);
	assert_int_equal(offset_at(z, "2026-10-25T01:00:00Z"), 3600);
	/* Past the table: the POSIX footer. */
	assert_int_equal(offset_at(z, "2100-07-01T00:00:00Z"), 7200);
	assert_int_equal(offset_at(z, "2100-12-01T00:00:00Z"), 3600);
	/* Before the first transition: local mean time, 0:53:28. */
	assert_int_equal(offset_at(z, "1850-01-01T00:00:00Z"), 3208);
	tz_free(z);

	z = load("America/New_York");
	assert_int_equal(offset_at(z, "2026-01-15T12:00:00Z"), -18000);
	assert_int_equal(offset_at(z, "2026-07-15T12:00:00Z"), -14400);
	assert_int_equal(offset_at(z, "2200-07-15T12:00:00Z"), -14400);
	tz_free(z);

	/* Half-hour daylight saving. */
	z = load("Australia/Lord_Howe");
	assert_int_equal(offset_at(z, "2026-07-01T00:00:00Z"), 37800);
	assert_int_equal(offset_at(z, "2026-01-01T00:00:00Z"), 39600);
	assert_int_equal(offset_at(z, "2099-01-01T00:00:00Z"), 39600);
	tz_free(z);

	z = load("Pacific/Chatham");
	assert_int_equal(offset_at(z, "2026-07-01T00:00:00Z"), 45900);
	assert_int_equal(offset_at(z, "2026-01-01T00:00:00Z"), 49500);
	assert_int_equal(offset_at(z, "2150-01-01T00:00:00Z"), 49500);
	tz_free(z);

	z = load("Asia/Kolkata");
	assert_int_equal(offset_at(z, "2026-07-01T00:00:00Z"), 19800);
	tz_free(z);
}

static void
test_gaps_and_folds(void **state)
{
	(void)state;
	check_wall("Europe/Berlin", 2026, 3, 2, 9, 0,
	    "2026-03-02T08:00:00+00:00", 0);
	/* 02:30 does not exist: the gap ends at 03:00 CEST = 01:00 UTC. */
	check_wall("Europe/Berlin", 2026, 3, 29, 2, 30,
	    "2026-03-29T01:00:00+00:00", TZ_GAP);
	check_wall("Europe/Berlin", 2026, 3, 29, 3, 0,
	    "2026-03-29T01:00:00+00:00", 0);
	/* 02:30 happens twice: the first one is CEST. */
	check_wall("Europe/Berlin", 2026, 10, 25, 2, 30,
	    "2026-10-25T00:30:00+00:00", TZ_FOLD);
	check_wall("America/New_York", 2026, 3, 8, 2, 30,
	    "2026-03-08T07:00:00+00:00", TZ_GAP);
	check_wall("America/New_York", 2026, 11, 1, 1, 30,
	    "2026-11-01T05:30:00+00:00", TZ_FOLD);
	/* Lord Howe moves by 30 minutes at 02:00. */
	check_wall("Australia/Lord_Howe", 2026, 10, 4, 2, 15,
	    "2026-10-03T15:30:00+00:00", TZ_GAP);
	check_wall("Australia/Lord_Howe", 2026, 4, 5, 1, 45,
	    "2026-04-04T14:45:00+00:00", TZ_FOLD);
	check_wall("Australia/Lord_Howe", 2026, 4, 5, 2, 0,
	    "2026-04-04T15:30:00+00:00", 0);
	/* Chatham changes at 02:45 standard / 03:45 daylight time. */
	check_wall("Pacific/Chatham", 2026, 9, 27, 3, 0,
	    "2026-09-26T14:00:00+00:00", TZ_GAP);
	check_wall("Pacific/Chatham", 2026, 4, 5, 3, 0,
	    "2026-04-04T13:15:00+00:00", TZ_FOLD);
	/* Far future, from the POSIX rule. */
	check_wall("Europe/Berlin", 2100, 3, 28, 2, 30,
	    "2100-03-28T01:00:00+00:00", TZ_GAP);
	check_wall("Europe/Berlin", 2100, 10, 31, 2, 30,
	    "2100-10-31T00:30:00+00:00", TZ_FOLD);
}

static void
test_invalid_wall(void **state)
{
	struct tm_fields f = { 2026, 2, 30, 0, 0, 0 };
	struct tz *z = load("UTC");
	int64_t s;

	(void)state;
	assert_int_equal(tz_local_to_utc(z, &f, &s, NULL), MGR_EINVAL);
	f.day = 1;
	f.hour = 24;
	assert_int_equal(tz_local_to_utc(z, &f, &s, NULL), MGR_EINVAL);
	tz_free(z);
}

static void
test_load_errors(void **state)
{
	struct mgr_error err;
	struct tz *z = (struct tz *)1;

	(void)state;
	assert_int_equal(tz_load("Mars/Olympus", &z, &err), MGR_ENOENT);
	assert_null(z);
	assert_string_equal(err.msg, "unknown time zone \"Mars/Olympus\"");
	assert_int_equal(tz_load("../../etc/passwd", &z, &err), MGR_EINVAL);
	assert_int_equal(tz_load("/etc/localtime", &z, &err), MGR_EINVAL);
	assert_int_equal(tz_load("Europe/../../x", &z, &err), MGR_EINVAL);
}

static void
test_local_from_env(void **state)
{
	struct tz *z;

	(void)state;
	setenv("TZ", ":Europe/Berlin", 1);
	z = load(NULL);
	assert_string_equal(tz_name(z), "Europe/Berlin");
	assert_int_equal(offset_at(z, "2026-07-01T00:00:00Z"), 7200);
	tz_free(z);

	/* A POSIX rule string. */
	setenv("TZ", "<+0330>-3:30", 1);
	z = load("local");
	assert_int_equal(offset_at(z, "2026-07-01T00:00:00Z"), 12600);
	tz_free(z);
	setenv("TZ", "AAA+5BBB,M3.2.0,M11.1.0", 1);
	z = load("local");
	assert_int_equal(offset_at(z, "2026-07-01T00:00:00Z"), -14400);
	assert_int_equal(offset_at(z, "2026-01-01T00:00:00Z"), -18000);
	tz_free(z);
	unsetenv("TZ");
}

/* timefmt_iso as snprintf wrote it before it was written digit by
 * digit: the reference for the test below. */
static void
iso_reference(char *buf, size_t len, int64_t us, const struct tz *z)
{
	int64_t s = us / MGR_US_PER_S;
	int frac = (int)(us % MGR_US_PER_S), off, aoff;
	struct tm_fields f;
	char fracs[16] = "", offs[16];

	if (frac < 0) {
		frac += MGR_US_PER_S;
		s--;
	}
	off = z != NULL ? tz_offset_at(z, s) : 0;
	tz_seconds_to_fields(s + off, &f);
	aoff = off < 0 ? -off : off;
	if (frac != 0)
		snprintf(fracs, sizeof fracs, ".%06d", frac);
	if (aoff % 60 != 0)
		snprintf(offs, sizeof offs, "%c%02d:%02d:%02d", off < 0 ? '-' :
		    '+', aoff / 3600, aoff / 60 % 60, aoff % 60);
	else
		snprintf(offs, sizeof offs, "%c%02d:%02d", off < 0 ? '-' : '+',
		    aoff / 3600, aoff / 60 % 60);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", f.year,
	    f.month, f.day, f.hour, f.minute, f.second, fracs, offs);
}

/* The ISO form is snprintf's, to the byte: years 0-9999 and beyond (which
 * take snprintf's own way), before 1970, fractions, whole, negative and
 * odd offsets (Monrovia's -00:44:30 until 1972, Amsterdam's +00:19:32 in
 * 1900), and a buffer too small to hold it all (cut as snprintf cuts). */
static void
test_iso_form(void **state)
{
	const char *zones[] = { "UTC", "Europe/Berlin", "America/New_York",
	    "Africa/Monrovia", "Europe/Amsterdam", "Asia/Kolkata" };
	char got[TIMEFMT_ISO_MAX], want[TIMEFMT_ISO_MAX];
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
		struct tz *z = load(zones[i]);

		for (int k = 0; k < 20000; k++) {
			int64_t us;

			x ^= x << 13;	/* xorshift: the same values each run */
			x ^= x >> 7;
			x ^= x << 17;
			/* from year -200 to 12,000, whole seconds half the time */
			us = (int64_t)(x % 388000000000ULL) * MGR_US_PER_S -
			    68500000000LL * MGR_US_PER_S;
			if (k % 2)
				us += (int64_t)(x >> 40) % MGR_US_PER_S;
			timefmt_iso(got, sizeof got, us, k % 3 ? z : NULL);
			iso_reference(want, sizeof want, us, k % 3 ? z : NULL);
			assert_string_equal(got, want);
			timefmt_iso(got, 20, us, z);
			iso_reference(want, 20, us, z);
			assert_string_equal(got, want);
		}
		tz_free(z);
	}
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A version 1 file (32-bit, no footer) in a private $TZDIR. */
static void
test_tzif_v1_and_tzdir(void **state)
{
	unsigned char buf[44 + 4 + 1 + 12 + 8];
	char dir[] = "/tmp/test_tz.XXXXXX", path[256];
	unsigned char *p = buf + 44;
	struct tz *z;
	FILE *f;

	(void)state;
	memset(buf, 0, sizeof buf);
	memcpy(buf, "TZif", 4);
	put32(buf + 32, 1);	/* timecnt */
	put32(buf + 36, 2);	/* typecnt */
	put32(buf + 40, 8);	/* charcnt */
	put32(p, 1000000000);	/* one transition */
	p[4] = 1;		/* to type 1 */
	put32(p + 5, 3600);	/* type 0: +1 */
	put32(p + 11, 7200);	/* type 1: +2 */
	memcpy(p + 17, "AAA\0BBB", 8);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/Test", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/Test/Zone", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, sizeof buf, f), sizeof buf);
	fclose(f);
	setenv("TZDIR", dir, 1);
	z = load("Test/Zone");
	assert_int_equal(tz_offset_at(z, 999999999), 3600);
	assert_int_equal(tz_offset_at(z, 1000000000), 7200);
	assert_int_equal(tz_offset_at(z, 4000000000LL), 7200);
	tz_free(z);
	unsetenv("TZDIR");
	unlink(path);
	snprintf(path, sizeof path, "%s/Test", dir);
	rmdir(path);
	rmdir(dir);
}

static void
test_calendar(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(tz_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(tz_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(tz_days_from_civil(1969, 12, 31), -1);
	tz_civil_from_days(11017, &y, &m, &d);
	assert_true(y == 2000 && m == 3 && d == 1);
	tz_civil_from_days(-719468, &y, &m, &d);
	assert_true(y == 0 && m == 3 && d == 1);
	assert_true(tz_is_leap(2000));
	assert_false(tz_is_leap(1900));
	assert_true(tz_is_leap(2028));
	assert_false(tz_is_leap(2026));
	assert_int_equal(tz_days_in_month(2028, 2), 29);
	assert_int_equal(tz_days_in_month(2100, 2), 28);
	assert_int_equal(tz_days_in_month(2026, 4), 30);
	assert_int_equal(tz_weekday(2026, 3, 2), 0);	/* Monday */
	assert_int_equal(tz_weekday(1970, 1, 1), 3);	/* Thursday */
	assert_int_equal(tz_weekday(1969, 12, 28), 6);	/* Sunday */
	assert_int_equal(tz_iso_week(2026, 1, 1), 1);
	assert_int_equal(tz_iso_week(2027, 1, 1), 53);
	assert_int_equal(tz_iso_week(2021, 1, 3), 53);
	assert_int_equal(tz_iso_week(2024, 12, 30), 1);
}

static void
check_format(int64_t us, const char *zone, const char *want)
{
	char buf[TIMEFMT_ISO_MAX];
	struct tz *z = zone != NULL ? load(zone) : NULL;

	assert_string_equal(timefmt_iso(buf, sizeof buf, us, z), want);
	tz_free(z);
}

static void
test_format(void **state)
{
	(void)state;
	check_format(1772438400LL * MGR_US_PER_S, "Europe/Berlin",
	    "2026-03-02T09:00:00+01:00");
	check_format(1772438400LL * MGR_US_PER_S, NULL,
	    "2026-03-02T08:00:00+00:00");
	check_format(1772438400LL * MGR_US_PER_S + 5, "Asia/Kolkata",
	    "2026-03-02T13:30:00.000005+05:30");
	check_format(-1, NULL, "1969-12-31T23:59:59.999999+00:00");
	check_format(1772438400LL * MGR_US_PER_S, "America/New_York",
	    "2026-03-02T03:00:00-05:00");
	check_format(1772438400LL * MGR_US_PER_S, "Pacific/Chatham",
	    "2026-03-02T21:45:00+13:45");
	/* Local mean time has seconds in its offset. */
	check_format(-3786825600LL * MGR_US_PER_S, "Europe/Berlin",
	    "1850-01-01T00:53:28+00:53:28");
}

static void
check_parse(const char *text, const char *zone, const char *want)
{
	char buf[TIMEFMT_ISO_MAX];
	struct tz *z = zone != NULL ? load(zone) : NULL;
	struct mgr_error err;
	int64_t us;

	if (timefmt_parse(text, z, &us, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
	assert_string_equal(timefmt_iso(buf, sizeof buf, us, NULL), want);
	tz_free(z);
}

static void
check_parse_error(const char *text, const char *want)
{
	struct mgr_error err;
	int64_t us;

	assert_int_equal(timefmt_parse(text, NULL, &us, &err), MGR_EINVAL);
	assert_string_equal(err.msg, want);
}

static void
test_parse(void **state)
{
	(void)state;
	check_parse("2026-03-02", "Europe/Berlin", "2026-03-01T23:00:00+00:00");
	check_parse("2026-03-02T09:00", "Europe/Berlin",
	    "2026-03-02T08:00:00+00:00");
	check_parse("2026-03-02 09:00:00", "America/New_York",
	    "2026-03-02T14:00:00+00:00");
	check_parse("2026-03-02T09:00:00.5Z", "America/New_York",
	    "2026-03-02T09:00:00.500000+00:00");
	check_parse("2026-03-02T09:00:00,123456789+01:00", NULL,
	    "2026-03-02T08:00:00.123456+00:00");
	check_parse("2026-03-02T09:00:00-0530", NULL,
	    "2026-03-02T14:30:00+00:00");
	check_parse("2026-03-02T09:00+01", NULL, "2026-03-02T08:00:00+00:00");
	check_parse("2026-3-2 9:00:00", NULL, "2026-03-02T09:00:00+00:00");
	check_parse("2026-03-02", NULL, "2026-03-02T00:00:00+00:00");
	/* Gap: the end of the gap; fold: the first occurrence. */
	check_parse("2026-03-29T02:30", "Europe/Berlin",
	    "2026-03-29T01:00:00+00:00");
	check_parse("2026-10-25T02:30", "Europe/Berlin",
	    "2026-10-25T00:30:00+00:00");
	check_parse("2028-02-29", NULL, "2028-02-29T00:00:00+00:00");

	check_parse_error("2026-02-29", "\"2026-02-29\" is not a valid date "
	    "or time (a field is out of range)");
	check_parse_error("2026-03-02T24:00", "\"2026-03-02T24:00\" is not a "
	    "valid date or time (a field is out of range)");
	check_parse_error("tomorrow", "\"tomorrow\" is not a valid date or "
	    "time (expected YYYY-MM-DD[THH:MM[:SS]][+HH:MM])");
	check_parse_error("2026-03-02T09", "\"2026-03-02T09\" is not a valid "
	    "date or time (expected YYYY-MM-DD[THH:MM[:SS]][+HH:MM])");
	check_parse_error("2026-03-02T09:00:00+1:00", "\"2026-03-02T09:00:00"
	    "+1:00\" is not a valid date or time (expected "
	    "YYYY-MM-DD[THH:MM[:SS]][+HH:MM])");
	check_parse_error("2026-03-02x", "\"2026-03-02x\" is not a valid date "
	    "or time (expected YYYY-MM-DD[THH:MM[:SS]][+HH:MM])");
	check_parse_error("2026-03-02T09:00:00.", "\"2026-03-02T09:00:00.\" "
	    "is not a valid date or time (expected "
	    "YYYY-MM-DD[THH:MM[:SS]][+HH:MM])");
}

static void
test_now(void **state)
{
	int64_t a, b;

	(void)state;
	a = mgr_now_us();
	b = mgr_now_us();
	/* After 2020 and not going backwards between two reads. */
	assert_true(a > INT64_C(1577836800000000));
	assert_true(b >= a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utc_without_tzdata),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_iso_form),
		cmocka_unit_test(test_gaps_and_folds),
		cmocka_unit_test(test_invalid_wall),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_local_from_env),
		cmocka_unit_test(test_tzif_v1_and_tzdir),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
