/* Authenticated denial of existence: NSEC (RFC 4035 §5.4, RFC 6840 §4) and NSEC3
 * (RFC 5155 §8, RFC 9276) proofs for NXDOMAIN, NODATA, wildcard answers and the
 * DS answers that locate zone cuts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/val_internal.h"
#include "dns/error.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

#define MAX_DN 64

struct dn_nsec {
	const uint8_t *owner;
	const uint8_t *next;
	const uint8_t *bm;
	size_t bml;
};

struct dn_nsec3 {
	const uint8_t *owner;
	uint8_t hash[TW_NSEC3_HASH_LEN];
	struct tw_dns_nsec3 v;
};

struct proof {
	const struct tw_val_zone *z;
	struct dn_nsec nsec[MAX_DN];
	unsigned nnsec;
	struct dn_nsec3 nsec3[MAX_DN];
	unsigned nnsec3;
	uint32_t ttl;
	uint16_t fail_ede; /* the first NSEC/NSEC3 set that did not verify */
	char fail_reason[TW_VAL_REASON_LEN];
};

static bool has(const uint8_t *bm, size_t len, uint16_t t)
{
	return tw_dns_bitmap_has(bm, len, t);
}

/* RFC 4648 §7 base32hex, either case: the NSEC3 owner label -> hash. */
static int b32hex_decode(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i], v;
		if (c >= '0' && c <= '9')
			v = (uint8_t)(c - '0');
		else if (c >= 'a' && c <= 'v')
			v = (uint8_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'V')
			v = (uint8_t)(c - 'A' + 10);
		else
			return -1;
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			if (o == cap)
				return -1;
			out[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return (int)o;
}

/* ---- gathering: the verified NSEC/NSEC3 records of r signed by z ---- */

static struct vres gather(struct tw_val_query *q, const struct val_resp *r,
			  const struct tw_val_zone *z, struct proof *p)
{
	const struct tw_dns_msg *m = &r->m;
	bool pending = false;
	p->z = z;
	p->ttl = q->conf->limits.max_ttl;
	p->fail_ede = TW_EDE_NONE;
	char saved[TW_VAL_REASON_LEN];
	for (unsigned s = 0; s < r->nsets; s++) {
		const struct tw_dns_rrset *set = &r->sets[s];
		if (set->section != TW_DNS_SEC_NS || !set->count)
			continue;
		if (set->type != TW_DNS_T_NSEC && set->type != TW_DNS_T_NSEC3 &&
		    set->type != TW_DNS_T_SOA)
			continue;
		const uint8_t *sg = val_set_signer(r, s);
		if (!sg || !tw_dns_name_equal(sg, z->name))
			continue;
		memcpy(saved, q->reason, sizeof(saved));
		struct vres v = val_verify_set(q, r, s, z, false);
		if (v.st == V_PENDING) {
			pending = true;
			continue;
		}
		if (v.st == V_BOGUS) {
			if (p->fail_ede == TW_EDE_NONE) {
				p->fail_ede = v.ede;
				memcpy(p->fail_reason, q->reason, sizeof(p->fail_reason));
			}
			memcpy(q->reason, saved, sizeof(saved));
			if (v.ede == TW_EDE_DNSSEC_BOGUS && q->limit_hit)
				return val_bogus(q, v.ede, "%s", p->fail_reason);
			continue;
		}
		val_cap_set(q, r, s, v.ttl);
		if (v.ttl < p->ttl)
			p->ttl = v.ttl;
		for (uint16_t i = set->first; i != TW_DNS_RR_NONE; i = r->next[i]) {
			const struct tw_dns_rr *rr = &m->rr[i];
			if (set->type == TW_DNS_T_NSEC && p->nnsec < MAX_DN) {
				struct tw_dns_nsec nv;
				if (tw_dns_nsec_view(m->wire, m->len, rr->rdata, rr->rdlen, &nv) < 0)
					continue;
				p->nsec[p->nnsec++] = (struct dn_nsec){ r->owner[s], nv.next,
									nv.bitmap, nv.bitmap_len };
			} else if (set->type == TW_DNS_T_NSEC3 && p->nnsec3 < MAX_DN) {
				struct dn_nsec3 *d = &p->nsec3[p->nnsec3];
				if (tw_dns_nsec3_view(m->wire, m->len, rr->rdata, rr->rdlen, &d->v) < 0)
					continue;
				/* RFC 5155 §8.2: unknown hash algorithms and flags are
				 * ignored; the owner must be one hash label over z */
				if (d->v.hash_alg != TW_NSEC3_SHA1 || (d->v.flags & ~1u) ||
				    d->v.hash_len != TW_NSEC3_HASH_LEN)
					continue;
				const uint8_t *o = r->owner[s];
				if (!tw_dns_name_equal(tw_dns_name_parent(o), z->name))
					continue;
				if (b32hex_decode(o + 1, o[0], d->hash, sizeof(d->hash)) !=
				    TW_NSEC3_HASH_LEN)
					continue;
				d->owner = o;
				p->nnsec3++;
			}
		}
	}
	if (pending)
		return val_pending();
	return val_secure(p->ttl);
}

