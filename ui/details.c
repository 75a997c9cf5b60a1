/* details.c - the details views (a plugin, a task) and the plain text
 * pages (help, command output).  A view is a list of lines; details are
 * rebuilt from the database when it changes, keeping the scroll. */
#include "i18n.h"
#include "ui.h"
#include "format.h"
#include "scheduler.h"
#include "console_view_store.h"
#include "manager.h"
#include "runlog.h"
#include "task_context_store.h"
#include "snapshot_store.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* fire_times.c */
void details_fire_times(struct strbuf *sb, const struct task_rec *t);
static void run_page_free(struct run_page *p);
void details_deps(struct strbuf *sb, struct mgr_db *db, const char *id);

static void
view_clear_lines(struct ui_view *v)
{
	for (size_t i = 0; i < v->nlines; i++)
		free(v->lines[i]);
	free(v->lines);
	v->lines = NULL;
	v->nlines = 0;
}

/* Splits text into lines; tabs become spaces (cells must be exact). */
static void
view_fill(struct ui_view *v, const char *text)
{
	size_t cap = 0;

	view_clear_lines(v);
	while (text != NULL && *text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t n = nl != NULL ? (size_t)(nl - text) : strlen(text);
		char *line = xstrndup(text, n);

		for (char *c = line; *c != '\0'; c++)
			if (*c == '\t')
				*c = ' ';
		if (v->nlines == cap) {
			cap = cap ? cap * 2 : 64;
			v->lines = xrealloc(v->lines, cap * sizeof *v->lines);
		}
		v->lines[v->nlines++] = line;
		text = nl != NULL ? nl + 1 : text + n;
	}
	if (v->top >= v->nlines)
		v->top = v->nlines > 0 ? v->nlines - 1 : 0;
}

void
view_set_text(struct ui *ui, const char *title, const char *text)
{
	struct ui_view *v = &ui->view;

	free(v->title);
	free(v->id);
	free(v->task);
	v->task = NULL;
	free(v->back_task);
	v->back_task = NULL;
	run_page_free(v->page);
	v->page = NULL;
	v->title = xstrdup(title);
	v->id = NULL;
	v->kind = VIEW_TEXT;
	v->top = 0;
	view_fill(v, text);
}

void
view_close(struct ui *ui)
{
	struct ui_view *v = &ui->view;

	view_clear_lines(v);
	free(v->title);
	free(v->id);
	free(v->task);
	free(v->back_task);
	run_page_free(v->page);
	memset(v, 0, sizeof *v);
	ui->mode = MODE_NORMAL;
}

static void
add_field(struct strbuf *sb, const char *name, const char *value)
{
	char pad[128];

	strbuf_addf(sb, "  %s %s\n", fmt_pad(name, 16, pad, sizeof pad),
	    value != NULL && value[0] != '\0' ? value : "-");
}

static void
add_time(struct strbuf *sb, const char *name, int64_t at)
{
	char buf[40];

	fmt_datetime(at, buf, sizeof buf);
	add_field(sb, name, buf);
}

static void
add_json(struct strbuf *sb, const char *json)
{
	json_t *j = json_loads(json != NULL ? json : "null", 0, NULL);
	char *text = j != NULL ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY) : NULL;

	if (text == NULL) {
		strbuf_addf(sb, "  %s\n", json != NULL ? json : "-");
	} else {
		for (char *line = strtok(text, "\n"); line != NULL;
		    line = strtok(NULL, "\n"))
			strbuf_addf(sb, "  %s\n", line);
		free(text);
	}
	json_decref(j);
}

