/* panes.c - what all panes share: the filtered row index, the selection
 * kept by id across reloads, and scrolling (only visible rows are ever
 * formatted, so 10,000 tasks cost the same as 20). */
#define _GNU_SOURCE 1
#include "ui.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int
ui_contains(const char *haystack, const char *needle)
{
	return haystack != NULL && strcasestr(haystack, needle) != NULL;
}

static int
pane_match(const struct ui *ui, const struct ui_pane *p, size_t i)
{
	if (p->filter[0] == '\0')
		return 1;
	return p->ops->match(ui, i, p->filter);
}

static void
pane_find_selection(const struct ui *ui, struct ui_pane *p)
{
	if (p->sel_id == NULL)
		return;
	for (size_t r = 0; r < p->nrows; r++)
		if (strcmp(p->ops->id(ui, p->rows[r]), p->sel_id) == 0) {
			p->sel = r;
			return;
		}
}

/* Re-applies the filter after the model or the filter changed; the
 * selected item stays selected if it still passes. */
void
pane_rebuild(struct ui *ui, struct ui_pane *p)
{
	size_t n = p->ops->count(ui);

	/* A live log whose newest line is selected keeps following it. */
	if (p->ops->follow && p->sel == 0) {
		free(p->sel_id);
		p->sel_id = NULL;
	}

	p->rows = xrealloc(p->rows, (n + 1) * sizeof *p->rows);
	p->nrows = 0;
	for (size_t i = 0; i < n; i++)
		if (pane_match(ui, p, i))
			p->rows[p->nrows++] = i;
	pane_find_selection(ui, p);
	if (p->sel >= p->nrows)
		p->sel = p->nrows > 0 ? p->nrows - 1 : 0;
	free(p->sel_id);
	p->sel_id = p->nrows > 0 ? xstrdup(p->ops->id(ui, p->rows[p->sel])) : NULL;
	pane_scroll_into_view(p);
}

static int
pane_body_rows(const struct ui_pane *p)
{
	int h = p->h - 3;	/* borders and the column header */

	return h > 0 ? h : 1;
}

void
pane_scroll_into_view(struct ui_pane *p)
{
	size_t h = (size_t)pane_body_rows(p);

	if (p->sel < p->top)
		p->top = p->sel;
	else if (p->sel >= p->top + h)
		p->top = p->sel - h + 1;
	if (p->nrows <= h)
		p->top = 0;
	else if (p->top > p->nrows - h)
		p->top = p->nrows - h;
}

static void
pane_remember(struct ui_pane *p, const char *id)
{
	free(p->sel_id);
	p->sel_id = id != NULL ? xstrdup(id) : NULL;
}

/* delta in rows; LONG_MAX-ish values clamp.  A page is the body height. */
void
pane_move(struct ui_pane *p, long delta)
{
	long sel = (long)p->sel + delta;

	if (p->nrows == 0)
		return;
	if (sel < 0)
		sel = 0;
	if (sel >= (long)p->nrows)
		sel = (long)p->nrows - 1;
	p->sel = (size_t)sel;
	pane_scroll_into_view(p);
}

size_t
pane_selected_model(const struct ui_pane *p)
{
	return p->nrows > 0 ? p->rows[p->sel] : (size_t)-1;
}

const char *
pane_selected_id(const struct ui *ui, const struct ui_pane *p)
{
	if (p->nrows == 0)
		return NULL;
	return p->ops->id(ui, p->rows[p->sel]);
}

/* Called after a move so a reload keeps this row. */
void
pane_sync_id(const struct ui *ui, struct ui_pane *p)
{
	pane_remember(p, pane_selected_id(ui, p));
}
