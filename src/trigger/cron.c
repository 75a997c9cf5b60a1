/* cron.c - cron expressions: APScheduler fields and Vixie crontab lines.
 *
 * The APScheduler half is a close port of apscheduler/triggers/cron (3.9):
 * the same expression kinds, validation and field-by-field search, so
 * schedules carried over from the Python seed fire at the same times.  It
 * runs on wall times only; DST is trigger.c's business.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cron.h"
#include "error.h"
#include "i18n.h"

#define CRON_NONE (-1)		/* "no value", APScheduler's None */
#define CRON_MAX_YEAR 9999

enum cron_expr_kind {
	EXPR_ALL,		/* "*", "*\/n" */
	EXPR_RANGE,		/* "a", "a-b", "a/n", "a-b/n", names */
	EXPR_NTH,		/* "2nd fri", "last fri" (day field) */
	EXPR_LAST,		/* "last" (day field) */
};

struct cron_expr {
	enum cron_expr_kind kind;
	int first, last;	/* last CRON_NONE: open (to the maximum) */
	int step;		/* 0: none */
	int nth;		/* 0-4 for 1st-5th, 5 for last */
	int weekday;		/* 0 = Monday */
};

struct cron_field {
	size_t n;
	struct cron_expr *expr;
};

struct cron {
	int vixie;
	int never;
	int wild;		/* minute or hour starts with '*' (Vixie) */
	struct cron_field f[CRON_NFIELDS];	/* APScheduler */
	uint64_t minute;			/* Vixie bit sets */
	uint32_t hour, dom;
	uint16_t month;
	uint8_t dow;				/* bit 0 = Sunday */
	int dom_star, dow_star;
};

static const char *const field_names[CRON_NFIELDS] = { "year", "month",
	"day", "week", "day_of_week", "hour", "minute", "second" };
static const int field_min[CRON_NFIELDS] = { 1970, 1, 1, 1, 0, 0, 0, 0 };
static const int field_max[CRON_NFIELDS] = { 9999, 12, 31, 53, 6, 23, 59,
	59 };
/* APScheduler's DEFAULT_VALUES for fields finer than the finest set. */
static const char *const field_default[CRON_NFIELDS] = { "*", "1", "1", "*",
	"*", "0", "0", "0" };
static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun", NULL };
static const char *const months[] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const positions[] = { "1st", "2nd", "3rd", "4th", "5th",
	"last", NULL };

const char *
cron_field_name(int id)
{
	return id >= 0 && id < CRON_NFIELDS ? field_names[id] : NULL;
}

int
cron_field_lookup(const char *name)
{
	int i;

	for (i = 0; i < CRON_NFIELDS; i++) {
		if (strcmp(name, field_names[i]) == 0)
			return i;
	}
	return -1;
}

void
cron_free(struct cron *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < CRON_NFIELDS; i++)
		free(c->f[i].expr);
	free(c);
}

/* ---- shared token helpers ---- */

static int
name_index(const char *const *names, const char *s, size_t len)
{
	int i;

	for (i = 0; names[i] != NULL; i++) {
		if (strlen(names[i]) == len && strncasecmp(names[i], s, len) == 0)
			return i;
	}
	return -1;
}

/* Reads a decimal number; numbers too long to be a field value read as
 * INT_MAX so the range check reports them. */
static const char *
read_number(const char *p, int *out)
{
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)*p)) {
		if (v < 100000000)
			v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0)
		return NULL;
	*out = (int)v;
	return p;
}

static const char *
read_word(const char *p)
{
	while (isalpha((unsigned char)*p))
		p++;
	return p;
}

static int
out_of_range(struct mgr_error *err, const char *field, const char *tok,
	     size_t len, int min, int max)
{
	return mgr_error_set(err, MGR_EINVAL,
	    _("%s: \"%.*s\" is out of range %d-%d"), field, (int)len, tok,
	    min, max);
}

static int
bad_name(struct mgr_error *err, const char *field, const char *tok,
	 size_t len, int is_month)
{
	if (is_month) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("%s: \"%.*s\" is not a month name"), field, (int)len, tok);
	}
	return mgr_error_set(err, MGR_EINVAL,
	    _("%s: \"%.*s\" is not a weekday name"), field, (int)len, tok);
}

/* ---- APScheduler expressions ---- */