static void
add_events(struct ui *ui, struct strbuf *sb, const char *subject)
{
	struct event_rec *ev = NULL;
	struct mgr_error err = { 0 };
	size_t n = 0;
	char when[40];

	strbuf_addf(sb, "\n%s\n", _("Recent events"));
	if (event_store_list(ui->db, subject, 0, 20, &ev, &n, &err) != 0) {
		strbuf_addf(sb, "  %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fmt_datetime(ev[i].at, when, sizeof when);
		strbuf_addf(sb, "  %s  %-18s %s\n", when, ev[i].kind, ev[i].message);
	}
	if (n == 0)
		strbuf_addf(sb, "  %s\n", _("(none)"));
	event_recs_free(ev, n);
}

/* The plugin id a dependency string ("base >= 1.0", "base") names. */
static void
dep_id(const char *dep, char *buf, size_t size)
{
	size_t n = strcspn(dep, " <>=!~^");

	snprintf(buf, size, "%.*s", (int)n, dep);
}

/* The dependency strings of plugin p (NULL-ended, malloc'd). */
static char **
plugin_deps(const struct plugin_rec *p)
{
	json_t *deps = json_loads(p->dependencies != NULL ? p->dependencies :
	    "[]", 0, NULL);
	char **v = NULL;
	size_t k;
	json_t *d;

	json_array_foreach(deps, k, d)
		if (json_is_string(d))
			v = strv_push(v, json_string_value(d));
	json_decref(deps);
	return v;
}

/* "1.0.0, enabled" of an installed plugin, or "not installed". */
static void
dep_state(struct ui *ui, const char *id, char *buf, size_t size)
{
	const struct plugin_rec *p = model_plugin(&ui->model, id);

	if (p == NULL)
		snprintf(buf, size, "%s", _("not installed"));
	else
		snprintf(buf, size, "%s, %s", p->version != NULL ? p->version : "?",
		    p->state != NULL ? p->state : "?");
}

#define TREE_DEPTH 8	/* a cycle (refused at install) cannot loop here */

/* Up: what id needs, and what that needs, indented by depth. */
static size_t
add_needs(struct ui *ui, struct strbuf *sb, const char *id, int depth)
{
	const struct plugin_rec *p = model_plugin(&ui->model, id);
	char **deps, dep[256], state[128];
	size_t n = 0;

	if (p == NULL || depth > TREE_DEPTH)
		return 0;
	deps = plugin_deps(p);
	for (size_t i = 0; deps != NULL && deps[i] != NULL; i++, n++) {
		dep_id(deps[i], dep, sizeof dep);
		dep_state(ui, dep, state, sizeof state);
		strbuf_addf(sb, "  %*s%s (%s)\n", depth * 2, "", deps[i], state);
		add_needs(ui, sb, dep, depth + 1);
	}
	strv_free(deps);
	return n;
}

/* Down: the plugins that need id, and the ones that need those. */
static size_t
add_needed_by(struct ui *ui, struct strbuf *sb, const char *id, int depth)
{
	size_t found = 0;
	char dep[256];

	if (depth > TREE_DEPTH)
		return 0;
	for (size_t i = 0; i < ui->model.nplugins; i++) {
		const struct plugin_rec *p = &ui->model.plugins[i];
		char **deps = plugin_deps(p);

		for (size_t k = 0; deps != NULL && deps[k] != NULL; k++) {
			dep_id(deps[k], dep, sizeof dep);
			if (strcmp(dep, id) != 0)
				continue;
			strbuf_addf(sb, "  %*s%s (%s)\n", depth * 2, "", p->id,
			    deps[k]);
			found++;
			add_needed_by(ui, sb, p->id, depth + 1);
		}
		strv_free(deps);
	}
	return found;
}

static void
add_dependency_tree(struct ui *ui, struct strbuf *sb, const char *id)
{
	strbuf_addf(sb, "\n%s\n", _("Dependencies (what it needs, and what "
	    "those need)"));
	if (add_needs(ui, sb, id, 0) == 0)
		strbuf_addf(sb, "  %s\n", _("(none)"));
	strbuf_addf(sb, "\n%s\n", _("Dependents (what needs it, and what "
	    "needs those)"));
	if (add_needed_by(ui, sb, id, 0) == 0)
		strbuf_addf(sb, "  %s\n", _("(none)"));
}

/* The functions its manifest's tasks call (PLUGIN:FUNCTION). */
static void
add_functions(struct strbuf *sb, const char *id, const char *manifest)
{
	json_t *m = json_loads(manifest != NULL ? manifest : "{}", 0, NULL);
	json_t *tasks = json_object_get(m, "tasks"), *t;
	char **seen = NULL;
	size_t k;

	strbuf_addf(sb, "\n%s\n", _("Functions (its manifest's tasks call)"));
	json_array_foreach(tasks, k, t) {
		const char *fn = json_string_value(json_object_get(t, "func"));

		if (fn == NULL || strv_has(seen, fn))
			continue;
		seen = strv_push(seen, fn);
		strbuf_addf(sb, "  %s:%s\n", id, fn);
	}
	if (seen == NULL)
		strbuf_addf(sb, "  %s\n", _("(none)"));
	strv_free(seen);
	json_decref(m);
}

static void
add_plugin_tasks(struct ui *ui, struct strbuf *sb, const char *id)
{
	struct task_rec *t = NULL;
	struct mgr_error err = { 0 };
	size_t n = 0;
	char pad[512];

	strbuf_addf(sb, "\n%s\n", _("Tasks"));
	if (task_store_list_by_plugin(ui->db, id, &t, &n, &err) != 0) {
		strbuf_addf(sb, "  %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "  %s %-9s %-10s %s\n", fmt_pad(t[i].id, 24, pad,
		    sizeof pad), t[i].trigger,
		    t[i].enabled ? t[i].status : "paused", t[i].func_path);
	if (n == 0)
		strbuf_addf(sb, "  %s\n", _("(none)"));
	task_recs_free(t, n);
}

static void
add_snapshots(struct ui *ui, struct strbuf *sb, const char *id)
{
	struct snapshot_rec *v = NULL;
	struct mgr_error err = { 0 };
	char when[40];
	size_t n = 0;

	strbuf_addf(sb, "\n%s\n", _("Snapshots"));
	if (snapshot_store_list(ui->db, id, &v, &n, &err) != 0) {
		strbuf_addf(sb, "  %s\n", err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fmt_datetime(v[i].created_at, when, sizeof when);
		strbuf_addf(sb, "  #%-5lld %-10s %s  %-9s ", (long long)v[i].id,
		    v[i].version, when, v[i].reason);
		strbuf_addf(sb, ngettext("%lld byte", "%lld bytes",
		    (unsigned long)v[i].size), (long long)v[i].size);
		strbuf_adds(sb, "\n");
	}
	if (n == 0)
		strbuf_addf(sb, "  %s\n", _("(none)"));
	snapshot_recs_free(v, n);
}

static void
add_state(struct ui *ui, struct strbuf *sb, const char *id)
{
	struct mgr_error err = { 0 };
	char *json = NULL;

	strbuf_addf(sb, "\n%s\n", _("Stored state"));
	if (plugin_state_dump(ui->db, id, &json, &err) != 0) {
		strbuf_addf(sb, "  %s\n", err.msg);
		return;
	}
	add_json(sb, json);
	free(json);
}

/* The newer version a repository has (U upgrades to it), or why that is
 * not known; nothing when the plugin is up to date. */
static void
add_newest(struct ui *ui, struct strbuf *sb, const char *id)
{
	const struct ui_newer *n = outdated_get(ui, id);
	char *text;

	if (n == NULL && ui->outdated.refused == NULL)
		return;
	text = n != NULL ? xasprintf(_("%s in %s (U upgrades)"), n->want,
	    n->repo) : xasprintf(_("unknown: %s"), ui->outdated.refused);
	add_field(sb, _("available"), text);
	free(text);
}

static char *
plugin_text(struct ui *ui, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	struct plugin_rec p = { 0 };
	struct mgr_error err = { 0 };

	if (plugin_store_read(ui->db, id, &p, &err) != 0) {
		strbuf_addf(&sb, "%s\n", err.msg);
		return strbuf_detach(&sb);
	}
	strbuf_addf(&sb, "%s\n", _("Plugin"));
	add_field(&sb, _("id"), p.id);
	add_field(&sb, _("name"), p.name);
	add_field(&sb, _("version"), p.version);
	add_newest(ui, &sb, id);
	add_field(&sb, _("state"), p.state);
	add_field(&sb, _("error"), p.error);
	add_field(&sb, _("author"), p.author);
	add_field(&sb, _("description"), p.description);
	add_field(&sb, _("path"), p.path);
	add_time(&sb, _("installed"), p.installed_at);
	add_time(&sb, _("updated"), p.updated_at);
	add_dependency_tree(ui, &sb, id);
	add_functions(&sb, id, p.manifest);
	add_plugin_tasks(ui, &sb, id);
	add_events(ui, &sb, id);
	add_snapshots(ui, &sb, id);
	add_state(ui, &sb, id);
	strbuf_addf(&sb, "\n%s\n", _("Manifest"));
	add_json(&sb, p.manifest);
	plugin_rec_clear(&p);
	return strbuf_detach(&sb);
}

static void
add_run(struct strbuf *sb, const struct run_rec *r)
{
	char when[40], dur[32];
	char *out;

	fmt_datetime(r->started_at != 0 ? r->started_at : r->scheduled_at, when,
	    sizeof when);
	if (r->ended_at != 0 && r->started_at != 0)
		fmt_duration(r->ended_at - r->started_at, dur, sizeof dur);
	else
		snprintf(dur, sizeof dur, "-");
	strbuf_addf(sb, "  #%-6lld %s  %-11s %-7s %s %d", (long long)r->id, when,
	    r->status, dur, _("attempt"), r->attempt);
	if (r->exit_code >= 0)
		strbuf_addf(sb, "  %s %d", _("exit"), r->exit_code);
	if (r->signal != 0)
		strbuf_addf(sb, "  %s %d", _("signal"), r->signal);
	strbuf_adds(sb, "\n");
	if (r->error != NULL && r->error[0] != '\0') {
		out = fmt_first_line(r->error, 300);
		strbuf_addf(sb, "      %s: %s\n", _("error"), out);
		free(out);
	}
	if (r->output != NULL && r->output[0] != '\0') {
		out = fmt_first_line(r->output, 300);
		strbuf_addf(sb, "      %s: %s\n", _("output"), out);
		free(out);
	}
}

/* add_run's first line: "  #ID  ...". */
int
details_run_line(const char *line, int64_t *id)
{
	long long n;
	int end = 0;

	if (sscanf(line, "  #%lld%n", &n, &end) != 1 || end == 0 ||
	    (line[end] != ' ' && line[end] != '\0'))
		return 0;
	*id = (int64_t)n;
	return 1;
}

/* The history a page at a time (UI_HISTORY_PAGE runs): the cursor
 * passing the last line shows the next (view_cursor.c). */
static void
add_runs(struct ui *ui, struct strbuf *sb, const char *id)
{
	struct ui_view *v = &ui->view;
	size_t want = v->history > 0 ? v->history : UI_HISTORY_PAGE;
	struct run_rec *r = NULL;
	struct mgr_error err = { 0 };
	size_t n = 0;

	strbuf_addf(sb, "\n%s\n", _("Run history (newest first)"));
	if (run_store_list(ui->db, id, 0, want + 1, &r, &n, &err) != 0) {
		strbuf_addf(sb, "  %s\n", err.msg);
		return;
	}
	v->history_more = n > want;
	for (size_t i = 0; i < n && i < want; i++)
		add_run(sb, &r[i]);
	if (n == 0)
		strbuf_addf(sb, "  %s\n", _("(no runs yet)"));
	if (v->history_more)
		strbuf_addf(sb, "  %s\n", _("(older runs follow: move past this "
		    "line)"));
	run_recs_free(r, n);
}

static void
add_task_settings(struct ui *ui, struct strbuf *sb, const struct task_rec *t)
{
	char num[64], secs[32];

	strbuf_addf(sb, "\n%s\n", _("Settings"));
	snprintf(num, sizeof num, "%d", t->max_retries);
	add_field(sb, "max_retries", num);
	fmt_seconds(t->timeout, num, sizeof num);
	add_field(sb, "timeout", num);
	fmt_seconds(task_misfire_grace(ui->mgr, t), secs, sizeof secs);
	snprintf(num, sizeof num, "%s%s", secs,
	    t->misfire_grace_time == TASK_GRACE_DEFAULT ? _(" (default)") : "");
	add_field(sb, "misfire_grace", num);
	add_field(sb, "on_interrupt", task_on_interrupt_name(t->on_interrupt));
	add_field(sb, "coalesce", t->coalesce ? "true" : "false");
	if (t->max_instances > 0)
		snprintf(num, sizeof num, "%d", t->max_instances);
	else
		snprintf(num, sizeof num, "%s", _("no limit"));
	add_field(sb, "max_instances", num);
	add_field(sb, "source", t->source);
	add_time(sb, _("created"), t->created_at);
	add_time(sb, _("updated"), t->updated_at);
}

/* {"hour":"9"} as "hour  9" lines, as typed on the CLI. */
static void
add_trigger_args(struct strbuf *sb, const char *json)
{
	json_t *args = json_loads(json != NULL ? json : "{}", 0, NULL);
	const char *key;
	json_t *value;

	if (!json_is_object(args)) {
		add_field(sb, _("fields"), json);
		json_decref(args);
		return;
	}
	json_object_foreach(args, key, value) {
		char *text = json_is_string(value) ? xstrdup(json_string_value(value))
		    : json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);

		add_field(sb, key, text);
		free(text);
	}
	json_decref(args);
}

static char *
task_text(struct ui *ui, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	struct task_rec t = { 0 };
	struct mgr_error err = { 0 };

	if (task_store_read(ui->db, id, &t, &err) != 0) {
		strbuf_addf(&sb, "%s\n", err.msg);
		return strbuf_detach(&sb);
	}
	strbuf_addf(&sb, "%s\n", _("Task"));
	add_field(&sb, _("id"), t.id);
	add_field(&sb, _("name"), t.name);
	add_field(&sb, _("function"), t.func_path);
	add_field(&sb, _("plugin"), t.plugin_id);
	add_field(&sb, _("status"), t.enabled ? t.status : "paused");
	add_time(&sb, _("last run"), t.last_run);
	add_time(&sb, _("next run"), t.enabled ? t.next_run : 0);
	strbuf_addf(&sb, "\n%s\n", _("Trigger"));
	add_field(&sb, _("type"), t.trigger);
	add_trigger_args(&sb, t.trigger_args);
	details_fire_times(&sb, &t);
	add_task_settings(ui, &sb, &t);
	details_deps(&sb, ui->db, id);
	add_runs(ui, &sb, id);
	task_rec_clear(&t);
	return strbuf_detach(&sb);
}

/* Every line of a stored text, indented, each marked with mark. */
static void
add_block(struct strbuf *sb, const char *title, const char *text,
	  const char *mark)
{
	strbuf_addf(sb, "\n%s\n", title);
	if (text == NULL || text[0] == '\0') {
		strbuf_addf(sb, "  %s\n", _("(empty)"));
		return;
	}
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		int n = nl != NULL ? (int)(nl - text) : (int)strlen(text);

		strbuf_addf(sb, "%s %.*s\n", mark, n, text);
		text += n + (nl != NULL);
	}
}