static struct vres no_proof(struct tw_val_query *q, const struct proof *p, const char *what,
			    const uint8_t *name)
{
	char nb[TW_DNS_NAME_STRLEN];
	if (p->fail_ede != TW_EDE_NONE)
		return val_bogus(q, p->fail_ede, "%s", p->fail_reason);
	return val_bogus(q, TW_EDE_NSEC_MISSING, "no valid %s proof for %s", what,
			 val_name_str(name, nb));
}

/* ---- NSEC ---- */

/* RFC 6840 §4.1: an NSEC at a delegation (NS without SOA) or at a DNAME proves
 * nothing about names below its owner. */
static bool nsec_usable_for(const struct dn_nsec *n, const uint8_t *name)
{
	if (tw_dns_name_equal(n->owner, name) || !tw_dns_name_is_subdomain(name, n->owner))
		return true;
	if (has(n->bm, n->bml, TW_DNS_T_DNAME))
		return false;
	return !(has(n->bm, n->bml, TW_DNS_T_NS) && !has(n->bm, n->bml, TW_DNS_T_SOA));
}

static bool nsec_covers(const struct dn_nsec *n, const uint8_t *name, const uint8_t *zone)
{
	if (tw_dns_name_cmp(n->owner, name) >= 0 || !nsec_usable_for(n, name))
		return false;
	if (tw_dns_name_cmp(n->next, n->owner) <= 0) /* the last NSEC: wraps to the apex */
		return tw_dns_name_is_subdomain(name, zone);
	return tw_dns_name_cmp(name, n->next) < 0;
}

static const struct dn_nsec *nsec_match(const struct proof *p, const uint8_t *name)
{
	for (unsigned i = 0; i < p->nnsec; i++)
		if (tw_dns_name_equal(p->nsec[i].owner, name))
			return &p->nsec[i];
	return NULL;
}

static const struct dn_nsec *nsec_cover(const struct proof *p, const uint8_t *name)
{
	for (unsigned i = 0; i < p->nnsec; i++)
		if (nsec_covers(&p->nsec[i], name, p->z->name))
			return &p->nsec[i];
	return NULL;
}

/* "*." + ce into out. */
static void wildcard_of(const uint8_t *ce, uint8_t *out)
{
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, ce, tw_dns_name_len(ce));
}

/* The closest encloser that a covering NSEC implies (RFC 4592 §3.3.1). */
static const uint8_t *nsec_ce(const struct dn_nsec *n, const uint8_t *name)
{
	unsigned a = tw_dns_name_common_labels(name, n->owner),
		 b = tw_dns_name_common_labels(name, n->next);
	return tw_dns_name_suffix(name, a > b ? a : b);
}

/* A NODATA at an existing name: the NSEC's types. 1 proven, 0 not. */
static int nsec_types_deny(const struct dn_nsec *n, const uint8_t *name, uint16_t qtype)
{
	if (has(n->bm, n->bml, qtype) || has(n->bm, n->bml, TW_DNS_T_CNAME))
		return 0;
	if (qtype == TW_DNS_T_DS) {
		/* RFC 6840 §4.4: the child's apex NSEC says nothing about DS */
		if (has(n->bm, n->bml, TW_DNS_T_SOA) && name[0] != 0)
			return 0;
	} else if (has(n->bm, n->bml, TW_DNS_T_NS) && !has(n->bm, n->bml, TW_DNS_T_SOA)) {
		/* the parent's NSEC at a cut says nothing about the child's data */
		return 0;
	}
	return 1;
}

