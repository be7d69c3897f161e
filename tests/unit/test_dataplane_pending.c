/* The worker's pending upstream questions and its coalescing table
 * (dataplane/pending.h): matching answers and refusing the rest, ID and port
 * draws, timeouts, retries and give-ups, upstream health and probes, SRTT,
 * cancellation, waiters per key, and randomized runs against reference models. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dataplane/pending.h"
#include "dns/error.h"
#include "dns/name.h"

#define T_A 1
#define T_AAAA 28
#define C_IN 1
#define C_CH 3

static void name(const char *s, uint8_t *out)
{
	size_t len;
	assert_int_equal(tw_dns_name_from_str(s, strlen(s), NULL, out, &len), 0);
}

/* Upstream i: 198.18.0.(i+1) port 53 (RFC 2544 benchmarking space). */
static void up4(struct tw_pending_addr *a, unsigned i)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = 53;
	a->addr[0] = 198;
	a->addr[1] = 18;
	a->addr[2] = 0;
	a->addr[3] = (uint8_t)(i + 1);
}

static void conf_n(struct tw_pending_conf *c, unsigned n)
{
	tw_pending_conf_init(c);
	c->nupstreams = n;
	for (unsigned i = 0; i < n; i++)
		up4(&c->upstream[i], i);
	c->seed = 7;
}

static struct tw_pending *pend_new(const struct tw_pending_conf *c)
{
	char err[160] = "";
	struct tw_pending *t = tw_pending_new(c, err, sizeof(err));
	if (!t)
		fail_msg("tw_pending_new: %s", err);
	return t;
}

/* The answer to a send, from the upstream it went to. */
static int answer(struct tw_pending *t, const struct tw_pending_send *s, const char *qname,
		  uint16_t qtype, uint64_t now, uint64_t *owner)
{
	uint8_t n[TW_DNS_NAME_MAXLEN];
	name(qname, n);
	return tw_pending_match(t, s->to->family, s->to->addr, s->to->port, s->sport, s->id, n,
				qtype, C_IN, now, owner);
}

static const struct tw_pending_stats *st(const struct tw_pending *t)
{
	return tw_pending_stats(t);
}

/* ---- add and match ---------------------------------------------------------------- */

static void test_answer_with_other_case_matches_and_removes(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("www.Example.COM.", q);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 42, 1000, &s), 0);
	assert_int_equal(s.upstream, 0);
	assert_int_equal(s.to->addr[3], 1);
	assert_int_equal(s.attempt, 1);
	assert_false(s.probe);
	assert_true(s.sport >= 1024);
	assert_int_not_equal(s.handle, 0);
	assert_int_equal(st(t)->outstanding, 1);
	assert_int_equal(st(t)->upstream[0].sent, 1);

	struct tw_pending_info info;
	assert_int_equal(tw_pending_info(t, s.handle, &info), 0);
	uint8_t lower[TW_DNS_NAME_MAXLEN];
	name("www.example.com.", lower);
	assert_memory_equal(info.qname, lower, tw_dns_name_len(lower));
	assert_int_equal(info.deadline_ms, 1800);
	assert_int_equal(info.owner, 42);

	uint64_t owner = 0;
	assert_int_equal(answer(t, &s, "WWW.EXAMPLE.com.", T_A, 1025, &owner), 0);
	assert_int_equal(owner, 42);
	assert_int_equal(st(t)->outstanding, 0);
	assert_int_equal(st(t)->answered, 1);
	assert_int_equal(st(t)->upstream[0].answered, 1);
	assert_int_equal(st(t)->upstream[0].srtt_us, 25000);
	assert_int_equal(st(t)->upstream[0].rttvar_us, 12500);
	assert_int_equal(tw_pending_info(t, s.handle, &info), -TW_ENOENT);

	/* the same answer again is a late duplicate */
	assert_int_equal(answer(t, &s, "www.example.com.", T_A, 1030, &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_unknown, 1);
	assert_int_equal(st(t)->upstream[0].mismatches, 1);
	tw_pending_free(t);
}

static void test_wrong_id_port_source_or_question_is_refused_and_kept(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN], other[TW_DNS_NAME_MAXLEN];
	name("example.org.", q);
	name("example.net.", other);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_AAAA, C_IN, 7, 0, &s), 0);
	assert_int_equal(s.upstream, 0);
	const uint8_t *a0 = c.upstream[0].addr, *a1 = c.upstream[1].addr;
	uint8_t stranger[16] = { 198, 18, 9, 9 };
	uint64_t owner = 99;

	/* wrong ID, wrong destination port: no such triple */
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, s.sport, (uint16_t)(s.id ^ 1), q,
					  T_AAAA, C_IN, 5, &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, (uint16_t)(s.sport ^ 1), s.id, q,
					  T_AAAA, C_IN, 5, &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_unknown, 2);
	/* the right port and ID from the other upstream: not its question */
	assert_int_equal(tw_pending_match(t, AF_INET, a1, 53, s.sport, s.id, q, T_AAAA, C_IN, 5,
					  &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_unknown, 3);
	assert_int_equal(st(t)->upstream[1].mismatches, 1);
	/* from an address or a port that is no upstream */
	assert_int_equal(tw_pending_match(t, AF_INET, stranger, 53, s.sport, s.id, q, T_AAAA, C_IN,
					  5, &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 5353, s.sport, s.id, q, T_AAAA, C_IN, 5,
					  &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET6, a0, 53, s.sport, s.id, q, T_AAAA, C_IN, 5,
					  &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_source, 3);
	/* the right triple with another question (RFC 5452 §9.1) */
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, s.sport, s.id, other, T_AAAA, C_IN,
					  5, &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, s.sport, s.id, q, T_A, C_IN, 5,
					  &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, s.sport, s.id, q, T_AAAA, C_CH, 5,
					  &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, s.sport, s.id, NULL, T_AAAA, C_IN, 5,
					  &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_question, 4);
	assert_int_equal(st(t)->upstream[0].mismatches, 2 + 4);
	assert_int_equal(st(t)->mismatches, 3 + 3 + 4);
	assert_int_equal(owner, 99);

	/* nothing changed: the entry is there and the real answer still matches */
	assert_int_equal(st(t)->outstanding, 1);
	assert_int_equal(st(t)->answered, 0);
	struct tw_pending_info info;
	assert_int_equal(tw_pending_info(t, s.handle, &info), 0);
	assert_int_equal(tw_pending_match(t, AF_INET, a0, 53, s.sport, s.id, q, T_AAAA, C_IN, 5,
					  &owner), 0);
	assert_int_equal(owner, 7);
	assert_int_equal(tw_pending_match(t, AF_INET, NULL, 53, s.sport, s.id, q, T_AAAA, C_IN, 5,
					  &owner), -TW_EINVAL);
	tw_pending_free(t);
}

static void test_ipv6_upstream_matches_all_sixteen_octets(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 1);
	/* 2001:2::53 (RFC 5180 benchmarking space) */
	memset(&c.upstream[0], 0, sizeof(c.upstream[0]));
	c.upstream[0].family = AF_INET6;
	c.upstream[0].port = 53;
	c.upstream[0].addr[0] = 0x20;
	c.upstream[0].addr[1] = 0x01;
	c.upstream[0].addr[3] = 0x02;
	c.upstream[0].addr[15] = 0x53;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("v6.example.", q);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 3, 0, &s), 0);
	uint8_t near[16];
	memcpy(near, c.upstream[0].addr, 16);
	near[15] ^= 1;
	uint64_t owner;
	assert_int_equal(tw_pending_match(t, AF_INET6, near, 53, s.sport, s.id, q, T_A, C_IN, 1,
					  &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_match(t, AF_INET, c.upstream[0].addr, 53, s.sport, s.id, q, T_A,
					  C_IN, 1, &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_source, 2);
	assert_int_equal(tw_pending_match(t, AF_INET6, c.upstream[0].addr, 53, s.sport, s.id, q,
					  T_A, C_IN, 1, &owner), 0);
	assert_int_equal(owner, 3);
	tw_pending_free(t);
}

static void test_full_table_refuses_until_an_entry_goes(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 1);
	c.capacity = 5; /* rounded up to 8 */
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("full.example.", q);
	struct tw_pending_send s[8], x;
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, i, 0, &s[i]), 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 8, 0, &x), -TW_ENOSPC);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 9, 0, &x), -TW_ENOSPC);
	assert_int_equal(st(t)->full, 2);
	assert_int_equal(st(t)->outstanding, 8);
	uint64_t owner;
	assert_int_equal(answer(t, &s[3], "full.example.", T_A, 1, &owner), 0);
	assert_int_equal(owner, 3);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 10, 1, &x), 0);
	/* the slot is reused under a new generation: the old handle is stale */
	assert_int_equal(tw_pending_cancel(t, s[3].handle), -TW_ENOENT);
	assert_int_equal(st(t)->outstanding, 8);
	tw_pending_free(t);
}

