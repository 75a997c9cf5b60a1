/* test_cmd.c - a command's options as data: cmd_args_parse reads the
 * entry's table with getopt_long (options anywhere, "--", values glued or
 * apart, repeated options, short names), reports errors as usage errors,
 * and leaves getopt's globals as it found them; cmd_dispatch counts the
 * positional arguments, answers --help and runs the entry. */
#include "testutil.h"
#include "cmd.h"

#include <getopt.h>

static const struct cmd_option opts[] = {
	{ "name", 0, "NAME", "a name", 0 },
	{ "env", 0, "NAME=VALUE", "a variable", CMD_OPT_MANY },
	{ "follow", 'f', NULL, "follow", 0 },
	{ "coalesce", 0, NULL, "on", 0 },
	{ "no-coalesce", 0, NULL, "off", 0 },
	{ NULL, 0, NULL, NULL, 0 }
};

/* Says on out how many arguments it got. */
static int
run_cb(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	fprintf(ctx->out, "ran with %d\n", args->argc);
	return CMD_EXIT_OK;
}

static const struct cmd_entry entry = {
	.noun = "thing", .verb = "do", .usage = "ID [MORE]",
	.summary = "do a thing", .min_args = 1, .max_args = 2,
	.options = opts, .run = run_cb,
};
static const struct cmd_entry *const list[] = { &entry, NULL };
static const struct cmd_entry *const *const lists[] = { list, NULL };
static const struct cmd_table table = { lists, NULL };

struct fixture {
	struct cmd_ctx ctx;
	char *out, *err;
	size_t olen, elen;
};

static void
fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof *f);
	f->ctx.table = &table;
	f->ctx.out = open_memstream(&f->out, &f->olen);
	f->ctx.err = open_memstream(&f->err, &f->elen);
}

static void
fixture_close(struct fixture *f)
{
	fclose(f->ctx.out);
	fclose(f->ctx.err);
	free(f->out);
	free(f->err);
}

static void
test_parse_anywhere(void **state)
{
	char *argv[] = { "x", "--name", "n1", "y", "--env=A=1", "-f", "--env",
	    "B=2", "--", "--name", NULL };
	struct fixture f;
	struct cmd_args a;
	const char *const *env;

	(void)state;
	fixture_open(&f);
	optind = 5;		/* someone else's state, given back after */
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 10, argv, &a), 0);
	assert_int_equal(optind, 5);
	assert_int_equal(a.argc, 3);
	assert_string_equal(a.argv[0], "x");
	assert_string_equal(a.argv[1], "y");
	assert_string_equal(a.argv[2], "--name");	/* after "--": an argument */
	assert_null(a.argv[3]);
	assert_string_equal(cmd_args_value(&a, "name"), "n1");
	env = cmd_args_values(&a, "env");
	assert_non_null(env);
	assert_string_equal(env[0], "A=1");
	assert_string_equal(env[1], "B=2");
	assert_null(env[2]);
	assert_int_equal(cmd_args_has(&a, "follow"), 1);
	assert_int_equal(cmd_args_has(&a, "coalesce"), 0);
	assert_null(cmd_args_value(&a, "follow"));
	assert_int_equal(f.ctx.json, 0);
	cmd_args_clear(&a);
	fixture_close(&f);
}

/* A copy outlives the words it was parsed from (a command answered
 * later), with the same values, counts and order. */
static void
test_copy_owns_its_words(void **state)
{
	char *words[] = { "x", "--name", "n1", "--env=A=1", "-f", "--env",
	    "B=2", NULL };
	char *argv[8];
	struct fixture f;
	struct cmd_args a, c;
	const char *const *env;

	(void)state;
	for (size_t i = 0; i < 8; i++)
		argv[i] = words[i] != NULL ? strdup(words[i]) : NULL;
	fixture_open(&f);
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 7, argv, &a), 0);
	cmd_args_copy(&c, &a);
	cmd_args_clear(&a);
	for (size_t i = 0; i < 7; i++) {
		memset(argv[i], 'Z', strlen(argv[i]));
		free(argv[i]);
	}
	assert_int_equal(c.argc, 1);
	assert_string_equal(c.argv[0], "x");
	assert_null(c.argv[1]);
	assert_string_equal(cmd_args_value(&c, "name"), "n1");
	env = cmd_args_values(&c, "env");
	assert_string_equal(env[0], "A=1");
	assert_string_equal(env[1], "B=2");
	assert_null(env[2]);
	assert_int_equal(cmd_args_has(&c, "follow"), 1);
	assert_int_equal(cmd_args_has(&c, "coalesce"), 0);
	assert_true(cmd_args_last(&c, "env") > cmd_args_last(&c, "name"));
	cmd_args_clear(&c);
	fixture_close(&f);
}

