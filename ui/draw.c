/* draw.c - layout and drawing.  Every frame is drawn into stdscr and
 * sent with one refresh(): ncurses compares it with what the terminal
 * shows and sends only the cells that changed.  Only visible rows are
 * formatted, and a string already on stdscr at its place is not handed
 * to ncurses again (struct ui_cells), so a frame that changed one row
 * costs about one row. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include "nc_fns.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ui_attr(const struct ui *ui, int pair, int fallback)
{
	return ui->colors ? (int)COLOR_PAIR(pair) : fallback;
}

/* Colours that read on light and dark backgrounds alike: red, cyan and
 * magenta in bold, green; paused and disabled are dim, not a colour
 * (yellow and blue, unreadable on one or the other, are not used). */
int
ui_status_attr(const struct ui *ui, const char *s)
{
	static const char *const bad[] = { "failed", "faulted", "error",
	    "timeout", "interrupted", "killed", NULL };
	static const char *const warn[] = { "retrying", "missed", "skipped",
	    NULL };

	if (s == NULL)
		return 0;
	for (size_t i = 0; bad[i] != NULL; i++)
		if (strstr(s, bad[i]) != NULL)
			return ui_attr(ui, CP_BAD, 0) | A_BOLD;
	if (strcmp(s, "paused") == 0 || strncmp(s, "disabled", 8) == 0)
		return A_DIM;
	for (size_t i = 0; warn[i] != NULL; i++)
		if (strstr(s, warn[i]) != NULL)
			return ui_attr(ui, CP_WARN, 0) | A_BOLD;
	if (strcmp(s, "running") == 0)
		return ui_attr(ui, CP_TITLE, 0) | A_BOLD;
	if (strcmp(s, "succeeded") == 0 || strcmp(s, "enabled") == 0)
		return ui_attr(ui, CP_OK, 0);
	return 0;
}

/* What the panes' frames wrote where, so that a frame writes only the
 * strings that changed: with 100 runs a second a frame changes a few
 * rows, and handing ncurses every cell again was most of its cost.  A
 * frame of another shape (a page opened or closed, a new size, a prompt)
 * starts from erase() with the record emptied. */
#define CELLS_PER_ROW 4
struct ui_cell {
	int x, width, attr;
	uint64_t hash;		/* of the formatted text; 0: none */
};
struct ui_cells {
	int rows, cols, shape;
	struct ui_cell *v;	/* rows * CELLS_PER_ROW */
};

static uint64_t
cell_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h | 1;
}

/* 1 when (y, x) holds text with width and attr already; else records
 * it (taking the row's slot for x, or the first free one). */
static int
cell_same(struct ui_cells *c, int y, int x, int width, int attr,
	  const char *text)
{
	struct ui_cell *row, *slot = NULL;
	uint64_t h;

	if (c == NULL || c->v == NULL || y < 0 || y >= c->rows)
		return 0;
	h = cell_hash(text);
	row = &c->v[(size_t)y * CELLS_PER_ROW];
	for (int i = 0; i < CELLS_PER_ROW && slot == NULL; i++)
		if (row[i].hash != 0 && row[i].x == x)
			slot = &row[i];
	if (slot != NULL && slot->width == width && slot->attr == attr &&
	    slot->hash == h)
		return 1;
	for (int i = 0; i < CELLS_PER_ROW && slot == NULL; i++)
		if (row[i].hash == 0)
			slot = &row[i];
	if (slot == NULL) {	/* a crowded row: forget it, write it */
		memset(row, 0, CELLS_PER_ROW * sizeof *row);
		slot = row;
	}
	slot->x = x;
	slot->width = width;
	slot->attr = attr;
	slot->hash = h;
	return 0;
}

/* Writes s at (y, x) in exactly width cells (unless it is there). */
static void
put_cells(const struct ui *ui, int y, int x, int width, const char *s, int attr)
{
	char buf[2048];

	if (width <= 0)
		return;
	fmt_fit(s, width, 1, ui->utf8, buf, sizeof buf);
	if (cell_same(ui->cells, y, x, width, attr, buf))
		return;
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
}

