/* util.c - allocation that cannot fail, strings, paths, files. */
#include "i18n.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void
oom(void)
{
	fputs("manager: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (p == NULL)
		oom();
	return p;
}

size_t
fmt_int64(char *buf, int64_t v)
{
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	char tmp[20];
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		oom();
	va_end(ap);
	return s;
}

void
strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

size_t
strv_len(char *const *v)
{
	size_t n = 0;
	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int
strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

void
thread_ask_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *flag)
{
	pthread_mutex_lock(mu);
	*flag = 1;
	pthread_cond_broadcast(cv);
	pthread_mutex_unlock(mu);
}

int
thread_create_named(pthread_t *t, const char *name, void *(*fn)(void *), void *arg)
{
	int rc = pthread_create(t, NULL, fn, arg);

	if (rc == 0)
		pthread_setname_np(*t, name);	/* a name is a help, not a need */
	return rc;
}

uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * FNV_PRIME;
	return h;
}

void
sort_array(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

char **
strv_push(char **v, const char *s)
{
	size_t n = strv_len(v);
	v = xrealloc(v, (n + 2) * sizeof *v);
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

void
strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->buf = xrealloc(sb->buf, sb->cap);
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		oom();
	strbuf_add(sb, s, (size_t)n);
	free(s);
}

char *
strbuf_detach(struct strbuf *sb)
{
	char *s = sb->buf != NULL ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *
path_resolve(const char *base, const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return xstrdup(path);
	if (base == NULL) {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return xstrdup(path);
		base = cwd;
	}
	if (strcmp(path, ".") == 0)
		return xstrdup(base);
	return xasprintf("%s/%s", base, path);
}

char *
path_dirname_abs(const char *path)
{
	char *abs = path_resolve(NULL, path);
	char *slash = strrchr(abs, '/');

	if (slash == abs)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return abs;
}

int
mkdir_p(const char *path, mode_t mode, int fix_leaf, struct mgr_error *err)
{
	char *copy = xstrdup(path);
	int rc = 0;

	for (char *p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, mode) == -1 && errno != EEXIST) {
			rc = mgr_error_set(err, MGR_EIO, _("%s: cannot create folder: %s"),
			    copy, strerror(errno));
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (rc == 0 && fix_leaf && chmod(path, mode) == -1)
		rc = mgr_error_set(err, MGR_EIO, _("%s: cannot set mode: %s"),
		    path, strerror(errno));
	free(copy);
	return rc;
}

static int
rm_rf_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) == -1 ? -1 : 0;
	return unlink(path) == -1 ? -1 : 0;
}

int
rm_rf(const char *path, struct mgr_error *err)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : mgr_error_set(err, MGR_EIO,
		    _("%s: %s"), path, strerror(errno));
	if (nftw(path, rm_rf_entry, 16, FTW_DEPTH | FTW_PHYS) == -1)
		return mgr_error_set(err, MGR_EIO, _("%s: cannot remove: %s"),
		    path, strerror(errno));
	return 0;
}

int
copy_file(const char *src, const char *dst, mode_t mode, struct mgr_error *err)
{
	char buf[65536];
	ssize_t n;
	int in, out, rc = 0;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1)
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (out == -1) {
		rc = mgr_error_set(err, MGR_EIO, _("%s: %s"), dst, strerror(errno));
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof buf)) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			rc = mgr_error_set(err, MGR_EIO, _("%s: %s"), dst,
			    strerror(errno));
			break;
		}
	}
	if (n < 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: %s"), src, strerror(errno));
	close(in);
	if (close(out) == -1 && rc == 0)
		rc = mgr_error_set(err, MGR_EIO, _("%s: %s"), dst, strerror(errno));
	if (rc != 0)
		unlink(dst);
	return rc;
}

