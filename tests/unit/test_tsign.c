/* Unit tests for tests/lib/tsign: zones signed with every algorithm verify with the
 * project's own verifier, NSEC and NSEC3 chains are closed, sorted and carry the
 * right bitmaps, DS records match their keys, and the breakage helpers break. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/alg.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/sigdata.h"
#include "crypto/verify.h"
#include "dns/codec.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "tests/lib/tsign.h"

#define NOW 1700000000u
#define INCEPTION (NOW - 3600u)
#define EXPIRATION (NOW + 30u * 86400u)
#define MAX_RR 2048
#define MAX_KEYS 8

/* The test zone: apex data, a multi-record set, an empty non-terminal chain
 * (b.c, c), a wildcard, a secure delegation with glue, and two insecure
 * delegations, one under an empty non-terminal (y). */
static const char *const zone_lines[] = {
	"@ 3600 SOA ns1 hostmaster 1 7200 3600 1209600 300",
	"@ NS ns1",
	"@ MX 10 mail",
	"ns1 A 192.0.2.1",
	"mail A 192.0.2.2",
	"www A 192.0.2.3",
	"www A 192.0.2.4",
	"www AAAA 2001:db8::1",
	"a.b.c TXT \"deep\"",
	"*.w TXT \"wild\"",
	"sec NS ns.sec",
	"ns.sec A 192.0.2.10",
	"insec NS ns.insec",
	"ns.insec A 192.0.2.11",
	"x.y NS ns1.example.",
};

static const uint8_t algs[] = { 5, 7, 8, 10, 13, 14, 15, 16 };

struct fx {
	uint8_t alg;
	bool nsec3;
	bool optout;
	struct ts_zone *z;
	struct ts_key *ksk, *zsk; /* owned by z */
	struct ts_key *child;     /* the key the DS at sec. describes */
};

/* A parsed message with its RRsets grouped. */
struct parsed {
	struct tw_dns_msg m;
	struct tw_dns_rr rr[MAX_RR];
	uint16_t next[MAX_RR];
	struct tw_dns_rrset set[MAX_RR];
	size_t nset;
	uint8_t wire[65535];
	size_t len;
};

static struct tw_crypto_policy policy(void)
{
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	return p;
}

static void fx_build(struct fx *f, uint8_t alg, bool nsec3, bool optout)
{
	memset(f, 0, sizeof(*f));
	f->alg = alg;
	f->nsec3 = nsec3;
	f->optout = optout;
	f->z = ts_zone_new("example.");
	assert_non_null(f->z);
	for (size_t i = 0; i < sizeof(zone_lines) / sizeof(zone_lines[0]); i++)
		assert_int_equal(ts_zone_add(f->z, zone_lines[i]), 0);
	f->ksk = ts_key_new(alg, 257);
	f->zsk = ts_key_new(alg, 256);
	f->child = ts_key_new(alg, 257);
	assert_non_null(f->ksk);
	assert_non_null(f->zsk);
	assert_non_null(f->child);
	assert_int_equal(ts_key_alg(f->ksk), alg);
	ts_zone_add_key(f->z, f->ksk, true, false);
	ts_zone_add_key(f->z, f->zsk, false, true);
	assert_int_equal(ts_zone_add_ds(f->z, "sec", f->child, TW_DS_SHA256), 0);
	if (nsec3)
		assert_int_equal(ts_zone_nsec3(f->z, 10, "aabbccdd", optout), 0);
	else
		assert_int_equal(ts_zone_nsec(f->z), 0);
	assert_int_equal(ts_zone_sign(f->z, INCEPTION, EXPIRATION), 0);
}

static void fx_free(struct fx *f)
{
	ts_zone_free(f->z);
	ts_key_free(f->child);
}

static void parse(struct parsed *p, struct ts_msg *m, enum tw_dns_section sec)
{
	size_t len;
	const uint8_t *w = ts_msg_wire(m, &len);
	assert_non_null(w);
	memcpy(p->wire, w, len);
	p->len = len;
	assert_int_equal(tw_dns_msg_parse(&p->m, p->wire, len, p->rr, MAX_RR), 0);
	assert_int_equal(tw_dns_rrsets_group(&p->m, sec, p->set, MAX_RR, p->next, &p->nset), 0);
}

static void set_owner(const struct parsed *p, const struct tw_dns_rrset *s, uint8_t *owner)
{
	assert_int_equal(tw_dns_name_unpack(p->wire, p->len, s->owner, owner, NULL, NULL), 0);
}

static bool owner_is(const uint8_t *owner, const char *text)
{
	uint8_t n[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name(text, n) > 0);
	return tw_dns_name_equal(owner, n);
}

/* The prepared keys of every DNSKEY in the parsed message. */
struct keyring {
	struct tw_crypto_key *k[MAX_KEYS];
	size_t n;
};

static void keyring_load(struct keyring *kr, const struct parsed *p)
{
	struct tw_crypto_policy pol = policy();
	kr->n = 0;
	for (uint16_t i = 0; i < p->m.rr_count; i++) {
		const struct tw_dns_rr *rr = &p->m.rr[i];
		if (rr->type != TW_DNS_T_DNSKEY)
			continue;
		enum tw_key_status st;
		assert_true(kr->n < MAX_KEYS);
		assert_int_equal(tw_crypto_key_new(&pol, p->wire + rr->rdata, rr->rdlen,
						   &kr->k[kr->n], &st),
				 0);
		assert_int_equal(st, TW_KEY_OK);
		kr->n++;
	}
}

static void keyring_free(struct keyring *kr)
{
	for (size_t i = 0; i < kr->n; i++)
		tw_crypto_key_free(kr->k[i]);
	kr->n = 0;
}

/* Verifies the RRSIG at index sig_idx over set s with the keyring key of its tag
 * and algorithm (the first one that verifies when several share the tag). */
static enum tw_crypto_result verify_one(struct tw_crypto_verifier *v, const struct parsed *p,
					const struct tw_dns_rrset *s, uint16_t sig_idx,
					const uint8_t *owner, const struct keyring *kr)
{
	static uint8_t canon[MAX_RR][1024];
	struct tw_crypto_rr rrs[MAX_RR];
	size_t n = 0;
	for (uint16_t i = s->first; i != TW_DNS_RR_NONE; i = p->next[i]) {
		const struct tw_dns_rr *rr = &p->m.rr[i];
		size_t cl;
		assert_true(n < MAX_RR);
		assert_int_equal(tw_dns_rdata_canonical(rr->type, p->wire, p->len, rr->rdata,
							rr->rdlen, canon[n], sizeof(canon[n]), &cl),
				 0);
		rrs[n].rdata = canon[n];
		rrs[n].rdlen = (uint16_t)cl;
		n++;
	}
	const struct tw_dns_rr *sr = &p->m.rr[sig_idx];
	struct tw_dns_rrsig sig;
	assert_int_equal(tw_dns_rrsig_view(p->wire, p->len, sr->rdata, sr->rdlen, &sig), 0);
	enum tw_crypto_result res = TW_CRYPTO_UNSUPPORTED;
	for (size_t i = 0; i < kr->n; i++) {
		if (tw_crypto_key_get_tag(kr->k[i]) != sig.key_tag ||
		    tw_crypto_key_alg(kr->k[i]) != sig.algorithm)
			continue;
		res = tw_crypto_verify_rrsig(v, kr->k[i], p->wire + sr->rdata, sr->rdlen, owner,
					     TW_DNS_C_IN, rrs, n);
		if (res == TW_CRYPTO_VALID)
			break;
	}
	return res;
}

