/* Unit tests for crypto/ed448: RFC 8032 §7.4 and RFC 8080 §6.2 vectors, the
 * curve constants, and the same accept/refuse verdict as OpenSSL 3.0's EVP Ed448
 * verification on random and crafted inputs (small-order points, non-canonical
 * encodings, the bits of the last octet, S >= L, points differing by 4-torsion).
 *
 * ED448_TEST_TRIPLES in the environment changes the number of random
 * (key, message, signature) triples (default 2000; about 35 s under ASan).
 */
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
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/ed448.h"
#include "crypto/sigdata.h"
#include "dns/error.h"

/* RFC 8032 §5.2, transcribed in decimal and checked below with BIGNUM. */
static const char p_dec[] =
	"726838724295606890549323807888004534353641360687318060281490199180612328166730"
	"772686396383698676545930088884461843637361053498018365439";
static const char l_dec[] =
	"181709681073901722637330951972001133588410340171829515070372549795146003961539"
	"585716195755291692375963310293709091662304773755859649779";
static const char bx_dec[] =
	"224580040295924300187604334099896036246789641632564134246125461686950415467406"
	"032909029192869357953282578032075146446173674602635247710";
static const char by_dec[] =
	"298819210078481492676017930443930673437544040154080242095928241372331506189835"
	"876003536878655418784733982303233503462500531545062832660";

/* L little-endian, and the encoding of B (y || sign of x). */
static const char l_hex[] =
	"f34458ab92c27823558fc58d72c26c219036d6ae49db4ec4e923ca7cffffffffffffffffffffffff"
	"ffffffffffffffffffffffffffffff3f00";
static const char b_hex[] =
	"14fa30f25b790898adc8d74e2c13bdfdc4397ce61cffd33ad7c2a0051e9c78874098a36c7373ea4b"
	"62c7c9563720768824bcb66e71463f6900";

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

/* OpenSSL's verdict, through EVP as crypto/verify.c asks for it. */
static bool openssl_verify(const uint8_t pub[57], const uint8_t *msg, size_t len,
			   const uint8_t sig[114])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, pub, 57);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_non_null(md);
	bool ok = pk && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) > 0 &&
		  EVP_DigestVerify(md, sig, 114, msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return ok;
}

static bool ours(const uint8_t pub[57], const uint8_t *msg, size_t len, const uint8_t sig[114])
{
	struct tw_ed448_key k;
	if (tw_ed448_prepare(&k, pub) != 0) {
		assert_false(tw_ed448_verify(&k, msg, len, sig)); /* a refused key refuses all */
		return false;
	}
	return tw_ed448_verify(&k, msg, len, sig);
}

static unsigned long mismatches;

/* Both verdicts, which must agree; returns OpenSSL's. */
static bool same_verdict(const char *what, const uint8_t pub[57], const uint8_t *msg, size_t len,
			 const uint8_t sig[114])
{
	bool o = openssl_verify(pub, msg, len, sig), t = ours(pub, msg, len, sig);
	if (o != t && mismatches++ < 10) {
		fprintf(stderr, "%s: openssl %d, ours %d\n  pub ", what, o, t);
		for (int i = 0; i < 57; i++)
			fprintf(stderr, "%02x", pub[i]);
		fprintf(stderr, "\n  sig ");
		for (int i = 0; i < 114; i++)
			fprintf(stderr, "%02x", sig[i]);
		fprintf(stderr, "\n  msg len %zu\n", len);
	}
	return o;
}

static void sign(EVP_PKEY *pk, const uint8_t *msg, size_t len, uint8_t sig[114])
{
	size_t siglen = 114;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_non_null(md);
	assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, pk), 1);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen, msg, len), 1);
	assert_int_equal(siglen, 114);
	EVP_MD_CTX_free(md);
}

/* ---- BIGNUM helpers for the constants and crafted points ---- */

static BN_CTX *bnctx;
static BIGNUM *bn_p, *bn_d;

static BIGNUM *bn_dec(const char *s)
{
	BIGNUM *b = NULL;
	assert_true(BN_dec2bn(&b, s) > 0);
	return b;
}

static void bn_setup(void)
{
	if (bnctx)
		return;
	bnctx = BN_CTX_new();
	bn_p = bn_dec(p_dec);
	bn_d = BN_new();
	BN_set_word(bn_d, 39081);
	BN_sub(bn_d, bn_p, bn_d); /* d = -39081 mod p */
}

/* x of the point with this y and sign (RFC 8032 §5.2.3 steps 2-4); false when
 * there is none. */