/* ---- IDs and ports ---------------------------------------------------------------- */

static void test_triples_stay_unique_over_many_adds(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 1);
	c.capacity = 65536;
	c.sport_lo = 1024; /* 4 ports: 262144 triples, so collisions happen */
	c.sport_hi = 1027;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("many.example.", q);
	uint8_t *seen = calloc(4 * 65536, 1);
	assert_non_null(seen);
	for (unsigned i = 0; i < 60000; i++) {
		struct tw_pending_send s;
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, i, 0, &s), 0);
		assert_in_range(s.sport, 1024, 1027);
		size_t k = (size_t)(s.sport - 1024) << 16 | s.id;
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
	}
	/* about 60000^2 / 2 / 262144 = 6900 redraws expected */
	assert_in_range(st(t)->redraws, 4000, 10000);
	assert_int_equal(st(t)->no_triple, 0);
	free(seen);
	tw_pending_free(t);
}

/* A random source that plays a script of octets, then zeros. */
struct script {
	const uint8_t *octets;
	size_t len;
	unsigned calls;
	int fail;
};

static int script_random(void *ctx, uint8_t *buf, size_t len)
{
	struct script *sc = ctx;
	sc->calls++;
	if (sc->fail)
		return -TW_ECRYPTO_LIBRARY;
	memset(buf, 0, len);
	if (sc->calls == 1 && sc->len)
		memcpy(buf, sc->octets, sc->len < len ? sc->len : len);
	return 0;
}

static void test_colliding_draw_is_redrawn_and_biased_ports_rejected(void **state)
{
	(void)state;
	/* id, port draw; id, port draw (same: collision); id, port draws */
	static const uint8_t octets[] = {
		0x12, 0x34, 0x00, 0x00,       /* id 0x1234, port 1024 + 0 */
		0x12, 0x34, 0x00, 0x00,       /* the same triple: redrawn */
		0x12, 0x35, 0xff, 0xff, 0x00, 0x05, /* 0xffff >= 64512: rejected; port 1029 */
	};
	struct script sc = { octets, sizeof(octets), 0, 0 };
	struct tw_pending_conf c;
	conf_n(&c, 1);
	c.random = script_random;
	c.random_ctx = &sc;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("script.example.", q);
	struct tw_pending_send s1, s2;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, 0, &s1), 0);
	assert_int_equal(s1.id, 0x1234);
	assert_int_equal(s1.sport, 1024);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 2, 0, &s2), 0);
	assert_int_equal(s2.id, 0x1235);
	assert_int_equal(s2.sport, 1029);
	assert_int_equal(st(t)->redraws, 1);
	assert_int_equal(st(t)->rand_refills, 1);
	tw_pending_free(t);
}

static void test_no_free_triple_and_rand_failure_are_refused(void **state)
{
	(void)state;
	/* all-zero randomness: every draw is (port 1024, id 0) */
	struct script sc = { NULL, 0, 0, 0 };
	struct tw_pending_conf c;
	conf_n(&c, 2);
	c.random = script_random;
	c.random_ctx = &sc;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("zero.example.", q);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, 0, &s), 0);
	assert_int_equal(s.upstream, 0);
	/* the same port and ID to another upstream is a different triple */
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 2, 0, &s), 0);
	assert_int_equal(s.upstream, 1);
	assert_int_equal(s.sport, 1024);
	assert_int_equal(s.id, 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 3, 0, &s), -TW_EEXIST);
	assert_int_equal(st(t)->no_triple, 1);
	assert_int_equal(st(t)->redraws, 64);
	assert_int_equal(st(t)->outstanding, 2);

	sc.fail = 1;
	struct tw_pending *t2 = pend_new(&c);
	assert_int_equal(tw_pending_add(t2, q, T_A, C_IN, 1, 0, &s), -TW_ECRYPTO_LIBRARY);
	assert_int_equal(st(t2)->rand_failures, 1);
	assert_int_equal(st(t2)->outstanding, 0);
	tw_pending_free(t2);
	tw_pending_free(t);
}

static void check_spread(uint16_t lo, uint16_t hi, unsigned max_port_repeat)
{
	struct tw_pending_conf c;
	conf_n(&c, 1);
	c.capacity = 16384;
	c.sport_lo = lo;
	c.sport_hi = hi;
	c.seed = 0; /* drawn from RAND_bytes too */
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("spread.example.", q);
	uint16_t *ids = calloc(65536, sizeof(uint16_t));
	uint16_t *ports = calloc(65536, sizeof(uint16_t));
	unsigned id_hi[256] = { 0 }, id_lo[256] = { 0 }, p_hi[256] = { 0 }, p_lo[256] = { 0 };
	assert_non_null(ids);
	assert_non_null(ports);
	for (unsigned i = 0; i < 10000; i++) {
		struct tw_pending_send s;
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, i, 0, &s), 0);
		assert_in_range(s.sport, lo, hi);
		ids[s.id]++;
		ports[s.sport]++;
		id_hi[s.id >> 8]++;
		id_lo[s.id & 0xff]++;
		p_hi[s.sport >> 8]++;
		p_lo[s.sport & 0xff]++;
	}
	unsigned id_max = 0, port_max = 0, ports_used = 0, idh = 0, idl = 0, ph = 0, pl = 0;
	for (unsigned v = 0; v < 65536; v++) {
		id_max = ids[v] > id_max ? ids[v] : id_max;
		port_max = ports[v] > port_max ? ports[v] : port_max;
		ports_used += ports[v] != 0;
	}
	for (unsigned b = 0; b < 256; b++) {
		idh += id_hi[b] != 0;
		idl += id_lo[b] != 0;
		ph += p_hi[b] != 0;
		pl += p_lo[b] != 0;
	}
	/* 10000 draws over 65536 IDs: a value seen 7 times has odds below 1e-6 */
	assert_true(id_max <= 6);
	assert_true(port_max <= max_port_repeat);
	assert_true(idh >= 250 && idl >= 250);
	assert_true(pl >= 250);
	unsigned span_hi = (unsigned)(hi >> 8) - (lo >> 8) + 1;
	assert_true(ph >= (span_hi > 8 ? span_hi - 4 : span_hi));
	unsigned span = (unsigned)hi - lo + 1;
	assert_true(ports_used >= (span < 5000 ? span - 5 : 5000));
	/* 4 octets per add, blocks of 4096: about ten refills for 10000 adds */
	assert_in_range(st(t)->rand_refills, 9, 12);
	free(ids);
	free(ports);
	tw_pending_free(t);
}

static void test_ids_and_ports_spread_over_their_ranges(void **state)
{
	(void)state;
	check_spread(1024, 65535, 6);
	check_spread(20000, 20999, 40);
}

/* ---- timeouts, retries, health --------------------------------------------------------- */

