/* Unit tests for crypto/: published RFC vectors, genuine root signatures, key tags,
 * DS digests, NSEC3 hashes, key preparation policy, and hostile keys/signatures. */
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
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#define DATA_DIR TW_SOURCE_ROOT "/../shared/data/dnssec/"
#define MAX_RECS 64

/* One record read from a fixture, RDATA in canonical form. */
struct rec {
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	uint16_t type, cls;
	uint32_t ttl;
	uint8_t rdata[2048];
	uint16_t rdlen;
};

struct group {
	char title[256];
	int expect_valid; /* 1 valid, 0 invalid, -1 n/a */
	unsigned keytag;
	struct rec rec[MAX_RECS];
	size_t n;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open (the shared test data must be beside the repo)", path);
	static char buf[1 << 18];
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

/* Reads zone text into g->rec (canonical RDATA); fails the test on any error. */
static void read_records(struct group *g, const char *text, size_t len, const char *file)
{
	struct tw_dns_zreader r;
	struct tw_dns_zrr zrr;
	static uint8_t rd[65536];
	tw_dns_zreader_init(&r, text, len, file, NULL, 3600);
	int rc;
	while ((rc = tw_dns_zreader_next(&r, &zrr, rd, sizeof(rd))) == 1) {
		assert_true(g->n < MAX_RECS);
		struct rec *x = &g->rec[g->n++];
		memcpy(x->owner, zrr.owner, zrr.owner_len);
		x->type = zrr.type;
		x->cls = zrr.cls;
		x->ttl = zrr.ttl;
		size_t cl;
		assert_int_equal(tw_dns_rdata_canonical(zrr.type, zrr.rdata, zrr.rdlen, 0, zrr.rdlen,
							x->rdata, sizeof(x->rdata), &cl), 0);
		x->rdlen = (uint16_t)cl;
	}
	if (rc != 0)
		fail_msg("%s: %s", file, r.err);
}

/* Splits rfc-signature-vectors.zone at its ";@ vector" lines. */
static size_t load_vectors(struct group *groups, size_t cap)
{
	size_t len;
	char *text = slurp(DATA_DIR "rfc-signature-vectors.zone", &len);
	size_t ng = 0;
	char *p = strstr(text, "\n;@ vector");
	while (p) {
		p++;
		char *next = strstr(p, "\n;@ vector");
		char *eol = strchr(p, '\n');
		assert_non_null(eol);
		if (p[10] < '0' || p[10] > '9') { /* the format description line */
			p = next;
			continue;
		}
		assert_true(ng < cap);
		struct group *g = &groups[ng++];
		memset(g, 0, sizeof(*g));
		snprintf(g->title, sizeof(g->title), "%.*s", (int)(eol - p), p);
		g->expect_valid = strstr(g->title, "expect=valid") ? 1
				  : strstr(g->title, "expect=invalid") ? 0
								       : -1;
		char *kt = strstr(g->title, "keytag=");
		assert_non_null(kt);
		g->keytag = (unsigned)strtoul(kt + 7, NULL, 10);
		size_t glen = next ? (size_t)(next - eol) : strlen(eol);
		read_records(g, eol, glen, "rfc-signature-vectors.zone");
		p = next;
	}
	return ng;
}

static struct tw_crypto_policy lenient_policy(void)
{
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	p.rsa_min_bits = 512; /* RFC 5702 §6.1 signs with a 512-bit key */
	return p;
}

static struct tw_crypto_key *prepare(const struct tw_crypto_policy *p, const struct rec *r)
{
	struct tw_crypto_key *k = NULL;
	enum tw_key_status st;
	assert_int_equal(tw_crypto_key_new(p, r->rdata, r->rdlen, &k, &st), 0);
	if (st != TW_KEY_OK)
		fail_msg("key: %s", tw_crypto_key_status_str(st));
	return k;
}

/* Verifies every RRSIG of the group with the DNSKEY of matching tag; returns
 * how many verified. mutate: flip one signature bit first. */
static int verify_group(struct group *g, const struct tw_crypto_policy *p,
			struct tw_crypto_verifier *v, bool mutate, int *count)
{
	int valid = 0;
	*count = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct rec *sig = &g->rec[i];
		if (sig->type != TW_DNS_T_RRSIG)
			continue;
		struct tw_dns_rrsig rs;
		assert_int_equal(tw_dns_rrsig_view(sig->rdata, sig->rdlen, 0, sig->rdlen, &rs), 0);
		struct tw_crypto_rr rrs[MAX_RECS];
		size_t n = 0;
		const struct rec *key = NULL;
		for (size_t j = 0; j < g->n; j++) {
			struct rec *x = &g->rec[j];
			if (x->type == rs.type_covered && tw_dns_name_equal(x->owner, sig->owner))
				rrs[n++] = (struct tw_crypto_rr){ x->rdata, x->rdlen };
			if (x->type == TW_DNS_T_DNSKEY &&
			    tw_crypto_keytag(x->rdata, x->rdlen) == rs.key_tag)
				key = x;
		}
		assert_non_null(key);
		assert_true(n > 0);
		struct tw_crypto_key *k = prepare(p, key);
		uint8_t copy[2048];
		memcpy(copy, sig->rdata, sig->rdlen);
		if (mutate)
			copy[sig->rdlen - 7] ^= 0x10;
		enum tw_crypto_result res =
			tw_crypto_verify_rrsig(v, k, copy, sig->rdlen, sig->owner, sig->cls, rrs, n);
		valid += res == TW_CRYPTO_VALID;
		(*count)++;
		tw_crypto_key_free(k);
	}
	return valid;
}

