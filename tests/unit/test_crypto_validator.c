/* The validation engine (crypto/validator.h) on answers built and signed in
 * process (tests/lib/tsign.h): a root, the TLD test. and leaf zones under it,
 * answered the way a recursive resolver asked with DO+CD would answer. Each test
 * pins a verdict, an rcode and an EDE code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crypto/validator.h"
#include "crypto/verify.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "tests/lib/tsign.h"

#define DAY 86400u

/* ---- a farm of canned answers ---- */

struct canned {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint16_t type;
	struct ts_msg *m; /* NULL: the farm does not answer (timeout) */
};

struct world {
	uint32_t now;
	struct ts_zone *root, *tld, *leaf;
	struct ts_key *leaf_ksk, *leaf_zsk;
	struct tw_val_conf *conf;
	struct tw_val_keystore *ks;
	struct tw_crypto_verifier *v;
	struct canned farm[128];
	unsigned nfarm;
	unsigned unanswered; /* questions the farm had nothing for */
	char last_missing[TW_DNS_NAME_STRLEN + 16];
};

static void put(struct world *w, const char *name, uint16_t type, struct ts_msg *m)
{
	struct canned *c = &w->farm[w->nfarm++];
	assert_true(w->nfarm <= 128);
	assert_true(ts_name(name, c->name) > 0);
	c->type = type;
	c->m = m;
}

static struct ts_msg *find(struct world *w, const uint8_t *name, uint16_t type)
{
	for (unsigned i = w->nfarm; i-- > 0;)
		if (w->farm[i].type == type && tw_dns_name_equal(w->farm[i].name, name))
			return w->farm[i].m;
	return NULL;
}

/* Drives q to the end, answering from the farm. */
static const struct tw_val_result *drive(struct world *w, struct tw_val_query *q)
{
	for (int guard = 0; guard < 200; guard++) {
		enum tw_val_status st = tw_val_query_run(q, w->now);
		if (st == TW_VAL_DONE)
			return tw_val_query_result(q);
		const uint8_t *name;
		uint16_t type;
		while (tw_val_query_next_upstream(q, &name, &type)) {
			struct ts_msg *m = find(w, name, type);
			if (!m) {
				w->unanswered++;
				tw_dns_name_to_str(name, w->last_missing, TW_DNS_NAME_STRLEN);
				assert_int_equal(tw_val_query_answer_upstream(q, name, type, NULL, 0), 0);
				continue;
			}
			size_t len;
			const uint8_t *wire = ts_msg_wire(m, &len);
			assert_int_equal(tw_val_query_answer_upstream(q, name, type, wire, len), 0);
		}
		tw_val_query_verify_all(q, w->v);
	}
	fail_msg("the query did not finish");
	return NULL;
}

static const struct tw_val_result *ask(struct world *w, const char *qname, uint16_t qtype,
				       struct tw_val_query **out)
{
	uint8_t n[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name(qname, n) > 0);
	struct tw_val_query *q = tw_val_query_new(w->conf, w->ks, n, qtype, 1, false);
	assert_non_null(q);
	const struct tw_val_result *r = drive(w, q);
	*out = q;
	return r;
}

#define EXPECT(w, qname, qtype, verdict_, rcode_, ede_)                                         \
	do {                                                                                    \
		struct tw_val_query *q_;                                                        \
		const struct tw_val_result *r_ = ask(w, qname, qtype, &q_);                     \
		if (r_->verdict != (verdict_) || r_->rcode != (rcode_) || r_->ede != (ede_))    \
			print_message("%s/%u: %s rcode %u EDE %u: %s\n", qname, qtype,         \
				      tw_val_verdict_str(r_->verdict), r_->rcode, r_->ede,      \
				      r_->reason);                                              \
		assert_int_equal(r_->verdict, verdict_);                                        \
		assert_int_equal(r_->rcode, rcode_);                                            \
		assert_int_equal(r_->ede, ede_);                                                \
		tw_val_query_free(q_);                                                          \
	} while (0)

/* ---- the world: . -> test. -> sec.test. (+ unsigned.test.) ---- */

static struct ts_msg *msg(const char *qname, uint16_t qtype, uint16_t rcode)
{
	struct ts_msg *m = ts_msg_new(qname, qtype, rcode);
	assert_non_null(m);
	return m;
}

/* An answer: the RRset and its RRSIGs. */
static struct ts_msg *positive(struct ts_zone *z, const char *owner, uint16_t type)
{
	struct ts_msg *m = msg(owner, type, TW_DNS_R_NOERROR);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, owner, type), 0);
	return m;
}

static const char *apex_of(struct ts_zone *z, char *buf)
{
	tw_dns_name_to_str(ts_zone_origin(z), buf, TW_DNS_NAME_STRLEN);
	return buf;
}

