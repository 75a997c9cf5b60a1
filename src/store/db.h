/* db.h - the store's connection: open (creating and migrating), close,
 * transactions, versions, integrity, the change watch and the one-host
 * lock.  No backend type shows here: each function goes to the backend
 * the connection was opened with (backend.h); the SQLite backend is
 * src/store/sqlite, the only folder that sees an SQLite type. */
#ifndef MGR_DB_H
#define MGR_DB_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct mgr_db;

/* The schema version this build writes (PRAGMA user_version). */
int db_schema_latest(void);

/* Opens (creating the file 0600 and its folder 0700), sets WAL, foreign
 * keys and busy_timeout, and migrates to the latest version.  A database
 * written by a newer version is refused with MGR_EVERSION. */
int db_open(const char *path, struct mgr_db **out, struct mgr_error *err);
/* The path of a database that lives in memory only: empty at each open,
 * no file or folder made (a read-only command's missing database). */
#define DB_MEMORY ":memory:"
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

/* A number that changes when another connection commits (SQLite: PRAGMA
 * data_version); -1 on error. */
int64_t db_data_version(struct mgr_db *db);
/* A number that changes whenever any connection, this one included,
 * changed the store (-1 on error): what was read under one mark is still
 * what the store holds while the mark is the same.  Read in a snapshot
 * (db_read_begin) before what it stands for. */
int64_t db_change_mark(struct mgr_db *db);
/* Gives back what the connection caches (SQLite: its page cache, 2 MB
 * once full), when it goes idle after much work: an idle engine's memory
 * is then its tasks', not the pages it read while loading them. */
void db_release_memory(struct mgr_db *db);
/* Lets the connection's page cache hold up to kib KiB (SQLite: its
 * cache_size, 2 MB by default; PostgreSQL: nothing, the server keeps
 * the pages), for a connection that writes large transactions: pages it
 * dirties past its cache are spilled to the WAL before the commit and
 * read back.  db_release_memory still gives them back when idle. */
void db_cache_size(struct mgr_db *db, int kib);
/* What the connection's page cache did since the last call (SQLite's
 * sqlite3_db_status counters, reset by the call): pages written to the
 * log (at commits and spills), of which spilled before a commit, and
 * pages read because the cache did not hold them.  PostgreSQL: zeros,
 * the server keeps the pages.  For measuring a writer (bench/run). */
struct db_io_counts {
	int64_t written, spilled, misses;
};
void db_io_counts(struct mgr_db *db, struct db_io_counts *out);
/* This connection stops copying its log back into the database at the
 * commit that fills it (SQLite: the checkpoint of a WAL past 1,000
 * pages, with its fsyncs, a few ms): due(arg) is called instead after
 * such a commit, from inside it, and someone else (another connection,
 * another thread) runs db_checkpoint.  The engine's loop hands its
 * checkpoints to the history writer's thread so.  due NULL: the
 * connection checkpoints at commit again.  PostgreSQL: nothing to do,
 * the server checkpoints. */
void db_checkpoint_elsewhere(struct mgr_db *db, void (*due)(void *arg),
			     void *arg);
/* Copies what the log holds back into the database, as far as readers
 * allow, without waiting for them (SQLite: a passive checkpoint). */
int db_checkpoint(struct mgr_db *db, struct mgr_error *err);

/* Noticing other connections' commits without polling.  db_watch_fd is
 * readable when something may have changed (-1: none; poll instead);
 * db_watch_drain reads what is pending and returns 1 when any of it may
 * be a commit, which db_data_version then confirms: a notice can come a
 * moment before the change is visible.  Never NULL. */
struct db_watch;
struct db_watch *db_watch_open(struct mgr_db *db);
int db_watch_fd(const struct db_watch *w);
int db_watch_drain(struct db_watch *w);
void db_watch_close(struct db_watch *w);

/* The one-host lock: one engine host per store.  MGR_EBUSY when another
 * process holds it (err names it); the kernel or the server releases it
 * when its holder dies, however it dies.  kind: ENGINE_KIND_* */
struct db_host_lock;
int db_host_lock(struct mgr_db *db, const char *kind,
		 struct db_host_lock **out, struct mgr_error *err);
void db_host_unlock(struct db_host_lock *lock);
/* The server's pid of the session holding the lock (its holder's row in
 * hosts_store.h names it, so that a standby can find and fence a holder
 * whose lease ran out); 0 on a file. */
int db_host_lock_session(struct db_host_lock *lock);
/* 0 while the lock is held; MGR_EDB (err set) when its session ended
 * (another host fenced this one: hosts_store_fence_holder).  A file's
 * lock is held until released. */
int db_host_lock_check(struct db_host_lock *lock, struct mgr_error *err);
/* After db_host_lock_check failed on a server: a new session for the
 * lock, without the lock (db_host_lock_session names it from then on),
 * and then the lock on it: MGR_EBUSY when another session holds it
 * (another host took over), MGR_EDB when the server is out of reach.
 * A file's lock is never lost: both do nothing. */
int db_host_lock_reopen(struct db_host_lock *lock, struct mgr_error *err);
int db_host_lock_retake(struct db_host_lock *lock, struct mgr_error *err);
/* Whether db's connection to its server is broken (it restarted, ended
 * the session, or is out of reach): every statement fails at once until
 * db_reconnect makes a new session (a transaction in progress is lost).
 * Nothing reconnects by itself: a host that another one fenced must not
 * write again (src/engine/hostreg.c decides).  Never on a file. */
int db_lost(struct mgr_db *db);
int db_reconnect(struct mgr_db *db, struct mgr_error *err);
/* Probes without taking it: 1 when another process holds the lock, with
 * its pid and kind when known (0 and "" while it is starting). */
int db_host_holder(struct mgr_db *db, int *pid, char *kind, size_t kindsz);
/* PRAGMA integrity_check; *ok set, *report the text (malloc'd). */
int db_integrity_check(struct mgr_db *db, int *ok, char **report,
		       struct mgr_error *err);

/* The store folder's commands (cmd-db.c), for the program's table. */
struct cmd_entry;
extern const struct cmd_entry *const store_commands[];

#endif
