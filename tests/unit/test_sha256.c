/* test_sha256.c - the program's own SHA-256 (src/core/sha256.c) against
 * FIPS 180-4's examples and against libcrypto's digest of the same bytes
 * (the implementation it replaced): every length from 0 to 1,000 bytes,
 * and a file read in 64 KiB chunks whose length is not a whole block. */
#include "testutil.h"

#include <openssl/evp.h>
#include <stdio.h>

static void
expect(const char *msg, const char *want)
{
	char got[65];

	sha256_hex(msg, strlen(msg), got);
	assert_string_equal(got, want);
}

static void
test_fips_examples(void **state)
{
	char *million = xmalloc(1000001), got[65];

	(void)state;
	expect("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', 1000000);
	million[1000000] = '\0';
	sha256_hex(million, 1000000, got);
	assert_string_equal(got,
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void
libcrypto_hex(const unsigned char *p, size_t n, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, md, &len, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void
test_every_length(void **state)
{
	unsigned char buf[1000];
	char a[65], b[65];

	(void)state;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (size_t n = 0; n <= sizeof buf; n++) {
		sha256_hex(buf, n, a);
		libcrypto_hex(buf, n, b);
		if (strcmp(a, b) != 0)
			fail_msg("%zu bytes: %s, libcrypto %s", n, a, b);
	}
}

static void
test_file(void **state)
{
	size_t n = 3 * 65536 + 1000 + 13;
	unsigned char *buf = xmalloc(n);
	char *dir = tmpdir_new(), *path = xasprintf("%s/f", dir), a[65], b[65];
	struct mgr_error err = { 0 };
	FILE *f = fopen(path, "w");

	(void)state;
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i ^ (i >> 8));
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
	assert_int_equal(sha256_file(path, a, &err), 0);
	libcrypto_hex(buf, n, b);
	assert_string_equal(a, b);
	assert_int_not_equal(sha256_file("/nonexistent/f", a, &err), 0);
	assert_non_null(strstr(err.msg, "/nonexistent/f"));
	free(buf);
	free(path);
	tmpdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_examples),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
