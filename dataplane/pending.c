/* The worker's pending upstream questions (triple index, deadline list, upstream
 * health, RFC 5452 ID and port draws) and its coalescing table of waiting clients. */
#include "dataplane/pending.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/rand.h>

#include "dns/error.h"
#include "dns/name.h"

#define NIL UINT32_MAX
#define QNAME_SLOT 256          /* octets per stored name (255 + padding) */
#define RAND_BLOCK 4096         /* octets of randomness drawn at once */
#define TRIPLE_DRAWS 64         /* draws before add gives up on a free triple */
#define LATE_SENDS 4            /* earlier sends of a question still answerable */
#define ALIAS_BIT 0x80000000u   /* in a hash link: an earlier send, not an entry */

static void errf(char *err, size_t cap, const char *fmt, ...)
{
	if (!err || !cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

static unsigned log2_of(uint32_t p)
{
	return (unsigned)__builtin_ctz(p);
}

/* Zeroed, cache-line aligned memory; written here so that first touch places it
 * on the calling lcore's NUMA node. */
static void *zalloc(size_t n)
{
	size_t sz = (n + 63) & ~(size_t)63;
	void *p = aligned_alloc(64, sz ? sz : 64);
	if (p)
		memset(p, 0, sz ? sz : 64);
	return p;
}

static uint64_t mix64(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static int openssl_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -TW_ECRYPTO_LIBRARY;
}

static int draw_seed(uint64_t *seed)
{
	uint8_t b[8];
	if (RAND_bytes(b, sizeof(b)) != 1)
		return -TW_ECRYPTO_LIBRARY;
	memcpy(seed, b, sizeof(b));
	return 0;
}

static uint64_t make_handle(uint32_t gen, uint32_t idx)
{
	return (uint64_t)gen << 32 | idx;
}

/* ==== questions sent upstream ========================================================= */

enum { E_FREE = 0, E_LIVE = 1 };

/* One outstanding question: 64 octets, its name kept apart in qnames[]. */
struct pend_entry {
	uint64_t owner;
	uint64_t sent_ms;
	uint64_t deadline_ms;
	uint32_t hnext;         /* hash chain, or the free list */
	uint32_t prev, next;    /* deadline list */
	uint32_t gen;           /* bumped when the entry is freed; never 0 */
	uint16_t id;
	uint16_t sport;
	uint16_t qtype;
	uint16_t qclass;
	uint16_t tried;         /* upstreams tried so far, one bit each */
	uint8_t upstream;
	uint8_t attempt;
	uint8_t state;
	uint8_t probe;
} __attribute__((aligned(64)));

/* An upstream's health, beside its public counters. */
struct pend_health {
	uint32_t consec;        /* consecutive timeouts while up */
	uint32_t backoff_ms;    /* the next down period */
	uint64_t down_until;    /* down: probe allowed from then on */
	uint64_t since_ms;      /* last change of state */
	uint64_t last_fail_ms;  /* last timeout */
	uint64_t probe;         /* probing: the probe's handle */
};

/* An earlier send of a live question, still in the triple index so that its late
 * answer is taken: entry i's sends j = 0 .. late-1 are at alias[i * late + j]. */
struct pend_alias {
	uint64_t sent_ms;
	uint32_t hnext;         /* hash chain (entry or alias link) */
	uint16_t id;
	uint16_t sport;
	uint8_t upstream;
	uint8_t live;
};

struct tw_pending {
	struct tw_pending_stats stats;
	struct tw_pending_conf conf;
	struct pend_health health[TW_PENDING_MAX_UPSTREAMS];
	struct pend_entry *e;
	struct pend_alias *alias;
	unsigned late;          /* earlier sends kept per entry: min(retries, LATE_SENDS) */
	uint8_t (*qnames)[QNAME_SLOT];
	uint32_t *buckets;
	uint32_t cap;
	uint32_t bucket_bits;
	uint32_t free_head;
	uint32_t head, tail;    /* deadline list: oldest first */
	uint32_t port_span;     /* sport_hi - sport_lo + 1 */
	uint32_t port_limit;    /* draws >= this are rejected (no modulo bias) */
	unsigned rr;            /* next upstream in turn */
	uint64_t seed;
	unsigned rpos;
	uint8_t rbuf[RAND_BLOCK];
};

void tw_pending_conf_init(struct tw_pending_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->capacity = 8192;
	conf->timeout_ms = 800;
	conf->retries = 2;
	conf->down_after = 3;
	conf->sport_lo = 1024;
	conf->sport_hi = 65535;
	conf->backoff_min_ms = 1000;
	conf->backoff_max_ms = 30000;
}

static bool addr_equal(const struct tw_pending_addr *a, const struct tw_pending_addr *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	return memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16) == 0;
}

static int check_conf(const struct tw_pending_conf *c, char *err, size_t errcap)
{
	if (c->capacity == 0 || c->capacity > TW_PENDING_MAX_CAPACITY) {
		errf(err, errcap, "pending: capacity %u is not in 1..%u", c->capacity,
		     TW_PENDING_MAX_CAPACITY);
		return -TW_EINVAL;
	}
	if (c->timeout_ms == 0) {
		errf(err, errcap, "pending: timeout_ms must be at least 1");
		return -TW_EINVAL;
	}
	if (c->retries > TW_PENDING_MAX_RETRIES) {
		errf(err, errcap, "pending: retries %u is more than %u", c->retries,
		     TW_PENDING_MAX_RETRIES);
		return -TW_EINVAL;
	}
	if (c->down_after == 0) {
		errf(err, errcap, "pending: down_after must be at least 1");
		return -TW_EINVAL;
	}
	if (c->sport_lo == 0 || c->sport_lo > c->sport_hi) {
		errf(err, errcap, "pending: source port range %u..%u is empty or includes 0",
		     c->sport_lo, c->sport_hi);
		return -TW_EINVAL;
	}
	if (c->backoff_min_ms == 0 || c->backoff_max_ms < c->backoff_min_ms) {
		errf(err, errcap, "pending: backoff %u..%u ms is not a range above 0",
		     c->backoff_min_ms, c->backoff_max_ms);
		return -TW_EINVAL;
	}
	if (c->nupstreams == 0 || c->nupstreams > TW_PENDING_MAX_UPSTREAMS) {
		errf(err, errcap, "pending: %u upstreams, not 1..%u", c->nupstreams,
		     TW_PENDING_MAX_UPSTREAMS);
		return -TW_EINVAL;
	}
	for (unsigned i = 0; i < c->nupstreams; i++) {
		const struct tw_pending_addr *u = &c->upstream[i];
		if (u->family != AF_INET && u->family != AF_INET6) {
			errf(err, errcap, "pending: upstream %u: family %u is neither AF_INET nor AF_INET6",
			     i, u->family);
			return -TW_EINVAL;
		}
		if (u->port == 0) {
			errf(err, errcap, "pending: upstream %u: port 0", i);
			return -TW_EINVAL;
		}
		for (unsigned j = 0; j < i; j++)
			if (addr_equal(u, &c->upstream[j])) {
				errf(err, errcap, "pending: upstream %u repeats upstream %u", i, j);
				return -TW_EINVAL;
			}
	}
	return 0;
}

struct tw_pending *tw_pending_new(const struct tw_pending_conf *conf, char *err, size_t errcap)
{
	if (!conf) {
		errf(err, errcap, "pending: no configuration");
		return NULL;
	}
	if (check_conf(conf, err, errcap) < 0)
		return NULL;
	struct tw_pending *t = zalloc(sizeof(*t));
	if (!t)
		goto nomem;
	t->conf = *conf;
	for (unsigned i = 0; i < conf->nupstreams; i++) {
		/* AF_INET compares 4 octets; keep the rest zero so copies compare too */
		if (conf->upstream[i].family == AF_INET)
			memset(t->conf.upstream[i].addr + 4, 0, 12);
	}
	if (!t->conf.random)
		t->conf.random = openssl_random;
	t->cap = pow2_at_least(conf->capacity);
	t->bucket_bits = log2_of(t->cap) + 1;
	t->e = zalloc(sizeof(*t->e) * t->cap);
	t->qnames = zalloc((size_t)QNAME_SLOT * t->cap);
	t->buckets = zalloc(sizeof(uint32_t) << t->bucket_bits);
	t->late = conf->retries < LATE_SENDS ? conf->retries : LATE_SENDS;
	t->alias = zalloc(sizeof(*t->alias) * t->cap * (t->late ? t->late : 1));
	if (!t->e || !t->qnames || !t->buckets || !t->alias)
		goto nomem;
	memset(t->buckets, 0xff, sizeof(uint32_t) << t->bucket_bits);
	for (uint32_t i = 0; i < t->cap; i++) {
		t->e[i].gen = 1;
		t->e[i].hnext = i + 1 < t->cap ? i + 1 : NIL;
	}
	t->free_head = 0;
	t->head = t->tail = NIL;
	t->port_span = (uint32_t)conf->sport_hi - conf->sport_lo + 1;
	t->port_limit = 65536 - 65536 % t->port_span;
	for (unsigned i = 0; i < conf->nupstreams; i++)
		t->health[i].backoff_ms = conf->backoff_min_ms;
	t->seed = conf->seed;
	if (!t->seed && draw_seed(&t->seed) < 0) {
		errf(err, errcap, "pending: RAND_bytes failed for the hash seed");
		tw_pending_free(t);
		return NULL;
	}
	t->rpos = RAND_BLOCK; /* first draw fills the block */
	return t;
nomem:
	errf(err, errcap, "pending: out of memory for %u entries", pow2_at_least(conf->capacity));
	tw_pending_free(t);
	return NULL;
}

void tw_pending_free(struct tw_pending *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->alias);
	free(t->qnames);
	free(t->buckets);
	free(t);
}

