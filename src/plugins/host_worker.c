/* host_worker.c - a sandboxed plugin's on_enable, on_disable, hooks and
 * routes in its confined host worker (see host_worker.h). */
#include "i18n.h"
#include "fault.h"
#include "host_worker.h"
#include "manager.h"
#include "manifest.h"
#include "sandbox.h"
#include "util.h"
#include "worker_host.h"

#include <errno.h>
#include <ev.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define SAID_MAX 1024		/* stderr kept for a load failure's reason */

/* A call waiting in the worker's queue, or sent (the queue's head). */
struct hostw_req {
	char *call;			/* "@hook", "@route", "@enable" */
	char **args;
	int timeout_ms;
	char *what;			/* the call in errors: "route GET /x" */
	hostw_done_fn done;		/* NULL: nobody waits (cancelled) */
	void *arg;
	const char *fail_kind;		/* the event a failure records */
	struct hostw_req *next;
};

struct host_worker {
	struct mgr *mgr;
	struct ev_loop *loop;		/* NULL: synchronous calls only */
	char *id, *lib, *where;		/* where: "plugin ID", for errors */
	pid_t pid;			/* 0: none (not started yet, or gone) */
	int reqfd, replyfd, outfd, errfd;
	struct strbuf in;		/* reply bytes not yet parsed */
	struct strbuf said;		/* the worker's stderr, its first bytes */
	struct strbuf wbuf;		/* request bytes not yet sent */
	size_t wpos;
	unsigned seq;
	int answered;			/* a reply came: the library loaded */
	int failing_all;		/* hostw_fail_all: the calls it fails
					 * did not crash themselves */
	int load_failed;		/* restart_loaded fails the queue */
	int probe;			/* hostw_probe's: errors say "probe" */
	char **hooks;			/* events hooked ("*": all) */
	char **routes;			/* "METHOD\tPATH" */
	/* Asynchronous calls, one at a time, in order. */
	ev_io rio, oio, eio, wio;
	ev_child child;
	ev_timer deadline;		/* of the call sent */
	ev_timer kick;			/* runs the queue from the loop */
	struct hostw_req *head, *tail;
	size_t queued;
	int busy;			/* the head was sent */
	int dying;			/* killed: waiting for its status */
	int stopping;			/* hostw_stop: no new call is sent */
	/* hostw_start_later, hostw_stop_later: the owner hears from the
	 * loop, once the worker answered (or ended), through settle. */
	ev_timer settle;
	ev_timer grace;			/* its time to exit after on_disable */
	hostw_settled_fn settled;	/* NULL: nobody waits */
	void *settled_arg;
	struct mgr_error outcome;	/* what settled hears */
	int closing;			/* hostw_stop_later: no call is taken,
					 * no worker started again */
	int finishing;			/* on_disable answered: exiting */
};

struct hostw_reply {
	int rc;
	char *error, *out;
};

static void
reply_clear(struct hostw_reply *r)
{
	free(r->error);
	free(r->out);
	memset(r, 0, sizeof *r);
}

static char **
push_limit(char **v, const char *name, int n)
{
	char *s = xasprintf("--%s=%d", name, n);

	v = strv_push(v, s);
	free(s);
	return v;
}

static void hostw_watch(struct host_worker *hw);

static int
hostw_spawn(struct host_worker *hw, struct mgr_error *err)
{
	const struct mgr_conf *c = hw->mgr->conf;
	char *helper = sandbox_helper_path("manager-run", "MANAGER_RUN");
	char **argv = strv_push(NULL, helper);
	int rc;

	argv = push_limit(argv, "cpu", c->sandbox_cpu_seconds);
	argv = push_limit(argv, "memory", c->sandbox_memory_mb);
	argv = push_limit(argv, "open-files", c->sandbox_open_files);
	argv = strv_push(argv, "host");
	argv = strv_push(argv, "--db");
	argv = strv_push(argv, db_path(hw->mgr->db));
	argv = strv_push(argv, "--lib");
	argv = strv_push(argv, hw->lib);
	argv = strv_push(argv, "--id");
	argv = strv_push(argv, hw->id);
	if (c->sandbox_require)
		argv = strv_push(argv, "--require");
	rc = sandbox_spawn_worker(argv, &hw->pid, &hw->reqfd, &hw->replyfd,
	    &hw->outfd, &hw->errfd, err);
	if (rc != 0)
		hw->pid = 0;
	hw->in.len = hw->said.len = hw->wbuf.len = hw->wpos = 0;
	if (hw->in.buf != NULL)
		hw->in.buf[0] = '\0';
	hw->answered = 0;
	strv_free(argv);
	free(helper);
	if (rc == 0)
		hostw_watch(hw);
	return rc;
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void
hostw_unwatch(struct host_worker *hw)
{
	if (hw->loop == NULL)
		return;
	ev_io_stop(hw->loop, &hw->rio);
	ev_io_stop(hw->loop, &hw->oio);
	ev_io_stop(hw->loop, &hw->eio);
	ev_io_stop(hw->loop, &hw->wio);
	ev_child_stop(hw->loop, &hw->child);
	ev_timer_stop(hw->loop, &hw->deadline);
}

static void
hostw_close(struct host_worker *hw)
{
	hostw_unwatch(hw);
	close_fd(&hw->reqfd);
	close_fd(&hw->replyfd);
	close_fd(&hw->outfd);
	close_fd(&hw->errfd);
	hw->pid = 0;
	hw->dying = 0;
}

/* What the worker prints, until it would block: stdout is dropped, the
 * start of stderr kept (a worker that cannot load or confine the plugin
 * says why there).  1 at the end of the pipe. */
static int
hostw_read_pipe(struct host_worker *hw, int fd, int keep)
{
	char buf[4096];
	ssize_t n;

	while (fd != -1 && (n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 0;	/* EAGAIN */
		}
		if (keep && hw->said.len < SAID_MAX)
			strbuf_add(&hw->said, buf, (size_t)n < SAID_MAX -
			    hw->said.len ? (size_t)n : SAID_MAX - hw->said.len);
	}
	return fd != -1;
}

static void
hostw_drain(struct host_worker *hw, int *fd, int keep)
{
	if (hostw_read_pipe(hw, *fd, keep)) {
		if (hw->loop != NULL)
			ev_io_stop(hw->loop, fd == &hw->errfd ? &hw->eio : &hw->oio);
		close_fd(fd);		/* EOF */
	}
}

/* Kills the worker (its process group) and reaps it: its wait status,
 * or -1 when it was reaped elsewhere. */
static int
hostw_kill(struct host_worker *hw)
{
	int st;
	pid_t pid = hw->pid;

	if (pid <= 0)
		return -1;
	kill(-pid, SIGKILL);
	hostw_drain(hw, &hw->errfd, 1);
	hostw_close(hw);
	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/* The worker closed its end: it is exiting; its status once it has. */
static int
hostw_reap(struct host_worker *hw)
{
	pid_t pid = hw->pid;
	int st;

	for (int i = 0; i < 200; i++) {		/* 1 s at most */
		pid_t got = waitpid(pid, &st, WNOHANG);
		if (got == pid) {
			hostw_drain(hw, &hw->errfd, 1);
			hostw_close(hw);
			return st;
		}
		if (got == -1)
			break;
		usleep(5000);
	}
	return hostw_kill(hw);
}

static int
send_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (mgr_mono_us() >= deadline)
			return 1;
		poll(&pfd, 1, (int)((deadline - mgr_mono_us()) / 1000) + 1);
	}
	return 0;
}

