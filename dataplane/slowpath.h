/* The slow path: a thread with kernel sockets for what the poll-mode workers do
 * not do themselves: asking the farm again over TCP when its UDP answer was
 * truncated (RFC 7766 §5: a TC answer is retried over TCP), and serving clients
 * that ask over TCP. The engine stays
 * with the worker: the slow path only moves the question out and the answer
 * back, through rings, so a worker never blocks or makes a system call.
 *
 * The kernel must reach the farm (the appliance's management network, or a
 * route the operator set up): the slow path's sockets use the kernel's routing,
 * not the DPDK port.
 *
 * Threads: tw_slowpath_ask/poll/release from worker lcores (each worker its own
 * index); new/start/stop/free at setup time on the main lcore. */
#ifndef TW_DATAPLANE_SLOWPATH_H
#define TW_DATAPLANE_SLOWPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

#define TW_SLOWPATH_WORKERS 16

struct tw_slowpath;

/* An upstream as the slow path reaches it. */
struct tw_slowpath_upstream {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];       /* IPv4 in the first 4 octets */
	uint16_t port;
};

/* A question handed back with its answer: wire/len are the farm's message (len
 * 0: no answer; the engine is told so). Valid until tw_slowpath_release(). */
struct tw_slowpath_answer {
	uint64_t owner;
	uint16_t qtype;
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	uint32_t len;
	const uint8_t *wire;
};

/* Counters of the slow path thread, read as plain loads (the workers count
 * what they asked and what was refused in their own counters). */
struct tw_slowpath_stats {
	uint64_t answered, failed;                 /* upstream TCP questions */
	uint64_t tcp_accepted, tcp_queries, tcp_answers, tcp_refused, tcp_closed_idle;
};

/* New slow path for nworkers workers and these upstreams, with `slots`
 * questions in flight at most (answers of 64 KiB each are kept in them), and a
 * per-try timeout. Returns NULL with err. Setup time. */
struct tw_slowpath *tw_slowpath_new(unsigned nworkers, const struct tw_slowpath_upstream *up,
				    unsigned nup, unsigned slots, unsigned timeout_ms, char *err,
				    size_t errcap);
/* Starts its thread. Returns 0 or -1 with err. */
int tw_slowpath_start(struct tw_slowpath *sp, char *err, size_t errcap);
/* Stops the thread (questions not yet asked are answered "no answer") and
 * waits for it. */
void tw_slowpath_stop(struct tw_slowpath *sp);
/* Frees it (after stop, and after every worker released its answers). NULL is
 * fine. */
void tw_slowpath_free(struct tw_slowpath *sp);

/* Worker `worker` asks (qname, qtype) of upstream `upstream` over TCP for
 * `owner`. Returns 0, or -TW_ENOSPC when every slot is taken. */
int tw_slowpath_ask(struct tw_slowpath *sp, unsigned worker, uint64_t owner,
		    const uint8_t *qname, uint16_t qtype, unsigned upstream);

/* Up to max answers for worker `worker`; each must be released. */
unsigned tw_slowpath_poll(struct tw_slowpath *sp, unsigned worker,
			  struct tw_slowpath_answer **out, unsigned max);
void tw_slowpath_release(struct tw_slowpath *sp, struct tw_slowpath_answer *a);

/* ---- DNS over TCP for clients (RFC 7766) ----
 * The slow path listens on the service addresses with kernel sockets (the
 * kernel sees the clients' TCP through the exception path), reads each
 * length-prefixed query and hands it to a worker, which answers it as it
 * answers UDP (the engine, the caches) and gives the answer back here to be
 * written to the connection. */

/* A client's query over TCP, held by a worker until it answers. */
struct tw_slowpath_query {
	uint32_t len;
	const uint8_t *wire;
};

/* Listens on addr:port (family AF_INET/AF_INET6; the address need not exist
 * yet: IP_FREEBIND). Before tw_slowpath_start(). Returns 0 or -1 with err. */
int tw_slowpath_listen(struct tw_slowpath *sp, int family, const uint8_t addr[16], uint16_t port,
		       char *err, size_t errcap);

/* Up to max TCP queries for worker `worker` (spread over the workers in turn). */
unsigned tw_slowpath_tcp_poll(struct tw_slowpath *sp, unsigned worker,
			      struct tw_slowpath_query **out, unsigned max);

/* The answer (len octets; 0: none, the connection is closed) to query q, which
 * is released. Any worker. */
void tw_slowpath_tcp_answer(struct tw_slowpath *sp, struct tw_slowpath_query *q,
			    const uint8_t *answer, size_t len);

const struct tw_slowpath_stats *tw_slowpath_stats(const struct tw_slowpath *sp);

#endif
