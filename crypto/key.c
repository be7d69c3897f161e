/* Prepared DNSKEYs through OpenSSL 3: RFC 3110 (RSA), RFC 6605 §4 (ECDSA),
 * RFC 8080 §3 (EdDSA) public key formats. */
#include "crypto/key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "crypto/digest.h"
#include "crypto/key_impl.h"
#include "crypto/md.h"
#include "crypto/ed25519.h"
#include "crypto/ed448.h"
#include "crypto/p256.h"
#include "crypto/p384.h"
#include "crypto/rsa.h"
#include "dns/error.h"
#include "dns/wire.h"

static uint64_t next_id = 1;

/* RFC 3110 §2: exponent length (1 octet, or 0 then 2 octets), exponent, modulus. */
static enum tw_key_status rsa_key(const struct tw_crypto_policy *p, const uint8_t *k,
				  size_t len, EVP_PKEY **out, uint16_t *bits,
				  struct tw_rsa_key **rsa)
{
	size_t elen, off;
	if (len < 1)
		return TW_KEY_MALFORMED;
	if (k[0]) {
		elen = k[0];
		off = 1;
	} else {
		if (len < 3)
			return TW_KEY_MALFORMED;
		elen = tw_wire_get16(k + 1);
		off = 3;
	}
	if (elen == 0 || len < off + elen + 1)
		return TW_KEY_MALFORMED;
	const uint8_t *e = k + off, *n = k + off + elen;
	size_t nlen = len - off - elen;
	/* leading zero octets carry no bits */
	while (elen > 1 && e[0] == 0) {
		e++;
		elen--;
	}
	while (nlen > 1 && n[0] == 0) {
		n++;
		nlen--;
	}
	unsigned nbits = (unsigned)nlen * 8;
	for (uint8_t top = n[0]; nbits && !(top & 0x80); top = (uint8_t)(top << 1))
		nbits--;
	if (nbits < p->rsa_min_bits || nbits > p->rsa_max_bits)
		return TW_KEY_REFUSED_SIZE;
	/* A public exponent must be odd and > 1; one wider than 64 bits only makes
	 * verification slow (a KeyTrap lever) and no signer uses it. */
	if (elen > 8 || !(e[elen - 1] & 1) || (elen == 1 && e[0] == 1))
		return TW_KEY_REFUSED_SIZE;
	if (!(n[nlen - 1] & 1))
		return TW_KEY_MALFORMED; /* an RSA modulus is odd */

	enum tw_key_status st = TW_KEY_MALFORMED;
	BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
	BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (bn_n && bn_e && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) &&
	    (params = OSSL_PARAM_BLD_to_param(bld)) && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0) {
		st = TW_KEY_OK;
		*bits = (uint16_t)nbits;
		/* own verification: same verdicts as OpenSSL's (tests/unit/test_crypto_rsa.c),
		 * faster (bench/rsa_bench); on failure *rsa stays NULL and OpenSSL verifies */
		(void)tw_rsa_prepare(rsa, n, nlen, e, elen);
	}
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn_n);
	BN_free(bn_e);
	return st;
}

/* RFC 6605 §4: the public key is the point's X | Y, each the curve's size. */
static enum tw_key_status ec_key(const char *group, size_t coord, const uint8_t *k, size_t len,
				 EVP_PKEY **out)
{
	if (len != 2 * coord)
		return TW_KEY_MALFORMED;
	uint8_t point[1 + 2 * 48];
	point[0] = 0x04; /* uncompressed (SEC 1 §2.3.3) */
	memcpy(point + 1, k, len);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + len),
		OSSL_PARAM_construct_end(),
	};
	enum tw_key_status st = TW_KEY_MALFORMED;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0) {
		/* the point must lie on the curve (fromdata does not insist) */
		EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, *out, NULL);
		if (chk && EVP_PKEY_public_check(chk) > 0)
			st = TW_KEY_OK;
		EVP_PKEY_CTX_free(chk);
		if (st != TW_KEY_OK) {
			EVP_PKEY_free(*out);
			*out = NULL;
		}
	}
	EVP_PKEY_CTX_free(ctx);
	return st;
}

static enum tw_key_status ed_key(int type, size_t klen, const uint8_t *k, size_t len,
				 EVP_PKEY **out)
{
	if (len != klen)
		return TW_KEY_MALFORMED;
	*out = EVP_PKEY_new_raw_public_key(type, NULL, k, len);
	return *out ? TW_KEY_OK : TW_KEY_MALFORMED;
}

