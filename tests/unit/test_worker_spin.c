/* test_worker_spin.c - the spin before sleep of the worker channel
 * (src/core/spin.h), on both ends: the real manager-run worker, spoken
 * to as the engine does, and the engine's runner with a real libev loop.
 * Calls one after another come back in order with the right answers
 * (with the plugin's state queries in between, and with requests sent
 * ahead); a call after a pause far longer than the spin's bound is
 * answered (the blocking path); and a worker, or the engine's loop, left
 * idle after a call sleeps: next to no CPU and no context switches (the
 * worker), no turns of the loop (the engine), where a spin that never
 * stopped takes a CPU, or switches at each yield on a busy machine.  No
 * timing is asserted: the CPU bound is a quarter of the wall time, where
 * a working spin takes a few hundredths of it at most. */
#include "testutil.h"
#include "manager.h"
#include "procstat.h"
#include "runner.h"
#include "runner_int.h"
#include "sandbox.h"
#include "spin.h"

#include <ev.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static char *
top_path(const char *rel)
{
	const char *top = getenv("top_builddir");

	return xasprintf("%s/%s", top != NULL ? top : ".", rel);
}

static double
now_s(void)
{
	return (double)spin_now_ns() / 1e9;
}

/* The worker, driven directly. */

struct wk {
	char *dir;
	pid_t pid;
	int req, rep, out, err;
	struct strbuf in;
};

static int
wk_setup(void **state)
{
	struct wk *w = xcalloc(1, sizeof *w);
	struct mgr_error err = { 0 };
	char *run = top_path("manager-run");
	char *lib = top_path("data/plugins/hello/hello.so"), *db;
	char *argv[] = { run, "worker", "--db", NULL, "--lib", lib, "--id",
	    "hello", "--output-max=4096", NULL };

	w->dir = tmpdir_new();
	db = xasprintf("%s/manager.db", w->dir);
	argv[3] = db;
	if (sandbox_spawn_worker(argv, &w->pid, &w->req, &w->rep, &w->out,
	    &w->err, &err) != 0)
		fail_msg("%s", err.msg);
	free(run);
	free(lib);
	free(db);
	*state = w;
	return 0;
}

static int
wk_teardown(void **state)
{
	struct wk *w = *state;

	close(w->req);		/* EOF: the worker exits */
	waitpid(w->pid, NULL, 0);
	close(w->rep);
	close(w->out);
	close(w->err);
	strbuf_free(&w->in);
	tmpdir_free(w->dir);
	free(w);
	return 0;
}

static void
wk_send(struct wk *w, unsigned seq, const char *func, const char *name)
{
	struct strbuf body = STRBUF_INIT;

	strbuf_addf(&body, "%u", seq);
	strbuf_add(&body, "\0" "0\0", 3);
	strbuf_add(&body, func, strlen(func) + 1);
	if (name != NULL) {
		strbuf_addf(&body, "name=%s", name);
		strbuf_add(&body, "", 1);
	}
	assert_int_equal(send_framed(w->req, body.buf, body.len), 0);
	strbuf_free(&body);
}

/* Drops n bytes from the front of the input. */
static void
wk_consume(struct wk *w, size_t n)
{
	memmove(w->in.buf, w->in.buf + n, w->in.len - n);
	w->in.len -= n;
}

/* Answers a state query as an engine with no state would: get "none",
 * set "done"; a log line needs no answer.  0: not a whole query yet. */
static int
wk_answer(struct wk *w)
{
	char kind, *nl = memchr(w->in.buf, '\n', w->in.len);
	size_t a, b, need;
	const char *ans;

	if (nl == NULL)
		return 0;
	assert_int_equal(sscanf(w->in.buf, "Q %c %zu %zu", &kind, &a, &b), 3);
	need = (size_t)(nl - w->in.buf) + 1 + (kind == 'l' ? b : a + b);
	if (w->in.len < need)
		return 0;
	wk_consume(w, need);
	ans = kind == 'g' ? "A 1 0\n" : kind == 's' ? "A 0 0\n" : NULL;
	if (ans != NULL)
		assert_int_equal(write(w->req, ans, strlen(ans)),
		    (ssize_t)strlen(ans));
	return 1;
}

/* The next reply: its seq, code and output (malloc'd); the worker's
 * queries before it are answered.  Fails after 30 s without one. */
