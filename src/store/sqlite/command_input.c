/* command_input_store.c - the `input` column of `commands`
 * (command_input_store.h).  Statements are reset after use, as in
 * sqlite/control.c: a SELECT left mid-step would pin the WAL snapshot. */
#include "i18n.h"
#include "sqlite/sqlite_int.h"
#include "command_input_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int
sqlite_command_store_submit_input(struct mgr_db *db, const char *argv_json, int json,
			   int client_pid, const char *input, size_t len,
			   int64_t *id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO commands (created_at, client_pid, "
	    "argv, json, input) VALUES (?1, ?2, ?3, ?4, ?5)", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, mgr_now_us());
	sqlite3_bind_int(st, 2, client_pid);
	sqlite3_bind_text(st, 3, argv_json, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, json);
	/* A zero-length blob, not NULL: the client sent an empty stdin. */
	sqlite3_bind_blob64(st, 5, input != NULL ? input : "", len,
	    SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, _("cannot submit the command"));
	*id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

int
sqlite_command_store_input(struct mgr_db *db, int64_t id, char **input, size_t *len,
		    struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	*input = NULL;
	*len = 0;
	if ((rc = db_prepare(db, "SELECT input FROM commands WHERE id = ?1", &st,
	    err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		const void *b = sqlite3_column_blob(st, 0);
		*len = (size_t)sqlite3_column_bytes(st, 0);
		*input = xmalloc(*len + 1);
		if (*len > 0)
			memcpy(*input, b, *len);
		(*input)[*len] = '\0';
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("command %lld not found"),
		    (long long)id);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("cannot read the command"));
	return 0;
}
