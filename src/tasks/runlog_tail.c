/* runlog_tail.c - a run log's last lines without reading it from its
 * start, so a pager over a 100 MB log opens in milliseconds.
 *
 * Records are chained forward only (each head gives the length of its
 * payload), so a reader that starts in the middle must find a record
 * boundary.  It reads a window at the end of the file and takes the
 * first offset in it where a head is plausible (length under the cap, a
 * known kind, the three zero bytes, a time near the log's first record)
 * and the chain of heads from there runs to the end of the file.
 * Random bytes pass the head test about once in 10^13 offsets and then
 * must chain to the end too.  A task that prints forged heads can at worst
 * misplace its own lines at the top of the window; `task logs` without
 * --lines reads from the start and is never fooled.
 *
 * The first line of each stream in the window may have begun before it,
 * so it is not given; the window grows (times 4) until it holds enough
 * whole lines, and past half the file the whole file is read as before.
 * When that first line would be one of the lines asked for (a stream
 * that prints rarely), the window grows too, up to TAIL_TRUST_WINDOW,
 * where the line is taken as whole. */
#include "i18n.h"
#include "runlog.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A head's time within a year of the log's first one: clocks step, the
 * format does not promise order. */
#define TAIL_TIME_SLACK (366LL * 86400 * 1000000)
#define TAIL_MIN_WINDOW (64 * 1024)
#define TAIL_BYTES_PER_LINE 160
#define TAIL_TRUST_WINDOW (3 * 1024 * 1024)

static uint32_t
tail_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static int64_t
tail_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return (int64_t)v;
}

struct tail_bounds {
	int64_t lo, hi;		/* plausible times */
};

static int
head_plausible(const unsigned char *h, const struct tail_bounds *b)
{
	int64_t at = tail_le64(h + 8);

	return tail_le32(h) <= RUNLOG_MAX_RECORD && h[4] >= RUNLOG_STDOUT &&
	    h[4] <= RUNLOG_END && h[5] == 0 && h[6] == 0 && h[7] == 0 &&
	    at >= b->lo && at <= b->hi;
}

/* Do plausible heads chain from off to the end of buf?  The last record
 * may be cut after its head: the run goes on, the writer is appending. */
static int
chain_to_end(const unsigned char *buf, size_t n, size_t off,
	     const struct tail_bounds *b)
{
	while (off < n) {
		if (n - off < RUNLOG_HEAD_LEN || !head_plausible(buf + off, b))
			return 0;
		off += RUNLOG_HEAD_LEN + tail_le32(buf + off);
	}
	return 1;
}

/* The first record boundary of buf[0..n), or (size_t)-1. */
static size_t
find_boundary(const unsigned char *buf, size_t n, const struct tail_bounds *b)
{
	for (size_t off = 0; off + RUNLOG_HEAD_LEN <= n; off++)
		if (head_plausible(buf + off, b) && chain_to_end(buf, n, off, b))
			return off;
	return (size_t)-1;
}

/* Passes lines on, without the first of each stream (it may have begun
 * before the window) unless keep_first, counting those of mask at or
 * after since. */
struct tail_pass {
	runlog_line_fn fn;	/* NULL: count only */
	void *arg;
	unsigned mask;
	int64_t since;
	int keep_first;
	size_t n;
	int started[2];
	size_t n_before[2];	/* n when the stream's first line came */
};

static void
tail_line(const struct runlog_line *l, void *argp)
{
	struct tail_pass *t = argp;
	int i = l->kind - RUNLOG_STDOUT;

	if ((l->kind == RUNLOG_STDOUT || l->kind == RUNLOG_STDERR) &&
	    !t->started[i]) {
		t->started[i] = 1;
		t->n_before[i] = t->n;
		if (!t->keep_first)
			return;
	}
	if ((t->mask & (1u << l->kind)) && l->at >= t->since)
		t->n++;
	if (t->fn != NULL)
		t->fn(l, t->arg);
}

