/* runlog.c - the log store: writing on the loop (in memory, then a file
 * when the log needs one), reading a run's log wherever it is kept,
 * following (see runlog.h for the format; caps and retention are
 * runlog_prune.c's). */
#include "i18n.h"
#include "log.h"
#include "runlog.h"
#include "runlog_pool.h"
#include "runlog_record.h"
#include "runlog_ship.h"
#include "runlog_store.h"
#include "dbstring.h"
#include "timefmt.h"
#include "util.h"

#include <jansson.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct runlog {
	char *logs_dir;
	char *db_path;			/* the history: its logs, for the caps */
	struct mgr_log *log;		/* warnings: a log that cannot be made */
	struct runlog_limits lim;
	struct runlog_pool *pool;	/* files made ahead, off the loop */
	/* The logs into the database, off the loop (runlog_ship.h); NULL
	 * where they stay files (SQLite). */
	struct runlog_ship *ship;
	int64_t since_prune;		/* bytes written since the last prune */
	pthread_t thread;
	int thread_started;
	atomic_int thread_done;
};

struct runlog_file {
	struct runlog *rl;
	int fd;				/* -1 until the first output */
	int failed;			/* ... which could not be written */
	int no_splice;			/* its file system refuses splice(2) */
	int64_t off;			/* the file's length: whole records */
	char *task_id;
	int64_t scheduled_at;
	int attempt;
	int64_t written;		/* payload bytes kept */
	int64_t dropped;		/* ... and over the cap */
	/* Until it has a file: its records, which the history keeps when
	 * they stay small and the run ends soon (runlog_end). */
	struct strbuf mem;
	int64_t begun;			/* Unix µs */
	struct runlog_shipped *shipped;	/* its file, into the database */
};

char *
runlog_dir(const char *state_directory)
{
	return xasprintf("%s/logs", state_directory);
}

static int
name_byte_ok(unsigned char c, int first)
{
	if (c == '.')
		return !first;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_-@:+", c) != NULL;
}

char *
runlog_task_dir(const char *task_id)
{
	struct strbuf sb = STRBUF_INIT;

	for (const unsigned char *p = (const unsigned char *)task_id; *p; p++) {
		if (name_byte_ok(*p, p == (const unsigned char *)task_id))
			strbuf_add(&sb, (const char *)p, 1);
		else
			strbuf_addf(&sb, "%%%02X", *p);
	}
	if (sb.len == 0)
		strbuf_adds(&sb, "%");
	return strbuf_detach(&sb);
}

char *
runlog_task_from_dir(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned int c;
	char ch;

	if (strcmp(name, "%") == 0)
		return xstrdup("");
	for (const char *p = name; *p; p++) {
		if (*p != '%') {
			strbuf_add(&sb, p, 1);
			continue;
		}
		if (sscanf(p + 1, "%2x", &c) != 1 || p[1] == '\0' ||
		    p[2] == '\0') {
			strbuf_free(&sb);
			return NULL;
		}
		ch = (char)c;
		strbuf_add(&sb, &ch, 1);
		p += 2;
	}
	return strbuf_detach(&sb);
}

/* The files of one task's folder. */
static void
files_each_task(const char *dir, const char *task, runlog_file_fn fn,
		void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	long long sched;
	int attempt, used;
	char *path;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "%lld-%d.log%n", &sched, &attempt,
		    &used) != 2 || e->d_name[used] != '\0')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		fn(arg, path, task, (int64_t)sched, attempt);
		free(path);
	}
	closedir(d);
}

void
runlog_files_each(const char *logs_dir, runlog_file_fn fn, void *arg)
{
	DIR *d = opendir(logs_dir);
	struct dirent *e;
	char *task, *dir;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    (task = runlog_task_from_dir(e->d_name)) == NULL)
			continue;
		dir = xasprintf("%s/%s", logs_dir, e->d_name);
		files_each_task(dir, task, fn, arg);
		free(dir);
		free(task);
	}
	closedir(d);
}

char *
runlog_path(const char *state_directory, const char *task_id,
	    int64_t scheduled_at, int attempt)
{
	char *name = runlog_task_dir(task_id);
	char *p = xasprintf("%s/logs/%s/%" PRId64 "-%d.log", state_directory,
	    name, scheduled_at, attempt);

	free(name);
	return p;
}

