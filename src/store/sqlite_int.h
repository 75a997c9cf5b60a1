/* sqlite_int.h - the SQLite backend's own helpers, for the files of
 * src/store only: nothing outside the store sees an SQLite type. */
#ifndef MGR_SQLITE_INT_H
#define MGR_SQLITE_INT_H

#include <sqlite3.h>
#include "db.h"

sqlite3 *db_handle(struct mgr_db *db);
/* A cached prepared statement, reset and with bindings cleared. Never
 * finalize it; the cache owns it. */
int db_prepare(struct mgr_db *db, const char *sql, sqlite3_stmt **st,
	       struct mgr_error *err);
int db_exec(struct mgr_db *db, const char *sql, struct mgr_error *err);
/* Fills err from SQLite's last error, with context; returns MGR_EDB. */
int db_error(struct mgr_db *db, struct mgr_error *err, const char *what);

/* Column helpers: a NULL column gives NULL / 0. */
char *db_column_strdup(sqlite3_stmt *st, int col);
int db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);

#endif
