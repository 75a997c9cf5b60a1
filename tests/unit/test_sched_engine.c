/* test_sched_engine.c - the scheduler inside a live libev loop: changes
 * made through the task manager while it runs (pause, resume, reschedule,
 * run now, remove during a run) and a clean shutdown. Real SQLite, real
 * child processes. */
#include "testutil.h"
#include "engine.h"
#include "manager.h"
#include "scheduler.h"

#include <ev.h>

struct fixture {
	char *dir;
	struct mgr *mgr;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct conf_source src = { 0 };
	char *conf, *db, *text;
	FILE *fp;

	f->dir = tmpdir_new();
	if (getenv("top_builddir") != NULL) {
		char *helper = xasprintf("%s/manager-run", getenv("top_builddir"));
		setenv("MANAGER_RUN", helper, 1);
		free(helper);
		helper = xasprintf("%s/manager-exec", getenv("top_builddir"));
		setenv("MANAGER_EXEC", helper, 1);
		free(helper);
	}
	conf = xasprintf("%s/m.conf", f->dir);
	db = xasprintf("%s/m.db", f->dir);
	text = xasprintf("manager: { retry_backoff_base = 0; log_level = \"error\";"
	    " tasks_directory = \"%s/tasks\"; shutdown_grace_seconds = 1; };\n",
	    f->dir);
	fp = fopen(conf, "w");
	fputs(text, fp);
	fclose(fp);
	src.config_arg = conf;
	src.db_arg = db;
	assert_int_equal(mgr_open(&src, &f->mgr, NULL), 0);
	engine_wire(f->mgr);
	assert_int_equal(mgr_open_db(f->mgr, NULL), 0);
	f->mgr->loop = ev_default_loop(0);
	free(conf);
	free(db);
	free(text);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	mgr_close(f->mgr);
	tmpdir_free(f->dir);
	free(f);
	return 0;
}

static void
stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

/* Runs the loop for secs from now: the loop's cached time is that of its
 * last turn, before the test's own work since, which would shorten it. */
static void
run_loop(struct mgr *mgr, double secs)
{
	ev_timer t;

	ev_now_update(mgr->loop);
	ev_timer_init(&t, stop_cb, secs, 0);
	ev_timer_start(mgr->loop, &t);
	ev_run(mgr->loop, 0);
	ev_timer_stop(mgr->loop, &t);
}

/* Runs the loop until no run is in flight, 60 s at most: a fixed wait
 * is too short for "sleep 0.3" on a loaded machine under ASan (10 s was
 * too short beside test_runner_spawn's 3,000 ASan spawns, at load 400
 * on a machine whose page faults cost 100 us). */
static void
run_until_idle(struct mgr *mgr)
{
	for (int i = 0; i < 1200 && scheduler_running_count(mgr) > 0; i++)
		run_loop(mgr, 0.05);
	assert_int_equal(scheduler_running_count(mgr), 0);
}

static size_t
count_runs(struct mgr *mgr, const char *id)
{
	struct run_rec *v;
	size_t n;

	scheduler_sync_history(mgr);
	assert_int_equal(run_store_list(mgr->db, id, 0, 100000, &v, &n, NULL), 0);
	run_recs_free(v, n);
	return n;
}

/* Runs the loop until id has at least min runs, 60 s at most (a loaded
 * machine under ASan starts fewer runs in a fixed window); their count. */
static size_t
run_until_runs(struct mgr *mgr, const char *id, size_t min)
{
	size_t n = count_runs(mgr, id);

	for (int i = 0; i < 1200 && n < min; i++) {
		run_loop(mgr, 0.05);
		n = count_runs(mgr, id);
	}
	return n;
}

static void
add_task(struct mgr *mgr, const char *id, const char *func, const char *field)
{
	const char *fields[] = { field };
	struct task_rec t;
	struct mgr_error err = { 0 };

	task_rec_init(&t);
	t.id = xstrdup(id);
	t.func_path = xstrdup(func);
	t.trigger = xstrdup("interval");
	t.max_retries = 0;
	if (taskmgr_add(mgr, &t, fields, 1, &err) != 0)
		fail_msg("%s", err.msg);
	task_rec_clear(&t);
}

static int shutdown_done;

static void
on_shutdown(struct mgr *mgr)
{
	shutdown_done = 1;
	ev_break(mgr->loop, EVBREAK_ALL);
}

static void
test_live_changes(void **state)
{
	struct fixture *f = *state;
	struct mgr *mgr = f->mgr;
	struct task_rec t;
	size_t n1, n2;

	assert_int_equal(scheduler_start(mgr, NULL), 0);
	add_task(mgr, "a", "exec:true", "seconds=0.2");
	n1 = run_until_runs(mgr, "a", 2);
	assert_true(n1 >= 2);

	assert_int_equal(taskmgr_pause(mgr, "a", NULL), 0);
	run_loop(mgr, 0.1);		/* a run started before may end */
	n1 = count_runs(mgr, "a");
	run_loop(mgr, 0.5);
	assert_int_equal(count_runs(mgr, "a"), n1);
	assert_int_equal(taskmgr_get(mgr, "a", &t, NULL), 0);
	assert_string_equal(t.status, "paused");
	assert_int_equal(t.next_run, 0);
	task_rec_clear(&t);

	assert_int_equal(taskmgr_resume(mgr, "a", NULL), 0);
	n2 = run_until_runs(mgr, "a", n1 + 1);
	assert_true(n2 > n1);

	/* Reschedule: every 10 s now, so no run in the next half second. */
	assert_int_equal(taskmgr_get(mgr, "a", &t, NULL), 0);
	assert_int_equal(taskmgr_modify(mgr, &t, (const char *const []){
	    "seconds=10" }, 1, NULL), 0);
	task_rec_clear(&t);
	run_loop(mgr, 0.1);
	n2 = count_runs(mgr, "a");
	run_loop(mgr, 0.4);
	assert_int_equal(count_runs(mgr, "a"), n2);

	/* Run now; a second run now while it runs is refused. A run of "a"
	 * started just before the reschedule may still be in flight on a
	 * loaded machine under ASan (CI saw 2 running here): wait it out so
	 * that the count below is the one of "slow". */
	run_until_idle(mgr);
	add_task(mgr, "slow", "exec:sleep 0.3", "seconds=60");
	assert_int_equal(scheduler_run_now(mgr, "slow", NULL), 0);
	assert_int_equal(scheduler_run_now(mgr, "slow", NULL), MGR_ECONFLICT);
	assert_int_equal(scheduler_running_count(mgr), 1);
	run_until_idle(mgr);
	assert_int_equal(count_runs(mgr, "slow"), 1);

	/* Removed while running: the run ends, the engine runs on. */
	assert_int_equal(scheduler_run_now(mgr, "slow", NULL), 0);
	assert_int_equal(taskmgr_remove(mgr, "slow", NULL), 0);
	run_until_idle(mgr);
	assert_int_equal(count_runs(mgr, "slow"), 0);

	assert_int_equal(scheduler_run_now(mgr, "a", NULL), 0);
	scheduler_shutdown(mgr, 1, on_shutdown);
	if (!shutdown_done)
		ev_run(mgr->loop, 0);
	assert_true(shutdown_done);
	scheduler_free(mgr);
	assert_null(mgr->sched);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_live_changes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
