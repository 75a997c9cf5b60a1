/* test_control.c - the engine's control plane: `commands` rows and their
 * states (pending, running, done), the argv JSON written by a client and
 * read by the host, answers, pruning, the `host` row, and what a client
 * is told when the host is gone, busy or slow.  Real SQLite in a private
 * folder; the other side of the plane is a real child process with its
 * own connection, as in production. */
#include "testutil.h"
#include "cli.h"
#include "cmd.h"
#include "control_store.h"
#include "engine.h"
#include "host.h"
#include "hostprobe.h"
#include "manager.h"

#include <ev.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

#define HOUR_US		(3600LL * 1000000)

struct fixture {
	char *dir;
	char *conf;
	char *db;
	struct mgr *mgr;
	pid_t child;		/* a host in a child process, or 0 */
};

static struct mgr *
open_mgr(const struct fixture *f)
{
	struct conf_source src = { .config_arg = f->conf, .db_arg = f->db };
	struct mgr *m;

	if (mgr_open(&src, &m, NULL) != 0)
		return NULL;
	engine_wire(m);			/* as the front end does */
	m->commands = &cli_table;
	if (mgr_open_db(m, NULL) != 0) {
		mgr_close(m);
		return NULL;
	}
	return m;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	unsetenv("MANAGER_COMMAND_TIMEOUT");
	f->dir = tmpdir_new();
	f->conf = xasprintf("%s/m.conf", f->dir);
	f->db = xasprintf("%s/m.db", f->dir);
	write_text(f->conf, "manager: { log_level = \"error\"; };\n");
	f->mgr = open_mgr(f);
	assert_non_null(f->mgr);
	f->mgr->loop = ev_default_loop(0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	unsetenv("MANAGER_COMMAND_TIMEOUT");
	mgr_close(f->mgr);
	tmpdir_free(f->dir);
	free(f->conf);
	free(f->db);
	free(f);
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int64_t
submit(struct fixture *f, const char *argv_json, int json)
{
	int64_t id = 0;
	struct mgr_error err = { 0 };

	if (command_store_submit(f->mgr->db, argv_json, json, (int)getpid(), &id,
	    &err) != 0)
		fail_msg("%s", err.msg);
	return id;
}

static struct command_rec
read_command(struct fixture *f, int64_t id)
{
	struct command_rec c = { 0 };
	struct mgr_error err = { 0 };

	if (command_store_read(f->mgr->db, id, &c, &err) != 0)
		fail_msg("%s", err.msg);
	return c;
}

/* ---- the rows ---- */

/* Oldest pending first; a claimed row is no longer pending, cannot be
 * withdrawn, and its answer is what finish wrote. */
static void
test_command_states(void **state)
{
	struct fixture *f = *state;
	struct mgr_db *db = f->mgr->db;
	struct command_rec c = { 0 };
	struct mgr_error err = { 0 };
	int64_t a = submit(f, "[\"a\"]", 0), b = submit(f, "[\"b\"]", 1),
	    d = submit(f, "[\"d\"]", 0);

	c = read_command(f, b);
	assert_string_equal(c.state, "pending");
	assert_string_equal(c.argv, "[\"b\"]");
	assert_int_equal(c.json, 1);
	assert_int_equal(c.client_pid, getpid());
	assert_true(c.created_at > 0);
	assert_null(c.output);
	command_rec_clear(&c);

	assert_int_equal(command_store_claim_next(db, &c, &err), 0);
	assert_int_equal(c.id, a);
	assert_string_equal(c.argv, "[\"a\"]");
	command_rec_clear(&c);
	c = read_command(f, a);
	assert_string_equal(c.state, "running");
	command_rec_clear(&c);
	assert_int_equal(command_store_claim(db, a, &err), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "is no longer pending"));
	assert_int_equal(command_store_cancel(db, a, &err), MGR_ENOENT);

	assert_int_equal(command_store_cancel(db, b, &err), 0);
	assert_int_equal(command_store_read(db, b, &c, &err), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "not found"));

	assert_int_equal(command_store_claim_next(db, &c, &err), 0);
	assert_int_equal(c.id, d);
	command_rec_clear(&c);
	assert_int_equal(command_store_finish(db, d, 4, "out", NULL, &err), 0);
	c = read_command(f, d);
	assert_string_equal(c.state, "done");
	assert_int_equal(c.exit_status, 4);
	assert_string_equal(c.output, "out");
	assert_string_equal(c.error_output, "");	/* NULL is stored as "" */
	assert_true(c.finished_at >= c.created_at);
	command_rec_clear(&c);

	assert_int_equal(command_store_claim_next(db, &c, &err), MGR_ENOENT);
	assert_null(c.argv);
}

