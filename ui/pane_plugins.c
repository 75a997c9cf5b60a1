/* pane_plugins.c - the plugins pane: ID VERSION STATE (and the error of
 * a faulted plugin when there is room); a plugin a repository has a
 * newer version of shows it after its state: "enabled ↑1.3.0" (U
 * upgrades it). */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static size_t
plugins_count(const struct ui *ui)
{
	return ui->model.nplugins;
}

static const char *
plugins_id(const struct ui *ui, size_t i)
{
	return ui->model.plugins[i].id;
}

/* "↑1.3.0", or "^1.3.0" on a terminal without UTF-8: the newer version
 * a repository has of plugin id, or "". */
static void
plugin_newer(const struct ui *ui, const char *id, char *buf, size_t size)
{
	const struct ui_newer *n = outdated_get(ui, id);

	buf[0] = '\0';
	if (n != NULL)
		snprintf(buf, size, "%s%s", ui->utf8 ? "\xe2\x86\x91" : "^", n->want);
}

/* "/upgradable" keeps the plugins a repository has a newer version of. */
static int
plugins_match(const struct ui *ui, size_t i, const char *filter)
{
	const struct plugin_rec *p = &ui->model.plugins[i];
	char newer[64];

	plugin_newer(ui, p->id, newer, sizeof newer);
	return ui_contains(p->id, filter) || ui_contains(p->name, filter) ||
	    ui_contains(p->state, filter) || ui_contains(newer, filter) ||
	    (newer[0] != '\0' && ui_contains(_("upgradable"), filter));
}


static int
version_width(int width)
{
	return width >= 34 ? 9 : 7;
}

/* The id gets half of what version leaves, at most 24 cells; the state
 * (and a faulted plugin's error) the rest. */
static int
plugin_id_width(int width)
{
	int rest = width - version_width(width) - 2;
	int w = rest - 16 > rest / 2 ? rest - 16 : rest / 2;

	return w > 24 ? 24 : w;
}

enum { PSORT_ID, PSORT_VERSION, PSORT_STATE, PSORT_COUNT };

static void
plugins_header(const struct ui *ui, int width, char *buf, size_t size)
{
	const struct ui_pane *p = &ui->panes[PANE_PLUGINS];
	int wid = plugin_id_width(width);
	char t[64];

	buf[0] = '\0';
	fmt_cat(buf, size, pane_col_title(ui, p, PSORT_ID, _("PLUGIN"), t,
	    sizeof t), wid, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, pane_col_title(ui, p, PSORT_VERSION, _("VERSION"), t,
	    sizeof t), version_width(width), ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, pane_col_title(ui, p, PSORT_STATE, _("STATE"), t,
	    sizeof t), width - wid - version_width(width) - 2, ui->utf8);
}

static int
plugins_row(const struct ui *ui, size_t i, int width, char *buf, size_t size)
{
	const struct plugin_rec *p = &ui->model.plugins[i];
	const char *state = p->state != NULL ? p->state : "";
	int wid = plugin_id_width(width);
	char tail[600], more[64] = "";

	/* Before the error: an error is long, the mark short. */
	plugin_newer(ui, p->id, more + 1, sizeof more - 1);
	more[0] = more[1] != '\0' ? ' ' : '\0';
	if (p->error != NULL && p->error[0] != '\0')
		snprintf(tail, sizeof tail, "%s%s: %s", state, more, p->error);
	else
		snprintf(tail, sizeof tail, "%s%s", state, more);
	buf[0] = '\0';
	fmt_cat(buf, size, p->id, wid, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, p->version != NULL ? p->version : "",
	    version_width(width), ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, tail, width - wid - version_width(width) - 2,
	    ui->utf8);
	return ui_status_attr(ui, state);
}

static int
plugins_failed(const struct ui *ui, size_t i)
{
	const char *state = ui->model.plugins[i].state;

	return state != NULL && strcmp(state, "faulted") == 0;
}

static const char *
str0(const char *s)
{
	return s != NULL ? s : "";
}

/* By the pane's column, ties by id; versions compare as text, which
 * puts "1.10" before "1.9" but never moves a row between ticks. */
static int
plugins_cmp(const void *a, const void *b, void *arg)
{
	const struct ui *ui = arg;
	const struct ui_pane *p = &ui->panes[PANE_PLUGINS];
	const struct plugin_rec *x = &ui->model.plugins[*(const size_t *)a];
	const struct plugin_rec *y = &ui->model.plugins[*(const size_t *)b];
	int c = 0;

	if (p->sort_col == PSORT_VERSION)
		c = strcmp(str0(x->version), str0(y->version));
	else if (p->sort_col == PSORT_STATE)
		c = strcmp(str0(x->state), str0(y->state));
	if (c == 0)
		c = strcmp(x->id, y->id);
	return p->sort_rev ? -c : c;
}

static void
plugins_sort(struct ui *ui, struct ui_pane *p)
{
	if (p->nrows > 1)	/* rows is NULL when there are none */
		qsort_r(p->rows, p->nrows, sizeof *p->rows, plugins_cmp, ui);
}

const struct pane_ops pane_plugins_ops = {
	.title = N_("Plugins"),
	.count = plugins_count,
	.id = plugins_id,
	.match = plugins_match,
	.header = plugins_header,
	.row = plugins_row,
	.nsort = PSORT_COUNT,
	.sort = plugins_sort,
	.failed = plugins_failed,
};
