/* archive.c - zip extraction that cannot escape its staging folder. */
#include "i18n.h"
#include "archive.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "zip_fns.h"

struct zentry {
	char *name;
	uint64_t index;
	uint64_t size;
	int is_dir;
};

/* Names: relative, no "..", no empty or "." components except a trailing
 * "/" for folders, no backslashes or control characters. */
static int
zname_check(const char *zip, const char *name, struct mgr_error *err)
{
	const char *p = name;

	if (name[0] == '\0')
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: an entry has an "
		    "empty name"), zip);
	if (name[0] == '/')
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" has an "
		    "absolute path"), zip, name);
	for (const char *c = name; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == '\\' || *c == 0x7f)
			return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" "
			    "has a backslash or control character in its name"),
			    zip, name);
	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		if ((n == 2 && strncmp(p, "..", 2) == 0))
			return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" "
			    "has a \"..\" component (it would write outside the "
			    "plugin folder)"), zip, name);
		if ((n == 0 || (n == 1 && *p == '.')) && p[n] != '\0')
			return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" "
			    "has an empty or \".\" component"), zip, name);
		p += n + (p[n] == '/');
	}
	return 0;
}

/* Regular files and folders only, by the Unix mode in the external
 * attributes (other systems' attributes carry no file type). */
static int
ztype_check(zip_t *za, const char *zip, struct zentry *e, struct mgr_error *err)
{
	zip_uint8_t opsys;
	zip_uint32_t attr;
	mode_t mode;

	e->is_dir = e->name[strlen(e->name) - 1] == '/';
	if (zip_file_get_external_attributes(za, e->index, 0, &opsys, &attr) != 0 ||
	    opsys != ZIP_OPSYS_UNIX)
		return 0;
	mode = (mode_t)(attr >> 16);
	if ((mode & S_IFMT) == 0 || (S_ISREG(mode) && !e->is_dir) ||
	    (S_ISDIR(mode) && e->is_dir))
		return 0;
	if (S_ISLNK(mode))
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" is a "
		    "symbolic link"), zip, e->name);
	if (S_ISCHR(mode) || S_ISBLK(mode) || S_ISFIFO(mode) || S_ISSOCK(mode))
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" is a "
		    "device, FIFO or socket"), zip, e->name);
	return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\": its type "
	    "does not match its name"), zip, e->name);
}

static int
zentry_cmp(const void *a, const void *b)
{
	const struct zentry *x = a, *y = b;
	size_t nx = strlen(x->name), ny = strlen(y->name);

	/* "a" and "a/" are the same path. */
	nx -= nx > 0 && x->name[nx - 1] == '/';
	ny -= ny > 0 && y->name[ny - 1] == '/';
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return memcmp(x->name, y->name, nx);
}

static int
zdup_check(const char *zip, struct zentry *v, size_t n, struct mgr_error *err)
{
	struct zentry *sorted = xmalloc((n + 1) * sizeof *sorted);
	int rc = 0;

	memcpy(sorted, v, n * sizeof *v);
	sort_array(sorted, n, sizeof *sorted, zentry_cmp);
	for (size_t i = 1; i < n && rc == 0; i++)
		if (zentry_cmp(&sorted[i - 1], &sorted[i]) == 0)
			rc = mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" "
			    "appears more than once"), zip, sorted[i].name);
	free(sorted);
	return rc;
}

static int
zstat_entry(zip_t *za, const char *zip, uint64_t i,
	    const struct archive_limits *lim, struct zentry *e, uint64_t *total,
	    struct mgr_error *err)
{
	zip_stat_t st;
	int rc;

	if (zip_stat_index(za, i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
		return mgr_error_set(err, MGR_EINVAL, _("%s: entry %llu: %s"), zip,
		    (unsigned long long)i, zip_strerror(za));
	e->name = xstrdup(st.name);
	e->index = i;
	e->size = st.size;
	if ((rc = zname_check(zip, st.name, err)) != 0 ||
	    (rc = ztype_check(za, zip, e, err)) != 0)
		return rc;
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" is "
		    "encrypted"), zip, st.name);
	*total += st.size;
	if (*total > lim->max_bytes)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: uncompressed size "
		    "exceeds the limit of %llu MiB (archive_max_mb)"), zip,
		    (unsigned long long)(lim->max_bytes >> 20));
	/* Tiny files compress absurdly well and prove nothing. */
	if (st.size > 65536 && st.size / (st.comp_size > 0 ? st.comp_size : 1) >
	    lim->max_ratio)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" "
		    "expands %llu times, past the limit of %llu "
		    "(archive_max_ratio): a zip bomb?"), zip, st.name,
		    (unsigned long long)(st.size / (st.comp_size > 0 ?
		    st.comp_size : 1)), (unsigned long long)lim->max_ratio);
	return 0;
}

