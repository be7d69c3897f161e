/* cache_bench: lookups per second per reader thread in the shared cache
 * (cache/cache.h: its own set-associative index, entries under QSBR) beside DPDK's lock-free rte_hash looking
 * up the same keys in the same run, 1 and 2 readers with a writer replacing
 * entries meanwhile, at 1e5 and 1e7 entries; and the memory one cached A RRset
 * with its RRSIG costs.
 *
 * Usage: cache_bench [--seconds N] [--small] [--entries N] [--write-rate N] [--json]
 *
 *   --seconds N     time of each measured cell (side x readers x key set), run as
 *                   100 ms slices in rounds (default 3)
 *   --small         1e5 entries only (the `meson test --benchmark` run)
 *   --entries N     N entries only (e.g. under perf)
 *   --write-rate N  replacements per second by the writer (default 4000; 0: none)
 *   --json          one JSON object per line instead of the table: per entry
 *                   count a "memory" line (bytes per entry, populate times, footer
 *                   figures), then one line per readers x key set
 *
 * Data. Entry i is the A RRset of "h<i>.example<i mod 1000>.com." IN (one
 * address) with one RRSIG (ECDSAP256SHA256: 18 octets of fixed fields, the signer
 * "example<k>.com.", 64 octets of signature; 96-98 octets of RDATA), built as a
 * DNS message with dns/build.h, parsed with tw_dns_msg_parse and stored with
 * tw_cache_rrset_insert (TTL 86400: nothing expires during the run). rte_hash
 * holds the same keys in fixed-size form (32 octets: the lower-case wire name
 * zero-padded to 28, type, class) in a table of 1.25 x entries made with
 * RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF and rte_hash_crc; each key's data points
 * to a malloc'd record holding what ours stores (expiry, counts, the same
 * length-prefixed RDATA): a cache built on rte_hash keeps its values somewhere.
 *
 * Lookups. A reader loops over a key set: "hot" is 1024 keys spread over the
 * population (a working set that fits the CPU caches; the headline), "uniform"
 * walks every key in a scattered order (memory-bound at 1e7). Ours:
 * tw_cache_rrset_lookup_n given the wire name in any case and its length, as
 * the parser hands a question over (the key built: lower-cased, keyed hash;
 * index lookup; the RRset view), with tw_cache_quiescent every 64 lookups;
 * the verification before timing uses tw_cache_rrset_lookup (labels walked);
 * ours-burst (extra column) is tw_cache_rrset_lookup_burst, 32 keys per call,
 * their lengths given. rte: rte_hash_lookup_data on the key already in fixed
 * form (no key building: the strict baseline), then the record's expiry and
 * counts are read as ours reads them; no RCU is charged to it (nothing is
 * deleted). Every hit is checked (unexpired, one A, one RRSIG) and
 * misses are counted: there must be none, the writer's replacements included.
 * rte-bulk (extra column) is rte_hash_lookup_bulk_data, 32 keys per call.
 * Before timing, every key is looked up once on both sides and its RDATA compared
 * with what was inserted.
 *
 * Writer. One thread replaces existing entries of the key set being measured in
 * the table being measured (ours: a message built, parsed and inserted, then
 * tw_cache_maintain(64), offline while it sleeps; rte: rte_hash_add_key_data of
 * the existing key with another record), 16 per batch with sleeps between to
 * hold --write-rate, so it does not take a core from the readers (2 readers and
 * the writer share a 2-core machine). It also populates both tables before the
 * timing, one after the other, which is timed too (ours: each message built,
 * parsed and inserted; rte: each record made and added).
 *
 * Threads. Reader i is pinned to the i-th CPU the process may use (as DPDK
 * workers are pinned to lcores; unpinned, the scheduler of this VM sometimes
 * stacks both readers on one CPU); the writer and the main thread float.
 *
 * Timing. Per entry count, every round runs each of the 12 cells for one slice,
 * in an order rotating from round to round, so ours and rte_hash see the same
 * machine; a figure is the median over the rounds of lookups/s per reader thread
 * (each thread's lookups over its own wall time, averaged over the readers).
 *   ratio   = ours / rte (single lookups): higher is better for us; goal >= 0.8
 *             on hot keys.
 *   scaling = per-thread rate with 2 readers / with 1 reader, per side; goal
 *             >= 0.9 (a second reader core adds at least 90 % of one).
 * The footer prints the largest interquartile spread over the median (above
 * ~10 %: rerun with more --seconds), the smallest over cells of the median share
 * of a CPU a reader got while timed (below ~90 % other work, or the hypervisor,
 * took the CPU: the 2-reader figures and the scaling are then low), the writer's
 * actual rates, and how many entries the writer replaced in ours are still
 * owned (held and counted against the memory limit) at the end, waiting for the
 * owner's maintenance sweep to pass them.
 *
 * Memory per entry (an A RRset with its RRSIG). Ours: tw_cache_stats bytes /
 * entries (what conf.mem_limit counts: allocation size + 8) and the process RSS
 * growth while populating / entries; beside them the index (allocated and
 * zeroed at creation, sized from the memory limit: the bench sets 512 octets of
 * limit per entry) / entries. rte: DPDK heap
 * growth (buckets, key store, free-slot ring) + the records' malloc usable sizes,
 * and the RSS growth, per entry.
 *
 * Each entry count's figures are printed before its tables are freed. Exit
 * status 1 on any miss or wrong RRset for a present key, or any insert, rte_hash
 * or EAL failure. The speed goals are reported, not asserted.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "cache/cache.h"
#include "dns/build.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"

#define KEY_LEN 32        /* rte_hash key: name, zeros, type, class */
#define NAME_ROOM 28      /* name octets at most in a key */
#define ZONES 1000
#define HOT 1024
#define BATCH 64          /* lookups between quiescent states and stop checks */
#define BULK 32
#define WRITE_BATCH 16
#define SPARES 256
#define SLICE 0.1         /* seconds */
#define READERS 2
#define TTL 86400u
#define DAY 86400u
#define MAX_ENTRIES 100000000u

enum side { SIDE_OURS, SIDE_RTE, SIDE_BULK, SIDE_BURST, SIDES, SIDE_VERIFY = SIDES, SIDE_EXIT };
enum keyset_id { KEYS_HOT, KEYS_UNIFORM, KEYSETS };
#define CELLS (KEYSETS * READERS * SIDES)

static const char *const side_name[SIDES] = { "ours", "rte", "rte-bulk", "ours-burst" };
static const char *const keys_name[KEYSETS] = { "hot", "uniform" };

