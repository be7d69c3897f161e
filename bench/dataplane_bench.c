/* dataplane_bench: trustwired's worker lcore on its own, no kernel: the real
 * worker loop (dataplane/worker.c, set up as dataplane/main.c sets it up) on
 * lcore 1, fed over a DPDK net_ring port by a generator on the main lcore 0 that
 * is also the resolver farm. Figures per case: queries/s, the worker's busy
 * cycles per query, and on the miss path signature verifications per query.
 *
 * Usage: dataplane_bench [--seconds N] [--json] [--names N] [--miss-names N]
 *                        [--case hit|miss] [--verbose] [--corrupt N]
 *
 *   --seconds N      measured time per case (default 5), run as slices of 0.5 s
 *                    in rounds, the case order rotating; figures are medians
 *                    over the slices
 *   --names N        names of the hit path (default 10000, a third per zone)
 *   --miss-names N   names of the miss path per algorithm (default 16384: as
 *                    many in p256.test., half as many in each RSA zone)
 *   --case C         only the hit case, or only the miss cases
 *   --json           one JSON object per line instead of the table
 *   --verbose        trustwired's counters (tw_worker_print_stats) after the
 *                    warm-up and at the end
 *   --corrupt N      checks the checker: the farm breaks the signature of every
 *                    Nth A answer, the worker answers SERVFAIL, the run fails
 *
 * The appliance. EAL with --no-huge -m 1024 --no-pci -l 0-1; the configuration
 * is trustwired's (mgmt/config.h) from the YAML text in setup(): port address
 * 198.18.0.1/24, one upstream 198.18.0.2:53, the test root's DS as trust anchor
 * file, TCP slow path off, exceptions dropped, every other key at its default
 * (cache 256 MiB, 4096 pending, 800 ms upstream timeout). From there the setup
 * is dataplane/main.c's: anchors loaded with tw_anchors_load_all, tw_cache_new,
 * the mbuf pool sized as main.c sizes it, tw_port_setup, the inline crypto
 * pipeline, tw_worker_new, tw_worker_main through rte_eal_remote_launch,
 * stopped with sh.stop. The port is a net_ring ethdev (rte_eth_from_rings) over
 * two rte_rings: the generator enqueues frames on the worker's receive ring and
 * dequeues what the worker transmits.
 *
 * Zones, signed in process by tests/lib/tsign before the EAL starts (on two
 * threads): a root (ECDSAP256SHA256, its KSK's DS is the trust anchor), the TLD
 * test. (ECDSAP256SHA256) and three leaves, each with a KSK and a ZSK:
 * p256.test. (ECDSAP256SHA256), rsa.test. and rsa2.test. (RSASHA256, 2048-bit
 * keys). Each leaf holds hit names h<i> (A, TTL 86400) and miss names m<i> (A,
 * TTL 1). The farm's answers are prepared from them: every A with its RRSIG, the
 * DNSKEY sets with theirs, the DS sets from the parents; the farm copies the
 * question's ID and name into the prepared answer.
 *
 * The generator (lcore 0) polls the worker's transmit ring and
 *   - answers ARP requests for the upstream (the worker resolves its next hop
 *     before its first question);
 *   - answers every upstream question (Ethernet/IPv4/UDP to 198.18.0.2:53, its
 *     checksums checked) from the prepared answers; a question it has no answer
 *     for is an error;
 *   - checks every answer to a client: Ethernet/IPv4/UDP back to the client's
 *     address and port with correct checksums, the query's ID, QR, RD, NOERROR,
 *     AD, the question as asked, exactly one A record with the name's address
 *     and the OPT record; anything else, an answer for no query, or no answer
 *     within 2 s of the end of a slice is an error;
 * then sends new queries up to a window: Ethernet/IPv4/UDP frames with correct
 * checksums from 4096 client addresses 10.64.0.0-10.64.15.255 (each its own
 * port), to 198.18.0.1:53, RD and AD set, EDNS 1232 without DO (as stub
 * resolvers ask), one query in flight per client at a time.
 *
 * Cases.
 *   hit         every hit name is asked once first (the warm-up, through the
 *               farm: validated and cached), then they are asked in turn at full
 *               speed (window 2048): every answer comes from the packet cache.
 *   miss alg13  miss names of p256.test. / of the two RSA zones / alternately
 *   miss alg8   of both algorithms, in turn (window 512). A name is asked again
 *   miss mix    only 1.1 s after its answer, when its cached answer (TTL 1) has
 *               expired, so every query misses the cache, asks the farm, is
 *               validated (one RRSIG to verify: the key store holds the zones'
 *               keys since the warm-up, the realistic steady state) and is
 *               inserted in the cache as a new name's answer would be. When no
 *               name is ready the generator waits ("limited": share of its
 *               polls that found none; raise --miss-names).
 *
 * Figures. Worker counters (tw_worker_stats) are read at the start and end of
 * each slice, after a 50 ms ramp:
 *   queries/s      answers checked by the generator per second of wall time
 *   busy cyc/q     worker busy_cycles (TSC cycles of loops that had work) /
 *                  queries answered: hits for the hit case, verdicts for the
 *                  miss cases
 *   all cyc/q      every worker cycle (idle polling included) / the same
 *   on-cpu est     busy cyc/q x the worker thread's CPU share: the TSC keeps
 *                  counting while another process has the core, so on a shared
 *                  machine busy cyc/q overstates the work; this estimate takes
 *                  the preemption as spread evenly over busy and idle loops
 *   capacity/s     TSC Hz / busy cyc/q: what the worker lcore would answer if
 *                  the generator kept it busy (on the hit path the generator,
 *                  which builds and checks every frame, is the slower side)
 *   verif/q        signature verifications handed to the crypto pipeline per
 *                  query (crypto_jobs); upstream/q questions to the farm
 *   burst          frames received per busy loop
 *   busy %         busy cycles / all cycles of the worker
 *   cpu %, gen %   CPU time of the worker's and the generator's threads / wall
 *                  time (below ~90 %: other processes ran on their cores)
 * There is no in-process peer for this benchmark. The hit path's busy cycles
 * per query line in JSON takes the goal (300 cycles per query) as its
 * reference: "peer":"goal-300-cycles", "peer_value":300, "ratio" = 300 / ours
 * (>= 1.0: goal met). Every other line has "peer":null and "ratio":null; the
 * queries/s lines carry the CPU and busy shares. JSON cases per table row:
 * "<case>" (queries/s), "<case> busy cycles", "<case> all cycles", "<case>
 * on-cpu cycles est", "<case> capacity" and, for misses, "<case> verifications". The goal is reported, not
 * asserted. Two workers are not measured: with the generator on one of the two
 * cores there is no third.
 *
 * Exit status 1 on any wrong or missing answer, an upstream question the farm
 * cannot answer, a frame it cannot place, or a setup failure; 2 on a bad
 * argument.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "cache/cache.h"
#include "crypto/pipeline.h"
#include "crypto/validator.h"
#include "dataplane/net.h"
#include "dataplane/port.h"
#include "dataplane/worker.h"
#include "dns/build.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "mgmt/anchors.h"
#include "mgmt/config.h"
#include "tests/lib/tsign.h"

#define DAY 86400u
#define NZONES 3
#define KIND_HIT 0
#define KIND_MISS 1
#define HIT_TTL 86400u
#define MISS_TTL 1u
#define MISS_REUSE_MS 1100u  /* a miss name's answer (TTL 1) has expired by then */
#define NSLOTS 4096          /* clients, one query in flight each */
#define WINDOW_HIT 2048
#define WINDOW_MISS 512
#define WINDOW_WARM 512
#define GEN_BURST 64
#define RING_SIZE 16384
#define SLICE 0.5            /* seconds */
#define RAMP 0.05            /* seconds before a slice's counters are read */
#define DRAIN_S 2.0          /* an answer later than this after a slice is missing */
#define WARM_DRAIN_S 30.0    /* after the warm-up */
#define HDR_LEN 42           /* Ethernet + IPv4 + UDP */
#define QRRS 16

