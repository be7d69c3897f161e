/* The data an RRSIG signs (RFC 4034 §3.1.8.1 and §6, RFC 4035 §5.3.2): the RRSIG
 * RDATA without its signature, then every RR of the RRset in canonical form and
 * order, owner lower-cased and rebuilt from the RRSIG Labels field for wildcard
 * expansions, TTL replaced by the Original TTL, duplicates removed.
 *
 * Pure functions over caller storage: any thread.
 */
#ifndef TW_CRYPTO_SIGDATA_H
#define TW_CRYPTO_SIGDATA_H

#include <stddef.h>
#include <stdint.h>

/* One RR of the RRset: its RDATA in canonical form (tw_dns_rdata_canonical). */
struct tw_crypto_rr {
	const uint8_t *rdata;
	uint16_t rdlen;
};

#define TW_RRSIG_FIXED_LEN 18 /* RRSIG RDATA before the signer's name */

/* Builds the signed data into out (capacity cap).
 * rrsig_rdata: the whole RRSIG RDATA (layout already checked, e.g. by
 *   tw_dns_rrsig_view); its type covered is the RRset's type.
 * owner: the RRset owner as received (any case); cls: its class.
 * rrs, n: the RRset; the array is sorted in place into canonical order.
 * out_len: out. Returns 0, or
 *   -TW_ECRYPTO_LABELS  the RRSIG Labels field exceeds the owner's label count
 *                       (RFC 4035 §5.3.1: the RRSIG cannot cover this RRset)
 *   -TW_ENOSPC          out too small */
int tw_crypto_sigdata(const uint8_t *rrsig_rdata, size_t rrsig_len, const uint8_t *owner,
		      uint16_t cls, struct tw_crypto_rr *rrs, size_t n, uint8_t *out, size_t cap,
		      size_t *out_len);

/* Canonical RDATA order (RFC 4034 §6.3): <0, 0, >0. */
int tw_crypto_rr_cmp(const struct tw_crypto_rr *a, const struct tw_crypto_rr *b);

#endif
