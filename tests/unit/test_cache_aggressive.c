/* Aggressive use of the validated cache (RFC 8198) through cache/cache.h: answers
 * of a zone signed in process (tests/lib/tsign.h) are validated by the engine,
 * stored with tw_cache_insert_validated(), and names never asked are then
 * answered from the NSEC/NSEC3 ranges learnt, or refused where the proof does
 * not allow it (no covering range, delegations, opt-out, iterations, missing
 * SOA, expiry). */
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
#include "crypto/verify.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "tests/lib/tsign.h"

struct world {
	uint32_t now;
	struct ts_zone *z;
	struct tw_val_conf *vconf;
	struct tw_crypto_verifier *v;
	struct tw_cache *c;
	struct tw_cache_thread *t;
};

struct wopts {
	bool nsec3;
	bool optout;
	uint16_t iterations;
	uint16_t cache_max_iterations; /* 0: default */
};

static void world_make(struct world *w, const struct wopts *o)
{
	memset(w, 0, sizeof(*w));
	w->now = (uint32_t)time(NULL);
	w->z = ts_zone_new("sec.test.");
	assert_non_null(w->z);
	static const char *lines[] = {
		"@ 3600 IN SOA ns.sec.test. admin.sec.test. 1 3600 900 604800 300",
		"@ 3600 IN NS ns.sec.test.",
		"ns 3600 IN A 192.0.2.53",
		"www 3600 IN A 192.0.2.1",
		"*.wild 3600 IN TXT \"wild\"",
		"alias 3600 IN CNAME www.sec.test.",
		"x.ent 3600 IN A 192.0.2.2",
		"island 3600 IN NS ns.island.sec.test.",
		"ns.island 3600 IN A 192.0.2.54",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(ts_zone_add(w->z, lines[i]), 0);
	struct ts_key *ksk = ts_key_new(13, 257), *zsk = ts_key_new(13, 256);
	assert_non_null(ksk);
	assert_non_null(zsk);
	ts_zone_add_key(w->z, ksk, true, false);
	ts_zone_add_key(w->z, zsk, false, true);
	if (o->nsec3)
		assert_int_equal(ts_zone_nsec3(w->z, o->iterations, "aabbcc", o->optout), 0);
	else
		assert_int_equal(ts_zone_nsec(w->z), 0);
	assert_int_equal(ts_zone_sign(w->z, w->now - 86400, w->now + 30 * 86400), 0);

	w->vconf = tw_val_conf_new();
	uint8_t apex[TW_DNS_NAME_MAXLEN], ds[128];
	assert_true(ts_name("sec.test.", apex) > 0);
	int dl = ts_key_ds(ksk, apex, 2, ds, sizeof(ds));
	assert_true(dl > 0);
	assert_int_equal(tw_val_conf_add_anchor(w->vconf, apex, TW_DNS_T_DS, ds, (uint16_t)dl), 0);
	w->v = tw_crypto_verifier_new();

	struct tw_cache_conf cc;
	tw_cache_conf_init(&cc);
	if (o->cache_max_iterations)
		cc.nsec3_max_iterations = o->cache_max_iterations;
	char err[128];
	w->c = tw_cache_new(&cc, err, sizeof(err));
	assert_non_null(w->c);
	w->t = tw_cache_thread_register(w->c);
	assert_non_null(w->t);
}

static void world_free(struct world *w)
{
	tw_cache_thread_unregister(w->t);
	tw_cache_free(w->c);
	tw_crypto_verifier_free(w->v);
	tw_val_conf_free(w->vconf);
	ts_zone_free(w->z);
}

/* Asks the zone (qname, qtype) through the engine with the cache as key store,
 * expects the verdict `want` and stores what the answer taught. */
static void learn_as(struct world *w, const char *qname, uint16_t qtype, enum tw_val_verdict want)
{
	uint8_t q[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name(qname, q) > 0);
	struct tw_val_query *vq =
		tw_val_query_new(w->vconf, tw_cache_keystore(w->t), q, qtype, 1, false);
	assert_non_null(vq);
	struct ts_msg *kept[8];
	unsigned nkept = 0;
	for (int guard = 0; tw_val_query_run(vq, w->now) != TW_VAL_DONE; guard++) {
		assert_true(guard < 50);
		const uint8_t *nm;
		uint16_t ty;
		while (tw_val_query_next_upstream(vq, &nm, &ty)) {
			char txt[TW_DNS_NAME_STRLEN];
			tw_dns_name_to_str(nm, txt, sizeof(txt));
			struct ts_msg *m = ts_zone_answer(w->z, txt, ty);
			assert_non_null(m);
			size_t len;
			const uint8_t *wire = ts_msg_wire(m, &len);
			assert_int_equal(tw_val_query_answer_upstream(vq, nm, ty, wire, len), 0);
			assert_true(nkept < 8);
			kept[nkept++] = m;
		}
		tw_val_query_verify_all(vq, w->v);
	}
	const struct tw_val_result *r = tw_val_query_result(vq);
	if (r->verdict != want)
		print_message("%s/%u: %s %s\n", qname, qtype, tw_val_verdict_str(r->verdict), r->reason);
	assert_int_equal(r->verdict, want);
	const uint32_t *ttls;
	const struct tw_dns_msg *m = tw_val_query_answer(vq, &ttls);
	assert_non_null(m);
	assert_true(tw_cache_insert_validated(w->t, r, m, ttls, q, qtype, 1, w->now) >= 0);
	tw_val_query_free(vq);
	for (unsigned i = 0; i < nkept; i++)
		ts_msg_free(kept[i]);
}

static void learn(struct world *w, const char *qname, uint16_t qtype)
{
	learn_as(w, qname, qtype, TW_VAL_SECURE);
}

static bool synth(struct world *w, const char *qname, uint16_t qtype, uint32_t at,
		  struct tw_cache_synth *out)
{
	uint8_t q[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name(qname, q) > 0);
	return tw_cache_synth_lookup(w->t, q, qtype, 1, at, out);
}

/* Types of the authority section of a synthesized answer, in order. */
static unsigned auth_types(const struct tw_cache_synth *s, uint16_t *types)
{
	for (unsigned i = 0; i < s->nauth; i++) {
		types[i] = s->auth[i].type;
		assert_true(s->auth[i].sig_count >= 1); /* every proof travels signed */
		assert_int_equal(s->auth[i].status, TW_CACHE_SECURE);
	}
	return s->nauth;
}

static const struct wopts nsec_zone = { 0 };

/* ---- NSEC ---- */

static void test_nsec_nxdomain_for_a_name_never_asked(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	struct tw_cache_synth s;
	assert_false(synth(&w, "b.sec.test.", TW_DNS_T_A, w.now, &s)); /* nothing learnt */
	learn(&w, "b.sec.test.", TW_DNS_T_A);
	/* c.sec.test. sorts between alias and island, like b: the same ranges */
	assert_true(synth(&w, "c.sec.test.", TW_DNS_T_AAAA, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NXDOMAIN);
	assert_false(s.has_answer);
	uint16_t types[TW_CACHE_SYNTH_MAX] = { 0 };
	unsigned n = auth_types(&s, types);
	assert_true(n == 2 || n == 3);
	assert_int_equal(types[0], TW_DNS_T_SOA);
	assert_int_equal(types[1], TW_DNS_T_NSEC);
	/* RFC 9077: no longer than the SOA's negative TTL (MINIMUM 300) */
	assert_true(s.ttl <= 300 && s.ttl > 290);
	/* and never after it */
	assert_false(synth(&w, "c.sec.test.", TW_DNS_T_A, w.now + 300, &s));
	const struct tw_cache_stats *st = tw_cache_thread_stats(w.t);
	assert_int_equal(st->kind[TW_CACHE_KIND_NEG].hits, 1);
	world_free(&w);
}

static void test_nsec_refuses_names_no_range_covers(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "b.sec.test.", TW_DNS_T_A);
	struct tw_cache_synth s;
	/* zzz sorts after www: the range www -> apex was never seen */
	assert_false(synth(&w, "zzz.sec.test.", TW_DNS_T_A, w.now, &s));
	/* another zone entirely */
	assert_false(synth(&w, "b.other.test.", TW_DNS_T_A, w.now, &s));
	learn(&w, "zzz.sec.test.", TW_DNS_T_A);
	assert_true(synth(&w, "zzzz.sec.test.", TW_DNS_T_A, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NXDOMAIN);
	world_free(&w);
}

static void test_nsec_nodata_and_refusal_when_the_type_exists(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "www.sec.test.", TW_DNS_T_TXT);
	struct tw_cache_synth s;
	assert_true(synth(&w, "www.sec.test.", TW_DNS_T_MX, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NOERROR);
	assert_false(s.has_answer);
	uint16_t types[TW_CACHE_SYNTH_MAX] = { 0 };
	assert_int_equal(auth_types(&s, types), 2);
	assert_int_equal(types[0], TW_DNS_T_SOA);
	assert_int_equal(types[1], TW_DNS_T_NSEC);
	/* A exists at www: not for the negative cache */
	assert_false(synth(&w, "WWW.sec.test.", TW_DNS_T_A, w.now, &s));
	world_free(&w);
}

static void test_nsec_cname_owner_is_never_nodata(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "alias.sec.test.", TW_DNS_T_CNAME);
	learn(&w, "b.sec.test.", TW_DNS_T_A); /* the range at alias */
	struct tw_cache_synth s;
	assert_false(synth(&w, "alias.sec.test.", TW_DNS_T_A, w.now, &s));
	world_free(&w);
}

static void test_nsec_empty_non_terminal_is_nodata(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "ent.sec.test.", TW_DNS_T_A); /* NODATA: the NSEC covering ent */
	struct tw_cache_synth s;
	assert_true(synth(&w, "ent.sec.test.", TW_DNS_T_TXT, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NOERROR); /* exists: never NXDOMAIN */
	world_free(&w);
}

static void test_nsec_nothing_below_a_delegation(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "island.sec.test.", TW_DNS_T_DS); /* NODATA at the cut: NSEC with NS */
	struct tw_cache_synth s;
	/* the parent's NSEC proves no DS ... */
	assert_true(synth(&w, "island.sec.test.", TW_DNS_T_DS, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NOERROR);
	/* ... and nothing else at or below the cut: the child zone answers those */
	assert_false(synth(&w, "island.sec.test.", TW_DNS_T_A, w.now, &s));
	assert_false(synth(&w, "foo.island.sec.test.", TW_DNS_T_A, w.now, &s));
	assert_false(synth(&w, "ns.island.sec.test.", TW_DNS_T_AAAA, w.now, &s));
	world_free(&w);
}

static void test_nsec_wildcard_answers_new_names(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "foo.wild.sec.test.", TW_DNS_T_TXT); /* an expansion with its NSEC */
	struct tw_cache_synth s;
	assert_true(synth(&w, "bar.wild.sec.test.", TW_DNS_T_TXT, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NOERROR);
	assert_true(s.has_answer);
	assert_int_equal(s.answer.type, TW_DNS_T_TXT);
	assert_int_equal(s.answer.count, 1);
	assert_int_equal(s.answer.sig_count, 1);
	uint8_t wild[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name("*.wild.sec.test.", wild) > 0);
	assert_memory_equal(s.answer.owner, wild, tw_dns_name_len(wild));
	uint16_t types[TW_CACHE_SYNTH_MAX] = { 0 };
	assert_int_equal(auth_types(&s, types), 1); /* the NSEC covering bar */
	assert_int_equal(types[0], TW_DNS_T_NSEC);
	/* the NSEC's TTL (the SOA MINIMUM, 300) bounds the expansion's 3600 */
	assert_true(s.ttl <= 300 && s.ttl > 290);
	/* wildcard NODATA needs the zone's SOA, not learnt yet */
	assert_false(synth(&w, "bar.wild.sec.test.", TW_DNS_T_A, w.now, &s));
	learn(&w, "b.sec.test.", TW_DNS_T_A);
	learn(&w, "q.wild.sec.test.", TW_DNS_T_A); /* wildcard NODATA: the NSEC at *.wild */
	assert_true(synth(&w, "bar.wild.sec.test.", TW_DNS_T_A, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NOERROR);
	assert_false(s.has_answer);
	world_free(&w);
}

static void test_flush_zone_forgets_the_ranges(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	learn(&w, "b.sec.test.", TW_DNS_T_A);
	struct tw_cache_synth s;
	assert_true(synth(&w, "c.sec.test.", TW_DNS_T_A, w.now, &s));
	uint8_t apex[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name("sec.test.", apex) > 0);
	assert_true(tw_cache_flush_zone(w.t, apex) >= 2); /* ranges and key facts at least */
	assert_false(synth(&w, "c.sec.test.", TW_DNS_T_A, w.now, &s));
	world_free(&w);
}

/* ---- NSEC3 ---- */

/* Learns NXDOMAIN for n names, then tries n other names: returns how many were
 * synthesized, checking each one's proof shape. */
static unsigned nsec3_round(struct world *w, unsigned n)
{
	char name[64];
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "learn%u.sec.test.", i);
		learn(w, name, TW_DNS_T_A);
	}
	unsigned ok = 0;
	for (unsigned i = 0; i < n; i++) {
		struct tw_cache_synth s;
		snprintf(name, sizeof(name), "new%u.sec.test.", i);
		if (!synth(w, name, TW_DNS_T_A, w->now, &s))
			continue;
		ok++;
		assert_int_equal(s.rcode, TW_DNS_R_NXDOMAIN);
		uint16_t types[TW_CACHE_SYNTH_MAX] = { 0 };
		unsigned k = auth_types(&s, types);
		assert_int_equal(types[0], TW_DNS_T_SOA);
		/* closest encloser, next closer and wildcard: 2 or 3 distinct NSEC3 */
		assert_true(k == 3 || k == 4);
		for (unsigned j = 1; j < k; j++)
			assert_int_equal(types[j], TW_DNS_T_NSEC3);
	}
	return ok;
}

