/* test_import.c - the line parsers of the imports (src/tasks/import*.c):
 * crontab lines as cron reads them, unit files, systemd's time spans and
 * command lines, and the quoting of exec: words. */
#include "testutil.h"
#include "import.h"
#include "sandbox.h"

static void
job(const char *line, enum crontab_format fmt, const char *schedule,
    const char *user, const char *command, const char *input)
{
	struct mgr_error err = { 0 };
	struct crontab_line l;

	assert_int_equal(crontab_line_parse(line, fmt, &l, &err), 0);
	assert_int_equal(l.kind, CRONTAB_JOB);
	assert_string_equal(l.schedule, schedule);
	if (user != NULL)
		assert_string_equal(l.user, user);
	else
		assert_null(l.user);
	assert_string_equal(l.command, command);
	if (input != NULL)
		assert_string_equal(l.input, input);
	else
		assert_null(l.input);
	crontab_line_clear(&l);
}

static void
env(const char *line, const char *name, const char *value)
{
	struct mgr_error err = { 0 };
	struct crontab_line l;

	assert_int_equal(crontab_line_parse(line, CRONTAB_USER, &l, &err), 0);
	assert_int_equal(l.kind, CRONTAB_ENV);
	assert_string_equal(l.name, name);
	assert_string_equal(l.value, value);
	crontab_line_clear(&l);
}

static void
refused(const char *line, enum crontab_format fmt, const char *why)
{
	struct mgr_error err = { 0 };
	struct crontab_line l;

	assert_int_equal(crontab_line_parse(line, fmt, &l, &err), MGR_EINVAL);
	if (strstr(err.msg, why) == NULL)
		fail_msg("\"%s\": \"%s\" does not say \"%s\"", line, err.msg, why);
}

static void
test_crontab_lines(void **state)
{
	struct mgr_error err = { 0 };
	struct crontab_line l;

	(void)state;
	assert_int_equal(crontab_line_parse("  # m h dom", CRONTAB_USER, &l,
	    &err), 0);
	assert_int_equal(l.kind, CRONTAB_BLANK);
	assert_int_equal(crontab_line_parse("", CRONTAB_USER, &l, &err), 0);
	assert_int_equal(l.kind, CRONTAB_BLANK);
	job("17 *\t* * *  cd / && run-parts --report /etc/cron.hourly",
	    CRONTAB_USER, "17 * * * *",
	    NULL, "cd / && run-parts --report /etc/cron.hourly", NULL);
	job("25 6 * * * root test -x /usr/sbin/anacron || run-parts /etc/cron.daily",
	    CRONTAB_SYSTEM, "25 6 * * *", "root",
	    "test -x /usr/sbin/anacron || run-parts /etc/cron.daily", NULL);
	job("@daily www-data /usr/bin/php cron.php", CRONTAB_SYSTEM, "@daily",
	    "www-data", "/usr/bin/php cron.php", NULL);
	job("@reboot sleep 1", CRONTAB_USER, "@reboot", NULL, "sleep 1", NULL);
	/* Env lines: blanks around "=", quotes taken off; a job whose
	 * command has "=" stays a job. */
	env("PATH=/usr/local/bin:/usr/bin", "PATH", "/usr/local/bin:/usr/bin");
	env("  MAILTO = \"ops@example.com\"  ", "MAILTO", "ops@example.com");
	env("GREETING='a b'", "GREETING", "a b");
	env("EMPTY=", "EMPTY", "");
	job("0 1 * * * FOO=bar env", CRONTAB_USER, "0 1 * * *", NULL,
	    "FOO=bar env", NULL);
	refused("0 1 * * *", CRONTAB_USER, "no command");
	refused("0 1 * *", CRONTAB_USER, "4 time fields");
	refused("0 1 * * * echo", CRONTAB_SYSTEM, "no command");
	refused("@every 5m echo", CRONTAB_USER, "@every");
}

/* "%" as Vixie cron's do_command.c reads it. */
static void
test_crontab_percent(void **state)
{
	(void)state;
	job("0 0 * * * mail -s hi root%line 1%line 2", CRONTAB_USER, "0 0 * * *",
	    NULL, "mail -s hi root", "line 1\nline 2\n");
	job("0 0 * * * date +\\%Y-\\%m", CRONTAB_USER, "0 0 * * *", NULL,
	    "date +%Y-%m", NULL);
	job("0 0 * * * cat%a\\%b%", CRONTAB_USER, "0 0 * * *", NULL, "cat",
	    "a%b\n");
	job("0 0 * * * cat%", CRONTAB_USER, "0 0 * * *", NULL, "cat", "");
	job("0 0 * * * echo a\\\\b", CRONTAB_USER, "0 0 * * *", NULL,
	    "echo a\\\\b", NULL);
	job("0 0 * * * cat%x\\y", CRONTAB_USER, "0 0 * * *", NULL, "cat",
	    "x\\y\n");
}

