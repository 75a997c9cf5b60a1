/* db.c - the PostgreSQL backend's connection: which database strings it
 * takes, connecting, the schema and its migrations, transactions, the
 * data version, and the helpers every statement goes through. */
#include "i18n.h"
#include "pg_int.h"
#include "dbstring.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Takes the migration lock: two processes opening a new database at
 * once migrate one after the other (the key is "mgr-migr" in ASCII). */
#define PG_MIGRATION_LOCK "SELECT pg_advisory_xact_lock(7883645218530961522)"

/* Same numbering as the SQLite backend's migrations, same tables and
 * columns: bigint microseconds for times, integer for flags, text for
 * JSON (read back byte for byte).  Every table's statements bump the
 * change counter and notify PG_CHANGE_CHANNEL (the data version and the
 * watch).  The counter has one row per slot of backend pids, so writers
 * on different connections rarely wait on each other's row.  Never edit a
 * released migration: add a new one. */
static const char *const migrations[] = {
	/* 1: the seed's models, and the change counter */
	"CREATE TABLE mgr_change (slot integer PRIMARY KEY, n bigint NOT NULL);"
	"CREATE FUNCTION mgr_changed() RETURNS trigger LANGUAGE plpgsql AS $$"
	" BEGIN"
	"  INSERT INTO mgr_change VALUES (pg_backend_pid() % 64, 1)"
	"   ON CONFLICT (slot) DO UPDATE SET n = mgr_change.n + 1;"
	"  PERFORM pg_notify('" PG_CHANGE_CHANNEL "', '');"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TABLE plugins ("
	"  id text PRIMARY KEY,"
	"  name text NOT NULL,"
	"  version text NOT NULL,"
	"  description text NOT NULL DEFAULT '',"
	"  author text NOT NULL DEFAULT '',"
	"  enabled integer NOT NULL DEFAULT 0,"
	"  installed_at bigint NOT NULL,"
	"  path text NOT NULL,"
	"  manifest text NOT NULL DEFAULT '{}',"
	"  dependencies text NOT NULL DEFAULT '[]',"
	"  state text NOT NULL DEFAULT 'disabled'"
	"    CHECK (state IN ('enabled','disabled','faulted')),"
	"  error text,"
	"  updated_at bigint NOT NULL);"
	"CREATE TABLE tasks ("
	"  id text PRIMARY KEY,"
	"  name text NOT NULL,"
	"  func_path text NOT NULL,"
	"  trigger text NOT NULL CONSTRAINT tasks_trigger_check"
	"    CHECK (trigger IN ('interval','cron','date')),"
	"  trigger_args text NOT NULL DEFAULT '{}',"
	"  enabled integer NOT NULL DEFAULT 1,"
	"  max_retries integer NOT NULL DEFAULT 3,"
	"  timeout integer NOT NULL DEFAULT 0,"
	"  last_run bigint,"
	"  next_run bigint,"
	"  status text NOT NULL DEFAULT 'scheduled',"
	"  plugin_id text,"
	"  misfire_grace_time integer NOT NULL DEFAULT 1,"
	"  \"coalesce\" integer NOT NULL DEFAULT 1,"
	"  max_instances integer NOT NULL DEFAULT 1,"
	"  source text NOT NULL DEFAULT 'cli',"
	"  created_at bigint NOT NULL,"
	"  updated_at bigint NOT NULL);"
	"CREATE INDEX tasks_next_run ON tasks(next_run);"
	"CREATE INDEX tasks_plugin ON tasks(plugin_id);"
	"CREATE TABLE plugin_state ("
	"  plugin_id text NOT NULL REFERENCES plugins(id) ON DELETE CASCADE,"
	"  key text NOT NULL,"
	"  value text NOT NULL,"
	"  PRIMARY KEY (plugin_id, key));"
	"CREATE TRIGGER plugins_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON plugins FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();"
	"CREATE TRIGGER tasks_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON tasks FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();"
	"CREATE TRIGGER plugin_state_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON plugin_state FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();",
	/* 2: history, audit, control plane, snapshots, host */
	"CREATE TABLE runs ("
	"  id bigserial PRIMARY KEY,"
	"  task_id text NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	"  attempt integer NOT NULL DEFAULT 1,"
	"  scheduled_at bigint,"
	"  started_at bigint,"
	"  ended_at bigint,"
	"  status text NOT NULL,"
	"  exit_code integer,"
	"  signal integer,"
	"  output text,"
	"  error text);"
	"CREATE INDEX runs_task ON runs(task_id, id);"
	"CREATE INDEX runs_started ON runs(started_at);"
	"CREATE TABLE events ("
	"  id bigserial PRIMARY KEY,"
	"  at bigint NOT NULL,"
	"  kind text NOT NULL,"
	"  subject text NOT NULL DEFAULT '',"
	"  message text NOT NULL);"
	"CREATE INDEX events_subject ON events(subject, id);"
	"CREATE TABLE commands ("
	"  id bigserial PRIMARY KEY,"
	"  created_at bigint NOT NULL,"
	"  client_pid integer NOT NULL,"
	"  argv text NOT NULL,"
	"  json integer NOT NULL DEFAULT 0,"
	"  state text NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending','running','done')),"
	"  exit_status integer,"
	"  output text,"
	"  error_output text,"
	"  finished_at bigint);"
	"CREATE INDEX commands_pending ON commands(state, id);"
	"CREATE TABLE snapshots ("
	"  id bigserial PRIMARY KEY,"
	"  plugin_id text NOT NULL,"
	"  version text NOT NULL,"
	"  created_at bigint NOT NULL,"
	"  path text NOT NULL,"
	"  sha256 text NOT NULL,"
	"  size bigint NOT NULL,"
	"  reason text NOT NULL DEFAULT 'manual');"
	"CREATE INDEX snapshots_plugin ON snapshots(plugin_id, id);"
	"CREATE TABLE host ("
	"  id integer PRIMARY KEY CHECK (id = 1),"
	"  pid integer NOT NULL,"
	"  kind text NOT NULL,"
	"  started_at bigint NOT NULL,"
	"  heartbeat_at bigint NOT NULL);"
	"CREATE TRIGGER runs_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON runs FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();"
	"CREATE TRIGGER events_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON events FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();"
	"CREATE TRIGGER commands_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON commands FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();"
	"CREATE TRIGGER snapshots_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON snapshots FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();"
	"CREATE TRIGGER host_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON host FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();",
	/* 3: the console follows changed tasks by updated_at */
	"CREATE INDEX tasks_updated ON tasks(updated_at);",
	/* 4: durable fire times (see the SQLite backend's migration 4; no
	 * database of this backend predates the unique index, so there are
	 * no duplicates to renumber). */
	"ALTER TABLE tasks ADD COLUMN next_nominal bigint;"
	"UPDATE tasks SET misfire_grace_time = -1 WHERE misfire_grace_time = 1;"
	"ALTER TABLE tasks ADD COLUMN on_interrupt text NOT NULL"
	"  DEFAULT 'abandon' CHECK (on_interrupt IN ('abandon','rerun'));"
	"CREATE UNIQUE INDEX runs_fire ON runs(task_id, scheduled_at, attempt);"
	"CREATE INDEX runs_open ON runs(status) WHERE ended_at IS NULL;",
	/* 5: job control: the execution context, the runs' resource usage */
	"ALTER TABLE tasks ADD COLUMN context text;"
	"ALTER TABLE runs ADD COLUMN user_us bigint;"
	"ALTER TABLE runs ADD COLUMN sys_us bigint;"
	"ALTER TABLE runs ADD COLUMN max_rss_kb bigint;",
	/* 6: the calendar trigger */
	"ALTER TABLE tasks DROP CONSTRAINT tasks_trigger_check;"
	"ALTER TABLE tasks ADD CONSTRAINT tasks_trigger_check"
	"  CHECK (trigger IN ('interval','cron','date','calendar'));",
	/* 7: history retention in slices (SQLite's auto_vacuum step): the
	 * server reclaims deleted rows itself; the run history, where
	 * retention deletes in bulk, is vacuumed sooner than the default
	 * 20% of dead rows. */
	"ALTER TABLE runs SET (autovacuum_vacuum_scale_factor = 0.05,"
	"  autovacuum_vacuum_threshold = 1000);",
	/* 8: a task's notifications, dependencies and group as a JSON
	 * object, NULL for none (task_hooks.c). */
	"ALTER TABLE tasks ADD COLUMN hooks text;",
	/* 9: a client's stdin sent with its command to the engine host
	 * (command_input.c); any bytes, NULL: none. */
	"ALTER TABLE commands ADD COLUMN input bytea;",
	/* 10: notifications owed (notify.c; see the SQLite backend's
	 * migration 10): what each says, kept whole (no foreign key: the
	 * run's row may be pruned first), and how many starts found it. */
	"CREATE TABLE notify_pending ("
	"  run_id bigint NOT NULL,"
	"  event text NOT NULL,"
	"  action text NOT NULL,"
	"  task_id text NOT NULL,"
	"  attempt integer NOT NULL,"
	"  scheduled_at bigint,"
	"  started_at bigint,"
	"  ended_at bigint,"
	"  status text NOT NULL,"
	"  exit_code integer,"
	"  signal integer,"
	"  output text,"
	"  error text,"
	"  starts integer NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (run_id, event));"
	"CREATE TRIGGER notify_pending_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON notify_pending FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();",
	/* 11: the change counter bumped once per transaction, not once per
	 * statement.  Each update of a row makes a version that only the
	 * transaction's end can prune, and one across savepoints must walk
	 * all the earlier ones: the history writer's batch (a savepoint per
	 * run) of n runs took time in n squared (4,000 statements: 11.8 s,
	 * 2.5 s without the counter) and a restart's catch-up never ended.
	 * The mark is transaction-local (undone with its savepoint); readers
	 * see the counter only once committed anyway.  The notify stays per
	 * statement: the server folds those into one at commit. */
	"CREATE OR REPLACE FUNCTION mgr_changed() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$"
	" BEGIN"
	"  IF current_setting('manager.changed', true) IS DISTINCT FROM"
	"     txid_current()::text THEN"
	"   INSERT INTO mgr_change VALUES (pg_backend_pid() % 64, 1)"
	"    ON CONFLICT (slot) DO UPDATE SET n = mgr_change.n + 1;"
	"   PERFORM set_config('manager.changed', txid_current()::text, true);"
	"  END IF;"
	"  PERFORM pg_notify('" PG_CHANGE_CHANNEL "', '');"
	"  RETURN NULL;"
	" END $$;",
	/* 12: the host registry (hosts.c; see the SQLite backend's migration
	 * 12).  lease_until is the server's now() plus the lease, in
	 * microseconds as every time here.  No change trigger: the renewal
	 * every second would wake every watcher and console for nothing
	 * they show (host list reads the table when asked). */
	"CREATE TABLE hosts ("
	"  host_id text PRIMARY KEY,"
	"  epoch bigint NOT NULL,"
	"  lease_until bigint,"
	"  state text NOT NULL"
	"    CHECK (state IN ('alive','draining','dead','left')),"
	"  pid integer NOT NULL,"
	"  version text NOT NULL,"
	"  started_at bigint NOT NULL,"
	"  labels text NOT NULL DEFAULT '[]');",
	/* 13: standby hosts (issue 19; hosts.c): role says whether the
	 * host runs the engine or waits for its lock; lock_session is the
	 * server's pid of the session holding that lock, by which a standby
	 * finds the holder's row and, once its lease ran out, ends that
	 * host's sessions (pg_hosts_store_fence_holder). */
	"ALTER TABLE hosts ADD COLUMN role text NOT NULL DEFAULT 'engine'"
	"  CHECK (role IN ('engine','standby'));"
	"ALTER TABLE hosts ADD COLUMN lock_session integer NOT NULL DEFAULT 0;",
	/* 14: one index led by the task, not two (see the SQLite backend's
	 * migration 14): runs_fire finds a task's runs. */
	"DROP INDEX IF EXISTS runs_task;",
	/* 15: run logs kept in the history (runlog.c; see the SQLite
	 * backend's migration 15), removed with the run's row. */
	"CREATE TABLE run_logs ("
	"  run_id bigint PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
	"  records bytea NOT NULL);"
	"CREATE TRIGGER run_logs_changed AFTER INSERT OR UPDATE OR DELETE"
	"  ON run_logs FOR EACH STATEMENT EXECUTE FUNCTION mgr_changed();",
	/* 16: large run logs in the database (issue 19: any host on the
	 * database reads them; runlog.c, src/tasks/runlog_ship.c): a log's
	 * bytes in chunks of whole records, written while its run goes.
	 * Keyed by the run's key, not a foreign key to its row: the chunks
	 * come before the run's row is written (at a second, or at its
	 * end); the run's row takes them along when it is deleted (one
	 * statement trigger over the deleted rows).  No change trigger: a
	 * chunk every 250 ms of every printing run would wake every
	 * watcher for nothing they show (readers poll the chunks). */
	"CREATE TABLE run_log_chunks ("
	"  task_id text NOT NULL,"
	"  scheduled_at bigint NOT NULL,"
	"  attempt integer NOT NULL,"
	"  seq integer NOT NULL,"
	"  bytes bytea NOT NULL,"
	"  PRIMARY KEY (task_id, scheduled_at, attempt, seq));"
	"CREATE FUNCTION run_log_chunks_gone() RETURNS trigger"
	"  LANGUAGE plpgsql AS $$"
	" BEGIN"
	"  DELETE FROM run_log_chunks c USING gone g"
	"   WHERE c.task_id = g.task_id AND c.scheduled_at = g.scheduled_at"
	"   AND c.attempt = g.attempt;"
	"  RETURN NULL;"
	" END $$;"
	"CREATE TRIGGER runs_log_chunks AFTER DELETE ON runs"
	"  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT"
	"  EXECUTE FUNCTION run_log_chunks_gone();",
	/* 17: the tasks with hooks or a stored context by partial indexes
	 * (see the SQLite backend's migration 17). */
	"CREATE INDEX tasks_hooks ON tasks(id) WHERE hooks IS NOT NULL;"
	"CREATE INDEX tasks_context ON tasks(id) WHERE context IS NOT NULL;",
	/* 18: nothing here (the SQLite backend's trigger CHECK written as
	 * comparisons): both backends keep one numbering. */
	"SELECT 1;",
	/* 19: nothing here (the SQLite backend's history split into a
	 * time-led key and a task-led part written rarely, for the single
	 * writer of a file): both backends keep one numbering. */
	"SELECT 1;",
};

#define PG_NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* A connection: the interface's part first (backend.h). */
struct pg_db {
	struct mgr_db base;
	PGconn *conn;
	char *label;		/* the string without its password, for messages */
	int depth;		/* transaction nesting */
};

static struct pg_db *
pq(struct mgr_db *db)
{
	return (struct pg_db *)db;
}

PGconn *
pg_conn(struct mgr_db *db)
{
	return pq(db)->conn;
}

int
pg_schema_latest(void)
{
	return PG_NMIGRATIONS;
}

/* A libpq connection string ("host=... dbname=...") or URL
 * (postgresql://, postgres://): the rule the configuration keeps such
 * strings by (dbstring.h). */
int
pg_accepts(const char *where)
{
	return db_string_is_server(where);
}

/* libpq's messages end in a newline, and may span lines: one line. */
void
pg_trim_newlines(struct mgr_error *err)
{
	size_t n;

	if (err == NULL)
		return;
	for (char *c = err->msg; *c != '\0'; c++)
		if (*c == '\n')
			*c = ' ';
	n = strlen(err->msg);
	while (n > 0 && err->msg[n - 1] == ' ')
		err->msg[--n] = '\0';
}

/* libpq's notices (NOTICE, WARNING) would go to stderr, over the
 * console: they are not errors, so they are dropped. */
static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The database string as messages show it: every keyword but the
 * password, which never goes to a log or a terminal. */
char *
pg_label(const char *where)
{
	struct strbuf sb = STRBUF_INIT;
	PQconninfoOption *opts = PQconninfoParse(where, NULL);

	if (opts == NULL)
		return xstrdup(_("(a PostgreSQL connection string)"));
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (o->val != NULL && strcmp(o->keyword, "password") != 0)
			strbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", o->keyword,
			    o->val);
	PQconninfoFree(opts);
	return strbuf_detach(&sb);
}

