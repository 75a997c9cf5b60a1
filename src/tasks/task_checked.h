/* task_checked.h - task_context_check once per context and program, for
 * the paths that add many tasks at once (`task add --from`, `task
 * import`): a file's tasks mostly share them, and the check reads the
 * password database and searches PATH. */
#ifndef MGR_TASK_CHECKED_H
#define MGR_TASK_CHECKED_H

#include "error.h"
#include "idmap.h"

struct mgr;
struct task_context;

/* task_context_check, unless `checked` (NULL: none) already holds the
 * same context and program found good; a good one is added to it.  json:
 * task_context_to_json(c), which the caller writes too (NULL: the
 * default context). */
int task_context_check_cached(struct mgr *mgr, const char *task_id,
			      const char *func_path,
			      const struct task_context *c, const char *json,
			      struct idmap *checked, struct mgr_error *err);

#endif
