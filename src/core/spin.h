/* spin.h - spin before sleep on a descriptor.
 *
 * A call into a warm sandbox worker is a round trip between two
 * processes.  When each side sleeps in read() until the other writes, a
 * call costs two wake-ups of a sleeping CPU, and on a virtual machine an
 * idle vCPU takes tens of microseconds to wake (bench/worker_bench's
 * floor: 44.6 us a round trip idle, 5.4 us with the vCPUs kept awake).
 * So each side, when it expects an answer soon (the worker after a
 * reply, the caller after a request), polls its descriptor without
 * sleeping for a short bounded time, as glibc's adaptive mutexes and
 * Go's scheduler spin before they park, and only then blocks.  The bound
 * keeps an idle process idle: at most SPIN_WAIT_US of CPU after each
 * message, none while nothing is in flight. */
#ifndef MGR_SPIN_H
#define MGR_SPIN_H

#include <stdint.h>

/* The bound, in microseconds, of both ends of the worker channel
 * (BENCHMARKS.md, "Warm calls: spin before sleep", says why this value). */
#define SPIN_WAIT_US 50

/* Polls fd for input (or its end, or an error) without sleeping, giving
 * the CPU to any other runnable thread between polls, for at most
 * bound_us microseconds: 1 when a read would not block now, 0 when the
 * bound passed first (or bound_us <= 0).  The caller then reads, which
 * blocks only in the second case. */
int spin_readable(int fd, int bound_us);

/* The monotonic clock in nanoseconds (the vDSO's: no system call). */
int64_t spin_now_ns(void);

#endif
