/* repository.c - trusted keys, rollback and freeze checks, the cache of
 * remote repositories. */
#include "i18n.h"
#include "conf.h"
#include "fetch.h"
#include "package_index.h"
#include "repository.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SIG_MAX_BYTES 4096

int
repo_is_remote(const char *entry)
{
	return strncmp(entry, "https://", 8) == 0 ||
	    strncmp(entry, "http://", 7) == 0;
}

const char *
repo_configured(const struct mgr_conf *conf, const char *entry)
{
	char *abs = repo_is_remote(entry) ? NULL : path_resolve(NULL, entry);
	const char *found = NULL;

	/* Folder entries are absolute in the configuration (resolved
	 * against the config file's folder): a relative REPO is read from
	 * the current folder. */
	for (size_t i = 0; found == NULL && conf->repositories != NULL &&
	    conf->repositories[i] != NULL; i++)
		if (strcmp(conf->repositories[i], entry) == 0 ||
		    (abs != NULL && strcmp(conf->repositories[i], abs) == 0))
			found = conf->repositories[i];
	free(abs);
	return found;
}

/* The entry's folder under base/repositories: the first 16 hex digits
 * of the SHA-256 of the entry as written. */
static char *
repo_dir_under(const char *base, const char *entry)
{
	char sum[65];

	sha256_hex(entry, strlen(entry), sum);
	sum[16] = '\0';
	return xasprintf("%s/repositories/%s", base, sum);
}

char *
repo_state_dir(const struct mgr_conf *conf, const char *entry)
{
	return repo_dir_under(conf->data_directory, entry);
}

char *
repo_cache_dir(const struct mgr_conf *conf, const char *entry)
{
	return repo_dir_under(conf->cache_directory, entry);
}

/* Writes a whole file atomically (temporary file, fsync, rename). */
static int
file_put(const char *path, const void *data, size_t len, struct mgr_error *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, data, len) == (ssize_t)len &&
	    fsync(fd) == 0;

	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	if (!ok) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		return mgr_error_set(err, MGR_EIO, "%s: %s", path, strerror(e));
	}
	free(tmp);
	return 0;
}

/* The state folder, made (0700) with its entry file. */
static int
repo_state_make(const struct mgr_conf *conf, const char *entry, char **dir,
		struct mgr_error *err)
{
	char *f;
	int rc;

	*dir = repo_state_dir(conf, entry);
	if ((rc = mkdir_p(*dir, 0700, 1, err)) != 0)
		return rc;
	f = xasprintf("%s/entry", *dir);
	if (access(f, F_OK) != 0) {
		char *line = xasprintf("%s\n", entry);
		rc = file_put(f, line, strlen(line), err);
		free(line);
	}
	free(f);
	return rc;
}

static int
key_name_ok(const char *n)
{
	size_t l = strlen(n);

	return l == 16 + 4 && strcmp(n + 16, ".pub") == 0 &&
	    strspn(n, "0123456789ABCDEF") == 16;
}

int
repo_keys_load(const struct mgr_conf *conf, const char *entry,
	       struct sig_pubkey **keys, size_t *n, struct mgr_error *err)
{
	char *dir = repo_state_dir(conf, entry), *kdir;
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	*keys = NULL;
	*n = 0;
	kdir = xasprintf("%s/keys", dir);
	free(dir);
	if ((dp = opendir(kdir)) == NULL) {
		free(kdir);
		return 0;
	}
	while (rc == 0 && (d = readdir(dp)) != NULL) {
		char *f, *text;

		if (!key_name_ok(d->d_name))
			continue;
		f = xasprintf("%s/%s", kdir, d->d_name);
		if ((rc = read_file(f, &text, NULL, err)) == 0) {
			*keys = xrealloc(*keys, (*n + 1) * sizeof **keys);
			if ((rc = sig_pubkey_parse(text, f, &(*keys)[*n], err)) == 0)
				(*n)++;
			free(text);
		}
		free(f);
	}
	closedir(dp);
	free(kdir);
	return rc;
}

