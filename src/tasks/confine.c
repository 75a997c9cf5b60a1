/* confine.c - namespaces, Landlock, seccomp, RLIMIT_NPROC and no
 * capabilities for a sandboxed child (see confine.h). */
#include "i18n.h"
#include "confine.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <limits.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Debian 12's kernel headers predate Landlock ABI 3 to 6: the flags and
 * the full ruleset attribute are spelled out here (stable kernel ABI). */
#define LL_FS_EXECUTE		(1ULL << 0)
#define LL_FS_WRITE_FILE	(1ULL << 1)
#define LL_FS_READ_FILE		(1ULL << 2)
#define LL_FS_READ_DIR		(1ULL << 3)
#define LL_FS_ABI1		((1ULL << 13) - 1)
#define LL_FS_REFER		(1ULL << 13)	/* ABI 2 */
#define LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)
#define LL_FILE_RIGHTS		(LL_FS_EXECUTE | LL_FS_WRITE_FILE | \
	LL_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

const char *const confine_system_read[] = {
	"/usr", "/lib", "/lib64", "/lib32", "/etc/ld.so.cache",
	"/etc/localtime", "/etc/timezone", "/dev/null", "/dev/zero",
	"/dev/urandom", "/dev/random", "/sys/devices/system/cpu",
	"/proc/self", NULL
};

const char *const confine_task_read[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
	"/etc", "/opt", "/dev/random", "/dev/urandom",
	"/sys/devices/system/cpu", "/proc/self", "/proc/thread-self", NULL
};

const char *const confine_task_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", NULL
};

static int
landlock_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);

	return v < 0 ? 0 : (int)v;
}

