/* api_routes.c - the HTTP API's routes: each one is the equivalent
 * command line run through cmd_dispatch with --json (one road for every
 * action), its exit status mapped to an HTTP status.
 */
#include "i18n.h"
#include "engine.h"
#include "api.h"
#include "api_routes.h"
#include "api_stream.h"
#include "cmd.h"
#include "host.h"
#include "manager.h"
#include "plugins.h"
#include "runlog.h"
#include "runlog_store.h"
#include "sandbox.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define API_MAX_TRIGGER_ARGS 64

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
	char *text = o != NULL ?
	    json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	if (text == NULL) {	/* never an empty or invalid body */
		status = 500;
		text = xstrdup("{\"error\":\"cannot encode the answer\"}");
	}
	reply(call, status, text);
}

/* {"error": TEXT} whatever bytes TEXT holds (a client's, cut or not). */
static json_t *
error_object(const char *text)
{
	char *safe = utf8_sanitize(text);
	json_t *o = json_pack("{s:s}", "error", safe);

	free(safe);
	return o;
}

void
api_reply_error(struct api_call *call, int status, const char *field,
		const char *fmt, ...)
{
	va_list ap;
	json_t *o;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();	/* as xmalloc: no memory */
	o = error_object(msg);
	free(msg);
	if (field != NULL) {
		char *safe = utf8_sanitize(field);
		json_object_set_new(o, "field", json_string(safe));
		free(safe);
	}
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
	o = error_object(text);
	free(text);
	return o;
}

/* ---- running command lines ---- */

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

/* NOUN VERB -- ID: whatever the id, it is never read as an option. */
static char **
argv_id(const char *noun, const char *verb, const char *id)
{
	return strv_push(argv_of(noun, verb, "--"), id);
}

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
			char **show = argv_id(show_noun, "show", id);
			run_clear(&r);
			run_argv(call, show, &r);
			strv_free(show);
			if (!reply_if_failed(call, &r))
				reply(call, ok_status, xstrdup(r.out));
		}
	}
	run_clear(&r);
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
	char *s;

	/* A trigger has a dozen fields at most; a body of many thousand
	 * would only cost time (each becomes a word of the command line). */
	if (json_object_size(args) > API_MAX_TRIGGER_ARGS) {
		api_reply_error(call, 400, "trigger_args", _("field \"trigger_args\" "
		    "has %zu fields: at most %d are allowed"), json_object_size(args),
		    API_MAX_TRIGGER_ARGS);
		strv_free(argv);
		return NULL;
	}
	json_object_foreach(args, key, v) {
		if (json_is_string(v))
			s = xasprintf("%s=%s", key, json_string_value(v));
		else if (json_is_integer(v))
			s = xasprintf("%s=%lld", key, (long long)json_integer_value(v));
		else if (json_is_real(v))
			s = xasprintf("%s=%.17g", key, json_real_value(v));
		else if (json_is_boolean(v))
			s = xasprintf("%s=%s", key, json_is_true(v) ? "true" : "false");
		else {
			char *field = xasprintf("trigger_args.%s", key);
			api_reply_error(call, 400, field, _("field \"%s\" must be a "
			    "string, number or boolean"), field);
			free(field);
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

/* One word "--opt=VALUE": a value that looks like an option ("--func")
 * can never be taken for one. */
static char **
push_str_option(char **argv, json_t *body, const char *field, const char *opt)
{
	json_t *v = json_object_get(body, field);
	char *word;

	if (v == NULL || json_is_null(v))
		return argv;
	word = xasprintf("%s=%s", opt, json_string_value(v));
	argv = strv_push(argv, word);
	free(word);
	return argv;
}

/* A func_path is split into words (exec_split) when the task is stored
 * and at each run: refused here, naming the field, when it is too long
 * or has too many words. */
static int
func_path_check(struct api_call *call, json_t *body)
{
	const char *func = json_string_value(json_object_get(body, "func_path"));
	struct mgr_error err = { 0 };
	char **words;

	if (func == NULL)
		return 0;
	if (exec_split(strncmp(func, "exec:", 5) == 0 ? func + 5 : func, &words,
	    &err) != 0) {
		api_reply_error(call, 400, "func_path", _("field \"func_path\": %s"),
		    err.msg);
		return -1;
	}
	strv_free(words);
	return 0;
}

/* An id from a body: the rule of every id (mgr_id_valid). */
static int
id_field_check(struct api_call *call, const char *what, const char *id)
{
	struct mgr_error err = { 0 };

	if (mgr_id_check(what, id, &err) == 0)
		return 0;
	api_reply_error(call, 400, "id", "%s", err.msg);
	return -1;
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
	run_and_reply(call, argv_id("task", "show", id), 200, NULL, id);
}

static void
task_runs(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_id("task", "history", id), 200, NULL, id);
}

static void
task_remove(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_id("task", "remove", id), 200, NULL, id);
}

