/* retention_store.h - history retention in small bounded steps (issue
 * 18): each call deletes at most `limit` rows through an index, so the
 * history writer can interleave them with its batches, and the file
 * gives freed pages back a slice at a time (auto_vacuum = incremental,
 * schema 7). */
#ifndef MGR_RETENTION_STORE_H
#define MGR_RETENTION_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"

/* Deletes up to limit ended runs that started before oldest_us (through
 * runs(started_at)); *deleted: how many. */
int retention_prune_old(struct mgr_db *db, int64_t oldest_us, int limit,
			int *deleted, struct mgr_error *err);
/* Deletes up to limit of the task's ended runs older than its newest
 * keep runs (through runs(task_id, id)); *deleted: how many. */
int retention_prune_task(struct mgr_db *db, const char *task_id, int keep,
			 int limit, int *deleted, struct mgr_error *err);
/* Up to max task ids after `after` (NULL: from the first), in order;
 * *ids is a NULL-terminated strv (strv_free). */
int retention_task_ids(struct mgr_db *db, const char *after, size_t max,
		       char ***ids, size_t *n, struct mgr_error *err);
/* Gives up to pages free pages back to the file system; *left: the free
 * pages still in the file. */
int retention_vacuum_step(struct mgr_db *db, int pages, int64_t *left,
			  struct mgr_error *err);

#endif
