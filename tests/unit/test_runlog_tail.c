/* test_runlog_tail.c - a log's last lines read from its end: the same
 * lines as a read from the start (lines split across records, a sparse
 * stream, payloads that look like heads, a record being appended), and
 * read from the end indeed (a log damaged near its start still gives its
 * last lines, where a read from the start stops at the damage). */
#include "testutil.h"
#include "runlog.h"

#include <fcntl.h>

#define T0 1700000000000000LL
#define ALL (1u << RUNLOG_STDOUT | 1u << RUNLOG_STDERR | 1u << RUNLOG_DROPPED)

static void
put_record(struct strbuf *sb, int kind, int64_t at, const char *p, size_t n)
{
	unsigned char h[RUNLOG_HEAD_LEN] = { 0 };

	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(n >> (8 * i));
	h[4] = (unsigned char)kind;
	for (int i = 0; i < 8; i++)
		h[8 + i] = (unsigned char)((uint64_t)at >> (8 * i));
	strbuf_add(sb, (const char *)h, sizeof h);
	strbuf_add(sb, p, n);
}

/* About 3 MB: stdout lines cut across records of varying size, a stderr
 * line every 500 stdout lines, and payloads carrying a copy of a valid
 * head (a forgery that does not chain to the end). */
static void
big_log(struct strbuf *sb, int end)
{
	struct strbuf out = STRBUF_INIT, fake = STRBUF_INIT;
	size_t at = 0, step = 1;

	strbuf_add(sb, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN);
	for (int i = 0; i < 40000; i++) {
		strbuf_addf(&out, "line %06d of stdout, some text to make it long\n", i);
		if (i % 500 == 0) {
			char err[64];
			int n = snprintf(err, sizeof err, "err %d\n", i);

			put_record(sb, RUNLOG_STDERR, T0 + i, err, (size_t)n);
		}
	}
	put_record(&fake, RUNLOG_STDOUT, T0 + 5, "forged\n", 7);
	while (at < out.len) {		/* records of 1, 2, ... 700 bytes */
		size_t n = out.len - at < step ? out.len - at : step;
		struct strbuf rec = STRBUF_INIT;

		strbuf_add(&rec, out.buf + at, n);
		if (step % 97 == 0)	/* a head inside a payload */
			strbuf_add(&rec, fake.buf, fake.len);
		put_record(sb, RUNLOG_STDOUT, T0 + (int64_t)at, rec.buf, rec.len);
		strbuf_free(&rec);
		at += n;
		step = step % 700 + 1;
	}
	if (end)
		put_record(sb, RUNLOG_END, T0 + 99999999, "succeeded", 9);
	strbuf_free(&out);
	strbuf_free(&fake);
}

/* The second record's length over the cap (the first one, "err 0\n",
 * gives the log's time). */
static void
damage(struct strbuf *sb)
{
	memset(sb->buf + RUNLOG_MAGIC_LEN + RUNLOG_HEAD_LEN + 6, 0xff, 4);
}

static char *
write_log(const char *dir, const struct strbuf *sb)
{
	char *path = xasprintf("%s/t.log", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, sb->buf, sb->len), (ssize_t)sb->len);
	close(fd);
	return path;
}

/* runlog_read's last max lines are the last max of the whole read. */
static void
same_as_whole(const char *path, unsigned mask, int64_t since, size_t max)
{
	struct runlog_lines all, tail;
	struct mgr_error err = { 0 };
	size_t skip;

	assert_int_equal(runlog_read(path, mask, since, 0, &all, &err), 0);
	assert_int_equal(runlog_read(path, mask, since, max, &tail, &err), 0);
	skip = all.n > max ? all.n - max : 0;
	assert_int_equal(tail.n, all.n - skip);
	for (size_t i = 0; i < tail.n; i++) {
		assert_int_equal(tail.v[i].kind, all.v[skip + i].kind);
		assert_int_equal(tail.v[i].at, all.v[skip + i].at);
		assert_string_equal(tail.v[i].text, all.v[skip + i].text);
	}
	assert_int_equal(tail.ended, all.ended);
	runlog_lines_clear(&all);
	runlog_lines_clear(&tail);
}

static void
test_tail_same_lines(void **state)
{
	char *dir = tmpdir_new(), *path;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	big_log(&sb, 1);
	path = write_log(dir, &sb);
	same_as_whole(path, ALL, 0, 1);
	same_as_whole(path, ALL, 0, 5000);
	same_as_whole(path, 1u << RUNLOG_STDERR, 0, 30);	/* sparse */
	same_as_whole(path, 1u << RUNLOG_STDOUT, T0 + 1900000, 100);
	same_as_whole(path, ALL, 0, 39000);	/* most of it: read whole */
	free(path);
	strbuf_free(&sb);
	tmpdir_free(dir);
}

/* Lines of 2000 bytes in records of 100: a window starts inside a line,
 * whose part in it is not a line of the log. */