int
write_iov(int fd, struct iovec *iov, int cnt, int sock)
{
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)cnt };
	ssize_t n;

	while (msg.msg_iovlen > 0) {
		n = sock ? sendmsg(fd, &msg, MSG_NOSIGNAL) :
		    writev(fd, msg.msg_iov, (int)msg.msg_iovlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (; msg.msg_iovlen > 0 && (size_t)n >= msg.msg_iov->iov_len;
		    msg.msg_iov++, msg.msg_iovlen--)
			n -= (ssize_t)msg.msg_iov->iov_len;
		if (msg.msg_iovlen > 0) {
			msg.msg_iov->iov_base = (char *)msg.msg_iov->iov_base + n;
			msg.msg_iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

int
send_framed(int fd, const void *body, size_t len)
{
	char head[32];
	struct iovec iov[2] = { { head, 0 }, { (void *)body, len } };

	iov[0].iov_len = (size_t)snprintf(head, sizeof head, "%zu\n", len);
	return write_iov(fd, iov, 2, 1);
}

int
read_file(const char *path, char **out, size_t *len, struct mgr_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mgr_error_set(err, errno == ENOENT ? MGR_ENOENT : MGR_EIO,
		    _("%s: %s"), path, strerror(errno));
	while ((n = read(fd, buf, sizeof buf)) > 0)
		strbuf_add(&sb, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		strbuf_free(&sb);
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(errno));
	}
	if (len != NULL)
		*len = sb.len;
	*out = strbuf_detach(&sb);
	return 0;
}

int64_t
mgr_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
mgr_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
id_char(char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return !first && c != '\0' && strchr("._-@:+", c) != NULL;
}

int
mgr_id_valid(const char *id)
{
	size_t n;

	if (id == NULL || !id_char(id[0], 1))
		return 0;
	for (n = 1; id[n] != '\0'; n++)
		if (n >= MGR_ID_MAX || !id_char(id[n], 0))
			return 0;
	return 1;
}

int
mgr_id_check(const char *what, const char *id, struct mgr_error *err)
{
	size_t len, shown;
	char *safe;

	if (mgr_id_valid(id))
		return 0;
	if (id == NULL || *id == '\0')
		return mgr_error_set(err, MGR_EINVAL, _("%s is empty"), what);
	/* A long id is shown by its first bytes: the message must fit. */
	len = strlen(id);
	shown = utf8_prefix_len(id, 64);
	safe = xstrndup(id, shown);
	if (len > MGR_ID_MAX)
		mgr_error_set(err, MGR_EINVAL, _("%s \"%s%s\" is %zu bytes long: "
		    "at most %d are allowed"), what, safe, shown < len ? "..." : "",
		    len, MGR_ID_MAX);
	else
		mgr_error_set(err, MGR_EINVAL, _("%s \"%s\": an id is 1 to %d "
		    "ASCII letters, digits and . _ - @ : +, starting with a letter "
		    "or digit"), what, safe, MGR_ID_MAX);
	free(safe);
	return MGR_EINVAL;
}

/* Length of the valid UTF-8 sequence at p, 0 if there is none. */
static size_t
utf8_seq_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

char *
utf8_sanitize(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	strbuf_add(&sb, "", 0);
	while (*p != '\0') {
		if ((n = utf8_seq_len(p)) == 0) {
			strbuf_adds(&sb, "\xef\xbf\xbd");
			p++;
			continue;
		}
		strbuf_add(&sb, (const char *)p, n);
		p += n;
	}
	return strbuf_detach(&sb);
}

size_t
utf8_prefix_len(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	/* Back off over continuation bytes to the start of a character. */
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

int
tree_copy(const char *src, const char *dst, struct mgr_error *err)
{
	DIR *d = opendir(src);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), src, strerror(errno));
	if (mkdir(dst, 0700) != 0) {
		closedir(d);
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), dst, strerror(errno));
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *from, *to;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		from = xasprintf("%s/%s", src, de->d_name);
		to = xasprintf("%s/%s", dst, de->d_name);
		if (lstat(from, &st) != 0)
			rc = mgr_error_set(err, MGR_EIO, _("%s: %s"), from,
			    strerror(errno));
		else if (S_ISDIR(st.st_mode))
			rc = tree_copy(from, to, err);
		else if (S_ISREG(st.st_mode))
			rc = copy_file(from, to, 0600, err);
		else
			rc = mgr_error_set(err, MGR_EUNSAFE, _("%s: not a regular "
			    "file or folder (symbolic links and devices are not "
			    "copied)"), from);
		free(from);
		free(to);
	}
	closedir(d);
	return rc;
}