static bool bn_recover_x(BIGNUM *x, const BIGNUM *y, int sign)
{
	BIGNUM *u = BN_new(), *v = BN_new(), *one = BN_new();
	BN_one(one);
	BN_mod_sqr(u, y, bn_p, bnctx);
	BN_mod_mul(v, u, bn_d, bn_p, bnctx);
	BN_mod_sub(u, u, one, bn_p, bnctx); /* y^2 - 1 */
	BN_mod_sub(v, v, one, bn_p, bnctx); /* d y^2 - 1 */
	BN_mod_inverse(v, v, bn_p, bnctx);
	BN_mod_mul(u, u, v, bn_p, bnctx);
	bool ok = BN_mod_sqrt(x, u, bn_p, bnctx) != NULL;
	ERR_clear_error();
	if (ok) {
		BN_mod_sqr(v, x, bn_p, bnctx);
		ok = BN_cmp(v, u) == 0;
	}
	if (ok && BN_is_odd(x) != sign && !BN_is_zero(x))
		BN_sub(x, bn_p, x);
	BN_free(u);
	BN_free(v);
	BN_free(one);
	return ok;
}

static void bn_to_le(uint8_t *out, size_t n, const BIGNUM *b)
{
	assert_int_equal(BN_bn2lebinpad(b, out, (int)n), (int)n);
}

/* The encoding of (x, y). */
static void encode(uint8_t out[57], const BIGNUM *x, const BIGNUM *y)
{
	bn_to_le(out, 57, y);
	out[56] = BN_is_odd(x) ? 0x80 : 0;
}

/* The encoding of P + T for a canonical encoding of P and T one of the points
 * of order dividing 4: t = 0: (0, 1); 1: (0, -1) -> (-x, -y); 2: (1, 0) ->
 * (y, -x); 3: (-1, 0) -> (-y, x). */
static void add_torsion(uint8_t out[57], const uint8_t in[57], int t)
{
	bn_setup();
	BIGNUM *x = BN_new(), *y = BN_lebin2bn(in, 56, NULL), *nx = BN_new(), *ny = BN_new();
	assert_true(bn_recover_x(x, y, in[56] >> 7));
	BN_mod_sub(nx, bn_p, x, bn_p, bnctx);
	BN_mod_sub(ny, bn_p, y, bn_p, bnctx);
	if (t == 0)
		encode(out, x, y);
	else if (t == 1)
		encode(out, nx, ny);
	else if (t == 2)
		encode(out, y, nx);
	else
		encode(out, ny, x);
	BN_free(x);
	BN_free(y);
	BN_free(nx);
	BN_free(ny);
}

/* The decimal and octet constants agree with RFC 8032 §5.2's definitions, B is
 * on the curve, and the library's B is that one: with A = the identity, R = B
 * and S = 1 verify (R = [1]B - [k]O), so do R = -B and S = L - 1. */
static void test_constants_match_rfc8032(void **state)
{
	(void)state;
	bn_setup();
	BIGNUM *t = BN_new(), *l = bn_dec(l_dec), *c = bn_dec(
		"13818066809895115352007386748515426880336692474882178609894547503885");
	BN_zero(t);
	BN_set_bit(t, 448);
	BIGNUM *u = BN_new();
	BN_zero(u);
	BN_set_bit(u, 224);
	BN_sub(t, t, u);
	BN_sub_word(t, 1);
	assert_int_equal(BN_cmp(t, bn_p), 0); /* p = 2^448 - 2^224 - 1 */
	BN_zero(t);
	BN_set_bit(t, 446);
	BN_sub(t, t, c);
	assert_int_equal(BN_cmp(t, l), 0);    /* L = 2^446 - c */
	uint8_t lo[57], lx[57];
	bn_to_le(lo, 57, l);
	unhex(lx, 57, l_hex);
	assert_memory_equal(lo, lx, 57);

	BIGNUM *bx = bn_dec(bx_dec), *by = bn_dec(by_dec), *x2 = BN_new(), *y2 = BN_new();
	BN_mod_sqr(x2, bx, bn_p, bnctx);
	BN_mod_sqr(y2, by, bn_p, bnctx);
	BN_mod_add(t, x2, y2, bn_p, bnctx);            /* x^2 + y^2 */
	BN_mod_mul(u, x2, y2, bn_p, bnctx);
	BN_mod_mul(u, u, bn_d, bn_p, bnctx);
	BN_add_word(u, 1);
	BN_mod(u, u, bn_p, bnctx);                      /* 1 + d x^2 y^2 */
	assert_int_equal(BN_cmp(t, u), 0);
	uint8_t benc[57], bx_enc[57];
	encode(benc, bx, by);
	unhex(bx_enc, 57, b_hex);
	assert_memory_equal(benc, bx_enc, 57);
	BIGNUM *xr = BN_new();
	assert_true(bn_recover_x(xr, by, 0));
	assert_int_equal(BN_cmp(xr, bx), 0);            /* decoding gives B back */

	uint8_t id[57] = {0}, sig[114] = {0}, msg[3] = {1, 2, 3};
	id[56] = 0x80; /* A = (1, 0), of order 4: [k]A vanishes in the cofactored check */
	memcpy(sig, benc, 57);
	sig[57] = 1;
	mismatches = 0;
	assert_true(same_verdict("B, S = 1", id, msg, 3, sig));
	add_torsion(sig, benc, 1); /* -B = (-x, y): from B + (0, -1) = (-x, -y), negate y */
	BIGNUM *yy = BN_lebin2bn(sig, 56, NULL);
	BN_sub(yy, bn_p, yy);
	bn_to_le(sig, 56, yy);
	memcpy(sig + 57, lx, 57);
	sig[57] -= 1;
	assert_true(same_verdict("-B, S = L - 1", id, msg, 3, sig));
	assert_int_equal(mismatches, 0);
	BN_free(yy);
	BN_free(t);
	BN_free(u);
	BN_free(l);
	BN_free(c);
	BN_free(bx);
	BN_free(by);
	BN_free(x2);
	BN_free(y2);
	BN_free(xr);
}

