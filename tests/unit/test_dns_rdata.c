/* Unit tests for dns/rrtype.h and dns/rdata.h: mnemonics, layout checks, canonical form, views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

/* ---- hand-assembled messages ------------------------------------------------ */

struct mb {
	uint8_t b[2048];
	size_t n;
};

static void put(struct mb *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void u8(struct mb *m, uint8_t v)
{
	m->b[m->n++] = v;
}

static void u16(struct mb *m, uint16_t v)
{
	u8(m, (uint8_t)(v >> 8));
	u8(m, (uint8_t)v);
}

static void u32(struct mb *m, uint32_t v)
{
	u16(m, (uint16_t)(v >> 16));
	u16(m, (uint16_t)v);
}

/* Wire names used throughout; "MC" spellings are mixed case. */
#define EX_LC 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0
#define EX_MC 7, 'E', 'x', 'A', 'm', 'P', 'l', 'E', 0
#define WWW_LC 3, 'w', 'w', 'w', EX_LC
#define WWW_MC 3, 'W', 'w', 'W', EX_MC
#define N_NS 2, 'n', 's', EX_LC
#define N_HM 2, 'h', 'm', EX_LC
/* In every message of rr_msg() the owner WwW.ExAmPlE. sits at offset 12 and its
 * "ExAmPlE." suffix at 16, so these pointers are valid from RDATA. */
#define PTR_WWW 0xC0, 12
#define PTR_EX 0xC0, 16
#define RR_RDATA_OFF 35 /* 12 header + 13 owner + 10 fixed */

/* A one-answer response: header, owner WwW.ExAmPlE., `type` IN 3600, `rd`.
 * Returns the offset of the RDATA (always RR_RDATA_OFF). */
static size_t rr_msg(struct mb *m, uint16_t type, const uint8_t *rd, size_t rdlen)
{
	static const uint8_t owner[] = { WWW_MC };
	m->n = 0;
	u16(m, 0x1234);
	u16(m, 0x8400);
	u16(m, 0);
	u16(m, 1);
	u16(m, 0);
	u16(m, 0);
	put(m, owner, sizeof(owner));
	u16(m, type);
	u16(m, TW_DNS_C_IN);
	u32(m, 3600);
	u16(m, (uint16_t)rdlen);
	size_t off = m->n;
	put(m, rd, rdlen);
	return off;
}

/* RFC 4034 Appendix B key tag, to show the hand-encoded RFC vectors are right. */
static unsigned key_tag(const uint8_t *rd, size_t n)
{
	unsigned long ac = 0;
	for (size_t i = 0; i < n; i++)
		ac += (i & 1) ? rd[i] : (unsigned long)rd[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (unsigned)(ac & 0xFFFF);
}

/* ---- RFC vectors, hand-encoded from ../shared/data/dnssec/rfc-signature-vectors.zone */

/* RFC 4034 §5.4: dskey.example.com. DNSKEY 256 3 5 AQOeiiR0...; key tag 60485 */
static const uint8_t rfc4034_dnskey[] = {
	0x01, 0x00, 0x03, 0x05, 0x01, 0x03, 0x9e, 0x8a, 0x24, 0x74, 0x18, 0xe3,
	0x18, 0x90, 0x3b, 0x21, 0x5a, 0x84, 0x8a, 0xcf, 0xd5, 0xf3, 0x7f, 0x02,
	0x6b, 0xd4, 0x06, 0x2d, 0xb2, 0x6c, 0x77, 0x4c, 0x69, 0x09, 0x68, 0xd5,
	0xd5, 0x6d, 0xf8, 0xbf, 0xda, 0x91, 0xe6, 0xf3, 0x6d, 0x9a, 0x27, 0x98,
	0x88, 0xf4, 0x13, 0x33, 0x35, 0x7c, 0x5e, 0x60, 0x29, 0x99, 0x0d, 0x10,
	0xfd, 0xf5, 0x66, 0x30, 0x62, 0xa5, 0x12, 0x76, 0x33, 0x26, 0x98, 0x0a,
	0x61, 0x5d, 0xdb, 0xf1, 0x7a, 0x05, 0xdd, 0xfc, 0xce, 0x7e, 0x5f, 0xb3,
	0xab, 0xcc, 0xa0, 0x5a, 0x31, 0xb0, 0x95, 0x74, 0x52, 0xd4, 0x52, 0x1e,
	0x83, 0x87, 0x07, 0x89, 0x06, 0x31, 0x15, 0xbf, 0x97, 0xf6, 0xc3, 0x08,
	0xcc, 0xf5, 0x7c, 0xdc, 0x9c, 0xe7, 0xfe, 0x10, 0xf6, 0xed, 0x1b, 0xd0,
	0xcc, 0x06, 0x60, 0x03, 0x8c, 0x50, 0xdc, 0xdb, 0x0f, 0xeb, 0x96, 0x3c,
	0x2f, 0x17,
};

/* RFC 4034 §5.4: dskey.example.com. DS 60485 5 1 2BB183AF... */
static const uint8_t rfc4034_ds_sha1[] = {
	0xec, 0x45, 0x05, 0x01,
	0x2b, 0xb1, 0x83, 0xaf, 0x5f, 0x22, 0x58, 0x81, 0x79, 0xa5, 0x3b, 0x0a,
	0x98, 0x63, 0x1f, 0xad, 0x1a, 0x29, 0x21, 0x18,
};

/* RFC 4509 §2.3: dskey.example.com. DS 60485 5 2 D4B7D520... */
static const uint8_t rfc4509_ds_sha256[] = {
	0xec, 0x45, 0x05, 0x02,
	0xd4, 0xb7, 0xd5, 0x20, 0xe7, 0xbb, 0x5f, 0x0f, 0x67, 0x67, 0x4a, 0x0c,
	0xce, 0xb1, 0xe3, 0xe0, 0x61, 0x4b, 0x93, 0xc4, 0xf9, 0xe9, 0x9b, 0x83,
	0x83, 0xf6, 0xa1, 0xe4, 0x46, 0x9d, 0xa5, 0x0a,
};

/* RFC 5702 §6.1: example.net. DNSKEY 256 3 8 AwEAAcFc...; key tag 9033 */
static const uint8_t rfc5702_dnskey[] = {
	0x01, 0x00, 0x03, 0x08, 0x03, 0x01, 0x00, 0x01, 0xc1, 0x5c, 0x1a, 0xc6,
	0xb1, 0xc5, 0xd8, 0x22, 0xba, 0xe1, 0xa6, 0x0a, 0x45, 0x48, 0x9b, 0x2e,
	0x21, 0xf7, 0xd0, 0xaa, 0x4f, 0xb8, 0xf0, 0x63, 0x7a, 0x5e, 0xc4, 0xf1,
	0x9c, 0x9d, 0x41, 0x6d, 0x47, 0x61, 0x61, 0xdf, 0xa0, 0x69, 0xa2, 0x77,
	0x30, 0xb6, 0x46, 0x78, 0x70, 0x08, 0x2d, 0xbd, 0xde, 0x10, 0xb3, 0xc3,
	0xe4, 0xc5, 0x47, 0x69, 0xea, 0x9f, 0xc3, 0x95, 0x49, 0x8e, 0x6d, 0xd9,
};

/* RFC 5702 §6.1: www.example.net. RRSIG A 8 3 3600 20300101000000
 * 20000101000000 9033 example.net. kRCOH6u7... */
static const uint8_t rfc5702_rrsig[] = {
	0x00, 0x01, 0x08, 0x03, 0x00, 0x00, 0x0e, 0x10,
	0x70, 0xdb, 0xd8, 0x80, /* 20300101000000 = 1893456000 */
	0x38, 0x6d, 0x43, 0x80, /* 20000101000000 = 946684800 */
	0x23, 0x49,             /* 9033 */
	7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0,
	0x91, 0x10, 0x8e, 0x1f, 0xab, 0xbb, 0x97, 0x44, 0x06, 0xcb, 0xda, 0xa9,
	0x0b, 0xd9, 0x75, 0xb0, 0xb9, 0xdc, 0x25, 0xc3, 0x8a, 0x14, 0xb2, 0x7b,
	0x1a, 0x18, 0x94, 0x3a, 0x26, 0xee, 0xe2, 0xd7, 0x98, 0xa7, 0x95, 0x44,
	0xf5, 0x19, 0xdc, 0xae, 0x24, 0xa1, 0x64, 0xdc, 0xfc, 0xe6, 0x6c, 0x25,
	0x32, 0x03, 0x44, 0x69, 0xc1, 0x58, 0x2b, 0xf9, 0x4f, 0xb4, 0xf8, 0x95,
	0x60, 0xfe, 0x1b, 0xc2,
};

/* RFC 4034 §4.3: alfa.example.com. NSEC host.example.com. A MX RRSIG NSEC TYPE1234 */
#define RFC4034_NSEC_NEXT \
	4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
#define RFC4034_NSEC_BITMAP                                                             \
	0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b, 0x00, 0x00, 0x00,   \
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, \
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20
static const uint8_t rfc4034_nsec[] = { RFC4034_NSEC_NEXT, RFC4034_NSEC_BITMAP };
static const uint8_t rfc4034_nsec_bitmap[] = { RFC4034_NSEC_BITMAP };

/* RFC 5155 Appendix A: 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. NSEC3 1 1 12 aabbccdd
 * 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG */
#define RFC5155_HASH                                                                    \
	0x17, 0x4e, 0xb2, 0x40, 0x9f, 0xe2, 0x8b, 0xcb, 0x48, 0x87, 0xa1, 0x83, 0x6f,   \
		0x95, 0x7f, 0x0a, 0x84, 0x25, 0xe2, 0x7b
static const uint8_t rfc5155_nsec3[] = {
	1, 1, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20, RFC5155_HASH,
	0x00, 0x07, 0x22, 0x01, 0x00, 0x00, 0x00, 0x02, 0x90,
};
static const uint8_t rfc5155_hash[] = { RFC5155_HASH };

/* RFC 6698 §2.3: _443._tcp.www.example.com. TLSA 0 0 1 d2abde24... */
static const uint8_t rfc6698_tlsa[] = {
	0, 0, 1,
	0xd2, 0xab, 0xde, 0x24, 0x0d, 0x7c, 0xd3, 0xee, 0x6b, 0x4b, 0x28, 0xc5,
	0x4d, 0xf0, 0x34, 0xb9, 0x79, 0x83, 0xa1, 0xd1, 0x6e, 0x8a, 0x41, 0x0e,
	0x45, 0x61, 0xcb, 0x10, 0x66, 0x18, 0xe9, 0x71,
};

/* ---- mnemonics ---------------------------------------------------------------- */

static const struct {
	uint16_t type;
	const char *name;
} known_types[] = {
	{ 1, "A" },	      { 2, "NS" },	     { 3, "MD" },	   { 4, "MF" },
	{ 5, "CNAME" },	      { 6, "SOA" },	     { 7, "MB" },	   { 8, "MG" },
	{ 9, "MR" },	      { 10, "NULL" },	     { 12, "PTR" },	   { 13, "HINFO" },
	{ 14, "MINFO" },      { 15, "MX" },	     { 16, "TXT" },	   { 17, "RP" },
	{ 18, "AFSDB" },      { 21, "RT" },	     { 24, "SIG" },	   { 25, "KEY" },
	{ 26, "PX" },	      { 28, "AAAA" },	     { 33, "SRV" },	   { 35, "NAPTR" },
	{ 36, "KX" },	      { 37, "CERT" },	     { 39, "DNAME" },	   { 41, "OPT" },
	{ 43, "DS" },	      { 44, "SSHFP" },	     { 46, "RRSIG" },	   { 47, "NSEC" },
	{ 48, "DNSKEY" },     { 49, "DHCID" },	     { 50, "NSEC3" },	   { 51, "NSEC3PARAM" },
	{ 52, "TLSA" },	      { 53, "SMIMEA" },	     { 59, "CDS" },	   { 60, "CDNSKEY" },
	{ 61, "OPENPGPKEY" }, { 62, "CSYNC" },	     { 63, "ZONEMD" },	   { 64, "SVCB" },
	{ 65, "HTTPS" },      { 99, "SPF" },	     { 250, "TSIG" },	   { 251, "IXFR" },
	{ 252, "AXFR" },      { 255, "ANY" },	     { 256, "URI" },	   { 257, "CAA" },
};
#define N_KNOWN (sizeof(known_types) / sizeof(known_types[0]))

static int type_from(const char *s, uint16_t *t)
{
	return tw_dns_type_from_str(s, strlen(s), t);
}

static int class_from(const char *s, uint16_t *c)
{
	return tw_dns_class_from_str(s, strlen(s), c);
}

static void test_type_mnemonics_round_trip_for_every_known_type(void **state)
{
	(void)state;
	char buf[12];
	for (size_t i = 0; i < N_KNOWN; i++) {
		const char *s = tw_dns_type_to_str(known_types[i].type, buf);
		assert_string_equal(s, known_types[i].name);
		uint16_t t = 0;
		assert_int_equal(type_from(known_types[i].name, &t), 0);
		assert_int_equal(t, known_types[i].type);
		/* case-insensitive */
		char lower[16];
		size_t n = strlen(known_types[i].name);
		for (size_t k = 0; k <= n; k++) {
			char ch = known_types[i].name[k];
			lower[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + ('a' - 'A')) : ch;
		}
		t = 0;
		assert_int_equal(type_from(lower, &t), 0);
		assert_int_equal(t, known_types[i].type);
	}
	/* every type with a layout prints its own mnemonic and parses back */
	for (uint32_t t = 0; t <= 0xFFFF; t++) {
		const struct tw_dns_rdesc *d = tw_dns_rdesc((uint16_t)t);
		if (!d)
			continue;
		assert_string_equal(tw_dns_type_to_str((uint16_t)t, buf), d->mnemonic);
		uint16_t back = 0;
		assert_int_equal(type_from(d->mnemonic, &back), 0);
		assert_int_equal(back, t);
	}
}

static void test_type_unknown_prints_and_parses_rfc3597_generic_form(void **state)
{
	(void)state;
	char buf[12];
	assert_string_equal(tw_dns_type_to_str(65534, buf), "TYPE65534");
	assert_string_equal(buf, "TYPE65534");
	assert_string_equal(tw_dns_type_to_str(65535, buf), "TYPE65535");
	assert_string_equal(tw_dns_type_to_str(0, buf), "TYPE0");
	assert_string_equal(tw_dns_type_to_str(11, buf), "TYPE11"); /* WKS: no layout */
	assert_string_equal(tw_dns_type_to_str(258, buf), "TYPE258");

	uint16_t t = 0;
	assert_int_equal(type_from("TYPE65534", &t), 0);
	assert_int_equal(t, 65534);
	assert_int_equal(type_from("type65535", &t), 0);
	assert_int_equal(t, 65535);
	assert_int_equal(type_from("TYPE1", &t), 0); /* generic form of a known type */
	assert_int_equal(t, TW_DNS_T_A);
	assert_int_equal(type_from("TYPE46", &t), 0);
	assert_int_equal(t, TW_DNS_T_RRSIG);

	assert_int_equal(type_from("TYPE65536", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("TYPE123456", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("TYPE", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("TYPEx", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("TYPE-1", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("TYPE 1", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("FOO", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("AA", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("A ", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("NSEC3PARAMS", &t), -TW_EDNS_TYPE);
	assert_int_equal(type_from("IN", &t), -TW_EDNS_TYPE); /* a class, not a type */

	/* only `len` characters are read: a prefix of a longer buffer */
	assert_int_equal(tw_dns_type_from_str("NSEC3PARAM", 4, &t), 0);
	assert_int_equal(t, TW_DNS_T_NSEC);
	assert_int_equal(tw_dns_type_from_str("NSEC3PARAM", 5, &t), 0);
	assert_int_equal(t, TW_DNS_T_NSEC3);
	assert_int_equal(tw_dns_type_from_str("TYPE655349", 9, &t), 0);
	assert_int_equal(t, 65534);
}

static void test_class_mnemonics_both_ways_incl_generic_class7(void **state)
{
	(void)state;
	char buf[12];
	assert_string_equal(tw_dns_class_to_str(TW_DNS_C_IN, buf), "IN");
	assert_string_equal(tw_dns_class_to_str(TW_DNS_C_CH, buf), "CH");
	assert_string_equal(tw_dns_class_to_str(TW_DNS_C_HS, buf), "HS");
	assert_string_equal(tw_dns_class_to_str(TW_DNS_C_NONE, buf), "NONE");
	assert_string_equal(tw_dns_class_to_str(TW_DNS_C_ANY, buf), "ANY");
	assert_string_equal(tw_dns_class_to_str(7, buf), "CLASS7");
	assert_string_equal(buf, "CLASS7");
	assert_string_equal(tw_dns_class_to_str(2, buf), "CLASS2"); /* CSNET: unlisted */
	assert_string_equal(tw_dns_class_to_str(65535, buf), "CLASS65535");

	uint16_t c = 0;
	assert_int_equal(class_from("IN", &c), 0);
	assert_int_equal(c, TW_DNS_C_IN);
	assert_int_equal(class_from("in", &c), 0);
	assert_int_equal(c, TW_DNS_C_IN);
	assert_int_equal(class_from("Ch", &c), 0);
	assert_int_equal(c, TW_DNS_C_CH);
	assert_int_equal(class_from("HS", &c), 0);
	assert_int_equal(c, TW_DNS_C_HS);
	assert_int_equal(class_from("NONE", &c), 0);
	assert_int_equal(c, TW_DNS_C_NONE);
	assert_int_equal(class_from("ANY", &c), 0);
	assert_int_equal(c, TW_DNS_C_ANY);
	assert_int_equal(class_from("CLASS7", &c), 0);
	assert_int_equal(c, 7);
	assert_int_equal(class_from("class1", &c), 0);
	assert_int_equal(c, TW_DNS_C_IN);
	assert_int_equal(class_from("CLASS65535", &c), 0);
	assert_int_equal(c, 65535);

	assert_int_equal(class_from("CLASS65536", &c), -TW_EDNS_TYPE);
	assert_int_equal(class_from("CLASS", &c), -TW_EDNS_TYPE);
	assert_int_equal(class_from("CLASSX", &c), -TW_EDNS_TYPE);
	assert_int_equal(class_from("CS", &c), -TW_EDNS_TYPE);
	assert_int_equal(class_from("A", &c), -TW_EDNS_TYPE); /* a type, not a class */
	assert_int_equal(class_from("", &c), -TW_EDNS_TYPE);
	assert_int_equal(class_from("INX", &c), -TW_EDNS_TYPE);
}

static void test_meta_types_are_opt_and_the_128_to_255_range(void **state)
{
	(void)state;
	assert_true(tw_dns_type_is_meta(TW_DNS_T_OPT));
	assert_true(tw_dns_type_is_meta(TW_DNS_T_TSIG));
	assert_true(tw_dns_type_is_meta(TW_DNS_T_IXFR));
	assert_true(tw_dns_type_is_meta(TW_DNS_T_AXFR));
	assert_true(tw_dns_type_is_meta(TW_DNS_T_ANY));
	assert_true(tw_dns_type_is_meta(128));
	assert_false(tw_dns_type_is_meta(127));
	assert_false(tw_dns_type_is_meta(TW_DNS_T_A));
	assert_false(tw_dns_type_is_meta(TW_DNS_T_RRSIG));
	assert_false(tw_dns_type_is_meta(TW_DNS_T_URI));
	assert_false(tw_dns_type_is_meta(65534));
}

static void test_layout_flags_follow_rfc3597_and_rfc6840(void **state)
{
	(void)state;
	const struct tw_dns_rdesc *d = tw_dns_rdesc(TW_DNS_T_NS);
	assert_non_null(d);
	assert_string_equal(d->mnemonic, "NS");
	assert_int_equal(TW_RDF_KIND(d->field[0]), TW_RDF_NAME);
	assert_int_equal(d->field[0] & 0xE0,
			 TW_RDF_F_DECOMPRESS | TW_RDF_F_COMPRESS | TW_RDF_F_LOWER);
	assert_int_equal(d->field[1], TW_RDF_END);
	/* RRSIG signer: lower-cased, never compressed (RFC 4034 §3.1.7) */
	d = tw_dns_rdesc(TW_DNS_T_RRSIG);
	assert_int_equal(TW_RDF_KIND(d->field[7]), TW_RDF_NAME);
	assert_int_equal(d->field[7] & 0xE0, TW_RDF_F_LOWER);
	assert_int_equal(TW_RDF_KIND(d->field[8]), TW_RDF_B64);
	/* NSEC next name: neither (RFC 4034 §4.1.1, RFC 6840 §5.1) */
	d = tw_dns_rdesc(TW_DNS_T_NSEC);
	assert_int_equal(d->field[0], TW_RDF_NAME);
	assert_int_equal(d->field[1], TW_RDF_BITMAP);
	/* SRV: decompressed on receipt, never compressed by us (RFC 2782) */
	d = tw_dns_rdesc(TW_DNS_T_SRV);
	assert_int_equal(d->field[3] & 0xE0, TW_RDF_F_DECOMPRESS | TW_RDF_F_LOWER);
	/* DNAME: not compressed (RFC 6672 §2.5), lower-cased (RFC 4034 §6.2) */
	d = tw_dns_rdesc(TW_DNS_T_DNAME);
	assert_int_equal(d->field[0] & 0xE0, TW_RDF_F_LOWER);
	assert_null(tw_dns_rdesc(65534));
	assert_null(tw_dns_rdesc(0));
}

/* ---- tw_dns_rdata_check: every type in the table ------------------------------ */

#define RD(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
#define E_RD (-TW_EDNS_RDATA)

/* A valid stand-alone RDATA per type and what the check says when it loses its
 * last octet, gains an octet 0x07, or is empty. REST fields (opaque, base64, hex,
 * CAA value) absorb the first two; everything else must match exactly. */
static const struct check_case {
	uint16_t type;
	const uint8_t *rd;
	size_t len;
	int shorter, longer, empty;
} check_cases[] = {
	{ TW_DNS_T_A, RD(192, 0, 2, 1), E_RD, E_RD, E_RD },
	{ TW_DNS_T_NS, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_MD, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_MF, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_CNAME, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_SOA,
	  RD(N_NS, N_HM, 0x78, 0xa3, 0xf1, 0x75, 0, 0, 0x1c, 0x20, 0, 0, 0x0e, 0x10, 0, 0x12,
	     0x75, 0, 0, 0, 0x01, 0x2c),
	  E_RD, E_RD, E_RD },
	{ TW_DNS_T_MB, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_MG, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_MR, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_NULL, RD(1, 2, 3), 0, 0, 0 },
	{ TW_DNS_T_PTR, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_HINFO, RD(3, 'x', '8', '6', 5, 'L', 'i', 'n', 'u', 'x'), E_RD, E_RD, E_RD },
	{ TW_DNS_T_MINFO, RD(N_HM, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_MX, RD(0, 10, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_TXT, RD(5, 'h', 'e', 'l', 'l', 'o', 5, 'w', 'o', 'r', 'l', 'd'), E_RD, E_RD,
	  E_RD },
	{ TW_DNS_T_RP, RD(N_HM, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_AFSDB, RD(0, 1, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_RT, RD(0, 1, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_SIG,
	  RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80, 0x38, 0x6d, 0x43, 0x80, 0x23,
	     0x49, EX_LC, 0xaa, 0xbb),
	  0, 0, E_RD },
	{ TW_DNS_T_KEY, RD(1, 0, 3, 8, 3, 1, 0, 1), 0, 0, E_RD },
	{ TW_DNS_T_PX, RD(0, 10, N_NS, N_HM), E_RD, E_RD, E_RD },
	{ TW_DNS_T_AAAA, RD(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), E_RD,
	  E_RD, E_RD },
	{ TW_DNS_T_SRV, RD(0, 1, 0, 2, 0x01, 0xbb, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_NAPTR,
	  RD(0, 100, 0, 10, 1, 'u', 7, 'E', '2', 'U', '+', 's', 'i', 'p', 0, N_NS), E_RD, E_RD,
	  E_RD },
	{ TW_DNS_T_KX, RD(0, 10, N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_CERT, RD(0, 1, 0, 2, 8, 0xde, 0xad), 0, 0, E_RD },
	{ TW_DNS_T_DNAME, RD(N_NS), E_RD, E_RD, E_RD },
	{ TW_DNS_T_OPT, RD(0, 10, 0, 2, 0xab, 0xcd), 0, 0, 0 },
	{ TW_DNS_T_DS, RD(0xec, 0x45, 5, 1, 0x2b, 0xb1, 0x83), 0, 0, E_RD },
	{ TW_DNS_T_SSHFP, RD(4, 2, 0x12, 0x34, 0x56), 0, 0, E_RD },
	{ TW_DNS_T_RRSIG,
	  RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80, 0x38, 0x6d, 0x43, 0x80, 0x23,
	     0x49, EX_LC, 0xaa, 0xbb),
	  0, 0, E_RD },
	{ TW_DNS_T_NSEC, RD(RFC4034_NSEC_NEXT, RFC4034_NSEC_BITMAP), E_RD, E_RD, E_RD },
	{ TW_DNS_T_DNSKEY, RD(1, 0, 3, 8, 3, 1, 0, 1), 0, 0, E_RD },
	{ TW_DNS_T_DHCID, RD(0, 0, 1, 0xaa), 0, 0, 0 },
	{ TW_DNS_T_NSEC3,
	  RD(1, 1, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd, 20, RFC5155_HASH, 0x00, 0x07, 0x22, 0x01,
	     0x00, 0x00, 0x00, 0x02, 0x90),
	  E_RD, E_RD, E_RD },
	{ TW_DNS_T_NSEC3PARAM, RD(1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd), E_RD, E_RD, E_RD },
	{ TW_DNS_T_TLSA, RD(3, 1, 1, 0xaa, 0xbb), 0, 0, E_RD },
	{ TW_DNS_T_SMIMEA, RD(3, 1, 1, 0xaa, 0xbb), 0, 0, E_RD },
	{ TW_DNS_T_CDS, RD(0xec, 0x45, 5, 2, 0xd4), 0, 0, E_RD },
	{ TW_DNS_T_CDNSKEY, RD(1, 1, 3, 8, 0xaa), 0, 0, E_RD },
	{ TW_DNS_T_OPENPGPKEY, RD(0x99, 0x01), 0, 0, 0 },
	/* RFC 7477 §2.1: CSYNC 66 3 A NS AAAA */
	{ TW_DNS_T_CSYNC, RD(0, 0, 0, 66, 0, 3, 0, 4, 0x60, 0, 0, 0x08), E_RD, E_RD, E_RD },
	{ TW_DNS_T_ZONEMD, RD(0, 0, 0, 1, 1, 1, 0xaa, 0xbb), 0, 0, E_RD },
	{ TW_DNS_T_SVCB, RD(0, 1, N_NS, 0, 1, 0, 3, 2, 'h', '2'), 0, 0, E_RD },
	{ TW_DNS_T_HTTPS, RD(0, 1, N_NS, 0, 1, 0, 3, 2, 'h', '2'), 0, 0, E_RD },
	{ TW_DNS_T_SPF, RD(4, 'v', '=', 's', 'p'), E_RD, E_RD, E_RD },
	{ TW_DNS_T_TSIG, RD(1, 2, 3), 0, 0, 0 },
	{ TW_DNS_T_IXFR, RD(1, 2, 3), 0, 0, 0 },
	{ TW_DNS_T_AXFR, RD(1, 2, 3), 0, 0, 0 },
	{ TW_DNS_T_ANY, RD(1, 2, 3), 0, 0, 0 },
	{ TW_DNS_T_URI, RD(0, 10, 0, 1, 'h', 't', 't', 'p', ':', '/', '/', 'x'), 0, 0, E_RD },
	{ TW_DNS_T_CAA, RD(0, 5, 'i', 's', 's', 'u', 'e', 'c', 'a', '.', 'e', 'x'), 0, 0, E_RD },
};
#define N_CHECK (sizeof(check_cases) / sizeof(check_cases[0]))

static void test_rdata_check_every_type_valid_shorter_longer_empty(void **state)
{
	(void)state;
	char tbuf[12];
	for (size_t i = 0; i < N_CHECK; i++) {
		const struct check_case *c = &check_cases[i];
		const char *tn = tw_dns_type_to_str(c->type, tbuf);
		uint8_t buf[512];
		uint16_t n = (uint16_t)c->len;
		memcpy(buf, c->rd, n);
		int rc = tw_dns_rdata_check(c->type, buf, n, 0, n);
		if (rc != 0)
			fail_msg("%s valid: got %d (%s)", tn, rc, tw_strerror(rc));
		rc = tw_dns_rdata_check(c->type, buf, n - 1u, 0, (uint16_t)(n - 1));
		if (rc != c->shorter)
			fail_msg("%s shorter: got %d, want %d", tn, rc, c->shorter);
		buf[n] = 0x07;
		rc = tw_dns_rdata_check(c->type, buf, n + 1u, 0, (uint16_t)(n + 1));
		if (rc != c->longer)
			fail_msg("%s longer: got %d, want %d", tn, rc, c->longer);
		rc = tw_dns_rdata_check(c->type, buf, 0, 0, 0);
		if (rc != c->empty)
			fail_msg("%s empty: got %d, want %d", tn, rc, c->empty);
		/* inside a message, after the owner: same verdict */
		struct mb m;
		size_t off = rr_msg(&m, c->type, c->rd, n);
		assert_int_equal(tw_dns_rdata_check(c->type, m.b, m.n, off, n), 0);
		/* RDLENGTH past the end of the message */
		rc = tw_dns_rdata_check(c->type, m.b, m.n - 1, off, n);
		if (rc != -TW_EDNS_RDLEN)
			fail_msg("%s past end: got %d", tn, rc);
	}
	/* the table above covers every type that has a layout */
	for (uint32_t t = 0; t <= 0xFFFF; t++) {
		if (!tw_dns_rdesc((uint16_t)t))
			continue;
		size_t i = 0;
		while (i < N_CHECK && check_cases[i].type != t)
			i++;
		if (i == N_CHECK)
			fail_msg("type %u has a layout but no check case", (unsigned)t);
	}
}

static void test_rdata_check_unknown_type_is_opaque(void **state)
{
	(void)state;
	const uint8_t rd[] = { 0xC0, 0x00, 0xFF, 0x41 };
	assert_int_equal(tw_dns_rdata_check(65534, rd, sizeof(rd), 0, sizeof(rd)), 0);
	assert_int_equal(tw_dns_rdata_check(65534, rd, sizeof(rd), 0, 0), 0);
	assert_int_equal(tw_dns_rdata_check(65534, rd, sizeof(rd), 4, 0), 0);
	assert_int_equal(tw_dns_rdata_check(65534, rd, sizeof(rd), 1, 4), -TW_EDNS_RDLEN);
	assert_int_equal(tw_dns_rdata_check(11, rd, sizeof(rd), 0, 5), -TW_EDNS_RDLEN);
}

static void test_rdata_check_name_running_past_rdlength_is_rdata_error(void **state)
{
	(void)state;
	struct mb m;
	/* the whole name is in the message, but RDLENGTH stops inside it */
	const uint8_t ns[] = { N_NS };
	size_t off = rr_msg(&m, TW_DNS_T_NS, ns, sizeof(ns));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NS, m.b, m.n, off, 11), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NS, m.b, m.n, off, 5), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_DNAME, m.b, m.n, off, 5), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_PTR, m.b, m.n, off, 1), -TW_EDNS_RDATA);

	const uint8_t mx[] = { 0, 10, N_NS };
	off = rr_msg(&m, TW_DNS_T_MX, mx, sizeof(mx));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, 8), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, 2), -TW_EDNS_RDATA);

	/* RRSIG signer (never compressed) cut by RDLENGTH */
	off = rr_msg(&m, TW_DNS_T_RRSIG, rfc5702_rrsig, sizeof(rfc5702_rrsig));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_RRSIG, m.b, m.n, off, 18 + 12),
			 -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_RRSIG, m.b, m.n, off, 18 + 13), 0);

	/* a compression pointer whose second octet lies past RDLENGTH */
	const uint8_t cut_ptr[] = { 0, 10, PTR_EX };
	off = rr_msg(&m, TW_DNS_T_MX, cut_ptr, sizeof(cut_ptr));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, 3), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, 4), 0);

	/* SOA whose rname runs into where the numbers should be */
	const uint8_t soa[] = { N_NS, N_HM, 0, 0, 0, 1 };
	off = rr_msg(&m, TW_DNS_T_SOA, soa, sizeof(soa));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_SOA, m.b, m.n, off, sizeof(soa)),
			 -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_SOA, m.b, m.n, off, 12 + 5),
			 -TW_EDNS_RDATA);
}

