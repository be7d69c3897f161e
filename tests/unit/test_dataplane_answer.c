/* The client's answer (dataplane/answer.h): real signed farm answers (tests/lib/
 * tsign.h) judged by the real engine, then the answer built for clients with and
 * without EDNS, DO, AD and CD, parsed back and checked field by field; the
 * engine-less answers (SERVFAIL, REFUSED, BADVERS, FORMERR); and random farm
 * messages and result fields under ASan/UBSan. */
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
#include "crypto/validator.h"
#include "crypto/verify.h"
#include "dataplane/answer.h"
#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/wire.h"
#include "tests/lib/tsign.h"

#define DAY 86400u
#define SERVER_SIZE 1400 /* not the farm's 1232, so the OPT we write is told apart */

static struct tw_answer_scratch scratch;

/* ---- a farm of canned answers, driven as the validator's tests drive it ---- */

struct canned {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint16_t type;
	struct ts_msg *m;
};

struct world {
	uint32_t now;
	struct ts_zone *root, *tld, *leaf;
	struct ts_key *leaf_zsk;
	struct tw_val_conf *conf;
	struct tw_val_keystore *ks;
	struct tw_crypto_verifier *v;
	struct canned farm[64];
	unsigned nfarm;
};

static void put(struct world *w, const char *name, uint16_t type, struct ts_msg *m)
{
	assert_true(w->nfarm < 64);
	struct canned *c = &w->farm[w->nfarm++];
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

/* Runs the engine on (qname, qtype) to its verdict; the caller frees *out. */
static const struct tw_val_result *ask(struct world *w, const char *qname, uint16_t qtype,
				       bool cd, struct tw_val_query **out)
{
	uint8_t n[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name(qname, n) > 0);
	tw_dns_name_lower(n); /* the worker asks in lower case, answers in the client's */
	struct tw_val_query *q = tw_val_query_new(w->conf, w->ks, n, qtype, TW_DNS_C_IN, cd);
	assert_non_null(q);
	for (int guard = 0; guard < 200; guard++) {
		if (tw_val_query_run(q, w->now) == TW_VAL_DONE) {
			*out = q;
			return tw_val_query_result(q);
		}
		const uint8_t *name;
		uint16_t type;
		while (tw_val_query_next_upstream(q, &name, &type)) {
			struct ts_msg *m = find(w, name, type);
			size_t len = 0;
			const uint8_t *wire = m ? ts_msg_wire(m, &len) : NULL;
			assert_int_equal(tw_val_query_answer_upstream(q, name, type, wire, len), 0);
		}
		tw_val_query_verify_all(q, w->v);
	}
	fail_msg("the query did not finish");
	return NULL;
}

static struct ts_msg *msg(const char *qname, uint16_t qtype, uint16_t rcode)
{
	struct ts_msg *m = ts_msg_new(qname, qtype, rcode);
	assert_non_null(m);
	return m;
}

static struct ts_msg *positive(struct ts_zone *z, const char *owner, uint16_t type)
{
	struct ts_msg *m = msg(owner, type, TW_DNS_R_NOERROR);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, owner, type), 0);
	return m;
}

static void add_zone_keys(struct world *w, struct ts_zone *parent, struct ts_zone *z,
			  const char *apex)
{
	put(w, apex, TW_DNS_T_DNSKEY, positive(z, apex, TW_DNS_T_DNSKEY));
	if (parent)
		put(w, apex, TW_DNS_T_DS, positive(parent, apex, TW_DNS_T_DS));
}

#define BIG_TXT 40 /* records in big.sec.test. TXT: some 2.5 KB */

struct leaf_opts {
	uint8_t alg;
	uint32_t expiration; /* 0: now + 30 days */
};

/* . -> test. -> sec.test. (algorithm o->alg, NSEC) and the unsigned delegation
 * unsigned.test., with the keys and DS answers in the farm. */
static void world_make(struct world *w, const struct leaf_opts *o)
{
	memset(w, 0, sizeof(*w));
	w->now = (uint32_t)time(NULL);
	uint32_t inc = w->now - DAY, exp = o->expiration ? o->expiration : w->now + 30 * DAY;

	w->leaf = ts_zone_new("sec.test.");
	assert_non_null(w->leaf);
	static const char *leaf_lines[] = {
		"@ 3600 IN SOA ns.sec.test. admin.sec.test. 1 3600 900 604800 300",
		"@ 3600 IN NS ns.sec.test.",
		"ns 3600 IN A 192.0.2.53",
		"www 3600 IN A 192.0.2.1",
		"alias 3600 IN CNAME www.sec.test.",
	};
	for (size_t i = 0; i < sizeof(leaf_lines) / sizeof(leaf_lines[0]); i++)
		assert_int_equal(ts_zone_add(w->leaf, leaf_lines[i]), 0);
	for (int i = 0; i < BIG_TXT; i++) {
		char line[128];
		snprintf(line, sizeof(line),
			 "big 3600 IN TXT \"record %02d of a set too large for 512 octets\"", i);
		assert_int_equal(ts_zone_add(w->leaf, line), 0);
	}
	struct ts_key *ksk = ts_key_new(o->alg, 257), *zsk = ts_key_new(o->alg, 256);
	assert_non_null(ksk);
	assert_non_null(zsk);
	ts_zone_add_key(w->leaf, ksk, true, false);
	ts_zone_add_key(w->leaf, zsk, false, true);
	w->leaf_zsk = zsk;
	assert_int_equal(ts_zone_nsec(w->leaf), 0);
	assert_int_equal(ts_zone_sign(w->leaf, inc, exp), 0);

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
	assert_int_equal(ts_zone_add_ds(w->tld, "sec.test.", ksk, 2), 0);
	struct ts_key *tk = ts_key_new(13, 257), *tz = ts_key_new(13, 256);
	ts_zone_add_key(w->tld, tk, true, false);
	ts_zone_add_key(w->tld, tz, false, true);
	assert_int_equal(ts_zone_nsec(w->tld), 0);
	assert_int_equal(ts_zone_sign(w->tld, inc, w->now + 30 * DAY), 0);

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
	assert_non_null(w->conf);
	uint8_t root[1] = { 0 }, ds[128];
	int dl = ts_key_ds(rk, root, 2, ds, sizeof(ds));
	assert_true(dl > 0);
	assert_int_equal(tw_val_conf_add_anchor(w->conf, root, TW_DNS_T_DS, ds, (uint16_t)dl), 0);
	w->ks = tw_val_keystore_mem_new(64);
	w->v = tw_crypto_verifier_new();
	assert_non_null(w->ks);
	assert_non_null(w->v);

	add_zone_keys(w, NULL, w->root, ".");
	add_zone_keys(w, w->root, w->tld, "test.");
	add_zone_keys(w, w->tld, w->leaf, "sec.test.");
	/* unsigned.test.: NODATA for its DS (the NSEC at the cut) */
	struct ts_msg *m = msg("unsigned.test.", TW_DNS_T_DS, TW_DNS_R_NOERROR);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_NS, w->tld, "test.", TW_DNS_T_SOA), 0);
	assert_int_equal(ts_msg_add_nsec_matching(m, w->tld, "unsigned.test."), 0);
	put(w, "unsigned.test.", TW_DNS_T_DS, m);
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

