/* worker_host.h - the engine's side of a sandbox worker's host calls.
 *
 * A manager-run worker holds no database: when its plugin calls
 * state_get, state_set or log, the worker writes a query on its reply
 * descriptor, between runs' replies, and waits for the answer on its
 * request socket:
 *
 *	"Q g KLEN 0\n" KEY			-> "A RC VLEN\n" VALUE
 *	"Q s KLEN VLEN\n" KEY VALUE		-> "A RC 0\n"
 *	"Q l LEVEL MLEN\n" MESSAGE		(no answer)
 *
 * RC: 0 done (found), 1 unset, -1 failed.  The engine answers with the
 * state of the worker's own plugin only: a plugin names no other.
 */
#ifndef MGR_WORKER_HOST_H
#define MGR_WORKER_HOST_H

#include <stddef.h>

struct mgr;
struct strbuf;

#define WORKER_QUERY_MAX (1 << 20)	/* key or value bytes */

/* Takes one query from the front of in and answers it on reqfd: 1 done,
 * 0 incomplete (wait for more bytes), -1 malformed or too large (the
 * worker is to be killed). */
int worker_host_query(struct mgr *mgr, const char *plugin, struct strbuf *in,
		      int reqfd);

#endif
