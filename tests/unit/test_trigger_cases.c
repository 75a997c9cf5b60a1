/* test_trigger_cases.c - checks trigger_next against the reference fire
 * times in tests/data/trigger-cases.txt (made by gen-trigger-cases.py from
 * APScheduler 3.9 and croniter) and tests/data/cron-dialect-cases.txt
 * (gen-cron-dialect-cases.py: crontab= extensions and quartz=, from
 * croniter).
 *
 * Usage: test_trigger_cases [CASES-FILE]; without an argument the files
 * are those two in $srcdir/tests/data.
 */

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

#define MAX_FIELDS 16
/* The generator lists at most this many fire times; fewer means the
 * trigger has no more, which trigger_next must agree with. */
#define CASE_COUNT 6
#define MAX_LINE 4096

struct cases {
	const char *path;
	int min_cases;		/* fewer means the file was cut short */
};

/* Checks one case line; returns 0 if it passes, prints why if not. */
static int
check_case(char *line, int lineno)
{
	char *cols[4], *save = NULL, *p, *fields[MAX_FIELDS], *expected;
	char got[TIMEFMT_ISO_MAX], *want, *wsave = NULL;
	struct trigger *t;
	struct mgr_error err;
	size_t nfields = 0;
	int64_t from, f;
	int i, n = 0;

	for (i = 0, p = line; i < 4; i++, p = NULL) {
		if ((cols[i] = strtok_r(p, "\t\n", &save)) == NULL) {
			print_error("line %d: malformed\n", lineno);
			return 1;
		}
	}
	if (strcmp(cols[1], "-") != 0) {
		for (p = strtok_r(cols[1], ";", &wsave); p != NULL &&
		    nfields < MAX_FIELDS; p = strtok_r(NULL, ";", &wsave))
			fields[nfields++] = p;
	}
	if (timefmt_parse(cols[2], NULL, &from, &err) != 0) {
		print_error("line %d: %s\n", lineno, err.msg);
		return 1;
	}
	if (trigger_parse(cols[0], (const char *const *)fields, nfields, &t,
	    &err) != 0) {
		print_error("line %d: %s\n", lineno, err.msg);
		return 1;
	}
	expected = strcmp(cols[3], "-") == 0 ? NULL : cols[3];
	wsave = NULL;
	f = trigger_next(t, TRIGGER_NONE, from);
	for (want = expected ? strtok_r(expected, ",", &wsave) : NULL;
	    want != NULL; want = strtok_r(NULL, ",", &wsave)) {
		if (f == TRIGGER_NONE) {
			print_error("line %d: ended early, expected %s\n",
			    lineno, want);
			trigger_free(t);
			return 1;
		}
		timefmt_iso(got, sizeof got, f, trigger_zone(t));
		if (strcmp(got, want) != 0) {
			print_error("line %d: got %s, expected %s\n", lineno,
			    got, want);
			trigger_free(t);
			return 1;
		}
		f = trigger_next(t, f, f);
		n++;
	}
	trigger_free(t);
	if (n < CASE_COUNT && f != TRIGGER_NONE) {
		print_error("line %d: fires again after the expected end\n",
		    lineno);
		return 1;
	}
	return 0;
}

static void
test_reference_cases(void **state)
{
	const struct cases *c = *state;
	char line[MAX_LINE];
	FILE *fp;
	int lineno = 0, ncases = 0, failed = 0;

	fp = fopen(c->path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", c->path);
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ncases++;
		if (check_case(line, lineno) != 0)
			failed++;
	}
	fclose(fp);
	if (failed != 0)
		print_error("%d of %d cases failed\n", failed, ncases);
	assert_int_equal(failed, 0);
	assert_true(ncases >= c->min_cases);
}

/* The same over cron-dialect-cases.txt. */
static void
test_dialect_cases(void **state)
{
	test_reference_cases(state);
}

int
main(int argc, char **argv)
{
	static char path[2][4096];
	const char *srcdir = getenv("srcdir");
	struct cases c = { path[0], 300 }, d = { path[1], 100 };
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate(test_reference_cases, &c),
		cmocka_unit_test_prestate(test_dialect_cases, &d),
	};

	if (argc > 1) {
		c.path = argv[1];
		c.min_cases = 1;
		return cmocka_run_group_tests(tests, NULL, NULL);
	}
	snprintf(path[0], sizeof path[0], "%s/tests/data/trigger-cases.txt",
	    srcdir != NULL ? srcdir : ".");
	snprintf(path[1], sizeof path[1], "%s/tests/data/"
	    "cron-dialect-cases.txt", srcdir != NULL ? srcdir : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
