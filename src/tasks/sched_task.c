/* sched_task.c - a task's memory as the scheduler holds it (struct
 * stask, sched_int.h): one allocation with its id, func_path and
 * plugin_id, and a side (struct stask_side) only for the few tasks that
 * have run times waiting, a context of their own or a changed
 * func_path (issue 18: at most 400 bytes per idle task). */
#include "sched_int.h"
#include "trigger.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* func_path and plugin_id as created, after the id. */
static const char *
own_func(const struct stask *t)
{
	return t->id + strlen(t->id) + 1;
}

static const char *
own_plugin(const struct stask *t)
{
	const char *f = own_func(t);

	return t->has_plugin ? f + strlen(f) + 1 : NULL;
}

struct stask *
task_alloc(const struct task_rec *row)
{
	size_t lid = strlen(row->id) + 1, lfunc = strlen(row->func_path) + 1;
	size_t lplug = row->plugin_id != NULL ? strlen(row->plugin_id) + 1 : 0;
	struct stask *t = xcalloc(1, sizeof *t + lid + lfunc + lplug);

	memcpy(t->id, row->id, lid);
	memcpy(t->id + lid, row->func_path, lfunc);
	if (lplug > 0)
		memcpy(t->id + lid + lfunc, row->plugin_id, lplug);
	t->has_plugin = lplug > 0;
	t->heap_pos = SCHED_NOT_IN_HEAP;
	return t;
}

static int
same_text(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The task's allocation cannot grow (the id table, the heap and the
 * attempts point to it): a row whose func_path or plugin_id differ from
 * those the task was created with has them on the side, rare. */
void
task_take_text(struct stask *t, const struct task_rec *row)
{
	size_t lfunc = strlen(row->func_path) + 1;
	size_t lplug = row->plugin_id != NULL ? strlen(row->plugin_id) + 1 : 0;
	struct stask_side *sd;

	if (t->side != NULL) {
		free(t->side->text);
		t->side->text = NULL;
	}
	if (strcmp(own_func(t), row->func_path) == 0 &&
	    same_text(own_plugin(t), row->plugin_id)) {
		task_side_release(t);
		return;
	}
	sd = task_side(t);
	sd->text = xmalloc(lfunc + lplug);
	memcpy(sd->text, row->func_path, lfunc);
	if (lplug > 0)
		memcpy(sd->text + lfunc, row->plugin_id, lplug);
	sd->has_plugin = lplug > 0;
}

const char *
task_func(const struct stask *t)
{
	if (t->side != NULL && t->side->text != NULL)
		return t->side->text;
	return own_func(t);
}

const char *
task_plugin(const struct stask *t)
{
	const struct stask_side *sd = t->side;

	if (sd != NULL && sd->text != NULL)
		return sd->has_plugin ? sd->text + strlen(sd->text) + 1 : NULL;
	return own_plugin(t);
}

struct stask_side *
task_side(struct stask *t)
{
	if (t->side == NULL)
		t->side = xcalloc(1, sizeof *t->side);
	return t->side;
}

size_t
task_nbacklog(const struct stask *t)
{
	return t->side != NULL ? t->side->nbacklog : 0;
}

void
task_side_free(struct stask *t)
{
	struct stask_side *sd = t->side;

	if (sd == NULL)
		return;
	free(sd->backlog);
	free(sd->backlog_ids);
	free(sd->text);
	free(sd);	/* its context is task_context_forget's */
	t->side = NULL;
}

void
task_side_release(struct stask *t)
{
	const struct stask_side *sd = t->side;

	/* task_run_backlog holds it while it runs */
	if (sd != NULL && sd->nbacklog == 0 && !t->in_backlog &&
	    sd->ctx == NULL && sd->text == NULL)
		task_side_free(t);
}

/* Every status a task takes, as the engine's code names it: a task
 * keeps its index in a few bits instead of two pointers (issue 18's
 * bytes per task).  The most frequent first: a fire sets "running",
 * its end "succeeded". */
static const char *const task_statuses[] = { NULL, "running",
    "succeeded", "failed", "timed_out", "crashed", "interrupted",
    "skipped", "missed", "finished", "retrying", "queued", "stopped",
    "scheduled", "paused", "disabled", "claimed" };

#define NSTATUSES (sizeof task_statuses / sizeof task_statuses[0])
_Static_assert(NSTATUSES <= 32, "struct stask's status codes are 5 bits");
_Static_assert(TASK_ST_RETRYING == 10 && TASK_ST_QUEUED == 11,
    "task_statuses[] and sched_int.h agree");

/* The literals of other files are usually the same pointers (the linker
 * merges equal strings): compared as pointers first, then as text.  A
 * status outside the list is a bug: said as "failed" rather than lost. */
unsigned
task_status_code(const char *status)
{
	unsigned i;

	if (status == NULL)
		return 0;
	for (i = 1; i < NSTATUSES; i++)
		if (task_statuses[i] == status)
			return i;
	for (i = 1; i < NSTATUSES; i++)
		if (strcmp(task_statuses[i], status) == 0)
			return i;
	return task_status_code("failed");
}

const char *
task_status_text(unsigned code)
{
	return code < NSTATUSES ? task_statuses[code] : NULL;
}

const char *
task_last_status(const struct stask *t)
{
	return task_statuses[t->last];
}

void
task_set_last_status(struct stask *t, const char *status)
{
	t->last = task_status_code(status);
}

void
task_free(struct stask *t)
{
	task_context_forget(t);
	trigger_free(t->trig);
	task_side_free(t);
	free(t);
}
