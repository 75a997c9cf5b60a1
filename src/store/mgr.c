/* mgr.c - the engine context: configuration, log, database. */
#include "i18n.h"
#include "dbstring.h"
#include "manager.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
mgr_open(const struct conf_source *src, struct mgr **out, struct mgr_error *err)
{
	struct mgr *mgr = xcalloc(1, sizeof *mgr);
	enum log_level level = LOG_LVL_INFO;
	int rc;

	rc = conf_load(src, &mgr->conf, &mgr->origins, &mgr->norigins, err);
	if (rc != 0) {
		free(mgr);
		return rc;
	}
	log_level_parse(mgr->conf->log_level, &level);
	if ((rc = log_open(&mgr->log, level, mgr->conf->log_file, err)) != 0) {
		mgr_close(mgr);
		return rc;
	}
	*out = mgr;
	return 0;
}

int
mgr_open_db(struct mgr *mgr, struct mgr_error *err)
{
	int rc;

	if (mgr->db != NULL)
		return 0;
	if ((rc = db_open(mgr->conf->database, &mgr->db, err)) != 0)
		return rc;
	/* What a crash left of an install, uninstall, restore or snapshot
	 * is settled (a folder swap finished or undone, staging folders and
	 * snapshot files without a row removed) before any command looks at
	 * plugins; what a live process still holds is left alone. */
	if (mgr->recover != NULL)
		mgr->recover(mgr);
	return 0;
}

int
mgr_open_db_or_empty(struct mgr *mgr, struct mgr_error *err)
{
	if (mgr->db != NULL)
		return 0;
	if (db_string_is_server(mgr->conf->database) ||
	    access(mgr->conf->database, F_OK) == 0 || errno != ENOENT)
		return mgr_open_db(mgr, err);
	/* Nothing to recover in it: no mgr->recover. */
	return db_open(DB_MEMORY, &mgr->db, err);
}

void
mgr_close(struct mgr *mgr)
{
	if (mgr == NULL)
		return;
	if (mgr->funcs_memo_free != NULL)
		mgr->funcs_memo_free(mgr->funcs_memo);
	db_close(mgr->db);
	log_close(&mgr->log);
	conf_origins_free(mgr->origins, mgr->norigins);
	conf_free(mgr->conf);
	free(mgr);
}

int
mgr_event(struct mgr *mgr, const char *kind, const char *subject,
	  struct mgr_error *err, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int rc;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	log_info(&mgr->log, "%s %s: %s", kind, subject != NULL ? subject : "", msg);
	rc = event_store_add(mgr->db, kind, subject, msg, err);
	free(msg);
	return rc;
}