int tw_crypto_key_new(const struct tw_crypto_policy *p, const uint8_t *rdata, size_t rdlen,
		      struct tw_crypto_key **out, enum tw_key_status *status)
{
	*out = NULL;
	if (rdlen < 4)
		return -TW_EDNS_RDATA;
	uint8_t alg = rdata[3];
	if (!tw_crypto_alg_implemented(alg)) {
		*status = TW_KEY_UNSUPPORTED_ALG;
		return 0;
	}
	if (!tw_crypto_alg_enabled(p, alg)) {
		*status = TW_KEY_DISABLED_ALG;
		return 0;
	}
	struct tw_crypto_key *key = calloc(1, sizeof(*key));
	if (!key)
		return -TW_ENOMEM;
	const uint8_t *k = rdata + 4;
	size_t klen = rdlen - 4;
	enum tw_key_status st;
	switch (alg) {
	case TW_ALG_RSASHA1:
	case TW_ALG_RSASHA1_NSEC3_SHA1:
	case TW_ALG_RSASHA256:
	case TW_ALG_RSASHA512:
		st = rsa_key(p, k, klen, &key->pkey, &key->bits, &key->rsa);
		key->md = alg == TW_ALG_RSASHA256   ? tw_md_sha256()
			  : alg == TW_ALG_RSASHA512 ? tw_md_sha512()
						    : tw_md_sha1();
		key->sig_len = (uint16_t)((key->bits + 7) / 8);
		break;
	case TW_ALG_ECDSAP256SHA256:
		st = ec_key("P-256", 32, k, klen, &key->pkey);
		/* OpenSSL has checked the point; on -TW_ENOMEM OpenSSL simply keeps
		 * verifying this key */
		if (st == TW_KEY_OK && p->ecdsa_tables &&
		    tw_p256_prepare(&key->p256, k) == -TW_ECRYPTO_KEY)
			st = TW_KEY_MALFORMED;
		key->md = tw_md_sha256();
		key->bits = 256;
		key->sig_len = 64;
		break;
	case TW_ALG_ECDSAP384SHA384:
		st = ec_key("P-384", 48, k, klen, &key->pkey);
		if (st == TW_KEY_OK && p->ecdsa_tables &&
		    tw_p384_prepare(&key->p384, k) == -TW_ECRYPTO_KEY)
			st = TW_KEY_MALFORMED;
		key->md = tw_md_sha384();
		key->bits = 384;
		key->sig_len = 96;
		break;
	case TW_ALG_ED25519:
		st = ed_key(EVP_PKEY_ED25519, 32, k, klen, &key->pkey);
		/* own verification: 3.3x OpenSSL's, same verdicts (bench/ed25519_bench,
		 * tests/unit/test_crypto_ed25519.c); a point OpenSSL would refuse every
		 * signature for is refused here at preparation */
		if (st == TW_KEY_OK) {
			key->ed25519 = malloc(sizeof(*key->ed25519));
			if (key->ed25519 && tw_ed25519_prepare(key->ed25519, k) != 0)
				st = TW_KEY_MALFORMED;
		}
		key->bits = 256;
		key->sig_len = 64;
		break;
	default: /* TW_ALG_ED448 */
		st = ed_key(EVP_PKEY_ED448, 57, k, klen, &key->pkey);
		/* own verification: about 2x OpenSSL's, same verdicts (bench/ed448_bench,
		 * tests/unit/test_crypto_ed448.c); a point OpenSSL refuses every
		 * signature for is refused here at preparation */
		if (st == TW_KEY_OK) {
			key->ed448 = malloc(sizeof(*key->ed448));
			if (key->ed448 && tw_ed448_prepare(key->ed448, k) != 0)
				st = TW_KEY_MALFORMED;
		}
		key->bits = 456;
		key->sig_len = 114;
		break;
	}
	*status = st;
	if (st != TW_KEY_OK) {
		tw_crypto_key_free(key);
		return 0;
	}
	key->alg = alg;
	key->flags = tw_wire_get16(rdata);
	key->tag = tw_crypto_keytag(rdata, rdlen);
	key->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	*out = key;
	return 0;
}

void tw_crypto_key_free(struct tw_crypto_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	tw_p256_key_free(k->p256);
	tw_p384_key_free(k->p384);
	free(k->ed25519);
	free(k->ed448);
	tw_rsa_key_free(k->rsa);
	free(k);
}

size_t tw_crypto_key_mem(const struct tw_crypto_key *k)
{
	/* OpenSSL's EVP_PKEY with its provider key data: a flat allowance of 1 KiB,
	 * an estimate, not a measurement. */
	size_t n = sizeof(*k) + (k->pkey ? 1024 : 0);
	if (k->p256)
		n += tw_p256_key_size();
	if (k->p384)
		n += tw_p384_key_size();
	if (k->ed25519 || k->ed448)
		n += 256;
	if (k->rsa)
		n += 3u * (k->bits / 8u) + 64;
	return n;
}

uint8_t tw_crypto_key_alg(const struct tw_crypto_key *k)
{
	return k->alg;
}

uint16_t tw_crypto_key_get_tag(const struct tw_crypto_key *k)
{
	return k->tag;
}

uint16_t tw_crypto_key_flags(const struct tw_crypto_key *k)
{
	return k->flags;
}

unsigned tw_crypto_key_bits(const struct tw_crypto_key *k)
{
	return k->bits;
}

const char *tw_crypto_key_status_str(enum tw_key_status s)
{
	switch (s) {
	case TW_KEY_OK: return "key prepared";
	case TW_KEY_UNSUPPORTED_ALG: return "algorithm not supported";
	case TW_KEY_DISABLED_ALG: return "algorithm disabled by policy";
	case TW_KEY_MALFORMED: return "public key malformed";
	case TW_KEY_REFUSED_SIZE: return "key size or exponent refused by policy";
	}
	return "unknown key status";
}
