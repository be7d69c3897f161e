/* RR types and classes: numbers, mnemonics, and the RDATA layout table that drives
 * wire checking, canonical form (RFC 4034 §6.2), name compression and
 * presentation format for every type trustwire knows. Every other type is opaque
 * RFC 3597 data.
 *
 * Pure functions over constant tables: any thread.
 */
#ifndef TW_DNS_RRTYPE_H
#define TW_DNS_RRTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tw_dns_type {
	TW_DNS_T_A = 1,
	TW_DNS_T_NS = 2,
	TW_DNS_T_MD = 3,
	TW_DNS_T_MF = 4,
	TW_DNS_T_CNAME = 5,
	TW_DNS_T_SOA = 6,
	TW_DNS_T_MB = 7,
	TW_DNS_T_MG = 8,
	TW_DNS_T_MR = 9,
	TW_DNS_T_NULL = 10,
	TW_DNS_T_PTR = 12,
	TW_DNS_T_HINFO = 13,
	TW_DNS_T_MINFO = 14,
	TW_DNS_T_MX = 15,
	TW_DNS_T_TXT = 16,
	TW_DNS_T_RP = 17,
	TW_DNS_T_AFSDB = 18,
	TW_DNS_T_RT = 21,
	TW_DNS_T_SIG = 24,
	TW_DNS_T_KEY = 25,
	TW_DNS_T_PX = 26,
	TW_DNS_T_AAAA = 28,
	TW_DNS_T_SRV = 33,
	TW_DNS_T_NAPTR = 35,
	TW_DNS_T_KX = 36,
	TW_DNS_T_CERT = 37,
	TW_DNS_T_DNAME = 39,
	TW_DNS_T_OPT = 41,
	TW_DNS_T_DS = 43,
	TW_DNS_T_SSHFP = 44,
	TW_DNS_T_RRSIG = 46,
	TW_DNS_T_NSEC = 47,
	TW_DNS_T_DNSKEY = 48,
	TW_DNS_T_DHCID = 49,
	TW_DNS_T_NSEC3 = 50,
	TW_DNS_T_NSEC3PARAM = 51,
	TW_DNS_T_TLSA = 52,
	TW_DNS_T_SMIMEA = 53,
	TW_DNS_T_CDS = 59,
	TW_DNS_T_CDNSKEY = 60,
	TW_DNS_T_OPENPGPKEY = 61,
	TW_DNS_T_CSYNC = 62,
	TW_DNS_T_ZONEMD = 63,
	TW_DNS_T_SVCB = 64,
	TW_DNS_T_HTTPS = 65,
	TW_DNS_T_SPF = 99,
	TW_DNS_T_TSIG = 250,
	TW_DNS_T_IXFR = 251,
	TW_DNS_T_AXFR = 252,
	TW_DNS_T_ANY = 255,
	TW_DNS_T_URI = 256,
	TW_DNS_T_CAA = 257,
};

enum tw_dns_class {
	TW_DNS_C_IN = 1,
	TW_DNS_C_CH = 3,
	TW_DNS_C_HS = 4,
	TW_DNS_C_NONE = 254,
	TW_DNS_C_ANY = 255,
};

/* Field kinds of an RDATA layout. REST kinds take everything to the end of the
 * RDATA and only ever come last. */
enum tw_dns_rdf {
	TW_RDF_END = 0,
	TW_RDF_U8,
	TW_RDF_U16,
	TW_RDF_U32,
	TW_RDF_A,        /* 4 octets, IPv4 */
	TW_RDF_AAAA,     /* 16 octets, IPv6 */
	TW_RDF_NAME,     /* domain name; see the TW_RDF_F_* flags */
	TW_RDF_STR,      /* <character-string>: length octet + data */
	TW_RDF_TYPE,     /* 16-bit RR type, printed as a mnemonic */
	TW_RDF_TIME,     /* 32-bit serial time, printed YYYYMMDDHHmmSS (RFC 4034 §3.2) */
	TW_RDF_SALT,     /* length octet + octets, printed hex or "-" (RFC 5155 §3.3) */
	TW_RDF_HASH,     /* length octet (>= 1) + octets, printed base32hex */
	TW_RDF_STRS,     /* REST: one or more <character-string>s (TXT) */
	TW_RDF_STR_REST, /* REST: octets printed as one quoted string, no length (CAA) */
	TW_RDF_B64,      /* REST: octets printed base64 */
	TW_RDF_HEX,      /* REST: octets printed hex */
	TW_RDF_BITMAP,   /* REST: type bitmap windows (RFC 4034 §4.1.2) */
	TW_RDF_OPAQUE,   /* REST: no structure known: printed in RFC 3597 generic form */
};

