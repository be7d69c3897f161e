/* Unit tests for dns/zone.h: reading and printing presentation format, every
 * layout type, the genuine data files, round trips and broken input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dns/error.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#define DATA_DIR TW_SOURCE_ROOT "/../shared/data/dnssec/"

/* A C string literal and its length without the final NUL: expected wire bytes. */
#define W(s) s, sizeof(s) - 1

static const uint8_t ex_origin[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
static uint8_t rdbuf[65536];
static char line[4 * 65536 + 1024];

/* Hex digits (test-local, independent of dns/codec.c) to octets; returns the count. */
static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	for (; h && h[0] && h[1]; h += 2) {
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* Reads `text` (file "t.zone", origin example., default TTL 3600), which must
 * hold exactly one record, and returns it. */
static struct tw_dns_zrr read_one(const char *text)
{
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr, more;
	static uint8_t spare[65536];
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	int rc = tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf));
	if (rc != 1)
		fail_msg("%s: rc %d: %s", text, rc, r.err);
	rc = tw_dns_zreader_next(&r, &more, spare, sizeof(spare));
	if (rc != 0)
		fail_msg("%s: a second record or error (rc %d): %s", text, rc, r.err);
	return rr;
}

/* The first record of `text` must fail with want_rc and an err holding each
 * of the substrings (NULL: none). */
static void expect_error(const char *text, int want_rc, const char *sub1, const char *sub2,
			 const char *sub3)
{
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	int rc = tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf));
	if (rc != want_rc)
		fail_msg("%s: rc %d, want %d (err \"%s\")", text, rc, want_rc, r.err);
	const char *subs[] = { sub1, sub2, sub3 };
	for (int i = 0; i < 3; i++)
		if (subs[i] && !strstr(r.err, subs[i]))
			fail_msg("%s: err \"%s\" lacks \"%s\"", text, r.err, subs[i]);
}

static void expect_wire(const char *text, uint16_t type, const void *wire, size_t wlen)
{
	struct tw_dns_zrr rr = read_one(text);
	assert_int_equal(rr.type, type);
	if (rr.rdlen != wlen || memcmp(rr.rdata, wire, wlen) != 0)
		fail_msg("%s: RDATA differs (%u octets, want %zu)", text, rr.rdlen, wlen);
}

/* ---- every type of the layout table */

struct type_case {
	const char *text;  /* one record, origin example. */
	uint16_t type;
	const char *wire;  /* expected RDATA: these octets ... */
	size_t wlen;
	const char *tail;  /* ... followed by these, in hex (long binary fields) */
	const char *printed; /* tw_dns_rdata_to_str of the result */
};

