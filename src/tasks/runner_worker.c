/* runner_worker.c - reusable sandbox workers for plugin functions.
 *
 * Spawning manager-run, opening the database and loading the plugin for
 * every run costs milliseconds; a worker (manager-run worker) does it once
 * and then serves runs one after another, under the same limits and
 * isolation.  Up to worker_threads workers per plugin; runs wait in a
 * queue when all are busy.  A worker that crashes or is killed at a
 * timeout takes only its own run with it and is replaced on demand.  A
 * plugin whose row changed (upgrade, re-enable) gets fresh workers.
 */
#include "i18n.h"
#include "manager.h"
#include "runner_int.h"
#include "runlog.h"
#include "sandbox.h"
#include "spin.h"
#include "util.h"
#include "worker_host.h"

#include <errno.h>
#include <ev.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct wjob {
	struct runner *r;
	struct wpool *wp;
	run_done_fn done;
	void *arg;
	char **fields;			/* seq, timeout, function, args */
	int timeout_s;
	int64_t started_at;
	ev_timer timeout, kill;
	int timed_out, interrupted, stopped;
	struct sworker *w;
	struct runlog_file *log;	/* the full log, or NULL */
	struct wjob *next;		/* queue */
};

struct sworker {
	struct wpool *wp;
	pid_t pid;
	int reqfd, replyfd, outfd, errfd;
	ev_io rio, oio, eio;
	ev_child child;
	struct strbuf in;		/* reply bytes not yet parsed */
	struct strbuf out;		/* the run's stdout and stderr */
	size_t dropped;
	struct wjob *job;
	int retire;			/* stop after the current run */
	struct sworker *next;
};

struct wpool {
	struct runner *r;
	char *plugin, *lib;
	char *user, *group;		/* whom its workers run as (NULL: the
					 * engine's user and group) */
	int64_t stamp;			/* plugins.updated_at of its workers */
	struct sworker *workers;
	int nworkers;
	struct wjob *qhead, *qtail;
	struct wpool *next;
};

static void wpool_dispatch(struct wpool *wp);

static void
out_keep(struct sworker *w, const char *p, size_t n)
{
	size_t max = (size_t)w->wp->r->mgr->conf->output_excerpt_bytes;
	size_t keep = w->out.len < max ? max - w->out.len : 0;

	if (keep > n)
		keep = n;
	strbuf_add(&w->out, p, keep);
	w->dropped += n - keep;
}

/* One of the worker's output pipes, until it would block; past the
 * excerpt, pipe to log by splice(2) (proc_drain in runner.c). */
static void
worker_drain(struct sworker *w, int fd, int kind)
{
	size_t max = (size_t)w->wp->r->mgr->conf->output_excerpt_bytes;
	char buf[16384];
	ssize_t n;

	while (fd != -1) {
		if (w->job != NULL && w->out.len >= max &&
		    (n = runlog_splice(w->job->log, kind, fd, mgr_now_us())) > 0) {
			w->dropped += (size_t)n;
			continue;
		}
		if ((n = read(fd, buf, sizeof buf)) == 0)
			return;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;		/* EAGAIN */
		}
		if (w->job == NULL)
			continue;
		out_keep(w, buf, (size_t)n);
		runlog_write(w->job->log, kind, buf, (size_t)n, mgr_now_us());
	}
}

static void
worker_read_output(struct sworker *w)
{
	worker_drain(w, w->outfd, RUNLOG_STDOUT);
	worker_drain(w, w->errfd, RUNLOG_STDERR);
}

static void
job_finish(struct wjob *j, struct run_outcome *o)
{
	struct runner *r = j->r;

	ev_timer_stop(r->loop, &j->timeout);
	ev_timer_stop(r->loop, &j->kill);
	if (j->w != NULL)
		r->wcalls--;	/* it was sent */
	r->active--;
	strv_free(j->fields);
	o->log = runlog_end(j->log, o->status, &o->log_len);
	j->done(o, j->arg);
	free(j);
}

static void
job_outcome_init(struct wjob *j, struct run_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->exit_code = -1;
	o->started_at = j->started_at;
	o->ended_at = mgr_now_us();
}

/* The job's flags override what the worker said. */
static void
job_outcome_flags(struct wjob *j, struct run_outcome *o)
{
	if (j->stopped && !j->timed_out && !j->interrupted) {
		free(o->error);
		o->status = "stopped";
		o->error = xstrdup(_("stopped by request"));
		return;
	}
	if (!j->timed_out && !j->interrupted)
		return;
	free(o->error);
	o->status = j->timed_out ? "timed_out" : "interrupted";
	o->error = j->timed_out ? xasprintf(_("timed out after %d s"), j->timeout_s) :
	    xstrdup(_("interrupted by shutdown"));
}

