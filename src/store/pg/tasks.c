/* tasks.c - the tasks table on PostgreSQL (TaskCRUD; the records'
 * helpers are the SQLite backend's, shared). */
#include "i18n.h"
#include "pg_int.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define TASK_COLUMNS \
	"id, name, func_path, trigger, trigger_args, enabled, max_retries, " \
	"timeout, last_run, next_run, status, plugin_id, misfire_grace_time, " \
	"\"coalesce\", max_instances, source, created_at, updated_at, " \
	"next_nominal, on_interrupt"

/* A text column as the result's own string (borrowed, valid until
 * PQclear) or a copy. */
static char *
column_borrowed(PGresult *res, int row, int col)
{
	return (char *)pg_str(res, row, col);
}

static void
task_from_row_with(PGresult *res, int i, struct task_rec *t,
		   char *(*text)(PGresult *, int, int))
{
	t->id = text(res, i, 0);
	t->name = text(res, i, 1);
	t->func_path = text(res, i, 2);
	t->trigger = text(res, i, 3);
	t->trigger_args = text(res, i, 4);
	t->enabled = (int)pg_i64(res, i, 5);
	t->max_retries = (int)pg_i64(res, i, 6);
	t->timeout = (int)pg_i64(res, i, 7);
	t->last_run = pg_i64(res, i, 8);
	t->next_run = pg_i64(res, i, 9);
	t->status = text(res, i, 10);
	t->plugin_id = text(res, i, 11);
	t->misfire_grace_time = (int)pg_i64(res, i, 12);
	t->coalesce = (int)pg_i64(res, i, 13);
	t->max_instances = (int)pg_i64(res, i, 14);
	t->source = text(res, i, 15);
	t->created_at = pg_i64(res, i, 16);
	t->updated_at = pg_i64(res, i, 17);
	t->next_nominal = pg_i64(res, i, 18);
	t->on_interrupt = task_on_interrupt_parse(pg_str(res, i, 19)) ==
	    TASK_INTERRUPT_RERUN ? TASK_INTERRUPT_RERUN : TASK_INTERRUPT_ABANDON;
}

static void
task_from_row(PGresult *res, int i, struct task_rec *t)
{
	task_from_row_with(res, i, t, pg_strdup);
}

#define TASK_BRIEF_COLUMNS "id, name, status, next_run, last_run"
static void
task_brief_from_row(PGresult *res, int i, struct task_rec *t)
{
	t->id = pg_strdup(res, i, 0);
	t->name = pg_strdup(res, i, 1);
	t->status = pg_strdup(res, i, 2);
	t->next_run = pg_i64(res, i, 3);
	t->last_run = pg_i64(res, i, 4);
}

/* $1..$20 in TASK_COLUMNS order, as the SQLite backend binds them. */
static void
task_params(struct pg_params *p, const struct task_rec *t, int64_t now)
{
	pg_text(p, t->id);
	pg_text(p, t->name != NULL ? t->name : t->id);
	pg_text(p, t->func_path);
	pg_text(p, t->trigger);
	pg_text(p, t->trigger_args != NULL ? t->trigger_args : "{}");
	pg_int(p, t->enabled);
	pg_int(p, t->max_retries);
	pg_int(p, t->timeout);
	pg_time(p, t->last_run);
	pg_time(p, t->next_run);
	pg_text(p, t->status != NULL ? t->status : "scheduled");
	pg_text(p, t->plugin_id);
	pg_int(p, t->misfire_grace_time);
	pg_int(p, t->coalesce);
	pg_int(p, t->max_instances);
	pg_text(p, t->source != NULL ? t->source : "cli");
	pg_int(p, t->created_at ? t->created_at : now);
	pg_int(p, now);
	pg_time(p, t->next_nominal);
	pg_text(p, task_on_interrupt_name(t->on_interrupt));
}

/* A unique key is the id; another constraint is a bad field. */
static int
task_run(struct mgr_db *db, const char *sql, const struct pg_params *p,
	 const char *id, int must_change, struct mgr_error *err)
{
	PGresult *res;
	int64_t n;
	int rc;

	rc = pg_run(db, sql, p, &res, id, err);
	if (rc == MGR_EEXIST)
		return mgr_error_set(err, MGR_EEXIST,
		    _("task \"%s\" already exists"), id);
	if (rc != 0)
		return rc;
	n = pg_changed(res);
	PQclear(res);
	if (must_change && n == 0)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), id);
	return 0;
}

int
pg_task_store_create(struct mgr_db *db, const struct task_rec *t,
		     const char *context, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	task_params(&p, t, mgr_now_us());
	pg_text(&p, context);
	return task_run(db, "INSERT INTO tasks (" TASK_COLUMNS ", context) "
	    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,"
	    "$18,$19,$20,$21)", &p, t->id, 0, err);
}

static int
task_collect_with(struct mgr_db *db, const char *sql,
		  const struct pg_params *p,
		  void (*from_row)(PGresult *, int, struct task_rec *),
		  struct task_rec **out, size_t *n, struct mgr_error *err)
{
	PGresult *res;
	int rc, rows;

