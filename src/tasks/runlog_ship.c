/* runlog_ship.c - large run logs into the database, on a thread of the
 * log store with its own connection (runlog_ship.h). */
#include "i18n.h"
#include "db.h"
#include "dbstring.h"
#include "log.h"
#include "runlog.h"
#include "runlog_record.h"
#include "runlog_ship.h"
#include "runlog_store.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One log being stored.  Made by the loop (runlog_ship_add) or from a
 * file left by an earlier engine; the thread's but for `ended`. */
struct runlog_shipped {
	char *path;
	char *task_id;
	int64_t scheduled_at;
	int attempt;
	int ended;			/* under mu: the last record is written */
	/* The thread's. */
	int fd;				/* -1 until opened */
	int64_t off;			/* the file's bytes stored */
	int64_t seq;			/* the next chunk's number */
	int resync;			/* ask the database where it ends first */
	struct runlog_shipped *next;
};

struct runlog_ship {
	char *db_path;
	char *spool_dir;
	struct mgr_log *log;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	struct runlog_shipped *incoming;	/* under mu: added by the loop */
	int stop, kick;				/* under mu */
	pthread_t thread;
	int started;
	/* The thread's. */
	struct runlog_shipped *logs;
	struct mgr_db *db;
	int warned;			/* a failure told, none stored since */
};

char *
runlog_ship_dir(const char *logs_dir, const char *db_path)
{
	char *stem = NULL, *dir;
	const char *base;

	/* A hidden folder per database, which the files' pruning of a
	 * SQLite host with the same state folder never takes for a task's. */
	if (db_string_local_stem(db_path, logs_dir, &stem, NULL) != 0 ||
	    stem == NULL)
		return xasprintf("%s/.postgresql", logs_dir);
	base = strrchr(stem, '/');
	dir = xasprintf("%s/.%s", logs_dir, base != NULL ? base + 1 : stem);
	free(stem);
	return dir;
}

static struct runlog_shipped *
shipped_new(const char *path, const char *task_id, int64_t scheduled_at,
	    int attempt)
{
	struct runlog_shipped *l = xcalloc(1, sizeof *l);

	l->path = xstrdup(path);
	l->task_id = xstrdup(task_id);
	l->scheduled_at = scheduled_at;
	l->attempt = attempt;
	l->fd = -1;
	return l;
}

static void
shipped_free(struct runlog_shipped *l)
{
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	free(l->task_id);
	free(l);
}

/* A file left by an earlier engine: over, and perhaps partly stored
 * already (resync). */
static void
leftover(void *arg, const char *path, const char *task_id,
	 int64_t scheduled_at, int attempt)
{
	struct runlog_ship *s = arg;
	struct runlog_shipped *l = shipped_new(path, task_id, scheduled_at,
	    attempt);

	l->ended = l->resync = 1;
	l->next = s->logs;
	s->logs = l;
}

/* A failure: told once until a round goes in again; nothing of the
 * round counts (its transaction is undone: every log asks the database
 * where it ends at the next round), and the connection is made again
 * then. */
static void
ship_failed(struct runlog_ship *s, const struct mgr_error *err)
{
	if (!s->warned && s->log != NULL)
		log_warning(s->log, _("run logs: cannot store them in the "
		    "database, kept in %s until it can: %s"), s->spool_dir,
		    err->msg);
	s->warned = 1;
	for (struct runlog_shipped *l = s->logs; l != NULL; l = l->next)
		l->resync = 1;
	if (s->db != NULL)
		db_close(s->db);
	s->db = NULL;
}

