/* package_index.h - package repositories: folders holding index.conf
 * (libconfig) and the archives it lists:
 *
 *	packages = (
 *	  { id = "hello"; version = "1.2.0"; archive = "hello-1.2.0.zip";
 *	    sha256 = "64 hex digits"; dependencies = [ "base >= 1.0" ]; }
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
	char *archive;		/* absolute path of the zip */
	char *sha256;
	struct dep_spec *deps;
	size_t ndeps;
	char *index_file;	/* where it was listed, for messages */
	int line;
};

void pkg_entry_clear(struct pkg_entry *e);

/* Loads repo/index.conf; every entry checked (errors name file and line). */
int package_index_load(const char *repo, struct pkg_entry **out, size_t *n,
		       struct mgr_error *err);
/* The newest version of id satisfying c in any of the repositories
 * (NULL-ended list).  MGR_ENOENT names what was looked for and where. */
int package_find(char *const *repos, const char *id, const struct vconstraint *c,
		 struct pkg_entry *out, struct mgr_error *err);

#endif
