/* The validation engine: decides whether an answer from the resolver farm is
 * secure, insecure, bogus or indeterminate (RFC 4033 §5, RFC 4035 §4.3 and §5),
 * with an Extended DNS Error (RFC 8914) and a reason naming the zone and record.
 *
 * The engine does no I/O. A query is a state machine that the caller drives:
 *
 *   q = tw_val_query_new(conf, keystore, qname, qtype, qclass, cd);
 *   while ((st = tw_val_query_run(q, now)) != TW_VAL_DONE) {
 *       TW_VAL_NEED_UPSTREAM: for each tw_val_query_next_upstream(): ask the farm
 *           (DO=1, CD=1) and hand the answer back with tw_val_query_answer_upstream()
 *           (or report the failure with a NULL message);
 *       TW_VAL_NEED_VERIFY: take the jobs from tw_val_query_jobs(), run them
 *           through a crypto pipeline (crypto/pipeline.h) and hand each result back
 *           with tw_val_query_job_done() (or let tw_val_query_verify_all() do it
 *           on the calling thread);
 *   }
 *   r = tw_val_query_result(q);
 *
 * so the DPDK workers, the TCP slow path, trustwire-check and the tests all drive
 * the same code. The first upstream question is the client's own.
 *
 * Chain of trust: from the deepest trust anchor above a name, down through DS and
 * DNSKEY sets; zone cuts are found from RRSIG signer names and, for unsigned data,
 * by asking DS for each name below the deepest known secure zone (a DS answer or
 * a NODATA proof tells a secure cut, a non-cut, or an insecure delegation).
 * Validated DNSKEY sets, proven insecure delegations and bogus zones go to a key
 * store (struct tw_val_keystore) so later queries reuse them.
 *
 * Defences (KeyTrap, CVE-2023-50387; NSEC3 closest-encloser work, CVE-2023-50868;
 * RFC 9276): every query has a budget of signature verifications, of failed
 * verifications, of keys tried per RRSIG (key tag collisions), of NSEC3 hash
 * computations and of upstream questions, from struct tw_val_limits; exceeding one
 * ends the query bogus (EDE 6 with the limit named) and is counted in its stats.
 *
 * Threads: a configuration is immutable once built and may be shared by every
 * thread. A query belongs to one thread at a time. The key store's own rules
 * apply to it (the in-memory store below is for one thread).
 */
#ifndef TW_CRYPTO_VALIDATOR_H
#define TW_CRYPTO_VALIDATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"
#include "crypto/pipeline.h"
#include "dns/msg.h"

/* ---- outcome --------------------------------------------------------------- */

enum tw_val_verdict {
	TW_VAL_SECURE = 0,
	TW_VAL_INSECURE = 1,
	TW_VAL_BOGUS = 2,
	TW_VAL_INDETERMINATE = 3, /* no answer could be judged (upstream failure) */
	TW_VAL_UNCHECKED = 4,     /* the client set CD: passed through unvalidated */
};

/* "secure", "insecure", "bogus", "indeterminate", "unchecked". */
const char *tw_val_verdict_str(enum tw_val_verdict v);

#define TW_VAL_REASON_LEN 256

/* Counters of one query; a worker adds them to its per-lcore totals. */
struct tw_val_stats {
	uint32_t upstream;         /* questions asked of the farm */
	uint32_t verifications;    /* signature verifications asked for */
	uint32_t failed;           /* of which did not verify */
	uint32_t nsec3_hashes;     /* NSEC3 owner hashes computed */
	uint32_t limit_verify;     /* the verification budget ended the query */
	uint32_t limit_failed;     /* the failed-verification budget ended it */
	uint32_t limit_collision;  /* an RRSIG had more same-tag keys than allowed */
	uint32_t limit_nsec3;      /* the NSEC3 hash budget ended it */
	uint32_t limit_upstream;   /* the upstream-question budget ended it */
	uint32_t keystore_hits;    /* zone facts found in the key store */
};

struct tw_val_result {
	enum tw_val_verdict verdict;
	uint16_t rcode;      /* what the client gets: SERVFAIL for bogus and
			      * indeterminate, else the farm's rcode */
	uint16_t ede;        /* TW_EDE_NONE when none */
	char reason[TW_VAL_REASON_LEN];
	uint32_t ttl;        /* the answer's TTL cap: min over its RRsets of TTL,
			      * original TTL and signature expiration (RFC 4035
			      * §5.3.3); for negative answers also the SOA's */
	uint32_t expires;    /* now + ttl at the time of the verdict */
	struct tw_val_stats stats;
};

