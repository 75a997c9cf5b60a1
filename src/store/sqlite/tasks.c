/* task_store.c - the tasks table (TaskCRUD). */
#include "i18n.h"
#include "sqlite_int.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define TASK_COLUMNS \
	"id, name, func_path, trigger, trigger_args, enabled, max_retries, " \
	"timeout, last_run, next_run, status, plugin_id, misfire_grace_time, " \
	"coalesce, max_instances, source, created_at, updated_at, next_nominal, " \
	"on_interrupt"

void
task_rec_init(struct task_rec *t)
{
	memset(t, 0, sizeof *t);
	t->enabled = 1;
	t->max_retries = 3;
	/* Not APScheduler's 1 s, which records a run due while the engine
	 * was down as missed: the configured default, one day unless set. */
	t->misfire_grace_time = TASK_GRACE_DEFAULT;
	t->coalesce = 1;
	t->max_instances = 1;
}

static const char *const on_interrupt_names[] = { "abandon", "rerun" };

const char *
task_on_interrupt_name(enum task_on_interrupt v)
{
	return on_interrupt_names[v == TASK_INTERRUPT_RERUN];
}

int
task_on_interrupt_parse(const char *s)
{
	for (int i = 0; s != NULL && i < 2; i++)
		if (strcmp(s, on_interrupt_names[i]) == 0)
			return i;
	return -1;
}

void
task_rec_clear(struct task_rec *t)
{
	free(t->id);
	free(t->name);
	free(t->func_path);
	free(t->trigger);
	free(t->trigger_args);
	free(t->status);
	free(t->plugin_id);
	free(t->source);
	memset(t, 0, sizeof *t);
}

void
task_recs_free(struct task_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		task_rec_clear(&v[i]);
	free(v);
}

/* A text column as the row's own string (borrowed, valid until the next
 * step) or a copy. */
static char *
column_borrowed(sqlite3_stmt *st, int col)
{
	return (char *)sqlite3_column_text(st, col);
}

static void
task_from_row_with(sqlite3_stmt *st, struct task_rec *t,
		   char *(*text)(sqlite3_stmt *, int))
{
	t->id = text(st, 0);
	t->name = text(st, 1);
	t->func_path = text(st, 2);
	t->trigger = text(st, 3);
	t->trigger_args = text(st, 4);
	t->enabled = sqlite3_column_int(st, 5);
	t->max_retries = sqlite3_column_int(st, 6);
	t->timeout = sqlite3_column_int(st, 7);
	t->last_run = sqlite3_column_int64(st, 8);
	t->next_run = sqlite3_column_int64(st, 9);
	t->status = text(st, 10);
	t->plugin_id = text(st, 11);
	t->misfire_grace_time = sqlite3_column_int(st, 12);
	t->coalesce = sqlite3_column_int(st, 13);
	t->max_instances = sqlite3_column_int(st, 14);
	t->source = text(st, 15);
	t->created_at = sqlite3_column_int64(st, 16);
	t->updated_at = sqlite3_column_int64(st, 17);
	t->next_nominal = sqlite3_column_int64(st, 18);
	t->on_interrupt = task_on_interrupt_parse((const char *)
	    sqlite3_column_text(st, 19)) == TASK_INTERRUPT_RERUN ?
	    TASK_INTERRUPT_RERUN : TASK_INTERRUPT_ABANDON;
}

static void
task_from_row(sqlite3_stmt *st, struct task_rec *t)
{
	task_from_row_with(st, t, db_column_strdup);
}

/* TASK_BRIEF_COLUMNS: what task_store_list_brief fills. */
#define TASK_BRIEF_COLUMNS "id, name, status, next_run, last_run"
static void
task_brief_from_row(sqlite3_stmt *st, struct task_rec *t)
{
	t->id = db_column_strdup(st, 0);
	t->name = db_column_strdup(st, 1);
	t->status = db_column_strdup(st, 2);
	t->next_run = sqlite3_column_int64(st, 3);
	t->last_run = sqlite3_column_int64(st, 4);
}

