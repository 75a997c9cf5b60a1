/* runlog_record.h - one record of a run log (the format: runlog.h),
 * libc only: written by the engine (runlog.c) and by manager-exec, which
 * writes the log of its own command (exec_pump.c), so both put the same
 * bytes. */
#ifndef MGR_RUNLOG_RECORD_H
#define MGR_RUNLOG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define RUNLOG_HEAD_LEN 16

/* What manager-exec has written of a log, in a shared page (a memfd the
 * engine made and reads when the run is over): the engine writes the
 * dropped count and the end record after it, and a helper killed in the
 * middle of a record (SIGKILL to the run's group) leaves the file longer
 * than off, which the engine cuts back to whole records. */
struct runlog_shared {
	int64_t off;		/* the file's length in whole records */
	int64_t kept;		/* payload bytes written */
	int64_t dropped;	/* ... and over the per-run cap */
	int64_t total;		/* bytes the command printed, all */
	int32_t error;		/* errno of a write that failed; 0 */
	int32_t pad;
};

void runlog_head_encode(unsigned char h[RUNLOG_HEAD_LEN], int kind, size_t len,
			int64_t at);
/* Head and payload in one writev at the file's offset *off (the fd's
 * own offset); a record that does not go in whole is cut off again.
 * Returns 0, or the errno of the failure (the file is then as before). */
int runlog_record_write(int fd, int64_t *off, int kind, const char *buf,
			size_t n, int64_t at);

#endif
