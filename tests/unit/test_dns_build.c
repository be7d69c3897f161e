/* Unit tests for dns/build.h: in-place building, compression, truncation, OPT/EDE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"

static size_t mk(const char *s, uint8_t *out)
{
	size_t len = 0;
	assert_int_equal(tw_dns_name_from_str(s, strlen(s), NULL, out, &len), 0);
	return len;
}

static void test_owner_and_rdata_names_compress_where_rfc1035_allows(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN], ex[TW_DNS_NAME_MAXLEN];
	mk("www.example.", q);
	size_t exlen = mk("example.", ex);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 7,
					   TW_DNS_F_QR | TW_DNS_F_AA, 0), 0);
	assert_int_equal(tw_dns_build_question(&b, q, TW_DNS_T_A, TW_DNS_C_IN), 0);
	assert_int_equal(b.len, 12 + 13 + 4);
	const uint8_t a[] = { 192, 0, 2, 1 };
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AN, q, TW_DNS_T_A, TW_DNS_C_IN, 60, a, 4),
			 0);
	/* owner is a pointer to the question: 2 + 10 + 4 */
	assert_int_equal(b.len, 29 + 16);
	assert_int_equal(buf[29], 0xC0);
	assert_int_equal(buf[30], 12);

	/* NS example. -> ns.example.: owner and target both compress */
	uint8_t ns[TW_DNS_NAME_MAXLEN];
	size_t nslen = mk("ns.example.", ns);
	size_t before = b.len;
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_NS, ex, TW_DNS_T_NS, TW_DNS_C_IN, 60, ns,
					 (uint16_t)nslen), 0);
	assert_int_equal(b.len - before, 2 + 10 + 3 + 2);
	/* RRSIG: signer name must stay uncompressed (RFC 4034 §3.1.7) */
	uint8_t sig[18 + 9 + 2];
	memset(sig, 0, sizeof(sig));
	sig[1] = TW_DNS_T_A;
	sig[2] = 13;
	memcpy(sig + 18, ex, exlen);
	sig[27] = 0xAB;
	sig[28] = 0xCD;
	before = b.len;
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_NS, ex, TW_DNS_T_RRSIG, TW_DNS_C_IN, 60,
					 sig, sizeof(sig)), 0);
	assert_int_equal(b.len - before, 2 + 10 + sizeof(sig));
	size_t len = tw_dns_build_finish(&b);

	struct tw_dns_msg m;
	struct tw_dns_rr rr[8];
	assert_int_equal(tw_dns_msg_parse(&m, buf, len, rr, 8), 0);
	assert_int_equal(m.ancount, 1);
	assert_int_equal(m.nscount, 2);
	assert_int_equal(m.id, 7);
	uint8_t out[512];
	size_t olen;
	assert_int_equal(tw_dns_rdata_decompress(TW_DNS_T_NS, buf, len, rr[1].rdata, rr[1].rdlen,
						 out, sizeof(out), &olen), 0);
	assert_int_equal(olen, nslen);
	assert_memory_equal(out, ns, nslen);
	assert_int_equal(rr[2].rdlen, sizeof(sig));
	assert_memory_equal(buf + rr[2].rdata, sig, sizeof(sig));
}

static void test_compression_keeps_the_case_it_was_given(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN], upper[TW_DNS_NAME_MAXLEN];
	mk("WwW.example.", q); /* a 0x20-randomised question */
	size_t ulen = mk("www.example.", upper);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 1, 0, 0), 0);
	assert_int_equal(tw_dns_build_question(&b, q, TW_DNS_T_A, TW_DNS_C_IN), 0);
	const uint8_t a[] = { 1, 2, 3, 4 };
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AN, upper, TW_DNS_T_A, TW_DNS_C_IN, 1, a,
					 4), 0);
	size_t len = tw_dns_build_finish(&b);
	struct tw_dns_msg m;
	struct tw_dns_rr rr[4];
	assert_int_equal(tw_dns_msg_parse(&m, buf, len, rr, 4), 0);
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	assert_int_equal(tw_dns_name_unpack(buf, len, rr[0].owner, owner, NULL, NULL), 0);
	/* "www" differs in case, so only "example." is shared */
	assert_memory_equal(owner, upper, ulen);
}