/* A key as rte_hash takes it; its first octets are the wire name ours takes. */
struct bkey {
	uint8_t b[KEY_LEN];
};

/* The rte_hash side's value: an RRset as ours stores it. */
struct rec {
	uint32_t expires;
	uint16_t count, sig_count;
	uint32_t data_len;
	uint8_t data[];
};

/* What a reader walks: n keys from k, stepping by stride (coprime with n). */
struct keyset {
	const struct bkey *k;
	const uint8_t *len;  /* each key's name length, as a parser hands it over */
	size_t n, stride;
};

/* A slice's count of lookups, misses and wrong RRsets. */
struct tally {
	uint64_t n, miss, bad;
};

struct phase;

/* A reader thread and the outcome of its last slice. */
struct reader {
	pthread_t th;
	unsigned id;
	struct phase *p;
	struct tw_cache_thread *t;
	unsigned long slices;
	struct tally last;   /* the last slice's */
	double wall, cpu;
	bool failed;
} __attribute__((aligned(64)));

/* One entry count: keys, both tables, and what populating them cost. */
struct phase {
	size_t n;
	uint32_t now;
	uint32_t write_rate;
	struct bkey *keys;
	struct bkey *hot;
	size_t hot_idx[HOT];
	uint8_t hot_len[HOT];
	uint8_t *keys_len;
	struct keyset ks[KEYSETS];
	struct tw_cache *cache;
	struct rte_hash *rh;
	struct rec **recs;
	struct rec *spare[SPARES];
	pthread_barrier_t wready;
	/* population, filled by the writer */
	double ours_pop_s, rte_pop_s;
	uint64_t ours_entries, ours_bytes, ours_rss, ours_index;
	uint64_t rte_heap, rte_rec_bytes, rte_rss;
	uint64_t writes[2];  /* replacements: ours, rte */
	const char *fail;
};

/* The CPUs the process may use (before EAL pinned the main thread). */
static cpu_set_t allowed_cpus;

/* The main thread's commands to readers and writer. */
static struct {
	pthread_barrier_t start, done;
	int side, keys;
	unsigned active;
	int stop;
	int writer_exit;
} ctl;

/* ---- small helpers ---------------------------------------------------------------- */

/* Monotonic clock in seconds. */
static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the calling thread in seconds. */
static double thread_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sleeps s seconds (interrupted sleeps resume). */
static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Reports a fatal setup error and leaves. */
static void die(const char *what)
{
	fprintf(stderr, "cache_bench: %s\n", what);
	exit(1);
}

/* Resident set size of the process in bytes. */
static uint64_t rss_bytes(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* RSS once it stops moving (frees run on the call_rcu thread). */
static uint64_t settled_rss(void)
{
	uint64_t prev = rss_bytes();
	for (int i = 0; i < 40; i++) {
		sleep_s(0.05);
		uint64_t cur = rss_bytes();
		if (cur == prev)
			break;
		prev = cur;
	}
	return prev;
}

/* Bytes allocated from DPDK's heaps, every socket. */
static uint64_t dpdk_heap_bytes(void)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

/* xorshift64 step. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Greatest common divisor. */
static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t r = a % b;
		a = b;
		b = r;
	}
	return a;
}

/* Big-endian stores. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* ---- the data ----------------------------------------------------------------------- */

/* Key i: "h<i>.example<i mod ZONES>.com." as a wire name, zeros, A, IN. */
static void make_key(struct bkey *k, size_t i)
{
	char host[24], zone[24];
	int lh = snprintf(host, sizeof(host), "h%zu", i);
	int lz = snprintf(zone, sizeof(zone), "example%zu", i % ZONES);
	uint8_t *p = k->b;
	memset(k, 0, sizeof(*k));
	*p++ = (uint8_t)lh;
	memcpy(p, host, (size_t)lh);
	p += lh;
	*p++ = (uint8_t)lz;
	memcpy(p, zone, (size_t)lz);
	p += lz;
	*p++ = 3;
	memcpy(p, "com", 3);
	p += 3;
	*p = 0;
	put16(k->b + NAME_ROOM, TW_DNS_T_A);
	put16(k->b + NAME_ROOM + 2, TW_DNS_C_IN);
}

/* The RRSIG RDATA over key i's A RRset (signer: the name's parent). */
static size_t rrsig_rdata(uint8_t *out, const uint8_t *name, size_t i, uint32_t now)
{
	const uint8_t *signer = name + 1 + name[0];
	size_t sl = tw_dns_name_len(signer);
	put16(out, TW_DNS_T_A);
	out[2] = 13; /* ECDSAP256SHA256 */
	out[3] = 3;  /* labels */
	put32(out + 4, TTL);
	put32(out + 8, now + 30 * DAY);
	put32(out + 12, now - DAY);
	put16(out + 16, (uint16_t)(i % ZONES * 7 + 1));
	memcpy(out + 18, signer, sl);
	uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull + 1;
	for (size_t j = 0; j < 64; j++)
		out[18 + sl + j] = (uint8_t)(rnd(&x) >> 24);
	return 18 + sl + 64;
}

/* Key i's address. */
static void a_rdata(uint8_t *out, size_t i)
{
	out[0] = 10;
	out[1] = (uint8_t)(i >> 16);
	out[2] = (uint8_t)(i >> 8);
	out[3] = (uint8_t)i;
}

/* The stored form of key i's RRset: each RDATA with a 2-octet length. */
static size_t stored_data(uint8_t *out, const uint8_t *name, size_t i, uint32_t now)
{
	put16(out, 4);
	a_rdata(out + 2, i);
	size_t sl = rrsig_rdata(out + 8, name, i, now);
	put16(out + 6, (uint16_t)sl);
	return 8 + sl;
}

