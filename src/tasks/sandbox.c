/* sandbox.c - argv splitting, posix_spawn with captured output, limits. */
#include "i18n.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/local/libexec/manager"
#endif

extern char **environ;

/* One quoted section starting at *p (the quote); appends to word. */
static int
split_quoted(const char **p, const char *start, struct strbuf *word,
	     struct mgr_error *err)
{
	char q = **p;
	const char *s = *p + 1;

	for (; *s != q; s++) {
		if (*s == '\0') {
			size_t shown = utf8_prefix_len(start, 200);
			return mgr_error_set(err, MGR_EINVAL,
			    _("command \"%.*s%s\": unterminated %c at column %d"),
			    (int)shown, start, start[shown] != '\0' ? "..." : "",
			    q, (int)(*p - start) + 1);
		}
		if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		strbuf_add(word, s, 1);
	}
	*p = s + 1;
	return 0;
}

/* The words so far; grows by doubling, so that splitting is linear. */
struct words {
	char **v;
	size_t n, cap;
};

static int
words_push(struct words *w, const struct strbuf *word, struct mgr_error *err)
{
	if (w->n == EXEC_MAX_WORDS)
		return mgr_error_set(err, MGR_EINVAL, _("command has more than "
		    "%d words"), EXEC_MAX_WORDS);
	if (w->n + 2 > w->cap) {
		w->cap = w->cap == 0 ? 8 : w->cap * 2;
		w->v = xrealloc(w->v, w->cap * sizeof *w->v);
	}
	w->v[w->n++] = xstrndup(word->buf != NULL ? word->buf : "", word->len);
	w->v[w->n] = NULL;
	return 0;
}

static int
split_fail(struct words *w, struct strbuf *word, int rc)
{
	strbuf_free(word);
	strv_free(w->v);
	return rc;
}

int
exec_split(const char *cmdline, char ***argv, struct mgr_error *err)
{
	struct strbuf word = STRBUF_INIT;
	struct words w = { 0 };
	const char *p = cmdline;
	size_t len = strlen(cmdline);
	int inword = 0, rc;

	if (len > EXEC_MAX_BYTES)
		return mgr_error_set(err, MGR_EINVAL, _("command is %zu bytes long: "
		    "at most %d are allowed"), len, EXEC_MAX_BYTES);
	for (;;) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (inword) {
				if ((rc = words_push(&w, &word, err)) != 0)
					return split_fail(&w, &word, rc);
				word.len = 0;
				inword = 0;
			}
			if (*p++ == '\0')
				break;
			continue;
		}
		inword = 1;
		if (*p == '"' || *p == '\'') {
			if ((rc = split_quoted(&p, cmdline, &word, err)) != 0)
				return split_fail(&w, &word, rc);
			continue;
		}
		if (*p == '\\' && p[1] != '\0')
			p++;
		strbuf_add(&word, p++, 1);
	}
	strbuf_free(&word);
	if (w.v == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("command \"%s\" is empty"),
		    cmdline);
	*argv = w.v;
	return 0;
}

/* Attributes and the output descriptors; the caller adds its own
 * descriptors, then closes the rest (addclosefrom). */
static void
spawn_setup(posix_spawnattr_t *attr, posix_spawn_file_actions_t *fa, int wfd,
	    int efd)
{
	sigset_t none, all;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(attr);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setsigdefault(attr, &all);
	posix_spawn_file_actions_init(fa);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(fa, wfd, 1);
	posix_spawn_file_actions_adddup2(fa, efd, 2);
}

