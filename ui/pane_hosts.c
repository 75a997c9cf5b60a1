/* pane_hosts.c - the hosts pane (H): the host registry as `host list`
 * shows it (ID EPOCH STATE LEASE RUNNING VERSION PID), the engine host's
 * row marked "*", a live standby's state "standby".  Hidden until H opens
 * it, under the runs pane; while it shows, the registry is read once a
 * second (a lease counts down without any write), never otherwise.  The
 * row of this console's own host, while it cannot reach the database,
 * says "database unreachable since T" after its pid, in the colour of a
 * dead host, until it reconnects (as the status line does).  d
 * drains the selected host after a question and r undoes it: the
 * command lines `host drain ID` and `host drain --undo ID`, so the
 * console acts exactly as the CLI does. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "hosts_store.h"
#include "util.h"

#include "nc_fns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { W_MARK = 2, W_EPOCH = 6, W_STATE = 9, W_LEASE = 8, W_RUNNING = 7,
	W_VERSION = 12, W_PID = 7, W_GAPS = 6 };

static int
host_live(const struct host_rec *r)
{
	return strcmp(r->state, "alive") == 0 ||
	    strcmp(r->state, "draining") == 0;
}

/* The row of the process that holds the engine lock: host list's rule
 * (the live row of the holder's pid), and never a standby's. */
static int
host_is_engine(const struct ui *ui, const struct host_rec *r)
{
	return ui->host.present && host_live(r) && !r->standby &&
	    r->pid == ui->host.pid;
}

/* This console's own host while it cannot reach the database: the
 * registry's rows are those read before (no read goes through), and
 * only this process knows its own state (host_poll). */
static int
host_lost_db(const struct ui *ui, const struct host_rec *r)
{
	return ui->host.db_down_since != 0 && host_live(r) &&
	    r->pid == (int)getpid();
}

/* The pid cell of such a host: "PID  database unreachable since T". */
static void
host_lost_text(const struct ui *ui, int pid, char *buf, size_t size)
{
	char since[32], *text;

	fmt_when(ui->host.db_down_since, mgr_now_us(), since, sizeof since);
	text = xasprintf(_("database unreachable since %s"), since);
	snprintf(buf, size, "%d  %s", pid, text);
	free(text);
}

/* As host list shows it: a live standby says so. */
static const char *
host_state_shown(const struct host_rec *r)
{
	return r->standby && strcmp(r->state, "alive") == 0 ? "standby" :
	    r->state;
}

static size_t
hosts_count(const struct ui *ui)
{
	return ui->nhosts;
}

static const char *
hosts_id(const struct ui *ui, size_t i)
{
	return ui->hosts[i].host_id;
}

static int
hosts_match(const struct ui *ui, size_t i, const char *filter)
{
	const struct host_rec *r = &ui->hosts[i];

	return ui_contains(r->host_id, filter) ||
	    ui_contains(host_state_shown(r), filter) ||
	    ui_contains(r->version, filter);
}

/* The id gets what the fixed columns leave, 8 to 24 cells; the pid the
 * rest. */
static int
id_width(int width)
{
	int w = width - W_MARK - W_EPOCH - W_STATE - W_LEASE - W_RUNNING -
	    W_VERSION - W_PID - W_GAPS;

	return w > 24 ? 24 : w < 8 ? 8 : w;
}

/* Cells of host list's columns, in its order; the last takes the rest. */
static void
hosts_cells(const struct ui *ui, int width, const char *const cell[8],
	    char *buf, size_t size)
{
	static const int fixed[] = { W_MARK, 0, W_EPOCH, W_STATE, W_LEASE,
	    W_RUNNING, W_VERSION };
	int used = 0;

	buf[0] = '\0';
	for (int c = 0; c < 7; c++) {
		int w = c == 1 ? id_width(width) : fixed[c];

		fmt_cat(buf, size, cell[c], w, ui->utf8);
		used += w;
		if (c > 0) {
			fmt_cat(buf, size, " ", 1, ui->utf8);
			used++;
		}
	}
	fmt_cat(buf, size, cell[7], width - used, ui->utf8);
}

static void
hosts_header(const struct ui *ui, int width, char *buf, size_t size)
{
	const char *cell[8] = { "", _("ID"), _("EPOCH"), _("STATE"),
	    _("LEASE"), _("RUNNING"), _("VERSION"), _("PID") };

	hosts_cells(ui, width, cell, buf, size);
}

/* The running runs go to the engine's row: runs have no host column yet
 * (host list does the same). */
static int
hosts_row(const struct ui *ui, size_t i, int width, char *buf, size_t size)
{
	const struct host_rec *r = &ui->hosts[i];
	int engine = host_is_engine(ui, r);
	char epoch[24], lease[32], running[16], pid[160];
	const char *cell[8] = { engine ? "*" : "", r->host_id, epoch,
	    host_state_shown(r), lease, running, r->version != NULL ?
	    r->version : "", pid };

	snprintf(epoch, sizeof epoch, "%lld", (long long)r->epoch);
	if (host_live(r) && r->leased)
		snprintf(lease, sizeof lease, "%.1fs",
		    (double)r->lease_left_us / 1e6);
	else
		snprintf(lease, sizeof lease, "-");
	snprintf(running, sizeof running, "%d", engine ? ui->model.running : 0);
	snprintf(pid, sizeof pid, "%d", r->pid);
	if (host_lost_db(ui, r))	/* the last cell takes the rest */
		host_lost_text(ui, r->pid, pid, sizeof pid);
	hosts_cells(ui, width, cell, buf, size);
	if (host_lost_db(ui, r) || strcmp(r->state, "dead") == 0)
		return ui_attr(ui, CP_BAD, 0) | A_BOLD;
	if (strcmp(r->state, "draining") == 0)
		return ui_attr(ui, CP_WARN, 0) | A_BOLD;
	return host_live(r) ? (engine ? A_BOLD : 0) : A_DIM;
}

