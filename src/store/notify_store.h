/* notify_store.h - notifications owed (issue 14): the outbox that carries
 * a run's notifications across an engine crash.
 *
 * A notification is added in the transaction that records its run's
 * final outcome (the history writer's batch), and removed once it was
 * delivered or given up; whatever is left when an engine starts was owed
 * by one that died (or stopped while it was under way) and is sent then.
 * Each row carries what the notification says, so it does not need its
 * run's row (which retention may have removed meanwhile). */
#ifndef MGR_NOTIFY_STORE_H
#define MGR_NOTIFY_STORE_H

#include <stdint.h>
#include "store.h"

/* One notification: its run (run.id > 0 and event are the key), the
 * action and how many engine starts have found it owed. */
struct notify_rec {
	struct run_rec run;	/* id, task_id, status, exit_code, signal,
				 * times, attempt, output, error */
	char *event;		/* "on_failure", ... */
	char *action;		/* "exec:...", "mail:...", "webhook:..." */
	int starts;
};

void notify_rec_clear(struct notify_rec *n);
/* Adds it (or replaces the one of the same run and event). */
int notify_store_add(struct mgr_db *db, const struct notify_rec *n,
		     struct mgr_error *err);
/* It was delivered or given up; none: not an error. */
int notify_store_done(struct mgr_db *db, int64_t run_id, const char *event,
		      struct mgr_error *err);
/* At an engine's start, in one transaction: every notification owed
 * counts one more start, then fn(arg, n) is told of each, oldest run
 * first (n and its strings are fn's to keep: notify_rec_clear). */
typedef void (*notify_rec_fn)(void *arg, struct notify_rec *n);
int notify_store_restart(struct mgr_db *db, notify_rec_fn fn, void *arg,
			 struct mgr_error *err);

#endif
