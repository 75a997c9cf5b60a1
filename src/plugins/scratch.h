/* scratch.h - temporary folders and files that a crash cannot leave
 * behind for good.
 *
 * A scratch entry is named PREFIX-PID-XXXXXX (PID: the owner's process
 * id) and its owner holds an flock on it for as long as it lives.  When
 * a process dies, however it dies, the kernel drops the lock; a later
 * sweep removes entries whose lock is free and whose PID is gone.  The
 * PID covers the instant between creating an entry and locking it; the
 * lock covers a PID that names another live process (another PID
 * namespace), so a live owner's entry is never removed.  A PID reused
 * by an unrelated process only delays the removal until it exits.
 */
#ifndef MGR_SCRATCH_H
#define MGR_SCRATCH_H

#include "error.h"

struct scratch {
	char *path;
	int fd;		/* open and flock'ed while the entry is ours */
};

/* A new folder (0700) or file (0600, fd open for reading and writing)
 * dir/PREFIX-PID-XXXXXX. */
int scratch_dir(const char *dir, const char *prefix, struct scratch *s,
		struct mgr_error *err);
int scratch_file(const char *dir, const char *prefix, struct scratch *s,
		 struct mgr_error *err);
/* Removes what is still at s->path (rm -rf), then drops the lock. */
void scratch_remove(struct scratch *s);
/* Drops the lock and forgets the path, removing nothing (the entry was
 * renamed into its final place). */
void scratch_release(struct scratch *s);

/* Removes every dir/PREFIX-* entry whose owner is dead and whose lock is
 * free, calling before(path, arg) first (when not NULL) with the entry
 * locked; returns how many were removed. */
int scratch_sweep(const char *dir, const char *prefix,
		  void (*before)(const char *path, void *arg), void *arg);
/* Opens path and takes its lock if nobody holds it: the fd (close it to
 * let go), or -1. */
int lock_try(const char *path);

#endif