static const struct type_case type_cases[] = {
	{ "@ A 192.0.2.1", TW_DNS_T_A, W("\xc0\x00\x02\x01"), NULL, "192.0.2.1" },
	{ "@ NS ns", TW_DNS_T_NS, W("\x02" "ns" "\x07" "example" "\x00"), NULL, "ns.example." },
	{ "@ MD md", TW_DNS_T_MD, W("\x02" "md" "\x07" "example" "\x00"), NULL, "md.example." },
	{ "@ MF mf", TW_DNS_T_MF, W("\x02" "mf" "\x07" "example" "\x00"), NULL, "mf.example." },
	{ "www CNAME @", TW_DNS_T_CNAME, W("\x07" "example" "\x00"), NULL, "example." },
	{ "@ SOA ns hostmaster 2026093001 1800 900 604800 86400", TW_DNS_T_SOA,
	  W("\x02" "ns" "\x07" "example" "\x00" "\x0a" "hostmaster" "\x07" "example" "\x00"
	    "\x78\xc3\xb9\xc9" "\x00\x00\x07\x08" "\x00\x00\x03\x84" "\x00\x09\x3a\x80"
	    "\x00\x01\x51\x80"),
	  NULL, "ns.example. hostmaster.example. 2026093001 1800 900 604800 86400" },
	{ "@ MB mb", TW_DNS_T_MB, W("\x02" "mb" "\x07" "example" "\x00"), NULL, "mb.example." },
	{ "@ MG mg", TW_DNS_T_MG, W("\x02" "mg" "\x07" "example" "\x00"), NULL, "mg.example." },
	{ "@ MR mr", TW_DNS_T_MR, W("\x02" "mr" "\x07" "example" "\x00"), NULL, "mr.example." },
	{ "@ NULL \\# 3 010203", TW_DNS_T_NULL, W("\x01\x02\x03"), NULL, "\\# 3 010203" },
	{ "@ PTR host", TW_DNS_T_PTR, W("\x04" "host" "\x07" "example" "\x00"), NULL,
	  "host.example." },
	{ "@ HINFO \"PC-Intel\" Linux", TW_DNS_T_HINFO, W("\x08" "PC-Intel" "\x05" "Linux"),
	  NULL, "\"PC-Intel\" \"Linux\"" },
	{ "@ MINFO admin errors", TW_DNS_T_MINFO,
	  W("\x05" "admin" "\x07" "example" "\x00" "\x06" "errors" "\x07" "example" "\x00"), NULL,
	  "admin.example. errors.example." },
	{ "@ MX 10 mail", TW_DNS_T_MX, W("\x00\x0a" "\x04" "mail" "\x07" "example" "\x00"), NULL,
	  "10 mail.example." },
	{ "@ TXT \"hello world\" \"\" bare", TW_DNS_T_TXT,
	  W("\x0b" "hello world" "\x00" "\x04" "bare"), NULL, "\"hello world\" \"\" \"bare\"" },
	{ "@ RP admin txt", TW_DNS_T_RP,
	  W("\x05" "admin" "\x07" "example" "\x00" "\x03" "txt" "\x07" "example" "\x00"), NULL,
	  "admin.example. txt.example." },
	{ "@ AFSDB 1 afs", TW_DNS_T_AFSDB, W("\x00\x01" "\x03" "afs" "\x07" "example" "\x00"),
	  NULL, "1 afs.example." },
	{ "@ RT 10 relay", TW_DNS_T_RT, W("\x00\x0a" "\x05" "relay" "\x07" "example" "\x00"),
	  NULL, "10 relay.example." },
	{ "@ SIG A 8 2 3600 20300101000000 20000101000000 9033 @ AAECAw==", TW_DNS_T_SIG,
	  W("\x00\x01" "\x08" "\x02" "\x00\x00\x0e\x10" "\x70\xdb\xd8\x80" "\x38\x6d\x43\x80"
	    "\x23\x49" "\x07" "example" "\x00" "\x00\x01\x02\x03"),
	  NULL, "A 8 2 3600 20300101000000 20000101000000 9033 example. AAECAw==" },
	{ "@ KEY 256 3 RSASHA256 AQID", TW_DNS_T_KEY, W("\x01\x00" "\x03" "\x08" "\x01\x02\x03"),
	  NULL, "256 3 8 AQID" },
	{ "@ PX 10 map822 mapx400", TW_DNS_T_PX,
	  W("\x00\x0a" "\x06" "map822" "\x07" "example" "\x00" "\x07" "mapx400" "\x07" "example"
	    "\x00"),
	  NULL, "10 map822.example. mapx400.example." },
	{ "@ AAAA 2001:DB8::1", TW_DNS_T_AAAA,
	  W("\x20\x01\x0d\xb8" "\x00\x00\x00\x00" "\x00\x00\x00\x00" "\x00\x00\x00\x01"), NULL,
	  "2001:db8::1" },
	{ "_sip._tcp SRV 0 5 5060 sip", TW_DNS_T_SRV,
	  W("\x00\x00" "\x00\x05" "\x13\xc4" "\x03" "sip" "\x07" "example" "\x00"), NULL,
	  "0 5 5060 sip.example." },
	{ "@ NAPTR 100 10 S \"SIP+D2U\" \"\" _sip._udp", TW_DNS_T_NAPTR,
	  W("\x00\x64" "\x00\x0a" "\x01" "S" "\x07" "SIP+D2U" "\x00" "\x04" "_sip" "\x04" "_udp"
	    "\x07" "example" "\x00"),
	  NULL, "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example." },
	{ "@ KX 10 kx", TW_DNS_T_KX, W("\x00\x0a" "\x02" "kx" "\x07" "example" "\x00"), NULL,
	  "10 kx.example." },
	{ "@ CERT 1 0 0 AAEC", TW_DNS_T_CERT, W("\x00\x01" "\x00\x00" "\x00" "\x00\x01\x02"),
	  NULL, "1 0 0 AAEC" },
	{ "@ DNAME other.example.", TW_DNS_T_DNAME, W("\x05" "other" "\x07" "example" "\x00"),
	  NULL, "other.example." },
	{ "@ OPT \\# 0", TW_DNS_T_OPT, W(""), NULL, "\\# 0" },
	/* RFC 4034 §5.4 */
	{ "@ DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", TW_DNS_T_DS,
	  W("\xec\x45" "\x05" "\x01"), "2BB183AF5F22588179A53B0A98631FAD1A292118",
	  "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118" },
	{ "@ SSHFP 4 2 abcdef0123", TW_DNS_T_SSHFP, W("\x04\x02\xab\xcd\xef\x01\x23"), NULL,
	  "4 2 ABCDEF0123" },
	/* RFC 5702 §6.1 */
	{ "@ RRSIG A RSASHA256 3 3600 20300101000000 20000101000000 9033 example.net. "
	  "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==",
	  TW_DNS_T_RRSIG,
	  W("\x00\x01" "\x08" "\x03" "\x00\x00\x0e\x10" "\x70\xdb\xd8\x80" "\x38\x6d\x43\x80"
	    "\x23\x49" "\x07" "example" "\x03" "net" "\x00"),
	  "91108e1fabbb974406cbdaa90bd975b0b9dc25c38a14b27b1a18943a26eee2d798a79544f519dcae24a164"
	  "dcfce66c2532034469c1582bf94fb4f89560fe1bc2",
	  "A 8 3 3600 20300101000000 20000101000000 9033 example.net. "
	  "kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz85mwlMgNEacFYK/lPtPiVYP4bwg==" },
	/* RFC 4034 §4.3, wire form as printed there */
	{ "alfa.example.com. NSEC host.example.com. ( A MX RRSIG NSEC TYPE1234 )", TW_DNS_T_NSEC,
	  W("\x04" "host" "\x07" "example" "\x03" "com" "\x00"),
	  "0006400100000003" "041b" "0000000000000000000000000000000000000000000000000000" "20",
	  "host.example.com. A MX RRSIG NSEC TYPE1234" },
	/* RFC 8080 §6.1 */
	{ "@ DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=", TW_DNS_T_DNSKEY,
	  W("\x01\x01" "\x03" "\x0f"),
	  "974d96a22d224bc01adb915091477d44ccd91c9a41a11430010117d52c59240e",
	  "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=" },
	/* RFC 4701 §3.6 */
	{ "@ DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=", TW_DNS_T_DHCID, W(""),
	  "000201636fc0b8271c82825bb1ac5c41cf5351aa69b4febd94e8f17cdb95000da48c40",
	  "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=" },
	/* RFC 5155 Appendix A */
	{ "@ NSEC3 1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr\n"
	  "\tMX DNSKEY NS SOA NSEC3PARAM RRSIG )",
	  TW_DNS_T_NSEC3, W("\x01" "\x01" "\x00\x0c" "\x04" "\xaa\xbb\xcc\xdd" "\x14"),
	  "174eb2409fe28bcb4887a1836f957f0a8425e27b" "0007" "22010000000290",
	  "1 1 12 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA MX RRSIG DNSKEY NSEC3PARAM" },
	{ "@ NSEC3PARAM 1 0 12 aabbccdd", TW_DNS_T_NSEC3PARAM,
	  W("\x01" "\x00" "\x00\x0c" "\x04" "\xaa\xbb\xcc\xdd"), NULL, "1 0 12 AABBCCDD" },
	{ "_443._tcp TLSA 3 1 1 0102030405060708", TW_DNS_T_TLSA,
	  W("\x03\x01\x01" "\x01\x02\x03\x04\x05\x06\x07\x08"), NULL, "3 1 1 0102030405060708" },
	{ "@ SMIMEA 3 0 0 aabb", TW_DNS_T_SMIMEA, W("\x03\x00\x00" "\xaa\xbb"), NULL,
	  "3 0 0 AABB" },
	/* RFC 8078 §4: the delete requests */
	{ "@ CDS 0 0 0 00", TW_DNS_T_CDS, W("\x00\x00" "\x00" "\x00" "\x00"), NULL, "0 0 0 00" },
	{ "@ CDNSKEY 0 3 0 AA==", TW_DNS_T_CDNSKEY, W("\x00\x00" "\x03" "\x00" "\x00"), NULL,
	  "0 3 0 AA==" },
	{ "@ OPENPGPKEY AQIDBA==", TW_DNS_T_OPENPGPKEY, W("\x01\x02\x03\x04"), NULL,
	  "AQIDBA==" },
	/* RFC 7477 §2.3 */
	{ "@ CSYNC 66 3 A NS AAAA", TW_DNS_T_CSYNC,
	  W("\x00\x00\x00\x42" "\x00\x03" "\x00\x04\x60\x00\x00\x08"), NULL, "66 3 A NS AAAA" },
	{ ". ZONEMD 2026093001 1 1 017AF1CBA0F47471A6D8D2CEA55D55A074EF019171527076CB3290322D1C0D"
	  "592D3E983752D7E3BA6A404912A570D391",
	  TW_DNS_T_ZONEMD, W("\x78\xc3\xb9\xc9" "\x01" "\x01"),
	  "017AF1CBA0F47471A6D8D2CEA55D55A074EF019171527076CB3290322D1C0D592D3E983752D7E3BA6A404912"
	  "A570D391",
	  "2026093001 1 1 017AF1CBA0F47471A6D8D2CEA55D55A074EF019171527076CB3290322D1C0D592D3E983752"
	  "D7E3BA6A404912A570D391" },
	{ "@ SVCB \\# 3 000100", TW_DNS_T_SVCB, W("\x00\x01\x00"), NULL, "\\# 3 000100" },
	{ "@ HTTPS \\# 3 000100", TW_DNS_T_HTTPS, W("\x00\x01\x00"), NULL, "\\# 3 000100" },
	{ "@ SPF \"v=spf1 -all\"", TW_DNS_T_SPF, W("\x0b" "v=spf1 -all"), NULL,
	  "\"v=spf1 -all\"" },
	{ "@ TSIG \\# 1 ff", TW_DNS_T_TSIG, W("\xff"), NULL, "\\# 1 FF" },
	{ "@ IXFR \\# 0", TW_DNS_T_IXFR, W(""), NULL, "\\# 0" },
	{ "@ AXFR \\# 0", TW_DNS_T_AXFR, W(""), NULL, "\\# 0" },
	/* "ANY" is a class as well: the type comes after an explicit class */
	{ "@ IN ANY \\# 0", TW_DNS_T_ANY, W(""), NULL, "\\# 0" },
	/* RFC 7553 §4.5 */
	{ "_ftp._tcp URI 10 1 \"ftp://ftp1.example.com/public\"", TW_DNS_T_URI,
	  W("\x00\x0a" "\x00\x01" "ftp://ftp1.example.com/public"), NULL,
	  "10 1 \"ftp://ftp1.example.com/public\"" },
	/* RFC 8659 §4.1 */
	{ "@ CAA 0 issue \"ca.example.net\"", TW_DNS_T_CAA, W("\x00\x05" "issue" "ca.example.net"),
	  NULL, "0 \"issue\" \"ca.example.net\"" },
};

