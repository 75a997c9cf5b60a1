/* test_fault.c - the circuit breaker decides on the plugin's state, not
 * on the text of its error: a plugin faulted by a process in one language
 * is not tripped again by a process in another. */
#include "testutil.h"

#include "fault.h"
#include "i18n.h"
#include "manager.h"

#include <locale.h>

struct fixture {
	char *dir;
	struct mgr *mgr;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof *f);
	struct conf_source src = { 0 };
	char *conf;

	f->dir = tmpdir_new();
	conf = xasprintf("%s/manager.conf", f->dir);
	{
		char *text = xasprintf("manager: { data_directory = \"%s\"; "
		    "log_level = \"error\"; };\n", f->dir);
		write_text(conf, text);
		free(text);
	}
	src.config_arg = conf;
	assert_int_equal(mgr_open(&src, &f->mgr, NULL), 0);
	assert_int_equal(mgr_open_db(f->mgr, NULL), 0);
	free(conf);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	setlocale(LC_ALL, "C.UTF-8");
	mgr_close(f->mgr);
	tmpdir_free(f->dir);
	free(f);
	return 0;
}

/* A plugin with one task whose last `crashes` runs crashed. */
static void
plugin_with_crashes(struct mgr *mgr, const char *state, const char *error,
		    int crashes)
{
	struct plugin_rec p = { .id = "p", .name = "p", .version = "1.0.0",
	    .enabled = 1, .installed_at = 1, .path = "/nonexistent" };
	struct task_rec t;
	struct run_rec r = { .task_id = "t", .status = "crashed", .exit_code = -1,
	    .signal = 11 };

	assert_int_equal(plugin_store_create(mgr->db, &p, NULL), 0);
	assert_int_equal(plugin_store_set_state(mgr->db, "p", state, error, NULL), 0);
	task_rec_init(&t);
	t.id = "t";
	t.func_path = "p:f";
	t.trigger = "interval";
	t.trigger_args = "{\"hours\":\"1\"}";
	t.plugin_id = "p";
	assert_int_equal(task_store_create(mgr->db, &t, NULL), 0);
	for (int i = 1; i <= crashes; i++) {
		r.id = 0;	/* a new row: the store gives it an id */
		r.scheduled_at = r.started_at = r.ended_at = mgr_now_us() + i;
		assert_int_equal(run_store_insert(mgr->db, &r, NULL), 0);
	}
}

static void
german(void)
{
	const char *dir = getenv("MANAGER_LOCALEDIR");

	if (setlocale(LC_ALL, "de_DE.UTF-8") == NULL)
		fail_msg("the de_DE.UTF-8 locale is missing (scripts/install-deps.sh)");
	bindtextdomain(PACKAGE, dir != NULL ? dir : LOCALEDIR);
	textdomain(PACKAGE);
	assert_string_not_equal(_("no task \"%s\""), "no task \"%s\"");	/* translated */
}

static void
test_faulted_stays_tripped_in_another_language(void **state)
{
	struct fixture *f = *state;

	plugin_with_crashes(f->mgr, "faulted",
	    "faulted: 3 crashes within 300 s; its tasks are paused", 3);
	german();
	assert_int_equal(fault_check(f->mgr, "p"), 0);
}

static void
test_enabled_plugin_trips(void **state)
{
	struct fixture *f = *state;

	plugin_with_crashes(f->mgr, "enabled", NULL, 3);
	german();
	assert_int_equal(fault_check(f->mgr, "p"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_faulted_stays_tripped_in_another_language, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enabled_plugin_trips, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
