/* idmap.c - open addressing with linear probing, FNV-1a (idmap.h). */
#include "idmap.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct idmap_slot {
	char *key;		/* NULL: empty */
	int value;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = fnv1a(FNV_OFFSET, s);

	/* FNV's low bits (the slot) follow the keys' low bits: ids that
	 * differ in a digit or two would crowd; mix the high bits down. */
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	return h ^ (h >> 33);
}

static struct idmap_slot *
find(const struct idmap *m, const char *key)
{
	size_t i = (size_t)hash(key) & (m->cap - 1);

	while (m->v[i].key != NULL && strcmp(m->v[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

/* Doubles the table (kept at most half full, so probes stay short). */
static void
grow(struct idmap *m)
{
	struct idmap old = *m;

	m->cap = old.cap != 0 ? old.cap * 2 : 64;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].key != NULL)
			*find(m, old.v[i].key) = old.v[i];
	free(old.v);
}

int *
idmap_get(const struct idmap *m, const char *key)
{
	struct idmap_slot *s;

	if (m->cap == 0)
		return NULL;
	s = find(m, key);
	return s->key != NULL ? &s->value : NULL;
}

int *
idmap_put(struct idmap *m, const char *key, int value, int *added)
{
	struct idmap_slot *s;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	s = find(m, key);
	*added = s->key == NULL;
	if (*added) {
		s->key = xstrdup(key);
		s->value = value;
		m->n++;
	}
	return &s->value;
}

void
idmap_clear(struct idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	memset(m, 0, sizeof *m);
}
