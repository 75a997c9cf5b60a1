/* pick.c - the snapshot picker of the plugins pane ('S'): a list of the
 * plugin's snapshots, newest first, read from the console's own
 * connection; j/k move, Enter asks y/n and then runs
 * `snapshot restore ID` through the command table, Esc cancels. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "snapshot_store.h"
#include "util.h"

#include "nc_fns.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows start after the column header line of the view. */
#define PICK_HEADER_LINES 1

static void
pick_clear(struct ui *ui)
{
	struct ui_pick *p = &ui->pick;

	snapshot_recs_free(p->snaps, p->n);
	free(p->plugin);
	memset(p, 0, sizeof *p);
}

static char *
pick_text(const struct ui_pick *p)
{
	struct strbuf sb = STRBUF_INIT;
	char when[40], p1[64], p2[64], p3[64], p4[64];

	strbuf_addf(&sb, "  %s %s %s %s %s\n", fmt_pad(_("ID"), 6, p1, sizeof p1),
	    fmt_pad(_("VERSION"), 12, p2, sizeof p2), fmt_pad(_("CREATED"), 24,
	    p3, sizeof p3), fmt_pad(_("REASON"), 9, p4, sizeof p4), _("SIZE"));
	for (size_t i = 0; i < p->n; i++) {
		fmt_datetime(p->snaps[i].created_at, when, sizeof when);
		strbuf_addf(&sb, "  #%-5" PRId64 " %-12s %-24s %-9s ",
		    p->snaps[i].id, p->snaps[i].version, when, p->snaps[i].reason);
		strbuf_addf(&sb, ngettext("%lld byte", "%lld bytes",
		    (unsigned long)p->snaps[i].size), (long long)p->snaps[i].size);
		strbuf_adds(&sb, "\n");
	}
	return strbuf_detach(&sb);
}

void
pick_open(struct ui *ui, const char *plugin)
{
	struct ui_pick *p = &ui->pick;
	struct mgr_error err = { 0 };
	char *title, *text;

	pick_clear(ui);
	if (snapshot_store_list(ui->db, plugin, &p->snaps, &p->n, &err) != 0) {
		ui_status(ui, 1, _("cannot list the snapshots of %s: %s"), plugin,
		    err.msg);
		return;
	}
	if (p->n == 0) {
		pick_clear(ui);
		ui_status(ui, 1, _("plugin %s has no snapshots: s takes one"), plugin);
		return;
	}
	p->plugin = xstrdup(plugin);
	title = xasprintf(_("Restore %s: pick a snapshot"), plugin);
	text = pick_text(p);
	view_set_text(ui, title, text);
	free(title);
	free(text);
	ui->view.kind = VIEW_PICK;
	ui->mode = MODE_PICK;
	ui_status(ui, 0, ngettext("%zu snapshot of %s: j/k move, Enter restores, "
	    "Esc cancels", "%zu snapshots of %s: j/k move, Enter restores, "
	    "Esc cancels", p->n), p->n, plugin);
}

/* Keeps the selected row (and, when it fits, the header) on screen. */
static void
pick_scroll(struct ui *ui)
{
	struct ui_view *v = &ui->view;
	size_t line = ui->pick.sel + PICK_HEADER_LINES;
	size_t body = ui->rows > 6 ? (size_t)ui->rows - 5 : 1;

	if (line < body)
		v->top = 0;
	else if (line < v->top)
		v->top = line;
	else if (line >= v->top + body)
		v->top = line - body + 1;
}

static void
pick_move(struct ui *ui, long delta)
{
	struct ui_pick *p = &ui->pick;
	long sel = (long)p->sel + delta;

	if (sel >= (long)p->n)
		sel = (long)p->n - 1;
	p->sel = sel > 0 ? (size_t)sel : 0;
	pick_scroll(ui);
}

static void
pick_cancel(struct ui *ui)
{
	pick_clear(ui);
	view_close(ui);
	ui_status(ui, 0, "%s", _("cancelled"));
}

/* Enter: the picker closes and the y/n question takes the status line. */
static void
pick_choose(struct ui *ui)
{
	const struct snapshot_rec *s = &ui->pick.snaps[ui->pick.sel];
	char id[32], when[40], question[512];
	char **argv;

	snprintf(id, sizeof id, "%" PRId64, s->id);
	fmt_datetime(s->created_at, when, sizeof when);
	snprintf(question, sizeof question, _("Restore %s to snapshot #%s "
	    "(version %s of %s)? Its current files, plugin record and stored "
	    "state are replaced (y/n)"), ui->pick.plugin, id, s->version, when);
	argv = strv_push(strv_push(strv_push(strv_push(NULL, "snapshot"),
	    "restore"), "--"), id);
	pick_clear(ui);
	view_close(ui);
	action_confirm(ui, question, argv);
}

void
pick_key(struct ui *ui, int key, int is_char)
{
	if ((is_char && key == 'j') || (!is_char && key == KEY_DOWN))
		pick_move(ui, 1);
	else if ((is_char && key == 'k') || (!is_char && key == KEY_UP))
		pick_move(ui, -1);
	else if ((is_char && key == 'g') || (!is_char && key == KEY_HOME))
		pick_move(ui, -(long)ui->pick.n);
	else if ((is_char && key == 'G') || (!is_char && key == KEY_END))
		pick_move(ui, (long)ui->pick.n);
	else if ((is_char && (key == '\n' || key == '\r')) ||
	    (!is_char && key == KEY_ENTER))
		pick_choose(ui);
	else if (is_char && (key == 27 || key == 'q'))
		pick_cancel(ui);
	else if (!(key == KEY_RESIZE && !is_char))
		ui_status(ui, 1, "%s", _("j/k move, Enter restores the "
		    "selected snapshot, Esc cancels"));
}

/* The view line drawn highlighted, or (size_t)-1. */
size_t
pick_selected_line(const struct ui *ui)
{
	if (ui->mode != MODE_PICK || ui->view.kind != VIEW_PICK)
		return (size_t)-1;
	return ui->pick.sel + PICK_HEADER_LINES;
}

void
pick_free(struct ui *ui)
{
	pick_clear(ui);
}
