/* action.c - every action is a command line run through the command
 * table, exactly as typed on a shell: in this process when the console
 * hosts the engine or no host runs, with its output captured in memory
 * streams and shown in the status line or an output page.  A command that
 * downloads (plugin install, plugin upgrade), waits for a plugin's host
 * worker (enable, disable, reload) or asks the host (plugin show) runs
 * as a child process, as on a shell (job.c). */
#include "i18n.h"
#include "ui.h"
#include "cmd.h"
#include "engine.h"
#include "format.h"
#include "manager.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
argv_join(char **argv)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; argv[i] != NULL; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", argv[i]);
	return strbuf_detach(&sb);
}

/* Through the host when attached to one and the command changes state;
 * here otherwise (this console hosts the engine, or it only reads). */
static int
run_command(struct ui *ui, int argc, char **argv, int json, char **out,
	    char **errout)
{
	return engine_command(ui->mgr, ui->attached, argc, argv, json, out,
	    errout);
}

/* Shows the result: errors in the status line, output in the status
 * line when it is one line, in a page otherwise (or when asked). */
void
action_show_result(struct ui *ui, const char *cmdline, int status,
		   const char *out, const char *errout, int show_output)
{
	char *first;
	int lines = 0;

	for (const char *c = out; *c != '\0'; c++)
		lines += *c == '\n';
	/* An error is shown whole (its hints are on later lines: "use
	 * --cascade ..."); the status line points to the rest. */
	if (status != 0) {
		const char *why = errout[0] != '\0' ? errout : out;
		char *text = xstrdup(why);
		size_t n = strlen(text);

		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
			text[--n] = '\0';
		if (text[0] != '\0')
			ui_status(ui, 1, _("%s: %s"), cmdline, text);
		else
			ui_status(ui, 1, _("%s: failed with status %d"), cmdline,
			    status);
		free(text);
		return;
	}
	if (out[0] != '\0' && (lines > 1 || (show_output && lines == 1 &&
	    strlen(out) > (size_t)ui->cols - 20))) {
		view_set_text(ui, cmdline, out);
		ui_status(ui, 0, _("%s: done (Esc closes the output)"), cmdline);
		return;
	}
	first = fmt_first_line(out[0] != '\0' ? out : errout, 400);
	if (first[0] != '\0')
		ui_status(ui, 0, _("%s: %s"), cmdline, first);
	else
		ui_status(ui, 0, _("%s: done"), cmdline);
	free(first);
}

/* The command line as the status line shows it: the "--" that ends the
 * options of the console's own commands is left out when the word after
 * it could not be taken for an option anyway. */
static char *
display_cmdline(char **argv)
{
	char **v = NULL, *line;

	for (size_t i = 0; argv[i] != NULL; i++)
		if (strcmp(argv[i], "--") != 0 || argv[i + 1] == NULL ||
		    argv[i + 1][0] == '-')
			v = strv_push(v, argv[i]);
	line = argv_join(v);
	strv_free(v);
	return line;
}

void
action_run(struct ui *ui, char **argv, int show_output)
{
	int argc = (int)strv_len(argv), json = 0, status;
	char *out = NULL, *errout = NULL, *cmdline;
	const struct cmd_entry *e;

	/* "manager task list" and "--json task list" work as on a shell. */
	if (argc > 0 && strcmp(argv[0], "manager") == 0)
		argv++, argc--;
	if (argc > 0 && strcmp(argv[0], "--json") == 0)
		argv++, argc--, json = 1;
	if (argc == 0) {
		ui_status(ui, 1, _("no command given; try \"task list\""));
		return;
	}
	e = cmd_find(ui->mgr->commands, argv[0], argc > 1 ? argv[1] : NULL);
	if (e != NULL && (e->flags & CMD_HOST)) {
		ui_status(ui, 1, _("\"%s\" runs as a process of its own, not "
		    "inside the console"), argv[0]);
		return;
	}
	cmdline = display_cmdline(argv);
	/* A command that downloads, waits for a plugin's host worker or
	 * is better answered by the host (plugin show: the functions its
	 * cache lists off the loop) runs as the CLI would, in a process of
	 * its own: neither the network, a plugin's on_enable nor a library
	 * loading holds up the console (when it hosts the engine, the child
	 * hands the command to it, and it is answered later without holding
	 * its loop either). */
	if (e != NULL && (e->flags & (CMD_FETCHES | CMD_WAITS_WORKER |
	    CMD_ASKS_HOST))) {
		job_start(ui, argv, json, cmdline, show_output);
		free(cmdline);
		return;
	}
	status = run_command(ui, argc, argv, json, &out, &errout);
	action_show_result(ui, cmdline, status, out != NULL ? out : "",
	    errout != NULL ? errout : "", show_output);
	free(cmdline);
	free(out);
	free(errout);
	ui_reload(ui, 0);	/* our own connection sees the change */
	outdated_refresh(ui);	/* an install or uninstall changes it */
}

void
action_runf(struct ui *ui, const char *noun, const char *verb, const char *id)
{
	/* "--": an id is never read as an option, whatever it is. */
	char *argv[] = { (char *)noun, (char *)verb, "--", (char *)id, NULL };

	action_run(ui, argv, 0);
}

void
action_confirm(struct ui *ui, const char *question, char **argv)
{
	strv_free(ui->confirm_argv);
	ui->confirm_argv = argv;
	ui->mode = MODE_CONFIRM;
	ui_status(ui, 0, "%s", question);
}
