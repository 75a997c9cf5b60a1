/* api_batch.c - POST /manager/tasks/{id}/pause and /resume by group
 * commit (issue 18): each was a `task pause` command line, then a `task
 * show` one, with several write transactions between them (3,200
 * requests/s at p99 12 ms).  Now the pauses and resumes that arrive in
 * one MHD_run wait, suspended, and are applied together right after it,
 * on the loop: one write transaction for the group, each request in a
 * savepoint of its own (an unknown id or a task of a task file fails
 * alone), each answered from the row it just wrote, read in the same
 * transaction.  A group is at most what the open connections sent at
 * once, and at most 64 requests a transaction (the rest at the next
 * iteration), so it stays short.  It is the command's own work
 * (taskmgr_set_enabled, and task_pause_refused: `task pause` refuses a
 * task of a task file) without a command line around it.
 */
#include "api_routes.h"
#include "db.h"
#include "manager.h"
#include "scheduler.h"
#include "task_add.h"
#include "tz.h"
#include "util.h"

#include <ev.h>
#include <stdlib.h>
#include <string.h>

/* How soon a group held back by a bulk command's transaction is tried
 * again: the loop's own writes wait for it, as the control plane's do
 * (sched_bulk.c), rather than wait on its lock on the loop. */
#define BATCH_RETRY_S 0.005
/* At most this many requests a transaction: 256 connections' worth
 * (api.max_connections) at some 60 us each would hold the loop 15 ms;
 * 64 hold it about 4 ms, the rest go at the next iteration. */
#define BATCH_MAX 64

struct api_batch_item {
	struct api_batch_item *next;
	struct mgr *mgr;
	struct tz_cache *zones;	/* the batch's, or NULL */
	struct api_call *call;	/* NULL once the request went away */
	char *id;
	int enable;
	int touched;		/* the scheduler was told of a change */
	int rc;
	struct mgr_error err;
	json_t *answer;		/* the task after the change */
};

struct api_batch {
	struct mgr *mgr;
	struct api_batch_item *head, **tail;
	ev_timer retry;
	/* A resume computes the next fire time: each zone read from disk
	 * once, not at every request (a tenth of one). */
	struct tz_cache *zones;
};

static void
item_free(struct api_batch_item *it)
{
	json_decref(it->answer);
	free(it->id);
	free(it);
}

/* A pause is refused for a task of a task file, as `task pause` without
 * --force refuses it; a missing task is the store's "no task" either
 * way. */
static int
item_change(struct api_batch_item *it, struct mgr_error *err)
{
	struct task_rec t;
	int rc;

	if (!it->enable) {
		if ((rc = taskmgr_get(it->mgr, it->id, &t, err)) != 0)
			return rc;
		rc = task_pause_refused(&t, err);
		task_rec_clear(&t);
		if (rc != 0)
			return rc;
	}
	it->touched = 1;
	return taskmgr_set_enabled(it->mgr, it->id, it->enable, it->zones, err);
}

/* One request, in its savepoint (db_transaction nests as one). */
static int
item_apply(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	struct api_batch_item *it = arg;
	int rc;

	(void)db;
	if ((rc = item_change(it, err)) != 0)
		return rc;
	return task_show_json(it->mgr, it->id, &it->answer, err);
}

/* A change rolled back: the scheduler, told of it, reads the row again. */
static void
item_undo(struct api_batch_item *it)
{
	json_decref(it->answer);
	it->answer = NULL;
	if (it->touched)
		scheduler_task_changed(it->mgr, it->id);
	it->touched = 0;
}

/* The group in one transaction; a group that cannot begin or commit
 * fails whole, each request with that error. */
static void
batch_apply(struct mgr *mgr, struct api_batch_item *items)
{
	struct mgr_error err = { 0 };
	struct api_batch_item *it;
	int rc = db_begin(mgr->db, &err);

	for (it = items; rc == 0 && it != NULL; it = it->next)
		if ((it->rc = db_transaction(mgr->db, item_apply, it,
		    &it->err)) != 0)
			item_undo(it);
	if (rc == 0)
		rc = db_commit(mgr->db, &err);
	if (rc == 0)
		return;
	log_error(&mgr->log, "api: pause/resume: %s", err.msg);
	for (it = items; it != NULL; it = it->next)
		if (it->rc == 0) {
			item_undo(it);
			it->rc = rc;
			it->err = err;
		}
}