/* Output: what the function gave mgr_output, then what it printed. */
static char *
job_output(struct sworker *w, const char *ctx_out, size_t ctx_len)
{
	size_t max = (size_t)w->wp->r->mgr->conf->output_excerpt_bytes;
	struct strbuf sb = STRBUF_INIT;
	char *s;

	strbuf_add(&sb, ctx_out, ctx_len);
	strbuf_add(&sb, w->out.buf != NULL ? w->out.buf : "", w->out.len);
	s = run_excerpt(sb.buf, sb.len, max, w->dropped);
	strbuf_free(&sb);
	w->out.len = 0;
	w->dropped = 0;
	return s;
}

/* A host call of the running plugin (state, log: the worker has no
 * database): answered here, and the run goes on. */
static int
worker_query(struct sworker *w)
{
	int rc = worker_host_query(w->wp->r->mgr, w->wp->plugin, &w->in,
	    w->reqfd);

	if (rc < 0)
		kill(-w->pid, SIGKILL);
	return rc;
}

/* One complete reply in w->in: "R SEQ RC ERRLEN OUTLEN\n" + bytes. */
static int
worker_take_reply(struct sworker *w)
{
	struct wjob *j = w->job;
	struct run_outcome o;
	char *nl, *body;
	size_t errlen, outlen, head;
	int rc;

	if (w->in.len > 0 && w->in.buf[0] == 'Q')
		return worker_query(w);
	if (w->in.len == 0 || (nl = memchr(w->in.buf, '\n', w->in.len)) == NULL)
		return 0;
	if (sscanf(w->in.buf, "R %*s %d %zu %zu", &rc, &errlen, &outlen) != 3)
		return -1;
	head = (size_t)(nl - w->in.buf) + 1;
	if (w->in.len < head + errlen + outlen)
		return 0;
	body = w->in.buf + head;
	worker_read_output(w);	/* printed before the reply: in the pipe now */
	/* What the function gave mgr_task_output, to the full log. */
	runlog_write(j->log, RUNLOG_STDOUT, body + errlen, outlen, mgr_now_us());
	job_outcome_init(j, &o);
	o.exit_code = rc;
	o.status = rc == 0 ? "succeeded" : "failed";
	if (errlen > 0)
		o.error = xstrndup(body, errlen);
	else if (rc != 0)
		o.error = xasprintf(_("returned %d"), rc);
	o.output = job_output(w, body + errlen, outlen);
	job_outcome_flags(j, &o);
	memmove(w->in.buf, body + errlen + outlen, w->in.len - head - errlen - outlen);
	w->in.len -= head + errlen + outlen;
	w->in.buf[w->in.len] = '\0';
	w->job = NULL;
	job_finish(j, &o);
	return 1;
}

static void
worker_close(struct sworker *w)
{
	struct ev_loop *loop = w->wp->r->loop;

	ev_io_stop(loop, &w->rio);
	ev_io_stop(loop, &w->oio);
	ev_io_stop(loop, &w->eio);
	if (w->errfd != -1)
		close(w->errfd);
	if (w->reqfd != -1)
		close(w->reqfd);
	if (w->replyfd != -1)
		close(w->replyfd);
	if (w->outfd != -1)
		close(w->outfd);
	w->reqfd = w->replyfd = w->outfd = w->errfd = -1;
}

static void
worker_unlink(struct sworker *w)
{
	struct sworker **pp;

	for (pp = &w->wp->workers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			w->wp->nworkers--;
			return;
		}
	}
}

static void
worker_reply_cb(struct ev_loop *loop, ev_io *w_, int revents)
{
	struct sworker *w = w_->data;
	char buf[16384];
	ssize_t n;

	(void)loop;
	(void)revents;
	while ((n = read(w->replyfd, buf, sizeof buf)) > 0)
		strbuf_add(&w->in, buf, (size_t)n);
	if (n == 0) {		/* worker closed its end: it is exiting */
		ev_io_stop(loop, &w->rio);
		return;
	}
	while (w->job != NULL && worker_take_reply(w) > 0)
		;
	if (w->retire && w->job == NULL && w->reqfd != -1) {
		close(w->reqfd);	/* EOF: the worker exits */
		w->reqfd = -1;
	}
	wpool_dispatch(w->wp);
}