/* NODATA from z: SOA and the NSEC/NSEC3 at name. */
static struct ts_msg *nodata(struct ts_zone *z, const char *name, uint16_t type)
{
	char ab[TW_DNS_NAME_STRLEN];
	struct ts_msg *m = msg(name, type, TW_DNS_R_NOERROR);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_NS, z, apex_of(z, ab), TW_DNS_T_SOA), 0);
	assert_int_equal(ts_msg_add_nsec_matching(m, z, name), 0);
	return m;
}

static void add_signed_zone_to_farm(struct world *w, struct ts_zone *parent, struct ts_zone *z)
{
	char ab[TW_DNS_NAME_STRLEN];
	const char *apex = apex_of(z, ab);
	put(w, apex, TW_DNS_T_DNSKEY, positive(z, apex, TW_DNS_T_DNSKEY));
	if (parent)
		put(w, apex, TW_DNS_T_DS, positive(parent, apex, TW_DNS_T_DS));
}

struct leaf_opts {
	uint8_t alg;
	bool nsec3;
	uint16_t iterations;
	bool optout;
	uint8_t ds_digest;
	uint32_t expiration; /* 0: now + 30 days */
};

static void world_make(struct world *w, const struct leaf_opts *o)
{
	memset(w, 0, sizeof(*w));
	w->now = (uint32_t)time(NULL);
	uint32_t inc = w->now - DAY, exp = o->expiration ? o->expiration : w->now + 30 * DAY;

	/* the leaf */
	w->leaf = ts_zone_new("sec.test.");
	assert_non_null(w->leaf);
	static const char *leaf_lines[] = {
		"@ 3600 IN SOA ns.sec.test. admin.sec.test. 1 3600 900 604800 300",
		"@ 3600 IN NS ns.sec.test.",
		"ns 3600 IN A 192.0.2.53",
		"www 3600 IN A 192.0.2.1",
		"*.wild 3600 IN TXT \"wild\"",
		"alias 3600 IN CNAME www.sec.test.",
		"out 3600 IN CNAME www.unsigned.test.",
		"x.ent 3600 IN A 192.0.2.2",
		"dn 3600 IN DNAME target.sec.test.",
		"host.target 3600 IN A 192.0.2.3",
		"island 3600 IN NS ns.island.sec.test.",
		"ns.island 3600 IN A 192.0.2.54",
	};
	for (size_t i = 0; i < sizeof(leaf_lines) / sizeof(leaf_lines[0]); i++)
		assert_int_equal(ts_zone_add(w->leaf, leaf_lines[i]), 0);
	w->leaf_ksk = ts_key_new(o->alg, 257);
	w->leaf_zsk = ts_key_new(o->alg, 256);
	assert_non_null(w->leaf_ksk);
	assert_non_null(w->leaf_zsk);
	ts_zone_add_key(w->leaf, w->leaf_ksk, true, false);
	ts_zone_add_key(w->leaf, w->leaf_zsk, false, true);
	if (o->nsec3)
		assert_int_equal(ts_zone_nsec3(w->leaf, o->iterations, "aabbcc", o->optout), 0);
	else
		assert_int_equal(ts_zone_nsec(w->leaf), 0);
	assert_int_equal(ts_zone_sign(w->leaf, inc, exp), 0);

	/* the TLD */
	w->tld = ts_zone_new("test.");
	static const char *tld_lines[] = {
		"@ 3600 IN SOA ns.test. admin.test. 1 3600 900 604800 300",
		"@ 3600 IN NS ns.test.",
		"ns 3600 IN A 192.0.2.10",
		"sec 3600 IN NS ns.sec.test.",
		"ns.sec 3600 IN A 192.0.2.53",
		"unsigned 3600 IN NS ns.unsigned.test.",
		"ns.unsigned 3600 IN A 192.0.2.11",
	};
	for (size_t i = 0; i < sizeof(tld_lines) / sizeof(tld_lines[0]); i++)
		assert_int_equal(ts_zone_add(w->tld, tld_lines[i]), 0);
	assert_int_equal(ts_zone_add_ds(w->tld, "sec.test.", w->leaf_ksk,
					o->ds_digest ? o->ds_digest : 2),
			 0);
	struct ts_key *tk = ts_key_new(13, 257), *tz = ts_key_new(13, 256);
	ts_zone_add_key(w->tld, tk, true, false);
	ts_zone_add_key(w->tld, tz, false, true);
	assert_int_equal(ts_zone_nsec(w->tld), 0);
	assert_int_equal(ts_zone_sign(w->tld, inc, w->now + 30 * DAY), 0);

	/* the root */
	w->root = ts_zone_new(".");
	assert_int_equal(ts_zone_add(w->root, ". 86400 IN SOA a.root. admin.root. 1 1800 900 604800 86400"), 0);
	assert_int_equal(ts_zone_add(w->root, ". 86400 IN NS a.root."), 0);
	assert_int_equal(ts_zone_add(w->root, "a.root. 86400 IN A 192.0.2.100"), 0);
	assert_int_equal(ts_zone_add(w->root, "test. 86400 IN NS ns.test."), 0);
	assert_int_equal(ts_zone_add(w->root, "ns.test. 86400 IN A 192.0.2.10"), 0);
	assert_int_equal(ts_zone_add_ds(w->root, "test.", tk, 2), 0);
	struct ts_key *rk = ts_key_new(13, 257), *rz = ts_key_new(13, 256);
	ts_zone_add_key(w->root, rk, true, false);
	ts_zone_add_key(w->root, rz, false, true);
	assert_int_equal(ts_zone_nsec(w->root), 0);
	assert_int_equal(ts_zone_sign(w->root, inc, w->now + 30 * DAY), 0);

	w->conf = tw_val_conf_new();
	uint8_t root[1] = { 0 }, ds[128];
	int dl = ts_key_ds(rk, root, 2, ds, sizeof(ds));
	assert_true(dl > 0);
	assert_int_equal(tw_val_conf_add_anchor(w->conf, root, TW_DNS_T_DS, ds, (uint16_t)dl), 0);
	w->ks = tw_val_keystore_mem_new(64);
	w->v = tw_crypto_verifier_new();

	add_signed_zone_to_farm(w, NULL, w->root);
	add_signed_zone_to_farm(w, w->root, w->tld);
	add_signed_zone_to_farm(w, w->tld, w->leaf);
	/* unsigned.test. is an unsigned delegation: NODATA for its DS, NSEC with NS */
	put(w, "unsigned.test.", TW_DNS_T_DS, nodata(w->tld, "unsigned.test.", TW_DNS_T_DS));
}