/* ---- clients ---- */

struct client {
	bool edns;
	uint16_t udp;
	bool dnssec_ok, ad, cd, rd;
	uint8_t version;
	uint16_t opcode;
};

#define C_PLAIN ((struct client){ .rd = true })
#define C_EDNS ((struct client){ .edns = true, .udp = 1232, .rd = true })
#define C_DO ((struct client){ .edns = true, .udp = 1232, .dnssec_ok = true, .rd = true })

/* The client's query on the wire, parsed, turned into a struct tw_answer_query. */
static void make_query(struct tw_answer_query *aq, const char *qname, uint16_t qtype,
		       uint16_t qclass, struct client cl)
{
	uint8_t wire[512], name[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name(qname, name) > 0);
	uint16_t flags = (uint16_t)((cl.opcode & 0xF) << 11);
	if (cl.rd)
		flags |= TW_DNS_F_RD;
	if (cl.ad)
		flags |= TW_DNS_F_AD;
	if (cl.cd)
		flags |= TW_DNS_F_CD;
	struct tw_dns_build b;
	assert_int_equal(tw_dns_build_init(&b, wire, sizeof(wire), sizeof(wire), 0xBEEF, flags,
					   cl.edns ? TW_DNS_OPT_FIXED_LEN : 0),
			 0);
	assert_int_equal(tw_dns_build_question(&b, name, qtype, qclass), 0);
	if (cl.edns)
		assert_int_equal(tw_dns_build_opt(&b, cl.udp, cl.dnssec_ok ? TW_DNS_EDNS_DO : 0, 0,
						  TW_EDE_NONE, NULL, 0),
				 0);
	size_t len = tw_dns_build_finish(&b);
	if (cl.edns && cl.version)
		wire[len - 11 + 6] = cl.version; /* OPT TTL: ext-rcode, VERSION, flags */
	struct tw_dns_msg q;
	struct tw_dns_rr rr[4];
	assert_int_equal(tw_dns_msg_parse(&q, wire, len, rr, 4), 0);
	assert_int_equal(tw_answer_query_from_msg(&q, aq), 0);
}

/* ---- answers, parsed back ---- */

struct answer {
	uint8_t buf[65536];
	size_t len;
	struct tw_dns_msg m;
	struct tw_dns_rr rr[1024];
};

/* Checks what every answer to aq has: its ID, QR, RA, no AA, its opcode, RD and
 * CD, and the question exactly as the client wrote it. */
static void check_common(const struct answer *a, const struct tw_answer_query *aq)
{
	assert_int_equal(a->m.id, aq->id);
	assert_true(a->m.flags & TW_DNS_F_QR);
	assert_true(a->m.flags & TW_DNS_F_RA);
	assert_false(a->m.flags & TW_DNS_F_AA);
	assert_int_equal(TW_DNS_OPCODE(a->m.flags), aq->opcode);
	assert_int_equal(!!(a->m.flags & TW_DNS_F_RD), aq->rd);
	assert_int_equal(!!(a->m.flags & TW_DNS_F_CD), aq->cd);
	assert_int_equal(a->m.qdcount, 1);
	assert_int_equal(a->m.qname_len, aq->qname_len);
	assert_memory_equal(a->m.wire + a->m.qname, aq->qname, aq->qname_len); /* case too */
	assert_int_equal(a->m.qtype, aq->qtype);
	assert_int_equal(a->m.qclass, aq->qclass);
	assert_int_equal(a->m.has_opt, aq->edns);
	if (aq->edns) {
		assert_int_equal(a->m.udp_size, SERVER_SIZE);
		assert_int_equal(a->m.edns_version, 0);
		/* RFC 3225 §3: DO echoed */
		assert_int_equal(!!(a->m.edns_flags & TW_DNS_EDNS_DO), aq->dnssec_ok);
	}
}

static void parse_answer(struct answer *a, size_t cap)
{
	assert_true(a->len >= TW_DNS_HDR_LEN && a->len <= cap);
	assert_int_equal(tw_dns_msg_parse(&a->m, a->buf, a->len, a->rr, 1024), 0);
}

static void build(struct answer *a, const struct tw_answer_query *aq,
		  const struct tw_val_result *r, const struct tw_dns_msg *farm,
		  const uint32_t *ttls)
{
	a->len = tw_answer_build(aq, r, farm, ttls, SERVER_SIZE, a->buf, sizeof(a->buf), &scratch);
	parse_answer(a, sizeof(a->buf));
	assert_true(a->len <= tw_answer_size_limit(aq, SERVER_SIZE));
	check_common(a, aq);
}

static unsigned count(const struct answer *a, enum tw_dns_section sec, uint16_t type)
{
	unsigned n = 0;
	for (unsigned i = 0; i < a->m.rr_count; i++)
		if (a->m.rr[i].section == sec && a->m.rr[i].type == type)
			n++;
	return n;
}

static unsigned count_all(const struct answer *a, uint16_t type)
{
	return count(a, TW_DNS_SEC_AN, type) + count(a, TW_DNS_SEC_NS, type) +
	       count(a, TW_DNS_SEC_AR, type);
}

/* The EDE text of the answer as a C string. */
static const char *ede_text(const struct answer *a, char *buf)
{
	assert_true(a->m.has_ede);
	memcpy(buf, a->m.wire + a->m.ede_text, a->m.ede_text_len);
	buf[a->m.ede_text_len] = 0;
	return buf;
}

static void check_no_ede(const struct answer *a)
{
	assert_false(a->m.has_ede);
}

/* ---- the query ---- */

static void test_query_keeps_case_flags_and_edns(void **state)
{
	(void)state;
	struct tw_answer_query aq;
	make_query(&aq, "wWw.ExAmPlE.", TW_DNS_T_AAAA, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 4096, .dnssec_ok = true, .ad = true,
				    .cd = true, .rd = true });
	uint8_t want[TW_DNS_NAME_MAXLEN];
	int wl = ts_name("wWw.ExAmPlE.", want);
	assert_int_equal(aq.qname_len, wl);
	assert_memory_equal(aq.qname, want, (size_t)wl);
	assert_int_equal(aq.id, 0xBEEF);
	assert_int_equal(aq.qtype, TW_DNS_T_AAAA);
	assert_int_equal(aq.qclass, TW_DNS_C_IN);
	assert_true(aq.rd && aq.cd && aq.ad && aq.edns && aq.dnssec_ok);
	assert_int_equal(aq.udp_size, 4096);
	assert_int_equal(aq.opcode, 0);
	assert_int_equal(aq.variant, TW_CACHE_PKT_DO | TW_CACHE_PKT_CD | TW_CACHE_PKT_AD |
					     TW_CACHE_PKT_RD | TW_CACHE_PKT_EDNS | TW_CACHE_PKT_BIG);

	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, (struct client){ .opcode = 2 });
	assert_false(aq.rd || aq.cd || aq.ad || aq.edns || aq.dnssec_ok);
	assert_int_equal(aq.opcode, 2);
	assert_int_equal(aq.variant, 0);

	/* a query without a question is not one tw_answer_build answers */
	static const uint8_t noq[12] = { 1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct tw_dns_msg q;
	struct tw_dns_rr rr[2];
	assert_int_equal(tw_dns_msg_parse(&q, noq, sizeof(noq), rr, 2), 0);
	assert_int_equal(tw_answer_query_from_msg(&q, &aq), -TW_EINVAL);
}