static void test_rdata_check_compressed_name_where_rfc4034_forbids_is_ptr_bad(void **state)
{
	(void)state;
	struct mb m;
	size_t off;
	/* RRSIG signer (RFC 4034 §3.1.7), fully and partly compressed */
	const uint8_t rrsig[] = { 0, 1, 8, 2, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80,
				  0x38, 0x6d, 0x43, 0x80, 0x23, 0x49, PTR_EX, 0xaa, 0xbb };
	off = rr_msg(&m, TW_DNS_T_RRSIG, rrsig, sizeof(rrsig));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_RRSIG, m.b, m.n, off, sizeof(rrsig)),
			 -TW_EDNS_PTR_BAD);
	const uint8_t rrsig2[] = { 0, 1, 8, 2, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80, 0x38,
				   0x6d, 0x43, 0x80, 0x23, 0x49, 3, 'w', 'w', 'w', PTR_EX, 0xaa };
	off = rr_msg(&m, TW_DNS_T_RRSIG, rrsig2, sizeof(rrsig2));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_RRSIG, m.b, m.n, off, sizeof(rrsig2)),
			 -TW_EDNS_PTR_BAD);
	/* NSEC next domain name (RFC 4034 §4.1.1) */
	const uint8_t nsec[] = { PTR_WWW, 0, 1, 0x40 };
	off = rr_msg(&m, TW_DNS_T_NSEC, nsec, sizeof(nsec));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NSEC, m.b, m.n, off, sizeof(nsec)),
			 -TW_EDNS_PTR_BAD);
	/* DNAME target (RFC 6672 §2.5) */
	const uint8_t dname[] = { 3, 'n', 'e', 'w', PTR_EX };
	off = rr_msg(&m, TW_DNS_T_DNAME, dname, sizeof(dname));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_DNAME, m.b, m.n, off, sizeof(dname)),
			 -TW_EDNS_PTR_BAD);
	/* KX exchanger (RFC 2230 §3) and SVCB target (RFC 9460 §2.2) */
	const uint8_t kx[] = { 0, 10, PTR_EX };
	off = rr_msg(&m, TW_DNS_T_KX, kx, sizeof(kx));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_KX, m.b, m.n, off, sizeof(kx)),
			 -TW_EDNS_PTR_BAD);
	off = rr_msg(&m, TW_DNS_T_SVCB, kx, sizeof(kx));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_SVCB, m.b, m.n, off, sizeof(kx)),
			 -TW_EDNS_PTR_BAD);
	/* the same pointers are fine where RFC 3597 §4 allows them */
	off = rr_msg(&m, TW_DNS_T_MX, kx, sizeof(kx));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, sizeof(kx)), 0);
}

