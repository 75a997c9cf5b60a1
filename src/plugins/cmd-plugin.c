/* cmd-plugin.c - manager plugin install|list|show|enable|disable|
 * uninstall|validate (and the hidden probe run in a child). */
#include "i18n.h"
#include "functions.h"
#include "cmd.h"
#include "installer.h"
#include "manager.h"
#include "manifest.h"
#include "plugins.h"
#include "probe.h"
#include "timefmt.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *
json_or(const char *text, json_t *fallback)
{
	json_t *j = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (j == NULL)
		return fallback;
	json_decref(fallback);
	return j;
}

/* The seed's PluginRead, plus our fields. */
static json_t *
plugin_json(const struct plugin_rec *p)
{
	char at[TIMEFMT_ISO_MAX], up[TIMEFMT_ISO_MAX];

	timefmt_machine(at, sizeof at, p->installed_at);
	timefmt_machine(up, sizeof up, p->updated_at);
	return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:o, s:o, "
	    "s:s, s:o, s:s}",
	    "id", p->id, "name", p->name, "version", p->version,
	    "enabled", p->enabled, "installed_at", at,
	    "description", p->description != NULL ? p->description : "",
	    "author", p->author != NULL ? p->author : "",
	    "path", p->path,
	    "manifest", json_or(p->manifest, json_object()),
	    "dependencies", json_or(p->dependencies, json_array()),
	    "state", p->state,
	    "error", p->error != NULL ? json_string(p->error) : json_null(),
	    "updated_at", up);
}

/* What the plugin may do in its sandbox (the manifest's permissions,
 * defaults included). */
static void
print_permissions(struct cmd_ctx *ctx, const struct plugin_rec *p)
{
	struct manifest_perms perms;
	char *text;

	manifest_perms_from_json(p->manifest, &perms);
	text = manifest_perms_describe(&perms, "  ");
	fprintf(ctx->out, _("permissions:\n%s"), text);
	free(text);
	manifest_perms_clear(&perms);
}

static void
print_plugin(struct cmd_ctx *ctx, const struct plugin_rec *p)
{
	char at[TIMEFMT_ISO_MAX];
	json_t *deps = json_or(p->dependencies, json_array()), *v;
	size_t i;

	timefmt_iso(at, sizeof at, p->installed_at, NULL);
	fprintf(ctx->out, _("id:           %s\n"), p->id);
	fprintf(ctx->out, _("name:         %s\n"), p->name);
	fprintf(ctx->out, _("version:      %s\n"), p->version);
	fprintf(ctx->out, _("state:        %s\n"), p->state);
	if (p->error != NULL)
		fprintf(ctx->out, _("error:        %s\n"), p->error);
	fprintf(ctx->out, _("description:  %s\n"), p->description);
	fprintf(ctx->out, _("author:       %s\n"), p->author);
	fprintf(ctx->out, _("installed at: %s\n"), at);
	fprintf(ctx->out, _("path:         %s\n"), p->path);
	fprintf(ctx->out, _("dependencies:"));
	json_array_foreach(deps, i, v)
		fprintf(ctx->out, "%s %s", i > 0 ? "," : "", json_string_value(v));
	fprintf(ctx->out, "%s\n", json_array_size(deps) == 0 ? _(" none") : "");
	json_decref(deps);
	print_permissions(ctx, p);
}

