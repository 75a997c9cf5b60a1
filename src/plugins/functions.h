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

/* The helper's deadline: a library that takes longer to load is
 * reported as such. */
#define PLUGIN_FUNCTIONS_TIMEOUT_S 5
void plugin_funcs_clear(struct plugin_funcs *f);
/* "a, b, c", or "none"; malloc'd. */
char *plugin_funcs_names(const struct plugin_funcs *f);

/* plugin show's part: the functions of plugin rec into *list.  Without
 * a host (a CLI with no daemon), the helper is asked now (into own).
 * On a host, the list its cache made off the loop: while that list is
 * being made, with done, PLUGINS_LATER (plugins.h) and done(arg, 0)
 * follows from the loop once it is there (ask again), done(arg, 1) when
 * the engine stops first; without done, MGR_EBUSY saying so, as the
 * helper never runs on the loop.  Else 0, or why they cannot be listed.
 * *list points to own or into the cache: read it before the loop goes
 * on. */
typedef void (*funcs_waited_fn)(void *arg, int gone);
struct plugin_rec;
int plugin_functions_get(struct mgr *mgr, const struct plugin_rec *rec,
			 struct plugin_funcs *own,
			 const struct plugin_funcs **list,
			 funcs_waited_fn done, void *arg,
			 struct mgr_error *err);
/* ... printed: the functions as lines of out, or (obj not NULL) as
 * obj's "functions" array of {"name", "summary"}; when rc says they
 * cannot be listed, err's reason instead ("functions_error"). */
struct json_t;
void plugin_functions_print(FILE *out, struct json_t *obj, int rc,
			    const struct plugin_funcs *f,
			    const struct mgr_error *err);

/* A task's PLUGIN:FUNCTION [ARGS] when it is added or changed: an
 * installed plugin without that function is an error listing its
 * functions; a plugin that is not installed sets *missing (the caller
 * warns and adds the task disabled).  0 otherwise. */
int plugin_func_check(struct mgr *mgr, const char *func_path, int *missing,
		      struct mgr_error *err);
/* The same without asking the helper on a host's loop: when the host's
 * list for the plugin's row is not there yet (the moments after a
 * change), PLUGINS_LATER (plugins.h), and done(arg, rc, missing, err)
 * follows from the loop once the cache has it, with plugin_func_check's
 * answer (MGR_EBUSY if the engine stops first).  Any other return is the
 * answer, now (done is not called). */
typedef void (*func_checked_fn)(void *arg, int rc, int missing,
				const struct mgr_error *err);
int plugin_func_check_later(struct mgr *mgr, const char *func_path,
			    int *missing, func_checked_fn done, void *arg,
			    struct mgr_error *err);

/* ---- the engine's lists (functions_cache.c) ----
 *
 * Asking a library for its functions takes a confined child and up to
 * PLUGIN_FUNCTIONS_TIMEOUT_S: never on the loop.  A host keeps each
 * installed plugin's list, asked off the loop (the helper's pipes on
 * ev_io, its end on ev_child, a deadline on ev_timer) when the plugin is
 * started, enabled, installed, upgraded or reloaded, and keyed by
 * plugins.updated_at, so that a check at `task add` reads the list.  A
 * check that finds no list for the row's updated_at yet (the moments
 * just after a change) asks the helper itself. */
struct funcs_cache;
struct funcs_cache *funcs_cache_new(struct mgr *mgr);
void funcs_cache_free(struct funcs_cache *fc);
/* Starts listing rec's functions unless its list for rec->updated_at is
 * there or being made.  fc may be NULL (not a host): nothing. */
void funcs_cache_refresh(struct funcs_cache *fc, const struct plugin_rec *rec);
/* 0 with *out (the cache's), an error when the listing failed, 1 when
 * there is no list for rec->updated_at yet (one is started). */
int funcs_cache_get(struct funcs_cache *fc, const struct plugin_rec *rec,
		    const struct plugin_funcs **out, struct mgr_error *err);
/* Waits for the listing of plugin id under way: 0, and fn(arg, 0)
 * follows from the loop once it has ended (its list or its error is
 * then in the cache: funcs_cache_get), or fn(arg, 1) when the cache is
 * freed first (the engine stops); 1 when none is under way (fn is not
 * called). */
int funcs_cache_wait(struct funcs_cache *fc, const char *id, funcs_waited_fn fn,
		     void *arg);
/* The helper's command line, and its answer made a list (out is the
 * helper's stdout, errtext its stderr; status its wait status). */
char **plugin_functions_argv(struct mgr *mgr, const char *id, const char *lib);
int plugin_functions_parse(const char *id, int status, int timed_out,
			   char *out, const char *errtext,
			   struct plugin_funcs *f, struct mgr_error *err);

#endif
