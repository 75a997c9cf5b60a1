/* test_calendar_systemd.c - the calendar trigger against systemd itself:
 * some 700 generated OnCalendar= expressions (weekday lists and ranges,
 * dates with "..", "/" and "~", times with fractions, shorthands, zones
 * with and without daylight saving, bases next to their transitions) go
 * to `systemd-analyze calendar --base-time=@T --iterations=N` and to
 * calendar_parse/calendar_next, which must agree on whether each is
 * valid, on its normalized form and on its next N times.  Skipped, and
 * said so, where systemd-analyze is not installed. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "calendar.h"
#include "error.h"
#include "tz.h"

#define ITERATIONS 6
#define PER_BATCH 70
#define MAX_TIMES ITERATIONS

/* The test's own generator: the same expressions on every run. */
struct gen {
	uint64_t s;
	char buf[512];
	size_t len;
};

static unsigned
pick(struct gen *g, unsigned n)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return (unsigned)(g->s % n);
}

static void
put(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g->len += vsnprintf(g->buf + g->len, sizeof g->buf - g->len, fmt, ap);
	va_end(ap);
	if (g->len >= sizeof g->buf)
		g->len = sizeof g->buf - 1;
}

static void
gen_weekdays(struct gen *g)
{
	static const char *const shortn[] = { "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat", "Sun" };
	static const char *const longn[] = { "Monday", "Tuesday", "Wednesday",
	    "thursday", "FRIDAY", "Saturday", "sunday" };
	unsigned i, n = 1 + pick(g, 3), a, b;

	for (i = 0; i < n; i++) {
		const char *const *names = pick(g, 3) ? shortn : longn;

		a = pick(g, 7);
		put(g, "%s%s", i ? "," : "", names[a]);
		if (pick(g, 5) < 2) {
			b = a + pick(g, 7 - a);
			put(g, "%s%s", pick(g, 3) ? ".." : "-", names[b]);
		}
	}
	put(g, " ");
}

/* A list for a field from lo to hi: values, ranges, repetitions. */
static void
gen_list(struct gen *g, int lo, int hi, int seconds)
{
	unsigned i, n;
	int a, b;

	if (pick(g, 4) == 0) {
		put(g, "*");
		return;
	}
	n = 1 + pick(g, 3);
	for (i = 0; i < n; i++) {
		a = lo + (int)pick(g, hi - lo + 1);
		put(g, i ? "," : "");
		if (seconds && pick(g, 4) == 0)
			put(g, "%d.%0*u", a, 1 + (int)pick(g, 7),
			    pick(g, 10000000));
		else
			put(g, pick(g, 3) ? "%02d" : "%d", a);
		switch (pick(g, 6)) {
		case 0:
		case 1:
			if (a >= hi)
				break;
			b = a + 1 + (int)pick(g, hi - a);
			put(g, "..%d", b);
			if (pick(g, 3) == 0)
				put(g, "/%d", 1 + (int)pick(g, b - a));
			break;
		case 2:
			put(g, "/%d", 1 + (int)pick(g, hi - lo));
			break;
		case 3:
			if (seconds)
				put(g, "/%u.%u", pick(g, 4), 1 + pick(g, 9));
			break;
		}
	}
}

static const char *const zones[] = { "", "", "", " UTC", " utc",
	" Europe/Berlin", " America/New_York", " Australia/Sydney",
	" Australia/Lord_Howe", " Pacific/Auckland", " America/Santiago",
	" Asia/Kolkata", " Europe/London", " America/Sao_Paulo" };

static const char *const shorthands[] = { "minutely", "hourly", "daily",
	"weekly", "monthly", "yearly", "annually", "quarterly",
	"semiannually", "semi-annually", "biannually", "bi-annually" };

static const char *
gen_expr(struct gen *g, int with_zone)
{
	const char *zone = with_zone ? zones[pick(g, sizeof zones /
	    sizeof zones[0])] : "";
	static const char *const years[] = { "*", "*", "2026", "2027..2030",
	    "26", "2026,2028", "2025/2", "2026..2099/3" };
	char sep;

	g->len = 0;
	if (pick(g, 10) == 0) {
		put(g, "%s%s", shorthands[pick(g, sizeof shorthands /
		    sizeof shorthands[0])], zone);
		return g->buf;
	}
	if (pick(g, 5) < 2)
		gen_weekdays(g);
	sep = pick(g, 4) == 0 ? '~' : '-';
	switch (pick(g, 6)) {
	case 0: case 1: case 2:
		put(g, "%s-", years[pick(g, 8)]);
		/* fall through */
	case 3:
		gen_list(g, 1, 12, 0);
		put(g, "%c", sep);
		gen_list(g, 1, sep == '~' ? 28 : 31, 0);
		put(g, " ");
		break;
	}
	if (pick(g, 10) != 0) {
		gen_list(g, 0, 23, 0);
		put(g, ":");
		gen_list(g, 0, 59, 0);
		if (pick(g, 2)) {
			put(g, ":");
			gen_list(g, 0, 59, 1);
		}
	}
	while (g->len > 0 && g->buf[g->len - 1] == ' ')
		g->buf[--g->len] = '\0';
	put(g, "%s", zone);
	return g->buf;
}

