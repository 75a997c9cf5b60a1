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

/* Task files are re-read into the running scheduler: tasks that did not
 * change keep their schedule and state. */
static int
reload_subsystems(struct mgr *mgr, const struct mgr_conf *old,
		  struct mgr_error *err)
{
	reload_api(mgr, old);
	return scheduler_reload_files(mgr, err);
}

int
engine_reload(struct mgr *mgr, struct mgr_error *err)
{
	struct mgr_conf *conf, *old;
	struct conf_origin *origins;
	size_t norigins;
	int rc;

	notify_state("RELOADING=1");
	if ((rc = reload_conf(mgr, &conf, &origins, &norigins, err)) != 0) {
		struct mgr_error lerr = { 0 };

		/* logrotate's SIGHUP must move the log even when the new
		 * configuration is broken. */
		if (log_reopen(&mgr->log, &lerr) != 0)
			log_error(&mgr->log, _("reopening the log: %s"), lerr.msg);
		notify_state("READY=1");
		return rc;
	}
	old = mgr->conf;
	mgr->conf = conf;
	conf_origins_free(mgr->origins, mgr->norigins);
	mgr->origins = origins;
	mgr->norigins = norigins;
	reload_reopen_log(mgr);
	rc = reload_subsystems(mgr, old, err);
	conf_free(old);
	notify_state("READY=1");
	if (rc == 0)
		log_info(&mgr->log, "configuration reloaded from %s",
		    mgr->conf->file != NULL ? mgr->conf->file : _("built-in defaults"));
	return rc;
}
