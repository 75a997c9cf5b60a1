/* cmd-task-add-from.c - manager task add --from FILE|-: many tasks in
 * one transaction, all or none.
 *
 * Each line (task_lines.h) becomes the words of a `task add` command
 * line, read with that command's option table (cmd_args_parse) and its
 * checks (task_add_read), so a line means what the same words mean on
 * the command line.  The messages those checks print go to a buffer, and
 * come out prefixed with the file and line they belong to.  Every line
 * is checked, and written, inside one transaction; a bad line (or
 * --dry-run) rolls it back, so nothing at all is added.  The statements
 * are the store's cached ones, the ids are looked up in a hash set, and
 * a trigger's time zones are read once for the file.
 */
#include "i18n.h"
#include "cmd.h"
#include "cmd_applied.h"
#include "db.h"
#include "idmap.h"
#include "import.h"
#include "manager.h"
#include "scheduler.h"
#include "task_add.h"
#include "task_context_store.h"
#include "task_hooks_store.h"
#include "task_lines.h"
#include "tz.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct cmd_entry cmd_task_add_entry;

/* A task written in the transaction; its dependencies are checked once
 * every task of the file is there (a line may name a later one). */
struct bulk_task {
	char *id;
	long line;
	struct task_hooks deps;		/* only when it has after / after_any */
};

struct bulk {
	struct cmd_ctx *ctx;
	struct cmd_ctx line_ctx;	/* a line's: messages into cap */
	FILE *cap;
	char *capbuf;
	size_t caplen;
	char *path;			/* as given; "-": stdin */
	struct tz_cache *zones;
	struct idmap ids;		/* id -> line */
	struct idmap checked;		/* contexts found good (task_add_read) */
	struct bulk_task *v;
	size_t n, vcap;
	size_t bad;			/* lines refused */
	int added;			/* committed */
	int status;			/* the first refused line's exit status */
	json_t *errors;			/* --json: one object per refused line */
};

/* ---- messages ---- */

static void
bad_line(struct bulk *b, long line, int status, const char *code,
	 const char *msg)
{
	if (b->bad++ == 0)
		b->status = status;
	if (b->ctx->json) {
		char *text = xasprintf("%s:%ld: %s", b->path, line, msg);
		char *clean = utf8_sanitize(text);
		json_array_append_new(b->errors, json_pack("{s:s, s:s, s:I, s:s}",
		    "error", clean, "file", b->path, "line", (json_int_t)line,
		    "code", code));
		free(clean);
		free(text);
	} else
		fprintf(b->ctx->err, "manager: %s:%ld: %s\n", b->path, line, msg);
}

static void
bad_err(struct bulk *b, long line, const struct mgr_error *err)
{
	bad_line(b, line, mgr_code_exit_status(err->code),
	    mgr_code_name(err->code), err->msg);
}

/* What a line's checks printed since `start`: the reason it was refused
 * (status != 0: the first message, "manager: " and the usage left out),
 * or warnings, passed on with the line's place. */
static void
captured(struct bulk *b, long line, size_t start, int status)
{
	char *text, *nl;
	json_t *o;

	fflush(b->cap);
	if (b->caplen == start) {
		if (status != 0)
			bad_line(b, line, status, mgr_code_name(MGR_EINVAL),
			    _("refused"));
		return;
	}
	text = xstrndup(b->capbuf + start, b->caplen - start);
	if (status == 0) {
		fprintf(b->ctx->err, "manager: %s:%ld: %s", b->path, line, text);
	} else if (b->line_ctx.json &&
	    (o = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL)) != NULL) {
		bad_line(b, line, status, json_string_value(json_object_get(o,
		    "code")) != NULL ? json_string_value(json_object_get(o,
		    "code")) : mgr_code_name(MGR_EINVAL), json_string_value(json_object_get(o,
		    "error")) != NULL ? json_string_value(json_object_get(o,
		    "error")) : text);
		json_decref(o);
	} else {
		if ((nl = strchr(text, '\n')) != NULL)
			*nl = '\0';
		bad_line(b, line, status, status == CMD_EXIT_USAGE ? "usage" :
		    mgr_code_name(MGR_EINVAL), strncmp(text, "manager: ", 9) == 0 ?
		    text + 9 : text);
	}
	free(text);
}

