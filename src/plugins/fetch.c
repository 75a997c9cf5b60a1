/* fetch.c - one HTTP(S) download with libcurl (blocking, client side).
 *
 * libcurl is opened here, by the download that needs it, and not linked
 * into the program: with it come 7 more shared libraries (nghttp2, ssh2,
 * rtmp, psl, zstd, brotli x2) that every command, the engine included,
 * would otherwise load and relocate at start (issue 18, item 8).  Only
 * its soname is fixed: curl's ABI has been libcurl.so.4 since 2006. */
#include "i18n.h"
#include "fetch.h"
#include "util.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define FETCH_LIBCURL "libcurl.so.4"

/* The libcurl functions used, from dlsym. */
struct curl_fns {
	void *lib;
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

/* Opens libcurl into *f; 0, or an error naming the library and the URL
 * whose download needed it. */
static int
curl_fns_open(struct curl_fns *f, const char *url, struct mgr_error *err)
{
	/* dlsym's void * is copied into the function pointers: ISO C has no
	 * conversion between the two, POSIX requires they be alike. */
	static const struct { const char *name; size_t off; } syms[] = {
		{ "curl_easy_init", offsetof(struct curl_fns, easy_init) },
		{ "curl_easy_setopt", offsetof(struct curl_fns, easy_setopt) },
		{ "curl_easy_perform", offsetof(struct curl_fns, easy_perform) },
		{ "curl_easy_getinfo", offsetof(struct curl_fns, easy_getinfo) },
		{ "curl_easy_cleanup", offsetof(struct curl_fns, easy_cleanup) },
		{ "curl_easy_strerror", offsetof(struct curl_fns, easy_strerror) },
		{ "curl_slist_append", offsetof(struct curl_fns, slist_append) },
		{ "curl_slist_free_all", offsetof(struct curl_fns, slist_free_all) },
	};

	memset(f, 0, sizeof *f);
	if ((f->lib = dlopen(FETCH_LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return mgr_error_set(err, MGR_EIO, _("%s: cannot load %s to "
		    "download it: %s"), url, FETCH_LIBCURL, dlerror());
	for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++) {
		void *p = dlsym(f->lib, syms[i].name);

		if (p == NULL) {
			mgr_error_set(err, MGR_EIO, _("%s: %s has no %s: %s"),
			    url, FETCH_LIBCURL, syms[i].name, dlerror());
			dlclose(f->lib);
			return err->code;
		}
		memcpy((char *)f + syms[i].off, &p, sizeof p);
	}
	return 0;
}

struct fetch_sink {
	FILE *f;
	long long got, max;
	int too_big;
	char *etag;
};

static size_t
fetch_write(char *p, size_t size, size_t n, void *arg)
{
	struct fetch_sink *s = arg;

	if (s->got + (long long)n > s->max) {
		s->too_big = 1;
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	}
	s->got += (long long)n;
	return fwrite(p, size, n, s->f);
}

static size_t
fetch_header(char *p, size_t size, size_t n, void *arg)
{
	struct fetch_sink *s = arg;
	size_t len = size * n, k = sizeof "ETag:" - 1;

	if (len > k && strncasecmp(p, "ETag:", k) == 0) {
		const char *v = p + k;
		size_t vl = len - k;

		while (vl > 0 && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
		    v[vl - 1] == ' '))
			vl--;
		free(s->etag);
		s->etag = vl > 0 && vl < 256 ? xstrndup(v, vl) : NULL;
	}
	return len;
}

/* Whether another attempt may help. */
static int
fetch_transient(CURLcode c, long status)
{
	switch (c) {
	case CURLE_OK:
		return status >= 500 || status == 429;
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
		return 1;
	default:
		return 0;
	}
}

static int
fetch_error(const struct curl_fns *f, const struct fetch_opts *o,
	    const struct fetch_req *r, CURLcode c,
	    const struct fetch_sink *s, const char *detail, struct mgr_error *err)
{
	const char *msg = detail[0] != '\0' ? detail : f->easy_strerror(c);

	if (s->too_big || c == CURLE_FILESIZE_EXCEEDED)
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: size: larger than "
		    "the limit of %lld bytes"), r->url, r->max_bytes);
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return mgr_error_set(err, MGR_EIO, _("%s: DNS: %s"), r->url, msg);
	case CURLE_COULDNT_CONNECT:
		return mgr_error_set(err, MGR_EIO, _("%s: connection: %s"),
		    r->url, msg);
	case CURLE_OPERATION_TIMEDOUT:
		return mgr_error_set(err, MGR_ETIMEOUT, _("%s: timed out (no "
		    "answer within %d s): %s"), r->url, o->timeout, msg);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: TLS: %s"), r->url, msg);
	case CURLE_UNSUPPORTED_PROTOCOL:
		return mgr_error_set(err, MGR_EUNSAFE, _("%s: protocol refused "
		    "(https://, or http:// for a repository with a trusted key): "
		    "%s"), r->url, msg);
	default:
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), r->url, msg);
	}
}

