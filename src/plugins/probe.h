/* probe.h - the child side of probing (validator.h has the parent's):
 * `manager plugin probe [--enable] DIR` loads the plugin in this fresh
 * process and reports each stage on out as "@probe ..." lines, so the
 * parent can tell a crashing constructor from a crashing on_enable. */
#ifndef MGR_PROBE_H
#define MGR_PROBE_H

#include <stdio.h>
#include "db.h"
#include "log.h"

/* Returns the process exit status: 0 loaded (and enabled), 1 refused. */
int probe_child(FILE *out, const char *dir, int run_enable, struct mgr_db *db,
		struct mgr_log *log);

#endif
