/* watch.c - the SQLite backend's change watch (db_watch_open).
 *
 * SQLite writes every commit to "<db>-wal", so an inotify watch on the
 * database's folder, filtered on that name, says when another connection
 * may have committed; PRAGMA data_version then tells.  libev's ev_stat
 * would not do: it compares mtimes in whole seconds and sizes, and a WAL
 * that restarted after a checkpoint keeps its size, so a second write in
 * the same second would go unseen.  The WAL is written before the commit
 * is published in the shared-memory index (which inotify cannot see), so
 * a notice can come a moment before data_version changes.  Only what a
 * commit does counts: the log written or made, or either file replaced
 * (a restore); not a connection closed (IN_CLOSE_WRITE: the log pruning
 * thread's connection woke an idle engine every five minutes) nor the
 * database file written (only checkpoints write it in WAL mode).
 */
#include "sqlite_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

struct sqlite_watch {
	struct db_watch base;
	int fd;			/* inotify, or -1 */
	char *names[2];		/* "<db>-wal", "<db>" basenames */
};

struct db_watch *
sqlite_watch_open(struct mgr_db *db)
{
	struct sqlite_watch *w = xcalloc(1, sizeof *w);
	const char *path = db->path;
	const char *base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 :
	    path;
	char *dir = path_dirname_abs(path);

	w->base.ops = db->ops;
	w->names[0] = xasprintf("%s-wal", base);
	w->names[1] = xstrdup(base);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd != -1 && inotify_add_watch(w->fd, dir, IN_MODIFY | IN_CREATE |
	    IN_MOVED_TO) == -1) {
		close(w->fd);
		w->fd = -1;
	}
	free(dir);
	return &w->base;
}

int
sqlite_watch_fd(const struct db_watch *base)
{
	return ((const struct sqlite_watch *)base)->fd;
}

/* Reads every queued event; 1 if one concerned the database. */
int
sqlite_watch_drain(struct db_watch *base)
{
	struct sqlite_watch *w = (struct sqlite_watch *)base;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	int hit = 0;
	ssize_t n;

	if (w->fd == -1)
		return 0;
	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				hit = 1;
			else if (ev->len > 0 && strcmp(ev->name, w->names[0]) == 0)
				hit = 1;
			else if (ev->len > 0 && strcmp(ev->name, w->names[1]) == 0 &&
			    (ev->mask & (IN_CREATE | IN_MOVED_TO)) != 0)
				hit = 1;
		}
	}
	return hit;
}

void
sqlite_watch_close(struct db_watch *base)
{
	struct sqlite_watch *w = (struct sqlite_watch *)base;

	if (w->fd != -1)
		close(w->fd);
	free(w->names[0]);
	free(w->names[1]);
	free(w);
}
