/* The aggressive table (RFC 8198): per signed zone, the NSEC or NSEC3 ranges
 * learnt from secure answers, sorted, with the zone's SOA, as one immutable
 * snapshot that an insert replaces whole; and the synthesis of NXDOMAIN, NODATA
 * and wildcard answers from them. */
#include "cache/cache_internal.h"

#include <stdlib.h>

#include "crypto/alg.h"
#include "crypto/digest.h"
#include "dns/codec.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

/* One range (or the SOA): the sort key (NSEC: the owner, lower case; NSEC3: the
 * owner's hash), the end of the range, the type bitmap, the owner, then the
 * stored NSEC/NSEC3 (or SOA) RRset with its RRSIGs. */
struct neg_range {
	uint32_t expires;
	uint32_t len;          /* octets of the whole record, padded to 4 */
	uint8_t optout;
	uint8_t key_len;
	uint8_t next_len;
	uint8_t owner_len;
	uint16_t bitmap_len;
	uint16_t rrset_off;    /* of the struct cache_rrset_hdr, from the record */
	uint8_t bytes[];       /* key, next, bitmap, owner; padding; the RRset */
};

struct neg_val {
	uint8_t nsec3;
	uint8_t hash_alg;
	uint16_t iterations;
	uint8_t salt_len;
	uint8_t salt[255];
	uint16_t nranges;
	uint32_t soa_off;      /* of the SOA record from the value start, 0: none */
	uint32_t range_off[];  /* nranges, sorted by key */
};

static inline const uint8_t *r_key(const struct neg_range *r) { return r->bytes; }
static inline const uint8_t *r_next(const struct neg_range *r) { return r->bytes + r->key_len; }
static inline const uint8_t *r_bitmap(const struct neg_range *r)
{
	return r->bytes + r->key_len + r->next_len;
}
static inline const uint8_t *r_owner(const struct neg_range *r)
{
	return r->bytes + r->key_len + r->next_len + r->bitmap_len;
}
static inline const struct cache_rrset_hdr *r_rrset(const struct neg_range *r)
{
	return (const struct cache_rrset_hdr *)((const uint8_t *)r + r->rrset_off);
}
static inline bool r_has(const struct neg_range *r, uint16_t type)
{
	return tw_dns_bitmap_has(r_bitmap(r), r->bitmap_len, type);
}
static inline const struct neg_range *v_range(const struct neg_val *v, unsigned i)
{
	return (const struct neg_range *)((const uint8_t *)v + v->range_off[i]);
}

/* ---- building a range record --------------------------------------------------------- */

/* A new record from the RRset serialized in t->scratch (slen octets). */
static struct neg_range *range_new(struct tw_cache_thread *t, size_t slen, const uint8_t *key,
				   size_t key_len, const uint8_t *next, size_t next_len,
				   const uint8_t *bitmap, size_t bitmap_len, const uint8_t *owner,
				   bool optout, uint32_t expires, uint32_t now)
{
	size_t owner_len = tw_dns_name_len(owner);
	size_t head = sizeof(struct neg_range) + key_len + next_len + bitmap_len + owner_len;
	head = (head + 3) & ~(size_t)3;
	size_t len = (head + slen + 3) & ~(size_t)3;
	if (key_len > 255 || next_len > 255 || bitmap_len > UINT16_MAX || head > UINT16_MAX)
		return NULL;
	struct neg_range *r = calloc(1, len);
	if (!r)
		return NULL;
	r->expires = expires;
	r->len = (uint32_t)len;
	r->optout = optout;
	r->key_len = (uint8_t)key_len;
	r->next_len = (uint8_t)next_len;
	r->owner_len = (uint8_t)owner_len;
	r->bitmap_len = (uint16_t)bitmap_len;
	r->rrset_off = (uint16_t)head;
	uint8_t *p = r->bytes;
	if (key_len)
		memcpy(p, key, key_len);
	p += key_len;
	if (next_len)
		memcpy(p, next, next_len);
	p += next_len;
	if (bitmap_len)
		memcpy(p, bitmap, bitmap_len);
	p += bitmap_len;
	tw_dns_name_copy_lower(p, owner);
	cache_rrset_set_ttl(t, expires - now);
	memcpy((uint8_t *)r + head, t->scratch, slen);
	return r;
}

