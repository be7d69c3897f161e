/* A worker's bookkeeping of upstream traffic: the questions it has sent to the
 * resolver farm and is waiting for (struct tw_pending), and the clients waiting
 * for the answer to a question the validation engine is working on (struct
 * tw_inflight, which coalesces identical client questions).
 *
 * One of each per worker lcore, never shared: no locks, no atomics. Everything is
 * allocated at creation and sized by the configuration; after that no call
 * allocates, and the only possible system call is the rare refill of the random
 * block from OpenSSL (below). Time is a parameter (`now_ms`, any monotonic
 * millisecond clock the worker reads once per burst, e.g. from rte_get_tsc_cycles()).
 *
 * Pending questions. Each question sent upstream is one entry keyed by the triple
 * (upstream, UDP source port, DNS ID); both port and ID are unpredictable, drawn
 * from OpenSSL's RAND_bytes() in blocks of 4 KiB that are consumed two octets at
 * a time (RFC 5452 §9.2: ID and port randomisation against cache poisoning), and
 * the triple is unique among outstanding entries (a collision is redrawn). A
 * response is accepted only from the upstream's address and port, to the port and
 * with the ID of an outstanding entry, for the same question (RFC 5452 §9.1, name
 * compared case-insensitively); anything else is counted and leaves the table as it
 * was. Because a retry gets a new port and ID, an answer always belongs to one send,
 * so its RTT is unambiguous (Karn's problem does not arise).
 *
 * Late answers. A send that timed out stays answerable while its question is
 * outstanding: the last min(retries, 4) earlier sends of a question keep their
 * triples in the index, so a farm slower than the timeout (a cold recursion)
 * still answers, with whichever send's answer comes first; the others' answers
 * then find no entry. The RTT sample is that send's.
 *
 * Upstream choice. Healthy upstreams in turn (round robin): the farm's resolvers
 * are peers, and sending everything to the one with the lowest RTT would pile the
 * load on it. A retry goes to the next healthy upstream after the one that timed
 * out, one not yet tried for that question when there is one. The smoothed RTT
 * (RFC 6298 §2) is kept per upstream for the operator, not used for the choice.
 *
 * Upstream health. conf.down_after consecutive timeouts mark an upstream down for
 * a backoff (conf.backoff_min_ms, doubling after each failed probe up to
 * conf.backoff_max_ms). Down upstreams are skipped; once the backoff has run out,
 * the next new question goes to it as a probe (one at a time). An answer, probe or
 * not, marks the upstream up and resets its backoff; a probe that times out marks
 * it down again for twice as long. While it is down only its probe's timeout
 * changes its state, and once it is up again, timeouts of sends made before are
 * ignored (all are counted). When no upstream is up, questions go to the one whose
 * last timeout is oldest ("least recently failed") rather than being refused.
 *
 * Timeouts. Every send waits the same conf.timeout_ms, so sends expire in the order
 * they were made: the table keeps one list ordered by deadline (a timer wheel with
 * a single slot), and tw_pending_expire() looks at the expired entries only.
 *
 * Concurrency contracts use fixed sentences: "Setup time, any thread." (may
 * allocate; not concurrently with any other call on the same table) and "Worker
 * lcore only." (the one lcore that owns the table). Stats structs are written by
 * that lcore and read by the management plane as plain loads that may be a little
 * stale.
 */
#ifndef TW_DATAPLANE_PENDING_H
#define TW_DATAPLANE_PENDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

/* ==== questions sent upstream ========================================================= */

#define TW_PENDING_MAX_UPSTREAMS 16
#define TW_PENDING_MAX_CAPACITY (1u << 24) /* entries, after rounding */
#define TW_PENDING_MAX_RETRIES 14

/* An upstream's address, or the source of a response. */
struct tw_pending_addr {
	uint8_t family;         /* AF_INET or AF_INET6 (<sys/socket.h>) */
	uint16_t port;          /* UDP port, host order */
	uint8_t addr[16];       /* network order; AF_INET uses the first 4 octets
				 * and ignores the rest */
};

struct tw_pending_conf {
	uint32_t capacity;      /* outstanding questions at most, rounded up to a
				 * power of two (8192) */
	uint32_t timeout_ms;    /* wait for one send (800) */
	uint8_t retries;        /* sends per question at most 1 + retries (2) */
	uint8_t down_after;     /* consecutive timeouts that mark an upstream
				 * down (3) */
	uint16_t sport_lo;      /* source ports drawn from [sport_lo, sport_hi] */
	uint16_t sport_hi;      /* (1024, 65535); give each worker its own range
				 * when responses are steered to workers by port */
	uint32_t backoff_min_ms; /* first down period (1000) */
	uint32_t backoff_max_ms; /* longest down period (30000) */
	unsigned nupstreams;    /* 1..TW_PENDING_MAX_UPSTREAMS, no duplicates (0) */
	struct tw_pending_addr upstream[TW_PENDING_MAX_UPSTREAMS];
	uint64_t seed;          /* hash seed; 0: drawn from RAND_bytes (0) */
	/* Tests only: replaces RAND_bytes() as the source of IDs and ports. Fills
	 * buf with len octets, returns 0 or a negative TW_E code. NULL (the
	 * default) in production. */
	int (*random)(void *ctx, uint8_t *buf, size_t len);
	void *random_ctx;
};

