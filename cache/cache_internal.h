/* Private to cache/: the entry layout, the thread context and the table
 * primitives that the RRset, key, aggressive and packet tables are made of. */
#ifndef TW_CACHE_INTERNAL_H
#define TW_CACHE_INTERNAL_H

#define _LGPL_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <stdalign.h>
#include <string.h>
#include <urcu-qsbr.h>
#include <urcu/call-rcu.h>
#if !defined(__SSE4_1__)
#error "cache/ needs SSE4.1 (x86-64: meson.build adds -msse4.2)"
#endif
#include <smmintrin.h>

#include "cache/cache.h"

/* Key layout: kind, variant, type (2), class (2), two zero octets (one 8-octet
 * word), then the canonical owner name; the name is last so that flushes find it
 * at a fixed offset. */
#define CACHE_KEY_HDR 8
#define CACHE_KEY_MAX (CACHE_KEY_HDR + 255)
/* A key being built: the header word and the name in whole 16-octet chunks
 * (8 + 256 octets at most), rounded up */
#define CACHE_KEYBUF ((CACHE_KEY_MAX + 16 + 7) & ~7)
_Static_assert(CACHE_KEYBUF >= CACHE_KEY_HDR + 256, "CACHE_KEYBUF holds a key's chunks");
/* 16-octet chunks of the longest name */
#define CACHE_NH_CHUNKS 16

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
	alignas(16) uint32_t nh[CACHE_NH_CHUNKS][4]; /* NH key per name chunk (cache_hash()) */
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

/* The view's block from data_len to reason_len is the stored header's first 16
 * octets. */
_Static_assert(offsetof(struct tw_cache_rrset, reason_len) -
		       offsetof(struct tw_cache_rrset, data_len) ==
	       offsetof(struct cache_rrset_hdr, reason_len) - offsetof(struct cache_rrset_hdr, data_len),
	       "struct tw_cache_rrset and struct cache_rrset_hdr disagree");
_Static_assert(offsetof(struct cache_rrset_hdr, data_len) == 0 &&
		       offsetof(struct cache_rrset_hdr, ttl) == 16,
	       "struct cache_rrset_hdr: 16 octets copied to the view, then ttl");

/* Fills a view of a stored RRset. */
static inline void cache_rrset_view(const struct cache_rrset_hdr *h, const uint8_t *owner,
				    uint32_t expires, uint32_t now, struct tw_cache_rrset *out)
{
	const uint8_t *data = (const uint8_t *)(h + 1);
	memcpy(&out->data_len, h, 16);
	out->owner = owner;
	out->data = data;
	out->reason = (const char *)data + h->data_len;
	int32_t left = (int32_t)(expires - now);
	uint32_t ttl = left > 0 ? (uint32_t)left : 0;
	out->ttl = ttl < h->ttl ? ttl : h->ttl;
}

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

/* Lower-cases the ASCII letters of 16 octets: label lengths (< 64) and other
 * octets stay as they are. */
static inline __m128i cache_lower16(__m128i x)
{
	/* 'A'..'Z' become -128..-103, every other octet something larger */
	__m128i t = _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - 'A')));
	__m128i up = _mm_cmpgt_epi8(_mm_set1_epi8((char)(0x80 - 'A' + 'Z' + 1 - 256)), t);
	return _mm_or_si128(x, _mm_and_si128(up, _mm_set1_epi8(0x20)));
}

/* pshufb controls: the 16 octets at cache_shr_ctl + k move a vector down by k
 * octets, zeros coming in (k in 0..32; from 16 on, all zeros). */
extern const uint8_t cache_shr_ctl[48];

/* Octets [o, o + 16) of a name of n >= 16 octets (o <= 32, or o < n), zeros
 * past the name's end, without reading outside it: read at min(o, n - 16) and
 * moved down. */
