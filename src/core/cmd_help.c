/* cmd_help.c - what the table says about a command to people: its usage
 * line, its help (usage, summary, every option with its help text), the
 * help of a noun (its commands), and the closest command to a mistyped
 * word.  `manager help task add` and `manager task add --help` both
 * print cmd_help's text. */
#include "i18n.h"
#include "cmd.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 30		/* where option help texts start */

static int
is_help_word(const char *s)
{
	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

/* "[--name NAME]", "[-f|--follow]", "[--env NAME=VALUE]..." */
static void
option_synopsis(struct strbuf *b, const struct cmd_option *o)
{
	strbuf_addf(b, " [");
	if (o->short_name != 0)
		strbuf_addf(b, "-%c|", o->short_name);
	strbuf_addf(b, "--%s", o->name);
	if (o->value != NULL)
		strbuf_addf(b, " %s", o->value);
	strbuf_addf(b, "]%s", o->flags & CMD_OPT_MANY ? "..." : "");
}

/* "manager task add ID FUNC TYPE [FIELD=VALUE ...] [--name NAME] ...":
 * the positional arguments from the usage text, the options from the
 * entry's table. */
static char *
synopsis(const struct cmd_entry *e)
{
	struct strbuf b = STRBUF_INIT;
	const char *usage = e->usage != NULL && *e->usage != '\0' ?
	    _(e->usage) : NULL;

	strbuf_addf(&b, "manager %s%s%s%s%s", e->noun, e->verb != NULL ? " " : "",
	    e->verb != NULL ? e->verb : "", usage != NULL ? " " : "",
	    usage != NULL ? usage : "");
	for (size_t i = 0; e->options != NULL &&
	    e->options[i].name != NULL; i++)
		option_synopsis(&b, &e->options[i]);
	return strbuf_detach(&b);
}

/* One JSON error object on ctx->err: {"error", "code": "usage", "usage"}. */
static void
usage_json(struct cmd_ctx *ctx, const struct cmd_entry *e, const char *msg)
{
	char *syn = e != NULL ? synopsis(e) : NULL, *text = utf8_sanitize(msg), *s;
	json_t *o = json_pack("{s:s, s:s}", "error", text, "code", "usage");

	if (syn != NULL)
		json_object_set_new(o, "usage", json_string(syn));
	s = json_dumps(o, JSON_COMPACT);
	fprintf(ctx->err, "%s\n", s);
	free(s);
	free(syn);
	free(text);
	json_decref(o);
}

int
cmd_usage(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	char *syn;

	if (ctx->json) {
		usage_json(ctx, e, _("wrong arguments"));
		return CMD_EXIT_USAGE;
	}
	syn = synopsis(e);
	fprintf(ctx->err, _("usage: %s\n"), syn);
	free(syn);
	return CMD_EXIT_USAGE;
}

int
cmd_usage_error(struct cmd_ctx *ctx, const struct cmd_entry *e, const char *msg)
{
	if (ctx->json) {
		usage_json(ctx, e, msg);
		return CMD_EXIT_USAGE;
	}
	fprintf(ctx->err, "manager: %s\n", msg);
	return e != NULL ? cmd_usage(ctx, e) : CMD_EXIT_USAGE;
}

/* "  -f, --follow             text" (a long left part gets its own line). */
static void
option_line(FILE *out, int short_name, const char *name, const char *value,
	    const char *help)
{
	char *left;
	int len;

	if (short_name != 0)
		left = xasprintf("  -%c, --%s%s%s", short_name, name,
		    value != NULL ? " " : "", value != NULL ? value : "");
	else
		left = xasprintf("      --%s%s%s", name, value != NULL ? " " : "",
		    value != NULL ? value : "");
	len = (int)strlen(left);
	if (len + 2 > HELP_COLUMN)
		fprintf(out, "%s\n%*s%s\n", left, HELP_COLUMN, "", help);
	else
		fprintf(out, "%-*s%s\n", HELP_COLUMN, left, help);
	free(left);
}

static void
entry_help(FILE *out, const struct cmd_entry *e)
{
	char *syn = synopsis(e);

	fprintf(out, _("usage: %s\n\n%s\n\nOptions:\n"), syn, _(e->summary));
	free(syn);
	for (size_t i = 0; e->options != NULL &&
	    e->options[i].name != NULL; i++) {
		const struct cmd_option *o = &e->options[i];
		option_line(out, o->short_name, o->name, o->value, _(o->help));
	}
	option_line(out, 0, "json", NULL, _("print the result (or the error) as JSON"));
	option_line(out, 'h', "help", NULL, _("show this help"));
}

static void
commands_help(FILE *out, const struct cmd_table *t, const char *noun)
{
	const struct cmd_entry *e;

	for (size_t i = 0; (e = cmd_table_at(t, i)) != NULL; i++) {
		char left[64];

		if ((e->flags & CMD_HIDDEN) || (noun != NULL &&
		    strcmp(e->noun, noun) != 0))
			continue;
		if (noun != NULL)
			snprintf(left, sizeof left, "%s", e->verb != NULL ? e->verb : "");
		else
			snprintf(left, sizeof left, "%s%s%s", e->noun,
			    e->verb != NULL ? " " : "", e->verb != NULL ? e->verb : "");
		fprintf(out, "  %-20s %s\n", left, _(e->summary));
	}
}

static int
noun_has_verbs(const struct cmd_table *t, const char *noun)
{
	const struct cmd_entry *e;

	for (size_t i = 0; (e = cmd_table_at(t, i)) != NULL; i++)
		if (strcmp(e->noun, noun) == 0 && e->verb != NULL &&
		    !(e->flags & CMD_HIDDEN))
			return 1;
	return 0;
}

int
cmd_help(FILE *out, const struct cmd_table *t, const char *noun,
	 const char *verb)
{
	const struct cmd_entry *e;

	if (noun == NULL) {
		commands_help(out, t, NULL);
		return 0;
	}
	e = cmd_find(t, noun, verb);
	if (e != NULL && (e->verb == NULL || verb != NULL)) {
		entry_help(out, e);
		return 0;
	}
	if (verb != NULL || !noun_has_verbs(t, noun))
		return -1;
	fprintf(out, _("usage: manager %s COMMAND [ARGS]\n\nCommands:\n"), noun);
	commands_help(out, t, noun);
	fprintf(out, _("\n\"manager help %s COMMAND\" shows a command's options.\n"),
	    noun);
	return 0;
}

/* Whether word (an option of e) is followed by its value. */
static int
takes_value(const struct cmd_entry *e, const char *word)
{
	for (size_t i = 0; e->options != NULL && e->options[i].name != NULL; i++) {
		const struct cmd_option *o = &e->options[i];

		if (o->value == NULL)
			continue;
		if ((strncmp(word, "--", 2) == 0 && strcmp(word + 2, o->name) == 0) ||
		    (o->short_name != 0 && word[0] == '-' &&
		    word[1] == o->short_name && word[2] == '\0'))
			return 1;
	}
	return 0;
}

int
cmd_wants_help(const struct cmd_table *t, int argc, char **argv)
{
	const struct cmd_entry *e;

	if (argc < 1)
		return 0;
	e = cmd_find(t, argv[0], argc > 1 ? argv[1] : NULL);
	if (e == NULL)
		return argc > 1 && is_help_word(argv[1]) && noun_has_verbs(t, argv[0]);
	for (int i = e->verb != NULL ? 2 : 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (is_help_word(argv[i]))
			return 1;
		if (takes_value(e, argv[i]))
			i++;
	}
	return 0;
}

/* Edit distance (insert, delete, replace, swap of two neighbours), for
 * short words; larger than any distance of interest past 32 bytes. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

const char *
cmd_closest(const struct cmd_table *t, const char *noun, const char *word)
{
	const struct cmd_entry *e;
	const char *best = NULL;
	size_t best_d = strlen(word) > 4 ? 3 : 2;	/* "closer than" */

	for (size_t i = 0; (e = cmd_table_at(t, i)) != NULL; i++) {
		const char *w = noun != NULL ? e->verb : e->noun;
		size_t d;

		if (w == NULL || (e->flags & CMD_HIDDEN) ||
		    (noun != NULL && strcmp(e->noun, noun) != 0))
			continue;
		/* "del" for "delete": a prefix counts as close. */
		d = strncmp(w, word, strlen(word)) == 0 ? 1 : distance(word, w);
		if (d < best_d) {
			best = w;
			best_d = d;
		}
	}
	return best;
}
