/* Signature verification through OpenSSL 3 EVP, with per-verifier context reuse.
 *
 * Verification handles public data only (keys, signatures, signed data), so no
 * part of it needs to be constant-time.
 */
#include "crypto/verify.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "crypto/alg.h"
#include "crypto/ed25519.h"
#include "crypto/ed448.h"
#include "crypto/key_impl.h"
#include "crypto/p256.h"
#include "crypto/p384.h"
#include "crypto/rsa.h"
#include "crypto/sigdata.h"
#include "dns/name.h"

#define PCTX_SLOTS 64 /* power of two */

struct pctx_slot {
	uint64_t key_id;
	EVP_PKEY_CTX *ctx; /* holds its own reference to the key's EVP_PKEY */
};

struct tw_crypto_verifier {
	EVP_MD_CTX *md;    /* pre-hash of RSA/ECDSA signed data */
	EVP_MD_CTX *ed;    /* EdDSA one-shot verification */
	struct tw_rsa_scratch *rsa; /* own RSA verification */
	uint64_t count;
	uint64_t failures;
	struct pctx_slot slot[PCTX_SLOTS];
	uint8_t scratch[TW_CRYPTO_SIGDATA_MAX]; /* signed data under construction */
};

struct tw_crypto_verifier *tw_crypto_verifier_new(void)
{
	struct tw_crypto_verifier *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->md = EVP_MD_CTX_new();
	v->ed = EVP_MD_CTX_new();
	v->rsa = tw_rsa_scratch_new();
	if (!v->md || !v->ed || !v->rsa) {
		tw_crypto_verifier_free(v);
		return NULL;
	}
	return v;
}

void tw_crypto_verifier_free(struct tw_crypto_verifier *v)
{
	if (!v)
		return;
	for (unsigned i = 0; i < PCTX_SLOTS; i++)
		EVP_PKEY_CTX_free(v->slot[i].ctx);
	EVP_MD_CTX_free(v->md);
	EVP_MD_CTX_free(v->ed);
	tw_rsa_scratch_free(v->rsa);
	free(v);
}

uint64_t tw_crypto_verifier_count(const struct tw_crypto_verifier *v)
{
	return v->count;
}

uint64_t tw_crypto_verifier_failures(const struct tw_crypto_verifier *v)
{
	return v->failures;
}

/* The verify-initialised public-key context for k, from the cache or new. A key
 * freed and its id reused cannot alias: ids are never reused. */
static EVP_PKEY_CTX *pkey_ctx(struct tw_crypto_verifier *v, const struct tw_crypto_key *k)
{
	struct pctx_slot *s = &v->slot[k->id & (PCTX_SLOTS - 1)];
	if (s->ctx && s->key_id == k->id)
		return s->ctx;
	EVP_PKEY_CTX_free(s->ctx);
	s->ctx = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
	if (!c || EVP_PKEY_verify_init(c) <= 0 || EVP_PKEY_CTX_set_signature_md(c, k->md) <= 0 ||
	    (EVP_PKEY_base_id(k->pkey) == EVP_PKEY_RSA &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) <= 0)) {
		EVP_PKEY_CTX_free(c);
		return NULL;
	}
	s->ctx = c;
	s->key_id = k->id;
	return c;
}

/* One DER INTEGER (positive) from a big-endian unsigned value. */
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

/* RFC 6605 §4 r | s -> the DER ECDSA-Sig-Value OpenSSL verifies (short-form
 * lengths suffice: at most 2 * (2 + 49) octets inside). */
static size_t ecdsa_der(uint8_t *out, const uint8_t *sig, size_t half)
{
	size_t n = 2;
	n += der_int(out + n, sig, half);
	n += der_int(out + n, sig + half, half);
	out[0] = 0x30;
	out[1] = (uint8_t)(n - 2);
	return n;
}

