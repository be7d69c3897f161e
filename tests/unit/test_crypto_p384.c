/* Unit tests for crypto/p384.c: the curve constants (FIPS 186-4 D.1.2.4) checked
 * against themselves and OpenSSL, the RFC 6605 §6.2 vector, a differential test
 * against OpenSSL 3 on random keys and signatures (valid and altered), and crafted
 * edge cases (range limits, u1 = 0, sums at infinity, x(R) >= n), each of which
 * must get the same accept/reject from us as from OpenSSL's EVP_PKEY_verify.
 * P384_DIFF_SIGS (environment) overrides the number of OpenSSL-signed random
 * signatures in the differential test (default 5000, 40 per key; each also gets
 * one alteration, so 10000 verdicts are compared; ~30 s in a -O0 ASan build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/err.h>

#include "crypto/p384.h"
#include "crypto/sigdata.h"
#include "dns/error.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#ifndef TW_SOURCE_ROOT
#define TW_SOURCE_ROOT "."
#endif
#define DATA_DIR TW_SOURCE_ROOT "/../shared/data/dnssec/"

/* FIPS 186-4 D.1.2.4 (SEC 2 §2.5.1), transcribed independently of crypto/p384.c. */
#define HEX_P "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF"
#define HEX_N "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973"
#define HEX_B "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF"
#define HEX_GX "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7"
#define HEX_GY "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F"

/* ---- OpenSSL side ---- */

static EC_GROUP *grp;
static BIGNUM *ord;
static BN_CTX *bnctx;
static uint8_t N_BE[48], P_BE[48];

static void bn_out(uint8_t out[48], const BIGNUM *b)
{
	assert_int_equal(BN_bn2binpad(b, out, 48), 48);
}

static BIGNUM *hex_bn(const char *hex)
{
	BIGNUM *b = NULL;
	assert_true(BN_hex2bn(&b, hex) > 0);
	return b;
}

static int setup(void **state)
{
	(void)state;
	grp = EC_GROUP_new_by_curve_name(NID_secp384r1);
	ord = BN_new();
	bnctx = BN_CTX_new();
	if (!grp || !ord || !bnctx || !EC_GROUP_get_order(grp, ord, bnctx))
		return -1;
	BIGNUM *p = NULL;
	if (!BN_hex2bn(&p, HEX_P) || BN_bn2binpad(p, P_BE, 48) != 48 ||
	    BN_bn2binpad(ord, N_BE, 48) != 48)
		return -1;
	BN_free(p);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EC_GROUP_free(grp);
	BN_free(ord);
	BN_CTX_free(bnctx);
	return 0;
}

/* An EVP key for pub = X | Y, as crypto/key.c makes it; NULL when OpenSSL refuses. */
static EVP_PKEY *pkey_from_pub(const uint8_t pub[96])
{
	uint8_t pt[97];
	pt[0] = 0x04;
	memcpy(pt + 1, pub, 96);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!c || EVP_PKEY_fromdata_init(c) <= 0 ||
	    EVP_PKEY_fromdata(c, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
	EVP_PKEY_CTX_free(c);
	if (pk) { /* key.c also runs the public-key check */
		EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
		if (!chk || EVP_PKEY_public_check(chk) <= 0) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		EVP_PKEY_CTX_free(chk);
	}
	ERR_clear_error();
	return pk;
}

/* A verify context for pk set up as crypto/verify.c does. */
static EVP_PKEY_CTX *verify_ctx(EVP_PKEY *pk)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	assert_non_null(c);
	assert_true(EVP_PKEY_verify_init(c) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(c, EVP_sha384()) > 0);
	return c;
}

static size_t der_int(uint8_t *out, const uint8_t *v, size_t len)
{
	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	size_t pad = (v[0] & 0x80) ? 1 : 0;
	out[0] = 0x02;
	out[1] = (uint8_t)(len + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, v, len);
	return 2 + pad + len;
}

/* OpenSSL's verdict on r | s, sent as the DER crypto/verify.c builds. */
static bool ossl_verify(EVP_PKEY_CTX *c, const uint8_t digest[48], const uint8_t sig[96])
{
	uint8_t der[112];
	size_t n = 2;
	n += der_int(der + n, sig, 48);
	n += der_int(der + n, sig + 48, 48);
	der[0] = 0x30;
	der[1] = (uint8_t)(n - 2);
	int ok = EVP_PKEY_verify(c, der, n, digest, 48);
	ERR_clear_error();
	return ok == 1;
}

