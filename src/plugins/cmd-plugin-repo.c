/* cmd-plugin-repo.c - manager plugin search|outdated|upgrade, and the
 * client's download step before install and upgrade (plugin_prefetch). */
#include "i18n.h"
#include "cmd.h"
#include "conf.h"
#include "installer.h"
#include "manager.h"
#include "package_index.h"
#include "plugins.h"
#include "repository.h"
#include "store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
search_match(const struct pkg_entry *e, const char *term)
{
	return strcasestr(e->id, term) != NULL ||
	    (e->name != NULL && strcasestr(e->name, term) != NULL) ||
	    (e->description != NULL && strcasestr(e->description, term) != NULL);
}

/* The versions of id in list, newest first, comma-separated. */
static char *
search_versions(const struct pkg_entry *list, size_t n, const char *id)
{
	struct strbuf sb = { 0 };
	char **v = NULL;

	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, id) == 0)
			v = strv_push(v, list[i].version);
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		for (size_t k = i + 1; v[k] != NULL; k++)
			if (version_cmp_text(v[k], v[i]) > 0) {
				char *t = v[i];
				v[i] = v[k];
				v[k] = t;
			}
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		strbuf_addf(&sb, "%s%s", i > 0 ? ", " : "", v[i]);
	strv_free(v);
	return strbuf_detach(&sb);
}

static void
search_repo(struct cmd_ctx *ctx, const char *repo, const char *term,
	    json_t *arr, size_t *found)
{
	struct mgr_error err = { 0 };
	struct pkg_entry *list;
	size_t n;

	if (package_repo_load(ctx->mgr->conf, repo, &list, &n, &err) != 0) {
		fprintf(ctx->err, _("manager: warning: %s\n"), err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int first = 1;
		char *versions;

		if (!search_match(&list[i], term))
			continue;
		for (size_t k = 0; k < i && first; k++)
			first = strcmp(list[k].id, list[i].id) != 0;
		if (!first)
			continue;
		versions = search_versions(list, n, list[i].id);
		(*found)++;
		if (arr != NULL)
			json_array_append_new(arr, json_pack("{s:s, s:s?, s:s?, "
			    "s:s, s:s}", "id", list[i].id, "name", list[i].name,
			    "description", list[i].description, "versions",
			    versions, "repository", repo));
		else
			fprintf(ctx->out, "%-20s %-20s %s\n    %s%s%s\n",
			    list[i].id, versions, repo,
			    list[i].name != NULL ? list[i].name : "",
			    list[i].description != NULL ? ": " : "",
			    list[i].description != NULL ? list[i].description : "");
		free(versions);
	}
	pkg_entries_free(list, n);
}

static int
plugin_search_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char *const *r = ctx->mgr->conf->repositories;
	json_t *arr = ctx->json ? json_array() : NULL;
	char **argv = args->argv;
	size_t found = 0;

	for (size_t i = 0; r != NULL && r[i] != NULL; i++)
		search_repo(ctx, r[i], argv[0], arr, &found);
	if (arr != NULL)
		cmd_print_json(ctx, arr);
	else if (found == 0)
		fprintf(ctx->out, _("no package matches \"%s\"\n"), argv[0]);
	return CMD_EXIT_OK;
}

/* The newest version of id in the repositories (first repository that
 * has it), or MGR_ENOENT. */
static int
newest(struct mgr *mgr, const char *id, struct pkg_entry *e,
       struct mgr_error *err)
{
	struct vconstraint any = { .op = VOP_ANY };

	return package_find(mgr->conf, mgr->conf->repositories, id, &any, e, err);
}

/* Installed plugins with a newer version in the repositories: ids[i]
 * from have[i] to want[i] (strv's). */
struct outdated {
	char **ids, **have, **want, **repo;
	size_t refused;		/* plugins whose repositories were refused */
};

static void
outdated_free(struct outdated *o)
{
	strv_free(o->ids);
	strv_free(o->have);
	strv_free(o->want);
	strv_free(o->repo);
}