static void test_size_limit_follows_rfc6891(void **state)
{
	(void)state;
	struct tw_answer_query aq;
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, C_PLAIN);
	assert_int_equal(tw_answer_size_limit(&aq, 4096), 512);
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, (struct client){ .edns = true, .udp = 100 });
	assert_int_equal(tw_answer_size_limit(&aq, 1232), 512);
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, (struct client){ .edns = true, .udp = 900 });
	assert_int_equal(tw_answer_size_limit(&aq, 1232), 900);
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, (struct client){ .edns = true, .udp = 4096 });
	assert_int_equal(tw_answer_size_limit(&aq, 1232), 1232);
	assert_int_equal(tw_answer_size_limit(&aq, 300), 512);
	/* the packet cache shares an answer across its variant only within the
	 * smallest size any client of the variant takes */
	assert_true(tw_answer_fits_variant(&aq, 1232, 1232));
	assert_false(tw_answer_fits_variant(&aq, 1233, 4096));
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, (struct client){ .edns = true, .udp = 1000 });
	assert_true(tw_answer_fits_variant(&aq, 512, 1232));
	assert_false(tw_answer_fits_variant(&aq, 513, 1232));
}

/* ---- verdicts ---- */

static void test_secure_answer_sets_ad_only_for_do_or_ad_clients(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	assert_non_null(farm);

	static const struct {
		struct client cl;
		bool ad;
	} cases[] = {
		{ { .rd = true }, false },
		{ { .edns = true, .udp = 1232 }, false },
		{ { .ad = true }, true },           /* RFC 6840 §5.7: AD in the query */
		{ { .edns = true, .udp = 512, .ad = true }, true },
		{ { .edns = true, .udp = 1232, .dnssec_ok = true }, true },
		{ { .edns = true, .udp = 4096, .dnssec_ok = true, .ad = true, .rd = true }, true },
	};
	static struct answer a;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tw_answer_query aq;
		make_query(&aq, "WwW.sEc.TeSt.", TW_DNS_T_A, TW_DNS_C_IN, cases[i].cl);
		build(&a, &aq, r, farm, ttls);
		assert_int_equal(!!(a.m.flags & TW_DNS_F_AD), cases[i].ad);
		assert_false(a.m.flags & TW_DNS_F_TC);
		assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NOERROR);
		assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_A), 1);
		/* RRSIGs only for DO */
		assert_int_equal(count_all(&a, TW_DNS_T_RRSIG), cases[i].cl.dnssec_ok ? 1 : 0);
		check_no_ede(&a);
	}
	tw_val_query_free(q);
	world_free(&w);
}

