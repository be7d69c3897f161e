/* The chain of trust (RFC 4035 §5.1-§5.3): RRSIG checks against a zone's keys,
 * DS -> DNSKEY authentication, and the walk from a trust anchor down to the zone
 * that signed (or failed to sign) a name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/sigdata.h"
#include "crypto/val_internal.h"
#include "dns/error.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* ---- one signature job ---- */

/* Builds the signed data of set s under the RRSIG at sig_rr (RFC 4034 §3.1.8.1). */
static int build_sigdata(const struct val_resp *r, unsigned s, uint16_t sig_rr, uint8_t **out,
			 uint32_t *out_len)
{
	const struct tw_dns_msg *m = &r->m;
	const struct tw_dns_rrset *set = &r->sets[s];
	struct tw_crypto_rr *rrs = calloc(set->count, sizeof(*rrs));
	uint8_t **bufs = calloc(set->count, sizeof(*bufs));
	int rc = -TW_ENOMEM;
	size_t total = 0;
	unsigned n = 0;
	*out = NULL;
	if (!rrs || !bufs)
		goto out;
	for (uint16_t i = set->first; i != TW_DNS_RR_NONE && n < set->count; i = r->next[i]) {
		const struct tw_dns_rr *rr = &m->rr[i];
		size_t cap = (size_t)rr->rdlen + 2 * TW_DNS_NAME_MAXLEN, len;
		bufs[n] = malloc(cap);
		if (!bufs[n]) {
			rc = -TW_ENOMEM;
			goto out;
		}
		rrs[n].rdata = bufs[n];
		n++;
		rc = tw_dns_rdata_canonical(rr->type, m->wire, m->len, rr->rdata, rr->rdlen,
					    bufs[n - 1], cap, &len);
		if (rc < 0)
			goto out;
		rrs[n - 1].rdlen = (uint16_t)len;
		total += TW_DNS_NAME_MAXLEN + 10 + len;
	}
	const struct tw_dns_rr *sig = &m->rr[sig_rr];
	size_t cap = total + sig->rdlen + TW_DNS_NAME_MAXLEN, len;
	*out = malloc(cap);
	if (!*out) {
		rc = -TW_ENOMEM;
		goto out;
	}
	rc = tw_crypto_sigdata(m->wire + sig->rdata, sig->rdlen, r->owner[s], set->cls, rrs, n,
			       *out, cap, &len);
	if (rc < 0) {
		free(*out);
		*out = NULL;
	} else {
		*out_len = (uint32_t)len;
	}
out:
	for (unsigned i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(rrs);
	return rc;
}

/* The remembered result of (sig, key), or a new job. Returns 1 valid, 0 invalid
 * or unsupported, -1 pending, -2 the verification budget is spent, -3 the
 * signed data could not be built (an RRSIG that cannot cover the set), -4 the
 * failed-verification budget is spent. */
static int job_result(struct tw_val_query *q, const struct val_resp *r, unsigned s,
		      uint16_t sig_rr, const struct tw_val_zone *z, uint16_t key)
{
	uint16_t ri = r->index;
	for (unsigned i = 0; i < q->njobs; i++) {
		struct val_job *j = &q->jobs[i];
		if (j->resp == ri && j->sig_rr == sig_rr && j->zone == z && j->key == key) {
			if (!j->done)
				return -1;
			return j->result == TW_CRYPTO_VALID ? 1 : 0;
		}
	}
	/* KeyTrap: never more unanswered jobs than failures the query may still
	 * afford, so a hostile set costs at most max_failed failed verifications */
	unsigned outstanding = 0;
	for (unsigned i = 0; i < q->njobs; i++)
		outstanding += !q->jobs[i].done;
	if (q->nfailed + outstanding >= q->conf->limits.max_failed) {
		if (outstanding)
			return -1;
		if (!q->limit_hit)
			q->result.stats.limit_failed++;
		q->limit_hit = true;
		return -4;
	}
	unsigned max = q->conf->limits.max_verifications;
	if (max > VAL_MAX_JOBS)
		max = VAL_MAX_JOBS;
	if (q->njobs >= max) {
		if (!q->limit_hit)
			q->result.stats.limit_verify++;
		q->limit_hit = true;
		return -2;
	}
	if (q->njobs == q->jobs_cap) {
		unsigned cap = q->jobs_cap ? 2 * q->jobs_cap : 8;
		struct val_job *nj = realloc(q->jobs, cap * sizeof(*nj));
		if (!nj)
			return -3;
		q->jobs = nj;
		q->jobs_cap = cap;
	}
	struct val_job *j = &q->jobs[q->njobs];
	memset(j, 0, sizeof(*j));
	j->resp = ri;
	j->sig_rr = sig_rr;
	j->zone = z;
	j->key = key;
	if (build_sigdata(r, s, sig_rr, &j->data, &j->data_len) < 0)
		return -3;
	struct tw_dns_rrsig v;
	const struct tw_dns_rr *sig = &r->m.rr[sig_rr];
	tw_dns_rrsig_view(r->m.wire, r->m.len, sig->rdata, sig->rdlen, &v);
	j->sig = v.signature;
	j->sig_len = (uint16_t)v.signature_len;
	q->njobs++;
	q->result.stats.verifications++;
	return -1;
}

/* ---- RRSIG checks (RFC 4035 §5.3) ---- */

struct vres val_verify_set(struct tw_val_query *q, const struct val_resp *r, unsigned s,
			   const struct tw_val_zone *z, bool trusted_only)
{
	const struct tw_dns_msg *m = &r->m;
	const struct tw_dns_rrset *set = &r->sets[s];
	const struct tw_val_limits *lim = &q->conf->limits;
	char ob[TW_DNS_NAME_STRLEN], zb[TW_DNS_NAME_STRLEN], tb[16];
	const char *tname = tw_dns_type_to_str(set->type, tb);
	unsigned owner_labels = tw_dns_name_rrsig_labels(r->owner[s]);
	bool pending = false;
	unsigned tried = 0, expired = 0, early = 0, inverted = 0, nokey = 0, invalid = 0,
		 bad_labels = 0, disabled = 0;
	uint16_t last_tag = 0;
	uint8_t last_alg = 0;

	for (uint16_t i = set->sig_first; i != TW_DNS_RR_NONE; i = r->next[i]) {
		const struct tw_dns_rr *rr = &m->rr[i];
		struct tw_dns_rrsig v;
		if (tw_dns_rrsig_view(m->wire, m->len, rr->rdata, rr->rdlen, &v) < 0)
			continue;
		if (!tw_dns_name_equal(v.signer, z->name))
			continue;
		if (tried++ >= lim->max_sigs_per_rrset)
			break;
		last_tag = v.key_tag;
		last_alg = v.algorithm;
		if (v.labels > owner_labels) { /* RFC 4035 §5.3.1 */
			bad_labels++;
			continue;
		}
		/* RFC 4034 §3.1.5: serial number arithmetic */
		int64_t skew = lim->clock_skew;
		if ((int32_t)(v.expiration - v.inception) < 0) {
			inverted++;
			continue;
		}
		if ((int64_t)(int32_t)(v.expiration - q->now) < -skew) {
			expired++;
			continue;
		}
		if ((int64_t)(int32_t)(q->now - v.inception) < -skew) {
			early++;
			continue;
		}
		/* the keys that may have made it (RFC 4035 §5.3.1: tag, algorithm,
		 * zone key bit) — at most max_collisions of them (KeyTrap) */
		unsigned cand = 0, have_alg = 0;
		for (unsigned k = 0; k < z->nkeys; k++) {
			const struct tw_val_zone_key *zk = &z->keys[k];
			if (zk->tag != v.key_tag || zk->alg != v.algorithm ||
			    !(zk->flags & TW_DNS_DNSKEY_F_ZONE))
				continue;
			if (trusted_only && !zk->trusted)
				continue;
			have_alg++;
			if (!zk->key)
				continue;
			if (cand++ >= lim->max_collisions) {
				q->result.stats.limit_collision++;
				break;
			}
			int jr = job_result(q, r, s, i, z, (uint16_t)k);
			if (jr == 1) {
				uint32_t ttl = min32(set->ttl_min, v.original_ttl);
				ttl = min32(ttl, (uint32_t)(v.expiration - q->now) <= 0x7fffffffu
							 ? v.expiration - q->now
							 : 0);
				return val_secure(min32(ttl, lim->max_ttl));
			}
			if (jr == -1)
				pending = true;
			else if (jr == -2)
				return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
						 "limit: more than %u signature verifications",
						 lim->max_verifications);
			else if (jr == -4)
				return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
						 "limit: %u signatures failed to verify", q->nfailed);
			else if (jr == -3)
				bad_labels++;
			else
				invalid++;
		}
		if (!have_alg)
			nokey++;
		else if (!cand)
			disabled++;
	}
	if (pending)
		return val_pending();

	val_name_str(r->owner[s], ob);
	val_name_str(z->name, zb);
	if (invalid)
		return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
				 "%s %s: RRSIG by %s tag %u does not verify", ob, tname, zb,
				 last_tag);
	if (expired)
		return val_bogus(q, TW_EDE_SIGNATURE_EXPIRED, "%s %s: RRSIG by %s expired", ob,
				 tname, zb);
	if (early)
		return val_bogus(q, TW_EDE_SIGNATURE_NOT_YET_VALID,
				 "%s %s: RRSIG by %s not yet valid", ob, tname, zb);
	if (inverted)
		return val_bogus(q, TW_EDE_SIGNATURE_EXPIRED_BEFORE_VALID,
				 "%s %s: RRSIG by %s expires before its inception", ob, tname, zb);
	if (bad_labels)
		return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
				 "%s %s: RRSIG labels field does not fit the owner", ob, tname);
	if (disabled)
		return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
				 "%s %s: RRSIG by %s only with keys refused by policy (tag %u alg %u)",
				 ob, tname, zb, last_tag, last_alg);
	if (nokey)
		return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
				 "%s %s: no %sDNSKEY of %s with tag %u algorithm %u", ob, tname,
				 trusted_only ? "trusted " : "", zb, last_tag, last_alg);
	return val_bogus(q, TW_EDE_RRSIGS_MISSING, "%s %s: no RRSIG by %s", ob, tname, zb);
}

