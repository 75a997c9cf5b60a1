/* installer.c - staging, validation, atomic rename, one transaction. */
#include "i18n.h"
#include "archive.h"
#include "installer.h"
#include "repository.h"
#include "snapshot.h"
#include "manager.h"
#include "package_index.h"
#include "scratch.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTALL_MAX_DEPTH 16

void
install_result_clear(struct install_result *r)
{
	free(r->id);
	free(r->version);
	free(r->old_version);
	strv_free(r->deps_installed);
	if (r->manifest != NULL)
		manifest_clear(r->manifest);
	free(r->manifest);
	memset(r, 0, sizeof *r);
}

/* The manager binary runs the probe: this process, unless MANAGER_EXE
 * names it (for programs linking the engine that are not `manager`, such
 * as the unit tests). */
void
installer_probe_opts(struct mgr *mgr, struct probe_opts *o, char exe[PATH_MAX])
{
	const char *env = getenv("MANAGER_EXE");
	ssize_t n;

	memset(o, 0, sizeof *o);
	if (env != NULL && env[0] == '/' && strlen(env) < PATH_MAX)
		n = (ssize_t)strlen(strcpy(exe, env));
	else
		n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	exe[n > 0 ? n : 0] = '\0';
	o->exe = n > 0 ? exe : NULL;
	o->config = mgr->conf->file;
	o->db = mgr->conf->database;
	o->mgr = mgr->conf->sandboxing && mgr->db != NULL ? mgr : NULL;
	o->timeout_ms = PROBE_TIMEOUT_MS;
}

static void
installer_limits(struct mgr *mgr, struct archive_limits *lim)
{
	lim->max_bytes = (uint64_t)mgr->conf->archive_max_mb << 20;
	lim->max_entries = (uint64_t)mgr->conf->archive_max_entries;
	lim->max_ratio = (uint64_t)mgr->conf->archive_max_ratio;
}

/* A staging folder inside plugins_directory: same file system as the
 * final place, so renames are atomic.  A scratch folder (.staging-PID-*):
 * if this process dies, the next start removes it. */
static int
staging_create(struct mgr *mgr, struct scratch *out, struct mgr_error *err)
{
	const char *dir = mgr->conf->plugins_directory;
	int rc;

	if ((rc = mkdir_p(dir, 0700, 0, err)) != 0 ||
	    (rc = scratch_dir(dir, ".staging", out, err)) != 0)
		return mgr_error_prefix(err, _("cannot create a staging folder"));
	return 0;
}

/* The plugin root in what was unpacked: the folder itself, or its only
 * subfolder when the archive wraps the plugin in a folder. */
int
installer_find_root(const char *unpacked, char **root, struct mgr_error *err)
{
	char *conf = xasprintf("%s/%s", unpacked, MANIFEST_FILE);
	DIR *d;
	struct dirent *de;
	char *only = NULL;
	int count = 0;

	if (access(conf, F_OK) == 0) {
		free(conf);
		*root = xstrdup(unpacked);
		return 0;
	}
	free(conf);
	if ((d = opendir(unpacked)) == NULL)
		return mgr_error_set(err, MGR_EIO, "%s: %s", unpacked, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)) {
			count++;
			free(only);
			only = xasprintf("%s/%s", unpacked, de->d_name);
		}
	closedir(d);
	if (count == 1) {
		conf = xasprintf("%s/%s", only, MANIFEST_FILE);
		if (access(conf, F_OK) == 0) {
			free(conf);
			*root = only;
			return 0;
		}
		free(conf);
	}
	free(only);
	return mgr_error_set(err, MGR_EINVAL, _("no %s found (the plugin folder, "
	    "or the archive's top level or only folder, must hold it)"),
	    MANIFEST_FILE);
}

struct install_job {
	struct mgr *mgr;
	int flags;
	const char *source;		/* for messages */
	const char *shown;		/* what stands for staging's root */
	const char *expect_id;		/* from a package index, or NULL */
	const char *expect_version;
	struct install_result *res;
	int depth;
	char *const *pin;		/* "from REPO": the top package's only
					 * repository, or NULL */
	int fetch;			/* download remote archives (a client) */
};

/* Where spec is looked for: the pinned repository for the package asked
 * for, all of them in order for dependencies. */
static char *const *
job_repos(const struct install_job *j, int depth)
{
	return depth == 0 && j->pin != NULL ? j->pin :
	    j->mgr->conf->repositories;
}

