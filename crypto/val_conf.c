/* Validation engine configuration (trust anchors, negative trust anchors, policy,
 * limits), zone facts and the single-thread in-memory key store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/key.h"
#include "crypto/val_internal.h"
#include "dns/error.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

const char *tw_val_verdict_str(enum tw_val_verdict v)
{
	switch (v) {
	case TW_VAL_SECURE:
		return "secure";
	case TW_VAL_INSECURE:
		return "insecure";
	case TW_VAL_BOGUS:
		return "bogus";
	case TW_VAL_INDETERMINATE:
		return "indeterminate";
	case TW_VAL_UNCHECKED:
		return "unchecked";
	}
	return "?";
}

struct tw_val_conf *tw_val_conf_new(void)
{
	struct tw_val_conf *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	tw_crypto_policy_default(&c->policy);
	c->limits = (struct tw_val_limits){
		.clock_skew = 300,
		.max_ttl = 86400,
		.bogus_ttl = 60,
		.max_verifications = 64,
		.max_failed = 8,
		.max_collisions = 4,
		.max_sigs_per_rrset = 8,
		.max_nsec3_hashes = 64,
		.max_upstream = 32,
		.max_chain = 12,
	};
	return c;
}

void tw_val_conf_free(struct tw_val_conf *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->nanchors; i++)
		free(c->anchors[i].rdata);
	free(c);
}

struct tw_crypto_policy *tw_val_conf_policy(struct tw_val_conf *c)
{
	return &c->policy;
}

struct tw_val_limits *tw_val_conf_limits(struct tw_val_conf *c)
{
	return &c->limits;
}

int tw_val_conf_add_anchor(struct tw_val_conf *c, const uint8_t *owner, uint16_t type,
			   const uint8_t *rdata, uint16_t rdlen)
{
	if (type != TW_DNS_T_DS && type != TW_DNS_T_DNSKEY)
		return -TW_EINVAL;
	if (tw_dns_rdata_check(type, rdata, rdlen, 0, rdlen) != 0 || rdlen < 4)
		return -TW_EINVAL;
	if (c->nanchors == VAL_MAX_ANCHORS)
		return -TW_ENOSPC;
	struct val_anchor *a = &c->anchors[c->nanchors];
	a->rdata = malloc(rdlen);
	if (!a->rdata)
		return -TW_ENOMEM;
	memcpy(a->rdata, rdata, rdlen);
	a->rdlen = rdlen;
	a->type = type;
	tw_dns_name_copy_lower(a->owner, owner);
	c->nanchors++;
	return 0;
}

int tw_val_conf_load_anchors(struct tw_val_conf *c, const char *text, size_t len,
			     const char *file, char *err, size_t errcap)
{
	static const uint8_t root[1] = { 0 };
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	uint8_t *rdata = malloc(65535);
	if (!rdata)
		return -TW_ENOMEM;
	tw_dns_zreader_init(&r, text, len, file, root, 3600);
	int added = 0, rc;
	while ((rc = tw_dns_zreader_next(&r, &rr, rdata, 65535)) != 0) {
		if (rc < 0) {
			snprintf(err, errcap, "%s", r.err);
			added = rc;
			break;
		}
		if (rr.type != TW_DNS_T_DS && rr.type != TW_DNS_T_DNSKEY) {
			char tb[16];
			snprintf(err, errcap, "%s:%u: type: %s is not a trust anchor (DS or DNSKEY)",
				 file ? file : "<input>", rr.line, tw_dns_type_to_str(rr.type, tb));
			added = -TW_EINVAL;
			break;
		}
		rc = tw_val_conf_add_anchor(c, rr.owner, rr.type, rr.rdata, rr.rdlen);
		if (rc < 0) {
			snprintf(err, errcap, "%s:%u: %s", file ? file : "<input>", rr.line,
				 tw_strerror(rc));
			added = rc;
			break;
		}
		added++;
	}
	free(rdata);
	if (added == 0) {
		snprintf(err, errcap, "%s: no DS or DNSKEY record", file ? file : "<input>");
		return -TW_ENOENT;
	}
	return added;
}

int tw_val_conf_add_nta(struct tw_val_conf *c, const uint8_t *name, uint32_t until)
{
	if (c->nntas == VAL_MAX_NTAS)
		return -TW_ENOSPC;
	tw_dns_name_copy_lower(c->ntas[c->nntas].name, name);
	c->ntas[c->nntas].until = until;
	c->nntas++;
	return 0;
}

unsigned tw_val_conf_anchor_zones(const struct tw_val_conf *c)
{
	unsigned n = 0;
	for (unsigned i = 0; i < c->nanchors; i++) {
		bool seen = false;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = tw_dns_name_equal(c->anchors[j].owner, c->anchors[i].owner);
		n += !seen;
	}
	return n;
}

/* The deepest anchored zone at or above name; *zone its name. */
const struct val_anchor *val_conf_anchor_for(const struct tw_val_conf *c, const uint8_t *name,
					     const uint8_t **zone)
{
	const struct val_anchor *best = NULL;
	unsigned best_labels = 0;
	for (unsigned i = 0; i < c->nanchors; i++) {
		const struct val_anchor *a = &c->anchors[i];
		if (!tw_dns_name_is_subdomain(name, a->owner))
			continue;
		unsigned l = tw_dns_name_labels(a->owner);
		if (!best || l > best_labels) {
			best = a;
			best_labels = l;
		}
	}
	if (best)
		*zone = best->owner;
	return best;
}

bool val_conf_nta(const struct tw_val_conf *c, const uint8_t *name, uint32_t now,
		  const uint8_t **at)
{
	for (unsigned i = 0; i < c->nntas; i++) {
		if ((int32_t)(c->ntas[i].until - now) > 0 &&
		    tw_dns_name_is_subdomain(name, c->ntas[i].name)) {
			*at = c->ntas[i].name;
			return true;
		}
	}
	return false;
}