/* A fresh key: its EVP form, private scalar and X | Y. */
static EVP_PKEY *new_key(uint8_t pub[96], BIGNUM **priv)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	assert_non_null(pk);
	uint8_t pt[97];
	size_t len = 0;
	assert_true(EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
						    &len));
	assert_int_equal(len, 97);
	assert_int_equal(pt[0], 4);
	memcpy(pub, pt + 1, 96);
	if (priv)
		assert_true(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, priv));
	return pk;
}

/* Signs digest with pk through OpenSSL; sig = r | s. */
static void ossl_sign(EVP_PKEY *pk, const uint8_t digest[48], uint8_t sig[96])
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	assert_non_null(c);
	assert_true(EVP_PKEY_sign_init(c) > 0);
	assert_true(EVP_PKEY_CTX_set_signature_md(c, EVP_sha384()) > 0);
	uint8_t der[112];
	size_t len = sizeof(der);
	assert_true(EVP_PKEY_sign(c, der, &len, digest, 48) > 0);
	EVP_PKEY_CTX_free(c);
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	assert_non_null(es);
	bn_out(sig, ECDSA_SIG_get0_r(es));
	bn_out(sig + 48, ECDSA_SIG_get0_s(es));
	ECDSA_SIG_free(es);
}

static void point_out(uint8_t pub[96], const EC_POINT *q)
{
	BIGNUM *x = BN_new(), *y = BN_new();
	assert_true(EC_POINT_get_affine_coordinates(grp, q, x, y, bnctx));
	bn_out(pub, x);
	bn_out(pub + 48, y);
	BN_free(x);
	BN_free(y);
}

/* A curve point with x >= x0 (the first x from x0 up that is on the curve). */
static EC_POINT *point_from_x(const BIGNUM *x0)
{
	EC_POINT *p = EC_POINT_new(grp);
	BIGNUM *x = BN_dup(x0);
	while (!EC_POINT_set_compressed_coordinates(grp, p, x, 0, bnctx))
		BN_add_word(x, 1);
	ERR_clear_error();
	BN_free(x);
	return p;
}

/* Crafts a key Q such that (r = x(R) mod n, s) is a valid signature over e:
 * u1 = e/s, u2 = r/s, Q = (R - u1 G) / u2. Public-data arithmetic only, so the
 * test can aim R anywhere (x(R) >= n, x(R) small, ...). Returns false when
 * R = u1 G (no such Q). */
static bool craft(const EC_POINT *R, const BIGNUM *e, const BIGNUM *s, uint8_t pub[96],
		  uint8_t sig[96])
{
	BIGNUM *x = BN_new(), *r = BN_new(), *w = BN_new(), *u1 = BN_new(), *u2 = BN_new(),
	       *t = BN_new(), *em = BN_new(), *g = BN_new();
	assert_true(EC_POINT_get_affine_coordinates(grp, R, x, NULL, bnctx));
	assert_true(BN_nnmod(r, x, ord, bnctx));
	assert_true(BN_nnmod(em, e, ord, bnctx));
	assert_non_null(BN_mod_inverse(w, s, ord, bnctx));
	assert_true(BN_mod_mul(u1, em, w, ord, bnctx));
	assert_true(BN_mod_mul(u2, r, w, ord, bnctx));
	/* Q = u2^-1 R + (-u1 u2^-1) G */
	assert_non_null(BN_mod_inverse(t, u2, ord, bnctx));
	assert_true(BN_mod_mul(g, u1, t, ord, bnctx));
	assert_true(BN_mod_sub(g, ord, g, ord, bnctx));
	EC_POINT *q = EC_POINT_new(grp);
	assert_true(EC_POINT_mul(grp, q, g, R, t, bnctx));
	bool ok = !EC_POINT_is_at_infinity(grp, q);
	if (ok) {
		point_out(pub, q);
		bn_out(sig, r);
		bn_out(sig + 48, s);
	}
	EC_POINT_free(q);
	BN_free(g);
	BN_free(x);
	BN_free(r);
	BN_free(w);
	BN_free(u1);
	BN_free(u2);
	BN_free(t);
	BN_free(em);
	return ok;
}

/* ---- comparison ---- */

static unsigned n_accept, n_reject;

/* Our verdict and OpenSSL's for (pub, digest, sig), which must agree; returns it. */
static bool both(const uint8_t pub[96], const uint8_t digest[48], const uint8_t sig[96],
		 const char *what)
{
	EVP_PKEY *pk = pkey_from_pub(pub);
	struct tw_p384_key *k = NULL;
	int rc = tw_p384_prepare(&k, pub);
	if (!pk) {
		if (rc != -TW_ECRYPTO_KEY)
			fail_msg("%s: OpenSSL refuses the key, prepare returned %d", what, rc);
		return false;
	}
	if (rc != 0)
		fail_msg("%s: OpenSSL accepts the key, prepare returned %d", what, rc);
	EVP_PKEY_CTX *c = verify_ctx(pk);
	bool theirs = ossl_verify(c, digest, sig);
	bool ours = tw_p384_verify(k, digest, sig);
	if (ours != theirs)
		fail_msg("%s: ours %d, OpenSSL %d", what, ours, theirs);
	ours ? n_accept++ : n_reject++;
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(pk);
	tw_p384_key_free(k);
	return ours;
}