/* What a dead or unreachable server may cost a statement, when the
 * user's string says nothing of it: a connection attempt gives up after
 * PG_CONNECT_TIMEOUT_S (libpq's default is to wait forever), a TCP
 * connection whose peer vanished is found dead by keepalives, and data
 * left unacknowledged that long ends it (tcp_user_timeout, libpq 12 and
 * later; an older libpq does not know the keyword, so it is added only
 * when libpq lists it).  Statements run on the loop: without these a
 * server gone from the network held the loop for the kernel's TCP
 * retries, about 15 minutes.  Unix sockets ignore the TCP ones. */
#define PG_CONNECT_TIMEOUT_S "5"
static const char *const pg_defaults[][2] = {
	{ "connect_timeout", PG_CONNECT_TIMEOUT_S },
	{ "keepalives", "1" },
	{ "keepalives_idle", "5" },
	{ "keepalives_interval", "1" },
	{ "keepalives_count", "3" },
	{ "tcp_user_timeout", "5000" },
};
#define PG_NDEFAULTS (sizeof pg_defaults / sizeof pg_defaults[0])

/* Whether libpq knows `key` (opts: PQconninfoParse's list, which names
 * every keyword of this libpq) and the string left it unset. */
static int
pg_default_wanted(const PQconninfoOption *opts, const char *key)
{
	for (const PQconninfoOption *o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, key) == 0)
			return o->val == NULL;
	return 0;
}

