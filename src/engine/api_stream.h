/* api_stream.h - a run's log as an HTTP answer (GET
 * /manager/runs/{run}/log), streamed in steps from its file or the
 * history (runlog_reader_open_run); with follow, a chunked answer that
 * goes on while the run does. */
#ifndef MGR_API_STREAM_H
#define MGR_API_STREAM_H

#include <stdint.h>

struct mgr;
struct api_stream;
struct MHD_Connection;
struct MHD_Response;

struct api_stream_spec {
	const char *task_id;		/* the run's key: its log, its end */
	int64_t scheduled_at;
	int attempt;
	unsigned mask;			/* kinds shown (runlog.h) */
	int json;			/* JSON lines, else text */
	int follow;
};

/* NULL when the log cannot be opened (err says why). */
struct api_stream *api_stream_new(struct mgr *mgr,
				  const struct api_stream_spec *spec,
				  struct mgr_error *err);
void api_stream_free(struct api_stream *s);
/* The answer for conn, which owns s from now on (it leaves *list when
 * freed); kick(arg) runs the server once a suspended connection is
 * resumed. */
struct MHD_Response *api_stream_response(struct api_stream *s,
					 struct MHD_Connection *conn,
					 struct api_stream **list,
					 void (*kick)(void *arg), void *arg);
/* Before the server stops: every stream ends, none stays suspended
 * (MHD refuses to stop with suspended connections). */
void api_streams_end(struct api_stream *list);

#endif
