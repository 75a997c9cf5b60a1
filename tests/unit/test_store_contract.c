/* test_store_contract.c - one set of checks that every store backend
 * must pass, run against SQLite and, when MANAGER_TEST_PG names a
 * PostgreSQL server (scripts/pg-test-cluster.sh), against PostgreSQL:
 * task, plugin, run, event, command, host, snapshot and context rows,
 * the fire-time key UNIQUE(task_id, scheduled_at, attempt), the run log's
 * questions and the logs the history keeps, history retention in bounded steps, task hooks and the
 * history reads behind them, run ids reserved in blocks, a command's
 * stdin, notifications owed, the host registry (epochs, leases,
 * fencing, sweep), transactions, the data version, the change watch and the
 * one-host lock; and that both backends fill every operation of the
 * table.  Without MANAGER_TEST_PG the PostgreSQL cases are left out.
 *
 * Each PostgreSQL case gets a schema of its own in a database of this
 * process's own, dropped at the end. */
#include "testutil.h"
#include "backend.h"
#include "command_input_store.h"
#include "console_view_store.h"
#include "control_store.h"
#include "hosts_store.h"
#include "metrics_store.h"
#include "notify_store.h"
#include "retention_store.h"
#include "run_ids_store.h"
#include "runlog.h"
#include "runlog_store.h"
#include "snapshot_store.h"
#include "store.h"
#include "task_context_store.h"
#include "task_hooks_store.h"
#include "sqlite/sqlite_int.h"	/* db_handle: the SQLite store's indexes */

#include <libpq-fe.h>
#include <poll.h>

/* The PostgreSQL backend's open (src/store/pg/db.c): called directly
 * while the backend is not yet in store.c's list, so that db_open of a
 * connection string cannot reach a backend that is not finished. */
int pg_open(const char *where, int version, struct mgr_db **out,
	    struct mgr_error *err);
/* The backends' tables (src/store/sqlite/ops.c, src/store/pg/ops.c). */
extern const struct store_ops sqlite_store_ops, pg_store_ops;

struct fixture {
	int pg;
	char *dir;		/* SQLite: the folder */
	char *where;		/* the database string */
	struct mgr_db *db;
};

static char *
pg_dbname(void)
{
	return xasprintf("mgr_contract_%ld", (long)getpid());
}

/* MANAGER_TEST_PG with dbname (and a search_path) in place of its own. */
static char *
pg_where(const char *dbname, const char *schema)
{
	const char *base = getenv("MANAGER_TEST_PG");

	if (schema == NULL)
		return xasprintf("%s dbname=%s", base, dbname);
	return xasprintf("%s dbname=%s options='-c search_path=%s'", base,
	    dbname, schema);
}

static void
pg_admin(const char *where, const char *sql)
{
	PGconn *c = PQconnectdb(where);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", where, PQerrorMessage(c));
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static int
pg_group_setup(void **state)
{
	char *name, *sql;

	(void)state;
	if (getenv("MANAGER_TEST_PG") == NULL)
		return 0;
	name = pg_dbname();
	sql = xasprintf("CREATE DATABASE %s", name);
	pg_admin(getenv("MANAGER_TEST_PG"), sql);
	free(sql);
	free(name);
	return 0;
}

static int
pg_group_teardown(void **state)
{
	char *name, *sql;

	(void)state;
	if (getenv("MANAGER_TEST_PG") == NULL)
		return 0;
	name = pg_dbname();
	sql = xasprintf("DROP DATABASE %s WITH (FORCE)", name);
	pg_admin(getenv("MANAGER_TEST_PG"), sql);
	free(sql);
	free(name);
	return 0;
}

/* A second connection to the fixture's store. */
static struct mgr_db *
reopen(struct fixture *f)
{
	struct mgr_error err = { 0 };
	struct mgr_db *db = NULL;
	int rc = f->pg ? pg_open(f->where, 0, &db, &err) :
	    db_open(f->where, &db, &err);

	if (rc != 0)
		fail_msg("%s: %s", f->where, err.msg);
	return db;
}

static int
setup_sqlite(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	f->dir = tmpdir_new();
	f->where = xasprintf("%s/m.db", f->dir);
	f->db = reopen(f);
	*state = f;
	return 0;
}

static int
setup_pg(void **state)
{
	struct fixture *f;
	char *name, *schema, *sql, *admin;

	*state = NULL;
	if (getenv("MANAGER_TEST_PG") == NULL)
		return 0;
	f = xcalloc(1, sizeof *f);
	f->pg = 1;
	name = pg_dbname();
	schema = xasprintf("case%lld", (long long)mgr_now_us());
	admin = pg_where(name, NULL);
	sql = xasprintf("CREATE SCHEMA %s", schema);
	pg_admin(admin, sql);
	f->where = pg_where(name, schema);
	f->db = reopen(f);
	free(sql);
	free(admin);
	free(schema);
	free(name);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	db_close(f->db);
	if (f->dir != NULL)
		tmpdir_free(f->dir);
	free(f->where);
	free(f);
	return 0;
}

/* The fixture, or a skip when this backend has no server to test on. */
static struct fixture *
fixture(void **state)
{
	if (*state == NULL) {
		print_message("# SKIP MANAGER_TEST_PG is not set: no PostgreSQL "
		    "server to test on (scripts/pg-test-cluster.sh)\n");
		skip();
	}
	return *state;
}

static struct task_rec
sample_task(const char *id)
{
	struct task_rec t;

	task_rec_init(&t);
	t.id = (char *)id;
	t.func_path = (char *)"exec:/bin/true";
	t.trigger = (char *)"interval";
	t.trigger_args = (char *)"{\"seconds\":\"5\"}";
	return t;
}

static void
add_task(struct mgr_db *db, const char *id)
{
	struct task_rec t = sample_task(id);
	struct mgr_error err = { 0 };

	assert_int_equal(task_store_create(db, &t, &err), 0);
}

/* task_store_list_brief: the rows of full (n of them), in any order,
 * with what `task list` shows and nothing else. */
static void
expect_brief_list(struct mgr_db *db, const struct task_rec *full, size_t n)
{
	struct mgr_error err = { 0 };
	struct task_rec *b;
	size_t nb, found = 0;

	assert_int_equal(task_store_list_brief(db, &b, &nb, &err), 0);
	assert_int_equal(nb, n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < nb; j++) {
			if (strcmp(full[i].id, b[j].id) != 0)
				continue;
			found++;
			assert_string_equal(b[j].name, full[i].name);
			assert_string_equal(b[j].status, full[i].status);
			assert_true(b[j].next_run == full[i].next_run);
			assert_true(b[j].last_run == full[i].last_run);
			assert_null(b[j].func_path);
		}
	assert_int_equal(found, n);
	task_recs_free(b, nb);
}

/* task_store_each: every row of full (n of them) once, in any order,
 * with the same fields, and the number of rows at each call. */
struct each_seen {
	const struct task_rec *full;
	size_t n, calls, found;
};

static void
each_cb(void *arg, const struct task_rec *row, size_t nrows)
{
	struct each_seen *e = arg;

	e->calls++;
	assert_int_equal(nrows, e->n);
	for (size_t i = 0; i < e->n; i++) {
		const struct task_rec *f = &e->full[i];
		if (strcmp(f->id, row->id) != 0)
			continue;
		e->found++;
		assert_string_equal(row->name, f->name);
		assert_string_equal(row->func_path, f->func_path);
		assert_string_equal(row->trigger, f->trigger);
		assert_string_equal(row->trigger_args, f->trigger_args);
		assert_string_equal(row->status, f->status);
		assert_string_equal(row->source, f->source);
		assert_true((row->plugin_id == NULL) == (f->plugin_id == NULL));
		assert_true(row->next_run == f->next_run);
		assert_true(row->last_run == f->last_run);
		assert_true(row->next_nominal == f->next_nominal);
		assert_int_equal(row->enabled, f->enabled);
		assert_int_equal(row->coalesce, f->coalesce);
		assert_int_equal(row->misfire_grace_time, f->misfire_grace_time);
		assert_int_equal(row->max_instances, f->max_instances);
		assert_int_equal(row->on_interrupt, f->on_interrupt);
	}
}

static void
expect_each(struct mgr_db *db, const struct task_rec *full, size_t n)
{
	struct each_seen e = { full, n, 0, 0 };
	struct mgr_error err = { 0 };

	assert_int_equal(task_store_each(db, each_cb, &e, &err), 0);
	assert_int_equal(e.calls, n);
	assert_int_equal(e.found, n);
}

/* A row created with its context has it; without, none. */
static void
test_task_create_with_context(void **state)
{
	struct fixture *f = fixture(state);
	struct task_rec t = sample_task("c1");
	struct mgr_error err = { 0 };
	char *ctx = NULL;

	assert_int_equal(task_store_create_with_context(f->db, &t,
	    "{\"env\":[\"A=1\"]}", &err), 0);
	assert_int_equal(task_context_store_get(f->db, "c1", &ctx, &err), 0);
	assert_string_equal(ctx, "{\"env\":[\"A=1\"]}");
	free(ctx);
	ctx = NULL;
	t = sample_task("c2");
	assert_int_equal(task_store_create_with_context(f->db, &t, NULL, &err),
	    0);
	assert_int_equal(task_context_store_get(f->db, "c2", &ctx, &err), 0);
	assert_null(ctx);
}

static void
test_tasks(void **state)
{
	struct fixture *f = fixture(state);
	struct task_rec t = sample_task("t2"), got = { 0 }, *list;
	struct mgr_error err = { 0 };
	size_t n;

	t.name = (char *)"Zwei \xc3\xa4";
	t.next_run = INT64_C(1700000000123456);
	t.coalesce = 0;
	t.misfire_grace_time = 0;
	t.on_interrupt = TASK_INTERRUPT_RERUN;
	assert_int_equal(task_store_create(f->db, &t, &err), 0);
	add_task(f->db, "T1");
	assert_int_equal(task_store_create(f->db, &t, &err), MGR_EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	t = sample_task("bad");
	t.trigger = (char *)"weekly";
	assert_int_equal(task_store_create(f->db, &t, &err), MGR_EINVAL);
	t.trigger = (char *)"calendar";	/* migration 6 */
	assert_int_equal(task_store_create(f->db, &t, &err), 0);

	assert_int_equal(task_store_read(f->db, "t2", &got, &err), 0);
	assert_string_equal(got.name, "Zwei \xc3\xa4");
	assert_true(got.next_run == INT64_C(1700000000123456));
	assert_int_equal(got.last_run, 0);
	assert_int_equal(got.coalesce, 0);
	assert_int_equal(got.misfire_grace_time, 0);
	assert_int_equal(got.max_instances, 1);
	assert_int_equal(got.on_interrupt, TASK_INTERRUPT_RERUN);
	assert_string_equal(got.trigger_args, "{\"seconds\":\"5\"}");
	assert_null(got.plugin_id);
	free(got.status);
	got.status = xstrdup("paused");
	got.enabled = 0;
	assert_int_equal(task_store_update(f->db, &got, &err), 0);
	task_rec_clear(&got);
	assert_int_equal(task_store_set_status(f->db, "t2", "scheduled", 42, 99,
	    98, &err), 0);
	assert_int_equal(task_store_set_status(f->db, "t2", "scheduled", 0, 0,
	    0, &err), 0);	/* last_run 0 keeps the last one */
	assert_int_equal(task_store_read(f->db, "t2", &got, &err), 0);
	assert_string_equal(got.status, "scheduled");
	assert_int_equal(got.enabled, 0);
	assert_int_equal(got.last_run, 42);
	assert_int_equal(got.next_run, 0);
	task_rec_clear(&got);
	assert_int_equal(task_store_set_status(f->db, "none", "x", 0, 0, 0,
	    &err), MGR_ENOENT);
	assert_int_equal(task_store_read(f->db, "none", &got, &err), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "none"));

	/* Byte order, whatever the server's collation. */
	assert_int_equal(task_store_list(f->db, &list, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0].id, "T1");
	assert_string_equal(list[1].id, "bad");
	assert_string_equal(list[2].id, "t2");
	expect_brief_list(f->db, list, n);
	expect_each(f->db, list, n);
	task_recs_free(list, n);
	assert_int_equal(task_store_delete(f->db, "t2", &err), 0);
	assert_int_equal(task_store_delete(f->db, "t2", &err), MGR_ENOENT);
}

static void
test_plugins(void **state)
{
	struct fixture *f = fixture(state);
	struct plugin_rec p = {
		.id = (char *)"hello", .version = (char *)"1.2.0",
		.path = (char *)"/p/hello",
	}, got = { 0 }, *list;
	struct mgr_error err = { 0 };
	struct task_rec *tasks, t;
	char *v = NULL;
	size_t n;

	assert_int_equal(plugin_store_create(f->db, &p, &err), 0);
	assert_int_equal(plugin_store_create(f->db, &p, &err), MGR_EEXIST);
	assert_int_equal(plugin_store_read(f->db, "hello", &got, &err), 0);
	assert_string_equal(got.name, "hello");
	assert_string_equal(got.manifest, "{}");
	assert_string_equal(got.dependencies, "[]");
	assert_string_equal(got.state, "disabled");
	assert_null(got.error);
	plugin_rec_clear(&got);
	assert_int_equal(plugin_store_set_state(f->db, "hello", "enabled", NULL,
	    &err), 0);
	assert_int_equal(plugin_store_set_state(f->db, "gone", "enabled", NULL,
	    &err), MGR_ENOENT);
	assert_int_equal(plugin_store_list(f->db, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].enabled, 1);
	plugin_recs_free(list, n);

	assert_int_equal(plugin_state_set(f->db, "hello", "k", "v1", &err), 0);
	assert_int_equal(plugin_state_set(f->db, "hello", "k", "v2", &err), 0);
	assert_int_equal(plugin_state_set(f->db, "hello", "a", "x", &err), 0);
	assert_int_equal(plugin_state_get(f->db, "hello", "k", &v, &err), 0);
	assert_string_equal(v, "v2");
	free(v);
	assert_int_equal(plugin_state_dump(f->db, "hello", &v, &err), 0);
	assert_string_equal(v, "{\"a\":\"x\",\"k\":\"v2\"}");
	free(v);
	assert_int_equal(plugin_state_replace(f->db, "hello", "{\"z\":\"1\"}",
	    &err), 0);
	assert_int_equal(plugin_state_get(f->db, "hello", "k", &v, &err),
	    MGR_ENOENT);
	assert_int_equal(plugin_state_set(f->db, "hello", "z", NULL, &err), 0);
	assert_int_equal(plugin_state_get(f->db, "hello", "z", &v, &err),
	    MGR_ENOENT);

	add_task(f->db, "free");
	t = sample_task("ht");
	t.plugin_id = (char *)"hello";
	assert_int_equal(task_store_create(f->db, &t, &err), 0);
	assert_int_equal(task_store_list_by_plugin(f->db, "hello", &tasks, &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(tasks[0].id, "ht");
	task_recs_free(tasks, n);
	assert_int_equal(plugin_store_delete(f->db, "hello", &err), 0);
	assert_int_equal(plugin_store_delete(f->db, "hello", &err), MGR_ENOENT);
}

static struct run_rec
sample_run(const char *task, int64_t at, int attempt, const char *status)
{
	struct run_rec r = {
		.task_id = (char *)task, .attempt = attempt, .scheduled_at = at,
		.status = (char *)status, .exit_code = -1,
	};
	return r;
}

static void
test_runs_fire_key(void **state)
{
	struct fixture *f = fixture(state);
	struct run_rec r = sample_run("t", 1000, 1, "claimed"), *v;
	struct mgr_error err = { 0 };
	int yes;
	size_t n;

	add_task(f->db, "t");
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	assert_true(r.id > 0);
	/* One row per fire time and attempt. */
	r = sample_run("t", 1000, 1, "running");
	assert_int_not_equal(run_store_insert(f->db, &r, &err), 0);
	r = sample_run("t", 1000, 2, "claimed");
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	r = sample_run("ghost", 1000, 1, "claimed");
	assert_int_not_equal(run_store_insert(f->db, &r, &err), 0);

	assert_int_equal(run_store_fire_recorded(f->db, "t", 1000, &yes, &err), 0);
	assert_true(yes);
	assert_int_equal(run_store_fire_recorded(f->db, "t", 2000, &yes, &err), 0);
	assert_false(yes);
	assert_int_equal(run_store_claimed(f->db, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].attempt, 1);
	assert_int_equal(v[0].exit_code, -1);
	assert_null(v[0].output);
	run_recs_free(v, n);
}

struct fires_seen {
	char seen[8][16];	/* "task@time" */
	size_t n;
};

static void
fires_seen_cb(void *arg, const char *task_id, int64_t at)
{
	struct fires_seen *fs = arg;

	assert_true(fs->n < 8);
	snprintf(fs->seen[fs->n++], sizeof fs->seen[0], "%s@%lld", task_id,
	    (long long)at);
}

static int
fires_seen_has(const struct fires_seen *fs, const char *what)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->seen[i], what) == 0)
			return 1;
	return 0;
}

