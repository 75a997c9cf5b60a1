/* api_stream.c - a run's log as an HTTP answer, read from its file in
 * steps of 64 KiB as the client takes it (or at once from the history,
 * which keeps a small one: runlog_reader_open_run).  Following a running run, a
 * read that finds nothing new suspends the connection and a timer
 * resumes it 100 ms later (MHD calls a content reader again at once when
 * it returns 0: without the suspension the loop would spin). */
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
#include <stdlib.h>
#include <string.h>

#define STREAM_POLL_S 0.1
#define STREAM_CHECK_EVERY 10	/* polls between looks at the history */

struct api_stream {
	struct mgr *mgr;
	struct MHD_Connection *conn;
	void (*kick)(void *arg);
	void *kick_arg;
	struct runlog_reader rd;
	struct strbuf buf;		/* formatted, not yet sent */
	size_t off;
	unsigned mask;
	int json, follow;
	char *task_id;
	int64_t scheduled_at;
	int attempt;
	int over;			/* nothing more will come */
	int polls;
	int suspended;
	ev_timer tick;
	struct api_stream **list;	/* the server's streams */
	struct api_stream *prev, *next;
};

static void
stream_line(const struct runlog_line *l, void *arg)
{
	struct api_stream *s = arg;

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
stream_run_over(struct api_stream *s)
{
	int ended = 0;
	int64_t id;

	if (++s->polls % STREAM_CHECK_EVERY != 0)
		return 0;
	return runlog_store_state(s->mgr->db, s->task_id, s->scheduled_at,
	    s->attempt, &ended, &id, NULL) == 0 && ended;
}

/* One step of the file into buf; sets over at its end.  Returns the
 * bytes read. */
static int64_t
stream_fill(struct api_stream *s)
{
	struct mgr_error err = { 0 };
	int64_t n = runlog_reader_step(&s->rd, stream_line, s, &err);

	if (n < 0) {
		log_warning(&s->mgr->log, "api: %s", err.msg);
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

static ssize_t
stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct api_stream *s = cls;
	size_t n;

	(void)pos;
	if (s->off == s->buf.len) {
		s->off = s->buf.len = 0;
		while (s->buf.len == 0 && !s->over && stream_fill(s) > 0)
			;		/* lines left out, or unfinished */
	}
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
	ev_timer_set(&s->tick, STREAM_POLL_S, 0);
	ev_timer_start(s->mgr->loop, &s->tick);
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

	if (runlog_reader_open_run(&s->rd, &run, err) != 0) {
		free(s);
		return NULL;
	}
	s->mgr = mgr;
	s->mask = spec->mask;
	s->json = spec->json;
	s->follow = spec->follow;
	s->task_id = xstrdup(spec->task_id);
	s->scheduled_at = spec->scheduled_at;
	s->attempt = spec->attempt;
	ev_timer_init(&s->tick, stream_tick_cb, STREAM_POLL_S, 0);
	s->tick.data = s;
	return s;
}

void
api_stream_free(struct api_stream *s)
{
	if (s == NULL)
		return;
	ev_timer_stop(s->mgr->loop, &s->tick);
	if (s->list != NULL) {
		if (s->prev != NULL)
			s->prev->next = s->next;
		else
			*s->list = s->next;
		if (s->next != NULL)
			s->next->prev = s->prev;
	}
	runlog_reader_close(&s->rd);
	strbuf_free(&s->buf);
	free(s->task_id);
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
