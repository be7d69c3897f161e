/* Unit tests for dns/codec.h: base64, unpadded base32hex and hex, RFC 4648 vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/codec.h"
#include "dns/error.h"

typedef int (*enc_fn)(const uint8_t *, size_t, char *, size_t);
typedef int (*dec_fn)(const char *, size_t, uint8_t *, size_t, size_t *);

/* RFC 4648 §10: the inputs shared by every vector. */
static const char *const vec_in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };

static void check_vectors(enc_fn enc, dec_fn dec, const char *const *want)
{
	for (size_t i = 0; i < sizeof(vec_in) / sizeof(vec_in[0]); i++) {
		char out[32];
		uint8_t back[16];
		size_t blen = 99;
		const uint8_t *in = (const uint8_t *)vec_in[i];
		size_t len = strlen(vec_in[i]);
		assert_int_equal(enc(in, len, out, sizeof(out)), (int)strlen(want[i]));
		assert_string_equal(out, want[i]);
		assert_int_equal(dec(want[i], strlen(want[i]), back, sizeof(back), &blen), 0);
		assert_int_equal(blen, len);
		assert_memory_equal(back, in, len);
	}
}

static int dec_str(dec_fn dec, const char *s)
{
	uint8_t out[64];
	size_t n;
	return dec(s, strlen(s), out, sizeof(out), &n);
}

static void test_base64_rfc4648_vectors(void **state)
{
	(void)state;
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					    "Zm9vYmFy" };
	check_vectors(tw_base64_encode, tw_base64_decode, want);
}

static void test_base32hex_rfc4648_vectors_without_padding(void **state)
{
	(void)state;
	/* RFC 4648 §10 "CO======" etc. with the padding left off (RFC 5155 §3.3) */
	static const char *const want[] = { "", "CO", "CPNG", "CPNMU", "CPNMUOG", "CPNMUOJ1",
					    "CPNMUOJ1E8" };
	check_vectors(tw_base32hex_encode, tw_base32hex_decode, want);
}

static void test_hex_vectors_upper_case_out(void **state)
{
	(void)state;
	static const char *const want[] = { "", "66", "666F", "666F6F", "666F6F62", "666F6F6261",
					    "666F6F626172" };
	check_vectors(tw_hex_encode, tw_hex_decode, want);
}

static void test_base32hex_and_hex_decode_either_case(void **state)
{
	(void)state;
	uint8_t out[8];
	size_t n;
	assert_int_equal(tw_base32hex_decode("cpnmuoj1e8", 10, out, sizeof(out), &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(tw_hex_decode("aBcD", 4, out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0xAB);
	assert_int_equal(out[1], 0xCD);
}

static void test_base64_rejects_bad_characters(void **state)
{
	(void)state;
	assert_int_equal(dec_str(tw_base64_decode, "Zm9!"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "Zm 9"), -TW_EDNS_SYNTAX);  /* no whitespace */
	assert_int_equal(dec_str(tw_base64_decode, "Zm9-"), -TW_EDNS_SYNTAX);  /* base64url */
	assert_int_equal(dec_str(tw_base64_decode, "Zm9\n"), -TW_EDNS_SYNTAX);
}

static void test_base64_rejects_bad_length(void **state)
{
	(void)state;
	assert_int_equal(dec_str(tw_base64_decode, "Zg="), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "Zg"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "Zm9vY"), -TW_EDNS_SYNTAX);
}

static void test_base64_rejects_misplaced_padding(void **state)
{
	(void)state;
	assert_int_equal(dec_str(tw_base64_decode, "Zg==Zg=="), -TW_EDNS_SYNTAX); /* mid-text */
	assert_int_equal(dec_str(tw_base64_decode, "Z==="), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "===="), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "Z=g="), -TW_EDNS_SYNTAX);
}

static void test_base64_rejects_nonzero_padding_bits(void **state)
{
	(void)state;
	/* RFC 4648 §3.5: "Zh==" would also decode to "f"; only "Zg==" is canonical */
	assert_int_equal(dec_str(tw_base64_decode, "Zh=="), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "Zm9="), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base64_decode, "Zm8="), 0);
}

static void test_base32hex_rejects_bad_characters_and_padding(void **state)
{
	(void)state;
	assert_int_equal(dec_str(tw_base32hex_decode, "CW"), -TW_EDNS_SYNTAX); /* W: not §7 */
	assert_int_equal(dec_str(tw_base32hex_decode, "CO======"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base32hex_decode, "CO=="), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base32hex_decode, "C-"), -TW_EDNS_SYNTAX);
}

static void test_base32hex_rejects_impossible_lengths(void **state)
{
	(void)state;
	/* 1, 3 and 6 characters (mod 8) hold no whole number of octets */
	assert_int_equal(dec_str(tw_base32hex_decode, "C"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base32hex_decode, "CPN"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base32hex_decode, "CPNMUO"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base32hex_decode, "CPNMUOJ1C"), -TW_EDNS_SYNTAX);
}

