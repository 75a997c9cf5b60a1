/* exec_pump.c - manager-exec writing its command's run log once the
 * engine hands it over (see exec_pump.h; the engine's side is
 * runner.c's proc_log_*). */
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
exec_pump_setup(struct exec_pump *p, int sock, int cap_mb)
{
	memset(p, 0, sizeof *p);
	p->sock = sock;
	p->logfd = p->in[0] = p->in[1] = -1;
	p->cap = (int64_t)cap_mb << 20;
	return fcntl(sock, F_SETFD, FD_CLOEXEC);
}

/* The page the engine sent with the hand-over (closed here); NULL when
 * it cannot be mapped. */
static struct runlog_shared *
pump_map(int fd)
{
	void *st = mmap(NULL, sizeof(struct runlog_shared), PROT_READ |
	    PROT_WRITE, MAP_SHARED, fd, 0);

	close(fd);
	return st == MAP_FAILED ? NULL : st;
}

/* The hand-over: the command's stdout and stderr pipes, the log and the
 * shared page, by SCM_RIGHTS.  1: taken; 0: none (yet); -1: the engine
 * is gone. */
static int
pump_take_over(struct exec_pump *p)
{
	int fds[4];
	char c, ctl[CMSG_SPACE(sizeof fds)];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *cm;
	ssize_t n;

	do
		n = recvmsg(p->sock, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return 0;
	cm = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (cm == NULL || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof fds))
		return -1;
	memcpy(fds, CMSG_DATA(cm), sizeof fds);
	for (int i = 0; i < 2; i++) {
		p->in[i] = fds[i];
		fcntl(p->in[i], F_SETFL, fcntl(p->in[i], F_GETFL) | O_NONBLOCK);
	}
	p->logfd = fds[2];
	p->st = pump_map(fds[3]);
	if (p->st == NULL || (p->buf = malloc(PUMP_BUF)) == NULL) {
		close(p->in[0]);	/* the command's next write fails: */
		close(p->in[1]);	/* no process reads its pipes now */
		p->in[0] = p->in[1] = -1;
	}
	return 1;
}

/* One read's bytes: one record to the log (cut at the cap, the rest
 * counted), every byte counted. */
static void
pump_take(struct exec_pump *p, int i, const char *buf, size_t n, int64_t at)
{
	struct runlog_shared *st = p->st;
	int64_t room = p->cap - st->kept;
	size_t k = room <= 0 ? 0 : (int64_t)n > room ? (size_t)room : n;
	int e;

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

/* The engine is gone (its end of the socket; a strict sandbox's
 * processes die with it on their own).  Once the pipes are ours
 * they are closed, so that the command's next write fails as it did
 * when the engine read them, and nothing more is logged, as the engine
 * logged nothing more. */
static void
pump_orphan(struct exec_pump *p)
{
	int *fds[] = { &p->in[0], &p->in[1], &p->sock };

	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (*fds[i] != -1) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

/* The engine's socket said something: the hand-over, or its end. */
static void
pump_sock(struct exec_pump *p)
{
	char c;
	int r;

	if (!p->handed) {
		if ((r = pump_take_over(p)) == 1)
			p->handed = 1;
		if (r >= 0)
			return;
	} else if (recv(p->sock, &c, 1, MSG_DONTWAIT) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return;
	pump_orphan(p);
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

/* Waits for the engine's socket, a pipe or the command's end (its
 * pidfd; without one, a look every 100 ms).  Returns 1 once the
 * command is reaped. */
static int
pump_wait(struct exec_pump *p, pid_t pid, int pidfd, int *status,
	  struct rusage *ru)
{
	struct pollfd fds[4];
	nfds_t n = 0;
	int at[3] = { -1, -1, -1 };

	for (int i = 0; i < 3; i++) {
		int fd = i < 2 ? p->in[i] : p->sock;
		if (fd != -1) {
			at[i] = (int)n;
			fds[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		}
	}
	if (pidfd != -1)
		fds[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (pidfd == -1 && n == 0)	/* nothing but the command: wait */
		return reaped(pid, status, ru, 0);
	if (poll(fds, n, pidfd == -1 ? 100 : -1) == -1 && errno != EINTR)
		return -1;
	if (at[2] != -1 && fds[at[2]].revents != 0)
		pump_sock(p);
	/* One read of each pipe that has bytes (or its end) now: the order
	 * of stdout and stderr is the order they came in, as far as two
	 * pipes can tell. */
	for (int i = 0; i < 2; i++)
		if (at[i] != -1 && p->in[i] != -1 && fds[at[i]].revents != 0)
			pump_read(p, i, 1);
	return reaped(pid, status, ru, WNOHANG);
}

int
exec_pump_run(struct exec_pump *p, pid_t pid, int *status, struct rusage *ru)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), r = 0;

	while (r == 0)
		r = pump_wait(p, pid, pidfd, status, ru);
	/* A hand-over the engine made before it learns that the command
	 * ended is taken; one after it fails (EPIPE: the engine then reads
	 * the pipes itself). */
	if (p->sock != -1) {
		shutdown(p->sock, SHUT_RD);
		if (!p->handed && pump_take_over(p) == 1)
			p->handed = 1;
		close(p->sock);
	}
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
