/* command_input.c - the `input` column of `commands`
 * (command_input_store.h) on PostgreSQL: bytea, sent as its hex text
 * form and read back through PQunescapeBytea (which reads the server's
 * hex and escape outputs alike), so any bytes travel, NUL included. */
#include "i18n.h"
#include "command_input_store.h"
#include "pg_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

char *
pg_bytea_hex(const char *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = xmalloc(2 * len + 3), *o = s;

	*o++ = '\\';
	*o++ = 'x';
	for (size_t i = 0; i < len; i++) {
		*o++ = digits[(unsigned char)b[i] >> 4];
		*o++ = digits[(unsigned char)b[i] & 15];
	}
	*o = '\0';
	return s;
}

int
pg_command_store_submit_input(struct mgr_db *db, const char *argv_json,
			      int json, int client_pid, const char *input,
			      size_t len, int64_t *id, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	/* A zero-length value, not NULL: the client sent an empty stdin. */
	char *hex = pg_bytea_hex(input != NULL ? input : "", input != NULL ?
	    len : 0);
	PGresult *res;
	int rc;

	pg_int(&p, mgr_now_us());
	pg_int(&p, client_pid);
	pg_text(&p, argv_json);
	pg_int(&p, json);
	pg_text(&p, hex);
	rc = pg_run(db, "INSERT INTO commands (created_at, client_pid, argv, "
	    "json, input) VALUES ($1, $2, $3, $4, $5::bytea) RETURNING id", &p,
	    &res, _("cannot submit the command"), err);
	free(hex);
	if (rc != 0)
		return rc;
	*id = pg_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

int
pg_command_store_input(struct mgr_db *db, int64_t id, char **input,
		       size_t *len, struct mgr_error *err)
{
	struct pg_params p = { 0 };
	unsigned char *b = NULL;
	const char *v;
	PGresult *res;
	int rc;

	*input = NULL;
	*len = 0;
	pg_int(&p, id);
	if ((rc = pg_run(db, "SELECT input FROM commands WHERE id = $1", &p,
	    &res, _("cannot read the command"), err)) != 0)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOENT, _("command %lld not found"),
		    (long long)id);
	}
	if ((v = pg_str(res, 0, 0)) != NULL &&
	    (b = PQunescapeBytea((const unsigned char *)v, len)) == NULL) {
		PQclear(res);
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	}
	PQclear(res);
	if (b != NULL) {
		*input = xmalloc(*len + 1);
		if (*len > 0)
			memcpy(*input, b, *len);
		(*input)[*len] = '\0';
		PQfreemem(b);
	}
	return 0;
}
