/* Validation queries: the state machine the caller drives, the upstream answers
 * and verification jobs it collects, and the judgement of the client's answer
 * (positive, CNAME/DNAME chains, NXDOMAIN, NODATA, referrals).
 *
 * Every run re-judges the whole query from what has arrived: the judgement is a
 * pure function of the answers, the verification results (remembered per job),
 * the key store and the clock, so a pass that finds something missing simply
 * asks for it and ends; the next pass after the answer or the result goes
 * further. Passes are cheap next to a signature verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/val_internal.h"
#include "crypto/verify.h"
#include "dns/error.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"

#define RESP_MAX_RRS 4096

char *val_name_str(const uint8_t *name, char *buf)
{
	if (tw_dns_name_to_str(name, buf, TW_DNS_NAME_STRLEN) < 0)
		strcpy(buf, "?");
	return buf;
}

static void vfmt(char *dst, const char *fmt, va_list ap)
{
	vsnprintf(dst, TW_VAL_REASON_LEN, fmt, ap);
}

void val_fmt(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

struct vres val_bogus(struct tw_val_query *q, uint16_t ede, const char *fmt, ...)
{
	if (q->reason[0] == 0) {
		va_list ap;
		va_start(ap, fmt);
		vfmt(q->reason, fmt, ap);
		va_end(ap);
	}
	return (struct vres){ .st = V_BOGUS, .ede = ede };
}

struct vres val_insecure(struct tw_val_query *q, uint16_t ede, const char *fmt, ...)
{
	if (q->ins_reason[0] == 0) {
		va_list ap;
		va_start(ap, fmt);
		vfmt(q->ins_reason, fmt, ap);
		va_end(ap);
		q->ins_ede = ede;
	}
	return (struct vres){ .st = V_INSECURE, .ede = ede };
}

struct vres val_pending(void)
{
	return (struct vres){ .st = V_PENDING, .ede = TW_EDE_NONE };
}

struct vres val_secure(uint32_t ttl)
{
	return (struct vres){ .st = V_SECURE, .ede = TW_EDE_NONE, .ttl = ttl };
}

/* ---- query lifecycle ---- */

struct tw_val_query *tw_val_query_new(const struct tw_val_conf *conf, struct tw_val_keystore *ks,
				      const uint8_t *qname, uint16_t qtype, uint16_t qclass,
				      bool cd)
{
	struct tw_val_query *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->conf = conf;
	q->ks = ks;
	tw_dns_name_copy_lower(q->qname, qname);
	q->qtype = qtype;
	q->qclass = qclass;
	q->cd = cd;
	q->result.ede = TW_EDE_NONE;
	/* the client's own question is the first upstream question */
	q->resp[0] = calloc(1, sizeof(*q->resp[0]));
	if (!q->resp[0]) {
		free(q);
		return NULL;
	}
	memcpy(q->resp[0]->qname, q->qname, tw_dns_name_len(q->qname));
	q->resp[0]->qtype = qtype;
	q->nresp = 1;
	return q;
}

static void resp_fini(struct val_resp *r)
{
	free(r->wire);
	free(r->rrs);
	free(r->next);
	free(r->sets);
	free(r->owner);
	free(r->apex);
}

void tw_val_query_free(struct tw_val_query *q)
{
	if (!q)
		return;
	for (unsigned i = 0; i < q->nresp; i++) {
		resp_fini(q->resp[i]);
		free(q->resp[i]);
	}
	for (unsigned i = 0; i < q->njobs; i++)
		free(q->jobs[i].data);
	free(q->jobs);
	free(q->hashes);
	free(q->probed);
	for (unsigned i = 0; i < q->nzones; i++)
		tw_val_zone_unref(q->zones[i]);
	free(q->ttls);
	free(q);
}