static int
check_expected(struct install_job *j, const struct manifest *m,
	       struct mgr_error *err)
{
	if (j->expect_id == NULL)
		return 0;
	if (strcmp(j->expect_id, m->id) != 0 ||
	    strcmp(j->expect_version, m->version) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s: the package index "
		    "lists %s %s but the archive holds %s %s"), j->source,
		    j->expect_id, j->expect_version, m->id, m->version);
	return 0;
}

/* Same version or older needs --force. */
static int
check_version_change(struct install_job *j, const struct plugin_rec *old,
		     const struct manifest *m, struct mgr_error *err)
{
	int cmp = version_cmp_text(m->version, old->version);

	if (cmp > 0 || (j->flags & INSTALL_FORCE))
		return 0;
	if (cmp == 0)
		return mgr_error_set(err, MGR_EEXIST, _("plugin %s %s is already "
		    "installed (use --force to reinstall)"), m->id, old->version);
	return mgr_error_set(err, MGR_EEXIST, _("plugin %s: installed version "
	    "%s is newer than %s (use --force to downgrade)"), m->id,
	    old->version, m->version);
}

/* An upgrade that asks for more than the installed version was granted
 * is refused unless accepted (as a phone asks again). */
static int
check_permissions(struct install_job *j, const struct plugin_rec *old,
		  const struct manifest *m, struct mgr_error *err)
{
	struct manifest_perms cur;
	char *added;
	int rc = 0;

	if (j->flags & INSTALL_ACCEPT_PERMISSIONS)
		return 0;
	manifest_perms_from_json(old->manifest, &cur);
	if ((added = manifest_perms_added(&cur, &m->perms)) != NULL)
		rc = mgr_error_set(err, MGR_EUNSAFE, _("plugin %s %s asks for "
		    "permissions that %s was not given:\n%s(install with "
		    "--accept-permissions to grant them)"), m->id, m->version,
		    old->version, added);
	free(added);
	manifest_perms_clear(&cur);
	return rc;
}

static void
rec_from_manifest(struct plugin_rec *p, const struct manifest *m,
		  const struct plugin_rec *old, const char *path)
{
	memset(p, 0, sizeof *p);
	p->id = m->id;
	p->name = m->name;
	p->version = m->version;
	p->description = m->description;
	p->author = m->author;
	p->path = (char *)path;
	p->manifest = m->json;
	p->dependencies = m->deps_json;
	p->enabled = old != NULL ? old->enabled : 0;
	p->state = old != NULL ? old->state : "disabled";
	p->error = old != NULL ? old->error : NULL;
	p->installed_at = old != NULL ? old->installed_at : mgr_now_us();
}

struct install_rows {
	const struct manifest *m;
	const struct plugin_rec *old;
	const char *final;
};

static int
record_install(struct mgr *mgr, void *arg, struct mgr_error *err)
{
	struct install_rows *r = arg;
	struct plugin_rec p;

	rec_from_manifest(&p, r->m, r->old, r->final);
	return r->old != NULL ? plugin_store_update(mgr->db, &p, err) :
	    plugin_store_create(mgr->db, &p, err);
}

/* Swaps root in place of plugins_directory/ID and records it, through
 * the folder swap (snapshot.h): a kill at any point leaves the old
 * version or the new one, files and row alike, once recovery has run. */
static int
commit_install(struct install_job *j, const char *root,
	       const struct manifest *m, const struct plugin_rec *old,
	       struct mgr_error *err)
{
	struct install_rows rows = { m, old, NULL };
	struct swap s;
	char *files, *msg;
	int rc;

	if ((rc = swap_begin(j->mgr, m->id, &s, err)) != 0)
		return rc;
	rows.final = s.target;
	files = xasprintf("%s/files", s.stage);
	msg = old != NULL ? xasprintf(_("%s %s replaced %s"), m->id, m->version,
	    old->version) : xasprintf(_("%s %s installed in %s"), m->id,
	    m->version, s.target);
	if (rename(root, files) != 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot move into %s: %s"),
		    root, s.stage, strerror(errno));
	else
		rc = swap_commit(&s, old != NULL ? "plugin.upgraded" :
		    "plugin.installed", msg, record_install, &rows, err);
	swap_end(&s);
	free(files);
	free(msg);
	return rc;
}

