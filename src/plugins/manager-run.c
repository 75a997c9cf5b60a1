/* manager-run.c - the sandbox helper: applies the run's limits to itself,
 * then becomes the task.
 *
 *	manager-run [LIMITS] exec -- CMD ARG...
 *	manager-run probe	(prints the kernel parts of the sandbox that
 *				 are missing, or nothing; for tests)
 *	manager-run [LIMITS] worker --db DB --lib LIB --id ID [--output-max=N]
 *		[--require] [--user NAME] [--group NAME] [--spin-us=US]
 *		(a reusable worker: requests on stdin, replies on fd 3; with
 *		 --user or --group, the runs of tasks with user= or group=,
 *		 in a worker of that user and group; --spin-us: how long it
 *		 polls for the next request before it sleeps, spin.h, by
 *		 default SPIN_WAIT_US, 0 none: for bench/sandbox.sh)
 *	manager-run [LIMITS] host --db DB --lib LIB --id ID [--require]
 *		(a plugin's host worker: the same protocol, serving its
 *		 on_enable, on_disable, hooks and routes: host_worker.h)
 *	manager-run [LIMITS] functions --db DB --lib LIB --id ID [--require]
 *		(loads the plugin confined as a worker and prints its task
 *		 functions, "NAME<TAB>SUMMARY" a line: plugin_functions_get)
 *	LIMITS: --cpu=SECONDS --memory=MB --open-files=N
 *
 * Limits, PR_SET_NO_NEW_PRIVS and the closing of inherited descriptors
 * happen before the command's first instruction or the plugin's loading.
 * A worker then confines itself (confine.h) to the permissions of the
 * plugin's manifest, read from its installed folder: Landlock rules,
 * network and PID namespaces, a seccomp filter, no capabilities.  It
 * never opens the database (DB is named only so that no permission may
 * cover it): state and log go to the engine as queries (worker_host.h).
 * SIGTERM (the timeout) cancels a run cooperatively, SIGKILL follows.
 * A run worker never calls the plugin's on_enable: with sandboxing, the
 * plugin's host worker (the same program, in host mode, under the same
 * confinement) did that when enabling.  Exit status: 126 the plugin could not be loaded or
 * confined, 127 the command could not be started. */
#include "i18n.h"
#include "confine.h"
#include "loader.h"
#include "manifest.h"
#include "plugin_host.h"
#include "sandbox.h"
#include "scratch.h"
#include "spin.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/uio.h>
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
	    "       manager-run [LIMITS] worker --db DB --lib LIB --id ID "
	    "[--output-max=N] [--require] [--spin-us=US]\n"
	    "       manager-run [LIMITS] host --db DB --lib LIB --id ID "
	    "[--require]\n"
	    "       manager-run [LIMITS] functions --db DB --lib LIB --id ID "
	    "[--require]\n"));
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
 * is unavoidable for a signal handler, and this process runs one task.
 * A SIGTERM that comes before the run does (a timeout while the worker
 * still confines itself and loads the plugin) is kept for it. */
static struct task_ctx *volatile current_ctx;
static volatile sig_atomic_t term_pending;

static void
on_term(int sig)
{
	(void)sig;
	if (current_ctx != NULL)
		task_ctx_cancel(current_ctx);
	else
		term_pending = 1;
}

struct plugin_args {
	const char *db, *lib, *id;
	const char *user, *group;	/* worker mode: whom the runs run as */
	int output_max;
	int spin_us;		/* the bound of the spin before a read (spin.h) */
	int require;
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
	pa->spin_us = SPIN_WAIT_US;
	for (i = 0; argv[i] != NULL; i++) {
		if (strcmp(argv[i], "--require") == 0)
			pa->require = 1;
		else if (!take(argv, &i, "--db", &pa->db) &&
		    !take(argv, &i, "--lib", &pa->lib) &&
		    !take(argv, &i, "--id", &pa->id) &&
		    !take(argv, &i, "--user", &pa->user) &&
		    !take(argv, &i, "--group", &pa->group) &&
		    !parse_limit(argv[i], "--output-max", &pa->output_max) &&
		    !parse_limit(argv[i], "--spin-us", &pa->spin_us))
			return -1;
	}
	if (pa->spin_us > 1000000) {
		fprintf(stderr, _("manager-run: --spin-us=%d is above one second "
		    "(1000000)\n"), pa->spin_us);
		exit(127);
	}
	return pa->db && pa->lib && pa->id ? 0 : -1;
}

