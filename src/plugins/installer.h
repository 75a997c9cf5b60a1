/* installer.h - installing plugins from a folder, a zip archive or a
 * package repository, transactionally.
 *
 * Every install is staged in a fresh folder inside plugins_directory (so
 * the final rename stays on one file system), validated there, renamed to
 * plugins_directory/ID and recorded in one database transaction.  An
 * upgrade renames the old folder aside first and removes it only after
 * the commit; any failure puts everything back, leaving no new files and
 * no new rows.  A downgrade or the same version needs INSTALL_FORCE.
 */
#ifndef MGR_INSTALLER_H
#define MGR_INSTALLER_H

#include <limits.h>
#include "error.h"
#include "validator.h"

struct mgr;

enum install_flags {
	INSTALL_FORCE = 1 << 0,		/* allow same version or downgrade */
	INSTALL_ACCEPT_PERMISSIONS = 1 << 1,	/* an upgrade may ask for more */
};

struct install_result {
	char *id;
	char *version;
	char *old_version;	/* set on upgrade/reinstall */
	char **deps_installed;	/* ids installed first from repositories */
	/* The installed manifest as validation read it (plugin.conf is
	 * parsed once per install: enabling reads its default tasks here). */
	struct manifest *manifest;
};

void install_result_clear(struct install_result *r);

/* source: a folder, a .zip file, or NAME[@CONSTRAINT] from the
 * configured repositories (a folder or file of that name wins). */
int installer_install(struct mgr *mgr, const char *source, int flags,
		      struct install_result *res, struct mgr_error *err);
/* The same; repo (or NULL) pins the package to that configured
 * repository ("NAME@CONSTRAINT from REPO").  Archives of remote
 * repositories must be in the cache already (installer_prefetch). */
int installer_install_from(struct mgr *mgr, const char *source,
			   const char *repo, int flags,
			   struct install_result *res, struct mgr_error *err);
/* In a client, before the install is handed to a host: finds the
 * package and its missing dependencies as the install will, and downloads
 * their archives from remote repositories into the cache, checked
 * against the signed sha256.  Nothing to do for a folder or a file. */
int installer_prefetch(struct mgr *mgr, const char *source, const char *repo,
		       struct mgr_error *err);

/* Probing options for this process: the manager binary ($MANAGER_EXE
 * or /proc/self/exe), its config file and database. */
void installer_probe_opts(struct mgr *mgr, struct probe_opts *o,
			  char exe[PATH_MAX]);

/* The folder of an extracted archive holding plugin.conf: the archive's
 * top, or its only folder (malloc'd in *root). */
int installer_find_root(const char *unpacked, char **root,
			struct mgr_error *err);

/* Validates a folder or a zip (extracted into a temporary folder) the way
 * install would, collecting every problem. */
int installer_validate(struct mgr *mgr, const char *path,
		       struct mgr_problems *p, struct manifest *m,
		       struct mgr_error *err);

#endif