#define NCASES (sizeof(type_cases) / sizeof(type_cases[0]))

static void test_every_layout_type_reads_to_its_wire_form(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		const struct type_case *tc = &type_cases[i];
		uint8_t want[1024];
		memcpy(want, tc->wire, tc->wlen);
		size_t wlen = tc->wlen + unhex(tc->tail, want + tc->wlen);
		expect_wire(tc->text, tc->type, want, wlen);
	}
}

static void test_every_layout_type_prints_field_by_field_and_reads_back(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		const struct type_case *tc = &type_cases[i];
		struct tw_dns_zrr rr = read_one(tc->text);
		static uint8_t copy[65536], back[65536];
		memcpy(copy, rr.rdata, rr.rdlen);
		int n = tw_dns_rdata_to_str(tc->type, copy, rr.rdlen, line, sizeof(line));
		assert_int_equal(n, (int)strlen(tc->printed));
		assert_string_equal(line, tc->printed);
		size_t blen;
		char err[TW_DNS_ZONE_ERRLEN] = "";
		int rc = tw_dns_rdata_from_str(tc->type, line, (size_t)n, NULL, back, sizeof(back),
					       &blen, err);
		if (rc != 0)
			fail_msg("%s: re-reading \"%s\": %s", tc->text, line, err);
		assert_int_equal(blen, rr.rdlen);
		assert_memory_equal(back, copy, blen);
	}
}

static void test_type_cases_cover_the_whole_layout_table(void **state)
{
	(void)state;
	unsigned with_layout = 0;
	for (uint32_t t = 0; t <= 0xFFFF; t++) {
		if (!tw_dns_rdesc((uint16_t)t))
			continue;
		with_layout++;
		bool found = false;
		for (size_t i = 0; i < NCASES && !found; i++)
			found = type_cases[i].type == t;
		if (!found)
			fail_msg("type %u has a layout but no test case", (unsigned)t);
	}
	assert_int_equal(with_layout, NCASES);
}

/* ---- the genuine data files */

static char *slurp(const char *path, size_t *len)
{
	static char buf[1 << 18];
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open (the shared test data must be beside the repo)", path);
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

struct file_stats {
	unsigned records;
	unsigned per_type[64];
};

/* Reads every record of a file (each must parse) and round-trips each through
 * tw_dns_rr_to_str and a second reader. */
static void read_file_round_trip(const char *name, struct file_stats *st)
{
	size_t len;
	char path[512];
	snprintf(path, sizeof(path), "%s%s", DATA_DIR, name);
	const char *text = slurp(path, &len);
	struct tw_dns_zreader r, r2;
	struct tw_dns_zrr rr, rr2;
	static uint8_t rd2[65536];
	memset(st, 0, sizeof(*st));
	tw_dns_zreader_init(&r, text, len, name, NULL, 3600);
	int rc;
	while ((rc = tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf))) == 1) {
		st->records++;
		if (rr.type < 64)
			st->per_type[rr.type]++;
		assert_int_equal(tw_dns_rdata_check(rr.type, rr.rdata, rr.rdlen, 0, rr.rdlen), 0);
		int n = tw_dns_rr_to_str(rr.owner, rr.type, rr.cls, rr.ttl, rr.rdata, rr.rdlen, line,
					 sizeof(line));
		assert_true(n > 0);
		tw_dns_zreader_init(&r2, line, (size_t)n, "printed", NULL, 0);
		if (tw_dns_zreader_next(&r2, &rr2, rd2, sizeof(rd2)) != 1)
			fail_msg("%s:%u: printed \"%.80s...\" does not read back: %s", name, rr.line,
				 line, r2.err);
		assert_int_equal(rr2.owner_len, rr.owner_len);
		assert_memory_equal(rr2.owner, rr.owner, rr.owner_len);
		assert_int_equal(rr2.type, rr.type);
		assert_int_equal(rr2.cls, rr.cls);
		assert_int_equal(rr2.ttl, rr.ttl);
		assert_int_equal(rr2.rdlen, rr.rdlen);
		assert_memory_equal(rr2.rdata, rr.rdata, rr.rdlen);
	}
	if (rc != 0)
		fail_msg("%s", r.err);
}

static void test_root_zone_excerpt_every_record_reads_and_round_trips(void **state)
{
	(void)state;
	struct file_stats st;
	read_file_round_trip("root-2026093001-apex-excerpt.zone", &st);
	assert_int_equal(st.records, 29);
	assert_int_equal(st.per_type[TW_DNS_T_NS], 13);
	assert_int_equal(st.per_type[TW_DNS_T_DNSKEY], 4);
	assert_int_equal(st.per_type[TW_DNS_T_RRSIG], 7);
	assert_int_equal(st.per_type[TW_DNS_T_NSEC], 2);
	assert_int_equal(st.per_type[TW_DNS_T_SOA], 1);
	assert_int_equal(st.per_type[TW_DNS_T_ZONEMD], 1);
	assert_int_equal(st.per_type[TW_DNS_T_DS], 1);
}

static void test_root_apex_nsec_bitmap_has_the_apex_types(void **state)
{
	(void)state;
	/* NS(2) SOA(6) RRSIG(46) NSEC(47) DNSKEY(48) ZONEMD(63), one window of 8 */
	expect_wire(".\t86400\tIN\tNSEC\taaa. NS SOA RRSIG NSEC DNSKEY ZONEMD", TW_DNS_T_NSEC,
		    W("\x03" "aaa" "\x00" "\x00\x08" "\x22\x00\x00\x00\x00\x03\x80\x01"));
}

static void test_rfc_signature_vectors_every_record_reads_and_round_trips(void **state)
{
	(void)state;
	struct file_stats st;
	read_file_round_trip("rfc-signature-vectors.zone", &st);
	assert_int_equal(st.records, 35);
	assert_int_equal(st.per_type[TW_DNS_T_DNSKEY], 10);
	assert_int_equal(st.per_type[TW_DNS_T_DS], 7);
	assert_int_equal(st.per_type[TW_DNS_T_RRSIG], 9);
	assert_int_equal(st.per_type[TW_DNS_T_MX], 5);
	assert_int_equal(st.per_type[TW_DNS_T_A], 4);
}

/* ---- syntax */

