/* sched_batch.c - many tasks changed at once (task add --from, task
 * import) are applied on the loop in slices (sched_slice.c): 100,000
 * tasks take the loop about 0.6 s here, which in one go would hold back
 * every fire and every command meanwhile (issue 18).
 *
 * Each task is applied as scheduler_task_changed applies one: its row
 * as it is when its slice comes.  So a task changed again meanwhile
 * (paused, edited, removed) ends as its row says, whichever comes
 * first.  Batches are applied in the order they came, one at a time. */
#include "log.h"
#include "manager.h"
#include "sched_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct batch {
	char **ids;
	size_t n, next;		/* next: the first not applied */
	scheduler_applied_fn done;	/* or NULL */
	void *arg;
	size_t slices;
	int64_t longest_us;	/* the longest slice */
	struct batch *later;	/* the next batch in line */
};

struct sched_batches {
	struct mgr *mgr;
	struct sched_slicer slicer;
	struct batch *first, *last;
};

static void
batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->ids[i]);
	free(b->ids);
	free(b);
}

/* One slice of the first batch, its rows read in one read transaction:
 * one each began and ended SQLite's read lock each time (fcntl calls,
 * the WAL's read mark), most of the loop's time for 100,000 tasks. */
static int
batches_apply(void *arg, int64_t budget_us)
{
	struct sched_batches *q = arg;
	struct batch *b = q->first;
	int64_t start = mgr_mono_us(), took;
	int snapshot = db_read_begin(q->mgr->db, NULL) == 0;

	do
		scheduler_task_changed(q->mgr, b->ids[b->next++]);
	while (b->next < b->n && mgr_mono_us() - start < budget_us);
	if (snapshot)
		db_read_end(q->mgr->db);
	took = mgr_mono_us() - start;
	b->slices++;
	if (took > b->longest_us)
		b->longest_us = took;
	return b->next == b->n;
}

/* The first batch is applied: its caller is told, the next one starts. */
static void
batches_applied(void *arg)
{
	struct sched_batches *q = arg;
	struct batch *b = q->first;
	struct scheduler *s = q->mgr->sched;

	q->first = b->later;
	if (q->first == NULL)
		q->last = NULL;
	log_info(&q->mgr->log, "scheduler: %zu tasks changed, applied in %zu "
	    "slices, the longest %lld us; %zu tasks, %zu scheduled", b->n,
	    b->slices, (long long)b->longest_us, s->ntasks, s->nheap);
	if (b->done != NULL)
		b->done(b->arg, 0);
	batch_free(b);
	if (q->first != NULL)
		sched_slicer_start(&q->slicer);
}

static struct sched_batches *
batches_new(struct mgr *mgr)
{
	struct sched_batches *q = xcalloc(1, sizeof *q);

	q->mgr = mgr;
	sched_slicer_init(&q->slicer, mgr->loop, batches_apply,
	    batches_applied, q);
	return q;
}

void
scheduler_tasks_changed_then(struct mgr *mgr, const char *const *ids,
			     size_t n, scheduler_applied_fn done, void *arg)
{
	struct scheduler *s = mgr->sched;
	struct batch *b;

	if (s == NULL || n == 0) {
		if (done != NULL)
			done(arg, 0);
		return;
	}
	if (s->batches == NULL)
		s->batches = batches_new(mgr);
	sched_reserve(s, n);
	b = xcalloc(1, sizeof *b);
	b->ids = xcalloc(n, sizeof *b->ids);
	for (size_t i = 0; i < n; i++)
		b->ids[i] = xstrdup(ids[i]);
	b->n = n;
	b->done = done;
	b->arg = arg;
	if (s->batches->last != NULL)
		s->batches->last->later = b;
	else {
		s->batches->first = b;
		sched_slicer_start(&s->batches->slicer);
	}
	s->batches->last = b;
}

void
scheduler_tasks_changed(struct mgr *mgr, const char *const *ids, size_t n)
{
	scheduler_tasks_changed_then(mgr, ids, n, NULL, NULL);
}

int
sched_batches_apply_now(struct scheduler *s, const char *task_id)
{
	struct batch *b;

	for (b = s->batches != NULL ? s->batches->first : NULL; b != NULL;
	    b = b->later)
		for (size_t i = b->next; i < b->n; i++)
			if (strcmp(b->ids[i], task_id) == 0) {
				scheduler_task_changed(s->mgr, task_id);
				return 1;
			}
	return 0;
}

/* The engine stops: what is not applied is not (its rows are written:
 * the next start loads them); the callers learn it. */
void
sched_batches_free(struct sched_batches *q)
{
	struct batch *b, *later;

	if (q == NULL)
		return;
	sched_slicer_stop(&q->slicer);
	for (b = q->first; b != NULL; b = later) {
		later = b->later;
		if (b->done != NULL)
			b->done(b->arg, 1);
		batch_free(b);
	}
	free(q);
}
