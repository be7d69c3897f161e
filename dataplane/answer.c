/* The client's answer: the farm's records re-encoded under the engine's verdict,
 * and the answers a worker makes without the engine (SERVFAIL, REFUSED, FORMERR). */
#include "dataplane/answer.h"

#include <string.h>

#include "cache/cache.h"
#include "crypto/validator.h"
#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

#define OPCODE_MASK 0x7800u /* the OPCODE field of the flags word */
#define RCODE_MAX 0xFFFu    /* 12 bits: 4 in the header, 8 in OPT (RFC 6891 §6.1.3) */
#define TTL_MAX 0x7FFFFFFFu /* RFC 2181 §8: larger values are sent as 0 */

int tw_answer_query_from_msg(const struct tw_dns_msg *q, struct tw_answer_query *out)
{
	if (q->qdcount != 1)
		return -TW_EINVAL;
	size_t nlen;
	int rc = tw_dns_name_unpack(q->wire, q->len, q->qname, out->qname, &nlen, NULL);
	if (rc)
		return rc;
	out->id = q->id;
	out->tcp = false;
	out->qtype = q->qtype;
	out->qclass = q->qclass;
	out->opcode = (uint8_t)TW_DNS_OPCODE(q->flags);
	out->rd = (q->flags & TW_DNS_F_RD) != 0;
	out->cd = (q->flags & TW_DNS_F_CD) != 0;
	out->ad = (q->flags & TW_DNS_F_AD) != 0;
	out->edns = q->has_opt;
	out->udp_size = q->has_opt ? q->udp_size : 0;
	out->dnssec_ok = q->has_opt && (q->edns_flags & TW_DNS_EDNS_DO) != 0;
	out->edns_version = q->has_opt ? q->edns_version : 0;
	out->variant = tw_cache_pkt_variant(q);
	out->qname_len = (uint8_t)nlen;
	return 0;
}

size_t tw_answer_size_limit(const struct tw_answer_query *c, uint16_t server_udp_size)
{
	if (c->tcp)
		return 65535; /* RFC 7766 §8: the TCP message length is the limit */
	if (!c->edns)
		return TW_ANSWER_UDP_MIN; /* RFC 1035 §4.2.1 */
	/* RFC 6891 §6.2.5: sizes below 512 are taken as 512; we send no more than
	 * we advertise ourselves */
	size_t lim = c->udp_size < TW_ANSWER_UDP_MIN ? TW_ANSWER_UDP_MIN : c->udp_size;
	if (lim > server_udp_size)
		lim = server_udp_size;
	return lim < TW_ANSWER_UDP_MIN ? TW_ANSWER_UDP_MIN : lim;
}

bool tw_answer_fits_variant(const struct tw_answer_query *c, size_t len,
			    uint16_t server_udp_size)
{
	size_t lim = TW_ANSWER_UDP_MIN;
	/* every client of the large variant asked for at least 1232 */
	if (c->edns && (c->variant & TW_CACHE_PKT_BIG)) {
		lim = server_udp_size < 1232 ? server_udp_size : 1232;
		if (lim < TW_ANSWER_UDP_MIN)
			lim = TW_ANSWER_UDP_MIN;
	}
	return len <= lim;
}

/* ---- EXTRA-TEXT ------------------------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (n octets available), 0 when there
 * is none: RFC 3629 §4, so no overlong form, surrogate or code point past U+10FFFF. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/* Copies src (src_len octets) into dst as UTF-8 of at most max octets (RFC 8914
 * §2: EXTRA-TEXT is UTF-8): an ill-formed octet becomes '?', and the copy ends
 * before a sequence that would not fit whole. Returns the length. */
static size_t ede_text_copy(char *dst, size_t max, const char *src, size_t src_len)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0, o = 0;
	while (i < src_len) {
		size_t n = utf8_seq(s + i, src_len - i);
		if (n == 0) {
			if (o + 1 > max)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + n > max)
			break;
		memcpy(dst + o, s + i, n);
		o += n;
		i += n;
	}
	return o;
}