/* ---- configuration ----------------------------------------------------------- */

struct tw_val_limits {
	uint32_t clock_skew;        /* seconds accepted either side of an RRSIG's
				     * validity window (default 300) */
	uint32_t max_ttl;           /* largest TTL given to validated data (86400) */
	uint32_t bogus_ttl;         /* how long a bogus zone is remembered (60) */
	uint16_t max_verifications; /* signature verifications per query (64) */
	uint16_t max_failed;        /* failed verifications per query (8) */
	uint16_t max_collisions;    /* keys tried for one RRSIG (4) */
	uint16_t max_sigs_per_rrset; /* RRSIGs tried for one RRset (8) */
	uint16_t max_nsec3_hashes;  /* NSEC3 hashes per query (64) */
	uint16_t max_upstream;      /* questions to the farm per query (32) */
	uint16_t max_chain;         /* CNAME/DNAME hops followed (12) */
};

struct tw_val_conf;

/* New configuration: default policy (crypto/alg.h) and limits, no anchors. NULL
 * when out of memory. */
struct tw_val_conf *tw_val_conf_new(void);
void tw_val_conf_free(struct tw_val_conf *c);

/* The policy and limits, to adjust before the configuration is shared. */
struct tw_crypto_policy *tw_val_conf_policy(struct tw_val_conf *c);
struct tw_val_limits *tw_val_conf_limits(struct tw_val_conf *c);

/* Adds a trust anchor: a DS or DNSKEY record (stand-alone RDATA) at owner.
 * Several per zone and several zones are allowed. Returns 0, -TW_EINVAL (other
 * type, RDATA that is not DS/DNSKEY), -TW_ENOSPC (too many), -TW_ENOMEM. */
int tw_val_conf_add_anchor(struct tw_val_conf *c, const uint8_t *owner, uint16_t type,
			   const uint8_t *rdata, uint16_t rdlen);

/* Reads trust anchors from zone-file text (DS and DNSKEY lines; other types are
 * refused). file names the text in messages. Returns the number of anchors
 * added (0 is an error: -TW_ENOENT), or the first error with err (capacity
 * errcap) saying file, line and why. */
int tw_val_conf_load_anchors(struct tw_val_conf *c, const char *text, size_t len,
			     const char *file, char *err, size_t errcap);

/* Negative trust anchor (RFC 7646): names at or below `name` are treated as
 * insecure until `until` (seconds since the epoch). Returns 0, -TW_ENOSPC,
 * -TW_ENOMEM. */
int tw_val_conf_add_nta(struct tw_val_conf *c, const uint8_t *name, uint32_t until);

/* Number of anchored zones. */
unsigned tw_val_conf_anchor_zones(const struct tw_val_conf *c);

/* ---- the key store: facts about zones, shared between queries --------------- */

enum tw_val_zone_status {
	TW_VAL_ZONE_SECURE = 0,   /* a validated DNSKEY set: the zone's keys */
	TW_VAL_ZONE_INSECURE = 1, /* proven unsigned delegation (or unusable DS
				   * algorithms/digests): this name and below */
	TW_VAL_ZONE_BOGUS = 2,    /* the chain to this zone failed */
	TW_VAL_ZONE_DS = 3,       /* a validated DS set for this name, from its
				   * parent: the zone's keys can be authenticated
				   * again without asking for it (its TTL is often
				   * longer than the DNSKEY set's) */
};

/* One zone fact, immutable once made, reference counted (the store holds one
 * reference; a query holds one for as long as it uses the entry). */
struct tw_val_zone;

struct tw_val_zone_key {
	const struct tw_crypto_key *key; /* NULL: algorithm unsupported or refused */
	uint16_t tag;
	uint16_t flags;
	uint8_t alg;
	bool trusted;                    /* matched a DS or anchor (a KSK in use) */
};

const uint8_t *tw_val_zone_name(const struct tw_val_zone *z);
enum tw_val_zone_status tw_val_zone_status(const struct tw_val_zone *z);
uint32_t tw_val_zone_expires(const struct tw_val_zone *z);
uint16_t tw_val_zone_ede(const struct tw_val_zone *z);
const char *tw_val_zone_reason(const struct tw_val_zone *z);
unsigned tw_val_zone_nkeys(const struct tw_val_zone *z);
const struct tw_val_zone_key *tw_val_zone_key(const struct tw_val_zone *z, unsigned i);
/* A DS fact's DS RDATA: count, and the i-th record (length in *len). */
unsigned tw_val_zone_nds(const struct tw_val_zone *z);
const uint8_t *tw_val_zone_ds(const struct tw_val_zone *z, unsigned i, uint16_t *len);
/* Validity window of the RRSIG that validated the DNSKEY set (0 when none). */
void tw_val_zone_sig_window(const struct tw_val_zone *z, uint32_t *inception,
			    uint32_t *expiration);

