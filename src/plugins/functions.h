/* functions.h - a plugin's task functions, asked of its installed
 * library: `manager-run functions` loads it in a child confined as a
 * worker (the plugin's constructors are foreign code), and prints each
 * function's name and summary.  For `plugin show` and for checking a
 * task's PLUGIN:FUNCTION when it is added or changed. */
#ifndef MGR_FUNCTIONS_H
#define MGR_FUNCTIONS_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"

struct mgr;

struct plugin_func {
	char *name;
	char *summary;		/* "" when the plugin gives none */
};

struct plugin_funcs {
	struct plugin_func *v;
	size_t n;
};

/* MGR_ENOENT when the plugin is not installed; an error naming the
 * plugin when its library cannot be loaded (within
 * PLUGIN_FUNCTIONS_TIMEOUT_S seconds). */
#define PLUGIN_FUNCTIONS_TIMEOUT_S 5
int plugin_functions(struct mgr *mgr, const char *id, struct plugin_funcs *out,
		     struct mgr_error *err);
void plugin_funcs_clear(struct plugin_funcs *f);
/* "a, b, c", or "none"; malloc'd. */
char *plugin_funcs_names(const struct plugin_funcs *f);

/* plugin show's part: the functions as lines of out, or (obj not
 * NULL) as obj's "functions" array of {"name", "summary"}; when they
 * cannot be listed, the reason instead ("functions_error"). */
struct json_t;
void plugin_functions_show(struct mgr *mgr, const char *id, FILE *out,
			   struct json_t *obj);

/* A task's PLUGIN:FUNCTION [ARGS] when it is added or changed: an
 * installed plugin without that function is an error listing its
 * functions; a plugin that is not installed sets *missing (the caller
 * warns and adds the task disabled).  0 otherwise. */
int plugin_func_check(struct mgr *mgr, const char *func_path, int *missing,
		      struct mgr_error *err);

#endif
