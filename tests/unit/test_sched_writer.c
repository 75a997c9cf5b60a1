/* test_sched_writer.c - the history writer beside the loop's own
 * connection: a batch's write of a task row that the loop wrote after the
 * batch was submitted is dropped, so a pause is never undone by an older
 * run state and the loop need not wait for the writer before it writes.
 * Real SQLite, the real writer thread. */
#include "testutil.h"
#include "sqlite/sqlite_int.h"	/* db_handle: the rows' order */
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

static void
add_task_row(struct mgr_db *db, const char *id)
{
	struct mgr_error err = { 0 };
	struct task_rec t;

	task_rec_init(&t);
	t.id = (char *)id;
	t.func_path = (char *)"exec:/bin/true";
	t.trigger = (char *)"interval";
	t.trigger_args = (char *)"{\"seconds\":\"60\"}";
	assert_int_equal(task_store_create(db, &t, &err), 0);
}

/* A run of a batch (id: the engine's; running_row: its end). */
static void
batch_run(struct write_batch *b, int64_t id, const char *task, int64_t at,
	  const char *status, int running_row)
{
	struct run_rec *r;

	b->runs = xrealloc(b->runs, (b->nruns + 1) * sizeof *b->runs);
	r = &b->runs[b->nruns++];
	memset(r, 0, sizeof *r);
	r->id = id;
	r->task_id = xstrdup(task);
	r->attempt = 1;
	r->scheduled_at = at;
	r->started_at = at + 1;
	r->ended_at = strcmp(status, "running") != 0 ? at + 2 : 0;
	r->status = xstrdup(status);
	r->exit_code = -1;
	r->running_row = running_row;
}

