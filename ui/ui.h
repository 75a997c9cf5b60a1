/* ui.h - the console's state and the functions its files share.
 *
 * One struct ui owned by the loop thread; nothing global.  Files: tui.c
 * (terminal, loop, signals), draw.c (layout, header, boxes, footer),
 * pane_*.c (rows of each pane), keys.c (the key table, help, footer),
 * details.c (details views), prompt.c (the ':' and '/' line editor),
 * action.c (running command lines). */
#ifndef MGR_UI_H
#define MGR_UI_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>
#include "model.h"

struct mgr;
struct host_rec;
struct run_page;
struct strbuf;

/* PANE_HOSTS shows only after H (show_hosts), under the runs pane. */
enum ui_pane_id { PANE_PLUGINS, PANE_TASKS, PANE_LOG, PANE_HOSTS,
	PANE_COUNT };

enum ui_mode {
	MODE_NORMAL,
	MODE_FILTER,		/* '/' typing a filter */
	MODE_PROMPT,		/* ':' typing a command */
	MODE_CONFIRM,		/* y/n for a destructive action */
	MODE_PICK,		/* choosing a snapshot to restore */
	MODE_QUIT,		/* [d]aemon / [q]uit / [c]ancel */
	MODE_SEARCH,		/* '/' typing a search in a page */
};

/* The modes that type into the bottom line (prompt.c). */
#define UI_TYPING(ui) ((ui)->mode == MODE_PROMPT || \
	(ui)->mode == MODE_FILTER || (ui)->mode == MODE_SEARCH)

/* Colour pairs (only used when colours are on). */
enum { CP_OK = 1, CP_WARN, CP_BAD, CP_TITLE };

/* How one pane lists and draws its rows; rows are model indexes. */
struct ui;
struct ui_pane;
struct pane_ops {
	const char *title;	/* N_() */
	int follow;		/* selection on the first row stays there */
	size_t (*count)(const struct ui *ui);
	const char *(*id)(const struct ui *ui, size_t i);
	/* Does row i contain filter (case-insensitive) in a shown field? */
	int (*match)(const struct ui *ui, size_t i, const char *filter);
	void (*header)(const struct ui *ui, int width, char *buf, size_t size);
	/* Formats row i in exactly width cells; returns the attribute. */
	int (*row)(const struct ui *ui, size_t i, int width, char *buf,
		   size_t size);
	int nsort;		/* columns it sorts by (0: not sortable) */
	/* Puts the filtered rows in the pane's sort order (NULL: model's). */
	void (*sort)(struct ui *ui, struct ui_pane *p);
	/* Is row i one the "next failed" key stops at? (NULL: none) */
	int (*failed)(const struct ui *ui, size_t i);
	/* Does row i pass the status filter only (PANE_ONLY_*)? */
	int (*only)(const struct ui *ui, size_t i, int only);
};

extern const struct pane_ops pane_plugins_ops;
extern const struct pane_ops pane_tasks_ops;
extern const struct pane_ops pane_log_ops;
extern const struct pane_ops pane_hosts_ops;

enum { PANE_ONLY_ALL, PANE_ONLY_FAILED, PANE_ONLY_RUNNING };

struct ui_pane {
	const struct pane_ops *ops;
	size_t *rows;		/* model indexes passing the filter */
	size_t nrows;
	size_t sel;		/* index into rows */
	size_t top;		/* first visible row */
	char *sel_id;		/* keeps the selection across reloads */
	char filter[128];
	char search[128];	/* the last filter typed: n/N find it */
	int sort_col, sort_rev;	/* column index of the pane's sort */
	int only;		/* PANE_ONLY_*: a status filter (runs pane) */
	int y, x, h, w;		/* box on screen, borders included */
};

/* A scrollable text page: details, help, command output. */
struct ui_view {
	char **lines;
	size_t nlines;
	size_t top;
	char *title;
	int kind;		/* VIEW_* */
	char *id;		/* plugin, task or run (its number) for details */
	char *task;		/* a run view's task, or NULL */
	struct run_page *page;	/* a run page's log, read as it grows */
	int live_log;		/* ... and still written: read again every
				 * tick, kept at its end when it was there
				 * (tail -f) */
	size_t cur;		/* a task's page: the cursor's line */
	size_t history;		/* ... the runs of its history shown (0: the
				 * first page), more when the cursor passes
				 * the last line */
	int history_more;	/* ... and there are older ones */
	char *back_task;	/* a run's page opened from a task's: Esc
				 * goes back to it ... */
	size_t back_cur, back_top, back_history;	/* ... as it was */
	char search[128];	/* the page's search (pager_search.c) */
	size_t match;		/* the line of its current match ... */
	int has_match;		/* ... when there is one */
};
enum { VIEW_TEXT, VIEW_PLUGIN, VIEW_TASK, VIEW_HELP, VIEW_PICK, VIEW_RUN,
	VIEW_MESSAGES };

