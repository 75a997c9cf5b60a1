/* runner.c - attempts as child processes, watched from the loop. */
#include "i18n.h"
#include "db.h"
#include "manager.h"
#include "pool.h"
#include "runner.h"
#include "runner_int.h"
#include "runlog.h"
#include "sandbox.h"
#include "spawner.h"
#include "util.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_CHUNK 65536
/* A splice this big means the task prints faster than the loop comes
 * back to its pipe: its pipe grows to PIPE_BIG and the loop leaves it
 * for PIPE_PAUSE_S, to take the next MB in one splice rather than chase
 * every write in small ones (measured: BENCHMARKS.md, issue 14). */
#define PIPE_BUSY 32768
#define PIPE_BIG (1 << 20)
#define PIPE_PAUSE_S 0.001
/* A log due its file while the pool has none yet: asked again so soon
 * (the pool's thread makes one in about a millisecond). */
#define LOG_RETRY_S 0.01

extern char **environ;

/* A child process of one attempt. */
struct proc_job {
	struct runner *r;
	run_done_fn done;
	void *arg;
	pid_t pid;
	int fd;				/* stdout's pipe, -1 once closed */
	int efd;			/* stderr's */
	int usage_fd;			/* manager-exec's usage, or -1 */
	struct runlog_file *log;	/* the full log, or NULL */
	/* manager-exec may take the log over (proc_log_*): the socket of
	 * the hand-over and the page where it keeps what it wrote; -1 */
	int log_sock, log_state;
	int handed;			/* ... it did: the pipes are its */
	/* Its spawn is on the spawner's thread (pid 0 until it comes
	 * back), a stop asked meanwhile, and the spawn's number; its child
	 * was reaped before, the exit still to come (proc_reaped_cb). */
	int spawning, stop_asked;
	unsigned seq;
	int await_reap;
	ev_child child;
	ev_io io, eio;
	ev_timer timeout;
	ev_timer kill;
	ev_timer pause;			/* busy pipes left to fill */
	ev_timer settle;		/* its log's file, a second on */
	int grown;			/* ... made PIPE_BIG: bits of kinds */
	int timeout_s;
	struct strbuf out;
	size_t dropped;
	int timed_out, interrupted, stopped;
	int64_t started_at;
	int64_t user_us, sys_us, max_rss_kb;
	struct proc_job *prev, *next;	/* r->procs */
};

void
run_outcome_clear(struct run_outcome *o)
{
	free(o->output);
	free(o->error);
	free(o->log);
	o->output = o->error = o->log = NULL;
}

char *
run_excerpt(const char *buf, size_t len, size_t max, size_t dropped)
{
	struct strbuf sb = STRBUF_INIT;

	if (len == 0 && dropped == 0)
		return NULL;
	if (len > max) {
		dropped += len - max;
		len = max;
	}
	strbuf_add(&sb, buf != NULL ? buf : "", len);
	if (dropped > 0)
		strbuf_addf(&sb, _("\n[%zu more bytes not kept]"), dropped);
	return strbuf_detach(&sb);
}

static void
runner_log_new(struct runner *r)
{
	const struct mgr_conf *c = r->mgr->conf;
	struct runlog_limits lim = {
		.run_max_bytes = (int64_t)c->log_run_max_mb << 20,
		.total_max_bytes = (int64_t)c->log_max_mb << 20,
		.keep_runs = c->history_keep_runs,
		.max_age_days = c->history_max_age_days,
		.inline_max_bytes = RUNLOG_INLINE_MAX,
		.inline_age_us = RUNLOG_INLINE_AGE_US,
	};

	r->log = runlog_new(c->state_directory, r->mgr->db != NULL ?
	    db_path(r->mgr->db) : NULL, &lim, &r->mgr->log);
}

struct runlog_file *
runner_log_begin(struct runner *r, const struct run_spec *spec)
{
	if (r->log == NULL || spec->scheduled_at == 0)
		return NULL;
	return runlog_begin(r->log, spec->task_id, spec->scheduled_at,
	    spec->attempt);
}

size_t
runner_output_max(const struct runner *r)
{
	size_t max = (size_t)r->mgr->conf->output_excerpt_bytes;
	size_t full = (size_t)r->mgr->conf->log_run_max_mb << 20;

	if (full > (size_t)1 << 30)	/* an int for manager-run */
		full = (size_t)1 << 30;
	return r->log != NULL && full > max ? full : max;
}

