/* notify_run.c - sending one notification of a run's final outcome.
 *
 * Every kind is a child process through the runner, as an exec: task
 * runs (manager-exec, the sandbox's limits, a timeout, output through
 * pipes on the loop), so a slow or failing notifier never blocks the
 * loop and its failure is only an event (`notify.failed`):
 *
 *   exec:COMMAND  the command itself, with MANAGER_EVENT, MANAGER_STATUS,
 *                 MANAGER_EXIT_CODE, MANAGER_SIGNAL, MANAGER_OUTPUT,
 *                 MANAGER_ERROR and the run's ids in its environment;
 *   mail:ADDRESS  `sendmail -t` (found on manager.task_path, /usr/sbin,
 *                 /usr/lib) reading a message with the output in its body;
 *   webhook:URL   manager-webhook (libcurl) POSTing the JSON document of
 *                 the run.
 *
 * Mail and webhooks are tried again (manager.notify_retries, 1 s, 2 s,
 * 4 s ... apart); a command is not, as it may not be safe to repeat.
 *
 * Across a crash: at least once, at most 1 + NOTIFY_MAX_STARTS times.
 * A failure notification that is lost is worse than one sent twice, so
 * a notification is owed (notify_store.h) from the transaction that
 * records its run's final outcome (the same batch of the history
 * writer) until it was delivered or given up; the mark that it was goes
 * out in the next batch, a flush (50 ms) after the delivery.  Where a
 * kill -9 of the engine lands:
 *
 *   before the run's batch commits  neither the outcome nor the
 *       notification is recorded: what the next start records for the
 *       fire time (interrupted, sched_claim.c, or run again) is what is
 *       notified then;
 *   after it, before the notifier starts  the next start sends it: once;
 *   while the notifier runs  it dies with the engine (manager-exec
 *       --parent kills its process group), and the next start sends it
 *       again: once, unless the notifier had already done its work (a
 *       webhook received, a mail queued): then twice;
 *   after the delivery, before its mark commits  sent again: twice.
 *
 * So one crash sends a notification at most twice.  To bound a crash
 * loop (an engine that dies at every start while a notification is under
 * way), each start that finds a notification owed counts it, in the
 * transaction that reads it, before sending; one owed at more than
 * NOTIFY_MAX_STARTS starts is given up as a notify.failed event.  A clean
 * stop that cuts a notification short (shutdown grace) leaves it owed
 * too, without an event: the next start sends it. */
#include "i18n.h"
#include "hooks_run.h"
#include "manager.h"
#include "notify_store.h"
#include "runner.h"
#include "sandbox.h"
#include "sched_int.h"
#include "task_context.h"
#include "task_context_store.h"
#include "task_hooks.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOTIFY_OUTPUT_MAX (32 * 1024)	/* of the excerpt sent */
#define NOTIFY_ENV_MAX (120 * 1024)	/* one variable (MAX_ARG_STRLEN) */
#define NOTIFY_MAX_STARTS 3	/* engine starts that send one owed */

struct notify_job {
	struct scheduler *s;
	struct notify_rec n;		/* what, how, about which run */
	int tries;
	ev_timer retry;
	struct notify_job *prev, *next;	/* waiting to retry */
};

static void
notify_job_free(struct notify_job *j)
{
	notify_rec_clear(&j->n);
	free(j);
}

struct notify_job *
notify_job_new(struct scheduler *s, const char *action, const char *event,
	       const struct run_rec *r)
{
	struct notify_job *j = xcalloc(1, sizeof *j);

	j->s = s;
	j->n.action = xstrdup(action);
	j->n.event = xstrdup(event);
	j->n.run = *r;
	j->n.run.log = NULL;		/* the history's, not the notice's */
	j->n.run.log_len = 0;
	j->n.run.task_id = xstrdup(r->task_id);
	j->n.run.status = xstrdup(r->status);
	j->n.run.output = r->output != NULL ? xstrndup(r->output,
	    NOTIFY_OUTPUT_MAX) : NULL;
	j->n.run.error = r->error != NULL ? xstrdup(r->error) : NULL;
	return j;
}