/* The worker's end of its request socket (stdin), which carries the
 * requests and the answers to its host queries.  Read through its own
 * buffer rather than stdio's, which cannot say whether a request is
 * already there; before each read that would find nothing, a bounded
 * spin (spin.h), so that a call that follows the last reply closely
 * finds this process awake. */
struct chan {
	int fd;
	int spin_us;
	size_t off, len;	/* unread bytes: buf[off, len) */
	char buf[16384];
};

/* More bytes into the buffer: 1, or 0 at the end, on an error, or when
 * a line fills the whole buffer (no line of the protocol is that long). */
static int
chan_more(struct chan *c)
{
	ssize_t n;

	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof c->buf)
		return 0;
	spin_readable(c->fd, c->spin_us);
	do
		n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	c->len += (size_t)n;
	return 1;
}

/* The next line without its newline, valid until the next call; NULL
 * at the end. */
static char *
chan_line(struct chan *c)
{
	char *nl, *line;

	while ((nl = memchr(c->buf + c->off, '\n', c->len - c->off)) == NULL)
		if (!chan_more(c))
			return NULL;
	*nl = '\0';
	line = c->buf + c->off;
	c->off = (size_t)(nl - c->buf) + 1;
	return line;
}

/* The next n bytes, malloc'd and NUL-terminated; NULL at the end. */
static char *
chan_bytes(struct chan *c, size_t n)
{
	char *dst = xmalloc(n + 1);
	size_t got = 0, k;

	while (got < n) {
		if (c->off == c->len && !chan_more(c)) {
			free(dst);
			return NULL;
		}
		k = c->len - c->off < n - got ? c->len - c->off : n - got;
		memcpy(dst + got, c->buf + c->off, k);
		c->off += k;
		got += k;
	}
	dst[n] = '\0';
	return dst;
}

/* A length that ends its line alone, at most max; -1 if not one. */
static long
parse_len(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno != 0 || end == s || *end != '\0' || v < 0 || v > max ?
	    -1 : v;
}

/* Worker mode: one request after another on stdin, each
 * "LEN\n" + LEN bytes of NUL-separated fields (seq, timeout, function,
 * NAME=VALUE...); each answered on descriptor 3 with
 * "R SEQ RC ERRLEN OUTLEN\n" + error text + output. */
static char **
read_request(struct chan *c)
{
	char **fields = NULL, *buf, *line;
	size_t off = 0;
	long len;

	if ((line = chan_line(c)) == NULL || (len = parse_len(line, 1 << 24)) < 0 ||
	    (buf = chan_bytes(c, (size_t)len)) == NULL)
		return NULL;
	while (off < (size_t)len) {
		fields = strv_push(fields, buf + off);
		off += strlen(buf + off) + 1;
	}
	free(buf);
	return strv_len(fields) >= 3 ? fields : (strv_free(fields), NULL);
}

static void
reply(const char *seq, int rc, const char *error, const char *out)
{
	char head[128];
	struct iovec iov[3] = { { head, 0 }, { (void *)error, strlen(error) },
	    { (void *)out, strlen(out) } };

	/* One write, so the engine wakes once per reply. */
	iov[0].iov_len = (size_t)snprintf(head, sizeof head, "R %s %d %zu %zu\n",
	    seq, rc, iov[1].iov_len, iov[2].iov_len);
	if (write_iov(3, iov, 3, 0) != 0)
		exit(1);	/* the engine went away */
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
	if (term_pending) {
		term_pending = 0;
		task_ctx_cancel(current_ctx);
	}
	rc = fn(task_ctx_handle(current_ctx));
	fflush(stdout);
	reply(req[0], rc, "", task_ctx_output(current_ctx));
	task_ctx_free(current_ctx);
	current_ctx = NULL;
}

