/* cron_aps.c - APScheduler's CronTrigger fields.
 *
 * A close port of apscheduler/triggers/cron (3.9): the same expression
 * kinds, validation and field-by-field search, so schedules carried over
 * from the Python seed fire at the same times.  It runs on wall times
 * only; DST is trigger.c's business.  The parsed fields are kept as sets
 * where they can be (struct cron_aps), which the search reads in one bit
 * operation where APScheduler walks the expressions.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cron_impl.h"
#include "error.h"
#include "i18n.h"

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
static const char *const positions[] = { "1st", "2nd", "3rd", "4th", "5th",
	"last", NULL };

/* ---- APScheduler expressions ---- */

/* A number or (for month and day_of_week) a name at p. */
static const char *
read_value(int id, const char *p, int *out, struct mgr_error *err, int *rc)
{
	const char *end;
	int idx;

	if (isdigit((unsigned char)*p)) {
		end = cron_read_number(p, out);
		if (*out > field_max[id] || *out < field_min[id])
			*rc = cron_out_of_range(err, field_names[id], p,
			    end - p,
			    field_min[id], field_max[id]);
		return end;
	}
	end = cron_read_word(p);
	if (end == p || (id != CRON_MONTH && id != CRON_DOW))
		return NULL;
	idx = cron_name_index(id == CRON_MONTH ? cron_months : weekdays, p,
	    end - p);
	if (idx < 0)
		*rc = cron_bad_name(err, field_names[id], p, end - p,
		    id == CRON_MONTH);
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
	if ((pos = cron_name_index(positions, item, p - item)) < 0)
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
	if ((wd = cron_name_index(weekdays, w, len)) < 0) {
		*rc = cron_bad_name(err, "day", w, len, 0);
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
	if (*p != '/' || (end = cron_read_number(p + 1, &e->step)) == NULL ||
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
static int
parse_field(struct cron_field *f, int id, const char *text,
	    struct mgr_error *err)
{
	char *copy, *item, *save = NULL, *end;
	struct cron_expr *grown;
	int rc = 0;

	if (cron_has_empty_item(text))
		return cron_empty_item(err, field_names[id], text);
	if ((copy = strdup(text)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		grown = realloc(f->expr, (f->n + 1) * sizeof *grown);
		if (grown == NULL) {
			rc = mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
			break;
		}
		f->expr = grown;
		if ((rc = parse_expr(id, item, &grown[f->n], err)) != 0)
			break;
		f->n++;
	}
	if (rc == 0 && f->n == 0)
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

/* The values an expression names, as bits; 0 for "last" and "2nd fri",
 * whose days differ from month to month.  A range is stepped from its
 * first value and cut at the month's length by the search, as
 * expr_next does. */
static uint64_t
expr_bits(int id, const struct cron_expr *e)
{
	int lo = field_min[id], hi = field_max[id], step, v;
	uint64_t bits = 0;

	if (e->kind == EXPR_RANGE) {
		if (e->first > lo)
			lo = e->first;
		if (e->last != CRON_NONE && e->last < hi)
			hi = e->last;
	} else if (e->kind != EXPR_ALL)
		return 0;
	step = e->step > 0 ? e->step : 1;
	for (v = lo; v <= hi; v += step)
		bits |= UINT64_C(1) << v;
	return bits;
}

/* 1 if field id can be a set (*bits; the year: any year), 0 if it
 * needs its expressions. */
static int
field_bits(int id, const struct cron_field *f, uint64_t *bits)
{
	size_t i;

	*bits = 0;
	for (i = 0; i < f->n; i++) {
		const struct cron_expr *e = &f->expr[i];

		if (id == CRON_YEAR) {
			if (e->kind != EXPR_ALL || e->step > 1)
				return 0;
		} else if (e->kind != EXPR_ALL && e->kind != EXPR_RANGE)
			return 0;
		else
			*bits |= expr_bits(id, e);
	}
	return 1;
}

static void
fields_free(struct cron_field *f)
{
	int id;

	for (id = 0; id < CRON_NFIELDS; id++)
		free(f[id].expr);
}

void
cron_aps_free(struct cron_aps *a)
{
	if (a->f != NULL)
		fields_free(a->f);
	free(a->f);
}

/* Sets a from the parsed fields f, taking the expressions of the fields
 * that stay expressions (all of them unless compact). */
static int
aps_compile(struct cron_aps *a, struct cron_field *f, int compact,
	    struct mgr_error *err)
{
	int id;

	for (id = 0; id < CRON_NFIELDS; id++) {
		if (!compact || !field_bits(id, &f[id], &a->bits[id]))
			a->exprs |= 1u << id;
	}
	if (a->exprs == 0)
		return 0;
	if ((a->f = calloc(CRON_NFIELDS, sizeof *a->f)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	for (id = 0; id < CRON_NFIELDS; id++) {
		if (a->exprs & (1u << id)) {
			a->f[id] = f[id];
			f[id] = (struct cron_field){ 0, NULL };
		}
	}
	return 0;
}

int
cron_aps_parse(const char *const values[CRON_NFIELDS], int compact,
	       struct cron **out, struct mgr_error *err)
{
	struct cron_field f[CRON_NFIELDS] = { { 0, NULL } };
	struct cron *c;
	const char *text;
	int id, last_set = -1, rc = 0;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	for (id = 0; id < CRON_NFIELDS; id++) {
		if (values[id] != NULL)
			last_set = id;
	}
	for (id = 0; id < CRON_NFIELDS && rc == 0; id++) {
		/* Coarser than the finest set field: "*"; finer: minimum. */
		if (values[id] != NULL)
			text = values[id];
		else if (last_set >= 0 && id > last_set)
			text = field_default[id];
		else
			text = "*";
		rc = parse_field(&f[id], id, text, err);
		if (id == CRON_HOUR || id == CRON_MINUTE)
			c->wild |= starts_with_star(text);
	}
	if (rc == 0)
		rc = aps_compile(&c->a, f, compact, err);
	fields_free(f);
	if (rc != 0) {
		cron_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int
cron_parse_fields(const char *const values[CRON_NFIELDS], struct cron **out,
		  struct mgr_error *err)
{
	return cron_aps_parse(values, 1, out, err);
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

/* The lowest set bit at or above from, or CRON_NONE. */
static int
next_bit(uint64_t bits, int from)
{
	if (from > 63)
		return CRON_NONE;
	bits &= ~UINT64_C(0) << from;
	return bits != 0 ? __builtin_ctzll(bits) : CRON_NONE;
}

/* The smallest next value of field id: from its set, else over its
 * expressions. */
static int
field_next(const struct cron_aps *a, int id, const struct tm_fields *d)
{
	const struct cron_field *f;
	int best = CRON_NONE, v, max;
	size_t i;

	if (!(a->exprs & (1u << id))) {
		v = get_value(id, d);
		if (v < field_min[id])
			v = field_min[id];
		if (id == CRON_YEAR)
			return v <= field_max[id] ? v : CRON_NONE;
		max = get_max(id, d);
		return next_bit(a->bits[id] & ((UINT64_C(2) << max) - 1), v);
	}
	f = &a->f[id];
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

int
cron_aps_next(const struct cron *c, struct tm_fields *d, int64_t limit)
{
	int fieldnum = 0, cur, next;

	while (fieldnum >= 0 && fieldnum < CRON_NFIELDS) {
		cur = get_value(fieldnum, d);
		next = field_next(&c->a, fieldnum, d);
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
