/* sched_writer.c - batches of history written on their own thread. */
#include "i18n.h"
#include "db.h"
#include "log.h"
#include "retention_store.h"
#include "runlog_store.h"
#include "sched_writer.h"
#include "task_context_store.h"
#include "util.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* History retention, a pass in slices between batches: runs past the
 * age, then each task's runs past its newest keep, then the file's free
 * pages.  A slice takes at most RETAIN_SLICE_US, and never the loop's
 * time. */
#define RETAIN_SLICE_US 5000
#define RETAIN_ROWS 200			/* rows per statement */
#define RETAIN_IDS 64			/* task ids read at once */
#define RETAIN_PAGES 64			/* pages given back per step */
/* Between two slices the lock is left free as long: SQLite's busy
 * handler polls (up to 100 ms apart), so another connection (the
 * loop's, answering a command) never finds it taken slice after slice
 * until its busy_timeout runs out, over a pass of 300,000 tasks. */
#define RETAIN_PAUSE_US 5000
/* The writer's page cache: at 150,000 runs a second each run row lands
 * on a leaf page of its own in the index led by task_id (in each of two
 * before schema 14), and with
 * SQLite's 2 MB the pages a transaction dirtied were spilled to the WAL
 * before its commit and read back (8 % of the writer's time, perf);
 * with 64 MB, bench/run's 150,000 fires/s rounds kept schedule in 3 of
 * 3 instead of 2 of 3.  Taken only for a commit of WRITER_BIG_RUNS
 * runs or more, and back to SQLite's 2 MB a second after the last batch
 * (writer_wait): grown for the task rows an engine writes after loading
 * 20,000 tasks, the thread's malloc arena kept 600 KB of fragments after
 * the pages were given back (20 bytes a task, issue 18's memory). */
#define WRITER_CACHE_KIB 65536
#define WRITER_SMALL_CACHE_KIB 2000
#define WRITER_BIG_RUNS 4096

enum retain_phase { RETAIN_IDLE, RETAIN_OLD, RETAIN_TASKS, RETAIN_VACUUM };

struct retain {
	int wanted, keep;		/* asked by the loop (under lock) */
	int64_t oldest;
	enum retain_phase phase;	/* the thread's own from here */
	int pass_keep;
	int64_t pass_oldest;
	char **ids;
	size_t nids, at;
	char *cursor;			/* the last task id finished */
	int64_t deleted;
};

/* A task row written by someone else while batches were pending: the
 * batches up to `upto` hold older writes of it, which are dropped. */
struct row_mark {
	char *id;
	uint64_t upto;
};

struct sched_writer {
	struct mgr_db *db;		/* this thread's own connection */
	struct mgr_log *log;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t work, idle;
	struct write_batch *head, *tail;
	size_t queued;			/* batches queued or being written */
	int stopping;
	int cached;			/* wrote since its cache was given back */
	int big_cache;			/* WRITER_CACHE_KIB (the thread's) */
	int checkpoint;			/* the loop's log is full (under lock) */
	struct write_after *after, **after_tail;	/* committed */
	uint64_t submitted;		/* seq of the newest batch */
	struct row_mark *marks;		/* rows written by someone else */
	size_t nmarks, capmarks;
	void (*notify)(void *arg);
	void *notify_arg;
	/* sched_writer_over found more than `below` batches: notify once
	 * the backlog is back to it. */
	int want_below;
	size_t below;
	struct retain retain;
	/* The connection to the server broke (db_lost): the batches wait,
	 * in order, until the engine says the host may write again
	 * (sched_writer_reconnect) or that another host took over
	 * (sched_writer_fenced: they are dropped).  Under lock. */
	int lost, reconnect, fenced;
	int64_t lost_mono;		/* when lost was found (mgr_mono_us) */
	/* Runs dropped once fenced, after the first drop was said: the
	 * loop goes on ending runs, each a batch; said once more at the
	 * stop, not a line a batch.  Under lock. */
	size_t fenced_said, fenced_more;
	struct sched_writer_stats stats;	/* under lock */
};