/* A number or (for month and day_of_week) a name at p. */
static const char *
read_value(int id, const char *p, int *out, struct mgr_error *err, int *rc)
{
	const char *end;
	int idx;

	if (isdigit((unsigned char)*p)) {
		end = read_number(p, out);
		if (*out > field_max[id] || *out < field_min[id])
			*rc = out_of_range(err, field_names[id], p, end - p,
			    field_min[id], field_max[id]);
		return end;
	}
	end = read_word(p);
	if (end == p || (id != CRON_MONTH && id != CRON_DOW))
		return NULL;
	idx = name_index(id == CRON_MONTH ? months : weekdays, p, end - p);
	if (idx < 0)
		*rc = bad_name(err, field_names[id], p, end - p, id == CRON_MONTH);
	*out = id == CRON_MONTH ? idx + 1 : idx;
	return end;
}

static int
bad_expr(struct mgr_error *err, int id, const char *item)
{
	const char *forms;

	switch (id) {
	case CRON_DAY:
		forms = _("*, */N, A, A-B, A-B/N, last, last fri or 2nd fri");
		break;
	case CRON_MONTH:
		forms = _("*, */N, A, A-B, A-B/N or month names like jan-mar");
		break;
	case CRON_DOW:
		forms = _("*, */N, A, A-B, A-B/N or weekday names like mon-fri");
		break;
	default:
		forms = _("*, */N, A, A-B or A-B/N");
		break;
	}
	return mgr_error_set(err, MGR_EINVAL,
	    _("%s: \"%s\" is not a valid expression (expected %s)"),
	    field_names[id], item, forms);
}

/* "last", "last fri", "2nd fri" in the day field; 1 if it is one. */
static int
parse_position(const char *item, struct cron_expr *e, struct mgr_error *err,
	       int *rc)
{
	const char *p = item, *w;
	size_t len;
	int pos, wd;

	while (isalnum((unsigned char)*p))
		p++;
	if ((pos = name_index(positions, item, p - item)) < 0)
		return 0;
	if (*p == '\0' && pos == 5) {
		e->kind = EXPR_LAST;
		return 1;
	}
	if (*p != ' ')
		return 0;
	while (*p == ' ')
		p++;
	w = p;
	while (isalnum((unsigned char)*p))
		p++;
	len = p - w;
	if (len == 0 || *p != '\0')
		return 0;
	if ((wd = name_index(weekdays, w, len)) < 0) {
		*rc = bad_name(err, "day", w, len, 0);
		return 1;
	}
	e->kind = EXPR_NTH;
	e->nth = pos;
	e->weekday = wd;
	return 1;
}

/* Checks what APScheduler's validate_range checks. */
static int
check_expr(int id, const char *item, const struct cron_expr *e,
	   struct mgr_error *err)
{
	int span, last;

	if (e->kind == EXPR_ALL)
		span = field_max[id] - field_min[id];
	else if (e->kind == EXPR_RANGE) {
		if (e->last != CRON_NONE && e->first > e->last) {
			return mgr_error_set(err, MGR_EINVAL,
			    _("%s: range \"%s\" is reversed (first is greater "
			    "than last)"), field_names[id], item);
		}
		/* APScheduler reads a last value of 0 as "none" here. */
		last = e->last > 0 ? e->last : field_max[id];
		span = last - e->first;
	} else
		return 0;
	if (e->step > span) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("%s: step %d in \"%s\" is larger than the range (%d)"),
		    field_names[id], e->step, item, span);
	}
	return 0;
}

static int
parse_step(int id, const char *item, const char *p, struct cron_expr *e,
	   struct mgr_error *err)
{
	const char *end;

	if (*p == '\0')
		return 0;
	if (*p != '/' || (end = read_number(p + 1, &e->step)) == NULL ||
	    *end != '\0')
		return bad_expr(err, id, item);
	if (e->step == 0) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("%s: step in \"%s\" must be at least 1"), field_names[id],
		    item);
	}
	return 0;
}

static int
parse_expr(int id, const char *item, struct cron_expr *e,
	   struct mgr_error *err)
{
	const char *p = item;
	int rc = 0, named;

