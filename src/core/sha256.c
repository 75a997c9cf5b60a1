/* sha256.c - SHA-256 for package checksums, snapshots and token compares,
 * from libcrypto (OpenSSL), which libzip already brings into the process:
 * one audited implementation instead of a hand-written one. */
#include "i18n.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
digest_hex(const unsigned char *md, unsigned int len, char out[65])
{
	static const char hex[] = "0123456789abcdef";

	for (unsigned int i = 0; i < len && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* EVP_Digest fails only when the library cannot allocate: that is out of
 * memory, which the rest of the program treats as fatal too (xmalloc). */
void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		abort();
	digest_hex(md, n, out);
}

static int
sha256_fd(int fd, char out[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = 0;
	ssize_t r;
	int ok;

	if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort();
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r == -1 && errno == EINTR))
		if (r > 0 && EVP_DigestUpdate(c, buf, (size_t)r) != 1)
			abort();
	ok = r == 0 && EVP_DigestFinal_ex(c, md, &n) == 1 && n == 32;
	EVP_MD_CTX_free(c);
	if (ok)
		digest_hex(md, n, out);
	return ok ? 0 : -1;
}

int
sha256_file(const char *path, char out[65], struct mgr_error *err)
{
	int fd, rc, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(errno));
	rc = sha256_fd(fd, out);
	saved = errno;
	close(fd);
	if (rc != 0)
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(saved));
	return 0;
}
