/* command_input_store.h - a client's stdin carried with its command: a
 * command that reads stdin (`task import crontab -`) and goes to the
 * engine host through the `commands` table takes what the client read
 * along, in the row's `input` column, since the host has no stdin of
 * the client's. */
#ifndef MGR_COMMAND_INPUT_STORE_H
#define MGR_COMMAND_INPUT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"

/* As command_store_submit, with input (len bytes, any bytes) stored in
 * the same row, so that the host never sees the command without it. */
int command_store_submit_input(struct mgr_db *db, const char *argv_json,
			       int json, int client_pid, const char *input,
			       size_t len, int64_t *id, struct mgr_error *err);
/* The input of command id (malloc'd, NUL-terminated beyond *len), or
 * *input NULL when it was sent without. */
int command_store_input(struct mgr_db *db, int64_t id, char **input,
			size_t *len, struct mgr_error *err);

#endif
