/* api_routes.c - the HTTP API's routes: each one is the equivalent
 * command line run through cmd_dispatch with --json (one road for every
 * action), its exit status mapped to an HTTP status and its JSON put in
 * the API's one form (api_reply.c).  The route table is also the list of
 * paths of GET /openapi.json (api_openapi.c).
 */
#include "i18n.h"
#include "engine.h"
#include "host_worker.h"
#include "api.h"
#include "api_fields.h"
#include "api_openapi.h"
#include "api_routes.h"
#include "api_stream.h"
#include "cmd.h"
#include "manager.h"
#include "plugins.h"
#include "runlog.h"
#include "runlog_store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- running command lines ---- */

int
api_run_argv(struct api_call *call, char **argv, char **out, char **errout)
{
	int status = engine_run_captured(call->mgr, (int)strv_len(argv), argv,
	    1, out, errout);

	strv_free(argv);
	return status;
}

static char **
argv_of(const char *noun, const char *verb, const char *flag, const char *id)
{
	char **v = strv_push(strv_push(NULL, noun), verb);

	if (flag != NULL)
		v = strv_push(v, flag);
	/* NOUN VERB -- ID: whatever the id, it is never read as an option. */
	if (id != NULL)
		v = strv_push(strv_push(v, "--"), id);
	return v;
}

/* Runs argv; its JSON output, or NULL after replying with its failure. */
static json_t *
run_json(struct api_call *call, char **argv)
{
	char *out = NULL, *errout = NULL;
	int status = api_run_argv(call, argv, &out, &errout);
	json_t *o = NULL;

	if (status != CMD_EXIT_OK)
		api_reply_failed(call, status, errout);
	else if ((o = json_loads(out, JSON_DECODE_ANY, NULL)) == NULL)
		o = json_object();	/* a mutation that printed nothing */
	free(out);
	free(errout);
	return o;
}

/* A show's answer: its JSON with status, or its failure. */
static void
shown(struct api_call *call, int status, const char *out, const char *errout,
      int ok_status)
{
	json_t *o;

	if (status != CMD_EXIT_OK)
		api_reply_failed(call, status, errout);
	else {
		if ((o = json_loads(out, JSON_DECODE_ANY, NULL)) == NULL)
			o = json_object();	/* as run_json */
		api_reply_json(call, ok_status, o);
	}
}

static void
shown_ok(struct api_call *call, int status, const char *out,
	 const char *errout, const char *noun, const char *id)
{
	(void)noun;
	(void)id;
	shown(call, status, out, errout, 200);
}

static void
shown_created(struct api_call *call, int status, const char *out,
	      const char *errout, const char *noun, const char *id)
{
	(void)noun;
	(void)id;
	shown(call, status, out, errout, 201);
}

/* Through api_run_argv_then: `plugin show` answers once the engine's
 * list of the plugin's functions is made, without holding the loop. */
void
api_reply_show(struct api_call *call, const char *noun, const char *id,
	       int status)
{
	if (strcmp(noun, "task") == 0) {
		api_task_answer(call, id, status);
		return;
	}
	api_run_argv_then(call, argv_of(noun, "show", NULL, id),
	    status == 201 ? shown_created : shown_ok, noun, id);
}

/* A command a request waits for (api_run_argv_then). */
struct api_wait {
	struct api_call *call;	/* NULL once the request went away */
	api_then_fn then;
	const char *noun;
	char *id;
};

static void
api_wait_free(struct api_wait *w)
{
	free(w->id);
	free(w);
}

/* The request went away: the command goes on, its answer is dropped. */
static void
api_wait_cancel(void *ticket)
{
	struct api_wait *w = ticket;

	w->call = NULL;
}

static void
api_wait_done(void *arg, int status, char *out, char *errout)
{
	struct api_wait *w = arg;
	struct api_call *call = w->call;

	if (call != NULL) {
		call->ticket = NULL;
		call->cancel = NULL;
		w->then(call, status, out, errout, w->noun, w->id);
		if (call->ticket == NULL)	/* else then waits again (a show) */
			call->answered(call);
	}
	free(out);
	free(errout);
	api_wait_free(w);
}