/* Every session says whose it is: "manager PID" (after the string's
 * own keywords, so it wins), which a standby's fence matches to end
 * every session of a host whose lease ran out (hosts.c, FENCE_SQL). */
static PGconn *
connect_named(const char *where)
{
	const char *keys[PG_NDEFAULTS + 3], *vals[PG_NDEFAULTS + 3];
	PQconninfoOption *opts = PQconninfoParse(where, NULL);
	char name[32];
	size_t n = 0;
	PGconn *c;

	snprintf(name, sizeof name, "manager %ld", (long)getpid());
	keys[n] = "dbname";
	vals[n++] = where;
	for (size_t i = 0; opts != NULL && i < PG_NDEFAULTS; i++)
		if (pg_default_wanted(opts, pg_defaults[i][0])) {
			keys[n] = pg_defaults[i][0];
			vals[n++] = pg_defaults[i][1];
		}
	keys[n] = "application_name";
	vals[n++] = name;
	keys[n] = vals[n] = NULL;
	c = PQconnectdbParams(keys, vals, 1);
	if (opts != NULL)
		PQconninfoFree(opts);
	return c;
}

PGconn *
pg_connect(const char *where, struct mgr_error *err)
{
	PGconn *c;
	char *label;

	if (pq_fns_load(where, err) != 0)
		return NULL;
	if ((c = connect_named(where)) == NULL) {
		mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		label = pg_label(where);
		mgr_error_set(err, MGR_EDB, _("cannot connect to PostgreSQL "
		    "(%s): %s"), label, PQerrorMessage(c));
		free(label);
		pg_trim_newlines(err);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, pg_quiet, NULL);
	return c;
}