static inline __m128i cache_name_chunk16(const uint8_t *name, size_t n, size_t o)
{
	size_t at = o + 16 <= n ? o : n - 16;
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(name + at));
	__m128i ctl = _mm_loadu_si128((const __m128i *)(const void *)(cache_shr_ctl + (o - at)));
	return _mm_shuffle_epi8(v, ctl);
}

/* The first 48 octets of a name of n octets (any n), lower-cased, zeros past
 * its end, without reading outside it. Names of 16 to 48 octets, nearly every
 * name asked, take no branch on their length. */
static inline void cache_name_head(const uint8_t *name, size_t n, __m128i v[3])
{
	if (__builtin_expect(n >= 16, 1)) {
		v[0] = cache_lower16(_mm_loadu_si128((const __m128i *)(const void *)name));
		v[1] = cache_lower16(cache_name_chunk16(name, n, 16));
		v[2] = cache_lower16(cache_name_chunk16(name, n, 32));
		return;
	}
	/* short names: the 8 octets ending at the end, or octet by octet */
	uint64_t lo = 0, hi = 0;
	if (n >= 8) {
		lo = cache_load64(name);
		if (n > 8)
			hi = cache_load64(name + n - 8) >> (8 * (16 - n));
	} else {
		for (size_t j = 0; j < n; j++)
			lo |= (uint64_t)name[j] << (8 * j);
	}
	v[0] = cache_lower16(_mm_set_epi64x((long long)hi, (long long)lo));
	v[1] = v[2] = _mm_setzero_si128();
}

/* The keyed hash of a key (cache_hash()): NH (the universal hash of UMAC,
 * RFC 4418) over the name's 16-octet chunks, zeros past its end, at least
 * three chunks, with a secret 128-bit key per chunk position drawn at creation:
 * each chunk's four 32-bit words, key added, multiplied in pairs (pmuludq) and
 * summed; two names of equal length collide with probability about 2^-32 for
 * a client who does not know the key, so clients cannot aim names at one
 * bucket pair. The sum is folded with the header word and the length by one
 * 64x64->128 multiply. Chunks need no general-purpose registers: a 48-octet
 * name costs 12 vector instructions. */
static inline __m128i cache_nh_step(const struct tw_cache *c, __m128i acc, __m128i v, size_t i)
{
	__m128i t = _mm_add_epi32(v, _mm_load_si128((const __m128i *)(const void *)c->nh[i]));
	return _mm_add_epi64(acc, _mm_mul_epu32(t, _mm_shuffle_epi32(t, 0xF5)));
}

static inline uint64_t cache_nh_final(const struct tw_cache *c, __m128i acc, uint64_t hdr,
				      size_t len)
{
	uint64_t x = (uint64_t)_mm_cvtsi128_si64(_mm_add_epi64(acc, _mm_unpackhi_epi64(acc, acc)));
	return cache_mum(x ^ c->seed[1] ^ (len * 0x9E3779B97F4A7C15ull),
			 hdr ^ c->seed[2] ^ 0x8EBC6AF09C88C6E3ull);
}

/* The NH sum of v[0..3) and of the name's chunks past 48 octets (the name of n
 * octets: read for those only). *out, if not NULL: where to store the chunks
 * past 48 octets, lower-cased. */
static inline __m128i cache_nh_name(const struct tw_cache *c, const __m128i v[3],
				    const uint8_t *name, size_t n, __m128i *out)
{
	__m128i acc = cache_nh_step(c, _mm_setzero_si128(), v[0], 0);
	acc = cache_nh_step(c, acc, v[1], 1);
	acc = cache_nh_step(c, acc, v[2], 2);
	for (size_t o = 48; o < n; o += 16) { /* names of more than 48 octets */
		__m128i x = cache_lower16(cache_name_chunk16(name, n, o));
		if (out)
			_mm_storeu_si128(out + o / 16, x);
		acc = cache_nh_step(c, acc, x, o / 16);
	}
	return acc;
}

/* Keyed 64-bit hash of a key of len octets as cache_key_into() builds them (in
 * t->keybuf: the name lower-cased and zero-padded). */
