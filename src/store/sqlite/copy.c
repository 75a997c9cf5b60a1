/* copy.c - db copy's reads and writes (copy_store.h) on SQLite: text in,
 * text out; a column's affinity turns an integer's text back into an
 * integer; a blob column's bytes travel as hex. */
#include "i18n.h"
#include "copy_store.h"
#include "sqlite_int.h"
#include "util.h"

#include <stdlib.h>

/* Column i of the row as text, or as hex when it is a blob column
 * (*hex keeps what to free). */
static const char *
read_value(sqlite3_stmt *st, int i, unsigned blobs, char **hex)
{
	if (!(blobs & (1u << i)))
		return (const char *)sqlite3_column_text(st, i);
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	*hex = copy_hex(sqlite3_column_blob(st, i),
	    (size_t)sqlite3_column_bytes(st, i));
	return *hex;
}

int
sqlite_copy_store_read(struct mgr_db *db, const char *table,
		       const char *columns, unsigned blobs,
		       const struct copy_key *key, int64_t after, size_t limit,
		       copy_row_fn fn, void *arg, size_t *n,
		       struct mgr_error *err)
{
	/* Text sorts in byte order (BINARY) and an integer as a number,
	 * whatever key->ints says. */
	char *sql = xasprintf("SELECT %s FROM %s %s%s%s ORDER BY %s LIMIT %lld",
	    columns, table, key->paged ? "WHERE " : "",
	    key->paged ? key->columns : "", key->paged ? " > ?1" : "",
	    key->columns, limit > 0 ? (long long)limit : -1LL);
	const char *v[32];
	char *hex[32] = { 0 };
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
	if (key->paged)
		sqlite3_bind_int64(st, 1, after);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < cols; i++)
			v[i] = read_value(st, i, blobs, &hex[i]);
		rc = fn(arg, v, cols, err);
		for (int i = 0; i < cols; i++) {
			free(hex[i]);
			hex[i] = NULL;
		}
		(*n)++;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = db_error(db, err, table);
	sqlite3_finalize(st);
	return rc;
}

/* Binds value v to parameter i + 1: a blob column's hex as its bytes. */
static int
bind_value(sqlite3_stmt *st, int i, unsigned blobs, const char *v,
	   const char *table, struct mgr_error *err)
{
	unsigned char *b;
	size_t len;

	if (v == NULL || !(blobs & (1u << i))) {
		db_bind_text_or_null(st, i + 1, v);
		return 0;
	}
	if ((b = copy_unhex(v, &len)) == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: column %d: not hex: "
		    "\"%.40s\""), table, i + 1, v);
	sqlite3_bind_blob64(st, i + 1, b, len, free);
	return 0;
}

int
sqlite_copy_store_insert(struct mgr_db *db, const char *table,
			 const char *columns, unsigned blobs, int ncols,
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
		for (int i = 0; rc == 0 && i < ncols; i++)
			rc = bind_value(st, i, blobs,
			    values[r * (size_t)ncols + (size_t)i], table, err);
		if (rc == 0 && sqlite3_step(st) != SQLITE_DONE)
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
