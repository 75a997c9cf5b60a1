/* db.h - the SQLite connection: pragmas, migrations, transactions,
 * statement cache.  Every SQL statement lives in db.c or a *_store.c. */
#ifndef MGR_DB_H
#define MGR_DB_H

#include <sqlite3.h>
#include <stdint.h>
#include "error.h"

struct mgr_db;

/* The schema version this build writes (PRAGMA user_version). */
int db_schema_latest(void);

/* Opens (creating the file 0600 and its folder 0700), sets WAL, foreign
 * keys and busy_timeout, and migrates to the latest version.  A database
 * written by a newer version is refused with MGR_EVERSION. */
int db_open(const char *path, struct mgr_db **out, struct mgr_error *err);
/* As db_open, but migrates only up to `version` (for tests). */
int db_open_version(const char *path, int version, struct mgr_db **out,
		    struct mgr_error *err);
void db_close(struct mgr_db *db);

sqlite3 *db_handle(struct mgr_db *db);
const char *db_path(struct mgr_db *db);
int db_user_version(struct mgr_db *db, int *version, struct mgr_error *err);

/* A cached prepared statement, reset and with bindings cleared. Never
 * finalize it; the cache owns it. */
int db_prepare(struct mgr_db *db, const char *sql, sqlite3_stmt **st,
	       struct mgr_error *err);
int db_exec(struct mgr_db *db, const char *sql, struct mgr_error *err);
/* Fills err from SQLite's last error, with context; returns MGR_EDB. */
int db_error(struct mgr_db *db, struct mgr_error *err, const char *what);

/* Runs fn inside a transaction (a savepoint when nested): commit when fn
 * returns 0, roll back on any error.  The seed's @transactional. */
typedef int (*db_txn_fn)(struct mgr_db *db, void *arg, struct mgr_error *err);
int db_transaction(struct mgr_db *db, db_txn_fn fn, void *arg,
		   struct mgr_error *err);
/* Explicit form, for code that cannot be shaped as a callback. */
int db_begin(struct mgr_db *db, struct mgr_error *err);
int db_commit(struct mgr_db *db, struct mgr_error *err);
void db_rollback(struct mgr_db *db);

/* PRAGMA data_version: changes when another connection commits. */
int64_t db_data_version(struct mgr_db *db);
/* PRAGMA integrity_check; *ok set, *report the text (malloc'd). */
int db_integrity_check(struct mgr_db *db, int *ok, char **report,
		       struct mgr_error *err);

/* Column helpers: a NULL column gives NULL / 0. */
char *db_column_strdup(sqlite3_stmt *st, int col);
int db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s);

#endif
