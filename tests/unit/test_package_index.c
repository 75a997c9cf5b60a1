/* test_package_index.c - a repository's index.conf: good entries, and
 * every bad one refused with its file, line and field. */
#include "testutil.h"
#include "package_index.h"

#define SHA "0123456789abcdef0123456789abcdef0123456789ABCDEF0123456789abcdef"

static int
setup(void **state)
{
	*state = tmpdir_new();
	return 0;
}

static int
teardown(void **state)
{
	tmpdir_free(*state);
	return 0;
}

static int
load_text(const char *dir, const char *text, struct pkg_entry **e,
	  size_t *n, struct mgr_error *err)
{
	char *path = xasprintf("%s/%s", dir, PACKAGE_INDEX_FILE);

	write_text(path, text);
	free(path);
	return package_index_load(dir, e, n, err);
}

static void
expect_bad(const char *dir, const char *text, const char *needle)
{
	struct pkg_entry *e = (struct pkg_entry *)1;
	struct mgr_error err = { 0 };
	size_t n = 7;

	assert_int_equal(load_text(dir, text, &e, &n, &err), MGR_EINVAL);
	assert_null(e);
	assert_int_equal(n, 0);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

static void
test_good_index(void **state)
{
	const char *dir = *state;
	struct pkg_entry *e;
	struct mgr_error err = { 0 };
	size_t n;
	char *want;

	assert_int_equal(load_text(dir, "packages = (\n"
	    "  { id = \"hello\"; version = \"1.2.0\"; archive = \"h.zip\";\n"
	    "    sha256 = \"" SHA "\";\n"
	    "    dependencies = [ \"base >= 1.0\" ]; } );\n", &e, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].id, "hello");
	assert_int_equal(e[0].line, 2);
	assert_int_equal(e[0].ndeps, 1);
	assert_string_equal(e[0].deps[0].id, "base");
	/* Stored lowercase, compared with sha256_file's output. */
	assert_null(strpbrk(e[0].sha256, "ABCDEF"));
	want = xasprintf("%s/h.zip", dir);
	assert_string_equal(e[0].archive, want);
	free(want);
	pkg_entry_clear(&e[0]);
	free(e);
}

/* Found by tests/fuzz: the archive name leaked when sha256 was missing
 * (shows under valgrind or ASan). */
static void
test_missing_sha256(void **state)
{
	expect_bad(*state, "packages = (\n"
	    "  { id = \"a\"; version = \"1.0.0\"; archive = \"a.zip\"; } );\n",
	    "index.conf:2: package needs a string field \"sha256\"");
}

static void
test_bad_fields(void **state)
{
	const char *dir = *state;

	expect_bad(dir, "packages = ( { id = \"a\"; version = \"1.0.0\";\n"
	    "  archive = \"../a.zip\"; sha256 = \"" SHA "\"; } );\n",
	    "index.conf:1: field \"archive\" must be a file inside");
	expect_bad(dir, "packages = ( { id = \"A b\"; version = \"1.0.0\";\n"
	    "  archive = \"a.zip\"; sha256 = \"" SHA "\"; } );\n",
	    "index.conf:1: \"A b\" is not a valid plugin id");
	expect_bad(dir, "packages = ( { id = \"a\"; version = \"1.0\";\n"
	    "  archive = \"a.zip\"; sha256 = \"" SHA "\"; } );\n",
	    "index.conf:1: \"1.0\" is not a semantic version");
	expect_bad(dir, "packages = ( { id = \"a\"; version = \"1.0.0\";\n"
	    "  archive = \"a.zip\"; sha256 = \"abc\"; } );\n",
	    "index.conf:1: field \"sha256\" must be 64 hex digits");
	expect_bad(dir, "packages = 5;\n", "needs a list \"packages");
	expect_bad(dir, "packages = ( 1 );\n",
	    "package needs a string field \"id\"");
	expect_bad(dir, "packages = ( {\n", "index.conf:2:");
}

/* The dependency's own error is kept, after the file, line and
 * package. */
static void
test_bad_dependency(void **state)
{
	const char *dir = *state;

	expect_bad(dir, "packages = ( { id = \"a\"; version = \"1.0.0\";\n"
	    "  archive = \"a.zip\"; sha256 = \"" SHA "\";\n"
	    "  dependencies = [ \"base >= x\" ]; } );\n",
	    "index.conf:3: package a: bad dependency: dependency \"base >= x\"");
	expect_bad(dir, "packages = ( { id = \"a\"; version = \"1.0.0\";\n"
	    "  archive = \"a.zip\"; sha256 = \"" SHA "\";\n"
	    "  dependencies = [ 5 ]; } );\n",
	    "index.conf:3: package a: a dependency must be a string");
}

static void
test_missing_index(void **state)
{
	struct pkg_entry *e;
	struct mgr_error err = { 0 };
	size_t n;

	assert_int_equal(package_index_load(*state, &e, &n, &err), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "index.conf: cannot read"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_sha256, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_dependency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_index, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
