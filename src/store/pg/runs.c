/* runs.c - the runs table (run history) and the events table on
 * PostgreSQL; the records' helpers are the SQLite backend's, shared. */
#include "i18n.h"
#include "pg_int.h"
#include "snapshot_store.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define RUN_COLUMNS \
	"id, task_id, attempt, scheduled_at, started_at, ended_at, status, " \
	"exit_code, signal, output, error"

static void
run_from_row(PGresult *res, int i, struct run_rec *r)
{
	r->id = pg_i64(res, i, 0);
	r->task_id = pg_strdup(res, i, 1);
	r->attempt = (int)pg_i64(res, i, 2);
	r->scheduled_at = pg_i64(res, i, 3);
	r->started_at = pg_i64(res, i, 4);
	r->ended_at = pg_i64(res, i, 5);
	r->status = pg_strdup(res, i, 6);
	r->exit_code = pg_int_or(res, i, 7, -1);
	r->signal = (int)pg_i64(res, i, 8);
	r->output = pg_strdup(res, i, 9);
	r->error = pg_strdup(res, i, 10);
}

static int
runs_collect(struct mgr_db *db, const char *sql, const struct pg_params *p,
	     struct run_rec **out, size_t *n, const char *what,
	     struct mgr_error *err)
{
	PGresult *res;
	int rc, rows;

	if ((rc = pg_run(db, sql, p, &res, what, err)) != 0)
		return rc;
	rows = PQntuples(res);
	*out = rows > 0 ? xcalloc((size_t)rows, sizeof **out) : NULL;
	for (int i = 0; i < rows; i++)
		run_from_row(res, i, &(*out)[i]);
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

/* $1..$10 as run_store_insert writes them. */
static void
run_params(struct pg_params *p, const struct run_rec *r)
{
	pg_text(p, r->task_id);
	pg_int(p, r->attempt > 0 ? r->attempt : 1);
	pg_time(p, r->scheduled_at);
	pg_time(p, r->started_at);
	pg_time(p, r->ended_at);
	pg_text(p, r->status);
	pg_int_or_null(p, r->exit_code, r->exit_code >= 0);
	pg_int_or_null(p, r->signal, r->signal != 0);
	pg_text(p, r->output);
	pg_text(p, r->error);
}

int
pg_run_store_insert(struct mgr_db *db, struct run_rec *r,
		    struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	/* An id > 0 is the one the engine handed out (run_ids_store.h,
	 * taken from the same sequence); 0 takes the next. */
	run_params(&p, r);
	pg_int_or_null(&p, r->id, r->id > 0);
	if ((rc = pg_run(db, "INSERT INTO runs (task_id, attempt, "
	    "scheduled_at, started_at, ended_at, status, exit_code, signal, "
	    "output, error, id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,"
	    "COALESCE($11::bigint, nextval('runs_id_seq'))) RETURNING id", &p,
	    &res, r->task_id, err)) != 0)
		return rc;
	r->id = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

int
pg_run_store_finish(struct mgr_db *db, const struct run_rec *r,
		    struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, r->id);
	pg_time(&p, r->ended_at);
	pg_text(&p, r->status);
	pg_int_or_null(&p, r->exit_code, r->exit_code >= 0);
	pg_int_or_null(&p, r->signal, r->signal != 0);
	pg_text(&p, r->output);
	pg_text(&p, r->error);
	return pg_run(db, "UPDATE runs SET ended_at=$2, status=$3, "
	    "exit_code=$4, signal=$5, output=$6, error=$7 WHERE id=$1", &p,
	    NULL, r->task_id, err);
}

/* Each run in a savepoint of its own: on PostgreSQL a failed statement
 * spoils its whole transaction, and one bad row (a task removed
 * meanwhile) must lose only itself, as on SQLite. */
void
pg_run_store_record(struct mgr_db *db, struct run_rec *v, size_t n,
		    void (*warn)(void *arg, const char *msg), void *arg)
{
	struct mgr_error err = { 0 };
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = db_begin(db, &err)) == 0) {
			rc = v[i].running_row ?
			    pg_run_store_end_running(db, &v[i], &err) :
			    pg_run_store_insert(db, &v[i], &err);
			if (rc == 0)
				rc = db_commit(db, &err);
			else
				db_rollback(db);
		}
		if (rc != 0 && warn != NULL)
			warn(arg, err.msg);
	}
}

