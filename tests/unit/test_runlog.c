/* test_runlog.c - the run log store: records to lines (fed whole and
 * byte by byte), damage, file names, the per-run cap, the tail, pipe to
 * file by splice (cap, a write that fails), a log manager-exec wrote
 * taken back (a record cut by its death), pruning by count, age and
 * total size, and the files made ahead off the loop (the pool). */
#include "testutil.h"
#include "runlog.h"
#include "runlog_pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <utime.h>

struct got {
	struct strbuf text;	/* "KIND@TIME:TEXT|" per line */
};

static void
collect(const struct runlog_line *l, void *arg)
{
	struct got *g = arg;

	strbuf_addf(&g->text, "%d@%lld:%.*s|", l->kind, (long long)l->at,
	    (int)l->len, l->text);
}

static void
put_record(struct strbuf *sb, int kind, int64_t at, const char *payload)
{
	size_t n = strlen(payload);
	unsigned char h[RUNLOG_HEAD_LEN] = { 0 };

	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(n >> (8 * i));
	h[4] = (unsigned char)kind;
	for (int i = 0; i < 8; i++)
		h[8 + i] = (unsigned char)((uint64_t)at >> (8 * i));
	strbuf_add(sb, (const char *)h, sizeof h);
	strbuf_add(sb, payload, n);
}

/* The names in folder dir but "." and "..". */
static size_t
dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* The files made ahead in dir's logs (O_TMPFILE: open, no name; each
 * 0600 holding the magic, those still being made left out): their
 * count, and their inodes in ino. */
