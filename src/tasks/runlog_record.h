/* runlog_record.h - one record of a run log (the format: runlog.h),
 * libc only: written by the engine (runlog.c) and by manager-exec, which
 * writes the rest of its own command's log once the engine hands it
 * over (exec_pump.c), so both put the same bytes. */
#ifndef MGR_RUNLOG_RECORD_H
#define MGR_RUNLOG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RUNLOG_HEAD_LEN 16

/* How far a log is written, in a page shared by the engine and
 * manager-exec (a memfd): the engine fills it at the hand-over, the
 * helper keeps it as it writes, the engine reads it when the run is
 * over, then writes the dropped count and the end record; a helper
 * killed in the middle of a record (SIGKILL to the run's group) leaves
 * the file longer than off, which the engine cuts back. */
struct runlog_shared {
	int64_t off;		/* the file's length in whole records */
	int64_t kept;		/* payload bytes written (the engine's too) */
	int64_t dropped;	/* ... and over the per-run cap, by the helper */
	int64_t total;		/* bytes the helper read */
	int32_t error;		/* errno of a write that failed; 0 */
	int32_t pad;
};

void runlog_head_encode(unsigned char h[RUNLOG_HEAD_LEN], int kind, size_t len,
			int64_t at);
/* The payload's length a head says. */
uint32_t runlog_head_len(const unsigned char h[RUNLOG_HEAD_LEN]);
/* Head and payload in one writev at the file's offset *off (the fd's
 * own offset); a record that does not go in whole is cut off again.
 * Returns 0, or the errno of the failure (the file is then as before). */
int runlog_record_write(int fd, int64_t *off, int kind, const char *buf,
			size_t n, int64_t at);

#endif