struct runlog *
runlog_new(const char *state_directory, const char *db_path,
	   const struct runlog_limits *lim, struct mgr_log *log)
{
	struct runlog *rl;

	if (lim->total_max_bytes <= 0)
		return NULL;
	rl = xcalloc(1, sizeof *rl);
	rl->logs_dir = runlog_dir(state_directory);
	if (db_path != NULL && db_string_is_server(db_path)) {
		/* Files only as a spool of this database's: readers on
		 * every host read the database. */
		char *spool = runlog_ship_dir(rl->logs_dir, db_path);

		free(rl->logs_dir);
		rl->logs_dir = spool;
		rl->ship = runlog_ship_new(db_path, spool, log);
	}
	rl->db_path = db_path != NULL ? xstrdup(db_path) : NULL;
	rl->lim = *lim;
	rl->log = log;
	rl->pool = runlog_pool_new(rl->logs_dir);
	atomic_init(&rl->thread_done, 0);
	return rl;
}

void
runlog_free(struct runlog *rl)
{
	if (rl == NULL)
		return;
	if (rl->thread_started)
		pthread_join(rl->thread, NULL);
	runlog_ship_free(rl->ship);
	runlog_pool_free(rl->pool);
	free(rl->logs_dir);
	free(rl->db_path);
	free(rl);
}

/* Opens the attempt's file: one made ahead by the pool's thread, given
 * the run's name (*magic: its magic is written); -1 with *later set
 * when the pool has none yet (the records wait in memory); made here
 * only when the pool cannot give one (no O_TMPFILE, a stale file of the
 * same name); its folder is made on demand. */
static int
runlog_create(struct runlog *rl, const struct runlog_file *f, int *magic,
	      int *later, char **named, struct mgr_error *err)
{
	char *name = runlog_task_dir(f->task_id), *dir, *path;
	int fd;

	dir = xasprintf("%s/%s", rl->logs_dir, name);
	path = xasprintf("%s/%" PRId64 "-%d.log", dir, f->scheduled_at,
	    f->attempt);
	free(name);
	*magic = (fd = runlog_pool_take(rl->pool, dir, path)) != -1;
	*later = fd == -1 && errno == EAGAIN;
	/* Not O_APPEND: splice(2) refuses such a file, and the engine is
	 * its only writer. */
	if (fd == -1 && !*later)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd == -1 && !*later && errno == ENOENT &&
	    mkdir_p(dir, 0700, 1, err) == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	if (fd == -1 && !*later && (err == NULL || err->code == 0))
		mgr_error_set(err, MGR_EIO, _("cannot create run log %s: %s"),
		    path, strerror(errno));
	free(dir);
	*named = fd != -1 ? path : NULL;
	if (fd == -1)
		free(path);
	return fd;
}

struct runlog_file *
runlog_begin(struct runlog *rl, const char *task_id, int64_t scheduled_at,
	     int attempt)
{
	struct runlog_file *f;

	if (rl == NULL || task_id == NULL)
		return NULL;
	f = xcalloc(1, sizeof *f);
	f->rl = rl;
	f->fd = -1;
	f->task_id = xstrdup(task_id);
	f->scheduled_at = scheduled_at;
	f->attempt = attempt;
	f->begun = mgr_now_us();
	return f;
}

void
runlog_started(struct runlog_file *f, int64_t at)
{
	if (f != NULL)
		f->begun = at;
}

