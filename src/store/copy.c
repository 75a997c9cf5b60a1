/* copy.c - db_copy (copy_store.h): the tables in an order their foreign
 * keys accept, each read in pages through its key and written in
 * batches, then read back from the target and compared. */
#include "i18n.h"
#include "copy_store.h"
#include "db.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The tables, parents first; the same columns on every backend; blobs:
 * the columns of any bytes (bit i: the i-th column).  A table keyed by
 * an integer id is read in pages after the last id; the others whole. */
#define KEY_TEXT(cols)	{ cols, 0, 0 }
#define KEY_ID		{ "id", 1, 1 }
static const struct copy_desc {
	const char *name, *columns;
	struct copy_key key;
	int ncols;
	unsigned blobs;
} copy_tables[DB_COPY_NTABLES] = {
	{ "plugins", "id, name, version, description, author, enabled, "
	  "installed_at, path, manifest, dependencies, state, error, updated_at",
	  KEY_TEXT("id"), 13, 0 },
	{ "plugin_state", "plugin_id, key, value",
	  KEY_TEXT("plugin_id, key"), 3, 0 },
	{ "tasks", "id, name, func_path, trigger, trigger_args, enabled, "
	  "max_retries, timeout, last_run, next_run, status, plugin_id, "
	  "misfire_grace_time, \"coalesce\", max_instances, source, created_at, "
	  "updated_at, next_nominal, on_interrupt, context, hooks",
	  KEY_TEXT("id"), 22, 0 },
	{ "runs", "id, task_id, attempt, scheduled_at, started_at, ended_at, "
	  "status, exit_code, signal, output, error, user_us, sys_us, "
	  "max_rss_kb", KEY_ID, 14, 0 },
	/* A run's log kept with its row (runlog_store.h): any bytes. */
	{ "run_logs", "run_id, records", { "run_id", 1u << 0, 1 }, 2,
	  1u << 1 },
	{ "events", "id, at, kind, subject, message", KEY_ID, 5, 0 },
	{ "commands", "id, created_at, client_pid, argv, json, state, "
	  "exit_status, output, error_output, finished_at, input", KEY_ID, 11,
	  1u << 10 },
	{ "snapshots", "id, plugin_id, version, created_at, path, sha256, size, "
	  "reason", KEY_ID, 8, 0 },
	/* Keyed by (run_id integer, event text): a run's events are few,
	 * and the table holds only what is owed, so it is read whole. */
	{ "notify_pending", "run_id, event, action, task_id, attempt, "
	  "scheduled_at, started_at, ended_at, status, exit_code, signal, "
	  "output, error, starts", { "run_id, event", 1u << 0, 0 }, 14, 0 },
};

#define COPY_PAGE 500		/* rows read and written at a time */

char *
copy_hex(const unsigned char *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = xmalloc(2 * len + 1);

	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[b[i] >> 4];
		s[2 * i + 1] = digits[b[i] & 15];
	}
	s[2 * len] = '\0';
	return s;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

unsigned char *
copy_unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	unsigned char *b;

	if (n % 2 != 0)
		return NULL;
	b = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(b);
			return NULL;
		}
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return b;
}

/* One table's pass: rows counted and chained into a checksum, and kept
 * for writing when `to` is set. */
struct copy_pass {
	const struct copy_desc *d;
	struct mgr_db *to;
	char **values;		/* COPY_PAGE rows of d->ncols */
	size_t rows;		/* in values */
	int64_t total, last_key;
	char sum[65];
};

static void
pass_drop_rows(struct copy_pass *p)
{
	for (size_t i = 0; i < p->rows * (size_t)p->d->ncols; i++)
		free(p->values[i]);
	p->rows = 0;
}

static int
pass_flush(struct copy_pass *p, struct mgr_error *err)
{
	int rc = 0;

	if (p->to != NULL && p->rows > 0)
		rc = copy_store_insert(p->to, p->d->name, p->d->columns,
		    p->d->blobs, p->d->ncols, (const char *const *)p->values,
		    p->rows, err);
	pass_drop_rows(p);
	return rc;
}

/* The checksum chains each row into the last: sha256(last || row), the
 * row as its values with NULL told apart from "". */
static void
pass_sum(struct copy_pass *p, const char *const *v, int n)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s", p->sum);
	for (int i = 0; i < n; i++) {
		if (v[i] == NULL)
			strbuf_addf(&sb, "|N");
		else
			strbuf_addf(&sb, "|%zu:%s", strlen(v[i]), v[i]);
	}
	sha256_hex(sb.buf, sb.len, p->sum);
	free(sb.buf);
}