/* ---- DNSKEY sets authenticated by DS or by an anchor (RFC 4035 §5.2) ---- */

struct ds_item {
	const uint8_t *rdata;
	uint16_t rdlen;
};

/* A provisional zone fact: the DNSKEY set of r at name, keys prepared, trusted
 * marked by the DS set (or anchor DNSKEYs). Returns NULL on allocation failure. */
static struct tw_val_zone *prepare_keys(struct tw_val_query *q, const struct val_resp *r,
					unsigned ks, const uint8_t *name,
					const struct ds_item *ds, unsigned nds,
					const struct ds_item *anchor_keys, unsigned nak)
{
	const struct tw_dns_msg *m = &r->m;
	const struct tw_dns_rrset *set = &r->sets[ks];
	struct tw_val_zone *z = val_zone_new(name, TW_VAL_ZONE_SECURE);
	if (!z)
		return NULL;
	z->keys = calloc(set->count, sizeof(*z->keys));
	z->key_rdata = calloc(set->count, sizeof(*z->key_rdata));
	z->key_rdlen = calloc(set->count, sizeof(*z->key_rdlen));
	if (!z->keys || !z->key_rdata || !z->key_rdlen)
		goto fail;
	for (uint16_t i = set->first; i != TW_DNS_RR_NONE; i = r->next[i]) {
		const struct tw_dns_rr *rr = &m->rr[i];
		const uint8_t *rd = m->wire + rr->rdata;
		struct tw_val_zone_key *zk = &z->keys[z->nkeys];
		uint8_t *copy = malloc(rr->rdlen ? rr->rdlen : 1);
		if (!copy)
			goto fail;
		memcpy(copy, rd, rr->rdlen);
		z->key_rdata[z->nkeys] = copy;
		z->key_rdlen[z->nkeys] = rr->rdlen;
		zk->flags = (uint16_t)(rd[0] << 8 | rd[1]);
		zk->alg = rd[3];
		zk->tag = tw_crypto_keytag(rd, rr->rdlen);
		z->nkeys++;
		bool trusted = false;
		if (zk->flags & TW_DNS_DNSKEY_F_ZONE) {
			for (unsigned d = 0; d < nds && !trusted; d++)
				trusted = tw_crypto_ds_match(&q->conf->policy, name, ds[d].rdata,
							     ds[d].rdlen, rd,
							     rr->rdlen) == TW_DS_MATCH;
			for (unsigned a = 0; a < nak && !trusted; a++)
				trusted = anchor_keys[a].rdlen == rr->rdlen &&
					  memcmp(anchor_keys[a].rdata, rd, rr->rdlen) == 0;
		}
		/* RFC 5011 §3: a revoked key authenticates nothing but itself */
		if (zk->flags & TW_DNS_DNSKEY_F_REVOKE)
			trusted = false;
		zk->trusted = trusted;
		struct tw_crypto_key *key = NULL;
		enum tw_key_status st;
		if (tw_crypto_key_new(&q->conf->policy, rd, rr->rdlen, &key, &st) == 0)
			zk->key = key;
	}
	return z;
fail:
	tw_val_zone_unref(z);
	return NULL;
}