const struct val_resp *val_need(struct tw_val_query *q, const uint8_t *name, uint16_t type,
				struct vres *err)
{
	for (unsigned i = 0; i < q->nresp; i++) {
		struct val_resp *r = q->resp[i];
		if (r->qtype == type && tw_dns_name_equal(r->qname, name)) {
			if (r->answered)
				return r;
			*err = val_pending();
			return NULL;
		}
	}
	unsigned max = q->conf->limits.max_upstream;
	if (max > VAL_MAX_RESP)
		max = VAL_MAX_RESP;
	if (q->nresp >= max) {
		if (!q->limit_hit)
			q->result.stats.limit_upstream++;
		q->limit_hit = true;
		char nb[TW_DNS_NAME_STRLEN];
		*err = val_bogus(q, TW_EDE_DNSSEC_BOGUS,
				 "limit: more than %u upstream questions (at %s)", max,
				 val_name_str(name, nb));
		return NULL;
	}
	struct val_resp *r = calloc(1, sizeof(*r));
	if (!r) {
		*err = val_bogus(q, TW_EDE_OTHER, "out of memory");
		return NULL;
	}
	r->index = (uint16_t)q->nresp;
	q->resp[q->nresp++] = r;
	tw_dns_name_copy_lower(r->qname, name);
	r->qtype = type;
	*err = val_pending();
	return NULL;
}

bool tw_val_query_next_upstream(struct tw_val_query *q, const uint8_t **name, uint16_t *type)
{
	for (unsigned i = 0; i < q->nresp; i++) {
		struct val_resp *r = q->resp[i];
		if (!r->handed && !r->answered) {
			r->handed = true;
			q->result.stats.upstream++;
			*name = r->qname;
			*type = r->qtype;
			return true;
		}
	}
	return false;
}

static void add_apex(struct val_resp *r, const uint8_t *name)
{
	for (unsigned i = 0; i < r->napex; i++)
		if (tw_dns_name_equal(r->apex[i], name))
			return;
	tw_dns_name_copy_lower(r->apex[r->napex++], name);
}

static int resp_index(struct val_resp *r)
{
	struct tw_dns_msg *m = &r->m;
	unsigned n = m->rr_count;
	r->next = malloc((n ? n : 1) * sizeof(*r->next));
	r->sets = malloc((n ? n : 1) * sizeof(*r->sets));
	r->owner = malloc((n ? n : 1) * sizeof(*r->owner));
	r->apex = malloc((n ? n : 1) * sizeof(*r->apex));
	if (!r->next || !r->sets || !r->owner || !r->apex)
		return -TW_ENOMEM;
	r->nsets = 0;
	for (int sec = TW_DNS_SEC_AN; sec <= TW_DNS_SEC_AR; sec++) {
		size_t ns = 0;
		int rc = tw_dns_rrsets_group(m, sec, r->sets + r->nsets, n - r->nsets, r->next,
					     &ns);
		if (rc < 0)
			return rc;
		r->nsets += (uint16_t)ns;
	}
	for (unsigned s = 0; s < r->nsets; s++) {
		tw_dns_name_unpack(m->wire, m->len, r->sets[s].owner, r->owner[s], NULL, NULL);
		tw_dns_name_lower(r->owner[s]);
		if (r->sets[s].type == TW_DNS_T_SOA && r->sets[s].count)
			add_apex(r, r->owner[s]);
		for (uint16_t i = r->sets[s].sig_first; i != TW_DNS_RR_NONE; i = r->next[i]) {
			struct tw_dns_rrsig v;
			const struct tw_dns_rr *rr = &m->rr[i];
			if (tw_dns_rrsig_view(m->wire, m->len, rr->rdata, rr->rdlen, &v) == 0)
				add_apex(r, v.signer);
		}
	}
	return 0;
}

