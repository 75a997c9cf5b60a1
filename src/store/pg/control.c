/* control.c - the commands and host tables on PostgreSQL (see
 * control_store.h; command_rec_clear is the SQLite backend's, shared). */
#include "i18n.h"
#include "pg_int.h"
#include "control_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define COMMAND_COLUMNS "id, created_at, client_pid, argv, json, state, " \
	"exit_status, output, error_output, finished_at"

static void
command_from_row(PGresult *res, int i, struct command_rec *c)
{
	c->id = pg_i64(res, i, 0);
	c->created_at = pg_i64(res, i, 1);
	c->client_pid = (int)pg_i64(res, i, 2);
	c->argv = pg_strdup(res, i, 3);
	c->json = (int)pg_i64(res, i, 4);
	c->state = pg_strdup(res, i, 5);
	c->exit_status = (int)pg_i64(res, i, 6);
	c->output = pg_strdup(res, i, 7);
	c->error_output = pg_strdup(res, i, 8);
	c->finished_at = pg_i64(res, i, 9);
}

/* Runs a change; *n (if not NULL) the rows it changed. */
static int
change(struct mgr_db *db, const char *sql, const struct pg_params *p,
       int64_t *n, const char *what, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, sql, p, &res, what, err)) != 0)
		return rc;
	if (n != NULL)
		*n = pg_changed(res);
	PQclear(res);
	return 0;
}

int
pg_command_store_submit(struct mgr_db *db, const char *argv_json, int json,
			int client_pid, int64_t *id, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_int(&p, mgr_now_us());
	pg_int(&p, client_pid);
	pg_text(&p, argv_json);
	pg_int(&p, json);
	if ((rc = pg_run(db, "INSERT INTO commands (created_at, client_pid, "
	    "argv, json) VALUES ($1, $2, $3, $4) RETURNING id", &p, &res,
	    _("cannot submit the command"), err)) != 0)
		return rc;
	*id = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* The first row of sql as a command; MGR_ENOENT (err untouched) when
 * there is none. */
static int
command_one(struct mgr_db *db, const char *sql, const struct pg_params *p,
	    struct command_rec *out, const char *what, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, sql, p, &res, what, err)) != 0)
		return rc;
	rc = PQntuples(res) > 0 ? 0 : MGR_ENOENT;
	if (rc == 0)
		command_from_row(res, 0, out);
	PQclear(res);
	return rc;
}

int
pg_command_store_read(struct mgr_db *db, int64_t id, struct command_rec *out,
		      struct mgr_error *err)
{
	struct pg_params p = { 0 };
	int rc;

	pg_int(&p, id);
	rc = command_one(db, "SELECT " COMMAND_COLUMNS " FROM commands "
	    "WHERE id = $1", &p, out, _("cannot read the command"), err);
	if (rc == MGR_ENOENT)
		return mgr_error_set(err, MGR_ENOENT,
		    _("command %lld not found"), (long long)id);
	return rc;
}

int
pg_command_store_claim(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	int64_t n;
	int rc;

	pg_int(&p, id);
	if ((rc = change(db, "UPDATE commands SET state = 'running' "
	    "WHERE id = $1 AND state = 'pending'", &p, &n,
	    _("cannot claim the command"), err)) != 0)
		return rc;
	if (n == 0)
		return mgr_error_set(err, MGR_ENOENT,
		    _("command %lld is no longer pending"), (long long)id);
	return 0;
}

/* The oldest pending command that no other host is claiming at this
 * moment becomes running, in one statement; a read first, since a
 * statement trigger fires even when its UPDATE changes no row: it bumps
 * the change counter and notifies, and a claim with nothing pending woke
 * this host's own change watch, which claimed again (an idle daemon
 * committed ~2,800 transactions a second). */
int
pg_command_store_claim_next(struct mgr_db *db, struct command_rec *out,
			    struct mgr_error *err)
{
	PGresult *res;
	int rc, none;

