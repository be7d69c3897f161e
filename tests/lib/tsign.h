/* tsign: a small in-memory DNSSEC zone signer for unit tests and benchmarks.
 *
 * Builds signed zones from zone-file text at test time (fresh keys, signature
 * windows relative to a clock the test picks), breaks them on purpose, and
 * assembles the responses an upstream recursive resolver would send.
 *
 * Test code: everything allocates freely, failures return -1 (or NULL) and say
 * why on stderr. Objects are not shared between threads; distinct objects may be
 * used from distinct threads.
 *
 * Names given as text ("www", "www.example.", "@") are relative to the zone
 * origin unless they end in a dot; names given as uint8_t * are uncompressed
 * wire names.
 */
#ifndef TW_TESTS_TSIGN_H
#define TW_TESTS_TSIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"

/* ---- keys ---- */

/* A DNSSEC key: an OpenSSL private key and its DNSKEY RDATA, or a public-only key. */
struct ts_key;

/* New key pair of algorithm alg (5, 7, 8, 10: RSA of 1024 bits; 13, 14: ECDSA
 * P-256/P-384; 15, 16: Ed25519/Ed448) with DNSKEY flags (257 KSK, 256 ZSK, any
 * other value as given). Returns the key (caller frees it with ts_key_free or
 * hands it to a zone), or NULL for another algorithm or when OpenSSL fails. */
struct ts_key *ts_key_new(uint8_t alg, uint16_t flags);

/* As ts_key_new with an RSA modulus of rsa_bits (ignored for non-RSA algorithms). */
struct ts_key *ts_key_new_bits(uint8_t alg, uint16_t flags, unsigned rsa_bits);

/* Public-only key from DNSKEY RDATA (copied; need not be a valid key), e.g. with a
 * forged key tag for KeyTrap-style DNSKEY sets. It cannot really sign: an RRSIG
 * "made" with it (ts_zone_sign_rrset) carries a pseudo-random signature of the
 * algorithm's length, never valid. NULL when len < 4. */
struct ts_key *ts_key_from_dnskey(const uint8_t *rdata, uint16_t len);

/* Public-only key of k's algorithm and flags whose DNSKEY has key tag `tag` and
 * still parses as a well-formed public key (tw_crypto_key_new says TW_KEY_OK):
 * RSA keeps the modulus and gets another odd 4-octet exponent; ECDSA walks the
 * public point by adding the generator; EdDSA picks random octets that decode.
 * For KeyTrap-style key-tag collisions. NULL for other algorithms, or when no
 * such key was found (tag 0 may be unreachable for a given key). Takes up to
 * about a second for ECDSA (some 65536 point additions). */
struct ts_key *ts_key_forge_tag(const struct ts_key *k, uint16_t tag);

/* Frees a key; NULL is fine. Never free a key a zone owns. */
void ts_key_free(struct ts_key *k);

/* The DNSKEY RDATA (owned by k); len: out. */
const uint8_t *ts_key_dnskey(const struct ts_key *k, uint16_t *len);
uint16_t ts_key_tag(const struct ts_key *k);
uint8_t ts_key_alg(const struct ts_key *k);
/* True when k holds a private key (not from ts_key_from_dnskey/ts_key_forge_tag). */
bool ts_key_can_sign(const struct ts_key *k);

/* DS RDATA for the key at owner (wire name) with digest type 1, 2 or 4 into out
 * (capacity cap; 4 + 48 always suffices). Returns its length or -1. */
int ts_key_ds(const struct ts_key *k, const uint8_t *owner, uint8_t digest_type, uint8_t *out,
	      size_t cap);

/* Parses a presentation name (relative names are taken as absolute) into out
 * (capacity 255). Returns its length or -1. */
int ts_name(const char *text, uint8_t *out);

/* ---- zones ---- */

struct ts_zone;

/* New empty zone at origin ("example." ; "." for the root). NULL on a bad name. */
struct ts_zone *ts_zone_new(const char *origin);

/* Frees the zone, its records and the keys it owns; NULL is fine. */
void ts_zone_free(struct ts_zone *z);

/* The origin as a wire name (owned by z). */
const uint8_t *ts_zone_origin(const struct ts_zone *z);

/* Adds the records of zone-file text (normally one line; several lines, $ORIGIN
 * and $TTL work, and owner/TTL carry over from one call to the next). Relative
 * names are against the origin, default TTL 3600, class IN only. An RRSIG record
 * is attached to the RRset it covers. Duplicate records are dropped; a record
 * joining an existing RRset keeps the set's TTL. Returns 0, or -1 (the reader's
 * error or "out of zone" printed to stderr). */
int ts_zone_add(struct ts_zone *z, const char *line);

/* Adds one record from wire form (rdata stand-alone, uncompressed). Same rules. */
int ts_zone_add_rr(struct ts_zone *z, const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t len);