int tw_val_query_answer_upstream(struct tw_val_query *q, const uint8_t *name, uint16_t type,
				 const uint8_t *wire, size_t len)
{
	struct val_resp *r = NULL;
	for (unsigned i = 0; i < q->nresp && !r; i++)
		if (!q->resp[i]->answered && q->resp[i]->qtype == type &&
		    tw_dns_name_equal(q->resp[i]->qname, name))
			r = q->resp[i];
	if (!r)
		return -TW_ENOENT;
	r->answered = true;
	if (!wire) {
		r->failed = true;
		return 0;
	}
	r->wire = malloc(len ? len : 1);
	r->rrs = malloc(RESP_MAX_RRS * sizeof(*r->rrs));
	if (!r->wire || !r->rrs) {
		r->failed = true;
		return -TW_ENOMEM;
	}
	memcpy(r->wire, wire, len);
	r->len = len;
	int rc = tw_dns_msg_parse(&r->m, r->wire, len, r->rrs, RESP_MAX_RRS);
	if (rc == 0)
		rc = resp_index(r);
	if (rc < 0) {
		r->failed = true;
		return rc;
	}
	return 0;
}

/* ---- jobs ---- */

unsigned tw_val_query_jobs(struct tw_val_query *q, struct tw_crypto_job *out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < q->njobs && n < max; i++) {
		struct val_job *j = &q->jobs[i];
		if (j->handed)
			continue;
		j->handed = true;
		out[n++] = (struct tw_crypto_job){
			.key = j->zone->keys[j->key].key,
			.data = j->data,
			.data_len = j->data_len,
			.sig = j->sig,
			.sig_len = j->sig_len,
			.cookie = i,
		};
	}
	return n;
}

void tw_val_query_job_done(struct tw_val_query *q, uint64_t cookie, enum tw_crypto_result r)
{
	if (cookie >= q->njobs || q->jobs[cookie].done)
		return;
	struct val_job *j = &q->jobs[cookie];
	j->done = true;
	j->result = r;
	free(j->data);
	j->data = NULL;
	if (r != TW_CRYPTO_VALID) {
		q->nfailed++;
		q->result.stats.failed++;
	}
}

void tw_val_query_verify_all(struct tw_val_query *q, struct tw_crypto_verifier *v)
{
	struct tw_crypto_job jobs[32];
	unsigned n;
	while ((n = tw_val_query_jobs(q, jobs, 32)) > 0)
		for (unsigned i = 0; i < n; i++)
			tw_val_query_job_done(q, jobs[i].cookie,
					      tw_crypto_verify(v, jobs[i].key, jobs[i].data,
							       jobs[i].data_len, jobs[i].sig,
							       jobs[i].sig_len));
}

/* ---- zone facts held by the query ---- */

bool val_hold(struct tw_val_query *q, const struct tw_val_zone *z)
{
	if (q->nzones < VAL_MAX_ZONES) {
		q->zones[q->nzones++] = z;
		return true;
	}
	tw_val_zone_unref(z); /* the query gives up its reference: never leak */
	return false;
}

const struct tw_val_zone *val_zone_lookup(struct tw_val_query *q, const uint8_t *name)
{
	for (unsigned i = q->nzones; i-- > 0;)
		if (q->zones[i]->status != TW_VAL_ZONE_DS && tw_dns_name_equal(q->zones[i]->name, name))
			return q->zones[i];
	if (!q->ks || q->nzones >= VAL_MAX_ZONES)
		return NULL;
	const struct tw_val_zone *z = q->ks->lookup(q->ks->state, name, TW_DNS_T_DNSKEY, q->now);
	if (z) {
		q->result.stats.keystore_hits++;
		val_hold(q, z);
	}
	return z;
}

const struct tw_val_zone *val_ds_lookup(struct tw_val_query *q, const uint8_t *name)
{
	for (unsigned i = q->nzones; i-- > 0;)
		if (q->zones[i]->status == TW_VAL_ZONE_DS && tw_dns_name_equal(q->zones[i]->name, name))
			return q->zones[i];
	if (!q->ks || q->nzones >= VAL_MAX_ZONES)
		return NULL;
	const struct tw_val_zone *z = q->ks->lookup(q->ks->state, name, TW_DNS_T_DS, q->now);
	if (z) {
		q->result.stats.keystore_hits++;
		val_hold(q, z);
	}
	return z;
}

bool val_zone_publish(struct tw_val_query *q, struct tw_val_zone *z)
{
	if (q->ks)
		q->ks->insert(q->ks->state, z);
	return val_hold(q, z); /* the creator's reference */
}

