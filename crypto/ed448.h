/* Private to crypto/: our own Ed448 verification (RFC 8032 §5.2.7, DNSSEC
 * algorithm 16 per RFC 8080) with keys prepared once, accepting and refusing
 * exactly what OpenSSL 3.0's ossl_c448_ed448_verify accepts and refuses.
 *
 * What that means in detail (checked against OpenSSL by
 * tests/unit/test_crypto_ed448.c):
 *  - S must be < L, else the signature is refused;
 *  - A and R are decoded as RFC 8032 §5.2.3 says, and more strictly: octet 56
 *    must be 0x00 or 0x80 (bit 7 is the sign of x), y must be < p and have an
 *    x on the curve, and x must not be 0: OpenSSL refuses the identity (0, 1)
 *    and (0, -1) as A and as R, with either sign bit;
 *  - the check is cofactored: OpenSSL compares the points through a 4-isogeny,
 *    which identifies points that differ by one of the four points of order
 *    dividing 4, so the signature is valid when [4]R = [4]([S]B - [k]A) with
 *    k = SHAKE256(dom4(0, "") || R || A || M, 114) mod L over the bytes as
 *    received. R may thus be any of R', R' + (0, -1), R' + (1, 0), R' - (1, 0).
 */
#ifndef TW_CRYPTO_ED448_H
#define TW_CRYPTO_ED448_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Width of the signed-digit windows for A: odd multiples 1, 3, .., 2^(w-1) - 1. */
#define TW_ED448_A_WINDOW 5
#define TW_ED448_A_TABLE (1 << (TW_ED448_A_WINDOW - 2))

/* An affine point: x, y and d*x*y (mod 2^448 - 2^224 - 1, radix 2^56, carried). */
struct tw_ed448_affine {
	uint64_t x[8];
	uint64_t y[8];
	uint64_t dxy[8];
};

/* A prepared public key: caller-owned, may be embedded; read-only once prepared,
 * so one key may be used by any number of threads at once. */
struct tw_ed448_key {
	uint8_t pub[57];   /* as received: hashed into k */
	bool valid;        /* A decoded */
	/* odd multiples of -A ([0]) and of -2^224 A ([1]) */
	struct tw_ed448_affine neg_a[2][TW_ED448_A_TABLE];
};

/* Prepares k from the 57-octet public key (RFC 8080 §3). Returns 0, or
 * -TW_ECRYPTO_KEY when A does not decode (OpenSSL refuses every signature by
 * such a key); k is then marked so that tw_ed448_verify refuses everything. */
int tw_ed448_prepare(struct tw_ed448_key *k, const uint8_t pub[57]);

/* True when sig (R || S, RFC 8032 §5.2.6) is a valid signature of msg[0..len)
 * by the prepared key k, with an empty context (pure Ed448, as RFC 8080 uses
 * it). Allocates nothing beyond the thread's reusable digest context; any thread. */
bool tw_ed448_verify(const struct tw_ed448_key *k, const uint8_t *msg, size_t len,
		     const uint8_t sig[114]);

#endif
