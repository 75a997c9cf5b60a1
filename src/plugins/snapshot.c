/* snapshot.c - plugin snapshots: zip, restore by folder swap, retention,
 * recovery of interrupted swaps. */
#include "i18n.h"
#include "archive.h"
#include "installer.h"
#include "manager.h"
#include "manifest.h"
#include "plugins.h"
#include "reloader.h"
#include "scratch.h"
#include "snapshot.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "zip_fns.h"

#define SNAPSHOT_FORMAT 1
/* How long recovery waits for another process's swap journal: as long
 * as the database's busy_timeout, so a host starting while a client
 * settles a swap waits for it instead of giving up. */
#define SWAP_WAIT_MS 10000

char *
snapshot_dir(struct mgr *mgr, struct mgr_error *err)
{
	char *dir = xasprintf("%s/snapshots", mgr->conf->data_directory);

	if (mkdir_p(dir, 0700, 1, err) != 0) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* ---- writing the zip ---- */

static int
zip_fail(zip_t *za, const char *zip, const char *what, struct mgr_error *err)
{
	return mgr_error_set(err, MGR_EIO, _("%s: cannot add %s: %s"), zip, what,
	    zip_strerror(za));
}

/* Adds buf (taken over) as name, a regular file 0600. */
static int
zip_add_buf(zip_t *za, const char *zip, const char *name, char *buf, size_t len,
	    struct mgr_error *err)
{
	zip_source_t *src = zip_source_buffer(za, buf, len, 1);
	zip_int64_t i;

	if (src == NULL) {
		free(buf);
		return zip_fail(za, zip, name, err);
	}
	if ((i = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(src);
		return zip_fail(za, zip, name, err);
	}
	zip_file_set_external_attributes(za, (zip_uint64_t)i, 0, ZIP_OPSYS_UNIX,
	    (zip_uint32_t)(S_IFREG | 0600) << 16);
	return 0;
}

/* Adds the folder dir under prefix ("files"), reading every file now: a
 * file rewritten while we work cannot end up half in the archive. */
static int
zip_add_tree(zip_t *za, const char *zip, const char *dir, const char *prefix,
	     struct mgr_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	zip_int64_t i;
	int rc = 0;

	if (d == NULL)
		return mgr_error_set(err, MGR_EIO, "%s: %s", dir, strerror(errno));
	if ((i = zip_dir_add(za, prefix, ZIP_FL_ENC_UTF_8)) < 0)
		rc = zip_fail(za, zip, prefix, err);
	else
		zip_file_set_external_attributes(za, (zip_uint64_t)i, 0,
		    ZIP_OPSYS_UNIX, (zip_uint32_t)(S_IFDIR | 0700) << 16);
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *path, *name, *buf;
		struct stat st;
		size_t len;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		name = xasprintf("%s/%s", prefix, de->d_name);
		if (lstat(path, &st) != 0)
			rc = mgr_error_set(err, MGR_EIO, "%s: %s", path,
			    strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = zip_add_tree(za, zip, path, name, err);
		else if (!S_ISREG(st.st_mode))
			rc = mgr_error_set(err, MGR_EUNSAFE, _("%s: not a regular "
			    "file or folder"), path);
		else if ((rc = read_file(path, &buf, &len, err)) == 0)
			rc = zip_add_buf(za, zip, name, buf, len, err);
		free(path);
		free(name);
	}
	closedir(d);
	return rc;
}

static json_t *
rec_to_json(const struct plugin_rec *r)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:b, s:I, s:s?, s:s?, s:s?, "
	    "s:s?}", "id", r->id, "name", r->name, "version", r->version,
	    "description", r->description, "author", r->author,
	    "enabled", r->enabled, "installed_at", (json_int_t)r->installed_at,
	    "manifest", r->manifest, "dependencies", r->dependencies,
	    "state", r->state, "error", r->error);
}

