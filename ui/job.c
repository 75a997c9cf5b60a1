/* job.c - a command line run as a child process: "manager ARGV" with
 * this console's configuration and database, exactly as typed on a
 * shell.  The console uses it for commands that download (CMD_FETCHES:
 * plugin install, plugin upgrade), for those that wait for a plugin's
 * host worker (CMD_WAITS_WORKER: plugin enable, disable, reload) and for
 * those a host answers better (CMD_ASKS_HOST: plugin show): the
 * child fetches what the repository cache lacks, as the CLI does, then
 * hands the command to the engine host (this console when it hosts,
 * through the commands table, which answers it later), while the
 * console's loop goes on; its output is read through pipes and shown
 * when it exits. */
#include "i18n.h"
#include "ui.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the status line or a page can show: more is cut (and said). */
#define JOB_OUTPUT_MAX (1024 * 1024)

static char **
job_argv(struct ui *ui, char **argv, int json)
{
	char **v = strv_push(NULL, "manager");

	if (ui->mgr->conf->file != NULL)
		v = strv_push(strv_push(v, "--config"), ui->mgr->conf->file);
	v = strv_push(strv_push(v, "--db"), db_path(ui->mgr->db));
	if (json)
		v = strv_push(v, "--json");
	for (size_t i = 0; argv[i] != NULL; i++)
		v = strv_push(v, argv[i]);
	return v;
}

/* Reads what the pipe holds; 1 at its end (or an error), else 0. */
static int
job_read(int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n > 0) {
			if (sb->len + (size_t)n <= JOB_OUTPUT_MAX)
				strbuf_add(sb, buf, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		return !(n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK));
	}
}

static void
job_io_stop(struct ui *ui, ev_io *w)
{
	if (w->fd < 0)
		return;
	ev_io_stop(ui->loop, w);
	close(w->fd);
	ev_io_set(w, -1, EV_READ);
}

static void
on_job_output(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ui *ui = w->data;
	struct strbuf *sb = w == &ui->job.out ? ui->job.obuf : ui->job.ebuf;

	(void)loop;
	(void)revents;
	if (job_read(w->fd, sb))
		job_io_stop(ui, w);
}

static void
job_clear(struct ui *ui)
{
	struct ui_job *j = &ui->job;

	job_io_stop(ui, &j->out);
	job_io_stop(ui, &j->err);
	if (j->pid > 0)
		ev_child_stop(ui->loop, &j->child);
	strbuf_free(j->obuf);
	strbuf_free(j->ebuf);
	free(j->obuf);
	free(j->ebuf);
	free(j->cmdline);
	memset(j, 0, sizeof *j);
}

/* The child has exited: all it wrote is in the pipes (a grandchild that
 * kept them open is not waited for). */
static void
on_job_exit(struct ev_loop *loop, ev_child *w, int revents)
{
	struct ui *ui = w->data;
	struct ui_job *j = &ui->job;
	int status = WIFEXITED(w->rstatus) ? WEXITSTATUS(w->rstatus) :
	    128 + WTERMSIG(w->rstatus);
	char *out, *err;

	(void)loop;
	(void)revents;
	if (j->out.fd >= 0)
		job_read(j->out.fd, j->obuf);
	if (j->err.fd >= 0)
		job_read(j->err.fd, j->ebuf);
	out = strbuf_detach(j->obuf);
	err = strbuf_detach(j->ebuf);
	action_show_result(ui, j->cmdline, status, out, err, j->show_output);
	free(out);
	free(err);
	job_clear(ui);
	ui_reload(ui, 0);
	outdated_refresh(ui);
	ui->dirty = 1;
	ui_draw(ui);
}

/* In the child: its own process group (the terminal's Ctrl-C is the
 * console's, not its), no terminal for input, the pipes for output. */
static void
job_exec(char **argv, int out, int err)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	if (null != -1)
		dup2(null, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(err, STDERR_FILENO);
	execv("/proc/self/exe", argv);
	dprintf(STDERR_FILENO, _("manager: cannot run %s: %s\n"),
	    "/proc/self/exe", strerror(errno));
	_exit(127);
}

static void
job_watch(struct ui *ui, ev_io *w, int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	ev_io_init(w, on_job_output, fd, EV_READ);
	w->data = ui;
	ev_io_start(ui->loop, w);
}

int
job_start(struct ui *ui, char **argv, int json, const char *cmdline,
	  int show_output)
{
	struct ui_job *j = &ui->job;
	int po[2], pe[2];
	char **v;
	pid_t pid;

	if (j->pid > 0) {
		ui_status(ui, 1, _("%s: wait until \"%s\" is done"), cmdline,
		    j->cmdline);
		return -1;
	}
	if (pipe2(po, O_CLOEXEC) != 0 || (pipe2(pe, O_CLOEXEC) != 0 &&
	    (close(po[0]), close(po[1]), 1))) {
		ui_status(ui, 1, _("%s: cannot make a pipe: %s"), cmdline,
		    strerror(errno));
		return -1;
	}
	v = job_argv(ui, argv, json);
	fflush(NULL);
	if ((pid = fork()) == 0)
		job_exec(v, po[1], pe[1]);
	strv_free(v);
	close(po[1]);
	close(pe[1]);
	if (pid == -1) {
		close(po[0]);
		close(pe[0]);
		ui_status(ui, 1, _("%s: cannot start a process: %s"), cmdline,
		    strerror(errno));
		return -1;
	}
	j->pid = (int)pid;
	j->obuf = xcalloc(1, sizeof *j->obuf);
	j->ebuf = xcalloc(1, sizeof *j->ebuf);
	j->cmdline = xstrdup(cmdline);
	j->show_output = show_output;
	job_watch(ui, &j->out, po[0]);
	job_watch(ui, &j->err, pe[0]);
	ev_child_init(&j->child, on_job_exit, pid, 0);
	j->child.data = ui;
	ev_child_start(ui->loop, &j->child);
	ui_status(ui, 0, _("%s: running (the console goes on; the result "
	    "shows here)"), cmdline);
	return 0;
}

void
job_forget(struct ui *ui)
{
	if (ui->job.pid > 0)
		job_clear(ui);
}
