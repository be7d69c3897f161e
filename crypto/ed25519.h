/* Private to crypto/: our own Ed25519 verification (RFC 8032 §5.1.7, DNSSEC
 * algorithm 15 per RFC 8080) with keys prepared once, accepting and refusing
 * exactly what OpenSSL 3.0's ossl_ed25519_verify accepts and refuses.
 *
 * What that means in detail (checked against OpenSSL by
 * tests/unit/test_crypto_ed25519.c):
 *  - S must be < L, else the signature is refused;
 *  - A is decoded as OpenSSL's ge_frombytes_vartime does, more leniently than
 *    RFC 8032 §5.1.3: bit 255 is the sign of x, the other 255 bits are y taken
 *    mod p (so y >= p is accepted), and x = 0 with the sign bit set is accepted
 *    as x = 0; only a y with no x on the curve is refused;
 *  - the check is cofactorless: the canonical encoding of [S]B - [k]A, with
 *    k = SHA-512(R || A || M) mod L over the bytes as received, must equal R
 *    byte for byte (so a non-canonical R never verifies).
 */
#ifndef TW_CRYPTO_ED25519_H
#define TW_CRYPTO_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Width of the signed-digit windows for A: odd multiples 1, 3, .., 2^(w-1) - 1. */
#define TW_ED25519_A_WINDOW 5
#define TW_ED25519_A_TABLE (1 << (TW_ED25519_A_WINDOW - 2))

/* A point in affine "Niels" form: y + x, y - x, 2dxy (mod 2^255 - 19, radix 2^51). */
struct tw_ed25519_niels {
	uint64_t ypx[5];
	uint64_t ymx[5];
	uint64_t xy2d[5];
};

/* A prepared public key: caller-owned, may be embedded; read-only once prepared,
 * so one key may be used by any number of threads at once. */
struct tw_ed25519_key {
	uint8_t pub[32];   /* as received: hashed into k */
	bool valid;        /* A decoded */
	/* odd multiples of -A ([0]) and of -2^128 A ([1]) */
	struct tw_ed25519_niels neg_a[2][TW_ED25519_A_TABLE];
};

/* Prepares k from the 32-octet public key (RFC 8080 §3). Returns 0, or
 * -TW_ECRYPTO_KEY when A
 * does not decode (OpenSSL refuses every signature by such a key); k is then
 * marked so that tw_ed25519_verify refuses everything. */
int tw_ed25519_prepare(struct tw_ed25519_key *k, const uint8_t pub[32]);

/* True when sig (R || S, RFC 8032 §5.1.6) is a valid signature of msg[0..len)
 * by the prepared key k. Allocates nothing; any thread. */
bool tw_ed25519_verify(const struct tw_ed25519_key *k, const uint8_t *msg, size_t len,
		       const uint8_t sig[64]);

#endif
