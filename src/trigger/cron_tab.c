/* cron_tab.c - crontab= and quartz= lines into sets (cron_bits.c).
 *
 * crontab=: Vixie's five fields or six with seconds first (cron-parser,
 * Spring, robfig's WithSeconds), day_of_week 0-7 with 0 and 7 Sunday,
 * plus "?", "L", "L-n", "nW", "LW", "dL", "d#n", wrap-around ranges
 * ("fri-mon", "22-2") and Jenkins' hashed "H".  quartz=: Quartz's six or
 * seven fields (second ... day_of_week 1-7 = SUN-SAT, year) with its own
 * rules for "?" and its refusals.  Names in any case in both.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cron_impl.h"
#include "error.h"
#include "i18n.h"

enum tab_kind { K_SEC, K_MIN, K_HOUR, K_DOM, K_MON, K_DOW, K_YEAR };

struct tab_field {
	const char *name;
	enum tab_kind kind;
	int min, max;		/* values as written */
	int period;		/* wrap-around ranges go modulo this; 0: no */
	const char *const *names;
	int name_base;		/* value of names[0] */
	int step_max;		/* Quartz's largest increment; 0: any */
	int hash_max;		/* H's top (Jenkins: day 28, weekday 6) */
};

static const char *const sun_names[] = { "sun", "mon", "tue", "wed", "thu",
	"fri", "sat", NULL };

static const struct tab_field crontab_fields[6] = {
	{ "second", K_SEC, 0, 59, 60, NULL, 0, 0, 59 },
	{ "minute", K_MIN, 0, 59, 60, NULL, 0, 0, 59 },
	{ "hour", K_HOUR, 0, 23, 24, NULL, 0, 0, 23 },
	{ "day", K_DOM, 1, 31, 31, NULL, 0, 0, 28 },
	{ "month", K_MON, 1, 12, 12, cron_months, 1, 0, 12 },
	{ "day_of_week", K_DOW, 0, 7, 7, sun_names, 0, 0, 6 },
};

static const struct tab_field quartz_fields[7] = {
	{ "second", K_SEC, 0, 59, 60, NULL, 0, 59, 0 },
	{ "minute", K_MIN, 0, 59, 60, NULL, 0, 59, 0 },
	{ "hour", K_HOUR, 0, 23, 24, NULL, 0, 23, 0 },
	{ "day", K_DOM, 1, 31, 31, NULL, 0, 31, 0 },
	{ "month", K_MON, 1, 12, 12, cron_months, 1, 12, 0 },
	{ "day_of_week", K_DOW, 1, 7, 7, sun_names, 1, 7, 0 },
	{ "year", K_YEAR, 1970, 2099, 0, NULL, 0, 0, 0 },
};

/* One line being compiled. */
struct tab_ctx {
	int quartz;
	const char *seed;	/* H's task id */
	struct cron_bits *b;
	struct mgr_error *err;
	int field;		/* index of the field, for H */
	int item;		/* index of the item in its field, for H */
	int special;		/* items with L, W or # in this field */
	int hashed;		/* an H was seen */
};

/* ---- errors ---- */

static const char *
forms(const struct tab_ctx *x, const struct tab_field *f)
{
	if (f->kind == K_DOM)
		return x->quartz ? _("?, *, */N, A, A-B, A-B/N, L, L-N, NW or "
		    "LW") : _("*, ?, */N, A, A-B, A-B/N, L, L-N, NW, LW or H");
	if (f->kind == K_DOW)
		return x->quartz ? _("?, *, */N, A, A-B, A-B/N, L, DL or D#N") :
		    _("*, ?, */N, A, A-B, A-B/N, DL, D#N or H");
	/* The crontab text is Vixie's, as before the extensions. */
	return x->quartz ? _("*, */N, A, A-B, A/N or A-B/N") :
	    _("*, */N, A, A-B or A-B/N");
}

