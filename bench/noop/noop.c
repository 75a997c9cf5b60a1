/* noop - the benchmark's task: returns at once. */
#include <manager/plugin.h>

static int
noop(mgr_task_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static const struct mgr_task_def tasks[] = {
	{ "noop", noop, "do nothing" },
	{ 0 }
};

MGR_PLUGIN(.id = "noop", .tasks = tasks);
