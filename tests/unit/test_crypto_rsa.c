/* Unit tests for crypto/rsa.c: the RFC 5702 §6 vectors, a differential test
 * against OpenSSL 3 EVP_PKEY_verify (RSA_PKCS1_PADDING, the key's digest) on
 * random keys and signatures, valid and altered, and forged PKCS#1 blocks; every
 * verdict of ours must equal OpenSSL's. Also pins that a verification allocates
 * nothing once its scratch is warm.
 *
 * The random keys: n is the product of random 128-bit primes (and one last prime
 * sized to give n exactly 1024, 2048 or 4096 bits), so that thousands of keys
 * cost little to make; d = e^-1 mod prod(p - 1). Public-key verification neither
 * knows nor cares how n factors. OpenSSL signs with these keys as (n, e, d)
 * private keys: PKCS#1 signatures through EVP_PKEY_sign with the digest, forged
 * blocks through EVP_PKEY_sign with RSA_NO_PADDING. A few real keys from
 * OpenSSL's key generation are checked too.
 *
 * Environment: RSA_DIFF_KEYS (random keys, default 1500), RSA_DIFF_SEED (the
 * seed of the case choices, printed on a mismatch). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto/digest.h"
#include "crypto/rsa.h"
#include "crypto/sigdata.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#ifndef TW_SOURCE_ROOT
#define TW_SOURCE_ROOT "."
#endif
#define DATA_DIR TW_SOURCE_ROOT "/../shared/data/dnssec/"

#define KMAX 512 /* octets of the largest modulus tested (4096 bits) */

/* ---- OpenSSL allocations, counted (set before OpenSSL allocates anything) ---- */

static unsigned long ossl_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	ossl_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* ---- random choices (reproducible from the seed) ---- */

static uint64_t rng_state;
static uint64_t seed;

static uint64_t rng(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static void rng_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng() >> 24);
}

/* ---- keys ---- */

static const EVP_MD *mds[3];
static const char *const md_name[3] = { "SHA1", "SHA256", "SHA512" };
static struct tw_rsa_scratch *scr;

struct tkey {
	BIGNUM *n, *e, *d;
	size_t k;               /* octets of n */
	uint8_t nbin[KMAX];
	EVP_PKEY *pub, *priv;   /* priv: NULL for a public-only key */
	EVP_PKEY_CTX *vctx[3];  /* verify contexts, one per digest, as verify.c */
	EVP_PKEY_CTX *raw;      /* private, RSA_NO_PADDING */
	struct tw_rsa_key *tw;
};

static EVP_PKEY *pkey_from(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *p = NULL;
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_non_null(b);
	assert_non_null(c);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e), 1);
	if (d)
		assert_int_equal(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_D, d), 1);
	assert_non_null(p = OSSL_PARAM_BLD_to_param(b));
	assert_int_equal(EVP_PKEY_fromdata_init(c), 1);
	assert_int_equal(EVP_PKEY_fromdata(c, &pk, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, p),
			 1);
	OSSL_PARAM_free(p);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(c);
	return pk;
}

/* Fills in everything of t from t->n, t->e (and t->d: then it can sign). */
static void tkey_finish(struct tkey *t)
{
	t->k = (size_t)BN_num_bytes(t->n);
	assert_true(t->k <= KMAX);
	assert_int_equal(BN_bn2binpad(t->n, t->nbin, (int)t->k), (int)t->k);
	uint8_t eb[64];
	int el = BN_bn2bin(t->e, eb);
	assert_int_equal(tw_rsa_prepare(&t->tw, t->nbin, t->k, eb, (size_t)el), 0);
	assert_int_equal(tw_rsa_key_len(t->tw), t->k);
	t->pub = pkey_from(t->n, t->e, NULL);
	for (int i = 0; i < 3; i++) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, t->pub, NULL);
		assert_non_null(c);
		assert_int_equal(EVP_PKEY_verify_init(c), 1);
		assert_int_equal(EVP_PKEY_CTX_set_signature_md(c, mds[i]), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
		t->vctx[i] = c;
	}
	if (t->d) {
		t->priv = pkey_from(t->n, t->e, t->d);
		t->raw = EVP_PKEY_CTX_new_from_pkey(NULL, t->priv, NULL);
		assert_non_null(t->raw);
		assert_int_equal(EVP_PKEY_sign_init(t->raw), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(t->raw, RSA_NO_PADDING), 1);
	}
}

