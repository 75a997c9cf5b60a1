/* console_bench.c - how fast the console builds and draws a frame with
 * 10,000 tasks and 100 plugins, and what following the database costs
 * while 100 runs a second arrive.
 *
 * Draws through a real ncurses screen (newterm) writing to /dev/null, so
 * formatting, ncurses' diffing and the terminal output are all counted.
 * Usage: console_bench [SECONDS [TICKS]]   (default 5 s for the live
 * part, 0 skips it; 40 ticks of 25 runs each for the frames while runs
 * arrive) */
#include "ui.h"
#include "sqlite/sqlite_int.h"	/* the SQLite backend under test */
#include "db.h"
#include "store.h"
#include "util.h"

#include "nc_fns.h"
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTASKS 10000
#define NPLUGINS 100
#define RUNS_PER_SECOND 100

/* CPU time of this process: on a shared machine wall time would count
 * other processes' turns. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void
die(const char *what, const struct mgr_error *err)
{
	fprintf(stderr, "console_bench: %s: %s\n", what, err != NULL ? err->msg : "");
	exit(1);
}

static void
seed(struct mgr_db *db)
{
	struct mgr_error err = { 0 };
	int64_t now = mgr_now_us();
	sqlite3_stmt *st;

	if (db_begin(db, &err) != 0)
		die("begin", &err);
	if (db_prepare(db, "INSERT INTO plugins (id, name, version, enabled, "
	    "installed_at, path, state, updated_at) VALUES (printf('plugin%03d', ?1), "
	    "'Plugin', '1.0.0', 1, ?2, '/nonexistent', 'enabled', ?2)", &st, &err) != 0)
		die("prepare", &err);
	for (int i = 0; i < NPLUGINS; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert plugin", NULL);
		sqlite3_reset(st);
	}
	if (db_prepare(db, "INSERT INTO tasks (id, name, func_path, trigger, "
	    "trigger_args, next_run, last_run, status, created_at, updated_at) "
	    "VALUES (printf('task%05d', ?1), printf('Task number %d', ?1), "
	    "'exec:/bin/true', 'interval', '{\"minutes\":\"5\"}', ?2 + ?1 * 1000000, "
	    "?2 - 60000000, 'succeeded', ?2, ?2)", &st, &err) != 0)
		die("prepare", &err);
	for (int i = 0; i < NTASKS; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int64(st, 2, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("insert task", NULL);
		sqlite3_reset(st);
	}
	if (db_commit(db, &err) != 0)
		die("commit", &err);
}

/* Run n as the scheduler writes it: an insert, a task status update, a
 * finish and another status update. */
static void
write_run(struct mgr_db *db, int n)
{
	struct mgr_error err = { 0 };
	char id[32];
	struct run_rec r = { 0 };
	int64_t t = mgr_now_us();

	snprintf(id, sizeof id, "task%05d", (n * 7919) % NTASKS);
	r.task_id = id;
	r.attempt = 1;
	r.started_at = t;
	r.status = (char *)"running";
	if (run_store_insert(db, &r, &err) != 0 ||
	    task_store_set_status(db, id, "running", t, t + 300000000, 0, &err) != 0)
		die("writer", &err);
	r.ended_at = t + 1000;
	r.status = (char *)"succeeded";
	r.exit_code = 0;
	if (run_store_finish(db, &r, &err) != 0 ||
	    task_store_set_status(db, id, "succeeded", t, t + 300000000, 0, &err) != 0)
		die("writer", &err);
}

/* A scheduler stand-in in a child process, 100 runs a second. */
static void
writer(const char *path, double seconds)
{
	struct mgr_error err = { 0 };
	struct mgr_db *db;
	double start = wall_s(), next = start;
	int n = 0;

	if (db_open(path, &db, &err) != 0)
		die("writer open", &err);
	while (wall_s() - start < seconds) {
		write_run(db, n);
		n++;
		next += 1.0 / RUNS_PER_SECOND;
		if (next > wall_s())
			usleep((useconds_t)((next - wall_s()) * 1e6));
	}
	db_close(db);
	_exit(0);
}

static void
ui_setup(struct ui *ui, struct mgr_db *db)
{
	memset(ui, 0, sizeof *ui);
	ui->db = db;
	ui->panes[PANE_PLUGINS].ops = &pane_plugins_ops;
	ui->panes[PANE_TASKS].ops = &pane_tasks_ops;
	ui->panes[PANE_LOG].ops = &pane_log_ops;
	ui->focus = PANE_TASKS;
	ui->utf8 = 1;
	ui->colors = has_colors();
	getmaxyx(stdscr, ui->rows, ui->cols);
	ui_layout(ui);
}

static void
full_load(struct ui *ui)
{
	struct mgr_error err = { 0 };
	int changed;

	if (model_refresh(&ui->model, ui->db, 1, &changed, &err) != 0)
		die("model", &err);
	for (int i = 0; i < PANE_COUNT; i++)
		pane_rebuild(ui, &ui->panes[i]);
}

/* One live tick as the console's timer does it; adds the CPU time of
 * reading the database and of drawing to t[0] and t[1]. */
static void
tick(struct ui *ui, double t[2])
{
	struct mgr_error err = { 0 };
	double t0 = now_s();
	int changed;

	if (model_refresh(&ui->model, ui->db, 0, &changed, &err) != 0)
		die("model", &err);
	if (changed) {
		for (int i = 0; i < PANE_COUNT; i++)
			pane_rebuild(ui, &ui->panes[i]);
	}
	t[0] += now_s() - t0;
	t0 = now_s();
	ui_draw(ui);
	t[1] += now_s() - t0;
}