static int
bad_item(const struct tab_ctx *x, const struct tab_field *f, const char *item)
{
	if (x->quartz) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("%s: \"%s\" is not a valid Quartz expression (expected "
		    "%s)"), f->name, item, forms(x, f));
	}
	return mgr_error_set(x->err, MGR_EINVAL,
	    _("%s: \"%s\" is not a valid crontab expression (expected %s)"),
	    f->name, item, forms(x, f));
}

static int
bad_step(const struct tab_ctx *x, const struct tab_field *f,
	 const char *item, int step, int span)
{
	return mgr_error_set(x->err, MGR_EINVAL,
	    _("%s: step %d in \"%s\" is larger than the range (%d)"), f->name,
	    step, item, span);
}

/* ---- values ---- */

static void
set_value(struct cron_bits *b, const struct tab_field *f, int v)
{
	switch (f->kind) {
	case K_SEC: b->second |= UINT64_C(1) << v; break;
	case K_MIN: b->minute |= UINT64_C(1) << v; break;
	case K_HOUR: b->hour |= UINT32_C(1) << v; break;
	case K_DOM: b->dom |= UINT32_C(1) << v; break;
	case K_MON: b->month |= (uint16_t)(1u << v); break;
	case K_DOW: b->dow |= (uint8_t)(1u << (v - f->name_base) % 7); break;
	default:
		v -= CRON_YEAR_BASE;
		b->year[v / 64] |= UINT64_C(1) << (v % 64);
		break;
	}
}

/* first..last by step; a range that runs backwards wraps around the
 * field's cycle ("fri-mon", "22-2", "nov-feb"), as Quartz counts it. */
static int
add_range(const struct tab_ctx *x, const struct tab_field *f,
	  const char *item, int first, int last, int step)
{
	int v;

	if (first > last) {
		if (f->period == 0) {
			return mgr_error_set(x->err, MGR_EINVAL,
			    _("%s: range \"%s\" is reversed (first is greater "
			    "than last)"), f->name, item);
		}
		last += f->period;
	}
	for (v = first; v <= last; v += step)
		set_value(x->b, f, v > f->max ? v - f->period : v);
	return 0;
}

/* A number or a name at p (a weekday name may be followed by "L",
 * "friL", which is left after the returned end).  Returns the end, NULL
 * if p holds neither; *rc is set for a value out of range or an unknown
 * name. */
static const char *
read_value(const struct tab_ctx *x, const struct tab_field *f, const char *p,
	   int *out, int *rc)
{
	const char *end;
	size_t len;
	int idx;

	if (isdigit((unsigned char)*p)) {
		end = cron_read_number(p, out);
		if (*out < f->min || *out > f->max)
			*rc = cron_out_of_range(x->err, f->name, p, end - p,
			    f->min, f->max);
		return end;
	}
	end = cron_read_word(p);
	if (end == p || f->names == NULL)
		return NULL;
	len = end - p;
	if (f->kind == K_DOW && len == 4 && (p[3] == 'L' || p[3] == 'l'))
		len = 3;	/* "friL": the last Friday */
	if ((idx = cron_name_index(f->names, p, len)) < 0)
		*rc = cron_bad_name(x->err, f->name, p, len, f->kind == K_MON);
	*out = idx + f->name_base;
	return p + len;
}

/* "/N" at p (or nothing): *step; returns the end or NULL. */
static const char *
read_step(const struct tab_ctx *x, const struct tab_field *f,
	  const char *item, const char *p, int *step, int *rc)
{
	if (*p != '/')
		return p;
	if ((p = cron_read_number(p + 1, step)) == NULL)
		return NULL;
	if (*step == 0) {
		*rc = mgr_error_set(x->err, MGR_EINVAL,
		    _("%s: step in \"%s\" must be at least 1"), f->name, item);
	} else if (x->quartz && f->step_max != 0 && *step > f->step_max)
		*rc = bad_step(x, f, item, *step, f->step_max);
	return p;
}

