/* worker_bench - the cost of a sandbox worker (manager-run worker), the
 * way the engine uses it (src/tasks/runner_worker.c): spawned with
 * sandbox_spawn_worker, one request at a time.
 *
 *	worker_bench --run MANAGER_RUN --db DB --lib LIB --id ID
 *		[--func NAME] [--cold N] [--warm N] [--spin-us US]
 *		[--worker-spin-us US]
 *
 * cold: N times, spawn a worker, one call, its reply, EOF, reaped: the
 * time to the reply (confinement, loading the plugin, one call), and
 * the CPU time each worker took, start to exit.
 * warm: N calls, one after another, into one worker: calls per second,
 * and the CPU time a call costs the caller and the worker (all the
 * processes of its group: the PID namespace's reaper and the worker).
 * Twice: the caller blocking at once for each reply (as the engine
 * would without its spin, runner_worker.c), then spinning up to
 * --spin-us (default SPIN_WAIT_US, spin.h) before it blocks, as the
 * engine does.  --worker-spin-us is handed to the worker as --spin-us
 * (not given: the worker's default; a manager-run older than the spin
 * knows no such option).
 * floor: N round trips of one byte over a pair of pipes to a child that
 * only echoes it, one after another: what the machine allows two
 * processes that each sleep until the other writes (an idle virtual
 * machine wakes a sleeping vCPU slowly), the ceiling of the warm calls;
 * then the same with both sides spinning up to --spin-us before they
 * block, the ceiling of spinning warm calls.
 * Prints one line per measure. */
#include "procstat.h"
#include "sandbox.h"
#include "spin.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *run, *db, *lib, *id, *func;
	int cold, warm;
	int spin_us;		/* the caller's spin before it blocks */
	const char *worker_spin;	/* handed to the worker, or NULL */
};