static void test_insecure_and_unchecked_never_set_ad(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	struct ts_msg *m = msg("www.unsigned.test.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AN, "www.unsigned.test. 300 IN A 192.0.2.9"), 0);
	put(&w, "www.unsigned.test.", TW_DNS_T_A, m);
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.unsigned.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_INSECURE);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	static struct answer a;
	struct tw_answer_query aq;
	make_query(&aq, "www.UNSIGNED.test.", TW_DNS_T_A, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 1232, .dnssec_ok = true, .ad = true });
	build(&a, &aq, r, farm, ttls);
	assert_false(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_A), 1);
	check_no_ede(&a);
	tw_val_query_free(q);

	/* CD: a broken signature passed through unvalidated, CD echoed, no AD even
	 * for a client asking for it, RRSIG kept for DO */
	assert_int_equal(ts_zone_corrupt_sig(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	r = ask(&w, "www.sec.test.", TW_DNS_T_A, true, &q);
	assert_int_equal(r->verdict, TW_VAL_UNCHECKED);
	farm = tw_val_query_answer(q, &ttls);
	make_query(&aq, "wWw.sec.test.", TW_DNS_T_A, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 1232, .dnssec_ok = true, .ad = true,
				    .cd = true, .rd = true });
	build(&a, &aq, r, farm, ttls);
	assert_true(a.m.flags & TW_DNS_F_CD);
	assert_false(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NOERROR);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_A), 1);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_RRSIG), 1);
	/* UNCHECKED without the engine's TTLs: the farm's own */
	build(&a, &aq, r, farm, NULL);
	assert_int_equal(a.rr[0].ttl, 3600);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_nxdomain_keeps_rcode_and_strips_nsec_without_do(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	struct ts_msg *m = msg("nope.sec.test.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_NS, w.leaf, "sec.test.", TW_DNS_T_SOA), 0);
	assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "nope.sec.test."), 0);
	assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "*.sec.test."), 0);
	put(&w, "nope.sec.test.", TW_DNS_T_A, m);
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "nope.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	assert_int_equal(r->rcode, TW_DNS_R_NXDOMAIN);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	unsigned farm_nsec = 0;
	for (unsigned i = 0; i < farm->rr_count; i++)
		farm_nsec += farm->rr[i].type == TW_DNS_T_NSEC;
	assert_true(farm_nsec >= 1);

	static struct answer a;
	struct tw_answer_query aq;
	make_query(&aq, "NoPe.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_EDNS);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NXDOMAIN);
	assert_false(a.m.flags & TW_DNS_F_AD);
	/* RFC 4035 §3.2.1: the SOA stays, the proof goes */
	assert_int_equal(count(&a, TW_DNS_SEC_NS, TW_DNS_T_SOA), 1);
	assert_int_equal(count_all(&a, TW_DNS_T_NSEC), 0);
	assert_int_equal(count_all(&a, TW_DNS_T_RRSIG), 0);

	make_query(&aq, "NoPe.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_DO);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NXDOMAIN);
	assert_true(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(count(&a, TW_DNS_SEC_NS, TW_DNS_T_SOA), 1);
	assert_int_equal(count(&a, TW_DNS_SEC_NS, TW_DNS_T_NSEC), farm_nsec);
	assert_int_equal(count(&a, TW_DNS_SEC_NS, TW_DNS_T_RRSIG), 1 + farm_nsec);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_dnssec_types_asked_for_stay_without_do(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	/* DNSKEY: the keys are the answer; their RRSIGs are not without DO */
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "sec.test.", TW_DNS_T_DNSKEY, false, &q);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	static struct answer a;
	struct tw_answer_query aq;
	make_query(&aq, "SEC.test.", TW_DNS_T_DNSKEY, TW_DNS_C_IN, C_PLAIN);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_DNSKEY), 2);
	assert_int_equal(count_all(&a, TW_DNS_T_RRSIG), 0);
	tw_val_query_free(q);

	/* qtype RRSIG, asked with CD by a client without EDNS: the RRSIGs are the
	 * answer (RFC 4035 §3.2.1, "explicitly requested") */
	struct ts_msg *m = msg("www.sec.test.", TW_DNS_T_RRSIG, 0);
	assert_int_equal(ts_msg_add_sigs(m, TW_DNS_SEC_AN, w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_RRSIG, m);
	r = ask(&w, "www.sec.test.", TW_DNS_T_RRSIG, true, &q);
	assert_int_equal(r->verdict, TW_VAL_UNCHECKED);
	farm = tw_val_query_answer(q, &ttls);
	make_query(&aq, "www.sec.test.", TW_DNS_T_RRSIG, TW_DNS_C_IN,
		   (struct client){ .cd = true, .rd = true });
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_RRSIG), 1);
	assert_false(a.m.flags & TW_DNS_F_AD);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_ttls_are_the_ones_given(void **state)
{
	(void)state;
	struct world w;
	/* signatures expire in 1000 s: the engine caps the 3600 s TTLs below that */
	world_make(&w, &(struct leaf_opts){ .alg = 13,
					    .expiration = (uint32_t)time(NULL) + 1000 });
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_SECURE);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	static struct answer a;
	struct tw_answer_query aq;
	make_query(&aq, "www.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_DO);
	build(&a, &aq, r, farm, ttls);
	unsigned k = 0;
	for (unsigned i = 0; i < farm->rr_count; i++) {
		if (farm->rr[i].type == TW_DNS_T_OPT)
			continue;
		assert_true(ttls[i] <= 1000);
		assert_int_equal(farm->rr[i].ttl, 3600);
		assert_int_equal(a.rr[k].type, farm->rr[i].type);
		assert_int_equal(a.rr[k].ttl, ttls[i]);
		k++;
	}
	assert_int_equal(k, 2); /* A and its RRSIG */

	/* any TTLs: each record gets its own; above 2^31-1 is 0 (RFC 2181 §8) */
	uint32_t mine[8];
	for (unsigned i = 0; i < farm->rr_count; i++)
		mine[i] = 100 + i;
	mine[0] = 0x80000000u;
	build(&a, &aq, r, farm, mine);
	k = 0;
	for (unsigned i = 0; i < farm->rr_count; i++)
		if (farm->rr[i].type != TW_DNS_T_OPT)
			assert_int_equal(a.rr[k++].ttl, i == 0 ? 0 : mine[i]);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_bogus_is_servfail_with_ede_and_reason(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	assert_int_equal(ts_zone_corrupt_sig(w.leaf, "www.sec.test.", TW_DNS_T_A), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_BOGUS);
	assert_int_equal(r->ede, TW_EDE_DNSSEC_BOGUS);
	assert_true(strlen(r->reason) > 0 && strlen(r->reason) <= TW_ANSWER_EDE_TEXT_MAX);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	assert_non_null(farm); /* the farm's records are there, and must not go out */

	static struct answer a;
	char text[TW_ANSWER_EDE_TEXT_MAX + 1];
	struct tw_answer_query aq;
	make_query(&aq, "www.SEC.test.", TW_DNS_T_A, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 1232, .dnssec_ok = true, .ad = true });
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	assert_false(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(a.m.ancount, 0);
	assert_int_equal(a.m.nscount, 0);
	assert_int_equal(a.m.arcount, 1); /* OPT only */
	assert_int_equal(a.m.ede_code, TW_EDE_DNSSEC_BOGUS);
	assert_string_equal(ede_text(&a, text), r->reason);

	/* without EDNS: the same SERVFAIL, no OPT, so no EDE (RFC 8914 §2) */
	make_query(&aq, "www.SEC.test.", TW_DNS_T_A, TW_DNS_C_IN, C_PLAIN);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	assert_int_equal(a.m.ancount + a.m.nscount + a.m.arcount, 0);
	check_no_ede(&a);
	tw_val_query_free(q);
	world_free(&w);

	/* an expired signature: EDE 7 */
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	assert_int_equal(ts_zone_sign_rrset(w.leaf, "www.sec.test.", TW_DNS_T_A, w.leaf_zsk,
					    w.now - 20 * DAY, w.now - DAY, true),
			 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_BOGUS);
	make_query(&aq, "www.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_EDNS);
	build(&a, &aq, r, tw_val_query_answer(q, &ttls), ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	assert_int_equal(a.m.ede_code, TW_EDE_SIGNATURE_EXPIRED);
	assert_string_equal(ede_text(&a, text), r->reason);
	assert_int_equal(a.m.ancount, 0);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_insecure_unsupported_algorithm_carries_ede1(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 5 });
	/* a policy without RSASHA1 (RFC 8624): the zone counts as unsigned */
	tw_val_conf_policy(w.conf)->alg_enabled &= ~(1u << 5);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_INSECURE);
	assert_int_equal(r->ede, TW_EDE_UNSUPPORTED_DNSKEY_ALG);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	static struct answer a;
	char text[TW_ANSWER_EDE_TEXT_MAX + 1];
	struct tw_answer_query aq;
	make_query(&aq, "www.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_DO);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NOERROR);
	assert_false(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_A), 1);
	assert_int_equal(a.m.ede_code, TW_EDE_UNSUPPORTED_DNSKEY_ALG);
	assert_string_equal(ede_text(&a, text), r->reason);

	make_query(&aq, "www.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_PLAIN);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_A), 1);
	assert_int_equal(a.m.arcount, 0);
	check_no_ede(&a);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_indeterminate_answers(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	/* the farm is silent: no message at all, SERVFAIL with EDE 22 */
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_INDETERMINATE);
	const uint32_t *ttls = NULL;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	assert_null(farm);
	static struct answer a;
	char text[TW_ANSWER_EDE_TEXT_MAX + 1];
	struct tw_answer_query aq;
	make_query(&aq, "www.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_DO);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	assert_int_equal(a.m.ancount + a.m.nscount, 0);
	assert_int_equal(a.m.ede_code, TW_EDE_NO_REACHABLE_AUTHORITY);
	assert_string_equal(ede_text(&a, text), r->reason);
	tw_val_query_free(q);

	/* no trust anchor above the name (RFC 4035 §4.3): the farm's answer goes
	 * out as the engine's rcode says, without AD */
	tw_val_conf_free(w.conf);
	w.conf = tw_val_conf_new();
	uint8_t other[TW_DNS_NAME_MAXLEN], ds[4 + 32] = { 0x12, 0x34, 13, 2 };
	ts_name("example.", other);
	assert_int_equal(tw_val_conf_add_anchor(w.conf, other, TW_DNS_T_DS, ds, sizeof(ds)), 0);
	put(&w, "www.sec.test.", TW_DNS_T_A, positive(w.leaf, "www.sec.test.", TW_DNS_T_A));
	r = ask(&w, "www.sec.test.", TW_DNS_T_A, false, &q);
	assert_int_equal(r->verdict, TW_VAL_INDETERMINATE);
	assert_int_equal(r->rcode, TW_DNS_R_NOERROR);
	farm = tw_val_query_answer(q, &ttls);
	build(&a, &aq, r, farm, ttls);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NOERROR);
	assert_false(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_A), 1);
	check_no_ede(&a);
	/* the same verdict with no message to show is SERVFAIL, never an empty
	 * NOERROR */
	build(&a, &aq, r, NULL, NULL);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	assert_int_equal(a.m.ancount, 0);
	tw_val_query_free(q);
	world_free(&w);
}

static void test_truncated_answer_keeps_question_opt_and_ede(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 5 });
	tw_val_conf_policy(w.conf)->alg_enabled &= ~(1u << 5);
	struct ts_msg *m = positive(w.leaf, "big.sec.test.", TW_DNS_T_TXT);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AR, "ns.sec.test. 300 IN A 192.0.2.53"), 0);
	put(&w, "big.sec.test.", TW_DNS_T_TXT, m);
	struct tw_val_query *q;
	const struct tw_val_result *r = ask(&w, "big.sec.test.", TW_DNS_T_TXT, false, &q);
	assert_int_equal(r->verdict, TW_VAL_INSECURE);
	assert_int_equal(r->ede, TW_EDE_UNSUPPORTED_DNSKEY_ALG);
	const uint32_t *ttls;
	const struct tw_dns_msg *farm = tw_val_query_answer(q, &ttls);
	assert_true(farm->len > 1400);
	static struct answer a;
	char text[TW_ANSWER_EDE_TEXT_MAX + 1];
	struct tw_answer_query aq;

	/* EDNS 512 */
	make_query(&aq, "BIG.sec.test.", TW_DNS_T_TXT, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 512, .dnssec_ok = true });
	build(&a, &aq, r, farm, ttls);
	assert_true(a.len <= 512);
	assert_true(a.m.flags & TW_DNS_F_TC);
	assert_true(a.m.ancount < BIG_TXT);
	assert_int_equal(a.m.arcount, 1); /* the OPT record; no glue after TC */
	assert_int_equal(a.m.ede_code, TW_EDE_UNSUPPORTED_DNSKEY_ALG);
	assert_string_equal(ede_text(&a, text), r->reason);

	/* EDNS 4096: our 1400 is the limit */
	make_query(&aq, "BIG.sec.test.", TW_DNS_T_TXT, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 4096 });
	build(&a, &aq, r, farm, ttls);
	assert_true(a.len <= SERVER_SIZE && a.len > 1000);
	assert_true(a.m.flags & TW_DNS_F_TC);
	assert_int_equal(a.m.ede_code, TW_EDE_UNSUPPORTED_DNSKEY_ALG);

	/* no EDNS: 512, no OPT */
	make_query(&aq, "BIG.sec.test.", TW_DNS_T_TXT, TW_DNS_C_IN, C_PLAIN);
	build(&a, &aq, r, farm, ttls);
	assert_true(a.len <= 512);
	assert_true(a.m.flags & TW_DNS_F_TC);
	assert_int_equal(a.m.arcount, 0);

	/* a server and client that take 4096: everything fits, no TC */
	make_query(&aq, "BIG.sec.test.", TW_DNS_T_TXT, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 4096, .dnssec_ok = true });
	a.len = tw_answer_build(&aq, r, farm, ttls, 4096, a.buf, sizeof(a.buf), &scratch);
	parse_answer(&a, 4096);
	assert_false(a.m.flags & TW_DNS_F_TC);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_TXT), BIG_TXT);
	assert_int_equal(count(&a, TW_DNS_SEC_AN, TW_DNS_T_RRSIG), 1);
	assert_int_equal(count(&a, TW_DNS_SEC_AR, TW_DNS_T_A), 1);
	assert_int_equal(a.m.ede_code, TW_EDE_UNSUPPORTED_DNSKEY_ALG);

	/* an output buffer smaller than the client's size is the limit too */
	a.len = tw_answer_build(&aq, r, farm, ttls, 4096, a.buf, 700, &scratch);
	parse_answer(&a, 700);
	assert_true(a.m.flags & TW_DNS_F_TC);
	assert_int_equal(a.m.ede_code, TW_EDE_UNSUPPORTED_DNSKEY_ALG);
	tw_val_query_free(q);
	world_free(&w);
}