static void test_time_field_takes_dates_and_seconds(void **state)
{
	(void)state;
	/* RFC 8080 §6.1 gives the times as seconds; 14 digits are always a date
	 * (RFC 4034 §3.2) */
	static const char want[] = "\x00\x0f" "\x0f" "\x02" "\x00\x00\x0e\x10"
				   "\x55\xd4\xfc\x60" "\x55\xb9\x4c\xe0" "\x0e\x1d"
				   "\x07" "example" "\x03" "com" "\x00" "\x01\x02\x03";
	expect_wire("@ RRSIG MX 15 2 3600 1440021600 1438207200 3613 example.com. AQID",
		    TW_DNS_T_RRSIG, want, sizeof(want) - 1);
	expect_wire("@ RRSIG MX 15 2 3600 20150819220000 20150729220000 3613 example.com. AQID",
		    TW_DNS_T_RRSIG, want, sizeof(want) - 1);
	/* the last second before 2^32 wraps */
	expect_wire("@ SIG A 1 1 0 21060207062815 0 0 . AQID", TW_DNS_T_SIG,
		    "\x00\x01\x01\x01\x00\x00\x00\x00" "\xff\xff\xff\xff" "\x00\x00\x00\x00"
		    "\x00\x00\x00" "\x01\x02\x03", 22);
	expect_error("@ RRSIG A 8 2 0 20301301000000 20000101000000 1 . AQID", -TW_EDNS_SYNTAX,
		     "t.zone:1: RRSIG expiration:", "20301301000000", NULL);
	expect_error("@ RRSIG A 8 2 0 20300101000000 20230229000000 1 . AQID", -TW_EDNS_SYNTAX,
		     "RRSIG inception", "YYYYMMDDHHmmSS", NULL);
	expect_error("@ RRSIG A 8 2 0 19691231235959 0 1 . AQID", -TW_EDNS_SYNTAX,
		     "RRSIG expiration", NULL, NULL);
	expect_error("@ RRSIG A 8 2 0 4294967296 0 1 . AQID", -TW_EDNS_SYNTAX,
		     "RRSIG expiration", NULL, NULL);
}

static void test_parentheses_and_comments_span_lines(void **state)
{
	(void)state;
	const char *text = "; a comment line\n"
			   "\n"
			   "@ IN SOA ns hostmaster ( ; the serial follows\n"
			   "\t2026093001 ; serial\n"
			   "\t1800 900   ; refresh retry\n"
			   "\t604800\n"
			   "\t86400 )    ; minimum\n";
	struct tw_dns_zrr rr = read_one(text);
	assert_int_equal(rr.line, 3);
	assert_int_equal(rr.type, TW_DNS_T_SOA);
	assert_memory_equal(rr.rdata, type_cases[5].wire, type_cases[5].wlen);
	/* ';' '(' ')' inside quotes are text */
	expect_wire("@ TXT \"a;b\" \"(c)\" ; comment", TW_DNS_T_TXT,
		    W("\x03" "a;b" "\x03" "(c)"));
	/* nested parentheses */
	expect_wire("@ TXT ((a)\n(b))", TW_DNS_T_TXT, W("\x01" "a" "\x01" "b"));
}

static void test_soa_timers_accept_ttl_units(void **state)
{
	(void)state;
	expect_wire("@ SOA ns hostmaster ( 2026093001 30m 15m 1w 1d )", TW_DNS_T_SOA,
		    type_cases[5].wire, type_cases[5].wlen);
	expect_error("@ SOA ns hostmaster 1h 1800 900 604800 86400", -TW_EDNS_SYNTAX,
		     "SOA serial", "\"1h\" is not a number", NULL);
}

static void test_origin_and_ttl_directives(void **state)
{
	(void)state;
	const char *text = "$ORIGIN example.com.\n"
			   "$TTL 1h30m\n"
			   "www A 192.0.2.1\n"
			   "$ORIGIN sub\n"     /* relative to the current origin */
			   "@ 60 A 192.0.2.2\n"
			   "x A 192.0.2.3\n"   /* $TTL again, not the previous record's */
			   "$TTL 7200 ; comment\n"
			   "y CNAME www.example.com.\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	uint8_t want[TW_DNS_NAME_MAXLEN];
	size_t wl;
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", NULL, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(tw_dns_name_from_str("www.example.com.", 16, NULL, want, &wl), 0);
	assert_int_equal(rr.owner_len, wl);
	assert_memory_equal(rr.owner, want, wl);
	assert_int_equal(rr.ttl, 5400);
	assert_int_equal(rr.line, 3);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(tw_dns_name_from_str("sub.example.com.", 16, NULL, want, &wl), 0);
	assert_memory_equal(rr.owner, want, wl);
	assert_int_equal(rr.ttl, 60);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(tw_dns_name_from_str("x.sub.example.com.", 18, NULL, want, &wl), 0);
	assert_memory_equal(rr.owner, want, wl);
	assert_int_equal(rr.ttl, 5400);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.ttl, 7200);
	assert_int_equal(rr.line, 8);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
}

static void test_omitted_ttl_without_directive_is_the_previous_records(void **state)
{
	(void)state;
	/* RFC 1035 §5.1; the first record takes the reader's default */
	const char *text = "a. A 192.0.2.1\n"
			   "b. 300 A 192.0.2.1\n"
			   "c. A 192.0.2.1\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), NULL, NULL, 1234);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.ttl, 1234);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.ttl, 300);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.ttl, 300);
}

static void test_line_starting_with_blank_inherits_the_owner(void **state)
{
	(void)state;
	const char *text = "host 300 IN A 192.0.2.1\n"
			   "\t  AAAA ::1\n"
			   "\n"
			   " ; only a comment\n"
			   "  CH TXT x\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	static const uint8_t host[] = { 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l',
					'e', 0 };
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.type, TW_DNS_T_AAAA);
	assert_int_equal(rr.owner_len, sizeof(host));
	assert_memory_equal(rr.owner, host, sizeof(host));
	assert_int_equal(rr.ttl, 300);
	assert_int_equal(rr.cls, TW_DNS_C_IN);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.type, TW_DNS_T_TXT);
	assert_int_equal(rr.line, 5);
	assert_int_equal(rr.cls, TW_DNS_C_CH);
	assert_memory_equal(rr.owner, host, sizeof(host));
	/* nothing to inherit yet */
	expect_error("  A 192.0.2.1\n", -TW_EDNS_SYNTAX, "t.zone:1: owner:", "blank", NULL);
}

static void test_ttl_and_class_in_either_order_or_omitted(void **state)
{
	(void)state;
	const char *text = "a 300 IN A 192.0.2.1\n"
			   "b CH 301 TXT x\n"
			   "c 302 TXT y\n"          /* class of the previous record */
			   "d CLASS1 TYPE1 192.0.2.4\n"
			   "e in a 192.0.2.5\n";
	static const struct {
		uint32_t ttl;
		uint16_t cls, type;
	} want[] = { { 300, TW_DNS_C_IN, TW_DNS_T_A },	  { 301, TW_DNS_C_CH, TW_DNS_T_TXT },
		     { 302, TW_DNS_C_CH, TW_DNS_T_TXT },  { 302, TW_DNS_C_IN, TW_DNS_T_A },
		     { 302, TW_DNS_C_IN, TW_DNS_T_A } };
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
		assert_int_equal(rr.ttl, want[i].ttl);
		assert_int_equal(rr.cls, want[i].cls);
		assert_int_equal(rr.type, want[i].type);
		assert_int_equal(rr.line, i + 1);
	}
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
}

static void test_ttl_units_as_bind_writes_them(void **state)
{
	(void)state;
	static const struct {
		const char *ttl;
		uint32_t want;
	} ok[] = { { "0", 0 },	      { "1H", 3600 },	 { "1w2d3h4m5s", 788645 },
		   { "90s", 90 },     { "2D", 172800 }, { "4294967295", 4294967295u } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "@ %s A 192.0.2.1", ok[i].ttl);
		assert_int_equal(read_one(text).ttl, ok[i].want);
	}
	static const char *const bad[] = { "1x", "1h30", "4294967296", "1h-1", "9999999999w" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[64], quoted[32];
		snprintf(text, sizeof(text), "@ %s A 192.0.2.1", bad[i]);
		snprintf(quoted, sizeof(quoted), "\"%s\" is not a TTL", bad[i]);
		expect_error(text, -TW_EDNS_SYNTAX, "t.zone:1: TTL:", quoted, NULL);
	}
	expect_error("$TTL 1y\n", -TW_EDNS_SYNTAX, "t.zone:1: $TTL: \"1y\" is not a TTL", NULL,
		     NULL);
}

