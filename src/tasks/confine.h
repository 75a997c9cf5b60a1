/* confine.h - kernel confinement of a sandboxed child: namespaces,
 * Landlock, a seccomp filter, RLIMIT_NPROC, no capabilities.
 *
 * Used by manager-run before it loads a plugin's library, and by
 * manager-exec for the exec: tasks in a strict sandbox.  Two steps, because a PID namespace takes a
 * fork: confine_enter() makes the namespaces (network without
 * interfaces, PID) and returns in a child that is PID 1 of the new
 * namespace, while the caller's process stays behind, waits and exits
 * with the child's status (so the engine's view of one process, its
 * process group and its exit status hold); confine_lock() then applies
 * the file-system rules, drops capabilities and loads the filter.
 *
 * Parts the kernel lacks are skipped unless spec->require is set, in
 * which case the step fails naming the part.  confine_probe() says which
 * parts this kernel has, for the message at the engine's start.
 */
#ifndef MGR_CONFINE_H
#define MGR_CONFINE_H

#include "error.h"

struct confine_spec {
	int network;		/* keep the host's network and sockets */
	char **read;		/* paths readable (files below them too) */
	char **write;		/* paths writable (and readable) */
	char **exec;		/* paths whose programs may be run; also
				 * allows fork at all */
	const char *deny;	/* a file no rule may cover (the database) */
	const char *scratch;	/* a private folder, writable, removed
				 * when the confined process ends */
	int private_tmp;	/* an empty tmpfs on /tmp, in a mount
				 * namespace of its own, writable */
	int own_proc;		/* a /proc of the PID namespace (a mount
				 * namespace of its own), readable */
	int proc_mounted;	/* out: confine_enter mounted it */
	int nproc;		/* RLIMIT_NPROC, 0: unchanged */
	int require;		/* refuse instead of running weaker */
};

/* Kernel parts, found at run time. */
struct confine_parts {
	int landlock_abi;	/* 0: none */
	int seccomp;
	int netns, pidns;	/* the namespaces can be made by this user */
};

void confine_probe(struct confine_parts *p);
/* The missing parts as a readable list ("Landlock, seccomp"), or NULL
 * when all are there.  Malloc'd. */
char *confine_missing(const struct confine_parts *p);

/* The system folders every confined process reads (libraries, locale,
 * time zones); NULL-ended, static. */
extern const char *const confine_system_read[];
/* What a task's strict sandbox reads and runs besides its own folders
 * (the system's programs, libraries and /etc), and the devices it
 * writes (/dev/null...); NULL-ended, static. */
extern const char *const confine_task_read[];
extern const char *const confine_task_devices[];

/* Namespaces; returns 0 in the confined child.  The process that called
 * it never returns (it exits with the child's status). */
int confine_enter(struct confine_spec *s, struct mgr_error *err);
/* Landlock, RLIMIT_NPROC, capabilities, seccomp (last). */
int confine_lock(const struct confine_spec *s, struct mgr_error *err);

#endif
