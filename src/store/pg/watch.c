/* watch.c - the PostgreSQL backend's change watch (db_watch_open): a
 * connection of its own that LISTENs on PG_CHANGE_CHANNEL, which every
 * table's change trigger notifies at commit.
 *
 * The loop watches one descriptor for the watch's whole life; it is an
 * epoll instance holding the connection's socket.  A broken connection
 * reports a change (commits may have gone unseen) and the watch stops:
 * the engine opens a new one once the server is back (control_rewatch,
 * after the host reconnected), and polls meanwhile.  Making it again at
 * once (PQresetStart) began a connection while a restarting server shut
 * down, which sat in its listen queue and held the old server's stop for
 * a minute.
 */
#include "pg_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

enum watch_state { WATCH_LISTENING, WATCH_DEAD };

struct pg_watch {
	struct db_watch base;
	PGconn *conn;
	int ep;			/* epoll holding the current socket, or -1 */
	int sock;		/* the socket in ep, or -1 */
	enum watch_state state;
};

/* Watches the connection's current socket for `events` in ep. */
static void
watch_arm(struct pg_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events };
	int s = PQsocket(w->conn);

	if (w->sock != -1 && w->sock != s)
		epoll_ctl(w->ep, EPOLL_CTL_DEL, w->sock, NULL);
	ev.data.fd = s;
	if (s != -1 && epoll_ctl(w->ep, w->sock == s ? EPOLL_CTL_MOD :
	    EPOLL_CTL_ADD, s, &ev) == -1)
		s = -1;
	w->sock = s;
}

static int
watch_listen(struct pg_watch *w)
{
	PGresult *res = PQexec(w->conn, "LISTEN " PG_CHANGE_CHANNEL);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

	PQclear(res);
	if (!ok || PQsetnonblocking(w->conn, 1) != 0)
		return -1;
	watch_arm(w, EPOLLIN);
	w->state = WATCH_LISTENING;
	return 0;
}

struct db_watch *
pg_watch_open(struct mgr_db *db)
{
	struct pg_watch *w = xcalloc(1, sizeof *w);

	w->base.ops = db->ops;
	w->sock = -1;
	w->state = WATCH_DEAD;
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->conn = pg_connect(db->path, NULL);
	if (w->ep != -1 && w->conn != NULL && watch_listen(w) == 0)
		return &w->base;
	/* No watch: db_watch_fd says -1, and the callers poll. */
	if (w->ep != -1)
		close(w->ep);
	w->ep = -1;
	return &w->base;
}

int
pg_watch_fd(const struct db_watch *base)
{
	return ((const struct pg_watch *)base)->ep;
}

int
pg_watch_drain(struct db_watch *base)
{
	struct pg_watch *w = (struct pg_watch *)base;
	PGnotify *n;
	int hit = 0;

	if (w->ep == -1 || w->state == WATCH_DEAD)
		return 0;
	if (PQconsumeInput(w->conn) == 0) {
		/* Broken: the engine makes the watch again once the server
		 * is back (control_rewatch).  Not at once: a connection
		 * begun while the server shuts down (a restart) sat in its
		 * listen queue, and the old server waited a minute for it
		 * before it stopped. */
		w->state = WATCH_DEAD;
		if (w->sock != -1)
			epoll_ctl(w->ep, EPOLL_CTL_DEL, w->sock, NULL);
		w->sock = -1;
		return 1;
	}
	while ((n = PQnotifies(w->conn)) != NULL) {
		hit = 1;
		PQfreemem(n);
	}
	return hit;
}

void
pg_watch_close(struct db_watch *base)
{
	struct pg_watch *w = (struct pg_watch *)base;

	if (w->ep != -1)
		close(w->ep);
	if (w->conn != NULL)
		PQfinish(w->conn);
	free(w);
}
