/* api.c - the HTTP API server: libmicrohttpd driven by the engine's libev
 * loop (MHD's epoll mode without threads: an ev_io on MHD's epoll fd and
 * an ev_timer for its timeouts call MHD_run), so requests run on the loop
 * thread like everything else and need no locking.
 */
#include "i18n.h"
#include "api.h"
#include "api_auth.h"
#include "api_routes.h"
#include "api_stream.h"
#include "manager.h"
#include "util.h"

#include <ev.h>
#include <jansson.h>
#include "mhd_fns.h"
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* MHD_run calls at stop to answer suspended requests: resume, answer,
 * send. */
#define API_STOP_RUNS 4

/* One connection from accept to close (MHD's socket context). */
struct api_conn {
	struct api_conn *prev, *next;
	int fd;			/* -1 once closed by api_conn_evict */
	struct sockaddr_storage peer;
	int64_t waiting_since;	/* mono us; 0 while a request is handled */
};

struct api {
	struct mgr *mgr;
	struct MHD_Daemon *daemon;
	char token_digest[65];	/* sha256_hex of the token, made once */
	size_t max_body;
	int port;
	int max_conns, max_conns_per_ip;
	struct api_conn *conns;
	unsigned long evicted;		/* since the last log line about it */
	int64_t evict_logged_at;
	ev_io io;
	ev_timer timer;
	struct api_stream *streams;	/* run logs being sent */
	struct api_request *waiting;	/* suspended for a plugin's worker */
	struct api_batch *batch;	/* pauses and resumes of this run */
	struct api_answers *answers;	/* task GETs' last answers */
};

/* One request while its body arrives, and while a plugin's host worker
 * or a command that answers later answers it (suspended). */
struct api_request {
	struct strbuf body;
	int too_large;
	enum { REQ_NEW, REQ_WAITING, REQ_ANSWERED } state;
	struct api_call call;		/* once routed */
	int64_t t0;
	struct api *api;
	struct MHD_Connection *conn;
	struct api_request *prev, *next;	/* api->waiting */
};

int
api_http_status(int exit_status, const char *code)
{
	switch (exit_status) {
	case 0:	return 200;
	case 2:	return 400;
	case 3:	return 404;
	case 4:	return 409;
	}
	if (code != NULL && (strcmp(code, mgr_code_name(MGR_EINVAL)) == 0 ||
	    strcmp(code, mgr_code_name(MGR_EUNSAFE)) == 0 ||
	    strcmp(code, mgr_code_name(MGR_EVERSION)) == 0))
		return 400;
	return 500;
}

/* The extra headers of an answer (NULL: none). */
struct api_headers {
	const char *allow;	/* 405 */
	const char *location;	/* 201, 202 */
	long long total;	/* X-Total-Count of a page; -1 none */
	const char *type;	/* Content-Type; NULL: JSON */
	int keepalive;		/* api.connection_timeout_seconds */
};

static void
api_add_headers(struct MHD_Response *res, int status,
		const struct api_headers *h)
{
	char num[32];

	if (status != 204)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
		    h != NULL && h->type != NULL ? h->type : "application/json");
	if (status == 401)
		MHD_add_response_header(res, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"manager\"");
	/* Refused before its body was read: nothing more from this client. */
	if (status == 401 || status == 413)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONNECTION, "close");
	if (h == NULL)
		return;
	if (h->allow != NULL && *h->allow != '\0')
		MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, h->allow);
	if (h->location != NULL && *h->location != '\0')
		MHD_add_response_header(res, MHD_HTTP_HEADER_LOCATION, h->location);
	if (h->total >= 0) {
		snprintf(num, sizeof num, "%lld", h->total);
		MHD_add_response_header(res, "X-Total-Count", num);
	}
	/* A client that knows when an idle connection is closed does not
	 * send its next request into one that is closing (undici does). */
	if (h->keepalive > 0) {
		snprintf(num, sizeof num, "timeout=%d", h->keepalive);
		MHD_add_response_header(res, "Keep-Alive", num);
	}
}

