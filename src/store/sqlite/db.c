/* db.c - the SQLite backend's connection: open, pragmas, migrations,
 * transactions, statement cache. */
#include "i18n.h"
#include "sqlite_int.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DB_BUSY_TIMEOUT_MS 10000

/* One migration per schema version; each runs in its own transaction.
 * Times are integer UTC microseconds; JSON columns hold text. Never edit a
 * released migration: add a new one. */
static const char *const migrations[] = {
	/* 1: the seed's models */
	"CREATE TABLE plugins ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  author TEXT NOT NULL DEFAULT '',"
	"  enabled INTEGER NOT NULL DEFAULT 0,"
	"  installed_at INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  manifest TEXT NOT NULL DEFAULT '{}',"
	"  dependencies TEXT NOT NULL DEFAULT '[]',"
	"  state TEXT NOT NULL DEFAULT 'disabled'"
	"    CHECK (state IN ('enabled','disabled','faulted')),"
	"  error TEXT,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE tasks ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  func_path TEXT NOT NULL,"
	"  trigger TEXT NOT NULL CHECK (trigger IN ('interval','cron','date')),"
	"  trigger_args TEXT NOT NULL DEFAULT '{}',"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  max_retries INTEGER NOT NULL DEFAULT 3,"
	"  timeout INTEGER NOT NULL DEFAULT 0,"
	"  last_run INTEGER,"
	"  next_run INTEGER,"
	"  status TEXT NOT NULL DEFAULT 'scheduled',"
	"  plugin_id TEXT,"
	"  misfire_grace_time INTEGER NOT NULL DEFAULT 1,"
	"  coalesce INTEGER NOT NULL DEFAULT 1,"
	"  max_instances INTEGER NOT NULL DEFAULT 1,"
	"  source TEXT NOT NULL DEFAULT 'cli',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX tasks_next_run ON tasks(next_run);"
	"CREATE INDEX tasks_plugin ON tasks(plugin_id);"
	"CREATE TABLE plugin_state ("
	"  plugin_id TEXT NOT NULL REFERENCES plugins(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (plugin_id, key));",
	/* 2: history, audit, control plane, snapshots, host */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	"  attempt INTEGER NOT NULL DEFAULT 1,"
	"  scheduled_at INTEGER,"
	"  started_at INTEGER,"
	"  ended_at INTEGER,"
	"  status TEXT NOT NULL,"
	"  exit_code INTEGER,"
	"  signal INTEGER,"
	"  output TEXT,"
	"  error TEXT);"
	"CREATE INDEX runs_task ON runs(task_id, id);"
	"CREATE INDEX runs_started ON runs(started_at);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  message TEXT NOT NULL);"
	"CREATE INDEX events_subject ON events(subject, id);"
	"CREATE TABLE commands ("
	"  id INTEGER PRIMARY KEY,"
	"  created_at INTEGER NOT NULL,"
	"  client_pid INTEGER NOT NULL,"
	"  argv TEXT NOT NULL,"
	"  json INTEGER NOT NULL DEFAULT 0,"
	"  state TEXT NOT NULL DEFAULT 'pending'"
	"    CHECK (state IN ('pending','running','done')),"
	"  exit_status INTEGER,"
	"  output TEXT,"
	"  error_output TEXT,"
	"  finished_at INTEGER);"
	"CREATE INDEX commands_pending ON commands(state, id);"
	"CREATE TABLE snapshots ("
	"  id INTEGER PRIMARY KEY,"
	"  plugin_id TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT 'manual');"
	"CREATE INDEX snapshots_plugin ON snapshots(plugin_id, id);"
	"CREATE TABLE host ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  pid INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  heartbeat_at INTEGER NOT NULL);",
	/* 3: the console follows changed tasks by updated_at */
	"CREATE INDEX tasks_updated ON tasks(updated_at);",
	/* 4: durable fire times.  next_nominal is the fire time before its
	 * jitter (next_run is the jittered one); on_interrupt says what
	 * follows a run that an engine crash interrupted.  A fire time is
	 * recorded once: rows that an earlier version recorded twice become
	 * further attempts of their fire time, so the unique index can hold
	 * and no row is lost. */
	"ALTER TABLE tasks ADD COLUMN next_nominal INTEGER;"
	/* -1: the configured default grace (one day unless set), which the
	 * old default of 1 s was; task files restore an explicit 1. */
	"UPDATE tasks SET misfire_grace_time = -1 WHERE misfire_grace_time = 1;"
	"ALTER TABLE tasks ADD COLUMN on_interrupt TEXT NOT NULL DEFAULT 'abandon'"
	"  CHECK (on_interrupt IN ('abandon','rerun'));"
	"CREATE TEMP TABLE dup AS SELECT id, task_id, scheduled_at,"
	"  ROW_NUMBER() OVER (PARTITION BY task_id, scheduled_at ORDER BY id) AS n"
	"  FROM runs WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER"
	"  (PARTITION BY task_id, scheduled_at, attempt ORDER BY id) AS k FROM runs"
	"  WHERE scheduled_at IS NOT NULL) WHERE k > 1);"
	"UPDATE runs SET attempt = (SELECT MAX(r.attempt) FROM runs r"
	"  WHERE r.task_id = runs.task_id AND r.scheduled_at = runs.scheduled_at"
	"  AND r.id NOT IN (SELECT id FROM dup))"
	"  + (SELECT n FROM dup WHERE dup.id = runs.id)"
	"  WHERE id IN (SELECT id FROM dup);"
	"DROP TABLE dup;"
	"CREATE UNIQUE INDEX runs_fire ON runs(task_id, scheduled_at, attempt);"
	"CREATE INDEX runs_open ON runs(status) WHERE ended_at IS NULL;",
	/* 5: job control.  tasks.context: the execution context (env,
	 * env_file, workdir, user, group, umask, nice) as a JSON object, NULL
	 * for the defaults; runs get their resource usage from wait4. */
	"ALTER TABLE tasks ADD COLUMN context TEXT;"
	"ALTER TABLE runs ADD COLUMN user_us INTEGER;"
	"ALTER TABLE runs ADD COLUMN sys_us INTEGER;"
	"ALTER TABLE runs ADD COLUMN max_rss_kb INTEGER;",
	/* 6: the calendar trigger (systemd OnCalendar= events).  SQLite
	 * cannot alter a CHECK, and rebuilding tasks would cascade-delete
	 * its runs (foreign keys are on); a CHECK that allows more keeps the
	 * file format, so the stored schema text is edited, as SQLite's
	 * ALTER TABLE documentation describes.  RESET reloads it for this
	 * connection; the DDL after it bumps schema_version so that other
	 * connections reload it too. */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql,"
	"  'CHECK (trigger IN (''interval'',''cron'',''date''))',"
	"  'CHECK (trigger IN (''interval'',''cron'',''date'',''calendar''))')"
	"  WHERE type = 'table' AND name = 'tasks';"
	"PRAGMA writable_schema = RESET;"
	"CREATE TABLE migration_6_reload (x);"
	"DROP TABLE migration_6_reload;",
	/* 7: the file gives pages back (issue 18: history retention in
	 * slices, retention_store.c).  A database made before this had
	 * auto_vacuum off, which only a VACUUM can change: db_migrate runs
	 * it once after this step, outside any transaction. */
	"PRAGMA auto_vacuum = INCREMENTAL;",
	/* 8: notifications, dependencies and groups (issue 14).
	 * tasks.hooks: on_failure, on_success, on_recovery, on_missed,
	 * on_output, after, after_any, group as a JSON object, NULL for none
	 * (src/store/task_hooks_store.c). */
	"ALTER TABLE tasks ADD COLUMN hooks TEXT;",
	/* 9: a client's stdin sent with its command to the engine host
	 * (command_input_store.c: `task import crontab -`); NULL: none. */
	"ALTER TABLE commands ADD COLUMN input BLOB;",
	/* 10: notifications owed (issue 14, src/store/sqlite/notify.c): added
	 * with their run's final outcome, removed once delivered, so that
	 * an engine that dies in between leaves them to the next start.
	 * What the notification says is kept whole (no foreign key: the
	 * run's row may be pruned first). */
	"CREATE TABLE notify_pending ("
	"  run_id INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  task_id TEXT NOT NULL,"
	"  attempt INTEGER NOT NULL,"
	"  scheduled_at INTEGER,"
	"  started_at INTEGER,"
	"  ended_at INTEGER,"
	"  status TEXT NOT NULL,"
	"  exit_code INTEGER,"
	"  signal INTEGER,"
	"  output TEXT,"
	"  error TEXT,"
	"  starts INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (run_id, event));",
	/* 11: nothing here (the PostgreSQL backend's change trigger, once
	 * per transaction): both backends keep one numbering. */
	"SELECT 1;",
	/* 12: the host registry (issue 19, src/store/sqlite/hosts.c): one
	 * row per host id; epoch, the fencing token, is bumped at every
	 * registration; lease_until is this database's clock (here the
	 * local one) plus the lease.  Beside `host`, which names the holder
	 * of the one-host lock (doc/ARCHITECTURE.md, "Database"). */
	"CREATE TABLE hosts ("
	"  host_id TEXT PRIMARY KEY,"
	"  epoch INTEGER NOT NULL,"
	"  lease_until INTEGER,"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('alive','draining','dead','left')),"
	"  pid INTEGER NOT NULL,"
	"  version TEXT NOT NULL,"
	"  started_at INTEGER NOT NULL,"
	"  labels TEXT NOT NULL DEFAULT '[]');",
	/* 13: standby hosts (the PostgreSQL backend's migration 13; on a
	 * file no host waits as a standby, one host runs per file: the
	 * columns keep both schemas alike for db copy and host list). */
	"ALTER TABLE hosts ADD COLUMN role TEXT NOT NULL DEFAULT 'engine'"
	"  CHECK (role IN ('engine','standby'));"
	"ALTER TABLE hosts ADD COLUMN lock_session INTEGER NOT NULL DEFAULT 0;",
	/* 14: one index led by the task, not two (issue 18).  Each run
	 * went into runs_task(task_id, id) and runs_fire(task_id,
	 * scheduled_at, attempt), and with many tasks each went to a leaf
	 * page of its own in both: the history writer's time went to those
	 * pages past 150,000 runs a second.  runs_fire, kept for its
	 * guarantee (a fire time is recorded once), also finds a task's
	 * runs; readers of a task's history newest first sort that task's
	 * own rows by id (doc/SCHEDULER.md, "History"). */
	"DROP INDEX IF EXISTS runs_task;",
	/* 15: run logs kept in the history (issue 14, runlog_store.h): the
	 * records of a run whose whole log was small, written with its end
	 * by the history writer instead of a file of its own (an inode per
	 * run was what full logs cost exec: throughput), and removed with
	 * the run's row. */
	"CREATE TABLE run_logs ("
	"  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
	"  records BLOB NOT NULL);",
	/* 16: nothing here: on PostgreSQL, large run logs in the database
	 * (run_log_chunks, issue 19); a SQLite file has one host, which
	 * keeps them as files.  Numbered alike, so both backends' latest
	 * schema is the same number. */
	"SELECT 1;",
	/* 17: the few tasks with hooks or a stored context, found without
	 * reading every task row (issue 18's start: the scheduler's two
	 * reads of them were a fifth of its start at 30,000 tasks). */
	"CREATE INDEX tasks_hooks ON tasks(id) WHERE hooks IS NOT NULL;"
	"CREATE INDEX tasks_context ON tasks(id) WHERE context IS NOT NULL;",
	/* 18: the trigger's CHECK as comparisons.  SQLite codes an IN list
	 * of more than two values as a temporary b-tree, built again for
	 * every INSERT: a fifth of the instructions of a first load of
	 * task files (issue 18).  The same values are allowed, so the
	 * stored schema text is edited as in migration 6. */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql,"
	"  'CHECK (trigger IN (''interval'',''cron'',''date'',''calendar''))',"
	"  'CHECK (trigger = ''interval'' OR trigger = ''cron'' OR"
	" trigger = ''date'' OR trigger = ''calendar'')')"
	"  WHERE type = 'table' AND name = 'tasks';"
	"PRAGMA writable_schema = RESET;"
	"CREATE TABLE migration_18_reload (x);"
	"DROP TABLE migration_18_reload;",
	/* 19: a history whose task-led index is written rarely (issue 18,
	 * doc/SCHEDULER.md "History").  150,000 tasks each adding a run a
	 * second put every commit's runs on nearly every leaf of
	 * runs_fire(task_id, ...), and those leaves outgrew the writer's
	 * cache.  Now the unique fire-time key is led by the time (each
	 * run appended at its right edge, the same guarantee); runs below
	 * runs_settle.bound are also in runs_settled(task_id, id), which
	 * the history writer fills every 10 s (runs.c) in key order, in
	 * one pass over its leaves; a task's runs from the bound on are
	 * read through the time-led key.  runs_started goes: its readers
	 * use the time-led key.  A run written below the bound (late) or
	 * without a fire time goes to runs_settled at once (trigger);
	 * the existing runs all do now.  The foreign key of runs.task_id
	 * becomes two triggers: without an index led by runs.task_id,
	 * SQLite's ON DELETE CASCADE scanned the whole history for each
	 * task removed (on the loop, once per task a reload removes); the
	 * trigger finds the task's runs in both parts.  Dropping a foreign
	 * key leaves the file's format as it is, so the stored schema text
	 * is edited as in migration 18. */
	"PRAGMA writable_schema = ON;"
	"UPDATE sqlite_schema SET sql = replace(sql,"
	"  'task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE',"
	"  'task_id TEXT NOT NULL') WHERE type = 'table' AND name = 'runs';"
	"PRAGMA writable_schema = RESET;"
	"CREATE TABLE migration_19_reload (x);"
	"DROP TABLE migration_19_reload;"
	"DROP INDEX IF EXISTS runs_fire;"
	"DROP INDEX IF EXISTS runs_started;"
	"CREATE UNIQUE INDEX runs_time ON runs(scheduled_at, task_id, attempt);"
	"CREATE TABLE runs_settled ("
	"  task_id TEXT NOT NULL,"
	"  id INTEGER NOT NULL,"
	"  PRIMARY KEY (task_id, id)) WITHOUT ROWID;"
	"CREATE TABLE runs_settle (bound INTEGER NOT NULL);"
	"INSERT INTO runs_settle SELECT coalesce(max(scheduled_at) + 1, 0)"
	"  FROM runs;"
	"INSERT INTO runs_settled SELECT task_id, id FROM runs"
	"  ORDER BY task_id, id;"
	"CREATE TRIGGER runs_settle_late AFTER INSERT ON runs"
	"  WHEN new.scheduled_at IS NULL OR"
	"  new.scheduled_at < (SELECT bound FROM runs_settle)"
	"  BEGIN INSERT INTO runs_settled VALUES (new.task_id, new.id); END;"
	"CREATE TRIGGER runs_unsettle AFTER DELETE ON runs"
	"  BEGIN DELETE FROM runs_settled"
	"  WHERE task_id = old.task_id AND id = old.id; END;"
	"CREATE TRIGGER runs_task_known BEFORE INSERT ON runs"
	"  WHEN NOT EXISTS (SELECT 1 FROM tasks WHERE id = new.task_id)"
	"  BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed'); END;"
	"CREATE TRIGGER runs_task_removed AFTER DELETE ON tasks"
	"  BEGIN DELETE FROM runs WHERE id IN (SELECT id FROM runs_settled"
	"  WHERE task_id = old.id UNION ALL SELECT id FROM runs"
	"  WHERE scheduled_at >= (SELECT bound FROM runs_settle)"
	"  AND task_id = old.id); END;",
};