/* ---- results made by hand ---- */

static void result(struct tw_val_result *r, enum tw_val_verdict v, uint16_t rcode, uint16_t ede,
		   const char *reason)
{
	memset(r, 0, sizeof(*r));
	r->verdict = v;
	r->rcode = rcode;
	r->ede = ede;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	r->ttl = 60;
}

static bool valid_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned len = s[i] < 0x80 ? 1 : (s[i] & 0xE0) == 0xC0 ? 2 : (s[i] & 0xF0) == 0xE0 ? 3
			       : (s[i] & 0xF8) == 0xF0 ? 4 : 0;
		if (!len || i + len > n)
			return false;
		for (unsigned k = 1; k < len; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

static void test_ede_text_is_cut_whole_and_made_utf8(void **state)
{
	(void)state;
	static struct answer a;
	char text[TW_ANSWER_EDE_TEXT_MAX + 1];
	struct tw_answer_query aq;
	make_query(&aq, "www.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_EDNS);
	struct tw_val_result r;

	/* "a" and 127 two-octet "é": the 200-octet cut falls inside one */
	char reason[TW_VAL_REASON_LEN] = "a";
	for (int i = 0; i < 127; i++)
		strcat(reason, "\xc3\xa9");
	result(&r, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL, TW_EDE_DNSSEC_BOGUS, reason);
	build(&a, &aq, &r, NULL, NULL);
	assert_int_equal(a.m.ede_text_len, 199);
	assert_true(valid_utf8(a.m.wire + a.m.ede_text, a.m.ede_text_len));
	assert_memory_equal(a.m.wire + a.m.ede_text, reason, 199);

	/* octets that are not UTF-8 become '?' (a lone continuation, an overlong
	 * form, a sequence cut short at the end) */
	result(&r, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL, TW_EDE_DNSSEC_BOGUS,
	       "bad\xff \x80 \xc0\xaf ok \xe2\x82\xac \xe2\x82");
	build(&a, &aq, &r, NULL, NULL);
	assert_string_equal(ede_text(&a, text), "bad? ? ?? ok \xe2\x82\xac ??");

	/* a reason without its NUL is read no further than the array */
	memset(r.reason, 'x', sizeof(r.reason));
	build(&a, &aq, &r, NULL, NULL);
	assert_int_equal(a.m.ede_text_len, TW_ANSWER_EDE_TEXT_MAX);

	/* a small output buffer: the text is cut to fit (whole sequences), then
	 * given up with the EDE, then the OPT record; the question goes last */
	result(&r, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL, TW_EDE_DNSSEC_BOGUS, reason);
	const size_t base = 12 + aq.qname_len + 4; /* header and question: 30 */
	a.len = tw_answer_build(&aq, &r, NULL, NULL, SERVER_SIZE, a.buf, base + 11 + 6 + 20,
				&scratch);
	parse_answer(&a, base + 11 + 6 + 20);
	assert_int_equal(a.m.ede_code, TW_EDE_DNSSEC_BOGUS);
	assert_int_equal(a.m.ede_text_len, 19); /* "a" and 9 "é" */
	a.len = tw_answer_build(&aq, &r, NULL, NULL, SERVER_SIZE, a.buf, base + 11 + 6, &scratch);
	parse_answer(&a, base + 17);
	assert_int_equal(a.m.ede_code, TW_EDE_DNSSEC_BOGUS);
	assert_int_equal(a.m.ede_text_len, 0);
	a.len = tw_answer_build(&aq, &r, NULL, NULL, SERVER_SIZE, a.buf, base + 11, &scratch);
	parse_answer(&a, base + 11);
	assert_true(a.m.has_opt);
	check_no_ede(&a);
	a.len = tw_answer_build(&aq, &r, NULL, NULL, SERVER_SIZE, a.buf, base, &scratch);
	parse_answer(&a, base);
	assert_false(a.m.has_opt);
	assert_int_equal(a.m.qdcount, 1);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	a.len = tw_answer_build(&aq, &r, NULL, NULL, SERVER_SIZE, a.buf, 12, &scratch);
	parse_answer(&a, 12);
	assert_int_equal(a.m.qdcount, 0);
	assert_int_equal(a.m.id, aq.id);
	assert_int_equal(tw_answer_build(&aq, &r, NULL, NULL, SERVER_SIZE, a.buf, 11, &scratch),
			 0);
}

static void test_extended_rcode_needs_edns(void **state)
{
	(void)state;
	static struct answer a;
	struct tw_answer_query aq;
	struct tw_val_result r;
	/* the farm's BADCOOKIE (23) passed through for a CD client */
	result(&r, TW_VAL_UNCHECKED, 23, TW_EDE_NONE, "");
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 1232, .cd = true });
	static const uint8_t farm_wire[] = { 0, 1, 0x81, 0x90, 0, 1, 0, 0, 0, 0, 0, 0,
					     1, 'a', 0, 0, 1, 0, 1 };
	struct tw_dns_msg farm;
	struct tw_dns_rr rr[2];
	assert_int_equal(tw_dns_msg_parse(&farm, farm_wire, sizeof(farm_wire), rr, 2), 0);
	build(&a, &aq, &r, &farm, NULL);
	assert_int_equal(tw_dns_msg_rcode(&a.m), 23);
	assert_int_equal(TW_DNS_RCODE(a.m.flags), 23 & 0xF);
	/* without EDNS the lower bits alone would say NXDOMAIN: SERVFAIL instead */
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN, (struct client){ .cd = true });
	build(&a, &aq, &r, &farm, NULL);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
}

