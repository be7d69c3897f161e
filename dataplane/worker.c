/* The worker lcore loop: receive a burst, answer what the packet cache holds in
 * the same burst, send misses to the farm through the validation engine, feed
 * its verification jobs to this lcore's crypto pipeline at the end of the burst,
 * and answer every client waiting on a question once its verdict is in.
 *
 * Nothing here allocates from the heap, locks or makes a system call per packet,
 * with two exceptions written down where they happen: an engine query is made
 * per question missing from the cache (tw_val_query_new allocates), and the
 * cache's insert allocates the entry it publishes. */
#include "dataplane/worker.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include "crypto/pipeline.h"
#include "dataplane/answer.h"
#include "dataplane/pending.h"
#include "dataplane/port.h"
#include "dataplane/slowpath.h"
#include "dns/build.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/wire.h"
#include "mgmt/config.h"

#define BURST 32
#define TX_MAX 128
#define QUERY_RRS 8           /* RRs a client query may carry (OPT and a few) */
#define RESP_RRS 512          /* RRs indexed in a farm answer at most */
#define JOBS_STEP 64
#define SPORT_LO 1024u
#define SPORT_HI 65535u
#define SOLICIT_MS 1000u      /* re-ask for an unknown next hop this often */
#define HANDOFF_RING 4096

enum { WQ_FREE = 0, WQ_UPSTREAM, WQ_VERIFY, WQ_RUNNABLE };

/* One engine query in progress and the coalescing entry of its clients. */
struct wq {
	struct tw_val_query *q;
	uint32_t gen;             /* bumped at every reuse: owners carry it */
	uint32_t inflight;        /* handle in the coalescing table */
	uint32_t jobs_out;        /* verification jobs in the pipeline */
	uint32_t next;            /* runnable list link */
	uint8_t state;
	bool queued;
};

/* A client waiting for an answer: its query's mbuf (the reply is written into
 * it, so the client's addressing never has to be rebuilt), the frame's layout
 * and what the answer must echo. */
struct client {
	struct rte_mbuf *m;               /* UDP: the query's mbuf */
	struct tw_net_pkt pkt;            /* and its layout */
	struct tw_slowpath_query *tq;     /* TCP: the slow path's query */
};

struct waiter {
	struct client cl;
	struct tw_answer_query aq;
};

/* A UDP query of the current receive burst that the packet cache may answer:
 * the burst's candidates are looked up together (tw_cache_pkt_answer_burst), so
 * their memory latencies overlap. */
struct hit_try {
	struct rte_mbuf *m;
	struct tw_net_pkt pkt;
	struct tw_dns_msg q;
	struct tw_dns_rr rr[QUERY_RRS];
};

struct tw_worker {
	struct tw_worker_stats st;
	struct tw_dp_shared *sh;
	unsigned id;
	unsigned lcore;               /* the lcore running it (for the counters) */
	uint16_t queue;
	struct tw_net_ctx *net;
	struct tw_cache_thread *ct;
	struct tw_crypto_pipe *pipe;
	struct tw_pending *pend;
	struct tw_inflight *infl;
	struct rte_ring *handoff;     /* upstream answers received by other workers */
	uint16_t sport_lo, sport_hi;  /* this worker's source ports to the farm */
	struct wq *wqs;
	uint32_t nwq, *wq_free, nfree;
	uint32_t run_head;            /* runnable list (UINT32_MAX: empty) */
	uint32_t now;                 /* wall clock, seconds */
	uint64_t now_ms;
	uint64_t next_solicit_ms;
	uint64_t tap_poll_tsc;        /* when the exception port is next polled */
	uint64_t tap_poll_every;      /* TSC cycles between its polls (100 us) */
	uint64_t solicit_at[TW_UPSTREAM_MAX]; /* next solicitation for an upstream's
					       * unknown next hop, at most one per
					       * 100 ms (not one per question) */
	unsigned ntx, nktx;
	struct rte_mbuf *tx[TX_MAX];
	struct rte_mbuf *ktx[TX_MAX];    /* to the kernel (exception port) */
	struct tw_dns_rr qrr[QUERY_RRS];
	unsigned nht;
	struct hit_try ht[BURST];     /* this burst's packet-cache candidates */
	struct tw_dns_rr *rrr;        /* RESP_RRS */
	uint8_t *abuf;                /* an answer being built (64 KiB) */
	struct tw_answer_scratch *ascratch;
};

/* ---- time --------------------------------------------------------------------- */

static void clock_tick(struct tw_worker *w)
{
	struct tw_dp_shared *sh = w->sh;
	uint64_t c = rte_get_tsc_cycles() - sh->tsc0;
	w->now_ms = sh->wall0_ms + c / (sh->tsc_hz / 1000);
	w->now = (uint32_t)(w->now_ms / 1000);
}

/* ---- transmit ------------------------------------------------------------------ */

static void tx_flush(struct tw_worker *w)
{
	if (!w->ntx)
		return;
	uint16_t sent = rte_eth_tx_burst(w->sh->port, w->queue, w->tx, (uint16_t)w->ntx);
	w->st.tx += sent;
	if (sent < w->ntx) {
		w->st.tx_full += w->ntx - sent;
		rte_pktmbuf_free_bulk(&w->tx[sent], w->ntx - sent);
	}
	w->ntx = 0;
}

/* Frames for the kernel go out on the exception port's queue of this worker. */
static void ktx_flush(struct tw_worker *w)
{
	if (!w->nktx)
		return;
	uint16_t sent = rte_eth_tx_burst((uint16_t)w->sh->tap_port, (uint16_t)w->id, w->ktx,
					 (uint16_t)w->nktx);
	w->st.to_kernel += sent;
	if (sent < w->nktx) {
		w->st.tx_full += w->nktx - sent;
		rte_pktmbuf_free_bulk(&w->ktx[sent], w->nktx - sent);
	}
	w->nktx = 0;
}

static void to_kernel(struct tw_worker *w, struct rte_mbuf *m)
{
	/* the kernel's interface is untagged: our VLAN's tag comes off (an 802.1ad
	 * outer tag is not: QinQ ports keep TCP and the rest from the kernel) */
	if (w->sh->netconf.vlan)
		(void)rte_vlan_strip(m);
	if (w->nktx == TX_MAX)
		ktx_flush(w);
	w->ktx[w->nktx++] = m;
}

static void tx_push(struct tw_worker *w, struct rte_mbuf *m, size_t len)
{
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	if (w->ntx == TX_MAX)
		tx_flush(w);
	w->tx[w->ntx++] = m;
}

/* ---- answers to clients ----------------------------------------------------------- */

/* Sends the answer of alen octets waiting in w->abuf to the client whose query
 * is in m (laid out as pkt), in place of its query. */
static void reply(struct tw_worker *w, struct rte_mbuf *m, const struct tw_net_pkt *pkt, size_t alen)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	size_t room = rte_pktmbuf_data_room_size(m->pool) - rte_pktmbuf_headroom(m);
	if (alen == 0 || pkt->payload + alen > room) {
		w->st.answers_servfail_local++;
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(frame + pkt->payload, w->abuf, alen);
	tx_push(w, m, tw_net_udp_reply(pkt, frame, (uint16_t)alen));
}

