/* DNS messages: parsing into an index of offsets (no copy, no allocation), EDNS0
 * (RFC 6891) with Extended DNS Errors (RFC 8914), and RRset grouping.
 *
 * tw_dns_msg_parse() checks the whole message once: header, question, every RR's
 * owner, RDLENGTH and RDATA layout (embedded names included), and the OPT record.
 * After that, every offset in the index is safe to read without further checks
 * for as long as the caller keeps the wire buffer unchanged.
 *
 * Pure functions over caller storage: any thread.
 */
#ifndef TW_DNS_MSG_H
#define TW_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TW_DNS_HDR_LEN 12
#define TW_DNS_MSG_MAXLEN 65535

/* Header flag bits in the 16-bit flags word (RFC 1035 §4.1.1, RFC 4035 §3.2). */
#define TW_DNS_F_QR 0x8000
#define TW_DNS_F_AA 0x0400
#define TW_DNS_F_TC 0x0200
#define TW_DNS_F_RD 0x0100
#define TW_DNS_F_RA 0x0080
#define TW_DNS_F_AD 0x0020
#define TW_DNS_F_CD 0x0010
#define TW_DNS_OPCODE(flags) (((flags) >> 11) & 0xF)
#define TW_DNS_RCODE(flags) ((flags)&0xF)

/* EDNS flags word (RFC 3225 §3). */
#define TW_DNS_EDNS_DO 0x8000

enum tw_dns_rcode {
	TW_DNS_R_NOERROR = 0,
	TW_DNS_R_FORMERR = 1,
	TW_DNS_R_SERVFAIL = 2,
	TW_DNS_R_NXDOMAIN = 3,
	TW_DNS_R_NOTIMP = 4,
	TW_DNS_R_REFUSED = 5,
	TW_DNS_R_BADVERS = 16, /* needs EDNS: upper 8 bits travel in OPT */
};

enum tw_dns_section {
	TW_DNS_SEC_AN = 0,
	TW_DNS_SEC_NS = 1,
	TW_DNS_SEC_AR = 2,
};

/* EDNS option codes used here (IANA DNS EDNS0 Option Codes). */
enum tw_dns_opt_code {
	TW_DNS_OPT_ECS = 8,
	TW_DNS_OPT_COOKIE = 10,
	TW_DNS_OPT_PADDING = 12,
	TW_DNS_OPT_EDE = 15,
};

/* Extended DNS Error info-codes (RFC 8914 §4 and the IANA registry). */
enum tw_dns_ede {
	TW_EDE_OTHER = 0,
	TW_EDE_UNSUPPORTED_DNSKEY_ALG = 1,
	TW_EDE_UNSUPPORTED_DS_DIGEST = 2,
	TW_EDE_STALE_ANSWER = 3,
	TW_EDE_FORGED_ANSWER = 4,
	TW_EDE_DNSSEC_INDETERMINATE = 5,
	TW_EDE_DNSSEC_BOGUS = 6,
	TW_EDE_SIGNATURE_EXPIRED = 7,
	TW_EDE_SIGNATURE_NOT_YET_VALID = 8,
	TW_EDE_DNSKEY_MISSING = 9,
	TW_EDE_RRSIGS_MISSING = 10,
	TW_EDE_NO_ZONE_KEY_BIT = 11,
	TW_EDE_NSEC_MISSING = 12,
	TW_EDE_CACHED_ERROR = 13,
	TW_EDE_NOT_READY = 14,
	TW_EDE_BLOCKED = 15,
	TW_EDE_CENSORED = 16,
	TW_EDE_FILTERED = 17,
	TW_EDE_PROHIBITED = 18,
	TW_EDE_STALE_NXDOMAIN = 19,
	TW_EDE_NOT_AUTHORITATIVE = 20,
	TW_EDE_NOT_SUPPORTED = 21,
	TW_EDE_NO_REACHABLE_AUTHORITY = 22,
	TW_EDE_NETWORK_ERROR = 23,
	TW_EDE_INVALID_DATA = 24,
	TW_EDE_SIGNATURE_EXPIRED_BEFORE_VALID = 25,
	TW_EDE_TOO_EARLY = 26,
	TW_EDE_UNSUPPORTED_NSEC3_ITERATIONS = 27,
	TW_EDE_UNABLE_TO_CONFORM = 28,
	TW_EDE_SYNTHESIZED = 29,
	TW_EDE_NONE = 0xFFFF, /* no EDE present */
};

/* Rcode mnemonic ("NXDOMAIN"), or "RCODE<n>" written into buf (capacity 16). */
const char *tw_dns_rcode_to_str(uint16_t rcode, char *buf);

/* Registered purpose of an EDE code ("DNSSEC Bogus"), or "Unknown". */
const char *tw_dns_ede_str(uint16_t code);

/* One resource record: offsets into the message, 16 octets. */
struct tw_dns_rr {
	uint16_t owner;  /* offset of the (possibly compressed) owner name */
	uint16_t type;
	uint16_t cls;
	uint16_t rdlen;
	uint32_t ttl;    /* as on the wire; RFC 2181 §8 values > 2^31-1 are the
			  * consumer's to treat as 0 */
	uint16_t rdata;  /* offset of the RDATA */
	uint16_t section; /* enum tw_dns_section */
};

struct tw_dns_msg {
	const uint8_t *wire;
	uint16_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;

	/* question, when qdcount == 1 */
	uint16_t qname;     /* offset */
	uint16_t qname_len; /* uncompressed length */
	bool qname_plain;   /* written out whole at qname, no compression pointer */
	uint16_t qtype, qclass;