/* Looks for the provisional fact of `name` among those the query holds that are
 * not published (status SECURE but expires == 0). */
static struct tw_val_zone *provisional(struct tw_val_query *q, const uint8_t *name)
{
	for (unsigned i = 0; i < q->nzones; i++) {
		struct tw_val_zone *z = (struct tw_val_zone *)q->zones[i];
		if (z->expires == 0 && tw_dns_name_equal(z->name, name))
			return z;
	}
	return NULL;
}

static struct vres zone_result(struct tw_val_query *q, const struct tw_val_zone *z)
{
	val_chain_note(q, z);
	switch (z->status) {
	case TW_VAL_ZONE_SECURE:
		return val_secure(q->conf->limits.max_ttl);
	case TW_VAL_ZONE_INSECURE:
		return val_insecure(q, z->ede, "%s", z->reason);
	case TW_VAL_ZONE_BOGUS:
	case TW_VAL_ZONE_DS: /* never a zone's own fact: val_zone_lookup skips them */
		break;
	}
	return val_bogus(q, z->ede, "%s", z->reason);
}

/* Publishes a final fact (insecure or bogus) about name. */
static struct vres fact(struct tw_val_query *q, const uint8_t *name,
			enum tw_val_zone_status st, uint32_t ttl, uint16_t ede, const char *reason)
{
	struct tw_val_zone *z = val_zone_new(name, st);
	if (!z)
		return val_bogus(q, TW_EDE_OTHER, "out of memory");
	snprintf(z->reason, sizeof(z->reason), "%s", reason);
	z->ede = ede;
	z->expires = q->now + (ttl ? ttl : 1);
	if (!val_zone_publish(q, z))
		return val_bogus(q, TW_EDE_OTHER, "too many zones in one query");
	return zone_result(q, z);
}