static size_t
pool_files(const char *dir, ino_t *ino, size_t max)
{
	char *prefix = xasprintf("%s/logs/#", dir), link[4096];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	struct stat st;
	size_t n = 0;
	ssize_t len;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		len = readlinkat(dirfd(d), e->d_name, link, sizeof link - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		if (strncmp(link, prefix, strlen(prefix)) != 0 ||
		    strstr(link, " (deleted)") == NULL)
			continue;
		assert_int_equal(fstat(atoi(e->d_name), &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		if (st.st_size != RUNLOG_MAGIC_LEN)
			continue;	/* the thread is writing its magic */
		if (n < max)
			ino[n] = st.st_ino;
		n++;
	}
	closedir(d);
	free(prefix);
	return n;
}

/* Waits (up to 20 s: a bound for a loaded machine, not a timing) until
 * dir's pool holds at least min files. */
static void
pool_wait(const char *dir, size_t min)
{
	for (int i = 0; i < 2000; i++) {
		if (pool_files(dir, NULL, 0) >= min)
			return;
		usleep(10000);
	}
	fail_msg("no %zu files made ahead in %s/logs", min, dir);
}

/* Ends a log that must be a file: nothing is left for the history. */
static void
end_to_file(struct runlog_file *f, const char *status)
{
	size_t len = 1;

	assert_null(runlog_end(f, status, &len));
	assert_int_equal(len, 0);
}

/* A store whose logs are files from their first output (lim's inline
 * bounds 0), with files made ahead: the first log that asks starts the
 * pool's thread (that log waits in memory, and is thrown away here). */
static struct runlog *
file_store(const char *dir, const struct runlog_limits *lim)
{
	struct runlog *rl = runlog_new(dir, NULL, lim, NULL);
	struct runlog_file *f = runlog_begin(rl, "pool", 1, 1);
	size_t len;

	assert_int_equal(lim->inline_max_bytes, 0);
	runlog_write(f, RUNLOG_STDOUT, "x", 1, 1);
	free(runlog_end(f, "succeeded", &len));
	pool_wait(dir, RUNLOG_POOL_MAX / 2);
	return rl;
}

/* A log: "a" and half of "bc" on stdout, "x" on stderr, the rest of
 * "bc", then the end. */
static void
sample(struct strbuf *sb)
{
	strbuf_add(sb, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN);
	put_record(sb, RUNLOG_STDOUT, 10, "a\nb");
	put_record(sb, RUNLOG_STDERR, 20, "x\n");
	put_record(sb, RUNLOG_STDOUT, 30, "c\n");
	put_record(sb, RUNLOG_END, 40, "failed");
}

static const char want[] = "1@10:a|2@20:x|1@10:bc|";

static void
test_parse_whole_and_bytewise(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct runlog_parse p = { 0 };
	struct got g = { STRBUF_INIT };

	(void)state;
	sample(&sb);
	assert_int_equal(runlog_parse_feed(&p, sb.buf, sb.len, collect, &g), 0);
	assert_string_equal(g.text.buf, want);
	assert_true(p.ended);
	assert_string_equal(p.status, "failed");
	runlog_parse_clear(&p);
	strbuf_free(&g.text);
	for (size_t i = 0; i < sb.len; i++)
		assert_int_equal(runlog_parse_feed(&p, sb.buf + i, 1, collect,
		    &g), 0);
	assert_string_equal(g.text.buf, want);
	assert_true(p.ended);
	runlog_parse_clear(&p);
	strbuf_free(&g.text);
	strbuf_free(&sb);
}

static void
test_parse_unfinished_and_damage(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct runlog_parse p = { 0 };
	struct got g = { STRBUF_INIT };

	(void)state;
	strbuf_add(&sb, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN);
	put_record(&sb, RUNLOG_STDERR, 5, "no newline");
	assert_int_equal(runlog_parse_feed(&p, sb.buf, sb.len, collect, &g), 0);
	assert_null(g.text.buf);	/* held until its end */
	runlog_parse_finish(&p, collect, &g);
	assert_string_equal(g.text.buf, "2@5:no newline|");
	assert_false(p.ended);
	runlog_parse_clear(&p);
	assert_int_equal(runlog_parse_feed(&p, "MGRLOG2\n", 8, collect, &g), -1);
	runlog_parse_clear(&p);
	sb.len = RUNLOG_MAGIC_LEN;
	strbuf_add(&sb, "\xff\xff\xff\xff\x01\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(runlog_parse_feed(&p, sb.buf, sb.len, collect, &g), -1);
	runlog_parse_clear(&p);
	strbuf_free(&g.text);
	strbuf_free(&sb);
}

static void
test_path_escapes_ids(void **state)
{
	char *p;

	(void)state;
	p = runlog_path("/d", "backup.db-1@x:y+z", 17, 2);
	assert_string_equal(p, "/d/logs/backup.db-1@x:y+z/17-2.log");
	free(p);
	p = runlog_path("/d", "../a/b", 1, 1);
	assert_string_equal(p, "/d/logs/%2E.%2Fa%2Fb/1-1.log");
	free(p);
	p = runlog_path("/d", "", 1, 1);
	assert_string_equal(p, "/d/logs/%/1-1.log");
	free(p);
}

static void
test_write_cap_and_tail(void **state)
{
	char *dir = tmpdir_new(), *path;
	struct runlog_limits lim = { .run_max_bytes = 10,
	    .total_max_bytes = 1 << 20 };
	struct runlog *rl = file_store(dir, &lim);
	struct mgr_error err = { 0 };
	struct runlog_file *f;
	struct runlog_lines l;
	struct stat st;

	(void)state;
	f = runlog_begin(rl, "t", 100, 1);
	assert_non_null(f);
	end_to_file(runlog_begin(rl, "t", 100, 2), "succeeded");
	path = runlog_path(dir, "t", 100, 2);
	assert_int_equal(access(path, F_OK), -1);	/* silent: no file */
	free(path);
	runlog_write(f, RUNLOG_STDOUT, "1\n2\n3\n", 6, 1);
	runlog_write(f, RUNLOG_STDERR, "4\n5\n6\n", 6, 2);	/* 4 kept */
	runlog_write(f, RUNLOG_STDOUT, "7\n", 2, 3);		/* dropped */
	end_to_file(f, "succeeded");
	path = runlog_path(dir, "t", 100, 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT | 1u <<
	    RUNLOG_STDERR | 1u << RUNLOG_DROPPED, 0, 0, &l, &err), 0);
	assert_int_equal(l.n, 6);	/* 1 2 3 4 5, the dropped count */
	assert_string_equal(l.v[3].text, "4");
	assert_int_equal(l.v[3].kind, RUNLOG_STDERR);
	assert_int_equal(l.v[5].kind, RUNLOG_DROPPED);
	assert_string_equal(l.v[5].text, "4");	/* "6\n" cut, "7\n" */
	assert_true(l.ended);
	assert_string_equal(l.status, "succeeded");
	runlog_lines_clear(&l);
	/* The last two stdout lines, in order. */
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT, 0, 2, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].text, "2");
	assert_string_equal(l.v[1].text, "3");
	runlog_lines_clear(&l);
	/* Since time 2: stderr's lines only. */
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT | 1u <<
	    RUNLOG_STDERR, 2, 0, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].text, "4");
	runlog_lines_clear(&l);
	free(path);
	runlog_free(rl);
	tmpdir_free(dir);
}