/* The snapshot picker ('S'): the rows it lists, the chosen one. */
struct snapshot_rec;
struct ui_pick {
	char *plugin;
	struct snapshot_rec *snaps;	/* newest first */
	size_t n, sel;
};

/* A plugin a configured repository has a newer version of (outdated.c). */
struct ui_newer {
	char *id, *have, *want, *repo;
};
struct ui_outdated {
	struct ui_newer *v;
	size_t n;
	char *stamp;		/* the index files and plugins it was read for */
	char *refused;		/* why a repository's index was refused */
};

/* A command line run as a child process (job.c): a command that
 * downloads (CMD_FETCHES) runs as the CLI would, off the loop. */
struct ui_job {
	int pid;		/* 0: none running */
	ev_child child;
	ev_io out, err;
	struct strbuf *obuf, *ebuf;
	char *cmdline;
	int show_output;
};

struct ui_line {		/* the prompt's line editor */
	wchar_t buf[512];
	size_t len, cur;
	char **history;
	size_t nhistory;
	size_t hpos;
};

struct ui {
	struct mgr *mgr;
	struct mgr_db *db;	/* the console's own read connection */
	struct ev_loop *loop;
	ev_io input;
	ev_timer tick;
	ev_signal sig_winch, sig_int, sig_term, sig_hup;
	struct ui_model model;
	struct ui_host host;	/* who hosts the engine (host_poll) */
	struct ui_pane panes[PANE_COUNT];
	int focus;
	int show_hosts;		/* the hosts pane shows (H) ... */
	int hosts_back;		/* ... opened from this pane, back on H */
	struct host_rec *hosts;	/* the registry while it shows, by id */
	size_t nhosts;
	int hosts_unread;	/* the last read failed (said once) */
	enum ui_mode mode;
	struct ui_view view;
	struct ui_line line;
	char status[2048];
	int status_error;
	char **messages;	/* every status message, "HH:MM:SS  text" */
	size_t nmessages;
	char **confirm_argv;	/* command run on 'y' */
	struct ui_pick pick;
	struct ui_outdated outdated;
	struct ui_job job;
	int utf8, colors;
	int rows, cols;
	int too_small;
	int dirty;
	int exit_status;
	int hosting;		/* this process hosts the engine */
	int attached;		/* another process hosts it: engine_submit */
	int stopping;		/* quitting: the engine is shutting down */
	int handover;		/* after the loop, start a daemon to host */
	int saved_stderr;	/* fd 2 while it points to /dev/null */
	int saved_to_stderr;	/* mgr->log.to_stderr before the console */
	int64_t last_second;	/* redraw once a second for LEFT columns */
	struct ui_cells *cells;	/* what the last frames wrote (draw.c) */
};

/* A details, help or output page covers the panes. */
#define UI_VIEW_OPEN(ui) ((ui)->view.title != NULL)

#define UI_MIN_COLS 60
#define UI_MIN_ROWS 14