/* A whole crontab: environment, zone, ids, where each task comes from. */
static void
test_crontab_import(void **state)
{
	struct import_set s = { 0 };

	(void)state;
	import_crontab("SHELL=/bin/bash\nCRON_TZ=Europe/Berlin\n"
	    "0 3 * * * backup\n0 4 * * * backup\n61 * * * * x\n", "/c",
	    CRONTAB_USER, NULL, &s);
	assert_int_equal(s.n, 3);	/* 61 is refused when prepared */
	assert_string_equal(s.v[0].rec.func_path, "exec:/bin/bash -c backup");
	assert_string_equal(s.v[0].fields[0], "crontab=0 3 * * *");
	assert_string_equal(s.v[0].fields[1], "timezone=Europe/Berlin");
	assert_string_equal(s.v[0].where, "/c:3");
	assert_string_not_equal(s.v[0].rec.id, s.v[1].rec.id);
	assert_int_equal(strncmp(s.v[0].rec.id, "cron-", 5), 0);
	assert_string_equal(s.v[0].ctx.env[0], "SHELL=/bin/bash");
	assert_string_equal(s.v[0].ctx.env[1], "CRON_TZ=Europe/Berlin");
	assert_int_equal(s.v[0].rec.max_retries, 0);
	import_set_clear(&s);
	/* The same text gives the same ids; --prefix numbers the jobs. */
	import_crontab("0 3 * * * backup\n", "/c", CRONTAB_USER, "nightly", &s);
	assert_string_equal(s.v[0].rec.id, "nightly-1");
	import_set_clear(&s);
}

static void
test_unit_file(void **state)
{
	struct mgr_error err = { 0 };
	struct unit_file u;

	(void)state;
	assert_int_equal(unit_file_parse("# c\n[Timer]\n; c\nOnCalendar = daily \n"
	    "\n[Service]\nExecStart=/bin/echo a \\\n# inside\n  b\nX=\n", "/u", &u,
	    &err), 0);
	assert_int_equal(u.n, 3);
	assert_string_equal(u.v[0].section, "Timer");
	assert_string_equal(u.v[0].key, "OnCalendar");
	assert_string_equal(u.v[0].value, "daily");
	assert_int_equal(u.v[0].line, 4);
	assert_string_equal(u.v[1].value, "/bin/echo a  b");
	assert_int_equal(u.v[1].line, 7);
	assert_string_equal(u.v[2].value, "");
	unit_file_clear(&u);
	assert_int_equal(unit_file_parse("OnCalendar=daily\n", "/u", &u, &err),
	    MGR_EINVAL);
	assert_non_null(strstr(err.msg, "/u:1"));
	assert_int_equal(unit_file_parse("[Timer]\nnothing\n", "/u", &u, &err),
	    MGR_EINVAL);
	assert_non_null(strstr(err.msg, "/u:2"));
}

static void
span(const char *text, int64_t want)
{
	struct mgr_error err = { 0 };
	int64_t us;

	if (unit_timespan(text, &us, &err) != 0)
		fail_msg("\"%s\": %s", text, err.msg);
	assert_int_equal(us, want);
}

static void
test_timespan(void **state)
{
	struct mgr_error err = { 0 };
	int64_t us;

	(void)state;
	span("90", 90000000);
	span("5min", 300000000);
	span("1h 30min", 5400000000);
	span("1h30m", 5400000000);
	span("2d", 172800000000);
	span("1.5s", 1500000);
	span("100ms", 100000);
	span("1w", 604800000000);
	span("infinity", -1);
	assert_int_equal(unit_timespan("5 parsecs", &us, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "parsecs"));
	assert_int_equal(unit_timespan("", &us, &err), MGR_EINVAL);
	assert_int_equal(unit_timespan("-5s", &us, &err), MGR_EINVAL);
}

static void
split(const char *text, const char *const *want)
{
	struct mgr_error err = { 0 };
	char **w;
	size_t i;

	if (unit_split(text, &w, &err) != 0)
		fail_msg("\"%s\": %s", text, err.msg);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(w[i]);
		assert_string_equal(w[i], want[i]);
	}
	assert_null(w[i]);
	strv_free(w);
}

static void
test_unit_split(void **state)
{
	struct mgr_error err = { 0 };
	char **w;

	(void)state;
	split("/bin/echo \"a b\" 'c d' e\\tf", (const char *[]){ "/bin/echo",
	    "a b", "c d", "e\tf", NULL });
	split("x\\x41\\101 \"\\\"q\\\"\" ''", (const char *[]){ "xAA", "\"q\"",
	    "", NULL });
	assert_int_equal(unit_split("echo \"open", &w, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "quote"));
	assert_int_equal(unit_split("echo \\q", &w, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "\\q"));
}

