/* calendar.c - systemd calendar events (systemd.time(7), OnCalendar=).
 *
 * The grammar, the normalisation (sorted lists without duplicates, "12"
 * for 2012, ranges cut to a multiple of their repetition) and the search
 * follow systemd 252's calendarspec.c, so that an expression pasted from
 * a timer fires when systemd would fire it; systemd-analyze calendar is
 * the oracle of tests/sched/calendar.sh.
 *
 * systemd searches field by field on a struct tm and lets mktime()
 * normalise it: a day 31 in a 30-day month becomes the 1st of the next,
 * a wall time in a daylight saving gap moves past the gap, and a wall
 * time that the clocks repeat gets the occurrence glibc's mktime() picks,
 * which depends on the offset of the previous call.  struct cal_clock
 * plays that mktime() over our TZif zones (tz.h), remembered offset
 * included, without touching the process's TZ.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "calendar.h"
#include "error.h"
#include "i18n.h"
#include "tz.h"
#include "util.h"

#define CAL_MIN_YEAR 1970
#define CAL_MAX_YEAR 2199
#define CAL_USEC 1000000
/* systemd's limit on a comma list: 240 continuations after the first. */
#define CAL_LIST_MAX 241
/* systemd gives up a search after this many rounds. */
#define CAL_MAX_ROUNDS 1000
/* The last instant systemd formats: 9999-12-31 23:59:59.999999 UTC. */
#define CAL_US_MAX INT64_C(253402300799999999)
#define CAL_ALL_WEEKDAYS 127

enum cal_field {
	CAL_YEAR, CAL_MONTH, CAL_DAY, CAL_HOUR, CAL_MINUTE, CAL_USECS,
	CAL_NFIELDS
};

/* start, start + repeat, ... up to stop (-1: no end); repeat 0: start. */
struct cal_comp {
	int start, stop, repeat;
};

/* n == 0 is "*": systemd's empty chain. */
struct cal_chain {
	struct cal_comp *v;
	int n;
};

struct calspec {
	struct cal_chain chain[CAL_NFIELDS];
	int weekdays;		/* bit 0 Monday .. bit 6 Sunday; -1 any */
	int end_of_month;	/* "~": days count back from the month's end */
	int utc;
	struct tz *zone;	/* NULL: the trigger's zone (or UTC) */
	char *original;
	char *normalized;
};

struct calendar {
	struct calspec *spec;
	size_t n;
};

/* ---- parsing ---- */

struct cal_parser {
	const char *expr;	/* the whole expression, for messages */
	const char *bad;	/* where reading stopped */
	int code;		/* EINVAL, ERANGE, EDOM (repetition 0), ENOBUFS */
	struct cal_comp buf[CAL_LIST_MAX];
	int n;
};

static int
fail(struct cal_parser *ps, const char *at, int code)
{
	ps->bad = at;
	ps->code = code;
	return -1;
}

/* An unsigned decimal; with usec, seconds with up to 6 decimals (a 7th
 * rounds), as microseconds.  Leaves *p after it. */
static int
parse_number(struct cal_parser *ps, const char **p, int usec, int *out)
{
	const char *s = *p;
	long long v = 0;
	int i, frac = 0;

	if (*s < '0' || *s > '9')
		return fail(ps, s, EINVAL);
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffffLL * 10)
			return fail(ps, *p, ERANGE);
	}
	if (usec) {
		v *= CAL_USEC;
		if (s[0] == '.' && s[1] != '.') {
			s++;
			if (*s < '0' || *s > '9')
				return fail(ps, s, EINVAL);
			for (i = 0; i < 6; i++) {
				frac *= 10;
				if (*s >= '0' && *s <= '9')
					frac += *s++ - '0';
			}
			if (*s >= '5' && *s <= '9')
				frac++;
			s += strspn(s, "0123456789");
			v += frac;
		}
	}
	if (v > 0x7fffffffLL)
		return fail(ps, *p, ERANGE);
	*out = (int)v;
	*p = s;
	return 0;
}

/* One list "a", "a..b", "a/r", "a..b/r", ",", ... into ps->buf. */
static int
parse_list(struct cal_parser *ps, const char **p, int usec)
{
	const char *e = *p;
	struct cal_comp c;

	ps->n = 0;
	for (;;) {
		if (ps->n == CAL_LIST_MAX)
			return fail(ps, e, ENOBUFS);
		c.stop = -1;
		c.repeat = 0;
		if (parse_number(ps, &e, usec, &c.start) != 0)
			return -1;
		if (e[0] == '.' && e[1] == '.') {
			e += 2;
			if (parse_number(ps, &e, usec, &c.stop) != 0)
				return -1;
			c.repeat = usec ? CAL_USEC : 1;
		}
		if (*e == '/') {
			const char *slash = e++;

			if (parse_number(ps, &e, usec, &c.repeat) != 0)
				return -1;
			if (c.repeat == 0)
				return fail(ps, slash, EDOM);
		} else if (c.start > 0x7fffffff - c.repeat)
			return fail(ps, e, ERANGE);
		else if (usec && c.stop >= 0 && c.start + c.repeat > c.stop)
			return fail(ps, e, EINVAL);
		if (*e != '\0' && strchr(" ,-~:", *e) == NULL)
			return fail(ps, e, EINVAL);
		ps->buf[ps->n++] = c;
		if (*e != ',')
			break;
		e++;
	}
	*p = e;
	return 0;
}

