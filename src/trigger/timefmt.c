/* timefmt.c - clock, ISO 8601 formatting and parsing. */

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "i18n.h"
#include "timefmt.h"
#include "tz.h"

/* mgr_now_us() lives in util.c. */

/* Floor division, so instants before 1970 split correctly. */
static void
split_us(int64_t us, int64_t *s, int *frac)
{
	*s = us / MGR_US_PER_S;
	*frac = (int)(us % MGR_US_PER_S);
	if (*frac < 0) {
		*frac += MGR_US_PER_S;
		(*s)--;
	}
}

static char *
timefmt_iso_slow(char *buf, size_t len, const struct tm_fields *f, int frac,
		 int off)
{
	char fracs[16] = "", offs[16];
	int aoff = off < 0 ? -off : off;

	if (frac != 0)
		snprintf(fracs, sizeof fracs, ".%06d", frac);
	if (aoff % 60 != 0) {
		snprintf(offs, sizeof offs, "%c%02d:%02d:%02d",
		    off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60, aoff % 60);
	} else {
		snprintf(offs, sizeof offs, "%c%02d:%02d",
		    off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", f->year,
	    f->month, f->day, f->hour, f->minute, f->second, fracs, offs);
	return buf;
}

/* n (0 <= n < 10^width) as width digits at p; returns the end. */
static char *
put_digits(char *p, int n, int width)
{
	for (int i = width - 1; i >= 0; i--, n /= 10)
		p[i] = (char)('0' + n % 10);
	return p + width;
}

/* The ISO form written digit by digit: snprintf's format parsing was a
 * quarter of the scheduler's start at 30,000 interval tasks (each
 * trigger's start_date is normalised through here).  Years outside
 * 0-9999 (and a buffer too small) take snprintf's way, whose output is
 * the same. */
char *
timefmt_iso(char *buf, size_t len, int64_t us, const struct tz *z)
{
	struct tm_fields f;
	int64_t s;
	int frac, off, aoff;
	char *p = buf;

	split_us(us, &s, &frac);
	off = z != NULL ? tz_offset_at(z, s) : 0;
	tz_seconds_to_fields(s + off, &f);
	aoff = off < 0 ? -off : off;
	if (f.year < 0 || f.year > 9999 || aoff >= 100 * 3600 ||
	    len < sizeof "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM:SS")
		return timefmt_iso_slow(buf, len, &f, frac, off);
	p = put_digits(p, f.year, 4);
	*p++ = '-';
	p = put_digits(p, f.month, 2);
	*p++ = '-';
	p = put_digits(p, f.day, 2);
	*p++ = 'T';
	p = put_digits(p, f.hour, 2);
	*p++ = ':';
	p = put_digits(p, f.minute, 2);
	*p++ = ':';
	p = put_digits(p, f.second, 2);
	if (frac != 0) {
		*p++ = '.';
		p = put_digits(p, frac, 6);
	}
	*p++ = off < 0 ? '-' : '+';
	p = put_digits(p, aoff / 3600, 2);
	*p++ = ':';
	p = put_digits(p, aoff / 60 % 60, 2);
	if (aoff % 60 != 0) {
		*p++ = ':';
		p = put_digits(p, aoff % 60, 2);
	}
	*p = '\0';
	return buf;
}

/* us as UTC fields; *frac gets its microseconds. */
static void
utc_fields(int64_t us, struct tm_fields *f, int *frac)
{
	int64_t s;

	split_us(us, &s, frac);
	tz_seconds_to_fields(s, f);
}

char *
timefmt_utc_seconds(char *buf, size_t len, int64_t us)
{
	struct tm_fields f;
	int frac;

	utc_fields(us, &f, &frac);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month,
	    f.day, f.hour, f.minute, f.second);
	return buf;
}

char *
timefmt_machine(char *buf, size_t len, int64_t us)
{
	struct tm_fields f;
	int frac;

	utc_fields(us, &f, &frac);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", f.year,
	    f.month, f.day, f.hour, f.minute, f.second, frac / 1000);
	return buf;
}

/* The shape timefmt_iso and timefmt_utc_seconds write: checked before
 * parsing, so that a word that merely parses as a date ("2026-03-02")
 * or a wall time without an offset is left as it is. */
static int
is_written_instant(const char *s)
{
	size_t n = strlen(s);

	return n >= 20 && n <= 40 && s[4] == '-' && s[7] == '-' && s[10] == 'T' &&
	    s[13] == ':' && s[16] == ':' && (s[n - 1] == 'Z' ||
	    (n >= 25 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':'));
}

char *
timefmt_machine_text(char *buf, size_t len, const char *text)
{
	struct mgr_error err = { 0 };
	int64_t us;

	if (!is_written_instant(text) || timefmt_parse(text, NULL, &us, &err) != 0)
		return NULL;
	return timefmt_machine(buf, len, us);
}