/* All of n bytes at the file's offset; 0 or the errno. */
static int
write_all(int fd, const char *b, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return w == -1 ? errno : ENOSPC;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The file, once the log needs one (runlog_settle): made ahead, off the
 * loop, by the pool (an inode on ext4 was 0.3-1.2 ms of the loop's time
 * under load), then the records kept in memory so far, so that it holds
 * the whole log in order.  -1 while the pool has none yet (the records
 * stay in memory), or when it cannot be made (a warning; the run goes
 * on without a full log). */
static int
runlog_open(struct runlog_file *f)
{
	struct mgr_error err = { 0 };
	int magic, later, e = 0;
	char *path = NULL;

	if (f->fd != -1 || f->failed)
		return f->fd;
	f->fd = runlog_create(f->rl, f, &magic, &later, &path, &err);
	if (later)
		return -1;
	if (f->fd != -1 && ((!magic && (e = write_all(f->fd, RUNLOG_MAGIC,
	    RUNLOG_MAGIC_LEN)) != 0) || (e = write_all(f->fd, f->mem.buf,
	    f->mem.len)) != 0)) {
		mgr_error_set(&err, MGR_EIO, _("cannot write run log of %s: %s"),
		    f->task_id, strerror(e));
		close(f->fd);
		f->fd = -1;
	}
	f->off = RUNLOG_MAGIC_LEN + (int64_t)f->mem.len;
	strbuf_free(&f->mem);
	if (f->fd != -1 && f->rl->ship != NULL)
		f->shipped = runlog_ship_add(f->rl->ship, path, f->task_id,
		    f->scheduled_at, f->attempt);
	free(path);
	if (f->fd == -1) {
		f->failed = 1;
		if (f->rl->log != NULL)
			log_warning(f->rl->log, "%s", err.msg);
	}
	return f->fd;
}

int
runlog_settle(struct runlog_file *f, int64_t now)
{
	const struct runlog_limits *lim;

	if (f == NULL || f->fd != -1 || f->failed || f->mem.len == 0)
		return 0;
	lim = &f->rl->lim;
	if ((int64_t)f->mem.len <= lim->inline_max_bytes &&
	    now - f->begun < lim->inline_age_us)
		return 0;		/* small and young: memory */
	return runlog_open(f) == -1 && !f->failed;
}

int
runlog_waiting(struct runlog_file *f, int64_t now)
{
	return runlog_settle(f, now) && f->mem.len > RUNLOG_WAIT_MAX;
}

int
runlog_has_file(const struct runlog_file *f)
{
	return f != NULL && f->fd != -1;
}

/* A write that failed: the log of this attempt stops (a warning), the
 * run goes on. */
static void
runlog_stop(struct runlog_file *f, int e)
{
	if (f->rl->log != NULL)
		log_warning(f->rl->log, _("cannot write run log of %s: %s"),
		    f->task_id, strerror(e));
	close(f->fd);
	f->fd = -1;
	f->failed = 1;
}

/* A record that did not go in whole (disk full, quota) is cut off, so a
 * reader never meets a head without its bytes; then the log stops. */
static void
record_undo(struct runlog_file *f, int e)
{
	if (ftruncate(f->fd, f->off) != 0)
		e = errno;
	runlog_stop(f, e);
}

/* One record, head and payload in one writev to the file (one that does
 * not go in whole is cut off, and the log stops), or to memory while
 * the log has no file. */
static void
record_put(struct runlog_file *f, int kind, const char *buf, size_t n,
	   int64_t at)
{
	unsigned char h[RUNLOG_HEAD_LEN];
	int e;

	if (f->failed)
		return;
	if (f->fd == -1) {
		runlog_head_encode(h, kind, n, at);
		strbuf_add(&f->mem, (const char *)h, sizeof h);
		strbuf_add(&f->mem, buf, n);
		return;
	}
	if ((e = runlog_record_write(f->fd, &f->off, kind, buf, n, at)) != 0)
		runlog_stop(f, e);
}

/* The bytes over the per-run cap: none when the cap is reached. */
static size_t
runlog_room(struct runlog_file *f, size_t n)
{
	int64_t room = f->rl->lim.run_max_bytes - f->written;

	if (room <= 0) {
		f->dropped += (int64_t)n;
		return 0;
	}
	if ((int64_t)n > room) {
		f->dropped += (int64_t)n - room;
		return (size_t)room;
	}
	return n;
}

static void
runlog_kept(struct runlog_file *f, size_t n)
{
	f->written += (int64_t)n;
	f->rl->since_prune += (int64_t)n + RUNLOG_HEAD_LEN;
}

void
runlog_write(struct runlog_file *f, int kind, const char *buf, size_t n,
	     int64_t at)
{
	if (f == NULL || n == 0 || f->failed)
		return;
	if ((n = runlog_room(f, n)) == 0)
		return;
	record_put(f, kind, buf, n, at);
	if (f->failed)
		return;
	runlog_kept(f, n);
	runlog_settle(f, at);
}

int
runlog_full(const struct runlog_file *f)
{
	return f == NULL || f->failed || f->written >= f->rl->lim.run_max_bytes;
}

void
runlog_drop(struct runlog_file *f, size_t n)
{
	if (f != NULL)
		f->dropped += (int64_t)n;
}

/* Moves n bytes from the pipe to the file; the head is written. */
static size_t
splice_body(struct runlog_file *f, int pipefd, size_t n)
{
	size_t moved = 0;
	ssize_t s;

	while (moved < n) {
		s = splice(pipefd, NULL, f->fd, NULL, n - moved, 0);
		if (s > 0)
			moved += (size_t)s;
		else if (s == -1 && errno == EINTR)
			continue;
		else
			break;
	}
	return moved;
}

ssize_t
runlog_splice(struct runlog_file *f, int kind, int pipefd, int64_t at)
{
	unsigned char h[RUNLOG_HEAD_LEN];
	int avail = 0, e;
	size_t n, moved;
	ssize_t w;

	if (runlog_full(f) || f->no_splice || f->fd == -1)
		return 0;	/* no file yet: read, for memory */
	if (ioctl(pipefd, FIONREAD, &avail) == -1 || avail <= 0)
		return 0;
	/* The head says exactly what the pipe holds (no one else reads it),
	 * cut at the cap; the bytes over it are left to the caller's read. */
	n = (size_t)avail;
	if ((int64_t)n > f->rl->lim.run_max_bytes - f->written)
		n = (size_t)(f->rl->lim.run_max_bytes - f->written);
	runlog_head_encode(h, kind, n, at);
	if ((w = write(f->fd, h, sizeof h)) != (ssize_t)sizeof h) {
		record_undo(f, w == -1 ? errno : ENOSPC);
		return 0;
	}
	errno = 0;
	if ((moved = splice_body(f, pipefd, n)) == n) {
		f->off += (int64_t)(RUNLOG_HEAD_LEN + n);
		runlog_kept(f, n);
		return (ssize_t)n;
	}
	e = errno != 0 ? errno : ENOSPC;
	if (moved == 0 && (e == EINVAL || e == ENOSYS) &&
	    ftruncate(f->fd, f->off) == 0 &&
	    lseek(f->fd, f->off, SEEK_SET) == f->off) {
		f->no_splice = 1;	/* the caller reads and writes instead */
		return 0;
	}
	record_undo(f, e);
	return (ssize_t)moved;	/* gone from the pipe, not kept */
}

int
runlog_file_fd(struct runlog_file *f)
{
	return f == NULL ? -1 : f->fd;
}

void
runlog_share(const struct runlog_file *f, struct runlog_shared *st)
{
	memset(st, 0, sizeof *st);
	if (f == NULL)
		return;
	st->off = f->off;
	st->kept = f->written;
}

void
runlog_adopt(struct runlog_file *f, const struct runlog_shared *st)
{
	int64_t off;

	if (f == NULL || f->fd == -1)
		return;		/* never handed over */
	/* st->off is 0 when the helper died before it took the file */
	off = st->off > f->off ? st->off : f->off;
	if (ftruncate(f->fd, off) != 0 || lseek(f->fd, off, SEEK_SET) != off) {
		runlog_stop(f, errno);
		return;
	}
	f->rl->since_prune += off - f->off;
	f->off = off;
	f->written = st->kept;
	f->dropped += st->dropped;
	if (st->error != 0)
		runlog_stop(f, st->error);
}

char *
runlog_end(struct runlog_file *f, const char *status, size_t *len)
{
	struct runlog *rl;
	char *records = NULL;
	int64_t now;

	*len = 0;
	if (f == NULL)
		return NULL;
	rl = f->rl;
	/* Past the bound, the pool's file if it has one now; a log whose
	 * file never came (the pool's thread just started, or behind) is
	 * the history's, whatever its size. */
	if (f->fd == -1 && (int64_t)f->mem.len > rl->lim.inline_max_bytes)
		runlog_open(f);
	if (f->fd != -1 || f->mem.len > 0) {	/* it printed */
		now = mgr_now_us();
		if (f->dropped > 0) {
			char num[32];
			int n = snprintf(num, sizeof num, "%" PRId64, f->dropped);
			record_put(f, RUNLOG_DROPPED, num, (size_t)n, now);
		}
		record_put(f, RUNLOG_END, status, strlen(status), now);
		rl->since_prune += RUNLOG_HEAD_LEN * 2;
	}
	if (f->fd != -1)
		close(f->fd);
	else if (f->mem.len > 0) {	/* the history keeps it */
		*len = f->mem.len;
		records = strbuf_detach(&f->mem);
	}
	if (f->shipped != NULL)		/* a failed log too: what it has */
		runlog_ship_end(rl->ship, f->shipped);
	strbuf_free(&f->mem);
	free(f->task_id);
	free(f);
	/* The total cap is kept between housekeeping runs too: a prune when
	 * an eighth of it was written since the last. */
	if (rl->since_prune > rl->lim.total_max_bytes / 8)
		runlog_prune_async(rl);
	return records;
}

/* Pruning: runlog_prune.c, on a thread of its own. */

static void *
prune_thread(void *arg)
{
	struct runlog *rl = arg;

	/* Shipped logs: the database's alone (their spool files are
	 * the shipping thread's). */
	runlog_prune(rl->ship != NULL ? NULL : rl->logs_dir, rl->db_path,
	    &rl->lim, mgr_now_us(), rl->log);
	atomic_store(&rl->thread_done, 1);
	return NULL;
}

void
runlog_prune_async(struct runlog *rl)
{
	if (rl == NULL)
		return;
	if (rl->thread_started) {
		if (!atomic_load(&rl->thread_done))
			return;		/* one at a time */
		pthread_join(rl->thread, NULL);
		rl->thread_started = 0;
	}
	atomic_store(&rl->thread_done, 0);
	rl->since_prune = 0;
	if (thread_create_named(&rl->thread, "mgr-logprune", prune_thread, rl) == 0)
		rl->thread_started = 1;
}

/* Reading. */

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static int64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static void
part_flush(struct runlog_parse *p, int i, runlog_line_fn fn, void *arg)
{
	struct runlog_line l = { .at = p->part_at[i], .kind = RUNLOG_STDOUT + i,
	    .text = p->part[i].buf != NULL ? p->part[i].buf : "",
	    .len = p->part[i].len };

	fn(&l, arg);
	p->part[i].len = 0;
}

/* The bytes of one stdout or stderr record, cut into lines. */
static void
parse_output(struct runlog_parse *p, int kind, const char *b, size_t n,
	     int64_t at, runlog_line_fn fn, void *arg)
{
	int i = kind - RUNLOG_STDOUT;
	const char *nl;

	while (n > 0) {
		if (p->part[i].len == 0)
			p->part_at[i] = at;
		if ((nl = memchr(b, '\n', n)) == NULL) {
			strbuf_add(&p->part[i], b, n);
			return;
		}
		if (p->part[i].len == 0) {
			/* The common case: a whole line, given in place. */
			struct runlog_line l = { .at = at, .kind = kind,
			    .text = b, .len = (size_t)(nl - b) };
			fn(&l, arg);
		} else {
			strbuf_add(&p->part[i], b, (size_t)(nl - b));
			part_flush(p, i, fn, arg);
		}
		n -= (size_t)(nl - b) + 1;
		b = nl + 1;
	}
}

static void
parse_record(struct runlog_parse *p, int kind, const char *b, size_t n,
	     int64_t at, runlog_line_fn fn, void *arg)
{
	struct runlog_line l = { .at = at, .kind = kind, .text = b, .len = n };

	switch (kind) {
	case RUNLOG_STDOUT:
	case RUNLOG_STDERR:
		parse_output(p, kind, b, n, at, fn, arg);
		break;
	case RUNLOG_DROPPED:
		runlog_parse_finish(p, fn, arg);
		p->dropped = 0;
		for (size_t i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++)
			p->dropped = p->dropped * 10 + (b[i] - '0');
		fn(&l, arg);
		break;
	case RUNLOG_END:
		runlog_parse_finish(p, fn, arg);
		free(p->status);
		p->status = xstrndup(b, n);
		p->ended = 1;
		break;
	default:
		break;		/* a kind of a later version */
	}
}

/* The records in buf[0..n), the incomplete tail left in *used. */
static int
parse_records(struct runlog_parse *p, const char *buf, size_t n, size_t *used,
	      runlog_line_fn fn, void *arg)
{
	size_t off = 0;

	while (n - off >= RUNLOG_HEAD_LEN) {
		const unsigned char *h = (const unsigned char *)buf + off;
		uint32_t len = le32(h);

		if (len > RUNLOG_MAX_RECORD)
			return -1;
		if (n - off - RUNLOG_HEAD_LEN < len)
			break;
		parse_record(p, h[4], buf + off + RUNLOG_HEAD_LEN, len,
		    le64(h + 8), fn, arg);
		off += RUNLOG_HEAD_LEN + len;
	}
	*used = off;
	return 0;
}

int
runlog_parse_feed(struct runlog_parse *p, const char *buf, size_t n,
		  runlog_line_fn fn, void *arg)
{
	size_t used = 0, skip = 0;
	int rc, pending = p->pending.len > 0 || !p->magic_ok;

	if (pending) {
		strbuf_add(&p->pending, buf, n);
		buf = p->pending.buf;
		n = p->pending.len;
	}
	if (!p->magic_ok) {
		if (n < RUNLOG_MAGIC_LEN)
			return memcmp(buf, RUNLOG_MAGIC, n) == 0 ? 0 : -1;
		if (memcmp(buf, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN) != 0)
			return -1;
		p->magic_ok = 1;
		skip = RUNLOG_MAGIC_LEN;
	}
	if ((rc = parse_records(p, buf + skip, n - skip, &used, fn, arg)) != 0)
		return rc;
	used += skip;
	if (pending) {		/* keep the tail at the start of pending */
		memmove(p->pending.buf, buf + used, n - used);
		p->pending.len = n - used;
	} else
		strbuf_add(&p->pending, buf + used, n - used);
	return rc;
}

void
runlog_parse_finish(struct runlog_parse *p, runlog_line_fn fn, void *arg)
{
	for (int i = 0; i < 2; i++)
		if (p->part[i].len > 0)
			part_flush(p, i, fn, arg);
}

void
runlog_parse_clear(struct runlog_parse *p)
{
	strbuf_free(&p->pending);
	strbuf_free(&p->part[0]);
	strbuf_free(&p->part[1]);
	free(p->status);
	memset(p, 0, sizeof *p);
}

static const char *
kind_name(int kind)
{
	return kind == RUNLOG_STDOUT ? "stdout" : kind == RUNLOG_STDERR ?
	    "stderr" : "dropped";
}

void
runlog_line_format(struct strbuf *sb, const struct runlog_line *l, int json,
		   const struct tz *zone)
{
	char when[TIMEFMT_ISO_MAX];

	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s%}", "time",
		    timefmt_machine(when, sizeof when, l->at), "stream",
		    kind_name(l->kind), "text", l->text, l->len);
		char *s;

		if (j == NULL) {	/* not UTF-8: the bytes made safe */
			char *raw = xstrndup(l->text, l->len);
			char *safe = utf8_sanitize(raw);
			j = json_pack("{s:s, s:s, s:s}", "time", when, "stream",
			    kind_name(l->kind), "text", safe);
			free(raw);
			free(safe);
		}
		s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		strbuf_addf(sb, "%s\n", s != NULL ? s : "{}");
		free(s);
		json_decref(j);
		return;
	}
	timefmt_iso(when, sizeof when, l->at, zone);
	if (l->kind == RUNLOG_DROPPED)
		strbuf_addf(sb, _("%s %s [%.*s more bytes not kept: "
		    "log_run_max_mb]\n"), when, kind_name(l->kind), (int)l->len,
		    l->text);
	else {
		strbuf_addf(sb, "%s %s ", when, kind_name(l->kind));
		strbuf_add(sb, l->text, l->len);
		strbuf_add(sb, "\n", 1);
	}
}