static void test_timeout_retries_next_upstream_then_gives_up(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 3);
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("Slow.Example.", q);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 77, 0, &s), 0);
	assert_int_equal(s.upstream, 0);
	struct tw_pending_event ev[4];
	assert_int_equal(tw_pending_expire(t, 799, ev, 4), 0);

	assert_int_equal(tw_pending_expire(t, 800, ev, 4), 1);
	assert_int_equal(ev[0].kind, TW_PENDING_RESEND);
	assert_int_equal(ev[0].owner, 77);
	assert_int_equal(ev[0].qtype, T_A);
	assert_int_equal(ev[0].qclass, C_IN);
	assert_true(tw_dns_name_equal(ev[0].qname, q));
	assert_int_equal(ev[0].qname[1], 's'); /* lower case */
	struct tw_pending_send r1 = ev[0].send;
	assert_int_equal(r1.handle, s.handle);
	assert_int_equal(r1.upstream, 1);
	assert_int_equal(r1.attempt, 2);
	assert_false(r1.id == s.id && r1.sport == s.sport);

	assert_int_equal(tw_pending_expire(t, 1599, ev, 4), 0);
	assert_int_equal(tw_pending_expire(t, 1600, ev, 4), 1);
	assert_int_equal(ev[0].kind, TW_PENDING_RESEND);
	assert_int_equal(ev[0].send.upstream, 2);
	assert_int_equal(ev[0].send.attempt, 3);
	assert_int_equal(ev[0].send.handle, s.handle);

	assert_int_equal(tw_pending_expire(t, 2400, ev, 4), 1);
	assert_int_equal(ev[0].kind, TW_PENDING_GIVEUP);
	assert_int_equal(ev[0].owner, 77);
	assert_int_equal(ev[0].send.upstream, 2);
	assert_true(tw_dns_name_equal(ev[0].qname, q));
	assert_int_equal(st(t)->retries, 2);
	assert_int_equal(st(t)->giveups, 1);
	assert_int_equal(st(t)->outstanding, 0);
	for (unsigned u = 0; u < 3; u++) {
		assert_int_equal(st(t)->upstream[u].sent, 1);
		assert_int_equal(st(t)->upstream[u].timeouts, 1);
		assert_true(tw_pending_upstream_up(t, u)); /* one timeout each: still up */
	}
	assert_int_equal(tw_pending_cancel(t, s.handle), -TW_ENOENT);
	assert_int_equal(tw_pending_expire(t, 10000, ev, 4), 0);
	tw_pending_free(t);
}

static void test_late_answer_to_an_earlier_send_is_taken(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("cold.example.", q);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 5, 0, &s), 0);
	struct tw_pending_event ev[4];
	assert_int_equal(tw_pending_expire(t, 800, ev, 4), 1);
	assert_int_equal(ev[0].kind, TW_PENDING_RESEND);
	struct tw_pending_send r1 = ev[0].send;
	/* the farm was slow, not gone: the first send's answer comes at 900 ms */
	uint64_t owner = 0;
	assert_int_equal(answer(t, &s, "cold.example.", T_A, 900, &owner), 0);
	assert_int_equal(owner, 5);
	assert_int_equal(st(t)->answered, 1);
	assert_int_equal(st(t)->answered_late, 1);
	assert_int_equal(st(t)->outstanding, 0);
	assert_int_equal(st(t)->upstream[0].answered, 1);
	assert_int_equal(st(t)->upstream[0].srtt_us, 900000); /* that send's RTT */
	assert_int_equal(st(t)->upstream[1].answered, 0);
	/* the retry's answer then finds nothing, nor does the first one again */
	assert_int_equal(answer(t, &r1, "cold.example.", T_A, 950, &owner), -TW_ENOENT);
	assert_int_equal(answer(t, &s, "cold.example.", T_A, 960, &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_unknown, 2);
	assert_int_equal(tw_pending_expire(t, 100000, ev, 4), 0);
	/* an earlier send's answer must still be for the question asked */
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 6, 0, &s), 0);
	assert_int_equal(tw_pending_expire(t, 800, ev, 4), 1);
	assert_int_equal(answer(t, &s, "other.example.", T_A, 900, &owner), -TW_ENOENT);
	assert_int_equal(st(t)->mismatch_question, 1);
	/* and once the question is given up, none of its sends is answerable */
	assert_int_equal(tw_pending_expire(t, 1600, ev, 4), 1);
	assert_int_equal(tw_pending_expire(t, 2400, ev, 4), 1);
	assert_int_equal(ev[0].kind, TW_PENDING_GIVEUP);
	struct tw_pending_send last = ev[0].send;
	assert_int_equal(answer(t, &s, "cold.example.", T_A, 2500, &owner), -TW_ENOENT);
	assert_int_equal(answer(t, &last, "cold.example.", T_A, 2500, &owner), -TW_ENOENT);
	assert_int_equal(st(t)->answered, 1);
	tw_pending_free(t);
}

static void test_only_the_last_four_earlier_sends_stay_answerable(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 1);
	c.retries = 6;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("slow.example.", q);
	struct tw_pending_send sends[7];
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 9, 0, &sends[0]), 0);
	struct tw_pending_event ev[2];
	for (unsigned k = 1; k <= 5; k++) {
		assert_int_equal(tw_pending_expire(t, 800 * k, ev, 2), 1);
		assert_int_equal(ev[0].kind, TW_PENDING_RESEND);
		sends[k] = ev[0].send;
	}
	/* sends 0..4 are earlier sends; 0 fell out, 1..4 are kept; 5 is current */
	uint64_t owner;
	assert_int_equal(answer(t, &sends[0], "slow.example.", T_A, 4100, &owner), -TW_ENOENT);
	assert_int_equal(answer(t, &sends[1], "slow.example.", T_A, 4100, &owner), 0);
	assert_int_equal(owner, 9);
	assert_int_equal(st(t)->answered_late, 1);
	/* with no retries nothing is kept, and nothing breaks */
	conf_n(&c, 1);
	c.retries = 0;
	struct tw_pending *t0 = pend_new(&c);
	assert_int_equal(tw_pending_add(t0, q, T_A, C_IN, 1, 0, &sends[0]), 0);
	assert_int_equal(tw_pending_expire(t0, 800, ev, 2), 1);
	assert_int_equal(ev[0].kind, TW_PENDING_GIVEUP);
	assert_int_equal(answer(t0, &sends[0], "slow.example.", T_A, 900, &owner), -TW_ENOENT);
	tw_pending_free(t0);
	tw_pending_free(t);
}

static void test_retry_answer_is_matched_on_the_new_triple(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("retry.example.", q);
	struct tw_pending_send s;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 5, 100, &s), 0);
	struct tw_pending_event ev[1];
	assert_int_equal(tw_pending_expire(t, 900, ev, 1), 1);
	uint64_t owner;
	assert_int_equal(answer(t, &ev[0].send, "retry.example.", T_A, 930, &owner), 0);
	assert_int_equal(owner, 5);
	/* RTT from the retry's own send (Karn: no ambiguity with new ID and port) */
	assert_int_equal(st(t)->upstream[1].srtt_us, 30000);
	assert_int_equal(st(t)->upstream[0].answered, 0);
	tw_pending_free(t);
}

static void test_expire_is_bounded_per_call_in_deadline_order(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 1);
	c.retries = 0;
	c.down_after = 255;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("batch.example.", q);
	struct tw_pending_send s;
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, i, i / 10, &s), 0);
	struct tw_pending_event ev[32];
	uint64_t next = 0;
	unsigned counts[5];
	for (unsigned k = 0; k < 5; k++) {
		counts[k] = tw_pending_expire(t, 5000, ev, 32);
		for (unsigned i = 0; i < counts[k]; i++) {
			assert_int_equal(ev[i].kind, TW_PENDING_GIVEUP);
			assert_int_equal(ev[i].owner, next++);
		}
	}
	assert_int_equal(counts[0], 32);
	assert_int_equal(counts[1], 32);
	assert_int_equal(counts[2], 32);
	assert_int_equal(counts[3], 4);
	assert_int_equal(counts[4], 0);
	assert_int_equal(st(t)->giveups, 100);
	tw_pending_free(t);
}

static void test_expire_returns_only_the_few_expired_of_many(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 4);
	c.capacity = 65536;
	c.retries = 0;
	c.down_after = 255;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("wheel.example.", q);
	struct tw_pending_send s;
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, i, 0, &s), 0);
	for (unsigned i = 0; i < 50000; i++)
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1000 + i, 500, &s), 0);
	struct tw_pending_event ev[64];
	assert_int_equal(tw_pending_expire(t, 799, ev, 64), 0);
	assert_int_equal(tw_pending_expire(t, 800, ev, 64), 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(ev[i].owner, i);
	assert_int_equal(st(t)->outstanding, 50000);
	/* repeated calls before the next deadline find nothing */
	for (unsigned k = 0; k < 1000; k++)
		assert_int_equal(tw_pending_expire(t, 1299, ev, 64), 0);
	assert_int_equal(tw_pending_expire(t, 1300, ev, 64), 64);
	assert_int_equal(ev[0].owner, 1000);
	assert_int_equal(st(t)->outstanding, 50000 - 64);
	tw_pending_free(t);
}

