/* daemon.c - "manager daemon" (also "manager --daemon"): the engine host
 * without a console, in the foreground for systemd, or detached with a
 * pidfile for classic init scripts.
 */
#include "i18n.h"
#include "cmd.h"
#include "dbstring.h"
#include "engine.h"
#include "manager.h"
#include "migrate_paths.h"
#include "notify.h"
#include "util.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct daemon_opts {
	int detach;
	char *pidfile;		/* absolute, or NULL */
	int report_fd;		/* detached: pipe to the waiting parent, or -1 */
	int log_fd;		/* detached, no log_file: the new stderr, or -1 */
	char *log_path;		/* ... its path, reopened on SIGHUP */
	int ready;		/* told systemd and the parent: a standby */
};

/* ---- pidfile ---- */

static int
pidfile_write(const char *path, struct mgr_error *err)
{
	char *tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
	char buf[32];
	int fd, n, rc = 0;

	n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1 || fchmod(fd, 0644) != 0 || write(fd, buf, (size_t)n) != n ||
	    fsync(fd) != 0 || rename(tmp, path) != 0)
		rc = mgr_error_set(err, MGR_EIO, _("pidfile %s: %s"), path,
		    strerror(errno));
	if (fd != -1)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Removes the pidfile only if it is still ours. */
static void
pidfile_remove(const char *path)
{
	char *text = NULL;

	if (read_file(path, &text, NULL, NULL) == 0 && atol(text) == (long)getpid())
		unlink(path);
	free(text);
}

/* ---- detaching ---- */

/* The waiting parent: prints what the daemon reported and exits with its
 * status, so "manager daemon --detach" fails visibly when the lock is taken. */
static int
detach_parent(struct cmd_ctx *ctx, int fd, pid_t child)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[512], *nl;
	ssize_t n;
	int status = CMD_EXIT_FAIL;

	while ((n = read(fd, buf, sizeof buf)) > 0 || (n == -1 && errno == EINTR))
		if (n > 0)
			strbuf_add(&sb, buf, (size_t)n);
	close(fd);
	waitpid(child, NULL, 0);
	if (sb.len == 0)
		fprintf(ctx->err, _("manager: the daemon exited during start-up; "
		    "see its log\n"));
	else {
		status = atoi(sb.buf);
		if ((nl = strchr(sb.buf, '\n')) != NULL)
			fputs(nl + 1, ctx->err);
	}
	strbuf_free(&sb);
	return status;
}

static void
detach_report(struct daemon_opts *o, int status, const char *text)
{
	char *msg;

	if (o->report_fd == -1)
		return;
	msg = xasprintf("%d\n%s", status, text);
	if (write(o->report_fd, msg, strlen(msg)) < 0) {
		/* The parent is gone; nobody to tell. */
	}
	free(msg);
	close(o->report_fd);
	o->report_fd = -1;
}

/* stderr already points to the log file when there is one. */
static void
detach_stdio(const struct daemon_opts *o)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd == -1)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	if (o->log_fd == -1)
		dup2(fd, STDERR_FILENO);
	close(fd);
}

/* Double fork before the database or the loop exist (neither survives a
 * fork).  Returns 1 in the parent (after it has its answer), 0 in the
 * daemon, -1 on error. */
static int
detach(struct cmd_ctx *ctx, struct daemon_opts *o, int *status)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0 || (pid = fork()) == -1) {
		fprintf(ctx->err, _("manager: cannot detach: %s\n"), strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(fds[1]);
		*status = detach_parent(ctx, fds[0], pid);
		return 1;
	}
	close(fds[0]);
	if (setsid() == -1 || (pid = fork()) == -1)
		_exit(CMD_EXIT_FAIL);
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		_exit(CMD_EXIT_FAIL);
	o->report_fd = fds[1];
	return 0;
}

/* ---- running ---- */

