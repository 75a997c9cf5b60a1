/* version.c - semantic versions and npm/cargo-style constraints. */
#include "i18n.h"
#include "version.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
version_number(const char **p, long *out)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	if ((*p)[0] == '0' && isdigit((unsigned char)(*p)[1]))
		return -1;	/* no leading zeros */
	errno = 0;
	*out = strtol(*p, &end, 10);
	if (errno != 0 || *out < 0)
		return -1;
	*p = end;
	return 0;
}

static int
version_ident_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	return s[0] != '.' && s[n - 1] != '.' && strstr(s, "..") == NULL;
}

static int
version_bad(struct mgr_error *err, const char *text)
{
	return mgr_error_set(err, MGR_EINVAL, _("\"%s\" is not a semantic "
	    "version (MAJOR.MINOR.PATCH, e.g. 1.2.0)"), text);
}

int
version_parse(const char *text, int allow_partial, struct semver *out,
	      struct mgr_error *err)
{
	const char *p = text;
	long *parts[3] = { &out->major, &out->minor, &out->patch };
	size_t n;

	memset(out, 0, sizeof *out);
	for (out->parts = 0; out->parts < 3; ) {
		if (version_number(&p, parts[out->parts]) != 0)
			return version_bad(err, text);
		out->parts++;
		if (*p != '.')
			break;
		p++;
	}
	if (out->parts < 3 && !allow_partial)
		return version_bad(err, text);
	if (*p == '-') {
		n = strcspn(++p, "+");
		if (!version_ident_ok(p, n) || n >= sizeof out->pre)
			return version_bad(err, text);
		memcpy(out->pre, p, n);
		p += n;
	}
	if (*p == '+') {
		p++;
		if (!version_ident_ok(p, strlen(p)))
			return version_bad(err, text);
		p += strlen(p);
	}
	if (*p != '\0')
		return version_bad(err, text);
	return 0;
}

/* Pre-release identifiers: numeric ones compare as numbers and sort
 * before alphanumeric ones. */
static int
version_pre_cmp(const char *a, const char *b)
{
	if (*a == '\0' || *b == '\0')
		return (*a == '\0') - (*b == '\0');	/* release > pre */
	while (*a != '\0' && *b != '\0') {
		size_t na = strcspn(a, "."), nb = strcspn(b, ".");
		int da = strspn(a, "0123456789") == na;
		int db = strspn(b, "0123456789") == nb;
		int c;

		if (da && db) {
			long x = strtol(a, NULL, 10), y = strtol(b, NULL, 10);
			c = (x > y) - (x < y);
		} else if (da != db)
			c = da ? -1 : 1;
		else {
			c = strncmp(a, b, na < nb ? na : nb);
			if (c == 0)
				c = (na > nb) - (na < nb);
		}
		if (c != 0)
			return c;
		a += na + (a[na] == '.');
		b += nb + (b[nb] == '.');
	}
	return (*a != '\0') - (*b != '\0');
}

int
version_cmp(const struct semver *a, const struct semver *b)
{
	if (a->major != b->major)
		return a->major < b->major ? -1 : 1;
	if (a->minor != b->minor)
		return a->minor < b->minor ? -1 : 1;
	if (a->patch != b->patch)
		return a->patch < b->patch ? -1 : 1;
	return version_pre_cmp(a->pre, b->pre);
}

int
version_cmp_text(const char *a, const char *b)
{
	struct semver x, y;

	if (version_parse(a, 1, &x, NULL) != 0 || version_parse(b, 1, &y, NULL) != 0)
		return strcmp(a, b);
	return version_cmp(&x, &y);
}

static const struct {
	const char *text;
	enum version_op op;
} version_ops[] = {
	{ ">=", VOP_GE }, { "<=", VOP_LE }, { "==", VOP_EQ }, { ">", VOP_GT },
	{ "<", VOP_LT }, { "=", VOP_EQ }, { "^", VOP_CARET }, { "~", VOP_TILDE },
};

