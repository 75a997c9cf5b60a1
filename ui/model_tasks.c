/* model_tasks.c - the tasks pane's rows, kept up to date cheaply.
 *
 * With 10,000 tasks and a scheduler writing 100 runs a second, the tasks
 * table changes on every tick of the console, but only in a few rows.  A
 * full reload decodes every row; instead the rows with updated_at past
 * the last load are read (through the index on updated_at) and patched
 * in place through an id hash, and only they move in the display order.
 * The row count and the newest updated_at, both read without a scan,
 * check that the patch explains the change; if not (rows added or
 * removed), the tasks are read again in full.  When they did not move
 * but the database did, the whole signature (count, max and sum of
 * updated_at: a scan) tells whether an update wrote an older time. */
#include "i18n.h"
#include "model.h"
#include "console_tick_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Strings live in blocks freed together: a reload of 10,000 tasks is a
 * few allocations, not 40,000 mallocs and frees. */
struct ui_arena {
	struct ui_arena *next;
	size_t used, size;
	char data[];
};

#define ARENA_BLOCK 65536
/* Patched rows leave their old strings behind; past this, reload. */
#define ARENA_WASTE_MAX (1u << 20)

static char *
arena_strdup(struct ui_arena **a, const char *s)
{
	struct ui_arena *b = *a;
	size_t len, n;
	char *p;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	n = len + 1;
	if (b == NULL || b->used + n > b->size) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = xmalloc(sizeof *b + size);
		b->next = *a;
		b->used = 0;
		b->size = size;
		*a = b;
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += n;
	return p;
}

static void
arena_free(struct ui_arena *a)
{
	while (a != NULL) {
		struct ui_arena *next = a->next;

		free(a);
		a = next;
	}
}

static size_t
strlen0(const char *s)
{
	return s != NULL ? strlen(s) + 1 : 0;
}

/* Fills t from a store row, its strings in the arena. */
static void
task_from_row(struct ui_task *t, const struct store_task_row *r,
	      struct ui_arena **a)
{
	t->id = arena_strdup(a, r->id);
	t->name = arena_strdup(a, r->name);
	t->status = arena_strdup(a, r->status);
	t->plugin_id = arena_strdup(a, r->plugin_id);
	t->enabled = r->enabled;
	t->max_retries = r->max_retries;
	t->next_run = r->next_run;
	t->last_run = r->last_run;
	t->updated_at = r->updated_at;
}

