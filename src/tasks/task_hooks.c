/* task_hooks.c - a task's notifications and dependencies: their JSON,
 * their options and keys, and the checks at add and edit time
 * (task_hooks.h). */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "sandbox.h"
#include "scheduler.h"
#include "task_context.h"
#include "task_hooks.h"
#include "task_hooks_store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const event_names[HOOK_NEVENTS] = {
	"on_failure", "on_success", "on_recovery", "on_missed", "on_output",
};

const char *
hook_event_name(enum hook_event e)
{
	return event_names[e];
}

void
task_hooks_init(struct task_hooks *h)
{
	memset(h, 0, sizeof *h);
}

void
task_hooks_clear(struct task_hooks *h)
{
	for (int e = 0; e < HOOK_NEVENTS; e++)
		free(h->on[e]);
	strv_free(h->after);
	strv_free(h->after_any);
	free(h->group);
	task_hooks_init(h);
}

int
task_hooks_empty(const struct task_hooks *h)
{
	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (h->on[e] != NULL)
			return 0;
	return h->after == NULL && h->after_any == NULL && h->group == NULL;
}

/* A task id to run after: added once. */
static int
hooks_add_dep(char ***list, const char *key, const char *id,
	      struct mgr_error *err)
{
	if (!mgr_id_valid(id))
		return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\" is not a task "
		    "id"), key, id);
	if (!strv_has(*list, id))
		*list = strv_push(*list, id);
	return 1;
}

int
task_hooks_set(struct task_hooks *h, const char *key, const char *value,
	       struct mgr_error *err)
{
	for (int e = 0; e < HOOK_NEVENTS; e++) {
		if (strcmp(key, event_names[e]) != 0)
			continue;
		free(h->on[e]);
		h->on[e] = value[0] != '\0' ? xstrdup(value) : NULL;
		return 1;
	}
	if (strcmp(key, "after") == 0)
		return hooks_add_dep(&h->after, key, value, err);
	if (strcmp(key, "after_any") == 0)
		return hooks_add_dep(&h->after_any, key, value, err);
	if (strcmp(key, "concurrency_group") == 0) {
		if (value[0] != '\0' && !mgr_id_valid(value))
			return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\" is not a "
			    "group name (letters, digits, . _ - @ : +)"), key, value);
		free(h->group);
		h->group = value[0] != '\0' ? xstrdup(value) : NULL;
		return 1;
	}
	return 0;
}

static int
hooks_list_from_json(json_t *v, const char *key, struct task_hooks *h,
		     struct mgr_error *err)
{
	size_t i;
	json_t *x;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return mgr_error_set(err, MGR_EINVAL, _("%s: expected a list of "
		    "task ids"), key);
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			return mgr_error_set(err, MGR_EINVAL, _("%s: item %zu is "
			    "not a string"), key, i + 1);
		if (task_hooks_set(h, key, json_string_value(x), err) < 0)
			return err->code;
	}
	return 0;
}

int
task_hooks_from_json(const char *json, struct task_hooks *h,
		     struct mgr_error *err)
{
	json_error_t jerr;
	json_t *o;
	int rc = 0;

	task_hooks_init(h);
	if (json == NULL)
		return 0;
	if ((o = json_loads(json, 0, &jerr)) == NULL || !json_is_object(o)) {
		json_decref(o);
		return mgr_error_set(err, MGR_EINVAL, _("hooks: not a JSON object"));
	}
	for (int e = 0; e < HOOK_NEVENTS && rc == 0; e++) {
		json_t *v = json_object_get(o, event_names[e]);
		if (json_is_string(v))
			h->on[e] = xstrdup(json_string_value(v));
		else if (v != NULL && !json_is_null(v))
			rc = mgr_error_set(err, MGR_EINVAL, _("%s: expected a "
			    "string"), event_names[e]);
	}
	if (json_is_string(json_object_get(o, "concurrency_group")))
		h->group = xstrdup(json_string_value(json_object_get(o,
		    "concurrency_group")));
	if (json_is_integer(json_object_get(o, "since")))
		h->since = json_integer_value(json_object_get(o, "since"));
	if (rc == 0)
		rc = hooks_list_from_json(json_object_get(o, "after"), "after",
		    h, err);
	if (rc == 0)
		rc = hooks_list_from_json(json_object_get(o, "after_any"),
		    "after_any", h, err);
	json_decref(o);
	if (rc != 0)
		task_hooks_clear(h);
	return rc;
}