static int
installed_list(struct mgr *mgr, struct plugin_rec **v, size_t *n,
	       struct mgr_error *err)
{
	return plugin_store_list(mgr->db, v, n, err);
}

/* Validates staging's plugin and commits it. */
static int
install_staged(struct install_job *j, const char *unpacked,
	       struct mgr_error *err)
{
	struct mgr_problems p = { 0 };
	struct plugin_rec *all = NULL, *old = NULL;
	struct probe_opts o;
	struct manifest m;
	char exe[PATH_MAX], *root = NULL;
	size_t n = 0;
	int rc;

	memset(&m, 0, sizeof m);
	installer_probe_opts(j->mgr, &o, exe);
	if ((rc = installer_find_root(unpacked, &root, err)) != 0 ||
	    (rc = installed_list(j->mgr, &all, &n, err)) != 0)
		goto out;
	if ((rc = validate_plugin_dir(root, &o, all, n, &m, &p, err)) != 0) {
		problems_rebase(&p, root, j->shown);
		problems_to_error(&p, err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(all[i].id, m.id) == 0)
			old = &all[i];
	if ((rc = check_expected(j, &m, err)) != 0 ||
	    (old != NULL && (rc = check_version_change(j, old, &m, err)) != 0) ||
	    (old != NULL && (rc = check_permissions(j, old, &m, err)) != 0))
		goto out;
	/* An enabled plugin stays enabled across an upgrade: its new
	 * on_enable must pass first. */
	if (old != NULL && old->enabled && o.exe != NULL &&
	    (rc = probe_plugin(&o, root, 1, err)) != 0) {
		problems_add(&p, "%s", err->msg);
		problems_rebase(&p, root, j->shown);
		problems_to_error(&p, err);
		goto out;
	}
	/* An upgrade can be undone: snapshot the installed version first. */
	if (old != NULL && (rc = snapshot_create(j->mgr, old->id, "upgrade",
	    NULL, err)) != 0)
		goto out;
	if ((rc = commit_install(j, root, &m, old, err)) != 0)
		goto out;
	j->res->id = xstrdup(m.id);
	j->res->version = xstrdup(m.version);
	j->res->old_version = old != NULL ? xstrdup(old->version) : NULL;
	j->res->manifest = xmalloc(sizeof m);
	*j->res->manifest = m;	/* moved: cleared below as an empty one */
	memset(&m, 0, sizeof m);
out:
	if (rc != 0)
		mgr_error_prefix(err, _("cannot install %s"), j->source);
	free(root);
	manifest_clear(&m);
	problems_free(&p);
	plugin_recs_free(all, n);
	return rc;
}

/* Stages source (a folder or a zip), installs, removes staging. */
static int
install_path(struct install_job *j, const char *path, int is_zip,
	     struct mgr_error *err)
{
	struct archive_limits lim;
	struct scratch staging;
	char *unpacked, *shown;
	int rc;

