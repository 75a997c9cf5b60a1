/* package_index.c - reading package repositories. */
#include "i18n.h"
#include "package_index.h"
#include "repository.h"
#include "util.h"

#include <ctype.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

void
pkg_entry_clear(struct pkg_entry *e)
{
	free(e->id);
	free(e->version);
	free(e->archive);
	free(e->url);
	free(e->repo);
	free(e->sha256);
	free(e->name);
	free(e->description);
	free(e->deps);
	free(e->index_file);
	memset(e, 0, sizeof *e);
}

void
pkg_entries_free(struct pkg_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pkg_entry_clear(&v[i]);
	free(v);
}

static int
pkg_string(config_setting_t *g, const char *key, const char *file,
	   char **out, struct mgr_error *err)
{
	const char *s;

	if (!config_setting_lookup_string(g, key, &s))
		return mgr_error_set(err, MGR_EINVAL, _("%s:%d: package needs a "
		    "string field \"%s\""), file, config_setting_source_line(g), key);
	*out = xstrdup(s);
	return 0;
}

static int
pkg_sha_valid(const char *s)
{
	if (strlen(s) != 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int
pkg_deps(config_setting_t *g, const char *file, struct pkg_entry *e,
	 struct mgr_error *err)
{
	config_setting_t *d = config_setting_get_member(g, "dependencies");
	int n = d != NULL ? config_setting_length(d) : 0;

	e->deps = xcalloc((size_t)n + 1, sizeof *e->deps);
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(d, (unsigned)i);
		const char *text = config_setting_get_string(s);
		if (text == NULL)
			return mgr_error_set(err, MGR_EINVAL, _("%s:%d: package "
			    "%s: a dependency must be a string"), file,
			    config_setting_source_line(s), e->id);
		if (dep_parse(text, &e->deps[e->ndeps++], err) != 0)
			return mgr_error_prefix(err, _("%s:%d: package %s: "
			    "bad dependency"), file,
			    config_setting_source_line(s), e->id);
	}
	return 0;
}

struct pkg_where {
	const char *file, *base, *url, *repo;
};

static int
pkg_entry_load(config_setting_t *g, const struct pkg_where *w,
	       struct pkg_entry *e, struct mgr_error *err)
{
	const char *file = w->file, *opt;
	struct semver v;
	char *archive = NULL;
	int rc;

	e->index_file = xstrdup(file);
	e->line = config_setting_source_line(g);
	if ((rc = pkg_string(g, "id", file, &e->id, err)) != 0 ||
	    (rc = pkg_string(g, "version", file, &e->version, err)) != 0 ||
	    (rc = pkg_string(g, "archive", file, &archive, err)) != 0)
		return rc;
	if ((rc = pkg_string(g, "sha256", file, &e->sha256, err)) != 0) {
		free(archive);
		return rc;
	}
	e->archive = path_resolve(w->base, archive);
	if (w->url != NULL)
		e->url = xasprintf("%s/%s", w->url, archive);
	e->repo = w->repo != NULL ? xstrdup(w->repo) : NULL;
	/* Archive names are plain relative paths: no "..", no "%" escapes
	 * or "?" that a server could read differently from the cache. */
	rc = strstr(archive, "..") != NULL || archive[0] == '/' ||
	    strpbrk(archive, "%?#\\") != NULL;
	free(archive);
	if (rc)
		return mgr_error_set(err, MGR_EINVAL, _("%s:%d: field \"archive\" "
		    "must be a file inside the repository"), file, e->line);
	if (!plugin_id_valid(e->id))
		return mgr_error_set(err, MGR_EINVAL, _("%s:%d: \"%s\" is not a "
		    "valid plugin id"), file, e->line, e->id);
	if (version_parse(e->version, 0, &v, err) != 0)
		return mgr_error_prefix(err, "%s:%d", file, e->line);
	if (!pkg_sha_valid(e->sha256))
		return mgr_error_set(err, MGR_EINVAL, _("%s:%d: field \"sha256\" "
		    "must be 64 hex digits"), file, e->line);
	if (config_setting_lookup_string(g, "name", &opt))
		e->name = xstrdup(opt);
	if (config_setting_lookup_string(g, "description", &opt))
		e->description = xstrdup(opt);
	for (char *c = e->sha256; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return pkg_deps(g, file, e, err);
}

int
package_index_parse(const char *text, const char *file, const char *base,
		    const char *url, const char *repo,
		    struct pkg_entry **out, size_t *n, struct mgr_error *err)
{
	struct pkg_where w = { file, base, url, repo };
	config_setting_t *list;
	config_t cfg;
	int rc = 0, count;

	*out = NULL;
	*n = 0;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		rc = mgr_error_set(err, MGR_EINVAL, "%s:%d: %s", file,
		    config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	list = config_lookup(&cfg, "packages");
	if (list == NULL || !config_setting_is_aggregate(list)) {
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: needs a list "
		    "\"packages = ( { id = ...; version = ...; archive = ...; "
		    "sha256 = ...; } );\""), file);
		goto out;
	}
	count = config_setting_length(list);
	*out = xcalloc((size_t)count + 1, sizeof **out);
	for (int i = 0; i < count && rc == 0; i++, (*n)++)
		rc = pkg_entry_load(config_setting_get_elem(list, (unsigned)i),
		    &w, &(*out)[i], err);
	if (rc != 0) {
		pkg_entries_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
out:
	config_destroy(&cfg);
	return rc;
}

int
package_index_load(const char *folder, struct pkg_entry **out, size_t *n,
		   struct mgr_error *err)
{
	char *file = xasprintf("%s/%s", folder, PACKAGE_INDEX_FILE), *text;
	int rc;

	*out = NULL;
	*n = 0;
	if (read_file(file, &text, NULL, NULL) != 0)
		rc = mgr_error_set(err, MGR_ENOENT, _("%s: cannot read the "
		    "package index"), file);
	else {
		rc = package_index_parse(text, file, folder, NULL, folder, out,
		    n, err);
		free(text);
	}
	free(file);
	return rc;
}

int
package_repo_load(const struct mgr_conf *conf, const char *repo,
		  struct pkg_entry **out, size_t *n, struct mgr_error *err)
{
	struct repo_index ix;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = repo_index_read(conf, repo, &ix, err)) != 0)
		return rc;
	rc = package_index_parse(ix.text, ix.url != NULL ? ix.url : ix.file,
	    ix.base, ix.url, repo, out, n, err);
	repo_index_clear(&ix);
	return rc;
}

