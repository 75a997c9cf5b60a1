/* keys.c - the one key table: it dispatches keys, and generates the '?'
 * help and the footer, so the three can never disagree. */
#include "i18n.h"
#include "ui.h"
#include "console_view_store.h"
#include "format.h"
#include "util.h"

#include "nc_fns.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a key works. */
enum {
	K_PLUGINS = 1 << PANE_PLUGINS,
	K_TASKS = 1 << PANE_TASKS,
	K_LOG = 1 << PANE_LOG,
	K_HOSTS = 1 << PANE_HOSTS,
	K_VIEW = 1 << PANE_COUNT,	/* details, help, command output */
	K_ITEMS = K_PLUGINS | K_TASKS | K_LOG,	/* the panes H opens from */
	K_PANES = K_ITEMS | K_HOSTS,
	K_ALL = K_PANES | K_VIEW,
};

struct ui_key {
	int key;		/* a character or a KEY_* code */
	int fkey;		/* 1: KEY_* (function key), 0: character */
	const char *name;	/* NULL: an alias of the entry before it */
	const char *help;	/* N_(), for the help page */
	const char *brief;	/* N_(), for the footer; NULL: not shown */
	int where;		/* K_* */
	void (*fn)(struct ui *ui);
};

/* Context of the key: the focused pane or the open view. */
static int
key_context(const struct ui *ui)
{
	return UI_VIEW_OPEN(ui) ? K_VIEW : 1 << ui->focus;
}

static struct ui_pane *
focused(struct ui *ui)
{
	return &ui->panes[ui->focus];
}

static void
move_by(struct ui *ui, long delta)
{
	struct ui_view *v = &ui->view;
	long top, page = ui->rows - 5;

	if (UI_VIEW_OPEN(ui) && view_has_cursor(v)) {
		view_cursor_move(ui, delta);
		return;
	}
	if (UI_VIEW_OPEN(ui)) {
		top = (long)v->top + delta;
		if (top > (long)v->nlines - page)
			top = (long)v->nlines - page;
		v->top = top > 0 ? (size_t)top : 0;
		return;
	}
	pane_move(focused(ui), delta);
	pane_sync_id(ui, focused(ui));
}

static long
page(const struct ui *ui)
{
	long h = UI_VIEW_OPEN(ui) ? ui->rows - 5 :
	    ui->panes[ui->focus].h - 3;

	return h > 1 ? h - 1 : 1;
}

static void k_down(struct ui *ui) { move_by(ui, 1); }
static void k_up(struct ui *ui) { move_by(ui, -1); }
static void k_pgdn(struct ui *ui) { move_by(ui, page(ui)); }
static void k_pgup(struct ui *ui) { move_by(ui, -page(ui)); }
static void k_home(struct ui *ui) { move_by(ui, -(1L << 40)); }
static void k_end(struct ui *ui) { move_by(ui, 1L << 40); }

static void
k_next_pane(struct ui *ui)
{
	ui->focus = pane_next_shown(ui, ui->focus, 1);
}

static void
k_prev_pane(struct ui *ui)
{
	ui->focus = pane_next_shown(ui, ui->focus, -1);
}

/* The task an action applies to: the selected task, the task of the
 * selected run, or the task whose details are open. */
static const char *
target_task(struct ui *ui)
{
	size_t i;

	if (UI_VIEW_OPEN(ui))
		return ui->view.kind == VIEW_TASK ? ui->view.id :
		    ui->view.kind == VIEW_RUN ? ui->view.task : NULL;
	if (ui->focus == PANE_TASKS)
		return pane_selected_id(ui, focused(ui));
	if (ui->focus == PANE_LOG &&
	    (i = pane_selected_model(focused(ui))) != (size_t)-1 &&
	    ui->model.log[i].is_run)
		return ui->model.log[i].subject;
	return NULL;
}

static const char *
target_plugin(struct ui *ui)
{
	if (UI_VIEW_OPEN(ui))
		return ui->view.kind == VIEW_PLUGIN ? ui->view.id : NULL;
	if (ui->focus == PANE_PLUGINS)
		return pane_selected_id(ui, focused(ui));
	return NULL;
}