/* ---- one line ---- */

/* An id derived from a JSON line's name takes the first free "-2",
 * "-3" ..., as POST /manager/tasks does. */
static void
derive_id(struct bulk *b, char **words, int at)
{
	struct mgr_error err = { 0 };
	struct task_rec t;
	char *base = words[at];

	for (int n = 2; n <= 100; n++) {
		if (idmap_get(&b->ids, words[at]) == NULL) {
			if (task_store_read(b->ctx->mgr->db, words[at], &t, &err) != 0)
				break;
			task_rec_clear(&t);
		}
		if (words[at] != base)
			free(words[at]);
		words[at] = xasprintf("%s-%d", base, n);
	}
	if (words[at] != base)
		free(base);
}

/* Options that belong to the command line, not to a line of the file. */
static const char *
line_option_refused(const struct cmd_args *args)
{
	if (cmd_args_has(args, "from"))
		return "--from";
	if (cmd_args_has(args, "dry-run"))
		return "--dry-run";
	return args->help ? "--help" : NULL;
}

/* The words of a line read as `task add` reads its command line. */
static int
line_args(struct bulk *b, long line, char **words, struct cmd_args *args)
{
	size_t start = b->caplen;
	const char *opt;
	char *msg;
	int rc;

	b->line_ctx.json = b->ctx->json;
	if ((rc = cmd_args_parse(&b->line_ctx, &cmd_task_add_entry,
	    (int)strv_len(words), words, args)) != 0) {
		captured(b, line, start, rc);
		return -1;
	}
	if ((opt = line_option_refused(args)) != NULL)
		msg = xasprintf(_("option %s is for the command line, not for a "
		    "line of the file"), opt);
	else if (args->argc < 3)
		msg = xasprintf(_("expected ID FUNC TYPE [FIELD=VALUE ...] and "
		    "options, as `task add` takes them"));
	else
		return 0;
	bad_line(b, line, CMD_EXIT_USAGE, "usage", msg);
	free(msg);
	cmd_args_clear(args);
	return -1;
}

/* The id is new to the file (else naming the line that has it); the
 * store's own key refuses one it has (write_task). */
static int
id_is_new(struct bulk *b, long line, const char *id)
{
	struct mgr_error err = { 0 };
	int added, *first = idmap_put(&b->ids, id, (int)line, &added);

	if (added)
		return 1;
	mgr_error_set(&err, MGR_EEXIST, _("task id \"%s\" is also the id of "
	    "line %d"), id, *first);
	bad_err(b, line, &err);
	return 0;
}

static int
has_deps(const struct task_hooks *h)
{
	return h->after != NULL || h->after_any != NULL;
}

static int
store_hooks(struct mgr_db *db, const char *id, struct task_hooks *h,
	    struct mgr_error *err)
{
	char *json;
	int rc;

	if (task_hooks_empty(h))
		return 0;
	h->since = mgr_now_us();	/* earlier upstream runs do not count */
	json = task_hooks_to_json(h);
	rc = task_hooks_store_set(db, id, json, err);
	free(json);
	return rc;
}