struct cand {
	const struct neg_range *r;
	bool fresh;
	unsigned order;
};

static int cmp_nsec(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = tw_dns_name_cmp(r_key(x->r), r_key(y->r));
	if (c)
		return c;
	return (int)x->order - (int)y->order;
}

static int hash_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (int)al - (int)bl;
}

static int cmp_nsec3(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = hash_cmp(r_key(x->r), x->r->key_len, r_key(y->r), y->r->key_len);
	if (c)
		return c;
	return (int)x->order - (int)y->order;
}

static int cmp_keep(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->fresh != y->fresh)
		return x->fresh ? -1 : 1;
	if (x->r->expires != y->r->expires)
		return x->r->expires > y->r->expires ? -1 : 1;
	return 0;
}

/* ---- ingest --------------------------------------------------------------------------- */

#define NEG_MAX_RR 512
#define NEG_MAX_SETS 64
#define NEG_MAX_NEW 16

/* The signer of an RRset's first RRSIG (lower case) into out; false if none. */
static bool set_signer(const struct tw_dns_msg *m, const struct tw_dns_rrset *s, uint8_t *out)
{
	if (s->sig_first == TW_DNS_RR_NONE)
		return false;
	struct tw_dns_rrsig rs;
	const struct tw_dns_rr *rr = &m->rr[s->sig_first];
	if (tw_dns_rrsig_view(m->wire, m->len, rr->rdata, rr->rdlen, &rs) != 0)
		return false;
	memcpy(out, rs.signer, rs.signer_len);
	tw_dns_name_lower(out);
	return true;
}

static uint32_t set_ttl(const struct tw_dns_rrset *s, const uint16_t *next, const uint32_t *ttls,
			uint16_t *idx, unsigned *n, uint16_t *sig, unsigned *ns)
{
	uint32_t ttl = UINT32_MAX;
	*n = *ns = 0;
	for (uint16_t i = s->first; i != TW_DNS_RR_NONE; i = next[i]) {
		idx[(*n)++] = i;
		if (ttls[i] < ttl)
			ttl = ttls[i];
	}
	for (uint16_t i = s->sig_first; i != TW_DNS_RR_NONE; i = next[i]) {
		sig[(*ns)++] = i;
		if (ttls[i] < ttl)
			ttl = ttls[i];
	}
	return ttl;
}

