/* log.c - log levels and sinks. */
#include "i18n.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static const char *const level_names[] = { "error", "warning", "info", "debug" };

int
log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return MGR_EINVAL;
}

const char *
log_level_name(enum log_level level)
{
	return level_names[level];
}

int
log_open(struct mgr_log *log, enum log_level level, const char *file,
	 struct mgr_error *err)
{
	int fd;

	memset(log, 0, sizeof *log);
	log->level = level;
	if (file == NULL || *file == '\0' || strcmp(file, "stderr") == 0) {
		log->to_stderr = 1;
		return 0;
	}
	if (strcmp(file, "syslog") == 0) {
		openlog("manager", LOG_PID, LOG_DAEMON);
		log->to_syslog = 1;
		return 0;
	}
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || (log->file = fdopen(fd, "a")) == NULL) {
		if (fd != -1)
			close(fd);
		log->to_stderr = 1;
		return mgr_error_set(err, MGR_EIO, _("log_file \"%s\": %s"),
				     file, strerror(errno));
	}
	setvbuf(log->file, NULL, _IOLBF, 0);
	return 0;
}

void
log_close(struct mgr_log *log)
{
	if (log->file != NULL)
		fclose(log->file);
	if (log->to_syslog)
		closelog();
	memset(log, 0, sizeof *log);
}

static int
syslog_priority(enum log_level level)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	return prio[level];
}

static void
log_write_stream(FILE *f, enum log_level level, const char *fmt, va_list ap)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "%s manager[%ld] %s: ", stamp, (long)getpid(),
		level_names[level]);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void
log_vmsg(struct mgr_log *log, enum log_level level, const char *fmt, va_list ap)
{
	va_list copy;

	if (log == NULL || level > log->level)
		return;
	if (log->to_syslog) {
		va_copy(copy, ap);
		vsyslog(syslog_priority(level), fmt, copy);
		va_end(copy);
	}
	if (log->file != NULL) {
		va_copy(copy, ap);
		log_write_stream(log->file, level, fmt, copy);
		va_end(copy);
	}
	if (log->to_stderr) {
		va_copy(copy, ap);
		log_write_stream(stderr, level, fmt, copy);
		va_end(copy);
	}
}

void
log_msg(struct mgr_log *log, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(log, level, fmt, ap);
	va_end(ap);
}
