/* The DPDK-backed back-ends of the crypto pipeline (crypto/pipeline.h): dedicated
 * crypto lcores fed through rte_ring ("ring"), and rte_cryptodev asymmetric
 * operations ("cryptodev"). Both give exactly the results tw_crypto_verify() gives
 * for the same jobs; only where and when the work runs differs.
 *
 * A pipeline made here is an ordinary struct tw_crypto_pipe: one worker lcore
 * enqueues, flushes and dequeues on it, tw_crypto_pipe_free() destroys it.
 *
 * Concurrency contracts use fixed sentences: "Setup time, any thread." (off the
 * fast path; may allocate or wait; not concurrently with another setup call on
 * the same object), "Worker lcore only." (the lcore that owns the pipeline),
 * "Crypto lcore only." (an lcore launched to run a ring service). The pipelines
 * made here are then driven through crypto/pipeline.h: Worker lcore only. Stats
 * structs are written by one lcore and read by the management plane as plain
 * loads that may be a little stale.
 */
#ifndef TW_DATAPLANE_CRYPTO_BACKEND_H
#define TW_DATAPLANE_CRYPTO_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct tw_crypto_pipe;
struct tw_crypto_ring_service;
struct tw_crypto_cryptodev;

/* ---- ring: dedicated crypto lcores -------------------------------------- */

/* Counters of one crypto lcore of a ring service: plain integers written by that
 * lcore only, read by the management plane as plain loads that may be stale. */
struct tw_crypto_ring_lcore_stats {
	uint64_t jobs;       /* verifications done */
	uint64_t bursts;     /* non-empty bursts taken from a job ring */
	uint64_t loops;      /* passes over the pipelines this lcore serves */
	uint64_t idle_loops; /* passes that found no job */
};

/* New ring service for up to max_pipes worker pipelines, to be run by n_lcores
 * crypto lcores (each serves the pipelines whose index modulo n_lcores is its
 * own), memory on NUMA socket `socket` (SOCKET_ID_ANY is fine). Caller owns it
 * and frees it with tw_crypto_ring_service_free(). Returns NULL when an argument
 * is 0 or memory runs out. Setup time, any thread. */
struct tw_crypto_ring_service *tw_crypto_ring_service_new(unsigned max_pipes, unsigned n_lcores,
							  int socket);

/* The crypto lcore main loop, for rte_eal_remote_launch(..., svc, lcore): serves
 * its pipelines until tw_crypto_ring_service_stop(). Returns 0 once stopped, or
 * -TW_ERANGE at once when n_lcores lcores already run this service.
 * Crypto lcore only. */
int tw_crypto_ring_service_lcore(void *svc);

/* Asks every lcore running the service to return (a C11 atomic flag); does not
 * wait (use rte_eal_wait_lcore()). Jobs not yet verified stay unanswered.
 * Setup time, any thread. */
void tw_crypto_ring_service_stop(struct tw_crypto_ring_service *svc);

/* Frees the service; NULL is fine. Every pipeline on it must have been freed and
 * every lcore that ran it must have returned. Setup time, any thread. */
void tw_crypto_ring_service_free(struct tw_crypto_ring_service *svc);

/* New pipeline on the service with room for `depth` jobs in flight (rounded up
 * to a power of two, at least TW_CRYPTO_PIPE_MAX_BURST): slots, free list and
 * its two single-producer/single-consumer rings are allocated now, never per job.
 * The service may already be running. tw_crypto_pipe_free() detaches it, waiting
 * for its crypto lcore to let go of it. Returns NULL when depth exceeds
 * TW_CRYPTO_PIPE_MAX_DEPTH, the service has no free pipeline place or memory
 * runs out. Setup time, any thread. */
struct tw_crypto_pipe *tw_crypto_pipe_new_ring(struct tw_crypto_ring_service *svc, unsigned depth);

/* Counters of crypto lcore lcore_idx (0 .. n_lcores-1, in the order the lcores
 * started), owned by the service; NULL when out of range. Setup time, any thread. */
const struct tw_crypto_ring_lcore_stats *
tw_crypto_ring_service_stats(const struct tw_crypto_ring_service *svc, unsigned lcore_idx);

/* ---- cryptodev: rte_cryptodev asymmetric operations ---------------------- */

/* How a cryptodev is set up for the pipelines that will use it. */
struct tw_crypto_cryptodev_conf {
	uint8_t dev_id;
	uint16_t nb_qps;         /* queue pairs: one per worker pipeline */
	uint32_t qp_descriptors; /* per queue pair; 0: 2048 */
	int socket;              /* NUMA socket for pools (SOCKET_ID_ANY is fine) */
};

/* Counters of the pipeline on one queue pair: plain integers written by its
 * worker lcore only, read by the management plane as plain loads. */