int
repo_key_add(const struct mgr_conf *conf, const char *entry,
	     const char *keyfile, char id[17], struct mgr_error *err)
{
	struct sig_pubkey pk;
	char *text, *dir = NULL, *kdir = NULL, *f = NULL, *canon;
	const char *found;
	int rc;

	if ((found = repo_configured(conf, entry)) == NULL)
		return mgr_error_set(err, MGR_ENOENT, _("%s: not one of the "
		    "configured repositories (setting \"repositories\"; write "
		    "the entry exactly as there)"), entry);
	entry = found;
	if ((rc = read_file(keyfile, &text, NULL, err)) != 0)
		return rc;
	rc = sig_pubkey_parse(text, keyfile, &pk, err);
	free(text);
	if (rc != 0 || (rc = repo_state_make(conf, entry, &dir, err)) != 0)
		goto out;
	kdir = xasprintf("%s/keys", dir);
	if ((rc = mkdir_p(kdir, 0700, 1, err)) != 0)
		goto out;
	sig_keyid_hex(pk.keyid, id);
	f = xasprintf("%s/%s.pub", kdir, id);
	canon = sig_pubkey_format(&pk);
	rc = file_put(f, canon, strlen(canon), err);
	free(canon);
out:
	free(f);
	free(kdir);
	free(dir);
	return rc;
}

long long
repo_accepted(const struct mgr_conf *conf, const char *entry)
{
	char *dir = repo_state_dir(conf, entry), *f = xasprintf("%s/accepted", dir);
	char *text = NULL;
	long long v = 0;

	if (read_file(f, &text, NULL, NULL) == 0)
		v = strtoll(text, NULL, 10);
	free(text);
	free(f);
	free(dir);
	return v > 0 ? v : 0;
}

static int
repo_accept(const struct mgr_conf *conf, const char *entry, long long ts,
	    struct mgr_error *err)
{
	char *dir = NULL, *f, buf[32];
	int rc;

	if (ts <= repo_accepted(conf, entry))
		return 0;
	if ((rc = repo_state_make(conf, entry, &dir, err)) == 0) {
		f = xasprintf("%s/accepted", dir);
		snprintf(buf, sizeof buf, "%lld\n", ts);
		rc = file_put(f, buf, strlen(buf), err);
		free(f);
	}
	free(dir);
	return rc;
}

static void
iso_time(long long t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "%lld", t);
}

/* Whether an index with no signature may be used. */
static int
repo_unsigned_ok(const struct mgr_conf *conf, const char *entry, size_t nkeys,
		 const char *file, struct mgr_error *err)
{
	if (nkeys > 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("repository %s: refused: "
		    "%s is not signed (no %s%s), and the repository has a "
		    "trusted key"), entry, file, file, SIG_FILE_SUFFIX);
	if (conf->repository_require_signature)
		return mgr_error_set(err, MGR_EUNSAFE, _("repository %s: refused: "
		    "signatures are required (repository_require_signature) "
		    "and the repository has no trusted key (manager repo key "
		    "add)"), entry);
	if (strncmp(entry, "http://", 7) == 0)
		return mgr_error_set(err, MGR_EUNSAFE, _("repository %s: refused: "
		    "a plain http:// repository needs a trusted key (manager "
		    "repo key add)"), entry);
	return 0;
}

/* The checks of a signed index, in the order of their messages. */
static int
repo_check_signed(const struct mgr_conf *conf, const char *entry,
		  const struct sig_pubkey *keys, size_t nkeys,
		  const struct sig_file *s, const char *text, size_t len,
		  const char *file, struct mgr_error *err)
{
	const struct sig_pubkey *k = NULL;
	long long last = repo_accepted(conf, entry);
	char id[17], t1[32], t2[32];

	for (size_t i = 0; i < nkeys && k == NULL; i++)
		if (memcmp(keys[i].keyid, s->keyid, SIG_KEYID_LEN) == 0)
			k = &keys[i];
	sig_keyid_hex(s->keyid, id);
	if (k == NULL)
		return mgr_error_set(err, MGR_EUNSAFE, _("repository %s: refused: "
		    "%s is signed by unknown key %s (trusted: %zu key(s); "
		    "manager repo key list)"), entry, file, id, nkeys);
	if (sig_verify(s, k, text, len, file, err) != 0)
		return mgr_error_prefix(err, _("repository %s: refused"), entry);
	iso_time(s->timestamp, t1);
	iso_time(last, t2);
	if (s->timestamp < last)
		return mgr_error_set(err, MGR_EUNSAFE, _("repository %s: refused: "
		    "rollback: %s was signed at %s, older than the index "
		    "accepted before (signed at %s)"), entry, file, t1, t2);
	iso_time(s->expires, t2);
	if (s->expires <= (long long)time(NULL))
		return mgr_error_set(err, MGR_EUNSAFE, _("repository %s: refused: "
		    "expired: %s (signed at %s) expired at %s; the repository "
		    "stopped being re-signed (freeze?)"), entry, file, t1, t2);
	return 0;
}

/* Checks text against sigtext (NULL: none) and the entry's keys. */
static int
repo_verify(const struct mgr_conf *conf, const char *entry, const char *text,
	    size_t len, const char *sigtext, const char *file,
	    struct repo_index *ix, struct mgr_error *err)
{
	struct sig_pubkey *keys;
	struct sig_file s;
	char *signame;
	size_t nkeys;
	int rc;