/* Names compressed where RFC 3597 §4 lets them be. */
static const struct {
	uint16_t type;
	const uint8_t *rd;
	size_t len;
} compressed_ok[] = {
	{ TW_DNS_T_NS, RD(2, 'n', 's', PTR_EX) },
	{ TW_DNS_T_NS, RD(PTR_WWW) },
	{ TW_DNS_T_CNAME, RD(PTR_WWW) },
	{ TW_DNS_T_PTR, RD(3, 'p', 't', 'r', PTR_EX) },
	{ TW_DNS_T_MX, RD(0, 10, 4, 'm', 'a', 'i', 'l', PTR_EX) },
	{ TW_DNS_T_SOA, RD(2, 'n', 's', PTR_EX, 2, 'h', 'm', PTR_EX, 0, 0, 0, 1, 0, 0, 0,
			   2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5) },
	{ TW_DNS_T_MINFO, RD(PTR_WWW, PTR_EX) },
	{ TW_DNS_T_SRV, RD(0, 1, 0, 2, 0, 3, PTR_WWW) },
	{ TW_DNS_T_RP, RD(PTR_WWW, 1, 't', PTR_EX) },
	{ TW_DNS_T_AFSDB, RD(0, 1, PTR_EX) },
	{ TW_DNS_T_NAPTR, RD(0, 1, 0, 2, 0, 0, 0, PTR_WWW) },
};

