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
};

/* Parses "error", "warning", "info", "debug". */
int log_level_parse(const char *name, enum log_level *out);
const char *log_level_name(enum log_level level);
/* Opens the sinks: file is a path, "syslog", "stderr" or NULL (stderr). */
int log_open(struct mgr_log *log, enum log_level level, const char *file,
	     struct mgr_error *err);
void log_close(struct mgr_log *log);
void log_msg(struct mgr_log *log, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(struct mgr_log *log, enum log_level level, const char *fmt,
	      va_list ap) __attribute__((format(printf, 3, 0)));

#define log_error(l, ...)	log_msg((l), LOG_LVL_ERROR, __VA_ARGS__)
#define log_warning(l, ...)	log_msg((l), LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(l, ...)	log_msg((l), LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(l, ...)	log_msg((l), LOG_LVL_DEBUG, __VA_ARGS__)

#endif
