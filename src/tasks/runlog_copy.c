/* runlog_copy.c - the large run logs in db copy (runlog_copy.h): listed
 * by their runs' keys in key order, each read whole from the source
 * (a file, or its chunks) and written whole to the target (chunks of
 * whole records, or a file), then read back from the target. */
#include "i18n.h"
#include "runlog.h"
#include "runlog_copy.h"
#include "runlog_record.h"
#include "runlog_ship.h"
#include "runlog_store.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

struct logkey {
	char *task_id;
	int64_t scheduled_at;
	int attempt;
};

struct logkeys {
	struct logkey *v;
	size_t n, cap;
	struct mgr_db *db;	/* the source: only logs of its runs */
	struct mgr_error err;	/* the first read that failed */
};

static void
keys_add(struct logkeys *k, const char *task_id, int64_t scheduled_at,
	 int attempt)
{
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 16;
		k->v = xrealloc(k->v, k->cap * sizeof *k->v);
	}
	k->v[k->n].task_id = xstrdup(task_id);
	k->v[k->n].scheduled_at = scheduled_at;
	k->v[k->n].attempt = attempt;
	k->n++;
}

static void
keys_free(struct logkeys *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->v[i].task_id);
	free(k->v);
}

static int
key_cmp(const void *a, const void *b)
{
	const struct logkey *x = a, *y = b;
	int c = strcmp(x->task_id, y->task_id);

	if (c != 0)
		return c;
	if (x->scheduled_at != y->scheduled_at)
		return x->scheduled_at < y->scheduled_at ? -1 : 1;
	return (x->attempt > y->attempt) - (x->attempt < y->attempt);
}

/* A file of the source's logs folder, when the source records its run:
 * a file no run names (its row pruned, a stray) would be chunks that
 * nothing ever deletes. */
static void
key_of_file(void *arg, const char *path, const char *task_id,
	    int64_t scheduled_at, int attempt)
{
	struct logkeys *k = arg;
	int64_t run_id = 0;
	int ended;

	(void)path;
	if (k->err.code == 0 && runlog_store_state(k->db, task_id,
	    scheduled_at, attempt, &ended, &run_id, &k->err) == 0 &&
	    run_id != 0)
		keys_add(k, task_id, scheduled_at, attempt);
}

/* A log the history keeps: the chunked ones (a small one is a row of
 * run_logs, which db_copy copied). */
static void
key_of_entry(void *arg, const struct runlog_store_entry *e)
{
	struct logkeys *k = arg;
	char *b = NULL;
	size_t len;
	int64_t got;

	if (k->err.code == 0 && runlog_store_chunk_next(k->db, e->task_id,
	    e->scheduled_at, e->attempt, 0, &got, &b, &len, &k->err) == 0 &&
	    b != NULL)
		keys_add(k, e->task_id, e->scheduled_at, e->attempt);
	free(b);
}

static int
list_logs(struct mgr_db *db, const char *logs_dir, struct logkeys *k,
	  struct mgr_error *err)
{
	int rc = 0;

	k->db = db;
	if (runlog_store_chunked(db))
		rc = runlog_store_list(db, key_of_entry, k, err);
	else
		runlog_files_each(logs_dir, key_of_file, k);
	if (rc == 0 && k->err.code != 0) {	/* a log's run or chunks */
		*err = k->err;
		rc = k->err.code;
	}
	sort_array(k->v, k->n, sizeof *k->v, key_cmp);
	return rc;
}

static char *
log_file(const char *logs_dir, const struct logkey *key)
{
	char *name = runlog_task_dir(key->task_id);
	char *p = xasprintf("%s/%s/%" PRId64 "-%d.log", logs_dir, name,
	    key->scheduled_at, key->attempt);

	free(name);
	return p;
}

/* One log whole: its file's bytes, or its chunks' in order (*b
 * malloc'd, *len). */
static int
read_log(struct mgr_db *db, const char *logs_dir, const struct logkey *key,
	 struct strbuf *sb, struct mgr_error *err)
{
	int64_t seq = 0, got;
	char *b = NULL, *path;
	size_t len;
	int rc;

	if (!runlog_store_chunked(db)) {
		path = log_file(logs_dir, key);
		rc = read_file(path, &b, &len, err);
		free(path);
		if (rc == 0)
			strbuf_add(sb, b, len);
		free(b);
		return rc;
	}
	for (;;) {
		if ((rc = runlog_store_chunk_next(db, key->task_id,
		    key->scheduled_at, key->attempt, seq, &got, &b, &len,
		    err)) != 0 || b == NULL)
			return rc;
		strbuf_add(sb, b, len);
		free(b);
		seq = got + 1;
	}
}

/* Where the chunk that starts at `start` ends: whole records up to
 * SHIP_CHUNK_MAX (the magic with the first), or one longer record alone,
 * as runlog_ship cuts a file; bytes that are no whole record (a file
 * cut short) go as they are, in the last chunk. */