/* A pipe whose read end does not block, holding s. */
static void
pipe_with(int p[2], const char *s)
{
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(write(p[1], s, strlen(s)), (ssize_t)strlen(s));
}

static void
test_splice_cap(void **state)
{
	char *dir = tmpdir_new(), *path = runlog_path(dir, "t", 1, 1), rest[16];
	struct runlog_limits lim = { .run_max_bytes = 12,
	    .total_max_bytes = 1 << 20 };
	struct runlog *rl = file_store(dir, &lim);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	struct stat st;
	int p[2];

	(void)state;
	assert_int_equal(runlog_splice(NULL, RUNLOG_STDOUT, 0, 1), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	/* An empty pipe: nothing moved, no file made. */
	assert_int_equal(runlog_splice(f, RUNLOG_STDOUT, p[0], 1), 0);
	assert_int_equal(access(path, F_OK), -1);
	runlog_write(f, RUNLOG_STDOUT, "ab", 2, 1);	/* the excerpt's read */
	assert_int_equal(write(p[1], "c\nde", 4), 4);
	assert_int_equal(runlog_splice(f, RUNLOG_STDOUT, p[0], 2), 4);
	assert_int_equal(write(p[1], "x\ny\nzzzz", 8), 8);
	/* 6 of the 12 bytes are kept, 2 are left: a record of 6. */
	assert_int_equal(runlog_splice(f, RUNLOG_STDERR, p[0], 3), 6);
	assert_int_equal(runlog_splice(f, RUNLOG_STDERR, p[0], 4), 0);
	assert_int_equal(read(p[0], rest, sizeof rest), 2);	/* "zz" */
	runlog_write(f, RUNLOG_STDERR, rest, 2, 4);		/* dropped */
	end_to_file(f, "succeeded");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, RUNLOG_MAGIC_LEN + 3 * RUNLOG_HEAD_LEN +
	    12 + RUNLOG_HEAD_LEN + 1 + RUNLOG_HEAD_LEN + 9);
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT | 1u <<
	    RUNLOG_STDERR | 1u << RUNLOG_DROPPED, 0, 0, &l, &err), 0);
	/* abc, x, y, then the unfinished de and zz, dropped 2. */
	assert_int_equal(l.n, 6);
	assert_string_equal(l.v[0].text, "abc");
	assert_int_equal(l.v[0].at, 1);	/* the time of its first byte */
	assert_int_equal(l.v[1].kind, RUNLOG_STDERR);
	assert_string_equal(l.v[1].text, "x");
	assert_int_equal(l.v[1].at, 3);
	assert_string_equal(l.v[2].text, "y");
	assert_string_equal(l.v[3].text, "de");
	assert_int_equal(l.v[3].at, 2);
	assert_int_equal(l.v[4].kind, RUNLOG_STDERR);
	assert_string_equal(l.v[4].text, "zz");
	assert_int_equal(l.v[5].kind, RUNLOG_DROPPED);
	assert_string_equal(l.v[5].text, "2");
	runlog_lines_clear(&l);
	close(p[0]);
	close(p[1]);
	free(path);
	runlog_free(rl);
	tmpdir_free(dir);
}

/* A log written by manager-exec (runlog_file_fd, runlog_record_write,
 * the shared page) and taken back by the engine: a helper killed within
 * its last record leaves bytes past st.off, which are cut off before the
 * dropped count and the end; its counts are the log's. */