/* Prints the plugin's row after a change (JSON: the object). */
static int
report_plugin(struct cmd_ctx *ctx, const char *id, const char *what,
	      int show_permissions)
{
	struct plugin_rec p = { 0 };
	struct mgr_error err = { 0 };

	if (plugin_store_read(ctx->mgr->db, id, &p, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json)
		cmd_print_json(ctx, plugin_json(&p));
	else {
		fprintf(ctx->out, "%s %s %s\n", what, p.id, p.version);
		if (show_permissions)
			print_permissions(ctx, &p);
	}
	plugin_rec_clear(&p);
	return CMD_EXIT_OK;
}

/* What install prints: the plugin with the permissions it was granted. */
static int
install_answer(struct cmd_ctx *ctx, const char *id, int rc,
	       const struct mgr_error *err)
{
	if (rc != 0)
		return cmd_fail(ctx, err->code, err->msg);
	return report_plugin(ctx, id, _("installed"), 1);
}

extern const struct cmd_entry cmd_plugin_install_entry;

static int plugin_install_later(struct cmd_ctx *ctx,
				const struct cmd_args *args, int flags);

static int
plugin_install_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int flags = 0, rc;
	char *id = NULL;

	if (cmd_args_has(args, "force"))
		flags |= PLUGIN_INSTALL_FORCE;
	if (cmd_args_has(args, "no-enable"))
		flags |= PLUGIN_INSTALL_NO_ENABLE;
	if (cmd_args_has(args, "accept-permissions"))
		flags |= PLUGIN_INSTALL_ACCEPT_PERMISSIONS;
	if (args->argc != 1 && (args->argc != 3 ||
	    strcmp(args->argv[1], "from") != 0))
		return cmd_usage(ctx, &cmd_plugin_install_entry);
	if (ctx->defer != NULL)		/* someone to answer later */
		return plugin_install_later(ctx, args, flags);
	rc = mgr_plugin_install_from(ctx->mgr, args->argv[0], args->argc == 3 ?
	    args->argv[2] : NULL, flags, &id, &err);
	rc = install_answer(ctx, id, rc, &err);
	free(id);
	return rc;
}

static int
plugin_list_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct plugin_rec *v;
	struct mgr_error err = { 0 };
	size_t n;

	(void)args;
	if (plugin_store_list(ctx->mgr->db, &v, &n, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, plugin_json(&v[i]));
		cmd_print_json(ctx, arr);
	} else if (n == 0)
		fprintf(ctx->out, _("no plugins installed\n"));
	else {
		fprintf(ctx->out, "%-20s %-12s %-9s %s\n", _("ID"), _("VERSION"),
		    _("STATE"), _("NAME"));
		for (size_t i = 0; i < n; i++)
			fprintf(ctx->out, "%-20s %-12s %-9s %s\n", v[i].id,
			    v[i].version, v[i].state, v[i].name);
	}
	plugin_recs_free(v, n);
	return CMD_EXIT_OK;
}

/* A show whose functions the host's list will give (plugin_functions_get
 * on a host): answered once it is there, the loop free meanwhile. */
struct show_wait {
	struct mgr *mgr;
	char *id;
	struct cmd_later *later;
};

static void show_waited(void *arg, int gone);

/* The row of id with its functions; with w (someone to answer later),
 * CMD_EXIT_LATER while the host's list is being made (show_waited
 * follows).  gone: the engine stopped before the list was made. */