static size_t
hash_id(const char *s)
{
	size_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
hash_build(struct ui_model *m)
{
	size_t n = 16;

	while (n < m->ntasks * 2)
		n *= 2;
	free(m->task_slots);
	m->task_slots = xcalloc(n, sizeof *m->task_slots);
	m->ntask_slots = n;
	for (size_t i = 0; i < m->ntasks; i++) {
		size_t h = hash_id(m->tasks[i].id) & (n - 1);

		while (m->task_slots[h] != 0)
			h = (h + 1) & (n - 1);
		m->task_slots[h] = i + 1;
	}
}

static struct ui_task *
hash_find(const struct ui_model *m, const char *id)
{
	size_t h;

	if (m->ntask_slots == 0)
		return NULL;
	for (h = hash_id(id) & (m->ntask_slots - 1); m->task_slots[h] != 0;
	    h = (h + 1) & (m->ntask_slots - 1))
		if (strcmp(m->tasks[m->task_slots[h] - 1].id, id) == 0)
			return &m->tasks[m->task_slots[h] - 1];
	return NULL;
}

const struct ui_task *
model_task(const struct ui_model *m, const char *id)
{
	return hash_find(m, id);
}

const char *
model_task_status(const struct ui_task *t)
{
	if (!t->enabled)
		return "paused";
	return t->status != NULL ? t->status : "";
}

/* A time column: a time first, none ("-") last in both directions. */
static int
time_cmp(int64_t x, int64_t y, int rev)
{
	if ((x == 0) != (y == 0))
		return x == 0 ? 2 : -2;	/* not reversed: see order_cmp */
	if (x != y)
		return (x < y ? -1 : 1) * (rev ? -1 : 1);
	return 0;
}

/* By the chosen column, ties by id (ascending even when reversed), so
 * rows that compare equal never swap places between two ticks.  The sort
 * runs here, not in SQL: SQLite's sorter costs more than qsort. */
static int
order_cmp(const void *a, const void *b, void *arg)
{
	const struct ui_model *m = arg;
	const struct ui_task *x = &m->tasks[*(const size_t *)a];
	const struct ui_task *y = &m->tasks[*(const size_t *)b];
	int c = 0;

	switch (m->sort_col) {
	case UI_TSORT_NEXT:
	case UI_TSORT_LEFT:	/* what is left until NEXT */
		c = time_cmp(x->enabled ? x->next_run : 0,
		    y->enabled ? y->next_run : 0, m->sort_rev);
		break;
	case UI_TSORT_LAST:
		c = time_cmp(x->last_run, y->last_run, m->sort_rev);
		break;
	case UI_TSORT_STATUS:
		c = strcmp(model_task_status(x), model_task_status(y));
		c = m->sort_rev ? -c : c;
		break;
	default:
		break;
	}
	if (c != 0)
		return c;
	c = strcmp(x->id, y->id);
	return m->sort_col == UI_TSORT_TASK && m->sort_rev ? -c : c;
}

/* After the rows in changed (indexes into tasks, k of them) were
 * patched: the others keep their order, so they are taken out, sorted
 * on their own and put back by binary search: O(n + k log n) instead of
 * sorting 10,000 rows for the 25 a tick changes.  Ties go by id, so the
 * order is the one a full sort gives. */
static void
model_tasks_resort(struct ui_model *m, const size_t *changed, size_t k)
{
	size_t *moved = xmalloc((k + 1) * sizeof *moved);
	size_t *out = xmalloc((m->ntasks + 1) * sizeof *out);
	unsigned char *mark = xcalloc(m->ntasks + 1, 1);
	size_t nk = 0, kept = 0, at = 0, from = 0;

	for (size_t i = 0; i < k; i++)
		if (!mark[changed[i]]) {
			mark[changed[i]] = 1;
			moved[nk++] = changed[i];
		}
	for (size_t i = 0; i < m->ntasks; i++)
		if (!mark[m->order[i]])
			m->order[kept++] = m->order[i];
	qsort_r(moved, nk, sizeof *moved, order_cmp, m);
	for (size_t j = 0; j < nk; j++) {
		size_t lo = from, hi = kept;

		while (lo < hi) {	/* the first kept row after moved[j] */
			size_t mid = lo + (hi - lo) / 2;

			if (order_cmp(&m->order[mid], &moved[j], m) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memcpy(out + at, m->order + from, (lo - from) * sizeof *out);
		at += lo - from;
		from = lo;
		out[at++] = moved[j];
	}
	memcpy(out + at, m->order + from, (kept - from) * sizeof *out);
	free(m->order);
	m->order = out;
	free(moved);
	free(mark);
}

void
model_tasks_sort(struct ui_model *m)
{
	free(m->order);
	m->order = xmalloc((m->ntasks + 1) * sizeof *m->order);
	for (size_t i = 0; i < m->ntasks; i++)
		m->order[i] = i;
	qsort_r(m->order, m->ntasks, sizeof *m->order, order_cmp, m);
}

void
model_tasks_free(struct ui_model *m)
{
	free(m->tasks);
	free(m->order);
	free(m->task_slots);
	arena_free(m->task_strings);
	m->tasks = NULL;
	m->order = NULL;
	m->task_slots = NULL;
	m->task_strings = NULL;
	m->ntasks = m->ntask_slots = m->task_waste = 0;
}

struct task_rows {
	struct ui_task *v;
	size_t n, cap;
	struct ui_arena *strings;
};

static void
add_task_row(void *arg, const struct store_task_row *r)
{
	struct task_rows *tr = arg;

	if (tr->n == tr->cap) {
		tr->cap *= 2;
		tr->v = xrealloc(tr->v, tr->cap * sizeof *tr->v);
	}
	task_from_row(&tr->v[tr->n++], r, &tr->strings);
}

static int
load_all(struct ui_model *m, struct mgr_db *db, struct mgr_error *err)
{
	struct task_rows tr = { NULL, 0, m->ntasks + 16, NULL };
	int rc;

	tr.v = xmalloc(tr.cap * sizeof *tr.v);
	if ((rc = store_console_tasks(db, -1, add_task_row, &tr, err)) != 0) {
		free(tr.v);
		arena_free(tr.strings);
		return rc;
	}
	model_tasks_free(m);
	m->tasks = tr.v;
	m->ntasks = tr.n;
	m->task_strings = tr.strings;
	hash_build(m);
	model_tasks_sort(m);
	return 0;
}

struct task_patch {
	struct ui_model *m;
	int complete;
	size_t *changed;	/* indexes of the patched rows */
	size_t n, cap;
};

static void
patch_task_row(void *arg, const struct store_task_row *r)
{
	struct task_patch *p = arg;
	struct ui_task *t = hash_find(p->m, r->id);

	if (t == NULL) {
		p->complete = 0;
		return;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->changed = xrealloc(p->changed, p->cap * sizeof *p->changed);
	}
	p->changed[p->n++] = (size_t)(t - p->m->tasks);
	p->m->task_waste += strlen0(t->id) + strlen0(t->name) +
	    strlen0(t->status) + strlen0(t->plugin_id);
	task_from_row(t, r, &p->m->task_strings);
}

/* Patches the rows updated after the last load (p->changed lists
 * them); p->complete is cleared when a row is unknown (added since). */
static int
load_changed(struct ui_model *m, struct mgr_db *db, struct task_patch *p,
	     struct mgr_error *err)
{
	memset(p, 0, sizeof *p);
	p->m = m;
	p->complete = 1;
	return store_console_tasks(db, m->task_sig[1], patch_task_row, p, err);
}

/* The signature of the rows we hold, as store_table_signature computes it. */
static void
held_signature(const struct ui_model *m, int64_t sig[3])
{
	sig[0] = (int64_t)m->ntasks;
	sig[1] = sig[2] = 0;
	for (size_t i = 0; i < m->ntasks; i++) {
		if (m->tasks[i].updated_at > sig[1])
			sig[1] = m->tasks[i].updated_at;
		sig[2] += m->tasks[i].updated_at & INT64_C(4294967295);
	}
}

/* The tick's fast road: the row count and newest updated_at (no scan,
 * console_tick_store.h), then the rows updated since.  1 when that
 * explains the change, 0 when the tasks must be read again; when count
 * and newest did not move, the whole signature (a scan, with the sum
 * that sees an update writing an older time) decides. */
static int
refresh_changed(struct ui_model *m, struct mgr_db *db, int *done,
		struct mgr_error *err)
{
	struct task_patch p;
	int64_t count, newest, sig[3], held[3];
	int rc;

	*done = 0;
	if ((rc = store_console_task_stamp(db, &count, &newest, err)) != 0)
		return rc;
	if (count == m->task_sig[0] && newest == m->task_sig[1]) {
		if ((rc = store_table_signature(db, STORE_TASKS, sig, err)) != 0)
			return rc;
		*done = memcmp(sig, m->task_sig, sizeof sig) == 0;
		return 0;
	}
	if (count != m->task_sig[0] || m->task_waste >= ARENA_WASTE_MAX)
		return 0;
	if ((rc = load_changed(m, db, &p, err)) != 0) {
		free(p.changed);
		return rc;
	}
	held_signature(m, held);
	if (p.complete && held[0] == count && held[1] == newest) {
		memcpy(m->task_sig, held, sizeof held);
		model_tasks_resort(m, p.changed, p.n);
		*done = 1;
	}
	free(p.changed);
	return 0;
}

/* Called inside the caller's read transaction, so the counts and the
 * rows come from one snapshot. */
int
model_tasks_refresh(struct ui_model *m, struct mgr_db *db, int force,
		    struct mgr_error *err)
{
	int done, rc;

	if (!force && m->tasks != NULL) {
		if ((rc = refresh_changed(m, db, &done, err)) != 0)
			return rc;
		if (done)
			return 0;
	}
	if ((rc = load_all(m, db, err)) != 0)
		return rc;
	held_signature(m, m->task_sig);
	return 0;
}