static void
task_action(struct ui *ui, const char *verb)
{
	const char *id = target_task(ui);

	if (id == NULL) {
		ui_status(ui, 1, _("no task selected: move to the tasks pane first"));
		return;
	}
	action_runf(ui, "task", verb, id);
}

static void k_pause(struct ui *ui) { task_action(ui, "pause"); }
static void k_resume(struct ui *ui) { task_action(ui, "resume"); }
/* --detach: the console goes on while the run does; the run shows up
 * in the runs pane, where X stops it. */
static void
k_run(struct ui *ui)
{
	const char *id = target_task(ui);
	char *argv[] = { "task", "run", "--detach", "--", (char *)id, NULL };

	if (id == NULL) {
		ui_status(ui, 1, _("no task selected: move to the tasks pane first"));
		return;
	}
	action_run(ui, argv, 0);
}

static void
k_toggle_plugin(struct ui *ui)
{
	const char *id = target_plugin(ui);
	const struct plugin_rec *p;

	if (id == NULL || (p = model_plugin(&ui->model, id)) == NULL) {
		ui_status(ui, 1, _("no plugin selected: move to the plugins pane first"));
		return;
	}
	action_runf(ui, "plugin", p->enabled ? "disable" : "enable", id);
}

/* The selected plugin, or NULL after saying in the status line why. */
static const char *
plugin_or_complain(struct ui *ui)
{
	const char *id = target_plugin(ui);

	if (id == NULL || model_plugin(&ui->model, id) == NULL) {
		ui_status(ui, 1, _("no plugin selected: move to the plugins pane first"));
		return NULL;
	}
	return id;
}

static void
k_reload(struct ui *ui)
{
	const char *id = plugin_or_complain(ui);

	if (id != NULL)
		action_runf(ui, "plugin", "reload", id);
}

static void
k_snapshot(struct ui *ui)
{
	const char *id = plugin_or_complain(ui);

	if (id != NULL)
		action_runf(ui, "snapshot", "create", id);
}

/* The picker replaces an open details view, whose id this may be. */
static void
k_restore(struct ui *ui)
{
	const char *id = plugin_or_complain(ui);
	char *copy;

	if (id == NULL)
		return;
	copy = xstrdup(id);
	pick_open(ui, copy);
	free(copy);
}

/* U: the plugin to the newest version in the repositories, after a
 * question that says from which to which and where from.  The upgrade
 * is the CLI's `plugin upgrade ID`, run as a child process (it may
 * download): the console goes on meanwhile. */
static void
k_upgrade(struct ui *ui)
{
	const char *id = plugin_or_complain(ui);
	const struct ui_newer *n;
	char **argv;
	char *q;

	if (id == NULL)
		return;
	if ((n = outdated_get(ui, id)) == NULL) {
		if (ui->outdated.refused != NULL)
			ui_status(ui, 1, _("plugin %s: no upgrade known: %s"), id,
			    ui->outdated.refused);
		else
			ui_status(ui, 0, _("plugin %s is the newest version in the "
			    "repositories' indexes (\"manager repo update\" fetches "
			    "the remote ones)"), id);
		return;
	}
	argv = strv_push(strv_push(strv_push(strv_push(NULL, "plugin"),
	    "upgrade"), "--"), id);
	q = xasprintf(_("Upgrade plugin %s from %s to %s (from %s)? (a snapshot "
	    "is taken first) (y/n)"), id, n->have, n->want, n->repo);
	action_confirm(ui, q, argv);
	free(q);
}

/* The question names what goes and what goes with it. */
static void
delete_question(struct ui *ui, const char *plugin, const char *task,
		char *buf, size_t size)
{
	struct mgr_error err = { 0 };
	size_t ntasks = 0;
	int64_t nruns = 0;

	if (plugin != NULL) {
		for (size_t i = 0; i < ui->model.ntasks; i++)
			ntasks += ui->model.tasks[i].plugin_id != NULL &&
			    strcmp(ui->model.tasks[i].plugin_id, plugin) == 0;
		snprintf(buf, size, ngettext("Uninstall plugin %s with its %zu "
		    "task and its run history? (a snapshot is taken first) (y/n)",
		    "Uninstall plugin %s with its %zu tasks and their run history? "
		    "(a snapshot is taken first) (y/n)", ntasks), plugin, ntasks);
		return;
	}
	if (store_console_run_count(ui->db, task, &nruns, &err) != 0)
		ui_status(ui, 1, "%s", err.msg);
	snprintf(buf, size, ngettext("Remove task %s and its %lld recorded run? "
	    "(y/n)", "Remove task %s and its %lld recorded runs? (y/n)",
	    (unsigned long)nruns), task, (long long)nruns);
}