double
timefmt_machine_seconds(int64_t us)
{
	return (double)((us >= 0 ? us + 500 : us - 500) / 1000) / 1000.0;
}

/* Reads between min and max digits; returns the end or NULL. */
static const char *
digits(const char *p, int min, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && p[n] >= '0' && p[n] <= '9') {
		v = v * 10 + (p[n] - '0');
		n++;
	}
	if (n < min)
		return NULL;
	*out = v;
	return p + n;
}

static const char *
parse_date(const char *p, struct tm_fields *f)
{
	if ((p = digits(p, 4, 4, &f->year)) == NULL || *p != '-')
		return NULL;
	if ((p = digits(p + 1, 1, 2, &f->month)) == NULL || *p != '-')
		return NULL;
	return digits(p + 1, 1, 2, &f->day);
}

/* "HH:MM[:SS[.ffffff]]" after the date's separator. */
static const char *
parse_time(const char *p, struct tm_fields *f, int *us)
{
	int n = 0, scale = 100000;

	if ((p = digits(p, 1, 2, &f->hour)) == NULL || *p != ':')
		return NULL;
	if ((p = digits(p + 1, 2, 2, &f->minute)) == NULL)
		return NULL;
	if (*p != ':')
		return p;
	if ((p = digits(p + 1, 2, 2, &f->second)) == NULL)
		return NULL;
	if (*p != '.' && *p != ',')
		return p;
	for (p++; *p >= '0' && *p <= '9'; p++, n++) {
		/* Digits past microseconds are dropped, not rounded. */
		if (n < 6) {
			*us += (*p - '0') * scale;
			scale /= 10;
		}
	}
	return n > 0 ? p : NULL;
}

/* "Z", "+HH:MM", "+HHMM" or "+HH" as seconds east. */
static const char *
parse_offset(const char *p, int *off)
{
	int sign, h, m = 0;

	if (*p == 'Z' || *p == 'z') {
		*off = 0;
		return p + 1;
	}
	sign = *p == '-' ? -1 : 1;
	if ((p = digits(p + 1, 2, 2, &h)) == NULL)
		return NULL;
	if (*p == ':') {
		if ((p = digits(p + 1, 2, 2, &m)) == NULL)
			return NULL;
	} else if (*p >= '0' && *p <= '9') {
		if ((p = digits(p, 2, 2, &m)) == NULL)
			return NULL;
	}
	if (h > 23 || m > 59)
		return NULL;
	*off = sign * (h * 3600 + m * 60);
	return p;
}

static int
bad_time(struct mgr_error *err, const char *text)
{
	return mgr_error_set(err, MGR_EINVAL,
	    _("\"%s\" is not a valid date or time (expected "
	    "YYYY-MM-DD[THH:MM[:SS]][+HH:MM])"), text);
}

int
timefmt_parse(const char *text, const struct tz *z, int64_t *out_us,
	      struct mgr_error *err)
{
	struct tm_fields f = { 0, 0, 0, 0, 0, 0 };
	const char *p = text;
	int us = 0, off = 0, has_off = 0;
	int64_t s;

	if ((p = parse_date(p, &f)) == NULL)
		return bad_time(err, text);
	if (*p == 'T' || *p == 't' || *p == ' ') {
		if ((p = parse_time(p + 1, &f, &us)) == NULL)
			return bad_time(err, text);
		if (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-') {
			if ((p = parse_offset(p, &off)) == NULL)
				return bad_time(err, text);
			has_off = 1;
		}
	}
	if (*p != '\0')
		return bad_time(err, text);
	if (f.month < 1 || f.month > 12 || f.day < 1 ||
	    f.day > tz_days_in_month(f.year, f.month) || f.hour > 23 ||
	    f.minute > 59 || f.second > 59) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("\"%s\" is not a valid date or time (a field is out of "
		    "range)"), text);
	}
	if (has_off)
		s = tz_fields_to_seconds(&f) - off;
	else if (z != NULL)
		tz_local_to_utc(z, &f, &s, NULL);
	else
		s = tz_fields_to_seconds(&f);
	*out_us = s * MGR_US_PER_S + us;
	return 0;
}

/* ---- relative times (run_date=+10min, now+2h, tomorrow 09:00) ---- */

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* 1 if text begins with a word (case-insensitive) that ends there. */
static int
word_at(const char *text, const char *word, const char **end)
{
	size_t n = strlen(word);

	if (strncasecmp(text, word, n) != 0 ||
	    (text[n] >= 'a' && text[n] <= 'z') ||
	    (text[n] >= 'A' && text[n] <= 'Z'))
		return 0;
	*end = text + n;
	return 1;
}

int
timefmt_is_relative(const char *text)
{
	const char *end;

	text = skip_blanks(text);
	return *text == '+' || word_at(text, "now", &end) ||
	    word_at(text, "today", &end) || word_at(text, "tomorrow", &end);
}

