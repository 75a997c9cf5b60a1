/* test_conf.c - configuration: valid files, every kind of invalid file,
 * lookup order, defaults and path resolution. */
#include "testutil.h"
#include "conf.h"

struct fixture {
	char *dir;
	char *env[8][2];	/* fake environment */
	size_t nenv;
};

static const char *
fake_getenv(void *arg, const char *name)
{
	struct fixture *f = arg;

	for (size_t i = 0; i < f->nenv; i++)
		if (strcmp(f->env[i][0], name) == 0)
			return f->env[i][1];
	return NULL;
}

static void
setenv_fake(struct fixture *f, const char *name, const char *value)
{
	f->env[f->nenv][0] = xstrdup(name);
	f->env[f->nenv][1] = xstrdup(value);
	f->nenv++;
}

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	char *home;

	f->dir = tmpdir_new();
	home = xasprintf("%s/home", f->dir);
	setenv_fake(f, "HOME", home);
	free(home);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < f->nenv; i++) {
		free(f->env[i][0]);
		free(f->env[i][1]);
	}
	tmpdir_free(f->dir);
	free(f);
	return 0;
}

static char *
fixture_path(struct fixture *f, const char *name)
{
	return xasprintf("%s/%s", f->dir, name);
}

static int
load(struct fixture *f, const char *config_arg, struct mgr_conf **conf,
     struct mgr_error *err, FILE *warnings)
{
	char *etc = fixture_path(f, "etc");
	struct conf_source src = { .config_arg = config_arg,
	    .getenv_fn = fake_getenv, .getenv_arg = f, .sysconfdir = etc, .warnings = warnings };
	struct conf_origin *origins;
	size_t n;
	int rc;

	rc = conf_load(&src, conf, &origins, &n, err);
	if (rc == 0)
		conf_origins_free(origins, n);
	free(etc);
	return rc;
}

static void
test_embedded_default(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	char *want;

	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_null(conf->file);
	want = xasprintf("%s/home/.local/share/manager", f->dir);
	assert_string_equal(conf->data_directory, want);
	free(want);
	want = xasprintf("%s/home/.local/share/manager/manager.db", f->dir);
	assert_string_equal(conf->database, want);
	free(want);
	assert_true(conf->sandboxing);
	assert_false(conf->auto_enable);
	assert_int_equal(conf->history_keep_runs, 100);
	conf_free(conf);
}

static void
test_xdg_data_home(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };

	setenv_fake(f, "XDG_DATA_HOME", "/srv/data");
	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_string_equal(conf->data_directory, "/srv/data/manager");
	assert_string_equal(conf->plugins_directory, "/srv/data/manager/plugins");
	conf_free(conf);
}

/* State and cache: $XDG_STATE_HOME and $XDG_CACHE_HOME, else under
 * $HOME; the generated token in the state folder. */
static void
test_xdg_state_and_cache(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	char *want;

	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	want = xasprintf("%s/home/.local/state/manager", f->dir);
	assert_string_equal(conf->state_directory, want);
	free(want);
	want = xasprintf("%s/home/.cache/manager", f->dir);
	assert_string_equal(conf->cache_directory, want);
	free(want);
	conf_free(conf);
	setenv_fake(f, "XDG_STATE_HOME", "/srv/state");
	setenv_fake(f, "XDG_CACHE_HOME", "relative/is/ignored");
	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_string_equal(conf->state_directory, "/srv/state/manager");
	assert_string_equal(conf->api_token_file, "/srv/state/manager/api.token");
	want = xasprintf("%s/home/.cache/manager", f->dir);
	assert_string_equal(conf->cache_directory, want);
	free(want);
	conf_free(conf);
}

/* A file that sets data_directory keeps the instance there (the layout
 * of older versions), unless it names the other folders too. */
static void
test_data_directory_anchors_state_and_cache(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	char *path = fixture_path(f, "m.conf");

	setenv_fake(f, "XDG_STATE_HOME", "/srv/state");
	write_text(path, "manager: { data_directory = \"/var/lib/x\"; };\n");
	assert_int_equal(load(f, path, &conf, &err, NULL), 0);
	assert_string_equal(conf->state_directory, "/var/lib/x");
	assert_string_equal(conf->cache_directory, "/var/lib/x/cache");
	assert_string_equal(conf->api_token_file, "/var/lib/x/api.token");
	conf_free(conf);
	write_text(path, "manager: { data_directory = \"/var/lib/x\"; "
	    "state_directory = \"st\"; cache_directory = \"/var/cache/x\"; };\n"
	    "api: { token_file = \"t\"; };\n");
	assert_int_equal(load(f, path, &conf, &err, NULL), 0);
	free(path);
	path = fixture_path(f, "st");
	assert_string_equal(conf->state_directory, path);
	free(path);
	path = fixture_path(f, "t");
	assert_string_equal(conf->api_token_file, path);
	assert_string_equal(conf->cache_directory, "/var/cache/x");
	conf_free(conf);
	free(path);
}

