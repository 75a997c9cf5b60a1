/* sched_bench.c - dispatch benchmark of the scheduler.
 *
 *	sched_bench --mode MODE --tasks N --seconds D --config FILE --db FILE
 *
 * MODE: inproc (noop:noop on the worker pool, sandboxing = false),
 * sandbox (noop:noop in manager-run), exec (exec:/bin/true through
 * manager-run), exec-direct (exec:/bin/true, sandboxing = false).
 * N interval tasks due every second, their start times spread evenly
 * over one second, are created in one transaction (bench/run writes the
 * configuration and installs the noop plugin with the manager binary); the scheduler runs D
 * seconds on the default loop; every run is in the history, from which
 * the lateness (start minus scheduled time) is read.  One line of
 * key=value results goes to stdout.
 */
#include "engine.h"
#include "manager.h"
#include "sqlite/sqlite_int.h"	/* the SQLite backend under test */
#include "plugins.h"
#include "scheduler.h"
#include "timefmt.h"
#include "util.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define US INT64_C(1000000)

struct opts {
	const char *mode, *config, *db;
	long tasks;
	double seconds;
};

static void
die(const char *what, const struct mgr_error *err)
{
	fprintf(stderr, "sched_bench: %s: %s\n", what, err != NULL ? err->msg : "");
	exit(1);
}

static void
parse(int argc, char **argv, struct opts *o)
{
	o->mode = "inproc";
	o->tasks = 1000;
	o->seconds = 5;
	o->config = o->db = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--mode") == 0)
			o->mode = argv[i + 1];
		else if (strcmp(argv[i], "--tasks") == 0)
			o->tasks = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			o->seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--config") == 0)
			o->config = argv[i + 1];
		else if (strcmp(argv[i], "--db") == 0)
			o->db = argv[i + 1];
	}
	if (o->config == NULL || o->db == NULL || o->tasks <= 0)
		die("usage: --mode MODE --tasks N --seconds D --config FILE --db FILE", NULL);
}

static struct mgr *
open_mgr(const struct opts *o)
{
	struct conf_source src = { .config_arg = o->config, .db_arg = o->db };
	struct mgr_error err = { 0 };
	struct mgr *mgr;

	if (mgr_open(&src, &mgr, &err) != 0)
		die("open", &err);
	engine_wire(mgr);
	if (mgr_open_db(mgr, &err) != 0)
		die("open", &err);
	if (getenv("BENCH_PRAGMA") != NULL)
		sqlite3_exec(db_handle(mgr->db), getenv("BENCH_PRAGMA"), NULL, NULL, NULL);
	return mgr;
}

/* The N tasks, in one transaction. */
static void
load_tasks(struct mgr *mgr, const struct opts *o, const char *func)
{
	struct mgr_error err = { 0 };
	int64_t base = (mgr_now_us() / US + 2) * US;
	char start[TIMEFMT_ISO_MAX], field[TIMEFMT_ISO_MAX + 16];
	const char *fields[2] = { "seconds=1", field };

	if (db_begin(mgr->db, &err) != 0)
		die("begin", &err);
	for (long i = 0; i < o->tasks; i++) {
		struct task_rec t;
		task_rec_init(&t);
		t.id = xasprintf("b%07ld", i);
		t.func_path = xstrdup(func);
		t.trigger = xstrdup("interval");
		t.max_retries = 0;
		t.misfire_grace_time = 60;
		t.source = xstrdup("bench");
		snprintf(field, sizeof field, "start_date=%s", timefmt_iso(start,
		    sizeof start, base + i * US / o->tasks, NULL));
		if (task_prepare(&t, fields, 2, &err) != 0 ||
		    task_store_create(mgr->db, &t, &err) != 0)
			die("task", &err);
		task_rec_clear(&t);
	}
	if (db_commit(mgr->db, &err) != 0)
		die("commit", &err);
}