static void test_generic_form_is_accepted_for_every_type(void **state)
{
	(void)state;
	/* known types: the same wire as the type's own form */
	expect_wire("@ A \\# 4 C0000201", TW_DNS_T_A, W("\xc0\x00\x02\x01"));
	expect_wire("@ MX \\# 3 000A ( 00 )", TW_DNS_T_MX, W("\x00\x0a\x00"));
	/* RFC 3597 §5 example: hex may be split into several tokens */
	expect_wire("@ CLASS32 TYPE731 \\# 6 abcd (\n ef 01 23 45 )", 731,
		    "\xab\xcd\xef\x01\x23\x45", 6);
	expect_wire("@ TYPE62347 \\# 0", 62347, W(""));
	/* an unknown type has only the generic form */
	expect_error("@ TYPE65280 abcd", -TW_EDNS_SYNTAX, "t.zone:1: TYPE65280 RDATA:",
		     "generic", NULL);
	expect_error("@ SVCB 1 . alpn=h2", -TW_EDNS_SYNTAX, "SVCB RDATA:", "\\#", NULL);
}

static void test_generic_form_length_must_match(void **state)
{
	(void)state;
	expect_error("@ TYPE999 \\# 3 0102", -TW_EDNS_SYNTAX, "t.zone:1: TYPE999 generic RDATA:",
		     "length 3 does not match", NULL);
	expect_error("@ TYPE999 \\# 1 0102", -TW_EDNS_SYNTAX, "TYPE999 generic RDATA:",
		     "length 1 does not match", NULL);
	expect_error("@ TYPE999 \\# 2 01 2", -TW_EDNS_SYNTAX, "TYPE999 generic RDATA:",
		     "odd number of hex digits", NULL);
	expect_error("@ TYPE999 \\# 65536 00", -TW_EDNS_SYNTAX, "TYPE999 generic RDATA:",
		     "not a number 0..65535", NULL);
	expect_error("@ TYPE999 \\#", -TW_EDNS_SYNTAX, "TYPE999 generic RDATA: missing", NULL,
		     NULL);
	expect_error("@ TYPE999 \\# 1 zz", -TW_EDNS_SYNTAX, "invalid hex character 'z'", NULL,
		     NULL);
}

static void test_generic_rdata_must_match_a_known_layout(void **state)
{
	(void)state;
	/* RDATA too long for its type */
	expect_error("@ A \\# 5 C000020101", -TW_EDNS_SYNTAX, "t.zone:1: A generic RDATA:",
		     "do not match the layout of the type", NULL);
	expect_error("@ AAAA \\# 4 C0000201", -TW_EDNS_SYNTAX, "AAAA generic RDATA:", NULL, NULL);
	/* a compression pointer has nothing to point to in stand-alone RDATA */
	expect_error("@ MX \\# 4 000AC000", -TW_EDNS_SYNTAX, "MX generic RDATA:", NULL, NULL);
	/* TXT needs at least one string; a string may not run past the end */
	expect_error("@ TXT \\# 0", -TW_EDNS_SYNTAX, "TXT generic RDATA:", NULL, NULL);
	expect_error("@ TXT \\# 2 0561", -TW_EDNS_SYNTAX, "TXT generic RDATA:", NULL, NULL);
}

static void test_algorithm_mnemonics_in_dnssec_records(void **state)
{
	(void)state;
	expect_wire("@ DS 1 ECDSAP256SHA256 2 00", TW_DNS_T_DS, W("\x00\x01\x0d\x02\x00"));
	expect_wire("@ CDS 1 ed448 2 00", TW_DNS_T_CDS, W("\x00\x01\x10\x02\x00"));
	expect_wire("@ DNSKEY 256 3 ED25519 AA==", TW_DNS_T_DNSKEY, W("\x01\x00\x03\x0f\x00"));
	expect_wire("@ CDNSKEY 256 3 RSASHA1-NSEC3-SHA1 AA==", TW_DNS_T_CDNSKEY,
		    "\x01\x00\x03\x07\x00", 5);
	expect_error("@ DS 1 NOSUCHALG 2 00", -TW_EDNS_SYNTAX, "t.zone:1: DS algorithm:",
		     "\"NOSUCHALG\" is neither a number nor an algorithm mnemonic", NULL);
	/* only the algorithm field: the digest type stays numeric */
	expect_error("@ DS 1 8 RSASHA256 00", -TW_EDNS_SYNTAX, "DS digest type:",
		     "is not a number", NULL);
}

static void test_base64_and_hex_may_be_split_anywhere(void **state)
{
	(void)state;
	struct tw_dns_zrr rr = read_one("@ DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=");
	static uint8_t want[64];
	memcpy(want, rr.rdata, rr.rdlen);
	uint16_t wl = rr.rdlen;
	expect_wire("@ DNSKEY 257 3 15 ( l 02W oi0iS8Aa25FQkUd9\n RMzZHJpBoRQwAQEX1SxZJ A4= )",
		    TW_DNS_T_DNSKEY, want, wl);
	expect_wire("@ DS 1 8 2 ( 0 10 2 )", TW_DNS_T_DS, W("\x00\x01\x08\x02\x01\x02"));
	expect_error("@ DNSKEY 257 3 15 AA== AA==", -TW_EDNS_SYNTAX, "DNSKEY public key:",
		     "after its '=' padding", NULL);
	expect_error("@ DNSKEY 257 3 15 AAA", -TW_EDNS_SYNTAX, "DNSKEY public key:",
		     "not a multiple of 4", NULL);
	expect_error("@ DNSKEY 257 3 15 \"AAAA\"", -TW_EDNS_SYNTAX, "DNSKEY public key:",
		     "quoted string", NULL);
}

static void test_character_strings_escapes_and_quotes(void **state)
{
	(void)state;
	expect_wire("@ TXT \"a\\\"b\" \\\\ \\065\\066 bare\\ word \"\\000\"", TW_DNS_T_TXT,
		    W("\x03" "a\"b" "\x01" "\\" "\x02" "AB" "\x09" "bare word" "\x01" "\x00"));
	char out[128];
	static const uint8_t rd[] = { 7, 'a', '"', '\\', ' ', 0, 0x7f, 0xff };
	static const char want[] = "\"a\\\"\\\\ \\000\\127\\255\"";
	assert_int_equal(tw_dns_rdata_to_str(TW_DNS_T_TXT, rd, sizeof(rd), out, sizeof(out)),
			 (int)strlen(want));
	assert_string_equal(out, want);
	expect_error("@ TXT \"\\256\"", -TW_EDNS_SYNTAX, "t.zone:1: TXT field 1 (strings):",
		     "above 255", NULL);
	expect_error("@ TXT a\\06", -TW_EDNS_SYNTAX, "three digits", NULL, NULL);
}

