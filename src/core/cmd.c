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

int
cmd_usage(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	fprintf(ctx->err, _("usage: manager %s%s%s %s\n"), e->noun,
	    e->verb != NULL ? " " : "", e->verb != NULL ? e->verb : "",
	    e->usage != NULL ? _(e->usage) : "");
	return CMD_EXIT_USAGE;
}

static int
cmd_noun_usage(struct cmd_ctx *ctx, const char *noun, const char *verb)
{
	const struct cmd_entry *e;

	if (verb != NULL)
		fprintf(ctx->err, _("manager: unknown command \"%s %s\"\n"), noun, verb);
	else
		fprintf(ctx->err, _("manager: \"%s\" needs a command\n"), noun);
	for (size_t i = 0; (e = cmd_table_at(ctx->table, i)) != NULL; i++)
		if (strcmp(e->noun, noun) == 0 && !(e->flags & CMD_HIDDEN))
			cmd_usage(ctx, e);
	return CMD_EXIT_USAGE;
}

/* Whether the usage text shows option `name` with a value ("--from TIME"):
 * the usage string is the one place where a command's options are listed. */
static int
cmd_option_takes_value(const struct cmd_entry *e, const char *name)
{
	size_t len = strlen(name);
	const char *p = e->usage;

	while (p != NULL && (p = strstr(p, name)) != NULL) {
		p += len;
		if (p[0] == ' ' && p[1] >= 'A' && p[1] <= 'Z')
			return 1;
	}
	return 0;
}

/* Arguments that are not options nor option values, up to "--". */
static int
cmd_count_positional(const struct cmd_entry *e, int argc, char **argv)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return n + argc - i - 1;
		if (strncmp(argv[i], "--", 2) != 0)
			n++;
		else if (strchr(argv[i], '=') == NULL &&
		    cmd_option_takes_value(e, argv[i]))
			i++;
	}
	return n;
}

int
cmd_dispatch(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e;
	int nargs;

	if (argc < 1)
		return CMD_EXIT_USAGE;
	e = cmd_find(ctx->table, argv[0], argc > 1 ? argv[1] : NULL);
	if (e == NULL) {
		if (cmd_noun_exists(ctx->table, argv[0]))
			return cmd_noun_usage(ctx, argv[0], argc > 1 ? argv[1] : NULL);
		fprintf(ctx->err, _("manager: unknown command \"%s\"; "
		    "see \"manager --help\"\n"), argv[0]);
		return CMD_EXIT_USAGE;
	}
	argc -= e->verb != NULL ? 2 : 1;
	argv += e->verb != NULL ? 2 : 1;
	nargs = cmd_count_positional(e, argc, argv);
	if (nargs < e->min_args || (e->max_args >= 0 && nargs > e->max_args))
		return cmd_usage(ctx, e);
	/* A command without options reads its arguments as they are: "--"
	 * ("task show -- ID", as the HTTP API writes it) is dropped here. */
	if (e->usage == NULL || strstr(e->usage, "--") == NULL)
		cmd_drop_dashdash(&argc, argv);
	return e->exec(ctx, argc, argv);
}

static void
cmd_remove_args(int *argc, char **argv, int at, int count)
{
	memmove(&argv[at], &argv[at + count],
	    (size_t)(*argc - at - count + 1) * sizeof *argv);
	*argc -= count;
}

void
cmd_drop_dashdash(int *argc, char **argv)
{
	for (int i = 0; i < *argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			cmd_remove_args(argc, argv, i, 1);
			return;
		}
}

int
cmd_take_flag(int *argc, char **argv, const char *name)
{
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], name) == 0) {
			cmd_remove_args(argc, argv, i, 1);
			return 1;
		}
	}
	return 0;
}

int
cmd_take_option(struct cmd_ctx *ctx, int *argc, char **argv, const char *name,
		const char **value)
{
	size_t len = strlen(name);

	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') {
			*value = argv[i] + len + 1;
			cmd_remove_args(argc, argv, i, 1);
			return 1;
		}
		if (strcmp(argv[i], name) != 0)
			continue;
		if (i + 1 >= *argc) {
			fprintf(ctx->err, _("manager: option %s needs a value\n"), name);
			return -1;
		}
		*value = argv[i + 1];
		cmd_remove_args(argc, argv, i, 2);
		return 1;
	}
	return 0;
}

int
cmd_no_more_options(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
		    char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strncmp(argv[i], "--", 2) == 0) {
			fprintf(ctx->err, _("manager: unknown option %s\n"), argv[i]);
			return cmd_usage(ctx, e);
		}
	}
	return 0;
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