static struct vres nsec_proof(struct tw_val_query *q, const struct proof *p, const uint8_t *name,
			      uint16_t qtype, enum val_denial kind)
{
	uint8_t wc[TW_DNS_NAME_MAXLEN + 2];
	const struct dn_nsec *c = nsec_cover(p, name);
	if (kind == D_NXDOMAIN) {
		if (!c || tw_dns_name_is_subdomain(c->next, name)) /* ENT: it exists */
			return no_proof(q, p, "NSEC NXDOMAIN", name);
		const uint8_t *ce = nsec_ce(c, name);
		wildcard_of(ce, wc);
		if (tw_dns_name_len(wc) > TW_DNS_NAME_MAXLEN || nsec_match(p, wc) ||
		    !nsec_cover(p, wc))
			return no_proof(q, p, "NSEC wildcard", name);
		return val_secure(p->ttl);
	}
	const struct dn_nsec *mt = nsec_match(p, name);
	if (mt) {
		if (nsec_types_deny(mt, name, qtype))
			return val_secure(p->ttl);
		return no_proof(q, p, "NSEC NODATA", name);
	}
	if (c && tw_dns_name_is_subdomain(c->next, name) && !tw_dns_name_equal(c->next, name))
		return val_secure(p->ttl); /* empty non-terminal */
	if (c) {
		/* RFC 4035 §3.1.3.4: NODATA at a wildcard */
		const uint8_t *ce = nsec_ce(c, name);
		wildcard_of(ce, wc);
		const struct dn_nsec *w = tw_dns_name_len(wc) <= TW_DNS_NAME_MAXLEN
						  ? nsec_match(p, wc)
						  : NULL;
		if (w && nsec_types_deny(w, wc, qtype))
			return val_secure(p->ttl);
	}
	return no_proof(q, p, "NSEC NODATA", name);
}

/* ---- NSEC3 ---- */

/* H(name) with the parameters of record d, remembered per query; NULL when the
 * hash budget is spent (or hashing failed). */
static const uint8_t *nsec3_hash(struct tw_val_query *q, const struct dn_nsec3 *d,
				 const uint8_t *name, bool *limit)
{
	for (unsigned i = 0; i < q->nhashes; i++) {
		struct val_hash *h = &q->hashes[i];
		if (h->iterations == d->v.iterations && h->salt_len == d->v.salt_len &&
		    memcmp(h->salt, d->v.salt, d->v.salt_len) == 0 &&
		    tw_dns_name_equal(h->name, name))
			return h->hash;
	}
	unsigned max = q->conf->limits.max_nsec3_hashes;
	if (max > VAL_MAX_HASHES)
		max = VAL_MAX_HASHES;
	if (q->nhashes >= max) {
		*limit = true;
		return NULL;
	}
	if (!q->hashes && !(q->hashes = malloc(VAL_MAX_HASHES * sizeof(*q->hashes))))
		return NULL;
	struct val_hash *h = &q->hashes[q->nhashes];
	if (tw_crypto_nsec3_hash(&q->conf->policy, d->v.hash_alg, d->v.iterations, d->v.salt,
				 d->v.salt_len, name, h->hash) < 0)
		return NULL;
	tw_dns_name_copy_lower(h->name, name);
	memcpy(h->salt, d->v.salt, d->v.salt_len);
	h->salt_len = d->v.salt_len;
	h->iterations = d->v.iterations;
	q->nhashes++;
	q->result.stats.nsec3_hashes++;
	return h->hash;
}

struct n3ctx {
	struct tw_val_query *q;
	const struct proof *p;
	bool limit;
};

static const struct dn_nsec3 *n3_match(struct n3ctx *c, const uint8_t *name)
{
	for (unsigned i = 0; i < c->p->nnsec3; i++) {
		const struct dn_nsec3 *d = &c->p->nsec3[i];
		const uint8_t *h = nsec3_hash(c->q, d, name, &c->limit);
		if (!h)
			return NULL;
		if (memcmp(h, d->hash, TW_NSEC3_HASH_LEN) == 0)
			return d;
	}
	return NULL;
}