	if ((rc = staging_create(j->mgr, &staging, err)) != 0)
		return rc;
	unpacked = xasprintf("%s/new", staging.path);
	shown = is_zip ? xasprintf("%s!", path) : xstrdup(path);
	j->shown = shown;
	if (is_zip) {
		installer_limits(j->mgr, &lim);
		if (mkdir(unpacked, 0700) != 0)
			rc = mgr_error_set(err, MGR_EIO, "%s: %s", unpacked,
			    strerror(errno));
		else
			rc = archive_extract(path, unpacked, &lim, err);
	} else
		rc = tree_copy(path, unpacked, err);
	if (rc != 0)
		mgr_error_prefix(err, _("cannot install %s"), j->source);
	else
		rc = install_staged(j, unpacked, err);
	scratch_remove(&staging);
	free(shown);
	free(unpacked);
	return rc;
}

static int install_package(struct install_job *j, const struct dep_spec *spec,
			   struct mgr_error *err);
static int verify_checksum(const struct pkg_entry *e, struct mgr_error *err);

/* Whether an installed plugin already satisfies a dependency. */
static int
dep_satisfied(struct mgr *mgr, const struct dep_spec *d)
{
	struct plugin_rec rec = { 0 };
	struct semver v;
	int ok = plugin_store_read(mgr->db, d->id, &rec, NULL) == 0 &&
	    version_parse(rec.version, 1, &v, NULL) == 0 &&
	    constraint_match(&d->c, &v);

	plugin_rec_clear(&rec);
	return ok;
}

/* Dependencies that are missing or too old come first. */
static int
install_package_deps(struct install_job *j, const struct pkg_entry *e,
		     struct mgr_error *err)
{
	for (size_t i = 0; i < e->ndeps; i++) {
		if (!dep_satisfied(j->mgr, &e->deps[i])) {
			struct install_result sub = { 0 };
			struct install_job dj = *j;
			int rc;

			dj.res = &sub;
			dj.flags &= ~INSTALL_FORCE;
			dj.depth++;
			if ((rc = install_package(&dj, &e->deps[i], err)) != 0) {
				install_result_clear(&sub);
				return mgr_error_prefix(err, _("dependency of %s %s"),
				    e->id, e->version);
			}
			j->res->deps_installed = strv_push(j->res->deps_installed,
			    sub.id);
			for (size_t k = 0; sub.deps_installed != NULL &&
			    sub.deps_installed[k] != NULL; k++)
				j->res->deps_installed = strv_push(
				    j->res->deps_installed, sub.deps_installed[k]);
			install_result_clear(&sub);
		}
	}
	return 0;
}

static int
verify_checksum(const struct pkg_entry *e, struct mgr_error *err)
{
	char sum[65];
	int rc;

	if ((rc = sha256_file(e->archive, sum, err)) != 0)
		return mgr_error_prefix(err, "%s:%d", e->index_file, e->line);
	if (strcmp(sum, e->sha256) != 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: checksum mismatch: "
		    "%s:%d says sha256 %s, the file has %s"), e->archive,
		    e->index_file, e->line, e->sha256, sum);
	return 0;
}

/* Before anything is installed, every archive the install would take
 * from the repositories is found and its checksum verified, so that a bad
 * package deep in the tree leaves no dependency installed behind it. */
static int
verify_package_tree(struct install_job *j, const struct dep_spec *spec,
		    int depth, struct mgr_error *err)
{
	struct pkg_entry e;
	int rc;

	if (depth > INSTALL_MAX_DEPTH)
		return mgr_error_set(err, MGR_EINVAL, _("%s: dependencies nest "
		    "deeper than %d levels (a cycle in the repository?)"),
		    spec->id, INSTALL_MAX_DEPTH);
	if ((rc = package_find(j->mgr->conf, job_repos(j, depth), spec->id,
	    &spec->c, &e, err)) != 0)
		return rc;
	if ((rc = repo_archive_ensure(j->mgr->conf, &e, j->fetch, err)) == 0)
		rc = verify_checksum(&e, err);
	for (size_t i = 0; rc == 0 && i < e.ndeps; i++) {
		if (dep_satisfied(j->mgr, &e.deps[i]))
			continue;
		if ((rc = verify_package_tree(j, &e.deps[i], depth + 1, err)) != 0)
			mgr_error_prefix(err, _("dependency of %s %s"), e.id, e.version);
	}
	pkg_entry_clear(&e);
	return rc;
}

static int
install_package(struct install_job *j, const struct dep_spec *spec,
		struct mgr_error *err)
{
	struct pkg_entry e;
	struct install_job pj = *j;
	int rc;

	if (j->depth > INSTALL_MAX_DEPTH)
		return mgr_error_set(err, MGR_EINVAL, _("%s: dependencies nest "
		    "deeper than %d levels (a cycle in the repository?)"),
		    spec->id, INSTALL_MAX_DEPTH);
	if ((rc = package_find(j->mgr->conf, job_repos(j, j->depth), spec->id,
	    &spec->c, &e, err)) != 0)
		return rc;
	if ((rc = install_package_deps(j, &e, err)) == 0 &&
	    (rc = repo_archive_ensure(j->mgr->conf, &e, 0, err)) == 0 &&
	    (rc = verify_checksum(&e, err)) == 0) {
		pj.expect_id = e.id;
		pj.expect_version = e.version;
		pj.source = e.archive;
		rc = install_path(&pj, e.archive, 1, err);
	}
	pkg_entry_clear(&e);
	return rc;
}

/* The package a source names, or 1 when source is a folder or a file. */
static int
install_spec(const char *source, const char *repo, struct dep_spec *spec,
	     struct mgr_error *err)
{
	struct mgr_error perr = { 0 };
	struct stat st;

