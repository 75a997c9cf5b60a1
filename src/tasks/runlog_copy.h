/* runlog_copy.h - db copy's part for the large run logs (copy_store.h,
 * struct db_copy_extra).  The history's small logs are a table both
 * backends have (run_logs), which db_copy copies; a larger one is a
 * file under the logs folder on SQLite (runlog.h) and run_log_chunks on
 * PostgreSQL (runlog_ship.h), which the store cannot name.  Each log of
 * a run the source records goes across whole, byte for byte: a file
 * becomes chunks of whole records (as runlog_ship cuts them), chunks
 * become a file (0600, its folder 0700); then every log is read back
 * from the target and compared by count and a SHA-256 chain, as the
 * tables are.  Between two SQLite files nothing moves: both read the
 * same logs folder. */
#ifndef MGR_RUNLOG_COPY_H
#define MGR_RUNLOG_COPY_H

#include <stddef.h>
#include "copy_store.h"

struct runlog_copy {
	const char *logs_dir;	/* the folder of a side that keeps files */
	char **made;		/* the files written, for undo (a strv) */
};

/* db_copy's extra part (copy->arg: a struct runlog_copy whose logs_dir
 * is runlog_dir of the configured state_directory). */
int runlog_copy_logs(void *arg, struct mgr_db *from, struct mgr_db *to,
		     struct db_copy_table *line, struct mgr_error *err);
/* Removes the files runlog_copy_logs wrote (the copy failed). */
void runlog_copy_undo(void *arg);
/* Frees what c holds (the files stay). */
void runlog_copy_clear(struct runlog_copy *c);

#endif