static void
stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Lateness of every run started in the window, from the history. */
static void
report(struct mgr *mgr, const struct opts *o, double load_s, double start_s,
       int64_t from, int64_t to, const struct rusage *ru0)
{
	sqlite3_stmt *st;
	int64_t *v = NULL;
	size_t n = 0, cap = 0, bad = 0;
	struct rusage self, kids;

	sqlite3_prepare_v2(db_handle(mgr->db), "SELECT started_at - scheduled_at, "
	    "status FROM runs WHERE scheduled_at >= ?1 AND scheduled_at < ?2",
	    -1, &st, NULL);
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap)
			v = xrealloc(v, (cap = cap ? cap * 2 : 4096) * sizeof *v);
		v[n++] = sqlite3_column_int64(st, 0);
		bad += strcmp((const char *)sqlite3_column_text(st, 1), "succeeded") != 0;
	}
	sqlite3_finalize(st);
	if (n > 0)
		qsort(v, n, sizeof *v, cmp64);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("mode=%s tasks=%ld load_s=%.3f start_s=%.3f window_s=%.1f runs=%zu "
	    "not_succeeded=%zu fires_per_s=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	    "cpu_s=%.2f child_cpu_s=%.2f peak_rss_mb=%.1f\n",
	    o->mode, o->tasks, load_s, start_s, (double)(to - from) / 1e6, n, bad,
	    (double)n / ((double)(to - from) / 1e6),
	    n ? (double)v[n / 2] / 1e3 : 0, n ? (double)v[n * 99 / 100] / 1e3 : 0,
	    n ? (double)v[n - 1] / 1e3 : 0,
	    (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec -
	    ru0->ru_utime.tv_sec - ru0->ru_stime.tv_sec) +
	    (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec -
	    ru0->ru_utime.tv_usec - ru0->ru_stime.tv_usec) / 1e6,
	    (double)(kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	    (double)(kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) / 1e6,
	    (double)self.ru_maxrss / 1024);
	free(v);
}

static void
shutdown_done(struct mgr *mgr)
{
	ev_break(mgr->loop, EVBREAK_ALL);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct mgr *mgr;
	struct mgr_error err = { 0 };
	struct rusage ru0;
	const char *func;
	int64_t t0, t1, t2, from, to;
	ev_timer stop;

	parse(argc, argv, &o);
	mgr = open_mgr(&o);
	func = strncmp(o.mode, "exec", 4) == 0 ? "exec:/bin/true" : "noop:noop";
	if (getenv("BENCH_FUNC") != NULL)	/* e.g. a command that prints */
		func = getenv("BENCH_FUNC");
	t0 = mgr_mono_us();
	load_tasks(mgr, &o, func);
	t1 = mgr_mono_us();
	mgr->loop = ev_default_loop(0);
	if (strcmp(o.mode, "inproc") == 0 && plugins_start(mgr, &err) != 0)
		die("plugins_start", &err);
	getrusage(RUSAGE_SELF, &ru0);
	if (scheduler_start(mgr, &err) != 0)
		die("scheduler_start", &err);
	t2 = mgr_mono_us();
	/* Measure whole seconds after the first full second of fires. */
	from = (mgr_now_us() / US + 2) * US;
	to = from + (int64_t)(o.seconds * 1e6);
	ev_now_update(mgr->loop);
	ev_timer_init(&stop, stop_cb, (double)(to - mgr_now_us()) / 1e6 + 0.3, 0);
	ev_timer_start(mgr->loop, &stop);
	ev_run(mgr->loop, 0);
	scheduler_shutdown(mgr, 5, shutdown_done);
	if (mgr->sched != NULL && scheduler_running_count(mgr) > 0)
		ev_run(mgr->loop, 0);
	scheduler_free(mgr);
	plugins_stop(mgr);
	report(mgr, &o, (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6, from, to,
	    &ru0);
	mgr_close(mgr);
	return 0;
}