struct rfc_vector {
	const char *name, *secret, *pub, *msg, *sig;
};

/* RFC 8032 §7.4, the vectors without context */
static const char msg1023[] =
	"6ddf802e1aae4986935f7f981ba3f0351d6273c0a0c22c9c0e8339168e675412"
	"a3debfaf435ed651558007db4384b650fcc07e3b586a27a4f7a00ac8a6fec2cd"
	"86ae4bf1570c41e6a40c931db27b2faa15a8cedd52cff7362c4e6e23daec0fbc"
	"3a79b6806e316efcc7b68119bf46bc76a26067a53f296dafdbdc11c77f7777e9"
	"72660cf4b6a9b369a6665f02e0cc9b6edfad136b4fabe723d2813db3136cfde9"
	"b6d044322fee2947952e031b73ab5c603349b307bdc27bc6cb8b8bbd7bd32321"
	"9b8033a581b59eadebb09b3c4f3d2277d4f0343624acc817804728b25ab79717"
	"2b4c5c21a22f9c7839d64300232eb66e53f31c723fa37fe387c7d3e50bdf9813"
	"a30e5bb12cf4cd930c40cfb4e1fc622592a49588794494d56d24ea4b40c89fc0"
	"596cc9ebb961c8cb10adde976a5d602b1c3f85b9b9a001ed3c6a4d3b1437f520"
	"96cd1956d042a597d561a596ecd3d1735a8d570ea0ec27225a2c4aaff26306d1"
	"526c1af3ca6d9cf5a2c98f47e1c46db9a33234cfd4d81f2c98538a09ebe76998"
	"d0d8fd25997c7d255c6d66ece6fa56f11144950f027795e653008f4bd7ca2dee"
	"85d8e90f3dc315130ce2a00375a318c7c3d97be2c8ce5b6db41a6254ff264fa6"
	"155baee3b0773c0f497c573f19bb4f4240281f0b1f4f7be857a4e59d416c06b4"
	"c50fa09e1810ddc6b1467baeac5a3668d11b6ecaa901440016f389f80acc4db9"
	"77025e7f5924388c7e340a732e554440e76570f8dd71b7d640b3450d1fd5f041"
	"0a18f9a3494f707c717b79b4bf75c98400b096b21653b5d217cf3565c9597456"
	"f70703497a078763829bc01bb1cbc8fa04eadc9a6e3f6699587a9e75c94e5bab"
	"0036e0b2e711392cff0047d0d6b05bd2a588bc109718954259f1d86678a579a3"
	"120f19cfb2963f177aeb70f2d4844826262e51b80271272068ef5b3856fa8535"
	"aa2a88b2d41f2a0e2fda7624c2850272ac4a2f561f8f2f7a318bfd5caf969614"
	"9e4ac824ad3460538fdc25421beec2cc6818162d06bbed0c40a387192349db67"
	"a118bada6cd5ab0140ee273204f628aad1c135f770279a651e24d8c14d75a605"
	"9d76b96a6fd857def5e0b354b27ab937a5815d16b5fae407ff18222c6d1ed263"
	"be68c95f32d908bd895cd76207ae726487567f9a67dad79abec316f683b17f2d"
	"02bf07e0ac8b5bc6162cf94697b3c27cd1fea49b27f23ba2901871962506520c"
	"392da8b6ad0d99f7013fbc06c2c17a569500c8a7696481c1cd33e9b14e40b82e"
	"79a5f5db82571ba97bae3ad3e0479515bb0e2b0f3bfcd1fd33034efc6245eddd"
	"7ee2086ddae2600d8ca73e214e8c2b0bdb2b047c6a464a562ed77b73d2d841c4"
	"b34973551257713b753632efba348169abc90a68f42611a40126d7cb21b58695"
	"568186f7e569d2ff0f9e745d0487dd2eb997cafc5abf9dd102e62ff66cba87";