/* Only answered rows are pruned, and only those created before the cut. */
static void
test_prune(void **state)
{
	struct fixture *f = *state;
	struct mgr_db *db = f->mgr->db;
	struct command_rec c = { 0 };
	int64_t pending = submit(f, "[\"p\"]", 0), running = submit(f, "[\"r\"]", 0),
	    done = submit(f, "[\"d\"]", 0), n = -1;

	assert_int_equal(command_store_claim(db, running, NULL), 0);
	assert_int_equal(command_store_claim(db, done, NULL), 0);
	assert_int_equal(command_store_finish(db, done, 0, "", "", NULL), 0);
	c = read_command(f, done);

	assert_int_equal(command_store_prune(db, c.created_at, &n, NULL), 0);
	assert_int_equal(n, 0);		/* not older than the cut */
	assert_int_equal(command_store_prune(db, c.created_at + 1, &n, NULL), 0);
	assert_int_equal(n, 1);
	command_rec_clear(&c);
	assert_int_equal(command_store_read(db, done, &c, NULL), MGR_ENOENT);
	c = read_command(f, pending);
	command_rec_clear(&c);
	c = read_command(f, running);
	command_rec_clear(&c);
}

/* Runs SQL through a connection of its own, as another process would:
 * the store has no operation that ages rows. */
static void
exec_elsewhere(struct fixture *f, const char *sql)
{
	sqlite3 *h;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(h);
}

/* The host keeps answers for a day. */
static void
test_prune_keeps_a_day(void **state)
{
	struct fixture *f = *state;
	struct mgr_db *db = f->mgr->db;
	struct command_rec c = { 0 };
	int64_t young = submit(f, "[\"y\"]", 0), old = submit(f, "[\"o\"]", 0);
	char *sql;

	for (int i = 0; i < 2; i++) {
		assert_int_equal(command_store_claim_next(db, &c, NULL), 0);
		command_rec_clear(&c);
	}
	assert_int_equal(command_store_finish(db, young, 0, "", "", NULL), 0);
	assert_int_equal(command_store_finish(db, old, 0, "", "", NULL), 0);
	sql = xasprintf("UPDATE commands SET created_at = created_at - %lld "
	    "WHERE id = %lld; UPDATE commands SET created_at = created_at - %lld "
	    "WHERE id = %lld", 23 * HOUR_US, (long long)young, 25 * HOUR_US,
	    (long long)old);
	exec_elsewhere(f, sql);
	free(sql);

	control_prune(f->mgr);
	assert_int_equal(command_store_read(db, old, &c, NULL), MGR_ENOENT);
	c = read_command(f, young);
	command_rec_clear(&c);
}