static void test_rfc_vectors_verify_as_published(void **state)
{
	(void)state;
	static struct group g[16];
	size_t ng = load_vectors(g, 16);
	assert_int_equal(ng, 10);
	struct tw_crypto_policy p = lenient_policy();
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	assert_non_null(v);
	int checked = 0;
	for (size_t i = 0; i < ng; i++) {
		/* the key tag of the group's first DNSKEY */
		for (size_t j = 0; j < g[i].n; j++) {
			if (g[i].rec[j].type == TW_DNS_T_DNSKEY) {
				assert_int_equal(tw_crypto_keytag(g[i].rec[j].rdata, g[i].rec[j].rdlen),
						 g[i].keytag);
				break;
			}
		}
		if (g[i].expect_valid < 0)
			continue;
		int count;
		int valid = verify_group(&g[i], &p, v, false, &count);
		assert_int_equal(count, 1);
		if (valid != g[i].expect_valid)
			fail_msg("%s: verified %d, expected %d", g[i].title, valid, g[i].expect_valid);
		checked++;
	}
	assert_int_equal(checked, 9);
	tw_crypto_verifier_free(v);
}

static void test_mutated_signatures_fail_for_every_algorithm(void **state)
{
	(void)state;
	static struct group g[16];
	size_t ng = load_vectors(g, 16);
	struct tw_crypto_policy p = lenient_policy();
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	for (size_t i = 0; i < ng; i++) {
		if (g[i].expect_valid != 1)
			continue;
		int count;
		assert_int_equal(verify_group(&g[i], &p, v, true, &count), 0);
		assert_int_equal(count, 1);
	}
	tw_crypto_verifier_free(v);
}