/* Request: "LEN\n" + NUL-ended fields seq, timeout, call, args; into
 * hw->wbuf. */
static void
hostw_encode(struct host_worker *hw, const char *call, char *const *args,
	     int timeout_ms)
{
	struct strbuf body = STRBUF_INIT;
	char num[32];

	snprintf(num, sizeof num, "%u", ++hw->seq);
	strbuf_add(&body, num, strlen(num) + 1);
	snprintf(num, sizeof num, "%d", (timeout_ms + 999) / 1000);
	strbuf_add(&body, num, strlen(num) + 1);
	strbuf_add(&body, call, strlen(call) + 1);
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		strbuf_add(&body, args[i], strlen(args[i]) + 1);
	hw->wbuf.len = hw->wpos = 0;
	strbuf_addf(&hw->wbuf, "%zu\n", body.len);
	strbuf_add(&hw->wbuf, body.buf, body.len);
	strbuf_free(&body);
}

/* The rest of the request, waiting for room until the deadline. */
static int
hostw_flush(struct host_worker *hw, int64_t deadline)
{
	int rc = send_all(hw->reqfd, hw->wbuf.buf + hw->wpos,
	    hw->wbuf.len - hw->wpos, deadline);

	if (rc == 0)
		hw->wpos = hw->wbuf.len;
	return rc;
}

/* One query answered, or the reply taken: 1; 0 more bytes needed; -1 a
 * malformed message. */
static int
hostw_take(struct host_worker *hw, struct hostw_reply *r, int *done)
{
	size_t errlen, outlen, head, total;
	char *nl;

	if (hw->in.len == 0)
		return 0;
	if (hw->in.buf[0] == 'Q')
		return worker_host_query(hw->mgr, hw->id, &hw->in, hw->reqfd);
	if ((nl = memchr(hw->in.buf, '\n', hw->in.len)) == NULL)
		return hw->in.len > 128 ? -1 : 0;
	if (sscanf(hw->in.buf, "R %*u %d %zu %zu", &r->rc, &errlen, &outlen) != 3 ||
	    errlen > WORKER_QUERY_MAX || outlen > 16 * WORKER_QUERY_MAX)
		return -1;
	head = (size_t)(nl - hw->in.buf) + 1;
	total = head + errlen + outlen;
	if (hw->in.len < total)
		return 0;
	r->error = xstrndup(hw->in.buf + head, errlen);
	r->out = xstrndup(hw->in.buf + head + errlen, outlen);
	memmove(hw->in.buf, hw->in.buf + total, hw->in.len - total);
	hw->in.len -= total;
	hw->in.buf[hw->in.len] = '\0';
	hw->answered = 1;
	*done = 1;
	return 1;
}

enum { CALL_OK, CALL_TIMEOUT, CALL_DIED, CALL_BAD, CALL_MORE };

/* What has arrived on the reply pipe, parsed: CALL_OK with r filled,
 * CALL_MORE when the reply is not complete yet. */
static int
hostw_receive(struct host_worker *hw, struct hostw_reply *r)
{
	char buf[16384];
	int done = 0, t;
	ssize_t n;

	while ((n = read(hw->replyfd, buf, sizeof buf)) > 0)
		strbuf_add(&hw->in, buf, (size_t)n);
	while ((t = hostw_take(hw, r, &done)) > 0 && !done)
		;
	if (done)
		return CALL_OK;
	if (t < 0)
		return CALL_BAD;
	if (n == 0)	/* what came before the end is taken above */
		return CALL_DIED;
	return CALL_MORE;
}

