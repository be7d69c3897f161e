/* The shared cache (cache/cache.h) on one thread: RRsets, bogus markers, TTL
 * caps, replacement, the packet cache's ready answers, expiry, CLOCK eviction at
 * the memory limit, flushes, counters, and the validator's key store kept in the
 * cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "cache/cache_internal.h" /* the key builder and comparer, white-box */
#include "crypto/verify.h"
#include "dns/csum.h"
#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "tests/lib/tsign.h"

#define NOW 1700000000u

struct fx {
	struct tw_cache *c;
	struct tw_cache_thread *t;
};

static void fx_open(struct fx *f, uint64_t mem_limit, uint32_t max_ttl)
{
	struct tw_cache_conf conf;
	tw_cache_conf_init(&conf);
	if (mem_limit)
		conf.mem_limit = mem_limit;
	if (max_ttl)
		conf.max_ttl = max_ttl;
	conf.seed = 42;
	char err[128];
	f->c = tw_cache_new(&conf, err, sizeof(err));
	assert_non_null(f->c);
	f->t = tw_cache_thread_register(f->c);
	assert_non_null(f->t);
}

static void fx_close(struct fx *f)
{
	tw_cache_thread_unregister(f->t);
	tw_cache_free(f->c);
}

static void name(const char *s, uint8_t *out)
{
	assert_true(ts_name(s, out) > 0);
}

/* A parsed message of zone-file lines (answer section) kept with its storage. */
struct pm {
	struct ts_msg *ts;
	struct tw_dns_msg m;
	struct tw_dns_rr rr[64];
};

static void pm_make(struct pm *p, const char *qname, uint16_t qtype, uint16_t rcode,
		    const char **lines, size_t n)
{
	p->ts = ts_msg_new(qname, qtype, rcode);
	assert_non_null(p->ts);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ts_msg_add_line(p->ts, TW_DNS_SEC_AN, lines[i]), 0);
	size_t len;
	const uint8_t *w = ts_msg_wire(p->ts, &len);
	assert_non_null(w);
	assert_int_equal(tw_dns_msg_parse(&p->m, w, len, p->rr, 64), 0);
}

static const char *a_set[] = {
	"www.example. 300 IN A 192.0.2.1",
	"www.example. 300 IN A 192.0.2.2",
	"www.example. 300 IN RRSIG A 13 2 300 20300101000000 20200101000000 12345 example. "
	"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==",
};

static void test_rrset_round_trip_with_case_insensitive_owner(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	struct pm p;
	pm_make(&p, "www.example.", TW_DNS_T_A, 0, a_set, 3);
	uint16_t idx[] = { 0, 1 }, sig[] = { 2 };
	assert_int_equal(tw_cache_rrset_insert(f.t, &p.m, idx, 2, sig, 1, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 300, NOW),
			 0);
	uint8_t q[255];
	name("WWW.Example.", q);
	struct tw_cache_rrset r;
	assert_true(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 100, &r));
	assert_int_equal(r.status, TW_CACHE_SECURE);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.sig_count, 1);
	assert_int_equal(r.ttl, 200);
	assert_int_equal(r.ede, TW_EDE_NONE);
	assert_string_equal(r.reason, "");
	uint8_t lower[255];
	name("www.example.", lower);
	assert_memory_equal(r.owner, lower, tw_dns_name_len(lower));
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	assert_true(tw_cache_rrset_next(&r, &pos, &rd, &len));
	assert_int_equal(len, 4);
	assert_int_equal(rd[3], 1);
	assert_true(tw_cache_rrset_next(&r, &pos, &rd, &len));
	assert_int_equal(rd[3], 2);
	assert_true(tw_cache_rrset_next(&r, &pos, &rd, &len));
	assert_int_equal(len, 18 + 9 + 64); /* RRSIG: fixed part, signer, signature */
	assert_false(tw_cache_rrset_next(&r, &pos, &rd, &len));
	/* other type, other class: misses */
	assert_false(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_AAAA, 1, NOW, &r));
	assert_false(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 3, NOW, &r));
	/* expiry: the last second it lives is NOW + 299 */
	assert_true(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 299, &r));
	assert_int_equal(r.ttl, 1);
	assert_false(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 300, &r));
	const struct tw_cache_stats *st = tw_cache_thread_stats(f.t);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].hits, 2);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].misses, 3);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].inserts, 1);
	/* maintenance removes the expired entry and counts it */
	assert_int_equal(tw_cache_maintain(f.t, NOW + 300, 100), 1);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].expirations, 1);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].entries, 0);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].bytes, 0);
	assert_int_equal(tw_cache_count(f.t), 0);
	ts_msg_free(p.ts);
	fx_close(&f);
}

static void test_rrset_insert_refuses_mixed_sets(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	static const char *mixed[] = {
		"www.example. 300 IN A 192.0.2.1",
		"ftp.example. 300 IN A 192.0.2.2",
	};
	struct pm p;
	pm_make(&p, "www.example.", TW_DNS_T_A, 0, mixed, 2);
	uint16_t idx[] = { 0, 1 };
	assert_int_equal(tw_cache_rrset_insert(f.t, &p.m, idx, 2, NULL, 0, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 300, NOW),
			 -TW_EINVAL);
	assert_int_equal(tw_cache_rrset_insert(f.t, &p.m, idx, 0, NULL, 0, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 300, NOW),
			 -TW_EINVAL);
	assert_int_equal(tw_cache_count(f.t), 0);
	ts_msg_free(p.ts);
	fx_close(&f);
}

