/* copy.c - db copy's reads and writes (copy_store.h) on SQLite: text in,
 * text out; a column's affinity turns an integer's text back into an
 * integer. */
#include "i18n.h"
#include "copy_store.h"
#include "sqlite_int.h"
#include "util.h"

#include <stdlib.h>

int
sqlite_copy_store_read(struct mgr_db *db, const char *table,
		       const char *columns, const char *key, int key_int,
		       int64_t after, size_t limit, copy_row_fn fn, void *arg,
		       size_t *n, struct mgr_error *err)
{
	char *sql = xasprintf("SELECT %s FROM %s %s ORDER BY %s LIMIT %lld",
	    columns, table, key_int ? "WHERE id > ?1" : "", key,
	    limit > 0 ? (long long)limit : -1LL);
	const char *v[32];
	sqlite3_stmt *st;
	int rc, cols, step = SQLITE_DONE;

	*n = 0;
	rc = sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return db_error(db, err, table);
	if ((cols = sqlite3_column_count(st)) > 32) {
		sqlite3_finalize(st);
		return mgr_error_set(err, MGR_EINVAL, "%s: %d columns", table,
		    cols);
	}
	if (key_int)
		sqlite3_bind_int64(st, 1, after);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < cols; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		rc = fn(arg, v, cols, err);
		(*n)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_error(db, err, table);
	sqlite3_finalize(st);
	return rc;
}

int
sqlite_copy_store_insert(struct mgr_db *db, const char *table,
			 const char *columns, int ncols,
			 const char *const *values, size_t nrows,
			 struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	strbuf_addf(&sb, "INSERT INTO %s (%s) VALUES (", table, columns);
	for (int i = 1; i <= ncols; i++)
		strbuf_addf(&sb, "%s?%d", i > 1 ? ", " : "", i);
	strbuf_addf(&sb, ")");
	rc = sqlite3_prepare_v2(db_handle(db), sb.buf, -1, &st, NULL);
	free(sb.buf);
	if (rc != SQLITE_OK)
		return db_error(db, err, table);
	rc = 0;
	for (size_t r = 0; rc == 0 && r < nrows; r++) {
		for (int i = 0; i < ncols; i++)
			db_bind_text_or_null(st, i + 1,
			    values[r * (size_t)ncols + (size_t)i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_error(db, err, table);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Rows inserted with their ids need nothing more: a new row takes the
 * highest id plus one. */
int
sqlite_copy_store_finish(struct mgr_db *db, struct mgr_error *err)
{
	(void)db;
	(void)err;
	return 0;
}