static const struct dn_nsec3 *n3_cover(struct n3ctx *c, const uint8_t *name)
{
	for (unsigned i = 0; i < c->p->nnsec3; i++) {
		const struct dn_nsec3 *d = &c->p->nsec3[i];
		const uint8_t *h = nsec3_hash(c->q, d, name, &c->limit);
		if (!h)
			return NULL;
		int lo = memcmp(d->hash, h, TW_NSEC3_HASH_LEN);
		int hi = memcmp(h, d->v.next_hash, TW_NSEC3_HASH_LEN);
		bool wraps = memcmp(d->v.next_hash, d->hash, TW_NSEC3_HASH_LEN) <= 0;
		if (wraps ? (lo < 0 || hi < 0) : (lo < 0 && hi < 0))
			return d;
	}
	return NULL;
}

/* RFC 5155 §8.3: the closest encloser proof. Returns the closest encloser
 * (pointing into name) with *nc_cover the record covering the next closer name;
 * NULL when there is none (or name itself exists: *exists). */
static const uint8_t *n3_closest_encloser(struct n3ctx *c, const uint8_t *name,
					  const struct dn_nsec3 **nc_cover, bool *exists)
{
	unsigned zl = tw_dns_name_labels(c->p->z->name);
	*exists = false;
	for (unsigned l = tw_dns_name_labels(name);; l--) {
		const uint8_t *anc = tw_dns_name_suffix(name, l);
		const struct dn_nsec3 *m = n3_match(c, anc);
		if (c->limit)
			return NULL;
		if (m) {
			if (l == tw_dns_name_labels(name)) {
				*exists = true;
				return NULL;
			}
			/* an encloser at a cut or a DNAME proves nothing below */
			if (has(m->v.bitmap, m->v.bitmap_len, TW_DNS_T_DNAME) ||
			    (has(m->v.bitmap, m->v.bitmap_len, TW_DNS_T_NS) &&
			     !has(m->v.bitmap, m->v.bitmap_len, TW_DNS_T_SOA)))
				return NULL;
			*nc_cover = n3_cover(c, tw_dns_name_suffix(name, l + 1));
			return *nc_cover ? anc : NULL;
		}
		if (l <= zl)
			return NULL;
	}
}

static int n3_types_deny(const struct dn_nsec3 *d, const uint8_t *name, uint16_t qtype)
{
	struct dn_nsec n = { d->owner, d->owner, d->v.bitmap, d->v.bitmap_len };
	return nsec_types_deny(&n, name, qtype);
}

static struct vres n3_limit(struct tw_val_query *q)
{
	q->result.stats.limit_nsec3++;
	q->limit_hit = true;
	return val_bogus(q, TW_EDE_DNSSEC_BOGUS, "limit: more than %u NSEC3 hashes",
			 q->conf->limits.max_nsec3_hashes);
}

/* Iteration counts above the policy make the answer insecure (RFC 9276 §3.2). */
static bool n3_too_costly(struct tw_val_query *q, const struct proof *p, struct vres *v)
{
	for (unsigned i = 0; i < p->nnsec3; i++) {
		if (p->nsec3[i].v.iterations > q->conf->policy.nsec3_max_iterations) {
			char zb[TW_DNS_NAME_STRLEN];
			*v = val_insecure(q, TW_EDE_UNSUPPORTED_NSEC3_ITERATIONS,
					  "%s: NSEC3 iterations %u above the limit %u",
					  val_name_str(p->z->name, zb), p->nsec3[i].v.iterations,
					  q->conf->policy.nsec3_max_iterations);
			return true;
		}
	}
	return false;
}