/* Flags or-ed into a TW_RDF_NAME field. */
#define TW_RDF_F_DECOMPRESS 0x20 /* may arrive compressed (RFC 3597 §4) */
#define TW_RDF_F_COMPRESS 0x40   /* may be compressed when we write (RFC 1035 types) */
#define TW_RDF_F_LOWER 0x80      /* lower-cased in canonical form (RFC 4034 §6.2,
				  * RFC 6840 §5.1) */
#define TW_RDF_KIND(f) ((enum tw_dns_rdf)((f) & 0x1F))

#define TW_DNS_RDESC_MAXFIELDS 10

struct tw_dns_rdesc {
	const char *mnemonic;
	uint8_t field[TW_DNS_RDESC_MAXFIELDS]; /* kind | flags, TW_RDF_END-terminated */
};

/* Layout of `type`, or NULL for a type with no known layout (opaque RDATA). */
const struct tw_dns_rdesc *tw_dns_rdesc(uint16_t type);

/* Mnemonic of `type` ("A", "RRSIG") or "TYPE<n>" (RFC 3597 §5) written to buf
 * (capacity >= 12); returns buf or the static mnemonic. */
const char *tw_dns_type_to_str(uint16_t type, char *buf);

/* Parses a type mnemonic or "TYPE<n>", case-insensitive. Returns 0 or
 * -TW_EDNS_TYPE. */
int tw_dns_type_from_str(const char *s, size_t len, uint16_t *type);

/* Class mnemonic ("IN", "CH", "HS", "NONE", "ANY") or "CLASS<n>"; buf as above. */
const char *tw_dns_class_to_str(uint16_t cls, char *buf);

/* Parses a class mnemonic or "CLASS<n>". Returns 0 or -TW_EDNS_TYPE. */
int tw_dns_class_from_str(const char *s, size_t len, uint16_t *cls);

/* True for meta and question-only types that never appear as data (OPT, TSIG,
 * IXFR, AXFR, ANY and the 128..255 meta range). */
bool tw_dns_type_is_meta(uint16_t type);

/* Checks that the RDATA at msg[rd_off .. rd_off+rdlen) matches the layout of
 * `type`; names may be compressed only where the layout allows, and then point
 * inside msg. Returns 0, or
 *   -TW_EDNS_RDATA    a field runs past RDLENGTH, octets left over, or a field
 *                     value that its type forbids (bad bitmap, empty TXT)
 *   -TW_EDNS_PTR_BAD  a compressed name where compression is not allowed
 *   any error of tw_dns_name_unpack for an embedded name */
int tw_dns_rdata_check(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		       uint16_t rdlen);

/* Writes the RDATA of a checked record in canonical form (RFC 4034 §6.2): names
 * decompressed and, where the type requires, lower-cased. out: capacity `cap`
 * (65535 + 255 always suffices); out_len: its length. Returns 0, -TW_ENOSPC, or
 * -TW_EDNS_RDATA when decompression makes it longer than 65535 octets. */
int tw_dns_rdata_canonical(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
			   uint16_t rdlen, uint8_t *out, size_t cap, size_t *out_len);

/* As tw_dns_rdata_canonical() but names keep their case: the stand-alone form
 * of the RDATA as the server sent it. */
int tw_dns_rdata_decompress(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
			    uint16_t rdlen, uint8_t *out, size_t cap, size_t *out_len);

/* True when `type` is present in a checked type bitmap (RFC 4034 §4.1.2). */
bool tw_dns_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type);

#endif
