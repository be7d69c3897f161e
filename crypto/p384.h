/* Private to crypto/: our own ECDSA P-384 verification (DNSSEC algorithm 14,
 * RFC 6605) with a per-key fixed-base table, so that one DNSKEY verifying many
 * RRSIGs pays for its variable-base work once, when the key is prepared.
 *
 * Verification handles public data only and is variable-time by design.
 * A prepared key is read-only after tw_p384_prepare: any number of threads may
 * verify with it at once.
 */
#ifndef TW_CRYPTO_P384_H
#define TW_CRYPTO_P384_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tw_p384_key;

/* Prepares the public key pub = X | Y (RFC 6605 §4, big-endian, 48 octets each)
 * into *out (heap; free with tw_p384_key_free). Returns 0, or
 *   -TW_ECRYPTO_KEY  a coordinate is >= p or the point is not on the curve
 *   -TW_ENOMEM       allocation failed
 * On failure *out is NULL. */
int tw_p384_prepare(struct tw_p384_key **out, const uint8_t pub[96]);

/* Frees a prepared key; NULL is fine. */
void tw_p384_key_free(struct tw_p384_key *k);

/* Heap bytes one prepared key holds (its fixed-base table). */
size_t tw_p384_key_size(void);

/* true when sig = r | s (48 octets each, big-endian) is a valid ECDSA signature
 * by k over digest (the SHA-384 of the signed data, taken whole as a 384-bit
 * big-endian integer, SEC 1 §4.1.4). r and s must be in [1, n-1]. */
bool tw_p384_verify(const struct tw_p384_key *k, const uint8_t digest[48],
		    const uint8_t sig[96]);

#endif
