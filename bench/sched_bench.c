/* sched_bench.c - dispatch benchmark of the scheduler.
 *
 *	sched_bench --mode MODE --tasks N --seconds D [--warmup W]
 *		    --config FILE --db FILE
 *
 * MODE: inproc (noop:noop on the worker pool, sandboxing = false),
 * sandbox (noop:noop in manager-run), exec (exec:/bin/true through
 * manager-run), exec-direct (exec:/bin/true, sandboxing = false).
 * N interval tasks due every second, their start times spread evenly
 * over one second, are created in one transaction (bench/run writes the
 * configuration and installs the noop plugin with the manager binary).
 * Only then are their first fire times set (two seconds ahead), so the
 * loading never makes the first fires late; the scheduler starts, runs
 * W seconds of warm-up (5), then the window of D seconds that is
 * measured.  What counts:
 *  - asked: N fire times per second of the window;
 *  - runs: fire times of the window that ran and succeeded, from the
 *    history (fires_per_s is these over D, never skipped rows);
 *  - skipped, missed, interrupted, failed: the history's other rows;
 *  - not_run: asked minus the window's rows: fire times of the window
 *    that were coalesced, overrun or dropped (they leave no row), or still
 *    waiting when the window ended;
 *  - coalesced, overrun, dropped: the scheduler's own counts of such
 *    fire times (scheduler_fire_counts) while the window ran, whatever
 *    their scheduled time (a late wake-up folds times of the warm-up);
 *  - lateness (start minus scheduled time) of the runs: p50, p99, max;
 *  - the longest loop stall: the longest time from the loop's wake-up
 *    to its next wait (every callback of one iteration, the history
 *    hand-off included), and how many iterations took over 10 ms;
 *    beside it the loop thread's CPU time in its longest iteration by
 *    CPU (stall_cpu_max_ms), which other processes' load does not
 *    inflate as it does wall time (a thread waiting for a core is a
 *    stall of the wall clock, not of the loop's work).
 * One line of key=value results goes to stdout.  BENCH_STALL_LOG=MS
 * adds a comment line for each of the window's first STALL_LOG_MAX
 * iterations that took the loop thread over MS ms of CPU: its start (CLOCK_MONOTONIC, as `perf record
 * -k CLOCK_MONOTONIC` stamps samples), wall and CPU time, voluntary
 * (a wait: a lock, I/O) and involuntary (preempted) context switches.
 */
#define _GNU_SOURCE		/* RUSAGE_THREAD */
#include "engine.h"
#include "manager.h"
#include "sqlite/sqlite_int.h"	/* the SQLite backend under test */
#include "plugins.h"
#include "sched_writer.h"
#include "scheduler.h"
#include "timefmt.h"
#include "util.h"

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define US INT64_C(1000000)

struct opts {
	const char *mode, *config, *db;
	long tasks;
	double seconds, warmup;
};

#define STALL_LOG_MAX 1000

/* One iteration of over BENCH_STALL_LOG ms of the loop thread's CPU. */
struct stall_rec {
	int64_t at, wall, cpu;		/* mono µs, µs, µs */
	long vcsw, ivcsw;
};

/* The loop's longest iteration inside the window. */
struct stall {
	ev_prepare before_wait;
	ev_check after_wait;
	int64_t woke, from, to;		/* mono µs; from/to: the window */
	int64_t max, over10;
	int64_t cpu_max;		/* the longest by the thread's CPU */
	struct rusage ru;		/* the thread's, at the wake-up */
	int64_t log_us;			/* BENCH_STALL_LOG, or 0 */
	struct stall_rec log[STALL_LOG_MAX];
	size_t nlog, nlog_over;
};