json_t *
task_hooks_json(const struct task_hooks *h)
{
	json_t *o = json_object();

	for (int e = 0; e < HOOK_NEVENTS; e++)
		json_object_set_new(o, event_names[e], h->on[e] != NULL ?
		    json_string(h->on[e]) : json_null());
	json_object_set_new(o, "after", strv_json(h->after));
	json_object_set_new(o, "after_any", strv_json(h->after_any));
	json_object_set_new(o, "concurrency_group", h->group != NULL ?
	    json_string(h->group) : json_null());
	return o;
}

char *
task_hooks_to_json(const struct task_hooks *h)
{
	json_t *o;
	char *s;

	if (task_hooks_empty(h))
		return NULL;
	o = json_object();
	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (h->on[e] != NULL)
			json_object_set_new(o, event_names[e], json_string(h->on[e]));
	if (h->after != NULL)
		json_object_set_new(o, "after", strv_json(h->after));
	if (h->after_any != NULL)
		json_object_set_new(o, "after_any", strv_json(h->after_any));
	if (h->group != NULL)
		json_object_set_new(o, "concurrency_group", json_string(h->group));
	if (h->since != 0 && (h->after != NULL || h->after_any != NULL))
		json_object_set_new(o, "since", json_integer(h->since));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* ---- options ---- */

static int
take_fail(struct cmd_ctx *ctx, const char *opt, struct mgr_error *err)
{
	char *msg = xasprintf(_("option %s: %s"), opt, err->msg);

	cmd_fail(ctx, err->code, msg);
	free(msg);
	return -1;
}

/* Every --after TASK (or --after-any): a new list, which replaces the
 * task's; --after "" alone clears it. */
static int
read_deps(struct cmd_ctx *ctx, const struct cmd_args *args, const char *opt,
	  const char *key, char ***list, int *changed)
{
	const char *const *values = cmd_args_values(args, opt);
	struct mgr_error err = { 0 };
	char **v = NULL;
	char *name;

	if (values == NULL)
		return 0;
	for (size_t i = 0; values[i] != NULL; i++) {
		if (values[i][0] == '\0')
			continue;
		if (hooks_add_dep(&v, key, values[i], &err) < 0) {
			strv_free(v);
			name = xasprintf("--%s", opt);
			take_fail(ctx, name, &err);
			free(name);
			return -1;
		}
	}
	strv_free(*list);
	*list = v;
	*changed = 1;
	return 0;
}

int
task_hooks_read_args(struct cmd_ctx *ctx, const struct cmd_args *args,
		     struct task_hooks *h, int *changed)
{
	static const char *const opts[HOOK_NEVENTS] = {
		"on-failure", "on-success", "on-recovery", "on-missed",
		"on-output",
	};
	const char *value;

	*changed = 0;
	for (int e = 0; e < HOOK_NEVENTS; e++) {
		if ((value = cmd_args_value(args, opts[e])) == NULL)
			continue;
		free(h->on[e]);
		h->on[e] = value[0] != '\0' ? xstrdup(value) : NULL;
		*changed = 1;
	}
	if (read_deps(ctx, args, "after", "after", &h->after, changed) < 0 ||
	    read_deps(ctx, args, "after-any", "after_any", &h->after_any,
	    changed) < 0)
		return -1;
	if ((value = cmd_args_value(args, "concurrency-group")) != NULL) {
		struct mgr_error err = { 0 };
		if (task_hooks_set(h, "concurrency_group", value, &err) < 0)
			return take_fail(ctx, "--concurrency-group", &err);
		*changed = 1;
	}
	return 0;
}

/* ---- checks ---- */

static int
runnable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, X_OK) == 0;
}

char *
hook_find_program(struct mgr *mgr, const char *name)
{
	const char *task_path = mgr->conf->task_path != NULL ?
	    mgr->conf->task_path : "";
	char *dirs = xasprintf("%s:/usr/sbin:/usr/lib", task_path), *save = NULL;
	char *found = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d != NULL && found == NULL;
	    d = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", d, name);
		if (*d == '/' && runnable(full))
			found = full;
		else
			free(full);
	}
	free(dirs);
	return found;
}

static int
check_mail(struct mgr *mgr, const char *key, const char *addr,
	   struct mgr_error *err)
{
	char *prog;

