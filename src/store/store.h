/* store.h - rows of the database and their CRUD (the seed's models and
 * PluginCRUD/TaskCRUD).  Times are Unix microseconds, 0 for "none". */
#ifndef MGR_STORE_H
#define MGR_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"

/* The seed's Plugin model, plus state and error. */
struct plugin_rec {
	char *id;
	char *name;
	char *version;
	char *description;
	char *author;
	int enabled;
	int64_t installed_at;
	char *path;		/* installed folder */
	char *manifest;		/* JSON object */
	char *dependencies;	/* JSON array of "id OP version" */
	char *state;		/* "enabled", "disabled", "faulted" */
	char *error;		/* why it is faulted or failed to enable */
	int64_t updated_at;
};

void plugin_rec_clear(struct plugin_rec *p);
void plugin_recs_free(struct plugin_rec *v, size_t n);
int plugin_store_create(struct mgr_db *db, const struct plugin_rec *p,
			struct mgr_error *err);
int plugin_store_read(struct mgr_db *db, const char *id, struct plugin_rec *out,
		      struct mgr_error *err);
int plugin_store_update(struct mgr_db *db, const struct plugin_rec *p,
			struct mgr_error *err);
int plugin_store_set_state(struct mgr_db *db, const char *id, const char *state,
			   const char *error, struct mgr_error *err);
int plugin_store_delete(struct mgr_db *db, const char *id, struct mgr_error *err);
int plugin_store_list(struct mgr_db *db, struct plugin_rec **out, size_t *n,
		      struct mgr_error *err);
/* Per-plugin key/value state (the host table's state_get/state_set). */
int plugin_state_get(struct mgr_db *db, const char *plugin, const char *key,
		     char **value, struct mgr_error *err);
int plugin_state_set(struct mgr_db *db, const char *plugin, const char *key,
		     const char *value, struct mgr_error *err);

/* What follows a run that an engine crash interrupted. */
enum task_on_interrupt {
	TASK_INTERRUPT_ABANDON,	/* recorded, nothing more (the default) */
	TASK_INTERRUPT_RERUN	/* one new attempt of the same fire time */
};

/* The seed's Task model, plus APScheduler's job options. */
struct task_rec {
	char *id;
	char *name;
	char *func_path;	/* "PLUGIN:FUNCTION" or "exec:COMMAND ARG..." */
	char *trigger;		/* "interval", "cron", "date", "calendar" */
	char *trigger_args;	/* JSON object of FIELD: VALUE strings */
	int enabled;
	int max_retries;
	int timeout;		/* seconds, 0 = none */
	int64_t last_run;
	int64_t next_run;
	char *status;
	char *plugin_id;	/* owning plugin, or NULL */
	int misfire_grace_time;	/* seconds, 0 no limit, or: */
#define TASK_GRACE_DEFAULT (-1)	/* the configured misfire_grace_time */
	int coalesce;
	int max_instances;
	char *source;		/* "cli", "plugin:ID", "file:PATH" */
	int64_t created_at;
	int64_t updated_at;
	int64_t next_nominal;	/* next_run before its jitter, 0 if unknown */
	enum task_on_interrupt on_interrupt;
};

const char *task_on_interrupt_name(enum task_on_interrupt v);
/* The value of "abandon" or "rerun", or -1. */
int task_on_interrupt_parse(const char *s);
void task_rec_init(struct task_rec *t);	/* defaults of a new task */
void task_rec_clear(struct task_rec *t);
void task_recs_free(struct task_rec *v, size_t n);
int task_store_create(struct mgr_db *db, const struct task_rec *t,
		      struct mgr_error *err);
/* The same with the task's context (the JSON of task_context_store_set,
 * NULL: none) in the same row write: a bulk add of tasks that share a
 * context writes each row once, not twice. */
int task_store_create_with_context(struct mgr_db *db, const struct task_rec *t,
				   const char *context, struct mgr_error *err);
int task_store_read(struct mgr_db *db, const char *id, struct task_rec *out,
		    struct mgr_error *err);