/* A farm answer whose names are compressed with pointers into a TTL field and
 * into RDATA: the answer must carry the same names with our own TTLs, i.e. no
 * pointer of ours may lead into anything we rewrote. */
static void test_farm_names_pointing_into_ttls_are_rewritten(void **state)
{
	(void)state;
	/* x. A 192.0.2.7 with TTL 0x01610000 (octets 01 'a' 00 00: the name "a.")
	 * a. CNAME b.a.   owner -> that TTL, target "b" + pointer -> that TTL */
	uint8_t wire[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,
		/* 12: question x. A IN */
		1, 'x', 0, 0, 1, 0, 1,
		/* 19: x. A IN TTL RDLENGTH 4 */
		0xC0, 12, 0, 1, 0, 1, 0x01, 'a', 0x00, 0x00, 0, 4, 192, 0, 2, 7,
		/* 35: a. (-> 25) CNAME IN TTL 300 RDLENGTH 4: 1 'b' -> 25 */
		0xC0, 25, 0, 5, 0, 1, 0, 0, 1, 44, 0, 4, 1, 'b', 0xC0, 25,
	};
	struct tw_dns_msg farm;
	struct tw_dns_rr rr[4];
	assert_int_equal(tw_dns_msg_parse(&farm, wire, sizeof(wire), rr, 4), 0);
	assert_int_equal(farm.rr[0].ttl, 0x01610000u);

	static struct answer a;
	struct tw_answer_query aq;
	make_query(&aq, "X.", TW_DNS_T_A, TW_DNS_C_IN, C_EDNS);
	struct tw_val_result r;
	result(&r, TW_VAL_INSECURE, TW_DNS_R_NOERROR, TW_EDE_NONE, "");
	const uint32_t ttls[2] = { 60, 70 };
	build(&a, &aq, &r, &farm, ttls);
	assert_int_equal(a.m.ancount, 2);
	uint8_t name[TW_DNS_NAME_MAXLEN], want[TW_DNS_NAME_MAXLEN];
	size_t nlen;
	assert_int_equal(tw_dns_name_unpack(a.m.wire, a.m.len, a.rr[0].owner, name, &nlen, NULL), 0);
	assert_int_equal(ts_name("x.", want), (int)nlen);
	assert_memory_equal(name, want, nlen); /* lower case, as the farm wrote it */
	assert_int_equal(a.rr[0].ttl, 60);
	assert_int_equal(a.rr[1].type, TW_DNS_T_CNAME);
	assert_int_equal(a.rr[1].ttl, 70);
	assert_int_equal(tw_dns_name_unpack(a.m.wire, a.m.len, a.rr[1].owner, name, &nlen, NULL), 0);
	assert_int_equal(ts_name("a.", want), (int)nlen);
	assert_memory_equal(name, want, nlen);
	assert_int_equal(tw_dns_name_unpack(a.m.wire, a.m.len, a.rr[1].rdata, name, &nlen, NULL), 0);
	assert_int_equal(ts_name("b.a.", want), (int)nlen);
	assert_memory_equal(name, want, nlen);
	/* the farm's message is untouched */
	assert_int_equal(wire[25], 0x01);
}

/* ---- answers made without the engine ---- */

