/* pane_log.c - the live log: runs and events, newest first. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

enum { W_TIME = 9, W_SUBJECT = 18, W_WHAT = 14 };

static size_t
log_count(const struct ui *ui)
{
	return ui->model.nlog;
}

/* Rows are identified by kind and id, so the selection survives new
 * lines arriving at the top. */
static const char *
log_id(const struct ui *ui, size_t i)
{
	return ui->model.log[i].key;
}

static int
log_match(const struct ui *ui, size_t i, const char *filter)
{
	const struct ui_log *l = &ui->model.log[i];

	return ui_contains(l->subject, filter) || ui_contains(l->what, filter) ||
	    ui_contains(l->text, filter);
}


static void
log_header(const struct ui *ui, int width, char *buf, size_t size)
{
	buf[0] = '\0';
	fmt_cat(buf, size, _("TIME"), W_TIME, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, _("TASK/SUBJECT"), W_SUBJECT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, _("WHAT"), W_WHAT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, _("DETAILS"), width - W_TIME - W_SUBJECT - W_WHAT - 3,
	    ui->utf8);
}

static int
log_row(const struct ui *ui, size_t i, int width, char *buf, size_t size)
{
	const struct ui_log *l = &ui->model.log[i];
	char when[32];

	fmt_when(l->at, mgr_now_us(), when, sizeof when);
	buf[0] = '\0';
	fmt_cat(buf, size, when, W_TIME, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, l->subject != NULL ? l->subject : "", W_SUBJECT,
	    ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, l->what != NULL ? l->what : "", W_WHAT, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, l->text != NULL ? l->text : "",
	    width - W_TIME - W_SUBJECT - W_WHAT - 3, ui->utf8);
	return ui_status_attr(ui, l->what);
}

/* A run that ended badly (as the colours count it) or still runs. */
static int
log_only(const struct ui *ui, size_t i, int only)
{
	const struct ui_log *l = &ui->model.log[i];
	static const char *const bad[] = { "failed", "timeout", "interrupted",
	    "killed", "missed", NULL };

	if (!l->is_run || l->what == NULL)
		return 0;
	if (only == PANE_ONLY_RUNNING)
		return strcmp(l->what, "running") == 0;
	for (size_t k = 0; bad[k] != NULL; k++)
		if (strcmp(l->what, bad[k]) == 0)
			return 1;
	return 0;
}

const struct pane_ops pane_log_ops = {
	.title = N_("Runs / events (live)"),
	.follow = 1,
	.count = log_count,
	.id = log_id,
	.match = log_match,
	.header = log_header,
	.row = log_row,
	.only = log_only,
};
