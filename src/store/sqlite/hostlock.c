/* hostlock.c - the SQLite backend's one-host lock: an exclusive flock on
 * "<db>.lock", into which the holder writes "PID KIND" for people and
 * clients.  The flock is the authority: the kernel drops it when its
 * holder dies, however it dies.  Clients probe with a shared lock held
 * for an instant, so a refusal is only believed once it lasts.
 */
#include "i18n.h"
#include "sqlite_int.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

struct sqlite_host_lock {
	struct db_host_lock base;
	int fd;
};

static char *
lock_path(struct mgr_db *db)
{
	return xasprintf("%s.lock", db->path);
}

/* "PID KIND" of the lock file: pid 0 and "" if not written yet. */
static void
lock_file_read(int fd, int *pid, char *kind, size_t kindsz)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	const char *sp;

	if (pid != NULL)
		*pid = 0;
	if (kind != NULL && kindsz > 0)
		kind[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (pid != NULL)
		*pid = atoi(buf);
	if (kind != NULL && kindsz > 0 && (sp = strchr(buf, ' ')) != NULL)
		snprintf(kind, kindsz, "%.*s", (int)strcspn(sp + 1, "\n"), sp + 1);
}

static void
lock_file_write(int fd, const char *kind)
{
	char buf[64];
	int n = snprintf(buf, sizeof buf, "%ld %s\n", (long)getpid(), kind);

	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, (size_t)n, 0) != n) {
		/* Only informational: the flock itself is what counts. */
	}
}

/* A shared lock is granted unless a host holds the exclusive one. */
static int
lock_probed_only(int fd)
{
	return flock(fd, LOCK_SH | LOCK_NB) == 0;
}

static int
lock_take(int fd)
{
	struct timespec pause = { 0, 5 * 1000 * 1000 };

	for (int i = 0; i < 50; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		if (!lock_probed_only(fd))
			break;
		nanosleep(&pause, NULL);
	}
	errno = EWOULDBLOCK;
	return -1;
}

/* Names the holder: the host row when it is the lock file's pid (the
 * row is written just after the lock is taken: the file is fresher). */
static int
lock_busy(struct mgr_db *db, int fd, const char *path, struct mgr_error *err)
{
	char *kind = NULL;
	int pid = 0, file_pid;

	lock_file_read(fd, &file_pid, NULL, 0);
	if (host_store_get(db, &pid, &kind, NULL, NULL, NULL) != 0 ||
	    pid != file_pid) {
		free(kind);
		kind = NULL;
		pid = file_pid;
	}
	mgr_error_set(err, MGR_EBUSY,
	    _("%s: another engine host (%s, pid %d) is running on this database "
	      "(lock %s)"), db->path, kind != NULL ? kind : _("starting"),
	    pid, path);
	free(kind);
	return MGR_EBUSY;
}

int
sqlite_host_lock(struct mgr_db *db, const char *kind,
		 struct db_host_lock **out, struct mgr_error *err)
{
	struct sqlite_host_lock *l;
	char *path = lock_path(db);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	int rc;

	if (fd == -1) {
		rc = mgr_error_set(err, MGR_EIO,
		    _("%s: cannot open the host lock: %s"), path, strerror(errno));
		free(path);
		return rc;
	}
	if (lock_take(fd) == -1) {
		rc = errno == EWOULDBLOCK ? lock_busy(db, fd, path, err) :
		    mgr_error_set(err, MGR_EIO, _("%s: cannot lock: %s"), path,
		    strerror(errno));
		close(fd);
		free(path);
		return rc;
	}
	free(path);
	lock_file_write(fd, kind);
	l = xcalloc(1, sizeof *l);
	l->base.ops = db->ops;
	l->fd = fd;
	*out = &l->base;
	return 0;
}

void
sqlite_host_unlock(struct db_host_lock *base)
{
	struct sqlite_host_lock *l = (struct sqlite_host_lock *)base;

	if (ftruncate(l->fd, 0) != 0) {
		/* Informational content only; the unlock below matters. */
	}
	close(l->fd);	/* drops the flock */
	free(l);
}

int
sqlite_host_holder(struct mgr_db *db, int *pid, char *kind, size_t kindsz)
{
	char *path = lock_path(db);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), held = 0;

	free(path);
	if (pid != NULL)
		*pid = 0;
	if (kind != NULL && kindsz > 0)
		kind[0] = '\0';
	if (fd == -1)
		return 0;
	/* A shared lock conflicts only with the host's exclusive one. */
	if (flock(fd, LOCK_SH | LOCK_NB) == -1)
		held = errno == EWOULDBLOCK;
	if (held)
		lock_file_read(fd, pid, kind, kindsz);
	close(fd);
	return held;
}

/* A file lock has no session: the server-side questions have their
 * file answers (db.h). */
int
sqlite_host_lock_session(struct db_host_lock *lock)
{
	(void)lock;
	return 0;
}

int
sqlite_host_lock_check(struct db_host_lock *lock, struct mgr_error *err)
{
	(void)lock;
	(void)err;
	return 0;
}

/* Nor is a file's lock ever lost, so never made again; nor its
 * connection broken (db.h: db_lost). */
int
sqlite_host_lock_reopen(struct db_host_lock *lock, struct mgr_error *err)
{
	(void)lock;
	(void)err;
	return 0;
}

int
sqlite_host_lock_retake(struct db_host_lock *lock, struct mgr_error *err)
{
	(void)lock;
	(void)err;
	return 0;
}

int
sqlite_lost(struct mgr_db *db)
{
	(void)db;
	return 0;
}

int
sqlite_reconnect(struct mgr_db *db, struct mgr_error *err)
{
	(void)db;
	(void)err;
	return 0;
}
