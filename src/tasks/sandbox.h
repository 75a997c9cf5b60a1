/* sandbox.h - child processes for runs: argv splitting, posix_spawn with
 * captured output, and the limits a sandboxed child applies to itself.
 *
 * Why children apply their own limits: posix_spawn cannot set rlimits or
 * PR_SET_NO_NEW_PRIVS, and fork() of a large engine is what we avoid.  So
 * with sandboxing on, every run is spawned through a helper that sets the
 * limits, closes stray descriptors and then execs the command (exec:
 * tasks: `manager-exec`, which links nothing but libc so that it starts in
 * a fraction of a millisecond) or loads the plugin (PLUGIN:FUNCTION
 * tasks: `manager-run`, usually as a reusable worker).  Limits are in
 * place before a single instruction of the task runs; prlimit(2) after
 * spawning would leave a window in which they are not.
 */
#ifndef MGR_SANDBOX_H
#define MGR_SANDBOX_H

#include <sys/types.h>
#include "error.h"

struct sandbox_limits {
	int cpu_seconds;	/* RLIMIT_CPU, 0 = unchanged */
	int memory_mb;		/* RLIMIT_AS, 0 = unchanged */
	int open_files;		/* RLIMIT_NOFILE, 0 = unchanged */
	int keep_fds;		/* descriptors below this stay open; 0 = 3 */
	int keep_privs;		/* no PR_SET_NO_NEW_PRIVS */
};

/* Splits an exec: command line into argv without a shell.  Words are
 * separated by blanks; "..." groups a word in which \" and \\ are escapes;
 * '...' groups a word taken literally; outside quotes a backslash takes
 * the next character literally.  No variables, globs or redirections.
 * An unterminated quote or an empty command is an error naming the
 * column. *argv is NULL-terminated, free with strv_free.  Splitting is
 * linear, and bounded: a command line of more than EXEC_MAX_BYTES bytes
 * or EXEC_MAX_WORDS words is refused (well under ARG_MAX, and a task's
 * func comes from clients: the HTTP API, task files). */
#define EXEC_MAX_BYTES	(128 * 1024)
#define EXEC_MAX_WORDS	4096
int exec_split(const char *cmdline, char ***argv, struct mgr_error *err);

/* Spawns argv[0] (searched in PATH when it has no slash) in a new process
 * group, with stdin from /dev/null, stdout and stderr into two pipes whose
 * non-blocking, close-on-exec read ends are returned in *outfd and
 * *errfd, default signal dispositions, an empty signal mask, and no
 * other descriptor. */
int sandbox_spawn(char *const argv[], pid_t *pid, int *outfd, int *errfd,
		  struct mgr_error *err);

/* The same with the environment envp (NULL: this process's) and, when
 * usagefd is not NULL, a pipe on the child's descriptor 3 whose
 * non-blocking read end is *usagefd (manager-exec --usage-fd=3 writes the
 * command's rusage there); pass, when not NULL (with usagefd), up to two
 * descriptors the child gets as 4 and 5 (pass[1] -1: 4 only; manager-exec's
 * --log-sock). */
int sandbox_spawn_env(char *const argv[], char *const envp[], pid_t *pid,
		      int *outfd, int *errfd, int *usagefd, const int *pass,
		      struct mgr_error *err);

/* A reusable sandbox worker (manager-run worker): requests go to its
 * stdin (*reqfd, a stream socket: write with MSG_NOSIGNAL), replies come from its descriptor 3
 * (*replyfd), and what it prints from stdout (*outfd) and stderr (*errfd).
 * The read ends are non-blocking; all four are close-on-exec here. */
int sandbox_spawn_worker(char *const argv[], pid_t *pid, int *reqfd,
			 int *replyfd, int *outfd, int *errfd,
			 struct mgr_error *err);

/* In the child (manager-run): rlimits, PR_SET_NO_NEW_PRIVS (unless
 * keep_privs), closes every
 * descriptor from keep_fds (3 by default) up. */
int sandbox_apply(const struct sandbox_limits *lim, struct mgr_error *err);

/* An I/O class, "idle", "best-effort[:0-7]" or "realtime[:0-7]" (a
 * level's default 4): class (1 realtime, 2 best-effort, 3 idle) and
 * level; -1 when it is not one. */
int sandbox_ioprio_parse(const char *s, int *cls, int *level);
/* ioprio_set(2) of this process; -1 and errno on failure. */
int sandbox_ioprio_set(const char *spec);

/* Path of a helper ("manager-run", "manager-exec"): $ENV_NAME, else next
 * to the running binary (the build tree), else PKGLIBEXECDIR.  Malloc'd. */
char *sandbox_helper_path(const char *name, const char *env_name);

/* "SIGSEGV" for 11; "signal N" when unknown.  Static storage or buf. */
const char *sandbox_signal_name(int sig, char *buf, size_t len);

#endif