static int
pass_row(void *arg, const char *const *v, int n, struct mgr_error *err)
{
	struct copy_pass *p = arg;

	(void)err;
	pass_sum(p, v, n);
	p->total++;
	if (p->d->key.paged)
		p->last_key = strtoll(v[0], NULL, 10);
	if (p->to == NULL)
		return 0;
	for (int i = 0; i < n; i++)
		p->values[p->rows * (size_t)n + (size_t)i] =
		    v[i] != NULL ? xstrdup(v[i]) : NULL;
	p->rows++;
	return 0;
}

/* Reads one table of db (and writes it to p->to when set). */
static int
copy_table(struct mgr_db *db, struct copy_pass *p, struct mgr_error *err)
{
	size_t n;
	int rc;

	p->total = 0;
	p->last_key = 0;
	p->sum[0] = '\0';
	do {
		if ((rc = copy_store_read(db, p->d->name, p->d->columns,
		    p->d->blobs, &p->d->key, p->last_key,
		    p->d->key.paged ? COPY_PAGE : 0, pass_row, p, &n, err)) != 0 ||
		    (rc = pass_flush(p, err)) != 0) {
			pass_drop_rows(p);
			return rc;
		}
	} while (p->d->key.paged && n == COPY_PAGE);
	return 0;
}

static int
copy_check_versions(struct mgr_db *from, struct mgr_db *to,
		    struct mgr_error *err)
{
	int vf, vt, rc;

	if ((rc = db_user_version(from, &vf, err)) != 0 ||
	    (rc = db_user_version(to, &vt, err)) != 0)
		return rc;
	if (vf != vt)
		return mgr_error_set(err, MGR_EVERSION, _("%s is at schema %d, "
		    "%s at %d: both must be at the same version"),
		    db_path(from), vf, db_path(to), vt);
	return 0;
}

/* MGR_EEXIST when a table of `to` has a row. */
static int
copy_check_empty(struct mgr_db *to, struct mgr_error *err)
{
	for (int i = 0; i < DB_COPY_NTABLES; i++) {
		struct copy_pass p = { .d = &copy_tables[i] };
		size_t n;
		int rc;

		if ((rc = copy_store_read(to, p.d->name, p.d->columns,
		    p.d->blobs, &p.d->key, INT64_MIN, 1, pass_row, &p, &n,
		    err)) != 0)
			return rc;
		if (n > 0)
			return mgr_error_set(err, MGR_EEXIST, _("%s is not empty "
			    "(table %s has rows): db copy writes only into an "
			    "empty database"), db_path(to), p.d->name);
	}
	return 0;
}

/* Every table into `to`, then every table of `to` read back. */
static int
copy_all(struct mgr_db *from, struct mgr_db *to, struct db_copy_report *rep,
	 struct mgr_error *err)
{
	struct copy_pass p = { 0 };
	int rc = 0;

	p.values = xcalloc((size_t)COPY_PAGE * DB_COPY_MAXCOLS,
	    sizeof *p.values);
	for (int i = 0; rc == 0 && i < DB_COPY_NTABLES; i++) {
		p.d = &copy_tables[i];
		p.to = to;
		if ((rc = copy_table(from, &p, err)) != 0)
			break;
		rep->tables[i].name = p.d->name;
		rep->tables[i].rows = p.total;
		memcpy(rep->tables[i].sha256, p.sum, sizeof p.sum);
	}
	if (rc == 0)
		rc = copy_store_finish(to, err);
	for (int i = 0; rc == 0 && i < DB_COPY_NTABLES; i++) {
		p.d = &copy_tables[i];
		p.to = NULL;
		if ((rc = copy_table(to, &p, err)) != 0)
			break;
		if (p.total != rep->tables[i].rows ||
		    strcmp(p.sum, rep->tables[i].sha256) != 0)
			rc = mgr_error_set(err, MGR_EDB, _("table %s differs after "
			    "the copy (%lld rows read, %lld written back): nothing "
			    "was kept"), p.d->name, (long long)rep->tables[i].rows,
			    (long long)p.total);
	}
	free(p.values);
	return rc;
}

int
db_copy(struct mgr_db *from, struct mgr_db *to,
	const struct db_copy_extra *extra, struct db_copy_report *rep,
	struct mgr_error *err)
{
	int rc, extra_begun = 0;

	memset(rep, 0, sizeof *rep);
	if ((rc = copy_check_versions(from, to, err)) != 0)
		return rc;
	if ((rc = db_read_begin(from, err)) != 0)
		return rc;
	if ((rc = db_begin(to, err)) != 0) {
		db_read_end(from);
		return rc;
	}
	rc = copy_check_empty(to, err);
	if (rc == 0)
		rc = copy_all(from, to, rep, err);
	if (rc == 0 && extra != NULL) {
		extra_begun = 1;
		rc = extra->copy(extra->arg, from, to,
		    &rep->tables[DB_COPY_NTABLES], err);
	}
	db_read_end(from);
	if (rc == 0)
		rc = db_commit(to, err);
	else
		db_rollback(to);
	if (rc != 0 && extra_begun)
		extra->undo(extra->arg);
	return rc;
}