/* RRsets that must stay unsigned: the NS sets at delegations and glue. */
static bool expect_unsigned(const uint8_t *owner, uint16_t type)
{
	if (type == TW_DNS_T_NS &&
	    (owner_is(owner, "sec.example.") || owner_is(owner, "insec.example.") ||
	     owner_is(owner, "x.y.example.")))
		return true;
	return owner_is(owner, "ns.sec.example.") || owner_is(owner, "ns.insec.example.");
}

/* Every RRSIG of the zone verifies, sits on the right RRsets with the right fields,
 * and no non-authoritative RRset is signed. */
static void check_signatures(const struct fx *f)
{
	struct ts_msg *m = ts_msg_new("example.", TW_DNS_T_AXFR, TW_DNS_R_NOERROR);
	assert_non_null(m);
	assert_int_equal(ts_msg_add_zone(m, TW_DNS_SEC_AN, f->z), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	struct keyring kr;
	keyring_load(&kr, p);
	assert_int_equal(kr.n, 2);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	assert_non_null(v);
	uint8_t origin[TW_DNS_NAME_MAXLEN];
	assert_true(ts_name("example.", origin) > 0);

	size_t verified = 0;
	for (size_t i = 0; i < p->nset; i++) {
		const struct tw_dns_rrset *s = &p->set[i];
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		set_owner(p, s, owner);
		assert_true(s->count > 0);
		if (expect_unsigned(owner, s->type)) {
			assert_int_equal(s->sig_count, 0);
			continue;
		}
		assert_int_equal(s->sig_count, 1);
		for (uint16_t j = s->sig_first; j != TW_DNS_RR_NONE; j = p->next[j]) {
			const struct tw_dns_rr *sr = &p->m.rr[j];
			struct tw_dns_rrsig sig;
			assert_int_equal(tw_dns_rrsig_view(p->wire, p->len, sr->rdata, sr->rdlen,
							   &sig),
					 0);
			uint16_t want = s->type == TW_DNS_T_DNSKEY ? ts_key_tag(f->ksk)
								     : ts_key_tag(f->zsk);
			assert_int_equal(sig.key_tag, want);
			assert_int_equal(sig.algorithm, f->alg);
			assert_int_equal(sig.labels, tw_dns_name_rrsig_labels(owner));
			assert_int_equal(sig.original_ttl, p->m.rr[s->first].ttl);
			assert_int_equal(sig.inception, INCEPTION);
			assert_int_equal(sig.expiration, EXPIRATION);
			assert_true(tw_dns_name_equal(sig.signer, origin));
			assert_int_equal(verify_one(v, p, s, j, owner, &kr), TW_CRYPTO_VALID);
			verified++;
		}
	}
	assert_int_equal(verified, ts_zone_sig_count(f->z));
	assert_true(verified >= 12);

	tw_crypto_verifier_free(v);
	keyring_free(&kr);
	free(p);
	ts_msg_free(m);
}

/* Fails unless the bitmap lists exactly the types (a 0-terminated list). */
static void check_bitmap(const uint8_t *bm, size_t len, const uint16_t *types)
{
	for (unsigned t = 1; t < 300; t++) {
		bool want = false;
		for (size_t i = 0; types[i]; i++)
			want |= types[i] == t;
		if (tw_dns_bitmap_has(bm, len, (uint16_t)t) != want)
			fail_msg("type %u: bitmap says %d, expected %d", t, !want, want);
	}
}

/* RFC 4034 §4.1: one NSEC per authoritative name and delegation, canonical order,
 * the last pointing back to the apex, bitmaps per RFC 4035 §2.3. */
static void check_nsec_chain(const struct fx *f)
{
	static const char *const want[] = {
		"example.",     "a.b.c.example.", "insec.example.", "mail.example.",
		"ns1.example.", "sec.example.",   "*.w.example.",   "www.example.",
		"x.y.example.",
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct ts_msg *m = ts_msg_new("example.", TW_DNS_T_AXFR, 0);
	assert_int_equal(ts_msg_add_zone(m, TW_DNS_SEC_AN, f->z), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);

	size_t k = 0;
	uint8_t prev_next[TW_DNS_NAME_MAXLEN] = { 0 };
	for (size_t i = 0; i < p->nset; i++) {
		const struct tw_dns_rrset *s = &p->set[i];
		if (s->type != TW_DNS_T_NSEC)
			continue;
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		set_owner(p, s, owner);
		assert_int_equal(s->count, 1);
		assert_true(k < nwant);
		if (!owner_is(owner, want[k]))
			fail_msg("NSEC %zu is not at %s", k, want[k]);
		if (k > 0)
			assert_true(tw_dns_name_equal(prev_next, owner));
		const struct tw_dns_rr *rr = &p->m.rr[s->first];
		assert_int_equal(rr->ttl, 300); /* SOA minimum */
		struct tw_dns_nsec nv;
		assert_int_equal(tw_dns_nsec_view(p->wire, p->len, rr->rdata, rr->rdlen, &nv), 0);
		memcpy(prev_next, nv.next, nv.next_len);
		if (owner_is(owner, "sec.example."))
			check_bitmap(nv.bitmap, nv.bitmap_len,
				     (const uint16_t[]){ TW_DNS_T_NS, TW_DNS_T_DS, TW_DNS_T_RRSIG, TW_DNS_T_NSEC, 0 });
		else if (owner_is(owner, "insec.example.") || owner_is(owner, "x.y.example."))
			check_bitmap(nv.bitmap, nv.bitmap_len,
				     (const uint16_t[]){ TW_DNS_T_NS, TW_DNS_T_RRSIG, TW_DNS_T_NSEC, 0 });
		else if (owner_is(owner, "example."))
			check_bitmap(nv.bitmap, nv.bitmap_len,
				     (const uint16_t[]){ TW_DNS_T_SOA, TW_DNS_T_NS, TW_DNS_T_MX, TW_DNS_T_DNSKEY,
					   TW_DNS_T_RRSIG, TW_DNS_T_NSEC, 0 });
		else if (owner_is(owner, "www.example."))
			check_bitmap(nv.bitmap, nv.bitmap_len,
				     (const uint16_t[]){ TW_DNS_T_A, TW_DNS_T_AAAA, TW_DNS_T_RRSIG, TW_DNS_T_NSEC, 0 });
		k++;
	}
	assert_int_equal(k, nwant);
	assert_true(owner_is(prev_next, "example.")); /* the last wraps to the apex */
	free(p);
	ts_msg_free(m);
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, TW_NSEC3_HASH_LEN);
}

/* RFC 5155 §7.1: one NSEC3 per authoritative name, delegation (unless opted out)
 * and empty non-terminal, sorted by hash, each pointing to the next, the last to
 * the first; parameters as asked; bitmaps per RFC 5155 §3.2.1. */
static void check_nsec3_chain(const struct fx *f)
{
	const char *names[16] = { "@", "a.b.c", "b.c", "c", "mail", "ns1", "sec", "*.w", "w", "www" };
	size_t nnames = 10;
	if (!f->optout) {
		names[nnames++] = "insec";
		names[nnames++] = "x.y";
		names[nnames++] = "y";
	}
	uint8_t want[16][TW_NSEC3_HASH_LEN];
	for (size_t i = 0; i < nnames; i++)
		assert_int_equal(ts_zone_nsec3_hash(f->z, names[i], want[i], NULL), 0);
	qsort(want, nnames, TW_NSEC3_HASH_LEN, cmp_hash);

	struct ts_msg *m = ts_msg_new("example.", TW_DNS_T_AXFR, 0);
	assert_int_equal(ts_msg_add_zone(m, TW_DNS_SEC_AN, f->z), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);

	uint8_t hb[TW_NSEC3_HASH_LEN], hsec[TW_NSEC3_HASH_LEN], hapex[TW_NSEC3_HASH_LEN];
	uint8_t hinsec[TW_NSEC3_HASH_LEN];
	assert_int_equal(ts_zone_nsec3_hash(f->z, "c", hb, NULL), 0);
	assert_int_equal(ts_zone_nsec3_hash(f->z, "sec", hsec, NULL), 0);
	assert_int_equal(ts_zone_nsec3_hash(f->z, "example.", hapex, NULL), 0);
	assert_int_equal(ts_zone_nsec3_hash(f->z, "insec", hinsec, NULL), 0);

	size_t k = 0;
	uint8_t first_owner[TW_NSEC3_HASH_LEN], prev_next[TW_NSEC3_HASH_LEN];
	bool saw_param = false;
	for (size_t i = 0; i < p->nset; i++) {
		const struct tw_dns_rrset *s = &p->set[i];
		const struct tw_dns_rr *rr = &p->m.rr[s->first];
		if (s->type == TW_DNS_T_NSEC3PARAM) {
			struct tw_dns_nsec3param pv;
			assert_int_equal(tw_dns_nsec3param_view(p->wire, p->len, rr->rdata, rr->rdlen,
								&pv),
					 0);
			assert_int_equal(pv.flags, 0);
			assert_int_equal(pv.iterations, 10);
			assert_int_equal(pv.salt_len, 4);
			assert_memory_equal(pv.salt, "\xaa\xbb\xcc\xdd", 4);
			saw_param = true;
		}
		assert_int_not_equal(s->type, TW_DNS_T_NSEC);
		if (s->type != TW_DNS_T_NSEC3)
			continue;
		uint8_t owner[TW_DNS_NAME_MAXLEN], oh[TW_NSEC3_HASH_LEN];
		set_owner(p, s, owner);
		assert_int_equal(s->count, 1);
		assert_int_equal(tw_dns_name_labels(owner), 2);
		assert_true(tw_dns_name_is_subdomain(owner, ts_zone_origin(f->z)));
		for (unsigned c = 1; c <= owner[0]; c++) /* lower-case base32hex */
			assert_false(owner[c] >= 'A' && owner[c] <= 'Z');
		size_t hl;
		assert_int_equal(tw_base32hex_decode((const char *)owner + 1, owner[0], oh,
						     sizeof(oh), &hl),
				 0);
		assert_int_equal(hl, TW_NSEC3_HASH_LEN);
		assert_true(k < nnames);
		assert_memory_equal(oh, want[k], TW_NSEC3_HASH_LEN); /* sorted, complete */
		if (k == 0)
			memcpy(first_owner, oh, sizeof(oh));
		else
			assert_memory_equal(prev_next, oh, TW_NSEC3_HASH_LEN);
		assert_int_equal(rr->ttl, 300);
		struct tw_dns_nsec3 nv;
		assert_int_equal(tw_dns_nsec3_view(p->wire, p->len, rr->rdata, rr->rdlen, &nv), 0);
		assert_int_equal(nv.hash_alg, 1);
		assert_int_equal(nv.flags, f->optout ? TW_DNS_NSEC3_F_OPTOUT : 0);
		assert_int_equal(nv.iterations, 10);
		assert_int_equal(nv.salt_len, 4);
		assert_int_equal(nv.hash_len, TW_NSEC3_HASH_LEN);
		memcpy(prev_next, nv.next_hash, TW_NSEC3_HASH_LEN);
		if (!memcmp(oh, hb, sizeof(oh)))
			assert_int_equal(nv.bitmap_len, 0); /* empty non-terminal */
		else if (!memcmp(oh, hsec, sizeof(oh)))
			check_bitmap(nv.bitmap, nv.bitmap_len,
				     (const uint16_t[]){ TW_DNS_T_NS, TW_DNS_T_DS, TW_DNS_T_RRSIG, 0 });
		else if (!memcmp(oh, hinsec, sizeof(oh)))
			check_bitmap(nv.bitmap, nv.bitmap_len, (const uint16_t[]){ TW_DNS_T_NS, 0 });
		else if (!memcmp(oh, hapex, sizeof(oh)))
			check_bitmap(nv.bitmap, nv.bitmap_len,
				     (const uint16_t[]){ TW_DNS_T_SOA, TW_DNS_T_NS, TW_DNS_T_MX, TW_DNS_T_DNSKEY,
					   TW_DNS_T_NSEC3PARAM, TW_DNS_T_RRSIG, 0 });
		k++;
	}
	assert_int_equal(k, nnames);
	assert_memory_equal(prev_next, first_owner, TW_NSEC3_HASH_LEN); /* closed */
	assert_true(saw_param);
	free(p);
	ts_msg_free(m);
}

/* A corrupted signature fails; the other RRsets of the owner still verify. */
static void check_corrupt(const struct fx *f)
{
	assert_int_equal(ts_zone_corrupt_sig(f->z, "www", TW_DNS_T_A), 0);
	struct ts_msg *m = ts_msg_new("www.example.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f->z, "www", TW_DNS_T_A), 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f->z, "www.example.", TW_DNS_T_AAAA),
			 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AR, f->z, "@", TW_DNS_T_DNSKEY), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	struct keyring kr;
	keyring_load(&kr, p);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	assert_int_equal(p->nset, 2);
	for (size_t i = 0; i < p->nset; i++) {
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		set_owner(p, &p->set[i], owner);
		assert_int_equal(p->set[i].sig_count, 1);
		assert_int_equal(verify_one(v, p, &p->set[i], p->set[i].sig_first, owner, &kr),
				 p->set[i].type == TW_DNS_T_A ? TW_CRYPTO_INVALID : TW_CRYPTO_VALID);
	}
	tw_crypto_verifier_free(v);
	keyring_free(&kr);
	free(p);
	ts_msg_free(m);
}

/* RFC 4034 §5: DS of every digest type matches its key and no other. */
static void check_ds(const struct fx *f)
{
	struct tw_crypto_policy pol = policy();
	uint8_t origin[TW_DNS_NAME_MAXLEN], sec[TW_DNS_NAME_MAXLEN];
	uint8_t ds[64];
	uint16_t kl, zl, cl;
	const uint8_t *kk = ts_key_dnskey(f->ksk, &kl), *zk = ts_key_dnskey(f->zsk, &zl);
	const uint8_t *ck = ts_key_dnskey(f->child, &cl);
	assert_true(ts_name("example.", origin) > 0);
	assert_true(ts_name("sec.example.", sec) > 0);
	static const uint8_t types[] = { TW_DS_SHA1, TW_DS_SHA256, TW_DS_SHA384 };
	static const int lens[] = { 24, 36, 52 };
	for (size_t i = 0; i < 3; i++) {
		int n = ts_key_ds(f->ksk, origin, types[i], ds, sizeof(ds));
		assert_int_equal(n, lens[i]);
		assert_int_equal(ds[0] << 8 | ds[1], ts_key_tag(f->ksk));
		assert_int_equal(tw_crypto_ds_match(&pol, origin, ds, (size_t)n, kk, kl),
				 TW_DS_MATCH);
		assert_int_equal(tw_crypto_ds_match(&pol, origin, ds, (size_t)n, zk, zl),
				 TW_DS_MISMATCH);
		assert_int_equal(tw_crypto_ds_match(&pol, sec, ds, (size_t)n, kk, kl),
				 TW_DS_MISMATCH);
	}
	assert_int_equal(ts_key_ds(f->ksk, origin, 3, ds, sizeof(ds)), -1); /* GOST */

	/* the DS the zone holds at its secure delegation */
	struct ts_msg *m = ts_msg_new("sec.example.", TW_DNS_T_DS, 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f->z, "sec", TW_DNS_T_DS), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	const struct tw_dns_rr *rr = &p->m.rr[p->set[0].first];
	assert_int_equal(rr->type, TW_DNS_T_DS);
	assert_int_equal(tw_crypto_ds_match(&pol, sec, p->wire + rr->rdata, rr->rdlen, ck, cl),
			 TW_DS_MATCH);
	free(p);
	ts_msg_free(m);
}

static void run_alg(void **state, bool nsec3, bool optout)
{
	uint8_t alg = *(const uint8_t *)*state;
	struct fx f;
	fx_build(&f, alg, nsec3, optout);
	assert_int_equal(ts_key_can_sign(f.ksk), true);
	check_signatures(&f);
	if (nsec3)
		check_nsec3_chain(&f);
	else
		check_nsec_chain(&f);
	check_ds(&f);
	check_corrupt(&f);
	fx_free(&f);
}

static void test_alg_nsec(void **state)
{
	run_alg(state, false, false);
}

static void test_alg_nsec3_optout(void **state)
{
	run_alg(state, true, true);
}

/* Without opt-out the insecure delegations and the ENT above one are in the chain. */
static void test_nsec3_without_optout_covers_insecure_delegations(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ED25519, true, false);
	check_signatures(&f);
	check_nsec3_chain(&f);
	fx_free(&f);
}

