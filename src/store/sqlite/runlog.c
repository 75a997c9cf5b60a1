/* runlog_store.c - the history's side of the run logs: a run's key by
 * its id, whether it is over, and the logs kept in the history
 * (run_logs; runlog_store.h). */
#include "i18n.h"
#include "db.h"
#include "runlog_store.h"
#include "sqlite_int.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Binds a run's key (task, fire time, attempt) as ?1 ?2 ?3: the
 * unique key every statement here looks a run up by (runs_time since
 * schema 19, led by the fire time). */
static void
bind_run_key(sqlite3_stmt *st, const char *task_id, int64_t scheduled_at,
	     int attempt)
{
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, scheduled_at);
	sqlite3_bind_int(st, 3, attempt);
}

int
sqlite_runlog_store_key(struct mgr_db *db, int64_t run_id, char **task_id,
		 int64_t *scheduled_at, int *attempt, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT task_id, scheduled_at, attempt FROM runs "
	    "WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, run_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*task_id = xstrdup((const char *)sqlite3_column_text(st, 0));
		*scheduled_at = sqlite3_column_int64(st, 1);
		*attempt = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("no run %lld"),
		    (long long)run_id);
	return db_error(db, err, _("cannot read a run"));
}

int
sqlite_runlog_store_state(struct mgr_db *db, const char *task_id,
			  int64_t scheduled_at, int attempt, int *ended,
			  int64_t *run_id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT id, ended_at IS NOT NULL FROM runs "
	    "WHERE task_id = ?1 AND scheduled_at = ?2 AND attempt = ?3",
	    &st, err)) != 0)
		return rc;
	bind_run_key(st, task_id, scheduled_at, attempt);
	*ended = 0;
	*run_id = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*run_id = sqlite3_column_int64(st, 0);
		*ended = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	return db_error(db, err, _("cannot read a run"));
}

void
sqlite_runlog_store_record(struct mgr_db *db, const struct run_rec *v,
			   size_t n, void (*warn)(void *arg, const char *msg),
			   void *arg)
{
	struct mgr_error err = { 0 };
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++) {
		const struct run_rec *r = &v[i];
		if (r->log == NULL)
			continue;
		if (db_prepare(db, "INSERT INTO run_logs (run_id, records) "
		    "SELECT id, ?4 FROM runs WHERE task_id=?1 AND "
		    "scheduled_at=?2 AND attempt=?3", &st, &err) != 0) {
			if (warn != NULL)
				warn(arg, err.msg);
			return;
		}
		bind_run_key(st, r->task_id, r->scheduled_at,
		    r->attempt > 0 ? r->attempt : 1);
		sqlite3_bind_blob64(st, 4, r->log, r->log_len, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			db_error(db, &err, r->task_id);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE && warn != NULL)
			warn(arg, err.msg);
	}
}

int
sqlite_runlog_store_inline(struct mgr_db *db, const char *task_id,
			   int64_t scheduled_at, int attempt, int *ended,
			   char **records, size_t *len, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*ended = 0;
	*records = NULL;
	*len = 0;
	if ((rc = db_prepare(db, "SELECT r.ended_at IS NOT NULL, l.records "
	    "FROM runs r LEFT JOIN run_logs l ON l.run_id = r.id "
	    "WHERE r.task_id = ?1 AND r.scheduled_at = ?2 AND r.attempt = ?3",
	    &st, err)) != 0)
		return rc;
	bind_run_key(st, task_id, scheduled_at, attempt);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ended = sqlite3_column_int(st, 0);
		if (sqlite3_column_type(st, 1) == SQLITE_BLOB) {
			*len = (size_t)sqlite3_column_bytes(st, 1);
			*records = xmalloc(*len + 1);
			memcpy(*records, sqlite3_column_blob(st, 1), *len);
		}
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return 0;
	return db_error(db, err, _("cannot read a run's log"));
}

int
sqlite_runlog_store_list(struct mgr_db *db, runlog_store_entry_fn fn,
			 void *arg, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT l.run_id, r.task_id, r.scheduled_at, "
	    "r.attempt, r.ended_at, length(l.records) FROM run_logs l "
	    "JOIN runs r ON r.id = l.run_id", &st, err)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct runlog_store_entry e = {
			.run_id = sqlite3_column_int64(st, 0),
			.task_id = (const char *)sqlite3_column_text(st, 1),
			.scheduled_at = sqlite3_column_int64(st, 2),
			.attempt = sqlite3_column_int(st, 3),
			.ended_at = sqlite3_column_int64(st, 4),
			.bytes = sqlite3_column_int64(st, 5),
		};
		fn(arg, &e);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot list the run logs"));
	return 0;
}

int
sqlite_runlog_store_drop(struct mgr_db *db, const int64_t *ids, size_t n,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++) {
		if ((rc = db_prepare(db, "DELETE FROM run_logs WHERE run_id = ?1",
		    &st, err)) != 0)
			return rc;
		sqlite3_bind_int64(st, 1, ids[i]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return db_error(db, err, _("cannot remove a run's log"));
	}
	return 0;
}

/* Large logs stay files on SQLite (one host reads them): the chunks of
 * runlog_store.h are PostgreSQL's. */

int
sqlite_runlog_store_chunked(struct mgr_db *db)
{
	(void)db;
	return 0;
}

static int
no_chunks(struct mgr_db *db, struct mgr_error *err)
{
	return mgr_error_set(err, MGR_EINVAL, _("%s keeps large run logs as "
	    "files, not in the database"), db_path(db));
}

int
sqlite_runlog_store_chunk_put(struct mgr_db *db, const char *task_id,
			      int64_t scheduled_at, int attempt, int64_t seq,
			      const char *bytes, size_t len,
			      struct mgr_error *err)
{
	(void)task_id, (void)scheduled_at, (void)attempt, (void)seq;
	(void)bytes, (void)len;
	return no_chunks(db, err);
}

int
sqlite_runlog_store_chunk_next(struct mgr_db *db, const char *task_id,
			       int64_t scheduled_at, int attempt, int64_t seq,
			       int64_t *got, char **bytes, size_t *len,
			       struct mgr_error *err)
{
	(void)task_id, (void)scheduled_at, (void)attempt, (void)seq;
	*got = 0;
	*bytes = NULL;
	*len = 0;
	return no_chunks(db, err);
}

int
sqlite_runlog_store_chunk_tail(struct mgr_db *db, const char *task_id,
			       int64_t scheduled_at, int attempt,
			       int64_t *next_seq, int64_t *stored,
			       struct mgr_error *err)
{
	(void)task_id, (void)scheduled_at, (void)attempt;
	*next_seq = *stored = 0;
	return no_chunks(db, err);
}
