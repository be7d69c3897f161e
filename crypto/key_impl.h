/* Private to crypto/: the layout of a prepared key, shared by the key preparation
 * and the verification back-ends. */
#ifndef TW_CRYPTO_KEY_IMPL_H
#define TW_CRYPTO_KEY_IMPL_H

#include <stdint.h>

#include <openssl/evp.h>

struct tw_p256_key;
struct tw_p384_key;
struct tw_ed25519_key;
struct tw_ed448_key;
struct tw_rsa_key;

struct tw_crypto_key {
	uint64_t id;       /* process-unique, never reused: verifiers key their
			    * context caches on it */
	EVP_PKEY *pkey;
	struct tw_p256_key *p256; /* own P-256 verification with a per-key table,
				   * or NULL (then OpenSSL verifies) */
	struct tw_p384_key *p384; /* own P-384 verification, or NULL */
	struct tw_ed25519_key *ed25519; /* own Ed25519 verification, or NULL */
	struct tw_ed448_key *ed448;     /* own Ed448 verification, or NULL */
	struct tw_rsa_key *rsa;   /* own RSA verification, or NULL (then OpenSSL
				   * verifies) */
	const EVP_MD *md;  /* pre-hash for RSA and ECDSA; NULL for EdDSA */
	uint16_t tag;
	uint16_t flags;
	uint16_t bits;
	uint16_t sig_len;  /* exact signature length this key accepts */
	uint8_t alg;
};

#endif