static void tkey_free(struct tkey *t)
{
	BN_free(t->n);
	BN_free(t->e);
	BN_free(t->d);
	EVP_PKEY_free(t->pub);
	EVP_PKEY_free(t->priv);
	for (int i = 0; i < 3; i++)
		EVP_PKEY_CTX_free(t->vctx[i]);
	EVP_PKEY_CTX_free(t->raw);
	tw_rsa_key_free(t->tw);
	memset(t, 0, sizeof(*t));
}

/* A random prime of `bits` bits with gcd(e, p - 1) = 1. */
static void prime_for(BIGNUM *p, int bits, const BIGNUM *e, BN_CTX *c)
{
	BIGNUM *g = BN_CTX_get(c), *p1 = BN_CTX_get(c);
	assert_non_null(p1);
	do {
		assert_int_equal(BN_generate_prime_ex(p, bits, 0, NULL, NULL, NULL), 1);
		assert_int_equal(BN_sub(p1, p, BN_value_one()), 1);
		assert_int_equal(BN_gcd(g, e, p1, c), 1);
	} while (!BN_is_one(g));
}

/* A random key of exactly `bits` bits with exponent e (taken over). */
static void synth_key(struct tkey *t, int bits, BIGNUM *e)
{
	BN_CTX *c = BN_CTX_new();
	assert_non_null(c);
	BN_CTX_start(c);
	BIGNUM *p = BN_CTX_get(c), *p1 = BN_CTX_get(c), *phi = BN_CTX_get(c),
	       *nq = BN_CTX_get(c);
	assert_non_null(nq);
	memset(t, 0, sizeof(*t));
	t->e = e;
	t->n = BN_new();
	t->d = BN_new();
	assert_non_null(t->d);
	for (;;) {
		BN_one(t->n);
		BN_one(phi);
		while (BN_num_bits(t->n) < bits - 160) {
			prime_for(p, 128, e, c);
			assert_int_equal(BN_mul(t->n, t->n, p, c), 1);
			assert_int_equal(BN_sub(p1, p, BN_value_one()), 1);
			assert_int_equal(BN_mul(phi, phi, p1, c), 1);
		}
		int r = bits - BN_num_bits(t->n);
		bool done = false;
		for (int tries = 0; tries < 8 && !done; tries++) {
			prime_for(p, r + (tries & 1), e, c);
			assert_int_equal(BN_mul(nq, t->n, p, c), 1);
			done = BN_num_bits(nq) == bits;
		}
		if (!done)
			continue;
		BN_copy(t->n, nq);
		assert_int_equal(BN_sub(p1, p, BN_value_one()), 1);
		assert_int_equal(BN_mul(phi, phi, p1, c), 1);
		if (BN_mod_inverse(t->d, e, phi, c))
			break;
		ERR_clear_error();
	}
	BN_CTX_end(c);
	BN_CTX_free(c);
	tkey_finish(t);
}

/* A key from OpenSSL's own key generation. */
static void real_key(struct tkey *t, int bits, unsigned long e)
{
	memset(t, 0, sizeof(*t));
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *be = BN_new();
	EVP_PKEY *pk = NULL;
	assert_non_null(c);
	assert_non_null(be);
	assert_int_equal(BN_set_word(be, e), 1);
	assert_int_equal(EVP_PKEY_keygen_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c, bits), 1);
	assert_int_equal(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, be), 1);
	assert_int_equal(EVP_PKEY_keygen(c, &pk), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &t->n), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &t->e), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_D, &t->d), 1);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(c);
	BN_free(be);
	tkey_finish(t);
}

