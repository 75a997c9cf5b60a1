/* dbconn.c - the console's own connections to a database server, lost
 * and made again, and what the engine host it is attached to says of
 * its own (issue 19: a host that loses the database says so in the log
 * and the console).
 *
 * The console reads through a connection of its own (ui->db) and, when
 * attached to a daemon, asks about the host and sends commands through
 * mgr->db.  A server restart or a broken network ends both sessions,
 * and libpq never makes them again by itself (db.h: db_lost).  These
 * connections only read, or write command rows as any client does, so
 * the console may make them again whenever it likes, unlike an engine
 * host's, which only its heartbeat may allow (src/engine/hostreg.c): a
 * hosting console's mgr->db is the engine's and is left to it.  While
 * they are lost nothing is read (every statement would fail at once):
 * the panes keep what they showed, the status line counts down to the
 * next try, and the backoff doubles from DBCONN_RETRY_MIN_MS up to
 * host_reconnect_max_ms, as the host's.  A try waits at most libpq's
 * connect_timeout (the store sets 5 s): at once when the server is
 * down, up to that on a network that drops packets, while the console
 * waits with it (keys typed meanwhile wait in the terminal).
 *
 * Only the engine host's process knows that it lost the database, and
 * the console cannot ask the database: an engine host on this machine
 * says so in its state file (engine_state_path, written by its
 * heartbeat's thread at the loss and removed once it is back), which an
 * attached console reads once a second.  A host on another machine
 * writes none here: its row shows what was read before. */
#include "i18n.h"
#include "ui.h"
#include "db.h"
#include "engine.h"
#include "format.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBCONN_RETRY_MIN_MS 100

void
dbconn_open(struct ui *ui)
{
	ui->conn.state_path = engine_state_path(ui->mgr);
}

void
dbconn_free(struct ui *ui)
{
	free(ui->conn.state_path);
	ui->conn.state_path = NULL;
}

/* A connection of the console's that the server dropped: its own, and
 * the client's (mgr->db) unless it is the engine's. */
static int
dbconn_broken(const struct ui *ui)
{
	return db_lost(ui->db) || (!ui->hosting && db_lost(ui->mgr->db));
}

/* The next try after the backoff's step, doubled up to the host's. */
static void
dbconn_backoff(struct ui *ui)
{
	struct ui_dbconn *c = &ui->conn;
	int max = ui->mgr->conf->host_reconnect_max_ms > DBCONN_RETRY_MIN_MS ?
	    ui->mgr->conf->host_reconnect_max_ms : DBCONN_RETRY_MIN_MS;

	c->retry_ms = c->retry_ms == 0 ? DBCONN_RETRY_MIN_MS :
	    c->retry_ms >= max / 2 ? max : c->retry_ms * 2;
	c->retry_mono = mgr_mono_us() + (int64_t)c->retry_ms * 1000;
}

int
dbconn_lost(struct ui *ui, const struct mgr_error *err)
{
	struct ui_dbconn *c = &ui->conn;

	if (c->down_since != 0)
		return 1;
	if (!dbconn_broken(ui))
		return 0;
	c->down_since = mgr_now_us();
	c->retry_ms = 0;
	dbconn_backoff(ui);
	/* Why, once, in the message history; the status line then counts
	 * down to the next try (host_poll). */
	ui_status(ui, 1, _("lost the database: %s"), err != NULL &&
	    err->msg[0] != '\0' ? err->msg : _("the server ended the session"));
	return 1;
}

/* New sessions for both, the client's first: a command sent once the
 * console shows rows again must find its connection made too. */
static int
dbconn_remake(struct ui *ui, struct mgr_error *err)
{
	int rc;

	if (!ui->hosting && (rc = db_reconnect(ui->mgr->db, err)) != 0)
		return rc;
	return db_reconnect(ui->db, err);
}

int
dbconn_check(struct ui *ui)
{
	struct ui_dbconn *c = &ui->conn;
	struct mgr_error err = { 0 };

	if (c->down_since == 0)
		return !dbconn_lost(ui, NULL);
	if (mgr_mono_us() < c->retry_mono)
		return 0;
	if (dbconn_remake(ui, &err) != 0) {
		dbconn_backoff(ui);
		return 0;
	}
	c->down_since = 0;
	c->retry_ms = 0;
	c->back_mono = mgr_mono_us();
	ui_reload(ui, 1);	/* what changed meanwhile */
	hosts_refresh(ui);
	return 1;
}

int
dbconn_down(const struct ui *ui, int64_t *since, int64_t *retry_in_us)
{
	const struct ui_dbconn *c = &ui->conn;
	int64_t left = c->retry_mono - mgr_mono_us();

	if (since != NULL)
		*since = c->down_since;
	if (retry_in_us != NULL)
		*retry_in_us = c->down_since != 0 && left > 0 ? left : 0;
	return c->down_since != 0;
}

/* The engine host took its lock again after an outage at its next try,
 * at most host_reconnect_max_ms after the server came back (its
 * backoff), and within its lease: until then a free lock is that host
 * reconnecting, not gone, and an attached console must not take the
 * engine from it (the host would find its lock taken and stop). */
int
dbconn_settling(const struct ui *ui)
{
	const struct ui_dbconn *c = &ui->conn;
	int64_t wait_us = ((int64_t)ui->mgr->conf->host_reconnect_max_ms +
	    ui->mgr->conf->host_lease_ms) * 1000;

	return c->peer_down_since != 0 || (c->back_mono != 0 &&
	    mgr_mono_us() - c->back_mono < wait_us);
}

/* Whether pid is a live process (kill's EPERM: someone else's). */
static int
pid_lives(int pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* The change of the attached host's state, said once each way. */
static void
dbconn_peer_said(struct ui *ui, int64_t was)
{
	struct ui_dbconn *c = &ui->conn;
	char at[32];

	if (c->peer_down_since != 0 && was == 0) {
		fmt_when(c->peer_down_since, mgr_now_us(), at, sizeof at);
		ui_status(ui, 1, _("host %s (pid %d): database unreachable since "
		    "%s; its running runs go on"), c->peer_host, c->peer_pid,
		    at);
	} else if (c->peer_down_since == 0 && was != 0)
		ui_status(ui, 0, _("host %s (pid %d) reaches the database again"),
		    c->peer_host, c->peer_pid);
}

void
dbconn_peer_poll(struct ui *ui)
{
	struct ui_dbconn *c = &ui->conn;
	struct engine_db_state st;
	int64_t was = c->peer_down_since;

	c->peer_down_since = 0;
	if (ui->attached && ui->host.present &&
	    engine_state_read(c->state_path, &st) == 0 &&
	    st.pid == ui->host.pid && pid_lives(st.pid)) {
		c->peer_down_since = st.down_since;
		c->peer_pid = st.pid;
		snprintf(c->peer_host, sizeof c->peer_host, "%s", st.host_id);
	}
	dbconn_peer_said(ui, was);
}
