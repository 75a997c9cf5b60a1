/* cmd-db.c - manager db check (integrity and schema version) and db
 * copy (every row into an empty database of either backend). */
#include "i18n.h"
#include "cmd.h"
#include "copy_store.h"
#include "db.h"
#include "manager.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int
db_check_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_db *db = ctx->mgr->db;
	struct mgr_error err = { 0 };
	char *report = NULL;
	int ok, version;

	(void)args;
	if (db == NULL) {	/* CMD_DB_IF_EXISTS: a check creates nothing */
		char *msg = xasprintf(_("database %s does not exist"),
		    ctx->mgr->conf->database);
		int status = cmd_fail(ctx, MGR_ENOENT, msg);

		free(msg);
		return status;
	}
	if (db_user_version(db, &version, &err) != 0 ||
	    db_integrity_check(db, &ok, &report, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:b, s:s}",
		    "database", db_path(db), "schema_version", version,
		    "schema_latest", db_schema_latest(), "ok", ok,
		    "integrity", report);
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", s);
		free(s);
		json_decref(o);
	} else {
		fprintf(ctx->out, _("database:       %s\n"), db_path(db));
		fprintf(ctx->out, _("schema version: %d (latest %d)\n"), version,
		    db_schema_latest());
		fprintf(ctx->out, _("integrity:      %s\n"), report);
	}
	free(report);
	return ok ? CMD_EXIT_OK : CMD_EXIT_FAIL;
}

const struct cmd_entry cmd_db_check_entry = {
	.noun = "db", .verb = "check", .usage = "",
	.summary = N_("check the database's integrity and schema version"),
	.flags = CMD_DB_IF_EXISTS, .min_args = 0, .max_args = 0,
	.run = db_check_run,
};

static void
db_copy_print(struct cmd_ctx *ctx, const struct db_copy_report *rep)
{
	if (ctx->json) {
		json_t *a = json_array();

		for (int i = 0; i < DB_COPY_NTABLES; i++)
			json_array_append_new(a, json_pack("{s:s, s:I, s:s}",
			    "table", rep->tables[i].name, "rows",
			    (json_int_t)rep->tables[i].rows, "sha256",
			    rep->tables[i].sha256));
		cmd_print_json(ctx, a);
		return;
	}
	for (int i = 0; i < DB_COPY_NTABLES; i++)
		fprintf(ctx->out, _("%-12s %8lld rows, checksum %.16s\n"),
		    rep->tables[i].name, (long long)rep->tables[i].rows,
		    rep->tables[i].sha256[0] ? rep->tables[i].sha256 : "-");
}

/* db copy FROM TO: both opened (and so migrated to this version's
 * schema) by their own backends, whatever the configured database. */
static int
db_copy_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char *const *argv = args->argv;
	struct mgr_db *from = NULL, *to = NULL;
	struct db_copy_report rep;
	struct mgr_error err = { 0 };
	int rc;

	if (strcmp(argv[0], argv[1]) == 0)
		return cmd_fail(ctx, MGR_EINVAL, _("db copy: FROM and TO are "
		    "the same database"));
	if ((rc = db_open(argv[0], &from, &err)) == 0 &&
	    (rc = db_open(argv[1], &to, &err)) == 0)
		rc = db_copy(from, to, &rep, &err);
	if (to != NULL)
		db_close(to);
	if (from != NULL)
		db_close(from);
	if (rc != 0)
		return cmd_fail(ctx, err.code, err.msg);
	db_copy_print(ctx, &rep);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_db_copy_entry = {
	.noun = "db", .verb = "copy", .usage = "FROM TO",
	.summary = N_("copy every row of one database into an empty other "
	    "(SQLite file or PostgreSQL), checked by counts and checksums"),
	.flags = CMD_NO_DB, .min_args = 2, .max_args = 2,
	.run = db_copy_run,
};

/* The store folder's commands. */
const struct cmd_entry *const store_commands[] = {
	&cmd_db_check_entry,
	&cmd_db_copy_entry,
	NULL
};