/* Keeps a validated DS set as a fact of its own (best effort: without memory
 * the DS is simply asked again next time). */
static void publish_ds(struct tw_val_query *q, const uint8_t *name, const struct ds_item *ds,
		       unsigned n, uint32_t ttl)
{
	struct tw_val_zone *z = val_zone_new(name, TW_VAL_ZONE_DS);
	if (!z)
		return;
	z->ds_rdata = calloc(n ? n : 1, sizeof(*z->ds_rdata));
	z->ds_rdlen = calloc(n ? n : 1, sizeof(*z->ds_rdlen));
	if (!z->ds_rdata || !z->ds_rdlen) {
		tw_val_zone_unref(z);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		z->ds_rdata[i] = malloc(ds[i].rdlen ? ds[i].rdlen : 1);
		if (!z->ds_rdata[i]) {
			tw_val_zone_unref(z);
			return;
		}
		memcpy(z->ds_rdata[i], ds[i].rdata, ds[i].rdlen);
		z->ds_rdlen[i] = ds[i].rdlen;
		z->nds = i + 1;
	}
	z->expires = q->now + min32(ttl ? ttl : 1, q->conf->limits.max_ttl);
	val_zone_set_reason(z, TW_EDE_NONE, "validated DS set");
	val_zone_publish(q, z);
}

/* Authenticates the DNSKEY set of `name` from ds[] (validated DS RDATA) or the
 * anchor keys; on success the zone fact is published and returned in *out. */
