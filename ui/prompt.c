/* prompt.c - the line editor behind '/' (incremental filter) and ':'
 * (a command prompt with history and Tab completion of nouns, verbs
 * from the command table, and ids from the database). */
#include "i18n.h"
#include "ui.h"
#include "manager.h"
#include "cmd.h"
#include "format.h"
#include "util.h"

#include "nc_fns.h"
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#define LINE_MAX_CHARS (sizeof ((struct ui_line *)0)->buf / sizeof(wchar_t) - 1)

char *
prompt_text(const struct ui_line *l)
{
	wchar_t w[sizeof l->buf / sizeof l->buf[0]];
	size_t n;
	char *s;

	memcpy(w, l->buf, l->len * sizeof *w);
	w[l->len] = L'\0';
	n = wcstombs(NULL, w, 0);
	if (n == (size_t)-1)
		return xstrdup("");
	s = xmalloc(n + 1);
	wcstombs(s, w, n + 1);
	return s;
}

static void
line_set(struct ui_line *l, const char *s)
{
	size_t n = mbstowcs(l->buf, s, LINE_MAX_CHARS);

	l->len = n == (size_t)-1 ? 0 : n;
	l->cur = l->len;
}

static void
line_insert(struct ui_line *l, wchar_t c)
{
	if (l->len >= LINE_MAX_CHARS)
		return;
	memmove(l->buf + l->cur + 1, l->buf + l->cur,
	    (l->len - l->cur) * sizeof *l->buf);
	l->buf[l->cur++] = c;
	l->len++;
}

static void
line_delete(struct ui_line *l, size_t at, size_t n)
{
	if (at >= l->len)
		return;
	if (n > l->len - at)
		n = l->len - at;
	memmove(l->buf + at, l->buf + at + n, (l->len - at - n) * sizeof *l->buf);
	l->len -= n;
	if (l->cur > at + n)
		l->cur -= n;
	else if (l->cur > at)
		l->cur = at;
}

static void
line_kill_word(struct ui_line *l)
{
	size_t at = l->cur;

	while (at > 0 && iswspace((wint_t)l->buf[at - 1]))
		at--;
	while (at > 0 && !iswspace((wint_t)l->buf[at - 1]))
		at--;
	line_delete(l, at, l->cur - at);
}

void
prompt_start(struct ui *ui, enum ui_mode mode)
{
	struct ui_line *l = &ui->line;
	struct ui_pane *p = &ui->panes[ui->focus];

	/* A search starts empty: Enter alone repeats the last, as in less. */
	line_set(l, mode == MODE_FILTER ? p->filter : "");
	l->hpos = l->nhistory;
	ui->mode = mode;
	ui->status[0] = '\0';
}

void
prompt_free(struct ui_line *l)
{
	for (size_t i = 0; i < l->nhistory; i++)
		free(l->history[i]);
	free(l->history);
	memset(l, 0, sizeof *l);
}

static void
filter_apply(struct ui *ui, const char *text)
{
	struct ui_pane *p = &ui->panes[ui->focus];

	snprintf(p->filter, sizeof p->filter, "%s", text);
	if (text[0] != '\0')
		snprintf(p->search, sizeof p->search, "%s", text);
	pane_rebuild(ui, p);
}

static void
history_add(struct ui_line *l, const char *text)
{
	if (text[0] == '\0' || (l->nhistory > 0 &&
	    strcmp(l->history[l->nhistory - 1], text) == 0))
		return;
	l->history = xrealloc(l->history, (l->nhistory + 1) * sizeof *l->history);
	l->history[l->nhistory++] = xstrdup(text);
}

static void
history_walk(struct ui_line *l, int dir)
{
	if (dir < 0 && l->hpos > 0)
		l->hpos--;
	else if (dir > 0 && l->hpos < l->nhistory)
		l->hpos++;
	else
		return;
	line_set(l, l->hpos < l->nhistory ? l->history[l->hpos] : "");
}

/* Splits a command line into words: blanks separate, '...' and "..."
 * quote, backslash escapes the next character.  No shell is involved. */