static int
comp_cmp(const void *a, const void *b)
{
	const struct cal_comp *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->stop != y->stop)
		return x->stop < y->stop ? -1 : 1;
	return (x->repeat > y->repeat) - (x->repeat < y->repeat);
}

/* Sorts and dedups comps, cuts a range to a multiple of its repetition
 * and makes a range that cannot repeat a single value (systemd's
 * normalize_chain). */
static void
normalize_list(struct cal_comp *v, int *n)
{
	int i, k;

	for (i = 0; i < *n; i++) {
		struct cal_comp *c = &v[i];

		if (c->stop > c->start && c->repeat > 0)
			c->stop -= (c->stop - c->start) % c->repeat;
		if ((c->stop > c->start && c->repeat > 0 &&
		    c->start + c->repeat > c->stop) || c->start == c->stop) {
			c->repeat = 0;
			c->stop = -1;
		}
	}
	sort_array(v, *n, sizeof *v, comp_cmp);
	for (i = k = 0; i < *n; i++)
		if (k == 0 || comp_cmp(&v[k - 1], &v[i]) != 0)
			v[k++] = v[i];
	*n = k;
}

/* Stores the list in ps->buf (or "*" when star) as field f. */
static int
store_list(struct cal_parser *ps, struct calspec *s, int f, int star)
{
	if (star) {
		if (f != CAL_USECS)
			return 0;
		ps->buf[0] = (struct cal_comp){ 0, -1, CAL_USEC };
		ps->n = 1;
	}
	free(s->chain[f].v);
	s->chain[f].v = malloc(ps->n * sizeof *s->chain[f].v);
	if (s->chain[f].v == NULL)
		return fail(ps, ps->expr, ENOMEM);
	memcpy(s->chain[f].v, ps->buf, ps->n * sizeof *ps->buf);
	s->chain[f].n = ps->n;
	return 0;
}

/* "*" or a list, stored as field f. */
static int
parse_chain(struct cal_parser *ps, const char **p, struct calspec *s, int f)
{
	if (**p == '*') {
		(*p)++;
		return store_list(ps, s, f, 1);
	}
	if (parse_list(ps, p, f == CAL_USECS) != 0)
		return -1;
	return store_list(ps, s, f, 0);
}

/* Fields with a single value, for the shorthands and the defaults. */
static int
set_const(struct cal_parser *ps, struct calspec *s, int f, int value)
{
	ps->buf[0] = (struct cal_comp){ value, -1, 0 };
	ps->n = 1;
	return store_list(ps, s, f, 0);
}

static const struct {
	const char *name;
	int day;
} weekday_names[] = {
	{ "Monday", 0 }, { "Mon", 0 }, { "Tuesday", 1 }, { "Tue", 1 },
	{ "Wednesday", 2 }, { "Wed", 2 }, { "Thursday", 3 }, { "Thu", 3 },
	{ "Friday", 4 }, { "Fri", 4 }, { "Saturday", 5 }, { "Sat", 5 },
	{ "Sunday", 6 }, { "Sun", 6 },
};

static int
weekday_at(const char *p, size_t *len)
{
	size_t i;

	for (i = 0; i < sizeof weekday_names / sizeof weekday_names[0]; i++) {
		*len = strlen(weekday_names[i].name);
		if (strncasecmp(p, weekday_names[i].name, *len) == 0)
			return weekday_names[i].day;
	}
	return -1;
}

/* "Mon,Wed..Fri " (optional); range ends may be ".." or "-". */
static int
parse_weekdays(struct cal_parser *ps, const char **p, struct calspec *s)
{
	int day, j, from = -1, first = 1;
	size_t len;

	for (;;) {
		if ((day = weekday_at(*p, &len)) < 0)
			return first ? 0 : fail(ps, *p, EINVAL);
		if ((*p)[len] != '\0' && strchr("-., ", (*p)[len]) == NULL)
			return fail(ps, *p, EINVAL);
		s->weekdays |= 1 << day;
		if (from >= 0) {
			if (from > day)
				return fail(ps, *p, EINVAL);
			for (j = from + 1; j < day; j++)
				s->weekdays |= 1 << j;
		}
		*p += len;
		if (**p == '\0')
			return 0;
		if (**p == ' ') {
			*p += strspn(*p, " ");
			return 0;
		}
		if (**p == '.') {
			if (from >= 0 || (*p)[1] != '.')
				return fail(ps, *p, EINVAL);
			from = day;
			*p += 2;
		} else if (**p == '-') {
			if (from >= 0)
				return fail(ps, *p, EINVAL);
			from = day;
			*p += 1;
		} else if (**p == ',') {
			from = -1;
			*p += 1;
		}
		/* A trailing comma is fine, an open range is not. */
		if (**p == '\0' || **p == ' ') {
			*p += strspn(*p, " ");
			return from < 0 ? 0 : fail(ps, *p, EINVAL);
		}
		first = 0;
	}
}