static void test_validated_answer_keeps_capped_ttls_and_max_ttl(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 1000);
	static const char *lines[] = {
		"alias.example. 5000 IN CNAME www.example.",
		"alias.example. 5000 IN RRSIG CNAME 13 2 5000 20300101000000 20200101000000 1 example. AAAA",
		"www.example. 5000 IN A 192.0.2.1",
		"www.example. 5000 IN RRSIG A 13 2 5000 20300101000000 20200101000000 1 example. AAAA",
	};
	struct pm p;
	pm_make(&p, "alias.example.", TW_DNS_T_A, 0, lines, 4);
	/* the validator capped the A set (and its RRSIG) at 120 s: signature expiry */
	uint32_t ttls[] = { 5000, 5000, 120, 120 };
	struct tw_val_result r = { .verdict = TW_VAL_SECURE, .ede = TW_EDE_NONE };
	uint8_t q[255], www[255];
	name("alias.example.", q);
	name("www.example.", www);
	assert_int_equal(tw_cache_insert_validated(f.t, &r, &p.m, ttls, q, TW_DNS_T_A, 1, NOW), 2);
	struct tw_cache_rrset out;
	assert_true(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_CNAME, 1, NOW, &out));
	assert_int_equal(out.ttl, 1000); /* conf.max_ttl */
	assert_int_equal(out.sig_count, 1);
	assert_true(tw_cache_rrset_lookup(f.t, www, TW_DNS_T_A, 1, NOW, &out));
	assert_int_equal(out.ttl, 120);
	assert_false(tw_cache_rrset_lookup(f.t, www, TW_DNS_T_A, 1, NOW + 120, &out));

	/* insecure: kept with the verdict's EDE (27: NSEC3 iterations) */
	struct tw_val_result ins = { .verdict = TW_VAL_INSECURE, .ede = 27 };
	assert_int_equal(tw_cache_insert_validated(f.t, &ins, &p.m, ttls, q, TW_DNS_T_A, 1, NOW), 2);
	assert_true(tw_cache_rrset_lookup(f.t, www, TW_DNS_T_A, 1, NOW, &out));
	assert_int_equal(out.status, TW_CACHE_INSECURE);
	assert_int_equal(out.ede, 27);

	/* indeterminate and unchecked store nothing */
	struct tw_val_result ind = { .verdict = TW_VAL_INDETERMINATE };
	struct tw_val_result unc = { .verdict = TW_VAL_UNCHECKED };
	assert_int_equal(tw_cache_insert_validated(f.t, &ind, &p.m, ttls, q, TW_DNS_T_A, 1, NOW), 0);
	assert_int_equal(tw_cache_insert_validated(f.t, &unc, &p.m, ttls, q, TW_DNS_T_A, 1, NOW), 0);
	ts_msg_free(p.ts);
	fx_close(&f);
}

static void test_bogus_marker_keeps_ede_and_reason_for_bogus_ttl(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	struct tw_val_result r = { .verdict = TW_VAL_BOGUS, .rcode = TW_DNS_R_SERVFAIL, .ede = 9 };
	snprintf(r.reason, sizeof(r.reason), "no DNSKEY of broken.example. matches its DS");
	uint8_t q[255];
	name("www.broken.example.", q);
	assert_int_equal(tw_cache_insert_validated(f.t, &r, NULL, NULL, q, TW_DNS_T_A, 1, NOW), 1);
	struct tw_cache_rrset out;
	assert_true(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 10, &out));
	assert_int_equal(out.status, TW_CACHE_BOGUS);
	assert_int_equal(out.ede, 9);
	assert_int_equal(out.count, 0);
	assert_string_equal(out.reason, r.reason);
	assert_int_equal(out.ttl, 50); /* bogus_ttl 60 */
	assert_false(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 60, &out));
	fx_close(&f);
}

static void test_insert_replaces_whole_entry(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	static const char *v1[] = { "www.example. 300 IN A 192.0.2.1" };
	static const char *v2[] = { "www.example. 300 IN A 198.51.100.7",
				    "www.example. 300 IN A 198.51.100.8" };
	struct pm p1, p2;
	pm_make(&p1, "www.example.", TW_DNS_T_A, 0, v1, 1);
	pm_make(&p2, "www.example.", TW_DNS_T_A, 0, v2, 2);
	uint16_t idx[] = { 0, 1 };
	assert_int_equal(tw_cache_rrset_insert(f.t, &p1.m, idx, 1, NULL, 0, TW_CACHE_INSECURE,
					       TW_EDE_NONE, NULL, 300, NOW),
			 0);
	assert_int_equal(tw_cache_rrset_insert(f.t, &p2.m, idx, 2, NULL, 0, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 600, NOW),
			 0);
	uint8_t q[255];
	name("www.example.", q);
	struct tw_cache_rrset out;
	assert_true(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW, &out));
	assert_int_equal(out.count, 2);
	assert_int_equal(out.status, TW_CACHE_SECURE);
	assert_int_equal(out.ttl, 600);
	const struct tw_cache_stats *st = tw_cache_thread_stats(f.t);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].replaced, 1);
	assert_int_equal(tw_cache_count(f.t), 1);
	/* the replaced entry is freed by the owner's sweep */
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].entries, 2);
	tw_cache_maintain(f.t, NOW, 100);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].entries, 1);
	assert_int_equal(st->kind[TW_CACHE_KIND_RRSET].freed, 1);
	ts_msg_free(p1.ts);
	ts_msg_free(p2.ts);
	fx_close(&f);
}

static void test_ttl_capped_at_rrsig_expiration_even_if_caller_did_not(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	/* NOW is 2023-11-14 22:13:20 UTC; the RRSIG expires 100 s later */
	static const char *lines[] = {
		"www.example. 3600 IN A 192.0.2.1",
		"www.example. 3600 IN RRSIG A 13 2 3600 20231114221500 20200101000000 1 example. AAAA",
	};
	struct pm p;
	pm_make(&p, "www.example.", TW_DNS_T_A, 0, lines, 2);
	uint16_t idx[] = { 0 }, sig[] = { 1 };
	assert_int_equal(tw_cache_rrset_insert(f.t, &p.m, idx, 1, sig, 1, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 3600, NOW),
			 0);
	uint8_t q[255];
	name("www.example.", q);
	struct tw_cache_rrset r;
	assert_true(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW, &r));
	assert_int_equal(r.ttl, 100);
	assert_false(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 100, &r));
	/* the same answer in the packet cache */
	size_t len;
	const uint8_t *w = ts_msg_wire(p.ts, &len);
	assert_int_equal(tw_cache_pkt_insert(f.t, w, len, 0x10, TW_CACHE_SECURE, 86400, NOW), 0);
	struct tw_dns_msg qm;
	struct tw_dns_rr qrr[4];
	uint8_t out[1500];
	assert_int_equal(tw_dns_msg_parse(&qm, w, len, qrr, 4), 0);
	qm.flags = 0;
	qm.has_opt = true;
	qm.edns_flags = 0;
	qm.udp_size = 512;
	assert_int_equal(tw_cache_pkt_answer(f.t, &qm, NOW + 99, out, sizeof(out)), len);
	assert_int_equal(tw_cache_pkt_answer(f.t, &qm, NOW + 100, out, sizeof(out)), 0);
	/* an already expired signature leaves nothing to cache */
	assert_int_equal(tw_cache_rrset_insert(f.t, &p.m, idx, 1, sig, 1, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 3600, NOW + 200),
			 0);
	assert_false(tw_cache_rrset_lookup(f.t, q, TW_DNS_T_A, 1, NOW + 200, &r));
	ts_msg_free(p.ts);
	fx_close(&f);
}

