/* The RRset table: validated RRsets with their RRSIGs and trust status, bogus
 * markers, and what a finished validation leaves in the cache. */
#include "cache/cache_internal.h"

#include "dns/error.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t cache_rrset_serialize(struct tw_cache_thread *t, const struct tw_dns_msg *m,
			     const uint16_t *idx, unsigned n, const uint16_t *sig_idx,
			     unsigned nsig, uint16_t type, uint16_t cls, uint8_t status,
			     uint16_t ede, const char *reason)
{
	if (n > UINT16_MAX || nsig > UINT16_MAX)
		return 0;
	struct cache_rrset_hdr *h = (struct cache_rrset_hdr *)t->scratch;
	uint8_t *p = t->scratch + sizeof(*h);
	uint8_t *end = t->scratch + CACHE_SCRATCH;
	for (unsigned i = 0; i < n + nsig; i++) {
		const struct tw_dns_rr *rr = &m->rr[i < n ? idx[i] : sig_idx[i - n]];
		size_t len;
		if (end - p < 2 + 256)
			return 0;
		if (tw_dns_rdata_decompress(rr->type, m->wire, m->len, rr->rdata, rr->rdlen, p + 2,
					    (size_t)(end - p - 2), &len) != 0 ||
		    len > UINT16_MAX)
			return 0;
		put16(p, (uint16_t)len);
		p += 2 + len;
	}
	size_t rlen = reason ? strnlen(reason, 255) : 0;
	if ((size_t)(end - p) < rlen + 1)
		return 0;
	h->data_len = (uint32_t)(p - (t->scratch + sizeof(*h)));
	h->count = (uint16_t)n;
	h->sig_count = (uint16_t)nsig;
	h->type = type;
	h->cls = cls;
	h->ede = ede;
	h->status = status;
	h->reason_len = (uint8_t)rlen;
	h->ttl = 0;
	if (rlen)
		memcpy(p, reason, rlen);
	p[rlen] = 0;
	return (size_t)(p + rlen + 1 - t->scratch);
}

bool tw_cache_rrset_next(const struct tw_cache_rrset *r, uint32_t *pos, const uint8_t **rdata,
			 uint16_t *len)
{
	if (*pos + 2 > r->data_len)
		return false;
	uint16_t l = (uint16_t)(r->data[*pos] << 8 | r->data[*pos + 1]);
	*rdata = r->data + *pos + 2;
	*len = l;
	*pos += 2u + l;
	return true;
}

bool tw_cache_rrset_lookup(struct tw_cache_thread *t, const uint8_t *owner, uint16_t type,
			   uint16_t cls, uint32_t now, struct tw_cache_rrset *out)
{
	return tw_cache_rrset_lookup_n(t, owner, cache_name_len(owner), type, cls, now, out);
}

bool tw_cache_rrset_lookup_n(struct tw_cache_thread *t, const uint8_t *owner, size_t owner_len,
			     uint16_t type, uint16_t cls, uint32_t now, struct tw_cache_rrset *out)
{
	struct tw_cache_kind_stats *ks = &t->stats.kind[TW_CACHE_KIND_RRSET];
	uint64_t h;
	size_t klen = cache_key_into_n(t->c, t->keybuf, TW_CACHE_KIND_RRSET, type, cls, 0, owner,
				       owner_len, &h);
	struct cache_entry *e = cache_find(t, t->keybuf, klen, h, now);
	if (!e) {
		CACHE_CNT_INC(ks->misses);
		return false;
	}
	CACHE_CNT_INC(ks->hits);
	cache_rrset_view((const struct cache_rrset_hdr *)cache_entry_val(e), cache_entry_name(e),
			 e->expires, now, out);
	return true;
}

uint32_t tw_cache_rrset_lookup_burst(struct tw_cache_thread *t, const struct tw_cache_rrset_key *k,
				     unsigned n, uint32_t now, struct tw_cache_rrset *out)
{
	struct tw_cache_kind_stats *ks = &t->stats.kind[TW_CACHE_KIND_RRSET];
	size_t klen[TW_CACHE_BURST_MAX];
	uint64_t hash[TW_CACHE_BURST_MAX];
	struct cache_entry *e[TW_CACHE_BURST_MAX];
	if (n > TW_CACHE_BURST_MAX)
		n = TW_CACHE_BURST_MAX;
	for (unsigned i = 0; i < n; i++) {
		size_t ol = k[i].owner_len ? k[i].owner_len : cache_name_len(k[i].owner);
		klen[i] = cache_key_into_n(t->c, t->burst_key[i], TW_CACHE_KIND_RRSET, k[i].type,
					   k[i].cls, 0, k[i].owner, ol, &hash[i]);
		cache_prefetch_bucket(t->c, hash[i]);
	}
	cache_find_burst(t, n, t->burst_key[0], klen, hash, now, e);
	uint32_t hits = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!e[i])
			continue;
		hits |= 1u << i;
		cache_rrset_view((const struct cache_rrset_hdr *)cache_entry_val(e[i]),
				 cache_entry_name(e[i]), e[i]->expires, now, &out[i]);
	}
	unsigned nhit = (unsigned)__builtin_popcount(hits);
	CACHE_CNT_ADD(ks->hits, nhit);
	CACHE_CNT_ADD(ks->misses, n - nhit);
	return hits;
}