/* tui.c */
void ui_quit(struct ui *ui, int status);
void ui_status(struct ui *ui, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ui_reload(struct ui *ui, int force);
/* The message history ('m', ":messages") as a page. */
void ui_messages_open(struct ui *ui);

/* draw.c */
void ui_layout(struct ui *ui);
void ui_draw(struct ui *ui);
void ui_cells_free(struct ui *ui);
int ui_attr(const struct ui *ui, int pair, int fallback);
int ui_status_attr(const struct ui *ui, const char *status);

/* panes.c */
int ui_contains(const char *haystack, const char *needle);
void pane_rebuild(struct ui *ui, struct ui_pane *p);
void pane_move(struct ui_pane *p, long delta);
void pane_scroll_into_view(struct ui_pane *p);
const char *pane_selected_id(const struct ui *ui, const struct ui_pane *p);
/* Is pane idx on screen? (the hosts pane only after H) */
int pane_shown(const struct ui *ui, int idx);
/* The next shown pane from idx, forward (dir 1) or back (-1). */
int pane_next_shown(const struct ui *ui, int idx, int dir);
size_t pane_selected_model(const struct ui_pane *p);
void pane_sync_id(const struct ui *ui, struct ui_pane *p);
/* The title of sortable column col: name, marked when the pane sorts by it. */
const char *pane_col_title(const struct ui *ui, const struct ui_pane *p,
			   int col, const char *name, char *buf, size_t size);
/* Moves the selection to the next (dir 1) or previous (-1) row that
 * matches: the search text, or a failed row; 0 when none does. */
int pane_find(struct ui *ui, struct ui_pane *p, int dir, int failed);

/* keys.c */
void keys_handle(struct ui *ui, int key, int is_char);
void keys_footer(const struct ui *ui, char *buf, size_t size);
void keys_help(struct ui *ui);

/* mouse.c: a click, double-click or wheel turn (KEY_MOUSE) */
void mouse_event(struct ui *ui);

/* details.c */
void details_open(struct ui *ui, int kind, const char *id);
void details_rebuild(struct ui *ui);
void view_set_text(struct ui *ui, const char *title, const char *text);
void view_close(struct ui *ui);
/* Is line a run of a task's history (as the task's page writes it)? */
int details_run_line(const char *line, int64_t *id);

/* view_cursor.c: the cursor of a task's page, opening its runs, its
 * history a page at a time */
#define UI_HISTORY_PAGE 50
int view_has_cursor(const struct ui_view *v);
void view_cursor_move(struct ui *ui, long delta);
void view_cursor_clamp(struct ui *ui);
size_t view_cursor_line(const struct ui *ui);
int view_selected_run(const struct ui *ui, int64_t *id);
void view_open_selected_run(struct ui *ui);
/* Esc on a run's page opened from a task's: back to it; 0 if not so. */
int view_back(struct ui *ui);

/* pager_search.c: '/', n and N in a page, as less does */
void search_submit(struct ui *ui, const char *pattern);
void search_next(struct ui *ui, int dir);
/* Draws the matches in line (shown at y, x in width cells) reversed
 * (underlined on the selected line, which is reversed already). */
void search_mark(const struct ui *ui, int y, int x, int width,
		 const char *line, int selected);

/* prompt.c */
void prompt_start(struct ui *ui, enum ui_mode mode);
void prompt_key(struct ui *ui, int key, int is_char);
char *prompt_text(const struct ui_line *l);
char **prompt_split(const char *line, char *errbuf, size_t errsize);
void prompt_free(struct ui_line *l);
int prompt_cursor_cells(const struct ui_line *l);

/* pick.c */
void pick_open(struct ui *ui, const char *plugin);
void pick_key(struct ui *ui, int key, int is_char);
size_t pick_selected_line(const struct ui *ui);
void pick_free(struct ui *ui);

/* host.c */
int host_join(struct ui *ui, struct mgr_error *err);
int host_start(struct ui *ui, struct mgr_error *err);
void host_leave(struct ui *ui);
void host_shutdown(struct ui *ui);
void host_poll(struct ui *ui);
/* After the engine stopped and the terminal is restored: starts
 * "manager daemon --detach" on the same configuration and database, says
 * where the engine went, returns the exit status for the console. */
int host_handover(struct ui *ui);

/* pane_hosts.c: the registry read again once a second while the pane
 * shows; the keys H (show, go to, hide), d (drain, asks first) and r
 * (undo a drain) */
void hosts_refresh(struct ui *ui);
void hosts_free(struct ui *ui);
void hosts_key_toggle(struct ui *ui);
/* Enter on the hosts pane: the selected host's page */
void hosts_details(struct ui *ui);
void hosts_key_drain(struct ui *ui);
void hosts_key_undrain(struct ui *ui);

/* outdated.c: reads the repositories' indexes again when they or the
 * plugins changed (a stat per file); the newer version of plugin id, or
 * NULL when it has none */
void outdated_refresh(struct ui *ui);
const struct ui_newer *outdated_get(const struct ui *ui, const char *id);
void outdated_free(struct ui_outdated *o);

/* job.c: runs "manager [--json] ARGV" as a child process with this
 * console's configuration and database, its output shown when it ends;
 * 0, or -1 after saying why in the status line */
int job_start(struct ui *ui, char **argv, int json, const char *cmdline,
	      int show_output);
/* Stops watching a running job (it goes on by itself). */
void job_forget(struct ui *ui);

/* action.c */
void action_run(struct ui *ui, char **argv, int show_output);
/* The result of a command line: errors and one-line outputs in the
 * status line, longer outputs in a page. */
void action_show_result(struct ui *ui, const char *cmdline, int status,
			const char *out, const char *errout, int show_output);
void action_runf(struct ui *ui, const char *noun, const char *verb,
		 const char *id);
void action_confirm(struct ui *ui, const char *question, char **argv);

#endif