/* run_store_fires_from (the engine's start): every run at or past both
 * from and its task's stored next fire time, whichever key leads the
 * backend's history; none before from, none without a fire time. */
static void
test_runs_fires_from(void **state)
{
	struct fixture *f = fixture(state);
	struct task_rec a = sample_task("a");
	struct run_rec r;
	struct fires_seen fs = { .n = 0 };
	struct mgr_error err = { 0 };
	static const int64_t at[][2] = {	/* task a or b, time */
		{ 'a', 1000 }, { 'a', 2000 }, { 'a', 2500 }, { 'a', 3000 },
		{ 'b', 500 }, { 'b', 1500 }, { 'b', 0 },
	};

	a.next_nominal = 2500;
	assert_int_equal(task_store_create(f->db, &a, &err), 0);
	add_task(f->db, "b");
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		r = sample_run(at[i][0] == 'a' ? "a" : "b", at[i][1], 1,
		    "succeeded");
		assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	}
	assert_int_equal(run_store_fires_from(f->db, 1500, fires_seen_cb, &fs,
	    &err), 0);
	assert_true(fires_seen_has(&fs, "a@2500"));
	assert_true(fires_seen_has(&fs, "a@3000"));
	assert_true(fires_seen_has(&fs, "b@1500"));
	assert_false(fires_seen_has(&fs, "a@1000"));
	assert_false(fires_seen_has(&fs, "b@500"));
	assert_false(fires_seen_has(&fs, "b@0"));
	/* a@2000 may come too: SQLite reads the range from 1500 */
	assert_true(fs.n == 3 || (fs.n == 4 && fires_seen_has(&fs, "a@2000")));
}

static void
test_runs_record_and_end(void **state)
{
	struct fixture *f = fixture(state);
	struct run_rec batch[3], *v;
	struct mgr_error err = { 0 };
	int64_t pruned;
	size_t n;

	add_task(f->db, "t");
	batch[0] = sample_run("t", 10, 1, "running");
	batch[0].started_at = 11;
	assert_int_equal(run_store_insert(f->db, &batch[0], &err), 0);
	batch[0].running_row = 1;
	batch[0].status = (char *)"succeeded";
	batch[0].ended_at = 12;
	batch[0].exit_code = 0;
	batch[0].output = (char *)"hi\n";
	batch[0].user_us = 7;
	batch[1] = sample_run("gone", 20, 1, "failed");	/* loses itself only */
	batch[2] = sample_run("t", 30, 1, "failed");
	batch[2].started_at = 31;
	batch[2].ended_at = 32;
	batch[2].exit_code = 3;
	batch[2].signal = 9;
	assert_int_equal(db_begin(f->db, &err), 0);
	run_store_record(f->db, batch, 3, NULL, NULL);
	run_usage_store_record(f->db, batch, 3, NULL, NULL);
	assert_int_equal(db_commit(f->db, &err), 0);

	assert_int_equal(run_store_list(f->db, "t", 0, 10, &v, &n, &err), 0);
	assert_int_equal(n, 2);		/* newest first, the end in place */
	assert_int_equal(v[0].scheduled_at, 30);
	assert_int_equal(v[0].exit_code, 3);
	assert_int_equal(v[0].signal, 9);
	assert_int_equal(v[1].scheduled_at, 10);
	assert_string_equal(v[1].status, "succeeded");
	assert_string_equal(v[1].output, "hi\n");
	assert_int_equal(v[1].ended_at, 12);
	run_recs_free(v, n);

	/* A run left running by a dead engine. */
	batch[0] = sample_run("t", 40, 1, "running");
	batch[0].started_at = 41;
	assert_int_equal(run_store_insert(f->db, &batch[0], &err), 0);
	assert_int_equal(run_store_interrupt_running(f->db, 50, "engine died",
	    &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].status, "interrupted");
	assert_string_equal(v[0].error, "engine died");
	assert_int_equal(v[0].ended_at, 50);
	run_recs_free(v, n);

	assert_int_equal(run_store_prune(f->db, 1, 0, &pruned, &err), 0);
	assert_int_equal(pruned, 2);
	assert_int_equal(run_store_list(f->db, NULL, 0, 10, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].scheduled_at, 40);
	run_recs_free(v, n);
}

struct contexts_seen {
	int n;
	char ids[4][8];
	char json[4][32];
};

static void
context_seen(void *arg, const char *id, const char *json)
{
	struct contexts_seen *c = arg;

	assert_true(c->n < 4);
	snprintf(c->ids[c->n], sizeof c->ids[0], "%s", id);
	snprintf(c->json[c->n++], sizeof c->json[0], "%s", json);
}

/* Every task with a context of its own, and only those: "t" has one
 * (set above), "u" has none, "v" is given one. */
static void
check_context_all(struct mgr_db *db)
{
	struct contexts_seen c = { 0 };
	struct mgr_error err = { 0 };

	add_task(db, "u");
	add_task(db, "v");
	assert_int_equal(task_context_store_set(db, "v", "{\"umask\":18}",
	    &err), 0);
	assert_int_equal(task_context_store_all(db, context_seen, &c, &err), 0);
	assert_int_equal(c.n, 2);
	if (strcmp(c.ids[0], "v") == 0) {	/* in no promised order */
		assert_string_equal(c.ids[1], "t");
		assert_string_equal(c.json[0], "{\"umask\":18}");
	} else {
		assert_string_equal(c.ids[0], "t");
		assert_string_equal(c.ids[1], "v");
		assert_string_equal(c.json[0], "{\"nice\":5}");
	}
}