static int
show_plugin(struct cmd_ctx *ctx, const char *id, struct show_wait *w,
	    int gone)
{
	struct plugin_rec p = { 0 };
	struct plugin_funcs own = { 0 };
	const struct plugin_funcs *f = &own;
	struct mgr_error err = { 0 }, ferr = { 0 };
	json_t *o;
	int rc;

	if (plugin_store_read(ctx->mgr->db, id, &p, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (gone)
		rc = mgr_error_set(&ferr, MGR_EBUSY, _("plugin %s: the engine "
		    "stopped before its functions were listed"), id);
	else if ((rc = plugin_functions_get(ctx->mgr, &p, &own, &f,
	    w != NULL ? show_waited : NULL, w, &ferr)) == PLUGINS_LATER) {
		plugin_rec_clear(&p);
		return CMD_EXIT_LATER;
	}
	if (ctx->json) {
		o = plugin_json(&p);
		plugin_functions_print(NULL, o, rc, f, &ferr);
		cmd_print_json(ctx, o);
	} else {
		print_plugin(ctx, &p);
		plugin_functions_print(ctx->out, NULL, rc, f, &ferr);
	}
	plugin_funcs_clear(&own);
	plugin_rec_clear(&p);
	return CMD_EXIT_OK;
}

static void
show_wait_free(struct show_wait *w)
{
	free(w->id);
	free(w);
}

/* The list w waited for is in the host's cache (or the engine stops):
 * shown now, or waited for again when the row changed meanwhile. */
static void
show_waited(void *arg, int gone)
{
	struct show_wait *w = arg;
	struct cmd_ctx ctx = { .mgr = w->mgr, .out = w->later->out,
	    .err = w->later->err, .json = w->later->json };
	int rc = show_plugin(&ctx, w->id, w, gone);

	if (rc == CMD_EXIT_LATER)
		return;
	w->later->finish(w->later, rc);
	show_wait_free(w);
}

static int
plugin_show_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct show_wait *w = NULL;
	int rc;

	if (ctx->defer != NULL) {	/* someone to answer later */
		w = xcalloc(1, sizeof *w);
		w->mgr = ctx->mgr;
		w->id = xstrdup(args->argv[0]);
	}
	rc = show_plugin(ctx, args->argv[0], w, 0);
	if (rc == CMD_EXIT_LATER)
		w->later = ctx->defer(ctx);
	else if (w != NULL)
		show_wait_free(w);
	return rc;
}

/* What enable and disable print: the plugin's new state, or the error. */
static int
plugin_answer(struct cmd_ctx *ctx, const char *id, const char *what, int rc,
	      const struct mgr_error *err)
{
	if (rc != 0)
		return cmd_fail(ctx, err->code, err->msg);
	return report_plugin(ctx, id, what, 0);
}

/* An enable or disable carried out by the engine: answered when the
 * plugin's host worker has (plugins.h), the engine's loop free
 * meanwhile. */
struct plugin_wait {
	struct mgr *mgr;
	char *id;
	const char *what;
	int install;		/* install's answer, not enable's */
	struct cmd_later *later;
};

static void
plugin_wait_free(struct plugin_wait *w)
{
	free(w->id);
	free(w);
}

static void
plugin_answered(void *arg, int rc, const struct mgr_error *err)
{
	struct plugin_wait *w = arg;
	struct cmd_ctx ctx = { .mgr = w->mgr, .out = w->later->out,
	    .err = w->later->err, .json = w->later->json };

	w->later->finish(w->later, w->install ? install_answer(&ctx, w->id,
	    rc, err) : plugin_answer(&ctx, w->id, w->what, rc, err));
	plugin_wait_free(w);
}

static struct plugin_wait *
plugin_wait_new(struct cmd_ctx *ctx, const char *id, const char *what)
{
	struct plugin_wait *w = xcalloc(1, sizeof *w);

	w->mgr = ctx->mgr;
	w->id = xstrdup(id);
	w->what = what;
	return w;
}

/* rc of a *_later call: the answer now, or CMD_EXIT_LATER. */
static int
plugin_wait_or_answer(struct cmd_ctx *ctx, struct plugin_wait *w, int rc,
		      const struct mgr_error *err)
{
	if (rc == PLUGINS_LATER) {
		w->later = ctx->defer(ctx);
		return CMD_EXIT_LATER;
	}
	rc = w->install ? install_answer(ctx, w->id, rc, err) :
	    plugin_answer(ctx, w->id, w->what, rc, err);
	plugin_wait_free(w);
	return rc;
}

/* An install carried out by the engine: its auto_enable's on_enable
 * answered later, as enable's is. */
static int
plugin_install_later(struct cmd_ctx *ctx, const struct cmd_args *args,
		     int flags)
{
	struct mgr_error err = { 0 };
	struct plugin_wait *w = plugin_wait_new(ctx, "", _("installed"));
	char *id = NULL;
	int rc;

	w->install = 1;
	rc = mgr_plugin_install_later(ctx->mgr, args->argv[0], args->argc == 3 ?
	    args->argv[2] : NULL, flags, &id, plugin_answered, w, &err);
	if (id != NULL) {
		free(w->id);
		w->id = id;
	}
	return plugin_wait_or_answer(ctx, w, rc, &err);
}

static int
plugin_enable_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *id = args->argv[0];
	struct mgr_error err = { 0 };
	struct plugin_wait *w;

	if (ctx->defer == NULL)		/* nobody to answer later */
		return plugin_answer(ctx, id, _("enabled"),
		    mgr_plugin_enable(ctx->mgr, id, &err), &err);
	w = plugin_wait_new(ctx, id, _("enabled"));
	return plugin_wait_or_answer(ctx, w, mgr_plugin_enable_later(ctx->mgr,
	    id, plugin_answered, w, &err), &err);
}

