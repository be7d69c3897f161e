/* The per-lcore batched verification pipeline.
 *
 * A worker collects verification jobs while it processes a burst, hands them to
 * its pipeline, and at the end of the burst flushes; results come back through
 * dequeue, each with the caller's cookie, possibly in a later loop iteration
 * (asynchronous back-ends) and not necessarily in submission order.
 *
 * One header over interchangeable back-ends, chosen once at creation:
 *   - inline (crypto/pipeline_inline.c): the batch runs on the calling lcore at
 *     flush time, jobs grouped by key;
 *   - back-ends that need DPDK (dedicated crypto lcores fed through rte_ring,
 *     rte_cryptodev asymmetric sessions) live in dataplane/ and plug in through
 *     struct tw_crypto_backend, so crypto/ itself never includes DPDK.
 * Every back-end gives the same results for the same jobs.
 *
 * A pipeline belongs to one lcore: all calls from that lcore only. No call
 * locks or makes a system call, and the pipeline allocates nothing after
 * creation; the verification underneath still allocates inside OpenSSL (see
 * crypto/verify.h), and the cryptodev back-end allocates once per key when it
 * first builds the key's device session.
 *
 * For back-end authors: flush() is skipped when nothing was enqueued since the
 * previous flush, so an asynchronous back-end must also make progress in poll().
 */
#ifndef TW_CRYPTO_PIPELINE_H
#define TW_CRYPTO_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/verify.h"

#define TW_CRYPTO_PIPE_MAX_BURST 256     /* smallest depth a pipeline gets */
#define TW_CRYPTO_PIPE_MAX_DEPTH (1u << 20) /* largest depth a pipeline accepts */

struct tw_crypto_key;

/* One verification. The key, signed data and signature must stay valid and
 * unchanged until the job's result has been dequeued. */
struct tw_crypto_job {
	const struct tw_crypto_key *key; /* NULL: result TW_CRYPTO_UNSUPPORTED */
	const uint8_t *data;             /* signed data (crypto/sigdata.h) */
	const uint8_t *sig;
	uint32_t data_len;
	uint16_t sig_len;
	uint64_t cookie;                 /* returned untouched with the result */
};

struct tw_crypto_result_rec {
	uint64_t cookie;
	enum tw_crypto_result result;
};

/* A back-end: an object and its operations. submit() accepts as many jobs as it
 * can take now and returns that count; flush() starts or finishes work on what
 * was submitted; poll() returns up to max finished results. */
struct tw_crypto_backend {
	const char *name;
	void *state;
	unsigned (*submit)(void *state, const struct tw_crypto_job *jobs, unsigned n);
	void (*flush)(void *state);
	unsigned (*poll)(void *state, struct tw_crypto_result_rec *out, unsigned max);
	void (*destroy)(void *state);
};

struct tw_crypto_pipe;

/* Per-pipeline counters, plain integers summed by the management plane. */
struct tw_crypto_pipe_stats {
	uint64_t jobs;
	uint64_t valid;
	uint64_t invalid;
	uint64_t unsupported;
	uint64_t flushes;
	uint64_t batch_hist[9]; /* flushes with 1, 2-3, 4-7, ... 128-255, 256+ jobs */
	uint64_t memo_hits;      /* jobs answered from the memo (in jobs, valid, invalid) */
	uint64_t memo_evictions; /* memo entries replaced by newer ones */
};

/* New pipeline with the inline back-end and room for `depth` jobs in flight
 * (rounded up to a power of two, at least TW_CRYPTO_PIPE_MAX_BURST). Setup time:
 * may allocate. Returns NULL when out of memory or depth exceeds
 * TW_CRYPTO_PIPE_MAX_DEPTH. */
struct tw_crypto_pipe *tw_crypto_pipe_new_inline(unsigned depth);

/* New pipeline over a back-end built elsewhere (dataplane/); the pipeline owns
 * it from now on and destroys it when freed. */
struct tw_crypto_pipe *tw_crypto_pipe_new(const struct tw_crypto_backend *be);

/* Frees the pipeline and its back-end; NULL is fine. Results not dequeued are
 * lost. */
void tw_crypto_pipe_free(struct tw_crypto_pipe *p);

/* Turns on the verification memo (entries > 0, rounded up to a power of two;
 * 0 turns it off): results of verifications already done, kept by the SHA-256
 * digest of the key's process-unique id, the signature and the signed data, so
 * that the same signature over the same data with the same key (an RRset met
 * again: a zone's SOA and NSEC3 records in every denial, a DNSKEY set fetched
 * again) is answered without the back-end. Valid and invalid results are kept
 * (the outcome of a verification depends on nothing else; validity periods are
 * checked by the engine before it asks); unsupported ones are not. The cost is
 * one SHA-256 over signature and data per job. A memo answer is dequeued like
 * any other result, before those of the back-end. At most in_flight jobs (the
 * back-end's depth) are with the back-end at a time. Setup time: allocates;
 * only while nothing is in flight. Returns 0, or -1 (out of memory, bad sizes,
 * jobs in flight) with the memo off. */
int tw_crypto_pipe_set_memo(struct tw_crypto_pipe *p, unsigned entries, unsigned in_flight);

/* Name of the back-end ("inline", "ring", "cryptodev"). */
const char *tw_crypto_pipe_backend(const struct tw_crypto_pipe *p);

/* Enqueues as many of jobs[0..n) as fit (burst semantics); returns how many. */
unsigned tw_crypto_pipe_enqueue_burst(struct tw_crypto_pipe *p,
				      const struct tw_crypto_job *jobs, unsigned n);

/* Ends a burst: the inline back-end verifies everything enqueued since the last
 * flush, grouped by key; asynchronous back-ends start their work. */
void tw_crypto_pipe_flush(struct tw_crypto_pipe *p);

/* Dequeues up to max results; returns how many. */
unsigned tw_crypto_pipe_dequeue_burst(struct tw_crypto_pipe *p,
				      struct tw_crypto_result_rec *out, unsigned max);

/* Jobs enqueued whose results have not been dequeued yet. */
unsigned tw_crypto_pipe_in_flight(const struct tw_crypto_pipe *p);

/* The pipeline's counters (read by the owner lcore, or by the management plane
 * as plain loads that may be a little stale). */
const struct tw_crypto_pipe_stats *tw_crypto_pipe_stats(const struct tw_crypto_pipe *p);

#endif
