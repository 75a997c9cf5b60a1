/* tui.c - the console's terminal and loop: ncursesw on the terminal,
 * stdin as an ev_io, SIGWINCH/SIGINT/SIGTERM/SIGHUP as ev_signals (set up
 * before ncurses, so ncurses leaves SIGWINCH to us), a 250 ms timer that
 * follows the database. */
#include "i18n.h"
#include "ui.h"
#include "tui.h"
#include "manager.h"
#include "format.h"
#include "util.h"

#include "nc_fns.h"
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define UI_TICK 0.25

/* The history keeps every message whole; the status line shows what
 * fits and says when there is more. */
static void
ui_remember(struct ui *ui, const char *text)
{
	char when[16];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	ui->messages = xrealloc(ui->messages, (ui->nmessages + 1) *
	    sizeof *ui->messages);
	ui->messages[ui->nmessages++] = xasprintf("%s  %s%s", when,
	    ui->status_error ? _("error: ") : "", text);
}

void
ui_status(struct ui *ui, int error, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	/* One line: a command's message must not break the layout. */
	for (char *c = text; *c != '\0'; c++)
		if (*c == '\n' || *c == '\t')
			*c = ' ';
	ui->status_error = error;
	if (text[0] != '\0')
		ui_remember(ui, text);
	snprintf(ui->status, sizeof ui->status, "%s", text);
	free(text);
	ui->dirty = 1;
}

void
ui_messages_open(struct ui *ui)
{
	struct strbuf sb = STRBUF_INIT;
	/* Long messages wrap: the page shows every character. */
	int width = ui->cols > 12 ? ui->cols - 2 : 10;
	char *text;

	for (size_t i = 0; i < ui->nmessages; i++) {
		const char *m = ui->messages[i];
		int indent = 0;

		while (*m != '\0') {
			size_t n = fmt_prefix(m, width - indent);

			strbuf_addf(&sb, "%*s%.*s\n", indent, "", (int)n, m);
			m += n;
			indent = 10;	/* under the text, past "HH:MM:SS  " */
		}
	}
	text = strbuf_detach(&sb);
	view_set_text(ui, _("Messages since the console opened (newest last)"),
	    text != NULL ? text : "");
	free(text);
	ui->view.kind = VIEW_MESSAGES;
	/* The newest at the bottom of the page. */
	if (ui->view.nlines > (size_t)ui->rows - 5)
		ui->view.top = ui->view.nlines - (size_t)(ui->rows - 5);
}

void
ui_quit(struct ui *ui, int status)
{
	if (!ui->stopping)
		ui->exit_status = status;
	if (ui->hosting)
		host_shutdown(ui);	/* the engine ends the loop */
	else
		ev_break(ui->loop, EVBREAK_ALL);
}

static void
ui_rebuild_panes(struct ui *ui)
{
	for (int i = 0; i < PANE_COUNT; i++)
		pane_rebuild(ui, &ui->panes[i]);
}

/* Reads the database again if it changed (or always with force). */
void
ui_reload(struct ui *ui, int force)
{
	struct mgr_error err = { 0 };
	int changed = 0;

	if (model_refresh(&ui->model, ui->db, force, &changed, &err) != 0) {
		ui_status(ui, 1, "%s", err.msg);
		return;
	}
	if (!changed)
		return;
	ui_rebuild_panes(ui);
	if (UI_VIEW_OPEN(ui))
		details_rebuild(ui);
	ui->dirty = 1;
}

static void
ui_confirm_key(struct ui *ui, int key, int is_char)
{
	char **argv = ui->confirm_argv;

	ui->confirm_argv = NULL;
	ui->mode = MODE_NORMAL;
	if (is_char && (key == 'y' || key == 'Y'))
		action_run(ui, argv, 0);
	else
		ui_status(ui, 0, "%s", _("cancelled"));
	strv_free(argv);
}

/* The quit question of a hosting console: [d]aemon / [q]uit / [c]ancel. */
static void
ui_quit_key(struct ui *ui, int key, int is_char)
{
	ui->mode = MODE_NORMAL;
	if (is_char && (key == 'd' || key == 'D')) {
		ui->handover = 1;
		ui_status(ui, 0, "%s", _("handing the engine to a daemon: stopping "
		    "it here first"));
		ui_quit(ui, 0);
	} else if (is_char && (key == 'q' || key == 'Q')) {
		ui_quit(ui, 0);
	} else {
		ui_status(ui, 0, "%s", _("cancelled: the console goes on hosting "
		    "the engine"));
	}
}

static void
ui_key(struct ui *ui, int key, int is_char)
{
	ui->dirty = 1;
	/* SIGWINCH redraws (on_signal); ncurses' KEY_RESIZE is no answer to
	 * a question, which it would otherwise cancel. */
	if (!is_char && key == KEY_RESIZE)
		return;
	if (ui->too_small && !(is_char && key == 'q'))
		return;
	if (UI_TYPING(ui))
		prompt_key(ui, key, is_char);
	else if (ui->mode == MODE_CONFIRM)
		ui_confirm_key(ui, key, is_char);
	else if (ui->mode == MODE_PICK)
		pick_key(ui, key, is_char);
	else if (ui->mode == MODE_QUIT)
		ui_quit_key(ui, key, is_char);
	else if (!is_char && key == KEY_MOUSE)
		mouse_event(ui);
	else
		keys_handle(ui, key, is_char);
}

