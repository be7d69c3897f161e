/* The shared cache of validated data: RRsets with their trust status, zone facts
 * (validated DNSKEY sets with prepared keys, insecure cuts, bogus zones), validated
 * NSEC/NSEC3 ranges for aggressive negative answers (RFC 8198), and ready answers
 * for the hit fast path (the packet cache).
 *
 * Threads. Every thread that touches the cache registers once and gets a
 * struct tw_cache_thread: its own counters, its own entries and its own share of
 * the eviction work, so nothing on the read path is shared for writing. The read
 * side is liburcu's QSBR flavour: a registered thread is an RCU reader from
 * registration on, and must call tw_cache_quiescent() regularly (a DPDK worker:
 * once per loop iteration) and tw_cache_thread_offline() before it blocks. What a
 * lookup returns stays valid until the thread's next quiescent state (or offline
 * period); a reader never blocks, locks or retries because of a writer.
 *
 * Entries. One lock-free index holds every entry, keyed by (kind, canonical owner
 * name, type, class, variant): buckets of one cache line with 8 slots, each slot
 * an entry address and 16 bits of its hash, a key in one of two buckets. It is
 * sized once from the memory limit (about one slot per 128 octets of limit), so it
 * never resizes; a full pair of buckets evicts one of its entries. Inserting
 * replaces an entry of the same key with one compare-and-swap; readers see the old
 * or the new one, whole. (liburcu's rculfhash was measured at 0.14x rte_hash on
 * hot keys, bench/cache_bench; this index is the reason for the change.)
 * An entry belongs to the thread that inserted it: only that thread frees it
 * (after an RCU grace period) and accounts its bytes, whoever removed it from the
 * table (replacement, flush, expiry or eviction).
 *
 * Memory. conf.mem_limit bounds the bytes of every entry (allocation size
 * included). When the sum over threads passes it, the inserting thread evicts its
 * own entries (CLOCK: an entry hit since the hand last passed survives one more
 * round), and tw_cache_maintain() does the same for every thread that runs it.
 *
 * Expiry. An entry expires at its TTL (RRSIG expiration and the validator's caps
 * included: the caller passes TTLs as the validator capped them); lookups after
 * that miss, and maintenance frees the entry.
 */
#ifndef TW_CACHE_CACHE_H
#define TW_CACHE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/validator.h"
#include "dns/msg.h"

/* ---- configuration and life ---------------------------------------------------- */

struct tw_cache_conf {
	uint64_t mem_limit;     /* bytes for all entries (default 256 MiB) */
	uint32_t max_ttl;       /* largest TTL any entry keeps (86400) */
	uint32_t min_ttl;       /* smallest TTL a positive entry is given (0) */
	uint32_t bogus_ttl;     /* how long a bogus answer is remembered (60) */
	uint32_t neg_max_ranges; /* NSEC/NSEC3 ranges kept per zone (512) */
	uint16_t nsec3_max_iterations; /* NSEC3 chains above this are not used for
					* synthesis (RFC 9276 §3.2; 100) */
	uint16_t max_threads;   /* registered threads at most (64) */
	bool aggressive;        /* synthesize from NSEC/NSEC3 ranges (true) */
	uint64_t seed;          /* hash seed; 0: drawn from the OS at creation */
};

/* Fills conf with the defaults above. */
void tw_cache_conf_init(struct tw_cache_conf *conf);

struct tw_cache;
struct tw_cache_thread;

/* New, empty cache. NULL with err (capacity errcap) saying why: bad
 * configuration or out of memory. */
struct tw_cache *tw_cache_new(const struct tw_cache_conf *conf, char *err, size_t errcap);

/* Frees the cache and everything in it. Every thread must have unregistered; the
 * caller must not be a registered thread. NULL is fine. */
void tw_cache_free(struct tw_cache *c);

/* Registers the calling thread with liburcu (QSBR) and the cache; the thread is
 * online (an RCU reader) on return. NULL when max_threads are registered or out
 * of memory. One registration per thread and cache. */
struct tw_cache_thread *tw_cache_thread_register(struct tw_cache *c);

/* Frees every entry the thread still owns (after a grace period) and
 * unregisters it. Must be called from the thread itself. */
void tw_cache_thread_unregister(struct tw_cache_thread *t);

