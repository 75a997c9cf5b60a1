/* test_format.c - the console's cell formatting: durations, times, and
 * fitting UTF-8 text (CJK, emoji, combining marks) to a column width. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"

#define S INT64_C(1000000)

static void
test_duration(void **state)
{
	char buf[32];

	(void)state;
	fmt_duration(12 * S, buf, sizeof buf);
	assert_string_equal(buf, "12s");
	fmt_duration(4 * 60 * S + 59 * S, buf, sizeof buf);
	assert_string_equal(buf, "4min");
	fmt_duration((2 * 3600 + 5 * 60 + 3) * S, buf, sizeof buf);
	assert_string_equal(buf, "2h 5min");
	fmt_duration(3 * 3600 * S, buf, sizeof buf);
	assert_string_equal(buf, "3h");
	fmt_duration((3 * 86400 + 4 * 3600) * S, buf, sizeof buf);
	assert_string_equal(buf, "3d 4h");
	fmt_duration(2 * 86400 * S, buf, sizeof buf);
	assert_string_equal(buf, "2d");
	fmt_duration(250000, buf, sizeof buf);
	assert_string_equal(buf, "250ms");
	fmt_duration(0, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	fmt_duration(-5 * S, buf, sizeof buf);
	assert_string_equal(buf, "0s");
	fmt_duration(59 * S, buf, sizeof buf);
	assert_string_equal(buf, "59s");
	fmt_duration(60 * S, buf, sizeof buf);
	assert_string_equal(buf, "1min");
}

static void
test_when(void **state)
{
	/* 2026-03-02 09:30:00 UTC, a Monday. */
	int64_t now = INT64_C(1772443800) * S;
	char buf[32];

	(void)state;
	fmt_when(0, now, buf, sizeof buf);
	assert_string_equal(buf, "-");
	fmt_when(now + 4 * 60 * S, now, buf, sizeof buf);
	assert_string_equal(buf, "09:34:00");
	fmt_when(now + 86400 * S, now, buf, sizeof buf);
	assert_string_equal(buf, "Tue 09:30");
	fmt_when(now + 30 * 86400 * S, now, buf, sizeof buf);
	assert_string_equal(buf, "2026-04-01");
	fmt_datetime(now, buf, sizeof buf);
	assert_string_equal(buf, "Mon 2026-03-02 09:30:00");
	fmt_datetime(0, buf, sizeof buf);
	assert_string_equal(buf, "-");
}

/* Weekdays in the CLI's language whatever LC_TIME says ("Di" in German
 * before). */
static void
test_when_german(void **state)
{
	int64_t now = INT64_C(1772443800) * S;
	char buf[32];

	(void)state;
	if (setlocale(LC_TIME, "de_DE.UTF-8") == NULL) {
		skip();
		return;
	}
	fmt_when(now + 86400 * S, now, buf, sizeof buf);
	setlocale(LC_TIME, "C");
	assert_string_equal(buf, "Tue 09:30");
}

static void
test_seconds(void **state)
{
	char buf[32];

	(void)state;
	fmt_seconds(0, buf, sizeof buf);
	assert_string_equal(buf, "no limit");
	fmt_seconds(30, buf, sizeof buf);
	assert_string_equal(buf, "30 s");
	fmt_seconds(1, buf, sizeof buf);
	assert_string_equal(buf, "1 s");
	fmt_seconds(300, buf, sizeof buf);
	assert_string_equal(buf, "5 min");
	fmt_seconds(7200, buf, sizeof buf);
	assert_string_equal(buf, "2 h");
	fmt_seconds(86400, buf, sizeof buf);
	assert_string_equal(buf, "1 day");
	fmt_seconds(2 * 86400, buf, sizeof buf);
	assert_string_equal(buf, "2 days");
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(fmt_width("hello"), 5);
	assert_int_equal(fmt_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);	/* 日本 */
	assert_int_equal(fmt_width("\xf0\x9f\x98\x80"), 2);		/* 😀 */
	assert_int_equal(fmt_width("e\xcc\x81"), 1);			/* e + ́ */
	assert_int_equal(fmt_width("a\xff" "b"), 3);			/* bad byte */
	assert_int_equal(fmt_width(""), 0);
}