/* ---- signing and comparing ---- */

static unsigned long compared, valid_seen;

/* Asserts that we and OpenSSL agree on (md, hash, sig), and on expect when it is
 * 0 or 1 (-1: no expectation); returns the verdict. */
static bool same_verdict(const struct tkey *t, int mdi, const uint8_t *hash, size_t hlen,
			 const uint8_t *sig, size_t slen, int expect, const char *what)
{
	bool ours = tw_rsa_verify(scr, t->tw, mds[mdi], hash, hlen, sig, slen);
	int r = EVP_PKEY_verify(t->vctx[mdi], sig, slen, hash, hlen);
	bool theirs = r == 1;
	ERR_clear_error();
	compared++;
	valid_seen += theirs;
	if (ours != theirs || (expect >= 0 && theirs != (expect == 1))) {
		char *nh = BN_bn2hex(t->n), *eh = BN_bn2hex(t->e);
		fprintf(stderr, "%s: %s, n=%s e=%s siglen=%zu hlen=%zu: ours %d, OpenSSL %d (%d), "
			"expected %d; RSA_DIFF_SEED=%llu\n",
			what, md_name[mdi], nh, eh, slen, hlen, ours, theirs, r, expect,
			(unsigned long long)seed);
		OPENSSL_free(nh);
		OPENSSL_free(eh);
		fail();
	}
	return ours;
}

/* OpenSSL's own PKCS#1 v1.5 signature of hash with md. */
static void pkcs1_sign(const struct tkey *t, int mdi, const uint8_t *hash, size_t hlen,
		       uint8_t *sig)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, t->priv, NULL);
	size_t len = t->k;
	assert_non_null(c);
	assert_int_equal(EVP_PKEY_sign_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(c, mds[mdi]), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_sign(c, sig, &len, hash, hlen), 1);
	assert_int_equal(len, t->k);
	EVP_PKEY_CTX_free(c);
}

/* Raw RSA: sig = em^d mod n (em is k octets and < n). */
static void raw_sign(const struct tkey *t, const uint8_t *em, uint8_t *sig)
{
	size_t len = t->k;
	assert_int_equal(EVP_PKEY_sign(t->raw, sig, &len, em, t->k), 1);
	assert_int_equal(len, t->k);
}

static const uint8_t di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
				   0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const uint8_t di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t di_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };
/* The same without the NULL parameters (RFC 8017 §9.2 note 2: not what we
 * accept, since OpenSSL 3 does not) */
static const uint8_t di_sha1_nonull[] = { 0x30, 0x1f, 0x30, 0x07, 0x06, 0x05, 0x2b,
					  0x0e, 0x03, 0x02, 0x1a, 0x04, 0x14 };
static const uint8_t di_sha256_nonull[] = { 0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
					    0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20 };
static const uint8_t di_sha512_nonull[] = { 0x30, 0x4f, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
					    0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x04, 0x40 };
static const uint8_t *const di[3] = { di_sha1, di_sha256, di_sha512 };
static const size_t di_len[3] = { sizeof(di_sha1), sizeof(di_sha256), sizeof(di_sha512) };
static const uint8_t *const di_nonull[3] = { di_sha1_nonull, di_sha256_nonull, di_sha512_nonull };
static const size_t di_nonull_len[3] = { sizeof(di_sha1_nonull), sizeof(di_sha256_nonull),
					 sizeof(di_sha512_nonull) };
static const size_t hash_len[3] = { 20, 32, 64 };

/* EM = 00 01 FF.. 00 prefix hash tail: PS fills what the rest leaves. */
static void encode(uint8_t *em, size_t k, const uint8_t *prefix, size_t plen, const uint8_t *hash,
		   size_t hlen, const uint8_t *tail, size_t tlen)
{
	size_t ps = k - 3 - plen - hlen - tlen;
	em[0] = 0;
	em[1] = 1;
	memset(em + 2, 0xff, ps);
	em[2 + ps] = 0;
	if (plen)
		memcpy(em + 3 + ps, prefix, plen);
	if (hlen)
		memcpy(em + 3 + ps + plen, hash, hlen);
	if (tlen) /* tail may be NULL when empty */
		memcpy(em + 3 + ps + plen + hlen, tail, tlen);
}

