/* Signature verification: one DNSSEC signature over its signed data
 * (crypto/sigdata.h) with a prepared key (crypto/key.h).
 *
 * A verifier holds the per-thread scratch a verification needs (digest and
 * public-key contexts, reused across calls). trustwire itself allocates nothing
 * per verification, but OpenSSL 3.0 does inside EVP (bench/crypto_bench under
 * callgrind: about 15 allocations per RSA, 49 per ECDSA P-256, 15 per Ed25519
 * verification) and takes read locks in its algorithm store (about 34 per
 * Ed25519 verification). Own fast paths are to remove both. One verifier per
 * thread or lcore; never shared.
 */
#ifndef TW_CRYPTO_VERIFY_H
#define TW_CRYPTO_VERIFY_H

#include <stddef.h>
#include <stdint.h>

struct tw_crypto_key;
struct tw_crypto_rr;
struct tw_crypto_verifier;

/* Outcome of one verification: a result, not an error. */
enum tw_crypto_result {
	TW_CRYPTO_VALID = 0,
	TW_CRYPTO_INVALID = 1,     /* the signature does not verify (or is malformed) */
	TW_CRYPTO_UNSUPPORTED = 2, /* no key for this algorithm (never "invalid") */
};

/* New verifier for the calling thread; NULL when out of memory. */
struct tw_crypto_verifier *tw_crypto_verifier_new(void);

/* Frees a verifier; NULL is fine. */
void tw_crypto_verifier_free(struct tw_crypto_verifier *v);

/* Verifies sig over data[0..len) with key k (NULL key: TW_CRYPTO_UNSUPPORTED).
 * The signature is in DNSSEC wire form (RFC 3110 / 6605 §4 r||s / 8080 §4).
 * Only the verifier's owner thread. */
enum tw_crypto_result tw_crypto_verify(struct tw_crypto_verifier *v,
				       const struct tw_crypto_key *k, const uint8_t *data,
				       size_t len, const uint8_t *sig, size_t sig_len);

/* The whole DNSSEC check of one RRSIG: builds the signed data of the RRset
 * (crypto/sigdata.h: rrs hold canonical RDATA and are sorted in place) in the
 * verifier's scratch space and verifies the RRSIG's signature with k. An RRSIG
 * whose Labels exceed the owner's, or signed data larger than the scratch space
 * (TW_CRYPTO_SIGDATA_MAX), is TW_CRYPTO_INVALID. The RRSIG RDATA layout must have
 * been checked (tw_dns_rrsig_view or a parsed message). Only the verifier's
 * owner thread. */
enum tw_crypto_result tw_crypto_verify_rrsig(struct tw_crypto_verifier *v,
					     const struct tw_crypto_key *k,
					     const uint8_t *rrsig_rdata, size_t rrsig_len,
					     const uint8_t *owner, uint16_t cls,
					     struct tw_crypto_rr *rrs, size_t n);

#define TW_CRYPTO_SIGDATA_MAX (256 * 1024)

/* Verifications done and internal library failures seen by this verifier. */
uint64_t tw_crypto_verifier_count(const struct tw_crypto_verifier *v);
uint64_t tw_crypto_verifier_failures(const struct tw_crypto_verifier *v);

#endif