static void test_servfail_refused_and_badvers(void **state)
{
	(void)state;
	static struct answer a;
	char text[TW_ANSWER_EDE_TEXT_MAX + 1];
	struct tw_answer_query aq;

	/* pending table full: SERVFAIL, EDE 0 with text */
	make_query(&aq, "WWW.sec.test.", TW_DNS_T_A, TW_DNS_C_IN, C_DO);
	a.len = tw_answer_servfail(&aq, TW_DNS_R_SERVFAIL, TW_EDE_OTHER, "pending table full",
				   SERVER_SIZE, a.buf, sizeof(a.buf));
	parse_answer(&a, sizeof(a.buf));
	check_common(&a, &aq);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_SERVFAIL);
	assert_false(a.m.flags & TW_DNS_F_AD);
	assert_int_equal(a.m.ancount + a.m.nscount, 0);
	assert_int_equal(a.m.ede_code, TW_EDE_OTHER);
	assert_string_equal(ede_text(&a, text), "pending table full");

	/* CHAOS class without EDNS: REFUSED, no OPT */
	make_query(&aq, "version.bind.", TW_DNS_T_TXT, TW_DNS_C_CH, C_PLAIN);
	a.len = tw_answer_servfail(&aq, TW_DNS_R_REFUSED, TW_EDE_NOT_SUPPORTED, "class",
				   SERVER_SIZE, a.buf, sizeof(a.buf));
	parse_answer(&a, sizeof(a.buf));
	check_common(&a, &aq);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_REFUSED);
	assert_int_equal(a.m.arcount, 0);

	/* EDNS version 1: BADVERS (16) in the OPT record, lower bits 0 in the header */
	make_query(&aq, "a.", TW_DNS_T_A, TW_DNS_C_IN,
		   (struct client){ .edns = true, .udp = 1232, .version = 1 });
	assert_int_equal(aq.edns_version, 1);
	a.len = tw_answer_servfail(&aq, TW_DNS_R_BADVERS, TW_EDE_NONE, NULL, SERVER_SIZE, a.buf,
				   sizeof(a.buf));
	parse_answer(&a, sizeof(a.buf));
	check_common(&a, &aq);
	assert_int_equal(TW_DNS_RCODE(a.m.flags), 0);
	assert_int_equal(a.m.ext_rcode, 1);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_BADVERS);
	check_no_ede(&a);

	/* NOTIFY (opcode 4): NOTIMP, opcode echoed */
	make_query(&aq, "a.", TW_DNS_T_SOA, TW_DNS_C_IN, (struct client){ .opcode = 4 });
	a.len = tw_answer_servfail(&aq, TW_DNS_R_NOTIMP, TW_EDE_NONE, NULL, SERVER_SIZE, a.buf,
				   sizeof(a.buf));
	parse_answer(&a, sizeof(a.buf));
	check_common(&a, &aq);
	assert_int_equal(TW_DNS_OPCODE(a.m.flags), 4);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_NOTIMP);
}

static void test_formerr_echoes_what_it_can(void **state)
{
	(void)state;
	static struct answer a;
	/* a question, then an answer count the message does not hold */
	const uint8_t q1[] = { 0xAB, 0xCD, 0x01, 0x10, 0, 1, 0, 1, 0, 0, 0, 0,
			       3, 'W', 'w', 'W', 0, 0, 28, 0, 1 };
	struct tw_dns_msg m;
	struct tw_dns_rr rr[4];
	assert_true(tw_dns_msg_parse(&m, q1, sizeof(q1), rr, 4) < 0);
	a.len = tw_answer_formerr(q1, sizeof(q1), a.buf, sizeof(a.buf));
	parse_answer(&a, 512);
	assert_int_equal(a.m.id, 0xABCD);
	assert_true(a.m.flags & TW_DNS_F_QR);
	assert_true(a.m.flags & TW_DNS_F_RD);
	assert_true(a.m.flags & TW_DNS_F_CD);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_FORMERR);
	assert_int_equal(a.m.qdcount, 1);
	assert_memory_equal(a.m.wire + a.m.qname, q1 + 12, 5);
	assert_int_equal(a.m.qtype, 28);
	assert_int_equal(a.m.ancount + a.m.nscount + a.m.arcount, 0);

	/* two questions (RFC 9619): FORMERR without a question */
	uint8_t q2[sizeof(q1)];
	memcpy(q2, q1, sizeof(q1));
	q2[5] = 2;
	a.len = tw_answer_formerr(q2, sizeof(q2), a.buf, sizeof(a.buf));
	parse_answer(&a, 512);
	assert_int_equal(a.m.qdcount, 0);
	assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_FORMERR);

	/* a question cut short: the header alone */
	a.len = tw_answer_formerr(q1, 19, a.buf, sizeof(a.buf));
	parse_answer(&a, 512);
	assert_int_equal(a.m.qdcount, 0);
	assert_int_equal(a.m.id, 0xABCD);

	/* no header: nothing to answer */
	assert_int_equal(tw_answer_formerr(q1, 11, a.buf, sizeof(a.buf)), 0);
	assert_int_equal(tw_answer_formerr(q1, sizeof(q1), a.buf, 11), 0);
	/* room for the header only */
	a.len = tw_answer_formerr(q1, sizeof(q1), a.buf, 12);
	parse_answer(&a, 12);
	assert_int_equal(a.m.qdcount, 0);
}

/* ---- robustness ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from the seed printed on failure */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32);
}

struct seed {
	uint8_t wire[4096];
	size_t len;
};

static void seed_from(struct seed *s, struct ts_msg *m)
{
	size_t len;
	const uint8_t *wire = ts_msg_wire(m, &len);
	assert_non_null(wire);
	assert_true(len <= sizeof(s->wire));
	memcpy(s->wire, wire, len);
	s->len = len;
}

