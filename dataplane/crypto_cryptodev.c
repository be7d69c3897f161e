/* Cryptodev back-end of the crypto pipeline: RSA signatures (DNSSEC algorithms
 * 5, 7, 8, 10) verified by an rte_cryptodev through asymmetric operations, every
 * other job verified in software on the worker lcore, so that the results equal
 * tw_crypto_verify()'s whichever back-end runs.
 *
 * Why modular exponentiation and not the RSA VERIFY op: DPDK 22.11's openssl PMD
 * (crypto_openssl) accepts a public-only RSA xform (n and e, no d) and a VERIFY
 * op with PKCS#1 v1.5 padding whose `message` is DigestInfo || digest, but it
 * returns RTE_CRYPTO_OP_STATUS_SUCCESS when the recovered DigestInfo differs
 * from `message` (it only logs "RSA sign Verification failed"), and it compares
 * only message.length octets, so a `message` that is a prefix of the recovered
 * data passes too. Only a padding failure yields an error status. That op cannot
 * tell a valid signature from a wrong one, so this back-end asks the device for
 * s^e mod n (RTE_CRYPTO_ASYM_XFORM_MODEX with the key's n and e) and checks the
 * encoded message itself (RFC 8017 §8.2.2 with EMSA-PKCS1-v1_5, §9.2; RFC 3110
 * and RFC 5702 §3 for DNSSEC), comparing the whole k octets, which is what
 * OpenSSL's own verification accepts.
 *
 * Memory: ops come from a per-pipeline rte_crypto_op pool and are all taken at
 * setup into a free stack; each op's private area holds its job (cookie
 * included), the digest and the signature and result buffers. Sessions come from
 * a per-pipeline session pool, one per prepared key, created the first time the
 * key meets the device and kept in a small set-associative cache.
 */
/* the asymmetric session API is experimental in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API

#include "dataplane/crypto_backend.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <rte_common.h>
#include <rte_crypto.h>
#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_mempool.h>
#include <rte_pause.h>

#include "crypto/alg.h"
#include "crypto/key_impl.h"
#include "crypto/pipeline.h"
#include "crypto/verify.h"

RTE_LOG_REGISTER(tw_cdev_logtype, trustwire.crypto.cryptodev, INFO);

#define CD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, tw_cdev_logtype, "cryptodev: " fmt "\n", ##__VA_ARGS__)

#define MOD_MAX 512        /* octets: RSA-4096, the largest modulus sent to the device */
#define WAYS 4             /* session cache associativity */
#define DEQ_BURST 64
#define DRAIN_MS 1000      /* how long freeing a pipeline waits for the device */
#define DEFAULT_SESSIONS 64
#define DEFAULT_SESSION_OPS 256
#define DEFAULT_QP_DESCRIPTORS 2048

struct qp_state {
	struct tw_crypto_cryptodev_stats st;
	atomic_bool used;
} __rte_cache_aligned;

struct tw_crypto_cryptodev {
	uint8_t dev_id;
	uint16_t nb_qps;
	int socket;
	bool started;
	/* NULL: the device has no modular exponentiation, everything in software */
	const struct rte_cryptodev_asymmetric_xform_capability *modex;
	struct qp_state *qp;
};

/* One key's session. A retired entry (no longer in the cache) lives on until
 * its last op comes back. */
struct sess_entry {
	uint64_t key_id;
	void *sess;        /* NULL: the device refused the key; verify in software */
	uint64_t last_use;
	uint32_t inflight; /* ops on the device with this session */
	uint32_t ops;      /* ops ever sent with it */
	bool cached;
	uint8_t elen;
	uint16_t nlen;
	uint8_t e[8];      /* public exponent: the policy allows 64 bits at most */
	uint8_t n[MOD_MAX];
};

/* The private area of each op. */
struct op_ctx {
	struct tw_crypto_job job;
	struct sess_entry *ent;
	uint16_t k;        /* modulus octets */
	uint8_t alg;
	uint8_t hlen;
	uint8_t hash[EVP_MAX_MD_SIZE];
	uint8_t sig[MOD_MAX]; /* the op's base */
	uint8_t em[MOD_MAX];  /* the op's result: sig^e mod n */
};