#define DB_SCHEMA_AUTO_VACUUM 7

#define DB_NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
#define DB_STMT_CACHE 64

struct db_stmt {
	const char *sql;	/* key: the caller's string, compared by value */
	sqlite3_stmt *st;
};

/* A connection: the interface's part first (backend.h). */
struct sqlite_db {
	struct mgr_db base;
	sqlite3 *h;
	int depth;		/* transaction nesting */
	struct db_stmt cache[DB_STMT_CACHE];
	int ncache;
	void (*checkpoint_due)(void *arg);	/* db_checkpoint_elsewhere */
	void *checkpoint_arg;
};

static struct sqlite_db *
sq(struct mgr_db *db)
{
	return (struct sqlite_db *)db;
}

int
sqlite_schema_latest(void)
{
	return DB_NMIGRATIONS;
}

sqlite3 *
db_handle(struct mgr_db *db)
{
	return sq(db)->h;
}

int
db_error(struct mgr_db *db, struct mgr_error *err, const char *what)
{
	return mgr_error_set(err, MGR_EDB, _("%s: %s: %s"), db->path, what,
	    sqlite3_errmsg(sq(db)->h));
}

int
db_exec(struct mgr_db *db, const char *sql, struct mgr_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(sq(db)->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		mgr_error_set(err, MGR_EDB, _("%s: %s"), db->path,
		    msg != NULL ? msg : sqlite3_errmsg(sq(db)->h));
		sqlite3_free(msg);
		return MGR_EDB;
	}
	return 0;
}

