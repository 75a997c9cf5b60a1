/* plugins.c - the plugins and plugin_state tables on PostgreSQL
 * (PluginCRUD; the records' helpers are the SQLite backend's, shared). */
#include "i18n.h"
#include "pg_int.h"
#include "snapshot_store.h"
#include "store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PLUGIN_COLUMNS \
	"id, name, version, description, author, enabled, installed_at, " \
	"path, manifest, dependencies, state, error, updated_at"

static void
plugin_from_row(PGresult *res, int i, struct plugin_rec *p)
{
	p->id = pg_strdup(res, i, 0);
	p->name = pg_strdup(res, i, 1);
	p->version = pg_strdup(res, i, 2);
	p->description = pg_strdup(res, i, 3);
	p->author = pg_strdup(res, i, 4);
	p->enabled = (int)pg_i64(res, i, 5);
	p->installed_at = pg_i64(res, i, 6);
	p->path = pg_strdup(res, i, 7);
	p->manifest = pg_strdup(res, i, 8);
	p->dependencies = pg_strdup(res, i, 9);
	p->state = pg_strdup(res, i, 10);
	p->error = pg_strdup(res, i, 11);
	p->updated_at = pg_i64(res, i, 12);
}

/* $1..$13 in PLUGIN_COLUMNS order, as the SQLite backend binds them. */
static void
plugin_params(struct pg_params *p, const struct plugin_rec *r, int64_t now)
{
	pg_text(p, r->id);
	pg_text(p, r->name != NULL ? r->name : r->id);
	pg_text(p, r->version);
	pg_text(p, r->description != NULL ? r->description : "");
	pg_text(p, r->author != NULL ? r->author : "");
	pg_int(p, r->enabled);
	pg_int(p, r->installed_at ? r->installed_at : now);
	pg_text(p, r->path);
	pg_text(p, r->manifest != NULL ? r->manifest : "{}");
	pg_text(p, r->dependencies != NULL ? r->dependencies : "[]");
	pg_text(p, r->state != NULL ? r->state :
	    (r->enabled ? "enabled" : "disabled"));
	pg_text(p, r->error);
	pg_int(p, now);
}

/* Runs a change of one plugin: MGR_ENOENT when no row changed. */
static int
plugin_change(struct mgr_db *db, const char *sql, const struct pg_params *p,
	      const char *id, struct mgr_error *err)
{
	PGresult *res;
	int64_t n;
	int rc;

	if ((rc = pg_run(db, sql, p, &res, id, err)) != 0)
		return rc;
	n = pg_changed(res);
	PQclear(res);
	if (n == 0)
		return mgr_error_set(err, MGR_ENOENT,
		    _("plugin \"%s\" is not installed"), id);
	return 0;
}

int
pg_plugin_store_create(struct mgr_db *db, const struct plugin_rec *r,
		       struct mgr_error *err)
{
	struct pg_params p = { 0 };

	plugin_params(&p, r, mgr_now_us());
	return pg_run(db, "INSERT INTO plugins (" PLUGIN_COLUMNS ") VALUES "
	    "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)", &p, NULL, r->id,
	    err);
}

int
pg_plugin_store_read(struct mgr_db *db, const char *id,
		     struct plugin_rec *out, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, id);
	if ((rc = pg_run(db, "SELECT " PLUGIN_COLUMNS " FROM plugins "
	    "WHERE id = $1", &p, &res, id, err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT,
		    _("plugin \"%s\" is not installed"), id);
	}
	plugin_from_row(res, 0, out);
	PQclear(res);
	return 0;
}

int
pg_plugin_store_update(struct mgr_db *db, const struct plugin_rec *r,
		       struct mgr_error *err)
{
	struct pg_params p = { 0 };

	plugin_params(&p, r, mgr_now_us());
	return plugin_change(db, "UPDATE plugins SET name=$2, version=$3, "
	    "description=$4, author=$5, enabled=$6, installed_at=$7, path=$8, "
	    "manifest=$9, dependencies=$10, state=$11, error=$12, "
	    "updated_at=$13 WHERE id=$1", &p, r->id, err);
}