/* "@SECONDS": that instant, in UTC. */
static int
parse_timestamp(struct cal_parser *ps, const char **p, struct calspec *s)
{
	const char *e = *p + 1;
	struct tm_fields f;
	long long v = 0;
	int rc = 0;

	if (*e < '0' || *e > '9')
		return fail(ps, e, EINVAL);
	for (; *e >= '0' && *e <= '9'; e++) {
		v = v * 10 + (*e - '0');
		if (v > INT64_C(253402300799))
			return fail(ps, *p, ERANGE);
	}
	tz_seconds_to_fields(v, &f);
	s->utc = 1;
	rc |= set_const(ps, s, CAL_YEAR, f.year);
	rc |= set_const(ps, s, CAL_MONTH, f.month);
	rc |= set_const(ps, s, CAL_DAY, f.day);
	rc |= set_const(ps, s, CAL_HOUR, f.hour);
	rc |= set_const(ps, s, CAL_MINUTE, f.minute);
	rc |= set_const(ps, s, CAL_USECS, f.second * CAL_USEC);
	*p = e;
	return rc != 0 ? -1 : 1;
}

/* [[YEAR-]MONTH{-,~}DAY ] ; 1 after "@SECONDS" (no time follows). */
static int
parse_date(struct cal_parser *ps, const char **p, struct calspec *s)
{
	const char *t = *p;
	struct calspec part = { .weekdays = 0 };
	int rc = -1;

	if (*t == '\0')
		return 0;
	if (*t == '@')
		return parse_timestamp(ps, p, s);
	/* Read into part first: "12:00" starts like a date. */
	if (parse_chain(ps, &t, &part, CAL_YEAR) != 0)
		goto out;
	if (*t == '\0' || *t == ':') {
		rc = 0;
		goto out;
	}
	if (*t == '~')
		s->end_of_month = 1;
	else if (*t != '-') {
		fail(ps, t, EINVAL);
		goto out;
	}
	t++;
	if (parse_chain(ps, &t, &part, CAL_MONTH) != 0)
		goto out;
	if (*t == '\0' || *t == ' ') {
		/* MONTH-DAY */
		part.chain[CAL_DAY] = part.chain[CAL_MONTH];
		part.chain[CAL_MONTH] = part.chain[CAL_YEAR];
		part.chain[CAL_YEAR] = (struct cal_chain){ NULL, 0 };
	} else {
		if (s->end_of_month || (*t != '-' && *t != '~')) {
			fail(ps, t, EINVAL);
			goto out;
		}
		s->end_of_month = *t == '~';
		t++;
		if (parse_chain(ps, &t, &part, CAL_DAY) != 0)
			goto out;
		if (*t != '\0' && *t != ' ') {
			fail(ps, t, EINVAL);
			goto out;
		}
	}
	for (int f = CAL_YEAR; f <= CAL_DAY; f++) {
		s->chain[f] = part.chain[f];
		part.chain[f] = (struct cal_chain){ NULL, 0 };
	}
	*p = t + strspn(t, " ");
	rc = 0;
out:
	for (int f = CAL_YEAR; f <= CAL_DAY; f++)
		free(part.chain[f].v);
	return rc;
}

/* HOUR:MINUTE[:SECOND], or nothing for 00:00:00. */
static int
parse_time(struct cal_parser *ps, const char **p, struct calspec *s)
{
	if (**p == '\0') {
		if (set_const(ps, s, CAL_HOUR, 0) != 0 ||
		    set_const(ps, s, CAL_MINUTE, 0) != 0)
			return -1;
		return set_const(ps, s, CAL_USECS, 0);
	}
	if (parse_chain(ps, p, s, CAL_HOUR) != 0)
		return -1;
	if (**p != ':')
		return fail(ps, *p, EINVAL);
	(*p)++;
	if (parse_chain(ps, p, s, CAL_MINUTE) != 0)
		return -1;
	if (**p == '\0')
		return set_const(ps, s, CAL_USECS, 0);
	if (**p != ':')
		return fail(ps, *p, EINVAL);
	(*p)++;
	if (parse_chain(ps, p, s, CAL_USECS) != 0)
		return -1;
	return **p == '\0' ? 0 : fail(ps, *p, EINVAL);
}