static int64_t
ru_cpu_us(const struct rusage *ru)
{
	return (int64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * US +
	    ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
}

/* What the window saw. */
struct window {
	int64_t from, to;		/* wall µs */
	struct sched_fire_counts c0, c1;
	struct sched_writer_stats w0, w1, wprev;	/* the history writer's */
	ev_timer begin, tick;
	int64_t ticks;
	struct mgr *mgr;
};

/* The writer's counts between two readings, per commit, as KEY=VALUE
 * fields after `prefix` (a line of the result, or a comment line for a
 * part of the window): what a commit costs as the history grows. */
static void
print_writer(const char *prefix, const struct sched_writer_stats *a,
	     const struct sched_writer_stats *b, double secs)
{
	double c = (double)(b->commits - a->commits);
	double per = c > 0 ? c : 1;

	printf("%s commits_per_s=%.1f runs_per_commit=%.0f "
	    "task_rows_per_commit=%.0f pages_per_commit=%.0f "
	    "spilled_per_commit=%.0f misses_per_commit=%.0f "
	    "write_ms_per_commit=%.2f commit_ms_per_commit=%.2f "
	    "commit_ms_max=%.1f writer_busy=%.2f checkpoints=%llu "
	    "checkpoint_ms=%.0f cpu_us_per_run=%.2f\n", prefix, c / secs,
	    (double)(b->runs - a->runs) / per,
	    (double)(b->task_rows - a->task_rows) / per,
	    (double)(b->pages_written - a->pages_written) / per,
	    (double)(b->pages_spilled - a->pages_spilled) / per,
	    (double)(b->cache_misses - a->cache_misses) / per,
	    (double)(b->write_us - a->write_us) / 1e3 / per,
	    (double)(b->commit_us - a->commit_us) / 1e3 / per,
	    (double)b->commit_us_max / 1e3,
	    (double)(b->write_us - a->write_us + b->checkpoint_us -
	    a->checkpoint_us) / 1e6 / secs,
	    (unsigned long long)(b->checkpoints - a->checkpoints),
	    (double)(b->checkpoint_us - a->checkpoint_us) / 1e3,
	    (double)(b->cpu_us - a->cpu_us) / (double)(b->runs - a->runs > 0 ?
	    b->runs - a->runs : 1));
}

#define TICK_S 10

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct window *win = w->data;
	struct sched_writer_stats now;
	char prefix[64];

	(void)loop;
	(void)revents;
	scheduler_writer_stats(win->mgr, &now);
	win->ticks++;
	snprintf(prefix, sizeof prefix, "# writer t=%llds",
	    (long long)(win->ticks * TICK_S));
	print_writer(prefix, &win->wprev, &now, TICK_S);
	fflush(stdout);
	win->wprev = now;
}

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
	o->warmup = 5;
	o->config = o->db = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--mode") == 0)
			o->mode = argv[i + 1];
		else if (strcmp(argv[i], "--tasks") == 0)
			o->tasks = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--seconds") == 0)
			o->seconds = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--warmup") == 0)
			o->warmup = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--config") == 0)
			o->config = argv[i + 1];
		else if (strcmp(argv[i], "--db") == 0)
			o->db = argv[i + 1];
	}
	if (o->config == NULL || o->db == NULL || o->tasks <= 0)
		die("usage: --mode MODE --tasks N --seconds D [--warmup W] "
		    "--config FILE --db FILE", NULL);
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

/* The N tasks, in one transaction, anchored an hour back (whole seconds,
 * so the anchor's fraction is task i's place in the second). */
static void
load_tasks(struct mgr *mgr, const struct opts *o, const char *func)
{
	struct mgr_error err = { 0 };
	int64_t base = (mgr_now_us() / US - 3600) * US;
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

/* Once every task is loaded, their first fire times: two whole seconds
 * ahead, spread over the second as their anchors are. */
static void
set_first_fires(struct mgr *mgr, const struct opts *o)
{
	sqlite3_stmt *st;
	int64_t base = (mgr_now_us() / US + 2) * US;

	if (sqlite3_prepare_v2(db_handle(mgr->db), "UPDATE tasks SET next_run = "
	    "?1 + CAST(substr(id, 2) AS INTEGER) * 1000000 / ?2, next_nominal = 0",
	    -1, &st, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db_handle(mgr->db)), NULL);
	sqlite3_bind_int64(st, 1, base);
	sqlite3_bind_int64(st, 2, o->tasks);
	if (sqlite3_step(st) != SQLITE_DONE)
		die(sqlite3_errmsg(db_handle(mgr->db)), NULL);
	sqlite3_finalize(st);
}

static void
woke_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct stall *st = w->data;

	(void)loop;
	(void)revents;
	st->woke = mgr_mono_us();
	getrusage(RUSAGE_THREAD, &st->ru);
}

