/* util.h - allocation that cannot fail, strings, paths, files. */
#ifndef MGR_UTIL_H
#define MGR_UTIL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

/* Allocation failure aborts: there is no sane recovery from it here. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* v in decimal at buf (room for 21 bytes), as "%lld" writes it; its
 * length.  snprintf's format parsing was most of the cost of the
 * numbers in each stored trigger at the scheduler's start. */
size_t fmt_int64(char *buf, int64_t v);

/* qsort that takes an empty list, which may be NULL (qsort's may not). */
void sort_array(void *base, size_t n, size_t size,
		int (*cmp)(const void *, const void *));

/* FNV-1a: s's bytes folded into h, which is FNV_OFFSET for a new hash
 * (or a hash to go on from).  Tables keyed by ids use it; its low bits
 * follow the keys' last bytes, so a table of 2^k slots mixes first. */
#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)
uint64_t fnv1a(uint64_t h, const char *s);

/* How an owner tells its worker threads to end: *flag set under mu and
 * every waiter on cv woken (the owner then joins them).  The history
 * writer, the spawner, the log file pool and the heartbeat stop so. */
void thread_ask_stop(pthread_mutex_t *mu, pthread_cond_t *cv, int *flag);
/* pthread_create, the thread named (at most 15 bytes: "mgr-writer"), so
 * that top -H, ps -L and /proc/PID/task/TID/comm say which thread of the
 * engine runs or wakes.  0, or pthread_create's error. */
int thread_create_named(pthread_t *t, const char *name,
			void *(*fn)(void *), void *arg);

/* NULL-terminated string vectors. */
void strv_free(char **v);
size_t strv_len(char *const *v);
/* Whether v (NULL-terminated, or NULL) holds a string equal to s. */
int strv_has(char *const *v, const char *s);
/* A new JSON array of v's strings ([] for NULL). */
struct json_t;
struct json_t *strv_json(char *const *v);
char **strv_push(char **v, const char *s);

/* A growing string. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT { NULL, 0, 0 }
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *strbuf_detach(struct strbuf *sb);	/* never NULL */
void strbuf_free(struct strbuf *sb);

/* Joins base and path unless path is absolute; base NULL = cwd. */
char *path_resolve(const char *base, const char *path);
/* Absolute folder holding path. */
char *path_dirname_abs(const char *path);
/* mkdir -p, each created folder with mode; an existing leaf gets mode too
 * when fix_leaf is set. */
int mkdir_p(const char *path, mode_t mode, int fix_leaf, struct mgr_error *err);
/* rm -rf without following symlinks. */
int rm_rf(const char *path, struct mgr_error *err);
/* Copies a file (mode preserved); dst is created exclusively. */
int copy_file(const char *src, const char *dst, mode_t mode, struct mgr_error *err);
/* Copies a folder (created 0700) with its regular files (0600) and
 * folders; a symbolic link or a device is an error (MGR_EUNSAFE). */
int tree_copy(const char *src, const char *dst, struct mgr_error *err);
/* Writes cnt buffers whole, in as few calls as the kernel allows
 * (sendmsg without SIGPIPE when sock, else writev); iov is consumed.
 * 0, or -1 with errno. */
struct iovec;
int write_iov(int fd, struct iovec *iov, int cnt, int sock);
/* Sends "LEN\n" and then LEN bytes of body on a socket in one
 * sendmsg, so the peer wakes once per request, not once for the head
 * and again for the body (the worker protocol's framing).  0, or -1
 * with errno when the peer is gone. */
int send_framed(int fd, const void *body, size_t len);
/* Reads a whole file (NUL-terminated); *len may be NULL. */
int read_file(const char *path, char **out, size_t *len, struct mgr_error *err);

/* SHA-256 of a file, as 64 lowercase hex digits plus NUL. */
int sha256_file(const char *path, char out[65], struct mgr_error *err);
void sha256_hex(const void *data, size_t len, char out[65]);

/* Ids of tasks, and every id a client passes (CLI, task files, HTTP
 * routes): 1 to MGR_ID_MAX bytes of ASCII letters, digits and . _ - @ : +,
 * the first a letter or digit.  So an id is never taken for an option
 * ("--help"), needs no quoting in a URL or a shell, and fits any buffer.
 * Plugin ids follow a stricter rule of their own (a subset of this one). */
#define MGR_ID_MAX 128
int mgr_id_valid(const char *id);
/* The same, as an error naming what (e.g. "task id"), the id (its first
 * bytes when long) and the rule. */
int mgr_id_check(const char *what, const char *id, struct mgr_error *err);

/* A copy of s in which every byte that is not part of valid UTF-8 is
 * replaced by U+FFFD, so that it can go into JSON. */
char *utf8_sanitize(const char *s);
/* The length of s cut to at most max bytes without splitting a UTF-8
 * character. */
size_t utf8_prefix_len(const char *s, size_t max);

/* Wall clock, Unix microseconds (CLOCK_REALTIME). */
int64_t mgr_now_us(void);
/* Monotonic clock, microseconds (CLOCK_MONOTONIC), for durations. */
int64_t mgr_mono_us(void);
#endif