void tw_val_zone_ref(const struct tw_val_zone *z);
void tw_val_zone_unref(const struct tw_val_zone *z);

/* Where zone facts live. lookup: the fact stored for exactly `name` (canonical,
 * lower case) that has not expired at `now`, with a reference taken for the
 * caller, or NULL; `type` TW_DNS_T_DS asks for the DS fact (status
 * TW_VAL_ZONE_DS), TW_DNS_T_DNSKEY for any other. insert: store a fact, beside
 * the name's fact of the other kind, replacing one of the same kind (the store
 * takes a reference of its own; it may refuse or evict silently). The cache
 * module implements this over its RCU tables; the in-memory store below serves
 * one thread. */
struct tw_val_keystore {
	void *state;
	const struct tw_val_zone *(*lookup)(void *state, const uint8_t *name, uint16_t type,
					    uint32_t now);
	void (*insert)(void *state, const struct tw_val_zone *z);
};

/* A simple store for one thread (trustwire-check, tests, benchmarks): at most
 * `cap` facts, the oldest replaced first. NULL when out of memory. */
struct tw_val_keystore *tw_val_keystore_mem_new(unsigned cap);
void tw_val_keystore_mem_free(struct tw_val_keystore *ks);
/* Drops every fact. */
void tw_val_keystore_mem_flush(struct tw_val_keystore *ks);

/* ---- queries ------------------------------------------------------------------ */

struct tw_val_query;

enum tw_val_status {
	TW_VAL_DONE = 0,
	TW_VAL_NEED_UPSTREAM = 1,
	TW_VAL_NEED_VERIFY = 2,
};

/* New query for (qname, qtype, qclass). cd: the client set CD (the answer is
 * passed through unvalidated). conf and ks must outlive the query. NULL when out
 * of memory. */
struct tw_val_query *tw_val_query_new(const struct tw_val_conf *conf, struct tw_val_keystore *ks,
				      const uint8_t *qname, uint16_t qtype, uint16_t qclass,
				      bool cd);
/* Frees the query; NULL is fine. Jobs still in a pipeline must have been
 * dequeued first (they point into the query). */
void tw_val_query_free(struct tw_val_query *q);

/* Advances the query with the clock `now` (seconds since the epoch). */
enum tw_val_status tw_val_query_run(struct tw_val_query *q, uint32_t now);

/* The next question the farm must answer, once each: returns true and sets
 * *name (valid while q lives) and *type, or false when none is waiting. */
bool tw_val_query_next_upstream(struct tw_val_query *q, const uint8_t **name, uint16_t *type);

/* Hands over the farm's answer to (name, type): the message is copied. NULL wire
 * means the farm did not answer (timeout, network error). Returns 0, -TW_ENOENT
 * (no such question outstanding), -TW_ENOMEM, or the parse error of a malformed
 * message (the question then counts as failed). */
int tw_val_query_answer_upstream(struct tw_val_query *q, const uint8_t *name, uint16_t type,
				 const uint8_t *wire, size_t len);

/* The verification jobs waiting: fills up to max and returns how many; each job
 * is handed out once. Cookies identify the job to tw_val_query_job_done(). */
unsigned tw_val_query_jobs(struct tw_val_query *q, struct tw_crypto_job *out, unsigned max);
void tw_val_query_job_done(struct tw_val_query *q, uint64_t cookie, enum tw_crypto_result r);

/* Runs every waiting job with verifier v on this thread and records the results. */
void tw_val_query_verify_all(struct tw_val_query *q, struct tw_crypto_verifier *v);

/* The outcome; meaningful once tw_val_query_run() returned TW_VAL_DONE. */
const struct tw_val_result *tw_val_query_result(const struct tw_val_query *q);

/* The farm's answer to the client's question (NULL when there was none) and the
 * TTL each of its records is to be served with (capped as RFC 4035 §5.3.3 says
 * for validated RRsets; indexed like msg->rr). */
const struct tw_dns_msg *tw_val_query_answer(const struct tw_val_query *q,
					     const uint32_t **ttls);

/* The chain of zones the query walked, top down, for display: each with its
 * fact (keys, status); valid while q lives. Returns the count. */
unsigned tw_val_query_chain(const struct tw_val_query *q, const struct tw_val_zone **out,
			    unsigned max);

#endif
