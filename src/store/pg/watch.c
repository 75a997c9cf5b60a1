/* watch.c - the PostgreSQL backend's change watch (db_watch_open): a
 * connection of its own that LISTENs on PG_CHANGE_CHANNEL, which every
 * table's change trigger notifies at commit.
 *
 * The loop watches one descriptor for the watch's whole life, but libpq's
 * socket changes when the connection is made again after a break; so the
 * descriptor handed out is an epoll instance holding the current socket.
 * A broken connection is made again without blocking (PQresetStart, then
 * PQresetPoll each time the socket is ready), LISTENs again, and reports
 * a change, since commits may have gone unseen meanwhile.
 */
#include "pg_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

enum watch_state { WATCH_LISTENING, WATCH_RESETTING, WATCH_DEAD };

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

/* One step of making the connection again; 1 once it listens again. */
static int
watch_reset_step(struct pg_watch *w)
{
	switch (PQresetPoll(w->conn)) {
	case PGRES_POLLING_READING:
		watch_arm(w, EPOLLIN);
		return 0;
	case PGRES_POLLING_WRITING:
		watch_arm(w, EPOLLOUT);
		return 0;
	case PGRES_POLLING_OK:
		PQsetnonblocking(w->conn, 0);
		return watch_listen(w) == 0;
	default:
		break;
	}
	/* The server is away: start again; the socket tells when. */
	if (PQresetStart(w->conn) == 0) {
		w->state = WATCH_DEAD;
		return 0;
	}
	watch_arm(w, EPOLLOUT);
	return 0;
}

int
pg_watch_drain(struct db_watch *base)
{
	struct pg_watch *w = (struct pg_watch *)base;
	PGnotify *n;
	int hit = 0;

	if (w->ep == -1 || w->state == WATCH_DEAD)
		return 0;
	if (w->state == WATCH_RESETTING)
		return watch_reset_step(w);
	if (PQconsumeInput(w->conn) == 0) {
		/* Broken: make it again without waiting on the loop. */
		w->state = WATCH_RESETTING;
		if (PQresetStart(w->conn) == 0)
			w->state = WATCH_DEAD;
		else
			watch_arm(w, EPOLLOUT);
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
