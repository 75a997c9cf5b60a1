/* host.c - the console and the engine host.  With no host running, the
 * console hosts the engine in its own loop (engine_host_acquire +
 * engine_start: plugins, scheduler, control plane, signals); with one
 * running it attaches as a client and its state-changing commands go to
 * the host through engine_submit.  When the host it attached to goes
 * away, the console takes over. */
#include "i18n.h"
#include "ui.h"
#include "cmd.h"
#include "engine.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Hosts if nobody does, else attaches.  Errors other than "busy" (an
 * unwritable lock file, a broken database) are the caller's. */
int
host_join(struct ui *ui, struct mgr_error *err)
{
	struct mgr_error busy = { 0 };
	int rc = engine_host_acquire(ui->mgr, ENGINE_KIND_CONSOLE, &busy);

	if (rc == MGR_EBUSY) {
		ui->attached = 1;
		return 0;
	}
	if (rc != 0) {
		*err = busy;
		return rc;
	}
	ui->hosting = 1;
	return 0;
}

/* After the terminal is set up: plugins' on_enable and the scheduler may
 * log, and their lines must not land on the screen. */
int
host_start(struct ui *ui, struct mgr_error *err)
{
	int rc;

	if (!ui->hosting)
		return 0;
	/* As the daemon does: a client or child that hangs up mid-write
	 * must not kill the host (the console handles its other signals). */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = engine_start(ui->mgr, err)) != 0) {
		engine_host_release(ui->mgr);
		ui->hosting = 0;
		return mgr_error_prefix(err, "%s", _("cannot host the engine"));
	}
	return 0;
}

void
host_leave(struct ui *ui)
{
	if (!ui->hosting)
		return;
	engine_stop(ui->mgr);
	engine_host_release(ui->mgr);
	ui->hosting = 0;
}

/* Quitting while hosting lets running tasks finish (up to the configured
 * grace); the engine ends the loop when they are done. */
void
host_shutdown(struct ui *ui)
{
	if (ui->stopping)
		return;
	ui->stopping = 1;
	ev_io_stop(ui->loop, &ui->input);
	ui_status(ui, 0, _("stopping the engine: waiting up to %d s for running tasks"),
	    ui->mgr->conf->shutdown_grace_seconds);
	engine_shutdown(ui->mgr, ui->mgr->conf->shutdown_grace_seconds, NULL);
}

/* A hosting console's database out of reach (the engine reconnects by
 * itself: hostreg.c), on the status line every second until it is back,
 * then said once. */
static void
host_db_status(struct ui *ui)
{
	struct engine_host_reg r;
	char at[16];
	time_t t;
	struct tm tm;

	ui->host.db_down_since = 0;
	if (!ui->hosting || engine_host_registry(ui->mgr, &r) != 0)
		return;
	ui->host.db_down_since = r.down_since;
	if (r.down_since == 0) {
		if (ui->host.db_down)
			ui_status(ui, 0, "%s", _("the database is reachable "
			    "again"));
		ui->host.db_down = 0;
		return;
	}
	ui->host.db_down = 1;
	t = (time_t)(r.down_since / 1000000);
	localtime_r(&t, &tm);
	strftime(at, sizeof at, "%H:%M:%S", &tm);
	ui_status(ui, 1, _("database unreachable since %s, retrying in %lld s"),
	    at, (long long)((r.retry_in_us + 999999) / 1000000));
}

/* Once a second: who hosts, and take over when an attached console's
 * host has gone. */
void
host_poll(struct ui *ui)
{
	struct mgr_error err = { 0 };
	struct ui_host *h = &ui->host;

	host_db_status(ui);
	free(h->kind);
	h->kind = NULL;
	h->present = engine_host_info(ui->mgr, &h->pid, &h->kind,
	    &h->started_at) == 0;
	if (!ui->attached || h->present || ui->stopping)
		return;
	ui->attached = 0;
	if (host_join(ui, &err) != 0 || host_start(ui, &err) != 0) {
		ui_status(ui, 1, "%s", err.msg);
		return;
	}
	if (ui->hosting)
		ui_status(ui, 0, "%s", _("the engine host exited; this console "
		    "hosts the engine now"));
}


/* The same program, configuration and database as this console. */
static char **
daemon_argv(struct ui *ui)
{
	char **argv = strv_push(NULL, "manager");

	if (ui->mgr->conf->file != NULL)
		argv = strv_push(strv_push(argv, "--config"), ui->mgr->conf->file);
	argv = strv_push(strv_push(argv, "--db"), db_path(ui->mgr->db));
	return strv_push(strv_push(argv, "daemon"), "--detach");
}

int
host_handover(struct ui *ui)
{
	char **argv = daemon_argv(ui);
	char *kind = NULL;
	int64_t since;
	int status = 1, pid;
	pid_t child;

	fflush(stdout);
	child = fork();
	if (child == 0) {
		execv("/proc/self/exe", argv);
		fprintf(stderr, _("manager: cannot start the daemon: %s\n"),
		    strerror(errno));
		_exit(127);
	}
	strv_free(argv);
	/* "daemon --detach" returns once the daemon hosts the engine. */
	if (child == -1 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "%s\n", _("manager: the daemon did not start: "
		    "nothing schedules the tasks now; run \"manager daemon\""));
		return 1;
	}
	if (engine_host_info(ui->mgr, &pid, &kind, &since) == 0)
		printf(_("manager: the engine runs on in a daemon (pid %d); "
		    "\"manager host status\" shows it\n"), pid);
	free(kind);
	return 0;
}