static void rnd(uint8_t *b, size_t n)
{
	assert_int_equal(RAND_bytes(b, (int)n), 1);
}

/* big-endian a += b (mod 2^384); returns the carry */
static int be_add(uint8_t a[48], const uint8_t b[48])
{
	int c = 0;
	for (int i = 47; i >= 0; i--) {
		c += a[i] + b[i];
		a[i] = (uint8_t)c;
		c >>= 8;
	}
	return c;
}

static void be_sub1(uint8_t a[48])
{
	for (int i = 47; i >= 0 && a[i]-- == 0; i--)
		;
}

/* ---- tests ---- */

/* The transcribed constants: G on y^2 = x^3 - 3x + b mod p, [n]G = infinity on the
 * curve built from them, and the same curve as OpenSSL's secp384r1. */
static void test_curve_constants_are_consistent(void **state)
{
	(void)state;
	BIGNUM *p = hex_bn(HEX_P), *n = hex_bn(HEX_N), *b = hex_bn(HEX_B), *gx = hex_bn(HEX_GX),
	       *gy = hex_bn(HEX_GY), *a = BN_new(), *l = BN_new(), *r = BN_new(), *t = BN_new();
	/* p = 2^384 - 2^128 - 2^96 + 2^32 - 1 */
	BN_set_bit(t, 384);
	BIGNUM *u = BN_new();
	BN_set_bit(u, 128);
	BN_sub(t, t, u);
	BN_zero(u);
	BN_set_bit(u, 96);
	BN_sub(t, t, u);
	BN_zero(u);
	BN_set_bit(u, 32);
	BN_add(t, t, u);
	BN_sub_word(t, 1);
	assert_int_equal(BN_cmp(t, p), 0);
	/* y^2 == x^3 - 3x + b */
	BN_mod_sqr(l, gy, p, bnctx);
	BN_mod_sqr(r, gx, p, bnctx);
	BN_mod_mul(r, r, gx, p, bnctx);
	BN_copy(t, gx);
	BN_mul_word(t, 3);
	BN_mod_sub(r, r, t, p, bnctx);
	BN_mod_add(r, r, b, p, bnctx);
	assert_int_equal(BN_cmp(l, r), 0);
	/* [n]G = infinity, [n - 1]G = -G, on a group made from these numbers alone */
	BN_sub(a, p, BN_value_one());
	BN_sub_word(a, 2); /* a = -3 */
	EC_GROUP *own = EC_GROUP_new_curve_GFp(p, a, b, bnctx);
	assert_non_null(own);
	EC_POINT *g = EC_POINT_new(own), *q = EC_POINT_new(own);
	assert_true(EC_POINT_set_affine_coordinates(own, g, gx, gy, bnctx));
	assert_true(EC_POINT_mul(own, q, NULL, g, n, bnctx));
	assert_true(EC_POINT_is_at_infinity(own, q));
	BN_sub_word(n, 1);
	assert_true(EC_POINT_mul(own, q, NULL, g, n, bnctx));
	assert_true(EC_POINT_invert(own, g, bnctx));
	assert_int_equal(EC_POINT_cmp(own, q, g, bnctx), 0);
	BN_add_word(n, 1);
	/* and OpenSSL's named curve agrees */
	BIGNUM *op = BN_new(), *oa = BN_new(), *ob = BN_new(), *ox = BN_new(), *oy = BN_new();
	assert_true(EC_GROUP_get_curve(grp, op, oa, ob, bnctx));
	assert_int_equal(BN_cmp(op, p), 0);
	assert_int_equal(BN_cmp(oa, a), 0);
	assert_int_equal(BN_cmp(ob, b), 0);
	assert_int_equal(BN_cmp(ord, n), 0);
	assert_true(EC_POINT_get_affine_coordinates(grp, EC_GROUP_get0_generator(grp), ox, oy,
						    bnctx));
	assert_int_equal(BN_cmp(ox, gx), 0);
	assert_int_equal(BN_cmp(oy, gy), 0);
	/* our code takes G as a key */
	uint8_t pub[96];
	bn_out(pub, gx);
	bn_out(pub + 48, gy);
	struct tw_p384_key *k;
	assert_int_equal(tw_p384_prepare(&k, pub), 0);
	tw_p384_key_free(k);
	EC_POINT_free(g);
	EC_POINT_free(q);
	EC_GROUP_free(own);
	BN_free(op);
	BN_free(oa);
	BN_free(ob);
	BN_free(ox);
	BN_free(oy);
	BN_free(p);
	BN_free(n);
	BN_free(b);
	BN_free(gx);
	BN_free(gy);
	BN_free(a);
	BN_free(l);
	BN_free(r);
	BN_free(t);
	BN_free(u);
}

