/* The cache's one lock-free index (set-associative, QSBR-protected entries):
 * entries, thread registration, ownership rings with CLOCK eviction, expiry,
 * flushes, counters. */
#include "cache/cache_internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "dns/error.h"
#include "dns/name.h"

/* A registration of the calling thread with liburcu, shared by every cache the
 * thread registers with. */
static __thread unsigned urcu_regs;

void tw_cache_conf_init(struct tw_cache_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->mem_limit = 256ull << 20;
	conf->max_ttl = 86400;
	conf->min_ttl = 0;
	conf->bogus_ttl = 60;
	conf->neg_max_ranges = 512;
	conf->nsec3_max_iterations = 100;
	conf->max_threads = 64;
	conf->aggressive = true;
	conf->seed = 0;
}

const char *tw_cache_kind_str(enum tw_cache_kind k)
{
	switch (k) {
	case TW_CACHE_KIND_RRSET: return "rrset";
	case TW_CACHE_KIND_KEY: return "key";
	case TW_CACHE_KIND_NEG: return "neg";
	case TW_CACHE_KIND_PKT: return "packet";
	default: return "unknown";
	}
}

static inline uint64_t slot_pack(uint64_t sig, const struct cache_entry *e)
{
	return sig << 48 | (uint64_t)(uintptr_t)e;
}

/* Takes e out of the index if it is still there; true when this call did (so
 * the caller counts why). Whoever takes an entry out marks it removed, for its
 * owner's sweep. */
