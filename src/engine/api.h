/* api.h - the HTTP API (libmicrohttpd inside the engine's libev loop).
 *
 * Every route is a command line run through cmd_dispatch with --json, so
 * the API and the CLI never diverge; exit statuses map to HTTP statuses.
 */
#ifndef MGR_API_H
#define MGR_API_H

#include "error.h"

struct mgr;
struct api;

/* Starts the server when api.listen is set (*out NULL otherwise).  The
 * address must be loopback; a bearer token (api.token, or api.token_file,
 * generated 0600 when missing) is required. */
int api_start(struct mgr *mgr, struct api **out, struct mgr_error *err);
void api_stop(struct api *api);
/* The port actually bound (listen = "127.0.0.1:0" picks a free one). */
int api_port(const struct api *api);

/* Exit status of a command (and the "code" of its JSON error, may be
 * NULL) to an HTTP status: 0 200, 2 400, 3 404, 4 409, 1 400 for bad
 * input, else 500. */
int api_http_status(int exit_status, const char *code);

#endif
