/* Concurrency of the shared cache (cache/cache.h): reader threads hammer RRset and
 * packet lookups while writers insert, replace, expire and flush, with a memory
 * limit small enough that eviction runs all the time; and threads registering and
 * unregistering over and over while others read (entries handed over through the
 * orphan ring). Meant to run under ASan+UBSan (build-test): a reader touching a
 * freed entry is a use-after-free report, a leak at tw_cache_free a leak report.
 *
 * Every stored record carries its own check: the key's number, a version unique
 * to the insert, the clock and TTL of the insert, the writer, its place in the
 * RRset, the flush epochs the writer had passed, filler derived from all that and
 * a checksum. A reader verifies every hit whole: owner and question equal the key
 * asked, counts and RDATA lengths agree, every RR of a set is of one version, the
 * entry has not expired and its TTLs follow exactly from the insert's clock, and
 * no entry of writer 0 inserted before a flush of its name, zone or the whole
 * cache that the reader knows finished is ever returned. Failures are counted in
 * the worker threads and asserted in the main thread (cmocka is not thread-safe).
 *
 * After the run every thread unregisters itself and an auditor thread adopts the
 * orphans and sweeps; then, exactly, per kind:
 *   hits + misses                      == lookups the threads counted
 *   inserts                            == entries + freed
 *   entries linked in the table        == inserts - replaced - evictions
 *                                         - expirations - flushed
 *   entries (after the sweep)          == entries linked in the table
 *   bytes (after the sweep)            <= mem_limit
 * and evictions, expirations, flushes and replacements all happened.
 *
 * A lookup whose clock is behind the inserter's (threads pass their own `now`)
 * gets the TTLs as inserted, never more: the RRset's stored TTL and the packet's
 * TTLs uncounted; the test requires exactly that, and counts such lookups
 * ("lagging clocks" in its output).
 *
 * TSan: a clang 14 -fsanitize=thread build of this test (meson -Db_sanitize=
 * thread in a scratch directory) runs here, against the uninstrumented liburcu
 * 0.13.2 of Debian 12. It reports about 270 warnings a run, all of them data
 * races on memory whose order comes from liburcu, which TSan cannot see: an
 * entry's initialisation by its inserter against readers' reads (published by
 * cds_lfht_add_replace's cmpxchg), free() in the call_rcu thread against reads
 * before the grace period, a thread context freed after synchronize_rcu against
 * bytes_total(), and liburcu's own internals (workqueue mutex, rcu_barrier);
 * plus one "thread leak" per cache: call_rcu_data_free() does not join the
 * call_rcu thread tw_cache_new() created. The reporting slows the threads so
 * much that the "every path ran" checks fail even with RUN_MAX_MS; with
 * TSAN_OPTIONS=report_bugs=0 both tests pass, every reader check included. Not
 * part of CI.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "cache/cache.h"
#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"

#define NKEYS 8192u          /* keys k00000.z00.test. .. k08191.z15.test. */
#define NZONES 16u           /* z00.test. .. z15.test. */
#define MEM_LIMIT (2u << 20) /* under a third of what the keys would take */
#define TTL_MAX 24u          /* record TTLs 1..TTL_MAX logical seconds */
#define MAINTAIN_EVERY 16u   /* writer iterations per tw_cache_maintain */
#define QUIESCE_EVERY 64u    /* reader lookups per quiescent state */
#define RUN_MS 2500u         /* each test's load phase, at least ... */
#define RUN_MAX_MS 15000u    /* ... and at most, while some path has not run yet
			      * (slow machines, TSan) */
#define NWORKERS 8u
#define NO_WRITER 0xFFu

/* ---- the keys ---------------------------------------------------------------- */

static uint8_t key_name[NKEYS][TW_DNS_NAME_MAXLEN];
static size_t key_len[NKEYS];
static uint8_t zone_name[NZONES][TW_DNS_NAME_MAXLEN];

static bool names_init(void)
{
	char s[64];
	for (unsigned i = 0; i < NKEYS; i++) {
		snprintf(s, sizeof(s), "k%05u.z%02u.test.", i, i % NZONES);
		if (tw_dns_name_from_str(s, strlen(s), NULL, key_name[i], &key_len[i]) != 0)
			return false;
	}
	for (unsigned z = 0; z < NZONES; z++) {
		size_t len;
		snprintf(s, sizeof(s), "z%02u.test.", z);
		if (tw_dns_name_from_str(s, strlen(s), NULL, zone_name[z], &len) != 0)
			return false;
	}
	return true;
}

/* Packet-cache variant of a key's answers: half plain RD queries, half EDNS with
 * DO and a large buffer, so that the variant is part of every packet key. */
static uint8_t key_variant(uint32_t id)
{
	return (id & 1) ? TW_CACHE_PKT_RD
			: (uint8_t)(TW_CACHE_PKT_RD | TW_CACHE_PKT_EDNS | TW_CACHE_PKT_DO |
				    TW_CACHE_PKT_BIG);
}

/* ---- shared run state and per-thread tallies ---------------------------------- */

struct run {
	struct tw_cache *c;
	uint32_t now;            /* the logical clock; writer 0 advances it */
	uint32_t start_now;
	int stop;
	uint32_t version;        /* next record version */
	/* flushes writer 0 has finished, bumped (release) after each returns */
	uint32_t flush_all_epoch;
	uint32_t zone_epoch[NZONES];
	uint32_t name_epoch[NKEYS];
	unsigned flush_name_every, flush_zone_every, flush_all_every;
	unsigned reader_maintain_every;
	unsigned tick_every;     /* writer 0 iterations per logical second */
	unsigned churn_lookups_per_insert;
	/* the load goes on past RUN_MS until the clock advanced this much and each
	 * churner registered this often */
	uint32_t min_ticks;
	uint64_t min_rounds;
};

struct tally {
	uint64_t lookups[TW_CACHE_KINDS];
	uint64_t hits[TW_CACHE_KINDS];
	uint64_t inserts[TW_CACHE_KINDS];
	uint64_t insert_errors;
	uint64_t flushed_by_walk; /* what tw_cache_flush_name/zone returned */
	uint64_t lag_rrset;       /* hits looked up with a clock behind the insert's */
	uint64_t lag_pkt;
	uint64_t rounds;          /* registrations (churners; atomic: the main thread
				   * watches it) */
	uint64_t failures;
	char first[320];
};

