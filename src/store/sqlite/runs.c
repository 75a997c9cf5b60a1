/* run_store.c - the runs table (run history) and the events table. */
#include "i18n.h"
#include "sqlite_int.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define RUN_COLUMNS \
	"id, task_id, attempt, scheduled_at, started_at, ended_at, status, " \
	"exit_code, signal, output, error"

void
run_rec_clear(struct run_rec *r)
{
	free(r->task_id);
	free(r->status);
	free(r->output);
	free(r->error);
	free(r->log);
	memset(r, 0, sizeof *r);
}

void
run_recs_free(struct run_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_rec_clear(&v[i]);
	free(v);
}

static void
run_from_row(sqlite3_stmt *st, struct run_rec *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->task_id = db_column_strdup(st, 1);
	r->attempt = sqlite3_column_int(st, 2);
	r->scheduled_at = sqlite3_column_int64(st, 3);
	r->started_at = sqlite3_column_int64(st, 4);
	r->ended_at = sqlite3_column_int64(st, 5);
	r->status = db_column_strdup(st, 6);
	r->exit_code = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, 7);
	r->signal = sqlite3_column_int(st, 8);
	r->output = db_column_strdup(st, 9);
	r->error = db_column_strdup(st, 10);
}

static void
bind_opt_int64(sqlite3_stmt *st, int idx, int64_t v)
{
	if (v == 0)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, v);
}

/* The run's strings outlive the statement's step: no copy. */
static void
bind_static(sqlite3_stmt *st, int idx, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_text(st, idx, v, -1, SQLITE_STATIC);
}

/* Binds one run at parameter offset k, as run_store_insert binds it.
 * An id > 0 is the one the engine handed out (run_ids_store.h); 0 (NULL)
 * lets SQLite take the next. */
static void
bind_run(sqlite3_stmt *st, int k, const struct run_rec *r)
{
	bind_static(st, k + 1, r->task_id);
	sqlite3_bind_int(st, k + 2, r->attempt > 0 ? r->attempt : 1);
	bind_opt_int64(st, k + 3, r->scheduled_at);
	bind_opt_int64(st, k + 4, r->started_at);
	bind_opt_int64(st, k + 5, r->ended_at);
	bind_static(st, k + 6, r->status);
	if (r->exit_code >= 0)
		sqlite3_bind_int(st, k + 7, r->exit_code);
	bind_opt_int64(st, k + 8, r->signal);
	bind_static(st, k + 9, r->output);
	bind_static(st, k + 10, r->error);
	bind_opt_int64(st, k + 11, r->id);
}

int
sqlite_run_store_insert(struct mgr_db *db, struct run_rec *r, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO runs (task_id, attempt, "
	    "scheduled_at, started_at, ended_at, status, exit_code, signal, "
	    "output, error, id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)", &st,
	    err)) != 0)
		return rc;
	bind_run(st, 0, r);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, r->task_id);
	r->id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

int
sqlite_run_store_finish(struct mgr_db *db, const struct run_rec *r,
			struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE runs SET ended_at=?2, status=?3, "
	    "exit_code=?4, signal=?5, output=?6, error=?7 WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, r->id);
	bind_opt_int64(st, 2, r->ended_at);
	sqlite3_bind_text(st, 3, r->status, -1, SQLITE_STATIC);
	if (r->exit_code >= 0)
		sqlite3_bind_int(st, 4, r->exit_code);
	bind_opt_int64(st, 5, r->signal);
	db_bind_text_or_null(st, 6, r->output);
	db_bind_text_or_null(st, 7, r->error);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, r->task_id);
	return 0;
}

/* Runs per INSERT statement: one statement of many rows costs far less
 * per row than a statement per row (one VDBE start, one reset). */
#define RUNS_PER_INSERT 64
#define RUN_PARAMS 11
#define ROWS1 "(?,?,?,?,?,?,?,?,?,?,?)"
#define ROWS2 ROWS1 "," ROWS1
#define ROWS4 ROWS2 "," ROWS2
#define ROWS8 ROWS4 "," ROWS4
#define ROWS16 ROWS8 "," ROWS8
#define ROWS32 ROWS16 "," ROWS16
#define ROWS64 ROWS32 "," ROWS32

static const char insert_many_sql[] = "INSERT INTO runs (task_id, attempt, "
    "scheduled_at, started_at, ended_at, status, exit_code, signal, output, "
    "error, id) VALUES " ROWS64;

