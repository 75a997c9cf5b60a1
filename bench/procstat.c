/* procstat.c - CPU time of this process, its children and a process
 * group (procstat.h), from getrusage and /proc. */
#include "procstat.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double
rusage_cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double
procstat_self_cpu_s(void)
{
	return rusage_cpu_s(RUSAGE_SELF);
}

/* Less sensitive than wall time to a machine shared with other work. */
double
procstat_children_cpu_s(void)
{
	return rusage_cpu_s(RUSAGE_CHILDREN);
}

/* Context switches of process pid, from /proc/PID/status: a process
 * asleep in read() makes none, one that spins and yields the CPU to
 * others makes one at each yield. */
static unsigned long
proc_switches(const char *pid)
{
	char path[300], line[256];
	unsigned long n, sum = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%s/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "voluntary_ctxt_switches: %lu", &n) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %lu", &n) == 1)
			sum += n;
	fclose(f);
	return sum;
}

/* Clock ticks (utime + stime, fields 14 and 15 of /proc/PID/stat) of
 * process pid when it is in group pgid, else 0. */
static unsigned long long
proc_group_ticks(const char *pid, pid_t pgid)
{
	unsigned long long ut, st;
	char path[300], buf[1024], *p;
	int grp, fd;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	/* The command name may hold spaces: fields after its ')'. */
	if (n <= 0 || (buf[n] = '\0', p = strrchr(buf, ')')) == NULL)
		return 0;
	if (sscanf(p + 2, "%*c %*d %d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu", &grp, &ut, &st) != 3 || grp != pgid)
		return 0;
	return ut + st + 1;	/* + 1: in the group, even with no tick yet */
}

double
procstat_group(pid_t pgid, unsigned long *switches)
{
	DIR *d = opendir("/proc");
	unsigned long long t, sum = 0;
	struct dirent *e;

	if (switches != NULL)
		*switches = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    (t = proc_group_ticks(e->d_name, pgid)) == 0)
			continue;
		sum += t - 1;
		if (switches != NULL)
			*switches += proc_switches(e->d_name);
	}
	if (d != NULL)
		closedir(d);
	return (double)sum / (double)sysconf(_SC_CLK_TCK);
}