static void test_random_farm_messages_and_results_always_give_a_parseable_answer(void **state)
{
	(void)state;
	/* seeds: real signed answers (positive, NXDOMAIN with NSEC, DNSKEY) and a
	 * message with names pointing into a TTL */
	struct world w;
	world_make(&w, &(struct leaf_opts){ .alg = 13 });
	static struct seed seeds[5];
	struct ts_msg *m = positive(w.leaf, "www.sec.test.", TW_DNS_T_A);
	seed_from(&seeds[0], m);
	ts_msg_free(m);
	m = msg("nope.sec.test.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_NS, w.leaf, "sec.test.", TW_DNS_T_SOA), 0);
	assert_int_equal(ts_msg_add_nsec_covering(m, w.leaf, "nope.sec.test."), 0);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AR, "ns.sec.test. 300 IN A 192.0.2.53"), 0);
	seed_from(&seeds[1], m);
	ts_msg_free(m);
	m = positive(w.leaf, "sec.test.", TW_DNS_T_DNSKEY);
	seed_from(&seeds[2], m);
	ts_msg_free(m);
	m = positive(w.leaf, "alias.sec.test.", TW_DNS_T_CNAME);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_AN, "www.sec.test. 300 IN MX 10 mail.sec.test."), 0);
	seed_from(&seeds[3], m);
	ts_msg_free(m);
	static const uint8_t ttlname[] = {
		0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0, 1, 'x', 0, 0, 1, 0, 1,
		0xC0, 12, 0, 1, 0, 1, 0x01, 'a', 0x00, 0x00, 0, 4, 192, 0, 2, 7,
		0xC0, 25, 0, 5, 0, 1, 0, 0, 1, 44, 0, 4, 1, 'b', 0xC0, 25,
	};
	memcpy(seeds[4].wire, ttlname, sizeof(ttlname));
	seeds[4].len = sizeof(ttlname);
	world_free(&w);

	static const size_t caps[] = { 0, 5, 11, 12, 20, 40, 64, 300, 512, 700, 1232, 4096, 65536 };
	static const uint16_t servers[] = { 0, 100, 512, 1232, 1400, 4096, 65535 };
	static uint8_t fuzz[4096];
	static struct tw_dns_rr frr[256];
	static struct answer a;
	static uint32_t ttls[256];
	unsigned parsed = 0, built = 0;
	print_message("seed %#llx\n", (unsigned long long)rng_state);
	for (int iter = 0; iter < 40000; iter++) {
		/* the farm's message: a seed with a few octets changed, or noise */
		size_t flen;
		if (rnd() % 8 == 0) {
			flen = rnd() % 600;
			for (size_t i = 0; i < flen; i++)
				fuzz[i] = (uint8_t)rnd();
		} else {
			const struct seed *s = &seeds[rnd() % 5];
			memcpy(fuzz, s->wire, s->len);
			flen = s->len;
			for (unsigned k = 1 + rnd() % 6; k-- > 0;)
				fuzz[rnd() % flen] ^= (uint8_t)(1u << (rnd() % 8));
			if (rnd() % 4 == 0)
				flen -= rnd() % (flen / 4 + 1);
		}
		struct tw_dns_msg farm;
		bool have_farm = tw_dns_msg_parse(&farm, fuzz, flen, frr, 256) == 0;
		parsed += have_farm;

		/* the client's query: noise in the flags, EDNS and question */
		struct tw_answer_query aq;
		static const char *names[] = { "a.", "WwW.sEc.TeSt.", "x.y.z.example.",
					       "nope.sec.test." };
		make_query(&aq, names[rnd() % 4], (uint16_t)(rnd() % 4 ? 1 : rnd()),
			   (uint16_t)(rnd() % 8 ? 1 : rnd()),
			   (struct client){ .edns = rnd() & 1, .udp = (uint16_t)rnd(),
					    .dnssec_ok = rnd() & 1, .ad = rnd() & 1,
					    .cd = rnd() & 1, .rd = rnd() & 1,
					    .version = (uint8_t)(rnd() % 4 ? 0 : rnd()),
					    .opcode = (uint16_t)(rnd() % 4 ? 0 : rnd()) });

		/* the engine's result: any field any value */
		struct tw_val_result r;
		memset(&r, 0, sizeof(r));
		r.verdict = (enum tw_val_verdict)(rnd() % 6);
		r.rcode = (uint16_t)(rnd() % 2 ? rnd() % 6 : rnd());
		r.ede = (uint16_t)(rnd() % 3 ? TW_EDE_NONE : rnd() % 2 ? rnd() % 30 : rnd());
		size_t rl = rnd() % (sizeof(r.reason) + 1);
		for (size_t i = 0; i < rl; i++)
			r.reason[i] = (char)(rnd() % 3 ? 'a' + rnd() % 26 : rnd());
		const uint32_t *t = NULL;
		if (have_farm && rnd() % 2) {
			for (unsigned i = 0; i < farm.rr_count; i++)
				ttls[i] = rnd();
			t = ttls;
		}
		size_t cap = caps[rnd() % (sizeof(caps) / sizeof(caps[0]))];
		uint16_t server = servers[rnd() % (sizeof(servers) / sizeof(servers[0]))];

		a.len = tw_answer_build(&aq, &r, have_farm ? &farm : NULL, t, server, a.buf, cap,
					&scratch);
		if (cap < 12) {
			assert_int_equal(a.len, 0);
		} else {
			parse_answer(&a, cap);
			assert_true(a.len <= tw_answer_size_limit(&aq, server));
			assert_int_equal(a.m.id, aq.id);
			assert_true(a.m.flags & TW_DNS_F_QR);
			if (cap >= 512) {
				/* 512 octets always hold the question and the OPT with EDE */
				assert_int_equal(a.m.qdcount, 1);
				assert_int_equal(a.m.has_opt, aq.edns);
				assert_memory_equal(a.m.wire + a.m.qname, aq.qname, aq.qname_len);
			}
			if (r.verdict == TW_VAL_BOGUS || !have_farm) {
				assert_int_equal(a.m.ancount + a.m.nscount, 0);
				assert_false(a.m.flags & TW_DNS_F_AD);
			}
			if (a.m.flags & TW_DNS_F_AD)
				assert_int_equal(r.verdict, TW_VAL_SECURE);
			if (!aq.edns)
				assert_false(a.m.has_opt);
			if (a.m.has_ede)
				assert_true(valid_utf8(a.m.wire + a.m.ede_text, a.m.ede_text_len));
			built++;
		}

		/* the same noise as a query that did not parse */
		size_t flen2 = tw_answer_formerr(fuzz, flen, a.buf, cap);
		if (flen >= 12 && cap >= 12) {
			a.len = flen2;
			parse_answer(&a, cap < 512 ? cap : 512);
			assert_int_equal(tw_dns_msg_rcode(&a.m), TW_DNS_R_FORMERR);
		} else {
			assert_int_equal(flen2, 0);
		}
	}
	print_message("%u farm messages parsed, %u answers built\n", parsed, built);
	assert_true(parsed > 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_keeps_case_flags_and_edns),
		cmocka_unit_test(test_size_limit_follows_rfc6891),
		cmocka_unit_test(test_secure_answer_sets_ad_only_for_do_or_ad_clients),
		cmocka_unit_test(test_insecure_and_unchecked_never_set_ad),
		cmocka_unit_test(test_nxdomain_keeps_rcode_and_strips_nsec_without_do),
		cmocka_unit_test(test_dnssec_types_asked_for_stay_without_do),
		cmocka_unit_test(test_ttls_are_the_ones_given),
		cmocka_unit_test(test_bogus_is_servfail_with_ede_and_reason),
		cmocka_unit_test(test_insecure_unsupported_algorithm_carries_ede1),
		cmocka_unit_test(test_indeterminate_answers),
		cmocka_unit_test(test_truncated_answer_keeps_question_opt_and_ede),
		cmocka_unit_test(test_ede_text_is_cut_whole_and_made_utf8),
		cmocka_unit_test(test_extended_rcode_needs_edns),
		cmocka_unit_test(test_farm_names_pointing_into_ttls_are_rewritten),
		cmocka_unit_test(test_servfail_refused_and_badvers),
		cmocka_unit_test(test_formerr_echoes_what_it_can),
		cmocka_unit_test(test_random_farm_messages_and_results_always_give_a_parseable_answer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
