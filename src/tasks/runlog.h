/* runlog.h - the full output of runs, stdout and stderr apart, every
 * line with its time: the log store.
 *
 * One file per attempt, state_directory/logs/TASK/SCHEDULED-ATTEMPT.log
 * (folders 0700, files 0600), named by the run's unique key in the
 * history (task_id, scheduled_at, attempt): the runs row is the reference
 * to its log, and a log is found without a query.  A file is the magic
 * "MGRLOG1\n" and then records, each a 16-byte head (length of the
 * payload, 32 bits little-endian; kind, one byte; three zero bytes; time
 * in Unix microseconds, 64 bits little-endian) and the payload.  Kinds:
 * stdout and stderr bytes as read from the pipe (one record per read:
 * the writer copies nothing and formats nothing, so logging costs the
 * loop one writev per read; once the excerpt is full, the bytes go from
 * the pipe to the file by splice(2), never through the engine's memory,
 * one record per splice), the bytes dropped over the per-run cap
 * (payload: the count in decimal), and the end (payload: the status).
 * A line's time is the time of the read that brought its first byte.
 * Past its excerpt, an exec: run's records are written by its
 * manager-exec, not by the engine (exec_pump.c; the engine's side:
 * runlog_file_fd, runlog_share, runlog_adopt).
 *
 * Most runs print little and end soon: a file each cost an inode, 0.3-
 * 1.2 ms of the file system's time under load here, whoever made it, and
 * was what full logs cost exec: throughput (BENCHMARKS.md, issue 14).
 * So a run's records are kept in memory while they stay under
 * inline_max_bytes and the run is younger than inline_age_us; a run
 * that ends so has its records, the bytes a file would hold after its
 * magic, kept in the history with its row (runlog_end, then the history
 * writer: runlog_store.h), and no file.  A log that passes either bound
 * gets its file, which takes the records so far first: a run's log is
 * whole in one place, never split.  The age bound is what lets a
 * follower (`task logs --follow`, the pager, the API) see a running
 * run's lines as they come, a second late at most.  Readers find a
 * run's log wherever it is (runlog_reader_open_run).
 *
 * On a database server (PostgreSQL) every log is the database's, for
 * readers on any host: a file is only a spool of this host's, under
 * logs/.postgresql-CHECKSUM, stored in the database as it grows by a
 * thread and removed once stored (runlog_ship.h); readers read the
 * database only.
 *
 * A file is made ahead by a thread of the store (O_TMPFILE, named when
 * the log needs it: runlog_pool.h), so the loop allocates no inode; a
 * log whose file is not made yet waits in memory, and its reader may
 * pause (runlog_waiting).
 *
 * Caps: log_run_max_mb per attempt (the rest is counted, not kept) and
 * log_max_mb in total; retention follows the history's
 * (history_keep_runs per task, history_max_age_days), over the files
 * and the logs the history keeps alike.  Pruning walks the folders and
 * reads the history on a thread of its own, never on the loop; a log
 * kept in the history also goes with its run's row.
 */
#ifndef MGR_RUNLOG_H
#define MGR_RUNLOG_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"
#include "runlog_record.h"
#include "util.h"

enum runlog_kind {
	RUNLOG_STDOUT = 1,
	RUNLOG_STDERR = 2,
	RUNLOG_DROPPED = 3,
	RUNLOG_END = 4,
};

#define RUNLOG_MAGIC "MGRLOG1\n"
#define RUNLOG_MAGIC_LEN 8
#define RUNLOG_MAX_RECORD (64u << 20)	/* a longer length is damage */

/* The engine's bounds of a log kept in the history: its records (heads
 * included) up to the size of the default output excerpt, and a run
 * that ends within a second, when its `running` row would be written
 * anyway (RUNNING_ROW_AFTER_S). */
#define RUNLOG_INLINE_MAX 4096
#define RUNLOG_INLINE_AGE_US 1000000
/* A log that waits for its file holds this much in memory at most
 * before runlog_waiting asks its reader to pause. */
#define RUNLOG_WAIT_MAX (256 << 10)