/* ---- the packet cache ---- */

/* A client query: id, flags, question, optional OPT. */
static size_t make_query(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype,
			 uint16_t flags, bool edns, uint16_t size, uint16_t eflags,
			 struct tw_dns_msg *m, struct tw_dns_rr *rr)
{
	struct tw_dns_build b;
	uint8_t n[255];
	name(qname, n);
	assert_int_equal(tw_dns_build_init(&b, buf, cap, cap, id, flags, edns ? 32 : 0), 0);
	assert_int_equal(tw_dns_build_question(&b, n, qtype, 1), 0);
	if (edns)
		assert_int_equal(tw_dns_build_opt(&b, size, eflags, 0, TW_EDE_NONE, NULL, 0), 0);
	size_t len = tw_dns_build_finish(&b);
	assert_int_equal(tw_dns_msg_parse(m, buf, len, rr, 4), 0);
	return len;
}

static void test_packet_answer_patches_id_case_and_ttls(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	struct ts_msg *resp = ts_msg_new("www.example.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_line(resp, TW_DNS_SEC_AN, "www.example. 300 IN A 192.0.2.1"), 0);
	assert_int_equal(ts_msg_add_line(resp, TW_DNS_SEC_AN, "www.example. 200 IN A 192.0.2.2"), 0);
	ts_msg_set_flags(resp, TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA | TW_DNS_F_AD);
	size_t rlen;
	const uint8_t *rw = ts_msg_wire(resp, &rlen);
	uint8_t qb[512], out[1500];
	struct tw_dns_msg q;
	struct tw_dns_rr qrr[4];
	make_query(qb, sizeof(qb), 0x1234, "wWw.ExAmPlE.", TW_DNS_T_A, TW_DNS_F_RD | TW_DNS_F_AD,
		   true, 1232, TW_DNS_EDNS_DO, &q, qrr);
	uint8_t variant = tw_cache_pkt_variant(&q);
	assert_int_equal(variant, TW_CACHE_PKT_RD | TW_CACHE_PKT_AD | TW_CACHE_PKT_EDNS |
					  TW_CACHE_PKT_DO | TW_CACHE_PKT_BIG);
	assert_int_equal(tw_cache_pkt_answer(f.t, &q, NOW, out, sizeof(out)), 0);
	assert_int_equal(tw_cache_pkt_insert(f.t, rw, rlen, variant, TW_CACHE_SECURE, 3600, NOW), 0);

	size_t n = tw_cache_pkt_answer(f.t, &q, NOW + 50, out, sizeof(out));
	assert_int_equal(n, rlen);
	struct tw_dns_msg a;
	struct tw_dns_rr arr[8];
	assert_int_equal(tw_dns_msg_parse(&a, out, n, arr, 8), 0);
	assert_int_equal(a.id, 0x1234);
	assert_true(a.flags & TW_DNS_F_AD);
	assert_memory_equal(out + 12, qb + 12, q.qname_len); /* the client's case */
	assert_int_equal(a.ancount, 2);
	/* the entry lives as long as its shortest TTL; TTLs count down */
	assert_int_equal(a.rr[0].ttl, 150);
	assert_int_equal(a.rr[1].ttl, 150);
	assert_true(a.has_opt);

	/* another variant is another answer: no DO */
	uint8_t qb2[512];
	struct tw_dns_msg q2;
	make_query(qb2, sizeof(qb2), 7, "www.example.", TW_DNS_T_A, TW_DNS_F_RD | TW_DNS_F_AD, true,
		   1232, 0, &q2, qrr);
	assert_int_equal(tw_cache_pkt_answer(f.t, &q2, NOW, out, sizeof(out)), 0);
	/* too small a buffer misses rather than truncating */
	assert_int_equal(tw_cache_pkt_answer(f.t, &q, NOW, out, rlen - 1), 0);
	/* expired at NOW + 200 */
	assert_int_equal(tw_cache_pkt_answer(f.t, &q, NOW + 199, out, sizeof(out)), rlen);
	assert_int_equal(tw_cache_pkt_answer(f.t, &q, NOW + 200, out, sizeof(out)), 0);
	const struct tw_cache_stats *st = tw_cache_thread_stats(f.t);
	assert_int_equal(st->kind[TW_CACHE_KIND_PKT].hits, 2);
	assert_int_equal(st->kind[TW_CACHE_KIND_PKT].misses, 4);
	ts_msg_free(resp);
	fx_close(&f);
}

/* The burst lookup answers exactly as single lookups do, and the sum it returns
 * is the answer's one's complement sum whatever the parity of the TTL fields
 * (names of odd and even length put them at odd and even offsets). */
static void test_packet_burst_matches_single_with_sums(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	static const char *const names[] = { "a.example.", "bb.example.", "ccc.example.",
					     "dddd.example.", "eeeee.example." };
	enum { NN = sizeof(names) / sizeof(names[0]) };
	uint8_t qb[NN + 1][512];
	struct tw_dns_msg q[NN + 1];
	struct tw_dns_rr qrr[NN + 1][4];
	for (unsigned i = 0; i < NN; i++) {
		struct ts_msg *resp = ts_msg_new(names[i], TW_DNS_T_TXT, 0);
		char line[256];
		snprintf(line, sizeof(line), "%s %u IN TXT \"%.*s\"", names[i], 300 + i, (int)i + 1,
			 "xyzzy");
		assert_int_equal(ts_msg_add_line(resp, TW_DNS_SEC_AN, line), 0);
		snprintf(line, sizeof(line), "%s 400 IN TXT \"second\"", names[i]);
		assert_int_equal(ts_msg_add_line(resp, TW_DNS_SEC_AN, line), 0);
		assert_int_equal(ts_msg_add_line(resp, TW_DNS_SEC_NS, "example. 500 IN NS ns.example."),
				 0);
		ts_msg_set_flags(resp, TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA);
		size_t rlen;
		const uint8_t *rw = ts_msg_wire(resp, &rlen);
		make_query(qb[i], sizeof(qb[i]), (uint16_t)(0xA000 + i), names[i], TW_DNS_T_TXT,
			   TW_DNS_F_RD, true, 1232, 0, &q[i], qrr[i]);
		assert_int_equal(tw_cache_pkt_insert(f.t, rw, rlen, tw_cache_pkt_variant(&q[i]),
						     TW_CACHE_SECURE, 3600, NOW),
				 0);
		ts_msg_free(resp);
	}
	/* the client's case differs from the stored one; one name is not cached */
	qb[2][13] = 'C';
	make_query(qb[NN], sizeof(qb[NN]), 1, "nothere.example.", TW_DNS_T_TXT, TW_DNS_F_RD, true,
		   1232, 0, &q[NN], qrr[NN]);
	uint8_t out[NN + 1][1500], one[1500];
	uint8_t *outp[NN + 1];
	const struct tw_dns_msg *qp[NN + 1];
	size_t cap[NN + 1], len[NN + 1];
	uint32_t sum[NN + 1];
	for (unsigned i = 0; i <= NN; i++) {
		outp[i] = out[i];
		qp[i] = &q[i];
		cap[i] = sizeof(out[i]);
	}
	cap[4] = 20; /* too small: a miss, as with a single lookup */
	uint32_t hits = tw_cache_pkt_answer_burst(f.t, qp, NN + 1, NOW + 77, outp, cap, len, sum);
	assert_int_equal(hits, 0x0F);
	for (unsigned i = 0; i <= NN; i++) {
		size_t n1 = tw_cache_pkt_answer(f.t, &q[i], NOW + 77, one, cap[i]);
		assert_int_equal(len[i], n1);
		if (!n1)
			continue;
		assert_memory_equal(out[i], one, n1);
		assert_memory_equal(out[i] + 12, qb[i] + 12, q[i].qname_len);
		assert_int_equal(tw_csum_fold(sum[i]), tw_csum_fold(tw_csum_partial(out[i], n1, 0)));
		struct tw_dns_msg a;
		struct tw_dns_rr arr[8];
		assert_int_equal(tw_dns_msg_parse(&a, out[i], n1, arr, 8), 0);
		assert_int_equal(a.id, 0xA000 + i);
		assert_int_equal(a.rr[0].ttl, 300 + i - 77);
	}
	/* in place: the answer written over its own query, as a worker does */
	uint8_t inplace[1500];
	memcpy(inplace, qb[2], sizeof(qb[2]));
	struct tw_dns_msg qi;
	struct tw_dns_rr qirr[4];
	assert_int_equal(tw_dns_msg_parse(&qi, inplace, q[2].len, qirr, 4), 0);
	const struct tw_dns_msg *qip = &qi;
	uint8_t *inp = inplace;
	size_t icap = sizeof(inplace), ilen;
	uint32_t isum;
	assert_int_equal(tw_cache_pkt_answer_burst(f.t, &qip, 1, NOW + 77, &inp, &icap, &ilen,
						   &isum), 1);
	assert_int_equal(ilen, len[2]);
	assert_memory_equal(inplace, out[2], ilen);
	assert_int_equal(tw_csum_fold(isum), tw_csum_fold(tw_csum_partial(inplace, ilen, 0)));
	const struct tw_cache_stats *st = tw_cache_thread_stats(f.t);
	assert_int_equal(st->kind[TW_CACHE_KIND_PKT].hits, 9);
	assert_int_equal(st->kind[TW_CACHE_KIND_PKT].misses, 4);
	fx_close(&f);
}

static void test_packet_servfail_with_ede_lives_ttl_cap(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	struct ts_msg *resp = ts_msg_new("www.broken.example.", TW_DNS_T_A, TW_DNS_R_SERVFAIL);
	ts_msg_set_ede(resp, 9, "no key matches the DS");
	size_t rlen;
	const uint8_t *rw = ts_msg_wire(resp, &rlen);
	uint8_t qb[512], out[1500];
	struct tw_dns_msg q;
	struct tw_dns_rr qrr[4];
	make_query(qb, sizeof(qb), 99, "www.broken.example.", TW_DNS_T_A, TW_DNS_F_RD, true, 1232,
		   TW_DNS_EDNS_DO, &q, qrr);
	assert_int_equal(tw_cache_pkt_insert(f.t, rw, rlen, tw_cache_pkt_variant(&q), TW_CACHE_BOGUS,
					     60, NOW),
			 0);
	size_t n = tw_cache_pkt_answer(f.t, &q, NOW + 59, out, sizeof(out));
	assert_int_equal(n, rlen);
	struct tw_dns_msg a;
	struct tw_dns_rr arr[4];
	assert_int_equal(tw_dns_msg_parse(&a, out, n, arr, 4), 0);
	assert_int_equal(TW_DNS_RCODE(a.flags), TW_DNS_R_SERVFAIL);
	assert_int_equal(a.ede_code, 9); /* the EDE survives caching */
	assert_int_equal(tw_cache_pkt_answer(f.t, &q, NOW + 60, out, sizeof(out)), 0);
	/* TTL 0 answers are not cached; garbage is refused */
	struct ts_msg *zero = ts_msg_new("zero.example.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_line(zero, TW_DNS_SEC_AN, "zero.example. 0 IN A 192.0.2.9"), 0);
	rw = ts_msg_wire(zero, &rlen);
	assert_int_equal(tw_cache_pkt_insert(f.t, rw, rlen, 0, TW_CACHE_SECURE, 60, NOW), 0);
	assert_int_equal(tw_cache_count(f.t), 1);
	static const uint8_t junk[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
	assert_int_equal(tw_cache_pkt_insert(f.t, junk, sizeof(junk), 0, TW_CACHE_SECURE, 60, NOW),
			 -TW_EINVAL);
	ts_msg_free(zero);
	ts_msg_free(resp);
	fx_close(&f);
}

/* ---- memory limit and CLOCK ---- */

static int insert_a(struct fx *f, const char *owner, uint32_t ttl, uint32_t now)
{
	char line[1200];
	snprintf(line, sizeof(line), "%s %u IN A 192.0.2.1", owner, ttl);
	const char *lines[] = { line };
	struct pm p;
	pm_make(&p, owner, TW_DNS_T_A, 0, lines, 1);
	uint16_t idx[] = { 0 };
	int rc = tw_cache_rrset_insert(f->t, &p.m, idx, 1, NULL, 0, TW_CACHE_SECURE, TW_EDE_NONE,
				       NULL, ttl, now);
	ts_msg_free(p.ts);
	return rc;
}

static bool has_a(struct fx *f, const char *owner, uint32_t now)
{
	uint8_t n[255];
	name(owner, n);
	struct tw_cache_rrset r;
	return tw_cache_rrset_lookup(f->t, n, TW_DNS_T_A, 1, now, &r);
}

/* Wire name `out` of exactly n octets (3..255) whose content octets cycle
 * through letters of both cases and the octets beside the letter ranges
 * ('@' '[' '`' '{', 0xC1 and 0xDA, which differ from letters by the case bit
 * or sit just outside them), ending in '@'; its presentation form in text. */
static void odd_name(size_t n, uint8_t *out, char *text)
{
	static const uint8_t cyc[] = { 'a', 'Z', '@', '[', '`', '{', 'q', 0xC1, 'M', 0xDA, 'z', 'A' };
	size_t left = n - 1, at = 0, k = 0;
	char *t = text;
	while (left) {
		size_t len = left - 1 > 63 ? 63 : left - 1;
		if (left - 1 - len == 1) /* no room would be left for a label */
			len--;
		out[at++] = (uint8_t)len;
		for (size_t j = 0; j < len; j++) {
			bool last = left - 1 - len == 0 && j == len - 1;
			uint8_t o = last ? '@' : cyc[(k++ + n) % sizeof(cyc)];
			out[at++] = o;
			if ((o >= 'a' && o <= 'z') || (o >= 'A' && o <= 'Z') || o == '[' || o == '`' ||
			    o == '{')
				*t++ = (char)o;
			else
				t += sprintf(t, "\\%03u", o);
		}
		*t++ = '.';
		left -= 1 + len;
	}
	out[at] = 0;
	*t = 0;
	assert_int_equal(at + 1, n);
}

/* Keys of names of every length from 3 to 255 octets (the chunk boundaries of
 * the key builder and comparer among them): found in any case, with the
 * length given or walked, by the single and the burst lookup; a name that
 * differs only in the case bit of its last octet (not a letter) is not
 * found; the owner comes back lower-cased letter by letter only. */
static void test_keys_of_every_name_length(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 64ull << 20, 0);
	static uint8_t wire[256][TW_DNS_NAME_MAXLEN];
	static char text[1100];
	for (size_t n = 3; n <= 255; n++) {
		odd_name(n, wire[n], text);
		uint8_t check[TW_DNS_NAME_MAXLEN];
		assert_int_equal(ts_name(text, check), (int)n);
		assert_memory_equal(check, wire[n], n);
		assert_int_equal(insert_a(&f, text, 3600, NOW), 0);
	}
	for (size_t n = 3; n <= 255; n++) {
		uint8_t up[TW_DNS_NAME_MAXLEN], low[TW_DNS_NAME_MAXLEN], other[TW_DNS_NAME_MAXLEN];
		memcpy(up, wire[n], n);
		memcpy(low, wire[n], n);
		for (size_t j = 0; j < n; j++) {
			if (low[j] >= 'A' && low[j] <= 'Z')
				low[j] = (uint8_t)(low[j] + 32);
			if (up[j] >= 'a' && up[j] <= 'z')
				up[j] = (uint8_t)(up[j] - 32);
		}
		memcpy(other, up, n);
		assert_int_equal(other[n - 2], '@');
		other[n - 2] = '`';
		struct tw_cache_rrset r;
		assert_true(tw_cache_rrset_lookup(f.t, up, TW_DNS_T_A, TW_DNS_C_IN, NOW, &r));
		assert_memory_equal(r.owner, low, n);
		assert_true(tw_cache_rrset_lookup_n(f.t, low, n, TW_DNS_T_A, TW_DNS_C_IN, NOW, &r));
		assert_false(tw_cache_rrset_lookup_n(f.t, other, n, TW_DNS_T_A, TW_DNS_C_IN, NOW,
						     &r));
		assert_false(tw_cache_rrset_lookup(f.t, up, TW_DNS_T_AAAA, TW_DNS_C_IN, NOW, &r));
		struct tw_cache_rrset_key k[3] = {
			{ up, TW_DNS_T_A, TW_DNS_C_IN, (uint16_t)n },
			{ other, TW_DNS_T_A, TW_DNS_C_IN, 0 },
			{ low, TW_DNS_T_A, TW_DNS_C_IN, 0 },
		};
		struct tw_cache_rrset out[3];
		assert_int_equal(tw_cache_rrset_lookup_burst(f.t, k, 3, NOW, out), 5);
		assert_memory_equal(out[2].owner, low, n);

		/* the comparer itself (a hash collision is what makes it decide):
		 * equal keys in any case, and not the key one case bit away */
		static uint8_t ka[CACHE_KEYBUF], kb[CACHE_KEYBUF], kc[CACHE_KEYBUF];
		uint64_t ha, hb, hc;
		size_t la = cache_key_into_n(f.c, ka, TW_CACHE_KIND_RRSET, 1, 1, 0, up, n, &ha);
		size_t lb = cache_key_into(f.c, kb, TW_CACHE_KIND_RRSET, 1, 1, 0, other, &hb);
		size_t lc = cache_key_into(f.c, kc, TW_CACHE_KIND_RRSET, 1, 1, 0, low, &hc);
		assert_int_equal(la, n + CACHE_KEY_HDR);
		assert_int_equal(lb, la);
		assert_int_equal(lc, la);
		assert_memory_equal(ka + CACHE_KEY_HDR, low, n);
		assert_true(ha == hc && ha == cache_hash(f.c, ka, la) && hb != ha);
		struct cache_entry *e = cache_entry_new(f.t, TW_CACHE_KIND_RRSET, ka, la, 1);
		assert_non_null(e);
		assert_true(cache_entry_is(e, kc, lc));
		assert_false(cache_entry_is(e, kb, lb));
		kc[CACHE_KEY_HDR + n] = 1; /* past the name: not compared */
		assert_true(cache_entry_is(e, kc, lc));
		kc[0] ^= 1;                     /* the header is */
		assert_false(cache_entry_is(e, kc, lc));
		cache_entry_discard(e);
	}
	fx_close(&f);
}

/* A burst gives exactly what single lookups give, key by key: names of every
 * length class (shorter than a word, whole words, near the 255-octet limit),
 * any case, absent names, other types and expired entries mixed in. */
static void test_burst_lookup_matches_single_lookups(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	static char owners[TW_CACHE_BURST_MAX][300];
	static uint8_t wire[TW_CACHE_BURST_MAX][TW_DNS_NAME_MAXLEN];
	struct tw_cache_rrset_key k[TW_CACHE_BURST_MAX];
	for (unsigned i = 0; i < TW_CACHE_BURST_MAX; i++) {
		switch (i % 4) {
		case 0: snprintf(owners[i], sizeof(owners[i]), "%c.", 'a' + i); break;
		case 1: snprintf(owners[i], sizeof(owners[i]), "Host%u.Example.", i); break;
		case 2: snprintf(owners[i], sizeof(owners[i]), "abcdefg.%u.exampl.", i); break;
		default: {
			/* four labels of 60 and one short: 250 octets or so */
			char l60[61];
			memset(l60, 'q', 60);
			l60[60] = 0;
			snprintf(owners[i], sizeof(owners[i]), "%s.%s.%s.%s.z%u.", l60, l60, l60,
				 l60, i);
		}
		}
		/* every third name absent, every fifth expiring before the lookup */
		if (i % 3 != 2)
			assert_int_equal(insert_a(&f, owners[i], i % 5 == 4 ? 10 : 3600, NOW), 0);
		name(owners[i], wire[i]);
		for (uint8_t *c = wire[i]; *c; c += *c + 1) /* ask in upper case */
			for (unsigned j = 1; j <= *c; j++)
				if (c[j] >= 'a' && c[j] <= 'z')
					c[j] = (uint8_t)(c[j] - 32);
		/* the length given for half the keys, walked for the others */
		k[i] = (struct tw_cache_rrset_key){ wire[i], i % 7 == 6 ? TW_DNS_T_AAAA : TW_DNS_T_A,
						    TW_DNS_C_IN,
						    (uint16_t)(i % 2 ? tw_dns_name_len(wire[i]) : 0) };
	}
	uint32_t now = NOW + 100;
	struct tw_cache_rrset out[TW_CACHE_BURST_MAX];
	uint64_t h0 = tw_cache_thread_stats(f.t)->kind[TW_CACHE_KIND_RRSET].hits;
	uint64_t m0 = tw_cache_thread_stats(f.t)->kind[TW_CACHE_KIND_RRSET].misses;
	uint32_t mask = tw_cache_rrset_lookup_burst(f.t, k, TW_CACHE_BURST_MAX, now, out);
	unsigned expect_hits = 0;
	for (unsigned i = 0; i < TW_CACHE_BURST_MAX; i++) {
		bool want = i % 3 != 2 && i % 5 != 4 && i % 7 != 6;
		expect_hits += want;
		assert_int_equal(!!(mask >> i & 1), want);
		struct tw_cache_rrset one;
		bool hit = tw_cache_rrset_lookup(f.t, wire[i], k[i].type, TW_DNS_C_IN, now, &one);
		assert_int_equal(hit, want);
		if (!hit)
			continue;
		assert_ptr_equal(out[i].data, one.data);
		assert_int_equal(out[i].ttl, 3500);
		assert_int_equal(out[i].count, 1);
		assert_int_equal(out[i].type, TW_DNS_T_A);
		uint8_t lower[TW_DNS_NAME_MAXLEN];
		name(owners[i], lower);
		for (uint8_t *c = lower; *c; c += *c + 1)
			for (unsigned j = 1; j <= *c; j++)
				if (c[j] >= 'A' && c[j] <= 'Z')
					c[j] = (uint8_t)(c[j] + 32);
		assert_memory_equal(out[i].owner, lower, tw_dns_name_len(lower));
	}
	const struct tw_cache_kind_stats *ks = &tw_cache_thread_stats(f.t)->kind[TW_CACHE_KIND_RRSET];
	/* the burst counted its own hits and misses (then the single lookups theirs) */
	assert_int_equal(ks->hits - h0, 2 * expect_hits);
	assert_int_equal(ks->misses - m0, 2 * (TW_CACHE_BURST_MAX - expect_hits));
	/* a burst of one, and of none */
	assert_int_equal(tw_cache_rrset_lookup_burst(f.t, k, 1, now, out), 1u);
	assert_int_equal(tw_cache_rrset_lookup_burst(f.t, k, 0, now, out), 0u);
	fx_close(&f);
}

static void test_memory_limit_evicts_cold_entries_and_keeps_hot_one(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 1u << 20, 0);
	char owner[64];
	for (unsigned i = 0; i < 20000; i++) {
		snprintf(owner, sizeof(owner), "n%u.example.", i);
		assert_int_equal(insert_a(&f, owner, 3600, NOW), 0);
		/* the hot entry is read between inserts, as clients would */
		if (i > 0)
			assert_true(has_a(&f, "n0.example.", NOW));
	}
	/* entries pushed out of a full bucket pair wait for their owner's sweep */
	tw_cache_maintain(f.t, NOW, 100000);
	struct tw_cache_stats st;
	tw_cache_stats(f.c, &st);
	assert_true(st.bytes <= st.mem_limit);
	assert_true(st.kind[TW_CACHE_KIND_RRSET].evictions > 10000);
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].inserts,
			 st.kind[TW_CACHE_KIND_RRSET].entries + st.kind[TW_CACHE_KIND_RRSET].freed);
	assert_int_equal(tw_cache_count(f.t), st.kind[TW_CACHE_KIND_RRSET].entries);
	assert_true(has_a(&f, "n0.example.", NOW));      /* hot: survived */
	assert_false(has_a(&f, "n1.example.", NOW));     /* cold and old: evicted */
	assert_true(has_a(&f, "n19999.example.", NOW));  /* newest */
	/* the per-entry cost of a small A RRset, as accounted */
	uint64_t per = st.bytes / st.kind[TW_CACHE_KIND_RRSET].entries;
	print_message("accounted bytes per A RRset entry (no RRSIG): %llu\n", (unsigned long long)per);
	assert_true(per >= 100 && per <= 256);
	fx_close(&f);
}