/* Opens the file when it exists; ENOENT is no error: a run's log is
 * made at its first output, and a reader may come earlier. */
static int
reader_try_open(struct runlog_reader *rd, struct mgr_error *err)
{
	if (rd->fd != -1 || (rd->settled && rd->found))
		return 0;
	rd->fd = open(rd->path, O_RDONLY | O_CLOEXEC);
	if (rd->fd == -1 && errno != ENOENT)
		return mgr_error_set(err, MGR_EIO, _("cannot open run log %s: %s"),
		    rd->path, strerror(errno));
	rd->found |= rd->fd != -1;
	return 0;
}

/* A run without a file: once the history has it over, its records kept
 * there, fed as a file's would be (after the magic).  The bytes read;
 * 0: none (yet). */
static int64_t
reader_history(struct runlog_reader *rd, runlog_line_fn fn, void *arg,
	       struct mgr_error *err)
{
	char *rec = NULL;
	size_t len = 0;
	int ended = 0, rc;

	if (rd->db == NULL || rd->settled)
		return 0;
	if ((rc = runlog_store_inline(rd->db, rd->task_id, rd->scheduled_at,
	    rd->attempt, &ended, &rec, &len, err)) != 0)
		return rc;
	/* Over with none kept there: the file made before its end (looked
	 * for again at the next read), or no output at all. */
	rd->settled = ended || rec != NULL;
	if (rec == NULL)
		return 0;
	rd->found = 1;
	rd->parse.magic_ok = 1;
	rc = runlog_parse_feed(&rd->parse, rec, len, fn, arg);
	free(rec);
	if (rc != 0)
		return mgr_error_set(err, MGR_EINVAL, _("the log of run %s at "
		    "%lld (attempt %d) kept in the history is damaged"),
		    rd->task_id, (long long)rd->scheduled_at, rd->attempt);
	return (int64_t)len;
}

