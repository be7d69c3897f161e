/* The validation engine's private structures, shared by crypto/val_*.c. */
#ifndef TW_CRYPTO_VAL_INTERNAL_H
#define TW_CRYPTO_VAL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "crypto/validator.h"
#include "dns/name.h"

#define VAL_MAX_ANCHORS 64
#define VAL_MAX_NTAS 256
#define VAL_MAX_RESP 64   /* upstream answers a query keeps (max_upstream <= this) */
#define VAL_MAX_JOBS 256  /* verification jobs a query keeps */
#define VAL_MAX_ZONES 64  /* zone facts a query holds */
#define VAL_MAX_HASHES 64 /* NSEC3 hashes a query remembers */
#define VAL_MAX_PROBED 64 /* names found not to be zone cuts */

struct val_anchor {
	uint8_t owner[TW_DNS_NAME_MAXLEN]; /* lower case */
	uint16_t type;                     /* DS or DNSKEY */
	uint16_t rdlen;
	uint8_t *rdata;
};

struct val_nta {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint32_t until;
};

struct tw_val_conf {
	struct tw_crypto_policy policy;
	struct tw_val_limits limits;
	struct val_anchor anchors[VAL_MAX_ANCHORS];
	unsigned nanchors;
	struct val_nta ntas[VAL_MAX_NTAS];
	unsigned nntas;
};

struct tw_val_zone {
	uint8_t name[TW_DNS_NAME_MAXLEN]; /* lower case */
	enum tw_val_zone_status status;
	uint32_t expires;
	uint16_t ede;
	char reason[TW_VAL_REASON_LEN];
	unsigned nkeys;
	struct tw_val_zone_key *keys;
	uint8_t **key_rdata; /* DNSKEY RDATA of each key (for display and matching) */
	uint16_t *key_rdlen;
	uint32_t inception, expiration;
	unsigned nds;        /* TW_VAL_ZONE_DS: the validated DS RDATA */
	uint8_t **ds_rdata;
	uint16_t *ds_rdlen;
	int refs; /* atomic */
};

/* Result of one piece of validation within a pass. */
enum val_st { V_SECURE = 0, V_INSECURE = 1, V_BOGUS = 2, V_PENDING = 3 };

struct vres {
	enum val_st st;
	uint16_t ede;   /* TW_EDE_NONE or the code */
	uint32_t ttl;   /* secure: the cap for the piece */
};

/* One upstream question and its answer. */
struct val_resp {
	uint16_t index; /* in the query's resp[] */
	uint8_t qname[TW_DNS_NAME_MAXLEN]; /* lower case */
	uint16_t qtype;
	bool handed;   /* given to the driver */
	bool answered; /* an answer (or a failure) arrived */
	bool failed;   /* no usable answer */
	uint8_t *wire;
	size_t len;
	struct tw_dns_msg m;
	struct tw_dns_rr *rrs;
	uint16_t *next;
	struct tw_dns_rrset *sets; /* all sections, section by section */
	uint16_t nsets;
	uint8_t (*owner)[TW_DNS_NAME_MAXLEN]; /* each set's owner, lower case */
	/* names the response shows to be zone apexes: RRSIG signers, SOA owners */
	uint8_t (*apex)[TW_DNS_NAME_MAXLEN];
	uint16_t napex;
};

struct val_job {
	uint16_t resp;
	uint16_t sig_rr; /* index of the RRSIG in resp's m.rr */
	const struct tw_val_zone *zone;
	uint16_t key;    /* index in zone->keys */
	bool handed;
	bool done;
	enum tw_crypto_result result;
	uint8_t *data;
	uint32_t data_len;
	const uint8_t *sig;
	uint16_t sig_len;
};

struct val_hash {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint8_t salt[255];
	uint8_t salt_len;
	uint16_t iterations;
	uint8_t hash[20];
};

struct tw_val_query {
	const struct tw_val_conf *conf;
	struct tw_val_keystore *ks;
	uint8_t qname[TW_DNS_NAME_MAXLEN]; /* lower case */
	uint16_t qtype, qclass;
	bool cd;
	uint32_t now;
	bool done;

	/* allocated as needed: most queries use a few of each */
	struct val_resp *resp[VAL_MAX_RESP];
	unsigned nresp;

	struct val_job *jobs;
	unsigned njobs, jobs_cap;
	unsigned nfailed;

	const struct tw_val_zone *zones[VAL_MAX_ZONES]; /* held references */
	unsigned nzones;
	const struct tw_val_zone *chain[VAL_MAX_ZONES]; /* walked, for display */
	unsigned nchain;

	struct val_hash *hashes; /* VAL_MAX_HASHES once needed */
	unsigned nhashes;

	uint8_t (*probed)[TW_DNS_NAME_MAXLEN]; /* not zone cuts; VAL_MAX_PROBED */
	unsigned nprobed;

	/* per pass */
	bool limit_hit;
	char reason[TW_VAL_REASON_LEN];   /* first bogus reason of the pass */
	uint16_t ins_ede;                 /* first insecure EDE of the pass */
	char ins_reason[TW_VAL_REASON_LEN];