void
runner_housekeeping(struct runner *r)
{
	runlog_prune_async(r->log);
}

struct runner *
runner_new(struct mgr *mgr, struct mgr_error *err)
{
	struct runner *r = xcalloc(1, sizeof *r);

	(void)err;
	r->mgr = mgr;
	r->loop = mgr->loop;
	r->helper = sandbox_helper_path("manager-run", "MANAGER_RUN");
	r->exec_helper = sandbox_helper_path("manager-exec", "MANAGER_EXEC");
	runner_log_new(r);
	r->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return r;
}

static void
proc_unlink(struct proc_job *j)
{
	struct runner *r = j->r;

	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		r->procs = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	r->active--;
}

static void
proc_close_pipes(struct proc_job *j)
{
	if (j->fd != -1) {
		ev_io_stop(j->r->loop, &j->io);
		close(j->fd);
		j->fd = -1;
	}
	if (j->efd != -1) {
		ev_io_stop(j->r->loop, &j->eio);
		close(j->efd);
		j->efd = -1;
	}
}

static void
proc_log_close(struct proc_job *j)
{
	if (j->log_sock == -1)
		return;
	close(j->log_sock);
	j->log_sock = -1;
}

/* Whether pipe fd holds bytes: a hand-over makes the log's file, which a
 * run that printed nothing must not have (an excerpt of 0 bytes is
 * full at once, and the end of a pipe is readable too). */
