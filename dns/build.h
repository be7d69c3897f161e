/* DNS message builder: writes a message in place into a caller's buffer (the
 * future mbuf), with name compression and truncation.
 *
 * Records are added section by section (question, answer, authority, additional;
 * never back). Names given to the builder are uncompressed wire names and RDATA is
 * stand-alone (uncompressed) RDATA; the builder compresses owners and the names
 * inside RDATA of the RFC 1035 types that allow it. Space for the OPT record is
 * reserved up front so that EDNS and an Extended DNS Error always fit.
 *
 * Truncation (RFC 2181 §9): a record that does not fit in the answer or authority
 * section sets TC and closes those sections; one that does not fit in the
 * additional section is left out without TC.
 *
 * No allocation. One builder per thread; builders share nothing.
 */
#ifndef TW_DNS_BUILD_H
#define TW_DNS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/msg.h"

#define TW_DNS_BUILD_COMP_MAX 96 /* remembered name positions for compression */
#define TW_DNS_OPT_FIXED_LEN 11  /* root owner + type + class + ttl + rdlength */

struct tw_dns_build_comp {
	uint16_t off;    /* where a label run starts in buf */
	uint8_t labels;  /* labels from there to the root */
	uint8_t pad;
	uint32_t hash;   /* case-insensitive hash of the name from there */
};

struct tw_dns_build {
	uint8_t *buf;
	uint16_t limit;    /* largest message allowed (e.g. the client's EDNS size) */
	uint16_t len;
	uint16_t reserve;  /* octets kept free at the end for OPT */
	uint8_t section;   /* 0 question, 1 answer, 2 authority, 3 additional */
	bool tc;
	uint16_t count[4]; /* QD, AN, NS, AR */
	uint16_t ncomp;
	struct tw_dns_build_comp comp[TW_DNS_BUILD_COMP_MAX];
};

/* Starts a message in buf. limit: the message may grow to min(cap, limit) octets
 * (at least 12). id and flags go into the header as given (rcode included).
 * reserve: octets kept free for tw_dns_build_opt() (0 when no OPT will follow;
 * TW_DNS_OPT_FIXED_LEN + 6 + text for an EDE). Returns 0 or -TW_ENOSPC. */
int tw_dns_build_init(struct tw_dns_build *b, uint8_t *buf, size_t cap, size_t limit,
		      uint16_t id, uint16_t flags, size_t reserve);

/* Adds the question. Returns 0, -TW_EDNS_SECTION (after a record), -TW_ENOSPC. */
int tw_dns_build_question(struct tw_dns_build *b, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass);

/* Adds one record to `sec`. owner: uncompressed name; rdata: stand-alone RDATA
 * of `type` (checked by the caller's source: a parsed message, the cache, a zone
 * file). Returns 0, or
 *   -TW_EDNS_SECTION  sec before the current section
 *   -TW_EDNS_TC       answer/authority record did not fit: TC is now set and no
 *                     answer/authority record will be added any more
 *   -TW_ENOSPC        additional record did not fit (left out, TC untouched)
 *   -TW_EDNS_RDATA    rdata does not match its type's layout */
int tw_dns_build_rr(struct tw_dns_build *b, enum tw_dns_section sec, const uint8_t *owner,
		    uint16_t type, uint16_t cls, uint32_t ttl, const uint8_t *rdata,
		    uint16_t rdlen);

/* Appends the OPT record (always last) using the reserved space. ede_code:
 * TW_EDE_NONE for none (so the private-use code 65535 cannot be sent), else the
 * INFO-CODE with ede_text (UTF-8, may be NULL).
 * rcode: the full 12-bit rcode; its upper bits go into OPT, the lower into the
 * header. Returns 0 or -TW_ENOSPC (reserve too small). */
int tw_dns_build_opt(struct tw_dns_build *b, uint16_t udp_size, uint16_t edns_flags,
		     uint16_t rcode, uint16_t ede_code, const char *ede_text, size_t text_len);

/* Sets the header rcode (lower 4 bits). */
void tw_dns_build_set_rcode(struct tw_dns_build *b, uint8_t rcode);

/* Writes the counts and TC into the header; returns the message length. */
size_t tw_dns_build_finish(struct tw_dns_build *b);

#endif