static void
test_runlog_and_usage(void **state)
{
	struct fixture *f = fixture(state);
	struct run_rec r = sample_run("t", 100, 2, "running"), got;
	struct mgr_error err = { 0 };
	int64_t id, sched, count;
	int attempt, ended;
	char *task = NULL, *ctx = NULL;

	add_task(f->db, "t");
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	assert_int_equal(runlog_store_key(f->db, r.id, &task, &sched, &attempt,
	    &err), 0);
	assert_string_equal(task, "t");
	free(task);
	assert_int_equal(sched, 100);
	assert_int_equal(attempt, 2);
	assert_int_equal(runlog_store_key(f->db, r.id + 99, &task, &sched,
	    &attempt, &err), MGR_ENOENT);
	assert_int_equal(runlog_store_state(f->db, "t", 100, 2, &ended, &id,
	    &err), 0);
	assert_int_equal(ended, 0);
	assert_true(id == r.id);
	r.status = (char *)"succeeded";
	r.ended_at = 5;
	r.exit_code = 0;
	assert_int_equal(run_store_finish(f->db, &r, &err), 0);
	assert_int_equal(runlog_store_state(f->db, "t", 100, 2, &ended, &id,
	    &err), 0);
	assert_int_equal(ended, 1);
	assert_int_equal(runlog_store_state(f->db, "t", 100, 3, &ended, &id,
	    &err), 0);
	assert_int_equal(id, 0);

	r.user_us = 1500;
	r.max_rss_kb = 2048;
	run_usage_store_record(f->db, &r, 1, NULL, NULL);
	assert_int_equal(run_usage_store_find(f->db, "t", 100, 0, &id, &err), 0);
	assert_int_equal(run_usage_store_read(f->db, id, &got, &err), 0);
	assert_int_equal(got.user_us, 1500);
	assert_int_equal(got.sys_us, 0);
	assert_int_equal(got.max_rss_kb, 2048);
	assert_int_equal(got.exit_code, 0);
	run_rec_clear(&got);
	assert_int_equal(store_console_run_count(f->db, "t", &count, &err), 0);
	assert_int_equal(count, 1);

	assert_int_equal(task_context_store_get(f->db, "t", &ctx, &err), 0);
	assert_null(ctx);
	assert_int_equal(task_context_store_set(f->db, "t", "{\"nice\":5}",
	    &err), 0);
	assert_int_equal(task_context_store_get(f->db, "t", &ctx, &err), 0);
	assert_string_equal(ctx, "{\"nice\":5}");
	free(ctx);
	assert_int_equal(task_context_store_set(f->db, "x", NULL, &err),
	    MGR_ENOENT);
	check_context_all(f->db);
}

/* runlog_store_list's entries, summed up. */
struct logs_seen {
	size_t n;
	int64_t bytes, run_id[8];
};

static void
log_seen(void *arg, const struct runlog_store_entry *e)
{
	struct logs_seen *s = arg;

	assert_string_equal(e->task_id, "t");
	assert_true(e->ended_at > 0);
	if (s->n < 8)
		s->run_id[s->n] = e->run_id;
	s->n++;
	s->bytes += e->bytes;
}

static struct logs_seen
logs_listed(struct mgr_db *db)
{
	struct logs_seen s = { 0 };
	struct mgr_error err = { 0 };

	assert_int_equal(runlog_store_list(db, log_seen, &s, &err), 0);
	return s;
}

/* Runs of t at 1..n, ended at 10 * i, each with a log of size bytes
 * (any bytes, NUL included) when size > 0, recorded as the history
 * writer does: the runs, then their logs. */
static void
add_logged_runs(struct mgr_db *db, int64_t from, int n, size_t size)
{
	struct run_rec v[8];
	struct mgr_error err = { 0 };

	for (int i = 0; i < n; i++) {
		v[i] = sample_run("t", from + i, 1, "succeeded");
		v[i].started_at = v[i].ended_at = 10 * (from + i);
		v[i].exit_code = 0;
		if (size > 0) {
			v[i].log = xcalloc(1, size);
			v[i].log[0] = (char)(from + i);
			v[i].log[size - 1] = '\xff';
			v[i].log_len = size;
		}
		assert_int_equal(run_store_insert(db, &v[i], &err), 0);
	}
	runlog_store_record(db, v, (size_t)n, NULL, NULL);
	for (int i = 0; i < n; i++)
		free(v[i].log);
}

/* runlog_store.h's logs kept in the history: written with their runs,
 * read back byte for byte by the run's key, listed, dropped, gone with
 * their run's row (retention), and pruned by the log store's caps with
 * the files (runlog_prune, through a connection of its own). */
static void
test_run_logs(void **state)
{
	struct fixture *f = fixture(state);
	struct runlog_limits lim = { .total_max_bytes = 250 };
	struct mgr_error err = { 0 };
	struct logs_seen s;
	char *rec, *dir = tmpdir_new(), *logs = runlog_dir(dir);
	size_t len;
	int ended, d;

	add_task(f->db, "t");
	add_logged_runs(f->db, 1, 2, 100);
	add_logged_runs(f->db, 3, 1, 0);	/* printed nothing */
	assert_int_equal(runlog_store_inline(f->db, "t", 1, 1, &ended, &rec,
	    &len, &err), 0);
	assert_int_equal(ended, 1);
	assert_int_equal(len, 100);
	assert_true(rec[0] == 1 && rec[1] == 0 && rec[99] == '\xff');
	free(rec);
	assert_int_equal(runlog_store_inline(f->db, "t", 3, 1, &ended, &rec,
	    &len, &err), 0);
	assert_true(ended == 1 && rec == NULL && len == 0);
	assert_int_equal(runlog_store_inline(f->db, "t", 9, 1, &ended, &rec,
	    &len, &err), 0);
	assert_true(ended == 0 && rec == NULL);	/* no such run (yet) */
	s = logs_listed(f->db);
	assert_true(s.n == 2 && s.bytes == 200);
	assert_int_equal(runlog_store_drop(f->db, s.run_id, 1, &err), 0);
	assert_int_equal(logs_listed(f->db).n, 1);
	/* Retention takes the runs and their logs. */
	assert_int_equal(retention_prune_task(f->db, "t", 1, 10, &d, &err), 0);
	assert_int_equal(d, 2);
	assert_int_equal(logs_listed(f->db).n, 0);
	/* 3 logs of 100 bytes over a cap of 250: the oldest goes; then one
	 * kept per task: the newest. */
	add_logged_runs(f->db, 10, 3, 100);
	runlog_prune(logs, f->where, &lim, 0, NULL);
	s = logs_listed(f->db);
	assert_true(s.n == 2 && s.bytes == 200);
	assert_int_equal(runlog_store_inline(f->db, "t", 10, 1, &ended, &rec,
	    &len, &err), 0);
	assert_null(rec);
	lim.keep_runs = 1;
	runlog_prune(logs, f->where, &lim, 0, NULL);
	assert_int_equal(logs_listed(f->db).n, 1);
	assert_int_equal(runlog_store_inline(f->db, "t", 12, 1, &ended, &rec,
	    &len, &err), 0);
	assert_true(rec != NULL && len == 100);
	free(rec);
	free(logs);
	tmpdir_free(dir);
}

/* The chunks of run 'at' of t from seq: tail says where they end. */
static void
chunks_end(struct mgr_db *db, int64_t at, int64_t next, int64_t stored)
{
	struct mgr_error err = { 0 };
	int64_t n = -1, b = -1;

	assert_int_equal(runlog_store_chunk_tail(db, "t", at, 1, &n, &b, &err),
	    0);
	assert_int_equal(n, next);
	assert_int_equal(b, stored);
}

/* runlog_store.h's large logs in the database (PostgreSQL): chunks put
 * before their run's row exists, read back in order byte for byte,
 * where they end, listed with the history's logs once their run is
 * over and dropped by the caps, gone with their run's row (retention);
 * SQLite keeps them as files and says so. */
static void
test_run_log_chunks(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	char big[70000], *b;
	size_t len;
	int64_t got = -1;
	struct logs_seen s;
	int d;

	if (!runlog_store_chunked(f->db)) {
		assert_int_equal(runlog_store_chunk_put(f->db, "t", 1, 1, 0,
		    "x", 1, &err), MGR_EINVAL);
		assert_non_null(strstr(err.msg, "keeps large run logs as files"));
		return;
	}
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)(i * 7);		/* NUL and 0xff among them */
	add_task(f->db, "t");
	chunks_end(f->db, 5, 0, 0);
	assert_int_equal(runlog_store_chunk_put(f->db, "t", 5, 1, 0, big,
	    sizeof big, &err), 0);
	assert_int_equal(runlog_store_chunk_put(f->db, "t", 5, 1, 1, "end", 3,
	    &err), 0);
	assert_int_equal(runlog_store_chunk_put(f->db, "t", 5, 1, 1, "again", 5,
	    &err), MGR_EEXIST);	/* a chunk is written once */
	chunks_end(f->db, 5, 2, sizeof big + 3);
	assert_int_equal(runlog_store_chunk_next(f->db, "t", 5, 1, 0, &got, &b,
	    &len, &err), 0);
	assert_true(got == 0 && len == sizeof big);
	assert_memory_equal(b, big, sizeof big);
	free(b);
	assert_int_equal(runlog_store_chunk_next(f->db, "t", 5, 1, 1, &got, &b,
	    &len, &err), 0);
	assert_true(got == 1 && len == 3 && memcmp(b, "end", 3) == 0);
	free(b);
	assert_int_equal(runlog_store_chunk_next(f->db, "t", 5, 1, 2, &got, &b,
	    &len, &err), 0);
	assert_null(b);
	/* Counted once its run is over, as any log the history keeps. */
	assert_int_equal(logs_listed(f->db).n, 0);
	add_logged_runs(f->db, 5, 2, 0);
	s = logs_listed(f->db);
	assert_true(s.n == 1 && s.bytes == (int64_t)sizeof big + 3);
	assert_int_equal(runlog_store_drop(f->db, s.run_id, 1, &err), 0);
	chunks_end(f->db, 5, 0, 0);
	/* Gone with the run's row; another run's stay. */
	assert_int_equal(runlog_store_chunk_put(f->db, "t", 5, 1, 0, "a", 1,
	    &err), 0);
	assert_int_equal(runlog_store_chunk_put(f->db, "t", 6, 1, 0, "b", 1,
	    &err), 0);
	assert_int_equal(retention_prune_task(f->db, "t", 1, 10, &d, &err), 0);
	assert_int_equal(d, 1);
	chunks_end(f->db, 5, 0, 0);
	chunks_end(f->db, 6, 1, 1);
}

static void
test_events_and_faults(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct event_rec *v;
	struct task_rec t = sample_task("pt");
	struct run_rec r = sample_run("pt", 1, 1, "crashed");
	struct plugin_rec p = {
		.id = (char *)"pl", .version = (char *)"1", .path = (char *)"/p",
	};
	size_t n;
	int count;

	assert_int_equal(event_store_add(f->db, "plugin.crashed", "pl",
	    "crashed: token-77", &err), 0);
	assert_int_equal(event_store_add(f->db, "task.paused", NULL, "x", &err),
	    0);
	assert_int_equal(event_store_list(f->db, NULL, 0, 10, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].kind, "task.paused");
	assert_string_equal(v[0].subject, "");
	event_recs_free(v, n);
	assert_true(event_store_has_token(f->db, NULL, "pl", "token-77"));
	assert_false(event_store_has_token(f->db, "task.paused", "pl",
	    "token-77"));

	assert_int_equal(plugin_store_create(f->db, &p, &err), 0);
	t.plugin_id = (char *)"pl";
	assert_int_equal(task_store_create(f->db, &t, &err), 0);
	r.started_at = mgr_now_us();
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	assert_int_equal(fault_store_count_crashes(f->db, "pl", 0, &count, &err),
	    0);
	assert_int_equal(count, 2);
}

