/* plugin_host_db.c - a plugin host's state kept in the database, for
 * plugins loaded in the engine (and the validator's probe): a private
 * connection to the database's file, opened on first use, because task
 * functions call state_get/state_set from worker threads while the loop
 * thread uses the main connection.  Apart from plugin_host.c so that
 * manager-run, whose hosts send state to the engine instead, links no
 * database library. */
#include "plugin_host.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>

struct host_db {
	struct plugin_host_remote remote;	/* first: arg is this */
	char *file;
	char *id;
	struct mgr_log *log;
	struct mgr_db *db;		/* opened on first use */
};

/* Called with the host's state lock held, as every remote call is. */
static struct mgr_db *
host_db_open(struct host_db *hd)
{
	struct mgr_error err = { 0 };

	if (hd->db == NULL && db_open(hd->file, &hd->db, &err) != 0) {
		if (hd->log != NULL)
			log_error(hd->log, "plugin %s: state: %s", hd->id, err.msg);
		hd->db = NULL;
	}
	return hd->db;
}

static char *
host_db_get(void *arg, const char *key)
{
	struct host_db *hd = arg;
	struct mgr_error err = { 0 };
	struct mgr_db *db = host_db_open(hd);
	char *value = NULL;

	if (db == NULL || plugin_state_get(db, hd->id, key, &value, &err) != 0)
		return NULL;
	return value;
}

static int
host_db_set(void *arg, const char *key, const char *value)
{
	struct host_db *hd = arg;
	struct mgr_error err = { 0 };
	struct mgr_db *db = host_db_open(hd);

	if (db == NULL)
		return -1;
	if (plugin_state_set(db, hd->id, key, value, &err) == 0)
		return 0;
	if (hd->log != NULL)
		log_warning(hd->log, "plugin %s: state: %s", hd->id, err.msg);
	return -1;
}

static void
host_db_release(void *arg)
{
	struct host_db *hd = arg;

	db_close(hd->db);
	free(hd->file);
	free(hd->id);
	free(hd);
}

struct plugin_host *
plugin_host_new_db(struct mgr_db *db, struct mgr_log *log,
		   const char *plugin_id, const char *manifest_json)
{
	struct plugin_host *h = plugin_host_new(log, plugin_id, manifest_json);
	struct host_db *hd;

	if (db == NULL)
		return h;
	hd = xcalloc(1, sizeof *hd);
	hd->remote = (struct plugin_host_remote){ host_db_get, host_db_set,
	    NULL, host_db_release, hd };
	hd->file = xstrdup(db_path(db));
	hd->id = xstrdup(plugin_id);
	hd->log = log;
	plugin_host_set_remote(h, &hd->remote);
	return h;
}