static void
worker_output_cb(struct ev_loop *loop, ev_io *w_, int revents)
{
	struct sworker *w = w_->data;

	(void)revents;
	worker_read_output(w);
	if (w->outfd == -1 || w->errfd == -1)
		ev_io_stop(loop, w_);
}

static void
worker_died(struct sworker *w, int wstatus)
{
	struct wjob *j = w->job;
	struct run_outcome o;
	char name[32];

	worker_read_output(w);
	job_outcome_init(j, &o);
	if (WIFSIGNALED(wstatus)) {
		o.signal = WTERMSIG(wstatus);
		o.status = "crashed";
		o.error = xasprintf(_("killed by %s"),
		    sandbox_signal_name(o.signal, name, sizeof name));
	} else {
		o.exit_code = WEXITSTATUS(wstatus);
		o.status = "failed";
		o.error = xasprintf(_("sandbox worker exited with status %d"),
		    o.exit_code);
	}
	o.output = job_output(w, "", 0);
	job_outcome_flags(j, &o);
	w->job = NULL;
	job_finish(j, &o);
}

static void
worker_child_cb(struct ev_loop *loop, ev_child *c, int revents)
{
	struct sworker *w = c->data;
	struct wpool *wp = w->wp;

	(void)revents;
	ev_child_stop(loop, c);
	if (w->job != NULL)
		worker_died(w, c->rstatus);
	worker_close(w);
	worker_unlink(w);
	strbuf_free(&w->in);
	strbuf_free(&w->out);
	free(w);
	wpool_dispatch(wp);	/* a replacement, if runs wait */
}

static struct sworker *
worker_spawn(struct wpool *wp, struct mgr_error *err)
{
	struct runner *r = wp->r;
	struct sworker *w = xcalloc(1, sizeof *w);
	char **argv = runner_helper_argv(r, "worker"), *s;
	int rc;

	argv = strv_push(argv, "--db");
	argv = strv_push(argv, db_path(r->mgr->db));
	argv = strv_push(argv, "--lib");
	argv = strv_push(argv, wp->lib);
	argv = strv_push(argv, "--id");
	argv = strv_push(argv, wp->plugin);
	s = xasprintf("--output-max=%zu", runner_output_max(r));
	argv = strv_push(argv, s);
	free(s);
	if (r->mgr->conf->sandbox_require)
		argv = strv_push(argv, "--require");
	if (wp->user != NULL) {
		argv = strv_push(argv, "--user");
		argv = strv_push(argv, wp->user);
	}
	if (wp->group != NULL) {
		argv = strv_push(argv, "--group");
		argv = strv_push(argv, wp->group);
	}
	rc = sandbox_spawn_worker(argv, &w->pid, &w->reqfd, &w->replyfd,
	    &w->outfd, &w->errfd, err);
	strv_free(argv);
	if (rc != 0) {
		free(w);
		return NULL;
	}
	w->wp = wp;
	ev_io_init(&w->rio, worker_reply_cb, w->replyfd, EV_READ);
	w->rio.data = w;
	ev_io_start(r->loop, &w->rio);
	ev_io_init(&w->oio, worker_output_cb, w->outfd, EV_READ);
	w->oio.data = w;
	ev_io_start(r->loop, &w->oio);
	ev_io_init(&w->eio, worker_output_cb, w->errfd, EV_READ);
	w->eio.data = w;
	ev_io_start(r->loop, &w->eio);
	ev_child_init(&w->child, worker_child_cb, w->pid, 0);
	w->child.data = w;
	ev_child_start(r->loop, &w->child);
	w->next = wp->workers;
	wp->workers = w;
	wp->nworkers++;
	return w;
}

static void
job_kill_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct wjob *j = t->data;

	(void)loop;
	(void)revents;
	if (j->w != NULL)
		kill(-j->w->pid, SIGKILL);
}

/* SIGTERM: the worker cancels the run (mgr_cancelled); one that does not
 * return in time is killed, with the worker. */
static void
job_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct wjob *j = t->data;
	int grace = j->r->mgr->conf->kill_grace_seconds;

	(void)revents;
	if (j->stopped)
		return;		/* its stop is under way */
	j->timed_out = 1;
	if (j->w == NULL)
		return;
	kill(-j->w->pid, grace > 0 ? SIGTERM : SIGKILL);
	ev_timer_set(&j->kill, grace, 0);
	ev_timer_start(loop, &j->kill);
}

static int
worker_send(struct sworker *w, struct wjob *j)
{
	struct strbuf body = STRBUF_INIT;
	int ok = 1;

	for (size_t i = 0; j->fields[i] != NULL; i++)
		strbuf_add(&body, j->fields[i], strlen(j->fields[i]) + 1);
	if (send_framed(w->reqfd, body.buf, body.len) != 0)
		ok = 0;		/* a dead worker: its ev_child ends the run */
	strbuf_free(&body);
	return ok;
}