static void
test_commands_and_host(void **state)
{
	struct fixture *f = fixture(state);
	struct command_rec c = { 0 };
	struct mgr_error err = { 0 };
	int64_t id1, id2, n, started, beat;
	char *kind = NULL;
	int pid;

	assert_int_equal(command_store_claim_next(f->db, &c, &err), MGR_ENOENT);
	assert_int_equal(command_store_submit(f->db, "[\"task\",\"list\"]", 1,
	    4242, &id1, &err), 0);
	assert_int_equal(command_store_submit(f->db, "[\"status\"]", 0, 4243,
	    &id2, &err), 0);
	assert_true(id2 > id1);
	assert_int_equal(command_store_claim_next(f->db, &c, &err), 0);
	assert_true(c.id == id1);
	assert_int_equal(c.json, 1);
	assert_int_equal(c.client_pid, 4242);
	command_rec_clear(&c);
	assert_int_equal(command_store_claim(f->db, id1, &err), MGR_ENOENT);
	assert_int_equal(command_store_finish(f->db, id1, 0, "ok\n", NULL, &err),
	    0);
	assert_int_equal(command_store_read(f->db, id1, &c, &err), 0);
	assert_string_equal(c.state, "done");
	assert_string_equal(c.output, "ok\n");
	assert_string_equal(c.error_output, "");
	assert_true(c.finished_at > 0);
	command_rec_clear(&c);
	assert_int_equal(command_store_cancel(f->db, id2, &err), 0);
	assert_int_equal(command_store_cancel(f->db, id2, &err), MGR_ENOENT);
	assert_int_equal(command_store_read(f->db, id2, &c, &err), MGR_ENOENT);
	assert_int_equal(command_store_submit(f->db, "[]", 0, 1, &id2, &err), 0);
	assert_int_equal(command_store_claim(f->db, id2, &err), 0);
	assert_int_equal(command_store_abandon_running(f->db, "host died", &n,
	    &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(command_store_prune(f->db, mgr_now_us() + 1, &n, &err),
	    0);
	assert_int_equal(n, 2);

	assert_int_equal(host_store_get(f->db, &pid, &kind, NULL, NULL, &err),
	    MGR_ENOENT);
	assert_int_equal(host_store_set(f->db, 77, "daemon", 5, &err), 0);
	assert_int_equal(host_store_set(f->db, 78, "console", 6, &err), 0);
	assert_int_equal(host_store_get(f->db, &pid, &kind, &started, &beat,
	    &err), 0);
	assert_int_equal(pid, 78);
	assert_string_equal(kind, "console");
	free(kind);
	assert_int_equal(started, 6);
	assert_int_equal(beat, 6);
	assert_int_equal(host_store_clear(f->db, 78, &err), 0);
	assert_int_equal(host_store_get(f->db, NULL, NULL, NULL, NULL, &err),
	    MGR_ENOENT);
}

/* The row of host_id in the registry's list (the list freed by the
 * caller); fails the test when there is none. */
/* hosts_store_register with the fields the cases vary. */
static int
reg_host(struct mgr_db *db, int standby, const char *id, int64_t lease_us,
	 int pid, const char *version, const char *labels, int64_t *epoch,
	 struct mgr_error *err)
{
	struct host_reg r = {
		.host_id = id, .lease_us = lease_us, .pid = pid,
		.version = version, .labels = labels, .standby = standby,
	};

	return hosts_store_register(db, &r, epoch, err);
}

static struct host_rec *
host_row(struct host_rec *v, size_t n, const char *host_id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].host_id, host_id) == 0)
			return &v[i];
	fail_msg("no host %s in the registry", host_id);
	return NULL;
}

static void
check_host_state(struct mgr_db *db, const char *host_id, const char *state,
		 int64_t epoch)
{
	struct mgr_error err = { 0 };
	struct host_rec *v, *h;
	size_t n;

	assert_int_equal(hosts_store_list(db, &v, &n, &err), 0);
	h = host_row(v, n, host_id);
	assert_string_equal(h->state, state);
	assert_true(h->epoch == epoch);
	host_rec_free_all(v, n);
}

#define MINUTE_US (60 * 1000000LL)

/* Registration bumps the epoch; a renewal with an older one is fenced. */
static void
test_hosts_epochs(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct host_rec *v, *h;
	int64_t epoch;
	int fenced, draining;
	size_t n;

	assert_int_equal(hosts_store_list(f->db, &v, &n, &err), 0);
	assert_true(n == 0);
	assert_int_equal(reg_host(f->db, 0, "h1", MINUTE_US, 71, "1.0",
	    "[\"db\"]", &epoch, &err), 0);
	assert_true(epoch == 1);
	assert_int_equal(reg_host(f->db, 0, "h1", MINUTE_US, 72, "1.1",
	    NULL, &epoch, &err), 0);
	assert_true(epoch == 2);
	assert_int_equal(hosts_store_renew(f->db, "h1", 1, MINUTE_US, &fenced,
	    &draining, &err), 0);
	assert_int_equal(fenced, 1);	/* the old incarnation */
	assert_int_equal(hosts_store_renew(f->db, "h1", 2, MINUTE_US, &fenced,
	    &draining, &err), 0);
	assert_int_equal(fenced, 0);
	assert_int_equal(draining, 0);
	assert_int_equal(hosts_store_list(f->db, &v, &n, &err), 0);
	assert_true(n == 1);
	h = host_row(v, n, "h1");
	assert_string_equal(h->state, "alive");
	assert_int_equal(h->pid, 72);
	assert_string_equal(h->version, "1.1");
	assert_string_equal(h->labels, "[]");
	assert_true(h->lease_left_us > 0 && h->lease_left_us <= MINUTE_US);
	assert_true(h->started_at > 0);
	host_rec_free_all(v, n);
	/* A renewal after another start fenced (epoch moved on behind it). */
	assert_int_equal(reg_host(f->db, 0, "h1", MINUTE_US, 73, "1.1",
	    NULL, &epoch, &err), 0);
	assert_int_equal(hosts_store_renew(f->db, "h1", 2, MINUTE_US, &fenced,
	    NULL, &err), 0);
	assert_int_equal(fenced, 1);
	check_host_state(f->db, "h1", "alive", 3);
}

/* A sweep marks dead the host whose lease ran out, not a live one. */
static void
test_hosts_sweep(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct host_rec *v;
	int64_t epoch;
	int fenced;
	size_t n;

	assert_int_equal(reg_host(f->db, 0, "live", MINUTE_US, 1, "1",
	    NULL, &epoch, &err), 0);
	assert_int_equal(reg_host(f->db, 0, "short", 1000, 2, "1",
	    NULL, &epoch, &err), 0);
	/* Past its 1 ms lease by any clock (not a bound on a duration). */
	usleep(50 * 1000);
	assert_int_equal(hosts_store_sweep(f->db, &v, &n, &err), 0);
	assert_true(n == 1);
	assert_string_equal(v[0].host_id, "short");
	assert_string_equal(v[0].state, "dead");
	assert_true(v[0].lease_left_us < 0);
	host_rec_free_all(v, n);
	check_host_state(f->db, "short", "dead", 1);
	check_host_state(f->db, "live", "alive", 1);
	assert_int_equal(hosts_store_sweep(f->db, &v, &n, &err), 0);
	assert_true(n == 0);	/* once dead, not swept again */
	host_rec_free_all(v, n);
	assert_int_equal(hosts_store_renew(f->db, "short", 1, MINUTE_US,
	    &fenced, NULL, &err), 0);
	assert_int_equal(fenced, 1);	/* a dead host cannot come back... */
	assert_int_equal(reg_host(f->db, 0, "late", 1000, 4, "1",
	    NULL, &epoch, &err), 0);
	usleep(50 * 1000);
	assert_int_equal(hosts_store_renew(f->db, "late", 1, MINUTE_US,
	    &fenced, NULL, &err), 0);
	assert_int_equal(fenced, 1);	/* past its lease, even unswept */
	assert_int_equal(reg_host(f->db, 0, "short", MINUTE_US, 3, "1",
	    NULL, &epoch, &err), 0);
	assert_true(epoch == 2);	/* ... but under a new epoch */
	check_host_state(f->db, "short", "alive", 2);
}

/* After the connection was lost (hosts_store_reclaim): the lease back
 * under the same epoch even past it, while the row is alive or
 * draining; never for a row declared dead, left, or of another epoch. */
static void
test_hosts_reclaim(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct host_rec *v;
	int64_t epoch, dead;
	int fenced = -1, draining = -1;
	size_t n;

	assert_int_equal(reg_host(f->db, 0, "r", 1000, 5, "1", NULL, &epoch,
	    &err), 0);
	usleep(50 * 1000);	/* past its 1 ms lease by any clock */
	assert_int_equal(hosts_store_renew(f->db, "r", epoch, MINUTE_US,
	    &fenced, NULL, &err), 0);
	assert_int_equal(fenced, 1);	/* a renewal is too late ... */
	assert_int_equal(hosts_store_reclaim(f->db, "r", epoch, MINUTE_US,
	    4242, &fenced, &draining, &err), 0);
	assert_int_equal(fenced, 0);	/* ... a reclaim is not */
	assert_int_equal(draining, 0);
	assert_int_equal(hosts_store_renew(f->db, "r", epoch, MINUTE_US,
	    &fenced, NULL, &err), 0);
	assert_int_equal(fenced, 0);	/* the lease runs again */
	check_host_state(f->db, "r", "alive", epoch);
	assert_int_equal(hosts_store_set_draining(f->db, "r", 1, &err), 0);
	assert_int_equal(hosts_store_reclaim(f->db, "r", epoch, MINUTE_US,
	    4243, &fenced, &draining, &err), 0);
	assert_int_equal(fenced, 0);
	assert_int_equal(draining, 1);
	assert_int_equal(hosts_store_reclaim(f->db, "r", epoch + 1, MINUTE_US,
	    4243, &fenced, &draining, &err), 0);
	assert_int_equal(fenced, 1);	/* not its epoch */
	assert_int_equal(hosts_store_leave(f->db, "r", epoch, &err), 0);
	assert_int_equal(hosts_store_reclaim(f->db, "r", epoch, MINUTE_US,
	    4243, &fenced, &draining, &err), 0);
	assert_int_equal(fenced, 1);	/* left */
	assert_int_equal(reg_host(f->db, 0, "d", 1000, 6, "1", NULL, &dead,
	    &err), 0);
	usleep(50 * 1000);
	assert_int_equal(hosts_store_sweep(f->db, &v, &n, &err), 0);
	host_rec_free_all(v, n);
	assert_int_equal(hosts_store_reclaim(f->db, "d", dead, MINUTE_US, 1,
	    &fenced, &draining, &err), 0);
	assert_int_equal(fenced, 1);	/* declared dead by a sweep */
	check_host_state(f->db, "d", "dead", dead);
}