static int
proc_pending(int fd)
{
	int n = 0;

	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* The page shared with manager-exec (struct runlog_shared), made at the
 * hand-over, not at every spawn: most runs never get that far, and a
 * memfd is an inode.  -1 when it cannot be made. */
static int
proc_log_page(void)
{
	int page = memfd_create("manager-runlog", MFD_CLOEXEC);

	if (page != -1 && ftruncate(page, sizeof(struct runlog_shared)) != 0) {
		close(page);
		page = -1;
	}
	return page;
}

/* The excerpt is full: the command's pipes, the log's file and the
 * shared page go to manager-exec, which writes the rest (a pipe already
 * at its end goes as /dev/null, opened for writing: its first read ends
 * it).  Returns 0 once handed over; -1: the engine goes on reading (the
 * helper is gone, or the page cannot be made or written). */
static int
proc_log_handoff(struct proc_job *j)
{
	int fds[4] = { j->fd != -1 ? j->fd : j->r->devnull,
	    j->efd != -1 ? j->efd : j->r->devnull, runlog_file_fd(j->log),
	    proc_log_page() };
	char c = 'h', ctl[CMSG_SPACE(sizeof fds)];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct runlog_shared st = { 0 };
	struct cmsghdr *cm;

	memset(ctl, 0, sizeof ctl);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(cm), fds, sizeof fds);
	runlog_share(j->log, &st);
	if (fds[0] == -1 || fds[1] == -1 || fds[2] == -1 || fds[3] == -1 ||
	    pwrite(fds[3], &st, sizeof st, 0) != (ssize_t)sizeof st ||
	    sendmsg(j->log_sock, &m, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
		if (fds[3] != -1)
			close(fds[3]);
		proc_log_close(j);	/* not again */
		return -1;
	}
	j->log_state = fds[3];		/* read back at the run's end */
	j->handed = 1;
	proc_close_pipes(j);
	return 0;
}

/* The run is over: the log as the helper left it (cut back to whole
 * records), and the bytes it read that the engine never saw counted in
 * the excerpt's "more bytes not kept". */
static void
proc_log_adopt(struct proc_job *j)
{
	struct runlog_shared st;

	if (j->log_state == -1)
		return;
	if (j->handed &&
	    pread(j->log_state, &st, sizeof st, 0) == (ssize_t)sizeof st) {
		runlog_adopt(j->log, &st);
		j->dropped += (size_t)st.total;
	}
	close(j->log_state);
	j->log_state = -1;
}

/* Past the excerpt the engine needs no more of a pipe's bytes: they go
 * to the log by splice(2), or when the log keeps no more (off, at its
 * cap) to /dev/null, unread.  The bytes taken; 0: read them instead. */
static ssize_t
proc_pass(struct proc_job *j, int fd, int kind)
{
	ssize_t n;

	if (!runlog_full(j->log))
		return runlog_splice(j->log, kind, fd, mgr_now_us());
	if (j->r->devnull == -1)
		return 0;
	do
		n = splice(fd, NULL, j->r->devnull, NULL, PIPE_BIG,
		    SPLICE_F_NONBLOCK);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return 0;	/* empty or at its end: read says which */
	runlog_drop(j->log, (size_t)n);
	return n;
}

/* One output pipe until it would block: to the excerpt (both streams
 * as they come) and to the full log (apart), past the excerpt without
 * passing through the engine (proc_pass), counted only.  Returns 1 when
 * it stopped at a busy pipe (PIPE_BUSY), unless all is set (the child
 * is gone: everything). */
static int
proc_drain(struct proc_job *j, int *fd, ev_io *io, int kind, int all)
{
	size_t max = (size_t)j->r->mgr->conf->output_excerpt_bytes;
	char chunk[READ_CHUNK];
	ssize_t n;

	while (*fd != -1) {
		if (j->out.len >= max && j->log_sock != -1 && !j->handed &&
		    runlog_has_file(j->log) && !runlog_full(j->log) &&
		    proc_pending(*fd) && proc_log_handoff(j) == 0)
			return 0;	/* the pipes are manager-exec's */
		if (j->out.len >= max && (n = proc_pass(j, *fd, kind)) > 0) {
			j->dropped += (size_t)n;
			if (n < PIPE_BUSY || all)
				continue;
			if (!(j->grown & kind)) {	/* refused over the
							 * user's quota: as is */
				fcntl(*fd, F_SETPIPE_SZ, PIPE_BIG);
				j->grown |= kind;
			}
			return 1;
		}
		if (!all && runlog_waiting(j->log, mgr_now_us()))
			return 1;	/* its file is not made yet: a pause */
		n = read(*fd, chunk, sizeof chunk);
		if (n > 0) {
			size_t keep = j->out.len < max ? max - j->out.len : 0;
			if (keep > (size_t)n)
				keep = (size_t)n;
			strbuf_add(&j->out, chunk, keep);
			j->dropped += (size_t)n - keep;
			runlog_write(j->log, kind, chunk, (size_t)n, mgr_now_us());
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		ev_io_stop(j->r->loop, io);
		close(*fd);
		*fd = -1;
	}
	return 0;
}

/* Both pipes; a busy one pauses both watchers (proc_pause_cb). */
static void
proc_read(struct proc_job *j)
{
	int busy = proc_drain(j, &j->fd, &j->io, RUNLOG_STDOUT, 0);

	busy |= proc_drain(j, &j->efd, &j->eio, RUNLOG_STDERR, 0);
	if (!busy)
		return;
	ev_io_stop(j->r->loop, &j->io);
	ev_io_stop(j->r->loop, &j->eio);
	ev_timer_set(&j->pause, PIPE_PAUSE_S, 0);
	ev_timer_start(j->r->loop, &j->pause);
}

static void
proc_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc_job *j = w->data;

	(void)revents;
	if (j->fd != -1)
		ev_io_start(loop, &j->io);
	if (j->efd != -1)
		ev_io_start(loop, &j->eio);
	proc_read(j);
}

/* "stopped by request (SIGTERM)": how it ended after the request. */
static char *
proc_stopped_text(const struct run_outcome *o)
{
	char name[32];

	if (o->signal != 0)
		return xasprintf(_("stopped by request (%s)"),
		    sandbox_signal_name(o->signal, name, sizeof name));
	return xasprintf(_("stopped by request (exit status %d)"), o->exit_code);
}

/* The command's rusage line from manager-exec; nothing when it was
 * killed before writing it. */
static void
proc_read_usage(struct proc_job *j)
{
	char buf[128];
	long long u, s, m;
	ssize_t n;

	if (j->usage_fd == -1)
		return;
	n = read(j->usage_fd, buf, sizeof buf - 1);
	close(j->usage_fd);
	j->usage_fd = -1;
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %lld %lld", &u, &s, &m) != 3)
		return;
	j->user_us = u;
	j->sys_us = s;
	j->max_rss_kb = m;
}

static void
proc_outcome(struct proc_job *j, int wstatus, struct run_outcome *o)
{
	char name[32];

	memset(o, 0, sizeof *o);
	o->exit_code = -1;
	o->started_at = j->started_at;
	o->ended_at = mgr_now_us();
	if (WIFEXITED(wstatus)) {
		o->exit_code = WEXITSTATUS(wstatus);
		o->status = o->exit_code == 0 ? "succeeded" : "failed";
		if (o->exit_code != 0)
			o->error = xasprintf(_("exit status %d"), o->exit_code);
	} else if (WIFSIGNALED(wstatus)) {
		o->signal = WTERMSIG(wstatus);
		o->status = "crashed";
		o->error = xasprintf(_("killed by %s"),
		    sandbox_signal_name(o->signal, name, sizeof name));
	}
	if (j->timed_out) {
		o->status = "timed_out";
		free(o->error);
		o->error = xasprintf(_("timed out after %d s"), j->timeout_s);
	} else if (j->interrupted) {
		o->status = "interrupted";
		free(o->error);
		o->error = xstrdup(_("interrupted by shutdown"));
	} else if (j->stopped) {
		o->status = "stopped";
		free(o->error);
		o->error = proc_stopped_text(o);
	}
	o->user_us = j->user_us;
	o->sys_us = j->sys_us;
	o->max_rss_kb = j->max_rss_kb;
	o->output = run_excerpt(j->out.buf, j->out.len,
	    (size_t)j->r->mgr->conf->output_excerpt_bytes, j->dropped);
}

static void
proc_child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct proc_job *j = w->data;
	struct run_outcome o;

	(void)revents;
	ev_child_stop(loop, w);
	ev_timer_stop(loop, &j->timeout);
	ev_timer_stop(loop, &j->kill);
	ev_timer_stop(loop, &j->pause);
	ev_timer_stop(loop, &j->settle);
	/* The child is gone: what it wrote is in the pipe already.  A
	 * grandchild keeping the pipe open must not hold the result.  No
	 * hand-over now: manager-exec is gone too. */
	proc_log_close(j);
	proc_drain(j, &j->fd, &j->io, RUNLOG_STDOUT, 1);
	proc_drain(j, &j->efd, &j->eio, RUNLOG_STDERR, 1);
	proc_close_pipes(j);
	if (j->timed_out || j->interrupted || j->stopped)
		kill(-j->pid, SIGKILL);		/* the rest of its group */
	proc_read_usage(j);
	proc_log_adopt(j);
	proc_outcome(j, w->rstatus, &o);
	o.log = runlog_end(j->log, o.status, &o.log_len);
	proc_unlink(j);
	strbuf_free(&j->out);
	j->done(&o, j->arg);
	free(j);
}