static bool entry_unpublish(struct cache_entry *e)
{
	uint64_t w = __atomic_load_n(e->slot, __ATOMIC_ACQUIRE);
	if (cache_slot_entry(w) != e ||
	    !__atomic_compare_exchange_n(e->slot, &w, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	__atomic_store_n(&e->removed, 1, __ATOMIC_RELEASE);
	return true;
}

static inline bool entry_removed(const struct cache_entry *e)
{
	return __atomic_load_n(&e->removed, __ATOMIC_ACQUIRE);
}

uint32_t cache_expiry(const struct tw_cache *c, uint32_t ttl, uint32_t now)
{
	if (ttl > c->conf.max_ttl)
		ttl = c->conf.max_ttl;
	if (ttl < c->conf.min_ttl)
		ttl = c->conf.min_ttl;
	return now + ttl;
}

/* ---- the owner's ring -------------------------------------------------------------- */

static void ring_link(struct cache_entry **head, struct cache_entry *e)
{
	/* Just behind the head: the last place a CLOCK hand reaches. */
	struct cache_entry *h = *head;
	if (!h) {
		e->next = e->prev = e;
		*head = e;
		return;
	}
	e->next = h;
	e->prev = h->prev;
	h->prev->next = e;
	h->prev = e;
}

static void ring_unlink(struct tw_cache_thread *t, struct cache_entry *e)
{
	struct cache_entry *nx = e->next;
	if (nx == e) {
		t->hand = t->scan = NULL;
	} else {
		e->prev->next = nx;
		nx->prev = e->prev;
		if (t->hand == e)
			t->hand = nx;
		if (t->scan == e)
			t->scan = nx;
	}
	e->next = e->prev = NULL;
}

static void entry_free_now(struct cache_entry *e)
{
	if (e->kind == TW_CACHE_KIND_KEY)
		cache_key_entry_release(e);
	free(e);
}

static void entry_free_rcu(struct rcu_head *head)
{
	entry_free_now(caa_container_of(head, struct cache_entry, rcu));
}

/* The owner gives up e, already out of the table: unaccounted now, freed after a
 * grace period. */
static void entry_retire(struct tw_cache_thread *t, struct cache_entry *e)
{
	struct tw_cache_kind_stats *ks = &t->stats.kind[e->kind];
	ring_unlink(t, e);
	CACHE_CNT_ADD(ks->entries, (uint64_t)-1);
	CACHE_CNT_ADD(ks->bytes, -(uint64_t)e->size);
	CACHE_CNT_ADD(t->stats.bytes, -(uint64_t)e->size);
	CACHE_CNT_INC(ks->freed);
	call_rcu(&e->rcu, entry_free_rcu);
}

/* ---- memory limit ---------------------------------------------------------------------- */

static uint64_t bytes_total(struct tw_cache *c)
{
	uint64_t sum = __atomic_load_n(&c->gone.bytes, __ATOMIC_RELAXED);
	unsigned n = __atomic_load_n(&c->nslots, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < n; i++) {
		struct tw_cache_thread *o = __atomic_load_n(&c->slots[i], __ATOMIC_ACQUIRE);
		if (o)
			sum += __atomic_load_n(&o->stats.bytes, __ATOMIC_RELAXED);
	}
	return sum;
}

/* Frees e when it is out of the index already, expired or flushed (taking it
 * out and counting why); false when it is live. */
static bool reap(struct tw_cache_thread *t, struct cache_entry *e, uint32_t now)
{
	struct tw_cache *c = t->c;
	if (!entry_removed(e)) {
		if (cache_entry_live(c, e, now))
			return false;
		if (entry_unpublish(e)) {
			struct tw_cache_kind_stats *ks = &t->stats.kind[e->kind];
			if (e->gen != __atomic_load_n(&c->gen, __ATOMIC_RELAXED))
				CACHE_CNT_INC(ks->flushed);
			else
				CACHE_CNT_INC(ks->expirations);
		}
	}
	entry_retire(t, e);
	return true;
}

/* One CLOCK step decision at the hand: frees one entry and returns true, or
 * returns false when t owns nothing. Entries hit since the hand last passed get
 * one more round; after a bounded walk the hand's entry goes regardless. */
static bool evict_one(struct tw_cache_thread *t, uint32_t now)
{
	for (unsigned steps = 0; t->hand; steps++) {
		struct cache_entry *e = t->hand;
		struct tw_cache_kind_stats *ks = &t->stats.kind[e->kind];
		if (reap(t, e, now))
			return true;
		if (__atomic_load_n(&e->ref, __ATOMIC_RELAXED) && steps < 1024) {
			__atomic_store_n(&e->ref, 0, __ATOMIC_RELAXED);
			t->hand = e->next;
			continue;
		}
		if (entry_unpublish(e))
			CACHE_CNT_INC(ks->evictions);
		entry_retire(t, e);
		return true;
	}
	return false;
}

static void enforce_limit(struct tw_cache_thread *t, uint32_t now, unsigned budget)
{
	struct tw_cache *c = t->c;
	while (budget-- && bytes_total(c) > c->conf.mem_limit)
		if (!evict_one(t, now))
			break;
}

/* ---- entries ------------------------------------------------------------------------- */

const uint8_t cache_shr_ctl[48] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
	0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
};

struct cache_entry *cache_entry_new(struct tw_cache_thread *t, uint8_t kind, const uint8_t *key,
				    size_t keylen, size_t val_len)
{
	size_t key_space = (keylen + 7u) & ~(size_t)7u;
	size_t after = key_space + val_len;
	if (after < cache_key_span(keylen)) /* cache_entry_is() reads that far */
		after = cache_key_span(keylen);
	size_t sz = sizeof(struct cache_entry) + after;
	if (sz > t->c->conf.mem_limit / 10 || val_len > UINT32_MAX) {
		CACHE_CNT_INC(t->stats.kind[kind].refused);
		return NULL;
	}
	struct cache_entry *e = malloc(sz);
	if (!e) {
		CACHE_CNT_INC(t->stats.kind[kind].refused);
		return NULL;
	}
	if ((uintptr_t)e & ~CACHE_SLOT_PTR) { /* outside the 48 bits a slot holds */
		free(e);
		CACHE_CNT_INC(t->stats.kind[kind].refused);
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->keylen = (uint16_t)keylen;
	e->kind = kind;
	e->val_len = (uint32_t)val_len;
	e->size = (uint32_t)(malloc_usable_size(e) + CACHE_ENTRY_OVERHEAD);
	memcpy(e->key, key, keylen);
	memset(e->key + keylen, 0, key_space - keylen);
	if (after > key_space + val_len) /* read (and masked off) by cache_entry_is() */
		memset(e->key + key_space + val_len, 0, after - key_space - val_len);
	return e;
}

void cache_entry_discard(struct cache_entry *e)
{
	free(e);
}

/* Puts e into the index: over the entry of the same key, else into an empty
 * slot of its two buckets, else over the entry of the second bucket that
 * expires first (a set-associative cache evicts within the set). */
static void index_put(struct tw_cache_thread *t, struct cache_entry *e, uint64_t hash)
{
	struct tw_cache *c = t->c;
	struct cache_bucket *b[2];
	cache_buckets_of(c, hash, &b[0], &b[1]);
	uint64_t sig = cache_slot_sig(hash), mine = slot_pack(sig, e);
	for (;;) {
		uint64_t w;
		uint64_t *s = cache_index_find(b[0], sig, e->key, e->keylen, &w);
		if (!s)
			s = cache_index_find(b[1], sig, e->key, e->keylen, &w);
		if (s) {
			/* e->slot before the CAS publishes e: a flush that finds e in
			 * the slot reads it */
			e->slot = s;
			if (__atomic_compare_exchange_n(s, &w, mine, false, __ATOMIC_ACQ_REL,
							__ATOMIC_ACQUIRE)) {
				struct cache_entry *old = cache_slot_entry(w);
				__atomic_store_n(&old->removed, 1, __ATOMIC_RELEASE);
				CACHE_CNT_INC(t->stats.kind[e->kind].replaced);
				return;
			}
			continue; /* the slot changed under us: look again */
		}
		bool placed = false;
		for (unsigned k = 0; k < 2 && !placed; k++)
			for (unsigned i = 0; i < CACHE_SLOTS && !placed; i++) {
				uint64_t z = 0;
				if (__atomic_load_n(&b[k]->slot[i], __ATOMIC_RELAXED) != 0)
					continue;
				e->slot = &b[k]->slot[i];
				placed = __atomic_compare_exchange_n(&b[k]->slot[i], &z, mine, false,
								     __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
			}
		if (placed)
			return;
		/* both buckets full: an entry not read since the CLOCK hand passed it
		 * goes before one that was, and the one that would have expired first
		 * before the others */
		uint64_t *victim = NULL, vw = 0;
		uint64_t best = 0;
		for (unsigned k = 0; k < 2; k++)
			for (unsigned i = 0; i < CACHE_SLOTS; i++) {
				uint64_t v = __atomic_load_n(&b[k]->slot[i], __ATOMIC_ACQUIRE);
				if (!v)
					continue;
				const struct cache_entry *o = cache_slot_entry(v);
				uint64_t left = (uint64_t)__atomic_load_n(&o->ref, __ATOMIC_RELAXED) << 32 |
						(uint32_t)(o->expires - t->now);
				if (!victim || left < best) {
					victim = &b[k]->slot[i];
					vw = v;
					best = left;
				}
			}
		if (!victim)
			continue;
		e->slot = victim;
		if (__atomic_compare_exchange_n(victim, &vw, mine, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			struct cache_entry *old = cache_slot_entry(vw);
			__atomic_store_n(&old->removed, 1, __ATOMIC_RELEASE);
			CACHE_CNT_INC(t->stats.kind[old->kind].evictions);
			return;
		}
	}
}

void cache_entry_publish(struct tw_cache_thread *t, struct cache_entry *e, uint64_t hash,
			 uint32_t expires, uint32_t now)
{
	struct tw_cache *c = t->c;
	struct tw_cache_kind_stats *ks = &t->stats.kind[e->kind];
	e->expires = expires;
	e->gen = __atomic_load_n(&c->gen, __ATOMIC_RELAXED);
	e->ref = 0;
	e->removed = 0;
	ring_link(&t->hand, e);
	if (!t->scan)
		t->scan = e;
	CACHE_CNT_INC(ks->entries);
	CACHE_CNT_ADD(ks->bytes, e->size);
	CACHE_CNT_ADD(t->stats.bytes, e->size);
	CACHE_CNT_INC(ks->inserts);
	t->now = now;
	index_put(t, e, hash);
	enforce_limit(t, now, 64);
}

/* ---- threads ------------------------------------------------------------------------------ */

static void adopt_orphans(struct tw_cache_thread *t)
{
	struct tw_cache *c = t->c;
	if (!__atomic_load_n(&c->has_orphans, __ATOMIC_ACQUIRE))
		return;
	if (pthread_mutex_trylock(&c->lock) != 0)
		return;
	struct cache_entry *o = c->orphans;
	if (o) {
		/* splice the orphan ring in behind our hand */
		if (!t->hand) {
			t->hand = t->scan = o;
		} else {
			struct cache_entry *olast = o->prev, *tlast = t->hand->prev;
			tlast->next = o;
			o->prev = tlast;
			olast->next = t->hand;
			t->hand->prev = olast;
		}
		for (int k = 0; k < TW_CACHE_KINDS; k++) {
			struct tw_cache_kind_stats *a = &c->orphan_acct[k];
			CACHE_CNT_ADD(t->stats.kind[k].entries, a->entries);
			CACHE_CNT_ADD(t->stats.kind[k].bytes, a->bytes);
			CACHE_CNT_ADD(t->stats.bytes, a->bytes);
			CACHE_CNT_ADD(c->gone.kind[k].entries, -a->entries);
			CACHE_CNT_ADD(c->gone.kind[k].bytes, -a->bytes);
			CACHE_CNT_ADD(c->gone.bytes, -a->bytes);
			a->entries = a->bytes = 0;
		}
		c->orphans = NULL;
	}
	__atomic_store_n(&c->has_orphans, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&c->lock);
}

unsigned tw_cache_maintain(struct tw_cache_thread *t, uint32_t now, unsigned budget)
{
	struct tw_cache *c = t->c;
	unsigned freed = 0;
	t->now = now;
	adopt_orphans(t);
	for (unsigned i = 0; i < budget && t->scan; i++) {
		struct cache_entry *e = t->scan;
		if (reap(t, e, now))
			freed++;
		else
			t->scan = e->next;
	}
	while (freed < budget && bytes_total(c) > c->conf.mem_limit) {
		if (!evict_one(t, now))
			break;
		freed++;
	}
	return freed;
}

/* The index: zeroed anonymous memory, asked for in transparent huge pages
 * (madvise: the kernel's default THP mode) so that a reader's two bucket loads
 * do not each cost a TLB miss when the index spans more than the TLB's reach. */
static struct cache_bucket *index_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* advice only: fine if refused */
	/* faulted in now, not by a worker's first insert into each page */
	memset(p, 0, bytes);
	return p;
}

static void index_free(struct cache_bucket *b, size_t bytes)
{
	if (b)
		munmap(b, bytes);
}

struct tw_cache *tw_cache_new(const struct tw_cache_conf *conf, char *err, size_t errcap)
{
	if (conf->mem_limit < (1u << 20)) {
		snprintf(err, errcap, "cache: memory limit %llu is below 1 MiB",
			 (unsigned long long)conf->mem_limit);
		return NULL;
	}
	if (conf->max_threads == 0 || conf->max_threads > 1024) {
		snprintf(err, errcap, "cache: max_threads %u is not in 1..1024", conf->max_threads);
		return NULL;
	}
	if (conf->max_ttl == 0 || conf->min_ttl > conf->max_ttl) {
		snprintf(err, errcap, "cache: TTL range %u..%u is empty", conf->min_ttl,
			 conf->max_ttl);
		return NULL;
	}
	if (conf->neg_max_ranges == 0 || conf->neg_max_ranges > 65535) {
		snprintf(err, errcap, "cache: neg_max_ranges %u is not in 1..65535",
			 conf->neg_max_ranges);
		return NULL;
	}
	struct tw_cache *c = calloc(1, sizeof(*c));
	if (!c)
		goto oom;
	c->conf = *conf;
	c->slots = calloc(conf->max_threads, sizeof(*c->slots));
	if (!c->slots)
		goto oom;
	if (conf->seed) {
		c->seed[0] = conf->seed;
		c->seed[1] = cache_mum(conf->seed, 0x9E3779B97F4A7C15ull);
		c->seed[2] = cache_mum(conf->seed ^ 0x5851F42D4C957F2Dull, 0xD1B54A32D192ED03ull);
	} else if (getrandom(c->seed, sizeof(c->seed), 0) != (ssize_t)sizeof(c->seed)) {
		snprintf(err, errcap, "cache: no random seed from the OS: %s", strerror(errno));
		free(c->slots);
		free(c);
		return NULL;
	}
	/* the NH key of the hash: drawn from the seeds (splitmix64) */
	uint64_t x = c->seed[0] ^ cache_mum(c->seed[1], c->seed[2] | 1);
	for (unsigned i = 0; i < CACHE_NH_CHUNKS; i++)
		for (unsigned j = 0; j < 4; j += 2) {
			uint64_t z = (x += 0x9E3779B97F4A7C15ull);
			z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
			z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
			z ^= z >> 31;
			c->nh[i][j] = (uint32_t)z;
			c->nh[i][j + 1] = (uint32_t)(z >> 32);
		}
	pthread_mutex_init(&c->lock, NULL);
	/* About one slot per 128 octets of limit (entries are 130-300 octets:
	 * the index stays at most half full), a power of two of buckets. */
	uint64_t nb = 1024;
	while (nb < (1ull << 26) && nb * CACHE_SLOTS * 128 < conf->mem_limit)
		nb <<= 1;
	c->bucket_mask = nb - 1;
	c->index_bytes = nb * sizeof(struct cache_bucket);
	c->buckets = index_alloc(c->index_bytes);
	if (!c->buckets)
		goto oom;
	/* Frees run on a call_rcu thread of our own that polls its queue, so that
	 * enqueueing from a worker never wakes it with a system call. */
	c->crd = create_call_rcu_data(URCU_CALL_RCU_RT, -1);
	if (!c->crd)
		goto oom;
	c->gone.mem_limit = conf->mem_limit;
	return c;
oom:
	snprintf(err, errcap, "cache: out of memory");
	if (c) {
		index_free(c->buckets, c->index_bytes);
		free(c->slots);
		free(c);
	}
	return NULL;
}

struct tw_cache_thread *tw_cache_thread_register(struct tw_cache *c)
{
	struct tw_cache_thread *t = aligned_alloc(64, sizeof(*t));
	if (!t)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->scratch = malloc(CACHE_SCRATCH);
	if (!t->scratch) {
		free(t);
		return NULL;
	}
	t->c = c;
	t->stats.mem_limit = c->conf.mem_limit;
	pthread_mutex_lock(&c->lock);
	unsigned slot = c->conf.max_threads;
	for (unsigned i = 0; i < c->conf.max_threads; i++)
		if (!c->slots[i]) {
			slot = i;
			break;
		}
	if (slot == c->conf.max_threads) {
		pthread_mutex_unlock(&c->lock);
		free(t->scratch);
		free(t);
		return NULL;
	}
	t->slot = slot;
	__atomic_store_n(&c->slots[slot], t, __ATOMIC_RELEASE);
	if (slot + 1 > c->nslots)
		__atomic_store_n(&c->nslots, slot + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&c->lock);
	if (urcu_regs++ == 0)
		rcu_register_thread();
	set_thread_call_rcu_data(c->crd);
	cache_keystore_init(t);
	return t;
}

static void stats_add(struct tw_cache_stats *dst, const struct tw_cache_stats *src)
{
	for (int k = 0; k < TW_CACHE_KINDS; k++) {
		const uint64_t *s = (const uint64_t *)&src->kind[k];
		uint64_t *d = (uint64_t *)&dst->kind[k];
		for (size_t i = 0; i < sizeof(src->kind[k]) / sizeof(uint64_t); i++)
			CACHE_CNT_ADD(d[i], __atomic_load_n(&s[i], __ATOMIC_RELAXED));
	}
	CACHE_CNT_ADD(dst->bytes, __atomic_load_n(&src->bytes, __ATOMIC_RELAXED));
}

void tw_cache_thread_unregister(struct tw_cache_thread *t)
{
	if (!t)
		return;
	struct tw_cache *c = t->c;
	/* Free what is already out of the table; hand the rest to the cache, so that
	 * a thread leaving does not empty it. */
	if (t->hand) {
		struct cache_entry *e = t->hand, *stop = t->hand->prev;
		for (;;) {
			struct cache_entry *nx = e->next;
			bool last = e == stop;
			if (entry_removed(e))
				entry_retire(t, e);
			if (last || !t->hand)
				break;
			e = nx;
		}
	}
	pthread_mutex_lock(&c->lock);
	struct cache_entry *ring = t->hand;
	if (ring) {
		if (!c->orphans) {
			c->orphans = ring;
		} else {
			struct cache_entry *olast = c->orphans->prev, *rlast = ring->prev;
			olast->next = ring;
			ring->prev = olast;
			rlast->next = c->orphans;
			c->orphans->prev = rlast;
		}
		for (int k = 0; k < TW_CACHE_KINDS; k++) {
			c->orphan_acct[k].entries += t->stats.kind[k].entries;
			c->orphan_acct[k].bytes += t->stats.kind[k].bytes;
		}
		__atomic_store_n(&c->has_orphans, true, __ATOMIC_RELEASE);
	}
	t->hand = t->scan = NULL;
	stats_add(&c->gone, &t->stats);
	__atomic_store_n(&c->slots[t->slot], NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&c->lock);
	set_thread_call_rcu_data(NULL);
	if (--urcu_regs == 0)
		rcu_unregister_thread();
	/* Other threads may still be summing this thread's counters. */
	synchronize_rcu();
	free(t->scratch);
	free(t);
}

void tw_cache_quiescent(struct tw_cache_thread *t)
{
	(void)t;
	rcu_quiescent_state();
}

void tw_cache_thread_offline(struct tw_cache_thread *t)
{
	(void)t;
	rcu_thread_offline();
}

void tw_cache_thread_online(struct tw_cache_thread *t)
{
	(void)t;
	rcu_thread_online();
}

void tw_cache_free(struct tw_cache *c)
{
	if (!c)
		return;
	/* No reader is left: run every pending free, then free the orphans (every
	 * entry still published belongs to them) and the index. */
	rcu_barrier();
	struct cache_entry *o = c->orphans;
	if (o)
		o->prev->next = NULL;
	while (o) {
		struct cache_entry *nx = o->next;
		entry_free_now(o);
		o = nx;
	}
	call_rcu_data_free(c->crd);
	pthread_mutex_destroy(&c->lock);
	index_free(c->buckets, c->index_bytes);
	free(c->slots);
	free(c);
}

/* ---- flushes ---------------------------------------------------------------------------- */

void tw_cache_flush_all(struct tw_cache *c)
{
	__atomic_add_fetch(&c->gen, 1, __ATOMIC_RELEASE);
}

static unsigned long flush_walk(struct tw_cache_thread *t, const uint8_t *name, bool below)
{
	struct tw_cache *c = t->c;
	uint8_t lname[255];
	tw_dns_name_copy_lower(lname, name);
	size_t nlen = tw_dns_name_len(lname);
	unsigned long n = 0;
	for (uint64_t b = 0; b <= c->bucket_mask; b++)
		for (unsigned i = 0; i < CACHE_SLOTS; i++) {
			uint64_t w = __atomic_load_n(&c->buckets[b].slot[i], __ATOMIC_ACQUIRE);
			if (!w)
				continue;
			struct cache_entry *e = cache_slot_entry(w);
			const uint8_t *en = cache_entry_name(e);
			size_t elen = e->keylen - CACHE_KEY_HDR;
			bool hit;
			if (below)
				hit = elen >= nlen && memcmp(en + elen - nlen, lname, nlen) == 0 &&
				      tw_dns_name_is_subdomain(en, lname);
			else
				hit = elen == nlen && memcmp(en, lname, nlen) == 0;
			if (hit && entry_unpublish(e)) {
				CACHE_CNT_INC(t->stats.kind[e->kind].flushed);
				n++;
			}
		}
	return n;
}

unsigned long tw_cache_flush_name(struct tw_cache_thread *t, const uint8_t *name)
{
	return flush_walk(t, name, false);
}

unsigned long tw_cache_flush_zone(struct tw_cache_thread *t, const uint8_t *zone)
{
	return flush_walk(t, zone, true);
}

unsigned long tw_cache_count(struct tw_cache_thread *t)
{
	struct tw_cache *c = t->c;
	unsigned long n = 0;
	for (uint64_t b = 0; b <= c->bucket_mask; b++)
		for (unsigned i = 0; i < CACHE_SLOTS; i++)
			n += __atomic_load_n(&c->buckets[b].slot[i], __ATOMIC_RELAXED) != 0;
	return n;
}

/* ---- statistics ---------------------------------------------------------------------------- */

const struct tw_cache_stats *tw_cache_thread_stats(const struct tw_cache_thread *t)
{
	return &t->stats;
}

void tw_cache_stats(struct tw_cache *c, struct tw_cache_stats *out)
{
	memset(out, 0, sizeof(*out));
	/* Registered threads' contexts are freed only after a grace period, and
	 * slots are read under the lock, so reading them here is safe. */
	pthread_mutex_lock(&c->lock);
	stats_add(out, &c->gone);
	unsigned threads = 0;
	for (unsigned i = 0; i < c->nslots; i++) {
		struct tw_cache_thread *o = c->slots[i];
		if (o) {
			stats_add(out, &o->stats);
			threads++;
		}
	}
	pthread_mutex_unlock(&c->lock);
	out->threads = threads;
	out->mem_limit = c->conf.mem_limit;
	out->index_bytes = c->index_bytes;
}