int task_store_update(struct mgr_db *db, const struct task_rec *t,
		      struct mgr_error *err);
/* The scheduler's hot path: status and times only. */
int task_store_set_status(struct mgr_db *db, const char *id, const char *status,
			  int64_t last_run, int64_t next_run, int64_t next_nominal,
			  struct mgr_error *err);
int task_store_delete(struct mgr_db *db, const char *id, struct mgr_error *err);
/* fn(arg, id) before every task_store_create, _update and _delete made
 * through db (not _set_status): the scheduler learns that a row it may
 * have a pending write of is being written by someone else
 * (sched_writer.c).  fn NULL: nobody is told. */
void db_on_task_write(struct mgr_db *db, void (*fn)(void *arg, const char *id),
		      void *arg);
int task_store_list(struct mgr_db *db, struct task_rec **out, size_t *n,
		    struct mgr_error *err);
/* Every task row, in no particular order, to fn one at a time with the
 * number of rows (the same at each call: the caller sizes its tables
 * once).  The row and its strings are the store's, valid during fn only.
 * The scheduler's start reads every row so: copying each row's strings
 * first, in the id index's order, was a fifth of it (issue 18). */
typedef void (*task_row_fn)(void *arg, const struct task_rec *row,
			    size_t nrows);
int task_store_each(struct mgr_db *db, task_row_fn fn, void *arg,
		    struct mgr_error *err);
/* The same rows, in no order (the caller sorts), with only what `task
 * list` shows: id, name, status, next_run and last_run (the other fields
 * zero).  Reading every column in the id index's order was a third of
 * listing 10,000 tasks. */
int task_store_list_brief(struct mgr_db *db, struct task_rec **out,
			  size_t *n, struct mgr_error *err);
int task_store_list_by_plugin(struct mgr_db *db, const char *plugin_id,
			      struct task_rec **out, size_t *n,
			      struct mgr_error *err);

/* One attempt of a task. */
struct run_rec {
	int64_t id;
	char *task_id;
	int attempt;
	int64_t scheduled_at;
	int64_t started_at;
	int64_t ended_at;
	char *status;
	int exit_code;		/* -1 when none */
	int signal;		/* 0 when none */
	char *output;		/* bounded excerpt of stdout and stderr */
	char *error;
	int running_row;	/* a `running` row of this attempt was written */
	/* Resource usage from wait4 (task_context_store.h); 0: not measured. */
	int64_t user_us, sys_us;	/* CPU time, µs */
	int64_t max_rss_kb;		/* peak resident memory */
	/* The run's full log when the history keeps it (runlog_store.h):
	 * its records, log_len bytes; NULL: a file, or none. */
	char *log;
	size_t log_len;
};

void run_rec_clear(struct run_rec *r);
void run_recs_free(struct run_rec *v, size_t n);
/* Inserts a run; sets r->id. */
int run_store_insert(struct mgr_db *db, struct run_rec *r, struct mgr_error *err);
/* Writes the end of a run (ended_at, status, exit_code, signal, output, error). */
int run_store_finish(struct mgr_db *db, const struct run_rec *r,
		     struct mgr_error *err);
/* Records n runs in as few statements as it can (the history writer's
 * batches): a chunk that fails, and the end of a run whose `running` row
 * is written, go row by row, so one bad row (a task removed meanwhile)
 * loses only itself; warn(arg, message) is told of each. */
void run_store_record(struct mgr_db *db, struct run_rec *v, size_t n,
		      void (*warn)(void *arg, const char *msg), void *arg);
/* The end of an attempt whose `running` row was written: that row
 * (task, scheduled_at, attempt) becomes r; inserted if it is gone. */
int run_store_end_running(struct mgr_db *db, struct run_rec *r,
			  struct mgr_error *err);
/* *yes = 1 when a run of task_id at scheduled_at is recorded. */
int run_store_fire_recorded(struct mgr_db *db, const char *task_id,
			    int64_t scheduled_at, int *yes, struct mgr_error *err);
