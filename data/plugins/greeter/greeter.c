/* greeter - depends on base (see plugin.conf). */
#include <manager/plugin.h>

static int
welcome(mgr_task_ctx *ctx)
{
	const char *who = ctx->api->config_get(ctx->host, "who");

	mgr_output(ctx, "welcome, %s\n", who != NULL ? who : "everyone");
	return 0;
}

static const struct mgr_task_def tasks[] = {
	{ "welcome", welcome, "print a welcome" },
	{ 0 }
};

MGR_PLUGIN(.id = "greeter", .tasks = tasks);
