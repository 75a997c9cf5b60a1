/* manager-exec.c - the helper of exec: tasks: applies the run's
 * execution context, limits and sandbox to itself, then runs the command.
 *
 *	manager-exec [--cpu=S] [--memory=MB] [--open-files=N] [--plain]
 *		     [--usage-fd=FD] [--workdir=DIR] [--user=NAME]
 *		     [--group=NAME] [--umask=MODE] [--nice=N]
 *		     [--ioprio=CLASS[:LEVEL]] [--strict [--network]
 *		     [--private-tmp] [--require] [--read-only=PATH]...
 *		     [--write=PATH]...] [--stdin-env=NAME] [--parent=PID]
 *		     [--log-sock=FD --log-max-mb=N]
 *		     -- CMD ARG...
 *
 * Order: nice and the I/O class (raising either needs root), umask, the
 * strict sandbox's namespaces (confine_enter: no network, a PID
 * namespace, a private /tmp; made before the user switch, so that a root
 * engine needs no user namespace), then the user and group (initgroups,
 * setgid, setuid), the working folder (entered as the run's user), and
 * in the process that becomes the command: the limits,
 * PR_SET_NO_NEW_PRIVS (--plain: sandboxing is off, none unless
 * --strict), and the sandbox's Landlock rules, no capabilities and
 * seccomp filter (confine_lock).  The environment is the one it was
 * started with: the engine builds it (task_context.c).
 *
 * --strict reads and runs confine_task_read, the working folder and each
 * --read-only; writes the working folder, each --write and the devices
 * of confine_task_devices; --require: a part this kernel lacks fails the
 * run instead of leaving it out.
 *
 * --stdin-env=NAME: the command reads the value of the variable NAME on
 * its standard input, and NAME is taken out of its environment (a mail
 * or a webhook's body, which the engine passes by environment so that
 * it never shows in `ps` and no shell is needed to pipe it).
 *
 * --parent=PID: the command dies with process PID, this one's parent (the
 * engine, for a notification: one that dies is sent again by the next
 * start, so the one under way must not go on and be sent twice).  A
 * parent-death signal (PR_SET_PDEATHSIG) to this process, which, with
 * --usage-fd, kills its whole process group: the command and whatever
 * it started.
 *
 * --usage-fd: the command runs as a child, and its rusage from wait4
 * ("USER_US SYS_US MAXRSS_KB\n") is written to FD when it ends; this
 * process then ends as the command did (same exit status, same signal),
 * so the engine sees the command's own end.  Without it, the command
 * replaces this process.
 *
 * --log-sock (with --usage-fd): this process may write the command's
 * full run log itself, so that the run pays for its output, not the
 * engine's loop (exec_pump.c).  The engine reads the command's pipes
 * while the history's excerpt fills, then hands them over on the socket
 * FD with the log's file and a shared page (struct runlog_shared) where
 * this process keeps what it wrote (SCM_RIGHTS); from then on each read
 * here is a record (runlog.h), cut at --log-max-mb MiB, the rest
 * counted.  The page comes with the hand-over, not at the start: most
 * runs print too little to be handed over, and a page made for every
 * run was a memfd (an inode) per run.
 *
 * It links libc and libseccomp only, statically where the build can
 * (MGR_EXEC_STATIC: no dynamic loading at each run's start; a run with
 * --user or --group then goes on in manager-exec-user, the same program
 * linked dynamically, for the NSS lookups), and starts the command with
 * vfork unless --strict.  Exit status 127: the command could not be
 * started (the reason is on stderr). */
#include "i18n.h"
#include "confine.h"
#include "exec_pump.h"
#include "sandbox.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct exec_opts {
	struct sandbox_limits lim;
	int plain;
	int usage_fd;		/* -1: none */
	const char *workdir, *user, *group;
	int umask;		/* -1: unchanged */
	int nice;
	const char *ioprio;
	const char *stdin_env;	/* --stdin-env: the variable fed to stdin */
	int parent;		/* --parent: dies with it; 0: none */
	int strict;		/* confine with spec */
	struct confine_spec spec;
	int log_sock;			/* --log-sock; -1 */
	int log_max_mb;			/* --log-max-mb */
	int pumping;			/* this process may write the log */
	struct exec_pump pump;
};

