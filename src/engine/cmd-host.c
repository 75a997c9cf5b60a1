/* cmd-host.c - manager host status|reload|list|drain (and the hidden host
 * echo): the engine host and the host registry as seen from the command
 * line. */
#include "i18n.h"
#include "cmd.h"
#include "engine.h"
#include "host.h"
#include "hosts_store.h"
#include "manager.h"
#include "scheduler.h"
#include "store.h"
#include "timefmt.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The running host in the registry, as host status shows it. */
struct reg_view {
	int found;
	char *host_id;
	int64_t epoch, lease_left_us;
	int leased, fenced, draining;
	/* Known only in the host's own process (the console's prompt): the
	 * database out of reach since (0: reachable), the next try in. */
	int64_t down_since, retry_in_us;
	size_t waiting;
};

static int
row_live(const struct host_rec *r)
{
	return strcmp(r->state, "alive") == 0 ||
	    strcmp(r->state, "draining") == 0;
}

/* The registry's row of the lock holder (pid), or else of this
 * configuration's host id; index into v or -1. */
static int
reg_row_of(const struct mgr *mgr, const struct host_rec *v, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid && row_live(&v[i]))
			return (int)i;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].host_id, mgr->conf->host_id) == 0)
			return (int)i;
	return -1;
}

/* From the host's own flags when this process is the host; otherwise
 * from its row: a client cannot see a self-fence, only a lease that ran
 * out (by the database's clock) or a row no longer live. */
static void
reg_view_read(struct mgr *mgr, int pid, struct reg_view *rv)
{
	struct engine_host_reg own;
	struct host_rec *v;
	size_t n;
	int i, self = engine_host_registry(mgr, &own) == 0;

	memset(rv, 0, sizeof *rv);
	if (mgr->db == NULL || hosts_store_list(mgr->db, &v, &n, NULL) != 0)
		return;
	i = reg_row_of(mgr, v, n, pid);
	if (i >= 0) {
		rv->found = 1;
		rv->host_id = xstrdup(v[i].host_id);
		rv->epoch = v[i].epoch;
		rv->leased = v[i].leased;
		rv->lease_left_us = v[i].lease_left_us;
		rv->draining = strcmp(v[i].state, "draining") == 0;
		rv->fenced = !row_live(&v[i]) || (v[i].leased &&
		    v[i].lease_left_us <= 0);
	}
	if (self && (i < 0 || strcmp(v[i].host_id, own.host_id) == 0)) {
		rv->found = 1;
		free(rv->host_id);
		rv->host_id = xstrdup(own.host_id);
		rv->epoch = own.epoch;
		rv->fenced = own.fenced;
		rv->draining = own.draining;
	}
	host_rec_free_all(v, n);
}

/* The host's own view of its database, which needs no statement (the
 * server may be out of reach): this process only. */
static void
reg_view_own(struct mgr *mgr, struct reg_view *rv)
{
	struct engine_host_reg own;

	if (engine_host_registry(mgr, &own) != 0)
		return;
	rv->down_since = own.down_since;
	rv->retry_in_us = own.retry_in_us;
	rv->waiting = own.waiting;
	if (rv->found)
		return;
	rv->found = 1;
	rv->host_id = xstrdup(own.host_id);
	rv->epoch = own.epoch;
	rv->fenced = own.fenced;
	rv->draining = own.draining;
}

/* "database": reachable, or since when not and the next try. */
static void
host_status_db_json(json_t *o, const struct reg_view *rv)
{
	char when[TIMEFMT_ISO_MAX];

	json_object_set_new(o, "database_reachable",
	    json_boolean(rv->down_since == 0));
	json_object_set_new(o, "database_unreachable_since",
	    rv->down_since != 0 ? json_string(timefmt_machine(when,
	    sizeof when, rv->down_since)) : json_null());
	json_object_set_new(o, "database_retry_in_ms", rv->down_since != 0 ?
	    json_integer(rv->retry_in_us / 1000) : json_null());
	json_object_set_new(o, "records_waiting", json_integer(
	    (json_int_t)rv->waiting));
}

