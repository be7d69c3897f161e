/* trustwire-decode: prints a DNS message in dig-like zone-file form, or encodes
 * zone-file records into a response message; for operators debugging captures
 * and for the demo.
 *
 *   trustwire-decode [-x] FILE|-          decode a message (binary, or hex with -x)
 *   trustwire-decode -e ZONEFILE [-q NAME TYPE] [-o OUT]
 *                                         encode the records of ZONEFILE as the
 *                                         answer of a response to NAME TYPE
 * Exit status: 0 decoded/encoded, 1 usage or I/O error, 2 malformed input.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/build.h"
#include "dns/codec.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#define MAX_RRS 4096

static int read_all(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "trustwire-decode: %s: %s\n", path, strerror(errno));
		return -1;
	}
	*len = fread(buf, 1, cap, f);
	bool more = !feof(f) && fgetc(f) != EOF;
	if (f != stdin)
		fclose(f);
	if (more) {
		fprintf(stderr, "trustwire-decode: %s: larger than %zu octets\n", path, cap);
		return -1;
	}
	return 0;
}

static const char *section_name[] = { "ANSWER", "AUTHORITY", "ADDITIONAL" };

static void print_flags(uint16_t flags)
{
	static const struct {
		uint16_t bit;
		const char *name;
	} f[] = { { TW_DNS_F_QR, "qr" }, { TW_DNS_F_AA, "aa" }, { TW_DNS_F_TC, "tc" },
		  { TW_DNS_F_RD, "rd" }, { TW_DNS_F_RA, "ra" }, { TW_DNS_F_AD, "ad" },
		  { TW_DNS_F_CD, "cd" } };
	printf(";; flags:");
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (flags & f[i].bit)
			printf(" %s", f[i].name);
}

static const char *rcode_name(uint16_t rcode)
{
	static char buf[16];
	return tw_dns_rcode_to_str(rcode, buf);
}

static int decode(const uint8_t *wire, size_t len)
{
	static struct tw_dns_rr rrs[MAX_RRS];
	struct tw_dns_msg m;
	int rc = tw_dns_msg_parse(&m, wire, len, rrs, MAX_RRS);
	if (rc) {
		printf(";; malformed message (%zu octets): %s\n", len, tw_strerror(rc));
		return 2;
	}
	uint16_t rcode = tw_dns_msg_rcode(&m);
	printf(";; ->>HEADER<<- opcode: %u, status: %s, id: %u\n", TW_DNS_OPCODE(m.flags),
	       rcode_name(rcode), m.id);
	print_flags(m.flags);
	printf("; QUERY: %u, ANSWER: %u, AUTHORITY: %u, ADDITIONAL: %u\n", m.qdcount,
	       m.ancount, m.nscount, m.arcount);
	if (m.has_opt) {
		printf(";; EDNS: version %u; flags:%s; udp: %u\n", m.edns_version,
		       (m.edns_flags & TW_DNS_EDNS_DO) ? " do" : "", m.udp_size);
		if (m.has_ede)
			printf(";; EDE: %u (%s): (%.*s)\n", m.ede_code, tw_dns_ede_str(m.ede_code),
			       (int)m.ede_text_len, (const char *)wire + m.ede_text);
	}
	static char line[4 * 65536 + 1024];
	uint8_t name[TW_DNS_NAME_MAXLEN];
	if (m.qdcount) {
		char tb[12], cb[12];
		tw_dns_name_unpack(wire, len, m.qname, name, NULL, NULL);
		tw_dns_name_to_str(name, line, sizeof(line));
		printf(";; QUESTION SECTION:\n;%s\t\t%s\t%s\n", line,
		       tw_dns_class_to_str(m.qclass, cb), tw_dns_type_to_str(m.qtype, tb));
	}
	static uint8_t rdata[65536];
	for (int s = 0; s < 3; s++) {
		uint16_t first, count;
		tw_dns_msg_section(&m, (enum tw_dns_section)s, &first, &count);
		if (count == 0 || (count == 1 && m.has_opt && first == m.opt_idx))
			continue;
		printf("\n;; %s SECTION:\n", section_name[s]);
		for (uint16_t i = first; i < first + count; i++) {
			const struct tw_dns_rr *rr = &rrs[i];
			if (m.has_opt && i == m.opt_idx)
				continue;
			size_t rdlen = 0;
			tw_dns_name_unpack(wire, len, rr->owner, name, NULL, NULL);
			int drc = tw_dns_rdata_decompress(rr->type, wire, len, rr->rdata, rr->rdlen,
							  rdata, sizeof(rdata), &rdlen);
			if (drc) {
				/* e.g. decompressed names would exceed 65535 octets: show it
				 * as the server sent it */
				printf(";; record %u: %s; shown as received\n", i, tw_strerror(drc));
				memcpy(rdata, wire + rr->rdata, rr->rdlen);
				rdlen = rr->rdlen;
			}
			if (tw_dns_rr_to_str(name, rr->type, rr->cls, rr->ttl, rdata,
					     (uint16_t)rdlen, line, sizeof(line)) < 0)
				printf(";; record %u does not print\n", i);
			else
				printf("%s\n", line);
		}
	}
	if (m.trailing)
		printf(";; %u octets after the last record ignored\n", m.trailing);
	printf(";; MSG SIZE: %zu\n", len);
	return 0;
}