static int
num_arg(const char *arg, const char *name, int base, long min, long max,
	int *out)
{
	size_t len = strlen(name);
	char *end;
	long v;

	if (strncmp(arg, name, len) != 0 || arg[len] != '=')
		return 0;
	errno = 0;
	v = strtol(arg + len + 1, &end, base);
	if (errno != 0 || end == arg + len + 1 || *end != '\0' || v < min ||
	    v > max)
		return -1;
	*out = (int)v;
	return 1;
}

static int
str_arg(const char *arg, const char *name, const char **out)
{
	size_t len = strlen(name);

	if (strncmp(arg, name, len) != 0 || arg[len] != '=' || arg[len + 1] == '\0')
		return 0;
	*out = arg + len + 1;
	return 1;
}

static int
parse_opt(const char *a, struct exec_opts *o)
{
	int r;

	static const char *const flags[] = { "--plain", "--strict",
	    "--network", "--private-tmp", "--require" };
	int *fields[] = { &o->plain, &o->strict, &o->spec.network,
	    &o->spec.private_tmp, &o->spec.require };
	const char *path;

	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (strcmp(a, flags[i]) == 0) {
			*fields[i] = 1;
			return 1;
		}
	if (str_arg(a, "--read-only", &path)) {
		o->spec.exec = strv_push(o->spec.exec, path);
		return 1;
	}
	if (str_arg(a, "--write", &path)) {
		o->spec.write = strv_push(o->spec.write, path);
		return 1;
	}
	if ((r = num_arg(a, "--cpu", 10, 0, 1L << 30, &o->lim.cpu_seconds)) != 0 ||
	    (r = num_arg(a, "--memory", 10, 0, 1L << 30, &o->lim.memory_mb)) != 0 ||
	    (r = num_arg(a, "--open-files", 10, 0, 1L << 30, &o->lim.open_files)) != 0 ||
	    (r = num_arg(a, "--usage-fd", 10, 3, 1023, &o->usage_fd)) != 0 ||
	    (r = num_arg(a, "--umask", 8, 0, 0777, &o->umask)) != 0 ||
	    (r = num_arg(a, "--nice", 10, -20, 19, &o->nice)) != 0 ||
	    (r = num_arg(a, "--parent", 10, 1, 1 << 30, &o->parent)) != 0 ||
	    (r = num_arg(a, "--log-sock", 10, 3, 1023, &o->log_sock)) != 0 ||
	    (r = num_arg(a, "--log-max-mb", 10, 0, 1 << 20, &o->log_max_mb)) != 0)
		return r;
	return str_arg(a, "--workdir", &o->workdir) ||
	    str_arg(a, "--user", &o->user) || str_arg(a, "--group", &o->group) ||
	    str_arg(a, "--ioprio", &o->ioprio) ||
	    str_arg(a, "--stdin-env", &o->stdin_env) ? 1 : -1;
}

/* The parent-death signal of a supervising manager-exec: the process
 * group goes, this process with it. */
static void
parent_died(int sig)
{
	(void)sig;
	kill(0, SIGKILL);
}

/* Dies with o->parent from now on: SIGKILL when this process becomes
 * the command, the group's end when it supervises it.  Set again after
 * a change of user, which clears it. */
static int
watch_parent(const struct exec_opts *o)
{
	struct sigaction sa = { .sa_handler = parent_died };

	if (o->parent == 0)
		return 0;
	if (o->usage_fd >= 0 && sigaction(SIGUSR2, &sa, NULL) != 0)
		return -1;
	if (prctl(PR_SET_PDEATHSIG, o->usage_fd >= 0 ? SIGUSR2 : SIGKILL) != 0)
		return -1;
	if (getppid() != o->parent) {	/* gone before the signal was set */
		fprintf(stderr, _("manager-exec: --parent=%d: that process, "
		    "the parent, is gone\n"), o->parent);
		return -1;
	}
	return 0;
}

static int
fail(const char *what, const char *name)
{
	fprintf(stderr, "manager-exec: %s %s: %s\n", what, name, strerror(errno));
	return -1;
}

