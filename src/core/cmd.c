/* cmd.c - finding and running a command in the program's table, and the
 * helpers commands share.  The table itself is the front end's
 * (src/cli/commands.c): each folder lists its own commands. */
#include "i18n.h"
#include "cmd.h"
#include "error.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const struct cmd_entry *
cmd_table_at(const struct cmd_table *t, size_t i)
{
	for (size_t l = 0; t != NULL && t->lists[l] != NULL; l++) {
		const struct cmd_entry *const *list = t->lists[l];
		size_t n = 0;

		while (list[n] != NULL)
			n++;
		if (i < n)
			return list[i];
		i -= n;
	}
	return NULL;
}

const struct cmd_entry *
cmd_find(const struct cmd_table *t, const char *noun, const char *verb)
{
	const struct cmd_entry *e;

	for (size_t i = 0; (e = cmd_table_at(t, i)) != NULL; i++) {
		if (strcmp(e->noun, noun) != 0)
			continue;
		if (e->verb == NULL || (verb != NULL && strcmp(e->verb, verb) == 0))
			return e;
	}
	return NULL;
}

static int
cmd_noun_exists(const struct cmd_table *t, const char *noun)
{
	const struct cmd_entry *e;

	for (size_t i = 0; (e = cmd_table_at(t, i)) != NULL; i++)
		if (strcmp(e->noun, noun) == 0)
			return 1;
	return 0;
}

/* An unknown verb of a known noun (or none given): the closest verb, and
 * the noun's commands. */
static int
cmd_noun_usage(struct cmd_ctx *ctx, const char *noun, const char *verb)
{
	const char *near = verb != NULL ? cmd_closest(ctx->table, noun, verb) : NULL;
	const struct cmd_entry *e;
	char *msg;

	if (verb != NULL && near != NULL)
		msg = xasprintf(_("unknown command \"%s %s\"; did you mean \"%s %s\"?"),
		    noun, verb, noun, near);
	else if (verb != NULL)
		msg = xasprintf(_("unknown command \"%s %s\""), noun, verb);
	else
		msg = xasprintf(_("\"%s\" needs a command"), noun);
	cmd_usage_error(ctx, NULL, msg);
	free(msg);
	for (size_t i = 0; !ctx->json && (e = cmd_table_at(ctx->table, i)) != NULL; i++)
		if (strcmp(e->noun, noun) == 0 && !(e->flags & CMD_HIDDEN))
			cmd_usage(ctx, e);
	return CMD_EXIT_USAGE;
}

static int
cmd_unknown(struct cmd_ctx *ctx, const char *noun)
{
	const char *near = cmd_closest(ctx->table, NULL, noun);
	char *msg;

	if (near != NULL)
		msg = xasprintf(_("unknown command \"%s\"; did you mean \"%s\"? "
		    "See \"manager help\""), noun, near);
	else
		msg = xasprintf(_("unknown command \"%s\"; see \"manager --help\""),
		    noun);
	cmd_usage_error(ctx, NULL, msg);
	free(msg);
	return CMD_EXIT_USAGE;
}

/* The table's way: options parsed, positional arguments counted, the
 * target found, then the command runs with its arguments read. */
static int
cmd_dispatch_args(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
		  char **argv)
{
	struct mgr_error err = { 0 };
	struct cmd_args args;
	int rc;

	if ((rc = cmd_args_parse(ctx, e, argc, argv, &args)) != 0)
		return rc;
	if (!cmd_args_count_ok(&args))
		rc = cmd_usage(ctx, e);
	else if (e->target != CMD_TARGET_NONE && args.argc > 0 &&
	    ctx->table != NULL && ctx->table->find_target != NULL &&
	    (rc = ctx->table->find_target(ctx, e->target, args.argv[0], &err)) != 0)
		/* A target that is not even an id is a usage error. */
		rc = rc == MGR_EINVAL ? (cmd_fail(ctx, rc, err.msg), CMD_EXIT_USAGE) :
		    cmd_fail(ctx, rc, err.msg);
	else {
		args.target = e->target != CMD_TARGET_NONE && args.argc > 0 ?
		    args.argv[0] : NULL;
		rc = e->run(ctx, &args);
	}
	cmd_args_clear(&args);
	return rc;
}

