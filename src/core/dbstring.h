/* dbstring.h - what the `database` setting names: a file (SQLite), or a
 * database server (PostgreSQL: a postgresql:// or postgres:// URL, or a
 * libpq connection string of keyword=value words).  The configuration
 * resolves a file against its folder and keeps a server's string as it
 * is; the store picks its backend by the same rule. */
#ifndef MGR_DBSTRING_H
#define MGR_DBSTRING_H

#include "error.h"

/* 1 when s names a PostgreSQL server rather than a file. */
int db_string_is_server(const char *s);

/* Where this host keeps its own files that go with the database (the
 * scheduler's claim mark): beside the file for SQLite; for a server, in
 * data_dir (made 0700 if missing) under a name taken from the string's
 * checksum.  *out malloc'd. */
int db_string_local_stem(const char *s, const char *data_dir, char **out,
			 struct mgr_error *err);

#endif
