/* test_task_context.c - EnvironmentFile= parsing and the stored form of
 * a task's execution context (src/tasks/task_context.c). */
#include "testutil.h"
#include "task_context.h"

#include <jansson.h>

/* Writes text to DIR/env and parses it; returns the parser's status. */
static int
parse(const char *dir, const char *text, char ***env, struct mgr_error *err)
{
	char *path = xasprintf("%s/env", dir);
	FILE *f = fopen(path, "w");
	int rc;

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	*env = NULL;
	rc = task_env_file_read(path, env, err);
	free(path);
	return rc;
}

static void
expect_env(const char *text, const char *const *want)
{
	struct mgr_error err = { 0 };
	char *dir = tmpdir_new(), **env;
	size_t i;

	if (parse(dir, text, &env, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
	for (i = 0; want[i] != NULL; i++) {
		if (env == NULL || env[i] == NULL)
			fail_msg("%s: %zu variables, want %s", text, i, want[i]);
		assert_string_equal(env[i], want[i]);
	}
	assert_true(env == NULL || env[i] == NULL);
	strv_free(env);
	tmpdir_free(dir);
}

static void
expect_error(const char *text, const char *want)
{
	struct mgr_error err = { 0 };
	char *dir = tmpdir_new(), **env;

	assert_int_not_equal(parse(dir, text, &env, &err), 0);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: error \"%s\" lacks \"%s\"", text, err.msg, want);
	/* the file is named */
	assert_non_null(strstr(err.msg, dir));
	strv_free(env);
	tmpdir_free(dir);
}

static void
test_env_file_syntax(void **state)
{
	(void)state;
	expect_env("A=1\n\n# comment\n; comment too\n  B = two words  \n",
	    (const char *const []){ "A=1", "B=two words", NULL });
	expect_env("Q=\"a \\\"quoted\\\" \\\\ value\"\nS='lit $X \\n'\n",
	    (const char *const []){ "Q=a \"quoted\" \\ value", "S=lit $X \\n",
	    NULL });
	expect_env("J=one\\\ntwo\nK=\"x\\\ny\"\nE=\n",
	    (const char *const []){ "J=onetwo", "K=xy", "E=", NULL });
	expect_env("M=\"line1\nline2\"\nA=1\nA=2\n",
	    (const char *const []){ "M=line1\nline2", "A=2", NULL });
	expect_env("", (const char *const []){ NULL });
}

static void
test_env_file_errors(void **state)
{
	(void)state;
	expect_error("A=1\nnot a line\n", "/env:2: expected NAME=VALUE");
	expect_error("A=1\n\n9A=x\n", "/env:3: \"9A\" is not a variable name");
	expect_error("A=1\nB=\"open\nC=2\n", "/env:2: unterminated \"");
	expect_error("X-Y=1\n", "/env:1: \"X-Y\" is not a variable name");
}

static void
test_env_file_missing(void **state)
{
	struct mgr_error err = { 0 };
	char **env = NULL;

	(void)state;
	assert_int_equal(task_env_file_read("-/nonexistent/manager.env", &env,
	    &err), 0);
	assert_null(env);
	assert_int_not_equal(task_env_file_read("/nonexistent/manager.env", &env,
	    &err), 0);
	assert_non_null(strstr(err.msg, "/nonexistent/manager.env"));
}

static void
test_context_json(void **state)
{
	struct mgr_error err = { 0 };
	struct task_context c, d;
	char *json;

	(void)state;
	task_context_init(&c);
	assert_null(task_context_to_json(&c));	/* defaults: nothing stored */
	assert_int_equal(task_context_set(&c, "env", "A=1", &err), 0);
	assert_int_equal(task_context_set(&c, "env", "A=2", &err), 0);
	assert_int_equal(task_context_set(&c, "workdir", "/tmp", &err), 0);
	assert_int_equal(task_context_set(&c, "umask", "027", &err), 0);
	assert_int_equal(task_context_set(&c, "nice", "-5", &err), 0);
	assert_int_not_equal(task_context_set(&c, "umask", "999", &err), 0);
	assert_int_not_equal(task_context_set(&c, "nice", "20", &err), 0);
	assert_int_not_equal(task_context_set(&c, "env", "=x", &err), 0);
	assert_int_not_equal(task_context_set(&c, "colour", "red", &err), 0);
	json = task_context_to_json(&c);
	assert_non_null(json);
	assert_int_equal(task_context_from_json(json, &d, &err), 0);
	assert_string_equal(d.env[0], "A=2");
	assert_null(d.env[1]);
	assert_string_equal(d.workdir, "/tmp");
	assert_int_equal(d.umask, 027);
	assert_int_equal(d.nice, -5);
	assert_int_equal(task_context_set(&d, "workdir", "", &err), 0);
	assert_null(d.workdir);	/* "" goes back to the default */
	task_context_clear(&c);	/* from_json starts from a fresh context */
	assert_int_not_equal(task_context_from_json("{\"env\": [1]}", &c, &err),
	    0);
	assert_non_null(strstr(err.msg, "env"));
	free(json);
	task_context_clear(&c);
	task_context_clear(&d);
}

/* task_context_equal sees every field: each key set alone makes a
 * context unequal to the default one, and the stored JSON has no key this
 * list lacks (a new field fails here until task_context_equal and the list
 * know it: `task import` reuses the JSON of an equal context). */
static void
test_context_equal(void **state)
{
	static const char *const set[][2] = {
		{ "env", "A=1" }, { "env_file", "/e" }, { "workdir", "/w" },
		{ "user", "u" }, { "group", "g" }, { "umask", "022" },
		{ "nice", "5" }, { "sandbox", "strict" }, { "network", "true" },
		{ "private_tmp", "true" }, { "read_only", "/r" },
		{ "write", "/x" }, { "ioprio", "idle" }, { "limit_cpu", "10" },
		{ "limit_memory", "64" }, { "limit_nofile", "32" },
	};
	size_t n = sizeof set / sizeof set[0];
	struct mgr_error err = { 0 };
	struct task_context a, b;
	json_t *o;

	(void)state;
	task_context_init(&a);
	task_context_init(&b);
	assert_true(task_context_equal(&a, &b));
	for (size_t i = 0; i < n; i++) {
		task_context_init(&b);
		if (task_context_set(&b, set[i][0], set[i][1], &err) != 0)
			fail_msg("%s=%s: %s", set[i][0], set[i][1], err.msg);
		if (task_context_equal(&a, &b))
			fail_msg("%s=%s: still equal", set[i][0], set[i][1]);
		assert_true(task_context_equal(&b, &b));
		task_context_clear(&b);
	}
	o = task_context_json(&a);
	assert_int_equal(json_object_size(o), n);
	for (size_t i = 0; i < n; i++)
		if (json_object_get(o, set[i][0]) == NULL)
			fail_msg("the stored JSON has no %s", set[i][0]);
	json_decref(o);
	task_context_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_file_syntax),
		cmocka_unit_test(test_env_file_errors),
		cmocka_unit_test(test_env_file_missing),
		cmocka_unit_test(test_context_json),
		cmocka_unit_test(test_context_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
