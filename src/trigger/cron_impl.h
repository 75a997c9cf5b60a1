/* cron_impl.h - what the cron_*.c files share (private to them).
 *
 * A struct cron holds one of two representations: APScheduler's fields
 * (cron_aps.c), each a set of values or, where a set cannot say it, a
 * list of expressions; or bit sets with the day extensions of
 * crontab=/quartz= lines (cron_tab.c parses them, cron_bits.c searches
 * them without allocating).
 */
#ifndef MGR_CRON_IMPL_H
#define MGR_CRON_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "cron.h"

struct mgr_error;

#define CRON_NONE (-1)		/* "no value", APScheduler's None */
#define CRON_MAX_YEAR 9999
#define CRON_YEAR_BASE 1970	/* bit 0 of cron_bits.year */
#define CRON_YEAR_WORDS 4	/* years 1970-2225 */

/* One APScheduler expression (cron_aps.c). */
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

/* A crontab or Quartz line as sets.  Days of the month are resolved per
 * month (cron_bits.c) from the plain set and the extensions. */
struct cron_bits {
	uint64_t second, minute;
	uint64_t year[CRON_YEAR_WORDS];
	uint32_t hour;
	uint32_t dom;		/* bit d: day d */
	uint32_t dom_last;	/* bit k: "L-k" (k = 0: "L") */
	uint32_t dom_lastw;	/* bit k: "L-kW" (k = 0: "LW") */
	uint32_t dom_w;		/* bit d: "dW" */
	uint16_t month;		/* bit m: month m */
	uint8_t dow;		/* bit 0 = Sunday */
	uint8_t dow_last;	/* weekdays with "dL" */
	uint8_t dow_nth[5];	/* dow_nth[n - 1]: weekdays with "d#n" */
	uint8_t any_year;	/* no year field, or "*" */
	/* Day of month or of week is "*" or "?": the other one alone
	 * decides (Vixie's DOM_STAR/DOW_STAR); else either may match. */
	uint8_t dom_star, dow_star;
};	/* 80 bytes on x86-64, as struct cron_aps: the union's size */

/* APScheduler fields as sets: a field whose expressions are all "*",
 * values, ranges and steps is bits[id] (bit v: value v), as these name
 * the same values in every month; only the others (the day field's
 * "last" and "2nd fri", a year other than "*": 1970-9999 is no word)
 * keep their expressions, f[id], searched as APScheduler does.  A task
 * holds its trigger for as long as the engine runs, so the common case
 * allocates nothing beyond struct cron (issue 18, bytes per task). */
struct cron_aps {
	uint64_t bits[CRON_NFIELDS];	/* bits[CRON_YEAR] unused */
	unsigned exprs;			/* bit id: field id is f[id] */
	struct cron_field *f;		/* CRON_NFIELDS, or NULL (exprs 0) */
};

struct cron {
	unsigned char bitset;	/* crontab= or quartz=: b is used, else a */
	unsigned char never;	/* @reboot */
	unsigned char wild;	/* minute or hour starts with '*' (Vixie) */
	unsigned char hashed;	/* an H was resolved from the seed */
	union {
		struct cron_aps a;	/* APScheduler */
		struct cron_bits b;
	};
};

/* Token helpers (cron.c). */
int cron_name_index(const char *const *names, const char *s, size_t len);
const char *cron_read_number(const char *p, int *out);
const char *cron_read_word(const char *p);
int cron_out_of_range(struct mgr_error *err, const char *field,
		      const char *tok, size_t len, int min, int max);
int cron_bad_name(struct mgr_error *err, const char *field, const char *tok,
		  size_t len, int is_month);
int cron_has_empty_item(const char *text);
int cron_empty_item(struct mgr_error *err, const char *field,
		    const char *text);
extern const char *const cron_months[];

/* cron_parse_fields, keeping every field's expressions when compact is
 * 0: the form the sets must agree with (tests/unit/test_cron.c). */
int cron_aps_parse(const char *const values[CRON_NFIELDS], int compact,
		   struct cron **out, struct mgr_error *err);
void cron_aps_free(struct cron_aps *a);

/* Searches (cron_aps.c, cron_bits.c); same contract as cron_next_wall. */
int cron_aps_next(const struct cron *c, struct tm_fields *d, int64_t limit);
int cron_bits_next(const struct cron *c, struct tm_fields *d, int64_t limit);

#endif
