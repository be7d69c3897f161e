/* Domain names: decompression from messages, canonical form and ordering, label
 * arithmetic and presentation format.
 *
 * A "name" here is the uncompressed wire form: length-prefixed labels ending with
 * the zero-length root label, at most 255 octets (RFC 1035 §3.1). Functions that
 * take `const uint8_t *name` expect a name already checked by tw_dns_name_unpack(),
 * tw_dns_name_check() or tw_dns_name_from_str(); functions that read from a
 * message take the message and an offset and check everything themselves.
 *
 * No function here allocates. All are pure: any thread, no shared state.
 */
#ifndef TW_DNS_NAME_H
#define TW_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_DNS_NAME_MAXLEN 255   /* octets, root label included */
#define TW_DNS_LABEL_MAXLEN 63
#define TW_DNS_NAME_MAXLABELS 127 /* labels excluding the root */
#define TW_DNS_NAME_STRLEN 1010   /* worst-case presentation: 4 chars per octet + NUL */

/* Reads the possibly compressed name at `off` in `msg`. Pointers must point
 * strictly before the start of the label run that contains them (so no loop and no
 * forward pointer survives), labels must be <= 63 octets, the result <= 255.
 * out:       if not NULL, receives the uncompressed name (capacity 255); case kept
 * name_len:  if not NULL, receives its length in octets
 * wire_len:  if not NULL, receives the octets the name occupies at `off`
 * Returns 0, or
 *   -TW_EDNS_TRUNC      the name runs past msg_len
 *   -TW_EDNS_LABEL_LEN  a label longer than 63 (impossible on the wire; from callers)
 *   -TW_EDNS_NAME_LEN   the uncompressed name would exceed 255 octets
 *   -TW_EDNS_PTR_LOOP   a pointer that is not strictly backwards (loop or forward)
 *   -TW_EDNS_LABEL_TYPE a label with the reserved 0x40 or 0x80 type bits */
int tw_dns_name_unpack(const uint8_t *msg, size_t msg_len, size_t off, uint8_t *out,
		       size_t *name_len, size_t *wire_len);

/* Checks an uncompressed name at the start of `p` (at most `len` octets, no
 * pointers allowed). name_len: out, its length. Returns 0, -TW_EDNS_TRUNC,
 * -TW_EDNS_NAME_LEN, -TW_EDNS_PTR_BAD (a compression pointer) or -TW_EDNS_LABEL_TYPE. */
int tw_dns_name_check(const uint8_t *p, size_t len, size_t *name_len);

/* Length in octets of a checked name, root label included (1 for the root). */
size_t tw_dns_name_len(const uint8_t *name);

/* Number of labels, the root not counted (0 for the root): RRSIG Labels semantics
 * except that a leading "*" counts here (RFC 4034 §3.1.3 leaves it out: see
 * tw_dns_name_rrsig_labels). */
unsigned tw_dns_name_labels(const uint8_t *name);

/* Label count as the RRSIG Labels field defines it: a leading "*" not counted. */
unsigned tw_dns_name_rrsig_labels(const uint8_t *name);

/* True when the first label is exactly "*" (RFC 4592 wildcard owner). */
bool tw_dns_name_is_wildcard(const uint8_t *name);

/* Lower-cases ASCII letters in place (RFC 4034 §6.2 canonical form). */
void tw_dns_name_lower(uint8_t *name);

/* Copies a checked name into `out` (capacity 255) in canonical lower case;
 * returns its length. */
size_t tw_dns_name_copy_lower(uint8_t *out, const uint8_t *name);

/* Case-insensitive equality of two checked names. */
bool tw_dns_name_equal(const uint8_t *a, const uint8_t *b);

/* Canonical DNS name order (RFC 4034 §6.1): labels compared right to left as
 * lower-cased octet strings. Returns <0, 0 or >0 like memcmp. */
int tw_dns_name_cmp(const uint8_t *a, const uint8_t *b);

/* True when `name` equals `zone` or lies below it (case-insensitive). */
bool tw_dns_name_is_subdomain(const uint8_t *name, const uint8_t *zone);

/* The name with its first label removed, pointing into `name`; NULL for the root. */
const uint8_t *tw_dns_name_parent(const uint8_t *name);

/* The rightmost `nlabels` labels of `name`, pointing into it (the root for 0);
 * NULL when the name has fewer labels. */
const uint8_t *tw_dns_name_suffix(const uint8_t *name, unsigned nlabels);

/* Number of rightmost labels that `a` and `b` share (case-insensitive). */
unsigned tw_dns_name_common_labels(const uint8_t *a, const uint8_t *b);

/* Case-insensitive 64-bit hash of a checked name, seeded. */
uint64_t tw_dns_name_hash(const uint8_t *name, uint64_t seed);

/* Case-insensitive equality of two names inside one message, by offset; both
 * must have been checked (e.g. by tw_dns_msg_parse). Equal offsets short-cut. */
bool tw_dns_name_equal_wire(const uint8_t *msg, size_t msg_len, size_t off_a, size_t off_b);

/* Parses a presentation-format name (RFC 1035 §5.1: \X and \DDD escapes, "@" for
 * the origin, names without a final dot are relative to `origin`).
 * out: receives the name (capacity 255), case kept; out_len: its length.
 * Returns 0, or
 *   -TW_EDNS_SYNTAX     empty label, bad escape, empty input, relative name with
 *                       no origin
 *   -TW_EDNS_LABEL_LEN  label longer than 63 octets
 *   -TW_EDNS_NAME_LEN   name longer than 255 octets */
int tw_dns_name_from_str(const char *s, size_t slen, const uint8_t *origin, uint8_t *out,
			 size_t *out_len);

/* Writes a checked name in presentation format, absolute (final dot), escaping
 * what RFC 1035 §5.1 requires; NUL-terminated. Returns the length without the NUL,
 * or -TW_ENOSPC (TW_DNS_NAME_STRLEN always suffices). */
int tw_dns_name_to_str(const uint8_t *name, char *buf, size_t cap);

#endif