/* Fills conf with the defaults above (no upstreams). Any thread. */
void tw_pending_conf_init(struct tw_pending_conf *conf);

struct tw_pending;

/* One send of a question: where to send it and with which port and ID. Returned
 * by tw_pending_add() and, for a retry, by tw_pending_expire(). */
struct tw_pending_send {
	uint64_t handle;        /* the entry; stays the same across retries,
				 * never 0 */
	const struct tw_pending_addr *to; /* conf.upstream[upstream], owned by the
					   * table, valid for its life */
	uint16_t id;            /* DNS ID to put in the query */
	uint16_t sport;         /* UDP source port to send from */
	uint8_t upstream;       /* index into conf.upstream */
	uint8_t attempt;        /* 1 for the first send, 2 for the first retry... */
	bool probe;             /* sent to a down upstream to see if it is back */
};

/* New table for conf (copied). Returns NULL with err (capacity errcap, may be
 * NULL) saying why: a bad configuration (naming the field), out of memory, or
 * RAND_bytes failing. Memory is touched here, so create the table on the lcore
 * that will use it to place it on that lcore's NUMA node. Caller owns it.
 * Setup time, any thread. */
struct tw_pending *tw_pending_new(const struct tw_pending_conf *conf, char *err, size_t errcap);

/* Frees the table; outstanding entries are dropped without notice. NULL is fine.
 * Setup time, any thread. */
void tw_pending_free(struct tw_pending *t);

/* Registers the question (qname: checked wire name, any case; stored in lower
 * case) for `owner` (an opaque cookie, e.g. the worker's engine query), chooses
 * its upstream, draws its port and ID, and fills *out (out-parameter) with the
 * first send, which the caller must make. Returns
 *   0                    registered, *out filled
 *   -TW_ENOSPC           the table is full (counted in stats.full)
 *   -TW_EEXIST           no free (upstream, port, ID) in 64 draws: the port
 *                        range is too small for the load (stats.no_triple)
 *   -TW_ECRYPTO_LIBRARY  RAND_bytes failed (stats.rand_failures)
 *   -TW_EINVAL           qname or out is NULL
 * Worker lcore only. */
int tw_pending_add(struct tw_pending *t, const uint8_t *qname, uint16_t qtype, uint16_t qclass,
		   uint64_t owner, uint64_t now_ms, struct tw_pending_send *out);

/* A response arrived from (family, src: 4 or 16 octets, network order; src_port,
 * host order) to our port `dport` with `id`, for the question (qname: checked
 * wire name, any case, NULL when the response has none; qtype; qclass). When an
 * outstanding entry has that upstream, port and ID and the same question: removes
 * it, records the RTT and marks the upstream up, sets *owner (out-parameter) and
 * returns 0. Otherwise the table is unchanged apart from a counter, and it returns
 *   -TW_ENOENT   no such question outstanding: the source is no upstream
 *                (stats.mismatch_source), no entry has that triple (late answer
 *                or spoofing: stats.mismatch_unknown), or the entry's question
 *                differs (stats.mismatch_question)
 *   -TW_EINVAL   src or owner is NULL
 * Worker lcore only. */
int tw_pending_match(struct tw_pending *t, int family, const uint8_t *src, uint16_t src_port,
		     uint16_t dport, uint16_t id, const uint8_t *qname, uint16_t qtype,
		     uint16_t qclass, uint64_t now_ms, uint64_t *owner);

enum tw_pending_event_kind {
	TW_PENDING_RESEND = 1,  /* send again as `send` says (new upstream, port, ID) */
	TW_PENDING_GIVEUP = 2,  /* no answer after every retry: the entry is gone,
				 * tell the owner; `send` is the last send made */
};

/* What tw_pending_expire() reports for one expired send. */
struct tw_pending_event {
	uint64_t owner;
	uint8_t kind;           /* enum tw_pending_event_kind */
	uint16_t qtype;
	uint16_t qclass;
	const uint8_t *qname;   /* the question, lower case; owned by the table,
				 * valid until the next tw_pending_add() (a given-up
				 * entry's slot is reused only by an add) */
	struct tw_pending_send send;
};