/* At engine start, in one statement: fn(arg, task_id, scheduled_at) for
 * at least every run whose fire time is at or after both from and its
 * task's stored next fire time (tasks.next_nominal), and maybe for
 * others (the caller filters), in no order; task_id is borrowed for the
 * call.  The scheduler passes such times over (sched_due.c,
 * sched_rows_read): a task's stored next fire time is written lazily. */
typedef void (*run_fire_fn)(void *arg, const char *task_id,
			    int64_t scheduled_at);
int run_store_fires_from(struct mgr_db *db, int64_t from, run_fire_fn fn,
			 void *arg, struct mgr_error *err);
/* At engine start: runs left `running` by an engine that died become
 * `interrupted` (ended_at = now, error = why); *out gets them. */
int run_store_interrupt_running(struct mgr_db *db, int64_t now,
				const char *why, struct run_rec **out,
				size_t *n, struct mgr_error *err);
/* Fire times an engine claimed and queued (behind max_instances) but
 * never started, by task and time: the next engine starts them. */
int run_store_claimed(struct mgr_db *db, struct run_rec **out, size_t *n,
		      struct mgr_error *err);
/* Newest first; task_id NULL for all tasks; after_id > 0 only newer rows. */
int run_store_list(struct mgr_db *db, const char *task_id, int64_t after_id,
		   size_t limit, struct run_rec **out, size_t *n,
		   struct mgr_error *err);
/* Keeps the newest keep_per_task runs of each task and none older than
 * oldest_us; returns the number deleted in *pruned. */
int run_store_prune(struct mgr_db *db, int keep_per_task, int64_t oldest_us,
		    int64_t *pruned, struct mgr_error *err);

/* What happened, for the console and for audit. */
struct event_rec {
	int64_t id;
	int64_t at;
	char *kind;		/* "plugin.enabled", "task.paused", ... */
	char *subject;		/* plugin or task id */
	char *message;
};

void event_recs_free(struct event_rec *v, size_t n);
int event_store_add(struct mgr_db *db, const char *kind, const char *subject,
		    const char *message, struct mgr_error *err);
/* Newest first; subject NULL for all; after_id > 0 only newer rows. */
int event_store_list(struct mgr_db *db, const char *subject, int64_t after_id,
		     size_t limit, struct event_rec **out, size_t *n,
		     struct mgr_error *err);

/* The console's reads (console_store.c).  A signature (row count, newest
 * updated_at, sum of its low bits) moves whenever a row of the table is
 * added, removed or rewritten. */
enum store_table { STORE_TASKS, STORE_PLUGINS };
int store_table_signature(struct mgr_db *db, enum store_table table,
			  int64_t sig[3], struct mgr_error *err);

/* A tasks pane row; its strings live until the callback returns. */
struct store_task_row {
	const char *id, *name, *status, *plugin_id;
	int enabled, max_retries;
	int64_t next_run, last_run, updated_at;
};
typedef void (*store_task_row_fn)(void *arg, const struct store_task_row *row);
/* Every task (updated_after < 0), or those updated after the time. */
int store_console_tasks(struct mgr_db *db, int64_t updated_after,
			store_task_row_fn fn, void *arg, struct mgr_error *err);

/* A run as the log pane shows it; strings live until the callback
 * returns.  at: started, else scheduled; text: error, else output. */
struct store_run_line {
	int64_t id, at, started_at, ended_at;
	const char *task_id, *status, *text;
	int attempt, exit_code, signal;	/* exit_code -1: none */
};
typedef void (*store_run_line_fn)(void *arg, const struct store_run_line *l);
/* The newest runs first. */
int store_console_runs(struct mgr_db *db, size_t limit, store_run_line_fn fn,
		       void *arg, struct mgr_error *err);
/* Runs started in the last minute; runs going on (started within a day). */
int store_console_counts(struct mgr_db *db, int64_t now, int *runs_per_min,
			 int *running, struct mgr_error *err);

#endif
