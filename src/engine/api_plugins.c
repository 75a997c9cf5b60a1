/* api_plugins.c - POST /manager/plugins, PUT/PATCH
 * /manager/plugins/{id} and the 405 of a plugin's own routes; the
 * plugin's field table (the seed's PluginCreate, PluginUpdate and
 * PluginRead, plus this project's fields).
 */
#include "i18n.h"
#include "api_fields.h"
#include "manager.h"
#include "plugins.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RO (FIELD_READONLY)
#define NUL (FIELD_NULLABLE)
#define SEED (FIELD_SEED)

/* name, version, description and author come from the plugin's
 * manifest: given on create or update they must agree with it. */
static const struct field_def fields[] = {
	{ "id", FIELD_STRING, RO | SEED, NULL, 0, 0, NULL,
	  N_("the plugin's id, from its manifest") },
	{ "name", FIELD_STRING, FIELD_CREATE_ONLY | SEED, NULL, 0, 0, NULL,
	  N_("its name, from the manifest: when given, it must agree") },
	{ "version", FIELD_STRING, FIELD_CREATE_ONLY | SEED, NULL, 0, 0, NULL,
	  N_("its version, from the manifest: when given, it must agree") },
	{ "enabled", FIELD_BOOLEAN, SEED, NULL, 0, 0, NULL,
	  N_("whether it is loaded; on install false installs it disabled") },
	{ "installed_at", FIELD_TIME, RO | SEED, NULL, 0, 0, NULL,
	  N_("when it was installed") },
	{ "description", FIELD_STRING, FIELD_CREATE_ONLY | NUL | SEED, NULL, 0,
	  0, NULL, N_("what it does, from the manifest") },
	{ "author", FIELD_STRING, FIELD_CREATE_ONLY | NUL | SEED, NULL, 0, 0,
	  NULL, N_("who wrote it, from the manifest") },
	{ "path", FIELD_STRING, FIELD_CREATE_ONLY | SEED, NULL, 0, 0, NULL,
	  N_("on install: a folder, a .zip or NAME[@CONSTRAINT] of the "
	  "repository (source is the same); after: where it is installed") },
	{ "source", FIELD_STRING, FIELD_CREATE_ONLY | FIELD_WRITEONLY, NULL, 0, 0, NULL,
	  N_("on install, the same as path") },
	{ "force", FIELD_BOOLEAN, FIELD_CREATE_ONLY | FIELD_WRITEONLY, "--force", 0, 0, NULL,
	  N_("on install: replace an installed plugin of the same id") },
	{ "accept_permissions", FIELD_BOOLEAN, FIELD_CREATE_ONLY | FIELD_WRITEONLY,
	  "--accept-permissions", 0, 0, NULL,
	  N_("on install: accept the permissions the manifest asks for") },
	{ "manifest", FIELD_OBJECT, RO, NULL, 0, 0, NULL,
	  N_("its manifest") },
	{ "dependencies", FIELD_STRINGS, RO, NULL, 0, 0, NULL,
	  N_("the plugins it needs") },
	{ "state", FIELD_STRING, RO, NULL, 0, 0, NULL,
	  N_("enabled, disabled, failed, ...") },
	{ "error", FIELD_STRING, RO | NUL, NULL, 0, 0, NULL,
	  N_("why it failed, or null") },
	{ "updated_at", FIELD_TIME, RO, NULL, 0, 0, NULL,
	  N_("when it last changed") },
	{ "functions", FIELD_OBJECTS, RO | FIELD_SOMETIMES, NULL, 0, 0, NULL,
	  N_("its task functions ({name, summary}), when they can be listed") },
	{ "functions_error", FIELD_STRING, RO | FIELD_SOMETIMES, NULL, 0, 0, NULL,
	  N_("why its functions cannot be listed, instead of functions") },
};

const struct field_def *
api_plugin_fields(size_t *n)
{
	*n = sizeof fields / sizeof fields[0];
	return fields;
}

static json_t *
plugin_body(struct api_call *call, enum field_mode mode)
{
	json_t *body = api_body_object(call), *set, *errs = NULL;

	if (body == NULL)
		return NULL;
	set = api_fields_check(fields, sizeof fields / sizeof fields[0], body,
	    mode, &errs);
	json_decref(body);
	if (mode == FIELD_CREATE && errs == NULL &&
	    !json_is_string(json_object_get(set, "path")) &&
	    !json_is_string(json_object_get(set, "source")))
		api_invalid(&errs, "body", "path", "missing", _("Field required "
		    "(path, or source)"));
	if (errs == NULL)
		return set;
	json_decref(set);
	api_reply_invalid(call, errs);
	return NULL;
}

/* The manifest's values that the body named must agree: the first that
 * does not, as a 422 naming it; 0 when they all do. */