/* A word for exec_split: "..." with \ and " escaped. */
static void
quote_word(struct strbuf *b, const char *w)
{
	strbuf_adds(b, " \"");
	for (; *w != '\0'; w++) {
		if (*w == '"' || *w == '\\')
			strbuf_adds(b, "\\");
		strbuf_add(b, w, 1);
	}
	strbuf_adds(b, "\"");
}

static json_t *
json_int_or_null(int64_t v, int have)
{
	return have ? json_integer(v) : json_null();
}

/* The webhook's document (doc/SCHEDULER.md, "Notifications"). */
static char *
notify_body(const struct notify_job *j)
{
	const struct run_rec *r = &j->n.run;
	json_t *o = json_object();
	char *s;

	json_object_set_new(o, "task_id", json_string(r->task_id));
	json_object_set_new(o, "run_id", json_int_or_null(r->id, r->id > 0));
	json_object_set_new(o, "event", json_string(j->n.event + 3));
	json_object_set_new(o, "status", json_string(r->status));
	json_object_set_new(o, "exit_code", json_int_or_null(r->exit_code,
	    r->exit_code >= 0));
	json_object_set_new(o, "signal", json_int_or_null(r->signal,
	    r->signal > 0));
	json_object_set_new(o, "scheduled_at", task_json_time(r->scheduled_at));
	json_object_set_new(o, "started_at", task_json_time(r->started_at));
	json_object_set_new(o, "ended_at", task_json_time(r->ended_at));
	json_object_set_new(o, "attempt", json_integer(r->attempt));
	json_object_set_new(o, "output_excerpt", r->output != NULL ?
	    json_string(r->output) : json_null());
	json_object_set_new(o, "error", r->error != NULL ?
	    json_string(r->error) : json_null());
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* The mail: headers, then what the run printed. */
static char *
notify_message(const struct notify_job *j, const char *to)
{
	const struct run_rec *r = &j->n.run;
	struct strbuf b = STRBUF_INIT;

	strbuf_addf(&b, "To: %s\nSubject: manager: task %s %s", to, r->task_id,
	    r->status);
	if (r->exit_code > 0)
		strbuf_addf(&b, " (exit code %d)", r->exit_code);
	strbuf_addf(&b, "\nContent-Type: text/plain; charset=UTF-8\n\n"
	    "task:      %s\nevent:     %s\nstatus:    %s\nattempt:   %d\n",
	    r->task_id, j->n.event + 3, r->status, r->attempt);
	if (r->error != NULL)
		strbuf_addf(&b, "error:     %s\n", r->error);
	strbuf_addf(&b, "\n%s\n", r->output != NULL ? r->output : "");
	return strbuf_detach(&b);
}

static void
env_add(char ***env, const char *name, const char *value)
{
	char *kv = xasprintf("%s=%.*s", name, NOTIFY_ENV_MAX,
	    value != NULL ? value : "");

	*env = strv_push(*env, kv);
	free(kv);
}

/* What the runner runs for the action; NULL with err set when the
 * program it needs is gone. */
static char *
notify_command(struct notify_job *j, char ***env, struct mgr_error *err)
{
	struct mgr *mgr = j->s->mgr;
	struct strbuf b = STRBUF_INIT;
	char *prog, *v;

	if (strncmp(j->n.action, "exec:", 5) == 0)
		return xstrdup(j->n.action);
	if (strncmp(j->n.action, "mail:", 5) == 0) {
		if ((prog = hook_find_program(mgr, "sendmail")) == NULL) {
			mgr_error_set(err, MGR_ENOENT, _("%s: no sendmail on "
			    "manager.task_path (%s), in /usr/sbin or /usr/lib"),
			    j->n.action, mgr->conf->task_path);
			return NULL;
		}
		v = notify_message(j, j->n.action + 5);
		env_add(env, "MANAGER_MESSAGE", v);
		strbuf_adds(&b, "exec:");
		quote_word(&b, prog);
		strbuf_adds(&b, " -t");
	} else {
		prog = sandbox_helper_path("manager-webhook", "MANAGER_WEBHOOK");
		v = notify_body(j);
		env_add(env, "MANAGER_WEBHOOK_BODY", v);
		strbuf_adds(&b, "exec:");
		quote_word(&b, prog);
		strbuf_addf(&b, " --max-time=%d --", mgr->conf->notify_timeout);
		quote_word(&b, j->n.action + 8);
	}
	free(v);
	free(prog);
	return strbuf_detach(&b);
}

/* The run's environment (task_context.h, the defaults) and what it is
 * told of the run. */
static int
notify_env(struct notify_job *j, char ***env, char **workdir,
	   struct mgr_error *err)
{
	const struct run_rec *r = &j->n.run;
	struct task_run_ids ids = { .task_id = r->task_id, .run_id = r->id,
	    .scheduled_at = r->scheduled_at, .attempt = r->attempt };
	struct task_context c;
	char num[32];
	int rc;

	task_context_init(&c);
	rc = task_context_env(j->s->mgr, &c, &ids, env, workdir, err);
	task_context_clear(&c);
	if (rc != 0)
		return rc;
	env_add(env, "MANAGER_EVENT", j->n.event + 3);
	env_add(env, "MANAGER_STATUS", r->status);
	snprintf(num, sizeof num, "%d", r->exit_code);
	env_add(env, "MANAGER_EXIT_CODE", r->exit_code >= 0 ? num : "");
	snprintf(num, sizeof num, "%d", r->signal);
	env_add(env, "MANAGER_SIGNAL", r->signal > 0 ? num : "");
	env_add(env, "MANAGER_OUTPUT", r->output);
	env_add(env, "MANAGER_ERROR", r->error);
	return 0;
}

static void notify_start(struct notify_job *j);

static int
notify_retries(const struct notify_job *j)
{
	return strncmp(j->n.action, "exec:", 5) == 0 ? 0 :
	    j->s->mgr->conf->notify_retries;
}

static void
notify_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct notify_job *j = w->data;
	struct hooks_state *hs = j->s->hooks;

	(void)loop;
	(void)revents;
	if (j->prev != NULL)
		j->prev->next = j->next;
	else
		hs->waiting = j->next;
	if (j->next != NULL)
		j->next->prev = j->prev;
	notify_start(j);
}