static size_t
chunk_end(const char *b, size_t len, size_t start)
{
	size_t first = start == 0 && len >= RUNLOG_MAGIC_LEN ?
	    RUNLOG_MAGIC_LEN : 0, pos = start + first, rec;

	while (len - pos >= RUNLOG_HEAD_LEN) {
		rec = RUNLOG_HEAD_LEN +
		    (size_t)runlog_head_len((const unsigned char *)b + pos);
		if (rec > len - pos ||
		    (pos - start + rec > SHIP_CHUNK_MAX && pos > start + first))
			break;
		pos += rec;
	}
	return pos > start + first ? pos : len;
}

static int
write_chunks(struct mgr_db *to, const struct logkey *key, const char *b,
	     size_t len, struct mgr_error *err)
{
	int64_t seq = 0;
	size_t start = 0, end;
	int rc;

	while (start < len) {
		end = chunk_end(b, len, start);
		if ((rc = runlog_store_chunk_put(to, key->task_id,
		    key->scheduled_at, key->attempt, seq++, b + start,
		    end - start, err)) != 0)
			return rc;
		start = end;
	}
	return 0;
}

/* The log as a file of the target's folder: never over another one
 * (O_EXCL), whose name is kept for undo once made. */
static int
write_file(struct runlog_copy *c, const struct logkey *key, const char *b,
	   size_t len, struct mgr_error *err)
{
	char *path = log_file(c->logs_dir, key), *dir = xstrdup(path);
	struct iovec iov = { (void *)b, len };
	int fd = -1, rc;

	*strrchr(dir, '/') = '\0';
	if ((rc = mkdir_p(dir, 0700, 1, err)) == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		rc = errno == EEXIST ? mgr_error_set(err, MGR_EEXIST,
		    _("cannot write run log %s: it exists already (db copy "
		    "writes no run log over another)"), path) :
		    mgr_error_set(err, MGR_EIO, _("cannot write run log %s: %s"),
		    path, strerror(errno));
	if (fd != -1) {
		c->made = strv_push(c->made, path);
		if (write_iov(fd, &iov, 1, 0) != 0 || close(fd) != 0)
			rc = mgr_error_set(err, MGR_EIO, _("cannot write run log "
			    "%s: %s"), path, strerror(errno));
	}
	free(dir);
	free(path);
	return rc;
}

/* The chain over the logs, as db_copy's over rows: each log's key, its
 * length and the SHA-256 of its bytes into the last sum. */
static void
sum_log(char sum[65], const struct logkey *key, const struct strbuf *sb)
{
	char one[65], *s;

	sha256_hex(sb->buf != NULL ? sb->buf : "", sb->len, one);
	s = xasprintf("%s|%zu:%s|%" PRId64 "|%d|%zu:%s", sum,
	    strlen(key->task_id), key->task_id, key->scheduled_at,
	    key->attempt, sb->len, one);
	sha256_hex(s, strlen(s), sum);
	free(s);
}

/* Every log of k from db (into `to` when set), chained into sum. */
static int
copy_pass(struct runlog_copy *c, struct mgr_db *db, const char *dir,
	  struct mgr_db *to, const struct logkeys *k, char sum[65],
	  struct mgr_error *err)
{
	int rc = 0;

	sum[0] = '\0';
	for (size_t i = 0; rc == 0 && i < k->n; i++) {
		struct strbuf sb = STRBUF_INIT;

		if ((rc = read_log(db, dir, &k->v[i], &sb, err)) == 0)
			sum_log(sum, &k->v[i], &sb);
		if (rc == 0 && to != NULL)
			rc = runlog_store_chunked(to) ?
			    write_chunks(to, &k->v[i], sb.buf, sb.len, err) :
			    write_file(c, &k->v[i], sb.buf, sb.len, err);
		strbuf_free(&sb);
	}
	return rc;
}

int
runlog_copy_logs(void *arg, struct mgr_db *from, struct mgr_db *to,
		 struct db_copy_table *line, struct mgr_error *err)
{
	struct runlog_copy *c = arg;
	struct logkeys k = { 0 };
	char back[65];
	int rc;

	/* Two files: the target reads the same folder. */
	if (!runlog_store_chunked(from) && !runlog_store_chunked(to))
		return 0;
	line->name = "large_logs";
	if ((rc = list_logs(from, c->logs_dir, &k, err)) == 0 &&
	    (rc = copy_pass(c, from, c->logs_dir, to, &k, line->sha256,
	    err)) == 0 &&
	    (rc = copy_pass(c, to, c->logs_dir, NULL, &k, back, err)) == 0 &&
	    strcmp(back, line->sha256) != 0)
		rc = mgr_error_set(err, MGR_EDB, _("the run logs differ after "
		    "the copy (%zu logs): nothing was kept"), k.n);
	line->rows = (int64_t)k.n;
	keys_free(&k);
	return rc;
}

void
runlog_copy_undo(void *arg)
{
	struct runlog_copy *c = arg;

	for (size_t i = 0; c->made != NULL && c->made[i] != NULL; i++)
		unlink(c->made[i]);
}

void
runlog_copy_clear(struct runlog_copy *c)
{
	strv_free(c->made);
	c->made = NULL;
}
