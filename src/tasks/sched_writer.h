/* sched_writer.h - the scheduler's history writer: a thread with its own
 * SQLite connection that commits batches of finished runs and task rows,
 * so the loop never waits for a commit (or a WAL checkpoint) while tasks
 * are due.  Batches are written in the order they were submitted. */
#ifndef MGR_SCHED_WRITER_H
#define MGR_SCHED_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "notify_store.h"
#include "store.h"

struct mgr_log;
struct sched_writer;

struct task_write {
	char *id;
	const char *status;	/* static string */
	int64_t last_run, next_run, next_nominal;
};

/* Told once the batch that carried it is committed (or failed), so that
 * what a command says is in the history when the command returns. */
struct write_after {
	void (*fn)(void *arg, const char *status);
	void *arg;
	const char *status;	/* static string */
	struct write_after *next;
};

/* A notification owed, written with the run it is about (so that a
 * crash after the run's outcome is recorded cannot lose it), or one
 * delivered or given up (done: removed; only n.run.id and n.event). */
struct notify_write {
	struct notify_rec n;
	int done;
};

struct write_batch {
	struct run_rec *runs;
	size_t nruns;
	struct notify_write *notes;	/* after the runs, in order */
	size_t nnotes;
	struct task_write *tasks;
	size_t ntasks;
	struct write_after *after;
	uint64_t seq;		/* its place in the submission order */
	struct write_batch *next;
};

/* notify(arg) is called on the writer's thread after a commit that
 * carried write_after entries, or that brought the backlog back under
 * sched_writer_over's limit; the loop then takes them with
 * sched_writer_take_after (ev_async_send is such a notify). */
int sched_writer_new(const char *db_path, struct mgr_log *log,
		     void (*notify)(void *arg), void *notify_arg,
		     struct sched_writer **out, struct mgr_error *err);
/* The write_after entries whose batch is committed, oldest first. */
struct write_after *sched_writer_take_after(struct sched_writer *w);
/* Takes ownership of b. */
void sched_writer_submit(struct sched_writer *w, struct write_batch *b);
/* Someone else is about to write the row of task id (the loop's own
 * connection: a command, a task file, an import): the writes of that row
 * in the batches submitted until now are older than it and will be
 * dropped, so the loop never waits for the writer before it changes a
 * task.  The loop then takes the task again (scheduler_task_changed) and
 * a later batch writes its run state anew. */
void sched_writer_row_changed(struct sched_writer *w, const char *id);
/* Batches submitted and not yet committed. */
size_t sched_writer_backlog(struct sched_writer *w);
/* Whether more than max batches wait or are being written; if so,
 * notify (sched_writer_new) is called once they are max or fewer, so
 * that the loop can hold back new work instead of waiting. */
int sched_writer_over(struct sched_writer *w, size_t max);
/* Waits until at most max batches wait or are being written. */
void sched_writer_wait(struct sched_writer *w, size_t max);
/* Waits until everything submitted is committed. */
void sched_writer_sync(struct sched_writer *w);
/* Starts a pass of history retention (or asks for one after the pass
 * going on): ended runs that started before oldest_us, and each task's
 * ended runs past its newest keep, are deleted in slices of at most 5 ms
 * between batches, then the file's free pages are given back. */
void sched_writer_retain(struct sched_writer *w, int keep, int64_t oldest_us);
/* For db_checkpoint_elsewhere on the loop's connection: the writer's
 * thread runs the checkpoint the loop's commit would have run (and its
 * fsyncs), between its batches. */
void sched_writer_checkpoint_due(void *arg);
/* A commit that failed because the connection to the server broke
 * (db_lost) keeps its batches, in order, and every later one behind
 * them; nothing reconnects by itself, since only the engine knows
 * whether this host may still write (src/engine/hostreg.c).  Meanwhile
 * sched_writer_wait and _sync return at once.  sched_writer_reconnect:
 * the host may write again, as verified at verified_mono (mgr_mono_us;
 * a time before the loss was found says nothing, and is ignored): the
 * thread makes its connection again and writes what waited (still lost
 * if the server is not back: ask again).  sched_writer_fenced: another host has the engine: what waits
 * and what comes is dropped, said once with the count. */
void sched_writer_reconnect(struct sched_writer *w, int64_t verified_mono);
void sched_writer_fenced(struct sched_writer *w);
/* Runs whose records wait for a lost connection. */
size_t sched_writer_waiting(struct sched_writer *w);
/* What the writer's commits cost, counted since it started (bench/run
 * prints them over its window): commits of batches, the runs and task
 * rows they carried, the pages they wrote to the log (db_io_counts), the
 * time of their transactions (wall and the thread's CPU, which other
 * processes' load does not inflate) and of the commits alone, and of the
 * checkpoints the loop handed over. */
struct sched_writer_stats {
	uint64_t commits, runs, task_rows;
	uint64_t pages_written, pages_spilled, cache_misses;
	uint64_t write_us, commit_us, commit_us_max;
	uint64_t cpu_us;		/* the thread's CPU in its transactions */
	uint64_t checkpoints, checkpoint_us;
};
void sched_writer_stats(struct sched_writer *w, struct sched_writer_stats *out);
/* Syncs, stops the thread, closes its connection (what still waits for
 * a lost connection is dropped, and said). */
void sched_writer_free(struct sched_writer *w);
void write_batch_free(struct write_batch *b);
void notify_writes_free(struct notify_write *v, size_t n);

#endif
