/* cmd-db-copy.c - manager db copy FROM TO: every row into an empty
 * database of either backend (src/store/copy.c), and the large run
 * logs with them (runlog_copy.c), which the store cannot name. */
#include "i18n.h"
#include "cmd.h"
#include "copy_store.h"
#include "db.h"
#include "manager.h"
#include "runlog.h"
#include "runlog_copy.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The tables' lines, then the logs' when they moved. */
static void
db_copy_print(struct cmd_ctx *ctx, const struct db_copy_report *rep)
{
	json_t *a = json_array();

	for (int i = 0; i <= DB_COPY_NTABLES; i++) {
		const struct db_copy_table *t = &rep->tables[i];

		if (t->name == NULL)
			continue;
		if (ctx->json)
			json_array_append_new(a, json_pack("{s:s, s:I, s:s}",
			    "table", t->name, "rows", (json_int_t)t->rows,
			    "sha256", t->sha256));
		else
			fprintf(ctx->out, _("%-12s %8lld rows, checksum %.16s\n"),
			    t->name, (long long)t->rows,
			    t->sha256[0] ? t->sha256 : "-");
	}
	if (ctx->json)
		cmd_print_json(ctx, a);	/* takes a */
	else
		json_decref(a);
}

/* db copy FROM TO: both opened (and so migrated to this version's
 * schema) by their own backends, whatever the configured database; a
 * SQLite side's large logs are the files of the configured
 * state_directory's logs folder, where its engine and `task logs`
 * find them. */
static int
db_copy_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char *const *argv = args->argv;
	struct mgr_db *from = NULL, *to = NULL;
	struct db_copy_report rep;
	struct mgr_error err = { 0 };
	char *logs_dir = runlog_dir(ctx->mgr->conf->state_directory);
	struct runlog_copy logs = { .logs_dir = logs_dir };
	const struct db_copy_extra extra = { runlog_copy_logs,
	    runlog_copy_undo, &logs };
	int rc;

	if (strcmp(argv[0], argv[1]) == 0)
		rc = mgr_error_set(&err, MGR_EINVAL, _("db copy: FROM and TO "
		    "are the same database"));
	else if ((rc = db_open(argv[0], &from, &err)) == 0 &&
	    (rc = db_open(argv[1], &to, &err)) == 0)
		rc = db_copy(from, to, &extra, &rep, &err);
	if (to != NULL)
		db_close(to);
	if (from != NULL)
		db_close(from);
	runlog_copy_clear(&logs);
	free(logs_dir);
	if (rc != 0)
		return cmd_fail(ctx, err.code, err.msg);
	db_copy_print(ctx, &rep);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_db_copy_entry = {
	.noun = "db", .verb = "copy", .usage = "FROM TO",
	.summary = N_("copy every row of one database into an empty other "
	    "(SQLite file or PostgreSQL), and its run logs, checked by counts "
	    "and checksums"),
	.flags = CMD_NO_DB, .min_args = 2, .max_args = 2,
	.run = db_copy_run,
};