	if (addr[0] == '\0' || addr[0] == '-' || strpbrk(addr, " \t\r\n,;<>\"'\\") !=
	    NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\" is not a mail "
		    "address (user or user@host)"), key, addr);
	if ((prog = hook_find_program(mgr, "sendmail")) == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: mail needs a sendmail "
		    "program, and none is on manager.task_path (%s), in /usr/sbin "
		    "or /usr/lib"), key, mgr->conf->task_path);
	free(prog);
	return 0;
}

static int
check_webhook(struct mgr *mgr, const char *key, const char *url,
	      struct mgr_error *err)
{
	const char *host = strncmp(url, "http://", 7) == 0 ? url + 7 :
	    strncmp(url, "https://", 8) == 0 ? url + 8 : NULL;

	(void)mgr;		/* sent by manager-webhook, of this build */
	if (host == NULL || *host == '\0' || *host == '/')
		return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\" is not an http:// "
		    "or https:// URL"), key, url);
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return mgr_error_set(err, MGR_EINVAL, _("%s: the URL \"%s\" "
			    "holds a blank or a control character"), key, url);
	return 0;
}

int
hook_action_check(struct mgr *mgr, const char *key, const char *action,
		  struct mgr_error *err)
{
	struct task_context c;
	int rc;

	if (strcmp(action, "none") == 0)
		return 0;
	if (strncmp(action, "mail:", 5) == 0)
		return check_mail(mgr, key, action + 5, err);
	if (strncmp(action, "webhook:", 8) == 0)
		return check_webhook(mgr, key, action + 8, err);
	if (strncmp(action, "exec:", 5) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s: \"%s\": expected "
		    "exec:COMMAND ARG..., mail:ADDRESS, webhook:URL or none"), key,
		    action);
	if ((rc = task_func_check(action, err)) != 0)
		return mgr_error_prefix(err, "%s", key);
	task_context_init(&c);
	rc = task_context_check(mgr, key, action, &c, err);
	task_context_clear(&c);
	return rc;
}

/* The graph as stored, with the task being checked taking its new
 * edges: upstream lists by id, built once for the search. */
struct graph {
	const char *task_id;
	char **self;		/* the new after + after_any */
	char **ids;		/* the other tasks with dependencies ... */
	char ***ups;		/* ... and theirs */
	size_t n;
};

static void
graph_add(void *arg, const char *id, const char *json)
{
	struct graph *g = arg;
	struct mgr_error err = { 0 };
	struct task_hooks h;
	char **ups = NULL;

	if (strcmp(id, g->task_id) == 0 ||
	    task_hooks_from_json(json, &h, &err) != 0)
		return;
	for (size_t i = 0; h.after != NULL && h.after[i] != NULL; i++)
		ups = strv_push(ups, h.after[i]);
	for (size_t i = 0; h.after_any != NULL && h.after_any[i] != NULL; i++)
		ups = strv_push(ups, h.after_any[i]);
	task_hooks_clear(&h);
	if (ups == NULL)
		return;
	g->ids = xrealloc(g->ids, (g->n + 1) * sizeof *g->ids);
	g->ups = xrealloc(g->ups, (g->n + 1) * sizeof *g->ups);
	g->ids[g->n] = xstrdup(id);
	g->ups[g->n++] = ups;
}

static char *const *
graph_upstream(void *arg, const char *id)
{
	struct graph *g = arg;

	if (strcmp(id, g->task_id) == 0)
		return g->self;
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->ids[i], id) == 0)
			return g->ups[i];
	return NULL;
}

static void
graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->ids[i]);
		strv_free(g->ups[i]);
	}
	free(g->ids);
	free(g->ups);
	strv_free(g->self);
}

static int
check_cycle(struct mgr *mgr, const char *task_id, const struct task_hooks *h,
	    struct mgr_error *err)
{
	struct graph g = { .task_id = task_id };
	char *cycle = NULL;
	int rc;

	for (size_t i = 0; h->after != NULL && h->after[i] != NULL; i++)
		g.self = strv_push(g.self, h->after[i]);
	for (size_t i = 0; h->after_any != NULL && h->after_any[i] != NULL; i++)
		g.self = strv_push(g.self, h->after_any[i]);
	rc = task_hooks_store_list(mgr->db, graph_add, &g, err);
	if (rc == 0 && deps_find_cycle(task_id, graph_upstream, &g, &cycle))
		rc = mgr_error_set(err, MGR_ECONFLICT, _("task \"%s\": after: "
		    "this makes a cycle: %s"), task_id, cycle);
	free(cycle);
	graph_free(&g);
	return rc;
}