static void test_rdata_that_decompresses_past_the_scratch_is_refused(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 1u << 20, 0);
	/* NS records whose target is one pointer to a long name: 14 octets each on
	 * the wire, 250 once decompressed, so that the RRset would take more than
	 * a megabyte in the cache */
	char target[260] = "";
	for (int i = 0; i < 4; i++)
		strcat(target, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	struct ts_msg *m = ts_msg_new("bomb.example.", TW_DNS_T_NS, 0);
	char line[400];
	snprintf(line, sizeof(line), "bomb.example. 300 IN NS %s", target);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AN, line), 0);
	size_t len;
	const uint8_t *w = ts_msg_wire(m, &len);
	assert_non_null(w);
	struct tw_dns_msg pm;
	static struct tw_dns_rr rr[1100];
	assert_int_equal(tw_dns_msg_parse(&pm, w, len, rr, 1100), 0);
	static uint16_t idx[1000];
	for (int i = 0; i < 1000; i++)
		idx[i] = (uint16_t)i;
	assert_int_equal(tw_cache_rrset_insert(f.t, &pm, idx, 1000, NULL, 0, TW_CACHE_SECURE,
					       TW_EDE_NONE, NULL, 300, NOW),
			 -TW_ENOMEM);
	assert_int_equal(tw_cache_thread_stats(f.t)->kind[TW_CACHE_KIND_RRSET].refused, 1);
	assert_int_equal(tw_cache_count(f.t), 0);
	ts_msg_free(m);
	fx_close(&f);
}

