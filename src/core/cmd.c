/* cmd.c - the subcommand table and the helpers commands share. */
#include "i18n.h"
#include "cmd.h"
#include "error.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* One line per command; each is defined in its cmd-*.c file. */
extern const struct cmd_entry cmd_config_show_entry;
extern const struct cmd_entry cmd_console_entry;
extern const struct cmd_entry cmd_db_check_entry;
extern const struct cmd_entry cmd_daemon_entry;
extern const struct cmd_entry cmd_host_status_entry;
extern const struct cmd_entry cmd_host_reload_entry;
extern const struct cmd_entry cmd_host_echo_entry;
extern const struct cmd_entry cmd_schedule_preview_entry;
extern const struct cmd_entry cmd_plugin_install_entry;
extern const struct cmd_entry cmd_plugin_list_entry;
extern const struct cmd_entry cmd_plugin_show_entry;
extern const struct cmd_entry cmd_plugin_enable_entry;
extern const struct cmd_entry cmd_plugin_disable_entry;
extern const struct cmd_entry cmd_plugin_uninstall_entry;
extern const struct cmd_entry cmd_plugin_validate_entry;
extern const struct cmd_entry cmd_plugin_probe_entry;
extern const struct cmd_entry cmd_task_add_entry;
extern const struct cmd_entry cmd_task_list_entry;
extern const struct cmd_entry cmd_task_show_entry;
extern const struct cmd_entry cmd_task_edit_entry;
extern const struct cmd_entry cmd_task_remove_entry;
extern const struct cmd_entry cmd_task_pause_entry;
extern const struct cmd_entry cmd_task_resume_entry;
extern const struct cmd_entry cmd_task_run_entry;
extern const struct cmd_entry cmd_task_history_entry;
extern const struct cmd_entry cmd_sched_run_entry;
extern const struct cmd_entry cmd_snapshot_create_entry;
extern const struct cmd_entry cmd_snapshot_list_entry;
extern const struct cmd_entry cmd_snapshot_restore_entry;
extern const struct cmd_entry cmd_snapshot_delete_entry;
extern const struct cmd_entry cmd_plugin_reload_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_config_show_entry,
	&cmd_console_entry,
	&cmd_db_check_entry,
	&cmd_daemon_entry,
	&cmd_host_status_entry,
	&cmd_host_reload_entry,
	&cmd_host_echo_entry,
	&cmd_schedule_preview_entry,
	&cmd_plugin_install_entry,
	&cmd_plugin_list_entry,
	&cmd_plugin_show_entry,
	&cmd_plugin_enable_entry,
	&cmd_plugin_disable_entry,
	&cmd_plugin_uninstall_entry,
	&cmd_plugin_validate_entry,
	&cmd_plugin_probe_entry,
	&cmd_task_add_entry,
	&cmd_task_list_entry,
	&cmd_task_show_entry,
	&cmd_task_edit_entry,
	&cmd_task_remove_entry,
	&cmd_task_pause_entry,
	&cmd_task_resume_entry,
	&cmd_task_run_entry,
	&cmd_task_history_entry,
	&cmd_sched_run_entry,
	&cmd_snapshot_create_entry,
	&cmd_snapshot_list_entry,
	&cmd_snapshot_restore_entry,
	&cmd_snapshot_delete_entry,
	&cmd_plugin_reload_entry,
	NULL
};

const struct cmd_entry *
cmd_find(const char *noun, const char *verb)
{
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];
		if (strcmp(e->noun, noun) != 0)
			continue;
		if (e->verb == NULL || (verb != NULL && strcmp(e->verb, verb) == 0))
			return e;
	}
	return NULL;
}

static int
cmd_noun_exists(const char *noun)
{
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->noun, noun) == 0)
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
	if (verb != NULL)
		fprintf(ctx->err, _("manager: unknown command \"%s %s\"\n"), noun, verb);
	else
		fprintf(ctx->err, _("manager: \"%s\" needs a command\n"), noun);
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->noun, noun) == 0 &&
		    !(cmd_table[i]->flags & CMD_HIDDEN))
			cmd_usage(ctx, cmd_table[i]);
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
	e = cmd_find(argv[0], argc > 1 ? argv[1] : NULL);
	if (e == NULL) {
		if (cmd_noun_exists(argv[0]))
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