static void
test_valid_file_and_relative_paths(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	char *path = fixture_path(f, "m.conf"), *want;

	write_text(path,
	    "manager: {\n"
	    "  plugins_directory = \"plugs\";\n"
	    "  data_directory = \"/var/lib/x\";\n"
	    "  auto_enable = true;\n"
	    "  sandboxing = false;\n"
	    "  history_keep_runs = 7;\n"
	    "  repositories = [ \"repo\", \"/abs/repo\" ];\n"
	    "};\n"
	    "api: { listen = \"127.0.0.1:9999\"; };\n");
	assert_int_equal(load(f, path, &conf, &err, NULL), 0);
	assert_string_equal(conf->file, path);
	want = xasprintf("%s/plugs", f->dir);
	assert_string_equal(conf->plugins_directory, want);
	free(want);
	/* Defaults hang off data_directory, not the config's folder. */
	assert_string_equal(conf->database, "/var/lib/x/manager.db");
	assert_true(conf->auto_enable);
	assert_false(conf->sandboxing);
	assert_int_equal(conf->history_keep_runs, 7);
	want = xasprintf("%s/repo", f->dir);
	assert_string_equal(conf->repositories[0], want);
	free(want);
	assert_string_equal(conf->repositories[1], "/abs/repo");
	assert_null(conf->repositories[2]);
	assert_string_equal(conf->api_listen, "127.0.0.1:9999");
	conf_free(conf);
	free(path);
}

static void
expect_error(struct fixture *f, const char *text, const char *needle, int code)
{
	struct mgr_conf *conf = NULL;
	struct mgr_error err = { 0 };
	char *path = fixture_path(f, "bad.conf");

	write_text(path, text);
	assert_int_equal(load(f, path, &conf, &err, NULL), code);
	assert_null(conf);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
	free(path);
}

static void
test_type_error_names_line_and_key(void **state)
{
	expect_error(*state,
	    "# line 1\n\n\n\n\nmanager: {\n  hot_reload = \"yes\";\n};\n",
	    "bad.conf:7: manager.hot_reload must be true or false", MGR_EINVAL);
}

static void
test_int_where_string_expected(void **state)
{
	expect_error(*state, "manager: {\n  database = 5;\n};\n",
	    "bad.conf:2: manager.database must be a path string", MGR_EINVAL);
}

static void
test_syntax_error_names_line(void **state)
{
	expect_error(*state, "manager: {\n  auto_enable = true\n  x = ;\n};\n",
	    "bad.conf:3:", MGR_EINVAL);
}

/* A known group written as something else is an error, not a warning
 * about an "unknown key". */
static void
test_group_of_wrong_type(void **state)
{
	expect_error(*state, "# x\nmanager = ( 1 );\n",
	    "bad.conf:2: manager must be a group", MGR_EINVAL);
}

static void
test_empty_path(void **state)
{
	expect_error(*state, "manager: {\n  plugins_directory = \"\";\n};\n",
	    "bad.conf:2: manager.plugins_directory: the path is empty",
	    MGR_EINVAL);
}

/* fopen() opens a folder: the error must say so, not show a stale
 * errno. */
static void
test_folder_as_config(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf = NULL;
	struct mgr_error err = { 0 };
	char *path = fixture_path(f, "conf.d");

	assert_int_equal(mkdir_p(path, 0700, 0, NULL), 0);
	assert_int_equal(load(f, path, &conf, &err, NULL), MGR_EINVAL);
	assert_null(conf);
	assert_non_null(strstr(err.msg, "conf.d: is a folder"));
	free(path);
}

static void
test_empty_arguments(void **state)
{
	struct fixture *f = *state;
	struct conf_source src = { .db_arg = "", .getenv_fn = fake_getenv,
	    .getenv_arg = f, .sysconfdir = f->dir };
	struct mgr_conf *conf = NULL;
	struct mgr_error err = { 0 };

	assert_int_equal(conf_load(&src, &conf, NULL, NULL, &err), MGR_EINVAL);
	assert_null(conf);
	assert_string_equal(err.msg, "--db: the path is empty");
	src.db_arg = NULL;
	src.config_arg = "";
	assert_int_equal(conf_load(&src, &conf, NULL, NULL, &err), MGR_EINVAL);
	assert_string_equal(err.msg, "--config: the path is empty");
}

static void
test_out_of_range(void **state)
{
	expect_error(*state, "manager: {\n  worker_threads = 0;\n};\n",
	    "bad.conf:2: manager.worker_threads: 0 is out of range 1-256",
	    MGR_EINVAL);
}