static struct vres authenticate_keys(struct tw_val_query *q, const uint8_t *name,
				     const struct ds_item *ds, unsigned nds,
				     const struct ds_item *ak, unsigned nak, uint32_t ds_ttl,
				     const struct tw_val_zone **out)
{
	char nb[TW_DNS_NAME_STRLEN], reason[TW_VAL_REASON_LEN];
	const struct tw_crypto_policy *pol = &q->conf->policy;
	val_name_str(name, nb);

	/* RFC 4035 §5.2 / RFC 6840 §5.2: DS records that cannot be used are
	 * ignored; if none can, the zone is treated as unsigned */
	if (nds) {
		unsigned usable = 0, alg_ok_digest_bad = 0, digest_ok_alg_bad = 0;
		for (unsigned d = 0; d < nds; d++) {
			if (ds[d].rdlen < 4)
				continue;
			uint8_t alg = ds[d].rdata[2], dt = ds[d].rdata[3];
			bool a = tw_crypto_alg_enabled(pol, alg), g = tw_crypto_digest_enabled(pol, dt);
			usable += a && g;
			alg_ok_digest_bad += a && !g;
			digest_ok_alg_bad += !a && g;
		}
		if (!usable) {
			uint16_t ede = digest_ok_alg_bad || !alg_ok_digest_bad
					       ? TW_EDE_UNSUPPORTED_DNSKEY_ALG
					       : TW_EDE_UNSUPPORTED_DS_DIGEST;
			val_fmt(reason, sizeof(reason),
				 ede == TW_EDE_UNSUPPORTED_DNSKEY_ALG
					 ? "%s: no DS with a supported algorithm (alg %u)"
					 : "%s: no DS with a supported digest type (type %u)",
				 nb, ede == TW_EDE_UNSUPPORTED_DNSKEY_ALG ? ds[0].rdata[2]
									 : ds[0].rdata[3]);
			return fact(q, name, TW_VAL_ZONE_INSECURE, min32(ds_ttl, q->conf->limits.max_ttl),
				    ede, reason);
		}
	}

	struct tw_val_zone *z = provisional(q, name);
	struct vres err;
	const struct val_resp *r = val_need(q, name, TW_DNS_T_DNSKEY, &err);
	if (!r)
		return err;
	int ks = r->failed ? -1 : val_find_set(r, TW_DNS_SEC_AN, name, TW_DNS_T_DNSKEY);
	if (ks < 0) {
		val_fmt(reason, sizeof(reason), "%s: DNSKEY set missing (DS present)", nb);
		return fact(q, name, TW_VAL_ZONE_BOGUS, q->conf->limits.bogus_ttl,
			    TW_EDE_DNSKEY_MISSING, reason);
	}
	if (!z) {
		z = prepare_keys(q, r, (unsigned)ks, name, ds, nds, ak, nak);
		if (!z)
			return val_bogus(q, TW_EDE_OTHER, "out of memory");
		if (!val_hold(q, z))
			return val_bogus(q, TW_EDE_OTHER, "too many zones in one query");
	}
	bool any_trusted = false;
	for (unsigned k = 0; k < z->nkeys; k++)
		any_trusted |= z->keys[k].trusted;
	if (!any_trusted) {
		val_fmt(reason, sizeof(reason), "%s: no DNSKEY matches the %s", nb,
			 nds ? "DS set" : "trust anchor");
		return fact(q, name, TW_VAL_ZONE_BOGUS, q->conf->limits.bogus_ttl,
			    TW_EDE_DNSKEY_MISSING, reason);
	}
	struct vres v = val_verify_set(q, r, (unsigned)ks, z, true);
	if (v.st == V_PENDING)
		return v;
	if (v.st == V_BOGUS) {
		struct vres b = fact(q, name, TW_VAL_ZONE_BOGUS, q->conf->limits.bogus_ttl, v.ede,
				     q->reason);
		return b;
	}
	/* secure: the fact is final */
	z->expires = q->now + min32(min32(v.ttl, ds_ttl), q->conf->limits.max_ttl);
	if (z->expires == 0)
		z->expires = 1;
	const struct tw_dns_rrset *set = &r->sets[ks];
	for (uint16_t i = set->sig_first; i != TW_DNS_RR_NONE; i = r->next[i]) {
		struct tw_dns_rrsig sv;
		if (tw_dns_rrsig_view(r->m.wire, r->m.len, r->m.rr[i].rdata, r->m.rr[i].rdlen,
				      &sv) == 0) {
			z->inception = sv.inception;
			z->expiration = sv.expiration;
			break;
		}
	}
	if (q->ks)
		q->ks->insert(q->ks->state, z);
	val_chain_note(q, z);
	*out = z;
	return v;
}

