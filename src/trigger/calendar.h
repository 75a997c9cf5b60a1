/* calendar.h - systemd calendar events (OnCalendar=, systemd.time(7)).
 *
 * Private to trigger.c and its tests.  One struct calendar holds one or
 * more expressions ("Mon..Fri *-*-* 09:00 Europe/Berlin", "daily",
 * "*-02~03 12:00"); it fires at the earliest time any of them gives.
 * Parsing, normalisation and the search are systemd's (calendarspec.c of
 * systemd 252), including how it walks over the clock's gaps and folds
 * with glibc's mktime(): doc/SCHEDULER.md, "calendar".
 */
#ifndef MGR_CALENDAR_H
#define MGR_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

struct mgr_error;
struct tz;
struct tz_cache;

struct calendar;

/* Parses TEXT: one expression, or several separated by ";".  A trailing
 * time zone is loaded through zones (NULL: no cache).  Errors name the
 * expression and what is wrong with it. */
int calendar_parse(const char *text, struct tz_cache *zones,
		   struct calendar **out, struct mgr_error *err);
void calendar_free(struct calendar *c);

/* The first instant strictly after after_us (Unix microseconds) that one
 * of the expressions names; expressions without a zone of their own are
 * read in zone local.  Returns 0, or -1 when none will ever come (past
 * year 2199, an impossible date such as *-02-30).  Allocates nothing. */
int calendar_next(const struct calendar *c, const struct tz *local,
		  int64_t after_us, int64_t *out_us);

/* The expressions, as given and as systemd-analyze prints their
 * "Normalized form:" ("Mon..Fri *-*-* 09:00:00 Europe/Berlin"). */
size_t calendar_count(const struct calendar *c);
const char *calendar_original(const struct calendar *c, size_t i);
const char *calendar_normalized(const struct calendar *c, size_t i);

#endif