static inline uint64_t cache_hash(const struct tw_cache *c, const uint8_t *key, size_t len)
{
	const uint8_t *name = key + CACHE_KEY_HDR;
	size_t n = len - CACHE_KEY_HDR;
	__m128i v[3];
	cache_name_head(name, n, v);
	return cache_nh_final(c, cache_nh_name(c, v, name, n, NULL), cache_load64(key), len);
}

/* The key's first word: kind, variant, type and class (network order). */
static inline uint64_t cache_key_hdr(uint8_t kind, uint16_t type, uint16_t cls, uint8_t variant)
{
	return (uint64_t)kind | (uint64_t)variant << 8 | (uint64_t)__builtin_bswap16(type) << 16 |
	       (uint64_t)__builtin_bswap16(cls) << 32;
}

/* Builds a key into buf (CACHE_KEYBUF octets, 8-aligned): kind, variant, type,
 * class and the name of n octets (checked, n known to the caller: a parsed
 * question's) lower-cased, zero-padded to 16-octet chunks, at least three;
 * *hash: cache_hash() of it, computed from the chunks as they are made.
 * Returns the key's length. */
static inline size_t cache_key_into_n(const struct tw_cache *c, uint8_t *buf, uint8_t kind,
				      uint16_t type, uint16_t cls, uint8_t variant,
				      const uint8_t *name, size_t n, uint64_t *hash)
{
	uint64_t hdr = cache_key_hdr(kind, type, cls, variant);
	__m128i *out = (__m128i *)(void *)(buf + CACHE_KEY_HDR);
	__m128i v[3];
	memcpy(buf, &hdr, 8);
	cache_name_head(name, n, v);
	_mm_storeu_si128(out, v[0]);
	_mm_storeu_si128(out + 1, v[1]);
	_mm_storeu_si128(out + 2, v[2]);
	*hash = cache_nh_final(c, cache_nh_name(c, v, name, n, out), hdr, CACHE_KEY_HDR + n);
	return CACHE_KEY_HDR + n;
}

/* The length of a (checked) wire name, inline. */
static inline size_t cache_name_len(const uint8_t *name)
{
	size_t n = 1;
	while (name[n - 1])
		n += name[n - 1] + 1u;
	return n;
}

/* cache_key_into_n() of a name whose length is not known: its labels are
 * walked first. */
static inline size_t cache_key_into(const struct tw_cache *c, uint8_t *buf, uint8_t kind,
				    uint16_t type, uint16_t cls, uint8_t variant,
				    const uint8_t *name, uint64_t *hash)
{
	return cache_key_into_n(c, buf, kind, type, cls, variant, name, cache_name_len(name), hash);
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

/* Octets readable from the start of a key of keylen octets, in t->keybuf or
 * an entry (cache_entry_new() allocates at least that much from e->key): the
 * header word and the name in 16-octet chunks, at least three. */
static inline size_t cache_key_span(size_t keylen)
{
	size_t n = keylen - CACHE_KEY_HDR, c = (n + 15) & ~(size_t)15;
	return CACHE_KEY_HDR + (c > 48 ? c : 48);
}

/* Whether entry e has key (keylen octets). The name is compared in 16-octet
 * chunks, octets past its end masked off, so names of up to 48 octets take no
 * branch on their length. */
static inline bool cache_entry_is(const struct cache_entry *e, const uint8_t *key, size_t keylen)
{
	if (e->keylen != keylen || cache_load64(e->key) != cache_load64(key))
		return false;
	const __m128i *a = (const __m128i *)(const void *)(e->key + CACHE_KEY_HDR);
	const __m128i *b = (const __m128i *)(const void *)(key + CACHE_KEY_HDR);
	size_t n = keylen - CACHE_KEY_HDR;
	uint64_t eq = (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a),
								  _mm_loadu_si128(b))) |
		      (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a + 1),
								  _mm_loadu_si128(b + 1))) << 16 |
		      (uint64_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a + 2),
								  _mm_loadu_si128(b + 2))) << 32;
	uint64_t need = n >= 48 ? 0xFFFFFFFFFFFFull : (1ull << n) - 1;
	if ((eq & need) != need)
		return false;
	for (size_t o = 48; o < n; o += 16) { /* names of more than 48 octets */
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(
			_mm_loadu_si128(a + o / 16), _mm_loadu_si128(b + o / 16)));
		unsigned nd = n - o >= 16 ? 0xFFFFu : (1u << (n - o)) - 1;
		if ((m & nd) != nd)
			return false;
	}
	return true;
}

