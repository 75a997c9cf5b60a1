/* exec_pump.h - manager-exec writing its command's run log (--log-sock):
 * the engine reads the command's pipes while the history's excerpt fills
 * (so a run that prints little is read and logged exactly as before),
 * then hands the pipes, the log's file and a shared page over on a
 * socket; from then on
 * this process reads them and writes the records (runlog.h's format,
 * runlog_record.c), so that the run, not the engine's loop, pays for the
 * rest of what it prints. */
#ifndef MGR_EXEC_PUMP_H
#define MGR_EXEC_PUMP_H

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "runlog_record.h"

struct exec_pump {
	int sock;			/* from the engine; -1 once it is gone */
	int logfd;			/* the log, once handed over; -1 */
	struct runlog_shared *st;	/* what was written, shared */
	int64_t cap;			/* per-run cap (bytes) */
	int in[2];			/* the command's stdout, stderr; -1 */
	int handed;			/* the engine handed them over */
	int grown;			/* pipes made big: bits 1 << kind */
	char *buf;
};

/* The engine's socket (a descriptor; the shared page comes with the
 * hand-over) and the per-run cap in MiB.  Returns 0, or -1 with errno. */
int exec_pump_setup(struct exec_pump *p, int sock, int cap_mb);
/* In the supervising process after the fork: waits for the command
 * (pid), taking the hand-over when it comes and pumping from then on,
 * then what its pipes still hold; its wait status and rusage.  Returns
 * 0, or -1 with errno (wait4). */
int exec_pump_run(struct exec_pump *p, pid_t pid, int *status,
		  struct rusage *ru);

#endif
