/* Unit tests for crypto/ed25519: RFC 8032 §7.1 and RFC 8080 §6 vectors, and the
 * same accept/refuse verdict as OpenSSL 3.0's EVP Ed25519 verification on random
 * and crafted inputs (torsion points, non-canonical encodings, S >= L, keys off
 * the curve).
 *
 * ED25519_TEST_TRIPLES in the environment changes the number of random
 * (key, message, signature) triples (default 20000).
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
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/ed25519.h"
#include "dns/error.h"

/* Group order L, little-endian. */
static const uint8_t L_le[32] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

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
static bool openssl_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
			   const uint8_t sig[64])
{
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_non_null(md);
	bool ok = pk && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) > 0 &&
		  EVP_DigestVerify(md, sig, 64, msg, len) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	return ok;
}

static bool ours(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64])
{
	struct tw_ed25519_key k;
	if (tw_ed25519_prepare(&k, pub) != 0) {
		assert_false(tw_ed25519_verify(&k, msg, len, sig)); /* a refused key refuses all */
		return false;
	}
	return tw_ed25519_verify(&k, msg, len, sig);
}

static unsigned long mismatches;

/* Both verdicts, which must agree; returns OpenSSL's. */
static bool same_verdict(const char *what, const uint8_t pub[32], const uint8_t *msg, size_t len,
			 const uint8_t sig[64])
{
	bool o = openssl_verify(pub, msg, len, sig), t = ours(pub, msg, len, sig);
	if (o != t) {
		if (mismatches++ < 10) {
			fprintf(stderr, "%s: openssl %d, ours %d\n  pub ", what, o, t);
			for (int i = 0; i < 32; i++)
				fprintf(stderr, "%02x", pub[i]);
			fprintf(stderr, "\n  sig ");
			for (int i = 0; i < 64; i++)
				fprintf(stderr, "%02x", sig[i]);
			fprintf(stderr, "\n  msg len %zu\n", len);
		}
	}
	return o;
}

struct rfc_vector {
	const char *name, *pub, *msg, *sig;
};

/* RFC 8032 §7.1 */
static const char test1024_msg[] =
	"08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12"
	"ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe57"
	"38829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338b"
	"bd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
	"ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e06203b33890cc9b8"
	"32f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc10"
	"3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53"
	"f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
	"d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6"
	"079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c65adb7553"
	"878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2"
	"cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
	"b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae078"
	"4504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8"
	"fcffead94f3c7ca495e056a9b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301"
	"651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
	"ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd9"
	"04b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4aca7"
	"984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a"
	"3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
	"2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a4"
	"3dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041"
	"e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d9"
	"0d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
	"b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef"
	"68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0"
;

