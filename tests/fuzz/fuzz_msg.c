/* libFuzzer target: parse a DNS message, exercise everything downstream, rebuild and compare. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

#define MAX_RR 512
/* An oracle failure: a property every parsed message must have does not hold. */
#define CHECK(x)                  \
	do {                      \
		if (!(x))         \
			abort();  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned sink; /* keeps the reads of view results alive */
/* rrtype.h: stand-alone RDATA never needs more than 65535 + 255 octets */
static uint8_t rd1[TW_DNS_MSG_MAXLEN + TW_DNS_NAME_MAXLEN];
static uint8_t rd2[TW_DNS_MSG_MAXLEN + TW_DNS_NAME_MAXLEN];
static struct tw_dns_rrset sets[MAX_RR];

/* The typed view for rr's type: the parse checked the layout, so it must succeed. */
static void view(const struct tw_dns_msg *m, const struct tw_dns_rr *rr)
{
	const uint8_t *w = m->wire;
	size_t n = m->len, o = rr->rdata;
	uint16_t l = rr->rdlen, t = rr->type;
	int rc = 0;
	union {
		struct tw_dns_rrsig sig;
		struct tw_dns_dnskey key;
		struct tw_dns_ds ds;
		struct tw_dns_nsec nsec;
		struct tw_dns_nsec3 nsec3;
		struct tw_dns_nsec3param p;
		struct tw_dns_soa soa;
		struct tw_dns_target tg;
		struct tw_dns_mx mx;
		struct tw_dns_srv srv;
		struct tw_dns_tlsa tlsa;
	} u;
	switch (t) {
	case TW_DNS_T_RRSIG:
		rc = tw_dns_rrsig_view(w, n, o, l, &u.sig);
		CHECK(rc || (18 + u.sig.signer_len + u.sig.signature_len == l &&
			     tw_dns_name_len(u.sig.signer) == u.sig.signer_len));
		break;
	case TW_DNS_T_DNSKEY:
	case TW_DNS_T_CDNSKEY:
		rc = tw_dns_dnskey_view(t, w, n, o, l, &u.key);
		CHECK(rc || u.key.key_len + 4 == l);
		break;
	case TW_DNS_T_DS:
	case TW_DNS_T_CDS:
		rc = tw_dns_ds_view(t, w, n, o, l, &u.ds);
		CHECK(rc || u.ds.digest_len + 4 == l);
		break;
	case TW_DNS_T_NSEC:
		rc = tw_dns_nsec_view(w, n, o, l, &u.nsec);
		CHECK(rc || u.nsec.next_len + u.nsec.bitmap_len == l);
		if (!rc)
			sink += tw_dns_bitmap_has(u.nsec.bitmap, u.nsec.bitmap_len, t);
		break;
	case TW_DNS_T_NSEC3:
		rc = tw_dns_nsec3_view(w, n, o, l, &u.nsec3);
		CHECK(rc || 6u + u.nsec3.salt_len + u.nsec3.hash_len + u.nsec3.bitmap_len == l);
		if (!rc)
			sink += tw_dns_bitmap_has(u.nsec3.bitmap, u.nsec3.bitmap_len, 1234);
		break;
	case TW_DNS_T_NSEC3PARAM:
		rc = tw_dns_nsec3param_view(w, n, o, l, &u.p);
		break;
	case TW_DNS_T_SOA:
		rc = tw_dns_soa_view(w, n, o, l, &u.soa);
		if (!rc)
			sink += (unsigned)tw_dns_name_len(u.soa.rname) + u.soa.minimum;
		break;
	case TW_DNS_T_NS:
	case TW_DNS_T_CNAME:
	case TW_DNS_T_PTR:
	case TW_DNS_T_DNAME:
		rc = tw_dns_target_view(t, w, n, o, l, &u.tg);
		CHECK(rc || tw_dns_name_len(u.tg.name) == u.tg.name_len);
		break;
	case TW_DNS_T_MX:
		rc = tw_dns_mx_view(w, n, o, l, &u.mx);
		break;
	case TW_DNS_T_SRV:
		rc = tw_dns_srv_view(w, n, o, l, &u.srv);
		break;
	case TW_DNS_T_TLSA:
	case TW_DNS_T_SMIMEA:
		rc = tw_dns_tlsa_view(t, w, n, o, l, &u.tlsa);
		CHECK(rc || u.tlsa.data_len + 3 == l);
		break;
	case TW_DNS_T_A:
		CHECK(tw_dns_a_view(w, o, l) == w + o);
		break;
	case TW_DNS_T_AAAA:
		CHECK(tw_dns_aaaa_view(w, o, l) == w + o);
		break;
	case TW_DNS_T_TXT:
	case TW_DNS_T_SPF:
	case TW_DNS_T_HINFO: {
		size_t pos = 0;
		const uint8_t *s;
		uint8_t sl;
		while ((rc = tw_dns_txt_next(w + o, l, &pos, &s, &sl)) == 1)
			sink += sl ? s[sl - 1] : 0;
		break;
	}
	default:
		break;
	}
	CHECK(rc == 0);
}

/* RRsets of one section: every RR of the section lands in exactly one set. */
static void group(const struct tw_dns_msg *m, enum tw_dns_section sec)
{
	uint16_t next[MAX_RR], first, count;
	size_t nsets, seen = 0;
	CHECK(tw_dns_rrsets_group(m, sec, sets, MAX_RR, next, &nsets) == 0);
	for (size_t s = 0; s < nsets; s++) {
		size_t c = 0, sc = 0;
		for (uint16_t i = sets[s].first; i != TW_DNS_RR_NONE; i = next[i], c++)
			CHECK(m->rr[i].type == sets[s].type && m->rr[i].ttl >= sets[s].ttl_min);
		for (uint16_t i = sets[s].sig_first; i != TW_DNS_RR_NONE; i = next[i], sc++)
			CHECK(m->rr[i].type == TW_DNS_T_RRSIG);
		CHECK(c == sets[s].count && sc == sets[s].sig_count);
		seen += c + sc;
	}
	tw_dns_msg_section(m, sec, &first, &count);
	size_t want = count;
	if (m->has_opt && m->rr[m->opt_idx].section == sec)
		want--; /* OPT belongs to no set */
	CHECK(seen == want);
}

/* The name at `off` in m, uncompressed, into name; it must survive presentation
 * format and back unchanged. */
static void owner(const struct tw_dns_msg *m, size_t off, uint8_t *name, size_t *len)
{
	char str[TW_DNS_NAME_STRLEN];
	uint8_t back[TW_DNS_NAME_MAXLEN];
	size_t blen;
	CHECK(tw_dns_name_unpack(m->wire, m->len, off, name, len, NULL) == 0);
	/* presentation format round trip */
	int sl = tw_dns_name_to_str(name, str, sizeof(str));
	CHECK(sl > 0 && tw_dns_name_from_str(str, (size_t)sl, NULL, back, &blen) == 0);
	CHECK(blen == *len && memcmp(back, name, blen) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tw_dns_rr rrs[MAX_RR], rrs2[MAX_RR];
	struct tw_dns_msg m, m2;
	static uint8_t wire[TW_DNS_MSG_MAXLEN];
	uint8_t name[TW_DNS_NAME_MAXLEN], name2[TW_DNS_NAME_MAXLEN];
	size_t nlen, nlen2, n1, n2;
	/* the query fast path parses exactly as the general parser, or declines */
	struct tw_dns_rr qopt, rq[2];
	struct tw_dns_msg mq, mf;
	if (tw_dns_msg_parse_query(&mq, data, size, &qopt) == 0) {
		if (tw_dns_msg_parse(&mf, data, size, rq, 1) != 0)
			abort();
		if (mq.wire != mf.wire || mq.len != mf.len || mq.id != mf.id ||
		    mq.flags != mf.flags || mq.qdcount != mf.qdcount || mq.ancount != mf.ancount ||
		    mq.nscount != mf.nscount || mq.arcount != mf.arcount || mq.qname != mf.qname ||
		    mq.qname_len != mf.qname_len || mq.qname_plain != mf.qname_plain ||
		    mq.qtype != mf.qtype || mq.qclass != mf.qclass || mq.rr_count != mf.rr_count ||
		    mq.has_opt != mf.has_opt || mq.opt_idx != mf.opt_idx ||
		    mq.udp_size != mf.udp_size || mq.ext_rcode != mf.ext_rcode ||
		    mq.edns_version != mf.edns_version || mq.edns_flags != mf.edns_flags ||
		    mq.has_ede != mf.has_ede || mq.ede_code != mf.ede_code ||
		    mq.ede_text != mf.ede_text || mq.ede_text_len != mf.ede_text_len ||
		    mq.trailing != mf.trailing)
			abort();
		if (mq.rr_count &&
		    (qopt.owner != rq[0].owner || qopt.type != rq[0].type || qopt.cls != rq[0].cls ||
		     qopt.rdlen != rq[0].rdlen || qopt.ttl != rq[0].ttl || qopt.rdata != rq[0].rdata ||
		     qopt.section != rq[0].section))
			abort();
	}
	if (tw_dns_msg_parse(&m, data, size, rrs, MAX_RR) != 0)
		return 0;
	for (int s = TW_DNS_SEC_AN; s <= TW_DNS_SEC_AR; s++)
		group(&m, (enum tw_dns_section)s);
	size_t pos = 0;
	uint16_t code, olen;
	const uint8_t *od;
	while (tw_dns_opt_next(&m, &pos, &code, &od, &olen) == 1)
		sink += olen ? od[olen - 1] : code;

	/* rebuild: question, every RR with decompressed RDATA, OPT with its EDE;
	 * the builder cannot send the private-use INFO-CODE 65535 (TW_EDE_NONE) */
	if (m.has_ede && m.ede_code == TW_EDE_NONE)
		return 0;
	struct tw_dns_build b;
	size_t reserve = !m.has_opt ? 0
		       : TW_DNS_OPT_FIXED_LEN + (!m.has_ede ? 0 : 6u + m.ede_text_len);
	if (tw_dns_build_init(&b, wire, sizeof(wire), sizeof(wire), m.id, m.flags, reserve))
		return 0;
	if (m.qdcount) {
		owner(&m, m.qname, name, &nlen);
		CHECK(nlen == m.qname_len);
		CHECK(tw_dns_build_question(&b, name, m.qtype, m.qclass) == 0);
	}
	bool rebuilt = true;
	for (size_t i = 0; i < m.rr_count; i++) {
		const struct tw_dns_rr *rr = &m.rr[i];
		owner(&m, rr->owner, name, &nlen);
		view(&m, rr);
		/* canonical form: valid stand-alone RDATA and idempotent, or refused
		 * because decompressed names grow it past 65535 octets */
		int rc = tw_dns_rdata_canonical(rr->type, m.wire, m.len, rr->rdata, rr->rdlen,
						rd1, sizeof(rd1), &n1);
		CHECK(rc == 0 || rc == -TW_EDNS_RDATA);
		int rc2 = tw_dns_rdata_decompress(rr->type, m.wire, m.len, rr->rdata, rr->rdlen,
						  rd2, sizeof(rd2), &n2);
		CHECK(rc2 == rc && (rc || n2 == n1));
		if (rc) {
			rebuilt = false;
			continue;
		}
		CHECK(tw_dns_rdata_check(rr->type, rd1, n1, 0, (uint16_t)n1) == 0);
		CHECK(tw_dns_rdata_canonical(rr->type, rd1, n1, 0, (uint16_t)n1, rd2, sizeof(rd2),
					     &n2) == 0);
		CHECK(n1 == n2 && memcmp(rd1, rd2, n1) == 0);
		if (rr->type == TW_DNS_T_OPT || !rebuilt)
			continue;
		CHECK(tw_dns_rdata_decompress(rr->type, m.wire, m.len, rr->rdata, rr->rdlen, rd1,
					      sizeof(rd1), &n1) == 0);
		rc = tw_dns_build_rr(&b, (enum tw_dns_section)rr->section, name, rr->type, rr->cls,
				     rr->ttl, rd1, (uint16_t)n1);
		if (rc == -TW_EDNS_TC || rc == -TW_ENOSPC)
			rebuilt = false; /* decompressed names made it larger than 65535 */
		else
			CHECK(rc == 0);
	}
	if (!rebuilt)
		return 0;
	if (m.has_opt)
		CHECK(tw_dns_build_opt(&b, m.udp_size, m.edns_flags, tw_dns_msg_rcode(&m),
				       m.ede_code, (const char *)m.wire + m.ede_text,
				       m.ede_text_len) == 0);
	size_t len = tw_dns_build_finish(&b);

	/* the oracle: the rebuilt message says the same thing */
	CHECK(tw_dns_msg_parse(&m2, wire, len, rrs2, MAX_RR) == 0);
	CHECK(m2.id == m.id && m2.flags == m.flags && m2.qdcount == m.qdcount &&
	      m2.ancount == m.ancount && m2.nscount == m.nscount && m2.arcount == m.arcount &&
	      m2.rr_count == m.rr_count && m2.has_opt == m.has_opt && m2.trailing == 0);
	if (m.qdcount) {
		owner(&m, m.qname, name, &nlen);
		owner(&m2, m2.qname, name2, &nlen2);
		CHECK(nlen == nlen2 && !memcmp(name, name2, nlen) && m2.qtype == m.qtype &&
		      m2.qclass == m.qclass);
	}
	/* the builder writes only the one EDE the parse reports, and EDNS version 0 */
	if (m.has_opt)
		CHECK(m2.udp_size == m.udp_size && m2.ext_rcode == m.ext_rcode &&
		      m2.edns_flags == m.edns_flags && m2.has_ede == m.has_ede &&
		      m2.ede_code == m.ede_code &&
		      (!m.has_ede ||
		       (m2.ede_text_len == m.ede_text_len &&
			!memcmp(m2.wire + m2.ede_text, m.wire + m.ede_text, m.ede_text_len))));
	for (size_t i = 0, j = 0; i < m.rr_count; i++) {
		const struct tw_dns_rr *a = &m.rr[i];
		if (a->type == TW_DNS_T_OPT)
			continue; /* the builder moves OPT to the end */
		const struct tw_dns_rr *c = &m2.rr[j++];
		CHECK(a->type == c->type && a->cls == c->cls && a->ttl == c->ttl &&
		      a->section == c->section);
		owner(&m, a->owner, name, &nlen);
		owner(&m2, c->owner, name2, &nlen2);
		CHECK(nlen == nlen2 && !memcmp(name, name2, nlen));
		CHECK(tw_dns_rdata_decompress(a->type, m.wire, m.len, a->rdata, a->rdlen, rd1,
					      sizeof(rd1), &n1) == 0);
		CHECK(tw_dns_rdata_decompress(c->type, m2.wire, m2.len, c->rdata, c->rdlen, rd2,
					      sizeof(rd2), &n2) == 0);
		CHECK(n1 == n2 && !memcmp(rd1, rd2, n1));
	}
	CHECK(!m.has_opt || m2.opt_idx == m2.rr_count - 1);
	return 0;
}
