/* control.c - the control plane, host side: clients write command lines
 * as `commands` rows; the host carries them out through cmd_dispatch,
 * with memory streams for ctx->out and ctx->err, and answers in the row.
 *
 * Noticing a new row: the store's change watch (db_watch_open; SQLite:
 * inotify on the WAL) wakes the loop, and db_data_version tells whether
 * another connection committed.  A notice can come a moment before the
 * change is visible (the writer publishes its commit in the shared
 * index a moment after writing it, longer if it is descheduled between),
 * so an unchanged version after a notice is checked again after 1, 2, 4
 * ... 1,024 ms.  The watch sees every local writer (SQLite's WAL needs
 * its writers on this machine) and says when its queue overflowed, so
 * the safety check is once a minute, on the minute, with the rest of
 * the housekeeping: an idle engine wakes once a minute, as cron does.
 */
#include "i18n.h"
#include "cmd.h"
#include "command_input_store.h"
#include "control_store.h"
#include "engine.h"
#include "host.h"
#include "manager.h"
#include "scheduler.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONTROL_FALLBACK_S	60.0
#define CONTROL_POLL_S		0.05	/* without inotify */
#define CONTROL_RECHECK_MIN_S	0.001
#define CONTROL_RECHECK_MAX_S	1.024
#define COMMAND_KEEP_US		(24LL * 3600 * 1000000)

struct control {
	struct mgr *mgr;
	struct db_watch *watch;
	ev_io watch_io;
	ev_periodic fallback;	/* on the minute (polling without a watch) */
	ev_timer recheck;	/* after an event that showed nothing yet */
	double recheck_delay;
	int64_t data_version;
	int home_fd;		/* the host's working folder */
	int paused;
};

/* ---- host side ---- */

static char **
command_argv_parse(const char *text, struct mgr_error *err)
{
	json_t *a = json_loads(text, 0, NULL), *v;
	char **argv = NULL;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0) {
		json_decref(a);
		mgr_error_set(err, MGR_EINVAL, _("malformed command: %s"), text);
		return NULL;
	}
	argv = xcalloc(1, sizeof *argv);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			strv_free(argv);
			json_decref(a);
			mgr_error_set(err, MGR_EINVAL, _("malformed command: %s"), text);
			return NULL;
		}
		argv = strv_push(argv, json_string_value(v));
	}
	json_decref(a);
	return argv;
}

/* Relative paths in the command line are the client's: run it in the
 * client's working folder (it is alive, waiting for the answer). */
static void
control_enter_client_cwd(int pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/cwd", pid);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (fchdir(fd) != 0) {
		/* Stay where we are: absolute paths still work. */
	}
	close(fd);
}

static void
control_leave_client_cwd(struct control *c)
{
	if (c->home_fd != -1 && fchdir(c->home_fd) != 0)
		log_warning(&c->mgr->log, "cannot return to the working folder: %s",
		    strerror(errno));
}

static int
control_refuse(const struct cmd_table *table, FILE *err, char **argv)
{
	const struct cmd_entry *e = cmd_find(table, argv[0], argv[1]);

	if (e == NULL || strcmp(e->noun, "daemon") != 0)
		return 0;
	fprintf(err, _("manager: \"%s\" cannot be carried out by the engine host\n"),
	    argv[0]);
	return 1;
}

/* A client's command that answers later: its row stays "running" until
 * the command calls finish, which writes the answer as control_carry_out
 * would have. */
struct control_later {
	struct cmd_later pub;		/* first: what the command sees */
	struct mgr *mgr;
	int64_t id;
	char *out, *errout;
	size_t olen, elen;
};

static void
control_later_finish(struct cmd_later *l, int status)
{
	struct control_later *cl = (struct control_later *)l;
	struct mgr_error err = { 0 };

	fclose(l->out);
	fclose(l->err);
	if (command_store_finish(cl->mgr->db, cl->id, status, cl->out,
	    cl->errout, &err) != 0)
		log_error(&cl->mgr->log, "command %lld: %s", (long long)cl->id,
		    err.msg);
	else
		log_info(&cl->mgr->log, "command %lld answered later: exit %d",
		    (long long)cl->id, status);
	free(cl->out);
	free(cl->errout);
	free(cl);
}