/* A response with the builder's header: QR RD RA CD, rcode, OPT with DO and 1232. */
static void test_msg_header_and_opt(void **state)
{
	(void)state;
	struct ts_msg *m = ts_msg_new("nx.example.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_non_null(m);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_NS,
					 "example. 300 IN SOA ns1.example. h.example. 1 2 3 4 5"),
			 0);
	assert_int_equal(ts_msg_add_line(m, TW_DNS_SEC_NS, "relative 300 IN A 192.0.2.1"), -1);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_NS);
	assert_int_equal(p->m.flags, TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA | TW_DNS_F_CD |
					     TW_DNS_R_NXDOMAIN);
	assert_int_equal(p->m.id, 0x2a2a);
	assert_int_equal(p->m.qdcount, 1);
	assert_int_equal(p->m.qtype, TW_DNS_T_A);
	assert_int_equal(p->m.nscount, 1);
	assert_true(p->m.has_opt);
	assert_int_equal(p->m.udp_size, 1232);
	assert_int_equal(p->m.edns_flags & TW_DNS_EDNS_DO, TW_DNS_EDNS_DO);
	assert_false(p->m.has_ede);

	ts_msg_set_edns(m, false, 0, 0);
	parse(p, m, TW_DNS_SEC_NS);
	assert_false(p->m.has_opt);
	ts_msg_set_edns(m, true, 4096, TW_DNS_EDNS_DO);
	ts_msg_set_ede(m, TW_EDE_DNSSEC_BOGUS, "test");
	parse(p, m, TW_DNS_SEC_NS);
	assert_true(p->m.has_ede);
	assert_int_equal(p->m.ede_code, TW_EDE_DNSSEC_BOGUS);
	free(p);
	ts_msg_free(m);
}

