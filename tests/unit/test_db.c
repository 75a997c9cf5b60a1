/* test_db.c - opening, modes, migrations (fresh, upgrade, newer-version
 * refusal) and transactions (commit, rollback, nesting). */
#include "testutil.h"
#include "sqlite/sqlite_int.h"	/* the SQLite backend under test */
#include "db.h"
#include "console_view_store.h"
#include "retention_store.h"
#include "runlog_store.h"
#include "task_context_store.h"
#include "task_hooks_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int
setup(void **state)
{
	*state = tmpdir_new();
	return 0;
}

static int
teardown(void **state)
{
	tmpdir_free(*state);
	return 0;
}

static int
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int
count_rows(struct mgr_db *db, const char *sql)
{
	sqlite3_stmt *st;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_fresh_database(void **state)
{
	char *path = xasprintf("%s/state/sub/m.db", (char *)*state);
	char *dir = xasprintf("%s/state/sub", (char *)*state);
	struct mgr_db *db;
	struct mgr_error err = { 0 };
	int version;

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_user_version(db, &version, &err), 0);
	assert_int_equal(version, db_schema_latest());
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(dir), 0700);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('plugins','tasks','runs','events','commands','snapshots',"
	    "'plugin_state','host')"), 8);
	assert_int_equal(count_rows(db, "PRAGMA foreign_keys"), 1);
	db_close(db);
	free(path);
	free(dir);
}

/* db_cache_size sets the connection's page cache, in KiB (the history
 * writer's, sched_writer.c). */
static void
test_cache_size(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db;
	sqlite3_stmt *st;

	assert_int_equal(db_open(path, &db, NULL), 0);
	db_cache_size(db, 65536);
	sqlite3_prepare_v2(db_handle(db), "PRAGMA cache_size", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), -65536);
	sqlite3_finalize(st);
	db_close(db);
	free(path);
}

static void
count_due(void *arg)
{
	(*(int *)arg)++;
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

/* 1,200 pages in one commit: past SQLite's 1,000-page checkpoint mark. */
static void
write_pages(struct mgr_db *db)
{
	assert_int_equal(sqlite3_exec(db_handle(db), "BEGIN;"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 1200) INSERT INTO big SELECT randomblob(4000) FROM n;"
	    "COMMIT", NULL, NULL, NULL), SQLITE_OK);
}

/* A connection that hands its checkpoints elsewhere copies nothing back
 * at its commits (the engine's loop: no fsync of the database there);
 * the other connection's db_checkpoint does; handing back restores the
 * checkpoint at commit. */
