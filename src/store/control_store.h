/* control_store.h - rows of the control plane: `commands` (client
 * requests and their answers) and `host` (who hosts the engine).
 * Every SQL statement of the control plane lives in control_store.c. */
#ifndef MGR_CONTROL_STORE_H
#define MGR_CONTROL_STORE_H

#include <stdint.h>
#include "db.h"

struct command_rec {
	int64_t id;
	int64_t created_at;
	int client_pid;
	char *argv;		/* JSON array of strings */
	int json;
	char *state;		/* "pending", "running", "done" */
	int exit_status;
	char *output;
	char *error_output;
	int64_t finished_at;
};

void command_rec_clear(struct command_rec *c);
/* Inserts a pending command; sets *id. */
int command_store_submit(struct mgr_db *db, const char *argv_json, int json,
			 int client_pid, int64_t *id, struct mgr_error *err);
int command_store_read(struct mgr_db *db, int64_t id, struct command_rec *out,
		       struct mgr_error *err);
/* Claims the oldest pending command (state becomes "running"); returns
 * MGR_ENOENT when none is pending. */
int command_store_claim_next(struct mgr_db *db, struct command_rec *out,
			     struct mgr_error *err);
/* Claims one given command if it is still pending (MGR_ENOENT if not). */
int command_store_claim(struct mgr_db *db, int64_t id, struct mgr_error *err);
int command_store_finish(struct mgr_db *db, int64_t id, int exit_status,
			 const char *output, const char *error_output,
			 struct mgr_error *err);
/* Withdraws a command that nobody took yet; MGR_ENOENT when it was taken. */
int command_store_cancel(struct mgr_db *db, int64_t id, struct mgr_error *err);
/* Commands left "running" by a host that died: answered with an error. */
int command_store_abandon_running(struct mgr_db *db, const char *message,
				  int64_t *n, struct mgr_error *err);
int command_store_prune(struct mgr_db *db, int64_t older_than_us, int64_t *n,
			struct mgr_error *err);

/* The single `host` row. */
int host_store_set(struct mgr_db *db, int pid, const char *kind,
		   int64_t started_at, struct mgr_error *err);
/* Deletes the row if it names pid. */
int host_store_clear(struct mgr_db *db, int pid, struct mgr_error *err);
/* MGR_ENOENT when there is no row. */
int host_store_get(struct mgr_db *db, int *pid, char **kind,
		   int64_t *started_at, int64_t *heartbeat_at,
		   struct mgr_error *err);

#endif
