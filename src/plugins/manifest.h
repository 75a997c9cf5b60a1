/* manifest.h - plugin.conf, the plugin's manifest (libconfig):
 *
 *	id = "hello"; name = "Hello"; version = "1.2.0";
 *	description = "Says hello"; author = "Ada";
 *	library = "hello.so";
 *	dependencies = [ "base >= 1.0" ];
 *	config = { greeting = "hi"; };
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
};

#define MANIFEST_FILE "plugin.conf"

/* Loads dir/plugin.conf.  Returns 0, or MGR_EINVAL (problems added, err
 * names the first) or MGR_ENOENT/MGR_EIO.  m is usable for whatever
 * fields were valid, and must be cleared in every case. */
int manifest_load(const char *dir, struct manifest *m,
		  struct mgr_problems *probs, struct mgr_error *err);
void manifest_clear(struct manifest *m);
/* Path of the library inside the plugin folder (malloc'd). */
char *manifest_library_path(const struct manifest *m);

#endif