char **
prompt_split(const char *s, char *errbuf, size_t errsize)
{
	char **argv = NULL;
	struct strbuf word = STRBUF_INIT;
	int inword = 0;
	char quote = 0;

	for (; *s != '\0'; s++) {
		if (quote != 0 && *s == quote) {
			quote = 0;
		} else if (quote == 0 && (*s == '\'' || *s == '"')) {
			quote = *s;
			inword = 1;
		} else if (*s == '\\' && quote != '\'' && s[1] != '\0') {
			strbuf_add(&word, ++s, 1);
			inword = 1;
		} else if (quote == 0 && (*s == ' ' || *s == '\t')) {
			if (inword)
				argv = strv_push(argv, word.buf != NULL ? word.buf : "");
			strbuf_free(&word);
			inword = 0;
		} else {
			strbuf_add(&word, s, 1);
			inword = 1;
		}
	}
	if (inword)
		argv = strv_push(argv, word.buf != NULL ? word.buf : "");
	strbuf_free(&word);
	if (quote != 0) {
		snprintf(errbuf, errsize, _("unterminated %c quote"), quote);
		strv_free(argv);
		return NULL;
	}
	return argv != NULL ? argv : strv_push(NULL, "");
}

static void
prompt_submit(struct ui *ui)
{
	char *text = prompt_text(&ui->line);
	char errbuf[128];
	char **argv;

	ui->mode = MODE_NORMAL;
	history_add(&ui->line, text);
	argv = prompt_split(text, errbuf, sizeof errbuf);
	free(text);
	if (argv == NULL) {
		ui_status(ui, 1, "%s", errbuf);
		return;
	}
	if (argv[0][0] == '\0') {
		strv_free(argv);
		return;
	}
	if (strcmp(argv[0], "messages") == 0 && argv[1] == NULL)
		ui_messages_open(ui);	/* the console's own, as in vim */
	else
		action_run(ui, argv, 1);
	strv_free(argv);
}

/* Completion candidates for word number idx, given the words before. */
static char **
complete_candidates(struct ui *ui, char **words, size_t idx, const char *prefix)
{
	char **c = NULL;
	size_t n = strlen(prefix);

	const struct cmd_entry *e;

	for (size_t i = 0; idx <= 1 &&
	    (e = cmd_table_at(ui->mgr->commands, i)) != NULL; i++) {
		const char *w = idx == 0 ? e->noun : e->verb;

		if (w == NULL || (e->flags & CMD_HIDDEN) || strncmp(w, prefix, n) != 0)
			continue;
		if (idx == 1 && strcmp(e->noun, words[0]) != 0)
			continue;
		if (c == NULL || strcmp(c[strv_len(c) - 1], w) != 0)
			c = strv_push(c, w);
	}
	if (idx < 2 || prefix[0] == '-')
		return c;
	/* Ids in display order; a bounded list keeps Tab instant with
	 * 10,000 tasks (the common prefix is then of the first ones). */
	if (strcmp(words[0], "task") != 0)
		for (size_t i = 0; i < ui->model.nplugins && strv_len(c) < 200; i++)
			if (strncmp(ui->model.plugins[i].id, prefix, n) == 0)
				c = strv_push(c, ui->model.plugins[i].id);
	if (strcmp(words[0], "plugin") != 0)
		for (size_t i = 0; i < ui->model.ntasks && strv_len(c) < 200; i++)
			if (strncmp(model_task_at(&ui->model, i)->id, prefix, n) == 0)
				c = strv_push(c, model_task_at(&ui->model, i)->id);
	return c;
}

static size_t
common_prefix(char **c)
{
	size_t n = strlen(c[0]);

	for (size_t i = 1; c[i] != NULL; i++) {
		size_t k = 0;

		while (k < n && c[i][k] == c[0][k])
			k++;
		n = k;
	}
	return n;
}

static void
complete_show(struct ui *ui, char **c)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strv_len(c);

	for (size_t i = 0; i < n && i < 40; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", c[i]);
	if (n > 40)
		strbuf_addf(&sb, _(" ... (%zu in all)"), n);
	ui_status(ui, 0, "%s", sb.buf);
	strbuf_free(&sb);
}