static void
test_adopt_cuts_a_killed_record(void **state)
{
	char *dir = tmpdir_new(), *path = runlog_path(dir, "t", 1, 1);
	struct runlog_limits lim = { .run_max_bytes = 1 << 20,
	    .total_max_bytes = 1 << 20 };
	struct runlog *rl = file_store(dir, &lim);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	struct runlog_shared st = { 0 };
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	unsigned char h[RUNLOG_HEAD_LEN];
	int fd, hfd;

	(void)state;
	assert_int_equal(runlog_file_fd(NULL), -1);
	assert_int_equal(runlog_file_fd(f), -1);	/* no output, no file */
	runlog_write(f, RUNLOG_STDOUT, "a\nb", 3, 5);	/* the excerpt's */
	/* The helper's copy of the descriptor, as SCM_RIGHTS gives it. */
	assert_true((fd = runlog_file_fd(f)) != -1);
	assert_int_equal(runlog_file_fd(f), fd);	/* made once */
	assert_true((hfd = dup(fd)) != -1);
	runlog_share(f, &st);
	assert_int_equal(st.off, RUNLOG_MAGIC_LEN + RUNLOG_HEAD_LEN + 3);
	assert_int_equal(lseek(hfd, 0, SEEK_CUR), st.off);
	assert_int_equal(st.kept, 3);
	assert_int_equal(runlog_record_write(hfd, &st.off, RUNLOG_STDERR,
	    "x\n", 2, 6), 0);
	st.kept = 5;
	st.dropped = 7;
	/* Killed within a record: its head and part of its bytes. */
	runlog_head_encode(h, RUNLOG_STDOUT, 100, 7);
	assert_int_equal(write(hfd, h, sizeof h), (ssize_t)sizeof h);
	assert_int_equal(write(hfd, "cut", 3), 3);
	close(hfd);
	runlog_adopt(f, &st);
	end_to_file(f, "stopped");
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT | 1u <<
	    RUNLOG_STDERR | 1u << RUNLOG_DROPPED, 0, 0, &l, &err), 0);
	assert_true(l.ended);
	assert_string_equal(l.status, "stopped");
	/* a, x, the unfinished b at the end, and the dropped count */
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].text, "a");
	assert_int_equal(l.v[1].kind, RUNLOG_STDERR);
	assert_string_equal(l.v[1].text, "x");
	assert_int_equal(l.v[2].kind, RUNLOG_STDOUT);
	assert_string_equal(l.v[2].text, "b");	/* not "bcut" */
	assert_int_equal(l.v[3].kind, RUNLOG_DROPPED);
	assert_string_equal(l.v[3].text, "7");
	runlog_lines_clear(&l);
	free(path);
	runlog_free(rl);
	tmpdir_free(dir);
}

/* A file that cannot grow (RLIMIT_FSIZE, as a full disk) in the middle
 * of a splice: the record is cut off, the file holds whole records. */
static void
test_splice_write_error(void **state)
{
	char *dir = tmpdir_new(), *path = runlog_path(dir, "t", 1, 1);
	struct runlog_limits lim = { .run_max_bytes = 1 << 20,
	    .total_max_bytes = 1 << 20 };
	struct runlog *rl = file_store(dir, &lim);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	off_t whole = RUNLOG_MAGIC_LEN + RUNLOG_HEAD_LEN + 3;
	struct rlimit old, lo;
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	struct stat st;
	int p[2];

	(void)state;
	runlog_write(f, RUNLOG_STDOUT, "ok\n", 3, 1);
	pipe_with(p, "0123456789abcdefghij\n");
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lo = old;
	lo.rlim_cur = (rlim_t)whole + RUNLOG_HEAD_LEN + 5;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lo), 0);
	/* 5 bytes went in before the limit: taken from the pipe, not kept. */
	assert_int_equal(runlog_splice(f, RUNLOG_STDOUT, p[0], 2), 5);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, whole);
	/* The log stopped: later output is not written. */
	assert_int_equal(runlog_splice(f, RUNLOG_STDOUT, p[0], 3), 0);
	runlog_write(f, RUNLOG_STDOUT, "more\n", 5, 3);
	end_to_file(f, "succeeded");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, whole);
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT, 0, 0, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].text, "ok");
	runlog_lines_clear(&l);
	close(p[0]);
	close(p[1]);
	free(path);
	runlog_free(rl);
	tmpdir_free(dir);
}