static void test_rdata_check_compressed_name_where_allowed_is_accepted(void **state)
{
	(void)state;
	char tbuf[12];
	for (size_t i = 0; i < sizeof(compressed_ok) / sizeof(compressed_ok[0]); i++) {
		struct mb m;
		size_t off = rr_msg(&m, compressed_ok[i].type, compressed_ok[i].rd, compressed_ok[i].len);
		int rc = tw_dns_rdata_check(compressed_ok[i].type, m.b, m.n, off, (uint16_t)compressed_ok[i].len);
		if (rc != 0)
			fail_msg("%s: got %d (%s)", tw_dns_type_to_str(compressed_ok[i].type, tbuf), rc,
				 tw_strerror(rc));
	}
	/* a pointer to an earlier name inside the same RDATA (SOA rname -> mname) */
	struct mb m;
	const uint8_t soa[] = { N_NS, 2, 'h', 'm', 0xC0, RR_RDATA_OFF + 3, 0, 0, 0, 1, 0, 0, 0,
				2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
	size_t off = rr_msg(&m, TW_DNS_T_SOA, soa, sizeof(soa));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_SOA, m.b, m.n, off, sizeof(soa)), 0);
}

static void test_rdata_check_forward_or_looping_pointer_is_ptr_loop(void **state)
{
	(void)state;
	struct mb m;
	/* pointer to itself */
	const uint8_t self[] = { 0xC0, RR_RDATA_OFF };
	size_t off = rr_msg(&m, TW_DNS_T_NS, self, sizeof(self));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NS, m.b, m.n, off, sizeof(self)),
			 -TW_EDNS_PTR_LOOP);
	/* pointer forward, to a valid name after it inside the RDATA */
	const uint8_t fwd[] = { 0, 10, 0xC0, RR_RDATA_OFF + 4, 1, 'a', 0 };
	off = rr_msg(&m, TW_DNS_T_MX, fwd, sizeof(fwd));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, sizeof(fwd)),
			 -TW_EDNS_PTR_LOOP);
	/* pointer forward, past the RDATA, into the rest of the message */
	const uint8_t past[] = { 0xC0, RR_RDATA_OFF + 2, 0 };
	off = rr_msg(&m, TW_DNS_T_CNAME, past, sizeof(past));
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_CNAME, m.b, m.n, off, 2), -TW_EDNS_PTR_LOOP);
	/* a two-step loop: RDATA -> owner's "WwW" label, whose run we make point back
	 * into the RDATA */
	const uint8_t loop[] = { PTR_WWW };
	off = rr_msg(&m, TW_DNS_T_PTR, loop, sizeof(loop));
	m.b[16] = 0xC0;
	m.b[17] = RR_RDATA_OFF;
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_PTR, m.b, m.n, off, sizeof(loop)),
			 -TW_EDNS_PTR_LOOP);
	/* a pointer into the header that lands on another pointer to itself */
	const uint8_t hdr_loop[] = { 0, 10, 0xC0, 2 };
	off = rr_msg(&m, TW_DNS_T_MX, hdr_loop, sizeof(hdr_loop));
	m.b[2] = 0xC0;
	m.b[3] = 2;
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, m.b, m.n, off, sizeof(hdr_loop)),
			 -TW_EDNS_PTR_LOOP);
}

static void test_rdata_check_bad_labels_in_rdata_names(void **state)
{
	(void)state;
	/* reserved label types (RFC 6891 §5) */
	const uint8_t ns41[] = { 0x41, 'a', 0 };
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NS, ns41, sizeof(ns41), 0, sizeof(ns41)),
			 -TW_EDNS_LABEL_TYPE);
	const uint8_t rrsig81[] = { 0, 1, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0, 0, 0, 0, 0, 0x81, 'a', 0 };
	assert_int_equal(
		tw_dns_rdata_check(TW_DNS_T_RRSIG, rrsig81, sizeof(rrsig81), 0, sizeof(rrsig81)),
		-TW_EDNS_LABEL_TYPE);
	/* names longer than 255 octets: 5 labels of 63 */
	uint8_t big[2 + 5 * 64 + 1];
	big[0] = 0;
	big[1] = 10;
	for (int l = 0; l < 5; l++) {
		big[2 + l * 64] = 63;
		memset(big + 3 + l * 64, 'x', 63);
	}
	big[sizeof(big) - 1] = 0;
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_MX, big, sizeof(big), 0, sizeof(big)),
			 -TW_EDNS_NAME_LEN);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_KX, big, sizeof(big), 0, sizeof(big)),
			 -TW_EDNS_NAME_LEN);
}

/* An NSEC with next name "." and `bm` as its bitmap. */
static int nsec_with_bitmap(uint16_t type, const uint8_t *bm, size_t bmlen)
{
	uint8_t rd[128];
	size_t n = 0;
	if (type == TW_DNS_T_NSEC) {
		rd[n++] = 0;
	} else if (type == TW_DNS_T_NSEC3) {
		const uint8_t fixed[] = { 1, 0, 0, 0, 0, 1, 0xab };
		memcpy(rd, fixed, sizeof(fixed));
		n = sizeof(fixed);
	} else { /* CSYNC */
		const uint8_t fixed[] = { 0, 0, 0, 1, 0, 0 };
		memcpy(rd, fixed, sizeof(fixed));
		n = sizeof(fixed);
	}
	if (bmlen)
		memcpy(rd + n, bm, bmlen);
	n += bmlen;
	return tw_dns_rdata_check(type, rd, n, 0, (uint16_t)n);
}

static void test_rdata_check_bad_type_bitmaps_are_rdata_errors(void **state)
{
	(void)state;
	static const uint16_t types[] = { TW_DNS_T_NSEC, TW_DNS_T_NSEC3, TW_DNS_T_CSYNC };
	for (size_t i = 0; i < 3; i++) {
		uint16_t t = types[i];
		uint8_t bm[40];
		/* good: one window, two windows in order, the 32-octet maximum */
		assert_int_equal(nsec_with_bitmap(t, (const uint8_t[]){ 0, 1, 0x40 }, 3), 0);
		assert_int_equal(
			nsec_with_bitmap(t, (const uint8_t[]){ 0, 1, 0x40, 1, 1, 0x40 }, 6), 0);
		memset(bm, 0, sizeof(bm));
		bm[1] = 32;
		bm[33] = 0x01;
		assert_int_equal(nsec_with_bitmap(t, bm, 34), 0);
		/* window length 0 */
		assert_int_equal(nsec_with_bitmap(t, (const uint8_t[]){ 0, 0 }, 2), -TW_EDNS_RDATA);
		assert_int_equal(nsec_with_bitmap(t, (const uint8_t[]){ 0, 1, 0x40, 1, 0 }, 5),
				 -TW_EDNS_RDATA);
		/* window length 33 */
		bm[1] = 33;
		bm[34] = 0x01;
		assert_int_equal(nsec_with_bitmap(t, bm, 35), -TW_EDNS_RDATA);
		/* windows out of order, and the same window twice */
		assert_int_equal(
			nsec_with_bitmap(t, (const uint8_t[]){ 1, 1, 0x40, 0, 1, 0x40 }, 6),
			-TW_EDNS_RDATA);
		assert_int_equal(
			nsec_with_bitmap(t, (const uint8_t[]){ 0, 1, 0x40, 0, 1, 0x20 }, 6),
			-TW_EDNS_RDATA);
		/* truncated window, and a lone window octet */
		assert_int_equal(nsec_with_bitmap(t, (const uint8_t[]){ 0, 5, 0x40, 0, 0 }, 5),
				 -TW_EDNS_RDATA);
		assert_int_equal(nsec_with_bitmap(t, (const uint8_t[]){ 0, 1, 0x40, 2 }, 4),
				 -TW_EDNS_RDATA);
		assert_int_equal(nsec_with_bitmap(t, (const uint8_t[]){ 0 }, 1), -TW_EDNS_RDATA);
	}
	/* RFC 5155 §3.2.1: an empty non-terminal's NSEC3 has an empty bitmap */
	assert_int_equal(nsec_with_bitmap(TW_DNS_T_NSEC3, NULL, 0), 0);
}

static void test_rdata_check_nsec3_zero_length_hash_and_bad_salt(void **state)
{
	(void)state;
	const uint8_t zero_hash[] = { 1, 0, 0, 0, 0, 0, 0, 1, 0x40 };
	assert_int_equal(
		tw_dns_rdata_check(TW_DNS_T_NSEC3, zero_hash, sizeof(zero_hash), 0, sizeof(zero_hash)),
		-TW_EDNS_RDATA);
	const uint8_t zero_hash_salted[] = { 1, 0, 0, 0, 2, 0xab, 0xcd, 0 };
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NSEC3, zero_hash_salted,
					    sizeof(zero_hash_salted), 0, sizeof(zero_hash_salted)),
			 -TW_EDNS_RDATA);
	const uint8_t salt_past[] = { 1, 0, 0, 0, 5, 0xab, 0xcd };
	assert_int_equal(
		tw_dns_rdata_check(TW_DNS_T_NSEC3, salt_past, sizeof(salt_past), 0, sizeof(salt_past)),
		-TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_NSEC3PARAM, salt_past, sizeof(salt_past), 0,
					    sizeof(salt_past)),
			 -TW_EDNS_RDATA);
	const uint8_t hash_past[] = { 1, 0, 0, 0, 0, 20, 0xab, 0xcd };
	assert_int_equal(
		tw_dns_rdata_check(TW_DNS_T_NSEC3, hash_past, sizeof(hash_past), 0, sizeof(hash_past)),
		-TW_EDNS_RDATA);
	/* no salt ("-"), one-octet hash, no types: the smallest valid NSEC3 */
	const uint8_t minimal[] = { 1, 0, 0, 0, 0, 1, 0xab };
	assert_int_equal(
		tw_dns_rdata_check(TW_DNS_T_NSEC3, minimal, sizeof(minimal), 0, sizeof(minimal)), 0);
}

static void test_rdata_check_empty_txt_is_rdata_error_but_empty_string_is_not(void **state)
{
	(void)state;
	const uint8_t empties[] = { 0, 0 };
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_TXT, empties, 2, 0, 0), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_SPF, empties, 2, 0, 0), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_TXT, empties, 2, 0, 1), 0);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_TXT, empties, 2, 0, 2), 0);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_HINFO, empties, 2, 0, 2), 0);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_HINFO, empties, 2, 0, 1), -TW_EDNS_RDATA);
	/* a string of 255 octets, the longest there is */
	uint8_t big[256];
	big[0] = 255;
	memset(big + 1, 'x', 255);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_TXT, big, sizeof(big), 0, sizeof(big)), 0);
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_TXT, big, sizeof(big), 0, 255),
			 -TW_EDNS_RDATA);
}

/* ---- canonical form and decompression ---------------------------------------- */

/* RDATA as it arrives inside an rr_msg() message (pointers into the owner), its
 * canonical form (RFC 4034 §6.2 with RFC 6840 §5.1) and its decompressed form. */