static json_t *
host_status_json(struct cmd_ctx *ctx, int running, int pid, const char *kind,
		 int64_t started_at, const struct reg_view *rv)
{
	char when[TIMEFMT_ISO_MAX];
	json_t *o;

	if (!running)
		return json_pack("{s:b, s:s}", "running", 0, "database",
		    ctx->mgr->conf->database);
	o = json_pack("{s:b, s:i, s:s, s:s, s:s}", "running", 1, "pid", pid,
	    "kind", kind != NULL ? kind : "", "started_at",
	    timefmt_machine(when, sizeof when, started_at), "database",
	    ctx->mgr->conf->database);
	json_object_set_new(o, "host_id", rv->found ?
	    json_string(rv->host_id) : json_null());
	json_object_set_new(o, "epoch", rv->found ?
	    json_integer(rv->epoch) : json_null());
	json_object_set_new(o, "lease_left_ms", rv->found && rv->leased ?
	    json_integer(rv->lease_left_us / 1000) : json_null());
	json_object_set_new(o, "fenced", json_boolean(!rv->found ||
	    rv->fenced));
	json_object_set_new(o, "draining", json_boolean(rv->draining));
	host_status_db_json(o, rv);
	return o;
}

static int
host_status_print(struct cmd_ctx *ctx, int running, int pid, const char *kind,
		  int64_t started_at)
{
	char when[TIMEFMT_ISO_MAX];
	struct reg_view rv = { 0 };

	if (running) {
		reg_view_read(ctx->mgr, pid, &rv);
		reg_view_own(ctx->mgr, &rv);
	}
	if (ctx->json) {
		json_t *o = host_status_json(ctx, running, pid, kind,
		    started_at, &rv);
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fprintf(ctx->out, "%s\n", s);
		free(s);
		json_decref(o);
	} else if (running) {
		fprintf(ctx->out, _("engine host: %s, pid %d, since %s\n"),
		    kind != NULL ? kind : _("starting"), pid,
		    timefmt_utc_seconds(when, sizeof when, started_at));
		if (rv.found && rv.leased)
			fprintf(ctx->out, _("registry: host %s, epoch %lld, lease "
			    "%.1f s left%s%s\n"), rv.host_id, (long long)rv.epoch,
			    (double)rv.lease_left_us / 1e6, rv.draining ?
			    _(", draining") : "", rv.fenced ? _(", fenced") : "");
		else if (rv.found)
			fprintf(ctx->out, _("registry: host %s, epoch %lld, no "
			    "lease%s%s\n"), rv.host_id, (long long)rv.epoch,
			    rv.draining ? _(", draining") : "", rv.fenced ?
			    _(", fenced") : "");
		if (rv.down_since != 0)
			fprintf(ctx->out, _("database unreachable since %s, "
			    "retrying in %.1f s; %zu runs' records wait in "
			    "memory\n"), timefmt_utc_seconds(when, sizeof when,
			    rv.down_since), (double)rv.retry_in_us / 1e6,
			    rv.waiting);
	} else
		fprintf(ctx->out, _("engine host: none running on %s\n"),
		    ctx->mgr->conf->database);
	free(rv.host_id);
	return running ? CMD_EXIT_OK : mgr_code_exit_status(MGR_ENOENT);
}

static int
host_status_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	int64_t started_at = 0;
	char *kind = NULL;
	int pid = 0, running, status;

	(void)args;
	running = engine_host_info(ctx->mgr, &pid, &kind, &started_at) == 0;
	status = host_status_print(ctx, running, pid, kind, started_at);
	free(kind);
	return status;
}

/* What host reload did, as text or (--json) an object. */
static int
host_reload_said(struct cmd_ctx *ctx, int hosted)
{
	const char *file = ctx->mgr->conf->file;

	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:b, s:s?, s:b}", "reloaded", 1,
		    "config", file, "host", hosted));
	else if (hosted)
		fprintf(ctx->out, _("configuration reloaded from %s\n"),
		    file != NULL ? file : _("(built-in defaults)"));
	else
		fprintf(ctx->out, _("no engine host is running; configuration %s is "
		    "valid and the task files are loaded\n"), file != NULL ?
		    file : _("(built-in defaults)"));
	return CMD_EXIT_OK;
}

/* The reload a host carries out answers once its task files are
 * applied (they are read off the loop). */
struct reload_wait {
	struct mgr *mgr;
	int returned;		/* the command has returned ... */
	struct cmd_later *later;	/* ... to answer here (NULL: the console) */
	int told, rc;		/* over before the command returned */
	struct mgr_error err;
};

static int
host_reload_answer(struct cmd_ctx *ctx, int rc, const struct mgr_error *err)
{
	if (rc != 0)
		return cmd_fail(ctx, err->code, err->msg);
	return host_reload_said(ctx, 1);
}

static void
host_reloaded(void *arg, int rc, const struct mgr_error *err)
{
	struct reload_wait *w = arg;
	struct cmd_ctx lctx = { .mgr = w->mgr };

	if (!w->returned) {
		w->told = 1;
		w->rc = rc;
		if (rc != 0)
			w->err = *err;
		return;
	}
	if (w->later != NULL) {
		lctx.out = w->later->out;
		lctx.err = w->later->err;
		lctx.json = w->later->json;
		w->later->finish(w->later, host_reload_answer(&lctx, rc, err));
	} else if (rc != 0)
		log_error(&w->mgr->log, "reload failed, the previous "
		    "configuration stays in force: %s", err->msg);
	free(w);
}

