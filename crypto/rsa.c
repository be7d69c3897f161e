/* Own RSA PKCS#1 v1.5 verification (RFC 3110, RFC 5702, RFC 8017 §8.2.2) on
 * OpenSSL's BN and Montgomery functions, bypassing EVP, the provider and the
 * RSA_* layer.
 *
 * Verification handles public data only (key, signature, digest), so none of it
 * needs to be constant-time: early returns, variable-time exponentiation and a
 * plain memcmp are all fine here.
 */
#include "crypto/rsa.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/obj_mac.h>

#include "dns/error.h"

#define MAX_BYTES (TW_RSA_MAX_BITS / 8)
#define MIN_PS 8 /* RFC 8017 §9.2 step 5: at least 8 octets of 0xff */

struct tw_rsa_key {
	BN_MONT_CTX *mont; /* for n; read-only once set, so shared by threads */
	BIGNUM *n;
	BIGNUM *e;
	uint64_t e64;      /* e when it fits 64 bits (every DNSKEY key.c accepts) */
	unsigned ebits;    /* 0: e wider than 64 bits, BN_mod_exp_mont does it */
	size_t len;        /* k: octets of n */
	uint8_t nbin[];    /* n, k octets big-endian: the signature < n test */
};

struct tw_rsa_scratch {
	BN_CTX *ctx;
	BIGNUM *s;  /* the signature */
	BIGNUM *sr; /* s in Montgomery form */
	BIGNUM *x;  /* the running power */
	uint8_t em[MAX_BYTES];   /* s^e mod n, k octets */
	uint8_t want[MAX_BYTES]; /* the encoding the signature must give */
};

/* RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest octets. */
static const uint8_t prefix_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
				       0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const uint8_t prefix_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t prefix_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
					 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					 0x03, 0x05, 0x00, 0x04, 0x40 };

int tw_rsa_prepare(struct tw_rsa_key **out, const uint8_t *n, size_t nlen, const uint8_t *e,
		   size_t elen)
{
	*out = NULL;
	while (nlen > 0 && n[0] == 0) {
		n++;
		nlen--;
	}
	while (elen > 0 && e[0] == 0) {
		e++;
		elen--;
	}
	if (nlen == 0 || nlen > MAX_BYTES || !(n[nlen - 1] & 1) || elen == 0 || elen > nlen)
		return -TW_ECRYPTO_KEY;

	struct tw_rsa_key *k = calloc(1, sizeof(*k) + nlen);
	BN_CTX *ctx = BN_CTX_new();
	int rc = -TW_ENOMEM;
	if (!k || !ctx)
		goto fail;
	k->len = nlen;
	memcpy(k->nbin, n, nlen);
	k->n = BN_bin2bn(n, (int)nlen, NULL);
	k->e = BN_bin2bn(e, (int)elen, NULL);
	k->mont = BN_MONT_CTX_new();
	if (!k->n || !k->e || !k->mont)
		goto fail;
	rc = -TW_ECRYPTO_KEY;
	/* rsa_ossl_public_decrypt refuses these keys for every signature */
	if (BN_num_bits(k->n) > TW_RSA_MAX_BITS || BN_ucmp(k->n, k->e) <= 0 ||
	    (BN_num_bits(k->n) > 3072 && BN_num_bits(k->e) > 64))
		goto fail;
	rc = -TW_ENOMEM;
	if (!BN_MONT_CTX_set(k->mont, k->n, ctx))
		goto fail;
	if (BN_num_bits(k->e) <= 64) {
		k->ebits = (unsigned)BN_num_bits(k->e);
		for (size_t i = 0; i < elen; i++)
			k->e64 = k->e64 << 8 | e[i];
	}
	BN_CTX_free(ctx);
	*out = k;
	return 0;
fail:
	BN_CTX_free(ctx);
	tw_rsa_key_free(k);
	return rc;
}

void tw_rsa_key_free(struct tw_rsa_key *k)
{
	if (!k)
		return;
	BN_MONT_CTX_free(k->mont);
	BN_free(k->n);
	BN_free(k->e);
	free(k);
}

size_t tw_rsa_key_len(const struct tw_rsa_key *k)
{
	return k->len;
}