/* The shorthands, as the fields they set ('*' for the others). */
static int
parse_shorthand(struct cal_parser *ps, const char *p, struct calspec *s)
{
	static const struct {
		const char *name;
		int month[4], day, hour, minute;	/* -1: "*" */
		int weekdays;
	} sh[] = {
		{ "minutely", { -1 }, -1, -1, -1, 0 },
		{ "hourly", { -1 }, -1, -1, 0, 0 },
		{ "daily", { -1 }, -1, 0, 0, 0 },
		{ "monthly", { -1 }, 1, 0, 0, 0 },
		{ "weekly", { -1 }, -1, 0, 0, 1 },
		{ "yearly", { 1 }, 1, 0, 0, 0 },
		{ "annually", { 1 }, 1, 0, 0, 0 },
		{ "anually", { 1 }, 1, 0, 0, 0 },
		{ "quarterly", { 1, 4, 7, 10 }, 1, 0, 0, 0 },
		{ "semiannually", { 1, 7 }, 1, 0, 0, 0 },
		{ "semi-annually", { 1, 7 }, 1, 0, 0, 0 },
		{ "biannually", { 1, 7 }, 1, 0, 0, 0 },
		{ "bi-annually", { 1, 7 }, 1, 0, 0, 0 },
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof sh / sizeof sh[0]; i++)
		if (strcasecmp(p, sh[i].name) == 0)
			break;
	if (i == sizeof sh / sizeof sh[0])
		return 0;
	ps->n = 0;
	for (k = 0; k < 4 && sh[i].month[k] > 0; k++)
		ps->buf[ps->n++] = (struct cal_comp){ sh[i].month[k], -1, 0 };
	if (ps->n > 0 && store_list(ps, s, CAL_MONTH, 0) != 0)
		return -1;
	if ((sh[i].day >= 0 && set_const(ps, s, CAL_DAY, sh[i].day) != 0) ||
	    (sh[i].hour >= 0 && set_const(ps, s, CAL_HOUR, sh[i].hour) != 0) ||
	    (sh[i].minute >= 0 &&
	    set_const(ps, s, CAL_MINUTE, sh[i].minute) != 0) ||
	    set_const(ps, s, CAL_USECS, 0) != 0)
		return -1;
	s->weekdays = sh[i].weekdays;
	return 1;
}

/* systemd's timezone_is_valid(): a zoneinfo file name. */
static int
zone_name_ok(const char *name)
{
	const char *dir = getenv("TZDIR"), *p;
	char path[4096];
	int slash = 0;

	if (*name == '\0' || *name == '/')
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_+/", *p) == NULL || (*p == '/' && slash))
			return 0;
		slash = *p == '/';
	}
	if (slash)
		return 0;
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return 0;
	return access(path, R_OK) == 0;
}

/* Takes the trailing " UTC" or " ZONE" off copy (systemd looks for them
 * before reading anything else). */
static int
take_zone(struct cal_parser *ps, char *copy, struct tz_cache *zones,
	  struct calspec *s, struct mgr_error *err)
{
	size_t len = strlen(copy);
	char *sp;
	struct mgr_error e;

	if (len >= 4 && strcasecmp(copy + len - 4, " UTC") == 0) {
		s->utc = 1;
		copy[len - 4] = '\0';
		return 0;
	}
	if ((sp = strrchr(copy, ' ')) == NULL || !zone_name_ok(sp + 1))
		return 0;
	if (tz_cache_load(zones, sp + 1, &s->zone, &e) != 0) {
		return mgr_error_set(err, e.code == MGR_ENOMEM ? MGR_ENOMEM :
		    MGR_EINVAL, _("oncalendar: \"%s\": %s"), ps->expr, e.msg);
	}
	*sp = '\0';
	return 0;
}

/* ---- validity and text ---- */

static int
chain_valid(const struct cal_chain *ch, int from, int to, int eom)
{
	int i;

	for (i = 0; i < ch->n; i++) {
		const struct cal_comp *c = &ch->v[i];

		/* At most 28 days back from the end; systemd takes off 3
		 * more for each value of the list (so "~05,28" is refused
		 * but "~28" and "~03,05" are not), and so do we. */
		if (eom)
			to -= 3;

		if (c->start < from || c->start > to || c->repeat > to - from)
			return 0;
		if (c->stop >= 0) {
			if (c->stop < from || c->stop > to ||
			    c->start + c->repeat > c->stop)
				return 0;
		} else if (eom ? c->start - c->repeat < from :
		    c->start + c->repeat > to)
			return 0;
	}
	return 1;
}

static const char *const field_names[CAL_NFIELDS] = {
	N_("year"), N_("month"), N_("day"), N_("hour"), N_("minute"),
	N_("second")
};
static const char *const field_ranges[CAL_NFIELDS] = {
	"1970..2199", "1..12", "1..31", "0..23", "0..59", "0..59.999999"
};

static int
spec_check(const struct cal_parser *ps, const struct calspec *s,
	   struct mgr_error *err)
{
	static const int lo[] = { CAL_MIN_YEAR, 1, 1, 0, 0, 0 };
	static const int hi[] = { CAL_MAX_YEAR, 12, 31, 23, 59,
	    60 * CAL_USEC - 1 };
	int f;

	for (f = 0; f < CAL_NFIELDS; f++) {
		if (chain_valid(&s->chain[f], lo[f], hi[f],
		    f == CAL_DAY && s->end_of_month))
			continue;
		return mgr_error_set(err, MGR_EINVAL, _("oncalendar: \"%s\": "
		    "the %s is out of range (%s; a range must end after "
		    "its start, a repetition must fit in the range)"),
		    ps->expr, _(field_names[f]), f == CAL_DAY &&
		    s->end_of_month ? "~1..~28" : field_ranges[f]);
	}
	return 0;
}

