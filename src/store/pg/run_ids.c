/* run_ids.c - run ids handed out by the engine (run_ids_store.h) on
 * PostgreSQL: a block taken from the runs id sequence, which every
 * other insert of a runs row without an id takes its id from too, so a
 * reserved id is never given to anyone else.  runs_id_seq is the name
 * bigserial gave it (migration 2), found through the search_path as the
 * table is. */
#include "i18n.h"
#include "pg_int.h"
#include "run_ids_store.h"

/* Tries before giving up on a block of consecutive ids. */
#define RUN_IDS_TRIES 8

/* count values of the sequence in one statement: consecutive unless
 * another session took values of it meanwhile (a second writer, which
 * the host lock leaves out), in which case those are dropped (gaps in
 * ids are harmless) and a new block is taken.  The sequence only goes
 * up, so a block is above every id it handed out before; the highest id
 * of the table and `after` are checked all the same, and the sequence
 * moved past them if the block is not above them (ids written around
 * the sequence). */
int
pg_run_ids_store_reserve(struct mgr_db *db, int64_t count, int64_t after,
			 int64_t *first, struct mgr_error *err)
{
	struct pg_params p = { 0 }, past = { 0 };
	PGresult *res;
	int64_t lo, hi, above;
	int rc;

	if (count < 1)
		return mgr_error_set(err, MGR_EINVAL, _("cannot reserve %lld run "
		    "ids"), (long long)count);
	pg_int(&p, count);
	pg_int(&p, after);
	for (int i = 0; i < RUN_IDS_TRIES; i++) {
		if ((rc = pg_run(db, "SELECT min(v), max(v), greatest($2::bigint, "
		    "(SELECT max(id) FROM runs)) FROM (SELECT "
		    "nextval('runs_id_seq') AS v FROM generate_series(1, "
		    "$1::bigint)) AS ids", &p, &res, _("runs"), err)) != 0)
			return rc;
		lo = pg_i64(res, 0, 0);
		hi = pg_i64(res, 0, 1);
		above = pg_i64(res, 0, 2);
		PQclear(res);
		if (lo > above && hi - lo == count - 1) {
			*first = lo;
			return 0;
		}
		past.n = 0;
		pg_int(&past, above);
		if (hi <= above && (rc = pg_run(db, "SELECT setval("
		    "'runs_id_seq', $1::bigint)", &past, NULL, _("runs"),
		    err)) != 0)
			return rc;
	}
	return mgr_error_set(err, MGR_EDB, _("runs: no block of %lld "
	    "consecutive run ids in %d tries (another writer takes ids)"),
	    (long long)count, RUN_IDS_TRIES);
}
