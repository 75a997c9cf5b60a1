/* tz.h - time zones from TZif files, without touching the process's TZ.
 *
 * localtime() and tzset() read and write process-global state, which a
 * scheduler serving tasks in many zones at once cannot share.  This reader
 * loads one zone into a private object: the TZif transitions (v1, v2, v3)
 * and the POSIX TZ footer used for instants after the last transition.
 *
 * Also here: proleptic Gregorian calendar arithmetic, shared by the
 * trigger and time-formatting code.
 */
#ifndef MGR_TZ_H
#define MGR_TZ_H

#include <stdint.h>

struct mgr_error;
struct tz;

/* A civil (wall clock) time, no zone.  month 1-12, day 1-31. */
struct tm_fields {
	int year;
	int month;
	int day;
	int hour;
	int minute;
	int second;
};

/* tz_local_to_utc flags. */
enum {
	TZ_GAP = 1 << 0,	/* wall time skipped (clocks went forward) */
	TZ_FOLD = 1 << 1,	/* wall time repeated (clocks went back) */
};

/* Loads zone NAME ("Europe/Berlin") from $TZDIR or /usr/share/zoneinfo.
 * "UTC", "Etc/UTC", "GMT" and "Z" work without tzdata.  NULL or "local"
 * means $TZ (a zone name, a path, or a POSIX TZ string) or else
 * /etc/localtime.  Returns 0 or MGR_ENOENT / MGR_EINVAL. */
int tz_load(const char *name, struct tz **out, struct mgr_error *err);
void tz_free(struct tz *z);
/* A cache of loaded zones: each name is read from disk once for the
 * cache's life (the scheduler keeps one while it runs, so 100,000
 * triggers share one copy of /etc/localtime).  Zones are reference
 * counted, without locking: a cache and the zones it gave out belong to
 * one thread.  tz_cache_load with a NULL cache is tz_load; what it gives
 * is released with tz_free as usual. */
struct tz_cache;
struct tz_cache *tz_cache_new(void);
void tz_cache_free(struct tz_cache *c);
int tz_cache_load(struct tz_cache *c, const char *name, struct tz **out,
		  struct mgr_error *err);
/* The name given to (or found by) tz_load: "Europe/Berlin", "UTC". */
const char *tz_name(const struct tz *z);

/* Seconds east of UTC at a UTC instant. */
int tz_offset_at(const struct tz *z, int64_t unix_s);

/* Converts a wall time to UTC seconds.  A wall time that falls in a gap
 * gives the instant the gap ends (the first valid instant after it) and
 * sets TZ_GAP; a repeated one gives its first occurrence and sets TZ_FOLD.
 * flags may be NULL.  Returns 0, or MGR_EINVAL for fields out of range. */
int tz_local_to_utc(const struct tz *z, const struct tm_fields *wall,
		    int64_t *out_s, int *flags);

/* The first instant after unix_s (strictly) at which the offset may
 * change: sets *next and returns 1, or returns 0 when there is none.  A
 * TZif file may list a transition that keeps the offset. */
int tz_next_transition(const struct tz *z, int64_t unix_s, int64_t *next);

/* The wall time at a UTC instant. */
void tz_utc_to_local(const struct tz *z, int64_t unix_s, struct tm_fields *out);

/* Calendar arithmetic (proleptic Gregorian, any year). */
int64_t tz_days_from_civil(int64_t y, int m, int d);
void tz_civil_from_days(int64_t days, int *y, int *m, int *d);
int tz_is_leap(int64_t y);
int tz_days_in_month(int64_t y, int m);
/* 0 = Monday ... 6 = Sunday, as Python's weekday(). */
int tz_weekday(int64_t y, int m, int d);
/* ISO 8601 week number, 1-53. */
int tz_iso_week(int64_t y, int m, int d);
/* Wall time as seconds since 1970-01-01T00:00:00 (of that wall clock). */
int64_t tz_fields_to_seconds(const struct tm_fields *f);
void tz_seconds_to_fields(int64_t s, struct tm_fields *f);

#endif
