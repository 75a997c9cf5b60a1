/* console_log_bench.c - how long the console takes to open a run's page
 * (its row, and the last 5000 lines of its log), with the console's own
 * code (details_open of VIEW_RUN), as Enter on the run does.
 * Usage: console_log_bench CONFIG DB RUN_ID [TIMES]   (bench/console-log.sh
 * makes the log and runs it.)  Prints each open's wall time in ms, then
 * the median (wall time, and CPU time: on a shared machine the wall time
 * counts other processes' turns too). */
#include "ui.h"
#include "manager.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct conf_source src = { 0 };
	struct mgr_error err = { 0 };
	struct mgr *mgr;
	struct ui ui;
	int times = argc > 4 ? atoi(argv[4]) : 3;
	double t[64], c[64];

	if (argc < 4 || times < 1 || times > 64) {
		fprintf(stderr, "usage: console_log_bench CONFIG DB RUN_ID [TIMES]\n");
		return 2;
	}
	src.config_arg = argv[1];
	src.db_arg = argv[2];
	if (mgr_open(&src, &mgr, &err) != 0 || mgr_open_db(mgr, &err) != 0) {
		fprintf(stderr, "console_log_bench: %s\n", err.msg);
		return 1;
	}
	memset(&ui, 0, sizeof ui);
	ui.mgr = mgr;
	ui.db = mgr->db;
	ui.rows = 50;
	ui.cols = 200;
	for (int i = 0; i < times; i++) {
		double t0 = wall_ms(), c0 = cpu_ms();

		details_open(&ui, VIEW_RUN, argv[3]);
		t[i] = wall_ms() - t0;
		c[i] = cpu_ms() - c0;
		printf("open %d: %.2f ms (%.2f ms CPU), %zu lines\n", i + 1, t[i],
		    c[i], ui.view.nlines);
		view_close(&ui);
	}
	qsort(t, (size_t)times, sizeof t[0], cmp_double);
	qsort(c, (size_t)times, sizeof c[0], cmp_double);
	printf("median of %d opens: %.2f ms (%.2f ms CPU)\n", times,
	    t[times / 2], c[times / 2]);
	mgr_close(mgr);
	return 0;
}