static int encode(const char *zonefile, const char *qname_s, const char *qtype_s,
		  const char *out_path)
{
	static char text[1 << 20];
	size_t tlen;
	if (read_all(zonefile, (uint8_t *)text, sizeof(text) - 1, &tlen))
		return 1;
	text[tlen] = 0;
	static uint8_t msg[TW_DNS_MSG_MAXLEN];
	static uint8_t rdata[65536];
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	struct tw_dns_build b;
	tw_dns_zreader_init(&r, text, tlen, zonefile, NULL, 3600);
	tw_dns_build_init(&b, msg, sizeof(msg), sizeof(msg), 0x2B2B,
			  TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA, TW_DNS_OPT_FIXED_LEN);
	bool have_q = false;
	if (qname_s) {
		uint8_t qn[TW_DNS_NAME_MAXLEN];
		size_t qlen;
		uint16_t qt;
		if (tw_dns_name_from_str(qname_s, strlen(qname_s), NULL, qn, &qlen) ||
		    tw_dns_type_from_str(qtype_s, strlen(qtype_s), &qt)) {
			fprintf(stderr, "trustwire-decode: bad question %s %s\n", qname_s, qtype_s);
			return 1;
		}
		tw_dns_build_question(&b, qn, qt, TW_DNS_C_IN);
		have_q = true;
	}
	int rc, errors = 0;
	while ((rc = tw_dns_zreader_next(&r, &rr, rdata, sizeof(rdata))) != 0) {
		if (rc < 0) {
			fprintf(stderr, "%s\n", r.err);
			errors++;
			continue;
		}
		if (!have_q) {
			tw_dns_build_question(&b, rr.owner, rr.type, rr.cls);
			have_q = true;
		}
		rc = tw_dns_build_rr(&b, TW_DNS_SEC_AN, rr.owner, rr.type, rr.cls, rr.ttl, rr.rdata,
				     rr.rdlen);
		if (rc) {
			fprintf(stderr, "%s:%u: %s\n", zonefile, rr.line, tw_strerror(rc));
			errors++;
		}
	}
	tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, 0, TW_EDE_NONE, NULL, 0);
	size_t len = tw_dns_build_finish(&b);
	FILE *f = out_path && strcmp(out_path, "-") != 0 ? fopen(out_path, "wb") : stdout;
	if (!f) {
		fprintf(stderr, "trustwire-decode: %s: %s\n", out_path, strerror(errno));
		return 1;
	}
	fwrite(msg, 1, len, f);
	if (f != stdout)
		fclose(f);
	return errors ? 2 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: trustwire-decode [-x] FILE|-\n"
			"       trustwire-decode -e ZONEFILE [-q NAME TYPE] [-o OUT]\n");
}

int main(int argc, char **argv)
{
	bool hex = false;
	const char *enc = NULL, *qn = NULL, *qt = NULL, *out = NULL, *in = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-x") == 0) {
			hex = true;
		} else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
			enc = argv[++i];
		} else if (strcmp(argv[i], "-q") == 0 && i + 2 < argc) {
			qn = argv[++i];
			qt = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
			in = argv[i];
		} else {
			usage();
			return 1;
		}
	}
	if (enc)
		return encode(enc, qn, qt, out);
	if (!in) {
		usage();
		return 1;
	}
	static uint8_t buf[2 * TW_DNS_MSG_MAXLEN + 2];
	size_t len;
	if (read_all(in, buf, sizeof(buf), &len))
		return 1;
	if (hex) {
		/* drop whitespace, then decode */
		size_t k = 0;
		for (size_t i = 0; i < len; i++)
			if (!isspace(buf[i]))
				buf[k++] = buf[i];
		static uint8_t wire[TW_DNS_MSG_MAXLEN + 1];
		size_t wlen;
		int rc = tw_hex_decode((const char *)buf, k, wire, sizeof(wire), &wlen);
		if (rc) {
			fprintf(stderr, "trustwire-decode: %s: not hex: %s\n", in, tw_strerror(rc));
			return 2;
		}
		return decode(wire, wlen);
	}
	return decode(buf, len);
}