/* The loop's turn while it spins for a worker's reply (runner_int.h):
 * the reply's ev_io ends the wait as soon as epoll sees it. */
static void
worker_spin_cb(struct ev_loop *loop, ev_idle *idle, int revents)
{
	struct runner *r = idle->data;

	(void)revents;
	if (r->wcalls <= 0 || spin_now_ns() >= r->wspin_until_ns) {
		ev_idle_stop(loop, idle);
		return;
	}
	sched_yield();	/* under load, another thread may need this CPU */
}

static void
worker_spin_start(struct runner *r)
{
	r->wspin_until_ns = spin_now_ns() + (int64_t)SPIN_WAIT_US * 1000;
	if (ev_is_active(&r->wspin))
		return;
	ev_idle_init(&r->wspin, worker_spin_cb);
	r->wspin.data = r;
	ev_idle_start(r->loop, &r->wspin);
}

static void
wpool_start_job(struct sworker *w, struct wjob *j)
{
	struct ev_loop *loop = w->wp->r->loop;

	w->job = j;
	j->w = w;
	j->started_at = mgr_now_us();
	w->out.len = 0;
	w->dropped = 0;
	worker_send(w, j);
	w->wp->r->wcalls++;
	worker_spin_start(w->wp->r);
	if (j->timeout_s > 0) {
		ev_now_update(loop);
		ev_timer_start(loop, &j->timeout);
	}
}

static struct sworker *
wpool_idle(struct wpool *wp)
{
	for (struct sworker *w = wp->workers; w != NULL; w = w->next)
		if (w->job == NULL && !w->retire && w->reqfd != -1)
			return w;
	return NULL;
}

static void
wpool_fail_queue(struct wpool *wp, const char *why)
{
	struct wjob *j;
	struct run_outcome o;

	while ((j = wp->qhead) != NULL) {
		wp->qhead = j->next;
		job_outcome_init(j, &o);
		o.status = "failed";
		o.error = xstrdup(why);
		job_finish(j, &o);
	}
	wp->qtail = NULL;
}

static void
wpool_dispatch(struct wpool *wp)
{
	struct mgr_error err = { 0 };
	struct sworker *w;
	struct wjob *j;

	while ((j = wp->qhead) != NULL) {
		if ((w = wpool_idle(wp)) == NULL) {
			if (wp->nworkers >= wp->r->mgr->conf->worker_threads)
				return;
			if ((w = worker_spawn(wp, &err)) == NULL) {
				wpool_fail_queue(wp, err.msg);
				return;
			}
		}
		wp->qhead = j->next;
		if (wp->qhead == NULL)
			wp->qtail = NULL;
		wpool_start_job(w, j);
	}
}

