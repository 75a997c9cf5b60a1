/* trigger.h - when a task fires: interval, cron, date and calendar
 * triggers.
 *
 * Semantics follow APScheduler 3.9 (IntervalTrigger, CronTrigger,
 * DateTrigger) so schedules from the Python seed keep their times.  Around
 * daylight saving, where APScheduler (pytz) misbehaves, cron follows Vixie
 * cron (doc/SCHEDULER.md): a wall time that does not exist fires once, at
 * the end of the gap, unless its whole calendar day was skipped; a
 * repeated one fires at each occurrence for a wildcard trigger ('*' in
 * minute or hour), at its first occurrence only for the others.
 *
 * Pure functions over an immutable object: no clock, no randomness, no
 * globals.  Times are Unix microseconds, UTC.
 */
#ifndef MGR_TRIGGER_H
#define MGR_TRIGGER_H

#include <stddef.h>
#include <stdint.h>

struct mgr_error;
struct trigger;
struct tz;

/* "No previous fire time" (argument) and "no more fire times" (result). */
#define TRIGGER_NONE INT64_MIN

enum trigger_type {
	TRIGGER_INTERVAL,
	TRIGGER_CRON,
	TRIGGER_DATE,
	TRIGGER_CALENDAR,
};

/* Builds a trigger from TYPE ("interval", "cron", "date", "calendar") and
 * "NAME=VALUE" fields as typed on a command line:
 *   interval: weeks days hours minutes seconds (decimal numbers),
 *             start_date end_date timezone jitter
 *   cron:     year month day week day_of_week hour minute second
 *             start_date end_date timezone jitter
 *             or crontab="m h dom mon dow" / crontab=@daily (Vixie; six
 *             fields with seconds first; ?, L, W, #, H, wrap-around)
 *             or quartz="s m h dom mon dow [year]" (Quartz)
 *   date:     run_date (or relative: +10min, now+2h, tomorrow 09:00;
 *             see timefmt_parse_relative) timezone
 *   calendar: oncalendar (systemd.time(7) calendar events; repeatable,
 *             or several separated by ";"), start_date end_date
 *             timezone (the zone of events without one) jitter
 * interval, cron and calendar also take fixed_jitter=true|false (with
 * jitter: the same delay at every fire time, trigger_fixed_jitter_us).
 * Dates are ISO 8601; without an offset they are wall times in timezone
 * (default "local").  Errors name the field and the offending text.
 * Unlike APScheduler, an interval with none of its units and a cron with
 * none of its time fields (nor crontab) are errors naming them, not "every
 * second". */
int trigger_parse(const char *type, const char *const *fields,
		  size_t nfields, struct trigger **out,
		  struct mgr_error *err);
/* The same, taking zones from a cache (tz.h); NULL: none. */
struct tz_cache;
int trigger_parse_zones(const char *type, const char *const *fields,
			size_t nfields, struct tz_cache *zones,
			struct trigger **out, struct mgr_error *err);
/* The same for task seed: Jenkins' "H" in a crontab= line takes its
 * values from it (NULL reads as "").  Tasks pass their id, so each task
 * gets its own, stable values. */
int trigger_parse_seeded(const char *type, const char *const *fields,
			 size_t nfields, struct tz_cache *zones,
			 const char *seed, struct trigger **out,
			 struct mgr_error *err);
void trigger_free(struct trigger *t);
/* t (consumed) as a holder that only fires it keeps it: the same fire
 * times, jitter, zone and type, in one allocation with its cron sets,
 * without the stored fields (trigger_field_count 0, trigger_describe
 * names the type only, trigger_fields_to_json "{}").  The scheduler
 * holds one per task for as long as the engine runs (issue 18's bytes
 * per task); the fields stay in the store. */
struct trigger *trigger_compact(struct trigger *t);
/* 1 when type names a trigger type ("interval", "cron", ...). */
int trigger_type_known(const char *type);
/* 1 when name is a field some trigger type takes ("minute", "quartz",
 * "oncalendar", "fixed_jitter", ...): the one list, for readers of task
 * definitions that check names before the type's own check. */
