/* Ring back-end of the crypto pipeline: worker pipelines hand preallocated job
 * slots to dedicated crypto lcores through rte_ring and get them back verified.
 *
 * Rings: one single-producer/single-consumer job ring (worker -> crypto lcore)
 * and one SP/SC result ring (crypto lcore -> worker) per worker pipeline, rather
 * than one multi-producer ring per service. Each ring then has exactly one
 * producer and one consumer, the cheapest rte_ring mode (no compare-and-swap of
 * workers contending for one ring head); results go straight back to the
 * pipeline that owns the slot, with no demultiplexing step; and one worker that
 * stops dequeuing cannot fill a shared ring and stall the others. The price is
 * one empty-ring check per pipeline per pass on the crypto lcore, a few loads.
 * With several crypto lcores on one service, each pipeline is served by exactly
 * one of them (its place modulo the lcore count), so the rings stay SP/SC.
 *
 * A slot's job is written by the worker before the slot pointer goes on the job
 * ring, and its result by the crypto lcore before the pointer goes on the result
 * ring; rte_ring's enqueue (release) and dequeue (acquire) order those writes.
 * Both rings hold every slot of the pipeline, so neither can be full.
 */
#include "dataplane/crypto_backend.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "crypto/key_impl.h"
#include "crypto/pipeline.h"
#include "crypto/verify.h"
#include "dns/error.h"

RTE_LOG_REGISTER(tw_ring_logtype, trustwire.crypto.ring, INFO);

#define RING_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, tw_ring_logtype, "crypto ring: " fmt "\n", ##__VA_ARGS__)

#define RING_BURST 64 /* slots a crypto lcore takes from one pipeline at a time */

struct ring_slot {
	struct tw_crypto_job job;      /* worker writes, crypto lcore reads */
	enum tw_crypto_result result;  /* crypto lcore writes, worker reads */
} __rte_cache_aligned;                 /* slots in flight on both sides never share a line */

struct ring_pipe {
	/* read by the crypto lcore: set at setup, constant afterwards */
	struct rte_ring *jobs;
	struct rte_ring *results;

	/* worker side only */
	struct tw_crypto_ring_service *svc __rte_cache_aligned;
	unsigned place;             /* index in svc->pipe[] */
	unsigned size;              /* slots, a power of two */
	unsigned nfree;
	unsigned nstaged;
	struct ring_slot **free;    /* stack of free slots */
	struct ring_slot **staged;  /* submitted, not yet on the job ring */
	struct ring_slot *slot;
};

struct keyed {
	uint64_t id;
	struct ring_slot *s;
};

struct ring_lcore {
	struct tw_crypto_verifier *v;
	_Atomic uint64_t epoch;     /* passes finished: a detaching pipeline waits on it */
	atomic_bool running;
	struct tw_crypto_ring_lcore_stats st;
	struct keyed sorted[RING_BURST], tmp[RING_BURST];
} __rte_cache_aligned;

struct tw_crypto_ring_service {
	unsigned max_pipes;
	unsigned n_lcores;
	int socket;
	atomic_uint started;        /* lcores that have taken an index */
	atomic_bool stop;
	struct ring_lcore *lc;      /* n_lcores of them */
	struct ring_pipe *_Atomic *pipe; /* max_pipes places; NULL: free */
};

static atomic_uint ring_names; /* rte_ring names must be unique in the process */

/* Stable bottom-up merge sort of a[0..n) by key id, so that consecutive
 * verifications share a key's prepared contexts in the verifier. */
