/* test_console_model.c - the console's model follows the database written
 * by another connection: patched rows, rows added and removed, updates
 * that write an older time, and the display order. */
#include "testutil.h"
#include "sqlite/sqlite_int.h"	/* the SQLite backend under test */
#include "db.h"
#include "model.h"
#include "store.h"

struct fixture {
	char *dir;
	struct mgr_db *writer;	/* another connection, as another process */
	struct mgr_db *reader;	/* the console's */
	struct ui_model m;
};

static void
exec_ok(struct mgr_db *db, const char *sql)
{
	struct mgr_error err = { 0 };

	if (db_exec(db, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.msg);
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct mgr_error err = { 0 };
	char *path;

	f->dir = tmpdir_new();
	path = xasprintf("%s/m.db", f->dir);
	assert_int_equal(db_open(path, &f->writer, &err), 0);
	assert_int_equal(db_open(path, &f->reader, &err), 0);
	free(path);
	exec_ok(f->writer, "INSERT INTO tasks (id, name, func_path, trigger, "
	    "next_run, status, created_at, updated_at) VALUES "
	    "('a', 'A', 'exec:x', 'interval', 300, 'scheduled', 1, 100),"
	    "('b', 'B', 'exec:x', 'interval', 200, 'scheduled', 1, 100),"
	    "('c', 'C', 'exec:x', 'interval', NULL, 'scheduled', 1, 100)");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	model_free(&f->m);
	db_close(f->reader);
	db_close(f->writer);
	tmpdir_free(f->dir);
	free(f);
	return 0;
}

static void
refresh(struct fixture *f, int expect_changed)
{
	struct mgr_error err = { 0 };
	int changed;

	assert_int_equal(model_refresh(&f->m, f->reader, 0, &changed, &err), 0);
	assert_int_equal(changed, expect_changed);
}

static const char *
status_of(struct fixture *f, const char *id)
{
	const struct ui_task *t = model_task(&f->m, id);

	assert_non_null(t);
	return t->status;
}

static void
test_order(void **state)
{
	struct fixture *f = *state;

	refresh(f, 1);
	assert_int_equal(f->m.ntasks, 3);
	/* By next fire time; a task that will not fire comes last. */
	assert_string_equal(model_task_at(&f->m, 0)->id, "b");
	assert_string_equal(model_task_at(&f->m, 1)->id, "a");
	assert_string_equal(model_task_at(&f->m, 2)->id, "c");
	refresh(f, 0);
}

static void
test_patched_rows(void **state)
{
	struct fixture *f = *state;

	refresh(f, 1);
	exec_ok(f->writer, "UPDATE tasks SET status='running', next_run=100, "
	    "updated_at=200 WHERE id='a'");
	refresh(f, 1);
	assert_string_equal(status_of(f, "a"), "running");
	assert_string_equal(model_task_at(&f->m, 0)->id, "a");
	/* Many patches in a row keep every row right. */
	for (int i = 0; i < 50; i++) {
		char *sql = xasprintf("UPDATE tasks SET status='s%d', "
		    "updated_at=%d WHERE id='%s'", i, 300 + i, i % 2 ? "b" : "c");

		exec_ok(f->writer, sql);
		free(sql);
		refresh(f, 1);
	}
	assert_string_equal(status_of(f, "b"), "s49");
	assert_string_equal(status_of(f, "c"), "s48");
	assert_string_equal(status_of(f, "a"), "running");
}

static void
test_older_time_and_rows(void **state)
{
	struct fixture *f = *state;

	refresh(f, 1);
	/* An update that writes an older time is still seen. */
	exec_ok(f->writer, "UPDATE tasks SET status='failed', updated_at=50 "
	    "WHERE id='b'");
	refresh(f, 1);
	assert_string_equal(status_of(f, "b"), "failed");
	exec_ok(f->writer, "DELETE FROM tasks WHERE id='a'");
	refresh(f, 1);
	assert_int_equal(f->m.ntasks, 2);
	assert_null(model_task(&f->m, "a"));
	/* A row added with the same count as before (one out, one in). */
	exec_ok(f->writer, "DELETE FROM tasks WHERE id='c'");
	exec_ok(f->writer, "INSERT INTO tasks (id, name, func_path, trigger, "
	    "next_run, status, created_at, updated_at) VALUES "
	    "('d', 'D', 'exec:x', 'interval', 1, 'new', 1, 500)");
	refresh(f, 1);
	assert_int_equal(f->m.ntasks, 2);
	assert_string_equal(status_of(f, "d"), "new");
	assert_null(model_task(&f->m, "c"));
	assert_string_equal(model_task_at(&f->m, 0)->id, "d");
}

static void
test_log_and_counts(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct run_rec r = { 0 };

	refresh(f, 1);
	r.task_id = (char *)"a";
	r.attempt = 2;
	r.started_at = mgr_now_us();
	r.status = (char *)"running";
	assert_int_equal(run_store_insert(f->writer, &r, &err), 0);
	assert_int_equal(event_store_add(f->writer, "task.paused", "b", "paused",
	    &err), 0);
	refresh(f, 1);
	assert_int_equal(f->m.nlog, 2);
	assert_int_equal(f->m.running, 1);
	assert_int_equal(f->m.runs_per_min, 1);
	/* Newest first: the event came after the run started. */
	assert_string_equal(f->m.log[0].what, "task.paused");
	assert_string_equal(f->m.log[1].what, "running");
	assert_non_null(strstr(f->m.log[1].text, "attempt 2"));
}

static const struct ui_log *
log_line(struct fixture *f, const char *key)
{
	for (size_t i = 0; i < f->m.nlog; i++)
		if (strcmp(f->m.log[i].key, key) == 0)
			return &f->m.log[i];
	return NULL;
}

/* A tick reads only the runs and events after the newest it holds, and
 * the runs it showed going on again: a run that ended says so. */
static void
test_log_follows(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct run_rec r = { 0 }, r2 = { 0 };
	char key[24];

	refresh(f, 1);
	r.task_id = (char *)"a";
	r.attempt = 1;
	r.started_at = mgr_now_us();
	r.status = (char *)"running";
	assert_int_equal(run_store_insert(f->writer, &r, &err), 0);
	refresh(f, 1);
	snprintf(key, sizeof key, "r%lld", (long long)r.id);
	assert_non_null(log_line(f, key));
	assert_string_equal(log_line(f, key)->what, "running");
	r.ended_at = r.started_at + 1000;
	r.status = (char *)"failed";
	r.exit_code = 3;
	assert_int_equal(run_store_finish(f->writer, &r, &err), 0);
	refresh(f, 1);
	assert_int_equal(f->m.nlog, 1);
	assert_string_equal(log_line(f, key)->what, "failed");
	assert_non_null(strstr(log_line(f, key)->text, "(exit 3)"));
	r2.task_id = (char *)"b";
	r2.attempt = 1;
	r2.started_at = r.started_at + 2000;
	r2.status = (char *)"running";
	assert_int_equal(run_store_insert(f->writer, &r2, &err), 0);
	assert_int_equal(event_store_add(f->writer, "task.paused", "c", "paused",
	    &err), 0);
	refresh(f, 1);
	assert_int_equal(f->m.nlog, 3);
	snprintf(key, sizeof key, "r%lld", (long long)r2.id);
	assert_non_null(log_line(f, key));
	assert_string_equal(log_line(f, key)->subject, "b");
	assert_int_equal(f->m.log[0].is_run + f->m.log[1].is_run +
	    f->m.log[2].is_run, 2);
	for (size_t i = 1; i < f->m.nlog; i++)	/* newest first */
		assert_true(f->m.log[i - 1].at >= f->m.log[i].at);
}

/* The display order after patches (only the changed rows move) is the
 * order a full sort gives, for every column and both directions, while
 * rows change their times, statuses and ties many times over. */
static void
test_resort_matches_full_sort(void **state)
{
	struct fixture *f = *state;
	unsigned seed = 7;

	for (int i = 0; i < 300; i++) {
		char *sql = xasprintf("INSERT INTO tasks (id, name, func_path, "
		    "trigger, next_run, last_run, enabled, status, created_at, "
		    "updated_at) VALUES ('t%03d', 'T', 'exec:x', 'interval', %s, "
		    "%d, %d, 's%d', 1, 100)", i, i % 7 == 0 ? "NULL" :
		    (i % 5 == 0 ? "1000" : "2000 + abs(random() % 500)"), i % 3 * 10,
		    i % 11 != 0, i % 4);

		exec_ok(f->writer, sql);
		free(sql);
	}
	for (int col = 0; col < UI_TSORT_COUNT * 2; col++) {
		f->m.sort_col = col % UI_TSORT_COUNT;
		f->m.sort_rev = col >= UI_TSORT_COUNT;
		if (f->m.loaded)
			model_tasks_sort(&f->m);
		refresh(f, !f->m.loaded);
		for (int round = 0; round < 10; round++) {
			size_t *patched;

			for (int k = 0; k < 6; k++) {
				char *sql;

				seed = seed * 1103515245u + 12345u;
				sql = xasprintf("UPDATE tasks SET next_run = %s, "
				    "last_run = %u, status = 's%u', updated_at = %d "
				    "WHERE id = 't%03u'", seed % 9 == 0 ? "NULL" :
				    (seed % 4 == 0 ? "1000" : "2000 + abs(random() % 500)"),
				    seed % 40, seed % 5, 1000 + col * 100 + round * 10 + k,
				    (seed >> 8) % 300);
				exec_ok(f->writer, sql);
				free(sql);
			}
			refresh(f, 1);
			patched = xmalloc(f->m.ntasks * sizeof *patched);
			memcpy(patched, f->m.order, f->m.ntasks * sizeof *patched);
			model_tasks_sort(&f->m);
			assert_memory_equal(patched, f->m.order,
			    f->m.ntasks * sizeof *patched);
			free(patched);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patched_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_older_time_and_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_log_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resort_matches_full_sort, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_log_follows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