/* Parses a response for key i (A + RRSIG) and inserts its RRset into our cache. */
static int ours_insert(struct tw_cache_thread *t, const uint8_t *name, size_t i, uint32_t now)
{
	uint8_t buf[512], a[4], sig[160];
	struct tw_dns_build b;
	a_rdata(a, i);
	size_t sl = rrsig_rdata(sig, name, i, now);
	if (tw_dns_build_init(&b, buf, sizeof(buf), sizeof(buf), (uint16_t)i,
			      TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA, 0) != 0 ||
	    tw_dns_build_question(&b, name, TW_DNS_T_A, TW_DNS_C_IN) != 0 ||
	    tw_dns_build_rr(&b, TW_DNS_SEC_AN, name, TW_DNS_T_A, TW_DNS_C_IN, TTL, a, 4) != 0 ||
	    tw_dns_build_rr(&b, TW_DNS_SEC_AN, name, TW_DNS_T_RRSIG, TW_DNS_C_IN, TTL, sig,
			    (uint16_t)sl) != 0)
		return -1;
	size_t len = tw_dns_build_finish(&b);
	struct tw_dns_rr rrs[4];
	struct tw_dns_msg m;
	if (tw_dns_msg_parse(&m, buf, len, rrs, 4) != 0 || m.rr_count != 2)
		return -1;
	uint16_t idx = 0, sidx = 1;
	return tw_cache_rrset_insert(t, &m, &idx, 1, &sidx, 1, TW_CACHE_SECURE, TW_EDE_NONE, NULL,
				     TTL, now);
}

/* A record for the rte_hash side holding key i's RRset. */
static struct rec *new_rec(const uint8_t *name, size_t i, uint32_t now)
{
	uint8_t data[256];
	size_t len = stored_data(data, name, i, now);
	struct rec *r = malloc(sizeof(*r) + len);
	if (!r)
		die("out of memory");
	r->expires = now + TTL;
	r->count = 1;
	r->sig_count = 1;
	r->data_len = (uint32_t)len;
	memcpy(r->data, data, len);
	return r;
}

/* ---- the timed loops ------------------------------------------------------------------ */

/* Our single lookups over ks from position i until told to stop. */
static __attribute__((noinline)) void loop_ours(struct tw_cache_thread *t, const struct keyset *ks,
						size_t i, uint32_t now, struct tally *out)
{
	const struct bkey *k = ks->k;
	const uint8_t *kl = ks->len;
	const size_t n = ks->n, stride = ks->stride;
	uint64_t done = 0, miss = 0, bad = 0;
	while (!__atomic_load_n(&ctl.stop, __ATOMIC_RELAXED)) {
		for (unsigned j = 0; j < BATCH; j++) {
			struct tw_cache_rrset rs;
			if (!tw_cache_rrset_lookup_n(t, k[i].b, kl[i], TW_DNS_T_A, TW_DNS_C_IN, now,
						     &rs))
				miss++;
			else if (rs.count != 1 || rs.sig_count != 1 || rs.ttl == 0)
				bad++;
			i += stride;
			if (i >= n)
				i -= n;
		}
		done += BATCH;
		tw_cache_quiescent(t);
	}
	out->n = done;
	out->miss = miss;
	out->bad = bad;
}

/* Our burst lookups (tw_cache_rrset_lookup_burst), BULK keys per call, over ks
 * from position i: the counterpart of rte_hash_lookup_bulk_data. */
static __attribute__((noinline)) void loop_ours_burst(struct tw_cache_thread *t,
						      const struct keyset *ks, size_t i,
						      uint32_t now, struct tally *out)
{
	const struct bkey *k = ks->k;
	const uint8_t *kl = ks->len;
	const size_t n = ks->n, stride = ks->stride;
	uint64_t done = 0, miss = 0, bad = 0;
	while (!__atomic_load_n(&ctl.stop, __ATOMIC_RELAXED)) {
		for (unsigned j = 0; j < BATCH; j += BULK) {
			struct tw_cache_rrset_key q[BULK];
			struct tw_cache_rrset rs[BULK];
			for (unsigned b = 0; b < BULK; b++) {
				q[b] = (struct tw_cache_rrset_key){ k[i].b, TW_DNS_T_A, TW_DNS_C_IN,
								    kl[i] };
				i += stride;
				if (i >= n)
					i -= n;
			}
			uint32_t hits = tw_cache_rrset_lookup_burst(t, q, BULK, now, rs);
			for (unsigned b = 0; b < BULK; b++) {
				if (!(hits >> b & 1))
					miss++;
				else if (rs[b].count != 1 || rs[b].sig_count != 1 || rs[b].ttl == 0)
					bad++;
			}
		}
		done += BATCH;
		tw_cache_quiescent(t);
	}
	out->n = done;
	out->miss = miss;
	out->bad = bad;
}

/* Checks an rte_hash hit as ours checks its view. */
static inline bool rec_ok(const struct rec *r, uint32_t now)
{
	return r->count == 1 && r->sig_count == 1 && (int32_t)(r->expires - now) > 0;
}

/* rte_hash single lookups over ks from position i until told to stop. */
static __attribute__((noinline)) void loop_rte(const struct rte_hash *h, const struct keyset *ks,
					       size_t i, uint32_t now, struct tally *out)
{
	const struct bkey *k = ks->k;
	const size_t n = ks->n, stride = ks->stride;
	uint64_t done = 0, miss = 0, bad = 0;
	while (!__atomic_load_n(&ctl.stop, __ATOMIC_RELAXED)) {
		for (unsigned j = 0; j < BATCH; j++) {
			void *d;
			if (rte_hash_lookup_data(h, k[i].b, &d) < 0)
				miss++;
			else if (!rec_ok(d, now))
				bad++;
			i += stride;
			if (i >= n)
				i -= n;
		}
		done += BATCH;
	}
	out->n = done;
	out->miss = miss;
	out->bad = bad;
}

/* rte_hash bulk lookups, BULK keys per call, over ks from position i. */
static __attribute__((noinline)) void loop_bulk(const struct rte_hash *h, const struct keyset *ks,
						size_t i, uint32_t now, struct tally *out)
{
	const struct bkey *k = ks->k;
	const size_t n = ks->n, stride = ks->stride;
	uint64_t done = 0, miss = 0, bad = 0;
	while (!__atomic_load_n(&ctl.stop, __ATOMIC_RELAXED)) {
		for (unsigned j = 0; j < BATCH; j += BULK) {
			const void *kp[BULK];
			void *d[BULK];
			uint64_t hits = 0;
			for (unsigned b = 0; b < BULK; b++) {
				kp[b] = k[i].b;
				i += stride;
				if (i >= n)
					i -= n;
			}
			int got = rte_hash_lookup_bulk_data(h, kp, BULK, &hits, d);
			miss += BULK - (unsigned)(got < 0 ? 0 : got);
			for (unsigned b = 0; b < BULK; b++)
				if ((hits >> b & 1) && !rec_ok(d[b], now))
					bad++;
		}
		done += BATCH;
	}
	out->n = done;
	out->miss = miss;
	out->bad = bad;
}