struct cd_pipe {
	struct tw_crypto_cryptodev *cd;
	struct tw_crypto_cryptodev_stats *st;
	uint16_t qp;
	unsigned size, mask;
	struct tw_crypto_verifier *v;
	EVP_MD_CTX *md;

	struct tw_crypto_job *job;          /* submitted, not yet flushed */
	unsigned jhead, jtail;
	struct tw_crypto_result_rec *res;   /* answered without the device, not polled */
	unsigned rhead, rtail;

	struct rte_mempool *op_pool;
	struct rte_crypto_op **free_op;     /* stack */
	unsigned nfree;
	struct rte_crypto_op **pend;        /* prepared, not yet taken by the device */
	unsigned phead, ptail;

	struct rte_mempool *sess_pool;
	struct sess_entry *ent;
	struct sess_entry **free_ent;       /* stack */
	unsigned nfree_ent;
	struct sess_entry **way;            /* nsets * WAYS; NULL: empty */
	unsigned nsets;
	unsigned session_ops;
	uint64_t clock;                     /* LRU stamps */
};

static atomic_uint pool_names; /* mempool names must be unique in the process */

/* ---- device ------------------------------------------------------------- */

struct tw_crypto_cryptodev *tw_crypto_cryptodev_new(const struct tw_crypto_cryptodev_conf *conf)
{
	uint8_t dev = conf->dev_id;
	if (!rte_cryptodev_is_valid_dev(dev)) {
		CD_LOG(ERR, "device %u: no such cryptodev", dev);
		return NULL;
	}
	struct rte_cryptodev_info info;
	rte_cryptodev_info_get(dev, &info);
	if (!(info.feature_flags & RTE_CRYPTODEV_FF_ASYMMETRIC_CRYPTO)) {
		CD_LOG(ERR, "device %u (%s): no asymmetric crypto", dev, info.driver_name);
		return NULL;
	}
	if (conf->nb_qps == 0 || conf->nb_qps > info.max_nb_queue_pairs) {
		CD_LOG(ERR, "device %u (%s): %u queue pairs asked, 1..%u possible", dev,
		       info.driver_name, conf->nb_qps, info.max_nb_queue_pairs);
		return NULL;
	}
	int socket = conf->socket == SOCKET_ID_ANY ? rte_cryptodev_socket_id(dev) : conf->socket;
	if (socket < 0)
		socket = 0;
	struct tw_crypto_cryptodev *cd =
		rte_zmalloc_socket("tw_cryptodev", sizeof(*cd), RTE_CACHE_LINE_SIZE, socket);
	if (!cd)
		return NULL;
	cd->dev_id = dev;
	cd->nb_qps = conf->nb_qps;
	cd->socket = socket;
	cd->qp = rte_zmalloc_socket("tw_cryptodev_qps", conf->nb_qps * sizeof(*cd->qp),
				    RTE_CACHE_LINE_SIZE, socket);
	if (!cd->qp) {
		rte_free(cd);
		return NULL;
	}
	for (unsigned i = 0; i < conf->nb_qps; i++)
		atomic_init(&cd->qp[i].used, false);

	struct rte_cryptodev_asym_capability_idx idx = { .type = RTE_CRYPTO_ASYM_XFORM_MODEX };
	cd->modex = rte_cryptodev_asym_capability_get(dev, &idx);
	if (cd->modex)
		CD_LOG(INFO, "device %u (%s): RSA through modular exponentiation, moduli %u..%u octets",
		       dev, info.driver_name, cd->modex->modlen.min, cd->modex->modlen.max);
	else
		CD_LOG(WARNING, "device %u (%s): no modular exponentiation, all in software", dev,
		       info.driver_name);

	struct rte_cryptodev_config dc = {
		.socket_id = socket,
		.nb_queue_pairs = conf->nb_qps,
	};
	uint32_t desc = conf->qp_descriptors ? conf->qp_descriptors : DEFAULT_QP_DESCRIPTORS;
	struct rte_cryptodev_qp_conf qc = {
		.nb_descriptors = desc,
		.mp_session = NULL, /* a symmetric session pool only; asymmetric ops carry theirs */
	};
	int rc = rte_cryptodev_configure(dev, &dc);
	for (uint16_t q = 0; rc == 0 && q < conf->nb_qps; q++)
		rc = rte_cryptodev_queue_pair_setup(dev, q, &qc, socket);
	if (rc == 0)
		rc = rte_cryptodev_start(dev);
	if (rc != 0) {
		CD_LOG(ERR, "device %u (%s): setup with %u queue pairs of %u descriptors failed: %d",
		       dev, info.driver_name, conf->nb_qps, desc, rc);
		rte_free(cd->qp);
		rte_free(cd);
		return NULL;
	}
	cd->started = true;
	return cd;
}