/* Reads until the reply, answering the plugin's queries meanwhile. */
static int
hostw_wait(struct host_worker *hw, int64_t deadline, struct hostw_reply *r)
{
	for (;;) {
		struct pollfd pfd[3] = { { hw->replyfd, POLLIN, 0 },
		    { hw->outfd, POLLIN, 0 }, { hw->errfd, POLLIN, 0 } };
		int rc = hostw_receive(hw, r);

		if (rc != CALL_MORE)
			return rc;
		if (mgr_mono_us() >= deadline)
			return CALL_TIMEOUT;
		if (poll(pfd, 3, (int)((deadline - mgr_mono_us()) / 1000) + 1) < 0 &&
		    errno != EINTR)
			return CALL_BAD;
		hostw_drain(hw, &hw->outfd, 0);
		hostw_drain(hw, &hw->errfd, 1);
	}
}

/* The reason a worker ended, from its wait status. */
static void
hostw_why(struct host_worker *hw, int st, const char *what, const char *where,
	  struct mgr_error *err)
{
	char name[32];
	char *said = xstrndup(hw->said.buf != NULL ? hw->said.buf : "",
	    hw->said.len);

	said[strcspn(said, "\n")] = '\0';
	if (st != -1 && WIFSIGNALED(st))
		mgr_error_set(err, MGR_EPLUGIN, _("%s: %s crashed with %s"), where,
		    what, sandbox_signal_name(WTERMSIG(st), name, sizeof name));
	else if (said[0] != '\0')	/* a refusal with its reason, as the probe's */
		mgr_error_set(err, MGR_EINVAL, "%s: %s", where,
		    strncmp(said, "manager-run: ", 13) == 0 ? said + 13 : said);
	else
		mgr_error_set(err, MGR_EPLUGIN, _("%s: the host worker ended in "
		    "the %s (exit status %d)"), where, what,
		    st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	free(said);
}

/* A call that did not answer (rc: CALL_TIMEOUT, CALL_BAD, CALL_DIED):
 * the error, and the worker ended (st: its status when it was reaped
 * elsewhere already, -1 otherwise). */
static int
hostw_failed(struct host_worker *hw, int rc, int timeout_ms, const char *what,
	     const char *where, struct mgr_error *err)
{
	if (!hw->answered)
		what = _("constructor");	/* it never got past loading */
	if (rc == CALL_TIMEOUT) {
		hostw_kill(hw);
		if (hw->probe)
			return mgr_error_set(err, MGR_ETIMEOUT, _("%s: probe timed "
			    "out after %d s (the %s did not return)"), where,
			    (timeout_ms + 999) / 1000, what);
		return mgr_error_set(err, MGR_ETIMEOUT, _("%s: %s timed out after "
		    "%d s"), where, what, (timeout_ms + 999) / 1000);
	}
	if (rc == CALL_BAD) {
		hostw_kill(hw);
		return mgr_error_set(err, MGR_EPLUGIN, _("%s: the host worker "
		    "sent a malformed message in the %s"), where, what);
	}
	hostw_why(hw, hostw_reap(hw), what, where, err);
	return err->code;
}

/* One call of the plugin, waited for here (on_enable, on_disable, the
 * probe's): 0 with r filled, or an error; a worker that failed is gone
 * afterwards.  what names the call in errors, where the plugin. */
static int
hostw_call(struct host_worker *hw, const char *call, char *const *args,
	   int timeout_ms, const char *what, const char *where,
	   struct hostw_reply *r, struct mgr_error *err)
{
	int64_t deadline = mgr_mono_us() + (int64_t)timeout_ms * 1000;
	int rc;

	memset(r, 0, sizeof *r);
	hostw_encode(hw, call, args, timeout_ms);
	rc = hostw_flush(hw, deadline);
	if (rc == 0)
		rc = hostw_wait(hw, deadline, r);
	else
		rc = rc > 0 ? CALL_TIMEOUT : CALL_DIED;
	if (rc == CALL_OK)
		return 0;
	reply_clear(r);
	return hostw_failed(hw, rc, timeout_ms, what, where, err);
}

/* @enable's output: what the plugin registered. */
static void
hostw_registrations(struct host_worker *hw, char *text)
{
	char *line, *save = NULL;

	strv_free(hw->hooks);
	strv_free(hw->routes);
	hw->hooks = hw->routes = NULL;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "hook\t", 5) == 0)
			hw->hooks = strv_push(hw->hooks, line + 5);
		else if (strncmp(line, "route\t", 6) == 0)
			hw->routes = strv_push(hw->routes, line + 6);
	}
}

/* Starts the worker and calls on_enable, waiting here. */
static int
hostw_enable(struct host_worker *hw, struct mgr_error *err)
{
	struct hostw_reply r;
	int rc = hostw_spawn(hw, err);

	/* Loading first, so that a crash is said to be the constructor's or
	 * on_enable's, as the probe says. */
	if (rc == 0 && (rc = hostw_call(hw, "@load", NULL,
	    HOSTW_ENABLE_TIMEOUT_MS, _("constructor"), hw->where, &r,
	    err)) == 0)
		reply_clear(&r);
	if (rc == 0)
		rc = hostw_call(hw, "@enable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
		    _("on_enable"), hw->where, &r, err);
	if (rc == 0 && r.rc != 0) {
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: on_enable refused "
		    "(returned %d)"), hw->where, r.rc);
		hostw_kill(hw);
	} else if (rc == 0)
		hostw_registrations(hw, r.out);
	reply_clear(&r);
	return rc;
}

/* ---- asynchronous calls: the loop sends, the worker's reply wakes it */

static void hostw_pump(struct host_worker *hw);
static void hostw_settle_later(struct host_worker *hw, int rc,
			       const char *error);