static void test_nsec3_nxdomain_from_learnt_ranges(void **state)
{
	(void)state;
	struct world w;
	struct wopts o = { .nsec3 = true, .iterations = 0 };
	world_make(&w, &o);
	/* the zone has 9 hashed names: 24 denials teach most of the chain */
	unsigned ok = nsec3_round(&w, 24);
	print_message("NSEC3: %u of 24 new names answered from the cache\n", ok);
	assert_true(ok >= 12);
	world_free(&w);
}

static void test_nsec3_nodata_at_an_existing_name(void **state)
{
	(void)state;
	struct world w;
	struct wopts o = { .nsec3 = true, .iterations = 5 };
	world_make(&w, &o);
	learn(&w, "www.sec.test.", TW_DNS_T_TXT);
	struct tw_cache_synth s;
	assert_true(synth(&w, "www.sec.test.", TW_DNS_T_MX, w.now, &s));
	assert_int_equal(s.rcode, TW_DNS_R_NOERROR);
	assert_false(synth(&w, "www.sec.test.", TW_DNS_T_A, w.now, &s));
	world_free(&w);
}

/* Learns the apex and www NODATA and 20 wildcard expansions (each with the NSEC3
 * covering its next closer name), then counts the new names answered NXDOMAIN. */
static unsigned optout_round(bool optout, unsigned *insecure_nx)
{
	struct world w;
	struct wopts o = { .nsec3 = true, .optout = optout };
	world_make(&w, &o);
	char name[64];
	learn(&w, "sec.test.", TW_DNS_T_MX);
	learn(&w, "www.sec.test.", TW_DNS_T_TXT);
	for (unsigned i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "w%u.wild.sec.test.", i);
		learn(&w, name, TW_DNS_T_TXT);
	}
	/* with opt-out an NXDOMAIN is insecure (RFC 5155 §9.2), so it teaches nothing */
	learn_as(&w, "learn0.sec.test.", TW_DNS_T_A, optout ? TW_VAL_INSECURE : TW_VAL_SECURE);
	*insecure_nx = optout;
	assert_true(tw_cache_thread_stats(w.t)->kind[TW_CACHE_KIND_NEG].inserts >= 20);
	unsigned ok = 0;
	struct tw_cache_synth s;
	for (unsigned i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "new%u.sec.test.", i);
		if (synth(&w, name, TW_DNS_T_A, w.now, &s)) {
			assert_int_equal(s.rcode, TW_DNS_R_NXDOMAIN);
			ok++;
		}
	}
	/* NODATA from an exact match stays allowed under opt-out */
	assert_true(synth(&w, "www.sec.test.", TW_DNS_T_MX, w.now, &s));
	world_free(&w);
	return ok;
}