const struct tw_pending_stats *tw_pending_stats(const struct tw_pending *t)
{
	return &t->stats;
}

bool tw_pending_upstream_up(const struct tw_pending *t, unsigned i)
{
	return i < t->conf.nupstreams && t->stats.upstream[i].state == TW_PENDING_UP;
}

/* ---- randomness (RFC 5452 §9.2) ---------------------------------------------------- */

/* 16 unpredictable bits from the block, refilled when used up. */
static int rand16(struct tw_pending *t, uint16_t *v)
{
	if (t->rpos + 2 > RAND_BLOCK) {
		t->stats.rand_refills++;
		if (t->conf.random(t->conf.random_ctx, t->rbuf, RAND_BLOCK) < 0) {
			t->stats.rand_failures++;
			return -TW_ECRYPTO_LIBRARY;
		}
		t->rpos = 0;
	}
	*v = (uint16_t)(t->rbuf[t->rpos] << 8 | t->rbuf[t->rpos + 1]);
	/* what has been handed out is not kept around */
	t->rbuf[t->rpos] = t->rbuf[t->rpos + 1] = 0;
	t->rpos += 2;
	return 0;
}

/* A source port uniform over the range: draws at or above port_limit are
 * rejected, so no port is likelier than another. */
static int rand_port(struct tw_pending *t, uint16_t *port)
{
	for (;;) {
		uint16_t r;
		int rc = rand16(t, &r);
		if (rc < 0)
			return rc;
		if (r < t->port_limit) {
			*port = (uint16_t)(t->conf.sport_lo + r % t->port_span);
			return 0;
		}
	}
}