static void test_nsec3_empty_salt_and_empty_bitmap(void **state)
{
	(void)state;
	/* RFC 5155 §3.3: "-" is the empty salt; an empty non-terminal has no types */
	expect_wire("@ NSEC3 1 0 0 - CPNMUOJ1E8", TW_DNS_T_NSEC3,
		    "\x01\x00\x00\x00" "\x00" "\x06" "foobar", 12);
	expect_wire("@ NSEC3PARAM 1 0 0 -", TW_DNS_T_NSEC3PARAM, W("\x01\x00\x00\x00\x00"));
	char out[128];
	static const uint8_t rd[] = { 1, 0, 0, 0, 0, 6, 'f', 'o', 'o', 'b', 'a', 'r' };
	assert_int_equal(tw_dns_rdata_to_str(TW_DNS_T_NSEC3, rd, sizeof(rd), out, sizeof(out)),
			 18);
	assert_string_equal(out, "1 0 0 - CPNMUOJ1E8");
	expect_error("@ NSEC3 1 0 0 abc CPNMUOJ1E8", -TW_EDNS_SYNTAX, "t.zone:1: NSEC3 salt:",
		     "odd number of hex digits", NULL);
	expect_error("@ NSEC3 1 0 0 - CPNMUOJ1E", -TW_EDNS_SYNTAX, "NSEC3 next hashed owner:",
		     "not base32hex", NULL);
	expect_error("@ NSEC3 1 0 0 - CPNMUOJ1EW", -TW_EDNS_SYNTAX, "NSEC3 next hashed owner:",
		     "invalid base32hex character 'W'", NULL);
	expect_error("@ NSEC3 1 0 0 - CO A NOTATYPE", -TW_EDNS_TYPE, "NSEC3 type bitmap:",
		     "unknown type \"NOTATYPE\"", NULL);
}

static void test_bitmap_windows_sorted_with_trailing_zeros_left_out(void **state)
{
	(void)state;
	/* listed out of order and twice; window 1 (CAA 257) and window 255 */
	expect_wire("@ NSEC . TYPE65535 CAA A A", TW_DNS_T_NSEC,
		    "\x00" "\x00\x01\x40" "\x01\x01\x40" "\xff\x20"
		    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01",
		    41);
}

static void test_rdata_from_str_reports_the_field_without_a_file(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t n;
	char err[TW_DNS_ZONE_ERRLEN];
	assert_int_equal(tw_dns_rdata_from_str(TW_DNS_T_DS, "20326 8 2 E06D\n44B8", 19, NULL, out,
					       sizeof(out), &n, err),
			 0);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "\x4f\x66\x08\x02\xe0\x6d\x44\xb8", 8);
	assert_int_equal(tw_dns_rdata_from_str(TW_DNS_T_DS, "20326 8 2 E06x", 14, NULL, out,
					       sizeof(out), &n, err),
			 -TW_EDNS_SYNTAX);
	assert_string_equal(err, "DS digest: invalid hex character 'x'");
	assert_int_equal(tw_dns_rdata_from_str(TW_DNS_T_NS, "ns", 2, NULL, out, sizeof(out), &n,
					       err),
			 -TW_EDNS_SYNTAX);
	assert_string_equal(err, "NS field 1 (domain name): relative name \"ns\" and no $ORIGIN");
	assert_int_equal(tw_dns_rdata_from_str(TW_DNS_T_NS, "ns", 2, ex_origin, out, sizeof(out),
					       &n, NULL),
			 0);
}

/* ---- the printer */

static void test_rr_to_str_is_tab_separated_with_absolute_owner(void **state)
{
	(void)state;
	struct tw_dns_zrr rr = read_one("www 300 IN MX 10 mail");
	int n = tw_dns_rr_to_str(rr.owner, rr.type, rr.cls, rr.ttl, rr.rdata, rr.rdlen, line,
				 sizeof(line));
	assert_string_equal(line, "www.example.\t300\tIN\tMX\t10 mail.example.");
	assert_int_equal(n, (int)strlen(line));
	rr = read_one("a\\.b\\@\\$ CLASS77 7 TYPE777 \\# 1 00");
	tw_dns_rr_to_str(rr.owner, rr.type, rr.cls, rr.ttl, rr.rdata, rr.rdlen, line,
			 sizeof(line));
	assert_string_equal(line, "a\\.b\\@\\$.example.\t7\tCLASS77\tTYPE777\t\\# 1 00");
}

static void test_printer_falls_back_to_generic_form(void **state)
{
	(void)state;
	char out[128];
	/* a type without layout */
	assert_int_equal(tw_dns_rdata_to_str(65280, (const uint8_t *)"\x01\xab", 2, out,
					     sizeof(out)),
			 9);
	assert_string_equal(out, "\\# 2 01AB");
	/* RDATA that fails tw_dns_rdata_check */
	tw_dns_rdata_to_str(TW_DNS_T_A, (const uint8_t *)"\x01\x02\x03", 3, out, sizeof(out));
	assert_string_equal(out, "\\# 3 010203");
	/* a compressed name in stand-alone RDATA */
	tw_dns_rdata_to_str(TW_DNS_T_MX, (const uint8_t *)"\x00\x0a\xc0\x00", 4, out, sizeof(out));
	assert_string_equal(out, "\\# 4 000AC000");
	/* an empty base64 field would print as nothing */
	tw_dns_rdata_to_str(TW_DNS_T_DNSKEY, (const uint8_t *)"\x01\x00\x03\x08", 4, out,
			    sizeof(out));
	assert_string_equal(out, "\\# 4 01000308");
	/* a bitmap with a trailing zero octet (RFC 4034 §4.1.2 forbids it) */
	tw_dns_rdata_to_str(TW_DNS_T_NSEC, (const uint8_t *)"\x00\x00\x02\x40\x00", 5, out,
			    sizeof(out));
	assert_string_equal(out, "\\# 5 0000024000");
	/* opaque parts */
	tw_dns_rdata_to_str(TW_DNS_T_HTTPS, (const uint8_t *)"\x00\x01\x00", 3, out, sizeof(out));
	assert_string_equal(out, "\\# 3 000100");
	tw_dns_rdata_to_str(TW_DNS_T_NULL, NULL, 0, out, sizeof(out));
	assert_string_equal(out, "\\# 0");
}

static void test_printer_reports_enospc(void **state)
{
	(void)state;
	char out[32];
	static const uint8_t a[] = { 192, 0, 2, 1 };
	assert_int_equal(tw_dns_rdata_to_str(TW_DNS_T_A, a, 4, out, 10), 9);
	assert_int_equal(tw_dns_rdata_to_str(TW_DNS_T_A, a, 4, out, 9), -TW_ENOSPC);
	assert_int_equal(tw_dns_rdata_to_str(TW_DNS_T_A, a, 4, out, 0), -TW_ENOSPC);
	static const uint8_t root[] = { 0 };
	assert_int_equal(tw_dns_rr_to_str(root, TW_DNS_T_A, TW_DNS_C_IN, 0, a, 4, out, 19), 18);
	assert_string_equal(out, ".\t0\tIN\tA\t192.0.2.1");
	assert_int_equal(tw_dns_rr_to_str(root, TW_DNS_T_A, TW_DNS_C_IN, 0, a, 4, out, 18),
			 -TW_ENOSPC);
	assert_int_equal(tw_dns_rr_to_str(root, 999, TW_DNS_C_IN, 0, a, 4, out, 20), -TW_ENOSPC);
}

/* ---- broken and hostile input */

static void test_error_label_longer_than_63(void **state)
{
	(void)state;
	char text[256];
	char label[65];
	memset(label, 'a', 64);
	label[64] = 0;
	snprintf(text, sizeof(text), "ok A 192.0.2.1\n%s A 192.0.2.1\n", label);
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), -TW_EDNS_LABEL_LEN);
	assert_non_null(strstr(r.err, "t.zone:2: owner:"));
	assert_non_null(strstr(r.err, "label longer than 63 octets"));
	snprintf(text, sizeof(text), "@ CNAME %s.example.", label);
	expect_error(text, -TW_EDNS_LABEL_LEN, "t.zone:1: CNAME field 1 (domain name):",
		     "label longer than 63", NULL);
	/* 63 is fine */
	label[63] = 0;
	snprintf(text, sizeof(text), "%s A 192.0.2.1", label);
	assert_int_equal(read_one(text).owner_len, 64 + sizeof(ex_origin));
}