	if (repo == NULL && stat(source, &st) == 0 &&
	    (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
		return 1;
	if (strchr(source, '/') != NULL || dep_parse(source, spec, &perr) != 0)
		return mgr_error_set(err, MGR_ENOENT, repo != NULL ?
		    _("%s: not a package name (NAME or NAME@CONSTRAINT)") :
		    _("%s: no such folder or zip file, and not a package name "
		    "(NAME or NAME@CONSTRAINT)"), source);
	return 0;
}

static int
install_pin(struct mgr *mgr, const char *repo, char *pin[2],
	    struct mgr_error *err)
{
	pin[0] = repo != NULL ? (char *)repo_configured(mgr->conf, repo) : NULL;
	pin[1] = NULL;
	if (repo != NULL && pin[0] == NULL)
		return mgr_error_set(err, MGR_ENOENT, _("%s: not one of the "
		    "configured repositories (setting \"repositories\"; write "
		    "the entry exactly as there)"), repo);
	return 0;
}

int
installer_install_from(struct mgr *mgr, const char *source, const char *repo,
		       int flags, struct install_result *res,
		       struct mgr_error *err)
{
	struct install_job j = { .mgr = mgr, .flags = flags, .source = source,
	    .res = res };
	struct dep_spec spec;
	char *pin[2];
	struct stat st;
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = install_pin(mgr, repo, pin, err)) != 0 ||
	    (rc = install_spec(source, repo, &spec, err)) < 0)
		return rc;
	if (rc == 1)
		return install_path(&j, source, !(stat(source, &st) == 0 &&
		    S_ISDIR(st.st_mode)), err);
	j.pin = repo != NULL ? pin : NULL;
	if (verify_package_tree(&j, &spec, 0, err) != 0)
		return err->code;
	return install_package(&j, &spec, err);
}

int
installer_install(struct mgr *mgr, const char *source, int flags,
		  struct install_result *res, struct mgr_error *err)
{
	return installer_install_from(mgr, source, NULL, flags, res, err);
}

int
installer_prefetch(struct mgr *mgr, const char *source, const char *repo,
		   struct mgr_error *err)
{
	struct install_result res = { 0 };
	struct install_job j = { .mgr = mgr, .source = source, .res = &res,
	    .fetch = 1 };
	struct dep_spec spec;
	char *pin[2];
	int rc;

	if ((rc = install_pin(mgr, repo, pin, err)) != 0 ||
	    (rc = install_spec(source, repo, &spec, err)) != 0)
		return rc < 0 ? rc : 0;
	j.pin = repo != NULL ? pin : NULL;
	return verify_package_tree(&j, &spec, 0, err);
}

int
installer_validate(struct mgr *mgr, const char *path, struct mgr_problems *p,
		   struct manifest *m, struct mgr_error *err)
{
	struct plugin_rec *all = NULL;
	struct archive_limits lim;
	struct probe_opts o;
	struct scratch staging = { NULL, -1 };
	char exe[PATH_MAX], *unpacked = NULL, *root = NULL;
	size_t n = 0;
	struct stat st;
	int rc;

	memset(m, 0, sizeof *m);
	installer_probe_opts(mgr, &o, exe);
	if (stat(path, &st) != 0)
		return mgr_error_set(err, MGR_ENOENT, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		root = xstrdup(path);
	else {
		installer_limits(mgr, &lim);
		if ((rc = staging_create(mgr, &staging, err)) != 0)
			return rc;
		unpacked = xasprintf("%s/new", staging.path);
		if (mkdir(unpacked, 0700) != 0)
			rc = mgr_error_set(err, MGR_EIO, "%s: %s", unpacked,
			    strerror(errno));
		else
			rc = archive_extract(path, unpacked, &lim, err);
		if (rc != 0 ||
		    (rc = installer_find_root(unpacked, &root, err)) != 0) {
			problems_add(p, "%s", err->msg);
			goto out;
		}
	}
	if (mgr->db != NULL)
		installed_list(mgr, &all, &n, NULL);
	rc = validate_plugin_dir(root, &o, all, n, m, p, err);
	if (staging.path != NULL) {
		char *shown = xasprintf("%s!", path);
		problems_rebase(p, root, shown);
		free(shown);
	}
out:
	scratch_remove(&staging);
	plugin_recs_free(all, n);
	free(unpacked);
	free(root);
	return p->n > 0 ? problems_to_error(p, err) : rc;
}