/* The frame's shape: the panes (keeping the record) or anything else. */
static int
frame_shape(const struct ui *ui)
{
	if (UI_VIEW_OPEN(ui) || ui->too_small)
		return -1;
	return 1 + (int)ui->mode;
}

/* erase() and an empty record when the shape changed (or always, for
 * pages: their search marks are written around put_cells). */
static void
frame_start(struct ui *ui)
{
	struct ui_cells *c = ui->cells;
	int shape = frame_shape(ui);

	if (c != NULL && shape != -1 && c->shape == shape && c->rows == ui->rows &&
	    c->cols == ui->cols)
		return;
	erase();
	if (c == NULL)
		c = ui->cells = xcalloc(1, sizeof *c);
	free(c->v);
	c->v = shape == -1 ? NULL : xcalloc((size_t)ui->rows * CELLS_PER_ROW,
	    sizeof *c->v);
	c->rows = ui->rows;
	c->cols = ui->cols;
	c->shape = shape;
}

void
ui_cells_free(struct ui *ui)
{
	if (ui->cells != NULL)
		free(ui->cells->v);
	free(ui->cells);
	ui->cells = NULL;
}

static void
draw_box(const struct ui *ui, int y, int x, int h, int w, const char *title,
	 int focused)
{
	char buf[256];

	if (h < 2 || w < 2)
		return;
	attrset(focused ? ui_attr(ui, CP_TITLE, A_BOLD) : (int)A_NORMAL);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvvline(y + 1, x, ACS_VLINE, h - 2);
	mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	if (w > 6) {
		fmt_fit(title, w - 4, 0, ui->utf8, buf, sizeof buf);
		attrset(focused ? (int)(A_BOLD | A_REVERSE) : (int)A_BOLD);
		mvaddstr(y, x + 2, buf);
		attrset(A_NORMAL);
	}
}

/* The hosts pane's height under the runs pane: a row per host (one for
 * "(none)"), borders and header, at most half of what the runs had; on
 * a terminal too short to show a row of both, the runs give it all. */
static int
hosts_height(const struct ui *ui, int bottom)
{
	int h = 3 + (ui->nhosts > 0 ? (int)ui->nhosts : 1);
	int most = bottom / 2 >= 4 ? bottom / 2 : bottom;

	if (!ui->show_hosts)
		return 0;
	return h < most ? h : most;
}

void
ui_layout(struct ui *ui)
{
	int body = ui->rows - 3;	/* header, footer, status */
	int top = body * 3 / 5;
	int left = ui->cols * 3 / 8;
	int hosts = hosts_height(ui, body - top);

	ui->too_small = ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_ROWS;
	if (left > 44)
		left = 44;
	if (left < 24)
		left = 24;
	ui->panes[PANE_PLUGINS].y = 1;
	ui->panes[PANE_PLUGINS].x = 0;
	ui->panes[PANE_PLUGINS].h = top;
	ui->panes[PANE_PLUGINS].w = left;
	ui->panes[PANE_TASKS].y = 1;
	ui->panes[PANE_TASKS].x = left;
	ui->panes[PANE_TASKS].h = top;
	ui->panes[PANE_TASKS].w = ui->cols - left;
	ui->panes[PANE_LOG].y = 1 + top;
	ui->panes[PANE_LOG].x = 0;
	ui->panes[PANE_LOG].h = body - top - hosts;
	ui->panes[PANE_LOG].w = ui->cols;
	ui->panes[PANE_HOSTS].y = 1 + body - hosts;
	ui->panes[PANE_HOSTS].x = 0;
	ui->panes[PANE_HOSTS].h = hosts;
	ui->panes[PANE_HOSTS].w = ui->cols;
	for (int i = 0; i < PANE_COUNT; i++)
		pane_scroll_into_view(&ui->panes[i]);
	/* Boxes moved: what the record says is at a place may now be under
	 * a border (drawn outside it), so the next frame starts afresh. */
	ui_cells_free(ui);
}