static const uint8_t APPLIANCE_IP[4] = { 198, 18, 0, 1 };
static const uint8_t UPSTREAM_IP[4] = { 198, 18, 0, 2 };
static const uint8_t UPSTREAM_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };
static const uint8_t ROUTER_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0xfe }; /* clients' */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "dataplane_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- the zones and the farm's answers ------------------------------------------------ */

/* A query name, uncompressed wire form, lower case. */
struct qname {
	uint8_t len;
	uint8_t wire[31];
};

struct leaf {
	const char *origin;
	uint8_t alg;
	unsigned bits;
	unsigned n[2];              /* names per kind */
	struct ts_zone *z;
	struct ts_key *ksk;         /* owned by z */
	struct qname *names[2];
	uint32_t *ans_off[2];       /* each name's A answer in arena */
	uint16_t *ans_len[2];
	uint8_t *arena;
	size_t arena_len, arena_cap;
	uint32_t inc, exp;
	double sign_s;            /* seconds ts_zone_sign took */
};

/* Answers for the chain: DNSKEY and DS sets. */
struct infra {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint16_t type;
	uint8_t *wire;
	size_t len;
};

static struct leaf leaves[NZONES] = {
	{ .origin = "p256.test.", .alg = 13, .bits = 0 },
	{ .origin = "rsa.test.", .alg = 8, .bits = 2048 },
	{ .origin = "rsa2.test.", .alg = 8, .bits = 2048 },
};
#define NAMES_MAX (1u << 20) /* per zone and kind (the address has 20 bits for it) */
static struct infra infra[16];
static unsigned ninfra;

/* A name's address: 100.64.0.0 + zone, kind and index */
static uint32_t name_addr(unsigned zone, unsigned kind, uint32_t i)
{
	return 0x64400000u + ((uint32_t)(zone * 2 + kind) << 20 | (i & (NAMES_MAX - 1)));
}

static size_t arena_put(struct leaf *l, const uint8_t *p, size_t n)
{
	if (l->arena_len + n > l->arena_cap) {
		l->arena_cap = (l->arena_len + n) * 2;
		l->arena = realloc(l->arena, l->arena_cap);
		if (!l->arena)
			die("out of memory");
	}
	memcpy(l->arena + l->arena_len, p, n);
	size_t off = l->arena_len;
	l->arena_len += n;
	return off;
}

static struct ts_msg *positive(struct ts_zone *z, const char *owner, uint16_t type)
{
	struct ts_msg *m = ts_msg_new(owner, type, TW_DNS_R_NOERROR);
	if (!m || ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, owner, type) < 0)
		die("no %s/%u in the zone", owner, type);
	return m;
}

static void infra_put(const char *name, uint16_t type, struct ts_msg *m)
{
	if (ninfra == sizeof(infra) / sizeof(infra[0]))
		die("too many chain answers");
	struct infra *a = &infra[ninfra++];
	if (ts_name(name, a->name) < 0)
		die("bad name %s", name);
	size_t len;
	const uint8_t *w = ts_msg_wire(m, &len);
	if (!w)
		die("%s/%u: no wire form", name, type);
	a->wire = malloc(len);
	if (!a->wire)
		die("out of memory");
	memcpy(a->wire, w, len);
	a->len = len;
	a->type = type;
	ts_msg_free(m);
}

/* Builds and signs one leaf and its answers (tsign objects are per thread, the
 * leaves share nothing, so two threads build them). */
static void leaf_build(struct leaf *l)
{
	l->z = ts_zone_new(l->origin);
	if (!l->z)
		die("zone %s", l->origin);
	static const char *apex[] = {
		"@ 3600 IN SOA ns admin 1 3600 900 604800 300",
		"@ 3600 IN NS ns",
		"ns 3600 IN A 192.0.2.53",
	};
	for (size_t i = 0; i < sizeof(apex) / sizeof(apex[0]); i++)
		if (ts_zone_add(l->z, apex[i]) < 0)
			die("%s: %s", l->origin, apex[i]);
	unsigned zone = (unsigned)(l - leaves);
	uint8_t origin[TW_DNS_NAME_MAXLEN];
	size_t olen = tw_dns_name_len(ts_zone_origin(l->z));
	memcpy(origin, ts_zone_origin(l->z), olen);
	for (unsigned k = 0; k < 2; k++) {
		l->names[k] = calloc(l->n[k] ? l->n[k] : 1, sizeof(struct qname));
		l->ans_off[k] = calloc(l->n[k] ? l->n[k] : 1, sizeof(uint32_t));
		l->ans_len[k] = calloc(l->n[k] ? l->n[k] : 1, sizeof(uint16_t));
		if (!l->names[k] || !l->ans_off[k] || !l->ans_len[k])
			die("out of memory");
		for (uint32_t i = 0; i < l->n[k]; i++) {
			struct qname *q = &l->names[k][i];
			char lab[16];
			int ll = snprintf(lab, sizeof(lab), "%c%u", k == KIND_HIT ? 'h' : 'm', i);
			q->wire[0] = (uint8_t)ll;
			memcpy(q->wire + 1, lab, (size_t)ll);
			memcpy(q->wire + 1 + ll, origin, olen);
			q->len = (uint8_t)(1 + ll + olen);
			uint32_t a = name_addr(zone, k, i);
			uint8_t rd[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8),
					  (uint8_t)a };
			if (ts_zone_add_rr(l->z, q->wire, TW_DNS_T_A, k == KIND_HIT ? HIT_TTL : MISS_TTL,
					   rd, 4) < 0)
				die("%s: add %s", l->origin, lab);
		}
	}
	struct ts_key *ksk = l->bits ? ts_key_new_bits(l->alg, 257, l->bits) : ts_key_new(l->alg, 257);
	struct ts_key *zsk = l->bits ? ts_key_new_bits(l->alg, 256, l->bits) : ts_key_new(l->alg, 256);
	if (!ksk || !zsk)
		die("%s: key generation", l->origin);
	ts_zone_add_key(l->z, ksk, true, false);
	ts_zone_add_key(l->z, zsk, false, true);
	l->ksk = ksk;
	double t1 = seconds_now();
	if (ts_zone_sign(l->z, l->inc, l->exp) < 0)
		die("%s: signing", l->origin);
	l->sign_s = seconds_now() - t1;
	for (unsigned k = 0; k < 2; k++)
		for (uint32_t i = 0; i < l->n[k]; i++) {
			char text[TW_DNS_NAME_STRLEN];
			tw_dns_name_to_str(l->names[k][i].wire, text, sizeof(text));
			struct ts_msg *m = positive(l->z, text, TW_DNS_T_A);
			size_t len;
			const uint8_t *w = ts_msg_wire(m, &len);
			if (!w || len > 1400)
				die("%s: answer of %zu octets", text, len);
			l->ans_off[k][i] = (uint32_t)arena_put(l, w, len);
			l->ans_len[k][i] = (uint16_t)len;
			ts_msg_free(m);
		}
}

/* Thread 1 signs one RSA leaf, thread 0 the other and the ECDSA one. */
static void *leaves_build(void *arg)
{
	if (arg)
		leaf_build(&leaves[1]);
	else {
		leaf_build(&leaves[2]);
		leaf_build(&leaves[0]);
	}
	return NULL;
}

static struct ts_zone *chain_zone(const char *origin, const char **lines, size_t n,
				  struct ts_key **ksk_out)
{
	struct ts_zone *z = ts_zone_new(origin);
	if (!z)
		die("zone %s", origin);
	for (size_t i = 0; i < n; i++)
		if (ts_zone_add(z, lines[i]) < 0)
			die("%s: %s", origin, lines[i]);
	struct ts_key *k = ts_key_new(13, 257), *zk = ts_key_new(13, 256);
	if (!k || !zk)
		die("key generation");
	ts_zone_add_key(z, k, true, false);
	ts_zone_add_key(z, zk, false, true);
	*ksk_out = k;
	return z;
}

/* The world: leaves on two threads, then the TLD and the root above them; the
 * root's KSK as a DS line in anchor_text. */