void
write_batch_free(struct write_batch *b)
{
	if (b == NULL)
		return;
	run_recs_free(b->runs, b->nruns);
	notify_writes_free(b->notes, b->nnotes);
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

void
notify_writes_free(struct notify_write *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		notify_rec_clear(&v[i].n);
	free(v);
}

/* A statement's failure, said; not each of a batch's when the
 * connection broke: the batch waits and is written again whole, and the
 * loss is said once (writer_lost). */
static void
writer_warn(void *arg, const char *msg)
{
	struct sched_writer *w = arg;

	if (!db_lost(w->db))
		log_warning(w->log, "%s", msg);
}

/* Whether a row mark says that b's write of task id is older than what
 * someone else wrote. */
static int
row_is_newer(const struct row_mark *m, size_t n, const char *id,
	     const struct write_batch *b)
{
	for (size_t i = 0; i < n; i++)
		if (b->seq <= m[i].upto && strcmp(m[i].id, id) == 0)
			return 1;
	return 0;
}

static void
writer_write_tasks(struct sched_writer *w, struct write_batch *b,
		   const struct row_mark *marks, size_t nmarks)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < b->ntasks; i++) {
		struct task_write *t = &b->tasks[i];
		if (row_is_newer(marks, nmarks, t->id, b))
			continue;
		/* A task removed meanwhile is not an error. */
		if (task_store_set_status(w->db, t->id, t->status, t->last_run,
		    t->next_run, t->next_nominal, &err) != 0 &&
		    err.code != MGR_ENOENT)
			log_warning(w->log, "%s", err.msg);
	}
}

/* A run of the transaction and its place in it. */
struct run_ref {
	const struct run_rec *r;
	size_t seq;
};

/* The order of the history's unique fire-time key (SQLite's runs_time:
 * fire time, task, attempt; an attempt of 0 is stored as 1); runs of
 * one key keep their turn, so a `running` row comes before its end. */
static int
run_ref_cmp(const void *a, const void *b)
{
	const struct run_ref *x = a, *y = b;
	int ax = x->r->attempt > 0 ? x->r->attempt : 1;
	int ay = y->r->attempt > 0 ? y->r->attempt : 1;
	int c;

	if (x->r->scheduled_at != y->r->scheduled_at)
		return x->r->scheduled_at < y->r->scheduled_at ? -1 : 1;
	if ((c = strcmp(x->r->task_id, y->r->task_id)) != 0)
		return c;
	if (ax != ay)
		return ax < ay ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Runs handed to the store at once: a multiple of its rows per INSERT. */
#define RECORD_CHUNK 1024

/* The runs of every batch of the transaction, in the order of the
 * unique key led by the fire time: the batches come nearly in that
 * order already, and sorted they go in at the key's right edge, a leaf
 * page taking all its runs of the transaction at once.  (When that key
 * was led by the task, this sort kept each leaf to one write a
 * transaction; the task-led part is now written by the store's settle,
 * doc/SCHEDULER.md "History".) */
static void
writer_record_runs(struct sched_writer *w, const struct write_batch *list)
{
	struct run_ref *refs;
	struct run_rec *chunk;
	size_t n = 0, k = 0, m;

	for (const struct write_batch *b = list; b != NULL; b = b->next)
		n += b->nruns;
	if (n == 0)
		return;
	refs = xmalloc(n * sizeof *refs);
	for (const struct write_batch *b = list; b != NULL; b = b->next)
		for (size_t i = 0; i < b->nruns; i++, k++)
			refs[k] = (struct run_ref){ &b->runs[i], k };
	qsort(refs, n, sizeof *refs, run_ref_cmp);
	/* Copies that share the batches' strings: the batches free them. */
	chunk = xmalloc((n < RECORD_CHUNK ? n : RECORD_CHUNK) * sizeof *chunk);
	for (size_t i = 0; i < n; i += m) {
		m = n - i < RECORD_CHUNK ? n - i : RECORD_CHUNK;
		for (size_t j = 0; j < m; j++)
			chunk[j] = *refs[i + j].r;
		run_store_record(w->db, chunk, m, writer_warn, w);
		run_usage_store_record(w->db, chunk, m, writer_warn, w);
		/* The logs kept in the history, with their runs' ends: a
		 * run recorded is never without its log. */
		runlog_store_record(w->db, chunk, m, writer_warn, w);
	}
	free(chunk);
	free(refs);
}

static void
writer_write_notes(struct sched_writer *w, struct write_batch *b)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < b->nnotes; i++) {
		struct notify_rec *n = &b->notes[i].n;
		if ((b->notes[i].done ? notify_store_done(w->db, n->run.id,
		    n->event, &err) : notify_store_add(w->db, n, &err)) != 0)
			log_warning(w->log, "%s", err.msg);
	}
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