static int
zip_add_json(zip_t *za, const char *zip, const char *name, json_t *j,
	     struct mgr_error *err)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	json_decref(j);
	return zip_add_buf(za, zip, name, s, strlen(s), err);
}

/* The whole content of src, which zip_close wrote (malloc'd). */
static int
source_slurp(zip_source_t *src, char **data, size_t *len)
{
	zip_int64_t n = -1;

	if (zip_source_open(src) != 0)
		return -1;
	if (zip_source_seek(src, 0, SEEK_END) == 0 &&
	    (n = zip_source_tell(src)) >= 0 &&
	    zip_source_seek(src, 0, SEEK_SET) == 0) {
		*data = xmalloc((size_t)n + 1);
		if (zip_source_read(src, *data, (zip_uint64_t)n) != n) {
			free(*data);
			n = -1;
		}
	}
	zip_source_close(src);
	*len = n >= 0 ? (size_t)n : 0;
	return n >= 0 ? 0 : -1;
}

/* An empty archive in memory, src holding a reference of ours. */
static zip_t *
zip_new_in_memory(const char *zip, zip_source_t **src, struct mgr_error *err)
{
	zip_error_t ze;
	zip_t *za = NULL;

	if (zip_fns_load(zip, err) != 0)
		return NULL;
	zip_error_init(&ze);
	if ((*src = zip_source_buffer_create(NULL, 0, 0, &ze)) != NULL) {
		zip_source_keep(*src);	/* ours, beyond the archive's */
		if ((za = zip_open_from_source(*src, ZIP_CREATE | ZIP_TRUNCATE,
		    &ze)) == NULL)
			zip_source_free(*src);	/* the archive's */
	}
	if (za == NULL) {
		mgr_error_set(err, MGR_EIO, _("%s: cannot create: %s"), zip,
		    zip_error_strerror(&ze));
		zip_source_free(*src);
	}
	zip_error_fini(&ze);
	return za;
}

/* The snapshot zip, built in memory: nothing reaches the disk until it
 * is whole (libzip's own temporary file would follow the umask). */
static int
zip_build(const char *zip, const struct plugin_rec *rec, const char *folder,
	  const char *state_json, int64_t now, const char *reason,
	  char **data, size_t *len, struct mgr_error *err)
{
	zip_source_t *src;
	zip_t *za;
	int rc;

	if ((za = zip_new_in_memory(zip, &src, err)) == NULL)
		return MGR_EIO;
	rc = zip_add_tree(za, zip, folder, "files", err);
	if (rc == 0)
		rc = zip_add_json(za, zip, "meta/plugin.json", rec_to_json(rec), err);
	if (rc == 0)
		rc = zip_add_json(za, zip, "meta/state.json",
		    json_loads(state_json, 0, NULL), err);
	if (rc == 0)
		rc = zip_add_json(za, zip, "meta/snapshot.json", json_pack("{s:i, "
		    "s:s, s:s, s:I, s:s}", "format", SNAPSHOT_FORMAT, "plugin_id",
		    rec->id, "version", rec->version, "created_at",
		    (json_int_t)now, "reason", reason), err);
	if (rc == 0 && zip_close(za) != 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot write: %s"), zip,
		    zip_strerror(za));
	if (rc != 0)
		zip_discard(za);
	else if (source_slurp(src, data, len) != 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot write: the "
		    "archive built in memory cannot be read back"), zip);
	zip_source_free(src);
	return rc;
}

/* Writes data under a scratch name (0600, locked), syncs it and renames
 * it to path.  *fd keeps the lock: a sweep leaves a file without a row
 * alone while it is held, so hold it until the row is committed. */
static int
zip_save(const char *dir, const char *path, const char *data, size_t len,
	 int *fd, struct mgr_error *err)
{
	struct scratch tmp;
	size_t off = 0;
	int rc;

	if ((rc = scratch_file(dir, ".snapshot", &tmp, err)) != 0)
		return rc;
	while (off < len) {
		ssize_t w = write(tmp.fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < len || fsync(tmp.fd) != 0 || rename(tmp.path, path) != 0) {
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot write: %s"), path,
		    strerror(errno));
		scratch_remove(&tmp);
		return rc;
	}
	*fd = tmp.fd;
	tmp.fd = -1;
	scratch_release(&tmp);
	return 0;
}

