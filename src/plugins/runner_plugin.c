/* runner_plugin.c - PLUGIN:FUNCTION attempts.
 *
 * sandboxing = true, or the plugin is not loaded in this process (a CLI
 * running a task in the foreground): a manager-run child loads the plugin
 * from its installed folder and calls the function; its output arrives on
 * the child's stdout; a crash is the child's death, not ours.
 *
 * sandboxing = false, plugin loaded here: the function runs on the worker
 * pool; a timeout cancels it (mgr_cancelled() turns 1) and the attempt is
 * recorded as timed_out when the function returns.  A thread cannot be
 * killed: code that ignores cancellation holds its worker, which is why
 * untrusted plugins belong in the sandbox.
 */
#include "i18n.h"
#include "functions.h"
#include "manager.h"
#include "plugin_host.h"
#include "plugins.h"
#include "loader.h"
#include "pool.h"
#include "runner_int.h"
#include "runlog.h"
#include "sandbox.h"
#include "util.h"

#include <ev.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct thread_job {
	struct pool_job job;		/* first: the pool hands this back */
	struct runner *r;
	run_done_fn done;
	void *arg;
	mgr_task_fn fn;
	struct task_ctx *ctx;
	ev_timer timeout;
	int timeout_s;
	int timed_out, interrupted, stopped;
	int64_t started_at;
	struct runlog_file *log;	/* the full log, or NULL */
	struct thread_job *prev, *next;	/* r->threads */
};

static int
thread_work(struct pool_job *job)
{
	struct thread_job *j = (struct thread_job *)job;

	return j->fn(task_ctx_handle(j->ctx));
}

static void
thread_outcome(struct thread_job *j, struct run_outcome *o)
{
	const char *out = task_ctx_output(j->ctx);

	memset(o, 0, sizeof *o);
	o->started_at = j->started_at;
	o->ended_at = mgr_now_us();
	o->exit_code = j->job.result;
	o->status = j->job.result == 0 ? "succeeded" : "failed";
	if (j->job.result != 0)
		o->error = xasprintf(_("returned %d"), j->job.result);
	if (j->timed_out || j->interrupted) {
		free(o->error);
		o->status = j->timed_out ? "timed_out" : "interrupted";
		o->error = j->timed_out ?
		    xasprintf(_("timed out after %d s (cancelled)"), j->timeout_s) :
		    xstrdup(_("interrupted by shutdown"));
	}
	if (j->stopped && !j->timed_out && !j->interrupted) {
		free(o->error);
		o->status = "stopped";
		o->error = xstrdup(_("stopped by request (cancelled)"));
	}
	o->output = run_excerpt(out, strlen(out),
	    (size_t)j->r->mgr->conf->output_excerpt_bytes, 0);
}

/* What the function gave mgr_task_output, to the full log: to the
 * history with the outcome when it is small (runlog_end). */
static void
thread_log(struct thread_job *j, struct run_outcome *o)
{
	const char *out = task_ctx_output(j->ctx);

	runlog_write(j->log, RUNLOG_STDOUT, out, strlen(out), mgr_now_us());
	o->log = runlog_end(j->log, o->status, &o->log_len);
}

static void
thread_done(struct pool_job *job)
{
	struct thread_job *j = (struct thread_job *)job;
	struct runner *r = j->r;
	struct run_outcome o;

	ev_timer_stop(r->loop, &j->timeout);
	thread_outcome(j, &o);
	thread_log(j, &o);
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		r->threads = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	r->active--;
	task_ctx_free(j->ctx);
	j->done(&o, j->arg);
	free(j);
}

static void
thread_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct thread_job *j = w->data;

	(void)loop;
	(void)revents;
	j->timed_out = 1;
	task_ctx_cancel(j->ctx);
}

static int
thread_start(struct runner *r, const struct run_spec *spec, mgr_task_fn fn,
	     struct plugin_host *host, run_done_fn done, void *arg,
	     struct mgr_error *err)
{
	struct thread_job *j;
	int64_t now = mgr_now_us();

	if (r->pool == NULL &&
	    (r->pool = pool_new(r->loop, r->mgr->conf->worker_threads)) == NULL)
		return mgr_error_set(err, MGR_EIO, _("cannot start worker threads"));
	j = xcalloc(1, sizeof *j);
	j->r = r;
	j->done = done;
	j->arg = arg;
	j->fn = fn;
	j->started_at = now;
	j->timeout_s = spec->timeout;
	j->ctx = task_ctx_new(host, spec->args, spec->timeout > 0 ?
	    now + (int64_t)spec->timeout * 1000000 : 0, runner_output_max(r));
	j->log = runner_log_begin(r, spec);
	j->job.work = thread_work;
	j->job.done = thread_done;
	ev_timer_init(&j->timeout, thread_timeout_cb, spec->timeout, 0);
	j->timeout.data = j;
	if (spec->timeout > 0) {
		ev_now_update(r->loop);
		ev_timer_start(r->loop, &j->timeout);
	}
	j->next = r->threads;
	if (r->threads != NULL)
		r->threads->prev = j;
	r->threads = j;
	r->active++;
	pool_submit(r->pool, &j->job);
	return 0;
}