void
api_run_argv_then(struct api_call *call, char **argv, api_then_fn then,
		  const char *noun, const char *id)
{
	struct api_wait *w;
	char *out = NULL, *errout = NULL;
	int status;

	if (call->answered == NULL) {	/* nobody to resume: answered now */
		status = api_run_argv(call, argv, &out, &errout);
		then(call, status, out, errout, noun, id);
		free(out);
		free(errout);
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->call = call;
	w->then = then;
	w->noun = noun;
	w->id = xstrdup(id);
	status = engine_run_later(call->mgr, (int)strv_len(argv), argv, 1,
	    api_wait_done, w, &out, &errout);
	strv_free(argv);
	if (status == CMD_EXIT_LATER) {
		call->ticket = w;
		call->cancel = api_wait_cancel;
		return;
	}
	then(call, status, out, errout, noun, id);
	free(out);
	free(errout);
	api_wait_free(w);
}

void
api_then_show(struct api_call *call, int status, const char *out,
	      const char *errout, const char *noun, const char *id)
{
	(void)out;		/* a mutation's own output: the show says it */
	if (status != CMD_EXIT_OK)
		api_reply_failed(call, status, errout);
	else
		api_reply_show(call, noun, id, 200);
}

/* Runs argv, then answers with `NOUN show ID`: the state after. */
static void
run_then_show(struct api_call *call, char **argv, const char *noun,
	      const char *id)
{
	api_run_argv_then(call, argv, api_then_show, noun, id);
}

/* Runs argv and answers 204 No Content. */
static void
run_no_content(struct api_call *call, char **argv)
{
	json_t *o = run_json(call, argv);

	if (o == NULL)
		return;
	json_decref(o);
	free(call->body_out);
	call->body_out = NULL;
	call->status = 204;
}

/* A list command's array, one page of it. */
static void
run_list(struct api_call *call, char **argv)
{
	json_t *o = run_json(call, argv);

	if (o == NULL)
		return;
	if (!json_is_array(o)) {
		json_decref(o);
		api_reply_error(call, 500, "internal_error", _("the list command "
		    "did not answer a list"));
		return;
	}
	if (api_page(call, &o) == 0)
		api_reply_json(call, 200, o);
	else
		json_decref(o);
}

/* ---- request bodies ---- */

json_t *
api_body_object(struct api_call *call)
{
	json_t *errs = NULL, *o;
	json_error_t jerr;

	if (call->body_len == 0) {
		api_invalid(&errs, "body", NULL, "missing", _("Field required"));
		api_reply_invalid(call, errs);
		return NULL;
	}
	if ((o = json_loadb(call->body, call->body_len, 0, &jerr)) == NULL) {
		char *pos = xasprintf("%d", jerr.position);
		api_invalid(&errs, "body", pos, "json_invalid", _("JSON decode "
		    "error: %s (line %d, column %d)"), jerr.text, jerr.line,
		    jerr.column);
		free(pos);
		api_reply_invalid(call, errs);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		api_invalid(&errs, "body", NULL, "model_attributes_type",
		    _("Input should be a valid dictionary or object to extract "
		    "fields from"));
		api_reply_invalid(call, errs);
		return NULL;
	}
	return o;
}

static int
query_true(const struct api_call *call, const char *name)
{
	const char *v = api_query(call, name);

	return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	    *v == '\0');
}

/* ---- tasks ---- */

static void
task_list(struct api_call *call, const char *id)
{
	(void)id;
	run_list(call, argv_of("task", "list", NULL, NULL));
}

static void
task_show(struct api_call *call, const char *id)
{
	api_reply_show(call, "task", id, 200);
}

/* The runs of a task: the history's newest first, one page of them. */
static void
task_runs(struct api_call *call, const char *id)
{
	char **argv = argv_of("task", "history", "--limit=1000000", id);
	json_t *shown = run_json(call, argv_of("task", "show", NULL, id));

	if (shown == NULL)
		strv_free(argv);	/* 404 for an unknown task */
	else
		run_list(call, argv);
	json_decref(shown);
}

