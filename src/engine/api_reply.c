/* api_reply.c - the HTTP API's answers: FastAPI's error shapes, one form
 * of times and durations, pages of lists.
 */
#include "i18n.h"
#include "api.h"
#include "api_routes.h"
#include "cmd.h"
#include "error.h"
#include "timefmt.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- errors ---- */

static void
reply_body(struct api_call *call, int status, char *body)
{
	free(call->body_out);
	call->status = status;
	call->body_out = body;
}

void
api_reply_json(struct api_call *call, int status, json_t *o)
{
	char *text;

	api_normalize(o);
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY) : NULL;
	json_decref(o);
	if (text == NULL) {	/* never an empty or invalid body */
		status = 500;
		text = xstrdup("{\"detail\":\"cannot encode the answer\","
		    "\"type\":\"internal_error\"}");
	}
	reply_body(call, status, text);
}

static char *
vformat(const char *fmt, va_list ap)
{
	char *msg, *safe;

	if (vasprintf(&msg, fmt, ap) < 0)
		abort();	/* as xmalloc: no memory */
	safe = utf8_sanitize(msg);	/* may quote a client's bytes */
	free(msg);
	return safe;
}

void
api_reply_error(struct api_call *call, int status, const char *type,
		const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	api_reply_json(call, status, json_pack("{s:s, s:s}", "detail", msg,
	    "type", type));
	free(msg);
}

void
api_invalid(json_t **errs, const char *where, const char *name,
	    const char *type, const char *fmt, ...)
{
	json_t *loc = json_pack("[s]", where);
	va_list ap;
	char *msg;

	/* "env.2" is ["body", "env", 2], as Pydantic says where it was. */
	for (const char *p = name; p != NULL; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		size_t len = strcspn(p, ".");
		char *seg = xstrndup(p, len), *safe = utf8_sanitize(seg), *end;
		long long n = strtoll(seg, &end, 10);

		json_array_append_new(loc, len > 0 && *end == '\0' && isdigit(
		    (unsigned char)*seg) ? json_integer(n) : json_string(safe));
		free(seg);
		free(safe);
	}
	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	if (*errs == NULL)
		*errs = json_array();
	json_array_append_new(*errs, json_pack("{s:o, s:s, s:s}", "loc", loc,
	    "msg", msg, "type", type));
	free(msg);
}

void
api_reply_invalid(struct api_call *call, json_t *errs)
{
	api_reply_json(call, 422, json_pack("{s:o}", "detail", errs));
}

/* The store's codes (mgr_code_name, translated) as stable words. */
const char *
api_error_type(const char *code_name)
{
	static const struct { int code; const char *type; } types[] = {
		{ MGR_EINVAL, "invalid_input" }, { MGR_ENOENT, "not_found" },
		{ MGR_EEXIST, "already_exists" }, { MGR_EIO, "io_error" },
		{ MGR_EDB, "database_error" }, { MGR_ENOMEM, "out_of_memory" },
		{ MGR_ECONFLICT, "conflict" }, { MGR_EVERSION, "version_mismatch" },
		{ MGR_EPLUGIN, "plugin_failure" }, { MGR_ETIMEOUT, "timed_out" },
		{ MGR_EBUSY, "busy" }, { MGR_EUNSAFE, "unsafe_input" },
	};

	for (size_t i = 0; code_name != NULL &&
	    i < sizeof types / sizeof types[0]; i++)
		if (strcmp(code_name, mgr_code_name(types[i].code)) == 0)
			return types[i].type;
	return "internal_error";
}

/* The text of a command's stderr: its JSON error's message, or the
 * usage text it printed, without the last newlines. */
static char *
failure_text(const char *errout, const char **code, json_t **o)
{
	char *text;
	size_t n;

	*o = json_loads(errout, JSON_DISABLE_EOF_CHECK, NULL);
	*code = json_string_value(json_object_get(*o, "code"));
	if (json_is_string(json_object_get(*o, "error")))
		return xstrdup(json_string_value(json_object_get(*o, "error")));
	text = xstrdup(*errout != '\0' ? errout : _("command failed"));
	n = strlen(text);
	while (n > 0 && text[n - 1] == '\n')
		text[--n] = '\0';
	return text;
}

