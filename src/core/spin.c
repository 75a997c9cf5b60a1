/* spin.c - spin before sleep on a descriptor (spin.h). */
#include "spin.h"

#include <poll.h>
#include <sched.h>
#include <time.h>

int64_t
spin_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
spin_readable(int fd, int bound_us)
{
	struct pollfd p = { fd, POLLIN, 0 };
	int64_t end;

	if (bound_us <= 0)
		return 0;
	end = spin_now_ns() + (int64_t)bound_us * 1000;
	for (;;) {
		/* POLLHUP, POLLERR and a failed poll count too: the read
		 * that follows sees the end or the error. */
		if (poll(&p, 1, 0) != 0)
			return 1;
		if (spin_now_ns() >= end)
			return 0;
		/* Another runnable thread on this CPU (under load, maybe the
		 * very process we wait for) gets it meanwhile; alone, this
		 * returns at once. */
		sched_yield();
	}
}