static void
task_remove(struct api_call *call, const char *id)
{
	run_no_content(call, argv_of("task", "remove",
	    query_true(call, "stop") ? "--stop" : NULL, id));
}

/* By group commit (api_batch.c), not `task pause` and `task show`. */
static void task_pause(struct api_call *c, const char *id)
{ api_batch_add(c, id, 0); }
static void task_resume(struct api_call *c, const char *id)
{ api_batch_add(c, id, 1); }
static void task_stop(struct api_call *c, const char *id)
{ run_then_show(c, argv_of("task", "stop", "--no-wait", id), "task", id); }

/* 202: the run goes on; its id, and where to follow it. */
static void
task_run(struct api_call *call, const char *id)
{
	json_t *o = run_json(call, argv_of("task", "run", "--detach", id));
	json_int_t run;

	if (o == NULL)
		return;
	run = json_integer_value(json_object_get(o, "id"));
	snprintf(call->location, sizeof call->location, "/manager/runs/%lld",
	    (long long)run);
	api_reply_json(call, 202, o);
}

static void
run_show(struct api_call *call, const char *id)
{
	json_t *o = run_json(call, argv_of("run", "show", NULL, id));

	if (o != NULL)
		api_reply_json(call, 200, o);
}

/* ---- plugins ---- */

static void
plugin_list(struct api_call *call, const char *id)
{
	(void)id;
	run_list(call, argv_of("plugin", "list", NULL, NULL));
}

static void
plugin_show(struct api_call *call, const char *id)
{
	api_reply_show(call, "plugin", id, 200);
}

static void
plugin_uninstall(struct api_call *call, const char *id)
{
	run_no_content(call, argv_of("plugin", "uninstall",
	    query_true(call, "keep_tasks") ? "--keep-tasks" : NULL, id));
}

static void plugin_enable(struct api_call *c, const char *id)
{ run_then_show(c, argv_of("plugin", "enable", NULL, id), "plugin", id); }
static void plugin_reload(struct api_call *c, const char *id)
{ run_then_show(c, argv_of("plugin", "reload", NULL, id), "plugin", id); }

/* A copy of s with each "from" replaced by "to". */
static char *
replaced(const char *s, const char *from, const char *to)
{
	struct strbuf b = { 0 };
	const char *p;

	while (s != NULL && (p = strstr(s, from)) != NULL) {
		strbuf_add(&b, s, (size_t)(p - s));
		strbuf_adds(&b, to);
		s = p + strlen(from);
	}
	strbuf_adds(&b, s != NULL ? s : "");
	return strbuf_detach(&b);
}

/* ?cascade=true is the command's --cascade, and the 409 says so. */
static void
disabled(struct api_call *call, int status, const char *out,
	 const char *errout, const char *noun, const char *id)
{
	json_t *b;
	char *fixed;

	api_then_show(call, status, out, errout, noun, id);
	if (status == CMD_EXIT_OK || call->status != 409 ||
	    (b = json_loads(call->body_out, 0, NULL)) == NULL)
		return;
	fixed = replaced(json_string_value(json_object_get(b, "detail")),
	    "--cascade", "?cascade=true");
	api_reply_error(call, 409, json_string_value(json_object_get(b, "type")),
	    "%s", fixed);
	free(fixed);
	json_decref(b);
}

static void
plugin_disable(struct api_call *call, const char *id)
{
	api_run_argv_then(call, argv_of("plugin", "disable", query_true(call,
	    "cascade") ? "--cascade" : NULL, id), disabled, "plugin", id);
}

/* ---- snapshots ---- */

static void
snap_list_all(struct api_call *call, const char *id)
{
	(void)id;
	run_list(call, argv_of("snapshot", "list", NULL, NULL));
}

/* `snapshot list ID` lists nothing for a plugin that is not installed;
 * the route says 404 instead, as `plugin show ID` does. */
static void
snap_list_plugin(struct api_call *call, const char *id)
{
	json_t *shown = run_json(call, argv_of("plugin", "show", NULL, id));

	if (shown != NULL)
		run_list(call, argv_of("snapshot", "list", NULL, id));
	json_decref(shown);
}