void val_chain_note(struct tw_val_query *q, const struct tw_val_zone *z)
{
	for (unsigned i = 0; i < q->nchain; i++)
		if (q->chain[i] == z)
			return;
	if (q->nchain < VAL_MAX_ZONES)
		q->chain[q->nchain++] = z;
}

unsigned tw_val_query_chain(const struct tw_val_query *q, const struct tw_val_zone **out,
			    unsigned max)
{
	/* top down: by label count, stable */
	unsigned n = 0;
	for (unsigned l = 0; l <= TW_DNS_NAME_MAXLABELS && n < max; l++)
		for (unsigned i = 0; i < q->nchain && n < max; i++)
			if (tw_dns_name_labels(q->chain[i]->name) == l)
				out[n++] = q->chain[i];
	return n;
}

/* ---- finding things in a response ---- */

int val_find_set(const struct val_resp *r, int sec, const uint8_t *owner, uint16_t type)
{
	for (unsigned s = 0; s < r->nsets; s++) {
		const struct tw_dns_rrset *set = &r->sets[s];
		if ((sec < 0 || set->section == sec) && set->type == type && set->count &&
		    tw_dns_name_equal(r->owner[s], owner))
			return (int)s;
	}
	return -1;
}

/* A DNAME in the answer whose owner is a strict ancestor of name. */
static int find_dname(const struct val_resp *r, const uint8_t *name)
{
	for (unsigned s = 0; s < r->nsets; s++) {
		const struct tw_dns_rrset *set = &r->sets[s];
		if (set->section == TW_DNS_SEC_AN && set->type == TW_DNS_T_DNAME && set->count &&
		    !tw_dns_name_equal(r->owner[s], name) &&
		    tw_dns_name_is_subdomain(name, r->owner[s]))
			return (int)s;
	}
	return -1;
}

static int set_target(const struct val_resp *r, unsigned s, uint8_t *out)
{
	const struct tw_dns_rr *rr = &r->m.rr[r->sets[s].first];
	struct tw_dns_target t;
	int rc = tw_dns_target_view(rr->type, r->m.wire, r->m.len, rr->rdata, rr->rdlen, &t);
	if (rc == 0)
		tw_dns_name_copy_lower(out, t.name);
	return rc;
}

/* Caps the output TTLs of set s of the client's answer at ttl. */
void val_cap_set(struct tw_val_query *q, const struct val_resp *r, unsigned s, uint32_t ttl)
{
	if (r != q->resp[0] || !q->ttls)
		return;
	const struct tw_dns_rrset *set = &r->sets[s];
	for (uint16_t i = set->first; i != TW_DNS_RR_NONE; i = r->next[i])
		if (q->ttls[i] > ttl)
			q->ttls[i] = ttl;
	for (uint16_t i = set->sig_first; i != TW_DNS_RR_NONE; i = r->next[i])
		if (q->ttls[i] > ttl)
			q->ttls[i] = ttl;
}

static struct vres judge_set(struct tw_val_query *q, const struct val_resp *r, unsigned s)
{
	struct vres v = val_rrset(q, r, s);
	if (v.st == V_SECURE)
		val_cap_set(q, r, s, v.ttl);
	return v;
}

/* RFC 6672 §2.2: the name that a DNAME substitutes for `name`. */
static int dname_substitute(const uint8_t *name, const uint8_t *owner, const uint8_t *target,
			    uint8_t *out)
{
	size_t nl = tw_dns_name_len(name), ol = tw_dns_name_len(owner),
	       tl = tw_dns_name_len(target);
	size_t prefix = nl - ol;
	if (prefix + tl > TW_DNS_NAME_MAXLEN)
		return -TW_EDNS_NAME_LEN;
	memcpy(out, name, prefix);
	memcpy(out + prefix, target, tl);
	tw_dns_name_lower(out);
	return 0;
}

/* A referral-shaped answer: no answer, an NS set in the authority section at an
 * ancestor of name, no SOA. Returns the set index or -1. */