/* Every key once on both sides, RDATA compared with what was inserted. */
static void verify_all(struct reader *r)
{
	struct phase *p = r->p;
	uint8_t want[256];
	struct tally tl = { 0 };
	if (!r->t) {
		r->failed = true;
		return;
	}
	tw_cache_thread_online(r->t);
	for (size_t i = 0; i < p->n; i++) {
		const uint8_t *name = p->keys[i].b;
		size_t wl = stored_data(want, name, i, p->now);
		struct tw_cache_rrset rs;
		void *d;
		tl.n += 2;
		if (!tw_cache_rrset_lookup(r->t, name, TW_DNS_T_A, TW_DNS_C_IN, p->now, &rs))
			tl.miss++;
		else if (rs.count != 1 || rs.sig_count != 1 || rs.data_len != wl ||
			 memcmp(rs.data, want, wl) != 0 || !tw_dns_name_equal(rs.owner, name))
			tl.bad++;
		if (rte_hash_lookup_data(p->rh, name, &d) < 0)
			tl.miss++;
		else if (((struct rec *)d)->data_len != wl ||
			 memcmp(((struct rec *)d)->data, want, wl) != 0)
			tl.bad++;
		if ((i & 255) == 255)
			tw_cache_quiescent(r->t);
	}
	tw_cache_thread_offline(r->t);
	r->last = tl;
}

/* One slice of `side` on key set `keys` (the verification pass for SIDE_VERIFY). */
static void run_slice(struct reader *r, int side, int keys)
{
	struct phase *p = r->p;
	const struct keyset *ks = &p->ks[keys];
	memset(&r->last, 0, sizeof(r->last));
	r->wall = r->cpu = 0;
	if (side == SIDE_VERIFY) {
		verify_all(r);
		return;
	}
	bool ours = side == SIDE_OURS || side == SIDE_BURST;
	if (ours && !r->t) {
		r->failed = true;
		return;
	}
	uint32_t now = (uint32_t)time(NULL);
	size_t start = (r->id * (ks->n / READERS) + r->slices++ * 131) % ks->n;
	if (ours)
		tw_cache_thread_online(r->t);
	double w0 = seconds_now(), c0 = thread_cpu();
	if (side == SIDE_OURS)
		loop_ours(r->t, ks, start, now, &r->last);
	else if (side == SIDE_BURST)
		loop_ours_burst(r->t, ks, start, now, &r->last);
	else if (side == SIDE_RTE)
		loop_rte(p->rh, ks, start, now, &r->last);
	else
		loop_bulk(p->rh, ks, start, now, &r->last);
	r->wall = seconds_now() - w0;
	r->cpu = thread_cpu() - c0;
	if (ours)
		tw_cache_thread_offline(r->t);
}

/* Pins reader `id` to the id-th allowed CPU, as a DPDK worker is pinned to its
 * lcore, when there is one CPU per reader (else the scheduler may stack two
 * readers on one CPU for a while and halve both). */
static void pin_reader(unsigned id)
{
	if (CPU_COUNT(&allowed_cpus) < READERS)
		return;
	for (int cpu = 0, seen = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed_cpus))
			continue;
		if ((unsigned)seen++ == id) {
			cpu_set_t one;
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
			return;
		}
	}
}

/* A reader: registered with the cache for the whole phase, offline between
 * slices, runs the slices it is told to. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	pin_reader(r->id);
	r->t = tw_cache_thread_register(r->p->cache);
	if (r->t)
		tw_cache_thread_offline(r->t);
	for (;;) {
		pthread_barrier_wait(&ctl.start);
		int side = __atomic_load_n(&ctl.side, __ATOMIC_RELAXED);
		if (side == SIDE_EXIT)
			break;
		if (r->id < __atomic_load_n(&ctl.active, __ATOMIC_RELAXED))
			run_slice(r, side, __atomic_load_n(&ctl.keys, __ATOMIC_RELAXED));
		pthread_barrier_wait(&ctl.done);
	}
	if (r->t) {
		tw_cache_thread_online(r->t);
		tw_cache_thread_unregister(r->t);
	}
	return NULL;
}

/* ---- the writer ------------------------------------------------------------------------ */

/* Fills our cache with every key; measures time, accounted bytes and RSS. */
static int populate_ours(struct phase *p, struct tw_cache_thread *t)
{
	uint64_t rss0 = rss_bytes();
	double t0 = seconds_now();
	for (size_t i = 0; i < p->n; i++) {
		if (ours_insert(t, p->keys[i].b, i, p->now) != 0) {
			p->fail = "tw_cache_rrset_insert failed while populating";
			return -1;
		}
		if ((i & 255) == 255)
			tw_cache_quiescent(t);
	}
	p->ours_pop_s = seconds_now() - t0;
	tw_cache_thread_offline(t);
	uint64_t rss1 = settled_rss();
	struct tw_cache_stats st;
	tw_cache_stats(p->cache, &st);
	p->ours_entries = st.kind[TW_CACHE_KIND_RRSET].entries;
	p->ours_bytes = st.kind[TW_CACHE_KIND_RRSET].bytes;
	p->ours_index = st.index_bytes;
	p->ours_rss = rss1 > rss0 ? rss1 - rss0 : 0;
	return 0;
}

/* Fills rte_hash with every key and a record each; time, heap and RSS growth. */
static int populate_rte(struct phase *p)
{
	uint64_t rss0 = rss_bytes(), heap0 = dpdk_heap_bytes(), recb = 0;
	double t0 = seconds_now();
	for (size_t i = 0; i < p->n; i++) {
		p->recs[i] = new_rec(p->keys[i].b, i, p->now);
		recb += malloc_usable_size(p->recs[i]);
		int rc = rte_hash_add_key_data(p->rh, p->keys[i].b, p->recs[i]);
		if (rc != 0) {
			fprintf(stderr, "cache_bench: rte_hash_add_key_data, entry %zu: %s\n", i,
				rte_strerror(-rc));
			p->fail = "rte_hash_add_key_data failed while populating";
			return -1;
		}
	}
	p->rte_pop_s = seconds_now() - t0;
	uint64_t rss1 = settled_rss();
	p->rte_heap += dpdk_heap_bytes() - heap0;
	p->rte_rec_bytes = recb;
	p->rte_rss += rss1 > rss0 ? rss1 - rss0 : 0;
	return 0;
}

static bool side_is_ours(int side)
{
	return side == SIDE_OURS || side == SIDE_BURST;
}