static void
snap_create(struct api_call *call, const char *id)
{
	json_t *o = run_json(call, argv_of("snapshot", "create", NULL, id));

	if (o != NULL)
		api_reply_json(call, 201, o);
}

static void
snap_restore(struct api_call *call, const char *sid)
{
	json_t *o = run_json(call, argv_of("snapshot", "restore", NULL, sid));

	if (o != NULL)
		api_reply_json(call, 200, o);
}

static void
snap_delete(struct api_call *call, const char *sid)
{
	run_no_content(call, argv_of("snapshot", "delete", NULL, sid));
}

/* ---- run logs ---- */

/* ?stream=stdout|stderr, ?format=text|json into spec; 0, or 422. */
static int
log_query(struct api_call *call, struct api_stream_spec *spec)
{
	const char *stream = api_query(call, "stream");
	const char *format = api_query(call, "format");
	json_t *errs = NULL;

	spec->follow = query_true(call, "follow");
	spec->mask = 1u << RUNLOG_DROPPED;
	if (stream == NULL || strcmp(stream, "stdout") == 0)
		spec->mask |= 1u << RUNLOG_STDOUT;
	if (stream == NULL || strcmp(stream, "stderr") == 0)
		spec->mask |= 1u << RUNLOG_STDERR;
	if (spec->mask == 1u << RUNLOG_DROPPED)
		api_invalid(&errs, "query", "stream", "literal_error",
		    _("Input should be 'stdout' or 'stderr'"));
	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "text") != 0)
		api_invalid(&errs, "query", "format", "literal_error",
		    _("Input should be 'text' or 'json'"));
	if (errs != NULL) {
		api_reply_invalid(call, errs);
		return -1;
	}
	spec->json = format != NULL && strcmp(format, "json") == 0;
	return 0;
}

static void
run_log_open(struct api_call *call, struct api_stream_spec *spec,
	     long long run)
{
	struct mgr_error err = { 0 };

	if ((call->stream = api_stream_new(call->mgr, spec, &err)) == NULL) {
		if (err.code == MGR_ENOENT)
			api_reply_error(call, 404, "not_found", _("run %lld has no "
			    "log (pruned, or full logs are off)"), run);
		else
			api_reply_error(call, 500, "io_error", "%s", err.msg);
		return;
	}
	call->status = 200;
	call->content_type = spec->json ? "application/x-ndjson" :
	    "text/plain; charset=utf-8";
}

/* GET /manager/runs/{run}/log: text lines, or JSON lines with
 * ?format=json; ?follow=1 streams a running run's lines until it ends. */
static void
run_log(struct api_call *call, const char *id)
{
	struct api_stream_spec spec = { 0 };
	struct mgr_error err = { 0 };
	char *task = NULL;
	long long run = atoll(id);
	int rc;

	if (log_query(call, &spec) != 0)
		return;
	if ((rc = runlog_store_key(call->mgr->db, run, &task, &spec.scheduled_at,
	    &spec.attempt, &err)) != 0) {
		api_reply_error(call, rc == MGR_ENOENT ? 404 : 500, rc == MGR_ENOENT ?
		    "not_found" : "database_error", "%s", err.msg);
		return;
	}
	spec.task_id = task;
	run_log_open(call, &spec, run);
	free(task);
}

/* ---- the document and the metrics ---- */

static void
openapi(struct api_call *call, const char *id)
{
	(void)id;
	api_reply_json(call, 200, api_openapi_document());
}

static void
metrics(struct api_call *call, const char *id)
{
	(void)id;
	free(call->body_out);
	call->body_out = api_metrics_text(call->mgr);
	call->body_type = "text/plain; version=0.0.4; charset=utf-8";
	call->status = 200;
}

/* ---- the table ---- */

#define T "/manager/tasks/{task_id}"
#define P "/manager/plugins/{plugin_id}"
#define ID ROUTE_HAS_ID

