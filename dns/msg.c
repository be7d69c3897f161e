/* DNS message parsing, EDNS0/EDE and RRset grouping. */
#include "dns/msg.h"

#include <stdio.h>

#include "dns/error.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

static const char *const ede_names[] = {
	[TW_EDE_OTHER] = "Other Error",
	[TW_EDE_UNSUPPORTED_DNSKEY_ALG] = "Unsupported DNSKEY Algorithm",
	[TW_EDE_UNSUPPORTED_DS_DIGEST] = "Unsupported DS Digest Type",
	[TW_EDE_STALE_ANSWER] = "Stale Answer",
	[TW_EDE_FORGED_ANSWER] = "Forged Answer",
	[TW_EDE_DNSSEC_INDETERMINATE] = "DNSSEC Indeterminate",
	[TW_EDE_DNSSEC_BOGUS] = "DNSSEC Bogus",
	[TW_EDE_SIGNATURE_EXPIRED] = "Signature Expired",
	[TW_EDE_SIGNATURE_NOT_YET_VALID] = "Signature Not Yet Valid",
	[TW_EDE_DNSKEY_MISSING] = "DNSKEY Missing",
	[TW_EDE_RRSIGS_MISSING] = "RRSIGs Missing",
	[TW_EDE_NO_ZONE_KEY_BIT] = "No Zone Key Bit Set",
	[TW_EDE_NSEC_MISSING] = "NSEC Missing",
	[TW_EDE_CACHED_ERROR] = "Cached Error",
	[TW_EDE_NOT_READY] = "Not Ready",
	[TW_EDE_BLOCKED] = "Blocked",
	[TW_EDE_CENSORED] = "Censored",
	[TW_EDE_FILTERED] = "Filtered",
	[TW_EDE_PROHIBITED] = "Prohibited",
	[TW_EDE_STALE_NXDOMAIN] = "Stale NXDOMAIN Answer",
	[TW_EDE_NOT_AUTHORITATIVE] = "Not Authoritative",
	[TW_EDE_NOT_SUPPORTED] = "Not Supported",
	[TW_EDE_NO_REACHABLE_AUTHORITY] = "No Reachable Authority",
	[TW_EDE_NETWORK_ERROR] = "Network Error",
	[TW_EDE_INVALID_DATA] = "Invalid Data",
	[TW_EDE_SIGNATURE_EXPIRED_BEFORE_VALID] = "Signature Expired before Valid",
	[TW_EDE_TOO_EARLY] = "Too Early",
	[TW_EDE_UNSUPPORTED_NSEC3_ITERATIONS] = "Unsupported NSEC3 Iterations Value",
	[TW_EDE_UNABLE_TO_CONFORM] = "Unable to conform to policy",
	[TW_EDE_SYNTHESIZED] = "Synthesized",
};

const char *tw_dns_rcode_to_str(uint16_t rcode, char *buf)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
					     "NXRRSET", "NOTAUTH", "NOTZONE" };
	if (rcode < sizeof(names) / sizeof(names[0]))
		return names[rcode];
	if (rcode == TW_DNS_R_BADVERS)
		return "BADVERS";
	snprintf(buf, 16, "RCODE%u", rcode);
	return buf;
}

const char *tw_dns_ede_str(uint16_t code)
{
	if (code < sizeof(ede_names) / sizeof(ede_names[0]) && ede_names[code])
		return ede_names[code];
	return "Unknown";
}

/* m for the message of len octets at wire (at least a header): the header's
 * fields, nothing else found yet. */
static void msg_start(struct tw_dns_msg *m, const uint8_t *wire, size_t len)
{
	m->wire = wire;
	m->len = (uint16_t)len;
	m->id = tw_wire_get16(wire);
	m->flags = tw_wire_get16(wire + 2);
	m->qdcount = tw_wire_get16(wire + 4);
	m->ancount = tw_wire_get16(wire + 6);
	m->nscount = tw_wire_get16(wire + 8);
	m->arcount = tw_wire_get16(wire + 10);
	m->rr = NULL;
	m->rr_count = 0;
	m->has_opt = false;
	m->opt_idx = 0;
	m->udp_size = 0;
	m->ext_rcode = 0;
	m->edns_version = 0;
	m->edns_flags = 0;
	m->has_ede = false;
	m->ede_code = TW_EDE_NONE;
	m->ede_text = 0;
	m->ede_text_len = 0;
	m->trailing = 0;
	m->qname = 0;
	m->qname_len = 0;
	m->qname_plain = false;
	m->qtype = 0;
	m->qclass = 0;
}

