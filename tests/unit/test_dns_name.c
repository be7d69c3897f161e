/* Unit tests for dns/name.h: decompression, canonical form and order, presentation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/error.h"
#include "dns/name.h"

/* Parses an absolute presentation name; fails the test on error. */
static size_t mk(const char *s, uint8_t *out)
{
	size_t len = 0;
	assert_int_equal(tw_dns_name_from_str(s, strlen(s), NULL, out, &len), 0);
	return len;
}

static void test_unpack_plain_name(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
				       'c', 'o', 'm', 0, 0xAA };
	uint8_t out[TW_DNS_NAME_MAXLEN];
	size_t nlen, wlen;
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 0, out, &nlen, &wlen), 0);
	assert_int_equal(nlen, 17);
	assert_int_equal(wlen, 17);
	assert_memory_equal(out, msg, 17);
}

static void test_unpack_follows_backward_pointer(void **state)
{
	(void)state;
	/* "example.com" at 0, then "www" + pointer to 0 at 13 */
	static const uint8_t msg[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
				       3, 'w', 'w', 'w', 0xC0, 0 };
	uint8_t out[TW_DNS_NAME_MAXLEN], want[TW_DNS_NAME_MAXLEN];
	size_t nlen, wlen;
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 13, out, &nlen, &wlen), 0);
	assert_int_equal(wlen, 6); /* 4 octets of label + 2 of pointer */
	assert_int_equal(nlen, mk("www.example.com.", want));
	assert_memory_equal(out, want, nlen);
}

static void test_unpack_rejects_self_pointer(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 0, 0, 0xC0, 2 };
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 2, NULL, NULL, NULL),
			 -TW_EDNS_PTR_LOOP);
}

static void test_unpack_rejects_pointer_into_own_labels(void **state)
{
	(void)state;
	/* label "a" at 0, pointer at 2 back to 0: backward, but a loop */
	static const uint8_t msg[] = { 1, 'a', 0xC0, 0 };
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 0, NULL, NULL, NULL),
			 -TW_EDNS_PTR_LOOP);
}

static void test_unpack_rejects_two_pointer_loop(void **state)
{
	(void)state;
	/* 0: ptr -> 2 (forward), 2: ptr -> 0 */
	static const uint8_t msg[] = { 0xC0, 2, 0xC0, 0 };
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 2, NULL, NULL, NULL),
			 -TW_EDNS_PTR_LOOP);
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 0, NULL, NULL, NULL),
			 -TW_EDNS_PTR_LOOP);
}

static void test_unpack_rejects_forward_pointer(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 0xC0, 4, 0, 0, 1, 'a', 0 };
	assert_int_equal(tw_dns_name_unpack(msg, sizeof(msg), 0, NULL, NULL, NULL),
			 -TW_EDNS_PTR_LOOP);
}

static void test_unpack_rejects_extended_label_types(void **state)
{
	(void)state;
	/* a "label" of length 64 has the 0x40 bit: RFC 6891 extended type */
	static const uint8_t l64[] = { 0x40, 'a' };
	static const uint8_t l128[] = { 0x80, 'a' };
	assert_int_equal(tw_dns_name_unpack(l64, sizeof(l64), 0, NULL, NULL, NULL),
			 -TW_EDNS_LABEL_TYPE);
	assert_int_equal(tw_dns_name_unpack(l128, sizeof(l128), 0, NULL, NULL, NULL),
			 -TW_EDNS_LABEL_TYPE);
}

static void test_unpack_rejects_name_over_255_through_pointers(void **state)
{
	(void)state;
	/* five 63-octet labels chained by backward pointers: 5 * 64 + 1 > 255 */
	uint8_t msg[5 * 66 + 8];
	size_t pos = 0;
	memset(msg, 'x', sizeof(msg));
	size_t prev = 0;
	for (int i = 0; i < 5; i++) {
		size_t start = pos;
		msg[pos] = 63;
		pos += 64;
		if (i == 0) {
			msg[pos++] = 0;
		} else {
			msg[pos++] = (uint8_t)(0xC0 | (prev >> 8));
			msg[pos++] = (uint8_t)prev;
		}
		prev = start;
	}
	size_t nlen;
	/* four labels still fit (4 * 64 + 1 = 257 does not: 3 fit) */
	assert_int_equal(tw_dns_name_unpack(msg, pos, prev, NULL, &nlen, NULL),
			 -TW_EDNS_NAME_LEN);
	/* the first one alone is fine */
	assert_int_equal(tw_dns_name_unpack(msg, pos, 0, NULL, &nlen, NULL), 0);
	assert_int_equal(nlen, 65);
}

