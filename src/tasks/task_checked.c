/* task_checked.c - task_context_check once per context and program
 * (task_checked.h). */
#include "sandbox.h"
#include "task_checked.h"
#include "task_context.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* What task_context_check looks at: the context and the program an
 * exec: task runs ("" for a plugin function). */
static char *
context_key(const char *func_path, const char *json)
{
	char **argv = NULL, *key;
	struct mgr_error err = { 0 };

	if (strncmp(func_path, "exec:", 5) != 0 ||
	    exec_split(func_path + 5, &argv, &err) != 0)
		argv = NULL;
	key = xasprintf("%s\n%s", json != NULL ? json : "",
	    argv != NULL ? argv[0] : "");
	strv_free(argv);
	return key;
}

int
task_context_check_cached(struct mgr *mgr, const char *task_id,
			  const char *func_path, const struct task_context *c,
			  const char *json, struct idmap *checked,
			  struct mgr_error *err)
{
	char *key = checked != NULL && func_path != NULL ?
	    context_key(func_path, json) : NULL;
	int rc = 0, added;

	if (key == NULL || idmap_get(checked, key) == NULL) {
		rc = task_context_check(mgr, task_id, func_path, c, err);
		if (rc == 0 && key != NULL)
			idmap_put(checked, key, 1, &added);
	}
	free(key);
	return rc;
}
