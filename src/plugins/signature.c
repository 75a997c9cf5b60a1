/* signature.c - Ed25519 keys and minisign-format signatures (OpenSSL
 * EVP, opened when first needed: crypto_fns.h). */
#include "i18n.h"
#include "signature.h"
#include "util.h"
#include "crypto_fns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define UNTRUSTED "untrusted comment: "
#define TRUSTED "trusted comment: "

void
sig_keyid_hex(const unsigned char id[SIG_KEYID_LEN], char out[17])
{
	/* minisign prints the id as a little-endian 64-bit number. */
	for (int i = 0; i < SIG_KEYID_LEN; i++)
		snprintf(out + 2 * i, 3, "%02X", id[SIG_KEYID_LEN - 1 - i]);
}

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Base64 (RFC 4648, padded), as minisign writes it. */
static char *
b64_encode(const unsigned char *in, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 |
		    (i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0) |
		    (i + 2 < n ? in[i + 2] : 0);

		*o++ = B64[v >> 18 & 63];
		*o++ = B64[v >> 12 & 63];
		*o++ = i + 1 < n ? B64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? B64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* Decodes exactly want bytes from one base64 line (padding only at its
 * end, no other character); -1 otherwise. */
static int
b64_decode(const char *in, size_t inlen, unsigned char *out, size_t want)
{
	size_t pad = inlen > 0 && in[inlen - 1] == '=' ?
	    (inlen > 1 && in[inlen - 2] == '=' ? 2 : 1) : 0, n = 0;
	unsigned long v = 0;

	if (inlen == 0 || inlen % 4 != 0 || inlen / 4 * 3 - pad != want)
		return -1;
	for (size_t i = 0; i < inlen - pad; i++) {
		const char *c = in[i] != '\0' ? strchr(B64, in[i]) : NULL;

		if (c == NULL)
			return -1;
		v = v << 6 | (unsigned long)(c - B64);
		if (i % 4 == 3) {
			out[n++] = (unsigned char)(v >> 16);
			out[n++] = (unsigned char)(v >> 8);
			out[n++] = (unsigned char)v;
			v = 0;
		}
	}
	if (pad == 1) {		/* 3 characters: 18 bits, 2 bytes */
		out[n++] = (unsigned char)(v >> 10);
		out[n++] = (unsigned char)(v >> 2);
	} else if (pad == 2)	/* 2 characters: 12 bits, 1 byte */
		out[n++] = (unsigned char)(v >> 4);
	return n == want ? 0 : -1;
}

/* The text of line i (0-based) of text, without its newline. */
static const char *
line_at(const char *text, int i, size_t *len)
{
	const char *p = text, *nl;

	for (; i > 0; i--) {
		if ((nl = strchr(p, '\n')) == NULL)
			return NULL;
		p = nl + 1;
	}
	if (*p == '\0')
		return NULL;
	*len = (nl = strchr(p, '\n')) != NULL ? (size_t)(nl - p) : strlen(p);
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return p;
}

/* Line i must start with prefix; *rest and *rlen are what follows. */
static int
line_with(const char *text, int i, const char *prefix, const char **rest,
	  size_t *rlen)
{
	size_t len, pl = strlen(prefix);
	const char *l = line_at(text, i, &len);

	if (l == NULL || len < pl || strncmp(l, prefix, pl) != 0)
		return -1;
	*rest = l + pl;
	*rlen = len - pl;
	return 0;
}

/* Decodes base64 line i into "Ed" || body (blen bytes). */
static int
line_blob(const char *text, int i, unsigned char *body, size_t blen,
	  const char *what, struct mgr_error *err)
{
	unsigned char buf[2 + 8 + 32 + 32 + 64];
	const char *l;
	size_t len;

	if (line_with(text, i, "", &l, &len) != 0 ||
	    b64_decode(l, len, buf, 2 + blen) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s:%d: not the base64 "
		    "text of a %zu-byte key or signature"), what, i + 1, 2 + blen);
	if (memcmp(buf, "Ed", 2) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s:%d: not an Ed25519 "
		    "key or signature (algorithm \"%.2s\"; prehashed \"ED\" "
		    "signatures are not supported)"), what, i + 1, (char *)buf);
	memcpy(body, buf + 2, blen);
	return 0;
}

static int
untrusted_line(const char *text, const char *what, struct mgr_error *err)
{
	const char *rest;
	size_t len;

	if (line_with(text, 0, UNTRUSTED, &rest, &len) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s:1: must start with "
		    "\"%s\""), what, UNTRUSTED);
	return 0;
}

/* n bytes from the kernel's generator (getrandom blocks only until it
 * is seeded, at boot). */
static int
random_bytes(unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0) {
			p += r;
			n -= (size_t)r;
		}
	}
	return 0;
}

static EVP_PKEY *
pkey_private(const unsigned char seed[32])
{
	return EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
}