/* Handles the sends whose deadline is <= now_ms, oldest first, at most `max` of
 * them: counts each timeout against its upstream (health above), then either
 * draws a new send for the question (upstream, port, ID; attempt + 1) or, after
 * conf.retries retries, removes it. Writes one record per expired send to
 * out[0..max) (out-parameter) and returns how many; when that is `max`, more may
 * have expired: call again. Looks only at the entries it returns (plus one).
 * A retry that cannot draw a triple or random octets gives up instead.
 * Worker lcore only. */
unsigned tw_pending_expire(struct tw_pending *t, uint64_t now_ms, struct tw_pending_event *out,
			   unsigned max);

/* Removes the entry (the worker dropped its query); a late answer for it will be
 * a mismatch. Returns 0, or -TW_ENOENT when the handle is stale (answered, given
 * up or cancelled before). Worker lcore only. */
int tw_pending_cancel(struct tw_pending *t, uint64_t handle);

/* An outstanding entry as the table holds it. */
struct tw_pending_info {
	uint64_t owner;
	const uint8_t *qname;   /* lower case, owned by the table, valid until the
				 * entry goes */
	uint16_t qtype;
	uint16_t qclass;
	uint64_t sent_ms;       /* time of the current send */
	uint64_t deadline_ms;
	struct tw_pending_send send; /* the current send */
};

/* Fills *out (out-parameter) for the entry. Returns 0, or -TW_ENOENT for a stale
 * handle. Worker lcore only. */
int tw_pending_info(const struct tw_pending *t, uint64_t handle, struct tw_pending_info *out);

/* True when upstream i is up (answering, not in a backoff or probe); false for
 * down, probing and out-of-range indexes. Worker lcore only. */
bool tw_pending_upstream_up(const struct tw_pending *t, unsigned i);

enum tw_pending_upstream_state {
	TW_PENDING_UP = 0,
	TW_PENDING_DOWN = 1,    /* in its backoff, or waiting for the next question
				 * to probe it */
	TW_PENDING_PROBING = 2, /* down, one probe outstanding */
};

struct tw_pending_upstream_stats {
	uint64_t sent;          /* sends to it, retries and probes included */
	uint64_t answered;      /* matched answers */
	uint64_t timeouts;
	uint64_t mismatches;    /* responses from its address that matched nothing
				 * or the wrong question */
	uint64_t srtt_us;       /* RFC 6298 smoothed RTT, from millisecond samples;
				 * 0 before the first answer */
	uint64_t rttvar_us;     /* RFC 6298 RTT variation */
	uint64_t state;         /* enum tw_pending_upstream_state */
	uint64_t downs;         /* times marked down */
	uint64_t probes;        /* probes sent */
};

struct tw_pending_stats {
	uint64_t outstanding;   /* entries now */
	uint64_t added;
	uint64_t answered;
	uint64_t answered_late; /* of answered: to an earlier send of the question */
	uint64_t full;          /* adds refused: table full */
	uint64_t no_triple;     /* adds refused: no free triple */
	uint64_t mismatches;    /* sum of the three below */
	uint64_t mismatch_source;
	uint64_t mismatch_unknown;
	uint64_t mismatch_question;
	uint64_t retries;       /* resends after a timeout */
	uint64_t giveups;       /* questions given up */
	uint64_t cancelled;
	uint64_t redraws;       /* triples drawn again after a collision */
	uint64_t rand_refills;  /* RAND_bytes calls for the random block */
	uint64_t rand_failures;
	struct tw_pending_upstream_stats upstream[TW_PENDING_MAX_UPSTREAMS];
};

/* The table's counters, live (owned by the table). Any thread, plain loads. */
const struct tw_pending_stats *tw_pending_stats(const struct tw_pending *t);

/* ==== clients waiting on a question (coalescing) ====================================== */

/* One entry per key (lower-case qname, qtype, qclass, a flags octet the worker
 * chooses, e.g. its CD bit) while the engine works on it, holding an opaque value
 * (the engine query) and a FIFO list of waiters: fixed-size records, opaque to the
 * table, from a pool sized at creation, that the worker fills with what it needs to
 * answer a client (addresses, ports, ID, flags).
 *
 * A handle is a uint32_t: the entry's slot and a generation, so a handle kept
 * after its entry was removed is refused (until the generation wraps: at least
 * 2^8 reuses of the same slot at the largest capacity). Never TW_INFLIGHT_NONE. */

#define TW_INFLIGHT_NONE 0u
#define TW_INFLIGHT_MAX_CAPACITY (1u << 24)