/* Seconds in a unit named by the len letters at p, or 0. */
static int64_t
unit_seconds(const char *p, size_t len)
{
	static const struct {
		const char *name;
		int64_t s;
	} units[] = {
		{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 },
		{ "seconds", 1 }, { "m", 60 }, { "min", 60 }, { "mins", 60 },
		{ "minute", 60 }, { "minutes", 60 }, { "h", 3600 },
		{ "hr", 3600 }, { "hrs", 3600 }, { "hour", 3600 },
		{ "hours", 3600 }, { "d", 86400 }, { "day", 86400 },
		{ "days", 86400 }, { "w", 604800 }, { "week", 604800 },
		{ "weeks", 604800 },
	};
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strlen(units[i].name) == len &&
		    strncasecmp(units[i].name, p, len) == 0)
			return units[i].s;
	}
	return 0;
}

static int
bad_relative(struct mgr_error *err, const char *text)
{
	return mgr_error_set(err, MGR_EINVAL,
	    _("\"%s\" is not a valid relative time (expected +N UNIT..., "
	    "now, now+N UNIT, today or tomorrow [HH:MM[:SS]])"), text);
}

/* "+1h30min", "+ 2 h 30 min": the sum in seconds; p is past the '+'. */
static int
parse_offset_sum(const char *text, const char *p, int64_t *sum,
		 struct mgr_error *err)
{
	const char *u;
	int64_t n, unit;
	int terms = 0;

	*sum = 0;
	for (p = skip_blanks(p); *p != '\0'; p = skip_blanks(p), terms++) {
		if (*p < '0' || *p > '9')
			return bad_relative(err, text);
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			if (n > INT64_C(100000000000))
				return mgr_error_set(err, MGR_EINVAL,
				    _("\"%s\" is too far away"), text);
			n = n * 10 + (*p - '0');
		}
		p = skip_blanks(p);
		for (u = p; (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z');)
			p++;
		if ((unit = unit_seconds(u, p - u)) == 0) {
			/* "+1.5h": name what stands where the unit should. */
			return mgr_error_set(err, MGR_EINVAL,
			    _("\"%s\": \"%.*s\" is not a unit (s, min, h, d, w "
			    "or their long names)"), text, (int)(p > u ? p - u :
			    (ptrdiff_t)strcspn(u, " \t")), u);
		}
		*sum += n * unit;
		if (*sum > INT64_C(10000) * 366 * 86400)
			return mgr_error_set(err, MGR_EINVAL,
			    _("\"%s\" is too far away"), text);
	}
	return terms > 0 ? 0 : bad_relative(err, text);
}

/* "today"/"tomorrow" [HH:MM[:SS]] in zone z, seen from now_s. */
static int
parse_day(const char *text, const char *p, int days, const struct tz *z,
	  int64_t now_s, int64_t *out_s, struct mgr_error *err)
{
	struct tm_fields f;
	int us = 0;

	tz_seconds_to_fields(now_s + (z != NULL ? tz_offset_at(z, now_s) : 0),
	    &f);
	f.hour = f.minute = f.second = 0;
	p = skip_blanks(p);
	if (*p != '\0' && ((p = parse_time(p, &f, &us)) == NULL || us != 0 ||
	    *skip_blanks(p) != '\0'))
		return bad_relative(err, text);
	if (f.hour > 23 || f.minute > 59 || f.second > 59) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("\"%s\" is not a valid date or time (a field is out of "
		    "range)"), text);
	}
	tz_seconds_to_fields(tz_fields_to_seconds(&f) + days * 86400, &f);
	if (z != NULL)
		tz_local_to_utc(z, &f, out_s, NULL);
	else
		*out_s = tz_fields_to_seconds(&f);
	return 0;
}

int
timefmt_parse_relative(const char *text, const struct tz *z, int64_t now_us,
		       int64_t *out_us, struct mgr_error *err)
{
	const char *p = skip_blanks(text), *rest;
	int64_t s, now_s = now_us / MGR_US_PER_S - (now_us % MGR_US_PER_S < 0);
	int rc, days = -1;

	if (word_at(p, "today", &rest))
		days = 0;
	else if (word_at(p, "tomorrow", &rest))
		days = 1;
	if (days >= 0) {
		rc = parse_day(text, rest, days, z, now_s, &s, err);
		if (rc == 0)
			*out_us = s * MGR_US_PER_S;
		return rc;
	}
	if (word_at(p, "now", &p))
		p = skip_blanks(p);
	if (*p == '\0') {
		*out_us = now_us;
		return 0;
	}
	if (*p != '+')
		return bad_relative(err, text);
	if ((rc = parse_offset_sum(text, p + 1, &s, err)) != 0)
		return rc;
	*out_us = now_us + s * MGR_US_PER_S;
	return 0;
}