/* body NULL: no body (204). */
static enum MHD_Result
api_send(struct MHD_Connection *conn, int status, char *body,
	 const struct api_headers *h)
{
	struct MHD_Response *res;
	enum MHD_Result ret;

	if (body == NULL)
		res = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	else
		res = MHD_create_response_from_buffer(strlen(body), body,
		    MHD_RESPMEM_MUST_FREE);
	api_add_headers(res, status, h);
	ret = MHD_queue_response(conn, (unsigned)status, res);
	MHD_destroy_response(res);
	return ret;
}

/* FastAPI's {"detail": MESSAGE, "type": TYPE}. */
static enum MHD_Result
api_send_error(struct MHD_Connection *conn, int status, const char *type,
	       const char *msg)
{
	char *safe = utf8_sanitize(msg);
	json_t *o = json_pack("{s:s, s:s}", "detail", safe, "type", type);
	char *body = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	free(safe);
	if (body == NULL)
		body = xstrdup("{\"detail\":\"no answer\",\"type\":"
		    "\"internal_error\"}");
	return api_send(conn, status, body, NULL);
}

static enum MHD_Result
api_send_too_large(struct api *api, struct MHD_Connection *conn)
{
	char *msg = xasprintf(_("request body larger than api.max_body_kb "
	    "(%zu KiB)"), api->max_body / 1024);
	enum MHD_Result ret = api_send_error(conn, 413, "too_large", msg);

	free(msg);
	return ret;
}

const char *
api_query(const struct api_call *call, const char *name)
{
	return MHD_lookup_connection_value(call->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

static void api_run(struct api *api);

/* A resumed connection is served at the next MHD_run: now. */
static void
api_kick(void *arg)
{
	api_run(arg);
}

/* A run's log: the stream owns itself from here (MHD frees it). */
static enum MHD_Result
api_send_stream(struct api *api, struct MHD_Connection *conn,
		struct api_call *call)
{
	struct MHD_Response *res = api_stream_response(call->stream, conn,
	    &api->streams, api_kick, api);
	enum MHD_Result ret;

	free(call->body_out);
	call->body_out = NULL;
	if (res == NULL)
		return MHD_NO;
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
	    call->content_type);
	ret = MHD_queue_response(conn, (unsigned)call->status, res);
	MHD_destroy_response(res);
	return ret;
}

static void
api_wait_unlink(struct api *api, struct api_request *req)
{
	if (req->state != REQ_WAITING)
		return;
	if (req->prev != NULL)
		req->prev->next = req->next;
	else
		api->waiting = req->next;
	if (req->next != NULL)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
}

/* MHD serves a resumed connection at its next run: soon, from the
 * loop (this may be called from inside MHD_run). */
static void
api_soon(struct api *api)
{
	ev_timer_stop(api->mgr->loop, &api->timer);
	ev_timer_set(&api->timer, 0., 0.);
	ev_timer_start(api->mgr->loop, &api->timer);
}

/* The answer that came later is in req->call (api_routes.c). */
static void
api_answered(struct api_call *call)
{
	struct api_request *req = call->owner;

	api_wait_unlink(req->api, req);
	req->state = REQ_ANSWERED;
	MHD_resume_connection(req->conn);
	api_soon(req->api);
}

/* Routes the request; 1 when its answer comes later (a plugin's host
 * worker, a command that answers later): the connection waits,
 * suspended, and the loop goes on. */
static int
api_route_or_wait(struct api *api, struct MHD_Connection *conn,
		  const char *method, const char *url, struct api_request *req)
{
	struct api_call *call = &req->call;

	*call = (struct api_call){ .mgr = api->mgr, .method = method,
	    .url = url, .body = req->body.buf, .body_len = req->body.len,
	    .conn = conn, .total = -1, .answered = api_answered, .owner = req,
	    .batch = api->batch, .answers = api->answers };
	req->t0 = mgr_mono_us();
	api_route(call);
	if (call->ticket == NULL)
		return 0;
	req->api = api;
	req->conn = conn;
	req->state = REQ_WAITING;
	req->next = api->waiting;
	if (api->waiting != NULL)
		api->waiting->prev = req;
	api->waiting = req;
	MHD_suspend_connection(conn);
	return 1;
}

static enum MHD_Result
api_respond(struct api *api, struct MHD_Connection *conn, const char *method,
	    const char *url, struct api_request *req)
{
	struct api_call *call = &req->call;
	struct api_headers headers = { 0 };
	char *body;

	if (req->too_large)
		return api_send_too_large(api, conn);
	if (req->state == REQ_NEW && api_route_or_wait(api, conn, method, url,
	    req))
		return MHD_YES;
	log_info(&api->mgr->log, "api: %s %s: %d (%.1f ms)", method, url,
	    call->status, (mgr_mono_us() - req->t0) / 1000.0);
	if (call->stream != NULL)
		return api_send_stream(api, conn, call);
	if (call->body_out == NULL && call->status != 204)
		call->body_out = xstrdup("{}");
	headers.allow = call->allow;
	headers.location = call->location;
	headers.total = call->total;
	headers.type = call->body_type;
	headers.keepalive = api->mgr->conf->api_connection_timeout;
	body = call->body_out;
	call->body_out = NULL;		/* the response owns it */
	return api_send(conn, call->status, body, &headers);
}

static struct api_conn *
api_conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

/* The first call, once the headers are in: the token is checked before a
 * byte of the body is read, and a declared body over the limit refused. */
static enum MHD_Result
api_first_call(struct api *api, struct MHD_Connection *conn, const char *url,
	       const char *method, void **con_cls)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct api_conn *c = api_conn_of(conn);

	if (c != NULL)
		c->waiting_since = 0;	/* a request: no longer idle */
	if (!api_token_matches(api->token_digest, MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))) {
		log_warning(&api->mgr->log, "api: %s %s: 401", method, url);
		return api_send_error(conn, 401, "unauthorized", _("missing or "
		    "wrong bearer token (Authorization: Bearer TOKEN)"));
	}
	if (len != NULL && strtoull(len, NULL, 10) > api->max_body) {
		log_warning(&api->mgr->log, "api: %s %s: 413 (Content-Length %s)",
		    method, url, len);
		return api_send_too_large(api, conn);
	}
	*con_cls = xcalloc(1, sizeof(struct api_request));
	return MHD_YES;
}

