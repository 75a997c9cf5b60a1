/* badctor - its constructor crashes, so loading it kills the loader. */
#include <manager/plugin.h>

#include <signal.h>

__attribute__((constructor)) static void
boom(void)
{
	raise(SIGSEGV);
}

static int
never(mgr_task_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static const struct mgr_task_def tasks[] = {
	{ "never", never, "never runs" },
	{ 0 }
};

MGR_PLUGIN(.id = "badctor", .tasks = tasks);