	if ((rc = pg_run(db, sql, p, &res, _("cannot list tasks"), err)) != 0)
		return rc;
	rows = PQntuples(res);
	*out = rows > 0 ? xcalloc((size_t)rows, sizeof **out) : NULL;
	for (int i = 0; i < rows; i++)
		from_row(res, i, &(*out)[i]);
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

static int
task_collect(struct mgr_db *db, const char *sql, const struct pg_params *p,
	     struct task_rec **out, size_t *n, struct mgr_error *err)
{
	return task_collect_with(db, sql, p, task_from_row, out, n, err);
}

int
pg_task_store_list_brief(struct mgr_db *db, struct task_rec **out, size_t *n,
			 struct mgr_error *err)
{
	return task_collect_with(db, "SELECT " TASK_BRIEF_COLUMNS " FROM tasks",
	    NULL, task_brief_from_row, out, n, err);
}

int
pg_task_store_read(struct mgr_db *db, const char *id, struct task_rec *out,
		   struct mgr_error *err)
{
	struct pg_params p = { 0 };
	struct task_rec *v;
	size_t n;
	int rc;

	pg_text(&p, id);
	if ((rc = task_collect(db, "SELECT " TASK_COLUMNS " FROM tasks "
	    "WHERE id=$1", &p, &v, &n, err)) != 0)
		return rc;
	if (n == 0)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), id);
	*out = v[0];
	free(v);
	return 0;
}

int
pg_task_store_update(struct mgr_db *db, const struct task_rec *t,
		     struct mgr_error *err)
{
	struct pg_params p = { 0 };

	task_params(&p, t, mgr_now_us());
	return task_run(db, "UPDATE tasks SET name=$2, func_path=$3, "
	    "trigger=$4, trigger_args=$5, enabled=$6, max_retries=$7, "
	    "timeout=$8, last_run=$9, next_run=$10, status=$11, plugin_id=$12, "
	    "misfire_grace_time=$13, \"coalesce\"=$14, max_instances=$15, "
	    "source=$16, created_at=$17, updated_at=$18, next_nominal=$19, "
	    "on_interrupt=$20 WHERE id=$1", &p, t->id, 1, err);
}

int
pg_task_store_set_status(struct mgr_db *db, const char *id,
			 const char *status, int64_t last_run,
			 int64_t next_run, int64_t next_nominal,
			 struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, id);
	pg_text(&p, status);
	pg_time(&p, last_run);
	pg_time(&p, next_run);
	pg_int(&p, mgr_now_us());
	pg_time(&p, next_nominal);
	return task_run(db, "UPDATE tasks SET status=$2, "
	    "last_run=COALESCE($3::bigint, last_run), next_run=$4, "
	    "updated_at=$5, next_nominal=$6 WHERE id=$1", &p, id, 1, err);
}

int
pg_task_store_delete(struct mgr_db *db, const char *id,
		     struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, id);
	return task_run(db, "DELETE FROM tasks WHERE id=$1", &p, id, 1, err);
}

int
pg_task_store_list(struct mgr_db *db, struct task_rec **out, size_t *n,
		   struct mgr_error *err)
{
	return task_collect(db, "SELECT " TASK_COLUMNS " FROM tasks "
	    "ORDER BY id COLLATE \"C\"", NULL, out, n, err);
}

int
pg_task_store_each(struct mgr_db *db, task_row_fn fn, void *arg,
		   struct mgr_error *err)
{
	struct task_rec row;
	PGresult *res;
	int rc, rows;

	if ((rc = pg_run(db, "SELECT " TASK_COLUMNS " FROM tasks", NULL, &res,
	    _("cannot list tasks"), err)) != 0)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		memset(&row, 0, sizeof row);
		task_from_row_with(res, i, &row, column_borrowed);
		fn(arg, &row, (size_t)rows);
	}
	PQclear(res);
	return 0;
}

int
pg_task_store_list_by_plugin(struct mgr_db *db, const char *plugin_id,
			     struct task_rec **out, size_t *n,
			     struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, plugin_id);
	return task_collect(db, "SELECT " TASK_COLUMNS " FROM tasks "
	    "WHERE plugin_id=$1 ORDER BY id COLLATE \"C\"", &p, out, n, err);
}

int
pg_task_text_get(struct mgr_db *db, const char *sql, const char *task_id,
		 char **text, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*text = NULL;
	pg_text(&p, task_id);
	if ((rc = pg_run(db, sql, &p, &res, task_id, err)) != 0)
		return rc;
	if (PQntuples(res) == 0)
		rc = mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	else
		*text = pg_strdup(res, 0, 0);
	PQclear(res);
	return rc;
}

int
pg_task_text_set(struct mgr_db *db, const char *sql, const char *task_id,
		 const char *text, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int64_t changed;
	int rc;

	pg_text(&p, task_id);
	pg_text(&p, text);
	if ((rc = pg_run(db, sql, &p, &res, task_id, err)) != 0)
		return rc;
	changed = pg_changed(res);
	PQclear(res);
	if (changed == 0)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	return 0;
}

int
pg_each_task_text(struct mgr_db *db, const char *sql,
		  void (*fn)(void *arg, const char *id, const char *text),
		  void *arg, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, sql, NULL, &res, _("tasks"), err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++)
		fn(arg, pg_str(res, i, 0), pg_str(res, i, 1));
	PQclear(res);
	return 0;
}