/* ---- create, delete, prune ---- */

static int
record_snapshot(struct mgr *mgr, struct snapshot_rec *s, struct mgr_error *err)
{
	int rc;

	if ((rc = db_begin(mgr->db, err)) != 0)
		return rc;
	if ((rc = snapshot_store_insert(mgr->db, s, err)) == 0 &&
	    (rc = mgr_event(mgr, "snapshot.created", s->plugin_id, err,
	    _("snapshot %lld of %s %s (%s)"), (long long)s->id, s->plugin_id,
	    s->version, s->reason)) == 0)
		rc = db_commit(mgr->db, err);
	if (rc != 0)
		db_rollback(mgr->db);
	return rc;
}

int
snapshot_create_from(struct mgr *mgr, const struct plugin_rec *rec,
		     const char *folder, const char *reason, int64_t *id_out,
		     struct mgr_error *err)
{
	struct snapshot_rec s = { 0 };
	char *dir, *state = NULL, *data = NULL, sum[65];
	size_t len = 0;
	int rc, fd = -1;

	if ((dir = snapshot_dir(mgr, err)) == NULL)
		return MGR_EIO;
	s.created_at = mgr_now_us();
	s.path = xasprintf("%s/%s-%s-%lld.zip", dir, rec->id, rec->version,
	    (long long)s.created_at);
	if ((rc = plugin_state_dump(mgr->db, rec->id, &state, err)) == 0 &&
	    (rc = zip_build(s.path, rec, folder, state, s.created_at, reason,
	    &data, &len, err)) == 0 &&
	    (rc = zip_save(dir, s.path, data, len, &fd, err)) == 0) {
		sha256_hex(data, len, sum);
		s.plugin_id = xstrdup(rec->id);
		s.version = xstrdup(rec->version);
		s.sha256 = xstrdup(sum);
		s.size = (int64_t)len;
		s.reason = xstrdup(reason);
		if ((rc = record_snapshot(mgr, &s, err)) != 0)
			unlink(s.path);
		close(fd);
	}
	if (rc == 0 && id_out != NULL)
		*id_out = s.id;
	if (rc == 0)
		snapshot_prune(mgr, rec->id, NULL);
	else
		mgr_error_prefix(err, _("cannot snapshot %s"), rec->id);
	free(dir);
	free(data);
	free(state);
	snapshot_rec_clear(&s);
	return rc;
}

int
snapshot_create(struct mgr *mgr, const char *plugin_id, const char *reason,
		int64_t *id_out, struct mgr_error *err)
{
	struct plugin_rec rec = { 0 };
	int rc;

	if ((rc = plugin_store_read(mgr->db, plugin_id, &rec, err)) != 0)
		return rc;
	rc = snapshot_create_from(mgr, &rec, rec.path, reason, id_out, err);
	/* Its files are about to be replaced by another road than the
	 * reloader: the reloader's copy of them will not be current. */
	if (rc == 0 && mgr->reloader == NULL && (strcmp(reason, "upgrade") == 0 ||
	    strcmp(reason, "uninstall") == 0))
		reloader_adopt(mgr, plugin_id);
	plugin_rec_clear(&rec);
	return rc;
}

int
snapshot_delete(struct mgr *mgr, int64_t id, struct mgr_error *err)
{
	struct snapshot_rec s;
	int rc;

	if ((rc = snapshot_store_read(mgr->db, id, &s, err)) != 0)
		return rc;
	if ((rc = db_begin(mgr->db, err)) == 0) {
		if ((rc = snapshot_store_delete(mgr->db, id, err)) == 0 &&
		    (rc = mgr_event(mgr, "snapshot.deleted", s.plugin_id, err,
		    _("snapshot %lld of %s %s deleted"), (long long)id,
		    s.plugin_id, s.version)) == 0)
			rc = db_commit(mgr->db, err);
		if (rc != 0)
			db_rollback(mgr->db);
	}
	/* The row is gone first: a file without a row is only litter. */
	if (rc == 0 && unlink(s.path) != 0 && errno != ENOENT)
		log_warning(&mgr->log, "%s: %s", s.path, strerror(errno));
	snapshot_rec_clear(&s);
	return rc;
}