/* Whether to try one of the forged blocks with this key: each is a private-key
 * operation, the cost of the whole test, so each key gets about a third of them
 * (every one is still tried with hundreds of keys). */
static bool pick(void)
{
	return rng() % 10 < 3;
}

/* Every case for one key: a valid signature and its alterations, values out of
 * range, wrong lengths, and (a random third of the) forged blocks. */
static void exercise(const struct tkey *t)
{
	size_t k = t->k;
	int mdi = (int)(rng() % 3), other = (mdi + 1 + (int)(rng() % 2)) % 3;
	size_t hl = hash_len[mdi];
	uint8_t hash[64], h2[64], sig[KMAX + 1], alt[KMAX + 1], em[KMAX];
	rng_bytes(hash, sizeof(hash));

	/* a valid signature made by OpenSSL */
	pkcs1_sign(t, mdi, hash, hl, sig);
	same_verdict(t, mdi, hash, hl, sig, k, 1, "valid");

	/* one signature bit flipped (possibly to >= n) */
	memcpy(alt, sig, k);
	size_t bit = (size_t)(rng() % (k * 8));
	alt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	same_verdict(t, mdi, hash, hl, alt, k, 0, "signature bit flipped");

	/* one digest bit flipped */
	memcpy(h2, hash, sizeof(h2));
	bit = (size_t)(rng() % (hl * 8));
	h2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	same_verdict(t, mdi, h2, hl, sig, k, 0, "digest bit flipped");

	/* the digest the wrong length for md; another digest algorithm */
	same_verdict(t, mdi, hash, hl - 1, sig, k, 0, "digest one octet short");
	same_verdict(t, other, hash, hash_len[other], sig, k, 0, "verified with another digest");

	/* another algorithm's DigestInfo, its digest the first octets of ours */
	if (pick()) {
		encode(em, k, di[other], di_len[other], hash, hash_len[other], NULL, 0);
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, "another algorithm's DigestInfo");
		same_verdict(t, other, hash, hash_len[other], alt, k, 1, "its own algorithm");
	}

	/* the correct block raw-signed is OpenSSL's signature (so the forgeries
	 * below are not refused for a mistake of raw signing) */
	if (pick()) {
		encode(em, k, di[mdi], di_len[mdi], hash, hl, NULL, 0);
		raw_sign(t, em, alt);
		assert_memory_equal(alt, sig, k);
	}

	/* signatures >= n and of the wrong length */
	same_verdict(t, mdi, hash, hl, t->nbin, k, 0, "signature = n");
	memset(alt, 0xff, k);
	same_verdict(t, mdi, hash, hl, alt, k, 0, "signature all ones");
	memcpy(alt, t->nbin, k);
	size_t i = k - 1 - (size_t)(rng() % 8);
	while (i > 0 && alt[i] == 0xff)
		alt[i--] = 0;
	alt[i]++;
	same_verdict(t, mdi, hash, hl, alt, k, 0, "signature just above n");
	memset(alt, 0, k);
	same_verdict(t, mdi, hash, hl, alt, k, 0, "signature 0");
	alt[k - 1] = 1;
	same_verdict(t, mdi, hash, hl, alt, k, 0, "signature 1");
	memcpy(alt, t->nbin, k);
	alt[k - 1] ^= 1; /* n - 1 (n is odd) */
	same_verdict(t, mdi, hash, hl, alt, k, 0, "signature n - 1");
	alt[0] = 0;
	memcpy(alt + 1, sig, k);
	same_verdict(t, mdi, hash, hl, alt, k + 1, 0, "leading zero octet added");
	same_verdict(t, mdi, hash, hl, sig, k - 1, 0, "last octet cut");
	same_verdict(t, mdi, hash, hl, sig + 1, k - 1, 0, "first octet cut");
	same_verdict(t, mdi, hash, hl, sig, 0, 0, "empty signature");

	/* forged blocks, each raw-signed: one octet of the block changed */
	static const struct {
		size_t at; /* 0, 1, a PS octet (2), the separator (3), the prefix (4), the
			    * digest (5) */
		const char *what;
	} spot[] = { { 0, "first octet" }, { 1, "block type" }, { 2, "padding octet" },
		     { 3, "separator" }, { 4, "DigestInfo octet" }, { 5, "digest octet" } };
	size_t ps = k - 3 - di_len[mdi] - hl;
	for (size_t j = 0; j < sizeof(spot) / sizeof(spot[0]); j++) {
		if (!pick())
			continue;
		encode(em, k, di[mdi], di_len[mdi], hash, hl, NULL, 0);
		size_t at = spot[j].at == 0   ? 0
			    : spot[j].at == 1 ? 1
			    : spot[j].at == 2 ? 2 + (size_t)(rng() % ps)
			    : spot[j].at == 3 ? 2 + ps
			    : spot[j].at == 4 ? 3 + ps + (size_t)(rng() % di_len[mdi])
					      : 3 + ps + di_len[mdi] + (size_t)(rng() % hl);
		uint8_t v;
		do /* 0x00 in PS (an early separator) and 0x02 as block type are in;
		    * a first octet stays below n's so that the block is < n */
			v = (uint8_t)(at == 0 ? 1 + rng() % (t->nbin[0] - 1u)
				      : rng() % 4 == 0 ? rng() % 3 : rng());
		while (v == em[at]);
		em[at] = v;
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, spot[j].what);
	}

	/* garbage after the digest, PS shortened to keep the length */
	uint8_t tail[16];
	size_t tl = 1 + (size_t)(rng() % sizeof(tail));
	rng_bytes(tail, tl);
	if (pick()) {
		encode(em, k, di[mdi], di_len[mdi], hash, hl, tail, tl);
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, "garbage after the digest");
	}

	/* the whole T shifted left, zeros after it (a short PS) */
	if (pick()) {
		encode(em, k, di[mdi], di_len[mdi], hash, hl, (const uint8_t *)"\0\0\0\0", 4);
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, "zeros after the digest");
	}

	/* the block shifted right one octet: 00 00 01 FF.. */
	if (pick()) {
		encode(em + 1, k - 1, di[mdi], di_len[mdi], hash, hl, NULL, 0);
		em[0] = 0;
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, "block shifted right");
	}

	/* DigestInfo without the NULL parameters */
	if (pick()) {
		encode(em, k, di_nonull[mdi], di_nonull_len[mdi], hash, hl, NULL, 0);
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, "DigestInfo without NULL");
	}

	/* fewer than 8 octets of PS: only when the key is small enough to allow
	 * it, T made longer with garbage in front of the DigestInfo */
	if (k >= 3 + di_len[mdi] + hl + 7 && pick()) {
		size_t short_ps = (size_t)(rng() % 8);
		size_t junk = k - 3 - short_ps - di_len[mdi] - hl;
		uint8_t *p = em;
		*p++ = 0;
		*p++ = 1;
		memset(p, 0xff, short_ps);
		p += short_ps;
		*p++ = 0;
		rng_bytes(p, junk);
		p += junk;
		memcpy(p, di[mdi], di_len[mdi]);
		memcpy(p + di_len[mdi], hash, hl);
		raw_sign(t, em, alt);
		same_verdict(t, mdi, hash, hl, alt, k, 0, "short padding");
	}

	/* a random value */
	rng_bytes(alt, k);
	alt[0] &= 0x7f;
	same_verdict(t, mdi, hash, hl, alt, k, 0, "random signature");
}

