/* api_routes.c - the HTTP API's routes: each one is the equivalent
 * command line run through cmd_dispatch with --json (one road for every
 * action), its exit status mapped to an HTTP status.
 */
#include "i18n.h"
#include "api.h"
#include "api_routes.h"
#include "cmd.h"
#include "host.h"
#include "manager.h"
#include "plugins.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct route {
	const char *method;
	const char *pattern;	/* segments after /manager/; "*" is an id */
	void (*fn)(struct api_call *call, const char *id);
};

/* ---- responses ---- */

static void
reply(struct api_call *call, int status, char *body)
{
	free(call->body_out);
	call->status = status;
	call->body_out = body;
}

static void
reply_json(struct api_call *call, int status, json_t *o)
{
	reply(call, status, json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER));
	json_decref(o);
}

void
api_reply_error(struct api_call *call, int status, const char *field,
		const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *o;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	o = json_pack("{s:s}", "error", msg);
	if (field != NULL)
		json_object_set_new(o, "field", json_string(field));
	reply_json(call, status, o);
}

/* The command's stderr as a JSON error: cmd_fail already wrote one with
 * --json; usage text and the like are wrapped. */
static json_t *
error_body(const char *errout)
{
	json_t *o = json_loads(errout, JSON_DISABLE_EOF_CHECK, NULL);
	char *text;
	size_t n;

	if (json_is_object(o) && json_object_get(o, "error") != NULL)
		return o;
	json_decref(o);
	text = xstrdup(*errout != '\0' ? errout : _("command failed"));
	n = strlen(text);
	while (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	o = json_pack("{s:s}", "error", text);
	free(text);
	return o;
}

/* ---- running command lines ---- */

struct run {
	int status;
	char *out, *err;
};

static int
run_argv(struct api_call *call, char **argv, struct run *r)
{
	r->status = engine_run_captured(call->mgr, (int)strv_len(argv), argv, 1,
	    &r->out, &r->err);
	return r->status;
}

static void
run_clear(struct run *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof *r);
}

/* Replies with the command's failure; returns 1 if it failed. */
static int
reply_if_failed(struct api_call *call, struct run *r)
{
	json_t *o;

	if (r->status == CMD_EXIT_OK)
		return 0;
	o = error_body(r->err);
	reply_json(call, api_http_status(r->status,
	    json_string_value(json_object_get(o, "code"))), o);
	return 1;
}

/* Runs argv; on success replies with its output, or, when it printed
 * nothing, with what `show_noun show ID` prints. */
static void
run_and_reply(struct api_call *call, char **argv, int ok_status,
	      const char *show_noun, const char *id)
{
	struct run r = { 0 };

	run_argv(call, argv, &r);
	strv_free(argv);
	if (!reply_if_failed(call, &r)) {
		if (*r.out != '\0')
			reply(call, ok_status, xstrdup(r.out));
		else if (show_noun == NULL)
			reply_json(call, ok_status, json_pack("{s:s}", "id", id));
		else {
			char **show = strv_push(strv_push(strv_push(NULL, show_noun),
			    "show"), id);
			run_clear(&r);
			run_argv(call, show, &r);
			strv_free(show);
			if (!reply_if_failed(call, &r))
				reply(call, ok_status, xstrdup(r.out));
		}
	}
	run_clear(&r);
}

static char **
argv_of(const char *a, const char *b, const char *c)
{
	char **v = strv_push(NULL, a);

	if (b != NULL)
		v = strv_push(v, b);
	if (c != NULL)
		v = strv_push(v, c);
	return v;
}

/* ---- request bodies ---- */

