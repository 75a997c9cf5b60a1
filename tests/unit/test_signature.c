/* test_signature.c - Ed25519 keys and minisign-format signatures: a
 * round trip, a known minisign public key, and every malformed file or
 * altered byte refused with the file and line at fault. */
#include "testutil.h"
#include "signature.h"

#include <string.h>

static const char msg[] = "packages = ( );\n";

static char *
signed_text(struct sig_seckey *sk, struct sig_pubkey *pk, long long ts,
	    long long exp)
{
	struct mgr_error err = { 0 };
	char *text = NULL;

	assert_int_equal(sig_keygen(sk, &err), 0);
	sig_seckey_public(sk, pk);
	assert_int_equal(sig_sign(sk, msg, strlen(msg), ts, exp, &text, &err), 0);
	return text;
}

static void
test_round_trip(void **state)
{
	struct sig_seckey sk, sk2;
	struct sig_pubkey pk, pk2;
	struct sig_file s;
	struct mgr_error err = { 0 };
	char *text = signed_text(&sk, &pk, 1700000000, 1700086400);
	char *pt = sig_pubkey_format(&pk), *st = sig_seckey_format(&sk);

	(void)state;
	assert_int_equal(sig_parse(text, "x.minisig", &s, &err), 0);
	assert_true(s.timestamp == 1700000000);
	assert_true(s.expires == 1700086400);
	assert_int_equal(sig_verify(&s, &pk, msg, strlen(msg), "x", &err), 0);
	/* The key files read back to the same keys. */
	assert_int_equal(sig_pubkey_parse(pt, "k.pub", &pk2, &err), 0);
	assert_memory_equal(&pk, &pk2, sizeof pk);
	assert_int_equal(sig_seckey_parse(st, "k", &sk2, &err), 0);
	assert_memory_equal(&sk, &sk2, sizeof sk);
	/* Another message does not verify. */
	assert_int_equal(sig_verify(&s, &pk, "packages = ();", 14, "x", &err),
	    MGR_EUNSAFE);
	assert_non_null(strstr(err.msg, "x: bad signature: the index"));
	sig_file_clear(&s);
	free(pt);
	free(st);
	free(text);
}

/* minisign -G's public key format (the documented example key). */
static void
test_minisign_pubkey(void **state)
{
	struct sig_pubkey pk;
	struct mgr_error err = { 0 };
	char id[17];

	(void)state;
	assert_int_equal(sig_pubkey_parse("untrusted comment: minisign public "
	    "key E7620F1842B4E81F\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n",
	    "minisign.pub", &pk, &err), 0);
	sig_keyid_hex(pk.keyid, id);
	assert_string_equal(id, "E7620F1842B4E81F");
}

static void
expect_parse_error(const char *text, const char *needle)
{
	struct sig_file s;
	struct mgr_error err = { 0 };

	assert_int_equal(sig_parse(text, "i.minisig", &s, &err), MGR_EINVAL);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("\"%s\" not in \"%s\"", needle, err.msg);
}

static void
test_malformed(void **state)
{
	struct sig_seckey sk;
	struct sig_pubkey pk;
	char *text = signed_text(&sk, &pk, 5, 6), *t;
	struct mgr_error err = { 0 };

	(void)state;
	expect_parse_error("", "i.minisig:1: must start with \"untrusted comment: \"");
	expect_parse_error("untrusted comment: x\nnot base64!\n", "i.minisig:2: not the base64");
	expect_parse_error("untrusted comment: x\nRWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n",
	    "i.minisig:2: not the base64 text of a 74-byte");
	/* The trusted comment line and its fields. */
	t = xstrdup(text);
	strstr(t, "\ntrusted comment: ")[1] = 'X';
	expect_parse_error(t, "i.minisig:3: must start with \"trusted comment: \"");
	free(t);
	t = xstrdup(text);
	memcpy(strstr(t, "expires:"), "expirez:", 8);
	expect_parse_error(t, "i.minisig:3: the trusted comment needs");
	free(t);
	t = xstrdup(text);
	t[strlen(t) - 3] = '\0';
	expect_parse_error(t, "i.minisig:4: not the base64");
	free(t);
	/* "ED" (prehashed) signatures are named as such. */
	t = xstrdup(text);
	t[strchr(t, '\n') - t + 2] = 'U';	/* "RW" -> "RU": "Ed" -> "ED" */
	expect_parse_error(t, "i.minisig:2: not an Ed25519 key or signature "
	    "(algorithm \"ED\"; prehashed");
	free(t);
	/* Keys: a secret key whose public half does not match. */
	t = sig_seckey_format(&sk);
	{
		/* Character 80 of the 100 lies inside the public half; the
		 * last ones would carry only padding bits, which a flip
		 * can leave unchanged. */
		char *b = strchr(t, '\n') + 1;

		b[80] = b[80] == 'A' ? 'B' : 'A';
	}
	assert_int_equal(sig_seckey_parse(t, "k", &sk, &err), MGR_EINVAL);
	assert_non_null(strstr(err.msg, "k: the public key inside does not match"));
	free(t);
	free(text);
}

/* Altering the trusted comment (a later expiry, a newer timestamp)
 * breaks the global signature. */
static void
test_trusted_comment_altered(void **state)
{
	struct sig_seckey sk;
	struct sig_pubkey pk, other;
	struct sig_file s;
	struct mgr_error err = { 0 };
	char *text = signed_text(&sk, &pk, 1700000000, 1700086400);
	char *p = strstr(text, "expires:1700086400");

	(void)state;
	memcpy(p, "expires:1900086400", 18);
	assert_int_equal(sig_parse(text, "x.minisig", &s, &err), 0);
	assert_true(s.expires == 1900086400);
	assert_int_equal(sig_verify(&s, &pk, msg, strlen(msg), "x", &err),
	    MGR_EUNSAFE);
	assert_non_null(strstr(err.msg, "trusted comment (timestamp, expiry) was altered"));
	/* Another key: refused before any check. */
	other = pk;
	other.keyid[0] ^= 1;
	assert_int_equal(sig_verify(&s, &other, msg, strlen(msg), "x", &err),
	    MGR_EUNSAFE);
	assert_non_null(strstr(err.msg, "signed by another key"));
	sig_file_clear(&s);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_minisign_pubkey),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_trusted_comment_altered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
