/* runlog_ship.h - large run logs into the database, off the loop.
 *
 * On a backend that keeps large logs in the database (PostgreSQL:
 * runlog_store_chunked), a log that needs a file (runlog.h) still gets
 * one, written as before by the engine, splice(2) and manager-exec, but
 * in a spool folder of this database (state_directory/logs/.postgresql-
 * CHECKSUM): a thread of the log store with a connection of its own
 * reads each such file as it grows and writes its bytes to the database
 * (runlog_store_chunk_put), every SHIP_EVERY_MS, and SHIP_END_GAP_MS
 * after the last round when a run is over, in chunks of whole records of at most SHIP_CHUNK_MAX bytes (a
 * longer record is a chunk of its own), every log's of a round in one
 * transaction, so that a follower on any host sees the lines a quarter
 * second late at most and the database is not written per line.  Once the run is over and its last record stored,
 * the file goes: the log lives in the database only, pruned there with
 * its run (the same per-run cap and marker as a file: the bytes are the
 * file's).
 *
 * A round that fails (the server unreachable, the connection lost)
 * advances nothing: the bytes stay in the files, the connection is made
 * again at the next round, which first asks the database where each
 * log's chunks end (a commit whose answer was lost may have gone in)
 * and goes on from there; a warning says so once until a round goes in
 * again.  Files left by an engine that stopped before their bytes were
 * stored (killed, or the server down at its stop) are found at the next
 * start on this host and stored then, the same way.
 */
#ifndef MGR_RUNLOG_SHIP_H
#define MGR_RUNLOG_SHIP_H

#include <stdint.h>

#define SHIP_EVERY_MS 250
#define SHIP_END_GAP_MS 50
#define SHIP_CHUNK_MAX (64 << 10)

struct runlog_ship;
struct runlog_shipped;
struct mgr_log;

/* The spool folder of the database db_path under logs_dir (malloc'd). */
char *runlog_ship_dir(const char *logs_dir, const char *db_path);
/* Starts the thread for the database db_path, the files of spool_dir
 * left by an earlier engine taken first (listed here, before any run of
 * this engine names a file there).  Warnings go to log (may be NULL). */
struct runlog_ship *runlog_ship_new(const char *db_path, const char *spool_dir,
				    struct mgr_log *log);
/* The loop: a run's log got its file at path; the thread stores it as
 * it grows.  The handle is for runlog_ship_end. */
struct runlog_shipped *runlog_ship_add(struct runlog_ship *s, const char *path,
				       const char *task_id,
				       int64_t scheduled_at, int attempt);
/* The loop: the log's last record is written (the handle is the
 * thread's from now on). */
void runlog_ship_end(struct runlog_ship *s, struct runlog_shipped *l);
/* Stores what it can once more, then stops; a file not stored whole
 * stays for the next start. */
void runlog_ship_free(struct runlog_ship *s);

#endif
