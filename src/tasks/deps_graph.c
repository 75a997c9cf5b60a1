/* deps_graph.c - cycles in the graph of `after` dependencies.  Pure:
 * the edges come from a callback, so the same search serves the store
 * (task_hooks_check) and the unit test. */
#include "task_hooks.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct dfs {
	deps_upstream_fn upstream;
	void *arg;
	const char *start;
	const char **path;	/* the ids from start to here */
	size_t depth, cap;
	const char **seen;	/* ids whose upstreams lead nowhere new */
	size_t nseen, capseen;
};

static int
dfs_seen(const struct dfs *d, const char *id)
{
	for (size_t i = 0; i < d->nseen; i++)
		if (strcmp(d->seen[i], id) == 0)
			return 1;
	return 0;
}

static void
dfs_push(const char ***v, size_t *n, size_t *cap, const char *id)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = id;
}

/* Depth first from id; 1 when start is reached again.  The graph was
 * acyclic before start's edges changed, so a cycle, if any, passes
 * through start, and a node explored once need not be explored again. */
static int
dfs_visit(struct dfs *d, const char *id)
{
	char *const *up = d->upstream(d->arg, id);

	dfs_push(&d->path, &d->depth, &d->cap, id);
	for (size_t i = 0; up != NULL && up[i] != NULL; i++) {
		if (strcmp(up[i], d->start) == 0) {
			dfs_push(&d->path, &d->depth, &d->cap, up[i]);
			return 1;
		}
		if (dfs_seen(d, up[i]))
			continue;
		dfs_push(&d->seen, &d->nseen, &d->capseen, up[i]);
		if (dfs_visit(d, up[i]))
			return 1;
	}
	d->depth--;
	return 0;
}

int
deps_find_cycle(const char *start, deps_upstream_fn upstream, void *arg,
		char **cycle)
{
	struct dfs d = { .upstream = upstream, .arg = arg, .start = start };
	int found = dfs_visit(&d, start);

	*cycle = NULL;
	if (found) {
		struct strbuf b = { 0 };

		/* Said in the order runs would go: upstream first. */
		for (size_t i = d.depth; i-- > 0;)
			strbuf_addf(&b, "%s%s", d.path[i], i > 0 ? " -> " : "");
		*cycle = strbuf_detach(&b);
	}
	free(d.path);
	free(d.seen);
	return found;
}
