/* api_routes.h - one HTTP request, as the routes see it, and the ways
 * of answering it (api_reply.c) in FastAPI's conventions: errors are
 * {"detail": TEXT, "type": CODE}; invalid input is 422 with detail a list
 * of {loc, msg, type}. */
#ifndef MGR_API_ROUTES_H
#define MGR_API_ROUTES_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct mgr;

struct api_call {
	struct mgr *mgr;
	const char *method;
	const char *url;	/* path, without the query string */
	const char *body;
	size_t body_len;
	/* the answer */
	int status;
	char *body_out;		/* JSON text, malloc'd; NULL: no body (204) */
	const char *body_type;	/* Content-Type of body_out; NULL: JSON */
	char allow[80];		/* 405: the Allow header */
	char location[160];	/* 201, 202: the Location header */
	long long total;	/* lists: X-Total-Count; -1 none */
	/* GET /manager/runs/{run}/log */
	void *conn;		/* the MHD connection, for api_query */
	struct api_stream *stream;	/* a streamed answer instead of body_out */
	const char *content_type;	/* of the stream */
	/* An answer that comes later: a sandboxed plugin's route (its host
	 * worker answers), a command that answers later (api_run_argv_then).
	 * The route leaves ticket set and api.c suspends the request; once
	 * the answer is in call, answered(call) resumes it.  A request that
	 * goes away first (the client closed, the API stops) gives the
	 * ticket to cancel: nothing is answered into call any more. */
	void *ticket;
	void (*cancel)(void *ticket);
	void (*answered)(struct api_call *call);
	void *owner;			/* api.c's request */
	/* Where a pause or resume waits for its group (api_batch.c); NULL:
	 * applied alone, now. */
	struct api_batch *batch;
	/* The last answers of task GETs (api_answers.c); NULL: none. */
	struct api_answers *answers;
};

/* A query argument of the request ("follow" of ?follow=1), or NULL. */
const char *api_query(const struct api_call *call, const char *name);

/* Routes /manager/... requests; fills status and body_out. */
void api_route(struct api_call *call);

/* ---- api_reply.c ---- */

/* The answer: o (consumed) as JSON, times and durations in the API's one
 * form (api_normalize). */
void api_reply_json(struct api_call *call, int status, json_t *o);
/* {"detail": MESSAGE, "type": type}: 404, 409, 500 ... */
void api_reply_error(struct api_call *call, int status, const char *type,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Adds {loc: [where, name], msg, type} to the list *errs (made when
 * NULL); name NULL: loc is [where]. */
void api_invalid(json_t **errs, const char *where, const char *name,
		 const char *type, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* 422 with the list (consumed). */
void api_reply_invalid(struct api_call *call, json_t *errs);
/* A command's failure: its JSON error (stderr of --json) as the API's;
 * exit 3 404, 4 409, invalid input 422, else 500. */
void api_reply_failed(struct api_call *call, int exit_status,
		      const char *errout);

/* A store error without a command line in between: the same answer
 * api_reply_failed gives for the command's failure with err. */
struct mgr_error;
void api_reply_mgr_error(struct api_call *call, const struct mgr_error *err);

/* Times become RFC 3339 UTC with milliseconds and "Z", durations
 * seconds with millisecond precision, trigger_args numbers numbers. */
void api_normalize(json_t *v);
/* The machine-readable code of a mgr_code_name text ("not_found"). */
const char *api_error_type(const char *code_name);
/* ?limit= and ?offset= on a list: the page of *list (replaced), total
 * in call->total; -1 after replying 422. */
int api_page(struct api_call *call, json_t **list);

#define API_PAGE_DEFAULT 100
#define API_PAGE_MAX 1000

/* ---- api_routes.c: the road to the commands ---- */

/* The request body as a JSON object, or NULL after a 422 (FastAPI's
 * json_invalid, missing, model_attributes_type). */
json_t *api_body_object(struct api_call *call);
/* Runs argv (freed) as a command with --json; its exit status, stdout
 * in *out and stderr in *errout (both malloc'd). */
int api_run_argv(struct api_call *call, char **argv, char **out,
		 char **errout);
/* Answers with `NOUN show ID` (status, 200 or 201, on success): a task
 * as the command prints it, read without it (api_task_answer); a plugin
 * through api_run_argv_then: `plugin show` may answer once the engine's
 * list of the plugin's functions is made, the request waiting
 * suspended. */
void api_reply_show(struct api_call *call, const char *noun, const char *id,
		    int status);
/* What follows a command of api_run_argv_then: its exit status, stdout
 * and stderr, and the noun and id it was given. */
typedef void (*api_then_fn)(struct api_call *call, int status,
			    const char *out, const char *errout,
			    const char *noun, const char *id);
/* Runs argv (freed) as api_run_argv does, then then(call, ...).  A
 * command that answers later (`plugin enable`, `disable` and `reload`,
 * whose host workers answer) does not hold the loop: the request waits,
 * suspended (call->ticket), then runs once the command answered and the
 * request is resumed, with the status and body an answer now gives.
 * noun (a constant) and id (copied) are handed to then. */
void api_run_argv_then(struct api_call *call, char **argv, api_then_fn then,
		       const char *noun, const char *id);
/* A then: the command's failure, else `NOUN show ID` with 200. */
void api_then_show(struct api_call *call, int status, const char *out,
		   const char *errout, const char *noun, const char *id);

/* ---- api_batch.c: pauses and resumes by group commit ---- */

struct api_batch;
struct api_batch *api_batch_new(struct mgr *mgr);
/* Drops what still waits (the API stops: each request was answered). */
void api_batch_free(struct api_batch *b);
/* POST .../pause (enable 0) or .../resume (1): the request waits,
 * suspended (call->ticket), for api_batch_flush. */
void api_batch_add(struct api_call *call, const char *id, int enable);
/* After each MHD_run: the requests added meanwhile applied in one write
 * transaction, each answered (call->answered).  While a bulk command
 * writes, they wait for it (tried again every few ms). */
void api_batch_flush(struct api_batch *b);

/* ---- api_answers.c: a task's last answers ---- */

struct api_answers;
struct api_answers *api_answers_new(void);
void api_answers_free(struct api_answers *a);
/* The answer kept for id when it was made under mark (db_change_mark,
 * -1: none) and grace (manager.misfire_grace_time), else NULL. */
const char *api_answers_get(struct api_answers *a, const char *id,
			    int64_t mark, int grace);
/* Keeps body (copied) as id's answer under mark and grace. */
void api_answers_put(struct api_answers *a, const char *id, int64_t mark,
		     int grace, const char *body);

/* The route table, for GET /openapi.json. */
enum api_route_flags {
	ROUTE_PAGED = 1 << 0,	/* ?limit, ?offset; X-Total-Count */
	ROUTE_NO_BODY = 1 << 1,	/* 204 */
	ROUTE_LOCATION = 1 << 2,	/* answers a Location */
	ROUTE_TEXT = 1 << 3,	/* text, not JSON */
	ROUTE_HAS_ID = 1 << 4,	/* 404 when the id is unknown */
	ROUTE_CONFLICT = 1 << 5,	/* 409 */
};

struct api_route {
	const char *method;
	const char *path;	/* "/manager/tasks/{task_id}" */
	void (*fn)(struct api_call *call, const char *id);
	const char *op_id;	/* operationId */
	const char *tag;
	const char *summary;	/* N_() */
	const char *request;	/* schema name of the body, or NULL */
	int status;		/* on success */
	const char *response;	/* schema name ("Task"), "[Task]" a list */
	unsigned flags;
};

const struct api_route *api_routes(size_t *n);

#endif
