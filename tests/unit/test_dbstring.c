/* test_dbstring.c - what the `database` setting names: a file, resolved
 * against its folder, or a PostgreSQL server, kept as it is (in the
 * configuration file and from --db), and where a server database's
 * host-local files go. */
#include "testutil.h"
#include "conf.h"
#include "dbstring.h"

#include <sys/stat.h>

static const char *
no_env(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return NULL;
}

static void
test_is_server(void **state)
{
	(void)state;
	assert_true(db_string_is_server("postgresql://u@db.example/manager"));
	assert_true(db_string_is_server("postgres:///manager"));
	assert_true(db_string_is_server("host=/run/postgresql dbname=m"));
	assert_true(db_string_is_server("dbname=m"));
	assert_false(db_string_is_server("manager.db"));
	assert_false(db_string_is_server("/var/lib/manager/manager.db"));
	assert_false(db_string_is_server("data/a=b.db"));
	assert_false(db_string_is_server("=x"));
	assert_false(db_string_is_server("Host=x"));
	assert_false(db_string_is_server(NULL));
}

/* Loads `database = "value"` from a file in dir, or value from --db. */
static char *
load_database(const char *dir, const char *value, int from_arg)
{
	char *file = xasprintf("%s/m.conf", dir), *text, *db;
	struct conf_source src = { .config_arg = file, .getenv_fn = no_env,
	    .sysconfdir = dir };
	struct mgr_error err = { 0 };
	struct mgr_conf *conf;

	text = xasprintf("manager = { database = \"%s\"; "
	    "data_directory = \"%s/data\"; };\n", from_arg ? "x.db" : value,
	    dir);
	write_text(file, text);
	if (from_arg)
		src.db_arg = value;
	if (conf_load(&src, &conf, NULL, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	db = xstrdup(conf->database);
	conf_free(conf);
	free(text);
	free(file);
	return db;
}

static void
test_conf_keeps_server_strings(void **state)
{
	char *dir = tmpdir_new(), *db, *want;

	(void)state;
	db = load_database(dir, "postgresql://u@h:5433/manager", 0);
	assert_string_equal(db, "postgresql://u@h:5433/manager");
	free(db);
	db = load_database(dir, "host=/run/postgresql dbname=m", 1);
	assert_string_equal(db, "host=/run/postgresql dbname=m");
	free(db);
	/* A file is still resolved against the configuration's folder. */
	db = load_database(dir, "state/m.db", 0);
	want = xasprintf("%s/state/m.db", dir);
	assert_string_equal(db, want);
	free(want);
	free(db);
	tmpdir_free(dir);
}

static void
test_local_stem(void **state)
{
	char *dir = tmpdir_new(), *data = xasprintf("%s/data", dir), *a, *b;
	struct mgr_error err = { 0 };
	struct stat sb;

	(void)state;
	assert_int_equal(db_string_local_stem("/x/m.db", data, &a, &err), 0);
	assert_string_equal(a, "/x/m.db");
	free(a);
	assert_int_equal(db_string_local_stem("dbname=one", data, &a, &err), 0);
	assert_int_equal(db_string_local_stem("dbname=two", data, &b, &err), 0);
	assert_int_equal(strncmp(a, data, strlen(data)), 0);
	assert_string_not_equal(a, b);	/* one mark per database */
	assert_int_equal(stat(data, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(a);
	free(b);
	free(data);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_server),
		cmocka_unit_test(test_conf_keeps_server_strings),
		cmocka_unit_test(test_local_stem),
	};

	return cmocka_run_group_tests_name("dbstring", tests, NULL, NULL);
}