static int
stdin_hung_up(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
}

static void
on_input(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ui *ui = w->data;
	wint_t wc;
	int rc, keys = 0;

	(void)loop;
	(void)revents;
	while ((rc = get_wch(&wc)) != ERR) {
		keys++;
		ui_key(ui, (int)wc, rc != KEY_CODE_YES);
	}
	/* The terminal hung up: stdin stays "readable" forever, so end
	 * here instead of spinning. */
	if (keys == 0 && stdin_hung_up()) {
		ui_quit(ui, 128 + SIGHUP);
		return;
	}
	if (ui->dirty)
		ui_draw(ui);
}

static void
ui_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, ui->rows, ui->cols);
	ui_layout(ui);
	clearok(curscr, TRUE);
	ui_draw(ui);
}

static void
on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct ui *ui = w->data;

	(void)loop;
	(void)revents;
	if (w->signum == SIGWINCH)
		ui_resize(ui);
	else
		ui_quit(ui, w->signum == SIGINT ? 0 : 128 + w->signum);
}

/* A run page over a log still being written reads it again; a reader
 * at its end stays at the end (tail -f), one scrolled up stays put. */
static void
follow_run_log(struct ui *ui)
{
	struct ui_view *v = &ui->view;
	size_t page = ui->rows > 5 ? (size_t)ui->rows - 5 : 1;
	int at_end = v->top + page >= v->nlines;

	if (!UI_VIEW_OPEN(ui) || v->kind != VIEW_RUN || !v->live_log)
		return;
	details_rebuild(ui);
	if (at_end && v->nlines > page)
		v->top = v->nlines - page;
	ui->dirty = 1;
}

static void
on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ui *ui = w->data;
	int64_t second = mgr_now_us() / 1000000;

	(void)loop;
	(void)revents;
	ui_reload(ui, 0);
	follow_run_log(ui);
	/* NEXT/LEFT/uptime move with the clock even when nothing changed;
	 * the host is looked at as often. */
	if (second != ui->last_second) {
		ui->last_second = second;
		host_poll(ui);
		hosts_refresh(ui);	/* while its pane shows */
		outdated_refresh(ui);	/* a stat per index file */
		ui->dirty = 1;
	}
	if (ui->dirty)
		ui_draw(ui);
}

static void
ui_colors(struct ui *ui)
{
	const char *no = getenv("NO_COLOR");

	ui->colors = has_colors() && (no == NULL || no[0] == '\0');
	if (!ui->colors)
		return;
	start_color();
	use_default_colors();
	init_pair(CP_OK, COLOR_GREEN, -1);
	init_pair(CP_WARN, COLOR_MAGENTA, -1);
	init_pair(CP_BAD, COLOR_RED, -1);
	init_pair(CP_TITLE, COLOR_CYAN, -1);
}

/* ncurses' own state says whether the terminal needs restoring, so the
 * exit hook needs no global of ours. */
static void
ui_atexit(void)
{
	if (stdscr != NULL && !isendwin())
		endwin();
}

/* Log lines and children's stderr must not scribble over the screen:
 * while the console runs, stderr goes to /dev/null if it is the terminal
 * (events still reach the log pane through the database). */
static void
ui_stderr_hide(struct ui *ui)
{
	int fd;

	ui->saved_to_stderr = ui->mgr->log.to_stderr;
	ui->mgr->log.to_stderr = 0;
	ui->saved_stderr = -1;
	if (!isatty(STDERR_FILENO))
		return;
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return;
	fflush(stderr);
	ui->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (ui->saved_stderr != -1)
		dup2(fd, STDERR_FILENO);
	close(fd);
}

static void
ui_stderr_restore(struct ui *ui)
{
	ui->mgr->log.to_stderr = ui->saved_to_stderr;
	if (ui->saved_stderr == -1)
		return;
	fflush(stderr);
	dup2(ui->saved_stderr, STDERR_FILENO);
	close(ui->saved_stderr);
	ui->saved_stderr = -1;
}

/* A crash must not leave the terminal in raw mode with the alternate
 * screen up.  endwin() is not async-signal-safe, but the process is
 * dying anyway; SA_RESETHAND restores the default action, which the
 * raise() then takes (with its core dump).  Sanitizer builds
 * keep their own handlers, which report the fault. */
#if !defined(__SANITIZE_ADDRESS__)
static void
ui_crash(int sig)
{
	if (stdscr != NULL && !isendwin())
		endwin();
	raise(sig);	/* the default action now: a sent signal ends us too */
}
#endif

static void
ui_crash_handlers(void)
{
#if !defined(__SANITIZE_ADDRESS__)
	struct sigaction sa;
	int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ui_crash;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
#endif
}