uint32_t cache_cap_by_sigs(const struct tw_dns_msg *m, const uint16_t *sig_idx, unsigned nsig,
			   uint32_t ttl, uint32_t now)
{
	for (unsigned i = 0; i < nsig; i++) {
		const struct tw_dns_rr *rr = &m->rr[sig_idx ? sig_idx[i] : i];
		struct tw_dns_rrsig rs;
		if (rr->type != TW_DNS_T_RRSIG ||
		    tw_dns_rrsig_view(m->wire, m->len, rr->rdata, rr->rdlen, &rs) != 0)
			continue;
		/* RFC 4035 §5.3.3: not past the signature's expiration (serial
		 * arithmetic, RFC 4034 §3.1.5) */
		int32_t left = (int32_t)(rs.expiration - now);
		uint32_t cap = left > 0 ? (uint32_t)left : 0;
		if (cap < ttl)
			ttl = cap;
	}
	return ttl;
}

/* Publishes the stored form waiting in t->scratch (len octets) at owner. */
static int publish_rrset(struct tw_cache_thread *t, const uint8_t *owner, uint16_t type,
			 uint16_t cls, size_t len, uint32_t ttl, uint32_t now)
{
	/* The key goes into t->keybuf, which the serialized form does not use. */
	size_t klen = cache_key(t, TW_CACHE_KIND_RRSET, type, cls, 0, owner);
	struct cache_entry *e = cache_entry_new(t, TW_CACHE_KIND_RRSET, t->keybuf, klen, len);
	if (!e)
		return -TW_ENOMEM;
	uint32_t expires = cache_expiry(t->c, ttl, now);
	cache_rrset_set_ttl(t, expires - now);
	memcpy(cache_entry_val(e), t->scratch, len);
	cache_entry_publish(t, e, cache_hash(t->c, t->keybuf, klen), expires, now);
	return 0;
}

int tw_cache_rrset_insert(struct tw_cache_thread *t, const struct tw_dns_msg *m,
			  const uint16_t *idx, unsigned n, const uint16_t *sig_idx, unsigned nsig,
			  enum tw_cache_status status, uint16_t ede, const char *reason,
			  uint32_t ttl, uint32_t now)
{
	if (n == 0)
		return -TW_EINVAL;
	const struct tw_dns_rr *first = &m->rr[idx[0]];
	for (unsigned i = 1; i < n; i++) {
		const struct tw_dns_rr *rr = &m->rr[idx[i]];
		if (rr->type != first->type || rr->cls != first->cls ||
		    !tw_dns_name_equal_wire(m->wire, m->len, rr->owner, first->owner))
			return -TW_EINVAL;
	}
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	if (tw_dns_name_unpack(m->wire, m->len, first->owner, owner, NULL, NULL) != 0)
		return -TW_EINVAL;
	ttl = cache_cap_by_sigs(m, sig_idx, nsig, ttl, now);
	if (ttl == 0)
		return 0; /* nothing to keep */
	size_t len = cache_rrset_serialize(t, m, idx, n, sig_idx, nsig, first->type, first->cls,
					   (uint8_t)status, ede, reason);
	if (!len) {
		CACHE_CNT_INC(t->stats.kind[TW_CACHE_KIND_RRSET].refused);
		return -TW_ENOMEM;
	}
	return publish_rrset(t, owner, first->type, first->cls, len, ttl, now);
}

/* A bogus marker: no records, the EDE and reason, for conf.bogus_ttl. */
static int insert_bogus(struct tw_cache_thread *t, const struct tw_val_result *r,
			const uint8_t *qname, uint16_t qtype, uint16_t qclass, uint32_t now)
{
	struct tw_dns_msg none = { 0 };
	size_t len = cache_rrset_serialize(t, &none, NULL, 0, NULL, 0, qtype, qclass,
					   TW_CACHE_BOGUS, r->ede, r->reason);
	if (!len)
		return -TW_ENOMEM;
	uint32_t ttl = t->c->conf.bogus_ttl;
	size_t klen = cache_key(t, TW_CACHE_KIND_RRSET, qtype, qclass, 0, qname);
	struct cache_entry *e = cache_entry_new(t, TW_CACHE_KIND_RRSET, t->keybuf, klen, len);
	if (!e)
		return -TW_ENOMEM;
	/* min_ttl does not stretch a bogus marker: it ends when the configuration says */
	ttl = ttl ? ttl : 1;
	cache_rrset_set_ttl(t, ttl);
	memcpy(cache_entry_val(e), t->scratch, len);
	cache_entry_publish(t, e, cache_hash(t->c, t->keybuf, klen), now + ttl, now);
	return 1;
}