/* Sends the answer of alen octets in w->abuf to the client (alen 0: none; a TCP
 * connection is then closed). */
static void deliver(struct tw_worker *w, const struct client *cl, size_t alen)
{
	if (cl->tq) {
		tw_slowpath_tcp_answer(w->sh->slow, cl->tq, w->abuf, alen);
		w->st.tcp_answers += alen != 0;
		return;
	}
	reply(w, cl->m, &cl->pkt, alen);
}

/* ---- engine queries -------------------------------------------------------------- */

/* The pending table's owner cookie for query idx: its slot and generation, so
 * that a late answer or timeout of a question asked for a query since finished
 * (or a slot reused since) is recognised and dropped. */
static uint64_t wq_owner(const struct tw_worker *w, uint32_t idx)
{
	return (uint64_t)w->wqs[idx].gen << 32 | idx;
}

/* The live query an owner cookie names, or UINT32_MAX. */
static uint32_t wq_of_owner(const struct tw_worker *w, uint64_t owner)
{
	uint32_t idx = (uint32_t)owner;
	if (idx >= w->nwq || w->wqs[idx].state == WQ_FREE || w->wqs[idx].gen != (uint32_t)(owner >> 32))
		return UINT32_MAX;
	return idx;
}

static void wq_mark_runnable(struct tw_worker *w, uint32_t idx)
{
	struct wq *x = &w->wqs[idx];
	x->state = WQ_RUNNABLE;
	if (x->queued)
		return;
	x->queued = true;
	x->next = w->run_head;
	w->run_head = idx;
}

/* Asks the farm (name, type) for query idx: a fresh ID and source port from the
 * pending table, DO=1 CD=1 RD=1 and our EDNS size (RFC 4035 §3.2.2 through the
 * farm: it must not validate, we do). */