static int parse_header(struct tw_dns_msg *m, const uint8_t *wire, size_t len, size_t *pos)
{
	if (len > TW_DNS_MSG_MAXLEN)
		return -TW_EINVAL;
	if (len < TW_DNS_HDR_LEN)
		return -TW_EDNS_TRUNC;
	msg_start(m, wire, len);

	size_t p = TW_DNS_HDR_LEN;
	if (m->qdcount > 1)
		return -TW_EDNS_QDCOUNT;
	if (m->qdcount == 1) {
		size_t nlen, wlen;
		int rc = tw_dns_name_unpack(wire, len, p, NULL, &nlen, &wlen);
		if (rc)
			return rc;
		if (len - p - wlen < 4)
			return -TW_EDNS_TRUNC;
		m->qname = (uint16_t)p;
		m->qname_len = (uint16_t)nlen;
		/* a pointer makes the wire form shorter: a name's own length is 1 or
		 * at least 3, never the pointer's 2 */
		m->qname_plain = wlen == nlen;
		p += wlen;
		m->qtype = tw_wire_get16(wire + p);
		m->qclass = tw_wire_get16(wire + p + 2);
		p += 4;
	}
	*pos = p;
	return 0;
}

int tw_dns_msg_parse_question(struct tw_dns_msg *m, const uint8_t *wire, size_t len)
{
	size_t pos;
	return parse_header(m, wire, len, &pos);
}

/* RFC 6891 §6.1: OPT lives in the additional section, once, owned by the root. */
static int parse_opt(struct tw_dns_msg *m, const struct tw_dns_rr *rr, size_t idx)
{
	if (rr->section != TW_DNS_SEC_AR || m->has_opt || m->wire[rr->owner] != 0)
		return -TW_EDNS_OPT;
	m->has_opt = true;
	m->opt_idx = (uint16_t)idx;
	m->udp_size = rr->cls;
	m->ext_rcode = (uint8_t)(rr->ttl >> 24);
	m->edns_version = (uint8_t)(rr->ttl >> 16);
	m->edns_flags = (uint16_t)rr->ttl;

	const uint8_t *p = m->wire + rr->rdata;
	size_t pos = 0, n = rr->rdlen;
	while (pos < n) {
		if (n - pos < 4)
			return -TW_EDNS_OPT;
		uint16_t code = tw_wire_get16(p + pos);
		uint16_t olen = tw_wire_get16(p + pos + 2);
		if (n - pos - 4 < olen)
			return -TW_EDNS_OPT;
		if (code == TW_DNS_OPT_EDE) {
			/* RFC 8914 §2: INFO-CODE is mandatory */
			if (olen < 2)
				return -TW_EDNS_OPT;
			if (!m->has_ede) {
				m->has_ede = true;
				m->ede_code = tw_wire_get16(p + pos + 4);
				m->ede_text = (uint16_t)(rr->rdata + pos + 6);
				m->ede_text_len = (uint16_t)(olen - 2);
			}
		}
		pos += 4 + (size_t)olen;
	}
	return 0;
}

int tw_dns_msg_parse(struct tw_dns_msg *m, const uint8_t *wire, size_t len,
		     struct tw_dns_rr *rrs, size_t rr_cap)
{
	size_t pos;
	int rc = parse_header(m, wire, len, &pos);
	if (rc)
		return rc;
	m->rr = rrs;
	size_t total = (size_t)m->ancount + m->nscount + m->arcount;
	size_t an_end = m->ancount, ns_end = an_end + m->nscount;

	for (size_t i = 0; i < total; i++) {
		if (pos == len)
			return -TW_EDNS_COUNT;
		if (i >= rr_cap)
			return -TW_EDNS_TOO_MANY;
		size_t wlen;
		rc = tw_dns_name_unpack(wire, len, pos, NULL, NULL, &wlen);
		if (rc)
			return rc;
		struct tw_dns_rr *rr = &rrs[i];
		rr->owner = (uint16_t)pos;
		pos += wlen;
		if (len - pos < 10)
			return -TW_EDNS_TRUNC;
		const uint8_t *h = wire + pos;
		rr->type = tw_wire_get16(h);
		rr->cls = tw_wire_get16(h + 2);
		rr->ttl = tw_wire_get32(h + 4);
		rr->rdlen = tw_wire_get16(h + 8);
		rr->section = i < an_end ? TW_DNS_SEC_AN : i < ns_end ? TW_DNS_SEC_NS : TW_DNS_SEC_AR;
		pos += 10;
		if (len - pos < rr->rdlen)
			return -TW_EDNS_RDLEN;
		rr->rdata = (uint16_t)pos;
		if (rr->type == TW_DNS_T_OPT) {
			rc = parse_opt(m, rr, i);
		} else {
			rc = tw_dns_rdata_check(rr->type, wire, len, pos, rr->rdlen);
		}
		if (rc)
			return rc;
		pos += rr->rdlen;
		m->rr_count = (uint16_t)(i + 1);
	}
	m->trailing = (uint16_t)(len - pos);
	return 0;
}