static void world_free(struct world *w)
{
	for (unsigned i = 0; i < w->nfarm; i++)
		ts_msg_free(w->farm[i].m);
	ts_zone_free(w->root);
	ts_zone_free(w->tld);
	ts_zone_free(w->leaf);
	tw_val_keystore_mem_free(w->ks);
	tw_crypto_verifier_free(w->v);
	tw_val_conf_free(w->conf);
}

static const struct leaf_opts nsec13 = { .alg = 13 };
static const struct leaf_opts nsec3_13 = { .alg = 13, .nsec3 = true, .iterations = 0 };

/* ---- positive answers ---- */

static void test_positive_answer_every_algorithm_is_secure(void **state)
{
	(void)state;
	static const uint8_t algs[] = { 5, 7, 8, 10, 13, 14, 15, 16 };
	for (size_t i = 0; i < sizeof(algs); i++) {
		struct world w;
		struct leaf_opts o = { .alg = algs[i], .nsec3 = algs[i] == 7 };
		world_make(&w, &o);
		put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
		EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
		world_free(&w);
	}
}

static void test_ttl_is_capped_at_signature_expiration(void **state)
{
	(void)state;
	struct world w;
	struct leaf_opts o = nsec13;
	o.expiration = (uint32_t)time(NULL) + 1000;
	world_make(&w, &o);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, &q);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	/* RFC 4035 §5.3.3: no more than the time left before expiration */
	assert_true(r->ttl <= 1000 && r->ttl >= 990);
	const uint32_t *ttls;
	const struct tw_dns_msg *m = tw_val_query_answer(q, &ttls);
	assert_non_null(m);
	assert_true(ttls[0] <= 1000);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_second_query_reuses_validated_keys(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	put(&w, "alias.sec.test.", TW_DNS_T_CNAME,
	    positive(w.leaf, "alias.sec.test.", TW_DNS_T_CNAME));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "alias.sec.test.", TW_DNS_T_CNAME, &q);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	assert_int_equal(r->stats.upstream, 1);      /* only the question itself */
	assert_int_equal(r->stats.verifications, 1); /* only the answer's RRSIG */
	assert_true(r->stats.keystore_hits >= 1);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_cname_within_the_zone_is_secure(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	struct ts_msg *m = positive(w.leaf, "alias.sec.test.", TW_DNS_T_CNAME);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "alias.sec.test.", TW_DNS_T_A, m);
	EXPECT(&w, "alias.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	world_free(&w);
}

static void test_cname_into_unsigned_zone_is_insecure(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	struct ts_msg *m = positive(w.leaf, "out.sec.test.", TW_DNS_T_CNAME);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AN, "www.unsigned.test. 300 IN A 192.0.2.9"), 0);
	put(&w, "out.sec.test.", TW_DNS_T_A, m);
	EXPECT(&w, "out.sec.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	world_free(&w);
}