/* ---- tests ---- */

static int setup(void **state)
{
	(void)state;
	/* fetched, as crypto/md.c does */
	for (int i = 0; i < 3; i++)
		if (!(mds[i] = EVP_MD_fetch(NULL, md_name[i], NULL)))
			return -1;
	scr = tw_rsa_scratch_new();
	const char *env = getenv("RSA_DIFF_SEED");
	seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) * 2654435761u;
	if (seed == 0)
		seed = 1;
	rng_state = seed;
	return scr ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tw_rsa_scratch_free(scr);
	for (int i = 0; i < 3; i++)
		EVP_MD_free((EVP_MD *)mds[i]);
	return 0;
}

static void test_random_keys_same_verdict_as_openssl(void **state)
{
	(void)state;
	const char *env = getenv("RSA_DIFF_KEYS");
	unsigned long nkeys = env ? strtoul(env, NULL, 10) : 1500;
	unsigned long by_bits[3] = { 0 }, by_e[4] = { 0 };
	compared = valid_seen = 0;
	for (unsigned long i = 0; i < nkeys; i++) {
		unsigned r = (unsigned)(rng() % 100);
		int bi = r < 65 ? 0 : r < 96 ? 1 : 2;
		int bits = 1024 << bi;
		int ek = (int)(rng() % (bits <= 2048 ? 4 : 3));
		BIGNUM *e = BN_new();
		assert_non_null(e);
		if (ek == 0) {
			BN_set_word(e, 3);
		} else if (ek == 1) {
			BN_set_word(e, 65537);
		} else {
			/* a larger odd e: up to 64 bits (our squarings), or 65 to 128
			 * bits (BN_mod_exp_mont; OpenSSL allows it up to 3072 bits) */
			uint8_t eb[16];
			size_t el = ek == 2 ? 3 + (size_t)(rng() % 6) : 9 + (size_t)(rng() % 8);
			rng_bytes(eb, el);
			eb[0] |= 0x80;
			eb[el - 1] |= 1;
			assert_non_null(BN_bin2bn(eb, (int)el, e));
		}
		struct tkey t;
		synth_key(&t, bits, e);
		assert_int_equal(BN_num_bits(t.n), bits);
		exercise(&t);
		tkey_free(&t);
		by_bits[bi]++;
		by_e[ek]++;
	}
	print_message("%lu keys (1024/2048/4096 bits: %lu/%lu/%lu; e = 3, 65537, <= 64 bits, "
		      "> 64 bits: %lu/%lu/%lu/%lu), %lu verdicts compared, %lu valid; seed %llu\n",
		      nkeys, by_bits[0], by_bits[1], by_bits[2], by_e[0], by_e[1], by_e[2], by_e[3],
		      compared, valid_seen, (unsigned long long)seed);
}

