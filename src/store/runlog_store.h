/* runlog_store.h - what the run logs (src/tasks/runlog.h) ask of the
 * history: a run's key by its id, whether a run is over, and the logs
 * kept in the history itself (table run_logs).
 *
 * A run whose whole log is small (runlog.h: RUNLOG_INLINE_MAX) and that
 * ended within RUNLOG_INLINE_AGE has no file: its records (the bytes a
 * file would hold after its magic) are a row of run_logs, written by the
 * history writer in the transaction that records the run's end, and
 * removed with the run's row (a foreign key, ON DELETE CASCADE).  So a
 * run recorded as ended has its log recorded, and none outlives it. */
#ifndef MGR_RUNLOG_STORE_H
#define MGR_RUNLOG_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct mgr_db;
struct run_rec;

/* The key of run run_id, which names its log: *task_id (malloc'd),
 * *scheduled_at, *attempt.  MGR_ENOENT when there is no such run. */
int runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
		     int64_t *scheduled_at, int *attempt,
		     struct mgr_error *err);
/* *ended = 1 when the run (task_id, scheduled_at, attempt) is recorded
 * with an end; *run_id its id, or 0 when it has no row yet. */
int runlog_store_state(struct mgr_db *db, const char *task_id,
		       int64_t scheduled_at, int attempt, int *ended,
		       int64_t *run_id, struct mgr_error *err);

/* The logs of the runs of v that carry one (run_rec.log), each to the
 * row of its run (found by its key, as the run's end was just written
 * in the same transaction).  warn(arg, message) is told of one that
 * cannot be written; the others go on. */
void runlog_store_record(struct mgr_db *db, const struct run_rec *v, size_t n,
			 void (*warn)(void *arg, const char *msg), void *arg);
/* The run's state as runlog_store_state gives it, and its log when the
 * history keeps it: *records (malloc'd, *len bytes), else NULL (its log
 * is a file, it printed nothing, or it goes on). */
int runlog_store_inline(struct mgr_db *db, const char *task_id,
			int64_t scheduled_at, int attempt, int *ended,
			char **records, size_t *len, struct mgr_error *err);

/* A log too big for one row of the history, on a backend that keeps it
 * in the database (PostgreSQL: run_log_chunks), so that any host on the
 * same database reads it: its file's bytes from the start (magic
 * included), in chunks of whole records numbered from 0 (seq), written
 * while the run goes by the run log store's shipping thread
 * (src/tasks/runlog_ship.c), removed with the run's row or by the log
 * store's caps.  A backend that keeps such logs as files (SQLite: one
 * host reads them) says 0 to runlog_store_chunked, and the other chunk
 * functions fail there naming the database. */
int runlog_store_chunked(struct mgr_db *db);
/* Adds chunk seq of the run's log. */
int runlog_store_chunk_put(struct mgr_db *db, const char *task_id,
			   int64_t scheduled_at, int attempt, int64_t seq,
			   const char *bytes, size_t len,
			   struct mgr_error *err);
/* The first chunk of the run's log numbered from seq on: *bytes
 * (malloc'd, *len bytes) and its number *got; *bytes NULL when there is
 * none (yet). */
int runlog_store_chunk_next(struct mgr_db *db, const char *task_id,
			    int64_t scheduled_at, int attempt, int64_t seq,
			    int64_t *got, char **bytes, size_t *len,
			    struct mgr_error *err);
/* Where the run's stored log ends: the number of its next chunk
 * (*next_seq, 0 when it has none) and the bytes stored (*stored), for a
 * writer that resumes after a failed write or a restart. */
int runlog_store_chunk_tail(struct mgr_db *db, const char *task_id,
			    int64_t scheduled_at, int attempt,
			    int64_t *next_seq, int64_t *stored,
			    struct mgr_error *err);

/* One log kept in the history, for the log store's caps and retention;
 * its strings live until the callback returns. */
struct runlog_store_entry {
	int64_t run_id;
	const char *task_id;
	int64_t scheduled_at;
	int attempt;
	int64_t ended_at;		/* Unix µs: its age */
	int64_t bytes;
};
typedef void (*runlog_store_entry_fn)(void *arg,
				      const struct runlog_store_entry *e);
/* Every log the history keeps, in no order: the small ones
 * (run_logs), and the chunked ones of runs recorded as over (their
 * bytes summed; a running run's log counts once it is over). */
int runlog_store_list(struct mgr_db *db, runlog_store_entry_fn fn, void *arg,
		      struct mgr_error *err);
/* Removes the logs of the n runs ids, small or chunked (their rows
 * stay, as a run's row stays when its log file is removed). */
int runlog_store_drop(struct mgr_db *db, const int64_t *ids, size_t n,
		      struct mgr_error *err);

#endif
