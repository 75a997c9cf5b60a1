/* probe.c - loading a plugin in a child process: both sides. */
#include "i18n.h"
#include "host_worker.h"
#include "loader.h"
#include "manifest.h"
#include "plugin_host.h"
#include "probe.h"
#include "util.h"
#include "validator.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Child side. */
static void
probe_say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
probe_say(FILE *out, const char *fmt, ...)
{
	va_list ap;

	fputs(PROBE_MARK, out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
}

static int
probe_enable(FILE *out, const struct mgr_plugin_def *def,
	     const struct manifest *m, struct mgr_db *db, struct mgr_log *log)
{
	struct plugin_host *h = plugin_host_new_db(db, log, m->id, m->json);
	int rc = 0;

	if (def->on_enable != NULL) {
		probe_say(out, "stage enable");
		rc = def->on_enable(plugin_host_handle(h));
		probe_say(out, "enable-rc %d", rc);
	}
	if (rc == 0 && def->on_disable != NULL) {
		probe_say(out, "stage disable");
		def->on_disable(plugin_host_handle(h));
	}
	plugin_host_free(h);
	return rc == 0 ? 0 : 1;
}

int
probe_child(FILE *out, const char *dir, int run_enable, struct mgr_db *db,
	    struct mgr_log *log)
{
	struct mgr_problems p = { 0 };
	struct mgr_error err = { 0 };
	struct manifest m;
	const struct mgr_plugin_def *def;
	void *handle;
	char *lib;
	int status = 1;

	if (manifest_load(dir, &m, &p, &err) != 0) {
		probe_say(out, "error %s", err.msg);
		goto out;
	}
	lib = manifest_library_path(&m);
	probe_say(out, "stage load");
	handle = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL)
		probe_say(out, "error %s: cannot load: %s", lib, dlerror());
	else if ((def = dlsym(handle, "mgr_plugin")) == NULL)
		probe_say(out, "error %s: does not export mgr_plugin (define it "
		    "with MGR_PLUGIN())", lib);
	else if (loader_check_def(def, m.id, lib, &err) != 0)
		probe_say(out, "error %s", err.msg);
	else {
		probe_say(out, "loaded %s", def->id);
		status = run_enable ? probe_enable(out, def, &m, db, log) : 0;
		probe_say(out, "stage exit");
	}
	free(lib);
out:
	manifest_clear(&m);
	problems_free(&p);
	return status;
}

/* Parent side. */
struct probe_run {
	pid_t pid;
	int fd;
	struct strbuf text;
	char stage[32];
	char error[MGR_ERROR_MAX];
	int enable_rc;
	int exited, status;
};

static char **
probe_argv(const struct probe_opts *o, const char *dir, int run_enable)
{
	char **argv = strv_push(NULL, o->exe);

	if (o->config != NULL) {
		argv = strv_push(argv, "--config");
		argv = strv_push(argv, o->config);
	}
	if (o->db != NULL) {
		argv = strv_push(argv, "--db");
		argv = strv_push(argv, o->db);
	}
	argv = strv_push(argv, "plugin");
	argv = strv_push(argv, "probe");
	if (run_enable)
		argv = strv_push(argv, "--enable");
	argv = strv_push(argv, "--");
	return strv_push(argv, dir);
}

/* The child's crash must end it with its signal, not be caught by a
 * sanitizer's handler. */
