/* task_hooks.h - what a task does around its runs (issue 14): whom its
 * final outcomes notify, and which tasks it runs after.  Stored as
 * tasks.hooks (a JSON object, task_hooks_store.h).
 *
 *   on_failure   the final attempt failed, timed out or crashed (after
 *                the retries: once per fire time)
 *   on_success   the final attempt succeeded
 *   on_recovery  it succeeded and the previous final outcome did not
 *   on_missed    a fire time was recorded missed, skipped or interrupted
 *   on_output    the final attempt printed something (cron's MAILTO)
 *
 * Each holds one action: "exec:COMMAND ARG...", "mail:ADDRESS" or
 * "webhook:URL" (notify_run.c carries them out).  A task without its own
 * action for an event takes the configured default (manager.on_failure,
 * ...); "none" turns the default off for the task.
 *
 *   after        runs when every one of these tasks' latest outcome since
 *                this task's latest run is a success
 *   after_any    runs when any of them succeeded since then
 *
 *   concurrency_group  the group whose max_concurrent (groups { NAME = {
 *                max_concurrent = N; } } in the configuration) limits how
 *                many of its tasks' runs go on at once; the others wait,
 *                `queued`, in order.  (Not "group": that key is the run's
 *                Unix group, task_context.h.)
 */
#ifndef MGR_TASK_HOOKS_H
#define MGR_TASK_HOOKS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct mgr;
struct mgr_db;
struct cmd_ctx;

enum hook_event {
	HOOK_FAILURE, HOOK_SUCCESS, HOOK_RECOVERY, HOOK_MISSED, HOOK_OUTPUT,
	HOOK_NEVENTS
};

struct task_hooks {
	char *on[HOOK_NEVENTS];	/* actions, NULL: the configured default */
	char **after;		/* task ids, NULL-ended, or NULL */
	char **after_any;
	char *group;		/* concurrency group, or NULL */
	/* When after or after_any last changed (Unix µs): upstream outcomes
	 * before it do not count, so adding a dependency runs nothing at
	 * once nor at the next engine start.  Kept by task_hooks_put. */
	int64_t since;
};

/* "on_failure", ... */
const char *hook_event_name(enum hook_event e);

void task_hooks_init(struct task_hooks *h);
void task_hooks_clear(struct task_hooks *h);
int task_hooks_empty(const struct task_hooks *h);
/* From the stored JSON (NULL: none); errors name the key. */
int task_hooks_from_json(const char *json, struct task_hooks *h,
			 struct mgr_error *err);
/* The JSON to store, NULL when there is nothing; malloc'd. */
char *task_hooks_to_json(const struct task_hooks *h);
/* The tasks that run after id: those whose after (*all) or after_any
 * (*any) names it, as NULL-terminated lists (NULL when none) the caller
 * frees with strv_free. */
int task_hooks_downstream(struct mgr_db *db, const char *id, char ***all,
			  char ***any, struct mgr_error *err);
/* The keys for --json and the API (every key, nulls and [] included). */
struct json_t *task_hooks_json(const struct task_hooks *h);
/* One key as task files and API fields name it: on_* take an action ("":
 * the default), after and after_any a task id that is added to the list,
 * concurrency_group a name ("": none).
 * 1 when key is one of ours, 0 when it is not, <0 on a bad value. */
int task_hooks_set(struct task_hooks *h, const char *key, const char *value,
		   struct mgr_error *err);
/* The CLI options --on-failure ACTION, --on-success, --on-recovery,
 * --on-missed, --on-output, --after TASK (repeatable), --after-any TASK
 * (repeatable; on edit a given list replaces the task's, --after ""
 * clears it), --concurrency-group NAME ("" clears it), as parsed
 * (HOOK_OPTIONS in cmd-task.c).  -1 on a usage error (printed). */
struct cmd_args;
int task_hooks_read_args(struct cmd_ctx *ctx, const struct cmd_args *args,
			 struct task_hooks *h, int *changed);
/* Checks an action's form and that what it needs is installed (mail:
 * a sendmail), naming the key at fault. */
int hook_action_check(struct mgr *mgr, const char *key, const char *action,
		      struct mgr_error *err);
/* Checks at add and edit time: every action, that the tasks named in
 * after and after_any exist and are not this task, and that no cycle
 * follows (the error names it: "a -> b -> a"). */
int task_hooks_check(struct mgr *mgr, const char *task_id,
		     const struct task_hooks *h, struct mgr_error *err);
/* The program an action needs, found on manager.task_path (then /usr/sbin
 * and /usr/lib for sendmail); malloc'd, NULL when there is none. */
char *hook_find_program(struct mgr *mgr, const char *name);

/* A task's hooks from the store (none when it has none), and storing
 * them (the caller checked them). */
int task_hooks_get(struct mgr *mgr, const char *task_id, struct task_hooks *h,
		   struct mgr_error *err);
int task_hooks_put(struct mgr *mgr, const char *task_id,
		   const struct task_hooks *h, struct mgr_error *err);

/* task_hooks_file.c: the keys of one entry of a task file (a libconfig
 * group); errors name the file, line and key. */
struct config_setting_t;
int task_hooks_file(struct mgr *mgr, const char *path,
		    const struct config_setting_t *st, struct task_hooks *h,
		    struct mgr_error *err);
/* Whether the group st has a member named by one of names (NULL-ended):
 * one pass over its few members.  Most tasks of a file have no hooks or
 * context key; looking each of those 24 keys up was a tenth of a first
 * load of 100,000 tasks. */
int task_file_has_any(const struct config_setting_t *st,
		      const char *const *names);

/* deps_graph.c: the dependency graph, pure.  upstream(arg, id) gives the
 * tasks id runs after (after and after_any), NULL-ended, or NULL.  When
 * following them from start comes back to start, *cycle is the path
 * ("a -> b -> a", malloc'd) and 1 is returned; else 0. */
typedef char *const *(*deps_upstream_fn)(void *arg, const char *id);
int deps_find_cycle(const char *start, deps_upstream_fn upstream, void *arg,
		    char **cycle);

#endif