static const struct canon_case {
	uint16_t type;
	const uint8_t *rd;
	size_t len;
	const uint8_t *canon;
	size_t canon_len;
	const uint8_t *plain;
	size_t plain_len;
} canon_cases[] = {
	{ TW_DNS_T_NS, RD(2, 'N', 's', PTR_EX), RD(2, 'n', 's', EX_LC), RD(2, 'N', 's', EX_MC) },
	{ TW_DNS_T_MD, RD(PTR_WWW), RD(WWW_LC), RD(WWW_MC) },
	{ TW_DNS_T_MF, RD(PTR_WWW), RD(WWW_LC), RD(WWW_MC) },
	{ TW_DNS_T_CNAME, RD(PTR_WWW), RD(WWW_LC), RD(WWW_MC) },
	{ TW_DNS_T_MB, RD(PTR_WWW), RD(WWW_LC), RD(WWW_MC) },
	{ TW_DNS_T_MG, RD(PTR_WWW), RD(WWW_LC), RD(WWW_MC) },
	{ TW_DNS_T_MR, RD(PTR_WWW), RD(WWW_LC), RD(WWW_MC) },
	{ TW_DNS_T_PTR, RD(3, 'P', 't', 'R', PTR_EX), RD(3, 'p', 't', 'r', EX_LC),
	  RD(3, 'P', 't', 'R', EX_MC) },
	/* numbers that happen to be ASCII capitals are not names: left alone */
	{ TW_DNS_T_SOA,
	  RD(2, 'N', 'S', PTR_EX, 2, 'H', 'm', PTR_EX, 'A', 'B', 'C', 'D', 0, 0, 0x1c, 0x20, 0,
	     0, 0x0e, 0x10, 0, 0x12, 0x75, 0, 0, 0, 'Z', 'Z'),
	  RD(2, 'n', 's', EX_LC, 2, 'h', 'm', EX_LC, 'A', 'B', 'C', 'D', 0, 0, 0x1c, 0x20, 0, 0,
	     0x0e, 0x10, 0, 0x12, 0x75, 0, 0, 0, 'Z', 'Z'),
	  RD(2, 'N', 'S', EX_MC, 2, 'H', 'm', EX_MC, 'A', 'B', 'C', 'D', 0, 0, 0x1c, 0x20, 0, 0,
	     0x0e, 0x10, 0, 0x12, 0x75, 0, 0, 0, 'Z', 'Z') },
	{ TW_DNS_T_MINFO, RD(2, 'R', 'm', PTR_EX, PTR_WWW), RD(2, 'r', 'm', EX_LC, WWW_LC),
	  RD(2, 'R', 'm', EX_MC, WWW_MC) },
	{ TW_DNS_T_MX, RD(0, 'A', 4, 'M', 'a', 'I', 'l', PTR_EX),
	  RD(0, 'A', 4, 'm', 'a', 'i', 'l', EX_LC), RD(0, 'A', 4, 'M', 'a', 'I', 'l', EX_MC) },
	{ TW_DNS_T_RP, RD(PTR_WWW, 1, 'T', PTR_EX), RD(WWW_LC, 1, 't', EX_LC),
	  RD(WWW_MC, 1, 'T', EX_MC) },
	{ TW_DNS_T_AFSDB, RD(0, 1, PTR_EX), RD(0, 1, EX_LC), RD(0, 1, EX_MC) },
	{ TW_DNS_T_RT, RD(0, 2, PTR_WWW), RD(0, 2, WWW_LC), RD(0, 2, WWW_MC) },
	{ TW_DNS_T_SIG,
	  RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 'E', 'X', 'P', '!', 'I', 'N', 'C', '!', 0x23, 0x49,
	     PTR_EX, 'S', 'I', 'G'),
	  RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 'E', 'X', 'P', '!', 'I', 'N', 'C', '!', 0x23, 0x49,
	     EX_LC, 'S', 'I', 'G'),
	  RD(0, 1, 8, 2, 0, 0, 0x0e, 0x10, 'E', 'X', 'P', '!', 'I', 'N', 'C', '!', 0x23, 0x49,
	     EX_MC, 'S', 'I', 'G') },
	{ TW_DNS_T_PX, RD(0, 10, PTR_WWW, 2, 'X', 'x', PTR_EX),
	  RD(0, 10, WWW_LC, 2, 'x', 'x', EX_LC), RD(0, 10, WWW_MC, 2, 'X', 'x', EX_MC) },
	{ TW_DNS_T_SRV, RD(0, 1, 0, 2, 0x01, 0xbb, 3, 'S', 'i', 'P', PTR_EX),
	  RD(0, 1, 0, 2, 0x01, 0xbb, 3, 's', 'i', 'p', EX_LC),
	  RD(0, 1, 0, 2, 0x01, 0xbb, 3, 'S', 'i', 'P', EX_MC) },
	/* NAPTR: the character-strings keep their case, the replacement is lowered */
	{ TW_DNS_T_NAPTR,
	  RD(0, 100, 0, 10, 1, 'U', 7, 'E', '2', 'U', '+', 'S', 'I', 'P', 0, PTR_WWW),
	  RD(0, 100, 0, 10, 1, 'U', 7, 'E', '2', 'U', '+', 'S', 'I', 'P', 0, WWW_LC),
	  RD(0, 100, 0, 10, 1, 'U', 7, 'E', '2', 'U', '+', 'S', 'I', 'P', 0, WWW_MC) },
	{ TW_DNS_T_KX, RD(0, 10, 2, 'K', 'x', EX_MC), RD(0, 10, 2, 'k', 'x', EX_LC),
	  RD(0, 10, 2, 'K', 'x', EX_MC) },
	{ TW_DNS_T_DNAME, RD(WWW_MC), RD(WWW_LC), RD(WWW_MC) },
	/* RRSIG: the signer is lowered, the signature octets are not */
	{ TW_DNS_T_RRSIG,
	  RD(0, 1, 8, 3, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80, 0x38, 0x6d, 0x43, 0x80, 0x23,
	     0x49, 7, 'E', 'x', 'A', 'M', 'p', 'l', 'e', 3, 'N', 'e', 'T', 0, 'S', 'i', 'G'),
	  RD(0, 1, 8, 3, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80, 0x38, 0x6d, 0x43, 0x80, 0x23,
	     0x49, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0, 'S', 'i', 'G'),
	  RD(0, 1, 8, 3, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80, 0x38, 0x6d, 0x43, 0x80, 0x23,
	     0x49, 7, 'E', 'x', 'A', 'M', 'p', 'l', 'e', 3, 'N', 'e', 'T', 0, 'S', 'i', 'G') },
	/* RFC 6840 §5.1: the NSEC next name keeps its case */
	{ TW_DNS_T_NSEC, RD(4, 'H', 'o', 's', 'T', EX_MC, 0, 1, 0x40),
	  RD(4, 'H', 'o', 's', 'T', EX_MC, 0, 1, 0x40),
	  RD(4, 'H', 'o', 's', 'T', EX_MC, 0, 1, 0x40) },
	/* not in RFC 4034 §6.2's list */
	{ TW_DNS_T_SVCB, RD(0, 1, 3, 'S', 'v', 'C', EX_MC, 0, 1, 0, 3, 2, 'H', '2'),
	  RD(0, 1, 3, 'S', 'v', 'C', EX_MC, 0, 1, 0, 3, 2, 'H', '2'),
	  RD(0, 1, 3, 'S', 'v', 'C', EX_MC, 0, 1, 0, 3, 2, 'H', '2') },
	{ TW_DNS_T_TXT, RD(5, 'H', 'e', 'L', 'L', 'o'), RD(5, 'H', 'e', 'L', 'L', 'o'),
	  RD(5, 'H', 'e', 'L', 'L', 'o') },
	{ TW_DNS_T_HINFO, RD(3, 'X', '8', '6', 5, 'L', 'I', 'N', 'U', 'X'),
	  RD(3, 'X', '8', '6', 5, 'L', 'I', 'N', 'U', 'X'),
	  RD(3, 'X', '8', '6', 5, 'L', 'I', 'N', 'U', 'X') },
	{ TW_DNS_T_CAA, RD(0, 5, 'I', 's', 's', 'u', 'e', 'C', 'A', '.', 'O', 'r', 'G'),
	  RD(0, 5, 'I', 's', 's', 'u', 'e', 'C', 'A', '.', 'O', 'r', 'G'),
	  RD(0, 5, 'I', 's', 's', 'u', 'e', 'C', 'A', '.', 'O', 'r', 'G') },
	{ TW_DNS_T_A, RD('A', 'B', 'C', 'D'), RD('A', 'B', 'C', 'D'), RD('A', 'B', 'C', 'D') },
	/* RFC 3597 §7: unknown types are opaque, even when they look like a name */
	{ 65534, RD(3, 'W', 'W', 'W', 0), RD(3, 'W', 'W', 'W', 0), RD(3, 'W', 'W', 'W', 0) },
};

static void test_rdata_canonical_decompresses_and_lowercases_per_rfc4034_6_2(void **state)
{
	(void)state;
	char tbuf[12];
	for (size_t i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
		const struct canon_case *c = &canon_cases[i];
		const char *tn = tw_dns_type_to_str(c->type, tbuf);
		struct mb m;
		size_t off = rr_msg(&m, c->type, c->rd, c->len);
		uint16_t rdlen = (uint16_t)c->len;
		int rc = tw_dns_rdata_check(c->type, m.b, m.n, off, rdlen);
		if (rc != 0)
			fail_msg("%s: check %d", tn, rc);
		uint8_t out[600];
		size_t out_len = 0;
		memset(out, 0xEE, sizeof(out));
		rc = tw_dns_rdata_canonical(c->type, m.b, m.n, off, rdlen, out, sizeof(out),
					    &out_len);
		if (rc != 0)
			fail_msg("%s: canonical %d", tn, rc);
		if (out_len != c->canon_len || memcmp(out, c->canon, out_len) != 0)
			fail_msg("%s: canonical form differs (len %zu, want %zu)", tn, out_len,
				 c->canon_len);
		assert_int_equal(out[out_len], 0xEE); /* nothing written past out_len */
		/* the message is left untouched */
		assert_memory_equal(m.b + off, c->rd, c->len);
	}
}

static void test_rdata_decompress_keeps_case(void **state)
{
	(void)state;
	char tbuf[12];
	for (size_t i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
		const struct canon_case *c = &canon_cases[i];
		struct mb m;
		size_t off = rr_msg(&m, c->type, c->rd, c->len);
		uint8_t out[600];
		size_t out_len = 0;
		int rc = tw_dns_rdata_decompress(c->type, m.b, m.n, off, (uint16_t)c->len, out,
						 sizeof(out), &out_len);
		if (rc != 0)
			fail_msg("%s: decompress %d", tw_dns_type_to_str(c->type, tbuf), rc);
		if (out_len != c->plain_len || memcmp(out, c->plain, out_len) != 0)
			fail_msg("%s: decompressed form differs", tw_dns_type_to_str(c->type, tbuf));
		/* the stand-alone form checks as stand-alone RDATA and is its own
		 * decompressed form */
		assert_int_equal(tw_dns_rdata_check(c->type, out, out_len, 0, (uint16_t)out_len), 0);
		uint8_t again[600];
		size_t again_len = 0;
		assert_int_equal(tw_dns_rdata_decompress(c->type, out, out_len, 0, (uint16_t)out_len,
							 again, sizeof(again), &again_len),
				 0);
		assert_int_equal(again_len, out_len);
		assert_memory_equal(again, out, out_len);
	}
}

static void test_rdata_canonical_of_standalone_rfc_rrsig_is_identity(void **state)
{
	(void)state;
	uint8_t out[256];
	size_t out_len = 0;
	assert_int_equal(tw_dns_rdata_canonical(TW_DNS_T_RRSIG, rfc5702_rrsig,
						sizeof(rfc5702_rrsig), 0, sizeof(rfc5702_rrsig),
						out, sizeof(out), &out_len),
			 0);
	assert_int_equal(out_len, sizeof(rfc5702_rrsig));
	assert_memory_equal(out, rfc5702_rrsig, out_len);
}