static char *
sql_text(struct mgr_db *db, const char *sql)
{
	sqlite3_stmt *st;
	char *s;

	assert_int_equal(sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	s = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return s;
}

/* The writer inserts a transaction's runs in the order of the unique
 * key led by the fire time (fire time, task), not in the order they
 * ended, so that they go in at the key's right edge; a run's `running`
 * row and its end, in two batches, still come in turn (the end wins). */
static void
test_runs_in_key_order(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct write_batch *b1 = xcalloc(1, sizeof *b1);
	struct write_batch *b2 = xcalloc(1, sizeof *b2);
	char *s;

	add_task_row(f->db, "b");
	add_task_row(f->db, "c");
	assert_int_equal(db_exec(f->db, "CREATE TABLE inserted (n INTEGER "
	    "PRIMARY KEY, run INTEGER); CREATE TRIGGER runs_inserted AFTER "
	    "INSERT ON runs BEGIN INSERT INTO inserted (run) VALUES (new.id); "
	    "END", &err), 0);
	batch_run(b1, 1, "c", 100, "running", 0);
	batch_run(b1, 2, "a", 100, "succeeded", 0);
	batch_run(b1, 3, "b", 200, "failed", 0);
	batch_run(b1, 4, "a", 50, "succeeded", 0);
	batch_run(b2, 1, "c", 100, "succeeded", 1);
	batch_run(b2, 5, "a", 300, "succeeded", 0);
	/* Held up by the loop's lock, the writer may take both at once. */
	assert_int_equal(db_begin(f->db, &err), 0);
	sched_writer_submit(f->w, b1);
	sched_writer_submit(f->w, b2);
	assert_int_equal(db_commit(f->db, &err), 0);
	sched_writer_sync(f->w);
	s = sql_text(f->db, "SELECT group_concat(run, ',') FROM (SELECT run "
	    "FROM inserted WHERE run < 5 ORDER BY n)");
	assert_string_equal(s, "4,2,1,3");
	free(s);
	s = sql_text(f->db, "SELECT group_concat(id || status, ',') FROM "
	    "(SELECT id, status FROM runs ORDER BY id)");
	assert_string_equal(s, "1succeeded,2succeeded,3failed,4succeeded,"
	    "5succeeded");
	free(s);
}

/* What the writer counts of its commits (bench/run prints them): each
 * commit once, with the runs and task rows it carried and the pages it
 * wrote; a batch that was not written (its task row marked newer) still
 * counts as carried, the pages only what was written. */
static void
test_stats_count_commits(void **state)
{
	struct fixture *f = *state;
	struct sched_writer_stats before, after;
	struct write_batch *b = state_batch("running", 1000000);

	sched_writer_stats(f->w, &before);
	assert_int_equal(before.commits, 0);
	batch_run(b, 1, "a", 100, "succeeded", 0);
	batch_run(b, 2, "a", 200, "failed", 0);
	sched_writer_submit(f->w, b);
	sched_writer_sync(f->w);
	sched_writer_stats(f->w, &after);
	assert_int_equal(after.commits, 1);
	assert_int_equal(after.runs, 2);
	assert_int_equal(after.task_rows, 1);
	/* A run row, an index entry and the task row: pages of the log. */
	assert_true(after.pages_written >= 2);
	assert_true(after.write_us >= after.commit_us);
	assert_true(after.commit_us_max <= after.commit_us);
	b = xcalloc(1, sizeof *b);
	batch_run(b, 3, "a", 300, "succeeded", 0);
	sched_writer_submit(f->w, b);
	sched_writer_sync(f->w);
	sched_writer_stats(f->w, &before);
	assert_int_equal(before.commits, 2);
	assert_int_equal(before.runs, 3);
	assert_int_equal(before.task_rows, 1);
	assert_true(before.pages_written > after.pages_written);
}

/* db_io_counts: what the connection wrote since the last call, then
 * nothing until it writes again. */
static void
test_io_counts_reset(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	struct db_io_counts io;

	db_io_counts(f->db, &io);
	add_task_row(f->db, "b");
	db_io_counts(f->db, &io);
	assert_true(io.written >= 1);
	assert_true(io.spilled >= 0 && io.misses >= 0);
	db_io_counts(f->db, &io);
	assert_int_equal(io.written, 0);
	assert_int_equal(db_exec(f->db, "UPDATE tasks SET name='x' WHERE "
	    "id='b'", &err), 0);
	db_io_counts(f->db, &io);
	assert_true(io.written >= 1);
}

/* A fenced host's writer drops what comes (the new engine host settles
 * those runs) and says so once, with the count, and once more at the
 * stop: the loop goes on ending runs, each a batch, and a line a batch
 * was dozens of lines after one takeover (bench/cluster.sh). */
static void
test_fenced_drops_said_once(void **state)
{
	struct fixture *f = *state;
	char line[512], *s;
	int lines = 0, n;
	long runs = 0;

	f->log.level = LOG_LVL_WARNING;
	assert_non_null(f->log.file = tmpfile());
	sched_writer_fenced(f->w);
	for (int i = 0; i < 3; i++) {
		struct write_batch *b = xcalloc(1, sizeof *b);

		batch_run(b, i + 1, "a", 100 + i, "succeeded", 0);
		sched_writer_submit(f->w, b);
		for (n = 0; n < 5000 && sched_writer_backlog(f->w) > 0; n++)
			usleep(1000);
		assert_int_equal(sched_writer_backlog(f->w), 0);
	}
	sched_writer_free(f->w);
	f->w = NULL;
	rewind(f->log.file);
	while (fgets(line, sizeof line, f->log.file) != NULL) {
		char *p = strstr(line, "history: ");

		if (p == NULL || strstr(p, "records were not written") == NULL)
			continue;
		lines++;
		runs += strtol(p + strlen("history: "), NULL, 10);
	}
	fclose(f->log.file);
	f->log.file = NULL;
	/* A batch the writer took before it saw the fence is written (on
	 * a server the fence has ended its session: that write fails). */
	s = sql_text(f->db, "SELECT count(*) FROM runs");
	assert_int_equal(runs + strtol(s, NULL, 10), 3);
	free(s);
	assert_true(lines <= 2);
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
		cmocka_unit_test_setup_teardown(test_runs_in_key_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats_count_commits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_io_counts_reset, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fenced_drops_said_once,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
