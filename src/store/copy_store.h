/* copy_store.h - `manager db copy FROM TO` (issue 19): every row of one
 * store into an empty other, whatever their backends (SQLite to
 * PostgreSQL and back).  Both have the same tables and columns (same
 * migrations), so rows travel as text values, NULL kept apart. */
#ifndef MGR_COPY_STORE_H
#define MGR_COPY_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* What was copied, table by table, in copy order. */
struct db_copy_table {
	const char *name;
	int64_t rows;
	char sha256[65];	/* of the rows as read, in key order */
};

#define DB_COPY_NTABLES 9

/* The tables, then what the caller's extra part copied (name NULL when
 * there was none). */
struct db_copy_report {
	struct db_copy_table tables[DB_COPY_NTABLES + 1];
};

/* What goes with the rows but is no table both backends have: the large
 * run logs (src/tasks/runlog_copy.c: files on SQLite, run_log_chunks on
 * PostgreSQL), which the store cannot name.  copy runs inside the
 * copy's transaction on `to`, after the tables, before the commit, and
 * fills its line of the report, checked as the tables are; undo is
 * called when the copy fails once copy was called, itself or later (what
 * it wrote outside the transaction goes). */
struct db_copy_extra {
	int (*copy)(void *arg, struct mgr_db *from, struct mgr_db *to,
		    struct db_copy_table *line, struct mgr_error *err);
	void (*undo)(void *arg);
	void *arg;
};

/* Copies every table but the live host row (commands are copied: their
 * answers are history; so are the notifications owed, notify_pending:
 * the next engine start on `to` sends them) from `from` into
 * `to`, in one transaction on `to`, reading `from` in one snapshot; then
 * reads the copy back inside that transaction and compares row counts
 * and checksums before it commits.  MGR_EEXIST (nothing written) when
 * `to` holds any row; MGR_EVERSION when the schemas differ.  extra
 * (NULL: none) copies what no table holds, in the same transaction. */
int db_copy(struct mgr_db *from, struct mgr_db *to,
	    const struct db_copy_extra *extra, struct db_copy_report *rep,
	    struct mgr_error *err);

/* The most columns a copied table has. */
#define DB_COPY_MAXCOLS 24

/* The backends' part (backend.h). */
typedef int (*copy_row_fn)(void *arg, const char *const *values, int n,
			   struct mgr_error *err);
/* A table's key, the order rows are read in: its columns (a
 * comma-separated list) and their types, since text sorts in byte order
 * (SQLite's; COLLATE "C" on PostgreSQL, which refuses a collation on an
 * integer).  A paged key is one integer column (an id). */
struct copy_key {
	const char *columns;
	unsigned ints;		/* bit i: the i-th column is an integer */
	int paged;
};
/* Rows of table (columns: a comma-separated list) in the order of key,
 * those whose key is over `after` when key->paged is set, at most limit
 * of them (0: all).  *n: how many rows went to fn.  The columns of bit i
 * of blobs (the i-th, from 0) hold any bytes (commands.input): they
 * travel as lowercase hex digits. */
int copy_store_read(struct mgr_db *db, const char *table, const char *columns,
		    unsigned blobs, const struct copy_key *key, int64_t after,
		    size_t limit, copy_row_fn fn, void *arg, size_t *n,
		    struct mgr_error *err);
/* Inserts nrows rows of ncols values each (row after row; NULL: SQL NULL),
 * those of the columns of blobs given in hex. */
int copy_store_insert(struct mgr_db *db, const char *table, const char *columns,
		      unsigned blobs, int ncols, const char *const *values,
		      size_t nrows, struct mgr_error *err);
/* The backends' hex for blob columns (copy.c): copy_hex's digits are
 * lowercase (malloc'd); copy_unhex gives *len bytes (malloc'd), or NULL
 * for a value that is not hex. */
char *copy_hex(const unsigned char *b, size_t len);
unsigned char *copy_unhex(const char *hex, size_t *len);
/* After the inserts: whatever the backend must bring level with rows
 * inserted with their ids (PostgreSQL's sequences). */
int copy_store_finish(struct mgr_db *db, struct mgr_error *err);

#endif
