/* test_sched_writer.c - the history writer beside the loop's own
 * connection: a batch's write of a task row that the loop wrote after the
 * batch was submitted is dropped, so a pause is never undone by an older
 * run state and the loop need not wait for the writer before it writes.
 * Real SQLite, the real writer thread. */
#include "testutil.h"
#include "db.h"
#include "log.h"
#include "sched_writer.h"
#include "store.h"

#include <pthread.h>

struct fixture {
	char *dir, *path;
	struct mgr_db *db;		/* the loop's connection */
	struct sched_writer *w;
	struct mgr_log log;
};

static void
row_changed(void *arg, const char *id)
{
	sched_writer_row_changed(arg, id);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct mgr_error err = { 0 };
	struct task_rec t;

	f->dir = tmpdir_new();
	f->path = xasprintf("%s/m.db", f->dir);
	f->log.level = LOG_LVL_ERROR;
	assert_int_equal(db_open(f->path, &f->db, &err), 0);
	task_rec_init(&t);
	t.id = (char *)"a";
	t.func_path = (char *)"exec:/bin/true";
	t.trigger = (char *)"interval";
	t.trigger_args = (char *)"{\"seconds\":\"60\"}";
	t.status = (char *)"scheduled";
	assert_int_equal(task_store_create(f->db, &t, &err), 0);
	assert_int_equal(sched_writer_new(f->path, &f->log, NULL, NULL, &f->w,
	    &err), 0);
	db_on_task_write(f->db, row_changed, f->w);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	sched_writer_free(f->w);
	db_close(f->db);
	tmpdir_free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* A batch writing task a's run state. */
static struct write_batch *
state_batch(const char *status, int64_t last_run)
{
	struct write_batch *b = xcalloc(1, sizeof *b);

	b->tasks = xcalloc(1, sizeof *b->tasks);
	b->ntasks = 1;
	b->tasks[0] = (struct task_write){ xstrdup("a"), status, last_run,
	    last_run + 60000000, last_run + 60000000 };
	return b;
}

static char *
status_of(struct fixture *f, int64_t *last_run)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	char *s;

	assert_int_equal(task_store_read(f->db, "a", &t, &err), 0);
	s = xstrdup(t.status);
	*last_run = t.last_run;
	task_rec_clear(&t);
	return s;
}

/* The loop pauses a while a batch that says "running" waits (the loop's
 * transaction holds the lock, so the writer cannot have written it):
 * the pause stands. */
static void
test_older_write_dropped(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct task_rec t;
	int64_t last;
	char *s;

	assert_int_equal(db_begin(f->db, &err), 0);
	sched_writer_submit(f->w, state_batch("running", 1000000));
	assert_int_equal(task_store_read(f->db, "a", &t, &err), 0);
	free(t.status);
	t.status = xstrdup("paused");
	t.enabled = 0;
	assert_int_equal(task_store_update(f->db, &t, &err), 0);
	task_rec_clear(&t);
	assert_int_equal(db_commit(f->db, &err), 0);
	sched_writer_sync(f->w);
	s = status_of(f, &last);
	assert_string_equal(s, "paused");
	free(s);

	/* A batch submitted after the loop's write is newer: written. */
	sched_writer_submit(f->w, state_batch("succeeded", 3000000));
	sched_writer_sync(f->w);
	s = status_of(f, &last);
	assert_string_equal(s, "succeeded");
	assert_int_equal(last, 3000000);
	free(s);
}

/* With no batch pending, a write elsewhere leaves nothing behind: the
 * next batch is written. */
static void
test_nothing_pending(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct task_rec t;
	int64_t last;
	char *s;

	assert_int_equal(task_store_read(f->db, "a", &t, &err), 0);
	assert_int_equal(task_store_update(f->db, &t, &err), 0);
	task_rec_clear(&t);
	sched_writer_submit(f->w, state_batch("failed", 2000000));
	sched_writer_sync(f->w);
	s = status_of(f, &last);
	assert_string_equal(s, "failed");
	assert_int_equal(last, 2000000);
	free(s);
}

static int notified;		/* counted under notified_lock */
static pthread_mutex_t notified_lock = PTHREAD_MUTEX_INITIALIZER;

static void
count_notify(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&notified_lock);
	notified++;
	pthread_mutex_unlock(&notified_lock);
}

static int
notified_count(void)
{
	int n;

	pthread_mutex_lock(&notified_lock);
	n = notified;
	pthread_mutex_unlock(&notified_lock);
	return n;
}

/* A writer held up (the loop's transaction holds the lock) with more
 * batches than the limit: sched_writer_over says so at once, without
 * waiting, and the writer tells (notify) once it is back under, so the
 * loop holds back new fires instead of waiting for a commit. */
static void
test_over_notifies(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct sched_writer *w;

	assert_int_equal(sched_writer_new(f->path, &f->log, count_notify, NULL,
	    &w, &err), 0);
	assert_int_equal(db_begin(f->db, &err), 0);
	for (int i = 0; i < 3; i++)
		sched_writer_submit(w, state_batch("succeeded", 1000000 + i));
	assert_int_equal(sched_writer_over(w, 3), 0);
	assert_int_equal(sched_writer_over(w, 1), 1);
	assert_int_equal(notified_count(), 0);	/* nothing committed yet */
	assert_int_equal(db_commit(f->db, &err), 0);
	sched_writer_sync(w);
	assert_int_equal(notified_count(), 1);
	assert_int_equal(sched_writer_over(w, 1), 0);
	/* Asked once, told once: a later commit says nothing. */
	sched_writer_submit(w, state_batch("succeeded", 2000000));
	sched_writer_sync(w);
	assert_int_equal(notified_count(), 1);
	sched_writer_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_older_write_dropped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nothing_pending, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_over_notifies, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