/* All of n bytes at off, or fewer at the file's end. */
static size_t
read_at(int fd, char *buf, size_t n, int64_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, buf + got, n - got, (off_t)(off + (int64_t)got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

/* The next chunk from l->off: the whole records (the magic first at 0)
 * that fit in SHIP_CHUNK_MAX, or one longer record alone.  Its length
 * (0: no whole record yet); *buf malloc'd. */
static size_t
chunk_read(struct runlog_shipped *l, char **buf)
{
	size_t got, pos = l->off == 0 ? RUNLOG_MAGIC_LEN : 0, need;
	uint32_t len;

	*buf = xmalloc(SHIP_CHUNK_MAX);
	got = read_at(l->fd, *buf, SHIP_CHUNK_MAX, l->off);
	if (got < pos + RUNLOG_HEAD_LEN)
		return 0;
	for (;;) {
		len = runlog_head_len((unsigned char *)*buf + pos);
		if (len > RUNLOG_MAX_RECORD)
			return 0;	/* damage: left in the file */
		if (got - pos < RUNLOG_HEAD_LEN + (size_t)len)
			break;
		pos += RUNLOG_HEAD_LEN + len;
		if (got - pos < RUNLOG_HEAD_LEN)
			return pos;
	}
	if (pos > (l->off == 0 ? RUNLOG_MAGIC_LEN : 0))
		return pos;
	/* One record longer than a chunk: alone. */
	need = pos + RUNLOG_HEAD_LEN + len;
	*buf = xrealloc(*buf, need);
	return read_at(l->fd, *buf, need, l->off) == need ? need : 0;
}

/* Stores what l's file has past what is stored, in the round's
 * transaction.  Returns 0, or -1 when the database did not take it. */
static int
ship_chunks(struct runlog_ship *s, struct runlog_shipped *l,
	    struct mgr_error *err)
{
	char *buf;
	size_t n;

	if (l->resync) {
		if (runlog_store_chunk_tail(s->db, l->task_id, l->scheduled_at,
		    l->attempt, &l->seq, &l->off, err) != 0)
			return -1;
		l->resync = 0;
	}
	while ((n = chunk_read(l, &buf)) > 0) {
		if (runlog_store_chunk_put(s->db, l->task_id, l->scheduled_at,
		    l->attempt, l->seq, buf, n, err) != 0) {
			free(buf);
			return -1;
		}
		free(buf);
		l->off += (int64_t)n;
		l->seq++;
	}
	free(buf);
	return 0;
}

/* One log's part of the round: -1 the database failed, 1 it is done
 * (over, and stored whole once the round commits), 0 more to come. */
static int
ship_one(struct runlog_ship *s, struct runlog_shipped *l,
	 struct mgr_error *err)
{
	int ended;

	/* Read before the file: once over, what the file has is all. */
	pthread_mutex_lock(&s->mu);
	ended = l->ended;
	pthread_mutex_unlock(&s->mu);
	if (l->fd == -1 &&
	    (l->fd = open(l->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return ended;	/* gone: nothing left to store */
	if (ship_chunks(s, l, err) != 0)
		return -1;
	return ended;
}

/* A log stored whole: its file goes, when it is still the one read. */
static void
ship_done(struct runlog_shipped *l)
{
	struct stat a, b;
	char *slash;

	if (l->fd != -1 && fstat(l->fd, &a) == 0 &&
	    stat(l->path, &b) == 0 && a.st_ino == b.st_ino &&
	    a.st_dev == b.st_dev && unlink(l->path) == 0 &&
	    (slash = strrchr(l->path, '/')) != NULL) {
		*slash = '\0';
		rmdir(l->path);		/* the task's folder, once empty */
	}
	shipped_free(l);
}

/* Every log's new bytes in one transaction (one commit a round, not one
 * a chunk); the logs that are over and stored whole go once it is
 * committed. */
static void
ship_round(struct runlog_ship *s)
{
	struct mgr_error err = { 0 };
	struct runlog_shipped **pp, *l, *done = NULL;
	int rc = 0;

	pthread_mutex_lock(&s->mu);
	while ((l = s->incoming) != NULL) {	/* oldest ends up first */
		s->incoming = l->next;
		l->next = s->logs;
		s->logs = l;
	}
	pthread_mutex_unlock(&s->mu);
	if (s->logs == NULL)
		return;
	if (s->db == NULL && db_open(s->db_path, &s->db, &err) != 0) {
		s->db = NULL;
		ship_failed(s, &err);
		return;
	}
	if (db_begin(s->db, &err) != 0) {
		ship_failed(s, &err);
		return;
	}
	for (pp = &s->logs; (l = *pp) != NULL && rc >= 0;) {
		if ((rc = ship_one(s, l, &err)) == 1) {
			*pp = l->next;
			l->next = done;
			done = l;
		} else
			pp = &l->next;
	}
	if (rc >= 0 && db_commit(s->db, &err) != 0)
		rc = -1;
	if (rc < 0) {
		db_rollback(s->db);
		while ((l = done) != NULL) {	/* not stored after all */
			done = l->next;
			l->next = s->logs;
			s->logs = l;
		}
		ship_failed(s, &err);
		return;
	}
	s->warned = 0;
	while ((l = done) != NULL) {
		done = l->next;
		ship_done(l);
	}
}

/* The time ms after t0, for pthread_cond_timedwait. */
static struct timespec
after_ms(struct timespec t0, long ms)
{
	t0.tv_nsec += ms * 1000000L;
	t0.tv_sec += t0.tv_nsec / 1000000000L;
	t0.tv_nsec %= 1000000000L;
	return t0;
}

/* Under mu: waits for the next round: SHIP_EVERY_MS after the last one
 * began, or SHIP_END_GAP_MS after it once a run is over (its end soon,
 * for readers on other hosts, but not a round, so a transaction, at
 * every run's end). */
static void
ship_wait(struct runlog_ship *s, struct timespec began)
{
	struct timespec until, now;

	while (!s->stop) {
		until = after_ms(began, s->kick ? SHIP_END_GAP_MS :
		    SHIP_EVERY_MS);
		clock_gettime(CLOCK_REALTIME, &now);
		if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec &&
		    now.tv_nsec >= until.tv_nsec))
			return;
		if (pthread_cond_timedwait(&s->wake, &s->mu, &until) ==
		    ETIMEDOUT)
			return;
	}
}

static void *
ship_thread(void *arg)
{
	struct runlog_ship *s = arg;
	struct timespec began;

	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		s->kick = 0;
		pthread_mutex_unlock(&s->mu);
		clock_gettime(CLOCK_REALTIME, &began);
		ship_round(s);
		pthread_mutex_lock(&s->mu);
		ship_wait(s, began);
	}
	pthread_mutex_unlock(&s->mu);
	ship_round(s);		/* what came since, once more */
	return NULL;
}

struct runlog_ship *
runlog_ship_new(const char *db_path, const char *spool_dir,
		struct mgr_log *log)
{
	struct runlog_ship *s = xcalloc(1, sizeof *s);
	int e;

	s->db_path = xstrdup(db_path);
	s->spool_dir = xstrdup(spool_dir);
	s->log = log;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->wake, NULL);
	runlog_files_each(spool_dir, leftover, s);
	e = thread_create_named(&s->thread, "mgr-logship", ship_thread, s);
	s->started = e == 0;
	if (!s->started && log != NULL)	/* the files stay for a next start */
		log_warning(log, _("run logs: cannot start the thread that "
		    "stores them in the database: %s"), strerror(e));
	return s;
}

struct runlog_shipped *
runlog_ship_add(struct runlog_ship *s, const char *path, const char *task_id,
		int64_t scheduled_at, int attempt)
{
	struct runlog_shipped *l = shipped_new(path, task_id, scheduled_at,
	    attempt);

	pthread_mutex_lock(&s->mu);
	l->next = s->incoming;
	s->incoming = l;
	pthread_mutex_unlock(&s->mu);
	return l;
}

void
runlog_ship_end(struct runlog_ship *s, struct runlog_shipped *l)
{
	pthread_mutex_lock(&s->mu);
	l->ended = 1;
	s->kick = 1;		/* its end soon, not a quarter second later */
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->mu);
}

void
runlog_ship_free(struct runlog_ship *s)
{
	struct runlog_shipped *l;

	if (s == NULL)
		return;
	thread_ask_stop(&s->mu, &s->wake, &s->stop);
	if (s->started)
		pthread_join(s->thread, NULL);
	/* The loop's logs not yet taken (no thread), then the thread's. */
	while ((l = s->incoming) != NULL) {
		s->incoming = l->next;
		shipped_free(l);
	}
	while ((l = s->logs) != NULL) {
		s->logs = l->next;
		shipped_free(l);
	}
	if (s->db != NULL)
		db_close(s->db);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->mu);
	free(s->db_path);
	free(s->spool_dir);
	free(s);
}