/* j starts after delay seconds (hooks_close ends it before). */
static void
notify_wait(struct notify_job *j, double delay)
{
	struct hooks_state *hs = j->s->hooks;

	ev_timer_init(&j->retry, notify_retry_cb, delay, 0);
	j->retry.data = j;
	ev_timer_start(j->s->loop, &j->retry);
	j->next = hs->waiting;
	j->prev = NULL;
	if (hs->waiting != NULL)
		hs->waiting->prev = j;
	hs->waiting = j;
}

/* Delivered or given up: no longer owed (in the next batch). */
static void
notify_forget(struct notify_job *j)
{
	sched_note(j->s, &j->n, 1);
	notify_job_free(j);
}

/* A failure is an event; mail and webhooks are tried again first.  A
 * stop cuts it short: still owed, for the next start. */
static void
notify_failed(struct notify_job *j, const char *why)
{
	struct scheduler *s = j->s;
	struct mgr_error err = { 0 };

	if (s->hooks->closing || s->shutting_down) {
		log_info(&s->mgr->log, "task %s: %s %s: %s; sent at the next "
		    "start", j->n.run.task_id, j->n.event, j->n.action, why);
		notify_job_free(j);
		return;
	}
	if (j->tries <= notify_retries(j)) {
		log_info(&s->mgr->log, "task %s: %s %s: %s, trying again",
		    j->n.run.task_id, j->n.event, j->n.action, why);
		notify_wait(j, (double)(1 << (j->tries - 1 < 6 ? j->tries - 1 : 6)));
		return;
	}
	mgr_event(s->mgr, "notify.failed", j->n.run.task_id, &err,
	    _("%s of run %lld (%s) by %s failed: %s"), j->n.event,
	    (long long)j->n.run.id, j->n.run.status, j->n.action, why);
	notify_forget(j);
}

static void
notify_done(struct run_outcome *o, void *arg)
{
	struct notify_job *j = arg;
	struct scheduler *s = j->s;

	if (strcmp(o->status, "succeeded") == 0) {
		log_info(&s->mgr->log, "task %s: %s sent by %s", j->n.run.task_id,
		    j->n.event, j->n.action);
		notify_forget(j);
	} else {
		char *why = xasprintf("%s%s%s%s%s", o->status,
		    o->error != NULL ? ": " : "", o->error != NULL ? o->error : "",
		    o->output != NULL ? ": " : "", o->output != NULL ? o->output : "");
		notify_failed(j, why);
		free(why);
	}
	run_outcome_clear(o);
	sched_check_shutdown(s);	/* a stop may wait for this one */
}