/* A run page keeps this many lines of a log at most: the last ones. */
#define UI_RUN_LOG_LINES 5000
#define RUNLOG_SHOWN (1u << RUNLOG_STDOUT | 1u << RUNLOG_STDERR | \
	1u << RUNLOG_DROPPED)

/* A run page's log: a reader that follows the file, and its lines as
 * shown (the page is rebuilt from the row and these every tick, but the
 * file is read only where it grew). */
struct run_page {
	struct runlog_reader rd;
	struct strbuf text;
	size_t nlines;
	int64_t now;
};

static void
run_page_free(struct run_page *p)
{
	if (p == NULL)
		return;
	runlog_reader_close(&p->rd);
	strbuf_free(&p->text);
	free(p);
}

static void
add_log_line(const struct runlog_line *l, void *arg)
{
	struct run_page *p = arg;
	char when[32];

	fmt_when(l->at, p->now, when, sizeof when);
	if (l->kind == RUNLOG_DROPPED)
		strbuf_addf(&p->text, "   %s  %s\n", when, _("(output over "
		    "log_run_max_mb was dropped)"));
	else
		strbuf_addf(&p->text, "%s %s  %.*s\n", l->kind ==
		    RUNLOG_STDERR ? "  !" : "   ", when, (int)l->len, l->text);
	p->nlines++;
}