static void
format_weekdays(FILE *f, int bits)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	int d = 0, end, comma = 0;

	while (d < 7) {
		if (!(bits & (1 << d))) {
			d++;
			continue;
		}
		for (end = d; end + 1 < 7 && (bits & (1 << (end + 1))); end++)
			;
		fprintf(f, "%s%s", comma ? "," : "", days[d]);
		if (end - d >= 2)
			fprintf(f, "..%s", days[end]);
		else if (end - d == 1)
			fprintf(f, ",%s", days[end]);
		comma = 1;
		d = end + 1;
	}
}

static void
format_chain(FILE *f, int width, const struct cal_chain *ch, int usec)
{
	int d = usec ? CAL_USEC : 1, i;

	if (ch->n == 0) {
		fputc('*', f);
		return;
	}
	for (i = 0; usec && i < ch->n; i++) {
		if (ch->v[i].start == 0 && ch->v[i].stop < 0 &&
		    ch->v[i].repeat == CAL_USEC) {
			fputc('*', f);
			return;
		}
	}
	for (i = 0; i < ch->n; i++) {
		const struct cal_comp *c = &ch->v[i];

		fprintf(f, "%s%0*d", i > 0 ? "," : "", width, c->start / d);
		if (c->start % d > 0)
			fprintf(f, ".%06d", c->start % d);
		if (c->stop > 0)
			fprintf(f, "..%0*d", width, c->stop / d);
		if (c->stop % d > 0)
			fprintf(f, ".%06d", c->stop % d);
		if (c->repeat > 0 && !(c->stop > 0 && c->repeat == d))
			fprintf(f, "/%d", c->repeat / d);
		if (c->repeat % d > 0)
			fprintf(f, ".%06d", c->repeat % d);
	}
}

