/* validator.h - is a folder a plugin this manager can install?
 *
 * Manifest (manifest.h), structure (the library is an ELF shared object
 * for this machine; loading it in a child process shows it exports
 * mgr_plugin with our ABI version and the manifest's id), dependencies
 * (present, satisfiable, no cycles).  Every problem found is reported,
 * not just the first.
 *
 * Probing never loads foreign code into the calling process: the manager
 * binary runs itself (`manager plugin probe DIR`, a hidden command) in a
 * child with a timeout, so a constructor that crashes or hangs costs a
 * child, and gives "constructor crashed with SIGSEGV" or "probe timed out
 * after 5 s".
 */
#ifndef MGR_VALIDATOR_H
#define MGR_VALIDATOR_H

#include <stddef.h>
#include "error.h"
#include "manifest.h"
#include "store.h"

#define PROBE_TIMEOUT_MS 5000
#define PROBE_MARK "@probe "

struct mgr;

struct probe_opts {
	const char *exe;	/* the manager binary; NULL: no probing */
	struct mgr *mgr;	/* sandboxing = true: probe in a confined host
				 * worker of mgr's (host_worker.h), not in
				 * `manager plugin probe`; else NULL */
	const char *config;	/* --config for the child, or NULL */
	const char *db;		/* --db for the child (state of on_enable) */
	int timeout_ms;		/* 0: PROBE_TIMEOUT_MS */
};

/* Loads the plugin in dir in a child; with run_enable, also calls its
 * on_enable (then on_disable) there.  With o->mgr, the child is a host
 * worker confined to the plugin's permissions, so no code of the plugin
 * ever runs unconfined.  MGR_EPLUGIN for a crash or a refusal,
 * MGR_ETIMEOUT, MGR_EINVAL/MGR_EVERSION for a bad definition. */
int probe_plugin(const struct probe_opts *o, const char *dir, int run_enable,
		 struct mgr_error *err);

/* Checks the ELF header of path: shared object for this machine. */
int validate_elf(const char *path, struct mgr_error *err);

/* A plugin in the dependency graph. */
struct dep_node {
	const char *id;
	const char *version;
	const struct dep_spec *deps;
	size_t ndeps;
};

/* Adds a problem for every dependency of subject missing from nodes or
 * whose version does not satisfy it (file names the manifest). */
void deps_check(const struct dep_node *nodes, size_t n,
		const struct dep_node *subject, const char *file,
		struct mgr_problems *p);
/* order[0..n) gets node indices, dependencies before dependents (ties in
 * input order).  A cycle gives MGR_EINVAL naming it: "a -> b -> a".
 * Dependencies on ids not among nodes are ignored here. */
int deps_order(const struct dep_node *nodes, size_t n, size_t *order,
	       struct mgr_error *err);
/* Parses a dependencies JSON array (as stored) into specs. */
int deps_from_json(const char *json, struct dep_spec **out, size_t *n,
		   struct mgr_error *err);

/* Builds the tasks row of a manifest's default task (owned strings;
 * task_rec_clear it) and checks it like `task add` does: trigger fields
 * parsed and pinned, first fire time computed. */
int manifest_task_rec(const char *plugin_id, const struct manifest_task *mt,
		      struct task_rec *t, struct mgr_error *err);

/* Validates the plugin folder dir against the installed plugins (a record
 * with the same id is the one being upgraded and is left out).  Fills m
 * (clear it in every case) and adds every problem to p. */
int validate_plugin_dir(const char *dir, const struct probe_opts *o,
			const struct plugin_rec *installed, size_t ninstalled,
			struct manifest *m, struct mgr_problems *p,
			struct mgr_error *err);

#endif