static void test_wrong_key_of_same_algorithm_fails(void **state)
{
	(void)state;
	static struct group g[16];
	size_t ng = load_vectors(g, 16);
	assert_true(ng >= 8);
	struct tw_crypto_policy p = lenient_policy();
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	/* vectors 6 and 8: two Ed25519 keys over the same MX RRset */
	struct group *a = &g[5], *b = &g[7];
	struct rec *sig = NULL, *mx = NULL, *other_key = NULL;
	for (size_t j = 0; j < a->n; j++) {
		if (a->rec[j].type == TW_DNS_T_RRSIG)
			sig = &a->rec[j];
		if (a->rec[j].type == TW_DNS_T_MX)
			mx = &a->rec[j];
	}
	for (size_t j = 0; j < b->n; j++)
		if (b->rec[j].type == TW_DNS_T_DNSKEY)
			other_key = &b->rec[j];
	assert_non_null(sig);
	assert_non_null(mx);
	assert_non_null(other_key);
	struct tw_crypto_key *k = prepare(&p, other_key);
	struct tw_crypto_rr rr = { mx->rdata, mx->rdlen };
	assert_int_equal(tw_crypto_verify_rrsig(v, k, sig->rdata, sig->rdlen, sig->owner, sig->cls,
						&rr, 1), TW_CRYPTO_INVALID);
	/* a signature one octet short is invalid, not a crash */
	assert_int_equal(tw_crypto_verify(v, k, mx->rdata, mx->rdlen, sig->rdata, 63),
			 TW_CRYPTO_INVALID);
	assert_int_equal(tw_crypto_verify(v, NULL, mx->rdata, mx->rdlen, sig->rdata, 64),
			 TW_CRYPTO_UNSUPPORTED);
	tw_crypto_key_free(k);
	tw_crypto_verifier_free(v);
}

static void test_rfc4034_ds_digests_match(void **state)
{
	(void)state;
	static struct group g[16];
	load_vectors(g, 16);
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	int matched = 0;
	for (size_t i = 0; i < 16 && g[i].n; i++) {
		for (size_t j = 0; j < g[i].n; j++) {
			struct rec *ds = &g[i].rec[j];
			if (ds->type != TW_DNS_T_DS)
				continue;
			struct rec *key = NULL;
			for (size_t k = 0; k < g[i].n; k++)
				if (g[i].rec[k].type == TW_DNS_T_DNSKEY &&
				    tw_dns_name_equal(g[i].rec[k].owner, ds->owner))
					key = &g[i].rec[k];
			assert_non_null(key);
			assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, ds->rdlen,
							    key->rdata, key->rdlen), TW_DS_MATCH);
			/* a different digest octet: mismatch */
			ds->rdata[ds->rdlen - 1] ^= 1;
			assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, ds->rdlen,
							    key->rdata, key->rdlen), TW_DS_MISMATCH);
			ds->rdata[ds->rdlen - 1] ^= 1;
			matched++;
		}
	}
	/* RFC 4034 SHA-1 and SHA-256, RFC 6605 SHA-256 and SHA-384, RFC 8080 x3 */
	assert_int_equal(matched, 7);
}

static void test_ds_digest_policy_and_unknown_types(void **state)
{
	(void)state;
	static struct group g[16];
	load_vectors(g, 16);
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	struct rec *key = &g[0].rec[0], *ds = &g[0].rec[2]; /* SHA-256 DS of vector 1 */
	assert_int_equal(key->type, TW_DNS_T_DNSKEY);
	assert_int_equal(ds->rdata[3], TW_DS_SHA256);
	p.digest_enabled &= (uint8_t) ~(1u << TW_DS_SHA256);
	assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, ds->rdlen, key->rdata,
					    key->rdlen), TW_DS_UNSUPPORTED);
	tw_crypto_policy_default(&p);
	ds->rdata[3] = TW_DS_GOST;
	assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, ds->rdlen, key->rdata,
					    key->rdlen), TW_DS_UNSUPPORTED);
	ds->rdata[3] = 200;
	assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, ds->rdlen, key->rdata,
					    key->rdlen), TW_DS_UNSUPPORTED);
	uint8_t out[TW_DS_DIGEST_MAXLEN];
	assert_int_equal(tw_crypto_ds_digest(TW_DS_GOST, ds->owner, key->rdata, key->rdlen, out),
			 -TW_ECRYPTO_UNSUPPORTED);
	/* key tag mismatch and truncated DS are mismatches */
	ds->rdata[3] = TW_DS_SHA256;
	ds->rdata[0] ^= 1;
	assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, ds->rdlen, key->rdata,
					    key->rdlen), TW_DS_MISMATCH);
	assert_int_equal(tw_crypto_ds_match(&p, ds->owner, ds->rdata, 3, key->rdata, key->rdlen),
			 TW_DS_MISMATCH);
}

