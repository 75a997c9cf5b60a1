/* api_stream.c - a run's log as an HTTP answer, read from its file in
 * steps of 64 KiB as the client takes it (or at once from the history,
 * which keeps a small one: runlog_reader_open_run).  Following a running run, a
 * read that finds nothing new suspends the connection and a timer
 * resumes it 100 ms later (MHD calls a content reader again at once when
 * it returns 0: without the suspension the loop would spin).
 *
 * A log the database keeps in chunks (PostgreSQL: runlog_store_chunked)
 * is read by a thread of its own with a connection of its own (struct
 * stream_feed), never on the loop: each step is a statement, and a
 * server that is slow or waits for a lock would hold the loop, and with
 * it every fire time, for as long as the statement takes.  The thread
 * keeps at most FEED_HIGH bytes ahead of the client, and wakes the loop
 * (ev_async) when a connection suspended for want of bytes has some. */
#include "i18n.h"
#include "manager.h"
#include "api_routes.h"
#include "api_stream.h"
#include "runlog.h"
#include "runlog_store.h"
#include "timefmt.h"
#include "util.h"

#include <ev.h>
#include "mhd_fns.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STREAM_POLL_S 0.1
#define STREAM_CHECK_EVERY 10	/* polls between looks at the history */
#define FEED_HIGH (256 << 10)	/* bytes a feed reads ahead at most */

/* Where a log's lines come from, formatted into buf: its reader and
 * the connection its reads go through (the loop's, or a feed's own). */
struct stream_src {
	struct mgr_db *db;
	struct runlog_reader rd;
	struct strbuf buf;
	unsigned mask;
	int json, follow;
	char *task_id;
	int64_t scheduled_at;
	int attempt;
	int over;			/* nothing more will come */
	int polls;
	char *error;			/* a read that failed, to log */
};

/* A chunked log's reader thread and what it hands the loop, shared
 * under mu: the last of the stream and the thread to let go frees it. */
struct stream_feed {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	int stop;			/* the stream is gone */
	int waiting;			/* the loop waits for bytes */
	int over;			/* out is the rest */
	struct strbuf out;		/* formatted, for the loop */
	char *error;			/* for the loop to log */
	struct ev_loop *loop;
	ev_async *wake;			/* NULL once the stream is gone */
	char *database;
	struct stream_src src;		/* the thread's alone */
};

struct api_stream {
	struct mgr *mgr;
	struct MHD_Connection *conn;
	void (*kick)(void *arg);
	void *kick_arg;
	struct stream_src src;		/* a file's, or the history's */
	struct stream_feed *feed;	/* or a chunked log's thread */
	struct strbuf buf;		/* formatted, not yet sent */
	size_t off;
	int over;
	int suspended;
	ev_timer tick;
	ev_async wake;
	struct api_stream **list;	/* the server's streams */
	struct api_stream *prev, *next;
};

static void
stream_line(const struct runlog_line *l, void *arg)
{
	struct stream_src *s = arg;

	struct strbuf line = { 0 };
	char when[TIMEFMT_ISO_MAX];

	if (!(s->mask & (1u << l->kind)))
		return;
	/* `task logs`' line; its JSON has the one time form for machines
	 * already, its text the time in the API's form too. */
	runlog_line_format(&line, l, s->json, NULL);
	if (!s->json)
		strbuf_addf(&s->buf, "%s%s", timefmt_machine(when, sizeof when,
		    l->at), line.buf + strcspn(line.buf, " "));
	else
		strbuf_adds(&s->buf, line.buf);
	strbuf_free(&line);
}

static void
stream_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct api_stream *s = w->data;

	(void)loop;
	(void)revents;
	s->suspended = 0;
	MHD_resume_connection(s->conn);
	s->kick(s->kick_arg);	/* may free s */
}

void
api_streams_end(struct api_stream *list)
{
	for (struct api_stream *s = list; s != NULL; s = s->next) {
		s->over = 1;
		ev_timer_stop(s->mgr->loop, &s->tick);
		if (s->suspended) {
			s->suspended = 0;
			MHD_resume_connection(s->conn);
		}
	}
}

/* The run is over by the history (an engine that died before the end
 * record: its successor records the run interrupted). */
static int
stream_run_over(struct stream_src *s)
{
	int ended = 0;
	int64_t id;

	if (++s->polls % STREAM_CHECK_EVERY != 0)
		return 0;
	return runlog_store_state(s->db, s->task_id, s->scheduled_at,
	    s->attempt, &ended, &id, NULL) == 0 && ended;
}

/* One step of the file into buf; sets over at its end.  Returns the
 * bytes read. */
