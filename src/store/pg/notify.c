/* notify.c - notifications owed (notify_store.h, schema 10) on
 * PostgreSQL: the statements of the SQLite backend's notify.c, INSERT OR
 * REPLACE spelled as an upsert on the key (run_id, event). */
#include "i18n.h"
#include "pg_int.h"
#include "notify_store.h"

#define PG_NOTIFY_COLUMNS "run_id, event, action, task_id, attempt, " \
	"scheduled_at, started_at, ended_at, status, exit_code, signal, " \
	"output, error, starts"

int
pg_notify_store_add(struct mgr_db *db, const struct notify_rec *n,
		    struct mgr_error *err)
{
	const struct run_rec *r = &n->run;
	struct pg_params p = { 0 };

	pg_int(&p, r->id);
	pg_text(&p, n->event);
	pg_text(&p, n->action);
	pg_text(&p, r->task_id);
	pg_int(&p, r->attempt);
	pg_time(&p, r->scheduled_at);
	pg_time(&p, r->started_at);
	pg_time(&p, r->ended_at);
	pg_text(&p, r->status);
	pg_int_or_null(&p, r->exit_code, r->exit_code >= 0);
	pg_int_or_null(&p, r->signal, r->signal > 0);
	pg_text(&p, r->output);
	pg_text(&p, r->error);
	pg_int(&p, n->starts);
	return pg_run(db, "INSERT INTO notify_pending (" PG_NOTIFY_COLUMNS ") "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
	    "$14) ON CONFLICT (run_id, event) DO UPDATE SET "
	    "action = EXCLUDED.action, task_id = EXCLUDED.task_id, "
	    "attempt = EXCLUDED.attempt, scheduled_at = EXCLUDED.scheduled_at, "
	    "started_at = EXCLUDED.started_at, ended_at = EXCLUDED.ended_at, "
	    "status = EXCLUDED.status, exit_code = EXCLUDED.exit_code, "
	    "signal = EXCLUDED.signal, output = EXCLUDED.output, "
	    "error = EXCLUDED.error, starts = EXCLUDED.starts", &p, NULL,
	    _("recording a notification owed"), err);
}

int
pg_notify_store_done(struct mgr_db *db, int64_t run_id, const char *event,
		     struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, run_id);
	pg_text(&p, event);
	return pg_run(db, "DELETE FROM notify_pending WHERE run_id = $1 AND "
	    "event = $2", &p, NULL, _("forgetting a notification delivered"),
	    err);
}

static void
notify_row(PGresult *res, int i, struct notify_rec *n)
{
	struct run_rec *r = &n->run;

	r->id = pg_i64(res, i, 0);
	n->event = pg_strdup(res, i, 1);
	n->action = pg_strdup(res, i, 2);
	r->task_id = pg_strdup(res, i, 3);
	r->attempt = pg_int_or(res, i, 4, 0);
	r->scheduled_at = pg_i64(res, i, 5);
	r->started_at = pg_i64(res, i, 6);
	r->ended_at = pg_i64(res, i, 7);
	r->status = pg_strdup(res, i, 8);
	r->exit_code = pg_int_or(res, i, 9, -1);
	r->signal = pg_int_or(res, i, 10, 0);
	r->output = pg_strdup(res, i, 11);
	r->error = pg_strdup(res, i, 12);
	n->starts = pg_int_or(res, i, 13, 0);
}

/* Counts one more start for every notification owed and hands each to
 * fn, oldest run first (event in byte order, as SQLite sorts it). */
static int
notify_count_and_list(struct mgr_db *db, notify_rec_fn fn, void *arg,
		      struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "UPDATE notify_pending SET starts = starts + 1",
	    NULL, NULL, _("reading the notifications owed"), err)) != 0 ||
	    (rc = pg_run(db, "SELECT " PG_NOTIFY_COLUMNS " FROM notify_pending "
	    "ORDER BY run_id, event COLLATE \"C\"", NULL, &res,
	    _("reading the notifications owed"), err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		struct notify_rec n = { 0 };
		notify_row(res, i, &n);
		fn(arg, &n);
	}
	PQclear(res);
	return 0;
}

int
pg_notify_store_restart(struct mgr_db *db, notify_rec_fn fn, void *arg,
			struct mgr_error *err)
{
	PGresult *res;
	int rc, any;

	/* A start with nothing owed writes nothing (no change to notify). */
	if ((rc = pg_run(db, "SELECT EXISTS (SELECT 1 FROM notify_pending)",
	    NULL, &res, _("reading the notifications owed"), err)) != 0)
		return rc;
	any = pg_str(res, 0, 0) != NULL && pg_str(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!any)
		return 0;
	if ((rc = db_begin(db, err)) != 0)
		return rc;
	if ((rc = notify_count_and_list(db, fn, arg, err)) != 0) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}