/* ---- triple index ------------------------------------------------------------------ */

static uint32_t triple_bucket(const struct tw_pending *t, unsigned up, uint16_t sport, uint16_t id)
{
	uint64_t k = (uint64_t)up << 32 | (uint64_t)sport << 16 | id;
	return (uint32_t)(mix64(k ^ t->seed) >> (64 - t->bucket_bits));
}

/* The next link after v in a hash chain (v: an entry or, with ALIAS_BIT, an alias). */
static uint32_t *link_next(struct tw_pending *t, uint32_t v)
{
	return v & ALIAS_BIT ? &t->alias[v & ~ALIAS_BIT].hnext : &t->e[v].hnext;
}

/* The live entry that sent (up, sport, id), as its current send or an earlier
 * one; *sent_ms (when not NULL) is that send's time. NIL when none. */
static uint32_t triple_find_sent(const struct tw_pending *t, unsigned up, uint16_t sport,
				 uint16_t id, uint64_t *sent_ms)
{
	uint32_t v = t->buckets[triple_bucket(t, up, sport, id)];
	while (v != NIL) {
		if (v & ALIAS_BIT) {
			const struct pend_alias *a = &t->alias[v & ~ALIAS_BIT];
			if (a->id == id && a->sport == sport && a->upstream == up) {
				if (sent_ms)
					*sent_ms = a->sent_ms;
				return (v & ~ALIAS_BIT) / t->late;
			}
			v = a->hnext;
		} else {
			const struct pend_entry *e = &t->e[v];
			if (e->id == id && e->sport == sport && e->upstream == up) {
				if (sent_ms)
					*sent_ms = e->sent_ms;
				return v;
			}
			v = e->hnext;
		}
	}
	return NIL;
}

static uint32_t triple_find(const struct tw_pending *t, unsigned up, uint16_t sport, uint16_t id)
{
	return triple_find_sent(t, up, sport, id, NULL);
}

/* Puts link v (entry or alias) at the head of the chain of (up, sport, id). */
static void chain_link(struct tw_pending *t, uint32_t v, unsigned up, uint16_t sport, uint16_t id)
{
	uint32_t *b = &t->buckets[triple_bucket(t, up, sport, id)];
	*link_next(t, v) = *b;
	*b = v;
}

static void chain_unlink(struct tw_pending *t, uint32_t v, unsigned up, uint16_t sport, uint16_t id)
{
	uint32_t *p = &t->buckets[triple_bucket(t, up, sport, id)];
	while (*p != v)
		p = link_next(t, *p);
	*p = *link_next(t, v);
	*link_next(t, v) = NIL;
}

static void triple_link(struct tw_pending *t, uint32_t i)
{
	const struct pend_entry *e = &t->e[i];
	chain_link(t, i, e->upstream, e->sport, e->id);
}

static void triple_unlink(struct tw_pending *t, uint32_t i)
{
	const struct pend_entry *e = &t->e[i];
	chain_unlink(t, i, e->upstream, e->sport, e->id);
}

/* Entry i is sent again: its current send stays answerable as an earlier send,
 * in the place of its oldest earlier send when all are taken. */
static void alias_keep(struct tw_pending *t, uint32_t i)
{
	if (!t->late)
		return;
	const struct pend_entry *e = &t->e[i];
	uint32_t k = i * t->late + (uint32_t)(e->attempt - 1) % t->late;
	struct pend_alias *a = &t->alias[k];
	if (a->live)
		chain_unlink(t, k | ALIAS_BIT, a->upstream, a->sport, a->id);
	a->id = e->id;
	a->sport = e->sport;
	a->upstream = e->upstream;
	a->sent_ms = e->sent_ms;
	a->live = 1;
	chain_link(t, k | ALIAS_BIT, a->upstream, a->sport, a->id);
}