/* Whatever the word, exec_split gives it back. */
static void
test_exec_quote(void **state)
{
	static const char *const words[] = { "plain", "a b", "it's", "\"q\"",
	    "back\\slash", "", "line\nbreak", "mix 'of' \"all\" \\ ", NULL };
	struct mgr_error err = { 0 };

	(void)state;
	for (size_t i = 0; words[i] != NULL; i++) {
		char *q = import_exec_quote(words[i]), *line = xasprintf("x %s", q),
		    **argv;
		assert_int_equal(exec_split(line, &argv, &err), 0);
		assert_string_equal(argv[1], words[i]);
		assert_null(argv[2]);
		strv_free(argv);
		free(line);
		free(q);
	}
}

/* spec(unit, value, want): value resolved for the unit (a system one). */
static void
spec(const char *name, const char *value, const char *want)
{
	struct unit_spec u = { name, "/etc/systemd/system/x.service", 0 };
	struct mgr_error err = { 0 };
	char *out = NULL;

	if (unit_specifiers(&u, value, &out, &err) != 0)
		fail_msg("%s \"%s\": %s", name, value, err.msg);
	assert_string_equal(out, want);
	free(out);
}

static void
spec_refused(const char *path, const char *value, const char *why)
{
	struct unit_spec u = { "a.timer", path, strstr(path, "/systemd/user/") !=
	    NULL };
	struct mgr_error err = { 0 };
	char *out = NULL;

	assert_int_equal(unit_specifiers(&u, value, &out, &err), MGR_EINVAL);
	assert_null(out);
	if (strstr(err.msg, why) == NULL)
		fail_msg("\"%s\": \"%s\" does not say \"%s\"", value, err.msg, why);
}

/* The specifiers of systemd.unit(5): the name's parts, escaping undone
 * (systemd-fsck@dev-sda1.service: %I dev/sda1, %f /dev/sda1), the system
 * manager's user and folders, the machine's; those without a fixed value
 * or unknown refused by name. */
static void
test_specifiers(void **state)
{
	char host[256] = "", *id = NULL;
	struct mgr_error err = { 0 };

	(void)state;
	spec("backup.timer", "%n %N %p %P %i|%I|%j %J %f %%", "backup.timer "
	    "backup backup backup ||backup backup /backup %");
	spec("systemd-fsck@dev-sda1.service", "%n|%N|%p|%P|%i|%I|%j|%J|%f",
	    "systemd-fsck@dev-sda1.service|systemd-fsck@dev-sda1|systemd-fsck|"
	    "systemd/fsck|dev-sda1|dev/sda1|fsck|fsck|/dev/sda1");
	spec("a@x\\x2dy.service", "%i %I %f", "x\\x2dy x-y /x-y");
	spec("a@-.service", "%f", "/");
	spec("x.service", "%u %U %g %G %h %t %S %C %L %E %T %V",
	    "root 0 root 0 /root /run /var/lib /var/cache /var/log /etc /tmp "
	    "/var/tmp");
	spec("x.service", "%y %Y", "/etc/systemd/system/x.service "
	    "/etc/systemd/system");
	spec("x.service", "OnCalendar=*-*-* 0%%:00", "OnCalendar=*-*-* 0%:00");
	assert_int_equal(gethostname(host, sizeof host - 1), 0);
	spec("x.service", "%H", host);
	if (read_file("/etc/machine-id", &id, NULL, &err) == 0 &&
	    strlen(id) >= 32) {
		id[32] = '\0';
		spec("x.service", "%m", id);
	}
	free(id);
	spec_refused("/etc/systemd/system/a.timer", "boot %b", "\"%b\" cannot be "
	    "resolved: the boot ID changes at every boot");
	spec_refused("/etc/systemd/system/a.timer", "%v", "\"%v\" cannot be "
	    "resolved: the kernel release changes");
	spec_refused("/etc/systemd/system/a.timer", "%d", "\"%d\"");
	spec_refused("/etc/systemd/system/a.timer", "%z", "\"%z\" cannot be "
	    "resolved: systemd knows no such specifier");
	spec_refused("/etc/systemd/system/a.timer", "50%", "\"% \"");
	spec_refused("/home/u/.config/systemd/user/a.timer", "%h", "\"%h\" "
	    "cannot be resolved: a user manager's unit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crontab_lines),
		cmocka_unit_test(test_crontab_percent),
		cmocka_unit_test(test_crontab_import),
		cmocka_unit_test(test_unit_file),
		cmocka_unit_test(test_timespan),
		cmocka_unit_test(test_unit_split),
		cmocka_unit_test(test_exec_quote),
		cmocka_unit_test(test_specifiers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
