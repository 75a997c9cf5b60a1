/* log.h - log levels and sinks (stderr, file, syslog). */
#ifndef MGR_LOG_H
#define MGR_LOG_H

#include <stdio.h>
#include "error.h"

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };

struct mgr_log {
	enum log_level level;
	int to_stderr;		/* write to stderr */
	int to_syslog;		/* write to syslog (openlog done by log_open) */
	FILE *file;		/* log_file, or NULL */
	char *file_path;	/* its path, reopened by log_reopen */
	char *stderr_path;	/* fd 2 was pointed at this file (a detached
				 * daemon's default log): log_reopen too */
	int journal;		/* stderr is systemd's journal: lines carry a
				 * <N> priority, no time stamp or pid */
};

/* Parses "error", "warning", "info", "debug". */
int log_level_parse(const char *name, enum log_level *out);
const char *log_level_name(enum log_level level);
/* Opens the sinks: file is a path, "syslog", "stderr" or NULL (stderr). */
int log_open(struct mgr_log *log, enum log_level level, const char *file,
	     struct mgr_error *err);
void log_close(struct mgr_log *log);
/* Points fd 2 at the file (appending, 0600) and remembers it for
 * log_reopen. */
int log_redirect_stderr(struct mgr_log *log, const char *path,
			struct mgr_error *err);
/* Opens the log files again by their names, for logrotate's SIGHUP: the
 * log_file and the file fd 2 was redirected to.  On failure the old ones
 * stay in use. */
int log_reopen(struct mgr_log *log, struct mgr_error *err);
/* Whether fd 2 is the stream $JOURNAL_STREAM ("DEV:INODE") names. */
int log_stderr_is_journal(void);
void log_msg(struct mgr_log *log, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(struct mgr_log *log, enum log_level level, const char *fmt,
	      va_list ap) __attribute__((format(printf, 3, 0)));

#define log_error(l, ...)	log_msg((l), LOG_LVL_ERROR, __VA_ARGS__)
#define log_warning(l, ...)	log_msg((l), LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(l, ...)	log_msg((l), LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(l, ...)	log_msg((l), LOG_LVL_DEBUG, __VA_ARGS__)

#endif
