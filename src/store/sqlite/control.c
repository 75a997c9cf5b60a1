/* control_store.c - the commands and host tables (see control_store.h).
 *
 * Every statement is reset after use: a cached SELECT left mid-step keeps
 * a read transaction open, which would pin the WAL snapshot and hide the
 * other process's writes from us.
 */
#include "i18n.h"
#include "sqlite_int.h"
#include "control_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define COMMAND_COLUMNS "id, created_at, client_pid, argv, json, state, " \
	"exit_status, output, error_output, finished_at"

void
command_rec_clear(struct command_rec *c)
{
	free(c->argv);
	free(c->state);
	free(c->output);
	free(c->error_output);
	memset(c, 0, sizeof *c);
}

static void
command_from_row(sqlite3_stmt *st, struct command_rec *c)
{
	c->id = sqlite3_column_int64(st, 0);
	c->created_at = sqlite3_column_int64(st, 1);
	c->client_pid = sqlite3_column_int(st, 2);
	c->argv = db_column_strdup(st, 3);
	c->json = sqlite3_column_int(st, 4);
	c->state = db_column_strdup(st, 5);
	c->exit_status = sqlite3_column_int(st, 6);
	c->output = db_column_strdup(st, 7);
	c->error_output = db_column_strdup(st, 8);
	c->finished_at = sqlite3_column_int64(st, 9);
}

/* Steps a statement that changes rows; resets it; fails on error. */
static int
step_change(struct mgr_db *db, sqlite3_stmt *st, const char *what,
	    struct mgr_error *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, what);
	return 0;
}

/* step_change, then the number of rows it changed into *n. */
static int
step_count(struct mgr_db *db, sqlite3_stmt *st, const char *what, int64_t *n,
	   struct mgr_error *err)
{
	int rc = step_change(db, st, what, err);

	if (rc == 0)
		*n = sqlite3_changes(db_handle(db));
	return rc;
}

/* Runs a statement that changes the row with this id (bound as ?1);
 * MGR_ENOENT when no row changed (gone, or no longer in the state the
 * statement asks for). */
static int
change_by_id(struct mgr_db *db, const char *sql, int64_t id, const char *what,
	     struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = step_change(db, st, what, err)) != 0)
		return rc;
	return sqlite3_changes(db_handle(db)) == 0 ? MGR_ENOENT : 0;
}

/* Steps a prepared SELECT of COMMAND_COLUMNS into *out; resets it.
 * MGR_ENOENT (without a message) when it finds no row. */
static int
read_command(struct mgr_db *db, sqlite3_stmt *st, struct command_rec *out,
	     const char *what, struct mgr_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		command_from_row(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return MGR_ENOENT;
	return db_error(db, err, what);
}

int
sqlite_command_store_submit(struct mgr_db *db, const char *argv_json, int json,
			    int client_pid, int64_t *id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO commands (created_at, client_pid, "
	    "argv, json) VALUES (?1, ?2, ?3, ?4)", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, mgr_now_us());
	sqlite3_bind_int(st, 2, client_pid);
	sqlite3_bind_text(st, 3, argv_json, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, json);
	if ((rc = step_change(db, st, _("cannot submit the command"), err)) != 0)
		return rc;
	*id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

int
sqlite_command_store_read(struct mgr_db *db, int64_t id, struct command_rec *out,
			  struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " COMMAND_COLUMNS " FROM commands "
	    "WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = read_command(db, st, out, _("cannot read the command"), err);
	if (rc == MGR_ENOENT)
		return mgr_error_set(err, MGR_ENOENT, _("command %lld not found"),
		    (long long)id);
	return rc;
}

int
sqlite_command_store_claim(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	int rc = change_by_id(db, "UPDATE commands SET state = 'running' "
	    "WHERE id = ?1 AND state = 'pending'", id,
	    _("cannot claim the command"), err);

	if (rc == MGR_ENOENT)
		return mgr_error_set(err, MGR_ENOENT,
		    _("command %lld is no longer pending"), (long long)id);
	return rc;
}

static int
command_oldest_pending(struct mgr_db *db, struct command_rec *out,
		       struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " COMMAND_COLUMNS " FROM commands "
	    "WHERE state = 'pending' ORDER BY id LIMIT 1", &st, err)) != 0)
		return rc;
	return read_command(db, st, out, _("cannot read pending commands"),
	    err);
}

int
sqlite_command_store_claim_next(struct mgr_db *db, struct command_rec *out,
				struct mgr_error *err)
{
	int rc;

	if ((rc = db_begin(db, err)) != 0)
		return rc;
	rc = command_oldest_pending(db, out, err);
	if (rc == 0)
		rc = sqlite_command_store_claim(db, out->id, err);
	if (rc != 0) {
		db_rollback(db);
		if (rc != MGR_ENOENT)
			command_rec_clear(out);
		return rc;
	}
	return db_commit(db, err);
}

int
sqlite_command_store_finish(struct mgr_db *db, int64_t id, int exit_status,
			    const char *output, const char *error_output,
			    struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE commands SET state = 'done', "
	    "exit_status = ?2, output = ?3, error_output = ?4, finished_at = ?5 "
	    "WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, exit_status);
	sqlite3_bind_text(st, 3, output != NULL ? output : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, error_output != NULL ? error_output : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, mgr_now_us());
	return step_change(db, st, _("cannot record the command's result"), err);
}

int
sqlite_command_store_cancel(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	return change_by_id(db, "DELETE FROM commands WHERE id = ?1 "
	    "AND state = 'pending'", id, _("cannot withdraw the command"), err);
}

int
sqlite_command_store_abandon_running(struct mgr_db *db, const char *message,
				     int64_t *n, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE commands SET state = 'done', "
	    "exit_status = 1, output = '', error_output = ?1, finished_at = ?2 "
	    "WHERE state = 'running'", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, mgr_now_us());
	return step_count(db, st, _("cannot close abandoned commands"), n, err);
}

int
sqlite_command_store_prune(struct mgr_db *db, int64_t older_than_us, int64_t *n,
			   struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "DELETE FROM commands WHERE created_at < ?1 "
	    "AND state = 'done'", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, older_than_us);
	return step_count(db, st, _("cannot prune old commands"), n, err);
}

int
sqlite_host_store_set(struct mgr_db *db, int pid, const char *kind,
		      int64_t started_at, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT OR REPLACE INTO host (id, pid, kind, "
	    "started_at, heartbeat_at) VALUES (1, ?1, ?2, ?3, ?3)", &st, err)) != 0)
		return rc;
	sqlite3_bind_int(st, 1, pid);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, started_at);
	return step_change(db, st, _("cannot record the engine host"), err);
}

int
sqlite_host_store_clear(struct mgr_db *db, int pid, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "DELETE FROM host WHERE id = 1 AND pid = ?1",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_int(st, 1, pid);
	return step_change(db, st, _("cannot clear the engine host"), err);
}

int
sqlite_host_store_get(struct mgr_db *db, int *pid, char **kind, int64_t *started_at,
		      int64_t *heartbeat_at, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT pid, kind, started_at, heartbeat_at "
	    "FROM host WHERE id = 1", &st, err)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (pid != NULL)
			*pid = sqlite3_column_int(st, 0);
		if (kind != NULL)
			*kind = db_column_strdup(st, 1);
		if (started_at != NULL)
			*started_at = sqlite3_column_int64(st, 2);
		if (heartbeat_at != NULL)
			*heartbeat_at = sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return MGR_ENOENT;
	return db_error(db, err, _("cannot read the engine host"));
}
