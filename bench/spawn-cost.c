/* spawn-cost.c - the CPU of starting a program, children included: runs
 * ARGV N times one after another (posix_spawn, then waitpid), with
 * descriptor 3 on /dev/null for manager-exec's --usage-fd=3, and prints
 * the wall time a run, the parent's time in posix_spawn a run and the
 * children's CPU a run (getrusage RUSAGE_CHILDREN).  Built by hand:
 *
 *	cc -O2 -o /tmp/spawn-cost bench/spawn-cost.c
 *	/tmp/spawn-cost 1000 /bin/true
 *	/tmp/spawn-cost 1000 ./manager-exec --cpu=60 --memory=1024 \
 *	    --open-files=256 --usage-fd=3 -- /bin/true
 *
 * The second minus the first is the helper's share of an exec: run
 * (BENCHMARKS.md, "The start of an exec: child"). */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t, a, spawn = 0, cpu;
	int n, status, fd;
	pid_t pid;

	if (argc < 3 || (n = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: spawn-cost N PROGRAM [ARG...] "
		    "(N: a number of runs above 0, not \"%s\")\n",
		    argc > 1 ? argv[1] : "");
		return 2;
	}
	if ((fd = open("/dev/null", O_WRONLY)) == -1 || dup2(fd, 3) == -1) {
		perror("spawn-cost: /dev/null");
		return 1;
	}
	t0 = now();
	for (int i = 0; i < n; i++) {
		a = now();
		if ((errno = posix_spawn(&pid, argv[2], NULL, NULL, argv + 2,
		    environ)) != 0) {
			perror(argv[2]);
			return 1;
		}
		spawn += now() - a;
		waitpid(pid, &status, 0);
	}
	t = now() - t0;
	getrusage(RUSAGE_CHILDREN, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("%s: wall %.0f us a run, posix_spawn %.0f us, children's CPU "
	    "%.0f us a run\n", argv[2], t / n * 1e6, spawn / n * 1e6,
	    cpu / n * 1e6);
	return 0;
}