/* Trigger, row with its context, and (without dependencies) hooks. */
static int
write_task(struct bulk *b, struct task_add *a, struct mgr_error *err)
{
	struct mgr *mgr = b->ctx->mgr;
	int rc;

	if ((rc = mgr_id_check(_("task id"), a->t.id, err)) != 0 ||
	    (rc = task_prepare_zones(&a->t, a->fields, a->nfields, b->zones,
	    err)) != 0)
		return rc;
	free(a->t.status);
	a->t.status = xstrdup(a->t.enabled ? "scheduled" : "paused");
	if ((rc = task_store_create_with_context(mgr->db, &a->t,
	    a->context_json, err)) != 0) {
		if (rc == MGR_EEXIST)
			mgr_error_set(err, rc, _("task id \"%s\" is taken by an "
			    "existing task"), a->t.id);
		return rc;
	}
	if (has_deps(&a->h))
		return 0;
	if ((rc = task_hooks_check(mgr, a->t.id, &a->h, err)) != 0)
		return rc;
	return store_hooks(mgr->db, a->t.id, &a->h, err);
}

static void
keep_task(struct bulk *b, struct task_add *a, long line)
{
	struct bulk_task *k;

	if (b->n == b->vcap) {
		b->vcap = b->vcap != 0 ? b->vcap * 2 : 256;
		b->v = xrealloc(b->v, b->vcap * sizeof *b->v);
	}
	k = &b->v[b->n++];
	k->id = xstrdup(a->t.id);
	k->line = line;
	task_hooks_init(&k->deps);
	if (has_deps(&a->h)) {
		k->deps = a->h;		/* moved */
		task_hooks_init(&a->h);
	}
}

static void
add_line(struct bulk *b, char *text, long line)
{
	struct mgr_error err = { 0 };
	struct cmd_args args;
	struct task_add a;
	size_t start;
	char **words;
	int derived, rc;

	if (task_line_words(text, &words, &derived, &err) != 0) {
		bad_err(b, line, &err);
		return;
	}
	if (derived >= 0)
		derive_id(b, words, derived);
	if (line_args(b, line, words, &args) == 0) {
		task_add_init(&a);
		start = b->caplen;
		rc = task_add_read(&b->line_ctx, &args, &a, &b->checked);
		captured(b, line, start, rc);
		if (rc == 0 && id_is_new(b, line, a.t.id)) {
			if (write_task(b, &a, &err) != 0)
				bad_err(b, line, &err);
			else
				keep_task(b, &a, line);
		}
		task_add_clear(&a);
		cmd_args_clear(&args);
	}
	strv_free(words);
}

/* ---- the file ---- */

