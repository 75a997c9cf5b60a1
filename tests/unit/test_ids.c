/* test_ids.c - what comes from clients: the id rule, UTF-8 in messages,
 * bounded argv splitting, "--" in command lines, the API token checks. */
#include "testutil.h"
#include "api_auth.h"
#include "cmd.h"
#include "sandbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

static void
test_id_valid(void **state)
{
	char id[MGR_ID_MAX + 2];

	(void)state;
	assert_true(mgr_id_valid("demo.uptime"));
	assert_true(mgr_id_valid("hello.greet"));
	assert_true(mgr_id_valid("task-0123456789ab"));
	assert_true(mgr_id_valid("nightly_backup"));
	assert_true(mgr_id_valid("a@b:c+d-e.f_g"));
	assert_true(mgr_id_valid("7"));
	assert_false(mgr_id_valid(NULL));
	assert_false(mgr_id_valid(""));
	assert_false(mgr_id_valid("--help"));
	assert_false(mgr_id_valid("-x"));
	assert_false(mgr_id_valid(".hidden"));
	assert_false(mgr_id_valid("_x"));
	assert_false(mgr_id_valid("a b"));
	assert_false(mgr_id_valid("a/b"));
	assert_false(mgr_id_valid("a\nb"));
	assert_false(mgr_id_valid("caf\xc3\xa9"));
	assert_false(mgr_id_valid("a%2f"));
	memset(id, 'a', sizeof id);
	id[MGR_ID_MAX] = '\0';
	assert_true(mgr_id_valid(id));
	id[MGR_ID_MAX] = 'a';
	id[MGR_ID_MAX + 1] = '\0';
	assert_false(mgr_id_valid(id));
}

static void
test_id_check_message(void **state)
{
	struct mgr_error err = { 0 };
	char *id;

	(void)state;
	assert_int_equal(mgr_id_check("task id", "ok.id", &err), 0);
	assert_int_equal(mgr_id_check("task id", "--help", &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "task id \"--help\""));
	assert_non_null(strstr(err.msg, "starting with a letter or digit"));
	assert_int_equal(mgr_id_check("task id", "", &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "task id is empty"));
	/* A long id is named by its first bytes, never cut inside a
	 * character, with its length and the limit. */
	id = xmalloc(3001);
	for (int i = 0; i < 1500; i++)
		memcpy(id + 2 * i, "\xc3\xa9", 2);
	id[3000] = '\0';
	assert_int_equal(mgr_id_check("task id", id, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "...\" is 3000 bytes long: at most 128"));
	free(id);
	id = utf8_sanitize(err.msg);
	assert_string_equal(id, err.msg);	/* valid UTF-8 as it was */
	free(id);
}

static void
test_utf8(void **state)
{
	char *s;

	(void)state;
	s = utf8_sanitize("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	assert_string_equal(s, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	free(s);
	/* A cut character, a stray continuation byte, an overlong form, a
	 * surrogate and a byte that is never UTF-8: one U+FFFD each. */
	s = utf8_sanitize("a\xc3" "b\x80" "c\xc0\xaf" "d\xed\xa0\x80" "e\xff");
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd"
	    "\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "e\xef\xbf\xbd");
	free(s);
	assert_int_equal(utf8_prefix_len("abc", 10), 3);
	assert_int_equal(utf8_prefix_len("ab\xc3\xa9", 3), 2);
	assert_int_equal(utf8_prefix_len("ab\xc3\xa9", 4), 4);
	assert_int_equal(utf8_prefix_len("\xf0\x9f\x98\x80x", 3), 0);
}

/* A command of n words "w" separated by blanks. */
static char *
words(size_t n)
{
	char *s = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++)
		memcpy(s + 2 * i, "w ", 2);
	s[2 * n] = '\0';
	return s;
}

static void
test_split_limits(void **state)
{
	struct mgr_error err = { 0 };
	char **v = NULL, *cmd;

	(void)state;
	cmd = words(EXEC_MAX_WORDS);
	assert_int_equal(exec_split(cmd, &v, &err), 0);
	assert_int_equal(strv_len(v), EXEC_MAX_WORDS);
	strv_free(v);
	free(cmd);
	cmd = words(EXEC_MAX_WORDS + 1);
	assert_int_equal(exec_split(cmd, &v, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "more than 4096 words"));
	free(cmd);
	cmd = xmalloc(EXEC_MAX_BYTES + 2);
	memset(cmd, 'x', EXEC_MAX_BYTES + 1);
	cmd[EXEC_MAX_BYTES] = '\0';
	assert_int_equal(exec_split(cmd, &v, &err), 0);
	assert_int_equal(strlen(v[0]), EXEC_MAX_BYTES);
	strv_free(v);
	cmd[EXEC_MAX_BYTES] = 'x';
	cmd[EXEC_MAX_BYTES + 1] = '\0';
	assert_int_equal(exec_split(cmd, &v, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "131073 bytes long: at most 131072"));
	free(cmd);
}