/* stdout's pipe, and stderr's apart (the run logs keep them apart). */
static int
output_pipes(int out[2], int errp[2], struct mgr_error *err)
{
	int e;

	out[0] = out[1] = errp[0] = errp[1] = -1;
	if (pipe2(out, O_CLOEXEC) == 0 && pipe2(errp, O_CLOEXEC) == 0)
		return 0;
	e = errno;
	for (int i = 0; i < 2; i++) {
		if (out[i] != -1)
			close(out[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
	return mgr_error_set(err, MGR_EIO, _("cannot create a pipe: %s"),
	    strerror(e));
}

static void
pipes_done(int out[2], int errp[2], int ok, int *outfd, int *errfd)
{
	close(out[1]);
	close(errp[1]);
	if (!ok) {
		close(out[0]);
		close(errp[0]);
		return;
	}
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fcntl(errp[0], F_SETFL, fcntl(errp[0], F_GETFL) | O_NONBLOCK);
	*outfd = out[0];
	*errfd = errp[0];
}

/* envp NULL: this process's environment; usagefd NULL: no usage pipe
 * (else the child's descriptor 3, for manager-exec --usage-fd=3). */
int
sandbox_spawn_env(char *const argv[], char *const envp[], pid_t *pid,
		  int *outfd, int *errfd, int *usagefd, const int *pass,
		  struct mgr_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int out[2], errp[2], use[2] = { -1, -1 }, rc;

	if ((rc = output_pipes(out, errp, err)) != 0)
		return rc;
	if (usagefd != NULL && pipe2(use, O_CLOEXEC) == -1) {
		rc = errno;
		pipes_done(out, errp, 0, outfd, errfd);
		return mgr_error_set(err, MGR_EIO, _("cannot create a pipe: %s"),
		    strerror(rc));
	}
	spawn_setup(&attr, &fa, out[1], errp[1]);
	if (usagefd != NULL)
		posix_spawn_file_actions_adddup2(&fa, use[1], 3);
	if (usagefd != NULL && pass != NULL) {
		posix_spawn_file_actions_adddup2(&fa, pass[0], 4);
		if (pass[1] != -1)
			posix_spawn_file_actions_adddup2(&fa, pass[1], 5);
	}
	/* Nothing of the engine (database, sockets) leaks into a run. */
	posix_spawn_file_actions_addclosefrom_np(&fa, usagefd == NULL ? 3 :
	    pass == NULL ? 4 : pass[1] == -1 ? 5 : 6);
	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv,
	    envp != NULL ? envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	pipes_done(out, errp, rc == 0, outfd, errfd);
	if (usagefd != NULL) {
		close(use[1]);
		if (rc != 0)
			close(use[0]);
		else {
			fcntl(use[0], F_SETFL, fcntl(use[0], F_GETFL) | O_NONBLOCK);
			*usagefd = use[0];
		}
	}
	if (rc != 0)
		return mgr_error_set(err, MGR_EIO, _("cannot run %s: %s"), argv[0],
		    strerror(rc));
	return 0;
}

int
sandbox_spawn(char *const argv[], pid_t *pid, int *outfd, int *errfd,
	      struct mgr_error *err)
{
	return sandbox_spawn_env(argv, NULL, pid, outfd, errfd, NULL, NULL, err);
}

static void
close_pair(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
}

int
sandbox_spawn_worker(char *const argv[], pid_t *pid, int *reqfd, int *replyfd,
		     int *outfd, int *errfd, struct mgr_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int req[2] = { -1, -1 }, rep[2] = { -1, -1 }, out[2], errp[2], rc;

	if ((rc = output_pipes(out, errp, err)) != 0)
		return rc;
	/* Requests through a socket: a write to a dead worker gives EPIPE
	 * (MSG_NOSIGNAL), never a SIGPIPE to the engine. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, req) == -1 ||
	    pipe2(rep, O_CLOEXEC) == -1) {
		rc = errno;
		close_pair(req);
		close_pair(rep);
		pipes_done(out, errp, 0, outfd, errfd);
		return mgr_error_set(err, MGR_EIO, _("cannot create a pipe: %s"),
		    strerror(rc));
	}
	spawn_setup(&attr, &fa, out[1], errp[1]);
	posix_spawn_file_actions_adddup2(&fa, req[0], 0);
	posix_spawn_file_actions_adddup2(&fa, rep[1], 3);
	posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	rc = posix_spawn(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(req[0]);
	close(rep[1]);
	pipes_done(out, errp, rc == 0, outfd, errfd);
	if (rc != 0) {
		close(req[1]);
		close(rep[0]);
		return mgr_error_set(err, MGR_EIO, _("cannot run %s: %s"), argv[0],
		    strerror(rc));
	}
	fcntl(rep[0], F_SETFL, fcntl(rep[0], F_GETFL) | O_NONBLOCK);
	*reqfd = req[1];
	*replyfd = rep[0];
	return 0;
}

static int
set_limit(int resource, rlim_t value, const char *name, struct mgr_error *err)
{
	struct rlimit rl = { value, value };

	if (setrlimit(resource, &rl) == -1)
		return mgr_error_set(err, MGR_EIO, _("cannot set %s to %llu: %s"),
		    name, (unsigned long long)value, strerror(errno));
	return 0;
}

static void
close_from(int first)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)first, ~0U, 0U) == 0)
		return;
#endif
	for (int fd = first, max = (int)sysconf(_SC_OPEN_MAX); fd < max && fd < 65536; fd++)
		close(fd);
}

int
sandbox_apply(const struct sandbox_limits *lim, struct mgr_error *err)
{
	int rc;

	if (lim->cpu_seconds > 0 && (rc = set_limit(RLIMIT_CPU,
	    (rlim_t)lim->cpu_seconds, "RLIMIT_CPU", err)) != 0)
		return rc;
	if (lim->memory_mb > 0 && (rc = set_limit(RLIMIT_AS,
	    (rlim_t)lim->memory_mb << 20, "RLIMIT_AS", err)) != 0)
		return rc;
	if (lim->open_files > 0 && (rc = set_limit(RLIMIT_NOFILE,
	    (rlim_t)lim->open_files, "RLIMIT_NOFILE", err)) != 0)
		return rc;
	if (!lim->keep_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return mgr_error_set(err, MGR_EIO, _("cannot set no_new_privs: %s"),
		    strerror(errno));
	close_from(lim->keep_fds > 3 ? lim->keep_fds : 3);
	return 0;
}

int
sandbox_ioprio_parse(const char *s, int *cls, int *level)
{
	static const char *const names[] = { "realtime", "best-effort", "idle" };
	char *end;
	long v = 4;

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(names[i]);
		if (strncmp(s, names[i], n) != 0)
			continue;
		if (s[n] == ':' && i < 2) {
			errno = 0;
			v = strtol(s + n + 1, &end, 10);
			if (errno != 0 || end == s + n + 1 || *end != '\0' ||
			    v < 0 || v > 7)
				return -1;
		} else if (s[n] != '\0')
			return -1;
		*cls = i + 1;
		*level = i == 2 ? 0 : (int)v;
		return 0;
	}
	return -1;
}

/* ioprio_set(2) has no glibc wrapper. */
int
sandbox_ioprio_set(const char *spec)
{
	int cls, level;

	if (sandbox_ioprio_parse(spec, &cls, &level) != 0) {
		errno = EINVAL;
		return -1;
	}
	return (int)syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0,
	    cls << 13 | level);
}

static char *
helper_next_to_self(const char *name)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	char *dir, *path;

	if (n <= 0)
		return NULL;
	self[n] = '\0';
	dir = path_dirname_abs(self);
	path = xasprintf("%s/%s", dir, name);
	free(dir);
	if (access(path, X_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
sandbox_helper_path(const char *name, const char *env_name)
{
	const char *env = getenv(env_name);
	char *p;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if ((p = helper_next_to_self(name)) != NULL)
		return p;
	return xasprintf("%s/%s", PKGLIBEXECDIR, name);
}

const char *
sandbox_signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}
