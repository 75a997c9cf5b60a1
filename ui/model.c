/* model.c - the console's read-only queries.  Each pane is one query; the
 * tasks query is skipped when the tasks table's signature (row count and
 * newest updated_at) did not move, so 100 runs a second do not re-read
 * 10,000 tasks unless the scheduler touched them.  The signature is the
 * row count, the newest updated_at and a sum of their low bits, so an
 * update that writes an older time is seen too. */
#include "i18n.h"
#include "model.h"
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

int
table_signature(struct mgr_db *db, const char *sql, int64_t sig[3],
		struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_error(db, err, _("cannot read the table signature"));
	}
	sig[0] = sqlite3_column_int64(st, 0);
	sig[1] = sqlite3_column_int64(st, 1);
	sig[2] = sqlite3_column_int64(st, 2);
	sqlite3_reset(st);
	return 0;
}

static char *
run_text(sqlite3_stmt *st)
{
	struct strbuf sb = STRBUF_INIT;
	int64_t started = sqlite3_column_int64(st, 1);
	int64_t ended = sqlite3_column_int64(st, 5);
	char dur[32], *line;

	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		strbuf_addf(&sb, _("(exit %d) "), sqlite3_column_int(st, 6));
	if (sqlite3_column_int(st, 7) != 0)
		strbuf_addf(&sb, _("(signal %d) "), sqlite3_column_int(st, 7));
	if (ended > 0 && started > 0) {
		fmt_duration(ended - started, dur, sizeof dur);
		strbuf_addf(&sb, _("in %s "), dur);
	}
	strbuf_addf(&sb, _("attempt %d"), sqlite3_column_int(st, 4));
	line = fmt_first_line((const char *)sqlite3_column_text(st, 8), 200);
	if (line[0] != '\0')
		strbuf_addf(&sb, " \"%s\"", line);
	free(line);
	return strbuf_detach(&sb);
}

static int
load_runs(struct mgr_db *db, struct ui_log **v, size_t *n, size_t *cap,
	  struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT id, COALESCE(started_at, scheduled_at, 0), "
	    "task_id, status, attempt, ended_at, exit_code, signal, "
	    "COALESCE(error, output) FROM runs ORDER BY id DESC LIMIT ?1",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_int(st, 1, UI_LOG_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ui_log *l;

		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*v = xrealloc(*v, *cap * sizeof **v);
		}
		l = &(*v)[(*n)++];
		l->id = sqlite3_column_int64(st, 0);
		l->at = sqlite3_column_int64(st, 1);
		l->is_run = 1;
		snprintf(l->key, sizeof l->key, "r%lld", (long long)l->id);
		l->subject = db_column_strdup(st, 2);
		l->what = db_column_strdup(st, 3);
		l->text = run_text(st);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err, _("cannot list runs"));
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

static int
load_log(struct ui_model *m, struct mgr_db *db, struct mgr_error *err)
{
	struct ui_log *v = NULL;
	struct event_rec *ev = NULL;
	size_t n = 0, cap = 0, nev = 0;
	int rc;

	if ((rc = load_runs(db, &v, &n, &cap, err)) != 0 ||
	    (rc = event_store_list(db, NULL, 0, UI_LOG_MAX, &ev, &nev, err)) != 0) {
		ui_log_free(v, n);
		return rc;
	}
	v = xrealloc(v, (n + nev + 1) * sizeof *v);
	for (size_t i = 0; i < nev; i++, n++) {
		v[n].at = ev[i].at;
		v[n].id = ev[i].id;
		v[n].is_run = 0;
		snprintf(v[n].key, sizeof v[n].key, "e%lld", (long long)v[n].id);
		v[n].subject = ev[i].subject;
		v[n].what = ev[i].kind;
		v[n].text = ev[i].message;
		ev[i].subject = ev[i].kind = ev[i].message = NULL;
	}
	event_recs_free(ev, nev);
	qsort(v, n, sizeof *v, log_cmp);
	while (n > UI_LOG_MAX) {
		n--;
		free(v[n].subject);
		free(v[n].what);
		free(v[n].text);
	}
	ui_log_free(m->log, m->nlog);
	m->log = v;
	m->nlog = n;
	return 0;
}

static int
load_counts(struct ui_model *m, struct mgr_db *db, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT (SELECT count(*) FROM runs "
	    "WHERE started_at >= ?1), (SELECT count(*) FROM runs "
	    "WHERE ended_at IS NULL AND started_at IS NOT NULL "
	    "AND started_at >= ?2)", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, mgr_now_us() - INT64_C(60000000));
	/* A run open for more than a day is a crashed host's leftover. */
	sqlite3_bind_int64(st, 2, mgr_now_us() - INT64_C(86400000000));
	if (sqlite3_step(st) == SQLITE_ROW) {
		m->runs_per_min = sqlite3_column_int(st, 0);
		m->running = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return 0;
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
	if ((rc = table_signature(db, "SELECT count(*), COALESCE(max(updated_at), 0), "
	    "COALESCE(sum(updated_at & 4294967295), 0) FROM plugins", sig, err)) != 0)
		return rc;
	if (force || memcmp(sig, m->plugin_sig, sizeof sig) != 0) {
		if ((rc = load_plugins(m, db, err)) != 0)
			return rc;
		memcpy(m->plugin_sig, sig, sizeof sig);
	}
	if ((rc = load_log(m, db, err)) != 0)
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
	if ((rc = db_exec(db, "BEGIN", err)) != 0)
		return rc;
	rc = refresh_tables(m, db, force || !m->loaded, err);
	db_exec(db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL);
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