static void
bind_time(sqlite3_stmt *st, int idx, int64_t us)
{
	if (us == 0)
		sqlite3_bind_null(st, idx);
	else
		sqlite3_bind_int64(st, idx, us);
}

/* Binds ?1..?20 in TASK_COLUMNS order. */
static void
task_bind(sqlite3_stmt *st, const struct task_rec *t, int64_t now)
{
	sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->name != NULL ? t->name : t->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->func_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, t->trigger, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->trigger_args != NULL ? t->trigger_args : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, t->enabled);
	sqlite3_bind_int(st, 7, t->max_retries);
	sqlite3_bind_int(st, 8, t->timeout);
	bind_time(st, 9, t->last_run);
	bind_time(st, 10, t->next_run);
	sqlite3_bind_text(st, 11, t->status != NULL ? t->status : "scheduled", -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 12, t->plugin_id);
	sqlite3_bind_int(st, 13, t->misfire_grace_time);
	sqlite3_bind_int(st, 14, t->coalesce);
	sqlite3_bind_int(st, 15, t->max_instances);
	sqlite3_bind_text(st, 16, t->source != NULL ? t->source : "cli", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, t->created_at ? t->created_at : now);
	sqlite3_bind_int64(st, 18, now);
	bind_time(st, 19, t->next_nominal);
	sqlite3_bind_text(st, 20, task_on_interrupt_name(t->on_interrupt), -1,
	    SQLITE_STATIC);
}

static int
task_step_done(struct mgr_db *db, sqlite3_stmt *st, const char *id,
	       struct mgr_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_CONSTRAINT) {
		if (sqlite3_extended_errcode(db_handle(db)) == SQLITE_CONSTRAINT_PRIMARYKEY)
			return mgr_error_set(err, MGR_EEXIST,
			    _("task \"%s\" already exists"), id);
		return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": %s"), id,
		    sqlite3_errmsg(db_handle(db)));
	}
	if (rc != SQLITE_DONE)
		return db_error(db, err, id);
	return 0;
}

static int
task_check_changed(struct mgr_db *db, const char *id, struct mgr_error *err)
{
	if (sqlite3_changes(db_handle(db)) == 0)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), id);
	return 0;
}

int
sqlite_task_store_create(struct mgr_db *db, const struct task_rec *t,
			 const char *context, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO tasks (" TASK_COLUMNS ", context) "
	    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,"
	    "?18,?19,?20,?21)", &st, err)) != 0)
		return rc;
	task_bind(st, t, mgr_now_us());
	db_bind_text_or_null(st, 21, context);
	return task_step_done(db, st, t->id, err);
}

int
sqlite_task_store_read(struct mgr_db *db, const char *id, struct task_rec *out,
		       struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " TASK_COLUMNS " FROM tasks WHERE id=?1",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		task_from_row(st, out);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, id);
	return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), id);
}

int
sqlite_task_store_update(struct mgr_db *db, const struct task_rec *t,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE tasks SET name=?2, func_path=?3, "
	    "trigger=?4, trigger_args=?5, enabled=?6, max_retries=?7, timeout=?8, "
	    "last_run=?9, next_run=?10, status=?11, plugin_id=?12, "
	    "misfire_grace_time=?13, coalesce=?14, max_instances=?15, source=?16, "
	    "created_at=?17, updated_at=?18, next_nominal=?19, on_interrupt=?20 "
	    "WHERE id=?1", &st, err)) != 0)
		return rc;
	task_bind(st, t, mgr_now_us());
	if ((rc = task_step_done(db, st, t->id, err)) != 0)
		return rc;
	return task_check_changed(db, t->id, err);
}

int
sqlite_task_store_set_status(struct mgr_db *db, const char *id, const char *status,
		      int64_t last_run, int64_t next_run, int64_t next_nominal,
			     struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE tasks SET status=?2, "
	    "last_run=COALESCE(?3, last_run), next_run=?4, updated_at=?5, "
	    "next_nominal=?6 WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	bind_time(st, 3, last_run);
	bind_time(st, 4, next_run);
	sqlite3_bind_int64(st, 5, mgr_now_us());
	bind_time(st, 6, next_nominal);
	if ((rc = task_step_done(db, st, id, err)) != 0)
		return rc;
	return task_check_changed(db, id, err);
}