static struct cmd_later *
control_defer(struct cmd_ctx *ctx)
{
	const struct command_rec *rec = ctx->defer_arg;
	struct control_later *cl = xcalloc(1, sizeof *cl);

	cl->mgr = ctx->mgr;
	cl->id = rec->id;
	cl->pub.out = open_memstream(&cl->out, &cl->olen);
	cl->pub.err = open_memstream(&cl->errout, &cl->elen);
	if (cl->pub.out == NULL || cl->pub.err == NULL)
		abort();	/* as xmalloc: no memory */
	cl->pub.json = ctx->json;
	cl->pub.finish = control_later_finish;
	return &cl->pub;
}

FILE *
engine_stdin_stream(const char *input, size_t len)
{
	FILE *f = len > 0 ? fmemopen((void *)input, len, "r") :
	    fopen("/dev/null", "re");

	if (f == NULL)
		abort();	/* as xmalloc: no memory, or no /dev/null */
	return f;
}

/* A command run by engine_run_later that answers later: what it prints
 * then goes to done. */
struct run_later {
	struct cmd_later pub;		/* first: what the command sees */
	char *out, *errout;
	size_t olen, elen;
	engine_later_fn done;
	void *arg;
};

/* engine_run_later's caller, for run_later_defer. */
struct run_later_to {
	engine_later_fn done;
	void *arg;
};

static void
run_later_finish(struct cmd_later *l, int status)
{
	struct run_later *rl = (struct run_later *)l;

	fclose(l->out);
	fclose(l->err);
	rl->done(rl->arg, status, rl->out, rl->errout);
	free(rl);
}

static struct cmd_later *
run_later_defer(struct cmd_ctx *ctx)
{
	const struct run_later_to *to = ctx->defer_arg;
	struct run_later *rl = xcalloc(1, sizeof *rl);

	rl->pub.out = open_memstream(&rl->out, &rl->olen);
	rl->pub.err = open_memstream(&rl->errout, &rl->elen);
	if (rl->pub.out == NULL || rl->pub.err == NULL)
		abort();	/* as xmalloc: no memory */
	rl->pub.json = ctx->json;
	rl->pub.finish = run_later_finish;
	rl->done = to->done;
	rl->arg = to->arg;
	return &rl->pub;
}

/* defer (NULL: none) and defer_arg: how the command may answer later
 * (control_defer with the commands row, run_later_defer).  input: the
 * client's stdin, when it sent it. */
static int
run_captured(struct mgr *mgr, int argc, char **argv, int json,
	     struct cmd_later *(*defer)(struct cmd_ctx *), void *defer_arg,
	     const char *input, size_t ilen, char **out, char **errout)
{
	struct cmd_ctx ctx = { .table = mgr->commands, .mgr = mgr, .json = json,
	    .defer = defer, .defer_arg = defer_arg };
	size_t olen, elen, n = (size_t)argc + 1;
	char **view;
	int status;

	ctx.out = open_memstream(out, &olen);
	ctx.err = open_memstream(errout, &elen);
	if (ctx.out == NULL || ctx.err == NULL)
		abort();	/* as xmalloc: no memory */
	ctx.in = engine_stdin_stream(input, ilen);
	/* Commands take options out of argv: give them a copy of the
	 * pointers, so that argv still owns every string. */
	view = xmalloc(n * sizeof *view);
	memcpy(view, argv, n * sizeof *view);
	if (control_refuse(ctx.table, ctx.err, view))
		status = CMD_EXIT_USAGE;
	else
		status = cmd_dispatch(&ctx, argc, view);
	free(view);
	fclose(ctx.in);
	fclose(ctx.out);
	fclose(ctx.err);
	return status;
}