/* Keeps the last UI_RUN_LOG_LINES lines of a page that grew past twice
 * that. */
static void
run_page_trim(struct run_page *p)
{
	const char *c = p->text.buf;
	size_t cut = p->nlines - UI_RUN_LOG_LINES;

	if (p->nlines <= 2 * UI_RUN_LOG_LINES)
		return;
	for (size_t i = 0; i < cut; i++)
		c = strchr(c, '\n') + 1;
	p->text.len -= (size_t)(c - p->text.buf);
	memmove(p->text.buf, c, p->text.len + 1);
	p->nlines = UI_RUN_LOG_LINES;
}

/* Opens the run's log at its last lines, from its file or the history
 * (runlog_reader_open_run); NULL when the run is over and has no log
 * (printed nothing, pruned, or older than the log store), or the log
 * cannot be read. */
static struct run_page *
run_page_open(struct ui *ui, const struct run_rec *r)
{
	struct runlog_run run = { .db = ui->db,
	    .state_directory = ui->mgr->conf->state_directory,
	    .task_id = r->task_id, .scheduled_at = r->scheduled_at,
	    .attempt = r->attempt };
	struct run_page *p = xcalloc(1, sizeof *p);
	struct runlog_lines l = { 0 };
	struct mgr_error err = { 0 };

	if (runlog_reader_open_run(&p->rd, &run, &err) != 0) {
		free(p);
		return NULL;
	}
	if (runlog_reader_tail(&p->rd, RUNLOG_SHOWN, 0, UI_RUN_LOG_LINES, &l,
	    &err) != 0 || (!p->rd.found && r->ended_at != 0)) {
		runlog_lines_clear(&l);
		run_page_free(p);
		return NULL;
	}
	p->now = mgr_now_us();
	for (size_t i = 0; i < l.n; i++)
		add_log_line(&l.v[i], p);
	runlog_lines_clear(&l);
	return p;
}