static void
bench_frames(struct ui *ui, FILE *report)
{
	const int n = 50;
	double t0, load = 0, draw_full = 0, draw_diff = 0;

	for (int i = 0; i < n; i++) {
		t0 = now_s();
		full_load(ui);
		load += now_s() - t0;
		t0 = now_s();
		clearok(curscr, TRUE);	/* worst case: repaint every cell */
		ui_draw(ui);
		draw_full += now_s() - t0;
		pane_move(&ui->panes[PANE_TASKS], 1);
		t0 = now_s();
		ui_draw(ui);		/* typical: one selection moved */
		draw_diff += now_s() - t0;
	}
	fprintf(report, "| load %d tasks + %d plugins + log (3 queries) | %.2f ms |\n",
	    NTASKS, NPLUGINS, load / n * 1e3);
	fprintf(report, "| draw a full frame, every cell repainted | %.2f ms |\n",
	    draw_full / n * 1e3);
	fprintf(report, "| draw after moving the selection (ncurses diff) | %.2f ms |\n",
	    draw_diff / n * 1e3);
	fprintf(report, "| build and draw a full frame (load + full draw) | %.2f ms |\n",
	    (load + draw_full) / n * 1e3);
}

static void
bench_live(struct ui *ui, const char *path, double seconds, FILE *report)
{
	double start, cpu0, cpu, t[2] = { 0, 0 };
	pid_t pid;
	int ticks = 0, status;

	pid = fork();
	if (pid == 0)
		writer(path, seconds);
	cpu0 = cpu_s();
	start = wall_s();
	while (wall_s() - start < seconds) {
		usleep(250000);
		tick(ui, t);
		ticks++;
	}
	cpu = cpu_s() - cpu0;
	waitpid(pid, &status, 0);
	fprintf(report, "| following the database, %d runs/s arriving (%d ticks of 250 ms, "
	    "%.2f ms CPU each) | %.1f %% of one core |\n", RUNS_PER_SECOND, ticks,
	    cpu / ticks * 1e3, cpu / (wall_s() - start) * 100);
	fprintf(report, "| of which, per tick: reading the changes | %.2f ms |\n",
	    t[0] / ticks * 1e3);
	fprintf(report, "| of which, per tick: drawing | %.2f ms |\n", t[1] / ticks * 1e3);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The frame of a tick while 100 runs a second arrive, without the
 * noise of a second process: before each tick, the 25 runs of 250 ms
 * are written through a connection of their own (as the scheduler's),
 * then the tick reads and draws; each frame's CPU time is kept and the
 * median reported.  Deterministic enough for callgrind
 * (--toggle-collect=tick counts the ticks only). */
static void
bench_ticks(struct ui *ui, const char *path, int nticks, FILE *report)
{
	struct mgr_error err = { 0 };
	struct mgr_db *w;
	double *frame = xcalloc((size_t)nticks, sizeof *frame);
	double *rd = xcalloc((size_t)nticks, sizeof *rd);
	double *dr = xcalloc((size_t)nticks, sizeof *dr);
	int run = 0;

	if (db_open(path, &w, &err) != 0)
		die("writer open", &err);
	for (int i = 0; i < nticks; i++) {
		double t[2] = { 0, 0 };

		for (int k = 0; k < RUNS_PER_SECOND / 4; k++)
			write_run(w, run++);
		tick(ui, t);
		rd[i] = t[0];
		dr[i] = t[1];
		frame[i] = t[0] + t[1];
	}
	db_close(w);
	fprintf(report, "| a frame while %d runs/s arrive (%d ticks, each after "
	    "%d runs; median) | %.3f ms |\n", RUNS_PER_SECOND, nticks,
	    RUNS_PER_SECOND / 4, median(frame, nticks) * 1e3);
	fprintf(report, "| of which reading the changes (median) | %.3f ms |\n",
	    median(rd, nticks) * 1e3);
	fprintf(report, "| of which drawing (median) | %.3f ms |\n",
	    median(dr, nticks) * 1e3);
	free(frame);
	free(rd);
	free(dr);
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 5;
	int nticks = argc > 2 ? atoi(argv[2]) : 40;
	char dir[] = "/tmp/console-bench.XXXXXX", *path;
	struct mgr_error err = { 0 };
	struct mgr_db *db;
	struct ui ui;
	FILE *out, *in;
	SCREEN *screen;

	setlocale(LC_ALL, "C.UTF-8");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", NULL);
	path = xasprintf("%s/bench.db", dir);
	if (db_open(path, &db, &err) != 0)
		die("open", &err);
	seed(db);
	/* A 200x50 xterm that writes to /dev/null. */
	setenv("LINES", "50", 1);
	setenv("COLUMNS", "200", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (nc_fns_load(&err) != 0)
		die("ncurses", &err);
	if ((screen = newterm("xterm-256color", out, in)) == NULL)
		die("newterm", NULL);
	ui_setup(&ui, db);
	printf("| measure (%dx%d terminal) | result |\n|---|---|\n", ui.cols, ui.rows);
	bench_frames(&ui, stdout);
	if (seconds > 0)
		bench_live(&ui, path, seconds, stdout);
	if (nticks > 0)
		bench_ticks(&ui, path, nticks, stdout);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	model_free(&ui.model);
	for (int i = 0; i < PANE_COUNT; i++) {
		free(ui.panes[i].rows);
		free(ui.panes[i].sel_id);
	}
	db_close(db);
	unlink(path);
	free(path);
	{
		char *wal = xasprintf("%s/bench.db-wal", dir), *shm = xasprintf("%s/bench.db-shm", dir);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
	}
	rmdir(dir);
	return 0;
}