static void test_rdata_canonical_reports_enospc_when_out_is_short(void **state)
{
	(void)state;
	struct mb m;
	const uint8_t ns[] = { 2, 'N', 's', PTR_EX };
	size_t off = rr_msg(&m, TW_DNS_T_NS, ns, sizeof(ns));
	uint8_t out[16];
	size_t out_len = 99;
	/* 5 octets on the wire, 12 decompressed */
	assert_int_equal(tw_dns_rdata_canonical(TW_DNS_T_NS, m.b, m.n, off, sizeof(ns), out, 11,
						&out_len),
			 -TW_ENOSPC);
	assert_int_equal(out_len, 99);
	assert_int_equal(tw_dns_rdata_decompress(TW_DNS_T_NS, m.b, m.n, off, sizeof(ns), out, 5,
						 &out_len),
			 -TW_ENOSPC);
	assert_int_equal(tw_dns_rdata_canonical(TW_DNS_T_NS, m.b, m.n, off, sizeof(ns), out, 12,
						&out_len),
			 0);
	assert_int_equal(out_len, 12);
	/* opaque data: exactly rdlen octets needed */
	const uint8_t opaque[] = { 1, 2, 3 };
	assert_int_equal(tw_dns_rdata_canonical(65534, opaque, 3, 0, 3, out, 2, &out_len),
			 -TW_ENOSPC);
	assert_int_equal(tw_dns_rdata_canonical(65534, opaque, 3, 0, 3, out, 3, &out_len), 0);
	assert_int_equal(out_len, 3);
}

/* A 65535-octet message holding one SIG whose signer, a pointer to offset 14, reads
 * the record's own TYPE low octet (24) as a label length: a 24-octet label of CLASS,
 * TTL, RDLENGTH and SIG fixed fields, ended by the key tag's high octet (0). */
static size_t sig_growing_past_65535(uint8_t *msg, uint16_t *rdlen)
{
	const size_t rd_off = 12 + 1 + 10;
	*rdlen = (uint16_t)(TW_DNS_MSG_MAXLEN - rd_off);
	memset(msg, 0, rd_off + 18);
	msg[7] = 1; /* ANCOUNT */
	msg[13] = 0;
	msg[14] = TW_DNS_T_SIG;
	msg[16] = TW_DNS_C_IN;
	msg[21] = (uint8_t)(*rdlen >> 8);
	msg[22] = (uint8_t)*rdlen;
	msg[rd_off + 18] = 0xC0;
	msg[rd_off + 19] = 14;
	memset(msg + rd_off + 20, 0xab, *rdlen - 20u);
	return rd_off;
}

static void test_rdata_canonical_refuses_rdata_growing_past_65535(void **state)
{
	(void)state;
	static uint8_t msg[TW_DNS_MSG_MAXLEN];
	static uint8_t out[TW_DNS_MSG_MAXLEN + TW_DNS_NAME_MAXLEN];
	uint16_t rdlen;
	size_t off = sig_growing_past_65535(msg, &rdlen);
	assert_int_equal(off + rdlen, TW_DNS_MSG_MAXLEN);
	/* the layout is fine: the signer may arrive compressed (RFC 3597 §4) */
	assert_int_equal(tw_dns_rdata_check(TW_DNS_T_SIG, msg, sizeof(msg), off, rdlen), 0);
	size_t out_len = 7;
	assert_int_equal(tw_dns_rdata_canonical(TW_DNS_T_SIG, msg, sizeof(msg), off, rdlen, out,
						sizeof(out), &out_len),
			 -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rdata_decompress(TW_DNS_T_SIG, msg, sizeof(msg), off, rdlen, out,
						 sizeof(out), &out_len),
			 -TW_EDNS_RDATA);
	/* one octet less of signature: 65535 decompressed, the most RDLENGTH says */
	assert_int_equal(tw_dns_rdata_canonical(TW_DNS_T_SIG, msg, sizeof(msg) - 1, off,
						(uint16_t)(rdlen - 1), out, sizeof(out), &out_len),
			 0);
	assert_int_equal(out_len, 65535);
	assert_int_equal(out[18], 24);
	assert_int_equal(out[18 + 25], 0);
	assert_int_equal(out[18 + 26], 0xab);
}

/* ---- type bitmaps ----------------------------------------------------------- */

static void test_bitmap_has_reads_rfc4034_example_windows(void **state)
{
	(void)state;
	const uint8_t *bm = rfc4034_nsec_bitmap;
	size_t n = sizeof(rfc4034_nsec_bitmap);
	/* window 0: A MX RRSIG NSEC */
	assert_true(tw_dns_bitmap_has(bm, n, TW_DNS_T_A));
	assert_true(tw_dns_bitmap_has(bm, n, TW_DNS_T_MX));
	assert_true(tw_dns_bitmap_has(bm, n, TW_DNS_T_RRSIG));
	assert_true(tw_dns_bitmap_has(bm, n, TW_DNS_T_NSEC));
	assert_false(tw_dns_bitmap_has(bm, n, 0));
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_NS));
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_SOA));
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_TXT));
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_AAAA));
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_DS));
	/* past the window's 6 octets */
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_DNSKEY));
	assert_false(tw_dns_bitmap_has(bm, n, 255));
	/* window 1 absent */
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_URI));
	assert_false(tw_dns_bitmap_has(bm, n, TW_DNS_T_CAA));
	/* window 4: TYPE1234 only */
	assert_true(tw_dns_bitmap_has(bm, n, 1234));
	assert_false(tw_dns_bitmap_has(bm, n, 1233));
	assert_false(tw_dns_bitmap_has(bm, n, 1235));
	assert_false(tw_dns_bitmap_has(bm, n, 1024));
	/* windows after the last */
	assert_false(tw_dns_bitmap_has(bm, n, 1280));
	assert_false(tw_dns_bitmap_has(bm, n, 65534));
	/* empty bitmap */
	assert_false(tw_dns_bitmap_has(bm, 0, TW_DNS_T_A));
}

static void test_bitmap_has_reads_windows_0_and_1(void **state)
{
	(void)state;
	/* A NS SOA RRSIG NSEC DNSKEY in window 0; URI CAA in window 1 */
	const uint8_t bm[] = { 0, 7, 0x62, 0, 0, 0, 0, 0x03, 0x80, 1, 1, 0xC0 };
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_A));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_NS));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_SOA));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_RRSIG));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_NSEC));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_DNSKEY));
	assert_false(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_CNAME));
	assert_false(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_DS));
	assert_false(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_NSEC3));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_URI));
	assert_true(tw_dns_bitmap_has(bm, sizeof(bm), TW_DNS_T_CAA));
	assert_false(tw_dns_bitmap_has(bm, sizeof(bm), 258));
	assert_false(tw_dns_bitmap_has(bm, sizeof(bm), 263));
	assert_false(tw_dns_bitmap_has(bm, sizeof(bm), 512));
	/* window 1 alone: nothing of window 0 */
	assert_false(tw_dns_bitmap_has(bm + 9, 3, TW_DNS_T_A));
	assert_true(tw_dns_bitmap_has(bm + 9, 3, TW_DNS_T_CAA));
}

/* ---- typed views --------------------------------------------------------------- */

static void test_rrsig_view_of_rfc5702_signature(void **state)
{
	(void)state;
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_RRSIG, rfc5702_rrsig, sizeof(rfc5702_rrsig));
	struct tw_dns_rrsig v;
	assert_int_equal(tw_dns_rrsig_view(m.b, m.n, off, sizeof(rfc5702_rrsig), &v), 0);
	assert_int_equal(v.type_covered, TW_DNS_T_A);
	assert_int_equal(v.algorithm, 8);
	assert_int_equal(v.labels, 3);
	assert_int_equal(v.original_ttl, 3600);
	assert_int_equal(v.expiration, 1893456000u);
	assert_int_equal(v.inception, 946684800u);
	assert_int_equal(v.key_tag, 9033);
	assert_ptr_equal(v.signer, m.b + off + 18);
	assert_int_equal(v.signer_len, 13);
	assert_memory_equal(v.signer, ((const uint8_t[]){ 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
							   3, 'n', 'e', 't', 0 }),
			    13);
	assert_ptr_equal(v.signature, m.b + off + 31);
	assert_int_equal(v.signature_len, 64);
	assert_int_equal(v.signature[0], 0x91);
	assert_int_equal(v.signature[63], 0xc2);
	/* the signing key's tag, computed from the RFC's DNSKEY, matches */
	assert_int_equal(key_tag(rfc5702_dnskey, sizeof(rfc5702_dnskey)), v.key_tag);

	/* stand-alone, and with an empty signature */
	assert_int_equal(tw_dns_rrsig_view(rfc5702_rrsig, 31, 0, 31, &v), 0);
	assert_int_equal(v.signature_len, 0);
	assert_ptr_equal(v.signer, rfc5702_rrsig + 18);

	/* hostile: cut inside the signer, compressed signer, loose RDLENGTH */
	assert_int_equal(tw_dns_rrsig_view(m.b, m.n, off, 25, &v), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rrsig_view(m.b, m.n, off, 17, &v), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_rrsig_view(m.b, m.n - 1, off, sizeof(rfc5702_rrsig), &v),
			 -TW_EDNS_RDLEN);
	m.b[off + 18] = 0xC0;
	m.b[off + 19] = 16;
	assert_int_equal(tw_dns_rrsig_view(m.b, m.n, off, sizeof(rfc5702_rrsig), &v),
			 -TW_EDNS_PTR_BAD);
}

static void test_dnskey_view_of_rfc4034_key_and_cdnskey(void **state)
{
	(void)state;
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_DNSKEY, rfc4034_dnskey, sizeof(rfc4034_dnskey));
	struct tw_dns_dnskey k;
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_DNSKEY, m.b, m.n, off,
					    sizeof(rfc4034_dnskey), &k),
			 0);
	assert_int_equal(k.flags, 256);
	assert_int_equal(k.flags & TW_DNS_DNSKEY_F_ZONE, TW_DNS_DNSKEY_F_ZONE);
	assert_int_equal(k.flags & TW_DNS_DNSKEY_F_SEP, 0);
	assert_int_equal(k.flags & TW_DNS_DNSKEY_F_REVOKE, 0);
	assert_int_equal(k.protocol, 3);
	assert_int_equal(k.algorithm, 5);
	assert_ptr_equal(k.key, m.b + off + 4);
	assert_int_equal(k.key_len, 130);
	assert_int_equal(k.key[0], 0x01);
	assert_int_equal(k.key[1], 0x03);
	assert_int_equal(k.key[129], 0x17);
	assert_int_equal(key_tag(rfc4034_dnskey, sizeof(rfc4034_dnskey)), 60485);

	/* the same RDATA as CDNSKEY, stand-alone */
	memset(&k, 0, sizeof(k));
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_CDNSKEY, rfc5702_dnskey,
					    sizeof(rfc5702_dnskey), 0, sizeof(rfc5702_dnskey), &k),
			 0);
	assert_int_equal(k.flags, 256);
	assert_int_equal(k.protocol, 3);
	assert_int_equal(k.algorithm, 8);
	assert_int_equal(k.key_len, 68);
	assert_ptr_equal(k.key, rfc5702_dnskey + 4);

	/* a KSK that is revoked (RFC 5011): flags 257 | 0x80 */
	const uint8_t ksk[] = { 0x01, 0x81, 3, 13, 0xaa };
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_DNSKEY, ksk, sizeof(ksk), 0, sizeof(ksk), &k),
			 0);
	assert_int_equal(k.flags, 0x0181);
	assert_int_equal(k.flags & TW_DNS_DNSKEY_F_SEP, TW_DNS_DNSKEY_F_SEP);
	assert_int_equal(k.flags & TW_DNS_DNSKEY_F_REVOKE, TW_DNS_DNSKEY_F_REVOKE);
	assert_int_equal(k.key_len, 1);

	/* wrong type, even with valid DNSKEY bytes */
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_DS, rfc4034_dnskey, sizeof(rfc4034_dnskey), 0,
					    sizeof(rfc4034_dnskey), &k),
			 -TW_EINVAL);
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_RRSIG, rfc4034_dnskey,
					    sizeof(rfc4034_dnskey), 0, sizeof(rfc4034_dnskey), &k),
			 -TW_EINVAL);
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_KEY, rfc4034_dnskey, sizeof(rfc4034_dnskey),
					    0, sizeof(rfc4034_dnskey), &k),
			 -TW_EINVAL);
	/* too short for flags, protocol and algorithm */
	assert_int_equal(tw_dns_dnskey_view(TW_DNS_T_DNSKEY, rfc4034_dnskey, 3, 0, 3, &k),
			 -TW_EDNS_RDATA);
}