	memset(e, 0, sizeof *e);
	e->last = CRON_NONE;
	if (id == CRON_DAY && parse_position(item, e, err, &rc))
		return rc;
	if (*p == '*') {
		e->kind = EXPR_ALL;
		if ((rc = parse_step(id, item, p + 1, e, err)) != 0)
			return rc;
		return check_expr(id, item, e, err);
	}
	e->kind = EXPR_RANGE;
	named = !!isalpha((unsigned char)*p);
	if ((p = read_value(id, p, &e->first, err, &rc)) == NULL)
		return bad_expr(err, id, item);
	if (rc != 0)
		return rc;
	if (*p == '-') {
		if (named != !!isalpha((unsigned char)p[1]))
			return bad_expr(err, id, item);
		if ((p = read_value(id, p + 1, &e->last, err, &rc)) == NULL)
			return bad_expr(err, id, item);
		if (rc != 0)
			return rc;
	}
	/* Names take no step, as in APScheduler. */
	if (named && *p != '\0')
		return bad_expr(err, id, item);
	if ((rc = parse_step(id, item, p, e, err)) != 0)
		return rc;
	if (e->last == CRON_NONE && e->step == 0)
		e->last = e->first;
	return check_expr(id, item, e, err);
}

/* Splits "a, b ,c" (APScheduler's ' *, *') and compiles each item. */
/* 1 if a comma-separated list has an empty item ("1,,2", ",5", "5,"),
 * which strtok_r would silently skip. */
static int
has_empty_item(const char *text)
{
	const char *p = text;
	int empty = 1;

	for (; *p != '\0'; p++) {
		if (*p == ',') {
			if (empty)
				return 1;
			empty = 1;
		} else if (*p != ' ' && *p != '\t')
			empty = 0;
	}
	return empty && strchr(text, ',') != NULL;
}

static int
empty_item(struct mgr_error *err, const char *field, const char *text)
{
	return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\" has an empty "
	    "item between commas"), field, text);
}