int
snapshot_prune(struct mgr *mgr, const char *plugin_id, struct mgr_error *err)
{
	struct snapshot_rec *v;
	size_t n;
	int rc;

	if ((rc = snapshot_store_list(mgr->db, plugin_id, &v, &n, err)) != 0)
		return rc;
	for (size_t i = (size_t)mgr->conf->snapshot_keep; rc == 0 && i < n; i++)
		rc = snapshot_delete(mgr, v[i].id, err);
	snapshot_recs_free(v, n);
	return rc;
}

/* ---- the folder swap ---- */

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
swap_paths(struct mgr *mgr, const char *id, struct swap *s)
{
	const char *dir = mgr->conf->plugins_directory;

	memset(s, 0, sizeof *s);
	s->mgr = mgr;
	s->fd = -1;
	s->id = xstrdup(id);
	s->target = xasprintf("%s/%s", dir, id);
	s->journal = xasprintf("%s/.swap-%s.journal", dir, id);
	s->stage = xasprintf("%s/.swap-%s.stage", dir, id);
	s->old = xasprintf("%s/.swap-%s.old", dir, id);
}

static void
swap_free(struct swap *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->id);
	free(s->target);
	free(s->journal);
	free(s->stage);
	free(s->old);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

/* Writes "TOKEN HAD_OLD\n" (HAD_OLD "?" until known), synced. */
static int
journal_write(struct swap *s, const char *had_old, struct mgr_error *err)
{
	char *line = xasprintf("%s %s\n", s->token, had_old);
	size_t len = strlen(line);
	int ok = ftruncate(s->fd, 0) == 0 &&
	    pwrite(s->fd, line, len, 0) == (ssize_t)len && fsync(s->fd) == 0;

	free(line);
	if (!ok)
		return mgr_error_set(err, MGR_EIO, _("%s: cannot write: %s"),
		    s->journal, strerror(errno));
	return 0;
}

static int recover_one(struct mgr *mgr, const char *id, int wait_ms,
		       struct mgr_error *err);

int
swap_begin(struct mgr *mgr, const char *id, struct swap *s,
	   struct mgr_error *err)
{
	struct scratch tmp;
	int rc;

	if ((rc = mkdir_p(mgr->conf->plugins_directory, 0700, 0, err)) != 0)
		return rc;
	/* A crash may have left a swap of this plugin behind: settle it. */
	if ((rc = recover_one(mgr, id, SWAP_WAIT_MS, err)) != 0)
		return rc;
	swap_paths(mgr, id, s);
	snprintf(s->token, sizeof s->token, "swap:%lld.%ld",
	    (long long)mgr_now_us(), (long)getpid());
	/* The journal is written and locked under a scratch name, then
	 * linked into place: recovery never sees it empty or unlocked while
	 * this process lives, and link(2) fails if another swap has one. */
	if ((rc = scratch_file(mgr->conf->plugins_directory, ".staging", &tmp,
	    err)) != 0) {
		swap_free(s);
		return rc;
	}
	s->fd = tmp.fd;
	tmp.fd = -1;
	if ((rc = journal_write(s, "?", err)) == 0 &&
	    link(tmp.path, s->journal) != 0) {
		int e = errno;
		rc = mgr_error_set(err, e == EEXIST ? MGR_EBUSY : MGR_EIO,
		    _("%s: cannot start a swap of %s: %s"), s->journal, id,
		    strerror(e));
	}
	scratch_remove(&tmp);
	if (rc == 0 && mkdir(s->stage, 0700) != 0) {
		rc = mgr_error_set(err, MGR_EIO, "%s: %s", s->stage, strerror(errno));
		unlink(s->journal);
	}
	if (rc != 0) {
		swap_free(s);
		return rc;
	}
	return 0;
}