void tw_crypto_cryptodev_free(struct tw_crypto_cryptodev *cd)
{
	if (!cd)
		return;
	for (unsigned i = 0; i < cd->nb_qps; i++) {
		if (atomic_load(&cd->qp[i].used)) {
			CD_LOG(ERR, "device %u: not freed, queue pair %u still has a pipeline",
			       cd->dev_id, i);
			return;
		}
	}
	if (cd->started) {
		rte_cryptodev_stop(cd->dev_id);
		rte_cryptodev_close(cd->dev_id);
	}
	rte_free(cd->qp);
	rte_free(cd);
}

static bool is_rsa(uint8_t alg)
{
	return alg == TW_ALG_RSASHA1 || alg == TW_ALG_RSASHA1_NSEC3_SHA1 ||
	       alg == TW_ALG_RSASHA256 || alg == TW_ALG_RSASHA512;
}

bool tw_crypto_cryptodev_offloads(const struct tw_crypto_cryptodev *cd, uint8_t alg)
{
	return cd->modex != NULL && is_rsa(alg);
}

const struct tw_crypto_cryptodev_stats *
tw_crypto_cryptodev_stats(const struct tw_crypto_cryptodev *cd, uint16_t qp_id)
{
	return qp_id < cd->nb_qps ? &cd->qp[qp_id].st : NULL;
}

/* ---- PKCS#1 v1.5 --------------------------------------------------------- */

/* RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest octets. */
static const uint8_t di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
				   0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const uint8_t di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
				     0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
				     0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t di_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60,
				     0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
				     0x03, 0x05, 0x00, 0x04, 0x40 };

/* RFC 5702 §3 (8, 10), RFC 3110 and RFC 5155 §2 (5, 7): the digest of each. */
static const uint8_t *digest_info(uint8_t alg, size_t *len)
{
	switch (alg) {
	case TW_ALG_RSASHA256:
		*len = sizeof(di_sha256);
		return di_sha256;
	case TW_ALG_RSASHA512:
		*len = sizeof(di_sha512);
		return di_sha512;
	default:
		*len = sizeof(di_sha1);
		return di_sha1;
	}
}

/* RFC 8017 §8.2.2 step 4: the k-octet encoded message must equal
 * 0x00 || 0x01 || PS (0xff octets) || 0x00 || DigestInfo || H, all of it.
 * em holds len octets of s^e mod n, possibly without its leading zero octet. */
static bool em_matches(const struct op_ctx *c, const uint8_t *em, size_t len)
{
	size_t dlen;
	const uint8_t *di = digest_info(c->alg, &dlen);
	if (len == c->k && em[0] == 0x00) {
		em++;
		len--;
	}
	if (len != (size_t)c->k - 1 || em[0] != 0x01)
		return false;
	size_t ps = (size_t)c->k - 3 - dlen - c->hlen;
	for (size_t i = 1; i <= ps; i++)
		if (em[i] != 0xff)
			return false;
	const uint8_t *t = em + 1 + ps;
	return t[0] == 0x00 && memcmp(t + 1, di, dlen) == 0 &&
	       memcmp(t + 1 + dlen, c->hash, c->hlen) == 0;
}

/* ---- sessions ------------------------------------------------------------ */

static void entry_free(struct cd_pipe *p, struct sess_entry *e)
{
	if (e->sess)
		rte_cryptodev_asym_session_free(p->cd->dev_id, e->sess);
	e->sess = NULL;
	p->free_ent[p->nfree_ent++] = e;
}

/* Takes e out of the cache; it is freed once its last op is back. */
static void retire(struct cd_pipe *p, struct sess_entry **place)
{
	struct sess_entry *e = *place;
	*place = NULL;
	e->cached = false;
	if (e->sess)
		p->st->sessions_retired++;
	if (e->inflight == 0)
		entry_free(p, e);
}

/* A session for key k's n and e (RTE_CRYPTO_ASYM_XFORM_MODEX), or an entry with
 * no session when the device (or our buffer size) cannot take the key. */