static void test_failing_upstream_goes_down_and_returns_through_a_probe(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	c.retries = 0;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("health.example.", q);
	struct tw_pending_send s[8];
	uint64_t owner;
	/* in turn: 0, 1, 0, 1, 0, 1; upstream 1 answers, upstream 0 never does */
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, i, 0, &s[i]), 0);
		assert_int_equal(s[i].upstream, i % 2);
	}
	for (unsigned i = 1; i < 6; i += 2)
		assert_int_equal(answer(t, &s[i], "health.example.", T_A, 10, &owner), 0);
	assert_true(tw_pending_upstream_up(t, 0));
	struct tw_pending_event ev[8];
	assert_int_equal(tw_pending_expire(t, 800, ev, 8), 3);
	assert_false(tw_pending_upstream_up(t, 0));
	assert_true(tw_pending_upstream_up(t, 1));
	assert_int_equal(st(t)->upstream[0].state, TW_PENDING_DOWN);
	assert_int_equal(st(t)->upstream[0].downs, 1);
	assert_int_equal(st(t)->upstream[0].timeouts, 3);

	/* during the backoff (1 s from 800) everything goes to upstream 1 */
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 10 + i, 1799, &s[0]), 0);
		assert_int_equal(s[0].upstream, 1);
		assert_int_equal(answer(t, &s[0], "health.example.", T_A, 1799, &owner), 0);
	}
	/* backoff over: the next question probes it, one probe at a time */
	struct tw_pending_send probe, next;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 20, 1800, &probe), 0);
	assert_int_equal(probe.upstream, 0);
	assert_true(probe.probe);
	assert_int_equal(st(t)->upstream[0].state, TW_PENDING_PROBING);
	assert_int_equal(st(t)->upstream[0].probes, 1);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 21, 1800, &next), 0);
	assert_int_equal(next.upstream, 1);
	assert_false(next.probe);
	assert_int_equal(answer(t, &next, "health.example.", T_A, 1801, &owner), 0);

	/* the probe times out: down again, for twice as long (2 s from 2600) */
	assert_int_equal(tw_pending_expire(t, 2600, ev, 8), 1);
	assert_int_equal(ev[0].owner, 20);
	assert_int_equal(st(t)->upstream[0].state, TW_PENDING_DOWN);
	assert_int_equal(st(t)->upstream[0].downs, 2);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 22, 4599, &next), 0);
	assert_int_equal(next.upstream, 1);
	assert_int_equal(answer(t, &next, "health.example.", T_A, 4599, &owner), 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 23, 4600, &probe), 0);
	assert_int_equal(probe.upstream, 0);
	assert_true(probe.probe);

	/* the probe is answered: up, in turn again, backoff back to 1 s */
	assert_int_equal(answer(t, &probe, "health.example.", T_A, 4620, &owner), 0);
	assert_int_equal(owner, 23);
	assert_true(tw_pending_upstream_up(t, 0));
	assert_int_equal(st(t)->upstream[0].state, TW_PENDING_UP);
	unsigned seen[2] = { 0, 0 };
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 30 + i, 4700, &s[i]), 0);
		seen[s[i].upstream]++;
		if (s[i].upstream == 1)
			assert_int_equal(answer(t, &s[i], "health.example.", T_A, 4701, &owner), 0);
	}
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 2);
	/* three timeouts again: down for 1 s, not 4 */
	assert_int_equal(tw_pending_expire(t, 5500, ev, 8), 2);
	assert_true(tw_pending_upstream_up(t, 0));
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 40, 5500, &s[0]), 0);
	assert_int_equal(s[0].upstream, 0);
	assert_int_equal(tw_pending_expire(t, 6300, ev, 8), 1);
	assert_false(tw_pending_upstream_up(t, 0));
	assert_int_equal(st(t)->upstream[0].downs, 3);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 41, 7299, &s[0]), 0);
	assert_int_equal(s[0].upstream, 1);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 42, 7300, &s[0]), 0);
	assert_int_equal(s[0].upstream, 0);
	assert_true(s[0].probe);
	tw_pending_free(t);
}

static void test_backoff_doubles_up_to_its_cap(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	c.retries = 0;
	c.down_after = 1;
	c.backoff_min_ms = 1000;
	c.backoff_max_ms = 5000;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("backoff.example.", q);
	struct tw_pending_send s;
	struct tw_pending_event ev[4];
	uint64_t owner;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 0, 0, &s), 0);
	assert_int_equal(s.upstream, 0);
	assert_int_equal(tw_pending_expire(t, 800, ev, 4), 1);
	uint64_t now = 800;
	/* down periods: 1000, then failed probes 2000, 4000, 5000, 5000 */
	static const uint64_t periods[] = { 1000, 2000, 4000, 5000, 5000 };
	for (unsigned k = 0; k < 5; k++) {
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, now + periods[k] - 1, &s), 0);
		assert_int_equal(s.upstream, 1);
		assert_int_equal(answer(t, &s, "backoff.example.", T_A, now + periods[k] - 1,
					&owner), 0);
		now += periods[k];
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 2, now, &s), 0);
		assert_int_equal(s.upstream, 0);
		assert_true(s.probe);
		now += 800;
		assert_int_equal(tw_pending_expire(t, now, ev, 4), 1);
		assert_int_equal(st(t)->upstream[0].state, TW_PENDING_DOWN);
	}
	assert_int_equal(st(t)->upstream[0].downs, 6);
	tw_pending_free(t);
}

static void test_all_upstreams_down_still_sends_to_least_recently_failed(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	c.retries = 0;
	c.down_after = 1;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("dark.example.", q);
	struct tw_pending_send s;
	struct tw_pending_event ev[4];
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 0, 0, &s), 0);
	assert_int_equal(s.upstream, 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, 100, &s), 0);
	assert_int_equal(s.upstream, 1);
	assert_int_equal(tw_pending_expire(t, 800, ev, 4), 1); /* 0 down until 1800 */
	assert_int_equal(tw_pending_expire(t, 900, ev, 4), 1); /* 1 down until 1900 */
	assert_false(tw_pending_upstream_up(t, 0));
	assert_false(tw_pending_upstream_up(t, 1));

	/* none up, none due for a probe: the one that failed longest ago */
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 10 + i, 1000, &s), 0);
		assert_int_equal(s.upstream, 0);
		assert_false(s.probe);
	}
	/* their timeouts count but do not extend the down period */
	assert_int_equal(tw_pending_expire(t, 1800, ev, 4), 3);
	assert_int_equal(st(t)->upstream[0].timeouts, 4);
	assert_int_equal(st(t)->upstream[0].downs, 1);
	/* upstream 0 is due for its probe; then upstream 1 failed longest ago */
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 20, 1850, &s), 0);
	assert_int_equal(s.upstream, 0);
	assert_true(s.probe);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 21, 1850, &s), 0);
	assert_int_equal(s.upstream, 1);
	assert_false(s.probe);
	tw_pending_free(t);
}

static void test_timeout_of_a_send_older_than_the_recovery_changes_nothing(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	c.retries = 0;
	c.down_after = 1;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("old.example.", q);
	struct tw_pending_send a, b, cc, x;
	struct tw_pending_event ev[4];
	uint64_t owner;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, 0, &a), 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 2, 0, &x), 0);
	assert_int_equal(answer(t, &x, "old.example.", T_A, 1, &owner), 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 3, 400, &b), 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 4, 400, &x), 0);
	assert_int_equal(answer(t, &x, "old.example.", T_A, 401, &owner), 0);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 5, 400, &cc), 0);
	assert_int_equal(a.upstream, 0);
	assert_int_equal(b.upstream, 0);
	assert_int_equal(cc.upstream, 0);
	assert_int_equal(tw_pending_expire(t, 800, ev, 4), 1);
	assert_false(tw_pending_upstream_up(t, 0));
	/* an answer (not a probe) brings it back */
	assert_int_equal(answer(t, &b, "old.example.", T_A, 900, &owner), 0);
	assert_true(tw_pending_upstream_up(t, 0));
	/* c was sent before it came back: its timeout is counted, nothing more */
	assert_int_equal(tw_pending_expire(t, 1200, ev, 4), 1);
	assert_int_equal(ev[0].owner, 5);
	assert_true(tw_pending_upstream_up(t, 0));
	assert_int_equal(st(t)->upstream[0].timeouts, 2);
	assert_int_equal(st(t)->upstream[0].downs, 1);
	tw_pending_free(t);
}