static void
proc_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	proc_read(w->data);
}

static void
proc_kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc_job *j = w->data;

	(void)loop;
	(void)revents;
	kill(-j->pid, SIGKILL);
}

static void
proc_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc_job *j = w->data;
	int grace = j->r->mgr->conf->kill_grace_seconds;

	(void)revents;
	if (j->stopped)
		return;		/* its stop is under way */
	j->timed_out = 1;
	if (grace <= 0) {
		kill(-j->pid, SIGKILL);
		return;
	}
	kill(-j->pid, SIGTERM);
	ev_timer_set(&j->kill, grace, 0);
	ev_timer_start(loop, &j->kill);
}

/* The run is a second old: a log still in memory gets its file, so that
 * a follower sees its lines as they come (a later write asks too). */
static void
proc_settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proc_job *j = w->data;

	(void)revents;
	if (!runlog_settle(j->log, mgr_now_us()))
		return;
	ev_timer_set(w, LOG_RETRY_S, 0);	/* the pool has none yet */
	ev_timer_start(loop, w);
}

static void
proc_watch(struct runner *r, struct proc_job *j)
{
	ev_child_init(&j->child, proc_child_cb, j->pid, 0);
	j->child.data = j;
	ev_child_start(r->loop, &j->child);
	ev_io_init(&j->io, proc_io_cb, j->fd, EV_READ);
	j->io.data = j;
	ev_io_start(r->loop, &j->io);
	ev_io_init(&j->eio, proc_io_cb, j->efd, EV_READ);
	j->eio.data = j;
	ev_io_start(r->loop, &j->eio);
	ev_timer_init(&j->kill, proc_kill_cb, 0, 0);
	j->kill.data = j;
	ev_timer_init(&j->pause, proc_pause_cb, 0, 0);
	j->pause.data = j;
	ev_timer_init(&j->settle, proc_settle_cb,
	    RUNLOG_INLINE_AGE_US / 1e6, 0);
	j->settle.data = j;
	if (j->log != NULL)
		ev_timer_start(r->loop, &j->settle);
	ev_timer_init(&j->timeout, proc_timeout_cb, j->timeout_s, 0);
	j->timeout.data = j;
	if (j->timeout_s > 0) {
		/* A timeout counts from now, not from the start of a long
		 * loop iteration. */
		ev_now_update(r->loop);
		ev_timer_start(r->loop, &j->timeout);
	}
}