/* [n]G = infinity in our own arithmetic: with Q = G, s = 1 and r = x(G), verify
 * sums [e]G + [r]G. e = n + 1 - r makes that [n + 1]G = G, whose x is r (accepted);
 * e = n - r makes it [n]G, the point at infinity (refused). */
static void test_n_times_G_is_infinity_in_our_arithmetic(void **state)
{
	(void)state;
	BIGNUM *gx = hex_bn(HEX_GX), *gy = hex_bn(HEX_GY), *e = BN_new();
	uint8_t pub[96], sig[96], dg[48];
	bn_out(pub, gx);
	bn_out(pub + 48, gy);
	bn_out(sig, gx); /* x(G) < n */
	memset(sig + 48, 0, 48);
	sig[95] = 1;
	BN_sub(e, ord, gx);
	BN_add_word(e, 1);
	bn_out(dg, e);
	assert_true(both(pub, dg, sig, "[n + 1]G = G"));
	BN_sub_word(e, 1);
	bn_out(dg, e);
	assert_false(both(pub, dg, sig, "[n]G = infinity"));
	/* and [n + 2]G = 2G, whose x is not r */
	BN_add_word(e, 2);
	bn_out(dg, e);
	assert_false(both(pub, dg, sig, "[n + 2]G = 2G"));
	BN_free(gx);
	BN_free(gy);
	BN_free(e);
}