static void
test_fit_ascii(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(fmt_fit("hello", 8, 1, 1, buf, sizeof buf), 8);
	assert_string_equal(buf, "hello   ");
	assert_int_equal(fmt_fit("hello", 8, 0, 1, buf, sizeof buf), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(fmt_fit("hello world", 8, 1, 1, buf, sizeof buf), 8);
	assert_string_equal(buf, "hello w\xe2\x80\xa6");
	assert_int_equal(fmt_fit("hello world", 8, 1, 0, buf, sizeof buf), 8);
	assert_string_equal(buf, "hello w~");
	assert_int_equal(fmt_fit("exactly8", 8, 1, 1, buf, sizeof buf), 8);
	assert_string_equal(buf, "exactly8");
	assert_int_equal(fmt_fit("abc", 0, 1, 1, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(fmt_fit("abc", 1, 1, 1, buf, sizeof buf), 1);
	assert_string_equal(buf, "\xe2\x80\xa6");
}

static void
test_fit_wide(void **state)
{
	char buf[64];

	(void)state;
	/* 日本語テキスト is 14 cells: 5 cells hold 日本 and the ellipsis. */
	assert_int_equal(fmt_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86"
	    "\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88", 5, 1, 1, buf, sizeof buf), 5);
	assert_string_equal(buf, "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6");
	/* 6 cells: 日本 (4) + … (1) + a pad space, never half a character. */
	assert_int_equal(fmt_fit("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86",
	    6, 1, 1, buf, sizeof buf), 6);
	assert_string_equal(buf, "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6 ");
	/* Emoji are two cells. */
	assert_int_equal(fmt_fit("ok \xf0\x9f\x98\x80\xf0\x9f\x98\x80", 5, 1, 1, buf,
	    sizeof buf), 5);
	assert_string_equal(buf, "ok \xe2\x80\xa6 ");
	assert_int_equal(fmt_fit("ok \xf0\x9f\x98\x80", 5, 1, 1, buf, sizeof buf), 5);
	assert_string_equal(buf, "ok \xf0\x9f\x98\x80");
	/* A combining mark stays with its letter. */
	assert_int_equal(fmt_fit("e\xcc\x81t\xc3\xa9", 3, 1, 1, buf, sizeof buf), 3);
	assert_string_equal(buf, "e\xcc\x81t\xc3\xa9");
}

static void
test_fit_controls(void **state)
{
	char buf[64];

	(void)state;
	/* Escape sequences from task output must not reach the terminal. */
	assert_int_equal(fmt_fit("a\x1b[2Jb\n", 8, 0, 1, buf, sizeof buf), 7);
	assert_string_equal(buf, "a?[2Jb?");
	assert_int_equal(fmt_fit("a\xff" "b", 5, 0, 1, buf, sizeof buf), 3);
	assert_string_equal(buf, "a?b");
	/* A small buffer is never overrun. */
	assert_int_equal(fmt_fit("abcdef", 6, 1, 1, buf, 4), 3);
	assert_string_equal(buf, "abc");
}

static void
test_first_line(void **state)
{
	char *s;

	(void)state;
	s = fmt_first_line("one\ntwo", 100);
	assert_string_equal(s, "one");
	free(s);
	s = fmt_first_line("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = fmt_first_line(NULL, 3);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_when),
		cmocka_unit_test(test_when_german),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_fit_ascii),
		cmocka_unit_test(test_fit_wide),
		cmocka_unit_test(test_fit_controls),
		cmocka_unit_test(test_first_line),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	if (setlocale(LC_ALL, "C.UTF-8") == NULL)
		return 77;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