static const struct api_route routes[] = {
	{ "GET", "/manager/tasks", task_list, "listTasks", "tasks",
	  N_("List the tasks"), NULL, 200, "[Task]", ROUTE_PAGED },
	{ "POST", "/manager/tasks", api_task_create, "createTask", "tasks",
	  N_("Add a task"), "TaskCreate", 201, "Task",
	  ROUTE_LOCATION | ROUTE_CONFLICT },
	{ "GET", T, task_show, "getTask", "tasks", N_("Show a task"), NULL,
	  200, "Task", ID },
	{ "PUT", T, api_task_update, "updateTask", "tasks", N_("Change a task "
	  "(the fields given; a body taken from GET works)"), "TaskUpdate", 200,
	  "Task", ID },
	{ "PATCH", T, api_task_update, "patchTask", "tasks", N_("Change some "
	  "fields of a task"), "TaskUpdate", 200, "Task", ID },
	{ "DELETE", T, task_remove, "deleteTask", "tasks", N_("Remove a task "
	  "(?stop=true also stops its runs)"), NULL, 204, NULL,
	  ID | ROUTE_NO_BODY },
	{ "GET", T "/runs", task_runs, "listTaskRuns", "runs",
	  N_("List a task's runs, newest first"), NULL, 200, "[Run]",
	  ID | ROUTE_PAGED },
	{ "POST", T "/run", task_run, "runTask", "runs", N_("Run a task now"),
	  NULL, 202, "RunStarted", ID | ROUTE_LOCATION | ROUTE_CONFLICT },
	{ "POST", T "/pause", task_pause, "pauseTask", "tasks",
	  N_("Pause a task"), NULL, 200, "Task", ID },
	{ "POST", T "/resume", task_resume, "resumeTask", "tasks",
	  N_("Resume a task"), NULL, 200, "Task", ID },
	{ "POST", T "/stop", task_stop, "stopTask", "tasks",
	  N_("Stop a task's runs going on"), NULL, 200, "Task", ID },
	{ "GET", "/manager/runs/{run_id}", run_show, "getRun", "runs",
	  N_("Show a run"), NULL, 200, "Run", ID },
	{ "GET", "/manager/runs/{run_id}/log", run_log, "getRunLog", "runs",
	  N_("A run's output (?stream, ?format=json, ?follow=true)"), NULL, 200,
	  NULL, ID | ROUTE_TEXT },
	{ "GET", "/manager/plugins", plugin_list, "listPlugins", "plugins",
	  N_("List the plugins"), NULL, 200, "[Plugin]", ROUTE_PAGED },
	{ "POST", "/manager/plugins", api_plugin_install, "installPlugin",
	  "plugins", N_("Install a plugin"), "PluginCreate", 201, "Plugin",
	  ROUTE_LOCATION | ROUTE_CONFLICT },
	{ "GET", P, plugin_show, "getPlugin", "plugins", N_("Show a plugin"),
	  NULL, 200, "Plugin", ID },
	{ "PUT", P, api_plugin_update, "updatePlugin", "plugins",
	  N_("Enable or disable a plugin"), "PluginUpdate", 200, "Plugin",
	  ID | ROUTE_CONFLICT },
	{ "PATCH", P, api_plugin_update, "patchPlugin", "plugins",
	  N_("Enable or disable a plugin"), "PluginUpdate", 200, "Plugin",
	  ID | ROUTE_CONFLICT },
	{ "DELETE", P, plugin_uninstall, "uninstallPlugin", "plugins",
	  N_("Uninstall a plugin (?keep_tasks=true keeps its tasks)"), NULL,
	  204, NULL, ID | ROUTE_NO_BODY | ROUTE_CONFLICT },
	{ "POST", P "/enable", plugin_enable, "enablePlugin", "plugins",
	  N_("Enable a plugin"), NULL, 200, "Plugin", ID | ROUTE_CONFLICT },
	{ "POST", P "/disable", plugin_disable, "disablePlugin", "plugins",
	  N_("Disable a plugin (?cascade=true: its dependents first)"), NULL,
	  200, "Plugin", ID | ROUTE_CONFLICT },
	{ "POST", P "/reload", plugin_reload, "reloadPlugin", "plugins",
	  N_("Reload a plugin"), NULL, 200, "Plugin", ID | ROUTE_CONFLICT },
	{ "GET", P "/snapshots", snap_list_plugin, "listPluginSnapshots",
	  "snapshots", N_("List a plugin's snapshots"), NULL, 200, "[Snapshot]",
	  ID | ROUTE_PAGED },
	{ "POST", P "/snapshots", snap_create, "createSnapshot", "snapshots",
	  N_("Take a snapshot of a plugin"), NULL, 201, "Snapshot", ID },
	{ "GET", "/manager/snapshots", snap_list_all, "listSnapshots",
	  "snapshots", N_("List every snapshot"), NULL, 200, "[Snapshot]",
	  ROUTE_PAGED },
	{ "POST", "/manager/snapshots/{snapshot_id}/restore", snap_restore,
	  "restoreSnapshot", "snapshots", N_("Restore a plugin from a snapshot"),
	  NULL, 200, "Snapshot", ID | ROUTE_CONFLICT },
	{ "DELETE", "/manager/snapshots/{snapshot_id}", snap_delete,
	  "deleteSnapshot", "snapshots", N_("Delete a snapshot"), NULL, 204,
	  NULL, ID | ROUTE_NO_BODY },
	{ "GET", "/metrics", metrics, "getMetrics", "host",
	  N_("The host's metrics, in Prometheus' text format"), NULL, 200, NULL,
	  ROUTE_TEXT },
	{ "GET", "/openapi.json", openapi, "getOpenAPI", "host",
	  N_("This document"), NULL, 200, "OpenAPI", 0 },
};