/* ---- Jenkins' H ---- */

static uint64_t
mix64(uint64_t z)
{
	z += UINT64_C(0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The H of this field and item for the task id: FNV-1a of the id, mixed
 * with the field's and the item's position (doc/SCHEDULER.md). */
static unsigned
hash_value(const struct tab_ctx *x, unsigned n)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	const unsigned char *s = (const unsigned char *)(x->seed != NULL ?
	    x->seed : "");

	for (; *s != '\0'; s++)
		h = (h ^ *s) * UINT64_C(0x100000001b3);
	h = mix64(h ^ ((uint64_t)x->field << 32 | (unsigned)x->item));
	return (unsigned)(h % n);
}

/* "H", "H/n", "H(a-b)", "H(a-b)/n". */
static int
hash_item(struct tab_ctx *x, const struct tab_field *f, const char *item)
{
	const char *p = item + 1;
	int lo = f->min, hi = f->hash_max, step = 0, rc = 0, v;

	if (*p == '(') {
		if ((p = read_value(x, f, p + 1, &lo, &rc)) == NULL ||
		    rc != 0 || *p != '-' ||
		    (p = read_value(x, f, p + 1, &hi, &rc)) == NULL ||
		    rc != 0 || *p++ != ')')
			return rc != 0 ? rc : bad_item(x, f, item);
		if (lo > hi) {
			return mgr_error_set(x->err, MGR_EINVAL,
			    _("%s: range \"%s\" is reversed (first is greater "
			    "than last)"), f->name, item);
		}
	}
	if ((p = read_step(x, f, item, p, &step, &rc)) == NULL || *p != '\0')
		return bad_item(x, f, item);
	if (rc != 0)
		return rc;
	if (step > hi - lo + 1)
		return bad_step(x, f, item, step, hi - lo + 1);
	if (step == 0) {
		set_value(x->b, f, lo + (int)hash_value(x, hi - lo + 1));
		return 0;
	}
	for (v = lo + (int)hash_value(x, step); v <= hi; v += step)
		set_value(x->b, f, v);
	return 0;
}

/* ---- day extensions ---- */

/* "L", "L-n", "LW", "L-nW" in day. */
static int
last_day_item(struct tab_ctx *x, const struct tab_field *f, const char *item)
{
	const char *p = item + 1;
	int off = 0;

	if (*p == '-' && (p = cron_read_number(p + 1, &off)) == NULL)
		return bad_item(x, f, item);
	if (off > 30) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("%s: \"%s\": the offset from the last day is at most 30"),
		    f->name, item);
	}
	if (*p == 'W' || *p == 'w') {
		if (p[1] != '\0')
			return bad_item(x, f, item);
		x->b->dom_lastw |= UINT32_C(1) << off;
	} else if (*p == '\0')
		x->b->dom_last |= UINT32_C(1) << off;
	else
		return bad_item(x, f, item);
	x->special++;
	return 0;
}

/* After a weekday value v: "L" (the last such day of the month) or "#n"
 * (the n-th); p points past v.  Returns 1 if one was taken. */
static int
weekday_suffix(struct tab_ctx *x, const struct tab_field *f,
	       const char *item, const char *p, int v, int *rc)
{
	int wd = (v - f->name_base) % 7, n;

	if ((*p == 'L' || *p == 'l') && p[1] == '\0') {
		x->b->dow_last |= (uint8_t)(1u << wd);
	} else if (*p == '#') {
		if (cron_read_number(p + 1, &n) == NULL ||
		    *cron_read_number(p + 1, &n) != '\0' || n < 1 || n > 5) {
			*rc = mgr_error_set(x->err, MGR_EINVAL,
			    _("%s: \"%s\": \"#\" must be followed by a number "
			    "from 1 to 5"), f->name, item);
			return 1;
		}
		x->b->dow_nth[n - 1] |= (uint8_t)(1u << wd);
	} else
		return 0;
	x->special++;
	return 1;
}