/* The reconnect backoff's longest wait is never under its first step. */
static void
test_reconnect_max_range(void **state)
{
	expect_error(*state, "manager: {\n  host_reconnect_max_ms = 50;\n};\n",
	    "bad.conf:2: manager.host_reconnect_max_ms: 50 is out of range "
	    "100-600000", MGR_EINVAL);
}

static void
test_bad_log_level(void **state)
{
	expect_error(*state, "manager: {\n  log_level = \"loud\";\n};\n",
	    "manager.log_level: \"loud\" is not one of", MGR_EINVAL);
}

static void
test_list_of_non_strings(void **state)
{
	expect_error(*state, "manager: {\n  repositories = [ 1, 2 ];\n};\n",
	    "bad.conf:2: manager.repositories must be a list of strings",
	    MGR_EINVAL);
}

static void
test_unknown_key_warns_with_line(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	char *path = fixture_path(f, "w.conf"), *text = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&text, &len);

	write_text(path, "manager: {\n  auto_enable = true;\n  colour = 3;\n};\n"
	    "extra: { a = 1; };\n");
	assert_int_equal(load(f, path, &conf, &err, w), 0);
	fclose(w);
	assert_non_null(strstr(text, "w.conf:3: warning: unknown key manager.colour"));
	assert_non_null(strstr(text, "w.conf:5: warning: unknown key extra"));
	assert_true(conf->auto_enable);
	conf_free(conf);
	free(text);
	free(path);
}

static void
test_missing_explicit_file(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf = NULL;
	struct mgr_error err = { 0 };

	assert_int_equal(load(f, "/nonexistent/m.conf", &conf, &err, NULL), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/m.conf"));
}

/* --config beats $MANAGER_CONFIG beats XDG beats sysconfdir. */
static void
test_lookup_order(void **state)
{
	struct fixture *f = *state;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	char *etc = fixture_path(f, "etc"), *xdg = fixture_path(f, "xdg");
	char *sys = xasprintf("%s/manager.conf", etc);
	char *user = xasprintf("%s/manager/manager.conf", xdg);
	char *env = fixture_path(f, "env.conf"), *arg = fixture_path(f, "arg.conf");
	char *xdgdir = xasprintf("%s/manager", xdg);

	mkdir_p(etc, 0700, 0, NULL);
	mkdir_p(xdgdir, 0700, 0, NULL);
	write_text(sys, "manager: { history_keep_runs = 1; };\n");
	write_text(user, "manager: { history_keep_runs = 2; };\n");
	write_text(env, "manager: { history_keep_runs = 3; };\n");
	write_text(arg, "manager: { history_keep_runs = 4; };\n");

	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_int_equal(conf->history_keep_runs, 1);
	conf_free(conf);
	setenv_fake(f, "MANAGER_CONFIG_NOSYSTEM", "1");
	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_int_equal(conf->history_keep_runs, 100);	/* the default */
	assert_null(conf->file);
	conf_free(conf);
	setenv_fake(f, "XDG_CONFIG_HOME", xdg);
	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_int_equal(conf->history_keep_runs, 2);
	conf_free(conf);
	setenv_fake(f, "MANAGER_CONFIG", env);
	assert_int_equal(load(f, NULL, &conf, &err, NULL), 0);
	assert_int_equal(conf->history_keep_runs, 3);
	conf_free(conf);
	assert_int_equal(load(f, arg, &conf, &err, NULL), 0);
	assert_int_equal(conf->history_keep_runs, 4);
	conf_free(conf);
	free(etc); free(xdg); free(sys); free(user); free(env); free(arg); free(xdgdir);
}

static void
test_db_arg_overrides(void **state)
{
	struct fixture *f = *state;
	char *etc = fixture_path(f, "etc");
	struct conf_source src = { .db_arg = "/tmp/elsewhere.db",
	    .getenv_fn = fake_getenv, .getenv_arg = f, .sysconfdir = etc };
	struct conf_origin *origins;
	struct mgr_conf *conf;
	struct mgr_error err = { 0 };
	size_t n, i;

	assert_int_equal(conf_load(&src, &conf, &origins, &n, &err), 0);
	assert_string_equal(conf->database, "/tmp/elsewhere.db");
	for (i = 0; i < n && strcmp(origins[i].key, "database") != 0; i++)
		;
	assert_true(i < n);
	assert_non_null(strstr(origins[i].where, "--db"));
	conf_origins_free(origins, n);
	conf_free(conf);
	free(etc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_embedded_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_data_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xdg_state_and_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_directory_anchors_state_and_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_valid_file_and_relative_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_error_names_line_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int_where_string_expected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_names_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect_max_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_of_wrong_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder_as_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_log_level, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_of_non_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_warns_with_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_explicit_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_arg_overrides, setup, teardown),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