/* RFC 4035 §5.3.4: the expanded answer keeps the wildcard's Labels and verifies. */
static void test_wildcard_expansion_verifies(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ECDSAP256SHA256, false, false);
	struct ts_msg *m = ts_msg_new("foo.w.example.", TW_DNS_T_TXT, 0);
	assert_int_equal(ts_msg_add_expanded(m, TW_DNS_SEC_AN, f.z, "*.w", TW_DNS_T_TXT, "foo.w"),
			 0);
	assert_int_equal(ts_msg_add_expanded(m, TW_DNS_SEC_AN, f.z, "*.x", TW_DNS_T_TXT, "a.x"),
			 -1);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AR, f.z, "@", TW_DNS_T_DNSKEY), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	struct keyring kr;
	keyring_load(&kr, p);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	assert_int_equal(p->nset, 1);
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	set_owner(p, &p->set[0], owner);
	assert_true(owner_is(owner, "foo.w.example."));
	struct tw_dns_rrsig sig;
	const struct tw_dns_rr *sr = &p->m.rr[p->set[0].sig_first];
	assert_int_equal(tw_dns_rrsig_view(p->wire, p->len, sr->rdata, sr->rdlen, &sig), 0);
	assert_int_equal(sig.labels, 2);
	assert_int_equal(verify_one(v, p, &p->set[0], p->set[0].sig_first, owner, &kr),
			 TW_CRYPTO_VALID);
	tw_crypto_verifier_free(v);
	keyring_free(&kr);
	free(p);
	ts_msg_free(m);
	fx_free(&f);
}

