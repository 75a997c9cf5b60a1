/* test_manifest.c - plugin.conf parsing, every problem with its line,
 * dependency checks, ordering and cycles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "util.h"
#include "validator.h"

struct fixture {
	char dir[64];
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);

	snprintf(f->dir, sizeof f->dir, "/tmp/test_manifest-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	rm_rf(f->dir, NULL);
	free(f);
	return 0;
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	free(path);
}

static int
has_problem(const struct mgr_problems *p, const char *needle)
{
	for (size_t i = 0; i < p->n; i++)
		if (strstr(p->msgs[i], needle) != NULL)
			return 1;
	return 0;
}

static void
test_good_manifest(void **state)
{
	struct fixture *f = *state;
	struct mgr_problems p = { 0 };
	struct manifest m;

	write_file(f->dir, "hello.so", "");
	write_file(f->dir, "plugin.conf",
	    "id = \"hello\"; name = \"Hello\"; version = \"1.2.0\";\n"
	    "description = \"Says hello\"; author = \"Ada\";\n"
	    "library = \"hello.so\";\n"
	    "dependencies = [ \"base >= 1.0\", \"util ^2\" ];\n"
	    "config = { greeting = \"hi\"; n = 3; };\n"
	    "tasks = ( { id = \"hello.greet\"; func = \"greet\";\n"
	    "            trigger = \"interval\"; minutes = 30; max_retries = 1; } );\n");
	assert_int_equal(manifest_load(f->dir, &m, &p, NULL), 0);
	assert_int_equal(p.n, 0);
	assert_string_equal(m.id, "hello");
	assert_string_equal(m.version, "1.2.0");
	assert_int_equal(m.ndeps, 2);
	assert_string_equal(m.deps[1].id, "util");
	assert_string_equal(m.deps_json, "[\"base >= 1.0\",\"util ^2\"]");
	assert_int_equal(m.ntasks, 1);
	assert_string_equal(m.tasks[0].func, "greet");
	assert_string_equal(m.tasks[0].trigger_args, "{\"minutes\":\"30\"}");
	assert_int_equal(m.tasks[0].max_retries, 1);
	assert_non_null(strstr(m.json, "\"greeting\":\"hi\""));
	manifest_clear(&m);
	problems_free(&p);
}

static void
test_every_problem_reported(void **state)
{
	struct fixture *f = *state;
	struct mgr_problems p = { 0 };
	struct mgr_error err = { 0 };
	struct manifest m;

	write_file(f->dir, "plugin.conf",
	    "id = \"Bad Id\";\n"
	    "version = \"1.0\";\n"
	    "library = \"../evil.so\";\n"
	    "dependencies = [ \"base >= x\" ];\n"
	    "colour = \"red\";\n"
	    "tasks = ( { id = \"t\"; func = \"f\"; trigger = \"weekly\"; bogus = 1; } );\n");
	assert_int_equal(manifest_load(f->dir, &m, &p, &err), MGR_EINVAL);
	assert_true(has_problem(&p, "plugin.conf:1: field \"id\""));
	assert_true(has_problem(&p, "required field \"name\" is missing"));
	assert_true(has_problem(&p, "plugin.conf:2: field \"version\""));
	assert_true(has_problem(&p, "plugin.conf:3: field \"library\""));
	assert_true(has_problem(&p, "plugin.conf:4: field \"dependencies\""));
	assert_true(has_problem(&p, "plugin.conf:5: unknown field \"colour\""));
	assert_true(has_problem(&p, "\"weekly\" is not interval, cron, date or calendar"));
	assert_true(has_problem(&p, "task field \"bogus\" is unknown"));
	assert_true(p.n >= 8);
	assert_non_null(strstr(err.msg, "plugin.conf"));
	manifest_clear(&m);
	problems_free(&p);
}

/* Each missing task field named, and a task id used twice (which
 * would only fail later, when enabling created the rows). */