int
engine_run_captured(struct mgr *mgr, int argc, char **argv, int json,
		    char **out, char **errout)
{
	return run_captured(mgr, argc, argv, json, NULL, NULL, NULL, 0, out,
	    errout);
}

int
engine_run_later(struct mgr *mgr, int argc, char **argv, int json,
		 engine_later_fn done, void *arg, char **out, char **errout)
{
	struct run_later_to to = { done, arg };
	int status = run_captured(mgr, argc, argv, json, run_later_defer, &to,
	    NULL, 0, out, errout);

	if (status == CMD_EXIT_LATER) {	/* what it printed so far: dropped,
					 * as control_carry_out does */
		free(*out);
		free(*errout);
		*out = *errout = NULL;
	}
	return status;
}

int
engine_command_reads_stdin(const struct cmd_table *t, int argc, char **argv)
{
	const struct cmd_entry *e = t == NULL || argc < 1 ? NULL :
	    cmd_find(t, argv[0], argc > 1 ? argv[1] : NULL);
	int skip = e != NULL && e->verb != NULL ? 2 : 1;

	return e != NULL && e->reads_stdin != NULL && argc >= skip &&
	    e->reads_stdin(argc - skip, argv + skip);
}

static int
control_dispatch(struct control *c, const struct command_rec *rec,
		 char **out, char **errout)
{
	struct mgr_error err = { 0 };
	char **argv, *input = NULL;
	size_t ilen = 0;
	int status, argc;

	if ((argv = command_argv_parse(rec->argv, &err)) == NULL) {
		*out = xstrdup("");
		*errout = xasprintf("manager: %s\n", err.msg);
		return CMD_EXIT_FAIL;
	}
	argc = (int)strv_len(argv);
	if (engine_command_reads_stdin(c->mgr->commands, argc, argv) &&
	    command_store_input(c->mgr->db, rec->id, &input, &ilen, &err) != 0) {
		strv_free(argv);
		*out = xstrdup("");
		*errout = xasprintf("manager: %s\n", err.msg);
		return CMD_EXIT_FAIL;
	}
	control_enter_client_cwd(rec->client_pid);
	status = run_captured(c->mgr, argc, argv, rec->json, control_defer,
	    (void *)rec, input, ilen, out, errout);
	control_leave_client_cwd(c);
	free(input);
	strv_free(argv);
	return status;
}

static void
control_carry_out(struct control *c, struct command_rec *rec)
{
	struct mgr_error err = { 0 };
	char *out = NULL, *errout = NULL;
	int64_t t0 = mgr_mono_us();
	int status;

	status = control_dispatch(c, rec, &out, &errout);
	if (status == CMD_EXIT_LATER) {
		log_info(&c->mgr->log, "command %lld from pid %d: %s: answer "
		    "follows", (long long)rec->id, rec->client_pid, rec->argv);
		free(out);
		free(errout);
		return;
	}
	if (command_store_finish(c->mgr->db, rec->id, status, out, errout, &err) != 0)
		log_error(&c->mgr->log, "command %lld: %s", (long long)rec->id, err.msg);
	log_info(&c->mgr->log, "command %lld from pid %d: %s: exit %d "
	    "(%.1f ms, %.1f ms after submission)", (long long)rec->id,
	    rec->client_pid, rec->argv, status, (mgr_mono_us() - t0) / 1000.0,
	    (mgr_now_us() - rec->created_at) / 1000.0);
	free(out);
	free(errout);
}

void
control_drain(struct mgr *mgr, struct control *c)
{
	struct command_rec rec = { 0 };
	struct mgr_error err = { 0 };
	int rc;

	/* A claim is a write: during a bulk command's transaction it would
	 * wait on the loop for the lock; the commands wait instead, claimed
	 * once it is over (engine.c: bulk_written). */
	if (c->paused || scheduler_bulk_writing(mgr))
		return;
	while ((rc = command_store_claim_next(mgr->db, &rec, &err)) == 0) {
		control_carry_out(c, &rec);
		command_rec_clear(&rec);
		if (c->paused || scheduler_bulk_writing(mgr))
			break;
	}
	if (rc != MGR_ENOENT && rc != 0)
		log_error(&mgr->log, "control plane: %s", err.msg);
}