enum role { ROLE_WRITER, ROLE_READER, ROLE_CHURN_SAME, ROLE_CHURN_FRESH };

struct worker {
	pthread_t tid;
	struct run *r;
	enum role role;
	uint8_t wid;             /* writer id in the records; NO_WRITER for readers */
	uint64_t rng;
	struct tally tl;
};

static void failf(struct tally *tl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(struct tally *tl, const char *fmt, ...)
{
	if (tl->failures++ == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(tl->first, sizeof(tl->first), fmt, ap);
		va_end(ap);
	}
}

static uint64_t rnd(struct worker *w)
{
	/* xorshift64* */
	uint64_t x = w->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static bool stopping(struct run *r)
{
	return __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE) != 0;
}

/* ---- self-checking records ----------------------------------------------------- */

/* One TXT RR's RDATA: a length octet and L octets:
 *   0 'T' 'W' | 2 id | 6 version | 10 insert clock | 14 ttl | 18 writer | 19 index
 *   | 20 count | 21 status | 22 flush-all epoch | 26 zone epoch | 30 name epoch
 *   | 34 L | 35.. filler from (id, version, index) | L-4 FNV-1a of octets 0..L-5
 * (L: 40..250, from id and version). */
struct rec {
	uint32_t id, version, ins_now, ttl;
	uint32_t e_all, e_zone, e_name;
	uint8_t writer, index, count, status;
};

#define REC_FIXED 35u

static unsigned rec_len(uint32_t id, uint32_t version)
{
	return 40u + (unsigned)(mix64((uint64_t)id << 32 | version) % 211u);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint8_t filler(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return (uint8_t)(*x >> 56);
}

static uint64_t filler_seed(const struct rec *rc)
{
	return mix64((uint64_t)rc->id << 40 ^ (uint64_t)rc->version << 8 ^ rc->index);
}

/* Writes the RDATA of rc into rdata; returns its length. */
static uint16_t rec_write(uint8_t *rdata, const struct rec *rc)
{
	unsigned len = rec_len(rc->id, rc->version);
	uint8_t *p = rdata + 1;
	rdata[0] = (uint8_t)len;
	p[0] = 'T';
	p[1] = 'W';
	put32(p + 2, rc->id);
	put32(p + 6, rc->version);
	put32(p + 10, rc->ins_now);
	put32(p + 14, rc->ttl);
	p[18] = rc->writer;
	p[19] = rc->index;
	p[20] = rc->count;
	p[21] = rc->status;
	put32(p + 22, rc->e_all);
	put32(p + 26, rc->e_zone);
	put32(p + 30, rc->e_name);
	p[34] = (uint8_t)len;
	uint64_t x = filler_seed(rc);
	for (unsigned i = REC_FIXED; i < len - 4; i++)
		p[i] = filler(&x);
	put32(p + len - 4, fnv1a(p, len - 4));
	return (uint16_t)(len + 1);
}

/* Decodes and checks one RDATA; NULL when whole, else what is wrong. */
static const char *rec_read(const uint8_t *rdata, size_t rdlen, struct rec *rc)
{
	if (rdlen < 1 + 40 || rdlen > 256)
		return "RDATA length out of range";
	unsigned len = rdata[0];
	const uint8_t *p = rdata + 1;
	if (len + 1 != rdlen || p[34] != len)
		return "TXT length disagrees with RDATA length";
	if (p[0] != 'T' || p[1] != 'W')
		return "bad magic";
	if (get32(p + len - 4) != fnv1a(p, len - 4))
		return "checksum mismatch";
	rc->id = get32(p + 2);
	rc->version = get32(p + 6);
	rc->ins_now = get32(p + 10);
	rc->ttl = get32(p + 14);
	rc->writer = p[18];
	rc->index = p[19];
	rc->count = p[20];
	rc->status = p[21];
	rc->e_all = get32(p + 22);
	rc->e_zone = get32(p + 26);
	rc->e_name = get32(p + 30);
	if (rc->id >= NKEYS || rec_len(rc->id, rc->version) != len)
		return "length does not follow from id and version";
	uint64_t x = filler_seed(rc);
	for (unsigned i = REC_FIXED; i < len - 4; i++)
		if (p[i] != filler(&x))
			return "filler mismatch";
	if (rc->ttl < 1 || rc->ttl > TTL_MAX || rc->count < 1 || rc->count > 3 ||
	    rc->index >= rc->count || rc->status > TW_CACHE_BOGUS)
		return "field out of range";
	return NULL;
}

static uint16_t status_ede(uint8_t status)
{
	switch (status) {
	case TW_CACHE_SECURE: return TW_EDE_NONE;
	case TW_CACHE_INSECURE: return TW_EDE_UNSUPPORTED_DNSKEY_ALG;
	default: return TW_EDE_DNSSEC_BOGUS;
	}
}

static void bogus_reason(char *buf, size_t cap, uint32_t id, uint32_t version)
{
	snprintf(buf, cap, "bogus %u/%u", id, version);
}

/* ---- writing ------------------------------------------------------------------------ */

/* Builds the answer to (key id, TXT) for rc (count RRs, every field but index
 * set) into wire; returns its length, 0 on a builder error. */
static size_t build_answer(uint8_t *wire, size_t cap, struct rec *rc)
{
	struct tw_dns_build b;
	const uint8_t *name = key_name[rc->id];
	if (tw_dns_build_init(&b, wire, cap, cap, (uint16_t)rc->version,
			      TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA, 0) != 0 ||
	    tw_dns_build_question(&b, name, TW_DNS_T_TXT, TW_DNS_C_IN) != 0)
		return 0;
	for (unsigned i = 0; i < rc->count; i++) {
		uint8_t rd[256];
		rc->index = (uint8_t)i;
		uint16_t rl = rec_write(rd, rc);
		if (tw_dns_build_rr(&b, TW_DNS_SEC_AN, name, TW_DNS_T_TXT, TW_DNS_C_IN, rc->ttl, rd,
				    rl) != 0)
			return 0;
	}
	return tw_dns_build_finish(&b);
}

/* One insert of a fresh version of a random key: as an RRset, as an answer in
 * the packet cache, or both (from the same message). */
static void writer_insert(struct worker *w, struct tw_cache_thread *t, uint32_t now)
{
	struct run *r = w->r;
	struct rec rc;
	memset(&rc, 0, sizeof(rc));
	rc.id = (uint32_t)(rnd(w) % NKEYS);
	rc.version = __atomic_fetch_add(&r->version, 1, __ATOMIC_RELAXED);
	rc.ins_now = now;
	rc.ttl = 1 + (uint32_t)(rnd(w) % TTL_MAX);
	rc.writer = w->wid;
	rc.count = (uint8_t)(1 + rnd(w) % 3);
	rc.status = (uint8_t)(rc.version % 3);
	if (w->wid == 0) {
		/* only writer 0 flushes, so these are exactly the flushes behind it */
		rc.e_all = __atomic_load_n(&r->flush_all_epoch, __ATOMIC_RELAXED);
		rc.e_zone = __atomic_load_n(&r->zone_epoch[rc.id % NZONES], __ATOMIC_RELAXED);
		rc.e_name = __atomic_load_n(&r->name_epoch[rc.id], __ATOMIC_RELAXED);
	}
	uint8_t wire[1024];
	size_t len = build_answer(wire, sizeof(wire), &rc);
	struct tw_dns_rr rrs[4];
	struct tw_dns_msg m;
	if (!len || tw_dns_msg_parse(&m, wire, len, rrs, 4) != 0 || m.ancount != rc.count) {
		failf(&w->tl, "writer %u: could not build the answer of key %u", w->wid, rc.id);
		return;
	}
	char reason[64];
	bogus_reason(reason, sizeof(reason), rc.id, rc.version);
	unsigned what = (unsigned)(rnd(w) % 4);
	if (what != 3) {
		uint16_t idx[3] = { 0, 1, 2 };
		int rv = tw_cache_rrset_insert(t, &m, idx, rc.count, NULL, 0,
					       (enum tw_cache_status)rc.status, status_ede(rc.status),
					       rc.status == TW_CACHE_BOGUS ? reason : NULL, rc.ttl, now);
		if (rv == 0)
			w->tl.inserts[TW_CACHE_KIND_RRSET]++;
		else
			w->tl.insert_errors++;
	}
	if (what != 2) {
		int rv = tw_cache_pkt_insert(t, wire, len, key_variant(rc.id),
					     (enum tw_cache_status)rc.status, 3600, now);
		if (rv == 0)
			w->tl.inserts[TW_CACHE_KIND_PKT]++;
		else
			w->tl.insert_errors++;
	}
}

/* Writer 0's flushes; each epoch is bumped after its flush has returned. */
static void writer_flushes(struct worker *w, struct tw_cache_thread *t, uint64_t it)
{
	struct run *r = w->r;
	if (it % r->flush_name_every == 1) {
		uint32_t id = (uint32_t)(rnd(w) % NKEYS);
		w->tl.flushed_by_walk += tw_cache_flush_name(t, key_name[id]);
		__atomic_add_fetch(&r->name_epoch[id], 1, __ATOMIC_RELEASE);
	}
	if (it % r->flush_zone_every == 2) {
		uint32_t z = (uint32_t)(rnd(w) % NZONES);
		w->tl.flushed_by_walk += tw_cache_flush_zone(t, zone_name[z]);
		__atomic_add_fetch(&r->zone_epoch[z], 1, __ATOMIC_RELEASE);
	}
	if (it % r->flush_all_every == 3) {
		tw_cache_flush_all(r->c);
		__atomic_add_fetch(&r->flush_all_epoch, 1, __ATOMIC_RELEASE);
	}
}

/* ---- reading -------------------------------------------------------------------------- */

/* What a reader knew before its lookup. */
struct seen {
	uint32_t id;
	uint32_t now;
	uint32_t e_all, e_zone, e_name;
};

static void check_epochs(struct tally *tl, const struct seen *s, const struct rec *rc,
			 const char *what)
{
	if (rc->writer != 0)
		return;
	if (rc->e_all < s->e_all)
		failf(tl, "%s: key %u v%u served after a flush_all that finished before the "
			  "lookup (epoch %u < %u)", what, s->id, rc->version, rc->e_all, s->e_all);
	if (rc->e_zone < s->e_zone)
		failf(tl, "%s: key %u v%u served after its zone's flush (epoch %u < %u)", what,
		      s->id, rc->version, rc->e_zone, s->e_zone);
	if (rc->e_name < s->e_name)
		failf(tl, "%s: key %u v%u served after its name's flush (epoch %u < %u)", what,
		      s->id, rc->version, rc->e_name, s->e_name);
}

static void check_rrset(struct tally *tl, const struct seen *s, const struct tw_cache_rrset *o)
{
	const uint8_t *want = key_name[s->id];
	if (tw_dns_name_len(o->owner) != key_len[s->id] ||
	    memcmp(o->owner, want, key_len[s->id]) != 0) {
		failf(tl, "rrset: owner is not key %u", s->id);
		return;
	}
	if (o->type != TW_DNS_T_TXT || o->cls != TW_DNS_C_IN || o->sig_count != 0 ||
	    o->count < 1 || o->count > 3) {
		failf(tl, "rrset: key %u type %u class %u count %u sigs %u", s->id, o->type, o->cls,
		      o->count, o->sig_count);
		return;
	}
	uint32_t pos = 0;
	const uint8_t *rd;
	uint16_t rl;
	unsigned i = 0;
	struct rec first;
	memset(&first, 0, sizeof(first));
	while (tw_cache_rrset_next(o, &pos, &rd, &rl)) {
		struct rec rc;
		const char *why;
		if (pos > o->data_len) {
			failf(tl, "rrset: key %u RDATA %u runs past data_len %u", s->id, i,
			      o->data_len);
			return;
		}
		if (i >= o->count) {
			failf(tl, "rrset: key %u has more RDATA than its count %u", s->id, o->count);
			return;
		}
		if ((why = rec_read(rd, rl, &rc)) != NULL) {
			failf(tl, "rrset: key %u RR %u: %s", s->id, i, why);
			return;
		}
		if (i == 0)
			first = rc;
		if (rc.id != s->id || rc.index != i || rc.count != o->count ||
		    rc.version != first.version || rc.status != o->status) {
			failf(tl, "rrset: key %u RR %u is of key %u v%u (#%u of %u, status %u), set "
				  "v%u count %u status %u", s->id, i, rc.id, rc.version, rc.index,
			      rc.count, rc.status, first.version, o->count, o->status);
			return;
		}
		i++;
	}
	if (i != o->count || pos != o->data_len) {
		failf(tl, "rrset: key %u has %u RDATA in %u octets, count %u data_len %u", s->id, i,
		      pos, o->count, o->data_len);
		return;
	}
	char reason[64] = "";
	if (first.status == TW_CACHE_BOGUS)
		bogus_reason(reason, sizeof(reason), first.id, first.version);
	if (o->ede != status_ede(first.status) || !o->reason || strcmp(o->reason, reason) != 0)
		failf(tl, "rrset: key %u v%u status %u with EDE %u reason \"%s\"", s->id,
		      first.version, first.status, o->ede, o->reason ? o->reason : "(null)");
	uint32_t expires = first.ins_now + first.ttl;
	if ((int32_t)(expires - s->now) <= 0)
		failf(tl, "rrset: key %u v%u served at %u, expired at %u", s->id, first.version,
		      s->now, expires);
	else if (o->ttl != ((int32_t)(s->now - first.ins_now) < 0 ? first.ttl : expires - s->now))
		failf(tl, "rrset: key %u v%u TTL %u at %u, inserted at %u with TTL %u", s->id,
		      first.version, o->ttl, s->now, first.ins_now, first.ttl);
	if ((int32_t)(s->now - first.ins_now) < 0)
		tl->lag_rrset++;
	check_epochs(tl, s, &first, "rrset");
}

/* Builds the query for key id in the key's variant, with the name in random case. */
static size_t build_query(struct worker *w, uint32_t id, uint16_t qid, uint8_t *buf, size_t cap)
{
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	size_t n = key_len[id];
	uint64_t bits = rnd(w);
	memcpy(qname, key_name[id], n);
	for (size_t i = 0; i < n; i++)
		if (qname[i] >= 'a' && qname[i] <= 'z' && ((bits >> (i & 63)) & 1))
			qname[i] = (uint8_t)(qname[i] - 32);
	bool edns = (key_variant(id) & TW_CACHE_PKT_EDNS) != 0;
	struct tw_dns_build b;
	if (tw_dns_build_init(&b, buf, cap, cap, qid, TW_DNS_F_RD,
			      edns ? TW_DNS_OPT_FIXED_LEN : 0) != 0 ||
	    tw_dns_build_question(&b, qname, TW_DNS_T_TXT, TW_DNS_C_IN) != 0)
		return 0;
	if (edns && tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, 0, TW_EDE_NONE, NULL, 0) != 0)
		return 0;
	return tw_dns_build_finish(&b);
}

static void check_answer(struct tally *tl, const struct seen *s, const uint8_t *qwire,
			 const struct tw_dns_msg *q, const uint8_t *out, size_t n)
{
	struct tw_dns_rr rrs[8];
	struct tw_dns_msg a;
	int rv = tw_dns_msg_parse(&a, out, n, rrs, 8);
	if (rv != 0) {
		failf(tl, "packet: key %u: the answer (%zu octets) does not parse: %d", s->id, n, rv);
		return;
	}
	if (a.id != q->id || !(a.flags & TW_DNS_F_QR) || a.qdcount != 1 ||
	    a.qname != TW_DNS_HDR_LEN || a.qname_len != q->qname_len ||
	    memcmp(out + a.qname, qwire + q->qname, q->qname_len) != 0 || a.qtype != TW_DNS_T_TXT ||
	    a.qclass != TW_DNS_C_IN) {
		failf(tl, "packet: key %u: the answer's ID or question is not the query's", s->id);
		return;
	}
	if (a.ancount < 1 || a.ancount > 3 || a.nscount || a.arcount || a.rr_count != a.ancount) {
		failf(tl, "packet: key %u: sections %u/%u/%u", s->id, a.ancount, a.nscount,
		      a.arcount);
		return;
	}
	struct rec first;
	memset(&first, 0, sizeof(first));
	for (unsigned i = 0; i < a.rr_count; i++) {
		const struct tw_dns_rr *rr = &a.rr[i];
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		struct rec rc;
		const char *why;
		if (rr->type != TW_DNS_T_TXT || rr->cls != TW_DNS_C_IN ||
		    tw_dns_name_unpack(out, n, rr->owner, owner, NULL, NULL) != 0 ||
		    !tw_dns_name_equal(owner, key_name[s->id])) {
			failf(tl, "packet: key %u RR %u: wrong owner, type or class", s->id, i);
			return;
		}
		if ((why = rec_read(out + rr->rdata, rr->rdlen, &rc)) != NULL) {
			failf(tl, "packet: key %u RR %u: %s", s->id, i, why);
			return;
		}
		if (i == 0)
			first = rc;
		if (rc.id != s->id || rc.index != i || rc.count != a.ancount ||
		    rc.version != first.version) {
			failf(tl, "packet: key %u RR %u is of key %u v%u (#%u of %u), answer v%u "
				  "with %u RRs", s->id, i, rc.id, rc.version, rc.index, rc.count,
			      first.version, a.ancount);
			return;
		}
		int32_t age = (int32_t)(s->now - rc.ins_now);
		if (age >= (int32_t)rc.ttl) {
			failf(tl, "packet: key %u v%u served at %u, expired at %u", s->id, rc.version,
			      s->now, rc.ins_now + rc.ttl);
			return;
		}
		if (age >= 0) {
			if (rr->ttl != rc.ttl - (uint32_t)age) {
				failf(tl, "packet: key %u v%u TTL %u at %u, inserted at %u with TTL "
					  "%u", s->id, rc.version, rr->ttl, s->now, rc.ins_now, rc.ttl);
				return;
			}
		} else {
			/* looked up with a clock behind the inserter's: the TTL as inserted */
			if (rr->ttl != rc.ttl) {
				failf(tl, "packet: key %u v%u TTL %u, not the inserted %u", s->id,
				      rc.version, rr->ttl, rc.ttl);
				return;
			}
			if (i == 0)
				tl->lag_pkt++;
		}
	}
	check_epochs(tl, s, &first, "packet");
}

/* One lookup of a random key, RRset or packet, checked whole when it hits. */
static void reader_lookup(struct worker *w, struct tw_cache_thread *t, struct tally *tl)
{
	struct run *r = w->r;
	struct seen s;
	s.id = (uint32_t)(rnd(w) % NKEYS);
	s.e_all = __atomic_load_n(&r->flush_all_epoch, __ATOMIC_ACQUIRE);
	s.e_zone = __atomic_load_n(&r->zone_epoch[s.id % NZONES], __ATOMIC_ACQUIRE);
	s.e_name = __atomic_load_n(&r->name_epoch[s.id], __ATOMIC_ACQUIRE);
	s.now = __atomic_load_n(&r->now, __ATOMIC_ACQUIRE);
	if (rnd(w) & 1) {
		struct tw_cache_rrset o;
		/* half the keys are asked in upper case: the cache keys canonical names */
		uint8_t qn[TW_DNS_NAME_MAXLEN];
		memcpy(qn, key_name[s.id], key_len[s.id]);
		for (size_t i = 0; i < key_len[s.id]; i++)
			if (qn[i] >= 'a' && qn[i] <= 'z' && (s.id & 2))
				qn[i] = (uint8_t)(qn[i] - 32);
		tl->lookups[TW_CACHE_KIND_RRSET]++;
		if (tw_cache_rrset_lookup(t, qn, TW_DNS_T_TXT, TW_DNS_C_IN, s.now, &o)) {
			tl->hits[TW_CACHE_KIND_RRSET]++;
			check_rrset(tl, &s, &o);
		}
	} else {
		uint8_t qwire[512], out[2048];
		struct tw_dns_rr qrr[2];
		struct tw_dns_msg q;
		uint16_t qid = (uint16_t)rnd(w);
		size_t qlen = build_query(w, s.id, qid, qwire, sizeof(qwire));
		if (!qlen || tw_dns_msg_parse(&q, qwire, qlen, qrr, 2) != 0 ||
		    tw_cache_pkt_variant(&q) != key_variant(s.id)) {
			failf(tl, "could not build the query of key %u", s.id);
			return;
		}
		tl->lookups[TW_CACHE_KIND_PKT]++;
		size_t n = tw_cache_pkt_answer(t, &q, s.now, out, sizeof(out));
		if (n) {
			tl->hits[TW_CACHE_KIND_PKT]++;
			check_answer(tl, &s, qwire, &q, out, n);
		}
	}
}

/* The thread's own counters must equal what it counted itself (one registration:
 * `base` is the tally before it). Adoption moves entries, never these. */
static void check_own_stats(struct tally *tl, struct tw_cache_thread *t, const struct tally *base,
			    const char *who)
{
	const struct tw_cache_stats *st = tw_cache_thread_stats(t);
	for (int k = 0; k < TW_CACHE_KINDS; k++) {
		const struct tw_cache_kind_stats *ks = &st->kind[k];
		uint64_t lookups = tl->lookups[k] - base->lookups[k];
		uint64_t hits = tl->hits[k] - base->hits[k];
		uint64_t inserts = tl->inserts[k] - base->inserts[k];
		if (ks->hits != hits || ks->hits + ks->misses != lookups || ks->inserts != inserts)
			failf(tl, "%s: own %s counters: hits %llu misses %llu inserts %llu; counted "
				  "%llu hits of %llu lookups, %llu inserts", who,
			      tw_cache_kind_str((enum tw_cache_kind)k), (unsigned long long)ks->hits,
			      (unsigned long long)ks->misses, (unsigned long long)ks->inserts,
			      (unsigned long long)hits, (unsigned long long)lookups,
			      (unsigned long long)inserts);
	}
}

/* ---- threads ---------------------------------------------------------------------------- */

static void *writer_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct tw_cache_thread *t = tw_cache_thread_register(r->c);
	if (!t) {
		failf(&w->tl, "writer %u: registration refused", w->wid);
		return NULL;
	}
	struct tally base = w->tl;
	for (uint64_t it = 0; !stopping(r); it++) {
		uint32_t now;
		if (w->wid == 0 && it % r->tick_every == 0) {
			now = __atomic_load_n(&r->now, __ATOMIC_RELAXED) + 1;
			__atomic_store_n(&r->now, now, __ATOMIC_RELEASE);
		} else {
			now = __atomic_load_n(&r->now, __ATOMIC_ACQUIRE);
		}
		writer_insert(w, t, now);
		if (it % MAINTAIN_EVERY == 0)
			tw_cache_maintain(t, now, 64);
		if (w->wid == 0)
			writer_flushes(w, t, it);
		tw_cache_quiescent(t);
	}
	check_own_stats(&w->tl, t, &base, "writer");
	tw_cache_thread_unregister(t);
	return NULL;
}