/* A helper's limit options, shared by exec and plugin runs; mode NULL
 * for manager-exec. */
char **
runner_helper_argv(struct runner *r, const char *mode)
{
	const struct mgr_conf *c = r->mgr->conf;
	char **v = strv_push(NULL, mode != NULL ? r->helper : r->exec_helper);
	char *s;

	s = xasprintf("--cpu=%d", c->sandbox_cpu_seconds);
	v = strv_push(v, s);
	free(s);
	s = xasprintf("--memory=%d", c->sandbox_memory_mb);
	v = strv_push(v, s);
	free(s);
	s = xasprintf("--open-files=%d", c->sandbox_open_files);
	v = strv_push(v, s);
	free(s);
	return mode != NULL ? strv_push(v, mode) : v;
}

static char **
push_opt(char **v, const char *name, const char *value)
{
	char *s = xasprintf("--%s=%s", name, value);

	v = strv_push(v, s);
	free(s);
	return v;
}

static char **
push_num(char **v, const char *name, int value)
{
	char num[16];

	snprintf(num, sizeof num, "%d", value);
	return push_opt(v, name, num);
}

/* manager-exec's options of the run's context and its usage report. */
static char **
exec_context_argv(char **v, const struct run_spec *spec)
{
	char mode[16];

	v = strv_push(v, "--usage-fd=3");
	if (spec->workdir != NULL)
		v = push_opt(v, "workdir", spec->workdir);
	if (spec->user != NULL)
		v = push_opt(v, "user", spec->user);
	if (spec->group != NULL)
		v = push_opt(v, "group", spec->group);
	if (spec->umask >= 0) {
		snprintf(mode, sizeof mode, "%03o", (unsigned)spec->umask & 0777);
		v = push_opt(v, "umask", mode);
	}
	if (spec->nice != 0)
		v = push_num(v, "nice", spec->nice);
	if (spec->ioprio != NULL)
		v = push_opt(v, "ioprio", spec->ioprio);
	if (spec->stdin_env != NULL)
		v = push_opt(v, "stdin-env", spec->stdin_env);
	if (spec->die_with_engine)	/* spawned by this thread, the loop's */
		v = push_num(v, "parent", (int)getpid());
	return v;
}

/* The strict sandbox's options (manager-exec confines the command with
 * confine.c's parts). */
static char **
exec_sandbox_argv(char **v, const struct run_spec *spec, int require)
{
	if (!spec->strict)
		return v;
	v = strv_push(v, "--strict");
	if (spec->network)
		v = strv_push(v, "--network");
	if (spec->private_tmp)
		v = strv_push(v, "--private-tmp");
	if (require)
		v = strv_push(v, "--require");
	for (size_t i = 0; spec->read_only != NULL && spec->read_only[i]; i++)
		v = push_opt(v, "read-only", spec->read_only[i]);
	for (size_t i = 0; spec->write != NULL && spec->write[i]; i++)
		v = push_opt(v, "write", spec->write[i]);
	return v;
}

/* The task's limits replace the sandbox defaults, which apply only with
 * sandboxing on; --plain: no no_new_privs (a strict sandbox sets it). */
