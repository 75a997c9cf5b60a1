/* pane_plugins.c - the plugins pane: ID VERSION STATE (and the error of
 * a faulted plugin when there is room). */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
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

static int
plugins_match(const struct ui *ui, size_t i, const char *filter)
{
	const struct plugin_rec *p = &ui->model.plugins[i];

	return ui_contains(p->id, filter) || ui_contains(p->name, filter) ||
	    ui_contains(p->state, filter);
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

static void
plugins_header(const struct ui *ui, int width, char *buf, size_t size)
{
	int wid = plugin_id_width(width);

	buf[0] = '\0';
	fmt_cat(buf, size, _("PLUGIN"), wid, ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, _("VERSION"), version_width(width), ui->utf8);
	fmt_cat(buf, size, " ", 1, ui->utf8);
	fmt_cat(buf, size, _("STATE"), width - wid - version_width(width) - 2,
	    ui->utf8);
}

static int
plugins_row(const struct ui *ui, size_t i, int width, char *buf, size_t size)
{
	const struct plugin_rec *p = &ui->model.plugins[i];
	const char *state = p->state != NULL ? p->state : "";
	int wid = plugin_id_width(width);
	char tail[600];

	if (p->error != NULL && p->error[0] != '\0')
		snprintf(tail, sizeof tail, "%s: %s", state, p->error);
	else
		snprintf(tail, sizeof tail, "%s", state);
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

const struct pane_ops pane_plugins_ops = {
	.title = N_("Plugins"),
	.count = plugins_count,
	.id = plugins_id,
	.match = plugins_match,
	.header = plugins_header,
	.row = plugins_row,
};
