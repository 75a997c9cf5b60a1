/* run_ids_store.h - run ids handed out by the engine, before their rows
 * are written: a run has its id (MANAGER_RUN_ID, `task logs --run`, the
 * API) from its first instant, while its `runs` row is written later by
 * the history writer, in batches (doc/SCHEDULER.md, "Job control"). */
#ifndef MGR_RUN_IDS_STORE_H
#define MGR_RUN_IDS_STORE_H

#include <stdint.h>
#include "error.h"

struct mgr_db;

/* Reserves count run ids for the engine that holds the host lock:
 * *first .. *first + count - 1 are its alone, above every id of the runs
 * table and above after (the last id it handed out, 0 at its start).
 * The engine inserts its runs rows with those ids (run_rec.id > 0).
 *
 * SQLite: the host lock makes the holder the only writer of runs rows
 * (a client without a host takes the lock to run a command), so the
 * reservation is max(id) + 1 and writes nothing; ids handed out and
 * never written (a kill -9) are free again, which is harmless: nothing
 * refers to a run by an id without its row (run logs are named by the
 * run's key, task and fire time and attempt, not by its id).
 * PostgreSQL (pg/run_ids.c) takes count consecutive values of the runs
 * id sequence, which rows inserted without an id take theirs from too;
 * a sequence never goes back, and a block not above after and max(id)
 * is dropped for another. */
int run_ids_store_reserve(struct mgr_db *db, int64_t count, int64_t after,
			  int64_t *first, struct mgr_error *err);

#endif
