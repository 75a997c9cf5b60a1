/* fetch.h - one HTTP(S) download with libcurl, for remote package
 * repositories.  Blocking: it runs in the client process (`repo update`,
 * and before `plugin install|upgrade` is handed to a host), never on the
 * engine's loop (doc/ARCHITECTURE.md, "Remote repositories").
 */
#ifndef MGR_FETCH_H
#define MGR_FETCH_H

#include "error.h"

struct fetch_opts {
	const char *ca_file;	/* trusted CAs (PEM), NULL: the system's */
	int timeout;		/* seconds: connect, and with no data */
	int retries;		/* more attempts on a transient failure */
	int allow_http;		/* plain http:// too (signed repositories) */
};

struct fetch_req {
	const char *url;
	const char *dest;	/* file written (created 0600, truncated) */
	long long max_bytes;	/* refused beyond this */
	const char *etag;	/* in: If-None-Match, or NULL */
	long long modified;	/* in: If-Modified-Since, or 0 */
	/* out */
	int not_modified;	/* 304: dest left as it was */
	char *new_etag;		/* malloc'd, or NULL */
	long long new_modified;	/* Last-Modified, or 0 */
	long status;		/* HTTP status */
};

/* 0, or an error naming the URL and the cause (DNS, connection, TLS,
 * HTTP status, size, time-out).  A 404 is MGR_ENOENT. */
int fetch_url(const struct fetch_opts *o, struct fetch_req *r,
	      struct mgr_error *err);
void fetch_req_clear(struct fetch_req *r);

#endif
