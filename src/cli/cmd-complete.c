/* cmd-complete.c - manager __complete WORD... (hidden): the candidates
 * for the last word of a command line, one per line, for the bash and
 * zsh completions (data/completion/).  Nouns, verbs and options come
 * from the command table; task and plugin ids from the database, when
 * there is one (completion never creates it). */
#include "i18n.h"
#include "cli.h"
#include "cmd.h"
#include "manager.h"
#include "scheduler.h"
#include "store.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Global options that come before the command; those with a value. */
static const char *const global_with_value[] = { "--config", "--db",
    "--pidfile", NULL };
static const char *const global_flags[] = { "--json", "--help", "--version",
    "--daemon", "--detach", NULL };

static int
in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

static void
put(struct cmd_ctx *ctx, const char *word, const char *prefix)
{
	if (word != NULL && strncmp(word, prefix, strlen(prefix)) == 0)
		fprintf(ctx->out, "%s\n", word);
}

/* Whether entry i is a noun's first visible entry. */
static int
first_of_noun(const struct cmd_table *t, size_t i, const struct cmd_entry *e)
{
	const struct cmd_entry *f;

	for (size_t j = 0; j < i && (f = cmd_table_at(t, j)) != NULL; j++)
		if (!(f->flags & CMD_HIDDEN) && strcmp(f->noun, e->noun) == 0)
			return 0;
	return 1;
}

/* Nouns (noun NULL) or the verbs of noun, each once, in table order. */
static void
put_words(struct cmd_ctx *ctx, const char *noun, const char *prefix)
{
	const struct cmd_entry *e;

	for (size_t i = 0; (e = cmd_table_at(ctx->table, i)) != NULL; i++) {
		const char *w = noun != NULL ? e->verb : e->noun;

		if ((e->flags & CMD_HIDDEN) || w == NULL ||
		    (noun != NULL && strcmp(e->noun, noun) != 0) ||
		    (noun == NULL && !first_of_noun(ctx->table, i, e)))
			continue;
		put(ctx, w, prefix);
	}
}

static void
put_options(struct cmd_ctx *ctx, const struct cmd_entry *e, const char *prefix)
{
	for (size_t i = 0; e->options != NULL && e->options[i].name != NULL; i++) {
		char *w = xasprintf("--%s", e->options[i].name);
		put(ctx, w, prefix);
		free(w);
	}
	put(ctx, "--json", prefix);
	put(ctx, "--help", prefix);
}

/* Ids of the database, when it exists. */
static void
put_ids(struct cmd_ctx *ctx, enum cmd_target kind, const char *prefix)
{
	struct mgr_error err = { 0 };
	struct plugin_rec *pv;
	struct task_rec *tv;
	size_t n;

	if (ctx->mgr->db == NULL && (access(ctx->mgr->conf->database, F_OK) != 0 ||
	    mgr_open_db(ctx->mgr, &err) != 0))
		return;
	if (kind == CMD_TARGET_TASK && taskmgr_list(ctx->mgr, &tv, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			put(ctx, tv[i].id, prefix);
		task_recs_free(tv, n);
	}
	if (kind == CMD_TARGET_PLUGIN &&
	    plugin_store_list(ctx->mgr->db, &pv, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			put(ctx, pv[i].id, prefix);
		plugin_recs_free(pv, n);
	}
}

/* Which ids the first argument of e takes: its target, or, for commands
 * that look their id up themselves, the noun's kind. */
static enum cmd_target
id_kind(const struct cmd_entry *e)
{
	if (e->target != CMD_TARGET_NONE)
		return e->target;
	if (strcmp(e->noun, "task") == 0 && e->verb != NULL &&
	    strcmp(e->verb, "add") != 0)
		return CMD_TARGET_TASK;
	if (strcmp(e->noun, "snapshot") == 0 && e->verb != NULL &&
	    (strcmp(e->verb, "create") == 0 || strcmp(e->verb, "list") == 0))
		return CMD_TARGET_PLUGIN;
	return CMD_TARGET_NONE;
}

/* Whether option word of e takes the next word as its value. */
static int
option_value_next(const struct cmd_entry *e, const char *word)
{
	for (size_t i = 0; e->options != NULL && e->options[i].name != NULL; i++)
		if (e->options[i].value != NULL && strncmp(word, "--", 2) == 0 &&
		    strcmp(word + 2, e->options[i].name) == 0)
			return 1;
	return 0;
}

/* The arguments of command e so far (words, n of them) and the word
 * being completed. */
static void
complete_args(struct cmd_ctx *ctx, const struct cmd_entry *e, char **words,
	      int n, const char *prefix)
{
	int positional = 0;

	for (int i = 0; i < n; i++) {
		if (option_value_next(e, words[i]))
			i++;
		else if (words[i][0] != '-')
			positional++;
	}
	if (n > 0 && option_value_next(e, words[n - 1]))
		return;		/* a value: the shell completes file names */
	if (prefix[0] == '-') {
		put_options(ctx, e, prefix);
		return;
	}
	if (positional == 0 && e->words != NULL)
		for (size_t i = 0; e->words[i] != NULL; i++)
			put(ctx, e->words[i], prefix);
	else if (positional == 0)
		put_ids(ctx, id_kind(e), prefix);
}

static int
complete_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **w = args->argv;
	int n = args->argc, i = 0;
	const char *prefix = n > 0 ? w[n - 1] : "";
	const struct cmd_entry *e;

	/* The global options before the command. */
	while (i < n - 1 && w[i][0] == '-')
		i += in_list(global_with_value, w[i]) ? 2 : 1;
	if (i >= n - 1) {
		if (prefix[0] == '-') {
			for (size_t k = 0; global_flags[k] != NULL; k++)
				put(ctx, global_flags[k], prefix);
			for (size_t k = 0; global_with_value[k] != NULL; k++)
				put(ctx, global_with_value[k], prefix);
		} else if (i == n - 1 || n == 0)
			put_words(ctx, NULL, prefix);
		return CMD_EXIT_OK;
	}
	if (strcmp(w[i], "help") == 0) {	/* help NOUN VERB */
		if (i + 1 == n - 1)
			put_words(ctx, NULL, prefix);
		else if (i + 2 == n - 1)
			put_words(ctx, w[i + 1], prefix);
		return CMD_EXIT_OK;
	}
	if (i + 1 == n - 1 && cmd_find(ctx->table, w[i], NULL) == NULL) {
		put_words(ctx, w[i], prefix);	/* the verb */
		return CMD_EXIT_OK;
	}
	e = cmd_find(ctx->table, w[i], w[i + 1]);
	if (e == NULL)
		return CMD_EXIT_OK;
	i += e->verb != NULL ? 2 : 1;
	complete_args(ctx, e, w + i, n - 1 - i, prefix);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_complete_entry = {
	.noun = "__complete", .verb = NULL, .usage = "[WORD...]",
	.summary = N_("the completions of a command line's last word (for the "
	    "shell completions)"),
	.flags = CMD_HIDDEN | CMD_NO_DB, .min_args = 0, .max_args = -1,
	.run = complete_run,
};