static int
read_text(struct cmd_ctx *ctx, const char *path, char **text)
{
	struct mgr_error err = { 0 };

	if (strcmp(path, "-") == 0) {
		/* ctx->in: what the client sent (task_add_reads_stdin). */
		if ((ctx->in != NULL ? import_read_stream(ctx->in, text, &err) :
		    read_file("/dev/stdin", text, NULL, &err)) != 0)
			return cmd_fail(ctx, err.code, err.msg);
		return 0;
	}
	if (read_file(path, text, NULL, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	return 0;
}

static void
add_lines(struct bulk *b, char *text)
{
	long line = 0;

	for (char *p = text; *p != '\0';) {
		char *nl = strchr(p, '\n'), *end = nl != NULL ? nl : p + strlen(p);

		line++;
		if (end > p && end[-1] == '\r')
			end[-1] = '\0';
		*end = '\0';
		if (!task_line_skip(p))
			add_line(b, p, line);
		p = nl != NULL ? nl + 1 : end;
	}
}

/* After every line: the dependencies, which may name tasks of later
 * lines, and the cycles they could make. */
static void
check_deps(struct bulk *b)
{
	struct mgr_error err = { 0 };

	for (size_t i = 0; i < b->n; i++) {
		struct bulk_task *k = &b->v[i];
		if (!has_deps(&k->deps))
			continue;
		if (task_hooks_check(b->ctx->mgr, k->id, &k->deps, &err) != 0 ||
		    store_hooks(b->ctx->mgr->db, k->id, &k->deps, &err) != 0)
			bad_err(b, k->line, &err);
	}
}

/* --json: the tasks as `task show --json` prints them, read inside the
 * transaction (so a dry run shows what would be added). */
static json_t *
added_json(struct bulk *b)
{
	json_t *a = json_array(), *o;

	for (size_t i = 0; i < b->n; i++)
		if ((o = task_add_json(b->ctx->mgr, b->v[i].id)) != NULL)
			json_array_append_new(a, o);
	return a;
}

static void
events(struct bulk *b)
{
	for (size_t i = 0; i < b->n; i++)
		mgr_event(b->ctx->mgr, "task.added", b->v[i].id, NULL,
		    "%s:%ld", b->path, b->v[i].line);
}

/* The ids added, for the scheduler (the strings are b's). */
static const char **
added_ids(const struct bulk *b)
{
	const char **ids = xcalloc(b->n + 1, sizeof *ids);

	for (size_t i = 0; i < b->n; i++)
		ids[i] = b->v[i].id;
	return ids;
}

/* The lines, in one transaction that is kept only when every line is
 * good and this is no dry run; *out: --json's array. */
static int
add_all(struct bulk *b, char *text, int dry_run, json_t **out)
{
	struct mgr *mgr = b->ctx->mgr;
	struct mgr_error err = { 0 };
	int rc;

	if ((rc = db_begin(mgr->db, &err)) != 0)
		return cmd_fail(b->ctx, err.code, err.msg);
	add_lines(b, text);
	if (b->bad == 0)
		check_deps(b);
	if (b->bad == 0 && b->ctx->json)
		*out = added_json(b);
	if (b->bad != 0 || dry_run) {
		db_rollback(mgr->db);
		return 0;
	}
	events(b);
	if ((rc = db_commit(mgr->db, &err)) != 0) {
		db_rollback(mgr->db);
		return cmd_fail(b->ctx, err.code, err.msg);
	}
	b->added = 1;
	return 0;
}

static int
report(struct bulk *b, int dry_run, json_t *added)
{
	char *msg;

	if (b->bad != 0) {
		msg = xasprintf(ngettext("%s: %zu line refused: no task added",
		    "%s: %zu lines refused: no task added", (unsigned long)b->bad),
		    b->path, b->bad);
		if (b->ctx->json) {
			json_t *o = json_pack("{s:s, s:s, s:O}", "error", msg, "code",
			    json_string_value(json_object_get(json_array_get(
			    b->errors, 0), "code")), "errors", b->errors);
			char *s = json_dumps(o, JSON_COMPACT);
			fprintf(b->ctx->err, "%s\n", s);
			free(s);
			json_decref(o);
		} else
			fprintf(b->ctx->err, "manager: %s\n", msg);
		free(msg);
		return b->status;
	}
	if (added != NULL) {
		cmd_print_json(b->ctx, added);
		return CMD_EXIT_OK;
	}
	if (dry_run)
		fprintf(b->ctx->out, ngettext("%zu task checked in %s: nothing "
		    "added (dry run)\n", "%zu tasks checked in %s: nothing added "
		    "(dry run)\n", (unsigned long)b->n), b->n, b->path);
	else
		fprintf(b->ctx->out, ngettext("%zu task added from %s\n",
		    "%zu tasks added from %s\n", (unsigned long)b->n), b->n,
		    b->path);
	return CMD_EXIT_OK;
}

static void
bulk_free(struct bulk *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].id);
		task_hooks_clear(&b->v[i].deps);
	}
	free(b->v);
	idmap_clear(&b->ids);
	idmap_clear(&b->checked);
	tz_cache_free(b->zones);
	json_decref(b->errors);
	free(b->path);
	fclose(b->cap);
	free(b->capbuf);
}

/* A command's lines, parsed and written on the engine's bulk thread
 * (sched_bulk.c) or, elsewhere, where the command runs. */
struct from_job {
	struct bulk b;
	struct cmd_capture answer;
	char *text;
	int dry_run, rc;
	json_t *added;
};