static struct ts_zone *world_build(uint32_t now, char *anchor_text, size_t cap,
				   struct ts_zone **tld_out)
{
	uint32_t inc = now - DAY, exp = now + 30 * DAY;
	for (unsigned i = 0; i < NZONES; i++) {
		leaves[i].inc = inc;
		leaves[i].exp = exp;
	}
	pthread_t th;
	static int second;
	if (pthread_create(&th, NULL, leaves_build, &second) != 0)
		die("pthread_create");
	leaves_build(NULL);
	pthread_join(th, NULL);

	static const char *tld_lines[] = {
		"@ 3600 IN SOA ns.test. admin.test. 1 3600 900 604800 300",
		"@ 3600 IN NS ns.test.",
		"ns 3600 IN A 192.0.2.10",
		"p256 3600 IN NS ns.p256.test.",
		"rsa 3600 IN NS ns.rsa.test.",
		"rsa2 3600 IN NS ns.rsa2.test.",
	};
	struct ts_key *tksk, *rksk;
	struct ts_zone *tld = chain_zone("test.", tld_lines, sizeof(tld_lines) / sizeof(tld_lines[0]),
					 &tksk);
	for (unsigned i = 0; i < NZONES; i++)
		if (ts_zone_add_ds(tld, leaves[i].origin, leaves[i].ksk, 2) < 0)
			die("DS %s", leaves[i].origin);
	static const char *root_lines[] = {
		". 86400 IN SOA a.root. admin.root. 1 1800 900 604800 86400",
		". 86400 IN NS a.root.",
		"a.root. 86400 IN A 192.0.2.100",
		"test. 86400 IN NS ns.test.",
		"ns.test. 86400 IN A 192.0.2.10",
	};
	struct ts_zone *root = chain_zone(".", root_lines, sizeof(root_lines) / sizeof(root_lines[0]),
					  &rksk);
	if (ts_zone_add_ds(root, "test.", tksk, 2) < 0 || ts_zone_nsec(tld) < 0 ||
	    ts_zone_nsec(root) < 0 || ts_zone_sign(tld, inc, exp) < 0 ||
	    ts_zone_sign(root, inc, exp) < 0)
		die("signing the TLD and the root");

	infra_put(".", TW_DNS_T_DNSKEY, positive(root, ".", TW_DNS_T_DNSKEY));
	infra_put("test.", TW_DNS_T_DS, positive(root, "test.", TW_DNS_T_DS));
	infra_put("test.", TW_DNS_T_DNSKEY, positive(tld, "test.", TW_DNS_T_DNSKEY));
	for (unsigned i = 0; i < NZONES; i++) {
		infra_put(leaves[i].origin, TW_DNS_T_DS, positive(tld, leaves[i].origin, TW_DNS_T_DS));
		infra_put(leaves[i].origin, TW_DNS_T_DNSKEY,
			  positive(leaves[i].z, leaves[i].origin, TW_DNS_T_DNSKEY));
	}

	uint8_t rootn[1] = { 0 }, ds[128];
	int dl = ts_key_ds(rksk, rootn, 2, ds, sizeof(ds));
	if (dl < 4)
		die("root DS");
	int o = snprintf(anchor_text, cap, ". 86400 IN DS %u %u %u ", get16(ds), ds[2], ds[3]);
	for (int i = 4; i < dl && (size_t)o + 3 < cap; i++)
		o += snprintf(anchor_text + o, cap - (size_t)o, "%02X", ds[i]);
	snprintf(anchor_text + o, cap - (size_t)o, "\n");
	*tld_out = tld;
	return root;
}

/* ---- trustwired, as dataplane/main.c sets it up ---------------------------------------- */

static struct tw_dp_shared sh;
static struct tw_config cfg;
static struct tw_val_conf *vconf;
static struct tw_cache *cache;
static struct rte_ring *rx_ring, *tx_ring; /* the worker's receive and transmit sides */
static unsigned worker_lcore;
static clockid_t worker_cpu_clock;             /* the worker lcore thread's CPU time */
static struct tw_port_info port_info;

static int probe_thread(void *arg)
{
	*(pthread_t *)arg = pthread_self();
	return 0;
}