static const struct rfc_vector rfc8032[] = {
	{"blank",
	 "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b",
	 "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
	 "",
	 "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980"
	 "ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600"},
	{"1 octet",
	 "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e3bc397a659949ef8021e954e0a12274e",
	 "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8438ea4cb82169c235160627b4c3a9480",
	 "03",
	 "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e18f62de8ccdf633fc1bf037ab7cd77980"
	 "5e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00"},
	{"11 octets",
	 "cd23d24f714274e744343237b93290f511f6425f98e64459ff203e8985083ffdf60500553abc0e05cd02184bdb89c4ccd67e187951267eb328",
	 "dcea9e78f35a1bf3499a831b10b86c90aac01cd84b67a0109b55a36e9328b1e365fce161d71ce7131a543ea4cb5f7e9f1d8b00696447001400",
	 "0c3e544074ec63b0265e0c",
	 "1f0a8888ce25e8d458a21130879b840a9089d999aaba039eaf3e3afa090a09d389dba82c4ff2ae8ac5cdfb7c55e94d5d961a29fe0109941e00"
	 "b8dbdeea6d3b051068df7254c0cdc129cbe62db2dc957dbb47b51fd3f213fb8698f064774250a5028961c9bf8ffd973fe5d5c206492b140e00"},
	{"1023 octets",
	 "872d093780f5d3730df7c212664b37b8a0f24f56810daa8382cd4fa3f77634ec44dc54f1c2ed9bea86fafb7632d8be199ea165f5ad55dd9ce8",
	 "a81b2e8a70a5ac94ffdbcc9badfc3feb0801f258578bb114ad44ece1ec0e799da08effb81c5d685c0c56f64eecaef8cdf11cc38737838cf400",
	 msg1023,
	 "e301345a41a39a4d72fff8df69c98075a0cc082b802fc9b2b6bc503f926b65bddf7f4c8f1cb49f6396afc8a70abe6d8aef0db478d4c6b29700"
	 "76c6a0484fe76d76b3a97625d79f1ce240e7c576750d295528286f719b413de9ada3e8eb78ed573603ce30d8bb761785dc30dbc320869e1a00"},
};

/* Each vector: OpenSSL derives the same key and signature from the secret (so
 * the transcription is right), both verify it, and no flipped bit verifies. */
static void test_rfc8032_vectors_verify_and_one_bit_less_does_not(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(rfc8032) / sizeof(rfc8032[0]); v++) {
		uint8_t secret[57], pub[57], sig[114], msg[1024], derived[114];
		size_t len, dl = 57;
		unhex(secret, sizeof(secret), rfc8032[v].secret);
		unhex(pub, sizeof(pub), rfc8032[v].pub);
		unhex(sig, sizeof(sig), rfc8032[v].sig);
		len = unhex(msg, sizeof(msg), rfc8032[v].msg);
		EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED448, NULL, secret, 57);
		assert_non_null(pk);
		assert_int_equal(EVP_PKEY_get_raw_public_key(pk, derived, &dl), 1);
		assert_memory_equal(derived, pub, 57);
		sign(pk, msg, len, derived);
		assert_memory_equal(derived, sig, 114);
		EVP_PKEY_free(pk);

		struct tw_ed448_key k;
		assert_int_equal(tw_ed448_prepare(&k, pub), 0);
		assert_true(tw_ed448_verify(&k, msg, len, sig));
		assert_true(openssl_verify(pub, msg, len, sig));
		for (unsigned bit = 0; bit < 912; bit += 7) {
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(tw_ed448_verify(&k, msg, len, sig));
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		if (len) {
			msg[len - 1] ^= 1;
			assert_false(tw_ed448_verify(&k, msg, len, sig));
			msg[len - 1] ^= 1;
		}
		assert_true(tw_ed448_verify(&k, msg, len, sig)); /* k is read-only */
	}
}

static size_t b64(uint8_t *out, const char *text)
{
	uint8_t buf[256];
	int n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)strlen(text));
	assert_true(n > 0);
	size_t pad = strlen(text) - strcspn(text, "=");
	memcpy(out, buf, (size_t)n - pad);
	return (size_t)n - pad;
}