static int find_referral(const struct val_resp *r, const uint8_t *name)
{
	int ns = -1;
	for (unsigned s = 0; s < r->nsets; s++) {
		const struct tw_dns_rrset *set = &r->sets[s];
		if (set->section != TW_DNS_SEC_NS || !set->count)
			continue;
		if (set->type == TW_DNS_T_SOA)
			return -1;
		if (set->type == TW_DNS_T_NS && tw_dns_name_is_subdomain(name, r->owner[s]))
			ns = (int)s;
	}
	return ns;
}

static struct vres judge_referral(struct tw_val_query *q, const struct val_resp *r, int ns)
{
	const uint8_t *cut = r->owner[ns];
	int ds = val_find_set(r, TW_DNS_SEC_NS, cut, TW_DNS_T_DS);
	if (ds >= 0)
		return judge_set(q, r, (unsigned)ds);
	/* no DS: the delegation must be proven unsigned by the parent */
	struct vres v = val_denial(q, r, cut, TW_DNS_T_DS, D_NODATA);
	if (v.st == V_SECURE) {
		char nb[TW_DNS_NAME_STRLEN];
		return val_insecure(q, TW_EDE_NONE, "referral to unsigned delegation %s",
				    val_name_str(cut, nb));
	}
	return v;
}

/* The judgement of the client's answer, one pass. */
static struct vres judge(struct tw_val_query *q)
{
	struct vres err;
	const struct val_resp *r = val_need(q, q->qname, q->qtype, &err);
	if (!r)
		return err;
	uint8_t cur[TW_DNS_NAME_MAXLEN], next[TW_DNS_NAME_MAXLEN];
	memcpy(cur, q->qname, tw_dns_name_len(q->qname));
	struct vres acc = val_secure(q->conf->limits.max_ttl);
	char nb[TW_DNS_NAME_STRLEN];
	uint16_t rcode = tw_dns_msg_rcode(&r->m);

	for (unsigned hop = 0;; hop++) {
		if (hop > q->conf->limits.max_chain)
			return val_bogus(q, TW_EDE_DNSSEC_BOGUS, "CNAME/DNAME chain longer than %u",
					 q->conf->limits.max_chain);
		bool found = false;
		if (q->qtype == 255 /* ANY */) {
			for (unsigned s = 0; s < r->nsets; s++) {
				const struct tw_dns_rrset *set = &r->sets[s];
				if (set->section == TW_DNS_SEC_AN && set->count &&
				    set->type != TW_DNS_T_CNAME &&
				    tw_dns_name_equal(r->owner[s], cur)) {
					acc = vres_min(acc, judge_set(q, r, s));
					found = true;
				}
			}
		} else {
			int s = val_find_set(r, TW_DNS_SEC_AN, cur, q->qtype);
			if (s >= 0) {
				acc = vres_min(acc, judge_set(q, r, (unsigned)s));
				found = true;
			}
		}
		if (found || acc.st == V_BOGUS)
			return acc;

		int dn = find_dname(r, cur);
		int cn = q->qtype == TW_DNS_T_CNAME ? -1
						    : val_find_set(r, TW_DNS_SEC_AN, cur,
								   TW_DNS_T_CNAME);
		if (dn >= 0) {
			uint8_t tgt[TW_DNS_NAME_MAXLEN];
			acc = vres_min(acc, judge_set(q, r, (unsigned)dn));
			if (set_target(r, (unsigned)dn, tgt) < 0 ||
			    dname_substitute(cur, r->owner[dn], tgt, next) < 0)
				return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
						 "DNAME at %s cannot be applied to %s",
						 val_name_str(r->owner[dn], nb), val_name_str(cur, nb));
			if (cn >= 0) {
				/* the synthesized CNAME must say what the DNAME says;
				 * it is unsigned (RFC 6672 §5.3.1) and takes its trust
				 * from the DNAME */
				uint8_t ct[TW_DNS_NAME_MAXLEN];
				if (set_target(r, (unsigned)cn, ct) < 0 ||
				    !tw_dns_name_equal(ct, next))
					return val_bogus(q, TW_EDE_DNSSEC_BOGUS,
							 "CNAME at %s does not match the DNAME at %s",
							 val_name_str(cur, nb),
							 val_name_str(r->owner[dn], nb));
				if (acc.st == V_SECURE)
					val_cap_set(q, r, (unsigned)cn, acc.ttl);
			}
		} else if (cn >= 0) {
			acc = vres_min(acc, judge_set(q, r, (unsigned)cn));
			if (set_target(r, (unsigned)cn, next) < 0)
				return val_bogus(q, TW_EDE_DNSSEC_BOGUS, "unreadable CNAME at %s",
						 val_name_str(cur, nb));
		} else {
			/* no data at the end of the chain: a denial */
			if (rcode == TW_DNS_R_NXDOMAIN)
				return vres_min(acc, val_denial(q, r, cur, q->qtype, D_NXDOMAIN));
			int ns = find_referral(r, cur);
			if (ns >= 0 && !(r->m.flags & TW_DNS_F_AA) &&
			    !tw_dns_name_equal(r->owner[ns], cur))
				return vres_min(acc, judge_referral(q, r, ns));
			return vres_min(acc, val_denial(q, r, cur, q->qtype, D_NODATA));
		}
		if (acc.st == V_BOGUS)
			return acc;
		memcpy(cur, next, tw_dns_name_len(next));
	}
}

