/* plugin_host.h - the host services a plugin reaches through its handles
 * (struct mgr_host_api): log, state, config, hooks, routes, and the task
 * contexts that carry one run of a task function.
 *
 * A plugin_host belongs to one plugin.  Its state_get/state_set go
 * through a plugin_host_remote, guarded by a mutex because task
 * functions may call them from worker threads: in the engine a private
 * database connection (plugin_host_new_db, plugin_host_db.c), in a
 * sandbox worker, which holds no database, messages to the engine
 * (manager-run).  This file does not touch the store, so manager-run
 * links no database library (each one it loads costs every worker's
 * start its relocations).
 * Hooks and routes are registered from on_enable (loop thread) and called
 * from the loop thread only.
 */
#ifndef MGR_PLUGIN_HOST_H
#define MGR_PLUGIN_HOST_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"
#include "log.h"
#include "manager-plugin.h"

struct plugin_host;
struct task_ctx;

/* manifest_json: the manifest as a JSON object (its "config" object feeds
 * config_get); NULL or unparsable gives an empty config.  Until a remote
 * is set, state_get returns NULL and state_set fails; log may be NULL. */
struct plugin_host *plugin_host_new(struct mgr_log *log,
				    const char *plugin_id,
				    const char *manifest_json);
/* The same, with state kept in db's file through a private connection
 * opened on first use (plugin_host_db.c). */
struct plugin_host *plugin_host_new_db(struct mgr_db *db, struct mgr_log *log,
				       const char *plugin_id,
				       const char *manifest_json);
void plugin_host_free(struct plugin_host *h);

/* Where a host's state (and, if log is set, its log) goes: in a sandbox
 * worker (manager-run), which holds no database, to the engine over the
 * worker's socket, and the engine answers for this plugin only; in the
 * engine, a private connection (plugin_host_db.c).  Calls are
 * serialized by the host.  release, if set, frees arg with the host. */
struct plugin_host_remote {
	char *(*state_get)(void *arg, const char *key);	/* malloc'd */
	int (*state_set)(void *arg, const char *key, const char *value);
	void (*log)(void *arg, enum mgr_log_level level, const char *msg);
	void (*release)(void *arg);
	void *arg;
};
void plugin_host_set_remote(struct plugin_host *h,
			    const struct plugin_host_remote *remote);
mgr_host *plugin_host_handle(struct plugin_host *h);
/* The plugin_host behind a handle given to a plugin. */
struct plugin_host *plugin_host_from_handle(mgr_host *handle);
const char *plugin_host_id(const struct plugin_host *h);

/* Calls every hook registered for event (or for "*"). */
void plugin_host_emit(struct plugin_host *h, const char *event,
		      const char *subject, const char *message);
/* Calls the route registered for method and path: 0 with *out_body
 * (malloc'd, may be NULL) and *status set, or MGR_ENOENT if none matches. */
int plugin_host_route(struct plugin_host *h, const char *method,
		      const char *path, const char *body, char **out_body,
		      int *status);
/* Drops every hook and route (when the plugin is disabled). */
void plugin_host_clear_registrations(struct plugin_host *h);
size_t plugin_host_hook_count(const struct plugin_host *h);
/* The hooks and routes registered, one a line: "hook\tEVENT\n",
 * "route\tMETHOD\tPATH\n" (malloc'd, never NULL). */
char *plugin_host_registrations(const struct plugin_host *h);
size_t plugin_host_route_count(const struct plugin_host *h);
/* The methods registered for path ("GET, POST"), or "" when none. */
void plugin_host_route_methods(const struct plugin_host *h, const char *path,
			       char *buf, size_t size);

/* One run.  args: "NAME=VALUE" strings, NULL-ended (copied; may be NULL);
 * deadline_us: Unix µs or 0; output_max: bytes of output kept (the rest
 * is dropped and "[output truncated]" appended). */
struct task_ctx *task_ctx_new(struct plugin_host *h, char *const *args,
			      int64_t deadline_us, size_t output_max);
mgr_task_ctx *task_ctx_handle(struct task_ctx *c);
/* Thread-safe: the task sees mgr_cancelled() == 1 from now on. */
void task_ctx_cancel(struct task_ctx *c);
int task_ctx_is_cancelled(const struct task_ctx *c);
/* Output so far (never NULL).  Read it after the task function returned,
 * or from the thread running it. */
const char *task_ctx_output(const struct task_ctx *c);
/* Output written from now on is also written to fd (e.g. a sandbox
 * child's stdout); -1 stops it. */
void task_ctx_set_output_fd(struct task_ctx *c, int fd);
void task_ctx_free(struct task_ctx *c);

#endif