/* A run's chunks in the database (runlog_reader_open_run on such a
 * backend), one a step, from the first on: the file's bytes (magic
 * included), parsed as the file's.  None new: the small log the
 * history keeps, when it has none. */
static int64_t
reader_chunks(struct runlog_reader *rd, runlog_line_fn fn, void *arg,
	      struct mgr_error *err)
{
	char *b = NULL;
	size_t len = 0;
	int64_t got = 0;
	int rc;

	if ((rc = runlog_store_chunk_next(rd->db, rd->task_id,
	    rd->scheduled_at, rd->attempt, rd->seq, &got, &b, &len, err)) != 0)
		return rc;
	if (b == NULL)
		return rd->found ? 0 : reader_history(rd, fn, arg, err);
	rd->found = 1;
	rd->seq = got + 1;
	rc = runlog_parse_feed(&rd->parse, b, len, fn, arg);
	free(b);
	if (rc != 0)
		return mgr_error_set(err, MGR_EINVAL, _("the log of run %s at "
		    "%lld (attempt %d) kept in the database is damaged in its "
		    "chunk %lld"), rd->task_id, (long long)rd->scheduled_at,
		    rd->attempt, (long long)got);
	return (int64_t)len;
}

int
runlog_reader_open(struct runlog_reader *rd, const char *path,
		   struct mgr_error *err)
{
	int rc;