/* ---- flushes ---- */

static void test_flush_name_zone_and_all(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	const char *names[] = { "example.", "a.example.", "b.a.example.", "xa.example.", "other." };
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(insert_a(&f, names[i], 300, NOW), 0);
	uint8_t n[255];
	name("A.Example.", n);
	assert_int_equal(tw_cache_flush_zone(f.t, n), 2); /* a.example. and b.a.example. */
	assert_false(has_a(&f, "a.example.", NOW));
	assert_false(has_a(&f, "b.a.example.", NOW));
	assert_true(has_a(&f, "xa.example.", NOW)); /* not below a.example. */
	assert_true(has_a(&f, "example.", NOW));
	name("example.", n);
	assert_int_equal(tw_cache_flush_name(f.t, n), 1);
	assert_false(has_a(&f, "example.", NOW));
	assert_true(has_a(&f, "xa.example.", NOW));
	assert_true(has_a(&f, "other.", NOW));
	tw_cache_flush_all(f.c);
	assert_false(has_a(&f, "xa.example.", NOW));
	assert_false(has_a(&f, "other.", NOW));
	/* new data after the flush is visible */
	assert_int_equal(insert_a(&f, "other.", 300, NOW), 0);
	assert_true(has_a(&f, "other.", NOW));
	tw_cache_maintain(f.t, NOW, 100);
	struct tw_cache_stats st;
	tw_cache_stats(f.c, &st);
	/* zone 2, name 1, and xa.example. at maintenance; the old other. was
	 * replaced by the new one instead */
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].flushed, 4);
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].replaced, 1);
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].entries, 1);
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].freed, 5);
	assert_int_equal(tw_cache_count(f.t), 1);
	fx_close(&f);
}