static void
waits_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct stall *st = w->data;
	int64_t now = mgr_mono_us(), cpu;
	struct rusage ru;

	(void)loop;
	(void)revents;
	/* Every iteration that overlaps the window counts, also one that
	 * began before it (a loop blocked all along has one long stall). */
	if (st->woke == 0 || now < st->from || st->woke > st->to)
		return;
	getrusage(RUSAGE_THREAD, &ru);
	cpu = ru_cpu_us(&ru) - ru_cpu_us(&st->ru);
	if (cpu > st->cpu_max)
		st->cpu_max = cpu;
	if (now - st->woke > st->max)
		st->max = now - st->woke;
	st->over10 += now - st->woke > 10000;
	if (st->log_us > 0 && cpu > st->log_us &&
	    st->nlog_over++ < STALL_LOG_MAX)
		st->log[st->nlog++] = (struct stall_rec){ st->woke,
		    now - st->woke, cpu, ru.ru_nvcsw - st->ru.ru_nvcsw,
		    ru.ru_nivcsw - st->ru.ru_nivcsw };
}

static void
stall_print(const struct stall *st)
{
	for (size_t i = 0; i < st->nlog; i++)
		printf("# stall at=%.6f wall_ms=%.2f cpu_ms=%.2f vcsw=%ld "
		    "ivcsw=%ld\n", (double)st->log[i].at / 1e6,
		    (double)st->log[i].wall / 1e3, (double)st->log[i].cpu / 1e3,
		    st->log[i].vcsw, st->log[i].ivcsw);
	if (st->nlog_over > st->nlog)
		printf("# stall: %zu more over %.1f ms of CPU\n", st->nlog_over -
		    st->nlog, (double)st->log_us / 1e3);
}

/* Its check runs first after a wake-up, its prepare last before a wait. */
static void
stall_start(struct ev_loop *loop, struct stall *st)
{
	ev_check_init(&st->after_wait, woke_cb);
	ev_set_priority(&st->after_wait, EV_MAXPRI);
	st->after_wait.data = st;
	ev_check_start(loop, &st->after_wait);
	ev_prepare_init(&st->before_wait, waits_cb);
	ev_set_priority(&st->before_wait, EV_MINPRI);
	st->before_wait.data = st;
	ev_prepare_start(loop, &st->before_wait);
}

static void
window_begin_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct window *win = w->data;

	(void)revents;
	scheduler_fire_counts(win->mgr, &win->c0);
	scheduler_writer_stats(win->mgr, &win->w0);
	win->wprev = win->w0;
	ev_timer_init(&win->tick, tick_cb, TICK_S, TICK_S);
	win->tick.data = win;
	ev_timer_start(loop, &win->tick);
}

static void
stop_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct window *win = w->data;

	(void)revents;
	scheduler_fire_counts(win->mgr, &win->c1);
	scheduler_writer_stats(win->mgr, &win->w1);
	ev_timer_stop(loop, &win->tick);
	ev_break(loop, EVBREAK_ALL);
}

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The history's rows of the window by status; v: lateness of the runs
 * that succeeded, sorted. */
struct rows {
	int64_t *v;
	size_t n, cap;
	size_t skipped, missed, interrupted, other;
};