static int
host_reload_hosted(struct cmd_ctx *ctx)
{
	struct reload_wait *w = xcalloc(1, sizeof *w);
	int status;

	w->mgr = ctx->mgr;
	engine_reload(ctx->mgr, host_reloaded, w);
	if (w->told) {		/* a broken configuration, or no scheduler */
		status = host_reload_answer(ctx, w->rc, &w->err);
		free(w);
		return status;
	}
	w->returned = 1;
	if (ctx->defer == NULL)	/* the console: its log says the end */
		return host_reload_said(ctx, 1);
	w->later = ctx->defer(ctx);
	return CMD_EXIT_LATER;
}

static int
host_reload_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr *mgr = ctx->mgr;
	struct mgr_error err = { 0 };

	(void)args;
	if (mgr->host == NULL || mgr->loop == NULL ||
	    strcmp(mgr->host->kind, ENGINE_KIND_CLI) == 0) {
		/* No engine runs: this process just read the configuration, so
		 * it is valid; the task files are synced into the database. */
		if (scheduler_reload_files(mgr, &err) != 0)
			return cmd_fail(ctx, err.code, err.msg);
		return host_reload_said(ctx, 0);
	}
	return host_reload_hosted(ctx);
}

/* Running runs of each host: runs have no host column yet, so the
 * count of running runs belongs to the live row of the lock holder
 * (pid), and the other hosts show 0. */
static int
host_list_running(const struct host_rec *r, int pid, int running)
{
	return row_live(r) && r->pid == pid ? running : 0;
}

/* The state as host list shows it: a live standby says so. */
static const char *
state_shown(const struct host_rec *r)
{
	return r->standby && strcmp(r->state, "alive") == 0 ? "standby" :
	    r->state;
}

static json_t *
host_list_json(const struct host_rec *r, int running)
{
	char when[TIMEFMT_ISO_MAX];
	json_error_t jerr;
	json_t *labels = json_loads(r->labels != NULL ? r->labels : "[]", 0,
	    &jerr);

	return json_pack("{s:s, s:I, s:s, s:s, s:o, s:i, s:s, s:i, s:s, s:o}",
	    "host_id", r->host_id, "epoch", (json_int_t)r->epoch,
	    "state", state_shown(r), "role", r->standby ? "standby" : "engine",
	    "lease_left_ms", r->leased ?
	    json_integer(r->lease_left_us / 1000) : json_null(), "running", running,
	    "version", r->version != NULL ? r->version : "", "pid", r->pid,
	    "started_at", timefmt_machine(when, sizeof when, r->started_at),
	    "labels", labels != NULL ? labels : json_array());
}

static void
host_list_table(struct cmd_ctx *ctx, const struct host_rec *v, size_t n,
		const int *running)
{
	char lease[32];

	if (n == 0) {
		fprintf(ctx->out, _("no hosts registered\n"));
		return;
	}
	fprintf(ctx->out, "%-24s %6s %-9s %8s %7s %-12s %s\n", _("ID"),
	    _("EPOCH"), _("STATE"), _("LEASE"), _("RUNNING"), _("VERSION"),
	    _("PID"));
	for (size_t i = 0; i < n; i++) {
		if (row_live(&v[i]) && v[i].leased)
			snprintf(lease, sizeof lease, "%.1fs",
			    (double)v[i].lease_left_us / 1e6);
		else
			snprintf(lease, sizeof lease, "-");
		fprintf(ctx->out, "%-24s %6lld %-9s %8s %7d %-12s %d\n",
		    v[i].host_id, (long long)v[i].epoch, state_shown(&v[i]), lease,
		    running[i], v[i].version != NULL ? v[i].version : "",
		    v[i].pid);
	}
}

static int
host_list_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct mgr_error err = { 0 };
	struct host_rec *v;
	int *running, rpm = 0, nrunning = 0, pid = 0;
	size_t n;

	(void)args;
	if (hosts_store_list(ctx->mgr->db, &v, &n, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (engine_host_info(ctx->mgr, &pid, NULL, NULL) == 0 &&
	    store_console_counts(ctx->mgr->db, mgr_now_us(), &rpm, &nrunning,
	    &err) != 0) {
		host_rec_free_all(v, n);
		return cmd_fail(ctx, err.code, err.msg);
	}
	running = xcalloc(n + 1, sizeof *running);
	for (size_t i = 0; i < n; i++)
		running[i] = host_list_running(&v[i], pid, nrunning);
	if (ctx->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, host_list_json(&v[i],
			    running[i]));
		cmd_print_json(ctx, arr);
	} else
		host_list_table(ctx, v, n, running);
	free(running);
	host_rec_free_all(v, n);
	return CMD_EXIT_OK;
}