static void test_cancel_removes_and_a_cancelled_probe_is_retried(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 2);
	c.retries = 0;
	c.down_after = 1;
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("cancel.example.", q);
	struct tw_pending_send s, s2;
	struct tw_pending_event ev[4];
	uint64_t owner;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, 0, &s), 0);
	assert_int_equal(tw_pending_cancel(t, s.handle), 0);
	assert_int_equal(st(t)->cancelled, 1);
	assert_int_equal(st(t)->outstanding, 0);
	assert_int_equal(tw_pending_cancel(t, s.handle), -TW_ENOENT);
	assert_int_equal(tw_pending_cancel(t, 0), -TW_ENOENT);
	assert_int_equal(tw_pending_cancel(t, UINT64_MAX), -TW_ENOENT);
	assert_int_equal(answer(t, &s, "cancel.example.", T_A, 5, &owner), -TW_ENOENT);
	assert_int_equal(tw_pending_expire(t, 10000, ev, 4), 0);

	/* upstream 1 (next in turn) goes down, its probe is cancelled: the next
	 * question probes it again */
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 2, 10000, &s), 0);
	assert_int_equal(s.upstream, 1);
	assert_int_equal(tw_pending_expire(t, 10800, ev, 4), 1);
	assert_false(tw_pending_upstream_up(t, 1));
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 3, 11800, &s), 0);
	assert_int_equal(s.upstream, 1);
	assert_true(s.probe);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 4, 11800, &s2), 0);
	assert_int_equal(s2.upstream, 0);
	assert_int_equal(tw_pending_cancel(t, s.handle), 0);
	assert_int_equal(st(t)->upstream[1].state, TW_PENDING_DOWN);
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 5, 11801, &s), 0);
	assert_int_equal(s.upstream, 1);
	assert_true(s.probe);
	assert_int_equal(st(t)->upstream[1].probes, 2);
	tw_pending_free(t);
}

static void test_srtt_follows_measured_rtts(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	conf_n(&c, 1);
	struct tw_pending *t = pend_new(&c);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("rtt.example.", q);
	struct tw_pending_send s;
	uint64_t owner, now = 0;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 0, now, &s), 0);
	assert_int_equal(answer(t, &s, "rtt.example.", T_A, now + 100, &owner), 0);
	/* RFC 6298 §2.2: first sample R: SRTT = R, RTTVAR = R/2 */
	assert_int_equal(st(t)->upstream[0].srtt_us, 100000);
	assert_int_equal(st(t)->upstream[0].rttvar_us, 50000);
	now = 1000;
	assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 1, now, &s), 0);
	assert_int_equal(answer(t, &s, "rtt.example.", T_A, now + 20, &owner), 0);
	/* §2.3: RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R */
	assert_int_equal(st(t)->upstream[0].rttvar_us, (3 * 50000 + 80000) / 4);
	assert_int_equal(st(t)->upstream[0].srtt_us, (7 * 100000 + 20000) / 8);
	uint64_t prev = st(t)->upstream[0].srtt_us;
	for (unsigned i = 0; i < 30; i++) {
		now += 1000;
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 2 + i, now, &s), 0);
		assert_int_equal(answer(t, &s, "rtt.example.", T_A, now + 20, &owner), 0);
		assert_true(st(t)->upstream[0].srtt_us < prev);
		prev = st(t)->upstream[0].srtt_us;
	}
	assert_in_range(prev, 20000, 23000);
	/* and back up toward a slower upstream */
	for (unsigned i = 0; i < 30; i++) {
		now += 1000;
		assert_int_equal(tw_pending_add(t, q, T_A, C_IN, 50 + i, now, &s), 0);
		assert_int_equal(answer(t, &s, "rtt.example.", T_A, now + 300, &owner), 0);
		assert_true(st(t)->upstream[0].srtt_us > prev);
		prev = st(t)->upstream[0].srtt_us;
	}
	assert_in_range(prev, 280000, 300000);
	tw_pending_free(t);
}

static void test_bad_configurations_are_refused_with_a_reason(void **state)
{
	(void)state;
	struct tw_pending_conf c;
	char err[160];
	conf_n(&c, 0);
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "upstreams"));
	conf_n(&c, 2);
	c.upstream[1] = c.upstream[0];
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "upstream 1 repeats upstream 0"));
	conf_n(&c, 1);
	c.upstream[0].family = 99;
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "family"));
	conf_n(&c, 1);
	c.sport_lo = 2000;
	c.sport_hi = 1999;
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "source port range"));
	conf_n(&c, 1);
	c.capacity = 0;
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "capacity"));
	conf_n(&c, 1);
	c.timeout_ms = 0;
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "timeout_ms"));
	conf_n(&c, 1);
	c.backoff_max_ms = 10;
	assert_null(tw_pending_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "backoff"));
	assert_null(tw_pending_new(NULL, NULL, 0));
	tw_pending_free(NULL);

	struct tw_inflight_conf ic;
	tw_inflight_conf_init(&ic);
	ic.waiter_size = 0;
	assert_null(tw_inflight_new(&ic, err, sizeof(err)));
	assert_non_null(strstr(err, "waiter_size"));
	tw_inflight_conf_init(&ic);
	ic.max_per_key = 0;
	assert_null(tw_inflight_new(&ic, err, sizeof(err)));
	assert_non_null(strstr(err, "max_per_key"));
	tw_inflight_free(NULL);
}

/* ---- coalescing ------------------------------------------------------------------------- */

struct rec {
	uint32_t client;
	uint16_t port;
	uint16_t id;
};

static struct tw_inflight *infl_new(uint32_t cap, uint32_t pool, uint16_t per_key, uint32_t size)
{
	struct tw_inflight_conf c;
	tw_inflight_conf_init(&c);
	c.capacity = cap;
	c.waiters = pool;
	c.max_per_key = per_key;
	c.waiter_size = size;
	c.seed = 11;
	char err[160] = "";
	struct tw_inflight *t = tw_inflight_new(&c, err, sizeof(err));
	if (!t)
		fail_msg("tw_inflight_new: %s", err);
	return t;
}