	uint32_t *ttls; /* per RR of resp[0] */
	struct tw_val_result result;
};

/* ---- val_conf.c ---- */
struct tw_val_zone *val_zone_new(const uint8_t *name, enum tw_val_zone_status st);
void val_zone_set_reason(struct tw_val_zone *z, uint16_t ede, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct val_anchor *val_conf_anchor_for(const struct tw_val_conf *c, const uint8_t *name,
					     const uint8_t **zone);
bool val_conf_nta(const struct tw_val_conf *c, const uint8_t *name, uint32_t now,
		  const uint8_t **at);

/* ---- val_query.c ---- */
struct vres val_bogus(struct tw_val_query *q, uint16_t ede, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct vres val_insecure(struct tw_val_query *q, uint16_t ede, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* snprintf, cut silently (reasons are bounded; names may be long). */
void val_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
struct vres val_pending(void);
struct vres val_secure(uint32_t ttl);
/* The answer to (name, type): the response when it has arrived, else NULL with
 * *pending set (asked now if it had not been) or a bogus result in *err when the
 * upstream budget is spent. */
const struct val_resp *val_need(struct tw_val_query *q, const uint8_t *name, uint16_t type,
				struct vres *err);
/* Looks for a set in a response section (-1 for any section). */
int val_find_set(const struct val_resp *r, int sec, const uint8_t *owner, uint16_t type);
/* Keeps a reference in the query; false (reference dropped) when full. */
bool val_hold(struct tw_val_query *q, const struct tw_val_zone *z);
const struct tw_val_zone *val_zone_lookup(struct tw_val_query *q, const uint8_t *name);
/* Stores a new fact and keeps the creator's reference in the query; false when
 * the query could hold no more (z may then be gone). */
bool val_zone_publish(struct tw_val_query *q, struct tw_val_zone *z);

/* The DS fact of `name` held by the query or found in the key store, or NULL. */
const struct tw_val_zone *val_ds_lookup(struct tw_val_query *q, const uint8_t *name);
void val_cap_set(struct tw_val_query *q, const struct val_resp *r, unsigned s, uint32_t ttl);
const uint8_t *val_set_signer(const struct val_resp *r, unsigned s);
void val_chain_note(struct tw_val_query *q, const struct tw_val_zone *z);
char *val_name_str(const uint8_t *name, char *buf); /* TW_DNS_NAME_STRLEN */

/* ---- val_chain.c ---- */
/* Verifies the RRSIGs of set `s` of response r with the keys of zone z (only
 * the trusted ones when trusted_only). */
struct vres val_verify_set(struct tw_val_query *q, const struct val_resp *r, unsigned s,
			   const struct tw_val_zone *z, bool trusted_only);
/* Chain of trust to `target`: apex true when target is known to be a zone apex
 * (an RRSIG signer); *zone receives the secure zone fact when V_SECURE (the zone
 * that holds target: target itself when apex). */
struct vres val_chain(struct tw_val_query *q, const uint8_t *target, bool apex,
		      const struct tw_val_zone **zone);
/* Validates one RRset of response r (signatures, chain, wildcard proof). */
struct vres val_rrset(struct tw_val_query *q, const struct val_resp *r, unsigned s);

/* ---- val_denial.c ---- */
enum val_denial { D_NXDOMAIN, D_NODATA };
/* Proves from r's authority section that `name` does not exist (D_NXDOMAIN) or
 * has no `qtype` (D_NODATA). Secure proofs give V_SECURE, opt-out and iteration
 * limits V_INSECURE (with EDE 27 for the latter). */
struct vres val_denial(struct tw_val_query *q, const struct val_resp *r, const uint8_t *name,
		       uint16_t qtype, enum val_denial kind);
/* The zone that signed r's denial records (NSEC, NSEC3, SOA in the authority
 * section) for name: the deepest signer that is an ancestor of name, or NULL. */
const uint8_t *val_denial_signer(const struct val_resp *r, const uint8_t *name);
/* For a DS answer without a DS set: is `name` a zone cut? *cut: 0 not a cut,
 * 1 an insecure delegation; the zone z must have signed the proof. */
struct vres val_ds_absent(struct tw_val_query *q, const struct val_resp *r, const uint8_t *name,
			  const struct tw_val_zone *z, int *cut);
/* Proof that a wildcard expansion was needed: `owner` (the expanded name) does
 * not exist, given the RRSIG label count, in zone z. */
struct vres val_wildcard_proof(struct tw_val_query *q, const struct val_resp *r,
			       const uint8_t *owner, unsigned labels, const struct tw_val_zone *z);

static inline struct vres vres_min(struct vres a, struct vres b)
{
	/* bogus beats pending beats insecure beats secure; secure TTLs combine */
	if (a.st == V_BOGUS)
		return a;
	if (b.st == V_BOGUS)
		return b;
	if (a.st == V_PENDING)
		return a;
	if (b.st == V_PENDING)
		return b;
	if (a.st == V_INSECURE)
		return a;
	if (b.st == V_INSECURE)
		return b;
	a.ttl = a.ttl < b.ttl ? a.ttl : b.ttl;
	return a;
}

#endif