/* The installed library of an enabled plugin. */
static int
plugin_library(struct mgr *mgr, const char *id, char **lib, int64_t *stamp,
	       struct mgr_error *err)
{
	struct plugin_rec p;
	int rc;

	memset(&p, 0, sizeof p);
	if ((rc = plugin_store_read(mgr->db, id, &p, err)) != 0)
		return rc;
	if (!p.enabled) {
		plugin_rec_clear(&p);
		return mgr_error_set(err, MGR_ECONFLICT,
		    _("plugin %s is not enabled"), id);
	}
	*lib = plugin_rec_library(&p);
	*stamp = p.updated_at;
	plugin_rec_clear(&p);
	return 0;
}

static int
sandbox_start(struct runner *r, const struct run_spec *spec, const char *plugin,
	      const char *func, run_done_fn done, void *arg, struct mgr_error *err)
{
	char *lib = NULL;
	int64_t stamp = 0;
	int rc;

	if ((rc = plugin_library(r->mgr, plugin, &lib, &stamp, err)) != 0)
		return rc;
	rc = runner_worker_start(r, spec, plugin, func, lib, stamp, done, arg);
	free(lib);
	return rc;
}

/* "PLUGIN:FUNCTION [NAME=VALUE ...]": words after the first are the
 * function's arguments (mgr_task_arg), split like an exec: command. */
static int
plugin_call_start(struct runner *r, const struct run_spec *spec,
		  run_done_fn done, void *arg, struct mgr_error *err)
{
	const char *colon = strchr(spec->func_path, ':');
	struct loaded_plugin *lp;
	char *plugin;
	mgr_task_fn fn;
	int rc;

	if (colon == NULL || colon == spec->func_path || colon[1] == '\0')
		return mgr_error_set(err, MGR_EINVAL,
		    _("func \"%s\": expected PLUGIN:FUNCTION"), spec->func_path);
	plugin = xstrndup(spec->func_path, (size_t)(colon - spec->func_path));
	lp = r->mgr->conf->sandboxing ? NULL : plugins_loaded(r->mgr, plugin);
	if (lp != NULL && r->mgr->conf->sandbox_require)
		rc = mgr_error_set(err, MGR_EUNSAFE, _("sandbox_require = true: "
		    "plugin %s is not run with sandboxing = false"), plugin);
	else if (lp == NULL)
		rc = sandbox_start(r, spec, plugin, colon + 1, done, arg, err);
	else if ((fn = loader_find_task(lp, colon + 1)) == NULL)
		rc = mgr_error_set(err, MGR_ENOENT,
		    _("plugin %s has no task function \"%s\""), plugin, colon + 1);
	else
		rc = thread_start(r, spec, fn, plugins_host(r->mgr, plugin), done,
		    arg, err);
	free(plugin);
	return rc;
}

static int
runner_plugin_start(struct runner *r, const struct run_spec *spec,
		    run_done_fn done, void *arg, struct mgr_error *err)
{
	struct run_spec call = *spec;
	char **words;
	int rc;

	if ((rc = exec_split(spec->func_path, &words, err)) != 0)
		return rc;
	call.func_path = words[0];
	call.args = words + 1;
	rc = plugin_call_start(r, &call, done, arg, err);
	strv_free(words);
	return rc;
}

static void
runner_plugin_interrupt_all(struct runner *r)
{
	runner_worker_interrupt_all(r);
	for (struct thread_job *j = r->threads; j != NULL; j = j->next) {
		j->interrupted = 1;
		task_ctx_cancel(j->ctx);
	}
}

/* `task stop` of a function on the thread pool: a thread cannot be
 * killed, so the stop is its cooperative cancel (mgr_cancelled()). */
static int
runner_plugin_stop(struct runner *r, void *arg)
{
	for (struct thread_job *j = r->threads; j != NULL; j = j->next) {
		if (j->arg != arg)
			continue;
		j->stopped = 1;
		task_ctx_cancel(j->ctx);
		return 1;
	}
	return 0;
}

const struct runner_plugin_ops plugin_runner_ops = {
	.start = runner_plugin_start,
	.interrupt_all = runner_plugin_interrupt_all,
	.stop = runner_plugin_stop,
	.check = plugin_func_check,
	.check_later = plugin_func_check_later,
};
