/* cron.h - cron expressions in wall-clock time (private to trigger.c).
 *
 * Three dialects: APScheduler's CronTrigger fields (year ... second, with
 * "last", "2nd fri", day_of_week 0 = Monday); crontab lines (Vixie's
 * "m h dom mon dow", 0 and 7 = Sunday, day-of-month OR day-of-week, or
 * six fields with seconds first, with the L, W, #, ? and H extensions);
 * and Quartz's "s m h dom mon dow [year]" (1-7 = SUN-SAT).  All search
 * wall times only; trigger.c maps them to instants, which is where
 * daylight saving is dealt with (see cron_is_wildcard).
 */
#ifndef MGR_CRON_H
#define MGR_CRON_H

#include <stdint.h>

#include "tz.h"

struct mgr_error;

enum cron_field_id {
	CRON_YEAR,
	CRON_MONTH,
	CRON_DAY,
	CRON_WEEK,
	CRON_DOW,
	CRON_HOUR,
	CRON_MINUTE,
	CRON_SECOND,
	CRON_NFIELDS
};

struct cron;

/* "year", "month", ... for a cron_field_id. */
const char *cron_field_name(int id);
/* The cron_field_id for a name, or -1. */
int cron_field_lookup(const char *name);

/* APScheduler fields: values[id] is the expression or NULL when unset;
 * unset fields get APScheduler's defaults. */
int cron_parse_fields(const char *const values[CRON_NFIELDS],
		      struct cron **out, struct mgr_error *err);
/* A crontab line (5 or 6 fields) or @alias.  *reboot is set for
 * "@reboot", which gives a cron that never matches.  seed (the task id;
 * NULL reads as "") picks the values of Jenkins' "H". */
int cron_parse_crontab(const char *line, const char *seed,
		       struct cron **out, int *reboot, struct mgr_error *err);
/* A Quartz expression (6 or 7 fields). */
int cron_parse_quartz(const char *line, struct cron **out,
		      struct mgr_error *err);
/* 1 if a crontab line had an "H" (its times depend on the seed). */
int cron_is_hashed(const struct cron *c);
void cron_free(struct cron *c);
/* For a holder that keeps its cron in its own allocation (a compact
 * trigger: one block instead of two, issue 18's bytes per task):
 * cron_size bytes, aligned as an int64_t; cron_move moves c there (c's
 * own block is freed, what c holds goes with it) and cron_clear frees
 * what a cron so kept holds, not its storage. */
size_t cron_size(void);
struct cron *cron_move(struct cron *c, void *mem);
void cron_clear(struct cron *c);

/* 1 if the minute or the hour field begins with '*' ("*", "*\/15"; for
 * APScheduler fields also the "*" an unset field coarser than the finest
 * one set gets): Vixie cron's "wildcard job" (MIN_STAR or HR_STAR), which
 * runs again through an hour that the clocks repeat.  Other jobs are
 * "fixed-time" and run once there. */
int cron_is_wildcard(const struct cron *c);

/* Moves *wall to the first matching wall time at or after it.  Gives up
 * (returns -1) once the wall time passes limit (wall seconds, see
 * tz_fields_to_seconds) or year 9999; returns 0 when found. */
int cron_next_wall(const struct cron *c, struct tm_fields *wall,
		   int64_t limit);

#endif