static void
header_host(const struct ui *ui, char *buf, size_t size)
{
	const struct ui_host *h = &ui->host;
	char up[32];

	if (!h->present) {
		snprintf(buf, size, "%s", _("NO ENGINE HOST: no task runs; "
		    "start one with \"manager daemon\""));
		return;
	}
	/* Whole seconds: the header is redrawn once a second. */
	fmt_duration((mgr_now_us() - h->started_at) / 1000000 * 1000000, up,
	    sizeof up);
	if (ui->hosting)
		snprintf(buf, size, _("host: this console, up %s"), up);
	else
		snprintf(buf, size, _("host: %s pid %d up %s"), h->kind != NULL ?
		    h->kind : "?", h->pid, up);
}

/* The most useful facts first, so a narrow terminal cuts the least. */
static void
draw_header(const struct ui *ui)
{
	const struct ui_model *m = &ui->model;
	size_t on = 0, faulted = 0, paused = 0;
	char host[160], faults[64], counts[256], line[512];

	for (size_t i = 0; i < m->nplugins; i++) {
		on += m->plugins[i].enabled;
		faulted += m->plugins[i].state != NULL &&
		    strcmp(m->plugins[i].state, "faulted") == 0;
	}
	for (size_t i = 0; i < m->ntasks; i++)
		paused += !m->tasks[i].enabled;
	header_host(ui, host, sizeof host);
	faults[0] = '\0';
	if (faulted > 0)
		snprintf(faults, sizeof faults, _(", %zu faulted"), faulted);
	snprintf(counts, sizeof counts,
	    _("plugins %zu (%zu on%s)  tasks %zu (%zu paused)  runs/min %d  "
	    "running %d"), m->nplugins, on, faults, m->ntasks, paused,
	    m->runs_per_min, m->running);
	/* Nobody hosting is what the header must not cut: it goes first,
	 * in the colour of failures. */
	if (!ui->host.present) {
		snprintf(line, sizeof line, " %s  %s", host, counts);
		put_cells(ui, 0, 0, ui->cols, line, ui_attr(ui, CP_BAD, A_BOLD) |
		    A_REVERSE | A_BOLD);
		return;
	}
	snprintf(line, sizeof line, _(" manager  %s  %s"), counts, host);
	put_cells(ui, 0, 0, ui->cols, line, ui_attr(ui, CP_TITLE, A_REVERSE) |
	    (ui->colors ? A_REVERSE : 0));
}

static void
draw_pane(const struct ui *ui, int idx)
{
	const struct ui_pane *p = &ui->panes[idx];
	int focused = ui->focus == idx && !UI_VIEW_OPEN(ui);
	int inner = p->w - 2, body = p->h - 3;
	char title[256], buf[2048];
	const char *name = p->only == PANE_ONLY_FAILED ? _("Failed runs") :
	    p->only == PANE_ONLY_RUNNING ? _("Running runs") : _(p->ops->title);

	if (p->filter[0] != '\0' || p->only != PANE_ONLY_ALL)
		snprintf(title, sizeof title, _(" %s %zu/%zu  /%s "), name,
		    p->nrows, p->ops->count(ui), p->filter);
	else
		snprintf(title, sizeof title, " %s %zu ", name, p->nrows);
	draw_box(ui, p->y, p->x, p->h, p->w, title, focused);
	if (inner <= 0 || body <= 0)
		return;
	p->ops->header(ui, inner, buf, sizeof buf);
	put_cells(ui, p->y + 1, p->x + 1, inner, buf, A_UNDERLINE | A_BOLD);
	for (int r = 0; r < body && p->top + (size_t)r < p->nrows; r++) {
		size_t row = p->top + (size_t)r;
		int attr = p->ops->row(ui, p->rows[row], inner, buf, sizeof buf);

		if (row == p->sel)
			attr = focused ? (attr | A_REVERSE) : (attr | A_BOLD);
		put_cells(ui, p->y + 2 + r, p->x + 1, inner, buf, attr);
	}
	if (p->nrows == 0)
		put_cells(ui, p->y + 2, p->x + 1, inner, p->filter[0] != '\0' ?
		    _("(nothing matches the filter)") : _("(none)"), A_DIM);
	/* No erase() between frames: rows gone are blanked. */
	for (int r = p->nrows > p->top ? (int)(p->nrows - p->top) :
	    p->nrows == 0; r < body; r++)
		put_cells(ui, p->y + 2 + r, p->x + 1, inner, "", 0);
}