	memset(rd, 0, sizeof *rd);
	rd->fd = -1;
	rd->path = xstrdup(path);
	if ((rc = reader_try_open(rd, err)) != 0) {
		free(rd->path);
		rd->path = NULL;
	}
	return rc;
}

int
runlog_reader_open_run(struct runlog_reader *rd, const struct runlog_run *run,
		       struct mgr_error *err)
{
	int chunked = run->db != NULL && runlog_store_chunked(run->db);
	char *path = runlog_path(run->state_directory, run->task_id,
	    run->scheduled_at, run->attempt);
	int rc = 0;

	if (chunked) {		/* the database's, never this host's files */
		memset(rd, 0, sizeof *rd);
		rd->fd = -1;
		rd->path = path;
		rd->chunked = 1;
	} else {
		rc = runlog_reader_open(rd, path, err);
		free(path);
	}
	if (rc != 0)
		return rc;
	rd->db = run->db;
	rd->task_id = xstrdup(run->task_id);
	rd->scheduled_at = run->scheduled_at;
	rd->attempt = run->attempt;
	return 0;
}

int64_t
runlog_reader_step(struct runlog_reader *rd, runlog_line_fn fn, void *arg,
		   struct mgr_error *err)
{
	char buf[65536];
	ssize_t n;
	int rc;

