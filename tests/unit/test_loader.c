/* test_loader.c - real dlopen of the example plugins through shadow
 * copies, the host services table and task contexts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loader.h"
#include "plugin_host.h"
#include "util.h"

static char *
example_lib(const char *name)
{
	const char *top = getenv("top_builddir");

	return xasprintf("%s/data/plugins/%s/%s.so", top != NULL ? top : ".",
	    name, name);
}

static struct loaded_plugin *
load_example(const char *name)
{
	struct mgr_error err = { 0 };
	struct loaded_plugin *lp = NULL;
	char *lib = example_lib(name);
	int rc = loader_load(lib, name, &lp, &err);

	if (rc != 0)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	free(lib);
	return lp;
}

static void
test_load_and_unload_leaves_no_image(void **state)
{
	struct loaded_plugin *lp = load_example("hello");
	char *shadow = xstrdup(loader_shadow_path(lp));

	(void)state;
	assert_string_equal(loader_def(lp)->id, "hello");
	assert_non_null(loader_find_task(lp, "greet"));
	assert_null(loader_find_task(lp, "nope"));
	assert_int_equal(loader_path_mapped(shadow), 1);
	assert_int_equal(access(shadow, F_OK), 0);
	loader_unload(lp);
	assert_int_equal(loader_path_mapped(shadow), 0);
	assert_int_not_equal(access(shadow, F_OK), 0);
	free(shadow);
}

static void
test_reload_gets_fresh_path(void **state)
{
	struct loaded_plugin *a = load_example("base");
	struct loaded_plugin *b = load_example("base");

	(void)state;
	assert_string_not_equal(loader_shadow_path(a), loader_shadow_path(b));
	loader_unload(a);
	loader_unload(b);
}

static void
test_wrong_id_refused(void **state)
{
	struct mgr_error err = { 0 };
	struct loaded_plugin *lp = NULL;
	char *lib = example_lib("base");

	(void)state;
	assert_int_equal(loader_load(lib, "other", &lp, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "\"base\""));
	assert_null(lp);
	free(lib);
}

static void
test_missing_library(void **state)
{
	struct mgr_error err = { 0 };
	struct loaded_plugin *lp = NULL;

	(void)state;
	assert_int_equal(loader_load("/nonexistent/x.so", NULL, &lp, &err),
	    MGR_ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/x.so"));
}

static void
test_task_ctx_args_config_output(void **state)
{
	struct loaded_plugin *lp = load_example("hello");
	struct plugin_host *h = plugin_host_new(NULL, "hello",
	    "{\"config\": {\"greeting\": \"Hi\", \"n\": {\"x\": 3}}}");
	char *args[] = { "name=Bob", NULL };
	struct task_ctx *c = task_ctx_new(h, args, 0, 1024);

	(void)state;
	assert_string_equal(plugin_host_handle(h)->api->config_get(
	    plugin_host_handle(h), "n.x"), "3");
	assert_int_equal(loader_find_task(lp, "greet")(task_ctx_handle(c)), 0);
	assert_string_equal(task_ctx_output(c), "Hi, Bob!\n");
	task_ctx_free(c);
	plugin_host_free(h);
	loader_unload(lp);
}

static void
test_output_truncated(void **state)
{
	struct plugin_host *h = plugin_host_new(NULL, "t", NULL);
	struct task_ctx *c = task_ctx_new(h, NULL, 0, 8);
	mgr_task_ctx *t = task_ctx_handle(c);

	(void)state;
	mgr_output(t, "%s", "0123456789abc");
	mgr_output(t, "%s", "more");
	assert_string_equal(task_ctx_output(c), "01234567\n[output truncated]\n");
	task_ctx_free(c);
	plugin_host_free(h);
}

static void *
cancel_soon(void *arg)
{
	struct timespec t = { 0, 50 * 1000 * 1000 };

	nanosleep(&t, NULL);
	task_ctx_cancel(arg);
	return NULL;
}

static void
test_cancel_from_other_thread(void **state)
{
	struct loaded_plugin *lp = load_example("faulty");
	struct plugin_host *h = plugin_host_new(NULL, "faulty", NULL);
	char *args[] = { "seconds=5", NULL };
	struct task_ctx *c = task_ctx_new(h, args, 0, 1024);
	int64_t start = mgr_mono_us();
	pthread_t th;

	(void)state;
	pthread_create(&th, NULL, cancel_soon, c);
	assert_int_equal(loader_find_task(lp, "sleep")(task_ctx_handle(c)), 2);
	pthread_join(th, NULL);
	/* Before the function's 5 s sleep ended (a cancel 50 ms in; the
	 * rest of the 4 s for a loaded machine). */
	assert_true(mgr_mono_us() - start < 4000000);
	assert_string_equal(task_ctx_output(c), "cancelled\n");
	assert_int_equal(loader_find_task(lp, "fail")(task_ctx_handle(c)), 1);
	task_ctx_free(c);
	plugin_host_free(h);
	loader_unload(lp);
}

static void
test_hooks_and_routes(void **state)
{
	struct loaded_plugin *lp = load_example("hello");
	struct plugin_host *h = plugin_host_new(NULL, "hello",
	    "{\"config\": {\"greeting\": \"Hey\"}}");
	char *body = NULL;
	int status = 0;

	(void)state;
	assert_int_equal(loader_def(lp)->on_enable(plugin_host_handle(h)), 0);
	assert_int_equal(plugin_host_hook_count(h), 1);
	assert_int_equal(plugin_host_route(h, "GET", "greeting", NULL, &body,
	    &status), 0);
	assert_int_equal(status, 200);
	assert_string_equal(body, "{\"greeting\": \"Hey\"}");
	free(body);
	assert_int_equal(plugin_host_route(h, "POST", "greeting", NULL, &body,
	    &status), MGR_ENOENT);
	plugin_host_emit(h, "task.succeeded", "x", "y");
	plugin_host_clear_registrations(h);
	assert_int_equal(plugin_host_route_count(h), 0);
	plugin_host_free(h);
	loader_unload(lp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_unload_leaves_no_image),
		cmocka_unit_test(test_reload_gets_fresh_path),
		cmocka_unit_test(test_wrong_id_refused),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_task_ctx_args_config_output),
		cmocka_unit_test(test_output_truncated),
		cmocka_unit_test(test_cancel_from_other_thread),
		cmocka_unit_test(test_hooks_and_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