/* The single host row names its holder; only the holder changes it. */
static void
test_host_row(void **state)
{
	struct fixture *f = *state;
	struct mgr_db *db = f->mgr->db;
	int64_t started, beat;
	char *kind = NULL;
	int pid;

	assert_int_equal(host_store_get(db, &pid, &kind, NULL, NULL, NULL),
	    MGR_ENOENT);
	assert_int_equal(host_store_set(db, 100, "daemon", 5, NULL), 0);
	assert_int_equal(host_store_get(db, &pid, &kind, &started, &beat, NULL), 0);
	assert_int_equal(pid, 100);
	assert_string_equal(kind, "daemon");
	assert_int_equal(started, 5);
	assert_int_equal(beat, 5);
	free(kind);

	assert_int_equal(host_store_set(db, 200, "console", 7, NULL), 0);
	assert_int_equal(host_store_get(db, &pid, &kind, NULL, NULL, NULL), 0);
	assert_int_equal(pid, 200);	/* one row: the newest host */
	assert_string_equal(kind, "console");
	free(kind);
	assert_int_equal(host_store_clear(db, 100, NULL), 0);
	assert_int_equal(host_store_get(db, NULL, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(host_store_clear(db, 200, NULL), 0);
	assert_int_equal(host_store_get(db, NULL, NULL, NULL, NULL, NULL),
	    MGR_ENOENT);
}

/* ---- the host side: rows carried out through the command table ---- */

static struct control *
host_start(struct fixture *f)
{
	struct control *c = NULL;

	assert_int_equal(control_start(f->mgr, &c, NULL), 0);
	assert_non_null(c);
	return c;
}

static void
assert_answer(struct fixture *f, int64_t id, int status, const char *out_has,
	      const char *err_has)
{
	struct command_rec c = read_command(f, id);

	assert_string_equal(c.state, "done");
	assert_int_equal(c.exit_status, status);
	if (out_has != NULL && strstr(c.output, out_has) == NULL)
		fail_msg("command %lld: output \"%s\" lacks \"%s\"", (long long)id,
		    c.output, out_has);
	if (err_has != NULL && strstr(c.error_output, err_has) == NULL)
		fail_msg("command %lld: error output \"%s\" lacks \"%s\"",
		    (long long)id, c.error_output, err_has);
	command_rec_clear(&c);
}

/* Command lines are carried out in order, with the client's --json; their
 * stdout, stderr and status are the answer. */
static void
test_host_carries_out(void **state)
{
	struct fixture *f = *state;
	int64_t add = submit(f, "[\"task\",\"add\",\"t1\",\"exec:true\","
	    "\"interval\",\"seconds=60\"]", 0);
	int64_t show = submit(f, "[\"task\",\"show\",\"--\",\"t1\"]", 1);
	int64_t twice = submit(f, "[\"task\",\"add\",\"t1\",\"exec:true\","
	    "\"interval\",\"seconds=60\"]", 0);
	int64_t missing = submit(f, "[\"task\",\"show\",\"nosuch\"]", 0);
	struct control *c = host_start(f);	/* drains what is pending */

	assert_answer(f, add, CMD_EXIT_OK, "task t1 added", NULL);
	assert_answer(f, show, CMD_EXIT_OK, "\"id\": \"t1\"", NULL);
	assert_answer(f, twice, 4, "", "manager: task \"t1\" already exists\n");
	assert_answer(f, missing, 3, "", "manager: no task \"nosuch\"\n");
	control_free(c);
}

/* Rows whose argv is not a JSON array of strings are answered with an
 * error naming the text; commands that would host an engine are refused. */
static void
test_host_refuses(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "not json", "{\"a\":1}", "[]",
	    "[\"task\",1]", "\"task\"" };
	int64_t ids[5], daemon, unknown;
	struct control *c;
	char *want;

	for (size_t i = 0; i < 5; i++)
		ids[i] = submit(f, bad[i], 0);
	daemon = submit(f, "[\"daemon\"]", 0);
	unknown = submit(f, "[\"frobnicate\"]", 0);
	c = host_start(f);
	for (size_t i = 0; i < 5; i++) {
		want = xasprintf("manager: malformed command: %s\n", bad[i]);
		assert_answer(f, ids[i], CMD_EXIT_FAIL, "", want);
		free(want);
	}
	assert_answer(f, daemon, CMD_EXIT_USAGE, "",
	    "\"daemon\" cannot be carried out by the engine host");
	assert_answer(f, unknown, CMD_EXIT_USAGE, "", "unknown command \"frobnicate\"");
	control_free(c);
}

/* A new host answers the rows the previous one was carrying out when it
 * died; answered rows keep their answer; a paused host takes nothing. */
static void
test_host_answers_for_the_dead(void **state)
{
	struct fixture *f = *state;
	struct mgr_db *db = f->mgr->db;
	int64_t orphan = submit(f, "[\"task\",\"list\"]", 0),
	    answered = submit(f, "[\"task\",\"list\"]", 0), later;
	struct control *c;

	assert_int_equal(command_store_claim(db, orphan, NULL), 0);
	assert_int_equal(command_store_claim(db, answered, NULL), 0);
	assert_int_equal(command_store_finish(db, answered, 5, "kept", "", NULL), 0);
	c = host_start(f);
	assert_answer(f, orphan, CMD_EXIT_FAIL, "",
	    "the engine host exited while carrying out this command");
	assert_answer(f, answered, 5, "kept", NULL);

	control_pause(c);
	later = submit(f, "[\"task\",\"list\"]", 0);
	control_drain(f->mgr, c);
	{
		struct command_rec r = read_command(f, later);

		assert_string_equal(r.state, "pending");
		command_rec_clear(&r);
	}
	control_free(c);
}

/* ---- the client side, against a host in a child process ---- */

enum host_act {
	HOST_HOLD,		/* holds the lock, takes nothing */
	HOST_CLAIM_AND_DIE,	/* takes one command, exits unanswered */
	HOST_CLAIM_AND_HOLD,	/* takes one command, never answers */
	HOST_ECHO,		/* answers one command with what it read */
};

static void
child_claim(struct mgr *m, struct command_rec *rec)
{
	for (int i = 0; i < 2500; i++) {
		if (command_store_claim_next(m->db, rec, NULL) == 0)
			return;
		sleep_ms(2);
	}
	_exit(91);
}

/* The child's life: its own connection, the lock, then act; exits. */
static void
child_host(struct fixture *f, const char *kind, enum host_act act, int ms)
{
	struct command_rec rec = { 0 };
	struct mgr *m = open_mgr(f);
	char *err;

	if (m == NULL || engine_host_acquire(m, kind, NULL) != 0)
		_exit(90);
	if (act != HOST_HOLD)
		child_claim(m, &rec);
	if (act == HOST_ECHO) {
		err = xasprintf("json=%d pid=%d", rec.json, rec.client_pid);
		command_store_finish(m->db, rec.id, 7, rec.argv, err, NULL);
	}
	if (act == HOST_CLAIM_AND_DIE)
		_exit(0);	/* dies with its row "running" */
	sleep_ms(ms);
	_exit(0);
}

/* Starts a host of KIND in a child and waits until its lock is held. */
static void
spawn_host(struct fixture *f, const char *kind, enum host_act act, int ms)
{
	int status;

	fflush(NULL);
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0)
		child_host(f, kind, act, ms);
	for (int i = 0; i < 2500 && !host_lock_held(f->mgr->db); i++) {
		if (waitpid(f->child, &status, WNOHANG) == f->child) {
			f->child = 0;
			fail_msg("the host child exited early (status %d)", status);
		}
		sleep_ms(2);
	}
	assert_true(host_lock_held(f->mgr->db));
}

