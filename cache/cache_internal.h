/* Private to cache/: the entry layout, the thread context and the table
 * primitives that the RRset, key, aggressive and packet tables are made of. */
#ifndef TW_CACHE_INTERNAL_H
#define TW_CACHE_INTERNAL_H

#define _LGPL_SOURCE
#include <pthread.h>
#include <stdalign.h>
#include <string.h>
#include <urcu-qsbr.h>
#include <urcu/call-rcu.h>

#include "cache/cache.h"

/* Key layout: kind, type (2), class (2), variant, then the canonical owner name;
 * the name is last so that flushes find it at a fixed offset. */
#define CACHE_KEY_HDR 6
#define CACHE_KEY_MAX (CACHE_KEY_HDR + 255)

/* Octets accounted per entry beyond its allocation's usable size: the
 * allocator's chunk header. (The index is accounted on its own.) */
#define CACHE_ENTRY_OVERHEAD 8

/* The index: buckets of one cache line, 8 slots each. A slot holds an entry's
 * address in its low 48 bits and 16 bits of the key's hash above them (0: empty),
 * so a reader filters a bucket without touching the entries and a writer
 * publishes, replaces or removes with one compare-and-swap. A key lives in one
 * of two buckets chosen by its hash. */
#define CACHE_SLOTS 8
struct cache_bucket {
	uint64_t slot[CACHE_SLOTS];
} __attribute__((aligned(64)));

struct cache_entry {
	uint32_t expires;          /* seconds since the epoch */
	uint32_t gen;              /* tw_cache generation at insert */
	uint16_t keylen;
	uint8_t kind;              /* enum tw_cache_kind */
	uint8_t ref;               /* CLOCK reference bit: readers set it */
	uint8_t removed;           /* out of the index: set by whoever took it out */
	uint8_t pad[3];
	uint32_t val_len;
	uint32_t size;             /* accounted octets */
	uint64_t *slot;            /* the index slot it was published in */
	/* owner side only: the ring while owned, then the RCU callback */
	union {
		struct {
			struct cache_entry *next, *prev;
		};
		struct rcu_head rcu;
	};
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
	alignas(8) uint8_t keybuf[(CACHE_KEY_MAX + 8 + 7) & ~7]; /* zero-padded to words */
} __attribute__((aligned(64)));

struct tw_cache {
	struct tw_cache_conf conf;
	struct cache_bucket *buckets;
	uint64_t bucket_mask;
	uint64_t index_bytes;
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

/* ---- the read path, inline: key, hash, index ---------------------------------- */

static inline uint64_t cache_mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t cache_load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* Keyed 64-bit hash of a key in t->keybuf (zero-padded to whole words): each
 * 16-octet chunk is folded by one 64x64->128 multiply with the secret drawn at
 * creation and its position, the chunks independently (they run in parallel),
 * then folded once more; clients cannot aim names at one bucket pair. */
static inline uint64_t cache_hash(const struct tw_cache *c, const uint8_t *key, size_t len)
{
	uint64_t acc = c->seed[0] ^ (len * 0x9E3779B97F4A7C15ull);
	for (size_t i = 0; i < len; i += 16) {
		uint64_t a = cache_load64(key + i);
		uint64_t b = i + 8 < len ? cache_load64(key + i + 8) : 0;
		acc ^= cache_mum(a ^ c->seed[1] ^ (i * 0xA0761D6478BD642Full), b ^ c->seed[2]);
	}
	return cache_mum(acc ^ c->seed[2], c->seed[0] ^ 0x8EBC6AF09C88C6E3ull);
}

/* Lower-cases ASCII letters of 8 octets at once: label lengths (< 64) and other
 * octets stay as they are. */
static inline uint64_t cache_lower8(uint64_t w)
{
	uint64_t heptets = w & 0x7F7F7F7F7F7F7F7Full;
	uint64_t ge_a = heptets + 0x3F3F3F3F3F3F3F3Full; /* bit 7 set when >= 'A' */
	uint64_t gt_z = heptets + 0x2525252525252525ull; /* bit 7 set when > 'Z' */
	uint64_t upper = ge_a & ~gt_z & ~w & 0x8080808080808080ull;
	return w | (upper >> 2);
}

/* Builds a key into t->keybuf: kind, type, class, variant and the (checked)
 * name lower-cased, zeros to the next whole word. Returns its length. */
static inline size_t cache_key(struct tw_cache_thread *t, uint8_t kind, uint16_t type,
			       uint16_t cls, uint8_t variant, const uint8_t *name)
{
	uint8_t *k = t->keybuf;
	size_t n = 1;
	while (name[n - 1])
		n += name[n - 1] + 1u;
	k[0] = kind;
	k[1] = (uint8_t)(type >> 8);
	k[2] = (uint8_t)type;
	k[3] = (uint8_t)(cls >> 8);
	k[4] = (uint8_t)cls;
	k[5] = variant;
	uint8_t *d = k + CACHE_KEY_HDR;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = cache_lower8(cache_load64(name + i));
		memcpy(d + i, &w, 8);
	}
	for (; i < n; i++) {
		uint8_t ch = name[i];
		d[i] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + 32) : ch;
	}
	size_t len = CACHE_KEY_HDR + n;
	uint64_t zero = 0;
	memcpy(k + len, &zero, 8); /* keybuf has room: padded past CACHE_KEY_MAX */
	return len;
}