/* 1 when another connection committed since the last check. */
static int
control_check(struct control *c)
{
	int64_t v = db_data_version(c->mgr->db);

	if (v == c->data_version)
		return 0;
	c->data_version = v;
	control_drain(c->mgr, c);
	return 1;
}

static void
control_recheck_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct control *c = w->data;

	(void)revents;
	if (control_check(c) || c->recheck_delay >= CONTROL_RECHECK_MAX_S)
		return;
	c->recheck_delay *= 2;
	ev_timer_set(w, c->recheck_delay, 0);
	ev_timer_start(loop, w);
}

static void
control_watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct control *c = w->data;

	(void)revents;
	if (!db_watch_drain(c->watch) || control_check(c))
		return;
	c->recheck_delay = CONTROL_RECHECK_MIN_S;
	ev_timer_stop(loop, &c->recheck);
	ev_timer_set(&c->recheck, c->recheck_delay, 0);
	ev_timer_start(loop, &c->recheck);
}

static void
control_fallback_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
	struct control *c = w->data;

	(void)loop;
	(void)revents;
	control_check(c);
}

/* Commands a previous host left half-done can never be answered by it. */
static void
control_recover(struct mgr *mgr)
{
	struct mgr_error err = { 0 };
	int64_t n = 0;

	if (command_store_abandon_running(mgr->db,
	    _("manager: the engine host exited while carrying out this command\n"),
	    &n, &err) != 0)
		log_error(&mgr->log, "control plane: %s", err.msg);
	else if (n > 0)
		log_warning(&mgr->log, "control plane: %lld command(s) abandoned by "
		    "the previous host", (long long)n);
}

void
control_prune(struct mgr *mgr)
{
	struct mgr_error err = { 0 };
	int64_t n = 0;

	if (command_store_prune(mgr->db, mgr_now_us() - COMMAND_KEEP_US, &n,
	    &err) != 0)
		log_error(&mgr->log, "control plane: %s", err.msg);
	else if (n > 0)
		log_debug(&mgr->log, "control plane: pruned %lld old command(s)",
		    (long long)n);
}

/* The change watch and its safety poll: a poll every minute behind a
 * watch, every CONTROL_POLL_S without one (the store gives no notices,
 * or a server's watch could not be made), at the start and after the
 * database was out of reach (control_rewatch). */
static void
control_watch_start(struct control *c)
{
	struct mgr *mgr = c->mgr;
	double every = CONTROL_FALLBACK_S;

	c->watch = db_watch_open(mgr->db);
	if (db_watch_fd(c->watch) != -1) {
		ev_io_init(&c->watch_io, control_watch_cb,
		    db_watch_fd(c->watch), EV_READ);
		c->watch_io.data = c;
		ev_io_start(mgr->loop, &c->watch_io);
	} else {
		log_warning(&mgr->log, "control plane: the store gives no change "
		    "notices; polling every %.0f ms", CONTROL_POLL_S * 1000);
		every = CONTROL_POLL_S;
	}
	ev_periodic_init(&c->fallback, control_fallback_cb, 0., every, NULL);
	c->fallback.data = c;
	ev_periodic_start(mgr->loop, &c->fallback);
}

int
control_start(struct mgr *mgr, struct control **out, struct mgr_error *err)
{
	struct control *c = xcalloc(1, sizeof *c);

	(void)err;
	c->mgr = mgr;
	c->home_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	control_watch_start(c);
	ev_timer_init(&c->recheck, control_recheck_cb, 0, 0);
	c->recheck.data = c;
	control_recover(mgr);
	control_prune(mgr);
	c->data_version = db_data_version(mgr->db);
	*out = c;
	control_drain(mgr, c);
	return 0;
}

/* The watch made again after the database was out of reach: a watch
 * whose connection could not be made again without blocking gave up
 * (db_watch_fd quiet for good), and commands sent meanwhile would wait
 * for the minute's poll.  Then the commands pending are carried out. */