int
db_prepare(struct mgr_db *db, const char *sql, sqlite3_stmt **st,
	   struct mgr_error *err)
{
	struct db_stmt *slot;
	int i, n = sq(db)->ncache;

	/* Callers pass their string constants: the same pointer finds the
	 * statement without a string compare against every one before it
	 * (up to 63 of them, which share long prefixes). */
	for (i = 0; i < n && sq(db)->cache[i].sql != sql; i++)
		;
	for (int j = 0; i == n && j < n; j++)
		if (strcmp(sq(db)->cache[j].sql, sql) == 0)
			i = j;
	if (i < n) {
		*st = sq(db)->cache[i].st;
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
		return 0;
	}
	if (sqlite3_prepare_v3(sq(db)->h, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK)
		return db_error(db, err, _("cannot prepare statement"));
	if (sq(db)->ncache == DB_STMT_CACHE) {
		/* Full: evict the oldest; caches are for hot statements. */
		sqlite3_finalize(sq(db)->cache[0].st);
		memmove(sq(db)->cache, sq(db)->cache + 1,
		    (DB_STMT_CACHE - 1) * sizeof sq(db)->cache[0]);
		sq(db)->ncache--;
	}
	slot = &sq(db)->cache[sq(db)->ncache++];
	slot->sql = sql;
	slot->st = *st;
	return 0;
}

/* A statement of transaction control, prepared once (db_prepare's
 * cache): sqlite3_exec parsed "BEGIN" and "COMMIT" anew each time, a
 * tenth of an HTTP API read of a task. */
static int
db_control(struct mgr_db *db, const char *sql, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st, err) != 0)
		return MGR_EDB;
	if ((rc = sqlite3_step(st)) != SQLITE_DONE)
		mgr_error_set(err, MGR_EDB, _("%s: %s"), db->path,
		    sqlite3_errmsg(sq(db)->h));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : MGR_EDB;
}