/* This thread's CPU time: a split's cost, which the wall clock of a
 * loaded machine (the process waiting for a core) is not. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Words cost the same however many came before, and splitting stops at
 * the limit: a 120 KB line of 60,000 words is refused at once (a
 * quadratic split took about a second for it, a minute for the 450,000
 * words of a 900 KB body), and 4096 words of a 128 KiB line split in
 * well under the 100 ms the API may take. */
static void
test_split_linear(void **state)
{
	struct mgr_error err = { 0 };
	char **v = NULL, *cmd = words(60000);
	double t0 = now_s();

	(void)state;
	assert_int_equal(exec_split(cmd, &v, &err), MGR_EINVAL);
	assert_true(now_s() - t0 < 0.1);
	free(cmd);
	cmd = xmalloc(EXEC_MAX_BYTES + 1);
	for (size_t i = 0; i < EXEC_MAX_WORDS; i++) {
		memset(cmd + 32 * i, 'y', 31);
		cmd[32 * i + 31] = ' ';
	}
	cmd[EXEC_MAX_BYTES - 1] = '\0';
	t0 = now_s();
	assert_int_equal(exec_split(cmd, &v, &err), 0);
	assert_true(now_s() - t0 < 0.1);
	assert_int_equal(strv_len(v), EXEC_MAX_WORDS);
	strv_free(v);
	free(cmd);
}

static void
write_token(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static void
test_token_checks(void **state)
{
	struct mgr_error err = { 0 };
	char *dir = tmpdir_new(), *path, *link, *tok = NULL;

	(void)state;
	assert_int_equal(api_token_load("short", NULL, &tok, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "api.token is 5 characters long"));
	assert_int_equal(api_token_load("0123456789abcdef", NULL, &tok, &err), 0);
	free(tok);
	path = xasprintf("%s/tok", dir);
	write_token(path, "0123456789abcde\n", 0600);
	assert_int_equal(api_token_load(NULL, path, &tok, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "15 characters long"));
	write_token(path, "0123456789abcdef0\n", 0600);
	assert_int_equal(api_token_load(NULL, path, &tok, &err), 0);
	assert_string_equal(tok, "0123456789abcdef0");
	free(tok);
	write_token(path, "0123456789abcdef0\n", 0644);
	assert_int_equal(api_token_load(NULL, path, &tok, &err), MGR_EUNSAFE);
	assert_non_null(strstr(err.msg, "mode 644"));
	unlink(path);
	/* A FIFO: refused at once, not waited on (nobody writes to it). */
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(api_token_load(NULL, path, &tok, &err), MGR_EUNSAFE);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(path);
	write_token(path, "0123456789abcdef0\n", 0600);
	link = xasprintf("%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(api_token_load(NULL, link, &tok, &err), MGR_EIO);
	assert_non_null(strstr(err.msg, "symbolic link"));
	free(link);
	free(path);
	tmpdir_free(dir);
}

/* FNV-1a 64 against the published vectors: the id tables and the API's
 * answer cache hash with it, and a hash that is not FNV's spreads ids
 * no one has measured. */
static void
test_fnv1a(void **state)
{
	(void)state;
	assert_int_equal(fnv1a(FNV_OFFSET, ""), UINT64_C(0xcbf29ce484222325));
	assert_int_equal(fnv1a(FNV_OFFSET, "a"), UINT64_C(0xaf63dc4c8601ec8c));
	assert_int_equal(fnv1a(FNV_OFFSET, "foobar"),
	    UINT64_C(0x85944171f73967e8));
	/* Going on from a hash is hashing the concatenation. */
	assert_int_equal(fnv1a(fnv1a(FNV_OFFSET, "foo"), "bar"),
	    fnv1a(FNV_OFFSET, "foobar"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_id_check_message),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_split_limits),
		cmocka_unit_test(test_split_linear),
		cmocka_unit_test(test_token_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
