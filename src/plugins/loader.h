/* loader.h - dlopen of plugin libraries through private shadow copies.
 *
 * The library is copied to a fresh folder (mode 0700, file 0600) and the
 * copy is opened with RTLD_NOW | RTLD_LOCAL: dlopen caches images by path,
 * so a reloaded library must get a new path, and the installed file can be
 * replaced (upgrade, hot reload) while the old image is still mapped.
 * Unloading closes the image and removes the shadow copy ("purge cache").
 * The loader calls nothing of the plugin: on_enable/on_disable are the
 * caller's business.
 */
#ifndef MGR_LOADER_H
#define MGR_LOADER_H

#include "error.h"
#include "manager-plugin.h"

struct loaded_plugin;

/* Loads lib_path; shadow copies go under a private folder in $TMPDIR.
 * expected_id (may be NULL) must equal the plugin's id. */
int loader_load(const char *lib_path, const char *expected_id,
		struct loaded_plugin **out, struct mgr_error *err);
/* As loader_load, shadow copies under cache_dir (created 0700), e.g.
 * cache_directory. */
int loader_load_cached(const char *lib_path, const char *expected_id,
		       const char *cache_dir, struct loaded_plugin **out,
		       struct mgr_error *err);
const struct mgr_plugin_def *loader_def(const struct loaded_plugin *lp);
/* NULL if the plugin has no task of that name. */
mgr_task_fn loader_find_task(const struct loaded_plugin *lp, const char *name);
/* Path of the shadow copy the image was opened from. */
const char *loader_shadow_path(const struct loaded_plugin *lp);
/* dlclose, then removes the shadow copy and its folder. */
void loader_unload(struct loaded_plugin *lp);
/* 1 if a file at path is still mapped into this process (/proc/self/maps),
 * 0 if not: after loader_unload, the old image has really left. */
int loader_path_mapped(const char *path);
/* Checks the definition a library exports: ABI version, id, tasks. */
int loader_check_def(const struct mgr_plugin_def *def, const char *expected_id,
		     const char *lib_path, struct mgr_error *err);

#endif
