/* sched_writer.c - batches of history written on their own thread. */
#include "i18n.h"
#include "log.h"
#include "sched_writer.h"
#include "task_context_store.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sched_writer {
	struct mgr_db *db;		/* this thread's own connection */
	struct mgr_log *log;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work, idle;
	struct write_batch *head, *tail;
	size_t queued;			/* batches queued or being written */
	int stopping;
	struct write_after *after, **after_tail;	/* committed */
	void (*notify)(void *arg);
	void *notify_arg;
};

void
write_batch_free(struct write_batch *b)
{
	if (b == NULL)
		return;
	run_recs_free(b->runs, b->nruns);
	while (b->after != NULL) {
		struct write_after *a = b->after;
		b->after = a->next;
		free(a);
	}
	for (size_t i = 0; i < b->ntasks; i++)
		free(b->tasks[i].id);
	free(b->tasks);
	free(b);
}

static void
writer_warn(void *arg, const char *msg)
{
	struct sched_writer *w = arg;

	log_warning(w->log, "%s", msg);
}

static void
writer_write(struct sched_writer *w, struct write_batch *b)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < b->ntasks; i++) {
		struct task_write *t = &b->tasks[i];
		/* A task removed meanwhile is not an error. */
		if (task_store_set_status(w->db, t->id, t->status, t->last_run,
		    t->next_run, t->next_nominal, &err) != 0 &&
		    err.code != MGR_ENOENT)
			log_warning(w->log, "%s", err.msg);
	}
	run_store_record(w->db, b->runs, b->nruns, writer_warn, w);
	run_usage_store_record(w->db, b->runs, b->nruns, writer_warn, w);
}

/* Moves the batches' write_after entries to the committed list; true
 * when there were any. */
static int
writer_hand_after(struct sched_writer *w, struct write_batch *list)
{
	int any = 0;

	pthread_mutex_lock(&w->lock);
	for (; list != NULL; list = list->next) {
		if (list->after == NULL)
			continue;
		any = 1;
		*w->after_tail = list->after;
		while (*w->after_tail != NULL)
			w->after_tail = &(*w->after_tail)->next;
		list->after = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	return any;
}

/* Everything queued, in one transaction. */
static void
writer_commit(struct sched_writer *w, struct write_batch *list)
{
	struct mgr_error err = { 0 };
	int ok = db_begin(w->db, &err) == 0;
	struct write_batch *b, *next;

	if (!ok)
		log_error(w->log, _("cannot record runs: %s"), err.msg);
	for (b = list; ok && b != NULL; b = b->next)
		writer_write(w, b);
	if (ok && db_commit(w->db, &err) != 0)
		log_error(w->log, _("cannot record runs: %s"), err.msg);
	if (writer_hand_after(w, list) && w->notify != NULL)
		w->notify(w->notify_arg);
	for (b = list; b != NULL; b = next) {
		next = b->next;
		write_batch_free(b);
	}
}

struct write_after *
sched_writer_take_after(struct sched_writer *w)
{
	struct write_after *a;

	pthread_mutex_lock(&w->lock);
	a = w->after;
	w->after = NULL;
	w->after_tail = &w->after;
	pthread_mutex_unlock(&w->lock);
	return a;
}

static void *
writer_main(void *arg)
{
	struct sched_writer *w = arg;
	struct write_batch *list;
	size_t n;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (w->head == NULL)
			break;
		list = w->head;
		w->head = w->tail = NULL;
		n = 0;
		for (struct write_batch *b = list; b != NULL; b = b->next)
			n++;
		pthread_mutex_unlock(&w->lock);
		writer_commit(w, list);
		pthread_mutex_lock(&w->lock);
		w->queued -= n;
		pthread_cond_broadcast(&w->idle);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int
sched_writer_new(const char *db_path, struct mgr_log *log,
		 void (*notify)(void *arg), void *notify_arg,
		 struct sched_writer **out, struct mgr_error *err)
{
	struct sched_writer *w = xcalloc(1, sizeof *w);
	int rc;

	if ((rc = db_open(db_path, &w->db, err)) != 0) {
		free(w);
		return rc;
	}
	w->log = log;
	w->notify = notify;
	w->notify_arg = notify_arg;
	w->after_tail = &w->after;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->idle, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		db_close(w->db);
		free(w);
		return mgr_error_set(err, MGR_EIO, _("cannot start the history writer"));
	}
	*out = w;
	return 0;
}

void
sched_writer_submit(struct sched_writer *w, struct write_batch *b)
{
	b->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail != NULL)
		w->tail->next = b;
	else
		w->head = b;
	w->tail = b;
	w->queued++;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
}

size_t
sched_writer_backlog(struct sched_writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->queued;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void
sched_writer_wait(struct sched_writer *w, size_t max)
{
	pthread_mutex_lock(&w->lock);
	while (w->queued > max)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void
sched_writer_sync(struct sched_writer *w)
{
	sched_writer_wait(w, 0);
}

void
sched_writer_free(struct sched_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	while (w->after != NULL) {	/* the owner took them, normally */
		struct write_after *a = w->after;
		w->after = a->next;
		free(a);
	}
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->idle);
	db_close(w->db);
	free(w);
}