/* The anchored zone's keys. */
static struct vres anchor_keys(struct tw_val_query *q, const uint8_t *zone,
			       const struct tw_val_zone **out)
{
	struct ds_item ds[VAL_MAX_ANCHORS], ak[VAL_MAX_ANCHORS];
	unsigned nds = 0, nak = 0;
	for (unsigned i = 0; i < q->conf->nanchors; i++) {
		const struct val_anchor *a = &q->conf->anchors[i];
		if (!tw_dns_name_equal(a->owner, zone))
			continue;
		if (a->type == TW_DNS_T_DS)
			ds[nds++] = (struct ds_item){ a->rdata, a->rdlen };
		else
			ak[nak++] = (struct ds_item){ a->rdata, a->rdlen };
	}
	return authenticate_keys(q, zone, ds, nds, ak, nak, q->conf->limits.max_ttl, out);
}

/* ---- the walk down (RFC 4035 §5.1, and DS probing for unsigned data) ---- */

static bool probed(const struct tw_val_query *q, const uint8_t *name)
{
	for (unsigned i = 0; i < q->nprobed; i++)
		if (tw_dns_name_equal(q->probed[i], name))
			return true;
	return false;
}

/* The next name to ask DS for, going from zone towards target: the shallowest
 * name strictly below the deepest known point (the zone or a name found not to
 * be a cut) that some response shows to be an apex, else one label more. */
static const uint8_t *candidate(const struct tw_val_query *q, const uint8_t *zone,
				const uint8_t *target)
{
	unsigned tl = tw_dns_name_labels(target);
	unsigned from = tw_dns_name_labels(zone);
	/* skip the names known not to be cuts */
	while (from < tl && probed(q, tw_dns_name_suffix(target, from + 1)))
		from++;
	if (from >= tl)
		return NULL;
	const uint8_t *best = NULL;
	unsigned best_l = tl + 1;
	for (unsigned i = 0; i < q->nresp; i++) {
		const struct val_resp *r = q->resp[i];
		if (!r->answered || r->failed)
			continue;
		for (unsigned a = 0; a < r->napex; a++) {
			unsigned l = tw_dns_name_labels(r->apex[a]);
			if (l > from && l < best_l && tw_dns_name_is_subdomain(target, r->apex[a])) {
				best = tw_dns_name_suffix(target, l);
				best_l = l;
			}
		}
	}
	return best ? best : tw_dns_name_suffix(target, from + 1);
}

/* The signer of set s: the RRSIG signer that is an ancestor-or-self of the
 * owner (strict ancestor for DS), the deepest one. NULL when none. */
const uint8_t *val_set_signer(const struct val_resp *r, unsigned s)
{
	const struct tw_dns_rrset *set = &r->sets[s];
	const uint8_t *best = NULL;
	for (uint16_t i = set->sig_first; i != TW_DNS_RR_NONE; i = r->next[i]) {
		struct tw_dns_rrsig v;
		if (tw_dns_rrsig_view(r->m.wire, r->m.len, r->m.rr[i].rdata, r->m.rr[i].rdlen,
				      &v) < 0)
			continue;
		if (!tw_dns_name_is_subdomain(r->owner[s], v.signer))
			continue;
		if (set->type == TW_DNS_T_DS && tw_dns_name_equal(r->owner[s], v.signer))
			continue;
		if (!best || tw_dns_name_labels(v.signer) > tw_dns_name_labels(best))
			best = v.signer;
	}
	return best;
}