static const struct rfc_vector rfc8032[] = {
	{"TEST 1", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	 "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
	{"TEST 2", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	 "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
	{"TEST 3", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	 "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
	{"TEST 1024", "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", test1024_msg,
	 "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
	/* the message is SHA-512("abc"), filled in by the test */
	{"TEST SHA(abc)", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", NULL,
	 "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

static void test_rfc8032_vectors_verify_and_one_bit_less_does_not(void **state)
{
	(void)state;
	for (size_t v = 0; v < sizeof(rfc8032) / sizeof(rfc8032[0]); v++) {
		uint8_t pub[32], sig[64], msg[1024];
		size_t len;
		unhex(pub, sizeof(pub), rfc8032[v].pub);
		unhex(sig, sizeof(sig), rfc8032[v].sig);
		if (rfc8032[v].msg) {
			len = unhex(msg, sizeof(msg), rfc8032[v].msg);
		} else {
			unsigned int n = 0;
			assert_int_equal(EVP_Digest("abc", 3, msg, &n, EVP_sha512(), NULL), 1);
			len = n;
		}
		struct tw_ed25519_key k;
		assert_int_equal(tw_ed25519_prepare(&k, pub), 0);
		assert_true(tw_ed25519_verify(&k, msg, len, sig));
		assert_true(openssl_verify(pub, msg, len, sig));
		for (unsigned bit = 0; bit < 512; bit += 7) {
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			assert_false(tw_ed25519_verify(&k, msg, len, sig));
			sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		if (len) {
			msg[len - 1] ^= 1;
			assert_false(tw_ed25519_verify(&k, msg, len, sig));
			msg[len - 1] ^= 1;
		}
		assert_true(tw_ed25519_verify(&k, msg, len, sig)); /* k is read-only */
	}
}

static size_t b64(uint8_t *out, const char *text)
{
	uint8_t buf[128];
	int n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)strlen(text));
	assert_true(n > 0);
	size_t pad = strlen(text) - strcspn(text, "=");
	memcpy(out, buf, (size_t)n - pad);
	return (size_t)n - pad;
}

/* RFC 4034 §3.1.8.1 signed data of the RFC 8080 §6.1 MX RRset: RRSIG RDATA
 * without the signature, then example.com. MX IN 3600 10 mail.example.com. */
static size_t rfc8080_sigdata(uint8_t *out, uint8_t labels, uint16_t tag)
{
	static const uint8_t example_com[] = "\x07" "example" "\x03" "com";
	static const uint8_t mx_rdata[] = "\x00\x0a\x04" "mail" "\x07" "example" "\x03" "com";
	size_t n = 0;
	uint8_t fixed[18] = {0, 15, 15, labels, 0, 0, 0x0e, 0x10};
	uint32_t exp = 1440021600, inc = 1438207200;
	for (int i = 0; i < 4; i++) {
		fixed[8 + i] = (uint8_t)(exp >> (24 - 8 * i));
		fixed[12 + i] = (uint8_t)(inc >> (24 - 8 * i));
	}
	fixed[16] = (uint8_t)(tag >> 8);
	fixed[17] = (uint8_t)tag;
	memcpy(out + n, fixed, 18);
	n += 18;
	memcpy(out + n, example_com, sizeof(example_com)); /* with its root label */
	n += sizeof(example_com);
	memcpy(out + n, example_com, sizeof(example_com));
	n += sizeof(example_com);
	static const uint8_t rr[] = {0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, sizeof(mx_rdata)};
	memcpy(out + n, rr, sizeof(rr));
	n += sizeof(rr);
	memcpy(out + n, mx_rdata, sizeof(mx_rdata));
	n += sizeof(mx_rdata);
	return n;
}

/* ../shared/data/dnssec/rfc-signature-vectors.zone, vectors 6, 7 and 8.
 * Vector 7 (the RRSIG as first printed, Labels = 3) must fail validation, but
 * not here: its signature is sound over the signed data with Labels = 3, and
 * the validator refuses it earlier, in tw_crypto_sigdata (Labels exceeding the
 * owner's). Over the Labels = 2 data, or with another key, it does not verify. */
static void test_rfc8080_vectors_verify_over_their_signed_data(void **state)
{
	(void)state;
	static const struct {
		const char *key, *sig;
		uint8_t labels;
		uint16_t tag;
	} v[] = {
		{"l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
		 "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
		 2, 3613},
		{"l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
		 "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg==",
		 3, 3613},
		{"zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=",
		 "zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
		 2, 35217},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t pub[32], other[32], sig[64], data[128];
		assert_int_equal(b64(pub, v[i].key), 32);
		assert_int_equal(b64(other, v[i == 2 ? 0 : 2].key), 32); /* the other key */
		assert_int_equal(b64(sig, v[i].sig), 64);
		struct tw_ed25519_key k, ko;
		assert_int_equal(tw_ed25519_prepare(&k, pub), 0);
		assert_int_equal(tw_ed25519_prepare(&ko, other), 0);
		size_t len = rfc8080_sigdata(data, v[i].labels, v[i].tag);
		assert_true(tw_ed25519_verify(&k, data, len, sig));
		assert_true(openssl_verify(pub, data, len, sig));
		assert_false(tw_ed25519_verify(&ko, data, len, sig));
		len = rfc8080_sigdata(data, v[i].labels ^ 1, v[i].tag); /* 2 <-> 3 */
		assert_false(tw_ed25519_verify(&k, data, len, sig));
		assert_false(openssl_verify(pub, data, len, sig));
	}
}

static uint64_t rng_state = 0x5eed0f7e57ed2551;

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

/* Random keys (from seeds) sign random messages with OpenSSL; each triple and
 * its variants with one bit flipped in R, in S, in the message and in the key
 * get the same verdict from both. */
static void test_random_triples_same_verdict_as_openssl(void **state)
{
	(void)state;
	const char *env = getenv("ED25519_TEST_TRIPLES");
	unsigned long n = env ? strtoul(env, NULL, 10) : 20000, valid = 0, checked = 0;
	const unsigned per_key = 10;
	mismatches = 0;
	for (unsigned long done = 0; done < n;) {
		uint8_t seed[32], pub[32];
		size_t publen = 32;
		rng_bytes(seed, 32);
		EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
		assert_non_null(pk);
		assert_int_equal(EVP_PKEY_get_raw_public_key(pk, pub, &publen), 1);
		struct tw_ed25519_key k;
		assert_int_equal(tw_ed25519_prepare(&k, pub), 0);
		for (unsigned j = 0; j < per_key && done < n; j++, done++) {
			uint8_t msg[300], sig[64], v[64], key2[32];
			size_t len = (size_t)(rng() % sizeof(msg)), siglen = 64;
			rng_bytes(msg, len);
			EVP_MD_CTX *md = EVP_MD_CTX_new();
			assert_non_null(md);
			assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, pk), 1);
			assert_int_equal(EVP_DigestSign(md, sig, &siglen, msg, len), 1);
			EVP_MD_CTX_free(md);

			/* the prepared key, reused, and a fresh one */
			assert_true(tw_ed25519_verify(&k, msg, len, sig));
			valid += same_verdict("valid", pub, msg, len, sig);
			memcpy(v, sig, 64);
			flip(v, 256);
			same_verdict("R bit", pub, msg, len, v);
			assert_false(tw_ed25519_verify(&k, msg, len, v));
			memcpy(v, sig, 64);
			flip(v + 32, 256);
			same_verdict("S bit", pub, msg, len, v);
			if (len) {
				flip(msg, len * 8);
				same_verdict("message bit", pub, msg, len, sig);
				assert_false(tw_ed25519_verify(&k, msg, len, sig));
			}
			memcpy(key2, pub, 32);
			flip(key2, 256);
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

/* S = L, L + 1, S + L, S with its top bits set, and the largest S allowed. */
static void test_scalar_s_out_of_range_same_verdict_as_openssl(void **state)
{
	(void)state;
	uint8_t seed[32], pub[32], msg[] = "scalar range", sig[64], v[64];
	size_t publen = 32, siglen = 64;
	memset(seed, 0x42, 32);
	EVP_PKEY *pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	assert_int_equal(EVP_PKEY_get_raw_public_key(pk, pub, &publen), 1);
	assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, pk), 1);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	mismatches = 0;

	memcpy(v, sig, 32);
	memcpy(v + 32, L_le, 32); /* S = L */
	assert_false(same_verdict("S = L", pub, msg, sizeof(msg), v));
	v[32] += 1; /* L + 1 */
	assert_false(same_verdict("S = L + 1", pub, msg, sizeof(msg), v));
	memcpy(v + 32, L_le, 32);
	v[32] -= 1; /* L - 1: in range, wrong */
	assert_false(same_verdict("S = L - 1", pub, msg, sizeof(msg), v));
	memset(v + 32, 0, 32); /* S = 0 */
	assert_false(same_verdict("S = 0", pub, msg, sizeof(msg), v));
	/* S + L: the same point, refused for its encoding */
	unsigned carry = 0;
	for (int i = 0; i < 32; i++) {
		unsigned t = sig[32 + i] + L_le[i] + carry;
		v[32 + i] = (uint8_t)t;
		carry = t >> 8;
	}
	assert_false(same_verdict("S + L", pub, msg, sizeof(msg), v));
	for (unsigned top = 0x20; top <= 0xe0; top += 0x20) {
		memcpy(v, sig, 64);
		v[63] |= (uint8_t)top; /* S + 2^253.. */
		assert_false(same_verdict("S top bits", pub, msg, sizeof(msg), v));
	}
	/* S with byte 31 = 0x10 and the rest below or above L's */
	memcpy(v, sig, 64);
	memset(v + 32, 0, 32);
	v[63] = 0x10;
	assert_false(same_verdict("S = 2^252", pub, msg, sizeof(msg), v));
	v[47] = 1;
	assert_false(same_verdict("S = 2^252 + 2^120", pub, msg, sizeof(msg), v));
	assert_true(same_verdict("valid", pub, msg, sizeof(msg), sig));
	assert_int_equal(mismatches, 0);
}

/* Encodings of small-order points, canonical and not: the 8 torsion points,
 * y + p for every y < 19 with either sign bit (y = 0, 1, 3, 4, .. on the curve,
 * y = 2, 7, 8, .. not), and x = 0 with the sign bit set. */
static size_t crafted_points(uint8_t (*pt)[32])
{
	static const char *const torsion[] = {
		"0100000000000000000000000000000000000000000000000000000000000000", /* order 1 */
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* order 2 */
		"0000000000000000000000000000000000000000000000000000000000000000", /* order 4 */
		"0000000000000000000000000000000000000000000000000000000000000080",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", /* order 8 */
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"0100000000000000000000000000000000000000000000000000000000000080", /* x = 0, sign */
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(torsion) / sizeof(torsion[0]); i++)
		unhex(pt[n++], 32, torsion[i]);
	for (unsigned y = 0; y < 19; y++) {
		for (unsigned sign = 0; sign < 2; sign++) {
			/* p + y = 2^255 - 19 + y, little-endian */
			memset(pt[n], 0xff, 32);
			pt[n][0] = (uint8_t)(0xed + y);
			pt[n][31] = sign ? 0xff : 0x7f;
			n++;
		}
	}
	return n;
}

/* Every crafted point as A against every crafted point as R, with S = 0, 1 and
 * L - 1 over a few messages: with S = 0 the check is R = [k](-A), true for some
 * k, so both acceptances and refusals occur; every verdict must be OpenSSL's. */
static void test_small_order_and_noncanonical_points_same_verdict_as_openssl(void **state)
{
	(void)state;
	uint8_t pt[64][32];
	size_t np = crafted_points(pt);
	unsigned long accepted = 0, total = 0;
	mismatches = 0;
	for (size_t a = 0; a < np; a++) {
		for (size_t r = 0; r < np; r++) {
			for (unsigned s = 0; s < 3; s++) {
				for (unsigned m = 0; m < 4; m++) {
					uint8_t sig[64] = {0}, msg[4] = {(uint8_t)m, 1, 2, 3};
					memcpy(sig, pt[r], 32);
					if (s == 1)
						sig[32] = 1;
					if (s == 2) {
						memcpy(sig + 32, L_le, 32);
						sig[32] -= 1;
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

/* What the decoding pins: lenient where OpenSSL is, refusing where it refuses. */
static void test_key_decoding_follows_openssl(void **state)
{
	(void)state;
	uint8_t pt[64][32];
	crafted_points(pt);
	struct tw_ed25519_key k;
	assert_int_equal(tw_ed25519_prepare(&k, pt[0]), 0);  /* identity */
	assert_int_equal(tw_ed25519_prepare(&k, pt[8]), 0);  /* identity, sign bit set */
	assert_int_equal(tw_ed25519_prepare(&k, pt[9]), 0);  /* (0, -1), sign bit set */
	assert_int_equal(tw_ed25519_prepare(&k, pt[10]), 0); /* y = p: (sqrt(-1), 0) */
	assert_int_equal(tw_ed25519_prepare(&k, pt[12]), 0); /* y = p + 1: identity */
	assert_int_equal(tw_ed25519_prepare(&k, pt[14]), -TW_ECRYPTO_KEY); /* y = p + 2: off the curve */
	assert_int_equal(tw_ed25519_prepare(&k, pt[15]), -TW_ECRYPTO_KEY);

	/* random 32 octets: about half are off the curve; a refused key must be
	 * one whose every signature OpenSSL refuses, an accepted one must verify
	 * the same signatures */
	unsigned refused = 0;
	mismatches = 0;
	for (int i = 0; i < 2000; i++) {
		uint8_t pub[32], sig[64], msg[16];
		rng_bytes(pub, 32);
		rng_bytes(sig, 64);
		sig[63] &= 0x0f;
		rng_bytes(msg, sizeof(msg));
		if (tw_ed25519_prepare(&k, pub) != 0) {
			refused++;
			assert_false(tw_ed25519_verify(&k, msg, sizeof(msg), sig));
		}
		same_verdict("random key", pub, msg, sizeof(msg), sig);
		/* R = the key's own encoding, S = 0: valid exactly when -[k]A = A */
		memcpy(sig, pub, 32);
		memset(sig + 32, 0, 32);
		same_verdict("random key, R = A", pub, msg, sizeof(msg), sig);
	}
	fprintf(stderr, "random keys: %u of 2000 off the curve\n", refused);
	assert_true(refused > 800 && refused < 1200);
	assert_int_equal(mismatches, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8032_vectors_verify_and_one_bit_less_does_not),
		cmocka_unit_test(test_rfc8080_vectors_verify_over_their_signed_data),
		cmocka_unit_test(test_scalar_s_out_of_range_same_verdict_as_openssl),
		cmocka_unit_test(test_key_decoding_follows_openssl),
		cmocka_unit_test(test_small_order_and_noncanonical_points_same_verdict_as_openssl),
		cmocka_unit_test(test_random_triples_same_verdict_as_openssl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