static void test_base32hex_rejects_nonzero_trailing_bits(void **state)
{
	(void)state;
	/* "f" is CO; "CP" differs only in the two bits after the octet */
	assert_int_equal(dec_str(tw_base32hex_decode, "CP"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_base32hex_decode, "CPNH"), -TW_EDNS_SYNTAX);
}

static void test_hex_rejects_odd_length_and_bad_characters(void **state)
{
	(void)state;
	assert_int_equal(dec_str(tw_hex_decode, "ABC"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_hex_decode, "0g"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_hex_decode, "0x12"), -TW_EDNS_SYNTAX);
	assert_int_equal(dec_str(tw_hex_decode, "12 34"), -TW_EDNS_SYNTAX);
}

static void test_encoders_need_room_for_the_nul(void **state)
{
	(void)state;
	const uint8_t in[] = "foobar";
	char out[16];
	assert_int_equal(tw_base64_encode(in, 6, out, 8), -TW_ENOSPC);
	assert_int_equal(tw_base64_encode(in, 6, out, 9), 8);
	assert_int_equal(tw_base32hex_encode(in, 6, out, 10), -TW_ENOSPC);
	assert_int_equal(tw_base32hex_encode(in, 6, out, 11), 10);
	assert_int_equal(tw_hex_encode(in, 6, out, 12), -TW_ENOSPC);
	assert_int_equal(tw_hex_encode(in, 6, out, 13), 12);
	assert_int_equal(tw_hex_encode(in, 0, out, 0), -TW_ENOSPC);
	assert_int_equal(tw_hex_encode(in, 0, out, 1), 0);
	assert_string_equal(out, "");
}

static void test_decoders_report_enospc_and_leave_out_len(void **state)
{
	(void)state;
	uint8_t out[8];
	size_t n = 77;
	assert_int_equal(tw_base64_decode("Zm9vYmFy", 8, out, 5, &n), -TW_ENOSPC);
	assert_int_equal(tw_base32hex_decode("CPNMUOJ1E8", 10, out, 5, &n), -TW_ENOSPC);
	assert_int_equal(tw_hex_decode("666F6F626172", 12, out, 5, &n), -TW_ENOSPC);
	assert_int_equal(n, 77);
	/* exactly enough room */
	assert_int_equal(tw_base64_decode("Zm9vYmFy", 8, out, 6, &n), 0);
	assert_int_equal(n, 6);
	/* malformed input is a syntax error even when it would not fit either */
	assert_int_equal(tw_base64_decode("Zm9vYm!y", 8, out, 1, &n), -TW_EDNS_SYNTAX);
}

/* Every length 0..70 of a byte pattern covering all 256 values survives each codec. */
static void test_all_codecs_round_trip_every_length(void **state)
{
	(void)state;
	uint8_t in[300], back[300];
	char text[700];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 167 + 13);
	const struct {
		enc_fn enc;
		dec_fn dec;
	} codecs[] = {
		{ tw_base64_encode, tw_base64_decode },
		{ tw_base32hex_encode, tw_base32hex_decode },
		{ tw_hex_encode, tw_hex_decode },
	};
	for (size_t c = 0; c < 3; c++) {
		for (size_t len = 0; len <= 70; len++) {
			int tl = codecs[c].enc(in, len, text, sizeof(text));
			assert_true(tl >= 0);
			size_t blen;
			assert_int_equal(codecs[c].dec(text, (size_t)tl, back, sizeof(back), &blen), 0);
			assert_int_equal(blen, len);
			assert_memory_equal(back, in, len);
		}
		int tl = codecs[c].enc(in, 256, text, sizeof(text));
		size_t blen;
		assert_int_equal(codecs[c].dec(text, (size_t)tl, back, sizeof(back), &blen), 0);
		assert_memory_equal(back, in, 256);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64_rfc4648_vectors),
		cmocka_unit_test(test_base32hex_rfc4648_vectors_without_padding),
		cmocka_unit_test(test_hex_vectors_upper_case_out),
		cmocka_unit_test(test_base32hex_and_hex_decode_either_case),
		cmocka_unit_test(test_base64_rejects_bad_characters),
		cmocka_unit_test(test_base64_rejects_bad_length),
		cmocka_unit_test(test_base64_rejects_misplaced_padding),
		cmocka_unit_test(test_base64_rejects_nonzero_padding_bits),
		cmocka_unit_test(test_base32hex_rejects_bad_characters_and_padding),
		cmocka_unit_test(test_base32hex_rejects_impossible_lengths),
		cmocka_unit_test(test_base32hex_rejects_nonzero_trailing_bits),
		cmocka_unit_test(test_hex_rejects_odd_length_and_bad_characters),
		cmocka_unit_test(test_encoders_need_room_for_the_nul),
		cmocka_unit_test(test_decoders_report_enospc_and_leave_out_len),
		cmocka_unit_test(test_all_codecs_round_trip_every_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