/* First call: authenticate before reading any body.  Then accumulate the
 * body (bounded), then answer on the last call. */
static enum MHD_Result
api_handler(void *cls, struct MHD_Connection *conn, const char *url,
	    const char *method, const char *version, const char *upload_data,
	    size_t *upload_data_size, void **con_cls)
{
	struct api *api = cls;
	struct api_request *req = *con_cls;

	(void)version;
	if (req == NULL)
		return api_first_call(api, conn, url, method, con_cls);
	if (*upload_data_size > 0) {
		if (req->body.len + *upload_data_size > api->max_body)
			req->too_large = 1;
		else
			strbuf_add(&req->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return api_respond(api, conn, method, url, req);
}

static void
api_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	      enum MHD_RequestTerminationCode toe)
{
	struct api_request *req = *con_cls;

	struct api_conn *c = api_conn_of(conn);

	(void)toe;
	if (c != NULL)
		c->waiting_since = mgr_mono_us();	/* idle until the next */
	if (req == NULL)
		return;
	if (req->call.ticket != NULL)	/* closed while the answer is made */
		req->call.cancel(req->call.ticket);
	api_wait_unlink(cls, req);
	free(req->call.body_out);
	strbuf_free(&req->body);
	free(req);
	*con_cls = NULL;
}

static int
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr,
		    sizeof(struct in6_addr)) == 0;
	return 0;
}

/* Slowloris: connections that hold a slot without a complete request
 * (partial headers, or idle between requests) may take at most half of
 * api.max_connections_per_ip from one address and half of
 * api.max_connections in all.  Past that, a new connection closes the one
 * that has waited longest, so the other half stays free for requests that
 * arrive whole.  A connection handling a request is never closed here. */