	if (rd->chunked)
		return reader_chunks(rd, fn, arg, err);
	if ((rc = reader_try_open(rd, err)) != 0)
		return rc;
	if (rd->fd == -1)		/* in the history, or nothing yet */
		return reader_history(rd, fn, arg, err);
	do
		n = read(rd->fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mgr_error_set(err, MGR_EIO, _("cannot read run log %s: %s"),
		    rd->path, strerror(errno));
	if (n > 0 && runlog_parse_feed(&rd->parse, buf, (size_t)n, fn, arg) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s is not a run log, or "
		    "is damaged before byte %lld"), rd->path,
		    (long long)lseek(rd->fd, 0, SEEK_CUR));
	return n;
}

int64_t
runlog_reader_poll(struct runlog_reader *rd, runlog_line_fn fn, void *arg,
		   struct mgr_error *err)
{
	int64_t total = 0, n;

	while ((n = runlog_reader_step(rd, fn, arg, err)) > 0)
		total += n;
	return n < 0 ? n : total;
}

void
runlog_reader_close(struct runlog_reader *rd)
{
	if (rd->fd != -1)
		close(rd->fd);
	free(rd->path);
	free(rd->task_id);
	runlog_parse_clear(&rd->parse);
	memset(rd, 0, sizeof *rd);
	rd->fd = -1;
}