static void test_unsigned_answer_below_unsigned_delegation_is_insecure(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	struct ts_msg *m = msg("www.unsigned.test.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AN, "www.unsigned.test. 300 IN A 192.0.2.9"), 0);
	put(&w, "www.unsigned.test.", TW_DNS_T_A, m);
	EXPECT(&w, "www.unsigned.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR,
	       TW_EDE_NONE);
	world_free(&w);
}

static void test_dname_synthesis_is_secure(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	/* the question is host.dn.sec.test. A: the DNAME, the synthesized CNAME
	 * (unsigned), then the target's answer */
	struct ts_msg *q = msg("host.dn.sec.test.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_rrset(q, TW_DNS_SEC_AN, w.leaf, "dn.sec.test.", TW_DNS_T_DNAME), 0);
	assert_int_equal(ts_msg_add_line(q, TW_DNS_SEC_AN,
					 "host.dn.sec.test. 3600 IN CNAME host.target.sec.test."),
			 0);
	assert_int_equal(ts_msg_add_rrset(q, TW_DNS_SEC_AN, w.leaf, "host.target.sec.test.",
					  TW_DNS_T_A),
			 0);
	put(&w, "host.dn.sec.test.", TW_DNS_T_A, q);
	EXPECT(&w, "host.dn.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);

	/* a CNAME that does not follow the DNAME is bogus */
	struct ts_msg *bad = msg("host.dn.sec.test.", TW_DNS_T_AAAA, 0);
	assert_int_equal(ts_msg_add_rrset(bad, TW_DNS_SEC_AN, w.leaf, "dn.sec.test.", TW_DNS_T_DNAME), 0);
	assert_int_equal(ts_msg_add_line(bad, TW_DNS_SEC_AN,
					 "host.dn.sec.test. 3600 IN CNAME evil.example."),
			 0);
	put(&w, "host.dn.sec.test.", TW_DNS_T_AAAA, bad);
	EXPECT(&w, "host.dn.sec.test.", TW_DNS_T_AAAA, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_DNSSEC_BOGUS);
	world_free(&w);
}

static void test_referral_shaped_answers(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	/* the parent's referral to a signed child: its DS set authenticates it */
	struct ts_msg *sec = ts_zone_answer(w.tld, "www.sec.test.", TW_DNS_T_A);
	assert_non_null(sec);
	assert_true(ts_msg_count(sec, TW_DNS_SEC_AN) == 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, sec);
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	/* to an unsigned child: the NSEC at the cut proves there is no DS */
	struct ts_msg *uns = ts_zone_answer(w.tld, "www.unsigned.test.", TW_DNS_T_A);
	assert_non_null(uns);
	put(&w, "www.unsigned.test.", TW_DNS_T_A, uns);
	EXPECT(&w, "www.unsigned.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR,
	       TW_EDE_NONE);
	/* the same referral with its proof stripped is bogus */
	struct ts_msg *bare = msg("www.unsigned.test.", TW_DNS_T_AAAA, 0);
	assert_int_equal(ts_msg_add_rrset(bare, TW_DNS_SEC_NS, w.tld, "unsigned.test.", TW_DNS_T_NS), 0);
	put(&w, "www.unsigned.test.", TW_DNS_T_AAAA, bare);
	EXPECT(&w, "www.unsigned.test.", TW_DNS_T_AAAA, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_NSEC_MISSING);
	world_free(&w);
}

/* ---- wildcards ---- */

static void wildcard_case(const struct leaf_opts *o)
{
	struct world w;
	world_make(&w, o);
	struct ts_msg *m = msg("a.wild.sec.test.", TW_DNS_T_TXT, 0);
	assert_int_equal(ts_msg_add_expanded(m, TW_DNS_SEC_AN, w.leaf, "*.wild.sec.test.",
					     TW_DNS_T_TXT, "a.wild.sec.test."),
			 0);
	assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "a.wild.sec.test."), 0);
	put(&w, "a.wild.sec.test.", TW_DNS_T_TXT, m);
	EXPECT(&w, "a.wild.sec.test.", TW_DNS_T_TXT, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);

	/* the same expansion without the proof that a.wild did not exist */
	struct ts_msg *bare = msg("b.wild.sec.test.", TW_DNS_T_TXT, 0);
	assert_int_equal(ts_msg_add_expanded(bare, TW_DNS_SEC_AN, w.leaf, "*.wild.sec.test.",
					     TW_DNS_T_TXT, "b.wild.sec.test."),
			 0);
	put(&w, "b.wild.sec.test.", TW_DNS_T_TXT, bare);
	EXPECT(&w, "b.wild.sec.test.", TW_DNS_T_TXT, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_NSEC_MISSING);
	world_free(&w);
}

static void test_wildcard_expansion_needs_its_proof_nsec(void **state)
{
	(void)state;
	wildcard_case(&nsec13);
}

static void test_wildcard_expansion_needs_its_proof_nsec3(void **state)
{
	(void)state;
	wildcard_case(&nsec3_13);
}

/* ---- denial ---- */

static void nxdomain_case(const struct leaf_opts *o)
{
	struct world w;
	world_make(&w, o);
	char ab[TW_DNS_NAME_STRLEN];
	struct ts_msg *m = msg("nope.sec.test.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_NS, w.leaf, apex_of(w.leaf, ab), TW_DNS_T_SOA), 0);
	if (o->nsec3) {
		assert_int_equal(ts_msg_add_nsec_matching(m, w.leaf, "sec.test."), 0);
		assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "nope.sec.test."), 0);
		assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "*.sec.test."), 0);
	} else {
		assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "nope.sec.test."), 0);
		assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "*.sec.test."), 0);
	}
	put(&w, "nope.sec.test.", TW_DNS_T_A, m);
	EXPECT(&w, "nope.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NXDOMAIN, TW_EDE_NONE);

	/* without the wildcard's proof */
	struct ts_msg *half = msg("nope2.sec.test.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_rrset(half, TW_DNS_SEC_NS, w.leaf, apex_of(w.leaf, ab), TW_DNS_T_SOA), 0);
	if (o->nsec3)
		assert_int_equal(ts_msg_add_nsec_matching(half, w.leaf, "sec.test."), 0);
	assert_int_equal(ts_msg_add_nsec_covering(half, w.leaf, "nope2.sec.test."), 0);
	put(&w, "nope2.sec.test.", TW_DNS_T_A, half);
	/* (with NSEC the record covering nope2 may also cover the wildcard) */
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "nope2.sec.test.", TW_DNS_T_A, &q);
	if (r->verdict != TW_VAL_SECURE) {
		assert_int_equal(r->verdict, TW_VAL_BOGUS);
		assert_int_equal(r->ede, TW_EDE_NSEC_MISSING);
	}
	tw_val_query_free(q);

	/* no proof at all */
	struct ts_msg *none = msg("nope3.sec.test.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_rrset(none, TW_DNS_SEC_NS, w.leaf, apex_of(w.leaf, ab), TW_DNS_T_SOA), 0);
	put(&w, "nope3.sec.test.", TW_DNS_T_A, none);
	EXPECT(&w, "nope3.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_NSEC_MISSING);
	world_free(&w);
}

static void test_nxdomain_nsec(void **state)
{
	(void)state;
	nxdomain_case(&nsec13);
}

static void test_nxdomain_nsec3(void **state)
{
	(void)state;
	nxdomain_case(&nsec3_13);
}

static void test_nodata_and_empty_non_terminal(void **state)
{
	(void)state;
	for (int n3 = 0; n3 < 2; n3++) {
		struct world w;
		world_make(&w, n3 ? &nsec3_13 : &nsec13);
		put(&w, "www.sec.test.", TW_DNS_T_AAAA, nodata(w.leaf, "www.sec.test.", TW_DNS_T_AAAA));
		EXPECT(&w, "www.sec.test.", TW_DNS_T_AAAA, TW_VAL_SECURE, TW_DNS_R_NOERROR,
		       TW_EDE_NONE);
		/* the NSEC for www lists A: it cannot deny A */
		put(&w, "www.sec.test.", TW_DNS_T_A, nodata(w.leaf, "www.sec.test.", TW_DNS_T_A));
		EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
		       TW_EDE_NSEC_MISSING);
		/* ent.sec.test. exists only as an empty non-terminal */
		char ab[TW_DNS_NAME_STRLEN];
		struct ts_msg *m = msg("ent.sec.test.", TW_DNS_T_A, 0);
		assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_NS, w.leaf, apex_of(w.leaf, ab), TW_DNS_T_SOA), 0);
		if (n3)
			assert_int_equal(ts_msg_add_nsec_matching(m, w.leaf, "ent.sec.test."), 0);
		else
			assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "ent.sec.test."), 0);
		put(&w, "ent.sec.test.", TW_DNS_T_A, m);
		EXPECT(&w, "ent.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
		world_free(&w);
	}
}