static void
api_conn_evict(struct api *api, const struct api_conn *new)
{
	struct api_conn *oldest = NULL, *oldest_here = NULL, *victim = NULL;
	int all = 0, here = 0;

	for (struct api_conn *c = api->conns; c != NULL; c = c->next) {
		if (c == new || c->fd == -1 || c->waiting_since == 0)
			continue;
		all++;
		if (oldest == NULL || c->waiting_since < oldest->waiting_since)
			oldest = c;
		if (!same_host(&c->peer, &new->peer))
			continue;
		here++;
		if (oldest_here == NULL ||
		    c->waiting_since < oldest_here->waiting_since)
			oldest_here = c;
	}
	if (here >= api->max_conns_per_ip / 2)
		victim = oldest_here;
	else if (all >= api->max_conns / 2)
		victim = oldest;
	if (victim == NULL)
		return;
	shutdown(victim->fd, SHUT_RDWR);	/* MHD sees the end and closes it */
	victim->fd = -1;
	api->evicted++;
}

/* At most one log line every 10 s about evictions, whatever the attack. */
static void
api_evict_log(struct api *api)
{
	int64_t now = mgr_mono_us();

	if (api->evicted == 0 || now - api->evict_logged_at < 10 * 1000000LL)
		return;
	log_warning(&api->mgr->log, "api: closed %lu connection(s) that held a "
	    "slot without a request (api.max_connections_per_ip %d, "
	    "api.max_connections %d)", api->evicted, api->max_conns_per_ip,
	    api->max_conns);
	api->evicted = 0;
	api->evict_logged_at = now;
}

static void
api_conn_started(struct api *api, struct MHD_Connection *conn, void **ctx)
{
	const union MHD_ConnectionInfo *fd, *addr;
	struct api_conn *c = xcalloc(1, sizeof *c);

	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	c->fd = fd != NULL ? fd->connect_fd : -1;
	if (addr != NULL && addr->client_addr != NULL)
		memcpy(&c->peer, addr->client_addr,
		    addr->client_addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	c->waiting_since = mgr_mono_us();
	api_conn_evict(api, c);
	api_evict_log(api);
	c->next = api->conns;
	if (api->conns != NULL)
		api->conns->prev = c;
	api->conns = c;
	*ctx = c;
}

static void
api_conn_notify(void *cls, struct MHD_Connection *conn, void **ctx,
		enum MHD_ConnectionNotificationCode code)
{
	struct api *api = cls;
	struct api_conn *c = *ctx;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		api_conn_started(api, conn, ctx);
		return;
	}
	if (c == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		api->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c);
	*ctx = NULL;
}

/* After every MHD_run: MHD's next timeout drives our timer. */
static void
api_rearm(struct api *api)
{
	MHD_UNSIGNED_LONG_LONG ms;
	struct ev_loop *loop = api->mgr->loop;

	ev_timer_stop(loop, &api->timer);
	if (MHD_get_timeout(api->daemon, &ms) == MHD_YES) {
		ev_timer_set(&api->timer, ms / 1000.0, 0);
		ev_timer_start(loop, &api->timer);
	}
}

/* MHD serves what is ready; the pauses and resumes it routed are then
 * applied as one group (api_batch.c), their answers sent at the next
 * run (the answered requests set the timer to now). */
static void
api_run(struct api *api)
{
	MHD_run(api->daemon);
	api_rearm(api);
	api_batch_flush(api->batch);
}

static void
api_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	api_run(w->data);
}

static void
api_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	api_run(w->data);
}

/* libmicrohttpd's own messages, one per dropped connection under an
 * attack: at debug level, so they cannot flood the log (start-up failures
 * are reported by api_start itself). */
static void
api_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct api *api = cls;
	char *line;

	if (vasprintf(&line, fmt, ap) < 0)
		return;
	line[strcspn(line, "\n")] = '\0';
	log_debug(&api->mgr->log, "api: libmicrohttpd: %s", line);
	free(line);
}