static void *reader_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	struct tw_cache_thread *t = tw_cache_thread_register(r->c);
	if (!t) {
		failf(&w->tl, "reader: registration refused");
		return NULL;
	}
	struct tally base = w->tl;
	for (uint64_t it = 1; !stopping(r); it++) {
		reader_lookup(w, t, &w->tl);
		if (it % QUIESCE_EVERY == 0)
			tw_cache_quiescent(t);
		if (it % r->reader_maintain_every == 0)
			tw_cache_maintain(t, __atomic_load_n(&r->now, __ATOMIC_ACQUIRE), 32);
	}
	check_own_stats(&w->tl, t, &base, "reader");
	tw_cache_thread_unregister(t);
	return NULL;
}

/* One registration of a churner: inserts and lookups, maybe a maintenance pass
 * (adopting orphans), then it leaves, handing what it owns to the orphan ring. */
static void churn_round(struct worker *w)
{
	struct run *r = w->r;
	struct tw_cache_thread *t = tw_cache_thread_register(r->c);
	if (!t) {
		failf(&w->tl, "churner %u: registration refused", w->wid);
		return;
	}
	struct tally base = w->tl;
	unsigned inserts = 32 + (unsigned)(rnd(w) % 160);
	for (unsigned i = 0; i < inserts && !stopping(r); i++) {
		uint32_t now = __atomic_load_n(&r->now, __ATOMIC_ACQUIRE);
		writer_insert(w, t, now);
		for (unsigned j = 0; j < r->churn_lookups_per_insert; j++)
			reader_lookup(w, t, &w->tl);
		if (i % 16 == 0)
			tw_cache_quiescent(t);
	}
	if (rnd(w) & 1)
		tw_cache_maintain(t, __atomic_load_n(&r->now, __ATOMIC_ACQUIRE), 128);
	check_own_stats(&w->tl, t, &base, "churner");
	__atomic_add_fetch(&w->tl.rounds, 1, __ATOMIC_RELAXED);
	tw_cache_thread_unregister(t);
}