/* Quiescent state: pointers from earlier lookups are no longer used. */
void tw_cache_quiescent(struct tw_cache_thread *t);
/* Before and after the thread blocks (sleep, poll, a lock): while offline it
 * holds no pointers into the cache and does not hold up grace periods. */
void tw_cache_thread_offline(struct tw_cache_thread *t);
void tw_cache_thread_online(struct tw_cache_thread *t);

/* Housekeeping for the thread's own entries: frees those removed from the table
 * by anyone, removes expired and flushed ones, and evicts while the cache is
 * above its memory limit. Looks at `budget` entries at most. Returns how many
 * entries it freed. A worker calls it every loop iteration with a small budget. */
unsigned tw_cache_maintain(struct tw_cache_thread *t, uint32_t now, unsigned budget);

/* ---- RRsets ----------------------------------------------------------------------- */

enum tw_cache_status {
	TW_CACHE_SECURE = 0,
	TW_CACHE_INSECURE = 1,
	TW_CACHE_BOGUS = 2,
};

/* An RRset as stored: stand-alone (uncompressed) RDATA of `count` RRs, then the
 * RDATA of `sig_count` covering RRSIGs, each as a 2-octet length and the octets.
 * Pointers are valid until the thread's next quiescent state. */
struct tw_cache_rrset {
	const uint8_t *owner;   /* canonical (lower-case) wire name */
	const uint8_t *data;    /* count + sig_count length-prefixed RDATA */
	const char *reason;     /* bogus: why (never NULL; "" when none) */
	/* from data_len to reason_len: copied from the stored form as one block */
	uint32_t data_len;
	uint16_t count;
	uint16_t sig_count;
	uint16_t type;
	uint16_t cls;
	uint16_t ede;           /* TW_EDE_NONE unless bogus (and insecure for
				 * unsupported algorithms: EDE 1, 2, 27) */
	uint8_t status;         /* enum tw_cache_status */
	uint8_t reason_len;     /* strlen(reason) */
	uint32_t ttl;           /* seconds left at the lookup's `now` */
};

/* Iterates the RDATA of r: *pos starts at 0; returns true with *rdata and *len
 * set, first the count RRs then the sig_count RRSIGs, false at the end. */
bool tw_cache_rrset_next(const struct tw_cache_rrset *r, uint32_t *pos, const uint8_t **rdata,
			 uint16_t *len);

/* The RRset (owner, type, cls) unexpired at `now`: true with *out filled, or
 * false (a miss). owner: wire name in any case. Counts a hit or a miss. */
bool tw_cache_rrset_lookup(struct tw_cache_thread *t, const uint8_t *owner, uint16_t type,
			   uint16_t cls, uint32_t now, struct tw_cache_rrset *out);

/* tw_cache_rrset_lookup() of an owner whose length in octets the caller has
 * (a parsed name's, tw_dns_name_len()): the labels are not walked again. */
bool tw_cache_rrset_lookup_n(struct tw_cache_thread *t, const uint8_t *owner, size_t owner_len,
			     uint16_t type, uint16_t cls, uint32_t now, struct tw_cache_rrset *out);

/* The most lookups of one burst call. */
#define TW_CACHE_BURST_MAX 32

struct tw_cache_rrset_key {
	const uint8_t *owner;   /* wire name in any case */
	uint16_t type;
	uint16_t cls;
	uint16_t owner_len;     /* its length when the caller has it, else 0 */
};

/* tw_cache_rrset_lookup() of n (at most TW_CACHE_BURST_MAX) RRsets at once, as a
 * worker has them from one receive burst: every key is hashed and its bucket
 * fetched before any is compared, then every candidate entry, so the memory
 * latencies of the n lookups overlap. Returns a mask with bit i set when out[i]
 * holds a hit; counts each hit and miss. */
uint32_t tw_cache_rrset_lookup_burst(struct tw_cache_thread *t, const struct tw_cache_rrset_key *k,
				     unsigned n, uint32_t now, struct tw_cache_rrset *out);

/* Stores one RRset: RRs `idx[0..n)` of m (all of one owner, type and class; the
 * RDATA is decompressed), with the RRSIGs `sig_idx[0..nsig)`, status and EDE,
 * reason (bogus, may be NULL), kept for `ttl` seconds from `now` (capped by
 * conf.max_ttl; the caller has already capped it at signature expiry). Returns
 * 0, -TW_EINVAL (no RR, or RRs of different owners/types), -TW_ENOMEM. */