static int
userns_allowed(void)
{
	FILE *f = fopen("/proc/sys/kernel/unprivileged_userns_clone", "r");
	int v = 1;

	if (f != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	if (v == 0)
		return 0;
	f = fopen("/proc/sys/user/max_user_namespaces", "r");
	if (f != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v > 0;
}

void
confine_probe(struct confine_parts *p)
{
	int ns_ok = geteuid() == 0 || userns_allowed();

	p->landlock_abi = landlock_abi();
	p->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
	p->netns = ns_ok && access("/proc/self/ns/net", F_OK) == 0;
	p->pidns = ns_ok && access("/proc/self/ns/pid", F_OK) == 0;
}

char *
confine_missing(const struct confine_parts *p)
{
	struct strbuf sb = STRBUF_INIT;
	const char *names[4];
	int have[4] = { p->landlock_abi > 0, p->seccomp, p->netns, p->pidns };

	names[0] = _("Landlock (file-system rules)");
	names[1] = _("seccomp (system call filter)");
	names[2] = _("network namespaces");
	names[3] = _("PID namespaces");
	for (int i = 0; i < 4; i++)
		if (!have[i])
			strbuf_addf(&sb, "%s%s", sb.len > 0 ? ", " : "", names[i]);
	return sb.len > 0 ? strbuf_detach(&sb) : NULL;
}

/* Namespaces. */
static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* An unprivileged user needs a user namespace to own the others; inside
 * it keeps its own uid and gid (one-to-one maps). */
static int
map_ids(uid_t uid, gid_t gid)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", buf) != 0)
		return -1;
	if (write_file("/proc/self/setgroups", "deny") != 0)
		return -1;
	snprintf(buf, sizeof buf, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", buf);
}

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer reads /proc/PID/task with the PID it sees: in a PID
 * namespace of its own, /proc (the host's) names another process. */
#define PID_NS_FLAG	0
#else
#define PID_NS_FLAG	CLONE_NEWPID
#endif

/* Mounts made in this mount namespace stay in it. */
static int
private_mounts(struct mgr_error *err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return mgr_error_set(err, MGR_EIO, _("sandbox: cannot make the "
		    "mounts private: %s"), strerror(errno));
	return 0;
}

/* An empty tmpfs on /tmp, seen by this mount namespace only. */
static int
private_tmp(struct mgr_error *err)
{
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=1777") != 0)
		return mgr_error_set(err, MGR_EIO, _("sandbox: cannot make a "
		    "private /tmp: %s"), strerror(errno));
	return 0;
}

static int
ns_fail(const struct confine_spec *s, int flags, struct mgr_error *err)
{
	if (s->private_tmp)
		return mgr_error_set(err, MGR_EIO, _("sandbox: cannot make the "
		    "namespaces of a private /tmp: %s"), strerror(errno));
	if (!s->require)
		return 0;
	return mgr_error_set(err, MGR_EIO, _("sandbox_require: cannot make the "
	    "%s namespaces: %s"), (flags & CLONE_NEWNET) ? _("network and PID") :
	    _("PID"), strerror(errno));
}

/* The namespaces made (CLONE_* flags), 0 for none, or an error.  A
 * private /tmp is no part that may be left out: without it the run
 * fails. */
static int
make_namespaces(const struct confine_spec *s, struct mgr_error *err)
{
	int flags = PID_NS_FLAG | (s->network ? 0 : CLONE_NEWNET);
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (s->private_tmp || (s->own_proc && PID_NS_FLAG != 0))
		flags |= CLONE_NEWNS;
	if (flags == 0)
		return 0;
	if (geteuid() != 0)
		flags |= CLONE_NEWUSER;
	if (unshare(flags) != 0 ||
	    ((flags & CLONE_NEWUSER) != 0 && map_ids(uid, gid) != 0))
		return ns_fail(s, flags, err);
	if ((flags & CLONE_NEWNS) != 0 && (private_mounts(err) != 0 ||
	    (s->private_tmp && private_tmp(err) != 0)))
		return MGR_EIO;
	return flags;
}

/* In the PID namespace: a /proc that shows it (and nothing of the
 * host); without it the confined process reads /proc/self only. */
static void
mount_proc(struct confine_spec *s, int ns)
{
	if (s->own_proc && (ns & CLONE_NEWPID) && (ns & CLONE_NEWNS) &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    NULL) == 0)
		s->proc_mounted = 1;
}

/* A signal death reported by the PID namespace's first process, which
 * cannot die of a signal it raises itself: exit status 128 + N.  (The
 * worker's own exit statuses stay below 128.) */
#define DIED_OF(sig)	(128 + (sig))

static int
status_code(int status)
{
	if (WIFSIGNALED(status))
		return DIED_OF(WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}

static void
ignore_stop_signals(void)
{
	signal(SIGTERM, SIG_IGN);	/* the worker cancels its run */
	signal(SIGINT, SIG_IGN);
	/* stdio and the worker's reply pipe; a descriptor the caller opened
	 * after them (a scratch folder's lock) stays held until the end. */
	for (int fd = 0; fd <= 3; fd++)
		close(fd);
}

/* PID 1 of the new namespace: reaps whatever the worker leaves behind
 * and ends with it (the kernel then kills the rest of the namespace). */
static void __attribute__((noreturn))
reap_until(pid_t worker)
{
	int status;
	pid_t pid;

	ignore_stop_signals();
	while ((pid = wait(&status)) != worker)
		if (pid == -1 && errno != EINTR)
			_exit(127);
	_exit(status_code(status));
}

/* The process left outside: it ends as the confined one ends, so that
 * the engine sees one process, its process group and its status. */
static void __attribute__((noreturn))
wait_and_mirror(pid_t child, const char *scratch)
{
	struct mgr_error err = { 0 };
	int status, code;

	ignore_stop_signals();
	while (waitpid(child, &status, 0) == -1 && errno == EINTR)
		;
	if (scratch != NULL)
		rm_rf(scratch, &err);
	code = status_code(status);
	if (code > 128 && code < 128 + NSIG) {
		sigset_t set;

		signal(code - 128, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, code - 128);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(code - 128);
	}
	_exit(code);
}

static pid_t
fork_or_fail(struct mgr_error *err)
{
	pid_t pid = fork();

	if (pid == -1)
		mgr_error_set(err, MGR_EIO, _("cannot start the sandboxed "
		    "process: %s"), strerror(errno));
	return pid;
}

int
confine_enter(struct confine_spec *s, struct mgr_error *err)
{
	pid_t pid;
	int ns;

	/* Forks even without namespaces: the outer process removes the
	 * scratch folder. */
	if ((ns = make_namespaces(s, err)) < 0 || (pid = fork_or_fail(err)) == -1)
		return ns < 0 ? ns : MGR_EIO;
	if (pid > 0)
		wait_and_mirror(pid, s->scratch);
	if (ns & CLONE_NEWPID) {	/* we are PID 1: the worker is our child */
		if ((pid = fork_or_fail(err)) == -1)
			return MGR_EIO;
		if (pid > 0)
			reap_until(pid);
	}
	mount_proc(s, ns);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	return 0;
}

/* Landlock. */
static uint64_t
fs_handled(int abi)
{
	uint64_t all = LL_FS_ABI1;

	if (abi >= 2)
		all |= LL_FS_REFER;
	if (abi >= 3)
		all |= LL_FS_TRUNCATE;
	if (abi >= 5)
		all |= LL_FS_IOCTL_DEV;
	return all;
}

/* Whether path is inside (or is) dir, both canonical. */
static int
path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static int
check_deny(const struct confine_spec *s, const char *path, const char *field,
	   struct mgr_error *err)
{
	char dir[PATH_MAX], deny[PATH_MAX];

	if (s->deny == NULL || realpath(path, dir) == NULL ||
	    realpath(s->deny, deny) == NULL || !path_under(deny, dir))
		return 0;
	return mgr_error_set(err, MGR_EUNSAFE, _("permission %s \"%s\" covers the "
	    "database %s: the sandbox refuses it"), field, path, s->deny);
}

static int
add_rule(int ruleset, const char *path, uint64_t access, uint64_t handled,
	 struct mgr_error *err)
{
	struct landlock_path_beneath_attr pb;
	struct stat st;
	int fd = open(path, O_PATH | O_CLOEXEC);

	if (fd == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;	/* nothing there to grant */
		return mgr_error_set(err, MGR_EIO, _("sandbox: %s: %s"), path,
		    strerror(errno));
	}
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		access &= LL_FILE_RIGHTS;
	pb.allowed_access = access & handled;
	pb.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	    &pb, 0) != 0) {
		int e = errno;
		close(fd);
		return mgr_error_set(err, MGR_EIO, _("sandbox: Landlock rule for "
		    "%s: %s"), path, strerror(e));
	}
	close(fd);
	return 0;
}

static int
add_rules(int ruleset, const struct confine_spec *s, uint64_t handled,
	  struct mgr_error *err)
{
	const uint64_t rd = LL_FS_READ_FILE | LL_FS_READ_DIR;
	char *scratch[2] = { (char *)s->scratch, NULL };
	char *tmp[2] = { (char *)"/tmp", NULL };
	char *proc[2] = { (char *)"/proc", NULL };
	struct { char *const *paths; uint64_t access; const char *field; } g[] = {
		{ (char *const *)confine_system_read, rd, "" },
		{ s->read, rd, "read" },
		{ s->write, handled, "write" },
		{ s->exec, rd | LL_FS_EXECUTE, "exec" },
		{ s->scratch != NULL ? scratch : NULL, handled, "" },
		{ s->private_tmp ? tmp : NULL, handled, "" },
		{ s->proc_mounted ? proc : NULL, rd, "" },
	};
	int rc;

	for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
		for (size_t k = 0; g[i].paths != NULL && g[i].paths[k] != NULL; k++)
			if ((i > 0 && i < 4 && (rc = check_deny(s, g[i].paths[k], g[i].field,
			    err)) != 0) || (rc = add_rule(ruleset, g[i].paths[k],
			    g[i].access, handled, err)) != 0)
				return rc;
	return 0;
}

static int
apply_landlock(const struct confine_spec *s, struct mgr_error *err)
{
	int abi = landlock_abi(), fd, rc;
	struct ll_ruleset_attr attr = { 0, 0, 0 };
	size_t size = sizeof attr.handled_access_fs;

	if (abi <= 0)
		return s->require ? mgr_error_set(err, MGR_EIO, _("sandbox_require: "
		    "this kernel has no Landlock")) : 0;
	attr.handled_access_fs = fs_handled(abi);
	if (abi >= 4 && !s->network) {
		attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
		size = offsetof(struct ll_ruleset_attr, scoped);
	}
	if (abi >= 6) {		/* no signals to, no abstract sockets of, others */
		attr.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
		size = sizeof attr;
	}
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return mgr_error_set(err, MGR_EIO, _("sandbox: cannot make a "
		    "Landlock ruleset: %s"), strerror(errno));
	rc = add_rules(fd, s, attr.handled_access_fs, err);
	if (rc == 0 && syscall(SYS_landlock_restrict_self, fd, 0) != 0)
		rc = mgr_error_set(err, MGR_EIO, _("sandbox: cannot apply the "
		    "Landlock rules: %s"), strerror(errno));
	close(fd);
	return rc;
}

/* seccomp. */
static const char *const denied_calls[] = {
	"mount", "umount2", "pivot_root", "move_mount", "fsopen", "fsmount",
	"fsconfig", "fspick", "open_tree", "mount_setattr", "bpf",
	"init_module", "finit_module", "delete_module", "kexec_load",
	"kexec_file_load", "add_key", "request_key", "keyctl", "unshare",
	"setns", "perf_event_open", "userfaultfd", "reboot", "swapon",
	"swapoff", "acct", "quotactl", "iopl", "ioperm", "chroot",
#ifndef __SANITIZE_ADDRESS__
	/* LeakSanitizer stops the world with ptrace: sanitizer builds keep
	 * it, and their tests say so. */
	"ptrace", "process_vm_readv", "process_vm_writev",
#endif
	NULL
};

static int
deny_processes(scmp_filter_ctx ctx)
{
	int rc = 0;

#ifndef __SANITIZE_ADDRESS__
	/* Threads, yes; new processes, no.  clone3's flags sit behind a
	 * pointer that the filter cannot read: ENOSYS makes libc use
	 * clone. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
#endif
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fork), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(vfork), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(execve), 0);
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(execveat), 0);
	return rc;
}

static int
filter_rules(scmp_filter_ctx ctx, const struct confine_spec *s)
{
	int rc = 0;

	for (size_t i = 0; denied_calls[i] != NULL; i++) {
		int nr = seccomp_syscall_resolve_name(denied_calls[i]);
		if (nr != __NR_SCMP_ERROR)
			rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
	}
	if (!s->network)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socket), 0);
	else {
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socket), 1, SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW));
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES),
		    SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_PACKET));
	}
	if (s->exec == NULL || s->exec[0] == NULL)
		rc |= deny_processes(ctx);
	return rc;
}

static int
apply_seccomp(const struct confine_spec *s, struct mgr_error *err)
{
	scmp_filter_ctx ctx;
	int rc;

	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		return s->require ? mgr_error_set(err, MGR_EIO, _("sandbox_require: "
		    "this kernel has no seccomp")) : 0;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return mgr_error_set(err, MGR_EIO, _("sandbox: seccomp_init failed"));
	rc = filter_rules(ctx, s);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0)
		return mgr_error_set(err, MGR_EIO, _("sandbox: cannot load the "
		    "system call filter: %s"), strerror(-rc));
	return 0;
}

/* Root keeps no capability: no CAP_DAC_OVERRIDE past file modes, no
 * CAP_SYS_ADMIN; no_new_privs keeps an exec from giving them back. */
static int
drop_capabilities(struct mgr_error *err)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	if (syscall(SYS_capset, &h, d) != 0)
		return mgr_error_set(err, MGR_EIO, _("sandbox: cannot drop "
		    "capabilities: %s"), strerror(errno));
	return 0;
}

int
confine_lock(const struct confine_spec *s, struct mgr_error *err)
{
	struct rlimit rl;
	int rc;

	if (s->nproc > 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)s->nproc;
		if (setrlimit(RLIMIT_NPROC, &rl) != 0)
			return mgr_error_set(err, MGR_EIO, _("cannot set %s to %d: %s"),
			    "RLIMIT_NPROC", s->nproc, strerror(errno));
	}
	if ((rc = apply_landlock(s, err)) != 0 ||
	    (rc = drop_capabilities(err)) != 0)
		return rc;
	return apply_seccomp(s, err);
}