static void send_question(struct tw_worker *w, uint32_t idx, const uint8_t *name, uint16_t type)
{
	struct tw_dp_shared *sh = w->sh;
	struct tw_pending_send ps;
	int rc = tw_pending_add(w->pend, name, type, TW_DNS_C_IN, wq_owner(w, idx), w->now_ms, &ps);
	if (rc != 0) {
		w->st.pending_full++;
		(void)tw_val_query_answer_upstream(w->wqs[idx].q, name, type, NULL, 0);
		wq_mark_runnable(w, idx);
		return;
	}
	struct rte_mbuf *m = rte_pktmbuf_alloc(sh->mp);
	if (!m) {
		/* the pending entry times out and is asked again */
		w->st.nomem++;
		return;
	}
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	size_t cap = rte_pktmbuf_tailroom(m), hdr;
	unsigned u = ps.upstream;
	rc = tw_net_udp_header(w->net, sh->upstream[u].family, sh->upstream[u].addr, ps.sport,
			       sh->upstream[u].port, w->now_ms, frame, cap, &hdr);
	if (rc != 0) {
		/* next hop unknown: ask for it (once per 100 ms, however many questions
		 * wait); the question goes again at its timeout */
		w->st.upstream_unroutable++;
		size_t sl = 0;
		if (w->now_ms >= w->solicit_at[u]) {
			w->solicit_at[u] = w->now_ms + 100;
			sl = tw_net_solicit(w->net, sh->upstream[u].family, sh->upstream[u].addr,
					    frame, cap);
		}
		if (sl)
			tx_push(w, m, sl);
		else
			rte_pktmbuf_free(m);
		return;
	}
	struct tw_dns_build b;
	if (tw_dns_build_init(&b, frame + hdr, cap - hdr, cap - hdr, ps.id,
			      TW_DNS_F_RD | TW_DNS_F_CD, TW_DNS_OPT_FIXED_LEN) != 0 ||
	    tw_dns_build_question(&b, name, type, TW_DNS_C_IN) != 0 ||
	    tw_dns_build_opt(&b, sh->server_udp_size, TW_DNS_EDNS_DO, 0, TW_EDE_NONE, NULL, 0) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	size_t dlen = tw_dns_build_finish(&b);
	tx_push(w, m, tw_net_udp_finish(frame, hdr, dlen));
	w->st.upstream_sent++;
}

static void count_verdict(struct tw_worker *w, const struct tw_val_result *r)
{
	if ((unsigned)r->verdict < 5)
		w->st.verdict[r->verdict]++;
	if (r->verdict == TW_VAL_BOGUS)
		w->st.bogus_ede[r->ede < TW_EDE_COUNTED ? r->ede : TW_EDE_COUNTED]++;
}

/* The verdict is in: every waiting client gets its answer (and each variant
 * asked goes to the packet cache), validated RRsets go to the RRset cache, and
 * the query is freed. */
static void wq_finish(struct tw_worker *w, uint32_t idx)
{
	struct tw_dp_shared *sh = w->sh;
	struct wq *x = &w->wqs[idx];
	const struct tw_val_result *r = tw_val_query_result(x->q);
	const uint32_t *ttls = NULL;
	const struct tw_dns_msg *farm = tw_val_query_answer(x->q, &ttls);
	count_verdict(w, r);
	enum tw_cache_status cst = r->verdict == TW_VAL_SECURE ? TW_CACHE_SECURE :
				   r->verdict == TW_VAL_BOGUS  ? TW_CACHE_BOGUS :
								 TW_CACHE_INSECURE;
	if (farm && (r->verdict == TW_VAL_SECURE || r->verdict == TW_VAL_INSECURE ||
		     r->verdict == TW_VAL_BOGUS)) {
		const struct tw_inflight_key *k = tw_inflight_key(w->infl, x->inflight);
		(void)tw_cache_insert_validated(w->ct, r, farm, ttls, k->qname, k->qtype, k->qclass,
						w->now);
	}
	uint32_t cache_ttl = r->verdict == TW_VAL_BOGUS ? sh->bogus_ttl :
			     r->verdict == TW_VAL_INDETERMINATE ? 0 : r->ttl;
	uint64_t variants_done = 0;
	for (void *it = tw_inflight_waiter_first(w->infl, x->inflight); it;
	     it = tw_inflight_waiter_next(w->infl, x->inflight, it)) {
		struct waiter *wt = it;
		size_t alen = tw_answer_build(&wt->aq, r, farm, ttls, sh->server_udp_size, w->abuf,
					      65536, w->ascratch);
		uint8_t v = wt->aq.variant;
		/* into the packet cache only when the answer suits every client of
		 * its variant (the variant records only "EDNS size >= 1232") */
		if (cache_ttl && alen && !(variants_done >> (v & 63) & 1) &&
		    tw_answer_fits_variant(&wt->aq, alen, sh->server_udp_size)) {
			variants_done |= 1ull << (v & 63);
			(void)tw_cache_pkt_insert(w->ct, w->abuf, alen, v, cst, cache_ttl, w->now);
		}
		deliver(w, &wt->cl, alen);
	}
	tw_inflight_remove(w->infl, x->inflight);
	tw_val_query_free(x->q);
	x->q = NULL;
	x->state = WQ_FREE;
	w->wq_free[w->nfree++] = idx;
}

/* Runs query idx as far as it goes without waiting. */
static void wq_run(struct tw_worker *w, uint32_t idx)
{
	struct wq *x = &w->wqs[idx];
	for (;;) {
		enum tw_val_status s = tw_val_query_run(x->q, w->now);
		if (s == TW_VAL_DONE) {
			wq_finish(w, idx);
			return;
		}
		if (s == TW_VAL_NEED_UPSTREAM) {
			const uint8_t *name;
			uint16_t type;
			x->state = WQ_UPSTREAM;
			while (tw_val_query_next_upstream(x->q, &name, &type))
				send_question(w, idx, name, type);
			if (x->state == WQ_RUNNABLE)
				continue; /* a question failed at once */
			return;
		}
		/* TW_VAL_NEED_VERIFY: into the pipeline; results at its poll */
		struct tw_crypto_job jobs[JOBS_STEP];
		unsigned n;
		x->state = WQ_VERIFY;
		while ((n = tw_val_query_jobs(x->q, jobs, JOBS_STEP)) > 0) {
			for (unsigned i = 0; i < n; i++)
				jobs[i].cookie |= (uint64_t)idx << 32;
			unsigned done = 0;
			while (done < n) {
				unsigned k = tw_crypto_pipe_enqueue_burst(w->pipe, jobs + done, n - done);
				done += k;
				if (k == 0)
					tw_crypto_pipe_flush(w->pipe); /* full: make room */
			}
			x->jobs_out += n;
			w->st.crypto_jobs += n;
		}
		if (x->jobs_out)
			return;
		/* nothing was handed out: the engine can go on */
	}
}

static void run_runnable(struct tw_worker *w)
{
	while (w->run_head != UINT32_MAX) {
		uint32_t idx = w->run_head;
		struct wq *x = &w->wqs[idx];
		w->run_head = x->next;
		x->queued = false;
		if (x->state == WQ_RUNNABLE)
			wq_run(w, idx);
	}
}

static void crypto_poll(struct tw_worker *w)
{
	struct tw_crypto_result_rec res[BURST];
	unsigned n;
	while ((n = tw_crypto_pipe_dequeue_burst(w->pipe, res, BURST)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			uint32_t idx = (uint32_t)(res[i].cookie >> 32);
			struct wq *x = &w->wqs[idx];
			tw_val_query_job_done(x->q, res[i].cookie & 0xFFFFFFFFu, res[i].result);
			if (--x->jobs_out == 0)
				wq_mark_runnable(w, idx);
		}
	}
}

/* ---- client queries ----------------------------------------------------------------- */

/* Constant sizes: inlined compares rather than a library call per frame. */
static inline bool addr_eq(const uint8_t *a, const uint8_t *b, int family)
{
	return family == AF_INET ? memcmp(a, b, 4) == 0 : memcmp(a, b, 16) == 0;
}

static bool is_service(const struct tw_dp_shared *sh, const struct tw_net_pkt *p)
{
	for (unsigned i = 0; i < sh->nlisten; i++)
		if (sh->listen[i].port == p->dport && sh->listen[i].family == p->family &&
		    addr_eq(sh->listen[i].addr, p->dst, p->family))
			return true;
	return false;
}

/* A client's query (wire, len); pkt_tried: the packet cache has already missed
 * it (tried in its receive burst). */
static void on_query(struct tw_worker *w, const struct client *cl, const uint8_t *wire, size_t len,
		     bool pkt_tried)
{
	struct tw_dp_shared *sh = w->sh;
	struct tw_dns_msg q;
	w->st.queries++;
	if (len < 12 || (wire[2] & 0x80)) {
		/* no header, or a response sent to the service: never answered
		 * (no reflection loops) */
		w->st.not_query++;
		deliver(w, cl, 0);
		return;
	}
	int rc = tw_dns_msg_parse(&q, wire, len, w->qrr, QUERY_RRS);
	if (rc != 0 || q.qdcount != 1 || q.ancount || q.nscount ||
	    q.qname != 12 || (wire[12] & 0xC0)) {
		w->st.formerr++;
		deliver(w, cl, tw_answer_formerr(wire, len, w->abuf, 65536));
		return;
	}
	struct tw_answer_query aq;
	if (tw_answer_query_from_msg(&q, &aq) != 0) {
		w->st.formerr++;
		deliver(w, cl, tw_answer_formerr(wire, len, w->abuf, 65536));
		return;
	}
	if (aq.edns && aq.edns_version > 0) {
		/* RFC 6891 §6.1.3 */
		w->st.badvers++;
		deliver(w, cl, tw_answer_servfail(&aq, TW_DNS_R_BADVERS, TW_EDE_NONE, NULL,
						    sh->server_udp_size, w->abuf, 65536));
		return;
	}
	if (TW_DNS_OPCODE(q.flags) != 0) {
		w->st.notimp++;
		deliver(w, cl, tw_answer_servfail(&aq, TW_DNS_R_NOTIMP, TW_EDE_NONE, NULL,
						    sh->server_udp_size, w->abuf, 65536));
		return;
	}
	aq.tcp = cl->tq != NULL;
	/* the hit path: a ready answer, ID, case and TTLs patched (not over TCP:
	 * the ready answers are cut to UDP sizes) */
	size_t alen = cl->tq || pkt_tried ? 0 : tw_cache_pkt_answer(w->ct, &q, w->now, w->abuf, 65536);
	if (alen) {
		w->st.hits++;
		deliver(w, cl, alen);
		return;
	}
	uint8_t lname[TW_DNS_NAME_MAXLEN];
	tw_dns_name_copy_lower(lname, wire + q.qname);
	uint8_t cd = (q.flags & TW_DNS_F_CD) ? 1 : 0;
	if (!cd) {
		/* RFC 8198: NXDOMAIN, NODATA or a wildcard expansion from validated
		 * NSEC/NSEC3 ranges already cached, without asking the farm */
		struct tw_cache_synth syn;
		if (tw_cache_synth_lookup(w->ct, lname, q.qtype, q.qclass, w->now, &syn)) {
			alen = tw_answer_from_synth(&aq, &syn, sh->server_udp_size, w->abuf, 65536);
			if (alen) {
				w->st.synthesized++;
				if (!cl->tq && syn.ttl &&
				    tw_answer_fits_variant(&aq, alen, sh->server_udp_size))
					(void)tw_cache_pkt_insert(w->ct, w->abuf, alen, aq.variant,
								  TW_CACHE_SECURE, syn.ttl, w->now);
				deliver(w, cl, alen);
				return;
			}
		}
	}
	w->st.misses++;
	bool created = false;
	uint32_t h = tw_inflight_find_or_add(w->infl, lname, q.qtype, q.qclass, cd, w->now_ms,
					     &created);
	if (h == TW_INFLIGHT_NONE) {
		w->st.queries_full++;
		deliver(w, cl, tw_answer_servfail(&aq, TW_DNS_R_SERVFAIL, TW_EDE_OTHER,
						    "too many questions in progress",
						    sh->server_udp_size, w->abuf, 65536));
		return;
	}
	struct waiter *wt = tw_inflight_waiter_add(w->infl, h);
	if (!wt) {
		w->st.waiters_full++;
		if (created)
			tw_inflight_remove(w->infl, h);
		deliver(w, cl, tw_answer_servfail(&aq, TW_DNS_R_SERVFAIL, TW_EDE_OTHER,
						    "too many clients waiting on this question",
						    sh->server_udp_size, w->abuf, 65536));
		return;
	}
	wt->cl = *cl;
	wt->aq = aq;
	if (!created) {
		w->st.coalesced++;
		return;
	}
	/* a new question: an engine query (allocates: the miss path) */
	struct tw_val_query *vq = NULL;
	if (w->nfree)
		vq = tw_val_query_new(sh->vconf, tw_cache_keystore(w->ct), lname, q.qtype, q.qclass,
				      cd);
	if (!vq) {
		w->st.queries_full++;
		for (void *it = tw_inflight_waiter_first(w->infl, h); it;
		     it = tw_inflight_waiter_next(w->infl, h, it)) {
			struct waiter *x = it;
			deliver(w, &x->cl,
			      tw_answer_servfail(&x->aq, TW_DNS_R_SERVFAIL, TW_EDE_OTHER,
						 "out of query slots", sh->server_udp_size, w->abuf,
						 65536));
		}
		tw_inflight_remove(w->infl, h);
		return;
	}
	uint32_t idx = w->wq_free[--w->nfree];
	struct wq *x = &w->wqs[idx];
	uint32_t gen = x->gen + 1;
	memset(x, 0, sizeof(*x));
	x->gen = gen;
	x->q = vq;
	x->inflight = h;
	tw_inflight_set_value(w->infl, h, idx);
	wq_mark_runnable(w, idx);
}

/* ---- upstream answers ----------------------------------------------------------------- */

static int upstream_of(const struct tw_dp_shared *sh, const struct tw_net_pkt *p)
{
	for (unsigned i = 0; i < sh->nupstreams; i++)
		if (sh->upstream[i].port == p->sport && sh->upstream[i].family == p->family &&
		    addr_eq(sh->upstream[i].addr, p->src, p->family))
			return (int)i;
	return -1;
}

static void on_response(struct tw_worker *w, struct rte_mbuf *m, const struct tw_net_pkt *pkt,
			unsigned ups)
{
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	const uint8_t *wire = frame + pkt->payload;
	size_t len = pkt->payload_len;
	struct tw_dns_msg r;
	if (tw_dns_msg_parse_question(&r, wire, len) != 0 || !(r.flags & TW_DNS_F_QR) ||
	    r.qdcount != 1) {
		w->st.upstream_bad++;
		rte_pktmbuf_free(m);
		return;
	}
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	if (tw_dns_name_unpack(wire, len, r.qname, qname, NULL, NULL) != 0) {
		w->st.upstream_bad++;
		rte_pktmbuf_free(m);
		return;
	}
	uint64_t owner;
	int rc = tw_pending_match(w->pend, pkt->family, pkt->src, pkt->sport, pkt->dport, r.id,
				  qname, r.qtype, r.qclass, w->now_ms, &owner);
	if (rc != 0) {
		w->st.upstream_mismatch++;
		rte_pktmbuf_free(m);
		return;
	}
	w->st.upstream_answers++;
	uint32_t idx = wq_of_owner(w, owner);
	if (idx == UINT32_MAX) {
		w->st.upstream_late++;
		rte_pktmbuf_free(m);
		return;
	}
	struct wq *x = &w->wqs[idx];
	if (r.flags & TW_DNS_F_TC) {
		/* truncated: the slow path asks again over TCP (RFC 7766) */
		w->st.upstream_truncated++;
		rte_pktmbuf_free(m);
		if (w->sh->slow &&
		    tw_slowpath_ask(w->sh->slow, w->id, owner, qname, r.qtype, ups) == 0) {
			w->st.slowpath_asked++;
		} else {
			w->st.slowpath_full++;
			(void)tw_val_query_answer_upstream(x->q, qname, r.qtype, NULL, 0);
			wq_mark_runnable(w, idx);
		}
		return;
	}
	/* the engine copies the message; a malformed one counts as no answer */
	(void)tw_val_query_answer_upstream(x->q, qname, r.qtype, wire, len);
	rte_pktmbuf_free(m);
	wq_mark_runnable(w, idx);
}

/* Answers the slow path got over TCP for this worker's truncated questions. */
static unsigned slow_poll(struct tw_worker *w)
{
	struct tw_slowpath *sp = w->sh->slow;
	if (!sp)
		return 0;
	struct tw_slowpath_answer *a[BURST];
	unsigned n = tw_slowpath_poll(sp, w->id, a, BURST);
	for (unsigned i = 0; i < n; i++) {
		uint32_t idx = wq_of_owner(w, a[i]->owner);
		if (idx != UINT32_MAX) {
			if (a[i]->len)
				w->st.slowpath_answers++;
			else
				w->st.slowpath_failed++;
			(void)tw_val_query_answer_upstream(w->wqs[idx].q, a[i]->qname, a[i]->qtype,
							   a[i]->len ? a[i]->wire : NULL,
							   a[i]->len);
			wq_mark_runnable(w, idx);
		}
		tw_slowpath_release(sp, a[i]);
	}
	return n;
}

/* Client queries that came over TCP (the slow path holds the connections). */
static unsigned tcp_poll(struct tw_worker *w)
{
	struct tw_slowpath *sp = w->sh->slow;
	if (!sp)
		return 0;
	struct tw_slowpath_query *q[BURST];
	unsigned n = tw_slowpath_tcp_poll(sp, w->id, q, BURST);
	for (unsigned i = 0; i < n; i++) {
		struct client cl = { .m = NULL, .tq = q[i] };
		w->st.tcp_queries++;
		on_query(w, &cl, q[i]->wire, q[i]->len, false);
	}
	return n;
}

/* How many frames of a receive burst ahead of the one handled are fetched. */
#define PREFETCH_AHEAD 4

/* (Fetching them with intent to write, as the answer is written over the
 * query, measured slower here.) */
static inline void prefetch_frame(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	rte_prefetch0(p);
	rte_prefetch0(p + RTE_CACHE_LINE_SIZE);
}

/* ---- the hit path ------------------------------------------------------------------------- */

/* Keeps the query in m for this burst's packet-cache lookup when it is one that
 * on_query() would look up (a well-formed standard query without EDNS version
 * trouble); false: on_query() takes it now. */
static bool hit_candidate(struct tw_worker *w, struct rte_mbuf *m, const struct tw_net_pkt *pkt)
{
	if (w->nht == BURST)
		return false;
	struct hit_try *h = &w->ht[w->nht];
	const uint8_t *wire = rte_pktmbuf_mtod(m, const uint8_t *) + pkt->payload;
	size_t len = pkt->payload_len;
	if (len < 12 || (wire[2] & 0x80) || TW_DNS_OPCODE(tw_wire_get16(wire + 2)) != 0 ||
	    (tw_dns_msg_parse_query(&h->q, wire, len, h->rr) != 0 &&
	     tw_dns_msg_parse(&h->q, wire, len, h->rr, QUERY_RRS) != 0) ||
	    h->q.qdcount != 1 ||
	    h->q.ancount || h->q.nscount || h->q.qname != 12 || (wire[12] & 0xC0) ||
	    (h->q.has_opt && h->q.edns_version > 0))
		return false;
	h->m = m;
	if (&h->pkt != pkt)
		h->pkt = *pkt;
	w->nht++;
	return true;
}

/* Answers this burst's candidates from the packet cache, each answer written
 * over its query in the receive buffer and sent in the same burst; the misses go
 * on to on_query(). */
static void hit_burst(struct tw_worker *w)
{
	unsigned n = w->nht;
	if (!n)
		return;
	w->nht = 0;
	const struct tw_dns_msg *q[BURST];
	uint8_t *out[BURST];
	size_t cap[BURST], len[BURST];
	uint32_t sum[BURST];
	for (unsigned i = 0; i < n; i++) {
		struct hit_try *h = &w->ht[i];
		size_t room = rte_pktmbuf_data_room_size(h->m->pool) - rte_pktmbuf_headroom(h->m);
		q[i] = &h->q;
		out[i] = rte_pktmbuf_mtod(h->m, uint8_t *) + h->pkt.payload;
		cap[i] = room - h->pkt.payload;
	}
	uint32_t hits = tw_cache_pkt_answer_burst(w->ct, q, n, w->now, out, cap, len, sum);
	/* the hits are counted here, the misses by on_query() */
	unsigned nhit = (unsigned)__builtin_popcount(hits);
	w->st.queries += nhit;
	w->st.hits += nhit;
	for (unsigned i = 0; i < n; i++) {
		struct hit_try *h = &w->ht[i];
		if (hits & (1u << i)) {
			uint8_t *frame = rte_pktmbuf_mtod(h->m, uint8_t *);
			size_t flen = tw_net_udp_reply_sum(&h->pkt, frame, (uint16_t)len[i], sum[i]);
			if (flen) {
				tx_push(w, h->m, flen);
			} else {
				w->st.answers_servfail_local++;
				rte_pktmbuf_free(h->m);
			}
			continue;
		}
		struct client cl = { .m = h->m, .pkt = h->pkt, .tq = NULL };
		on_query(w, &cl, out[i], h->pkt.payload_len, true);
	}
}

/* ---- frames ----------------------------------------------------------------------------- */

static void share_neighbour(struct tw_worker *w, const struct rte_mbuf *m)
{
	struct tw_dp_shared *sh = w->sh;
	for (unsigned i = 0; i < sh->nworkers; i++) {
		if (i == w->id)
			continue;
		struct rte_mbuf *c = rte_pktmbuf_copy(m, sh->mp, 0, UINT32_MAX);
		if (!c) {
			w->st.nomem++;
			return;
		}
		if (rte_ring_enqueue(sh->workers[i]->handoff, c) == 0) {
			w->st.handoff_out++;
		} else {
			w->st.handoff_full++;
			rte_pktmbuf_free(c);
		}
	}
}

static void on_frame(struct tw_worker *w, struct rte_mbuf *m, bool handed)
{
	struct tw_dp_shared *sh = w->sh;
	/* parsed straight into the next hit candidate's slot when there is one,
	 * so a candidate's layout is not copied */
	struct tw_net_pkt local, *pkt = w->nht < BURST ? &w->ht[w->nht].pkt : &local;
	uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
	size_t cap = rte_pktmbuf_data_room_size(m->pool) - rte_pktmbuf_headroom(m);
	enum tw_net_verdict v = tw_net_input(w->net, frame, rte_pktmbuf_data_len(m), cap,
					     w->now_ms, pkt);
	switch (v) {
	case TW_NET_REPLY:
		w->st.l2_replies++;
		tx_push(w, m, pkt->reply_len);
		return;
	case TW_NET_DROP:
		w->st.drop[pkt->drop < TW_NET_DROP_REASONS ? pkt->drop : 0]++;
		if (pkt->drop == TW_NET_DROP_CONSUMED && !handed) {
			/* a neighbour's ARP reply or advertisement, learned here: every
			 * worker keeps its own neighbour table, and RSS puts all ARP on
			 * one queue, so the others get a copy to learn from too */
			share_neighbour(w, m);
			/* and the kernel behind the exception port resolves its own
			 * next hops */
			if (sh->tap_port >= 0) {
				to_kernel(w, m);
				return;
			}
		}
		rte_pktmbuf_free(m);
		return;
	case TW_NET_EXCEPTION:
		w->st.exception[pkt->exception < TW_NET_EXCEPTIONS ? pkt->exception : 0]++;
		if (sh->tap_port >= 0)
			to_kernel(w, m);
		else
			rte_pktmbuf_free(m);
		return;
	case TW_NET_UDP:
		break;
	}
	if (is_service(sh, pkt)) {
		if (!handed && hit_candidate(w, m, pkt))
			return;
		struct client cl = { .m = m, .pkt = *pkt, .tq = NULL };
		on_query(w, &cl, frame + pkt->payload, pkt->payload_len, false);
		return;
	}
	int ups = upstream_of(sh, pkt);
	if (ups >= 0 && pkt->dport >= SPORT_LO) {
		/* the answer belongs to the worker that owns its port range */
		unsigned span = (SPORT_HI - SPORT_LO + 1) / sh->nworkers;
		unsigned owner = (pkt->dport - SPORT_LO) / span;
		if (owner < sh->nworkers && owner != w->id && !handed) {
			if (rte_ring_enqueue(sh->workers[owner]->handoff, m) == 0) {
				w->st.handoff_out++;
			} else {
				w->st.handoff_full++;
				rte_pktmbuf_free(m);
			}
			return;
		}
		on_response(w, m, pkt, (unsigned)ups);
		return;
	}
	w->st.udp_other++;
	rte_pktmbuf_free(m);
}

/* ---- timers ------------------------------------------------------------------------------ */

static void timers(struct tw_worker *w)
{
	struct tw_dp_shared *sh = w->sh;
	struct tw_pending_event ev[BURST];
	unsigned n;
	while ((n = tw_pending_expire(w->pend, w->now_ms, ev, BURST)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			uint32_t idx = wq_of_owner(w, ev[i].owner);
			if (idx == UINT32_MAX)
				continue; /* its query is gone */
			struct wq *x = &w->wqs[idx];
			if (ev[i].kind == TW_PENDING_RESEND) {
				w->st.upstream_timeouts++;
				/* same question, the next upstream, a new ID and port */
				struct rte_mbuf *m = rte_pktmbuf_alloc(sh->mp);
				if (!m) {
					w->st.nomem++;
					continue;
				}
				uint8_t *frame = rte_pktmbuf_mtod(m, uint8_t *);
				size_t cap = rte_pktmbuf_tailroom(m), hdr;
				unsigned u = ev[i].send.upstream;
				if (tw_net_udp_header(w->net, sh->upstream[u].family,
						      sh->upstream[u].addr, ev[i].send.sport,
						      sh->upstream[u].port, w->now_ms, frame, cap,
						      &hdr) != 0) {
					w->st.upstream_unroutable++;
					size_t sl = 0;
					if (w->now_ms >= w->solicit_at[u]) {
						w->solicit_at[u] = w->now_ms + 100;
						sl = tw_net_solicit(w->net, sh->upstream[u].family,
								    sh->upstream[u].addr, frame, cap);
					}
					if (sl)
						tx_push(w, m, sl);
					else
						rte_pktmbuf_free(m);
					continue;
				}
				struct tw_dns_build b;
				if (tw_dns_build_init(&b, frame + hdr, cap - hdr, cap - hdr,
						      ev[i].send.id, TW_DNS_F_RD | TW_DNS_F_CD,
						      TW_DNS_OPT_FIXED_LEN) != 0 ||
				    tw_dns_build_question(&b, ev[i].qname, ev[i].qtype,
							  ev[i].qclass) != 0 ||
				    tw_dns_build_opt(&b, sh->server_udp_size, TW_DNS_EDNS_DO, 0,
						     TW_EDE_NONE, NULL, 0) != 0) {
					rte_pktmbuf_free(m);
					continue;
				}
				size_t dlen = tw_dns_build_finish(&b);
				tx_push(w, m, tw_net_udp_finish(frame, hdr, dlen));
				w->st.upstream_sent++;
			} else {
				/* retries spent: the engine hears "no answer" */
				w->st.upstream_timeouts++;
				w->st.upstream_giveups++;
				(void)tw_val_query_answer_upstream(x->q, ev[i].qname, ev[i].qtype,
								   NULL, 0);
				wq_mark_runnable(w, idx);
			}
		}
		if (n < BURST)
			break;
	}
	/* keep the farm's next hops known before the first question needs them */
	if (w->now_ms >= w->next_solicit_ms) {
		w->next_solicit_ms = w->now_ms + SOLICIT_MS;
		for (unsigned u = 0; u < sh->nupstreams; u++) {
			if (tw_net_neigh_known(w->net, sh->upstream[u].family, sh->upstream[u].addr,
					       w->now_ms))
				continue;
			struct rte_mbuf *m = rte_pktmbuf_alloc(sh->mp);
			if (!m)
				break;
			size_t sl = tw_net_solicit(w->net, sh->upstream[u].family, sh->upstream[u].addr,
						   rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m));
			if (sl)
				tx_push(w, m, sl);
			else
				rte_pktmbuf_free(m);
		}
	}
}