int cache_neg_ingest(struct tw_cache_thread *t, const struct tw_dns_msg *m,
		     const uint32_t *ttls, uint32_t now)
{
	struct tw_cache *c = t->c;
	if (m->rr_count > NEG_MAX_RR)
		return 0;
	struct tw_dns_rrset sets[NEG_MAX_SETS];
	uint16_t next[NEG_MAX_RR];
	size_t nsets;
	if (tw_dns_rrsets_group(m, TW_DNS_SEC_NS, sets, NEG_MAX_SETS, next, &nsets) != 0)
		return 0;

	/* the zone: the signer of the first NSEC/NSEC3 set */
	uint8_t zone[TW_DNS_NAME_MAXLEN];
	bool have_zone = false;
	bool nsec3 = false;
	for (size_t s = 0; s < nsets && !have_zone; s++)
		if ((sets[s].type == TW_DNS_T_NSEC || sets[s].type == TW_DNS_T_NSEC3) &&
		    sets[s].count == 1 && set_signer(m, &sets[s], zone)) {
			have_zone = true;
			nsec3 = sets[s].type == TW_DNS_T_NSEC3;
		}
	if (!have_zone)
		return 0;
	unsigned zone_labels = tw_dns_name_labels(zone);

	uint16_t idx[NEG_MAX_RR], sig[NEG_MAX_RR];
	unsigned n, ns;
	struct neg_range *fresh[NEG_MAX_NEW];
	unsigned nfresh = 0;
	struct neg_range *soa = NULL;
	uint32_t soa_neg = UINT32_MAX;
	struct tw_dns_nsec3 params = { 0 };
	bool have_params = false;
	int err = 0;

	/* the SOA first: RFC 9077 caps the ranges' TTLs at its negative TTL */
	for (size_t s = 0; s < nsets; s++) {
		const struct tw_dns_rrset *set = &sets[s];
		uint8_t owner[TW_DNS_NAME_MAXLEN], signer[TW_DNS_NAME_MAXLEN];
		if (set->type != TW_DNS_T_SOA || set->count != 1 || !set_signer(m, set, signer) ||
		    !tw_dns_name_equal(signer, zone) ||
		    tw_dns_name_unpack(m->wire, m->len, set->owner, owner, NULL, NULL) != 0 ||
		    !tw_dns_name_equal(owner, zone))
			continue;
		uint32_t ttl = set_ttl(set, next, ttls, idx, &n, sig, &ns);
		ttl = cache_cap_by_sigs(m, sig, ns, ttl, now);
		struct tw_dns_soa sv;
		const struct tw_dns_rr *rr = &m->rr[idx[0]];
		if (tw_dns_soa_view(m->wire, m->len, rr->rdata, rr->rdlen, &sv) != 0)
			continue;
		soa_neg = ttl < sv.minimum ? ttl : sv.minimum;
		size_t slen = cache_rrset_serialize(t, m, idx, n, sig, ns, set->type, set->cls,
						    TW_CACHE_SECURE, TW_EDE_NONE, NULL);
		if (!slen)
			break;
		soa = range_new(t, slen, NULL, 0, NULL, 0, NULL, 0, owner, false,
				cache_expiry(c, soa_neg, now), now);
		break;
	}

	for (size_t s = 0; s < nsets && nfresh < NEG_MAX_NEW; s++) {
		const struct tw_dns_rrset *set = &sets[s];
		uint16_t want = nsec3 ? TW_DNS_T_NSEC3 : TW_DNS_T_NSEC;
		uint8_t owner[TW_DNS_NAME_MAXLEN], signer[TW_DNS_NAME_MAXLEN];
		if (set->type != want || set->count != 1 || !set_signer(m, set, signer) ||
		    !tw_dns_name_equal(signer, zone) ||
		    tw_dns_name_unpack(m->wire, m->len, set->owner, owner, NULL, NULL) != 0 ||
		    !tw_dns_name_is_subdomain(owner, zone))
			continue;
		uint32_t ttl = set_ttl(set, next, ttls, idx, &n, sig, &ns);
		ttl = cache_cap_by_sigs(m, sig, ns, ttl, now);
		if (ttl == 0)
			continue;
		if (ttl > soa_neg)
			ttl = soa_neg;
		const struct tw_dns_rr *rr = &m->rr[idx[0]];
		uint8_t key[TW_DNS_NAME_MAXLEN], nxt[TW_DNS_NAME_MAXLEN];
		size_t key_len, next_len;
		const uint8_t *bitmap;
		size_t bitmap_len;
		bool optout = false;
		if (!nsec3) {
			struct tw_dns_nsec v;
			if (tw_dns_nsec_view(m->wire, m->len, rr->rdata, rr->rdlen, &v) != 0 ||
			    !tw_dns_name_is_subdomain(v.next, zone))
				continue;
			key_len = tw_dns_name_copy_lower(key, owner);
			next_len = tw_dns_name_copy_lower(nxt, v.next);
			bitmap = v.bitmap;
			bitmap_len = v.bitmap_len;
		} else {
			struct tw_dns_nsec3 v;
			if (tw_dns_nsec3_view(m->wire, m->len, rr->rdata, rr->rdlen, &v) != 0 ||
			    tw_dns_name_labels(owner) != zone_labels + 1 || v.hash_alg != TW_NSEC3_SHA1 ||
			    v.hash_len != TW_NSEC3_HASH_LEN ||
			    v.iterations > c->conf.nsec3_max_iterations)
				continue;
			if (!have_params) {
				params = v;
				have_params = true;
			} else if (v.iterations != params.iterations || v.salt_len != params.salt_len ||
				   memcmp(v.salt, params.salt, v.salt_len) != 0) {
				continue;
			}
			if (tw_base32hex_decode((const char *)owner + 1, owner[0], key, sizeof(key),
						&key_len) != 0 ||
			    key_len != TW_NSEC3_HASH_LEN)
				continue;
			memcpy(nxt, v.next_hash, v.hash_len);
			next_len = v.hash_len;
			bitmap = v.bitmap;
			bitmap_len = v.bitmap_len;
			optout = v.flags & TW_DNS_NSEC3_F_OPTOUT;
		}
		size_t slen = cache_rrset_serialize(t, m, idx, n, sig, ns, set->type, set->cls,
						    TW_CACHE_SECURE, TW_EDE_NONE, NULL);
		if (!slen)
			continue;
		struct neg_range *r = range_new(t, slen, key, key_len, nxt, next_len, bitmap,
						bitmap_len, owner, optout, cache_expiry(c, ttl, now), now);
		if (!r) {
			err = -TW_ENOMEM;
			break;
		}
		fresh[nfresh++] = r;
	}
	if (nfresh == 0) {
		/* an SOA alone proves nothing (e.g. NSEC3 above the iteration limit) */
		free(soa);
		return err;
	}

	/* merge with the zone's current snapshot */
	uint16_t cls = sets[0].cls;
	size_t klen = cache_key(t, TW_CACHE_KIND_NEG, 0, cls, 0, zone);
	uint64_t h = cache_hash(c, t->keybuf, klen);
	struct cache_entry *old = cache_find(t, t->keybuf, klen, h, now);
	const struct neg_val *ov = old ? (const struct neg_val *)cache_entry_val(old) : NULL;
	if (ov && (ov->nsec3 != nsec3 ||
		   (nsec3 && have_params &&
		    (ov->iterations != params.iterations || ov->salt_len != params.salt_len ||
		     memcmp(ov->salt, params.salt, params.salt_len) != 0))))
		ov = NULL; /* the zone changed its denial: start over */
	if (ov && nsec3 && !have_params) {
		params.hash_alg = ov->hash_alg;
		params.iterations = ov->iterations;
		params.salt_len = ov->salt_len;
		params.salt = ov->salt;
		have_params = true;
	}
	unsigned nold = ov ? ov->nranges : 0;
	struct cand *cands = malloc((nold + nfresh) * sizeof(*cands) + 1);
	if (!cands) {
		err = -TW_ENOMEM;
		goto out;
	}
	unsigned nc = 0;
	for (unsigned i = 0; i < nold; i++) {
		const struct neg_range *r = v_range(ov, i);
		if ((int32_t)(r->expires - now) > 0) {
			cands[nc] = (struct cand){ r, false, nc };
			nc++;
		}
	}
	for (unsigned i = 0; i < nfresh; i++) {
		cands[nc] = (struct cand){ fresh[i], true, nc };
		nc++;
	}
	qsort(cands, nc, sizeof(*cands), nsec3 ? cmp_nsec3 : cmp_nsec);
	/* one range per key, the newest */
	unsigned nu = 0;
	for (unsigned i = 0; i < nc; i++) {
		bool same = i + 1 < nc &&
			    (nsec3 ? hash_cmp(r_key(cands[i].r), cands[i].r->key_len,
					      r_key(cands[i + 1].r), cands[i + 1].r->key_len) == 0
				   : tw_dns_name_cmp(r_key(cands[i].r), r_key(cands[i + 1].r)) == 0);
		if (!same)
			cands[nu++] = cands[i];
	}
	nc = nu;
	if (nc > c->conf.neg_max_ranges) {
		/* keep what this answer brought and the longest-lived of the rest */
		qsort(cands, nc, sizeof(*cands), cmp_keep);
		nc = c->conf.neg_max_ranges;
		for (unsigned i = 0; i < nc; i++)
			cands[i].order = i;
		qsort(cands, nc, sizeof(*cands), nsec3 ? cmp_nsec3 : cmp_nsec);
	}
	const struct neg_range *soa_r = soa;
	if (!soa_r && ov && ov->soa_off) {
		const struct neg_range *os = (const struct neg_range *)((const uint8_t *)ov + ov->soa_off);
		if ((int32_t)(os->expires - now) > 0)
			soa_r = os;
	}

	size_t head = sizeof(struct neg_val) + nc * sizeof(uint32_t);
	head = (head + 3) & ~(size_t)3;
	size_t vlen = head + (soa_r ? soa_r->len : 0);
	uint32_t expires = soa_r ? soa_r->expires : now;
	for (unsigned i = 0; i < nc; i++) {
		vlen += cands[i].r->len;
		if ((int32_t)(cands[i].r->expires - expires) > 0)
			expires = cands[i].r->expires;
	}
	struct cache_entry *e = cache_entry_new(t, TW_CACHE_KIND_NEG, t->keybuf, klen, vlen);
	if (!e) {
		free(cands);
		err = -TW_ENOMEM;
		goto out;
	}
	struct neg_val *v = (struct neg_val *)cache_entry_val(e);
	memset(v, 0, head);
	v->nsec3 = nsec3;
	if (nsec3 && have_params) {
		v->hash_alg = params.hash_alg;
		v->iterations = params.iterations;
		v->salt_len = params.salt_len;
		memcpy(v->salt, params.salt, params.salt_len);
	}
	v->nranges = (uint16_t)nc;
	uint8_t *p = (uint8_t *)v + head;
	if (soa_r) {
		v->soa_off = (uint32_t)(p - (uint8_t *)v);
		memcpy(p, soa_r, soa_r->len);
		p += soa_r->len;
	}
	for (unsigned i = 0; i < nc; i++) {
		v->range_off[i] = (uint32_t)(p - (uint8_t *)v);
		memcpy(p, cands[i].r, cands[i].r->len);
		p += cands[i].r->len;
	}
	free(cands);
	cache_entry_publish(t, e, h, expires, now);
	err = (int)nfresh;
out:
	for (unsigned i = 0; i < nfresh; i++)
		free(fresh[i]);
	free(soa);
	return err;
}

