/* task_context.h - how a task's runs run: their environment, working
 * folder, user and group, umask and nice (tasks.context, a JSON object).
 *
 * Every run, manual or scheduled, gets the same context, built here from
 * the task and the configuration alone, never from the environment of
 * the engine or of a client:
 *
 *   PATH (manager.task_path), HOME, USER, LOGNAME, SHELL (the run's user,
 *   from the password database), LANG (manager.task_lang); then the
 *   variables of env_file (systemd's EnvironmentFile= syntax, read at
 *   every run; "-FILE": a missing file is no error), then env; then
 *   MANAGER_TASK_ID, MANAGER_RUN_ID (the run's id, empty when its row is
 *   not written yet), MANAGER_SCHEDULED_AT (Unix seconds of the fire
 *   time), MANAGER_ATTEMPT.
 *
 * The working folder is workdir, else the user's home when it exists,
 * else "/".
 *
 * The sandbox of an exec: run (manager-exec, with confine.c's parts):
 * sandbox "strict" reads and runs the system's folders (see
 * confine_task_read) and read_only, writes workdir and write, has no
 * network unless network, and gets an empty /tmp of its own with
 * private_tmp; "none" is no sandbox; unset, manager.task_sandbox says.
 * Resource limits (limit_cpu seconds, limit_memory MB, limit_nofile)
 * replace the sandbox_* defaults for the task's runs; ioprio is the I/O
 * class: "idle", "best-effort[:0-7]" or "realtime[:0-7]". */
#ifndef MGR_TASK_CONTEXT_H
#define MGR_TASK_CONTEXT_H

#include <stdint.h>
#include <stdio.h>
#include "error.h"

struct mgr;
struct cmd_ctx;

struct task_context {
	char **env;		/* NAME=VALUE, NULL-ended, or NULL */
	char *env_file;
	char *workdir;
	char *user;
	char *group;
	int umask;		/* -1: the engine's */
	int nice;		/* 0: unchanged */
	int sandbox;		/* TASK_SANDBOX_* */
	int network;		/* strict: keep the network (0/1) */
	int private_tmp;	/* strict: an empty /tmp of its own (0/1) */
	char **read_only;	/* strict: also readable, NULL-ended */
	char **write;		/* strict: also writable, NULL-ended */
	char *ioprio;		/* "idle", "best-effort:N", "realtime:N" */
	int limit_cpu;		/* RLIMIT_CPU seconds, 0: the default */
	int limit_memory;	/* RLIMIT_AS MB, 0: the default */
	int limit_nofile;	/* RLIMIT_NOFILE, 0: the default */
};

enum {
	TASK_SANDBOX_DEFAULT = -1,	/* manager.task_sandbox */
	TASK_SANDBOX_NONE = 0,
	TASK_SANDBOX_STRICT = 1,
};

void task_context_init(struct task_context *c);
void task_context_clear(struct task_context *c);
/* From the stored JSON (NULL: the defaults); errors name the field. */
int task_context_from_json(const char *json, struct task_context *c,
			   struct mgr_error *err);
/* The JSON to store, NULL when everything is the default; malloc'd. */
char *task_context_to_json(const struct task_context *c);
/* 1 when a and b have every field the same. */
int task_context_equal(const struct task_context *a,
		       const struct task_context *b);
/* The JSON object for --json and the API (every key, nulls included). */
struct json_t *task_context_json(const struct task_context *c);
/* One key as task files and API fields name it (env takes a
 * NAME=VALUE and adds it; the others replace, "" clears). */
int task_context_set(struct task_context *c, const char *key,
		     const char *value, struct mgr_error *err);
/* The CLI options (--env NAME=VALUE repeatable, --env-file, --workdir,
 * --user, --group, --umask, --nice, --sandbox, --network|--no-network,
 * --private-tmp|--no-private-tmp, --read-only PATH and --write PATH
 * repeatable, --ioprio, --limit-cpu, --limit-memory, --limit-nofile:
 * CONTEXT_OPTIONS in cmd-task.c) as parsed; *changed is set when any was
 * there.  On edit, --env, --read-only and --write replace their whole
 * list.  -1 on an error (printed). */
struct cmd_args;
int task_context_read_args(struct cmd_ctx *ctx, const struct cmd_args *args,
			   struct task_context *c, int *changed);

/* Checks at add or edit time: names and numbers, the env file, the
 * folder, the user and group (another user than ours only when the
 * engine runs as root), and that an exec: program is found on the run's
 * PATH and executable. */
int task_context_check(struct mgr *mgr, const char *task_id,
		       const char *func_path, const struct task_context *c,
		       struct mgr_error *err);
/* A PLUGIN:FUNCTION task's function, through the plugins' check handed
 * down in mgr->plugin_runner: an error when the installed plugin has no
 * such function (listing its functions); *missing when the plugin is not
 * installed.  exec: tasks: 0. */
int task_plugin_func_check(struct mgr *mgr, const char *func_path, int *missing,
		    struct mgr_error *err);
/* The same on a host's loop, which does not wait for the plugin's list
 * of functions: TASK_CHECK_LATER when the list is not made yet, and
 * done(arg, rc, missing, err) follows from the loop once it is; any
 * other return is the answer now (done is not called). */
#define TASK_CHECK_LATER 1
typedef void (*task_checked_fn)(void *arg, int rc, int missing,
				const struct mgr_error *err);
int task_plugin_func_check_later(struct mgr *mgr, const char *func_path,
				 int *missing, task_checked_fn done, void *arg,
				 struct mgr_error *err);
/* Reads an EnvironmentFile= file: appends NAME=VALUE to *env; errors
 * name the file and line. */
int task_env_file_read(const char *path, char ***env, struct mgr_error *err);
/* The whole environment of a run (see above) and its working folder. */
struct task_run_ids {
	const char *task_id;
	int64_t run_id;		/* 0: not known yet */
	int64_t scheduled_at;	/* Unix µs */
	int attempt;
};
int task_context_env(struct mgr *mgr, const struct task_context *c,
		     const struct task_run_ids *ids, char ***envp,
		     char **workdir, struct mgr_error *err);
/* The sandbox that applies: the task's, else manager.task_sandbox. */
int task_context_sandbox(const struct mgr *mgr, const struct task_context *c);
/* task show's lines of the sandbox, the I/O class and the limits. */
void task_context_show_sandbox(const struct mgr *mgr, FILE *out,
			       const struct task_context *c);
/* The context's part of a run (user, group, umask, nice, the sandbox,
 * ioprio, limits) into spec; envp and workdir are set by the caller. */
struct run_spec;
void task_context_spec(const struct mgr *mgr, const struct task_context *c,
		       struct run_spec *spec);

#endif