	if ((rc = repo_keys_load(conf, entry, &keys, &nkeys, err)) != 0)
		return rc;
	if (sigtext == NULL) {
		rc = repo_unsigned_ok(conf, entry, nkeys, file, err);
		free(keys);
		return rc;
	}
	if (nkeys == 0 && !conf->repository_require_signature &&
	    strncmp(entry, "http://", 7) != 0) {
		/* Signed, but nothing to check it with: as unsigned. */
		free(keys);
		return 0;
	}
	signame = xasprintf("%s%s", file, SIG_FILE_SUFFIX);
	if ((rc = sig_parse(sigtext, signame, &s, err)) != 0)
		mgr_error_prefix(err, _("repository %s: refused"), entry);
	else {
		rc = repo_check_signed(conf, entry, keys, nkeys, &s, text, len,
		    file, err);
		ix->is_signed = rc == 0;
		ix->timestamp = s.timestamp;
		ix->expires = s.expires;
		sig_file_clear(&s);
	}
	free(signame);
	free(keys);
	return rc;
}

/* libconfig would read any file an @include names: an index from the
 * network must not make the program open local files. */
static int
repo_no_include(const char *text, const char *file, struct mgr_error *err)
{
	int line = 1;

	for (const char *p = text; *p != '\0'; line++) {
		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0)
			return mgr_error_set(err, MGR_EINVAL, _("%s:%d: @include "
			    "is not allowed in a package index"), file, line);
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
	return 0;
}

void
repo_index_clear(struct repo_index *ix)
{
	free(ix->text);
	free(ix->file);
	free(ix->base);
	free(ix->url);
	memset(ix, 0, sizeof *ix);
}

static char *
url_base(const char *entry)
{
	size_t n = strlen(entry);

	while (n > 0 && entry[n - 1] == '/')
		n--;
	return xstrndup(entry, n);
}

int
repo_index_read(const struct mgr_conf *conf, const char *entry,
		struct repo_index *ix, struct mgr_error *err)
{
	char *dir = NULL, *sigf, *sigtext = NULL;
	int rc;

	memset(ix, 0, sizeof *ix);
	if (repo_is_remote(entry)) {
		dir = repo_cache_dir(conf, entry);
		ix->file = xasprintf("%s/%s", dir, PACKAGE_INDEX_FILE);
		ix->base = xasprintf("%s/archives", dir);
		ix->url = url_base(entry);
	} else {
		ix->file = xasprintf("%s/%s", entry, PACKAGE_INDEX_FILE);
		ix->base = xstrdup(entry);
	}
	if ((rc = read_file(ix->file, &ix->text, &ix->len, err)) != 0) {
		rc = dir != NULL ? mgr_error_set(err, MGR_ENOENT, _("repository "
		    "%s: no index downloaded yet (manager repo update)"), entry) :
		    mgr_error_set(err, MGR_ENOENT, _("%s: cannot read the package "
		    "index"), ix->file);
		goto out;
	}
	sigf = xasprintf("%s%s", ix->file, SIG_FILE_SUFFIX);
	if (read_file(sigf, &sigtext, NULL, NULL) != 0)
		sigtext = NULL;
	free(sigf);
	if ((rc = repo_verify(conf, entry, ix->text, ix->len, sigtext, ix->file,
	    ix, err)) == 0 && (rc = repo_no_include(ix->text, ix->file, err)) == 0
	    && ix->is_signed)
		rc = repo_accept(conf, entry, ix->timestamp, err);
out:
	if (rc != 0)
		repo_index_clear(ix);
	free(sigtext);
	free(dir);
	return rc;
}

static void
repo_fetch_opts(const struct mgr_conf *conf, size_t nkeys, struct fetch_opts *o)
{
	o->ca_file = conf->repository_ca_file;
	o->timeout = conf->repository_timeout_seconds;
	o->retries = conf->repository_retries;
	o->allow_http = nkeys > 0;
}

/* The cached validators of the index, for a conditional request. */
static void
repo_validators(const char *cache, char **etag, long long *modified)
{
	char *f = xasprintf("%s/index.etag", cache), *text = NULL;

	*etag = NULL;
	*modified = 0;
	if (read_file(f, &text, NULL, NULL) == 0 && text[0] != '\0')
		*etag = text;
	else
		free(text);
	free(f);
	f = xasprintf("%s/index.modified", cache);
	if (read_file(f, &text, NULL, NULL) == 0) {
		*modified = strtoll(text, NULL, 10);
		free(text);
	}
	free(f);
}

