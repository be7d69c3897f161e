/* Private to cache/: the entry layout, the thread context and the table
 * primitives that the RRset, key, aggressive and packet tables are made of. */
#ifndef TW_CACHE_INTERNAL_H
#define TW_CACHE_INTERNAL_H

#define _LGPL_SOURCE
#include <pthread.h>
#include <stdalign.h>
#include <string.h>
#include <urcu-qsbr.h>
#include <urcu/rculfhash.h>

#include "cache/cache.h"

/* Key layout: kind, type (2), class (2), variant, then the canonical owner name;
 * the name is last so that flushes find it at a fixed offset. */
#define CACHE_KEY_HDR 6
#define CACHE_KEY_MAX (CACHE_KEY_HDR + 255)

/* Octets accounted per entry beyond its allocation's usable size: the
 * allocator's chunk header and the table's bucket share. */
#define CACHE_ENTRY_OVERHEAD 16

struct cache_entry {
	struct cds_lfht_node node; /* table link; first so lookups touch one line */
	uint32_t expires;          /* seconds since the epoch */
	uint32_t gen;              /* tw_cache generation at insert */
	uint16_t keylen;
	uint8_t kind;              /* enum tw_cache_kind */
	uint8_t ref;               /* CLOCK reference bit: readers set it */
	uint32_t val_len;
	uint32_t size;             /* accounted octets */
	/* owner side only */
	struct cache_entry *next, *prev; /* the owner's ring */
	struct rcu_head rcu;
	alignas(8) uint8_t key[];  /* keylen octets, padded to 8, then the value */
};

static inline uint8_t *cache_entry_val(struct cache_entry *e)
{
	return e->key + ((e->keylen + 7u) & ~7u);
}
static inline const uint8_t *cache_entry_name(const struct cache_entry *e)
{
	return e->key + CACHE_KEY_HDR;
}

struct tw_cache_thread {
	/* hot, owner-written */
	struct tw_cache_stats stats;
	struct tw_cache *c;
	struct cache_entry *hand;  /* CLOCK hand over the owned ring */
	struct cache_entry *scan;  /* maintenance cursor over the same ring */
	unsigned slot;
	bool urcu_registered;      /* this registration did rcu_register_thread */
	uint32_t now;              /* the latest clock the thread passed in */
	struct tw_val_keystore keystore;
	uint8_t *scratch;          /* CACHE_SCRATCH octets: RDATA being decompressed */
	uint8_t keybuf[CACHE_KEY_MAX + 2];
} __attribute__((aligned(64)));

struct tw_cache {
	struct tw_cache_conf conf;
	struct cds_lfht *ht;
	uint64_t seed[3];
	uint32_t gen;              /* flush-all generation */
	struct call_rcu_data *crd;

	pthread_mutex_t lock;      /* registration and the orphan ring only */
	unsigned nslots;
	struct tw_cache_thread **slots; /* max_threads */
	struct cache_entry *orphans;    /* ring of entries whose owner left */
	struct tw_cache_kind_stats orphan_acct[TW_CACHE_KINDS]; /* their entries and
					 * bytes (inside `gone` until adopted) */
	bool has_orphans;
	struct tw_cache_stats gone;     /* counters of unregistered threads */
};

/* Relaxed single-writer counter update: a plain load and store, no lock prefix. */
#define CACHE_CNT_ADD(field, n) \
	__atomic_store_n(&(field), __atomic_load_n(&(field), __ATOMIC_RELAXED) + (n), \
			 __ATOMIC_RELAXED)
#define CACHE_CNT_INC(field) CACHE_CNT_ADD(field, 1)

/* Scratch per thread: a stored RRset or a re-encoded answer (at most
 * CACHE_PKT_MAX octets), then one decompressed RDATA. */
#define CACHE_PKT_MAX 65536u
#define CACHE_SCRATCH (CACHE_PKT_MAX + 65536u + 512u)

/* A stored RRset (an RRset entry's value; each range of the aggressive table
 * holds one too): this header, then data_len octets of count + sig_count
 * length-prefixed RDATA, then the reason and its NUL. */