/* The rows, in one transaction with the event carrying the token. */
static int
swap_record(struct swap *s, const char *kind, const char *message,
	    swap_record_fn record, void *arg, struct mgr_error *err)
{
	struct mgr *mgr = s->mgr;
	int rc;

	if ((rc = db_begin(mgr->db, err)) != 0)
		return rc;
	if ((rc = record(mgr, arg, err)) == 0 &&
	    (rc = mgr_event(mgr, kind, s->id, err, "%s [%s]", message,
	    s->token)) == 0)
		rc = db_commit(mgr->db, err);
	if (rc != 0)
		db_rollback(mgr->db);
	return rc;
}

int
swap_commit(struct swap *s, const char *kind, const char *message,
	    swap_record_fn record, void *arg, struct mgr_error *err)
{
	char *files = xasprintf("%s/files", s->stage);
	int rc;

	s->had_old = exists(s->target);
	if ((rc = journal_write(s, s->had_old ? "1" : "0", err)) != 0)
		goto out;
	if (s->had_old && rename(s->target, s->old) != 0) {
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot move aside: %s"),
		    s->target, strerror(errno));
		goto out;
	}
	if (!s->remove && rename(files, s->target) != 0) {
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot move into place: %s"),
		    s->target, strerror(errno));
		if (s->had_old)
			rename(s->old, s->target);
		goto out;
	}
	if ((rc = swap_record(s, kind, message, record, arg, err)) != 0) {
		if (!s->remove)
			rename(s->target, files);
		if (s->had_old)
			rename(s->old, s->target);
		goto out;
	}
	rm_rf(s->old, NULL);
out:
	free(files);
	return rc;
}

void
swap_end(struct swap *s)
{
	rm_rf(s->stage, NULL);
	rm_rf(s->old, NULL);
	unlink(s->journal);
	swap_free(s);
}

/* Opens and locks the journal of s: 1 when it is ours now, 0 when there
 * is none, MGR_EBUSY when another process held it for wait_ms.  A
 * journal replaced while we waited (its swap ended, a new one began) is
 * opened again, so the lock is always on the file that has the name. */
