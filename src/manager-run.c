/* manager-run.c - the sandbox helper: applies the run's limits to itself,
 * then becomes the task.
 *
 *	manager-run [--cpu=S] [--memory=MB] [--open-files=N] exec -- CMD ARG...
 *
 * Limits, PR_SET_NO_NEW_PRIVS and the closing of inherited descriptors
 * happen before the command's first instruction.  Exit status 127: the
 * command could not be started (the reason is on stderr). */
#include "i18n.h"
#include "sandbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
parse_limit(const char *arg, const char *name, int *out)
{
	size_t len = strlen(name);
	char *end;
	long v;

	if (strncmp(arg, name, len) != 0 || arg[len] != '=')
		return 0;
	errno = 0;
	v = strtol(arg + len + 1, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 1L << 30) {
		fprintf(stderr, _("manager-run: bad value in %s\n"), arg);
		exit(127);
	}
	*out = (int)v;
	return 1;
}

static int
usage(void)
{
	fprintf(stderr, _("usage: manager-run [--cpu=S] [--memory=MB] "
	    "[--open-files=N] exec -- COMMAND [ARG...]\n"));
	return 127;
}

static int
run_exec(const struct sandbox_limits *lim, char **argv)
{
	struct mgr_error err = { 0 };

	if (argv[0] == NULL)
		return usage();
	if (sandbox_apply(lim, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		return 127;
	}
	execvp(argv[0], argv);
	fprintf(stderr, _("manager-run: cannot run %s: %s\n"), argv[0],
	    strerror(errno));
	return 127;
}

int
main(int argc, char **argv)
{
	struct sandbox_limits lim = { 0, 0, 0 };
	int i;

	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (!parse_limit(argv[i], "--cpu", &lim.cpu_seconds) &&
		    !parse_limit(argv[i], "--memory", &lim.memory_mb) &&
		    !parse_limit(argv[i], "--open-files", &lim.open_files))
			return usage();
	}
	if (i < argc && strcmp(argv[i], "exec") == 0) {
		i++;
		if (i < argc && strcmp(argv[i], "--") == 0)
			i++;
		return run_exec(&lim, argv + i);
	}
	return usage();
}