/* The run's full log, its last lines, stderr marked "!"; read where it
 * grew since the last rebuild.  Returns 0 when there is none (the
 * stored excerpt is shown instead). */
static int
add_run_log(struct ui *ui, struct strbuf *sb, const struct run_rec *r)
{
	struct ui_view *v = &ui->view;
	struct mgr_error err = { 0 };

	if (v->page == NULL && (v->page = run_page_open(ui, r)) == NULL)
		return 0;
	v->page->now = mgr_now_us();
	if (runlog_reader_poll(&v->page->rd, add_log_line, v->page, &err) < 0)
		strbuf_addf(sb, "\n%s\n", err.msg);
	run_page_trim(v->page);
	strbuf_addf(sb, "\n%s\n", _("Log (stderr marked !)"));
	if (v->page->nlines >= UI_RUN_LOG_LINES)
		strbuf_addf(sb, "  %s\n", _("(its last lines; `manager task "
		    "logs` prints it whole)"));
	strbuf_adds(sb, v->page->nlines > 0 ? v->page->text.buf : "");
	if (v->page->nlines == 0)
		strbuf_addf(sb, "  %s\n", _("(empty)"));
	v->live_log = !v->page->rd.parse.ended && r->ended_at == 0;
	if (v->live_log)
		strbuf_addf(sb, "  %s\n", _("(the run goes on: this page "
		    "follows its log)"));
	return 1;
}

