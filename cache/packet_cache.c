/* The packet table: complete answers per (question, variant), so that a hit is
 * hash, copy, patch ID, question case and TTLs. */
#include "cache/cache_internal.h"

#include "dns/build.h"
#include "dns/csum.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

#define PKT_MAX_RR 256

struct pkt_ttl {
	uint16_t off;  /* of the TTL field in the stored answer */
	uint16_t pad;
	uint32_t ttl;  /* as stored */
};

struct pkt_val {
	uint32_t inserted;
	uint16_t len;
	uint16_t qname_len;
	uint16_t nttl;
	uint8_t status;
	uint8_t pad;
	/* tw_csum_partial() of the answer with its ID, question name and TTLs
	 * zeroed: what a hit writes there is added to it, so the UDP checksum
	 * needs no second pass over the answer */
	uint32_t sum;
	struct pkt_ttl ttl[]; /* nttl, then the answer's octets */
};

uint8_t tw_cache_pkt_variant(const struct tw_dns_msg *q)
{
	uint8_t v = 0;
	if (q->flags & TW_DNS_F_CD)
		v |= TW_CACHE_PKT_CD;
	if (q->flags & TW_DNS_F_AD)
		v |= TW_CACHE_PKT_AD;
	if (q->flags & TW_DNS_F_RD)
		v |= TW_CACHE_PKT_RD;
	if (q->has_opt) {
		v |= TW_CACHE_PKT_EDNS;
		if (q->edns_flags & TW_DNS_EDNS_DO)
			v |= TW_CACHE_PKT_DO;
		if (q->udp_size >= 1232)
			v |= TW_CACHE_PKT_BIG;
	}
	return v;
}

/* The one's complement sum, in the host order of network octets (as
 * tw_csum_partial() sums), of the 32-bit value v written in network order at
 * offset off of the message. 16-bit words start at even offsets, so at an odd
 * offset the octets pair the other way and the sum is byte-swapped (RFC 1071
 * §2(B)). Summed from the value, not read back: a 16-bit load over the
 * single-octet stores just made cannot be forwarded from them and waits for
 * every store before it. */
static inline uint32_t sum32_at(uint32_t v, size_t off)
{
	uint32_t s = (v >> 16) + (v & 0xffffu);
	s = (s & 0xffffu) + (s >> 16);
	uint16_t n = htobe16((uint16_t)s); /* network order of the sum, as loaded */
	return off & 1 ? (uint16_t)(n << 8 | n >> 8) : n;
}

/* Writes the stored answer v for q into out (which may be q's own wire): q's ID
 * and question, TTLs counted down to now. Returns the one's complement sum of
 * the octets written. */
static inline uint32_t pkt_write(const struct pkt_val *v, const struct tw_dns_msg *q,
				 uint32_t now, uint8_t *out)
{
	const uint8_t *wire = (const uint8_t *)&v->ttl[v->nttl];
	size_t after_q = TW_DNS_HDR_LEN + v->qname_len;
	/* the question exactly as asked (same length, the client's case): where
	 * out is the query itself (an answer written over its query, in the
	 * receive buffer) the name is already in place */
	memcpy(out, wire, TW_DNS_HDR_LEN);
	if (out != q->wire)
		memcpy(out + TW_DNS_HDR_LEN, q->wire + q->qname, v->qname_len);
	memcpy(out + after_q, wire + after_q, v->len - after_q);
	uint16_t idw = htobe16(q->id);
	memcpy(out, &idw, 2);
	/* the name starts at an even offset (12), as the stored sum assumes */
	uint64_t sum = (uint64_t)v->sum + idw + tw_csum_partial(out + TW_DNS_HDR_LEN, v->qname_len, 0);
	/* a thread whose clock lags the inserter's serves the TTLs as stored */
	uint32_t age = (int32_t)(now - v->inserted) > 0 ? now - v->inserted : 0;
	for (unsigned i = 0; i < v->nttl; i++) {
		uint32_t ttl = v->ttl[i].ttl > age ? v->ttl[i].ttl - age : 0;
		tw_wire_put32(out + v->ttl[i].off, ttl);
		sum += sum32_at(ttl, v->ttl[i].off);
	}
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint32_t)sum;
}

