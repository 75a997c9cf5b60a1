/* test_sched_rows.c - the deferred task rows (a task firing often whose
 * status does not change) are looked at again and written a bounded
 * number per flush, never all in one loop iteration: at 150,000 tasks
 * due every second the timer that handed them all over at once took
 * the loop 63-80 ms of CPU.  Counted, not timed: the task rows each
 * flush hands the history writer (its stats, the real writer thread on
 * a real SQLite file), and the tasks each flush takes off the pass. */
#include "testutil.h"
#include "db.h"
#include "log.h"
#include "manager.h"
#include "sched_int.h"
#include "sched_writer.h"

#include <ev.h>

/* More than two flushes' worth. */
#define NTASKS (2 * TASK_ROWS_PASS + 100)

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
		t->written = task_status_code(task_status(t));
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

static size_t
list_len(const struct stask *t)
{
	size_t n = 0;

	for (; t != NULL; t = t->deferred_next)
		n++;
	return n;
}

/* The writer has nothing waiting: every deferred row is written, once,
 * at most TASK_ROWS_PASS a callback (the timer's, then each
 * flush's).  Before, the timer's callback handed all NTASKS in one
 * batch. */
static void
test_rows_written_in_slices(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = &f->s;
	uint64_t seen = 0, total, n;
	int flushes = 0;

	sched_rows_cb(s->loop, &s->rows, 0);
	total = n = rows_written(s, &seen);
	assert_true(n <= TASK_ROWS_PASS);
	while (total < NTASKS) {
		assert_true(++flushes <= NTASKS / TASK_ROWS_PASS + 1);
		sched_flush_later_cb(s->loop, &s->flush_later, 0);
		n = rows_written(s, &seen);
		assert_true(n > 0);
		assert_true(n <= TASK_ROWS_PASS);
		total += n;
	}
	assert_int_equal(total, NTASKS);
	/* Every row once: nothing more to write, nothing left deferred. */
	sched_flush_later_cb(s->loop, &s->flush_later, 0);
	assert_int_equal(rows_written(s, &seen), 0);
	assert_null(s->rows_pass);
	assert_null(s->deferred);
	for (size_t i = 0; i < NTASKS; i++)
		assert_false(f->t[i]->deferred);
}

/* The writer was behind when the timer came: rows that may wait longer
 * (TASK_ROW_BUSY_S; here, with the writer idle at the flushes,
 * TASK_ROW_EVERY_S, and they were written just now) wait again.  Each
 * flush looks at TASK_ROWS_PASS of them at most, writes none, and
 * every task ends deferred again, once, with the timer armed. */
static void
test_rows_wait_again_in_slices(void **state)
{
	struct fixture *f = *state;
	struct scheduler *s = &f->s;
	uint64_t seen = 0;
	size_t left = NTASKS, now_left;
	int flushes = 0;

	s->writer_busy = 1;
	sched_rows_cb(s->loop, &s->rows, 0);
	assert_false(s->rows_pass_force);
	assert_int_equal(list_len(s->rows_pass), NTASKS);
	while (s->rows_pass != NULL) {
		assert_true(++flushes <= NTASKS / TASK_ROWS_PASS + 1);
		sched_flush_later_cb(s->loop, &s->flush_later, 0);
		now_left = list_len(s->rows_pass);
		assert_true(left - now_left > 0);
		assert_true(left - now_left <= TASK_ROWS_PASS);
		left = now_left;
	}
	assert_int_equal(rows_written(s, &seen), 0);
	assert_int_equal(list_len(s->deferred), NTASKS);
	assert_true(ev_is_active(&s->rows));
	/* A timer that comes while a pass goes on leaves it be. */
	s->rows_pass = s->deferred;
	s->deferred = NULL;
	sched_rows_cb(s->loop, &s->rows, 0);
	assert_int_equal(list_len(s->rows_pass), NTASKS);
	assert_null(s->deferred);
	assert_true(ev_is_active(&s->rows));
	s->rows_pass = NULL;	/* the tasks are the fixture's to free */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_written_in_slices,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_wait_again_in_slices,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