static int
journal_lock(struct swap *s, int wait_ms, struct mgr_error *err)
{
	int64_t deadline = mgr_mono_us() + (int64_t)wait_ms * 1000;
	struct stat a, b;

	for (;;) {
		if ((s->fd = open(s->journal, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) < 0)
			return 0;
		if (flock(s->fd, LOCK_EX | LOCK_NB) == 0) {
			if (fstat(s->fd, &a) == 0 && stat(s->journal, &b) == 0 &&
			    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				return 1;
		} else if (mgr_mono_us() >= deadline)
			break;
		else {
			struct timespec ts = { 0, 10 * 1000000L };
			nanosleep(&ts, NULL);
		}
		close(s->fd);
		s->fd = -1;
	}
	close(s->fd);
	s->fd = -1;
	return mgr_error_set(err, MGR_EBUSY, _("%s: another restore or reload "
	    "of %s is in progress (waited %.1f s)"), s->journal, s->id,
	    wait_ms / 1000.0);
}

/* Settles the swap of plugin id a crash interrupted, unless another
 * process still holds its journal after wait_ms. */
static int
recover_one(struct mgr *mgr, const char *id, int wait_ms,
	    struct mgr_error *err)
{
	struct swap s;
	char buf[128] = "", tok[64] = "", had[4] = "?", *files;
	ssize_t n;
	int committed, rc;

	swap_paths(mgr, id, &s);
	if ((rc = journal_lock(&s, wait_ms, err)) <= 0) {
		/* No journal: nothing was moved; a stage is litter. */
		if (rc == 0)
			rm_rf(s.stage, NULL);
		swap_free(&s);
		return rc;
	}
	n = pread(s.fd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	sscanf(buf, "%63s %3s", tok, had);
	files = xasprintf("%s/files", s.stage);
	committed = tok[0] != '\0' && event_store_has_token(mgr->db, NULL, id, tok);
	if (committed)
		log_info(&mgr->log, _("%s: finishing an interrupted swap"), id);
	else if (strcmp(had, "1") == 0 && exists(s.old)) {
		rm_rf(s.target, NULL);
		rename(s.old, s.target);
	} else if (strcmp(had, "0") == 0 && exists(s.target) && !exists(files))
		rm_rf(s.target, NULL);
	if (!committed && strcmp(had, "?") != 0)
		log_warning(&mgr->log, _("%s: undid an interrupted swap"), id);
	free(files);
	swap_end(&s);
	return 0;
}

int
swap_recover_all(struct mgr *mgr, int wait_ms, struct mgr_error *err)
{
	DIR *d = opendir(mgr->conf->plugins_directory);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name, *dot;
		char *id;

		if (strncmp(name, ".swap-", 6) != 0 ||
		    (dot = strrchr(name, '.')) == name + 5 ||
		    (strcmp(dot, ".journal") != 0 && strcmp(dot, ".stage") != 0 &&
		    strcmp(dot, ".old") != 0))
			continue;
		id = xstrndup(name + 6, (size_t)(dot - name - 6));
		if (recover_one(mgr, id, wait_ms, err) != 0)
			rc = MGR_EBUSY;
		free(id);
	}
	closedir(d);
	return rc;
}

int
snapshot_recover(struct mgr *mgr, struct mgr_error *err)
{
	return swap_recover_all(mgr, SWAP_WAIT_MS, err);
}

/* ---- restore ---- */

struct restore {
	struct snapshot_rec snap;
	json_t *row;		/* meta/plugin.json */
	char *state;		/* meta/state.json */
	struct plugin_rec cur;	/* the installed row, if any */
	int installed;
	char *target;
};

static void
restore_clear(struct restore *r)
{
	snapshot_rec_clear(&r->snap);
	json_decref(r->row);
	free(r->state);
	plugin_rec_clear(&r->cur);
	free(r->target);
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
restore_record(struct mgr *mgr, void *arg, struct mgr_error *err)
{
	struct restore *r = arg;
	struct plugin_rec p = { 0 };
	int rc;

	p.id = (char *)r->snap.plugin_id;
	p.name = (char *)jstr(r->row, "name");
	p.version = (char *)jstr(r->row, "version");
	p.description = (char *)jstr(r->row, "description");
	p.author = (char *)jstr(r->row, "author");
	p.manifest = (char *)jstr(r->row, "manifest");
	p.dependencies = (char *)jstr(r->row, "dependencies");
	p.installed_at = json_integer_value(json_object_get(r->row,
	    "installed_at"));
	p.path = r->target;
	/* The plugin keeps its current on/off state; a re-created one starts
	 * disabled and is enabled afterwards through the normal road. */
	p.enabled = r->installed ? r->cur.enabled : 0;
	p.state = r->installed ? r->cur.state : (char *)"disabled";
	p.error = r->installed ? r->cur.error : NULL;
	rc = r->installed ? plugin_store_update(mgr->db, &p, err) :
	    plugin_store_create(mgr->db, &p, err);
	if (rc == 0)
		rc = plugin_state_replace(mgr->db, p.id, r->state, err);
	return rc;
}

static int
restore_verify(struct mgr *mgr, struct restore *r, struct mgr_error *err)
{
	char sum[65];
	int rc;

	if ((rc = sha256_file(r->snap.path, sum, err)) != 0)
		return rc;
	if (strcmp(sum, r->snap.sha256) != 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: checksum mismatch: "
		    "snapshot %lld was recorded with sha256 %s, the file has %s"),
		    r->snap.path, (long long)r->snap.id, r->snap.sha256, sum);
	(void)mgr;
	return 0;
}

/* Reads meta/ from the stage and validates stage/files. */
static int
restore_stage(struct mgr *mgr, struct swap *s, struct restore *r,
	      struct mgr_error *err)
{
	struct archive_limits lim = {
		(uint64_t)mgr->conf->archive_max_mb << 20,
		(uint64_t)mgr->conf->archive_max_entries,
		(uint64_t)mgr->conf->archive_max_ratio,
	};
	struct mgr_problems p = { 0 };
	struct manifest m;
	char *meta, *files = xasprintf("%s/files", s->stage);
	int rc;

	memset(&m, 0, sizeof m);
	if ((rc = archive_extract(r->snap.path, s->stage, &lim, err)) != 0)
		goto out;
	meta = xasprintf("%s/meta/plugin.json", s->stage);
	r->row = json_load_file(meta, 0, NULL);
	free(meta);
	meta = xasprintf("%s/meta/state.json", s->stage);
	rc = read_file(meta, &r->state, NULL, err);
	free(meta);
	if (rc != 0)
		goto out;
	if (!json_is_object(r->row) || jstr(r->row, "version") == NULL ||
	    jstr(r->row, "name") == NULL) {
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: meta/plugin.json is "
		    "missing or not a plugin row"), r->snap.path);
		goto out;
	}
	if ((rc = installer_validate(mgr, files, &p, &m, err)) == 0 &&
	    strcmp(m.id, r->snap.plugin_id) != 0)
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: holds plugin %s, not %s"),
		    r->snap.path, m.id, r->snap.plugin_id);
