/* error.c - error codes and messages (see error.h). */
#include "i18n.h"
#include "error.h"

#include <stdio.h>
#include <string.h>

int
mgr_error_vset(struct mgr_error *err, int code, const char *fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return code;
}

int
mgr_error_set(struct mgr_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mgr_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int
mgr_error_prefix(struct mgr_error *err, const char *fmt, ...)
{
	char prefix[MGR_ERROR_MAX], old[MGR_ERROR_MAX];
	va_list ap;

	if (err == NULL)
		return MGR_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	/* Prefix first; the old message fills what room is left. */
	size_t n = strlen(prefix);
	if (n > sizeof err->msg - 3)
		n = sizeof err->msg - 3;
	memcpy(err->msg, prefix, n);
	memcpy(err->msg + n, ": ", 2);
	n += 2;
	size_t rest = strlen(old);
	if (rest > sizeof err->msg - 1 - n)
		rest = sizeof err->msg - 1 - n;
	memcpy(err->msg + n, old, rest);
	err->msg[n + rest] = '\0';
	return err->code;
}

void
mgr_error_clear(struct mgr_error *err)
{
	if (err == NULL)
		return;
	err->code = MGR_OK;
	err->msg[0] = '\0';
}

const char *
mgr_code_name(int code)
{
	switch (code) {
	case MGR_OK:		return _("success");
	case MGR_EINVAL:	return _("invalid input");
	case MGR_ENOENT:	return _("not found");
	case MGR_EEXIST:	return _("already exists");
	case MGR_EIO:		return _("input/output error");
	case MGR_EDB:		return _("database error");
	case MGR_ENOMEM:	return _("out of memory");
	case MGR_ECONFLICT:	return _("conflict");
	case MGR_EVERSION:	return _("version mismatch");
	case MGR_EPLUGIN:	return _("plugin failure");
	case MGR_ETIMEOUT:	return _("timed out");
	case MGR_EBUSY:		return _("busy");
	case MGR_EUNSAFE:	return _("unsafe input");
	}
	return _("unknown error");
}

int
mgr_code_exit_status(int code)
{
	switch (code) {
	case MGR_OK:		return 0;
	case MGR_ENOENT:	return 3;
	case MGR_ECONFLICT:
	case MGR_EEXIST:
	case MGR_EBUSY:		return 4;
	}
	return 1;
}