static CURL *
fetch_handle(const struct curl_fns *f, const struct fetch_opts *o,
	     struct fetch_req *r,
	     struct fetch_sink *s, char *errbuf, struct curl_slist **hdrs)
{
	const char *protos = o->allow_http ? "https,http" : "https";
	CURL *c = f->easy_init();

	if (c == NULL)
		return NULL;
	f->easy_setopt(c, CURLOPT_URL, r->url);
	f->easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
	f->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	f->easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	f->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	f->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	f->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout);
	/* A server that stops sending: under 1 byte/s for timeout s. */
	f->easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	f->easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)o->timeout);
	f->easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout * 20);
	f->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
	f->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	f->easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	f->easy_setopt(c, CURLOPT_WRITEDATA, s);
	f->easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	f->easy_setopt(c, CURLOPT_HEADERDATA, s);
	f->easy_setopt(c, CURLOPT_FILETIME, 1L);
	f->easy_setopt(c, CURLOPT_USERAGENT, "manager/" PACKAGE_VERSION);
	if (o->ca_file != NULL)
		f->easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (r->etag != NULL) {
		char *h = xasprintf("If-None-Match: %s", r->etag);
		*hdrs = f->slist_append(NULL, h);
		free(h);
		f->easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
	}
	if (r->modified > 0) {
		f->easy_setopt(c, CURLOPT_TIMECONDITION,
		    (long)CURL_TIMECOND_IFMODSINCE);
		f->easy_setopt(c, CURLOPT_TIMEVALUE_LARGE,
		    (curl_off_t)r->modified);
	}
	return c;
}

/* One attempt; *status gets the HTTP status. */
static CURLcode
fetch_once(const struct curl_fns *f, const struct fetch_opts *o,
	   struct fetch_req *r,
	   struct fetch_sink *s, char *errbuf, long *status)
{
	struct curl_slist *hdrs = NULL;
	curl_off_t ft = -1;
	CURL *c;
	CURLcode rc;

	errbuf[0] = '\0';
	if ((c = fetch_handle(f, o, r, s, errbuf, &hdrs)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	rc = f->easy_perform(c);
	*status = 0;
	f->easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (f->easy_getinfo(c, CURLINFO_FILETIME_T, &ft) == CURLE_OK && ft > 0)
		r->new_modified = (long long)ft;
	f->easy_cleanup(c);
	f->slist_free_all(hdrs);
	return rc;
}

static int
fetch_with(const struct curl_fns *f, const struct fetch_opts *o,
	   struct fetch_req *r, struct mgr_error *err)
{
	char errbuf[CURL_ERROR_SIZE];
	struct fetch_sink s = { .max = r->max_bytes };
	CURLcode rc = CURLE_OK;
	long status = 0;

	for (int attempt = 0; attempt <= o->retries; attempt++) {
		int fd;

		if (attempt > 0) {
			struct timespec ts = { 0, 250000000L << (attempt - 1) };
			while (ts.tv_nsec >= 1000000000L)
				ts.tv_sec++, ts.tv_nsec -= 1000000000L;
			nanosleep(&ts, NULL);
		}
		fd = open(r->dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || (s.f = fdopen(fd, "w")) == NULL) {
			if (fd >= 0)
				close(fd);
			return mgr_error_set(err, MGR_EIO, "%s: %s", r->dest,
			    strerror(errno));
		}
		s.got = 0;
		s.too_big = 0;
		rc = fetch_once(f, o, r, &s, errbuf, &status);
		if (fclose(s.f) != 0 && rc == CURLE_OK)
			rc = CURLE_WRITE_ERROR;
		if (!fetch_transient(rc, status) || s.too_big)
			break;
	}
	r->status = status;
	r->new_etag = s.etag;
	if (rc != CURLE_OK)
		return fetch_error(f, o, r, rc, &s, errbuf, err);
	if (status == 304 && (r->etag != NULL || r->modified > 0)) {
		r->not_modified = 1;
		return 0;
	}
	if (status == 404)
		return mgr_error_set(err, MGR_ENOENT, _("%s: HTTP status 404 "
		    "(not found)"), r->url);
	if (status != 200)
		return mgr_error_set(err, MGR_EIO, _("%s: HTTP status %ld"),
		    r->url, status);
	return 0;
}

/* libcurl stays loaded once opened (no dlclose): curl_easy_init set up
 * its global state and the TLS library's, which are not made to be
 * unloaded from under a process; a second download finds it there. */
int
fetch_url(const struct fetch_opts *o, struct fetch_req *r,
	  struct mgr_error *err)
{
	struct curl_fns f;
	int rc;

	if ((rc = curl_fns_open(&f, r->url, err)) != 0)
		return rc;
	return fetch_with(&f, o, r, err);
}

void
fetch_req_clear(struct fetch_req *r)
{
	free(r->new_etag);
	r->new_etag = NULL;
}
