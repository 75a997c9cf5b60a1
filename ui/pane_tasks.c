/* pane_tasks.c - the tasks pane, like `systemctl list-timers`:
 * NEXT LEFT LAST STATUS TASK, sorted by any of them. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

enum { W_NEXT = 9, W_LEFT = 9, W_LAST = 9, W_STATUS = 10 };
/* TASK shrinks to these before LEFT, then LAST, go. */
enum { W_TASK_ALL = 16, W_TASK_NOLEFT = 12 };

static size_t
tasks_count(const struct ui *ui)
{
	return ui->model.ntasks;
}

static const char *
tasks_id(const struct ui *ui, size_t i)
{
	return model_task_at(&ui->model, i)->id;
}

static int
tasks_match(const struct ui *ui, size_t i, const char *filter)
{
	const struct ui_task *t = model_task_at(&ui->model, i);

	return ui_contains(t->id, filter) || ui_contains(t->name, filter) ||
	    ui_contains(model_task_status(t), filter);
}

static int
tasks_failed(const struct ui *ui, size_t i)
{
	const char *s = model_task_status(model_task_at(&ui->model, i));

	return strcmp(s, "failed") == 0 || strcmp(s, "timeout") == 0;
}

/* Which columns a pane of this width shows: TASK gives up room first
 * (down to W_TASK_ALL), then LEFT goes (it repeats NEXT), then TASK
 * shrinks to W_TASK_NOLEFT, and only then LAST goes: at 80 columns the
 * pane keeps LAST. */
struct task_cols {
	int left, last, name;
};

static struct task_cols
task_cols(int width)
{
	struct task_cols c = { 1, 1, 0 };
	int fixed = W_NEXT + W_STATUS + 2;

	c.name = width - fixed - (W_LEFT + 1) - (W_LAST + 1);
	if (c.name >= W_TASK_ALL)
		return c;
	c.left = 0;
	c.name = width - fixed - (W_LAST + 1);
	if (c.name >= W_TASK_NOLEFT)
		return c;
	c.last = 0;
	c.name = width - fixed;
	return c;
}

static void
tasks_header(const struct ui *ui, int width, char *buf, size_t size)
{
	const struct ui_pane *p = &ui->panes[PANE_TASKS];
	struct task_cols c = task_cols(width);
	char t[64];

	buf[0] = '\0';
	fmt_cat(buf, size, pane_col_title(ui, p, UI_TSORT_NEXT, _("NEXT"), t,
	    sizeof t), W_NEXT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	if (c.left) {
		fmt_cat(buf, size, pane_col_title(ui, p, UI_TSORT_LEFT, _("LEFT"),
		    t, sizeof t), W_LEFT, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	if (c.last) {
		fmt_cat(buf, size, pane_col_title(ui, p, UI_TSORT_LAST, _("LAST"),
		    t, sizeof t), W_LAST, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	fmt_cat(buf, size, pane_col_title(ui, p, UI_TSORT_STATUS, _("STATUS"),
	    t, sizeof t), W_STATUS, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, pane_col_title(ui, p, UI_TSORT_TASK, _("TASK"), t,
	    sizeof t), c.name, ui->utf8);
}

static void
task_left(const struct ui_task *t, int64_t now, char *buf, size_t size)
{
	if (t->next_run == 0 || !t->enabled)
		snprintf(buf, size, "-");
	else if (t->next_run <= now)
		snprintf(buf, size, "%s", _("now"));
	else
		fmt_duration(t->next_run - now, buf, size);
}

static int
tasks_row(const struct ui *ui, size_t i, int width, char *buf, size_t size)
{
	const struct ui_task *t = model_task_at(&ui->model, i);
	int64_t now = mgr_now_us();
	struct task_cols c = task_cols(width);
	char next[32], left[32], last[32], name[512];

	fmt_when(t->enabled ? t->next_run : 0, now, next, sizeof next);
	task_left(t, now, left, sizeof left);
	fmt_when(t->last_run, now, last, sizeof last);
	/* The id is what commands take; the name follows when it differs. */
	if (t->name != NULL && t->name[0] != '\0' && strcmp(t->name, t->id) != 0
	    && c.name > 24)
		snprintf(name, sizeof name, "%s  %s", t->id, t->name);
	else
		snprintf(name, sizeof name, "%s", t->id);
	buf[0] = '\0';
	fmt_cat(buf, size, next, W_NEXT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	if (c.left) {
		fmt_cat(buf, size, left, W_LEFT, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	if (c.last) {
		fmt_cat(buf, size, last, W_LAST, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	fmt_cat(buf, size, model_task_status(t), W_STATUS, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, name, c.name, ui->utf8);
	return ui_status_attr(ui, model_task_status(t));
}

/* The model keeps the tasks in the pane's order (one qsort when the
 * tasks change, none per frame); the filtered rows follow it. */
static void
tasks_sort(struct ui *ui, struct ui_pane *p)
{
	struct ui_model *m = &ui->model;

	if (m->sort_col == p->sort_col && m->sort_rev == p->sort_rev)
		return;
	m->sort_col = p->sort_col;
	m->sort_rev = p->sort_rev;
	model_tasks_sort(m);
	/* The rows were model positions in the old order: filter again
	 * (this time the orders agree and the call returns at once). */
	pane_rebuild(ui, p);
}

const struct pane_ops pane_tasks_ops = {
	.title = N_("Tasks"),
	.count = tasks_count,
	.id = tasks_id,
	.match = tasks_match,
	.header = tasks_header,
	.row = tasks_row,
	.nsort = UI_TSORT_COUNT,
	.sort = tasks_sort,
	.failed = tasks_failed,
};