/* ---- lookup --------------------------------------------------------------------------- */

/* Index of the range with the greatest key <= the probe, or -1. */
static int find_le(const struct neg_val *v, const uint8_t *probe, size_t plen)
{
	int lo = 0, hi = (int)v->nranges - 1, best = -1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct neg_range *r = v_range(v, (unsigned)mid);
		int c = v->nsec3 ? hash_cmp(r_key(r), r->key_len, probe, plen)
				 : tw_dns_name_cmp(r_key(r), probe);
		if (c <= 0) {
			best = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return best;
}

static const struct neg_range *live(const struct neg_range *r, uint32_t now)
{
	return r && (int32_t)(r->expires - now) > 0 ? r : NULL;
}

static const struct neg_range *nsec_match(const struct neg_val *v, const uint8_t *name, uint32_t now)
{
	int i = find_le(v, name, 0);
	if (i < 0)
		return NULL;
	const struct neg_range *r = v_range(v, (unsigned)i);
	return tw_dns_name_cmp(r_key(r), name) == 0 ? live(r, now) : NULL;
}

/* The NSEC that proves `name` absent: owner < name < next, or the last NSEC of
 * the chain (next = the apex) with owner < name. */
static const struct neg_range *nsec_cover(const struct neg_val *v, const uint8_t *name,
					  const uint8_t *zone, uint32_t now)
{
	int i = find_le(v, name, 0);
	if (i < 0)
		return NULL;
	const struct neg_range *r = v_range(v, (unsigned)i);
	if (tw_dns_name_cmp(r_key(r), name) >= 0)
		return NULL;
	bool wraps = tw_dns_name_equal(r_next(r), zone);
	if (!wraps && tw_dns_name_cmp(name, r_next(r)) >= 0)
		return NULL;
	/* RFC 6840 §4.1: an NSEC at a delegation or DNAME says nothing below it */
	if (tw_dns_name_is_subdomain(name, r_key(r)) &&
	    (r_has(r, TW_DNS_T_DNAME) || (r_has(r, TW_DNS_T_NS) && !r_has(r, TW_DNS_T_SOA))))
		return NULL;
	return live(r, now);
}

static const struct neg_range *nsec3_match(const struct neg_val *v, const uint8_t *h, uint32_t now)
{
	int i = find_le(v, h, TW_NSEC3_HASH_LEN);
	if (i < 0)
		return NULL;
	const struct neg_range *r = v_range(v, (unsigned)i);
	return hash_cmp(r_key(r), r->key_len, h, TW_NSEC3_HASH_LEN) == 0 ? live(r, now) : NULL;
}

static const struct neg_range *nsec3_cover(const struct neg_val *v, const uint8_t *h, uint32_t now)
{
	if (v->nranges == 0)
		return NULL;
	int i = find_le(v, h, TW_NSEC3_HASH_LEN);
	/* below the smallest cached hash only the chain's last range can cover */
	const struct neg_range *r = v_range(v, i < 0 ? v->nranges - 1u : (unsigned)i);
	int c_owner = hash_cmp(r_key(r), r->key_len, h, TW_NSEC3_HASH_LEN);
	int c_next = hash_cmp(h, TW_NSEC3_HASH_LEN, r_next(r), r->next_len);
	bool wraps = hash_cmp(r_next(r), r->next_len, r_key(r), r->key_len) <= 0;
	bool covers = wraps ? (c_owner < 0 || c_next < 0) : (c_owner < 0 && c_next < 0);
	return covers ? live(r, now) : NULL;
}

struct synth_ctx {
	struct tw_cache_synth *out;
	uint32_t now;
};

static void add_proof(struct synth_ctx *s, const struct neg_range *r)
{
	struct tw_cache_synth *o = s->out;
	for (unsigned i = 0; i < o->nauth; i++)
		if (o->auth[i].data == (const uint8_t *)(r_rrset(r) + 1))
			return;
	if (o->nauth >= TW_CACHE_SYNTH_MAX)
		return;
	cache_rrset_view(r_rrset(r), r_owner(r), r->expires, s->now, &o->auth[o->nauth++]);
}

/* The wildcard "*.<ce>" into out. */
static bool wildcard_of(const uint8_t *ce, uint8_t *out)
{
	size_t l = tw_dns_name_len(ce);
	if (l + 2 > TW_DNS_NAME_MAXLEN)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, ce, l);
	return true;
}

