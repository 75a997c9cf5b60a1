/* snapshots.c - the snapshots table on PostgreSQL (snapshot_store.h;
 * the records' helpers are the SQLite backend's, shared). */
#include "i18n.h"
#include "pg_int.h"
#include "snapshot_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define SNAP_COLS "id, plugin_id, version, created_at, path, sha256, size, reason"

static void
snapshot_from_row(PGresult *res, int i, struct snapshot_rec *s)
{
	s->id = pg_i64(res, i, 0);
	s->plugin_id = pg_strdup(res, i, 1);
	s->version = pg_strdup(res, i, 2);
	s->created_at = pg_i64(res, i, 3);
	s->path = pg_strdup(res, i, 4);
	s->sha256 = pg_strdup(res, i, 5);
	s->size = pg_i64(res, i, 6);
	s->reason = pg_strdup(res, i, 7);
}

int
pg_snapshot_store_insert(struct mgr_db *db, struct snapshot_rec *s,
			 struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	pg_text(&p, s->plugin_id);
	pg_text(&p, s->version);
	pg_int(&p, s->created_at);
	pg_text(&p, s->path);
	pg_text(&p, s->sha256);
	pg_int(&p, s->size);
	pg_text(&p, s->reason);
	if ((rc = pg_run(db, "INSERT INTO snapshots (plugin_id, version, "
	    "created_at, path, sha256, size, reason) VALUES ($1,$2,$3,$4,$5,"
	    "$6,$7) RETURNING id", &p, &res, _("cannot record the snapshot"),
	    err)) != 0)
		return rc;
	s->id = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

int
pg_snapshot_store_read(struct mgr_db *db, int64_t id,
		       struct snapshot_rec *out, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc;

	memset(out, 0, sizeof *out);
	pg_int(&p, id);
	if ((rc = pg_run(db, "SELECT " SNAP_COLS " FROM snapshots WHERE id=$1",
	    &p, &res, _("cannot read the snapshot"), err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT, _("no snapshot %lld"),
		    (long long)id);
	}
	snapshot_from_row(res, 0, out);
	PQclear(res);
	return 0;
}

int
pg_snapshot_store_list(struct mgr_db *db, const char *plugin_id,
		       struct snapshot_rec **out, size_t *n,
		       struct mgr_error *err)
{
	struct pg_params p = { 0 };
	PGresult *res;
	int rc, rows;

	pg_text(&p, plugin_id);
	if ((rc = pg_run(db, "SELECT " SNAP_COLS " FROM snapshots "
	    "WHERE $1::text IS NULL OR plugin_id=$1 ORDER BY id DESC", &p, &res,
	    _("cannot list snapshots"), err)) != 0)
		return rc;
	rows = PQntuples(res);
	*out = rows > 0 ? xcalloc((size_t)rows, sizeof **out) : NULL;
	for (int i = 0; i < rows; i++)
		snapshot_from_row(res, i, &(*out)[i]);
	*n = (size_t)rows;
	PQclear(res);
	return 0;
}

int
pg_snapshot_store_delete(struct mgr_db *db, int64_t id,
			 struct mgr_error *err)
{
	struct pg_params p = { 0 };

	pg_int(&p, id);
	return pg_run(db, "DELETE FROM snapshots WHERE id=$1", &p, NULL,
	    _("cannot delete the snapshot"), err);
}
