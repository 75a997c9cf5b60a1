/* task_context.c - tasks.context and the runs' resource usage on
 * PostgreSQL (task_context_store.h), and the run log's questions to the
 * history (runlog_store.h). */
#include "i18n.h"
#include "pg_int.h"
#include "runlog_store.h"
#include "task_context_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int
pg_task_context_store_get(struct mgr_db *db, const char *task_id,
			  char **json, struct mgr_error *err)
{
	return pg_task_text_get(db, "SELECT context FROM tasks WHERE id=$1",
	    task_id, json, err);
}

int
pg_task_context_store_all(struct mgr_db *db, task_context_fn fn, void *arg,
			  struct mgr_error *err)
{
	return pg_each_task_text(db, "SELECT id, context FROM tasks "
	    "WHERE context IS NOT NULL", fn, arg, err);
}

int
pg_task_context_store_set(struct mgr_db *db, const char *task_id,
			  const char *json, struct mgr_error *err)
{
	return pg_task_text_set(db, "UPDATE tasks SET context=$2 WHERE id=$1",
	    task_id, json, err);
}

void
pg_run_usage_store_record(struct mgr_db *db, const struct run_rec *v,
			  size_t n, void (*warn)(void *arg, const char *msg),
			  void *arg)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct run_rec *r = &v[i];
		struct pg_params p = { 0 };

		if (r->user_us <= 0 && r->sys_us <= 0 && r->max_rss_kb <= 0)
			continue;
		pg_run_key(&p, r->task_id, r->scheduled_at,
		    r->attempt > 0 ? r->attempt : 1);
		pg_int_or_null(&p, r->user_us, r->user_us > 0);
		pg_int_or_null(&p, r->sys_us, r->sys_us > 0);
		pg_int_or_null(&p, r->max_rss_kb, r->max_rss_kb > 0);
		if (pg_run(db, "UPDATE runs SET user_us=$4, sys_us=$5, "
		    "max_rss_kb=$6 WHERE task_id=$1 AND scheduled_at=$2 AND "
		    "attempt=$3", &p, NULL, r->task_id, &err) != 0 &&
		    warn != NULL)
			warn(arg, err.msg);
	}
}

int
pg_run_usage_store_read(struct mgr_db *db, int64_t id, struct run_rec *out,
			struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	memset(out, 0, sizeof *out);
	pg_int(&p, id);
	if ((rc = pg_run(db, "SELECT id, task_id, attempt, scheduled_at, "
	    "started_at, ended_at, status, exit_code, signal, output, error, "
	    "user_us, sys_us, max_rss_kb FROM runs WHERE id=$1", &p, &res,
	    _("runs"), err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT, _("no run %lld (pruned, or "
		    "its task was removed)"), (long long)id);
	}
	out->id = pg_i64(res, 0, 0);
	out->task_id = pg_strdup(res, 0, 1);
	out->attempt = (int)pg_i64(res, 0, 2);
	out->scheduled_at = pg_i64(res, 0, 3);
	out->started_at = pg_i64(res, 0, 4);
	out->ended_at = pg_i64(res, 0, 5);
	out->status = pg_strdup(res, 0, 6);
	out->exit_code = pg_int_or(res, 0, 7, -1);
	out->signal = (int)pg_i64(res, 0, 8);
	out->output = pg_strdup(res, 0, 9);
	out->error = pg_strdup(res, 0, 10);
	out->user_us = pg_i64(res, 0, 11);
	out->sys_us = pg_i64(res, 0, 12);
	out->max_rss_kb = pg_i64(res, 0, 13);
	PQclear(res);
	return 0;
}

int
pg_run_usage_store_find(struct mgr_db *db, const char *task_id,
			int64_t scheduled_at, int attempt, int64_t *id,
			struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run_by_key(db, "SELECT id FROM runs WHERE task_id=$1 AND "
	    "scheduled_at=$2 AND ($3::integer <= 0 OR attempt=$3) "
	    "ORDER BY attempt DESC LIMIT 1", task_id, scheduled_at, attempt,
	    &res, task_id, err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT, _("task \"%s\": no run of "
		    "that time"), task_id);
	}
	*id = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

int
pg_run_usage_store_list(struct mgr_db *db, const char *task_id, size_t limit,
			run_usage_fn fn, void *arg, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, task_id);
	pg_int(&p, (int64_t)limit);
	if ((rc = pg_run(db, "SELECT id, user_us, sys_us, max_rss_kb FROM runs "
	    "WHERE ($1::text IS NULL OR task_id=$1) ORDER BY id DESC LIMIT $2",
	    &p, &res, _("runs"), err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++)
		fn(arg, pg_i64(res, i, 0), pg_i64(res, i, 1), pg_i64(res, i, 2),
		    pg_i64(res, i, 3));
	PQclear(res);
	return 0;
}

int
pg_runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
		    int64_t *scheduled_at, int *attempt, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_int(&p, run_id);
	if ((rc = pg_run(db, "SELECT task_id, scheduled_at, attempt FROM runs "
	    "WHERE id = $1", &p, &res, _("cannot read a run"), err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT, _("no run %lld"),
		    (long long)run_id);
	}
	*task_id = pg_strdup(res, 0, 0);
	*scheduled_at = pg_i64(res, 0, 1);
	*attempt = (int)pg_i64(res, 0, 2);
	PQclear(res);
	return 0;
}

int
pg_runlog_store_state(struct mgr_db *db, const char *task_id,
		      int64_t scheduled_at, int attempt, int *ended,
		      int64_t *run_id, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	*ended = 0;
	*run_id = 0;
	if ((rc = pg_run_by_key(db, "SELECT id, ended_at IS NOT NULL FROM runs "
	    "WHERE task_id = $1 AND scheduled_at = $2 AND attempt = $3",
	    task_id, scheduled_at, attempt, &res, _("cannot read a run"),
	    err)) != 0)
		return rc;
	if (PQntuples(res) > 0) {
		*run_id = pg_i64(res, 0, 0);
		*ended = pg_str(res, 0, 1)[0] == 't';
	}
	PQclear(res);
	return 0;
}