static json_t *
body_object(struct api_call *call)
{
	json_error_t jerr;
	json_t *o;

	if (call->body_len == 0) {
		api_reply_error(call, 400, NULL, _("a JSON object body is required"));
		return NULL;
	}
	o = json_loadb(call->body, call->body_len, 0, &jerr);
	if (o == NULL) {
		api_reply_error(call, 400, NULL, _("invalid JSON at line %d, column "
		    "%d: %s"), jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		api_reply_error(call, 400, NULL, _("the body must be a JSON object"));
		return NULL;
	}
	return o;
}

static int
field_check(struct api_call *call, json_t *body, const char *name,
	    int type, int required)
{
	json_t *v = json_object_get(body, name);
	static const char *const names[] = { [JSON_OBJECT] = "an object",
	    [JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
	    [JSON_TRUE] = "a boolean" };

	if (v == NULL || json_is_null(v)) {
		if (!required)
			return 0;
		api_reply_error(call, 400, name, _("field \"%s\" is required"), name);
		return -1;
	}
	if (json_typeof(v) == (json_type)type || (type == JSON_TRUE &&
	    json_is_boolean(v)) || (type == JSON_INTEGER && json_is_integer(v) &&
	    json_integer_value(v) >= 0))
		return 0;
	api_reply_error(call, 400, name, _("field \"%s\" must be %s%s"), name,
	    _(names[type]), type == JSON_INTEGER ? _(" >= 0") : "");
	return -1;
}

static int
fields_known(struct api_call *call, json_t *body, const char *const *known)
{
	const char *key;
	json_t *v;

	json_object_foreach(body, key, v) {
		size_t i;
		for (i = 0; known[i] != NULL && strcmp(known[i], key) != 0; i++)
			;
		if (known[i] == NULL) {
			api_reply_error(call, 400, key, _("unknown field \"%s\""), key);
			return -1;
		}
	}
	return 0;
}

/* trigger_args {"minutes": 30} becomes minutes=30. */
static char **
push_trigger_args(struct api_call *call, char **argv, json_t *args)
{
	const char *key;
	json_t *v;
	char *s, field[160];

	json_object_foreach(args, key, v) {
		snprintf(field, sizeof field, "trigger_args.%s", key);
		if (json_is_string(v))
			s = xasprintf("%s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			s = xasprintf("%s=%lld", key, (long long)json_integer_value(v));
		else if (json_is_real(v))
			s = xasprintf("%s=%.17g", key, json_real_value(v));
		else if (json_is_boolean(v))
			s = xasprintf("%s=%s", key, json_is_true(v) ? "true" : "false");
		else {
			api_reply_error(call, 400, field, _("field \"%s\" must be a "
			    "string, number or boolean"), field);
			strv_free(argv);
			return NULL;
		}
		argv = strv_push(argv, s);
		free(s);
	}
	return argv;
}

static char **
push_int_option(char **argv, json_t *body, const char *field, const char *opt)
{
	json_t *v = json_object_get(body, field);
	char num[32];

	if (v == NULL || json_is_null(v))
		return argv;
	snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
	return strv_push(strv_push(argv, opt), num);
}

static char **
push_str_option(char **argv, json_t *body, const char *field, const char *opt)
{
	json_t *v = json_object_get(body, field);

	if (v == NULL || json_is_null(v))
		return argv;
	return strv_push(strv_push(argv, opt), json_string_value(v));
}

/* ---- tasks ---- */

static void
task_list(struct api_call *call, const char *id)
{
	(void)id;
	run_and_reply(call, argv_of("task", "list", NULL), 200, NULL, NULL);
}

static void
task_show(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_of("task", "show", id), 200, NULL, id);
}

static void
task_runs(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_of("task", "history", id), 200, NULL, id);
}

static void
task_remove(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_of("task", "remove", id), 200, NULL, id);
}

static void
task_action(struct api_call *call, const char *id, const char *verb)
{
	run_and_reply(call, argv_of("task", verb, id), 200, "task", id);
}

static void task_run(struct api_call *c, const char *id) { task_action(c, id, "run"); }
static void task_pause(struct api_call *c, const char *id) { task_action(c, id, "pause"); }
static void task_resume(struct api_call *c, const char *id) { task_action(c, id, "resume"); }