int tw_cache_rrset_insert(struct tw_cache_thread *t, const struct tw_dns_msg *m,
			  const uint16_t *idx, unsigned n, const uint16_t *sig_idx, unsigned nsig,
			  enum tw_cache_status status, uint16_t ede, const char *reason,
			  uint32_t ttl, uint32_t now);

/* Stores what a finished validation taught (tw_val_query_result/answer): the
 * answer section's RRsets with their RRSIGs at the verdict's status and the
 * TTLs the validator capped; for a secure negative or wildcard answer, the
 * NSEC/NSEC3 records and the SOA of the authority section as ranges for
 * aggressive use; for a bogus verdict, a bogus marker for the question kept for
 * conf.bogus_ttl. Indeterminate and unchecked verdicts store nothing. Returns
 * the number of RRsets and ranges stored, or -TW_ENOMEM. */
int tw_cache_insert_validated(struct tw_cache_thread *t, const struct tw_val_result *r,
			      const struct tw_dns_msg *m, const uint32_t *ttls,
			      const uint8_t *qname, uint16_t qtype, uint16_t qclass, uint32_t now);

/* ---- zone facts (the validator's key store) ------------------------------------- */

/* The validator key store (crypto/validator.h) backed by this cache, for use by
 * the thread t only (queries driven on t). Facts live in the shared table: every
 * thread's queries see every thread's facts. Valid while t is registered. */
struct tw_val_keystore *tw_cache_keystore(struct tw_cache_thread *t);

/* ---- aggressive use of NSEC/NSEC3 (RFC 8198) -------------------------------------- */

#define TW_CACHE_SYNTH_MAX 6

/* An answer made from cached proofs: rcode NXDOMAIN or NOERROR; the answer section
 * (a wildcard expansion, owner = the query name, or none) and the authority
 * section (the SOA and the NSEC/NSEC3 RRsets of the proof), every RRset served
 * with `ttl`. Pointers are valid until the thread's next quiescent state. */
struct tw_cache_synth {
	uint16_t rcode;
	uint8_t status;          /* TW_CACHE_SECURE: only proofs from secure
				  * answers are kept */
	uint32_t ttl;            /* min of the RRsets' remaining TTLs and the SOA
				  * negative TTL (RFC 9077) */
	bool has_answer;
	struct tw_cache_rrset answer; /* owner: the wildcard's; serve it at qname */
	unsigned nauth;
	struct tw_cache_rrset auth[TW_CACHE_SYNTH_MAX];
};

/* Tries to answer (qname, qtype, qclass) from cached NSEC/NSEC3 ranges of the
 * deepest zone above qname that has any: NXDOMAIN (name and wildcard both
 * denied), NODATA (name or its wildcard exists without the type or a CNAME), or a
 * wildcard expansion found in the RRset table. Refuses (false) whenever the
 * proof is incomplete: no covering range, a range ending below a delegation, an
 * opt-out NSEC3 span, NSEC3 iterations above the limit, an expired SOA. Counts a
 * hit or a miss on the aggressive table. */
bool tw_cache_synth_lookup(struct tw_cache_thread *t, const uint8_t *qname, uint16_t qtype,
			   uint16_t qclass, uint32_t now, struct tw_cache_synth *out);

/* ---- packet cache: ready answers for the hit fast path ------------------------- */

/* The query's variant: answers differ with these, so each has its own entry. */
#define TW_CACHE_PKT_DO    0x01 /* EDNS DO set */
#define TW_CACHE_PKT_CD    0x02 /* CD set */
#define TW_CACHE_PKT_AD    0x04 /* AD set in the query (RFC 6840 §5.7) */
#define TW_CACHE_PKT_RD    0x08 /* RD set */
#define TW_CACHE_PKT_EDNS  0x10 /* the query had an OPT record */
#define TW_CACHE_PKT_BIG   0x20 /* its EDNS size was >= 1232 */

/* The variant of a parsed query. */
uint8_t tw_cache_pkt_variant(const struct tw_dns_msg *q);

/* Answers the parsed query q (its wire at q->wire) from the packet cache: writes
 * the stored answer into out (capacity cap) with q's ID, q's question (its case
 * kept, for clients that randomise it, "DNS 0x20") and every TTL counted down to
 * `now`. Returns the answer's length, or 0 on a miss (nothing cached, expired,
 * too big for cap, a compressed question name). No allocation, lock or system
 * call. */
