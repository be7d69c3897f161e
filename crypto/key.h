/* Prepared DNSKEYs: the public key of a DNSKEY RDATA parsed once into a crypto
 * library object, so that every signature made with it is verified without
 * parsing the key again. A prepared key is immutable and may be used by any
 * number of threads at once (each through its own tw_crypto_verifier).
 */
#ifndef TW_CRYPTO_KEY_H
#define TW_CRYPTO_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"

struct tw_crypto_key;

/* Why a DNSKEY could not be prepared; not an error: the validator turns it into a
 * verdict (EDE 1 for the algorithm cases). */
enum tw_key_status {
	TW_KEY_OK = 0,
	TW_KEY_UNSUPPORTED_ALG = 1, /* algorithm not implemented here */
	TW_KEY_DISABLED_ALG = 2,    /* implemented, disabled by policy */
	TW_KEY_MALFORMED = 3,       /* key material does not parse or is not on the curve */
	TW_KEY_REFUSED_SIZE = 4,    /* RSA modulus or exponent outside the policy */
};

/* Prepares the key of DNSKEY (or CDNSKEY) RDATA under policy p.
 * out: receives a new key when *status is TW_KEY_OK, else NULL. Caller owns it
 * and frees it with tw_crypto_key_free() (after an RCU grace period when readers
 * may still hold it). Any thread.
 * Returns 0 (the outcome is in *status), or
 *   -TW_EDNS_RDATA       rdlen < 4: not DNSKEY RDATA at all
 *   -TW_ENOMEM           allocation failed
 *   -TW_ECRYPTO_LIBRARY  OpenSSL failed for a reason other than the key */
int tw_crypto_key_new(const struct tw_crypto_policy *p, const uint8_t *rdata, size_t rdlen,
		      struct tw_crypto_key **out, enum tw_key_status *status);

/* Frees a prepared key; NULL is fine. */
void tw_crypto_key_free(struct tw_crypto_key *k);

uint8_t tw_crypto_key_alg(const struct tw_crypto_key *k);
uint16_t tw_crypto_key_get_tag(const struct tw_crypto_key *k);
uint16_t tw_crypto_key_flags(const struct tw_crypto_key *k);
/* Key size in bits (RSA modulus, curve size). */
unsigned tw_crypto_key_bits(const struct tw_crypto_key *k);

/* Octets the prepared key occupies, estimated: the struct, own tables and an
 * allowance for OpenSSL's key object. For memory accounting by caches. */
size_t tw_crypto_key_mem(const struct tw_crypto_key *k);

/* Text for a key status ("algorithm disabled by policy"). */
const char *tw_crypto_key_status_str(enum tw_key_status s);

#endif
