/* Private to crypto/: our own RSA PKCS#1 v1.5 signature verification (DNSSEC
 * algorithms 5, 7, 8, 10: RFC 3110, RFC 5702) on OpenSSL's bignum layer alone,
 * without the EVP/provider layers, and without allocating per verification.
 *
 * A key is prepared once (modulus, Montgomery context, exponent) and is read-only
 * afterwards: any number of threads may verify with it at once. Each thread owns
 * a scratch (bignum context and buffers) reused across verifications.
 *
 * Verdicts are those of OpenSSL 3.0's EVP_PKEY_verify with RSA_PKCS1_PADDING and
 * the same digest (checked by tests/unit/test_crypto_rsa.c): the signature must be
 * exactly k octets (k = octets of n) and < n, and s^e mod n must be, octet for
 * octet, 0x00 0x01 FF..FF 0x00 DigestInfo(hash) (RFC 8017 §8.2.2, §9.2) with at
 * least 8 octets of FF.
 */
#ifndef TW_CRYPTO_RSA_H
#define TW_CRYPTO_RSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* The largest modulus prepared: OpenSSL's own limit (OPENSSL_RSA_MAX_MODULUS_BITS). */
#define TW_RSA_MAX_BITS 16384

struct tw_rsa_key;
struct tw_rsa_scratch;

/* Prepares the public key (n, e), both big-endian unsigned with or without
 * leading zero octets, into *out (heap; free with tw_rsa_key_free). Returns 0, or
 *   -TW_ECRYPTO_KEY  n even, n wider than TW_RSA_MAX_BITS, e = 0, e >= n, or
 *                    e wider than 64 bits with n wider than 3072 bits (cases in
 *                    which OpenSSL refuses every signature by the key)
 *   -TW_ENOMEM       allocation failed
 * On failure *out is NULL. */
int tw_rsa_prepare(struct tw_rsa_key **out, const uint8_t *n, size_t nlen, const uint8_t *e,
		   size_t elen);

/* Frees a prepared key; NULL is fine. */
void tw_rsa_key_free(struct tw_rsa_key *k);

/* Octets of the key's modulus: the only signature length it accepts. */
size_t tw_rsa_key_len(const struct tw_rsa_key *k);

/* New scratch for the calling thread (heap; free with tw_rsa_scratch_free); NULL
 * when out of memory. Never shared between threads. */
struct tw_rsa_scratch *tw_rsa_scratch_new(void);

/* Frees a scratch; NULL is fine. */
void tw_rsa_scratch_free(struct tw_rsa_scratch *s);

/* True when sig[0..sig_len) is a valid RSASSA-PKCS1-v1_5 signature by k over
 * hash[0..hlen), the digest of the signed data by md (SHA-1, SHA-256 or SHA-512;
 * any other digest, or hlen not its size, is false). Allocates nothing once the
 * scratch has served a key of this size; only the scratch's owner thread. */
bool tw_rsa_verify(struct tw_rsa_scratch *s, const struct tw_rsa_key *k, const EVP_MD *md,
		   const uint8_t *hash, size_t hlen, const uint8_t *sig, size_t sig_len);

#endif