static struct vres nsec3_proof(struct tw_val_query *q, const struct proof *p,
			       const uint8_t *name, uint16_t qtype, enum val_denial kind)
{
	struct n3ctx c = { q, p, false };
	struct vres v;
	if (n3_too_costly(q, p, &v))
		return v;
	uint8_t wc[TW_DNS_NAME_MAXLEN + 2];
	const struct dn_nsec3 *ncc = NULL;
	bool exists;
	if (kind == D_NXDOMAIN) {
		const uint8_t *ce = n3_closest_encloser(&c, name, &ncc, &exists);
		if (c.limit)
			return n3_limit(q);
		if (!ce)
			return no_proof(q, p, "NSEC3 closest encloser", name);
		wildcard_of(ce, wc);
		if (tw_dns_name_len(wc) > TW_DNS_NAME_MAXLEN || !n3_cover(&c, wc)) {
			if (c.limit)
				return n3_limit(q);
			return no_proof(q, p, "NSEC3 wildcard", name);
		}
		if (ncc->v.flags & TW_DNS_NSEC3_F_OPTOUT) {
			char nb[TW_DNS_NAME_STRLEN];
			return val_insecure(q, TW_EDE_NONE,
					    "NXDOMAIN for %s under an NSEC3 opt-out span",
					    val_name_str(name, nb));
		}
		return val_secure(p->ttl);
	}
	const struct dn_nsec3 *m = n3_match(&c, name);
	if (c.limit)
		return n3_limit(q);
	if (m) {
		if (n3_types_deny(m, name, qtype))
			return val_secure(p->ttl);
		return no_proof(q, p, "NSEC3 NODATA", name);
	}
	const uint8_t *ce = n3_closest_encloser(&c, name, &ncc, &exists);
	if (c.limit)
		return n3_limit(q);
	if (!ce)
		return no_proof(q, p, "NSEC3 NODATA", name);
	if (qtype == TW_DNS_T_DS && (ncc->v.flags & TW_DNS_NSEC3_F_OPTOUT)) {
		/* RFC 5155 §8.6: an opt-out span: unsigned delegation */
		char nb[TW_DNS_NAME_STRLEN];
		return val_insecure(q, TW_EDE_NONE, "%s in an NSEC3 opt-out span",
				    val_name_str(name, nb));
	}
	/* RFC 5155 §8.7: NODATA at a wildcard */
	wildcard_of(ce, wc);
	const struct dn_nsec3 *w = tw_dns_name_len(wc) <= TW_DNS_NAME_MAXLEN ? n3_match(&c, wc)
									       : NULL;
	if (c.limit)
		return n3_limit(q);
	if (w && n3_types_deny(w, wc, qtype))
		return val_secure(p->ttl);
	return no_proof(q, p, "NSEC3 NODATA", name);
}

/* ---- entry points ---- */

/* The zone that signed r's denial records for name: the deepest signer that is
 * an ancestor of name. */
const uint8_t *val_denial_signer(const struct val_resp *r, const uint8_t *name)
{
	const uint8_t *best = NULL;
	for (unsigned s = 0; s < r->nsets; s++) {
		const struct tw_dns_rrset *set = &r->sets[s];
		if (set->section != TW_DNS_SEC_NS ||
		    (set->type != TW_DNS_T_NSEC && set->type != TW_DNS_T_NSEC3 &&
		     set->type != TW_DNS_T_SOA))
			continue;
		const uint8_t *sg = val_set_signer(r, s);
		if (sg && tw_dns_name_is_subdomain(name, sg) &&
		    (!best || tw_dns_name_labels(sg) > tw_dns_name_labels(best)))
			best = sg;
	}
	return best;
}

struct vres val_denial(struct tw_val_query *q, const struct val_resp *r, const uint8_t *name,
		       uint16_t qtype, enum val_denial kind)
{
	char nb[TW_DNS_NAME_STRLEN], zb[TW_DNS_NAME_STRLEN], tb[16];
	const struct tw_val_zone *z = NULL;
	const uint8_t *signer = val_denial_signer(r, name);
	struct vres v;
	if (!signer) {
		/* nothing signed: fine only where no zone signs name */
		const uint8_t *where = name;
		if (qtype == TW_DNS_T_DS && name[0])
			where = tw_dns_name_parent(name);
		v = val_chain(q, where, false, &z);
		if (v.st != V_SECURE)
			return v;
		return val_bogus(q, TW_EDE_NSEC_MISSING, "%s %s: %s without NSEC/NSEC3 from %s",
				 val_name_str(name, nb), tw_dns_type_to_str(qtype, tb),
				 kind == D_NXDOMAIN ? "NXDOMAIN" : "NODATA",
				 val_name_str(z->name, zb));
	}
	v = val_chain(q, signer, true, &z);
	if (v.st != V_SECURE)
		return v;
	struct proof p;
	memset(&p, 0, sizeof(p));
	v = gather(q, r, z, &p);
	if (v.st != V_SECURE)
		return v;
	if (p.nnsec3 && !p.nnsec)
		return nsec3_proof(q, &p, name, qtype, kind);
	if (p.nnsec)
		return nsec_proof(q, &p, name, qtype, kind);
	return no_proof(q, &p, kind == D_NXDOMAIN ? "NXDOMAIN" : "NODATA", name);
}