/* ---- zone facts ---- */

struct tw_val_zone *val_zone_new(const uint8_t *name, enum tw_val_zone_status st)
{
	struct tw_val_zone *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	tw_dns_name_copy_lower(z->name, name);
	z->status = st;
	z->ede = TW_EDE_NONE;
	z->refs = 1;
	return z;
}

void val_zone_set_reason(struct tw_val_zone *z, uint16_t ede, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(z->reason, sizeof(z->reason), fmt, ap);
	va_end(ap);
	z->ede = ede;
}

static void zone_destroy(struct tw_val_zone *z)
{
	for (unsigned i = 0; i < z->nkeys; i++) {
		tw_crypto_key_free((struct tw_crypto_key *)z->keys[i].key);
		free(z->key_rdata[i]);
	}
	for (unsigned i = 0; i < z->nds; i++)
		free(z->ds_rdata[i]);
	free(z->ds_rdata);
	free(z->ds_rdlen);
	free(z->keys);
	free(z->key_rdata);
	free(z->key_rdlen);
	free(z);
}

void tw_val_zone_ref(const struct tw_val_zone *z)
{
	__atomic_add_fetch(&((struct tw_val_zone *)z)->refs, 1, __ATOMIC_RELAXED);
}

void tw_val_zone_unref(const struct tw_val_zone *z)
{
	if (!z)
		return;
	if (__atomic_sub_fetch(&((struct tw_val_zone *)z)->refs, 1, __ATOMIC_ACQ_REL) == 0)
		zone_destroy((struct tw_val_zone *)z);
}

const uint8_t *tw_val_zone_name(const struct tw_val_zone *z)
{
	return z->name;
}

enum tw_val_zone_status tw_val_zone_status(const struct tw_val_zone *z)
{
	return z->status;
}

uint32_t tw_val_zone_expires(const struct tw_val_zone *z)
{
	return z->expires;
}

uint16_t tw_val_zone_ede(const struct tw_val_zone *z)
{
	return z->ede;
}

const char *tw_val_zone_reason(const struct tw_val_zone *z)
{
	return z->reason;
}

unsigned tw_val_zone_nkeys(const struct tw_val_zone *z)
{
	return z->nkeys;
}

const struct tw_val_zone_key *tw_val_zone_key(const struct tw_val_zone *z, unsigned i)
{
	return i < z->nkeys ? &z->keys[i] : NULL;
}

unsigned tw_val_zone_nds(const struct tw_val_zone *z)
{
	return z->nds;
}

const uint8_t *tw_val_zone_ds(const struct tw_val_zone *z, unsigned i, uint16_t *len)
{
	if (i >= z->nds)
		return NULL;
	*len = z->ds_rdlen[i];
	return z->ds_rdata[i];
}

void tw_val_zone_sig_window(const struct tw_val_zone *z, uint32_t *inception,
			    uint32_t *expiration)
{
	*inception = z->inception;
	*expiration = z->expiration;
}

/* ---- the in-memory key store: a small table, oldest replaced first ---- */

struct mem_store {
	struct tw_val_keystore ks;
	unsigned cap, n, next;
	const struct tw_val_zone **z;
};

/* Same name, same kind (DS fact or zone fact). */
static bool same_fact(const struct tw_val_zone *z, const uint8_t *name, bool ds)
{
	return (z->status == TW_VAL_ZONE_DS) == ds && tw_dns_name_equal(z->name, name);
}

static const struct tw_val_zone *mem_lookup(void *state, const uint8_t *name, uint16_t type,
					    uint32_t now)
{
	struct mem_store *s = state;
	for (unsigned i = 0; i < s->n; i++) {
		const struct tw_val_zone *z = s->z[i];
		if (same_fact(z, name, type == TW_DNS_T_DS) && (int32_t)(z->expires - now) > 0) {
			tw_val_zone_ref(z);
			return z;
		}
	}
	return NULL;
}

static void mem_insert(void *state, const struct tw_val_zone *z)
{
	struct mem_store *s = state;
	for (unsigned i = 0; i < s->n; i++) {
		if (same_fact(s->z[i], z->name, z->status == TW_VAL_ZONE_DS)) {
			tw_val_zone_ref(z);
			tw_val_zone_unref(s->z[i]);
			s->z[i] = z;
			return;
		}
	}
	tw_val_zone_ref(z);
	if (s->n < s->cap) {
		s->z[s->n++] = z;
		return;
	}
	tw_val_zone_unref(s->z[s->next]);
	s->z[s->next] = z;
	s->next = (s->next + 1) % s->cap;
}

struct tw_val_keystore *tw_val_keystore_mem_new(unsigned cap)
{
	if (cap == 0)
		return NULL;
	struct mem_store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->z = calloc(cap, sizeof(*s->z));
	if (!s->z) {
		free(s);
		return NULL;
	}
	s->cap = cap;
	s->ks.state = s;
	s->ks.lookup = mem_lookup;
	s->ks.insert = mem_insert;
	return &s->ks;
}

void tw_val_keystore_mem_flush(struct tw_val_keystore *ks)
{
	struct mem_store *s = ks->state;
	for (unsigned i = 0; i < s->n; i++)
		tw_val_zone_unref(s->z[i]);
	s->n = 0;
	s->next = 0;
}

void tw_val_keystore_mem_free(struct tw_val_keystore *ks)
{
	if (!ks)
		return;
	struct mem_store *s = ks->state;
	tw_val_keystore_mem_flush(ks);
	free(s->z);
	free(s);
}