/* Opens (creating 0700 as needed) the folder holding name's last
 * component, without following symlinks; returns a descriptor. */
static int
zopen_parent(int root, const char *name, const char **leaf)
{
	char *copy = xstrdup(name), *p = copy, *slash;
	int fd = dup(root);

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL && slash[1] != '\0') {
		int next;

		*slash = '\0';
		if (mkdirat(fd, p, 0700) != 0 && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*leaf = name + (p - copy);
	free(copy);
	return fd;
}

static int
zwrite_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
zcopy_data(zip_t *za, const char *zip, const struct zentry *e, int out,
	   uint64_t *written, const struct archive_limits *lim,
	   struct mgr_error *err)
{
	zip_file_t *zf = zip_fopen_index(za, e->index, 0);
	char buf[65536];
	zip_int64_t n;
	uint64_t got = 0;
	int rc = 0;

	if (zf == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: entry \"%s\": %s"), zip,
		    e->name, zip_strerror(za));
	while ((n = zip_fread(zf, buf, sizeof buf)) > 0) {
		got += (uint64_t)n;
		*written += (uint64_t)n;
		if (got > e->size || *written > lim->max_bytes) {
			rc = mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\" holds "
			    "more data than its header says"), zip, e->name);
			break;
		}
		if (zwrite_all(out, buf, (size_t)n) != 0) {
			rc = mgr_error_set(err, MGR_EIO, _("%s: writing \"%s\": %s"),
			    zip, e->name, strerror(errno));
			break;
		}
	}
	if (rc == 0 && n < 0)
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: entry \"%s\" is "
		    "corrupt: %s"), zip, e->name, zip_file_strerror(zf));
	zip_fclose(zf);
	return rc;
}

static int
zextract_entry(zip_t *za, const char *zip, int root, const struct zentry *e,
	       uint64_t *written, const struct archive_limits *lim,
	       struct mgr_error *err)
{
	const char *leaf;
	int dir = zopen_parent(root, e->name, &leaf), out, rc;

	if (dir < 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\": cannot "
		    "create its folder: %s"), zip, e->name, strerror(errno));
	if (e->is_dir) {
		char *name = xstrndup(leaf, strcspn(leaf, "/"));
		rc = 0;
		if (mkdirat(dir, name, 0700) != 0 && errno != EEXIST)
			rc = mgr_error_set(err, MGR_EIO, _("%s: entry \"%s\": %s"),
			    zip, e->name, strerror(errno));
		free(name);
		close(dir);
		return rc;
	}
	out = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	close(dir);
	if (out < 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: entry \"%s\": cannot "
		    "create: %s"), zip, e->name, strerror(errno));
	rc = zcopy_data(za, zip, e, out, written, lim, err);
	if (close(out) != 0 && rc == 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: entry \"%s\": %s"), zip,
		    e->name, strerror(errno));
	return rc;
}

static int
zcheck_all(zip_t *za, const char *zip, const struct archive_limits *lim,
	   struct zentry **out, size_t *nout, struct mgr_error *err)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	uint64_t total = 0;
	struct zentry *v;
	int rc = 0;

	if (n < 0 || (uint64_t)n > lim->max_entries)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: %lld entries, past "
		    "the limit of %llu (archive_max_entries)"), zip, (long long)n,
		    (unsigned long long)lim->max_entries);
	v = xcalloc((size_t)n + 1, sizeof *v);
	*out = v;
	for (zip_int64_t i = 0; i < n && rc == 0; i++, (*nout)++)
		rc = zstat_entry(za, zip, (uint64_t)i, lim, &v[i], &total, err);
	if (rc == 0 && n == 0)
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: the archive is empty"),
		    zip);
	if (rc == 0)
		rc = zdup_check(zip, v, *nout, err);
	return rc;
}

int
archive_extract(const char *zip_path, const char *staging,
		const struct archive_limits *lim, struct mgr_error *err)
{
	struct zentry *v = NULL;
	size_t n = 0;
	uint64_t written = 0;
	int zerr = 0, root, rc;
	zip_t *za;

	if ((rc = zip_fns_load(zip_path, err)) != 0)
		return rc;
	za = zip_open(zip_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
	if (za == NULL && zerr == ZIP_ER_EXISTS)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: the archive holds "
		    "duplicate entry names"), zip_path);
	if (za == NULL) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		rc = mgr_error_set(err, MGR_EINVAL, _("%s: not a valid zip "
		    "archive: %s"), zip_path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	root = open(staging, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: %s"), staging, strerror(errno));
	else if ((rc = zcheck_all(za, zip_path, lim, &v, &n, err)) == 0)
		for (size_t i = 0; i < n && rc == 0; i++)
			rc = zextract_entry(za, zip_path, root, &v[i], &written, lim,
			    err);
	if (root >= 0)
		close(root);
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	zip_discard(za);
	return rc;
}
