/* test_version.c - semantic versions, npm/cargo constraints, deps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "version.h"

static int
matches(const char *constraint, const char *version)
{
	struct vconstraint c;
	struct semver v;

	assert_int_equal(constraint_parse(constraint, &c, NULL), 0);
	assert_int_equal(version_parse(version, 0, &v, NULL), 0);
	return constraint_match(&c, &v);
}

static void
test_parse(void **state)
{
	struct semver v;
	struct mgr_error err = { 0 };

	(void)state;
	assert_int_equal(version_parse("1.2.3", 0, &v, NULL), 0);
	assert_int_equal(v.major, 1);
	assert_int_equal(v.minor, 2);
	assert_int_equal(v.patch, 3);
	assert_int_equal(version_parse("1.2.3-rc.1+build.5", 0, &v, NULL), 0);
	assert_string_equal(v.pre, "rc.1");
	assert_int_equal(version_parse("1.2", 0, &v, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "\"1.2\""));
	assert_int_equal(version_parse("1.2", 1, &v, NULL), 0);
	assert_int_equal(v.parts, 2);
	assert_int_equal(version_parse("01.2.3", 0, &v, NULL), MGR_EINVAL);
	assert_int_equal(version_parse("1.2.3.4", 0, &v, NULL), MGR_EINVAL);
	assert_int_equal(version_parse("1.x.3", 0, &v, NULL), MGR_EINVAL);
	assert_int_equal(version_parse("", 1, &v, NULL), MGR_EINVAL);
	assert_int_equal(version_parse("1.2.3-", 0, &v, NULL), MGR_EINVAL);
}

static void
test_compare(void **state)
{
	(void)state;
	assert_true(version_cmp_text("1.2.3", "1.2.4") < 0);
	assert_true(version_cmp_text("1.10.0", "1.9.0") > 0);
	assert_true(version_cmp_text("2.0.0", "2.0.0") == 0);
	assert_true(version_cmp_text("1.0.0-alpha", "1.0.0") < 0);
	assert_true(version_cmp_text("1.0.0-alpha", "1.0.0-alpha.1") < 0);
	assert_true(version_cmp_text("1.0.0-alpha.1", "1.0.0-alpha.beta") < 0);
	assert_true(version_cmp_text("1.0.0-beta.2", "1.0.0-beta.11") < 0);
	assert_true(version_cmp_text("1.0.0-rc.1", "1.0.0") < 0);
	assert_true(version_cmp_text("1.0.0+a", "1.0.0+b") == 0);
}

static void
test_relational(void **state)
{
	(void)state;
	assert_true(matches(">= 1.0", "1.0.0"));
	assert_true(matches(">=1.0", "2.5.0"));
	assert_false(matches(">= 1.0", "0.9.9"));
	assert_true(matches("> 1.2.3", "1.2.4"));
	assert_false(matches("> 1.2.3", "1.2.3"));
	assert_true(matches("< 2", "1.99.99"));
	assert_false(matches("< 2", "2.0.0"));
	assert_true(matches("<= 1.2.3", "1.2.3"));
	assert_true(matches("= 1.2.3", "1.2.3"));
	assert_false(matches("= 1.2.3", "1.2.4"));
	assert_true(matches("= 1.2", "1.2.9"));
	assert_false(matches("= 1.2", "1.3.0"));
	assert_true(matches("1.2.3", "1.2.3"));
	assert_true(matches("*", "0.0.1"));
	assert_true(matches("", "9.9.9"));
}

static void
test_caret(void **state)
{
	(void)state;
	assert_true(matches("^1.2.3", "1.2.3"));
	assert_true(matches("^1.2.3", "1.9.0"));
	assert_false(matches("^1.2.3", "2.0.0"));
	assert_false(matches("^1.2.3", "1.2.2"));
	assert_false(matches("^1.2.3", "2.0.0-rc.1"));
	assert_true(matches("^0.2.3", "0.2.9"));
	assert_false(matches("^0.2.3", "0.3.0"));
	assert_true(matches("^0.0.3", "0.0.3"));
	assert_false(matches("^0.0.3", "0.0.4"));
	assert_true(matches("^1.2", "1.5.0"));
	assert_false(matches("^1.2", "2.0.0"));
	assert_true(matches("^0", "0.9.0"));
	assert_false(matches("^0", "1.0.0"));
	assert_true(matches("^0.0", "0.0.7"));
	assert_false(matches("^0.0", "0.1.0"));
}

static void
test_tilde(void **state)
{
	(void)state;
	assert_true(matches("~1.2.3", "1.2.9"));
	assert_false(matches("~1.2.3", "1.3.0"));
	assert_false(matches("~1.2.3", "1.2.2"));
	assert_true(matches("~1.2", "1.2.0"));
	assert_false(matches("~1.2", "1.3.0"));
	assert_true(matches("~1", "1.9.9"));
	assert_false(matches("~1", "2.0.0"));
	assert_true(matches("~0.2.3", "0.2.5"));
}

static void
test_prerelease(void **state)
{
	(void)state;
	assert_false(matches("*", "1.3.0-rc.1"));
	assert_false(matches(">= 1.0", "1.3.0-rc.1"));
	assert_true(matches(">= 1.3.0-rc.1", "1.3.0-rc.2"));
	assert_false(matches(">= 1.3.0-rc.1", "1.4.0-rc.1"));
	assert_true(matches(">= 1.3.0-rc.1", "1.4.0"));
	assert_true(matches("^1.3.0-beta", "1.3.0-rc.1"));
}

static void
test_bad_constraints(void **state)
{
	struct vconstraint c;
	struct mgr_error err = { 0 };

	(void)state;
	assert_int_equal(constraint_parse(">= x", &c, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, ">= x"));
	assert_int_equal(constraint_parse("=> 1.0", &c, NULL), MGR_EINVAL);
	assert_int_equal(constraint_parse(">=", &c, NULL), MGR_EINVAL);
	assert_int_equal(constraint_parse("^ ", &c, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "\"^ \": a version must follow"));
}

static void
test_dep_parse(void **state)
{
	struct dep_spec d;
	struct mgr_error err = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(dep_parse("base >= 1.0", &d, NULL), 0);
	assert_string_equal(d.id, "base");
	assert_int_equal(d.c.op, VOP_GE);
	assert_string_equal(d.text, ">= 1.0");
	constraint_format(&d.c, buf, sizeof buf);
	assert_string_equal(buf, ">= 1.0");
	assert_int_equal(dep_parse("hello@^1.2", &d, NULL), 0);
	assert_string_equal(d.id, "hello");
	assert_int_equal(d.c.op, VOP_CARET);
	assert_int_equal(dep_parse("hello", &d, NULL), 0);
	assert_int_equal(d.c.op, VOP_ANY);
	assert_int_equal(dep_parse("base>=2", &d, NULL), 0);
	assert_string_equal(d.id, "base");
	assert_int_equal(dep_parse("Base >= 1", &d, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "Base"));
	assert_int_equal(dep_parse(">= 1", &d, NULL), MGR_EINVAL);
	assert_int_equal(dep_parse("base >= one", &d, NULL), MGR_EINVAL);
}

static void
test_plugin_id(void **state)
{
	char long_id[70];

	(void)state;
	assert_true(plugin_id_valid("hello"));
	assert_true(plugin_id_valid("0day_x-y"));
	assert_false(plugin_id_valid(""));
	assert_false(plugin_id_valid("_x"));
	assert_false(plugin_id_valid("-x"));
	assert_false(plugin_id_valid("Hello"));
	assert_false(plugin_id_valid("a.b"));
	assert_false(plugin_id_valid("a/b"));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	assert_true(plugin_id_valid(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	assert_false(plugin_id_valid(long_id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_relational),
		cmocka_unit_test(test_caret),
		cmocka_unit_test(test_tilde),
		cmocka_unit_test(test_prerelease),
		cmocka_unit_test(test_bad_constraints),
		cmocka_unit_test(test_dep_parse),
		cmocka_unit_test(test_plugin_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