const struct api_route *
api_routes(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}

/* ---- dispatch ---- */

/* Matches "/manager/tasks/t1/run" against "/manager/tasks/{task_id}/run";
 * *id gets a copy of the id (any length: ids are checked afterwards). */
static int
route_match(const char *pattern, const char *path, char **id)
{
	const char *idp = NULL;
	size_t idlen = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '{') {
			idlen = strcspn(path, "/");
			if (idlen == 0)
				return 0;
			idp = path;
			pattern += strcspn(pattern, "}") + 1;
			path += idlen;
		} else if (*pattern++ != *path++)
			return 0;
	}
	if (*pattern != '\0' || *path != '\0')
		return 0;
	*id = idp != NULL ? xstrndup(idp, idlen) : NULL;
	return 1;
}

/* An id from the URL follows its rule before it goes anywhere near a
 * command line: 422 naming it otherwise. */
static int
route_id_ok(struct api_call *call, const char *pattern, const char *id)
{
	struct mgr_error err = { 0 };
	const char *name = strchr(pattern, '{'), *what = _("task id");
	json_t *errs = NULL;
	char *param, *end;

	if (id == NULL)
		return 1;
	param = xstrndup(name + 1, strcspn(name + 1, "}"));
	if (strcmp(param, "run_id") == 0 || strcmp(param, "snapshot_id") == 0) {
		if (strtoll(id, &end, 10) <= 0 || *end != '\0')
			api_invalid(&errs, "path", param, "int_parsing", _("Input "
			    "should be a valid integer, unable to parse string as an "
			    "integer"));
	} else {
		if (strcmp(param, "plugin_id") == 0)
			what = _("plugin id");
		if (mgr_id_check(what, id, &err) != 0)
			api_invalid(&errs, "path", param, "value_error",
			    _("Value error, %s"), err.msg);
	}
	free(param);
	if (errs == NULL)
		return 1;
	api_reply_invalid(call, errs);
	return 0;
}

/* A sandboxed plugin's route whose host worker failed (host_worker.h):
 * 504 when it did not answer in time, 503 when the call was not made
 * (its worker stopped first, or too many calls wait), 502 when it
 * crashed or failed. */
static void
plugin_route_failed(struct api_call *call, int rc, const char *msg)
{
	if (rc == MGR_ETIMEOUT)
		api_reply_error(call, 504, "timed_out", "%s", msg);
	else if (rc == MGR_EBUSY)
		api_reply_error(call, 503, "unavailable", "%s", msg);
	else
		api_reply_error(call, 502, "plugin_failure", "%s", msg);
}

