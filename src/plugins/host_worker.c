/* host_worker.c - a sandboxed plugin's on_enable, on_disable, hooks and
 * routes in its confined host worker (see host_worker.h). */
#include "i18n.h"
#include "host_worker.h"
#include "manager.h"
#include "manifest.h"
#include "sandbox.h"
#include "util.h"
#include "worker_host.h"

#include <errno.h>
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

struct host_worker {
	struct mgr *mgr;
	char *id, *lib;
	pid_t pid;			/* 0: none (not started yet, or gone) */
	int reqfd, replyfd, outfd, errfd;
	struct strbuf in;		/* reply bytes not yet parsed */
	struct strbuf said;		/* the worker's stderr, its first bytes */
	unsigned seq;
	int answered;			/* a reply came: the library loaded */
	int probe;			/* hostw_probe's: errors say "probe" */
	char **hooks;			/* events hooked ("*": all) */
	char **routes;			/* "METHOD\tPATH" */
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
	hw->in.len = hw->said.len = 0;
	if (hw->in.buf != NULL)
		hw->in.buf[0] = '\0';
	hw->answered = 0;
	strv_free(argv);
	free(helper);
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
hostw_close(struct host_worker *hw)
{
	close_fd(&hw->reqfd);
	close_fd(&hw->replyfd);
	close_fd(&hw->outfd);
	close_fd(&hw->errfd);
	hw->pid = 0;
}

/* What the worker prints: stdout is dropped, the start of stderr kept
 * (a worker that cannot load or confine the plugin says why there). */
static void
hostw_drain(struct host_worker *hw, int *fd, int keep)
{
	char buf[4096];
	ssize_t n;

	while (*fd != -1 && (n = read(*fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN */
		}
		if (keep && hw->said.len < SAID_MAX)
			strbuf_add(&hw->said, buf, (size_t)n < SAID_MAX -
			    hw->said.len ? (size_t)n : SAID_MAX - hw->said.len);
	}
	if (*fd != -1)
		close_fd(fd);		/* EOF */
}

/* Kills the worker (its process group) and reaps it: its wait status,
 * or -1 when it was reaped elsewhere (the loop's SIGCHLD handler). */
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

/* Request: "LEN\n" + NUL-ended fields seq, timeout, call, args. */
static int
hostw_send(struct host_worker *hw, const char *call, char *const *args,
	   int timeout_ms, int64_t deadline)
{
	struct strbuf body = STRBUF_INIT;
	char num[32];
	int rc;

	snprintf(num, sizeof num, "%u", ++hw->seq);
	strbuf_add(&body, num, strlen(num) + 1);
	snprintf(num, sizeof num, "%d", (timeout_ms + 999) / 1000);
	strbuf_add(&body, num, strlen(num) + 1);
	strbuf_add(&body, call, strlen(call) + 1);
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		strbuf_add(&body, args[i], strlen(args[i]) + 1);
	snprintf(num, sizeof num, "%zu\n", body.len);
	rc = send_all(hw->reqfd, num, strlen(num), deadline);
	if (rc == 0)
		rc = send_all(hw->reqfd, body.buf, body.len, deadline);
	strbuf_free(&body);
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

enum { CALL_OK, CALL_TIMEOUT, CALL_DIED, CALL_BAD };

/* Reads until the reply, answering the plugin's queries meanwhile. */
static int
hostw_wait(struct host_worker *hw, int64_t deadline, struct hostw_reply *r)
{
	char buf[16384];
	int done = 0, eof = 0, t;

	for (;;) {
		struct pollfd pfd[3] = { { hw->replyfd, POLLIN, 0 },
		    { hw->outfd, POLLIN, 0 }, { hw->errfd, POLLIN, 0 } };
		ssize_t n;

		while ((t = hostw_take(hw, r, &done)) > 0 && !done)
			;
		if (done)
			return CALL_OK;
		if (t < 0)
			return CALL_BAD;
		if (eof)	/* what came before the end is taken above */
			return CALL_DIED;
		if (mgr_mono_us() >= deadline)
			return CALL_TIMEOUT;
		if (poll(pfd, 3, (int)((deadline - mgr_mono_us()) / 1000) + 1) < 0 &&
		    errno != EINTR)
			return CALL_BAD;
		hostw_drain(hw, &hw->outfd, 0);
		hostw_drain(hw, &hw->errfd, 1);
		while ((n = read(hw->replyfd, buf, sizeof buf)) > 0)
			strbuf_add(&hw->in, buf, (size_t)n);
		eof = n == 0;
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

/* One call of the plugin: 0 with r filled, or an error; a worker that
 * failed is gone afterwards.  what names the call in errors, where the
 * plugin. */
static int
hostw_call(struct host_worker *hw, const char *call, char *const *args,
	   int timeout_ms, const char *what, const char *where,
	   struct hostw_reply *r, struct mgr_error *err)
{
	int64_t deadline = mgr_mono_us() + (int64_t)timeout_ms * 1000;
	int rc = hostw_send(hw, call, args, timeout_ms, deadline);

	memset(r, 0, sizeof *r);
	if (rc == 0)
		rc = hostw_wait(hw, deadline, r);
	else
		rc = rc > 0 ? CALL_TIMEOUT : CALL_DIED;
	if (rc == CALL_OK)
		return 0;
	reply_clear(r);
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

/* Starts the worker when there is none and calls on_enable. */
static int
hostw_enable(struct host_worker *hw, struct mgr_error *err)
{
	struct hostw_reply r;
	char *where = xasprintf(_("plugin %s"), hw->id);
	int rc = 0;

	if (hw->pid == 0)
		rc = hostw_spawn(hw, err);
	if (rc == 0)
		rc = hostw_call(hw, "@enable", NULL, HOSTW_ENABLE_TIMEOUT_MS,
		    _("on_enable"), where, &r, err);
	if (rc == 0 && r.rc != 0) {
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: on_enable refused "
		    "(returned %d)"), where, r.rc);
		hostw_kill(hw);
	} else if (rc == 0)
		hostw_registrations(hw, r.out);
	reply_clear(&r);
	free(where);
	return rc;
}

static struct host_worker *
hostw_new(struct mgr *mgr, const char *id, const char *lib)
{
	struct host_worker *hw = xcalloc(1, sizeof *hw);

	hw->mgr = mgr;
	hw->id = xstrdup(id);
	hw->lib = xstrdup(lib);
	hw->reqfd = hw->replyfd = hw->outfd = hw->errfd = -1;
	return hw;
}

static void
hostw_free(struct host_worker *hw)
{
	hostw_kill(hw);
	strbuf_free(&hw->in);
	strbuf_free(&hw->said);
	strv_free(hw->hooks);
	strv_free(hw->routes);
	free(hw->id);
	free(hw->lib);
	free(hw);
}

int
hostw_start(struct mgr *mgr, const char *id, const char *lib,
	    struct host_worker **out, struct mgr_error *err)
{
	struct host_worker *hw = hostw_new(mgr, id, lib);
	int rc = hostw_enable(hw, err);

	if (rc != 0) {
		hostw_free(hw);
		return rc;
	}
	*out = hw;
	return 0;
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

void
hostw_stop(struct host_worker *hw)
{
	struct mgr_error err = { 0 };
	struct hostw_reply r;
	char *where;

	if (hw == NULL)
		return;
	where = xasprintf(_("plugin %s"), hw->id);
	if (hw->pid != 0 && hostw_call(hw, "@disable", NULL,
	    HOSTW_ENABLE_TIMEOUT_MS, _("on_disable"), where, &r, &err) != 0)
		log_warning(&hw->mgr->log, "%s", err.msg);
	else if (hw->pid != 0) {
		reply_clear(&r);
		hostw_finish(hw, 200);
	}
	free(where);
	hostw_free(hw);
}

/* A call after the worker died: a new one, enabled first. */
static int
hostw_ready(struct host_worker *hw, struct mgr_error *err)
{
	/* Died between calls and reaped by the loop's SIGCHLD handler. */
	if (hw->pid != 0 && kill(hw->pid, 0) != 0 && errno == ESRCH)
		hostw_close(hw);
	if (hw->pid != 0)
		return 0;
	log_info(&hw->mgr->log, _("plugin %s: starting its host worker again"),
	    hw->id);
	return hostw_enable(hw, err);
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
	struct mgr_error err = { 0 };
	struct hostw_reply r;
	char *args[] = { (char *)event, (char *)(subject ? subject : ""),
	    (char *)(message ? message : ""), NULL };
	char *where, *what;

	if (!hooks_match(hw, event))
		return;
	where = xasprintf(_("plugin %s"), hw->id);
	what = xasprintf(_("hook for %s"), event);
	if (hostw_ready(hw, &err) == 0 && hostw_call(hw, "@hook", args,
	    HOSTW_CALL_TIMEOUT_MS, what, where, &r, &err) == 0)
		reply_clear(&r);
	else {
		log_warning(&hw->mgr->log, "%s", err.msg);
		mgr_event(hw->mgr, "plugin.hook_failed", hw->id, NULL, "%s",
		    err.msg);
	}
	free(what);
	free(where);
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
	    const char *body, char **out_body, int *status,
	    struct mgr_error *err)
{
	struct hostw_reply r;
	char *args[] = { (char *)method, (char *)path, (char *)body, NULL };
	char *where, *what;
	int rc;

	*out_body = NULL;
	if (!route_known(hw, method, path))
		return MGR_ENOENT;
	where = xasprintf(_("plugin %s"), hw->id);
	what = xasprintf(_("route %s /%s"), method, path);
	if ((rc = hostw_ready(hw, err)) == 0 && (rc = hostw_call(hw, "@route",
	    args, HOSTW_CALL_TIMEOUT_MS, what, where, &r, err)) == 0) {
		*status = r.rc;
		if (r.out[0] != '\0') {	/* none: the API answers {} */
			*out_body = r.out;
			r.out = NULL;
		}
		reply_clear(&r);
	} else {
		log_warning(&hw->mgr->log, "%s", err->msg);
		mgr_event(hw->mgr, "plugin.route_failed", hw->id, NULL, "%s",
		    err->msg);
	}
	free(what);
	free(where);
	return rc;
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