	if ((rc = pg_run(db, "SELECT 1 FROM commands WHERE state = 'pending' "
	    "LIMIT 1", NULL, &res, _("cannot read pending commands"),
	    err)) != 0)
		return rc;
	none = PQntuples(res) == 0;
	PQclear(res);
	if (none)
		return MGR_ENOENT;
	return command_one(db, "UPDATE commands SET state = 'running' "
	    "WHERE id = (SELECT id FROM commands WHERE state = 'pending' "
	    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING "
	    COMMAND_COLUMNS, NULL, out, _("cannot read pending commands"), err);
}

int
pg_command_store_finish(struct mgr_db *db, int64_t id, int exit_status,
			const char *output, const char *error_output,
			struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, id);
	pg_int(&p, exit_status);
	pg_text(&p, output != NULL ? output : "");
	pg_text(&p, error_output != NULL ? error_output : "");
	pg_int(&p, mgr_now_us());
	return change(db, "UPDATE commands SET state = 'done', "
	    "exit_status = $2, output = $3, error_output = $4, finished_at = $5 "
	    "WHERE id = $1", &p, NULL, _("cannot record the command's result"),
	    err);
}

int
pg_command_store_cancel(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	int64_t n;
	int rc;

	pg_int(&p, id);
	if ((rc = change(db, "DELETE FROM commands WHERE id = $1 "
	    "AND state = 'pending'", &p, &n, _("cannot withdraw the command"),
	    err)) != 0)
		return rc;
	return n == 0 ? MGR_ENOENT : 0;
}

int
pg_command_store_abandon_running(struct mgr_db *db, const char *message,
				 int64_t *n, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, message);
	pg_int(&p, mgr_now_us());
	return change(db, "UPDATE commands SET state = 'done', "
	    "exit_status = 1, output = '', error_output = $1, finished_at = $2 "
	    "WHERE state = 'running'", &p, n,
	    _("cannot close abandoned commands"), err);
}

int
pg_command_store_prune(struct mgr_db *db, int64_t older_than_us, int64_t *n,
		       struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, older_than_us);
	return pg_delete_found(db, "commands", "SELECT id FROM commands "
	    "WHERE created_at < $1 AND state = 'done'", &p, n,
	    _("cannot prune old commands"), err);
}

int
pg_host_store_set(struct mgr_db *db, int pid, const char *kind,
		  int64_t started_at, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, pid);
	pg_text(&p, kind);
	pg_int(&p, started_at);
	return change(db, "INSERT INTO host (id, pid, kind, started_at, "
	    "heartbeat_at) VALUES (1, $1, $2, $3, $3) ON CONFLICT (id) DO "
	    "UPDATE SET pid = excluded.pid, kind = excluded.kind, "
	    "started_at = excluded.started_at, "
	    "heartbeat_at = excluded.heartbeat_at", &p, NULL,
	    _("cannot record the engine host"), err);
}

int
pg_host_store_clear(struct mgr_db *db, int pid, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, pid);
	return change(db, "DELETE FROM host WHERE id = 1 AND pid = $1", &p,
	    NULL, _("cannot clear the engine host"), err);
}

int
pg_host_store_get(struct mgr_db *db, int *pid, char **kind,
		  int64_t *started_at, int64_t *heartbeat_at,
		  struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "SELECT pid, kind, started_at, heartbeat_at "
	    "FROM host WHERE id = 1", NULL, &res,
	    _("cannot read the engine host"), err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return MGR_ENOENT;
	}
	if (pid != NULL)
		*pid = (int)pg_i64(res, 0, 0);
	if (kind != NULL)
		*kind = pg_strdup(res, 0, 1);
	if (started_at != NULL)
		*started_at = pg_i64(res, 0, 2);
	if (heartbeat_at != NULL)
		*heartbeat_at = pg_i64(res, 0, 3);
	PQclear(res);
	return 0;
}
