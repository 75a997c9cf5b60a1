/* migrate_paths.c - the old layout (everything under data_directory) to
 * the XDG one; see migrate_paths.h. */
#include "i18n.h"
#include "migrate_paths.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void move_item(const char *old, const char *new, struct mgr_log *log);

/* The hidden name a copy across file systems is made under, next to its
 * target: ".NAME.migrating" (no task or plugin id starts with a dot). */
static char *
tmp_name(const char *new)
{
	const char *slash = strrchr(new, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - new) : 0;

	return xasprintf("%.*s/.%s.migrating", (int)dirlen, new,
	    slash != NULL ? slash + 1 : new);
}

static int
same_content(const char *a, const char *b)
{
	char sa[65], sb[65];

	return sha256_file(a, sa, NULL) == 0 && sha256_file(b, sb, NULL) == 0 &&
	    strcmp(sa, sb) == 0;
}

/* Another file system: copy under the temporary name, rename it into
 * place, then remove the old copy. */
static void
copy_across(const char *old, const char *new, const struct stat *st,
	    struct mgr_log *log)
{
	struct mgr_error err = { 0 };
	char *tmp = tmp_name(new);
	int rc;

	rc = S_ISDIR(st->st_mode) ? tree_copy(old, tmp, &err) :
	    S_ISREG(st->st_mode) ? copy_file(old, tmp, 0600, &err) :
	    mgr_error_set(&err, MGR_EUNSAFE, _("%s: not a regular file or "
	    "folder"), old);
	if (rc == 0 && rename(tmp, new) != 0)
		rc = mgr_error_set(&err, MGR_EIO, "%s: %s", new, strerror(errno));
	if (rc != 0) {
		rm_rf(tmp, NULL);
		log_warning(log, _("cannot move %s to %s, left where it is: %s"),
		    old, new, err.msg);
	} else if (rm_rf(old, &err) != 0)
		log_warning(log, _("copied %s to %s, but cannot remove it: %s"),
		    old, new, err.msg);
	else
		log_info(log, _("moved %s to %s (copied to the other file "
		    "system)"), old, new);
	free(tmp);
}

/* Both exist and are folders: entry by entry, then the emptied folder. */
static void
merge_dir(const char *old, const char *new, struct mgr_log *log)
{
	DIR *d = opendir(old);
	struct dirent *de;

	if (d == NULL) {
		log_warning(log, _("cannot read %s to move it to %s: %s"), old,
		    new, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *from = xasprintf("%s/%s", old, de->d_name);
		char *to = xasprintf("%s/%s", new, de->d_name);
		move_item(from, to, log);
		free(from);
		free(to);
	}
	closedir(d);
	if (rmdir(old) == 0)
		log_info(log, _("moved the contents of %s to %s"), old, new);
}

/* Both exist, and not both are folders. */
static void
settle_both(const char *old, const char *new, const struct stat *so,
	    const struct stat *sn, struct mgr_log *log)
{
	if (S_ISDIR(so->st_mode) && S_ISDIR(sn->st_mode)) {
		merge_dir(old, new, log);
		return;
	}
	/* An interrupted copy across file systems left both whole. */
	if (S_ISREG(so->st_mode) && S_ISREG(sn->st_mode) &&
	    same_content(old, new)) {
		if (unlink(old) == 0)
			log_info(log, _("removed %s: %s holds the same (a move "
			    "interrupted before)"), old, new);
		else
			log_warning(log, _("cannot remove %s (already moved to "
			    "%s): %s"), old, new, strerror(errno));
		return;
	}
	log_warning(log, _("%s is left where it is: %s exists and differs; "
	    "move or remove one of them by hand"), old, new);
}

static void
move_item(const char *old, const char *new, struct mgr_log *log)
{
	struct mgr_error err = { 0 };
	struct stat so, sn;
	char *tmp, *parent;

	if (lstat(old, &so) != 0 || strcmp(old, new) == 0)
		return;
	tmp = tmp_name(new);
	rm_rf(tmp, NULL);	/* what a crash left of a copy */
	free(tmp);
	if (lstat(new, &sn) == 0) {
		settle_both(old, new, &so, &sn, log);
		return;
	}
	parent = path_dirname_abs(new);
	if (mkdir_p(parent, 0700, 0, &err) != 0)
		log_warning(log, _("cannot move %s to %s, left where it is: %s"),
		    old, new, err.msg);
	else if (rename(old, new) == 0)
		log_info(log, _("moved %s to %s"), old, new);
	else if (errno == EXDEV)
		copy_across(old, new, &so, log);
	else
		log_warning(log, _("cannot move %s to %s, left where it is: %s"),
		    old, new, strerror(errno));
	free(parent);
}

/* data_directory/repositories/R/cache -> cache_directory/repositories/R:
 * the downloaded indexes and archives; the trusted keys stay. */
static void
move_repo_caches(const struct mgr_conf *c, struct mgr_log *log)
{
	char *base = xasprintf("%s/repositories", c->data_directory);
	DIR *d = opendir(base);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *old = xasprintf("%s/%s/cache", base, de->d_name);
		char *new = xasprintf("%s/repositories/%s", c->cache_directory,
		    de->d_name);
		move_item(old, new, log);
		free(old);
		free(new);
	}
	if (d != NULL)
		closedir(d);
	free(base);
}

/* Where the example configuration of older versions had the token made:
 * next to $XDG_CONFIG_HOME/manager/manager.conf. */
static char *
old_token_file(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/manager/api.token", xdg);
	return xasprintf("%s/.config/manager/api.token",
	    home != NULL && home[0] != '\0' ? home : "");
}

void
migrate_daemon_log(const struct mgr_conf *c, struct mgr_log *log)
{
	char *old = xasprintf("%s/manager.log", c->data_directory);
	char *new = xasprintf("%s/manager.log", c->state_directory);

	move_item(old, new, log);
	free(old);
	free(new);
}

void
migrate_paths(const struct mgr_conf *c, struct mgr_log *log)
{
	static const struct {
		const char *old;	/* under data_directory */
		int state;		/* to state_directory, else cache */
		const char *new;	/* under it; NULL: the folder itself */
	} moves[] = {
		{ "cache", 0, NULL },
		{ "reload", 1, "reload" },
		{ "logs", 1, "logs" },
		{ "manager.log", 1, "manager.log" },
	};
	char *def_token = xasprintf("%s/api.token", c->state_directory);

	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		const char *dir = moves[i].state ? c->state_directory :
		    c->cache_directory;
		char *old = xasprintf("%s/%s", c->data_directory, moves[i].old);
		char *new = moves[i].new != NULL ?
		    xasprintf("%s/%s", dir, moves[i].new) : xstrdup(dir);
		move_item(old, new, log);
		free(old);
		free(new);
	}
	move_repo_caches(c, log);
	/* A token_file the configuration names is used where it is. */
	if (c->api_token_file != NULL && strcmp(c->api_token_file, def_token) == 0) {
		char *old = old_token_file();
		move_item(old, def_token, log);
		free(old);
	}
	free(def_token);
}
