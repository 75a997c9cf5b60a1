/* model.c - the console's read-only queries.  Each pane is one query; the
 * tasks query is skipped when the tasks table's signature (row count and
 * newest updated_at) did not move, so 100 runs a second do not re-read
 * 10,000 tasks unless the scheduler touched them.  The signature is the
 * row count, the newest updated_at and a sum of their low bits, so an
 * update that writes an older time is seen too. */
#include "i18n.h"
#include "model.h"
#include "console_tick_store.h"
#include "format.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
ui_log_free(struct ui_log *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].subject);
		free(v[i].what);
		free(v[i].text);
	}
	free(v);
}

void
model_free(struct ui_model *m)
{
	plugin_recs_free(m->plugins, m->nplugins);
	model_tasks_free(m);
	ui_log_free(m->log, m->nlog);
	memset(m, 0, sizeof *m);
}

/* The text of a run's line in the log pane. */
static char *
run_text(const struct store_run_line *r)
{
	struct strbuf sb = STRBUF_INIT;
	char dur[32], *line;

	if (r->exit_code >= 0)
		strbuf_addf(&sb, _("(exit %d) "), r->exit_code);
	if (r->signal != 0)
		strbuf_addf(&sb, _("(signal %d) "), r->signal);
	if (r->ended_at > 0 && r->at > 0) {
		fmt_duration(r->ended_at - r->at, dur, sizeof dur);
		strbuf_addf(&sb, _("in %s "), dur);
	}
	strbuf_addf(&sb, _("attempt %d"), r->attempt);
	line = fmt_first_line(r->text, 200);
	if (line[0] != '\0')
		strbuf_addf(&sb, " \"%s\"", line);
	free(line);
	return strbuf_detach(&sb);
}

struct log_lines {
	struct ui_log *v;
	size_t n, cap;
};

static void
add_run_line(void *arg, const struct store_run_line *r)
{
	struct log_lines *ll = arg;
	struct ui_log *l;

	if (ll->n == ll->cap) {
		ll->cap = ll->cap ? ll->cap * 2 : 64;
		ll->v = xrealloc(ll->v, ll->cap * sizeof *ll->v);
	}
	l = &ll->v[ll->n++];
	l->id = r->id;
	l->at = r->at;
	l->is_run = 1;
	snprintf(l->key, sizeof l->key, "r%lld", (long long)l->id);
	l->subject = r->task_id != NULL ? xstrdup(r->task_id) : NULL;
	l->what = r->status != NULL ? xstrdup(r->status) : NULL;
	l->text = run_text(r);
	l->open = r->ended_at == 0;
}

