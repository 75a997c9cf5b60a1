/* api_routes.h - one HTTP request, as the routes see it. */
#ifndef MGR_API_ROUTES_H
#define MGR_API_ROUTES_H

#include <stddef.h>

struct mgr;

struct api_call {
	struct mgr *mgr;
	const char *method;
	const char *url;	/* path, without the query string */
	const char *body;
	size_t body_len;
	/* the answer */
	int status;
	char *body_out;		/* JSON text, malloc'd */
	char allow[64];		/* 405: the Allow header */
	/* GET /manager/runs/{run}/log */
	void *conn;		/* the MHD connection, for api_query */
	struct api_stream *stream;	/* a streamed answer instead of body_out */
	const char *content_type;	/* of the stream */
};

/* A query argument of the request ("follow" of ?follow=1), or NULL. */
const char *api_query(const struct api_call *call, const char *name);

/* Routes /manager/... requests; fills status and body_out. */
void api_route(struct api_call *call);
void api_reply_error(struct api_call *call, int status, const char *field,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