static void *churn_same_main(void *arg)
{
	struct worker *w = arg;
	while (!stopping(w->r))
		churn_round(w);
	return NULL;
}

static void *churn_round_main(void *arg)
{
	churn_round(arg);
	return NULL;
}

/* Every round on a new thread: the thread's first and last registration. */
static void *churn_fresh_main(void *arg)
{
	struct worker *w = arg;
	while (!stopping(w->r)) {
		pthread_t tid;
		if (pthread_create(&tid, NULL, churn_round_main, w) != 0) {
			failf(&w->tl, "churner %u: pthread_create failed", w->wid);
			return NULL;
		}
		pthread_join(tid, NULL);
	}
	return NULL;
}

/* ---- the auditor: after every worker has left ----------------------------------------- */

struct audit {
	struct run *r;
	bool registered;
	struct tw_cache_stats before, after;
	unsigned long linked_before, linked_after;
	unsigned swept;
};

static void *audit_main(void *arg)
{
	struct audit *a = arg;
	struct tw_cache_thread *t = tw_cache_thread_register(a->r->c);
	if (!t)
		return NULL;
	a->registered = true;
	uint32_t now = __atomic_load_n(&a->r->now, __ATOMIC_ACQUIRE);
	tw_cache_stats(a->r->c, &a->before);
	a->linked_before = tw_cache_count(t);
	/* adopts the orphans (every entry there is), then sweeps the ring round and
	 * round: whatever is out of the table, expired or flushed goes */
	a->swept = tw_cache_maintain(t, now, 1u << 20);
	tw_cache_stats(a->r->c, &a->after);
	a->linked_after = tw_cache_count(t);
	tw_cache_thread_unregister(t);
	return NULL;
}

