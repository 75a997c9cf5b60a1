/* hostlock.c - one engine host per store: the backend's one-host lock
 * (db_host_lock) and the `host` row that names the holder.
 *
 * The lock is the authority (it is released when the holder dies,
 * however it dies); the row is for people and clients: who holds it,
 * since when, of what kind.
 */
#include "i18n.h"
#include "control_store.h"
#include "engine.h"
#include "host.h"
#include "manager.h"
#include "migrate_paths.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

int
engine_host_acquire(struct mgr *mgr, const char *kind, struct mgr_error *err)
{
	struct db_host_lock *lock;
	struct host *h;
	int rc;

	if (mgr->host != NULL)
		return mgr_error_set(err, MGR_EBUSY,
		    _("this process already hosts the engine"));
	if ((rc = db_host_lock(mgr->db, kind, &lock, err)) != 0)
		return rc;
	h = xcalloc(1, sizeof *h);
	h->lock = lock;
	h->kind = xstrdup(kind);
	h->started_at = mgr_now_us();
	if ((rc = host_store_set(mgr->db, (int)getpid(), kind, h->started_at,
	    err)) != 0) {
		db_host_unlock(lock);
		free(h->kind);
		free(h);
		return rc;
	}
	mgr->host = h;
	/* Under the lock, so one process does it: what older versions kept
	 * under data_directory moves to the state and cache folders. */
	migrate_paths(mgr->conf, &mgr->log);
	return 0;
}

void
engine_host_release(struct mgr *mgr)
{
	struct host *h = mgr->host;

	if (h == NULL)
		return;
	if (mgr->db != NULL)
		host_store_clear(mgr->db, (int)getpid(), NULL);
	db_host_unlock(h->lock);
	free(h->kind);
	free(h);
	mgr->host = NULL;
}

int
engine_host_info(struct mgr *mgr, int *pid, char **kind, int64_t *started_at)
{
	struct host *h = mgr->host;
	int64_t at = 0;
	char *k = NULL;
	int p = 0;

	if (h != NULL) {
		p = (int)getpid();
		k = xstrdup(h->kind);
		at = h->started_at;
	} else {
		if (mgr->db == NULL || !host_lock_held(mgr->db))
			return MGR_ENOENT;
		host_store_get(mgr->db, &p, &k, &at, NULL, NULL);
	}
	if (pid != NULL)
		*pid = p;
	if (started_at != NULL)
		*started_at = at;
	if (kind != NULL)
		*kind = k;
	else
		free(k);
	return 0;
}