/* The first argument of a command that takes one of a few words
 * (entry->words: "task import crontab|systemd"). */
static int
check_word(struct cmd_ctx *ctx, const struct cmd_entry *e, const char *arg)
{
	struct strbuf list = STRBUF_INIT;
	char *msg;
	int rc;

	if (e->words == NULL)
		return 0;
	for (size_t i = 0; e->words[i] != NULL; i++)
		if (strcmp(e->words[i], arg) == 0)
			return 0;
	for (size_t i = 0; e->words[i] != NULL; i++)
		strbuf_addf(&list, "%s%s", i > 0 ? ", " : "", e->words[i]);
	msg = xasprintf(_("%s %s: \"%s\" is not one of: %s"), e->noun,
	    e->verb != NULL ? e->verb : "", arg, list.buf);
	rc = cmd_usage_error(ctx, e, msg);
	free(msg);
	strbuf_free(&list);
	return rc;
}

int
cmd_check_usage(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = cmd_find(ctx->table, argv[0],
	    argc > 1 ? argv[1] : NULL);
	struct cmd_args args;
	int skip, rc;

	if (e == NULL)
		return 0;
	skip = e->verb != NULL ? 2 : 1;
	/* cmd_args_parse reads a copy of argv: the command line is unchanged
	 * for the run that follows. */
	if ((rc = cmd_args_parse(ctx, e, argc - skip, argv + skip, &args)) == 0) {
		if (!cmd_args_count_ok(&args))
			rc = cmd_usage(ctx, e);
		else if (args.argc > 0)
			rc = check_word(ctx, e, args.argv[0]);
		cmd_args_clear(&args);
	}
	return rc;
}

int
cmd_creates_nothing(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = cmd_find(ctx->table, argv[0],
	    argc > 1 ? argv[1] : NULL);
	struct cmd_args args;
	int skip, dry;

	if (e == NULL)
		return 0;
	if (e->flags & CMD_ON_EXISTING)
		return 1;
	if (e->dry_run_option == NULL)
		return 0;
	skip = e->verb != NULL ? 2 : 1;
	/* Reads a copy of argv, as cmd_check_usage does. */
	if (cmd_args_parse(ctx, e, argc - skip, argv + skip, &args) != 0)
		return 0;
	dry = cmd_args_has(&args, e->dry_run_option) > 0;
	cmd_args_clear(&args);
	return dry;
}

int
cmd_dispatch(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e;

	if (argc < 1)
		return CMD_EXIT_USAGE;
	if (cmd_wants_help(ctx->table, argc, argv)) {
		const char *verb = argc > 1 && argv[1][0] != '-' ? argv[1] : NULL;

		e = cmd_find(ctx->table, argv[0], verb);
		cmd_help(ctx->out, ctx->table, argv[0], e != NULL ? e->verb : NULL);
		return CMD_EXIT_OK;
	}
	e = cmd_find(ctx->table, argv[0], argc > 1 ? argv[1] : NULL);
	if (e == NULL) {
		if (cmd_noun_exists(ctx->table, argv[0]))
			return cmd_noun_usage(ctx, argv[0], argc > 1 ? argv[1] : NULL);
		return cmd_unknown(ctx, argv[0]);
	}
	argc -= e->verb != NULL ? 2 : 1;
	argv += e->verb != NULL ? 2 : 1;
	return cmd_dispatch_args(ctx, e, argc, argv);
}

int
cmd_fail(struct cmd_ctx *ctx, int code, const char *msg)
{
	if (ctx->json) {
		/* The message may quote client bytes that are not UTF-8. */
		char *text = utf8_sanitize(msg);
		json_t *o = json_pack("{s:s, s:s}", "error", text, "code",
		    mgr_code_name(code));
		char *s = json_dumps(o, JSON_COMPACT);
		fprintf(ctx->err, "%s\n", s);
		free(s);
		free(text);
		json_decref(o);
	} else
		fprintf(ctx->err, "manager: %s\n", msg);
	return mgr_code_exit_status(code);
}

void
cmd_print_json(struct cmd_ctx *ctx, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY);

	fprintf(ctx->out, "%s\n", s);
	free(s);
	json_decref(v);
}