struct runlog_limits {
	int64_t run_max_bytes;		/* per attempt */
	int64_t total_max_bytes;	/* all logs */
	int keep_runs;			/* newest logs kept per task */
	int max_age_days;
	/* A log whose records stay under inline_max_bytes, of a run that
	 * ends within inline_age_us, is kept in the history, not a file
	 * (0, 0: every log that has output is a file). */
	int64_t inline_max_bytes;
	int64_t inline_age_us;
};

struct runlog;
struct runlog_file;
struct mgr_log;

/* The store under state_directory/logs, with the history of db_path
 * (its logs count in the caps and retention; NULL: files only); NULL
 * when total_max_bytes is 0 (full logs off: the history keeps its
 * excerpt only).  A log that cannot be written is a warning to log (may
 * be NULL). */
struct runlog *runlog_new(const char *state_directory, const char *db_path,
			  const struct runlog_limits *lim, struct mgr_log *log);
/* Waits for a pruning still going. */
void runlog_free(struct runlog *rl);

/* The folder of the logs: state_directory/logs (malloc'd). */
char *runlog_dir(const char *state_directory);
/* The name of a task's folder in it (malloc'd; see runlog_path). */
char *runlog_task_dir(const char *task_id);
/* A task's folder name back to its id (runlog_task_dir's %XX,
 * malloc'd); NULL when it is no such name. */
char *runlog_task_from_dir(const char *name);
/* Every attempt's file under logs_dir (a folder of task folders, as
 * runlog_dir's; names starting with "." are passed over: a server's
 * spool), in no order: fn(arg, its path, task id, scheduled_at,
 * attempt). */
typedef void (*runlog_file_fn)(void *arg, const char *path,
			       const char *task_id, int64_t scheduled_at,
			       int attempt);
void runlog_files_each(const char *logs_dir, runlog_file_fn fn, void *arg);
/* The file of one attempt's log (malloc'd).  Task ids go into the file
 * name with every byte other than letters, digits and "_-@:+." written
 * as %XX (and a leading "."), so no id can name a path outside. */
char *runlog_path(const char *state_directory, const char *task_id,
		  int64_t scheduled_at, int attempt);

/* The newest run that has a log file: its scheduled_at and attempt
 * (a log kept in the history is its run's newest row's).
 * MGR_ENOENT when the task has none. */
int runlog_latest(const char *state_directory, const char *task_id,
		  int64_t *scheduled_at, int *attempt);

/* Starts the log of an attempt: in memory, then a file when it needs
 * one (runlog_settle; a run that prints nothing has none).  NULL when
 * rl is NULL.  A file that cannot be made is a warning; the run goes on
 * without a full log. */
struct runlog_file *runlog_begin(struct runlog *rl, const char *task_id,
				 int64_t scheduled_at, int attempt);
/* The run's process started at `at` (Unix µs), later than its log began
 * when its spawn waited on the spawner's thread: the run's age, which
 * gives a log its file (runlog_settle), counts from then.  Under load
 * spawns wait for seconds, and counted from the log's begin nearly every
 * run was "a second old" at its first output. */
void runlog_started(struct runlog_file *f, int64_t at);
/* Appends what one read brought (kind RUNLOG_STDOUT or RUNLOG_STDERR);
 * over the per-run cap the bytes are counted, not written. */
void runlog_write(struct runlog_file *f, int kind, const char *buf, size_t n,
		  int64_t at);
/* Gives the log its file when it needs one (its records in memory over
 * inline_max_bytes, or the run older than inline_age_us at now), from
 * the pool.  Returns 1 when it needs one and the pool has none yet: the
 * caller asks again a moment later (the run's age alone asks nothing
 * of a write).  f may be NULL. */
int runlog_settle(struct runlog_file *f, int64_t now);
/* runlog_settle, then whether the log still waits for its file with
 * more than RUNLOG_WAIT_MAX in memory: its reader pauses a moment
 * rather than fill the engine's memory. */