/* systemd-analyze's "Normalized form:". */
static char *
spec_format(const struct calspec *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	if (s->weekdays > 0) {
		format_weekdays(f, s->weekdays);
		fputc(' ', f);
	}
	format_chain(f, 4, &s->chain[CAL_YEAR], 0);
	fputc('-', f);
	format_chain(f, 2, &s->chain[CAL_MONTH], 0);
	fputc(s->end_of_month ? '~' : '-', f);
	format_chain(f, 2, &s->chain[CAL_DAY], 0);
	fputc(' ', f);
	format_chain(f, 2, &s->chain[CAL_HOUR], 0);
	fputc(':', f);
	format_chain(f, 2, &s->chain[CAL_MINUTE], 0);
	fputc(':', f);
	format_chain(f, 2, &s->chain[CAL_USECS], 1);
	if (s->utc)
		fputs(" UTC", f);
	else if (s->zone != NULL)
		fprintf(f, " %s", tz_name(s->zone));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
spec_clear(struct calspec *s)
{
	int f;

	for (f = 0; f < CAL_NFIELDS; f++)
		free(s->chain[f].v);
	tz_free(s->zone);
	free(s->original);
	free(s->normalized);
}

/* Turns 12 into 2012 and 89 into 1989, as systemd does. */
static void
fix_years(struct cal_chain *ch)
{
	int i;

	for (i = 0; i < ch->n; i++) {
		int *v[] = { &ch->v[i].start, &ch->v[i].stop };

		for (int k = 0; k < 2; k++) {
			if (*v[k] >= 0 && *v[k] < 70)
				*v[k] += 2000;
			else if (*v[k] >= 70 && *v[k] < 100)
				*v[k] += 1900;
		}
	}
}

static int
parse_error(const struct cal_parser *ps, struct mgr_error *err)
{
	if (ps->code == ENOMEM)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	if (ps->code == ENOBUFS)
		return mgr_error_set(err, MGR_EINVAL, _("oncalendar: \"%s\": "
		    "a list has more than %d values"), ps->expr, CAL_LIST_MAX);
	if (ps->code == EDOM)
		return mgr_error_set(err, MGR_EINVAL, _("oncalendar: \"%s\": "
		    "a repetition of 0 at \"%s\""), ps->expr, ps->bad);
	if (ps->code == ERANGE)
		return mgr_error_set(err, MGR_EINVAL, _("oncalendar: \"%s\": "
		    "number out of range at \"%s\""), ps->expr, ps->bad);
	if (*ps->bad == '\0')
		return mgr_error_set(err, MGR_EINVAL, _("oncalendar: \"%s\": "
		    "incomplete calendar event"), ps->expr);
	return mgr_error_set(err, MGR_EINVAL, _("oncalendar: \"%s\": "
	    "unexpected \"%s\" (expected [WEEKDAYS] [[YEAR-]MONTH-DAY] "
	    "[HOUR:MINUTE[:SECOND]] [ZONE], as in systemd.time(7))"),
	    ps->expr, ps->bad);
}

/* Reads the expression in copy (a writable copy of ps->expr). */
static int
spec_read(struct cal_parser *ps, char *copy, struct calspec *s)
{
	const char *p = copy;
	int rc;

	if (*p == '\0')
		return fail(ps, p, EINVAL);
	if ((rc = parse_shorthand(ps, p, s)) != 0)
		return rc < 0 ? -1 : 0;
	if (parse_weekdays(ps, &p, s) != 0 ||
	    (rc = parse_date(ps, &p, s)) < 0 ||
	    (rc == 0 && parse_time(ps, &p, s) != 0))
		return -1;
	if (*p != '\0')
		return fail(ps, p, EINVAL);
	return 0;
}

static int
spec_parse(const char *expr, struct tz_cache *zones, struct calspec *s,
	   struct mgr_error *err)
{
	struct cal_parser *ps;
	char *copy = strdup(expr);
	int rc, f;

	memset(s, 0, sizeof *s);
	s->original = strdup(expr);
	if ((ps = malloc(sizeof *ps)) == NULL || copy == NULL ||
	    s->original == NULL) {
		free(ps);
		free(copy);
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	}
	ps->expr = expr;
	if ((rc = take_zone(ps, copy, zones, s, err)) == 0 &&
	    spec_read(ps, copy, s) != 0)
		rc = parse_error(ps, err);
	if (rc == 0) {
		if (s->weekdays <= 0 || s->weekdays >= CAL_ALL_WEEKDAYS)
			s->weekdays = -1;
		if (s->chain[CAL_DAY].n == 0)
			s->end_of_month = 0;
		fix_years(&s->chain[CAL_YEAR]);
		for (f = 0; f < CAL_NFIELDS; f++)
			normalize_list(s->chain[f].v, &s->chain[f].n);
		rc = spec_check(ps, s, err);
	}
	if (rc == 0 && (s->normalized = spec_format(s)) == NULL)
		rc = mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	free(ps);
	free(copy);
	return rc;
}

void
calendar_free(struct calendar *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		spec_clear(&c->spec[i]);
	free(c->spec);
	free(c);
}

/* The next ";"-separated expression of *p, blanks trimmed, in buf. */
static char *
next_expr(const char **p)
{
	const char *s = *p, *e;
	char *out;

	s += strspn(s, " \t\n");
	e = s + strcspn(s, ";");
	*p = *e == ';' ? e + 1 : e;
	while (e > s && strchr(" \t\n", e[-1]) != NULL)
		e--;
	if ((out = malloc(e - s + 1)) != NULL) {
		memcpy(out, s, e - s);
		out[e - s] = '\0';
	}
	return out;
}

int
calendar_parse(const char *text, struct tz_cache *zones,
	       struct calendar **out, struct mgr_error *err)
{
	struct calendar *c;
	const char *p = text;
	size_t n = 1;
	char *expr;
	int rc = 0;

	*out = NULL;
	for (const char *q = text; *q != '\0'; q++)
		n += *q == ';';
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->spec = calloc(n, sizeof *c->spec)) == NULL) {
		free(c);
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	}
	while (rc == 0 && c->n < n) {
		if ((expr = next_expr(&p)) == NULL)
			rc = mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
		else if (*expr == '\0')
			rc = mgr_error_set(err, MGR_EINVAL, _("oncalendar: "
			    "\"%s\": an empty calendar event"), text);
		else
			rc = spec_parse(expr, zones, &c->spec[c->n], err);
		c->n++;
		free(expr);
	}
	if (rc != 0) {
		calendar_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

size_t
calendar_count(const struct calendar *c)
{
	return c->n;
}

const char *
calendar_original(const struct calendar *c, size_t i)
{
	return i < c->n ? c->spec[i].original : NULL;
}

const char *
calendar_normalized(const struct calendar *c, size_t i)
{
	return i < c->n ? c->spec[i].normalized : NULL;
}

/* ---- the search ---- */

/* glibc's mktime() in one zone: the offset it remembers from its last
 * call decides which of two instants showing the same wall time it
 * gives. */
struct cal_clock {
	const struct tz *zone;	/* NULL: UTC (timegm) */
	int memory;
	/* The last offset looked up, good from lo to before hi: a search
	 * stays within a few days, and a zone's rule takes a while. */
	int64_t lo, hi;
	int off;
};

static int
offset_at(struct cal_clock *k, int64_t u)
{
	if (u >= k->lo && u < k->hi)
		return k->off;
	k->off = tz_offset_at(k->zone, u);
	k->lo = u;
	if (!tz_next_transition(k->zone, u, &k->hi))
		k->hi = INT64_MAX;
	return k->off;
}

/* struct tm: mon from 0, any field may be out of range before
 * normalisation; hint is tm_isdst, as the offset it stood for. */
struct cal_tm {
	int year, mon, mday, hour, min, sec;
	int has_hint, hint;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t
wall_seconds(const struct cal_tm *t)
{
	int64_t y = (int64_t)t->year + floor_div(t->mon, 12);
	int m = (int)(t->mon - floor_div(t->mon, 12) * 12) + 1;

	return (tz_days_from_civil(y, m, 1) + t->mday - 1) * 86400 +
	    (int64_t)t->hour * 3600 + (int64_t)t->min * 60 + t->sec;
}

static void
set_fields(struct cal_tm *t, int64_t wall, int offset)
{
	struct tm_fields f;

	tz_seconds_to_fields(wall, &f);
	t->year = f.year;
	t->mon = f.month - 1;
	t->mday = f.day;
	t->hour = f.hour;
	t->min = f.minute;
	t->sec = f.second;
	t->has_hint = 1;
	t->hint = offset;
}

/* The instant mktime() gives for wall time w between instants a and b
 * that it oscillates between (a gap): the later side, unless the hint
 * asks for its offset ("a time whose tm_isdst differs from the
 * requested value"). */
static int64_t
gap_pick(struct cal_clock *k, const struct cal_tm *t, int64_t a,
	 int64_t b)
{
	int64_t after = offset_at(k, a) > offset_at(k, b) ?
	    a : b, before = after == a ? b : a;

	if (t->has_hint && t->hint == offset_at(k, after))
		return before;
	return after;
}

/* mktime(t): normalises t and returns the instant (seconds). */
static int
cal_mktime(struct cal_clock *k, struct cal_tm *t, int64_t *out)
{
	int64_t w, u, g, prev;
	int i, off;

	if (t->year < -100000 || t->year > 100000)
		return -1;
	w = wall_seconds(t);
	if (k->zone == NULL) {
		set_fields(t, w, 0);
		*out = w;
		return 0;
	}
	u = prev = w - k->memory;
	for (i = 0;; i++) {
		if (i == 6)
			return -1;
		g = w - offset_at(k, u);
		if (g == u)
			break;
		if (i > 0 && g == prev) {
			u = gap_pick(k, t, u, g);
			goto found;
		}
		prev = u;
		u = g;
	}
	/* A repeated wall time: the occurrence with the hinted offset. */
	off = offset_at(k, u);
	if (t->has_hint && t->hint != off)
		u = w - t->hint;
found:
	k->memory = (int)(w - u);
	off = offset_at(k, u);
	set_fields(t, u + off, off);
	*out = u;
	return 0;
}

/* The end of month counted back: the day (1 - back) of the next month,
 * or -1 if that is not in this month. */
static int
end_of_month(struct cal_clock *k, const struct cal_tm *tm, int back)
{
	struct cal_tm t = *tm;
	int64_t u;

	t.mon++;
	t.mday = 1 - back;
	if (cal_mktime(k, &t, &u) != 0 || t.mon != tm->mon)
		return -1;
	return t.mday;
}

/* The smallest value of the chain at or after *val: 1 if *val changed,
 * 0 if not (or "*"), -1 if none. */
static int
match_chain(const struct calspec *s, struct cal_clock *k,
	    const struct cal_chain *ch, const struct cal_tm *tm, int *val)
{
	int eom = s->end_of_month && ch == &s->chain[CAL_DAY];
	int i, best = 0, have = 0, start, stop, n;

	for (i = 0; i < ch->n; i++) {
		const struct cal_comp *c = &ch->v[i];

		start = c->start;
		stop = c->stop;
		if (eom) {
			start = end_of_month(k, tm, c->start);
			stop = end_of_month(k, tm, c->stop);
			if (stop > 0) {
				int swap = start;
				start = stop;
				stop = swap;
			}
		}
		if (start >= *val) {
			if (!have || start < best)
				best = start, have = 1;
		} else if (c->repeat > 0) {
			n = start + c->repeat *
			    ((*val - start + c->repeat - 1) / c->repeat);
			if ((!have || n < best) && (stop < 0 || n <= stop))
				best = n, have = 1;
		}
	}
	if (ch->n == 0)
		return 0;
	if (!have)
		return -1;
	i = *val != best;
	*val = best;
	return i;
}

/* 1 if mktime() leaves t as it is; 0 if it moves it forward (a day 31
 * of a 30-day month, a minute 60, a wall time in a gap): t takes the
 * moved time with the field below the one that moved reset, and the
 * search goes on from there; -1 if it would move back or t is past
 * systemd's last year.  What systemd 252 does, as systemd-analyze shows
 * it: the moved time is read again without a tm_isdst hint. */
static int
within_bounds(struct cal_clock *k, struct cal_tm *t)
{
	struct cal_tm n = *t;
	int64_t u;
	int cmp;

	if (t->year > CAL_MAX_YEAR || cal_mktime(k, &n, &u) != 0)
		return -1;
#define CMP(a, b) (((a) > (b)) - ((a) < (b)))
	if ((cmp = CMP(n.year, t->year)) != 0)
		n.mon = 0;
	else if ((cmp = CMP(n.mon, t->mon)) != 0)
		n.mday = 1;
	else if ((cmp = CMP(n.mday, t->mday)) != 0)
		n.hour = 0;
	else if ((cmp = CMP(n.hour, t->hour)) != 0)
		n.min = 0;
	else if ((cmp = CMP(n.min, t->min)) != 0)
		n.sec = 0;
	else
		cmp = CMP(n.sec, t->sec);
#undef CMP
	if (cmp < 0)
		return -1;
	if (cmp > 0) {
		*t = n;
		t->has_hint = 0;
	}
	return cmp == 0;
}

static int
weekday_ok(const struct calspec *s, struct cal_clock *k,
	   const struct cal_tm *tm)
{
	struct cal_tm t = *tm;
	int64_t u;

	if (s->weekdays < 0)
		return 1;
	if (cal_mktime(k, &t, &u) != 0)
		return 0;
	return (s->weekdays >> tz_weekday(t.year, t.mon + 1, t.mday)) & 1;
}

/* Resets the fields below hour, min, sec (as a round of find_next does
 * after one of them moved). */
static void
reset_from(struct cal_tm *c, int *usec, int level)
{
	if (level <= 0)
		c->mon = 0;
	if (level <= 1)
		c->mday = 1;
	if (level <= 2)
		c->hour = 0;
	if (level <= 3)
		c->min = 0;
	c->sec = 0;
	*usec = 0;
}

/* The year, month and day rounds: 1 to go on to the weekday, 0 for
 * another round, -1 when there is no next time. */
static int
match_date(const struct calspec *s, struct cal_clock *k, struct cal_tm *c,
	   int *usec)
{
	int r, v;

	v = c->year;
	r = match_chain(s, k, &s->chain[CAL_YEAR], c, &v);
	c->year = v;
	if (r > 0)
		reset_from(c, usec, 0);
	if (r < 0 || within_bounds(k, c) <= 0)
		return -1;
	v = c->mon + 1;
	r = match_chain(s, k, &s->chain[CAL_MONTH], c, &v);
	c->mon = v - 1;
	if (r > 0)
		reset_from(c, usec, 1);
	if (r < 0 || (r = within_bounds(k, c)) < 0) {
		c->year++;
		reset_from(c, usec, 0);
		return 0;
	}
	if (r == 0)
		return 0;
	r = match_chain(s, k, &s->chain[CAL_DAY], c, &c->mday);
	if (r > 0)
		reset_from(c, usec, 2);
	if (r < 0 || (r = within_bounds(k, c)) < 0) {
		c->mon++;
		reset_from(c, usec, 1);
		return 0;
	}
	return r;
}

/* The hour, minute and second rounds, as match_date. */
static int
match_time(const struct calspec *s, struct cal_clock *k, struct cal_tm *c,
	   int *usec)
{
	int r, v;

	r = match_chain(s, k, &s->chain[CAL_HOUR], c, &c->hour);
	if (r > 0)
		reset_from(c, usec, 3);
	if (r < 0 || (r = within_bounds(k, c)) < 0) {
		c->mday++;
		reset_from(c, usec, 2);
		return 0;
	}
	if (r == 0)
		return 0;
	r = match_chain(s, k, &s->chain[CAL_MINUTE], c, &c->min);
	if (r > 0)
		reset_from(c, usec, 4);
	if (r < 0 || (r = within_bounds(k, c)) < 0) {
		c->hour++;
		reset_from(c, usec, 3);
		return 0;
	}
	if (r == 0)
		return 0;
	v = c->sec * CAL_USEC + *usec;
	r = match_chain(s, k, &s->chain[CAL_USECS], c, &v);
	*usec = v % CAL_USEC;
	c->sec = v / CAL_USEC;
	if (r < 0 || (r = within_bounds(k, c)) < 0) {
		c->min++;
		reset_from(c, usec, 4);
		return 0;
	}
	return r;
}

/* systemd's find_next(): field by field, letting mktime() normalise. */
static int
find_next(const struct calspec *s, struct cal_clock *k, struct cal_tm *c,
	  int *usec)
{
	int round, r;
	int64_t u;

	for (round = 0; round < CAL_MAX_ROUNDS; round++) {
		(void)cal_mktime(k, c, &u);
		c->has_hint = 0;	/* tm_isdst = -1 */
		if ((r = match_date(s, k, c, usec)) < 0)
			return -1;
		if (r == 0)
			continue;
		if (!weekday_ok(s, k, c)) {
			c->mday++;
			reset_from(c, usec, 2);
			continue;
		}
		if (match_time(s, k, c, usec) > 0)
			return 0;
	}
	return -1;
}

static int
spec_next(const struct calspec *s, const struct tz *local, int64_t after,
	  int64_t *out)
{
	struct cal_clock k = { .zone = s->utc ? NULL :
	    s->zone != NULL ? s->zone : local, .lo = 1, .hi = 0 };
	struct cal_tm c;
	int64_t secs, u;
	int usec, off;

	if (after > CAL_US_MAX)
		return -1;
	if (after < -1)
		after = -1;	/* systemd's clock starts in 1970 */
	after++;
	secs = after / CAL_USEC;
	usec = (int)(after % CAL_USEC);
	off = k.zone != NULL ? offset_at(&k, secs) : 0;
	k.memory = off;
	set_fields(&c, secs + off, off);
	if (find_next(s, &k, &c, &usec) != 0 || cal_mktime(&k, &c, &u) != 0)
		return -1;
	*out = u * CAL_USEC + usec;
	/* systemd's search never goes back; should it ever, a scheduler
	 * must not fire the same time over and over. */
	return *out >= after ? 0 : -1;
}

int
calendar_next(const struct calendar *c, const struct tz *local,
	      int64_t after_us, int64_t *out_us)
{
	int64_t u, best = 0;
	int have = 0;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (spec_next(&c->spec[i], local, after_us, &u) == 0 &&
		    (!have || u < best)) {
			best = u;
			have = 1;
		}
	}
	if (!have)
		return -1;
	*out_us = best;
	return 0;
}
