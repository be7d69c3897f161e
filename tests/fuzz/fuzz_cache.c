/* libFuzzer target: a hostile answer filed into the shared cache as if it had
 * validated secure (the worst case: the cache trusts the verdict), then every
 * lookup kind asked about the names it holds. The cache must neither crash nor
 * serve anything inconsistent; eviction runs (small memory limit). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"

#define MAX_RR 512
#define CHECK(x)                                                              \
	do {                                                                  \
		if (!(x)) {                                                   \
			fprintf(stderr, "fuzz_cache.c:%d: %s\n", __LINE__, #x); \
			abort();                                              \
		}                                                             \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tw_cache *cache;
static struct tw_cache_thread *thr;
static struct tw_dns_rr rrs[MAX_RR];
static uint32_t ttls[MAX_RR];
static uint8_t out[65535];
static unsigned runs;

#define NOW 1700000000u
#define MAX_TTL 86400u

static void setup(void)
{
	struct tw_cache_conf conf;
	tw_cache_conf_init(&conf);
	conf.mem_limit = 4u << 20;
	conf.max_ttl = MAX_TTL;
	conf.seed = 1;
	char err[128];
	cache = tw_cache_new(&conf, err, sizeof(err));
	CHECK(cache);
	thr = tw_cache_thread_register(cache);
	CHECK(thr);
}

/* Every RRset view must be self-consistent. */
static void check_rrset(const struct tw_cache_rrset *r)
{
	uint32_t pos = 0, n = 0;
	const uint8_t *rd;
	uint16_t len;
	while (tw_cache_rrset_next(r, &pos, &rd, &len))
		n++;
	CHECK(n == (uint32_t)r->count + r->sig_count);
	CHECK(pos == r->data_len);
	CHECK(r->ttl <= MAX_TTL);
	CHECK(r->reason != NULL);
}

static void probe(const uint8_t *name, uint32_t now)
{
	static const uint16_t types[] = { TW_DNS_T_A, TW_DNS_T_DS, TW_DNS_T_TXT, TW_DNS_T_NSEC };
	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct tw_cache_rrset r;
		if (tw_cache_rrset_lookup(thr, name, types[i], 1, now, &r))
			check_rrset(&r);
		struct tw_cache_synth s;
		if (tw_cache_synth_lookup(thr, name, types[i], 1, now, &s)) {
			CHECK(s.rcode == 0 || s.rcode == 3);
			CHECK(s.nauth <= TW_CACHE_SYNTH_MAX);
			CHECK(s.ttl <= MAX_TTL);
			for (unsigned k = 0; k < s.nauth; k++)
				check_rrset(&s.auth[k]);
			if (s.has_answer)
				check_rrset(&s.answer);
			else
				CHECK(s.nauth >= 2 && s.auth[0].type == TW_DNS_T_SOA);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cache)
		setup();
	struct tw_dns_msg m;
	if (size < 1 || tw_dns_msg_parse(&m, data, size, rrs, MAX_RR) != 0)
		return 0;
	uint32_t now = NOW + (runs++ % 4096);
	for (unsigned i = 0; i < m.rr_count; i++)
		ttls[i] = m.rr[i].ttl;
	struct tw_val_result r = { .verdict = TW_VAL_SECURE, .ede = TW_EDE_NONE };
	uint8_t qname[TW_DNS_NAME_MAXLEN] = { 0 };
	if (m.qdcount == 1)
		tw_dns_name_unpack(m.wire, m.len, m.qname, qname, NULL, NULL);
	CHECK(tw_cache_insert_validated(thr, &r, &m, ttls, qname, m.qtype, m.qclass, now) >= 0);
	int rc = tw_cache_pkt_insert(thr, data, size, (uint8_t)(data[0] & 0x3F), TW_CACHE_SECURE,
				     300, now);
	CHECK(rc == 0 || rc < 0);
	/* the message as a query for the packet cache */
	if (m.qdcount == 1) {
		size_t n = tw_cache_pkt_answer(thr, &m, now, out, sizeof(out));
		if (n) {
			struct tw_dns_msg a;
			static struct tw_dns_rr arr[MAX_RR];
			CHECK(tw_dns_msg_parse(&a, out, n, arr, MAX_RR) == 0);
			CHECK(a.id == m.id);
		}
		probe(qname, now);
	}
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	for (unsigned i = 0; i < m.rr_count && i < 16; i++)
		if (tw_dns_name_unpack(m.wire, m.len, m.rr[i].owner, owner, NULL, NULL) == 0)
			probe(owner, now);
	tw_cache_maintain(thr, now, 64);
	tw_cache_quiescent(thr);
	return 0;
}