out:
	manifest_clear(&m);
	problems_free(&p);
	free(files);
	return rc;
}

/* After the swap: bring the live plugin in line with the row. */
static void
restore_activate(struct mgr *mgr, struct restore *r)
{
	struct mgr_error err = { 0 };
	int want = json_is_true(json_object_get(r->row, "enabled"));

	if (!r->installed && want) {
		if (mgr_plugin_enable(mgr, r->snap.plugin_id, &err) != 0)
			log_warning(&mgr->log, "%s", err.msg);
	} else if (r->installed && r->cur.enabled && mgr->plugins != NULL &&
	    plugins_live_reload(mgr, r->snap.plugin_id, &err) != 0)
		mgr_event(mgr, "plugin.reload_failed", r->snap.plugin_id, NULL,
		    _("after restoring snapshot %lld: %s"), (long long)r->snap.id,
		    err.msg);
	reloader_adopt(mgr, r->snap.plugin_id);
}

int
snapshot_restore(struct mgr *mgr, int64_t id, struct mgr_error *err)
{
	struct restore r = { 0 };
	struct swap s;
	char *msg;
	int rc;

	if ((rc = snapshot_store_read(mgr->db, id, &r.snap, err)) != 0)
		return rc;
	r.installed = plugin_store_read(mgr->db, r.snap.plugin_id, &r.cur,
	    NULL) == 0;
	r.target = xasprintf("%s/%s", mgr->conf->plugins_directory,
	    r.snap.plugin_id);
	if ((rc = restore_verify(mgr, &r, err)) != 0 ||
	    (rc = swap_begin(mgr, r.snap.plugin_id, &s, err)) != 0)
		goto out;
	if ((rc = restore_stage(mgr, &s, &r, err)) == 0) {
		msg = xasprintf(_("%s %s restored from snapshot %lld"),
		    r.snap.plugin_id, r.snap.version, (long long)id);
		rc = swap_commit(&s, "snapshot.restored", msg, restore_record, &r,
		    err);
		free(msg);
	}
	swap_end(&s);
	if (rc == 0)
		restore_activate(mgr, &r);
out:
	if (rc != 0)
		mgr_error_prefix(err, _("cannot restore snapshot %lld"),
		    (long long)id);
	restore_clear(&r);
	return rc;
}