static void
item_reply(struct api_batch_item *it)
{
	if (it->rc != 0)
		api_reply_mgr_error(it->call, &it->err);
	else {
		api_reply_json(it->call, 200, it->answer);
		it->answer = NULL;
	}
}

static void
batch_answer(struct api_batch_item *items)
{
	struct api_batch_item *it, *next;

	for (it = items; it != NULL; it = next) {
		struct api_call *call = it->call;

		next = it->next;
		if (call != NULL) {
			call->ticket = NULL;
			call->cancel = NULL;
			item_reply(it);
			call->answered(call);
		}
		item_free(it);
	}
}

/* At debug level: how many requests shared the transaction. */
static void
batch_log(struct mgr *mgr, const struct api_batch_item *items)
{
	size_t n = 0;

	if (mgr->log.level < LOG_LVL_DEBUG)
		return;
	for (; items != NULL; items = items->next)
		n++;
	log_debug(&mgr->log, "api: %zu pause/resume request(s) in one "
	    "transaction", n);
}

/* The first BATCH_MAX requests out of the queue (b->head: the group),
 * the rest left for the next iteration. */
static void
batch_take(struct api_batch *b)
{
	struct api_batch_item *it = b->head, *rest;

	for (int n = 1; n < BATCH_MAX && it->next != NULL; n++)
		it = it->next;
	rest = it->next;
	it->next = NULL;
	b->head = rest;
	if (rest == NULL)
		b->tail = &b->head;
}

void
api_batch_flush(struct api_batch *b)
{
	struct api_batch_item *items = b->head;

	if (items == NULL)
		return;
	if (scheduler_bulk_writing(b->mgr)) {
		if (!ev_is_active(&b->retry)) {
			log_debug(&b->mgr->log, "api: pause/resume requests wait "
			    "for a bulk command's write");
			ev_timer_set(&b->retry, BATCH_RETRY_S, 0.);
			ev_timer_start(b->mgr->loop, &b->retry);
		}
		return;
	}
	batch_take(b);
	batch_log(b->mgr, items);
	batch_apply(b->mgr, items);
	batch_answer(items);
	if (b->head != NULL && !ev_is_active(&b->retry)) {	/* the rest next */
		ev_timer_set(&b->retry, 0., 0.);
		ev_timer_start(b->mgr->loop, &b->retry);
	}
}

static void
batch_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	api_batch_flush(w->data);
}

struct api_batch *
api_batch_new(struct mgr *mgr)
{
	struct api_batch *b = xcalloc(1, sizeof *b);

	b->mgr = mgr;
	b->tail = &b->head;
	b->zones = tz_cache_new();	/* NULL (no memory): loads each time */
	ev_timer_init(&b->retry, batch_retry_cb, 0., 0.);
	b->retry.data = b;
	return b;
}

/* What still waits was answered 503 by the API's stop (each request's
 * cancel): it is dropped, not applied. */
void
api_batch_free(struct api_batch *b)
{
	struct api_batch_item *it, *next;

	if (b == NULL)
		return;
	ev_timer_stop(b->mgr->loop, &b->retry);
	for (it = b->head; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	tz_cache_free(b->zones);
	free(b);
}

/* The request went away: its change is still made, its answer dropped
 * (as a command's, api_run_argv_then). */
static void
item_cancel(void *ticket)
{
	struct api_batch_item *it = ticket;

	it->call = NULL;
}

void
api_batch_add(struct api_call *call, const char *id, int enable)
{
	struct api_batch_item *it = xcalloc(1, sizeof *it);
	struct api_batch *b = call->batch;

	it->mgr = call->mgr;
	it->call = call;
	it->id = xstrdup(id);
	it->enable = enable;
	it->zones = b != NULL ? b->zones : NULL;
	if (b == NULL || call->answered == NULL) {	/* nobody to resume */
		batch_apply(call->mgr, it);
		item_reply(it);
		item_free(it);
		return;
	}
	*b->tail = it;
	b->tail = &it->next;
	call->ticket = it;
	call->cancel = item_cancel;
}