static int
parse_field(struct cron *c, int id, const char *text, struct mgr_error *err)
{
	char *copy, *item, *save = NULL, *end;
	struct cron_expr *grown;
	int rc = 0;

	if (has_empty_item(text))
		return empty_item(err, field_names[id], text);
	if ((copy = strdup(text)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		grown = realloc(c->f[id].expr,
		    (c->f[id].n + 1) * sizeof *grown);
		if (grown == NULL) {
			rc = mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
			break;
		}
		c->f[id].expr = grown;
		if ((rc = parse_expr(id, item, &grown[c->f[id].n], err)) != 0)
			break;
		c->f[id].n++;
	}
	if (rc == 0 && c->f[id].n == 0)
		rc = bad_expr(err, id, text);
	free(copy);
	return rc;
}

/* Vixie's MIN_STAR and HR_STAR: the field's text begins with '*'. */
static int
starts_with_star(const char *text)
{
	while (*text == ' ' || *text == '\t')
		text++;
	return *text == '*';
}

int
cron_parse_fields(const char *const values[CRON_NFIELDS], struct cron **out,
		  struct mgr_error *err)
{
	struct cron *c;
	const char *text;
	int id, last_set = -1, rc;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	for (id = 0; id < CRON_NFIELDS; id++) {
		if (values[id] != NULL)
			last_set = id;
	}
	for (id = 0; id < CRON_NFIELDS; id++) {
		/* Coarser than the finest set field: "*"; finer: minimum. */
		if (values[id] != NULL)
			text = values[id];
		else if (last_set >= 0 && id > last_set)
			text = field_default[id];
		else
			text = "*";
		if ((rc = parse_field(c, id, text, err)) != 0) {
			cron_free(c);
			return rc;
		}
		if (id == CRON_HOUR || id == CRON_MINUTE)
			c->wild |= starts_with_star(text);
	}
	*out = c;
	return 0;
}

/* ---- APScheduler search (CronTrigger.get_next_fire_time) ---- */

static int
is_real(int id)
{
	return id != CRON_WEEK && id != CRON_DOW;
}

static int
get_value(int id, const struct tm_fields *d)
{
	switch (id) {
	case CRON_YEAR:
		return d->year;
	case CRON_MONTH:
		return d->month;
	case CRON_DAY:
		return d->day;
	case CRON_WEEK:
		return tz_iso_week(d->year, d->month, d->day);
	case CRON_DOW:
		return tz_weekday(d->year, d->month, d->day);
	case CRON_HOUR:
		return d->hour;
	case CRON_MINUTE:
		return d->minute;
	default:
		return d->second;
	}
}

static int
get_max(int id, const struct tm_fields *d)
{
	if (id == CRON_DAY)
		return tz_days_in_month(d->year, d->month);
	return field_max[id];
}

static int
step_up(int value, int min, int step)
{
	if (step == 0)
		return value;
	return value + ((step - (value - min)) % step + step) % step;
}

static int
expr_next(const struct cron_expr *e, int id, const struct tm_fields *d)
{
	int start = get_value(id, d), min = field_min[id];
	int max = get_max(id, d), next, first_wd, last_day, hit, target;

	switch (e->kind) {
	case EXPR_ALL:
		next = step_up(start > min ? start : min, min, e->step);
		return next <= max ? next : CRON_NONE;
	case EXPR_RANGE:
		if (e->first > min)
			min = e->first;
		if (e->last != CRON_NONE && e->last < max)
			max = e->last;
		next = step_up(start > min ? start : min, min, e->step);
		return next <= max ? next : CRON_NONE;
	case EXPR_NTH:
		first_wd = tz_weekday(d->year, d->month, 1);
		last_day = tz_days_in_month(d->year, d->month);
		hit = e->weekday - first_wd + 1;
		if (hit <= 0)
			hit += 7;
		if (e->nth < 5)
			target = hit + e->nth * 7;
		else
			target = hit + (last_day - hit) / 7 * 7;
		return target <= last_day && target >= d->day ? target :
		    CRON_NONE;
	default:
		return tz_days_in_month(d->year, d->month);
	}
}

/* The smallest next value over a field's expressions. */
static int
field_next(const struct cron_field *f, int id, const struct tm_fields *d)
{
	int best = CRON_NONE, v;
	size_t i;

	for (i = 0; i < f->n; i++) {
		v = expr_next(&f->expr[i], id, d);
		if (v != CRON_NONE && (best == CRON_NONE || v < best))
			best = v;
	}
	return best;
}

static void
set_real(struct tm_fields *d, int id, int v)
{
	switch (id) {
	case CRON_YEAR: d->year = v; break;
	case CRON_MONTH: d->month = v; break;
	case CRON_DAY: d->day = v; break;
	case CRON_HOUR: d->hour = v; break;
	case CRON_MINUTE: d->minute = v; break;
	default: d->second = v; break;
	}
}

/* _increment_field_value: bumps field fieldnum (or, when it is at its
 * maximum or not a real date field, the next coarser one) and resets the
 * finer ones.  Returns the field actually bumped, -1 past year 9999. */
static int
increment_field(struct tm_fields *d, int fieldnum)
{
	struct tm_fields out = *d;
	int i = 0, value;

	while (i < CRON_NFIELDS) {
		if (fieldnum < 0)
			return -1;
		if (!is_real(i)) {
			if (i == fieldnum) {
				fieldnum--;
				i--;
			} else
				i++;
			continue;
		}
		if (i < fieldnum)
			set_real(&out, i, get_value(i, d));
		else if (i > fieldnum)
			set_real(&out, i, field_min[i]);
		else {
			value = get_value(i, d);
			if (value == get_max(i, d)) {
				fieldnum--;
				i--;
				continue;
			}
			set_real(&out, i, value + 1);
		}
		i++;
	}
	*d = out;
	return fieldnum;
}

/* _set_field_value: sets one field, resets the finer ones. */
static void
set_field(struct tm_fields *d, int fieldnum, int value)
{
	int i;

	for (i = fieldnum + 1; i < CRON_NFIELDS; i++) {
		if (is_real(i))
			set_real(d, i, field_min[i]);
	}
	set_real(d, fieldnum, value);
}

static int
apscheduler_next(const struct cron *c, struct tm_fields *d, int64_t limit)
{
	int fieldnum = 0, cur, next;

	while (fieldnum >= 0 && fieldnum < CRON_NFIELDS) {
		cur = get_value(fieldnum, d);
		next = field_next(&c->f[fieldnum], fieldnum, d);
		if (next == CRON_NONE)
			fieldnum = increment_field(d, fieldnum - 1);
		else if (next > cur) {
			if (is_real(fieldnum)) {
				set_field(d, fieldnum, next);
				fieldnum++;
			} else
				fieldnum = increment_field(d, fieldnum);
		} else
			fieldnum++;
		if (fieldnum >= 0 && tz_fields_to_seconds(d) > limit)
			return -1;
	}
	return fieldnum >= 0 ? 0 : -1;
}

/* ---- Vixie crontab ---- */

struct vixie_field {
	const char *name;
	int min, max;
	const char *const *names;
	int name_base;		/* value of names[0] */
};

static const char *const vixie_weekdays[] = { "sun", "mon", "tue", "wed",
	"thu", "fri", "sat", NULL };

static const struct vixie_field vixie_fields[5] = {
	{ "minute", 0, 59, NULL, 0 },
	{ "hour", 0, 23, NULL, 0 },
	{ "day", 1, 31, NULL, 0 },
	{ "month", 1, 12, months, 1 },
	{ "day_of_week", 0, 7, vixie_weekdays, 0 },
};

static const char *
vixie_value(const struct vixie_field *vf, const char *p, int *out,
	    struct mgr_error *err, int *rc)
{
	const char *end;
	int idx;

	if (isdigit((unsigned char)*p)) {
		end = read_number(p, out);
		if (*out < vf->min || *out > vf->max)
			*rc = out_of_range(err, vf->name, p, end - p, vf->min,
			    vf->max);
		return end;
	}
	end = read_word(p);
	if (end == p || vf->names == NULL)
		return NULL;
	if ((idx = name_index(vf->names, p, end - p)) < 0)
		*rc = bad_name(err, vf->name, p, end - p, vf->names == months);
	*out = idx + vf->name_base;
	return end;
}

static int
vixie_bad(const struct vixie_field *vf, const char *item,
	  struct mgr_error *err)
{
	return mgr_error_set(err, MGR_EINVAL,
	    _("%s: \"%s\" is not a valid crontab expression (expected *, "
	    "*/N, A, A-B or A-B/N)"), vf->name, item);
}

/* One comma-separated item: "*", "a", "a-b", each with optional "/n". */
static int
vixie_item(const struct vixie_field *vf, const char *item, uint64_t *bits,
	   struct mgr_error *err)
{
	const char *p = item;
	int first, last, step = 1, v, rc = 0;

	if (*p == '*') {
		first = vf->min;
		last = vf->max;
		p++;
	} else {
		if ((p = vixie_value(vf, p, &first, err, &rc)) == NULL)
			return vixie_bad(vf, item, err);
		if (rc != 0)
			return rc;
		last = first;
		if (*p == '-') {
			p = vixie_value(vf, p + 1, &last, err, &rc);
			if (p == NULL)
				return vixie_bad(vf, item, err);
			if (rc != 0)
				return rc;
		} else if (*p == '/')
			last = vf->max;	/* "a/n" = "a-max/n", as croniter */
	}
	if (*p == '/') {
		if ((p = read_number(p + 1, &step)) == NULL)
			return vixie_bad(vf, item, err);
		if (step == 0) {
			return mgr_error_set(err, MGR_EINVAL,
			    _("%s: step in \"%s\" must be at least 1"), vf->name,
			    item);
		}
	}
	if (*p != '\0')
		return vixie_bad(vf, item, err);
	if (first > last) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("%s: range \"%s\" is reversed (first is greater than "
		    "last)"), vf->name, item);
	}
	for (v = first; v <= last; v += step)
		*bits |= UINT64_C(1) << v;
	return 0;
}