static int
reap_host(struct fixture *f)
{
	int status = -1;

	assert_int_equal(waitpid(f->child, &status, 0), f->child);
	f->child = 0;
	return status;
}

/* The state of command ID, or "gone" when there is no such row. */
static char *
command_state(struct fixture *f, int64_t id)
{
	struct command_rec c = { 0 };
	char *state;

	if (command_store_read(f->mgr->db, id, &c, NULL) == MGR_ENOENT)
		return xstrdup("gone");
	state = c.state;
	c.state = NULL;
	command_rec_clear(&c);
	return state;
}

static void
assert_state(struct fixture *f, int64_t id, const char *want)
{
	char *state = command_state(f, id);

	if (strcmp(state, want) != 0)
		fail_msg("command %lld is %s, want %s", (long long)id, state, want);
	free(state);
}

/* The row named at the end of a client's error ("... command N)"). */
static int64_t
command_named(const char *msg)
{
	const char *p = NULL, *q = msg;
	long long id = 0;

	while ((q = strstr(q, "command ")) != NULL)
		p = q++;
	assert_non_null(p);
	assert_int_equal(sscanf(p, "command %lld", &id), 1);
	return id;
}

/* The argv written by the client is the argv the host reads, whatever
 * the strings hold; the host's answer comes back whole. */