/* Drain and undo; leave on a clean stop; who can drain. */
static void
test_hosts_drain_leave(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	int64_t epoch;
	int fenced, draining;

	assert_int_equal(reg_host(f->db, 0, "h", MINUTE_US, 1, "1",
	    NULL, &epoch, &err), 0);
	assert_int_equal(hosts_store_set_draining(f->db, "nosuch", 1, &err),
	    MGR_ENOENT);
	assert_non_null(strstr(err.msg, "nosuch"));
	assert_int_equal(hosts_store_set_draining(f->db, "h", 1, &err), 0);
	check_host_state(f->db, "h", "draining", 1);
	assert_int_equal(hosts_store_renew(f->db, "h", 1, MINUTE_US, &fenced,
	    &draining, &err), 0);
	assert_int_equal(fenced, 0);	/* a draining host keeps its lease */
	assert_int_equal(draining, 1);
	assert_int_equal(hosts_store_set_draining(f->db, "h", 0, &err), 0);
	assert_int_equal(hosts_store_renew(f->db, "h", 1, MINUTE_US, &fenced,
	    &draining, &err), 0);
	assert_int_equal(draining, 0);
	check_host_state(f->db, "h", "alive", 1);
	assert_int_equal(hosts_store_leave(f->db, "h", 1, &err), 0);
	check_host_state(f->db, "h", "left", 1);
	assert_int_equal(hosts_store_renew(f->db, "h", 1, MINUTE_US, &fenced,
	    &draining, &err), 0);
	assert_int_equal(fenced, 1);
	assert_int_equal(hosts_store_set_draining(f->db, "h", 1, &err),
	    MGR_ECONFLICT);
	assert_non_null(strstr(err.msg, "left"));
	/* A leave under an old epoch changes nothing. */
	assert_int_equal(reg_host(f->db, 0, "h", MINUTE_US, 2, "1",
	    NULL, &epoch, &err), 0);
	assert_int_equal(hosts_store_leave(f->db, "h", 1, &err), 0);
	check_host_state(f->db, "h", "alive", 2);
}

/* A standby is registered with its role, and becomes the engine host
 * by registering again; with nobody holding the engine lock, there is
 * no holder to fence (its sessions are the daemons' business:
 * tests/pg/cluster-failover.sh). */
static void
test_hosts_standby(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct host_rec *v;
	int64_t epoch;
	size_t n;

	assert_int_equal(reg_host(f->db, 1, "s", MINUTE_US, 5, "1", NULL,
	    &epoch, &err), 0);
	assert_int_equal(hosts_store_list(f->db, &v, &n, &err), 0);
	assert_int_equal(host_row(v, n, "s")->standby, 1);
	host_rec_free_all(v, n);
	assert_int_equal(reg_host(f->db, 0, "s", MINUTE_US, 5, "1", NULL,
	    &epoch, &err), 0);
	assert_true(epoch == 2);
	assert_int_equal(hosts_store_list(f->db, &v, &n, &err), 0);
	assert_int_equal(host_row(v, n, "s")->standby, 0);
	host_rec_free_all(v, n);
	v = (struct host_rec *)&err;	/* set to NULL by the call */
	n = 7;
	assert_int_equal(hosts_store_fence_holder(f->db, &v, &n, &err), 0);
	assert_null(v);
	assert_true(n == 0);
}

static void
test_snapshots(void **state)
{
	struct fixture *f = fixture(state);
	struct snapshot_rec s = {
		.plugin_id = (char *)"p", .version = (char *)"1.0",
		.created_at = 123, .path = (char *)"/s/p-1.zip",
		.sha256 = (char *)"ab", .size = INT64_C(5000000000),
		.reason = (char *)"upgrade",
	}, got, *v;
	struct mgr_error err = { 0 };
	size_t n;

	assert_int_equal(snapshot_store_insert(f->db, &s, &err), 0);
	assert_true(s.id > 0);
	s.plugin_id = (char *)"q";
	assert_int_equal(snapshot_store_insert(f->db, &s, &err), 0);
	assert_int_equal(snapshot_store_read(f->db, s.id, &got, &err), 0);
	assert_string_equal(got.plugin_id, "q");
	assert_true(got.size == INT64_C(5000000000));
	assert_string_equal(got.reason, "upgrade");
	snapshot_rec_clear(&got);
	assert_int_equal(snapshot_store_list(f->db, "p", &v, &n, &err), 0);
	assert_int_equal(n, 1);
	snapshot_recs_free(v, n);
	assert_int_equal(snapshot_store_list(f->db, NULL, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].plugin_id, "q");
	snapshot_recs_free(v, n);
	assert_int_equal(snapshot_store_delete(f->db, s.id, &err), 0);
	assert_int_equal(snapshot_store_read(f->db, s.id, &got, &err),
	    MGR_ENOENT);
}

/* An ended run of task at fire time `at`, started at `started`. */
static void
add_ended_run(struct mgr_db *db, const char *task, int64_t at, int64_t started)
{
	struct run_rec r = sample_run(task, at, 1, "succeeded");
	struct mgr_error err = { 0 };

	r.started_at = started;
	r.ended_at = started + 1;
	r.exit_code = 0;
	assert_int_equal(run_store_insert(db, &r, &err), 0);
}

static void
add_running_run(struct mgr_db *db, const char *task, int64_t at,
		int64_t started)
{
	struct run_rec r = sample_run(task, at, 1, "running");
	struct mgr_error err = { 0 };

	r.started_at = started;
	assert_int_equal(run_store_insert(db, &r, &err), 0);
}

static size_t
runs_of(struct mgr_db *db, const char *task)
{
	struct mgr_error err = { 0 };
	struct run_rec *v;
	size_t n;

	assert_int_equal(run_store_list(db, task, 0, 100, &v, &n, &err), 0);
	run_recs_free(v, n);
	return n;
}

/* retention_store.h: each step deletes at most `limit` ended runs, never
 * one still going; task ids come in byte order after a cursor. */