static void test_entries_outlive_their_thread(void **state)
{
	(void)state;
	struct fx f;
	fx_open(&f, 0, 0);
	assert_int_equal(insert_a(&f, "kept.example.", 300, NOW), 0);
	tw_cache_thread_unregister(f.t);
	f.t = tw_cache_thread_register(f.c);
	assert_non_null(f.t);
	assert_true(has_a(&f, "kept.example.", NOW));
	/* the new thread adopts the entry and frees it at expiry */
	tw_cache_maintain(f.t, NOW + 300, 100);
	struct tw_cache_stats st;
	tw_cache_stats(f.c, &st);
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].expirations, 1);
	assert_int_equal(st.kind[TW_CACHE_KIND_RRSET].entries, 0);
	assert_int_equal(st.bytes, 0);
	fx_close(&f);
}

static void test_conf_errors_are_named(void **state)
{
	(void)state;
	struct tw_cache_conf conf;
	char err[128];
	tw_cache_conf_init(&conf);
	conf.mem_limit = 1000;
	assert_null(tw_cache_new(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "memory limit"));
	tw_cache_conf_init(&conf);
	conf.max_threads = 0;
	assert_null(tw_cache_new(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "max_threads"));
	tw_cache_conf_init(&conf);
	conf.min_ttl = 10;
	conf.max_ttl = 5;
	assert_null(tw_cache_new(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "TTL range"));
}