static void
test_parse_twice_and_order(void **state)
{
	char *argv1[] = { "--coalesce", "x", "--no-coalesce", NULL };
	char *argv2[] = { "--no-coalesce", "--coalesce", "x", "--json", NULL };
	struct fixture f;
	struct cmd_args a;

	(void)state;
	fixture_open(&f);
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 3, argv1, &a), 0);
	assert_true(cmd_args_last(&a, "no-coalesce") > cmd_args_last(&a, "coalesce"));
	cmd_args_clear(&a);
	/* A second parse starts afresh (optind = 0 inside). */
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 4, argv2, &a), 0);
	assert_true(cmd_args_last(&a, "coalesce") > cmd_args_last(&a, "no-coalesce"));
	assert_int_equal(a.argc, 1);
	assert_int_equal(f.ctx.json, 1);
	cmd_args_clear(&a);
	fixture_close(&f);
}

static void
test_parse_errors(void **state)
{
	char *unknown[] = { "x", "--frob", NULL };
	char *missing[] = { "x", "--name", NULL };
	char *novalue[] = { "x", "--follow=yes", NULL };
	char *shortbad[] = { "x", "-q", NULL };
	struct fixture f;
	struct cmd_args a;

	(void)state;
	fixture_open(&f);
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 2, unknown, &a),
	    CMD_EXIT_USAGE);
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 2, missing, &a),
	    CMD_EXIT_USAGE);
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 2, novalue, &a),
	    CMD_EXIT_USAGE);
	assert_int_equal(cmd_args_parse(&f.ctx, &entry, 2, shortbad, &a),
	    CMD_EXIT_USAGE);
	fflush(f.ctx.err);
	assert_non_null(strstr(f.err, "manager: unknown option --frob\n"
	    "usage: manager thing do ID [MORE] [--name NAME]"));
	assert_non_null(strstr(f.err, "option --name needs a value"));
	assert_non_null(strstr(f.err, "option --follow takes no value"));
	assert_non_null(strstr(f.err, "unknown option -q"));
	fixture_close(&f);
}

static void
test_dispatch(void **state)
{
	char *ok[] = { "thing", "do", "a", "--name", "n", "b", NULL };
	char *few[] = { "thing", "do", "--name", "n", NULL };
	char *help[] = { "thing", "do", "--name", "-h", "-h", NULL };
	char *typo[] = { "thing", "od", NULL };
	struct fixture f;

	(void)state;
	fixture_open(&f);
	assert_int_equal(cmd_dispatch(&f.ctx, 6, ok), CMD_EXIT_OK);
	assert_int_equal(cmd_dispatch(&f.ctx, 4, few), CMD_EXIT_USAGE);
	assert_int_equal(cmd_dispatch(&f.ctx, 5, help), CMD_EXIT_OK);
	assert_int_equal(cmd_dispatch(&f.ctx, 2, typo), CMD_EXIT_USAGE);
	fflush(f.ctx.out);
	fflush(f.ctx.err);
	/* Once: "few" and --help did not run it. */
	assert_non_null(strstr(f.out, "ran with 2\n"));
	assert_null(strstr(strstr(f.out, "ran with") + 1, "ran with"));
	assert_non_null(strstr(f.out, "usage: manager thing do ID [MORE]"));
	assert_non_null(strstr(f.out, "  -f, --follow"));
	assert_non_null(strstr(f.err, "did you mean \"thing do\"?"));
	fixture_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_anywhere),
		cmocka_unit_test(test_parse_twice_and_order),
		cmocka_unit_test(test_copy_owns_its_words),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_dispatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