static void
draw_view(const struct ui *ui)
{
	const struct ui_view *v = &ui->view;
	int h = ui->rows - 3, inner = ui->cols - 2;
	size_t sel = pick_selected_line(ui);	/* the picker's row */
	char title[512];

	if (sel == (size_t)-1)
		sel = view_cursor_line(ui);	/* a task page's cursor */
	snprintf(title, sizeof title, " %s  %zu/%zu ", v->title != NULL ?
	    v->title : "", v->nlines > 0 ? v->top + 1 : 0, v->nlines);
	draw_box(ui, 1, 0, h, ui->cols, title, 1);
	for (int r = 0; r < h - 2 && v->top + (size_t)r < v->nlines; r++) {
		put_cells(ui, 2 + r, 1, inner, v->lines[v->top + (size_t)r],
		    v->top + (size_t)r == sel ? (int)A_REVERSE : 0);
		search_mark(ui, 2 + r, 1, inner, v->lines[v->top + (size_t)r],
		    v->top + (size_t)r == sel);
	}
}

/* A message wider than the screen is cut with a pointer to the whole. */
static void
draw_status(const struct ui *ui)
{
	int attr = ui->status_error ? ui_attr(ui, CP_BAD, A_BOLD) | A_BOLD : 0;
	const char *more = _(" [m: whole message]");
	int wmore = fmt_width(more);
	char buf[2048];

	if (fmt_width(ui->status) <= ui->cols || ui->cols <= wmore + 10) {
		put_cells(ui, ui->rows - 1, 0, ui->cols, ui->status, attr);
		return;
	}
	fmt_fit(ui->status, ui->cols - wmore, 0, ui->utf8, buf, sizeof buf);
	put_cells(ui, ui->rows - 1, 0, ui->cols - wmore, buf, attr);
	put_cells(ui, ui->rows - 1, ui->cols - wmore, wmore, more, A_BOLD);
}

static void
draw_bottom(const struct ui *ui)
{
	char footer[1024];
	char *text;

	keys_footer(ui, footer, sizeof footer);
	put_cells(ui, ui->rows - 2, 0, ui->cols, footer, 0);
	if (UI_TYPING(ui)) {
		/* While typing, messages (completions) take the footer. */
		if (ui->status[0] != '\0')
			put_cells(ui, ui->rows - 2, 0, ui->cols, ui->status,
			    ui->status_error ? ui_attr(ui, CP_BAD, A_BOLD) : (int)A_BOLD);
		text = prompt_text(&ui->line);
		put_cells(ui, ui->rows - 1, 0, ui->cols, "", 0);
		mvaddstr(ui->rows - 1, 0, ui->mode == MODE_PROMPT ? ":" : "/");
		put_cells(ui, ui->rows - 1, 1, ui->cols - 1, text, 0);
		free(text);
		return;
	}
	draw_status(ui);
}

/* The cursor shows only while typing, after the text before it. */
static void
place_cursor(const struct ui *ui)
{
	int x;

	if (!UI_TYPING(ui)) {
		curs_set(0);
		return;
	}
	x = 1 + prompt_cursor_cells(&ui->line);
	if (x >= ui->cols)
		x = ui->cols - 1;
	move(ui->rows - 1, x);
	curs_set(1);
}

static void
draw_too_small(const struct ui *ui)
{
	char msg[256];
	int y = ui->rows / 2;

	snprintf(msg, sizeof msg, _("window too small (%dx%d), need %dx%d; q quits"),
	    ui->cols, ui->rows, UI_MIN_COLS, UI_MIN_ROWS);
	put_cells(ui, y > 0 ? y - 1 : 0, 0, ui->cols, msg, A_BOLD);
}

void
ui_draw(struct ui *ui)
{
	frame_start(ui);
	if (ui->too_small) {
		draw_too_small(ui);
		curs_set(0);
	} else {
		draw_header(ui);
		if (UI_VIEW_OPEN(ui))
			draw_view(ui);
		else
			for (int i = 0; i < PANE_COUNT; i++)
				if (pane_shown(ui, i))
					draw_pane(ui, i);
		draw_bottom(ui);
		place_cursor(ui);
	}
	refresh();
	ui->dirty = 0;
}