static void
test_checkpoint_elsewhere(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db, *other;
	int due = 0;
	off_t before;

	assert_int_equal(db_open(path, &db, NULL), 0);
	assert_int_equal(db_open(path, &other, NULL), 0);
	assert_int_equal(sqlite3_exec(db_handle(db),
	    "CREATE TABLE big(b BLOB)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_checkpoint(other, NULL), 0);
	before = file_size(path);
	db_checkpoint_elsewhere(db, count_due, &due);
	write_pages(db);
	assert_int_equal(due, 1);
	assert_true(file_size(path) < before + 100 * 4096);
	assert_int_equal(db_checkpoint(other, NULL), 0);
	assert_true(file_size(path) > before + 1000 * 4096);
	db_checkpoint_elsewhere(db, NULL, NULL);
	before = file_size(path);
	write_pages(db);
	assert_int_equal(due, 1);
	assert_true(file_size(path) > before + 1000 * 4096);
	db_close(other);
	db_close(db);
	free(path);
}

/* What the engine's change watch counts (its loop wakes and re-reads
 * data_version on each, then rechecks up to a second): a commit of
 * another connection, not a connection opened and closed nor a
 * checkpoint of this process's own (the log pruning thread's connection,
 * made every five minutes, woke an idle engine 13 times). */
static void
test_watch_counts_commits_only(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db, *other, *third;
	struct db_watch *w;
	int fd;

	assert_int_equal(db_open(path, &db, NULL), 0);
	assert_int_equal(db_open(path, &other, NULL), 0);
	w = db_watch_open(db);
	assert_int_not_equal(db_watch_fd(w), -1);
	assert_int_equal(sqlite3_exec(db_handle(other),
	    "CREATE TABLE big(b BLOB)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(db_watch_drain(w), 1);
	assert_int_equal(db_open(path, &third, NULL), 0);
	db_close(third);
	assert_true((fd = open(path, O_RDWR | O_CLOEXEC)) != -1);
	close(fd);
	assert_int_equal(db_watch_drain(w), 0);
	write_pages(other);
	assert_int_equal(db_watch_drain(w), 1);
	assert_int_equal(db_checkpoint(other, NULL), 0);
	assert_int_equal(db_watch_drain(w), 0);
	db_watch_close(w);
	db_close(other);
	db_close(db);
	free(path);
}

static void
test_wal_mode(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db;
	sqlite3_stmt *st;

	assert_int_equal(db_open(path, &db, NULL), 0);
	sqlite3_prepare_v2(db_handle(db), "PRAGMA journal_mode", -1, &st, NULL);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	db_close(db);
	free(path);
}

/* A version-1 database with data upgrades to the latest and keeps it. */
static void
test_upgrade_keeps_data(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db;
	struct mgr_error err = { 0 };
	int version;

	assert_int_equal(db_open_version(path, 1, &db, &err), 0);
	assert_int_equal(db_user_version(db, &version, &err), 0);
	assert_int_equal(version, 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name='runs'"), 0);
	assert_int_equal(db_exec(db, "INSERT INTO tasks (id, name, func_path, "
	    "trigger, created_at, updated_at) VALUES ('t1','t1','exec:true',"
	    "'interval',1,1)", &err), 0);
	db_close(db);

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_user_version(db, &version, &err), 0);
	assert_int_equal(version, db_schema_latest());
	assert_int_equal(count_rows(db, "SELECT count(*) FROM tasks WHERE id='t1'"), 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_master "
	    "WHERE name='runs'"), 1);
	db_close(db);
	free(path);
}

/* Version 4 makes (task, fire time, attempt) unique.  A version-3
 * database may hold the same fire time twice (the crash bug it fixes):
 * no row is lost, the later one becomes a further attempt. */
static void
test_migration_keeps_duplicate_runs(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db = NULL;
	struct mgr_error err = { 0 };

	assert_int_equal(db_open_version(path, 3, &db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO tasks (id, name, func_path, "
	    "trigger, created_at, updated_at) VALUES ('t1','t1','exec:true',"
	    "'interval',1,1);"
	    "INSERT INTO runs (task_id, attempt, scheduled_at, status) VALUES "
	    "('t1',1,100,'succeeded'),('t1',1,100,'succeeded'),"
	    "('t1',2,100,'failed'),('t1',1,100,'succeeded'),"
	    "('t1',1,200,'succeeded'),('t1',1,NULL,'succeeded'),"
	    "('t1',1,NULL,'succeeded')", &err), 0);
	db_close(db);

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs"), 7);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs WHERE "
	    "scheduled_at=100 AND attempt IN (1,2,3,4)"), 4);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM (SELECT 1 FROM "
	    "runs WHERE scheduled_at IS NOT NULL GROUP BY task_id, scheduled_at, "
	    "attempt HAVING count(*) > 1)"), 0);
	assert_int_not_equal(db_exec(db, "INSERT INTO runs (task_id, attempt, "
	    "scheduled_at, status) VALUES ('t1',1,200,'succeeded')", &err), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM tasks WHERE "
	    "on_interrupt='abandon' AND next_nominal IS NULL"), 1);
	db_close(db);
	free(path);
}

/* The VM steps of every statement of the connection since the last
 * call (each counter reset as it is read). */
static int
vm_steps(struct mgr_db *db)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	while ((st = sqlite3_next_stmt(db_handle(db), st)) != NULL)
		n += sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	return n;
}

static void
usage_seen(void *arg, int64_t id, int64_t user_us, int64_t sys_us,
	   int64_t max_rss_kb)
{
	(void)id;
	(void)user_us;
	(void)sys_us;
	(void)max_rss_kb;
	++*(int *)arg;
}

/* The opcodes of `sql` on db that are `opcode` (EXPLAIN's second column). */
static int
count_opcodes(struct mgr_db *db, const char *sql, const char *opcode)
{
	char *explain = xasprintf("EXPLAIN %s", sql);
	sqlite3_stmt *st;
	int n = 0;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), explain, -1, &st,
	    NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		n += strcmp((const char *)sqlite3_column_text(st, 1), opcode) == 0;
	sqlite3_finalize(st);
	free(explain);
	return n;
}

#define INSERT_TASK "INSERT INTO tasks (id, name, func_path, trigger, " \
	"created_at, updated_at) VALUES ('t2','t2','exec:true','%s',1,1)"

