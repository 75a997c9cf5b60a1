/* exec_pump.h - manager-exec writing its command's run log (--log-sock):
 * the command prints into pipes this process reads; every read becomes
 * a record of the log (runlog.h's format, runlog_record.c) and only the
 * excerpt goes on to the engine, so that the run, not the engine's loop,
 * pays for what it prints. */
#ifndef MGR_EXEC_PUMP_H
#define MGR_EXEC_PUMP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "runlog_record.h"

struct exec_pump {
	int sock;			/* to the engine: asks for the file */
	int logfd;			/* the log, once handed over; -1 */
	int asked;			/* the file was asked for */
	struct runlog_shared *st;	/* what was written, shared */
	int64_t cap;			/* per-run cap (bytes) */
	size_t excerpt;			/* bytes the engine still takes */
	int in[2];			/* the command's stdout, stderr */
	int to;				/* the engine's stdout pipe */
	int grown;			/* pipes made big: bits 1 << kind */
	char *buf;
};

/* The engine's socket and shared page (descriptors), the per-run cap in
 * MiB and the excerpt's size: from now on this process's stdout and
 * stderr are pipes the pump reads (what manager-exec itself says is in
 * the log too).  Returns 0, or -1 with errno. */
int exec_pump_setup(struct exec_pump *p, int sock, int state_fd, int cap_mb,
		    int excerpt);
/* In the supervising process after the fork: pumps until the command
 * (pid) ends, then what its pipes still hold; its wait status and
 * rusage.  pid -1: no command was started (a failure before it): pumps
 * what this process printed.  Returns 0, or -1 with errno (wait4). */
int exec_pump_run(struct exec_pump *p, pid_t pid, int *status,
		  struct rusage *ru);

#endif
