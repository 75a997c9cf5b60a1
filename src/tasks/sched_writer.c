/* sched_writer.c - batches of history written on their own thread. */
#include "i18n.h"
#include "log.h"
#include "sched_writer.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Runs per INSERT statement: one statement of many rows costs far less
 * per row than a statement per row (one VDBE start, one reset). */
#define RUNS_PER_INSERT 64
#define RUN_PARAMS 10

struct sched_writer {
	struct mgr_db *db;		/* this thread's own connection */
	char *insert_sql;		/* RUNS_PER_INSERT rows */
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

static char *
insert_sql_new(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "INSERT INTO runs (task_id, attempt, scheduled_at, "
	    "started_at, ended_at, status, exit_code, signal, output, error) "
	    "VALUES ");
	for (int i = 0; i < RUNS_PER_INSERT; i++)
		strbuf_addf(&sb, "%s(?,?,?,?,?,?,?,?,?,?)", i > 0 ? "," : "");
	return strbuf_detach(&sb);
}

/* As run_store_insert binds one row: 0 times and a negative exit code
 * are NULL. */
static void
bind_opt_int64(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

static void
bind_text(sqlite3_stmt *st, int idx, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

static void
bind_run(sqlite3_stmt *st, int k, const struct run_rec *r)
{
	bind_text(st, k + 1, r->task_id);
	sqlite3_bind_int(st, k + 2, r->attempt > 0 ? r->attempt : 1);
	bind_opt_int64(st, k + 3, r->scheduled_at);
	bind_opt_int64(st, k + 4, r->started_at);
	bind_opt_int64(st, k + 5, r->ended_at);
	bind_text(st, k + 6, r->status);
	if (r->exit_code >= 0)
		sqlite3_bind_int(st, k + 7, r->exit_code);
	else
		sqlite3_bind_null(st, k + 7);
	bind_opt_int64(st, k + 8, r->signal);
	bind_text(st, k + 9, r->output);
	bind_text(st, k + 10, r->error);
}

static int
chunk_has_running_row(const struct run_rec *v)
{
	for (int i = 0; i < RUNS_PER_INSERT; i++)
		if (v[i].running_row)
			return 1;
	return 0;
}

/* RUNS_PER_INSERT runs in one statement; 0 when all went in. */
static int
writer_insert_many(struct sched_writer *w, struct run_rec *v)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(w->db, w->insert_sql, &st, NULL) != 0)
		return -1;
	for (int i = 0; i < RUNS_PER_INSERT; i++)
		bind_run(st, i * RUN_PARAMS, &v[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One row: the end of a run whose `running` row is written updates
 * that row; any other run is a new row. */
static void
writer_insert_one(struct sched_writer *w, struct run_rec *r)
{
	struct mgr_error err = { 0 };
	int rc = r->running_row ? run_store_end_running(w->db, r, &err) :
	    run_store_insert(w->db, r, &err);

	if (rc != 0)
		log_warning(w->log, "%s", err.msg);
}

/* Full chunks go in one statement each; a chunk that fails (a task
 * removed meanwhile) or holds the end of a run with a `running` row goes
 * row by row, so one bad row loses only itself and is named in the log. */
static void
writer_insert_runs(struct sched_writer *w, struct run_rec *v, size_t n)
{
	size_t i = 0, end;

	while (i < n) {
		end = i + RUNS_PER_INSERT;
		if (end <= n && !chunk_has_running_row(v + i) &&
		    writer_insert_many(w, v + i) == 0) {
			i = end;
			continue;
		}
		for (end = end < n ? end : n; i < end; i++)
			writer_insert_one(w, &v[i]);
	}
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
	writer_insert_runs(w, b->runs, b->nruns);
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
	w->insert_sql = insert_sql_new();
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->idle, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		db_close(w->db);
		free(w->insert_sql);
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
	free(w->insert_sql);
	free(w);
}