/* The length of valid UTF-8 text cut to at most max octets at a sequence start. */
static size_t utf8_cut(const char *text, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t n = max;
	while (n > 0 && ((uint8_t)text[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* ---- the message around the records --------------------------------------------- */

/* What the answer carries besides records, decided before the builder starts so
 * that the OPT record's space is reserved up front. */
struct frame {
	uint16_t flags;   /* header flags, rcode not included */
	uint16_t rcode;   /* full 12-bit rcode */
	bool question;
	bool opt;
	uint16_t ede;     /* TW_EDE_NONE: none */
	size_t text_len;
	char text[TW_ANSWER_EDE_TEXT_MAX];
};

static void frame_init(struct frame *f, const struct tw_answer_query *c, uint16_t rcode,
		       uint16_t ede, const char *text, size_t text_len)
{
	/* RFC 1035 §4.1.1: ID and OPCODE copied, RD copied; RA: we recurse (through
	 * the farm); RFC 4035 §3.2.2: CD copied */
	f->flags = (uint16_t)(TW_DNS_F_QR | (((unsigned)c->opcode << 11) & OPCODE_MASK) |
			      TW_DNS_F_RA | (c->rd ? TW_DNS_F_RD : 0) | (c->cd ? TW_DNS_F_CD : 0));
	f->rcode = rcode > RCODE_MAX ? TW_DNS_R_SERVFAIL : rcode;
	size_t n;
	f->question = tw_dns_name_check(c->qname, c->qname_len, &n) == 0 && n == c->qname_len;
	/* RFC 6891 §7: an OPT record in the answer exactly when the query had one;
	 * the EDE is one of its options (RFC 8914 §2), so no EDE without it */
	f->opt = c->edns;
	f->ede = f->opt ? ede : TW_EDE_NONE;
	f->text_len = 0;
	if (f->ede != TW_EDE_NONE && text)
		f->text_len = ede_text_copy(f->text, sizeof(f->text), text, text_len);
}

static size_t frame_opt_len(const struct frame *f)
{
	if (!f->opt)
		return 0;
	return TW_DNS_OPT_FIXED_LEN + (f->ede != TW_EDE_NONE ? 6 + f->text_len : 0);
}

/* Starts the message in out: header and question, OPT space reserved. When
 * min(cap, limit) cannot hold all of it, gives up the EDE text (cut first), the
 * EDE, the OPT record and the question, in that order. Returns 0, or -TW_ENOSPC
 * when not even the header fits. */
static int frame_begin(struct tw_dns_build *b, struct frame *f,
		       const struct tw_answer_query *c, uint8_t *out, size_t cap, size_t limit)
{
	size_t max = cap < limit ? cap : limit;
	if (max < TW_DNS_HDR_LEN)
		return -TW_ENOSPC;
	size_t qlen = f->question ? (size_t)c->qname_len + 4 : 0;
	if (TW_DNS_HDR_LEN + qlen + frame_opt_len(f) > max && f->text_len) {
		size_t fixed = TW_DNS_HDR_LEN + qlen + TW_DNS_OPT_FIXED_LEN + 6;
		f->text_len = fixed < max ? utf8_cut(f->text, f->text_len, max - fixed) : 0;
	}
	if (TW_DNS_HDR_LEN + qlen + frame_opt_len(f) > max)
		f->ede = TW_EDE_NONE;
	if (TW_DNS_HDR_LEN + qlen + frame_opt_len(f) > max)
		f->opt = false;
	if (TW_DNS_HDR_LEN + qlen > max)
		f->question = false;
	/* RFC 6891 §6.1.3: without OPT only the lower 4 bits could be sent, which
	 * would say something else entirely */
	if (!f->opt && f->rcode > 0xF)
		f->rcode = TW_DNS_R_SERVFAIL;
	if (tw_dns_build_init(b, out, cap, limit, c->id, (uint16_t)(f->flags | (f->rcode & 0xF)),
			      frame_opt_len(f)) != 0)
		return -TW_ENOSPC;
	if (f->question && tw_dns_build_question(b, c->qname, c->qtype, c->qclass) != 0)
		return -TW_ENOSPC; /* cannot happen: sized above */
	return 0;
}

static size_t frame_end(struct tw_dns_build *b, const struct frame *f,
			const struct tw_answer_query *c, uint16_t server_udp_size)
{
	if (f->opt) {
		/* RFC 3225 §3: DO copied from the query; RFC 6891 §6.2.3: our own size */
		uint16_t eflags = c->dnssec_ok ? TW_DNS_EDNS_DO : 0;
		uint16_t size = server_udp_size < TW_ANSWER_UDP_MIN ? TW_ANSWER_UDP_MIN
								 : server_udp_size;
		if (tw_dns_build_opt(b, size, eflags, f->rcode, f->ede, f->text, f->text_len) != 0)
			tw_dns_build_set_rcode(b, (uint8_t)(f->rcode & 0xF)); /* reserved: cannot fail */
	}
	return tw_dns_build_finish(b);
}

/* ---- records ----------------------------------------------------------------------- */

/* Whether the farm's record of this type goes to the client. */
static bool record_wanted(const struct tw_answer_query *c, uint16_t type)
{
	/* OPT is made afresh; TSIG/TKEY and the other meta types belong to the
	 * farm's own transaction (RFC 6895 §3.1) */
	if (tw_dns_type_is_meta(type))
		return false;
	if (c->dnssec_ok || type == c->qtype)
		return true;
	/* RFC 4035 §3.2.1: without DO the authenticating RRs are stripped unless
	 * explicitly asked for; DNSKEY and DS are data and stay */
	return type != TW_DNS_T_RRSIG && type != TW_DNS_T_NSEC && type != TW_DNS_T_NSEC3;
}

/* Adds the farm's answer, authority and additional records in order, names
 * decompressed (the builder compresses them against its own output). */
static void put_records(struct tw_dns_build *b, const struct tw_answer_query *c,
			const struct tw_dns_msg *farm, const uint32_t *ttls,
			struct tw_answer_scratch *s)
{
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	/* RFC 2181 §9: once TC is set the client will ask again over TCP; nothing
	 * more, the additional section included, is worth the octets */
	for (unsigned i = 0; i < farm->rr_count && !b->tc; i++) {
		const struct tw_dns_rr *rr = &farm->rr[i];
		if (!record_wanted(c, rr->type))
			continue;
		uint32_t ttl = ttls ? ttls[i] : rr->ttl;
		if (ttl > TTL_MAX)
			ttl = 0;
		size_t rdlen = 0;
		int rc = tw_dns_name_unpack(farm->wire, farm->len, rr->owner, owner, NULL, NULL);
		if (rc == 0)
			rc = tw_dns_rdata_decompress(rr->type, farm->wire, farm->len, rr->rdata,
						     rr->rdlen, s->rdata, sizeof(s->rdata), &rdlen);
		if (rc == 0)
			rc = tw_dns_build_rr(b, (enum tw_dns_section)rr->section, owner, rr->type,
					     rr->cls, ttl, s->rdata, (uint16_t)rdlen);
		/* an answer or authority record we cannot write whole (no room, or
		 * RDATA that decompresses past 65535 octets, which fits no message)
		 * leaves the answer incomplete, like one that does not fit */
		if (rc != 0 && rr->section != TW_DNS_SEC_AR)
			b->tc = true;
	}
}

size_t tw_answer_build(const struct tw_answer_query *c, const struct tw_val_result *r,
		       const struct tw_dns_msg *farm, const uint32_t *ttls,
		       uint16_t server_udp_size, uint8_t *out, size_t cap,
		       struct tw_answer_scratch *scratch)
{
	uint16_t rcode = r->rcode;
	bool records;
	switch (r->verdict) {
	case TW_VAL_SECURE:
	case TW_VAL_INSECURE:
	case TW_VAL_UNCHECKED:
		records = true;
		break;
	case TW_VAL_INDETERMINATE:
		/* the engine's SERVFAIL (farm silent, no progress) stays one; no trust
		 * anchor above the name, or the farm's own error rcode, is passed on
		 * without AD (RFC 4035 §4.3, RFC 4033 §5) */
		records = rcode != TW_DNS_R_SERVFAIL;
		break;
	case TW_VAL_BOGUS:
	default:
		/* RFC 4035 §5.5: bogus data is not given to the client: SERVFAIL */
		records = false;
		rcode = TW_DNS_R_SERVFAIL;
		break;
	}
	if (records && !farm) {
		records = false;
		/* an empty NOERROR or NXDOMAIN would claim what nothing backs */
		if (rcode == TW_DNS_R_NOERROR || rcode == TW_DNS_R_NXDOMAIN)
			rcode = TW_DNS_R_SERVFAIL;
	}

	struct frame f;
	frame_init(&f, c, rcode, r->ede, r->reason, strnlen(r->reason, sizeof(r->reason)));
	/* RFC 4035 §3.2.3: AD only when every RRset was proven authentic (the engine's
	 * SECURE); RFC 6840 §5.8: and only for a client that said it wants it, by DO
	 * or by AD in the query */
	if (records && r->verdict == TW_VAL_SECURE && (c->dnssec_ok || c->ad))
		f.flags |= TW_DNS_F_AD;

	struct tw_dns_build b;
	if (frame_begin(&b, &f, c, out, cap, tw_answer_size_limit(c, server_udp_size)) != 0)
		return 0;
	if (records)
		put_records(&b, c, farm, ttls, scratch);
	return frame_end(&b, &f, c, server_udp_size);
}

/* Adds a cached RRset (its records, then its RRSIGs when DO is set) to sec with
 * owner and ttl; sets TC when it does not fit. */
static void put_rrset(struct tw_dns_build *b, const struct tw_answer_query *c,
		      enum tw_dns_section sec, const uint8_t *owner,
		      const struct tw_cache_rrset *rs, uint32_t ttl)
{
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t len;
	for (unsigned i = 0; !b->tc && tw_cache_rrset_next(rs, &pos, &rd, &len); i++) {
		uint16_t type = i < rs->count ? rs->type : TW_DNS_T_RRSIG;
		if (!record_wanted(c, type))
			continue;
		if (tw_dns_build_rr(b, sec, owner, type, rs->cls, ttl, rd, len) != 0)
			b->tc = true;
	}
}

size_t tw_answer_from_synth(const struct tw_answer_query *c, const struct tw_cache_synth *s,
			    uint16_t server_udp_size, uint8_t *out, size_t cap)
{
	struct frame f;
	frame_init(&f, c, s->rcode, TW_EDE_NONE, NULL, 0);
	/* the proofs were validated when they were cached (RFC 8198 §5) */
	if (s->status == TW_CACHE_SECURE && (c->dnssec_ok || c->ad))
		f.flags |= TW_DNS_F_AD;
	struct tw_dns_build b;
	if (frame_begin(&b, &f, c, out, cap, tw_answer_size_limit(c, server_udp_size)) != 0)
		return 0;
	/* RFC 8198 §5.3: a wildcard's RRset is served at the query name, its
	 * RRSIGs as they are (their labels field shows the expansion) */
	if (s->has_answer)
		put_rrset(&b, c, TW_DNS_SEC_AN, c->qname, &s->answer, s->ttl);
	for (unsigned i = 0; i < s->nauth && i < TW_CACHE_SYNTH_MAX; i++)
		put_rrset(&b, c, TW_DNS_SEC_NS, s->auth[i].owner, &s->auth[i], s->ttl);
	return frame_end(&b, &f, c, server_udp_size);
}

size_t tw_answer_servfail(const struct tw_answer_query *c, uint16_t rcode, uint16_t ede,
			  const char *text, uint16_t server_udp_size, uint8_t *out, size_t cap)
{
	struct frame f;
	frame_init(&f, c, rcode, ede, text, text ? strlen(text) : 0);
	struct tw_dns_build b;
	if (frame_begin(&b, &f, c, out, cap, tw_answer_size_limit(c, server_udp_size)) != 0)
		return 0;
	return frame_end(&b, &f, c, server_udp_size);
}

size_t tw_answer_formerr(const uint8_t *query, size_t len, uint8_t *out, size_t cap)
{
	if (len < TW_DNS_HDR_LEN || cap < TW_DNS_HDR_LEN)
		return 0;
	uint16_t id = tw_wire_get16(query), qflags = tw_wire_get16(query + 2);
	uint16_t qdcount = tw_wire_get16(query + 4);
	uint16_t flags = (uint16_t)(TW_DNS_F_QR | TW_DNS_F_RA | TW_DNS_R_FORMERR |
				    (qflags & (OPCODE_MASK | TW_DNS_F_RD | TW_DNS_F_CD)));
	struct tw_dns_build b;
	if (tw_dns_build_init(&b, out, cap, TW_ANSWER_UDP_MIN, id, flags, 0) != 0)
		return 0;
	uint8_t name[TW_DNS_NAME_MAXLEN];
	size_t wire_len;
	if (qdcount == 1 &&
	    tw_dns_name_unpack(query, len, TW_DNS_HDR_LEN, name, NULL, &wire_len) == 0 &&
	    len - TW_DNS_HDR_LEN - wire_len >= 4) {
		const uint8_t *tail = query + TW_DNS_HDR_LEN + wire_len;
		/* a question that does not fit in cap is simply left out */
		(void)tw_dns_build_question(&b, name, tw_wire_get16(tail), tw_wire_get16(tail + 2));
	}
	return tw_dns_build_finish(&b);
}