int runlog_waiting(struct runlog_file *f, int64_t now);
/* Whether the log is a file now (what runlog_splice and a hand-over to
 * manager-exec need). */
int runlog_has_file(const struct runlog_file *f);
/* Moves what the pipe pipefd holds into the log as one record without
 * passing the bytes through the engine (FIONREAD for the count, the head
 * for exactly that many, then splice(2)), cut at the per-run cap.  For
 * a caller that no longer needs the bytes (its excerpt is full) and is
 * the pipe's only reader.  Returns the bytes taken from the pipe; 0 when
 * it holds none, when f is NULL, full, has no file yet or cannot splice:
 * then the caller reads and calls runlog_write as before. */
ssize_t runlog_splice(struct runlog_file *f, int kind, int pipefd, int64_t at);
/* Whether f keeps no more bytes (NULL: full logs off; at the per-run
 * cap; a write failed): the caller may then throw a pipe's bytes away
 * unread and count them with runlog_drop (f may be NULL). */
int runlog_full(const struct runlog_file *f);
void runlog_drop(struct runlog_file *f, size_t n);
/* For a helper that takes the log over (manager-exec --log-sock): the
 * attempt's file, to hand over; -1 when f is NULL or has none (yet:
 * runlog_has_file).  runlog_share fills the helper's page: the file's
 * length and the bytes kept so far. */
int runlog_file_fd(struct runlog_file *f);
void runlog_share(const struct runlog_file *f, struct runlog_shared *st);
/* Takes back a log the helper wrote: its length in whole records (the
 * file is cut back to it: a helper killed within a record), the bytes
 * it kept and dropped, and the errno of a write that failed (0), which
 * stops the log with a warning as the engine's own would. */
void runlog_adopt(struct runlog_file *f, const struct runlog_shared *st);
/* Writes the dropped count and the end record (status), closes, frees.
 * A log that has no file is returned: its records (malloc'd, *len
 * bytes), for the history to keep with the run's row (run_outcome.log);
 * NULL otherwise (a file, no output, f NULL). */
char *runlog_end(struct runlog_file *f, const char *status, size_t *len);

/* Retention and the total cap, on a thread (one at a time). */
void runlog_prune_async(struct runlog *rl);
/* The same, now, in the caller (tests, the thread; runlog_prune.c):
 * the files under logs_dir (NULL: none) and the logs the history of
 * db_path keeps (NULL: files only) as one set; a history that cannot be read is a
 * warning to log (may be NULL). */
void runlog_prune(const char *logs_dir, const char *db_path,
		  const struct runlog_limits *lim, int64_t now_us,
		  struct mgr_log *log);

/* Reading. */
struct runlog_line {
	int64_t at;		/* Unix µs */
	int kind;		/* RUNLOG_STDOUT, RUNLOG_STDERR, RUNLOG_DROPPED */
	const char *text;	/* without its newline; not NUL-terminated */
	size_t len;		/* RUNLOG_DROPPED: the text is the count */
};

typedef void (*runlog_line_fn)(const struct runlog_line *l, void *arg);

/* Turns the bytes of a log file into lines, as they arrive (pure: no
 * I/O).  A line is given when its newline comes, at the end record, or
 * by runlog_parse_finish. */
struct runlog_parse {
	struct strbuf pending;		/* an incomplete record */
	struct strbuf part[2];		/* stdout, stderr: an unfinished line */
	int64_t part_at[2];
	int magic_ok;
	int ended;			/* the end record was read */
	char *status;			/* ... its status */
	int64_t dropped;
};

/* Returns 0, or -1 when the bytes are not a run log (bad magic or
 * length). */
int runlog_parse_feed(struct runlog_parse *p, const char *buf, size_t n,
		      runlog_line_fn fn, void *arg);
/* Gives the unfinished lines (the file ends without the end record: the
 * run is over, its engine died). */
void runlog_parse_finish(struct runlog_parse *p, runlog_line_fn fn, void *arg);
void runlog_parse_clear(struct runlog_parse *p);