/* ---- items and fields ---- */

static int
value_item(struct tab_ctx *x, const struct tab_field *f, const char *item)
{
	const char *p;
	int first, last, step = 1, rc = 0;

	if ((p = read_value(x, f, item, &first, &rc)) == NULL)
		return bad_item(x, f, item);
	if (rc != 0)
		return rc;
	if (f->kind == K_DOM && (*p == 'W' || *p == 'w') && p[1] == '\0') {
		x->b->dom_w |= UINT32_C(1) << first;
		x->special++;
		return 0;
	}
	if (f->kind == K_DOW && weekday_suffix(x, f, item, p, first, &rc))
		return rc;
	last = first;
	if (*p == '-') {
		if ((p = read_value(x, f, p + 1, &last, &rc)) == NULL)
			return bad_item(x, f, item);
		if (rc != 0)
			return rc;
	} else if (*p == '/')
		last = f->max;	/* "a/n" = "a-max/n" (croniter, Quartz) */
	if ((p = read_step(x, f, item, p, &step, &rc)) == NULL || *p != '\0')
		return bad_item(x, f, item);
	if (rc != 0)
		return rc;
	return add_range(x, f, item, first, last, step);
}

static int
tab_item(struct tab_ctx *x, const struct tab_field *f, const char *item)
{
	const char *p;
	int step = 1, rc = 0;

	if (item[0] == '?' && item[1] == '\0' &&
	    (f->kind == K_DOM || f->kind == K_DOW))
		return add_range(x, f, item, f->min, f->max, 1);
	if (*item == '*') {
		if ((p = read_step(x, f, item, item + 1, &step, &rc)) == NULL ||
		    *p != '\0')
			return bad_item(x, f, item);
		return rc != 0 ? rc : add_range(x, f, item, f->min, f->max,
		    step);
	}
	if (*item == 'H' && !x->quartz) {
		x->hashed = 1;
		return hash_item(x, f, item);
	}
	if (f->kind == K_DOM && (*item == 'L' || *item == 'l'))
		return last_day_item(x, f, item);
	/* Quartz: "L" alone in day_of_week is Saturday; crontab= has no
	 * such reading (cron-parser and croniter differ on it). */
	if (f->kind == K_DOW && (*item == 'L' || *item == 'l') &&
	    item[1] == '\0')
		return x->quartz ? add_range(x, f, item, 7, 7, 1) :
		    bad_item(x, f, item);
	return value_item(x, f, item);
}

static int
tab_field(struct tab_ctx *x, const struct tab_field *f, const char *text)
{
	char *copy, *item, *save = NULL;
	int rc = 0;

	if (cron_has_empty_item(text))
		return cron_empty_item(x->err, f->name, text);
	if (strchr(text, '?') != NULL) {
		if (f->kind != K_DOM && f->kind != K_DOW)
			return mgr_error_set(x->err, MGR_EINVAL,
			    _("%s: \"%s\": \"?\" is only for day and "
			    "day_of_week"), f->name, text);
		if (strcmp(text, "?") != 0)
			return mgr_error_set(x->err, MGR_EINVAL,
			    _("%s: \"%s\": \"?\" must be the whole field"),
			    f->name, text);
	}
	if ((copy = strdup(text)) == NULL)
		return mgr_error_set(x->err, MGR_ENOMEM, _("out of memory"));
	x->item = 0;
	x->special = 0;
	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save), x->item++)
		rc = tab_item(x, f, item);
	free(copy);
	/* Quartz reads only the first weekday of a list with "L" or "#",
	 * and refuses "L" and "W" in a list of days: so do we. */
	if (rc == 0 && x->quartz && x->special > 0 && x->item > 1) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("%s: \"%s\": Quartz takes L, W and # only alone in "
		    "the field"), f->name, text);
	}
	return rc;
}

/* ---- lines ---- */