static void alias_drop_all(struct tw_pending *t, uint32_t i)
{
	for (uint32_t j = 0; j < t->late; j++) {
		uint32_t k = i * t->late + j;
		struct pend_alias *a = &t->alias[k];
		if (a->live) {
			chain_unlink(t, k | ALIAS_BIT, a->upstream, a->sport, a->id);
			a->live = 0;
		}
	}
}

/* A (port, ID) pair for upstream `up` that no outstanding entry has. */
static int draw_triple(struct tw_pending *t, unsigned up, uint16_t *sport, uint16_t *id)
{
	for (unsigned n = 0; n < TRIPLE_DRAWS; n++) {
		int rc = rand16(t, id);
		if (rc == 0)
			rc = rand_port(t, sport);
		if (rc < 0)
			return rc;
		if (triple_find(t, up, *sport, *id) == NIL)
			return 0;
		t->stats.redraws++;
	}
	t->stats.no_triple++;
	return -TW_EEXIST;
}

/* ---- deadline list ----------------------------------------------------------------- */

static void timer_append(struct tw_pending *t, uint32_t i, uint64_t deadline)
{
	struct pend_entry *e = &t->e[i];
	/* a clock that stepped back must not break the order the list relies on */
	if (t->tail != NIL && t->e[t->tail].deadline_ms > deadline)
		deadline = t->e[t->tail].deadline_ms;
	e->deadline_ms = deadline;
	e->next = NIL;
	e->prev = t->tail;
	if (t->tail != NIL)
		t->e[t->tail].next = i;
	else
		t->head = i;
	t->tail = i;
}

static void timer_unlink(struct tw_pending *t, uint32_t i)
{
	struct pend_entry *e = &t->e[i];
	if (e->prev != NIL)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != NIL)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
	e->prev = e->next = NIL;
}

/* ---- upstream health ------------------------------------------------------------------ */

static void health_down(struct tw_pending *t, unsigned u, uint64_t now)
{
	struct pend_health *h = &t->health[u];
	t->stats.upstream[u].state = TW_PENDING_DOWN;
	t->stats.upstream[u].downs++;
	h->down_until = now + h->backoff_ms;
	h->since_ms = now;
	h->consec = 0;
	h->backoff_ms = h->backoff_ms > t->conf.backoff_max_ms / 2 ? t->conf.backoff_max_ms
								  : h->backoff_ms * 2;
}

static void health_up(struct tw_pending *t, unsigned u, uint64_t now)
{
	struct pend_health *h = &t->health[u];
	if (t->stats.upstream[u].state != TW_PENDING_UP) {
		t->stats.upstream[u].state = TW_PENDING_UP;
		h->since_ms = now;
	}
	h->consec = 0;
	h->backoff_ms = t->conf.backoff_min_ms;
}

static void health_timeout(struct tw_pending *t, uint32_t i, uint64_t now)
{
	const struct pend_entry *e = &t->e[i];
	unsigned u = e->upstream;
	struct pend_health *h = &t->health[u];
	t->stats.upstream[u].timeouts++;
	h->last_fail_ms = now;
	switch (t->stats.upstream[u].state) {
	case TW_PENDING_UP:
		/* sends from before it came back say nothing about it now */
		if (e->sent_ms >= h->since_ms && ++h->consec >= t->conf.down_after)
			health_down(t, u, now);
		break;
	case TW_PENDING_PROBING:
		if (h->probe == make_handle(e->gen, i))
			health_down(t, u, now);
		break;
	default:
		break;
	}
}

/* RFC 6298 §2.2 and §2.3, in microseconds: alpha 1/8, beta 1/4. */
static void health_rtt(struct tw_pending *t, unsigned u, uint64_t rtt_ms)
{
	struct tw_pending_upstream_stats *s = &t->stats.upstream[u];
	int64_t r = (int64_t)(rtt_ms * 1000);
	if (s->answered == 0) {
		s->srtt_us = (uint64_t)r;
		s->rttvar_us = (uint64_t)r / 2;
		return;
	}
	int64_t srtt = (int64_t)s->srtt_us;
	int64_t delta = srtt > r ? srtt - r : r - srtt;
	s->rttvar_us = (uint64_t)((3 * (int64_t)s->rttvar_us + delta) / 4);
	s->srtt_us = (uint64_t)((7 * srtt + r) / 8);
}

/* The upstream whose last timeout is oldest: where questions go when none is up. */
static unsigned least_recently_failed(const struct tw_pending *t)
{
	unsigned best = 0;
	for (unsigned i = 1; i < t->conf.nupstreams; i++)
		if (t->health[i].last_fail_ms < t->health[best].last_fail_ms)
			best = i;
	return best;
}

/* A new question's upstream: a down one whose backoff has run out (as its probe),
 * else the next up one in turn, else the least recently failed. */
static unsigned choose_first(struct tw_pending *t, uint64_t now, bool *probe)
{
	unsigned n = t->conf.nupstreams;
	*probe = false;
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (t->rr + k) % n;
		if (t->stats.upstream[i].state == TW_PENDING_DOWN && now >= t->health[i].down_until) {
			*probe = true;
			return i;
		}
	}
	for (unsigned k = 0; k < n; k++) {
		unsigned i = (t->rr + k) % n;
		if (t->stats.upstream[i].state == TW_PENDING_UP) {
			t->rr = (i + 1) % n;
			return i;
		}
	}
	return least_recently_failed(t);
}

