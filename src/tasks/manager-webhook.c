/* manager-webhook.c - the sender of webhook: notifications (notify_run.c):
 * POSTs what it reads on stdin, as application/json, to a URL, with
 * libcurl.
 *
 *	manager-webhook [--max-time=S] -- URL
 *
 * The engine runs it as it runs an exec: notification (through
 * manager-exec, with the sandbox's limits, the run's timeout, the body
 * fed by --stdin-env), so the loop never waits for the network and a
 * slow or crashing transfer is a child's failure.  It is a program of
 * its own rather than part of manager-exec, which every exec: task
 * starts and which links libc alone to start fast.
 *
 * Exit status: 0 when the server answered 2xx or 3xx (redirects are not
 * followed: a POST is not sent twice), 1 when it answered 400 or more or
 * the transfer failed (the reason, naming the URL, on stderr), 2 for a
 * usage error.  Only http:// and https:// URLs are sent. */
#include "i18n.h"

#include <curl/curl.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BODY_MAX (16 * 1024 * 1024)	/* far above what the engine sends */
#define TIME_DEFAULT 30			/* s, manager.notify_timeout's */

/* The body: all of stdin, up to BODY_MAX.  NULL (errno set) when it
 * cannot be read or is longer. */
static char *
read_body(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t got;

	while (b != NULL) {
		if (n == cap) {
			if (cap >= BODY_MAX || (nb = realloc(b, cap * 2)) == NULL) {
				free(b);
				errno = cap >= BODY_MAX ? EFBIG : ENOMEM;
				return NULL;
			}
			b = nb;
			cap *= 2;
		}
		got = read(STDIN_FILENO, b + n, cap - n);
		if (got == 0)
			break;
		if (got < 0 && errno != EINTR) {
			free(b);
			return NULL;
		}
		if (got > 0)
			n += (size_t)got;
	}
	*len = n;
	return b;
}

/* The answer's body is of no use: dropped. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static int
post(const char *url, const char *body, size_t len, long max_time)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdrs = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;
	long status = 0;

	if (c == NULL) {
		fprintf(stderr, _("manager-webhook: cannot start libcurl\n"));
		return 1;
	}
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, max_time);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, max_time);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "manager/" PACKAGE_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdrs);
	if (rc != CURLE_OK) {
		fprintf(stderr, _("manager-webhook: %s: %s\n"), url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		return 1;
	}
	if (status >= 400) {
		fprintf(stderr, _("manager-webhook: %s: the server answered "
		    "HTTP %ld\n"), url, status);
		return 1;
	}
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, _("usage: manager-webhook [--max-time=SECONDS] -- URL "
	    "(the JSON body on stdin)\n"));
	return 2;
}

int
main(int argc, char **argv)
{
	long max_time = TIME_DEFAULT;
	size_t len;
	char *body, *end;
	int i, rc;

	setlocale(LC_ALL, "");
#if ENABLE_NLS
	bindtextdomain(PACKAGE, getenv("MANAGER_LOCALEDIR") != NULL ?
	    getenv("MANAGER_LOCALEDIR") : LOCALEDIR);
#endif
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strncmp(argv[i], "--max-time=", 11) != 0)
			return usage();
		errno = 0;
		max_time = strtol(argv[i] + 11, &end, 10);
		if (errno != 0 || *end != '\0' || max_time < 1 || max_time > 86400) {
			fprintf(stderr, _("manager-webhook: --max-time: \"%s\" is "
			    "not a number of seconds from 1 to 86400\n"),
			    argv[i] + 11);
			return 2;
		}
	}
	if (i + 2 != argc)
		return usage();
	if ((body = read_body(&len)) == NULL) {
		fprintf(stderr, _("manager-webhook: cannot read the body on "
		    "stdin: %s\n"), strerror(errno));
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, _("manager-webhook: cannot start libcurl\n"));
		free(body);
		return 1;
	}
	rc = post(argv[i + 1], body, len, max_time);
	curl_global_cleanup();
	free(body);
	return rc;
}