void
pg_text(struct pg_params *p, const char *s)
{
	p->v[p->n++] = s;
}

void
pg_int(struct pg_params *p, int64_t v)
{
	snprintf(p->num[p->n], sizeof p->num[0], "%lld", (long long)v);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

void
pg_int_or_null(struct pg_params *p, int64_t v, int present)
{
	if (present)
		pg_int(p, v);
	else
		pg_text(p, NULL);
}

void
pg_run_key(struct pg_params *p, const char *task_id, int64_t scheduled_at,
	   int attempt)
{
	pg_text(p, task_id);
	pg_int(p, scheduled_at);
	pg_int(p, attempt);
}

int
pg_run_by_key(struct mgr_db *db, const char *sql, const char *task_id,
	      int64_t scheduled_at, int attempt, PGresult **res,
	      const char *what, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_run_key(&p, task_id, scheduled_at, attempt);
	return pg_run(db, sql, &p, res, what, err);
}

void
pg_time(struct pg_params *p, int64_t us)
{
	pg_int_or_null(p, us, us != 0);
}

static int
pg_fail(struct mgr_db *db, PGresult *res, const char *what,
	struct mgr_error *err)
{
	const char *state = res != NULL ?
	    PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(pq(db)->conn);
	int code = MGR_EDB;

	if (state != NULL && strcmp(state, "23505") == 0)
		code = MGR_EEXIST;	/* unique_violation */
	else if (state != NULL && strncmp(state, "23", 2) == 0)
		code = MGR_EINVAL;	/* another integrity constraint */
	mgr_error_set(err, code, _("%s: %s: %s"), pq(db)->label, what, msg);
	pg_trim_newlines(err);
	PQclear(res);
	return code;
}

int
pg_run(struct mgr_db *db, const char *sql, const struct pg_params *p,
       PGresult **res, const char *what, struct mgr_error *err)
{
	/* Without parameters, several statements may go at once. */
	PGresult *r = p == NULL ? PQexec(pq(db)->conn, sql) :
	    PQexecParams(pq(db)->conn, sql, p->n, NULL, p->v, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (r == NULL || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK))
		return pg_fail(db, r, what, err);
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return 0;
}

/* The change trigger fires once per statement, rows or none, and each
 * firing moves the change counter and notifies every watcher; so a
 * delete runs only once a select found its rows.  Housekeeping with
 * nothing to delete (an idle host's retention pass every five minutes,
 * the control plane's hourly prune) then changes nothing. */
int
pg_delete_found(struct mgr_db *db, const char *table, const char *select_ids,
		const struct pg_params *p, int64_t *n, const char *what,
		struct mgr_error *err)
{
	struct strbuf ids = STRBUF_INIT, sql = STRBUF_INIT;
	struct pg_params d = { 0 };
	PGresult *res;
	int rc, rows;

	*n = 0;
	if ((rc = pg_run(db, select_ids, p, &res, what, err)) != 0)
		return rc;
	if ((rows = PQntuples(res)) == 0) {
		PQclear(res);
		return 0;
	}
	strbuf_adds(&ids, "{");
	for (int i = 0; i < rows; i++)
		strbuf_addf(&ids, "%s%s", i > 0 ? "," : "", PQgetvalue(res, i, 0));
	strbuf_adds(&ids, "}");
	PQclear(res);
	strbuf_addf(&sql, "DELETE FROM %s WHERE id = ANY($1::bigint[])", table);
	pg_text(&d, ids.buf);
	if ((rc = pg_run(db, sql.buf, &d, &res, what, err)) == 0) {
		*n = pg_changed(res);
		PQclear(res);
	}
	strbuf_free(&ids);
	strbuf_free(&sql);
	return rc;
}

int64_t
pg_changed(PGresult *res)
{
	return strtoll(PQcmdTuples(res), NULL, 10);
}

const char *
pg_str(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

char *
pg_strdup(PGresult *res, int row, int col)
{
	const char *s = pg_str(res, row, col);

	return s != NULL ? xstrdup(s) : NULL;
}

int64_t
pg_i64(PGresult *res, int row, int col)
{
	const char *s = pg_str(res, row, col);

	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

int
pg_int_or(PGresult *res, int row, int col, int dflt)
{
	const char *s = pg_str(res, row, col);

	return s != NULL ? (int)strtol(s, NULL, 10) : dflt;
}

/* ---- transactions ---- */

int
pg_db_begin(struct mgr_db *db, struct mgr_error *err)
{
	int rc = pg_run(db, pq(db)->depth == 0 ? "BEGIN" : "SAVEPOINT nested",
	    NULL, NULL, _("cannot begin a transaction"), err);

	if (rc == 0)
		pq(db)->depth++;
	return rc;
}

int
pg_db_commit(struct mgr_db *db, struct mgr_error *err)
{
	int rc = pg_run(db, pq(db)->depth == 1 ? "COMMIT" : "RELEASE nested",
	    NULL, NULL, _("cannot commit"), err);

	if (rc != 0) {
		pg_db_rollback(db);
		return rc;
	}
	pq(db)->depth--;
	return 0;
}

void
pg_db_rollback(struct mgr_db *db)
{
	if (pq(db)->depth == 0)
		return;
	pg_run(db, pq(db)->depth == 1 ? "ROLLBACK" :
	    "ROLLBACK TO nested; RELEASE nested", NULL, NULL, "rollback", NULL);
	pq(db)->depth--;
}

/* One snapshot for every statement until the end. */
int
pg_db_read_begin(struct mgr_db *db, struct mgr_error *err)
{
	return pg_run(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	    NULL, NULL, _("cannot begin a read"), err);
}

void
pg_db_read_end(struct mgr_db *db)
{
	pg_run(db, "COMMIT", NULL, NULL, "commit", NULL);
}

/* The sum of the change counter's slots: it grows with every committed
 * change of any connection, and is seen only once committed. */
/* The pages are the server's: a libpq connection keeps no cache of them
 * (each result is freed with PQclear), so there is nothing to give back. */
void
pg_db_release_memory(struct mgr_db *db)
{
	(void)db;
}

/* Nor a page cache to size: the server's shared buffers hold them. */
void
pg_db_cache_size(struct mgr_db *db, int kib)
{
	(void)db;
	(void)kib;
}

void
pg_db_io_counts(struct mgr_db *db, struct db_io_counts *out)
{
	(void)db;
	*out = (struct db_io_counts){ 0 };
}

/* Nor a log a client copies back: the server checkpoints. */
void
pg_db_checkpoint_elsewhere(struct mgr_db *db, void (*due)(void *arg),
			   void *arg)
{
	(void)db;
	(void)due;
	(void)arg;
}

int
pg_db_checkpoint(struct mgr_db *db, struct mgr_error *err)
{
	(void)db;
	(void)err;
	return 0;
}

int64_t
pg_db_data_version(struct mgr_db *db)
{
	PGresult *res;
	int64_t v;

	if (pg_run(db, "SELECT COALESCE(sum(n), 0) FROM mgr_change", NULL,
	    &res, "data_version", NULL) != 0)
		return -1;
	v = pg_i64(res, 0, 0);
	PQclear(res);
	return v;
}

/* PostgreSQL keeps its own pages checked; what can be wrong is the
 * schema: every table this version needs is there. */
int
pg_db_integrity_check(struct mgr_db *db, int *ok, char **report,
		      struct mgr_error *err)
{
	static const char sql[] = "SELECT string_agg(t, ', ') FROM unnest("
	    "ARRAY['plugins','tasks','plugin_state','runs','events','commands',"
	    "'snapshots','host','hosts','notify_pending','mgr_change','mgr_schema']) AS t "
	    "WHERE to_regclass(t) IS NULL";
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, sql, NULL, &res, "integrity_check", err)) != 0)
		return rc;
	if (PQgetisnull(res, 0, 0)) {
		*report = xstrdup("ok");
		*ok = 1;
	} else {
		*report = xasprintf(_("missing tables: %s"), PQgetvalue(res, 0, 0));
		*ok = 0;
	}
	PQclear(res);
	return 0;
}

