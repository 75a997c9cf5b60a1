/* import.c - what every import shares: the set of tasks a file gives,
 * their checks, and writing them all in one transaction. */
#include "i18n.h"
#include "import.h"
#include "manager.h"
#include "scheduler.h"
#include "task_context_store.h"
#include "task_hooks_store.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void
import_task_clear(struct import_task *t)
{
	task_rec_clear(&t->rec);
	strv_free(t->fields);
	task_context_clear(&t->ctx);
	task_hooks_clear(&t->hooks);
	free(t->where);
}

void
import_set_clear(struct import_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		import_task_clear(&s->v[i]);
	free(s->v);
	strv_free(s->rejected);
	strv_free(s->notes);
	memset(s, 0, sizeof *s);
}

struct import_task *
import_set_add(struct import_set *s, const char *where)
{
	struct import_task *t;

	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	t = &s->v[s->n++];
	memset(t, 0, sizeof *t);
	task_rec_init(&t->rec);
	task_context_init(&t->ctx);
	task_hooks_init(&t->hooks);
	t->where = xstrdup(where);
	return t;
}

void
import_set_drop_last(struct import_set *s)
{
	if (s->n > 0)
		import_task_clear(&s->v[--s->n]);
}

static char **
push_vf(char **v, const char *where, const char *fmt, va_list ap)
{
	char *msg, *line;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	line = where != NULL ? xasprintf("%s: %s", where, msg) : xstrdup(msg);
	v = strv_push(v, line);
	free(line);
	free(msg);
	return v;
}

void
import_reject(struct import_set *s, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s->rejected = push_vf(s->rejected, where, fmt, ap);
	va_end(ap);
}

void
import_note(struct import_set *s, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	s->notes = push_vf(s->notes, where, fmt, ap);
	va_end(ap);
}

char *
import_exec_quote(const char *w)
{
	struct strbuf sb = STRBUF_INIT;

	if (*w != '\0' && strpbrk(w, " \t\n\"'\\") == NULL)
		return xstrdup(w);
	if (strchr(w, '\'') == NULL)
		return xasprintf("'%s'", w);
	strbuf_adds(&sb, "\"");
	for (; *w != '\0'; w++) {
		if (*w == '"' || *w == '\\')
			strbuf_adds(&sb, "\\");
		strbuf_add(&sb, w, 1);
	}
	strbuf_adds(&sb, "\"");
	return strbuf_detach(&sb);
}

/* Moves task i of s to the refused lines. */
static void
reject_task(struct import_set *s, size_t i, const char *msg)
{
	import_reject(s, s->v[i].where, "%s", msg);
	import_task_clear(&s->v[i]);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
	s->n--;
}

/* An id already used: by a task of another source, or twice here. */
static int
id_conflict(struct mgr *mgr, const struct import_set *s, size_t i,
	    struct mgr_error *err)
{
	const struct import_task *t = &s->v[i];
	struct mgr_error e2 = { 0 };
	struct task_rec old;
	int rc = 0;

	for (size_t j = 0; j < i; j++)
		if (strcmp(s->v[j].rec.id, t->rec.id) == 0)
			return mgr_error_set(err, MGR_EEXIST, _("task id \"%s\" is "
			    "also the id of the task of %s"), t->rec.id,
			    s->v[j].where);
	if (taskmgr_get(mgr, t->rec.id, &old, &e2) != 0)
		return 0;
	if (old.source == NULL || strcmp(old.source, t->rec.source) != 0)
		rc = mgr_error_set(err, MGR_EEXIST, _("task id \"%s\" is taken by "
		    "a task from %s (use --prefix)"), t->rec.id,
		    old.source != NULL ? old.source : "?");
	task_rec_clear(&old);
	return rc;
}

/* The path and line of "PATH:LINE: message" (line 0: none). */
static size_t
where_split(const char *s, long *line)
{
	for (const char *p = strchr(s, ':'); p != NULL; p = strchr(p + 1, ':')) {
		char *end;
		if (p[1] >= '0' && p[1] <= '9' &&
		    (*line = strtol(p + 1, &end, 10), *end == ':'))
			return (size_t)(p - s);
	}
	*line = 0;
	return strlen(s);
}

/* File order: by path, then line. */
static int
where_cmp(const char *x, const char *y)
{
	long lx, ly;
	size_t nx = where_split(x, &lx), ny = where_split(y, &ly);
	int c = strncmp(x, y, nx < ny ? nx : ny);

	if (c != 0 || nx != ny)
		return c != 0 ? c : (nx < ny ? -1 : 1);
	return lx < ly ? -1 : lx > ly;
}

/* An insertion sort: stable, so one line's messages keep their order;
 * the lists are a file's lines. */