static int
read_at(int fd, unsigned char *buf, size_t n, off_t at)
{
	size_t got = 0;
	ssize_t r;

	errno = 0;
	while (got < n) {
		r = pread(fd, buf + got, n - got, at + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* The window mapped, not copied: the page cache's pages serve as they
 * are (a copy of a few MB costs more than the parse on a busy machine).
 * Logs are appended to or removed, never truncated, so no SIGBUS.
 * *map and *maplen are what to unmap. */
static const unsigned char *
window_map(int fd, off_t at, size_t n, void **map, size_t *maplen)
{
	long page = sysconf(_SC_PAGESIZE);
	off_t start = at - at % (page > 0 ? page : 4096);

	*maplen = n + (size_t)(at - start);
	*map = mmap(NULL, *maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
	    start);
	if (*map == MAP_FAILED)
		return NULL;
	return (const unsigned char *)*map + (at - start);
}

enum { WINDOW_SHORT, WINDOW_ENOUGH, WINDOW_UNSURE };

/* Does the window hold max whole lines of mask?  UNSURE: it does, but the
 * first line of a stream of mask, which may be cut, would be one of them
 * (or is unfinished): only a larger window tells. */
static int
window_check(const unsigned char *buf, size_t n, unsigned mask,
	     int64_t since, size_t max)
{
	struct runlog_parse p = { .magic_ok = 1 };
	struct tail_pass t = { .mask = mask, .since = since };
	int rc = WINDOW_SHORT;

	if (runlog_parse_feed(&p, (const char *)buf, n, tail_line, &t) == 0 &&
	    t.n >= max) {
		rc = WINDOW_ENOUGH;
		for (int i = 0; i < 2; i++) {
			if (!(mask & (1u << (i + RUNLOG_STDOUT))))
				continue;
			if ((t.started[i] && t.n - t.n_before[i] < max) ||
			    (!t.started[i] && p.part[i].len > 0))
				rc = WINDOW_UNSURE;
		}
	}
	runlog_parse_clear(&p);
	return rc;
}

/* Reads the window [at, at + n) of rd's file; 1 when it held enough and
 * its lines were given (rd then follows from its end), 0 when a larger
 * window is needed, or a negative MGR_E* code. */
static int
tail_window(struct runlog_reader *rd, off_t at, size_t n,
	    const struct tail_bounds *bounds, struct tail_pass *t, size_t max,
	    struct mgr_error *err)
{
	void *map;
	size_t maplen, b;
	const unsigned char *buf = window_map(rd->fd, at, n, &map, &maplen);
	int rc = 0, check = WINDOW_SHORT;

	if (buf == NULL)
		return mgr_error_set(err, MGR_EIO, _("cannot read run log %s: %s"),
		    rd->path, strerror(errno));
	b = find_boundary(buf, n, bounds);
	if (b != (size_t)-1)
		check = window_check(buf + b, n - b, t->mask, t->since, max);
	/* A stream's first line in a window this large is taken whole: a
	 * line cut across megabytes of the other stream's output is rare,
	 * reading the whole file for it is not. */
	if (check == WINDOW_UNSURE && n >= TAIL_TRUST_WINDOW)
		t->keep_first = 1;
	else if (check != WINDOW_ENOUGH)
		check = WINDOW_SHORT;
	if (check != WINDOW_SHORT) {
		rd->parse.magic_ok = 1;
		if (runlog_parse_feed(&rd->parse, (const char *)buf + b, n - b,
		    tail_line, t) == 0 &&
		    lseek(rd->fd, at + (off_t)n, SEEK_SET) != (off_t)-1)
			rc = 1;
		else
			rc = mgr_error_set(err, MGR_EIO, _("cannot read run log %s: "
			    "%s"), rd->path, strerror(errno));
	}
	munmap(map, maplen);
	return rc;
}

/* The plausible times, from the first record's head; 0 when the file has
 * none yet. */
static int
tail_bounds_read(int fd, struct tail_bounds *b)
{
	unsigned char h[RUNLOG_MAGIC_LEN + RUNLOG_HEAD_LEN];

	if (read_at(fd, h, sizeof h, 0) != 0 ||
	    memcmp(h, RUNLOG_MAGIC, RUNLOG_MAGIC_LEN) != 0)
		return 0;
	b->lo = tail_le64(h + RUNLOG_MAGIC_LEN + 8) - TAIL_TIME_SLACK;
	b->hi = mgr_now_us() + TAIL_TIME_SLACK;
	return 1;
}

int64_t
runlog_reader_poll_tail(struct runlog_reader *rd, unsigned mask,
			int64_t since, size_t max, runlog_line_fn fn, void *arg,
			struct mgr_error *err)
{
	struct tail_pass t = { .fn = fn, .arg = arg, .mask = mask,
	    .since = since };
	struct tail_bounds bounds;
	struct stat st;
	size_t w;
	int rc;

	/* Only a fresh reader of an existing file starts at its end. */
	if (max == 0 || rd->fd == -1 || rd->parse.magic_ok ||
	    lseek(rd->fd, 0, SEEK_CUR) != 0 || fstat(rd->fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || !tail_bounds_read(rd->fd, &bounds))
		return runlog_reader_poll(rd, fn, arg, err);
	w = max * TAIL_BYTES_PER_LINE;
	if (w < TAIL_MIN_WINDOW)
		w = TAIL_MIN_WINDOW;
	for (; (off_t)w < st.st_size / 2; w *= 4) {
		memset(t.started, 0, sizeof t.started);
		rc = tail_window(rd, st.st_size - (off_t)w, w, &bounds, &t, max,
		    err);
		if (rc < 0)
			return rc;
		if (rc == 1) {	/* then what was appended meanwhile */
			int64_t more = runlog_reader_poll(rd, fn, arg, err);

			return more < 0 ? more : (int64_t)w + more;
		}
	}
	return runlog_reader_poll(rd, fn, arg, err);
}
