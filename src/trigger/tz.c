/* tz.c - TZif reader and POSIX TZ rules (RFC 8536), no process state. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "i18n.h"
#include "tz.h"

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_MAX_FILE (1024 * 1024)
/* No zone is further than 26 hours from UTC, so a wall time's instants
 * all lie within this distance of the wall time read as UTC. */
#define TZ_MAX_SPAN (26 * 3600)

/* One end of a daylight saving period in a POSIX TZ string. */
struct tz_rule {
	char kind;		/* 'J' (1-365, no Feb 29), 'N' (0-365), 'M' */
	int n;			/* day for J and N */
	int m, w, d;		/* month, week 1-5 (5 = last), weekday 0 = Sun */
	int32_t time;		/* seconds after local midnight, may be <0 */
};

struct tz_posix {
	int32_t std_off;	/* seconds east of UTC */
	int32_t dst_off;
	int has_dst;
	struct tz_rule start, end;
};

struct tz {
	char *name;
	size_t ntrans;
	int64_t *trans;		/* transition instants, ascending */
	int32_t *trans_off;	/* offset in effect from each transition */
	int32_t first_off;	/* offset before the first transition */
	int has_posix;
	struct tz_posix posix;
	int refs;		/* owners: tz_free drops one */
};

/* Zones loaded once per name (see tz.h). */
struct tz_cache {
	char **names;
	struct tz **zones;
	size_t n;
};

/* ---- calendar ---- */

int64_t
tz_days_from_civil(int64_t y, int m, int d)
{
	/* Howard Hinnant's days_from_civil. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tz_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

int
tz_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
tz_days_in_month(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				    30, 31 };

	if (m == 2 && tz_is_leap(y))
		return 29;
	return days[m - 1];
}

int
tz_weekday(int64_t y, int m, int d)
{
	int64_t days = tz_days_from_civil(y, m, d);

	/* 1970-01-01 was a Thursday (3). */
	return (int)(((days % 7) + 7 + 3) % 7);
}

int
tz_iso_week(int64_t y, int m, int d)
{
	int64_t days = tz_days_from_civil(y, m, d);
	int64_t thursday, jan1;
	int ty, tm, td;

	/* The ISO year is the year of this week's Thursday. */
	thursday = days - tz_weekday(y, m, d) + 3;
	tz_civil_from_days(thursday, &ty, &tm, &td);
	jan1 = tz_days_from_civil(ty, 1, 1);
	return (int)((thursday - jan1) / 7 + 1);
}

int64_t
tz_fields_to_seconds(const struct tm_fields *f)
{
	return tz_days_from_civil(f->year, f->month, f->day) * 86400 +
	    f->hour * 3600 + f->minute * 60 + f->second;
}

void
tz_seconds_to_fields(int64_t s, struct tm_fields *f)
{
	int64_t days = s / 86400, rem = s % 86400;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	tz_civil_from_days(days, &f->year, &f->month, &f->day);
	f->hour = (int)(rem / 3600);
	f->minute = (int)(rem / 60 % 60);
	f->second = (int)(rem % 60);
}

/* ---- POSIX TZ strings ("CET-1CEST,M3.5.0,M10.5.0/3") ---- */