static void
sort_messages(char **v)
{
	for (size_t i = 1; v != NULL && v[i] != NULL; i++)
		for (size_t j = i; j > 0 && where_cmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

/* A MAILTO that cannot be a mail notification here (no sendmail, an
 * address it does not take) is noted and dropped, not refused: cron runs
 * the job when its mail cannot go either. */
static void
output_check(struct mgr *mgr, struct import_set *s, struct import_task *t)
{
	struct mgr_error err = { 0 };
	char *action = t->hooks.on[HOOK_OUTPUT];

	if (action == NULL || strncmp(action, "mail:", 5) != 0 ||
	    hook_action_check(mgr, "on_output", action, &err) == 0)
		return;
	import_note(s, t->where, _("MAILTO=%s is not kept: %s"), action + 5,
	    err.msg);
	free(action);
	t->hooks.on[HOOK_OUTPUT] = NULL;
}

void
import_prepare(struct mgr *mgr, struct import_set *s, int dry_run)
{
	for (size_t i = 0; i < s->n;) {
		struct import_task *t = &s->v[i];
		struct mgr_error err = { 0 };

		if (mgr_id_check(_("task id"), t->rec.id, &err) != 0 ||
		    task_prepare(&t->rec, (const char *const *)t->fields,
		    strv_len(t->fields), &err) != 0 ||
		    id_conflict(mgr, s, i, &err) != 0) {
			reject_task(s, i, err.msg);
			continue;
		}
		if (task_context_check(mgr, t->rec.id, t->rec.func_path, &t->ctx,
		    &err) != 0) {
			if (!dry_run) {
				reject_task(s, i, err.msg);
				continue;
			}
			import_note(s, t->where, _("would be refused here: %s"),
			    err.msg);
		}
		output_check(mgr, s, t);
		i++;
	}
	sort_messages(s->rejected);
	sort_messages(s->notes);
}

/* The task's on_output from its crontab's MAILTO; its other hooks (set
 * since by hand) are kept. */
static int
put_output(struct mgr_db *db, const struct import_task *t,
	   struct mgr_error *err)
{
	struct mgr_error e2 = { 0 };
	struct task_hooks h;
	char *stored = NULL, *json;
	int rc;

	task_hooks_init(&h);
	if (task_hooks_store_get(db, t->rec.id, &stored, &e2) == 0 &&
	    task_hooks_from_json(stored, &h, &e2) != 0)
		task_hooks_init(&h);
	free(h.on[HOOK_OUTPUT]);
	h.on[HOOK_OUTPUT] = t->hooks.on[HOOK_OUTPUT] != NULL ?
	    xstrdup(t->hooks.on[HOOK_OUTPUT]) : NULL;
	json = task_hooks_to_json(&h);
	rc = task_hooks_store_set(db, t->rec.id, json, err);
	free(json);
	free(stored);
	task_hooks_clear(&h);
	return rc;
}

/* One task: created, or updated keeping its state and history. */
static int
put_task(struct mgr_db *db, struct import_task *t, int *created,
	 struct mgr_error *err)
{
	struct mgr_error e2 = { 0 };
	struct task_rec old;
	char *json;
	int rc;

	memset(&old, 0, sizeof old);
	if (task_store_read(db, t->rec.id, &old, &e2) != 0) {
		free(t->rec.status);
		t->rec.status = xstrdup(t->rec.enabled ? "scheduled" : "paused");
		rc = task_store_create(db, &t->rec, err);
		*created = 1;
	} else {
		t->rec.enabled = old.enabled;
		t->rec.last_run = old.last_run;
		t->rec.created_at = old.created_at;
		if (!old.enabled)
			t->rec.next_run = 0;
		free(t->rec.status);
		t->rec.status = old.status;
		old.status = NULL;
		rc = task_store_update(db, &t->rec, err);
		*created = 0;
	}
	task_rec_clear(&old);
	if (rc != 0)
		return rc;
	json = task_context_to_json(&t->ctx);
	rc = task_context_store_set(db, t->rec.id, json, err);
	free(json);
	return rc == 0 && t->owns_output ? put_output(db, t, err) : rc;
}

struct commit_arg {
	struct import_set *s;
	unsigned char *created;	/* per task */
};

static int
commit_all(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	struct commit_arg *a = arg;
	int rc, created;

	for (size_t i = 0; i < a->s->n; i++) {
		if ((rc = put_task(db, &a->s->v[i], &created, err)) != 0)
			return mgr_error_prefix(err, "%s", a->s->v[i].where);
		a->created[i] = (unsigned char)created;
	}
	return 0;
}

int
import_commit(struct mgr *mgr, struct import_set *s,
	      struct import_result *res, struct mgr_error *err)
{
	struct commit_arg a = { s, xcalloc(s->n + 1, 1) };
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = db_transaction(mgr->db, commit_all, &a, err)) != 0) {
		free(a.created);
		return rc;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct task_rec *t = &s->v[i].rec;
		scheduler_task_changed(mgr, t->id);
		mgr_event(mgr, a.created[i] ? "task.added" : "task.modified",
		    t->id, NULL, "%s %s (%s)", t->func_path, t->trigger,
		    s->v[i].where);
		if (a.created[i])
			res->created++;
		else
			res->updated++;
	}
	free(a.created);
	return 0;
}

/* Options of `task import` that take a value. */
static int
import_option_takes_value(const char *arg)
{
	return strcmp(arg, "--format") == 0 || strcmp(arg, "--prefix") == 0;
}

int
import_reads_stdin(int argc, char *const *argv)
{
	const char *pos[3] = { NULL, NULL, NULL };
	int npos = 0, options = 1;

	for (int i = 0; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0)
			options = 0;
		else if (options && strncmp(argv[i], "--", 2) == 0)
			i += import_option_takes_value(argv[i]);	/* its value */
		else if (npos < 3)
			pos[npos++] = argv[i];
	}
	return npos >= 1 && strcmp(pos[0], "crontab") == 0 &&
	    (npos == 1 || (npos == 2 && strcmp(pos[1], "-") == 0));
}

int
import_read_stream(FILE *f, char **text, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;

	strbuf_adds(&sb, "");
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	if (ferror(f)) {
		strbuf_free(&sb);
		return mgr_error_set(err, MGR_EIO, _("cannot read stdin: %s"),
		    strerror(errno));
	}
	*text = strbuf_detach(&sb);
	return 0;
}