static void test_three_clients_coalesce_on_one_key_in_any_case(void **state)
{
	(void)state;
	struct tw_inflight *t = infl_new(16, 64, 64, sizeof(struct rec));
	const char *spellings[] = { "www.example.com.", "WWW.EXAMPLE.COM.", "wWw.ExAmPlE.cOm." };
	uint32_t h0 = TW_INFLIGHT_NONE;
	for (unsigned i = 0; i < 3; i++) {
		uint8_t q[TW_DNS_NAME_MAXLEN];
		name(spellings[i], q);
		bool created;
		uint32_t h = tw_inflight_find_or_add(t, q, T_A, C_IN, 0, 100 + i, &created);
		assert_int_not_equal(h, TW_INFLIGHT_NONE);
		assert_int_equal(created, i == 0);
		if (i == 0)
			h0 = h;
		assert_int_equal(h, h0);
		struct rec *r = tw_inflight_waiter_add(t, h);
		assert_non_null(r);
		assert_int_equal(r->client, 0); /* zeroed */
		r->client = 1000 + i;
		r->id = (uint16_t)i;
	}
	const struct tw_inflight_stats *s = tw_inflight_stats(t);
	assert_int_equal(s->entries, 1);
	assert_int_equal(s->waiters, 3);
	assert_int_equal(s->created, 1);
	assert_int_equal(s->coalesced, 2);
	assert_int_equal(s->joined, 3);

	unsigned n = 0;
	for (struct rec *r = tw_inflight_waiter_first(t, h0); r;
	     r = tw_inflight_waiter_next(t, h0, r)) {
		assert_int_equal(r->client, 1000 + n);
		assert_int_equal(r->id, n);
		n++;
	}
	assert_int_equal(n, 3);

	const struct tw_inflight_key *k = tw_inflight_key(t, h0);
	assert_non_null(k);
	uint8_t lower[TW_DNS_NAME_MAXLEN];
	name("www.example.com.", lower);
	assert_memory_equal(k->qname, lower, tw_dns_name_len(lower));
	assert_int_equal(k->qtype, T_A);
	assert_int_equal(k->qclass, C_IN);
	unsigned nw;
	uint64_t created_ms, v;
	assert_int_equal(tw_inflight_info(t, h0, &nw, &created_ms), 0);
	assert_int_equal(nw, 3);
	assert_int_equal(created_ms, 100);
	assert_int_equal(tw_inflight_get_value(t, h0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(tw_inflight_set_value(t, h0, 0xdeadbeef), 0);
	assert_int_equal(tw_inflight_get_value(t, h0, &v), 0);
	assert_int_equal(v, 0xdeadbeef);
	uint8_t q[TW_DNS_NAME_MAXLEN];
	name("Www.Example.Com.", q);
	assert_int_equal(tw_inflight_find(t, q, T_A, C_IN, 0), h0);

	assert_int_equal(tw_inflight_remove(t, h0), 0);
	assert_int_equal(s->entries, 0);
	assert_int_equal(s->waiters, 0);
	assert_int_equal(s->removed, 1);
	/* the handle is stale everywhere */
	assert_int_equal(tw_inflight_remove(t, h0), -TW_ENOENT);
	assert_null(tw_inflight_waiter_add(t, h0));
	assert_null(tw_inflight_waiter_first(t, h0));
	assert_null(tw_inflight_key(t, h0));
	assert_int_equal(tw_inflight_set_value(t, h0, 1), -TW_ENOENT);
	assert_int_equal(tw_inflight_get_value(t, h0, &v), -TW_ENOENT);
	assert_int_equal(tw_inflight_info(t, h0, NULL, NULL), -TW_ENOENT);
	assert_int_equal(tw_inflight_find(t, q, T_A, C_IN, 0), TW_INFLIGHT_NONE);
	/* the same key again is a new entry under a new handle */
	bool created;
	uint32_t h1 = tw_inflight_find_or_add(t, q, T_A, C_IN, 0, 200, &created);
	assert_true(created);
	assert_int_not_equal(h1, h0);
	assert_int_equal(tw_inflight_remove(t, TW_INFLIGHT_NONE), -TW_ENOENT);
	tw_inflight_free(t);
}

static void test_flags_type_and_class_make_separate_keys(void **state)
{
	(void)state;
	struct tw_inflight *t = infl_new(16, 64, 64, 64);
	uint8_t q[TW_DNS_NAME_MAXLEN], q2[TW_DNS_NAME_MAXLEN];
	name("keys.example.", q);
	name("keys.example.net.", q2);
	bool created;
	uint32_t h[6];
	h[0] = tw_inflight_find_or_add(t, q, T_A, C_IN, 0, 0, &created);
	h[1] = tw_inflight_find_or_add(t, q, T_A, C_IN, 1, 0, &created); /* CD */
	h[2] = tw_inflight_find_or_add(t, q, T_AAAA, C_IN, 0, 0, &created);
	h[3] = tw_inflight_find_or_add(t, q, T_A, C_CH, 0, 0, &created);
	h[4] = tw_inflight_find_or_add(t, q2, T_A, C_IN, 0, 0, &created);
	h[5] = tw_inflight_find_or_add(t, q, T_A, C_IN, 1, 0, &created);
	assert_false(created);
	assert_int_equal(h[5], h[1]);
	for (unsigned i = 0; i < 5; i++)
		for (unsigned j = i + 1; j < 5; j++)
			assert_int_not_equal(h[i], h[j]);
	assert_int_equal(tw_inflight_stats(t)->entries, 5);
	assert_int_equal(tw_inflight_key(t, h[1])->flags, 1);
	tw_inflight_free(t);
}

static void test_per_key_waiter_cap_refuses_the_next_client(void **state)
{
	(void)state;
	struct tw_inflight *t = infl_new(16, 64, 4, 32);
	uint8_t q[TW_DNS_NAME_MAXLEN], q2[TW_DNS_NAME_MAXLEN];
	name("popular.example.", q);
	name("other.example.", q2);
	bool created;
	uint32_t h = tw_inflight_find_or_add(t, q, T_A, C_IN, 0, 0, &created);
	for (unsigned i = 0; i < 4; i++)
		assert_non_null(tw_inflight_waiter_add(t, h));
	assert_null(tw_inflight_waiter_add(t, h));
	assert_null(tw_inflight_waiter_add(t, h));
	assert_int_equal(tw_inflight_stats(t)->refused_key_cap, 2);
	assert_int_equal(tw_inflight_stats(t)->waiters, 4);
	uint32_t h2 = tw_inflight_find_or_add(t, q2, T_A, C_IN, 0, 0, &created);
	assert_non_null(tw_inflight_waiter_add(t, h2));
	tw_inflight_free(t);
}

static void test_pool_and_table_exhaustion_recover_after_remove(void **state)
{
	(void)state;
	struct tw_inflight *t = infl_new(2, 10, 64, 20);
	uint8_t a[TW_DNS_NAME_MAXLEN], b[TW_DNS_NAME_MAXLEN], c[TW_DNS_NAME_MAXLEN];
	name("a.example.", a);
	name("b.example.", b);
	name("c.example.", c);
	bool created;
	uint32_t ha = tw_inflight_find_or_add(t, a, T_A, C_IN, 0, 0, &created);
	uint32_t hb = tw_inflight_find_or_add(t, b, T_A, C_IN, 0, 0, &created);
	/* two keys at most */
	assert_int_equal(tw_inflight_find_or_add(t, c, T_A, C_IN, 0, 0, &created),
			 TW_INFLIGHT_NONE);
	assert_false(created);
	assert_int_equal(tw_inflight_stats(t)->refused_full, 1);
	/* an existing key is still found when the table is full */
	assert_int_equal(tw_inflight_find_or_add(t, a, T_A, C_IN, 0, 0, &created), ha);

	uint8_t *recs[10];
	for (unsigned i = 0; i < 6; i++) {
		recs[i] = tw_inflight_waiter_add(t, ha);
		assert_non_null(recs[i]);
		assert_int_equal((uintptr_t)recs[i] % 16, 0);
		memset(recs[i], 0xa0 + (int)i, 20);
	}
	for (unsigned i = 6; i < 10; i++) {
		recs[i] = tw_inflight_waiter_add(t, hb);
		assert_non_null(recs[i]);
		memset(recs[i], 0xb0 + (int)i, 20);
	}
	assert_null(tw_inflight_waiter_add(t, hb));
	assert_null(tw_inflight_waiter_add(t, ha));
	assert_int_equal(tw_inflight_stats(t)->refused_pool, 2);
	/* records do not overlap */
	for (unsigned i = 0; i < 10; i++)
		for (unsigned j = 0; j < 20; j++)
			assert_int_equal(recs[i][j], (i < 6 ? 0xa0 : 0xb0) + i);

	assert_int_equal(tw_inflight_remove(t, ha), 0);
	assert_int_equal(tw_inflight_stats(t)->waiters, 4);
	uint32_t hc = tw_inflight_find_or_add(t, c, T_A, C_IN, 0, 0, &created);
	assert_true(created);
	for (unsigned i = 0; i < 6; i++) {
		uint8_t *r = tw_inflight_waiter_add(t, hc);
		assert_non_null(r);
		for (unsigned j = 0; j < 20; j++)
			assert_int_equal(r[j], 0);
	}
	assert_null(tw_inflight_waiter_add(t, hc));
	/* b's waiters were untouched by all this */
	unsigned n = 0;
	for (uint8_t *r = tw_inflight_waiter_first(t, hb); r; r = tw_inflight_waiter_next(t, hb, r))
		assert_int_equal(r[19], 0xb0 + 6 + n++);
	assert_int_equal(n, 4);
	assert_int_equal(tw_inflight_remove(t, hb), 0);
	assert_int_equal(tw_inflight_remove(t, hc), 0);
	assert_int_equal(tw_inflight_stats(t)->waiters, 0);
	assert_int_equal(tw_inflight_stats(t)->entries, 0);
	tw_inflight_free(t);
}

/* ---- randomized runs against reference models --------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

#define NNAMES 40

/* Name i, its letters in a random case. */
static void rnd_name(unsigned i, uint8_t *out)
{
	char s[64];
	snprintf(s, sizeof(s), "host%u.zone%u.example.", i, i % 7);
	for (char *p = s; *p; p++)
		if (*p >= 'a' && *p <= 'z' && rndn(2))
			*p = (char)(*p - 'a' + 'A');
	name(s, out);
}

#define PCAP 256
#define PTIMEOUT 50
#define PRETRIES 2

struct pm_entry {
	bool live;
	uint64_t handle;
	uint64_t owner;
	unsigned name;
	uint16_t qtype;
	uint8_t up;
	uint16_t sport, id;
	uint8_t attempt;
	uint64_t deadline;
	uint64_t seq;
};

static struct pm_entry pm[PCAP];

static int pm_live_random(void)
{
	unsigned start = rndn(PCAP);
	for (unsigned k = 0; k < PCAP; k++) {
		unsigned i = (start + k) % PCAP;
		if (pm[i].live)
			return (int)i;
	}
	return -1;
}

static unsigned pm_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < PCAP; i++)
		n += pm[i].live;
	return n;
}