/* RFC 6605 §6.2: the published P-384 DNSKEY/RRSIG over www.example.net A. */
static void test_rfc6605_p384_vector_verifies(void **state)
{
	(void)state;
	FILE *f = fopen(DATA_DIR "rfc-signature-vectors.zone", "rb");
	if (!f)
		fail_msg("%s: cannot open", DATA_DIR "rfc-signature-vectors.zone");
	static char text[1 << 18];
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = 0;
	char *start = strstr(text, "\n;@ vector 5 |");
	assert_non_null(start);
	start = strchr(start + 1, '\n');
	char *end = strstr(start, "\n;@ vector");
	assert_non_null(end);

	struct tw_dns_zreader zr;
	struct tw_dns_zrr zrr;
	static uint8_t rd[65536];
	static uint8_t key[512], sig[512], a[64], owner[256];
	size_t key_len = 0, sig_len = 0, a_len = 0;
	uint16_t cls = 0;
	tw_dns_zreader_init(&zr, start, (size_t)(end - start), "rfc-signature-vectors.zone", NULL,
			    3600);
	int rc;
	while ((rc = tw_dns_zreader_next(&zr, &zrr, rd, sizeof(rd))) == 1) {
		uint8_t *dst = zrr.type == TW_DNS_T_DNSKEY ? key
			       : zrr.type == TW_DNS_T_RRSIG ? sig
			       : zrr.type == TW_DNS_T_A     ? a
							    : NULL;
		if (!dst)
			continue;
		size_t cl;
		assert_int_equal(tw_dns_rdata_canonical(zrr.type, zrr.rdata, zrr.rdlen, 0, zrr.rdlen,
							dst, 512, &cl),
				 0);
		if (zrr.type == TW_DNS_T_DNSKEY)
			key_len = cl;
		else if (zrr.type == TW_DNS_T_RRSIG)
			sig_len = cl;
		else {
			a_len = cl;
			memcpy(owner, zrr.owner, zrr.owner_len);
			cls = zrr.cls;
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(key_len, 4 + 96);
	assert_int_equal(key[3], 14);
	assert_int_equal(a_len, 4);
	assert_true(sig_len > 96);
	assert_int_equal(sig[2], 14);

	static uint8_t data[4096];
	size_t dlen;
	struct tw_crypto_rr rr = { a, (uint16_t)a_len };
	assert_int_equal(tw_crypto_sigdata(sig, sig_len, owner, cls, &rr, 1, data, sizeof(data),
					   &dlen),
			 0);
	uint8_t digest[48];
	unsigned int hl;
	assert_true(EVP_Digest(data, dlen, digest, &hl, EVP_sha384(), NULL));
	assert_int_equal(hl, 48);

	const uint8_t *pub = key + 4, *rs = sig + sig_len - 96;
	struct tw_p384_key *k;
	assert_int_equal(tw_p384_prepare(&k, pub), 0);
	assert_true(tw_p384_verify(k, digest, rs));
	assert_true(both(pub, digest, rs, "RFC 6605 6.2"));
	uint8_t bad[96];
	memcpy(bad, rs, 96);
	bad[80] ^= 0x10;
	assert_false(tw_p384_verify(k, digest, bad));
	assert_false(both(pub, digest, bad, "RFC 6605 6.2, s altered"));
	memcpy(bad, rs, 96);
	bad[7] ^= 0x01;
	assert_false(both(pub, digest, bad, "RFC 6605 6.2, r altered"));
	digest[47] ^= 1;
	assert_false(tw_p384_verify(k, digest, rs));
	tw_p384_key_free(k);
}

/* Random keys, digests and OpenSSL signatures. Every valid signature is
 * accepted by us (OpenSSL confirms one in eight), and each gets one alteration,
 * in turn r, s, the digest (one random bit flipped), another key, a random r | s,
 * whose verdict must be OpenSSL's. Sign and verify dominate the run time:
 * OpenSSL 3.0's P-384 takes ~0.6 ms for each. */
static void test_differential_random_signatures_match_openssl(void **state)
{
	(void)state;
	int nsigs = 5000, per_key = 40;
	const char *env = getenv("P384_DIFF_SIGS");
	if (env)
		nsigs = atoi(env);
	int nkeys = (nsigs + per_key - 1) / per_key;
	unsigned acc0 = n_accept, rej0 = n_reject, sigs = 0, altered = 0, other = 0;
	struct tw_p384_key *prev = NULL;
	EVP_PKEY *prev_pk = NULL;
	EVP_PKEY_CTX *prev_c = NULL;
	for (int i = 0; i < nkeys; i++) {
		uint8_t pub[96];
		EVP_PKEY *pk = new_key(pub, NULL);
		struct tw_p384_key *k;
		assert_int_equal(tw_p384_prepare(&k, pub), 0);
		EVP_PKEY_CTX *c = verify_ctx(pk);
		for (int j = 0; j < per_key && (int)sigs < nsigs; j++) {
			uint8_t dg[48], sig[96], x[96], xd[48];
			rnd(dg, 48);
			if (j == 0) /* digests >= n */
				memset(dg, 0xff, 24);
			ossl_sign(pk, dg, sig);
			sigs++;
			if (j % 8 == 0)
				assert_true(ossl_verify(c, dg, sig));
			if (!tw_p384_verify(k, dg, sig))
				fail_msg("key %d sig %d: valid signature refused", i, j);
			n_accept++;
			int which = (int)(sigs % 5);
			bool t, o;
			memcpy(x, sig, 96);
			memcpy(xd, dg, 48);
			if (which < 3) { /* r, s or the digest with one random bit flipped */
				uint16_t bit;
				rnd((uint8_t *)&bit, 2);
				bit %= 384;
				if (which < 2)
					x[which * 48 + (bit >> 3)] ^= (uint8_t)(1 << (bit & 7));
				else
					xd[bit >> 3] ^= (uint8_t)(1 << (bit & 7));
				t = ossl_verify(c, xd, x);
				o = tw_p384_verify(k, xd, x);
			} else if (which == 3 && prev) { /* another key */
				t = ossl_verify(prev_c, dg, sig);
				o = tw_p384_verify(prev, dg, sig);
				other++;
			} else { /* a random r | s */
				rnd(x, 96);
				t = ossl_verify(c, dg, x);
				o = tw_p384_verify(k, dg, x);
			}
			if (t != o)
				fail_msg("key %d sig %d alteration %d: ours %d, OpenSSL %d", i, j, which,
					 o, t);
			o ? n_accept++ : n_reject++;
			altered++;
		}
		EVP_PKEY_CTX_free(prev_c);
		EVP_PKEY_free(prev_pk);
		tw_p384_key_free(prev);
		prev = k;
		prev_pk = pk;
		prev_c = c;
	}
	EVP_PKEY_CTX_free(prev_c);
	EVP_PKEY_free(prev_pk);
	tw_p384_key_free(prev);
	assert_int_equal(sigs, nsigs);
	print_message("differential: %d keys, %u OpenSSL signatures accepted, %u altered "
		      "(%u with another key); %u accepted, %u rejected alike\n",
		      nkeys, sigs, altered, other, n_accept - acc0, n_reject - rej0);
}

/* r, s in {0, n, n-1, n+1, 2^384-1} around a valid signature, and s -> n - s. */
static void test_range_limits_match_openssl(void **state)
{
	(void)state;
	uint8_t pub[96], dg[48], sig[96], x[96];
	EVP_PKEY *pk = new_key(pub, NULL);
	rnd(dg, 48);
	ossl_sign(pk, dg, sig);
	assert_true(both(pub, dg, sig, "valid"));
	uint8_t vals[5][48];
	memset(vals[0], 0, 48);
	memcpy(vals[1], N_BE, 48);
	memcpy(vals[2], N_BE, 48);
	be_sub1(vals[2]);
	memcpy(vals[3], N_BE, 48);
	vals[3][47]++;
	memset(vals[4], 0xff, 48);
	for (int half = 0; half < 2; half++) {
		for (int v = 0; v < 5; v++) {
			memcpy(x, sig, 96);
			memcpy(x + half * 48, vals[v], 48);
			char what[64];
			snprintf(what, sizeof(what), "%c = value %d", half ? 's' : 'r', v);
			assert_false(both(pub, dg, x, what));
		}
	}
	/* s and n - s are both valid (R and -R share x) */
	BIGNUM *s = BN_bin2bn(sig + 48, 48, NULL);
	BN_sub(s, ord, s);
	memcpy(x, sig, 48);
	bn_out(x + 48, s);
	assert_true(both(pub, dg, x, "s -> n - s"));
	BN_free(s);
	EVP_PKEY_free(pk);
}

/* s = n - 1 and r = n - 1 in valid signatures, crafted with Q aimed at R. */
static void test_n_minus_1_valid_signatures(void **state)
{
	(void)state;
	uint8_t pub[96], sig[96], dg[48];
	BIGNUM *s = BN_dup(ord), *e = BN_new();
	BN_sub_word(s, 1);
	rnd(dg, 48);
	BN_bin2bn(dg, 48, e);
	EC_POINT *R = EC_POINT_new(grp);
	BIGNUM *k = BN_new();
	BN_rand_range(k, ord);
	EC_POINT_mul(grp, R, k, NULL, NULL, bnctx);
	assert_true(craft(R, e, s, pub, sig));
	assert_true(both(pub, dg, sig, "s = n - 1"));
	EC_POINT_free(R);

	/* r = n - 1 needs x(R) = n - 1 (2n - 1 > p): only if n - 1 is an x on the curve */
	BIGNUM *x = BN_dup(ord);
	BN_sub_word(x, 1);
	R = EC_POINT_new(grp);
	if (EC_POINT_set_compressed_coordinates(grp, R, x, 0, bnctx)) {
		BN_rand_range(s, ord);
		assert_true(craft(R, e, s, pub, sig));
		assert_true(both(pub, dg, sig, "r = n - 1"));
	} else {
		print_message("n - 1 is not the x of a curve point: r = n - 1 tested as a rejection only\n");
		ERR_clear_error();
	}
	EC_POINT_free(R);
	BN_free(x);
	BN_free(k);
	BN_free(s);
	BN_free(e);
}

/* x(R) >= n: x(R) mod n = x(R) - n is r, and x(R) itself (>= n) is out of range. */
static void test_x_of_R_at_least_n_is_reduced(void **state)
{
	(void)state;
	uint8_t pub[96], sig[96], dg[48], x[96];
	for (int round = 0; round < 8; round++) {
		BIGNUM *x0 = BN_bin2bn(N_BE, 48, NULL), *s = BN_new(), *e = BN_new();
		BIGNUM *off = BN_new();
		BN_rand(off, 150, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
		BN_add(x0, x0, off); /* n + up to 2^150 < p (p - n is about 2^189) */
		EC_POINT *R = point_from_x(x0);
		rnd(dg, 48);
		if (round == 0)
			memset(dg, 0, 48); /* u1 = 0 as well: [u2]Q alone */
		BN_bin2bn(dg, 48, e);
		BN_rand_range(s, ord);
		assert_true(craft(R, e, s, pub, sig));
		/* r = x(R) - n is small: x(R) really was >= n */
		assert_int_equal(sig[0], 0);
		assert_true(both(pub, dg, sig, "x(R) >= n"));
		/* r = x(R) itself: out of range */
		uint8_t xr[48];
		BIGNUM *xb = BN_new();
		EC_POINT_get_affine_coordinates(grp, R, xb, NULL, bnctx);
		bn_out(xr, xb);
		memcpy(x, xr, 48);
		memcpy(x + 48, sig + 48, 48);
		assert_false(both(pub, dg, x, "r = x(R) >= n"));
		/* r off by one */
		memcpy(x, sig, 96);
		x[47] ^= 1;
		assert_false(both(pub, dg, x, "x(R) >= n, r altered"));
		BN_free(xb);
		BN_free(off);
		EC_POINT_free(R);
		BN_free(x0);
		BN_free(s);
		BN_free(e);
	}
}

/* Small x(R) so that r + n < 2^384 is a 384-bit value: r + n must be refused,
 * though (r + n) mod n would match. */
static void test_r_plus_n_is_refused(void **state)
{
	(void)state;
	uint8_t pub[96], sig[96], dg[48], x[96];
	BIGNUM *x0 = BN_new(), *s = BN_new(), *e = BN_new();
	BN_set_word(x0, 5);
	EC_POINT *R = point_from_x(x0);
	rnd(dg, 48);
	BN_bin2bn(dg, 48, e);
	BN_rand_range(s, ord);
	assert_true(craft(R, e, s, pub, sig));
	assert_true(both(pub, dg, sig, "small r"));
	memcpy(x, sig, 96);
	assert_int_equal(be_add(x, N_BE), 0);
	assert_false(both(pub, dg, x, "r + n"));
	EC_POINT_free(R);
	BN_free(x0);
	BN_free(s);
	BN_free(e);
}

/* Digests 0, n, n + 1, 2^384 - 1 (u1 = 0 for 0 and n), signed by OpenSSL: the
 * whole 384-bit digest is e, reduced mod n. */
static void test_special_digests_match_openssl(void **state)
{
	(void)state;
	uint8_t pub[96], sig[96], dg[4][48];
	EVP_PKEY *pk = new_key(pub, NULL);
	memset(dg[0], 0, 48);
	memcpy(dg[1], N_BE, 48);
	memcpy(dg[2], N_BE, 48);
	dg[2][47]++;
	memset(dg[3], 0xff, 48);
	for (int i = 0; i < 4; i++) {
		ossl_sign(pk, dg[i], sig);
		assert_true(both(pub, dg[i], sig, "special digest"));
		uint8_t x[96];
		memcpy(x, sig, 96);
		x[95] ^= 2;
		assert_false(both(pub, dg[i], x, "special digest, s altered"));
	}
	/* digest and digest +/- n mean the same e: the signature for 0 verifies with
	 * n, and the other way round; 2^384 - 1 and 2^384 - 1 - n likewise */
	ossl_sign(pk, dg[0], sig);
	assert_true(both(pub, dg[1], sig, "signed 0, checked as n"));
	ossl_sign(pk, dg[1], sig);
	assert_true(both(pub, dg[0], sig, "signed n, checked as 0"));
	BIGNUM *m = BN_bin2bn(dg[3], 48, NULL);
	BN_sub(m, m, ord);
	uint8_t dm[48];
	bn_out(dm, m);
	ossl_sign(pk, dg[3], sig);
	assert_true(both(pub, dm, sig, "signed 2^384 - 1, checked as 2^384 - 1 - n"));
	/* a digest of 2^384 - 1 is not truncated: 2^383 - 1 (its top 383 bits) fails */
	uint8_t ds[48];
	memset(ds, 0xff, 48);
	ds[0] = 0x7f;
	assert_false(both(pub, ds, sig, "signed 2^384 - 1, checked as 2^383 - 1"));
	BN_free(m);
	EVP_PKEY_free(pk);
}

/* [u1]G + [u2]Q = infinity: Q = dG and e = -r d mod n make u1 + u2 d = 0.
 * (u2 = r/s is never 0: r and s are in [1, n-1].) */
static void test_sum_at_infinity_is_refused(void **state)
{
	(void)state;
	for (int round = 0; round < 8; round++) {
		uint8_t pub[96], sig[96], dg[48];
		BIGNUM *d = NULL;
		EVP_PKEY *pk = new_key(pub, &d);
		BIGNUM *r = BN_new(), *s = BN_new(), *e = BN_new();
		BN_rand_range(r, ord);
		BN_rand_range(s, ord);
		if (BN_is_zero(r) || BN_is_zero(s))
			BN_one(r), BN_one(s);
		assert_true(BN_mod_mul(e, r, d, ord, bnctx));
		assert_true(BN_mod_sub(e, ord, e, ord, bnctx));
		bn_out(dg, e);
		bn_out(sig, r);
		bn_out(sig + 48, s);
		assert_false(both(pub, dg, sig, "sum at infinity"));
		/* the same with e + n where that still fits 384 bits */
		uint8_t d2[48];
		memcpy(d2, dg, 48);
		if (!be_add(d2, N_BE))
			assert_false(both(pub, d2, sig, "sum at infinity, e + n"));
		BN_free(d);
		BN_free(r);
		BN_free(s);
		BN_free(e);
		EVP_PKEY_free(pk);
	}
}

/* Q = G and u1 = u2 (the mixed addition meets its own point: a doubling inside). */
static void test_equal_points_in_sum_match_openssl(void **state)
{
	(void)state;
	uint8_t pub[96], sig[96], dg[48];
	point_out(pub, EC_GROUP_get0_generator(grp));
	/* e = r makes u1 = u2; then R = 2 u1 G, computed here for a valid r */
	for (int round = 0; round < 8; round++) {
		BIGNUM *k = BN_new(), *s = BN_new(), *r = BN_new(), *x = BN_new(), *t = BN_new();
		EC_POINT *R = EC_POINT_new(grp);
		BN_rand_range(k, ord);
		EC_POINT_mul(grp, R, k, NULL, NULL, bnctx); /* R = kG = 2 u1 G */
		EC_POINT_get_affine_coordinates(grp, R, x, NULL, bnctx);
		BN_nnmod(r, x, ord, bnctx);
		/* u1 = r/s = k/2 -> s = 2r/k */
		BN_mod_inverse(t, k, ord, bnctx);
		BN_mod_mul(s, r, t, ord, bnctx);
		BN_mod_add(s, s, s, ord, bnctx);
		bn_out(dg, r);
		bn_out(sig, r);
		bn_out(sig + 48, s);
		assert_true(both(pub, dg, sig, "Q = G, u1 = u2"));
		sig[60] ^= 4;
		assert_false(both(pub, dg, sig, "Q = G, u1 = u2, s altered"));
		EC_POINT_free(R);
		BN_free(k);
		BN_free(s);
		BN_free(r);
		BN_free(x);
		BN_free(t);
	}
}

/* Keys off the curve or with a coordinate >= p: prepare refuses, as OpenSSL does. */
static void test_prepare_refuses_points_off_the_curve(void **state)
{
	(void)state;
	uint8_t pub[96], bad[96];
	EVP_PKEY *pk = new_key(pub, NULL);
	struct tw_p384_key *k = (struct tw_p384_key *)1;
	memcpy(bad, pub, 96);
	bad[95] ^= 1;
	assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
	assert_null(k);
	assert_null(pkey_from_pub(bad));
	memcpy(bad, pub, 96);
	bad[3] ^= 0x40;
	assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
	assert_null(pkey_from_pub(bad));
	memset(bad, 0, 96);
	assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
	assert_null(pkey_from_pub(bad));
	/* x >= p, and x + p for an x on the curve */
	memcpy(bad, pub, 96);
	memcpy(bad, P_BE, 48);
	assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
	assert_null(pkey_from_pub(bad));
	BIGNUM *x0 = BN_new();
	BN_set_word(x0, 1);
	EC_POINT *R = point_from_x(x0); /* small x: x + p < 2^384 */
	point_out(pub, R);
	memcpy(bad, pub, 96);
	assert_int_equal(be_add(bad, P_BE), 0);
	assert_int_equal(tw_p384_prepare(&k, pub), 0);
	tw_p384_key_free(k);
	assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
	assert_null(pkey_from_pub(bad));
	/* y >= p: p itself, and y + p for the same point */
	memcpy(bad, pub, 96);
	memcpy(bad + 48, P_BE, 48);
	assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
	assert_null(pkey_from_pub(bad));
	memcpy(bad, pub, 96);
	if (!be_add(bad + 48, P_BE)) {
		assert_int_equal(tw_p384_prepare(&k, bad), -TW_ECRYPTO_KEY);
		assert_null(pkey_from_pub(bad));
	}
	EC_POINT_free(R);
	BN_free(x0);
	EVP_PKEY_free(pk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curve_constants_are_consistent),
		cmocka_unit_test(test_n_times_G_is_infinity_in_our_arithmetic),
		cmocka_unit_test(test_rfc6605_p384_vector_verifies),
		cmocka_unit_test(test_range_limits_match_openssl),
		cmocka_unit_test(test_n_minus_1_valid_signatures),
		cmocka_unit_test(test_x_of_R_at_least_n_is_reduced),
		cmocka_unit_test(test_r_plus_n_is_refused),
		cmocka_unit_test(test_special_digests_match_openssl),
		cmocka_unit_test(test_sum_at_infinity_is_refused),
		cmocka_unit_test(test_equal_points_in_sum_match_openssl),
		cmocka_unit_test(test_prepare_refuses_points_off_the_curve),
		cmocka_unit_test(test_differential_random_signatures_match_openssl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