/* The RRSIG RDATA of the RFC 8080 §6.2 examples without the signature:
 * MX 16 2 3600 1440021600 1438207200 <tag> example.com. */
static size_t rrsig_rdata(uint8_t *out, uint16_t tag)
{
	static const uint8_t fixed[18] = {0, 15, 16, 2, 0, 0, 0x0e, 0x10, 0x55, 0xd4,
					  0xfc, 0x60, 0x55, 0xb9, 0x4c, 0xe0};
	memcpy(out, fixed, 18);
	out[16] = (uint8_t)(tag >> 8);
	out[17] = (uint8_t)tag;
	memcpy(out + 18, "\x07" "example" "\x03" "com", 13);
	return 18 + 13;
}

/* /work/shared/data/dnssec/rfc-signature-vectors.zone, vectors 9 and 10 (RFC
 * 8080 §6.2 with erratum 4935): the signed data of example.com. MX 10
 * mail.example.com. built by tw_crypto_sigdata. */
static void test_rfc8080_vectors_verify_over_their_signed_data(void **state)
{
	(void)state;
	static const struct {
		const char *key, *sig;
		uint16_t tag;
	} v[] = {
		{"3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA",
		 "3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA",
		 9713},
		{"kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA",
		 "E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA",
		 38353},
	};
	static const uint8_t owner[] = "\x07" "example" "\x03" "com";
	static const uint8_t mx[] = "\x00\x0a\x04" "mail" "\x07" "example" "\x03" "com";
	for (size_t i = 0; i < 2; i++) {
		uint8_t pub[57], other[57], sig[114], rdata[64], data[256];
		size_t len;
		assert_int_equal(b64(pub, v[i].key), 57);
		assert_int_equal(b64(other, v[1 - i].key), 57);
		assert_int_equal(b64(sig, v[i].sig), 114);
		size_t rlen = rrsig_rdata(rdata, v[i].tag);
		struct tw_crypto_rr rr = {mx, sizeof(mx)};
		assert_int_equal(tw_crypto_sigdata(rdata, rlen, owner, 1, &rr, 1, data, sizeof(data),
						   &len), 0);
		struct tw_ed448_key k, ko;
		assert_int_equal(tw_ed448_prepare(&k, pub), 0);
		assert_int_equal(tw_ed448_prepare(&ko, other), 0);
		assert_true(tw_ed448_verify(&k, data, len, sig));
		assert_true(openssl_verify(pub, data, len, sig));
		assert_false(tw_ed448_verify(&ko, data, len, sig));
		data[len - 1] ^= 1;
		assert_false(tw_ed448_verify(&k, data, len, sig));
		assert_false(openssl_verify(pub, data, len, sig));
	}
}

static uint64_t rng_state = 0x5eed0f7e57ed4481;

static uint64_t rng(void) /* splitmix64: reproducible runs */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
	return z ^ (z >> 31);
}

static void rng_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng();
}

static void flip(uint8_t *p, size_t nbits)
{
	size_t b = (size_t)(rng() % nbits);
	p[b / 8] ^= (uint8_t)(1u << (b % 8));
}

static EVP_PKEY *random_key(uint8_t pub[57], uint8_t seed[57])
{
	size_t publen = 57;
	rng_bytes(seed, 57);
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED448, NULL, seed, 57);
	assert_non_null(pk);
	assert_int_equal(EVP_PKEY_get_raw_public_key(pk, pub, &publen), 1);
	return pk;
}

/* Random keys sign random messages with OpenSSL; each triple and its variants
 * with one bit flipped in R, in S, in the message and in the key get the same
 * verdict from both. */