/* A retry's upstream: the next up one after `last` not yet tried for this
 * question, else the next up one after `last` (itself last of all), else the
 * least recently failed. */
static unsigned choose_retry(const struct tw_pending *t, unsigned last, uint16_t tried)
{
	unsigned n = t->conf.nupstreams;
	for (unsigned k = 1; k <= n; k++) {
		unsigned i = (last + k) % n;
		if (t->stats.upstream[i].state == TW_PENDING_UP && !(tried & (1u << i)))
			return i;
	}
	for (unsigned k = 1; k <= n; k++) {
		unsigned i = (last + k) % n;
		if (t->stats.upstream[i].state == TW_PENDING_UP)
			return i;
	}
	return least_recently_failed(t);
}

/* ---- entries ------------------------------------------------------------------------ */

static void fill_send(const struct tw_pending *t, uint32_t i, struct tw_pending_send *out)
{
	const struct pend_entry *e = &t->e[i];
	out->handle = make_handle(e->gen, i);
	out->to = &t->conf.upstream[e->upstream];
	out->id = e->id;
	out->sport = e->sport;
	out->upstream = e->upstream;
	out->attempt = e->attempt;
	out->probe = e->probe;
}

static void entry_free(struct tw_pending *t, uint32_t i)
{
	struct pend_entry *e = &t->e[i];
	timer_unlink(t, i);
	triple_unlink(t, i);
	alias_drop_all(t, i);
	e->state = E_FREE;
	e->gen = e->gen == UINT32_MAX ? 1 : e->gen + 1;
	e->hnext = t->free_head;
	t->free_head = i;
	t->stats.outstanding--;
}

static uint32_t entry_of(const struct tw_pending *t, uint64_t handle)
{
	uint32_t i = (uint32_t)handle;
	if (i >= t->cap || t->e[i].state != E_LIVE || t->e[i].gen != (uint32_t)(handle >> 32))
		return NIL;
	return i;
}

/* A probe that will not be answered frees its upstream for the next one. */
static void probe_abandon(struct tw_pending *t, uint32_t i)
{
	const struct pend_entry *e = &t->e[i];
	struct pend_health *h = &t->health[e->upstream];
	if (t->stats.upstream[e->upstream].state == TW_PENDING_PROBING &&
	    h->probe == make_handle(e->gen, i)) {
		t->stats.upstream[e->upstream].state = TW_PENDING_DOWN;
		h->down_until = 0;
	}
}

int tw_pending_add(struct tw_pending *t, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
		   uint64_t owner, uint64_t now_ms, struct tw_pending_send *out)
{
	if (!qname || !out)
		return -TW_EINVAL;
	if (t->free_head == NIL) {
		t->stats.full++;
		return -TW_ENOSPC;
	}
	bool probe;
	unsigned up = choose_first(t, now_ms, &probe);
	uint16_t sport, id;
	int rc = draw_triple(t, up, &sport, &id);
	if (rc < 0)
		return rc;

	uint32_t i = t->free_head;
	struct pend_entry *e = &t->e[i];
	t->free_head = e->hnext;
	e->owner = owner;
	e->sent_ms = now_ms;
	e->id = id;
	e->sport = sport;
	e->qtype = qtype;
	e->qclass = qclass;
	e->upstream = (uint8_t)up;
	e->tried = (uint16_t)(1u << up);
	e->attempt = 1;
	e->probe = probe;
	e->state = E_LIVE;
	tw_dns_name_copy_lower(t->qnames[i], qname);
	triple_link(t, i);
	timer_append(t, i, now_ms + t->conf.timeout_ms);

	if (probe) {
		t->stats.upstream[up].state = TW_PENDING_PROBING;
		t->stats.upstream[up].probes++;
		t->health[up].probe = make_handle(e->gen, i);
	}
	t->stats.upstream[up].sent++;
	t->stats.added++;
	t->stats.outstanding++;
	fill_send(t, i, out);
	return 0;
}

static int upstream_of(const struct tw_pending *t, int family, const uint8_t *src,
		       uint16_t src_port)
{
	for (unsigned i = 0; i < t->conf.nupstreams; i++) {
		const struct tw_pending_addr *u = &t->conf.upstream[i];
		if (u->family == family && u->port == src_port &&
		    memcmp(u->addr, src, family == AF_INET ? 4 : 16) == 0)
			return (int)i;
	}
	return -1;
}