static void test_nsec3_opt_out_span_never_proves_nxdomain(void **state)
{
	(void)state;
	unsigned ins;
	/* the same hashes (same names, salt and iterations) with and without the
	 * opt-out flag: the ranges cover new names in the control, never with opt-out */
	unsigned control = optout_round(false, &ins);
	unsigned optout = optout_round(true, &ins);
	print_message("NXDOMAIN synthesized: %u of 32 without opt-out, %u with\n", control, optout);
	assert_true(control > 0);
	assert_int_equal(optout, 0);
}

static void test_nsec3_iterations_above_the_limit_are_not_used(void **state)
{
	(void)state;
	struct world w;
	struct wopts o = { .nsec3 = true, .iterations = 20, .cache_max_iterations = 10 };
	world_make(&w, &o);
	learn(&w, "b.sec.test.", TW_DNS_T_A);
	struct tw_cache_synth s;
	assert_false(synth(&w, "b.sec.test.", TW_DNS_T_A, w.now, &s));
	assert_int_equal(tw_cache_thread_stats(w.t)->kind[TW_CACHE_KIND_NEG].inserts, 0);
	world_free(&w);
}

static void test_aggressive_use_can_be_turned_off(void **state)
{
	(void)state;
	struct world w;
	world_make(&w, &nsec_zone);
	tw_cache_thread_unregister(w.t);
	tw_cache_free(w.c);
	struct tw_cache_conf cc;
	tw_cache_conf_init(&cc);
	cc.aggressive = false;
	char err[128];
	w.c = tw_cache_new(&cc, err, sizeof(err));
	w.t = tw_cache_thread_register(w.c);
	learn(&w, "b.sec.test.", TW_DNS_T_A);
	struct tw_cache_synth s;
	assert_false(synth(&w, "b.sec.test.", TW_DNS_T_A, w.now, &s));
	assert_int_equal(tw_cache_thread_stats(w.t)->kind[TW_CACHE_KIND_NEG].inserts, 0);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nsec_nxdomain_for_a_name_never_asked),
		cmocka_unit_test(test_nsec_refuses_names_no_range_covers),
		cmocka_unit_test(test_nsec_nodata_and_refusal_when_the_type_exists),
		cmocka_unit_test(test_nsec_cname_owner_is_never_nodata),
		cmocka_unit_test(test_nsec_empty_non_terminal_is_nodata),
		cmocka_unit_test(test_nsec_nothing_below_a_delegation),
		cmocka_unit_test(test_nsec_wildcard_answers_new_names),
		cmocka_unit_test(test_flush_zone_forgets_the_ranges),
		cmocka_unit_test(test_nsec3_nxdomain_from_learnt_ranges),
		cmocka_unit_test(test_nsec3_nodata_at_an_existing_name),
		cmocka_unit_test(test_nsec3_opt_out_span_never_proves_nxdomain),
		cmocka_unit_test(test_nsec3_iterations_above_the_limit_are_not_used),
		cmocka_unit_test(test_aggressive_use_can_be_turned_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