static int
manifest_agrees(struct api_call *call, json_t *set, json_t *plugin)
{
	static const char *const keys[] = { "name", "version", "description",
	    "author", NULL };
	json_t *errs = NULL;

	for (size_t i = 0; keys[i] != NULL; i++) {
		json_t *want = json_object_get(set, keys[i]);
		json_t *have = json_object_get(plugin, keys[i]);
		if (want != NULL && !json_is_null(want) && !json_equal(want, have))
			api_invalid(&errs, "body", keys[i], "value_error",
			    _("Value error, the plugin's manifest says %s \"%s\""),
			    keys[i], json_is_string(have) ?
			    json_string_value(have) : "");
	}
	if (errs == NULL)
		return 0;
	api_reply_invalid(call, errs);
	return -1;
}

static char **
install_argv(json_t *set)
{
	const char *src = json_string_value(json_object_get(set, "source"));
	char **argv = strv_push(strv_push(NULL, "plugin"), "install");

	if (json_is_true(json_object_get(set, "force")))
		argv = strv_push(argv, "--force");
	if (json_is_true(json_object_get(set, "accept_permissions")))
		argv = strv_push(argv, "--accept-permissions");
	if (json_is_false(json_object_get(set, "enabled")))
		argv = strv_push(argv, "--no-enable");
	if (src == NULL)
		src = json_string_value(json_object_get(set, "path"));
	return strv_push(strv_push(argv, "--"), src);
}

/* The installed plugin (install prints it); a manifest that disagrees
 * with the body's name or version is uninstalled again: all or nothing. */
static void
installed(struct api_call *call, json_t *set, json_t *plugin)
{
	const char *id = json_string_value(json_object_get(plugin, "id"));
	char *out = NULL, *errout = NULL;

	if (id == NULL) {
		api_reply_error(call, 500, "internal_error", _("plugin install "
		    "answered no id"));
		return;
	}
	if (manifest_agrees(call, set, plugin) != 0) {
		api_run_argv(call, strv_push(strv_push(strv_push(strv_push(NULL,
		    "plugin"), "uninstall"), "--"), id), &out, &errout);
		free(out);
		free(errout);
		return;
	}
	snprintf(call->location, sizeof call->location, "/manager/plugins/%s",
	    id);
	api_reply_show(call, "plugin", id, 201);
}

/* The install's answer: its failure, or the installed plugin (the body,
 * checked before, read again for the manifest's values it names). */
static void
install_then(struct api_call *call, int status, const char *out,
	     const char *errout, const char *noun, const char *unused)
{
	json_t *set, *plugin;

	(void)noun;
	(void)unused;
	if (status != 0) {
		api_reply_failed(call, status, errout);
		return;
	}
	if ((set = plugin_body(call, FIELD_CREATE)) == NULL)
		return;
	plugin = json_loads(out, 0, NULL);
	installed(call, set, plugin);
	json_decref(plugin);
	json_decref(set);
}

/* With auto_enable, answered once the plugin's host worker ran its
 * on_enable (`plugin install` answers later), the loop free meanwhile. */
void
api_plugin_install(struct api_call *call, const char *unused)
{
	json_t *set = plugin_body(call, FIELD_CREATE);

	(void)unused;
	if (set == NULL)
		return;
	api_run_argv_then(call, install_argv(set), install_then, "plugin", "");
	json_decref(set);
}

/* PluginUpdate: enabled is `plugin enable` or `plugin disable` (answered
 * when the plugin's host worker has, the loop free meanwhile); name and
 * version are the manifest's (a body taken from GET passes). */
void
api_plugin_update(struct api_call *call, const char *id)
{
	json_t *set = plugin_body(call, FIELD_UPDATE), *enabled;

	if (set == NULL)
		return;
	enabled = json_object_get(set, "enabled");
	if (enabled != NULL)
		api_run_argv_then(call, strv_push(strv_push(strv_push(strv_push(
		    NULL, "plugin"), json_is_true(enabled) ? "enable" :
		    "disable"), "--"), id), api_then_show, "plugin", id);
	else
		api_reply_show(call, "plugin", id, 200);
	json_decref(set);
}

/* No route of the plugin for this method: 405 with Allow when it has
 * routes for the path, 404 otherwise. */
void
api_plugin_route_missing(struct api_call *call, const char *id,
			 const char *path)
{
	char allow[sizeof call->allow];

	plugins_route_methods(call->mgr, id, path, allow, sizeof allow);
	if (*allow == '\0') {
		api_reply_error(call, 404, "not_found", _("no route %s (plugin "
		    "\"%s\" is not enabled or has no route there)"), call->url, id);
		return;
	}
	snprintf(call->allow, sizeof call->allow, "%s", allow);
	api_reply_error(call, 405, "method_not_allowed", _("%s is not allowed "
	    "on %s (allowed: %s)"), call->method, call->url, allow);
}