int tw_pending_match(struct tw_pending *t, int family, const uint8_t *src, uint16_t src_port,
		     uint16_t dport, uint16_t id, const uint8_t *qname, uint16_t qtype,
		     uint16_t qclass, uint64_t now_ms, uint64_t *owner)
{
	if (!src || !owner)
		return -TW_EINVAL;
	int up = upstream_of(t, family, src, src_port);
	if (up < 0) {
		t->stats.mismatches++;
		t->stats.mismatch_source++;
		return -TW_ENOENT;
	}
	uint64_t sent_ms = 0;
	uint32_t i = triple_find_sent(t, (unsigned)up, dport, id, &sent_ms);
	if (i == NIL) {
		t->stats.mismatches++;
		t->stats.mismatch_unknown++;
		t->stats.upstream[up].mismatches++;
		return -TW_ENOENT;
	}
	struct pend_entry *e = &t->e[i];
	/* RFC 5452 §9.1: the question must be the one asked */
	if (!qname || e->qtype != qtype || e->qclass != qclass ||
	    !tw_dns_name_equal(t->qnames[i], qname)) {
		t->stats.mismatches++;
		t->stats.mismatch_question++;
		t->stats.upstream[up].mismatches++;
		return -TW_ENOENT;
	}
	*owner = e->owner;
	if (e->sport != dport || e->id != id || e->upstream != up)
		t->stats.answered_late++; /* matched an earlier send's triple */
	health_rtt(t, (unsigned)up, now_ms > sent_ms ? now_ms - sent_ms : 0);
	t->stats.upstream[up].answered++;
	health_up(t, (unsigned)up, now_ms);
	t->stats.answered++;
	entry_free(t, i);
	return 0;
}

unsigned tw_pending_expire(struct tw_pending *t, uint64_t now_ms, struct tw_pending_event *out,
			   unsigned max)
{
	unsigned n = 0;
	while (n < max && t->head != NIL && t->e[t->head].deadline_ms <= now_ms) {
		uint32_t i = t->head;
		struct pend_entry *e = &t->e[i];
		struct tw_pending_event *x = &out[n++];
		health_timeout(t, i, now_ms);
		x->owner = e->owner;
		x->qname = t->qnames[i];
		x->qtype = e->qtype;
		x->qclass = e->qclass;

		if (e->attempt <= t->conf.retries) {
			unsigned up = choose_retry(t, e->upstream, e->tried);
			uint16_t sport, id;
			/* drawn while the old triple is still indexed: never the same one */
			if (draw_triple(t, up, &sport, &id) == 0) {
				triple_unlink(t, i);
				alias_keep(t, i);
				timer_unlink(t, i);
				e->upstream = (uint8_t)up;
				e->sport = sport;
				e->id = id;
				e->tried |= (uint16_t)(1u << up);
				e->attempt++;
				e->probe = 0;
				e->sent_ms = now_ms;
				triple_link(t, i);
				timer_append(t, i, now_ms + t->conf.timeout_ms);
				t->stats.upstream[up].sent++;
				t->stats.retries++;
				x->kind = TW_PENDING_RESEND;
				fill_send(t, i, &x->send);
				continue;
			}
		}
		x->kind = TW_PENDING_GIVEUP;
		fill_send(t, i, &x->send);
		t->stats.giveups++;
		entry_free(t, i);
	}
	return n;
}

int tw_pending_cancel(struct tw_pending *t, uint64_t handle)
{
	uint32_t i = entry_of(t, handle);
	if (i == NIL)
		return -TW_ENOENT;
	probe_abandon(t, i);
	t->stats.cancelled++;
	entry_free(t, i);
	return 0;
}

int tw_pending_info(const struct tw_pending *t, uint64_t handle, struct tw_pending_info *out)
{
	uint32_t i = entry_of(t, handle);
	if (i == NIL)
		return -TW_ENOENT;
	const struct pend_entry *e = &t->e[i];
	out->owner = e->owner;
	out->qname = t->qnames[i];
	out->qtype = e->qtype;
	out->qclass = e->qclass;
	out->sent_ms = e->sent_ms;
	out->deadline_ms = e->deadline_ms;
	fill_send(t, i, &out->send);
	return 0;
}

/* ==== clients waiting on a question =================================================== */

struct infl_entry {
	uint64_t hash;
	uint64_t value;
	uint64_t created_ms;
	uint32_t hnext;         /* hash chain, or the free list */
	uint32_t gen;           /* 1..gen_max, bumped when the entry is removed */
	uint32_t first, last;   /* waiter list */
	uint16_t nwaiters;
	uint8_t state;
} __attribute__((aligned(64)));

struct tw_inflight {
	struct tw_inflight_stats stats;
	struct tw_inflight_conf conf;
	struct infl_entry *e;
	struct tw_inflight_key *keys;
	uint32_t *buckets;
	uint8_t *recs;          /* waiter records, rec_size octets each */
	uint32_t *wnext;        /* next waiter of the same entry, or the free list */
	size_t rec_size;
	uint32_t cap;
	unsigned idx_bits;      /* handle: gen << idx_bits | slot */
	uint32_t gen_max;
	uint32_t bucket_mask;
	uint32_t free_head;
	uint32_t wfree_head;
	uint64_t seed;
};

void tw_inflight_conf_init(struct tw_inflight_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->capacity = 4096;
	conf->waiters = 16384;
	conf->waiter_size = 128;
	conf->max_per_key = 64;
}