static void test_error_name_longer_than_255(void **state)
{
	(void)state;
	char text[512] = "";
	/* 4 labels of 63 (256 octets with the root), and exactly 255 */
	const char *l63 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	snprintf(text, sizeof(text), "@ NS %s.%s.%s.%s.", l63, l63, l63, l63);
	expect_error(text, -TW_EDNS_NAME_LEN, "t.zone:1: NS field 1 (domain name):",
		     "name longer than 255 octets", NULL);
	snprintf(text, sizeof(text), "%s.%s.%s.%.61s. A 192.0.2.1", l63, l63, l63, l63);
	assert_int_equal(read_one(text).owner_len, 255);
	/* the origin makes it too long */
	snprintf(text, sizeof(text), "%s.%s.%s.%.61s A 192.0.2.1", l63, l63, l63, l63);
	expect_error(text, -TW_EDNS_NAME_LEN, "t.zone:1: owner:", "longer than 255", NULL);
}

static void test_error_unknown_type_and_class(void **state)
{
	(void)state;
	expect_error("@ 300 IN FOO 1", -TW_EDNS_TYPE, "t.zone:1: type: unknown type \"FOO\"", NULL,
		     NULL);
	expect_error("@ CLASS70000 A 192.0.2.1", -TW_EDNS_TYPE,
		     "t.zone:1: class: unknown class \"CLASS70000\"", NULL, NULL);
	expect_error("@ IN TYPE65536 \\# 0", -TW_EDNS_TYPE, "unknown type \"TYPE65536\"", NULL,
		     NULL);
	expect_error("@ RRSIG BOGUS 8 0 0 0 0 0 . AA==", -TW_EDNS_TYPE,
		     "t.zone:1: RRSIG type covered: unknown type \"BOGUS\"", NULL, NULL);
	expect_error("@ 300\n", -TW_EDNS_SYNTAX, "t.zone:1: type: missing", NULL, NULL);
}

static void test_error_bad_base64_and_hex_name_line_and_field(void **state)
{
	(void)state;
	expect_error("\n\n@ DS 20326 8 2 E06D44B8x0\n", -TW_EDNS_SYNTAX,
		     "t.zone:3: DS digest: invalid hex character 'x'", NULL, NULL);
	expect_error("@ DNSKEY 257 3 8 (\n AwEAAa\n  AwE!Aa )", -TW_EDNS_SYNTAX,
		     "t.zone:3: DNSKEY public key: invalid base64 character '!'", NULL, NULL);
	expect_error("@ RRSIG A 8 2 0 0 0 1 . Zh==", -TW_EDNS_SYNTAX, "t.zone:1: RRSIG signature:",
		     "padding bits not zero", NULL);
	expect_error("@ DNSKEY 257 3 8", -TW_EDNS_SYNTAX, "t.zone:1: DNSKEY public key: missing",
		     NULL, NULL);
}

static void test_error_unbalanced_parentheses(void **state)
{
	(void)state;
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	const char *text = "ok A 192.0.2.1\n@ TXT ( \"a\"\n\"b\"\n";
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), -TW_EDNS_SYNTAX);
	assert_non_null(strstr(r.err, "t.zone:2: TXT field 1 (strings): unbalanced '('"));
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
	expect_error("@ A 192.0.2.1 )", -TW_EDNS_SYNTAX, "t.zone:1: A RDATA: unbalanced ')'",
		     NULL, NULL);
	expect_error(") A 192.0.2.1", -TW_EDNS_SYNTAX, "t.zone:1: record: unbalanced ')'", NULL,
		     NULL);
}

static void test_error_unterminated_quote(void **state)
{
	(void)state;
	const char *text = "@ TXT \"abc\n"
			   "b A 192.0.2.1\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), -TW_EDNS_SYNTAX);
	assert_string_equal(r.err, "t.zone:1: TXT field 1 (strings): unterminated quoted string");
	/* the reader resynchronises at the newline */
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 1);
	assert_int_equal(rr.line, 2);
	expect_error("@ CAA 0 issue \"ca", -TW_EDNS_SYNTAX, "t.zone:1: CAA value:",
		     "unterminated", NULL);
}

static void test_error_rdata_too_long_for_its_type(void **state)
{
	(void)state;
	expect_error("@ A 192.0.2.1 192.0.2.2", -TW_EDNS_SYNTAX,
		     "t.zone:1: A RDATA: \"192.0.2.2\" after the last field", NULL, NULL);
	expect_error("@ MX 10 mail extra", -TW_EDNS_SYNTAX, "MX RDATA: \"extra\" after", NULL,
		     NULL);
	char text[600] = "@ TXT ";
	memset(text + 6, 'x', 256);
	text[262] = 0;
	expect_error(text, -TW_EDNS_SYNTAX, "t.zone:1: TXT field 1 (strings):",
		     "string of 256 octets", NULL);
	/* NSEC3 next hashed owner: at most 255 octets (410 base32hex characters is 256) */
	snprintf(text, sizeof(text), "@ NSEC3 1 0 0 - %0410d", 0);
	expect_error(text, -TW_EDNS_SYNTAX, "NSEC3 next hashed owner: longer than 255", NULL,
		     NULL);
	snprintf(text, sizeof(text), "@ HINFO %0256d x", 0);
	expect_error(text, -TW_EDNS_SYNTAX, "HINFO field 1 (string):", "string of 256", NULL);
}

static void test_error_rdata_longer_than_65535(void **state)
{
	(void)state;
	/* 258 strings of 255 octets: 66048 octets */
	static char text[258 * 256 + 16];
	size_t n = (size_t)snprintf(text, sizeof(text), "@ TXT");
	for (int i = 0; i < 258; i++) {
		text[n++] = ' ';
		memset(text + n, 'y', 255);
		n += 255;
	}
	text[n] = 0;
	expect_error(text, -TW_EDNS_SYNTAX, "t.zone:1: TXT RDATA: longer than 65535 octets", NULL,
		     NULL);
}

static void test_error_rdata_larger_than_the_callers_buffer(void **state)
{
	(void)state;
	const char *text = "@ TXT abcdefgh\n@ A 192.0.2.1\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	uint8_t small[5];
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, small, sizeof(small)), -TW_ENOSPC);
	assert_non_null(strstr(r.err, "t.zone:1: TXT RDATA:"));
	assert_int_equal(tw_dns_zreader_next(&r, &rr, small, sizeof(small)), 1);
	assert_ptr_equal(rr.rdata, small);
	assert_int_equal(rr.rdlen, 4);
}

static void test_error_directives(void **state)
{
	(void)state;
	expect_error("$INCLUDE other.zone\n", -TW_EDNS_SYNTAX, "t.zone:1: $INCLUDE:",
		     "not supported", NULL);
	expect_error("$GENERATE 1-2 a A 192.0.2.1\n", -TW_EDNS_SYNTAX,
		     "t.zone:1: directive: unknown directive \"$GENERATE\"", NULL, NULL);
	expect_error("$ORIGIN\n", -TW_EDNS_SYNTAX, "t.zone:1: $ORIGIN: missing", NULL, NULL);
	expect_error("$ORIGIN a. b.\n", -TW_EDNS_SYNTAX, "t.zone:1: $ORIGIN: unexpected \"b.\"",
		     NULL, NULL);
	expect_error("$ORIGIN a..b.\n", -TW_EDNS_SYNTAX, "t.zone:1: $ORIGIN:",
		     "not a domain name", NULL);
}