/* A positive answer from the wildcard's cached RRset (RFC 8198 §5.3). */
static bool wildcard_answer(struct tw_cache_thread *t, struct synth_ctx *s, const uint8_t *wild,
			    uint16_t qtype, uint16_t qclass)
{
	uint64_t hash;
	size_t klen = cache_key_hash(t, TW_CACHE_KIND_RRSET, qtype, qclass, 0, wild, &hash);
	struct cache_entry *e = cache_find(t, t->keybuf, klen, hash, s->now);
	if (!e)
		return false;
	const struct cache_rrset_hdr *h = (const struct cache_rrset_hdr *)cache_entry_val(e);
	if (h->status != TW_CACHE_SECURE || h->count == 0 || h->sig_count == 0)
		return false;
	cache_rrset_view(h, cache_entry_name(e), e->expires, s->now, &s->out->answer);
	s->out->has_answer = true;
	return true;
}

/* The wildcard at the closest encloser exists (its NSEC/NSEC3 w matches): an
 * expansion of the cached RRset when it has the type, wildcard NODATA (RFC 4035
 * §3.1.3.4, RFC 5155 §7.2.5) when it has neither the type nor a CNAME. */
static bool wildcard_exists(struct tw_cache_thread *t, struct synth_ctx *s,
			    const struct neg_range *w, const uint8_t *wild, uint16_t qtype,
			    uint16_t qclass)
{
	s->out->rcode = TW_DNS_R_NOERROR;
	if (r_has(w, qtype))
		return wildcard_answer(t, s, wild, qtype, qclass);
	if (r_has(w, TW_DNS_T_CNAME))
		return false;
	add_proof(s, w);
	return true;
}

