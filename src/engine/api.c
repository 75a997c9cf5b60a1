/* api.c - the HTTP API server: libmicrohttpd driven by the engine's libev
 * loop (MHD's epoll mode without threads: an ev_io on MHD's epoll fd and
 * an ev_timer for its timeouts call MHD_run), so requests run on the loop
 * thread like everything else and need no locking.
 */
#include "i18n.h"
#include "api.h"
#include "api_auth.h"
#include "api_routes.h"
#include "manager.h"
#include "util.h"

#include <ev.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

struct api {
	struct mgr *mgr;
	struct MHD_Daemon *daemon;
	char *token;
	size_t max_body;
	int port;
	ev_io io;
	ev_timer timer;
};

/* One request while its body arrives. */
struct api_request {
	struct strbuf body;
	int too_large;
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

static enum MHD_Result
api_send(struct MHD_Connection *conn, int status, char *body, const char *allow)
{
	struct MHD_Response *res;
	enum MHD_Result ret;
	size_t len = strlen(body);

	res = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json");
	if (status == 401)
		MHD_add_response_header(res, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"manager\"");
	if (allow != NULL && *allow != '\0')
		MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(conn, (unsigned)status, res);
	MHD_destroy_response(res);
	return ret;
}

static enum MHD_Result
api_send_error(struct MHD_Connection *conn, int status, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *body = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return api_send(conn, status, body, NULL);
}

static enum MHD_Result
api_respond(struct api *api, struct MHD_Connection *conn, const char *method,
	    const char *url, struct api_request *req)
{
	struct api_call call = { .mgr = api->mgr, .method = method, .url = url,
	    .body = req->body.buf, .body_len = req->body.len };
	int64_t t0 = mgr_mono_us();
	enum MHD_Result ret;

	if (req->too_large) {
		char *msg = xasprintf(_("request body larger than api.max_body_kb "
		    "(%zu KiB)"), api->max_body / 1024);
		ret = api_send_error(conn, 413, msg);
		free(msg);
		return ret;
	}
	api_route(&call);
	log_info(&api->mgr->log, "api: %s %s: %d (%.1f ms)", method, url,
	    call.status, (mgr_mono_us() - t0) / 1000.0);
	if (call.body_out == NULL)
		call.body_out = xstrdup("{}");
	return api_send(conn, call.status, call.body_out, call.allow);
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
	if (req == NULL) {
		if (!api_token_matches(api->token, MHD_lookup_connection_value(conn,
		    MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))) {
			log_warning(&api->mgr->log, "api: %s %s: 401", method, url);
			return api_send_error(conn, 401, _("missing or wrong bearer "
			    "token (Authorization: Bearer TOKEN)"));
		}
		*con_cls = xcalloc(1, sizeof *req);
		return MHD_YES;
	}
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

	(void)cls;
	(void)conn;
	(void)toe;
	if (req == NULL)
		return;
	strbuf_free(&req->body);
	free(req);
	*con_cls = NULL;
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

static void
api_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct api *api = w->data;

	(void)loop;
	(void)revents;
	MHD_run(api->daemon);
	api_rearm(api);
}

static void
api_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct api *api = w->data;

	(void)loop;
	(void)revents;
	MHD_run(api->daemon);
	api_rearm(api);
}

static struct MHD_Daemon *
api_daemon_start(struct api *api, const struct api_addr *addr)
{
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	const struct sockaddr *sa = (const struct sockaddr *)&addr->v4;

	if (addr->family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		sa = (const struct sockaddr *)&addr->v6;
	}
	return MHD_start_daemon(flags, (uint16_t)addr->port, NULL, NULL,
	    api_handler, api,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_NOTIFY_COMPLETED, api_completed, api,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
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
	int rc;

	*out = NULL;
	if (c->api_listen == NULL || *c->api_listen == '\0')
		return 0;
	if ((rc = api_listen_parse(c->api_listen, &addr, err)) != 0)
		return rc;
	api = xcalloc(1, sizeof *api);
	api->mgr = mgr;
	api->max_body = (size_t)c->api_max_body_kb * 1024;
	if ((rc = api_token_load(c->api_token, c->api_token_file, &api->token,
	    err)) != 0) {
		free(api);
		return rc;
	}
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

void
api_stop(struct api *api)
{
	if (api == NULL)
		return;
	if (api->daemon != NULL) {
		ev_io_stop(api->mgr->loop, &api->io);
		ev_timer_stop(api->mgr->loop, &api->timer);
		MHD_stop_daemon(api->daemon);
	}
	free(api->token);
	free(api);
}