/* One line as `task logs` and the API print it, newline-terminated:
 * "TIME stdout TEXT" (TIME ISO 8601 in zone, UTC if NULL), or with json
 * a JSON object {"time", "stream", "text"} (UTC). */
struct tz;
void runlog_line_format(struct strbuf *sb, const struct runlog_line *l,
			int json, const struct tz *zone);

/* A run's log read as it grows (follow): its file, or the records the
 * history keeps for it. */
struct mgr_db;
struct runlog_reader {
	int fd;
	char *path;
	struct runlog_parse parse;
	/* The run, whose log the history may keep (runlog_reader_open_run;
	 * db NULL: a file only), and whether that was settled: its records
	 * read from there, or the run over with none kept there. */
	struct mgr_db *db;
	char *task_id;
	int64_t scheduled_at;
	int attempt;
	int settled;
	int found;			/* a file, or the history's records */
	/* A backend that keeps large logs in the database (PostgreSQL):
	 * no file is read, the chunks are, the next from seq on. */
	int chunked;
	int64_t seq;
};

/* A file that does not exist (yet) is no error: it reads as empty until
 * it appears. */
int runlog_reader_open(struct runlog_reader *rd, const char *path,
		       struct mgr_error *err);

/* A run, to read its log wherever it is kept. */
struct runlog_run {
	struct mgr_db *db;		/* its history; NULL: files only */
	const char *state_directory;
	const char *task_id;
	int64_t scheduled_at;
	int attempt;
};

/* The one way to a run's log, whatever its home: its file when it has
 * one (the file is looked for at every read until it appears; on a
 * backend that keeps large logs in the database, its chunks there
 * instead, on any host: runlog_ship.h), else,
 * once the history records the run over, the records the history keeps
 * for it (runlog_store_inline).  Reads as empty until either comes;
 * rd->found says whether one did. */
int runlog_reader_open_run(struct runlog_reader *rd,
			   const struct runlog_run *run, struct mgr_error *err);
/* Reads what was appended since the last call; fn gets the lines.
 * Returns the bytes read (0: nothing new), or a negative MGR_E* code. */
int64_t runlog_reader_poll(struct runlog_reader *rd, runlog_line_fn fn,
			   void *arg, struct mgr_error *err);
/* The same for one read (64 KiB at most): a server answering many
 * readers takes the file in steps. */
int64_t runlog_reader_step(struct runlog_reader *rd, runlog_line_fn fn,
			   void *arg, struct mgr_error *err);
void runlog_reader_close(struct runlog_reader *rd);
/* runlog_tail.c: the same for a fresh reader, started near the end of
 * the file instead of its start: fn gets at least the last max lines of
 * kinds in mask at or after since (and perhaps some before them; all
 * lines when max is 0 or the file is small), then what was appended. */
int64_t runlog_reader_poll_tail(struct runlog_reader *rd, unsigned mask,
				int64_t since, size_t max, runlog_line_fn fn,
				void *arg, struct mgr_error *err);

/* A run's lines at once, for a pager or `task logs --lines N`: the last
 * max lines (0: all) of kinds in mask (1 << RUNLOG_STDOUT ...) at or
 * after since (0: all).  Texts are NUL-terminated copies. */
struct runlog_lines {
	struct runlog_line *v;
	size_t n, cap;
	int ended;			/* the run is over */
	char *status;			/* its status, when ended */
	int found;			/* a log was found */
};

int runlog_read(const char *path, unsigned mask, int64_t since, size_t max,
		struct runlog_lines *out, struct mgr_error *err);
/* The same for a run, wherever its log is (runlog_reader_open_run). */
int runlog_read_run(const struct runlog_run *run, unsigned mask, int64_t since,
		    size_t max, struct runlog_lines *out,
		    struct mgr_error *err);
/* The same from an open reader, which then follows on (poll): the lines
 * so far, without the unfinished last ones. */
int runlog_reader_tail(struct runlog_reader *rd, unsigned mask,
		       int64_t since, size_t max, struct runlog_lines *out,
		       struct mgr_error *err);
void runlog_lines_clear(struct runlog_lines *l);

#endif
