/* console_store.c - the console's reads (ui/model*.c): change
 * signatures of the tables that change on their own, the tasks pane's
 * rows (all, or those changed since a time), the latest runs, and the
 * header's counts.  Rows are handed to a callback with strings that live
 * until it returns, so the console copies them into its own arenas. */
#include "i18n.h"
#include "sqlite_int.h"
#include "store.h"
#include "util.h"

#define SIGNATURE(table) "SELECT count(*), COALESCE(max(updated_at), 0), " \
	"COALESCE(sum(updated_at & 4294967295), 0) FROM " table

#define TASK_ROW_COLUMNS "id, name, status, plugin_id, enabled, max_retries, " \
	"next_run, last_run, updated_at"

int
sqlite_store_table_signature(struct mgr_db *db, enum store_table table,
			     int64_t sig[3], struct mgr_error *err)
{
	const char *sql = table == STORE_TASKS ? SIGNATURE("tasks") :
	    SIGNATURE("plugins");
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_error(db, err, _("cannot read the table signature"));
	}
	for (int i = 0; i < 3; i++)
		sig[i] = sqlite3_column_int64(st, i);
	sqlite3_reset(st);
	return 0;
}

static void
task_row(sqlite3_stmt *st, struct store_task_row *t)
{
	t->id = (const char *)sqlite3_column_text(st, 0);
	t->name = (const char *)sqlite3_column_text(st, 1);
	t->status = (const char *)sqlite3_column_text(st, 2);
	t->plugin_id = (const char *)sqlite3_column_text(st, 3);
	t->enabled = sqlite3_column_int(st, 4);
	t->max_retries = sqlite3_column_int(st, 5);
	t->next_run = sqlite3_column_int64(st, 6);
	t->last_run = sqlite3_column_int64(st, 7);
	t->updated_at = sqlite3_column_int64(st, 8);
}

int
sqlite_store_console_tasks(struct mgr_db *db, int64_t updated_after,
		    store_task_row_fn fn, void *arg, struct mgr_error *err)
{
	struct store_task_row row;
	sqlite3_stmt *st;
	int rc;

	if (updated_after < 0)
		rc = db_prepare(db, "SELECT " TASK_ROW_COLUMNS " FROM tasks", &st, err);
	else
		rc = db_prepare(db, "SELECT " TASK_ROW_COLUMNS " FROM tasks "
		    "WHERE updated_at > ?1", &st, err);
	if (rc != 0)
		return rc;
	if (updated_after >= 0)
		sqlite3_bind_int64(st, 1, updated_after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		task_row(st, &row);
		fn(arg, &row);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err, _("cannot list tasks"));
}

/* Hands each row of st (SQLITE_RUN_LINE_COLUMNS) to fn; *n counts them. */
int
sqlite_run_lines(struct mgr_db *db, sqlite3_stmt *st, store_run_line_fn fn,
		 void *arg, size_t *n, struct mgr_error *err)
{
	struct store_run_line l;
	int rc;

	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		l.id = sqlite3_column_int64(st, 0);
		l.at = sqlite3_column_int64(st, 1);
		l.task_id = (const char *)sqlite3_column_text(st, 2);
		l.status = (const char *)sqlite3_column_text(st, 3);
		l.attempt = sqlite3_column_int(st, 4);
		l.started_at = sqlite3_column_int64(st, 5);
		l.ended_at = sqlite3_column_int64(st, 6);
		l.exit_code = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 :
		    sqlite3_column_int(st, 7);
		l.signal = sqlite3_column_int(st, 8);
		l.text = (const char *)sqlite3_column_text(st, 9);
		fn(arg, &l);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : db_error(db, err, _("cannot list runs"));
}

int
sqlite_store_console_runs(struct mgr_db *db, size_t limit, store_run_line_fn fn,
			  void *arg, struct mgr_error *err)
{
	sqlite3_stmt *st;
	size_t n;
	int rc;

	if ((rc = db_prepare(db, "SELECT " SQLITE_RUN_LINE_COLUMNS " FROM runs "
	    "ORDER BY id DESC LIMIT ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	return sqlite_run_lines(db, st, fn, arg, &n, err);
}

int
sqlite_store_console_counts(struct mgr_db *db, int64_t now, int *runs_per_min,
			    int *running, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT (SELECT count(*) FROM runs "
	    "WHERE (scheduled_at >= ?3 OR scheduled_at IS NULL) AND "
	    "started_at >= ?1), "
	    "(SELECT count(*) FROM runs WHERE ended_at IS NULL AND "
	    "started_at IS NOT NULL AND started_at >= ?2)", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, now - INT64_C(60000000));
	/* A run open for more than a day is a crashed host's leftover. */
	sqlite3_bind_int64(st, 2, now - INT64_C(86400000000));
	/* Started in the last minute and due in the last hour, or run
	 * with no fire time (a manual run): the time-led key bounds the
	 * scan (there is no index by start). */
	sqlite3_bind_int64(st, 3, now - INT64_C(3600000000));
	if (sqlite3_step(st) == SQLITE_ROW) {
		*runs_per_min = sqlite3_column_int(st, 0);
		*running = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	return 0;
}