static inline bool cache_entry_live(const struct tw_cache *c, const struct cache_entry *e,
				    uint32_t now)
{
	return e->gen == __atomic_load_n(&c->gen, __ATOMIC_RELAXED) &&
	       (int32_t)(e->expires - now) > 0;
}

/* Bit 2i set when slot i of bucket b carries hash bits sig. Branch-free: the
 * match's position is random, and a loop leaving at it would mispredict on
 * nearly every lookup. The eight 16-bit signatures are shifted down, packed
 * into one vector and compared at once (13 instructions instead of 64 for a
 * loop over the slots, measured with callgrind). */
static inline unsigned cache_bucket_match(const struct cache_bucket *b, uint64_t sig)
{
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
}

/* The slot holding key among the slots of bucket b in mask m (from
 * cache_bucket_match() with sig, perhaps a little earlier: each slot is loaded
 * again), or NULL; *w: its word. */
static inline uint64_t *cache_index_find_m(struct cache_bucket *b, unsigned m, uint64_t sig,
					   const uint8_t *key, size_t keylen, uint64_t *w)
{
	for (; m; m &= m - 1) {
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

/* The slot holding key in bucket b, or NULL; *w: its word. */
static inline uint64_t *cache_index_find(struct cache_bucket *b, uint64_t sig,
					 const uint8_t *key, size_t keylen, uint64_t *w)
{
	return cache_index_find_m(b, cache_bucket_match(b, sig), sig, key, keylen, w);
}

/* The entry of slot word w if it is live at now (setting its reference bit),
 * else NULL. */
static inline struct cache_entry *cache_take(const struct tw_cache *c, uint64_t w, uint32_t now)
{
	struct cache_entry *e = cache_slot_entry(w);
	if (!cache_entry_live(c, e, now))
		return NULL;
	/* Read before write: a hot entry's line stays shared between cores. */
	if (!__atomic_load_n(&e->ref, __ATOMIC_RELAXED))
		__atomic_store_n(&e->ref, 1, __ATOMIC_RELAXED);
	return e;
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
	return cache_take(c, w, now);
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
	unsigned match[TW_CACHE_BURST_MAX];
	for (unsigned i = 0; i < n; i++) {
		const struct cache_bucket *b = &c->buckets[hash[i] & c->bucket_mask];
		unsigned m = cache_bucket_match(b, cache_slot_sig(hash[i]));
		match[i] = m;
		if (m) {
			const uint8_t *e = (const uint8_t *)cache_slot_entry(
				__atomic_load_n(&b->slot[__builtin_ctz(m) / 2], __ATOMIC_RELAXED));
			for (unsigned l = 0; l < lines; l++)
				__builtin_prefetch(e + 64 * l);
		}
	}
	t->now = now;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *key = keys + (size_t)i * CACHE_KEYBUF;
		uint64_t w;
		/* the first bucket's candidates as matched above; when none is
		 * the key (nearly always a miss), both buckets again */
		if (cache_index_find_m(&c->buckets[hash[i] & c->bucket_mask], match[i],
				       cache_slot_sig(hash[i]), key, klen[i], &w))
			out[i] = cache_take(c, w, now);
		else
			out[i] = cache_find(t, key, klen[i], hash[i], now);
	}
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
