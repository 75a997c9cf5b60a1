/* cron_bits.c - the search over a crontab= or quartz= line's sets.
 *
 * Field by field from the year down, each test a bit operation; the days
 * a month offers (plain days, L, W, dL, d#n and the weekday set, joined
 * by Vixie's rule) are worked out once per month visited.  Nothing is
 * allocated: this runs on the scheduler's hot path.
 */

#include "cron_impl.h"

/* The lowest set bit at or above from, or -1. */
static int
next_bit(uint64_t bits, int from)
{
	if (from > 63)
		return -1;
	bits &= ~UINT64_C(0) << from;
	return bits != 0 ? __builtin_ctzll(bits) : -1;
}

/* 0 = Sunday, as crontab counts. */
static int
sunday_weekday(int y, int m, int d)
{
	return (tz_weekday(y, m, d) + 1) % 7;
}

/* Quartz's "W": the weekday nearest to day d that is in the same month
 * (a Saturday the 1st gives Monday the 3rd, a Sunday the last day gives
 * the Friday before). */
static int
nearest_weekday(int d, int ldom, int wd1)
{
	int wd = (wd1 + d - 1) % 7;

	if (wd == 6)
		return d == 1 ? 3 : d - 1;
	if (wd == 0)
		return d == ldom ? d - 2 : d + 1;
	return d;
}

static uint32_t
dom_days(const struct cron_bits *b, int ldom, int wd1, uint32_t full)
{
	uint32_t days = b->dom & full, bits;
	int k, d;

	for (bits = b->dom_last; bits != 0; bits &= bits - 1) {
		d = ldom - __builtin_ctz(bits);
		if (d >= 1)
			days |= UINT32_C(1) << d;
	}
	for (bits = b->dom_lastw; bits != 0; bits &= bits - 1) {
		d = ldom - __builtin_ctz(bits);
		if (d >= 1)
			days |= UINT32_C(1) << nearest_weekday(d, ldom, wd1);
	}
	for (bits = b->dom_w & full; bits != 0; bits &= bits - 1) {
		k = __builtin_ctz(bits);
		days |= UINT32_C(1) << nearest_weekday(k, ldom, wd1);
	}
	return days;
}

static uint32_t
dow_days(const struct cron_bits *b, int ldom, int wd1)
{
	uint32_t days = 0;
	int d, k, n, wd, wdl = (wd1 + ldom - 1) % 7;

	for (d = 1; d <= 7; d++) {
		if ((b->dow >> ((wd1 + d - 1) % 7)) & 1)
			for (k = d; k <= ldom; k += 7)
				days |= UINT32_C(1) << k;
	}
	for (wd = 0; wd < 7; wd++) {
		if ((b->dow_last >> wd) & 1)
			days |= UINT32_C(1) << (ldom - (wdl - wd + 7) % 7);
		for (n = 0; n < 5; n++) {
			d = 1 + (wd - wd1 + 7) % 7 + 7 * n;
			if (((b->dow_nth[n] >> wd) & 1) && d <= ldom)
				days |= UINT32_C(1) << d;
		}
	}
	return days;
}

/* The days of month m of year y that match: bit d for day d. */
static uint32_t
month_days(const struct cron_bits *b, int y, int m)
{
	int ldom = tz_days_in_month(y, m), wd1 = sunday_weekday(y, m, 1);
	uint32_t full = (uint32_t)((UINT64_C(1) << (ldom + 1)) - 2);
	uint32_t dom = dom_days(b, ldom, wd1, full);
	uint32_t dow = dow_days(b, ldom, wd1);

	/* Vixie: a "*" (or "?") day field leaves the other to decide;
	 * when both are restricted, either may match. */
	if (b->dom_star || b->dow_star)
		return dom & dow;
	return dom | dow;
}

/* The first year at or after y that the year field takes, or -1. */
static int
next_year(const struct cron_bits *b, int y)
{
	int i = y - CRON_YEAR_BASE, w, bit;

	if (b->any_year)
		return y;
	if (i < 0)
		i = 0;
	for (w = i / 64; w < CRON_YEAR_WORDS; w++, i = w * 64) {
		if ((bit = next_bit(b->year[w], i % 64)) >= 0)
			return CRON_YEAR_BASE + w * 64 + bit;
	}
	return -1;
}

/* Clears the fields finer than level (0 month, 1 day, 2 hour, 3
 * minute), then adds one of that unit, carrying through the calendar. */
static void
advance(struct tm_fields *d, int level)
{
	static const int64_t unit[] = { 0, 86400, 3600, 60 };

	d->second = 0;
	if (level < 3)
		d->minute = 0;
	if (level < 2)
		d->hour = 0;
	if (level == 0) {
		d->day = 1;
		if (++d->month > 12) {
			d->month = 1;
			d->year++;
		}
		return;
	}
	tz_seconds_to_fields(tz_fields_to_seconds(d) + unit[level], d);
}

/* Moves *d to the first wall time at or after it that matches at the
 * time of day; 1 if found, 0 when the day holds no match (d is then
 * the next day). */
static int
time_of_day(const struct cron_bits *b, struct tm_fields *d)
{
	int v;

	for (;;) {
		if ((v = next_bit(b->hour, d->hour)) < 0) {
			advance(d, 1);
			return 0;
		}
		if (v > d->hour) {
			d->hour = v;
			d->minute = d->second = 0;
		}
		if ((v = next_bit(b->minute, d->minute)) < 0) {
			advance(d, 2);
			if (d->hour == 0)
				return 0;
			continue;
		}
		if (v > d->minute) {
			d->minute = v;
			d->second = 0;
		}
		if ((v = next_bit(b->second, d->second)) >= 0) {
			d->second = v;
			return 1;
		}
		advance(d, 3);
		if (d->hour == 0 && d->minute == 0)
			return 0;
	}
}

int
cron_bits_next(const struct cron *c, struct tm_fields *d, int64_t limit)
{
	const struct cron_bits *b = &c->b;
	int y, cached_y = -1, cached_m = -1, v;
	uint32_t days = 0;

	for (;;) {
		if (d->year > CRON_MAX_YEAR || tz_fields_to_seconds(d) > limit)
			return -1;
		if ((y = next_year(b, d->year)) < 0)
			return -1;
		if (y != d->year) {
			*d = (struct tm_fields){ y, 1, 1, 0, 0, 0 };
			continue;
		}
		if (!((b->month >> d->month) & 1)) {
			advance(d, 0);
			continue;
		}
		if (d->year != cached_y || d->month != cached_m) {
			days = month_days(b, d->year, d->month);
			cached_y = d->year;
			cached_m = d->month;
		}
		if ((v = next_bit(days, d->day)) < 0) {
			advance(d, 0);
			continue;
		}
		if (v > d->day) {
			d->day = v;
			d->hour = d->minute = d->second = 0;
		}
		if (time_of_day(b, d))
			return 0;
	}
}