static void
test_tail_long_lines(void **state)
{
	char *dir = tmpdir_new(), *path;
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;

	(void)state;
	strbuf_add(&sb, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN);
	for (int i = 0; i < 400; i++) {
		strbuf_addf(&out, "%04d", i);
		for (int k = 4; k < 1999; k++)
			strbuf_add(&out, "abcdefghij" + k % 10, 1);
		strbuf_add(&out, "\n", 1);
	}
	for (size_t at = 0; at < out.len; at += 100)
		put_record(&sb, RUNLOG_STDOUT, T0 + (int64_t)at, out.buf + at, 100);
	path = write_log(dir, &sb);
	for (size_t max = 1; max <= 60; max++)
		same_as_whole(path, 1u << RUNLOG_STDOUT, 0, max);
	free(path);
	strbuf_free(&sb);
	strbuf_free(&out);
	tmpdir_free(dir);
}

/* A stream that prints rarely: its one line near the end is one of the
 * last lines, though it is the first of its stream in any window. */
static void
test_tail_sparse_stream(void **state)
{
	char *dir = tmpdir_new(), *path;
	struct strbuf sb = STRBUF_INIT;
	char line[80];

	(void)state;
	strbuf_add(&sb, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN);
	put_record(&sb, RUNLOG_STDERR, T0, "early\n", 6);
	for (int i = 0; i < 200000; i++) {
		int n = snprintf(line, sizeof line, "line %06d of stdout\n", i);

		put_record(&sb, RUNLOG_STDOUT, T0 + i, line, (size_t)n);
		if (i == 199000)
			put_record(&sb, RUNLOG_STDERR, T0 + i, "rare\n", 5);
	}
	damage(&sb);		/* so a read from the start cannot serve */
	path = write_log(dir, &sb);
	{
		struct runlog_lines l;
		struct mgr_error err = { 0 };
		int found = 0;

		assert_int_equal(runlog_read(path, ALL, 0, 5000, &l, &err), 0);
		assert_int_equal(l.n, 5000);
		for (size_t i = 0; i < l.n; i++)
			found += strcmp(l.v[i].text, "rare") == 0;
		assert_int_equal(found, 1);
		runlog_lines_clear(&l);
	}
	free(path);
	strbuf_free(&sb);
	tmpdir_free(dir);
}

/* A record half written at the end (the run goes on): the lines before
 * it, then the rest once it is complete. */
static void
test_tail_follows(void **state)
{
	char *dir = tmpdir_new(), *path;
	struct strbuf sb = STRBUF_INIT, rec = STRBUF_INIT;
	struct runlog_reader rd;
	struct runlog_lines l;
	struct mgr_error err = { 0 };
	int fd;

	(void)state;
	big_log(&sb, 0);
	put_record(&rec, RUNLOG_STDOUT, T0 + 99999999, "tail\nlast\n", 10);
	strbuf_add(&sb, rec.buf, 20);			/* cut */
	damage(&sb);		/* so the start is not read */
	path = write_log(dir, &sb);
	assert_int_equal(runlog_reader_open(&rd, path, &err), 0);
	assert_int_equal(runlog_reader_tail(&rd, ALL, 0, 100, &l, &err), 0);
	assert_int_equal(l.n, 100);
	assert_string_equal(l.v[99].text, "line 039999 of stdout, some text to "
	    "make it long");
	assert_false(l.ended);
	runlog_lines_clear(&l);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, rec.buf + 20, rec.len - 20),
	    (ssize_t)(rec.len - 20));
	close(fd);
	assert_int_equal(runlog_reader_tail(&rd, ALL, 0, 100, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].text, "tail");
	assert_string_equal(l.v[1].text, "last");
	runlog_lines_clear(&l);
	runlog_reader_close(&rd);
	free(path);
	strbuf_free(&sb);
	strbuf_free(&rec);
	tmpdir_free(dir);
}

/* Damage near the start (a length over the cap): read from the start it
 * is an error; the last lines, read from the end, are still there. */
static void
test_tail_reads_from_the_end(void **state)
{
	char *dir = tmpdir_new(), *path;
	struct strbuf sb = STRBUF_INIT;
	struct runlog_lines l;
	struct mgr_error err = { 0 };

	(void)state;
	big_log(&sb, 1);
	damage(&sb);
	path = write_log(dir, &sb);
	assert_int_not_equal(runlog_read(path, ALL, 0, 0, &l, &err), 0);
	assert_int_equal(runlog_read(path, ALL, 0, 10, &l, &err), 0);
	assert_int_equal(l.n, 10);
	assert_string_equal(l.v[9].text, "line 039999 of stdout, some text to "
	    "make it long");
	assert_true(l.ended);
	runlog_lines_clear(&l);
	free(path);
	strbuf_free(&sb);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_same_lines),
		cmocka_unit_test(test_tail_long_lines),
		cmocka_unit_test(test_tail_sparse_stream),
		cmocka_unit_test(test_tail_follows),
		cmocka_unit_test(test_tail_reads_from_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