int
sqlite_task_store_delete(struct mgr_db *db, const char *id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "DELETE FROM tasks WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = task_step_done(db, st, id, err)) != 0)
		return rc;
	return task_check_changed(db, id, err);
}

static int
task_collect_with(struct mgr_db *db, sqlite3_stmt *st,
		  void (*from_row)(sqlite3_stmt *, struct task_rec *),
		  struct task_rec **out, size_t *n, struct mgr_error *err)
{
	struct task_rec *v = NULL;
	size_t count = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		memset(&v[count], 0, sizeof *v);
		from_row(st, &v[count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		task_recs_free(v, count);
		return db_error(db, err, _("cannot list tasks"));
	}
	*out = v;
	*n = count;
	return 0;
}

static int
task_collect(struct mgr_db *db, sqlite3_stmt *st, struct task_rec **out,
	     size_t *n, struct mgr_error *err)
{
	return task_collect_with(db, st, task_from_row, out, n, err);
}

int
sqlite_task_store_list_brief(struct mgr_db *db, struct task_rec **out,
			     size_t *n, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " TASK_BRIEF_COLUMNS " FROM tasks",
	    &st, err)) != 0)
		return rc;
	return task_collect_with(db, st, task_brief_from_row, out, n, err);
}

int
sqlite_task_store_list(struct mgr_db *db, struct task_rec **out, size_t *n,
		       struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " TASK_COLUMNS " FROM tasks ORDER BY id",
	    &st, err)) != 0)
		return rc;
	return task_collect(db, st, out, n, err);
}

/* In the table's own order (no ORDER BY: reading by the id index looked
 * each row up again), after a count so that fn knows how many come. */
int
sqlite_task_store_each(struct mgr_db *db, task_row_fn fn, void *arg,
		       struct mgr_error *err)
{
	sqlite3_stmt *st;
	struct task_rec row;
	size_t n;
	int rc;

	if ((rc = db_prepare(db, "SELECT count(*) FROM tasks", &st, err)) != 0)
		return rc;
	rc = sqlite3_step(st);
	n = rc == SQLITE_ROW ? (size_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("cannot list tasks"));
	/* A statement of its own, not db_prepare's cache: fn may prepare
	 * enough others to evict (finalize) a cached one while it steps. */
	if (sqlite3_prepare_v2(db_handle(db), "SELECT " TASK_COLUMNS
	    " FROM tasks", -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, _("cannot list tasks"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof row);
		task_from_row_with(st, &row, column_borrowed);
		fn(arg, &row, n);
	}
	rc = rc == SQLITE_DONE ? 0 : db_error(db, err, _("cannot list tasks"));
	sqlite3_finalize(st);
	return rc;
}

int
sqlite_task_store_list_by_plugin(struct mgr_db *db, const char *plugin_id,
				 struct task_rec **out, size_t *n, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " TASK_COLUMNS " FROM tasks "
	    "WHERE plugin_id=?1 ORDER BY id", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, plugin_id, -1, SQLITE_STATIC);
	return task_collect(db, st, out, n, err);
}

int
sqlite_task_text_get(struct mgr_db *db, const char *sql, const char *task_id,
		     char **text, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*text = NULL;
	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	if (rc != SQLITE_ROW)
		return db_error(db, err, task_id);
	*text = db_column_strdup(st, 0);
	sqlite3_reset(st);	/* no read transaction stays open */
	return 0;
}

int
sqlite_task_text_set(struct mgr_db *db, const char *sql, const char *task_id,
		     const char *text, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 2, text);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, task_id);
	if (sqlite3_changes(db_handle(db)) == 0)
		return mgr_error_set(err, MGR_ENOENT, _("no task \"%s\""), task_id);
	return 0;
}

int
sqlite_each_task_text(struct mgr_db *db, const char *sql,
		      void (*fn)(void *arg, const char *id, const char *text),
		      void *arg, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("tasks"));
	sqlite3_reset(st);
	return 0;
}