#define INGEST_MAX_RR 512
#define INGEST_MAX_SETS 128

int tw_cache_insert_validated(struct tw_cache_thread *t, const struct tw_val_result *r,
			      const struct tw_dns_msg *m, const uint32_t *ttls,
			      const uint8_t *qname, uint16_t qtype, uint16_t qclass, uint32_t now)
{
	uint8_t status;
	switch (r->verdict) {
	case TW_VAL_SECURE: status = TW_CACHE_SECURE; break;
	case TW_VAL_INSECURE: status = TW_CACHE_INSECURE; break;
	case TW_VAL_BOGUS: return insert_bogus(t, r, qname, qtype, qclass, now);
	default: return 0;
	}
	if (!m || !ttls || m->rr_count > INGEST_MAX_RR)
		return 0;
	struct tw_dns_rrset sets[INGEST_MAX_SETS];
	uint16_t next[INGEST_MAX_RR];
	size_t nsets;
	if (tw_dns_rrsets_group(m, TW_DNS_SEC_AN, sets, INGEST_MAX_SETS, next, &nsets) != 0)
		return 0;
	int stored = 0;
	for (size_t s = 0; s < nsets; s++) {
		const struct tw_dns_rrset *set = &sets[s];
		if (set->count == 0 || set->type == TW_DNS_T_RRSIG)
			continue;
		uint16_t idx[INGEST_MAX_RR], sig[INGEST_MAX_RR];
		unsigned n = 0, ns = 0;
		uint32_t ttl = UINT32_MAX;
		for (uint16_t i = set->first; i != TW_DNS_RR_NONE; i = next[i]) {
			idx[n++] = i;
			if (ttls[i] < ttl)
				ttl = ttls[i];
		}
		uint8_t labels = 0xFF;
		for (uint16_t i = set->sig_first; i != TW_DNS_RR_NONE; i = next[i]) {
			sig[ns++] = i;
			if (ttls[i] < ttl)
				ttl = ttls[i];
			struct tw_dns_rrsig rs;
			if (tw_dns_rrsig_view(m->wire, m->len, m->rr[i].rdata, m->rr[i].rdlen, &rs) == 0 &&
			    rs.labels < labels)
				labels = rs.labels;
		}
		ttl = cache_cap_by_sigs(m, sig, ns, ttl, now);
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		if (ttl == 0 || tw_dns_name_unpack(m->wire, m->len, set->owner, owner, NULL, NULL) != 0)
			continue;
		size_t len = cache_rrset_serialize(t, m, idx, n, sig, ns, set->type, set->cls,
						   status, status == TW_CACHE_SECURE ? TW_EDE_NONE : r->ede,
						   NULL);
		if (!len) {
			CACHE_CNT_INC(t->stats.kind[TW_CACHE_KIND_RRSET].refused);
			continue;
		}
		if (publish_rrset(t, owner, set->type, set->cls, len, ttl, now) == 0)
			stored++;
		/* A secure wildcard expansion (RRSIG Labels below the owner's, RFC 4035
		 * §5.3.4) also teaches the wildcard itself, for RFC 8198 §5.3. The
		 * serialized form is still in scratch. */
		unsigned owner_labels = tw_dns_name_rrsig_labels(owner);
		if (status == TW_CACHE_SECURE && ns && labels < owner_labels) {
			const uint8_t *suffix = tw_dns_name_suffix(owner, labels);
			size_t sl = suffix ? tw_dns_name_len(suffix) : TW_DNS_NAME_MAXLEN;
			uint8_t wild[TW_DNS_NAME_MAXLEN];
			if (sl + 2 <= TW_DNS_NAME_MAXLEN) {
				wild[0] = 1;
				wild[1] = '*';
				memcpy(wild + 2, suffix, sl);
				if (publish_rrset(t, wild, set->type, set->cls, len, ttl, now) == 0)
					stored++;
			}
		}
	}
	if (status == TW_CACHE_SECURE && t->c->conf.aggressive) {
		int n = cache_neg_ingest(t, m, ttls, now);
		if (n > 0)
			stored += n;
	}
	return stored;
}
