/* manager-exec.c - the sandbox helper of exec: tasks: applies the run's
 * limits to itself, then becomes the command.
 *
 *	manager-exec [--cpu=S] [--memory=MB] [--open-files=N] -- CMD ARG...
 *
 * It does what `manager-run exec` does, but links nothing beyond libc, so
 * it starts in about half the time: an exec: run costs one helper start
 * on top of the command's own.  Exit status 127: the command could not be
 * started (the reason is on stderr). */
#include "i18n.h"
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
limit_arg(const char *arg, const char *name, int *out)
{
	size_t len = strlen(name);
	char *end;
	long v;

	if (strncmp(arg, name, len) != 0 || arg[len] != '=')
		return 0;
	errno = 0;
	v = strtol(arg + len + 1, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 1L << 30)
		return -1;
	*out = (int)v;
	return 1;
}

int
main(int argc, char **argv)
{
	struct sandbox_limits lim = { 0, 0, 0, 0 };
	struct mgr_error err = { 0 };
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (limit_arg(argv[i], "--cpu", &lim.cpu_seconds) <= 0 &&
		    limit_arg(argv[i], "--memory", &lim.memory_mb) <= 0 &&
		    limit_arg(argv[i], "--open-files", &lim.open_files) <= 0) {
			fprintf(stderr, "usage: manager-exec [--cpu=S] [--memory=MB] "
			    "[--open-files=N] -- COMMAND [ARG...]\n");
			return 127;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "manager-exec: no command\n");
		return 127;
	}
	if (sandbox_apply(&lim, &err) != 0) {
		fprintf(stderr, "manager-exec: %s\n", err.msg);
		return 127;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "manager-exec: cannot run %s: %s\n", argv[i + 1],
	    strerror(errno));
	return 127;
}
