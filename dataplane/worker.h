/* A worker lcore of trustwired: its rx/tx queue pair, its share of the upstream
 * source ports, its pending and coalescing tables, its cache registration and
 * crypto pipeline, and its counters. Private to dataplane/ (main.c sets workers
 * up and launches tw_worker_main on their lcores). */
#ifndef TW_DATAPLANE_WORKER_H
#define TW_DATAPLANE_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cache/cache.h"
#include "crypto/validator.h"
#include "dataplane/net.h"
#include "dns/msg.h"

struct rte_mempool;
struct rte_ring;
struct tw_crypto_pipe;
struct tw_slowpath;
struct tw_worker;

#define TW_WORKER_MAX 16
#define TW_LISTEN_MAX 8
#define TW_UPSTREAM_MAX 16
#define TW_EDE_COUNTED 32   /* EDE codes 0..31 counted one by one, the rest together */

/* Per-lcore counters: plain integers written by their worker only, read by the
 * main lcore as plain loads that may be a little stale. */
struct tw_worker_stats {
	uint64_t rx, rx_bytes, tx, tx_full;      /* tx_full: not taken by the NIC */
	uint64_t drop[TW_NET_DROP_REASONS];      /* by tw_net_drop_str() reason */
	uint64_t l2_replies;                     /* ARP, ND, ICMP echo answered */
	uint64_t exception[TW_NET_EXCEPTIONS];   /* by tw_net_exception_str():
						  * fragments, TCP, other: dropped
						  * (no exception port configured) */
	uint64_t udp_other;                      /* UDP to us, neither service nor
						  * an upstream's answer */
	uint64_t queries, malformed, formerr, notimp, not_query;
	uint64_t hits, misses, coalesced;
	uint64_t synthesized;                    /* misses answered from NSEC/NSEC3
						  * ranges (RFC 8198) */
	uint64_t verdict[5];                     /* by enum tw_val_verdict */
	uint64_t bogus_ede[TW_EDE_COUNTED + 1];  /* bogus answers by EDE code */
	uint64_t answers_servfail_local;         /* SERVFAILs made without the engine */
	uint64_t upstream_sent, upstream_answers, upstream_mismatch, upstream_timeouts,
		upstream_giveups, upstream_unroutable, upstream_bad;
	uint64_t upstream_late;                  /* answers for a query already done */
	uint64_t upstream_truncated;             /* TC answers, asked again over TCP */
	uint64_t slowpath_asked, slowpath_answers, slowpath_failed, slowpath_full;
	uint64_t badvers;
	uint64_t tcp_queries, tcp_answers;       /* clients over TCP (slow path) */
	uint64_t to_kernel, from_kernel;         /* frames through the exception port */
	uint64_t kernel_untaggable;              /* kernel frames not sent: QinQ port */
	uint64_t pending_full, waiters_full, queries_full;
	uint64_t handoff_in, handoff_out, handoff_full;
	uint64_t nomem;                          /* no mbuf for a new datagram */
	uint64_t loops, busy_loops, busy_cycles, cycles;
	uint64_t crypto_jobs;
} __attribute__((aligned(64)));

/* What every worker shares (read-only once the workers run). */
struct tw_dp_shared {
	uint16_t port;
	unsigned nworkers;
	struct tw_worker *workers[TW_WORKER_MAX];
	struct rte_mempool *mp;
	struct tw_cache *cache;
	const struct tw_val_conf *vconf;
	struct tw_slowpath *slow;      /* TCP for truncated answers; NULL: none */
	int tap_port;                  /* the exception port to the kernel; -1: none
					* (exceptions are counted and dropped) */
	struct tw_net_if_conf netconf;
	/* service addresses (family AF_INET/AF_INET6, address in 16 octets, IPv4 in
	 * the first 4) and port */
	unsigned nlisten;
	struct {
		int family;
		uint8_t addr[16];
		uint16_t port;
	} listen[TW_LISTEN_MAX];
	unsigned nupstreams;
	struct {
		int family;
		uint8_t addr[16];
		uint16_t port;
	} upstream[TW_UPSTREAM_MAX];
	/* limits */
	unsigned pending, timeout_ms, retries, waiters, queries;
	uint16_t server_udp_size;      /* our EDNS size to clients and to the farm */
	uint32_t bogus_ttl;
	const char *crypto;            /* "inline" (others set up by main.c) */
	volatile bool stop;            /* set by the main lcore */
	uint64_t tsc_hz;
	uint64_t tsc0;                 /* TSC and wall clock at start: now from TSC */
	uint64_t wall0_ms;
};

struct tw_config;

/* Fills sh from the configuration: the port's addressing (port_mac unless the
 * configuration sets a MAC), the service addresses (the port's own on port 53
 * when none is given), the upstreams, the limits, and the clock (TSC and wall
 * time now). The port, pool, cache, engine, slow path and exception port are
 * the caller's. Setup time. */
void tw_dp_shared_config(struct tw_dp_shared *sh, const struct tw_config *cfg,
			 const uint8_t port_mac[6]);

/* Makes worker `id` of the shared setup (its pipeline from `pipe`, which it
 * owns from now on). NULL with err on failure. Setup time. */
struct tw_worker *tw_worker_new(struct tw_dp_shared *sh, unsigned id, struct tw_crypto_pipe *pipe,
				char *err, size_t errcap);
void tw_worker_free(struct tw_worker *w);

/* The lcore main loop (rte_eal_remote_launch); returns when sh->stop is set,
 * after answering SERVFAIL to clients still waiting. */
int tw_worker_main(void *w);

/* The worker's counters. */
const struct tw_worker_stats *tw_worker_stats(const struct tw_worker *w);

/* Prints the sum of every worker's counters, then per worker busy share. */
void tw_worker_print_stats(struct tw_dp_shared *sh, FILE *f);

#endif