struct worker {
	pid_t pid;
	int req, rep, out, err;
	char buf[65536];
	size_t len;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
spawn(const struct opts *o, struct worker *w)
{
	struct mgr_error err = { 0 };
	char spin[64];
	char *argv[] = { (char *)o->run, "worker", "--db", (char *)o->db,
	    "--lib", (char *)o->lib, "--id", (char *)o->id,
	    "--output-max=4096", NULL, NULL };

	if (o->worker_spin != NULL) {
		snprintf(spin, sizeof spin, "--spin-us=%s", o->worker_spin);
		argv[9] = spin;
	}
	memset(w, 0, sizeof *w);
	if (sandbox_spawn_worker(argv, &w->pid, &w->req, &w->rep, &w->out, &w->err,
	    &err) != 0) {
		fprintf(stderr, "worker_bench: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Sends one call and waits for its reply, spinning up to spin_us
 * first; 0, or -1 if the worker died. */
static int
call(const struct opts *o, struct worker *w, unsigned seq, int spin_us)
{
	char body[256], *nl;
	int blen = snprintf(body, sizeof body, "%u%c0%c%s%c", seq, 0, 0, o->func, 0);
	size_t errlen, outlen, need;
	int rc;

	if (send_framed(w->req, body, (size_t)blen) != 0)
		return -1;
	for (;;) {
		struct pollfd p = { w->rep, POLLIN, 0 };
		ssize_t n;

		if ((nl = memchr(w->buf, '\n', w->len)) != NULL &&
		    sscanf(w->buf, "R %*s %d %zu %zu", &rc, &errlen, &outlen) == 3 &&
		    w->len >= (need = (size_t)(nl - w->buf) + 1 + errlen + outlen)) {
			memmove(w->buf, w->buf + need, w->len - need);
			w->len -= need;
			return rc == 0 ? 0 : -1;
		}
		if (!spin_readable(w->rep, spin_us))
			poll(&p, 1, 5000);
		n = read(w->rep, w->buf + w->len, sizeof w->buf - w->len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n > 0)
			w->len += (size_t)n;
	}
}

static void
finish(struct worker *w)
{
	close(w->req);
	waitpid(w->pid, NULL, 0);
	close(w->rep);
	close(w->out);
	close(w->err);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
bench_cold(const struct opts *o)
{
	double *t = xcalloc((size_t)o->cold, sizeof *t);
	double cpu0 = procstat_children_cpu_s();
	struct worker w;

	for (int i = 0; i < o->cold; i++) {
		double t0 = now_s();
		if (spawn(o, &w) != 0 || call(o, &w, 1, o->spin_us) != 0) {
			fprintf(stderr, "worker_bench: a cold worker failed\n");
			free(t);
			return 1;
		}
		t[i] = now_s() - t0;
		finish(&w);
	}
	qsort(t, (size_t)o->cold, sizeof *t, cmp_double);
	printf("cold_start runs=%d median_ms=%.2f p95_ms=%.2f min_ms=%.2f "
	    "cpu_ms_per_worker=%.2f\n", o->cold, t[o->cold / 2] * 1e3,
	    t[o->cold * 95 / 100] * 1e3, t[0] * 1e3,
	    (procstat_children_cpu_s() - cpu0) / o->cold * 1e3);
	free(t);
	return 0;
}

/* The child's side of the floor: echoes until EOF, spinning up to
 * spin_us before each read. */
static void
echo_child(int in, int out, int spin_us)
{
	char c;

	for (;;) {
		spin_readable(in, spin_us);
		if (read(in, &c, 1) != 1 || write(out, &c, 1) != 1)
			break;
	}
	_exit(0);
}

static int
bench_floor(const struct opts *o, int spin_us)
{
	int to[2], from[2], status;
	double t0, dt;
	pid_t pid;
	char c = 'x';

	if (pipe(to) != 0 || pipe(from) != 0 || (pid = fork()) == -1) {
		perror("worker_bench: floor");
		return 1;
	}
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		echo_child(to[0], from[1], spin_us);
	}
	close(to[0]);
	close(from[1]);
	t0 = now_s();
	for (int i = 0; i < o->warm; i++) {
		if (write(to[1], &c, 1) != 1 ||
		    (spin_readable(from[0], spin_us), read(from[0], &c, 1)) != 1) {
			perror("worker_bench: floor");
			return 1;
		}
	}
	dt = now_s() - t0;
	close(to[1]);
	close(from[0]);
	waitpid(pid, &status, 0);
	printf("%s spin_us=%d calls=%d seconds=%.3f calls_per_s=%.0f "
	    "us_per_call=%.1f\n", spin_us > 0 ? "floor_spin_round_trips" :
	    "floor_round_trips", spin_us, o->warm, dt, o->warm / dt,
	    dt / o->warm * 1e6);
	return 0;
}

/* N calls one after another, the caller spinning up to spin_us for each
 * reply: the rate, and the CPU a call costs each side. */
static int
warm_round(const struct opts *o, struct worker *w, unsigned *seq, int spin_us)
{
	double t0, dt, c0 = procstat_self_cpu_s();
	double g0 = procstat_group(w->pid, NULL);

	t0 = now_s();
	for (int i = 0; i < o->warm; i++)
		if (call(o, w, ++*seq, spin_us) != 0) {
			fprintf(stderr, "worker_bench: the warm worker failed\n");
			return 1;
		}
	dt = now_s() - t0;
	printf("warm_calls caller_spin_us=%d calls=%d seconds=%.3f "
	    "calls_per_s=%.0f us_per_call=%.1f caller_cpu_us_per_call=%.1f "
	    "worker_cpu_us_per_call=%.1f\n", spin_us, o->warm, dt, o->warm / dt,
	    dt / o->warm * 1e6, (procstat_self_cpu_s() - c0) / o->warm * 1e6,
	    (procstat_group(w->pid, NULL) - g0) / o->warm * 1e6);
	return 0;
}

static int
bench_warm(const struct opts *o)
{
	struct worker w;
	unsigned seq = 0;
	int rc;

	if (spawn(o, &w) != 0 || call(o, &w, seq, o->spin_us) != 0)
		return 1;
	rc = warm_round(o, &w, &seq, 0) ||
	    (o->spin_us > 0 && warm_round(o, &w, &seq, o->spin_us));
	finish(&w);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { NULL, NULL, NULL, NULL, "noop", 200, 100000,
	    SPIN_WAIT_US, NULL };

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--run") == 0) o.run = argv[i + 1];
		else if (strcmp(argv[i], "--db") == 0) o.db = argv[i + 1];
		else if (strcmp(argv[i], "--lib") == 0) o.lib = argv[i + 1];
		else if (strcmp(argv[i], "--id") == 0) o.id = argv[i + 1];
		else if (strcmp(argv[i], "--func") == 0) o.func = argv[i + 1];
		else if (strcmp(argv[i], "--cold") == 0) o.cold = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--warm") == 0) o.warm = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--spin-us") == 0) o.spin_us = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--worker-spin-us") == 0)
			o.worker_spin = argv[i + 1];
	}
	if (o.run == NULL || o.db == NULL || o.lib == NULL || o.id == NULL ||
	    o.cold < 1 || o.warm < 1 || o.spin_us < 0) {
		fprintf(stderr, "usage: worker_bench --run MANAGER_RUN --db DB "
		    "--lib LIB --id ID [--func NAME] [--cold N] [--warm N] "
		    "[--spin-us US] [--worker-spin-us US]\n");
		return 2;
	}
	return bench_cold(&o) || bench_floor(&o, 0) ||
	    (o.spin_us > 0 && bench_floor(&o, o.spin_us)) || bench_warm(&o);
}