static void settle_cb(struct ev_loop *loop, ev_timer *t, int revents);
static void grace_cb(struct ev_loop *loop, ev_timer *t, int revents);

static void
req_free(struct hostw_req *req)
{
	free(req->call);
	strv_free(req->args);
	free(req->what);
	free(req);
}

struct crash {
	struct mgr *mgr;
	char *id, *what, *why;
};

static void
crash_cb(int revents, void *arg)
{
	struct crash *c = arg;

	(void)revents;
	fault_record_crash(c->mgr, c->id, c->what, c->why);
	free(c->id);
	free(c->what);
	free(c->why);
	free(c);
}

/* A crash or a hang of the plugin's code counts towards the fault
 * breaker (fault.h), as a crash in the engine would have: a plugin whose
 * hook crashes at every event is faulted, not restarted for ever.  From
 * the loop, not now: tripping disables the plugin, which ends hw. */
static void
hostw_crashed(struct host_worker *hw, int rc, const char *what,
	      const char *why)
{
	struct crash *c;

	if (rc != MGR_EPLUGIN && rc != MGR_ETIMEOUT)
		return;
	c = xcalloc(1, sizeof *c);
	c->mgr = hw->mgr;
	c->id = xstrdup(hw->id);
	c->what = xstrdup(what);
	c->why = xstrdup(why);
	ev_once(hw->loop, -1, 0, 0., crash_cb, c);
}

/* A hook or a route that failed (not one that was not made). */
static void
hostw_record(struct host_worker *hw, const struct hostw_req *req, int rc,
	     const char *error)
{
	if (req->fail_kind == NULL || rc == 0 || rc == MGR_EBUSY)
		return;
	log_warning(&hw->mgr->log, "%s", error);
	mgr_event(hw->mgr, req->fail_kind, hw->id, NULL, "%s", error);
	/* A crash is counted once, as what crashed (the constructor or
	 * on_enable of a restart), not again for each call it failed. */
	if (!hw->failing_all)
		hostw_crashed(hw, rc, req->what, error);
}

/* The head's answer: it leaves the queue, is recorded when it failed,
 * then its caller hears. */
static void
hostw_answer(struct host_worker *hw, int rc, int code, char *out,
	     const char *error)
{
	struct hostw_req *req = hw->head;
	struct hostw_answer a = { hw, rc, code, out, error };

	hw->head = req->next;
	if (hw->head == NULL)
		hw->tail = NULL;
	hw->queued--;
	hw->busy = 0;
	ev_timer_stop(hw->loop, &hw->deadline);
	hostw_record(hw, req, rc, error);
	if (req->done != NULL)
		req->done(req->arg, &a);
	free(a.out);
	req_free(req);
}

/* Every call in the queue fails with err (the worker cannot serve). */
static void
hostw_fail_all(struct host_worker *hw, const struct mgr_error *err)
{
	hw->failing_all = 1;
	while (hw->head != NULL)
		hostw_answer(hw, err->code, 0, NULL, err->msg);
	hw->failing_all = 0;
}

static void
hostw_failed_head(struct host_worker *hw, int rc)
{
	struct mgr_error err = { 0 };

	hostw_failed(hw, rc, hw->head->timeout_ms, hw->head->what, hw->where,
	    &err);
	hostw_answer(hw, err.code, 0, NULL, err.msg);
}

static void
reply_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct host_worker *hw = w->data;
	struct hostw_reply r = { 0 };
	int rc = hostw_receive(hw, &r);

	(void)revents;
	if (rc == CALL_MORE)
		return;
	if (rc == CALL_DIED) {		/* its status comes to child_cb */
		ev_io_stop(loop, w);
		return;
	}
	if (rc == CALL_OK && hw->busy) {
		hostw_answer(hw, 0, r.rc, r.out, NULL);
		r.out = NULL;
	} else if (hw->busy)
		hostw_failed_head(hw, CALL_BAD);	/* kills it */
	else {				/* a reply when nothing was asked */
		hw->dying = 1;
		kill(-hw->pid, SIGKILL);
	}
	reply_clear(&r);
	hostw_pump(hw);
}

static void
output_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct host_worker *hw = w->data;

	(void)loop;
	(void)revents;
	hostw_drain(hw, w == &hw->eio ? &hw->errfd : &hw->outfd, w == &hw->eio);
}

static void
write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct host_worker *hw = w->data;
	ssize_t n;

	(void)revents;
	n = send(hw->reqfd, hw->wbuf.buf + hw->wpos, hw->wbuf.len - hw->wpos,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0)
		hw->wpos += (size_t)n;
	if (hw->wpos == hw->wbuf.len || (n < 0 && errno != EAGAIN &&
	    errno != EINTR))
		ev_io_stop(loop, w);	/* sent, or a dead worker: child_cb */
}

/* The worker ended: the call it served fails with the reason. */
static void
child_cb(struct ev_loop *loop, ev_child *c, int revents)
{
	struct host_worker *hw = c->data;
	struct mgr_error err = { 0 };

	(void)loop;
	(void)revents;
	hostw_drain(hw, &hw->errfd, 1);
	hostw_close(hw);
	if (hw->busy) {
		hostw_why(hw, c->rstatus, hw->answered ? hw->head->what :
		    _("constructor"), hw->where, &err);
		hostw_answer(hw, err.code, 0, NULL, err.msg);
	}
	hostw_pump(hw);
	if (hw->finishing) {		/* it exited after on_disable */
		hw->finishing = 0;
		ev_timer_stop(loop, &hw->grace);
		hostw_settle_later(hw, 0, NULL);
	}
}

