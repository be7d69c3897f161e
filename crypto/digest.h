/* Key tags (RFC 4034 Appendix B), DS digests (RFC 4034 §5.1.4, RFC 4509, RFC 6605
 * §2) and NSEC3 owner hashing (RFC 5155 §5) with the RFC 9276 iteration cap.
 *
 * Pure functions; any thread, lock-free (OpenSSL digests through per-thread
 * contexts).
 */
#ifndef TW_CRYPTO_DIGEST_H
#define TW_CRYPTO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"

#define TW_DS_DIGEST_MAXLEN 48 /* SHA-384 */
#define TW_NSEC3_HASH_LEN 20   /* SHA-1 */

/* Key tag of DNSKEY RDATA (RFC 4034 Appendix B; algorithm 1 per B.1). */
uint16_t tw_crypto_keytag(const uint8_t *dnskey_rdata, size_t rdlen);

/* Digest of `type` over owner (canonical, lower-cased here) | DNSKEY RDATA, into
 * out (capacity >= TW_DS_DIGEST_MAXLEN). Returns the digest length, or
 *   -TW_ECRYPTO_UNSUPPORTED  digest type not implemented
 *   -TW_ECRYPTO_LIBRARY      OpenSSL failed */
int tw_crypto_ds_digest(uint8_t type, const uint8_t *owner, const uint8_t *dnskey_rdata,
			size_t rdlen, uint8_t *out);

enum tw_ds_match {
	TW_DS_MATCH = 0,       /* key tag, algorithm and digest all match */
	TW_DS_MISMATCH = 1,    /* the DS does not describe this DNSKEY */
	TW_DS_UNSUPPORTED = 2, /* digest type not implemented or disabled by policy */
};

/* Does the DS RDATA describe the DNSKEY RDATA owned by `owner`? Malformed DS or
 * DNSKEY RDATA is a mismatch. */
enum tw_ds_match tw_crypto_ds_match(const struct tw_crypto_policy *p, const uint8_t *owner,
				    const uint8_t *ds_rdata, size_t ds_len,
				    const uint8_t *dnskey_rdata, size_t key_len);

/* NSEC3 hash of `name` (lower-cased here): RFC 5155 §5, IH(salt, x, k). out:
 * TW_NSEC3_HASH_LEN octets. Returns 0, or
 *   -TW_ECRYPTO_UNSUPPORTED  hash algorithm other than SHA-1
 *   -TW_ECRYPTO_ITERATIONS   iterations above p->nsec3_max_iterations (no work done)
 *   -TW_ECRYPTO_LIBRARY      OpenSSL failed */
int tw_crypto_nsec3_hash(const struct tw_crypto_policy *p, uint8_t hash_alg,
			 uint16_t iterations, const uint8_t *salt, size_t salt_len,
			 const uint8_t *name, uint8_t *out);

#endif