static char *
task_new_id(void)
{
	unsigned char raw[6];
	char hex[13];

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		memset(raw, 0, sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return xasprintf("task-%s", hex);
}

static const char *const task_create_fields[] = { "id", "name", "func_path",
	"trigger", "trigger_args", "max_retries", "timeout", "enabled", NULL };

static int
task_create_check(struct api_call *call, json_t *b)
{
	if (fields_known(call, b, task_create_fields) != 0 ||
	    field_check(call, b, "name", JSON_STRING, 1) != 0 ||
	    field_check(call, b, "func_path", JSON_STRING, 1) != 0 ||
	    field_check(call, b, "trigger", JSON_STRING, 1) != 0 ||
	    field_check(call, b, "trigger_args", JSON_OBJECT, 0) != 0 ||
	    field_check(call, b, "max_retries", JSON_INTEGER, 0) != 0 ||
	    field_check(call, b, "timeout", JSON_INTEGER, 0) != 0 ||
	    field_check(call, b, "enabled", JSON_TRUE, 0) != 0 ||
	    field_check(call, b, "id", JSON_STRING, 0) != 0)
		return -1;
	return 0;
}

static void
task_create(struct api_call *call, const char *unused)
{
	json_t *b = body_object(call), *v;
	char **argv, *id;

	(void)unused;
	if (b == NULL || task_create_check(call, b) != 0) {
		json_decref(b);
		return;
	}
	v = json_object_get(b, "id");
	id = json_is_string(v) ? xstrdup(json_string_value(v)) : task_new_id();
	argv = argv_of("task", "add", NULL);
	argv = push_str_option(argv, b, "name", "--name");
	argv = push_int_option(argv, b, "max_retries", "--max-retries");
	argv = push_int_option(argv, b, "timeout", "--timeout");
	if (json_is_false(json_object_get(b, "enabled")))
		argv = strv_push(argv, "--disable");
	argv = strv_push(strv_push(argv, "--"), id);
	argv = strv_push(argv, json_string_value(json_object_get(b, "func_path")));
	argv = strv_push(argv, json_string_value(json_object_get(b, "trigger")));
	if ((v = json_object_get(b, "trigger_args")) != NULL && json_is_object(v))
		argv = push_trigger_args(call, argv, v);
	if (argv != NULL)
		run_and_reply(call, argv, 201, "task", id);
	free(id);
	json_decref(b);
}

static const char *const task_update_fields[] = { "name", "enabled",
	"trigger_args", "func_path", "trigger", "max_retries", "timeout", NULL };

static void
task_update(struct api_call *call, const char *id)
{
	json_t *b = body_object(call), *v;
	char **argv;

	if (b == NULL || fields_known(call, b, task_update_fields) != 0 ||
	    field_check(call, b, "name", JSON_STRING, 0) != 0 ||
	    field_check(call, b, "enabled", JSON_TRUE, 0) != 0 ||
	    field_check(call, b, "trigger_args", JSON_OBJECT, 0) != 0 ||
	    field_check(call, b, "func_path", JSON_STRING, 0) != 0 ||
	    field_check(call, b, "trigger", JSON_STRING, 0) != 0 ||
	    field_check(call, b, "max_retries", JSON_INTEGER, 0) != 0 ||
	    field_check(call, b, "timeout", JSON_INTEGER, 0) != 0) {
		json_decref(b);
		return;
	}
	/* "task edit" reads the id first, then the options. */
	argv = argv_of("task", "edit", id);
	argv = push_str_option(argv, b, "name", "--name");
	argv = push_str_option(argv, b, "func_path", "--func");
	argv = push_str_option(argv, b, "trigger", "--trigger");
	argv = push_int_option(argv, b, "max_retries", "--max-retries");
	argv = push_int_option(argv, b, "timeout", "--timeout");
	if ((v = json_object_get(b, "enabled")) != NULL && json_is_boolean(v))
		argv = strv_push(argv, json_is_true(v) ? "--enable" : "--disable");
	argv = strv_push(argv, "--");
	if ((v = json_object_get(b, "trigger_args")) != NULL && json_is_object(v))
		argv = push_trigger_args(call, argv, v);
	if (argv != NULL)
		run_and_reply(call, argv, 200, "task", id);
	json_decref(b);
}

/* ---- plugins ---- */

static void
plugin_list(struct api_call *call, const char *id)
{
	(void)id;
	run_and_reply(call, argv_of("plugin", "list", NULL), 200, NULL, NULL);
}

static void
plugin_show(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_of("plugin", "show", id), 200, NULL, id);
}

static void
plugin_uninstall(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_of("plugin", "uninstall", id), 200, NULL, id);
}

static void
plugin_action(struct api_call *call, const char *id, const char *verb)
{
	run_and_reply(call, argv_of("plugin", verb, id), 200, "plugin", id);
}

static void plugin_enable(struct api_call *c, const char *id) { plugin_action(c, id, "enable"); }
static void plugin_disable(struct api_call *c, const char *id) { plugin_action(c, id, "disable"); }
static void plugin_reload(struct api_call *c, const char *id) { plugin_action(c, id, "reload"); }

static const char *const plugin_install_fields[] = { "source", NULL };

static void
plugin_install(struct api_call *call, const char *unused)
{
	json_t *b = body_object(call);
	char **argv;

	(void)unused;
	if (b == NULL || fields_known(call, b, plugin_install_fields) != 0 ||
	    field_check(call, b, "source", JSON_STRING, 1) != 0) {
		json_decref(b);
		return;
	}
	argv = strv_push(argv_of("plugin", "install", "--"),
	    json_string_value(json_object_get(b, "source")));
	run_and_reply(call, argv, 201, NULL,
	    json_string_value(json_object_get(b, "source")));
	json_decref(b);
}

/* ---- snapshots ---- */

static void
snap_list_all(struct api_call *call, const char *id)
{
	(void)id;
	run_and_reply(call, argv_of("snapshot", "list", NULL), 200, NULL, NULL);
}

/* `snapshot list ID` lists nothing for a plugin that is not installed;
 * the route says 404 instead, as `plugin show ID` does. */