static double cpu_seconds(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void eal_start(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=dataplane_bench_%d", (int)getpid());
	char *args[] = { "dataplane_bench", "-l", "0-1", "--no-huge", "-m", "1024", "--no-pci",
			 "--no-telemetry", "--no-shconf", prefix, "--log-level=warning" };
	if (rte_eal_init((int)(sizeof(args) / sizeof(args[0])), args) < 0)
		die("rte_eal_init (-l 0-1 --no-huge -m 1024 --no-pci) failed: %s",
		    rte_strerror(rte_errno));
	unsigned lc, n = 0;
	RTE_LCORE_FOREACH_WORKER(lc) {
		if (n++ == 0)
			worker_lcore = lc;
	}
	if (n != 1)
		die("expected exactly one worker lcore, got %u", n);
	/* the lcore's thread (EAL keeps it for the worker launched later), for the
	 * share of its CPU it gets: the machine may be running other work */
	pthread_t th;
	if (rte_eal_remote_launch(probe_thread, &th, worker_lcore) != 0 ||
	    rte_eal_wait_lcore(worker_lcore) != 0 || pthread_getcpuclockid(th, &worker_cpu_clock) != 0)
		die("cannot read the worker lcore's CPU clock");
}

static void setup(const char *anchor_path)
{
	char err[TW_CONFIG_ERRLEN];
	char yaml[1024];
	/* the keys a test deployment gives; everything else at trustwired's defaults */
	int yl = snprintf(yaml, sizeof(yaml),
			  "port:\n"
			  "  ip: 198.18.0.1/24\n"
			  "upstreams:\n"
			  "  - 198.18.0.2\n"
			  "trust_anchors:\n"
			  "  - %s\n"
			  "tcp:\n"
			  "  enabled: false\n"
			  /* every miss verifies, as for names never seen before: the
			   * miss cases ask the same names again once their TTL ran out,
			   * whose signatures the verification memo would know */
			  "workers:\n"
			  "  verify_memo: 0\n",
			  anchor_path);
	if (tw_config_init(&cfg) != 0 ||
	    tw_config_load_text(&cfg, yaml, (size_t)yl, "dataplane_bench.yaml", err, sizeof(err)) != 0 ||
	    tw_config_validate(&cfg, err, sizeof(err)) != 0)
		die("configuration: %s", err);

	/* the validation engine: anchors from the configured files */
	vconf = tw_val_conf_new();
	if (!vconf)
		die("out of memory");
	int na = tw_anchors_load_all(vconf, (const char *const *)cfg.trust_anchors,
				     cfg.ntrust_anchors, (uint32_t)time(NULL), err, sizeof(err));
	if (na < 0)
		die("%s", err);
	struct tw_val_limits *lim = tw_val_conf_limits(vconf);
	lim->max_ttl = cfg.cache.max_ttl;
	lim->bogus_ttl = cfg.cache.bogus_ttl;

	/* the cache */
	struct tw_cache_conf cc = cfg.cache;
	cc.max_threads = RTE_MAX_LCORE < 64 ? RTE_MAX_LCORE : 64;
	cache = tw_cache_new(&cc, err, sizeof(err));
	if (!cache)
		die("%s", err);

	/* the port: a net_ring ethdev over our two rings */
	rx_ring = rte_ring_create("dpb_rx", RING_SIZE, (int)rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx_ring = rte_ring_create("dpb_tx", RING_SIZE, (int)rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!rx_ring || !tx_ring)
		die("rte_ring_create: %s", rte_strerror(rte_errno));
	int port = rte_eth_from_rings("net_ring_dpb", &rx_ring, 1, &tx_ring, 1, rte_socket_id());
	if (port < 0)
		die("rte_eth_from_rings: %s", rte_strerror(rte_errno));

	sh.port = (uint16_t)port;
	sh.nworkers = 1;
	sh.cache = cache;
	sh.vconf = vconf;
	/* every client waiting holds its query's mbuf until its answer goes out */
	unsigned nmbuf = 8192u + sh.nworkers * (cfg.limits.pending * 6u + 4096u);
	sh.mp = rte_pktmbuf_pool_create("tw_mbufs", nmbuf, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (!sh.mp)
		die("no memory for the mbuf pool (%u mbufs)", nmbuf);
	struct tw_port_info *pi = &port_info;
	if (tw_port_setup(sh.port, (uint16_t)sh.nworkers, sh.mp, pi, err, sizeof(err)) != 0)
		die("%s", err);
	static const uint8_t zero[6];
	if (memcmp(pi->mac, zero, 6) == 0) {
		/* net_ring may have no address of its own: configure one, as an
		 * operator would with port.mac */
		static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
		cfg.port.mac_set = true;
		memcpy(cfg.port.mac, mac, 6);
	}

	tw_dp_shared_config(&sh, &cfg, pi->mac);
	sh.slow = NULL;     /* tcp.enabled: false */
	sh.tap_port = -1;   /* and exception: drop, so no exception port */

	struct tw_crypto_pipe *pipe = tw_crypto_pipe_new_inline(4096);
	if (!pipe || tw_crypto_pipe_set_memo(pipe, cfg.workers.verify_memo, 4096) != 0)
		die("out of memory for a crypto pipeline");
	sh.workers[0] = tw_worker_new(&sh, 0, pipe, err, sizeof(err));
	if (!sh.workers[0])
		die("%s", err);
}

/* ---- the generator and farm (main lcore) ------------------------------------------- */

enum mode { M_IDLE, M_WARM, M_HIT, M_MISS13, M_MISS8, M_MIXED };

struct slot {
	bool busy;
	uint8_t zone, kind;
	uint16_t id;
	uint32_t name;
};

enum err_kind {
	E_FRAME,      /* an answer's Ethernet/IPv4/UDP wrong (addresses, lengths, checksums) */
	E_NO_QUERY,   /* an answer for a client with no query in flight */
	E_ID,
	E_FLAGS,      /* QR, RD, opcode, TC */
	E_RCODE,
	E_AD,
	E_QUESTION,
	E_RECORDS,    /* not exactly the A record with the name's address, or no OPT */
	E_PARSE,
	E_MISSING,    /* no answer within DRAIN_S after the slice */
	E_FARM_UNKNOWN, /* a question the farm has no answer for */
	E_FARM_FRAME, /* an upstream question's frame wrong */
	E_OTHER,      /* a frame from the worker of no kind expected */
	E_RING_FULL,  /* the worker's receive ring refused a frame */
	E_KINDS
};
static const char *err_names[E_KINDS] = {
	"frame", "no-query", "id", "flags", "rcode", "ad", "question", "records", "parse",
	"missing", "farm-unknown", "farm-frame", "other-frame", "ring-full",
};

struct gen {
	enum mode mode;
	unsigned window;
	uint8_t worker_mac[6];
	struct slot slots[NSLOTS];
	uint32_t free_q[NSLOTS];      /* FIFO of free slots */
	uint32_t fq_head, fq_n;
	unsigned outstanding;
	uint16_t seq;
	/* names */
	uint32_t hit_total, hit_cursor, warm_sent, warm_limit;
	uint32_t miss_cursor[NZONES];
	uint64_t *miss_ready[NZONES]; /* ms (gen clock) from which a miss name may be
				       * asked again; UINT64_MAX while in flight */
	uint64_t zone_seq;
	/* counters */
	uint64_t sent, answered, farm_answers, arp_replies, name_limited_polls, polls;
	uint64_t err[E_KINDS];
	unsigned unknown_printed;
	uint64_t ms_div;
	unsigned corrupt;             /* --corrupt N: every Nth A answer's RRSIG broken */
	uint64_t farm_a;
};

static struct gen g;

static uint64_t gen_ms(void)
{
	return (rte_get_tsc_cycles() - sh.tsc0) / g.ms_div;
}

static void client_addr(uint32_t s, uint8_t ip[4], uint16_t *port)
{
	ip[0] = 10;
	ip[1] = 64;
	ip[2] = (uint8_t)(s >> 8);
	ip[3] = (uint8_t)s;
	*port = (uint16_t)(1024u + (s * 37u) % 60000u);
}

static bool csum_ok_ip4(const uint8_t *ip)
{
	return tw_csum_fold(tw_csum_partial(ip, 20, 0)) == 0;
}

static bool csum_ok_udp4(const uint8_t *ip, const uint8_t *u, size_t ulen)
{
	if (get16(u + 6) == 0)
		return false; /* the worker always fills it in */
	uint32_t s = tw_csum_partial(ip + 12, 8, 0) + htobe16(17) + htobe16((uint16_t)ulen);
	return tw_csum_fold(tw_csum_partial(u, ulen, s)) == 0;
}

/* Writes Ethernet, IPv4 and UDP headers (lengths and checksums left to
 * tw_net_udp_finish). */
static void write_headers(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6],
			  const uint8_t sip[4], const uint8_t dip[4], uint16_t sport, uint16_t dport)
{
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 4, 0);
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = 17;
	put16(ip + 10, 0);
	memcpy(ip + 12, sip, 4);
	memcpy(ip + 16, dip, 4);
	uint8_t *u = ip + 20;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 6, 0);
}

static const struct qname *slot_name(const struct slot *s)
{
	return &leaves[s->zone].names[s->kind][s->name];
}

/* Picks the next query's name for the mode; false when none is ready. */
static bool next_name(unsigned *zone, unsigned *kind, uint32_t *idx, uint64_t now_ms)
{
	switch (g.mode) {
	case M_WARM:
		if (g.warm_sent >= g.warm_limit)
			return false;
		*kind = KIND_HIT;
		*zone = g.warm_sent % NZONES;
		*idx = g.warm_sent / NZONES;
		g.warm_sent++;
		return true;
	case M_HIT: {
		uint32_t i = g.hit_cursor;
		g.hit_cursor = g.hit_cursor + 1 == g.hit_total ? 0 : g.hit_cursor + 1;
		*kind = KIND_HIT;
		*zone = i % NZONES;
		*idx = i / NZONES;
		return true;
	}
	case M_MISS13:
	case M_MISS8:
	case M_MIXED: {
		/* the zones of the case in turn (alg8: its two zones; mix: alg13
		 * every other query), the next if a zone has no name ready */
		static const uint8_t seq13[] = { 0 }, seq8[] = { 1, 2 }, seqmix[] = { 0, 1, 0, 2 };
		const uint8_t *seq = g.mode == M_MISS13 ? seq13 : g.mode == M_MISS8 ? seq8 : seqmix;
		unsigned nseq = g.mode == M_MISS13 ? 1 : g.mode == M_MISS8 ? 2 : 4;
		unsigned z = 0;
		uint32_t i = 0;
		bool found = false;
		for (unsigned t = 0; t < nseq && !found; t++) {
			z = seq[(g.zone_seq + t) % nseq];
			i = g.miss_cursor[z];
			found = g.miss_ready[z][i] <= now_ms;
		}
		if (!found)
			return false;
		g.miss_cursor[z] = i + 1 == leaves[z].n[KIND_MISS] ? 0 : i + 1;
		g.miss_ready[z][i] = UINT64_MAX;
		g.zone_seq++;
		*kind = KIND_MISS;
		*zone = z;
		*idx = i;
		return true;
	}
	case M_IDLE:
		break;
	}
	return false;
}

/* A client query into m for slot s. */
static void build_query(struct rte_mbuf *m, uint32_t s)
{
	struct slot *sl = &g.slots[s];
	const struct qname *qn = slot_name(sl);
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t cip[4];
	uint16_t cport;
	client_addr(s, cip, &cport);
	write_headers(f, g.worker_mac, ROUTER_MAC, cip, APPLIANCE_IP, cport, 53);
	uint8_t *d = f + HDR_LEN;
	put16(d, sl->id);
	put16(d + 2, TW_DNS_F_RD | TW_DNS_F_AD);
	put16(d + 4, 1);
	put16(d + 6, 0);
	put16(d + 8, 0);
	put16(d + 10, 1);
	memcpy(d + 12, qn->wire, qn->len);
	uint8_t *p = d + 12 + qn->len;
	put16(p, TW_DNS_T_A);
	put16(p + 2, TW_DNS_C_IN);
	p += 4;
	/* OPT: root owner, size 1232, no DO */
	p[0] = 0;
	put16(p + 1, TW_DNS_T_OPT);
	put16(p + 3, 1232);
	memset(p + 5, 0, 6);
	p += 11;
	size_t dlen = (size_t)(p - d);
	size_t flen = tw_net_udp_finish(f, HDR_LEN, dlen);
	m->data_len = (uint16_t)flen;
	m->pkt_len = (uint32_t)flen;
}