static void init_ttls(struct tw_val_query *q)
{
	const struct tw_dns_msg *m = &q->resp[0]->m;
	/* allocated once; every pass starts again from the TTLs as received */
	if (!q->ttls)
		q->ttls = malloc((m->rr_count ? m->rr_count : 1) * sizeof(*q->ttls));
	if (!q->ttls)
		return;
	uint32_t max = q->conf->limits.max_ttl;
	for (unsigned i = 0; i < m->rr_count; i++) {
		uint32_t t = m->rr[i].ttl;
		if (t > 0x7fffffffu) /* RFC 2181 §8 */
			t = 0;
		q->ttls[i] = t < max ? t : max;
	}
}

static void finish(struct tw_val_query *q, enum tw_val_verdict verdict, uint16_t rcode,
		   uint16_t ede, const char *reason)
{
	struct tw_val_result *res = &q->result;
	res->verdict = verdict;
	res->rcode = rcode;
	res->ede = ede;
	snprintf(res->reason, sizeof(res->reason), "%s", reason ? reason : "");
	uint32_t ttl = q->conf->limits.max_ttl;
	const struct val_resp *r0 = q->resp[0];
	if (r0->answered && !r0->failed && q->ttls) {
		for (unsigned i = 0; i < r0->m.rr_count; i++) {
			const struct tw_dns_rr *rr = &r0->m.rr[i];
			if (rr->type == TW_DNS_T_OPT || rr->section == TW_DNS_SEC_AR)
				continue;
			if (q->ttls[i] < ttl)
				ttl = q->ttls[i];
			if (rr->type == TW_DNS_T_SOA && rr->section == TW_DNS_SEC_NS &&
			    r0->m.ancount == 0) {
				/* RFC 2308 §5: negative TTL is min(SOA TTL, MINIMUM) */
				struct tw_dns_soa soa;
				if (tw_dns_soa_view(r0->m.wire, r0->m.len, rr->rdata, rr->rdlen,
						    &soa) == 0 &&
				    soa.minimum < ttl)
					ttl = soa.minimum;
			}
		}
	}
	if ((verdict == TW_VAL_BOGUS || verdict == TW_VAL_INDETERMINATE) &&
	    ttl > q->conf->limits.bogus_ttl)
		ttl = q->conf->limits.bogus_ttl;
	res->ttl = ttl;
	res->expires = q->now + ttl;
	q->done = true;
}

static bool outstanding_upstream(const struct tw_val_query *q)
{
	for (unsigned i = 0; i < q->nresp; i++)
		if (!q->resp[i]->answered)
			return true;
	return false;
}

