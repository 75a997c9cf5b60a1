/* package_index.h - package repositories: folders holding index.conf
 * (libconfig) and the archives it lists:
 *
 *	packages = (
 *	  { id = "hello"; version = "1.2.0"; archive = "hello-1.2.0.zip";
 *	    sha256 = "64 hex digits"; dependencies = [ "base >= 1.0" ];
 *	    name = "Hello"; description = "..."; }   (name, description optional)
 *	);
 */
#ifndef MGR_PACKAGE_INDEX_H
#define MGR_PACKAGE_INDEX_H

#include <stddef.h>
#include "error.h"
#include "version.h"

#define PACKAGE_INDEX_FILE "index.conf"

struct pkg_entry {
	char *id;
	char *version;
	char *archive;		/* absolute path of the zip (remote: in the cache) */
	char *url;		/* remote: where the zip is downloaded from */
	char *repo;		/* the repository's entry in "repositories" */
	char *sha256;
	char *name, *description;	/* optional, for plugin search */
	struct dep_spec *deps;
	size_t ndeps;
	char *index_file;	/* where it was listed, for messages */
	int line;
};

void pkg_entry_clear(struct pkg_entry *e);

struct mgr_conf;

/* Parses an index's text; file names it in messages, archive names
 * resolve against base (and against url, when remote). */
int package_index_parse(const char *text, const char *file, const char *base,
			const char *url, const char *repo,
			struct pkg_entry **out, size_t *n, struct mgr_error *err);
/* Loads folder/index.conf as it is (no signature check); every entry
 * checked (errors name file and line). */
int package_index_load(const char *folder, struct pkg_entry **out, size_t *n,
		       struct mgr_error *err);
/* Loads a configured repository's index: a folder's or the cached one of
 * a remote entry, its signature checked (repository.h). */
int package_repo_load(const struct mgr_conf *conf, const char *repo,
		      struct pkg_entry **out, size_t *n, struct mgr_error *err);
void pkg_entries_free(struct pkg_entry *v, size_t n);
/* The newest version of id satisfying c in the first repository that
 * has one (repos: NULL-ended, in order of preference).  MGR_ENOENT names
 * what was looked for and where. */
int package_find(const struct mgr_conf *conf, char *const *repos,
		 const char *id, const struct vconstraint *c,
		 struct pkg_entry *out, struct mgr_error *err);

#endif