/* The row marks as they are now.  Taken once the transaction holds the
 * write lock (SQLite's BEGIN IMMEDIATE), so that a row marked later is
 * written by its owner after this commit and wins anyway.  The names
 * stay valid: only this thread frees marks (rows_forget). */
static struct row_mark *
rows_marked(struct sched_writer *w, size_t *n)
{
	struct row_mark *v = NULL;

	pthread_mutex_lock(&w->lock);
	if ((*n = w->nmarks) > 0) {
		v = xmalloc(w->nmarks * sizeof *v);
		memcpy(v, w->marks, w->nmarks * sizeof *v);
	}
	pthread_mutex_unlock(&w->lock);
	return v;
}

/* Marks that no batch waiting or being written can be older than. */
static void
rows_forget(struct sched_writer *w, uint64_t committed)
{
	size_t keep = 0;

	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < w->nmarks; i++) {
		if (w->marks[i].upto <= committed)
			free(w->marks[i].id);
		else
			w->marks[keep++] = w->marks[i];
	}
	w->nmarks = keep;
	pthread_mutex_unlock(&w->lock);
}

/* The batches back at the head of the queue, for a transaction that
 * failed because the connection broke: written again, whole, once the
 * host may write again.  Their write_after entries wait with them. */
static void
writer_keep(struct sched_writer *w, struct write_batch *list)
{
	struct write_batch *last = list;
	size_t n = 0;

	for (struct write_batch *b = list; b != NULL; b = b->next) {
		last = b;
		n += b->nruns;
	}
	pthread_mutex_lock(&w->lock);
	if (!w->lost)
		log_warning(w->log, _("history: the database is out of reach; "
		    "its writes (%zu runs' records so far) wait in memory and "
		    "are made once it is back"), n);
	if (!w->lost)
		w->lost_mono = mgr_mono_us();
	w->lost = 1;
	last->next = w->head;
	w->head = list;
	if (w->tail == NULL)
		w->tail = last;
	pthread_cond_broadcast(&w->idle);	/* sched_writer_wait returns */
	pthread_mutex_unlock(&w->lock);
}

/* A commit's share of the counts (sched_writer_stats). */
static int64_t
thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
writer_count(struct sched_writer *w, const struct write_batch *list,
	     int64_t t_begin, int64_t t_commit, int64_t cpu_begin)
{
	struct sched_writer_stats *st = &w->stats;
	struct db_io_counts io;
	uint64_t c = (uint64_t)(mgr_mono_us() - t_commit);

	db_io_counts(w->db, &io);
	pthread_mutex_lock(&w->lock);
	st->commits++;
	for (; list != NULL; list = list->next) {
		st->runs += list->nruns;
		st->task_rows += list->ntasks;
	}
	st->pages_written += (uint64_t)io.written;
	st->pages_spilled += (uint64_t)io.spilled;
	st->cache_misses += (uint64_t)io.misses;
	st->write_us += (uint64_t)(t_commit - t_begin) + c;
	st->commit_us += c;
	st->cpu_us += (uint64_t)(thread_cpu_us() - cpu_begin);
	if (c > st->commit_us_max)
		st->commit_us_max = c;
	pthread_mutex_unlock(&w->lock);
}