static struct MHD_Daemon *
api_daemon_start(struct api *api, const struct api_addr *addr)
{
	const struct mgr_conf *c = api->mgr->conf;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME;	/* a followed log waits (api_stream.c) */
	const struct sockaddr *sa = (const struct sockaddr *)&addr->v4;

	if (addr->family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		sa = (const struct sockaddr *)&addr->v6;
	}
	return MHD_start_daemon(flags, (uint16_t)addr->port, NULL, NULL,
	    api_handler, api,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_EXTERNAL_LOGGER, api_mhd_log, api,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, api,
	    MHD_OPTION_NOTIFY_CONNECTION, api_conn_notify, api,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->api_connection_timeout,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->api_max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)c->api_max_connections_per_ip,
	    MHD_OPTION_END);
}

static int
api_watch(struct api *api)
{
	const union MHD_DaemonInfo *fd, *port;

	fd = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_EPOLL_FD);
	port = MHD_get_daemon_info(api->daemon, MHD_DAEMON_INFO_BIND_PORT);
	if (fd == NULL || port == NULL)
		return -1;
	api->port = port->port;
	ev_io_init(&api->io, api_io_cb, fd->epoll_fd, EV_READ);
	api->io.data = api;
	ev_io_start(api->mgr->loop, &api->io);
	ev_timer_init(&api->timer, api_timer_cb, 0, 0);
	api->timer.data = api;
	api_rearm(api);
	return 0;
}

int
api_start(struct mgr *mgr, struct api **out, struct mgr_error *err)
{
	const struct mgr_conf *c = mgr->conf;
	struct api_addr addr;
	struct api *api;
	char *token;
	int rc;

	*out = NULL;
	if (c->api_listen == NULL || *c->api_listen == '\0')
		return 0;
	if ((rc = api_listen_parse(c->api_listen, &addr, err)) != 0 ||
	    (rc = mhd_fns_load(c->api_listen, err)) != 0)
		return rc;
	api = xcalloc(1, sizeof *api);
	api->mgr = mgr;
	api->max_body = (size_t)c->api_max_body_kb * 1024;
	api->max_conns = c->api_max_connections;
	api->max_conns_per_ip = c->api_max_connections_per_ip;
	if ((rc = api_token_load(c->api_token, c->api_token_file, &token,
	    err)) != 0) {
		free(api);
		return rc;
	}
	sha256_hex(token, strlen(token), api->token_digest);
	free(token);
	api->batch = api_batch_new(mgr);
	api->answers = api_answers_new();
	if ((api->daemon = api_daemon_start(api, &addr)) == NULL ||
	    api_watch(api) != 0) {
		api_stop(api);
		return mgr_error_set(err, MGR_EIO, _("api.listen \"%s\": cannot "
		    "listen (address in use?)"), c->api_listen);
	}
	log_info(&mgr->log, "api: listening on %s (port %d)", c->api_listen,
	    api->port);
	*out = api;
	return 0;
}

int
api_port(const struct api *api)
{
	return api != NULL ? api->port : 0;
}

/* Before the server stops (MHD refuses to stop with suspended
 * connections): requests still waiting for a plugin's worker or a
 * command's answer are answered 503. */
static void
api_waiting_end(struct api *api)
{
	int resumed = api->waiting != NULL;

	while (api->waiting != NULL) {
		struct api_request *req = api->waiting;

		req->call.cancel(req->call.ticket);
		req->call.ticket = NULL;
		api_wait_unlink(api, req);
		req->state = REQ_ANSWERED;
		api_reply_error(&req->call, 503, "unavailable", _("the API is "
		    "stopping"));
		MHD_resume_connection(req->conn);
	}
	/* MHD_stop_daemon closes connections without sending what is
	 * queued: a few runs send the 503s (small, on sockets that take
	 * them at once) first. */
	for (int i = 0; resumed && i < API_STOP_RUNS; i++)
		MHD_run(api->daemon);
}

void
api_stop(struct api *api)
{
	if (api == NULL)
		return;
	if (api->daemon != NULL) {
		ev_io_stop(api->mgr->loop, &api->io);
		ev_timer_stop(api->mgr->loop, &api->timer);
		api_streams_end(api->streams);
		api_waiting_end(api);
		MHD_stop_daemon(api->daemon);
	}
	api_batch_free(api->batch);
	api_answers_free(api->answers);
	free(api);
}
