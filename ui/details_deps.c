/* details_deps.c - the console's task details: the tasks a task runs
 * after and before (its dependencies both ways), its concurrency group
 * and its notifications (task_hooks.h). */
#include "i18n.h"
#include "store.h"
#include "task_hooks.h"
#include "task_hooks_store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void details_deps(struct strbuf *sb, struct mgr_db *db, const char *id);

static void
add_line(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, "  %-16s %s\n", name, value != NULL && *value != '\0' ?
	    value : "-");
}

static void
add_list(struct strbuf *sb, const char *name, char *const *v)
{
	struct strbuf l = STRBUF_INIT;
	char *text;

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		strbuf_addf(&l, "%s%s", i > 0 ? ", " : "", v[i]);
	text = strbuf_detach(&l);
	add_line(sb, name, text);
	free(text);
}

void
details_deps(struct strbuf *sb, struct mgr_db *db, const char *id)
{
	char **all = NULL, **any = NULL;
	struct mgr_error err = { 0 };
	struct task_hooks h;
	char *json = NULL;

	task_hooks_init(&h);
	strbuf_addf(sb, "\n%s\n", _("Dependencies and notifications"));
	if (task_hooks_store_get(db, id, &json, &err) != 0 ||
	    task_hooks_from_json(json, &h, &err) != 0 ||
	    task_hooks_downstream(db, id, &all, &any, &err) != 0) {
		strbuf_addf(sb, "  %s\n", err.msg);
		task_hooks_clear(&h);
	} else {
		add_list(sb, _("runs after"), h.after);
		add_list(sb, _("after any of"), h.after_any);
		add_list(sb, _("runs before"), all);
		add_list(sb, _("before, any of"), any);
		add_line(sb, _("group"), h.group);
		for (int e = 0; e < HOOK_NEVENTS; e++)
			if (h.on[e] != NULL)
				add_line(sb, hook_event_name(e), h.on[e]);
	}
	task_hooks_clear(&h);
	free(json);
	strv_free(all);
	strv_free(any);
}
