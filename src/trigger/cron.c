/* cron.c - cron expressions: what the dialects share, and the entry
 * points.  APScheduler fields are in cron_aps.c, crontab=/quartz= lines
 * in cron_tab.c (parsing) and cron_bits.c (search).
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
const char *const cron_months[] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec", NULL };

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
	cron_clear(c);
	free(c);
}

size_t
cron_size(void)
{
	return sizeof(struct cron);
}

struct cron *
cron_move(struct cron *c, void *mem)
{
	memcpy(mem, c, sizeof *c);
	free(c);
	return mem;
}

void
cron_clear(struct cron *c)
{
	if (c != NULL && !c->bitset)
		cron_aps_free(&c->a);
}

/* ---- shared token helpers ---- */

int
cron_name_index(const char *const *names, const char *s, size_t len)
{
	int i;

	for (i = 0; names[i] != NULL; i++) {
		if (strlen(names[i]) == len &&
		    strncasecmp(names[i], s, len) == 0)
			return i;
	}
	return -1;
}

/* Reads a decimal number; numbers too long to be a field value read as
 * INT_MAX so the range check reports them. */
const char *
cron_read_number(const char *p, int *out)
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

const char *
cron_read_word(const char *p)
{
	while (isalpha((unsigned char)*p))
		p++;
	return p;
}

int
cron_out_of_range(struct mgr_error *err, const char *field, const char *tok,
	     size_t len, int min, int max)
{
	return mgr_error_set(err, MGR_EINVAL,
	    _("%s: \"%.*s\" is out of range %d-%d"), field, (int)len, tok,
	    min, max);
}

int
cron_bad_name(struct mgr_error *err, const char *field, const char *tok,
	 size_t len, int is_month)
{
	if (is_month) {
		return mgr_error_set(err, MGR_EINVAL,
		    _("%s: \"%.*s\" is not a month name"), field, (int)len,
		    tok);
	}
	return mgr_error_set(err, MGR_EINVAL,
	    _("%s: \"%.*s\" is not a weekday name"), field, (int)len, tok);
}

/* 1 if a comma-separated list has an empty item ("1,,2", ",5", "5,"),
 * which strtok_r would silently skip. */
int
cron_has_empty_item(const char *text)
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

int
cron_empty_item(struct mgr_error *err, const char *field, const char *text)
{
	return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\" has an empty "
	    "item between commas"), field, text);
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
	const struct cron_field *y;

	if (c->bitset)
		return c->b.any_year;
	if (!(c->a.exprs & (1u << CRON_YEAR)))
		return 1;
	y = &c->a.f[CRON_YEAR];
	return y->n == 1 && y->expr[0].kind == EXPR_ALL && y->expr[0].step <= 1;
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
	if (c->bitset)
		return cron_bits_next(c, wall, limit);
	return cron_aps_next(c, wall, limit);
}