int
sqlite_db_begin(struct mgr_db *db, struct mgr_error *err)
{
	int rc;

	rc = db_control(db, sq(db)->depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT nested", err);
	if (rc == 0)
		sq(db)->depth++;
	return rc;
}

int
sqlite_db_commit(struct mgr_db *db, struct mgr_error *err)
{
	int rc;

	rc = db_control(db, sq(db)->depth == 1 ? "COMMIT" : "RELEASE nested", err);
	if (rc != 0) {
		db_rollback(db);
		return rc;
	}
	sq(db)->depth--;
	return 0;
}

int
sqlite_db_read_begin(struct mgr_db *db, struct mgr_error *err)
{
	return db_control(db, "BEGIN", err);	/* deferred: a read snapshot */
}

void
sqlite_db_read_end(struct mgr_db *db)
{
	db_control(db, "COMMIT", NULL);
}

void
sqlite_db_rollback(struct mgr_db *db)
{
	if (sq(db)->depth == 0)
		return;
	if (sq(db)->depth == 1)
		sqlite3_exec(sq(db)->h, "ROLLBACK", NULL, NULL, NULL);
	else
		sqlite3_exec(sq(db)->h, "ROLLBACK TO nested; RELEASE nested", NULL,
		    NULL, NULL);
	sq(db)->depth--;
}

int
sqlite_db_user_version(struct mgr_db *db, int *version, struct mgr_error *err)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(sq(db)->h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "user_version");
	*version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

struct migration_arg {
	int version;
};

static int
db_apply_migration(struct mgr_db *db, void *argp, struct mgr_error *err)
{
	struct migration_arg *arg = argp;
	char *pragma;
	int rc, current;

	/* Another process may have migrated since we looked (two processes
	 * opening a new database at once): look again under the write lock. */
	if ((rc = db_user_version(db, &current, err)) != 0)
		return rc;
	if (current >= arg->version)
		return 0;
	if ((rc = db_exec(db, migrations[arg->version - 1], err)) != 0)
		return mgr_error_prefix(err, _("migration to schema %d"), arg->version);
	pragma = xasprintf("PRAGMA user_version = %d", arg->version);
	rc = db_exec(db, pragma, err);
	free(pragma);
	return rc;
}

/* The file's auto_vacuum mode (2: incremental) into *mode. */
static int
db_auto_vacuum_mode(struct mgr_db *db, int *mode, struct mgr_error *err)
{
	sqlite3_stmt *st;

	*mode = 0;
	if (sqlite3_prepare_v2(sq(db)->h, "PRAGMA auto_vacuum", -1, &st,
	    NULL) != SQLITE_OK)
		return db_error(db, err, "auto_vacuum");
	if (sqlite3_step(st) == SQLITE_ROW)
		*mode = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Turns incremental auto_vacuum on in a database that has tables: the
 * setting takes effect with a VACUUM, which rewrites the file once (a
 * new database gets it before its first table, db_set_pragmas). */
static int
db_auto_vacuum(struct mgr_db *db, struct mgr_error *err)
{
	int mode, rc;

	if ((rc = db_auto_vacuum_mode(db, &mode, err)) != 0 || mode == 2)
		return rc;
	return db_exec(db, "PRAGMA auto_vacuum = INCREMENTAL; VACUUM;", err);
}

static int
db_migrate(struct mgr_db *db, int target, struct mgr_error *err)
{
	struct migration_arg arg;
	int version, rc;

	if ((rc = db_user_version(db, &version, err)) != 0)
		return rc;
	if (version > DB_NMIGRATIONS)
		return mgr_error_set(err, MGR_EVERSION,
		    _("%s: schema version %d is newer than this manager supports (%d); "
		      "use a newer manager"), db->path, version, DB_NMIGRATIONS);
	for (arg.version = version + 1; arg.version <= target; arg.version++)
		if ((rc = db_transaction(db, db_apply_migration, &arg, err)) != 0)
			return rc;
	if (version < DB_SCHEMA_AUTO_VACUUM && target >= DB_SCHEMA_AUTO_VACUUM)
		return db_auto_vacuum(db, err);
	return 0;
}

/* The folder is 0700 and the file 0600 before SQLite ever opens it, so
 * state is never readable by others, not even for an instant. */
static int
db_prepare_files(const char *path, struct mgr_error *err)
{
	char *dir;
	int fd, rc;

	if (strcmp(path, DB_MEMORY) == 0)	/* no file at all */
		return 0;
	dir = path_dirname_abs(path);
	rc = mkdir_p(dir, 0700, 0, err);
	free(dir);
	if (rc != 0)
		return rc;
	/* O_EXCL: never open an existing database here.  Closing any
	 * descriptor of a file drops every POSIX lock this process holds on
	 * it, so an open+close while another connection of this process is
	 * open would let other processes delete the WAL under it. */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST)
		return 0;
	if (fd == -1)
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(errno));
	if (fd != -1)
		close(fd);
	return 0;
}