static void
prompt_complete(struct ui *ui)
{
	struct ui_line *l = &ui->line;
	struct ui_line before = *l;
	char *text, *prefix, **words, **c;
	size_t idx, plen;
	char errbuf[64];

	before.len = l->cur;
	text = prompt_text(&before);
	prefix = strrchr(text, ' ');
	prefix = prefix != NULL ? prefix + 1 : text;
	words = prompt_split(text, errbuf, sizeof errbuf);
	idx = words == NULL ? 0 : strv_len(words) - (prefix[0] != '\0' ||
	    words[0][0] == '\0');
	c = words != NULL ? complete_candidates(ui, words, idx, prefix) : NULL;
	plen = strlen(prefix);
	if (c == NULL) {
		ui_status(ui, 1, _("no completion"));
	} else {
		size_t common = common_prefix(c);
		wchar_t wc;

		for (size_t i = plen; i < common; i++)
			if (mbtowc(&wc, &c[0][i], 1) == 1)
				line_insert(l, wc);
		if (c[1] == NULL)
			line_insert(l, L' ');
		else
			complete_show(ui, c);
	}
	strv_free(c);
	strv_free(words);
	free(text);
}

static void
prompt_cancel(struct ui *ui)
{
	int was_filter = ui->mode == MODE_FILTER;

	if (was_filter)
		filter_apply(ui, "");
	ui->mode = MODE_NORMAL;
	ui_status(ui, 0, "%s", was_filter ? _("filter cleared") : _("cancelled"));
}

static void
filter_keep(struct ui *ui)
{
	struct ui_pane *p = &ui->panes[ui->focus];

	ui->mode = MODE_NORMAL;
	if (p->filter[0] != '\0')
		ui_status(ui, 0, ngettext("filter \"%s\": %zu row (Esc clears; "
		    "n/N find it later)", "filter \"%s\": %zu rows (Esc clears; "
		    "n/N find it later)", p->nrows), p->filter, p->nrows);
}

static int
prompt_edit_key(struct ui_line *l, int key, int is_char)
{
	if ((!is_char && key == KEY_BACKSPACE) || (is_char && (key == 127 ||
	    key == 8))) {
		if (l->cur > 0)
			line_delete(l, l->cur - 1, 1);
	} else if (!is_char && key == KEY_DC) {
		line_delete(l, l->cur, 1);
	} else if (!is_char && key == KEY_LEFT) {
		l->cur -= l->cur > 0;
	} else if (!is_char && key == KEY_RIGHT) {
		l->cur += l->cur < l->len;
	} else if ((!is_char && key == KEY_HOME) || (is_char && key == 1)) {
		l->cur = 0;
	} else if ((!is_char && key == KEY_END) || (is_char && key == 5)) {
		l->cur = l->len;
	} else if (is_char && key == 21) {
		line_delete(l, 0, l->cur);
	} else if (is_char && key == 23) {
		line_kill_word(l);
	} else if (is_char && key >= 32) {
		line_insert(l, (wchar_t)key);
	} else {
		return 0;
	}
	return 1;
}

void
prompt_key(struct ui *ui, int key, int is_char)
{
	struct ui_line *l = &ui->line;
	char *text;

	ui->status[0] = '\0';
	if (is_char && (key == '\n' || key == '\r')) {
		if (ui->mode == MODE_FILTER)
			filter_keep(ui);
		else if (ui->mode == MODE_SEARCH) {
			text = prompt_text(l);
			search_submit(ui, text);
			free(text);
		} else
			prompt_submit(ui);
	} else if (is_char && key == 27) {
		prompt_cancel(ui);
	} else if (!is_char && (key == KEY_UP || key == KEY_DOWN) &&
	    ui->mode == MODE_PROMPT) {
		history_walk(l, key == KEY_UP ? -1 : 1);
	} else if (is_char && key == '\t' && ui->mode == MODE_PROMPT) {
		prompt_complete(ui);
	} else if (prompt_edit_key(l, key, is_char)) {
		if (ui->mode == MODE_FILTER) {
			text = prompt_text(l);
			filter_apply(ui, text);
			free(text);
		}
	} else if (!(key == KEY_RESIZE && !is_char)) {
		ui_status(ui, 1, _("key not used while typing; Esc cancels"));
	}
}

int
prompt_cursor_cells(const struct ui_line *l)
{
	struct ui_line before = *l;
	char *text;
	int w;

	before.len = l->cur;
	text = prompt_text(&before);
	w = fmt_width(text);
	free(text);
	return w;
}