struct vres val_chain(struct tw_val_query *q, const uint8_t *target, bool apex,
		      const struct tw_val_zone **out)
{
	char nb[TW_DNS_NAME_STRLEN], cb[TW_DNS_NAME_STRLEN], reason[TW_VAL_REASON_LEN];
	const uint8_t *at;
	if (val_conf_nta(q->conf, target, q->now, &at))
		return val_insecure(q, TW_EDE_NONE, "negative trust anchor at %s",
				    val_name_str(at, nb));
	const uint8_t *anchor;
	if (!val_conf_anchor_for(q->conf, target, &anchor))
		return val_insecure(q, TW_EDE_NONE, "no trust anchor above %s",
				    val_name_str(target, nb));

	/* the deepest fact known at or above target, not above the anchor */
	const struct tw_val_zone *z = NULL;
	unsigned al = tw_dns_name_labels(anchor);
	for (unsigned l = tw_dns_name_labels(target);; l--) {
		z = val_zone_lookup(q, tw_dns_name_suffix(target, l));
		if (z && z->expires == 0)
			z = NULL; /* provisional: not a fact yet */
		if (z || l == al)
			break;
	}
	struct vres v;
	if (z) {
		v = zone_result(q, z);
		if (v.st != V_SECURE)
			return v;
	} else {
		v = anchor_keys(q, anchor, &z);
		if (v.st != V_SECURE)
			return v;
	}

	for (unsigned guard = 0; guard < TW_DNS_NAME_MAXLABELS + 2 * VAL_MAX_RESP; guard++) {
		if (tw_dns_name_equal(z->name, target)) {
			*out = z;
			return val_secure(q->conf->limits.max_ttl);
		}
		const uint8_t *c = candidate(q, z->name, target);
		if (!c) {
			/* every name from the zone down to target is inside it */
			if (apex)
				return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
						 "%s signs records but is not a zone cut below %s",
						 val_name_str(target, nb), val_name_str(z->name, cb));
			*out = z;
			return val_secure(q->conf->limits.max_ttl);
		}
		val_name_str(c, cb);
		/* a DS set validated earlier (it usually outlives the child's DNSKEY
		 * set): authenticate the child's keys without asking for it again */
		const struct tw_val_zone *dsf = val_ds_lookup(q, c);
		if (dsf) {
			struct ds_item items[64];
			unsigned n = 0;
			for (unsigned i = 0; i < dsf->nds && n < 64; i++)
				items[n++] = (struct ds_item){ dsf->ds_rdata[i], dsf->ds_rdlen[i] };
			const struct tw_val_zone *child = NULL;
			uint32_t left = (int32_t)(dsf->expires - q->now) > 0 ? dsf->expires - q->now : 1;
			v = authenticate_keys(q, c, items, n, NULL, 0, left, &child);
			if (v.st != V_SECURE)
				return v;
			z = child;
			continue;
		}
		struct vres err;
		const struct val_resp *r = val_need(q, c, TW_DNS_T_DS, &err);
		if (!r)
			return err;
		if (r->failed)
			return val_bogus(q, TW_EDE_NETWORK_ERROR, "DS query for %s failed", cb);
		uint16_t rcode = tw_dns_msg_rcode(&r->m);
		if (rcode != TW_DNS_R_NOERROR && rcode != TW_DNS_R_NXDOMAIN)
			return val_bogus(q, TW_EDE_NO_REACHABLE_AUTHORITY,
					 "DS query for %s answered rcode %u", cb, rcode);
		int ds = val_find_set(r, TW_DNS_SEC_AN, c, TW_DNS_T_DS);
		const uint8_t *signer = ds >= 0 ? val_set_signer(r, (unsigned)ds)
						    : val_denial_signer(r, c);
		if (signer && !tw_dns_name_equal(signer, z->name)) {
			if (tw_dns_name_is_subdomain(signer, z->name) &&
			    tw_dns_name_labels(signer) < tw_dns_name_labels(c)) {
				/* a cut between: candidate() now finds it (it is in
				 * this response's apex list); go on */
				if (tw_dns_name_labels(signer) > tw_dns_name_labels(z->name))
					continue;
			}
			return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
					 "DS answer for %s signed by %s, expected %s", cb,
					 val_name_str(signer, nb), val_name_str(z->name, reason));
		}
		if (ds >= 0) {
			v = val_verify_set(q, r, (unsigned)ds, z, false);
			if (v.st == V_BOGUS) {
				val_fmt(reason, sizeof(reason), "%s", q->reason);
				return fact(q, c, TW_VAL_ZONE_BOGUS, q->conf->limits.bogus_ttl, v.ede,
					    reason);
			}
			if (v.st != V_SECURE)
				return v;
			const struct tw_dns_rrset *set = &r->sets[ds];
			struct ds_item items[64];
			unsigned n = 0;
			for (uint16_t i = set->first; i != TW_DNS_RR_NONE && n < 64; i = r->next[i])
				items[n++] = (struct ds_item){ r->m.wire + r->m.rr[i].rdata,
							       r->m.rr[i].rdlen };
			publish_ds(q, c, items, n, v.ttl);
			const struct tw_val_zone *child = NULL;
			v = authenticate_keys(q, c, items, n, NULL, 0, v.ttl, &child);
			if (v.st != V_SECURE)
				return v;
			z = child;
			continue;
		}
		/* no DS: the parent proves why */
		if (rcode == TW_DNS_R_NXDOMAIN) {
			v = val_denial(q, r, c, TW_DNS_T_DS, D_NXDOMAIN);
			if (v.st == V_SECURE)
				return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
						 "%s does not exist in %s, yet records below it were "
						 "served",
						 cb, val_name_str(z->name, nb));
			return v;
		}
		int cut = 0;
		v = val_ds_absent(q, r, c, z, &cut);
		if (v.st == V_INSECURE && q->ins_ede == TW_EDE_UNSUPPORTED_NSEC3_ITERATIONS)
			return fact(q, c, TW_VAL_ZONE_INSECURE, q->conf->limits.bogus_ttl,
				    q->ins_ede, q->ins_reason);
		if (v.st != V_SECURE)
			return v;
		if (cut) {
			val_fmt(reason, sizeof(reason), "%s: unsigned delegation from %s", cb,
				 val_name_str(z->name, nb));
			return fact(q, c, TW_VAL_ZONE_INSECURE,
				    min32(v.ttl, q->conf->limits.max_ttl), TW_EDE_NONE, reason);
		}
		if (!q->probed)
			q->probed = malloc(VAL_MAX_PROBED * sizeof(*q->probed));
		if (q->probed && q->nprobed < VAL_MAX_PROBED)
			tw_dns_name_copy_lower(q->probed[q->nprobed++], c);
		else
			return val_bogus(q, TW_EDE_DNSSEC_BOGUS, "too many names between %s and %s",
					 val_name_str(z->name, nb), val_name_str(target, cb));
	}
	return val_bogus(q, TW_EDE_DNSSEC_BOGUS, "chain of trust to %s does not end",
			 val_name_str(target, nb));
}