static void test_random_triples_same_verdict_as_openssl(void **state)
{
	(void)state;
	const char *env = getenv("ED448_TEST_TRIPLES");
	unsigned long n = env ? strtoul(env, NULL, 10) : 2000, valid = 0, checked = 0;
	const unsigned per_key = 10;
	mismatches = 0;
	for (unsigned long done = 0; done < n;) {
		uint8_t pub[57], seed[57];
		EVP_PKEY *pk = random_key(pub, seed);
		struct tw_ed448_key k;
		assert_int_equal(tw_ed448_prepare(&k, pub), 0);
		for (unsigned j = 0; j < per_key && done < n; j++, done++) {
			uint8_t msg[300], sig[114], v[114], key2[57];
			size_t len = (size_t)(rng() % sizeof(msg));
			rng_bytes(msg, len);
			sign(pk, msg, len, sig);

			assert_true(tw_ed448_verify(&k, msg, len, sig));
			valid += same_verdict("valid", pub, msg, len, sig);
			memcpy(v, sig, 114);
			flip(v, 456);
			same_verdict("R bit", pub, msg, len, v);
			assert_false(tw_ed448_verify(&k, msg, len, v));
			memcpy(v, sig, 114);
			flip(v + 57, 456);
			same_verdict("S bit", pub, msg, len, v);
			if (len) {
				flip(msg, len * 8);
				same_verdict("message bit", pub, msg, len, sig);
				assert_false(tw_ed448_verify(&k, msg, len, sig));
			}
			memcpy(key2, pub, 57);
			flip(key2, 456);
			same_verdict("key bit", key2, msg, len, sig);
			checked += len ? 5 : 4;
		}
		EVP_PKEY_free(pk);
	}
	fprintf(stderr, "random: %lu triples, %lu verdicts compared, %lu valid, %lu mismatches\n",
		n, checked, valid, mismatches);
	assert_int_equal(valid, n);
	assert_int_equal(mismatches, 0);
}

/* S = L, L + 1, L - 1, 0, S + L, S with octet 56 or its top bits set. */
static void test_scalar_s_out_of_range_same_verdict_as_openssl(void **state)
{
	(void)state;
	uint8_t pub[57], seed[57], msg[] = "scalar range", sig[114], v[114], l[57];
	unhex(l, 57, l_hex);
	EVP_PKEY *pk = random_key(pub, seed);
	sign(pk, msg, sizeof(msg), sig);
	EVP_PKEY_free(pk);
	mismatches = 0;

	memcpy(v, sig, 57);
	memcpy(v + 57, l, 57); /* S = L */
	assert_false(same_verdict("S = L", pub, msg, sizeof(msg), v));
	v[57] += 1;
	assert_false(same_verdict("S = L + 1", pub, msg, sizeof(msg), v));
	v[57] -= 2;
	assert_false(same_verdict("S = L - 1", pub, msg, sizeof(msg), v));
	memset(v + 57, 0, 57);
	assert_false(same_verdict("S = 0", pub, msg, sizeof(msg), v));
	unsigned carry = 0; /* S + L: the same point, refused for its range */
	for (int i = 0; i < 57; i++) {
		unsigned t = sig[57 + i] + l[i] + carry;
		v[57 + i] = (uint8_t)t;
		carry = t >> 8;
	}
	assert_false(same_verdict("S + L", pub, msg, sizeof(msg), v));
	for (unsigned bit = 0; bit < 8; bit++) {
		memcpy(v, sig, 114);
		v[113] |= (uint8_t)(1u << bit); /* S + 2^(448 + bit) */
		assert_false(same_verdict("S octet 56", pub, msg, sizeof(msg), v));
	}
	for (unsigned top = 0x40; top <= 0xc0; top += 0x40) {
		memcpy(v, sig, 114);
		v[112] |= (uint8_t)top; /* S + 2^446.. */
		assert_false(same_verdict("S top bits", pub, msg, sizeof(msg), v));
	}
	assert_true(same_verdict("valid", pub, msg, sizeof(msg), sig));
	assert_int_equal(mismatches, 0);
}

/* k = SHAKE256(dom4(0, "") || R || A || M, 114) mod L */
static BIGNUM *challenge(const uint8_t r[57], const uint8_t pub[57], const uint8_t *msg,
			 size_t len, const BIGNUM *l)
{
	uint8_t h[114];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_true(EVP_DigestInit_ex(md, EVP_shake256(), NULL) &&
		    EVP_DigestUpdate(md, "SigEd448\0\0", 10) && EVP_DigestUpdate(md, r, 57) &&
		    EVP_DigestUpdate(md, pub, 57) && EVP_DigestUpdate(md, msg, len) &&
		    EVP_DigestFinalXOF(md, h, sizeof(h)));
	EVP_MD_CTX_free(md);
	BIGNUM *k = BN_lebin2bn(h, 114, NULL);
	BN_mod(k, k, l, bnctx);
	return k;
}

/* v[0..57) holds a new R; gives v the S that makes [S]B - [k']A the R of the
 * valid signature sig: S' = S + (k' - k) s mod L, s the secret scalar of the
 * seed (RFC 8032 §5.2.5). */
