/* runlog_pool.h - run log files made ahead, off the loop.
 *
 * Making a file is most of what a run log costs the loop: an inode
 * allocated on ext4 (with the magic written, 0.3-1.2 ms of wall time a
 * file under load here, against about 18 µs to link one made before:
 * BENCHMARKS.md, issue 14).  So a thread of the log store keeps up to
 * RUNLOG_POOL_MAX files open, made with O_TMPFILE in the logs folder
 * (0600, the magic written, no name yet), and the loop takes one at a
 * run's first output and gives it the run's name (linkat through
 * /proc/self/fd).  A file without a name needs no folder and no sweep:
 * it goes with its last descriptor, so a crash leaves nothing behind.
 * A run that prints nothing takes none, nor one whose log the history
 * keeps (runlog_store.h), so it still leaves no file.  A pool that is
 * empty (the thread behind) says so, and the caller keeps the records
 * in memory until it has one; only a pool that cannot make files (a
 * file system without O_TMPFILE) makes the caller create them itself,
 * as before.  The thread starts at the first file asked for, so a host
 * whose runs never need one makes none.  Why not named files renamed into place: the
 * thread's create holds its folder's lock while ext4 looks for a free
 * inode, and the loop's rename out of that folder waited on it (perf:
 * rwsem_spin_on_owner under renameat).  Few files: every open
 * descriptor of the engine is one more that each spawned run's child
 * closes before its exec (close_range was 46 % of that child's time at
 * 800 runs/s), and 16 are 20 ms of printing runs at 800/s.
 */
#ifndef MGR_RUNLOG_POOL_H
#define MGR_RUNLOG_POOL_H

#define RUNLOG_POOL_MAX 16

struct runlog_pool;

/* The pool of logs_dir (its thread starts at the first take). */
struct runlog_pool *runlog_pool_new(const char *logs_dir);
/* A file made ahead, named path now (in the folder dir, made 0700 when
 * missing) and open for writing after the magic.  -1 with errno EAGAIN
 * when none is made yet (ask again later); -1 with another errno when
 * the pool cannot give one (it cannot make files, or path exists): the
 * caller then makes the file.  Loop thread; never waits for the pool's
 * thread to make a file. */
int runlog_pool_take(struct runlog_pool *p, const char *dir, const char *path);
/* Stops the thread and closes the files not taken (they have no name:
 * nothing is left). */
void runlog_pool_free(struct runlog_pool *p);

#endif