struct cache_rrset_hdr {
	uint32_t data_len;
	uint16_t count, sig_count;
	uint16_t type, cls;
	uint16_t ede;
	uint8_t status;
	uint8_t reason_len;
	uint32_t ttl;          /* as stored: served TTLs never exceed it, even to
				* a thread whose clock lags the inserter's */
};

/* Writes the stored form of RRs idx[0..n) of m (RDATA decompressed) and RRSIGs
 * sig_idx[0..nsig) into t->scratch; returns its length, or 0 when it does not
 * fit or an RR does not decompress. type and cls: the RRset's. */
size_t cache_rrset_serialize(struct tw_cache_thread *t, const struct tw_dns_msg *m,
			     const uint16_t *idx, unsigned n, const uint16_t *sig_idx,
			     unsigned nsig, uint16_t type, uint16_t cls, uint8_t status,
			     uint16_t ede, const char *reason);

/* ttl capped at the expiration of every RRSIG among RRs sig_idx[0..nsig) of m
 * (sig_idx NULL: RRs 0..nsig; RRs of other types are skipped). */
uint32_t cache_cap_by_sigs(const struct tw_dns_msg *m, const uint16_t *sig_idx, unsigned nsig,
			   uint32_t ttl, uint32_t now);

/* Sets the TTL of the stored form waiting in t->scratch. */
static inline void cache_rrset_set_ttl(struct tw_cache_thread *t, uint32_t ttl)
{
	((struct cache_rrset_hdr *)t->scratch)->ttl = ttl;
}

/* Fills a view of a stored RRset. */
void cache_rrset_view(const struct cache_rrset_hdr *h, const uint8_t *owner, uint32_t expires,
		      uint32_t now, struct tw_cache_rrset *out);

/* Stores the NSEC/NSEC3 and SOA records of a secure answer's authority section
 * as ranges for aggressive use (neg_cache.c). Returns the ranges stored. */
int cache_neg_ingest(struct tw_cache_thread *t, const struct tw_dns_msg *m,
		     const uint32_t *ttls, uint32_t now);

/* Keyed 64-bit hash of a key. */
uint64_t cache_hash(const struct tw_cache *c, const uint8_t *key, size_t len);

/* Builds a key into t->keybuf: kind, type, class, variant and the name
 * lower-cased. Returns its length. */
size_t cache_key(struct tw_cache_thread *t, uint8_t kind, uint16_t type, uint16_t cls,
		 uint8_t variant, const uint8_t *name);

/* The live entry for key, or NULL. Sets the entry's reference bit. Does not
 * count a hit or miss (the caller knows which it is). */
struct cache_entry *cache_find(struct tw_cache_thread *t, const uint8_t *key, size_t keylen,
			       uint64_t hash, uint32_t now);

/* A new entry of kind with key (from t->keybuf or elsewhere) and val_len octets
 * of value for the caller to fill; NULL (counted as refused) when out of memory
 * or larger than a tenth of the memory limit. */
struct cache_entry *cache_entry_new(struct tw_cache_thread *t, uint8_t kind, const uint8_t *key,
				    size_t keylen, size_t val_len);

/* Frees an entry never published. */
void cache_entry_discard(struct cache_entry *e);

/* Publishes e (replacing any entry of its key), owned by t, expiring at
 * `expires`; then evicts t's entries while the cache is over its limit. */
void cache_entry_publish(struct tw_cache_thread *t, struct cache_entry *e, uint64_t hash,
			 uint32_t expires, uint32_t now);

/* Sets up t->keystore (key_cache.c). */
void cache_keystore_init(struct tw_cache_thread *t);

/* Kind-specific destructor for values holding references (zone facts). */
void cache_key_entry_release(struct cache_entry *e);

/* Clamp of a TTL to the configured range, as an absolute expiry. */
uint32_t cache_expiry(const struct tw_cache *c, uint32_t ttl, uint32_t now);

#endif