/* A run, whole: what the runs pane's line only begins. */
static char *
run_text(struct ui *ui, const char *id)
{
	struct strbuf sb = STRBUF_INIT;
	struct run_rec r;
	struct mgr_error err = { 0 };
	char num[64], dur[32];

	if (run_usage_store_read(ui->db, strtoll(id, NULL, 10), &r, &err) != 0) {
		strbuf_addf(&sb, "%s\n", err.msg);
		return strbuf_detach(&sb);
	}
	free(ui->view.task);
	ui->view.task = r.task_id != NULL ? xstrdup(r.task_id) : NULL;
	strbuf_addf(&sb, "%s\n", _("Run"));
	snprintf(num, sizeof num, "#%lld", (long long)r.id);
	add_field(&sb, _("run"), num);
	add_field(&sb, _("task"), r.task_id);
	add_field(&sb, _("status"), r.status);
	snprintf(num, sizeof num, "%d", r.attempt);
	add_field(&sb, _("attempt"), num);
	add_time(&sb, _("scheduled"), r.scheduled_at);
	add_time(&sb, _("started"), r.started_at);
	add_time(&sb, _("ended"), r.ended_at);
	if (r.ended_at != 0 && r.started_at != 0) {
		fmt_duration(r.ended_at - r.started_at, dur, sizeof dur);
		add_field(&sb, _("duration"), dur);
	}
	snprintf(num, sizeof num, "%d", r.exit_code);
	add_field(&sb, _("exit code"), r.exit_code >= 0 ? num : NULL);
	snprintf(num, sizeof num, "%d", r.signal);
	add_field(&sb, _("signal"), r.signal != 0 ? num : NULL);
	/* The error (stderr's last words, or why the run failed) is marked
	 * "!" so it stands out from the output. */
	add_block(&sb, _("Error (marked !)"), r.error, "  !");
	ui->view.live_log = 0;
	if (!add_run_log(ui, &sb, &r))
		add_block(&sb, _("Output (stdout and stderr, as recorded)"),
		    r.output, "   ");
	run_rec_clear(&r);
	return strbuf_detach(&sb);
}

void
details_rebuild(struct ui *ui)
{
	struct ui_view *v = &ui->view;
	char *text;

	if (v->kind == VIEW_PLUGIN)
		text = plugin_text(ui, v->id);
	else if (v->kind == VIEW_TASK)
		text = task_text(ui, v->id);
	else if (v->kind == VIEW_RUN)
		text = run_text(ui, v->id);
	else
		return;
	view_fill(v, text);
	free(text);
}

void
details_open(struct ui *ui, int kind, const char *id)
{
	struct ui_view *v = &ui->view;
	char *idcopy = xstrdup(id);

	view_close(ui);
	v->kind = kind;
	v->id = idcopy;
	v->title = kind == VIEW_PLUGIN ? xasprintf(_("Plugin %s"), id) :
	    kind == VIEW_RUN ? xasprintf(_("Run #%s"), id) :
	    xasprintf(_("Task %s"), id);
	details_rebuild(ui);
}