/* Hashes q's packet-table key into key, or returns 0 when q cannot be a hit. */
static inline size_t pkt_key(struct tw_cache_thread *t, uint8_t *key, const struct tw_dns_msg *q,
			     uint64_t *h)
{
	/* only a question written out whole is keyed and copied as it stands */
	if (q->qdcount != 1 || !q->qname_plain)
		return 0;
	return cache_key_into_n(t->c, key, TW_CACHE_KIND_PKT, q->qtype, q->qclass,
				tw_cache_pkt_variant(q), q->wire + q->qname, q->qname_len, h);
}

size_t tw_cache_pkt_answer(struct tw_cache_thread *t, const struct tw_dns_msg *q, uint32_t now,
			   uint8_t *out, size_t cap)
{
	struct tw_cache_kind_stats *ks = &t->stats.kind[TW_CACHE_KIND_PKT];
	uint64_t h;
	size_t klen = pkt_key(t, t->keybuf, q, &h);
	struct cache_entry *e = klen ? cache_find(t, t->keybuf, klen, h, now) : NULL;
	const struct pkt_val *v = e ? (const struct pkt_val *)cache_entry_val(e) : NULL;
	if (!v || v->len > cap) {
		CACHE_CNT_INC(ks->misses);
		return 0;
	}
	(void)pkt_write(v, q, now, out);
	CACHE_CNT_INC(ks->hits);
	return v->len;
}

uint32_t tw_cache_pkt_answer_burst(struct tw_cache_thread *t, const struct tw_dns_msg *const *q,
				   unsigned n, uint32_t now, uint8_t *const *out,
				   const size_t *cap, size_t *len, uint32_t *sum)
{
	struct tw_cache_kind_stats *ks = &t->stats.kind[TW_CACHE_KIND_PKT];
	size_t klen[TW_CACHE_BURST_MAX];
	uint64_t hash[TW_CACHE_BURST_MAX];
	struct cache_entry *e[TW_CACHE_BURST_MAX];
	unsigned idx[TW_CACHE_BURST_MAX], nk = 0;
	if (n > TW_CACHE_BURST_MAX)
		n = TW_CACHE_BURST_MAX;
	for (unsigned i = 0; i < n; i++) {
		len[i] = 0;
		klen[nk] = pkt_key(t, t->burst_key[nk], q[i], &hash[nk]);
		if (!klen[nk])
			continue;
		cache_prefetch_bucket(t->c, hash[nk]);
		idx[nk++] = i;
	}
	/* header, key, TTL table and a typical signed answer: five lines */
	cache_find_burst_lines(t, nk, t->burst_key[0], klen, hash, now, 5, e);
	uint32_t hits = 0;
	for (unsigned k = 0; k < nk; k++) {
		if (!e[k])
			continue;
		unsigned i = idx[k];
		const struct pkt_val *v = (const struct pkt_val *)cache_entry_val(e[k]);
		if (v->len > cap[i])
			continue;
		sum[i] = pkt_write(v, q[i], now, out[i]);
		len[i] = v->len;
		hits |= 1u << i;
	}
	unsigned nhit = (unsigned)__builtin_popcount(hits);
	CACHE_CNT_ADD(ks->hits, nhit);
	CACHE_CNT_ADD(ks->misses, n - nhit);
	return hits;
}

/* Writes m again with the message builder into t->scratch: names written out
 * or compressed to names the builder itself wrote, RDATA names decompressed
 * and compressed again, the OPT record reduced to size, flags, rcode and EDE.
 * A stored answer is therefore never one whose names point into the ID or a
 * TTL, which the hit path overwrites. Returns the length, or 0. */
static size_t reencode(struct tw_cache_thread *t, const struct tw_dns_msg *m)
{
	uint8_t *buf = t->scratch, *rd = t->scratch + CACHE_PKT_MAX;
	size_t text_len = m->has_ede ? m->ede_text_len : 0;
	struct tw_dns_build b;
	if (tw_dns_build_init(&b, buf, CACHE_PKT_MAX, CACHE_PKT_MAX, 0,
			      (uint16_t)(m->flags & ~TW_DNS_F_TC), TW_DNS_OPT_FIXED_LEN + 6 + text_len) != 0)
		return 0;
	uint8_t name[TW_DNS_NAME_MAXLEN];
	if (tw_dns_name_unpack(m->wire, m->len, m->qname, name, NULL, NULL) != 0 ||
	    tw_dns_build_question(&b, name, m->qtype, m->qclass) != 0)
		return 0;
	for (unsigned i = 0; i < m->rr_count; i++) {
		const struct tw_dns_rr *rr = &m->rr[i];
		if (rr->type == TW_DNS_T_OPT)
			continue;
		size_t rdlen;
		if (tw_dns_name_unpack(m->wire, m->len, rr->owner, name, NULL, NULL) != 0 ||
		    tw_dns_rdata_decompress(rr->type, m->wire, m->len, rr->rdata, rr->rdlen, rd,
					    CACHE_SCRATCH - CACHE_PKT_MAX, &rdlen) != 0 ||
		    rdlen > UINT16_MAX ||
		    tw_dns_build_rr(&b, (enum tw_dns_section)rr->section, name, rr->type, rr->cls,
				    rr->ttl, rd, (uint16_t)rdlen) != 0)
			return 0;
	}
	if (m->has_opt &&
	    tw_dns_build_opt(&b, m->udp_size, m->edns_flags, tw_dns_msg_rcode(m),
			     m->has_ede ? m->ede_code : TW_EDE_NONE,
			     m->has_ede ? (const char *)m->wire + m->ede_text : NULL, text_len) != 0)
		return 0;
	return tw_dns_build_finish(&b);
}

