/* fetch.c - one HTTP(S) download with libcurl (blocking, client side). */
#include "i18n.h"
#include "fetch.h"
#include "util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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
fetch_error(const struct fetch_opts *o, const struct fetch_req *r, CURLcode c,
	    const struct fetch_sink *s, const char *detail, struct mgr_error *err)
{
	const char *msg = detail[0] != '\0' ? detail : curl_easy_strerror(c);

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
fetch_handle(const struct fetch_opts *o, struct fetch_req *r,
	     struct fetch_sink *s, char *errbuf, struct curl_slist **hdrs)
{
	const char *protos = o->allow_http ? "https,http" : "https";
	CURL *c = curl_easy_init();

	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protos);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, protos);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)o->timeout);
	/* A server that stops sending: under 1 byte/s for timeout s. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)o->timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)o->timeout * 20);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, fetch_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "manager/" PACKAGE_VERSION);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (r->etag != NULL) {
		char *h = xasprintf("If-None-Match: %s", r->etag);
		*hdrs = curl_slist_append(NULL, h);
		free(h);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
	}
	if (r->modified > 0) {
		curl_easy_setopt(c, CURLOPT_TIMECONDITION,
		    (long)CURL_TIMECOND_IFMODSINCE);
		curl_easy_setopt(c, CURLOPT_TIMEVALUE_LARGE,
		    (curl_off_t)r->modified);
	}
	return c;
}

/* One attempt; *status gets the HTTP status. */
static CURLcode
fetch_once(const struct fetch_opts *o, struct fetch_req *r,
	   struct fetch_sink *s, char *errbuf, long *status)
{
	struct curl_slist *hdrs = NULL;
	curl_off_t ft = -1;
	CURL *c;
	CURLcode rc;

	errbuf[0] = '\0';
	if ((c = fetch_handle(o, r, s, errbuf, &hdrs)) == NULL)
		return CURLE_OUT_OF_MEMORY;
	rc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	if (curl_easy_getinfo(c, CURLINFO_FILETIME_T, &ft) == CURLE_OK && ft > 0)
		r->new_modified = (long long)ft;
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	return rc;
}

int
fetch_url(const struct fetch_opts *o, struct fetch_req *r,
	  struct mgr_error *err)
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
		rc = fetch_once(o, r, &s, errbuf, &status);
		if (fclose(s.f) != 0 && rc == CURLE_OK)
			rc = CURLE_WRITE_ERROR;
		if (!fetch_transient(rc, status) || s.too_big)
			break;
	}
	r->status = status;
	r->new_etag = s.etag;
	if (rc != CURLE_OK)
		return fetch_error(o, r, rc, &s, errbuf, err);
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

void
fetch_req_clear(struct fetch_req *r)
{
	free(r->new_etag);
	r->new_etag = NULL;
}