/* Schema 18: adding a task builds no temporary b-tree for the trigger's
 * CHECK (an IN list of four values did, at every INSERT), on a new
 * database and on one upgraded from 17; the CHECK still refuses an
 * unknown trigger and takes each known one. */
static void
test_task_insert_check(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state), *sql;
	const char *known[] = { "interval", "cron", "date", "calendar" };
	struct mgr_db *db;
	struct mgr_error err = { 0 };

	assert_int_equal(db_open_version(path, 17, &db, &err), 0);
	sql = xasprintf(INSERT_TASK, "cron");
	assert_int_equal(count_opcodes(db, sql, "OpenEphemeral"), 1);
	db_close(db);
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(count_opcodes(db, sql, "OpenEphemeral"), 0);
	free(sql);
	sql = xasprintf(INSERT_TASK, "hourly");
	assert_int_not_equal(db_exec(db, sql, &err), 0);
	assert_non_null(strstr(err.msg, "CHECK constraint failed"));
	free(sql);
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		sql = xasprintf(INSERT_TASK, known[i]);
		assert_int_equal(db_exec(db, sql, &err), 0);
		assert_int_equal(db_exec(db, "DELETE FROM tasks", &err), 0);
		free(sql);
	}
	db_close(db);
	free(path);
}

/* Settles every run recorded so far: the history writer's settle, due
 * at once on a new database (its bound is 0). */
static void
settle_now(struct mgr_db *db)
{
	sqlite_run_store_record(db, NULL, 0, NULL, NULL);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs WHERE id "
	    "NOT IN (SELECT id FROM runs_settled)"), 0);
}

/* With the task-led part settled (schema 19; one index led by the task
 * since 14), each read of a task's history still goes through it: task
 * t's 3 runs are read without walking the 5,000 newer runs of task u (a
 * walk is over 20,000 steps; by the index, well under 1,000). */
static void
test_task_reads_by_index(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db;
	struct mgr_error err = { 0 };
	struct run_rec *v;
	char *status = NULL;
	int64_t n64, id;
	size_t n;
	int d, seen = 0, ended;

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO tasks (id, name, func_path, "
	    "trigger, created_at, updated_at) VALUES ('t','t','exec:true',"
	    "'interval',1,1), ('u','u','exec:true','interval',1,1);"
	    "INSERT INTO runs (task_id, scheduled_at, started_at, ended_at, "
	    "status) VALUES ('t',1,1,2,'failed'),('t',2,2,3,'failed'),"
	    "('t',3,3,4,'succeeded');"
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k "
	    "WHERE i < 5000) INSERT INTO runs (task_id, scheduled_at, "
	    "started_at, ended_at, status) SELECT 'u', i, i, i + 1, "
	    "'succeeded' FROM k", &err), 0);
	settle_now(db);
	vm_steps(db);
	assert_int_equal(run_store_list(db, "t", 0, 10, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	run_recs_free(v, n);
	assert_in_range(vm_steps(db), 1, 999);
	assert_int_equal(run_usage_store_list(db, "t", 10, usage_seen, &seen,
	    &err), 0);
	assert_int_equal(seen, 3);
	assert_in_range(vm_steps(db), 1, 999);
	assert_int_equal(store_console_run_count(db, "t", &n64, &err), 0);
	assert_in_range(vm_steps(db), 1, 999);
	assert_int_equal(task_hooks_store_last_final(db, "t", 0, &status,
	    &n64, &err), 0);
	free(status);
	assert_int_equal(task_hooks_store_last_start(db, "t", &n64, &err), 0);
	assert_int_equal(run_usage_store_find(db, "t", 2, 0, &id, &err), 0);
	assert_int_equal(runlog_store_state(db, "t", 2, 1, &ended, &id, &err),
	    0);
	assert_int_equal(run_store_fire_recorded(db, "t", 3, &ended, &err), 0);
	assert_in_range(vm_steps(db), 1, 999);
	assert_int_equal(retention_prune_task(db, "t", 1, 200, &d, &err), 0);
	assert_int_equal(d, 2);
	assert_in_range(vm_steps(db), 1, 999);
	db_close(db);
	free(path);
}

/* Inserts a run of task t due at `at`, ended. */
static void
add_run(struct mgr_db *db, int64_t at)
{
	struct run_rec r = { .task_id = "t", .attempt = 1, .scheduled_at = at,
	    .started_at = at, .ended_at = at + 1, .status = "succeeded",
	    .exit_code = 0 };
	struct mgr_error err = { 0 };

	assert_int_equal(run_store_insert(db, &r, &err), 0);
}

/* The ids of task t's runs as run_store_list gives them, newest first,
 * are exactly `want` (n of them); the other readers count them alike. */
static void
assert_task_runs(struct mgr_db *db, const int64_t *want, size_t n)
{
	struct mgr_error err = { 0 };
	struct run_rec *v;
	int64_t count;
	size_t got;
	int seen = 0;

	assert_int_equal(run_store_list(db, "t", 0, 100, &v, &got, &err), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].id, want[i]);
	run_recs_free(v, got);
	assert_int_equal(store_console_run_count(db, "t", &count, &err), 0);
	assert_int_equal(count, (int64_t)n);
	assert_int_equal(run_usage_store_list(db, "t", 100, usage_seen, &seen,
	    &err), 0);
	assert_int_equal(seen, (int)n);
}