/* Registers, waits (offline) until every probe has tried, leaves. */
struct slot_probe {
	pthread_t tid;
	struct tw_cache *c;
	pthread_barrier_t *bar;
	bool registered;
};

static void *slot_probe_main(void *arg)
{
	struct slot_probe *p = arg;
	struct tw_cache_thread *t = tw_cache_thread_register(p->c);
	p->registered = t != NULL;
	if (t)
		tw_cache_thread_offline(t);
	pthread_barrier_wait(p->bar);
	if (t) {
		tw_cache_thread_online(t);
		tw_cache_thread_unregister(t);
	}
	return NULL;
}

/* ---- driving a run ------------------------------------------------------------------------ */

struct run_result {
	struct tally total;
	uint64_t peak_bytes;   /* of tw_cache_stats samples during the load */
	unsigned peak_threads;
	struct audit audit;
	struct tw_cache_stats final; /* after the auditor left */
};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static void tally_add(struct tally *dst, const struct tally *src, const char *who)
{
	for (int k = 0; k < TW_CACHE_KINDS; k++) {
		dst->lookups[k] += src->lookups[k];
		dst->hits[k] += src->hits[k];
		dst->inserts[k] += src->inserts[k];
	}
	dst->insert_errors += src->insert_errors;
	dst->flushed_by_walk += src->flushed_by_walk;
	dst->lag_rrset += src->lag_rrset;
	dst->lag_pkt += src->lag_pkt;
	dst->rounds += src->rounds;
	if (src->failures) {
		print_message("%s: %llu failures, the first: %s\n", who,
			      (unsigned long long)src->failures, src->first);
		dst->failures += src->failures;
	}
}