/* One batch of replacements of existing keys in the table being measured. */
static void write_batch(struct phase *p, struct tw_cache_thread *t, int side, int keys,
			uint64_t *x)
{
	uint32_t now = (uint32_t)time(NULL);
	if (side_is_ours(side))
		tw_cache_thread_online(t);
	for (unsigned j = 0; j < WRITE_BATCH && !p->fail; j++) {
		uint64_t v = rnd(x);
		size_t i = keys == KEYS_HOT ? p->hot_idx[v % HOT] : (size_t)(v % p->n);
		if (side_is_ours(side)) {
			if (ours_insert(t, p->keys[i].b, i, now) != 0)
				p->fail = "tw_cache_rrset_insert failed while replacing";
		} else if (rte_hash_add_key_data(p->rh, p->keys[i].b,
						 p->spare[(v >> 32) % SPARES]) != 0) {
			p->fail = "rte_hash_add_key_data failed while replacing";
		}
	}
	p->writes[side_is_ours(side) ? 0 : 1] += WRITE_BATCH;
	if (side_is_ours(side)) {
		tw_cache_maintain(t, now, 64);
		tw_cache_thread_offline(t);
	}
}

/* The writer: populates both tables, then replaces entries at the configured rate
 * in whichever table the readers are measuring, until told to stop. */
static void *writer_main(void *arg)
{
	struct phase *p = arg;
	struct tw_cache_thread *t = tw_cache_thread_register(p->cache);
	if (!t)
		p->fail = "tw_cache_thread_register failed (writer)";
	if (t && populate_ours(p, t) == 0)
		populate_rte(p);
	pthread_barrier_wait(&p->wready);
	uint64_t x = 0x2545F4914F6CDD1Dull;
	double nap = p->write_rate ? (double)WRITE_BATCH / p->write_rate : 0.01;
	while (!__atomic_load_n(&ctl.writer_exit, __ATOMIC_ACQUIRE)) {
		int side = __atomic_load_n(&ctl.side, __ATOMIC_RELAXED);
		int keys = __atomic_load_n(&ctl.keys, __ATOMIC_RELAXED);
		if (t && !p->fail && p->write_rate && side < SIDES)
			write_batch(p, t, side, keys, &x);
		sleep_s(nap);
	}
	if (t) {
		tw_cache_thread_online(t);
		tw_cache_thread_unregister(t);
	}
	return NULL;
}

/* ---- the main thread --------------------------------------------------------------------- */

/* Median and relative interquartile spread of a cell's samples. */
struct cell_stats {
	double med, iqr;
};

/* Median and interquartile spread over the median of v[0..n) (sorted here). */
static struct cell_stats summarize(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double tmp = v[j];
			v[j] = v[j - 1];
			v[j - 1] = tmp;
		}
	struct cell_stats s = { 0, 0 };
	if (!n)
		return s;
	s.med = n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	if (s.med > 0)
		s.iqr = (v[(3 * n) / 4 < n ? (3 * n) / 4 : n - 1] - v[n / 4]) / s.med;
	return s;
}

/* A cell's totals over its slices. */
struct cell_result {
	double wall_total;   /* time the cell ran */
	uint64_t misses, bad;
};

/* Runs one slice on `active` readers and returns lookups/s per reader thread;
 * *share: the smallest share of a CPU one of them had. */
static double run_cell(struct reader *rd, int side, int keys, unsigned active, double secs,
		       struct cell_result *cr, double *share)
{
	__atomic_store_n(&ctl.side, side, __ATOMIC_RELAXED);
	__atomic_store_n(&ctl.keys, keys, __ATOMIC_RELAXED);
	__atomic_store_n(&ctl.active, active, __ATOMIC_RELAXED);
	__atomic_store_n(&ctl.stop, 0, __ATOMIC_RELAXED);
	pthread_barrier_wait(&ctl.start);
	if (secs > 0)
		sleep_s(secs);
	__atomic_store_n(&ctl.stop, 1, __ATOMIC_RELAXED);
	pthread_barrier_wait(&ctl.done);
	double rate = 0;
	*share = 1;
	for (unsigned a = 0; a < active; a++) {
		struct reader *r = &rd[a];
		if (r->failed)
			cr->bad++;
		cr->misses += r->last.miss;
		cr->bad += r->last.bad;
		if (r->wall > 0) {
			rate += (double)r->last.n / r->wall;
			if (r->cpu / r->wall < *share)
				*share = r->cpu / r->wall;
			cr->wall_total += r->wall / active;
		}
	}
	return rate / active;
}

/* Options. */
struct opts {
	double seconds;
	bool json;
	uint32_t write_rate;
};

/* What a phase reports. */
struct phase_out {
	size_t n;
	struct cell_stats cell[CELLS];
	double ours_pop_s, rte_pop_s;
	double ours_acct, ours_rss, ours_index, rte_acct, rte_heap, rte_recs, rte_rss; /* per entry */
	double share, max_iqr;    /* smallest median CPU share of a cell's readers */
	double write_rate[2];
	uint64_t unfreed;         /* replaced entries still owned at the end */
};

/* Cell index. */
static unsigned cell_of(int keys, unsigned readers, int side)
{
	return ((unsigned)keys * READERS + (readers - 1)) * SIDES + (unsigned)side;
}

/* Keys, hot set and strides of a phase of n entries. */
static void make_keys(struct phase *p)
{
	size_t n = p->n;
	p->keys = aligned_alloc(64, n * sizeof(struct bkey));
	p->hot = aligned_alloc(64, HOT * sizeof(struct bkey));
	p->keys_len = malloc(n);
	p->recs = calloc(n, sizeof(*p->recs));
	if (!p->keys || !p->hot || !p->recs || !p->keys_len)
		die("out of memory for the keys");
	for (size_t i = 0; i < n; i++) {
		make_key(&p->keys[i], i);
		p->keys_len[i] = (uint8_t)tw_dns_name_len(p->keys[i].b);
	}
	/* hot keys spread evenly over the population, copied together */
	for (size_t j = 0; j < HOT; j++) {
		p->hot_idx[j] = n >= HOT ? j * (n / HOT) + (j * 7) % (n / HOT) : j % n;
		p->hot[j] = p->keys[p->hot_idx[j]];
		p->hot_len[j] = p->keys_len[p->hot_idx[j]];
	}
	size_t stride = (size_t)((double)n * 0.6180339887);
	if (stride == 0)
		stride = 1;
	while (gcd(stride, n) != 1)
		stride++;
	p->ks[KEYS_HOT] = (struct keyset){ p->hot, p->hot_len, n >= HOT ? HOT : n, 1 };
	p->ks[KEYS_UNIFORM] = (struct keyset){ p->keys, p->keys_len, n,
					       stride % n ? stride % n : 1 };
	uint8_t name[TW_DNS_NAME_MAXLEN] = { 1, 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3,
					     'c', 'o', 'm', 0 };
	for (unsigned j = 0; j < SPARES; j++)
		p->spare[j] = new_rec(name, j, p->now);
}