/* ---- the loop ----------------------------------------------------------------------------- */

int tw_worker_main(void *arg)
{
	struct tw_worker *w = arg;
	struct tw_dp_shared *sh = w->sh;
	w->lcore = rte_lcore_id();
	w->tap_poll_every = sh->tsc_hz / 10000;
	w->tap_poll_tsc = 0;
	w->ct = tw_cache_thread_register(sh->cache);
	if (!w->ct) {
		RTE_LOG(ERR, USER1, "worker %u: cannot register with the cache\n", w->id);
		return -1;
	}
	struct rte_mbuf *rx[BURST];
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		uint64_t t0 = rte_get_tsc_cycles();
		clock_tick(w);
		uint16_t n = rte_eth_rx_burst(sh->port, w->queue, rx, BURST);
		unsigned work = n;
		/* the frames were written by another core or by the NIC: their
		 * lines are fetched ahead, the mbufs first, the first two lines of
		 * each frame (headers and a typical query) PREFETCH_AHEAD ahead */
		for (uint16_t i = 0; i < n; i++)
			rte_prefetch0(rx[i]);
		for (uint16_t i = 0; i < n && i < PREFETCH_AHEAD; i++)
			prefetch_frame(rx[i]);
		for (uint16_t i = 0; i < n; i++) {
			if (i + PREFETCH_AHEAD < n)
				prefetch_frame(rx[i + PREFETCH_AHEAD]);
			w->st.rx++;
			w->st.rx_bytes += rte_pktmbuf_pkt_len(rx[i]);
			on_frame(w, rx[i], false);
		}
		hit_burst(w);
		void *hand[BURST];
		unsigned nh = rte_ring_dequeue_burst(w->handoff, hand, BURST, NULL);
		work += nh;
		for (unsigned i = 0; i < nh; i++) {
			w->st.handoff_in++;
			on_frame(w, hand[i], true);
		}
		work += slow_poll(w);
		work += tcp_poll(w);
		if (sh->tap_port >= 0 && t0 >= w->tap_poll_tsc) {
			/* what the kernel sends (TCP, its ARP and ND) goes out the port.
			 * Polled every 100 us, not every loop: the TAP's receive is a
			 * read() system call even when nothing waits, and the kernel's
			 * traffic is slow and tolerates the delay */
			w->tap_poll_tsc = t0 + w->tap_poll_every;
			struct rte_mbuf *k[BURST];
			uint16_t nk = rte_eth_rx_burst((uint16_t)sh->tap_port, (uint16_t)w->id, k,
						       BURST);
			for (uint16_t i = 0; i < nk; i++) {
				struct rte_mbuf *km = k[i];
				w->st.from_kernel++;
				if (sh->netconf.vlan) {
					/* onto the port's VLAN, at our priority */
					km->vlan_tci = (uint16_t)(sh->netconf.vlan |
								  sh->netconf.pcp << 13);
					if (sh->netconf.svlan || rte_vlan_insert(&km) != 0) {
						w->st.kernel_untaggable++;
						rte_pktmbuf_free(km);
						continue;
					}
				}
				tx_push(w, km, rte_pktmbuf_data_len(km));
			}
			work += nk;
		}
		run_runnable(w);
		if (tw_crypto_pipe_in_flight(w->pipe)) {
			tw_crypto_pipe_flush(w->pipe);
			crypto_poll(w);
			run_runnable(w);
			tw_crypto_pipe_flush(w->pipe);
			crypto_poll(w);
			run_runnable(w);
			work++;
		}
		timers(w);
		run_runnable(w);
		if (w->ntx || w->nktx)
			work++;
		tx_flush(w);
		if (w->nktx)
			ktx_flush(w);
		/* housekeeping when idle, and every 64th loop under load: each entry it
		 * looks at is a cache miss the hit path would pay for */
		if (!work || (w->st.loops & 63) == 0)
			tw_cache_maintain(w->ct, w->now, work ? 64 : 32);
		tw_cache_quiescent(w->ct);
		uint64_t t1 = rte_get_tsc_cycles();
		w->st.loops++;
		w->st.cycles += t1 - t0;
		if (work) {
			w->st.busy_loops++;
			w->st.busy_cycles += t1 - t0;
		}
	}
	/* stopping: every client still waiting hears SERVFAIL */
	for (uint32_t i = 0; i < w->nwq; i++) {
		struct wq *x = &w->wqs[i];
		if (x->state == WQ_FREE)
			continue;
		for (void *it = tw_inflight_waiter_first(w->infl, x->inflight); it;
		     it = tw_inflight_waiter_next(w->infl, x->inflight, it)) {
			struct waiter *wt = it;
			deliver(w, &wt->cl,
			      tw_answer_servfail(&wt->aq, TW_DNS_R_SERVFAIL, TW_EDE_OTHER,
						 "shutting down", sh->server_udp_size, w->abuf, 65536));
		}
		tw_inflight_remove(w->infl, x->inflight);
		/* jobs still in the pipeline point into the query: drain first */
		while (x->jobs_out && tw_crypto_pipe_in_flight(w->pipe)) {
			tw_crypto_pipe_flush(w->pipe);
			crypto_poll(w);
		}
		tw_val_query_free(x->q);
		x->state = WQ_FREE;
	}
	tx_flush(w);
	if (w->nktx)
		ktx_flush(w);
	tw_cache_thread_unregister(w->ct);
	w->ct = NULL;
	return 0;
}