static void
notify_start(struct notify_job *j)
{
	struct mgr *mgr = j->s->mgr;
	struct run_spec spec = { .task_id = j->n.run.task_id, .umask = -1,
	    .timeout = mgr->conf->notify_timeout + 5 };
	struct mgr_error err = { 0 };
	char **env = NULL, *workdir = NULL, *cmd = NULL;

	j->tries++;
	if (notify_env(j, &env, &workdir, &err) == 0 &&
	    (cmd = notify_command(j, &env, &err)) != NULL) {
		spec.func_path = cmd;
		spec.envp = env;
		/* mail's message and a webhook's body reach the program on
		 * its stdin: no shell pipes them, ps never shows them */
		if (strncmp(j->n.action, "mail:", 5) == 0)
			spec.stdin_env = "MANAGER_MESSAGE";
		else if (strncmp(j->n.action, "webhook:", 8) == 0)
			spec.stdin_env = "MANAGER_WEBHOOK_BODY";
		spec.workdir = workdir;
		spec.die_with_engine = 1;	/* sent again by the next start */
		if (runner_start(j->s->runner, &spec, notify_done, j, &err) == 0)
			err.msg[0] = '\0';
	}
	strv_free(env);
	free(workdir);
	free(cmd);
	if (err.msg[0] != '\0')
		notify_failed(j, err.msg);
}

/* The run's row is committed, and the notification owed with it. */
static void
notify_committed(void *arg, const char *status)
{
	struct notify_job *j = arg;
	struct mgr_error err = { 0 };

	(void)status;
	if (j->s->hooks->closing) {
		notify_job_free(j);	/* owed: the next start sends it */
		return;
	}
	if (j->n.run.id <= 0 && run_usage_store_find(j->s->mgr->db,
	    j->n.run.task_id, j->n.run.scheduled_at, j->n.run.attempt,
	    &j->n.run.id, &err) != 0)
		j->n.run.id = 0;	/* removed meanwhile: sent without an id */
	notify_start(j);
}

void
notify_job_send(struct notify_job *j)
{
	sched_note(j->s, &j->n, 0);
	sched_after_commit(j->s, notify_committed, j, j->n.run.status);
}

/* The store's transaction is open: the jobs are only gathered here. */
static void
notify_owed_cb(void *arg, struct notify_rec *n)
{
	struct notify_job **list = arg, *j = xcalloc(1, sizeof *j);

	j->n = *n;
	j->next = *list;
	*list = j;
}

void
notify_restart(struct scheduler *s)
{
	struct notify_job *list = NULL, *j, *next;
	struct mgr_error err = { 0 };

	if (notify_store_restart(s->mgr->db, notify_owed_cb, &list, &err) != 0)
		log_error(&s->mgr->log, _("notifications owed: %s"), err.msg);
	for (j = list; j != NULL; j = next) {
		next = j->next;
		j->s = s;
		if (j->n.starts > NOTIFY_MAX_STARTS) {
			mgr_event(s->mgr, "notify.failed", j->n.run.task_id, &err,
			    _("%s of run %lld (%s) by %s given up: owed at %d "
			    "engine starts (it may have been sent: each start "
			    "after a crash sends it again)"), j->n.event,
			    (long long)j->n.run.id, j->n.run.status, j->n.action,
			    j->n.starts);
			notify_forget(j);
			continue;
		}
		log_info(&s->mgr->log, "task %s: %s of run %lld owed since before "
		    "this start: sending it", j->n.run.task_id, j->n.event,
		    (long long)j->n.run.id);
		notify_wait(j, 0);	/* once the loop runs */
	}
}

void
notify_close(struct scheduler *s)
{
	struct hooks_state *hs = s->hooks;
	struct notify_job *j, *next;

	for (j = hs->waiting; j != NULL; j = next) {
		next = j->next;
		ev_timer_stop(s->loop, &j->retry);
		notify_job_free(j);
	}
	hs->waiting = NULL;
}