/* Frees what make_keys and the population made. */
static void free_keys(struct phase *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->recs[i]);
	for (unsigned j = 0; j < SPARES; j++)
		free(p->spare[j]);
	free(p->recs);
	free(p->hot);
	free(p->keys);
	free(p->keys_len);
}

static void print_phase(const struct phase_out *po, bool json);

/* A phase: both tables with n entries, the verification, the rounds of cells;
 * prints its figures before tearing down. Returns the number of failures. */
static int run_phase(size_t n, const struct opts *o, struct phase_out *out)
{
	int fails = 0;
	struct phase *p = calloc(1, sizeof(*p));
	if (!p)
		die("out of memory");
	p->n = n;
	p->now = (uint32_t)time(NULL);
	p->write_rate = o->write_rate;
	memset(out, 0, sizeof(*out));
	out->n = n;
	double t0 = seconds_now();
	make_keys(p);
	fprintf(stderr, "cache_bench: %zu entries: keys made in %.1f s; populating\n", n,
		seconds_now() - t0);

	struct tw_cache_conf conf;
	char err[256];
	tw_cache_conf_init(&conf);
	conf.mem_limit = (uint64_t)n * 512 > (256ull << 20) ? (uint64_t)n * 512 : 256ull << 20;
	conf.max_threads = 8;
	p->cache = tw_cache_new(&conf, err, sizeof(err));
	if (!p->cache)
		die(err);

	char hname[32];
	snprintf(hname, sizeof(hname), "cache_bench_%zu", n);
	struct rte_hash_parameters hp = {
		.name = hname,
		.entries = (uint32_t)(n + n / 4 > 1024 ? n + n / 4 : 1024),
		.key_len = KEY_LEN,
		.hash_func = rte_hash_crc,
		.hash_func_init_val = 0,
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	uint64_t rss0 = rss_bytes(), heap0 = dpdk_heap_bytes();
	p->rh = rte_hash_create(&hp);
	if (!p->rh) {
		fprintf(stderr, "cache_bench: rte_hash_create for %u entries failed: %s "
			"(EAL -m too small?)\n", hp.entries, rte_strerror(rte_errno));
		exit(1);
	}
	p->rte_heap = dpdk_heap_bytes() - heap0;
	uint64_t rss1 = rss_bytes();
	p->rte_rss = rss1 > rss0 ? rss1 - rss0 : 0;

	/* the writer populates both tables, then waits for the readers */
	pthread_t wth;
	pthread_barrier_init(&p->wready, NULL, 2);
	__atomic_store_n(&ctl.writer_exit, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ctl.side, SIDE_VERIFY, __ATOMIC_RELAXED);
	if (pthread_create(&wth, NULL, writer_main, p) != 0)
		die("pthread_create");
	pthread_barrier_wait(&p->wready);
	if (p->fail) {
		fprintf(stderr, "cache_bench: %s\n", p->fail);
		exit(1);
	}
	out->ours_pop_s = p->ours_pop_s;
	out->rte_pop_s = p->rte_pop_s;
	out->ours_acct = (double)p->ours_bytes / (double)p->ours_entries;
	out->ours_index = (double)p->ours_index / (double)p->ours_entries;
	out->ours_rss = (double)p->ours_rss / (double)n;
	out->rte_heap = (double)p->rte_heap / (double)n;
	out->rte_recs = (double)p->rte_rec_bytes / (double)n;
	out->rte_acct = out->rte_heap + out->rte_recs;
	out->rte_rss = (double)p->rte_rss / (double)n;
	fprintf(stderr, "cache_bench: %zu entries: populated ours in %.2f s (%.0f/s), rte_hash in "
		"%.2f s (%.0f/s)\n", n, p->ours_pop_s, (double)n / p->ours_pop_s, p->rte_pop_s,
		(double)n / p->rte_pop_s);
	if (p->ours_entries != n) {
		fprintf(stderr, "cache_bench: our cache holds %llu entries, not %zu\n",
			(unsigned long long)p->ours_entries, n);
		fails++;
	}

	static struct reader rd[READERS];
	pthread_barrier_init(&ctl.start, NULL, READERS + 1);
	pthread_barrier_init(&ctl.done, NULL, READERS + 1);
	for (unsigned a = 0; a < READERS; a++) {
		memset(&rd[a], 0, sizeof(rd[a]));
		rd[a].id = a;
		rd[a].p = p;
		if (pthread_create(&rd[a].th, NULL, reader_main, &rd[a]) != 0)
			die("pthread_create");
	}

	/* every key once on both sides before timing */
	struct cell_result vr = { 0, 0, 0 };
	double share;
	t0 = seconds_now();
	run_cell(rd, SIDE_VERIFY, KEYS_UNIFORM, 1, 0, &vr, &share);
	if (vr.misses || vr.bad || rd[0].failed) {
		fprintf(stderr, "cache_bench: verification of %zu keys: %llu misses, %llu wrong "
			"RRsets%s\n", n, (unsigned long long)vr.misses, (unsigned long long)vr.bad,
			rd[0].failed ? " (reader registration failed)" : "");
		fails++;
	}
	fprintf(stderr, "cache_bench: %zu entries: verified in %.1f s; measuring %d cells x "
		"%.1f s\n", n, seconds_now() - t0, CELLS, o->seconds);

	unsigned rounds = (unsigned)(o->seconds / SLICE + 0.5);
	if (rounds < 3)
		rounds = 3;
	double *samples = calloc((size_t)CELLS * rounds, sizeof(double));
	double *shares = calloc((size_t)CELLS * rounds, sizeof(double));
	if (!samples || !shares)
		die("out of memory");
	struct cell_result cr[CELLS];
	memset(cr, 0, sizeof(cr));
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned j = 0; j < CELLS; j++) {
			unsigned c = (j + r) % CELLS;
			int side = (int)(c % SIDES);
			unsigned readers = (c / SIDES) % READERS + 1;
			int keys = (int)(c / SIDES / READERS);
			size_t at = (size_t)c * rounds + r;
			samples[at] = run_cell(rd, side, keys, readers, SLICE, &cr[c], &shares[at]);
		}

	__atomic_store_n(&ctl.side, SIDE_EXIT, __ATOMIC_RELAXED);
	pthread_barrier_wait(&ctl.start);
	for (unsigned a = 0; a < READERS; a++)
		pthread_join(rd[a].th, NULL);
	/* the writer is idle now, and still owns what it replaced */
	struct tw_cache_stats st;
	tw_cache_stats(p->cache, &st);
	uint64_t owned = st.kind[TW_CACHE_KIND_RRSET].entries;
	out->unfreed = owned > n ? owned - n : 0;
	__atomic_store_n(&ctl.writer_exit, 1, __ATOMIC_RELEASE);
	pthread_join(wth, NULL);
	if (p->fail) {
		fprintf(stderr, "cache_bench: %s\n", p->fail);
		fails++;
	}

	double time_side[2] = { 0, 0 };
	out->share = 1;
	for (unsigned c = 0; c < CELLS; c++) {
		out->cell[c] = summarize(samples + (size_t)c * rounds, rounds);
		if (out->cell[c].iqr > out->max_iqr)
			out->max_iqr = out->cell[c].iqr;
		struct cell_stats sh = summarize(shares + (size_t)c * rounds, rounds);
		if (sh.med < out->share)
			out->share = sh.med;
		time_side[side_is_ours((int)(c % SIDES)) ? 0 : 1] += cr[c].wall_total;
		if (cr[c].misses || cr[c].bad) {
			fprintf(stderr, "cache_bench: %zu entries, %u reader(s), %s keys, %s: %llu "
				"misses, %llu wrong RRsets\n", n, (c / SIDES) % READERS + 1,
				keys_name[c / SIDES / READERS], side_name[c % SIDES],
				(unsigned long long)cr[c].misses, (unsigned long long)cr[c].bad);
			fails++;
		}
	}
	for (int s = 0; s < 2; s++)
		out->write_rate[s] = time_side[s] > 0 ? (double)p->writes[s] / time_side[s] : 0;
	free(samples);
	free(shares);

	tw_cache_stats(p->cache, &st);
	if (st.kind[TW_CACHE_KIND_RRSET].misses != 0 && !fails) {
		fprintf(stderr, "cache_bench: the cache counted %llu misses\n",
			(unsigned long long)st.kind[TW_CACHE_KIND_RRSET].misses);
		fails++;
	}
	print_phase(out, o->json);
	fflush(stdout);
	t0 = seconds_now();
	tw_cache_free(p->cache);
	rte_hash_free(p->rh);
	free_keys(p);
	pthread_barrier_destroy(&ctl.start);
	pthread_barrier_destroy(&ctl.done);
	pthread_barrier_destroy(&p->wready);
	free(p);
	fprintf(stderr, "cache_bench: %zu entries: freed in %.1f s\n", n, seconds_now() - t0);
	return fails;
}