static char **
exec_limits_argv(char **v, const struct run_spec *spec,
		 const struct mgr_conf *c)
{
	int on = c->sandboxing;
	int cpu = spec->limit_cpu > 0 ? spec->limit_cpu :
	    on ? c->sandbox_cpu_seconds : 0;
	int mem = spec->limit_memory > 0 ? spec->limit_memory :
	    on ? c->sandbox_memory_mb : 0;
	int nofile = spec->limit_nofile > 0 ? spec->limit_nofile :
	    on ? c->sandbox_open_files : 0;

	if (!on)
		v = strv_push(v, "--plain");
	if (cpu > 0)
		v = push_num(v, "cpu", cpu);
	if (mem > 0)
		v = push_num(v, "memory", mem);
	if (nofile > 0)
		v = push_num(v, "open-files", nofile);
	return v;
}

/* Every exec: run goes through manager-exec, which applies the task's
 * context, limits and sandbox and measures the command. */
static char **
exec_argv(struct runner *r, const struct run_spec *spec, int log,
	  struct mgr_error *err)
{
	const struct mgr_conf *c = r->mgr->conf;
	char **cmd, **v;

	if (exec_split(spec->func_path + 5, &cmd, err) != 0)
		return NULL;
	v = exec_limits_argv(strv_push(NULL, r->exec_helper), spec, c);
	v = exec_context_argv(v, spec);
	v = exec_sandbox_argv(v, spec, c->sandbox_require);
	if (log) {	/* the descriptors sandbox_spawn_env passes */
		v = strv_push(v, "--log-sock=4");
		v = push_num(v, "log-max-mb", c->log_run_max_mb);
	}
	v = strv_push(v, "--");
	for (size_t i = 0; cmd[i] != NULL; i++)
		v = strv_push(v, cmd[i]);
	strv_free(cmd);
	return v;
}

/* With an environment the command is manager-exec's, which reports its
 * usage on descriptor 3. */
static int
proc_spawn(struct proc_job *j, char **argv, char *const *envp,
	   const int *pass, struct mgr_error *err)
{
	j->started_at = mgr_now_us();
	j->usage_fd = -1;
	j->log_sock = j->log_state = -1;
	if (envp != NULL)
		return sandbox_spawn_env(argv, envp, &j->pid, &j->fd, &j->efd,
		    &j->usage_fd, pass, err);
	return sandbox_spawn(argv, &j->pid, &j->fd, &j->efd, err);
}

int
runner_spawn(struct runner *r, char **argv, int timeout, run_done_fn done,
	     void *arg, struct mgr_error *err)
{
	return runner_spawn_env(r, argv, NULL, timeout, done, arg, err);
}

static void proc_stop(struct proc_job *j);

/* A job in r->procs (first), its child not spawned yet. */
static struct proc_job *
proc_new(struct runner *r, int timeout, run_done_fn done, void *arg)
{
	struct proc_job *j = xcalloc(1, sizeof *j);

	j->r = r;
	j->done = done;
	j->arg = arg;
	j->timeout_s = timeout;
	j->fd = j->efd = j->usage_fd = j->log_sock = j->log_state = -1;
	j->next = r->procs;
	if (r->procs != NULL)
		r->procs->prev = j;
	r->procs = j;
	r->active++;
	return j;
}

/* runner_spawn_env, and pass for sandbox_spawn_env, on the loop. */
static int
proc_start(struct runner *r, char **argv, char *const *envp, const int *pass,
	   int timeout, run_done_fn done, void *arg, struct mgr_error *err)
{
	struct proc_job *j = proc_new(r, timeout, done, arg);
	int rc;

	if ((rc = proc_spawn(j, argv, envp, pass, err)) != 0) {
		proc_unlink(j);
		free(j);
		return rc;
	}
	proc_watch(r, j);
	return 0;
}

int
runner_spawn_env(struct runner *r, char **argv, char *const *envp, int timeout,
		 run_done_fn done, void *arg, struct mgr_error *err)
{
	return proc_start(r, argv, envp, NULL, timeout, done, arg, err);
}

/* Exits are kept only while spawns are in flight, and only until every
 * spawn asked before the exit came back (answered_seq: they come back
 * in order), the only ones that may claim it; a kept exit is a spawn's
 * own when it came after the spawn was asked (seq), since a pid is
 * given again only after the kernel's pids wrapped. */
static void
early_forget(struct runner *r)
{
	size_t drop = 0;

	if (spawner_pending(r->spawner) == 0 && r->awaiting == 0) {
		r->nearly = 0;
		return;
	}
	while (drop < r->nearly && r->early[drop].seq <= r->answered_seq)
		drop++;
	if (drop == 0)	/* also when none is kept: r->early may be NULL */
		return;
	r->nearly -= drop;
	memmove(r->early, r->early + drop, r->nearly * sizeof *r->early);
}

