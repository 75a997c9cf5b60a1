/* sweep.c - clears what crashed installs, uninstalls, restores and
 * snapshots left behind (see sweep.h). */
#include "i18n.h"
#include "manager.h"
#include "manifest.h"
#include "scratch.h"
#include "snapshot.h"
#include "sweep.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The version in dir/plugin.conf, or NULL. */
static char *
folder_version(const char *dir)
{
	struct mgr_problems p = { 0 };
	struct manifest m;
	char *v = NULL;

	if (manifest_load(dir, &m, &p, NULL) == 0 && m.version != NULL)
		v = xstrdup(m.version);
	manifest_clear(&m);
	problems_free(&p);
	return v;
}

/* Before the folder swap, an upgrade moved the installed folder into
 * .staging-X/previous and an uninstall into .removing-X/old before they
 * committed; a kill there left the installed version only in there (a
 * data folder from an older manager).  Puts it back when the row names
 * its version and the plugin's folder is missing or holds another. */
static void
rescue_folder(const char *scratch, void *arg)
{
	static const char *const inside[] = { "previous", "old" };
	struct mgr *mgr = arg;

	for (size_t i = 0; i < sizeof inside / sizeof *inside; i++) {
		char *from = xasprintf("%s/%s", scratch, inside[i]), *cur = NULL;
		struct mgr_problems p = { 0 };
		struct plugin_rec rec = { 0 };
		struct manifest m;

		if (manifest_load(from, &m, &p, NULL) == 0 &&
		    plugin_store_read(mgr->db, m.id, &rec, NULL) == 0 &&
		    strcmp(m.version, rec.version) == 0 &&
		    ((cur = folder_version(rec.path)) == NULL ||
		    strcmp(cur, rec.version) != 0)) {
			rm_rf(rec.path, NULL);
			if (rename(from, rec.path) == 0)
				log_warning(&mgr->log, _("%s: put %s %s back from %s, "
				    "where an interrupted install or uninstall left "
				    "it"), rec.path, m.id, m.version, from);
		}
		free(cur);
		manifest_clear(&m);
		problems_free(&p);
		plugin_rec_clear(&rec);
		free(from);
	}
}

/* Whether row s has its file: 0 (*st filled), 1 (*why says it is
 * missing, malloc'd), or -1 when it cannot be examined now.  A file of
 * another size than recorded stays: `snapshot restore` refuses it with
 * its checksum, which tells more than a row gone without a word. */
static int
row_fault(const struct snapshot_rec *s, struct stat *st, char **why)
{
	*why = NULL;
	if (stat(s->path, st) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	*why = xasprintf(_("its file %s is missing"), s->path);
	return 1;
}

/* Removes row id, if it is still there and still at fault: inside the
 * write transaction a snapshot_delete elsewhere has either committed
 * (the row is gone) or not yet touched the file. */
static void
drop_row(struct mgr *mgr, int64_t id)
{
	struct snapshot_rec s;
	struct stat st;
	char *why = NULL;
	int rc;

	if (db_begin(mgr->db, NULL) != 0)
		return;
	rc = snapshot_store_read(mgr->db, id, &s, NULL);
	if (rc == 0 && row_fault(&s, &st, &why) == 1 &&
	    snapshot_store_delete(mgr->db, id, NULL) == 0 &&
	    mgr_event(mgr, "snapshot.lost", s.plugin_id, NULL, _("snapshot %lld "
	    "of %s %s: %s; its row is removed"), (long long)id, s.plugin_id,
	    s.version, why) == 0 && db_commit(mgr->db, NULL) == 0)
		log_warning(&mgr->log, _("snapshot %lld of %s %s: %s; its row is "
		    "removed"), (long long)id, s.plugin_id, s.version, why);
	else
		db_rollback(mgr->db);
	if (rc == 0)
		snapshot_rec_clear(&s);
	free(why);
}

struct file_id {
	dev_t dev;
	ino_t ino;
};

/* The files the rows name, by device and inode (whatever the spelling of
 * their paths): *n of them, or -1 if the rows cannot be read.  With
 * fix, faulty rows are dropped and files an older manager wrote 0644
 * become 0600. */
static struct file_id *
row_files(struct mgr *mgr, int fix, ssize_t *n)
{
	struct snapshot_rec *v;
	struct file_id *ids;
	size_t count;

	*n = -1;
	if (snapshot_store_list(mgr->db, NULL, &v, &count, NULL) != 0)
		return NULL;
	ids = xmalloc((count + 1) * sizeof *ids);
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		struct stat st;
		char *why;
		int fault = row_fault(&v[i], &st, &why);

		if (fault == 1 && fix)
			drop_row(mgr, v[i].id);
		else if (fault == 0 && fix && (st.st_mode & 077) != 0)
			chmod(v[i].path, 0600);	/* written by an older manager */
		if (fault == 0)
			ids[(*n)++] = (struct file_id){ st.st_dev, st.st_ino };
		free(why);
	}
	snapshot_recs_free(v, count);
	return ids;
}

/* Whether st is among the n files, or the rows cannot be read. */
static int
named(const struct file_id *ids, ssize_t n, const struct stat *st)
{
	if (n < 0)
		return 1;
	for (ssize_t i = 0; i < n; i++)
		if (ids[i].dev == st->st_dev && ids[i].ino == st->st_ino)
			return 1;
	return 0;
}

/* Whether a row names st now (read again, for a file we hold locked). */
static int
named_now(struct mgr *mgr, const struct stat *st)
{
	ssize_t n;
	struct file_id *ids = row_files(mgr, 0, &n);
	int yes = named(ids, n, st);

	free(ids);
	return yes;
}

/* A snapshot's name, or libzip's temporary file for one. */
static int
snapshot_like(const char *name)
{
	size_t len = strlen(name);
	const char *z = strstr(name, ".zip");

	return name[0] != '.' && z != NULL && (z + 4 == name + len ||
	    (z[4] == '.' && strlen(z + 5) == 6));
}

static void
sweep_snapshot_files(struct mgr *mgr)
{
	char *dir = xasprintf("%s/snapshots", mgr->conf->data_directory);
	struct file_id *ids;
	struct dirent *de;
	ssize_t n;
	DIR *d;

	scratch_sweep(dir, ".snapshot", NULL, NULL);
	ids = row_files(mgr, 1, &n);
	if (n >= 0 && (d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *path = xasprintf("%s/%s", dir, de->d_name);
			struct stat st;
			int fd;

			/* A file still locked is being recorded right now; once
			 * we hold its lock, its creator has committed or died. */
			if (snapshot_like(de->d_name) && lstat(path, &st) == 0 &&
			    S_ISREG(st.st_mode) && !named(ids, n, &st) &&
			    (fd = lock_try(path)) >= 0) {
				if (!named_now(mgr, &st) && unlink(path) == 0)
					log_info(&mgr->log, _("%s: removed, no snapshot "
					    "row names it"), path);
				close(fd);
			}
			free(path);
		}
		closedir(d);
	}
	free(ids);
	free(dir);
}

void
plugins_sweep(struct mgr *mgr)
{
	const char *plugins = mgr->conf->plugins_directory;

	swap_recover_all(mgr, 0, NULL);
	scratch_sweep(plugins, ".staging", rescue_folder, mgr);
	scratch_sweep(plugins, ".removing", rescue_folder, mgr);
	sweep_snapshot_files(mgr);
}