static void
task_action(struct api_call *call, const char *id, const char *verb)
{
	run_and_reply(call, argv_id("task", verb, id), 200, "task", id);
}

static void task_run(struct api_call *c, const char *id) { task_action(c, id, "run"); }
static void task_stop(struct api_call *c, const char *id) { task_action(c, id, "stop"); }
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
	"trigger", "trigger_args", "max_retries", "timeout", "enabled", "env",
	"env_file", "workdir", "user", "group", "umask", "nice", "sandbox",
	"network", "private_tmp", "read_only", "write", "ioprio", "limit_cpu",
	"limit_memory", "limit_nofile", NULL };

/* A field that is an array of strings (env, read_only, write). */
static int
strings_check(struct api_call *call, json_t *b, const char *name)
{
	json_t *a = json_object_get(b, name), *v;
	size_t i;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a)) {
		api_reply_error(call, 400, name, _("field \"%s\": expected an "
		    "array of strings"), name);
		return -1;
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			api_reply_error(call, 400, name, _("field \"%s\": item %zu "
			    "is not a string"), name, i + 1);
			return -1;
		}
	}
	return 0;
}

/* The execution context's fields (task_context.h), checked by type; the
 * command checks their values. */
static int
context_check(struct api_call *call, json_t *b)
{
	static const char *const strs[] = { "env_file", "workdir", "user",
	    "group", "umask", "sandbox", "ioprio" };
	static const char *const ints[] = { "nice", "limit_cpu",
	    "limit_memory", "limit_nofile" };

	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (field_check(call, b, strs[i], JSON_STRING, 0) != 0)
			return -1;
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (field_check(call, b, ints[i], JSON_INTEGER, 0) != 0)
			return -1;
	if (field_check(call, b, "network", JSON_TRUE, 0) != 0 ||
	    field_check(call, b, "private_tmp", JSON_TRUE, 0) != 0 ||
	    strings_check(call, b, "env") != 0 ||
	    strings_check(call, b, "read_only") != 0 ||
	    strings_check(call, b, "write") != 0)
		return -1;
	return 0;
}

/* Each string of an array as "--opt=VALUE"; an empty array as "--opt="
 * (which empties the task's list). */
static char **
push_strings(char **argv, json_t *b, const char *field, const char *opt)
{
	json_t *a = json_object_get(b, field), *v;
	size_t i;
	char *word;

	if (!json_is_array(a))
		return argv;
	if (json_array_size(a) == 0 && strcmp(field, "env") != 0)
		{
		word = xasprintf("%s=", opt);
		argv = strv_push(argv, word);
		free(word);
		return argv;
	}
	json_array_foreach(a, i, v) {
		word = xasprintf("%s=%s", opt, json_string_value(v));
		argv = strv_push(argv, word);
		free(word);
	}
	return argv;
}

static char **
push_bool(char **argv, json_t *b, const char *field, const char *on,
	  const char *off)
{
	json_t *v = json_object_get(b, field);

	if (!json_is_boolean(v))
		return argv;
	return strv_push(argv, json_is_true(v) ? on : off);
}

