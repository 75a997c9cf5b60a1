/* manifest.h - plugin.conf, the plugin's manifest (libconfig):
 *
 *	id = "hello"; name = "Hello"; version = "1.2.0";
 *	description = "Says hello"; author = "Ada";
 *	library = "hello.so";
 *	dependencies = [ "base >= 1.0" ];
 *	config = { greeting = "hi"; };
 *	permissions = { network = false; read = [ "/srv/data" ];
 *	                write = [ "out" ]; exec = [ ]; };
 *	tasks = ( { id = "hello.greet"; func = "greet";
 *	            trigger = "interval"; minutes = 30; } );
 *
 * Loading collects every problem (each naming file and line or field)
 * rather than stopping at the first.
 */
#ifndef MGR_MANIFEST_H
#define MGR_MANIFEST_H

#include <stddef.h>
#include "error.h"
#include "version.h"

/* A list of problems found, one message each. */
struct mgr_problems {
	char **msgs;
	size_t n;
};

void problems_add(struct mgr_problems *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void problems_free(struct mgr_problems *p);
/* Replaces every occurrence of from by to (a staging path by the path
 * the user gave). */
void problems_rebase(struct mgr_problems *p, const char *from, const char *to);
/* Sets err to the first problem (and how many more), MGR_EINVAL; 0 if
 * there are none. */
int problems_to_error(const struct mgr_problems *p, struct mgr_error *err);

/* A default task (created as a tasks row when the plugin is enabled). */
struct manifest_task {
	char *id;
	char *name;
	char *func;		/* FUNCTION in PLUGIN:FUNCTION */
	char *trigger;		/* interval, cron, date */
	char *trigger_args;	/* JSON object of FIELD: "VALUE" */
	int max_retries;	/* -1: default */
	int timeout;		/* -1: default */
	int enabled;
	int line;
};

/* What a plugin may do in its sandbox (doc/PLUGINS.md, "Permissions").
 * Paths are as written: absolute, or relative to the plugin's folder.
 * Defaults: no network, read the plugin's folder and the system
 * libraries, write only a private scratch folder ($TMPDIR), run no
 * program. */
struct manifest_perms {
	int network;
	char **read, **write, **exec;	/* NULL-ended, or NULL */
};

struct manifest {
	char *file;		/* path of plugin.conf */
	char *dir;		/* folder holding it */
	char *id, *name, *version, *description, *author, *library;
	struct dep_spec *deps;
	size_t ndeps;
	char *deps_json;	/* JSON array of the strings as written */
	char *json;		/* the whole manifest as a JSON object */
	struct manifest_task *tasks;
	size_t ntasks;
	struct manifest_perms perms;
};

#define MANIFEST_FILE "plugin.conf"

/* Loads dir/plugin.conf.  Returns 0, or MGR_EINVAL (problems added, err
 * names the first) or MGR_ENOENT/MGR_EIO.  m is usable for whatever
 * fields were valid, and must be cleared in every case. */
int manifest_load(const char *dir, struct manifest *m,
		  struct mgr_problems *probs, struct mgr_error *err);
void manifest_clear(struct manifest *m);
/* The permissions of a manifest as stored (its JSON text; NULL or
 * without "permissions" gives the defaults). */
void manifest_perms_from_json(const char *manifest_json,
			      struct manifest_perms *p);
void manifest_perms_clear(struct manifest_perms *p);
/* One line per permission ("  network: no", "  read: /srv/data"),
 * indented by indent.  Malloc'd. */
char *manifest_perms_describe(const struct manifest_perms *p,
			      const char *indent);
/* What next asks for that cur did not grant, described as above, or
 * NULL when next asks for nothing more. */
char *manifest_perms_added(const struct manifest_perms *cur,
			   const struct manifest_perms *next);
/* The paths made absolute against the plugin's folder; NULL-ended. */
char **manifest_perms_paths(char *const *paths, const char *plugin_dir);

/* Path of the library inside the plugin folder (malloc'd). */
char *manifest_library_path(const struct manifest *m);

#endif