int tw_dns_msg_parse_query(struct tw_dns_msg *m, const uint8_t *wire, size_t len,
			   struct tw_dns_rr *opt)
{
	if (len < TW_DNS_HDR_LEN + 5 || len > TW_DNS_MSG_MAXLEN)
		return 1;
	uint16_t qd = tw_wire_get16(wire + 4), an = tw_wire_get16(wire + 6);
	uint16_t ns = tw_wire_get16(wire + 8), ar = tw_wire_get16(wire + 10);
	if (qd != 1 || an || ns || ar > 1)
		return 1;
	/* the name: plain labels only, within 255 octets and the message */
	size_t p = TW_DNS_HDR_LEN;
	for (;;) {
		uint8_t l = wire[p];
		if (l == 0)
			break;
		if (l > 63 || p + 1 + l - TW_DNS_HDR_LEN >= TW_DNS_NAME_MAXLEN || p + 1 + l >= len)
			return 1;
		p += 1u + l;
	}
	size_t nlen = p + 1 - TW_DNS_HDR_LEN;
	p++;
	if (len - p < 4)
		return 1;
	msg_start(m, wire, len);
	m->qname = TW_DNS_HDR_LEN;
	m->qname_len = (uint16_t)nlen;
	m->qname_plain = true;
	m->qtype = tw_wire_get16(wire + p);
	m->qclass = tw_wire_get16(wire + p + 2);
	p += 4;
	m->rr = opt;
	if (!ar)
		return p == len ? 0 : 1;
	/* the OPT record: root owner, type 41, its RDATA ending the message */
	if (len - p < 11 || wire[p] != 0 || tw_wire_get16(wire + p + 1) != TW_DNS_T_OPT)
		return 1;
	const uint8_t *h = wire + p + 1;
	uint16_t rdlen = tw_wire_get16(h + 8);
	if (len - p - 11 != rdlen)
		return 1;
	size_t rd = p + 11;
	for (size_t o = 0; o < rdlen;) {
		if (rdlen - o < 4)
			return 1;
		uint16_t code = tw_wire_get16(wire + rd + o), olen = tw_wire_get16(wire + rd + o + 2);
		if (code == TW_DNS_OPT_EDE || rdlen - o - 4 < olen)
			return 1;
		o += 4u + olen;
	}
	opt->owner = (uint16_t)p;
	opt->type = TW_DNS_T_OPT;
	opt->cls = tw_wire_get16(h + 2);
	opt->ttl = tw_wire_get32(h + 4);
	opt->rdlen = rdlen;
	opt->rdata = (uint16_t)rd;
	opt->section = TW_DNS_SEC_AR;
	m->rr_count = 1;
	m->has_opt = true;
	m->udp_size = opt->cls;
	m->ext_rcode = (uint8_t)(opt->ttl >> 24);
	m->edns_version = (uint8_t)(opt->ttl >> 16);
	m->edns_flags = (uint16_t)opt->ttl;
	return 0;
}

uint16_t tw_dns_msg_rcode(const struct tw_dns_msg *m)
{
	return (uint16_t)(((unsigned)m->ext_rcode << 4) | TW_DNS_RCODE(m->flags));
}

void tw_dns_msg_section(const struct tw_dns_msg *m, enum tw_dns_section sec,
			uint16_t *first, uint16_t *count)
{
	switch (sec) {
	case TW_DNS_SEC_AN:
		*first = 0;
		*count = m->ancount;
		break;
	case TW_DNS_SEC_NS:
		*first = m->ancount;
		*count = m->nscount;
		break;
	default:
		*first = (uint16_t)(m->ancount + m->nscount);
		*count = m->arcount;
		break;
	}
	/* a parse that stopped early indexes fewer RRs than the counts claim */
	if (*first > m->rr_count)
		*first = m->rr_count;
	if (*first + *count > m->rr_count)
		*count = (uint16_t)(m->rr_count - *first);
}

