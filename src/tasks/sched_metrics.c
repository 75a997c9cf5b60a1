/* sched_metrics.c - what the scheduler holds now (sched_metrics.h). */
#include "manager.h"
#include "sched_int.h"
#include "sched_metrics.h"

long
scheduler_queued_count(struct mgr *mgr)
{
	struct scheduler *s = mgr->sched;
	long n = 0;

	if (s == NULL)
		return 0;
	for (size_t i = 0; i < s->nbuckets; i++)
		for (struct stask *t = s->buckets[i]; t != NULL; t = t->hnext)
			n += (long)task_nbacklog(t);
	return n;
}
