/* exec_pump.c - manager-exec writing its command's run log (see
 * exec_pump.h; the engine's side is runner.c's proc_log_*). */
#include "i18n.h"
#include "exec_pump.h"
#include "runlog.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PUMP_BUF (1 << 20)
/* A read this big means the command prints faster than the pump comes
 * back: its pipe grows to PUMP_BUF, so that one read takes a megabyte
 * (fewer records, fewer calls), as the engine's did. */
#define PUMP_BUSY 32768

int
exec_pump_setup(struct exec_pump *p, int sock, int state_fd, int cap_mb,
		int excerpt)
{
	int out[2], err[2];
	void *st;

	memset(p, 0, sizeof *p);
	p->sock = sock;
	p->logfd = -1;
	p->cap = (int64_t)cap_mb << 20;
	p->excerpt = (size_t)excerpt;
	st = mmap(NULL, sizeof *p->st, PROT_READ | PROT_WRITE, MAP_SHARED,
	    state_fd, 0);
	close(state_fd);
	if (st == MAP_FAILED || (p->buf = malloc(PUMP_BUF)) == NULL)
		return -1;
	p->st = st;
	fcntl(sock, F_SETFD, FD_CLOEXEC);
	/* The engine's stdout pipe moves out of the way and takes the
	 * excerpt of both streams, in the order they were read (two pipes
	 * would lose it: the engine reads one, then the other); 1 and 2
	 * become the pump's (dup2 leaves them inheritable: the command's). */
	if ((p->to = fcntl(1, F_DUPFD_CLOEXEC, 10)) == -1 ||
	    pipe2(out, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) != 0)
		return -1;
	if (dup2(out[1], 1) == -1 || dup2(err[1], 2) == -1)
		return -1;
	close(out[1]);
	close(err[1]);
	p->in[0] = out[0];
	p->in[1] = err[0];
	for (int i = 0; i < 2; i++)
		fcntl(p->in[i], F_SETFL, fcntl(p->in[i], F_GETFL) | O_NONBLOCK);
	return 0;
}

/* The first output: the engine makes the file (it owns its path, mode
 * and caps) and hands it over; without it (no file could be made) the
 * output goes on to the excerpt only. */
static void
pump_ask(struct exec_pump *p)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *cm;
	ssize_t n;

	p->asked = 1;
	if (send(p->sock, "o", 1, MSG_NOSIGNAL) == 1) {
		do
			n = recvmsg(p->sock, &m, MSG_CMSG_CLOEXEC);
		while (n == -1 && errno == EINTR);
		cm = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
		if (cm != NULL && cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS)
			memcpy(&p->logfd, CMSG_DATA(cm), sizeof p->logfd);
	}
	close(p->sock);
	p->sock = -1;
	if (p->logfd != -1)	/* the engine wrote the magic */
		p->st->off = lseek(p->logfd, 0, SEEK_CUR);
}

/* The engine died: the command's next write fails (SIGPIPE) as it did
 * when it wrote to the engine's pipe itself, and nothing more is
 * logged, as the engine logged nothing more. */
static void
pump_orphaned(struct exec_pump *p)
{
	for (int i = 0; i < 2; i++)
		if (p->in[i] != -1) {
			close(p->in[i]);
			p->in[i] = -1;
		}
	close(p->to);
	p->to = -1;
	p->excerpt = 0;
}