static void
k_delete(struct ui *ui)
{
	const char *task = target_task(ui), *plugin = target_plugin(ui);
	char **argv = NULL;
	char question[512];

	if (plugin != NULL)
		argv = strv_push(strv_push(strv_push(strv_push(NULL, "plugin"),
		    "uninstall"), "--"), plugin);
	else if (task != NULL)
		argv = strv_push(strv_push(strv_push(strv_push(NULL, "task"),
		    "remove"), "--"), task);
	else {
		ui_status(ui, 1, _("nothing to delete here: select a task or a plugin"));
		return;
	}
	delete_question(ui, plugin, task, question, sizeof question);
	action_confirm(ui, question, argv);
}

/* The task or plugin a line of the log is about. */
static const char *
log_subject(struct ui *ui)
{
	size_t i;

	if (UI_VIEW_OPEN(ui) || ui->focus != PANE_LOG ||
	    (i = pane_selected_model(focused(ui))) == (size_t)-1)
		return NULL;
	return ui->model.log[i].subject;
}

/* The run a line of the runs pane is about, or NULL. */
static const struct ui_log *
log_run(struct ui *ui)
{
	size_t i;

	if (UI_VIEW_OPEN(ui) || ui->focus != PANE_LOG ||
	    (i = pane_selected_model(focused(ui))) == (size_t)-1 ||
	    !ui->model.log[i].is_run)
		return NULL;
	return &ui->model.log[i];
}

/* Stops the selected run (runs pane, run view), else every run of the
 * selected task; --no-wait: the console goes on while they end. */
static void
k_stop(struct ui *ui)
{
	const struct ui_log *run = log_run(ui);
	const char *task = run != NULL ? run->subject : target_task(ui);
	char num[32] = "";
	int64_t hist;
	char *argv[] = { "task", "stop", "--no-wait", "--", (char *)task, num,
	    NULL };

	if (task == NULL) {
		ui_status(ui, 1, _("no task or run selected"));
		return;
	}
	if (run != NULL)
		snprintf(num, sizeof num, "%lld", (long long)run->id);
	else if (UI_VIEW_OPEN(ui) && ui->view.kind == VIEW_RUN)
		snprintf(num, sizeof num, "%s", ui->view.id);
	else if (view_selected_run(ui, &hist))	/* a task's history */
		snprintf(num, sizeof num, "%lld", (long long)hist);
	if (num[0] == '\0')
		argv[5] = NULL;
	action_run(ui, argv, 0);
}

static void
k_details(struct ui *ui)
{
	const struct ui_log *run = log_run(ui);
	const char *id;
	char num[32];

	if (run != NULL) {
		snprintf(num, sizeof num, "%lld", (long long)run->id);
		details_open(ui, VIEW_RUN, num);
	} else if (!UI_VIEW_OPEN(ui) && ui->focus == PANE_HOSTS)
		hosts_details(ui);
	else if (ui->focus == PANE_PLUGINS && (id = target_plugin(ui)) != NULL)
		details_open(ui, VIEW_PLUGIN, id);
	else if ((id = target_task(ui)) != NULL)
		details_open(ui, VIEW_TASK, id);
	else if ((id = log_subject(ui)) != NULL && model_plugin(&ui->model, id) != NULL)
		details_open(ui, VIEW_PLUGIN, id);
	else if (id != NULL && model_task(&ui->model, id) != NULL)
		details_open(ui, VIEW_TASK, id);
	else
		ui_status(ui, 1, _("nothing selected"));
}

static void
k_back(struct ui *ui)
{
	if (view_back(ui))
		return;
	if (UI_VIEW_OPEN(ui)) {
		view_close(ui);
		return;
	}
	if (focused(ui)->filter[0] != '\0') {
		focused(ui)->filter[0] = '\0';
		pane_rebuild(ui, focused(ui));
		ui_status(ui, 0, _("filter cleared"));
	}
}