int trigger_field_known(const char *name);

enum trigger_type trigger_type(const struct trigger *t);
/* "interval", "cron", "date", "calendar". */
const char *trigger_type_name(const struct trigger *t);

/* APScheduler's get_next_fire_time(previous_fire_time, now), without
 * jitter:
 *  - prev_us == TRIGGER_NONE (first run): the first fire time at or after
 *    now_us (and start_date); a date trigger returns run_date even when it
 *    is already past, so the scheduler can count the misfire.
 *  - otherwise: cron gives the first fire time after min(prev, now);
 *    interval gives prev + interval, which may lie before now_us (a
 *    misfire; call again with it as prev to catch up); date gives none.
 * Returns TRIGGER_NONE when the trigger will never fire again (past
 * end_date, a fired date trigger, @reboot). */
int64_t trigger_next(const struct trigger *t, int64_t prev_us,
		     int64_t now_us);

/* Pins what APScheduler fixes at construction from the clock: an interval
 * without start_date starts at now + interval, a date trigger without
 * run_date runs at now, a relative run_date (+10min) is counted from
 * now.  Call once when a task is created, so that the
 * stored fields (trigger_field_*) keep the anchor.  Unpinned, trigger_next
 * uses its now_us argument for them. */
int trigger_pin(struct trigger *t, int64_t now_us, struct mgr_error *err);

/* Maximum jitter in microseconds (0: none): the scheduler adds a random
 * delay in [0, jitter] to each fire time and, for cron, clamps it to
 * trigger_end_us() as APScheduler does. */
int64_t trigger_jitter_us(const struct trigger *t);
/* fixed_jitter=true (systemd's FixedRandomDelay=): the one delay in
 * [0, jitter] added to every fire time, a hash of the machine ID and the
 * seed the trigger was parsed with (the task's id), so it is stable
 * across restarts and differs between tasks and machines; -1 when the
 * delay is drawn for each fire time. */
int64_t trigger_fixed_jitter_us(const struct trigger *t);
/* That hash: SHA-256 of the machine ID (hex), a newline and the seed,
 * its first 64 bits. */
uint64_t trigger_fixed_hash(const char *machine_id, const char *seed);
/* /etc/machine-id, or "" when it cannot be read (malloc'd). */
char *trigger_machine_id(void);
/* end_date, or TRIGGER_NONE. */
int64_t trigger_end_us(const struct trigger *t);
/* The zone the trigger computes in (timezone field, else "local"). */
const struct tz *trigger_zone(const struct trigger *t);
/* A calendar trigger's events (calendar.h), NULL for other types. */
struct calendar;
const struct calendar *trigger_calendar(const struct trigger *t);
/* crontab=@reboot: never fires from the clock; the scheduler runs such a
 * task once per engine start. */
int trigger_is_reboot(const struct trigger *t);
/* 1 if the trigger has an "H", whose values depend on the seed. */
int trigger_is_hashed(const struct trigger *t);

/* Short text: "every 30min", "cron minute=0 hour=9 day_of_week=mon-fri",
 * "once at 2026-03-02T09:00:00+01:00".  Caller frees; NULL on ENOMEM. */
char *trigger_describe(const struct trigger *t);

/* The normalised fields, in a fixed order, for storage: dates become ISO
 * 8601 with offset, numbers lose leading zeros.  trigger_parse(type,
 * "NAME=VALUE"...) of them gives back an equivalent trigger. */
size_t trigger_field_count(const struct trigger *t);
const char *trigger_field_name(const struct trigger *t, size_t i);
const char *trigger_field_value(const struct trigger *t, size_t i);
/* The same as a JSON object ({"minute":"0","hours":1.5}): numbers for
 * interval units and jitter, strings otherwise.  Caller frees *out. */
int trigger_fields_to_json(const struct trigger *t, char **out,
			   struct mgr_error *err);

#endif