size_t tw_cache_pkt_answer(struct tw_cache_thread *t, const struct tw_dns_msg *q, uint32_t now,
			   uint8_t *out, size_t cap);

/* tw_cache_pkt_answer() for the n (at most TW_CACHE_BURST_MAX) queries of one
 * receive burst, q[i] answered into out[i] (capacity cap[i]; out[i] may be
 * q[i]->wire: the answer then replaces its query in place): every key is
 * hashed and its bucket fetched, then every candidate entry, then the answers
 * are written, so the memory latencies overlap. len[i] is the answer's length
 * (0: a miss); for a hit, sum[i] is the one's complement sum of its octets
 * (what tw_csum_partial() would return), so that the UDP checksum need not read
 * them again. Returns the hits as a bit mask (bit i: q[i]). */
uint32_t tw_cache_pkt_answer_burst(struct tw_cache_thread *t, const struct tw_dns_msg *const *q,
				   unsigned n, uint32_t now, uint8_t *const *out,
				   const size_t *cap, size_t *len, uint32_t *sum);

/* Stores a complete answer (wire, len) for queries of its question with variant
 * `variant`, served for at most ttl_cap seconds from now and never past its
 * records' TTLs (a message without records, e.g. a SERVFAIL, lives ttl_cap).
 * Status is the verdict's, kept for statistics. Returns 0 (also when there is
 * nothing to keep: a TTL of 0), -TW_EINVAL (no question, a compressed question
 * name, or a message that does not parse), -TW_ENOMEM. */
int tw_cache_pkt_insert(struct tw_cache_thread *t, const uint8_t *wire, size_t len,
			uint8_t variant, enum tw_cache_status status, uint32_t ttl_cap,
			uint32_t now);

/* ---- flushing (management plane; safe under load) ------------------------------- */

/* Removes every entry of exactly `name` (every kind and type). Returns how many
 * entries were removed. Walks the whole table: milliseconds per million entries. */
unsigned long tw_cache_flush_name(struct tw_cache_thread *t, const uint8_t *name);
/* Removes everything at or below `zone` (RRsets, answers, zone facts, ranges). */
unsigned long tw_cache_flush_zone(struct tw_cache_thread *t, const uint8_t *zone);
/* Makes every entry present now invisible at once (a generation step); their
 * owners free them during maintenance. */
void tw_cache_flush_all(struct tw_cache *c);

/* ---- statistics --------------------------------------------------------------------- */

enum tw_cache_kind {
	TW_CACHE_KIND_RRSET = 0,
	TW_CACHE_KIND_KEY = 1,
	TW_CACHE_KIND_NEG = 2,
	TW_CACHE_KIND_PKT = 3,
	TW_CACHE_KINDS = 4,
};

/* "rrset", "key", "neg", "packet". */
const char *tw_cache_kind_str(enum tw_cache_kind k);

struct tw_cache_kind_stats {
	uint64_t entries;     /* owned entries not yet freed (live + awaiting free) */
	uint64_t bytes;       /* their bytes */
	uint64_t hits;
	uint64_t misses;
	uint64_t inserts;
	uint64_t replaced;    /* inserts that replaced an entry of the same key */
	uint64_t evictions;   /* removed for memory */
	uint64_t expirations; /* removed at expiry */
	uint64_t flushed;     /* removed by a flush */
	uint64_t freed;       /* freed after their grace period started */
	uint64_t refused;     /* inserts refused (out of memory, too big) */
};

struct tw_cache_stats {
	struct tw_cache_kind_stats kind[TW_CACHE_KINDS];
	uint64_t mem_limit;
	uint64_t bytes;       /* sum over kinds */
	uint64_t index_bytes; /* the index (fixed at creation, not in the limit) */
	unsigned threads;     /* registered */
};

/* The thread's own counters (no synchronisation; any time on that thread). */
const struct tw_cache_stats *tw_cache_thread_stats(const struct tw_cache_thread *t);

/* Sums every registered thread's counters (and those of threads gone) into out.
 * Any thread; counters are read without stopping their owners. */
void tw_cache_stats(struct tw_cache *c, struct tw_cache_stats *out);

/* Entries currently in the index (a full walk; tests and tools). */
unsigned long tw_cache_count(struct tw_cache_thread *t);

#endif
