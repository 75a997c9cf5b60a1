/* outdated.c - the installed plugins a configured repository has a newer
 * version of: the plugins pane's mark and what U upgrades to.
 *
 * It reads what is already on disk: a folder repository's index.conf, or
 * the cache of a remote one as the last `repo update` left it, checked
 * (signature, rollback, expiry) by package_repo_load as `plugin
 * outdated` does; it never downloads.  The indexes are read again only
 * when one of their files, a repository's keys or the installed plugins
 * changed: once a second a stat per file tells, and drawing only reads
 * the result. */
#include "i18n.h"
#include "ui.h"
#include "conf.h"
#include "manager.h"
#include "package_index.h"
#include "repository.h"
#include "util.h"
#include "version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The index file a repository entry is read from. */
static char *
index_path(const struct mgr_conf *conf, const char *entry)
{
	char *dir, *path;

	if (!repo_is_remote(entry))
		return xasprintf("%s/%s", entry, PACKAGE_INDEX_FILE);
	dir = repo_state_dir(conf, entry);
	path = xasprintf("%s/cache/%s", dir, PACKAGE_INDEX_FILE);
	free(dir);
	return path;
}

static void
stamp_file(struct strbuf *sb, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		strbuf_adds(sb, "-;");
	else
		strbuf_addf(sb, "%llu.%ld.%lld.%llu;", (unsigned long long)st.st_ino,
		    (long)st.st_mtim.tv_nsec, (long long)st.st_mtim.tv_sec,
		    (unsigned long long)st.st_size);
}

/* What the answer depends on: each repository's index, its signature and
 * its keys folder (stat only), and every installed plugin's version. */
static char *
outdated_stamp(const struct ui *ui)
{
	const struct mgr_conf *conf = ui->mgr->conf;
	struct strbuf sb = STRBUF_INIT;

	for (size_t r = 0; conf->repositories != NULL &&
	    conf->repositories[r] != NULL; r++) {
		char *ix = index_path(conf, conf->repositories[r]);
		char *sig = xasprintf("%s%s", ix, SIG_FILE_SUFFIX);
		char *dir = repo_state_dir(conf, conf->repositories[r]);
		char *keys = xasprintf("%s/keys", dir);

		strbuf_addf(&sb, "%s|", conf->repositories[r]);
		stamp_file(&sb, ix);
		stamp_file(&sb, sig);
		stamp_file(&sb, keys);
		free(ix);
		free(sig);
		free(dir);
		free(keys);
	}
	for (size_t i = 0; i < ui->model.nplugins; i++)
		strbuf_addf(&sb, "%s@%s|", ui->model.plugins[i].id,
		    ui->model.plugins[i].version != NULL ?
		    ui->model.plugins[i].version : "");
	return strbuf_detach(&sb);
}

/* One repository's index as loaded: its entries, or why it was not. */
struct loaded {
	struct pkg_entry *list;
	size_t n;
	struct mgr_error err;
	int failed;
};

/* As package_find with any version: the newest entry for id in the
 * first repository that lists it; a repository that cannot be read
 * ends the search there (the CLI's `plugin outdated` does the same). */
static const struct pkg_entry *
newest(const struct loaded *repos, size_t nrepos, const char *id,
       const struct mgr_error **why)
{
	const struct pkg_entry *best = NULL;
	struct semver bv = { 0 }, v;

	*why = NULL;
	for (size_t r = 0; r < nrepos && best == NULL; r++) {
		if (repos[r].failed) {
			*why = &repos[r].err;
			return NULL;
		}
		for (size_t i = 0; i < repos[r].n; i++) {
			const struct pkg_entry *e = &repos[r].list[i];

			if (strcmp(e->id, id) != 0 ||
			    version_parse(e->version, 0, &v, NULL) != 0 ||
			    (best != NULL && version_cmp(&v, &bv) <= 0))
				continue;
			best = e;
			bv = v;
		}
	}
	return best;
}

static void
newer_free(struct ui_outdated *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].id);
		free(o->v[i].have);
		free(o->v[i].want);
		free(o->v[i].repo);
	}
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

/* Fills o->v from the loaded indexes; the first refusal that hides an
 * installed plugin's newest version is kept to say once. */
static void
outdated_compute(struct ui *ui, const struct loaded *repos, size_t nrepos,
		 char **refused)
{
	struct ui_outdated *o = &ui->outdated;

	newer_free(o);
	for (size_t i = 0; i < ui->model.nplugins; i++) {
		const struct plugin_rec *p = &ui->model.plugins[i];
		const struct mgr_error *why;
		const struct pkg_entry *e = newest(repos, nrepos, p->id, &why);

		if (why != NULL && why->code != MGR_ENOENT && *refused == NULL)
			*refused = xstrdup(why->msg);
		if (e == NULL || p->version == NULL ||
		    version_cmp_text(e->version, p->version) <= 0)
			continue;
		o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
		o->v[o->n].id = xstrdup(p->id);
		o->v[o->n].have = xstrdup(p->version);
		o->v[o->n].want = xstrdup(e->version);
		o->v[o->n].repo = xstrdup(e->repo);
		o->n++;
	}
}

/* Reads the indexes and works out the answer again. */
static void
outdated_load(struct ui *ui)
{
	char *const *r = ui->mgr->conf->repositories;
	struct ui_outdated *o = &ui->outdated;
	struct loaded *repos;
	size_t nrepos = r != NULL ? strv_len(r) : 0;
	char *refused = NULL;

	repos = xcalloc(nrepos + 1, sizeof *repos);
	for (size_t i = 0; i < nrepos; i++)
		repos[i].failed = package_repo_load(ui->mgr->conf, r[i],
		    &repos[i].list, &repos[i].n, &repos[i].err) != 0;
	outdated_compute(ui, repos, nrepos, &refused);
	for (size_t i = 0; i < nrepos; i++)
		if (!repos[i].failed)
			pkg_entries_free(repos[i].list, repos[i].n);
	free(repos);
	/* A refusal is said once, not every time the plugins change. */
	if (refused != NULL && (o->refused == NULL ||
	    strcmp(refused, o->refused) != 0))
		ui_status(ui, 1, _("plugin upgrades unknown: %s"), refused);
	free(o->refused);
	o->refused = refused;
}

void
outdated_refresh(struct ui *ui)
{
	struct ui_outdated *o = &ui->outdated;
	char *stamp = outdated_stamp(ui);

	if (o->stamp != NULL && strcmp(stamp, o->stamp) == 0) {
		free(stamp);
		return;
	}
	free(o->stamp);
	o->stamp = stamp;
	outdated_load(ui);
	pane_rebuild(ui, &ui->panes[PANE_PLUGINS]);
	if (UI_VIEW_OPEN(ui) && ui->view.kind == VIEW_PLUGIN)
		details_rebuild(ui);
	ui->dirty = 1;
}

const struct ui_newer *
outdated_get(const struct ui *ui, const char *id)
{
	for (size_t i = 0; i < ui->outdated.n; i++)
		if (strcmp(ui->outdated.v[i].id, id) == 0)
			return &ui->outdated.v[i];
	return NULL;
}

void
outdated_free(struct ui_outdated *o)
{
	newer_free(o);
	free(o->stamp);
	free(o->refused);
	memset(o, 0, sizeof *o);
}
