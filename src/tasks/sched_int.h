/* sched_int.h - the scheduler's insides, shared by its files:
 * scheduler.c (timers, attempts, retries, history), sched_index.c (the id
 * table and the heap of fire times), sched_files.c (tasks_directory). */
#ifndef MGR_SCHED_INT_H
#define MGR_SCHED_INT_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include "store.h"

struct mgr;
struct runner;
struct trigger;
struct attempt;
struct sched_writer;
struct sched_claim;
struct tz_cache;
struct write_after;

#define SCHED_NOT_IN_HEAP SIZE_MAX

/* One task as the scheduler holds it. */
struct stask {
	struct task_rec rec;
	struct trigger *trig;		/* NULL when its fields are invalid */
	int64_t nominal;		/* next fire time, TRIGGER_NONE if none */
	int64_t fire;			/* nominal plus jitter: the heap key */
	size_t heap_pos;
	int inflight;			/* attempts running or awaiting a retry */
	int64_t *backlog;		/* run times waiting for a free instance */
	size_t nbacklog, capbacklog;
	int in_backlog;			/* task_run_backlog is running */
	const char *last_status;	/* static string */
	int removed;			/* row gone; freed when inflight is 0 */
	int plugin_off;			/* its plugin is not enabled */
	int dirty;			/* row needs writing */
	struct stask *dirty_next;
	int deferred;			/* row written later (TASK_ROW_EVERY_S) */
	struct stask *deferred_next;
	const char *written_status;	/* as last written, and when */
	double written_at;
	double began_at;		/* ev_now of the latest attempt start */
	struct stask *hnext;		/* id table chain */
};

struct scheduler {
	struct mgr *mgr;
	struct ev_loop *loop;
	struct runner *runner;
	struct sched_writer *writer;	/* history on its own thread */
	struct sched_claim *claim;	/* the claim watermark; NULL: none */
	ev_async written;		/* the writer committed write_afters */
	struct write_after *after;	/* for the next batch */
	struct tz_cache *zones;		/* one load per zone name */
	int loading;			/* sched_load_all runs */
	char *load_plugin;		/* ... the last plugin it looked up */
	int load_plugin_off;
	/* id table */
	struct stask **buckets;
	size_t nbuckets, ntasks;
	/* min-heap on fire */
	struct stask **heap;
	size_t nheap, capheap;
	double armed_at;		/* the wake timer's time, or 0 */
	ev_periodic wake;		/* wall clock: follows clock jumps */
	ev_timer housekeeping;
	ev_prepare flush;		/* one transaction per loop iteration */
	ev_timer flush_later;		/* ... or per FLUSH_EVERY_S under load */
	ev_timer running_rows;		/* long runs get their `running` rows */
	int flush_running;		/* sched_running_rows_cb flushes */
	double last_flush;
	ev_timer grace;
	struct stask *dirty;
	struct stask *deferred;		/* rows that may wait */
	ev_timer rows;			/* writes the deferred rows */
	int force_rows;
	struct run_rec *done;		/* finished attempts to record */
	size_t ndone, capdone;
	struct attempt *attempts;	/* in flight or awaiting a retry */
	uint64_t rng;
	int shutting_down;
	int foreground;			/* scheduler_run_foreground */
	void (*shutdown_done)(struct mgr *mgr);
};

/* sched_index.c */
struct stask *sched_find(struct scheduler *s, const char *id);
void sched_insert(struct scheduler *s, struct stask *t);
void sched_unlink(struct scheduler *s, struct stask *t);
void sched_free_index(struct scheduler *s);
void heap_update(struct scheduler *s, struct stask *t);	/* insert or move */
void heap_remove(struct scheduler *s, struct stask *t);
struct stask *heap_top(struct scheduler *s);

/* sched_claim.c: the claim watermark (see there). */
int sched_claim_open(const char *db_path, struct sched_claim **out,
		     struct mgr_error *err);
void sched_claim_close(struct sched_claim *c);
/* True when (fire, id) is at or below the mark: claimed before. */
int sched_claim_covers(const struct sched_claim *c, int64_t fire,
		       const char *id);
/* Moves the mark up to (fire, id); never down. */
void sched_claim_mark(struct sched_claim *c, int64_t fire, const char *id);

/* sched_files.c */
int sched_load_files(struct mgr *mgr, struct mgr_error *err);

#endif
