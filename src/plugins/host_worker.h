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
 * on_enable and on_disable are bounded by HOSTW_ENABLE_TIMEOUT_MS (the
 * probe's, as the probe child of an in-process plugin is).  The engine
 * starts and stops workers from its loop without waiting
 * (hostw_start_later, hostw_stop_later: `plugin enable`, `disable` and
 * `reload` answer when the worker has); hostw_start and hostw_stop wait
 * (the engine's start and end, the probe).  Hooks and routes never
 * are waited for: the loop queues the call (one at a time per worker, in order, at
 * most HOSTW_QUEUE_MAX waiting), sends it when the worker is free and is
 * woken by the worker's reply (an ev_io on its reply pipe), its end
 * (ev_child) or the call's deadline, HOSTW_CALL_TIMEOUT_MS (ev_timer),
 * so a plugin that hangs holds up its own calls only.  A call that
 * fails, times out or crashes the worker gives an error naming the
 * plugin, the call and the reason ("killed by SIGSEGV", "timed out after
 * 2 s"), recorded as a plugin.hook_failed or plugin.route_failed event;
 * the worker is killed, and the next call starts a new one, whose
 * on_enable goes first.
 */
#ifndef MGR_HOST_WORKER_H
#define MGR_HOST_WORKER_H

#include <stddef.h>
#include "error.h"

struct mgr;
struct host_worker;

#define HOSTW_ENABLE_TIMEOUT_MS 5000
#define HOSTW_CALL_TIMEOUT_MS 2000
#define HOSTW_QUEUE_MAX 64
#define HOSTW_EXIT_GRACE_MS 200	/* to exit once on_disable returned */

/* A call's answer, to its caller's done. */
struct hostw_answer {
	struct host_worker *hw;
	int rc;			/* 0: the plugin answered; else MGR_ETIMEOUT,
				 * MGR_EPLUGIN (crashed), MGR_EINVAL (its
				 * worker would not start again), MGR_EBUSY
				 * (not made: the worker stopped first) */
	int code;		/* the plugin's: a route's HTTP status */
	char *out;		/* its output; done may take it (set NULL) */
	const char *error;	/* rc != 0: why */
};
typedef void (*hostw_done_fn)(void *arg, struct hostw_answer *a);
struct hostw_req;

/* Starts id's host worker on lib (the installed library; its folder
 * holds the manifest) and calls on_enable.  A refusal is MGR_EINVAL
 * ("on_enable refused (returned N)"), a crash MGR_EPLUGIN, a hang
 * MGR_ETIMEOUT, a plugin that does not load, check or confine MGR_EINVAL
 * with the worker's reason (the faults' breaker counts crashes only). */
int hostw_start(struct mgr *mgr, const char *id, const char *lib,
		struct host_worker **out, struct mgr_error *err);
/* Gives the call in the worker the rest of its time (waited for), fails
 * the queued ones (MGR_EBUSY), calls on_disable (bounded), ends the
 * worker, frees hw (may be NULL). */
void hostw_stop(struct host_worker *hw);

/* A worker started or stopped from the loop has: rc 0, or the error
 * (as hostw_start's); called from the loop, and may free hw
 * (hostw_discard) then. */
typedef void (*hostw_settled_fn)(void *arg, struct host_worker *hw, int rc,
				 const char *error);
/* hostw_start without waiting: 0 and *out (not serving yet: the owner
 * keeps it until ready(arg, hw, rc, error) says how on_enable went; on
 * failure the worker is gone and hw is the owner's to discard), or an
 * error now when the worker cannot even be spawned. */
int hostw_start_later(struct mgr *mgr, const char *id, const char *lib,
		      hostw_settled_fn ready, void *arg,
		      struct host_worker **out, struct mgr_error *err);
/* hostw_stop without waiting: the calls queued behind the one in the
 * worker fail at once (MGR_EBUSY: a route's 503), new calls are refused,
 * the one in the worker gets the rest of its time, then on_disable runs
 * (bounded), the worker exits (HOSTW_EXIT_GRACE_MS, then killed) and
 * stopped(arg, hw, 0, NULL) follows; the owner then discards hw. */
void hostw_stop_later(struct host_worker *hw, hostw_settled_fn stopped,
		      void *arg);
/* Ends the worker now (no on_disable), fails what waits (MGR_EBUSY),
 * frees hw; nobody hears from settled (may be NULL). */
void hostw_discard(struct host_worker *hw);

/* Queues a call of the plugin's hooks for event, when it hooks it ("*"
 * or the name); a failure is logged and recorded as a
 * plugin.hook_failed event. */
void hostw_emit(struct host_worker *hw, const char *event,
		const char *subject, const char *message);
/* The methods of the routes the plugin registered for path ("GET, POST"),
 * from its registrations: the worker is not asked. */
void hostw_route_methods(const struct host_worker *hw, const char *path,
			 char *buf, size_t size);
/* Queues the route for method and path: 0, and done(arg, answer) is
 * called later, from the loop or from hostw_stop (never from in here),
 * unless *ticket is cancelled first (a ticket is gone once done ran); MGR_ENOENT when the plugin has no such route;
 * MGR_EBUSY (err set) when HOSTW_QUEUE_MAX calls wait already ("its
 * host worker's queue is full") or the worker is stopping. */
int hostw_route(struct host_worker *hw, const char *method, const char *path,
		const char *body, hostw_done_fn done, void *arg,
		struct hostw_req **ticket, struct mgr_error *err);
/* The caller of a queued call goes away: done will not be called. */
void hostw_cancel(struct hostw_req *ticket);

/* The probe of a plugin folder, confined: loads it in a host worker and,
 * with run_enable, calls on_enable and on_disable there.  Errors as
 * probe_plugin's (validator.h). */
int hostw_probe(struct mgr *mgr, const char *dir, int run_enable,
		struct mgr_error *err);

#endif