/* ---- schema ---- */

int
pg_db_user_version(struct mgr_db *db, int *version, struct mgr_error *err)
{
	PGresult *res;
	int rc;

	if ((rc = pg_run(db, "SELECT version FROM mgr_schema", NULL, &res,
	    _("cannot read the schema version"), err)) != 0)
		return rc;
	*version = PQntuples(res) > 0 ? (int)pg_i64(res, 0, 0) : 0;
	PQclear(res);
	return 0;
}

static int
pg_apply_migration(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	int target = *(int *)arg, current, rc;
	struct pg_params p = { 0 };

	/* Another process may have migrated since we looked. */
	if ((rc = pg_run(db, PG_MIGRATION_LOCK, NULL, NULL, "lock", err)) != 0 ||
	    (rc = pg_db_user_version(db, &current, err)) != 0)
		return rc;
	if (current >= target)
		return 0;
	if ((rc = pg_run(db, migrations[target - 1], NULL, NULL,
	    "migration", err)) != 0)
		return mgr_error_prefix(err, _("migration to schema %d"), target);
	pg_int(&p, target);
	return pg_run(db, "UPDATE mgr_schema SET version = $1", &p, NULL,
	    _("cannot write the schema version"), err);
}

/* The version table is made once, under the migration lock, with its
 * one row: version 0 is a database that has nothing yet. */