/* The NSEC owner of the first NSEC in the authority section. */
static void first_nsec_owner(struct ts_msg *m, uint16_t type, uint8_t *owner, size_t *count)
{
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_NS);
	*count = 0;
	for (size_t i = 0; i < p->nset; i++) {
		if (p->set[i].type != type)
			continue;
		if (*count == 0)
			set_owner(p, &p->set[i], owner);
		assert_int_equal(p->set[i].sig_count, 1);
		(*count)++;
	}
	free(p);
}

/* RFC 4034 §4.1.1: covering and matching NSECs, the last one wrapping. */
static void test_nsec_covering_and_matching(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ED25519, false, false);
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	size_t n;

	struct ts_msg *m = ts_msg_new("nx.example.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_nsec_covering(m, f.z, "nx"), 0);
	assert_int_equal(ts_msg_add_nsec_covering(m, f.z, "nx.example."), 0); /* not twice */
	first_nsec_owner(m, TW_DNS_T_NSEC, owner, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ts_msg_count(m, TW_DNS_SEC_NS), 2); /* NSEC + RRSIG */
	assert_true(owner_is(owner, "ns1.example."));
	ts_msg_free(m);

	m = ts_msg_new("zzz.example.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(ts_msg_add_nsec_covering(m, f.z, "zzz"), 0);
	first_nsec_owner(m, TW_DNS_T_NSEC, owner, &n);
	assert_true(owner_is(owner, "x.y.example.")); /* the last NSEC wraps */
	assert_int_equal(ts_msg_add_nsec_covering(m, f.z, "www"), -1); /* www exists */
	assert_int_equal(ts_msg_add_nsec_matching(m, f.z, "www"), 0);
	assert_int_equal(ts_msg_add_nsec_matching(m, f.z, "nx"), -1);
	/* an empty non-terminal is covered by the NSEC before it */
	assert_int_equal(ts_msg_add_nsec_covering(m, f.z, "c"), 0);
	first_nsec_owner(m, TW_DNS_T_NSEC, owner, &n);
	assert_int_equal(n, 3);
	ts_msg_free(m);
	fx_free(&f);
}

/* RFC 5155 §7.2.1 closest-encloser material: NSEC3 matching and covering hashes. */
static void test_nsec3_covering_and_matching(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ED25519, true, true);
	uint8_t h[TW_NSEC3_HASH_LEN], oh[TW_NSEC3_HASH_LEN];
	char hname[TW_DNS_NAME_STRLEN];
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	size_t n;

	struct ts_msg *m = ts_msg_new("www.example.", TW_DNS_T_TXT, 0);
	assert_int_equal(ts_msg_add_nsec_matching(m, f.z, "www"), 0);
	first_nsec_owner(m, TW_DNS_T_NSEC3, owner, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ts_zone_nsec3_hash(f.z, "www", h, hname), 0);
	assert_true(owner_is(owner, hname));
	ts_msg_free(m);

	for (int i = 0; i < 8; i++) {
		char nx[32];
		snprintf(nx, sizeof(nx), "nx%d", i);
		m = ts_msg_new("nx.example.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
		assert_int_equal(ts_msg_add_nsec_matching(m, f.z, nx), -1);
		assert_int_equal(ts_msg_add_nsec_covering(m, f.z, nx), 0);
		struct parsed *p = malloc(sizeof(*p));
		assert_non_null(p);
		parse(p, m, TW_DNS_SEC_NS);
		const struct tw_dns_rr *rr = &p->m.rr[p->set[0].first];
		set_owner(p, &p->set[0], owner);
		size_t hl;
		assert_int_equal(tw_base32hex_decode((const char *)owner + 1, owner[0], oh,
						     sizeof(oh), &hl),
				 0);
		struct tw_dns_nsec3 nv;
		assert_int_equal(tw_dns_nsec3_view(p->wire, p->len, rr->rdata, rr->rdlen, &nv), 0);
		assert_int_equal(ts_zone_nsec3_hash(f.z, nx, h, NULL), 0);
		bool wraps = memcmp(nv.next_hash, oh, sizeof(oh)) <= 0;
		bool after = memcmp(oh, h, sizeof(h)) < 0, before = memcmp(h, nv.next_hash, sizeof(h)) < 0;
		assert_true(wraps ? (after || before) : (after && before));
		free(p);
		ts_msg_free(m);
	}
	fx_free(&f);
}

/* Re-signing one RRset: new window, replace or add, overridden fields. */
static void test_sign_rrset_again(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ECDSAP256SHA256, false, false);
	size_t before = ts_zone_sig_count(f.z);
	assert_int_equal(ts_zone_sign_rrset(f.z, "www", TW_DNS_T_A, f.zsk, NOW - 200, NOW - 100,
					    true),
			 0);
	assert_int_equal(ts_zone_sig_count(f.z), before);
	assert_int_equal(ts_zone_sign_rrset(f.z, "www", TW_DNS_T_A, f.ksk, INCEPTION, EXPIRATION,
					    false),
			 0);
	assert_int_equal(ts_zone_sig_count(f.z), before + 1);
	struct ts_sig_opts o;
	ts_sig_opts_init(&o, INCEPTION, EXPIRATION);
	o.signer = "other.";
	o.orig_ttl = 7;
	assert_int_equal(ts_zone_sign_rrset_opts(f.z, "mail", TW_DNS_T_A, f.zsk, &o, true), 0);
	assert_int_equal(ts_zone_sign_rrset(f.z, "nx", TW_DNS_T_A, f.zsk, 0, 1, true), -1);

	struct ts_msg *m = ts_msg_new("www.example.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f.z, "www", TW_DNS_T_A), 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f.z, "mail", TW_DNS_T_A), 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AR, f.z, "@", TW_DNS_T_DNSKEY), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	struct keyring kr;
	keyring_load(&kr, p);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	assert_int_equal(p->nset, 2);
	for (size_t i = 0; i < p->nset; i++) {
		const struct tw_dns_rrset *s = &p->set[i];
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		set_owner(p, s, owner);
		bool www = owner_is(owner, "www.example.");
		assert_int_equal(s->sig_count, www ? 2 : 1);
		for (uint16_t j = s->sig_first; j != TW_DNS_RR_NONE; j = p->next[j]) {
			struct tw_dns_rrsig sig;
			const struct tw_dns_rr *sr = &p->m.rr[j];
			assert_int_equal(tw_dns_rrsig_view(p->wire, p->len, sr->rdata, sr->rdlen,
							   &sig),
					 0);
			if (!www) {
				assert_true(owner_is(sig.signer, "other."));
				assert_int_equal(sig.original_ttl, 7);
			} else if (sig.key_tag == ts_key_tag(f.zsk)) {
				assert_int_equal(sig.expiration, NOW - 100);
			}
			/* the fields as written are what was signed */
			assert_int_equal(verify_one(v, p, s, j, owner, &kr), TW_CRYPTO_VALID);
		}
	}
	tw_crypto_verifier_free(v);
	keyring_free(&kr);
	free(p);
	ts_msg_free(m);
	fx_free(&f);
}

/* Removing records and signatures. */
static void test_remove(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ED25519, false, false);
	struct ts_msg *m = ts_msg_new("www.example.", TW_DNS_T_A, 0);
	assert_int_equal(ts_zone_remove(f.z, "www", TW_DNS_T_RRSIG), -1);
	assert_int_equal(ts_zone_remove_sigs(f.z, "www", TW_DNS_T_AAAA), 0);
	assert_int_equal(ts_zone_remove_sigs(f.z, "www", TW_DNS_T_AAAA), -1);
	assert_int_equal(ts_msg_add_sigs(m, TW_DNS_SEC_AN, f.z, "www", TW_DNS_T_AAAA), -1);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f.z, "www", TW_DNS_T_AAAA), 0);
	assert_int_equal(ts_msg_count(m, TW_DNS_SEC_AN), 1); /* no RRSIG left */
	assert_int_equal(ts_zone_remove(f.z, "www", TW_DNS_T_A), 0);
	assert_int_equal(ts_zone_remove(f.z, "www", TW_DNS_T_A), -1);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, f.z, "www", TW_DNS_T_A), -1);
	assert_int_equal(ts_msg_add_sigs(m, TW_DNS_SEC_AN, f.z, "www", TW_DNS_T_A), -1);
	assert_int_equal(ts_zone_corrupt_sig(f.z, "www", TW_DNS_T_A), -1);
	assert_int_equal(ts_msg_add_sigs(m, TW_DNS_SEC_AN, f.z, "mail", TW_DNS_T_A), 0);
	assert_int_equal(ts_msg_count(m, TW_DNS_SEC_AN), 2);
	ts_msg_free(m);
	fx_free(&f);
}