static void entry_fill(struct cd_pipe *p, struct sess_entry *e, const struct tw_crypto_key *k)
{
	BIGNUM *n = NULL, *pub = NULL;
	int nlen = 0, elen = 0;
	if (EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &pub) == 1) {
		nlen = BN_num_bytes(n);
		elen = BN_num_bytes(pub);
	}
	if (nlen > 0 && nlen <= MOD_MAX && nlen == k->sig_len && elen > 0 &&
	    elen <= (int)sizeof(e->e) &&
	    rte_cryptodev_asym_xform_capability_check_modlen(p->cd->modex, (uint16_t)nlen) == 0) {
		BN_bn2bin(n, e->n);
		BN_bn2bin(pub, e->e);
		e->nlen = (uint16_t)nlen;
		e->elen = (uint8_t)elen;
		struct rte_crypto_asym_xform xf = {
			.xform_type = RTE_CRYPTO_ASYM_XFORM_MODEX,
			.modex = {
				.modulus = { .data = e->n, .iova = rte_mem_virt2iova(e->n),
					     .length = (size_t)nlen },
				.exponent = { .data = e->e, .iova = rte_mem_virt2iova(e->e),
					      .length = (size_t)elen },
			},
		};
		if (rte_cryptodev_asym_session_create(p->cd->dev_id, &xf, p->sess_pool, &e->sess) != 0)
			e->sess = NULL;
	}
	BN_free(n);
	BN_free(pub);
	ERR_clear_error();
	if (e->sess) {
		p->st->sessions_created++;
	} else {
		p->st->sessions_refused++;
		CD_LOG(DEBUG, "device %u: key %u (%u bits) refused, verified in software",
		       p->cd->dev_id, k->tag, k->bits);
	}
}

/* The cache entry of key k: found, or made (evicting the set's least recently
 * used entry). */
static struct sess_entry *session_for(struct cd_pipe *p, const struct tw_crypto_key *k)
{
	struct sess_entry **set = &p->way[(k->id & (p->nsets - 1)) * WAYS];
	struct sess_entry **victim = NULL;
	for (unsigned w = 0; w < WAYS; w++) {
		struct sess_entry *e = set[w];
		if (e && e->key_id == k->id) {
			e->last_use = ++p->clock;
			return e;
		}
		if (!victim || (*victim && (!e || e->last_use < (*victim)->last_use)))
			victim = &set[w];
	}
	if (*victim)
		retire(p, victim);
	/* cannot be empty: at most nsets * WAYS entries are cached and at most
	 * `size` retired ones wait for ops, and there are that many entries */
	struct sess_entry *e = p->free_ent[--p->nfree_ent];
	e->key_id = k->id;
	e->sess = NULL;
	e->last_use = ++p->clock;
	e->inflight = 0;
	e->ops = 0;
	e->cached = true;
	e->nlen = 0;
	e->elen = 0;
	entry_fill(p, e, k);
	*victim = e;
	return e;
}

static void session_put(struct cd_pipe *p, struct sess_entry *e)
{
	if (--e->inflight == 0 && !e->cached)
		entry_free(p, e);
}

/* ---- pipeline ------------------------------------------------------------ */

/* The private area follows the asymmetric op (rte_crypto_op_pool_create). */
static size_t op_ctx_offset(void)
{
	return sizeof(struct rte_crypto_op) + sizeof(struct rte_crypto_asym_op);
}

static struct op_ctx *op_ctx(struct rte_crypto_op *op)
{
	return (struct op_ctx *)((uint8_t *)op + op_ctx_offset());
}

static unsigned used(const struct cd_pipe *p)
{
	return (p->jtail - p->jhead) + (p->rtail - p->rhead) + (p->size - p->nfree);
}

/* Copies jobs into the staging ring. Worker lcore only. */
static unsigned cd_submit(void *state, const struct tw_crypto_job *jobs, unsigned n)
{
	struct cd_pipe *p = state;
	unsigned room = p->size - used(p);
	if (n > room)
		n = room;
	for (unsigned i = 0; i < n; i++)
		p->job[(p->jtail + i) & p->mask] = jobs[i];
	p->jtail += n;
	return n;
}

