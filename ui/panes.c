/* panes.c - what all panes share: the filtered row index, the selection
 * kept by id across reloads, and scrolling (only visible rows are ever
 * formatted, so 10,000 tasks cost the same as 20). */
#define _GNU_SOURCE 1
#include "ui.h"
#include "util.h"

#include <stdio.h>
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
	if (p->only != PANE_ONLY_ALL && p->ops->only != NULL &&
	    !p->ops->only(ui, i, p->only))
		return 0;
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

static int
pane_body_rows(const struct ui_pane *p)
{
	int h = p->h - 3;	/* borders and the column header */

	return h > 0 ? h : 1;
}

/* Re-applies the filter after the model or the filter changed; the
 * selected item stays selected if it still passes, and on the same
 * screen line when it can: rows re-sorting around it do not move it. */
void
pane_rebuild(struct ui *ui, struct ui_pane *p)
{
	size_t n = p->ops->count(ui);
	long offset = (long)p->sel - (long)p->top;

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
	if (p->ops->sort != NULL)
		p->ops->sort(ui, p);
	pane_find_selection(ui, p);
	if (p->sel >= p->nrows)
		p->sel = p->nrows > 0 ? p->nrows - 1 : 0;
	free(p->sel_id);
	p->sel_id = p->nrows > 0 ? xstrdup(p->ops->id(ui, p->rows[p->sel])) : NULL;
	if (offset >= 0 && offset < pane_body_rows(p))
		p->top = p->sel >= (size_t)offset ? p->sel - (size_t)offset : 0;
	pane_scroll_into_view(p);
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

const char *
pane_col_title(const struct ui *ui, const struct ui_pane *p, int col,
	       const char *name, char *buf, size_t size)
{
	if (p->ops->nsort == 0 || p->sort_col != col)
		return name;
	snprintf(buf, size, "%s%s", name, ui->utf8 ? (p->sort_rev ?
	    "\xe2\x96\xbc" : "\xe2\x96\xb2") : (p->sort_rev ? "v" : "^"));
	return buf;
}

int
pane_shown(const struct ui *ui, int idx)
{
	return idx != PANE_HOSTS || ui->show_hosts;
}

int
pane_next_shown(const struct ui *ui, int idx, int dir)
{
	do
		idx = (idx + PANE_COUNT + dir) % PANE_COUNT;
	while (!pane_shown(ui, idx));
	return idx;
}

/* Row r of the pane is what pane_find looks for. */
static int
pane_hit(struct ui *ui, struct ui_pane *p, size_t r, int failed)
{
	if (failed)
		return p->ops->failed != NULL && p->ops->failed(ui, p->rows[r]);
	return p->ops->match(ui, p->rows[r], p->search);
}

int
pane_find(struct ui *ui, struct ui_pane *p, int dir, int failed)
{
	if (p->nrows == 0 || (!failed && p->search[0] == '\0'))
		return 0;
	/* From the row after the selection, around the end, back to it. */
	for (size_t k = 1; k <= p->nrows; k++) {
		size_t r = (p->sel + p->nrows + (dir > 0 ? k : p->nrows - k)) %
		    p->nrows;

		if (pane_hit(ui, p, r, failed)) {
			p->sel = r;
			pane_scroll_into_view(p);
			pane_sync_id(ui, p);
			return 1;
		}
	}
	return 0;
}