void
control_rewatch(struct control *c)
{
	struct mgr *mgr = c->mgr;

	if (c->paused)
		return;
	if (db_watch_fd(c->watch) != -1)
		ev_io_stop(mgr->loop, &c->watch_io);
	ev_periodic_stop(mgr->loop, &c->fallback);
	db_watch_close(c->watch);
	control_watch_start(c);
	control_check(c);
}

void
control_pause(struct control *c)
{
	if (c == NULL || c->paused)
		return;
	c->paused = 1;
	if (db_watch_fd(c->watch) != -1)
		ev_io_stop(c->mgr->loop, &c->watch_io);
	ev_periodic_stop(c->mgr->loop, &c->fallback);
	ev_timer_stop(c->mgr->loop, &c->recheck);
}

void
control_free(struct control *c)
{
	if (c == NULL)
		return;
	control_pause(c);
	db_watch_close(c->watch);
	if (c->home_fd != -1)
		close(c->home_fd);
	free(c);
}

/* ---- client side ---- */

#define SUBMIT_BACKOFF_MIN_MS	1
#define SUBMIT_BACKOFF_MAX_MS	50
#define SUBMIT_LIVENESS_US	(250 * 1000)

int
engine_command_timeout_ms(void)
{
	const char *s = getenv("MANAGER_COMMAND_TIMEOUT");
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return 30000;
	v = strtod(s, &end);
	if (*end != '\0' || !(v > 0) || v > INT_MAX / 1000)
		return 30000;
	return (int)(v * 1000);
}