	/* every RR of the answer, authority and additional sections, in order;
	 * the OPT record included (at index opt_idx) */
	struct tw_dns_rr *rr;
	uint16_t rr_count;

	/* EDNS (RFC 6891) */
	bool has_opt;
	uint16_t opt_idx;
	uint16_t udp_size;     /* requestor's payload size, as sent */
	uint8_t ext_rcode;     /* upper 8 bits of the 12-bit rcode */
	uint8_t edns_version;
	uint16_t edns_flags;   /* TW_DNS_EDNS_DO */
	bool has_ede;          /* an EDE option is present (RFC 8914) */
	uint16_t ede_code;     /* the first EDE option's INFO-CODE (any value, 65535
				* included), or TW_EDE_NONE when has_ede is false */
	uint16_t ede_text;     /* offset of its EXTRA-TEXT */
	uint16_t ede_text_len;
	uint16_t trailing;     /* octets after the last counted record, ignored */
};

/* Parses `len` octets at `wire` into `m`, indexing at most `rr_cap` RRs into the
 * caller's array `rrs` (which m->rr then points to). Nothing is copied; m refers
 * to wire and rrs. Returns 0, or
 *   -TW_EDNS_TRUNC     the message ends inside the header, a name or an RR
 *   -TW_EDNS_COUNT     the message ends at a record boundary before the counts say
 *   -TW_EDNS_QDCOUNT   QDCOUNT > 1 (RFC 9619)
 *   -TW_EDNS_RDLEN     an RDLENGTH runs past the end of the message
 *   -TW_EDNS_RDATA     RDATA that does not match its type's layout
 *   -TW_EDNS_OPT       OPT outside the additional section, twice, with a non-root
 *                      owner, or with options that overrun its RDATA
 *   -TW_EDNS_TOO_MANY  more RRs than rr_cap
 *   -TW_EDNS_LABEL_LEN, -TW_EDNS_NAME_LEN, -TW_EDNS_PTR_LOOP, -TW_EDNS_PTR_BAD,
 *   -TW_EDNS_LABEL_TYPE   a bad name (see tw_dns_name_unpack)
 * On error the contents of m are unspecified. */
int tw_dns_msg_parse(struct tw_dns_msg *m, const uint8_t *wire, size_t len,
		     struct tw_dns_rr *rrs, size_t rr_cap);

/* Checks only the header and question (a query's first look on the fast path).
 * Fills id, flags, counts and the question; rr_count = 0. Same errors as above. */
int tw_dns_msg_parse_question(struct tw_dns_msg *m, const uint8_t *wire, size_t len);

/* The common query, parsed without the general machinery: one question whose
 * name is written out whole, no answer or authority records, and at most an OPT
 * record (options checked as tw_dns_msg_parse() checks them, none of them EDE)
 * that ends the message. Returns 0 with m filled exactly as tw_dns_msg_parse(m,
 * wire, len, opt, 1) would fill it, or 1 for anything else: the caller then calls
 * tw_dns_msg_parse(), which parses it or names the error. Never fails otherwise.
 * Any thread. */
int tw_dns_msg_parse_query(struct tw_dns_msg *m, const uint8_t *wire, size_t len,
			   struct tw_dns_rr *opt);

/* Full 12-bit rcode: header rcode with the OPT extension (RFC 6891 §6.1.3). */
uint16_t tw_dns_msg_rcode(const struct tw_dns_msg *m);

/* Index range of a section in m->rr: *first and *count (out). The OPT record is
 * inside the additional section's range. */
void tw_dns_msg_section(const struct tw_dns_msg *m, enum tw_dns_section sec,
			uint16_t *first, uint16_t *count);

/* Iterates the options of the OPT record. *pos: in/out, starts at 0. Returns 1 with
 * code, data (pointer into the message) and len set, 0 at the end. The parse
 * checked the option layout. */
int tw_dns_opt_next(const struct tw_dns_msg *m, size_t *pos, uint16_t *code,
		    const uint8_t **data, uint16_t *len);

/* An RRset inside a parsed message: the RRs sharing owner, type and class in one
 * section, linked through a caller array, with their covering RRSIGs. */
struct tw_dns_rrset {
	uint16_t owner;    /* offset of the first RR's owner */
	uint16_t type;
	uint16_t cls;
	uint16_t section;
	uint16_t first;    /* index of the first RR in m->rr, or TW_DNS_RR_NONE */
	uint16_t count;
	uint16_t sig_first; /* first covering RRSIG, or TW_DNS_RR_NONE */
	uint16_t sig_count;
	uint32_t ttl_min;   /* smallest TTL among the RRs (RFC 2181 §5.2) */
	uint16_t last;      /* grouping's own bookkeeping (tail links, where the */
	uint16_t sig_last;  /* owner's first label sits, owner hash); not for */
	uint16_t owner_res; /* callers */
	uint32_t owner_hash;
};

#define TW_DNS_RR_NONE 0xFFFF

/* Groups the RRs of section `sec` into RRsets, attaching every RRSIG to the set it
 * covers (same owner and class, type covered). An RRSIG whose set is absent makes
 * a set of its own with count 0. next: caller array of m->rr_count entries that
 * links RRs of one set (next[i] = following index or TW_DNS_RR_NONE); sets: caller
 * array of `cap`; *nsets: out. The OPT record is skipped. Returns 0 or
 * -TW_ENOSPC when more than cap sets are needed. */
int tw_dns_rrsets_group(const struct tw_dns_msg *m, enum tw_dns_section sec,
			struct tw_dns_rrset *sets, size_t cap, uint16_t *next, size_t *nsets);

#endif