/* Downloads url into tmp; *text gets its bytes.  MGR_ENOENT on a 404. */
static int
repo_get(const struct fetch_opts *o, const char *url, const char *tmp,
	 long long max, const char *etag, long long modified,
	 struct fetch_req *r, char **text, size_t *len, struct mgr_error *err)
{
	int rc;

	memset(r, 0, sizeof *r);
	r->url = url;
	r->dest = tmp;
	r->max_bytes = max;
	r->etag = etag;
	r->modified = modified;
	*text = NULL;
	if ((rc = fetch_url(o, r, err)) != 0 || r->not_modified)
		return rc;
	return read_file(tmp, text, len, err);
}

struct repo_dl {
	char *cache, *itmp, *stmp;
	char *iurl;			/* the index's URL, for messages */
	char *text, *sigtext;
	size_t len;
	struct fetch_req ir, sr;
};

static void
repo_dl_clear(struct repo_dl *d)
{
	unlink(d->itmp);
	unlink(d->stmp);
	free(d->cache);
	free(d->itmp);
	free(d->stmp);
	free(d->iurl);
	free(d->text);
	free(d->sigtext);
	fetch_req_clear(&d->ir);
	fetch_req_clear(&d->sr);
}

/* The new cache: index (unless not modified), signature, validators. */
static int
repo_dl_commit(struct repo_dl *d, struct mgr_error *err)
{
	char *f = xasprintf("%s/%s", d->cache, PACKAGE_INDEX_FILE);
	char *sf = xasprintf("%s%s", f, SIG_FILE_SUFFIX), buf[32];
	int rc = 0;

	if (!d->ir.not_modified && rename(d->itmp, f) != 0)
		rc = mgr_error_set(err, MGR_EIO, "%s: %s", f, strerror(errno));
	if (rc == 0 && d->sigtext != NULL)
		rc = file_put(sf, d->sigtext, strlen(d->sigtext), err);
	else if (rc == 0)
		unlink(sf);
	free(f);
	free(sf);
	if (rc != 0 || d->ir.not_modified)
		return rc;
	f = xasprintf("%s/index.etag", d->cache);
	if (d->ir.new_etag != NULL)
		rc = file_put(f, d->ir.new_etag, strlen(d->ir.new_etag), err);
	else
		unlink(f);
	free(f);
	f = xasprintf("%s/index.modified", d->cache);
	snprintf(buf, sizeof buf, "%lld\n", d->ir.new_modified);
	if (rc == 0)
		rc = file_put(f, buf, strlen(buf), err);
	free(f);
	return rc;
}

/* Downloads signature and index into temporary files of the cache; the
 * index only if changed since the cached one when conditional. */
static int
repo_dl_fetch(const struct mgr_conf *conf, const char *entry, size_t nkeys,
	      int conditional, struct repo_dl *d, struct mgr_error *err)
{
	struct fetch_opts o;
	char *base = url_base(entry), *url, *etag;
	long long modified;
	size_t slen;
	int rc;

	repo_fetch_opts(conf, nkeys, &o);
	url = xasprintf("%s/%s%s", base, PACKAGE_INDEX_FILE, SIG_FILE_SUFFIX);
	rc = repo_get(&o, url, d->stmp, SIG_MAX_BYTES, NULL, 0, &d->sr,
	    &d->sigtext, &slen, err);
	free(url);
	if (rc == MGR_ENOENT) {		/* unsigned: decided by repo_verify */
		mgr_error_clear(err);
		rc = 0;
	}
	if (rc != 0) {
		free(base);
		return rc;
	}
	etag = NULL;
	modified = 0;
	if (conditional)
		repo_validators(d->cache, &etag, &modified);
	free(d->iurl);
	d->iurl = xasprintf("%s/%s", base, PACKAGE_INDEX_FILE);
	rc = repo_get(&o, d->iurl, d->itmp,
	    (long long)conf->repository_index_max_kb * 1024, etag, modified,
	    &d->ir, &d->text, &d->len, err);
	free(etag);
	free(base);
	if (rc == 0 && d->ir.not_modified) {
		char *f = xasprintf("%s/%s", d->cache, PACKAGE_INDEX_FILE);
		rc = read_file(f, &d->text, &d->len, err);
		free(f);
	}
	return rc;
}

/* Fetches and verifies the index.  A server's validators are an mtime
 * to the second and a size, so an index rewritten within the second it
 * was fetched in can be answered "not modified" while its signature,
 * always fetched, is new: when the cached index does not verify, it is
 * fetched again unconditionally and the signature decides. */
