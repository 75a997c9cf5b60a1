/* timefmt.c - clock, ISO 8601 formatting and parsing. */

#include <stdio.h>
#include <string.h>
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

char *
timefmt_iso(char *buf, size_t len, int64_t us, const struct tz *z)
{
	struct tm_fields f;
	int64_t s;
	int frac, off, aoff;
	char fracs[16] = "", offs[16];

	split_us(us, &s, &frac);
	off = z != NULL ? tz_offset_at(z, s) : 0;
	tz_seconds_to_fields(s + off, &f);
	if (frac != 0)
		snprintf(fracs, sizeof fracs, ".%06d", frac);
	aoff = off < 0 ? -off : off;
	if (aoff % 60 != 0) {
		snprintf(offs, sizeof offs, "%c%02d:%02d:%02d",
		    off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60, aoff % 60);
	} else {
		snprintf(offs, sizeof offs, "%c%02d:%02d",
		    off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s%s", f.year,
	    f.month, f.day, f.hour, f.minute, f.second, fracs, offs);
	return buf;
}

char *
timefmt_utc_seconds(char *buf, size_t len, int64_t us)
{
	struct tm_fields f;
	int64_t s;
	int frac;

	split_us(us, &s, &frac);
	tz_seconds_to_fields(s, &f);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", f.year, f.month,
	    f.day, f.hour, f.minute, f.second);
	return buf;
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