static void test_error_relative_name_without_origin(void **state)
{
	(void)state;
	const char *text = "www A 192.0.2.1\n@ A 192.0.2.1\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), NULL, NULL, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), -TW_EDNS_SYNTAX);
	assert_string_equal(r.err, "<input>:1: owner: relative name \"www\" and no $ORIGIN");
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), -TW_EDNS_SYNTAX);
	assert_string_equal(r.err, "<input>:2: owner: relative name \"@\" and no $ORIGIN");
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
}

static void test_error_numbers_and_addresses(void **state)
{
	(void)state;
	expect_error("@ MX 65536 mail", -TW_EDNS_SYNTAX, "t.zone:1: MX preference:",
		     "65536 is out of range 0..65535", NULL);
	expect_error("@ DS 1 256 2 00", -TW_EDNS_SYNTAX, "DS algorithm: 256 is out of range 0..255",
		     NULL, NULL);
	expect_error("@ SOA ns hm 4294967296 1 1 1 1", -TW_EDNS_SYNTAX, "SOA serial:",
		     "out of range 0..4294967295", NULL);
	expect_error("@ MX -1 mail", -TW_EDNS_SYNTAX, "\"-1\" is not a number", NULL, NULL);
	expect_error("@ A 192.0.2", -TW_EDNS_SYNTAX, "t.zone:1: A field 1 (IPv4 address):",
		     "\"192.0.2\" is not an IPv4 address", NULL);
	expect_error("@ A 192.0.2.256", -TW_EDNS_SYNTAX, "not an IPv4 address", NULL, NULL);
	expect_error("@ AAAA 2001:db8::g", -TW_EDNS_SYNTAX, "AAAA field 1 (IPv6 address):",
		     "not an IPv6 address", NULL);
	expect_error("@ A \"192.0.2.1\"", -TW_EDNS_SYNTAX, "quoted string", NULL, NULL);
	expect_error("@ MX 10", -TW_EDNS_SYNTAX, "t.zone:1: MX exchange: missing", NULL, NULL);
}

static void test_reader_resumes_after_each_error(void **state)
{
	(void)state;
	const char *text = "a A 192.0.2.1\n"
			   "b A ( 192.0.2.x\n"   /* error inside parentheses ... */
			   "  ) \n"
			   "c A 192.0.2.3\n"     /* ... the block is skipped */
			   "d BAD x\n"
			   "e A 192.0.2.5";      /* no final newline */
	static const struct {
		int rc;
		unsigned line;
	} want[] = { { 1, 1 }, { -TW_EDNS_SYNTAX, 2 }, { 1, 4 }, { -TW_EDNS_TYPE, 5 }, { 1, 6 } };
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), "t.zone", ex_origin, 3600);
	for (size_t i = 0; i < 5; i++) {
		int rc = tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf));
		assert_int_equal(rc, want[i].rc);
		if (rc == 1) {
			assert_int_equal(rr.line, want[i].line);
		} else {
			char prefix[32];
			snprintf(prefix, sizeof(prefix), "t.zone:%u: ", want[i].line);
			assert_non_null(strstr(r.err, prefix));
		}
	}
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), 0);
}

static void test_hostile_bytes_fail_cleanly(void **state)
{
	(void)state;
	/* a NUL inside an address, a lone backslash at the end, control characters */
	static const char nul[] = "@ A 192.0.2.1\0zz\n";
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, nul, sizeof(nul) - 1, "t.zone", ex_origin, 3600);
	assert_int_equal(tw_dns_zreader_next(&r, &rr, rdbuf, sizeof(rdbuf)), -TW_EDNS_SYNTAX);
	assert_non_null(strstr(r.err, "is not an IPv4 address"));
	expect_error("@ TXT a\\", -TW_EDNS_SYNTAX, "lone backslash", NULL, NULL);
	expect_error("@ NS a\\", -TW_EDNS_SYNTAX, "NS field 1 (domain name):", NULL, NULL);
	expect_error("@ TXT \"\\", -TW_EDNS_SYNTAX, "unterminated quoted string", NULL, NULL);
	expect_error("\x01\x02 A 192.0.2.1 \x7f", -TW_EDNS_SYNTAX, "A RDATA: \"?\" after", NULL,
		     NULL);
	expect_error("(((((", -TW_EDNS_SYNTAX, "t.zone:1: record: unbalanced '('", NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_layout_type_reads_to_its_wire_form),
		cmocka_unit_test(test_every_layout_type_prints_field_by_field_and_reads_back),
		cmocka_unit_test(test_type_cases_cover_the_whole_layout_table),
		cmocka_unit_test(test_root_zone_excerpt_every_record_reads_and_round_trips),
		cmocka_unit_test(test_root_apex_nsec_bitmap_has_the_apex_types),
		cmocka_unit_test(test_rfc_signature_vectors_every_record_reads_and_round_trips),
		cmocka_unit_test(test_time_field_takes_dates_and_seconds),
		cmocka_unit_test(test_parentheses_and_comments_span_lines),
		cmocka_unit_test(test_soa_timers_accept_ttl_units),
		cmocka_unit_test(test_origin_and_ttl_directives),
		cmocka_unit_test(test_omitted_ttl_without_directive_is_the_previous_records),
		cmocka_unit_test(test_line_starting_with_blank_inherits_the_owner),
		cmocka_unit_test(test_ttl_and_class_in_either_order_or_omitted),
		cmocka_unit_test(test_ttl_units_as_bind_writes_them),
		cmocka_unit_test(test_generic_form_is_accepted_for_every_type),
		cmocka_unit_test(test_generic_form_length_must_match),
		cmocka_unit_test(test_generic_rdata_must_match_a_known_layout),
		cmocka_unit_test(test_algorithm_mnemonics_in_dnssec_records),
		cmocka_unit_test(test_base64_and_hex_may_be_split_anywhere),
		cmocka_unit_test(test_character_strings_escapes_and_quotes),
		cmocka_unit_test(test_nsec3_empty_salt_and_empty_bitmap),
		cmocka_unit_test(test_bitmap_windows_sorted_with_trailing_zeros_left_out),
		cmocka_unit_test(test_rdata_from_str_reports_the_field_without_a_file),
		cmocka_unit_test(test_rr_to_str_is_tab_separated_with_absolute_owner),
		cmocka_unit_test(test_printer_falls_back_to_generic_form),
		cmocka_unit_test(test_printer_reports_enospc),
		cmocka_unit_test(test_error_label_longer_than_63),
		cmocka_unit_test(test_error_name_longer_than_255),
		cmocka_unit_test(test_error_unknown_type_and_class),
		cmocka_unit_test(test_error_bad_base64_and_hex_name_line_and_field),
		cmocka_unit_test(test_error_unbalanced_parentheses),
		cmocka_unit_test(test_error_unterminated_quote),
		cmocka_unit_test(test_error_rdata_too_long_for_its_type),
		cmocka_unit_test(test_error_rdata_longer_than_65535),
		cmocka_unit_test(test_error_rdata_larger_than_the_callers_buffer),
		cmocka_unit_test(test_error_directives),
		cmocka_unit_test(test_error_relative_name_without_origin),
		cmocka_unit_test(test_error_numbers_and_addresses),
		cmocka_unit_test(test_reader_resumes_after_each_error),
		cmocka_unit_test(test_hostile_bytes_fail_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
