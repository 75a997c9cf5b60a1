/* cmd_args.c - a command's options as data: the entry's cmd_option
 * table read with getopt_long, as tmux's args_parse reads a command's
 * option string.  Every command also takes --help (-h) and --json.
 *
 * getopt keeps its state in globals (optind, optarg, opterr, optopt):
 * they are saved, reset (optind = 0 restarts glibc's parser) and given
 * back on every call, so that a parse leaves nothing behind, in the
 * client as in the engine host that carries commands out. */
#include "i18n.h"
#include "cmd.h"
#include "util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define OPT_BASE	256		/* getopt's value of options[i]: OPT_BASE + i */

static size_t
option_count(const struct cmd_entry *e)
{
	size_t n = 0;

	while (e->options != NULL && e->options[n].name != NULL)
		n++;
	return n;
}

/* getopt_long's tables: the entry's options, then --help and --json.
 * "-" returns the arguments that are not options in order (value 1),
 * whatever POSIXLY_CORRECT says; ":" reports a missing value apart. */
static struct option *
long_options(const struct cmd_entry *e, size_t n, char **shortopts)
{
	struct option *lo = xcalloc(n + 3, sizeof *lo);
	char *s = xmalloc(3 * n + 4), *p = s;

	*p++ = '-';
	*p++ = ':';
	for (size_t i = 0; i < n; i++) {
		const struct cmd_option *o = &e->options[i];

		lo[i].name = o->name;
		lo[i].has_arg = o->value != NULL ? required_argument : no_argument;
		lo[i].val = OPT_BASE + (int)i;
		if (o->short_name != 0) {
			*p++ = (char)o->short_name;
			if (o->value != NULL)
				*p++ = ':';
		}
	}
	*p++ = 'h';
	*p = '\0';
	lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[n + 1] = (struct option){ "json", no_argument, NULL, OPT_BASE - 1 };
	*shortopts = s;
	return lo;
}

static int
short_index(const struct cmd_entry *e, size_t n, int c)
{
	for (size_t i = 0; i < n; i++)
		if (e->options[i].short_name == c)
			return (int)i;
	return -1;
}

/* "--na=x": the name part, for messages and prefix matching. */
static char *
option_word(const char *arg)
{
	size_t len = strcspn(arg, "=");

	return xasprintf("%.*s", (int)len, arg);
}

/* Long options that `word` ("--st") abbreviates. */
static size_t
prefix_matches(const struct option *lo, const char *word)
{
	size_t n = 0, len = strlen(word + 2);

	for (size_t i = 0; lo[i].name != NULL; i++)
		n += strncmp(lo[i].name, word + 2, len) == 0;
	return n;
}

/* The message for getopt's '?' or ':' (it prints none: opterr = 0). */
static char *
parse_error(const struct option *lo, int c, int optopt_seen, const char *arg)
{
	char *word = option_word(arg), *msg;

	if (c == ':' && optopt_seen > 0 && optopt_seen < OPT_BASE - 1)
		msg = xasprintf(_("option -%c needs a value"), optopt_seen);
	else if (c == ':')
		msg = xasprintf(_("option %s needs a value"), word);
	else if (optopt_seen >= OPT_BASE - 1 || optopt_seen == 'h')
		msg = xasprintf(_("option %s takes no value"), word);
	else if (optopt_seen > 0)
		msg = xasprintf(_("unknown option -%c"), optopt_seen);
	else if (strncmp(word, "--", 2) == 0 &&
	    prefix_matches(lo, word) > 1)
		msg = xasprintf(_("option %s is ambiguous"), word);
	else
		msg = xasprintf(_("unknown option %s"), word);
	free(word);
	return msg;
}

static void
add_value(struct cmd_optval *v, const char *value, int position)
{
	size_t n = (size_t)v->count;

	v->count++;
	v->last = position;
	if (value == NULL)	/* a flag: counted */
		return;
	v->values = xrealloc(v->values, (n + 2) * sizeof *v->values);
	v->values[n] = value;
	v->values[n + 1] = NULL;
}

/* A "--json" before "--": set first, so that an error found before it
 * is already reported as JSON. */
static void
json_first(struct cmd_ctx *ctx, int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			ctx->json = 1;
}

struct getopt_saved {
	int optind, opterr, optopt;
	char *optarg;
};

/* One getopt_long pass over vargv (vargv[0] is the verb); returns 0 or
 * the message of the first error. */
static char *
parse_loop(struct cmd_ctx *ctx, const struct cmd_entry *e, int vargc,
	   char **vargv, struct cmd_args *a)
{
	size_t n = option_count(e);
	char *shortopts, *msg = NULL;
	struct option *lo = long_options(e, n, &shortopts);
	int c, idx, position = 0;

	while ((c = getopt_long(vargc, vargv, shortopts, lo, &idx)) != -1) {
		if (c == 1)
			a->argv[a->argc++] = optarg;
		else if (c == '?' || c == ':') {
			msg = parse_error(lo, c, optopt, vargv[optind - 1]);
			break;
		} else if (c == 'h')
			a->help = 1;
		else if (c == OPT_BASE - 1)
			ctx->json = 1;
		else {
			int i = c >= OPT_BASE ? c - OPT_BASE : short_index(e, n, c);
			add_value(&a->opts[i], e->options[i].value != NULL ?
			    optarg : NULL, ++position);
		}
	}
	while (msg == NULL && optind < vargc)
		a->argv[a->argc++] = vargv[optind++];
	a->argv[a->argc] = NULL;
	free(lo);
	free(shortopts);
	return msg;
}