static bool synth_nsec(struct tw_cache_thread *t, const struct neg_val *v, const uint8_t *zone,
		       const uint8_t *qname, uint16_t qtype, uint16_t qclass, struct synth_ctx *s)
{
	const struct neg_range *r = nsec_match(v, qname, s->now);
	if (r) {
		/* NODATA (RFC 4035 §5.4); the parent side of a cut only answers for DS */
		bool cut = r_has(r, TW_DNS_T_NS) && !r_has(r, TW_DNS_T_SOA);
		if (r_has(r, qtype) || r_has(r, TW_DNS_T_CNAME) || (cut && qtype != TW_DNS_T_DS) ||
		    r_has(r, TW_DNS_T_DNAME))
			return false;
		add_proof(s, r);
		s->out->rcode = TW_DNS_R_NOERROR;
		return true;
	}
	r = nsec_cover(v, qname, zone, s->now);
	if (!r)
		return false;
	/* a range ending below qname makes qname an empty non-terminal: it exists,
	 * with no types (RFC 4035 §3.1.3.2 NODATA) */
	if (tw_dns_name_is_subdomain(r_next(r), qname)) {
		if (qtype == TW_DNS_T_DS)
			return false; /* an ENT is no cut, yet leave DS to the farm */
		add_proof(s, r);
		s->out->rcode = TW_DNS_R_NOERROR;
		return true;
	}
	/* RFC 4035 §5.4 / RFC 8198 §5.1: the closest encloser is the longest
	 * ancestor of qname that the covering NSEC's owner or next name shares */
	unsigned ce_labels = tw_dns_name_common_labels(qname, r_key(r));
	unsigned nl = tw_dns_name_common_labels(qname, r_next(r));
	if (nl > ce_labels)
		ce_labels = nl;
	if (ce_labels < tw_dns_name_labels(zone))
		return false;
	const uint8_t *ce = tw_dns_name_suffix(qname, ce_labels);
	uint8_t wild[TW_DNS_NAME_MAXLEN];
	if (!ce || !wildcard_of(ce, wild))
		return false;
	add_proof(s, r);
	const struct neg_range *w = nsec_match(v, wild, s->now);
	if (w)
		return wildcard_exists(t, s, w, wild, qtype, qclass);
	w = nsec_cover(v, wild, zone, s->now);
	if (!w)
		return false;
	add_proof(s, w);
	s->out->rcode = TW_DNS_R_NXDOMAIN;
	return true;
}

