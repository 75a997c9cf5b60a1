/* sha256.c - SHA-256 (FIPS 180-4) for package checksums, snapshots,
 * trigger seeds and token compares.
 *
 * Written here rather than taken from libcrypto: SHA-256 is a page of
 * arithmetic with published test vectors, and linking libcrypto made
 * every command, `task list` included, load and relocate it (0.55 ms of
 * a 3.4 ms command, most of the relocations left; issue 18, item 8).
 * tests/unit/test_sha256.c checks it against the standard's vectors and
 * against libcrypto's digest of the same bytes at every length up to
 * 1,000 and across chunk boundaries. */
#include "i18n.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;			/* hashed so far */
	unsigned char block[64];	/* the block being filled */
	size_t n;			/* its bytes */
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The message schedule of one 64-byte block (FIPS 180-4, 6.2.2 step 1). */
static void
schedule(const unsigned char *p, uint32_t w[64])
{
	for (int i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^
		    (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
}

/* One block into the hash (steps 2-4). */
static void
compress(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], v[8];

	schedule(p, w);
	memcpy(v, h, sizeof v);
	for (int i = 0; i < 64; i++) {
		uint32_t e = v[4], a = v[0];
		uint32_t t1 = v[7] + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
		    ((e & v[5]) ^ (~e & v[6])) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
		    ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));

		memmove(v + 1, v, 7 * sizeof v[0]);
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

static void
sha256_init(struct sha256 *s)
{
	static const uint32_t h0[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(s->h, h0, sizeof h0);
	s->bytes = 0;
	s->n = 0;
}

static void
sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	while (len > 0) {
		size_t take = 64 - s->n < len ? 64 - s->n : len;

		if (s->n == 0 && len >= 64) {	/* whole blocks, uncopied */
			compress(s->h, p);
			p += 64;
			len -= 64;
			continue;
		}
		memcpy(s->block + s->n, p, take);
		s->n += take;
		p += take;
		len -= take;
		if (s->n == 64) {
			compress(s->h, s->block);
			s->n = 0;
		}
	}
}

/* The padding (a 1 bit, zeros, the length in bits) and the hex digest. */
static void
sha256_final(struct sha256 *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	uint64_t bits = s->bytes * 8;
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(s, "\x80", 1);
	while (s->n != 56)
		sha256_update(s, "", 1);
	sha256_update(s, len, sizeof len);
	for (int i = 0; i < 32; i++) {
		unsigned char b = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));

		out[2 * i] = hex[b >> 4];
		out[2 * i + 1] = hex[b & 15];
	}
	out[64] = '\0';
}

void
sha256_hex(const void *data, size_t len, char out[65])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

static int
sha256_fd(int fd, char out[65])
{
	unsigned char buf[65536];
	struct sha256 s;
	ssize_t r;

	sha256_init(&s);
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r == -1 && errno == EINTR))
		if (r > 0)
			sha256_update(&s, buf, (size_t)r);
	if (r != 0)
		return -1;
	sha256_final(&s, out);
	return 0;
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