static void
deadline_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct host_worker *hw = t->data;
	struct mgr_error err = { 0 };
	int s = (hw->head->timeout_ms + 999) / 1000;

	(void)loop;
	(void)revents;
	hw->dying = 1;			/* child_cb reaps it */
	kill(-hw->pid, SIGKILL);
	ev_io_stop(loop, &hw->rio);
	if (!hw->answered)
		mgr_error_set(&err, MGR_ETIMEOUT, _("%s: %s timed out after %d s"),
		    hw->where, _("constructor"), s);
	else
		mgr_error_set(&err, MGR_ETIMEOUT, _("%s: %s timed out after %d s"),
		    hw->where, hw->head->what, s);
	hostw_answer(hw, err.code, 0, NULL, err.msg);
}

static void
kick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	hostw_pump(t->data);
}

static void
hostw_watch(struct host_worker *hw)
{
	if (hw->loop == NULL)
		return;
	ev_io_init(&hw->rio, reply_cb, hw->replyfd, EV_READ);
	ev_io_init(&hw->oio, output_cb, hw->outfd, EV_READ);
	ev_io_init(&hw->eio, output_cb, hw->errfd, EV_READ);
	ev_io_init(&hw->wio, write_cb, hw->reqfd, EV_WRITE);
	ev_child_init(&hw->child, child_cb, hw->pid, 0);
	hw->rio.data = hw->oio.data = hw->eio.data = hw->wio.data = hw;
	hw->child.data = hw;
	ev_io_start(hw->loop, &hw->rio);
	ev_io_start(hw->loop, &hw->oio);
	ev_io_start(hw->loop, &hw->eio);
	ev_child_start(hw->loop, &hw->child);
}

/* A restarted worker loaded the plugin, or every waiting call fails
 * with the reason, its constructor's crash counted once. */
static void
restart_loaded(void *arg, struct hostw_answer *a)
{
	struct host_worker *hw = arg;
	struct mgr_error err = { 0 };

	if (a->rc == 0)
		return;
	mgr_error_set(&err, a->rc, "%s", a->error);
	hostw_crashed(hw, a->rc, _("constructor"), a->error);
	log_warning(&hw->mgr->log, "%s", err.msg);
	hw->load_failed = 1;	/* the on_enable queued behind: not called */
	hostw_fail_all(hw, &err);
	hw->load_failed = 0;
}

/* A restarted worker's on_enable: its registrations, or every waiting
 * call fails with the reason. */
static void
restart_done(void *arg, struct hostw_answer *a)
{
	struct host_worker *hw = arg;
	struct mgr_error err = { 0 };

	if (hw->load_failed)		/* said by restart_loaded */
		return;
	if (a->rc == 0 && a->code == 0) {
		hostw_registrations(hw, a->out != NULL ? a->out : "");
		return;
	}
	if (a->rc == 0) {
		mgr_error_set(&err, MGR_EINVAL, _("%s: on_enable refused "
		    "(returned %d)"), hw->where, a->code);
		hw->dying = 1;
		kill(-hw->pid, SIGKILL);
	} else {
		mgr_error_set(&err, a->rc, "%s", a->error);
		hostw_crashed(hw, a->rc, _("on_enable"), a->error);
	}
	log_warning(&hw->mgr->log, "%s", err.msg);
	hostw_fail_all(hw, &err);
}

static struct hostw_req *
req_new(const char *call, char *const *args, int timeout_ms, char *what,
	hostw_done_fn done, void *arg)
{
	struct hostw_req *req = xcalloc(1, sizeof *req);

	req->call = xstrdup(call);
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		req->args = strv_push(req->args, args[i]);
	req->timeout_ms = timeout_ms;
	req->what = what;
	req->done = done;
	req->arg = arg;
	return req;
}

/* No worker (it crashed, hung or was refused): a new one, whose
 * loading, then on_enable, go first in the queue (loading apart, so
 * that a crash is said to be the constructor's or on_enable's, as the
 * probe says).  -1 when it cannot start. */