/* o: the next column of the pane becomes its sort key. */
static void
k_sort(struct ui *ui)
{
	struct ui_pane *p = focused(ui);

	if (p->ops->nsort == 0) {
		ui_status(ui, 1, "%s", _("this pane is in time order; it does not sort"));
		return;
	}
	p->sort_col = (p->sort_col + 1) % p->ops->nsort;
	p->sort_rev = 0;
	pane_rebuild(ui, p);
	ui_status(ui, 0, "%s", _("sorted by the marked column; O reverses"));
}

static void
k_sort_reverse(struct ui *ui)
{
	struct ui_pane *p = focused(ui);

	if (p->ops->nsort == 0) {
		ui_status(ui, 1, "%s", _("this pane is in time order; it does not sort"));
		return;
	}
	p->sort_rev = !p->sort_rev;
	pane_rebuild(ui, p);
	ui_status(ui, 0, "%s", p->sort_rev ? _("sorted in descending order") :
	    _("sorted in ascending order"));
}

static void
find_next(struct ui *ui, int dir)
{
	struct ui_pane *p = focused(ui);

	if (p->search[0] == '\0')
		ui_status(ui, 1, "%s", _("nothing to find: / types a filter, n and "
		    "N then jump between its matches"));
	else if (!pane_find(ui, p, dir, 0))
		ui_status(ui, 1, _("no row matches \"%s\""), p->search);
}

static void k_find_next(struct ui *ui) { find_next(ui, 1); }
static void k_find_prev(struct ui *ui) { find_next(ui, -1); }

static void
k_next_failed(struct ui *ui)
{
	if (!pane_find(ui, focused(ui), 1, 1))
		ui_status(ui, 0, "%s", ui->focus == PANE_PLUGINS ?
		    _("no plugin is faulted") : _("no task has failed"));
}

/* The runs pane's status filters: one key each, the same key again
 * shows everything. */
static void
log_only(struct ui *ui, int only)
{
	struct ui_pane *p = focused(ui);

	p->only = p->only == only ? PANE_ONLY_ALL : only;
	p->sel = 0;
	p->top = 0;
	pane_rebuild(ui, p);
	ui_status(ui, 0, "%s", p->only == PANE_ONLY_FAILED ?
	    _("showing failed runs only (f again shows all)") :
	    p->only == PANE_ONLY_RUNNING ?
	    _("showing running runs only (a again shows all)") :
	    _("showing all runs and events"));
}

static void k_only_failed(struct ui *ui) { log_only(ui, PANE_ONLY_FAILED); }
static void k_only_running(struct ui *ui) { log_only(ui, PANE_ONLY_RUNNING); }

static void k_filter(struct ui *ui) { prompt_start(ui, MODE_FILTER); }
static void k_search(struct ui *ui) { prompt_start(ui, MODE_SEARCH); }
static void k_search_next(struct ui *ui) { search_next(ui, 1); }
static void k_search_prev(struct ui *ui) { search_next(ui, -1); }
static void k_prompt(struct ui *ui) { prompt_start(ui, MODE_PROMPT); }
static void k_help(struct ui *ui) { keys_help(ui); }
static void k_messages(struct ui *ui) { ui_messages_open(ui); }
/* Quitting a console that hosts the engine stops the scheduling of
 * every task: it asks first, and offers a daemon to host instead. */
static void
k_quit(struct ui *ui)
{
	size_t scheduled = 0;

	for (size_t i = 0; i < ui->model.ntasks; i++)
		scheduled += ui->model.tasks[i].enabled &&
		    ui->model.tasks[i].next_run != 0;
	if (!ui->hosting || ui->stopping || scheduled == 0) {
		ui_quit(ui, 0);
		return;
	}
	ui->mode = MODE_QUIT;
	ui_status(ui, 0, ngettext("quitting stops scheduling (%zu task is "
	    "scheduled); start the daemon instead? [d]aemon / [q]uit / [c]ancel",
	    "quitting stops scheduling (%zu tasks are scheduled); start the "
	    "daemon instead? [d]aemon / [q]uit / [c]ancel", scheduled), scheduled);
}

static void
k_redraw(struct ui *ui)
{
	clearok(curscr, TRUE);
	ui_reload(ui, 1);
}