static void test_unpack_truncated_at_every_offset(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
				       3, 'w', 'w', 'w', 0xC0, 0 };
	for (size_t cut = 13; cut < sizeof(msg); cut++)
		assert_int_equal(tw_dns_name_unpack(msg, cut, 13, NULL, NULL, NULL),
				 -TW_EDNS_TRUNC);
	for (size_t cut = 0; cut < 13; cut++)
		assert_int_equal(tw_dns_name_unpack(msg, cut, 0, NULL, NULL, NULL),
				 -TW_EDNS_TRUNC);
}

static void test_check_rejects_pointer_and_truncation(void **state)
{
	(void)state;
	static const uint8_t ptr[] = { 1, 'a', 0xC0, 0 };
	static const uint8_t cut[] = { 3, 'a', 'b' };
	size_t n;
	assert_int_equal(tw_dns_name_check(ptr, sizeof(ptr), &n), -TW_EDNS_PTR_BAD);
	assert_int_equal(tw_dns_name_check(cut, sizeof(cut), &n), -TW_EDNS_TRUNC);
	assert_int_equal(tw_dns_name_check(ptr, 0, &n), -TW_EDNS_TRUNC);
	static const uint8_t ok[] = { 1, 'a', 0, 9, 9 };
	assert_int_equal(tw_dns_name_check(ok, sizeof(ok), &n), 0);
	assert_int_equal(n, 3);
}