static void slot_release(uint32_t s)
{
	struct slot *sl = &g.slots[s];
	sl->busy = false;
	g.free_q[(g.fq_head + g.fq_n) % NSLOTS] = s;
	g.fq_n++;
	g.outstanding--;
}

/* Checks one answer to a client; frees its slot. */
static void check_answer(const uint8_t *f, size_t len, uint64_t now_ms)
{
	if (len < HDR_LEN + 12 || get16(f + 12) != 0x0800 || memcmp(f, ROUTER_MAC, 6) != 0 ||
	    memcmp(f + 6, g.worker_mac, 6) != 0) {
		g.err[E_FRAME]++;
		return;
	}
	const uint8_t *ip = f + 14, *u = ip + 20;
	size_t tot = get16(ip + 2);
	if (ip[0] != 0x45 || ip[9] != 17 || tot < 28 || tot > len - 14 || !csum_ok_ip4(ip) ||
	    memcmp(ip + 12, APPLIANCE_IP, 4) != 0 || ip[16] != 10 || ip[17] != 64 || ip[18] >= 16 ||
	    get16(u) != 53 || get16(u + 4) != tot - 20 || !csum_ok_udp4(ip, u, tot - 20)) {
		g.err[E_FRAME]++;
		return;
	}
	uint32_t s = (uint32_t)ip[18] << 8 | ip[19];
	uint8_t cip[4];
	uint16_t cport;
	client_addr(s, cip, &cport);
	if (get16(u + 2) != cport) {
		g.err[E_FRAME]++;
		return;
	}
	struct slot *sl = &g.slots[s];
	if (!sl->busy) {
		g.err[E_NO_QUERY]++;
		return;
	}
	const uint8_t *d = u + 8;
	size_t dlen = tot - 28;
	struct tw_dns_msg msg;
	struct tw_dns_rr rrs[QRRS];
	enum err_kind e = E_KINDS;
	const struct qname *qn = slot_name(sl);
	if (tw_dns_msg_parse(&msg, d, dlen, rrs, QRRS) != 0)
		e = E_PARSE;
	else if (msg.id != sl->id)
		e = E_ID;
	else if (!(msg.flags & TW_DNS_F_QR) || TW_DNS_OPCODE(msg.flags) != 0 ||
		 (msg.flags & TW_DNS_F_TC) || !(msg.flags & TW_DNS_F_RD))
		e = E_FLAGS;
	else if (tw_dns_msg_rcode(&msg) != TW_DNS_R_NOERROR)
		e = E_RCODE;
	else if (!(msg.flags & TW_DNS_F_AD))
		e = E_AD;
	else if (msg.qdcount != 1 || msg.qname != 12 || msg.qtype != TW_DNS_T_A ||
		 msg.qclass != TW_DNS_C_IN || dlen < 12u + qn->len ||
		 memcmp(d + 12, qn->wire, qn->len) != 0)
		e = E_QUESTION;
	else {
		uint32_t a = name_addr(sl->zone, sl->kind, sl->name);
		uint8_t want[4] = { (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8),
				    (uint8_t)a };
		const struct tw_dns_rr *r = &rrs[0];
		if (msg.ancount != 1 || msg.nscount != 0 || !msg.has_opt || msg.rr_count != 2 ||
		    r->type != TW_DNS_T_A || r->cls != TW_DNS_C_IN || r->rdlen != 4 ||
		    memcmp(d + r->rdata, want, 4) != 0 ||
		    !tw_dns_name_equal_wire(d, dlen, r->owner, 12))
			e = E_RECORDS;
	}
	if (e != E_KINDS) {
		g.err[e]++;
		if (g.err[e] == 1) {
			char t[TW_DNS_NAME_STRLEN];
			tw_dns_name_to_str(qn->wire, t, sizeof(t));
			fprintf(stderr, "dataplane_bench: first wrong answer (%s) for %s\n",
				err_names[e], t);
		}
	} else {
		g.answered++;
	}
	if (sl->kind == KIND_MISS)
		g.miss_ready[sl->zone][sl->name] = now_ms + MISS_REUSE_MS;
	slot_release(s);
}

/* The prepared answer to an upstream question (name at q, qtype), or NULL. */
static const uint8_t *farm_lookup(const uint8_t *q, size_t qlen, uint16_t qtype, size_t *alen)
{
	if (qtype == TW_DNS_T_A && q[0] >= 2 && q[0] <= 8 && (q[1] == 'h' || q[1] == 'm')) {
		unsigned kind = q[1] == 'h' ? KIND_HIT : KIND_MISS;
		uint32_t idx = 0;
		bool ok = true;
		for (unsigned i = 2; i <= q[0]; i++) {
			if (q[i] < '0' || q[i] > '9')
				ok = false;
			idx = idx * 10 + (uint32_t)(q[i] - '0');
		}
		for (unsigned z = 0; ok && z < NZONES; z++) {
			struct leaf *l = &leaves[z];
			if (idx >= l->n[kind])
				continue;
			const struct qname *qn = &l->names[kind][idx];
			if (qn->len == qlen && tw_dns_name_equal(qn->wire, q)) {
				*alen = l->ans_len[kind][idx];
				return l->arena + l->ans_off[kind][idx];
			}
		}
	}
	for (unsigned i = 0; i < ninfra; i++)
		if (infra[i].type == qtype && tw_dns_name_equal(infra[i].name, q)) {
			*alen = infra[i].len;
			return infra[i].wire;
		}
	return NULL;
}

/* An upstream question in m, turned into the farm's answer in place. False
 * (m to be freed) when it cannot be answered. */
static bool farm_answer(struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	size_t len = rte_pktmbuf_data_len(m);
	uint8_t *ip = f + 14, *u = ip + 20;
	size_t tot = get16(ip + 2);
	if (len < HDR_LEN + 12 || ip[0] != 0x45 || tot < 28 || tot > len - 14 ||
	    memcmp(f, UPSTREAM_MAC, 6) != 0 || memcmp(f + 6, g.worker_mac, 6) != 0 ||
	    !csum_ok_ip4(ip) || memcmp(ip + 12, APPLIANCE_IP, 4) != 0 ||
	    get16(u + 4) != tot - 20 || !csum_ok_udp4(ip, u, tot - 20)) {
		g.err[E_FARM_FRAME]++;
		return false;
	}
	uint8_t *d = u + 8;
	size_t dlen = tot - 28;
	struct tw_dns_msg q;
	if (tw_dns_msg_parse_question(&q, d, dlen) != 0 || q.qdcount != 1 || q.qname != 12 ||
	    (q.flags & TW_DNS_F_QR) || !(q.flags & TW_DNS_F_CD)) {
		g.err[E_FARM_FRAME]++;
		return false;
	}
	size_t alen = 0;
	const uint8_t *a = farm_lookup(d + 12, q.qname_len, q.qtype, &alen);
	if (!a || alen < 12u + q.qname_len) {
		g.err[E_FARM_UNKNOWN]++;
		if (g.unknown_printed++ < 5) {
			char t[TW_DNS_NAME_STRLEN];
			tw_dns_name_to_str(d + 12, t, sizeof(t));
			fprintf(stderr, "dataplane_bench: the farm has no answer for %s type %u\n", t,
				q.qtype);
		}
		return false;
	}
	size_t cap = m->buf_len - m->data_off;
	if (HDR_LEN + alen > cap) {
		g.err[E_FARM_UNKNOWN]++;
		return false;
	}
	uint16_t id = q.id, sport = get16(u);
	uint8_t qn[TW_DNS_NAME_MAXLEN];
	memcpy(qn, d + 12, q.qname_len);
	write_headers(f, g.worker_mac, UPSTREAM_MAC, UPSTREAM_IP, APPLIANCE_IP, 53, sport);
	memcpy(d, a, alen);
	put16(d, id);
	memcpy(d + 12, qn, q.qname_len); /* the question as asked (same length) */
	if (g.corrupt && q.qtype == TW_DNS_T_A && ++g.farm_a % g.corrupt == 0)
		d[alen - TW_DNS_OPT_FIXED_LEN - 1] ^= 0x01; /* the RRSIG's last octet, before OPT */
	size_t flen = tw_net_udp_finish(f, HDR_LEN, alen);
	m->data_len = (uint16_t)flen;
	m->pkt_len = (uint32_t)flen;
	g.farm_answers++;
	return true;
}

