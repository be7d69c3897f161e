/* Private to crypto/: our own ECDSA P-256 verification (DNSSEC algorithm 13,
 * RFC 6605) with a per-key fixed-base table, so that one DNSKEY verifying many
 * RRSIGs pays for its variable-base work once, when the key is prepared.
 *
 * Verification handles public data only and is variable-time by design.
 * A prepared key is read-only after tw_p256_prepare: any number of threads may
 * verify with it at once.
 */
#ifndef TW_CRYPTO_P256_H
#define TW_CRYPTO_P256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tw_p256_key;

/* Prepares the public key pub = X | Y (RFC 6605 §4, big-endian, 32 octets each)
 * into *out (heap; free with tw_p256_key_free). Returns 0, or
 *   -TW_ECRYPTO_KEY  a coordinate is >= p or the point is not on the curve
 *   -TW_ENOMEM       allocation failed
 * On failure *out is NULL. */
int tw_p256_prepare(struct tw_p256_key **out, const uint8_t pub[64]);

/* Frees a prepared key; NULL is fine. */
void tw_p256_key_free(struct tw_p256_key *k);

/* Heap bytes one prepared key holds (its fixed-base table). */
size_t tw_p256_key_size(void);

/* true when sig = r | s (32 octets each, big-endian) is a valid ECDSA signature
 * by k over digest (the SHA-256 of the signed data, taken as a 256-bit
 * big-endian integer, SEC 1 §4.1.4). r and s must be in [1, n-1]. */
bool tw_p256_verify(const struct tw_p256_key *k, const uint8_t digest[32],
		    const uint8_t sig[64]);

#endif