static int
daemon_fail(struct cmd_ctx *ctx, struct daemon_opts *o, struct mgr_error *err)
{
	char *line = xasprintf("manager: %s\n", err->msg);
	int status = mgr_code_exit_status(err->code);

	log_error(&ctx->mgr->log, "%s", err->msg);
	if (o->report_fd != -1)
		detach_report(o, status, line);
	else
		cmd_fail(ctx, err->code, err->msg);
	free(line);
	return status;
}

/* On a database server a daemon that finds the engine lock held waits
 * for it as a standby (manager.host_standby), ready meanwhile: systemd
 * and a --detach parent are told it started.  1: a signal stopped the
 * wait. */
static int
daemon_standby(struct mgr *mgr, struct daemon_opts *o, struct mgr_error *err)
{
	struct mgr_error busy = *err;
	char *status;
	int rc;

	if (!mgr->conf->host_standby ||
	    !db_string_is_server(db_path(mgr->db)))
		return MGR_EBUSY;
	status = xasprintf("STATUS=%s", busy.msg);
	notify_state("READY=1");
	notify_state(status);
	free(status);
	if (o->report_fd != -1) {
		detach_report(o, 0, "");
		detach_stdio(o);
	}
	o->ready = 1;
	if ((rc = engine_standby(mgr, ENGINE_KIND_DAEMON, err)) == 0)
		notify_state("STATUS=running the engine");
	return rc;
}

/* 0: the engine runs; 1: stopped while a standby; else an error. */
static int
daemon_start(struct mgr *mgr, struct daemon_opts *o, struct mgr_error *err)
{
	int rc;

	if ((rc = mgr_open_db(mgr, err)) != 0)
		return rc;
	if ((rc = engine_host_acquire(mgr, ENGINE_KIND_DAEMON, err)) ==
	    MGR_EBUSY)
		rc = daemon_standby(mgr, o, err);
	if (rc != 0)
		return rc;
	if ((o->pidfile != NULL && (rc = pidfile_write(o->pidfile, err)) != 0) ||
	    (rc = engine_start(mgr, err)) != 0) {
		if (o->pidfile != NULL)
			pidfile_remove(o->pidfile);
		engine_host_release(mgr);
		return rc;
	}
	return 0;
}

/* A detached daemon has no stderr.  With no log_file configured, the log
 * keeps going to stderr, which becomes <state_directory>/manager.log: a
 * SIGHUP reopens the configured sink ("stderr"), so this survives
 * reloads, and whatever else writes to fd 2 lands there too.  Opened
 * before detaching so that a failure is told on the terminal; then the
 * log goes to syslog instead.  Says where the log goes, in one line. */
static void
detach_log_prepare(struct cmd_ctx *ctx, struct daemon_opts *o)
{
	struct mgr *mgr = ctx->mgr;
	char *dir = mgr->conf->state_directory, *path;
	struct mgr_error err = { 0 };
	int fd = -1;

	o->log_fd = -1;
	if (mgr->log.file != NULL || mgr->log.to_syslog)
		return;
	path = xasprintf("%s/manager.log", dir);
	if (mkdir_p(dir, 0700, 0, &err) == 0)
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd != -1 && fchmod(fd, 0600) == 0) {
		o->log_fd = fd;
		o->log_path = xstrdup(path);
		fprintf(ctx->err, _("manager: logging to %s; set manager.log_file "
		    "to log elsewhere\n"), path);
	} else {
		fprintf(ctx->err, _("manager: cannot open %s (%s): logging to "
		    "syslog; set manager.log_file to log to a file\n"), path,
		    err.msg[0] != '\0' ? err.msg : strerror(errno));
		if (fd != -1)
			close(fd);
	}
	free(path);
}

/* In the daemon, right after detaching: stderr to the log file (by its
 * name, so that SIGHUP can open it again after logrotate moved it), or
 * the log to syslog when the file could not be opened. */
