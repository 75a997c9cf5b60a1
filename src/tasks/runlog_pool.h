/* runlog_pool.h - run log files made ahead, off the loop.
 *
 * Making a file is most of what a run log costs the loop: an inode
 * allocated on ext4 (with the magic written and the file closed, 0.4-0.8
 * ms of wall time a file under load here, against 18-28 µs to rename one
 * made before: BENCHMARKS.md, issue 14).  So a thread of the log store
 * keeps up to RUNLOG_POOL_MAX files open, 0600, the magic written, in a
 * folder of its own, logs/.pool/PID.XXXXXX (a dot name: pruning and the
 * readers never look there), and the loop takes one at a run's first
 * output and renames it to the run's name.  A run that prints nothing
 * takes none, so it still leaves no file.  A pool that is empty (the
 * thread behind, or unable to make files) makes the caller create the
 * file itself, as before.  The thread is started by the first file
 * asked for, so a host that runs nothing makes none; its files are
 * removed when the pool is freed, and at the next start of a pool when
 * their process died.
 */
#ifndef MGR_RUNLOG_POOL_H
#define MGR_RUNLOG_POOL_H

#define RUNLOG_POOL_MAX 64

struct runlog_pool;

/* The pool of logs_dir (its thread starts at the first take). */
struct runlog_pool *runlog_pool_new(const char *logs_dir);
/* A file made ahead, moved to path (in the folder dir, made 0700 when
 * missing) and open for writing after the magic; -1 when there is none
 * to take or it cannot be moved there: the caller then makes the file.
 * Loop thread; never waits for the pool's thread to make a file. */
int runlog_pool_take(struct runlog_pool *p, const char *dir, const char *path);
/* Stops the thread and removes the files still in the pool. */
void runlog_pool_free(struct runlog_pool *p);
/* Removes the pool folders under logs_dir/.pool whose process is gone
 * (a crash): the pool's thread does this when it starts. */
void runlog_pool_sweep(const char *logs_dir);

#endif