struct tw_inflight_conf {
	uint32_t capacity;      /* keys at most, rounded up to a power of two (4096) */
	uint32_t waiters;       /* waiter records in the pool (16384) */
	uint32_t waiter_size;   /* octets per record, 1..65536, rounded up to 16 (128) */
	uint16_t max_per_key;   /* waiters per key at most (64) */
	uint64_t seed;          /* hash seed; 0: drawn from RAND_bytes (0) */
};

/* Fills conf with the defaults above. Any thread. */
void tw_inflight_conf_init(struct tw_inflight_conf *conf);

struct tw_inflight;

/* An entry's key as the table holds it. */
struct tw_inflight_key {
	uint16_t qtype;
	uint16_t qclass;
	uint8_t flags;
	uint8_t qname[TW_DNS_NAME_MAXLEN]; /* lower case */
};

/* New table for conf. NULL with err (capacity errcap, may be NULL) saying why:
 * bad configuration, out of memory, RAND_bytes failing. Memory is touched here
 * (create it on the lcore that uses it). Caller owns it. Setup time, any thread. */
struct tw_inflight *tw_inflight_new(const struct tw_inflight_conf *conf, char *err,
				    size_t errcap);

/* Frees the table and every waiter record. NULL is fine. Setup time, any thread. */
void tw_inflight_free(struct tw_inflight *t);

/* The entry of (qname: checked wire name, any case; qtype; qclass; flags): the
 * existing one (*created = false, out-parameter) or a new one stamped with now_ms,
 * with no waiter and value 0 (*created = true). Returns its handle, or
 * TW_INFLIGHT_NONE when there is no such entry and the table is full
 * (stats.refused_full) or qname or created is NULL. Worker lcore only. */
uint32_t tw_inflight_find_or_add(struct tw_inflight *t, const uint8_t *qname, uint16_t qtype,
				 uint16_t qclass, uint8_t flags, uint64_t now_ms, bool *created);

/* The entry of the key without adding one, or TW_INFLIGHT_NONE. Worker lcore only. */
uint32_t tw_inflight_find(const struct tw_inflight *t, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass, uint8_t flags);

/* Appends a waiter to the entry and returns its record (conf.waiter_size octets,
 * zeroed, 16-octet aligned) for the caller to fill; it is the table's, valid until
 * the entry is removed. NULL when the handle is stale, the entry has
 * conf.max_per_key waiters (stats.refused_key_cap) or the pool is empty
 * (stats.refused_pool). Worker lcore only. */
void *tw_inflight_waiter_add(struct tw_inflight *t, uint32_t handle);

/* The entry's first waiter record (in the order added), or NULL when it has none
 * or the handle is stale. Worker lcore only. */
void *tw_inflight_waiter_first(const struct tw_inflight *t, uint32_t handle);

/* The entry's waiter after `rec` (one of its records), or NULL after the last or
 * when the handle is stale. Worker lcore only. */
void *tw_inflight_waiter_next(const struct tw_inflight *t, uint32_t handle, const void *rec);

/* Sets / reads the entry's opaque value (*value: out-parameter). Return 0, or
 * -TW_ENOENT for a stale handle. Worker lcore only. */
int tw_inflight_set_value(struct tw_inflight *t, uint32_t handle, uint64_t value);
int tw_inflight_get_value(const struct tw_inflight *t, uint32_t handle, uint64_t *value);

/* The entry's key (owned by the table, valid until the entry is removed), or NULL
 * for a stale handle. Worker lcore only. */
const struct tw_inflight_key *tw_inflight_key(const struct tw_inflight *t, uint32_t handle);

/* The entry's number of waiters and the now_ms it was made at (both out-
 * parameters, either may be NULL). Returns 0, or -TW_ENOENT for a stale handle.
 * Worker lcore only. */
int tw_inflight_info(const struct tw_inflight *t, uint32_t handle, unsigned *waiters,
		     uint64_t *created_ms);

/* Removes the entry and returns its waiter records to the pool (pointers to them
 * are void from here on). Returns 0, or -TW_ENOENT for a stale handle.
 * Worker lcore only. */
int tw_inflight_remove(struct tw_inflight *t, uint32_t handle);

struct tw_inflight_stats {
	uint64_t entries;       /* keys now */
	uint64_t waiters;       /* waiter records in use now */
	uint64_t created;       /* entries made */
	uint64_t coalesced;     /* find_or_add calls that found an entry */
	uint64_t joined;        /* waiters added */
	uint64_t removed;
	uint64_t refused_full;  /* find_or_add refused: table full */
	uint64_t refused_key_cap; /* waiter_add refused: per-key maximum */
	uint64_t refused_pool;  /* waiter_add refused: pool empty */
};

/* The table's counters, live (owned by the table). Any thread, plain loads. */
const struct tw_inflight_stats *tw_inflight_stats(const struct tw_inflight *t);

#endif