static void
make_log(const char *dir, const char *task, int64_t sched, size_t size,
	 time_t mtime)
{
	char *path = runlog_path(dir, task, sched, 1), *d = path_dirname_abs(path);
	struct utimbuf t = { mtime, mtime };
	FILE *fp;

	assert_int_equal(mkdir_p(d, 0700, 1, NULL), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (size_t i = 0; i < size; i++)
		fputc('x', fp);
	fclose(fp);
	utime(path, &t);
	free(d);
	free(path);
}

static int
exists(const char *dir, const char *task, int64_t sched)
{
	char *path = runlog_path(dir, task, sched, 1);
	int yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

static void
test_prune(void **state)
{
	char *dir = tmpdir_new(), *logs = runlog_dir(dir);
	time_t now = time(NULL);
	struct runlog_limits lim = { .keep_runs = 2, .max_age_days = 1,
	    .total_max_bytes = 250 };

	(void)state;
	for (int i = 1; i <= 4; i++)	/* a: 4 runs, the newest are 3, 4 */
		make_log(dir, "a", i, 10, now - 10 + i);
	make_log(dir, "b", 1, 10, now - 3 * 86400);	/* too old */
	make_log(dir, "c", 1, 100, now - 50);	/* total: oldest go first */
	make_log(dir, "c", 2, 100, now - 40);
	make_log(dir, "d", 1, 100, now - 30);
	runlog_prune(logs, NULL, &lim, (int64_t)now * 1000000, NULL);
	assert_false(exists(dir, "a", 1));
	assert_false(exists(dir, "a", 2));
	assert_true(exists(dir, "a", 3) && exists(dir, "a", 4));
	assert_false(exists(dir, "b", 1));
	/* 20 + 300 bytes left by count and age; 250 allowed: the oldest
	 * written (c 1) goes. */
	assert_false(exists(dir, "c", 1));
	assert_true(exists(dir, "c", 2) && exists(dir, "d", 1));
	free(logs);
	tmpdir_free(dir);
}

/* The first log that needs a file starts the pool's thread, which makes
 * files ahead (O_TMPFILE in logs/: 0600, the magic written, no name);
 * until one is made the log waits in memory (no file, none made here);
 * then it takes one, given its name (in a task folder made for it),
 * with the records so far; a silent run takes none; freeing the store
 * closes the rest, and nothing is left in the folder but the logs. */
static void
test_pool_files_made_ahead(void **state)
{
	char *dir = tmpdir_new(), *path = runlog_path(dir, "t", 1, 1), *logs;
	struct runlog_limits lim = { .run_max_bytes = 1 << 20,
	    .total_max_bytes = 1 << 20 };
	struct runlog *rl = runlog_new(dir, NULL, &lim, NULL);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	ino_t ino[256];
	struct stat st;
	size_t n;
	int found = 0;

	(void)state;
	runlog_write(f, RUNLOG_STDOUT, "a\n", 2, 1);	/* starts the thread */
	assert_int_equal(access(path, F_OK), -1);	/* in memory */
	pool_wait(dir, 8);
	n = pool_files(dir, ino, 256);
	assert_int_equal(runlog_settle(f, 2), 0);	/* taken now */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	for (size_t i = 0; i < n && i < 256; i++)
		found |= ino[i] == st.st_ino;
	assert_true(found);		/* taken from the pool */
	runlog_write(f, RUNLOG_STDERR, "b\n", 2, 3);
	end_to_file(f, "failed");
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT |
	    1u << RUNLOG_STDERR, 0, 0, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].text, "a");
	assert_int_equal(l.v[0].at, 1);
	assert_int_equal(l.v[1].kind, RUNLOG_STDERR);
	assert_string_equal(l.v[1].text, "b");
	assert_string_equal(l.status, "failed");
	runlog_lines_clear(&l);
	free(path);
	end_to_file(runlog_begin(rl, "u", 2, 1), "succeeded");	/* silent */
	path = runlog_path(dir, "u", 2, 1);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	f = runlog_begin(rl, "u", 2, 2);
	runlog_write(f, RUNLOG_STDERR, "c\n", 2, 3);
	end_to_file(f, "succeeded");
	runlog_free(rl);
	assert_int_equal(pool_files(dir, NULL, 0), 0);
	logs = runlog_dir(dir);
	assert_int_equal(dir_entries(logs), 2);		/* t and u */
	free(logs);
	tmpdir_free(dir);
}