int
constraint_parse(const char *text, struct vconstraint *out,
		 struct mgr_error *err)
{
	const char *p = text;
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || strcmp(p, "*") == 0) {
		out->op = VOP_ANY;
		return 0;
	}
	out->op = VOP_EQ;
	for (i = 0; i < sizeof version_ops / sizeof version_ops[0]; i++) {
		size_t n = strlen(version_ops[i].text);
		if (strncmp(p, version_ops[i].text, n) == 0) {
			out->op = version_ops[i].op;
			p += n;
			break;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return mgr_error_set(err, MGR_EINVAL, _("constraint \"%s\": a "
		    "version must follow the operator (e.g. >= 1.2)"), text);
	if ((rc = version_parse(p, 1, &out->v, err)) != 0)
		return mgr_error_prefix(err, _("constraint \"%s\""), text);
	return 0;
}

/* The exclusive upper bound of ^, ~ and a partial =. */
static struct semver
constraint_upper(const struct vconstraint *c)
{
	const struct semver *v = &c->v;
	struct semver u = { 0 };

	if (c->op == VOP_CARET) {
		if (v->major > 0 || v->parts == 1)
			u.major = v->major + 1;		/* ^1.2.3, ^0 */
		else if (v->minor > 0 || v->parts == 2)
			u.minor = v->minor + 1;		/* ^0.2.3, ^0.0 */
		else
			u.patch = v->patch + 1;		/* ^0.0.3 */
	} else if (v->parts == 1)
		u.major = v->major + 1;			/* ~1, =1 */
	else {
		u.major = v->major;			/* ~1.2.3, ~1.2, =1.2 */
		u.minor = v->minor + 1;
	}
	return u;
}

int
constraint_match(const struct vconstraint *c, const struct semver *v)
{
	int cmp = version_cmp(v, &c->v);
	struct semver upper, plain;

	/* As npm: a pre-release matches only a constraint naming a
	 * pre-release of the same MAJOR.MINOR.PATCH, so "*" and "^1.2" never
	 * pick 1.3.0-rc.1 over a release. */
	if (v->pre[0] != '\0' && (c->op == VOP_ANY || c->v.pre[0] == '\0' ||
	    c->v.major != v->major || c->v.minor != v->minor ||
	    c->v.patch != v->patch))
		return 0;
	switch (c->op) {
	case VOP_ANY:	return 1;
	case VOP_GT:	return cmp > 0;
	case VOP_GE:	return cmp >= 0;
	case VOP_LT:	return cmp < 0;
	case VOP_LE:	return cmp <= 0;
	case VOP_EQ:
		if (c->v.parts == 3)
			return cmp == 0;
		/* FALLTHROUGH */
	case VOP_CARET:
	case VOP_TILDE:
		/* A pre-release of the bound is outside the range (npm):
		 * ^1.2 does not accept 2.0.0-rc.1. */
		upper = constraint_upper(c);
		plain = *v;
		plain.pre[0] = '\0';
		return cmp >= 0 && version_cmp(&plain, &upper) < 0;
	}
	return 0;
}

void
constraint_format(const struct vconstraint *c, char *buf, size_t size)
{
	static const char *const names[] = { "*", "=", ">", ">=", "<", "<=",
	    "^", "~" };
	const struct semver *v = &c->v;

	if (c->op == VOP_ANY) {
		snprintf(buf, size, "*");
		return;
	}
	if (v->parts == 1)
		snprintf(buf, size, "%s %ld", names[c->op], v->major);
	else if (v->parts == 2)
		snprintf(buf, size, "%s %ld.%ld", names[c->op], v->major, v->minor);
	else
		snprintf(buf, size, "%s %ld.%ld.%ld%s%s", names[c->op], v->major,
		    v->minor, v->patch, v->pre[0] != '\0' ? "-" : "", v->pre);
}

int
plugin_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > 64 || !(islower((unsigned char)id[0]) ||
	    isdigit((unsigned char)id[0])))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(islower((unsigned char)id[i]) || isdigit((unsigned char)id[i]) ||
		    id[i] == '_' || id[i] == '-'))
			return 0;
	return 1;
}

int
dep_parse(const char *text, struct dep_spec *out, struct mgr_error *err)
{
	const char *p = text, *rest;
	size_t n;

	memset(out, 0, sizeof *out);
	while (isspace((unsigned char)*p))
		p++;
	n = strcspn(p, " \t@<>=^~");
	if (n == 0 || n >= sizeof out->id)
		return mgr_error_set(err, MGR_EINVAL, _("dependency \"%s\": "
		    "expected \"ID [OP VERSION]\""), text);
	memcpy(out->id, p, n);
	if (!plugin_id_valid(out->id))
		return mgr_error_set(err, MGR_EINVAL, _("dependency \"%s\": "
		    "\"%s\" is not a valid plugin id"), text, out->id);
	rest = p + n;
	while (isspace((unsigned char)*rest) || *rest == '@')
		rest++;
	if (strlen(rest) >= sizeof out->text)
		return mgr_error_set(err, MGR_EINVAL, _("dependency \"%s\": "
		    "constraint too long"), text);
	snprintf(out->text, sizeof out->text, "%s", rest);
	if (constraint_parse(rest, &out->c, err) != 0)
		return mgr_error_prefix(err, _("dependency \"%s\""), text);
	return 0;
}
