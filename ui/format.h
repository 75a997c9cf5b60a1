/* format.h - text of the console's cells: times, durations, and strings
 * fitted to a column width in display cells (wcwidth), not bytes.
 *
 * Pure functions writing into caller buffers, so they are unit-tested
 * without a terminal and cost nothing but the visible rows. */
#ifndef MGR_UI_FORMAT_H
#define MGR_UI_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* "12s", "4min", "2h 5min", "3d 4h"; "0s" for <= 0. */
void fmt_duration(int64_t us, char *buf, size_t size);
/* A setting in seconds: "no limit" for 0, else in its largest whole
 * unit: "30 s", "5 min", "2 h", "1 day". */
void fmt_seconds(int secs, char *buf, size_t size);
/* A wall-clock time as seen from now_us, local time: "09:30:00" on the
 * same day, "Tue 09:30" within a week, "2026-03-02" otherwise; "-" for 0. */
void fmt_when(int64_t at_us, int64_t now_us, char *buf, size_t size);
/* "Mon 2026-03-02 09:30:00" local time, as the CLI prints times; "-"
 * for 0.  Weekdays are English in every locale, as in the CLI. */
void fmt_datetime(int64_t at_us, char *buf, size_t size);
/* Display width of a UTF-8 string (invalid bytes count as one cell,
 * control characters as one). */
int fmt_width(const char *s);
/* Copies s into buf so that it takes exactly `width` cells: cut with an
 * ellipsis ("…" or "~" when !utf8) when too wide, padded with spaces when
 * pad is set.  Control characters become '?', so a task's output cannot
 * move the cursor.  Returns the cells used. */
int fmt_fit(const char *s, int width, int pad, int utf8, char *buf,
	    size_t size);
/* Appends s to the string in buf as one cell of `width` (fmt_fit, padded):
 * how the panes build their rows column by column. */
void fmt_cat(char *buf, size_t size, const char *s, int width, int utf8);
/* s padded with spaces to `width` display cells (never cut: a longer
 * label pushes what follows, as printf's %-16s would, but counted in
 * cells, so "nächster Lauf" lines up with "Funktion").  Returns buf. */
const char *fmt_pad(const char *s, int width, char *buf, size_t size);
/* Bytes of the longest start of s that fits in width cells (at least
 * one character, so that wrapping always moves on). */
size_t fmt_prefix(const char *s, int width);
/* The first line of s, at most max bytes, in a new string. */
char *fmt_first_line(const char *s, size_t max);

#endif
