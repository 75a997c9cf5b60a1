/* model.h - what the console shows, read from the database in a few
 * queries (one per pane, never one per row), reloaded only when the
 * database changed (PRAGMA data_version plus table signatures). */
#ifndef MGR_UI_MODEL_H
#define MGR_UI_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

struct mgr_db;
struct ui_arena;
struct mgr_error;

/* A task row as the tasks pane needs it (not the whole record). */
struct ui_task {
	char *id;
	char *name;
	char *status;
	char *plugin_id;
	int enabled;
	int max_retries;
	int64_t next_run;
	int64_t last_run;
	int64_t updated_at;
};

/* One line of the live log: a run or an event. */
struct ui_log {
	int64_t at;		/* start of the run, or time of the event */
	int64_t id;
	int is_run;
	char *subject;		/* task id, or the event's subject */
	char *what;		/* run status, or event kind */
	char *text;		/* "(exit 1) attempt 2 \"error\"" or message */
	char key[24];		/* "r42" or "e17": identity across reloads */
	int open;		/* a run not ended yet: read again each tick */
};

struct ui_host {
	int present;		/* a process holds the host lock */
	int pid;
	char *kind;
	int64_t started_at;
	int db_down;		/* said: the database is out of reach */
	/* Since when this console's own host cannot reach the database
	 * (mgr_now_us; 0: it can, or the console hosts nothing): its row
	 * in the hosts pane says so. */
	int64_t db_down_since;
};

/* The columns the tasks can be sorted by (the tasks pane's columns). */
enum ui_task_sort {
	UI_TSORT_NEXT, UI_TSORT_LEFT, UI_TSORT_LAST, UI_TSORT_STATUS,
	UI_TSORT_TASK, UI_TSORT_COUNT
};

struct ui_model {
	struct plugin_rec *plugins;
	size_t nplugins;
	struct ui_task *tasks;	/* in load order; see order */
	size_t *order;		/* tasks by sort_col, ties by id */
	int sort_col;		/* UI_TSORT_*: NEXT by default */
	int sort_rev;		/* descending */
	struct ui_arena *task_strings;	/* their strings */
	size_t task_waste;	/* bytes of replaced strings in the arena */
	size_t *task_slots;	/* id hash: index + 1, 0 empty */
	size_t ntask_slots;
	size_t ntasks;
	struct ui_log *log;	/* newest first */
	size_t nlog;
	int64_t log_run_max;	/* the newest run and event read: a tick */
	int64_t log_event_max;	/* reads only what came after them */
	int64_t log_full_at;	/* when the log was last read whole (mono) */
	int64_t log_ntasks;	/* the tasks then: one removed takes its runs */
	int runs_per_min;
	int running;		/* runs without an end */
	int64_t data_version;
	int64_t task_sig[3];	/* count, max and sum of updated_at */
	int64_t plugin_sig[3];
	int loaded;
};

#define UI_LOG_MAX 300

/* Reloads what changed since the last call (everything the first time).
 * *changed is set when anything shown may differ.  force reloads all. */
int model_refresh(struct ui_model *m, struct mgr_db *db, int force,
		  int *changed, struct mgr_error *err);
void model_free(struct ui_model *m);

/* The i-th task in display order (by sort_col). */
static inline const struct ui_task *
model_task_at(const struct ui_model *m, size_t i)
{
	return &m->tasks[m->order[i]];
}
const struct ui_task *model_task(const struct ui_model *m, const char *id);
/* model_tasks.c: re-reads the tasks if the table changed: only the rows
 * updated since the last load when that accounts for the whole change,
 * all of them otherwise (or with force). */
int model_tasks_refresh(struct ui_model *m, struct mgr_db *db, int force,
			struct mgr_error *err);
void model_tasks_free(struct ui_model *m);
/* Sorts the display order again after sort_col or sort_rev changed. */
void model_tasks_sort(struct ui_model *m);
/* A paused task says so whatever its last status was. */
const char *model_task_status(const struct ui_task *t);
const struct plugin_rec *model_plugin(const struct ui_model *m,
				      const char *id);

#endif
