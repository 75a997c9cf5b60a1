/* manager-plugin.h - the plugin ABI of manager, installed as
 * <manager/plugin.h>.
 *
 * A plugin is a folder holding plugin.conf (its manifest) and a shared
 * object that exports one symbol, `mgr_plugin`, defined with MGR_PLUGIN().
 * It links nothing of the manager: host services come in through a
 * versioned table of function pointers reached from the handles the host
 * passes in, as with Redis modules and collectd plugins.
 *
 *	#include <manager/plugin.h>
 *
 *	static int greet(mgr_task_ctx *ctx)
 *	{
 *		mgr_output(ctx, "hello, %s\n", mgr_task_arg(ctx, "name"));
 *		return 0;			// 0 = success
 *	}
 *	static const struct mgr_task_def tasks[] = {
 *		{ "greet", greet, "print a greeting" }, { 0 }
 *	};
 *	MGR_PLUGIN(.id = "hello", .tasks = tasks);
 *
 * Build: cc -shared -fPIC $(pkg-config --cflags manager-plugin) -o hello.so hello.c
 *
 * Compatibility: MGR_PLUGIN_ABI_VERSION changes when a change breaks
 * existing plugins; the host refuses a plugin built for another version.
 * New services are only appended to struct mgr_host_api; check
 * api->size before calling one newer than your ABI version.
 */
#ifndef MANAGER_PLUGIN_H
#define MANAGER_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MGR_PLUGIN_ABI_VERSION 1

enum mgr_log_level {
	MGR_LOG_ERROR = 0,
	MGR_LOG_WARNING = 1,
	MGR_LOG_INFO = 2,
	MGR_LOG_DEBUG = 3,
};

struct mgr_host_api;

/* The host as a plugin sees it: passed to on_enable and on_disable. */
typedef struct mgr_host {
	const struct mgr_host_api *api;
} mgr_host;

/* One run of a task function. */
typedef struct mgr_task_ctx {
	const struct mgr_host_api *api;
	mgr_host *host;
} mgr_task_ctx;

/* Engine events a plugin can hook: "plugin.enabled", "plugin.disabled",
 * "task.succeeded", "task.failed", ... (the kind column of events). */
typedef void (*mgr_hook_fn)(mgr_host *host, const char *event,
			    const char *subject, const char *message, void *arg);

/* An HTTP route under /plugins/{plugin_id}/...: writes a JSON body into
 * *body (allocated with the host's alloc) and returns an HTTP status. */
typedef int (*mgr_route_fn)(mgr_host *host, const char *method,
			    const char *path, const char *request_body,
			    char **body, void *arg);

/* Host services.  Functions returning int give 0 on success and a
 * negative value on failure. */
struct mgr_host_api {
	uint32_t abi_version;	/* MGR_PLUGIN_ABI_VERSION of the host */
	size_t size;		/* sizeof (struct mgr_host_api) of the host */

	/* Logging, tagged with the plugin's id. */
	void (*log)(mgr_host *host, enum mgr_log_level level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* Per-plugin key/value state, persisted in the database.  state_get
	 * returns a string to release with free_string, or NULL if unset. */
	char *(*state_get)(mgr_host *host, const char *key);
	int (*state_set)(mgr_host *host, const char *key, const char *value);
	void (*free_string)(mgr_host *host, char *s);

	/* The manifest's `config` group: a value as text, or NULL. */
	const char *(*config_get)(mgr_host *host, const char *key);

	/* Engine events; valid while the plugin is enabled. */
	int (*hook_register)(mgr_host *host, const char *event, mgr_hook_fn fn,
			     void *arg);
	/* HTTP routes under /plugins/{id}/PATH; valid while enabled. */
	int (*route_register)(mgr_host *host, const char *method,
			      const char *path, mgr_route_fn fn, void *arg);
	char *(*alloc_string)(mgr_host *host, const char *s);

	/* Task runs. */
	const char *(*task_arg)(mgr_task_ctx *ctx, const char *name);
	int (*task_cancelled)(mgr_task_ctx *ctx);	/* stop soon if 1 */
	int64_t (*task_deadline)(mgr_task_ctx *ctx);	/* Unix µs, 0 = none */
	void (*task_output)(mgr_task_ctx *ctx, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
};

/* A task function: 0 for success, anything else for failure. */
typedef int (*mgr_task_fn)(mgr_task_ctx *ctx);

struct mgr_task_def {
	const char *name;		/* FUNCTION in "PLUGIN:FUNCTION" */
	mgr_task_fn fn;
	const char *summary;
};

struct mgr_plugin_def {
	uint32_t abi_version;		/* MGR_PLUGIN_ABI_VERSION */
	const char *id;			/* must equal the manifest's id */
	int (*on_enable)(mgr_host *host);	/* non-zero refuses enabling */
	void (*on_disable)(mgr_host *host);
	const struct mgr_task_def *tasks;	/* ends with { 0 } */
};

/* Defines the one exported symbol, `mgr_plugin`. */
#define MGR_PLUGIN(...) \
	__attribute__((visibility("default"))) \
	const struct mgr_plugin_def mgr_plugin = { \
		.abi_version = MGR_PLUGIN_ABI_VERSION, __VA_ARGS__ }

/* Shorthands. */
#define mgr_log(host, level, ...) ((host)->api->log((host), (level), __VA_ARGS__))
#define mgr_output(ctx, ...) ((ctx)->api->task_output((ctx), __VA_ARGS__))
#define mgr_task_arg(ctx, name) ((ctx)->api->task_arg((ctx), (name)))
#define mgr_cancelled(ctx) ((ctx)->api->task_cancelled(ctx))

#ifdef __cplusplus
}
#endif

#endif
