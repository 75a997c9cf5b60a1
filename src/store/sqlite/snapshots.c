/* snapshot_store.c - SQL for snapshots, plugin state dumps, reload commit
 * markers and crash counts. */
#include "i18n.h"
#include "sqlite_int.h"
#include "snapshot_store.h"
#include "store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void
snapshot_rec_clear(struct snapshot_rec *s)
{
	free(s->plugin_id);
	free(s->version);
	free(s->path);
	free(s->sha256);
	free(s->reason);
	memset(s, 0, sizeof *s);
}

void
snapshot_recs_free(struct snapshot_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snapshot_rec_clear(&v[i]);
	free(v);
}

#define SNAP_COLS "id, plugin_id, version, created_at, path, sha256, size, reason"

static void
snapshot_from_row(sqlite3_stmt *st, struct snapshot_rec *s)
{
	s->id = sqlite3_column_int64(st, 0);
	s->plugin_id = db_column_strdup(st, 1);
	s->version = db_column_strdup(st, 2);
	s->created_at = sqlite3_column_int64(st, 3);
	s->path = db_column_strdup(st, 4);
	s->sha256 = db_column_strdup(st, 5);
	s->size = sqlite3_column_int64(st, 6);
	s->reason = db_column_strdup(st, 7);
}

int
sqlite_snapshot_store_insert(struct mgr_db *db, struct snapshot_rec *s,
			     struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO snapshots (plugin_id, version, "
	    "created_at, path, sha256, size, reason) VALUES (?1,?2,?3,?4,?5,?6,?7)",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, s->plugin_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->version, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->created_at);
	sqlite3_bind_text(st, 4, s->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, s->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, s->size);
	sqlite3_bind_text(st, 7, s->reason, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, _("cannot record the snapshot"));
	s->id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

int
sqlite_snapshot_store_read(struct mgr_db *db, int64_t id, struct snapshot_rec *out,
			   struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = db_prepare(db, "SELECT " SNAP_COLS " FROM snapshots WHERE id=?1",
	    &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snapshot_from_row(st, out);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT, _("no snapshot %lld"),
		    (long long)id);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("cannot read the snapshot"));
	return 0;
}

int
sqlite_snapshot_store_list(struct mgr_db *db, const char *plugin_id,
		    struct snapshot_rec **out, size_t *n, struct mgr_error *err)
{
	struct snapshot_rec *v = NULL;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " SNAP_COLS " FROM snapshots "
	    "WHERE ?1 IS NULL OR plugin_id=?1 ORDER BY id DESC", &st, err)) != 0)
		return rc;
	db_bind_text_or_null(st, 1, plugin_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			v = xrealloc(v, cap * sizeof *v);
		}
		snapshot_from_row(st, &v[count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		snapshot_recs_free(v, count);
		return db_error(db, err, _("cannot list snapshots"));
	}
	*out = v;
	*n = count;
	return 0;
}

int
sqlite_snapshot_store_delete(struct mgr_db *db, int64_t id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "DELETE FROM snapshots WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, _("cannot delete the snapshot"));
	return 0;
}

int
sqlite_plugin_state_dump(struct mgr_db *db, const char *plugin, char **json,
			 struct mgr_error *err)
{
	json_t *obj = json_object();
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT key, value FROM plugin_state "
	    "WHERE plugin_id=?1 ORDER BY key", &st, err)) != 0) {
		json_decref(obj);
		return rc;
	}
	sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(obj, (const char *)sqlite3_column_text(st, 0),
		    json_string((const char *)sqlite3_column_text(st, 1)));
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(obj);
		return db_error(db, err, _("cannot read the plugin's state"));
	}
	*json = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(obj);
	return 0;
}

int
sqlite_plugin_state_replace(struct mgr_db *db, const char *plugin, const char *json,
			    struct mgr_error *err)
{
	json_t *obj = json_loads(json, 0, NULL), *v;
	const char *key;
	sqlite3_stmt *st;
	int rc;

	if (!json_is_object(obj)) {
		json_decref(obj);
		return mgr_error_set(err, MGR_EINVAL, _("plugin %s: the saved state "
		    "is not a JSON object"), plugin);
	}
	if ((rc = db_prepare(db, "DELETE FROM plugin_state WHERE plugin_id=?1",
	    &st, err)) == 0) {
		sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_error(db, err, _("cannot replace the plugin's state"));
	}
	json_object_foreach(obj, key, v) {
		if (rc != 0)
			break;
		if (!json_is_string(v))
			rc = mgr_error_set(err, MGR_EINVAL, _("plugin %s: saved state "
			    "\"%s\" is not a string"), plugin, key);
		else
			rc = plugin_state_set(db, plugin, key, json_string_value(v),
			    err);
	}
	json_decref(obj);
	return rc;
}

int
sqlite_event_store_has_token(struct mgr_db *db, const char *kind, const char *subject,
			     const char *token)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT 1 FROM events WHERE subject=?1 AND (?2 IS NULL OR kind=?2) "
	    "AND instr(message, ?3) > 0 LIMIT 1", &st, NULL) != 0)
		return 0;
	sqlite3_bind_text(st, 1, subject, -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 2, kind);
	sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW;
}

int
sqlite_fault_store_count_crashes(struct mgr_db *db, const char *plugin,
			  int64_t since_us, int *count, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	/* Crashes before the plugin was last enabled were forgiven then. */
	if ((rc = db_prepare(db, "WITH s(t) AS (SELECT max(?2, coalesce("
	    " (SELECT max(at) FROM events WHERE subject=?1"
	    "  AND kind='plugin.enabled'), 0))) SELECT "
	    " (SELECT count(*) FROM runs WHERE runs.id IN"
	    "  (SELECT s.id FROM tasks JOIN runs_settled s ON s.task_id = tasks.id"
	    "   WHERE tasks.plugin_id=?1 UNION ALL SELECT r.id FROM runs r"
	    "   JOIN tasks ON r.task_id = tasks.id WHERE r.scheduled_at >="
	    "   (SELECT bound FROM runs_settle) AND tasks.plugin_id=?1)"
	    "  AND runs.status='crashed'"
	    "  AND coalesce(runs.ended_at, runs.started_at) >= (SELECT t FROM s))"
	    " + (SELECT count(*) FROM events WHERE subject=?1"
	    "  AND at >= (SELECT t FROM s) AND"
	    "  (kind='plugin.crashed' OR (kind='plugin.enable_failed'"
	    "   AND instr(message, 'crashed') > 0)))", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since_us);
	rc = sqlite3_step(st);
	*count = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_error(db, err, _("cannot count the plugin's crashes"));
	return 0;
}
