/* worker_host.c - answering a sandbox worker's state and log queries
 * (see worker_host.h). */
#include "manager.h"
#include "store.h"
#include "util.h"
#include "worker_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

static void
answer(int reqfd, int rc, const char *value)
{
	char head[64];
	size_t vlen = value != NULL ? strlen(value) : 0;
	struct iovec iov[2] = { { head, 0 }, { (void *)value, vlen } };

	iov[0].iov_len = (size_t)snprintf(head, sizeof head, "A %d %zu\n", rc,
	    vlen);
	/* A worker that went away is noticed by its ev_child. */
	(void)write_iov(reqfd, iov, 2, 1);
}

static enum log_level
query_level(size_t n)
{
	return n <= LOG_LVL_DEBUG ? (enum log_level)n : LOG_LVL_DEBUG;
}

static void
query_run(struct mgr *mgr, const char *plugin, char kind, size_t num,
	  const char *key, const char *value, int reqfd)
{
	struct mgr_error err = { 0 };
	char *got = NULL;
	int rc;

	switch (kind) {
	case 'g':
		rc = plugin_state_get(mgr->db, plugin, key, &got, &err);
		answer(reqfd, rc != 0 ? -1 : got != NULL ? 0 : 1, got);
		free(got);
		break;
	case 's':
		rc = plugin_state_set(mgr->db, plugin, key, value, &err);
		if (rc != 0)
			log_warning(&mgr->log, "plugin %s: state: %s", plugin,
			    err.msg);
		answer(reqfd, rc != 0 ? -1 : 0, NULL);
		break;
	default:	/* 'l': num is the level */
		log_msg(&mgr->log, query_level(num), "plugin %s: %s", plugin, key);
		break;
	}
}

int
worker_host_query(struct mgr *mgr, const char *plugin, struct strbuf *in,
		  int reqfd)
{
	char kind, *nl, *key, *value;
	size_t a, b, head, len;

	if ((nl = memchr(in->buf, '\n', in->len)) == NULL)
		return in->len > 64 ? -1 : 0;
	if (sscanf(in->buf, "Q %c %zu %zu", &kind, &a, &b) != 3 ||
	    strchr("gsl", kind) == NULL || a > WORKER_QUERY_MAX ||
	    b > WORKER_QUERY_MAX)
		return -1;
	head = (size_t)(nl - in->buf) + 1;
	len = kind == 'l' ? b : a + b;
	if (in->len < head + len)
		return 0;
	key = xstrndup(in->buf + head, kind == 'l' ? b : a);
	value = xstrndup(in->buf + head + (kind == 'l' ? b : a),
	    kind == 'l' ? 0 : b);
	query_run(mgr, plugin, kind, a, key, value, reqfd);
	free(key);
	free(value);
	memmove(in->buf, in->buf + head + len, in->len - head - len);
	in->len -= head + len;
	in->buf[in->len] = '\0';
	return 1;
}