static void
pkg_take(struct pkg_entry *dst, struct pkg_entry *src)
{
	pkg_entry_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof *src);
}

int
package_find(const struct mgr_conf *conf, char *const *repos, const char *id,
	     const struct vconstraint *c, struct pkg_entry *out,
	     struct mgr_error *err)
{
	struct semver best = { 0 }, v;
	char want[96];
	int found = 0, rc;

	memset(out, 0, sizeof *out);
	for (size_t r = 0; !found && repos != NULL && repos[r] != NULL; r++) {
		struct pkg_entry *list;
		size_t n;

		if ((rc = package_repo_load(conf, repos[r], &list, &n, err)) != 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(list[i].id, id) != 0 ||
			    version_parse(list[i].version, 0, &v, NULL) != 0 ||
			    !constraint_match(c, &v) ||
			    (found && version_cmp(&v, &best) <= 0))
				continue;
			best = v;
			found = 1;
			pkg_take(out, &list[i]);
		}
		pkg_entries_free(list, n);
	}
	if (found)
		return 0;
	if (repos == NULL || repos[0] == NULL)
		return mgr_error_set(err, MGR_ENOENT, _("\"%s\" is not a folder or "
		    "a zip file, and no package repositories are configured "
		    "(setting \"repositories\")"), id);
	constraint_format(c, want, sizeof want);
	if (repos[1] == NULL)	/* one searched (or pinned): name it */
		return mgr_error_set(err, MGR_ENOENT, _("no package \"%s\" "
		    "matching \"%s\" in %s"), id, want, repos[0]);
	return mgr_error_set(err, MGR_ENOENT, _("no package \"%s\" matching "
	    "\"%s\" in the configured repositories"), id, want);
}
