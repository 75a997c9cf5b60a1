/* cmd-snapshot.c - manager snapshot create|list|restore|delete. */
#include "i18n.h"
#include "cmd.h"
#include "manager.h"
#include "snapshot.h"
#include "timefmt.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *
snapshot_json(const struct snapshot_rec *s)
{
	char at[TIMEFMT_ISO_MAX];

	timefmt_machine(at, sizeof at, s->created_at);
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}",
	    "id", (json_int_t)s->id, "plugin_id", s->plugin_id,
	    "version", s->version, "created_at", at, "path", s->path,
	    "sha256", s->sha256, "size", (json_int_t)s->size,
	    "reason", s->reason);
}

static int
parse_id(struct cmd_ctx *ctx, const char *text, int64_t *id)
{
	char *end;

	errno = 0;
	*id = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || *id <= 0) {
		char *msg = xasprintf(_("\"%s\" is not a snapshot id (a positive "
		    "number, see `manager snapshot list`)"), text);
		int rc = cmd_fail(ctx, MGR_EINVAL, msg);
		free(msg);
		return rc;
	}
	return 0;
}

/* Interrupted swaps are settled before any snapshot command. */
static void
recover(struct cmd_ctx *ctx)
{
	struct mgr_error err = { 0 };

	if (snapshot_recover(ctx->mgr, &err) != 0)
		fprintf(ctx->err, "manager: %s\n", err.msg);
}

static int
report(struct cmd_ctx *ctx, int64_t id, const char *what)
{
	struct snapshot_rec s;
	struct mgr_error err = { 0 };

	if (snapshot_store_read(ctx->mgr->db, id, &s, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json)
		cmd_print_json(ctx, snapshot_json(&s));
	else
		fprintf(ctx->out, _("%s snapshot %" PRId64 " of %s %s\n"), what,
		    s.id, s.plugin_id, s.version);
	snapshot_rec_clear(&s);
	return CMD_EXIT_OK;
}

static int
snapshot_create_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **argv = args->argv;
	struct mgr_error err = { 0 };
	int64_t id;

	recover(ctx);
	if (snapshot_create(ctx->mgr, argv[0], "manual", &id, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	return report(ctx, id, _("created"));
}

static void
print_table(struct cmd_ctx *ctx, const struct snapshot_rec *v, size_t n)
{
	char at[32];

	if (n == 0) {
		fprintf(ctx->out, _("no snapshots\n"));
		return;
	}
	fprintf(ctx->out, "%-6s %-20s %-12s %-20s %-9s %s\n", _("ID"),
	    _("PLUGIN"), _("VERSION"), _("CREATED"), _("REASON"), _("SIZE"));
	for (size_t i = 0; i < n; i++) {
		timefmt_utc_seconds(at, sizeof at, v[i].created_at);
		fprintf(ctx->out, "%-6" PRId64 " %-20s %-12s %-20s %-9s %" PRId64
		    "\n", v[i].id, v[i].plugin_id, v[i].version, at, v[i].reason,
		    v[i].size);
	}
}

static int
snapshot_list_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int argc = args->argc;
	char **argv = args->argv;
	struct snapshot_rec *v;
	struct mgr_error err = { 0 };
	size_t n;

	recover(ctx);
	if (snapshot_store_list(ctx->mgr->db, argc > 0 ? argv[0] : NULL, &v, &n,
	    &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, snapshot_json(&v[i]));
		cmd_print_json(ctx, arr);
	} else
		print_table(ctx, v, n);
	snapshot_recs_free(v, n);
	return CMD_EXIT_OK;
}

static int
snapshot_restore_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **argv = args->argv;
	struct mgr_error err = { 0 };
	int64_t id;
	int rc;

	if ((rc = parse_id(ctx, argv[0], &id)) != 0)
		return rc;
	recover(ctx);
	if (snapshot_restore(ctx->mgr, id, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	return report(ctx, id, _("restored"));
}

static int
snapshot_delete_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **argv = args->argv;
	struct mgr_error err = { 0 };
	int64_t id;
	int rc;

	if ((rc = parse_id(ctx, argv[0], &id)) != 0)
		return rc;
	recover(ctx);
	if (snapshot_delete(ctx->mgr, id, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:I, s:b}", "id", (json_int_t)id,
		    "deleted", 1));
	else
		fprintf(ctx->out, _("deleted snapshot %" PRId64 "\n"), id);
	return CMD_EXIT_OK;
}

const struct cmd_entry cmd_snapshot_create_entry = {
	.noun = "snapshot", .verb = "create", .usage = N_("PLUGIN"),
	.summary = N_("save a plugin's files, row and state in a snapshot"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.run = snapshot_create_run,
};
const struct cmd_entry cmd_snapshot_list_entry = {
	.noun = "snapshot", .verb = "list", .usage = N_("[PLUGIN]"),
	.summary = N_("list snapshots, newest first"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 0, .max_args = 1, .run = snapshot_list_run,
};
const struct cmd_entry cmd_snapshot_restore_entry = {
	.noun = "snapshot", .verb = "restore", .usage = N_("ID"),
	.summary = N_("put a plugin back as a snapshot saved it"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.run = snapshot_restore_run,
};
const struct cmd_entry cmd_snapshot_delete_entry = {
	.noun = "snapshot", .verb = "delete", .usage = N_("ID"),
	.summary = N_("delete a snapshot"),
	.flags = CMD_MUTATES | CMD_ON_EXISTING,
	.min_args = 1, .max_args = 1,
	.run = snapshot_delete_run,
};