static void *(*const role_main[])(void *) = {
	[ROLE_WRITER] = writer_main,
	[ROLE_READER] = reader_main,
	[ROLE_CHURN_SAME] = churn_same_main,
	[ROLE_CHURN_FRESH] = churn_fresh_main,
};

static const char *const role_name[] = {
	[ROLE_WRITER] = "writer",
	[ROLE_READER] = "reader",
	[ROLE_CHURN_SAME] = "churner (same thread)",
	[ROLE_CHURN_FRESH] = "churner (new threads)",
};

/* Whether every path the tests require has run (from a sample of the counters). */
static bool load_done(struct run *r, const struct worker *ws, unsigned nw,
		      const struct tw_cache_stats *st)
{
	for (int k = TW_CACHE_KIND_RRSET; k <= TW_CACHE_KIND_PKT; k += TW_CACHE_KIND_PKT) {
		const struct tw_cache_kind_stats *ks = &st->kind[k];
		if (!ks->hits || !ks->replaced || !ks->evictions || !ks->expirations ||
		    !ks->flushed)
			return false;
	}
	if (__atomic_load_n(&r->now, __ATOMIC_RELAXED) - r->start_now < r->min_ticks)
		return false;
	for (unsigned i = 0; i < nw; i++)
		if ((ws[i].role == ROLE_CHURN_SAME || ws[i].role == ROLE_CHURN_FRESH) &&
		    __atomic_load_n(&ws[i].tl.rounds, __ATOMIC_RELAXED) < r->min_rounds)
			return false;
	return true;
}

/* Runs the workers for RUN_MS, stops them (each unregisters itself), audits. */
static void drive(struct run *r, struct worker *ws, unsigned nw, struct run_result *res)
{
	memset(res, 0, sizeof(*res));
	for (unsigned i = 0; i < nw; i++) {
		ws[i].r = r;
		ws[i].rng = mix64(0xC0FFEEull + i) | 1;
		if (pthread_create(&ws[i].tid, NULL, role_main[ws[i].role], &ws[i]) != 0) {
			__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
			while (i-- > 0)
				pthread_join(ws[i].tid, NULL);
			fail_msg("pthread_create failed");
		}
	}
	bool done = false;
	for (unsigned ms = 0; ms < RUN_MS || (!done && ms < RUN_MAX_MS); ms += 10) {
		struct tw_cache_stats st;
		sleep_ms(10);
		tw_cache_stats(r->c, &st);
		if (st.bytes > res->peak_bytes)
			res->peak_bytes = st.bytes;
		if (st.threads > res->peak_threads)
			res->peak_threads = st.threads;
		done = load_done(r, ws, nw, &st);
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < nw; i++) {
		assert_int_equal(pthread_join(ws[i].tid, NULL), 0);
		tally_add(&res->total, &ws[i].tl, role_name[ws[i].role]);
	}
	pthread_t tid;
	res->audit.r = r;
	assert_int_equal(pthread_create(&tid, NULL, audit_main, &res->audit), 0);
	assert_int_equal(pthread_join(tid, NULL), 0);
	assert_true(res->audit.registered);
	tw_cache_stats(r->c, &res->final);
}