static void
early_keep(struct runner *r, pid_t pid, int status)
{
	if (r->nearly == r->capearly) {
		r->capearly = r->capearly == 0 ? 64 : r->capearly * 2;
		r->early = xrealloc(r->early, r->capearly * sizeof *r->early);
	}
	r->early[r->nearly++] = (struct early_exit){ pid, status,
	    r->spawn_seq };
}

/* Every child's exit (pid 0): one of a run whose child was reaped
 * before its spawn came back is handed to its watcher; while spawns are
 * in flight the others are kept for proc_early. */
static void
proc_reaped_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct runner *r = w->data;

	(void)revents;
	for (struct proc_job *j = r->procs; r->awaiting > 0 && j != NULL;
	    j = j->next) {
		if (!j->await_reap || j->pid != w->rpid)
			continue;
		j->await_reap = 0;
		r->awaiting--;
		j->child.rpid = w->rpid;
		j->child.rstatus = w->rstatus;
		ev_feed_event(loop, &j->child, EV_CHILD);
		return;
	}
	if (spawner_pending(r->spawner) > 0)
		early_keep(r, w->rpid, w->rstatus);
}

/* The child came back from the spawner: was it reaped already?  Its
 * exit kept (fed to its watcher now), or still to be reaped by the
 * loop (its watcher will be told), or reaped and not seen yet: then
 * proc_reaped_cb hands it over when it comes. */