/* The table (or JSON lines) of one phase. */
static void print_phase(const struct phase_out *po, bool json)
{
	size_t n = po->n;
	if (json) {
		printf("{\"bench\":\"cache\",\"entries\":%zu,\"case\":\"memory\",\"unit\":"
		       "\"bytes/entry\",\"ours_accounted\":%.1f,\"ours_rss\":%.1f,\"ours_index\":%.1f,"
		       "\"rte_accounted\":%.1f,\"rte_heap\":%.1f,\"rte_records\":%.1f,"
		       "\"rte_rss\":%.1f,\"ours_populate_s\":%.3f,\"rte_populate_s\":%.3f,"
		       "\"ours_unfreed\":%llu,\"max_iqr\":%.3f,\"cpu_share\":%.3f}\n",
		       n, po->ours_acct, po->ours_rss, po->ours_index, po->rte_acct, po->rte_heap,
		       po->rte_recs, po->rte_rss, po->ours_pop_s, po->rte_pop_s, (unsigned long long)po->unfreed,
		       po->max_iqr, po->share);
	} else {
		printf("\n%zu entries: populated in %.2f s ours (%.0f/s), %.2f s rte_hash "
		       "(%.0f/s)\n", n, po->ours_pop_s, (double)n / po->ours_pop_s, po->rte_pop_s,
		       (double)n / po->rte_pop_s);
		printf("memory per A RRset + RRSIG: ours %.1f B accounted, %.1f B RSS, + %.1f B "
		       "of index (allocated at creation from the limit); rte_hash "
		       "%.1f B (heap %.1f + record %.1f), %.1f B RSS\n",
		       po->ours_acct, po->ours_rss, po->ours_index, po->rte_acct, po->rte_heap, po->rte_recs,
		       po->rte_rss);
		printf("%-9s %-7s %-8s %13s %13s %6s %14s %14s %6s %9s %9s\n", "entries",
		       "readers", "keys", "ours/s/thr", "rte/s/thr", "ratio", "burst/s/thr",
		       "rte-bulk/s/thr", "ratio", "scal-ours", "scal-rte");
	}
	for (int k = 0; k < KEYSETS; k++)
		for (unsigned r = 1; r <= READERS; r++) {
			double ours = po->cell[cell_of(k, r, SIDE_OURS)].med;
			double rte = po->cell[cell_of(k, r, SIDE_RTE)].med;
			double bulk = po->cell[cell_of(k, r, SIDE_BULK)].med;
			double burst = po->cell[cell_of(k, r, SIDE_BURST)].med;
			double iqr = 0;
			for (int s = 0; s < SIDES; s++)
				if (po->cell[cell_of(k, r, s)].iqr > iqr)
					iqr = po->cell[cell_of(k, r, s)].iqr;
			double so = 0, sr = 0;
			if (r > 1) {
				so = ours / po->cell[cell_of(k, 1, SIDE_OURS)].med;
				sr = rte / po->cell[cell_of(k, 1, SIDE_RTE)].med;
			}
			if (json) {
				char sc[64];
				if (r > 1)
					snprintf(sc, sizeof(sc), "%.3f,\"rte_scaling\":%.3f", so,
						 sr);
				else
					snprintf(sc, sizeof(sc), "null,\"rte_scaling\":null");
				printf("{\"bench\":\"cache\",\"entries\":%zu,\"readers\":%u,"
				       "\"keys\":\"%s\",\"unit\":\"lookups/s/thread\","
				       "\"ours_per_thread\":%.0f,\"rte_per_thread\":%.0f,"
				       "\"rte_bulk_per_thread\":%.0f,\"ratio\":%.3f,"
				       "\"burst_per_thread\":%.0f,\"burst_ratio\":%.3f,"
				       "\"scaling\":%s,\"iqr\":%.3f}\n",
				       n, r, keys_name[k], ours, rte, bulk, ours / rte, burst,
				       burst / bulk, sc, iqr);
			} else if (r > 1) {
				printf("%-9zu %-7u %-8s %13.0f %13.0f %6.3f %14.0f %14.0f %6.3f %9.3f "
				       "%9.3f\n", n, r, keys_name[k], ours, rte, ours / rte, burst, bulk,
				       burst / bulk, so, sr);
			} else {
				printf("%-9zu %-7u %-8s %13.0f %13.0f %6.3f %14.0f %14.0f %6.3f %9s "
				       "%9s\n", n, r, keys_name[k], ours, rte, ours / rte, burst, bulk,
				       burst / bulk, "", "");
			}
		}
	if (!json)
		printf("largest interquartile spread %.1f %%, smallest median reader CPU share "
		       "%.0f %%; writer %.0f/s into ours, %.0f/s into rte_hash; %llu replaced "
		       "entries of ours still awaiting their owner's sweep\n",
		       po->max_iqr * 100, po->share * 100, po->write_rate[0], po->write_rate[1],
		       (unsigned long long)po->unfreed);
}

