/* signature.h - Ed25519 keys and detached signatures of package indexes,
 * through OpenSSL's EVP (the libcrypto the program already links).
 *
 * The public key and the signature use minisign's formats, so that
 * `minisign -V -p KEY.pub -m index.conf` checks what `manager repo sign`
 * wrote:
 *
 *   KEY.pub:  untrusted comment: <text>
 *             base64("Ed" || key id (8 bytes) || public key (32))
 *   index.conf.minisig:
 *             untrusted comment: <text>
 *             base64("Ed" || key id (8) || Ed25519(index) (64))
 *             trusted comment: timestamp:<unix>\tfile:index.conf\texpires:<unix>
 *             base64(Ed25519(signature (64) || trusted comment text))
 *
 * The trusted comment is signed too (the second signature), so the
 * timestamp (refusing an older index: rollback) and the expiry (refusing
 * an index that stopped changing: freeze) cannot be altered.  The secret
 * key is manager's own, unencrypted (mode 0600):
 *
 *   NAME:     untrusted comment: manager secret key
 *             base64("Ed" || key id (8) || seed (32) || public key (32))
 */
#ifndef MGR_SIGNATURE_H
#define MGR_SIGNATURE_H

#include <stddef.h>
#include "error.h"

#define SIG_KEYID_LEN 8
#define SIG_FILE_SUFFIX ".minisig"

struct sig_pubkey {
	unsigned char keyid[SIG_KEYID_LEN];
	unsigned char pk[32];
};

struct sig_seckey {
	unsigned char keyid[SIG_KEYID_LEN];
	unsigned char seed[32];
	unsigned char pk[32];
};

struct sig_file {
	unsigned char keyid[SIG_KEYID_LEN];
	unsigned char sig[64];
	char *trusted;			/* the trusted comment's text */
	unsigned char global[64];	/* over sig || trusted */
	long long timestamp;		/* from the trusted comment */
	long long expires;
};

/* A key id as minisign prints it: 16 upper-case hex digits. */
void sig_keyid_hex(const unsigned char id[SIG_KEYID_LEN], char out[17]);

int sig_keygen(struct sig_seckey *sk, struct mgr_error *err);
void sig_seckey_public(const struct sig_seckey *sk, struct sig_pubkey *pk);
/* The files' texts (malloc'd). */
char *sig_pubkey_format(const struct sig_pubkey *pk);
char *sig_seckey_format(const struct sig_seckey *sk);
/* Parse a file's text; what names it in messages. */
int sig_pubkey_parse(const char *text, const char *what, struct sig_pubkey *pk,
		     struct mgr_error *err);
int sig_seckey_parse(const char *text, const char *what, struct sig_seckey *sk,
		     struct mgr_error *err);

/* Signs msg: the signature file's text (malloc'd) in *out. */
int sig_sign(const struct sig_seckey *sk, const void *msg, size_t len,
	     long long timestamp, long long expires, char **out,
	     struct mgr_error *err);
int sig_parse(const char *text, const char *what, struct sig_file *s,
	      struct mgr_error *err);
void sig_file_clear(struct sig_file *s);
/* 0 when both signatures verify with pk (the key ids must match). */
int sig_verify(const struct sig_file *s, const struct sig_pubkey *pk,
	       const void *msg, size_t len, const char *what,
	       struct mgr_error *err);

#endif