struct tw_rsa_scratch *tw_rsa_scratch_new(void)
{
	struct tw_rsa_scratch *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ctx = BN_CTX_new();
	s->s = BN_new();
	s->sr = BN_new();
	s->x = BN_new();
	if (!s->ctx || !s->s || !s->sr || !s->x) {
		tw_rsa_scratch_free(s);
		return NULL;
	}
	return s;
}

void tw_rsa_scratch_free(struct tw_rsa_scratch *s)
{
	if (!s)
		return;
	BN_CTX_free(s->ctx);
	BN_free(s->s);
	BN_free(s->sr);
	BN_free(s->x);
	free(s);
}

/* s->x = s->s ^ e mod n for e of at most 64 bits, left to right. The last step
 * (e is odd for every DNSKEY) multiplies the Montgomery-form power by s itself,
 * not by s·R: that yields the plain result, saving the conversion back. For e =
 * 65537 that is 1 + 16 + 1 Montgomery products against BN_mod_exp_mont's 19
 * (to, 16 squares, 1 product, from); bench/rsa_bench. */
static bool pow_small(struct tw_rsa_scratch *s, const struct tw_rsa_key *k)
{
	BN_MONT_CTX *m = k->mont;
	BN_CTX *c = s->ctx;
	if (!BN_to_montgomery(s->sr, s->s, m, c) || !BN_copy(s->x, s->sr))
		return false;
	bool mont_form = true;
	for (int i = (int)k->ebits - 2; i >= 0; i--) {
		if (!BN_mod_mul_montgomery(s->x, s->x, s->x, m, c))
			return false;
		if (!(k->e64 >> i & 1))
			continue;
		if (i == 0) {
			if (!BN_mod_mul_montgomery(s->x, s->x, s->s, m, c))
				return false;
			mont_form = false;
		} else if (!BN_mod_mul_montgomery(s->x, s->x, s->sr, m, c)) {
			return false;
		}
	}
	/* only an even e (or e = 1), which key.c never lets through, ends here */
	return !mont_form || BN_from_montgomery(s->x, s->x, m, c);
}

bool tw_rsa_verify(struct tw_rsa_scratch *s, const struct tw_rsa_key *k, const EVP_MD *md,
		   const uint8_t *hash, size_t hlen, const uint8_t *sig, size_t sig_len)
{
	const uint8_t *prefix;
	size_t plen;
	switch (EVP_MD_get_type(md)) {
	case NID_sha1:
		prefix = prefix_sha1;
		plen = sizeof(prefix_sha1);
		break;
	case NID_sha256:
		prefix = prefix_sha256;
		plen = sizeof(prefix_sha256);
		break;
	case NID_sha512:
		prefix = prefix_sha512;
		plen = sizeof(prefix_sha512);
		break;
	default:
		return false;
	}
	size_t klen = k->len;
	/* the digest length is the DER prefix's last octet */
	if (hlen != prefix[plen - 1] || sig_len != klen || klen < 3 + MIN_PS + plen + hlen)
		return false;
	/* RFC 8017 §5.2.2 step 1: s < n; both are klen octets, so compare octets */
	if (memcmp(sig, k->nbin, klen) >= 0)
		return false;
	if (!BN_bin2bn(sig, (int)sig_len, s->s))
		return false;
	if (k->ebits) {
		if (!pow_small(s, k))
			return false;
	} else if (!BN_mod_exp_mont(s->x, s->s, k->e, k->n, s->ctx, k->mont)) {
		return false;
	}
	if (BN_bn2binpad(s->x, s->em, (int)klen) != (int)klen)
		return false;

	/* RFC 8017 §9.2: EM = 0x00 || 0x01 || PS (0xff) || 0x00 || T; with the length
	 * fixed, comparing whole blocks is exactly OpenSSL's padding check followed by
	 * its DigestInfo comparison */
	uint8_t *w = s->want;
	size_t ps = klen - 3 - plen - hlen;
	w[0] = 0x00;
	w[1] = 0x01;
	memset(w + 2, 0xff, ps);
	w[2 + ps] = 0x00;
	memcpy(w + 3 + ps, prefix, plen);
	memcpy(w + 3 + ps + plen, hash, hlen);
	return memcmp(s->em, w, klen) == 0;
}