static void
detach_log_apply(struct mgr *mgr, struct daemon_opts *o)
{
	enum log_level level = mgr->log.level;

	if (o->log_fd != -1) {
		if (log_redirect_stderr(&mgr->log, o->log_path, NULL) != 0)
			dup2(o->log_fd, STDERR_FILENO);	/* moved meanwhile */
		close(o->log_fd);
		o->log_fd = STDERR_FILENO;
		return;
	}
	if (mgr->log.file != NULL || mgr->log.to_syslog)
		return;
	log_close(&mgr->log);
	log_open(&mgr->log, level, "syslog", NULL);
}

static int
daemon_run(struct cmd_ctx *ctx, struct daemon_opts *o)
{
	struct mgr *mgr = ctx->mgr;
	struct mgr_error err = { 0 };

	int rc, lost;

	if ((rc = daemon_start(mgr, o, &err)) == 1)
		return CMD_EXIT_OK;	/* stopped while a standby */
	if (rc != 0)
		return daemon_fail(ctx, o, &err);
	if (!o->ready)
		notify_state("READY=1");
	if (o->report_fd != -1) {
		detach_report(o, 0, "");
		detach_stdio(o);
	}
	ev_run(mgr->loop, 0);
	lost = engine_host_lost(mgr);
	engine_stop(mgr);
	/* The lock first, the pidfile last: a script that starts the next
	 * daemon once the pidfile is gone must find the lock free. */
	engine_host_release(mgr);
	if (o->pidfile != NULL)
		pidfile_remove(o->pidfile);
	log_info(&mgr->log, "engine host exited");
	/* Fenced by another host: a failure, so that a supervisor
	 * (Restart=on-failure) starts this one again, as a standby. */
	return lost ? CMD_EXIT_FAIL : CMD_EXIT_OK;
}

static int
daemon_parse(struct cmd_ctx *ctx, const struct cmd_args *args,
	     struct daemon_opts *o)
{
	const char *pidfile = cmd_args_value(args, "pidfile");

	o->report_fd = -1;
	o->detach = cmd_args_has(args, "detach") > 0;
	if (pidfile != NULL && *pidfile == '\0') {
		fprintf(ctx->err, _("manager: --pidfile needs a file name\n"));
		return CMD_EXIT_USAGE;
	}
	if (pidfile != NULL)
		o->pidfile = path_resolve(NULL, pidfile);	/* before chdir("/") */
	return 0;
}

static int
daemon_run_args(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct daemon_opts o = { 0 };
	int status, rc;

	if ((status = daemon_parse(ctx, args, &o)) != 0)
		return status;
	o.log_fd = -1;
	if (o.detach) {
		/* The old layout's manager.log moves before the log opens
		 * (engine_host_acquire moves the rest, into the log). */
		migrate_daemon_log(ctx->mgr->conf, &ctx->mgr->log);
		detach_log_prepare(ctx, &o);
		fflush(ctx->err);	/* before fork: printed once */
		rc = detach(ctx, &o, &status);
		if (rc != 0) {
			if (o.log_fd != -1)
				close(o.log_fd);
			free(o.pidfile);
			free(o.log_path);
			return rc > 0 ? status : CMD_EXIT_FAIL;
		}
		detach_log_apply(ctx->mgr, &o);
	}
	status = daemon_run(ctx, &o);
	free(o.pidfile);
	free(o.log_path);
	return status;
}

static const struct cmd_option daemon_options[] = {
	{ "detach", 0, NULL, N_("go to the background once the engine runs"), 0 },
	{ "pidfile", 0, "FILE", N_("write the daemon's pid to FILE (0644)"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_daemon_entry = {
	.noun = "daemon", .verb = NULL, .usage = "",
	.summary = N_("run the engine without the console (also --daemon)"),
	.flags = CMD_NO_DB | CMD_HOST, .min_args = 0, .max_args = 0,
	.options = daemon_options, .run = daemon_run_args,
};
