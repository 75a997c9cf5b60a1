/* manager-run.c - the sandbox helper: applies the run's limits to itself,
 * then becomes the task.
 *
 *	manager-run [LIMITS] exec -- CMD ARG...
 *	manager-run [LIMITS] plugin --db DB --lib LIB --id ID --func NAME
 *		[--timeout=S] -- [NAME=VALUE...]
 *	manager-run [LIMITS] worker --db DB --lib LIB --id ID [--output-max=N]
 *		(a reusable worker: requests on stdin, replies on fd 3)
 *	LIMITS: --cpu=SECONDS --memory=MB --open-files=N
 *
 * Limits, PR_SET_NO_NEW_PRIVS and the closing of inherited descriptors
 * happen before the command's first instruction or the plugin's loading.
 * A plugin function's output goes to stdout as it is written; SIGTERM
 * (the timeout) cancels it cooperatively, SIGKILL follows.  The plugin's
 * on_enable is not called here: the engine host did that when enabling.
 * Exit status: the function's (0 success, else 1-125), 126 the plugin
 * could not be loaded, 127 the command could not be started. */
#include "i18n.h"
#include "loader.h"
#include "plugin_host.h"
#include "sandbox.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
	    "[--open-files=N] exec -- COMMAND [ARG...]\n"
	    "       manager-run [LIMITS] plugin --db DB --lib LIB --id ID "
	    "--func NAME [--timeout=S] -- [NAME=VALUE...]\n"));
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

/* The run in progress, for the SIGTERM handler: a process-wide handle
 * is unavoidable for a signal handler, and this process runs one task. */
static struct task_ctx *volatile current_ctx;

static void
on_term(int sig)
{
	(void)sig;
	if (current_ctx != NULL)
		task_ctx_cancel(current_ctx);
}

struct plugin_args {
	const char *db, *lib, *id, *func;
	int timeout;
	int output_max;
	char **args;
};

static int
take(char **argv, int *i, const char *name, const char **out)
{
	if (strcmp(argv[*i], name) != 0 || argv[*i + 1] == NULL)
		return 0;
	*out = argv[++*i];
	return 1;
}

static int
parse_plugin_args(char **argv, struct plugin_args *pa)
{
	int i;

	memset(pa, 0, sizeof *pa);
	for (i = 0; argv[i] != NULL && strcmp(argv[i], "--") != 0; i++)
		if (!take(argv, &i, "--db", &pa->db) &&
		    !take(argv, &i, "--lib", &pa->lib) &&
		    !take(argv, &i, "--id", &pa->id) &&
		    !take(argv, &i, "--func", &pa->func) &&
		    !parse_limit(argv[i], "--timeout", &pa->timeout) &&
		    !parse_limit(argv[i], "--output-max", &pa->output_max))
			return -1;
	pa->args = argv[i] != NULL ? argv + i + 1 : argv + i;
	return pa->db && pa->lib && pa->id ? 0 : -1;
}

