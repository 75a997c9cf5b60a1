/* hostprobe.c - whether an engine host holds a database (hostprobe.h). */
#include "hostprobe.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

char *
host_lock_path(const char *db_path)
{
	return xasprintf("%s.lock", db_path);
}

int
host_lock_holder(const char *db_path, int *pid, char *kind, size_t kindsz)
{
	char *path = host_lock_path(db_path);
	char buf[64] = "";
	int fd, held = 0;
	ssize_t n;

	if (pid != NULL)
		*pid = 0;
	if (kind != NULL && kindsz > 0)
		kind[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd == -1)
		return 0;
	/* A shared lock conflicts only with the host's exclusive one. */
	if (flock(fd, LOCK_SH | LOCK_NB) == -1)
		held = errno == EWOULDBLOCK;
	if (held && (n = pread(fd, buf, sizeof buf - 1, 0)) > 0) {
		buf[n] = '\0';
		if (pid != NULL)
			*pid = atoi(buf);
		if (kind != NULL && kindsz > 0 && strchr(buf, ' ') != NULL)
			snprintf(kind, kindsz, "%.*s", (int)strcspn(strchr(buf, ' ') + 1,
			    "\n"), strchr(buf, ' ') + 1);
	}
	close(fd);
	return held;
}

int
host_lock_held(const char *db_path)
{
	return host_lock_holder(db_path, NULL, NULL, 0);
}

int
host_engine_running(const char *db_path)
{
	char kind[32];

	return host_lock_holder(db_path, NULL, kind, sizeof kind) &&
	    strcmp(kind, ENGINE_KIND_CLI) != 0;
}
