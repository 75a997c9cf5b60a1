/* hello - tasks that log and succeed; a hook and an HTTP route. */
#include <manager/plugin.h>

#include <stdio.h>
#include <stdlib.h>

static int
greet(mgr_task_ctx *ctx)
{
	const char *greeting = ctx->api->config_get(ctx->host, "greeting");
	const char *name = mgr_task_arg(ctx, "name");
	char *count = ctx->api->state_get(ctx->host, "greetings");
	char buf[32];

	mgr_output(ctx, "%s, %s!\n", greeting != NULL ? greeting : "Hello",
	    name != NULL ? name : "world");
	snprintf(buf, sizeof buf, "%ld", (count != NULL ? atol(count) : 0) + 1);
	ctx->api->free_string(ctx->host, count);
	ctx->api->state_set(ctx->host, "greetings", buf);
	mgr_log(ctx->host, MGR_LOG_INFO, "greeted %s", name != NULL ? name : "world");
	return 0;
}

static int
noop(mgr_task_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static int
route_greeting(mgr_host *host, const char *method, const char *path,
	       const char *request_body, char **body, void *arg)
{
	const char *greeting = host->api->config_get(host, "greeting");
	char buf[256];

	(void)method;
	(void)path;
	(void)request_body;
	(void)arg;
	snprintf(buf, sizeof buf, "{\"greeting\": \"%s\"}",
	    greeting != NULL ? greeting : "Hello");
	*body = host->api->alloc_string(host, buf);
	return 200;
}

static void
on_event(mgr_host *host, const char *event, const char *subject,
	 const char *message, void *arg)
{
	(void)arg;
	(void)message;
	mgr_log(host, MGR_LOG_DEBUG, "saw %s %s", event, subject);
}

static int
on_enable(mgr_host *host)
{
	mgr_log(host, MGR_LOG_INFO, "enabled");
	host->api->hook_register(host, "task.succeeded", on_event, NULL);
	host->api->route_register(host, "GET", "greeting", route_greeting, NULL);
	return 0;
}

static void
on_disable(mgr_host *host)
{
	mgr_log(host, MGR_LOG_INFO, "disabled");
}

static const struct mgr_task_def tasks[] = {
	{ "greet", greet, "print the configured greeting to NAME (arg name)" },
	{ "noop", noop, "do nothing, successfully" },
	{ 0 }
};

MGR_PLUGIN(.id = "hello", .on_enable = on_enable, .on_disable = on_disable,
    .tasks = tasks);