static int
outdated_find(struct mgr *mgr, const char *only, struct outdated *o,
	      FILE *warn, struct mgr_error *err)
{
	struct plugin_rec *v;
	size_t n;
	int rc;

	memset(o, 0, sizeof *o);
	if ((rc = plugin_store_list(mgr->db, &v, &n, err)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct mgr_error why = { 0 };
		struct pkg_entry e;

		if (only != NULL && strcmp(v[i].id, only) != 0)
			continue;
		if (newest(mgr, v[i].id, &e, &why) != 0) {
			if (why.code != MGR_ENOENT)
				o->refused++;
			if (warn != NULL && why.code != MGR_ENOENT)
				fprintf(warn, _("manager: warning: %s\n"), why.msg);
			continue;
		}
		if (version_cmp_text(e.version, v[i].version) > 0) {
			o->ids = strv_push(o->ids, v[i].id);
			o->have = strv_push(o->have, v[i].version);
			o->want = strv_push(o->want, e.version);
			o->repo = strv_push(o->repo, e.repo);
		}
		pkg_entry_clear(&e);
	}
	plugin_recs_free(v, n);
	return 0;
}

static int
plugin_outdated_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct outdated o;
	json_t *arr = json_array();

	(void)args;
	if (outdated_find(ctx->mgr, NULL, &o, ctx->err, &err) != 0) {
		json_decref(arr);
		return cmd_fail(ctx, err.code, err.msg);
	}
	if (!ctx->json && o.ids == NULL)
		fprintf(ctx->out, _("every installed plugin is up to date\n"));
	else if (!ctx->json)
		fprintf(ctx->out, "%-20s %-12s %-12s %s\n", _("ID"),
		    _("INSTALLED"), _("NEWEST"), _("REPOSITORY"));
	for (size_t i = 0; o.ids != NULL && o.ids[i] != NULL; i++)
		if (ctx->json)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, "
			    "s:s}", "id", o.ids[i], "installed", o.have[i],
			    "newest", o.want[i], "repository", o.repo[i]));
		else
			fprintf(ctx->out, "%-20s %-12s %-12s %s\n", o.ids[i],
			    o.have[i], o.want[i], o.repo[i]);
	if (ctx->json)
		cmd_print_json(ctx, arr);
	else
		json_decref(arr);
	outdated_free(&o);
	return CMD_EXIT_OK;
}

/* "ID" or "--all" and the options of plugin upgrade. */
static int
upgrade_args(struct cmd_ctx *ctx, const struct cmd_args *args,
	     const char **only, int *flags)
{
	extern const struct cmd_entry cmd_plugin_upgrade_entry;
	int all = cmd_args_has(args, "all");

	*flags = cmd_args_has(args, "accept-permissions") ?
	    PLUGIN_INSTALL_ACCEPT_PERMISSIONS : 0;
	if (cmd_args_has(args, "no-enable"))
		*flags |= PLUGIN_INSTALL_NO_ENABLE;
	if (all == (args->argc == 1))
		return cmd_usage(ctx, &cmd_plugin_upgrade_entry);
	*only = all ? NULL : args->argv[0];
	return 0;
}

static int
plugin_upgrade_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct outdated o;
	const char *only = NULL;
	json_t *arr = json_array();
	int flags, status = CMD_EXIT_OK, rc;

	if ((rc = upgrade_args(ctx, args, &only, &flags)) != 0 ||
	    (rc = outdated_find(ctx->mgr, only, &o, ctx->err, &err)) != 0) {
		json_decref(arr);
		return rc > 0 ? rc : cmd_fail(ctx, err.code, err.msg);
	}
	if (only != NULL && o.ids == NULL) {
		struct plugin_rec p = { 0 };

		rc = plugin_store_read(ctx->mgr->db, only, &p, &err);
		plugin_rec_clear(&p);
		if (rc != 0) {
			json_decref(arr);
			outdated_free(&o);
			return cmd_fail(ctx, err.code, err.msg);
		}
	}
	/* One plugin at a time, each all-or-nothing (snapshot, staging,
	 * one transaction): a failure leaves that one as it was. */
	for (size_t i = 0; o.ids != NULL && o.ids[i] != NULL; i++) {
		char *src = xasprintf("%s@=%s", o.ids[i], o.want[i]);
		struct mgr_error e = { 0 };

		rc = mgr_plugin_install(ctx->mgr, src, flags, NULL, &e);
		free(src);
		if (rc != 0) {
			status = CMD_EXIT_FAIL;
			fprintf(ctx->err, _("manager: %s: not upgraded: %s\n"),
			    o.ids[i], e.msg);
		} else if (!ctx->json)
			fprintf(ctx->out, _("upgraded %s %s -> %s\n"), o.ids[i],
			    o.have[i], o.want[i]);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b}",
		    "id", o.ids[i], "from", o.have[i], "to", o.want[i],
		    "upgraded", rc == 0));
	}
	if (ctx->json)
		cmd_print_json(ctx, arr);
	else {
		if (o.ids == NULL && o.refused == 0)
			fprintf(ctx->out, _("nothing to upgrade\n"));
		json_decref(arr);
	}
	/* A repository refused (bad signature, rollback, ...) is a failure:
	 * what it would have offered is unknown. */
	if (o.refused > 0)
		status = CMD_EXIT_FAIL;
	outdated_free(&o);
	return status;
}