static char **
push_context(char **argv, json_t *b)
{
	argv = push_str_option(argv, b, "env_file", "--env-file");
	argv = push_str_option(argv, b, "workdir", "--workdir");
	argv = push_str_option(argv, b, "user", "--user");
	argv = push_str_option(argv, b, "group", "--group");
	argv = push_str_option(argv, b, "umask", "--umask");
	argv = push_int_option(argv, b, "nice", "--nice");
	argv = push_str_option(argv, b, "sandbox", "--sandbox");
	argv = push_str_option(argv, b, "ioprio", "--ioprio");
	argv = push_int_option(argv, b, "limit_cpu", "--limit-cpu");
	argv = push_int_option(argv, b, "limit_memory", "--limit-memory");
	argv = push_int_option(argv, b, "limit_nofile", "--limit-nofile");
	argv = push_bool(argv, b, "network", "--network", "--no-network");
	argv = push_bool(argv, b, "private_tmp", "--private-tmp",
	    "--no-private-tmp");
	argv = push_strings(argv, b, "read_only", "--read-only");
	argv = push_strings(argv, b, "write", "--write");
	return push_strings(argv, b, "env", "--env");
}

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
	    field_check(call, b, "id", JSON_STRING, 0) != 0 ||
	    context_check(call, b) != 0 ||
	    func_path_check(call, b) != 0)
		return -1;
	if (json_object_get(b, "id") != NULL && !json_is_null(json_object_get(b,
	    "id")))
		return id_field_check(call, _("task id"),
		    json_string_value(json_object_get(b, "id")));
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
	argv = push_context(argv, b);
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
	"trigger_args", "func_path", "trigger", "max_retries", "timeout", "env",
	"env_file", "workdir", "user", "group", "umask", "nice", "sandbox",
	"network", "private_tmp", "read_only", "write", "ioprio", "limit_cpu",
	"limit_memory", "limit_nofile", NULL };

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
	    field_check(call, b, "timeout", JSON_INTEGER, 0) != 0 ||
	    context_check(call, b) != 0 ||
	    func_path_check(call, b) != 0) {
		json_decref(b);
		return;
	}
	/* "task edit" reads the id first, then the options. */
	argv = argv_of("task", "edit", id);	/* id checked: no option */
	argv = push_str_option(argv, b, "name", "--name");
	argv = push_str_option(argv, b, "func_path", "--func");
	argv = push_str_option(argv, b, "trigger", "--trigger");
	argv = push_int_option(argv, b, "max_retries", "--max-retries");
	argv = push_int_option(argv, b, "timeout", "--timeout");
	argv = push_context(argv, b);
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
	run_and_reply(call, argv_id("plugin", "show", id), 200, NULL, id);
}

static void
plugin_uninstall(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_id("plugin", "uninstall", id), 200, NULL, id);
}

static void
plugin_action(struct api_call *call, const char *id, const char *verb)
{
	run_and_reply(call, argv_id("plugin", verb, id), 200, "plugin", id);
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
	char **show = argv_id("plugin", "show", id);

	run_argv(call, show, &r);
	strv_free(show);
	if (!reply_if_failed(call, &r))
		run_and_reply(call, argv_id("snapshot", "list", id), 200, NULL, id);
	run_clear(&r);
}

static void
snap_create(struct api_call *call, const char *id)
{
	run_and_reply(call, argv_id("snapshot", "create", id), 201, NULL, id);
}

static void
snap_restore(struct api_call *call, const char *sid)
{
	run_and_reply(call, argv_id("snapshot", "restore", sid), 200, NULL, sid);
}

static void
snap_delete(struct api_call *call, const char *sid)
{
	run_and_reply(call, argv_id("snapshot", "delete", sid), 200, NULL, sid);
}

/* ---- run logs ---- */

static int
query_true(const struct api_call *call, const char *name)
{
	const char *v = api_query(call, name);

	return v != NULL && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 ||
	    *v == '\0');
}

/* ?stream=stdout|stderr, ?format=text|json into spec; 0, or 400. */
static int
log_query(struct api_call *call, struct api_stream_spec *spec)
{
	const char *stream = api_query(call, "stream");
	const char *format = api_query(call, "format");

	spec->follow = query_true(call, "follow");
	spec->mask = 1u << RUNLOG_DROPPED;
	if (stream == NULL || strcmp(stream, "stdout") == 0)
		spec->mask |= 1u << RUNLOG_STDOUT;
	if (stream == NULL || strcmp(stream, "stderr") == 0)
		spec->mask |= 1u << RUNLOG_STDERR;
	if (spec->mask == 1u << RUNLOG_DROPPED) {
		api_reply_error(call, 400, "stream", _("stream \"%s\": expected "
		    "stdout or stderr"), stream);
		return -1;
	}
	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "text") != 0) {
		api_reply_error(call, 400, "format", _("format \"%s\": expected "
		    "text or json"), format);
		return -1;
	}
	spec->json = format != NULL && strcmp(format, "json") == 0;
	return 0;
}

/* GET /manager/runs/{run}/log: text lines, or JSON lines with
 * ?format=json; ?follow=1 streams a running run's lines until it ends. */
