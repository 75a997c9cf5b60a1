/* mouse.c - the mouse (console.mouse, on by default): a click selects
 * the row under the pointer and focuses its pane, a double-click opens
 * it as Enter does, the wheel scrolls the pane or the page under it. */
#include "ui.h"

#include "nc_fns.h"

#define WHEEL_ROWS 3

/* The pane whose box holds (y, x), or -1. */
static int
pane_at(const struct ui *ui, int y, int x)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		const struct ui_pane *p = &ui->panes[i];

		if (pane_shown(ui, i) && y >= p->y && y < p->y + p->h &&
		    x >= p->x && x < p->x + p->w)
			return i;
	}
	return -1;
}

static void
wheel(struct ui *ui, int idx, long delta)
{
	struct ui_view *v = &ui->view;
	long top;

	if (UI_VIEW_OPEN(ui)) {
		top = (long)v->top + delta;
		if (top > (long)v->nlines - (ui->rows - 5))
			top = (long)v->nlines - (ui->rows - 5);
		v->top = top > 0 ? (size_t)top : 0;
		return;
	}
	if (idx < 0)
		return;
	ui->focus = idx;
	pane_move(&ui->panes[idx], delta);
	pane_sync_id(ui, &ui->panes[idx]);
}

/* A click on a row selects it; returns 1 when it hit a row. */
static int
click(struct ui *ui, int idx, int y)
{
	struct ui_pane *p;
	long row;

	if (idx < 0)
		return 0;
	p = &ui->panes[idx];
	ui->focus = idx;
	row = (long)y - (p->y + 2);	/* under the border and the header */
	if (row < 0 || row >= p->h - 3 || p->top + (size_t)row >= p->nrows)
		return 0;
	p->sel = p->top + (size_t)row;
	pane_sync_id(ui, p);
	return 1;
}

void
mouse_event(struct ui *ui)
{
	MEVENT ev;
	int idx;

	if (getmouse(&ev) != OK)
		return;
	idx = UI_VIEW_OPEN(ui) ? -1 : pane_at(ui, ev.y, ev.x);
	if (ev.bstate & BUTTON4_PRESSED)
		wheel(ui, idx, -WHEEL_ROWS);
	else if (ev.bstate & BUTTON5_PRESSED)
		wheel(ui, idx, WHEEL_ROWS);
	else if (ev.bstate & BUTTON1_DOUBLE_CLICKED) {
		if (click(ui, idx, ev.y))
			keys_handle(ui, '\n', 1);
	} else if (ev.bstate & BUTTON1_CLICKED)
		click(ui, idx, ev.y);
}