static void
read_rows(struct mgr *mgr, const struct window *win, struct rows *r)
{
	sqlite3_stmt *st;

	memset(r, 0, sizeof *r);
	sqlite3_prepare_v2(db_handle(mgr->db), "SELECT started_at - scheduled_at, "
	    "status FROM runs WHERE scheduled_at >= ?1 AND scheduled_at < ?2",
	    -1, &st, NULL);
	sqlite3_bind_int64(st, 1, win->from);
	sqlite3_bind_int64(st, 2, win->to);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *status = (const char *)sqlite3_column_text(st, 1);

		if (strcmp(status, "succeeded") == 0) {
			if (r->n == r->cap)
				r->v = xrealloc(r->v, (r->cap = r->cap ? r->cap * 2 :
				    4096) * sizeof *r->v);
			r->v[r->n++] = sqlite3_column_int64(st, 0);
		} else if (strcmp(status, "skipped") == 0)
			r->skipped++;
		else if (strcmp(status, "missed") == 0)
			r->missed++;
		else if (strcmp(status, "interrupted") == 0)
			r->interrupted++;
		else
			r->other++;
	}
	sqlite3_finalize(st);
	if (r->n > 0)
		qsort(r->v, r->n, sizeof *r->v, cmp64);
}

/* Why runs of the window did not succeed, beyond a skip: the three most
 * common errors, as comment lines under the result (a failed run under
 * overload is a defect to look at, and the bench's folder is gone after
 * it). */