int
sig_keygen(struct sig_seckey *sk, struct mgr_error *err)
{
	EVP_PKEY *k;
	size_t n = 32;
	int ok, rc;

	if ((rc = crypto_fns_load(err)) != 0)
		return rc;
	if (random_bytes(sk->seed, 32) != 0 ||
	    random_bytes(sk->keyid, SIG_KEYID_LEN) != 0)
		return mgr_error_set(err, MGR_EIO, _("no random bytes for a key: "
		    "%s"), strerror(errno));
	if ((k = pkey_private(sk->seed)) == NULL)
		return mgr_error_set(err, MGR_EIO, _("cannot make an Ed25519 key"));
	ok = EVP_PKEY_get_raw_public_key(k, sk->pk, &n) == 1 && n == 32;
	EVP_PKEY_free(k);
	return ok ? 0 : mgr_error_set(err, MGR_EIO, _("cannot make an Ed25519 key"));
}

void
sig_seckey_public(const struct sig_seckey *sk, struct sig_pubkey *pk)
{
	memcpy(pk->keyid, sk->keyid, SIG_KEYID_LEN);
	memcpy(pk->pk, sk->pk, 32);
}

char *
sig_pubkey_format(const struct sig_pubkey *pk)
{
	unsigned char buf[2 + SIG_KEYID_LEN + 32];
	char id[17], *b, *out;

	memcpy(buf, "Ed", 2);
	memcpy(buf + 2, pk->keyid, SIG_KEYID_LEN);
	memcpy(buf + 2 + SIG_KEYID_LEN, pk->pk, 32);
	b = b64_encode(buf, sizeof buf);
	sig_keyid_hex(pk->keyid, id);
	out = xasprintf(UNTRUSTED "minisign public key %s\n%s\n", id, b);
	free(b);
	return out;
}

char *
sig_seckey_format(const struct sig_seckey *sk)
{
	unsigned char buf[2 + SIG_KEYID_LEN + 64];
	char *b, *out;

	memcpy(buf, "Ed", 2);
	memcpy(buf + 2, sk->keyid, SIG_KEYID_LEN);
	memcpy(buf + 2 + SIG_KEYID_LEN, sk->seed, 32);
	memcpy(buf + 2 + SIG_KEYID_LEN + 32, sk->pk, 32);
	b = b64_encode(buf, sizeof buf);
	out = xasprintf(UNTRUSTED "manager secret key\n%s\n", b);
	explicit_bzero(buf, sizeof buf);
	free(b);
	return out;
}

int
sig_pubkey_parse(const char *text, const char *what, struct sig_pubkey *pk,
		 struct mgr_error *err)
{
	unsigned char body[SIG_KEYID_LEN + 32];
	int rc;

	if ((rc = untrusted_line(text, what, err)) != 0 ||
	    (rc = line_blob(text, 1, body, sizeof body, what, err)) != 0)
		return rc;
	memcpy(pk->keyid, body, SIG_KEYID_LEN);
	memcpy(pk->pk, body + SIG_KEYID_LEN, 32);
	return 0;
}

int
sig_seckey_parse(const char *text, const char *what, struct sig_seckey *sk,
		 struct mgr_error *err)
{
	unsigned char body[SIG_KEYID_LEN + 64], pk[32];
	EVP_PKEY *k;
	size_t n = 32;
	int rc, ok;

	if ((rc = untrusted_line(text, what, err)) != 0 ||
	    (rc = line_blob(text, 1, body, sizeof body, what, err)) != 0)
		return rc;
	memcpy(sk->keyid, body, SIG_KEYID_LEN);
	memcpy(sk->seed, body + SIG_KEYID_LEN, 32);
	memcpy(sk->pk, body + SIG_KEYID_LEN + 32, 32);
	explicit_bzero(body, sizeof body);
	if ((rc = crypto_fns_load(err)) != 0)
		return rc;
	/* A public half that does not belong to the seed would make
	 * signatures no one can check: refuse the file now. */
	if ((k = pkey_private(sk->seed)) == NULL)
		return mgr_error_set(err, MGR_EINVAL, _("%s: not an Ed25519 "
		    "secret key"), what);
	ok = EVP_PKEY_get_raw_public_key(k, pk, &n) == 1 &&
	    memcmp(pk, sk->pk, 32) == 0;
	EVP_PKEY_free(k);
	return ok ? 0 : mgr_error_set(err, MGR_EINVAL, _("%s: the public key "
	    "inside does not match the secret key"), what);
}