static int
vixie_field(const struct vixie_field *vf, const char *text, uint64_t *bits,
	    struct mgr_error *err)
{
	char *copy, *item, *save = NULL;
	int rc = 0;

	if (has_empty_item(text))
		return empty_item(err, vf->name, text);
	if ((copy = strdup(text)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	*bits = 0;
	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save))
		rc = vixie_item(vf, item, bits, err);
	if (rc == 0 && *bits == 0)
		rc = vixie_bad(vf, text, err);
	free(copy);
	return rc;
}

static const char *
crontab_alias(const char *line, int *reboot)
{
	static const char *const aliases[][2] = {
		{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
		{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
		{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
		{ "@hourly", "0 * * * *" }, { "@reboot", "0 0 1 1 *" },
	};
	size_t i;

	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (strcasecmp(line, aliases[i][0]) == 0) {
			*reboot = strcasecmp(line, "@reboot") == 0;
			return aliases[i][1];
		}
	}
	return NULL;
}

static int
crontab_fields(struct cron *c, char *line, struct mgr_error *err)
{
	char *tok[6], *save = NULL, *p;
	uint64_t bits[5];
	int n = 0, i, rc;

	for (p = strtok_r(line, " \t", &save); p != NULL && n < 6;
	    p = strtok_r(NULL, " \t", &save))
		tok[n++] = p;
	if (n != 5) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("crontab: expected 5 fields (minute hour day month "
		    "day_of_week), got %s%d"), n == 6 ? _("more than ") : "",
		    n == 6 ? 5 : n);
	}
	for (i = 0; i < 5; i++) {
		if ((rc = vixie_field(&vixie_fields[i], tok[i], &bits[i],
		    err)) != 0)
			return rc;
	}
	c->minute = bits[0];
	c->hour = (uint32_t)bits[1];
	c->dom = (uint32_t)bits[2];
	c->month = (uint16_t)bits[3];
	/* 7 is Sunday too. */
	c->dow = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7f);
	c->dom_star = tok[2][0] == '*';
	c->dow_star = tok[4][0] == '*';
	c->wild = tok[0][0] == '*' || tok[1][0] == '*';
	return 0;
}

