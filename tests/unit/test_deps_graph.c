/* test_deps_graph.c - cycles in the `after` graph (src/tasks/deps_graph.c)
 * and the stored form of a task's hooks (src/tasks/task_hooks.c). */
#include "testutil.h"
#include "task_hooks.h"

#include <string.h>

/* A graph as lines "task up1 up2 ...". */
struct graph {
	const char *const *lines;
	char **ups[16];
};

static char *const *
upstream(void *arg, const char *id)
{
	struct graph *g = arg;

	for (size_t i = 0; g->lines[i] != NULL; i++) {
		size_t n = strcspn(g->lines[i], " ");
		if (strlen(id) != n || strncmp(g->lines[i], id, n) != 0)
			continue;
		if (g->ups[i] == NULL) {
			char *copy = xstrdup(g->lines[i] + n), *save = NULL;
			for (char *w = strtok_r(copy, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				g->ups[i] = strv_push(g->ups[i], w);
			free(copy);
		}
		return g->ups[i];
	}
	return NULL;
}

/* The cycle found from start, or NULL. */
static char *
cycle_of(const char *const *lines, const char *start)
{
	struct graph g = { .lines = lines };
	char *cycle = NULL;
	int found = deps_find_cycle(start, upstream, &g, &cycle);

	for (size_t i = 0; i < 16; i++)
		strv_free(g.ups[i]);
	assert_int_equal(found, cycle != NULL);
	return cycle;
}

static void
test_no_cycle(void **state)
{
	const char *const chain[] = { "c b", "b a", NULL };
	const char *const diamond[] = { "d b c", "b a", "c a", NULL };

	(void)state;
	assert_null(cycle_of(chain, "c"));
	assert_null(cycle_of(diamond, "d"));
	assert_null(cycle_of(diamond, "a"));
}

static void
test_cycles(void **state)
{
	const char *const two[] = { "a b", "b a", NULL };
	const char *const three[] = { "a c", "b a", "c b", NULL };
	const char *const self[] = { "a a", NULL };
	const char *const beside[] = { "a x c", "x", "c b", "b a", NULL };
	char *c;

	(void)state;
	c = cycle_of(two, "a");
	assert_string_equal(c, "a -> b -> a");
	free(c);
	/* Said in the order the runs would go: c runs first, then b, a. */
	c = cycle_of(three, "a");
	assert_string_equal(c, "a -> b -> c -> a");
	free(c);
	c = cycle_of(self, "a");
	assert_string_equal(c, "a -> a");
	free(c);
	c = cycle_of(beside, "a");
	assert_string_equal(c, "a -> b -> c -> a");
	free(c);
}

static void
test_hooks_json(void **state)
{
	struct mgr_error err = { 0 };
	struct task_hooks h, back;
	char *json;

	(void)state;
	task_hooks_init(&h);
	assert_true(task_hooks_empty(&h));
	assert_null(task_hooks_to_json(&h));
	assert_int_equal(task_hooks_set(&h, "on_failure", "webhook:http://x/",
	    &err), 1);
	assert_int_equal(task_hooks_set(&h, "after", "a", &err), 1);
	assert_int_equal(task_hooks_set(&h, "after", "a", &err), 1);
	assert_int_equal(task_hooks_set(&h, "after_any", "b", &err), 1);
	assert_int_equal(task_hooks_set(&h, "trigger", "x", &err), 0);
	assert_true(task_hooks_set(&h, "after", "-bad", &err) < 0);
	assert_non_null(strstr(err.msg, "after"));
	json = task_hooks_to_json(&h);
	assert_non_null(json);
	assert_int_equal(task_hooks_from_json(json, &back, &err), 0);
	assert_string_equal(back.on[HOOK_FAILURE], "webhook:http://x/");
	assert_null(back.on[HOOK_SUCCESS]);
	assert_string_equal(back.after[0], "a");
	assert_null(back.after[1]);
	assert_string_equal(back.after_any[0], "b");
	task_hooks_clear(&back);	/* from_json starts from an empty set */
	assert_int_not_equal(task_hooks_from_json("{\"after\": [1]}", &back,
	    &err), 0);
	assert_non_null(strstr(err.msg, "after"));
	assert_int_not_equal(task_hooks_from_json("{\"on_success\": 3}", &back,
	    &err), 0);
	assert_non_null(strstr(err.msg, "on_success"));
	free(json);
	task_hooks_clear(&h);
	task_hooks_clear(&back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_cycle),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_hooks_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
