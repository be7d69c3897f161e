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
#ifdef __SSE4_1__
#include <smmintrin.h>
#endif

#include "cache/cache.h"

/* Key layout: kind, variant, type (2), class (2), two zero octets (one 8-octet
 * word), then the canonical owner name; the name is last so that flushes find it
 * at a fixed offset. */
#define CACHE_KEY_HDR 8
#define CACHE_KEY_MAX (CACHE_KEY_HDR + 255)
/* A key being built: whole words, with room for the zero word after the last */
#define CACHE_KEYBUF ((CACHE_KEY_MAX + 16 + 7) & ~7)

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
	alignas(8) uint8_t keybuf[CACHE_KEYBUF]; /* zero-padded to words */
	alignas(8) uint8_t burst_key[TW_CACHE_BURST_MAX][CACHE_KEYBUF]; /* a burst's keys */
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
static inline uint64_t cache_hash_chunk(const struct tw_cache *c, uint64_t a, uint64_t b,
					size_t pos);
static inline uint64_t cache_hash(const struct tw_cache *c, const uint8_t *key, size_t len)
{
	uint64_t acc = c->seed[0] ^ (len * 0x9E3779B97F4A7C15ull);
	for (size_t i = 0; i < len; i += 16) {
		uint64_t a = cache_load64(key + i);
		uint64_t b = i + 8 < len ? cache_load64(key + i + 8) : 0;
		acc ^= cache_hash_chunk(c, a, b, i);
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

/* One 16-octet chunk of the hash: words a and b at byte offset pos of the key. */
static inline uint64_t cache_hash_chunk(const struct tw_cache *c, uint64_t a, uint64_t b,
					size_t pos)
{
	return cache_mum(a ^ c->seed[1] ^ (pos * 0xA0761D6478BD642Full), b ^ c->seed[2]);
}

/* Builds a key into buf (CACHE_KEYBUF octets, 8-aligned): kind, variant, type, class and the (checked)
 * name lower-cased, zero-padded to a whole word; *hash: cache_hash() of it,
 * computed from the words as they are made (loading them back right after
 * storing them measured a third of a lookup). Returns the key's length. */
static inline size_t cache_key_into_n(const struct tw_cache *c, uint8_t *buf, uint8_t kind,
				      uint16_t type, uint16_t cls, uint8_t variant,
				      const uint8_t *name, size_t n, uint64_t *hash);
static inline size_t cache_key_into(const struct tw_cache *c, uint8_t *buf, uint8_t kind,
				    uint16_t type, uint16_t cls, uint8_t variant,
				    const uint8_t *name, uint64_t *hash)
{
	size_t n = 1;
	while (name[n - 1])
		n += name[n - 1] + 1u;
	return cache_key_into_n(c, buf, kind, type, cls, variant, name, n, hash);
}

/* cache_key_into() of a name whose length n the caller knows (a parsed
 * question's): the labels are not walked again. */
static inline size_t cache_key_into_n(const struct tw_cache *c, uint8_t *buf, uint8_t kind,
				      uint16_t type, uint16_t cls, uint8_t variant,
				      const uint8_t *name, size_t n, uint64_t *hash)
{
	uint64_t *k = (uint64_t *)(void *)buf;
	size_t len = CACHE_KEY_HDR + n;
	/* the last, partial word of the name: the 8 octets ending at its end
	 * shifted down (no read past the name), or octet by octet when short */
	size_t r = n & 7;
	uint64_t tail = 0;
	if (n >= 8) {
		if (r)
			tail = cache_load64(name + n - 8) >> (8 * (8 - r));
	} else {
		for (size_t j = 0; j < r; j++)
			tail |= (uint64_t)name[j] << (8 * j);
	}
	tail = cache_lower8(tail);
	/* name word at name offset o: whole, the tail, or the zero padding */
#define CACHE_NAME_WORD(o) \
	((o) + 8 <= n ? cache_lower8(cache_load64(name + (o))) : (o) < n ? tail : 0)
	uint64_t a = (uint64_t)kind | (uint64_t)variant << 8 | (uint64_t)(type >> 8) << 16 |
		     (uint64_t)(type & 0xFF) << 24 | (uint64_t)(cls >> 8) << 32 |
		     (uint64_t)(cls & 0xFF) << 40;
	uint64_t b = CACHE_NAME_WORD(0);
	k[0] = a;
	k[1] = b;
	uint64_t acc = c->seed[0] ^ (len * 0x9E3779B97F4A7C15ull);
	acc ^= cache_hash_chunk(c, a, b, 0);
	for (size_t o = 8; o < n; o += 16) {
		a = CACHE_NAME_WORD(o);
		b = CACHE_NAME_WORD(o + 8);
		k[1 + o / 8] = a;
		k[2 + o / 8] = b;
		acc ^= cache_hash_chunk(c, a, b, o + CACHE_KEY_HDR);
	}
#undef CACHE_NAME_WORD
	*hash = cache_mum(acc ^ c->seed[2], c->seed[0] ^ 0x8EBC6AF09C88C6E3ull);
	return len;
}

/* cache_key_into() t->keybuf. */
static inline size_t cache_key_hash(struct tw_cache_thread *t, uint8_t kind, uint16_t type,
				    uint16_t cls, uint8_t variant, const uint8_t *name,
				    uint64_t *hash)
{
	return cache_key_into(t->c, t->keybuf, kind, type, cls, variant, name, hash);
}

/* The same key without its hash (inserting: the hash is computed again). */
static inline size_t cache_key(struct tw_cache_thread *t, uint8_t kind, uint16_t type,
			       uint16_t cls, uint8_t variant, const uint8_t *name)
{
	uint64_t h;
	return cache_key_hash(t, kind, type, cls, variant, name, &h);
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

/* Bit 2i set when slot i of bucket b carries hash bits sig. Branch-free: the
 * match's position is random, and a loop leaving at it would mispredict on
 * nearly every lookup. With SSE4.1 the eight 16-bit signatures are shifted
 * down, packed into one vector and compared at once (13 instructions instead
 * of 64, measured with callgrind). */
static inline unsigned cache_bucket_match(const struct cache_bucket *b, uint64_t sig)
{
#ifdef __SSE4_1__
	const __m128i *v = (const __m128i *)(const void *)b->slot;
	/* plain loads: x86 loads are not torn within an aligned quadword, and the
	 * slot used is loaded again with acquire by the caller */
	__m128i s0 = _mm_srli_epi64(_mm_load_si128(v + 0), 48);
	__m128i s1 = _mm_srli_epi64(_mm_load_si128(v + 1), 48);
	__m128i s2 = _mm_srli_epi64(_mm_load_si128(v + 2), 48);
	__m128i s3 = _mm_srli_epi64(_mm_load_si128(v + 3), 48);
	/* 32-bit lanes [s, 0, s, 0] -> 16-bit lanes, twice: the eight signatures */
	__m128i p = _mm_packus_epi32(_mm_packus_epi32(s0, s1), _mm_packus_epi32(s2, s3));
	__m128i eq = _mm_cmpeq_epi16(p, _mm_set1_epi16((short)sig));
	/* two mask bits per slot: keep the low one of each pair */
	return (unsigned)_mm_movemask_epi8(eq) & 0x5555u;
#else
	unsigned m = 0;
#pragma GCC unroll 8
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		m |= (unsigned)((__atomic_load_n(&b->slot[i], __ATOMIC_RELAXED) >> 48) == sig)
		     << (2 * i);
	return m;
#endif
}

/* The slot holding key in bucket b, or NULL; *w: its word. */
static inline uint64_t *cache_index_find(struct cache_bucket *b, uint64_t sig,
					 const uint8_t *key, size_t keylen, uint64_t *w)
{
	for (unsigned m = cache_bucket_match(b, sig); m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m) / 2;
		/* loaded again with acquire: a writer may have changed it since */
		uint64_t v = __atomic_load_n(&b->slot[i], __ATOMIC_ACQUIRE);
		/* the entry's second line (key's end, value's start) fetched
		 * beside its first rather than after it */
		__builtin_prefetch((const uint8_t *)cache_slot_entry(v) + 64);
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

/* Starts fetching the first bucket of a key (the one nearly every key is in). */
static inline void cache_prefetch_bucket(const struct tw_cache *c, uint64_t hash)
{
	__builtin_prefetch(&c->buckets[hash & c->bucket_mask]);
}

/* cache_find_burst() fetching the first `lines` 64-octet lines of each
 * candidate entry: a ready answer is read whole right after. */
static inline void cache_find_burst_lines(struct tw_cache_thread *t, unsigned n,
					  const uint8_t *keys, const size_t *klen,
					  const uint64_t *hash, uint32_t now, unsigned lines,
					  struct cache_entry **out)
{
	struct tw_cache *c = t->c;
	for (unsigned i = 0; i < n; i++) {
		const struct cache_bucket *b = &c->buckets[hash[i] & c->bucket_mask];
		unsigned m = cache_bucket_match(b, cache_slot_sig(hash[i]));
		if (m) {
			const uint8_t *e = (const uint8_t *)cache_slot_entry(
				__atomic_load_n(&b->slot[__builtin_ctz(m) / 2], __ATOMIC_RELAXED));
			for (unsigned l = 0; l < lines; l++)
				__builtin_prefetch(e + 64 * l);
		}
	}
	for (unsigned i = 0; i < n; i++)
		out[i] = cache_find(t, keys + (size_t)i * CACHE_KEYBUF, klen[i], hash[i], now);
}

/* cache_find() for n keys at once (key i at keys + i * CACHE_KEYBUF, its length
 * klen[i], its hash hash[i]), the caller having called cache_prefetch_bucket()
 * for each as it hashed it: every candidate entry is fetched first, then the
 * lookups run on lines already on their way, so the memory latencies of the n
 * lookups overlap instead of adding up. */
static inline void cache_find_burst(struct tw_cache_thread *t, unsigned n, const uint8_t *keys,
				    const size_t *klen, const uint64_t *hash, uint32_t now,
				    struct cache_entry **out)
{
	cache_find_burst_lines(t, n, keys, klen, hash, now, 2, out);
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
