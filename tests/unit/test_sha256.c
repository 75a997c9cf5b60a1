/* test_sha256.c - sha256_hex and sha256_file against the FIPS 180-4
 * examples, a file longer than one read buffer, and a missing file. */
#include "testutil.h"

static void
test_sha256_vectors(void **state)
{
	char out[65];

	(void)state;
	sha256_hex("", 0, out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, out);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039"
	    "a33ce45964ff2167f6ecedd419db06c1");
}

/* One million 'a': 15 full 65536-byte reads and a short one. */
static void
test_sha256_file(void **state)
{
	char *dir = tmpdir_new(), *path = xasprintf("%s/a", dir), out[65];
	struct mgr_error err = { 0 };
	FILE *f = fopen(path, "w");

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 1000000; i++)
		fputc('a', f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(sha256_file(path, out, &err), 0);
	assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(path);
	path = xasprintf("%s/missing", dir);
	assert_int_not_equal(sha256_file(path, out, &err), 0);
	assert_non_null(strstr(err.msg, path));
	free(path);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