static void test_answer_that_does_not_fit_sets_tc_and_closes_sections(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN];
	mk("big.example.", q);
	size_t reserve = TW_DNS_OPT_FIXED_LEN;
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 9, TW_DNS_F_QR, reserve), 0);
	assert_int_equal(tw_dns_build_question(&b, q, TW_DNS_T_TXT, TW_DNS_C_IN), 0);
	uint8_t txt[101];
	txt[0] = 100;
	memset(txt + 1, 't', 100);
	int rc = 0, added = 0;
	while ((rc = tw_dns_build_rr(&b, TW_DNS_SEC_AN, q, TW_DNS_T_TXT, TW_DNS_C_IN, 5, txt,
				     sizeof(txt))) == 0)
		added++;
	assert_int_equal(rc, -TW_EDNS_TC);
	assert_int_equal(added, 4); /* 30 + 4 * 113 = 482; a fifth needs 595 > 501 */
	assert_true(b.tc);
	/* no more answer or authority records once truncated */
	const uint8_t a[] = { 1, 2, 3, 4 };
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_NS, q, TW_DNS_T_A, TW_DNS_C_IN, 5, a, 4),
			 -TW_EDNS_TC);
	/* the reserved OPT still fits */
	assert_int_equal(tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, 0, TW_EDE_NONE, NULL, 0), 0);
	size_t len = tw_dns_build_finish(&b);
	assert_true(len <= 512);
	struct tw_dns_msg m;
	struct tw_dns_rr rr[8];
	assert_int_equal(tw_dns_msg_parse(&m, buf, len, rr, 8), 0);
	assert_true(m.flags & TW_DNS_F_TC);
	assert_int_equal(m.ancount, 4);
	assert_true(m.has_opt);
}

static void test_additional_that_does_not_fit_is_dropped_without_tc(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN];
	mk("a.example.", q);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 4096, 1, 0, 0), 0);
	assert_int_equal(tw_dns_build_question(&b, q, TW_DNS_T_A, TW_DNS_C_IN), 0);
	uint8_t txt[40];
	txt[0] = 39;
	memset(txt + 1, 'x', 39);
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AR, q, TW_DNS_T_TXT, TW_DNS_C_IN, 5, txt,
					 sizeof(txt)), -TW_ENOSPC);
	assert_false(b.tc);
	size_t len = tw_dns_build_finish(&b);
	assert_int_equal(len, 12 + 11 + 4);
	assert_int_equal(buf[2] & (TW_DNS_F_TC >> 8), 0);
}

static void test_opt_carries_ede_and_extended_rcode(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN];
	mk("bogus.example.", q);
	const char *why = "RRSIG over A expired";
	size_t tl = strlen(why);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 3, TW_DNS_F_QR,
					   TW_DNS_OPT_FIXED_LEN + 6 + tl), 0);
	assert_int_equal(tw_dns_build_question(&b, q, TW_DNS_T_A, TW_DNS_C_IN), 0);
	assert_int_equal(tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, TW_DNS_R_BADVERS,
					  TW_EDE_SIGNATURE_EXPIRED, why, tl), 0);
	size_t len = tw_dns_build_finish(&b);
	struct tw_dns_msg m;
	struct tw_dns_rr rr[4];
	assert_int_equal(tw_dns_msg_parse(&m, buf, len, rr, 4), 0);
	assert_int_equal(tw_dns_msg_rcode(&m), TW_DNS_R_BADVERS);
	assert_int_equal(TW_DNS_RCODE(m.flags), 0);
	assert_int_equal(m.ede_code, TW_EDE_SIGNATURE_EXPIRED);
	assert_int_equal(m.ede_text_len, tl);
	assert_memory_equal(buf + m.ede_text, why, tl);
	assert_int_equal(m.udp_size, 1232);
	assert_int_equal(m.edns_flags, TW_DNS_EDNS_DO);

	/* SERVFAIL goes entirely into the header */
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 3, TW_DNS_F_QR,
					   TW_DNS_OPT_FIXED_LEN + 6), 0);
	assert_int_equal(tw_dns_build_opt(&b, 1232, 0, TW_DNS_R_SERVFAIL, TW_EDE_DNSSEC_BOGUS,
					  NULL, 0), 0);
	len = tw_dns_build_finish(&b);
	assert_int_equal(tw_dns_msg_parse(&m, buf, len, rr, 4), 0);
	assert_int_equal(TW_DNS_RCODE(m.flags), TW_DNS_R_SERVFAIL);
	assert_int_equal(m.ext_rcode, 0);
	assert_int_equal(m.ede_code, TW_EDE_DNSSEC_BOGUS);
}

