/* The slow path: a thread with kernel sockets for what the poll-mode workers do
 * not do themselves. Today: asking the farm again over TCP when its UDP answer
 * was truncated (RFC 7766 §5: a TC answer is retried over TCP). The engine stays
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
	uint64_t answered, failed;
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

const struct tw_slowpath_stats *tw_slowpath_stats(const struct tw_slowpath *sp);

#endif