static void
wk_reply(struct wk *w, unsigned *seq, int *rc, char **out)
{
	char buf[4096], *nl;
	size_t errlen, outlen, head;
	ssize_t n;

	for (;;) {
		if (w->in.len > 0 && w->in.buf[0] == 'Q' && wk_answer(w))
			continue;
		if (w->in.len > 0 && w->in.buf[0] == 'R' &&
		    (nl = memchr(w->in.buf, '\n', w->in.len)) != NULL) {
			assert_int_equal(sscanf(w->in.buf, "R %u %d %zu %zu",
			    seq, rc, &errlen, &outlen), 4);
			head = (size_t)(nl - w->in.buf) + 1;
			if (w->in.len >= head + errlen + outlen) {
				*out = xstrndup(w->in.buf + head + errlen, outlen);
				wk_consume(w, head + errlen + outlen);
				return;
			}
		}
		if (!spin_readable(w->rep, SPIN_WAIT_US)) {
			struct pollfd p = { w->rep, POLLIN, 0 };

			if (poll(&p, 1, 30000) != 1)
				fail_msg("no reply from the worker in 30 s");
		}
		n = read(w->rep, buf, sizeof buf);
		if (n == 0)
			fail_msg("the worker closed its reply pipe");
		if (n > 0)
			strbuf_add(&w->in, buf, (size_t)n);
	}
}

/* One greet call: its reply must be its own, with its name. */
static void
wk_greet(struct wk *w, unsigned seq)
{
	char name[32], *want, *out = NULL;
	unsigned got;
	int rc;

	snprintf(name, sizeof name, "n%u", seq);
	wk_send(w, seq, "greet", name);
	wk_reply(w, &got, &rc, &out);
	want = xasprintf("Hello, %s!\n", name);
	assert_int_equal(got, seq);
	assert_int_equal(rc, 0);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

static void
test_calls_back_to_back_in_order(void **state)
{
	struct wk *w = *state;
	char *out;
	unsigned got;
	int rc;

	for (unsigned i = 1; i <= 2000; i++)
		wk_greet(w, i);
	/* Requests sent ahead of their replies: the worker keeps what it
	 * read past the request it serves. */
	for (unsigned i = 3001; i <= 3100; i++)
		wk_send(w, i, "noop", NULL);
	for (unsigned i = 3001; i <= 3100; i++) {
		wk_reply(w, &got, &rc, &out);
		assert_int_equal(got, i);
		assert_int_equal(rc, 0);
		free(out);
	}
	wk_greet(w, 4000);
}

/* The worker spun for its bound, found nothing, and went to sleep in
 * read(): the next call still wakes it. */
static void
test_call_after_pause(void **state)
{
	struct wk *w = *state;
	struct timespec pause = { 0, 200 * 1000 * 1000 };	/* 4,000 bounds */

	wk_greet(w, 1);
	nanosleep(&pause, NULL);
	wk_greet(w, 2);
	nanosleep(&pause, NULL);
	wk_greet(w, 3);
}

/* An idle worker sleeps: next to no CPU (a spin that never stopped
 * takes the whole of a CPU on an idle machine) and next to no context
 * switches (on a busy one, where it would get less CPU, it would switch
 * at each sched_yield). */
static void
test_idle_worker_sleeps(void **state)
{
	struct wk *w = *state;
	struct timespec second = { 1, 0 };
	double c0, c1, t0, wall;
	unsigned long s0, s1;

	for (unsigned i = 1; i <= 100; i++)
		wk_greet(w, i);
	c0 = procstat_group(w->pid, &s0);
	t0 = now_s();
	nanosleep(&second, NULL);
	c1 = procstat_group(w->pid, &s1);
	wall = now_s() - t0;
	print_message("# idle worker: %.3f s of CPU, %lu context switches in "
	    "%.3f s\n", c1 - c0, s1 - s0, wall);
	assert_true(c1 - c0 < wall / 4);
	assert_true(s1 - s0 < 100);
	wk_greet(w, 101);
}

/* The engine's end: runs through the runner on a real loop. */

struct fixture {
	char *dir, *lib;
	struct mgr *mgr;
	struct runner *r;
	int left, succeeded;
	char error[256];
};

static int
eng_setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct conf_source src = { 0 };
	char *conf, *text, *run = top_path("manager-run");

	f->dir = tmpdir_new();
	f->lib = top_path("data/plugins/hello/hello.so");
	setenv("MANAGER_RUN", run, 1);
	conf = xasprintf("%s/m.conf", f->dir);
	text = xasprintf("manager: { log_level = \"error\"; data_directory = "
	    "\"%s\"; sandboxing = true; };\n", f->dir);
	write_text(conf, text);
	src.config_arg = conf;
	assert_int_equal(mgr_open(&src, &f->mgr, NULL), 0);
	assert_int_equal(mgr_open_db(f->mgr, NULL), 0);	/* the worker's --db */
	f->mgr->loop = ev_default_loop(0);
	f->r = runner_new(f->mgr, NULL);
	free(conf);
	free(text);
	free(run);
	*state = f;
	return 0;
}