static void test_nsec3_optout_span_is_insecure(void **state)
{
	(void)state;
	struct world w;
	struct leaf_opts o = nsec3_13;
	o.optout = true;
	world_make(&w, &o);
	/* island.sec.test. is an unsigned delegation inside an opt-out span */
	char ab[TW_DNS_NAME_STRLEN];
	struct ts_msg *ds = msg("island.sec.test.", TW_DNS_T_DS, 0);
	assert_int_equal(ts_msg_add_rrset(ds, TW_DNS_SEC_NS, w.leaf, apex_of(w.leaf, ab), TW_DNS_T_SOA), 0);
	assert_int_equal(ts_msg_add_nsec_matching(ds, w.leaf, "sec.test."), 0);
	assert_int_equal(ts_msg_add_nsec_covering(ds, w.leaf, "island.sec.test."), 0);
	put(&w, "island.sec.test.", TW_DNS_T_DS, ds);
	struct ts_msg *m = msg("www.island.sec.test.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AN, "www.island.sec.test. 300 IN A 192.0.2.77"), 0);
	put(&w, "www.island.sec.test.", TW_DNS_T_A, m);
	EXPECT(&w, "www.island.sec.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR,
	       TW_EDE_NONE);
	world_free(&w);
}

static void test_nsec3_iterations_above_limit_are_insecure_ede27(void **state)
{
	(void)state;
	struct world w;
	struct leaf_opts o = nsec3_13;
	o.iterations = 200;
	world_make(&w, &o);
	put(&w, "www.sec.test.", TW_DNS_T_AAAA, nodata(w.leaf, "www.sec.test.", TW_DNS_T_AAAA));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_AAAA, TW_VAL_INSECURE, TW_DNS_R_NOERROR,
	       TW_EDE_UNSUPPORTED_NSEC3_ITERATIONS);
	/* positive answers in the zone stay secure */
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	world_free(&w);
}

