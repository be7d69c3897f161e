/* Presentation (zone-file) format, RFC 1035 §5 and RFC 3597 §5: reading records
 * from text (trust anchor files, test fixtures, operator tools) and printing them.
 *
 * The reader understands comments, parentheses spanning lines, quoted strings,
 * $ORIGIN, $TTL, "@", relative names, omitted owner/TTL/class (taken from the
 * previous record, RFC 1035 §5.1), the generic "\# len hex" RDATA form for any
 * type and TYPEnnn/CLASSnnn mnemonics. Every error names the line and the field.
 *
 * A reader is caller storage; it does not allocate. One reader per thread.
 */
#ifndef TW_DNS_ZONE_H
#define TW_DNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

#define TW_DNS_ZONE_ERRLEN 256

/* One record read from text; rdata points into the caller's buffer. */
struct tw_dns_zrr {
	uint8_t owner[TW_DNS_NAME_MAXLEN]; /* uncompressed, case kept */
	size_t owner_len;
	uint16_t type;
	uint16_t cls;
	uint32_t ttl;
	const uint8_t *rdata; /* stand-alone (uncompressed) wire RDATA */
	uint16_t rdlen;
	unsigned line;        /* line where the record starts */
};

struct tw_dns_zreader {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;           /* current line, 1-based */
	const char *file;        /* for messages; may be NULL ("<input>") */
	uint8_t origin[TW_DNS_NAME_MAXLEN];
	bool has_origin;
	uint32_t default_ttl;    /* $TTL, or the previous record's TTL */
	bool has_ttl;
	uint8_t last_owner[TW_DNS_NAME_MAXLEN];
	bool has_owner;
	uint16_t last_cls;
	char err[TW_DNS_ZONE_ERRLEN]; /* "FILE:LINE: FIELD: reason" after an error */
};

/* Prepares a reader over text[0..len). file: name used in messages (may be
 * NULL). origin: initial $ORIGIN (may be NULL: then relative names are errors
 * until a $ORIGIN line). default_ttl: used when neither a TTL nor $TTL is given. */
void tw_dns_zreader_init(struct tw_dns_zreader *r, const char *text, size_t len,
			 const char *file, const uint8_t *origin, uint32_t default_ttl);

/* Reads the next record into rr, its RDATA into rdata (capacity cap; 65535
 * always suffices). Returns 1 for a record, 0 at the end of the text, or
 *   -TW_EDNS_SYNTAX  malformed line (r->err says file, line, field and why)
 *   -TW_EDNS_TYPE    unknown type or class mnemonic (r->err likewise)
 *   -TW_ENOSPC       the RDATA does not fit in cap
 *   any name error (label/name length) with r->err set.
 * After an error the reader continues with the next line. */
int tw_dns_zreader_next(struct tw_dns_zreader *r, struct tw_dns_zrr *rr, uint8_t *rdata,
			size_t cap);

/* Parses the RDATA of `type` from its presentation text s[0..len) (a single
 * logical line, parentheses already removed or not: both are accepted) into
 * out (capacity cap). origin: for relative names (may be NULL). err: on failure a
 * message naming the field (capacity TW_DNS_ZONE_ERRLEN; may be NULL).
 * Returns 0, -TW_EDNS_SYNTAX, -TW_EDNS_TYPE, -TW_ENOSPC or a name error. */
int tw_dns_rdata_from_str(uint16_t type, const char *s, size_t len, const uint8_t *origin,
			  uint8_t *out, size_t cap, size_t *out_len, char *err);

/* Writes the presentation form of stand-alone RDATA (no trailing newline,
 * NUL-terminated). Types without a known layout, and RDATA that does not match
 * its layout, print in the generic "\# len hex" form. Returns the length or
 * -TW_ENOSPC. */
int tw_dns_rdata_to_str(uint16_t type, const uint8_t *rdata, uint16_t rdlen, char *buf,
			size_t cap);

/* Writes one record as a zone-file line "owner TTL CLASS TYPE RDATA" (tab
 * separated, absolute owner, no newline). Returns the length or -TW_ENOSPC. */
int tw_dns_rr_to_str(const uint8_t *owner, uint16_t type, uint16_t cls, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen, char *buf, size_t cap);

#endif