static void
test_task_fields_and_duplicates(void **state)
{
	struct fixture *f = *state;
	struct mgr_problems p = { 0 };
	struct manifest m;

	write_file(f->dir, "x.so", "");
	write_file(f->dir, "plugin.conf",
	    "id = \"x\"; name = \"X\"; version = \"1.0.0\"; library = \"x.so\";\n"
	    "tasks = ( { func = \"f\"; trigger = \"cron\"; minute = 0; },\n"
	    "  { id = \"x.a\"; trigger = \"cron\"; minute = 0; },\n"
	    "  { id = \"x.b\"; func = \"f\"; trigger = \"cron\"; minute = 0; },\n"
	    "  { id = \"x.b\"; func = \"f\"; trigger = \"cron\"; minute = 1; } );\n");
	assert_int_equal(manifest_load(f->dir, &m, &p, NULL), MGR_EINVAL);
	assert_true(has_problem(&p, "plugin.conf:2: task needs a string "
	    "field \"id\""));
	assert_true(has_problem(&p, "plugin.conf:3: task x.a needs a string "
	    "field \"func\""));
	assert_true(has_problem(&p, "plugin.conf:5: task id \"x.b\" is "
	    "already used by the task at line 4"));
	assert_int_equal(p.n, 3);
	manifest_clear(&m);
	problems_free(&p);
}

static void
test_syntax_error_line(void **state)
{
	struct fixture *f = *state;
	struct mgr_problems p = { 0 };
	struct manifest m;

	write_file(f->dir, "plugin.conf", "id = \"a\";\nname = ;\n");
	assert_int_equal(manifest_load(f->dir, &m, &p, NULL), MGR_EINVAL);
	assert_int_equal(p.n, 1);
	assert_non_null(strstr(p.msgs[0], "plugin.conf:2:"));
	manifest_clear(&m);
	problems_free(&p);
}

static void
test_missing_manifest(void **state)
{
	struct fixture *f = *state;
	struct mgr_problems p = { 0 };
	struct mgr_error err = { 0 };
	struct manifest m;

	assert_int_equal(manifest_load(f->dir, &m, &p, &err), MGR_ENOENT);
	assert_non_null(strstr(err.msg, "plugin.conf"));
	manifest_clear(&m);
	problems_free(&p);
}

static void
test_missing_library_and_self_dep(void **state)
{
	struct fixture *f = *state;
	struct mgr_problems p = { 0 };
	struct manifest m;

	write_file(f->dir, "plugin.conf",
	    "id = \"a\"; name = \"A\"; version = \"1.0.0\";\n"
	    "library = \"a.so\";\ndependencies = [ \"a\" ];\n");
	assert_int_equal(manifest_load(f->dir, &m, &p, NULL), MGR_EINVAL);
	assert_true(has_problem(&p, "plugin.conf:2: field \"library\""));
	assert_true(has_problem(&p, "depends on itself"));
	manifest_clear(&m);
	problems_free(&p);
}

/* A copy of the first bytes of lib with one 16-bit field patched. */
static char *
patched_elf(const char *dir, const char *lib, size_t offset, unsigned value)
{
	char *path = xasprintf("%s/patched-%zu.so", dir, offset);
	unsigned char buf[64];
	FILE *in = fopen(lib, "rb"), *out;

	assert_non_null(in);
	assert_int_equal(fread(buf, 1, sizeof buf, in), sizeof buf);
	fclose(in);
	memcpy(buf + offset, &(uint16_t){ (uint16_t)value }, 2);
	out = fopen(path, "wb");
	fwrite(buf, 1, sizeof buf, out);
	fclose(out);
	return path;
}

static void
test_elf_check(void **state)
{
	struct fixture *f = *state;
	struct mgr_error err = { 0 };
	char *path = xasprintf("%s/x.so", f->dir), *bad;
	const char *top = getenv("top_builddir");
	char *lib = xasprintf("%s/data/plugins/hello/hello.so", top ? top : ".");

	write_file(f->dir, "x.so", "#!/bin/sh\necho not a library\n");
	assert_int_equal(validate_elf(path, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "not an ELF file"));
	assert_int_equal(validate_elf(lib, &err), 0);
	bad = patched_elf(f->dir, lib, 16, 2);		/* e_type = ET_EXEC */
	assert_int_equal(validate_elf(bad, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "not a shared object"));
	free(bad);
	bad = patched_elf(f->dir, lib, 18, 0x1234);	/* e_machine */
	assert_int_equal(validate_elf(bad, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "built for ELF machine 4660"));
	free(bad);
	free(path);
	free(lib);
}

static struct dep_spec
spec(const char *text)
{
	struct dep_spec d;

	assert_int_equal(dep_parse(text, &d, NULL), 0);
	return d;
}