static void test_opt_without_reserve_may_not_fit(void **state)
{
	(void)state;
	uint8_t buf[20];
	struct tw_dns_build b;
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 1, 0, 0), 0);
	assert_int_equal(tw_dns_build_opt(&b, 512, 0, 0, TW_EDE_OTHER, "abc", 3), -TW_ENOSPC);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 1, 0, 8), 0);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 1, 0, 9), -TW_ENOSPC);
	assert_int_equal(tw_dns_build_init(&b, buf, 11, 512, 1, 0, 0), -TW_ENOSPC);
}

static void test_sections_must_come_in_order(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN];
	mk("a.example.", q);
	const uint8_t a[] = { 1, 2, 3, 4 };
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 1, 0, 0), 0);
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AR, q, TW_DNS_T_A, TW_DNS_C_IN, 5, a, 4), 0);
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AN, q, TW_DNS_T_A, TW_DNS_C_IN, 5, a, 4),
			 -TW_EDNS_SECTION);
	assert_int_equal(tw_dns_build_question(&b, q, TW_DNS_T_A, TW_DNS_C_IN), -TW_EDNS_SECTION);
}

static void test_rdata_not_matching_its_type_is_refused(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct tw_dns_build b;
	uint8_t q[TW_DNS_NAME_MAXLEN];
	mk("a.example.", q);
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), 512, 1, 0, 0), 0);
	const uint8_t three[] = { 1, 2, 3 };
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AN, q, TW_DNS_T_A, TW_DNS_C_IN, 5, three,
					 3), -TW_EDNS_RDATA);
	/* an NS target with a compression pointer is not stand-alone RDATA */
	const uint8_t ptr[] = { 1, 'x', 0xC0, 12 };
	assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AN, q, TW_DNS_T_NS, TW_DNS_C_IN, 5, ptr,
					 4), -TW_EDNS_RDATA);
	size_t len = tw_dns_build_finish(&b);
	assert_int_equal(len, 12);
}

static void test_many_names_stay_decodable(void **state)
{
	(void)state;
	/* more distinct names than the compression table remembers */
	uint8_t buf[8192];
	struct tw_dns_build b;
	assert_int_equal(tw_dns_build_init(&b, buf, sizeof(buf), sizeof(buf), 1, TW_DNS_F_QR, 0),
			 0);
	char s[64];
	uint8_t n[TW_DNS_NAME_MAXLEN];
	for (int i = 0; i < 150; i++) {
		snprintf(s, sizeof(s), "h%d.z%d.example.", i, i % 7);
		mk(s, n);
		uint8_t a[4] = { 10, 0, (uint8_t)(i >> 8), (uint8_t)i };
		assert_int_equal(tw_dns_build_rr(&b, TW_DNS_SEC_AN, n, TW_DNS_T_A, TW_DNS_C_IN, 5, a,
						 4), 0);
	}
	size_t len = tw_dns_build_finish(&b);
	struct tw_dns_msg m;
	struct tw_dns_rr rr[200];
	assert_int_equal(tw_dns_msg_parse(&m, buf, len, rr, 200), 0);
	assert_int_equal(m.ancount, 150);
	for (int i = 0; i < 150; i++) {
		uint8_t got[TW_DNS_NAME_MAXLEN];
		snprintf(s, sizeof(s), "h%d.z%d.example.", i, i % 7);
		size_t nl = mk(s, n), gl;
		assert_int_equal(tw_dns_name_unpack(buf, len, rr[i].owner, got, &gl, NULL), 0);
		assert_int_equal(gl, nl);
		assert_memory_equal(got, n, nl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_and_rdata_names_compress_where_rfc1035_allows),
		cmocka_unit_test(test_compression_keeps_the_case_it_was_given),
		cmocka_unit_test(test_answer_that_does_not_fit_sets_tc_and_closes_sections),
		cmocka_unit_test(test_additional_that_does_not_fit_is_dropped_without_tc),
		cmocka_unit_test(test_opt_carries_ede_and_extended_rcode),
		cmocka_unit_test(test_opt_without_reserve_may_not_fit),
		cmocka_unit_test(test_sections_must_come_in_order),
		cmocka_unit_test(test_rdata_not_matching_its_type_is_refused),
		cmocka_unit_test(test_many_names_stay_decodable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
