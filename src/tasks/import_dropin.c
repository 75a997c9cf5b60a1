/* import_dropin.c - where systemd finds a unit and its drop-ins: a
 * unit given by name is looked up in the unit search path; its drop-in
 * folders (NAME.d, the template's, the dash prefixes', TYPE.d) in the
 * unit's own folder, or in each folder of the search path for a unit
 * given by name; their .conf files are read after the unit in the
 * lexicographic order of their names, the first folder holding a name
 * hiding the others' (a link to /dev/null hides it and is not read), as
 * systemd.unit(5) and src/shared/dropin.c do. */
#include "i18n.h"
#include "import.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The system manager's search path, highest priority first (systemd
 * 252, lookup_paths_init; Debian keeps units in /lib as well). */
static const char *const default_path[] = {
	"/etc/systemd/system.control", "/run/systemd/system.control",
	"/run/systemd/transient", "/run/systemd/generator.early",
	"/etc/systemd/system", "/etc/systemd/system.attached",
	"/run/systemd/system", "/run/systemd/system.attached",
	"/run/systemd/generator", "/usr/local/lib/systemd/system",
	"/usr/lib/systemd/system", "/lib/systemd/system",
	"/run/systemd/generator.late", NULL
};

char **
unit_search_path(void)
{
	const char *env = getenv("SYSTEMD_UNIT_PATH");
	char **v = NULL;
	size_t len;

	if (env != NULL && *env != '\0') {
		char *copy = xstrdup(env), *save = NULL;
		for (char *d = strtok_r(copy, ":", &save); d != NULL;
		    d = strtok_r(NULL, ":", &save))
			v = strv_push(v, d);
		free(copy);
		len = strlen(env);
		if (env[len - 1] != ':')	/* a trailing ':' adds the default */
			return v;
	}
	for (size_t i = 0; default_path[i] != NULL; i++)
		v = strv_push(v, default_path[i]);
	return v;
}

char *
unit_find(char *const *dirs, const char *name)
{
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++) {
		char *p = xasprintf("%s/%s", dirs[i], name);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* The drop-in folders' names for unit `name`, most specific first:
 * NAME.d, TEMPLATE@.TYPE.d, then the dash prefixes (foo-bar-.TYPE.d,
 * foo-.TYPE.d) and TYPE.d (unit_file_find_dirs). */
static char **
dropin_names(const char *name)
{
	const char *dot = strrchr(name, '.'), *at = strchr(name, '@');
	char **v = NULL, *s;

	if (dot == NULL || dot == name)
		return strv_push(NULL, name);
	s = xasprintf("%s.d", name);
	v = strv_push(v, s);
	free(s);
	if (at != NULL && at + 1 < dot) {	/* an instance: its template */
		s = xasprintf("%.*s%s.d", (int)(at - name + 1), name, dot);
		v = strv_push(v, s);
		free(s);
	}
	/* The prefixes end at a dash of the name before any '@'. */
	for (const char *d = (at != NULL ? at : dot) - 1; d > name; d--) {
		if (*d != '-')
			continue;
		s = xasprintf("%.*s%s.d", (int)(d - name + 1), name, dot);
		v = strv_push(v, s);
		free(s);
	}
	s = xasprintf("%s.d", dot + 1);
	v = strv_push(v, s);
	free(s);
	return v;
}

struct dropin {
	char *name;		/* "10-x.conf" */
	char *path;		/* NULL: masked */
};

static int
dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name,
	    ((const struct dropin *)b)->name);
}

/* Adds the .conf files of dir not already named by an earlier folder. */
static void
dropin_scan(const char *dir, struct dropin **v, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name), i;
		char *path, real[4096];
		ssize_t rl;

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0 ||
		    de->d_name[0] == '.')
			continue;
		for (i = 0; i < *n && strcmp((*v)[i].name, de->d_name) != 0; i++)
			;
		if (i < *n)
			continue;	/* a folder of higher priority has it */
		path = xasprintf("%s/%s", dir, de->d_name);
		rl = readlink(path, real, sizeof real - 1);
		if (rl >= 0)
			real[rl] = '\0';
		if (rl >= 0 && strcmp(real, "/dev/null") == 0) {
			free(path);	/* masked: hides the name, read nothing */
			path = NULL;
		}
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = (struct dropin){ xstrdup(de->d_name), path };
	}
	closedir(d);
}

/* Appends the entries of drop-in `path` to u, each naming its file. */
static int
dropin_merge(struct import_set *s, const char *path, struct unit_file *u)
{
	struct mgr_error err = { 0 };
	struct unit_file d;
	char *text = NULL;
	int rc;

	if ((rc = read_file(path, &text, NULL, &err)) == 0)
		rc = unit_file_parse(text, path, &d, &err);
	free(text);
	if (rc != 0) {
		import_reject(s, NULL, "%s", err.msg);	/* names path */
		return rc;
	}
	u->v = xrealloc(u->v, (u->n + d.n) * sizeof *u->v);
	for (size_t i = 0; i < d.n; i++) {
		u->v[u->n] = d.v[i];
		u->v[u->n++].file = xstrdup(path);
	}
	d.n = 0;
	unit_file_clear(&d);
	return 0;
}

int
unit_read_dropins(struct import_set *s, char *const *dirs, const char *name,
		  struct unit_file *u)
{
	char **names = dropin_names(name);
	struct dropin *v = NULL;
	size_t n = 0;
	int rc = 0;

	/* Folder by folder in priority order, each folder's names from the
	 * most specific: the first to hold a file name keeps it. */
	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
		for (size_t j = 0; names[j] != NULL; j++) {
			char *dir = xasprintf("%s/%s", dirs[i], names[j]);
			dropin_scan(dir, &v, &n);
			free(dir);
		}
	sort_array(v, n, sizeof *v, dropin_cmp);	/* takes an empty list */
	for (size_t i = 0; i < n; i++) {
		if (rc == 0 && v[i].path != NULL)
			rc = dropin_merge(s, v[i].path, u);
		free(v[i].name);
		free(v[i].path);
	}
	free(v);
	strv_free(names);
	return rc;
}