static char **
probe_env(void)
{
	char **env = NULL;
	const char *asan = getenv("ASAN_OPTIONS");
	char *opt;

	for (size_t i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
			env = strv_push(env, environ[i]);
	opt = xasprintf("ASAN_OPTIONS=%s%shandle_segv=0:handle_abort=0:"
	    "handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:detect_leaks=0",
	    asan != NULL ? asan : "", asan != NULL && asan[0] ? ":" : "");
	env = strv_push(env, opt);
	free(opt);
	return env;
}

static int
probe_spawn(struct probe_run *r, const struct probe_opts *o, const char *dir,
	    int run_enable, struct mgr_error *err)
{
	posix_spawn_file_actions_t fa;
	char **argv = probe_argv(o, dir, run_enable), **env = probe_env();
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return mgr_error_set(err, MGR_EIO, _("pipe: %s"), strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	rc = posix_spawn(&r->pid, o->exe, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	strv_free(argv);
	strv_free(env);
	if (rc != 0) {
		close(fds[0]);
		return mgr_error_set(err, MGR_EIO, _("cannot run %s: %s"), o->exe,
		    strerror(rc));
	}
	r->fd = fds[0];
	return 0;
}

static void
probe_parse_line(struct probe_run *r, const char *line)
{
	size_t n = strlen(PROBE_MARK);

	if (strncmp(line, PROBE_MARK, n) != 0)
		return;
	line += n;
	if (strncmp(line, "stage ", 6) == 0)
		snprintf(r->stage, sizeof r->stage, "%s", line + 6);
	else if (strncmp(line, "error ", 6) == 0 && r->error[0] == '\0')
		snprintf(r->error, sizeof r->error, "%s", line + 6);
	else if (strncmp(line, "enable-rc ", 10) == 0)
		r->enable_rc = atoi(line + 10);
}

static void
probe_parse(struct probe_run *r)
{
	char *line = r->text.buf, *nl;

	while (line != NULL && *line != '\0') {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		probe_parse_line(r, line);
		if (nl != NULL)
			*nl = '\n';
		line = nl != NULL ? nl + 1 : NULL;
	}
}

/* Reads until EOF and the child's exit, or the deadline. */
static int
probe_wait(struct probe_run *r, int timeout_ms)
{
	int64_t deadline = mgr_mono_us() + (int64_t)timeout_ms * 1000;
	char buf[4096];

	for (;;) {
		int64_t left = (deadline - mgr_mono_us()) / 1000;
		struct pollfd pfd = { r->fd, POLLIN, 0 };
		ssize_t n;

		if (r->fd >= 0) {
			if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
				if (left <= 0)
					return MGR_ETIMEOUT;
				continue;
			}
			n = read(r->fd, buf, sizeof buf);
			if (n > 0) {
				if (r->text.len < 65536)	/* bounded */
					strbuf_add(&r->text, buf, (size_t)n);
				continue;
			}
			close(r->fd);
			r->fd = -1;
		}
		if (waitpid(r->pid, &r->status, WNOHANG) == r->pid) {
			r->exited = 1;
			return 0;
		}
		if (left <= 0)
			return MGR_ETIMEOUT;
		usleep(2000);
	}
}

static const char *
probe_signame(int sig)
{
	switch (sig) {
	case SIGSEGV:	return "SIGSEGV";
	case SIGBUS:	return "SIGBUS";
	case SIGABRT:	return "SIGABRT";
	case SIGFPE:	return "SIGFPE";
	case SIGILL:	return "SIGILL";
	case SIGKILL:	return "SIGKILL";
	case SIGTERM:	return "SIGTERM";
	default:	return NULL;
	}
}

static const char *
probe_stage_what(const char *stage)
{
	if (strcmp(stage, "load") == 0)
		return _("constructor");
	if (strcmp(stage, "enable") == 0)
		return _("on_enable");
	if (strcmp(stage, "disable") == 0)
		return _("on_disable");
	if (strcmp(stage, "exit") == 0)
		return _("destructor");
	return _("probe");
}

static int
probe_verdict(struct probe_run *r, const char *dir, struct mgr_error *err)
{
	const char *what = probe_stage_what(r->stage);

	if (WIFSIGNALED(r->status)) {
		const char *name = probe_signame(WTERMSIG(r->status));
		if (name != NULL)
			return mgr_error_set(err, MGR_EPLUGIN, _("%s: %s crashed "
			    "with %s"), dir, what, name);
		return mgr_error_set(err, MGR_EPLUGIN, _("%s: %s crashed with "
		    "signal %d"), dir, what, WTERMSIG(r->status));
	}
	if (r->error[0] != '\0')
		return mgr_error_set(err, MGR_EINVAL, "%s", r->error);
	if (r->enable_rc != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s: on_enable refused "
		    "(returned %d)"), dir, r->enable_rc);
	if (WEXITSTATUS(r->status) != 0 || strcmp(r->stage, "exit") != 0)
		return mgr_error_set(err, MGR_EPLUGIN, _("%s: probe failed in the "
		    "%s (exit status %d): %.200s"), dir, what,
		    WEXITSTATUS(r->status), r->text.buf != NULL ? r->text.buf : "");
	return 0;
}

int
probe_plugin(const struct probe_opts *o, const char *dir, int run_enable,
	     struct mgr_error *err)
{
	struct probe_run r = { .fd = -1 };
	int timeout = o->timeout_ms > 0 ? o->timeout_ms : PROBE_TIMEOUT_MS;
	int rc;

	if (o->mgr != NULL)
		return hostw_probe(o->mgr, dir, run_enable, err);
	if ((rc = probe_spawn(&r, o, dir, run_enable, err)) != 0)
		return rc;
	rc = probe_wait(&r, timeout);
	if (r.fd >= 0)
		close(r.fd);
	if (rc == MGR_ETIMEOUT) {
		kill(r.pid, SIGKILL);
		waitpid(r.pid, NULL, 0);
		probe_parse(&r);
		rc = mgr_error_set(err, MGR_ETIMEOUT, _("%s: probe timed out after "
		    "%d s (the %s did not return)"), dir, (timeout + 999) / 1000,
		    probe_stage_what(r.stage));
	} else {
		probe_parse(&r);
		rc = probe_verdict(&r, dir, err);
	}
	strbuf_free(&r.text);
	return rc;
}