/* KeyTrap material: public-only keys with the tag of a real key that still parse,
 * and RRSIGs "made" with them that never verify. */
static void test_forged_tags(void **state)
{
	(void)state;
	struct tw_crypto_policy pol = policy();
	static const uint8_t forge_algs[] = { 8, 13, 14, 15, 16 };
	for (size_t a = 0; a < sizeof(forge_algs); a++) {
		struct ts_key *real = ts_key_new(forge_algs[a], 256);
		assert_non_null(real);
		struct ts_key *fake = ts_key_forge_tag(real, ts_key_tag(real));
		if (!fake)
			fail_msg("algorithm %u: no forged key", forge_algs[a]);
		assert_false(ts_key_can_sign(fake));
		assert_int_equal(ts_key_tag(fake), ts_key_tag(real));
		uint16_t rl, fl;
		const uint8_t *rk = ts_key_dnskey(real, &rl), *fk = ts_key_dnskey(fake, &fl);
		assert_true(rl != fl || memcmp(rk, fk, rl) != 0);
		assert_int_equal(tw_crypto_keytag(fk, fl), ts_key_tag(real));
		struct tw_crypto_key *pk = NULL;
		enum tw_key_status st;
		assert_int_equal(tw_crypto_key_new(&pol, fk, fl, &pk, &st), 0);
		assert_int_equal(st, TW_KEY_OK);
		tw_crypto_key_free(pk);

		struct ts_key *copy = ts_key_from_dnskey(fk, fl);
		assert_non_null(copy);
		assert_int_equal(ts_key_tag(copy), ts_key_tag(real));
		ts_key_free(copy);

		/* a zone whose DNSKEY set holds both; www is "signed" by the fake */
		struct ts_zone *z = ts_zone_new("example.");
		assert_int_equal(ts_zone_add(z, "www A 192.0.2.1"), 0);
		ts_zone_add_key(z, real, true, true);
		ts_zone_add_key(z, fake, false, false);
		assert_int_equal(ts_zone_sign(z, INCEPTION, EXPIRATION), 0);
		assert_int_equal(ts_zone_sign_rrset(z, "www", TW_DNS_T_A, fake, INCEPTION,
						    EXPIRATION, true),
				 0);
		struct ts_msg *m = ts_msg_new("www.example.", TW_DNS_T_A, 0);
		assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, "www", TW_DNS_T_A), 0);
		assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AR, z, "@", TW_DNS_T_DNSKEY), 0);
		struct parsed *p = malloc(sizeof(*p));
		assert_non_null(p);
		parse(p, m, TW_DNS_SEC_AN);
		struct keyring kr;
		keyring_load(&kr, p);
		assert_int_equal(kr.n, 2);
		struct tw_crypto_verifier *v = tw_crypto_verifier_new();
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		set_owner(p, &p->set[0], owner);
		assert_int_equal(verify_one(v, p, &p->set[0], p->set[0].sig_first, owner, &kr),
				 TW_CRYPTO_INVALID);
		tw_crypto_verifier_free(v);
		keyring_free(&kr);
		free(p);
		ts_msg_free(m);
		ts_zone_free(z);
	}
	/* nothing to forge from: too short, or an algorithm without a generator */
	static const uint8_t short_rsa[] = { 0x01, 0x00, 3, 8, 3, 1, 0 };
	static const uint8_t dsa[] = { 0x01, 0x00, 3, 3, 1, 2, 3, 4, 5, 6 };
	struct ts_key *k = ts_key_from_dnskey(short_rsa, sizeof(short_rsa));
	assert_non_null(k);
	assert_null(ts_key_forge_tag(k, 1));
	ts_key_free(k);
	k = ts_key_from_dnskey(dsa, sizeof(dsa));
	assert_null(ts_key_forge_tag(k, 1));
	ts_key_free(k);
	assert_null(ts_key_from_dnskey(dsa, 3));
	assert_null(ts_key_new(TW_ALG_DSA, 256));
}