/* Host mode (host_worker.h): the plugin's own entry points.  Fields
 * after seq, timeout and the call: @hook EVENT SUBJECT MESSAGE, @route
 * METHOD PATH BODY.  @enable answers on_enable's code and, as output,
 * what it registered (plugin_host_registrations); @route the HTTP status
 * and the body. */
static void
serve_host(struct loaded_plugin *lp, struct plugin_host *host, char **req)
{
	const struct mgr_plugin_def *def = loader_def(lp);
	mgr_host *handle = plugin_host_handle(host);
	size_t n = strv_len(req);
	char *out = NULL;
	int rc = 0;

	if (strcmp(req[2], "@enable") == 0) {
		plugin_host_clear_registrations(host);
		if (def->on_enable != NULL)
			rc = def->on_enable(handle);
		out = plugin_host_registrations(host);
	} else if (strcmp(req[2], "@load") == 0) {
		/* loaded and checked already: the probe's first call */
	} else if (strcmp(req[2], "@disable") == 0) {
		if (def->on_disable != NULL)
			def->on_disable(handle);
		plugin_host_clear_registrations(host);
	} else if (strcmp(req[2], "@hook") == 0 && n == 6)
		plugin_host_emit(host, req[3], req[4], req[5]);
	else if (strcmp(req[2], "@route") == 0 && n == 6) {
		if (plugin_host_route(host, req[3], req[4], req[5], &out, &rc) != 0) {
			reply(req[0], 404, _("no such route"), "");
			return;
		}
	} else {
		reply(req[0], 126, _("not a host call"), "");
		return;
	}
	fflush(stdout);
	reply(req[0], rc, "", out != NULL ? out : "");
	free(out);
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

/* The worker's end of its host calls (worker_host.h): queries out on
 * descriptor 3, answers in on stdin.  The host serializes the calls. */
static void
wire_query(char kind, size_t num, const char *a, const char *b)
{
	char head[96];
	struct iovec iov[3] = { { head, 0 }, { (void *)a, strlen(a) },
	    { (void *)b, b != NULL ? strlen(b) : 0 } };

	iov[0].iov_len = (size_t)snprintf(head, sizeof head, "Q %c %zu %zu\n",
	    kind, kind == 'l' ? num : iov[1].iov_len,
	    kind == 'l' ? iov[1].iov_len : iov[2].iov_len);
	if (write_iov(3, iov, 3, 0) != 0)
		exit(1);	/* the engine went away */
}

/* The answer's code, and its value (malloc'd) when value is not NULL. */
static int
wire_answer(struct chan *c, char **value)
{
	char *line, *buf;
	long len;
	int rc, end = 0;

	if ((line = chan_line(c)) == NULL ||
	    sscanf(line, "A %d %n", &rc, &end) != 1 || end == 0 ||
	    (len = parse_len(line + end, 1 << 20)) < 0 ||
	    (buf = chan_bytes(c, (size_t)len)) == NULL)
		exit(1);	/* the engine went away */
	if (value != NULL && rc == 0)
		*value = buf;
	else
		free(buf);
	return rc;
}

static char *
wire_state_get(void *arg, const char *key)
{
	char *value = NULL;

	wire_query('g', 0, key, NULL);
	wire_answer(arg, &value);
	return value;
}

static int
wire_state_set(void *arg, const char *key, const char *value)
{
	wire_query('s', 0, key, value);
	return wire_answer(arg, NULL) == 0 ? 0 : -1;
}

static void
wire_log(void *arg, enum mgr_log_level level, const char *msg)
{
	(void)arg;
	wire_query('l', (size_t)level, msg, NULL);
}

/* A private scratch folder: the plugin's $TMPDIR, removed when the
 * worker ends.  A worker killed with SIGKILL (a timeout, the engine's
 * stop) cannot remove it: its lock (scratch.h) is then free and its
 * PID gone, and the next worker of the plugin sweeps it. */
static char *
make_scratch(const char *id, struct mgr_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char *prefix = xasprintf("manager-run-%s", id), *path = NULL;
	struct scratch s;

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	scratch_sweep(tmp, prefix, NULL, NULL);
	if (scratch_dir(tmp, prefix, &s, err) == 0) {
		path = s.path;	/* s.fd stays open: the lock, till the end */
		setenv("TMPDIR", path, 1);
	}
	free(prefix);
	return path;
}

static const char *
locale_dir(void)
{
#if ENABLE_NLS
	const char *env = getenv("MANAGER_LOCALEDIR");

	return env != NULL ? env : LOCALEDIR;
#else
	return NULL;
#endif
}

/* --user, --group: initgroups, setgid, setuid (the order that leaves no
 * privilege behind), after the namespaces (made as root, so that no user
 * namespace is needed) and before Landlock, seccomp and the plugin's
 * loading; the scratch folder becomes the user's. */
static int
switch_user(const struct plugin_args *pa, const char *scratch,
	    struct mgr_error *err)
{
	struct passwd *pw = NULL;
	struct group *gr = NULL;
	const char *who = pa->user != NULL ? pa->user : pa->group;
	gid_t gid;

	if (pa->user == NULL && pa->group == NULL)
		return 0;
	if (pa->user != NULL && (pw = getpwnam(pa->user)) == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("no user %s"), pa->user);
	if (pa->group != NULL && (gr = getgrnam(pa->group)) == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("no group %s"), pa->group);
	gid = gr != NULL ? gr->gr_gid : pw->pw_gid;
	if (geteuid() != 0 && (pw == NULL || pw->pw_uid == geteuid()) &&
	    gid == getegid())
		return 0;	/* its own user (all a non-root engine allows) */
	if (scratch != NULL && chown(scratch, pw != NULL ? pw->pw_uid :
	    (uid_t)-1, gid) != 0)
		return mgr_error_set(err, MGR_EIO, _("cannot give %s to %s: %s"),
		    scratch, who, strerror(errno));
	if (pw != NULL ? initgroups(pw->pw_name, gid) != 0 :
	    setgroups(0, NULL) != 0)
		return mgr_error_set(err, MGR_EIO, _("cannot set the groups of "
		    "%s: %s"), who, strerror(errno));
	if (setgid(gid) != 0)
		return mgr_error_set(err, MGR_EIO, _("cannot switch to group "
		    "%s: %s"), pa->group != NULL ? pa->group : who,
		    strerror(errno));
	if (pw != NULL && setuid(pw->pw_uid) != 0)
		return mgr_error_set(err, MGR_EIO, _("cannot switch to user "
		    "%s: %s"), pa->user, strerror(errno));
	return 0;
}

/* The manifest's permissions, enforced before the plugin's library is
 * loaded; returns in the confined process. */
static int
worker_confine(const struct plugin_args *pa, const struct manifest *m,
	       const char *scratch, struct mgr_error *err)
{
	struct confine_spec s;
	int rc;

	memset(&s, 0, sizeof s);
	s.network = m->perms.network;
	s.read = manifest_perms_paths(m->perms.read, m->dir);
	s.read = strv_push(s.read, m->dir);
	if (locale_dir() != NULL)
		s.read = strv_push(s.read, locale_dir());
	s.write = manifest_perms_paths(m->perms.write, m->dir);
	s.exec = manifest_perms_paths(m->perms.exec, m->dir);
	s.deny = pa->db;
	s.scratch = scratch;
	s.nproc = 64;
	s.require = pa->require;
	rc = confine_enter(&s, err);
	if (rc == 0)
		rc = switch_user(pa, scratch, err);
	if (rc == 0)
		rc = confine_lock(&s, err);
	strv_free(s.read);
	strv_free(s.write);
	strv_free(s.exec);
	return rc;
}

static int
worker_setup(struct sandbox_limits *lim, const struct plugin_args *pa,
	     struct manifest *m, struct loaded_plugin **lp,
	     struct mgr_error *err)
{
	struct mgr_problems probs = { 0 };
	char *dir = path_dirname_abs(pa->lib), *scratch = NULL;
	int rc;

	lim->keep_fds = 4;
	rc = sandbox_apply(lim, err);
	if (rc == 0)
		rc = manifest_load(dir, m, &probs, err);
	if (rc == 0 && (scratch = make_scratch(pa->id, err)) == NULL)
		rc = MGR_EIO;
	if (rc == 0)
		rc = worker_confine(pa, m, scratch, err);
	if (rc == 0)
		rc = loader_load(pa->lib, pa->id, lp, err);
	problems_free(&probs);
	free(scratch);
	free(dir);
	return rc;
}

static int
run_worker(struct sandbox_limits *lim, char **argv, int host_mode)
{
	struct mgr_error err = { 0 };
	struct plugin_args pa;
	struct manifest m;
	struct loaded_plugin *lp = NULL;
	struct plugin_host *host;
	struct chan chan;
	struct plugin_host_remote remote = { wire_state_get, wire_state_set,
	    wire_log, NULL, &chan };
	char **req;

	memset(&m, 0, sizeof m);
	if (parse_plugin_args(argv, &pa) != 0)
		return usage();
	chan.fd = 0;
	chan.spin_us = pa.spin_us;
	chan.off = chan.len = 0;
	signal(SIGTERM, on_term);
	if (worker_setup(lim, &pa, &m, &lp, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		manifest_clear(&m);
		return 126;
	}
	host = plugin_host_new(NULL, pa.id, m.json);
	plugin_host_set_remote(host, &remote);
	signal(SIGPIPE, SIG_IGN);
	/* A host worker does not retire: its registrations live in it (at
	 * RLIMIT_CPU it dies, and the engine starts and enables another). */
	while ((host_mode || !worker_spent(lim)) &&
	    (req = read_request(&chan)) != NULL) {
		if (host_mode)
			serve_host(lp, host, req);
		else
			serve_one(lp, host, req, (size_t)pa.output_max);
		strv_free(req);
	}
	plugin_host_free(host);
	loader_unload(lp);
	manifest_clear(&m);
	return 0;
}

/* One line of text: tabs and line breaks of a summary become spaces. */
static void
print_flat(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

/* The plugin's task functions, from its library loaded in the worker's
 * confinement (the plugin's constructors are foreign code too). */
static int
run_functions(struct sandbox_limits *lim, char **argv)
{
	struct mgr_error err = { 0 };
	const struct mgr_plugin_def *def;
	struct loaded_plugin *lp = NULL;
	struct plugin_args pa;
	struct manifest m;

	memset(&m, 0, sizeof m);
	if (parse_plugin_args(argv, &pa) != 0)
		return usage();
	if (worker_setup(lim, &pa, &m, &lp, &err) != 0) {
		fprintf(stderr, "manager-run: %s\n", err.msg);
		manifest_clear(&m);
		return 126;
	}
	def = loader_def(lp);
	for (size_t i = 0; def->tasks != NULL && def->tasks[i].name != NULL; i++) {
		print_flat(def->tasks[i].name);
		putchar('\t');
		print_flat(def->tasks[i].summary);
		putchar('\n');
	}
	fflush(stdout);
	loader_unload(lp);
	manifest_clear(&m);
	return 0;
}

static int
run_probe(void)
{
	struct confine_parts parts;
	char *missing;

	confine_probe(&parts);
	if ((missing = confine_missing(&parts)) != NULL)
		printf("%s\n", missing);
	free(missing);
	return 0;
}

/* In a sanitizer build, a plugin's crash must end this process with its
 * signal (so the engine records "crashed with SIGSEGV"), not be caught by
 * the sanitizer's handler, which exits 1 after printing DEADLYSIGNAL.
 * ASAN_OPTIONS given in the environment still take precedence. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "handle_segv=0:handle_abort=0:handle_sigbus=0:handle_sigfpe=0:"
	    "handle_sigill=0";
}

int
main(int argc, char **argv)
{
	struct sandbox_limits lim = { 0, 0, 0, 0, 0 };
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
	if (i < argc && strcmp(argv[i], "probe") == 0)
		return run_probe();
	if (i < argc && strcmp(argv[i], "worker") == 0)
		return run_worker(&lim, argv + i + 1, 0);
	if (i < argc && strcmp(argv[i], "host") == 0)
		return run_worker(&lim, argv + i + 1, 1);
	if (i < argc && strcmp(argv[i], "functions") == 0)
		return run_functions(&lim, argv + i + 1);
	return usage();
}