static void
report_errors(struct mgr *mgr, const struct window *win)
{
	sqlite3_stmt *st;

	sqlite3_prepare_v2(db_handle(mgr->db), "SELECT status, "
	    "coalesce(error, ''), count(*) FROM runs WHERE scheduled_at >= ?1 "
	    "AND scheduled_at < ?2 AND status NOT IN ('succeeded', 'skipped') "
	    "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 3", -1, &st, NULL);
	sqlite3_bind_int64(st, 1, win->from);
	sqlite3_bind_int64(st, 2, win->to);
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("# %s %lld: %.200s\n", sqlite3_column_text(st, 0),
		    (long long)sqlite3_column_int64(st, 2),
		    sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
}

static double
cpu_s(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
	    (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

static void
report(struct mgr *mgr, const struct opts *o, const double setup_s[3],
       const struct window *win, const struct stall *stall,
       const struct rusage *ru0)
{
	struct rows r;
	struct rusage self, kids;
	double secs = (double)(win->to - win->from) / 1e6;
	int64_t asked = (int64_t)(o->tasks * secs + 0.5);
	uint64_t coal = win->c1.coalesced - win->c0.coalesced;
	uint64_t over = win->c1.overrun - win->c0.overrun;
	uint64_t drop = win->c1.dropped - win->c0.dropped;
	size_t n;

	read_rows(mgr, win, &r);
	n = r.n;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("mode=%s tasks=%ld load_s=%.3f prep_s=%.3f start_s=%.3f "
	    "warmup_s=%.1f "
	    "window_s=%.1f asked=%lld runs=%zu fires_per_s=%.0f skipped=%zu "
	    "missed=%zu interrupted=%zu failed=%zu not_run=%lld coalesced=%llu "
	    "overrun=%llu dropped=%llu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	    "stall_max_ms=%.1f stalls_over_10ms=%lld stall_cpu_max_ms=%.1f "
	    "cpu_s=%.2f child_cpu_s=%.2f "
	    "peak_rss_mb=%.1f\n",
	    o->mode, o->tasks, setup_s[0], setup_s[1], setup_s[2], o->warmup,
	    secs, (long long)asked,
	    n, (double)n / secs, r.skipped, r.missed, r.interrupted, r.other,
	    (long long)(asked - (int64_t)(n + r.skipped + r.missed +
	    r.interrupted + r.other)), (unsigned long long)coal,
	    (unsigned long long)over, (unsigned long long)drop,
	    n ? (double)r.v[n / 2] / 1e3 : 0, n ? (double)r.v[n * 99 / 100] / 1e3 : 0,
	    n ? (double)r.v[n - 1] / 1e3 : 0, (double)stall->max / 1e3,
	    (long long)stall->over10, (double)stall->cpu_max / 1e3,
	    cpu_s(&self) - cpu_s(ru0), cpu_s(&kids),
	    (double)self.ru_maxrss / 1024);
	free(r.v);
	print_writer("writer", &win->w0, &win->w1, secs);
	stall_print(stall);
	if (r.missed + r.interrupted + r.other > 0)
		report_errors(mgr, win);
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
	struct stall *stall = xcalloc(1, sizeof *stall);	/* its log */
	struct window win = { 0 };
	const char *func;
	int64_t t0, t1, t2, t3;
	double setup_s[3];
	ev_timer stop;

	parse(argc, argv, &o);
	mgr = open_mgr(&o);
	func = strncmp(o.mode, "exec", 4) == 0 ? "exec:/bin/true" : "noop:noop";
	if (getenv("BENCH_FUNC") != NULL)	/* e.g. a command that prints */
		func = getenv("BENCH_FUNC");
	t0 = mgr_mono_us();
	load_tasks(mgr, &o, func);
	t1 = mgr_mono_us();
	set_first_fires(mgr, &o);
	/* A state a start must settle, e.g. rows past the tasks' next fire
	 * times (BENCHMARKS.md, the start's read of the rows past them). */
	if (getenv("BENCH_START_SQL") != NULL &&
	    sqlite3_exec(db_handle(mgr->db), getenv("BENCH_START_SQL"), NULL,
	    NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db_handle(mgr->db)), NULL);
	mgr->loop = ev_default_loop(0);
	if (strcmp(o.mode, "inproc") == 0 && plugins_start(mgr, &err) != 0)
		die("plugins_start", &err);
	getrusage(RUSAGE_SELF, &ru0);
	/* start_s is the scheduler's own start (issue 18's "start"), not
	 * this bench's first fire times or the plugins' load (prep_s). */
	t2 = mgr_mono_us();
	if (scheduler_start(mgr, &err) != 0)
		die("scheduler_start", &err);
	t3 = mgr_mono_us();
	/* Whole seconds, from the first whole second after the warm-up. */
	win.mgr = mgr;
	win.from = (mgr_now_us() + (int64_t)(o.warmup * 1e6)) / US * US + US;
	win.to = win.from + (int64_t)(o.seconds * 1e6);
	stall->from = mgr_mono_us() + (win.from - mgr_now_us());
	stall->to = stall->from + (win.to - win.from);
	if (getenv("BENCH_STALL_LOG") != NULL)
		stall->log_us = (int64_t)(atof(getenv("BENCH_STALL_LOG")) * 1e3);
	stall_start(mgr->loop, stall);
	ev_now_update(mgr->loop);
	ev_timer_init(&win.begin, window_begin_cb,
	    (double)(win.from - mgr_now_us()) / 1e6, 0);
	win.begin.data = &win;
	ev_timer_start(mgr->loop, &win.begin);
	ev_timer_init(&stop, stop_cb, (double)(win.to - mgr_now_us()) / 1e6 + 0.3, 0);
	stop.data = &win;
	ev_timer_start(mgr->loop, &stop);
	ev_run(mgr->loop, 0);
	waits_cb(mgr->loop, &stall->before_wait, 0);	/* one still going */
	ev_prepare_stop(mgr->loop, &stall->before_wait);
	ev_check_stop(mgr->loop, &stall->after_wait);
	scheduler_shutdown(mgr, 5, shutdown_done);
	if (mgr->sched != NULL && scheduler_running_count(mgr) > 0)
		ev_run(mgr->loop, 0);
	scheduler_free(mgr);
	plugins_stop(mgr);
	setup_s[0] = (double)(t1 - t0) / 1e6;
	setup_s[1] = (double)(t2 - t1) / 1e6;
	setup_s[2] = (double)(t3 - t2) / 1e6;
	report(mgr, &o, setup_s, &win, stall, &ru0);
	free(stall);
	mgr_close(mgr);
	return 0;
}