/* ---- broken signatures and chains ---- */

static void test_expired_signature_is_bogus_ede7(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_sign_rrset(w.leaf, "www.sec.test.", TW_DNS_T_A, w.leaf_zsk,
					    w.now - 20 * DAY, w.now - DAY, true),
			 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_SIGNATURE_EXPIRED);
	world_free(&w);
}

static void test_signature_within_clock_skew_is_accepted(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	/* expired 100 s ago: inside the default 300 s skew */
	assert_int_equal(ts_zone_sign_rrset(w.leaf, "www.sec.test.", TW_DNS_T_A, w.leaf_zsk,
					    w.now - 20 * DAY, w.now - 100, true),
			 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_SECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	tw_val_conf_limits(w.conf)->clock_skew = 0;
	tw_val_keystore_mem_flush(w.ks);
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_SIGNATURE_EXPIRED);
	world_free(&w);
}

static void test_not_yet_valid_signature_is_bogus_ede8(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_sign_rrset(w.leaf, "www.sec.test.", TW_DNS_T_A, w.leaf_zsk,
					    w.now + DAY, w.now + 20 * DAY, true),
			 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_SIGNATURE_NOT_YET_VALID);
	world_free(&w);
}

static void test_corrupted_signature_is_bogus_ede6(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_corrupt_sig(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_DNSSEC_BOGUS);
	world_free(&w);
}

static void test_missing_rrsig_is_bogus_ede10(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_remove_sigs(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	put(&w, "www.sec.test.", TW_DNS_T_DS, nodata(w.leaf, "www.sec.test.", TW_DNS_T_DS));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_RRSIGS_MISSING);
	world_free(&w);
}

static void test_ds_matching_no_dnskey_is_bogus_ede9(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	/* the parent publishes the DS of a key the child never had */
	struct ts_key *other = ts_key_new(13, 257);
	assert_int_equal(ts_zone_remove(w.tld, "sec.test.", TW_DNS_T_DS), 0);
	assert_int_equal(ts_zone_add_ds(w.tld, "sec.test.", other, 2), 0);
	assert_int_equal(ts_zone_sign(w.tld, w.now - DAY, w.now + 30 * DAY), 0);
	put(&w, "sec.test.", TW_DNS_T_DS, positive(w.tld, "sec.test.", TW_DNS_T_DS));
	put(&w, "test.", TW_DNS_T_DNSKEY, positive(w.tld, "test.", TW_DNS_T_DNSKEY));
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_DNSKEY_MISSING);
	ts_key_free(other);
	world_free(&w);
}

static void test_missing_dnskey_set_is_bogus_ede9(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	put(&w, "sec.test.", TW_DNS_T_DNSKEY, nodata(w.leaf, "sec.test.", TW_DNS_T_DNSKEY));
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_DNSKEY_MISSING);
	world_free(&w);
}

static void test_unsupported_algorithm_is_insecure_ede1(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 5 });
	/* a policy without RSASHA1 (RFC 8624 lets validators drop it) */
	tw_val_conf_policy(w.conf)->alg_enabled &= ~(1u << 5);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR,
	       TW_EDE_UNSUPPORTED_DNSKEY_ALG);
	world_free(&w);
}

static void test_unsupported_ds_digest_is_insecure_ede2(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13, .ds_digest = 4 });
	tw_val_conf_policy(w.conf)->digest_enabled &= (uint8_t)~(1u << 4);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR,
	       TW_EDE_UNSUPPORTED_DS_DIGEST);
	world_free(&w);
}

/* ---- defences ---- */

