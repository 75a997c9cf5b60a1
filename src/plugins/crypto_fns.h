/* crypto_fns.h - libcrypto's Ed25519 functions as signature.c calls them:
 * through a table filled by dlsym when the first key is made, read or
 * used (crypto_fns.c), so that the commands that check no signature do
 * not load libcrypto, the largest library the program used to link
 * (16,924 of a `task list`'s 20,794 relocations; issue 18, item 8).
 * Included by signature.c after <openssl/evp.h>: each name below is a
 * macro for the table's member of that name, so the calls read as
 * libcrypto's own.  crypto_fns.c includes it with CRYPTO_FNS_TABLE_ONLY
 * to see the table without the macros. */
#ifndef MGR_CRYPTO_FNS_H
#define MGR_CRYPTO_FNS_H

#include <openssl/evp.h>
#include "error.h"

/* X(name) for each libcrypto function the program calls. */
#define CRYPTO_FNS_EACH(X) \
	X(EVP_PKEY_new_raw_private_key) X(EVP_PKEY_new_raw_public_key) \
	X(EVP_PKEY_get_raw_public_key) X(EVP_PKEY_free) X(EVP_MD_CTX_new) \
	X(EVP_MD_CTX_free) X(EVP_DigestSignInit) X(EVP_DigestSign) \
	X(EVP_DigestVerifyInit) X(EVP_DigestVerify)

/* Each member has the type evp.h declares for its function. */
#define CRYPTO_FNS_MEMBER(name) __typeof__(name) *name;
struct crypto_fns {
	CRYPTO_FNS_EACH(CRYPTO_FNS_MEMBER)
};
#undef CRYPTO_FNS_MEMBER

/* Loads libcrypto (once per process; later calls give the first outcome):
 * 0, or MGR_EIO with err naming the library. */
int crypto_fns_load(struct mgr_error *err);
/* The table; only after crypto_fns_load succeeded. */
const struct crypto_fns *crypto_fns(void);

#ifndef CRYPTO_FNS_TABLE_ONLY
#define EVP_PKEY_new_raw_private_key (crypto_fns()->EVP_PKEY_new_raw_private_key)
#define EVP_PKEY_new_raw_public_key (crypto_fns()->EVP_PKEY_new_raw_public_key)
#define EVP_PKEY_get_raw_public_key (crypto_fns()->EVP_PKEY_get_raw_public_key)
#define EVP_PKEY_free (crypto_fns()->EVP_PKEY_free)
#define EVP_MD_CTX_new (crypto_fns()->EVP_MD_CTX_new)
#define EVP_MD_CTX_free (crypto_fns()->EVP_MD_CTX_free)
#define EVP_DigestSignInit (crypto_fns()->EVP_DigestSignInit)
#define EVP_DigestSign (crypto_fns()->EVP_DigestSign)
#define EVP_DigestVerifyInit (crypto_fns()->EVP_DigestVerifyInit)
#define EVP_DigestVerify (crypto_fns()->EVP_DigestVerify)
#endif

#endif