static int
hostw_restart(struct host_worker *hw)
{
	struct mgr_error err = { 0 };
	struct hostw_req *load, *enable;

	log_info(&hw->mgr->log, _("plugin %s: starting its host worker again"),
	    hw->id);
	if (hostw_spawn(hw, &err) != 0) {
		hostw_fail_all(hw, &err);
		return -1;
	}
	load = req_new("@load", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    xstrdup(_("constructor")), restart_loaded, hw);
	enable = req_new("@enable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    xstrdup(_("on_enable")), restart_done, hw);
	load->next = enable;
	enable->next = hw->head;
	if (hw->head == NULL)
		hw->tail = enable;
	hw->head = load;
	hw->queued += 2;
	return 0;
}

/* Sends the head of the queue when the worker is free. */
static void
hostw_pump(struct host_worker *hw)
{
	struct hostw_req *req;

	ev_timer_stop(hw->loop, &hw->kick);
	if (hw->busy || hw->dying || hw->stopping || hw->head == NULL)
		return;
	if (hw->pid == 0 && hw->closing) {	/* on_disable has no worker */
		struct mgr_error err = { 0 };

		mgr_error_set(&err, MGR_EBUSY, _("%s: its host worker stopped "
		    "before the call was made"), hw->where);
		hostw_fail_all(hw, &err);
		return;
	}
	if (hw->pid == 0 && hostw_restart(hw) != 0)
		return;
	req = hw->head;
	hostw_encode(hw, req->call, req->args, req->timeout_ms);
	hw->busy = 1;
	ev_timer_set(&hw->deadline, req->timeout_ms / 1000.0, 0.);
	ev_timer_start(hw->loop, &hw->deadline);
	ev_io_start(hw->loop, &hw->wio);
}

/* Queues a call; done hears from the loop, never from in here. */
static int
hostw_submit(struct host_worker *hw, struct hostw_req *req)
{
	if (hw->queued >= HOSTW_QUEUE_MAX || hw->closing) {
		req_free(req);
		return MGR_EBUSY;
	}
	if (hw->tail != NULL)
		hw->tail->next = req;
	else
		hw->head = req;
	hw->tail = req;
	hw->queued++;
	if (!hw->busy)
		ev_timer_start(hw->loop, &hw->kick);
	return 0;
}

void
hostw_cancel(struct hostw_req *req)
{
	if (req != NULL)
		req->done = NULL;
}

/* ---- the worker's life */

static struct host_worker *
hostw_new(struct mgr *mgr, const char *id, const char *lib)
{
	struct host_worker *hw = xcalloc(1, sizeof *hw);

	hw->mgr = mgr;
	hw->id = xstrdup(id);
	hw->lib = xstrdup(lib);
	hw->where = xasprintf(_("plugin %s"), id);
	hw->reqfd = hw->replyfd = hw->outfd = hw->errfd = -1;
	ev_timer_init(&hw->deadline, deadline_cb, 0., 0.);
	ev_timer_init(&hw->kick, kick_cb, 0., 0.);
	ev_timer_init(&hw->settle, settle_cb, 0., 0.);
	ev_timer_init(&hw->grace, grace_cb, 0., 0.);
	hw->deadline.data = hw->kick.data = hw;
	hw->settle.data = hw->grace.data = hw;
	return hw;
}

static void
hostw_free(struct host_worker *hw)
{
	if (hw->loop != NULL) {
		ev_timer_stop(hw->loop, &hw->kick);
		ev_timer_stop(hw->loop, &hw->settle);
		ev_timer_stop(hw->loop, &hw->grace);
	}
	hostw_kill(hw);
	strbuf_free(&hw->in);
	strbuf_free(&hw->said);
	strbuf_free(&hw->wbuf);
	strv_free(hw->hooks);
	strv_free(hw->routes);
	free(hw->id);
	free(hw->lib);
	free(hw->where);
	free(hw);
}

/* A worker of plugin id on the engine's loop, not started yet; NULL,
 * err set, where there is no loop. */
static struct host_worker *
hostw_on_loop(struct mgr *mgr, const char *id, const char *lib,
	      struct mgr_error *err)
{
	struct host_worker *hw;

	if (mgr->loop == NULL) {
		mgr_error_set(err, MGR_EINVAL, _("plugin %s: a host worker needs "
		    "the engine's loop"), id);
		return NULL;
	}
	hw = hostw_new(mgr, id, lib);
	hw->loop = mgr->loop;
	return hw;
}

int
hostw_start(struct mgr *mgr, const char *id, const char *lib,
	    struct host_worker **out, struct mgr_error *err)
{
	struct host_worker *hw;
	int rc;

	if ((hw = hostw_on_loop(mgr, id, lib, err)) == NULL)
		return err->code;
	if ((rc = hostw_enable(hw, err)) != 0) {
		hostw_free(hw);
		return rc;
	}
	*out = hw;
	return 0;
}

/* ---- starting and stopping from the loop (hostw_start_later,
 * hostw_stop_later): the owner hears through settle, from the loop, so
 * that it may free the worker then. */

static void
settle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct host_worker *hw = t->data;
	hostw_settled_fn fn = hw->settled;
	struct mgr_error outcome = hw->outcome;

	(void)loop;
	(void)revents;
	hw->settled = NULL;
	if (fn != NULL)		/* may free hw */
		fn(hw->settled_arg, hw, outcome.code, outcome.msg);
}

static void
hostw_settle_later(struct host_worker *hw, int rc, const char *error)
{
	hw->outcome.code = rc;
	snprintf(hw->outcome.msg, sizeof hw->outcome.msg, "%s",
	    error != NULL ? error : "");
	ev_timer_set(&hw->settle, 0., 0.);
	ev_timer_start(hw->loop, &hw->settle);
}

/* A worker that does not exit once on_disable returned is killed. */
static void
grace_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct host_worker *hw = t->data;

	(void)loop;
	(void)revents;
	if (hw->pid > 0)
		kill(-hw->pid, SIGKILL);	/* child_cb settles */
}

/* The new worker loaded the plugin (its constructor ran, the definition
 * checked), or why not: then on_enable, queued behind, is not called. */
static void
load_done(void *arg, struct hostw_answer *a)
{
	struct host_worker *hw = arg;
	struct mgr_error err = { 0 };

	if (a->rc == 0)
		return;
	mgr_error_set(&err, a->rc, "%s", a->error);
	hw->closing = 1;		/* no worker is started again for it */
	hostw_settle_later(hw, err.code, err.msg);
	hostw_fail_all(hw, &err);
}

/* The new worker's on_enable answered: its registrations, or why not. */
static void
start_done(void *arg, struct hostw_answer *a)
{
	struct host_worker *hw = arg;
	struct mgr_error err = { 0 };

	if (hw->closing)		/* not loaded: said by load_done */
		return;
	if (a->rc == 0 && a->code == 0)
		hostw_registrations(hw, a->out != NULL ? a->out : "");
	else if (a->rc == 0) {
		mgr_error_set(&err, MGR_EINVAL, _("%s: on_enable refused "
		    "(returned %d)"), hw->where, a->code);
		hw->dying = 1;
		kill(-hw->pid, SIGKILL);
	} else
		mgr_error_set(&err, a->rc, "%s", a->error);
	hostw_settle_later(hw, err.code, err.msg);
}