int
cron_parse_crontab(const char *line, struct cron **out, int *reboot,
		   struct mgr_error *err)
{
	struct cron *c;
	const char *text;
	char *copy;
	int rc;

	*out = NULL;
	*reboot = 0;
	while (*line == ' ' || *line == '\t')
		line++;
	text = line;
	if (*line == '@' && (text = crontab_alias(line, reboot)) == NULL) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("crontab: \"%s\" is not a known alias (@yearly, "
		    "@annually, @monthly, @weekly, @daily, @midnight, @hourly, "
		    "@reboot)"), line);
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	if ((copy = strdup(text)) == NULL) {
		free(c);
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	}
	c->vixie = 1;
	c->never = *reboot;
	rc = crontab_fields(c, copy, err);
	free(copy);
	if (rc != 0) {
		cron_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static int
vixie_day_matches(const struct cron *c, const struct tm_fields *d)
{
	int dom_ok = (c->dom >> d->day) & 1;
	int dow_ok = (c->dow >> ((tz_weekday(d->year, d->month, d->day) + 1)
	    % 7)) & 1;

	/* Both restricted: either may match (Vixie's DOM_STAR/DOW_STAR). */
	if (c->dom_star || c->dow_star)
		return dom_ok && dow_ok;
	return dom_ok || dow_ok;
}

static int
vixie_next(const struct cron *c, struct tm_fields *d, int64_t limit)
{
	int64_t s = tz_fields_to_seconds(d);

	/* Whole minutes only: round up. */
	if (d->second != 0)
		s += 60 - d->second;
	for (;;) {
		tz_seconds_to_fields(s, d);
		if (s > limit || d->year > CRON_MAX_YEAR)
			return -1;
		if (!((c->month >> d->month) & 1)) {
			d->day = 1;
			d->hour = d->minute = 0;
			if (++d->month > 12) {
				d->month = 1;
				d->year++;
			}
			s = tz_fields_to_seconds(d);
		} else if (!vixie_day_matches(c, d))
			s += 86400 - (d->hour * 3600 + d->minute * 60);
		else if (!((c->hour >> d->hour) & 1))
			s += 3600 - d->minute * 60;
		else if (!((c->minute >> d->minute) & 1))
			s += 60;
		else
			return 0;
	}
}

int
cron_is_wildcard(const struct cron *c)
{
	return c->wild;
}

/* 1 if the year field takes every year ("*", the default). */
static int
any_year(const struct cron *c)
{
	const struct cron_field *y = &c->f[CRON_YEAR];

	return c->vixie || (y->n == 1 && y->expr[0].kind == EXPR_ALL &&
	    y->expr[0].step <= 1);
}

int
cron_next_wall(const struct cron *c, struct tm_fields *wall, int64_t limit)
{
	/* Everything but the year repeats with the Gregorian calendar's
	 * 400-year cycle (146097 days, a whole number of weeks, so ISO
	 * weeks and weekdays repeat too).  Fields that can never meet
	 * (day=31 month=2, day=15 week=4) would otherwise be searched up to
	 * year 9999, some 30 ms of the engine's loop each time. */
	const int64_t cycle = INT64_C(146097) * 86400 + 86400;
	int64_t from = tz_fields_to_seconds(wall);

	if (c->never)
		return -1;
	if (any_year(c) && from < limit - cycle)
		limit = from + cycle;
	if (c->vixie)
		return vixie_next(c, wall, limit);
	return apscheduler_next(c, wall, limit);
}
