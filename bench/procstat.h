/* procstat.h - CPU time of this process, its children and a process
 * group, for the benchmarks and tests that measure what a worker
 * costs (bench/worker_bench, tests/unit/test_worker_spin). */
#ifndef PROCSTAT_H
#define PROCSTAT_H

#include <sys/types.h>

/* CPU seconds (user + system) of this process so far. */
double procstat_self_cpu_s(void);
/* CPU seconds of the children reaped so far. */
double procstat_children_cpu_s(void);
/* CPU seconds of the live processes of process group pgid, and, when
 * switches is not NULL, their context switches (voluntary and not). */
double procstat_group(pid_t pgid, unsigned long *switches);

#endif