int
pg_plugin_store_set_state(struct mgr_db *db, const char *id,
			  const char *state, const char *error,
			  struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, id);
	pg_text(&p, state);
	pg_int(&p, strcmp(state, "enabled") == 0);
	pg_text(&p, error);
	pg_int(&p, mgr_now_us());
	return plugin_change(db, "UPDATE plugins SET state=$2, enabled=$3, "
	    "error=$4, updated_at=$5 WHERE id=$1", &p, id, err);
}

int
pg_plugin_store_delete(struct mgr_db *db, const char *id,
		       struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, id);
	return plugin_change(db, "DELETE FROM plugins WHERE id=$1", &p, id,
	    err);
}

int
pg_plugin_store_list(struct mgr_db *db, struct plugin_rec **out, size_t *n,
		     struct mgr_error *err)
{
	PGresult *res;
	int rc, rows;

	if ((rc = pg_run(db, "SELECT " PLUGIN_COLUMNS " FROM plugins "
	    "ORDER BY id COLLATE \"C\"", NULL, &res, _("cannot list plugins"), err)) != 0)
		return rc;
	rows = PQntuples(res);
	*out = rows > 0 ? xcalloc((size_t)rows, sizeof **out) : NULL;
	for (int i = 0; i < rows; i++)
		plugin_from_row(res, i, &(*out)[i]);
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

int
pg_plugin_state_get(struct mgr_db *db, const char *plugin, const char *key,
		    char **value, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	*value = NULL;
	pg_text(&p, plugin);
	pg_text(&p, key);
	if ((rc = pg_run(db, "SELECT value FROM plugin_state "
	    "WHERE plugin_id=$1 AND key=$2", &p, &res, key, err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT,
		    _("plugin \"%s\" has no state \"%s\""), plugin, key);
	}
	*value = pg_strdup(res, 0, 0);
	PQclear(res);
	return 0;
}

int
pg_plugin_state_set(struct mgr_db *db, const char *plugin, const char *key,
		    const char *value, struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_text(&p, plugin);
	pg_text(&p, key);
	if (value == NULL)
		return pg_run(db, "DELETE FROM plugin_state WHERE plugin_id=$1 "
		    "AND key=$2", &p, NULL, key, err);
	pg_text(&p, value);
	return pg_run(db, "INSERT INTO plugin_state (plugin_id, key, value) "
	    "VALUES ($1,$2,$3) ON CONFLICT (plugin_id, key) "
	    "DO UPDATE SET value=excluded.value", &p, NULL, key, err);
}

int
pg_plugin_state_dump(struct mgr_db *db, const char *plugin, char **json,
		     struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	json_t *obj;
	int rc;

	pg_text(&p, plugin);
	if ((rc = pg_run(db, "SELECT key, value FROM plugin_state "
	    "WHERE plugin_id=$1 ORDER BY key", &p, &res,
	    _("cannot read the plugin's state"), err)) != 0)
		return rc;
	obj = json_object();
	for (int i = 0; i < PQntuples(res); i++)
		json_object_set_new(obj, PQgetvalue(res, i, 0),
		    json_string(PQgetvalue(res, i, 1)));
	PQclear(res);
	*json = json_dumps(obj, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(obj);
	return 0;
}

int
pg_plugin_state_replace(struct mgr_db *db, const char *plugin,
			const char *json, struct mgr_error *err)
{
	json_t *obj = json_loads(json, 0, NULL), *v;
	struct pg_params p = { 0 };
	const char *key;
	int rc;

	if (!json_is_object(obj)) {
		json_decref(obj);
		return mgr_error_set(err, MGR_EINVAL, _("plugin %s: the saved "
		    "state is not a JSON object"), plugin);
	}
	pg_text(&p, plugin);
	rc = pg_run(db, "DELETE FROM plugin_state WHERE plugin_id=$1", &p,
	    NULL, _("cannot replace the plugin's state"), err);
	json_object_foreach(obj, key, v) {
		if (rc != 0)
			break;
		if (!json_is_string(v))
			rc = mgr_error_set(err, MGR_EINVAL, _("plugin %s: saved "
			    "state \"%s\" is not a string"), plugin, key);
		else
			rc = pg_plugin_state_set(db, plugin, key,
			    json_string_value(v), err);
	}
	json_decref(obj);
	return rc;
}