/* The records of a log as runlog_end hands them to the history, read
 * back as a reader does (after a file's magic). */
static void
parse_records(const char *rec, size_t len, struct got *g,
	      struct runlog_parse *p)
{
	memset(p, 0, sizeof *p);
	p->magic_ok = 1;
	assert_int_equal(runlog_parse_feed(p, rec, len, collect, g), 0);
}

/* A small log of a run that ends soon stays in memory and is handed to
 * the history whole, with its streams, times, dropped count and end: no
 * file, no folder, no file made ahead. */
static void
test_inline_small_log(void **state)
{
	char *dir = tmpdir_new(), *logs = runlog_dir(dir), *rec;
	struct runlog_limits lim = { .run_max_bytes = 20,
	    .total_max_bytes = 1 << 20, .inline_max_bytes = RUNLOG_INLINE_MAX,
	    .inline_age_us = RUNLOG_INLINE_AGE_US };
	struct runlog *rl = runlog_new(dir, NULL, &lim, NULL);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	struct got g = { STRBUF_INIT };
	struct runlog_parse p;
	const char *want_prefix;
	size_t len;

	(void)state;
	runlog_write(f, RUNLOG_STDOUT, "out\npar", 7, 10);
	runlog_write(f, RUNLOG_STDERR, "err\n", 4, 20);
	runlog_write(f, RUNLOG_STDOUT, "tial\n", 5, 30);
	runlog_write(f, RUNLOG_STDERR, "0123456789", 10, 40);	/* 4 kept */
	assert_false(runlog_has_file(f));
	assert_int_equal(runlog_settle(f, 50), 0);
	rec = runlog_end(f, "failed", &len);
	assert_non_null(rec);
	assert_int_equal(len, 4 * RUNLOG_HEAD_LEN + 20 + RUNLOG_HEAD_LEN + 1 +
	    RUNLOG_HEAD_LEN + 6);
	parse_records(rec, len, &g, &p);
	want_prefix = "1@10:out|2@20:err|1@10:partial|2@40:0123|3@";
	assert_int_equal(strncmp(g.text.buf, want_prefix, strlen(want_prefix)),
	    0);
	assert_non_null(strstr(g.text.buf, ":6|"));	/* the dropped count */
	assert_true(p.ended);
	assert_string_equal(p.status, "failed");
	assert_int_equal(p.dropped, 6);
	runlog_parse_clear(&p);
	strbuf_free(&g.text);
	free(rec);
	assert_int_equal(access(logs, F_OK), -1);	/* nothing on disk */
	assert_int_equal(pool_files(dir, NULL, 0), 0);
	runlog_free(rl);
	free(logs);
	tmpdir_free(dir);
}

/* Limits with the inline bounds, the pool started and full: the store
 * of the two tests below. */
static struct runlog *
inline_store(const char *dir, int64_t max)
{
	struct runlog_limits lim = { .run_max_bytes = 1 << 20,
	    .total_max_bytes = 1 << 20, .inline_max_bytes = max,
	    .inline_age_us = RUNLOG_INLINE_AGE_US };
	struct runlog *rl = runlog_new(dir, NULL, &lim, NULL);
	struct runlog_file *f = runlog_begin(rl, "pool", 1, 1);
	size_t len;

	/* Old enough for a file: the pool's thread starts, none is made
	 * yet (the log is thrown away). */
	runlog_write(f, RUNLOG_STDOUT, "0123456789", 10, 1);
	assert_int_equal(runlog_settle(f, mgr_now_us() + 2 *
	    RUNLOG_INLINE_AGE_US), 1);
	free(runlog_end(f, "succeeded", &len));
	pool_wait(dir, RUNLOG_POOL_MAX / 2);
	return rl;
}

/* A log that passes the bound gets its file at that write, holding the
 * records kept in memory first, then the rest, in order with their
 * times; the history gets nothing. */