/* Schema 19: a task's runs read back whole and in order across the
 * settled part and the recent one (read through the time-led key),
 * a late run (due before the bound) settled as it is written, and
 * retention's deletes leave nothing behind in runs_settled. */
static void
test_task_runs_across_settle(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	int64_t later = mgr_now_us() + INT64_C(3600000000), at;
	const int64_t all[] = { 5, 4, 3, 2, 1 }, kept[] = { 5, 4 };
	struct mgr_db *db;
	struct mgr_error err = { 0 };
	int d;

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO tasks (id, name, func_path, "
	    "trigger, created_at, updated_at) VALUES ('t','t','exec:true',"
	    "'interval',1,1)", &err), 0);
	add_run(db, 100);
	add_run(db, 200);
	settle_now(db);
	add_run(db, later);
	add_run(db, 150);		/* late: below the bound */
	add_run(db, later + 1000);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs_settled"), 3);
	assert_task_runs(db, all, 5);
	assert_int_equal(task_hooks_store_last_start(db, "t", &at, &err), 0);
	assert_true(at == later + 1000);
	assert_int_equal(retention_prune_task(db, "t", 2, 200, &d, &err), 0);
	assert_int_equal(d, 3);
	assert_task_runs(db, kept, 2);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs_settled"), 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs_settled "
	    "WHERE id NOT IN (SELECT id FROM runs)"), 0);
	db_close(db);
	free(path);
}

/* Migration 19 keeps an old database's runs readable: every run,
 * without a fire time too, is settled and read back in order; a fire
 * time is still recorded once. */
static void
test_migration_19_keeps_runs(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	const int64_t all[] = { 4, 3, 2, 1 };
	struct mgr_db *db;
	struct mgr_error err = { 0 };

	assert_int_equal(db_open_version(path, 18, &db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO tasks (id, name, func_path, "
	    "trigger, created_at, updated_at) VALUES ('t','t','exec:true',"
	    "'interval',1,1);"
	    "INSERT INTO runs (id, task_id, scheduled_at, started_at, ended_at, "
	    "status) VALUES (1,'t',300,300,301,'failed'),"
	    "(2,'t',NULL,400,401,'succeeded'),(3,'t',100,500,501,'failed'),"
	    "(4,'t',200,600,601,'succeeded')", &err), 0);
	db_close(db);
	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs_settled"), 4);
	assert_task_runs(db, all, 4);
	assert_int_not_equal(db_exec(db, "INSERT INTO runs (task_id, attempt, "
	    "scheduled_at, status) VALUES ('t',1,200,'succeeded')", &err), 0);
	db_close(db);
	free(path);
}

/* Schema 19: removing a task removes its runs in both parts of the
 * history through them, without walking the 5,000 runs of task u (the
 * foreign key's cascade, with no index led by runs.task_id, walked
 * them all: over 10,000 steps); a run of an unknown task is refused. */
static void
test_task_removal_by_index(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	int64_t later = mgr_now_us() + INT64_C(3600000000);
	struct mgr_db *db;
	struct mgr_error err = { 0 };
	int steps;

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT INTO tasks (id, name, func_path, "
	    "trigger, created_at, updated_at) VALUES ('t','t','exec:true',"
	    "'interval',1,1), ('u','u','exec:true','interval',1,1);"
	    "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k "
	    "WHERE i < 5000) INSERT INTO runs (task_id, scheduled_at, "
	    "started_at, ended_at, status) SELECT 'u', i, i, i + 1, "
	    "'succeeded' FROM k", &err), 0);
	add_run(db, 100);
	settle_now(db);
	add_run(db, later);		/* t: one run in each part */
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs WHERE "
	    "task_id = 't'"), 2);
	vm_steps(db);
	assert_int_equal(task_store_delete(db, "t", &err), 0);
	steps = vm_steps(db);
	assert_in_range(steps, 1, 999);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs WHERE "
	    "task_id = 't'"), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs_settled "
	    "WHERE task_id = 't'"), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM runs"), 5000);
	assert_int_not_equal(db_exec(db, "INSERT INTO runs (task_id, "
	    "scheduled_at, status) VALUES ('t', 7, 'succeeded')", &err), 0);
	assert_non_null(strstr(err.msg, "FOREIGN KEY constraint failed"));
	db_close(db);
	free(path);
}

