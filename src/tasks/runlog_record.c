/* runlog_record.c - one record of a run log, head and payload. */
#include "runlog_record.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

void
runlog_head_encode(unsigned char h[RUNLOG_HEAD_LEN], int kind, size_t len,
		   int64_t at)
{
	uint64_t t = (uint64_t)at;

	for (int i = 0; i < 4; i++)
		h[i] = (unsigned char)(len >> (8 * i));
	h[4] = (unsigned char)kind;
	h[5] = h[6] = h[7] = 0;
	for (int i = 0; i < 8; i++)
		h[8 + i] = (unsigned char)(t >> (8 * i));
}

uint32_t
runlog_head_len(const unsigned char h[RUNLOG_HEAD_LEN])
{
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	    (uint32_t)h[3] << 24;
}

int
runlog_record_write(int fd, int64_t *off, int kind, const char *buf, size_t n,
		    int64_t at)
{
	unsigned char h[RUNLOG_HEAD_LEN];
	struct iovec iov[2] = { { h, sizeof h }, { (void *)buf, n } };
	ssize_t w;
	int e;

	runlog_head_encode(h, kind, n, at);
	do
		w = writev(fd, iov, 2);
	while (w == -1 && errno == EINTR);
	if (w == (ssize_t)(RUNLOG_HEAD_LEN + n)) {
		*off += w;
		return 0;
	}
	/* A reader must never meet a head without its bytes (disk full,
	 * quota): the part that went in is cut off. */
	e = w == -1 ? errno : ENOSPC;
	if (ftruncate(fd, *off) != 0 || lseek(fd, *off, SEEK_SET) != *off)
		e = errno;
	return e;
}