/* Downloads the remote indexes (all, or the pinned one).  A refusal
 * (bad signature, rollback, freeze, TLS) stops; a repository that cannot
 * be reached is a warning: its cached index is used. */
static int
prefetch_indexes(struct mgr *mgr, const char *pin, FILE *warn,
		 struct mgr_error *err)
{
	char *const *r = mgr->conf->repositories;

	if (pin != NULL && (pin = repo_configured(mgr->conf, pin)) == NULL)
		return 0;	/* the install names the unknown entry */
	for (size_t i = 0; r != NULL && r[i] != NULL; i++) {
		int changed;

		if (!repo_is_remote(r[i]) || (pin != NULL && strcmp(pin, r[i]) != 0))
			continue;
		if (repo_update(mgr->conf, r[i], &changed, err) == 0)
			continue;
		if (err->code == MGR_EUNSAFE || err->code == MGR_EINVAL)
			return err->code;
		fprintf(warn, _("manager: warning: %s; using the cached index of "
		    "%s\n"), err->msg, r[i]);
		mgr_error_clear(err);
	}
	return 0;
}

static int
any_remote(const struct mgr_conf *conf)
{
	for (size_t i = 0; conf->repositories != NULL &&
	    conf->repositories[i] != NULL; i++)
		if (repo_is_remote(conf->repositories[i]))
			return 1;
	return 0;
}

/* The package argument of plugin install or upgrade (SOURCE [from
 * REPO]) and whether --all was given.  Their options take no value, so
 * every word that does not start with "-" (and every word after "--")
 * is a positional argument, wherever the options are. */
static void
install_args(int argc, char **argv, const char **source, const char **repo,
	     int *all)
{
	const char *pos[3] = { NULL, NULL, NULL };
	int n = 0, dashdash = 0;

	*all = 0;
	for (int i = 0; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0)
			dashdash = 1;
		else if (!dashdash && argv[i][0] == '-')
			*all |= strcmp(argv[i], "--all") == 0;
		else if (n < 3)
			pos[n++] = argv[i];
	}
	*source = pos[0];
	*repo = n == 3 && strcmp(pos[1], "from") == 0 ? pos[2] : NULL;
}

int
plugin_prefetch(struct mgr *mgr, int argc, char **argv, FILE *warn,
		struct mgr_error *err)
{
	const char *source, *repo;
	struct outdated o;
	int rc, all, upgrade = argc >= 2 && strcmp(argv[1], "upgrade") == 0;

	if (!any_remote(mgr->conf) || argc < 3)
		return 0;
	install_args(argc - 2, argv + 2, &source, &repo, &all);
	if (source == NULL && !(upgrade && all))
		return 0;	/* a usage error: the command says it */
	if ((rc = prefetch_indexes(mgr, repo, warn, err)) != 0 ||
	    (rc = mgr_open_db(mgr, err)) != 0)
		return rc;
	if (!upgrade)
		return installer_prefetch(mgr, source, repo, err);
	if ((rc = outdated_find(mgr, all ? NULL : source, &o, NULL, err)) != 0)
		return rc;
	for (size_t i = 0; rc == 0 && o.ids != NULL && o.ids[i] != NULL; i++) {
		char *src = xasprintf("%s@=%s", o.ids[i], o.want[i]);
		rc = installer_prefetch(mgr, src, NULL, err);
		free(src);
	}
	outdated_free(&o);
	return rc;
}

const struct cmd_entry cmd_plugin_search_entry = {
	.noun = "plugin", .verb = "search", .usage = N_("TERM"),
	.summary = N_("find packages in the repositories (id, name, description)"),
	.flags = CMD_NO_DB, .min_args = 1, .max_args = 1,
	.run = plugin_search_run,
};
const struct cmd_entry cmd_plugin_outdated_entry = {
	.noun = "plugin", .verb = "outdated", .usage = "",
	.summary = N_("list installed plugins with a newer version available"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 0, .max_args = 0,
	.run = plugin_outdated_run,
};
static const struct cmd_option plugin_upgrade_options[] = {
	{ "all", 0, NULL, N_("every installed plugin a newer version exists "
	    "for"), 0 },
	{ "accept-permissions", 0, NULL, N_("grant the permissions the new "
	    "version asks for beyond the old one's"), 0 },
	{ "no-enable", 0, NULL, N_("leave upgraded plugins disabled"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_plugin_upgrade_entry = {
	.noun = "plugin", .verb = "upgrade", .usage = N_("ID|--all"),
	.summary = N_("upgrade plugins to the newest version in the repositories"),
	.flags = CMD_MUTATES | CMD_FETCHES | CMD_ON_EXISTING,
	.min_args = 0, .max_args = 1,
	.options = plugin_upgrade_options, .run = plugin_upgrade_run,
};
