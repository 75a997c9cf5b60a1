/* scratch.c - temporary folders and files owned by a live process, swept
 * once their owner is dead (see scratch.h). */
#include "i18n.h"
#include "scratch.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static char *
scratch_template(const char *dir, const char *prefix)
{
	return xasprintf("%s/%s-%ld-XXXXXX", dir, prefix, (long)getpid());
}

static int
scratch_lock(struct scratch *s, int fd, struct mgr_error *err)
{
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		int rc = mgr_error_set(err, MGR_EIO, _("%s: cannot lock: %s"),
		    s->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		rm_rf(s->path, NULL);
		free(s->path);
		s->path = NULL;
		return rc;
	}
	s->fd = fd;
	return 0;
}

int
scratch_dir(const char *dir, const char *prefix, struct scratch *s,
	    struct mgr_error *err)
{
	s->fd = -1;
	s->path = scratch_template(dir, prefix);
	if (mkdtemp(s->path) == NULL) {
		int rc = mgr_error_set(err, MGR_EIO, _("%s: cannot create a "
		    "temporary folder: %s"), dir, strerror(errno));
		free(s->path);
		s->path = NULL;
		return rc;
	}
	return scratch_lock(s, open(s->path, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC), err);
}

int
scratch_file(const char *dir, const char *prefix, struct scratch *s,
	     struct mgr_error *err)
{
	int fd;

	s->fd = -1;
	s->path = scratch_template(dir, prefix);
	/* mkostemp creates the file 0600 whatever the umask. */
	if ((fd = mkostemp(s->path, O_CLOEXEC)) < 0) {
		int rc = mgr_error_set(err, MGR_EIO, _("%s: cannot create a "
		    "temporary file: %s"), dir, strerror(errno));
		free(s->path);
		s->path = NULL;
		return rc;
	}
	return scratch_lock(s, fd, err);
}

void
scratch_release(struct scratch *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	s->path = NULL;
	s->fd = -1;
}

void
scratch_remove(struct scratch *s)
{
	if (s->path != NULL)
		rm_rf(s->path, NULL);
	scratch_release(s);
}

/* The PID in PREFIX-PID-XXXXXX, 0 if the name has none. */
static long
scratch_pid(const char *name)
{
	const char *last = strrchr(name, '-'), *p;
	char *end;
	long pid;

	if (last == NULL)
		return 0;
	for (p = last - 1; p > name && *p != '-'; p--)
		;
	if (p <= name || *p != '-')
		return 0;
	pid = strtol(p + 1, &end, 10);
	return end == last && pid > 0 ? pid : 0;
}

static int
pid_alive(long pid)
{
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

int
lock_try(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int
scratch_sweep(const char *dir, const char *prefix,
	      void (*before)(const char *path, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t len = strlen(prefix);
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		long pid = scratch_pid(de->d_name);
		char *path;
		int fd;

		if (strncmp(de->d_name, prefix, len) != 0 ||
		    de->d_name[len] != '-' || (pid > 0 && pid_alive(pid)))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		/* Removed under its lock, so no owner can take it meanwhile. */
		if ((fd = lock_try(path)) >= 0) {
			if (before != NULL)
				before(path, arg);
			if (rm_rf(path, NULL) == 0)
				n++;
			close(fd);
		}
		free(path);
	}
	closedir(d);
	return n;
}