int
hostw_start_later(struct mgr *mgr, const char *id, const char *lib,
		  hostw_settled_fn ready, void *arg, struct host_worker **out,
		  struct mgr_error *err)
{
	struct host_worker *hw;
	int rc;

	if ((hw = hostw_on_loop(mgr, id, lib, err)) == NULL)
		return err->code;
	if ((rc = hostw_spawn(hw, err)) != 0) {
		hostw_free(hw);
		return rc;
	}
	hw->settled = ready;
	hw->settled_arg = arg;
	/* Loading first, so that a crash is said to be the constructor's or
	 * on_enable's, as the probe says. */
	hostw_submit(hw, req_new("@load", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    xstrdup(_("constructor")), load_done, hw));
	hostw_submit(hw, req_new("@enable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    xstrdup(_("on_enable")), start_done, hw));
	*out = hw;
	return 0;
}

/* on_disable answered (or failed): the worker is told to exit (EOF on
 * its requests) and given HOSTW_EXIT_GRACE_MS; child_cb settles. */
static void
stop_done(void *arg, struct hostw_answer *a)
{
	struct host_worker *hw = arg;

	if (a->rc != 0 && a->rc != MGR_EBUSY)
		log_warning(&hw->mgr->log, "%s", a->error);
	if (hw->pid == 0) {
		hostw_settle_later(hw, 0, NULL);
		return;
	}
	hw->finishing = 1;
	if (hw->dying)			/* killed already */
		return;
	ev_io_stop(hw->loop, &hw->wio);
	close_fd(&hw->reqfd);
	ev_timer_set(&hw->grace, HOSTW_EXIT_GRACE_MS / 1000., 0.);
	ev_timer_start(hw->loop, &hw->grace);
}

/* The calls waiting behind the one in the worker fail with err. */
static void
hostw_fail_waiting(struct host_worker *hw, const struct mgr_error *err)
{
	struct hostw_req *rest = hw->busy ? hw->head->next : hw->head;

	if (hw->busy) {
		hw->head->next = NULL;
		hw->tail = hw->head;
		hw->queued = 1;
	} else {
		hw->head = hw->tail = NULL;
		hw->queued = 0;
	}
	while (rest != NULL) {
		struct hostw_req *req = rest;
		struct hostw_answer a = { hw, err->code, 0, NULL, err->msg };

		rest = req->next;
		if (req->done != NULL)
			req->done(req->arg, &a);
		req_free(req);
	}
}

void
hostw_stop_later(struct host_worker *hw, hostw_settled_fn stopped, void *arg)
{
	struct mgr_error err = { 0 };
	struct hostw_req *req;

	hw->closing = 1;
	hw->settled = stopped;
	hw->settled_arg = arg;
	mgr_error_set(&err, MGR_EBUSY, _("%s: its host worker stopped before "
	    "the call was made"), hw->where);
	hostw_fail_waiting(hw, &err);
	req = req_new("@disable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    xstrdup(_("on_disable")), stop_done, hw);
	if (hw->tail != NULL)
		hw->tail->next = req;
	else
		hw->head = req;
	hw->tail = req;
	hw->queued++;
	if (!hw->busy)
		ev_timer_start(hw->loop, &hw->kick);
}

void
hostw_discard(struct host_worker *hw)
{
	struct mgr_error err = { 0 };

	if (hw == NULL)
		return;
	hw->settled = NULL;
	hw->stopping = 1;
	mgr_error_set(&err, MGR_EBUSY, _("%s: its host worker stopped before "
	    "the call was made"), hw->where);
	hostw_fail_all(hw, &err);
	hostw_free(hw);
}

/* EOF on its requests: the worker unloads the plugin and exits. */
static int
hostw_finish(struct host_worker *hw, int timeout_ms)
{
	int64_t deadline = mgr_mono_us() + (int64_t)timeout_ms * 1000;
	pid_t pid = hw->pid;
	int st;

	close_fd(&hw->reqfd);
	while (pid > 0 && mgr_mono_us() < deadline) {
		pid_t got = waitpid(pid, &st, WNOHANG);
		if (got == pid || got == -1) {
			hostw_drain(hw, &hw->errfd, 1);
			hostw_close(hw);
			return got == pid ? st : -1;
		}
		usleep(2000);
	}
	return hostw_kill(hw);
}

/* Before on_disable: the call in the worker gets the rest of its time,
 * waited for here; the calls queued behind it are not made. */
static void
hostw_settle(struct host_worker *hw)
{
	int64_t deadline = mgr_mono_us() +
	    (int64_t)(ev_timer_remaining(hw->loop, &hw->deadline) * 1e6);
	struct mgr_error err = { 0 };
	struct hostw_reply r = { 0 };
	int rc;

	hw->stopping = 1;
	ev_timer_stop(hw->loop, &hw->kick);
	if (hw->dying)		/* killed, its call answered: reaped here */
		hostw_kill(hw);
	if (hw->busy) {
		rc = hostw_flush(hw, deadline);
		rc = rc == 0 ? hostw_wait(hw, deadline, &r) :
		    rc > 0 ? CALL_TIMEOUT : CALL_DIED;
		if (rc == CALL_OK) {
			hostw_answer(hw, 0, r.rc, r.out, NULL);
			r.out = NULL;
		} else
			hostw_failed_head(hw, rc);
		reply_clear(&r);
	}
	mgr_error_set(&err, MGR_EBUSY, _("%s: its host worker stopped before "
	    "the call was made"), hw->where);
	hostw_fail_all(hw, &err);
}

void
hostw_stop(struct host_worker *hw)
{
	struct mgr_error err = { 0 };
	struct hostw_reply r;

	if (hw == NULL)
		return;
	hostw_settle(hw);
	if (hw->pid != 0 && hostw_call(hw, "@disable", NULL,
	    HOSTW_ENABLE_TIMEOUT_MS, _("on_disable"), hw->where, &r, &err) != 0)
		log_warning(&hw->mgr->log, "%s", err.msg);
	else if (hw->pid != 0) {
		reply_clear(&r);
		hostw_finish(hw, 200);
	}
	hostw_free(hw);
}

static int
hooks_match(const struct host_worker *hw, const char *event)
{
	for (size_t i = 0; hw->hooks != NULL && hw->hooks[i] != NULL; i++)
		if (strcmp(hw->hooks[i], "*") == 0 ||
		    strcmp(hw->hooks[i], event) == 0)
			return 1;
	return 0;
}

void
hostw_emit(struct host_worker *hw, const char *event, const char *subject,
	   const char *message)
{
	char *args[] = { (char *)event, (char *)(subject ? subject : ""),
	    (char *)(message ? message : ""), NULL };
	struct hostw_req *req;

	if (!hooks_match(hw, event))
		return;
	req = req_new("@hook", args, HOSTW_CALL_TIMEOUT_MS,
	    xasprintf(_("hook for %s"), event), NULL, NULL);
	req->fail_kind = "plugin.hook_failed";
	if (hostw_submit(hw, req) != 0 && !hw->closing)
		log_warning(&hw->mgr->log, _("%s: its host worker's queue is "
		    "full (%zu calls wait); the hook for %s is dropped"),
		    hw->where, hw->queued, event);
}

static int
route_known(const struct host_worker *hw, const char *method, const char *path)
{
	size_t len = strlen(method);

	for (size_t i = 0; hw->routes != NULL && hw->routes[i] != NULL; i++)
		if (strncasecmp(hw->routes[i], method, len) == 0 &&
		    hw->routes[i][len] == '\t' &&
		    strcmp(hw->routes[i] + len + 1, path) == 0)
			return 1;
	return 0;
}

int
hostw_route(struct host_worker *hw, const char *method, const char *path,
	    const char *body, hostw_done_fn done, void *arg,
	    struct hostw_req **ticket, struct mgr_error *err)
{
	char *args[] = { (char *)method, (char *)path, (char *)body, NULL };
	struct hostw_req *req;

	if (!route_known(hw, method, path))
		return MGR_ENOENT;
	req = req_new("@route", args, HOSTW_CALL_TIMEOUT_MS,
	    xasprintf(_("route %s /%s"), method, path), done, arg);
	req->fail_kind = "plugin.route_failed";
	*ticket = req;
	if (hostw_submit(hw, req) != 0) {
		*ticket = NULL;
		if (hw->closing)
			return mgr_error_set(err, MGR_EBUSY, _("%s: its host "
			    "worker is stopping (the plugin is being disabled or "
			    "reloaded)"), hw->where);
		return mgr_error_set(err, MGR_EBUSY, _("%s: its host worker's "
		    "queue is full (%d calls wait); try again later"), hw->where,
		    HOSTW_QUEUE_MAX);
	}
	return 0;
}

/* The probe's calls in the worker; errors name the folder. */
static int
probe_calls(struct host_worker *hw, const char *dir, int run_enable,
	    struct mgr_error *err)
{
	struct hostw_reply r;
	int rc;

	if ((rc = hostw_call(hw, "@load", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    _("probe"), dir, &r, err)) != 0 || !run_enable)
		goto out;
	reply_clear(&r);
	if ((rc = hostw_call(hw, "@enable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    _("on_enable"), dir, &r, err)) != 0)
		return rc;
	if (r.rc != 0) {
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: on_enable refused "
		    "(returned %d)"), dir, r.rc);
		goto out;
	}
	reply_clear(&r);
	rc = hostw_call(hw, "@disable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
	    _("on_disable"), dir, &r, err);
out:
	if (rc == 0)
		reply_clear(&r);
	return rc;
}

int
hostw_probe(struct mgr *mgr, const char *dir, int run_enable,
	    struct mgr_error *err)
{
	struct mgr_problems p = { 0 };
	struct host_worker *hw;
	struct manifest m;
	char *lib;
	int rc, st;

	memset(&m, 0, sizeof m);
	if ((rc = manifest_load(dir, &m, &p, err)) != 0) {
		problems_free(&p);
		return rc;
	}
	lib = manifest_library_path(&m);
	hw = hostw_new(mgr, m.id, lib);
	hw->probe = 1;
	if ((rc = hostw_spawn(hw, err)) == 0 &&
	    (rc = probe_calls(hw, dir, run_enable, err)) == 0) {
		st = hostw_finish(hw, HOSTW_ENABLE_TIMEOUT_MS);
		if (st != -1 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0)) {
			hostw_why(hw, st, _("destructor"), dir, err);
			rc = err->code;
		}
	}
	hostw_free(hw);
	free(lib);
	manifest_clear(&m);
	problems_free(&p);
	return rc;
}

void
hostw_route_methods(const struct host_worker *hw, const char *path, char *buf,
		    size_t size)
{
	size_t len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (size_t i = 0; hw->routes != NULL && hw->routes[i] != NULL &&
	    len < size; i++) {
		const char *tab = strchr(hw->routes[i], '\t');
		int n;

		if (tab == NULL || strcmp(tab + 1, path) != 0)
			continue;
		n = snprintf(buf + len, size - len, "%s%.*s", len > 0 ? ", " : "",
		    (int)(tab - hw->routes[i]), hw->routes[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}
