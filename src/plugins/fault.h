/* fault.h - crash isolation of plugins: a circuit breaker.
 *
 * A plugin whose code crashes the sandbox (a task run ending `crashed`, a
 * reload or enable whose probe child crashed, a hook, route or restart's
 * on_enable that crashed or hung its host worker) fault_max_crashes times
 * within fault_window_seconds is marked faulted: it is disabled (and its
 * dependents with it), its row says state "faulted" with the reason in
 * error, and its tasks are paused (the scheduler is told).  `manager
 * plugin enable ID` clears it and resumes the tasks the breaker paused.
 *
 * Crashes are counted from the database (runs of the plugin's tasks, and
 * plugin.crashed / plugin.enable_failed events), so a restart forgets
 * nothing.  With sandboxing = false a crash in plugin code takes the
 * whole process down: there is nothing left to count.
 */
#ifndef MGR_FAULT_H
#define MGR_FAULT_H

struct mgr;

/* Records a crash outside task runs (what: "reload", "enable") as a
 * plugin.crashed event, then checks the breaker. */
void fault_record_crash(struct mgr *mgr, const char *plugin_id,
			const char *what, const char *why);
/* A run of one of the plugin's tasks crashed: checks the breaker from
 * the loop once the run is written (the scheduler calls this). */
void fault_run_crashed(struct mgr *mgr, const char *plugin_id);
/* Counts the plugin's crashes in the window and trips the breaker when
 * there are enough; 1 if it tripped now. */
int fault_check(struct mgr *mgr, const char *plugin_id);
/* After the plugin was enabled again: resumes the tasks the breaker
 * paused. */
void fault_clear(struct mgr *mgr, const char *plugin_id);

#endif