/* RUNS_PER_INSERT runs in one statement; 0 when all went in. */
static int
insert_many(struct mgr_db *db, const struct run_rec *v)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, insert_many_sql, &st, NULL) != 0)
		return -1;
	for (int i = 0; i < RUNS_PER_INSERT; i++)
		bind_run(st, i * RUN_PARAMS, &v[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
chunk_has_running_row(const struct run_rec *v)
{
	for (int i = 0; i < RUNS_PER_INSERT; i++)
		if (v[i].running_row)
			return 1;
	return 0;
}

/* How often the history writer settles runs, and how old (by fire
 * time) a run is before it is settled.  Each settle writes the leaves
 * of runs_settled once, whatever the number of commits since the last;
 * readers of a task's runs scan up to SETTLE_PERIOD_US + SETTLE_LAG_US
 * of every task's runs in the time-led key (doc/SCHEDULER.md, "History"). */
#define SETTLE_PERIOD_US INT64_C(10000000)
#define SETTLE_LAG_US INT64_C(2000000)

/* Lists the runs fired in [bound, upto) in runs_settled, in its key
 * order (one pass over its leaves), and raises the bound to upto. */
static int
settle_upto(struct mgr_db *db, int64_t upto, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO runs_settled SELECT task_id, id "
	    "FROM runs WHERE scheduled_at >= (SELECT bound FROM runs_settle) "
	    "AND scheduled_at < ?1 ORDER BY task_id, id", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, upto);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot settle the run history"));
	if ((rc = db_prepare(db, "UPDATE runs_settle SET bound = ?1", &st,
	    err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, upto);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err,
	    _("cannot settle the run history"));
}

/* Settles the runs older than SETTLE_LAG_US once the bound is
 * SETTLE_PERIOD_US behind; runs of the same transaction as the caller's
 * inserts, so a crash keeps both or neither. */
static int
settle_due(struct mgr_db *db, int64_t now, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int64_t bound;
	int rc;

	if ((rc = db_prepare(db, "SELECT bound FROM runs_settle", &st,
	    err)) != 0)
		return rc;
	rc = sqlite3_step(st);
	bound = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("cannot settle the run history"));
	if (now - SETTLE_LAG_US - bound < SETTLE_PERIOD_US)
		return 0;
	return settle_upto(db, now - SETTLE_LAG_US, err);
}

void
sqlite_run_store_record(struct mgr_db *db, struct run_rec *v, size_t n,
			void (*warn)(void *arg, const char *msg), void *arg)
{
	struct mgr_error err = { 0 };
	size_t i = 0, end;
	int rc;

	if (settle_due(db, mgr_now_us(), &err) != 0 && warn != NULL)
		warn(arg, err.msg);
	while (i < n) {
		end = i + RUNS_PER_INSERT;
		if (end <= n && !chunk_has_running_row(v + i) &&
		    insert_many(db, v + i) == 0) {
			i = end;
			continue;
		}
		for (end = end < n ? end : n; i < end; i++) {
			rc = v[i].running_row ? run_store_end_running(db, &v[i], &err) :
			    run_store_insert(db, &v[i], &err);
			if (rc != 0 && warn != NULL)
				warn(arg, err.msg);
		}
	}
}

int
sqlite_run_store_end_running(struct mgr_db *db, struct run_rec *r,
			     struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE runs SET started_at=?4, ended_at=?5, "
	    "status=?6, exit_code=?7, signal=?8, output=?9, error=?10 "
	    "WHERE task_id=?1 AND attempt=?2 AND scheduled_at=?3", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, r->task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, r->attempt > 0 ? r->attempt : 1);
	bind_opt_int64(st, 3, r->scheduled_at);
	bind_opt_int64(st, 4, r->started_at);
	bind_opt_int64(st, 5, r->ended_at);
	sqlite3_bind_text(st, 6, r->status, -1, SQLITE_STATIC);
	if (r->exit_code >= 0)
		sqlite3_bind_int(st, 7, r->exit_code);
	bind_opt_int64(st, 8, r->signal);
	db_bind_text_or_null(st, 9, r->output);
	db_bind_text_or_null(st, 10, r->error);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, r->task_id);
	if (sqlite3_changes(db_handle(db)) > 0)
		return 0;
	return run_store_insert(db, r, err);	/* pruned meanwhile */
}

int
sqlite_run_store_fire_recorded(struct mgr_db *db, const char *task_id,
			int64_t scheduled_at, int *yes, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT 1 FROM runs WHERE task_id=?1 AND "
	    "scheduled_at=?2 LIMIT 1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scheduled_at);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, err, task_id);
	*yes = rc == SQLITE_ROW;
	return 0;
}

/* One range of the time-led unique key runs_time(scheduled_at, task_id,
 * attempt), which holds both columns: the table is not read, and the
 * rows scanned are the runs fired since from, whatever the tasks'
 * stored times (the caller filters by its tasks' own). */
int
sqlite_run_store_fires_from(struct mgr_db *db, int64_t from, run_fire_fn fn,
			    void *arg, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT task_id, scheduled_at FROM runs "
	    "WHERE scheduled_at >= ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot list the runs past the "
		    "tasks' next fire times"));
	return 0;
}

