/* loader.c - dlopen through shadow copies, unload, purge. */
#include "i18n.h"
#include "loader.h"
#include "util.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct loaded_plugin {
	void *handle;
	const struct mgr_plugin_def *def;
	char *shadow_dir;	/* private folder holding the copy */
	char *shadow_path;
	int own_parent;		/* shadow_dir's parent is ours (tmp) too */
};

int
loader_check_def(const struct mgr_plugin_def *def, const char *expected_id,
		 const char *lib_path, struct mgr_error *err)
{
	if (def->abi_version != MGR_PLUGIN_ABI_VERSION)
		return mgr_error_set(err, MGR_EVERSION, _("%s: plugin ABI version "
		    "%u, this manager speaks %u"), lib_path,
		    (unsigned)def->abi_version, (unsigned)MGR_PLUGIN_ABI_VERSION);
	if (def->id == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: mgr_plugin has no id"),
		    lib_path);
	if (expected_id != NULL && strcmp(def->id, expected_id) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s: library id \"%s\" "
		    "differs from the manifest's id \"%s\""), lib_path, def->id,
		    expected_id);
	for (size_t i = 0; def->tasks != NULL && def->tasks[i].name != NULL; i++)
		if (def->tasks[i].fn == NULL)
			return mgr_error_set(err, MGR_EINVAL, _("%s: task \"%s\" "
			    "has no function"), lib_path, def->tasks[i].name);
	return 0;
}

/* A fresh folder under parent holding a copy of lib_path. */
static int
loader_make_shadow(struct loaded_plugin *lp, const char *lib_path,
		   const char *parent, struct mgr_error *err)
{
	const char *base = strrchr(lib_path, '/');
	char *tmpl;
	int rc;

	if ((rc = mkdir_p(parent, 0700, 0, err)) != 0)
		return rc;
	tmpl = xasprintf("%s/shadow-XXXXXX", parent);
	if (mkdtemp(tmpl) == NULL) {
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot create a folder: %s"),
		    parent, strerror(errno));
		free(tmpl);
		return rc;
	}
	lp->shadow_dir = tmpl;
	lp->shadow_path = xasprintf("%s/%s", tmpl, base != NULL ? base + 1 : lib_path);
	return copy_file(lib_path, lp->shadow_path, 0600, err);
}

static void
loader_remove_shadow(struct loaded_plugin *lp)
{
	if (lp->shadow_path != NULL)
		unlink(lp->shadow_path);
	if (lp->shadow_dir != NULL) {
		rmdir(lp->shadow_dir);
		if (lp->own_parent) {
			char *parent = path_dirname_abs(lp->shadow_dir);
			rmdir(parent);
			free(parent);
		}
	}
}

static void
loader_free(struct loaded_plugin *lp)
{
	loader_remove_shadow(lp);
	free(lp->shadow_dir);
	free(lp->shadow_path);
	free(lp);
}

static int
loader_open(struct loaded_plugin *lp, const char *lib_path,
	    const char *expected_id, struct mgr_error *err)
{
	const char *msg;

	dlerror();
	lp->handle = dlopen(lp->shadow_path, RTLD_NOW | RTLD_LOCAL);
	if (lp->handle == NULL) {
		msg = dlerror();
		return mgr_error_set(err, MGR_EPLUGIN, _("%s: cannot load: %s"),
		    lib_path, msg != NULL ? msg : "?");
	}
	lp->def = dlsym(lp->handle, "mgr_plugin");
	if (lp->def == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: does not export "
		    "mgr_plugin (define it with MGR_PLUGIN())"), lib_path);
	return loader_check_def(lp->def, expected_id, lib_path, err);
}

static int
loader_load_in(const char *lib_path, const char *expected_id,
	       const char *parent, int own_parent, struct loaded_plugin **out,
	       struct mgr_error *err)
{
	struct loaded_plugin *lp = xcalloc(1, sizeof *lp);
	int rc;

	lp->own_parent = own_parent;
	if (access(lib_path, R_OK) != 0)
		rc = mgr_error_set(err, MGR_ENOENT, _("%s: cannot read: %s"),
		    lib_path, strerror(errno));
	else if ((rc = loader_make_shadow(lp, lib_path, parent, err)) == 0)
		rc = loader_open(lp, lib_path, expected_id, err);
	if (rc != 0) {
		if (lp->handle != NULL)
			dlclose(lp->handle);
		loader_free(lp);
		return rc;
	}
	*out = lp;
	return 0;
}

int
loader_load_cached(const char *lib_path, const char *expected_id,
		   const char *cache_dir, struct loaded_plugin **out,
		   struct mgr_error *err)
{
	return loader_load_in(lib_path, expected_id, cache_dir, 0, out, err);
}

int
loader_load(const char *lib_path, const char *expected_id,
	    struct loaded_plugin **out, struct mgr_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char *parent = xasprintf("%s/manager-shadow-XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	int rc;

	if (mkdtemp(parent) == NULL) {
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot create a folder: %s"),
		    parent, strerror(errno));
		free(parent);
		return rc;
	}
	rc = loader_load_in(lib_path, expected_id, parent, 1, out, err);
	if (rc != 0)
		rmdir(parent);
	free(parent);
	return rc;
}

const struct mgr_plugin_def *
loader_def(const struct loaded_plugin *lp)
{
	return lp->def;
}

mgr_task_fn
loader_find_task(const struct loaded_plugin *lp, const char *name)
{
	const struct mgr_task_def *t = lp->def->tasks;

	for (size_t i = 0; t != NULL && t[i].name != NULL; i++)
		if (strcmp(t[i].name, name) == 0)
			return t[i].fn;
	return NULL;
}

const char *
loader_shadow_path(const struct loaded_plugin *lp)
{
	return lp->shadow_path;
}

void
loader_unload(struct loaded_plugin *lp)
{
	if (lp == NULL)
		return;
	if (lp->handle != NULL)
		dlclose(lp->handle);
	loader_free(lp);
}

int
loader_path_mapped(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	size_t len = strlen(path);
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		char *p = strchr(line, '/');
		if (p != NULL && strncmp(p, path, len) == 0 &&
		    (p[len] == '\n' || p[len] == '\0' || p[len] == ' '))
			found = 1;
	}
	fclose(f);
	return found;
}