static void
run_log(struct api_call *call, const char *id)
{
	struct api_stream_spec spec = { 0 };
	struct mgr_error err = { 0 };
	char *task = NULL, *path, *end;
	long long run = strtoll(id, &end, 10);
	int rc;

	if (run <= 0 || *end != '\0') {
		api_reply_error(call, 400, NULL, _("run \"%s\": expected a run "
		    "number"), id);
		return;
	}
	if (log_query(call, &spec) != 0)
		return;
	if ((rc = runlog_store_key(call->mgr->db, run, &task, &spec.scheduled_at,
	    &spec.attempt, &err)) != 0) {
		api_reply_error(call, rc == MGR_ENOENT ? 404 : 500, NULL, "%s",
		    err.msg);
		return;
	}
	path = runlog_path(call->mgr->conf->data_directory, task,
	    spec.scheduled_at, spec.attempt);
	spec.path = path;
	spec.task_id = task;
	if ((call->stream = api_stream_new(call->mgr, &spec, &err)) == NULL) {
		if (err.code == MGR_ENOENT)
			api_reply_error(call, 404, NULL, _("run %lld has no log "
			    "(pruned, or full logs are off)"), run);
		else
			api_reply_error(call, 500, NULL, "%s", err.msg);
	} else {
		call->status = 200;
		call->content_type = spec.json ? "application/x-ndjson" :
		    "text/plain; charset=utf-8";
	}
	free(path);
	free(task);
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
	{ "POST", "tasks/*/stop", task_stop },
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
	{ "GET", "runs/*/log", run_log },
};

/* Matches "tasks/ID/run" against "tasks/STAR/run"; *id gets a copy of
 * the id (any length: ids are checked afterwards, not cut). */
static int
route_match(const char *pattern, const char *path, char **id)
{
	const char *idp = NULL;
	size_t idlen = 0;

	while (*pattern != '\0' && *path != '\0') {
		if (*pattern == '*') {
			idlen = strcspn(path, "/");
			if (idlen == 0)
				return 0;
			idp = path;
			pattern++;
			path += idlen;
		} else if (*pattern++ != *path++)
			return 0;
	}
	if (*pattern != '\0' || *path != '\0')
		return 0;
	*id = idp != NULL ? xstrndup(idp, idlen) : NULL;
	return 1;
}

/* "task id", "plugin id", "snapshot id": what the first segment holds. */
static const char *
route_id_what(const char *pattern)
{
	if (strncmp(pattern, "tasks", 5) == 0)
		return _("task id");
	if (strncmp(pattern, "plugins", 7) == 0)
		return _("plugin id");
	if (strncmp(pattern, "runs", 4) == 0)
		return _("run number");
	return _("snapshot id");
}

/* An id from the URL follows the id rule before it goes anywhere near a
 * command line: 400 naming it otherwise. */
static int
route_id_ok(struct api_call *call, const char *pattern, const char *id)
{
	struct mgr_error err = { 0 };

	if (id == NULL || mgr_id_check(route_id_what(pattern), id, &err) == 0)
		return 1;
	api_reply_error(call, 400, NULL, "%s", err.msg);
	return 0;
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
	if (!route_id_ok(call, "plugins", id)) {
		free(id);
		return;
	}
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

/* Calls the route for the method, or gathers the methods allowed on the
 * path in allow; 1 when a route answered. */
static int
route_try(struct api_call *call, const struct route *r, const char *path,
	  char *allow, size_t allowsz)
{
	char *id = NULL;

	if (!route_match(r->pattern, path, &id))
		return 0;
	if (strcmp(r->method, call->method) != 0) {
		snprintf(allow + strlen(allow), allowsz - strlen(allow), "%s%s",
		    *allow != '\0' ? ", " : "", r->method);
		free(id);
		return 0;
	}
	if (route_id_ok(call, r->pattern, id))
		r->fn(call, id);
	free(id);
	return 1;
}

void
api_route(struct api_call *call)
{
	const char *path = call->url + strlen("/manager/");
	char allow[64] = "";

	if (strncmp(call->url, "/plugins/", 9) == 0) {
		plugin_own_route(call);
		return;
	}
	if (strncmp(call->url, "/manager/", 9) != 0) {
		api_reply_error(call, 404, NULL, _("no route %s"), call->url);
		return;
	}
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (route_try(call, &routes[i], path, allow, sizeof allow))
			return;
	if (*allow == '\0') {
		api_reply_error(call, 404, NULL, _("no route %s"), call->url);
		return;
	}
	snprintf(call->allow, sizeof call->allow, "%s", allow);
	api_reply_error(call, 405, NULL, _("%s is not allowed on %s (allowed: %s)"),
	    call->method, call->url, allow);
}