int tw_cache_pkt_insert(struct tw_cache_thread *t, const uint8_t *wire, size_t len,
			uint8_t variant, enum tw_cache_status status, uint32_t ttl_cap,
			uint32_t now)
{
	struct tw_dns_rr rrs[PKT_MAX_RR];
	struct tw_dns_msg m;
	if (len > UINT16_MAX || tw_dns_msg_parse(&m, wire, len, rrs, PKT_MAX_RR) != 0 ||
	    m.qdcount != 1 || m.qname != TW_DNS_HDR_LEN || !m.qname_plain)
		return -TW_EINVAL;
	/* from here on the message is our own encoding of it */
	len = reencode(t, &m);
	if (!len || tw_dns_msg_parse(&m, t->scratch, len, rrs, PKT_MAX_RR) != 0)
		return -TW_EINVAL;
	wire = t->scratch;
	unsigned nttl = 0;
	uint32_t min_ttl = ttl_cap;
	for (unsigned i = 0; i < m.rr_count; i++) {
		if (m.rr[i].type == TW_DNS_T_OPT)
			continue;
		uint32_t ttl = m.rr[i].ttl > 0x7FFFFFFFu ? 0 : m.rr[i].ttl; /* RFC 2181 §8 */
		if (ttl < min_ttl)
			min_ttl = ttl;
		nttl++;
	}
	min_ttl = cache_cap_by_sigs(&m, NULL, m.rr_count, min_ttl, now);
	if (min_ttl == 0)
		return 0; /* not to be cached */
	if (min_ttl > t->c->conf.max_ttl)
		min_ttl = t->c->conf.max_ttl;
	size_t vlen = sizeof(struct pkt_val) + nttl * sizeof(struct pkt_ttl) + len;
	size_t klen = cache_key(t, TW_CACHE_KIND_PKT, m.qtype, m.qclass, variant, wire + m.qname);
	struct cache_entry *e = cache_entry_new(t, TW_CACHE_KIND_PKT, t->keybuf, klen, vlen);
	if (!e)
		return -TW_ENOMEM;
	struct pkt_val *v = (struct pkt_val *)cache_entry_val(e);
	v->inserted = now;
	v->len = (uint16_t)len;
	v->qname_len = m.qname_len;
	v->nttl = (uint16_t)nttl;
	v->status = (uint8_t)status;
	v->pad = 0;
	unsigned k = 0;
	for (unsigned i = 0; i < m.rr_count; i++) {
		if (m.rr[i].type == TW_DNS_T_OPT)
			continue;
		v->ttl[k].off = (uint16_t)(m.rr[i].rdata - 6);
		v->ttl[k].pad = 0;
		v->ttl[k].ttl = m.rr[i].ttl > 0x7FFFFFFFu ? 0 : m.rr[i].ttl;
		if (v->ttl[k].ttl > min_ttl)
			v->ttl[k].ttl = min_ttl; /* never served above the entry's own life */
		k++;
	}
	memcpy(&v->ttl[nttl], wire, len);
	/* the sum without what every hit writes anew (the scratch copy is ours) */
	memset(t->scratch, 0, 2);
	memset(t->scratch + TW_DNS_HDR_LEN, 0, m.qname_len);
	for (unsigned i = 0; i < nttl; i++)
		memset(t->scratch + v->ttl[i].off, 0, 4);
	v->sum = tw_csum_partial(t->scratch, len, 0);
	cache_entry_publish(t, e, cache_hash(t->c, t->keybuf, klen), now + min_ttl, now);
	return 0;
}