static const struct ui_key key_table[] = {
	{ '\t', 0, "Tab", N_("next pane"), N_("pane"), K_PANES, k_next_pane },
	{ KEY_BTAB, 1, "S-Tab", N_("previous pane"), NULL, K_PANES, k_prev_pane },
	{ 'l', 0, "l/Right", N_("next pane"), NULL, K_PANES, k_next_pane },
	{ KEY_RIGHT, 1, NULL, NULL, NULL, K_PANES, k_next_pane },
	{ 'h', 0, "h/Left", N_("previous pane"), NULL, K_PANES, k_prev_pane },
	{ KEY_LEFT, 1, NULL, NULL, NULL, K_PANES, k_prev_pane },
	{ 'j', 0, "j/k", N_("move down / up"), N_("move"), K_ALL, k_down },
	{ KEY_DOWN, 1, NULL, NULL, NULL, K_ALL, k_down },
	{ 'k', 0, NULL, NULL, NULL, K_ALL, k_up },
	{ KEY_UP, 1, NULL, NULL, NULL, K_ALL, k_up },
	{ KEY_NPAGE, 1, "PgDn", N_("page down"), NULL, K_ALL, k_pgdn },
	{ KEY_PPAGE, 1, "PgUp", N_("page up"), NULL, K_ALL, k_pgup },
	{ KEY_HOME, 1, "Home/g", N_("first row"), NULL, K_ALL, k_home },
	{ 'g', 0, NULL, NULL, NULL, K_ALL, k_home },
	{ KEY_END, 1, "End/G", N_("last row"), NULL, K_ALL, k_end },
	{ 'G', 0, NULL, NULL, NULL, K_ALL, k_end },
	{ '\n', 0, "Enter", N_("details (of a run: its error and output)"), N_("details"), K_PANES, k_details },
	{ '\r', 0, NULL, NULL, NULL, K_PANES, k_details },
	{ KEY_ENTER, 1, NULL, NULL, NULL, K_PANES, k_details },
	{ '\n', 0, "Enter", N_("open the run on the cursor's line (task page)"),
	    N_("open run"), K_VIEW, view_open_selected_run },
	{ '\r', 0, NULL, NULL, NULL, K_VIEW, view_open_selected_run },
	{ KEY_ENTER, 1, NULL, NULL, NULL, K_VIEW, view_open_selected_run },
	{ 27, 0, "Esc", N_("back / clear the filter"), NULL, K_ALL, k_back },
	{ 'p', 0, "p", N_("pause the task"), N_("pause"), K_TASKS | K_LOG | K_VIEW,
	    k_pause },
	{ 'r', 0, "r", N_("resume the task"), N_("resume"),
	    K_TASKS | K_LOG | K_VIEW, k_resume },
	{ 'x', 0, "x", N_("run the task now"), N_("run now"),
	    K_TASKS | K_LOG | K_VIEW, k_run },
	{ 'X', 0, "X", N_("stop the task's runs (on a run, or a run of the "
	    "task page's history: that run)"),
	    N_("stop"), K_TASKS | K_LOG | K_VIEW, k_stop },
	{ 'e', 0, "e", N_("enable / disable the plugin"), N_("enable/disable"),
	    K_PLUGINS | K_VIEW, k_toggle_plugin },
	{ 'R', 0, "R", N_("reload the plugin (swap in its files)"), N_("reload"),
	    K_PLUGINS | K_VIEW, k_reload },
	{ 's', 0, "s", N_("snapshot the plugin"), N_("snapshot"),
	    K_PLUGINS | K_VIEW, k_snapshot },
	{ 'S', 0, "S", N_("restore a snapshot (pick from a list)"),
	    N_("restore"), K_PLUGINS | K_VIEW, k_restore },
	{ 'U', 0, "U", N_("upgrade the plugin to the newest version in the "
	    "repositories (asks first)"), N_("upgrade"),
	    K_PLUGINS | K_VIEW, k_upgrade },
	{ 'd', 0, "d", N_("delete (asks first)"), N_("delete"),
	    K_PLUGINS | K_TASKS | K_VIEW, k_delete },
	{ 'd', 0, "d", N_("drain the host: no new runs (asks first)"),
	    N_("drain"), K_HOSTS, hosts_key_drain },
	{ 'r', 0, "r", N_("undo the drain of the host"),
	    N_("undrain"), K_HOSTS, hosts_key_undrain },
	{ '/', 0, "/", N_("filter the pane"), N_("filter"), K_PANES, k_filter },
	{ 'n', 0, "n/N", N_("next / previous row matching the last filter"),
	    NULL, K_PANES, k_find_next },
	{ 'N', 0, NULL, NULL, NULL, K_PANES, k_find_prev },
	{ '/', 0, "/", N_("search the page (as less does)"), N_("search"),
	    K_VIEW, k_search },
	{ 'n', 0, "n/N", N_("next / previous match of the search (wraps)"),
	    NULL, K_VIEW, k_search_next },
	{ 'N', 0, NULL, NULL, NULL, K_VIEW, k_search_prev },
	{ 'o', 0, "o", N_("sort by the next column"), N_("sort"),
	    K_PLUGINS | K_TASKS, k_sort },
	{ 'O', 0, "O", N_("reverse the sort"), NULL, K_PLUGINS | K_TASKS,
	    k_sort_reverse },
	{ 'f', 0, "f", N_("next failed task (faulted plugin)"), N_("next failed"),
	    K_PLUGINS | K_TASKS, k_next_failed },
	{ 'f', 0, "f", N_("failed runs only (again: all)"), N_("failed only"),
	    K_LOG, k_only_failed },
	{ 'a', 0, "a", N_("running runs only (again: all)"), N_("running only"),
	    K_LOG, k_only_running },
	{ 'H', 0, "H", N_("show the hosts pane and go to it"),
	    NULL, K_ITEMS, hosts_key_toggle },
	{ 'H', 0, "H", N_("hide the hosts pane"), N_("hide"), K_HOSTS,
	    hosts_key_toggle },
	{ ':', 0, ":", N_("command prompt (any manager command)"), N_("command"),
	    K_ALL, k_prompt },
	{ 'm', 0, "m", N_("messages: every status line since the console "
	    "opened (also :messages)"), NULL, K_ALL, k_messages },
	{ '?', 0, "?", N_("help"), N_("help"), K_ALL, k_help },
	{ 12, 0, "C-l", N_("redraw and reload"), NULL, K_ALL, k_redraw },
	{ 'q', 0, "q", N_("quit"), N_("quit"), K_ALL, k_quit },
};
#define NKEYS (sizeof key_table / sizeof key_table[0])