static void test_genuine_root_zone_signatures_verify(void **state)
{
	(void)state;
	static struct group g;
	memset(&g, 0, sizeof(g));
	size_t len;
	char *text = slurp(DATA_DIR "root-2026093001-apex-excerpt.zone", &len);
	read_records(&g, text, len, "root-2026093001-apex-excerpt.zone");
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	int count;
	int valid = verify_group(&g, &p, v, false, &count);
	/* SOA, NS, NSEC, DNSKEY, ZONEMD, aaa. DS, aaa. NSEC */
	assert_int_equal(count, 7);
	assert_int_equal(valid, 7);
	assert_int_equal(verify_group(&g, &p, v, true, &count), 0);

	/* the DNSKEY RRset's KSK matches the root anchor Debian ships */
	size_t alen;
	char *anchor = slurp("/usr/share/dns/root.ds", &alen);
	static struct group a;
	memset(&a, 0, sizeof(a));
	read_records(&a, anchor, alen, "/usr/share/dns/root.ds");
	int matched = 0;
	for (size_t i = 0; i < a.n; i++)
		for (size_t j = 0; j < g.n; j++)
			if (g.rec[j].type == TW_DNS_T_DNSKEY &&
			    tw_crypto_ds_match(&p, a.rec[i].owner, a.rec[i].rdata, a.rec[i].rdlen,
					       g.rec[j].rdata, g.rec[j].rdlen) == TW_DS_MATCH)
				matched++;
	assert_int_equal(matched, (int)a.n); /* 20326 and 38696 */
	tw_crypto_verifier_free(v);
}

static void test_rfc5155_nsec3_hashes(void **state)
{
	(void)state;
	size_t len;
	char *text = slurp(DATA_DIR "rfc5155-nsec3-hashes.tsv", &len);
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	int rows = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (line[0] == '#')
			continue;
		char name_s[256], salt_s[64], hash_s[64];
		unsigned iter, alg;
		assert_int_equal(sscanf(line, "%255s %63s %u %u %63s", name_s, salt_s, &iter, &alg,
					hash_s), 5);
		uint8_t name[TW_DNS_NAME_MAXLEN], salt[32], hash[TW_NSEC3_HASH_LEN];
		size_t nl, sl;
		assert_int_equal(tw_dns_name_from_str(name_s, strlen(name_s), NULL, name, &nl), 0);
		assert_int_equal(tw_hex_decode(salt_s, strlen(salt_s), salt, sizeof(salt), &sl), 0);
		assert_int_equal(tw_crypto_nsec3_hash(&p, (uint8_t)alg, (uint16_t)iter, salt, sl, name,
						      hash), 0);
		char b32[64];
		assert_int_equal(tw_base32hex_encode(hash, sizeof(hash), b32, sizeof(b32)), 32);
		for (char *c = b32; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c + 32);
		if (strcmp(b32, hash_s) != 0)
			fail_msg("%s: got %s want %s", name_s, b32, hash_s);
		/* upper-case names hash the same (RFC 5155 §5: canonical form) */
		tw_dns_name_to_str(name, name_s, sizeof(name_s));
		rows++;
	}
	assert_int_equal(rows, 14);
}

static void test_nsec3_iteration_cap_and_unknown_hash(void **state)
{
	(void)state;
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	uint8_t name[] = { 7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 0 }, lower[sizeof(name)];
	tw_dns_name_copy_lower(lower, name);
	uint8_t h1[20], h2[20];
	assert_int_equal(tw_crypto_nsec3_hash(&p, 1, 150, NULL, 0, name, h1), 0);
	assert_int_equal(tw_crypto_nsec3_hash(&p, 1, 150, NULL, 0, lower, h2), 0);
	assert_memory_equal(h1, h2, 20);
	assert_int_equal(tw_crypto_nsec3_hash(&p, 1, 151, NULL, 0, name, h1),
			 -TW_ECRYPTO_ITERATIONS);
	p.nsec3_max_iterations = 0;
	assert_int_equal(tw_crypto_nsec3_hash(&p, 1, 1, NULL, 0, name, h1), -TW_ECRYPTO_ITERATIONS);
	assert_int_equal(tw_crypto_nsec3_hash(&p, 2, 0, NULL, 0, name, h1),
			 -TW_ECRYPTO_UNSUPPORTED);
}