static int
pg_schema_table(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	int rc;

	(void)arg;
	if ((rc = pg_run(db, PG_MIGRATION_LOCK, NULL, NULL, "lock", err)) != 0)
		return rc;
	return pg_run(db, "CREATE TABLE IF NOT EXISTS mgr_schema ("
	    "  one integer PRIMARY KEY CHECK (one = 1),"
	    "  version integer NOT NULL);"
	    "INSERT INTO mgr_schema VALUES (1, 0) ON CONFLICT DO NOTHING",
	    NULL, NULL, _("cannot create the schema table"), err);
}

static int
pg_migrate(struct mgr_db *db, int target, struct mgr_error *err)
{
	int version, rc;

	if ((rc = db_transaction(db, pg_schema_table, NULL, err)) != 0 ||
	    (rc = pg_db_user_version(db, &version, err)) != 0)
		return rc;
	if (version > PG_NMIGRATIONS)
		return mgr_error_set(err, MGR_EVERSION,
		    _("%s: schema version %d is newer than this manager supports (%d); "
		      "use a newer manager"), db->path, version, PG_NMIGRATIONS);
	for (int v = version + 1; v <= target; v++)
		if ((rc = db_transaction(db, pg_apply_migration, &v, err)) != 0)
			return rc;
	return 0;
}

