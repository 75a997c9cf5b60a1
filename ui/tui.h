/* tui.h - the console's entry point. */
#ifndef MGR_UI_TUI_H
#define MGR_UI_TUI_H

struct mgr;
struct mgr_error;

/* Runs the console on the terminal (stdin and stdout must be one) until
 * the user quits or a signal asks to; the terminal is restored on every
 * path.  Returns the process exit status; on a set-up failure fills err
 * and returns a negative MGR_E* code. */
int ui_console_run(struct mgr *mgr, struct mgr_error *err);

/* The console folder's commands (cmd-console.c), for the program's table. */
struct cmd_entry;
extern const struct cmd_entry *const ui_commands[];

#endif