static void sort_by_key(struct keyed *a, struct keyed *tmp, unsigned n)
{
	struct keyed *src = a, *dst = tmp;
	for (unsigned w = 1; w < n; w *= 2) {
		for (unsigned lo = 0; lo < n; lo += 2 * w) {
			unsigned mid = lo + w < n ? lo + w : n;
			unsigned hi = lo + 2 * w < n ? lo + 2 * w : n;
			unsigned i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = src[j].id < src[i].id ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		struct keyed *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof(*a));
}

/* One burst of one pipeline: take, sort by key, verify, give back. */
static unsigned serve(struct ring_lcore *lc, struct ring_pipe *p)
{
	struct ring_slot *burst[RING_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(p->jobs, (void **)burst, RING_BURST, NULL);
	if (n == 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		const struct tw_crypto_key *k = burst[i]->job.key;
		lc->sorted[i] = (struct keyed){ .id = k ? k->id : 0, .s = burst[i] };
	}
	sort_by_key(lc->sorted, lc->tmp, n);
	for (unsigned i = 0; i < n; i++) {
		struct ring_slot *s = lc->sorted[i].s;
		s->result = tw_crypto_verify(lc->v, s->job.key, s->job.data, s->job.data_len,
					     s->job.sig, s->job.sig_len);
		burst[i] = s;
	}
	lc->st.jobs += n; /* before the results: a worker that has them sees the count */
	lc->st.bursts++;
	/* cannot come up short: the result ring holds every slot of the pipeline */
	rte_ring_sp_enqueue_burst(p->results, (void *const *)burst, n, NULL);
	return n;
}

int tw_crypto_ring_service_lcore(void *arg)
{
	struct tw_crypto_ring_service *svc = arg;
	unsigned idx = atomic_fetch_add(&svc->started, 1);
	if (idx >= svc->n_lcores) {
		RING_LOG(ERR, "lcore %u: the service already runs on its %u lcores", rte_lcore_id(),
			 svc->n_lcores);
		return -TW_ERANGE;
	}
	struct ring_lcore *lc = &svc->lc[idx];
	uint64_t epoch = 0;
	/* seq_cst, as are the place loads below and the stores in ring_detach():
	 * a detaching pipeline either sees this lcore running or this lcore sees
	 * the place already cleared */
	atomic_store(&lc->running, true);
	while (!atomic_load_explicit(&svc->stop, memory_order_acquire)) {
		unsigned done = 0;
		for (unsigned i = idx; i < svc->max_pipes; i += svc->n_lcores) {
			struct ring_pipe *p = atomic_load(&svc->pipe[i]);
			if (p)
				done += serve(lc, p);
		}
		lc->st.loops++;
		if (done == 0) {
			lc->st.idle_loops++;
			rte_pause();
		}
		/* this pass holds no pipeline any more */
		atomic_store(&lc->epoch, ++epoch);
	}
	atomic_store(&lc->running, false);
	return 0;
}

void tw_crypto_ring_service_stop(struct tw_crypto_ring_service *svc)
{
	atomic_store_explicit(&svc->stop, true, memory_order_release);
}

struct tw_crypto_ring_service *tw_crypto_ring_service_new(unsigned max_pipes, unsigned n_lcores,
							  int socket)
{
	if (max_pipes == 0 || n_lcores == 0)
		return NULL;
	struct tw_crypto_ring_service *svc =
		rte_zmalloc_socket("tw_ring_service", sizeof(*svc), RTE_CACHE_LINE_SIZE, socket);
	if (!svc)
		return NULL;
	svc->max_pipes = max_pipes;
	svc->n_lcores = n_lcores;
	svc->socket = socket;
	atomic_init(&svc->started, 0);
	atomic_init(&svc->stop, false);
	svc->lc = rte_zmalloc_socket("tw_ring_lcores", n_lcores * sizeof(*svc->lc),
				     RTE_CACHE_LINE_SIZE, socket);
	svc->pipe = rte_zmalloc_socket("tw_ring_places", max_pipes * sizeof(*svc->pipe),
				       RTE_CACHE_LINE_SIZE, socket);
	if (!svc->lc || !svc->pipe) {
		tw_crypto_ring_service_free(svc);
		return NULL;
	}
	for (unsigned i = 0; i < max_pipes; i++)
		atomic_init(&svc->pipe[i], NULL);
	for (unsigned i = 0; i < n_lcores; i++) {
		atomic_init(&svc->lc[i].epoch, 0);
		atomic_init(&svc->lc[i].running, false);
		svc->lc[i].v = tw_crypto_verifier_new();
		if (!svc->lc[i].v) {
			tw_crypto_ring_service_free(svc);
			return NULL;
		}
	}
	return svc;
}

void tw_crypto_ring_service_free(struct tw_crypto_ring_service *svc)
{
	if (!svc)
		return;
	if (svc->lc) {
		for (unsigned i = 0; i < svc->n_lcores; i++) {
			if (atomic_load(&svc->lc[i].running)) {
				RING_LOG(ERR, "not freeing the service: crypto lcore %u still runs", i);
				return;
			}
		}
	}
	if (svc->pipe) {
		for (unsigned i = 0; i < svc->max_pipes; i++) {
			if (atomic_load(&svc->pipe[i])) {
				RING_LOG(ERR, "not freeing the service: pipeline %u still on it", i);
				return;
			}
		}
	}
	if (svc->lc)
		for (unsigned i = 0; i < svc->n_lcores; i++)
			tw_crypto_verifier_free(svc->lc[i].v);
	rte_free(svc->lc);
	rte_free(svc->pipe);
	rte_free(svc);
}

const struct tw_crypto_ring_lcore_stats *
tw_crypto_ring_service_stats(const struct tw_crypto_ring_service *svc, unsigned lcore_idx)
{
	if (lcore_idx >= svc->n_lcores)
		return NULL;
	return &svc->lc[lcore_idx].st;
}

/* Copies jobs into free slots and stages the slots. Worker lcore only. */
static unsigned ring_submit(void *state, const struct tw_crypto_job *jobs, unsigned n)
{
	struct ring_pipe *p = state;
	if (n > p->nfree)
		n = p->nfree;
	for (unsigned i = 0; i < n; i++) {
		struct ring_slot *s = p->free[--p->nfree];
		s->job = jobs[i];
		p->staged[p->nstaged++] = s;
	}
	return n;
}

/* One burst of the staged slots onto the job ring. Worker lcore only. */
static void ring_flush(void *state)
{
	struct ring_pipe *p = state;
	unsigned k = rte_ring_sp_enqueue_burst(p->jobs, (void *const *)p->staged, p->nstaged, NULL);
	/* the job ring holds every slot, so k == nstaged; keep any rest regardless */
	if (k < p->nstaged)
		memmove(p->staged, p->staged + k, (p->nstaged - k) * sizeof(*p->staged));
	p->nstaged -= k;
}

/* Verified slots off the result ring, back on the free list. Worker lcore only. */
static unsigned ring_poll(void *state, struct tw_crypto_result_rec *out, unsigned max)
{
	struct ring_pipe *p = state;
	struct ring_slot *done[RING_BURST];
	unsigned got = 0;
	while (got < max) {
		unsigned want = max - got < RING_BURST ? max - got : RING_BURST;
		unsigned k = rte_ring_sc_dequeue_burst(p->results, (void **)done, want, NULL);
		for (unsigned i = 0; i < k; i++) {
			out[got + i].cookie = done[i]->job.cookie;
			out[got + i].result = done[i]->result;
			p->free[p->nfree++] = done[i];
		}
		got += k;
		if (k < want)
			break;
	}
	return got;
}

/* Takes the pipeline off its place and waits until its crypto lcore has
 * finished any pass that may still hold it. */
static void ring_detach(struct ring_pipe *p)
{
	struct tw_crypto_ring_service *svc = p->svc;
	struct ring_lcore *lc = &svc->lc[p->place % svc->n_lcores];
	atomic_store(&svc->pipe[p->place], NULL);
	uint64_t e0 = atomic_load(&lc->epoch);
	/* a pass that read the place before it was cleared ends by advancing the
	 * epoch past e0; every later pass reads NULL */
	while (atomic_load(&lc->running) && atomic_load(&lc->epoch) == e0)
		rte_pause();
}

static void ring_destroy(void *state)
{
	struct ring_pipe *p = state;
	if (!p)
		return;
	if (p->svc)
		ring_detach(p);
	rte_ring_free(p->jobs);
	rte_ring_free(p->results);
	rte_free(p->free);
	rte_free(p->staged);
	rte_free(p->slot);
	rte_free(p);
}

struct tw_crypto_pipe *tw_crypto_pipe_new_ring(struct tw_crypto_ring_service *svc, unsigned depth)
{
	unsigned size = TW_CRYPTO_PIPE_MAX_BURST;
	if (depth > TW_CRYPTO_PIPE_MAX_DEPTH)
		return NULL;
	while (size < depth)
		size *= 2;
	struct ring_pipe *p = rte_zmalloc_socket("tw_ring_pipe", sizeof(*p), RTE_CACHE_LINE_SIZE,
						 svc->socket);
	if (!p)
		return NULL;
	p->size = size;
	p->slot = rte_zmalloc_socket("tw_ring_slots", size * sizeof(*p->slot),
				     RTE_CACHE_LINE_SIZE, svc->socket);
	p->free = rte_zmalloc_socket("tw_ring_free", size * sizeof(*p->free), 0, svc->socket);
	p->staged = rte_zmalloc_socket("tw_ring_staged", size * sizeof(*p->staged), 0,
				       svc->socket);
	unsigned id = atomic_fetch_add(&ring_names, 1);
	char name[RTE_RING_NAMESIZE];
	snprintf(name, sizeof(name), "tw_cj%u", id);
	p->jobs = rte_ring_create(name, size, svc->socket,
				  RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	snprintf(name, sizeof(name), "tw_cr%u", id);
	p->results = rte_ring_create(name, size, svc->socket,
				     RING_F_SP_ENQ | RING_F_SC_DEQ | RING_F_EXACT_SZ);
	if (!p->slot || !p->free || !p->staged || !p->jobs || !p->results) {
		RING_LOG(ERR, "no memory for a pipeline of %u slots", size);
		ring_destroy(p);
		return NULL;
	}
	for (unsigned i = 0; i < size; i++)
		p->free[i] = &p->slot[size - 1 - i];
	p->nfree = size;

	/* publish the finished pipeline on a free place (seq_cst: its contents are
	 * visible to the crypto lcore that loads the pointer) */
	for (unsigned i = 0; i < svc->max_pipes; i++) {
		struct ring_pipe *expect = NULL;
		if (atomic_compare_exchange_strong(&svc->pipe[i], &expect, p)) {
			p->place = i;
			p->svc = svc;
			break;
		}
	}
	if (!p->svc) {
		RING_LOG(ERR, "all %u pipeline places of the service are taken", svc->max_pipes);
		ring_destroy(p);
		return NULL;
	}
	struct tw_crypto_backend be = {
		.name = "ring",
		.state = p,
		.submit = ring_submit,
		.flush = ring_flush,
		.poll = ring_poll,
		.destroy = ring_destroy,
	};
	return tw_crypto_pipe_new(&be);
}