static int
same_name(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* The pool of a plugin for the runs of one user and group (a task's
 * user= and group=: its functions run in workers of that user, never in
 * the engine's); its workers are retired when the plugin row changed
 * since they were started. */
static struct wpool *
wpool_get(struct runner *r, const char *plugin, const char *lib, int64_t stamp,
	  const char *user, const char *group)
{
	struct wpool *wp;

	if (user != NULL && *user == '\0')
		user = NULL;
	if (group != NULL && *group == '\0')
		group = NULL;
	for (wp = r->wpools; wp != NULL; wp = wp->next)
		if (strcmp(wp->plugin, plugin) == 0 && same_name(wp->user, user) &&
		    same_name(wp->group, group))
			break;
	if (wp == NULL) {
		wp = xcalloc(1, sizeof *wp);
		wp->r = r;
		wp->plugin = xstrdup(plugin);
		wp->user = user != NULL ? xstrdup(user) : NULL;
		wp->group = group != NULL ? xstrdup(group) : NULL;
		wp->next = r->wpools;
		r->wpools = wp;
	} else if (wp->stamp == stamp && strcmp(wp->lib, lib) == 0)
		return wp;
	for (struct sworker *w = wp->workers; w != NULL; w = w->next) {
		w->retire = 1;
		if (w->job == NULL && w->reqfd != -1) {
			close(w->reqfd);
			w->reqfd = -1;
		}
	}
	free(wp->lib);
	wp->lib = xstrdup(lib);
	wp->stamp = stamp;
	return wp;
}

int
runner_worker_start(struct runner *r, const struct run_spec *spec,
		    const char *plugin, const char *func, const char *lib,
		    int64_t stamp, run_done_fn done, void *arg)
{
	struct wpool *wp = wpool_get(r, plugin, lib, stamp, spec->user,
	    spec->group);
	struct wjob *j = xcalloc(1, sizeof *j);
	char num[32];

	j->r = r;
	j->wp = wp;
	j->done = done;
	j->arg = arg;
	j->timeout_s = spec->timeout;
	snprintf(num, sizeof num, "%u", ++r->seq);
	j->fields = strv_push(NULL, num);
	snprintf(num, sizeof num, "%d", spec->timeout);
	j->fields = strv_push(j->fields, num);
	j->fields = strv_push(j->fields, func);
	for (size_t i = 0; spec->args != NULL && spec->args[i] != NULL; i++)
		j->fields = strv_push(j->fields, spec->args[i]);
	ev_timer_init(&j->timeout, job_timeout_cb, spec->timeout, 0);
	j->timeout.data = j;
	ev_timer_init(&j->kill, job_kill_cb, 0, 0);
	j->kill.data = j;
	j->started_at = mgr_now_us();
	j->log = runner_log_begin(r, spec);
	if (wp->qtail != NULL)
		wp->qtail->next = j;
	else
		wp->qhead = j;
	wp->qtail = j;
	r->active++;
	wpool_dispatch(wp);
	return 0;
}

void
runner_worker_interrupt_all(struct runner *r)
{
	for (struct wpool *wp = r->wpools; wp != NULL; wp = wp->next) {
		wpool_fail_queue(wp, _("interrupted by shutdown"));
		for (struct sworker *w = wp->workers; w != NULL; w = w->next) {
			if (w->job == NULL)
				continue;
			w->job->interrupted = 1;
			kill(-w->pid, SIGKILL);
		}
	}
}

/* A queued job leaves its queue; 1 when it was there. */
static int
wpool_unqueue(struct wpool *wp, struct wjob *j)
{
	struct wjob **p, *prev = NULL;

	for (p = &wp->qhead; *p != NULL; prev = *p, p = &(*p)->next) {
		if (*p != j)
			continue;
		*p = j->next;
		if (wp->qtail == j)
			wp->qtail = prev;
		return 1;
	}
	return 0;
}

/* SIGTERM asks the worker to cancel the run (mgr_cancelled); a function
 * that does not return within kill_grace_seconds is killed, with its
 * worker, as at a timeout. */
static void
job_stop(struct wjob *j)
{
	struct ev_loop *loop = j->r->loop;
	int grace = j->r->mgr->conf->kill_grace_seconds;
	struct run_outcome o;

	j->stopped = 1;
	if (j->w == NULL) {
		if (wpool_unqueue(j->wp, j)) {
			job_outcome_init(j, &o);
			job_outcome_flags(j, &o);
			job_finish(j, &o);
		}
		return;
	}
	if (j->timed_out)
		return;		/* already on its way out */
	kill(-j->w->pid, grace > 0 ? SIGTERM : SIGKILL);
	ev_now_update(loop);
	ev_timer_stop(loop, &j->kill);
	ev_timer_set(&j->kill, grace, 0);
	ev_timer_start(loop, &j->kill);
}

int
runner_worker_stop(struct runner *r, void *arg)
{
	for (struct wpool *wp = r->wpools; wp != NULL; wp = wp->next) {
		for (struct wjob *j = wp->qhead; j != NULL; j = j->next)
			if (j->arg == arg && !j->stopped) {
				job_stop(j);
				return 1;
			}
		for (struct sworker *w = wp->workers; w != NULL; w = w->next)
			if (w->job != NULL && w->job->arg == arg) {
				if (!w->job->stopped)
					job_stop(w->job);
				return 1;
			}
	}
	return 0;
}

/* Idle workers go when the runner goes (every run is over by then). */
void
runner_worker_free(struct runner *r)
{
	struct wpool *wp, *nwp;
	struct sworker *w, *nw;

	ev_idle_stop(r->loop, &r->wspin);
	for (wp = r->wpools; wp != NULL; wp = nwp) {
		nwp = wp->next;
		for (w = wp->workers; w != NULL; w = nw) {
			nw = w->next;
			ev_child_stop(r->loop, &w->child);
			worker_close(w);
			kill(-w->pid, SIGKILL);
			waitpid(w->pid, NULL, 0);
			strbuf_free(&w->in);
			strbuf_free(&w->out);
			free(w);
		}
		free(wp->plugin);
		free(wp->lib);
		free(wp->user);
		free(wp->group);
		free(wp);
	}
	r->wpools = NULL;
}