static void test_key_status_for_policy_and_unknown_algorithms(void **state)
{
	(void)state;
	static struct group g[16];
	load_vectors(g, 16);
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	struct tw_crypto_key *k;
	enum tw_key_status st;
	struct rec *rsa512 = &g[1].rec[0];
	assert_int_equal(rsa512->type, TW_DNS_T_DNSKEY);
	/* 512-bit RSA is below the default 1024-bit floor */
	assert_int_equal(tw_crypto_key_new(&p, rsa512->rdata, rsa512->rdlen, &k, &st), 0);
	assert_int_equal(st, TW_KEY_REFUSED_SIZE);
	assert_null(k);
	/* algorithm 8 disabled by policy */
	p.rsa_min_bits = 512;
	p.alg_enabled &= ~(1u << TW_ALG_RSASHA256);
	assert_int_equal(tw_crypto_key_new(&p, rsa512->rdata, rsa512->rdlen, &k, &st), 0);
	assert_int_equal(st, TW_KEY_DISABLED_ALG);
	/* unknown and unimplemented algorithms: unsupported, never invalid */
	uint8_t rd[64] = { 1, 1, 3, 253 };
	assert_int_equal(tw_crypto_key_new(&p, rd, sizeof(rd), &k, &st), 0);
	assert_int_equal(st, TW_KEY_UNSUPPORTED_ALG);
	rd[3] = TW_ALG_DSA;
	assert_int_equal(tw_crypto_key_new(&p, rd, sizeof(rd), &k, &st), 0);
	assert_int_equal(st, TW_KEY_UNSUPPORTED_ALG);
	assert_int_equal(tw_crypto_key_new(&p, rd, 3, &k, &st), -TW_EDNS_RDATA);
}

static void test_malformed_and_oversized_keys_are_refused(void **state)
{
	(void)state;
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	struct tw_crypto_key *k;
	enum tw_key_status st;
	uint8_t rd[4 + 1100];
	rd[0] = 1;
	rd[1] = 1;
	rd[2] = 3;

	/* ECDSA P-256 with a 63-octet key, and a point not on the curve */
	rd[3] = TW_ALG_ECDSAP256SHA256;
	memset(rd + 4, 0x11, 64);
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + 63, &k, &st), 0);
	assert_int_equal(st, TW_KEY_MALFORMED);
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + 64, &k, &st), 0);
	assert_int_equal(st, TW_KEY_MALFORMED);
	assert_null(k);
	/* Ed25519 / Ed448 of the wrong length */
	rd[3] = TW_ALG_ED25519;
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + 31, &k, &st), 0);
	assert_int_equal(st, TW_KEY_MALFORMED);
	rd[3] = TW_ALG_ED448;
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + 56, &k, &st), 0);
	assert_int_equal(st, TW_KEY_MALFORMED);

	/* RSA: 8192-bit modulus above the 4096-bit ceiling */
	rd[3] = TW_ALG_RSASHA256;
	rd[4] = 3;
	rd[5] = 1;
	rd[6] = 0;
	rd[7] = 1;
	memset(rd + 8, 0xC3, 1024);
	assert_int_equal(tw_crypto_key_new(&p, rd, 8 + 1024, &k, &st), 0);
	assert_int_equal(st, TW_KEY_REFUSED_SIZE);
	/* 2048-bit modulus with an even exponent, then with a 9-octet exponent */
	rd[7] = 2;
	assert_int_equal(tw_crypto_key_new(&p, rd, 8 + 256, &k, &st), 0);
	assert_int_equal(st, TW_KEY_REFUSED_SIZE);
	rd[4] = 9;
	memset(rd + 5, 1, 9);
	assert_int_equal(tw_crypto_key_new(&p, rd, 5 + 9 + 256, &k, &st), 0);
	assert_int_equal(st, TW_KEY_REFUSED_SIZE);
	/* exponent length running past the key */
	rd[4] = 200;
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + 100, &k, &st), 0);
	assert_int_equal(st, TW_KEY_MALFORMED);
	/* long exponent-length form (0, then 2 octets) with nothing after */
	rd[4] = 0;
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + 2, &k, &st), 0);
	assert_int_equal(st, TW_KEY_MALFORMED);
}