static int64_t
stream_fill(struct stream_src *s)
{
	struct mgr_error err = { 0 };
	int64_t n = runlog_reader_step(&s->rd, stream_line, s, &err);

	if (n < 0) {
		free(s->error);
		s->error = xstrdup(err.msg);
		s->over = 1;
		return 0;
	}
	if (n > 0 || s->rd.parse.ended) {
		s->over = s->rd.parse.ended;
		return n;
	}
	if (!s->follow || stream_run_over(s)) {
		/* At the end of a run that has no end record: the rest. */
		if (!s->follow || runlog_reader_poll(&s->rd, stream_line, s,
		    &err) >= 0)
			runlog_parse_finish(&s->rd.parse, stream_line, s);
		s->over = 1;
	}
	return 0;
}

static void
buf_swap(struct strbuf *a, struct strbuf *b)
{
	struct strbuf t = *a;

	*a = *b;
	*b = t;
}

/* A failed read, logged on the loop (a feed's thread never touches the
 * engine's log: the engine may be gone when its statement returns). */
static void
src_log_error(struct api_stream *s, struct stream_src *src)
{
	if (src->error == NULL)
		return;
	log_warning(&s->mgr->log, "api: %s", src->error);
	free(src->error);
	src->error = NULL;
}

/* ---- a chunked log's thread ---- */

static void
src_clear(struct stream_src *s)
{
	runlog_reader_close(&s->rd);
	strbuf_free(&s->buf);
	free(s->task_id);
	free(s->error);
}

static void
feed_unref(struct stream_feed *f)
{
	int last;

	pthread_mutex_lock(&f->mu);
	last = --f->refs == 0;
	pthread_mutex_unlock(&f->mu);
	if (!last)
		return;
	src_clear(&f->src);
	strbuf_free(&f->out);
	free(f->error);
	free(f->database);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

/* What the thread read goes to out; the loop is woken when it waits.
 * Returns whether the stream is gone. */
static int
feed_hand(struct stream_feed *f)
{
	int stop;

	pthread_mutex_lock(&f->mu);
	strbuf_add(&f->out, f->src.buf.buf, f->src.buf.len);
	f->src.buf.len = 0;
	f->over = f->src.over;
	if (f->src.error != NULL && f->error == NULL) {
		f->error = f->src.error;
		f->src.error = NULL;
	}
	if (f->waiting && f->wake != NULL && (f->out.len > 0 || f->over)) {
		f->waiting = 0;
		ev_async_send(f->loop, f->wake);
	}
	stop = f->stop;
	pthread_mutex_unlock(&f->mu);
	return stop;
}

/* Waits while the client has FEED_HIGH bytes to take, or, with
 * idle set (following: nothing new), STREAM_POLL_S at most.  Returns
 * whether the stream is gone. */
static int
feed_wait(struct stream_feed *f, int idle)
{
	struct timespec until;
	int stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)(STREAM_POLL_S * 1e9);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->mu);
	while (!f->stop && f->out.len >= FEED_HIGH)
		pthread_cond_wait(&f->cv, &f->mu);
	if (idle && !f->stop)
		pthread_cond_timedwait(&f->cv, &f->mu, &until);
	stop = f->stop;
	pthread_mutex_unlock(&f->mu);
	return stop;
}

static void *
feed_thread(void *arg)
{
	struct stream_feed *f = arg;
	struct mgr_error err = { 0 };
	int64_t n = 0;
	int idle = 0;

	if (db_open(f->database, &f->src.db, &err) != 0) {
		f->src.error = xstrdup(err.msg);
		f->src.over = 1;
	}
	f->src.rd.db = f->src.db;
	while (!feed_wait(f, idle)) {
		n = 0;
		while (f->src.buf.len == 0 && !f->src.over &&
		    (n = stream_fill(&f->src)) > 0)
			;	/* lines left out, or unfinished */
		if (feed_hand(f) || f->src.over)
			break;
		idle = n == 0;	/* following: nothing new yet */
	}
	if (f->src.db != NULL)
		db_close(f->src.db);
	f->src.db = f->src.rd.db = NULL;
	feed_unref(f);
	return NULL;
}

/* The loop takes what the thread read; none yet: it waits (*waiting). */
static void
feed_take(struct api_stream *s)
{
	struct stream_feed *f = s->feed;
	char *error;

	pthread_mutex_lock(&f->mu);
	buf_swap(&s->buf, &f->out);
	f->out.len = 0;
	s->over |= f->over && s->buf.len == 0;
	f->waiting = s->buf.len == 0 && !s->over;
	error = f->error;
	f->error = NULL;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	if (error != NULL)
		log_warning(&s->mgr->log, "api: %s", error);
	free(error);
}

static void
feed_wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct api_stream *s = w->data;

	(void)loop;
	(void)revents;
	if (!s->suspended)
		return;
	s->suspended = 0;
	MHD_resume_connection(s->conn);
	s->kick(s->kick_arg);	/* may free s */
}

/* The thread for s, which hands it src (the reader opened on the
 * loop's connection, which a chunked reader has not used yet). */
