/* test_plugins.c - the lifecycle in a process hosting plugins: enable
 * loads in-process (dependencies first), routes and hooks, task runs with
 * state, disable and stop unload (the image really leaves), start loads
 * enabled plugins in dependency order, an upgrade swaps the image. */
#include "testutil.h"

#include "loader.h"
#include "engine.h"
#include "manager.h"
#include "plugin_host.h"
#include "plugins.h"

struct fixture {
	char *dir;
	struct mgr *mgr;
};

static char *
example(const char *name)
{
	const char *top = getenv("top_builddir");

	return xasprintf("%s/data/plugins/%s", top != NULL ? top : ".", name);
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct conf_source src = { 0 };
	struct mgr_error err = { 0 };
	char *conf;

	f->dir = tmpdir_new();
	conf = xasprintf("%s/manager.conf", f->dir);
	/* Plugins loaded in this process: the unsandboxed path (with
	 * sandboxing they live in host workers, tests/plugins/host-sandbox.sh). */
	{
		char *text = xasprintf("manager: { data_directory = \"%s\"; "
		    "log_level = \"error\"; sandboxing = false; };\n", f->dir);
		write_text(conf, text);
		free(text);
	}
	src.config_arg = conf;
	assert_int_equal(mgr_open(&src, &f->mgr, &err), 0);
	engine_wire(f->mgr);
	assert_int_equal(mgr_open_db(f->mgr, &err), 0);
	free(conf);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	plugins_stop(f->mgr);
	mgr_close(f->mgr);
	tmpdir_free(f->dir);
	free(f);
	return 0;
}

static void
install(struct fixture *f, const char *name)
{
	struct mgr_error err = { 0 };
	char *path = example(name);
	int rc = mgr_plugin_install(f->mgr, path, 0, NULL, &err);

	if (rc != 0)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	free(path);
}

static void
enable(struct fixture *f, const char *id)
{
	struct mgr_error err = { 0 };
	int rc = mgr_plugin_enable(f->mgr, id, &err);

	if (rc != 0)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
}

static void
test_enable_loads_dependencies_first(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };

	install(f, "base");
	install(f, "greeter");
	assert_int_equal(plugins_start(f->mgr, &err), 0);
	assert_null(plugins_loaded(f->mgr, "base"));
	enable(f, "greeter");
	assert_non_null(plugins_loaded(f->mgr, "base"));
	assert_non_null(plugins_loaded(f->mgr, "greeter"));
	assert_int_equal(mgr_plugin_disable(f->mgr, "base", 0, &err), MGR_ECONFLICT);
	assert_non_null(plugins_loaded(f->mgr, "base"));
	assert_int_equal(mgr_plugin_disable(f->mgr, "base", 1, &err), 0);
	assert_null(plugins_loaded(f->mgr, "greeter"));
	assert_null(plugins_loaded(f->mgr, "base"));
}

static void
test_routes_hooks_tasks_state(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	char *body = NULL, *value = NULL;
	char *args[] = { "name=Ada", NULL };
	struct task_ctx *c;
	void *ticket = NULL;
	int status = 0;

	install(f, "hello");
	assert_int_equal(plugins_start(f->mgr, &err), 0);
	enable(f, "hello");
	assert_int_equal(plugins_route(f->mgr, "hello", "GET", "/greeting", NULL,
	    &body, &status, NULL, NULL, &ticket, NULL), 0);
	assert_int_equal(status, 200);
	assert_string_equal(body, "{\"greeting\": \"Hello\"}");
	free(body);
	assert_int_equal(plugins_route(f->mgr, "hello", "GET", "nope", NULL,
	    &body, &status, NULL, NULL, &ticket, NULL), MGR_ENOENT);
	assert_int_equal(plugins_route(f->mgr, "base", "GET", "greeting", NULL,
	    &body, &status, NULL, NULL, &ticket, NULL), MGR_ENOENT);
	plugins_emit(f->mgr, "task.succeeded", "x", "done");

	c = task_ctx_new(plugins_host(f->mgr, "hello"), args, 0, 4096);
	assert_int_equal(loader_find_task(plugins_loaded(f->mgr, "hello"),
	    "greet")(task_ctx_handle(c)), 0);
	assert_string_equal(task_ctx_output(c), "Hello, Ada!\n");
	task_ctx_free(c);
	assert_int_equal(plugin_state_get(f->mgr->db, "hello", "greetings",
	    &value, &err), 0);
	assert_string_equal(value, "1");
	free(value);
}

static void
test_disable_and_stop_unload_the_image(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	char *shadow;

	install(f, "hello");
	install(f, "base");
	assert_int_equal(plugins_start(f->mgr, &err), 0);
	enable(f, "hello");
	enable(f, "base");
	shadow = xstrdup(loader_shadow_path(plugins_loaded(f->mgr, "hello")));
	assert_int_equal(loader_path_mapped(shadow), 1);
	assert_int_equal(mgr_plugin_disable(f->mgr, "hello", 0, &err), 0);
	assert_int_equal(loader_path_mapped(shadow), 0);
	assert_int_not_equal(access(shadow, F_OK), 0);
	free(shadow);
	shadow = xstrdup(loader_shadow_path(plugins_loaded(f->mgr, "base")));
	plugins_stop(f->mgr);
	assert_null(f->mgr->plugins);
	assert_int_equal(loader_path_mapped(shadow), 0);
	free(shadow);
}

static void
test_start_loads_enabled_plugins(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };

	char *stale = xasprintf("%s/cache/shadow-stale", f->dir);
	char *cmd = xasprintf("mkdir -p '%s' && touch '%s/old.so'", stale, stale);

	install(f, "base");
	install(f, "greeter");
	install(f, "hello");
	enable(f, "greeter");	/* no host: database only */
	assert_null(f->mgr->plugins);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(plugins_start(f->mgr, &err), 0);
	assert_int_not_equal(access(stale, F_OK), 0);	/* cache purged */
	free(stale);
	free(cmd);
	assert_non_null(plugins_loaded(f->mgr, "base"));
	assert_non_null(plugins_loaded(f->mgr, "greeter"));
	assert_null(plugins_loaded(f->mgr, "hello"));
}

static void
test_upgrade_swaps_loaded_image(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	char *copy = xasprintf("%s/hello-2", f->dir), *src = example("hello");
	char *cmd = xasprintf("cp -r '%s' '%s' && sed -i 's/^version = .*/"
	    "version = \"2.0.0\";/' '%s/plugin.conf'", src, copy, copy);
	char *before;

	install(f, "hello");
	assert_int_equal(plugins_start(f->mgr, &err), 0);
	enable(f, "hello");
	before = xstrdup(loader_shadow_path(plugins_loaded(f->mgr, "hello")));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(mgr_plugin_install(f->mgr, copy, 0, NULL, &err), 0);
	assert_non_null(plugins_loaded(f->mgr, "hello"));
	assert_string_not_equal(before,
	    loader_shadow_path(plugins_loaded(f->mgr, "hello")));
	assert_int_equal(loader_path_mapped(before), 0);
	free(before);
	free(cmd);
	free(src);
	free(copy);
}

int
main(void)
{
	const char *manager = getenv("MANAGER");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enable_loads_dependencies_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_routes_hooks_tasks_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disable_and_stop_unload_the_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_loads_enabled_plugins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upgrade_swaps_loaded_image, setup, teardown),
	};

	/* Probes run the real manager binary, not this test program. */
	if (manager == NULL || manager[0] != '/') {
		fprintf(stderr, "MANAGER must name the built manager binary\n");
		return 1;
	}
	setenv("MANAGER_EXE", manager, 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