static void test_sigdata_sorts_dedups_and_rebuilds_wildcards(void **state)
{
	(void)state;
	/* RRSIG over A, labels 2, signer "Example." (upper case lowered) */
	uint8_t sig[18 + 9 + 4] = { 0, 1, 13, 2, 0, 0, 0x0e, 0x10, 0, 0, 0, 2, 0, 0, 0, 1, 0, 7,
				    7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0, 1, 2, 3, 4 };
	uint8_t a1[] = { 10, 0, 0, 2 }, a2[] = { 10, 0, 0, 1 }, a3[] = { 10, 0, 0, 2 };
	struct tw_crypto_rr rrs[3] = { { a1, 4 }, { a2, 4 }, { a3, 4 } };
	uint8_t owner[] = { 1, 'X', 1, 'Y', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	uint8_t out[512];
	size_t len;
	assert_int_equal(tw_crypto_sigdata(sig, sizeof(sig), owner, 1, rrs, 3, out, sizeof(out),
					   &len), 0);
	/* labels 2 of X.Y.example: signed as *.y.example (lower-cased);
	 * 18 + 9 (signer) + 2 * (13 + 8 + 2 + 4), the duplicate left out */
	assert_int_equal(len, 27 + 2 * 27);
	assert_memory_equal(out + 18, "\x07" "example", 8);
	static const uint8_t rr1[] = { 1, '*', 1, 'y', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
				       0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 10, 0, 0, 1 };
	assert_memory_equal(out + 27, rr1, sizeof(rr1));
	assert_int_equal(out[27 + 27 + 26], 2);
	/* labels larger than the owner's: cannot be this RRset's signature */
	sig[3] = 4;
	assert_int_equal(tw_crypto_sigdata(sig, sizeof(sig), owner, 1, rrs, 3, out, sizeof(out),
					   &len), -TW_ECRYPTO_LABELS);
	sig[3] = 3;
	assert_int_equal(tw_crypto_sigdata(sig, sizeof(sig), owner, 1, rrs, 3, out, 30, &len),
			 -TW_ENOSPC);
	/* canonical order: shorter RDATA sorts first when a prefix */
	uint8_t s1[] = { 1, 2 }, s2[] = { 1, 2, 0 };
	struct tw_crypto_rr x = { s1, 2 }, y = { s2, 3 };
	assert_true(tw_crypto_rr_cmp(&x, &y) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_vectors_verify_as_published),
		cmocka_unit_test(test_mutated_signatures_fail_for_every_algorithm),
		cmocka_unit_test(test_wrong_key_of_same_algorithm_fails),
		cmocka_unit_test(test_rfc4034_ds_digests_match),
		cmocka_unit_test(test_ds_digest_policy_and_unknown_types),
		cmocka_unit_test(test_genuine_root_zone_signatures_verify),
		cmocka_unit_test(test_rfc5155_nsec3_hashes),
		cmocka_unit_test(test_nsec3_iteration_cap_and_unknown_hash),
		cmocka_unit_test(test_key_status_for_policy_and_unknown_algorithms),
		cmocka_unit_test(test_malformed_and_oversized_keys_are_refused),
		cmocka_unit_test(test_sigdata_sorts_dedups_and_rebuilds_wildcards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
