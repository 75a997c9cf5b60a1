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
 * else "/". */
#ifndef MGR_TASK_CONTEXT_H
#define MGR_TASK_CONTEXT_H

#include <stdint.h>
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
};

void task_context_init(struct task_context *c);
void task_context_clear(struct task_context *c);
/* From the stored JSON (NULL: the defaults); errors name the field. */
int task_context_from_json(const char *json, struct task_context *c,
			   struct mgr_error *err);
/* The JSON to store, NULL when everything is the default; malloc'd. */
char *task_context_to_json(const struct task_context *c);
/* The JSON object for --json and the API (every key, nulls included). */
struct json_t *task_context_json(const struct task_context *c);
/* One key as task files and API fields name it (env takes a
 * NAME=VALUE and adds it; the others replace, "" clears). */
int task_context_set(struct task_context *c, const char *key,
		     const char *value, struct mgr_error *err);
/* The CLI options (--env NAME=VALUE repeatable, --env-file, --workdir,
 * --user, --group, --umask, --nice: CONTEXT_OPTIONS in cmd-task.c) as
 * parsed; *changed is set when any was there.  On edit, --env replaces
 * the whole list.  -1 on an error (printed). */
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

#endif