static int
ui_terminal_start(struct ui *ui, SCREEN **screen, struct mgr_error *err)
{
	const char *term = getenv("TERM");
	int rc;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return mgr_error_set(err, MGR_EINVAL, "%s",
		    _("the console needs a terminal; use the commands "
		    "(see \"manager --help\") in scripts"));
	if ((rc = nc_fns_load(err)) != 0)
		return rc;
	*screen = newterm(NULL, stdout, stdin);
	if (*screen == NULL)
		return mgr_error_set(err, MGR_EINVAL,
		    _("cannot use the terminal \"%s\"; set TERM to your terminal type"),
		    term != NULL ? term : "");
	atexit(ui_atexit);
	ui_crash_handlers();
	ui->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	ui_colors(ui);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	if (ui->mgr->conf->console_mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
		    BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(200);
	}
	curs_set(0);
	getmaxyx(stdscr, ui->rows, ui->cols);
	return 0;
}

static void
ui_watchers_start(struct ui *ui)
{
	ev_signal *sigs[] = { &ui->sig_winch, &ui->sig_int, &ui->sig_term,
	    &ui->sig_hup };
	int nums[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP };

	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		ev_signal_init(sigs[i], on_signal, nums[i]);
		sigs[i]->data = ui;
		ev_signal_start(ui->loop, sigs[i]);
	}
	ev_io_init(&ui->input, on_input, STDIN_FILENO, EV_READ);
	ui->input.data = ui;
	ev_timer_init(&ui->tick, on_tick, UI_TICK, UI_TICK);
	ui->tick.data = ui;
}

static void
ui_watchers_stop(struct ui *ui)
{
	ev_io_stop(ui->loop, &ui->input);
	ev_timer_stop(ui->loop, &ui->tick);
	ev_signal_stop(ui->loop, &ui->sig_winch);
	ev_signal_stop(ui->loop, &ui->sig_int);
	ev_signal_stop(ui->loop, &ui->sig_term);
	ev_signal_stop(ui->loop, &ui->sig_hup);
}

static void
ui_free(struct ui *ui)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		free(ui->panes[i].rows);
		free(ui->panes[i].sel_id);
	}
	pick_free(ui);
	job_forget(ui);
	outdated_free(&ui->outdated);
	view_close(ui);
	prompt_free(&ui->line);
	free(ui->host.kind);
	hosts_free(ui);
	strv_free(ui->confirm_argv);
	for (size_t i = 0; i < ui->nmessages; i++)
		free(ui->messages[i]);
	free(ui->messages);
	model_free(&ui->model);
	ui_cells_free(ui);
	if (ui->db != NULL)
		db_close(ui->db);
}

static int
ui_open(struct ui *ui, struct mgr *mgr, struct mgr_error *err)
{
	int rc;

	memset(ui, 0, sizeof *ui);
	ui->mgr = mgr;
	ui->panes[PANE_PLUGINS].ops = &pane_plugins_ops;
	ui->panes[PANE_TASKS].ops = &pane_tasks_ops;
	ui->panes[PANE_LOG].ops = &pane_log_ops;
	ui->panes[PANE_HOSTS].ops = &pane_hosts_ops;
	ui->focus = PANE_TASKS;
	/* A connection of our own: data_version then sees every write,
	 * including this process's engine's and commands'. */
	if ((rc = mgr_open_db(mgr, err)) != 0 ||
	    (rc = db_open(db_path(mgr->db), &ui->db, err)) != 0)
		return rc;
	if (mgr->loop == NULL)
		mgr->loop = ev_default_loop(EVFLAG_AUTO);
	ui->loop = mgr->loop;
	return model_refresh(&ui->model, ui->db, 1, &rc, err);
}

int
ui_console_run(struct mgr *mgr, struct mgr_error *err)
{
	struct ui ui;
	SCREEN *screen = NULL;
	int rc;

	if ((rc = ui_open(&ui, mgr, err)) != 0 || (rc = host_join(&ui, err)) != 0) {
		ui_free(&ui);
		return rc;
	}
	ui_watchers_start(&ui);
	if ((rc = ui_terminal_start(&ui, &screen, err)) != 0) {
		ui_watchers_stop(&ui);
		host_leave(&ui);
		ui_free(&ui);
		return rc;
	}
	ui_stderr_hide(&ui);
	if ((rc = host_start(&ui, err)) != 0) {
		ui_watchers_stop(&ui);
		endwin();
		delscreen(screen);
		ui_stderr_restore(&ui);
		ui_free(&ui);
		return rc;
	}
	host_poll(&ui);
	ui_reload(&ui, 1);	/* what starting the engine changed */
	outdated_refresh(&ui);
	ev_io_start(ui.loop, &ui.input);
	ev_timer_start(ui.loop, &ui.tick);
	ui_rebuild_panes(&ui);
	ui_layout(&ui);
	ui_status(&ui, 0, "%s", _("? shows the keys"));
	ui_draw(&ui);
	ev_run(ui.loop, 0);
	ui_watchers_stop(&ui);
	host_leave(&ui);
	endwin();
	delscreen(screen);
	ui_stderr_restore(&ui);
	if (ui.handover)
		ui.exit_status = host_handover(&ui);
	ui_free(&ui);
	return ui.exit_status;
}
