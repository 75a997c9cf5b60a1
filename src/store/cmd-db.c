/* cmd-db.c - manager db check (integrity and schema version); db copy
 * is src/tasks/cmd-db-copy.c, as it moves run logs too. */
#include "i18n.h"
#include "cmd.h"
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

/* The store folder's commands. */
const struct cmd_entry *const store_commands[] = {
	&cmd_db_check_entry,
	NULL
};