static void test_openssl_generated_keys_same_verdict_as_openssl(void **state)
{
	(void)state;
	static const struct {
		int bits;
		unsigned long e;
	} kinds[] = { { 1024, 3 }, { 1024, 65537 }, { 2048, 3 }, { 2048, 65537 },
		      { 4096, 65537 } };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct tkey t;
		real_key(&t, kinds[i].bits, kinds[i].e);
		for (int j = 0; j < 4; j++)
			exercise(&t);
		tkey_free(&t);
	}
}

/* RFC 5702 §6.1 (RSASHA256, 512 bits) and §6.2 (RSASHA512, 1024 bits): the
 * published RRSIGs over their signed data verify, with us and with OpenSSL, and
 * fail with either once one bit of the signature or of the data changes. */
static void test_rfc5702_vectors_verify_as_openssl_does(void **state)
{
	(void)state;
	FILE *f = fopen(DATA_DIR "rfc-signature-vectors.zone", "rb");
	if (!f)
		fail_msg(DATA_DIR "rfc-signature-vectors.zone: cannot open");
	static char text[1 << 16];
	size_t len = fread(text, 1, sizeof(text), f);
	fclose(f);

	struct rr {
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		uint16_t type, cls;
		uint8_t rdata[1024];
		size_t rdlen;
	};
	static struct rr rrs[64];
	size_t n = 0;
	struct tw_dns_zreader zr;
	struct tw_dns_zrr z;
	static uint8_t rd[65536];
	tw_dns_zreader_init(&zr, text, len, "rfc-signature-vectors.zone", NULL, 3600);
	int rc;
	while ((rc = tw_dns_zreader_next(&zr, &z, rd, sizeof(rd))) == 1) {
		assert_true(n < 64);
		memcpy(rrs[n].owner, z.owner, z.owner_len);
		rrs[n].type = z.type;
		rrs[n].cls = z.cls;
		assert_int_equal(tw_dns_rdata_canonical(z.type, z.rdata, z.rdlen, 0, z.rdlen,
							rrs[n].rdata, sizeof(rrs[n].rdata),
							&rrs[n].rdlen),
				 0);
		n++;
	}
	assert_int_equal(rc, 0);

	unsigned checked = 0;
	/* each RSA RRSIG covers the A RRset of the group it is in: the A record
	 * just before it, signed by the DNSKEY just before that */
	for (size_t i = 2; i < n; i++) {
		const struct rr *sig = &rrs[i], *a = &rrs[i - 1], *key = &rrs[i - 2];
		if (sig->type != TW_DNS_T_RRSIG || (sig->rdata[2] != 8 && sig->rdata[2] != 10))
			continue;
		assert_int_equal(a->type, TW_DNS_T_A);
		assert_int_equal(key->type, TW_DNS_T_DNSKEY);
		assert_int_equal(tw_crypto_keytag(key->rdata, key->rdlen),
				 sig->rdata[16] << 8 | sig->rdata[17]);
		int mdi = sig->rdata[2] == 8 ? 1 : 2;

		struct tw_crypto_rr set = { a->rdata, (uint16_t)a->rdlen };
		uint8_t data[1024], hash[64];
		size_t dlen;
		unsigned hl;
		assert_int_equal(tw_crypto_sigdata(sig->rdata, sig->rdlen, a->owner, a->cls, &set, 1,
						   data, sizeof(data), &dlen),
				 0);
		assert_int_equal(EVP_Digest(data, dlen, hash, &hl, mds[mdi], NULL), 1);
		size_t off = TW_RRSIG_FIXED_LEN + tw_dns_name_len(sig->rdata + TW_RRSIG_FIXED_LEN);
		const uint8_t *s = sig->rdata + off;
		size_t slen = sig->rdlen - off;

		/* RFC 3110 §2 with a one-octet exponent length */
		const uint8_t *pk = key->rdata + 4;
		assert_true(pk[0] != 0);
		struct tkey t = { 0 };
		t.e = BN_bin2bn(pk + 1, pk[0], NULL);
		t.n = BN_bin2bn(pk + 1 + pk[0], (int)(key->rdlen - 5 - pk[0]), NULL);
		assert_non_null(t.e);
		assert_non_null(t.n);
		tkey_finish(&t);
		assert_int_equal(slen, t.k);

		same_verdict(&t, mdi, hash, hl, s, slen, 1, "RFC 5702 vector");
		uint8_t alt[KMAX];
		memcpy(alt, s, slen);
		alt[slen / 2] ^= 0x04;
		same_verdict(&t, mdi, hash, hl, alt, slen, 0, "RFC 5702 vector, signature altered");
		hash[0] ^= 0x80;
		same_verdict(&t, mdi, hash, hl, s, slen, 0, "RFC 5702 vector, data altered");
		tkey_free(&t);
		checked++;
	}
	assert_int_equal(checked, 2);
}