int tw_dns_opt_next(const struct tw_dns_msg *m, size_t *pos, uint16_t *code,
		    const uint8_t **data, uint16_t *len)
{
	if (!m->has_opt)
		return 0;
	const struct tw_dns_rr *opt = &m->rr[m->opt_idx];
	if (*pos + 4 > opt->rdlen)
		return 0;
	const uint8_t *p = m->wire + opt->rdata + *pos;
	*code = tw_wire_get16(p);
	*len = tw_wire_get16(p + 2);
	*data = p + 4;
	*pos += 4 + (size_t)*len;
	return 1;
}

/* Where the name at `off` continues after any leading pointers. */
static uint16_t resolve(const uint8_t *msg, size_t off)
{
	while ((msg[off] & 0xC0) == 0xC0)
		off = ((size_t)(msg[off] & 0x3F) << 8) | msg[off + 1];
	return (uint16_t)off;
}

/* Case-insensitive hash of a checked (possibly compressed) name. */
static uint32_t owner_hash(const uint8_t *msg, size_t off)
{
	uint32_t h = 2166136261u;
	for (;;) {
		off = resolve(msg, off);
		uint8_t l = msg[off];
		h = (h ^ l) * 16777619u;
		if (l == 0)
			return h;
		for (unsigned i = 1; i <= l; i++) {
			uint8_t c = msg[off + i];
			if (c >= 'A' && c <= 'Z')
				c += 32;
			h = (h ^ c) * 16777619u;
		}
		off += 1 + (size_t)l;
	}
}

/* The set for (owner, type, cls), or NULL. Owners compressed to the same place
 * match without reading the name; otherwise names are compared only where a
 * case-insensitive hash agrees. *hash is computed on demand (0 = not yet). */
static struct tw_dns_rrset *find_set(const struct tw_dns_msg *m, struct tw_dns_rrset *sets,
				     size_t n, uint16_t owner, uint16_t res, uint32_t *hash,
				     uint16_t type, uint16_t cls)
{
	for (size_t i = 0; i < n; i++)
		if (sets[i].owner_res == res && sets[i].type == type && sets[i].cls == cls)
			return &sets[i];
	*hash = owner_hash(m->wire, owner) | 1;
	for (size_t i = 0; i < n; i++) {
		struct tw_dns_rrset *s = &sets[i];
		if (s->type == type && s->cls == cls) {
			if (!s->owner_hash)
				s->owner_hash = owner_hash(m->wire, s->owner) | 1;
			if (s->owner_hash == *hash &&
			    tw_dns_name_equal_wire(m->wire, m->len, s->owner, owner))
				return s;
		}
	}
	return NULL;
}

int tw_dns_rrsets_group(const struct tw_dns_msg *m, enum tw_dns_section sec,
			struct tw_dns_rrset *sets, size_t cap, uint16_t *next, size_t *nsets)
{
	uint16_t first, count;
	tw_dns_msg_section(m, sec, &first, &count);
	size_t n = 0;
	for (uint16_t i = first; i < first + count; i++) {
		const struct tw_dns_rr *rr = &m->rr[i];
		next[i] = TW_DNS_RR_NONE;
		if (rr->type == TW_DNS_T_OPT)
			continue;
		bool is_sig = rr->type == TW_DNS_T_RRSIG;
		uint16_t type = is_sig ? tw_wire_get16(m->wire + rr->rdata) : rr->type;
		uint16_t res = resolve(m->wire, rr->owner);
		uint32_t hash = 0;
		struct tw_dns_rrset *s = find_set(m, sets, n, rr->owner, res, &hash, type, rr->cls);
		if (!s) {
			if (n == cap)
				return -TW_ENOSPC;
			s = &sets[n++];
			*s = (struct tw_dns_rrset){
				.owner = rr->owner,
				.type = type,
				.cls = rr->cls,
				.section = (uint16_t)sec,
				.first = TW_DNS_RR_NONE,
				.sig_first = TW_DNS_RR_NONE,
				.ttl_min = UINT32_MAX,
				.last = TW_DNS_RR_NONE,
				.sig_last = TW_DNS_RR_NONE,
				.owner_res = res,
				.owner_hash = hash,
			};
		}
		if (is_sig) {
			if (s->sig_last == TW_DNS_RR_NONE)
				s->sig_first = i;
			else
				next[s->sig_last] = i;
			s->sig_last = i;
			s->sig_count++;
		} else {
			if (s->last == TW_DNS_RR_NONE) {
				s->first = i;
				s->owner = rr->owner;
			} else {
				next[s->last] = i;
			}
			s->last = i;
			s->count++;
			if (rr->ttl < s->ttl_min)
				s->ttl_min = rr->ttl;
		}
	}
	*nsets = n;
	return 0;
}
