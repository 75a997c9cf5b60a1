/* api_auth.c - the HTTP API's bearer token and listen address checks. */
#include "i18n.h"
#include "api_auth.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOKEN_BYTES 32
#define TOKEN_MIN 16		/* characters: shorter ones are refused */
#define TOKEN_FILE_MAX 4096	/* bytes */

static void
trim_right(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
	    s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static int
token_generate(const char *path, char **out, struct mgr_error *err)
{
	unsigned char raw[TOKEN_BYTES];
	char hex[TOKEN_BYTES * 2 + 2], *dir;
	int fd, rc;

	/* The default, state_directory/api.token, may be the first file
	 * of a folder not made yet. */
	dir = path_dirname_abs(path);
	rc = mkdir_p(dir, 0700, 0, err);
	free(dir);
	if (rc != 0)
		return rc;
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
		return mgr_error_set(err, MGR_EIO, _("api.token_file %s: no random "
		    "bytes: %s"), path, strerror(errno));
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	strcat(hex, "\n");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1 || write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) ||
	    close(fd) != 0) {
		if (fd != -1)
			unlink(path);
		return mgr_error_set(err, MGR_EIO, _("api.token_file %s: cannot "
		    "create: %s"), path, strerror(errno));
	}
	hex[TOKEN_BYTES * 2] = '\0';
	*out = xstrdup(hex);
	return 0;
}

/* Opens the token file without waiting (a FIFO would block open and
 * read) and without following a symbolic link; only a regular file. */
static int
token_open(const char *path, struct mgr_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1)
		return mgr_error_set(err, MGR_EIO, _("api.token_file %s: %s"), path,
		    errno == ELOOP ? _("is a symbolic link; name the file itself")
		    : strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return mgr_error_set(err, MGR_EUNSAFE, _("api.token_file %s is not "
		    "a regular file"), path);
	}
	/* A token readable by others is no secret: refused, naming the mode. */
	if (st.st_mode & 077) {
		close(fd);
		return mgr_error_set(err, MGR_EUNSAFE, _("api.token_file %s: mode "
		    "%03o lets others read the token; chmod 600 it"), path,
		    (unsigned)(st.st_mode & 0777));
	}
	return fd;
}

static int
token_read(const char *path, char **out, struct mgr_error *err)
{
	char buf[TOKEN_FILE_MAX + 1];
	ssize_t n;
	int fd;

	if ((fd = token_open(path, err)) < 0)
		return fd;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return mgr_error_set(err, MGR_EIO, _("api.token_file %s: %s"), path,
		    strerror(errno));
	if (n > TOKEN_FILE_MAX)
		return mgr_error_set(err, MGR_EINVAL, _("api.token_file %s is over "
		    "%d bytes: a token file holds one token"), path, TOKEN_FILE_MAX);
	buf[n] = '\0';
	trim_right(buf);
	*out = xstrdup(buf);
	return 0;
}

/* A short token can be guessed; what the client sends must be one line. */
static int
token_check(const char *what, const char *token, struct mgr_error *err)
{
	size_t n = strlen(token);

	if (n < TOKEN_MIN)
		return mgr_error_set(err, MGR_EINVAL, _("%s is %zu characters long: "
		    "a token needs at least %d (e.g. 32 random bytes in hex: "
		    "remove the file named by api.token_file and one is made)"),
		    what, n, TOKEN_MIN);
	for (const char *p = token; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return mgr_error_set(err, MGR_EINVAL, _("%s: a token is one "
			    "word of printable characters"), what);
	return 0;
}

int
api_token_load(const char *token, const char *token_file, char **out,
	       struct mgr_error *err)
{
	char *what;
	int rc;

	if (token != NULL && *token != '\0') {
		if ((rc = token_check("api.token", token, err)) != 0)
			return rc;
		*out = xstrdup(token);
		return 0;
	}
	if (token_file == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("api.listen is set but "
		    "neither api.token nor api.token_file is: the API needs a token"));
	if (access(token_file, F_OK) != 0 && errno == ENOENT)
		return token_generate(token_file, out, err);
	if ((rc = token_read(token_file, out, err)) != 0)
		return rc;
	what = xasprintf("api.token_file %s", token_file);
	rc = token_check(what, *out, err);
	free(what);
	if (rc != 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int
api_token_matches(const char *expected_digest, const char *header)
{
	char b[65];
	unsigned char diff = 0;

	if (header == NULL || strncmp(header, "Bearer ", 7) != 0)
		return 0;
	/* Compare digests in constant time: neither the token's bytes nor
	 * its length leak through timing. */
	sha256_hex(header + 7, strlen(header + 7), b);
	for (size_t i = 0; i < 64; i++)
		diff |= (unsigned char)(expected_digest[i] ^ b[i]);
	return diff == 0;
}

static int
listen_split(const char *listen, char *host, size_t hostsz, int *port,
	     struct mgr_error *err)
{
	const char *colon, *h = listen;
	size_t hlen;
	char *end;
	long p;

	if (*listen == '[') {
		colon = strstr(listen, "]:");
		h = listen + 1;
		hlen = colon != NULL ? (size_t)(colon - h) : 0;
		colon = colon != NULL ? colon + 1 : NULL;
	} else {
		colon = strrchr(listen, ':');
		hlen = colon != NULL ? (size_t)(colon - listen) : 0;
	}
	if (colon == NULL || hlen == 0 || hlen >= hostsz)
		return mgr_error_set(err, MGR_EINVAL, _("api.listen \"%s\": expected "
		    "HOST:PORT, e.g. \"127.0.0.1:8470\""), listen);
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || p < 0 || p > 65535)
		return mgr_error_set(err, MGR_EINVAL, _("api.listen \"%s\": port "
		    "must be 0-65535"), listen);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (int)p;
	return 0;
}

int
api_listen_parse(const char *listen, struct api_addr *out, struct mgr_error *err)
{
	char host[128];
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = listen_split(listen, host, sizeof host, &out->port, err)) != 0)
		return rc;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &out->v4.sin_addr) == 1) {
		out->family = AF_INET;
		out->v4.sin_family = AF_INET;
		out->v4.sin_port = htons((uint16_t)out->port);
		if ((ntohl(out->v4.sin_addr.s_addr) >> 24) == 127)
			return 0;
	} else if (inet_pton(AF_INET6, host, &out->v6.sin6_addr) == 1) {
		out->family = AF_INET6;
		out->v6.sin6_family = AF_INET6;
		out->v6.sin6_port = htons((uint16_t)out->port);
		if (IN6_IS_ADDR_LOOPBACK(&out->v6.sin6_addr))
			return 0;
	} else
		return mgr_error_set(err, MGR_EINVAL, _("api.listen \"%s\": \"%s\" is "
		    "not an IP address or localhost"), listen, host);
	return mgr_error_set(err, MGR_EUNSAFE, _("api.listen \"%s\": only loopback "
	    "addresses are served (the API has no TLS); put a TLS reverse proxy "
	    "in front to reach it from elsewhere"), listen);
}
