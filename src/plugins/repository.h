/* repository.h - a package repository's trust and cache: its trusted
 * keys, the last index it accepted (rollback), the signature check of
 * its index, and for a remote one (https://, or http:// once it has a
 * trusted key) the local cache of its index and archives.
 *
 * Each entry of the `repositories` setting has a state folder (0700)
 * under data_directory/repositories/, named after the SHA-256 of the
 * entry as written:
 *
 *   entry                  the entry, for people
 *   keys/KEYID.pub         trusted public keys (0600)
 *   accepted               timestamp of the newest index accepted
 *
 * and a remote one a cache folder of the same name under
 * cache_directory/repositories/ (what `repo update` downloads again):
 *
 *   index.conf             the last index accepted,
 *   index.conf.minisig     its signature,
 *   index.etag, index.modified   for conditional requests,
 *   archives/              archives downloaded and checked
 *
 * Only `repo update` and a client before `plugin install|upgrade`
 * download (fetch = 1); everything else, the engine host included, reads
 * the cache, so no network wait ever reaches the engine's loop.
 */
#ifndef MGR_REPOSITORY_H
#define MGR_REPOSITORY_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"
#include "signature.h"

struct mgr_conf;
struct pkg_entry;

int repo_is_remote(const char *entry);
/* The configured repository entry names (as written, or a folder by
 * its path from the current folder), or NULL. */
const char *repo_configured(const struct mgr_conf *conf, const char *entry);
/* The entry's state folder (malloc'd; not created). */
char *repo_state_dir(const struct mgr_conf *conf, const char *entry);
/* The entry's cache folder (malloc'd; not created). */
char *repo_cache_dir(const struct mgr_conf *conf, const char *entry);

int repo_keys_load(const struct mgr_conf *conf, const char *entry,
		   struct sig_pubkey **keys, size_t *n, struct mgr_error *err);
/* Trusts the public key in keyfile for entry; id gets its key id. */
int repo_key_add(const struct mgr_conf *conf, const char *entry,
		 const char *keyfile, char id[17], struct mgr_error *err);
/* The newest accepted index's timestamp, 0 if none. */
long long repo_accepted(const struct mgr_conf *conf, const char *entry);

/* An index whose signature (if any is needed) was checked. */
struct repo_index {
	char *text;		/* the bytes checked, NUL-terminated */
	size_t len;
	char *file;		/* shown in messages */
	char *base;		/* folder that archive names resolve against */
	char *url;		/* remote: the entry without a final '/' */
	int is_signed;
	long long timestamp, expires;	/* signed only */
};

/* Reads the folder's index, or the cached one of a remote entry, and
 * checks it: refused with the reason and the repository named when the
 * signature is bad, the key unknown, the index older than the last
 * accepted (rollback) or expired (freeze), or unsigned while signatures
 * are needed (trusted keys, repository_require_signature, http://). */
int repo_index_read(const struct mgr_conf *conf, const char *entry,
		    struct repo_index *out, struct mgr_error *err);
void repo_index_clear(struct repo_index *ix);

/* Downloads a remote entry's index and signature; checks them as
 * repo_index_read does before they replace the cache.  *changed: 1 when
 * the cache was replaced, 0 when the server said not modified.  A folder
 * entry is only checked. */
int repo_update(const struct mgr_conf *conf, const char *entry, int *changed,
		struct mgr_error *err);

/* Makes sure a remote package's archive is in the cache with the
 * index's sha256, downloading it when fetch is set. */
int repo_archive_ensure(const struct mgr_conf *conf, const struct pkg_entry *e,
			int fetch, struct mgr_error *err);

#endif