static const char *
posix_name(const char *s)
{
	const char *p = s;

	if (*p == '<') {
		while (*p != '\0' && *p != '>')
			p++;
		return *p == '>' && p - s > 1 ? p + 1 : NULL;
	}
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

static const char *
posix_num(const char *s, int min, int max, int *out)
{
	int v = 0, digits = 0;

	while (*s >= '0' && *s <= '9' && digits < 4) {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	if (digits == 0 || v < min || v > max)
		return NULL;
	*out = v;
	return s;
}

/* [+-]hh[:mm[:ss]] as seconds; hours up to 167 for v3 rule times. */
static const char *
posix_time(const char *s, int32_t *out)
{
	int sign = 1, h, m = 0, sec = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	if ((s = posix_num(s, 0, 167, &h)) == NULL)
		return NULL;
	if (*s == ':') {
		if ((s = posix_num(s + 1, 0, 59, &m)) == NULL)
			return NULL;
		if (*s == ':' && (s = posix_num(s + 1, 0, 59, &sec)) == NULL)
			return NULL;
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	return s;
}

static const char *
posix_rule(const char *s, struct tz_rule *r)
{
	r->time = 7200;
	if (*s == 'M') {
		r->kind = 'M';
		if ((s = posix_num(s + 1, 1, 12, &r->m)) == NULL || *s != '.')
			return NULL;
		if ((s = posix_num(s + 1, 1, 5, &r->w)) == NULL || *s != '.')
			return NULL;
		if ((s = posix_num(s + 1, 0, 6, &r->d)) == NULL)
			return NULL;
	} else if (*s == 'J') {
		r->kind = 'J';
		if ((s = posix_num(s + 1, 1, 365, &r->n)) == NULL)
			return NULL;
	} else {
		r->kind = 'N';
		if ((s = posix_num(s, 0, 365, &r->n)) == NULL)
			return NULL;
	}
	if (*s == '/')
		s = posix_time(s + 1, &r->time);
	return s;
}

static int
posix_parse(const char *s, struct tz_posix *p)
{
	int32_t west;

	memset(p, 0, sizeof *p);
	if ((s = posix_name(s)) == NULL || (s = posix_time(s, &west)) == NULL)
		return -1;
	p->std_off = -west;
	if (*s == '\0')
		return 0;
	if ((s = posix_name(s)) == NULL)
		return -1;
	p->has_dst = 1;
	p->dst_off = p->std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if ((s = posix_time(s, &west)) == NULL)
			return -1;
		p->dst_off = -west;
	}
	if (*s == '\0')	/* POSIX leaves it open; glibc uses US rules */
		s = ",M3.2.0,M11.1.0";
	if (*s != ',' || (s = posix_rule(s + 1, &p->start)) == NULL)
		return -1;
	if (*s != ',' || (s = posix_rule(s + 1, &p->end)) == NULL)
		return -1;
	return *s == '\0' ? 0 : -1;
}

/* Local (wall) seconds at which a rule fires in year y. */
static int64_t
rule_local(const struct tz_rule *r, int64_t y)
{
	int64_t day;
	int first_wd, md;

	switch (r->kind) {
	case 'J':
		day = tz_days_from_civil(y, 1, 1) + r->n - 1;
		if (tz_is_leap(y) && r->n >= 60)
			day++;
		break;
	case 'N':
		day = tz_days_from_civil(y, 1, 1) + r->n;
		break;
	default:
		/* tz_weekday has Monday = 0; POSIX has Sunday = 0. */
		first_wd = (tz_weekday(y, r->m, 1) + 1) % 7;
		md = 1 + (r->d - first_wd + 7) % 7 + (r->w - 1) * 7;
		while (md > tz_days_in_month(y, r->m))
			md -= 7;
		day = tz_days_from_civil(y, r->m, md);
		break;
	}
	return day * 86400 + r->time;
}

/* The year of an instant, for picking which rule dates to compute. */
static int64_t
year_of(int64_t s)
{
	struct tm_fields f;

	tz_seconds_to_fields(s, &f);
	return f.year;
}

/* Fills the DST start/end instants for years y-1..y+1, in order. */
static void
posix_transitions(const struct tz_posix *p, int64_t y, int64_t t[6],
		  int is_start[6])
{
	int i, j;
	int64_t tv;
	int sv;

	for (i = 0; i < 3; i++) {
		/* A rule time is given in the time in effect before it. */
		t[2 * i] = rule_local(&p->start, y - 1 + i) - p->std_off;
		is_start[2 * i] = 1;
		t[2 * i + 1] = rule_local(&p->end, y - 1 + i) - p->dst_off;
		is_start[2 * i + 1] = 0;
	}
	for (i = 1; i < 6; i++) {
		for (j = i; j > 0 && t[j - 1] > t[j]; j--) {
			tv = t[j]; t[j] = t[j - 1]; t[j - 1] = tv;
			sv = is_start[j]; is_start[j] = is_start[j - 1];
			is_start[j - 1] = sv;
		}
	}
}

static int32_t
posix_offset_at(const struct tz_posix *p, int64_t s)
{
	int64_t t[6];
	int is_start[6], i, found = -1;

	if (!p->has_dst)
		return p->std_off;
	posix_transitions(p, year_of(s + p->std_off), t, is_start);
	for (i = 0; i < 6; i++) {
		if (t[i] <= s)
			found = i;
	}
	if (found < 0)
		return p->std_off;
	return is_start[found] ? p->dst_off : p->std_off;
}

/* First rule transition after s; 0 if the rule has none. */
static int
posix_next(const struct tz_posix *p, int64_t s, int64_t *next)
{
	int64_t t[6], y;
	int is_start[6], i, tries;

	if (!p->has_dst)
		return 0;
	y = year_of(s + p->std_off);
	for (tries = 0; tries < 3; tries++, y++) {
		posix_transitions(p, y, t, is_start);
		for (i = 0; i < 6; i++) {
			if (t[i] > s) {
				*next = t[i];
				return 1;
			}
		}
	}
	return 0;
}

/* ---- offsets and transitions ---- */

static int
uses_posix(const struct tz *z, int64_t s)
{
	return z->has_posix && (z->ntrans == 0 || s >= z->trans[z->ntrans - 1]);
}

int
tz_offset_at(const struct tz *z, int64_t s)
{
	size_t lo = 0, hi = z->ntrans;

	if (uses_posix(z, s))
		return posix_offset_at(&z->posix, s);
	if (z->ntrans == 0 || s < z->trans[0])
		return z->first_off;
	/* Last transition <= s. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= s)
			lo = mid;
		else
			hi = mid;
	}
	return z->trans_off[lo];
}

int
tz_next_transition(const struct tz *z, int64_t s, int64_t *next)
{
	size_t lo = 0, hi = z->ntrans;

	if (uses_posix(z, s))
		return posix_next(&z->posix, s, next);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < z->ntrans) {
		*next = z->trans[lo];
		return 1;
	}
	return 0;
}

void
tz_utc_to_local(const struct tz *z, int64_t s, struct tm_fields *out)
{
	tz_seconds_to_fields(s + tz_offset_at(z, s), out);
}

static int
fields_valid(const struct tm_fields *f)
{
	if (f->month < 1 || f->month > 12 || f->day < 1 ||
	    f->day > tz_days_in_month(f->year, f->month))
		return 0;
	return f->hour >= 0 && f->hour <= 23 && f->minute >= 0 &&
	    f->minute <= 59 && f->second >= 0 && f->second <= 59;
}

int
tz_local_to_utc(const struct tz *z, const struct tm_fields *wall,
		int64_t *out_s, int *flags)
{
	int64_t local, cur, t, u, result = 0;
	int32_t off, next_off;
	int have_next, found = 0, gap = 0;

	if (flags != NULL)
		*flags = 0;
	if (!fields_valid(wall))
		return MGR_EINVAL;
	local = tz_fields_to_seconds(wall);

	/* Walk the periods that could hold an instant showing this wall
	 * time, counting those that do; a gap is a wall time later than one
	 * period's end but earlier than the next one's start. */
	cur = local - TZ_MAX_SPAN - 1;
	off = tz_offset_at(z, cur);
	for (;;) {
		have_next = tz_next_transition(z, cur, &t);
		if (!have_next)
			t = INT64_MAX;
		u = local - off;
		if (u >= cur && u < t) {
			if (found++ == 0)
				result = u;
		} else if (u >= t && found == 0) {
			next_off = tz_offset_at(z, t);
			if (local - next_off < t) {
				result = t;
				gap = 1;
				break;
			}
		}
		if (!have_next || t > local + TZ_MAX_SPAN)
			break;
		cur = t;
		off = tz_offset_at(z, t);
	}
	if (!found && !gap)
		result = local - tz_offset_at(z, local);
	if (flags != NULL)
		*flags = (gap ? TZ_GAP : 0) | (found > 1 ? TZ_FOLD : 0);
	*out_s = result;
	return 0;
}

/* ---- loading ---- */

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static void
tzif_read_counts(const unsigned char *p, struct tzif_counts *c)
{
	c->isut = be32(p + 20);
	c->isstd = be32(p + 24);
	c->leap = be32(p + 28);
	c->time = be32(p + 32);
	c->type = be32(p + 36);
	c->chars = be32(p + 40);
}

static size_t
tzif_block_size(const struct tzif_counts *c, size_t tsize)
{
	return c->time * tsize + c->time + c->type * 6 + c->chars +
	    c->leap * (tsize + 4) + c->isstd + c->isut;
}

/* Fills z from one data block (tsize 4 for v1, 8 for v2+). */
static int
tzif_parse_block(struct tz *z, const unsigned char *p,
		 const struct tzif_counts *c, size_t tsize)
{
	const unsigned char *idx = p + c->time * tsize;
	const unsigned char *types = idx + c->time;
	uint32_t i;

	if (c->type == 0 || c->type > 256)
		return -1;
	z->trans = calloc(c->time + 1, sizeof *z->trans);
	z->trans_off = calloc(c->time + 1, sizeof *z->trans_off);
	if (z->trans == NULL || z->trans_off == NULL)
		return -1;
	for (i = 0; i < c->time; i++) {
		if (idx[i] >= c->type)
			return -1;
		if (tsize == 4)
			z->trans[i] = (int32_t)be32(p + i * 4);
		else
			z->trans[i] = be64(p + i * 8);
		if (i > 0 && z->trans[i] <= z->trans[i - 1])
			return -1;
		z->trans_off[i] = (int32_t)be32(types + idx[i] * 6);
	}
	z->ntrans = c->time;
	z->first_off = (int32_t)be32(types);
	return 0;
}

static int
tzif_parse(struct tz *z, const unsigned char *buf, size_t len)
{
	struct tzif_counts c;
	const unsigned char *p = buf, *end = buf + len, *nl;
	size_t tsize = 4, size;
	char footer[128];

	if (len < 44 || memcmp(p, "TZif", 4) != 0)
		return -1;
	tzif_read_counts(p, &c);
	size = tzif_block_size(&c, 4);
	if (size > (size_t)(end - p) - 44)
		return -1;
	if (p[4] >= '2') {
		/* Skip the 32-bit block: the 64-bit one follows. */
		p += 44 + size;
		if ((size_t)(end - p) < 44 || memcmp(p, "TZif", 4) != 0)
			return -1;
		tzif_read_counts(p, &c);
		tsize = 8;
		size = tzif_block_size(&c, 8);
		if (size > (size_t)(end - p) - 44)
			return -1;
	}
	if (tzif_parse_block(z, p + 44, &c, tsize) != 0)
		return -1;
	p += 44 + size;
	if (tsize == 8 && p < end && *p == '\n') {
		nl = memchr(p + 1, '\n', end - p - 1);
		if (nl != NULL && nl - p - 1 > 0 &&
		    (size_t)(nl - p - 1) < sizeof footer) {
			memcpy(footer, p + 1, nl - p - 1);
			footer[nl - p - 1] = '\0';
			if (posix_parse(footer, &z->posix) == 0)
				z->has_posix = 1;
		}
	}
	return 0;
}

static int
read_file(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f;
	unsigned char *b;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((b = malloc(TZ_MAX_FILE)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(b, 1, TZ_MAX_FILE, f);
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static struct tz *
tz_new(const char *name)
{
	struct tz *z = calloc(1, sizeof *z);

	if (z == NULL)
		return NULL;
	if ((z->name = strdup(name)) == NULL) {
		free(z);
		return NULL;
	}
	z->refs = 1;
	return z;
}

void
tz_free(struct tz *z)
{
	if (z == NULL || --z->refs > 0)
		return;
	free(z->name);
	free(z->trans);
	free(z->trans_off);
	free(z);
}

const char *
tz_name(const struct tz *z)
{
	return z->name;
}

static int
load_path(const char *name, const char *path, struct tz **out,
	  struct mgr_error *err)
{
	unsigned char *buf;
	size_t len;
	struct tz *z;
	int rc;

	if (read_file(path, &buf, &len) != 0) {
		return mgr_error_set(err, MGR_ENOENT,
		    _("unknown time zone \"%s\""), name);
	}
	if ((z = tz_new(name)) == NULL) {
		free(buf);
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	}
	rc = tzif_parse(z, buf, len);
	free(buf);
	if (rc != 0) {
		tz_free(z);
		return mgr_error_set(err, MGR_EINVAL,
		    _("time zone \"%s\": %s is not a valid TZif file"), name,
		    path);
	}
	*out = z;
	return 0;
}

static int
is_utc_name(const char *name)
{
	static const char *const names[] = { "UTC", "Etc/UTC", "GMT",
	    "Etc/GMT", "Z", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal",
	    "UCT", "Etc/UCT", NULL };
	int i;

	for (i = 0; names[i] != NULL; i++) {
		if (strcmp(name, names[i]) == 0)
			return 1;
	}
	return 0;
}

/* A zone name must stay inside the zoneinfo tree: no "..", no "/x". */
static int
name_is_safe(const char *name)
{
	const char *p;

	if (*name == '\0' || *name == '/' || strlen(name) > 255)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789/_+-.", *p) == NULL)
			return 0;
		if ((p == name || p[-1] == '/') && p[0] == '.')
			return 0;
	}
	return 1;
}

static int
load_named(const char *name, struct tz **out, struct mgr_error *err)
{
	const char *dir = getenv("TZDIR");
	char path[4096];

	if (is_utc_name(name)) {
		if ((*out = tz_new(name)) == NULL)
			return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
		return 0;
	}
	if (!name_is_safe(name)) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("\"%s\" is not a valid time zone name"), name);
	}
	if (dir == NULL || *dir == '\0')
		dir = TZ_DEFAULT_DIR;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return mgr_error_set(err, MGR_EINVAL,
		    _("\"%s\" is not a valid time zone name"), name);
	return load_path(name, path, out, err);
}

/* $TZ may hold a zone name, an absolute path or a POSIX rule string. */
static int
load_tz_env(const char *v, struct tz **out, struct mgr_error *err)
{
	struct tz_posix p;
	struct tz *z;

	if (*v == ':')
		v++;
	if (*v == '/')
		return load_path(v, v, out, err);
	if (load_named(v, out, NULL) == 0)
		return 0;
	if (posix_parse(v, &p) != 0) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("TZ=\"%s\" is neither a time zone nor a POSIX TZ rule"),
		    v);
	}
	if ((z = tz_new(v)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	z->posix = p;
	z->has_posix = 1;
	*out = z;
	return 0;
}

static int
load_localtime(struct tz **out, struct mgr_error *err)
{
	const char *path = "/etc/localtime", *name = "localtime", *p;
	char link[4096];
	ssize_t n;

	if (access(path, R_OK) != 0)
		return load_named("UTC", out, err);
	n = readlink(path, link, sizeof link - 1);
	if (n > 0) {
		link[n] = '\0';
		if ((p = strstr(link, "zoneinfo/")) != NULL)
			name = p + strlen("zoneinfo/");
	}
	return load_path(name, path, out, err);
}

int
tz_load(const char *name, struct tz **out, struct mgr_error *err)
{
	const char *v;

	*out = NULL;
	if (name != NULL && strcmp(name, "local") != 0)
		return load_named(name, out, err);
	if ((v = getenv("TZ")) != NULL && *v != '\0')
		return load_tz_env(v, out, err);
	return load_localtime(out, err);
}

struct tz_cache *
tz_cache_new(void)
{
	return calloc(1, sizeof(struct tz_cache));
}

void
tz_cache_free(struct tz_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->names[i]);
		tz_free(c->zones[i]);
	}
	free(c->names);
	free(c->zones);
	free(c);
}

/* Keeps z (one more reference) under name; a cache that cannot grow
 * just does not keep it. */
static void
tz_cache_add(struct tz_cache *c, const char *name, struct tz *z)
{
	char **names;
	struct tz **zones;
	char *copy;

	if ((copy = strdup(name)) == NULL)
		return;
	names = realloc(c->names, (c->n + 1) * sizeof *names);
	if (names != NULL)
		c->names = names;
	zones = names != NULL ? realloc(c->zones, (c->n + 1) * sizeof *zones) : NULL;
	if (zones == NULL) {
		free(copy);
		return;
	}
	c->zones = zones;
	c->names[c->n] = copy;
	c->zones[c->n++] = z;
	z->refs++;
}

int
tz_cache_load(struct tz_cache *c, const char *name, struct tz **out,
	      struct mgr_error *err)
{
	const char *key = name != NULL ? name : "local";
	int rc;

	if (c == NULL)
		return tz_load(name, out, err);
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->names[i], key) == 0) {
			c->zones[i]->refs++;
			*out = c->zones[i];
			return 0;
		}
	}
	if ((rc = tz_load(name, out, err)) == 0)
		tz_cache_add(c, key, *out);
	return rc;
}
