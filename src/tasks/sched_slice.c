/* sched_slice.c - work the scheduler does on the loop a slice at a time
 * (issue 18: nothing blocks the loop): a SIGHUP's task files
 * (sched_reload.c) and the tasks a bulk command added (sched_batch.c).
 * Each slice takes at most SCHED_SLICE_US; the next one comes from a
 * zero timer, so whatever is due meanwhile (a task's fire, a command, an
 * API request) runs first. */
#include "sched_int.h"

static void
slicer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sched_slicer *sl = w->data;

	(void)revents;
	if (sl->apply(sl->arg, SCHED_SLICE_US))
		sl->applied(sl->arg);	/* may start the slicer again */
	else
		ev_timer_start(loop, &sl->timer);	/* after what is due */
}

void
sched_slicer_init(struct sched_slicer *sl, struct ev_loop *loop,
		  int (*apply)(void *arg, int64_t budget_us),
		  void (*applied)(void *arg), void *arg)
{
	sl->loop = loop;
	sl->apply = apply;
	sl->applied = applied;
	sl->arg = arg;
	ev_timer_init(&sl->timer, slicer_cb, 0, 0);
	sl->timer.data = sl;
}

void
sched_slicer_start(struct sched_slicer *sl)
{
	ev_timer_start(sl->loop, &sl->timer);
}

void
sched_slicer_stop(struct sched_slicer *sl)
{
	ev_timer_stop(sl->loop, &sl->timer);
}