static int
host_drain_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *id = args->argc > 0 ? args->argv[0] :
	    ctx->mgr->conf->host_id;
	int undo = cmd_args_has(args, "undo");
	struct mgr_error err = { 0 };

	if (mgr_id_check(_("host id"), id, &err) != 0 ||
	    engine_host_drain(ctx->mgr, id, !undo, &err) != 0)
		return cmd_fail(ctx, err.code, err.msg);
	if (ctx->json)
		cmd_print_json(ctx, json_pack("{s:s, s:s}", "host_id", id,
		    "state", undo ? "alive" : "draining"));
	else if (undo)
		fprintf(ctx->out, _("host %s is alive: it takes due runs again\n"),
		    id);
	else
		fprintf(ctx->out, _("host %s is draining: its running runs go on, "
		    "it starts no new run\n"), id);
	return CMD_EXIT_OK;
}

/* Test-only (hidden): a state-changing command with no side effects, so
 * the test suite can check that a command run by the host gives the
 * client the same stdout, stderr and exit status.  --pid prints the pid
 * of the process that carried it out. */
static int
host_echo_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *errtext = cmd_args_value(args, "stderr");
	const char *exit_text = cmd_args_value(args, "exit");
	int argc = args->argc;
	char **argv = args->argv;

	if (cmd_args_has(args, "pid"))
		fprintf(ctx->out, "pid %ld\n", (long)getpid());
	for (int i = 0; i < argc; i++)
		fprintf(ctx->out, "%s%s", i > 0 ? " " : "", argv[i]);
	if (argc > 0)
		fputc('\n', ctx->out);
	if (errtext != NULL)
		fprintf(ctx->err, "%s\n", errtext);
	return exit_text != NULL ? atoi(exit_text) : CMD_EXIT_OK;
}

const struct cmd_entry cmd_host_status_entry = {
	.noun = "host", .verb = "status", .usage = "",
	.summary = N_("show which process hosts the engine"),
	.flags = CMD_DB_IF_EXISTS, .min_args = 0, .max_args = 0,
	.run = host_status_run,
};

const struct cmd_entry cmd_host_reload_entry = {
	.noun = "host", .verb = "reload", .usage = "",
	.summary = N_("reload the host's configuration and task files"),
	.flags = CMD_MUTATES, .min_args = 0, .max_args = 0,
	.run = host_reload_run,
};

const struct cmd_entry cmd_host_list_entry = {
	.noun = "host", .verb = "list", .usage = "",
	.summary = N_("list the hosts of the database: epoch, state, lease"),
	.flags = CMD_DB_EMPTY_IF_MISSING, .min_args = 0, .max_args = 0,
	.run = host_list_run,
};

static const struct cmd_option host_drain_options[] = {
	{ "undo", 0, NULL, N_("make the host alive again: it takes due runs"),
	  0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_host_drain_entry = {
	.noun = "host", .verb = "drain", .usage = "[ID]",
	.summary = N_("let a host finish its runs and start no new one "
	    "(default: this host)"),
	.flags = CMD_MUTATES, .min_args = 0, .max_args = 1,
	.options = host_drain_options, .run = host_drain_run,
};

static const struct cmd_option host_echo_options[] = {
	{ "pid", 0, NULL, N_("print the pid of the process that carries it out"), 0 },
	{ "stderr", 0, "TEXT", N_("print TEXT on stderr"), 0 },
	{ "exit", 0, "N", N_("exit with status N"), 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

const struct cmd_entry cmd_host_echo_entry = {
	.noun = "host", .verb = "echo",
	.usage = "[ARG...]",
	.summary = N_("test only: print the arguments where the command runs"),
	.flags = CMD_MUTATES | CMD_HIDDEN, .min_args = 0, .max_args = -1,
	.options = host_echo_options, .run = host_echo_run,
};

extern const struct cmd_entry cmd_daemon_entry;
extern const struct cmd_entry cmd_sched_run_entry;

/* The commands of the engine folder, in the order --help lists them. */
const struct cmd_entry *const engine_commands[] = {
	&cmd_daemon_entry,
	&cmd_host_status_entry,
	&cmd_host_reload_entry,
	&cmd_host_list_entry,
	&cmd_host_drain_entry,
	&cmd_host_echo_entry,
	&cmd_sched_run_entry,
	NULL
};