static uint64_t sum_kinds(const struct tw_cache_stats *s, size_t field)
{
	uint64_t n = 0;
	for (int k = 0; k < TW_CACHE_KINDS; k++)
		n += *(const uint64_t *)((const uint8_t *)&s->kind[k] + field);
	return n;
}
#define SUM(s, f) sum_kinds(s, offsetof(struct tw_cache_kind_stats, f))

/* Removals from the table are counted exactly once, by whoever removed the entry. */
static uint64_t still_linked(const struct tw_cache_kind_stats *k)
{
	return k->inserts - k->replaced - k->evictions - k->expirations - k->flushed;
}

static void report(const char *name, const struct run_result *res)
{
	const struct tw_cache_stats *s = &res->audit.before;
	const struct tw_cache_kind_stats *rr = &s->kind[TW_CACHE_KIND_RRSET];
	const struct tw_cache_kind_stats *pk = &s->kind[TW_CACHE_KIND_PKT];
	print_message("%s: rrset %llu lookups %llu hits %llu inserts %llu replaced %llu evicted "
		      "%llu expired %llu flushed; packet %llu lookups %llu hits %llu inserts %llu "
		      "replaced %llu evicted %llu expired %llu flushed; %llu churn rounds; peak "
		      "%llu of %llu bytes, %u threads; lagging clocks: %llu rrset hits, %llu "
		      "answers; the auditor freed %u\n", name,
		      (unsigned long long)(rr->hits + rr->misses), (unsigned long long)rr->hits,
		      (unsigned long long)rr->inserts, (unsigned long long)rr->replaced,
		      (unsigned long long)rr->evictions, (unsigned long long)rr->expirations,
		      (unsigned long long)rr->flushed, (unsigned long long)(pk->hits + pk->misses),
		      (unsigned long long)pk->hits, (unsigned long long)pk->inserts,
		      (unsigned long long)pk->replaced, (unsigned long long)pk->evictions,
		      (unsigned long long)pk->expirations, (unsigned long long)pk->flushed,
		      (unsigned long long)res->total.rounds, (unsigned long long)res->peak_bytes,
		      (unsigned long long)s->mem_limit, res->peak_threads,
		      (unsigned long long)res->total.lag_rrset, (unsigned long long)res->total.lag_pkt,
		      res->audit.swept);
}

/* cmocka's assert_int_equal prints hex without names; this says what differs.
 * ctx: the kind or "all". */
