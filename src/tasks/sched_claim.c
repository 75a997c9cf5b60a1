/* sched_claim.c - the claim watermark: which fire times are taken.
 *
 * Before the engine starts a due fire time (or records it skipped or
 * missed) it writes the pair (fire time, task id) here; fire times are
 * taken in that order, so after a crash every pair at or below the mark
 * was claimed and perhaps started, and every pair above it never was.
 * At start the scheduler records a claimed time that left no run row as
 * `interrupted` (never runs it again unless the task says
 * on_interrupt = rerun) and schedules the rest afresh.
 *
 * The mark lives in a small file beside the database, mapped shared: a
 * store into the mapping is in the kernel's page cache at once, so it
 * survives kill -9 of the engine at any instruction, and costs a memory
 * write instead of a transaction.  (SQLite has one writer at a time and
 * the history writer holds it for whole batches: a claim there would
 * wait behind history.)  Two slots, written in turn, each with a
 * sequence number stored last, so a mark cut short by a crash is never
 * read: the other slot still holds the one before.  Like SQLite with
 * synchronous = NORMAL, a power loss may lose the latest marks; that can
 * make a fire time run again, never be lost.
 */
#include "i18n.h"
#include "sched_int.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLAIM_MAGIC UINT64_C(0x314d49414c43474d)	/* "MGCLAIM1" */
#define CLAIM_ID_MAX 1000

struct claim_slot {
	uint64_t seq;		/* 0: never written; stored last */
	int64_t fire;
	uint32_t idlen;
	char id[CLAIM_ID_MAX];
};

struct claim_file {
	uint64_t magic;
	struct claim_slot slot[2];
};

struct sched_claim {
	struct claim_file *map;
	int fd;
	uint64_t seq;		/* of the newest slot */
	int64_t fire;		/* the mark, as in the newest slot */
	size_t idlen;
	char id[CLAIM_ID_MAX];
};

static int
claim_map(struct sched_claim *c, const char *path, struct mgr_error *err)
{
	struct stat sb;

	c->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->fd < 0)
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(errno));
	if (fstat(c->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    ((size_t)sb.st_size < sizeof *c->map &&
	    ftruncate(c->fd, sizeof *c->map) != 0))
		return mgr_error_set(err, MGR_EIO, _("%s: cannot size the claim file"),
		    path);
	c->map = mmap(NULL, sizeof *c->map, PROT_READ | PROT_WRITE, MAP_SHARED,
	    c->fd, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return mgr_error_set(err, MGR_EIO, _("%s: %s"), path, strerror(errno));
	}
	return 0;
}

/* Takes the newest whole slot as the mark. */
static void
claim_read(struct sched_claim *c)
{
	struct claim_file *f = c->map;
	const struct claim_slot *best = NULL;

	if (f->magic != CLAIM_MAGIC) {
		memset(f, 0, sizeof *f);
		f->magic = CLAIM_MAGIC;
		return;
	}
	for (int i = 0; i < 2; i++)
		if (f->slot[i].seq != 0 && f->slot[i].idlen < CLAIM_ID_MAX &&
		    (best == NULL || f->slot[i].seq > best->seq))
			best = &f->slot[i];
	if (best == NULL)
		return;
	c->seq = best->seq;
	c->fire = best->fire;
	c->idlen = best->idlen;
	memcpy(c->id, best->id, c->idlen);
}

int
sched_claim_open(const char *db_path, struct sched_claim **out,
		 struct mgr_error *err)
{
	struct sched_claim *c = xcalloc(1, sizeof *c);
	char *path = xasprintf("%s.claim", db_path);
	int rc = claim_map(c, path, err);

	free(path);
	if (rc != 0) {
		sched_claim_close(c);
		return rc;
	}
	claim_read(c);
	*out = c;
	return 0;
}

void
sched_claim_close(struct sched_claim *c)
{
	if (c == NULL)
		return;
	if (c->map != NULL)
		munmap(c->map, sizeof *c->map);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* <0, 0, >0 as (fire, id) sorts before, with or after the mark.  An id
 * longer than a slot compares by its first CLAIM_ID_MAX - 1 bytes, and
 * a tie counts as claimed: when in doubt, never run twice. */
static int
claim_cmp(const struct sched_claim *c, int64_t fire, const char *id)
{
	size_t n = strlen(id);
	int d;

	if (fire != c->fire)
		return fire < c->fire ? -1 : 1;
	if (n >= CLAIM_ID_MAX)
		n = CLAIM_ID_MAX - 1;
	d = memcmp(id, c->id, n < c->idlen ? n : c->idlen);
	if (d != 0 || n == c->idlen || n >= CLAIM_ID_MAX - 1)
		return d;
	return n < c->idlen ? -1 : 1;
}

int
sched_claim_covers(const struct sched_claim *c, int64_t fire, const char *id)
{
	return c != NULL && c->seq != 0 && claim_cmp(c, fire, id) <= 0;
}

void
sched_claim_mark(struct sched_claim *c, int64_t fire, const char *id)
{
	struct claim_slot *s;
	size_t n = strlen(id);

	if (c == NULL || (c->seq != 0 && claim_cmp(c, fire, id) <= 0))
		return;		/* never moves back */
	if (n >= CLAIM_ID_MAX)
		n = CLAIM_ID_MAX - 1;
	s = &c->map->slot[(c->seq + 1) & 1];
	s->seq = 0;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	s->fire = fire;
	s->idlen = (uint32_t)n;
	memcpy(s->id, id, n);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	s->seq = ++c->seq;
	c->fire = fire;
	c->idlen = n;
	memcpy(c->id, id, n);
}