static void
test_retention(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	char **ids;
	size_t n;
	int64_t left = -1;
	int d, version;

	assert_int_equal(db_user_version(f->db, &version, &err), 0);
	assert_int_equal(version, db_schema_latest());	/* both at the latest */
	add_task(f->db, "a");
	add_task(f->db, "b");
	add_task(f->db, "C");
	add_running_run(f->db, "a", 0, 5);	/* the oldest, still going */
	for (int i = 1; i <= 5; i++)
		add_ended_run(f->db, "a", i, 10 * i);
	/* Keep the newest 2, delete 2 at a time: runs 1, 2 then 3; the
	 * running one stays, older as it is. */
	assert_int_equal(retention_prune_task(f->db, "a", 2, 2, &d, &err), 0);
	assert_int_equal(d, 2);
	assert_int_equal(retention_prune_task(f->db, "a", 2, 2, &d, &err), 0);
	assert_int_equal(d, 1);
	assert_int_equal(retention_prune_task(f->db, "a", 2, 2, &d, &err), 0);
	assert_int_equal(d, 0);
	assert_int_equal(runs_of(f->db, "a"), 3);
	assert_int_equal(retention_prune_task(f->db, "none", 2, 2, &d, &err), 0);
	assert_int_equal(d, 0);

	add_running_run(f->db, "b", 1, 5);
	for (int i = 2; i <= 4; i++)
		add_ended_run(f->db, "b", i, 10 * i);
	/* Started before 35: runs 2 and 3 of b, one per step; a's ended
	 * runs started at 40 and 50; the running ones at 5 stay. */
	assert_int_equal(retention_prune_old(f->db, 35, 1, &d, &err), 0);
	assert_int_equal(d, 1);
	assert_int_equal(retention_prune_old(f->db, 35, 1, &d, &err), 0);
	assert_int_equal(d, 1);
	assert_int_equal(retention_prune_old(f->db, 35, 1, &d, &err), 0);
	assert_int_equal(d, 0);
	assert_int_equal(runs_of(f->db, "b"), 2);
	assert_int_equal(runs_of(f->db, "a"), 3);
	/* A run with no fire time (a manual run) ages out by its start. */
	add_ended_run(f->db, "b", 0, 20);
	assert_int_equal(runs_of(f->db, "b"), 3);
	assert_int_equal(retention_prune_old(f->db, 35, 10, &d, &err), 0);
	assert_int_equal(d, 1);
	assert_int_equal(runs_of(f->db, "b"), 2);

	assert_int_equal(retention_task_ids(f->db, NULL, 2, &ids, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], "C");
	assert_string_equal(ids[1], "a");
	assert_null(ids[2]);
	strv_free(ids);
	assert_int_equal(retention_task_ids(f->db, "a", 2, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "b");
	strv_free(ids);
	assert_int_equal(retention_task_ids(f->db, "b", 2, &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(ids);

	assert_int_equal(retention_vacuum_step(f->db, 64, &left, &err), 0);
	assert_true(left >= 0);
}

static void
usage_id(void *arg, int64_t id, int64_t user_us, int64_t sys_us,
	 int64_t max_rss_kb)
{
	struct strbuf *sb = arg;

	(void)user_us;
	(void)sys_us;
	(void)max_rss_kb;
	strbuf_addf(sb, "%lld;", (long long)id);
}

/* The ids of run_store_list(task, after, limit), newest first. */
static char *
history_ids(struct mgr_db *db, const char *task, int64_t after, size_t limit)
{
	struct strbuf sb = STRBUF_INIT;
	struct mgr_error err = { 0 };
	struct run_rec *v;
	size_t n;

	assert_int_equal(run_store_list(db, task, after, limit, &v, &n, &err),
	    0);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%lld;", (long long)v[i].id);
	run_recs_free(v, n);
	return sb.buf != NULL ? sb.buf : xstrdup("");
}

static void
expect_history(struct mgr_db *db, const char *task, int64_t after,
	       size_t limit, const char *ids)
{
	char *got = history_ids(db, task, after, limit);

	assert_string_equal(got, ids);
	free(got);
}

/* A task's history is newest first by run id, whatever the fire times:
 * a manual run (its fire time is when it was asked), a retry (the same
 * fire time, the next attempt), a fire time caught up late (older than
 * the runs before it) and a row without a fire time (older versions)
 * mixed in; its usage comes in the same order, and retention keeps the
 * newest by the same order.  (By fire time and attempt it would be
 * 11, 12, 10, 13, 14.) */
static void
test_history_order(void **state)
{
	static const struct { int64_t id, at; int attempt; } ran[] = {
		{ 10, 100, 1 }, { 11, 150, 1 }, { 12, 100, 2 }, { 13, 90, 1 },
		{ 14, 0, 1 },
	};
	struct fixture *f = fixture(state);
	struct strbuf sb = STRBUF_INIT;
	struct mgr_error err = { 0 };
	struct run_rec u;
	int64_t count;
	int d;

	add_task(f->db, "t");
	add_task(f->db, "u");
	for (size_t i = 0; i < sizeof ran / sizeof ran[0]; i++) {
		struct run_rec r = sample_run("t", ran[i].at, ran[i].attempt,
		    "failed");
		r.id = ran[i].id;
		r.started_at = 1000 + ran[i].id;
		r.ended_at = r.started_at + 1;
		r.user_us = ran[i].id;
		assert_int_equal(run_store_insert(f->db, &r, &err), 0);
		run_usage_store_record(f->db, &r, 1, NULL, NULL);
	}
	u = sample_run("u", 120, 1, "succeeded");	/* another task's, newest */
	u.id = 20;
	assert_int_equal(run_store_insert(f->db, &u, &err), 0);
	expect_history(f->db, "t", 0, 10, "14;13;12;11;10;");
	expect_history(f->db, "t", 0, 2, "14;13;");
	expect_history(f->db, "t", 11, 10, "14;13;12;");
	assert_int_equal(run_usage_store_list(f->db, "t", 3, usage_id, &sb,
	    &err), 0);
	assert_string_equal(sb.buf, "14;13;12;");
	free(sb.buf);
	assert_int_equal(store_console_run_count(f->db, "t", &count, &err), 0);
	assert_int_equal(count, 5);
	assert_int_equal(retention_prune_task(f->db, "t", 2, 200, &d, &err), 0);
	assert_int_equal(d, 3);
	expect_history(f->db, "t", 0, 10, "14;13;");
	assert_int_equal(runs_of(f->db, "u"), 1);
}

/* A store of schema `version` beside the fixture's: a file of its own,
 * or a schema of its own in the fixture's PostgreSQL database. */
static char *
old_store_where(struct fixture *f)
{
	char *name, *schema, *admin, *sql, *where;

	if (!f->pg)
		return xasprintf("%s/old.db", f->dir);
	name = pg_dbname();
	schema = xasprintf("old%lld", (long long)mgr_now_us());
	admin = pg_where(name, NULL);
	sql = xasprintf("CREATE SCHEMA %s", schema);
	pg_admin(admin, sql);
	where = pg_where(name, schema);
	free(sql);
	free(admin);
	free(schema);
	free(name);
	return where;
}

static struct mgr_db *
open_store_version(struct fixture *f, const char *where, int version)
{
	struct mgr_error err = { 0 };
	struct mgr_db *db = NULL;
	int rc = f->pg ? pg_open(where, version, &db, &err) :
	    db_open_version(where, version, &db, &err);

	if (rc != 0)
		fail_msg("%s: %s", where, err.msg);
	return db;
}

/* Whether the runs table of the store has the index `name`. */
static int
runs_has_index(struct fixture *f, struct mgr_db *db, const char *where,
	       const char *name)
{
	const char *sql = "SELECT count(*) FROM pg_indexes WHERE schemaname = "
	    "current_schema() AND tablename = 'runs' AND indexname = $1";
	sqlite3_stmt *st;
	PGconn *c;
	PGresult *r;
	int n;

	if (!f->pg) {
		assert_int_equal(sqlite3_prepare_v2(db_handle(db), "SELECT "
		    "count(*) FROM sqlite_master WHERE type = 'index' AND "
		    "tbl_name = 'runs' AND name = ?1", -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		return n;
	}
	c = PQconnectdb(where);
	r = PQexecParams(c, sql, 1, NULL, &name, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return n;
}

/* Schema 14: one index led by the task.  A store of schema 13 opened by
 * this version keeps its runs, loses runs_task, keeps the fire-time key
 * and reads a task's history as before. */
static void
test_migration_one_task_index(void **state)
{
	struct fixture *f = fixture(state);
	char *where = old_store_where(f);
	struct mgr_db *db = open_store_version(f, where, 13);
	struct run_rec r = sample_run("t", 100, 1, "succeeded");
	struct mgr_error err = { 0 };
	int version;

	assert_int_equal(runs_has_index(f, db, where, "runs_task"), 1);
	add_task(db, "t");
	add_ended_run(db, "t", 100, 101);
	add_ended_run(db, "t", 200, 201);
	add_ended_run(db, "t", 50, 301);
	db_close(db);

	db = open_store_version(f, where, 0);
	assert_int_equal(db_user_version(db, &version, &err), 0);
	assert_int_equal(version, db_schema_latest());
	assert_int_equal(runs_has_index(f, db, where, "runs_task"), 0);
	/* The unique fire-time key: led by the time on SQLite since
	 * schema 19 (test_history_across_settle), by the task here. */
	assert_int_equal(runs_has_index(f, db, where, f->pg ? "runs_fire" :
	    "runs_time"), 1);
	assert_int_equal(runs_of(db, "t"), 3);
	expect_history(db, "t", 0, 1, "3;");	/* the last run, fire time 50 */
	assert_int_not_equal(run_store_insert(db, &r, &err), 0);
	db_close(db);
	free(where);
}

/* A task's history reads back whole and newest first whatever the
 * history writer has done with it: on SQLite (schema 19) the runs due
 * before its settle bound are read through runs_settled, the later ones
 * through the time-led key; the settle is due at the writer's first
 * run_store_record on a new store, and a run due before the bound but
 * written after the settle (late) is settled as it is written. */
static void
test_history_across_settle(void **state)
{
	struct fixture *f = fixture(state);
	int64_t later = mgr_now_us() + INT64_C(3600000000);
	struct run_rec r = sample_run("t", later, 1, "succeeded");
	struct mgr_error err = { 0 };
	int64_t count;
	int d;

	add_task(f->db, "t");
	add_task(f->db, "u");
	add_ended_run(f->db, "t", 100, 101);		/* run 1 */
	add_ended_run(f->db, "u", 100, 101);		/* run 2 */
	add_ended_run(f->db, "t", 200, 201);		/* run 3 */
	r.started_at = later;
	r.ended_at = later + 1;
	r.exit_code = 0;
	run_store_record(f->db, &r, 1, NULL, NULL);	/* run 4, settles 1-3 */
	add_ended_run(f->db, "t", 150, 301);		/* run 5, late */
	add_ended_run(f->db, "t", later + 10, later + 11);	/* run 6 */
	expect_history(f->db, "t", 0, 10, "6;5;4;3;1;");
	expect_history(f->db, "t", 0, 2, "6;5;");
	expect_history(f->db, "t", 3, 10, "6;5;4;");
	expect_history(f->db, "u", 0, 10, "2;");
	assert_int_equal(store_console_run_count(f->db, "t", &count, &err), 0);
	assert_int_equal(count, 5);
	assert_int_equal(retention_prune_task(f->db, "t", 3, 200, &d, &err), 0);
	assert_int_equal(d, 2);
	expect_history(f->db, "t", 0, 10, "6;5;4;");
}

static int
fail_after_insert(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	(void)arg;
	add_task(db, "rolled");
	return mgr_error_set(err, MGR_EINVAL, "no");
}

static void
row_count(void *arg, const struct store_task_row *row)
{
	(void)row;
	++*(int *)arg;
}

static void
test_transactions_and_console(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct task_rec got;
	int64_t a[3], b[3];
	int rows = 0, per_min, running, version;

	assert_int_equal(db_user_version(f->db, &version, &err), 0);
	assert_int_equal(version, db_schema_latest());
	assert_int_equal(db_transaction(f->db, fail_after_insert, NULL, &err),
	    MGR_EINVAL);
	assert_int_equal(task_store_read(f->db, "rolled", &got, &err),
	    MGR_ENOENT);
	/* A savepoint inside a transaction. */
	assert_int_equal(db_begin(f->db, &err), 0);
	add_task(f->db, "outer");
	assert_int_equal(db_transaction(f->db, fail_after_insert, NULL, &err),
	    MGR_EINVAL);
	assert_int_equal(db_commit(f->db, &err), 0);
	assert_int_equal(task_store_read(f->db, "outer", &got, &err), 0);
	task_rec_clear(&got);
	assert_int_equal(task_store_read(f->db, "rolled", &got, &err),
	    MGR_ENOENT);

	assert_int_equal(store_table_signature(f->db, STORE_TASKS, a, &err), 0);
	assert_int_equal(a[0], 1);
	assert_int_equal(task_store_set_status(f->db, "outer", "running", 0, 0,
	    0, &err), 0);
	assert_int_equal(db_read_begin(f->db, &err), 0);
	assert_int_equal(store_table_signature(f->db, STORE_TASKS, b, &err), 0);
	assert_int_equal(store_console_tasks(f->db, -1, row_count, &rows, &err),
	    0);
	db_read_end(f->db);
	assert_true(a[1] != b[1] || a[2] != b[2]);
	assert_int_equal(rows, 1);
	rows = 0;
	assert_int_equal(store_console_tasks(f->db, b[1], row_count, &rows,
	    &err), 0);
	assert_int_equal(rows, 0);
	assert_int_equal(store_console_counts(f->db, mgr_now_us(), &per_min,
	    &running, &err), 0);
	assert_int_equal(per_min, 0);
	assert_int_equal(running, 0);
}

/* Waits up to 5 s for fd to be readable. */
static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 5000) == 1;
}

static void
test_watch_and_data_version(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_db *other = reopen(f);
	struct db_watch *w = db_watch_open(f->db);
	int64_t v0 = db_data_version(f->db);
	int hit = 0;

	assert_true(v0 >= 0);
	assert_int_not_equal(db_watch_fd(w), -1);
	add_task(other, "from-other");
	for (int i = 0; i < 5 && !hit; i++) {
		assert_true(readable(db_watch_fd(w)));
		hit = db_watch_drain(w);
	}
	assert_true(hit);
	assert_true(db_data_version(f->db) != v0);
	db_watch_close(w);
	db_close(other);
}

/* The change mark moves with a write of this connection (which
 * data_version does not count on SQLite) and with one of another, and
 * stays while nothing is written (the HTTP API answers again under it). */
static void
test_change_mark(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_db *other = reopen(f);
	int64_t m0 = db_change_mark(f->db), m1, m2;

	assert_true(m0 >= 0);
	assert_true(db_change_mark(f->db) == m0);
	add_task(f->db, "from-this");
	m1 = db_change_mark(f->db);
	assert_true(m1 >= 0 && m1 != m0);
	assert_true(db_change_mark(f->db) == m1);
	add_task(other, "from-other");
	m2 = db_change_mark(f->db);
	assert_true(m2 >= 0 && m2 != m1 && m2 != m0);
	db_close(other);
}

/* Housekeeping with nothing to prune changes nothing another process
 * sees: an idle engine's passes (every five minutes, and hourly for the
 * control plane) must not wake every watcher.  On PostgreSQL the change
 * trigger is per statement and fired for a delete of no rows. */
static void
test_empty_prune_changes_nothing(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_db *other = reopen(f);
	struct mgr_error err = { 0 };
	int64_t v0, n = -1;
	int d = -1;

	add_task(f->db, "kept");
	add_ended_run(f->db, "kept", 10, 50);
	v0 = db_data_version(f->db);
	assert_int_equal(db_begin(other, &err), 0);
	assert_int_equal(retention_prune_old(other, 35, 200, &d, &err), 0);
	assert_int_equal(d, 0);
	assert_int_equal(retention_prune_task(other, "kept", 100, 200, &d,
	    &err), 0);
	assert_int_equal(d, 0);
	assert_int_equal(command_store_prune(other, 1, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_commit(other, &err), 0);
	assert_true(db_data_version(f->db) == v0);
	db_close(other);
}

static void
count_due(void *arg)
{
	(*(int *)arg)++;
}

/* A connection that hands its checkpoints elsewhere still commits what
 * another connection reads, and db_checkpoint from that other one
 * succeeds (SQLite copies the log back; PostgreSQL has nothing to do);
 * a few small writes never ask for a checkpoint. */
static void
test_checkpoint_elsewhere(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_db *other = reopen(f);
	struct mgr_error err = { 0 };
	struct task_rec t;
	int due = 0;

	db_checkpoint_elsewhere(f->db, count_due, &due);
	add_task(f->db, "written");
	assert_int_equal(task_store_read(other, "written", &t, &err), 0);
	task_rec_clear(&t);
	assert_int_equal(db_checkpoint(other, &err), 0);
	assert_int_equal(due, 0);
	db_checkpoint_elsewhere(f->db, NULL, NULL);
	add_task(f->db, "after");
	assert_int_equal(task_store_read(other, "after", &t, &err), 0);
	task_rec_clear(&t);
	db_close(other);
}

static void
test_host_lock(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_db *other = reopen(f);
	struct db_host_lock *lock = NULL, *second = NULL;
	struct mgr_error err = { 0 };
	char kind[32];
	int pid;

	assert_int_equal(db_host_holder(other, &pid, kind, sizeof kind), 0);
	assert_int_equal(db_host_lock(f->db, "daemon", &lock, &err), 0);
	assert_int_equal(db_host_lock(other, "console", &second, &err),
	    MGR_EBUSY);
	assert_non_null(strstr(err.msg, "another engine host"));
	assert_int_equal(db_host_holder(other, &pid, kind, sizeof kind), 1);
	assert_int_equal(pid, getpid());
	assert_string_equal(kind, "daemon");
	db_host_unlock(lock);
	assert_int_equal(db_host_lock(other, "console", &second, &err), 0);
	db_host_unlock(second);
	db_close(other);
}

/* The server ends every session of this process in the fixture's
 * database, as a restart does, and forgets them (no longer listed). */
static void
pg_end_sessions(struct fixture *f, int only)
{
	char *admin = xasprintf("%s", f->where), *sql;
	PGconn *c = PQconnectdb(admin);
	PGresult *r;
	int left = 1;

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("%s: %s", admin, PQerrorMessage(c));
	sql = only > 0 ? xasprintf("SELECT pg_terminate_backend(%d)", only) :
	    xasprintf("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
	    "AND application_name LIKE 'manager %ld%%'", (long)getpid());
	PQclear(PQexec(c, sql));
	free(sql);
	sql = only > 0 ? xasprintf("SELECT count(*) FROM pg_stat_activity "
	    "WHERE pid = %d", only) : xasprintf("SELECT count(*) FROM "
	    "pg_stat_activity WHERE datname = current_database() AND pid <> "
	    "pg_backend_pid() AND application_name LIKE 'manager %ld%%'",
	    (long)getpid());
	for (int i = 0; left > 0 && i < 500; i++) {
		r = PQexec(c, sql);
		left = PQresultStatus(r) == PGRES_TUPLES_OK ?
		    atoi(PQgetvalue(r, 0, 0)) : 0;
		PQclear(r);
		if (left > 0)
			usleep(10 * 1000);
	}
	free(sql);
	free(admin);
	PQfinish(c);
}

/* A connection the server ended is lost (db_lost) until db_reconnect;
 * the engine lock's session made again (db_host_lock_reopen) takes the
 * lock again (db_host_lock_retake), unless another session took it.
 * A file is never lost. */
static void
test_lost_reconnect(void **state)
{
	struct fixture *f = fixture(state);
	struct db_host_lock *lock = NULL, *second = NULL;
	struct mgr_error err = { 0 };
	struct task_rec t = { 0 };
	int session;

	add_task(f->db, "a");
	assert_int_equal(db_lost(f->db), 0);
	assert_int_equal(db_host_lock(f->db, "daemon", &lock, &err), 0);
	if (!f->pg) {
		assert_int_equal(db_reconnect(f->db, &err), 0);
		assert_int_equal(db_host_lock_check(lock, &err), 0);
		db_host_unlock(lock);
		return;
	}
	session = db_host_lock_session(lock);
	pg_end_sessions(f, 0);
	assert_int_not_equal(task_store_read(f->db, "a", &t, &err), 0);
	assert_int_equal(db_lost(f->db), 1);
	assert_int_not_equal(db_host_lock_check(lock, &err), 0);
	assert_int_equal(db_reconnect(f->db, &err), 0);
	assert_int_equal(db_lost(f->db), 0);
	assert_int_equal(task_store_read(f->db, "a", &t, &err), 0);
	task_rec_clear(&t);
	assert_int_equal(db_host_lock_reopen(lock, &err), 0);
	assert_int_not_equal(db_host_lock_session(lock), session);
	assert_int_equal(db_host_lock_retake(lock, &err), 0);
	assert_int_equal(db_host_lock_check(lock, &err), 0);
	assert_int_equal(db_host_lock(f->db, "console", &second, &err),
	    MGR_EBUSY);
	/* Another session took the lock while this one's was gone. */
	pg_end_sessions(f, db_host_lock_session(lock));
	assert_int_equal(db_host_lock(f->db, "console", &second, &err), 0);
	assert_int_equal(db_host_lock_reopen(lock, &err), 0);
	assert_int_equal(db_host_lock_retake(lock, &err), MGR_EBUSY);
	assert_non_null(strstr(err.msg, "another session holds"));
	db_host_unlock(second);
	db_host_unlock(lock);
}

/* Fire times in Unix µs, past what a 32-bit parameter holds. */
#define T0 INT64_C(1700000000000000)

static void
add_hooks_run(struct mgr_db *db, const char *task, int64_t at, int attempt,
	      const char *status, int64_t started, int64_t ended)
{
	struct run_rec r = sample_run(task, at, attempt, status);
	struct mgr_error err = { 0 };

	r.started_at = started;
	r.ended_at = ended;
	assert_int_equal(run_store_insert(db, &r, &err), 0);
}

static void
hooks_collect(void *arg, const char *task_id, const char *json)
{
	struct strbuf *sb = arg;

	strbuf_addf(sb, "%s=%s;", task_id, json);
}

/* task_hooks_store.h: tasks.hooks (schema 8) kept apart from the task's
 * other columns, and the latest ended run and start of a task. */
static void
test_task_hooks(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct task_rec t = { 0 };
	char *json = NULL, *status = NULL;
	int64_t ended, at;

	add_task(f->db, "b");
	add_task(f->db, "A");
	add_task(f->db, "c");
	assert_int_equal(task_hooks_store_get(f->db, "b", &json, &err), 0);
	assert_null(json);
	assert_int_equal(task_hooks_store_get(f->db, "ghost", &json, &err),
	    MGR_ENOENT);
	assert_non_null(strstr(err.msg, "ghost"));
	assert_int_equal(task_hooks_store_set(f->db, "ghost", "{}", &err),
	    MGR_ENOENT);
	assert_int_equal(task_hooks_store_set(f->db, "b", "{\"after\":[\"A\"]}",
	    &err), 0);
	assert_int_equal(task_hooks_store_set(f->db, "A", "{\"group\":\"g\"}",
	    &err), 0);
	assert_int_equal(task_hooks_store_set(f->db, "c", "{}", &err), 0);
	assert_int_equal(task_hooks_store_set(f->db, "c", NULL, &err), 0);
	/* A task's update leaves its hooks alone. */
	assert_int_equal(task_store_read(f->db, "b", &t, &err), 0);
	assert_int_equal(task_store_update(f->db, &t, &err), 0);
	task_rec_clear(&t);
	assert_int_equal(task_hooks_store_get(f->db, "b", &json, &err), 0);
	assert_string_equal(json, "{\"after\":[\"A\"]}");
	free(json);
	/* Only tasks with hooks, in byte order. */
	assert_int_equal(task_hooks_store_list(f->db, hooks_collect, &sb, &err),
	    0);
	assert_string_equal(sb.buf, "A={\"group\":\"g\"};b={\"after\":[\"A\"]};");
	free(sb.buf);

	assert_int_equal(task_hooks_store_last_final(f->db, "b", 0, &status,
	    &ended, &err), 0);
	assert_null(status);
	assert_int_equal(ended, 0);
	assert_int_equal(task_hooks_store_last_start(f->db, "b", &at, &err), 0);
	assert_int_equal(at, 0);
	add_hooks_run(f->db, "b", T0 + 100, 1, "failed", T0 + 101, T0 + 105);
	add_hooks_run(f->db, "b", T0 + 100, 2, "succeeded", T0 + 106, T0 + 110);
	add_hooks_run(f->db, "b", T0 + 200, 1, "running", T0 + 250, 0);
	add_hooks_run(f->db, "b", T0 + 300, 1, "claimed", 0, 0);
	/* A run without a fire time (task run): below every fire time. */
	add_hooks_run(f->db, "b", 0, 1, "timeout", T0 + 400, T0 + 401);
	add_hooks_run(f->db, "A", T0 + 900, 1, "failed", T0 + 900, T0 + 901);
	assert_int_equal(task_hooks_store_last_final(f->db, "b", 0, &status,
	    &ended, &err), 0);
	assert_string_equal(status, "succeeded");	/* the last attempt */
	assert_true(ended == T0 + 110);
	free(status);
	/* Before a fire time: a run without one is not before it. */
	assert_int_equal(task_hooks_store_last_final(f->db, "b", T0 + 100,
	    &status, &ended, &err), 0);
	assert_null(status);
	assert_int_equal(task_hooks_store_last_final(f->db, "b", T0 + 101,
	    &status, &ended, &err), 0);
	assert_string_equal(status, "succeeded");
	free(status);
	assert_int_equal(task_hooks_store_last_final(f->db, "c", 0, &status,
	    &ended, &err), 0);
	assert_null(status);
	assert_int_equal(task_hooks_store_last_start(f->db, "b", &at, &err), 0);
	assert_true(at == T0 + 400);
	add_hooks_run(f->db, "b", T0 + 500, 1, "claimed", 0, 0);
	assert_int_equal(task_hooks_store_last_start(f->db, "b", &at, &err), 0);
	assert_true(at == T0 + 500);	/* due, not begun */
}

/* run_ids_store.h: a block above every id of runs and above `after`,
 * whose ids the runs rows then carry. */
static void
test_run_ids(void **state)
{
	struct fixture *f = fixture(state);
	struct run_rec r = sample_run("t", T0, 1, "claimed"), *v;
	struct mgr_error err = { 0 };
	int64_t first, second, third;
	size_t n;

	add_task(f->db, "t");
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);	/* an id */
	assert_int_equal(run_ids_store_reserve(f->db, 16, 0, &first, &err), 0);
	assert_true(first > r.id);
	r = sample_run("t", T0 + 1, 1, "claimed");
	r.id = first + 3;
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	assert_true(r.id == first + 3);
	r = sample_run("t", T0 + 2, 1, "succeeded");
	r.id = first;
	r.ended_at = T0 + 5;
	run_store_record(f->db, &r, 1, NULL, NULL);
	assert_int_equal(run_store_list(f->db, "t", 0, 10, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(v[0].id == first + 3);	/* newest id first */
	assert_true(v[1].id == first);
	run_recs_free(v, n);
	/* An id taken is not taken again. */
	r = sample_run("t", T0 + 3, 1, "claimed");
	r.id = first;
	assert_int_not_equal(run_store_insert(f->db, &r, &err), 0);

	assert_int_equal(run_ids_store_reserve(f->db, 16, first + 15, &second,
	    &err), 0);
	assert_true(second > first + 15);
	/* Above an id written past the last block, and above `after`. */
	r = sample_run("t", T0 + 4, 1, "claimed");
	r.id = second + 1000;
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	assert_int_equal(run_ids_store_reserve(f->db, 4, 0, &third, &err), 0);
	assert_true(third > second + 1000);
	assert_int_equal(run_ids_store_reserve(f->db, 4, third + 5000, &third,
	    &err), 0);
	assert_true(third > second + 6000);
	/* A row without an id still gets one of its own. */
	r = sample_run("t", T0 + 5, 1, "claimed");
	assert_int_equal(run_store_insert(f->db, &r, &err), 0);
	assert_true(r.id > second + 1000);
}

/* command_input_store.h: any bytes of stdin with the command's row
 * (schema 9); none is told apart from an empty one. */
static void
test_command_input(void **state)
{
	struct fixture *f = fixture(state);
	static const char bytes[] = "a\0b\xff\\\n\t\x01";
	struct command_rec c = { 0 };
	struct mgr_error err = { 0 };
	int64_t id1, id2, id3;
	char *in = NULL;
	size_t len = 99;

	assert_int_equal(command_store_submit_input(f->db,
	    "[\"task\",\"import\",\"crontab\",\"-\"]", 1, 4242, bytes,
	    sizeof bytes - 1, &id1, &err), 0);
	assert_int_equal(command_store_submit_input(f->db, "[\"x\"]", 0, 4243,
	    "", 0, &id2, &err), 0);
	assert_int_equal(command_store_submit(f->db, "[\"y\"]", 0, 4244, &id3,
	    &err), 0);
	assert_true(id1 < id2 && id2 < id3);

	assert_int_equal(command_store_input(f->db, id1, &in, &len, &err), 0);
	assert_int_equal(len, sizeof bytes - 1);
	assert_memory_equal(in, bytes, len);
	assert_int_equal(in[len], '\0');
	free(in);
	assert_int_equal(command_store_input(f->db, id2, &in, &len, &err), 0);
	assert_non_null(in);
	assert_int_equal(len, 0);
	assert_int_equal(in[0], '\0');
	free(in);
	assert_int_equal(command_store_input(f->db, id3, &in, &len, &err), 0);
	assert_null(in);
	assert_int_equal(len, 0);
	assert_int_equal(command_store_input(f->db, id3 + 100, &in, &len, &err),
	    MGR_ENOENT);
	assert_null(in);
	/* The row is the command as any other. */
	assert_int_equal(command_store_claim_next(f->db, &c, &err), 0);
	assert_true(c.id == id1);
	assert_string_equal(c.argv, "[\"task\",\"import\",\"crontab\",\"-\"]");
	assert_int_equal(c.json, 1);
	assert_int_equal(c.client_pid, 4242);
	command_rec_clear(&c);
}

static void
notify_collect(void *arg, struct notify_rec *n)
{
	const struct run_rec *r = &n->run;

	strbuf_addf(arg, "%lld/%s/%s/%s/%d/%lld/%lld/%lld/%s/%d/%d/%s/%s/%d;",
	    (long long)r->id, n->event, n->action, r->task_id, r->attempt,
	    (long long)r->scheduled_at, (long long)r->started_at,
	    (long long)r->ended_at, r->status, r->exit_code, r->signal,
	    r->output != NULL ? r->output : "-",
	    r->error != NULL ? r->error : "-", n->starts);
	notify_rec_clear(n);
}

/* notify_store.h (schema 10): notifications owed, each whole, added (or
 * replaced) in the caller's transaction, counted at every start, oldest
 * run first, and forgotten once delivered. */
static void
test_notify(void **state)
{
	struct fixture *f = fixture(state);
	struct notify_rec a = { .run = sample_run("t\xc3\xa4", T0, 2, "failed"),
	    .event = (char *)"on_failure", .action = (char *)"exec:/bin/true" };
	struct notify_rec b = { .run = sample_run("u", 0, 1, "interrupted"),
	    .event = (char *)"on_missed", .action = (char *)"mail:root" };
	struct mgr_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;

	a.run.id = 7;
	a.run.started_at = T0 + 1;
	a.run.ended_at = T0 + 2;
	a.run.exit_code = 3;
	a.run.output = (char *)"out\nerr \xc3\xa4";
	b.run.id = 5;
	b.run.signal = 9;
	b.run.error = (char *)"killed";
	/* Nothing owed: fn is not called. */
	assert_int_equal(notify_store_restart(f->db, notify_collect, &sb, &err),
	    0);
	assert_int_equal(sb.len, 0);
	/* Rolled back with the transaction it was added in. */
	assert_int_equal(db_begin(f->db, &err), 0);
	assert_int_equal(notify_store_add(f->db, &a, &err), 0);
	db_rollback(f->db);
	assert_int_equal(notify_store_restart(f->db, notify_collect, &sb, &err),
	    0);
	assert_int_equal(sb.len, 0);

	assert_int_equal(db_begin(f->db, &err), 0);
	a.action = (char *)"webhook:http://127.0.0.1:1/";
	assert_int_equal(notify_store_add(f->db, &a, &err), 0);
	a.action = (char *)"exec:/bin/true";	/* the same key: replaced */
	assert_int_equal(notify_store_add(f->db, &a, &err), 0);
	assert_int_equal(notify_store_add(f->db, &b, &err), 0);
	assert_int_equal(db_commit(f->db, &err), 0);
	assert_int_equal(notify_store_restart(f->db, notify_collect, &sb, &err),
	    0);
	assert_string_equal(sb.buf, "5/on_missed/mail:root/u/1/0/0/0/"
	    "interrupted/-1/9/-/killed/1;"
	    "7/on_failure/exec:/bin/true/t\xc3\xa4/2/1700000000000000/"
	    "1700000000000001/1700000000000002/failed/3/0/out\nerr \xc3\xa4/-/1;");
	strbuf_free(&sb);
	/* Delivered: forgotten; one not owed is no error. */
	assert_int_equal(notify_store_done(f->db, 5, "on_missed", &err), 0);
	assert_int_equal(notify_store_done(f->db, 7, "on_success", &err), 0);
	assert_int_equal(notify_store_restart(f->db, notify_collect, &sb, &err),
	    0);
	assert_string_equal(sb.buf, "7/on_failure/exec:/bin/true/t\xc3\xa4/2/"
	    "1700000000000000/1700000000000001/1700000000000002/failed/3/0/"
	    "out\nerr \xc3\xa4/-/2;");
	free(sb.buf);
}

static void
metrics_collect(void *arg, const char *task, const char *status, int64_t n)
{
	strbuf_addf(arg, "%s/%s=%lld;", task, status, (long long)n);
}

/* metrics_store.h: runs by task and status, in byte order; the lateness
 * of first attempts that started, as a histogram. */
static void
test_metrics(void **state)
{
	struct fixture *f = fixture(state);
	struct mgr_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	int64_t le[METRICS_LATENESS_N], count = -1;
	double sum = -1;

	assert_int_equal(metrics_store_lateness(f->db, le, &count, &sum, &err),
	    0);
	assert_int_equal(count, 0);
	assert_true(sum == 0);
	assert_int_equal(le[0], 0);
	add_task(f->db, "b");
	add_task(f->db, "A");
	add_hooks_run(f->db, "A", T0, 1, "succeeded", T0 + 3000, T0 + 4000);
	add_hooks_run(f->db, "A", T0 + 1000000, 1, "failed", T0 + 1020000,
	    T0 + 1030000);
	add_hooks_run(f->db, "A", T0 + 1000000, 2, "failed", T0 + 3000000,
	    T0 + 3000001);	/* a retry: not a lateness */
	add_hooks_run(f->db, "b", T0 + 5, 1, "succeeded", T0, T0 + 1);
	add_hooks_run(f->db, "b", T0 + 9, 1, "claimed", 0, 0);
	assert_int_equal(metrics_store_runs(f->db, metrics_collect, &sb, &err),
	    0);
	assert_string_equal(sb.buf, "A/failed=2;A/succeeded=1;b/claimed=1;"
	    "b/succeeded=1;");
	free(sb.buf);
	/* 3 ms, 20 ms and 0 (early counts as on time). */
	assert_int_equal(metrics_store_lateness(f->db, le, &count, &sum, &err),
	    0);
	assert_int_equal(count, 3);
	assert_true(sum > 0.0229999 && sum < 0.0230001);
	assert_int_equal(le[0], 2);	/* <= 5 ms */
	assert_int_equal(le[1], 2);	/* <= 10 ms */
	assert_int_equal(le[2], 3);	/* <= 50 ms */
	assert_int_equal(le[METRICS_LATENESS_N - 1], 3);
}

/* Every operation of struct store_ops is filled on both backends: after
 * `name`, the table is function pointers only, so it is read as such
 * (an operation left out would crash the first caller on that backend). */
static void
check_every_op(const struct store_ops *ops)
{
	const char *slot = (const char *)ops + sizeof ops->name;
	const char *end = (const char *)ops + sizeof *ops;
	void (*fn)(void);
	size_t i = 0;

	for (; slot + sizeof fn <= end; slot += sizeof fn, i++) {
		memcpy(&fn, slot, sizeof fn);
		if (fn == NULL)
			fail_msg("%s: operation %zu of struct store_ops (after "
			    "name) is NULL", ops->name, i + 1);
	}
	assert_true(i > 50);	/* the table was walked */
}

static void
test_every_op(void **state)
{
	(void)state;
	assert_ptr_equal(offsetof(struct store_ops, name), 0);
	check_every_op(&sqlite_store_ops);
	check_every_op(&pg_store_ops);
}

/* One case per check and backend, named "backend: check". */
#define CASE(b, fn, setup) { b ": " #fn, fn, setup, teardown, NULL }
#define CASES(b, setup) \
	CASE(b, test_tasks, setup), \
	CASE(b, test_task_create_with_context, setup), \
	CASE(b, test_plugins, setup), \
	CASE(b, test_runs_fire_key, setup), \
	CASE(b, test_runs_fires_from, setup), \
	CASE(b, test_runs_record_and_end, setup), \
	CASE(b, test_runlog_and_usage, setup), \
	CASE(b, test_run_logs, setup), \
	CASE(b, test_run_log_chunks, setup), \
	CASE(b, test_retention, setup), \
	CASE(b, test_history_order, setup), \
	CASE(b, test_migration_one_task_index, setup), \
	CASE(b, test_history_across_settle, setup), \
	CASE(b, test_events_and_faults, setup), \
	CASE(b, test_commands_and_host, setup), \
	CASE(b, test_hosts_epochs, setup), \
	CASE(b, test_hosts_sweep, setup), \
	CASE(b, test_hosts_drain_leave, setup), \
	CASE(b, test_hosts_reclaim, setup), \
	CASE(b, test_lost_reconnect, setup), \
	CASE(b, test_hosts_standby, setup), \
	CASE(b, test_task_hooks, setup), \
	CASE(b, test_run_ids, setup), \
	CASE(b, test_command_input, setup), \
	CASE(b, test_metrics, setup), \
	CASE(b, test_notify, setup), \
	CASE(b, test_snapshots, setup), \
	CASE(b, test_transactions_and_console, setup), \
	CASE(b, test_watch_and_data_version, setup), \
	CASE(b, test_change_mark, setup), \
	CASE(b, test_empty_prune_changes_nothing, setup), \
	CASE(b, test_checkpoint_elsewhere, setup), \
	CASE(b, test_host_lock, setup)

/* Without a server the PostgreSQL cases are left out, not skipped:
 * cmocka reports a skip as "not ok ... # SKIP", which automake's TAP
 * driver counts as a failure. */
int
main(void)
{
	const struct CMUnitTest sqlite_only[] = {
		cmocka_unit_test(test_every_op),
		CASES("sqlite", setup_sqlite),
	};
	const struct CMUnitTest both[] = {
		cmocka_unit_test(test_every_op),
		CASES("sqlite", setup_sqlite),
		CASES("postgresql", setup_pg),
	};

	if (getenv("MANAGER_TEST_PG") == NULL) {
		print_message("# MANAGER_TEST_PG is not set: the PostgreSQL "
		    "cases are left out (scripts/pg-test-cluster.sh)\n");
		return cmocka_run_group_tests_name("store contract", sqlite_only,
		    NULL, NULL);
	}
	return cmocka_run_group_tests_name("store contract", both,
	    pg_group_setup, pg_group_teardown);
}