#define CACHE_SLOT_PTR 0x0000FFFFFFFFFFFFull

static inline uint64_t cache_slot_sig(uint64_t hash)
{
	return (hash >> 48) | 1; /* never 0: a used slot always has bits above 48 */
}

static inline struct cache_entry *cache_slot_entry(uint64_t w)
{
	return (struct cache_entry *)(uintptr_t)(w & CACHE_SLOT_PTR);
}

/* The key's two buckets: from disjoint bits of its hash, never the same one. */
static inline void cache_buckets_of(const struct tw_cache *c, uint64_t hash,
				    struct cache_bucket **b1, struct cache_bucket **b2)
{
	uint64_t i1 = hash & c->bucket_mask;
	uint64_t i2 = (hash >> 24) & c->bucket_mask;
	if (i2 == i1)
		i2 = i1 ^ 1;
	*b1 = &c->buckets[i1];
	*b2 = &c->buckets[i2];
}

/* Entry keys and t->keybuf are both zero-padded to whole words. */
static inline bool cache_entry_is(const struct cache_entry *e, const uint8_t *key, size_t keylen)
{
	if (e->keylen != keylen)
		return false;
	uint64_t diff = 0;
	for (size_t i = 0; i < keylen; i += 8)
		diff |= cache_load64(e->key + i) ^ cache_load64(key + i);
	return diff == 0;
}

static inline bool cache_entry_live(const struct tw_cache *c, const struct cache_entry *e,
				    uint32_t now)
{
	return e->gen == __atomic_load_n(&c->gen, __ATOMIC_RELAXED) &&
	       (int32_t)(e->expires - now) > 0;
}

/* The slot holding key in bucket b, or NULL; *w: its word. */
static inline uint64_t *cache_index_find(struct cache_bucket *b, uint64_t sig,
					 const uint8_t *key, size_t keylen, uint64_t *w)
{
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		uint64_t v = __atomic_load_n(&b->slot[i], __ATOMIC_ACQUIRE);
		if ((v >> 48) == sig && cache_entry_is(cache_slot_entry(v), key, keylen)) {
			*w = v;
			return &b->slot[i];
		}
	}
	return NULL;
}

/* The live entry for key (in t->keybuf), or NULL. Sets the entry's reference
 * bit. Does not count a hit or miss (the caller knows which it is). */
static inline struct cache_entry *cache_find(struct tw_cache_thread *t, const uint8_t *key,
					     size_t keylen, uint64_t hash, uint32_t now)
{
	struct tw_cache *c = t->c;
	struct cache_bucket *b1, *b2;
	cache_buckets_of(c, hash, &b1, &b2);
	uint64_t sig = cache_slot_sig(hash), w;
	t->now = now;
	if (!cache_index_find(b1, sig, key, keylen, &w) && !cache_index_find(b2, sig, key, keylen, &w))
		return NULL;
	struct cache_entry *e = cache_slot_entry(w);
	if (!cache_entry_live(c, e, now))
		return NULL;
	/* Read before write: a hot entry's line stays shared between cores. */
	if (!__atomic_load_n(&e->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&e->ref, 1, __ATOMIC_RELAXED);
	return e;
}

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
