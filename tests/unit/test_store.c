/* test_store.c - CRUD of plugins, tasks, runs, events and plugin state,
 * and rollback of a multi-statement change. */
#include "testutil.h"
#include "store.h"

struct fixture {
	char *dir;
	struct mgr_db *db;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *path;

	f->dir = tmpdir_new();
	path = xasprintf("%s/m.db", f->dir);
	assert_int_equal(db_open(path, &f->db, NULL), 0);
	free(path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	db_close(f->db);
	tmpdir_free(f->dir);
	free(f);
	return 0;
}

static struct plugin_rec
sample_plugin(const char *id)
{
	struct plugin_rec p = {
		.id = (char *)id, .name = (char *)"Hello", .version = (char *)"1.2.0",
		.description = (char *)"Says hello", .author = (char *)"Ada",
		.path = (char *)"/p/hello", .manifest = (char *)"{\"id\":\"hello\"}",
		.dependencies = (char *)"[\"base >= 1.0\"]",
	};
	return p;
}

static void
test_plugin_crud(void **state)
{
	struct fixture *f = *state;
	struct plugin_rec p = sample_plugin("hello"), got = { 0 }, *list;
	struct mgr_error err = { 0 };
	size_t n;

	assert_int_equal(plugin_store_create(f->db, &p, &err), 0);
	assert_int_equal(plugin_store_create(f->db, &p, &err), MGR_EEXIST);
	assert_int_equal(plugin_store_read(f->db, "hello", &got, &err), 0);
	assert_string_equal(got.name, "Hello");
	assert_string_equal(got.version, "1.2.0");
	assert_string_equal(got.author, "Ada");
	assert_string_equal(got.dependencies, "[\"base >= 1.0\"]");
	assert_string_equal(got.state, "disabled");
	assert_false(got.enabled);
	assert_true(got.installed_at > 0);
	free(got.version);
	got.version = xstrdup("1.3.0");
	assert_int_equal(plugin_store_update(f->db, &got, &err), 0);
	plugin_rec_clear(&got);
	assert_int_equal(plugin_store_set_state(f->db, "hello", "faulted",
	    "crashed 3 times", &err), 0);
	assert_int_equal(plugin_store_read(f->db, "hello", &got, &err), 0);
	assert_string_equal(got.version, "1.3.0");
	assert_string_equal(got.state, "faulted");
	assert_string_equal(got.error, "crashed 3 times");
	plugin_rec_clear(&got);
	p = sample_plugin("base");
	assert_int_equal(plugin_store_create(f->db, &p, &err), 0);
	assert_int_equal(plugin_store_list(f->db, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, "base");
	plugin_recs_free(list, n);
	assert_int_equal(plugin_store_delete(f->db, "hello", &err), 0);
	assert_int_equal(plugin_store_delete(f->db, "hello", &err), MGR_ENOENT);
	assert_int_equal(plugin_store_read(f->db, "hello", &got, &err), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "hello"));
}

static void
test_plugin_state_cascades(void **state)
{
	struct fixture *f = *state;
	struct plugin_rec p = sample_plugin("hello");
	struct mgr_error err = { 0 };
	char *v;

	assert_int_equal(plugin_store_create(f->db, &p, &err), 0);
	assert_int_equal(plugin_state_set(f->db, "hello", "count", "1", &err), 0);
	assert_int_equal(plugin_state_set(f->db, "hello", "count", "2", &err), 0);
	assert_int_equal(plugin_state_get(f->db, "hello", "count", &v, &err), 0);
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(plugin_state_get(f->db, "hello", "nope", &v, &err), MGR_ENOENT);
	/* State of an unknown plugin violates the foreign key. */
	assert_int_equal(plugin_state_set(f->db, "ghost", "k", "v", &err), MGR_EDB);
	assert_int_equal(plugin_store_delete(f->db, "hello", &err), 0);
	assert_int_equal(plugin_state_get(f->db, "hello", "count", &v, &err), MGR_ENOENT);
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
test_task_crud(void **state)
{
	struct fixture *f = *state;
	struct task_rec t = sample_task("t1"), got, *list;
	struct mgr_error err = { 0 };
	size_t n;

	assert_int_equal(task_store_create(f->db, &t, &err), 0);
	assert_int_equal(task_store_create(f->db, &t, &err), MGR_EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	t = sample_task("bad");
	t.trigger = (char *)"weekly";
	assert_int_equal(task_store_create(f->db, &t, &err), MGR_EINVAL);
	memset(&got, 0, sizeof got);
	assert_int_equal(task_store_read(f->db, "t1", &got, &err), 0);
	assert_string_equal(got.name, "t1");
	assert_string_equal(got.status, "scheduled");
	assert_int_equal(got.max_retries, 3);
	assert_int_equal(got.max_instances, 1);
	assert_int_equal(got.coalesce, 1);
	assert_int_equal(got.next_run, 0);
	free(got.name);
	got.name = xstrdup("renamed");
	got.timeout = 30;
	assert_int_equal(task_store_update(f->db, &got, &err), 0);
	task_rec_clear(&got);
	assert_int_equal(task_store_set_status(f->db, "t1", "paused", 0, 0, 0, &err), 0);
	assert_int_equal(task_store_set_status(f->db, "nope", "paused", 0, 0, 0, &err), MGR_ENOENT);
	assert_int_equal(task_store_read(f->db, "t1", &got, &err), 0);
	assert_string_equal(got.name, "renamed");
	assert_string_equal(got.status, "paused");
	assert_int_equal(got.timeout, 30);
	task_rec_clear(&got);
	assert_int_equal(task_store_list(f->db, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	task_recs_free(list, n);
	assert_int_equal(task_store_delete(f->db, "t1", &err), 0);
	assert_int_equal(task_store_read(f->db, "t1", &got, &err), MGR_ENOENT);
}

static void
test_runs_and_pruning(void **state)
{
	struct fixture *f = *state;
	struct task_rec t = sample_task("t1");
	struct run_rec r, *list;
	struct mgr_error err = { 0 };
	int64_t pruned;
	size_t n;

	assert_int_equal(task_store_create(f->db, &t, &err), 0);
	for (int i = 1; i <= 5; i++) {
		memset(&r, 0, sizeof r);
		r.task_id = (char *)"t1";
		r.attempt = i;
		r.started_at = 1000 * i;
		r.status = (char *)"running";
		r.exit_code = -1;
		assert_int_equal(run_store_insert(f->db, &r, &err), 0);
		r.ended_at = 1000 * i + 5;
		r.status = (char *)(i == 3 ? "crashed" : "succeeded");
		r.signal = i == 3 ? 11 : 0;
		r.exit_code = i == 3 ? -1 : 0;
		assert_int_equal(run_store_finish(f->db, &r, &err), 0);
	}
	assert_int_equal(run_store_list(f->db, "t1", 0, 10, &list, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(list[0].attempt, 5);	/* newest first */
	assert_string_equal(list[2].status, "crashed");
	assert_int_equal(list[2].signal, 11);
	assert_int_equal(list[2].exit_code, -1);
	assert_int_equal(list[0].exit_code, 0);
	run_recs_free(list, n);
	assert_int_equal(run_store_prune(f->db, 3, 0, &pruned, &err), 0);
	assert_int_equal(pruned, 2);
	assert_int_equal(run_store_prune(f->db, 100, 4000, &pruned, &err), 0);
	assert_int_equal(pruned, 1);
	/* Deleting the task deletes its history. */
	assert_int_equal(task_store_delete(f->db, "t1", &err), 0);
	assert_int_equal(run_store_list(f->db, NULL, 0, 10, &list, &n, &err), 0);
	assert_int_equal(n, 0);
	run_recs_free(list, n);
}

static void
test_events(void **state)
{
	struct fixture *f = *state;
	struct event_rec *list;
	struct mgr_error err = { 0 };
	size_t n;

	assert_int_equal(event_store_add(f->db, "plugin.enabled", "hello", "enabled", &err), 0);
	assert_int_equal(event_store_add(f->db, "task.paused", "t1", "paused", &err), 0);
	assert_int_equal(event_store_list(f->db, NULL, 0, 10, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].kind, "task.paused");
	event_recs_free(list, n);
	assert_int_equal(event_store_list(f->db, "hello", 0, 10, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].subject, "hello");
	event_recs_free(list, n);
}

struct two_plugins {
	int fail_second;
};

static int
create_two(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	struct two_plugins *tp = arg;
	struct plugin_rec a = sample_plugin("a"), b = sample_plugin("a");
	int rc;

	if ((rc = plugin_store_create(db, &a, err)) != 0)
		return rc;
	if (!tp->fail_second)
		b.id = (char *)"b";
	return plugin_store_create(db, &b, err);
}

static void
test_multi_step_change_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct two_plugins tp = { .fail_second = 1 };
	struct plugin_rec got = { 0 };
	struct mgr_error err = { 0 };

	assert_int_equal(db_transaction(f->db, create_two, &tp, &err), MGR_EEXIST);
	assert_int_equal(plugin_store_read(f->db, "a", &got, &err), MGR_ENOENT);
	tp.fail_second = 0;
	assert_int_equal(db_transaction(f->db, create_two, &tp, &err), 0);
	assert_int_equal(plugin_store_read(f->db, "b", &got, &err), 0);
	plugin_rec_clear(&got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plugin_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plugin_state_cascades, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_and_pruning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_step_change_rolls_back, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