static bool outstanding_jobs(const struct tw_val_query *q)
{
	for (unsigned i = 0; i < q->njobs; i++)
		if (!q->jobs[i].done)
			return true;
	return false;
}

enum tw_val_status tw_val_query_run(struct tw_val_query *q, uint32_t now)
{
	if (q->done)
		return TW_VAL_DONE;
	q->now = now;
	q->reason[0] = 0;
	q->ins_reason[0] = 0;
	q->ins_ede = TW_EDE_NONE;

	struct val_resp *r0 = q->resp[0];
	if (!r0->answered)
		return TW_VAL_NEED_UPSTREAM;
	if (r0->failed) {
		finish(q, TW_VAL_INDETERMINATE, TW_DNS_R_SERVFAIL, TW_EDE_NO_REACHABLE_AUTHORITY,
		       "no usable answer from the resolver farm");
		return TW_VAL_DONE;
	}
	init_ttls(q);
	uint16_t rcode = tw_dns_msg_rcode(&r0->m);
	if (q->cd) {
		finish(q, TW_VAL_UNCHECKED, rcode, TW_EDE_NONE, "checking disabled (CD)");
		return TW_VAL_DONE;
	}
	if (rcode != TW_DNS_R_NOERROR && rcode != TW_DNS_R_NXDOMAIN) {
		finish(q, TW_VAL_INDETERMINATE, rcode,
		       r0->m.has_ede ? r0->m.ede_code : TW_EDE_NONE,
		       "the resolver farm answered with an error");
		return TW_VAL_DONE;
	}
	const uint8_t *at;
	char nb[TW_DNS_NAME_STRLEN], reason[TW_VAL_REASON_LEN];
	if (val_conf_nta(q->conf, q->qname, now, &at)) {
		val_fmt(reason, sizeof(reason), "negative trust anchor at %s",
			 val_name_str(at, nb));
		finish(q, TW_VAL_INSECURE, rcode, TW_EDE_NONE, reason);
		return TW_VAL_DONE;
	}
	if (!val_conf_anchor_for(q->conf, q->qname, &at)) {
		finish(q, TW_VAL_INDETERMINATE, rcode, TW_EDE_NONE,
		       "no trust anchor above the name");
		return TW_VAL_DONE;
	}
	if (q->nfailed >= q->conf->limits.max_failed) {
		q->result.stats.limit_failed++;
		val_fmt(reason, sizeof(reason), "limit: %u signatures failed to verify",
			 q->nfailed);
		finish(q, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL, TW_EDE_DNSSEC_BOGUS, reason);
		return TW_VAL_DONE;
	}

	struct vres v = judge(q);
	switch (v.st) {
	case V_PENDING:
		if (outstanding_upstream(q))
			return TW_VAL_NEED_UPSTREAM;
		if (outstanding_jobs(q))
			return TW_VAL_NEED_VERIFY;
		/* nothing outstanding yet still pending: cannot happen; do not spin */
		finish(q, TW_VAL_INDETERMINATE, TW_DNS_R_SERVFAIL, TW_EDE_OTHER,
		       "validation made no progress");
		return TW_VAL_DONE;
	case V_BOGUS:
		finish(q, TW_VAL_BOGUS, TW_DNS_R_SERVFAIL, v.ede, q->reason);
		return TW_VAL_DONE;
	case V_INSECURE:
		finish(q, TW_VAL_INSECURE, rcode, q->ins_ede, q->ins_reason);
		return TW_VAL_DONE;
	case V_SECURE:
		finish(q, TW_VAL_SECURE, rcode, TW_EDE_NONE, "");
		return TW_VAL_DONE;
	}
	return TW_VAL_DONE;
}

const struct tw_val_result *tw_val_query_result(const struct tw_val_query *q)
{
	return &q->result;
}

const struct tw_dns_msg *tw_val_query_answer(const struct tw_val_query *q,
					     const uint32_t **ttls)
{
	const struct val_resp *r0 = q->resp[0];
	if (!r0->answered || r0->failed)
		return NULL;
	if (ttls)
		*ttls = q->ttls;
	return &r0->m;
}