static int
plugin_disable_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int cascade = cmd_args_has(args, "cascade") > 0;
	const char *id = args->target;
	struct plugin_wait *w;

	if (ctx->defer == NULL)
		return plugin_answer(ctx, id, _("disabled"),
		    mgr_plugin_disable(ctx->mgr, id, cascade, &err), &err);
	w = plugin_wait_new(ctx, id, _("disabled"));
	return plugin_wait_or_answer(ctx, w, mgr_plugin_disable_later(ctx->mgr,
	    id, cascade, plugin_answered, w, &err), &err);
}

static int
plugin_uninstall_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int keep = cmd_args_has(args, "keep-tasks") > 0;
	const char *id = args->target;

	if (mgr_plugin_uninstall(ctx->mgr, id, keep, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:s, s:b, s:b}", "id", id,
		    "uninstalled", 1, "kept_tasks", keep));
	else
		fprintf(ctx->out, _("uninstalled %s\n"), id);
	return CMD_EXIT_OK;
}

static int
plugin_validate_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int argc = args->argc;
	char **argv = args->argv;
	struct mgr_problems p = { 0 };
	struct mgr_error err = { 0 };
	struct manifest m;
	const char *path = argv[argc - 1];
	int rc = installer_validate(ctx->mgr, path, &p, &m, &err);

	if (rc != 0 && p.n == 0)
		problems_add(&p, "%s", err.msg);
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < p.n; i++)
			json_array_append_new(arr, json_string(p.msgs[i]));
		cmd_print_json(ctx, json_pack("{s:s, s:b, s:s?, s:s?, s:o}", "path",
		    path, "valid", p.n == 0, "id", m.id, "version", m.version,
		    "problems", arr));
	} else if (p.n == 0)
		fprintf(ctx->out, _("%s: valid plugin %s %s\n"), path, m.id,
		    m.version);
	else {
		for (size_t i = 0; i < p.n; i++)
			fprintf(ctx->err, "%s\n", p.msgs[i]);
		fprintf(ctx->err, ngettext("manager: %s: %zu problem found\n",
		    "manager: %s: %zu problems found\n", p.n), path, p.n);
	}
	rc = p.n == 0 ? CMD_EXIT_OK : CMD_EXIT_FAIL;
	manifest_clear(&m);
	problems_free(&p);
	return rc;
}