static void resign(uint8_t v[114], const uint8_t sig[114], const uint8_t seed[57],
		   const uint8_t pub[57], const uint8_t *msg, size_t len)
{
	uint8_t h[114];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_true(EVP_DigestInit_ex(md, EVP_shake256(), NULL) &&
		    EVP_DigestUpdate(md, seed, 57) && EVP_DigestFinalXOF(md, h, sizeof(h)));
	EVP_MD_CTX_free(md);
	h[0] &= 0xfc;
	h[55] |= 0x80;
	h[56] = 0;
	BIGNUM *l = bn_dec(l_dec), *s = BN_lebin2bn(h, 57, NULL);
	BIGNUM *k = challenge(sig, pub, msg, len, l), *k2 = challenge(v, pub, msg, len, l);
	BIGNUM *S = BN_lebin2bn(sig + 57, 57, NULL);
	BN_mod_sub(k2, k2, k, l, bnctx);
	BN_mod_mul(k2, k2, s, l, bnctx);
	BN_mod_add(S, S, k2, l, bnctx);
	bn_to_le(v + 57, 57, S);
	BN_free(l);
	BN_free(s);
	BN_free(k);
	BN_free(k2);
	BN_free(S);
}

/* R replaced by R + T for each point T of order dividing 4 with S recomputed for
 * the new challenge (OpenSSL's check is cofactored: all four verify, where a
 * cofactorless check would accept only T = (0, 1)), R with a bit of octet 56 set (refused: only
 * 0x80 may be), and R with y + p (non-canonical, refused). */
static void test_r_torsion_and_encodings_same_verdict_as_openssl(void **state)
{
	(void)state;
	mismatches = 0;
	unsigned long accepted = 0, total = 0;
	for (int i = 0; i < 20; i++) {
		uint8_t pub[57], msg[32], sig[114], v[114], seed[57];
		EVP_PKEY *pk = random_key(pub, seed);
		rng_bytes(msg, sizeof(msg));
		sign(pk, msg, sizeof(msg), sig);
		EVP_PKEY_free(pk);
		for (int t = 0; t < 4; t++) {
			memcpy(v, sig, 114);
			add_torsion(v, sig, t);
			resign(v, sig, seed, pub, msg, sizeof(msg));
			assert_true(same_verdict("R + T", pub, msg, sizeof(msg), v));
			accepted++, total++;
		}
		for (unsigned bit = 0; bit < 7; bit++) {
			memcpy(v, sig, 114);
			v[56] |= (uint8_t)(1u << bit);
			accepted += same_verdict("R octet 56", pub, msg, sizeof(msg), v);
			total++;
			memcpy(v, pub, 57); /* and the key */
			v[56] |= (uint8_t)(1u << bit);
			accepted += same_verdict("A octet 56", v, msg, sizeof(msg), sig);
			total++;
		}
		memcpy(v, sig, 114);
		v[56] ^= 0x80; /* the other x: refused */
		accepted += same_verdict("R sign", pub, msg, sizeof(msg), v);
		total++;
	}
	fprintf(stderr, "torsion/encodings: %lu verdicts, %lu accepted by OpenSSL\n", total,
		accepted);
	assert_int_equal(accepted, 80);
	assert_int_equal(mismatches, 0);
}

/* Encodings of the points of order 1, 2 and 4 with either sign bit, and of
 * y + p for small y (non-canonical: y = 0 and 1 are on the curve), y = p
 * itself, and y = 2, which is not on the curve. */
static size_t crafted_points(uint8_t (*pt)[57])
{
	size_t n = 0;
	static const uint8_t ys[][2] = {{1, 0}, {1, 0x80}, {0, 0}, {0, 0x80}};
	for (size_t i = 0; i < 4; i++) { /* (0, 1), (0, 1) with sign, (+-1, 0) */
		memset(pt[n], 0, 57);
		pt[n][0] = ys[i][0];
		pt[n][56] = ys[i][1];
		n++;
	}
	for (unsigned sign = 0; sign < 2; sign++) { /* (0, -1): y = p - 1 */
		memset(pt[n], 0xff, 56);
		pt[n][28] = 0xfe;
		pt[n][0] = 0xfe;
		pt[n][56] = sign ? 0x80 : 0;
		n++;
	}
	for (unsigned y = 0; y < 4; y++) { /* p + y */
		for (unsigned sign = 0; sign < 2; sign++) {
			memset(pt[n], 0xff, 56);
			pt[n][28] = 0xfe;
			pt[n][0] = (uint8_t)(0xff + y);
			if (y)
				pt[n][28] = 0xff; /* 0xff..fe ff.. + y carries into octet 28 */
			pt[n][56] = sign ? 0x80 : 0;
			n++;
		}
	}
	memset(pt[n], 0, 57); /* y = 2: no x */
	pt[n++][0] = 2;
	return n;
}

/* Every crafted point as A against every crafted point as R, with S = 0, 1 and
 * L - 1 over a few messages: both acceptances (R in [S]B - [k]A + small
 * torsion) and refusals occur; every verdict must be OpenSSL's. */
