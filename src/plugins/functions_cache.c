/* functions_cache.c - the engine's lists of plugins' task functions,
 * filled off the loop (see functions.h). */
#include "functions.h"
#include "manager.h"
#include "plugins.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { FUNCS_FILLING, FUNCS_READY, FUNCS_FAILED };

/* Who waits for a listing under way (funcs_cache_wait). */
struct funcs_waiter {
	funcs_waited_fn fn;
	void *arg;
	struct funcs_waiter *next;
};

struct funcs_entry {
	struct funcs_cache *fc;
	char *id;
	int64_t stamp;			/* plugins.updated_at it was asked at */
	int state;
	struct plugin_funcs funcs;	/* FUNCS_READY */
	char *error;			/* FUNCS_FAILED */
	/* while FUNCS_FILLING: the helper */
	int outfd, errfd;
	ev_io oio, eio;
	ev_child child;
	ev_timer timeout;
	struct strbuf out, err;
	int timed_out;
	struct funcs_waiter *waiters;	/* told when it ends */
	struct funcs_entry *next;
};

struct funcs_cache {
	struct mgr *mgr;
	struct funcs_entry *list;
};

struct funcs_cache *
funcs_cache_new(struct mgr *mgr)
{
	struct funcs_cache *fc = xcalloc(1, sizeof *fc);

	fc->mgr = mgr;
	return fc;
}

static void
entry_close(struct funcs_entry *e)
{
	struct ev_loop *loop = e->fc->mgr->loop;

	ev_io_stop(loop, &e->oio);
	ev_io_stop(loop, &e->eio);
	ev_timer_stop(loop, &e->timeout);
	if (e->outfd != -1)
		close(e->outfd);
	if (e->errfd != -1)
		close(e->errfd);
	e->outfd = e->errfd = -1;
}

/* The listing e waited for has ended (gone: the cache goes away):
 * whoever waited hears, in the order they came. */
static void
entry_tell(struct funcs_entry *e, int gone)
{
	struct funcs_waiter *w = e->waiters, *rev = NULL, *next;

	e->waiters = NULL;	/* a waiter may wait again, for a new one */
	for (; w != NULL; w = next) {
		next = w->next;
		w->next = rev;
		rev = w;
	}
	for (w = rev; w != NULL; w = next) {
		next = w->next;
		w->fn(w->arg, gone);
		free(w);
	}
}

void
funcs_cache_free(struct funcs_cache *fc)
{
	struct funcs_entry *e, *next;

	if (fc == NULL)
		return;
	for (e = fc->list; e != NULL; e = e->next)
		entry_tell(e, 1);
	for (e = fc->list; e != NULL; e = next) {
		next = e->next;
		if (e->state == FUNCS_FILLING) {
			ev_child_stop(fc->mgr->loop, &e->child);
			kill(-e->child.pid, SIGKILL);
			waitpid(e->child.pid, NULL, 0);
			entry_close(e);
		}
		plugin_funcs_clear(&e->funcs);
		strbuf_free(&e->out);
		strbuf_free(&e->err);
		free(e->error);
		free(e->id);
		free(e);
	}
	free(fc);
}

static void
pipe_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct funcs_entry *e = w->data;
	struct strbuf *sb = w == &e->oio ? &e->out : &e->err;
	char buf[4096];
	ssize_t n = read(w->fd, buf, sizeof buf);

	(void)revents;
	if (n > 0 && sb->len < 1 << 20)
		strbuf_add(sb, buf, (size_t)n);
	else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		ev_io_stop(loop, w);
}

/* What is left in a pipe of a helper that has ended. */
static void
pipe_rest(struct funcs_entry *e, ev_io *w)
{
	while (ev_is_active(w))
		pipe_cb(e->fc->mgr->loop, w, EV_READ);
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct funcs_entry *e = t->data;

	(void)loop;
	(void)revents;
	e->timed_out = 1;
	kill(-e->child.pid, SIGKILL);	/* child_cb follows */
}