#define SYNTH_MAX_HASHES 32

static bool synth_nsec3(struct tw_cache_thread *t, const struct neg_val *v, const uint8_t *zone,
			const uint8_t *qname, uint16_t qtype, uint16_t qclass, struct synth_ctx *s)
{
	struct tw_crypto_policy pol;
	tw_crypto_policy_default(&pol);
	pol.nsec3_max_iterations = t->c->conf.nsec3_max_iterations;
	uint8_t h[TW_NSEC3_HASH_LEN];
	unsigned hashes = 0;
#define HASH(name) \
	(++hashes <= SYNTH_MAX_HASHES && \
	 tw_crypto_nsec3_hash(&pol, v->hash_alg, v->iterations, v->salt, v->salt_len, (name), h) == 0)

	if (!HASH(qname))
		return false;
	const struct neg_range *r = nsec3_match(v, h, s->now);
	if (r) {
		bool cut = r_has(r, TW_DNS_T_NS) && !r_has(r, TW_DNS_T_SOA);
		if (r_has(r, qtype) || r_has(r, TW_DNS_T_CNAME) || r_has(r, TW_DNS_T_DNAME) ||
		    (cut && qtype != TW_DNS_T_DS))
			return false;
		add_proof(s, r);
		s->out->rcode = TW_DNS_R_NOERROR;
		return true;
	}
	/* RFC 5155 §8.3: closest encloser proof, walking up from qname's parent */
	unsigned zl = tw_dns_name_labels(zone), ql = tw_dns_name_labels(qname);
	for (unsigned l = ql - 1; l + 1 > zl && l < ql; l--) {
		const uint8_t *cand = tw_dns_name_suffix(qname, l);
		if (!HASH(cand))
			return false;
		const struct neg_range *ce = nsec3_match(v, h, s->now);
		if (!ce)
			continue;
		/* under a delegation or a DNAME nothing here proves anything */
		if (r_has(ce, TW_DNS_T_DNAME) ||
		    (r_has(ce, TW_DNS_T_NS) && !r_has(ce, TW_DNS_T_SOA)))
			return false;
		const uint8_t *nc = tw_dns_name_suffix(qname, l + 1);
		if (!HASH(nc))
			return false;
		const struct neg_range *ncr = nsec3_cover(v, h, s->now);
		/* RFC 8198 §5.2 / RFC 5155 §9.2: an opt-out span proves no NXDOMAIN */
		if (!ncr || ncr->optout)
			return false;
		uint8_t wild[TW_DNS_NAME_MAXLEN];
		if (!wildcard_of(cand, wild) || !HASH(wild))
			return false;
		add_proof(s, ce);
		add_proof(s, ncr);
		const struct neg_range *w = nsec3_match(v, h, s->now);
		if (w)
			return wildcard_exists(t, s, w, wild, qtype, qclass);
		w = nsec3_cover(v, h, s->now);
		if (!w)
			return false;
		add_proof(s, w);
		s->out->rcode = TW_DNS_R_NXDOMAIN;
		return true;
	}
#undef HASH
	return false;
}