/* ---- the validator's key store in the cache ---- */

static void test_zone_facts_are_shared_through_the_cache(void **state)
{
	(void)state;
	uint32_t now = (uint32_t)time(NULL);
	struct ts_zone *z = ts_zone_new("example.");
	assert_int_equal(ts_zone_add(z, "@ 3600 IN SOA ns.example. admin.example. 1 3600 900 604800 300"), 0);
	assert_int_equal(ts_zone_add(z, "www 3600 IN A 192.0.2.1"), 0);
	assert_int_equal(ts_zone_add(z, "ftp 3600 IN A 192.0.2.2"), 0);
	struct ts_key *ksk = ts_key_new(13, 257), *zsk = ts_key_new(13, 256);
	ts_zone_add_key(z, ksk, true, false);
	ts_zone_add_key(z, zsk, false, true);
	assert_int_equal(ts_zone_nsec(z), 0);
	assert_int_equal(ts_zone_sign(z, now - 3600, now + 30 * 86400), 0);
	struct tw_val_conf *conf = tw_val_conf_new();
	uint8_t apex[255], ds[128];
	name("example.", apex);
	int dl = ts_key_ds(ksk, apex, 2, ds, sizeof(ds));
	assert_true(dl > 0);
	assert_int_equal(tw_val_conf_add_anchor(conf, apex, TW_DNS_T_DS, ds, (uint16_t)dl), 0);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();

	struct fx f;
	fx_open(&f, 0, 0);
	const char *qn[] = { "www.example.", "ftp.example." };
	for (int i = 0; i < 2; i++) {
		uint8_t q[255];
		name(qn[i], q);
		struct tw_val_query *vq = tw_val_query_new(conf, tw_cache_keystore(f.t), q, TW_DNS_T_A, 1, false);
		assert_non_null(vq);
		enum tw_val_status st;
		while ((st = tw_val_query_run(vq, now)) != TW_VAL_DONE) {
			const uint8_t *nm;
			uint16_t ty;
			while (tw_val_query_next_upstream(vq, &nm, &ty)) {
				char txt[300];
				tw_dns_name_to_str(nm, txt, sizeof(txt));
				struct ts_msg *m = ts_zone_answer(z, txt, ty);
				assert_non_null(m);
				size_t len;
				const uint8_t *w = ts_msg_wire(m, &len);
				assert_int_equal(tw_val_query_answer_upstream(vq, nm, ty, w, len), 0);
				ts_msg_free(m);
			}
			tw_val_query_verify_all(vq, v);
		}
		const struct tw_val_result *r = tw_val_query_result(vq);
		assert_int_equal(r->verdict, TW_VAL_SECURE);
		if (i == 0) {
			assert_int_equal(r->stats.upstream, 2); /* the answer and the DNSKEY set */
		} else {
			/* the DNSKEY set came from the cache's key table */
			assert_int_equal(r->stats.upstream, 1);
			assert_true(r->stats.keystore_hits >= 1);
		}
		tw_val_query_free(vq);
	}
	const struct tw_cache_stats *st = tw_cache_thread_stats(f.t);
	assert_int_equal(st->kind[TW_CACHE_KIND_KEY].inserts, 1);
	assert_true(st->kind[TW_CACHE_KIND_KEY].hits >= 1);
	/* the fact is accounted with its prepared keys (ECDSA tables) */
	assert_true(st->kind[TW_CACHE_KIND_KEY].bytes > 100000);
	/* flushing the zone drops the fact too */
	assert_int_equal(tw_cache_flush_zone(f.t, apex), 1);
	fx_close(&f);
	tw_crypto_verifier_free(v);
	tw_val_conf_free(conf);
	ts_zone_free(z);
}