static void
proc_early(struct runner *r, struct proc_job *j)
{
	siginfo_t si = { 0 };

	for (size_t i = 0; i < r->nearly; i++) {
		if (r->early[i].pid != j->pid || r->early[i].seq < j->seq)
			continue;
		j->child.rpid = j->pid;
		j->child.rstatus = r->early[i].status;
		memmove(r->early + i, r->early + i + 1,
		    (--r->nearly - i) * sizeof *r->early);
		ev_feed_event(r->loop, &j->child, EV_CHILD);
		return;
	}
	if (waitid(P_PID, (id_t)j->pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
	    -1 && errno == ECHILD) {
		j->await_reap = 1;
		r->awaiting++;
	}
}

/* A spawn that failed: the run failed, as when it failed on the loop. */
static void
proc_spawn_failed(struct proc_job *j, const char *msg)
{
	struct run_outcome o = { .status = "failed", .exit_code = -1 };

	o.started_at = o.ended_at = mgr_now_us();
	o.error = xstrdup(msg);
	o.log = runlog_end(j->log, o.status, &o.log_len);
	proc_unlink(j);
	j->done(&o, j->arg);
	free(j);
}

static void
proc_spawned(struct spawn_req *rq, void *arg)
{
	struct runner *r = arg;
	struct proc_job *j = rq->arg;

	j->spawning = 0;
	r->answered_seq = j->seq;
	if (rq->rc != 0)
		proc_spawn_failed(j, rq->err.msg);
	else {
		j->pid = rq->pid;
		j->fd = rq->fd;
		j->efd = rq->efd;
		j->usage_fd = rq->usage_fd;
		j->log_sock = rq->log_sock;
		j->started_at = rq->started_at;
		runlog_started(j->log, j->started_at);
		proc_watch(r, j);
		proc_early(r, j);
		if (j->interrupted)
			kill(-j->pid, SIGKILL);
		else if (j->stop_asked)
			proc_stop(j);
	}
	spawn_req_free(rq);
	early_forget(r);
}

static char **
strv_copy(char *const *v)
{
	size_t n = 0;
	char **c;

	while (v[n] != NULL)
		n++;
	c = xcalloc(n + 1, sizeof *c);
	for (size_t i = 0; i < n; i++)
		c[i] = xstrdup(v[i]);
	return c;
}

/* Hands the spawn to the spawner's thread (made with its watcher of
 * every child at the first); argv is its. */
static void
exec_start_off(struct runner *r, const struct run_spec *spec, char **argv,
	       int log, run_done_fn done, void *arg)
{
	struct proc_job *j = proc_new(r, spec->timeout, done, arg);
	struct spawn_req *rq = xcalloc(1, sizeof *rq);

	if (r->spawner == NULL) {
		r->spawner = spawner_new(r->loop, proc_spawned, r);
		ev_child_init(&r->reaped, proc_reaped_cb, 0, 0);
		r->reaped.data = r;
		ev_child_start(r->loop, &r->reaped);
		ev_unref(r->loop);	/* it keeps no loop running */
	}
	j->spawning = 1;
	j->seq = ++r->spawn_seq;
	j->log = runner_log_begin(r, spec);
	rq->argv = argv;
	rq->envp = spec->envp != NULL ? strv_copy(spec->envp) : NULL;
	rq->log = log;
	rq->arg = j;
	spawner_submit(r->spawner, rq);
}

int
runner_start(struct runner *r, const struct run_spec *spec, run_done_fn done,
	     void *arg, struct mgr_error *err)
{
	char **argv;
	int rc, log;

	if (strncmp(spec->func_path, "exec:", 5) != 0) {
		if (r->mgr->plugin_runner == NULL)
			return mgr_error_set(err, MGR_EINVAL,
			    _("func \"%s\": plugin functions cannot run here"),
			    spec->func_path);
		return r->mgr->plugin_runner->start(r, spec, done, arg, err);
	}
	/* Past the excerpt a full log is manager-exec's to write (the
	 * spawner makes the two descriptors of the hand-over). */
	log = r->log != NULL && spec->scheduled_at != 0 &&
	    !spec->die_with_engine;
	if ((argv = exec_argv(r, spec, log, err)) == NULL)
		return MGR_EINVAL;
	if (!spec->die_with_engine) {
		exec_start_off(r, spec, argv, log, done, arg);
		return 0;
	}
	/* Its parent-death signal is the spawning thread's: the loop's,
	 * which lives as long as the engine. */
	rc = proc_start(r, argv, spec->envp != NULL ? spec->envp :
	    (char *const *)environ, NULL, spec->timeout, done, arg, err);
	strv_free(argv);
	if (rc == 0)
		r->procs->log = runner_log_begin(r, spec);
	return rc;
}

void
runner_interrupt_all(struct runner *r)
{
	for (struct proc_job *j = r->procs; j != NULL; j = j->next) {
		j->interrupted = 1;
		if (!j->spawning)	/* else once it comes back */
			kill(-j->pid, SIGKILL);
	}
	if (r->mgr->plugin_runner != NULL)
		r->mgr->plugin_runner->interrupt_all(r);
}

/* SIGTERM now, SIGKILL after the grace (proc_kill_cb), as for a timeout. */
static void
proc_stop(struct proc_job *j)
{
	int grace = j->r->mgr->conf->kill_grace_seconds;

	if (j->spawning) {	/* stopped once its pid comes back */
		j->stop_asked = 1;
		return;
	}
	if (j->stopped)
		return;
	j->stopped = 1;
	if (j->timed_out || grace <= 0) {
		kill(-j->pid, SIGKILL);
		return;
	}
	kill(-j->pid, SIGTERM);
	ev_now_update(j->r->loop);
	ev_timer_stop(j->r->loop, &j->kill);
	ev_timer_set(&j->kill, grace, 0);
	ev_timer_start(j->r->loop, &j->kill);
}

int
runner_stop(struct runner *r, void *arg)
{
	for (struct proc_job *j = r->procs; j != NULL; j = j->next) {
		if (j->arg == arg) {
			proc_stop(j);
			return 1;
		}
	}
	if (runner_worker_stop(r, arg))
		return 1;
	if (r->mgr->plugin_runner != NULL && r->mgr->plugin_runner->stop != NULL)
		return r->mgr->plugin_runner->stop(r, arg);
	return 0;
}

int
runner_active(const struct runner *r)
{
	return r->active;
}

void
runner_free(struct runner *r)
{
	if (r == NULL)
		return;
	runner_worker_free(r);	/* the pool and workers are the runner's */
	pool_free(r->pool);
	if (r->spawner != NULL) {
		spawner_free(r->spawner);
		ev_ref(r->loop);
		ev_child_stop(r->loop, &r->reaped);
		free(r->early);
	}
	runlog_free(r->log);
	if (r->devnull != -1)
		close(r->devnull);
	free(r->helper);
	free(r->exec_helper);
	free(r);
}