const struct pane_ops pane_hosts_ops = {
	.title = N_("Hosts"),
	.count = hosts_count,
	.id = hosts_id,
	.match = hosts_match,
	.header = hosts_header,
	.row = hosts_row,
};

/* Reads the registry again while the pane shows; a new number of hosts
 * gives the pane another height. */
void
hosts_refresh(struct ui *ui)
{
	struct mgr_error err = { 0 };
	struct host_rec *v;
	size_t n, before = ui->nhosts;

	if (!ui->show_hosts)
		return;
	/* A lost database fails every second: the message says it once. */
	if (hosts_store_list(ui->db, &v, &n, &err) != 0) {
		if (!ui->hosts_unread)
			ui_status(ui, 1, _("cannot read the hosts: %s"), err.msg);
		ui->hosts_unread = 1;
		return;
	}
	ui->hosts_unread = 0;
	host_rec_free_all(ui->hosts, ui->nhosts);
	ui->hosts = v;
	ui->nhosts = n;
	if (n != before)
		ui_layout(ui);
	pane_rebuild(ui, &ui->panes[PANE_HOSTS]);
	ui->dirty = 1;
}

void
hosts_free(struct ui *ui)
{
	host_rec_free_all(ui->hosts, ui->nhosts);
	ui->hosts = NULL;
	ui->nhosts = 0;
}

/* H: shows the pane and goes to it; on the pane, hides it and goes back
 * to the pane H was pressed in. */
void
hosts_key_toggle(struct ui *ui)
{
	if (ui->show_hosts && ui->focus == PANE_HOSTS) {
		ui->show_hosts = 0;
		ui->focus = ui->hosts_back;
		ui_layout(ui);
		return;
	}
	if (ui->focus != PANE_HOSTS)
		ui->hosts_back = ui->focus;
	ui->focus = PANE_HOSTS;
	if (!ui->show_hosts) {
		ui->show_hosts = 1;
		hosts_refresh(ui);
		ui_layout(ui);
	}
}

/* The selected host, or NULL after saying why. */
static const char *
host_selected(struct ui *ui)
{
	const char *id = pane_selected_id(ui, &ui->panes[PANE_HOSTS]);

	if (id == NULL)
		ui_status(ui, 1, "%s", _("no host selected: the hosts pane is "
		    "empty"));
	return id;
}

/* The lease as host list says it, or why there is none. */
static void
host_lease_text(const struct host_rec *r, char *buf, size_t size)
{
	if (!host_live(r))
		snprintf(buf, size, "%s", _("- (not live)"));
	else if (!r->leased)
		snprintf(buf, size, "%s", _("none: one host runs per database "
		    "file, by its lock"));
	else
		snprintf(buf, size, _("%.1f s left"), (double)r->lease_left_us / 1e6);
}

/* Enter: the selected host's row whole, labels and start time too. */
void
hosts_details(struct ui *ui)
{
	const struct host_rec *r;
	struct strbuf sb = STRBUF_INIT;
	size_t i = pane_selected_model(&ui->panes[PANE_HOSTS]);
	char lease[128], started[64], *title, *text;
	int engine;

	if (i == (size_t)-1) {
		host_selected(ui);
		return;
	}
	r = &ui->hosts[i];
	engine = host_is_engine(ui, r);
	host_lease_text(r, lease, sizeof lease);
	fmt_datetime(r->started_at, started, sizeof started);
	strbuf_addf(&sb, "%-12s %lld\n", _("epoch"), (long long)r->epoch);
	strbuf_addf(&sb, "%-12s %s\n", _("state"), host_state_shown(r));
	strbuf_addf(&sb, "%-12s %s\n", _("role"), engine ? _("runs the engine") :
	    r->standby ? _("standby: waits for the engine's lock") : "-");
	strbuf_addf(&sb, "%-12s %s\n", _("lease"), lease);
	strbuf_addf(&sb, "%-12s %d\n", _("running"), engine ?
	    ui->model.running : 0);
	strbuf_addf(&sb, "%-12s %s\n", _("version"), r->version != NULL ?
	    r->version : "");
	if (host_lost_db(ui, r)) {
		char pid[160];

		host_lost_text(ui, r->pid, pid, sizeof pid);
		strbuf_addf(&sb, "%-12s %s\n", _("pid"), pid);
	} else
		strbuf_addf(&sb, "%-12s %d\n", _("pid"), r->pid);
	strbuf_addf(&sb, "%-12s %s\n", _("started"), started);
	strbuf_addf(&sb, "%-12s %s\n", _("labels"), r->labels != NULL ?
	    r->labels : "[]");
	title = xasprintf(_("Host %s"), r->host_id);
	text = strbuf_detach(&sb);
	view_set_text(ui, title, text);
	free(title);
	free(text);
}

/* d: what host drain does, said in the question. */
void
hosts_key_drain(struct ui *ui)
{
	const char *id = host_selected(ui);
	char *q;

	if (id == NULL)
		return;
	q = xasprintf(_("Drain host %s? It finishes its running runs and starts "
	    "no new one (y/n)"), id);
	action_confirm(ui, q, strv_push(strv_push(strv_push(strv_push(NULL,
	    "host"), "drain"), "--"), id));
	free(q);
}

/* r: takes due runs again; nothing to confirm. */
void
hosts_key_undrain(struct ui *ui)
{
	const char *id = host_selected(ui);
	char *argv[] = { "host", "drain", "--undo", "--", (char *)id, NULL };

	if (id != NULL)
		action_run(ui, argv, 0);
}