static int
plugin_probe_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	int enable = cmd_args_has(args, "enable") > 0;
	char **argv = args->argv;

	if (enable && mgr_open_db(ctx->mgr, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	return probe_child(ctx->out, argv[0], enable, ctx->mgr->db,
	    &ctx->mgr->log);
}

static const struct cmd_option plugin_install_options[] = {
	{ "force", 0, NULL, N_("replace an installed plugin of the same id"), 0 },
	{ "no-enable", 0, NULL, N_("install it disabled"), 0 },
	{ "accept-permissions", 0, NULL, N_("grant the permissions its manifest "
	    "asks for"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_plugin_install_entry = {
	.noun = "plugin", .verb = "install",
	.usage = N_("FOLDER|FILE.zip|NAME[@CONSTRAINT] [from REPO]"),
	.summary = N_("install a plugin from a folder, a zip or a repository"),
	.flags = CMD_MUTATES | CMD_FETCHES, .min_args = 1, .max_args = 3,
	.options = plugin_install_options, .run = plugin_install_run,
};
const struct cmd_entry cmd_plugin_list_entry = {
	.noun = "plugin", .verb = "list", .usage = "",
	.summary = N_("list installed plugins"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 0, .max_args = 0, .run = plugin_list_run,
};
const struct cmd_entry cmd_plugin_show_entry = {
	.noun = "plugin", .verb = "show", .usage = N_("ID"),
	.summary = N_("show one plugin"),
	.flags = CMD_DB_EMPTY_IF_MISSING | CMD_ASKS_HOST, .min_args = 1, .max_args = 1,
	.target = CMD_TARGET_PLUGIN, .run = plugin_show_run,
};
const struct cmd_entry cmd_plugin_enable_entry = {
	.noun = "plugin", .verb = "enable", .usage = N_("ID"),
	.summary = N_("enable a plugin (and its dependencies)"),
	.flags = CMD_MUTATES | CMD_WAITS_WORKER | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.target = CMD_TARGET_PLUGIN, .run = plugin_enable_run,
};
static const struct cmd_option plugin_disable_options[] = {
	{ "cascade", 0, NULL, N_("disable the plugins that depend on it first"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_plugin_disable_entry = {
	.noun = "plugin", .verb = "disable", .usage = N_("ID"),
	.summary = N_("disable a plugin (--cascade: its dependents first)"),
	.flags = CMD_MUTATES | CMD_WAITS_WORKER | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.options = plugin_disable_options, .target = CMD_TARGET_PLUGIN,
	.run = plugin_disable_run,
};

static const struct cmd_option plugin_uninstall_options[] = {
	{ "keep-tasks", 0, NULL, N_("keep the plugin's tasks (paused)"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_plugin_uninstall_entry = {
	.noun = "plugin", .verb = "uninstall", .usage = N_("ID"),
	.summary = N_("disable and remove a plugin"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.options = plugin_uninstall_options, .target = CMD_TARGET_PLUGIN,
	.run = plugin_uninstall_run,
};
const struct cmd_entry cmd_plugin_validate_entry = {
	.noun = "plugin", .verb = "validate", .usage = N_("FOLDER|FILE.zip"),
	.summary = N_("check a plugin and print every problem found"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 1, .max_args = 1, .run = plugin_validate_run,
};
static const struct cmd_option plugin_probe_options[] = {
	{ "enable", 0, NULL, N_("also run its enable hook"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_plugin_probe_entry = {
	.noun = "plugin", .verb = "probe", .usage = "FOLDER",
	.summary = N_("load a plugin in this process (internal)"),
	.flags = CMD_HIDDEN | CMD_NO_DB, .min_args = 1, .max_args = 1,
	.options = plugin_probe_options, .run = plugin_probe_run,
};

extern const struct cmd_entry cmd_plugin_reload_entry;
extern const struct cmd_entry cmd_snapshot_create_entry;
extern const struct cmd_entry cmd_snapshot_list_entry;
extern const struct cmd_entry cmd_snapshot_restore_entry;
extern const struct cmd_entry cmd_snapshot_delete_entry;
extern const struct cmd_entry cmd_plugin_search_entry;
extern const struct cmd_entry cmd_plugin_outdated_entry;
extern const struct cmd_entry cmd_plugin_upgrade_entry;
extern const struct cmd_entry cmd_repo_keygen_entry;
extern const struct cmd_entry cmd_repo_index_entry;
extern const struct cmd_entry cmd_repo_sign_entry;
extern const struct cmd_entry cmd_repo_key_entry;
extern const struct cmd_entry cmd_repo_list_entry;
extern const struct cmd_entry cmd_repo_update_entry;

/* The commands of the plugins folder, in the order --help lists them. */
const struct cmd_entry *const plugin_commands[] = {
	&cmd_plugin_install_entry,
	&cmd_plugin_list_entry,
	&cmd_plugin_show_entry,
	&cmd_plugin_enable_entry,
	&cmd_plugin_disable_entry,
	&cmd_plugin_uninstall_entry,
	&cmd_plugin_validate_entry,
	&cmd_plugin_search_entry,
	&cmd_plugin_outdated_entry,
	&cmd_plugin_upgrade_entry,
	&cmd_plugin_probe_entry,
	&cmd_plugin_reload_entry,
	&cmd_snapshot_create_entry,
	&cmd_snapshot_list_entry,
	&cmd_snapshot_restore_entry,
	&cmd_snapshot_delete_entry,
	&cmd_repo_list_entry,
	&cmd_repo_update_entry,
	&cmd_repo_key_entry,
	&cmd_repo_keygen_entry,
	&cmd_repo_index_entry,
	&cmd_repo_sign_entry,
	NULL
};