struct tw_crypto_cryptodev_stats {
	uint64_t device_ops;       /* RSA verifications the device did */
	uint64_t software;         /* verifications done on the worker lcore */
	uint64_t device_errors;    /* ops the device failed, redone in software */
	uint64_t enqueue_short;    /* flushes or polls where the device took fewer ops */
	uint64_t sessions_created;
	uint64_t sessions_retired; /* evicted, or replaced after session_ops ops */
	uint64_t sessions_refused; /* keys the device would not take: software */
};

/* Configures and starts cryptodev conf->dev_id with conf->nb_qps queue pairs,
 * after reading its capabilities: RSA (algorithms 5, 7, 8, 10) goes to the
 * device when it offers modular exponentiation for the key's modulus length;
 * everything else is verified in software on the worker lcore. Caller owns the
 * result and frees it with tw_crypto_cryptodev_free(). Returns NULL (and logs
 * why) when the device is missing, lacks asymmetric crypto or refuses the
 * configuration, or memory runs out. Setup time, any thread. */
struct tw_crypto_cryptodev *tw_crypto_cryptodev_new(const struct tw_crypto_cryptodev_conf *conf);

/* Stops and closes the device and frees the object; NULL is fine. Every
 * pipeline on it must have been freed first. Setup time, any thread. */
void tw_crypto_cryptodev_free(struct tw_crypto_cryptodev *cd);

/* True when jobs of DNSSEC algorithm alg can go to the device (per key, a
 * modulus the device cannot take still falls back to software).
 * Setup time, any thread. */
bool tw_crypto_cryptodev_offloads(const struct tw_crypto_cryptodev *cd, uint8_t alg);

/* New pipeline on queue pair qp_id of the device with room for `depth` jobs in
 * flight (rounded up to a power of two, at least TW_CRYPTO_PIPE_MAX_BURST). It
 * owns its op pool, its session pool and a cache of up to `sessions` sessions
 * (0: 64; keyed by prepared key, least recently used evicted); a session is
 * replaced after session_ops ops (0: 256; the DPDK 22.11 openssl PMD keeps memory
 * per op until its session is freed). Everything is allocated now; later
 * allocation happens only when a key first meets the device (one session).
 * Returns NULL when qp_id is out of range or already used, depth or sessions exceed
 * TW_CRYPTO_PIPE_MAX_DEPTH, or memory runs out.
 * Setup time, any thread. */
struct tw_crypto_pipe *tw_crypto_pipe_new_cryptodev(struct tw_crypto_cryptodev *cd, uint16_t qp_id,
						    unsigned depth, unsigned sessions,
						    unsigned session_ops);

/* Counters of the pipeline on queue pair qp_id (zeroed when a pipeline is made
 * on it), owned by cd; NULL when out of range. Setup time, any thread. */
const struct tw_crypto_cryptodev_stats *
tw_crypto_cryptodev_stats(const struct tw_crypto_cryptodev *cd, uint16_t qp_id);

/* ---- choosing the back-end: the configuration knob ----------------------- */

enum tw_crypto_backend_kind {
	TW_CRYPTO_BACKEND_INLINE = 0, /* verify on the worker lcore at flush */
	TW_CRYPTO_BACKEND_RING,       /* dedicated crypto lcores through rte_ring */
	TW_CRYPTO_BACKEND_CRYPTODEV,  /* rte_cryptodev, software for what it lacks */
};

/* Parses the configuration value naming a back-end: "inline", "ring" or
 * "cryptodev" (the names tw_crypto_pipe_backend() reports). Returns 0 or
 * -TW_EINVAL. Any thread. */
int tw_crypto_backend_from_str(const char *s, enum tw_crypto_backend_kind *out);

/* A worker pipeline as the configuration describes it. */
struct tw_crypto_pipe_conf {
	enum tw_crypto_backend_kind kind;
	unsigned depth;                        /* jobs in flight */
	struct tw_crypto_ring_service *ring;   /* kind RING: the service */
	struct tw_crypto_cryptodev *cryptodev; /* kind CRYPTODEV: the device */
	uint16_t qp;                           /* kind CRYPTODEV: queue pair */
	unsigned sessions;                     /* kind CRYPTODEV: 0 for the default */
	unsigned session_ops;                  /* kind CRYPTODEV: 0 for the default */
};

/* Makes the worker pipeline that c describes, with whichever back-end c->kind
 * names; the caller drives it through crypto/pipeline.h and frees it with
 * tw_crypto_pipe_free(). Returns NULL when the back-end's object (service or
 * device) is missing, or as the back-end's own constructor does.
 * Setup time, any thread. */
struct tw_crypto_pipe *tw_crypto_pipe_create(const struct tw_crypto_pipe_conf *c);

#endif