static void test_ds_view_of_rfc4034_and_rfc4509_digests_and_cds(void **state)
{
	(void)state;
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_DS, rfc4034_ds_sha1, sizeof(rfc4034_ds_sha1));
	struct tw_dns_ds d;
	assert_int_equal(
		tw_dns_ds_view(TW_DNS_T_DS, m.b, m.n, off, sizeof(rfc4034_ds_sha1), &d), 0);
	assert_int_equal(d.key_tag, 60485);
	assert_int_equal(d.algorithm, 5);
	assert_int_equal(d.digest_type, 1);
	assert_ptr_equal(d.digest, m.b + off + 4);
	assert_int_equal(d.digest_len, 20);
	assert_int_equal(d.digest[0], 0x2b);
	assert_int_equal(d.digest[19], 0x18);
	/* the DS names the RFC's DNSKEY */
	assert_int_equal(d.key_tag, key_tag(rfc4034_dnskey, sizeof(rfc4034_dnskey)));

	assert_int_equal(tw_dns_ds_view(TW_DNS_T_CDS, rfc4509_ds_sha256,
					sizeof(rfc4509_ds_sha256), 0, sizeof(rfc4509_ds_sha256),
					&d),
			 0);
	assert_int_equal(d.key_tag, 60485);
	assert_int_equal(d.algorithm, 5);
	assert_int_equal(d.digest_type, 2);
	assert_int_equal(d.digest_len, 32);
	assert_ptr_equal(d.digest, rfc4509_ds_sha256 + 4);
	assert_int_equal(d.digest[31], 0x0a);

	assert_int_equal(tw_dns_ds_view(TW_DNS_T_DNSKEY, rfc4034_ds_sha1,
					sizeof(rfc4034_ds_sha1), 0, sizeof(rfc4034_ds_sha1), &d),
			 -TW_EINVAL);
	assert_int_equal(tw_dns_ds_view(TW_DNS_T_CDNSKEY, rfc4034_ds_sha1,
					sizeof(rfc4034_ds_sha1), 0, sizeof(rfc4034_ds_sha1), &d),
			 -TW_EINVAL);
	assert_int_equal(tw_dns_ds_view(TW_DNS_T_DS, rfc4034_ds_sha1, 3, 0, 3, &d),
			 -TW_EDNS_RDATA);
}

static void test_nsec_view_of_rfc4034_example(void **state)
{
	(void)state;
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_NSEC, rfc4034_nsec, sizeof(rfc4034_nsec));
	struct tw_dns_nsec v;
	assert_int_equal(tw_dns_nsec_view(m.b, m.n, off, sizeof(rfc4034_nsec), &v), 0);
	assert_ptr_equal(v.next, m.b + off);
	assert_int_equal(v.next_len, 18);
	assert_ptr_equal(v.bitmap, m.b + off + 18);
	assert_int_equal(v.bitmap_len, 37);
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_MX));
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, 1234));
	assert_false(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_NS));

	/* a next name in upper case is returned as signed */
	const uint8_t upper[] = { 1, 'B', 0, 0, 1, 0x40 };
	assert_int_equal(tw_dns_nsec_view(upper, sizeof(upper), 0, sizeof(upper), &v), 0);
	assert_int_equal(v.next[1], 'B');
	assert_int_equal(v.next_len, 3);
	assert_int_equal(v.bitmap_len, 3);
	/* no bitmap at all */
	assert_int_equal(tw_dns_nsec_view(upper, sizeof(upper), 0, 3, &v), 0);
	assert_int_equal(v.bitmap_len, 0);

	const uint8_t bad[] = { 0, 0, 0 };
	assert_int_equal(tw_dns_nsec_view(bad, sizeof(bad), 0, sizeof(bad), &v), -TW_EDNS_RDATA);
}

static void test_nsec3_view_of_rfc5155_example(void **state)
{
	(void)state;
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_NSEC3, rfc5155_nsec3, sizeof(rfc5155_nsec3));
	struct tw_dns_nsec3 v;
	assert_int_equal(tw_dns_nsec3_view(m.b, m.n, off, sizeof(rfc5155_nsec3), &v), 0);
	assert_int_equal(v.hash_alg, 1);
	assert_int_equal(v.flags, TW_DNS_NSEC3_F_OPTOUT);
	assert_int_equal(v.iterations, 12);
	assert_int_equal(v.salt_len, 4);
	assert_ptr_equal(v.salt, m.b + off + 5);
	assert_memory_equal(v.salt, ((const uint8_t[]){ 0xaa, 0xbb, 0xcc, 0xdd }), 4);
	assert_int_equal(v.hash_len, 20);
	assert_ptr_equal(v.next_hash, m.b + off + 10);
	assert_memory_equal(v.next_hash, rfc5155_hash, 20);
	assert_ptr_equal(v.bitmap, m.b + off + 30);
	assert_int_equal(v.bitmap_len, 9);
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_NS));
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_SOA));
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_MX));
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_RRSIG));
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_DNSKEY));
	assert_true(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_NSEC3PARAM));
	assert_false(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_A));
	assert_false(tw_dns_bitmap_has(v.bitmap, v.bitmap_len, TW_DNS_T_NSEC3));

	/* no salt, no types (an empty non-terminal) */
	const uint8_t ent[] = { 1, 0, 0, 0, 0, 2, 0xab, 0xcd };
	assert_int_equal(tw_dns_nsec3_view(ent, sizeof(ent), 0, sizeof(ent), &v), 0);
	assert_int_equal(v.flags, 0);
	assert_int_equal(v.iterations, 0);
	assert_int_equal(v.salt_len, 0);
	assert_int_equal(v.hash_len, 2);
	assert_ptr_equal(v.next_hash, ent + 6);
	assert_int_equal(v.bitmap_len, 0);

	const uint8_t zero_hash[] = { 1, 0, 0, 0, 0, 0 };
	assert_int_equal(tw_dns_nsec3_view(zero_hash, sizeof(zero_hash), 0, sizeof(zero_hash), &v),
			 -TW_EDNS_RDATA);
}

static void test_nsec3param_view(void **state)
{
	(void)state;
	const uint8_t p[] = { 1, 0, 0, 12, 4, 0xaa, 0xbb, 0xcc, 0xdd };
	struct tw_dns_nsec3param v;
	assert_int_equal(tw_dns_nsec3param_view(p, sizeof(p), 0, sizeof(p), &v), 0);
	assert_int_equal(v.hash_alg, 1);
	assert_int_equal(v.flags, 0);
	assert_int_equal(v.iterations, 12);
	assert_int_equal(v.salt_len, 4);
	assert_ptr_equal(v.salt, p + 5);
	/* RFC 9276 §3.1 recommended: 1 0 0 - */
	const uint8_t rec[] = { 1, 0, 0, 0, 0 };
	assert_int_equal(tw_dns_nsec3param_view(rec, sizeof(rec), 0, sizeof(rec), &v), 0);
	assert_int_equal(v.iterations, 0);
	assert_int_equal(v.salt_len, 0);
	/* 65535 iterations read as an unsigned 16-bit value */
	const uint8_t many[] = { 1, 0, 0xff, 0xff, 0 };
	assert_int_equal(tw_dns_nsec3param_view(many, sizeof(many), 0, sizeof(many), &v), 0);
	assert_int_equal(v.iterations, 65535);

	assert_int_equal(tw_dns_nsec3param_view(p, sizeof(p), 0, 8, &v), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_nsec3param_view(p, sizeof(p), 0, 4, &v), -TW_EDNS_RDATA);
}

static void test_soa_view_decompresses_names_keeping_case(void **state)
{
	(void)state;
	struct mb rd = { .n = 0 };
	put(&rd, (const uint8_t[]){ 2, 'N', 's', PTR_EX }, 5);
	put(&rd, (const uint8_t[]){ 10, 'H', 'o', 's', 't', 'M', 'a', 's', 't', 'e', 'r', PTR_EX },
	    13);
	u32(&rd, 2024010101);
	u32(&rd, 7200);
	u32(&rd, 3600);
	u32(&rd, 1209600);
	u32(&rd, 300);
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_SOA, rd.b, rd.n);
	struct tw_dns_soa v;
	assert_int_equal(tw_dns_soa_view(m.b, m.n, off, (uint16_t)rd.n, &v), 0);
	assert_memory_equal(v.mname, ((const uint8_t[]){ 2, 'N', 's', EX_MC }), 12);
	assert_memory_equal(v.rname, ((const uint8_t[]){ 10, 'H', 'o', 's', 't', 'M', 'a', 's',
							  't', 'e', 'r', EX_MC }),
			    20);
	assert_int_equal(v.serial, 2024010101u);
	assert_int_equal(v.refresh, 7200);
	assert_int_equal(v.retry, 3600);
	assert_int_equal(v.expire, 1209600);
	assert_int_equal(v.minimum, 300);

	assert_int_equal(tw_dns_soa_view(m.b, m.n, off, (uint16_t)(rd.n - 1), &v),
			 -TW_EDNS_RDATA);
	m.b[off + 4] = RR_RDATA_OFF; /* mname points at itself */
	assert_int_equal(tw_dns_soa_view(m.b, m.n, off, (uint16_t)rd.n, &v), -TW_EDNS_PTR_LOOP);
}

static void test_target_view_for_ns_cname_ptr_dname(void **state)
{
	(void)state;
	struct mb m;
	struct tw_dns_target v;
	const uint8_t ns[] = { 2, 'N', 's', PTR_EX };
	size_t off = rr_msg(&m, TW_DNS_T_NS, ns, sizeof(ns));
	assert_int_equal(tw_dns_target_view(TW_DNS_T_NS, m.b, m.n, off, sizeof(ns), &v), 0);
	assert_int_equal(v.name_len, 12);
	assert_memory_equal(v.name, ((const uint8_t[]){ 2, 'N', 's', EX_MC }), 12);

	const uint8_t cname[] = { PTR_WWW };
	off = rr_msg(&m, TW_DNS_T_CNAME, cname, sizeof(cname));
	assert_int_equal(tw_dns_target_view(TW_DNS_T_CNAME, m.b, m.n, off, sizeof(cname), &v), 0);
	assert_int_equal(v.name_len, 13);
	assert_memory_equal(v.name, ((const uint8_t[]){ WWW_MC }), 13);

	/* 1.2.0.192.in-addr.arpa. PTR host.example. */
	const uint8_t ptr[] = { 4, 'h', 'o', 's', 't', PTR_EX };
	off = rr_msg(&m, TW_DNS_T_PTR, ptr, sizeof(ptr));
	assert_int_equal(tw_dns_target_view(TW_DNS_T_PTR, m.b, m.n, off, sizeof(ptr), &v), 0);
	assert_int_equal(v.name_len, 14);
	assert_memory_equal(v.name, ((const uint8_t[]){ 4, 'h', 'o', 's', 't', EX_MC }), 14);

	const uint8_t dname[] = { 3, 'n', 'e', 'w', 3, 'n', 'e', 't', 0 };
	off = rr_msg(&m, TW_DNS_T_DNAME, dname, sizeof(dname));
	assert_int_equal(tw_dns_target_view(TW_DNS_T_DNAME, m.b, m.n, off, sizeof(dname), &v), 0);
	assert_int_equal(v.name_len, 9);
	assert_memory_equal(v.name, dname, 9);

	/* the root as a target */
	const uint8_t root[] = { 0 };
	assert_int_equal(tw_dns_target_view(TW_DNS_T_CNAME, root, 1, 0, 1, &v), 0);
	assert_int_equal(v.name_len, 1);
	assert_int_equal(v.name[0], 0);

	/* compressed DNAME: refused; wrong types: EINVAL even with a valid name */
	const uint8_t dname_c[] = { 3, 'n', 'e', 'w', PTR_EX };
	off = rr_msg(&m, TW_DNS_T_DNAME, dname_c, sizeof(dname_c));
	assert_int_equal(tw_dns_target_view(TW_DNS_T_DNAME, m.b, m.n, off, sizeof(dname_c), &v),
			 -TW_EDNS_PTR_BAD);
	assert_int_equal(tw_dns_target_view(TW_DNS_T_A, dname, 9, 0, 9, &v), -TW_EINVAL);
	assert_int_equal(tw_dns_target_view(TW_DNS_T_MX, dname, 9, 0, 9, &v), -TW_EINVAL);
	assert_int_equal(tw_dns_target_view(TW_DNS_T_SOA, dname, 9, 0, 9, &v), -TW_EINVAL);
	assert_int_equal(tw_dns_target_view(TW_DNS_T_MD, dname, 9, 0, 9, &v), -TW_EINVAL);
	assert_int_equal(tw_dns_target_view(TW_DNS_T_NS, dname, 9, 0, 8, &v), -TW_EDNS_RDATA);
}

