/* json_flat.c - a flat JSON object as "NAME=VALUE" fields (json_flat.h).
 * Anything this reader is not sure of is left to jansson (-1), so that
 * both give the same fields for every text this one accepts. */
#include "json_flat.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* A string at p (its opening quote) into sb; the text after its closing
 * quote, or NULL.  \u escapes and bytes outside printable ASCII are
 * left to jansson (its UTF-8 checks and its refusal of \u0000). */
static const char *
read_string(const char *p, struct strbuf *sb)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (*p++ != '"')
		return NULL;
	for (;;) {
		const char *run = p;
		while ((unsigned char)*p >= 0x20 && (unsigned char)*p <= 0x7e &&
		    *p != '"' && *p != '\\')
			p++;
		strbuf_add(sb, run, (size_t)(p - run));
		if (*p == '"')
			return p + 1;
		if (*p != '\\' || *++p == '\0' || (e = strchr(from, *p)) == NULL)
			return NULL;
		strbuf_add(sb, &to[e - from], 1);
		p++;
	}
}

/* An integer at p into sb as jansson prints it ("%lld"); the text after
 * it, or NULL (a real, an exponent, a leading zero, out of range). */
static const char *
read_integer(const char *p, struct strbuf *sb)
{
	const char *d = *p == '-' ? p + 1 : p;
	char *end, buf[32];
	long long v;

	if (*d < '0' || *d > '9' || (d[0] == '0' && d[1] >= '0' && d[1] <= '9'))
		return NULL;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno != 0 || *end == '.' || *end == 'e' || *end == 'E')
		return NULL;
	strbuf_add(sb, buf, fmt_int64(buf, v));
	return end;
}

/* 1 when "NAME=" (name's bytes, n of them, and '=') already leads one
 * of f: jansson keeps one value for a name given twice. */
static int
has_name(char *const *f, const char *name, size_t n)
{
	for (size_t i = 0; f != NULL && f[i] != NULL; i++)
		if (strncmp(f[i], name, n) == 0 && f[i][n] == '=')
			return 1;
	return 0;
}

int
json_flat_fields(const char *json, char ***fields)
{
	struct strbuf sb = { 0 };
	const char *p = skip_ws(json);
	char **f = NULL;
	size_t name_len;

	if (*p++ != '{')
		return -1;
	p = skip_ws(p);
	while (*p != '}') {
		sb.len = 0;
		if ((p = read_string(p, &sb)) == NULL || sb.len == 0 ||
		    memchr(sb.buf, '=', sb.len) != NULL ||
		    *(p = skip_ws(p)) != ':')
			goto other;
		name_len = sb.len;
		strbuf_add(&sb, "=", 1);
		p = skip_ws(p + 1);
		p = *p == '"' ? read_string(p, &sb) : read_integer(p, &sb);
		if (p == NULL || has_name(f, sb.buf, name_len))
			goto other;
		f = strv_push(f, sb.buf);
		p = skip_ws(p);
		if (*p == ',') {
			if (*(p = skip_ws(p + 1)) != '"')
				goto other;	/* a trailing comma */
		} else if (*p != '}')
			goto other;
	}
	if (*skip_ws(p + 1) != '\0')
		goto other;
	free(sb.buf);
	*fields = f;
	return 0;
other:
	free(sb.buf);
	strv_free(f);
	return -1;
}