static void test_keytrap_zone_is_bogus_within_the_budget(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	/* 30 DNSKEYs sharing the ZSK's tag, 30 RRSIGs with that tag, none valid */
	uint16_t tag = ts_key_tag(w.leaf_zsk);
	for (int i = 0; i < 30; i++) {
		struct ts_key *fake = ts_key_forge_tag(w.leaf_zsk, tag);
		assert_non_null(fake);
		uint16_t len;
		const uint8_t *rd = ts_key_dnskey(fake, &len);
		assert_int_equal(ts_zone_add_rr(w.leaf, ts_zone_origin(w.leaf), TW_DNS_T_DNSKEY, 3600,
						rd, len),
				 0);
		ts_key_free(fake);
	}
	assert_int_equal(ts_zone_sign(w.leaf, w.now - DAY, w.now + 30 * DAY), 0);
	assert_int_equal(ts_zone_remove_sigs(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	for (int i = 0; i < 30; i++) {
		struct ts_sig_opts o;
		ts_sig_opts_init(&o, w.now - DAY - (uint32_t)i, w.now + 30 * DAY);
		o.key_tag = tag; /* made by another key: never verifies */
		assert_int_equal(ts_zone_sign_rrset_opts(w.leaf, "www.sec.test.", TW_DNS_T_A,
							 w.leaf_ksk, &o, false),
				 0);
	}
	add_signed_zone_to_farm(&w, w.tld, w.leaf);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, &q);
	assert_int_equal(r->verdict, TW_VAL_BOGUS);
	assert_int_equal(r->rcode, TW_DNS_R_SERVFAIL);
	const struct tw_val_limits *lim = tw_val_conf_limits(w.conf);
	assert_true(r->stats.verifications <= lim->max_verifications);
	assert_true(r->stats.failed <= lim->max_failed);
	assert_true(r->stats.limit_failed + r->stats.limit_collision + r->stats.limit_verify > 0);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_upstream_budget_ends_the_query(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	tw_val_conf_limits(w.conf)->max_upstream = 2;
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, &q);
	assert_int_equal(r->verdict, TW_VAL_BOGUS);
	assert_int_equal(r->stats.limit_upstream, 1);
	assert_true(r->stats.upstream <= 2);
	tw_val_query_free(q);
	world_free(&w);
}

/* ---- policy, the clock and the farm ---- */

static void test_checking_disabled_passes_the_answer_unchecked(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_corrupt_sig(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	uint8_t n[TW_DNS_NAME_MAXLEN];
	ts_name("www.sec.test.", n);
	struct tw_val_query *q = tw_val_query_new(w.conf, w.ks, n, TW_DNS_T_A, 1, true);
	const struct tw_val_result *r = drive(&w, q);
	assert_int_equal(r->verdict, TW_VAL_UNCHECKED);
	assert_int_equal(r->rcode, TW_DNS_R_NOERROR);
	assert_int_equal(r->stats.verifications, 0);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_negative_trust_anchor_makes_bogus_insecure(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_corrupt_sig(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	uint8_t n[TW_DNS_NAME_MAXLEN];
	ts_name("sec.test.", n);
	assert_int_equal(tw_val_conf_add_nta(w.conf, n, w.now + 3600), 0);
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_INSECURE, TW_DNS_R_NOERROR, TW_EDE_NONE);
	world_free(&w);
}

static void test_expired_negative_trust_anchor_is_ignored(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	assert_int_equal(ts_zone_corrupt_sig(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	uint8_t n[TW_DNS_NAME_MAXLEN];
	ts_name("sec.test.", n);
	assert_int_equal(tw_val_conf_add_nta(w.conf, n, w.now - 1), 0);
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL,
	       TW_EDE_DNSSEC_BOGUS);
	world_free(&w);
}

static void test_farm_silence_is_indeterminate_servfail(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_INDETERMINATE, TW_DNS_R_SERVFAIL,
	       TW_EDE_NO_REACHABLE_AUTHORITY);
	world_free(&w);
}

static void test_malformed_upstream_answer_is_refused_not_trusted(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	uint8_t n[TW_DNS_NAME_MAXLEN];
	ts_name("www.sec.test.", n);
	struct tw_val_query *q = tw_val_query_new(w.conf, w.ks, n, TW_DNS_T_A, 1, false);
	assert_int_equal(tw_val_query_run(q, w.now), TW_VAL_NEED_UPSTREAM);
	const uint8_t *name;
	uint16_t type;
	assert_true(tw_val_query_next_upstream(q, &name, &type));
	static const uint8_t junk[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 'w' };
	assert_true(tw_val_query_answer_upstream(q, name, type, junk, sizeof(junk)) < 0);
	assert_int_equal(tw_val_query_run(q, w.now), TW_VAL_DONE);
	assert_int_equal(tw_val_query_result(q)->verdict, TW_VAL_INDETERMINATE);
	assert_int_equal(tw_val_query_result(q)->rcode, TW_DNS_R_SERVFAIL);
	/* an answer to a question never asked is refused */
	assert_int_equal(tw_val_query_answer_upstream(q, name, TW_DNS_T_MX, junk, sizeof(junk)),
			 -TW_ENOENT);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_name_without_anchor_is_indeterminate(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec13);
	tw_val_conf_free(w.conf);
	w.conf = tw_val_conf_new();
	uint8_t other[TW_DNS_NAME_MAXLEN];
	ts_name("example.", other);
	uint8_t ds[4 + 32] = { 0x12, 0x34, 13, 2 };
	assert_int_equal(tw_val_conf_add_anchor(w.conf, other, TW_DNS_T_DS, ds, sizeof(ds)), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	EXPECT(&w, "www.sec.test.", TW_DNS_T_A, TW_VAL_INDETERMINATE, TW_DNS_R_NOERROR,
	       TW_EDE_NONE);
	world_free(&w);
}

static void test_anchor_file_errors_name_the_line(void **state)
{
	(void)state;
	struct tw_val_conf *c = tw_val_conf_new();
	char err[256];
	const char *good = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
	assert_int_equal(tw_val_conf_load_anchors(c, good, strlen(good), "root.ds", err, sizeof(err)), 1);
	assert_int_equal(tw_val_conf_anchor_zones(c), 1);
	const char *bad = "; comment\n. IN A 192.0.2.1\n";
	assert_int_equal(tw_val_conf_load_anchors(c, bad, strlen(bad), "bad.txt", err, sizeof(err)),
			 -TW_EINVAL);
	assert_non_null(strstr(err, "bad.txt:2"));
	const char *empty = "; nothing\n";
	assert_int_equal(tw_val_conf_load_anchors(c, empty, strlen(empty), "empty.txt", err,
						  sizeof(err)),
			 -TW_ENOENT);
	assert_non_null(strstr(err, "empty.txt"));
	const char *syntax = ". IN DS 20326 8 2 XYZ\n";
	assert_true(tw_val_conf_load_anchors(c, syntax, strlen(syntax), "syn.txt", err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "syn.txt:1"));
	tw_val_conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positive_answer_every_algorithm_is_secure),
		cmocka_unit_test(test_ttl_is_capped_at_signature_expiration),
		cmocka_unit_test(test_second_query_reuses_validated_keys),
		cmocka_unit_test(test_cname_within_the_zone_is_secure),
		cmocka_unit_test(test_cname_into_unsigned_zone_is_insecure),
		cmocka_unit_test(test_unsigned_answer_below_unsigned_delegation_is_insecure),
		cmocka_unit_test(test_dname_synthesis_is_secure),
		cmocka_unit_test(test_referral_shaped_answers),
		cmocka_unit_test(test_wildcard_expansion_needs_its_proof_nsec),
		cmocka_unit_test(test_wildcard_expansion_needs_its_proof_nsec3),
		cmocka_unit_test(test_nxdomain_nsec),
		cmocka_unit_test(test_nxdomain_nsec3),
		cmocka_unit_test(test_nodata_and_empty_non_terminal),
		cmocka_unit_test(test_nsec3_optout_span_is_insecure),
		cmocka_unit_test(test_nsec3_iterations_above_limit_are_insecure_ede27),
		cmocka_unit_test(test_expired_signature_is_bogus_ede7),
		cmocka_unit_test(test_signature_within_clock_skew_is_accepted),
		cmocka_unit_test(test_not_yet_valid_signature_is_bogus_ede8),
		cmocka_unit_test(test_corrupted_signature_is_bogus_ede6),
		cmocka_unit_test(test_missing_rrsig_is_bogus_ede10),
		cmocka_unit_test(test_ds_matching_no_dnskey_is_bogus_ede9),
		cmocka_unit_test(test_missing_dnskey_set_is_bogus_ede9),
		cmocka_unit_test(test_unsupported_algorithm_is_insecure_ede1),
		cmocka_unit_test(test_unsupported_ds_digest_is_insecure_ede2),
		cmocka_unit_test(test_keytrap_zone_is_bogus_within_the_budget),
		cmocka_unit_test(test_upstream_budget_ends_the_query),
		cmocka_unit_test(test_checking_disabled_passes_the_answer_unchecked),
		cmocka_unit_test(test_negative_trust_anchor_makes_bogus_insecure),
		cmocka_unit_test(test_expired_negative_trust_anchor_is_ignored),
		cmocka_unit_test(test_farm_silence_is_indeterminate_servfail),
		cmocka_unit_test(test_malformed_upstream_answer_is_refused_not_trusted),
		cmocka_unit_test(test_name_without_anchor_is_indeterminate),
		cmocka_unit_test(test_anchor_file_errors_name_the_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