struct read_arg {
	struct runlog_lines *out;
	unsigned mask;
	int64_t since;
	size_t max;			/* 0: all */
	size_t first;			/* ring start when max is reached */
};

static void
lines_keep(const struct runlog_line *l, void *argp)
{
	struct read_arg *a = argp;
	struct runlog_lines *o = a->out;
	struct runlog_line *slot;

	if (!(a->mask & (1u << l->kind)) || l->at < a->since)
		return;
	if (a->max > 0 && o->n == a->max) {
		/* Only the last max lines: a ring over the oldest. */
		slot = &o->v[a->first];
		free((char *)slot->text);
		a->first = (a->first + 1) % a->max;
	} else {
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 256;
			o->v = xrealloc(o->v, o->cap * sizeof *o->v);
		}
		slot = &o->v[o->n++];
	}
	*slot = *l;
	slot->text = xstrndup(l->text, l->len);
}

/* The ring back in order, oldest first. */
static void
lines_unring(struct runlog_lines *o, size_t first)
{
	struct runlog_line *v;

	if (first == 0)
		return;
	v = xmalloc(o->n * sizeof *v);
	for (size_t i = 0; i < o->n; i++)
		v[i] = o->v[(first + i) % o->n];
	free(o->v);
	o->v = v;
	o->cap = o->n;
}

static int
reader_collect(struct runlog_reader *rd, struct read_arg *a, int finish,
	       struct mgr_error *err)
{
	struct runlog_lines *out = a->out;
	int64_t rc;

	memset(out, 0, sizeof *out);
	rc = runlog_reader_poll_tail(rd, a->mask, a->since, a->max, lines_keep,
	    a, err);
	if (rc >= 0 && finish && !rd->parse.ended)
		runlog_parse_finish(&rd->parse, lines_keep, a);
	out->ended = rd->parse.ended;
	out->found = rd->found;
	out->status = rd->parse.status != NULL ? xstrdup(rd->parse.status) : NULL;
	lines_unring(out, a->first);
	if (rc < 0) {
		runlog_lines_clear(out);
		return (int)rc;
	}
	return 0;
}

int
runlog_reader_tail(struct runlog_reader *rd, unsigned mask, int64_t since,
		   size_t max, struct runlog_lines *out, struct mgr_error *err)
{
	struct read_arg a = { .out = out, .mask = mask, .since = since,
	    .max = max };

	return reader_collect(rd, &a, 0, err);
}

int
runlog_read(const char *path, unsigned mask, int64_t since, size_t max,
	    struct runlog_lines *out, struct mgr_error *err)
{
	struct read_arg a = { .out = out, .mask = mask, .since = since,
	    .max = max };
	struct runlog_reader rd;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = runlog_reader_open(&rd, path, err)) != 0)
		return rc;
	rc = reader_collect(&rd, &a, 1, err);
	runlog_reader_close(&rd);
	return rc;
}

int
runlog_read_run(const struct runlog_run *run, unsigned mask, int64_t since,
		size_t max, struct runlog_lines *out, struct mgr_error *err)
{
	struct read_arg a = { .out = out, .mask = mask, .since = since,
	    .max = max };
	struct runlog_reader rd;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = runlog_reader_open_run(&rd, run, err)) != 0)
		return rc;
	rc = reader_collect(&rd, &a, 1, err);
	runlog_reader_close(&rd);
	return rc;
}

void
runlog_lines_clear(struct runlog_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->v[i].text);
	free(l->v);
	free(l->status);
	memset(l, 0, sizeof *l);
}