static int
call_plugin(const struct plugin_args *pa, struct mgr_db *db, char *manifest)
{
	struct mgr_error err = { 0 };
	struct loaded_plugin *lp;
	struct plugin_host *host;
	mgr_task_fn fn;
	int rc;

	if (loader_load(pa->lib, pa->id, &lp, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		return 126;
	}
	if ((fn = loader_find_task(lp, pa->func)) == NULL) {
		fprintf(stderr, _("manager-run: plugin %s has no task function "
		    "\"%s\"\n"), pa->id, pa->func);
		loader_unload(lp);
		return 126;
	}
	host = plugin_host_new(db, NULL, pa->id, manifest);
	current_ctx = task_ctx_new(host, pa->args, pa->timeout > 0 ? mgr_now_us() +
	    (int64_t)pa->timeout * 1000000 : 0, 0);
	task_ctx_set_output_fd(current_ctx, 1);
	signal(SIGTERM, on_term);
	rc = fn(task_ctx_handle(current_ctx));
	signal(SIGTERM, SIG_DFL);
	task_ctx_free(current_ctx);
	current_ctx = NULL;
	plugin_host_free(host);
	loader_unload(lp);
	return rc == 0 ? 0 : rc > 0 && rc < 126 ? rc : 1;
}

static int
run_plugin(const struct sandbox_limits *lim, char **argv)
{
	struct mgr_error err = { 0 };
	struct plugin_args pa;
	struct plugin_rec p;
	struct mgr_db *db;
	int rc;

	if (parse_plugin_args(argv, &pa) != 0 || pa.func == NULL)
		return usage();
	if (sandbox_apply(lim, &err) != 0 || db_open(pa.db, &db, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		return 126;
	}
	memset(&p, 0, sizeof p);
	if (plugin_store_read(db, pa.id, &p, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		db_close(db);
		return 126;
	}
	rc = call_plugin(&pa, db, p.manifest);
	plugin_rec_clear(&p);
	db_close(db);
	return rc;
}

/* Worker mode: one request after another on stdin, each
 * "LEN\n" + LEN bytes of NUL-separated fields (seq, timeout, function,
 * NAME=VALUE...); each answered on descriptor 3 with
 * "R SEQ RC ERRLEN OUTLEN\n" + error text + output. */
static char **
read_request(FILE *in)
{
	char **fields = NULL, *buf;
	size_t len, off = 0;

	if (fscanf(in, "%zu", &len) != 1 || fgetc(in) != '\n' || len > 1 << 24)
		return NULL;
	buf = xmalloc(len + 1);
	if (fread(buf, 1, len, in) != len) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	while (off < len) {
		fields = strv_push(fields, buf + off);
		off += strlen(buf + off) + 1;
	}
	free(buf);
	return strv_len(fields) >= 3 ? fields : (strv_free(fields), NULL);
}

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(1);	/* the engine went away */
		p += w;
		n -= (size_t)w;
	}
}

static void
reply(const char *seq, int rc, const char *error, const char *out)
{
	char head[128];
	int n = snprintf(head, sizeof head, "R %s %d %zu %zu\n", seq, rc,
	    strlen(error), strlen(out));

	write_all(3, head, (size_t)n);
	write_all(3, error, strlen(error));
	write_all(3, out, strlen(out));
}

static void
serve_one(struct loaded_plugin *lp, struct plugin_host *host, char **req,
	  size_t output_max)
{
	int timeout = atoi(req[1]), rc;
	mgr_task_fn fn = loader_find_task(lp, req[2]);
	char *msg;

	if (fn == NULL) {
		msg = xasprintf(_("plugin has no task function \"%s\""), req[2]);
		reply(req[0], 126, msg, "");
		free(msg);
		return;
	}
	current_ctx = task_ctx_new(host, req + 3, timeout > 0 ? mgr_now_us() +
	    (int64_t)timeout * 1000000 : 0, output_max);
	rc = fn(task_ctx_handle(current_ctx));
	fflush(stdout);
	reply(req[0], rc, "", task_ctx_output(current_ctx));
	task_ctx_free(current_ctx);
	current_ctx = NULL;
}

/* A worker retires before RLIMIT_CPU, which counts its whole life, could
 * kill it in the middle of a run. */
static int
worker_spent(const struct sandbox_limits *lim)
{
	struct rusage ru;

	if (lim->cpu_seconds <= 0 || getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec >= lim->cpu_seconds / 2;
}

static int
run_worker(struct sandbox_limits *lim, char **argv)
{
	struct mgr_error err = { 0 };
	struct plugin_args pa;
	struct plugin_rec p;
	struct loaded_plugin *lp;
	struct plugin_host *host;
	struct mgr_db *db;
	char **req;

	lim->keep_fds = 4;
	if (parse_plugin_args(argv, &pa) != 0)
		return usage();
	memset(&p, 0, sizeof p);
	if (sandbox_apply(lim, &err) != 0 || db_open(pa.db, &db, &err) != 0 ||
	    plugin_store_read(db, pa.id, &p, &err) != 0 ||
	    loader_load(pa.lib, pa.id, &lp, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		return 126;
	}
	host = plugin_host_new(db, NULL, pa.id, p.manifest);
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	while (!worker_spent(lim) && (req = read_request(stdin)) != NULL) {
		serve_one(lp, host, req, (size_t)pa.output_max);
		strv_free(req);
	}
	plugin_host_free(host);
	loader_unload(lp);
	plugin_rec_clear(&p);
	db_close(db);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sandbox_limits lim = { 0, 0, 0, 0 };
	int i;

	setlocale(LC_ALL, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, getenv("MANAGER_LOCALEDIR") != NULL ?
	    getenv("MANAGER_LOCALEDIR") : LOCALEDIR);
#endif

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
	if (i < argc && strcmp(argv[i], "plugin") == 0)
		return run_plugin(&lim, argv + i + 1);
	if (i < argc && strcmp(argv[i], "worker") == 0)
		return run_worker(&lim, argv + i + 1);
	return usage();
}