static void pm_check_unique(const struct pm_entry *x)
{
	for (unsigned i = 0; i < PCAP; i++)
		if (pm[i].live && &pm[i] != x)
			assert_false(pm[i].up == x->up && pm[i].sport == x->sport && pm[i].id == x->id);
}

static int pm_slot_free(void)
{
	for (unsigned i = 0; i < PCAP; i++)
		if (!pm[i].live)
			return (int)i;
	return -1;
}

static void test_random_operations_agree_with_a_model_pending(void **state)
{
	(void)state;
	rng_state = 20240601;
	memset(pm, 0, sizeof(pm));
	struct tw_pending_conf c;
	conf_n(&c, 4);
	c.capacity = PCAP;
	c.timeout_ms = PTIMEOUT;
	c.retries = PRETRIES;
	c.sport_lo = 5000;
	c.sport_hi = 5007;
	c.down_after = 2;
	c.backoff_min_ms = 20;
	c.backoff_max_ms = 200;
	struct tw_pending *t = pend_new(&c);
	uint64_t now = 1, seq = 0, next_owner = 1;
	unsigned answered = 0, giveups = 0, retries = 0, cancelled = 0, full = 0;
	unsigned mism = 0;

	for (unsigned op = 0; op < 200000; op++) {
		/* busy phases fill the table, quiet ones drain it */
		bool busy = (op / 2500) % 2 == 0;
		unsigned p_add = busy ? 50 : 15, p_match = p_add + (busy ? 10 : 35);
		unsigned r = rndn(100);
		if (r < p_add) {
			unsigned nm = rndn(NNAMES);
			uint8_t q[TW_DNS_NAME_MAXLEN];
			rnd_name(nm, q);
			uint16_t qt = rndn(2) ? T_A : T_AAAA;
			struct tw_pending_send s;
			int rc = tw_pending_add(t, q, qt, C_IN, next_owner, now, &s);
			int slot = pm_slot_free();
			if (slot < 0) {
				assert_int_equal(rc, -TW_ENOSPC);
				full++;
				continue;
			}
			assert_int_equal(rc, 0);
			assert_in_range(s.sport, 5000, 5007);
			assert_in_range(s.upstream, 0, 3);
			assert_int_equal(s.attempt, 1);
			struct pm_entry *x = &pm[slot];
			*x = (struct pm_entry){ true, s.handle, next_owner++, nm, qt, s.upstream,
						 s.sport, s.id, 1, now + PTIMEOUT, seq++ };
			pm_check_unique(x);
		} else if (r < p_match) {
			int i = pm_live_random();
			if (i < 0)
				continue;
			struct pm_entry *x = &pm[i];
			uint8_t q[TW_DNS_NAME_MAXLEN];
			rnd_name(x->name, q);
			uint64_t owner = 0;
			assert_int_equal(tw_pending_match(t, AF_INET, c.upstream[x->up].addr, 53,
							  x->sport, x->id, q, x->qtype, C_IN, now,
							  &owner), 0);
			assert_int_equal(owner, x->owner);
			x->live = false;
			answered++;
		} else if (r < p_match + 10) {
			int i = pm_live_random();
			if (i < 0)
				continue;
			struct pm_entry *x = &pm[i];
			uint8_t q[TW_DNS_NAME_MAXLEN];
			rnd_name(x->name, q);
			unsigned up = x->up;
			uint16_t sport = x->sport, id = x->id, qt = x->qtype;
			uint16_t port53 = 53;
			switch (rndn(5)) {
			case 0: id ^= (uint16_t)(1 + rndn(0xffff)); break;
			case 1: sport = (uint16_t)(sport == 5000 ? 5001 : sport - 1); break;
			case 2: up = (up + 1 + rndn(3)) % 4; break;
			case 3: rnd_name((x->name + 1 + rndn(NNAMES - 1)) % NNAMES, q); break;
			default: port53 = 54; break;
			}
			/* the perturbed triple may belong to another live entry */
			bool other = false;
			for (unsigned k = 0; k < PCAP; k++)
				if (pm[k].live && pm[k].up == up && pm[k].sport == sport &&
				    pm[k].id == id && &pm[k] != x)
					other = true;
			if (other)
				continue;
			uint64_t owner = 0;
			assert_int_equal(tw_pending_match(t, AF_INET, c.upstream[up].addr, port53,
							  sport, id, q, qt, C_IN, now, &owner),
					 -TW_ENOENT);
			mism++;
		} else if (r < p_match + 15) {
			int i = pm_live_random();
			if (i < 0)
				continue;
			if (rndn(4) == 0) {
				/* a stale handle: its generation moved on */
				assert_int_equal(tw_pending_cancel(t, pm[i].handle + (1ull << 32)),
						 -TW_ENOENT);
				continue;
			}
			assert_int_equal(tw_pending_cancel(t, pm[i].handle), 0);
			pm[i].live = false;
			cancelled++;
		} else if (r < p_match + 30) {
			now += rndn(4);
			if (rndn(50) == 0)
				now += rndn(150);
			unsigned max = 1 + rndn(16);
			struct tw_pending_event ev[16];
			unsigned n = tw_pending_expire(t, now, ev, max);
			/* the model's expired entries, by (deadline, seq) */
			unsigned k = 0;
			for (;;) {
				int best = -1;
				for (unsigned i = 0; i < PCAP; i++)
					if (pm[i].live && pm[i].deadline <= now &&
					    (best < 0 || pm[i].seq < pm[best].seq))
						best = (int)i;
				if (best < 0 || k == max)
					break;
				assert_true(k < n);
				struct pm_entry *x = &pm[best];
				struct tw_pending_event *e = &ev[k++];
				assert_int_equal(e->owner, x->owner);
				assert_int_equal(e->send.handle, x->handle);
				assert_int_equal(e->qtype, x->qtype);
				uint8_t q[TW_DNS_NAME_MAXLEN];
				rnd_name(x->name, q);
				assert_true(tw_dns_name_equal(e->qname, q));
				if (x->attempt <= PRETRIES) {
					assert_int_equal(e->kind, TW_PENDING_RESEND);
					assert_int_equal(e->send.attempt, x->attempt + 1);
					x->attempt++;
					x->up = e->send.upstream;
					x->sport = e->send.sport;
					x->id = e->send.id;
					x->deadline = now + PTIMEOUT;
					x->seq = seq++;
					pm_check_unique(x);
					retries++;
				} else {
					assert_int_equal(e->kind, TW_PENDING_GIVEUP);
					x->live = false;
					giveups++;
				}
			}
			assert_int_equal(n, k);
		} else {
			int i = pm_live_random();
			if (i < 0)
				continue;
			struct tw_pending_info info;
			assert_int_equal(tw_pending_info(t, pm[i].handle, &info), 0);
			assert_int_equal(info.owner, pm[i].owner);
			assert_int_equal(info.send.upstream, pm[i].up);
			assert_int_equal(info.send.sport, pm[i].sport);
			assert_int_equal(info.send.id, pm[i].id);
			assert_int_equal(info.send.attempt, pm[i].attempt);
			assert_int_equal(info.deadline_ms, pm[i].deadline);
		}
		assert_int_equal(st(t)->outstanding, pm_count());
	}
	assert_int_equal(st(t)->answered, answered);
	assert_int_equal(st(t)->giveups, giveups);
	assert_int_equal(st(t)->retries, retries);
	assert_int_equal(st(t)->cancelled, cancelled);
	assert_int_equal(st(t)->full, full);
	assert_int_equal(st(t)->mismatches, mism);
	assert_true(answered > 10000 && giveups > 100 && retries > 1000 && full > 100);
	/* upstreams went down and came back through probes along the way */
	assert_true(st(t)->upstream[0].downs > 10 && st(t)->upstream[0].probes > 10);
	uint64_t sent = 0;
	for (unsigned u = 0; u < 4; u++)
		sent += st(t)->upstream[u].sent;
	assert_int_equal(sent, st(t)->added + retries);
	tw_pending_free(t);
}