/* The plugin's answer: its status (checked) and body. */
static void
plugin_route_answer(struct api_call *call, const char *id, int status,
		    char *out)
{
	if (status < 100 || status > 599) {
		free(out);
		api_reply_error(call, 500, "plugin_failure", _("plugin \"%s\" "
		    "answered with HTTP status %d"), id, status);
		return;
	}
	free(call->body_out);
	call->status = status;
	call->body_out = out != NULL && *out != '\0' ? out : xstrdup("{}");
	if (call->body_out != out)
		free(out);
}

/* The plugin id of a /plugins/{plugin_id}/PATH request (malloc'd). */
static char *
plugin_route_id(const struct api_call *call)
{
	const char *rest = call->url + strlen("/plugins/");

	return xstrndup(rest, strcspn(rest, "/"));
}

/* The host worker's answer to a route handed to it (plugins_route). */
static void
plugin_route_done(void *arg, struct hostw_answer *a)
{
	struct api_call *call = arg;
	char *id = plugin_route_id(call);

	call->ticket = NULL;
	call->cancel = NULL;
	if (a->rc != 0)
		plugin_route_failed(call, a->rc, a->error);
	else {
		plugin_route_answer(call, id, a->code, a->out);
		a->out = NULL;
	}
	free(id);
	call->answered(call);
}

/* /plugins/{plugin_id}/PATH: a route the plugin registered through the
 * host table (it runs here, on the loop thread, like its hooks; with
 * sandboxing, in the plugin's confined host worker, which answers
 * later: host_worker.h). */
static void
plugin_own_route(struct api_call *call)
{
	const char *rest = call->url + strlen("/plugins/");
	const char *slash = strchr(rest, '/');
	struct mgr_error err = { 0 };
	char *id, *out = NULL;
	int status = 0, rc;

	if (slash == NULL || slash == rest || slash[1] == '\0') {
		api_reply_error(call, 404, "not_found", _("no route %s"), call->url);
		return;
	}
	id = xstrndup(rest, (size_t)(slash - rest));
	if (!route_id_ok(call, "{plugin_id}", id)) {
		free(id);
		return;
	}
	rc = plugins_route(call->mgr, id, call->method, slash,
	    call->body != NULL ? call->body : "", &out, &status,
	    plugin_route_done, call, &call->ticket, &err);
	if (call->ticket != NULL)
		call->cancel = plugins_route_cancel;
	if (rc == MGR_ENOENT)
		api_plugin_route_missing(call, id, slash);
	else if (rc != 0 && rc != PLUGINS_ROUTE_LATER)
		plugin_route_failed(call, rc, err.msg);
	else if (rc == 0)
		plugin_route_answer(call, id, status, out);
	free(id);
}

/* Calls the route for the method, or gathers the methods allowed on the
 * path in allow; 1 when a route answered. */
static int
route_try(struct api_call *call, const struct api_route *r, char *allow,
	  size_t allowsz)
{
	char *id = NULL;

	if (!route_match(r->path, call->url, &id))
		return 0;
	if (strcmp(r->method, call->method) != 0) {
		snprintf(allow + strlen(allow), allowsz - strlen(allow), "%s%s",
		    *allow != '\0' ? ", " : "", r->method);
		free(id);
		return 0;
	}
	if (route_id_ok(call, r->path, id))
		r->fn(call, id);
	free(id);
	return 1;
}

void
api_route(struct api_call *call)
{
	char allow[sizeof call->allow] = "";

	call->total = -1;
	if (strncmp(call->url, "/plugins/", 9) == 0) {
		plugin_own_route(call);
		return;
	}
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (route_try(call, &routes[i], allow, sizeof allow))
			return;
	if (*allow == '\0') {
		api_reply_error(call, 404, "not_found", _("no route %s"), call->url);
		return;
	}
	snprintf(call->allow, sizeof call->allow, "%s", allow);
	api_reply_error(call, 405, "method_not_allowed", _("%s is not allowed "
	    "on %s (allowed: %s)"), call->method, call->url, allow);
}