int
cmd_args_parse(struct cmd_ctx *ctx, const struct cmd_entry *e, int argc,
	       char **argv, struct cmd_args *a)
{
	struct getopt_saved saved = { optind, opterr, optopt, optarg };
	char **vargv = xcalloc((size_t)argc + 2, sizeof *vargv), *msg;
	int rc = 0;

	memset(a, 0, sizeof *a);
	a->entry = e;
	a->opts = xcalloc(option_count(e) + 1, sizeof *a->opts);
	a->argv = xcalloc((size_t)argc + 1, sizeof *a->argv);
	vargv[0] = (char *)(e->verb != NULL ? e->verb : e->noun);
	memcpy(vargv + 1, argv, (size_t)argc * sizeof *argv);
	json_first(ctx, argc, argv);
	optind = 0;		/* glibc: start a new scan */
	opterr = 0;
	msg = parse_loop(ctx, e, argc + 1, vargv, a);
	optind = saved.optind;
	opterr = saved.opterr;
	optopt = saved.optopt;
	optarg = saved.optarg;
	free(vargv);
	if (msg != NULL) {
		rc = cmd_usage_error(ctx, e, msg);
		free(msg);
		cmd_args_clear(a);
	}
	return rc;
}

int
cmd_args_count_ok(const struct cmd_args *a)
{
	const struct cmd_entry *e = a->entry;

	if (e->args_option != NULL && cmd_args_has(a, e->args_option))
		return a->argc == 0;
	return a->argc >= e->min_args && (e->max_args < 0 ||
	    a->argc <= e->max_args);
}

void
cmd_args_clear(struct cmd_args *a)
{
	for (size_t i = 0; a->opts != NULL && i < option_count(a->entry); i++)
		free(a->opts[i].values);
	free(a->opts);
	free(a->argv);
	strv_free(a->own);
	a->opts = NULL;
	a->argv = NULL;
	a->own = NULL;
	a->argc = 0;
}

/* word copied into to's own words. */
static char *
own_word(struct cmd_args *to, const char *word)
{
	to->own = strv_push(to->own, word);
	return to->own[strv_len(to->own) - 1];
}

void
cmd_args_copy(struct cmd_args *to, const struct cmd_args *a)
{
	size_t n = option_count(a->entry);

	*to = *a;
	to->own = NULL;
	to->argv = xcalloc((size_t)a->argc + 1, sizeof *to->argv);
	for (int i = 0; i < a->argc; i++)
		to->argv[i] = own_word(to, a->argv[i]);
	if (a->target != NULL)
		to->target = to->argv[0];
	to->opts = xcalloc(n + 1, sizeof *to->opts);
	for (size_t i = 0; i < n; i++) {
		to->opts[i] = a->opts[i];
		to->opts[i].values = NULL;
		for (size_t k = 0; a->opts[i].values != NULL &&
		    a->opts[i].values[k] != NULL; k++) {
			to->opts[i].values = xrealloc(to->opts[i].values,
			    (k + 2) * sizeof *to->opts[i].values);
			to->opts[i].values[k] = own_word(to, a->opts[i].values[k]);
			to->opts[i].values[k + 1] = NULL;
		}
	}
}

/* One walk of the table (a command reads its options by name, dozens
 * of times per command line: `task add --from` reads 100,000 lines). */
static const struct cmd_optval *
find_opt(const struct cmd_args *a, const char *name)
{
	const struct cmd_option *o = a->entry->options;

	for (size_t i = 0; o != NULL && o[i].name != NULL; i++)
		if (o[i].name[0] == name[0] && strcmp(o[i].name, name) == 0)
			return &a->opts[i];
	return NULL;
}

int
cmd_args_has(const struct cmd_args *a, const char *name)
{
	const struct cmd_optval *v = find_opt(a, name);

	return v != NULL ? v->count : 0;
}

const char *
cmd_args_value(const struct cmd_args *a, const char *name)
{
	const struct cmd_optval *v = find_opt(a, name);

	return v != NULL && v->values != NULL ? v->values[v->count - 1] : NULL;
}

const char *const *
cmd_args_values(const struct cmd_args *a, const char *name)
{
	const struct cmd_optval *v = find_opt(a, name);

	return v != NULL ? v->values : NULL;
}

int
cmd_args_last(const struct cmd_args *a, const char *name)
{
	const struct cmd_optval *v = find_opt(a, name);

	return v != NULL ? v->last : 0;
}