static void test_small_order_and_noncanonical_points_same_verdict_as_openssl(void **state)
{
	(void)state;
	uint8_t pt[32][57], l[57];
	size_t np = crafted_points(pt);
	unhex(l, 57, l_hex);
	unsigned long accepted = 0, total = 0;
	mismatches = 0;
	for (size_t a = 0; a < np; a++) {
		for (size_t r = 0; r < np; r++) {
			for (unsigned s = 0; s < 3; s++) {
				for (unsigned m = 0; m < 3; m++) {
					uint8_t sig[114] = {0}, msg[4] = {(uint8_t)m, 1, 2, 3};
					memcpy(sig, pt[r], 57);
					if (s == 1)
						sig[57] = 1;
					if (s == 2) {
						memcpy(sig + 57, l, 57);
						sig[57] -= 1;
					}
					accepted += same_verdict("crafted", pt[a], msg, m, sig);
					total++;
				}
			}
		}
	}
	fprintf(stderr, "crafted points: %lu verdicts, %lu accepted by OpenSSL, %lu mismatches\n",
		total, accepted, mismatches);
	assert_true(accepted > 0);
	assert_int_equal(mismatches, 0);
}

/* What the key decoding pins (see crypto/ed448.h). */
static void test_key_decoding_follows_openssl(void **state)
{
	(void)state;
	uint8_t pt[32][57];
	crafted_points(pt);
	struct tw_ed448_key k;
	assert_int_equal(tw_ed448_prepare(&k, pt[0]), -TW_ECRYPTO_KEY); /* identity */
	assert_int_equal(tw_ed448_prepare(&k, pt[1]), -TW_ECRYPTO_KEY); /* with sign bit */
	assert_int_equal(tw_ed448_prepare(&k, pt[2]), 0);  /* (-1, 0) */
	assert_int_equal(tw_ed448_prepare(&k, pt[3]), 0);  /* (1, 0) */
	assert_int_equal(tw_ed448_prepare(&k, pt[4]), -TW_ECRYPTO_KEY); /* (0, -1) */
	assert_int_equal(tw_ed448_prepare(&k, pt[5]), -TW_ECRYPTO_KEY); /* with sign bit */
	assert_int_equal(tw_ed448_prepare(&k, pt[6]), -TW_ECRYPTO_KEY); /* y = p */
	assert_int_equal(tw_ed448_prepare(&k, pt[8]), -TW_ECRYPTO_KEY); /* y = p + 1 */
	assert_int_equal(tw_ed448_prepare(&k, pt[14]), -TW_ECRYPTO_KEY); /* y = 2 */

	/* random 57 octets with octet 56 = 0 or 0x80: about half are off the curve */
	unsigned refused = 0;
	mismatches = 0;
	for (int i = 0; i < 1000; i++) {
		uint8_t pub[57], sig[114], msg[16];
		rng_bytes(pub, 57);
		pub[56] &= 0x80;
		rng_bytes(sig, 114);
		sig[113] = 0;
		sig[112] &= 0x3f;
		rng_bytes(msg, sizeof(msg));
		if (tw_ed448_prepare(&k, pub) != 0) {
			refused++;
			assert_false(tw_ed448_verify(&k, msg, sizeof(msg), sig));
		}
		same_verdict("random key", pub, msg, sizeof(msg), sig);
		/* R = the key's own encoding, S = 0: valid when [4]([k + 1]A) = O */
		memcpy(sig, pub, 57);
		memset(sig + 57, 0, 57);
		same_verdict("random key, R = A", pub, msg, sizeof(msg), sig);
	}
	fprintf(stderr, "random keys: %u of 1000 off the curve\n", refused);
	assert_true(refused > 400 && refused < 600);
	assert_int_equal(mismatches, 0);
}

static int teardown(void **state)
{
	(void)state;
	BN_free(bn_p);
	BN_free(bn_d);
	BN_CTX_free(bnctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants_match_rfc8032),
		cmocka_unit_test(test_rfc8032_vectors_verify_and_one_bit_less_does_not),
		cmocka_unit_test(test_rfc8080_vectors_verify_over_their_signed_data),
		cmocka_unit_test(test_scalar_s_out_of_range_same_verdict_as_openssl),
		cmocka_unit_test(test_r_torsion_and_encodings_same_verdict_as_openssl),
		cmocka_unit_test(test_key_decoding_follows_openssl),
		cmocka_unit_test(test_small_order_and_noncanonical_points_same_verdict_as_openssl),
		cmocka_unit_test(test_random_triples_same_verdict_as_openssl),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
