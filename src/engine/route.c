/* route.c - the CLI's road for a state-changing (CMD_MUTATES) command:
 * to the running host through the commands table, or carried out here as
 * a short-lived host when none runs; and for a reader a running host
 * answers better (CMD_ASKS_HOST): to that host, or here without one.
 * Either way the person sees the same stdout, stderr and exit status.
 */
#include "i18n.h"
#include "cmd.h"
#include "engine.h"
#include "host.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUTE_BACKOFF_MAX_US	(50 * 1000)

/* The client's own failure; giving up waiting for the host has its own
 * exit status (124, as timeout(1)), apart from a failed command. */
static int
route_fail(int json, int code, const char *msg)
{
	struct cmd_ctx ctx = { .out = stdout, .err = stderr, .json = json };
	int status = cmd_fail(&ctx, code, msg);

	return code == MGR_ETIMEOUT ? CMD_EXIT_TIMEOUT : status;
}

/* Hosts that carry out clients' commands (a short-lived CLI host does not). */
static int
route_kind_takes_commands(const char *kind)
{
	return strcmp(kind, ENGINE_KIND_DAEMON) == 0 ||
	    strcmp(kind, ENGINE_KIND_CONSOLE) == 0;
}

/* The client's stdin, for a command that reads it: at most
 * CMD_STDIN_MAX bytes, more is an error (give a file). */
static int
route_read_stdin(char **input, size_t *len, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;

	strbuf_adds(&sb, "");
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			strbuf_free(&sb);
			return mgr_error_set(err, MGR_EIO, _("cannot read stdin: "
			    "%s"), strerror(errno));
		}
		if (sb.len + (size_t)n > CMD_STDIN_MAX) {
			strbuf_free(&sb);
			return mgr_error_set(err, MGR_EINVAL, _("stdin is larger "
			    "than %d MiB, the most sent to the engine host: give "
			    "a file"), CMD_STDIN_MAX / (1024 * 1024));
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	*len = sb.len;
	*input = strbuf_detach(&sb);
	return 0;
}

/* The command line with what it read of stdin (input NULL: none): the
 * host gets them in one row, so stdin is read once whatever the road. */
struct route_cmd {
	int argc;
	char **argv;
	int json;
	const char *input;
	size_t ilen;
};

static int
route_submit(struct mgr *mgr, const struct route_cmd *c, int timeout_ms,
	     int *status, struct mgr_error *err)
{
	char *out = NULL, *errout = NULL;
	int rc;

	const struct cmd_entry *e = mgr->commands == NULL ? NULL :
	    cmd_find(mgr->commands, c->argv[0], c->argc > 1 ? c->argv[1] : NULL);

	rc = engine_submit_input(mgr, c->argc, c->argv, c->json, timeout_ms,
	    e != NULL && (e->flags & CMD_FOLLOWS), c->input, c->ilen, &out,
	    &errout, status, err);
	if (rc != 0)
		return rc;
	fputs(out, stdout);
	fputs(errout, stderr);
	free(out);
	free(errout);
	return 0;
}

/* 1 when we hold the lock and carried the command out, 0 when another
 * process holds it, <0 on error. */
static int
route_act_locally(struct mgr *mgr, const struct route_cmd *c, int *status,
		  struct mgr_error *err)
{
	struct cmd_ctx ctx = { .table = mgr->commands, .mgr = mgr, .out = stdout,
	    .err = stderr,
	    .json = c->json };
	int rc;

	rc = engine_host_acquire(mgr, ENGINE_KIND_CLI, err);
	if (rc == MGR_EBUSY)
		return 0;
	if (rc != 0)
		return rc;
	if (c->input != NULL)
		ctx.in = engine_stdin_stream(c->input, c->ilen);
	*status = cmd_dispatch(&ctx, c->argc, c->argv);
	if (ctx.in != NULL)
		fclose(ctx.in);
	engine_host_release(mgr);
	return 1;
}

static int
route_busy(struct mgr *mgr, int pid, const char *kind, int timeout_ms,
	   struct mgr_error *err)
{
	return mgr_error_set(err, MGR_EBUSY,
	    _("%s: the engine lock stayed held for %.1f s by pid %d (%s), which "
	      "takes no commands; try again"), db_path(mgr->db),
	    timeout_ms / 1000.0, pid, *kind != '\0' ? kind : _("starting"));
}

int
engine_cli_command(struct mgr *mgr, int argc, char **argv, int json)
{
	struct mgr_error err = { 0 };
	int timeout_ms = engine_command_timeout_ms();
	int64_t deadline = mgr_mono_us() + (int64_t)timeout_ms * 1000;
	useconds_t backoff = 1000;
	char kind[32], *input = NULL;
	struct route_cmd c = { argc, argv, json, NULL, 0 };
	int pid, status = CMD_EXIT_FAIL, rc;

	if (mgr_open_db(mgr, &err) != 0)
		return route_fail(json, err.code, err.msg);
	/* Read once: the command may end up here or with the host. */
	if (engine_command_reads_stdin(mgr->commands, argc, argv)) {
		if (route_read_stdin(&input, &c.ilen, &err) != 0)
			return route_fail(json, err.code, err.msg);
		c.input = input;
	}
	for (;;) {
		if (!db_host_holder(mgr->db, &pid, kind, sizeof kind)) {
			rc = route_act_locally(mgr, &c, &status, &err);
			if (rc == 1)
				break;
		} else if (route_kind_takes_commands(kind)) {
			rc = route_submit(mgr, &c, timeout_ms, &status, &err);
			if (rc == 0)
				break;
			if (rc == MGR_ENOENT)
				rc = 0;	/* the host left before taking it: retry */
		} else
			rc = 0;	/* a short-lived host, or one starting up */
		if (rc == 0 && mgr_mono_us() >= deadline)
			rc = route_busy(mgr, pid, kind, timeout_ms, &err);
		if (rc != 0) {
			free(input);
			return route_fail(json, err.code, err.msg);
		}
		usleep(backoff);
		if (backoff < ROUTE_BACKOFF_MAX_US)
			backoff *= 2;
	}
	free(input);
	return status;
}

int
engine_cli_ask(struct mgr *mgr, int argc, char **argv, int json)
{
	struct route_cmd c = { argc, argv, json, NULL, 0 };
	struct mgr_error err = { 0 };
	int pid, status = CMD_EXIT_FAIL, rc;
	char kind[32];

	if (mgr->db == NULL || !db_host_holder(mgr->db, &pid, kind, sizeof kind) ||
	    !route_kind_takes_commands(kind))
		return ENGINE_NOT_ASKED;
	rc = route_submit(mgr, &c, engine_command_timeout_ms(), &status, &err);
	if (rc == MGR_ENOENT)	/* the host left before taking it */
		return ENGINE_NOT_ASKED;
	if (rc != 0)
		return route_fail(json, err.code, err.msg);
	return status;
}

int
engine_command(struct mgr *mgr, int through_host, int argc, char **argv,
	       int json, char **out, char **errout)
{
	const struct cmd_entry *e = cmd_find(mgr->commands, argv[0],
	    argc > 1 ? argv[1] : NULL);
	struct mgr_error err = { 0 };
	int status = CMD_EXIT_FAIL;

	if (!through_host || e == NULL || !(e->flags & CMD_MUTATES))
		return engine_run_captured(mgr, argc, argv, json, out, errout);
	if (engine_submit(mgr, argc, argv, json, 0, out, errout, &status,
	    &err) == 0)
		return status;
	*out = xstrdup("");
	*errout = xasprintf(_("the engine host did not carry it out: %s"),
	    err.msg);
	return mgr_code_exit_status(err.code);
}