static enum tw_crypto_result software(struct cd_pipe *p, const struct tw_crypto_job *j)
{
	p->st->software++;
	return tw_crypto_verify(p->v, j->key, j->data, j->data_len, j->sig, j->sig_len);
}

/* An op for job j on the device, or NULL when software must answer it. */
static struct rte_crypto_op *prepare(struct cd_pipe *p, const struct tw_crypto_job *j)
{
	const struct tw_crypto_key *k = j->key;
	/* a wrong length is OpenSSL's to answer (as in software) */
	if (!k || !p->cd->modex || !is_rsa(k->alg) || j->sig_len != k->sig_len)
		return NULL;
	struct sess_entry *e = session_for(p, k);
	if (!e->sess || e->nlen != j->sig_len)
		return NULL;
	/* RFC 8017 §5.2.2: a signature representative not below n is rejected
	 * before exponentiation; OpenSSL says so in software */
	if (memcmp(j->sig, e->n, e->nlen) >= 0)
		return NULL;
	size_t dlen;
	digest_info(k->alg, &dlen);
	unsigned hlen = (unsigned)EVP_MD_get_size(k->md);
	/* RFC 8017 §9.2 step 3: too short a modulus for this digest */
	if ((size_t)k->sig_len < dlen + hlen + 11)
		return NULL;

	struct rte_crypto_op *op = p->free_op[p->nfree - 1];
	struct op_ctx *c = op_ctx(op);
	unsigned int got = 0;
	if (!EVP_DigestInit_ex(p->md, k->md, NULL) || !EVP_DigestUpdate(p->md, j->data, j->data_len) ||
	    !EVP_DigestFinal_ex(p->md, c->hash, &got) || got != hlen) {
		ERR_clear_error();
		return NULL;
	}
	p->nfree--;
	c->job = *j;
	c->ent = e;
	c->k = k->sig_len;
	c->alg = k->alg;
	c->hlen = (uint8_t)hlen;
	memcpy(c->sig, j->sig, j->sig_len);

	op->status = RTE_CRYPTO_OP_STATUS_NOT_PROCESSED;
	rte_crypto_op_attach_asym_session(op, e->sess);
	rte_iova_t base = op->phys_addr + op_ctx_offset();
	op->asym->modex.base = (rte_crypto_param){
		.data = c->sig,
		.iova = base + offsetof(struct op_ctx, sig),
		.length = c->k,
	};
	op->asym->modex.result = (rte_crypto_param){
		.data = c->em,
		.iova = base + offsetof(struct op_ctx, em),
		.length = c->k,
	};
	e->inflight++;
	/* a session serves session_ops ops, then a fresh one takes over (the 22.11
	 * openssl PMD keeps two BIGNUMs per op in the session until it is freed) */
	if (++e->ops >= p->session_ops) {
		struct sess_entry **set = &p->way[(k->id & (p->nsets - 1)) * WAYS];
		for (unsigned w = 0; w < WAYS; w++)
			if (set[w] == e)
				retire(p, &set[w]);
	}
	return op;
}

/* Hands prepared ops to the device, as many as it takes. */
static void send(struct cd_pipe *p)
{
	while (p->phead != p->ptail) {
		unsigned at = p->phead & p->mask;
		unsigned n = p->ptail - p->phead;
		if (n > p->size - at)
			n = p->size - at; /* up to the end of the array */
		if (n > UINT16_MAX)
			n = UINT16_MAX;
		uint16_t k = rte_cryptodev_enqueue_burst(p->cd->dev_id, p->qp, &p->pend[at],
							 (uint16_t)n);
		p->phead += k;
		if (k < n) {
			p->st->enqueue_short++;
			return;
		}
	}
}

/* Turns staged jobs into ops (or software results) and sends the ops.
 * Worker lcore only. */
static void cd_flush(void *state)
{
	struct cd_pipe *p = state;
	for (; p->jhead != p->jtail; p->jhead++) {
		const struct tw_crypto_job *j = &p->job[p->jhead & p->mask];
		struct rte_crypto_op *op = prepare(p, j);
		if (op) {
			p->pend[p->ptail++ & p->mask] = op;
		} else {
			struct tw_crypto_result_rec *r = &p->res[p->rtail++ & p->mask];
			r->cookie = j->cookie;
			r->result = software(p, j);
		}
	}
	send(p);
}