/* Hands k to the zone (the zone frees it) and adds its DNSKEY at the apex (TTL of
 * the existing DNSKEY set, else 3600). signs_dnskey: ts_zone_sign signs the
 * DNSKEY set with it; signs_data: every other authoritative RRset. */
void ts_zone_add_key(struct ts_zone *z, struct ts_key *k, bool signs_dnskey, bool signs_data);

/* Adds the DS of key k (not taken over) at owner (a delegation in this zone, or
 * any name) with digest type 1, 2 or 4, TTL 3600. Returns 0 or -1. */
int ts_zone_add_ds(struct ts_zone *z, const char *owner, const struct ts_key *k,
		   uint8_t digest_type);

/* Builds the denial chain over the zone's names, replacing any NSEC, NSEC3 and
 * NSEC3PARAM records already there. Call after all adds, before signing.
 * NSEC (RFC 4034 §4, RFC 4035 §2.3): one per authoritative name and delegation
 * point in canonical order, the last pointing back to the apex; bitmaps list the
 * types there plus RRSIG and NSEC (at a delegation only NS, DS, RRSIG, NSEC).
 * NSEC3 (RFC 5155 §7.1): hash of every authoritative name, delegation and empty
 * non-terminal, sorted by hash, owner base32hex(hash).origin in lower case;
 * opt-out leaves out delegations without DS (and the empty non-terminals only
 * they create) and sets flag 1 on every NSEC3; NSEC3PARAM (flags 0) at the apex.
 * salt_hex: hex octets, "-" or NULL for none. TTL: SOA minimum or 3600.
 * Returns 0 or -1. */
int ts_zone_nsec(struct ts_zone *z);
int ts_zone_nsec3(struct ts_zone *z, uint16_t iterations, const char *salt_hex, bool optout);

/* Signs every authoritative RRset (not the NS set at a delegation, nothing below
 * one; the DS at a delegation and NSEC/NSEC3 yes) with each key flagged for it,
 * the DNSKEY set with the keys flagged signs_dnskey. Every RRSIG already in the
 * zone is dropped first: add hand-made ones afterwards. Returns 0 or -1. */
int ts_zone_sign(struct ts_zone *z, uint32_t inception, uint32_t expiration);

/* Signs one RRset again with key k (any key, owned by the zone or not; a
 * public-only key yields a pseudo-random signature). replace: the new RRSIG
 * becomes the set's only one; else it is added. Returns 0, or -1 when the set is
 * absent or signing fails. */
int ts_zone_sign_rrset(struct ts_zone *z, const char *owner, uint16_t type, struct ts_key *k,
		       uint32_t inception, uint32_t expiration, bool replace);

/* RRSIG fields to set to wrong values on purpose; -1 (NULL for signer) keeps the
 * normal value. The signature is computed over the fields as written (so it is
 * cryptographically valid unless labels exceeds the owner's label count, when no
 * signed data exists and the signature is pseudo-random). */
struct ts_sig_opts {
	uint32_t inception, expiration;
	int labels;        /* RRSIG Labels */
	int64_t orig_ttl;  /* Original TTL */
	int key_tag;       /* Key Tag */
	int alg;           /* Algorithm field (signing still uses k's algorithm) */
	const char *signer; /* Signer's Name, text relative to the origin */
};

/* Fills o with "no override" and the given window. */
void ts_sig_opts_init(struct ts_sig_opts *o, uint32_t inception, uint32_t expiration);

/* ts_zone_sign_rrset with overridden RRSIG fields. Returns 0 or -1. */
int ts_zone_sign_rrset_opts(struct ts_zone *z, const char *owner, uint16_t type,
			    struct ts_key *k, const struct ts_sig_opts *o, bool replace);

/* Removes an RRset and its RRSIGs (type RRSIG is refused: use ts_zone_remove_sigs).
 * The denial chain is left as it was (stale on purpose, or rebuild it and sign
 * again). Returns 0, or -1 when absent. */
int ts_zone_remove(struct ts_zone *z, const char *owner, uint16_t type);

/* Removes the RRSIGs covering (owner, covered). Returns 0, or -1 when none. */
int ts_zone_remove_sigs(struct ts_zone *z, const char *owner, uint16_t covered);

/* Flips a bit in the middle of the signature of every RRSIG covering
 * (owner, covered). Returns 0, or -1 when there is none. */
int ts_zone_corrupt_sig(struct ts_zone *z, const char *owner, uint16_t covered);

/* NSEC3 hash of name (text, relative to the origin) under the zone's NSEC3
 * parameters (after ts_zone_nsec3) into out (20 octets), and the NSEC3 owner it
 * gives as text into buf (capacity TW_DNS_NAME_STRLEN; may be NULL).
 * Returns 0 or -1. */
int ts_zone_nsec3_hash(const struct ts_zone *z, const char *name, uint8_t *out, char *buf);

/* Number of RRsets with records, and of RRSIGs, in the zone. */
size_t ts_zone_rrset_count(const struct ts_zone *z);
size_t ts_zone_sig_count(const struct ts_zone *z);

