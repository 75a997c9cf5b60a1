/* copy.c - db copy's reads and writes (copy_store.h) on PostgreSQL: rows
 * go in through COPY FROM STDIN in its text format (the server turns
 * each value's text into its column's type; a blob column's hex as
 * bytea's \x form), and the id sequences are set past the ids copied. */
#include "i18n.h"
#include "copy_store.h"
#include "pg_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* "a, b" as "a, b COLLATE "C"" when b is text and a an integer: text in
 * byte order, as SQLite's; an integer in number order (PostgreSQL has no
 * collation for it). */
static char *
order_by(const struct copy_key *key)
{
	struct strbuf sb = STRBUF_INIT;
	char *k = xstrdup(key->columns), *save = NULL;
	unsigned i = 0;

	for (char *w = strtok_r(k, ", ", &save); w != NULL;
	    w = strtok_r(NULL, ", ", &save), i++)
		strbuf_addf(&sb, "%s%s%s", sb.len ? ", " : "", w,
		    key->ints & (1u << i) ? "" : " COLLATE \"C\"");
	free(k);
	return strbuf_detach(&sb);
}

/* Cell (r, i) as text, or a bytea cell as hex (*hex keeps what to free;
 * PQunescapeBytea reads the server's hex and escape outputs alike). */
static const char *
read_value(PGresult *res, int r, int i, unsigned blobs, char **hex)
{
	const char *v = pg_str(res, r, i);
	unsigned char *b;
	size_t len;

	if (v == NULL || !(blobs & (1u << i)))
		return v;
	if ((b = PQunescapeBytea((const unsigned char *)v, &len)) == NULL)
		abort();	/* out of memory, as xmalloc */
	*hex = copy_hex(b, len);
	PQfreemem(b);
	return *hex;
}

int
pg_copy_store_read(struct mgr_db *db, const char *table, const char *columns,
		   unsigned blobs, const struct copy_key *key, int64_t after,
		   size_t limit, copy_row_fn fn, void *arg, size_t *n,
		   struct mgr_error *err)
{
	struct pg_params p = { 0 };
	char *order = order_by(key), *sql, lim[32] = "";
	const char *v[32];
	char *hex[32] = { 0 };
	PGresult *res;
	int rc, rows, cols;

	*n = 0;
	if (limit > 0)
		snprintf(lim, sizeof lim, " LIMIT %zu", limit);
	sql = xasprintf("SELECT %s FROM %s%s%s%s ORDER BY %s%s", columns, table,
	    key->paged ? " WHERE " : "", key->paged ? key->columns : "",
	    key->paged ? " > $1" : "", order, lim);
	if (key->paged)
		pg_int(&p, after);
	rc = pg_run(db, sql, key->paged ? &p : NULL, &res, table, err);
	free(sql);
	free(order);
	if (rc != 0)
		return rc;
	rows = PQntuples(res);
	cols = PQnfields(res);
	if (cols > 32)
		rc = mgr_error_set(err, MGR_EINVAL, "%s: %d columns", table, cols);
	for (int r = 0; rc == 0 && r < rows; r++) {
		for (int i = 0; i < cols; i++)
			v[i] = read_value(res, r, i, blobs, &hex[i]);
		rc = fn(arg, v, cols, err);
		for (int i = 0; i < cols; i++) {
			free(hex[i]);
			hex[i] = NULL;
		}
		(*n)++;
	}
	PQclear(res);
	return rc;
}

/* A value in COPY's text format: \N for NULL, and backslash, tab,
 * newline and carriage return escaped. */
static void
copy_value(struct strbuf *sb, const char *s)
{
	if (s == NULL) {
		strbuf_addf(sb, "\\N");
		return;
	}
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\\': strbuf_addf(sb, "\\\\"); break;
		case '\t': strbuf_addf(sb, "\\t"); break;
		case '\n': strbuf_addf(sb, "\\n"); break;
		case '\r': strbuf_addf(sb, "\\r"); break;
		default: strbuf_addf(sb, "%c", *s); break;
		}
	}
}

static int
copy_fail(struct mgr_db *db, const char *table, const char *msg,
	  struct mgr_error *err)
{
	char *label = pg_label(db->path);

	mgr_error_set(err, MGR_EDB, _("%s: cannot copy into %s: %s"), label,
	    table, msg);
	free(label);
	for (char *c = err->msg; *c != '\0'; c++)
		if (*c == '\n')
			*c = ' ';
	return MGR_EDB;
}

int
pg_copy_store_insert(struct mgr_db *db, const char *table, const char *columns,
		     unsigned blobs, int ncols, const char *const *values,
		     size_t nrows, struct mgr_error *err)
{
	PGconn *c = pg_conn(db);
	struct strbuf sb = STRBUF_INIT;
	char *sql = xasprintf("COPY %s (%s) FROM STDIN", table, columns);
	PGresult *res = PQexec(c, sql);
	int ok;

	free(sql);
	ok = PQresultStatus(res) == PGRES_COPY_IN;
	PQclear(res);
	if (!ok)
		return copy_fail(db, table, PQerrorMessage(c), err);
	for (size_t r = 0; r < nrows; r++)
		for (int i = 0; i < ncols; i++) {
			const char *v = values[r * (size_t)ncols + (size_t)i];

			/* bytea's input form: \x then the hex digits (the
			 * backslash escaped by copy_value). */
			if (v != NULL && (blobs & (1u << i)))
				strbuf_addf(&sb, "\\\\x");
			copy_value(&sb, v);
			strbuf_addf(&sb, "%s", i + 1 < ncols ? "\t" : "\n");
		}
	ok = (sb.len == 0 || PQputCopyData(c, sb.buf, (int)sb.len) == 1) &&
	    PQputCopyEnd(c, NULL) == 1;
	free(sb.buf);
	res = PQgetResult(c);
	ok = ok && PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		copy_fail(db, table, PQresultErrorMessage(res), err);
	PQclear(res);
	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
	return ok ? 0 : MGR_EDB;
}

/* bigserial ids: the next one follows the highest copied. */
int
pg_copy_store_finish(struct mgr_db *db, struct mgr_error *err)
{
	static const char *const tables[] = { "runs", "events", "commands",
	    "snapshots" };
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof tables / sizeof *tables; i++) {
		char *sql = xasprintf("SELECT setval(pg_get_serial_sequence('%s', "
		    "'id'), COALESCE(max(id), 0) + 1, false) FROM %s", tables[i],
		    tables[i]);

		rc = pg_run(db, sql, NULL, NULL, tables[i], err);
		free(sql);
	}
	return rc;
}