/* Aliases share the name of the entry they follow. */
static const char *
ui_key_name(size_t i)
{
	while (i > 0 && key_table[i].name == NULL)
		i--;
	return key_table[i].name;
}

static void
key_unavailable(struct ui *ui, size_t i)
{
	ui_status(ui, 1, _("%s: %s is not available here"), ui_key_name(i),
	    _(key_table[i].help != NULL ? key_table[i].help :
	    key_table[i - 1].help));
}

/* A key may mean one thing in one pane and another elsewhere ('f'):
 * the first entry for the context wins. */
void
keys_handle(struct ui *ui, int key, int is_char)
{
	int ctx = key_context(ui);
	size_t first = NKEYS;

	for (size_t i = 0; i < NKEYS; i++) {
		const struct ui_key *k = &key_table[i];

		if (k->key != key || k->fkey == is_char)
			continue;
		if (k->where & ctx) {
			k->fn(ui);
			return;
		}
		if (first == NKEYS)
			first = i;
	}
	if (first < NKEYS)
		key_unavailable(ui, first);
	else if (!(key == KEY_RESIZE && !is_char))
		ui_status(ui, 1, _("unknown key; ? shows the keys"));
}

static int
key_applies_to_view(const struct ui *ui, const struct ui_key *k)
{
	if (k->fn == k_pause || k->fn == k_resume || k->fn == k_run ||
	    k->fn == k_stop)
		return ui->view.kind == VIEW_TASK || ui->view.kind == VIEW_RUN;
	if (k->fn == k_toggle_plugin || k->fn == k_reload ||
	    k->fn == k_snapshot || k->fn == k_restore || k->fn == k_upgrade)
		return ui->view.kind == VIEW_PLUGIN;
	if (k->fn == k_delete)
		return ui->view.kind == VIEW_TASK || ui->view.kind == VIEW_PLUGIN;
	if (k->fn == view_open_selected_run)
		return ui->view.kind == VIEW_TASK;
	return 1;
}

