/* idmap.h - a set of strings (task ids, crontab job keys) with an int
 * each, for the bulk paths (`task add --from`, `task import`): a file of
 * 100,000 tasks looks each id up once, never compares every pair. */
#ifndef MGR_IDMAP_H
#define MGR_IDMAP_H

#include <stddef.h>

struct idmap_slot;
struct idmap {
	struct idmap_slot *v;
	size_t cap, n;		/* cap: a power of two, or 0 */
};

#define IDMAP_INIT { NULL, 0, 0 }

/* The value of key, or NULL when it is not in the map. */
int *idmap_get(const struct idmap *m, const char *key);
/* The value of key, added as `value` when it was not there (*added 1). */
int *idmap_put(struct idmap *m, const char *key, int value, int *added);
void idmap_clear(struct idmap *m);

#endif