static int
check_deps(struct mgr *mgr, const char *task_id, const char *key,
	   char *const *list, struct mgr_error *err)
{
	struct task_rec t;

	for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
		if (strcmp(list[i], task_id) == 0)
			return mgr_error_set(err, MGR_EINVAL, _("task \"%s\": %s: a "
			    "task cannot run after itself"), task_id, key);
		if (task_store_read(mgr->db, list[i], &t, err) != 0)
			return mgr_error_prefix(err, _("task \"%s\": %s"), task_id,
			    key);
		task_rec_clear(&t);
	}
	return 0;
}

int
task_hooks_check(struct mgr *mgr, const char *task_id,
		 const struct task_hooks *h, struct mgr_error *err)
{
	int rc;

	for (int e = 0; e < HOOK_NEVENTS; e++)
		if (h->on[e] != NULL &&
		    (rc = hook_action_check(mgr, event_names[e], h->on[e], err)) != 0)
			return mgr_error_prefix(err, _("task \"%s\""), task_id);
	if ((rc = check_deps(mgr, task_id, "after", h->after, err)) != 0 ||
	    (rc = check_deps(mgr, task_id, "after_any", h->after_any, err)) != 0)
		return rc;
	if (h->after == NULL && h->after_any == NULL)
		return 0;
	return check_cycle(mgr, task_id, h, err);
}

int
task_hooks_get(struct mgr *mgr, const char *task_id, struct task_hooks *h,
	       struct mgr_error *err)
{
	char *json = NULL;
	int rc;

	task_hooks_init(h);
	if ((rc = task_hooks_store_get(mgr->db, task_id, &json, err)) != 0)
		return rc;
	rc = task_hooks_from_json(json, h, err);
	free(json);
	if (rc != 0)
		return mgr_error_prefix(err, _("task \"%s\": hooks"), task_id);
	return 0;
}

static int
strv_same(char *const *a, char *const *b)
{
	size_t i;

	for (i = 0; a != NULL && a[i] != NULL; i++)
		if (b == NULL || b[i] == NULL || strcmp(a[i], b[i]) != 0)
			return 0;
	return b == NULL || b[i] == NULL;
}

int
task_hooks_put(struct mgr *mgr, const char *task_id, const struct task_hooks *h,
	       struct mgr_error *err)
{
	struct mgr_error e2 = { 0 };
	struct task_hooks old, put = *h;
	char *json, *stored = NULL;
	int rc = 0, same;

	task_hooks_init(&old);
	if (task_hooks_store_get(mgr->db, task_id, &stored, &e2) == 0 &&
	    task_hooks_from_json(stored, &old, &e2) != 0)
		task_hooks_clear(&old);
	put.since = strv_same(old.after, h->after) &&
	    strv_same(old.after_any, h->after_any) && old.since != 0 ?
	    old.since : mgr_now_us();
	json = task_hooks_to_json(&put);
	/* A task file reloaded unchanged writes nothing (issue 18). */
	same = json == NULL || stored == NULL ? json == stored :
	    strcmp(json, stored) == 0;
	if (!same)
		rc = task_hooks_store_set(mgr->db, task_id, json, err);
	free(json);
	free(stored);
	task_hooks_clear(&old);
	if (rc == 0 && !same)
		scheduler_task_changed(mgr, task_id);	/* reads them again */
	return rc;
}

struct downstream {
	const char *id;
	char **all, **any;
};

static void
downstream_cb(void *arg, const char *id, const char *json)
{
	struct downstream *d = arg;
	struct mgr_error err = { 0 };
	struct task_hooks h;

	if (task_hooks_from_json(json, &h, &err) != 0)
		return;		/* a row that does not parse names no one */
	if (strv_has(h.after, d->id))
		d->all = strv_push(d->all, id);
	if (strv_has(h.after_any, d->id))
		d->any = strv_push(d->any, id);
	task_hooks_clear(&h);
}

int
task_hooks_downstream(struct mgr_db *db, const char *id, char ***all,
		      char ***any, struct mgr_error *err)
{
	struct downstream d = { .id = id };
	int rc;

	if ((rc = task_hooks_store_list(db, downstream_cb, &d, err)) != 0) {
		strv_free(d.all);
		strv_free(d.any);
		d.all = d.any = NULL;
	}
	*all = d.all;
	*any = d.any;
	return rc;
}
