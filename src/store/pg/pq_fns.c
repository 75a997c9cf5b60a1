/* pq_fns.c - libpq, opened with dlopen by the first PostgreSQL database
 * the process opens (pq_fns.h says why).
 *
 * The table is the one piece of process-wide state of the backend: it is
 * written once, under dlsyms_load's lock, before anything reads it, and only
 * read after, like the loader's own table of a linked library's symbols
 * that it replaces.  Holding it per connection would need the connection
 * at every call, where libpq's own results (PQclear, PQgetvalue) are
 * used without one. */
#define PQ_FNS_TABLE_ONLY
#include "i18n.h"
#include "pq_fns.h"
#include "dlsyms.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct dlsyms_lib pq_lib = DLSYMS_LIB_INIT;
static struct pq_fns pq_table;

#define PQ_FNS_SLOT(name) { #name, offsetof(struct pq_fns, name) },
static const struct dlsym_slot pq_slots[] = {
	PQ_FNS_EACH(PQ_FNS_SLOT)
};
#undef PQ_FNS_SLOT

static int
pq_lib_load(void)
{
	return dlsyms_load(&pq_lib, PQ_FNS_LIBPQ, pq_slots,
	    sizeof pq_slots / sizeof pq_slots[0], &pq_table);
}

/* The end of a password's value in a connection string from s: a quoted
 * value ends at its closing quote, any other at a space. */
static const char *
pq_value_end(const char *s)
{
	if (*s != '\'')
		return s + strcspn(s, " \t\n");
	for (s++; *s != '\0' && *s != '\''; s++)
		if (*s == '\\' && s[1] != '\0')
			s++;
	return *s == '\'' ? s + 1 : s;
}

/* `where` without its password, for the message of a libpq that cannot be
 * loaded (pg_label needs libpq to parse it): a URL's ":password@" and its
 * "password=" parameter, a keyword string's "password=...". */
static char *
pq_where_label(const char *where)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = where, *at, *colon, *slash, *p;
	int url = strncmp(where, "postgres://", 11) == 0 ||
	    strncmp(where, "postgresql://", 13) == 0;

	if (url) {
		s = strstr(where, "://") + 3;
		slash = s + strcspn(s, "/?");
		at = memchr(s, '@', (size_t)(slash - s));
		colon = at != NULL ? memchr(s, ':', (size_t)(at - s)) : NULL;
		strbuf_addf(&sb, "%.*s", (int)((colon ? colon : s) - where),
		    where);
		s = colon != NULL ? at : s;
	}
	/* Each parameter whose keyword ends in "password" (sslpassword
	 * too) goes whole, with the separator after it. */
	while ((p = strstr(s, "password=")) != NULL) {
		const char *k = p;

		while (k > s && strchr(" \t\n?&", k[-1]) == NULL)
			k--;
		strbuf_addf(&sb, "%.*s", (int)(k - s), s);
		s = url ? p + 9 + strcspn(p + 9, "&") : pq_value_end(p + 9);
		s += strspn(s, url ? "&" : " \t\n");
	}
	strbuf_addf(&sb, "%s", s);
	while (sb.len > 0 && strchr(" \t\n?&", sb.buf[sb.len - 1]) != NULL)
		sb.buf[--sb.len] = '\0';
	return strbuf_detach(&sb);
}

int
pq_fns_load(const char *where, struct mgr_error *err)
{
	char *label;

	if (pq_lib_load() == 0)
		return 0;
	label = pq_where_label(where);
	mgr_error_set(err, MGR_EDB, _("cannot load %s for the PostgreSQL "
	    "database %s: %s"), PQ_FNS_LIBPQ, label, pq_lib.why);
	free(label);
	return MGR_EDB;
}

const struct pq_fns *
pq_fns(void)
{
	return &pq_table;
}