#define EXPECT_EQ(ctx, a, b)                                                              \
	do {                                                                              \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                          \
		if (a_ != b_)                                                             \
			fail_msg("%s: %s == %llu but %s == %llu", ctx, #a,                \
				 (unsigned long long)a_, #b, (unsigned long long)b_);     \
	} while (0)
#define EXPECT_LE(ctx, a, b)                                                              \
	do {                                                                              \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                          \
		if (a_ > b_)                                                              \
			fail_msg("%s: %s == %llu is above %s == %llu", ctx, #a,           \
				 (unsigned long long)a_, #b, (unsigned long long)b_);     \
	} while (0)

/* The reconciliation common to both tests (see the top comment). */
static void assert_reconciled(const struct run_result *res)
{
	const struct tally *tl = &res->total;
	const struct audit *a = &res->audit;
	EXPECT_EQ("readers and writers", tl->failures, 0);
	EXPECT_EQ("writers", tl->insert_errors, 0);

	/* before the sweep: only the auditor is registered, it owns nothing yet */
	const struct tw_cache_stats *b = &a->before;
	EXPECT_EQ("before the sweep", b->threads, 1);
	uint64_t linked = 0;
	for (int k = 0; k < TW_CACHE_KINDS; k++) {
		const struct tw_cache_kind_stats *ks = &b->kind[k];
		const char *kind = tw_cache_kind_str((enum tw_cache_kind)k);
		EXPECT_EQ(kind, ks->hits, tl->hits[k]);
		EXPECT_EQ(kind, ks->hits + ks->misses, tl->lookups[k]);
		EXPECT_EQ(kind, ks->inserts, tl->inserts[k]);
		EXPECT_EQ(kind, ks->inserts, ks->entries + ks->freed);
		EXPECT_EQ(kind, ks->refused, 0);
		linked += still_linked(ks);
	}
	/* every removal from the table was counted once, by whoever removed it */
	EXPECT_EQ("before the sweep", a->linked_before, linked);
	EXPECT_LE("before the sweep", a->linked_before, SUM(b, entries));
	EXPECT_EQ("before the sweep", b->bytes, SUM(b, bytes));
	EXPECT_LE("before the sweep", tl->flushed_by_walk, SUM(b, flushed));

	/* after the sweep every entry left is owned, linked, live, and they fit */
	const struct tw_cache_stats *s = &a->after;
	EXPECT_EQ("after the sweep", s->threads, 1);
	linked = 0;
	for (int k = 0; k < TW_CACHE_KINDS; k++) {
		const struct tw_cache_kind_stats *ks = &s->kind[k];
		const char *kind = tw_cache_kind_str((enum tw_cache_kind)k);
		EXPECT_EQ(kind, ks->inserts, ks->entries + ks->freed);
		EXPECT_EQ(kind, ks->hits + ks->misses, tl->lookups[k]);
		linked += still_linked(ks);
	}
	EXPECT_EQ("after the sweep", a->linked_after, SUM(s, entries));
	EXPECT_EQ("after the sweep", a->linked_after, linked);
	EXPECT_EQ("after the sweep", s->bytes, SUM(s, bytes));
	EXPECT_LE("after the sweep", s->bytes, s->mem_limit);
	EXPECT_LE("after the sweep", SUM(s, entries) * 64, s->bytes);

	/* the auditor left: its entries went back to the orphan ring, counted there */
	const struct tw_cache_stats *f = &res->final;
	EXPECT_EQ("all gone", f->threads, 0);
	EXPECT_EQ("all gone", SUM(f, entries), SUM(s, entries));
	EXPECT_EQ("all gone", f->bytes, s->bytes);
	EXPECT_EQ("all gone", SUM(f, inserts), SUM(f, entries) + SUM(f, freed));

	/* every path ran, for both kinds */
	for (int k = TW_CACHE_KIND_RRSET; k <= TW_CACHE_KIND_PKT; k += TW_CACHE_KIND_PKT) {
		const struct tw_cache_kind_stats *ks = &s->kind[k];
		const char *kind = tw_cache_kind_str((enum tw_cache_kind)k);
		EXPECT_LE(kind, 1, tl->hits[k]);
		EXPECT_LE(kind, tl->hits[k] + 1, tl->lookups[k]);
		EXPECT_LE(kind, 1, ks->replaced);
		EXPECT_LE(kind, 1, ks->evictions);
		EXPECT_LE(kind, 1, ks->expirations);
		EXPECT_LE(kind, 1, ks->flushed);
	}
	/* nothing else was touched */
	for (int k = TW_CACHE_KIND_KEY; k <= TW_CACHE_KIND_NEG; k++) {
		const char *kind = tw_cache_kind_str((enum tw_cache_kind)k);
		EXPECT_EQ(kind, s->kind[k].inserts, 0);
		EXPECT_EQ(kind, s->kind[k].entries, 0);
	}
}

static void add_worker(struct worker *ws, unsigned *nw, enum role role, uint8_t wid)
{
	assert_true(*nw < NWORKERS);
	ws[*nw].role = role;
	ws[*nw].wid = wid;
	(*nw)++;
}

static struct tw_cache *new_cache(uint16_t max_threads)
{
	struct tw_cache_conf conf;
	char err[128] = "";
	tw_cache_conf_init(&conf);
	conf.mem_limit = MEM_LIMIT;
	conf.max_threads = max_threads;
	struct tw_cache *c = tw_cache_new(&conf, err, sizeof(err));
	if (!c)
		print_message("tw_cache_new: %s\n", err);
	assert_non_null(c);
	return c;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Per test: the run state, its result and the cache, freed by the teardown even
 * when an assertion ends the test (every thread has been joined by then). */
struct fixture {
	struct run r;
	struct run_result res;
	struct worker ws[NWORKERS];
	unsigned nw;
};

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	tw_cache_free(f->r.c);
	free(f);
	return 0;
}

static void test_readers_never_see_torn_or_stale_entries_under_eviction(void **state)
{
	struct fixture *f = *state;
	struct run *r = &f->r;
	r->c = new_cache(64);
	r->now = r->start_now = 1700000000u;
	r->tick_every = 256;
	r->flush_name_every = 256;
	r->flush_zone_every = 4096;
	r->flush_all_every = 16384;
	r->reader_maintain_every = 2048;
	add_worker(f->ws, &f->nw, ROLE_WRITER, 0);
	add_worker(f->ws, &f->nw, ROLE_WRITER, 1);
	for (unsigned i = 0; i < 3; i++)
		add_worker(f->ws, &f->nw, ROLE_READER, NO_WRITER);

	drive(r, f->ws, f->nw, &f->res);
	report("eviction", &f->res);
	assert_reconciled(&f->res);
	/* the inserting threads keep the cache near its limit all along */
	EXPECT_LE("during the load", f->res.peak_bytes, MEM_LIMIT + MEM_LIMIT / 8);
	EXPECT_EQ("during the load", f->res.peak_threads, 5);
}

static void test_registration_churn_hands_entries_over_without_loss_or_leak(void **state)
{
	struct fixture *f = *state;
	struct run *r = &f->r;
	/* slots are reused: never more than 5 registered at once, plus room for one */
	r->c = new_cache(6);
	/* the clock wraps past 2^32 during the run */
	r->now = r->start_now = UINT32_MAX - 100u;
	r->min_ticks = 150;
	r->tick_every = 256;
	r->flush_name_every = 128;
	r->flush_zone_every = 2048;
	r->flush_all_every = 32768;
	r->reader_maintain_every = 512;
	r->churn_lookups_per_insert = 2;
	r->min_rounds = 10;
	add_worker(f->ws, &f->nw, ROLE_WRITER, 0);
	add_worker(f->ws, &f->nw, ROLE_READER, NO_WRITER);
	add_worker(f->ws, &f->nw, ROLE_READER, NO_WRITER);
	add_worker(f->ws, &f->nw, ROLE_CHURN_SAME, 2);
	add_worker(f->ws, &f->nw, ROLE_CHURN_FRESH, 3);

	drive(r, f->ws, f->nw, &f->res);
	report("churn", &f->res);
	assert_reconciled(&f->res);
	EXPECT_LE("churner (same thread)", r->min_rounds, f->ws[3].tl.rounds);
	EXPECT_LE("churner (new threads)", r->min_rounds, f->ws[4].tl.rounds);
	EXPECT_LE("during the load", f->res.peak_threads, 5);
	/* the clock did wrap */
	EXPECT_LE("the clock", r->min_ticks, r->now - r->start_now);
	/* (how far past 2^32 depends on how long the churners took: a loaded
	 * machine ticks it further) */
	EXPECT_LE("the clock wrapped", r->now, r->start_now - 1);

	/* every slot is free again: six threads register at once, a seventh not */
	struct slot_probe probes[7];
	pthread_barrier_t bar;
	assert_int_equal(pthread_barrier_init(&bar, NULL, 7), 0);
	for (unsigned i = 0; i < 7; i++) {
		probes[i].c = r->c;
		probes[i].bar = &bar;
		probes[i].registered = false;
		assert_int_equal(pthread_create(&probes[i].tid, NULL, slot_probe_main, &probes[i]),
				 0);
	}
	unsigned registered = 0;
	for (unsigned i = 0; i < 7; i++) {
		assert_int_equal(pthread_join(probes[i].tid, NULL), 0);
		registered += probes[i].registered;
	}
	pthread_barrier_destroy(&bar);
	assert_int_equal(registered, 6);
	/* the teardown frees the orphans the auditor left; ASan's leak check sees
	 * anything else */
}

static int names_setup(void **state)
{
	(void)state;
	return names_init() ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_readers_never_see_torn_or_stale_entries_under_eviction, fixture_setup,
			fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_registration_churn_hands_entries_over_without_loss_or_leak,
			fixture_setup, fixture_teardown),
	};
	return cmocka_run_group_tests(tests, names_setup, NULL);
}