static int
repo_dl_verified(const struct mgr_conf *conf, const char *entry, size_t nkeys,
		 struct repo_dl *d, struct repo_index *ix,
		 struct mgr_error *err)
{
	int rc = repo_dl_fetch(conf, entry, nkeys, 1, d, err);

	if (rc == 0)
		rc = repo_verify(conf, entry, d->text, d->len, d->sigtext,
		    d->iurl, ix, err);
	if (rc == 0 || !d->ir.not_modified)
		return rc;
	mgr_error_clear(err);
	repo_index_clear(ix);
	free(d->text);
	free(d->sigtext);
	d->text = d->sigtext = NULL;
	fetch_req_clear(&d->ir);
	fetch_req_clear(&d->sr);
	if ((rc = repo_dl_fetch(conf, entry, nkeys, 0, d, err)) == 0)
		rc = repo_verify(conf, entry, d->text, d->len, d->sigtext,
		    d->iurl, ix, err);
	return rc;
}

int
repo_update(const struct mgr_conf *conf, const char *entry, int *changed,
	    struct mgr_error *err)
{
	struct repo_index ix = { 0 };
	struct sig_pubkey *keys;
	struct repo_dl d = { 0 };
	char *dir = NULL;
	size_t nkeys;
	int rc;

	*changed = 0;
	if (!repo_is_remote(entry)) {
		rc = repo_index_read(conf, entry, &ix, err);
		repo_index_clear(&ix);
		return rc;
	}
	if ((rc = repo_keys_load(conf, entry, &keys, &nkeys, err)) != 0)
		return rc;
	free(keys);
	if (nkeys == 0 && strncmp(entry, "http://", 7) == 0)
		return repo_unsigned_ok(conf, entry, 0, PACKAGE_INDEX_FILE, err);
	if ((rc = repo_state_make(conf, entry, &dir, err)) != 0) {
		free(dir);
		return rc;
	}
	d.cache = repo_cache_dir(conf, entry);
	d.itmp = xasprintf("%s/.index.%ld", d.cache, (long)getpid());
	d.stmp = xasprintf("%s/.sig.%ld", d.cache, (long)getpid());
	free(dir);
	if ((rc = mkdir_p(d.cache, 0700, 1, err)) == 0 &&
	    (rc = repo_dl_verified(conf, entry, nkeys, &d, &ix, err)) == 0 &&
	    (rc = repo_no_include(d.text, d.iurl, err)) == 0 &&
	    (rc = repo_dl_commit(&d, err)) == 0) {
		*changed = !d.ir.not_modified;
		if (ix.is_signed)
			rc = repo_accept(conf, entry, ix.timestamp, err);
	}
	repo_dl_clear(&d);
	return rc;
}

int
repo_archive_ensure(const struct mgr_conf *conf, const struct pkg_entry *e,
		    int fetch, struct mgr_error *err)
{
	struct fetch_opts o = { 0 };
	struct fetch_req r = { 0 };
	char sum[65], *dir, *tmp;
	int rc;

	if (e->url == NULL)
		return 0;
	if (sha256_file(e->archive, sum, NULL) == 0 && strcmp(sum, e->sha256) == 0)
		return 0;
	if (!fetch)
		return mgr_error_set(err, MGR_ENOENT, _("repository %s: %s is not "
		    "downloaded: the manager command that asks for an install "
		    "downloads it before the engine host installs it"), e->repo,
		    e->url);
	dir = path_dirname_abs(e->archive);
	if ((rc = mkdir_p(dir, 0700, 1, err)) != 0) {
		free(dir);
		return rc;
	}
	free(dir);
	repo_fetch_opts(conf, 1, &o);
	o.allow_http = strncmp(e->repo, "http://", 7) == 0;
	tmp = xasprintf("%s.part.%ld", e->archive, (long)getpid());
	r.url = e->url;
	r.dest = tmp;
	r.max_bytes = (long long)conf->archive_max_mb * 1024 * 1024;
	if ((rc = fetch_url(&o, &r, err)) == 0 &&
	    (rc = sha256_file(tmp, sum, err)) == 0) {
		if (strcmp(sum, e->sha256) != 0)
			rc = mgr_error_set(err, MGR_EUNSAFE, _("%s: checksum "
			    "mismatch: %s:%d says sha256 %s, the file has %s"),
			    e->url, e->index_file, e->line, e->sha256, sum);
		else if (rename(tmp, e->archive) != 0)
			rc = mgr_error_set(err, MGR_EIO, "%s: %s", e->archive,
			    strerror(errno));
	}
	unlink(tmp);
	free(tmp);
	fetch_req_clear(&r);
	return rc;
}
