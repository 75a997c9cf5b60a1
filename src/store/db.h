/* db.h - the store's connection: open (creating and migrating), close,
 * transactions, versions, integrity.  No backend type shows here: the
 * SQLite backend's own helpers are in sqlite_int.h, which only the files
 * of src/store include.  Every SQL statement lives in src/store. */
#ifndef MGR_DB_H
#define MGR_DB_H

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

const char *db_path(struct mgr_db *db);
int db_user_version(struct mgr_db *db, int *version, struct mgr_error *err);

/* Runs fn inside a transaction (a savepoint when nested): commit when fn
 * returns 0, roll back on any error.  The seed's @transactional. */
typedef int (*db_txn_fn)(struct mgr_db *db, void *arg, struct mgr_error *err);
int db_transaction(struct mgr_db *db, db_txn_fn fn, void *arg,
		   struct mgr_error *err);
/* Explicit form, for code that cannot be shaped as a callback. */
int db_begin(struct mgr_db *db, struct mgr_error *err);
int db_commit(struct mgr_db *db, struct mgr_error *err);
void db_rollback(struct mgr_db *db);
/* A read snapshot: what is read between the two sees one state of the
 * store while others write (the console's signature and its rows). */
int db_read_begin(struct mgr_db *db, struct mgr_error *err);
void db_read_end(struct mgr_db *db);

/* PRAGMA data_version: changes when another connection commits. */
int64_t db_data_version(struct mgr_db *db);
/* PRAGMA integrity_check; *ok set, *report the text (malloc'd). */
int db_integrity_check(struct mgr_db *db, int *ok, char **report,
		       struct mgr_error *err);

/* The store folder's commands (cmd-db.c), for the program's table. */
struct cmd_entry;
extern const struct cmd_entry *const store_commands[];

#endif