static void test_mx_view_of_rfc8080_exchange(void **state)
{
	(void)state;
	/* RFC 8080 §6.1: example.com. MX 10 mail.example.com., stand-alone */
	const uint8_t mx[] = { 0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm',
			       'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	struct tw_dns_mx v;
	assert_int_equal(tw_dns_mx_view(mx, sizeof(mx), 0, sizeof(mx), &v), 0);
	assert_int_equal(v.preference, 10);
	assert_memory_equal(v.exchange, mx + 2, 18);

	struct mb m;
	const uint8_t mxc[] = { 0xff, 0xfe, 4, 'M', 'a', 'i', 'l', PTR_EX };
	size_t off = rr_msg(&m, TW_DNS_T_MX, mxc, sizeof(mxc));
	assert_int_equal(tw_dns_mx_view(m.b, m.n, off, sizeof(mxc), &v), 0);
	assert_int_equal(v.preference, 65534);
	assert_memory_equal(v.exchange, ((const uint8_t[]){ 4, 'M', 'a', 'i', 'l', EX_MC }), 14);

	m.b[off + 8] = RR_RDATA_OFF + 2; /* exchange points at itself */
	assert_int_equal(tw_dns_mx_view(m.b, m.n, off, sizeof(mxc), &v), -TW_EDNS_PTR_LOOP);
	assert_int_equal(tw_dns_mx_view(mx, sizeof(mx), 0, 2, &v), -TW_EDNS_RDATA);
}

static void test_srv_view_decompresses_target(void **state)
{
	(void)state;
	/* _sip._tcp.example. SRV 0 5 5060 SiP.example. (compressed, RFC 3597 §4) */
	const uint8_t srv[] = { 0, 0, 0, 5, 0x13, 0xc4, 3, 'S', 'i', 'P', PTR_EX };
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_SRV, srv, sizeof(srv));
	struct tw_dns_srv v;
	assert_int_equal(tw_dns_srv_view(m.b, m.n, off, sizeof(srv), &v), 0);
	assert_int_equal(v.priority, 0);
	assert_int_equal(v.weight, 5);
	assert_int_equal(v.port, 5060);
	assert_memory_equal(v.target, ((const uint8_t[]){ 3, 'S', 'i', 'P', EX_MC }), 13);
	assert_int_equal(tw_dns_srv_view(m.b, m.n, off, 6, &v), -TW_EDNS_RDATA);
	assert_int_equal(tw_dns_srv_view(m.b, m.n, off, 5, &v), -TW_EDNS_RDATA);
}

static void test_tlsa_view_of_rfc6698_example_and_smimea(void **state)
{
	(void)state;
	struct mb m;
	size_t off = rr_msg(&m, TW_DNS_T_TLSA, rfc6698_tlsa, sizeof(rfc6698_tlsa));
	struct tw_dns_tlsa v;
	assert_int_equal(
		tw_dns_tlsa_view(TW_DNS_T_TLSA, m.b, m.n, off, sizeof(rfc6698_tlsa), &v), 0);
	assert_int_equal(v.usage, 0);
	assert_int_equal(v.selector, 0);
	assert_int_equal(v.matching_type, 1);
	assert_ptr_equal(v.data, m.b + off + 3);
	assert_int_equal(v.data_len, 32);
	assert_int_equal(v.data[0], 0xd2);
	assert_int_equal(v.data[31], 0x71);

	const uint8_t smimea[] = { 3, 1, 2, 0xab };
	assert_int_equal(
		tw_dns_tlsa_view(TW_DNS_T_SMIMEA, smimea, sizeof(smimea), 0, sizeof(smimea), &v), 0);
	assert_int_equal(v.usage, 3);
	assert_int_equal(v.selector, 1);
	assert_int_equal(v.matching_type, 2);
	assert_int_equal(v.data_len, 1);
	assert_int_equal(tw_dns_tlsa_view(TW_DNS_T_SMIMEA, smimea, sizeof(smimea), 0, 3, &v), 0);
	assert_int_equal(v.data_len, 0);

	assert_int_equal(tw_dns_tlsa_view(TW_DNS_T_TXT, smimea, sizeof(smimea), 0, sizeof(smimea),
					  &v),
			 -TW_EINVAL);
	assert_int_equal(tw_dns_tlsa_view(TW_DNS_T_SSHFP, smimea, sizeof(smimea), 0,
					  sizeof(smimea), &v),
			 -TW_EINVAL);
	assert_int_equal(tw_dns_tlsa_view(TW_DNS_T_TLSA, smimea, sizeof(smimea), 0, 2, &v),
			 -TW_EDNS_RDATA);
}

static void test_a_and_aaaa_views_need_exact_length(void **state)
{
	(void)state;
	struct mb m;
	const uint8_t a[] = { 192, 0, 2, 91 };
	size_t off = rr_msg(&m, TW_DNS_T_A, a, sizeof(a));
	assert_ptr_equal(tw_dns_a_view(m.b, off, 4), m.b + off);
	assert_memory_equal(tw_dns_a_view(m.b, off, 4), a, 4);
	assert_null(tw_dns_a_view(m.b, off, 3));
	assert_null(tw_dns_a_view(m.b, off, 5));
	assert_null(tw_dns_a_view(m.b, off, 16));
	assert_null(tw_dns_a_view(m.b, off, 0));

	const uint8_t aaaa[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	off = rr_msg(&m, TW_DNS_T_AAAA, aaaa, sizeof(aaaa));
	assert_ptr_equal(tw_dns_aaaa_view(m.b, off, 16), m.b + off);
	assert_null(tw_dns_aaaa_view(m.b, off, 4));
	assert_null(tw_dns_aaaa_view(m.b, off, 15));
	assert_null(tw_dns_aaaa_view(m.b, off, 17));
}

static void test_txt_next_iterates_strings_and_rejects_overrun(void **state)
{
	(void)state;
	const uint8_t txt[] = { 5, 'h', 'e', 'l', 'l', 'o', 0, 5, 'w', 'o', 'r', 'l', 'd' };
	size_t pos = 0;
	const uint8_t *s = NULL;
	uint8_t len = 99;
	assert_int_equal(tw_dns_txt_next(txt, sizeof(txt), &pos, &s, &len), 1);
	assert_ptr_equal(s, txt + 1);
	assert_int_equal(len, 5);
	assert_int_equal(pos, 6);
	assert_int_equal(tw_dns_txt_next(txt, sizeof(txt), &pos, &s, &len), 1);
	assert_ptr_equal(s, txt + 7);
	assert_int_equal(len, 0);
	assert_int_equal(pos, 7);
	assert_int_equal(tw_dns_txt_next(txt, sizeof(txt), &pos, &s, &len), 1);
	assert_ptr_equal(s, txt + 8);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "world", 5);
	assert_int_equal(pos, 13);
	assert_int_equal(tw_dns_txt_next(txt, sizeof(txt), &pos, &s, &len), 0);
	assert_int_equal(tw_dns_txt_next(txt, sizeof(txt), &pos, &s, &len), 0);

	/* the last string claims more than is left */
	pos = 7;
	assert_int_equal(tw_dns_txt_next(txt, sizeof(txt) - 1, &pos, &s, &len), -TW_EDNS_RDATA);
	/* empty RDATA: nothing to iterate */
	pos = 0;
	assert_int_equal(tw_dns_txt_next(txt, 0, &pos, &s, &len), 0);
	/* HINFO: two strings */
	const uint8_t hinfo[] = { 3, 'x', '8', '6', 5, 'L', 'i', 'n', 'u', 'x' };
	pos = 0;
	assert_int_equal(tw_dns_txt_next(hinfo, sizeof(hinfo), &pos, &s, &len), 1);
	assert_int_equal(len, 3);
	assert_int_equal(tw_dns_txt_next(hinfo, sizeof(hinfo), &pos, &s, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "Linux", 5);
	assert_int_equal(tw_dns_txt_next(hinfo, sizeof(hinfo), &pos, &s, &len), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_mnemonics_round_trip_for_every_known_type),
		cmocka_unit_test(test_type_unknown_prints_and_parses_rfc3597_generic_form),
		cmocka_unit_test(test_class_mnemonics_both_ways_incl_generic_class7),
		cmocka_unit_test(test_meta_types_are_opt_and_the_128_to_255_range),
		cmocka_unit_test(test_layout_flags_follow_rfc3597_and_rfc6840),
		cmocka_unit_test(test_rdata_check_every_type_valid_shorter_longer_empty),
		cmocka_unit_test(test_rdata_check_unknown_type_is_opaque),
		cmocka_unit_test(test_rdata_check_name_running_past_rdlength_is_rdata_error),
		cmocka_unit_test(test_rdata_check_compressed_name_where_rfc4034_forbids_is_ptr_bad),
		cmocka_unit_test(test_rdata_check_compressed_name_where_allowed_is_accepted),
		cmocka_unit_test(test_rdata_check_forward_or_looping_pointer_is_ptr_loop),
		cmocka_unit_test(test_rdata_check_bad_labels_in_rdata_names),
		cmocka_unit_test(test_rdata_check_bad_type_bitmaps_are_rdata_errors),
		cmocka_unit_test(test_rdata_check_nsec3_zero_length_hash_and_bad_salt),
		cmocka_unit_test(test_rdata_check_empty_txt_is_rdata_error_but_empty_string_is_not),
		cmocka_unit_test(test_rdata_canonical_decompresses_and_lowercases_per_rfc4034_6_2),
		cmocka_unit_test(test_rdata_decompress_keeps_case),
		cmocka_unit_test(test_rdata_canonical_of_standalone_rfc_rrsig_is_identity),
		cmocka_unit_test(test_rdata_canonical_reports_enospc_when_out_is_short),
		cmocka_unit_test(test_rdata_canonical_refuses_rdata_growing_past_65535),
		cmocka_unit_test(test_bitmap_has_reads_rfc4034_example_windows),
		cmocka_unit_test(test_bitmap_has_reads_windows_0_and_1),
		cmocka_unit_test(test_rrsig_view_of_rfc5702_signature),
		cmocka_unit_test(test_dnskey_view_of_rfc4034_key_and_cdnskey),
		cmocka_unit_test(test_ds_view_of_rfc4034_and_rfc4509_digests_and_cds),
		cmocka_unit_test(test_nsec_view_of_rfc4034_example),
		cmocka_unit_test(test_nsec3_view_of_rfc5155_example),
		cmocka_unit_test(test_nsec3param_view),
		cmocka_unit_test(test_soa_view_decompresses_names_keeping_case),
		cmocka_unit_test(test_target_view_for_ns_cname_ptr_dname),
		cmocka_unit_test(test_mx_view_of_rfc8080_exchange),
		cmocka_unit_test(test_srv_view_decompresses_target),
		cmocka_unit_test(test_tlsa_view_of_rfc6698_example_and_smimea),
		cmocka_unit_test(test_a_and_aaaa_views_need_exact_length),
		cmocka_unit_test(test_txt_next_iterates_strings_and_rejects_overrun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
