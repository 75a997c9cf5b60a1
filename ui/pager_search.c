/* pager_search.c - searching a page (a run's log, a task, a plugin, help)
 * as less does: '/' types a pattern, Enter goes to the first line at or
 * below the top that contains it, n and N go to the next and previous
 * match (wrapping around the page, saying so), every match on screen is
 * drawn in reverse video, and a pattern that is nowhere says so in the
 * status line.  Matching ignores case, as the panes' filter does. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include "nc_fns.h"
#include <stdlib.h>
#include <string.h>

#define NO_MATCH ((size_t)-1)

/* Lines of the page on screen (the box without its borders). */
static size_t
page_height(const struct ui *ui)
{
	return ui->rows > 5 ? (size_t)(ui->rows - 5) : 1;
}

static int
line_matches(const struct ui_view *v, size_t i)
{
	return strcasestr(v->lines[i], v->search) != NULL;
}

/* Puts line i at the top of the page, or as near as the page's end
 * allows. */
static void
show_line(struct ui *ui, size_t i)
{
	struct ui_view *v = &ui->view;
	size_t page = page_height(ui);

	v->match = i;
	v->has_match = 1;
	v->top = v->nlines > page && i > v->nlines - page ? v->nlines - page : i;
	if (view_has_cursor(v))
		v->cur = i;
}

/* The next matching line from `from` in direction dir (1 or -1),
 * wrapping once; *wrapped is set when it went past an end. */
static size_t
find_from(const struct ui_view *v, size_t from, int dir, int *wrapped)
{
	size_t n = v->nlines, i = from;

	*wrapped = 0;
	for (size_t k = 0; k < n; k++) {
		if (i >= n) {	/* past either end (size_t wraps below 0) */
			i = dir > 0 ? 0 : n - 1;
			*wrapped = 1;
		}
		if (line_matches(v, i))
			return i;
		i += (size_t)(long)dir;
	}
	return NO_MATCH;
}

static void
search_go(struct ui *ui, size_t from, int dir)
{
	struct ui_view *v = &ui->view;
	int wrapped;
	size_t i = find_from(v, from, dir, &wrapped);

	if (i == NO_MATCH) {
		v->has_match = 0;
		ui_status(ui, 1, _("pattern not found: %s"), v->search);
		return;
	}
	show_line(ui, i);
	if (wrapped)
		ui_status(ui, 0, "%s", dir > 0 ? _("search hit the end, went on "
		    "from the top") : _("search hit the top, went on from the end"));
	else
		ui->status[0] = '\0';
}

void
search_submit(struct ui *ui, const char *pattern)
{
	struct ui_view *v = &ui->view;

	ui->mode = MODE_NORMAL;
	if (!UI_VIEW_OPEN(ui))
		return;
	if (pattern[0] == '\0') {	/* as less: the last pattern again */
		if (v->search[0] == '\0') {
			ui_status(ui, 0, "%s", _("cancelled"));
			return;
		}
	} else
		snprintf(v->search, sizeof v->search, "%s", pattern);
	search_go(ui, v->top, 1);
}

void
search_next(struct ui *ui, int dir)
{
	struct ui_view *v = &ui->view;
	size_t from;

	if (v->search[0] == '\0') {
		ui_status(ui, 1, "%s", _("nothing to find: / searches this page, "
		    "n and N then go from match to match"));
		return;
	}
	/* From the current match when it is on screen, else from the top. */
	if (v->has_match && v->match >= v->top &&
	    v->match < v->top + page_height(ui))
		from = v->match + (size_t)(long)dir;
	else
		from = dir > 0 ? v->top : v->top - 1;
	search_go(ui, from, dir);
}

/* Cells taken by the first n bytes of s. */
static int
prefix_cells(const char *s, size_t n)
{
	char *part = xstrndup(s, n);
	int w = fmt_width(part);

	free(part);
	return w;
}

void
search_mark(const struct ui *ui, int y, int x, int width, const char *line,
	    int selected)
{
	const char *search = ui->view.search, *at = line;
	size_t len = strlen(search);
	/* On the reversed cursor line a match stands out unreversed. */
	attr_t attr = selected ? A_BOLD | A_UNDERLINE : A_REVERSE | A_BOLD;

	if (len == 0 || ui->mode == MODE_PICK)
		return;
	while ((at = strcasestr(at, search)) != NULL) {
		int col = prefix_cells(line, (size_t)(at - line));
		int w = prefix_cells(at, len);

		if (col >= width)
			break;
		if (col + w > width)
			w = width - col;
		mvchgat(y, x + col, w, attr, 0, NULL);
		at += len;
	}
}