/* Keys OpenSSL refuses every signature for are refused at preparation. */
static void test_prepare_refuses_keys_openssl_cannot_use(void **state)
{
	(void)state;
	struct tw_rsa_key *k = (struct tw_rsa_key *)1;
	uint8_t n[KMAX], e[16];
	memset(n, 0xa5, sizeof(n));
	n[255] = 0xa4; /* even */
	e[0] = 3;
	assert_int_equal(tw_rsa_prepare(&k, n, 256, e, 1), -TW_ECRYPTO_KEY);
	assert_null(k);
	n[255] = 0xa5;
	e[0] = 0;
	assert_int_equal(tw_rsa_prepare(&k, n, 256, e, 1), -TW_ECRYPTO_KEY); /* e = 0 */
	/* e >= n */
	assert_int_equal(tw_rsa_prepare(&k, n, 8, n, 8), -TW_ECRYPTO_KEY);
	assert_int_equal(tw_rsa_prepare(&k, n, 8, n, 9), -TW_ECRYPTO_KEY);
	/* wider than 3072 bits with e wider than 64 bits */
	memset(e, 0x81, 9);
	assert_int_equal(tw_rsa_prepare(&k, n, 512, e, 9), -TW_ECRYPTO_KEY);
	assert_int_equal(tw_rsa_prepare(&k, n, 512, e, 8), 0);
	assert_int_equal(tw_rsa_key_len(k), 512);
	tw_rsa_key_free(k);
	assert_int_equal(tw_rsa_prepare(&k, n, 384, e, 9), 0); /* 3072 bits: allowed */
	tw_rsa_key_free(k);
	/* leading zero octets carry no bits */
	uint8_t nz[258] = { 0, 0 };
	memcpy(nz + 2, n, 256);
	assert_int_equal(tw_rsa_prepare(&k, nz, sizeof(nz), (const uint8_t *)"\0\3", 2), 0);
	assert_int_equal(tw_rsa_key_len(k), 256);
	tw_rsa_key_free(k);
	tw_rsa_key_free(NULL);
	tw_rsa_scratch_free(NULL);
}

