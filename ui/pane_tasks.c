/* pane_tasks.c - the tasks pane, like `systemctl list-timers`:
 * NEXT LEFT LAST STATUS TASK. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

enum { W_NEXT = 9, W_LEFT = 9, W_LAST = 9, W_STATUS = 10 };

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

/* A paused task says so whatever its last status was. */
static const char *
task_status(const struct ui_task *t)
{
	if (!t->enabled)
		return "paused";
	return t->status != NULL ? t->status : "";
}

static int
tasks_match(const struct ui *ui, size_t i, const char *filter)
{
	const struct ui_task *t = model_task_at(&ui->model, i);

	return ui_contains(t->id, filter) || ui_contains(t->name, filter) ||
	    ui_contains(task_status(t), filter);
}


/* LAST is the first column to go on a narrow pane. */
static int
show_last(int width)
{
	return width >= 64;
}

/* Then LEFT, on the narrowest. */
static int
show_left(int width)
{
	return width >= 44;
}

static int
task_cols_name(int width)
{
	return width - (W_NEXT + W_STATUS + 2) -
	    (show_left(width) ? W_LEFT + 1 : 0) -
	    (show_last(width) ? W_LAST + 1 : 0);
}

static void
tasks_header(const struct ui *ui, int width, char *buf, size_t size)
{
	buf[0] = '\0';
	fmt_cat(buf, size, _("NEXT"), W_NEXT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	if (show_left(width)) {
		fmt_cat(buf, size, _("LEFT"), W_LEFT, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	if (show_last(width)) {
		fmt_cat(buf, size, _("LAST"), W_LAST, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	fmt_cat(buf, size, _("STATUS"), W_STATUS, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, _("TASK"), task_cols_name(width), ui->utf8);
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
	char next[32], left[32], last[32], name[512];
	int wname = task_cols_name(width);

	fmt_when(t->enabled ? t->next_run : 0, now, next, sizeof next);
	task_left(t, now, left, sizeof left);
	fmt_when(t->last_run, now, last, sizeof last);
	/* The id is what commands take; the name follows when it differs. */
	if (t->name != NULL && t->name[0] != '\0' && strcmp(t->name, t->id) != 0
	    && wname > 24)
		snprintf(name, sizeof name, "%s  %s", t->id, t->name);
	else
		snprintf(name, sizeof name, "%s", t->id);
	buf[0] = '\0';
	fmt_cat(buf, size, next, W_NEXT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	if (show_left(width)) {
		fmt_cat(buf, size, left, W_LEFT, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	if (show_last(width)) {
		fmt_cat(buf, size, last, W_LAST, ui->utf8);
		fmt_cat(buf, size, " ", 1, ui->utf8);
	}
	fmt_cat(buf, size, task_status(t), W_STATUS, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, name, wname, ui->utf8);
	return ui_status_attr(ui, task_status(t));
}

const struct pane_ops pane_tasks_ops = {
	.title = N_("Tasks"),
	.count = tasks_count,
	.id = tasks_id,
	.match = tasks_match,
	.header = tasks_header,
	.row = tasks_row,
};
