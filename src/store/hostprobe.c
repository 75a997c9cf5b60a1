/* hostprobe.c - whether an engine host holds a store (hostprobe.h),
 * through the backend's one-host lock (db_host_holder). */
#include "hostprobe.h"
#include "db.h"

#include <string.h>

int
host_lock_held(struct mgr_db *db)
{
	return db_host_holder(db, NULL, NULL, 0);
}

int
host_engine_running(struct mgr_db *db)
{
	char kind[32];

	return db_host_holder(db, NULL, kind, sizeof kind) &&
	    strcmp(kind, ENGINE_KIND_CLI) != 0;
}