#define ICAP 64
#define IPOOL 120
#define IPERKEY 8
#define IKEYS 100

struct im_entry {
	bool live;
	uint32_t handle;
	uint64_t value;
	unsigned n;
	uint64_t tags[IPERKEY];
};

static struct im_entry im[IKEYS]; /* by key number */

/* Key k: name k % NNAMES, type and flags from k's other digits. */
static void ikey(unsigned k, uint8_t *q, uint16_t *qt, uint8_t *flags)
{
	rnd_name(k % NNAMES, q);
	*qt = (k / NNAMES) % 2 ? T_AAAA : T_A;
	*flags = (uint8_t)(k / (2 * NNAMES));
}

static void test_random_operations_agree_with_a_model_inflight(void **state)
{
	(void)state;
	rng_state = 777;
	memset(im, 0, sizeof(im));
	struct tw_inflight *t = infl_new(ICAP, IPOOL, IPERKEY, 24);
	const struct tw_inflight_stats *s = tw_inflight_stats(t);
	uint64_t tag = 1;
	unsigned entries = 0, waiters = 0, refused_full = 0, refused_cap = 0, refused_pool = 0;

	for (unsigned op = 0; op < 200000; op++) {
		unsigned r = rndn(100);
		unsigned k = rndn(IKEYS);
		struct im_entry *x = &im[k];
		uint8_t q[TW_DNS_NAME_MAXLEN];
		uint16_t qt;
		uint8_t fl;
		ikey(k, q, &qt, &fl);
		if (r < 30) {
			bool created;
			uint32_t h = tw_inflight_find_or_add(t, q, qt, C_IN, fl, op, &created);
			if (x->live) {
				assert_int_equal(h, x->handle);
				assert_false(created);
			} else if (entries == ICAP) {
				assert_int_equal(h, TW_INFLIGHT_NONE);
				refused_full++;
			} else {
				assert_int_not_equal(h, TW_INFLIGHT_NONE);
				assert_true(created);
				*x = (struct im_entry){ .live = true, .handle = h };
				entries++;
			}
		} else if (r < 60) {
			if (!x->live)
				continue;
			uint64_t *rec = tw_inflight_waiter_add(t, x->handle);
			if (x->n == IPERKEY) {
				assert_null(rec);
				refused_cap++;
			} else if (waiters == IPOOL) {
				assert_null(rec);
				refused_pool++;
			} else {
				assert_non_null(rec);
				assert_int_equal(rec[0], 0);
				rec[0] = tag;
				rec[1] = ~tag;
				rec[2] = tag * 3;
				x->tags[x->n++] = tag++;
				waiters++;
			}
		} else if (r < 75) {
			if (!x->live) {
				assert_int_equal(tw_inflight_find(t, q, qt, C_IN, fl), TW_INFLIGHT_NONE);
				continue;
			}
			unsigned n = 0;
			for (uint64_t *rec = tw_inflight_waiter_first(t, x->handle); rec;
			     rec = tw_inflight_waiter_next(t, x->handle, rec)) {
				assert_true(n < x->n);
				assert_int_equal(rec[0], x->tags[n]);
				assert_int_equal(rec[1], ~x->tags[n]);
				assert_int_equal(rec[2], x->tags[n] * 3);
				n++;
			}
			assert_int_equal(n, x->n);
			assert_int_equal(tw_inflight_find(t, q, qt, C_IN, fl), x->handle);
		} else if (r < 88) {
			if (!x->live) {
				if (x->handle)
					assert_int_equal(tw_inflight_remove(t, x->handle), -TW_ENOENT);
				continue;
			}
			assert_int_equal(tw_inflight_remove(t, x->handle), 0);
			x->live = false;
			entries--;
			waiters -= x->n;
			x->n = 0;
		} else {
			if (!x->live)
				continue;
			uint64_t v;
			assert_int_equal(tw_inflight_get_value(t, x->handle, &v), 0);
			assert_int_equal(v, x->value);
			x->value = rnd();
			assert_int_equal(tw_inflight_set_value(t, x->handle, x->value), 0);
			const struct tw_inflight_key *key = tw_inflight_key(t, x->handle);
			assert_true(tw_dns_name_equal(key->qname, q));
			assert_int_equal(key->qtype, qt);
			assert_int_equal(key->flags, fl);
		}
		assert_int_equal(s->entries, entries);
		assert_int_equal(s->waiters, waiters);
	}
	assert_int_equal(s->refused_full, refused_full);
	assert_int_equal(s->refused_key_cap, refused_cap);
	assert_int_equal(s->refused_pool, refused_pool);
	assert_true(refused_full > 100 && refused_cap > 100 && refused_pool > 100);
	tw_inflight_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answer_with_other_case_matches_and_removes),
		cmocka_unit_test(test_wrong_id_port_source_or_question_is_refused_and_kept),
		cmocka_unit_test(test_ipv6_upstream_matches_all_sixteen_octets),
		cmocka_unit_test(test_full_table_refuses_until_an_entry_goes),
		cmocka_unit_test(test_triples_stay_unique_over_many_adds),
		cmocka_unit_test(test_colliding_draw_is_redrawn_and_biased_ports_rejected),
		cmocka_unit_test(test_no_free_triple_and_rand_failure_are_refused),
		cmocka_unit_test(test_ids_and_ports_spread_over_their_ranges),
		cmocka_unit_test(test_timeout_retries_next_upstream_then_gives_up),
		cmocka_unit_test(test_late_answer_to_an_earlier_send_is_taken),
		cmocka_unit_test(test_only_the_last_four_earlier_sends_stay_answerable),
		cmocka_unit_test(test_retry_answer_is_matched_on_the_new_triple),
		cmocka_unit_test(test_expire_is_bounded_per_call_in_deadline_order),
		cmocka_unit_test(test_expire_returns_only_the_few_expired_of_many),
		cmocka_unit_test(test_failing_upstream_goes_down_and_returns_through_a_probe),
		cmocka_unit_test(test_backoff_doubles_up_to_its_cap),
		cmocka_unit_test(test_all_upstreams_down_still_sends_to_least_recently_failed),
		cmocka_unit_test(test_timeout_of_a_send_older_than_the_recovery_changes_nothing),
		cmocka_unit_test(test_cancel_removes_and_a_cancelled_probe_is_retried),
		cmocka_unit_test(test_srtt_follows_measured_rtts),
		cmocka_unit_test(test_bad_configurations_are_refused_with_a_reason),
		cmocka_unit_test(test_three_clients_coalesce_on_one_key_in_any_case),
		cmocka_unit_test(test_flags_type_and_class_make_separate_keys),
		cmocka_unit_test(test_per_key_waiter_cap_refuses_the_next_client),
		cmocka_unit_test(test_pool_and_table_exhaustion_recover_after_remove),
		cmocka_unit_test(test_random_operations_agree_with_a_model_pending),
		cmocka_unit_test(test_random_operations_agree_with_a_model_inflight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