/* The result of an op back from the device; the op goes back on the stack. */
static struct tw_crypto_result_rec finish(struct cd_pipe *p, struct rte_crypto_op *op)
{
	struct op_ctx *c = op_ctx(op);
	struct tw_crypto_result_rec r = { .cookie = c->job.cookie };
	size_t len = op->asym->modex.result.length;
	if (op->status == RTE_CRYPTO_OP_STATUS_SUCCESS && len <= c->k) {
		p->st->device_ops++;
		r.result = em_matches(c, c->em, len) ? TW_CRYPTO_VALID : TW_CRYPTO_INVALID;
	} else {
		/* the device failed: the job is still valid until dequeued */
		p->st->device_errors++;
		r.result = software(p, &c->job);
	}
	session_put(p, c->ent);
	p->free_op[p->nfree++] = op;
	return r;
}

/* Software results first, then finished ops. Worker lcore only. */
static unsigned cd_poll(void *state, struct tw_crypto_result_rec *out, unsigned max)
{
	struct cd_pipe *p = state;
	send(p);
	unsigned got = 0;
	while (got < max && p->rhead != p->rtail)
		out[got++] = p->res[p->rhead++ & p->mask];
	struct rte_crypto_op *ops[DEQ_BURST];
	while (got < max) {
		uint16_t want = max - got < DEQ_BURST ? (uint16_t)(max - got) : DEQ_BURST;
		uint16_t k = rte_cryptodev_dequeue_burst(p->cd->dev_id, p->qp, ops, want);
		for (uint16_t i = 0; i < k; i++)
			out[got++] = finish(p, ops[i]);
		if (k < want)
			break;
	}
	return got;
}

/* Ops on the device, waited for (results dropped) so that nothing the device
 * still holds points into this pipeline. Returns false on timeout. */
static bool drain(struct cd_pipe *p)
{
	p->phead = p->ptail; /* never handed over: nothing to wait for */
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * DRAIN_MS / 1000;
	struct rte_crypto_op *ops[DEQ_BURST];
	while (p->nfree + (p->ptail - p->phead) < p->size) {
		uint16_t k = rte_cryptodev_dequeue_burst(p->cd->dev_id, p->qp, ops, DEQ_BURST);
		for (uint16_t i = 0; i < k; i++) {
			session_put(p, op_ctx(ops[i])->ent);
			p->free_op[p->nfree++] = ops[i];
		}
		if (k == 0) {
			if (rte_get_timer_cycles() > end)
				return false;
			rte_pause();
		}
	}
	return true;
}

static void cd_destroy(void *state)
{
	struct cd_pipe *p = state;
	if (!p)
		return;
	bool drained = true;
	if (p->free_op) {
		/* ops prepared but never sent still hold their session */
		for (unsigned i = p->phead; i != p->ptail; i++) {
			struct rte_crypto_op *op = p->pend[i & p->mask];
			session_put(p, op_ctx(op)->ent);
			p->free_op[p->nfree++] = op;
		}
		drained = drain(p);
	}
	if (!drained) {
		/* the device may still write into the ops: leak them and the queue
		 * pair rather than let it scribble on reused memory */
		CD_LOG(ERR, "device %u queue pair %u: ops still on the device, pipeline leaked",
		       p->cd->dev_id, p->qp);
		return;
	}
	if (p->way)
		for (unsigned i = 0; i < p->nsets * WAYS; i++)
			if (p->way[i])
				retire(p, &p->way[i]);
	rte_mempool_free(p->sess_pool);
	rte_mempool_free(p->op_pool);
	tw_crypto_verifier_free(p->v);
	EVP_MD_CTX_free(p->md);
	rte_free(p->job);
	rte_free(p->res);
	rte_free(p->free_op);
	rte_free(p->pend);
	rte_free(p->ent);
	rte_free(p->free_ent);
	rte_free(p->way);
	if (p->cd)
		atomic_store(&p->cd->qp[p->qp].used, false);
	rte_free(p);
}