bool tw_cache_synth_lookup(struct tw_cache_thread *t, const uint8_t *qname, uint16_t qtype,
			   uint16_t qclass, uint32_t now, struct tw_cache_synth *out)
{
	struct tw_cache_kind_stats *ks = &t->stats.kind[TW_CACHE_KIND_NEG];
	if (!t->c->conf.aggressive) {
		CACHE_CNT_INC(ks->misses);
		return false;
	}
	/* the deepest zone above qname with ranges; a DS lives in the parent zone */
	const uint8_t *z = qname;
	if (qtype == TW_DNS_T_DS)
		z = tw_dns_name_parent(qname);
	struct cache_entry *e = NULL;
	for (; z; z = tw_dns_name_parent(z)) {
		uint64_t h;
		size_t klen = cache_key_hash(t, TW_CACHE_KIND_NEG, 0, qclass, 0, z, &h);
		e = cache_find(t, t->keybuf, klen, h, now);
		if (e)
			break;
	}
	if (!e) {
		CACHE_CNT_INC(ks->misses);
		return false;
	}
	const struct neg_val *v = (const struct neg_val *)cache_entry_val(e);
	const uint8_t *zone = cache_entry_name(e);
	uint8_t lq[TW_DNS_NAME_MAXLEN];
	tw_dns_name_copy_lower(lq, qname);
	memset(out, 0, sizeof(*out));
	out->status = TW_CACHE_SECURE;
	struct synth_ctx s = { out, now };
	bool ok = v->nsec3 ? synth_nsec3(t, v, zone, lq, qtype, qclass, &s)
			   : synth_nsec(t, v, zone, lq, qtype, qclass, &s);
	if (ok && !out->has_answer) {
		/* a negative answer carries the zone's SOA (RFC 2308 §3) */
		const struct neg_range *soa =
			v->soa_off ? live((const struct neg_range *)((const uint8_t *)v + v->soa_off), now)
				   : NULL;
		if (!soa || out->nauth >= TW_CACHE_SYNTH_MAX) {
			ok = false;
		} else {
			memmove(&out->auth[1], &out->auth[0], out->nauth * sizeof(out->auth[0]));
			cache_rrset_view(r_rrset(soa), r_owner(soa), soa->expires, now, &out->auth[0]);
			out->nauth++;
		}
	}
	if (!ok) {
		CACHE_CNT_INC(ks->misses);
		return false;
	}
	/* the smallest TTL among the RRsets served (each already bounded by what
	 * was stored, even for a clock behind the inserter's) */
	out->ttl = out->has_answer ? out->answer.ttl : UINT32_MAX;
	for (unsigned i = 0; i < out->nauth; i++)
		if (out->auth[i].ttl < out->ttl)
			out->ttl = out->auth[i].ttl;
	CACHE_CNT_INC(ks->hits);
	return true;
}
