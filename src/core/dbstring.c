/* dbstring.c - a database setting: a file or a server (dbstring.h). */
#include "dbstring.h"
#include "util.h"

#include <string.h>

/* A file path never has "word=" before its first '/', so a first word
 * of lower-case letters and '_' followed by '=' starts a connection
 * string ("host=/run/postgresql dbname=manager"). */
int
db_string_is_server(const char *s)
{
	size_t word;

	if (s == NULL)
		return 0;
	if (strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0)
		return 1;
	word = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
	return word > 0 && s[word] == '=';
}

int
db_string_local_stem(const char *s, const char *data_dir, char **out,
		     struct mgr_error *err)
{
	char sum[65];
	int rc;

	*out = NULL;
	if (!db_string_is_server(s)) {
		*out = xstrdup(s);
		return 0;
	}
	if ((rc = mkdir_p(data_dir, 0700, 0, err)) != 0)
		return rc;
	sha256_hex(s, strlen(s), sum);
	*out = xasprintf("%s/postgresql-%.16s", data_dir, sum);
	return 0;
}
