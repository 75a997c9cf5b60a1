/* host_worker.h - a sandboxed plugin's own code, out of the engine.
 *
 * With sandboxing = true the engine never dlopens a plugin: each enabled
 * plugin gets one host worker, `manager-run host`, confined exactly as
 * the run workers of its task functions (the manifest's permissions:
 * Landlock, seccomp, network and PID namespaces, no capabilities, no
 * database).  The worker loads the library, which checks its definition
 * (ABI version, id, tasks), and the engine calls it over the run
 * workers' protocol (manager-run.c, worker_host.h) with calls named
 * "@enable", "@disable", "@hook" and "@route" in place of a task
 * function.  The plugin's state and log calls come back as queries and
 * are answered for this plugin only, as for runs.  @enable's answer
 * lists the hooks and routes the plugin registered, so the engine knows
 * its routes (404 without a round trip) and wakes the worker only for
 * events it hooks.
 *
 * Calls are synchronous, bounded by a deadline: on_enable and on_disable
 * HOSTW_ENABLE_TIMEOUT_MS (the probe's), a hook or a route
 * HOSTW_CALL_TIMEOUT_MS.  A call that fails, times out or crashes the
 * worker gives an error naming the plugin, the call and the reason
 * ("killed by SIGSEGV", "timed out after 2 s"); the worker is killed,
 * and the next call starts a new one and enables it again first.
 */
#ifndef MGR_HOST_WORKER_H
#define MGR_HOST_WORKER_H

#include <stddef.h>
#include "error.h"

struct mgr;
struct host_worker;

#define HOSTW_ENABLE_TIMEOUT_MS 5000
#define HOSTW_CALL_TIMEOUT_MS 2000

/* Starts id's host worker on lib (the installed library; its folder
 * holds the manifest) and calls on_enable.  A refusal is MGR_EINVAL
 * ("on_enable refused (returned N)"), a crash MGR_EPLUGIN, a hang
 * MGR_ETIMEOUT, a plugin that does not load, check or confine MGR_EINVAL
 * with the worker's reason (the faults' breaker counts crashes only). */
int hostw_start(struct mgr *mgr, const char *id, const char *lib,
		struct host_worker **out, struct mgr_error *err);
/* Calls on_disable (bounded), ends the worker, frees hw (may be NULL). */
void hostw_stop(struct host_worker *hw);

/* Calls the plugin's hooks for event, when it hooks it ("*" or the
 * name); a failure is logged and recorded as a plugin.hook_failed
 * event. */
void hostw_emit(struct host_worker *hw, const char *event,
		const char *subject, const char *message);
/* Calls the route for method and path: 0 with *out_body (malloc'd, may
 * be NULL) and *status; MGR_ENOENT when it has none; MGR_ETIMEOUT or
 * MGR_EPLUGIN (recorded as plugin.route_failed) when the call failed. */
/* The methods of the routes the plugin registered for path ("GET, POST"),
 * from its registrations: the worker is not asked. */
void hostw_route_methods(const struct host_worker *hw, const char *path,
			 char *buf, size_t size);
int hostw_route(struct host_worker *hw, const char *method, const char *path,
		const char *body, char **out_body, int *status,
		struct mgr_error *err);

/* The probe of a plugin folder, confined: loads it in a host worker and,
 * with run_enable, calls on_enable and on_disable there.  Errors as
 * probe_plugin's (validator.h). */
int hostw_probe(struct mgr *mgr, const char *dir, int run_enable,
		struct mgr_error *err);

#endif