/* Every row st gives, as runs; what names the failure in err. */
static int
runs_collect(struct mgr_db *db, sqlite3_stmt *st, struct run_rec **out,
	     size_t *n, const char *what, struct mgr_error *err)
{
	struct run_rec *v = NULL;
	size_t count = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 32;
			v = xrealloc(v, cap * sizeof *v);
		}
		memset(&v[count], 0, sizeof *v);
		run_from_row(st, &v[count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		run_recs_free(v, count);
		return db_error(db, err, what);
	}
	*out = v;
	*n = count;
	return 0;
}

int
sqlite_run_store_interrupt_running(struct mgr_db *db, int64_t now, const char *why,
				   struct run_rec **out, size_t *n,
				   struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE runs SET status='interrupted', "
	    "ended_at=?1, error=?2 WHERE ended_at IS NULL AND status='running' "
	    "RETURNING " RUN_COLUMNS,
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
	return runs_collect(db, st, out, n, _("cannot record interrupted runs"),
	    err);
}

int
sqlite_run_store_claimed(struct mgr_db *db, struct run_rec **out, size_t *n,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " RUN_COLUMNS " FROM runs WHERE "
	    "ended_at IS NULL AND status='claimed' ORDER BY task_id, scheduled_at",
	    &st, err)) != 0)
		return rc;
	return runs_collect(db, st, out, n, _("cannot list claimed runs"), err);
}

static const char list_task_sql[] = "SELECT " RUN_COLUMNS " FROM runs "
    "WHERE id IN " SQLITE_TASK_RUN_IDS("?1") " AND id>?2 "
    "ORDER BY id DESC LIMIT ?3";
static const char list_all_sql[] = "SELECT " RUN_COLUMNS " FROM runs "
    "WHERE id>?2 ORDER BY id DESC LIMIT ?3";

int
sqlite_run_store_list(struct mgr_db *db, const char *task_id, int64_t after_id,
		      size_t limit, struct run_rec **out, size_t *n,
		      struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* Two statements: with "?1 IS NULL OR task_id=?1" SQLite cannot
	 * use the task's indexes and walked the whole history, newest
	 * first, for one task's runs; by them it sorts only the task's
	 * own (history_keep_runs of them and the recent ones). */
	if ((rc = db_prepare(db, task_id != NULL ? list_task_sql : list_all_sql,
	    &st, err)) != 0)
		return rc;
	if (task_id != NULL)
		sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	return runs_collect(db, st, out, n, _("cannot list runs"), err);
}

int
sqlite_run_store_prune(struct mgr_db *db, int keep_per_task, int64_t oldest_us,
		       int64_t *pruned, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* Runs still going (no ended_at) are never pruned. */
	if ((rc = db_prepare(db, "DELETE FROM runs WHERE ended_at IS NOT NULL AND "
	    "(started_at < ?2 OR id IN (SELECT id FROM (SELECT id, ROW_NUMBER() "
	    "OVER (PARTITION BY task_id ORDER BY id DESC) AS n FROM runs) "
	    "WHERE n > ?1))", &st, err)) != 0)
		return rc;
	sqlite3_bind_int(st, 1, keep_per_task);
	sqlite3_bind_int64(st, 2, oldest_us);
	rc = sqlite3_step(st);
	if (pruned != NULL)
		*pruned = sqlite3_changes(db_handle(db));
	/* Reset at once: a statement left unreset keeps its transaction open,
	 * and other processes stop seeing this host's commits. */
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot prune run history"));
	return 0;
}

void
event_recs_free(struct event_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].subject);
		free(v[i].message);
	}
	free(v);
}

int
sqlite_event_store_add(struct mgr_db *db, const char *kind, const char *subject,
		       const char *message, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO events (at, kind, subject, message) "
	    "VALUES (?1,?2,?3,?4)", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, mgr_now_us());
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, subject != NULL ? subject : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, message, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, kind);
	return 0;
}

int
sqlite_event_store_list(struct mgr_db *db, const char *subject, int64_t after_id,
			size_t limit, struct event_rec **out, size_t *n,
			struct mgr_error *err)
{
	struct event_rec *v = NULL;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT id, at, kind, subject, message FROM events "
	    "WHERE (?1 IS NULL OR subject=?1) AND id>?2 ORDER BY id DESC LIMIT ?3",
	    &st, err)) != 0)
		return rc;
	db_bind_text_or_null(st, 1, subject);
	sqlite3_bind_int64(st, 2, after_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 32;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[count].id = sqlite3_column_int64(st, 0);
		v[count].at = sqlite3_column_int64(st, 1);
		v[count].kind = db_column_strdup(st, 2);
		v[count].subject = db_column_strdup(st, 3);
		v[count].message = db_column_strdup(st, 4);
		count++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		event_recs_free(v, count);
		return db_error(db, err, _("cannot list events"));
	}
	*out = v;
	*n = count;
	return 0;
}