#ifdef MGR_EXEC_STATIC
/* This program is linked statically, so that every run starts without
 * the dynamic loader's work; user and group lookups need the system's
 * NSS modules, which only a dynamic program loads safely (a static one
 * crashed in libnss_systemd).  A run that switches user or group goes
 * on, before anything is applied, in manager-exec-user: this program
 * linked dynamically, given the same arguments. */
static int
exec_dynamic(char **argv)
{
	char *path = sandbox_helper_path("manager-exec-user",
	    "MANAGER_EXEC_USER");

	execv(path, argv);
	fprintf(stderr, _("manager-exec: cannot run %s, which switches the "
	    "user or group: %s\n"), path, strerror(errno));
	free(path);
	return 127;
}
#else
/* initgroups, setgid, setuid: the order that leaves no privilege behind. */
static int
switch_user(const struct exec_opts *o)
{
	struct passwd *pw = NULL;
	struct group *gr = NULL;
	gid_t gid;

	if (o->user == NULL && o->group == NULL)
		return 0;
	if (o->user != NULL && (pw = getpwnam(o->user)) == NULL) {
		fprintf(stderr, "manager-exec: no user %s\n", o->user);
		return -1;
	}
	if (o->group != NULL && (gr = getgrnam(o->group)) == NULL) {
		fprintf(stderr, "manager-exec: no group %s\n", o->group);
		return -1;
	}
	gid = gr != NULL ? gr->gr_gid : pw->pw_gid;
	if (pw != NULL ? initgroups(pw->pw_name, gid) != 0 :
	    setgroups(0, NULL) != 0)
		return fail("cannot set the groups of", o->user != NULL ?
		    o->user : o->group);
	if (setgid(gid) != 0)
		return fail("cannot switch to group", o->group != NULL ?
		    o->group : o->user);
	if (pw != NULL && setuid(pw->pw_uid) != 0)
		return fail("cannot switch to user", o->user);
	return 0;
}
#endif

/* The strict sandbox's file-system rules: the system and --read-only
 * to read and run, the working folder and --write to write too. */
static void
strict_paths(struct exec_opts *o)
{
	for (size_t i = 0; confine_task_read[i] != NULL; i++)
		o->spec.exec = strv_push(o->spec.exec, confine_task_read[i]);
	for (size_t i = 0; confine_task_devices[i] != NULL; i++)
		o->spec.write = strv_push(o->spec.write, confine_task_devices[i]);
	/* "/" (no home of the user) is no folder to give away */
	if (o->workdir != NULL && strcmp(o->workdir, "/") != 0)
		o->spec.write = strv_push(o->spec.write, o->workdir);
}

