/* log.c - log levels and sinks. */
#include "i18n.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
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
log_stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (v == NULL || sscanf(v, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return 0;
	return fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

static FILE *
log_file_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	FILE *f;

	if (fd == -1)
		return NULL;
	if ((f = fdopen(fd, "a")) == NULL) {
		close(fd);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int
log_open(struct mgr_log *log, enum log_level level, const char *file,
	 struct mgr_error *err)
{
	memset(log, 0, sizeof *log);
	log->level = level;
	if (file == NULL || *file == '\0' || strcmp(file, "stderr") == 0) {
		log->to_stderr = 1;
		log->journal = log_stderr_is_journal();
		return 0;
	}
	if (strcmp(file, "syslog") == 0) {
		openlog("manager", LOG_PID, LOG_DAEMON);
		log->to_syslog = 1;
		return 0;
	}
	if ((log->file = log_file_open(file)) == NULL) {
		log->to_stderr = 1;
		log->journal = log_stderr_is_journal();
		return mgr_error_set(err, MGR_EIO, _("log_file \"%s\": %s"),
				     file, strerror(errno));
	}
	log->file_path = strdup(file);
	return 0;
}

void
log_close(struct mgr_log *log)
{
	if (log->file != NULL)
		fclose(log->file);
	if (log->to_syslog)
		closelog();
	free(log->file_path);
	free(log->stderr_path);
	memset(log, 0, sizeof *log);
}

static int
redirect_fd2(const char *path, struct mgr_error *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);

	if (fd == -1 || fchmod(fd, 0600) != 0 ||
	    (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) == -1)) {
		int e = errno;
		if (fd != -1)
			close(fd);
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(e));
	}
	if (fd != STDERR_FILENO)
		close(fd);
	return 0;
}

int
log_redirect_stderr(struct mgr_log *log, const char *path,
		    struct mgr_error *err)
{
	char *copy = strdup(path);

	if (copy == NULL)
		return mgr_error_set(err, MGR_ENOMEM, _("out of memory"));
	if (redirect_fd2(path, err) != 0) {
		free(copy);
		return err != NULL ? err->code : MGR_EIO;
	}
	free(log->stderr_path);
	log->stderr_path = copy;
	log->journal = 0;
	return 0;
}

int
log_reopen(struct mgr_log *log, struct mgr_error *err)
{
	FILE *f;

	if (log->stderr_path != NULL && redirect_fd2(log->stderr_path, err) != 0)
		return err != NULL ? err->code : MGR_EIO;
	if (log->file_path == NULL)
		return 0;
	if ((f = log_file_open(log->file_path)) == NULL)
		return mgr_error_set(err, MGR_EIO, _("log_file \"%s\": %s"),
		    log->file_path, strerror(errno));
	fclose(log->file);
	log->file = f;
	return 0;
}

static int
syslog_priority(enum log_level level)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	return prio[level];
}

/* The line is put together first and handed over in one call: on stderr,
 * which has no buffer, that is one write instead of three (stamp,
 * message, newline), so lines of threads and of processes sharing it do
 * not mix, and an API request's access line costs one system call.  A
 * line longer than the buffer still goes whole, in pieces. */
static void
log_write_stream(FILE *f, enum log_level level, const char *fmt, va_list ap)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list copy;
	int n, m;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof line, "%s manager[%ld] %s: ", stamp,
	    (long)getpid(), level_names[level]);
	va_copy(copy, ap);
	m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, copy);
	va_end(copy);
	if (m >= 0 && (size_t)n + (size_t)m + 1 < sizeof line) {
		line[n + m] = '\n';
		fwrite(line, 1, (size_t)n + (size_t)m + 1, f);
		return;
	}
	fwrite(line, 1, (size_t)n, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

/* The journal stamps the time and the pid itself and reads the level from
 * the sd-daemon prefix "<N>" (syslog priorities), so `journalctl -p err`
 * finds the errors.  One write per line: lines of threads do not mix. */
static void
log_write_journal(enum log_level level, const char *fmt, va_list ap)
{
	char line[4096];
	int n = snprintf(line, sizeof line, "<%d>", syslog_priority(level));

	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	for (char *p = line + n; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';	/* one message, one journal entry */
	strcat(line, "\n");
	fputs(line, stderr);
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
		if (log->journal)
			log_write_journal(level, fmt, copy);
		else
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