static void
from_work(struct mgr *own, const struct mgr_error *open_failed, void *arg)
{
	struct from_job *j = arg;

	if (own == NULL) {
		j->rc = cmd_fail(&j->answer.ctx, open_failed->code,
		    open_failed->msg);
		return;
	}
	j->answer.ctx.mgr = own;
	j->b.line_ctx.mgr = own;
	if ((j->rc = add_all(&j->b, j->text, j->dry_run, &j->added)) == 0)
		j->rc = report(&j->b, j->dry_run, j->added);
	else
		json_decref(j->added);
	j->added = NULL;
}

/* Over: the answer, at once or once the scheduler has every task. */
static int
from_end(struct from_job *j)
{
	const char **ids = added_ids(&j->b);
	int rc = cmd_answer_applied(&j->answer, j->rc, ids,
	    j->b.added ? j->b.n : 0);

	free(ids);
	free(j->text);
	bulk_free(&j->b);
	free(j);
	return rc;
}

static void
from_done(void *arg)
{
	from_end(arg);
}

static struct from_job *
from_job_new(struct cmd_ctx *ctx, const struct cmd_args *args, char *text)
{
	struct from_job *j = xcalloc(1, sizeof *j);

	j->text = text;
	j->dry_run = cmd_args_has(args, "dry-run") > 0;
	cmd_capture_begin(&j->answer, ctx);
	j->b = (struct bulk){ .ctx = &j->answer.ctx,
	    .path = xstrdup(cmd_args_value(args, "from")), .ids = IDMAP_INIT,
	    .checked = IDMAP_INIT };
	j->b.cap = open_memstream(&j->b.capbuf, &j->b.caplen);
	if (j->b.cap == NULL)
		abort();
	j->b.line_ctx = j->answer.ctx;
	j->b.line_ctx.out = j->b.cap;
	j->b.line_ctx.err = j->b.cap;
	j->b.zones = tz_cache_new();
	j->b.errors = json_array();
	return j;
}

/* On an engine host the lines are parsed and written off the loop, and
 * the answer waits until the scheduler has every task added
 * (cmd_applied.h). */
int
task_add_from(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct from_job *j;
	char *text;
	int rc;

	if ((rc = read_text(ctx, cmd_args_value(args, "from"), &text)) != 0)
		return rc;
	j = from_job_new(ctx, args, text);
	if (!j->answer.on) {
		from_work(ctx->mgr, NULL, j);
		return from_end(j);
	}
	if (scheduler_bulk_start(ctx->mgr, from_work, from_done, j, &err) != 0) {
		j->rc = cmd_fail(&j->answer.ctx, err.code, err.msg);
		return from_end(j);
	}
	cmd_capture_defer(&j->answer);
	return CMD_EXIT_LATER;
}

/* The option of `task add` that word ("--fr", "--from=x") names: an
 * exact name, or the one it abbreviates (as getopt_long reads it). */
static const struct cmd_option *
option_named(const char *word)
{
	const struct cmd_option *o = cmd_task_add_entry.options, *found = NULL;
	size_t len = strcspn(word + 2, "=");
	int n = 0;

	for (; o->name != NULL; o++) {
		if (strncmp(o->name, word + 2, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o;
		found = o;
		n++;
	}
	return n == 1 ? found : NULL;
}

int
task_add_reads_stdin(int argc, char *const *argv)
{
	const char *from = NULL;

	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const struct cmd_option *o;
		const char *eq, *value = NULL;

		if (strncmp(argv[i], "--", 2) != 0 ||
		    (o = option_named(argv[i])) == NULL || o->value == NULL)
			continue;
		if ((eq = strchr(argv[i], '=')) != NULL)
			value = eq + 1;
		else if (i + 1 < argc)
			value = argv[++i];
		if (strcmp(o->name, "from") == 0)
			from = value;
	}
	return from != NULL && strcmp(from, "-") == 0;
}