static void
test_inline_bound_makes_file(void **state)
{
	char *dir = tmpdir_new(), *path = runlog_path(dir, "t", 1, 1);
	struct runlog *rl = inline_store(dir, 3 * RUNLOG_HEAD_LEN);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	struct mgr_error err = { 0 };
	struct runlog_lines l;
	struct stat st;

	(void)state;
	runlog_write(f, RUNLOG_STDOUT, "one\n", 4, 10);
	runlog_write(f, RUNLOG_STDERR, "two\n", 4, 20);
	assert_int_equal(access(path, F_OK), -1);	/* 40 bytes: memory */
	runlog_write(f, RUNLOG_STDOUT, "three\n", 6, 30);	/* 62: a file */
	assert_true(runlog_has_file(f));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, RUNLOG_MAGIC_LEN + 3 * RUNLOG_HEAD_LEN +
	    14);
	runlog_write(f, RUNLOG_STDERR, "four\n", 5, 40);
	end_to_file(f, "succeeded");
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT |
	    1u << RUNLOG_STDERR, 0, 0, &l, &err), 0);
	assert_int_equal(l.n, 4);
	for (size_t i = 0; i < 4; i++) {
		static const char *const text[] = { "one", "two", "three",
		    "four" };
		assert_string_equal(l.v[i].text, text[i]);
		assert_int_equal(l.v[i].at, 10 * (int64_t)(i + 1));
		assert_int_equal(l.v[i].kind, i % 2 ? RUNLOG_STDERR :
		    RUNLOG_STDOUT);
	}
	assert_string_equal(l.status, "succeeded");
	runlog_lines_clear(&l);
	runlog_free(rl);
	free(path);
	tmpdir_free(dir);
}

/* A run a second old gets its file for what it printed so far (a
 * follower then sees its lines as they come), even when small; its age
 * counts from its process's start (runlog_started), not from its log's
 * begin (a spawn that waited). */
static void
test_inline_age_makes_file(void **state)
{
	char *dir = tmpdir_new(), *path = runlog_path(dir, "t", 1, 1);
	struct runlog *rl = inline_store(dir, RUNLOG_INLINE_MAX);
	struct runlog_file *f = runlog_begin(rl, "t", 1, 1);
	int64_t now = mgr_now_us();
	struct mgr_error err = { 0 };
	struct runlog_lines l;

	(void)state;
	assert_int_equal(runlog_settle(f, now + 2 * RUNLOG_INLINE_AGE_US), 0);
	assert_int_equal(access(path, F_OK), -1);	/* nothing to keep */
	runlog_write(f, RUNLOG_STDOUT, "early\n", 6, now);
	assert_int_equal(runlog_settle(f, now + RUNLOG_INLINE_AGE_US / 2), 0);
	assert_int_equal(access(path, F_OK), -1);	/* young: memory */
	runlog_started(f, now + 5 * RUNLOG_INLINE_AGE_US);
	assert_int_equal(runlog_settle(f, now + 2 * RUNLOG_INLINE_AGE_US), 0);
	assert_int_equal(access(path, F_OK), -1);	/* young from its start */
	runlog_started(f, now);
	assert_int_equal(runlog_settle(f, now + 2 * RUNLOG_INLINE_AGE_US), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(runlog_read(path, 1u << RUNLOG_STDOUT, 0, 0, &l,
	    &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].text, "early");
	assert_false(l.ended);		/* the run goes on */
	runlog_lines_clear(&l);
	end_to_file(f, "succeeded");
	runlog_free(rl);
	free(path);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_whole_and_bytewise),
		cmocka_unit_test(test_parse_unfinished_and_damage),
		cmocka_unit_test(test_path_escapes_ids),
		cmocka_unit_test(test_write_cap_and_tail),
		cmocka_unit_test(test_splice_cap),
		cmocka_unit_test(test_splice_write_error),
		cmocka_unit_test(test_adopt_cuts_a_killed_record),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_pool_files_made_ahead),
		cmocka_unit_test(test_inline_small_log),
		cmocka_unit_test(test_inline_bound_makes_file),
		cmocka_unit_test(test_inline_age_makes_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