struct tw_inflight *tw_inflight_new(const struct tw_inflight_conf *conf, char *err, size_t errcap)
{
	if (!conf) {
		errf(err, errcap, "inflight: no configuration");
		return NULL;
	}
	if (conf->capacity == 0 || conf->capacity > TW_INFLIGHT_MAX_CAPACITY) {
		errf(err, errcap, "inflight: capacity %u is not in 1..%u", conf->capacity,
		     TW_INFLIGHT_MAX_CAPACITY);
		return NULL;
	}
	if (conf->waiters == 0 || conf->waiters >= NIL) {
		errf(err, errcap, "inflight: waiters %u is not in 1..%u", conf->waiters, NIL - 1);
		return NULL;
	}
	if (conf->waiter_size == 0 || conf->waiter_size > 65536) {
		errf(err, errcap, "inflight: waiter_size %u is not in 1..65536", conf->waiter_size);
		return NULL;
	}
	if (conf->max_per_key == 0) {
		errf(err, errcap, "inflight: max_per_key must be at least 1");
		return NULL;
	}
	struct tw_inflight *t = zalloc(sizeof(*t));
	if (!t)
		goto nomem;
	t->conf = *conf;
	t->cap = pow2_at_least(conf->capacity);
	t->idx_bits = log2_of(t->cap);
	t->gen_max = (uint32_t)(UINT32_MAX >> t->idx_bits);
	t->bucket_mask = 2 * t->cap - 1;
	t->rec_size = ((size_t)conf->waiter_size + 15) & ~(size_t)15;
	t->e = zalloc(sizeof(*t->e) * t->cap);
	t->keys = zalloc(sizeof(*t->keys) * t->cap);
	t->buckets = zalloc(sizeof(uint32_t) * 2 * t->cap);
	t->recs = zalloc(t->rec_size * conf->waiters);
	t->wnext = zalloc(sizeof(uint32_t) * conf->waiters);
	if (!t->e || !t->keys || !t->buckets || !t->recs || !t->wnext)
		goto nomem;
	memset(t->buckets, 0xff, sizeof(uint32_t) * 2 * t->cap);
	for (uint32_t i = 0; i < t->cap; i++) {
		t->e[i].gen = 1;
		t->e[i].hnext = i + 1 < t->cap ? i + 1 : NIL;
	}
	for (uint32_t w = 0; w < conf->waiters; w++)
		t->wnext[w] = w + 1 < conf->waiters ? w + 1 : NIL;
	t->free_head = 0;
	t->wfree_head = 0;
	t->seed = conf->seed;
	if (!t->seed && draw_seed(&t->seed) < 0) {
		errf(err, errcap, "inflight: RAND_bytes failed for the hash seed");
		tw_inflight_free(t);
		return NULL;
	}
	return t;
nomem:
	errf(err, errcap, "inflight: out of memory for %u entries and %u waiters of %u octets",
	     pow2_at_least(conf->capacity), conf->waiters, conf->waiter_size);
	tw_inflight_free(t);
	return NULL;
}

void tw_inflight_free(struct tw_inflight *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->keys);
	free(t->buckets);
	free(t->recs);
	free(t->wnext);
	free(t);
}

const struct tw_inflight_stats *tw_inflight_stats(const struct tw_inflight *t)
{
	return &t->stats;
}

/* Seeded, so clients cannot aim their names at one chain. */
static uint64_t key_hash(const struct tw_inflight *t, const uint8_t *qname, uint16_t qtype,
			 uint16_t qclass, uint8_t flags)
{
	uint64_t h = tw_dns_name_hash(qname, t->seed);
	return mix64(h ^ ((uint64_t)qtype << 24 | (uint64_t)qclass << 8 | flags));
}

static uint32_t key_find(const struct tw_inflight *t, uint64_t h, const uint8_t *qname,
			 uint16_t qtype, uint16_t qclass, uint8_t flags)
{
	for (uint32_t i = t->buckets[h & t->bucket_mask]; i != NIL; i = t->e[i].hnext) {
		const struct tw_inflight_key *k = &t->keys[i];
		if (t->e[i].hash == h && k->qtype == qtype && k->qclass == qclass &&
		    k->flags == flags && tw_dns_name_equal(k->qname, qname))
			return i;
	}
	return NIL;
}

static uint32_t infl_handle(const struct tw_inflight *t, uint32_t i)
{
	return t->e[i].gen << t->idx_bits | i;
}

static uint32_t infl_entry_of(const struct tw_inflight *t, uint32_t handle)
{
	uint32_t i = handle & (t->cap - 1);
	if (t->e[i].state != E_LIVE || handle != infl_handle(t, i))
		return NIL;
	return i;
}

