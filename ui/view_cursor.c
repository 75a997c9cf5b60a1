/* view_cursor.c - a task's page has a cursor line, so a run of its
 * history can be chosen: j/k (and the page keys) move it, the page
 * scrolls to keep it on screen, Enter on a run opens the run's page (the
 * same as from the runs pane) and X stops that run.  Esc on a run's page
 * opened so goes back to the task's page, where the cursor was.  The
 * history shows UI_HISTORY_PAGE runs; moving past its last line shows
 * the next page. */
#include "i18n.h"
#include "ui.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int
view_has_cursor(const struct ui_view *v)
{
	return v->kind == VIEW_TASK;
}

static size_t
page_height(const struct ui *ui)
{
	return ui->rows > 5 ? (size_t)(ui->rows - 5) : 1;
}

/* Keeps the cursor within the page's lines and on screen. */
void
view_cursor_clamp(struct ui *ui)
{
	struct ui_view *v = &ui->view;
	size_t page = page_height(ui);

	if (v->cur >= v->nlines)
		v->cur = v->nlines > 0 ? v->nlines - 1 : 0;
	if (v->cur < v->top)
		v->top = v->cur;
	else if (v->cur >= v->top + page)
		v->top = v->cur - page + 1;
}

void
view_cursor_move(struct ui *ui, long delta)
{
	struct ui_view *v = &ui->view;
	long cur = (long)v->cur + delta;

	/* From the last line of a history cut short, on: the next page. */
	if (delta > 0 && v->history_more && v->nlines > 0 &&
	    v->cur == v->nlines - 1) {
		v->history = (v->history > 0 ? v->history : UI_HISTORY_PAGE) +
		    UI_HISTORY_PAGE;
		details_rebuild(ui);
	}
	if (cur >= (long)v->nlines)
		cur = (long)v->nlines - 1;
	v->cur = cur > 0 ? (size_t)cur : 0;
	view_cursor_clamp(ui);
}

size_t
view_cursor_line(const struct ui *ui)
{
	return UI_VIEW_OPEN(ui) && view_has_cursor(&ui->view) ?
	    ui->view.cur : (size_t)-1;
}

/* The run on the cursor's line of a task's page; 0 when it is none. */
int
view_selected_run(const struct ui *ui, int64_t *id)
{
	const struct ui_view *v = &ui->view;

	if (!UI_VIEW_OPEN(ui) || !view_has_cursor(v) || v->cur >= v->nlines)
		return 0;
	return details_run_line(v->lines[v->cur], id);
}

void
view_open_selected_run(struct ui *ui)
{
	struct ui_view *v = &ui->view;
	size_t cur = v->cur, top = v->top, history = v->history;
	char num[32];
	char *task;
	int64_t id;

	if (!view_selected_run(ui, &id)) {
		ui_status(ui, 1, "%s", _("Enter opens a run: move to a line of the "
		    "run history (j/k)"));
		return;
	}
	task = xstrdup(v->id);
	snprintf(num, sizeof num, "%" PRId64, id);
	details_open(ui, VIEW_RUN, num);
	v->back_task = task;
	v->back_cur = cur;
	v->back_top = top;
	v->back_history = history;
}

int
view_back(struct ui *ui)
{
	struct ui_view *v = &ui->view;
	size_t cur = v->back_cur, top = v->back_top, history = v->back_history;
	char *task = v->back_task;

	if (v->kind != VIEW_RUN || task == NULL)
		return 0;
	v->back_task = NULL;
	details_open(ui, VIEW_TASK, task);
	free(task);
	if (history > 0) {
		v->history = history;
		details_rebuild(ui);
	}
	v->cur = cur;
	v->top = top;
	view_cursor_clamp(ui);
	return 1;
}