void
sched_writer_stats(struct sched_writer *w, struct sched_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	pthread_mutex_unlock(&w->lock);
}

/* Everything queued, in one transaction: 0 once done, 1 when the
 * connection broke and the batches were kept (writer_keep). */
static int
writer_commit(struct sched_writer *w, struct write_batch *list)
{
	struct mgr_error err = { 0 };
	int ok;
	struct write_batch *b, *next;
	struct row_mark *marks = NULL;
	size_t nmarks = 0, nruns = 0;
	uint64_t last = 0;
	int64_t t_begin = mgr_mono_us(), cpu_begin = thread_cpu_us(), t_commit;

	for (b = list; b != NULL; b = b->next)
		nruns += b->nruns;
	if (nruns >= WRITER_BIG_RUNS && !w->big_cache) {
		db_cache_size(w->db, WRITER_CACHE_KIB);
		w->big_cache = 1;
	}
	ok = db_begin(w->db, &err) == 0;
	if (ok)
		marks = rows_marked(w, &nmarks);
	for (b = list; b != NULL; b = b->next) {
		if (ok)
			writer_write_tasks(w, b, marks, nmarks);
		last = b->seq;
	}
	free(marks);
	if (ok)
		writer_record_runs(w, list);
	/* In the batches' order: a note owed comes before its removal. */
	for (b = list; ok && b != NULL; b = b->next)
		writer_write_notes(w, b);
	t_commit = mgr_mono_us();
	if (ok && db_commit(w->db, &err) != 0)
		ok = 0;
	if (ok)
		writer_count(w, list, t_begin, t_commit, cpu_begin);
	if (!ok && db_lost(w->db)) {
		writer_keep(w, list);
		return 1;
	}
	if (!ok)
		log_error(w->log, _("cannot record runs: %s"), err.msg);
	rows_forget(w, last);
	if (writer_hand_after(w, list) && w->notify != NULL)
		w->notify(w->notify_arg);
	for (b = list; b != NULL; b = next) {
		next = b->next;
		write_batch_free(b);
	}
	return 0;
}

/* What waits for a lost connection, dropped: another host has the
 * engine (its sweep settles these runs, and a second record of one
 * would be refused or wrong), or this one stops before the database
 * came back.  Said once, with the count.  Under w->lock. */
static void
writer_drop_kept(struct sched_writer *w, const char *why)
{
	struct write_batch *b, *next;
	size_t nb = 0, nruns = 0;

	for (b = w->head; b != NULL; b = next) {
		next = b->next;
		nb++;
		nruns += b->nruns;
		/* Whoever waits for the batch is told all the same. */
		*w->after_tail = b->after;
		while (*w->after_tail != NULL)
			w->after_tail = &(*w->after_tail)->next;
		b->after = NULL;
		write_batch_free(b);
	}
	w->head = w->tail = NULL;
	w->queued -= nb;
	pthread_cond_broadcast(&w->idle);
	if (nb > 0 && w->after != NULL && w->notify != NULL)
		w->notify(w->notify_arg);
	if (nruns == 0)
		return;
	if (w->fenced && w->fenced_said) {
		w->fenced_more += nruns;
		return;
	}
	w->fenced_said = w->fenced;
	log_warning(w->log, _("history: %zu runs' records were not "
	    "written: %s"), nruns, why);
}

/* At the stop: the runs dropped after the first drop of a fenced host. */
static void
writer_say_dropped_more(struct sched_writer *w)
{
	if (w->fenced_more > 0)
		log_warning(w->log, _("history: %zu more runs' records were "
		    "not written: another host runs the engine now and "
		    "settles those runs"), w->fenced_more);
}