static char *
command_argv_json(int argc, char **argv)
{
	json_t *a = json_array();
	char *s;

	for (int i = 0; i < argc; i++)
		json_array_append_new(a, json_string(argv[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

/* Sleeps until the WAL changes or ms pass; 1 if it changed. */
static int
submit_wait(struct db_watch *w, int ms)
{
	struct pollfd pfd = { .fd = db_watch_fd(w), .events = POLLIN };

	if (pfd.fd == -1) {
		usleep((useconds_t)ms * 1000);
		return 0;
	}
	return poll(&pfd, 1, ms) > 0 && db_watch_drain(w);
}

/* The host vanished: take the command back if nobody started it. */
static int
submit_host_gone(struct mgr *mgr, int64_t id, struct mgr_error *err)
{
	if (command_store_cancel(mgr->db, id, NULL) == 0)
		return mgr_error_set(err, MGR_ENOENT,
		    _("the engine host exited before taking the command"));
	return mgr_error_set(err, MGR_EIO,
	    _("the engine host exited while carrying out the command (command %lld)"),
	    (long long)id);
}

/* The host's lock is free: it may have answered between the read of
 * the row and the probe (a command answered as the engine stops: the
 * answer is its last write), so the row is read once more. */
static int
submit_answered_or_gone(struct mgr *mgr, int64_t id, struct command_rec *rec,
			struct mgr_error *err)
{
	int rc;

	if ((rc = command_store_read(mgr->db, id, rec, err)) != 0)
		return rc;
	if (strcmp(rec->state, "done") == 0)
		return 0;
	command_rec_clear(rec);
	return submit_host_gone(mgr, id, err);
}

static int
submit_timed_out(struct mgr *mgr, int64_t id, int timeout_ms,
		 struct mgr_error *err)
{
	if (command_store_cancel(mgr->db, id, NULL) == 0)
		return mgr_error_set(err, MGR_ETIMEOUT,
		    _("the engine host did not take the command within %.1f s "
		      "(MANAGER_COMMAND_TIMEOUT); it was withdrawn"), timeout_ms / 1000.0);
	return mgr_error_set(err, MGR_ETIMEOUT,
	    _("the engine host did not finish the command within %.1f s "
	      "(MANAGER_COMMAND_TIMEOUT); its result will be in command %lld"),
	    timeout_ms / 1000.0, (long long)id);
}

static int
submit_await(struct mgr *mgr, struct db_watch *w, int64_t id, int timeout_ms,
	     int follow, struct command_rec *rec, struct mgr_error *err)
{
	int64_t start = mgr_mono_us(), last_probe = start, now;
	int backoff = SUBMIT_BACKOFF_MIN_MS, rc;

	int taken;

	for (;;) {
		if ((rc = command_store_read(mgr->db, id, rec, err)) != 0)
			return rc;
		if (strcmp(rec->state, "done") == 0)
			return 0;
		/* A following command (CMD_FOLLOWS: `task run` follows a run
		 * to its end) has the limit for the host to take it only: then
		 * it takes as long as it takes, while the host lives. */
		taken = follow && strcmp(rec->state, "running") == 0;
		command_rec_clear(rec);
		now = mgr_mono_us();
		if (!taken && now - start >= (int64_t)timeout_ms * 1000)
			return submit_timed_out(mgr, id, timeout_ms, err);
		if (now - last_probe >= SUBMIT_LIVENESS_US) {
			last_probe = now;
			if (!host_lock_held(mgr->db))
				return submit_answered_or_gone(mgr, id, rec,
				    err);
		}
		/* A write was just seen: its commit shows a moment later. */
		if (submit_wait(w, backoff))
			backoff = SUBMIT_BACKOFF_MIN_MS;
		else if (backoff < SUBMIT_BACKOFF_MAX_MS)
			backoff = backoff * 2 > SUBMIT_BACKOFF_MAX_MS ?
			    SUBMIT_BACKOFF_MAX_MS : backoff * 2;
	}
}

/* input: the client's stdin to send along (NULL: none). */
static int
submit(struct mgr *mgr, int argc, char **argv, int json, int timeout_ms,
       int follow, const char *input, size_t ilen, char **out, char **errout,
       int *status, struct mgr_error *err)
{
	struct command_rec rec = { 0 };
	struct db_watch *w;
	int64_t id;
	char *text;
	int rc;

	if (timeout_ms <= 0)
		timeout_ms = engine_command_timeout_ms();
	if (!host_lock_held(mgr->db))
		return mgr_error_set(err, MGR_ENOENT, _("no engine host is running"));
	/* Watch before submitting, so the answer cannot slip past. */
	w = db_watch_open(mgr->db);
	text = command_argv_json(argc, argv);
	rc = input != NULL ? command_store_submit_input(mgr->db, text, json,
	    (int)getpid(), input, ilen, &id, err) :
	    command_store_submit(mgr->db, text, json, (int)getpid(), &id, err);
	free(text);
	if (rc == 0)
		rc = submit_await(mgr, w, id, timeout_ms, follow, &rec, err);
	db_watch_close(w);
	if (rc != 0)
		return rc;
	*out = rec.output != NULL ? rec.output : xstrdup("");
	*errout = rec.error_output != NULL ? rec.error_output : xstrdup("");
	*status = rec.exit_status;
	rec.output = rec.error_output = NULL;
	command_rec_clear(&rec);
	return 0;
}

int
engine_submit(struct mgr *mgr, int argc, char **argv, int json, int timeout_ms,
	      char **out, char **errout, int *status, struct mgr_error *err)
{
	return submit(mgr, argc, argv, json, timeout_ms, 0, NULL, 0, out, errout,
	    status, err);
}

int
engine_submit_follow(struct mgr *mgr, int argc, char **argv, int json,
		     int timeout_ms, char **out, char **errout, int *status,
		     struct mgr_error *err)
{
	return submit(mgr, argc, argv, json, timeout_ms, 1, NULL, 0, out, errout,
	    status, err);
}

int
engine_submit_input(struct mgr *mgr, int argc, char **argv, int json,
		    int timeout_ms, int follow, const char *input, size_t ilen,
		    char **out, char **errout, int *status,
		    struct mgr_error *err)
{
	return submit(mgr, argc, argv, json, timeout_ms, follow, input, ilen,
	    out, errout, status, err);
}