/* The root zone: names absolute, the NSEC chain wraps to ".". */
static void test_root_zone(void **state)
{
	(void)state;
	struct ts_zone *z = ts_zone_new(".");
	assert_non_null(z);
	assert_int_equal(ts_zone_add(z, ". 86400 SOA a.root-servers.net. nstld.verisign-grs.com. "
					"1 1800 900 604800 86400"),
			 0);
	assert_int_equal(ts_zone_add(z, "com NS a.gtld-servers.net."), 0);
	assert_int_equal(ts_zone_add(z, "org. NS a0.org.afilias-nst.info."), 0);
	assert_int_equal(ts_zone_add(z, "www.example.org. A 192.0.2.1"), 0); /* below a cut */
	assert_int_equal(ts_zone_add(z, "www.example. A 192.0.2.1 ; comment"), 0);
	struct ts_key *k = ts_key_new(TW_ALG_ECDSAP256SHA256, 257);
	assert_non_null(k);
	ts_zone_add_key(z, k, true, true);
	assert_int_equal(ts_zone_nsec(z), 0);
	assert_int_equal(ts_zone_sign(z, INCEPTION, EXPIRATION), 0);
	struct ts_msg *m = ts_msg_new(".", TW_DNS_T_NSEC, 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, "org.", TW_DNS_T_NSEC), 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, "www.example.", TW_DNS_T_NSEC), 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, "www.example.org.", TW_DNS_T_NSEC),
			 -1);
	assert_int_equal(ts_msg_add_sigs(m, TW_DNS_SEC_AN, z, "org.", TW_DNS_T_NS), -1);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	assert_int_equal(p->nset, 2);
	/* canonical order: ".", "com.", "www.example.", "org." (RFC 4034 §6.1) */
	const struct tw_dns_rr *rr = &p->m.rr[p->set[0].first];
	struct tw_dns_nsec nv;
	assert_int_equal(tw_dns_nsec_view(p->wire, p->len, rr->rdata, rr->rdlen, &nv), 0);
	assert_true(owner_is(nv.next, ".")); /* org. is the last name */
	check_bitmap(nv.bitmap, nv.bitmap_len,
		     (const uint16_t[]){ TW_DNS_T_NS, TW_DNS_T_RRSIG, TW_DNS_T_NSEC, 0 });
	rr = &p->m.rr[p->set[1].first];
	assert_int_equal(tw_dns_nsec_view(p->wire, p->len, rr->rdata, rr->rdlen, &nv), 0);
	assert_true(owner_is(nv.next, "org."));
	free(p);
	ts_msg_free(m);
	ts_zone_free(z);
}

/* High iteration counts beyond the validator's default cap still build. */
static void test_nsec3_high_iterations(void **state)
{
	(void)state;
	struct ts_zone *z = ts_zone_new("example.");
	assert_int_equal(ts_zone_add(z, "$TTL 60\n@ SOA ns hm 1 2 3 4 5\nwww A 192.0.2.1\n"
					" AAAA 2001:db8::2"),
			 0);
	assert_int_equal(ts_zone_add(z, "bad line"), -1);
	assert_int_equal(ts_zone_add(z, "www.other. A 192.0.2.1"), -1);
	assert_int_equal(ts_zone_nsec3(z, 500, "-", false), 0);
	assert_int_equal(ts_zone_nsec3(z, 0, "xyz", false), -1);
	assert_int_equal(ts_zone_nsec3(z, 500, NULL, false), 0);
	struct ts_msg *m = ts_msg_new("www.example.", TW_DNS_T_A, 0);
	assert_int_equal(ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, "www", TW_DNS_T_AAAA), 0);
	assert_int_equal(ts_msg_add_nsec_matching(m, z, "www"), 0);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_NS);
	assert_int_equal(p->m.rr[0].ttl, 60); /* $TTL carried over to the next line */
	const struct tw_dns_rr *rr = &p->m.rr[p->set[0].first];
	struct tw_dns_nsec3 nv;
	assert_int_equal(tw_dns_nsec3_view(p->wire, p->len, rr->rdata, rr->rdlen, &nv), 0);
	assert_int_equal(nv.iterations, 500);
	assert_int_equal(nv.salt_len, 0);
	assert_int_equal(rr->ttl, 5); /* SOA minimum */
	free(p);
	ts_msg_free(m);
	ts_zone_free(z);
}

/* Records of `type` in section sec of a parsed message. */
static unsigned count_type(const struct parsed *p, enum tw_dns_section sec, uint16_t type)
{
	uint16_t first, count;
	unsigned n = 0;
	tw_dns_msg_section(&p->m, sec, &first, &count);
	for (uint16_t i = first; i < first + count; i++)
		n += p->m.rr[i].type == type;
	return n;
}

/* Does the authority section hold the NSEC3 owned by H(name)? */
static bool has_nsec3_of(const struct fx *f, const struct parsed *p, const char *name)
{
	uint8_t h[TW_NSEC3_HASH_LEN], owner[TW_DNS_NAME_MAXLEN];
	char text[TW_DNS_NAME_STRLEN];
	uint16_t first, count;
	assert_int_equal(ts_zone_nsec3_hash(f->z, name, h, text), 0);
	tw_dns_msg_section(&p->m, TW_DNS_SEC_NS, &first, &count);
	for (uint16_t i = first; i < first + count; i++) {
		if (p->m.rr[i].type != TW_DNS_T_NSEC3)
			continue;
		assert_int_equal(tw_dns_name_unpack(p->wire, p->len, p->m.rr[i].owner, owner, NULL,
						    NULL),
				 0);
		if (owner_is(owner, text))
			return true;
	}
	return false;
}

/* Parses a ts_zone_answer response, checks its rcode, and verifies every RRSIG in
 * its answer and authority sections with the zone's keys (all must verify). */
static struct parsed *check_answer(const struct fx *f, const char *qname, uint16_t qtype,
				   uint16_t rcode)
{
	struct ts_msg *m = ts_zone_answer(f->z, qname, qtype);
	assert_non_null(m);
	struct parsed *p = malloc(sizeof(*p));
	assert_non_null(p);
	parse(p, m, TW_DNS_SEC_AN);
	ts_msg_free(m);
	if (TW_DNS_RCODE(p->m.flags) != rcode)
		fail_msg("%s/%u: rcode %u, expected %u", qname, qtype, TW_DNS_RCODE(p->m.flags),
			 rcode);
	struct tw_crypto_policy pol = policy();
	struct keyring kr = { .n = 0 };
	const struct ts_key *keys[] = { f->ksk, f->zsk };
	for (size_t i = 0; i < 2; i++) {
		uint16_t len;
		const uint8_t *rd = ts_key_dnskey(keys[i], &len);
		enum tw_key_status st;
		assert_int_equal(tw_crypto_key_new(&pol, rd, len, &kr.k[kr.n], &st), 0);
		kr.n++;
	}
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	static const enum tw_dns_section secs[] = { TW_DNS_SEC_AN, TW_DNS_SEC_NS };
	for (size_t k = 0; k < 2; k++) {
		struct tw_dns_rrset sets[64];
		uint16_t next[MAX_RR];
		size_t nsets;
		assert_int_equal(tw_dns_rrsets_group(&p->m, secs[k], sets, 64, next, &nsets), 0);
		memcpy(p->next, next, sizeof(next));
		for (size_t i = 0; i < nsets; i++) {
			uint8_t owner[TW_DNS_NAME_MAXLEN];
			set_owner(p, &sets[i], owner);
			for (uint16_t j = sets[i].sig_first; j != TW_DNS_RR_NONE; j = p->next[j])
				assert_int_equal(verify_one(v, p, &sets[i], j, owner, &kr),
						 TW_CRYPTO_VALID);
		}
	}
	tw_crypto_verifier_free(v);
	keyring_free(&kr);
	return p;
}