uint32_t tw_inflight_find_or_add(struct tw_inflight *t, const uint8_t *qname, uint16_t qtype,
				 uint16_t qclass, uint8_t flags, uint64_t now_ms, bool *created)
{
	if (!qname || !created)
		return TW_INFLIGHT_NONE;
	uint64_t h = key_hash(t, qname, qtype, qclass, flags);
	uint32_t i = key_find(t, h, qname, qtype, qclass, flags);
	if (i != NIL) {
		t->stats.coalesced++;
		*created = false;
		return infl_handle(t, i);
	}
	if (t->free_head == NIL) {
		t->stats.refused_full++;
		*created = false;
		return TW_INFLIGHT_NONE;
	}
	i = t->free_head;
	struct infl_entry *e = &t->e[i];
	t->free_head = e->hnext;
	e->hash = h;
	e->value = 0;
	e->created_ms = now_ms;
	e->first = e->last = NIL;
	e->nwaiters = 0;
	e->state = E_LIVE;
	struct tw_inflight_key *k = &t->keys[i];
	k->qtype = qtype;
	k->qclass = qclass;
	k->flags = flags;
	tw_dns_name_copy_lower(k->qname, qname);
	uint32_t *b = &t->buckets[h & t->bucket_mask];
	e->hnext = *b;
	*b = i;
	t->stats.entries++;
	t->stats.created++;
	*created = true;
	return infl_handle(t, i);
}

uint32_t tw_inflight_find(const struct tw_inflight *t, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass, uint8_t flags)
{
	if (!qname)
		return TW_INFLIGHT_NONE;
	uint64_t h = key_hash(t, qname, qtype, qclass, flags);
	uint32_t i = key_find(t, h, qname, qtype, qclass, flags);
	return i == NIL ? TW_INFLIGHT_NONE : infl_handle(t, i);
}

static void *rec_at(const struct tw_inflight *t, uint32_t w)
{
	return t->recs + (size_t)w * t->rec_size;
}

void *tw_inflight_waiter_add(struct tw_inflight *t, uint32_t handle)
{
	uint32_t i = infl_entry_of(t, handle);
	if (i == NIL)
		return NULL;
	struct infl_entry *e = &t->e[i];
	if (e->nwaiters >= t->conf.max_per_key) {
		t->stats.refused_key_cap++;
		return NULL;
	}
	if (t->wfree_head == NIL) {
		t->stats.refused_pool++;
		return NULL;
	}
	uint32_t w = t->wfree_head;
	t->wfree_head = t->wnext[w];
	t->wnext[w] = NIL;
	if (e->last != NIL)
		t->wnext[e->last] = w;
	else
		e->first = w;
	e->last = w;
	e->nwaiters++;
	t->stats.waiters++;
	t->stats.joined++;
	void *rec = rec_at(t, w);
	memset(rec, 0, t->rec_size);
	return rec;
}

void *tw_inflight_waiter_first(const struct tw_inflight *t, uint32_t handle)
{
	uint32_t i = infl_entry_of(t, handle);
	if (i == NIL || t->e[i].first == NIL)
		return NULL;
	return rec_at(t, t->e[i].first);
}

void *tw_inflight_waiter_next(const struct tw_inflight *t, uint32_t handle, const void *rec)
{
	if (!rec || infl_entry_of(t, handle) == NIL)
		return NULL;
	size_t w = (size_t)((const uint8_t *)rec - t->recs) / t->rec_size;
	uint32_t nx = t->wnext[w];
	return nx == NIL ? NULL : rec_at(t, nx);
}

int tw_inflight_set_value(struct tw_inflight *t, uint32_t handle, uint64_t value)
{
	uint32_t i = infl_entry_of(t, handle);
	if (i == NIL)
		return -TW_ENOENT;
	t->e[i].value = value;
	return 0;
}

int tw_inflight_get_value(const struct tw_inflight *t, uint32_t handle, uint64_t *value)
{
	uint32_t i = infl_entry_of(t, handle);
	if (i == NIL)
		return -TW_ENOENT;
	*value = t->e[i].value;
	return 0;
}

const struct tw_inflight_key *tw_inflight_key(const struct tw_inflight *t, uint32_t handle)
{
	uint32_t i = infl_entry_of(t, handle);
	return i == NIL ? NULL : &t->keys[i];
}

int tw_inflight_info(const struct tw_inflight *t, uint32_t handle, unsigned *waiters,
		     uint64_t *created_ms)
{
	uint32_t i = infl_entry_of(t, handle);
	if (i == NIL)
		return -TW_ENOENT;
	if (waiters)
		*waiters = t->e[i].nwaiters;
	if (created_ms)
		*created_ms = t->e[i].created_ms;
	return 0;
}

int tw_inflight_remove(struct tw_inflight *t, uint32_t handle)
{
	uint32_t i = infl_entry_of(t, handle);
	if (i == NIL)
		return -TW_ENOENT;
	struct infl_entry *e = &t->e[i];
	/* its waiters go back to the pool as one run */
	if (e->first != NIL) {
		t->wnext[e->last] = t->wfree_head;
		t->wfree_head = e->first;
		t->stats.waiters -= e->nwaiters;
	}
	uint32_t *p = &t->buckets[e->hash & t->bucket_mask];
	while (*p != i)
		p = &t->e[*p].hnext;
	*p = e->hnext;
	e->state = E_FREE;
	e->first = e->last = NIL;
	e->nwaiters = 0;
	e->gen = e->gen >= t->gen_max ? 1 : e->gen + 1;
	e->hnext = t->free_head;
	t->free_head = i;
	t->stats.entries--;
	t->stats.removed++;
	return 0;
}