static int
db_set_pragmas(struct mgr_db *db, struct mgr_error *err)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };
	int mode, rc;

	sqlite3_busy_timeout(sq(db)->h, DB_BUSY_TIMEOUT_MS);
	/* Effective only while the file has no table yet: a new database
	 * gives freed pages back in slices (retention_vacuum_step).  Set
	 * only when not already so: setting it writes the file's first page
	 * even when unchanged, a write transaction (and at the last close a
	 * checkpoint, 5 fdatasyncs) for every command, reads included. */
	if ((rc = db_auto_vacuum_mode(db, &mode, err)) != 0 || (mode != 2 &&
	    (rc = db_exec(db, "PRAGMA auto_vacuum = INCREMENTAL", err)) != 0))
		return rc;
	/* Switching a new database to WAL needs it to itself, and SQLite
	 * answers SQLITE_BUSY at once, without the busy handler, when another
	 * process opens it at that moment: retry for as long as busy_timeout. */
	for (int i = 0; i < DB_BUSY_TIMEOUT_MS / 10; i++) {
		rc = sqlite3_exec(sq(db)->h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		nanosleep(&pause, NULL);
	}
	if (rc != SQLITE_OK)
		return db_error(db, err, "journal_mode");
	return db_exec(db,
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;", err);
}

int
sqlite_open(const char *path, int version, struct mgr_db **out,
	    struct mgr_error *err)
{
	struct sqlite_db *s;
	struct mgr_db *db;
	int rc;

	if ((rc = db_prepare_files(path, err)) != 0)
		return rc;
	s = xcalloc(1, sizeof *s);
	db = &s->base;
	db->ops = &sqlite_store_ops;
	db->path = xstrdup(path);
	if (sqlite3_open_v2(path, &s->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = db_error(db, err, _("cannot open database"));
		sqlite_close(db);
		return rc;
	}
	if ((rc = db_set_pragmas(db, err)) != 0 ||
	    (rc = db_migrate(db, version > 0 ? version : DB_NMIGRATIONS,
	    err)) != 0) {
		sqlite_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void
sqlite_close(struct mgr_db *db)
{
	struct sqlite_db *s = sq(db);

	for (int i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->h != NULL)
		sqlite3_close(s->h);
	free(db->path);
	free(s);
}

/* Any path: the SQLite backend is the default. */
int
sqlite_accepts(const char *where)
{
	(void)where;
	return 1;
}

int64_t
sqlite_db_data_version(struct mgr_db *db)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (db_prepare(db, "PRAGMA data_version", &st, NULL) != 0)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return v;
}

/* data_version counts the other connections' commits, the connection's
 * changes count its own (rows written, rolled back or not: a change
 * too many only costs a read).  Each counter modulo 2^31 and 2^32: the
 * same mark twice would need 2^31 commits between two reads. */
int64_t
sqlite_db_change_mark(struct mgr_db *db)
{
	int64_t v = sqlite_db_data_version(db);
	uint64_t own = (uint64_t)sqlite3_total_changes64(sq(db)->h);

	if (v < 0)
		return -1;
	return (int64_t)((((uint64_t)v << 32) | (own & UINT32_MAX)) &
	    (uint64_t)INT64_MAX);
}

void
sqlite_db_release_memory(struct mgr_db *db)
{
	sqlite3_db_release_memory(db_handle(db));
}

/* A negative cache_size is in KiB. */
void
sqlite_db_cache_size(struct mgr_db *db, int kib)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", -kib);
	sqlite3_exec(db_handle(db), sql, NULL, NULL, NULL);
}

static int64_t
db_status_taken(sqlite3 *h, int op)
{
	int cur = 0, hi = 0;

	sqlite3_db_status(h, op, &cur, &hi, 1);
	return cur;
}

void
sqlite_db_io_counts(struct mgr_db *db, struct db_io_counts *out)
{
	sqlite3 *h = db_handle(db);

	out->written = db_status_taken(h, SQLITE_DBSTATUS_CACHE_WRITE);
	out->spilled = db_status_taken(h, SQLITE_DBSTATUS_CACHE_SPILL);
	out->misses = db_status_taken(h, SQLITE_DBSTATUS_CACHE_MISS);
}

/* SQLite's own wal_autocheckpoint: a log of this many pages is copied
 * back at the commit that reaches it. */
#define WAL_CHECKPOINT_PAGES 1000
/* A passive checkpoint elsewhere never ends the log while this
 * connection goes on writing (it only restarts once a checkpoint has
 * caught up with its end): past this many pages the connection
 * checkpoints itself, as SQLite would, so the log stays bounded. */
#define WAL_CHECKPOINT_HERE_PAGES 4000

static int
checkpoint_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct sqlite_db *s = arg;

	if (pages >= WAL_CHECKPOINT_HERE_PAGES)
		sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	else if (pages >= WAL_CHECKPOINT_PAGES)
		s->checkpoint_due(s->checkpoint_arg);
	return SQLITE_OK;
}

void
sqlite_db_checkpoint_elsewhere(struct mgr_db *db, void (*due)(void *arg),
			       void *arg)
{
	struct sqlite_db *s = sq(db);

	s->checkpoint_due = due;
	s->checkpoint_arg = arg;
	if (due != NULL)	/* replaces the autocheckpoint's own hook */
		sqlite3_wal_hook(s->h, checkpoint_hook, s);
	else
		sqlite3_wal_autocheckpoint(s->h, WAL_CHECKPOINT_PAGES);
}

int
sqlite_db_checkpoint(struct mgr_db *db, struct mgr_error *err)
{
	int rc = sqlite3_wal_checkpoint_v2(sq(db)->h, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	/* Busy: another connection checkpoints or holds the lock a moment;
	 * the next commit past the mark asks again. */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		return db_error(db, err, "checkpoint");
	return 0;
}

int
sqlite_db_integrity_check(struct mgr_db *db, int *ok, char **report, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sq(db)->h, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
		return db_error(db, err, "integrity_check");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strbuf_addf(&sb, "%s%s", sb.len ? "\n" : "",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strbuf_free(&sb);
		return db_error(db, err, "integrity_check");
	}
	*report = strbuf_detach(&sb);
	*ok = strcmp(*report, "ok") == 0;
	return 0;
}

char *
db_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s != NULL ? xstrdup((const char *)s) : NULL;
}

int
db_bind_text_or_null(sqlite3_stmt *st, int idx, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, idx);
	return sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
}
