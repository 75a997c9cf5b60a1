/* reload.c - SIGHUP: the configuration and the declarative task files are
 * read again while the engine keeps running.  A broken file changes
 * nothing: the previous configuration stays in force.
 */
#include "i18n.h"
#include "api.h"
#include "engine.h"
#include "host.h"
#include "manager.h"
#include "notify.h"
#include "scheduler.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Unknown keys are warnings, not errors: they go to the log. */
static void
reload_log_warnings(struct mgr *mgr, char *text)
{
	for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
		log_warning(&mgr->log, "%s", line);
}

static int
reload_conf(struct mgr *mgr, struct mgr_conf **conf, struct conf_origin **origins,
	    size_t *norigins, struct mgr_error *err)
{
	/* Same file as at start-up; the database cannot move under a host. */
	struct conf_source src = { .config_arg = mgr->conf->file,
	    .db_arg = mgr->conf->database };
	char *warnings = NULL;
	size_t len;
	int rc;

	src.warnings = open_memstream(&warnings, &len);
	rc = conf_load(&src, conf, origins, norigins, err);
	if (src.warnings != NULL)
		fclose(src.warnings);
	if (warnings != NULL)
		reload_log_warnings(mgr, warnings);
	free(warnings);
	return rc;
}

/* Reopening follows files that logrotate moved away: the configured
 * log_file (opened again by name) and the file a detached daemon pointed
 * its stderr at, which the configuration does not name. */
static void
reload_reopen_log(struct mgr *mgr)
{
	enum log_level level = LOG_LVL_INFO;
	struct mgr_error err = { 0 }, err2 = { 0 };
	const char *sink = mgr->conf->log_file;
	char *redirected = mgr->log.stderr_path;
	int rc;

	/* A detached daemon that fell back to syslog has no stderr to return
	 * to: it stays on syslog until a log_file is configured. */
	if (sink == NULL && mgr->log.to_syslog && !mgr->log.to_stderr)
		sink = "syslog";
	log_level_parse(mgr->conf->log_level, &level);
	mgr->log.stderr_path = NULL;
	log_close(&mgr->log);
	rc = log_open(&mgr->log, level, sink, &err);
	if (redirected != NULL &&
	    log_redirect_stderr(&mgr->log, redirected, &err2) != 0)
		log_error(&mgr->log, _("reopening the log: %s"), err2.msg);
	if (rc != 0)
		log_error(&mgr->log, "%s", err.msg);
	free(redirected);
}

static int
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

int
engine_api_settings_changed(const struct mgr_conf *a, const struct mgr_conf *b)
{
	return str_differs(a->api_listen, b->api_listen) ||
	    str_differs(a->api_token, b->api_token) ||
	    str_differs(a->api_token_file, b->api_token_file) ||
	    a->api_max_body_kb != b->api_max_body_kb ||
	    a->api_connection_timeout != b->api_connection_timeout ||
	    a->api_max_connections != b->api_max_connections ||
	    a->api_max_connections_per_ip != b->api_max_connections_per_ip;
}

/* A new api group restarts the server; if the new one cannot start, the
 * error is logged and the API stays off until the next good reload. */
static void
reload_api(struct mgr *mgr, const struct mgr_conf *old)
{
	struct host *h = mgr->host;
	struct mgr_error err = { 0 };

	if (h == NULL || !h->started || h->stopping ||
	    !engine_api_settings_changed(old, mgr->conf))
		return;
	api_stop(h->api);
	h->api = NULL;
	if (api_start(mgr, &h->api, &err) != 0)
		log_error(&mgr->log, "api: %s", err.msg);
}

/* Who asked for a reload (SIGHUP, `host reload`): told once it is over. */
struct engine_reload_req {
	engine_reload_fn done;
	void *arg;
	struct engine_reload_req *next;
};

static void
reload_tell(struct engine_reload_req *q, int rc, const struct mgr_error *err)
{
	struct engine_reload_req *next;

	for (; q != NULL; q = next) {
		next = q->next;
		q->done(q->arg, rc, err);
		free(q);
	}
}

static void reload_go(struct mgr *mgr, struct engine_reload_req *q);

/* The task files are applied: the reload is over; one asked for
 * meanwhile starts now. */
static void
reload_files_over(void *arg, int rc, const struct mgr_error *err)
{
	struct mgr *mgr = arg;
	struct host *h = mgr->host;
	struct engine_reload_req *q = h->reloading, *next = h->reload_queue;
	struct mgr_error stop = { 0 };

	h->reloading = NULL;
	h->reload_queue = NULL;
	notify_state("READY=1");
	if (rc == 0)
		log_info(&mgr->log, "configuration reloaded from %s",
		    mgr->conf->file != NULL ? mgr->conf->file :
		    _("built-in defaults"));
	reload_tell(q, rc, err);
	if (next == NULL)
		return;
	if (!h->stopping) {
		if (scheduler_bulk_writing(mgr))
			h->reload_queue = next;	/* engine_reload_resume */
		else
			reload_go(mgr, next);
		return;
	}
	mgr_error_set(&stop, MGR_ECONFLICT, _("the engine is stopping: the "
	    "configuration is read again at its next start"));
	reload_tell(next, stop.code, &stop);
}

/* Reads the configuration, then the task files (off the loop: tasks
 * that did not change keep their schedule and state).  q: who asked. */
static void
reload_go(struct mgr *mgr, struct engine_reload_req *q)
{
	struct mgr_conf *conf, *old;
	struct conf_origin *origins;
	struct mgr_error err = { 0 };
	size_t norigins;
	int rc;

	notify_state("RELOADING=1");
	if ((rc = reload_conf(mgr, &conf, &origins, &norigins, &err)) != 0) {
		struct mgr_error lerr = { 0 };

		/* logrotate's SIGHUP must move the log even when the new
		 * configuration is broken. */
		if (log_reopen(&mgr->log, &lerr) != 0)
			log_error(&mgr->log, _("reopening the log: %s"), lerr.msg);
		notify_state("READY=1");
		reload_tell(q, rc, &err);
		return;
	}
	old = mgr->conf;
	mgr->conf = conf;
	conf_origins_free(mgr->origins, mgr->norigins);
	mgr->origins = origins;
	mgr->norigins = norigins;
	reload_reopen_log(mgr);
	reload_api(mgr, old);
	conf_free(old);
	mgr->host->reloading = q;
	scheduler_reload_files_start(mgr, reload_files_over, mgr);
}

void
engine_reload(struct mgr *mgr, engine_reload_fn done, void *arg)
{
	struct host *h = mgr->host;
	struct engine_reload_req *r = xcalloc(1, sizeof *r), **tail;

	r->done = done;
	r->arg = arg;
	/* A bulk command's thread reads the configuration a reload frees
	 * (and the log file it closes): the reload waits for it. */
	if (h->reloading == NULL && !scheduler_bulk_writing(mgr)) {
		reload_go(mgr, r);
		return;
	}
	/* The task files being read use the configuration: the next one
	 * waits until they are applied. */
	for (tail = &h->reload_queue; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = r;
}

void
engine_reload_resume(struct mgr *mgr)
{
	struct host *h = mgr->host;
	struct engine_reload_req *q = h->reload_queue;

	if (h->reloading != NULL || q == NULL || h->stopping)
		return;
	h->reload_queue = NULL;
	reload_go(mgr, q);
}
