/* format.c - durations, times and width-exact cells for the console. */
#include "i18n.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

void
fmt_duration(int64_t us, char *buf, size_t size)
{
	int64_t s = us / 1000000;

	if (s <= 0 && us > 0 && us < 1000000)
		snprintf(buf, size, "%lldms", (long long)(us / 1000));
	else if (s <= 0)
		snprintf(buf, size, "0s");
	else if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldmin", (long long)(s / 60));
	else if (s < 86400 && (s % 3600) / 60 != 0)
		snprintf(buf, size, "%lldh %lldmin", (long long)(s / 3600),
		    (long long)((s % 3600) / 60));
	else if (s < 86400)
		snprintf(buf, size, "%lldh", (long long)(s / 3600));
	else if ((s % 86400) / 3600 != 0)
		snprintf(buf, size, "%lldd %lldh", (long long)(s / 86400),
		    (long long)((s % 86400) / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
}

void
fmt_seconds(int secs, char *buf, size_t size)
{
	if (secs <= 0)
		snprintf(buf, size, "%s", _("no limit"));
	else if (secs % 86400 == 0)
		snprintf(buf, size, ngettext("%d day", "%d days",
		    (unsigned long)(secs / 86400)), secs / 86400);
	else if (secs % 3600 == 0)
		snprintf(buf, size, _("%d h"), secs / 3600);
	else if (secs % 60 == 0)
		snprintf(buf, size, _("%d min"), secs / 60);
	else
		snprintf(buf, size, _("%d s"), secs);
}

/* The CLI's names ("manager task add" prints "Wed 2026-11-25 10:30:00"):
 * one language whatever LC_TIME says, like the cron fields they match. */
static const char *
weekday(const struct tm *tm)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };

	return days[tm->tm_wday >= 0 && tm->tm_wday < 7 ? tm->tm_wday : 0];
}

static void
local_tm(int64_t us, struct tm *tm)
{
	time_t t = (time_t)(us / 1000000);

	localtime_r(&t, tm);
}

void
fmt_when(int64_t at_us, int64_t now_us, char *buf, size_t size)
{
	struct tm at, now;
	int64_t delta = at_us > now_us ? at_us - now_us : now_us - at_us;

	if (at_us == 0) {
		snprintf(buf, size, "-");
		return;
	}
	local_tm(at_us, &at);
	local_tm(now_us, &now);
	if (at.tm_year == now.tm_year && at.tm_yday == now.tm_yday)
		strftime(buf, size, "%H:%M:%S", &at);
	else if (delta < 6 * 86400 * INT64_C(1000000))
		snprintf(buf, size, "%s %02d:%02d", weekday(&at), at.tm_hour,
		    at.tm_min);
	else
		strftime(buf, size, "%Y-%m-%d", &at);
}

void
fmt_datetime(int64_t at_us, char *buf, size_t size)
{
	struct tm at;

	if (at_us == 0) {
		snprintf(buf, size, "-");
		return;
	}
	local_tm(at_us, &at);
	snprintf(buf, size, "%s %04d-%02d-%02d %02d:%02d:%02d", weekday(&at),
	    at.tm_year + 1900, at.tm_mon + 1, at.tm_mday, at.tm_hour, at.tm_min,
	    at.tm_sec);
}

/* One character of s: its bytes (*len), its cells (*w).  Invalid bytes
 * and non-printable characters are one cell each and shown as '?'. */
static int
next_char(const char *s, size_t *len, int *w, mbstate_t *ps)
{
	wchar_t wc;
	size_t n;

	/* Printable ASCII is one byte and one cell in every locale the
	 * console runs in: most text is, and mbrtowc costs ~70
	 * instructions a character (it was most of a frame's drawing). */
	if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f) {
		*len = 1;
		*w = 1;
		return 1;
	}
	n = mbrtowc(&wc, s, MB_CUR_MAX, ps);

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(ps, 0, sizeof *ps);
		*len = 1;
		*w = 1;
		return 0;	/* not printable as is */
	}
	*len = n;
	*w = wcwidth(wc);
	if (*w < 0 || wc < 0x20 || wc == 0x7f) {
		*w = 1;
		return 0;
	}
	return 1;
}

int
fmt_width(const char *s)
{
	mbstate_t ps;
	size_t len;
	int w, total = 0;

	memset(&ps, 0, sizeof ps);
	for (; *s != '\0'; s += len) {
		next_char(s, &len, &w, &ps);
		total += w;
	}
	return total;
}

/* Appends n bytes if they fit (keeping room for the NUL). */
static int
put(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + n + 1 > size)
		return -1;
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
	return 0;
}

int
fmt_fit(const char *s, int width, int pad, int utf8, char *buf, size_t size)
{
	const char *ell = utf8 ? "\xe2\x80\xa6" : "~";
	int full = fmt_width(s) <= width;
	int room = full ? width : width - 1;
	int used = 0, w, ok;
	size_t len, at = 0;
	mbstate_t ps;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	memset(&ps, 0, sizeof ps);
	for (; *s != '\0'; s += len) {
		ok = next_char(s, &len, &w, &ps);
		if (used + w > room)
			break;
		if (put(buf, size, &at, ok ? s : "?", ok ? len : 1) != 0)
			return used;
		used += w;
	}
	if (!full && put(buf, size, &at, ell, strlen(ell)) == 0)
		used++;
	if (pad && used < width) {
		size_t n = (size_t)(width - used);

		if (at + n + 1 > size)
			n = size - at - 1;
		memset(buf + at, ' ', n);
		at += n;
		buf[at] = '\0';
		used += (int)n;
	}
	return used;
}

char *
fmt_first_line(const char *s, size_t max)
{
	size_t n = 0;

	if (s == NULL)
		return xstrdup("");
	while (s[n] != '\0' && s[n] != '\n' && n < max)
		n++;
	return xstrndup(s, n);
}

void
fmt_cat(char *buf, size_t size, const char *s, int width, int utf8)
{
	size_t at = strlen(buf);

	if (at + 1 >= size || width <= 0)
		return;
	fmt_fit(s, width, 1, utf8, buf + at, size - at);
}

const char *
fmt_pad(const char *s, int width, char *buf, size_t size)
{
	int w = fmt_width(s);
	size_t at;

	snprintf(buf, size, "%s", s);
	at = strlen(buf);
	for (; w < width && at + 1 < size; w++)
		buf[at++] = ' ';
	buf[at] = '\0';
	return buf;
}

size_t
fmt_prefix(const char *s, int width)
{
	mbstate_t ps;
	size_t len, at = 0;
	int w, used = 0;

	memset(&ps, 0, sizeof ps);
	while (s[at] != '\0') {
		next_char(s + at, &len, &w, &ps);
		if (used + w > width && at > 0)
			break;
		used += w;
		at += len;
	}
	return at;
}