static int
eng_teardown(void **state)
{
	struct fixture *f = *state;

	runner_free(f->r);
	mgr_close(f->mgr);
	tmpdir_free(f->dir);
	free(f->lib);
	free(f);
	return 0;
}

static void eng_start(struct fixture *f);

/* Each run's end starts the next: calls one after another into the
 * same worker, as a busy engine makes them. */
static void
eng_done(struct run_outcome *o, void *arg)
{
	struct fixture *f = arg;

	if (strcmp(o->status, "succeeded") == 0)
		f->succeeded++;
	else if (o->error != NULL)
		snprintf(f->error, sizeof f->error, "%s", o->error);
	run_outcome_clear(o);
	if (--f->left > 0)
		eng_start(f);
	else
		ev_break(f->mgr->loop, EVBREAK_ALL);
}

static void
eng_start(struct fixture *f)
{
	struct run_spec spec = { .task_id = "t", .func_path = "hello:noop",
	    .umask = -1 };

	assert_int_equal(runner_worker_start(f->r, &spec, "hello", "noop",
	    f->lib, 1, eng_done, f), 0);
}

static void
too_long_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)t;
	(void)revents;
	fail_msg("runs not done after 60 s");
}

static void
eng_runs(struct fixture *f, int n)
{
	ev_timer t;

	f->left = n;
	f->succeeded = 0;
	ev_timer_init(&t, too_long_cb, 60, 0);
	ev_timer_start(f->mgr->loop, &t);
	eng_start(f);
	ev_run(f->mgr->loop, 0);
	ev_timer_stop(f->mgr->loop, &t);
	if (f->succeeded != n)
		print_message("# last error: %s\n", f->error);
	assert_int_equal(f->succeeded, n);
}

static void
idle_end_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* The loop with nothing but a timer 1 s away: the CPU of this process
 * and the loop's iterations (libev's count: one that sleeps goes round
 * once or twice, one that spins thousands of times, whatever its share
 * of a busy machine's CPU). */
static double
eng_idle(struct fixture *f, double *wall, unsigned *turns)
{
	double c0 = procstat_self_cpu_s(), t0 = now_s();
	unsigned i0 = ev_iteration(f->mgr->loop);
	ev_timer t;

	ev_timer_init(&t, idle_end_cb, 1, 0);
	ev_timer_start(f->mgr->loop, &t);
	ev_run(f->mgr->loop, 0);
	*wall = now_s() - t0;
	*turns = ev_iteration(f->mgr->loop) - i0;
	return procstat_self_cpu_s() - c0;
}

static void
test_engine_runs_then_idle(void **state)
{
	struct fixture *f = *state;
	double cpu, wall;
	unsigned turns;

	eng_runs(f, 500);
	cpu = eng_idle(f, &wall, &turns);
	print_message("# idle loop: %.3f s of CPU, %u turns in %.3f s\n", cpu,
	    turns, wall);
	assert_true(cpu < wall / 4);
	assert_true(turns < 100);
	eng_runs(f, 3);		/* after the pause: the blocking path */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_calls_back_to_back_in_order,
		    wk_setup, wk_teardown),
		cmocka_unit_test_setup_teardown(test_call_after_pause,
		    wk_setup, wk_teardown),
		cmocka_unit_test_setup_teardown(test_idle_worker_sleeps,
		    wk_setup, wk_teardown),
		cmocka_unit_test_setup_teardown(test_engine_runs_then_idle,
		    eng_setup, eng_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