/* The goals of the issue, met or not, over every phase. */
static void print_goals(const struct phase_out *po, unsigned nph)
{
	printf("\ngoals (reported, not asserted):\n");
	for (unsigned i = 0; i < nph; i++)
		for (unsigned r = 1; r <= READERS; r++) {
			double ratio = po[i].cell[cell_of(KEYS_HOT, r, SIDE_OURS)].med /
				       po[i].cell[cell_of(KEYS_HOT, r, SIDE_RTE)].med;
			printf("  ours/rte_hash >= 0.8 on hot keys, %zu entries, %u reader(s): "
			       "%.3f %s\n", po[i].n, r, ratio, ratio >= 0.8 ? "met" : "NOT met");
			double br = po[i].cell[cell_of(KEYS_HOT, r, SIDE_BURST)].med /
				    po[i].cell[cell_of(KEYS_HOT, r, SIDE_BULK)].med;
			printf("    in bursts of %d (ours-burst/rte-bulk): %.3f %s\n", BULK, br,
			       br >= 0.8 ? "met" : "NOT met");
		}
	for (unsigned i = 0; i < nph; i++)
		for (int k = 0; k < KEYSETS; k++) {
			double s = po[i].cell[cell_of(k, 2, SIDE_OURS)].med /
				   po[i].cell[cell_of(k, 1, SIDE_OURS)].med;
			printf("  scaling >= 0.9 per added reader, %zu entries, %s keys: %.3f %s\n",
			       po[i].n, keys_name[k], s, s >= 0.9 ? "met" : "NOT met");
		}
	for (unsigned i = 0; i < nph; i++)
		printf("  memory per cached A RRset with its RRSIG, %zu entries: %.0f B accounted, "
		       "%.0f B RSS\n", po[i].n, po[i].ours_acct, po[i].ours_rss);
}

/* EAL with its main thread's CPU affinity given back (rte_eal_init pins it to
 * lcore 0, and every thread created after would inherit that). */
static void eal_start(size_t max_entries)
{
	/* buckets (8 per 64 octets), key store (48 octets), free-slot ring (4),
	 * doubled, plus room for EAL itself */
	uint64_t slots = 1;
	while (slots < max_entries + max_entries / 4 + 1)
		slots <<= 1;
	uint64_t est = slots * 8 + slots * 4 + (max_entries + max_entries / 4) * 48;
	unsigned long mb = (unsigned long)(2 * est / (1 << 20)) + 256;
	char mstr[24];
	snprintf(mstr, sizeof(mstr), "%lu", mb);
	char prefix[48];
	snprintf(prefix, sizeof(prefix), "--file-prefix=cache_bench_%d", (int)getpid());
	char *args[] = { "cache_bench", "-l", "0", "--no-huge", "-m", mstr, "--no-pci",
			 "--no-telemetry", "--no-shconf", prefix, "--log-level=lib.eal:error" };
	CPU_ZERO(&allowed_cpus);
	if (sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus) != 0)
		die("sched_getaffinity");
	if (rte_eal_init((int)(sizeof(args) / sizeof(args[0])), args) < 0) {
		fprintf(stderr, "cache_bench: rte_eal_init (-m %s --no-huge) failed: %s\n", mstr,
			rte_strerror(rte_errno));
		exit(1);
	}
	if (pthread_setaffinity_np(pthread_self(), sizeof(allowed_cpus), &allowed_cpus) != 0)
		die("pthread_setaffinity_np");
}

int main(int argc, char **argv)
{
	struct opts o = { 3, false, 4000 };
	bool small = false;
	size_t only = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			o.seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--small") == 0)
			small = true;
		else if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
			only = (size_t)strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--write-rate") == 0 && i + 1 < argc)
			o.write_rate = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--json") == 0)
			o.json = true;
		else {
			fprintf(stderr, "usage: cache_bench [--seconds N] [--small] [--entries N] "
				"[--write-rate N] [--json]\n");
			return 2;
		}
	}
	if (o.seconds <= 0 || only > MAX_ENTRIES) {
		fprintf(stderr, "cache_bench: --seconds must be > 0 and --entries <= %u\n",
			MAX_ENTRIES);
		return 2;
	}
	size_t counts[2] = { 100000, 10000000 };
	unsigned nph = small ? 1 : 2;
	if (only) {
		counts[0] = only;
		nph = 1;
	}
	size_t max_n = 0;
	for (unsigned i = 0; i < nph; i++)
		if (counts[i] > max_n)
			max_n = counts[i];
	eal_start(max_n);

	double t0 = seconds_now();
	int fails = 0;
	struct phase_out po[2];
	if (!o.json)
		printf("cache_bench: lookups/s per reader thread, ours (tw_cache_rrset_lookup_n) vs "
		       "rte_hash_lookup_data (RW_CONCURRENCY_LF, %d-octet keys), writer %u/s, "
		       "%.1f s per cell\n", KEY_LEN, o.write_rate, o.seconds);
	for (unsigned i = 0; i < nph; i++)
		fails += run_phase(counts[i], &o, &po[i]);
	if (!o.json) {
		print_goals(po, nph);
		printf("total %.0f s%s\n", seconds_now() - t0, fails ? ", FAILED" : "");
	}
	rte_eal_cleanup();
	return fails ? 1 : 0;
}