/* Is key k shown in the footer here? */
static int
footer_shows(const struct ui *ui, int ctx, const struct ui_key *k)
{
	if (k->brief == NULL || !(k->where & ctx))
		return 0;
	/* In a details view, keys that need the other kind of item are
	 * left out. */
	return ctx != K_VIEW || key_applies_to_view(ui, k);
}

/* "? help" and "q quit" always fit: the keys before them are cut. */
static int
footer_always(const struct ui_key *k)
{
	return k->fn == k_help || k->fn == k_quit;
}

static size_t
footer_entry_len(const struct ui_key *k)
{
	return strlen(k->name) + strlen(_(k->brief)) + 3;
}

void
keys_footer(const struct ui *ui, char *buf, size_t size)
{
	int ctx = key_context(ui), cut = 0;
	size_t at = 0, tail = 0, width = ui->cols > 0 ? (size_t)ui->cols : size;

	buf[0] = '\0';
	if (UI_TYPING(ui)) {
		snprintf(buf, size, " %s", ui->mode == MODE_PROMPT ?
		    _("Enter run  Tab complete  Up/Down history  Esc cancel") :
		    ui->mode == MODE_SEARCH ? _("type a pattern  Enter search  "
		    "Esc cancel") : _("type to filter  Enter keep  Esc clear"));
		return;
	}
	if (ui->mode == MODE_QUIT) {
		snprintf(buf, size, " %s", _("d hand the engine to a daemon and "
		    "quit  q quit  c cancel"));
		return;
	}
	if (ui->mode == MODE_PICK) {
		snprintf(buf, size, " %s", _("j/k move  Enter restore (asks "
		    "first)  Esc cancel"));
		return;
	}
	for (size_t i = 0; i < NKEYS; i++)
		if (footer_shows(ui, ctx, &key_table[i]) &&
		    footer_always(&key_table[i]))
			tail += footer_entry_len(&key_table[i]);
	if (UI_VIEW_OPEN(ui) && at < size)
		at += (size_t)snprintf(buf + at, size - at, " %s", _("Esc back "));
	for (size_t i = 0; i < NKEYS && at < size; i++) {
		const struct ui_key *k = &key_table[i];

		if (!footer_shows(ui, ctx, k))
			continue;
		if (footer_always(k))
			tail -= footer_entry_len(k);
		else if (cut || at + footer_entry_len(k) + tail > width + 1) {
			cut = 1;	/* no gaps: the rest is in '?' */
			continue;
		}
		at += (size_t)snprintf(buf + at, size - at, " %s %s ", k->name,
		    _(k->brief));
	}
}

void
keys_help(struct ui *ui)
{
	static const struct { int mask; const char *name; } places[] = {
		{ K_PLUGINS, N_("plugins") }, { K_TASKS, N_("tasks") },
		{ K_LOG, N_("log") }, { K_HOSTS, N_("hosts") },
		{ K_VIEW, N_("details") },
	};
	struct strbuf sb = STRBUF_INIT;
	char *text;

	strbuf_addf(&sb, "%s\n\n", _("Keys (the pane or view where each works):"));
	for (size_t i = 0; i < NKEYS; i++) {
		const struct ui_key *k = &key_table[i];
		struct strbuf where = STRBUF_INIT;
		char pad[256];

		if (k->name == NULL)
			continue;
		for (size_t j = 0; j < sizeof places / sizeof places[0]; j++)
			if (k->where & places[j].mask)
				strbuf_addf(&where, "%s%s", where.len ? ", " : "",
				    _(places[j].name));
		strbuf_addf(&sb, "  %-8s %s %s\n", k->name, fmt_pad(_(k->help), 38,
		    pad, sizeof pad),
		    where.buf != NULL ? where.buf : "");
		strbuf_free(&where);
	}
	strbuf_addf(&sb, "\n%s\n%s\n%s\n", _("In the prompt: Tab completes commands and ids, "
	    "Up/Down walk the history, Enter runs, Esc cancels."),
	    _("The filter applies as you type; Enter keeps it, Esc clears it."),
	    _("The view follows the database: changes by other processes appear by themselves."));
	text = strbuf_detach(&sb);
	view_set_text(ui, _("Help"), text);
	ui->view.kind = VIEW_HELP;
	free(text);
}