int
pg_open(const char *where, int version, struct mgr_db **out,
	struct mgr_error *err)
{
	struct pg_db *s;
	PGconn *c;
	int rc;

	if ((c = pg_connect(where, err)) == NULL)
		return MGR_EDB;
	s = xcalloc(1, sizeof *s);
	s->base.ops = &pg_store_ops;
	s->base.path = xstrdup(where);
	s->conn = c;
	s->label = pg_label(where);
	/* Times are compared as the engine's own microseconds, never the
	 * server's: only the cluster protocol reads now(), and in UTC. */
	if ((rc = pg_run(&s->base, "SET TIME ZONE 'UTC'", NULL, NULL,
	    "timezone", err)) != 0 ||
	    (rc = pg_migrate(&s->base, version > 0 ? version : PG_NMIGRATIONS,
	    err)) != 0) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}

/* Whether the connection is broken (the server restarted, ended the
 * session or went away): its statements fail at once until
 * pg_reconnect. */
int
pg_lost(struct mgr_db *db)
{
	return PQstatus(pq(db)->conn) == CONNECTION_BAD;
}

/* A new session in place of the old one (a transaction it was in is
 * gone with it), set up as pg_open sets one: only the caller knows
 * whether this host may write again (hostreg.c), so nothing reconnects
 * by itself. */
int
pg_reconnect(struct mgr_db *db, struct mgr_error *err)
{
	struct pg_db *s = pq(db);
	PGconn *c;

	if ((c = pg_connect(db->path, err)) == NULL)
		return MGR_EDB;
	PQfinish(s->conn);
	s->conn = c;
	s->depth = 0;
	return pg_run(db, "SET TIME ZONE 'UTC'", NULL, NULL, "timezone", err);
}

void
pg_close(struct mgr_db *db)
{
	PQfinish(pq(db)->conn);
	free(pq(db)->label);
	free(db->path);
	free(db);
}