static void
pump_forward(struct exec_pump *p, const char *buf, size_t n)
{
	ssize_t w;

	if (n > p->excerpt)
		n = p->excerpt;
	while (n > 0) {
		w = write(p->to, buf, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {		/* the engine is gone */
			pump_orphaned(p);
			return;
		}
		buf += w;
		n -= (size_t)w;
		p->excerpt -= (size_t)w;
	}
}

/* One read's bytes: the excerpt's part to the engine, one record to the
 * log (cut at the cap, the rest counted), every byte counted. */
static void
pump_take(struct exec_pump *p, int i, const char *buf, size_t n, int64_t at)
{
	struct runlog_shared *st = p->st;
	int64_t room = p->cap - st->kept;
	size_t k = room <= 0 ? 0 : (int64_t)n > room ? (size_t)room : n;
	int e;

	pump_forward(p, buf, n);
	if (!p->asked)
		pump_ask(p);
	if (p->logfd != -1 && k > 0) {
		e = runlog_record_write(p->logfd, &st->off,
		    i == 0 ? RUNLOG_STDOUT : RUNLOG_STDERR, buf, k, at);
		if (e != 0) {	/* the engine warns and ends the log */
			st->error = e;
			close(p->logfd);
			p->logfd = -1;
		} else
			st->kept += (int64_t)k;
	}
	st->dropped += (int64_t)(n - k);
	st->total += (int64_t)n;
}

/* Reads pipe i until it would block, or max times (0: no limit);
 * closes it at its end. */
static void
pump_read(struct exec_pump *p, int i, int max)
{
	ssize_t n;

	for (int r = 0; p->in[i] != -1 && (max == 0 || r < max); r++) {
		n = read(p->in[i], p->buf, PUMP_BUF);
		if (n > 0) {
			pump_take(p, i, p->buf, (size_t)n, mgr_now_us());
			if (n >= PUMP_BUSY && !(p->grown & (1 << i))) {
				/* refused over the user's pipe quota: as is */
				fcntl(p->in[i], F_SETPIPE_SZ, PUMP_BUF);
				p->grown |= 1 << i;
			}
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		close(p->in[i]);
		p->in[i] = -1;
	}
}

/* 1: the command is reaped; 0: not yet (or a signal came); -1 */
static int
reaped(pid_t pid, int *status, struct rusage *ru, int flags)
{
	pid_t w = wait4(pid, status, flags, ru);

	if (w == pid)
		return 1;
	return w == -1 && errno != EINTR ? -1 : 0;
}

/* Waits for a pipe or the command's end (its pidfd; without one, a look
 * every 100 ms).  Returns 1 once the command (pid) is reaped. */
static int
pump_wait(struct exec_pump *p, pid_t pid, int pidfd, int *status,
	  struct rusage *ru)
{
	struct pollfd fds[4];
	nfds_t n = 0;
	int timeout = pid > 0 && pidfd == -1 ? 100 : -1, at[2] = { -1, -1 };

	for (int i = 0; i < 2; i++)
		if (p->in[i] != -1) {
			at[i] = (int)n;
			fds[n++] = (struct pollfd){ .fd = p->in[i], .events = POLLIN };
		}
	if (pidfd != -1)
		fds[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	/* POLLERR: the engine's end of its pipe is closed */
	if (p->to != -1)
		fds[n++] = (struct pollfd){ .fd = p->to, .events = 0 };
	if (n > 0 && poll(fds, n, timeout) == -1 && errno != EINTR)
		return -1;
	if (p->to != -1 && (fds[n - 1].revents & POLLERR))
		pump_orphaned(p);
	/* One read of each pipe that has bytes (or its end) now: the order
	 * of stdout and stderr is the order they came in, as far as two
	 * pipes can tell (a pipe that filled since the poll waits for the
	 * next one). */
	for (int i = 0; i < 2; i++)
		if (at[i] != -1 && fds[at[i]].revents != 0)
			pump_read(p, i, 1);
	if (pid <= 0)
		return 0;
	/* both pipes closed and no pidfd: a wait4 that blocks, as it must */
	return reaped(pid, status, ru, p->in[0] == -1 && p->in[1] == -1 &&
	    pidfd == -1 ? 0 : WNOHANG);
}

int
exec_pump_run(struct exec_pump *p, pid_t pid, int *status, struct rusage *ru)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC), pidfd = -1, r = 0;

	/* This process prints no more: the pipes end with the command. */
	if (null != -1) {
		dup2(null, 1);
		dup2(null, 2);
		close(null);
	}
	signal(SIGPIPE, SIG_IGN);	/* an engine gone: EPIPE */
	if (pid > 0)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while (r == 0 && (pid > 0 || p->in[0] != -1 || p->in[1] != -1))
		r = pump_wait(p, pid, pidfd, status, ru);
	/* What the command wrote before it ended is in the pipes; a child
	 * of it that keeps them open does not hold the run. */
	for (int i = 0; i < 2; i++) {
		pump_read(p, i, 0);
		if (p->in[i] != -1)
			close(p->in[i]);
	}
	if (pidfd != -1)
		close(pidfd);
	if (p->logfd != -1)
		close(p->logfd);
	free(p->buf);
	return r < 0 ? -1 : 0;
}