void tw_dp_shared_config(struct tw_dp_shared *sh, const struct tw_config *cfg,
			 const uint8_t port_mac[6])
{
	tw_port_netconf(cfg, port_mac, &sh->netconf);
	struct tw_config_addr lst[TW_CONFIG_MAX_LISTEN + 2];
	unsigned nl = tw_config_listen(cfg, lst);
	sh->nlisten = 0;
	for (unsigned i = 0; i < nl && i < TW_LISTEN_MAX; i++) {
		sh->listen[sh->nlisten].family = lst[i].family;
		memcpy(sh->listen[sh->nlisten].addr, lst[i].addr, 16);
		sh->listen[sh->nlisten].port = lst[i].port;
		sh->nlisten++;
	}
	sh->nupstreams = 0;
	for (unsigned i = 0; i < cfg->nupstreams && i < TW_UPSTREAM_MAX; i++) {
		sh->upstream[i].family = cfg->upstreams[i].family;
		memcpy(sh->upstream[i].addr, cfg->upstreams[i].addr, 16);
		sh->upstream[i].port = cfg->upstreams[i].port;
		sh->nupstreams++;
	}
	sh->pending = cfg->limits.pending;
	sh->timeout_ms = cfg->limits.timeout_ms;
	sh->retries = cfg->limits.retries;
	sh->waiters = cfg->limits.waiters;
	sh->queries = cfg->limits.pending;
	sh->server_udp_size = 1232;
	sh->bogus_ttl = cfg->cache.bogus_ttl;
	sh->tsc_hz = rte_get_tsc_hz();
	sh->tsc0 = rte_get_tsc_cycles();
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	sh->wall0_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- setup ---------------------------------------------------------------------------------- */

struct tw_worker *tw_worker_new(struct tw_dp_shared *sh, unsigned id, struct tw_crypto_pipe *pipe,
				char *err, size_t errcap)
{
	struct tw_worker *w = rte_zmalloc("tw_worker", sizeof(*w), 64);
	if (!w) {
		snprintf(err, errcap, "worker %u: out of memory", id);
		tw_crypto_pipe_free(pipe);
		return NULL;
	}
	if (sh->tap_port == (int)sh->port) {
		/* a zeroed setup would read the service port as the kernel's */
		snprintf(err, errcap, "worker %u: the exception port is the service port "
			 "(tap_port must be -1 when there is none)", id);
		tw_crypto_pipe_free(pipe);
		rte_free(w);
		return NULL;
	}
	w->sh = sh;
	w->id = id;
	w->queue = (uint16_t)id;
	w->pipe = pipe;
	w->run_head = UINT32_MAX;
	unsigned span = (SPORT_HI - SPORT_LO + 1) / sh->nworkers;
	w->sport_lo = (uint16_t)(SPORT_LO + id * span);
	w->sport_hi = (uint16_t)(SPORT_LO + (id + 1) * span - 1);
	char name[32];
	snprintf(name, sizeof(name), "tw_handoff_%u", id);
	w->handoff = rte_ring_create(name, HANDOFF_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
	char why[256] = "";
	w->net = tw_net_ctx_new(&sh->netconf, why, sizeof(why));
	struct tw_pending_conf pc;
	tw_pending_conf_init(&pc);
	pc.capacity = sh->pending;
	pc.timeout_ms = sh->timeout_ms;
	pc.retries = (uint8_t)sh->retries;
	pc.sport_lo = w->sport_lo;
	pc.sport_hi = w->sport_hi;
	pc.nupstreams = sh->nupstreams;
	for (unsigned u = 0; u < sh->nupstreams; u++) {
		pc.upstream[u].family = sh->upstream[u].family;
		memcpy(pc.upstream[u].addr, sh->upstream[u].addr, 16);
		pc.upstream[u].port = sh->upstream[u].port;
	}
	if (w->net)
		w->pend = tw_pending_new(&pc, why, sizeof(why));
	struct tw_inflight_conf ic;
	tw_inflight_conf_init(&ic);
	ic.capacity = sh->queries;
	ic.waiters = sh->queries * 4u;
	ic.waiter_size = sizeof(struct waiter);
	ic.max_per_key = (uint16_t)sh->waiters;
	if (w->pend)
		w->infl = tw_inflight_new(&ic, why, sizeof(why));
	w->nwq = sh->queries;
	w->wqs = calloc(w->nwq, sizeof(*w->wqs));
	w->wq_free = calloc(w->nwq, sizeof(*w->wq_free));
	w->rrr = calloc(RESP_RRS, sizeof(*w->rrr));
	w->abuf = malloc(65536);
	w->ascratch = malloc(sizeof(*w->ascratch));
	if (!w->handoff || !w->net || !w->pend || !w->infl || !w->wqs || !w->wq_free || !w->rrr ||
	    !w->abuf || !w->ascratch) {
		snprintf(err, errcap, "worker %u: %s", id, why[0] ? why : "out of memory for its tables");
		tw_worker_free(w);
		return NULL;
	}
	for (uint32_t i = 0; i < w->nwq; i++)
		w->wq_free[w->nfree++] = w->nwq - 1 - i;
	return w;
}

void tw_worker_free(struct tw_worker *w)
{
	if (!w)
		return;
	tw_crypto_pipe_free(w->pipe);
	rte_ring_free(w->handoff);
	tw_net_ctx_free(w->net);
	tw_pending_free(w->pend);
	tw_inflight_free(w->infl);
	free(w->wqs);
	free(w->wq_free);
	free(w->rrr);
	free(w->abuf);
	free(w->ascratch);
	rte_free(w);
}

const struct tw_worker_stats *tw_worker_stats(const struct tw_worker *w)
{
	return &w->st;
}

/* ---- counters -------------------------------------------------------------------------------- */

void tw_worker_print_stats(struct tw_dp_shared *sh, FILE *f)
{
	struct tw_worker_stats t;
	memset(&t, 0, sizeof(t));
	for (unsigned i = 0; i < sh->nworkers; i++) {
		const uint64_t *a = (const uint64_t *)(const void *)&sh->workers[i]->st;
		uint64_t *s = (uint64_t *)(void *)&t;
		for (size_t k = 0; k < sizeof(t) / sizeof(uint64_t); k++)
			s[k] += a[k];
	}
	fprintf(f, "trustwired counters (all workers)\n");
	struct rte_eth_stats es;
	if (rte_eth_stats_get(sh->port, &es) == 0)
		fprintf(f, "  port: received %llu  missed %llu  errors %llu  no_mbuf %llu  sent %llu  "
			   "send_errors %llu\n",
			(unsigned long long)es.ipackets, (unsigned long long)es.imissed,
			(unsigned long long)es.ierrors, (unsigned long long)es.rx_nombuf,
			(unsigned long long)es.opackets, (unsigned long long)es.oerrors);
	uint64_t exc = 0;
	for (unsigned e = 0; e < TW_NET_EXCEPTIONS; e++)
		exc += t.exception[e];
	fprintf(f, "  rx %llu (%llu octets)  tx %llu  tx_full %llu  l2_replies %llu  exception %llu  "
		   "udp_other %llu  nomem %llu\n",
		(unsigned long long)t.rx, (unsigned long long)t.rx_bytes, (unsigned long long)t.tx,
		(unsigned long long)t.tx_full, (unsigned long long)t.l2_replies,
		(unsigned long long)exc, (unsigned long long)t.udp_other,
		(unsigned long long)t.nomem);
	fprintf(f, "  kernel: to %llu  from %llu  untaggable %llu  tcp: queries %llu  answers %llu\n",
		(unsigned long long)t.to_kernel, (unsigned long long)t.from_kernel,
		(unsigned long long)t.kernel_untaggable,
		(unsigned long long)t.tcp_queries, (unsigned long long)t.tcp_answers);
	fprintf(f, "  exceptions (%s):", sh->tap_port >= 0 ? "to the kernel" : "dropped");
	for (unsigned e = 0; e < TW_NET_EXCEPTIONS; e++)
		if (t.exception[e])
			fprintf(f, " %s=%llu", tw_net_exception_str((enum tw_net_exception)e),
				(unsigned long long)t.exception[e]);
	fprintf(f, "\n");
	fprintf(f, "  drops:");
	for (unsigned r = 0; r < TW_NET_DROP_REASONS; r++)
		if (t.drop[r])
			fprintf(f, " %s=%llu", tw_net_drop_str((enum tw_net_drop)r),
				(unsigned long long)t.drop[r]);
	fprintf(f, "\n");
	fprintf(f, "  aggressive: synthesized %llu (answered from cached NSEC/NSEC3 ranges "
		   "without the farm)\n", (unsigned long long)t.synthesized);
	fprintf(f, "  queries %llu  hits %llu  synthesized %llu  misses %llu  coalesced %llu  "
		   "formerr %llu  notimp %llu  not_query %llu\n",
		(unsigned long long)t.queries, (unsigned long long)t.hits,
		(unsigned long long)t.synthesized, (unsigned long long)t.misses,
		(unsigned long long)t.coalesced,
		(unsigned long long)t.formerr, (unsigned long long)t.notimp,
		(unsigned long long)t.not_query);
	fprintf(f, "  verdicts: secure %llu  insecure %llu  bogus %llu  indeterminate %llu  "
		   "unchecked %llu\n",
		(unsigned long long)t.verdict[TW_VAL_SECURE],
		(unsigned long long)t.verdict[TW_VAL_INSECURE],
		(unsigned long long)t.verdict[TW_VAL_BOGUS],
		(unsigned long long)t.verdict[TW_VAL_INDETERMINATE],
		(unsigned long long)t.verdict[TW_VAL_UNCHECKED]);
	fprintf(f, "  bogus by EDE:");
	for (unsigned e = 0; e <= TW_EDE_COUNTED; e++)
		if (t.bogus_ede[e])
			fprintf(f, " %s%u=%llu", e == TW_EDE_COUNTED ? ">=" : "", e,
				(unsigned long long)t.bogus_ede[e]);
	fprintf(f, "\n");
	fprintf(f, "  upstream: sent %llu  answers %llu  mismatched %llu  timeouts %llu  "
		   "given_up %llu  unroutable %llu  malformed %llu\n",
		(unsigned long long)t.upstream_sent, (unsigned long long)t.upstream_answers,
		(unsigned long long)t.upstream_mismatch, (unsigned long long)t.upstream_timeouts,
		(unsigned long long)t.upstream_giveups, (unsigned long long)t.upstream_unroutable,
		(unsigned long long)t.upstream_bad);
	fprintf(f, "  upstream: late %llu  truncated %llu  tcp: asked %llu  answered %llu  failed %llu  "
		   "refused %llu  badvers %llu\n",
		(unsigned long long)t.upstream_late, (unsigned long long)t.upstream_truncated,
		(unsigned long long)t.slowpath_asked, (unsigned long long)t.slowpath_answers,
		(unsigned long long)t.slowpath_failed, (unsigned long long)t.slowpath_full,
		(unsigned long long)t.badvers);
	fprintf(f, "  handoff: in %llu  out %llu\n", (unsigned long long)t.handoff_in,
		(unsigned long long)t.handoff_out);
	fprintf(f, "  full: pending %llu  waiters %llu  queries %llu  handoff %llu  "
		   "local_servfail %llu  crypto_jobs %llu\n",
		(unsigned long long)t.pending_full, (unsigned long long)t.waiters_full,
		(unsigned long long)t.queries_full, (unsigned long long)t.handoff_full,
		(unsigned long long)t.answers_servfail_local, (unsigned long long)t.crypto_jobs);
	uint64_t memo_hits = 0, memo_evictions = 0, earlier = 0;
	for (unsigned i = 0; i < sh->nworkers; i++) {
		const struct tw_crypto_pipe_stats *ps = tw_crypto_pipe_stats(sh->workers[i]->pipe);
		memo_hits += ps->memo_hits;
		memo_evictions += ps->memo_evictions;
		earlier += tw_pending_stats(sh->workers[i]->pend)->answered_late;
	}
	fprintf(f, "  upstream: answers to an earlier send (after its timeout) %llu\n",
		(unsigned long long)earlier);
	fprintf(f, "  crypto: jobs %llu  memo_hits %llu  verified %llu  memo_evictions %llu\n",
		(unsigned long long)t.crypto_jobs, (unsigned long long)memo_hits,
		(unsigned long long)(t.crypto_jobs - memo_hits), (unsigned long long)memo_evictions);
	for (unsigned i = 0; i < sh->nworkers; i++) {
		const struct tw_worker_stats *s = &sh->workers[i]->st;
		double busy = s->cycles ? (double)s->busy_cycles / (double)s->cycles : 0;
		double cpq = s->queries ? (double)s->busy_cycles / (double)s->queries : 0;
		fprintf(f, "  worker %u (lcore %u): busy %.1f %%  busy cycles per query %.0f  "
			   "rx %llu  tx %llu  busy_cycles %llu  cycles %llu  busy_loops %llu  "
			   "loops %llu\n",
			i, sh->workers[i]->lcore, busy * 100, cpq, (unsigned long long)s->rx,
			(unsigned long long)s->tx, (unsigned long long)s->busy_cycles,
			(unsigned long long)s->cycles, (unsigned long long)s->busy_loops,
			(unsigned long long)s->loops);
	}
}
