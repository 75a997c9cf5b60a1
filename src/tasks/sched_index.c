/* sched_index.c - the scheduler's id table (chained hashing) and its
 * binary min-heap of fire times: O(1) lookups and O(log n) re-arming for
 * 100,000 tasks, with one libev timer for the top of the heap. */
#include "sched_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* The bucket of id in a table of n (a power of two). */
static size_t
bucket_of(const char *id, size_t n)
{
	return fnv1a(FNV_OFFSET, id) & (n - 1);
}

struct stask *
sched_find(struct scheduler *s, const char *id)
{
	struct stask *t;

	if (s->nbuckets == 0)
		return NULL;
	for (t = s->buckets[bucket_of(id, s->nbuckets)]; t != NULL; t = t->hnext)
		if (strcmp(t->id, id) == 0)
			return t;
	return NULL;
}

/* To n buckets (a power of two, more than now): every task again. */
static void
sched_grow(struct scheduler *s, size_t n)
{
	struct stask **b = xcalloc(n, sizeof *b), *t, *next;

	for (size_t i = 0; i < s->nbuckets; i++) {
		for (t = s->buckets[i]; t != NULL; t = next) {
			size_t k = bucket_of(t->id, n);
			next = t->hnext;
			t->hnext = b[k];
			b[k] = t;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = n;
}

/* Up to two tasks a bucket on average: a lookup compares one or two ids
 * and the table costs 4-8 bytes a task instead of 8-16 (issue 18's bytes
 * per task). */
#define TASKS_PER_BUCKET 2

void
sched_insert(struct scheduler *s, struct stask *t)
{
	size_t k;

	if (s->ntasks >= TASKS_PER_BUCKET * s->nbuckets)
		sched_grow(s, s->nbuckets ? s->nbuckets * 2 : 1024);
	k = bucket_of(t->id, s->nbuckets);
	t->hnext = s->buckets[k];
	s->buckets[k] = t;
	s->ntasks++;
}

void
sched_reserve(struct scheduler *s, size_t more)
{
	size_t n = s->nbuckets ? s->nbuckets : 1024, cap = s->capheap;

	while (TASKS_PER_BUCKET * n <= s->ntasks + more)
		n *= 2;
	if (n > s->nbuckets)
		sched_grow(s, n);
	/* Room for just these (a bulk load is one reservation, and the heap
	 * is 8 bytes a task, not up to 16); a quarter more at least, so
	 * that many small reservations copy the heap few times. */
	if (cap < s->nheap + more)
		cap = s->nheap + more > cap + cap / 4 ? s->nheap + more :
		    cap + cap / 4;
	if (cap > s->capheap) {
		s->capheap = cap;
		s->heap = xrealloc(s->heap, cap * sizeof *s->heap);
	}
}

void
sched_unlink(struct scheduler *s, struct stask *t)
{
	struct stask **pp = &s->buckets[bucket_of(t->id, s->nbuckets)];

	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			s->ntasks--;
			return;
		}
	}
}

void
sched_free_index(struct scheduler *s)
{
	free(s->buckets);
	free(s->heap);
	s->buckets = NULL;
	s->heap = NULL;
	s->nbuckets = s->ntasks = s->nheap = s->capheap = 0;
}

static void
heap_set(struct scheduler *s, size_t i, struct stask *t)
{
	s->heap[i] = t;
	t->heap_pos = (uint32_t)i;
}

/* The heap is ordered by fire time, then id: due tasks are taken in the
 * order of the claim watermark (sched_claim.c). */
static int
heap_before(const struct stask *a, const struct stask *b)
{
	if (a->fire != b->fire)
		return a->fire < b->fire;
	return strcmp(a->id, b->id) < 0;
}

static void
heap_up(struct scheduler *s, size_t i)
{
	struct stask *t = s->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!heap_before(t, s->heap[parent]))
			break;
		heap_set(s, i, s->heap[parent]);
		i = parent;
	}
	heap_set(s, i, t);
}

static void
heap_down(struct scheduler *s, size_t i)
{
	struct stask *t = s->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && heap_before(s->heap[c + 1], s->heap[c]))
			c++;
		if (!heap_before(s->heap[c], t))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, t);
}

void
heap_update(struct scheduler *s, struct stask *t)
{
	if (t->heap_pos == SCHED_NOT_IN_HEAP) {
		if (s->nheap == s->capheap) {
			s->capheap = s->capheap ? s->capheap * 2 : 1024;
			s->heap = xrealloc(s->heap, s->capheap * sizeof *s->heap);
		}
		heap_set(s, s->nheap++, t);
	}
	heap_up(s, t->heap_pos);
	heap_down(s, t->heap_pos);
}

void
heap_remove(struct scheduler *s, struct stask *t)
{
	size_t i = t->heap_pos;
	struct stask *moved;

	if (i == SCHED_NOT_IN_HEAP)
		return;
	t->heap_pos = SCHED_NOT_IN_HEAP;
	if (--s->nheap == i)
		return;
	moved = s->heap[s->nheap];
	heap_set(s, i, moved);
	heap_up(s, i);
	heap_down(s, moved->heap_pos);
}

struct stask *
heap_top(struct scheduler *s)
{
	return s->nheap > 0 ? s->heap[0] : NULL;
}