/* ts_zone_answer with NSEC3 and opt-out: answers, referrals, NODATA, wildcard
 * and NXDOMAIN proofs (RFC 5155 §7.2) with every RRSIG verifying. */
static void test_zone_answer_nsec3_optout(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ED25519, true, true);
	struct parsed *p;

	p = check_answer(&f, "www", TW_DNS_T_A, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_AN, TW_DNS_T_A), 2);
	assert_int_equal(count_type(p, TW_DNS_SEC_AN, TW_DNS_T_RRSIG), 1);
	assert_int_equal(p->m.nscount, 0);
	free(p);

	/* NXDOMAIN: closest encloser (apex) matched, next closer and *.example.
	 * covered: two or three NSEC3 */
	p = check_answer(&f, "nx.example.", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	assert_int_equal(p->m.ancount, 0);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_SOA), 1);
	unsigned n3 = count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC3);
	assert_true(n3 >= 2 && n3 <= 3);
	assert_true(has_nsec3_of(&f, p, "example."));
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_RRSIG), 1 + n3);
	free(p);

	/* NODATA at an empty non-terminal: its own NSEC3 */
	p = check_answer(&f, "c", TW_DNS_T_A, TW_DNS_R_NOERROR);
	assert_int_equal(p->m.ancount, 0);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC3), 1);
	assert_true(has_nsec3_of(&f, p, "c"));
	free(p);

	/* wildcard answer: Labels 2, next closer covered */
	p = check_answer(&f, "foo.w", TW_DNS_T_TXT, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_AN, TW_DNS_T_TXT), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC3), 1);
	free(p);

	/* wildcard NODATA: encloser matched, next closer covered (possibly by one of
	 * the other two), wildcard matched */
	p = check_answer(&f, "foo.w", TW_DNS_T_A, TW_DNS_R_NOERROR);
	assert_int_equal(p->m.ancount, 0);
	n3 = count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC3);
	assert_true(n3 >= 2 && n3 <= 3);
	assert_true(has_nsec3_of(&f, p, "w"));
	assert_true(has_nsec3_of(&f, p, "*.w"));
	free(p);

	/* secure referral: NS unsigned, DS signed, glue */
	p = check_answer(&f, "www.sec", TW_DNS_T_A, TW_DNS_R_NOERROR);
	assert_int_equal(p->m.ancount, 0);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NS), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_DS), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_RRSIG), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_AR, TW_DNS_T_A), 1);
	free(p);

	/* insecure referral under opt-out: no NSEC3 at the cut, so the closest
	 * provable encloser (the apex) and the opt-out span covering insec. */
	p = check_answer(&f, "www.insec", TW_DNS_T_A, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NS), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_DS), 0);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC3), 2);
	assert_true(has_nsec3_of(&f, p, "example."));
	assert_int_equal(count_type(p, TW_DNS_SEC_AR, TW_DNS_T_A), 1);
	free(p);

	/* DS at the cut comes from the parent: an answer, or NODATA with the proof */
	p = check_answer(&f, "sec", TW_DNS_T_DS, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_AN, TW_DNS_T_DS), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_AN, TW_DNS_T_RRSIG), 1);
	free(p);
	p = check_answer(&f, "insec", TW_DNS_T_DS, TW_DNS_R_NOERROR);
	assert_int_equal(p->m.ancount, 0);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_SOA), 1);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC3), 2);
	free(p);

	assert_null(ts_zone_answer(f.z, "www.other.", TW_DNS_T_A));
	fx_free(&f);
}

/* ts_zone_answer with NSEC: NXDOMAIN and wildcard NODATA proofs (RFC 4035 §3.1.3). */
static void test_zone_answer_nsec(void **state)
{
	(void)state;
	struct fx f;
	fx_build(&f, TW_ALG_ECDSAP256SHA256, false, false);
	struct parsed *p;

	p = check_answer(&f, "nx", TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
	/* ns1. covers nx.; the apex NSEC covers *.example. */
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC), 2);
	free(p);
	p = check_answer(&f, "foo.w", TW_DNS_T_A, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC), 1); /* *.w covers and matches */
	free(p);
	p = check_answer(&f, "www", TW_DNS_T_TXT, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC), 1);
	free(p);
	p = check_answer(&f, "insec", TW_DNS_T_DS, TW_DNS_R_NOERROR);
	assert_int_equal(count_type(p, TW_DNS_SEC_NS, TW_DNS_T_NSEC), 1);
	free(p);
	fx_free(&f);
}

int main(void)
{
	enum { NALG = sizeof(algs) };
	static char names[2 * NALG][48];
	struct CMUnitTest tests[2 * NALG + 12];
	size_t n = 0;
	for (size_t i = 0; i < NALG; i++) {
		snprintf(names[2 * i], sizeof(names[0]), "test_alg_%u_nsec", algs[i]);
		snprintf(names[2 * i + 1], sizeof(names[0]), "test_alg_%u_nsec3_optout", algs[i]);
		tests[n++] = (struct CMUnitTest){ names[2 * i], test_alg_nsec, NULL, NULL,
						  (void *)&algs[i] };
		tests[n++] = (struct CMUnitTest){ names[2 * i + 1], test_alg_nsec3_optout, NULL,
						  NULL, (void *)&algs[i] };
	}
	const struct CMUnitTest more[] = {
		cmocka_unit_test(test_nsec3_without_optout_covers_insecure_delegations),
		cmocka_unit_test(test_msg_header_and_opt),
		cmocka_unit_test(test_wildcard_expansion_verifies),
		cmocka_unit_test(test_nsec_covering_and_matching),
		cmocka_unit_test(test_nsec3_covering_and_matching),
		cmocka_unit_test(test_sign_rrset_again),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_forged_tags),
		cmocka_unit_test(test_root_zone),
		cmocka_unit_test(test_nsec3_high_iterations),
		cmocka_unit_test(test_zone_answer_nsec3_optout),
		cmocka_unit_test(test_zone_answer_nsec),
	};
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++)
		tests[n++] = more[i];
	return _cmocka_run_group_tests("tsign", tests, n, NULL, NULL);
}
