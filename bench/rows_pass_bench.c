/* rows_pass_bench.c - the loop's thread CPU time for the deferred task
 * rows of NTASKS (150,000) tasks: the rows timer's callback, then each
 * of 40 flushes after it (sched_rows_cb, sched_flush_later_cb), the
 * real history writer on a real SQLite file (BUSY=1: the writer was
 * behind when the timer came).  Built from test_sched_rows.c's fixture;
 * not in `make`: from a built tree,
 *   gcc -DHAVE_CONFIG_H -I. -Itests/unit -Isrc -Isrc/core -Isrc/store \
 *     -Isrc/trigger -Isrc/plugins -Isrc/tasks -Isrc/engine -std=gnu11 -O2 \
 *     -o rows_pass_bench bench/rows_pass_bench.c src/libmgr.a -lsqlite3 \
 *     -lconfig -ljansson -lseccomp -lev -lm -lcmocka -lpthread
 * (-DOLD for a tree before the rows pass).  BENCHMARKS.md, "The loop's
 * longest iterations at 150,000 tasks". */
#include "testutil.h"
#include "db.h"
#include "log.h"
#include "manager.h"
#include "sched_int.h"
#include "sched_writer.h"

#include <ev.h>

/* More than two flushes' worth. */
#define NTASKS 150000

struct fixture {
	char *dir, *path;
	struct mgr_db *db;
	struct mgr mgr;
	struct scheduler s;
	struct stask **t;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct mgr_error err = { 0 };
	struct scheduler *s = &f->s;

	f->dir = tmpdir_new();
	f->path = xasprintf("%s/m.db", f->dir);
	f->mgr.log.level = LOG_LVL_ERROR;
	assert_int_equal(db_open(f->path, &f->db, &err), 0);	/* the schema */
	s->mgr = &f->mgr;
	s->loop = ev_loop_new(EVFLAG_AUTO);
	s->epoch = ev_now(s->loop);
	assert_int_equal(sched_writer_new(f->path, &f->mgr.log, NULL, NULL,
	    &s->writer, &err), 0);
	ev_timer_init(&s->rows, sched_rows_cb, TASK_ROW_EVERY_S, 0);
	s->rows.data = s;
	ev_timer_init(&s->flush_later, sched_flush_later_cb, 0, 0);
	s->flush_later.data = s;
	/* Tasks whose rows were just written, then deferred as a flush
	 * defers them (task_row_can_wait): newest first. */
	f->t = xcalloc(NTASKS, sizeof *f->t);
	for (size_t i = 0; i < NTASKS; i++) {
		struct task_rec row = { 0 };
		char id[32];
		struct stask *t;

		snprintf(id, sizeof id, "t%06zu", i);
		row.id = id;
		row.func_path = (char *)"exec:/bin/true";
		t = f->t[i] = task_alloc(&row);
		t->rec.enabled = 1;
		t->written_status = task_status(t);
		t->written_cs = sched_cs(s, ev_now(s->loop));
		t->deferred = 1;
		t->deferred_next = s->deferred;
		s->deferred = t;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = &f->s;

	ev_timer_stop(s->loop, &s->rows);
	ev_timer_stop(s->loop, &s->flush_later);
	sched_writer_free(s->writer);
	ev_loop_destroy(s->loop);
	for (size_t i = 0; i < NTASKS; i++)
		free(f->t[i]);
	free(f->t);
	db_close(f->db);
	tmpdir_free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* The task rows the writer got since *seen, once it has written all it
 * was handed. */
static uint64_t
rows_written(struct scheduler *s, uint64_t *seen)
{
	struct sched_writer_stats st;
	uint64_t n;

	sched_writer_sync(s->writer);
	sched_writer_stats(s->writer, &st);
	n = st.task_rows - *seen;
	*seen = st.task_rows;
	return n;
}

#include <time.h>
static int64_t tcpu(void){struct timespec ts;clock_gettime(CLOCK_THREAD_CPUTIME_ID,&ts);return (int64_t)ts.tv_sec*1000000+ts.tv_nsec/1000;}
/* CPU of the timer's callback and of each flush after it, until the
 * pass is over: the writer idle (forced) or busy. */
static void
bench(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = &f->s;
	uint64_t seen = 0, total = 0;
	int64_t c, max = 0, sum = 0;
	int calls = 0;
	s->writer_busy = getenv("BUSY") != NULL;
	c = tcpu();
	sched_rows_cb(s->loop, &s->rows, 0);
	c = tcpu() - c; max = c; sum = c; calls = 1;
	total = rows_written(s, &seen);
	for (int k = 0; k < 40; k++) {
		c = tcpu();
		sched_flush_later_cb(s->loop, &s->flush_later, 0);
		c = tcpu() - c;
		if (c > max) max = c;
		sum += c; calls++;
		total += rows_written(s, &seen);
	}
	printf("tasks=%d busy=%d rows=%llu callbacks=%d max_cpu_us=%lld sum_cpu_us=%lld\n",
	    NTASKS, s->writer_busy, (unsigned long long)total, calls, (long long)max, (long long)sum);
#ifndef OLD
	s->rows_pass = NULL;
#endif
	s->deferred = NULL;
}
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bench, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