static int
ed_sign(const unsigned char seed[32], const void *msg, size_t len,
	unsigned char out[64])
{
	EVP_PKEY *k = pkey_private(seed);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t n = 64;
	int ok = k != NULL && c != NULL &&
	    EVP_DigestSignInit(c, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestSign(c, out, &n, msg, len) == 1 && n == 64;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

static int
ed_verify(const unsigned char pk[32], const void *msg, size_t len,
	  const unsigned char sig[64])
{
	EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = k != NULL && c != NULL &&
	    EVP_DigestVerifyInit(c, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestVerify(c, sig, 64, msg, len) == 1;

	EVP_MD_CTX_free(c);
	EVP_PKEY_free(k);
	return ok ? 0 : -1;
}

/* sig || trusted comment: what the global signature covers. */
static unsigned char *
global_msg(const unsigned char sig[64], const char *trusted, size_t *len)
{
	size_t tl = strlen(trusted);
	unsigned char *m = xmalloc(64 + tl);

	memcpy(m, sig, 64);
	memcpy(m + 64, trusted, tl);
	*len = 64 + tl;
	return m;
}

int
sig_sign(const struct sig_seckey *sk, const void *msg, size_t len,
	 long long timestamp, long long expires, char **out,
	 struct mgr_error *err)
{
	unsigned char blob[2 + SIG_KEYID_LEN + 64], global[64], *gm;
	char *trusted, *b1, *b2, id[17];
	size_t glen;
	int rc;

	if ((rc = crypto_fns_load(err)) != 0)
		return rc;
	memcpy(blob, "Ed", 2);
	memcpy(blob + 2, sk->keyid, SIG_KEYID_LEN);
	trusted = xasprintf("timestamp:%lld\tfile:index.conf\texpires:%lld",
	    timestamp, expires);
	if (ed_sign(sk->seed, msg, len, blob + 2 + SIG_KEYID_LEN) != 0) {
		free(trusted);
		return mgr_error_set(err, MGR_EIO, _("Ed25519 signing failed"));
	}
	gm = global_msg(blob + 2 + SIG_KEYID_LEN, trusted, &glen);
	if (ed_sign(sk->seed, gm, glen, global) != 0)
		rc = mgr_error_set(err, MGR_EIO, _("Ed25519 signing failed"));
	free(gm);
	if (rc == 0) {
		b1 = b64_encode(blob, sizeof blob);
		b2 = b64_encode(global, sizeof global);
		sig_keyid_hex(sk->keyid, id);
		*out = xasprintf(UNTRUSTED "signature from manager secret key "
		    "%s\n%s\n" TRUSTED "%s\n%s\n", id, b1, trusted, b2);
		free(b1);
		free(b2);
	}
	free(trusted);
	return rc;
}

/* "name:NUMBER" among the tab- or space-separated fields of t. */
static int
trusted_field(const char *t, const char *name, long long *v)
{
	size_t nl = strlen(name);

	for (const char *p = t; *p != '\0'; p += strcspn(p, "\t "),
	    p += strspn(p, "\t ")) {
		char *end;

		if (strncmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		*v = strtoll(p + nl + 1, &end, 10);
		return end != p + nl + 1 && (*end == '\0' || *end == '\t' ||
		    *end == ' ') && *v >= 0 ? 0 : -1;
	}
	return -1;
}

int
sig_parse(const char *text, const char *what, struct sig_file *s,
	  struct mgr_error *err)
{
	unsigned char body[SIG_KEYID_LEN + 64];
	const char *t, *g;
	size_t tlen, glen;
	int rc;

	memset(s, 0, sizeof *s);
	if ((rc = untrusted_line(text, what, err)) != 0 ||
	    (rc = line_blob(text, 1, body, sizeof body, what, err)) != 0)
		return rc;
	memcpy(s->keyid, body, SIG_KEYID_LEN);
	memcpy(s->sig, body + SIG_KEYID_LEN, 64);
	if (line_with(text, 2, TRUSTED, &t, &tlen) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s:3: must start with "
		    "\"%s\""), what, TRUSTED);
	if (line_with(text, 3, "", &g, &glen) != 0 ||
	    b64_decode(g, glen, s->global, 64) != 0)
		return mgr_error_set(err, MGR_EINVAL, _("%s:4: not the base64 "
		    "text of a 64-byte signature"), what);
	s->trusted = xstrndup(t, tlen);
	if (trusted_field(s->trusted, "timestamp", &s->timestamp) != 0 ||
	    trusted_field(s->trusted, "expires", &s->expires) != 0) {
		sig_file_clear(s);
		return mgr_error_set(err, MGR_EINVAL, _("%s:3: the trusted "
		    "comment needs \"timestamp:UNIX\" and \"expires:UNIX\""), what);
	}
	return 0;
}

void
sig_file_clear(struct sig_file *s)
{
	free(s->trusted);
	memset(s, 0, sizeof *s);
}

int
sig_verify(const struct sig_file *s, const struct sig_pubkey *pk,
	   const void *msg, size_t len, const char *what,
	   struct mgr_error *err)
{
	unsigned char *gm;
	size_t glen;
	int ok, rc;

	if ((rc = crypto_fns_load(err)) != 0)
		return rc;
	if (memcmp(s->keyid, pk->keyid, SIG_KEYID_LEN) != 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: signed by "
		    "another key"), what);
	if (ed_verify(pk->pk, msg, len, s->sig) != 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: bad signature: the "
		    "index does not match it"), what);
	gm = global_msg(s->sig, s->trusted, &glen);
	ok = ed_verify(pk->pk, gm, glen, s->global) == 0;
	free(gm);
	return ok ? 0 : mgr_error_set(err, MGR_EUNSAFE, _("%s: bad signature: "
	    "the trusted comment (timestamp, expiry) was altered"), what);
}