enum tw_crypto_result tw_crypto_verify(struct tw_crypto_verifier *v,
				       const struct tw_crypto_key *k, const uint8_t *data,
				       size_t len, const uint8_t *sig, size_t sig_len)
{
	if (!k)
		return TW_CRYPTO_UNSUPPORTED;
	v->count++;
	if (sig_len != k->sig_len)
		return TW_CRYPTO_INVALID;
	int ok;
	if (k->md) {
		uint8_t hash[EVP_MAX_MD_SIZE];
		unsigned int hlen = 0;
		if (!EVP_DigestInit_ex(v->md, k->md, NULL) || !EVP_DigestUpdate(v->md, data, len) ||
		    !EVP_DigestFinal_ex(v->md, hash, &hlen)) {
			v->failures++;
			ERR_clear_error();
			return TW_CRYPTO_INVALID;
		}
		if (k->p256)
			return tw_p256_verify(k->p256, hash, sig) ? TW_CRYPTO_VALID
								  : TW_CRYPTO_INVALID;
		if (k->p384)
			return tw_p384_verify(k->p384, hash, sig) ? TW_CRYPTO_VALID
								  : TW_CRYPTO_INVALID;
		if (k->rsa)
			return tw_rsa_verify(v->rsa, k->rsa, k->md, hash, hlen, sig, sig_len)
				       ? TW_CRYPTO_VALID
				       : TW_CRYPTO_INVALID;
		EVP_PKEY_CTX *c = pkey_ctx(v, k);
		if (!c) {
			v->failures++;
			ERR_clear_error();
			return TW_CRYPTO_INVALID;
		}
		if (k->alg == TW_ALG_ECDSAP256SHA256 || k->alg == TW_ALG_ECDSAP384SHA384) {
			uint8_t der[2 + 2 * (3 + 48)];
			size_t dlen = ecdsa_der(der, sig, sig_len / 2);
			ok = EVP_PKEY_verify(c, der, dlen, hash, hlen);
		} else {
			ok = EVP_PKEY_verify(c, sig, sig_len, hash, hlen);
		}
	} else if (k->ed25519) {
		return tw_ed25519_verify(k->ed25519, data, len, sig) ? TW_CRYPTO_VALID
								      : TW_CRYPTO_INVALID;
	} else if (k->ed448) {
		return tw_ed448_verify(k->ed448, data, len, sig) ? TW_CRYPTO_VALID
								  : TW_CRYPTO_INVALID;
	} else {
		ok = EVP_DigestVerifyInit(v->ed, NULL, NULL, NULL, k->pkey) > 0 &&
		     EVP_DigestVerify(v->ed, sig, sig_len, data, len) > 0;
		/* Required, not tidying: OpenSSL 3.0 re-initialising a used context
		 * with another key silently keeps the first key, so without this
		 * reset a signature by the previous key would verify under this one
		 * (tests: test_eddsa_context_never_keeps_the_previous_key). */
		EVP_MD_CTX_reset(v->ed);
	}
	if (ok == 1)
		return TW_CRYPTO_VALID;
	/* a failed verification leaves reasons on OpenSSL's per-thread error queue;
	 * drop them so that it cannot grow */
	ERR_clear_error();
	return TW_CRYPTO_INVALID;
}

enum tw_crypto_result tw_crypto_verify_rrsig(struct tw_crypto_verifier *v,
					     const struct tw_crypto_key *k,
					     const uint8_t *rrsig, size_t rrsig_len,
					     const uint8_t *owner, uint16_t cls,
					     struct tw_crypto_rr *rrs, size_t n)
{
	if (!k)
		return TW_CRYPTO_UNSUPPORTED;
	size_t len;
	if (tw_crypto_sigdata(rrsig, rrsig_len, owner, cls, rrs, n, v->scratch,
			      sizeof(v->scratch), &len) != 0)
		return TW_CRYPTO_INVALID;
	size_t sig_off = TW_RRSIG_FIXED_LEN + tw_dns_name_len(rrsig + TW_RRSIG_FIXED_LEN);
	return tw_crypto_verify(v, k, v->scratch, len, rrsig + sig_off, rrsig_len - sig_off);
}