/* ---- responses ---- */

struct ts_msg;

/* New response to (qname, qtype, IN): id 0x2a2a, flags QR RD RA CD with rcode
 * (its upper bits go into OPT), an OPT record with DO and size 1232. NULL on a
 * bad name. */
struct ts_msg *ts_msg_new(const char *qname, uint16_t qtype, uint16_t rcode);
void ts_msg_free(struct ts_msg *m);

/* Header id and flags (the rcode's lower bits are kept from ts_msg_new). */
void ts_msg_set_id(struct ts_msg *m, uint16_t id);
void ts_msg_set_flags(struct ts_msg *m, uint16_t flags);
/* OPT record: present or not, payload size, EDNS flags (TW_DNS_EDNS_DO). */
void ts_msg_set_edns(struct ts_msg *m, bool present, uint16_t udp_size, uint16_t edns_flags);
/* An Extended DNS Error option in the OPT record (text may be NULL). */
void ts_msg_set_ede(struct ts_msg *m, uint16_t code, const char *text);

/* Copies the RRset (owner, type) of zone z and its RRSIGs into section sec. owner:
 * relative to the zone origin or absolute. Returns 0, or -1 when the set has no
 * records. */
int ts_msg_add_rrset(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
		     const char *owner, uint16_t type);

/* Copies only the RRSIGs covering (owner, covered). Returns 0, or -1 when none. */
int ts_msg_add_sigs(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
		    const char *owner, uint16_t covered);

/* Adds one record written in zone-file text with absolute names (TTL default
 * 3600), unsigned. Returns 0 or -1 (the reader's error on stderr). */
int ts_msg_add_line(struct ts_msg *m, enum tw_dns_section sec, const char *line);

/* Adds one record from wire form (rdata stand-alone). Returns 0. */
int ts_msg_add_rr(struct ts_msg *m, enum tw_dns_section sec, const uint8_t *owner,
		  uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t len);

/* Wildcard expansion (RFC 4035 §5.3.4): copies the RRset at wildcard_owner
 * ("*.w.example." or relative) with its RRSIGs (Labels as signed) under owner
 * `as` (relative or absolute). Returns 0, or -1 when absent. */
int ts_msg_add_expanded(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
			const char *wildcard_owner, uint16_t type, const char *as);

/* Adds to the authority section, with its RRSIGs, the NSEC whose span covers name
 * (owner < name < next, canonical order, the last one wrapping), or the NSEC3
 * whose hash span covers H(name). A record already in the section is not added
 * again. Returns 0, or -1 when the zone has no chain or name matches an owner
 * instead (use _matching). */
int ts_msg_add_nsec_covering(struct ts_msg *m, const struct ts_zone *z, const char *name);

/* Adds to the authority section the NSEC owned by name, or the NSEC3 matching
 * H(name), with its RRSIGs (not added twice). Returns 0, or -1 when there is none. */
int ts_msg_add_nsec_matching(struct ts_msg *m, const struct ts_zone *z, const char *name);

/* Copies every RRset of the zone (with RRSIGs) into section sec, in canonical
 * order of owner then type: a transfer-like message for checking a whole zone.
 * Returns 0. */
int ts_msg_add_zone(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z);

/* The response a recursive resolver would relay from zone z alone for (qname,
 * qtype) (qname relative to the origin or absolute), built from the zone's records
 * and chain with their RRSIGs, flags as ts_msg_new; the caller frees it:
 *   - at or below a delegation (except DS at the cut): a referral: NS (unsigned),
 *     DS with RRSIGs or the proof of no DS (NSEC/NSEC3 at the cut, or with
 *     opt-out the closest encloser proof), glue below the cut in additional;
 *   - an RRset at qname: the answer (a CNAME at qname answers any other type;
 *     the chain is not followed);
 *   - NODATA (name exists, or is an empty non-terminal): SOA and the NSEC/NSEC3
 *     matching qname (an NSEC covering an empty non-terminal);
 *   - wildcard answer (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6): the expansion and
 *     the NSEC covering qname / NSEC3 covering the next closer name;
 *   - wildcard NODATA and NXDOMAIN (RFC 4035 §3.1.3, RFC 5155 §7.2): SOA, the
 *     closest encloser proof, the wildcard matched or covered.
 * DNAME is not synthesised. NULL when qname is not in the zone. */
struct ts_msg *ts_zone_answer(const struct ts_zone *z, const char *qname, uint16_t qtype);

/* Records added so far to section sec. */
size_t ts_msg_count(const struct ts_msg *m, enum tw_dns_section sec);

/* The finished wire message (owned by m, valid until the next call on m); len:
 * out. NULL (with a message on stderr) when the records do not fit in 65535
 * octets or a record's RDATA does not match its type's layout. */
const uint8_t *ts_msg_wire(struct ts_msg *m, size_t *len);

#endif
