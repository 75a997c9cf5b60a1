/* snapshot_store.h - rows of the snapshots table, a plugin's key/value
 * state as one JSON object, and the queries the reloader and the fault
 * breaker need (commit markers in events, recent crashes). */
#ifndef MGR_SNAPSHOT_STORE_H
#define MGR_SNAPSHOT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "db.h"

struct snapshot_rec {
	int64_t id;
	char *plugin_id;
	char *version;
	int64_t created_at;	/* Unix µs */
	char *path;		/* the zip under data_directory/snapshots */
	char *sha256;
	int64_t size;
	char *reason;		/* manual, upgrade, reload, uninstall */
};

void snapshot_rec_clear(struct snapshot_rec *s);
void snapshot_recs_free(struct snapshot_rec *v, size_t n);
/* Sets s->id. */
int snapshot_store_insert(struct mgr_db *db, struct snapshot_rec *s,
			  struct mgr_error *err);
int snapshot_store_read(struct mgr_db *db, int64_t id, struct snapshot_rec *out,
			struct mgr_error *err);
/* Newest first; plugin_id NULL for all plugins. */
int snapshot_store_list(struct mgr_db *db, const char *plugin_id,
			struct snapshot_rec **out, size_t *n,
			struct mgr_error *err);
int snapshot_store_delete(struct mgr_db *db, int64_t id, struct mgr_error *err);

/* The plugin's plugin_state rows as a JSON object (malloc'd text). */
int plugin_state_dump(struct mgr_db *db, const char *plugin, char **json,
		      struct mgr_error *err);
/* Replaces every plugin_state row of plugin by the object's members
 * (string values).  Call inside a transaction. */
int plugin_state_replace(struct mgr_db *db, const char *plugin,
			 const char *json, struct mgr_error *err);

/* 1 if an events row of kind about subject has token in its message. */
int event_store_has_token(struct mgr_db *db, const char *kind,
			  const char *subject, const char *token);
/* Crashes of the plugin since since_us: crashed runs of its tasks, plus
 * plugin.crashed events and enable failures that were crashes. */
int fault_store_count_crashes(struct mgr_db *db, const char *plugin,
			      int64_t since_us, int *count,
			      struct mgr_error *err);

#endif
