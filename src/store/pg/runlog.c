/* runlog.c - the run logs kept in the history on PostgreSQL
 * (runlog_store.h): the small ones (run_logs, bytea) and the large ones
 * in chunks (run_log_chunks); a run's key and state are in
 * task_context.c. */
#include "i18n.h"
#include "pg_int.h"
#include "runlog_store.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void
pg_runlog_store_record(struct mgr_db *db, const struct run_rec *v, size_t n,
		       void (*warn)(void *arg, const char *msg), void *arg)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct run_rec *r = &v[i];
		struct pg_params p = { 0 };
		char *hex;
		int rc;

		if (r->log == NULL)
			continue;
		hex = pg_bytea_hex(r->log, r->log_len);
		pg_run_key(&p, r->task_id, r->scheduled_at,
		    r->attempt > 0 ? r->attempt : 1);
		pg_text(&p, hex);
		rc = pg_run(db, "INSERT INTO run_logs (run_id, records) "
		    "SELECT id, $4::bytea FROM runs WHERE task_id=$1 AND "
		    "scheduled_at=$2 AND attempt=$3", &p, NULL, r->task_id, &err);
		free(hex);
		if (rc != 0 && warn != NULL)
			warn(arg, err.msg);
	}
}

/* A bytea cell as bytes (malloc'd, *len); NULL when it is NULL. */
static char *
bytea_cell(PGresult *res, int row, int col, size_t *len)
{
	const char *v = pg_str(res, row, col);
	unsigned char *b;
	char *out;

	*len = 0;
	if (v == NULL || (b = PQunescapeBytea((const unsigned char *)v,
	    len)) == NULL)
		return NULL;
	out = xmalloc(*len + 1);
	if (*len > 0)
		memcpy(out, b, *len);
	PQfreemem(b);
	return out;
}

int
pg_runlog_store_inline(struct mgr_db *db, const char *task_id,
		       int64_t scheduled_at, int attempt, int *ended,
		       char **records, size_t *len, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	*ended = 0;
	*records = NULL;
	*len = 0;
	if ((rc = pg_run_by_key(db, "SELECT r.ended_at IS NOT NULL, l.records "
	    "FROM runs r LEFT JOIN run_logs l ON l.run_id = r.id "
	    "WHERE r.task_id = $1 AND r.scheduled_at = $2 AND r.attempt = $3",
	    task_id, scheduled_at, attempt, &res, _("cannot read a run's log"),
	    err)) != 0)
		return rc;
	if (PQntuples(res) > 0) {
		*ended = pg_str(res, 0, 0)[0] == 't';
		*records = bytea_cell(res, 0, 1, len);
	}
	PQclear(res);
	return 0;
}

/* The small logs, then the chunked ones of runs that are over. */
#define PG_RUNLOG_LIST \
	"SELECT l.run_id, r.task_id, r.scheduled_at, r.attempt, r.ended_at, " \
	"octet_length(l.records) FROM run_logs l JOIN runs r ON r.id = l.run_id " \
	"UNION ALL SELECT r.id, r.task_id, r.scheduled_at, r.attempt, " \
	"r.ended_at, c.bytes FROM (SELECT task_id, scheduled_at, attempt, " \
	"sum(octet_length(bytes)) AS bytes FROM run_log_chunks " \
	"GROUP BY task_id, scheduled_at, attempt) c JOIN runs r ON " \
	"r.task_id = c.task_id AND r.scheduled_at = c.scheduled_at AND " \
	"r.attempt = c.attempt WHERE r.ended_at IS NOT NULL"

int
pg_runlog_store_list(struct mgr_db *db, runlog_store_entry_fn fn, void *arg,
		     struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, PG_RUNLOG_LIST, NULL, &res,
	    _("cannot list the run logs"), err)) != 0)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		struct runlog_store_entry e = {
			.run_id = pg_i64(res, i, 0),
			.task_id = pg_str(res, i, 1),
			.scheduled_at = pg_i64(res, i, 2),
			.attempt = (int)pg_i64(res, i, 3),
			.ended_at = pg_i64(res, i, 4),
			.bytes = pg_i64(res, i, 5),
		};
		fn(arg, &e);
	}
	PQclear(res);
	return 0;
}

int
pg_runlog_store_drop(struct mgr_db *db, const int64_t *ids, size_t n,
		     struct mgr_error *err)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		struct pg_params p = { 0 };

		pg_int(&p, ids[i]);
		if ((rc = pg_run(db, "DELETE FROM run_logs WHERE run_id = $1",
		    &p, NULL, _("cannot remove a run's log"), err)) != 0 ||
		    (rc = pg_run(db, "DELETE FROM run_log_chunks c USING runs r "
		    "WHERE r.id = $1 AND c.task_id = r.task_id AND "
		    "c.scheduled_at = r.scheduled_at AND c.attempt = r.attempt",
		    &p, NULL, _("cannot remove a run's log"), err)) != 0)
			return rc;
	}
	return 0;
}

/* Large logs: chunks of whole records (runlog_store.h). */

int
pg_runlog_store_chunked(struct mgr_db *db)
{
	(void)db;
	return 1;
}

int
pg_runlog_store_chunk_put(struct mgr_db *db, const char *task_id,
			  int64_t scheduled_at, int attempt, int64_t seq,
			  const char *bytes, size_t len, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	char *hex = pg_bytea_hex(bytes, len);
	int rc;

	pg_run_key(&p, task_id, scheduled_at, attempt);
	pg_int(&p, seq);
	pg_text(&p, hex);
	rc = pg_run(db, "INSERT INTO run_log_chunks (task_id, scheduled_at, "
	    "attempt, seq, bytes) VALUES ($1, $2, $3, $4, $5::bytea)", &p, NULL,
	    _("cannot write a run's log"), err);
	free(hex);
	return rc;
}

int
pg_runlog_store_chunk_next(struct mgr_db *db, const char *task_id,
			   int64_t scheduled_at, int attempt, int64_t seq,
			   int64_t *got, char **bytes, size_t *len,
			   struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*bytes = NULL;
	*len = 0;
	pg_run_key(&p, task_id, scheduled_at, attempt);
	pg_int(&p, seq);
	if ((rc = pg_run(db, "SELECT seq, bytes FROM run_log_chunks WHERE "
	    "task_id = $1 AND scheduled_at = $2 AND attempt = $3 AND seq >= $4 "
	    "ORDER BY seq LIMIT 1", &p, &res, _("cannot read a run's log"),
	    err)) != 0)
		return rc;
	if (PQntuples(res) > 0) {
		*got = pg_i64(res, 0, 0);
		*bytes = bytea_cell(res, 0, 1, len);
	}
	PQclear(res);
	return 0;
}

int
pg_runlog_store_chunk_tail(struct mgr_db *db, const char *task_id,
			   int64_t scheduled_at, int attempt, int64_t *next_seq,
			   int64_t *stored, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run_by_key(db, "SELECT coalesce(max(seq) + 1, 0), "
	    "coalesce(sum(octet_length(bytes)), 0) FROM run_log_chunks WHERE "
	    "task_id = $1 AND scheduled_at = $2 AND attempt = $3", task_id,
	    scheduled_at, attempt, &res, _("cannot read a run's log"), err)) != 0)
		return rc;
	*next_seq = pg_i64(res, 0, 0);
	*stored = pg_i64(res, 0, 1);
	PQclear(res);
	return 0;
}