/* An ARP request for the upstream's address, answered in place. */
static bool arp_answer(struct rte_mbuf *m)
{
	uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
	if (rte_pktmbuf_data_len(m) < 42)
		return false;
	uint8_t *a = f + 14;
	if (get16(a) != 1 || get16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4 || get16(a + 6) != 1 ||
	    memcmp(a + 24, UPSTREAM_IP, 4) != 0)
		return false;
	uint8_t smac[6], sip[4];
	memcpy(smac, a + 8, 6);
	memcpy(sip, a + 14, 4);
	memcpy(f, smac, 6);
	memcpy(f + 6, UPSTREAM_MAC, 6);
	put16(a + 6, 2);
	memcpy(a + 8, UPSTREAM_MAC, 6);
	memcpy(a + 14, UPSTREAM_IP, 4);
	memcpy(a + 18, smac, 6);
	memcpy(a + 24, sip, 4);
	if (rte_pktmbuf_data_len(m) < 60) {
		m->data_len = 60;
		m->pkt_len = 60;
	}
	g.arp_replies++;
	return true;
}

/* One round of the generator: the worker's output handled, then new queries up
 * to the window, all handed to the worker in one enqueue. */
static void gen_poll(void)
{
	void *in[GEN_BURST];
	struct rte_mbuf *out[2 * GEN_BURST], *dead[GEN_BURST];
	unsigned nout = 0, ndead = 0;
	uint64_t now_ms = gen_ms();
	g.polls++;
	unsigned n = rte_ring_dequeue_burst(tx_ring, in, GEN_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
		size_t len = rte_pktmbuf_data_len(m);
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod((struct rte_mbuf *)in[i + 1], void *));
		if (len >= 14 && get16(f + 12) == 0x0806) {
			if (arp_answer(m))
				out[nout++] = m;
			else {
				g.err[E_OTHER]++;
				dead[ndead++] = m;
			}
			continue;
		}
		if (len >= HDR_LEN && get16(f + 12) == 0x0800 && f[14 + 9] == 17 &&
		    memcmp(f + 14 + 16, UPSTREAM_IP, 4) == 0 && get16(f + 14 + 20 + 2) == 53) {
			if (farm_answer(m))
				out[nout++] = m;
			else
				dead[ndead++] = m;
			continue;
		}
		if (len >= HDR_LEN && get16(f + 12) == 0x0800 && get16(f + 14 + 20) == 53)
			check_answer(f, len, now_ms);
		else
			g.err[E_OTHER]++;
		dead[ndead++] = m;
	}
	if (ndead)
		rte_pktmbuf_free_bulk(dead, ndead);

	unsigned want = 0;
	if (g.mode != M_IDLE && g.outstanding < g.window && g.fq_n > 0) {
		want = g.window - g.outstanding;
		if (want > GEN_BURST)
			want = GEN_BURST;
		if (want > g.fq_n)
			want = g.fq_n;
	}
	if (want) {
		struct rte_mbuf *nm[GEN_BURST];
		if (rte_pktmbuf_alloc_bulk(sh.mp, nm, want) != 0)
			want = 0;
		unsigned used = 0;
		for (; used < want; used++) {
			unsigned zone, kind;
			uint32_t idx;
			if (!next_name(&zone, &kind, &idx, now_ms)) {
				if (g.mode >= M_MISS13)
					g.name_limited_polls++;
				break;
			}
			uint32_t s = g.free_q[g.fq_head];
			g.fq_head = (g.fq_head + 1) % NSLOTS;
			g.fq_n--;
			struct slot *sl = &g.slots[s];
			sl->busy = true;
			sl->zone = (uint8_t)zone;
			sl->kind = (uint8_t)kind;
			sl->name = idx;
			sl->id = (uint16_t)(g.seq++ * 0x9E37u + s);
			g.outstanding++;
			g.sent++;
			build_query(nm[used], s);
			out[nout++] = nm[used];
		}
		if (used < want)
			rte_pktmbuf_free_bulk(nm + used, want - used);
	}
	if (nout) {
		unsigned k = rte_ring_enqueue_burst(rx_ring, (void **)out, nout, NULL);
		if (k < nout) {
			g.err[E_RING_FULL] += nout - k;
			rte_pktmbuf_free_bulk(out + k, nout - k);
		}
	}
}

/* No new queries; every query in flight answered, or counted missing after
 * `seconds`. */
static void gen_drain(double seconds)
{
	g.mode = M_IDLE;
	double end = seconds_now() + seconds;
	while (g.outstanding && seconds_now() < end)
		gen_poll();
	if (!g.outstanding)
		return;
	fprintf(stderr, "dataplane_bench: %u queries unanswered %.1f s after the last was sent\n",
		g.outstanding, seconds);
	g.err[E_MISSING] += g.outstanding;
	for (uint32_t s = 0; s < NSLOTS; s++)
		if (g.slots[s].busy) {
			struct slot *sl = &g.slots[s];
			if (sl->kind == KIND_MISS)
				g.miss_ready[sl->zone][sl->name] = gen_ms() + MISS_REUSE_MS;
			slot_release(s);
		}
}

static uint64_t gen_errors(void)
{
	uint64_t e = 0;
	for (unsigned i = 0; i < E_KINDS; i++)
		e += g.err[i];
	return e;
}

/* ---- cases and figures ------------------------------------------------------------ */

enum { C_HIT, C_MISS13, C_MISS8, C_MIXED, NCASES };
static const char *case_names[NCASES] = { "hit", "miss alg13", "miss alg8", "miss mix" };
static const enum mode case_modes[NCASES] = { M_HIT, M_MISS13, M_MISS8, M_MIXED };

struct sample {
	double qps, busy_cpq, all_cpq, verif_q, upstream_q, burst, busy_share, limited;
	double cpu_share, gen_share; /* CPU time / wall time: worker lcore, generator */
	double oncpu_cpq;            /* busy_cpq x cpu_share: preemption spread evenly */
	uint64_t hits, misses, answered;
};

struct case_out {
	struct sample *s;
	unsigned n;
	uint64_t hits, misses, answered;
};

static struct tw_worker_stats wstats_now(void)
{
	struct tw_worker_stats st;
	memcpy(&st, tw_worker_stats(sh.workers[0]), sizeof(st));
	return st;
}

static uint64_t verdicts(const struct tw_worker_stats *s)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 5; i++)
		v += s->verdict[i];
	return v;
}