int
pg_run_store_end_running(struct mgr_db *db, struct run_rec *r,
			 struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int64_t changed;
	int rc;

	run_params(&p, r);
	if ((rc = pg_run(db, "UPDATE runs SET started_at=$4, ended_at=$5, "
	    "status=$6, exit_code=$7, signal=$8, output=$9, error=$10 "
	    "WHERE task_id=$1 AND attempt=$2 AND scheduled_at=$3", &p, &res,
	    r->task_id, err)) != 0)
		return rc;
	changed = pg_changed(res);
	PQclear(res);
	if (changed > 0)
		return 0;
	return pg_run_store_insert(db, r, err);	/* pruned meanwhile */
}

int
pg_run_store_fire_recorded(struct mgr_db *db, const char *task_id,
			   int64_t scheduled_at, int *yes,
			   struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, task_id);
	pg_int(&p, scheduled_at);
	if ((rc = pg_run(db, "SELECT 1 FROM runs WHERE task_id=$1 AND "
	    "scheduled_at=$2 LIMIT 1", &p, &res, task_id, err)) != 0)
		return rc;
	*yes = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

/* runs_fire(task_id, scheduled_at, attempt) is led by the task, and no
 * index is led by the time: one index range per task, from the later
 * of from and the task's stored next fire time (a seq scan of the
 * history would read every run ever kept).  OFFSET 0 keeps the planner
 * from flattening the subquery into a join, which it may then run as a
 * hash join over the whole of runs. */
int
pg_run_store_fires_from(struct mgr_db *db, int64_t from, run_fire_fn fn,
			void *arg, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_int(&p, from);
	if ((rc = pg_run(db, "SELECT t.id, r.scheduled_at FROM tasks t "
	    "CROSS JOIN LATERAL (SELECT scheduled_at FROM runs "
	    "WHERE task_id = t.id AND scheduled_at >= "
	    "greatest(t.next_nominal, $1) OFFSET 0) r", &p, &res,
	    _("cannot list the runs past the tasks' next fire times"),
	    err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++)
		fn(arg, pg_str(res, i, 0), pg_i64(res, i, 1));
	PQclear(res);
	return 0;
}

int
pg_run_store_interrupt_running(struct mgr_db *db, int64_t now,
			       const char *why, struct run_rec **out,
			       size_t *n, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, now);
	pg_text(&p, why);
	return runs_collect(db, "UPDATE runs SET status='interrupted', "
	    "ended_at=$1, error=$2 WHERE ended_at IS NULL AND status='running' "
	    "RETURNING " RUN_COLUMNS, &p, out, n,
	    _("cannot record interrupted runs"), err);
}

int
pg_run_store_claimed(struct mgr_db *db, struct run_rec **out, size_t *n,
		     struct mgr_error *err)
{
	return runs_collect(db, "SELECT " RUN_COLUMNS " FROM runs WHERE "
	    "ended_at IS NULL AND status='claimed' "
	    "ORDER BY task_id COLLATE \"C\", scheduled_at", NULL, out, n,
	    _("cannot list claimed runs"), err);
}

int
pg_run_store_list(struct mgr_db *db, const char *task_id, int64_t after_id,
		  size_t limit, struct run_rec **out, size_t *n,
		  struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, task_id);
	pg_int(&p, after_id);
	pg_int(&p, (int64_t)limit);
	return runs_collect(db, "SELECT " RUN_COLUMNS " FROM runs "
	    "WHERE ($1::text IS NULL OR task_id=$1) AND id>$2 "
	    "ORDER BY id DESC LIMIT $3", &p, out, n, _("cannot list runs"), err);
}

