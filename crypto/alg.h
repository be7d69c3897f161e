/* DNSSEC algorithm and digest numbers, and the policy that says which of them
 * this validator accepts (RFC 8624 and its successors leave some to policy).
 *
 * Pure functions over caller storage: any thread.
 */
#ifndef TW_CRYPTO_ALG_H
#define TW_CRYPTO_ALG_H

#include <stdbool.h>
#include <stdint.h>

/* DNS Security Algorithm Numbers (IANA). */
enum tw_dnssec_alg {
	TW_ALG_RSAMD5 = 1,
	TW_ALG_DSA = 3,
	TW_ALG_RSASHA1 = 5,
	TW_ALG_DSA_NSEC3_SHA1 = 6,
	TW_ALG_RSASHA1_NSEC3_SHA1 = 7,
	TW_ALG_RSASHA256 = 8,
	TW_ALG_RSASHA512 = 10,
	TW_ALG_ECC_GOST = 12,
	TW_ALG_ECDSAP256SHA256 = 13,
	TW_ALG_ECDSAP384SHA384 = 14,
	TW_ALG_ED25519 = 15,
	TW_ALG_ED448 = 16,
};

/* Delegation Signer digest types (IANA). */
enum tw_ds_digest {
	TW_DS_SHA1 = 1,
	TW_DS_SHA256 = 2,
	TW_DS_GOST = 3,
	TW_DS_SHA384 = 4,
};

/* NSEC3 hash algorithms (RFC 5155 §11). */
#define TW_NSEC3_SHA1 1

struct tw_crypto_policy {
	uint32_t alg_enabled;    /* bit n set: algorithm n validated (n < 32) */
	uint8_t digest_enabled;  /* bit n set: DS digest type n accepted (n < 8) */
	uint16_t rsa_min_bits;   /* RSA moduli outside [min, max] are refused */
	uint16_t rsa_max_bits;
	uint16_t nsec3_max_iterations; /* RFC 9276 §3.2: above this, no hashing */
	bool ecdsa_tables;       /* ECDSA keys get a per-key fixed-base table and our
				  * own verification (crypto/p256.h: 151,552 bytes,
				  * ~1.8x; crypto/p384.h: 199,680 bytes, ~5x) */
};

/* Fills the default policy: algorithms 5, 7, 8, 10, 13, 14, 15, 16; digests 1, 2,
 * 4; RSA 1024..4096 bits; NSEC3 iterations up to 150; ECDSA key tables on. */
void tw_crypto_policy_default(struct tw_crypto_policy *p);

/* True when the algorithm has an implementation here (whatever the policy). */
bool tw_crypto_alg_implemented(uint8_t alg);

/* True when the policy enables an implemented algorithm. */
bool tw_crypto_alg_enabled(const struct tw_crypto_policy *p, uint8_t alg);

/* True when the DS digest type is implemented and enabled by the policy. */
bool tw_crypto_digest_enabled(const struct tw_crypto_policy *p, uint8_t digest_type);

/* Mnemonic of an algorithm ("ECDSAP256SHA256") or NULL when unknown. */
const char *tw_crypto_alg_name(uint8_t alg);

#endif
