/* cmd-config.c - manager config show: effective values and their origin. */
#include "i18n.h"
#include "cli.h"
#include "cmd.h"
#include "manager.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *
config_value_json(const struct mgr_conf *conf, const struct conf_key *key)
{
	const void *field = (const char *)conf + key->offset;
	char *const *list;
	json_t *a;

	switch (key->type) {
	case CONF_BOOL:
		return json_boolean(*(const int *)field);
	case CONF_INT:
		return json_integer(*(const int *)field);
	case CONF_LIST:
		a = json_array();
		list = *(char **const *)field;
		for (size_t i = 0; list != NULL && list[i] != NULL; i++)
			json_array_append_new(a, json_string(list[i]));
		return a;
	default:
		if (*(char *const *)field == NULL)
			return json_null();
		return json_string(*(char *const *)field);
	}
}

static int
config_show_json(struct cmd_ctx *ctx)
{
	struct mgr *mgr = ctx->mgr;
	json_t *root = json_object(), *settings = json_object();
	char *s;

	json_object_set_new(root, "file", mgr->conf->file != NULL ?
	    json_string(mgr->conf->file) : json_null());
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		char *name = xasprintf("%s.%s", k->group, k->name);
		json_object_set_new(settings, name, json_pack("{s:o, s:s}",
		    "value", config_value_json(mgr->conf, k),
		    "origin", mgr->origins[i].where));
		free(name);
	}
	json_object_set_new(root, "settings", settings);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fprintf(ctx->out, "%s\n", s);
	free(s);
	json_decref(root);
	return CMD_EXIT_OK;
}

static int
config_show_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr *mgr = ctx->mgr;

	(void)args;
	if (ctx->json)
		return config_show_json(ctx);
	fprintf(ctx->out, _("# configuration file: %s\n"), mgr->conf->file != NULL ?
	    mgr->conf->file : _("none (embedded default)"));
	for (size_t i = 0; i < conf_nkeys; i++) {
		const struct conf_key *k = &conf_keys[i];
		char *value = conf_value_text(mgr->conf, k);
		char *name = xasprintf("%s.%s", k->group, k->name);

		fprintf(ctx->out, "%-32s = %-40s # %s\n", name, value,
		    mgr->origins[i].where);
		free(name);
		free(value);
	}
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_config_show_entry = {
	.noun = "config", .verb = "show", .usage = "",
	.summary = N_("show the effective configuration and where each value came from"),
	.flags = CMD_NO_DB, .min_args = 0, .max_args = 0,
	.run = config_show_run,
};

/* manager help [NOUN [VERB]]: what `manager NOUN VERB --help` prints. */
static int
help_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *noun = args->argc > 0 ? args->argv[0] : NULL;
	const char *verb = args->argc > 1 ? args->argv[1] : NULL;
	const char *near;
	char *msg;
	int rc;

	if (noun == NULL) {
		cli_help(ctx->out);
		return CMD_EXIT_OK;
	}
	if (cmd_help(ctx->out, ctx->table, noun, verb) == 0)
		return CMD_EXIT_OK;
	/* A known noun: its closest verb; else the closest noun. */
	near = verb != NULL && cmd_find(ctx->table, noun, NULL) == NULL ?
	    cmd_closest(ctx->table, noun, verb) : cmd_closest(ctx->table, NULL, noun);
	if (near != NULL && verb != NULL && cmd_find(ctx->table, noun, NULL) == NULL)
		msg = xasprintf(_("no command \"%s %s\"; did you mean \"%s %s\"?"),
		    noun, verb, noun, near);
	else if (near != NULL)
		msg = xasprintf(_("no command \"%s\"; did you mean \"%s\"?"), noun,
		    near);
	else
		msg = xasprintf(_("no command \"%s%s%s\"; see \"manager help\""),
		    noun, verb != NULL ? " " : "", verb != NULL ? verb : "");
	rc = cmd_usage_error(ctx, NULL, msg);
	free(msg);
	return rc;
}

const struct cmd_entry cmd_help_entry = {
	.noun = "help", .verb = NULL, .usage = "[NOUN [VERB]]",
	.summary = N_("show the help of the program, a noun or a command"),
	.flags = CMD_NO_DB | CMD_NO_CONF, .min_args = 0, .max_args = 2,
	.run = help_run,
};

extern const struct cmd_entry cmd_complete_entry;

/* The front end's own commands. */
const struct cmd_entry *const cli_commands[] = {
	&cmd_help_entry,
	&cmd_config_show_entry,
	&cmd_complete_entry,
	NULL
};