/* Once the scratch has served a key of the size, a verification, valid or not,
 * makes no allocation at all (OpenSSL's allocator counted). */
static void test_verify_allocates_nothing_once_warm(void **state)
{
	(void)state;
	struct tkey t;
	BIGNUM *e = BN_new();
	assert_non_null(e);
	BN_set_word(e, 65537);
	synth_key(&t, 2048, e);
	uint8_t hash[32], sig[256], bad[256];
	rng_bytes(hash, 32);
	pkcs1_sign(&t, 1, hash, 32, sig);
	memcpy(bad, sig, 256);
	bad[100] ^= 1;
	struct tw_rsa_scratch *s = tw_rsa_scratch_new();
	assert_non_null(s);
	assert_true(tw_rsa_verify(s, t.tw, mds[1], hash, 32, sig, 256)); /* warm-up */
	unsigned long before = ossl_allocs;
	for (int i = 0; i < 100; i++) {
		assert_true(tw_rsa_verify(s, t.tw, mds[1], hash, 32, sig, 256));
		assert_false(tw_rsa_verify(s, t.tw, mds[1], hash, 32, bad, 256));
	}
	assert_int_equal(ossl_allocs - before, 0);
	/* OpenSSL's EVP path, for the record */
	before = ossl_allocs;
	for (int i = 0; i < 100; i++)
		assert_int_equal(EVP_PKEY_verify(t.vctx[1], sig, 256, hash, 32), 1);
	print_message("allocations per verification: ours 0, OpenSSL EVP_PKEY_verify %.1f\n",
		      (double)(ossl_allocs - before) / 100);
	tw_rsa_scratch_free(s);
	tkey_free(&t);
}

int main(void)
{
	/* before OpenSSL allocates anything */
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free)) {
		fprintf(stderr, "CRYPTO_set_mem_functions failed\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5702_vectors_verify_as_openssl_does),
		cmocka_unit_test(test_prepare_refuses_keys_openssl_cannot_use),
		cmocka_unit_test(test_verify_allocates_nothing_once_warm),
		cmocka_unit_test(test_openssl_generated_keys_same_verdict_as_openssl),
		cmocka_unit_test(test_random_keys_same_verdict_as_openssl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
