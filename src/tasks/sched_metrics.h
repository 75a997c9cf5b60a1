/* sched_metrics.h - what the scheduler holds now, for GET /metrics. */
#ifndef MGR_SCHED_METRICS_H
#define MGR_SCHED_METRICS_H

struct mgr;

/* Fire times waiting for a free instance (max_instances), all tasks. */
long scheduler_queued_count(struct mgr *mgr);

#endif