static int
feed_start(struct api_stream *s, struct mgr_error *err)
{
	struct stream_feed *f = xcalloc(1, sizeof *f);
	pthread_t t;
	int e;

	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	f->refs = 2;
	f->loop = s->mgr->loop;
	f->wake = &s->wake;
	f->database = xstrdup(db_path(s->mgr->db));
	f->src = s->src;
	memset(&s->src, 0, sizeof s->src);
	ev_async_init(&s->wake, feed_wake_cb);
	s->wake.data = s;
	ev_async_start(s->mgr->loop, &s->wake);
	s->feed = f;
	if ((e = thread_create_named(&t, "mgr-apilog", feed_thread, f)) != 0) {
		f->refs = 1;
		return mgr_error_set(err, MGR_EIO, _("cannot start a thread to "
		    "read run %s's log: %s"), f->src.task_id, strerror(e));
	}
	pthread_detach(t);
	return 0;
}

/* The stream lets go: the thread ends at its next look (after the
 * statement it may be in: the loop never waits for it). */
static void
feed_stop(struct api_stream *s)
{
	struct stream_feed *f = s->feed;

	pthread_mutex_lock(&f->mu);
	f->stop = 1;
	f->wake = NULL;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	ev_async_stop(s->mgr->loop, &s->wake);
	feed_unref(f);
	s->feed = NULL;
}

/* ---- the answer ---- */

/* buf emptied: the next lines from the file or the history, or what
 * the feed read. */
static void
stream_next(struct api_stream *s)
{
	s->off = s->buf.len = 0;
	if (s->feed != NULL) {
		feed_take(s);
		return;
	}
	while (s->src.buf.len == 0 && !s->src.over && stream_fill(&s->src) > 0)
		;		/* lines left out, or unfinished */
	src_log_error(s, &s->src);
	buf_swap(&s->buf, &s->src.buf);
	s->over |= s->src.over;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct api_stream *s = cls;
	size_t n;

	(void)pos;
	if (s->off == s->buf.len && !s->over)
		stream_next(s);
	if (s->off < s->buf.len) {
		n = s->buf.len - s->off < max ? s->buf.len - s->off : max;
		memcpy(out, s->buf.buf + s->off, n);
		s->off += n;
		return (ssize_t)n;
	}
	if (s->over)
		return MHD_CONTENT_READER_END_OF_STREAM;
	MHD_suspend_connection(s->conn);
	s->suspended = 1;
	if (s->feed == NULL) {	/* the feed wakes the loop itself */
		ev_timer_set(&s->tick, STREAM_POLL_S, 0);
		ev_timer_start(s->mgr->loop, &s->tick);
	}
	return 0;
}

static void
stream_free_cb(void *cls)
{
	api_stream_free(cls);
}

struct api_stream *
api_stream_new(struct mgr *mgr, const struct api_stream_spec *spec,
	       struct mgr_error *err)
{
	struct api_stream *s = xcalloc(1, sizeof *s);
	struct runlog_run run = { .db = mgr->db,
	    .state_directory = mgr->conf->state_directory,
	    .task_id = spec->task_id, .scheduled_at = spec->scheduled_at,
	    .attempt = spec->attempt };

	if (runlog_reader_open_run(&s->src.rd, &run, err) != 0) {
		free(s);
		return NULL;
	}
	s->mgr = mgr;
	s->src.db = mgr->db;
	s->src.mask = spec->mask;
	s->src.json = spec->json;
	s->src.follow = spec->follow;
	s->src.task_id = xstrdup(spec->task_id);
	s->src.scheduled_at = spec->scheduled_at;
	s->src.attempt = spec->attempt;
	ev_timer_init(&s->tick, stream_tick_cb, STREAM_POLL_S, 0);
	s->tick.data = s;
	if (runlog_store_chunked(mgr->db) && feed_start(s, err) != 0) {
		api_stream_free(s);
		return NULL;
	}
	return s;
}

void
api_stream_free(struct api_stream *s)
{
	if (s == NULL)
		return;
	ev_timer_stop(s->mgr->loop, &s->tick);
	if (s->feed != NULL)
		feed_stop(s);
	if (s->list != NULL) {
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			*s->list = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
	}
	src_clear(&s->src);
	strbuf_free(&s->buf);
	free(s);
}

struct MHD_Response *
api_stream_response(struct api_stream *s, struct MHD_Connection *conn,
		    struct api_stream **list, void (*kick)(void *arg), void *arg)
{
	struct MHD_Response *res;

	s->list = list;
	s->next = *list;
	if (*list != NULL)
		(*list)->prev = s;
	*list = s;
	s->conn = conn;
	s->kick = kick;
	s->kick_arg = arg;
	res = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024,
	    stream_read, s, stream_free_cb);
	if (res == NULL)
		api_stream_free(s);
	return res;
}