/* Under w->lock, while the connection is lost: waits for the word to
 * reconnect, to drop, or to stop; 1 when the batches may be written
 * again (the connection made again). */
static int
writer_lost_wait(struct sched_writer *w)
{
	struct mgr_error err = { 0 };
	int rc;

	while (!w->reconnect && !w->fenced && !w->stopping)
		pthread_cond_wait(&w->work, &w->lock);
	if (w->fenced || w->stopping) {
		writer_drop_kept(w, w->fenced ? _("another host runs the engine "
		    "now and settles those runs") : _("the engine stopped while "
		    "the database was out of reach"));
		w->lost = w->fenced;	/* fenced: nothing is written again */
		return 0;
	}
	w->reconnect = 0;
	pthread_mutex_unlock(&w->lock);
	rc = db_reconnect(w->db, &err);
	pthread_mutex_lock(&w->lock);
	if (rc != 0)
		return 0;	/* still lost: the next word tries again */
	w->lost = 0;
	log_info(w->log, "%s", _("history: the database is back; writing "
	    "the records that waited"));
	return 1;
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

/* The next task whose runs to prune, or NULL when the pass has seen
 * them all. */
static const char *
retain_next_task(struct sched_writer *w, struct mgr_error *err)
{
	struct retain *r = &w->retain;

	if (r->at == r->nids) {
		strv_free(r->ids);
		r->ids = NULL;
		r->at = r->nids = 0;
		if (retention_task_ids(w->db, r->cursor, RETAIN_IDS, &r->ids,
		    &r->nids, err) != 0 || r->nids == 0)
			return NULL;
	}
	return r->ids[r->at];
}

/* One bounded statement of the pass; 0 when the phase is over. */
static int
retain_step(struct sched_writer *w, struct mgr_error *err)
{
	struct retain *r = &w->retain;
	const char *id;
	int d = 0;

	if (r->phase == RETAIN_OLD) {
		if (retention_prune_old(w->db, r->pass_oldest, RETAIN_ROWS, &d,
		    err) != 0)
			return -1;
		r->deleted += d;
		return d == RETAIN_ROWS;
	}
	if ((id = retain_next_task(w, err)) == NULL)
		return err->code != 0 ? -1 : 0;
	if (retention_prune_task(w->db, id, r->pass_keep, RETAIN_ROWS, &d,
	    err) != 0)
		return -1;
	r->deleted += d;
	if (d < RETAIN_ROWS) {		/* this task is done */
		free(r->cursor);
		r->cursor = xstrdup(id);
		r->at++;
	}
	return 1;
}

static void
retain_end(struct sched_writer *w)
{
	struct retain *r = &w->retain;

	if (r->deleted > 0)
		log_debug(w->log, "pruned %lld runs", (long long)r->deleted);
	strv_free(r->ids);
	free(r->cursor);
	r->ids = NULL;
	r->cursor = NULL;
	r->nids = r->at = 0;
	r->deleted = 0;
	r->phase = RETAIN_IDLE;
}

/* One slice of the pass, in its own transaction.  1 when it used its
 * whole time (the pass pauses for the loop's batches before the next),
 * 0 when its phase ended sooner: a pass with nothing to prune goes
 * through its phases at once, one wake-up, not one a phase. */
static int
retain_slice(struct sched_writer *w)
{
	struct retain *r = &w->retain;
	struct mgr_error err = { 0 };
	int64_t until = mgr_mono_us() + RETAIN_SLICE_US, left = 0;
	int more = 1;

	if (r->phase == RETAIN_VACUUM) {
		while (more && mgr_mono_us() < until)
			more = retention_vacuum_step(w->db, RETAIN_PAGES, &left,
			    &err) == 0 && left > 0;
		if (err.code != 0)
			log_warning(w->log, "%s", err.msg);
		if (!more)
			retain_end(w);
		return more;
	}
	if (db_begin(w->db, &err) != 0) {
		log_warning(w->log, "%s", err.msg);
		return 1;	/* tried again after a pause */
	}
	while (mgr_mono_us() < until && (more = retain_step(w, &err)) > 0)
		;
	if (db_commit(w->db, &err) != 0 || more < 0) {
		log_warning(w->log, "%s", err.msg);
		retain_end(w);
		return 0;
	}
	if (more == 0)
		r->phase = r->phase == RETAIN_OLD ? RETAIN_TASKS : RETAIN_VACUUM;
	return more != 0;
}

/* Under w->lock: whether a pass goes on (or starts, as asked). */
static int
retain_due(struct sched_writer *w)
{
	struct retain *r = &w->retain;

	if (r->phase == RETAIN_IDLE && r->wanted) {
		r->wanted = 0;
		r->pass_keep = r->keep;
		r->pass_oldest = r->oldest;
		r->phase = RETAIN_OLD;
	}
	return r->phase != RETAIN_IDLE;
}

void
sched_writer_retain(struct sched_writer *w, int keep, int64_t oldest_us)
{
	pthread_mutex_lock(&w->lock);
	w->retain.wanted = 1;
	w->retain.keep = keep;
	w->retain.oldest = oldest_us;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
}

/* Waits for work (w->lock held).  After WRITER_RELEASE_S with none, the
 * connection's page cache, filled by the writes (2 MB once full), is
 * given back, once: an idle engine keeps its tasks, not the pages. */
#define WRITER_RELEASE_S 1
static void
writer_wait(struct sched_writer *w)
{
	struct timespec until;

	if (!w->cached) {
		pthread_cond_wait(&w->work, &w->lock);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += WRITER_RELEASE_S;
	if (pthread_cond_timedwait(&w->work, &w->lock, &until) != ETIMEDOUT)
		return;
	w->cached = 0;
	pthread_mutex_unlock(&w->lock);
	if (w->big_cache) {
		db_cache_size(w->db, WRITER_SMALL_CACHE_KIB);
		w->big_cache = 0;
	}
	db_release_memory(w->db);
	malloc_trim(0);
	pthread_mutex_lock(&w->lock);
}

/* Under w->lock: RETAIN_PAUSE_US, or less when a batch or the end
 * comes. */
static void
retain_pause(struct sched_writer *w)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);	/* w->work's clock */
	until.tv_nsec += RETAIN_PAUSE_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&w->work, &w->lock, &until);
}