/* The namespaces; this process goes on in the confined child. */
static int
enter(struct exec_opts *o)
{
	struct mgr_error err = { 0 };

	if (!o->strict)
		return 0;
	strict_paths(o);
	o->spec.own_proc = 1;
	if (confine_enter(&o->spec, &err) != 0) {
		fprintf(stderr, "manager-exec: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
apply(struct exec_opts *o)
{
	if (o->nice != 0 && setpriority(PRIO_PROCESS, 0, o->nice) != 0)
		return fail("cannot set nice", "value");
	if (o->ioprio != NULL && sandbox_ioprio_set(o->ioprio) != 0)
		return fail("cannot set the I/O class", o->ioprio);
	if (o->umask >= 0)
		umask((mode_t)o->umask);
	if (enter(o) != 0)
		return -1;
#ifndef MGR_EXEC_STATIC	/* else main handed the switch to manager-exec-user */
	if (switch_user(o) != 0)
		return -1;
#endif
	o->lim.keep_fds = o->usage_fd >= 0 ? o->usage_fd + 1 : 3;
	/* A strict sandbox needs no_new_privs: Landlock and seccomp are for
	 * processes that cannot gain privileges. */
	o->lim.keep_privs = o->plain && !o->strict;
	if (o->workdir != NULL && chdir(o->workdir) != 0)
		return fail("cannot enter the working folder", o->workdir);
	if (o->usage_fd >= 0)
		fcntl(o->usage_fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Waits for the command, reports its usage, ends as it ended.  The stop
 * signals reach the whole process group: this process outlives them to
 * report, the command gets them with their default meaning. */
static int
supervise(pid_t pid, struct exec_opts *o, const sigset_t *old)
{
	int fd = o->usage_fd;
	static const int ignored[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
	struct rusage ru;
	struct rlimit none = { 0, 0 };
	int status, n;
	char line[96];

	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		signal(ignored[i], SIG_IGN);
	sigprocmask(SIG_SETMASK, old, NULL);
	if (o->pumping) {
		o->pumping = 0;
		if (exec_pump_run(&o->pump, pid, &status, &ru) != 0)
			return 127;
	} else
		while (wait4(pid, &status, 0, &ru) == -1)
			if (errno != EINTR)
				return 127;
	n = snprintf(line, sizeof line, "%lld %lld %ld\n",
	    (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
	    (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
	    ru.ru_maxrss);
	if (write(fd, line, (size_t)n) != n) {
		/* the engine stopped listening: the status still counts */
	}
	close(fd);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	/* The same death, without a core file of this helper. */
	setrlimit(RLIMIT_CORE, &none);
	signal(WTERMSIG(status), SIG_DFL);
	raise(WTERMSIG(status));
	return 128 + WTERMSIG(status);
}

/* A line on stderr from the child that becomes the command, which may
 * share this process's memory (vfork): formatted on the stack and
 * written whole, through no stdio buffer (dprintf allocates one). */
__attribute__((format(printf, 1, 2)))
static void
child_say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) != n) {
		/* stderr is gone: the exit status 127 still says it */
	}
}

/* The limits, no_new_privs and the sandbox's rules, in the process that
 * becomes the command: the supervising parent is not held by the
 * command's memory limit. */
static int
limit(const struct exec_opts *o)
{
	struct mgr_error err = { 0 };

	if (sandbox_apply(&o->lim, &err) != 0 ||
	    (o->strict && confine_lock(&o->spec, &err) != 0)) {
		child_say("manager-exec: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* The variable's value becomes what stdin reads: written whole into a
 * pipe before the command starts (a pipe holds 64 KiB; it is grown for a
 * larger value, up to the 1 MiB an unprivileged process may ask for).
 * The value leaves the environment. */
static int
stdin_from_env(const char *name)
{
	const char *v = getenv(name);
	size_t len = v != NULL ? strlen(v) : 0, off = 0;
	int p[2];
	ssize_t n;

	if (pipe(p) != 0)
		return -1;
	if (len >= 65536)
		(void)fcntl(p[1], F_SETPIPE_SZ, (int)len + 1);
	while (off < len && (n = write(p[1], v + off, len - off)) > 0)
		off += (size_t)n;
	close(p[1]);
	if (off < len || dup2(p[0], STDIN_FILENO) == -1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	unsetenv(name);
	return 0;
}

/* The child that becomes the command: its limits, then the exec.  It
 * may share its parent's memory (vfork): it returns nowhere, writes no
 * variable of its parent's, and says why it failed on descriptor 2
 * itself, through no buffer of the parent's stdio. */
__attribute__((noreturn, noinline))
static void
become_command(char **cmd, const struct exec_opts *o, const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
	if (limit(o) != 0)
		_exit(127);
	execvp(cmd[0], cmd);
	child_say("manager-exec: cannot run %s: %s\n", cmd[0], strerror(errno));
	_exit(127);
}

static int
run(char **cmd, struct exec_opts *o)
{
	sigset_t all, old;
	pid_t pid;

	if (!o->strict && watch_parent(o) != 0)
		return 127;
	if (o->stdin_env != NULL && stdin_from_env(o->stdin_env) != 0) {
		fprintf(stderr, "manager-exec: cannot feed $%s to the command's "
		    "input: %s\n", o->stdin_env, strerror(errno));
		return 127;
	}
	if (o->usage_fd < 0) {
		if (limit(o) != 0)
			return 127;
		execvp(cmd[0], cmd);
		fprintf(stderr, "manager-exec: cannot run %s: %s\n", cmd[0],
		    strerror(errno));
		return 127;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	/* The command's process shares this one's memory until its exec
	 * when only system calls come before it (vfork: no page tables
	 * copied, no page copied on write by either side; a fork was a
	 * tenth of a run's CPU).  Called here, never from a function that
	 * returns: the child's calls would overwrite the return address
	 * its parent then takes.  A fork under the strict sandbox, whose
	 * rules libseccomp builds with allocations; and with
	 * AddressSanitizer, whose runtime maps memory in the child, where
	 * the command's RLIMIT_AS is already below the shared address space
	 * (its shadow): it died there, and a vfork parent waits for its
	 * child's exec or end. */
#ifdef __SANITIZE_ADDRESS__
	pid = fork();
#else
	pid = o->strict ? fork() : vfork();
#endif
	if (pid == -1) {
		fprintf(stderr, "manager-exec: cannot fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0)
		become_command(cmd, o, &old);
	return supervise(pid, o, &old);
}

/* --log-sock: this process may take the command's log over
 * (exec_pump.c) while it supervises it, so it needs --usage-fd. */
static int
log_start(struct exec_opts *o)
{
	if (o->log_sock < 0)
		return 0;
	if (o->usage_fd < 0) {
		fprintf(stderr, _("manager-exec: --log-sock=%d needs "
		    "--usage-fd\n"), o->log_sock);
		return -1;
	}
	if (exec_pump_setup(&o->pump, o->log_sock, o->log_max_mb) != 0) {
		fprintf(stderr, _("manager-exec: cannot start the run's log: "
		    "%s\n"), strerror(errno));
		return -1;
	}
	o->pumping = 1;
	return 0;
}

/* The engine's spawning threads run above the engine's priority when
 * they may (spawner.c: a burst's spawns before the CPU its children
 * already started want), and this process was born with theirs: back
 * to its parent's at once, so that neither this helper's work nor the
 * command runs above the engine (a task's --nice is applied after, in
 * apply).  Only ever down: a helper started lower than its parent (nice
 * manager-exec ...) stays there. */
static void
nice_as_parent(void)
{
	int parent, self;

	errno = 0;
	parent = getpriority(PRIO_PROCESS, (id_t)getppid());
	if (parent == -1 && errno != 0)
		return;
	self = getpriority(PRIO_PROCESS, 0);
	if (self < parent)
		setpriority(PRIO_PROCESS, 0, parent);
}

int
main(int argc, char **argv)
{
	struct exec_opts o = { .usage_fd = -1, .umask = -1, .log_sock = -1 };
	int i, rc;

	nice_as_parent();
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (parse_opt(argv[i], &o) <= 0) {
			fprintf(stderr, "manager-exec: bad option %s\n", argv[i]);
			fprintf(stderr, "usage: manager-exec [--cpu=S] [--memory=MB] "
			    "[--open-files=N] [--plain] [--usage-fd=FD] "
			    "[--workdir=DIR] [--user=NAME] [--group=NAME] "
			    "[--umask=MODE] [--nice=N] [--ioprio=CLASS[:LEVEL]] "
			    "[--strict [--network] [--private-tmp] [--require] "
			    "[--read-only=PATH]... [--write=PATH]...] "
			    "[--stdin-env=NAME] [--parent=PID] "
			    "[--log-sock=FD --log-max-mb=N] "
			    "-- COMMAND "
			    "[ARG...]\n");
			break;
		}
	}
	if (i < argc && strcmp(argv[i], "--") != 0)
		rc = 127;	/* a bad option, said above */
	else if (i + 1 >= argc) {
		fprintf(stderr, "manager-exec: no command\n");
		rc = 127;
	}
#ifdef MGR_EXEC_STATIC
	else if (o.user != NULL || o.group != NULL)
		rc = exec_dynamic(argv);
#endif
	else if (log_start(&o) != 0 || apply(&o) != 0)
		rc = 127;
	else
		rc = run(argv + i + 1, &o);
	/* the supervisor ends here: nothing left for LeakSanitizer */
	strv_free(o.spec.exec);
	strv_free(o.spec.write);
	return rc;
}