static int
log_cmp(const void *a, const void *b)
{
	const struct ui_log *x = a, *y = b;

	if (x->at != y->at)
		return x->at > y->at ? -1 : 1;
	if (x->is_run != y->is_run)
		return x->is_run ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static void
log_line_clear(struct ui_log *l)
{
	free(l->subject);
	free(l->what);
	free(l->text);
}

/* Events after (newest first) join v at n; they take the events'
 * strings. */
static struct ui_log *
add_events(struct ui_log *v, size_t *n, struct event_rec *ev, size_t nev)
{
	v = xrealloc(v, (*n + nev + 1) * sizeof *v);
	for (size_t i = 0; i < nev; i++, (*n)++) {
		v[*n].at = ev[i].at;
		v[*n].id = ev[i].id;
		v[*n].is_run = 0;
		v[*n].open = 0;
		snprintf(v[*n].key, sizeof v[*n].key, "e%lld", (long long)v[*n].id);
		v[*n].subject = ev[i].subject;
		v[*n].what = ev[i].kind;
		v[*n].text = ev[i].message;
		ev[i].subject = ev[i].kind = ev[i].message = NULL;
	}
	return v;
}

/* In time order, newest first, the oldest beyond UI_LOG_MAX dropped. */
static void
log_settle(struct ui_model *m, struct ui_log *v, size_t n)
{
	/* Before the cut: a row read and dropped is not read again. */
	for (size_t i = 0; i < n; i++) {
		if (v[i].is_run && v[i].id > m->log_run_max)
			m->log_run_max = v[i].id;
		if (!v[i].is_run && v[i].id > m->log_event_max)
			m->log_event_max = v[i].id;
	}
	sort_array(v, n, sizeof *v, log_cmp);
	while (n > UI_LOG_MAX)
		log_line_clear(&v[--n]);
	m->log = v;
	m->nlog = n;
}

/* Reads the runs the pane showed going on again; *whole when one is
 * gone (the log is then read whole). */
static int
log_reread_open(struct ui_model *m, struct mgr_db *db, int *whole,
		struct mgr_error *err)
{
	for (size_t i = 0; i < m->nlog && !*whole; i++) {
		struct log_lines one = { NULL, 0, 0 };
		int found, rc;

		if (!m->log[i].is_run || !m->log[i].open)
			continue;
		rc = store_console_run_again(db, m->log[i].id, add_run_line, &one,
		    &found, err);
		if (rc == 0 && found) {
			log_line_clear(&m->log[i]);
			m->log[i] = one.v[0];
			free(one.v);	/* the array; its line is the log's now */
		} else
			ui_log_free(one.v, one.n);
		if (rc != 0)
			return rc;
		*whole = !found;
	}
	return 0;
}

/* A tick's log: the runs and events after the newest held, and the runs
 * held going on; *whole when that cannot tell the whole change (more
 * than a page arrived, a run is gone). */
static int
load_log_delta(struct ui_model *m, struct mgr_db *db, int *whole,
	       struct mgr_error *err)
{
	struct log_lines ll = { NULL, 0, 0 };
	struct event_rec *ev = NULL;
	size_t n, nev = 0;
	int rc;

	*whole = 0;
	if ((rc = log_reread_open(m, db, whole, err)) != 0 || *whole)
		return rc;
	if ((rc = store_console_runs_after(db, m->log_run_max, UI_LOG_MAX,
	    add_run_line, &ll, &n, err)) != 0 ||
	    (rc = event_store_list(db, NULL, m->log_event_max, UI_LOG_MAX, &ev,
	    &nev, err)) != 0 || n == UI_LOG_MAX || nev == UI_LOG_MAX) {
		*whole = rc == 0;
		ui_log_free(ll.v, ll.n);
		event_recs_free(ev, nev);
		return rc;
	}
	if (ll.n + nev > 0) {
		struct ui_log *v = xrealloc(m->log, (m->nlog + ll.n + 1) *
		    sizeof *v);

		n = m->nlog;
		if (ll.n > 0)	/* ll.v is NULL then: memcpy must not see it */
			memcpy(v + n, ll.v, ll.n * sizeof *v);
		n += ll.n;
		v = add_events(v, &n, ev, nev);
		log_settle(m, v, n);
	}
	free(ll.v);
	event_recs_free(ev, nev);
	return 0;
}

/* The log read whole: at start, on a forced reload, after tasks were
 * added or removed, when a tick could not tell, and every
 * LOG_WHOLE_EVERY (runs pruned by retention). */
#define LOG_WHOLE_EVERY INT64_C(10000000)

static int load_log_whole(struct ui_model *m, struct mgr_db *db,
			  struct mgr_error *err);

static int
load_log(struct ui_model *m, struct mgr_db *db, int force, struct mgr_error *err)
{
	int whole = force || !m->loaded || m->log_ntasks != (int64_t)m->ntasks ||
	    mgr_mono_us() - m->log_full_at >= LOG_WHOLE_EVERY;
	int rc;

	if (!whole && ((rc = load_log_delta(m, db, &whole, err)) != 0 || !whole))
		return rc;
	m->log_full_at = mgr_mono_us();
	m->log_ntasks = (int64_t)m->ntasks;
	return load_log_whole(m, db, err);
}

static int
load_log_whole(struct ui_model *m, struct mgr_db *db, struct mgr_error *err)
{
	struct log_lines ll = { NULL, 0, 0 };
	struct ui_log *v;
	struct event_rec *ev = NULL;
	size_t n, nev = 0;
	int rc;

	if ((rc = store_console_runs(db, UI_LOG_MAX, add_run_line, &ll, err)) != 0 ||
	    (rc = event_store_list(db, NULL, 0, UI_LOG_MAX, &ev, &nev, err)) != 0) {
		ui_log_free(ll.v, ll.n);
		return rc;
	}
	v = ll.v;
	n = ll.n;
	v = add_events(v, &n, ev, nev);
	event_recs_free(ev, nev);
	ui_log_free(m->log, m->nlog);
	m->log = NULL;
	m->nlog = 0;
	m->log_run_max = m->log_event_max = 0;
	log_settle(m, v, n);
	return 0;
}

static int
load_counts(struct ui_model *m, struct mgr_db *db, struct mgr_error *err)
{
	return store_console_counts(db, mgr_now_us(), &m->runs_per_min,
	    &m->running, err);
}

static int
load_plugins(struct ui_model *m, struct mgr_db *db, struct mgr_error *err)
{
	struct plugin_rec *v;
	size_t n;
	int rc;

	if ((rc = plugin_store_list(db, &v, &n, err)) != 0)
		return rc;
	plugin_recs_free(m->plugins, m->nplugins);
	m->plugins = v;
	m->nplugins = n;
	return 0;
}

/* The tables that change on their own (tasks, plugins) are re-read only
 * when their signature moves; the log and counts are small. */
static int
refresh_tables(struct ui_model *m, struct mgr_db *db, int force,
	       struct mgr_error *err)
{
	int64_t sig[3];
	int rc;

	if ((rc = model_tasks_refresh(m, db, force, err)) != 0)
		return rc;
	if ((rc = store_table_signature(db, STORE_PLUGINS, sig, err)) != 0)
		return rc;
	if (force || memcmp(sig, m->plugin_sig, sizeof sig) != 0) {
		if ((rc = load_plugins(m, db, err)) != 0)
			return rc;
		memcpy(m->plugin_sig, sig, sizeof sig);
	}
	if ((rc = load_log(m, db, force, err)) != 0)
		return rc;
	return load_counts(m, db, err);
}

int
model_refresh(struct ui_model *m, struct mgr_db *db, int force, int *changed,
	      struct mgr_error *err)
{
	int64_t version = db_data_version(db);
	int rc;

	*changed = 0;
	if (!force && m->loaded && version == m->data_version)
		return 0;
	/* One read transaction: the signature and the rows it vouches for
	 * must come from the same snapshot while others write. */
	if ((rc = db_read_begin(db, err)) != 0)
		return rc;
	rc = refresh_tables(m, db, force || !m->loaded, err);
	db_read_end(db);
	if (rc != 0)
		return rc;
	m->data_version = version;
	m->loaded = 1;
	*changed = 1;
	return 0;
}


const struct plugin_rec *
model_plugin(const struct ui_model *m, const char *id)
{
	for (size_t i = 0; i < m->nplugins; i++)
		if (strcmp(m->plugins[i].id, id) == 0)
			return &m->plugins[i];
	return NULL;
}