int
pg_run_store_prune(struct mgr_db *db, int keep_per_task, int64_t oldest_us,
		   int64_t *pruned, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_int(&p, keep_per_task);
	pg_int(&p, oldest_us);
	/* Runs still going (no ended_at) are never pruned. */
	if ((rc = pg_run(db, "DELETE FROM runs WHERE ended_at IS NOT NULL AND "
	    "(started_at < $2 OR id IN (SELECT id FROM (SELECT id, ROW_NUMBER() "
	    "OVER (PARTITION BY task_id ORDER BY id DESC) AS n FROM runs) AS k "
	    "WHERE n > $1))", &p, &res, _("cannot prune run history"),
	    err)) != 0)
		return rc;
	if (pruned != NULL)
		*pruned = pg_changed(res);
	PQclear(res);
	return 0;
}

int
pg_event_store_add(struct mgr_db *db, const char *kind, const char *subject,
		   const char *message, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, mgr_now_us());
	pg_text(&p, kind);
	pg_text(&p, subject != NULL ? subject : "");
	pg_text(&p, message);
	return pg_run(db, "INSERT INTO events (at, kind, subject, message) "
	    "VALUES ($1,$2,$3,$4)", &p, NULL, kind, err);
}

int
pg_event_store_list(struct mgr_db *db, const char *subject,
		    int64_t after_id, size_t limit, struct event_rec **out,
		    size_t *n, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	struct event_rec *v;
	PGresult *res;
	int rc, rows;

	pg_text(&p, subject);
	pg_int(&p, after_id);
	pg_int(&p, (int64_t)limit);
	if ((rc = pg_run(db, "SELECT id, at, kind, subject, message FROM events "
	    "WHERE ($1::text IS NULL OR subject=$1) AND id>$2 "
	    "ORDER BY id DESC LIMIT $3", &p, &res, _("cannot list events"),
	    err)) != 0)
		return rc;
	rows = PQntuples(res);
	v = rows > 0 ? xcalloc((size_t)rows, sizeof *v) : NULL;
	for (int i = 0; i < rows; i++) {
		v[i].id = pg_i64(res, i, 0);
		v[i].at = pg_i64(res, i, 1);
		v[i].kind = pg_strdup(res, i, 2);
		v[i].subject = pg_strdup(res, i, 3);
		v[i].message = pg_strdup(res, i, 4);
	}
	PQclear(res);
	*out = v;
	*n = (size_t)rows;
	return 0;
}

int
pg_event_store_has_token(struct mgr_db *db, const char *kind,
			 const char *subject, const char *token)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int yes;

	pg_text(&p, subject);
	pg_text(&p, kind);
	pg_text(&p, token);
	if (pg_run(db, "SELECT 1 FROM events WHERE subject=$1 AND "
	    "($2::text IS NULL OR kind=$2) AND strpos(message, $3) > 0 LIMIT 1",
	    &p, &res, "events", NULL) != 0)
		return 0;
	yes = PQntuples(res) > 0;
	PQclear(res);
	return yes;
}

int
pg_fault_store_count_crashes(struct mgr_db *db, const char *plugin,
			     int64_t since_us, int *count,
			     struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, plugin);
	pg_int(&p, since_us);
	/* Crashes before the plugin was last enabled were forgiven then. */
	if ((rc = pg_run(db, "WITH s(t) AS (SELECT greatest($2::bigint, "
	    " coalesce((SELECT max(at) FROM events WHERE subject=$1"
	    "  AND kind='plugin.enabled'), 0))) SELECT "
	    " (SELECT count(*) FROM runs JOIN tasks ON runs.task_id = tasks.id"
	    "  WHERE tasks.plugin_id=$1 AND runs.status='crashed'"
	    "  AND coalesce(runs.ended_at, runs.started_at) >= (SELECT t FROM s))"
	    " + (SELECT count(*) FROM events WHERE subject=$1"
	    "  AND at >= (SELECT t FROM s) AND"
	    "  (kind='plugin.crashed' OR (kind='plugin.enable_failed'"
	    "   AND strpos(message, 'crashed') > 0)))", &p, &res,
	    _("cannot count the plugin's crashes"), err)) != 0)
		return rc;
	*count = (int)pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}
