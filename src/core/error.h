/* error.h - error codes and messages.
 *
 * A function that can fail returns 0 (MGR_OK) or a negative MGR_E* code and
 * fills a struct mgr_error whose message names the input at fault (file and
 * line, field, value).  Library code never prints and never exits: the CLI,
 * the console and the HTTP API decide how to show an error.
 */
#ifndef MGR_ERROR_H
#define MGR_ERROR_H

#include <stdarg.h>

enum mgr_code {
	MGR_OK = 0,
	MGR_EINVAL = -1,	/* bad input: config, manifest, trigger, body */
	MGR_ENOENT = -2,	/* unknown id, missing file */
	MGR_EEXIST = -3,	/* id already taken */
	MGR_EIO = -4,		/* file system or system call failure */
	MGR_EDB = -5,		/* SQLite failure */
	MGR_ENOMEM = -6,
	MGR_ECONFLICT = -7,	/* state forbids it: dependents, running */
	MGR_EVERSION = -8,	/* schema or ABI version mismatch */
	MGR_EPLUGIN = -9,	/* foreign code misbehaved: crash, hang */
	MGR_ETIMEOUT = -10,
	MGR_EBUSY = -11,	/* another host holds the lock */
	MGR_EUNSAFE = -12,	/* archive entry escapes staging, bomb */
};

#define MGR_ERROR_MAX 1024

struct mgr_error {
	int code;
	char msg[MGR_ERROR_MAX];
};

/* Sets err (if not NULL) and returns code, so callers can write
 * `return mgr_error_set(err, MGR_EINVAL, _("..."), ...);`. */
int mgr_error_set(struct mgr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int mgr_error_vset(struct mgr_error *err, int code, const char *fmt,
		   va_list ap) __attribute__((format(printf, 3, 0)));
/* Prepends "prefix: " to an existing message (context from a caller). */
int mgr_error_prefix(struct mgr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mgr_error_clear(struct mgr_error *err);
/* Short, translated name of a code ("invalid input", "not found"...). */
const char *mgr_code_name(int code);
/* Process exit status for a code: 0 ok, 1 failure, 3 not found, 4 conflict. */
int mgr_code_exit_status(int code);

#endif