static void
test_deps_check(void **state)
{
	struct dep_spec want[] = { spec("base >= 1.0"), spec("util ^2.1"),
	    spec("gone") };
	struct dep_node nodes[] = {
		{ "base", "1.0.0", NULL, 0 },
		{ "util", "3.0.0", NULL, 0 },
	};
	struct dep_node me = { "me", "1.0.0", want, 3 };
	struct mgr_problems p = { 0 };

	(void)state;
	deps_check(nodes, 2, &me, "x/plugin.conf", &p);
	assert_int_equal(p.n, 2);
	assert_true(has_problem(&p, "\"util ^2.1\" is not satisfied by installed "
	    "version 3.0.0"));
	assert_true(has_problem(&p, "\"gone\" is not installed"));
	problems_free(&p);
}

static void
test_deps_order(void **state)
{
	struct dep_spec a_deps[] = { spec("b"), spec("c") };
	struct dep_spec b_deps[] = { spec("c >= 1") };
	struct dep_node nodes[] = {
		{ "a", "1.0.0", a_deps, 2 },
		{ "b", "1.0.0", b_deps, 1 },
		{ "c", "1.0.0", NULL, 0 },
		{ "d", "1.0.0", NULL, 0 },
	};
	size_t order[4], pos[4];

	(void)state;
	assert_int_equal(deps_order(nodes, 4, order, NULL), 0);
	for (size_t i = 0; i < 4; i++)
		pos[order[i]] = i;
	assert_true(pos[2] < pos[1]);
	assert_true(pos[1] < pos[0]);
	assert_true(pos[2] < pos[0]);
}

static void
test_deps_cycle(void **state)
{
	struct dep_spec a_deps[] = { spec("b") };
	struct dep_spec b_deps[] = { spec("c") };
	struct dep_spec c_deps[] = { spec("a >= 0.1") };
	struct dep_node nodes[] = {
		{ "x", "1.0.0", NULL, 0 },
		{ "a", "1.0.0", a_deps, 1 },
		{ "b", "1.0.0", b_deps, 1 },
		{ "c", "1.0.0", c_deps, 1 },
	};
	struct mgr_error err = { 0 };
	size_t order[4];

	(void)state;
	assert_int_equal(deps_order(nodes, 4, order, &err), MGR_EINVAL);
	assert_string_equal(err.msg, "dependency cycle: a -> b -> c -> a");
}

static void
test_deps_from_json(void **state)
{
	struct dep_spec *d;
	size_t n;

	(void)state;
	assert_int_equal(deps_from_json("[\"base >= 1.0\", \"x\"]", &d, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].id, "base");
	free(d);
	assert_int_equal(deps_from_json("{}", &d, &n, NULL), MGR_EINVAL);
	free(d);
}

/* An upgrade asks again only for what is new; relative paths are the
 * plugin folder's. */
static void
test_perms_added(void **state)
{
	struct manifest_perms cur, next;
	char *added, **abs;

	(void)state;
	manifest_perms_from_json("{\"permissions\": {\"read\": [\"/a\"], "
	    "\"write\": [\"out\"]}}", &cur);
	assert_int_equal(cur.network, 0);
	manifest_perms_from_json("{\"permissions\": {\"network\": true, "
	    "\"read\": [\"/a\", \"/b\"], \"write\": [\"out\"]}}", &next);
	added = manifest_perms_added(&cur, &next);
	assert_non_null(added);
	assert_non_null(strstr(added, "network: yes"));
	assert_non_null(strstr(added, "read: /b"));
	assert_null(strstr(added, "/a"));
	assert_null(strstr(added, "out"));
	free(added);
	assert_null(manifest_perms_added(&next, &cur));	/* asks for less */
	assert_null(manifest_perms_added(&next, &next));
	abs = manifest_perms_paths(cur.write, "/p/x");
	assert_string_equal(abs[0], "/p/x/out");
	strv_free(abs);
	manifest_perms_clear(&cur);
	manifest_perms_clear(&next);
	manifest_perms_from_json(NULL, &cur);	/* the defaults */
	assert_int_equal(cur.network, 0);
	assert_null(cur.read);
	manifest_perms_clear(&cur);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_problem_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_fields_and_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_manifest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_library_and_self_dep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf_check, setup, teardown),
		cmocka_unit_test(test_deps_check),
		cmocka_unit_test(test_deps_order),
		cmocka_unit_test(test_deps_cycle),
		cmocka_unit_test(test_deps_from_json),
		cmocka_unit_test(test_perms_added),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
