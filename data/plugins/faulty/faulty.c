/* faulty - tasks that fail, sleep (cancellable) and crash. */
#include <manager/plugin.h>

#include <signal.h>
#include <stdlib.h>
#include <time.h>

static int
fail(mgr_task_ctx *ctx)
{
	mgr_output(ctx, "failing on purpose\n");
	return 1;
}

/* Sleeps `seconds` (default 10, fractions allowed), checking for
 * cancellation every 10 ms; returns 2 when cancelled. */
static int
sleep_task(mgr_task_ctx *ctx)
{
	const char *arg = mgr_task_arg(ctx, "seconds");
	double seconds = arg != NULL ? atof(arg) : 10.0;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long ticks = (long)(seconds * 100.0);

	for (long i = 0; i < ticks; i++) {
		if (mgr_cancelled(ctx)) {
			mgr_output(ctx, "cancelled\n");
			return 2;
		}
		nanosleep(&tick, NULL);
	}
	mgr_output(ctx, "slept %.2f s\n", seconds);
	return 0;
}

static int
crash(mgr_task_ctx *ctx)
{
	mgr_output(ctx, "about to crash\n");
	raise(SIGSEGV);
	return 0;
}

static const struct mgr_task_def tasks[] = {
	{ "fail", fail, "fail with status 1" },
	{ "sleep", sleep_task, "sleep for arg seconds, honouring cancellation" },
	{ "crash", crash, "die of SIGSEGV" },
	{ 0 }
};

MGR_PLUGIN(.id = "faulty", .tasks = tasks);