static void
child_cb(struct ev_loop *loop, ev_child *c, int revents)
{
	struct funcs_entry *e = c->data;
	struct mgr_error err = { 0 };

	(void)revents;
	ev_child_stop(loop, c);
	pipe_rest(e, &e->oio);
	pipe_rest(e, &e->eio);
	entry_close(e);
	strbuf_add(&e->out, "", 1);
	strbuf_add(&e->err, "", 1);
	if (plugin_functions_parse(e->id, c->rstatus, e->timed_out, e->out.buf,
	    e->err.buf, &e->funcs, &err) == 0)
		e->state = FUNCS_READY;
	else {
		e->state = FUNCS_FAILED;
		e->error = xstrdup(err.msg);
	}
	strbuf_free(&e->out);
	strbuf_free(&e->err);
	entry_tell(e, 0);
}

/* Starts the helper for e; on failure e says why. */
static void
entry_fill(struct funcs_entry *e, const char *lib)
{
	struct mgr *mgr = e->fc->mgr;
	struct mgr_error err = { 0 };
	char **argv = plugin_functions_argv(mgr, e->id, lib);
	pid_t pid;

	plugin_funcs_clear(&e->funcs);
	free(e->error);
	e->error = NULL;
	e->timed_out = 0;
	e->state = FUNCS_FILLING;
	if (sandbox_spawn(argv, &pid, &e->outfd, &e->errfd, &err) != 0) {
		e->state = FUNCS_FAILED;
		e->error = xstrdup(err.msg);
		strv_free(argv);
		return;
	}
	strv_free(argv);
	ev_io_init(&e->oio, pipe_cb, e->outfd, EV_READ);
	ev_io_init(&e->eio, pipe_cb, e->errfd, EV_READ);
	ev_child_init(&e->child, child_cb, pid, 0);
	ev_timer_init(&e->timeout, timeout_cb, PLUGIN_FUNCTIONS_TIMEOUT_S, 0.);
	e->oio.data = e->eio.data = e->child.data = e->timeout.data = e;
	ev_io_start(mgr->loop, &e->oio);
	ev_io_start(mgr->loop, &e->eio);
	ev_child_start(mgr->loop, &e->child);
	ev_timer_start(mgr->loop, &e->timeout);
}

static struct funcs_entry *
entry_find(struct funcs_cache *fc, const char *id)
{
	for (struct funcs_entry *e = fc->list; e != NULL; e = e->next)
		if (strcmp(e->id, id) == 0)
			return e;
	return NULL;
}

void
funcs_cache_refresh(struct funcs_cache *fc, const struct plugin_rec *rec)
{
	struct funcs_entry *e;
	char *lib;

	if (fc == NULL || fc->mgr->loop == NULL)
		return;
	if ((e = entry_find(fc, rec->id)) == NULL) {
		e = xcalloc(1, sizeof *e);
		e->fc = fc;
		e->id = xstrdup(rec->id);
		e->outfd = e->errfd = -1;
		e->state = FUNCS_FAILED;
		e->next = fc->list;
		fc->list = e;
	}
	/* A listing under way finishes first; a stale one is asked again at
	 * the next refresh or check. */
	if (e->state == FUNCS_FILLING ||
	    (e->stamp == rec->updated_at && e->state == FUNCS_READY))
		return;
	e->stamp = rec->updated_at;
	lib = plugin_rec_library(rec);
	entry_fill(e, lib);
	free(lib);
}

int
funcs_cache_get(struct funcs_cache *fc, const struct plugin_rec *rec,
		const struct plugin_funcs **out, struct mgr_error *err)
{
	struct funcs_entry *e = fc != NULL ? entry_find(fc, rec->id) : NULL;

	if (e == NULL || e->stamp != rec->updated_at ||
	    e->state == FUNCS_FILLING) {
		funcs_cache_refresh(fc, rec);
		return 1;
	}
	if (e->state == FUNCS_FAILED)
		return mgr_error_set(err, MGR_EIO, "%s", e->error);
	*out = &e->funcs;
	return 0;
}

int
funcs_cache_wait(struct funcs_cache *fc, const char *id, funcs_waited_fn fn,
		 void *arg)
{
	struct funcs_entry *e = fc != NULL ? entry_find(fc, id) : NULL;
	struct funcs_waiter *w;

	if (e == NULL || e->state != FUNCS_FILLING)
		return 1;
	w = xcalloc(1, sizeof *w);
	w->fn = fn;
	w->arg = arg;
	w->next = e->waiters;
	e->waiters = w;
	return 0;
}