static void test_check_rejects_name_over_255(void **state)
{
	(void)state;
	uint8_t buf[300];
	memset(buf, 'a', sizeof(buf));
	/* 4 labels of 63 = 256 octets + root = 257 */
	for (int i = 0; i < 4; i++)
		buf[i * 64] = 63;
	buf[256] = 0;
	assert_int_equal(tw_dns_name_check(buf, sizeof(buf), NULL), -TW_EDNS_NAME_LEN);
	/* 3 labels of 63 + one of 61 = 254 + root = 255: the maximum */
	buf[192] = 61;
	buf[254] = 0;
	size_t n;
	assert_int_equal(tw_dns_name_check(buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 255);
}

static void test_from_str_escapes_and_origin(void **state)
{
	(void)state;
	uint8_t origin[TW_DNS_NAME_MAXLEN], out[TW_DNS_NAME_MAXLEN];
	size_t olen = mk("example.", origin), n;
	assert_int_equal(tw_dns_name_from_str("www", 3, origin, out, &n), 0);
	static const uint8_t want_rel[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	assert_int_equal(n, sizeof(want_rel));
	assert_memory_equal(out, want_rel, n);

	assert_int_equal(tw_dns_name_from_str("@", 1, origin, out, &n), 0);
	assert_int_equal(n, olen);
	assert_memory_equal(out, origin, n);

	const char *esc = "a\\.b\\065\\\\.c.";
	assert_int_equal(tw_dns_name_from_str(esc, strlen(esc), NULL, out, &n), 0);
	static const uint8_t want_esc[] = { 5, 'a', '.', 'b', 'A', '\\', 1, 'c', 0 };
	assert_int_equal(n, sizeof(want_esc));
	assert_memory_equal(out, want_esc, n);

	assert_int_equal(tw_dns_name_from_str(".", 1, NULL, out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0);
}

static void test_from_str_rejects_bad_names(void **state)
{
	(void)state;
	uint8_t out[TW_DNS_NAME_MAXLEN];
	size_t n;
	const char *cases[] = { "a..b.", ".a.", "a\\", "a\\25", "a\\256.", "a\\2x5." };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(tw_dns_name_from_str(cases[i], strlen(cases[i]), NULL, out, &n),
				 -TW_EDNS_SYNTAX);
	/* relative without origin */
	assert_int_equal(tw_dns_name_from_str("www", 3, NULL, out, &n), -TW_EDNS_SYNTAX);
	assert_int_equal(tw_dns_name_from_str("", 0, NULL, out, &n), -TW_EDNS_SYNTAX);

	char lab[80];
	memset(lab, 'a', 64);
	lab[64] = '.';
	lab[65] = 0;
	assert_int_equal(tw_dns_name_from_str(lab, 65, NULL, out, &n), -TW_EDNS_LABEL_LEN);
	lab[63] = '.';
	assert_int_equal(tw_dns_name_from_str(lab, 64, NULL, out, &n), 0);

	char big[600];
	size_t p = 0;
	for (int i = 0; i < 5; i++) {
		memset(big + p, 'b', 60);
		p += 60;
		big[p++] = '.';
	}
	assert_int_equal(tw_dns_name_from_str(big, p, NULL, out, &n), -TW_EDNS_NAME_LEN);
}

static void test_to_str_escapes_and_round_trips(void **state)
{
	(void)state;
	static const uint8_t name[] = { 5, 'a', '.', ' ', 0xC8, '"', 1, '*', 0 };
	char buf[TW_DNS_NAME_STRLEN];
	int n = tw_dns_name_to_str(name, buf, sizeof(buf));
	assert_string_equal(buf, "a\\.\\032\\200\\\".*.");
	assert_int_equal(n, (int)strlen(buf));
	uint8_t back[TW_DNS_NAME_MAXLEN];
	size_t blen;
	assert_int_equal(tw_dns_name_from_str(buf, (size_t)n, NULL, back, &blen), 0);
	assert_int_equal(blen, sizeof(name));
	assert_memory_equal(back, name, blen);

	static const uint8_t root[] = { 0 };
	assert_int_equal(tw_dns_name_to_str(root, buf, sizeof(buf)), 1);
	assert_string_equal(buf, ".");
	assert_int_equal(tw_dns_name_to_str(name, buf, 5), -TW_ENOSPC);
}

static void test_canonical_order_rfc4034_example(void **state)
{
	(void)state;
	/* RFC 4034 §6.1: these names are in canonical order */
	const char *order[] = { "example.", "a.example.", "yljkjljk.a.example.",
				"Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
				"\\001.z.example.", "*.z.example.", "\\200.z.example." };
	size_t n = sizeof(order) / sizeof(order[0]);
	uint8_t a[TW_DNS_NAME_MAXLEN], b[TW_DNS_NAME_MAXLEN];
	for (size_t i = 0; i < n; i++) {
		mk(order[i], a);
		assert_int_equal(tw_dns_name_cmp(a, a), 0);
		for (size_t j = i + 1; j < n; j++) {
			mk(order[j], b);
			assert_true(tw_dns_name_cmp(a, b) < 0);
			assert_true(tw_dns_name_cmp(b, a) > 0);
		}
	}
	mk("WWW.Example.", a);
	mk("www.example.", b);
	assert_int_equal(tw_dns_name_cmp(a, b), 0);
	assert_true(tw_dns_name_equal(a, b));
}

static void test_label_arithmetic(void **state)
{
	(void)state;
	uint8_t n[TW_DNS_NAME_MAXLEN], z[TW_DNS_NAME_MAXLEN], w[TW_DNS_NAME_MAXLEN];
	mk("a.b.Example.COM.", n);
	mk("example.com.", z);
	mk("*.b.example.com.", w);
	assert_int_equal(tw_dns_name_labels(n), 4);
	assert_int_equal(tw_dns_name_rrsig_labels(n), 4);
	assert_int_equal(tw_dns_name_labels(w), 4);
	assert_int_equal(tw_dns_name_rrsig_labels(w), 3);
	assert_true(tw_dns_name_is_wildcard(w));
	assert_false(tw_dns_name_is_wildcard(n));
	assert_true(tw_dns_name_is_subdomain(n, z));
	assert_true(tw_dns_name_is_subdomain(z, z));
	assert_false(tw_dns_name_is_subdomain(z, n));
	uint8_t other[TW_DNS_NAME_MAXLEN];
	mk("xexample.com.", other);
	assert_false(tw_dns_name_is_subdomain(other, z));
	assert_int_equal(tw_dns_name_common_labels(n, w), 3);
	assert_int_equal(tw_dns_name_common_labels(n, other), 1);
	assert_true(tw_dns_name_equal(tw_dns_name_suffix(n, 2), z));
	assert_null(tw_dns_name_suffix(z, 3));
	assert_int_equal(tw_dns_name_labels(tw_dns_name_parent(n)), 3);
	static const uint8_t root[] = { 0 };
	assert_null(tw_dns_name_parent(root));
	assert_true(tw_dns_name_is_subdomain(n, root));
	assert_int_equal(tw_dns_name_len(n), 17);
}

static void test_lower_and_hash_are_case_insensitive(void **state)
{
	(void)state;
	uint8_t a[TW_DNS_NAME_MAXLEN], b[TW_DNS_NAME_MAXLEN], c[TW_DNS_NAME_MAXLEN];
	size_t len = mk("WwW.ExAmPlE.\\200.", a);
	mk("www.example.\\200.", b);
	assert_int_equal(tw_dns_name_hash(a, 7), tw_dns_name_hash(b, 7));
	assert_int_not_equal(tw_dns_name_hash(a, 7), tw_dns_name_hash(a, 8));
	assert_int_equal(tw_dns_name_copy_lower(c, a), len);
	assert_memory_equal(c, b, len);
	tw_dns_name_lower(a);
	assert_memory_equal(a, b, len);
	/* only A-Z fold: 0xC8 and 0xE8 stay different (RFC 4343) */
	uint8_t x[TW_DNS_NAME_MAXLEN], y[TW_DNS_NAME_MAXLEN];
	mk("\\200.", x);
	mk("\\232.", y);
	assert_false(tw_dns_name_equal(x, y));
}

static void test_equal_wire_follows_pointers_case_insensitively(void **state)
{
	(void)state;
	static const uint8_t msg[] = { 3, 'c', 'o', 'm', 0,           /* 0 */
				       1, 'A', 0xC0, 0,              /* 5: a.com */
				       1, 'a', 3, 'C', 'O', 'M', 0,  /* 9: a.COM */
				       1, 'b', 0xC0, 0 };            /* 16: b.com */
	assert_true(tw_dns_name_equal_wire(msg, sizeof(msg), 5, 9));
	assert_true(tw_dns_name_equal_wire(msg, sizeof(msg), 5, 5));
	assert_false(tw_dns_name_equal_wire(msg, sizeof(msg), 5, 16));
	assert_false(tw_dns_name_equal_wire(msg, sizeof(msg), 0, 16));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unpack_plain_name),
		cmocka_unit_test(test_unpack_follows_backward_pointer),
		cmocka_unit_test(test_unpack_rejects_self_pointer),
		cmocka_unit_test(test_unpack_rejects_pointer_into_own_labels),
		cmocka_unit_test(test_unpack_rejects_two_pointer_loop),
		cmocka_unit_test(test_unpack_rejects_forward_pointer),
		cmocka_unit_test(test_unpack_rejects_extended_label_types),
		cmocka_unit_test(test_unpack_rejects_name_over_255_through_pointers),
		cmocka_unit_test(test_unpack_truncated_at_every_offset),
		cmocka_unit_test(test_check_rejects_pointer_and_truncation),
		cmocka_unit_test(test_check_rejects_name_over_255),
		cmocka_unit_test(test_from_str_escapes_and_origin),
		cmocka_unit_test(test_from_str_rejects_bad_names),
		cmocka_unit_test(test_to_str_escapes_and_round_trips),
		cmocka_unit_test(test_canonical_order_rfc4034_example),
		cmocka_unit_test(test_label_arithmetic),
		cmocka_unit_test(test_lower_and_hash_are_case_insensitive),
		cmocka_unit_test(test_equal_wire_follows_pointers_case_insensitively),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