/* Splits at blanks; returns the count, max + 1 if there are more. */
static int
split_line(char *line, char **tok, int max)
{
	char *p, *save = NULL;
	int n = 0;

	for (p = strtok_r(line, " \t", &save); p != NULL && n <= max;
	    p = strtok_r(NULL, " \t", &save))
		tok[n++] = p;
	return n;
}

/* Compiles tok[0..n) against fields, then sets Vixie's flags from the
 * text: minute or hour begins with "*" (a wildcard job, for DST), day
 * or day_of_week is "*" or "?" (the other one alone decides). */
static int
compile(struct tab_ctx *x, struct cron *c, const struct tab_field *fields,
	char **tok, int n)
{
	int i, rc, m = -1;

	for (i = 0; i < n; i++) {
		x->field = fields[i].kind;
		if ((rc = tab_field(x, &fields[i], tok[i])) != 0)
			return rc;
		if (fields[i].kind == K_MIN)
			m = i;
	}
	c->wild = tok[m][0] == '*' || tok[m + 1][0] == '*';
	c->b.dom_star = tok[m + 2][0] == '*' || tok[m + 2][0] == '?';
	c->b.dow_star = tok[m + 4][0] == '*' || tok[m + 4][0] == '?';
	c->hashed = x->hashed;
	return 0;
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
crontab_line(struct tab_ctx *x, struct cron *c, char *line)
{
	char *tok[7];
	int n = split_line(line, tok, 6);

	if (n < 5) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("crontab: expected 5 fields (minute hour day month "
		    "day_of_week), got %d"), n);
	}
	if (n > 6) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("crontab: expected 5 fields (minute hour day month "
		    "day_of_week) or 6 (second first), got more than 6"));
	}
	c->b.any_year = 1;
	if (n == 5) {
		c->b.second = 1;	/* at second 0 */
		return compile(x, c, crontab_fields + 1, tok, 5);
	}
	return compile(x, c, crontab_fields, tok, 6);
}

static int
quartz_line(struct tab_ctx *x, struct cron *c, char *line)
{
	char *tok[8];
	int n = split_line(line, tok, 7), rc;

	if (n < 6 || n > 7) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("quartz: expected 6 or 7 fields (second minute hour day "
		    "month day_of_week [year]), got %d"), n);
	}
	c->b.any_year = n == 6 || strcmp(tok[6], "*") == 0;
	if ((rc = compile(x, c, quartz_fields, tok, n)) != 0)
		return rc;
	/* Quartz: "Support for specifying both a day-of-week AND a
	 * day-of-month parameter is not implemented." */
	if ((strcmp(tok[3], "?") == 0) == (strcmp(tok[5], "?") == 0)) {
		return mgr_error_set(x->err, MGR_EINVAL,
		    _("quartz: exactly one of day (\"%s\") and day_of_week "
		    "(\"%s\") must be \"?\""), tok[3], tok[5]);
	}
	return 0;
}

static int
parse_line(const char *text, int quartz, const char *seed, int reboot,
	   struct cron **out, struct mgr_error *err)
{
	struct tab_ctx x = { .quartz = quartz, .seed = seed, .err = err };
	struct cron *c;
	char *copy;
	int rc;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	if ((copy = strdup(text)) == NULL) {
		free(c);
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	}
	c->bitset = 1;
	c->never = reboot;
	x.b = &c->b;
	rc = quartz ? quartz_line(&x, c, copy) : crontab_line(&x, c, copy);
	free(copy);
	if (rc != 0) {
		cron_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int
cron_parse_crontab(const char *line, const char *seed, struct cron **out,
		   int *reboot, struct mgr_error *err)
{
	const char *text;

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
	return parse_line(text, 0, seed, *reboot, out, err);
}

int
cron_parse_quartz(const char *line, struct cron **out, struct mgr_error *err)
{
	*out = NULL;
	return parse_line(line, 1, NULL, 0, out, err);
}

int
cron_is_hashed(const struct cron *c)
{
	return c->hashed;
}