static void
snap_list_plugin(struct api_call *call, const char *id)
{
	struct run r = { 0 };
	char **show = argv_of("plugin", "show", id);

	run_argv(call, show, &r);
	strv_free(show);
	if (!reply_if_failed(call, &r))
		run_and_reply(call, argv_of("snapshot", "list", id), 200, NULL, id);
	run_clear(&r);
}

static void
snap_create(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_of("snapshot", "create", id), 201, NULL, id);
}

static void
snap_restore(struct api_call *call, const char *sid)
{
	run_and_reply(call, argv_of("snapshot", "restore", sid), 200, NULL, sid);
}

static void
snap_delete(struct api_call *call, const char *sid)
{
	run_and_reply(call, argv_of("snapshot", "delete", sid), 200, NULL, sid);
}

/* ---- dispatch ---- */

static const struct route routes[] = {
	{ "GET", "tasks", task_list },
	{ "POST", "tasks", task_create },
	{ "GET", "tasks/*", task_show },
	{ "PUT", "tasks/*", task_update },
	{ "DELETE", "tasks/*", task_remove },
	{ "GET", "tasks/*/runs", task_runs },
	{ "POST", "tasks/*/run", task_run },
	{ "POST", "tasks/*/pause", task_pause },
	{ "POST", "tasks/*/resume", task_resume },
	{ "GET", "plugins", plugin_list },
	{ "POST", "plugins", plugin_install },
	{ "GET", "plugins/*", plugin_show },
	{ "DELETE", "plugins/*", plugin_uninstall },
	{ "POST", "plugins/*/enable", plugin_enable },
	{ "POST", "plugins/*/disable", plugin_disable },
	{ "POST", "plugins/*/reload", plugin_reload },
	{ "GET", "plugins/*/snapshots", snap_list_plugin },
	{ "POST", "plugins/*/snapshots", snap_create },
	{ "GET", "snapshots", snap_list_all },
	{ "POST", "snapshots/*/restore", snap_restore },
	{ "DELETE", "snapshots/*", snap_delete },
};

/* Matches "tasks/ID/run" against "tasks/STAR/run"; the id is copied out. */
static int
route_match(const char *pattern, const char *path, char *id, size_t idsz)
{
	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '*') {
			size_t n = strcspn(path, "/");
			if (n == 0 || n >= idsz)
				return 0;
			memcpy(id, path, n);
			id[n] = '\0';
			pattern++;
			path += n;
		} else if (*pattern++ != *path++)
			return 0;
	}
	return *pattern == '\0' && *path == '\0';
}

/* /plugins/{plugin_id}/PATH: a route the plugin registered through the
 * host table (it runs here, on the loop thread, like its hooks). */
static void
plugin_own_route(struct api_call *call)
{
	const char *rest = call->url + strlen("/plugins/");
	const char *slash = strchr(rest, '/');
	char *id, *out = NULL;
	int status = 0;

	if (slash == NULL || slash == rest || slash[1] == '\0') {
		api_reply_error(call, 404, NULL, _("no route %s"), call->url);
		return;
	}
	id = xstrndup(rest, (size_t)(slash - rest));
	if (plugins_route(call->mgr, id, call->method, slash,
	    call->body != NULL ? call->body : "", &out, &status) != 0)
		api_reply_error(call, 404, NULL, _("no route %s (plugin \"%s\" is "
		    "not enabled or has no %s route there)"), call->url, id,
		    call->method);
	else if (status < 100 || status > 599) {
		free(out);
		api_reply_error(call, 500, NULL, _("plugin \"%s\" answered with "
		    "HTTP status %d"), id, status);
	} else
		reply(call, status, out != NULL ? out : xstrdup("{}"));
	free(id);
}

void
api_route(struct api_call *call)
{
	const char *path = call->url + strlen("/manager/");
	char id[256] = "", allow[64] = "";

	if (strncmp(call->url, "/plugins/", 9) == 0) {
		plugin_own_route(call);
		return;
	}
	if (strncmp(call->url, "/manager/", 9) != 0) {
		api_reply_error(call, 404, NULL, _("no route %s"), call->url);
		return;
	}
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!route_match(routes[i].pattern, path, id, sizeof id))
			continue;
		if (strcmp(routes[i].method, call->method) == 0) {
			routes[i].fn(call, id);
			return;
		}
		snprintf(allow + strlen(allow), sizeof allow - strlen(allow), "%s%s",
		    *allow != '\0' ? ", " : "", routes[i].method);
	}
	if (*allow == '\0') {
		api_reply_error(call, 404, NULL, _("no route %s"), call->url);
		return;
	}
	snprintf(call->allow, sizeof call->allow, "%s", allow);
	api_reply_error(call, 405, NULL, _("%s is not allowed on %s (allowed: %s)"),
	    call->method, call->url, allow);
}