/* Runs argv with TZ=tz; its standard output, or NULL. */
static char *
capture(char *const *argv, const char *tz)
{
	int fd[2], status;
	char *out = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fd) != 0)
		return NULL;
	if ((pid = fork()) == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* systemd-analyze's "Failed to parse" lines: the test
		 * compares refusals itself. */
		dup2(fd[1], 1);
		if (null >= 0)
			dup2(null, 2);
		close(fd[0]);
		close(fd[1]);
		setenv("TZ", tz, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		if ((n = read(fd[0], out + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd[0]);
	waitpid(pid, &status, 0);
	if (out != NULL)
		out[len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		free(out);
		return NULL;
	}
	return out;
}

static int
have_systemd_analyze(void)
{
	char *argv[] = { "systemd-analyze", "calendar", "daily", NULL };
	char *out = capture(argv, "UTC");
	int ok = out != NULL && strstr(out, "Normalized form:") != NULL;

	free(out);
	return ok;
}

/* One expression as systemd-analyze printed it. */
struct sd_result {
	int valid;
	char normalized[512];
	char times[MAX_TIMES][20];	/* "YYYY-MM-DD HH:MM:SS" UTC */
	int ntimes;
};

/* The block for expr at *p, if there is one (an expression systemd
 * refuses has none: its error goes to stderr).  A block opens with
 * "  Original form: EXPR", or with "Normalized form: EXPR" alone when
 * the two are the same. */
static void
sd_parse(const char **p, const char *expr, struct sd_result *r)
{
	const char *line = *p, *next;
	char orig[600], same[600];

	memset(r, 0, sizeof *r);
	line += strspn(line, "\n");	/* blocks are set apart by blank lines */
	snprintf(orig, sizeof orig, "  Original form: %s\n", expr);
	snprintf(same, sizeof same, "Normalized form: %s\n", expr);
	if (strncmp(line, orig, strlen(orig)) == 0)
		line += strlen(orig);
	else if (strncmp(line, same, strlen(same)) != 0)
		return;
	r->valid = 1;
	for (; *line != '\0'; line = next) {
		char date[11], clock[9], text[600];
		size_t len = strcspn(line, "\n");

		next = line + len + (line[len] == '\n');
		snprintf(text, sizeof text, "%.*s", (int)len, line);
		if (strncmp(text, "  Original form: ", 17) == 0 ||
		    (r->normalized[0] != '\0' &&
		    strncmp(text, "Normalized form: ", 17) == 0))
			break;
		if (sscanf(text, "Normalized form: %511[^\n]", r->normalized) == 1)
			continue;
		if (strstr(text, "(in UTC): ") != NULL && r->ntimes > 0) {
			sscanf(strstr(text, "(in UTC): ") + 14, "%10s %8s", date,
			    clock);
			snprintf(r->times[r->ntimes - 1], 20, "%s %s", date, clock);
		} else if ((strstr(text, "Next elapse: ") != NULL &&
		    strstr(text, "never") == NULL) ||
		    strstr(text, "Iter. #") != NULL) {
			if (r->ntimes < MAX_TIMES && sscanf(strchr(text, ':') + 6,
			    "%10s %8s", date, clock) == 2)
				snprintf(r->times[r->ntimes++], 20, "%s %s",
				    date, clock);
		}
	}
	*p = line;
}

/* One batch: the expressions, one base, one local zone; returns the
 * number that disagree (each described). */
static int
compare_batch(char **exprs, int n, int64_t base, const char *local)
{
	char **argv = calloc(n + 5, sizeof *argv), basearg[64], *out;
	const char *p;
	struct tz *zone;
	struct mgr_error err;
	int i, bad = 0;

	assert_int_equal(tz_load(local, &zone, &err), 0);
	snprintf(basearg, sizeof basearg, "--base-time=@%lld", (long long)base);
	argv[0] = "systemd-analyze";
	argv[1] = "calendar";
	argv[2] = basearg;
	argv[3] = "--iterations=" "6";
	for (i = 0; i < n; i++)
		argv[4 + i] = exprs[i];
	out = capture(argv, local);
	assert_non_null(out);
	p = out;
	for (i = 0; i < n; i++) {
		struct sd_result sd;
		struct calendar *c = NULL;
		int valid = calendar_parse(exprs[i], NULL, &c, &err) == 0, k;
		int64_t t = base * 1000000, u;

		sd_parse(&p, exprs[i], &sd);
		if (valid != sd.valid) {
			print_message("# %s (base @%lld, TZ=%s): systemd %s it, "
			    "we %s it%s%s (systemd: %.*s)\n", exprs[i],
			    (long long)base, local,
			    sd.valid ? "takes" : "refuses",
			    valid ? "take" : "refuse", valid ? "" : ": ",
			    valid ? "" : err.msg, (int)strcspn(p, "\n"), p);
			bad++;
		}
		if (!valid || !sd.valid) {
			calendar_free(c);
			continue;
		}
		if (strcmp(calendar_normalized(c, 0), sd.normalized) != 0) {
			print_message("# %s: normalized \"%s\", systemd \"%s\"\n",
			    exprs[i], calendar_normalized(c, 0), sd.normalized);
			bad++;
		}
		for (k = 0; k < ITERATIONS; k++) {
			char ours[20] = "never";
			struct tm_fields f;

			if (calendar_next(c, zone, t, &u) == 0) {
				tz_seconds_to_fields(u / 1000000, &f);
				snprintf(ours, sizeof ours,
				    "%04d-%02d-%02d %02d:%02d:%02d", f.year,
				    f.month, f.day, f.hour, f.minute, f.second);
				t = u;
			}
			if (strcmp(ours, k < sd.ntimes ? sd.times[k] :
			    "never") != 0) {
				print_message("# %s (base @%lld, TZ=%s): time %d "
				    "is %s, systemd says %s\n", exprs[i],
				    (long long)base, local, k + 1, ours,
				    k < sd.ntimes ? sd.times[k] : "never");
				bad++;
				break;
			}
			if (strcmp(ours, "never") == 0)
				break;
		}
		calendar_free(c);
	}
	free(out);
	free(argv);
	tz_free(zone);
	return bad;
}

/* Bases: ordinary days, and hours before transitions in the zones. */
static const int64_t bases[] = {
	1767225600,	/* 2026-01-01 00:00 UTC */
	1774652400,	/* 2026-03-27 23:00 */
	1772942340,	/* 2026-03-08 03:59, New York spring */
	1792882800,	/* 2026-10-24 23:00, Europe autumn */
	1793502000,	/* 2026-11-01 05:40, New York autumn */
	1775305800,	/* 2026-04-04 12:30, Sydney autumn */
	1791039600,	/* 2026-10-03 15:00, Sydney / Lord Howe spring */
	1835395199,	/* 2028-02-28 23:59:59 */
};

static void
test_against_systemd(void **state)
{
	struct gen g = { .s = 0x5eed5eed1234ULL };
	char *exprs[PER_BATCH];
	size_t b;
	int i, bad = 0, total = 0;

	(void)state;
	if (!have_systemd_analyze()) {
		print_message("# systemd-analyze calendar is not available\n");
		skip();
	}
	for (b = 0; b < sizeof bases / sizeof bases[0]; b++) {
		for (i = 0; i < PER_BATCH; i++)
			exprs[i] = strdup(gen_expr(&g, 1));
		bad += compare_batch(exprs, PER_BATCH, bases[b], "UTC");
		total += PER_BATCH;
		for (i = 0; i < PER_BATCH; i++)
			free(exprs[i]);
	}
	print_message("# %d expressions in 8 batches compared, %d "
	    "differences\n", total, bad);
	assert_true(total >= 500);
	assert_int_equal(bad, 0);
}

/* Expressions without a zone run in the local one (TZ=...). */
static void
test_local_zone(void **state)
{
	static const char *const local[] = { "Europe/Berlin",
	    "America/New_York", "Australia/Lord_Howe" };
	struct gen g = { .s = 0xca1e0da7ULL };
	char *exprs[PER_BATCH];
	size_t z, b;
	int i, bad = 0;

	(void)state;
	if (!have_systemd_analyze())
		skip();
	for (z = 0; z < 3; z++) {
		b = z == 0 ? 3 : z == 1 ? 4 : 6;
		for (i = 0; i < PER_BATCH / 2; i++)
			exprs[i] = strdup(gen_expr(&g, 0));
		bad += compare_batch(exprs, PER_BATCH / 2, bases[b], local[z]);
		for (i = 0; i < PER_BATCH / 2; i++)
			free(exprs[i]);
	}
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_systemd),
		cmocka_unit_test(test_local_zone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