static void run_slice(unsigned c, double seconds, struct sample *out)
{
	g.mode = case_modes[c];
	g.window = c == C_HIT ? WINDOW_HIT : WINDOW_MISS;
	double t0 = seconds_now();
	while (seconds_now() - t0 < RAMP)
		gen_poll();
	struct tw_worker_stats a = wstats_now();
	uint64_t ans0 = g.answered, lim0 = g.name_limited_polls, polls0 = g.polls;
	double c1 = cpu_seconds(worker_cpu_clock), m1 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
	double t1 = seconds_now();
	while (seconds_now() - t1 < seconds)
		gen_poll();
	struct tw_worker_stats b = wstats_now();
	double t2 = seconds_now();
	out->cpu_share = (cpu_seconds(worker_cpu_clock) - c1) / (t2 - t1);
	out->gen_share = (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - m1) / (t2 - t1);
	if (out->cpu_share > 1)
		out->cpu_share = 1;
	uint64_t answered = g.answered - ans0;
	uint64_t lim = g.name_limited_polls - lim0, polls = g.polls - polls0;
	gen_drain(DRAIN_S);

	uint64_t hits = b.hits - a.hits, misses = b.misses - a.misses;
	uint64_t q = c == C_HIT ? hits : verdicts(&b) - verdicts(&a);
	uint64_t busy = b.busy_cycles - a.busy_cycles, all = b.cycles - a.cycles;
	out->qps = (double)answered / (t2 - t1);
	out->busy_cpq = q ? (double)busy / (double)q : NAN;
	out->oncpu_cpq = out->busy_cpq * out->cpu_share;
	out->all_cpq = q ? (double)all / (double)q : NAN;
	out->verif_q = q ? (double)(b.crypto_jobs - a.crypto_jobs) / (double)q : NAN;
	out->upstream_q = q ? (double)(b.upstream_sent - a.upstream_sent) / (double)q : NAN;
	out->burst = b.busy_loops > a.busy_loops
			     ? (double)(b.rx - a.rx) / (double)(b.busy_loops - a.busy_loops)
			     : 0;
	out->busy_share = all ? (double)busy / (double)all : 0;
	out->limited = polls ? (double)lim / (double)polls : 0;
	out->hits = hits;
	out->misses = misses;
	out->answered = answered;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

/* Median of field f over the samples, and its interquartile spread / median. */
static double median_of(const struct case_out *co, size_t off, double *iqr)
{
	double *v = malloc((co->n + 1) * sizeof(double));
	if (!v)
		die("out of memory");
	unsigned n = 0;
	for (unsigned i = 0; i < co->n; i++) {
		memcpy(&v[n], (const char *)&co->s[i] + off, sizeof(double));
		n += !isnan(v[n]); /* a slice without a query has no per-query figure */
	}
	if (iqr)
		*iqr = 0;
	if (n == 0) {
		free(v);
		return NAN;
	}
	qsort(v, n, sizeof(double), cmp_double);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	if (iqr && n >= 4 && med > 0)
		*iqr = (v[(3 * n) / 4] - v[n / 4]) / med;
	free(v);
	return med;
}
#define MED(co, field, iqr) median_of(co, offsetof(struct sample, field), iqr)

static void json_line(const char *cs, double value, const char *unit, const char *extra)
{
	if (isnan(value))
		printf("{\"bench\":\"dataplane\",\"case\":\"%s\",\"value\":null,\"unit\":\"%s\","
		       "\"peer\":null,\"peer_value\":null,\"ratio\":null%s}\n", cs, unit, extra);
	else
		printf("{\"bench\":\"dataplane\",\"case\":\"%s\",\"value\":%.1f,\"unit\":\"%s\","
		       "\"peer\":null,\"peer_value\":null,\"ratio\":null%s}\n", cs, value, unit, extra);
}

#define GOAL_CYCLES 300.0

static void report(struct case_out *co, const bool *run, bool json, double seconds)
{
	double spread = 0, min_cpu = 1;
	if (!json)
		printf("%-11s %11s %10s %10s %10s %12s %7s %10s %6s %6s %6s %6s %8s\n", "case",
		       "queries/s", "busy cyc/q", "all cyc/q", "on-cpu est", "capacity/s", "verif/q",
		       "upstream/q", "burst", "busy %", "cpu %", "gen %", "limited");
	for (unsigned c = 0; c < NCASES; c++) {
		if (!run[c])
			continue;
		double i1, i2;
		double qps = MED(&co[c], qps, &i1), busy = MED(&co[c], busy_cpq, &i2);
		spread = fmax(spread, fmax(i1, i2));
		double all = MED(&co[c], all_cpq, NULL), verif = MED(&co[c], verif_q, NULL);
		double up = MED(&co[c], upstream_q, NULL), burst = MED(&co[c], burst, NULL);
		double share = MED(&co[c], busy_share, NULL), lim = MED(&co[c], limited, NULL);
		double cpu = MED(&co[c], cpu_share, NULL), gen = MED(&co[c], gen_share, NULL);
		double capacity = busy > 0 ? (double)sh.tsc_hz / busy : NAN;
		double oncpu = MED(&co[c], oncpu_cpq, NULL);
		min_cpu = fmin(min_cpu, cpu);
		if (!json) {
			printf("%-11s %11.0f %10.0f %10.0f %10.0f %12.0f %7.2f %10.2f %6.1f %6.1f %6.1f "
			       "%6.1f %7.1f%%\n", case_names[c], qps, busy, all, oncpu, capacity, verif,
			       up, burst, share * 100, cpu * 100, gen * 100, lim * 100);
			continue;
		}
		char cs[96], extra[256];
		snprintf(extra, sizeof(extra),
			 ",\"slices\":%u,\"seconds\":%.1f,\"worker_cpu_share\":%.3f,"
			 "\"worker_busy_share\":%.3f,\"name_limited\":%.3f",
			 co[c].n, seconds, cpu, share, lim);
		snprintf(cs, sizeof(cs), "%s", case_names[c]);
		json_line(cs, qps, "queries/s", extra);
		snprintf(cs, sizeof(cs), "%s busy cycles", case_names[c]);
		if (c == C_HIT && !isnan(busy))
			printf("{\"bench\":\"dataplane\",\"case\":\"%s\",\"value\":%.1f,"
			       "\"unit\":\"cycles/query\",\"peer\":\"goal-300-cycles\","
			       "\"peer_value\":%.1f,\"ratio\":%.3f,\"goal_met\":%s,"
			       "\"note\":\"ratio = goal / ours: >= 1 meets the goal\"}\n",
			       cs, busy, GOAL_CYCLES, GOAL_CYCLES / busy,
			       busy <= GOAL_CYCLES ? "true" : "false");
		else
			json_line(cs, busy, "cycles/query", "");
		snprintf(cs, sizeof(cs), "%s all cycles", case_names[c]);
		json_line(cs, all, "cycles/query", "");
		snprintf(cs, sizeof(cs), "%s on-cpu cycles est", case_names[c]);
		json_line(cs, oncpu, "cycles/query", "");
		snprintf(cs, sizeof(cs), "%s capacity", case_names[c]);
		json_line(cs, capacity, "queries/s", "");
		if (c != C_HIT) {
			snprintf(cs, sizeof(cs), "%s verifications", case_names[c]);
			json_line(cs, verif, "verifications/query", "");
		}
	}
	if (json)
		return;
	printf("largest interquartile spread (queries/s, busy cyc/q) %.1f %%; smallest median "
	       "CPU share of the worker lcore %.1f %%%s\n", spread * 100, min_cpu * 100,
	       min_cpu < 0.9 ? " (below 90 %: other work ran on its core; cycle figures, which "
			       "count wall-clock TSC, are high by about that much)" : "");
	if (run[C_HIT]) {
		double busy = MED(&co[C_HIT], busy_cpq, NULL);
		printf("goal (reported, not asserted): hit path <= %.0f busy cycles per query: %.0f: "
		       "%s (goal / ours = %.2f)\n",
		       GOAL_CYCLES, busy, busy <= GOAL_CYCLES ? "met" : "NOT met", GOAL_CYCLES / busy);
	}
	for (unsigned c = 0; c < NCASES; c++)
		if (run[c] && c != C_HIT && co[c].hits)
			printf("note: %s: %llu queries hit the cache (an answer not yet expired)\n",
			       case_names[c], (unsigned long long)co[c].hits);
		else if (run[c] && c == C_HIT && co[c].misses)
			printf("note: hit: %llu queries missed the cache\n",
			       (unsigned long long)co[c].misses);
}

int main(int argc, char **argv)
{
	double seconds = 5;
	bool json = false, verbose = false;
	unsigned hit_names = 10000, miss_names = 16384;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--names") == 0 && i + 1 < argc)
			hit_names = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--miss-names") == 0 && i + 1 < argc)
			miss_names = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc)
			only = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
		else if (strcmp(argv[i], "--corrupt") == 0 && i + 1 < argc)
			g.corrupt = (unsigned)strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "usage: dataplane_bench [--seconds N] [--json] [--names N] "
				"[--miss-names N] [--case hit|miss] [--verbose] [--corrupt N]\n");
			return 2;
		}
	}
	if (seconds <= 0 || hit_names < NZONES || hit_names / NZONES > NAMES_MAX ||
	    miss_names < 64 || miss_names > NAMES_MAX ||
	    (only && strcmp(only, "hit") != 0 && strcmp(only, "miss") != 0)) {
		fprintf(stderr, "dataplane_bench: --seconds > 0, --names %u..%u, --miss-names "
			"64..%u, --case hit or miss\n", NZONES, NZONES * NAMES_MAX, NAMES_MAX);
		return 2;
	}
	bool run[NCASES];
	for (unsigned c = 0; c < NCASES; c++)
		run[c] = !only || (strcmp(only, "hit") == 0) == (c == C_HIT);

	/* the zones, before the EAL pins this thread */
	double t0 = seconds_now();
	/* hit names over the three zones; miss names: miss_names for alg13, as
	 * many for alg8 over its two zones */
	for (unsigned z = 0; z < NZONES; z++) {
		leaves[z].n[KIND_HIT] = hit_names / NZONES;
		leaves[z].n[KIND_MISS] = z == 0 ? miss_names : miss_names / 2;
	}
	char anchor[512];
	struct ts_zone *tld, *root = world_build((uint32_t)time(NULL), anchor, sizeof(anchor), &tld);
	char apath[] = "/tmp/dataplane_bench_anchor_XXXXXX";
	int fd = mkstemp(apath);
	if (fd < 0 || write(fd, anchor, strlen(anchor)) != (ssize_t)strlen(anchor) || close(fd) != 0)
		die("writing the trust anchor file %s: %s", apath, strerror(errno));
	fprintf(stderr, "dataplane_bench: zones signed in %.1f s (", seconds_now() - t0);
	for (unsigned z = 0; z < NZONES; z++)
		fprintf(stderr, "%s%s %u names: %.1f s", z ? ", " : "", leaves[z].origin,
			leaves[z].n[0] + leaves[z].n[1], leaves[z].sign_s);
	fprintf(stderr, ")\n");

	eal_start();
	setup(apath);
	unlink(apath);
	memcpy(g.worker_mac, sh.netconf.mac, 6);
	g.ms_div = sh.tsc_hz / 1000;
	g.hit_total = (hit_names / NZONES) * NZONES;
	for (uint32_t s = 0; s < NSLOTS; s++)
		g.free_q[s] = s;
	g.fq_n = NSLOTS;
	for (unsigned z = 0; z < NZONES; z++) {
		g.miss_ready[z] = calloc(leaves[z].n[KIND_MISS], sizeof(uint64_t));
		if (!g.miss_ready[z])
			die("out of memory");
	}

	if (rte_eal_remote_launch(tw_worker_main, sh.workers[0], worker_lcore) != 0)
		die("could not launch the worker lcore");

	/* warm-up: one name per zone first, so that the chain's keys are fetched
	 * and validated once (a cold key store under hundreds of concurrent
	 * queries is another benchmark), then every hit name once, through the
	 * farm: validated and cached */
	double tw = seconds_now();
	g.mode = M_WARM;
	g.window = WINDOW_WARM;
	g.warm_limit = NZONES;
	while (g.warm_sent < g.warm_limit)
		gen_poll();
	gen_drain(WARM_DRAIN_S);
	g.mode = M_WARM;
	g.warm_limit = g.hit_total;
	while (g.warm_sent < g.hit_total && seconds_now() - tw < 60)
		gen_poll();
	gen_drain(WARM_DRAIN_S);
	uint64_t warm_ok = g.answered;
	fprintf(stderr, "dataplane_bench: warm-up: %u names validated and cached in %.2f s "
		"(%llu farm answers, %llu ARP replies)\n", g.hit_total, seconds_now() - tw,
		(unsigned long long)g.farm_answers, (unsigned long long)g.arp_replies);
	if (warm_ok != g.hit_total || gen_errors())
		fprintf(stderr, "dataplane_bench: warm-up: %llu of %u answers right\n",
			(unsigned long long)warm_ok, g.hit_total);
	if (verbose) {
		fprintf(stderr, "dataplane_bench: counters after the warm-up:\n");
		tw_worker_print_stats(&sh, stderr);
	}

	unsigned rounds = (unsigned)(seconds / SLICE + 0.5);
	if (rounds < 1)
		rounds = 1;
	double slice = seconds / rounds;
	struct case_out co[NCASES];
	memset(co, 0, sizeof(co));
	for (unsigned c = 0; c < NCASES; c++) {
		co[c].s = calloc(rounds, sizeof(struct sample));
		if (!co[c].s)
			die("out of memory");
	}
	if (!json)
		printf("dataplane_bench: trustwired's worker (lcore %u, inline crypto) fed over "
		       "%s (%02x:%02x:%02x:%02x:%02x:%02x) by a generator and farm (lcore 0); "
		       "%.1f s per case in %u slices, medians over slices; TSC %.2f GHz\n",
		       worker_lcore, port_info.driver, g.worker_mac[0], g.worker_mac[1],
		       g.worker_mac[2], g.worker_mac[3], g.worker_mac[4], g.worker_mac[5], seconds,
		       rounds, (double)sh.tsc_hz / 1e9);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned k = 0; k < NCASES; k++) {
			unsigned c = (r + k) % NCASES;
			if (!run[c])
				continue;
			struct sample *s = &co[c].s[co[c].n++];
			run_slice(c, slice, s);
			co[c].hits += s->hits;
			co[c].misses += s->misses;
			co[c].answered += s->answered;
		}

	__atomic_store_n(&sh.stop, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	/* answers the worker sent while stopping (there should be none) */
	while (rte_ring_count(tx_ring))
		gen_poll();

	report(co, run, json, seconds);
	uint64_t errs = gen_errors();
	if (!json) {
		printf("answers checked: %llu right; %llu queries sent; farm: %llu answers, %llu ARP "
		       "replies; errors: %llu",
		       (unsigned long long)g.answered, (unsigned long long)g.sent,
		       (unsigned long long)g.farm_answers, (unsigned long long)g.arp_replies,
		       (unsigned long long)errs);
		for (unsigned i = 0; i < E_KINDS; i++)
			if (g.err[i])
				printf(" %s=%llu", err_names[i], (unsigned long long)g.err[i]);
		printf("\ntotal %.0f s%s\n", seconds_now() - t0, errs ? ", FAILED" : "");
	}
	if (verbose)
		tw_worker_print_stats(&sh, json ? stderr : stdout);
	if (errs && json)
		fprintf(stderr, "dataplane_bench: %llu errors, FAILED\n", (unsigned long long)errs);

	tw_port_stop(sh.port);
	tw_worker_free(sh.workers[0]);
	tw_cache_free(cache);
	tw_val_conf_free(vconf);
	tw_config_fini(&cfg);
	rte_mempool_free(sh.mp);
	rte_ring_free(rx_ring);
	rte_ring_free(tx_ring);
	char rundir[PATH_MAX];
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	(void)rmdir(rundir); /* our --file-prefix's directory, empty by now */
	for (unsigned z = 0; z < NZONES; z++) {
		free(g.miss_ready[z]);
		for (unsigned k = 0; k < 2; k++) {
			free(leaves[z].names[k]);
			free(leaves[z].ans_off[k]);
			free(leaves[z].ans_len[k]);
		}
		free(leaves[z].arena);
		ts_zone_free(leaves[z].z);
	}
	for (unsigned i = 0; i < ninfra; i++)
		free(infra[i].wire);
	for (unsigned c = 0; c < NCASES; c++)
		free(co[c].s);
	ts_zone_free(tld);
	ts_zone_free(root);
	return errs ? 1 : 0;
}