struct tw_crypto_pipe *tw_crypto_pipe_new_cryptodev(struct tw_crypto_cryptodev *cd, uint16_t qp_id,
						    unsigned depth, unsigned sessions,
						    unsigned session_ops)
{
	if (qp_id >= cd->nb_qps) {
		CD_LOG(ERR, "device %u: no queue pair %u", cd->dev_id, qp_id);
		return NULL;
	}
	if (depth > TW_CRYPTO_PIPE_MAX_DEPTH || sessions > TW_CRYPTO_PIPE_MAX_DEPTH) {
		CD_LOG(ERR, "device %u: depth %u or sessions %u above %u", cd->dev_id, depth,
		       sessions, TW_CRYPTO_PIPE_MAX_DEPTH);
		return NULL;
	}
	if (atomic_exchange(&cd->qp[qp_id].used, true)) {
		CD_LOG(ERR, "device %u: queue pair %u already has a pipeline", cd->dev_id, qp_id);
		return NULL;
	}
	unsigned size = TW_CRYPTO_PIPE_MAX_BURST;
	while (size < depth)
		size *= 2;
	unsigned nsets = 1;
	while (nsets * WAYS < (sessions ? sessions : DEFAULT_SESSIONS))
		nsets *= 2;
	unsigned nent = nsets * WAYS + size;
	int socket = cd->socket;

	struct cd_pipe *p = rte_zmalloc_socket("tw_cd_pipe", sizeof(*p), RTE_CACHE_LINE_SIZE, socket);
	if (!p) {
		atomic_store(&cd->qp[qp_id].used, false);
		return NULL;
	}
	p->qp = qp_id;
	p->size = size;
	p->mask = size - 1;
	p->nsets = nsets;
	p->session_ops = session_ops ? session_ops : DEFAULT_SESSION_OPS;
	p->st = &cd->qp[qp_id].st;
	memset(p->st, 0, sizeof(*p->st));
	p->v = tw_crypto_verifier_new();
	p->md = EVP_MD_CTX_new();
	p->job = rte_zmalloc_socket("tw_cd_jobs", size * sizeof(*p->job), 0, socket);
	p->res = rte_zmalloc_socket("tw_cd_res", size * sizeof(*p->res), 0, socket);
	p->free_op = rte_zmalloc_socket("tw_cd_ops", size * sizeof(*p->free_op), 0, socket);
	p->pend = rte_zmalloc_socket("tw_cd_pend", size * sizeof(*p->pend), 0, socket);
	p->ent = rte_zmalloc_socket("tw_cd_ent", nent * sizeof(*p->ent), RTE_CACHE_LINE_SIZE, socket);
	p->free_ent = rte_zmalloc_socket("tw_cd_fent", nent * sizeof(*p->free_ent), 0, socket);
	p->way = rte_zmalloc_socket("tw_cd_ways", nsets * WAYS * sizeof(*p->way), 0, socket);
	unsigned id = atomic_fetch_add(&pool_names, 1);
	char name[RTE_MEMPOOL_NAMESIZE];
	snprintf(name, sizeof(name), "tw_cdop%u", id);
	p->op_pool = rte_crypto_op_pool_create(name, RTE_CRYPTO_OP_TYPE_ASYMMETRIC, size, 0,
					       sizeof(struct op_ctx), socket);
	snprintf(name, sizeof(name), "tw_cdss%u", id);
	p->sess_pool = rte_cryptodev_asym_session_pool_create(name, nent, 0, 0, socket);
	if (!p->v || !p->md || !p->job || !p->res || !p->free_op || !p->pend || !p->ent ||
	    !p->free_ent || !p->way || !p->op_pool || !p->sess_pool ||
	    rte_crypto_op_bulk_alloc(p->op_pool, RTE_CRYPTO_OP_TYPE_ASYMMETRIC, p->free_op, size) !=
		    size) {
		CD_LOG(ERR, "device %u queue pair %u: no memory for a pipeline of %u ops",
		       cd->dev_id, qp_id, size);
		p->cd = cd;
		rte_mempool_free(p->op_pool);
		p->op_pool = NULL;
		rte_free(p->free_op);
		p->free_op = NULL; /* nothing to drain */
		cd_destroy(p);
		return NULL;
	}
	p->cd = cd;
	p->nfree = size;
	for (unsigned i = 0; i < nent; i++)
		p->free_ent[i] = &p->ent[nent - 1 - i];
	p->nfree_ent = nent;

	struct tw_crypto_backend be = {
		.name = "cryptodev",
		.state = p,
		.submit = cd_submit,
		.flush = cd_flush,
		.poll = cd_poll,
		.destroy = cd_destroy,
	};
	return tw_crypto_pipe_new(&be);
}
