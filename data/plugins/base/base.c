/* base - a dependency for greeter. */
#include <manager/plugin.h>

static int
ping(mgr_task_ctx *ctx)
{
	mgr_output(ctx, "pong\n");
	return 0;
}

static const struct mgr_task_def tasks[] = {
	{ "ping", ping, "print pong" },
	{ 0 }
};

MGR_PLUGIN(.id = "base", .tasks = tasks);