/* ---- one RRset of an answer ---- */

struct vres val_rrset(struct tw_val_query *q, const struct val_resp *r, unsigned s)
{
	const struct tw_dns_rrset *set = &r->sets[s];
	const uint8_t *owner = r->owner[s];
	char nb[TW_DNS_NAME_STRLEN], zb[TW_DNS_NAME_STRLEN], tb[16];
	const struct tw_val_zone *z = NULL;
	struct vres v;

	const uint8_t *signer = val_set_signer(r, s);
	if (!signer) {
		/* unsigned: fine only where the chain shows no zone signs it */
		const uint8_t *where = owner;
		if (set->type == TW_DNS_T_DS && owner[0])
			where = tw_dns_name_parent(owner);
		v = val_chain(q, where, false, &z);
		if (v.st != V_SECURE)
			return v;
		return val_bogus(q, TW_EDE_RRSIGS_MISSING, "%s %s: no RRSIG in signed zone %s",
				 val_name_str(owner, nb), tw_dns_type_to_str(set->type, tb),
				 val_name_str(z->name, zb));
	}
	v = val_chain(q, signer, true, &z);
	if (v.st != V_SECURE)
		return v;
	v = val_verify_set(q, r, s, z, false);
	if (v.st != V_SECURE)
		return v;
	/* RFC 4035 §5.3.4: an expansion needs the proof that the name did not exist */
	unsigned labels = tw_dns_name_rrsig_labels(owner);
	for (uint16_t i = set->sig_first; i != TW_DNS_RR_NONE; i = r->next[i]) {
		struct tw_dns_rrsig sv;
		if (tw_dns_rrsig_view(r->m.wire, r->m.len, r->m.rr[i].rdata, r->m.rr[i].rdlen,
				      &sv) == 0 &&
		    tw_dns_name_equal(sv.signer, z->name)) {
			if (sv.labels < labels)
				return vres_min(v, val_wildcard_proof(q, r, owner, sv.labels, z));
			break;
		}
	}
	return v;
}
