/* import.c - what every import shares: the set of tasks a file gives,
 * their checks, and writing them all in one transaction. */
#include "i18n.h"
#include "db.h"
#include "idmap.h"
#include "import.h"
#include "manager.h"
#include "scheduler.h"
#include "task_checked.h"
#include "task_context_store.h"
#include "task_hooks_store.h"
#include "tz.h"
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
	free(t->ctx_json);
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

	if (s->n == s->cap) {
		s->cap = s->cap != 0 ? s->cap * 2 : 64;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
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

/* Appends to the NULL-terminated list *v of *n strings, growing it by
 * doubling (at powers of two), so that many messages cost linear time. */
static void
push_vf(char ***v, size_t *n, const char *where, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	if (*n < 2 || (*n & (*n - 1)) == 0)
		*v = xrealloc(*v, (*n < 2 ? 4 : *n * 2 + 2) * sizeof **v);
	(*v)[*n] = where != NULL ? xasprintf("%s: %s", where, msg) : msg;
	(*v)[++*n] = NULL;
	if (where != NULL)
		free(msg);
}

void
import_reject(struct import_set *s, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	push_vf(&s->rejected, &s->nrejected, where, fmt, ap);
	va_end(ap);
}

void
import_note(struct import_set *s, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	push_vf(&s->notes, &s->nnotes, where, fmt, ap);
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

/* An id already used: by a task of another source, or by an earlier
 * task of this file (ids: id -> its index in s). */
static int
id_conflict(struct mgr *mgr, const struct import_set *s,
	    const struct idmap *ids, struct import_task *t,
	    struct mgr_error *err)
{
	struct mgr_error e2 = { 0 };
	struct task_rec old;
	int rc = 0, *j = idmap_get(ids, t->rec.id);

	if (j != NULL)
		return mgr_error_set(err, MGR_EEXIST, _("task id \"%s\" is "
		    "also the id of the task of %s"), t->rec.id, s->v[*j].where);
	if (taskmgr_get(mgr, t->rec.id, &old, &e2) != 0)
		return 0;
	t->exists = 1;
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

struct message {
	char *text;
	size_t i;		/* its place in the list: equal places keep it */
};

static int
message_cmp(const void *a, const void *b)
{
	const struct message *x = a, *y = b;
	int c = where_cmp(x->text, y->text);

	return c != 0 ? c : (x->i < y->i ? -1 : x->i > y->i);
}

/* In file order, one line's messages in the order they were made. */
static void
sort_messages(char **v, size_t n)
{
	struct message *m;

	if (n < 2)
		return;
	m = xmalloc(n * sizeof *m);
	for (size_t i = 0; i < n; i++)
		m[i] = (struct message){ v[i], i };
	qsort(m, n, sizeof *m, message_cmp);
	for (size_t i = 0; i < n; i++)
		v[i] = m[i].text;
	free(m);
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

/* The context's JSON, the previous task's when the context is the same:
 * the jobs of one crontab share its environment, and turning it into
 * JSON was a sixth of importing 100,000 of them. */
static char *
context_json(const struct import_task *t, const struct import_task *prev)
{
	if (prev != NULL && task_context_equal(&prev->ctx, &t->ctx))
		return prev->ctx_json != NULL ? xstrdup(prev->ctx_json) : NULL;
	return task_context_to_json(&t->ctx);
}

/* The checks of task t (prev: the task kept before it, or NULL): 0, or
 * err says why it is refused. */
static int
prepare_one(struct mgr *mgr, struct import_set *s, struct import_task *t,
	    const struct import_task *prev, const struct idmap *ids,
	    struct tz_cache *zones, struct idmap *checked, int dry_run,
	    struct mgr_error *err)
{
	if (mgr_id_check(_("task id"), t->rec.id, err) != 0 ||
	    task_prepare_zones(&t->rec, (const char *const *)t->fields,
	    strv_len(t->fields), zones, err) != 0 ||
	    id_conflict(mgr, s, ids, t, err) != 0)
		return -1;
	free(t->ctx_json);
	t->ctx_json = context_json(t, prev);
	if (task_context_check_cached(mgr, t->rec.id, t->rec.func_path,
	    &t->ctx, t->ctx_json, checked, err) != 0) {
		if (!dry_run)
			return -1;
		import_note(s, t->where, _("would be refused here: %s"), err->msg);
	}
	output_check(mgr, s, t);
	return 0;
}

void
import_prepare(struct mgr *mgr, struct import_set *s, int dry_run)
{
	struct tz_cache *zones = tz_cache_new();
	struct idmap ids = IDMAP_INIT, checked = IDMAP_INIT;
	struct mgr_error rerr = { 0 };
	size_t keep = 0;
	/* One read snapshot for the lookups of every id, not one each. */
	int added, snapshot = db_read_begin(mgr->db, &rerr) == 0;

	/* Refused tasks leave the list in one pass (kept ones move down). */
	for (size_t i = 0; i < s->n; i++) {
		struct import_task *t = &s->v[i];
		struct mgr_error err = { 0 };

		if (prepare_one(mgr, s, t, keep > 0 ? &s->v[keep - 1] : NULL,
		    &ids, zones, &checked, dry_run, &err) != 0) {
			import_reject(s, t->where, "%s", err.msg);
			import_task_clear(t);
			continue;
		}
		s->v[keep] = *t;
		idmap_put(&ids, s->v[keep].rec.id, (int)keep, &added);
		keep++;
	}
	s->n = keep;
	if (snapshot)
		db_read_end(mgr->db);
	idmap_clear(&ids);
	idmap_clear(&checked);
	tz_cache_free(zones);
	sort_messages(s->rejected, s->nrejected);
	sort_messages(s->notes, s->nnotes);
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
	int rc;

	memset(&old, 0, sizeof old);
	/* import_prepare looked it up: a new task is not read again. */
	*created = !t->exists || task_store_read(db, t->rec.id, &old, &e2) != 0;
	if (*created) {
		free(t->rec.status);
		t->rec.status = xstrdup(t->rec.enabled ? "scheduled" : "paused");
		rc = task_store_create_with_context(db, &t->rec, t->ctx_json,
		    err);
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
	}
	task_rec_clear(&old);
	if (rc != 0)
		return rc;
	/* A new row has its context and no hooks: nothing to write for an
	 * unset MAILTO. */
	if (!*created)
		rc = task_context_store_set(db, t->rec.id, t->ctx_json, err);
	if (rc != 0 || !t->owns_output || (!t->exists &&
	    t->hooks.on[HOOK_OUTPUT] == NULL))
		return rc;
	return put_output(db, t, err);
}

struct commit_arg {
	struct mgr *mgr;
	struct import_set *s;
	unsigned char *created;	/* per task */
};

static int
by_id(const void *x, const void *y)
{
	const struct import_task *const *a = x, *const *b = y;

	return strcmp((*a)->rec.id, (*b)->rec.id);
}

/* Every task, then its event, in the one transaction: no commit (and
 * no sync to disk) per task.  The rows go in in the order of their ids,
 * the order of the table's key: each lands beside the last one written,
 * where file order would touch a page all over the table for each. */
static int
commit_all(struct mgr_db *db, void *arg, struct mgr_error *err)
{
	struct commit_arg *a = arg;
	struct import_task **order = xcalloc(a->s->n + 1, sizeof *order);
	int rc = 0, created;

	for (size_t i = 0; i < a->s->n; i++)
		order[i] = &a->s->v[i];
	qsort(order, a->s->n, sizeof *order, by_id);
	for (size_t i = 0; i < a->s->n && rc == 0; i++) {
		if ((rc = put_task(db, order[i], &created, err)) != 0)
			mgr_error_prefix(err, "%s", order[i]->where);
		a->created[order[i] - a->s->v] = (unsigned char)created;
	}
	free(order);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < a->s->n; i++) {
		const struct task_rec *t = &a->s->v[i].rec;
		mgr_event(a->mgr, a->created[i] ? "task.added" : "task.modified",
		    t->id, NULL, "%s %s (%s)", t->func_path, t->trigger,
		    a->s->v[i].where);
	}
	return 0;
}

const char **
import_ids(const struct import_set *s)
{
	const char **ids = xcalloc(s->n + 1, sizeof *ids);

	for (size_t i = 0; i < s->n; i++)
		ids[i] = s->v[i].rec.id;
	return ids;
}

int
import_commit(struct mgr *mgr, struct import_set *s,
	      struct import_result *res, struct mgr_error *err)
{
	struct commit_arg a = { mgr, s, xcalloc(s->n + 1, 1) };
	int rc;

	memset(res, 0, sizeof *res);
	if ((rc = db_transaction(mgr->db, commit_all, &a, err)) != 0) {
		free(a.created);
		return rc;
	}
	for (size_t i = 0; i < s->n; i++) {
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
