/* plugin_store.c - the plugins and plugin_state tables (PluginCRUD). */
#include "i18n.h"
#include "sqlite_int.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define PLUGIN_COLUMNS \
	"id, name, version, description, author, enabled, installed_at, " \
	"path, manifest, dependencies, state, error, updated_at"

void
plugin_rec_clear(struct plugin_rec *p)
{
	free(p->id);
	free(p->name);
	free(p->version);
	free(p->description);
	free(p->author);
	free(p->path);
	free(p->manifest);
	free(p->dependencies);
	free(p->state);
	free(p->error);
	memset(p, 0, sizeof *p);
}

void
plugin_recs_free(struct plugin_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		plugin_rec_clear(&v[i]);
	free(v);
}

static void
plugin_from_row(sqlite3_stmt *st, struct plugin_rec *p)
{
	p->id = db_column_strdup(st, 0);
	p->name = db_column_strdup(st, 1);
	p->version = db_column_strdup(st, 2);
	p->description = db_column_strdup(st, 3);
	p->author = db_column_strdup(st, 4);
	p->enabled = sqlite3_column_int(st, 5);
	p->installed_at = sqlite3_column_int64(st, 6);
	p->path = db_column_strdup(st, 7);
	p->manifest = db_column_strdup(st, 8);
	p->dependencies = db_column_strdup(st, 9);
	p->state = db_column_strdup(st, 10);
	p->error = db_column_strdup(st, 11);
	p->updated_at = sqlite3_column_int64(st, 12);
}

/* Binds ?1..?13 in PLUGIN_COLUMNS order. */
static void
plugin_bind(sqlite3_stmt *st, const struct plugin_rec *p, int64_t now)
{
	sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->name != NULL ? p->name : p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->description != NULL ? p->description : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->author != NULL ? p->author : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, p->enabled);
	sqlite3_bind_int64(st, 7, p->installed_at ? p->installed_at : now);
	sqlite3_bind_text(st, 8, p->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, p->manifest != NULL ? p->manifest : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, p->dependencies != NULL ? p->dependencies : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, p->state != NULL ? p->state :
	    (p->enabled ? "enabled" : "disabled"), -1, SQLITE_STATIC);
	db_bind_text_or_null(st, 12, p->error);
	sqlite3_bind_int64(st, 13, now);
}

static int
plugin_step_done(struct mgr_db *db, sqlite3_stmt *st, const char *id,
		 struct mgr_error *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_CONSTRAINT)
		return mgr_error_set(err, MGR_EEXIST,
		    _("plugin \"%s\": %s"), id, sqlite3_errmsg(db_handle(db)));
	if (rc != SQLITE_DONE)
		return db_error(db, err, id);
	return 0;
}

int
sqlite_plugin_store_create(struct mgr_db *db, const struct plugin_rec *p,
			   struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "INSERT INTO plugins (" PLUGIN_COLUMNS ") "
	    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)", &st, err)) != 0)
		return rc;
	plugin_bind(st, p, mgr_now_us());
	return plugin_step_done(db, st, p->id, err);
}

int
sqlite_plugin_store_read(struct mgr_db *db, const char *id, struct plugin_rec *out,
			 struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " PLUGIN_COLUMNS
	    " FROM plugins WHERE id = ?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		plugin_from_row(st, out);
		sqlite3_reset(st);
		return 0;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(db, err, id);
	return mgr_error_set(err, MGR_ENOENT, _("plugin \"%s\" is not installed"), id);
}

static int
plugin_check_changed(struct mgr_db *db, const char *id, struct mgr_error *err)
{
	if (sqlite3_changes(db_handle(db)) == 0)
		return mgr_error_set(err, MGR_ENOENT,
		    _("plugin \"%s\" is not installed"), id);
	return 0;
}

int
sqlite_plugin_store_update(struct mgr_db *db, const struct plugin_rec *p,
			   struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE plugins SET name=?2, version=?3, "
	    "description=?4, author=?5, enabled=?6, installed_at=?7, path=?8, "
	    "manifest=?9, dependencies=?10, state=?11, error=?12, updated_at=?13 "
	    "WHERE id=?1", &st, err)) != 0)
		return rc;
	plugin_bind(st, p, mgr_now_us());
	if ((rc = plugin_step_done(db, st, p->id, err)) != 0)
		return rc;
	return plugin_check_changed(db, p->id, err);
}

int
sqlite_plugin_store_set_state(struct mgr_db *db, const char *id, const char *state,
			      const char *error, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "UPDATE plugins SET state=?2, enabled=?3, "
	    "error=?4, updated_at=?5 WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, strcmp(state, "enabled") == 0);
	db_bind_text_or_null(st, 4, error);
	sqlite3_bind_int64(st, 5, mgr_now_us());
	if ((rc = plugin_step_done(db, st, id, err)) != 0)
		return rc;
	return plugin_check_changed(db, id, err);
}

int
sqlite_plugin_store_delete(struct mgr_db *db, const char *id, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "DELETE FROM plugins WHERE id=?1", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = plugin_step_done(db, st, id, err)) != 0)
		return rc;
	return plugin_check_changed(db, id, err);
}

int
sqlite_plugin_store_list(struct mgr_db *db, struct plugin_rec **out, size_t *n,
			 struct mgr_error *err)
{
	struct plugin_rec *v = NULL;
	size_t count = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " PLUGIN_COLUMNS
	    " FROM plugins ORDER BY id", &st, err)) != 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		memset(&v[count], 0, sizeof *v);
		plugin_from_row(st, &v[count++]);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		plugin_recs_free(v, count);
		return db_error(db, err, _("cannot list plugins"));
	}
	*out = v;
	*n = count;
	return 0;
}

int
sqlite_plugin_state_get(struct mgr_db *db, const char *plugin, const char *key,
			char **value, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT value FROM plugin_state "
	    "WHERE plugin_id=?1 AND key=?2", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*value = rc == SQLITE_ROW ? db_column_strdup(st, 0) : NULL;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(db, err, key);
	if (rc == SQLITE_DONE)
		return mgr_error_set(err, MGR_ENOENT,
		    _("plugin \"%s\" has no state \"%s\""), plugin, key);
	return 0;
}

int
sqlite_plugin_state_set(struct mgr_db *db, const char *plugin, const char *key,
			const char *value, struct mgr_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = db_prepare(db, value != NULL ?
	    "INSERT INTO plugin_state (plugin_id, key, value) VALUES (?1,?2,?3) "
	    "ON CONFLICT (plugin_id, key) DO UPDATE SET value=excluded.value" :
	    "DELETE FROM plugin_state WHERE plugin_id=?1 AND key=?2", &st, err)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, plugin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(db, err, key);
	return 0;
}