/* Answers every question from the zone that holds it (the deepest origin). */
static void drive_two(struct tw_val_query *vq, struct ts_zone *parent, struct ts_zone *child,
		      struct tw_crypto_verifier *v, uint32_t now)
{
	while (tw_val_query_run(vq, now) != TW_VAL_DONE) {
		const uint8_t *nm;
		uint16_t ty;
		while (tw_val_query_next_upstream(vq, &nm, &ty)) {
			char txt[300];
			tw_dns_name_to_str(nm, txt, sizeof(txt));
			bool in_child = tw_dns_name_is_subdomain(nm, ts_zone_origin(child)) &&
					!(ty == TW_DNS_T_DS && tw_dns_name_equal(nm, ts_zone_origin(child)));
			struct ts_msg *m = ts_zone_answer(in_child ? child : parent, txt, ty);
			assert_non_null(m);
			size_t len;
			const uint8_t *w = ts_msg_wire(m, &len);
			assert_int_equal(tw_val_query_answer_upstream(vq, nm, ty, w, len), 0);
			ts_msg_free(m);
		}
		tw_val_query_verify_all(vq, v);
	}
}

static void test_validated_ds_set_outlives_the_child_keys(void **state)
{
	(void)state;
	uint32_t now = (uint32_t)time(NULL);
	struct ts_zone *parent = ts_zone_new("example."), *child = ts_zone_new("sub.example.");
	assert_int_equal(ts_zone_add(parent, "@ 3600 IN SOA ns.example. admin.example. 1 3600 900 604800 300"), 0);
	assert_int_equal(ts_zone_add(parent, "sub 3600 IN NS ns.sub.example."), 0);
	assert_int_equal(ts_zone_add(child, "@ 3600 IN SOA ns.sub.example. admin.example. 1 3600 900 604800 300"), 0);
	assert_int_equal(ts_zone_add(child, "www 3600 IN A 192.0.2.7"), 0);
	struct ts_key *pk = ts_key_new(13, 257), *pz = ts_key_new(13, 256);
	struct ts_key *ck = ts_key_new(13, 257), *cz = ts_key_new(13, 256);
	ts_zone_add_key(parent, pk, true, false);
	ts_zone_add_key(parent, pz, false, true);
	ts_zone_add_key(child, ck, true, false);
	ts_zone_add_key(child, cz, false, true);
	assert_int_equal(ts_zone_add_ds(parent, "sub", ck, 2), 0);
	assert_int_equal(ts_zone_nsec(parent), 0);
	assert_int_equal(ts_zone_nsec(child), 0);
	assert_int_equal(ts_zone_sign(parent, now - 3600, now + 30 * 86400), 0);
	/* the child's signatures run out in 100 s, so its keys' fact does too */
	assert_int_equal(ts_zone_sign(child, now - 3600, now + 100), 0);

	struct tw_val_conf *conf = tw_val_conf_new();
	uint8_t apex[255], ds[128], q[255];
	name("example.", apex);
	name("www.sub.example.", q);
	int dl = ts_key_ds(pk, apex, 2, ds, sizeof(ds));
	assert_int_equal(tw_val_conf_add_anchor(conf, apex, TW_DNS_T_DS, ds, (uint16_t)dl), 0);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	struct fx f;
	fx_open(&f, 0, 0);

	struct tw_val_query *vq = tw_val_query_new(conf, tw_cache_keystore(f.t), q, TW_DNS_T_A, 1, false);
	drive_two(vq, parent, child, v, now);
	const struct tw_val_result *r = tw_val_query_result(vq);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	/* the answer, DNSKEY sub., DS sub., DNSKEY example. */
	assert_int_equal(r->stats.upstream, 4);
	tw_val_query_free(vq);

	/* the child re-signs; 200 s later its keys' fact has expired, the DS set's not */
	assert_int_equal(ts_zone_sign(child, now - 3600, now + 30 * 86400), 0);
	vq = tw_val_query_new(conf, tw_cache_keystore(f.t), q, TW_DNS_T_A, 1, false);
	drive_two(vq, parent, child, v, now + 200);
	r = tw_val_query_result(vq);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	/* the answer and DNSKEY sub. only: the DS set came from the key table */
	assert_int_equal(r->stats.upstream, 2);
	tw_val_query_free(vq);

	fx_close(&f);
	tw_crypto_verifier_free(v);
	tw_val_conf_free(conf);
	ts_zone_free(parent);
	ts_zone_free(child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rrset_round_trip_with_case_insensitive_owner),
		cmocka_unit_test(test_rrset_insert_refuses_mixed_sets),
		cmocka_unit_test(test_validated_answer_keeps_capped_ttls_and_max_ttl),
		cmocka_unit_test(test_bogus_marker_keeps_ede_and_reason_for_bogus_ttl),
		cmocka_unit_test(test_insert_replaces_whole_entry),
		cmocka_unit_test(test_ttl_capped_at_rrsig_expiration_even_if_caller_did_not),
		cmocka_unit_test(test_packet_answer_patches_id_case_and_ttls),
		cmocka_unit_test(test_packet_servfail_with_ede_lives_ttl_cap),
		cmocka_unit_test(test_burst_lookup_matches_single_lookups),
		cmocka_unit_test(test_keys_of_every_name_length),
		cmocka_unit_test(test_memory_limit_evicts_cold_entries_and_keeps_hot_one),
		cmocka_unit_test(test_rdata_that_decompresses_past_the_scratch_is_refused),
		cmocka_unit_test(test_packet_burst_matches_single_with_sums),
		cmocka_unit_test(test_flush_name_zone_and_all),
		cmocka_unit_test(test_entries_outlive_their_thread),
		cmocka_unit_test(test_conf_errors_are_named),
		cmocka_unit_test(test_zone_facts_are_shared_through_the_cache),
		cmocka_unit_test(test_validated_ds_set_outlives_the_child_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
