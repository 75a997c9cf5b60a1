/* task_fields.c - the one table of a task's fields (task_fields.h). */
#include "i18n.h"
#include "task_fields.h"

#include <string.h>

static const char *const trigger_types[] = { "interval", "cron", "date",
	"calendar", NULL };
static const char *const interrupt_values[] = { "abandon", "rerun", NULL };
static const char *const sandbox_values[] = { "none", "strict", NULL };

#define RO (FIELD_READONLY)
#define NUL (FIELD_NULLABLE)

static const struct field_def fields[] = {
	{ "id", FIELD_STRING, FIELD_CREATE_ONLY, NULL, 0, 0, NULL,
	  N_("the task's id: letters, digits and . _ - @ : +, at most 128 "
	  "bytes; derived from name when none is given") },
	{ "name", FIELD_STRING, FIELD_REQUIRED | FIELD_SEED, "--name", 0, 0,
	  NULL, N_("the task's name, for people") },
	{ "status", FIELD_STRING, RO | FIELD_SEED, NULL, 0, 0, NULL,
	  N_("what the scheduler does with the task now: scheduled, paused, ...") },
	{ "last_run", FIELD_TIME, RO | NUL | FIELD_SEED, NULL, 0, 0, NULL,
	  N_("when it last ran, or null") },
	{ "next_run", FIELD_TIME, RO | NUL | FIELD_SEED, NULL, 0, 0, NULL,
	  N_("when it runs next, or null") },
	{ "func_path", FIELD_STRING, FIELD_REQUIRED | FIELD_SEED, "--func", 0, 0,
	  NULL, N_("what runs: PLUGIN:FUNCTION or exec:COMMAND ARG...") },
	{ "trigger", FIELD_STRING, FIELD_REQUIRED | FIELD_SEED, "--trigger", 0,
	  0, trigger_types, N_("the kind of schedule") },
	{ "trigger_args", FIELD_TRIGGER_ARGS, FIELD_SEED, NULL, 0, 0, NULL,
	  N_("the trigger's fields (hours, minute, run_date, ...): numbers "
	  "stay numbers; given with trigger, or alone to replace them") },
	{ "enabled", FIELD_BOOLEAN, FIELD_SEED, NULL, 0, 0, NULL,
	  N_("false: the task is kept but never fires") },
	{ "max_retries", FIELD_INTEGER, FIELD_SEED, "--max-retries", 0,
	  FIELD_NO_MAX, NULL, N_("new attempts after a failed one (default 3)") },
	{ "timeout", FIELD_INTEGER, FIELD_SEED, "--timeout", 0, FIELD_NO_MAX,
	  NULL, N_("seconds an attempt may take; 0: no limit") },
	{ "misfire_grace_time", FIELD_INTEGER, NUL, "--misfire-grace-time", 0,
	  FIELD_NO_MAX, NULL, N_("seconds a missed run may still start late; "
	  "0: no limit; null: the configured default") },
	{ "coalesce", FIELD_BOOLEAN, 0, NULL, 0, 0, NULL,
	  N_("true: runs missed together run once") },
	{ "max_instances", FIELD_INTEGER, 0, "--max-instances", 1, FIELD_NO_MAX,
	  NULL, N_("runs of the task that may go on at once") },
	{ "on_interrupt", FIELD_STRING, 0, "--on-interrupt", 0, 0,
	  interrupt_values, N_("after a crash of the engine during a run: "
	  "abandon it, or rerun it") },
	{ "source", FIELD_STRING, RO, NULL, 0, 0, NULL,
	  N_("where the task comes from: api, cli, plugin:ID, file:PATH") },
	{ "plugin_id", FIELD_STRING, RO | NUL, NULL, 0, 0, NULL,
	  N_("the plugin that owns the task, or null") },
	{ "created_at", FIELD_TIME, RO, NULL, 0, 0, NULL,
	  N_("when the task was added") },
	{ "updated_at", FIELD_TIME, RO, NULL, 0, 0, NULL,
	  N_("when the task last changed") },
	{ "env", FIELD_STRINGS, 0, NULL, 0, 0, NULL,
	  N_("NAME=VALUE strings added to the run's environment") },
	{ "env_file", FIELD_STRING, NUL, "--env-file", 0, 0, NULL,
	  N_("a file of NAME=VALUE lines read at each run") },
	{ "workdir", FIELD_STRING, NUL, "--workdir", 0, 0, NULL,
	  N_("the folder the run starts in") },
	{ "user", FIELD_STRING, NUL, "--user", 0, 0, NULL,
	  N_("the user the run becomes (the engine must be root)") },
	{ "group", FIELD_STRING, NUL, "--group", 0, 0, NULL,
	  N_("the group the run becomes") },
	{ "umask", FIELD_STRING, NUL, "--umask", 0, 0, NULL,
	  N_("the run's umask, in octal (\"027\")") },
	{ "nice", FIELD_INTEGER, 0, "--nice", -20, 19, NULL,
	  N_("the run's nice value") },
	{ "sandbox", FIELD_STRING, NUL, "--sandbox", 0, 0, sandbox_values,
	  N_("exec: tasks: strict confines the run (read-only system, writes "
	  "only to workdir and write); null: manager.task_sandbox") },
	{ "network", FIELD_BOOLEAN, 0, "--network", 0, 0, NULL,
	  N_("a strict sandbox keeps the network") },
	{ "private_tmp", FIELD_BOOLEAN, 0, "--private-tmp", 0, 0, NULL,
	  N_("the run gets a /tmp of its own") },
	{ "read_only", FIELD_STRINGS, 0, "--read-only", 0, 0, NULL,
	  N_("paths a strict sandbox may read; [] empties the list") },
	{ "write", FIELD_STRINGS, 0, "--write", 0, 0, NULL,
	  N_("paths a strict sandbox may write; [] empties the list") },
	{ "ioprio", FIELD_STRING, NUL, "--ioprio", 0, 0, NULL,
	  N_("the run's I/O class: realtime|best-effort|idle[:LEVEL]") },
	{ "limit_cpu", FIELD_INTEGER, 0, "--limit-cpu", 0, FIELD_NO_MAX, NULL,
	  N_("CPU seconds a run may use; 0: no limit") },
	{ "limit_memory", FIELD_INTEGER, 0, "--limit-memory", 0, FIELD_NO_MAX,
	  NULL, N_("megabytes of memory a run may use; 0: no limit") },
	{ "limit_nofile", FIELD_INTEGER, 0, "--limit-nofile", 0, FIELD_NO_MAX,
	  NULL, N_("files a run may open; 0: no limit") },
	{ "on_failure", FIELD_STRING, NUL, "--on-failure", 0, 0, NULL,
	  N_("what is done once a fire time failed: exec:..., mail:..., "
	  "webhook:... or none; null: the configured default") },
	{ "on_success", FIELD_STRING, NUL, "--on-success", 0, 0, NULL,
	  N_("what is done once a fire time succeeded") },
	{ "on_recovery", FIELD_STRING, NUL, "--on-recovery", 0, 0, NULL,
	  N_("what is done at the first success after a failure") },
	{ "on_missed", FIELD_STRING, NUL, "--on-missed", 0, 0, NULL,
	  N_("what is done when a fire time is missed, skipped or "
	  "interrupted") },
	{ "on_output", FIELD_STRING, NUL, "--on-output", 0, 0, NULL,
	  N_("what is done when a run printed something (cron's MAILTO)") },
	{ "after", FIELD_STRINGS, 0, "--after", 0, 0, NULL,
	  N_("tasks that must all have succeeded since this task's last run; "
	  "[] clears them") },
	{ "after_any", FIELD_STRINGS, 0, "--after-any", 0, 0, NULL,
	  N_("tasks of which one must have succeeded since this task's last "
	  "run; [] clears them") },
	{ "concurrency_group", FIELD_STRING, NUL, "--concurrency-group", 0, 0,
	  NULL, N_("the group whose limit the task's runs count against") },
};

const struct field_def *
task_fields(size_t *n)
{
	*n = sizeof fields / sizeof fields[0];
	return fields;
}

const struct field_def *
field_find(const struct field_def *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}