static void
test_submit_round_trip(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "add", "a b", "quote\" back\\slash", "",
	    "tab\tnewline\n", "ünïcödé ✓", "--", NULL };
	const char *want = "[\"task\", \"add\", \"a b\", \"quote\\\" back\\\\slash\", "
	    "\"\", \"tab\\tnewline\\n\", \"ünïcödé ✓\", \"--\"]";
	char *out = NULL, *errout = NULL, *pid_text;
	struct mgr_error err = { 0 };
	json_t *got, *expected;
	int status = -1;

	spawn_host(f, ENGINE_KIND_DAEMON, HOST_ECHO, 0);
	if (engine_submit(f->mgr, 8, argv, 1, 5000, &out, &errout, &status,
	    &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(status, 7);
	got = json_loads(out, 0, NULL);
	expected = json_loads(want, 0, NULL);
	assert_non_null(got);
	assert_non_null(expected);
	assert_true(json_equal(got, expected));
	json_decref(got);
	json_decref(expected);
	pid_text = xasprintf("json=1 pid=%d", (int)getpid());
	assert_string_equal(errout, pid_text);
	free(pid_text);
	free(out);
	free(errout);
	assert_int_equal(reap_host(f), 0);
}

static void
test_submit_without_host(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "list", NULL }, *out = NULL, *errout = NULL;
	struct mgr_error err = { 0 };
	int status = -1;

	assert_int_equal(engine_submit(f->mgr, 2, argv, 0, 1000, &out, &errout,
	    &status, &err), MGR_ENOENT);
	assert_string_equal(err.msg, "no engine host is running");
	assert_state(f, 1, "gone");	/* nothing was written */
	assert_null(out);
}

/* The host exits before taking the command: the client withdraws it. */
static void
test_submit_host_gone_before(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "list", NULL }, *out = NULL, *errout = NULL;
	struct mgr_error err = { 0 };
	int status = -1;

	spawn_host(f, ENGINE_KIND_DAEMON, HOST_HOLD, 300);
	assert_int_equal(engine_submit(f->mgr, 2, argv, 0, 10000, &out, &errout,
	    &status, &err), MGR_ENOENT);
	assert_string_equal(err.msg, "the engine host exited before taking the command");
	assert_int_equal(reap_host(f), 0);
	assert_state(f, 1, "gone");	/* withdrawn */
}

/* The host dies while carrying the command out: the client says so, and
 * the next host answers the row. */
static void
test_submit_host_gone_during(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "list", NULL }, *out = NULL, *errout = NULL;
	struct mgr_error err = { 0 };
	struct control *c;
	int status = -1;
	int64_t id;

	spawn_host(f, ENGINE_KIND_DAEMON, HOST_CLAIM_AND_DIE, 0);
	assert_int_equal(engine_submit(f->mgr, 2, argv, 0, 10000, &out, &errout,
	    &status, &err), MGR_EIO);
	assert_non_null(strstr(err.msg, "the engine host exited while carrying "
	    "out the command (command "));
	assert_int_equal(reap_host(f), 0);
	id = command_named(err.msg);
	assert_state(f, id, "running");
	c = host_start(f);
	assert_answer(f, id, CMD_EXIT_FAIL, "",
	    "the engine host exited while carrying out this command");
	control_free(c);
}

/* A host that does not take the command in time: withdrawn.  One that
 * took it but did not finish: the client names the row to look at. */
static void
test_submit_timeouts(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "list", NULL }, *out = NULL, *errout = NULL;
	struct mgr_error err = { 0 };
	int status = -1;

	spawn_host(f, ENGINE_KIND_DAEMON, HOST_HOLD, 3000);
	assert_int_equal(engine_submit(f->mgr, 2, argv, 0, 300, &out, &errout,
	    &status, &err), MGR_ETIMEOUT);
	assert_string_equal(err.msg, "the engine host did not take the command "
	    "within 0.3 s (MANAGER_COMMAND_TIMEOUT); it was withdrawn");
	assert_state(f, 1, "gone");
	kill(f->child, SIGKILL);
	reap_host(f);

	/* 2 s for the child, polling every 2 ms, to take the command: in
	 * 0.3 s a child waiting for a core of a loaded machine could miss
	 * it, and the client said "did not take" instead.  It holds the
	 * command 5 s. */
	spawn_host(f, ENGINE_KIND_DAEMON, HOST_CLAIM_AND_HOLD, 5000);
	assert_int_equal(engine_submit(f->mgr, 2, argv, 0, 2000, &out, &errout,
	    &status, &err), MGR_ETIMEOUT);
	assert_non_null(strstr(err.msg, "the engine host did not finish the "
	    "command within 2.0 s (MANAGER_COMMAND_TIMEOUT); its result will be in "
	    "command "));
	assert_state(f, command_named(err.msg), "running");
}

