/* run_ids_store.c - run ids handed out by the engine (run_ids_store.h),
 * SQLite: one index lookup, no write. */
#include "i18n.h"
#include "run_ids_store.h"
#include "sqlite/sqlite_int.h"

int
sqlite_run_ids_store_reserve(struct mgr_db *db, int64_t count, int64_t after,
		      int64_t *first, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int64_t max = 0;
	int rc;

	(void)count;	/* the host lock reserves them all: see the header */
	if ((rc = db_prepare(db, "SELECT max(id) FROM runs", &st, err)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		max = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("runs"));
	*first = (max > after ? max : after) + 1;
	return 0;
}