struct vres val_ds_absent(struct tw_val_query *q, const struct val_resp *r, const uint8_t *name,
			  const struct tw_val_zone *z, int *cut)
{
	struct proof p;
	memset(&p, 0, sizeof(p));
	struct vres v = gather(q, r, z, &p);
	if (v.st != V_SECURE)
		return v;
	*cut = 0;
	if (p.nnsec) {
		const struct dn_nsec *m = nsec_match(&p, name);
		if (m) {
			if (!nsec_types_deny(m, name, TW_DNS_T_DS))
				return no_proof(q, &p, "NSEC no-DS", name);
			*cut = has(m->bm, m->bml, TW_DNS_T_NS);
			return val_secure(p.ttl);
		}
		const struct dn_nsec *c = nsec_cover(&p, name);
		if (c && tw_dns_name_is_subdomain(c->next, name) &&
		    !tw_dns_name_equal(c->next, name))
			return val_secure(p.ttl); /* empty non-terminal: not a cut */
		return no_proof(q, &p, "NSEC no-DS", name);
	}
	if (p.nnsec3) {
		if (n3_too_costly(q, &p, &v))
			return v;
		struct n3ctx c = { q, &p, false };
		const struct dn_nsec3 *m = n3_match(&c, name);
		if (c.limit)
			return n3_limit(q);
		if (m) {
			if (!n3_types_deny(m, name, TW_DNS_T_DS))
				return no_proof(q, &p, "NSEC3 no-DS", name);
			*cut = has(m->v.bitmap, m->v.bitmap_len, TW_DNS_T_NS);
			return val_secure(p.ttl);
		}
		const struct dn_nsec3 *ncc = NULL;
		bool exists;
		const uint8_t *ce = n3_closest_encloser(&c, name, &ncc, &exists);
		if (c.limit)
			return n3_limit(q);
		if (ce && (ncc->v.flags & TW_DNS_NSEC3_F_OPTOUT)) {
			*cut = 1; /* RFC 5155 §8.6: opt-out, an unsigned delegation */
			return val_secure(p.ttl);
		}
		return no_proof(q, &p, "NSEC3 no-DS", name);
	}
	return no_proof(q, &p, "no-DS", name);
}

struct vres val_wildcard_proof(struct tw_val_query *q, const struct val_resp *r,
			       const uint8_t *owner, unsigned labels, const struct tw_val_zone *z)
{
	struct proof p;
	memset(&p, 0, sizeof(p));
	struct vres v = gather(q, r, z, &p);
	if (v.st != V_SECURE)
		return v;
	if (p.nnsec) {
		/* RFC 4035 §5.3.4: an NSEC proving that owner itself does not exist */
		if (nsec_cover(&p, owner))
			return val_secure(p.ttl);
		return no_proof(q, &p, "NSEC wildcard expansion", owner);
	}
	if (p.nnsec3) {
		if (n3_too_costly(q, &p, &v))
			return v;
		/* RFC 5155 §8.8: the next closer name is covered */
		struct n3ctx c = { q, &p, false };
		const uint8_t *nc = tw_dns_name_suffix(owner, labels + 1);
		if (nc && n3_cover(&c, nc))
			return val_secure(p.ttl);
		if (c.limit)
			return n3_limit(q);
		return no_proof(q, &p, "NSEC3 wildcard expansion", owner);
	}
	return no_proof(q, &p, "wildcard expansion", owner);
}