void
api_reply_failed(struct api_call *call, int exit_status, const char *errout)
{
	const char *code, *type;
	json_t *o, *errs = NULL;
	char *text = failure_text(errout, &code, &o);
	int status = api_http_status(exit_status, code);

	type = code != NULL ? api_error_type(code) : "invalid_input";
	if (status == 400) {	/* the command refused a value: 422 */
		api_invalid(&errs, "body", NULL, type, "%s", text);
		api_reply_invalid(call, errs);
	} else
		api_reply_error(call, status, type, "%s", text);
	free(text);
	json_decref(o);
}

void
api_reply_mgr_error(struct api_call *call, const struct mgr_error *err)
{
	const char *code = mgr_code_name(err->code);
	int status = api_http_status(mgr_code_exit_status(err->code), code);
	json_t *errs = NULL;

	/* As api_reply_failed answers the command's `cmd_fail` of err. */
	if (status == 400) {
		api_invalid(&errs, "body", NULL, api_error_type(code), "%s",
		    err->msg);
		api_reply_invalid(call, errs);
	} else
		api_reply_error(call, status, api_error_type(code), "%s",
		    err->msg);
}

/* ---- one form of times and durations ---- */

/* An instant in the one form for machines (timefmt_machine_text).  The
 * commands' --json already writes its times so; this keeps the answer in
 * that form whatever a command or a plugin's hook wrote. */
static json_t *
time_ms(const char *s)
{
	char buf[TIMEFMT_ISO_MAX];

	if (timefmt_machine_text(buf, sizeof buf, s) == NULL)
		return NULL;
	return json_string(buf);
}

static int
is_duration(const char *key)
{
	static const char *const keys[] = { "duration", "user_cpu",
	    "system_cpu", NULL };

	for (size_t i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return 1;
	return 0;
}

/* A cron field "4" is the number 4, as the client sent it. */
static void
typed_trigger_args(json_t *args)
{
	const char *key;
	json_t *v;

	json_object_foreach(args, key, v) {
		const char *s = json_string_value(v);
		char *end;
		long long n;

		if (s == NULL || !(isdigit((unsigned char)s[0]) || (s[0] == '-' &&
		    isdigit((unsigned char)s[1]))) || strlen(s) > 15 ||
		    (s[0] == '0' && s[1] != '\0'))
			continue;
		n = strtoll(s, &end, 10);
		if (*end == '\0' && (s[0] != '-' || s[1] != '0'))
			json_object_set_new(args, key, json_integer(n));
	}
}

static json_t *
normalized(const char *key, json_t *v)
{
	if (json_is_string(v))
		return time_ms(json_string_value(v));
	if (json_is_real(v) && key != NULL && is_duration(key))
		return json_real(round(json_real_value(v) * 1000.0) / 1000.0);
	if (json_is_object(v) && key != NULL && strcmp(key, "trigger_args") == 0)
		typed_trigger_args(v);
	api_normalize(v);
	return NULL;
}

void
api_normalize(json_t *v)
{
	const char *key;
	json_t *item, *n;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item)
			if ((n = normalized(key, item)) != NULL)
				json_object_set_new(v, key, n);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if ((n = normalized(NULL, item)) != NULL)
				json_array_set_new(v, i, n);
	}
}

/* ---- pages ---- */

static int
query_count(struct api_call *call, const char *name, long long dflt,
	    long long min, long long max, long long *out, json_t **errs)
{
	const char *s = api_query(call, name);
	char *end;

	*out = dflt;
	if (s == NULL)
		return 0;
	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || (s[0] == '-' && min >= 0)) {
		api_invalid(errs, "query", name, "int_parsing", _("?%s=%s: expected "
		    "a whole number"), name, s);
		return -1;
	}
	if (*out < min || *out > max) {
		api_invalid(errs, "query", name, *out < min ? "greater_than_equal" :
		    "less_than_equal", _("?%s=%s: expected %lld to %lld"), name, s,
		    min, max);
		return -1;
	}
	return 0;
}

int
api_page(struct api_call *call, json_t **list)
{
	long long limit, offset;
	json_t *errs = NULL, *page;
	size_t n = json_array_size(*list);

	query_count(call, "limit", API_PAGE_DEFAULT, 0, API_PAGE_MAX, &limit,
	    &errs);
	query_count(call, "offset", 0, 0, 1LL << 40, &offset, &errs);
	if (errs != NULL) {
		api_reply_invalid(call, errs);
		return -1;
	}
	call->total = (long long)n;
	page = json_array();
	for (size_t i = (size_t)offset; i < n && limit > 0; i++, limit--)
		json_array_append(page, json_array_get(*list, i));
	json_decref(*list);
	*list = page;
	return 0;
}