static void
test_newer_version_refused(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db = NULL;
	struct mgr_error err = { 0 };
	char *pragma = xasprintf("PRAGMA user_version = %d", db_schema_latest() + 1);

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_exec(db, pragma, &err), 0);
	db_close(db);
	db = NULL;
	assert_int_equal(db_open(path, &db, &err), MGR_EVERSION);
	assert_null(db);
	assert_non_null(strstr(err.msg, "newer than this manager supports"));
	free(pragma);
	free(path);
}

static int
txn_insert_then_fail(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	(void)arg;
	if (db_exec(db, "INSERT INTO events (at, kind, message) VALUES (1,'a','x')", err))
		return MGR_EDB;
	return mgr_error_set(err, MGR_EINVAL, "deliberate failure");
}

static int
txn_insert(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	(void)arg;
	return db_exec(db, "INSERT INTO events (at, kind, message) VALUES (1,'b','y')", err);
}

static int
txn_nested_inner_fails(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	struct mgr_error inner = { 0 };

	if (txn_insert(db, arg, err) != 0)
		return MGR_EDB;
	/* The inner failure rolls back only its savepoint. */
	assert_int_equal(db_transaction(db, txn_insert_then_fail, NULL, &inner),
	    MGR_EINVAL);
	return 0;
}

static void
test_transactions(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db;
	struct mgr_error err = { 0 };

	assert_int_equal(db_open(path, &db, &err), 0);
	assert_int_equal(db_transaction(db, txn_insert_then_fail, NULL, &err), MGR_EINVAL);
	assert_string_equal(err.msg, "deliberate failure");
	assert_int_equal(count_rows(db, "SELECT count(*) FROM events"), 0);
	assert_int_equal(db_transaction(db, txn_insert, NULL, &err), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM events"), 1);
	assert_int_equal(db_transaction(db, txn_nested_inner_fails, NULL, &err), 0);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM events WHERE kind='b'"), 2);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM events WHERE kind='a'"), 0);
	db_close(db);
	free(path);
}

static void
test_data_version_sees_other_connection(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *a, *b;
	int64_t before;

	assert_int_equal(db_open(path, &a, NULL), 0);
	assert_int_equal(db_open(path, &b, NULL), 0);
	before = db_data_version(a);
	assert_int_equal(db_exec(b, "INSERT INTO events (at, kind, message) "
	    "VALUES (1,'c','z')", NULL), 0);
	assert_true(db_data_version(a) != before);
	db_close(a);
	db_close(b);
	free(path);
}

static void
test_integrity_check(void **state)
{
	char *path = xasprintf("%s/m.db", (char *)*state);
	struct mgr_db *db;
	char *report;
	int ok = 0;

	assert_int_equal(db_open(path, &db, NULL), 0);
	assert_int_equal(db_integrity_check(db, &ok, &report, NULL), 0);
	assert_true(ok);
	assert_string_equal(report, "ok");
	free(report);
	db_close(db);
	free(path);
}

static void
test_unwritable_folder(void **state)
{
	struct mgr_db *db = NULL;
	struct mgr_error err = { 0 };

	(void)state;
	assert_int_not_equal(db_open("/proc/nonexistent/m.db", &db, &err), 0);
	assert_null(db);
	assert_non_null(strstr(err.msg, "/proc/nonexistent"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wal_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_counts_commits_only,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_elsewhere, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_keeps_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_keeps_duplicate_runs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_insert_check, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_task_reads_by_index, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_task_runs_across_settle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_19_keeps_runs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_removal_by_index,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_version_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_version_sees_other_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_integrity_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_folder, setup, teardown),
	};
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