void
sched_writer_checkpoint_due(void *arg)
{
	struct sched_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	if (!w->checkpoint) {
		w->checkpoint = 1;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->lock);
}

/* The checkpoint the loop's connection handed over, if it asked (under
 * w->lock, which it leaves free meanwhile). */
static void
writer_checkpoint(struct sched_writer *w)
{
	struct mgr_error err = { 0 };
	int64_t t;

	if (!w->checkpoint)
		return;
	w->checkpoint = 0;
	pthread_mutex_unlock(&w->lock);
	t = mgr_mono_us();
	if (db_checkpoint(w->db, &err) != 0)
		log_warning(w->log, "%s", err.msg);
	mgr_error_clear(&err);
	pthread_mutex_lock(&w->lock);
	w->stats.checkpoints++;
	w->stats.checkpoint_us += (uint64_t)(mgr_mono_us() - t);
}

/* Batches first; a retention slice after each commit, and while idle;
 * the loop's checkpoints between them. */
static void *
writer_main(void *arg)
{
	struct sched_writer *w = arg;
	struct write_batch *list;
	size_t n;
	int busy;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->lost && !writer_lost_wait(w)) {
			if (w->stopping)
				break;
			if (w->fenced) {	/* drops whatever comes */
				writer_drop_kept(w, _("another host runs the "
				    "engine now"));
				while (w->head == NULL && !w->stopping)
					pthread_cond_wait(&w->work, &w->lock);
			}
			continue;
		}
		while (w->head == NULL && !w->stopping && !retain_due(w) &&
		    !w->checkpoint)
			writer_wait(w);
		writer_checkpoint(w);
		if (w->head == NULL && w->stopping)
			break;
		list = w->head;
		w->head = w->tail = NULL;
		n = 0;
		for (struct write_batch *b = list; b != NULL; b = b->next)
			n++;
		pthread_mutex_unlock(&w->lock);
		if (list != NULL && writer_commit(w, list) != 0) {
			pthread_mutex_lock(&w->lock);
			continue;	/* kept: n still queued */
		}
		pthread_mutex_lock(&w->lock);
		w->cached = 1;
		w->queued -= n;
		pthread_cond_broadcast(&w->idle);
		if (w->want_below && w->queued <= w->below) {
			w->want_below = 0;
			if (w->notify != NULL)
				w->notify(w->notify_arg);
		}
		if (!w->stopping && retain_due(w)) {
			pthread_mutex_unlock(&w->lock);
			busy = retain_slice(w);
			pthread_mutex_lock(&w->lock);
			if (busy && w->head == NULL && !w->stopping)
				retain_pause(w);
		}
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
	pthread_condattr_t attr;
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
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->work, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&w->idle, NULL);
	if (thread_create_named(&w->thread, "mgr-writer", writer_main, w) != 0) {
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
	b->seq = ++w->submitted;
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

int
sched_writer_over(struct sched_writer *w, size_t max)
{
	int over;

	pthread_mutex_lock(&w->lock);
	if ((over = w->queued > max)) {
		w->want_below = 1;
		w->below = max;
	}
	pthread_mutex_unlock(&w->lock);
	return over;
}

void
sched_writer_row_changed(struct sched_writer *w, const char *id)
{
	pthread_mutex_lock(&w->lock);
	if (w->queued > 0) {	/* else no pending write can be older */
		if (w->nmarks == w->capmarks)
			w->marks = xrealloc(w->marks, (w->capmarks = w->capmarks ?
			    w->capmarks * 2 : 8) * sizeof *w->marks);
		w->marks[w->nmarks++] = (struct row_mark){ xstrdup(id),
		    w->submitted };
	}
	pthread_mutex_unlock(&w->lock);
}

/* Not while the connection is lost: the loop must not wait for a
 * server (the records wait in memory), nor could it, since the word to
 * reconnect comes from the loop. */
void
sched_writer_wait(struct sched_writer *w, size_t max)
{
	pthread_mutex_lock(&w->lock);
	while (w->queued > max && !w->lost)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

void
sched_writer_reconnect(struct sched_writer *w, int64_t verified_mono)
{
	pthread_mutex_lock(&w->lock);
	if (w->lost && !w->fenced && verified_mono > w->lost_mono) {
		w->reconnect = 1;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->lock);
}

void
sched_writer_fenced(struct sched_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->fenced = 1;
	w->lost = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
}

size_t
sched_writer_waiting(struct sched_writer *w)
{
	size_t n = 0;

	pthread_mutex_lock(&w->lock);
	for (struct write_batch *b = w->lost ? w->head : NULL; b != NULL;
	    b = b->next)
		n += b->nruns;
	pthread_mutex_unlock(&w->lock);
	return n;
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
	thread_ask_stop(&w->lock, &w->work, &w->stopping);
	pthread_join(w->thread, NULL);
	writer_say_dropped_more(w);
	retain_end(w);
	while (w->after != NULL) {	/* the owner took them, normally */
		struct write_after *a = w->after;
		w->after = a->next;
		free(a);
	}
	rows_forget(w, UINT64_MAX);
	free(w->marks);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->idle);
	db_close(w->db);
	free(w);
}
