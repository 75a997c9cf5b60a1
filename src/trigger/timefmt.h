/* timefmt.h - clock, ISO 8601 formatting and parsing in a given zone. */
#ifndef MGR_TIMEFMT_H
#define MGR_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

struct mgr_error;
struct tz;

#define MGR_US_PER_S INT64_C(1000000)
/* Room for "-123456-12-31T23:59:59.999999+14:00:00" and a NUL. */
#define TIMEFMT_ISO_MAX 48

/* Now as Unix microseconds (CLOCK_REALTIME). */
int64_t mgr_now_us(void);

/* Formats a Unix-microseconds instant as ISO 8601 in zone z (UTC if NULL):
 * "2026-03-02T09:00:00+01:00", with ".ffffff" only when the instant has
 * a fraction of a second and ":SS" in the offset only when it has
 * seconds.  Returns buf. */
char *timefmt_iso(char *buf, size_t len, int64_t us, const struct tz *z);
/* The same instant to the second in UTC with a "Z": "2026-03-02T08:00:00Z"
 * (host status, snapshot lists).  Returns buf. */
char *timefmt_utc_seconds(char *buf, size_t len, int64_t us);

/* The one form of an instant for machines, the --json output of every
 * command and the HTTP API's: RFC 3339 in UTC to the millisecond with a
 * "Z", "2026-03-02T08:00:00.123Z" (the microseconds cut, not rounded, so
 * that an instant never reads as a later one).  Returns buf. */
char *timefmt_machine(char *buf, size_t len, int64_t us);
/* An instant written as timefmt_iso or timefmt_utc_seconds write it (a
 * date, "T", a time, then "Z" or an offset) rewritten in buf in the
 * machine form; NULL for any other text, a wall time without an offset
 * (a run_date in the task's zone) included. */
char *timefmt_machine_text(char *buf, size_t len, const char *text);
/* A span of microseconds as seconds to the millisecond (rounded), the
 * machine form of a duration: 0.002354 s is 0.002. */
double timefmt_machine_seconds(int64_t us);

/* Parses "2026-03-02", "2026-03-02T09:00", "2026-03-02 09:00:00.5",
 * with an optional "Z", "+01:00", "+0100" or "+01".  A value without an
 * offset is a wall time in z (UTC if NULL); one that does not exist
 * there (a DST gap) means the end of the gap, a repeated one its first
 * occurrence.  Errors name the text. */
int timefmt_parse(const char *text, const struct tz *z, int64_t *out_us,
		  struct mgr_error *err);

/* Relative times, for run_date (doc/SCHEDULER.md has the grammar):
 *   now | [now] +N UNIT [N UNIT ...] | (today|tomorrow) [HH:MM[:SS]]
 * UNIT: s sec second(s), m min minute(s), h hr hour(s), d day(s),
 * w week(s); d and w are 86400 and 604800 seconds.  "today"/"tomorrow"
 * are dates in z (UTC if NULL), a time in a DST gap meaning its end.
 * timefmt_is_relative says whether text has one of these forms' first
 * words; timefmt_parse_relative resolves it against now_us. */
int timefmt_is_relative(const char *text);
int timefmt_parse_relative(const char *text, const struct tz *z,
			   int64_t now_us, int64_t *out_us,
			   struct mgr_error *err);

#endif