static void
test_command_timeout_setting(void **state)
{
	static const struct { const char *value; int ms; } cases[] = {
		{ NULL, 30000 }, { "", 30000 }, { "2.5", 2500 }, { "0.001", 1 },
		{ "0", 30000 }, { "-1", 30000 }, { "5s", 30000 }, { "abc", 30000 },
		{ "1e12", 30000 }, { "nan", 30000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (cases[i].value == NULL)
			unsetenv("MANAGER_COMMAND_TIMEOUT");
		else
			setenv("MANAGER_COMMAND_TIMEOUT", cases[i].value, 1);
		if (engine_command_timeout_ms() != cases[i].ms)
			fail_msg("MANAGER_COMMAND_TIMEOUT=%s: %d ms, want %d",
			    cases[i].value != NULL ? cases[i].value : "(unset)",
			    engine_command_timeout_ms(), cases[i].ms);
	}
}

/* ---- route.c: the CLI's road for a state-changing command ---- */

/* Runs engine_cli_command with stdout and stderr in files; returns its
 * status and their text. */
static int
route(struct fixture *f, int argc, char **argv, char **out, char **errout)
{
	char *po = xasprintf("%s/route.out", f->dir), *pe = xasprintf("%s/route.err", f->dir);
	int saved_out, saved_err, fo, fe, status;

	fflush(NULL);
	saved_out = dup(1);
	saved_err = dup(2);
	fo = open(po, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(saved_out >= 0 && saved_err >= 0 && fo >= 0 && fe >= 0);
	dup2(fo, 1);
	dup2(fe, 2);
	status = engine_cli_command(f->mgr, argc, argv, 0);
	fflush(NULL);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	close(fo);
	close(fe);
	assert_int_equal(read_file(po, out, NULL, NULL), 0);
	assert_int_equal(read_file(pe, errout, NULL, NULL), 0);
	free(po);
	free(pe);
	return status;
}

/* No host: carried out here, as a short-lived host that lets go after. */
static void
test_route_locally(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "add", "t1", "exec:true", "interval",
	    "seconds=60", NULL }, *out, *errout;

	assert_int_equal(route(f, 6, argv, &out, &errout), 0);
	assert_non_null(strstr(out, "task t1 added"));
	assert_string_equal(errout, "");
	assert_false(host_lock_held(f->mgr->db));
	assert_null(f->mgr->host);
	assert_state(f, 1, "gone");	/* not through a row */
	free(out);
	free(errout);
}

/* A daemon host: the command goes through a row; its answer is printed. */
static void
test_route_through_host(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "pause", "x", NULL }, *out, *errout;

	spawn_host(f, ENGINE_KIND_DAEMON, HOST_ECHO, 0);
	assert_int_equal(route(f, 3, argv, &out, &errout), 7);
	assert_string_equal(out, "[\"task\",\"pause\",\"x\"]");
	assert_non_null(strstr(errout, "json=0 pid="));
	assert_int_equal(reap_host(f), 0);
	free(out);
	free(errout);
}

/* A short-lived CLI host takes no commands: wait for it, then give up
 * naming the holder. */
static void
test_route_busy(void **state)
{
	struct fixture *f = *state;
	char *argv[] = { "task", "pause", "x", NULL }, *out, *errout, *want;

	spawn_host(f, ENGINE_KIND_CLI, HOST_HOLD, 3000);
	setenv("MANAGER_COMMAND_TIMEOUT", "0.3", 1);
	assert_int_equal(route(f, 3, argv, &out, &errout), 4);
	want = xasprintf("manager: %s: the engine lock stayed held for 0.3 s by "
	    "pid %d (cli), which takes no commands; try again\n", f->db,
	    (int)f->child);
	assert_string_equal(errout, want);
	assert_string_equal(out, "");
	assert_state(f, 1, "gone");	/* never submitted to a CLI host */
	free(want);
	free(out);
	free(errout);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_command_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_keeps_a_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_carries_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_answers_for_the_dead, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_submit_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_without_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submit_host_gone_before, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_submit_host_gone_during, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_submit_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_command_timeout_setting, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_route_locally, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_through_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
