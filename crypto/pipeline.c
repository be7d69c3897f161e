/* The pipeline front: counters, the verification memo and the hand-off to
 * whichever back-end runs it. */
#include "crypto/pipeline.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/key_impl.h"
#include "crypto/md.h"

/* The memo: results of verifications already done, by the SHA-256 digest of the
 * key's process-unique id, the signature and the signed data. A verification's
 * outcome depends on nothing else (validity periods are the engine's business),
 * so a job whose digest is known is answered without the back-end. SHA-256
 * keeps a forged job from sharing a digest with a verified one. Sets of
 * MEMO_WAYS entries, replaced in turn. */
#define MEMO_WAYS 4

struct memo_ent {
	uint64_t d[4];
	uint8_t used;
	uint8_t result;
};

struct memo_set {
	struct memo_ent e[MEMO_WAYS];
	uint8_t next;
};

/* A job handed to the back-end while the memo is on: its cookie there is the
 * slot's index. */
struct memo_slot {
	uint64_t cookie; /* the caller's */
	uint64_t d[4];
	uint32_t next_free;
};

struct tw_crypto_pipe {
	struct tw_crypto_backend be;
	unsigned in_flight;
	unsigned since_flush;
	struct tw_crypto_pipe_stats st;
	/* memo (NULL sets: off) */
	struct memo_set *sets;
	uint32_t set_mask;
	EVP_MD_CTX *md;
	struct memo_slot *slot;
	uint32_t nslots, free_head;
	struct tw_crypto_result_rec *ready; /* memo answers not yet dequeued */
	uint32_t rhead, rtail, rmask;
};

struct tw_crypto_pipe *tw_crypto_pipe_new(const struct tw_crypto_backend *be)
{
	struct tw_crypto_pipe *p = calloc(1, sizeof(*p));
	if (!p) {
		if (be->destroy)
			be->destroy(be->state);
		return NULL;
	}
	p->be = *be;
	return p;
}

static void memo_off(struct tw_crypto_pipe *p)
{
	free(p->sets);
	free(p->slot);
	free(p->ready);
	EVP_MD_CTX_free(p->md);
	p->sets = NULL;
	p->slot = NULL;
	p->ready = NULL;
	p->md = NULL;
}

int tw_crypto_pipe_set_memo(struct tw_crypto_pipe *p, unsigned entries, unsigned in_flight)
{
	if (p->in_flight)
		return -1;
	memo_off(p);
	if (entries == 0)
		return 0;
	if (entries > TW_CRYPTO_PIPE_MAX_DEPTH || in_flight == 0 ||
	    in_flight > TW_CRYPTO_PIPE_MAX_DEPTH)
		return -1;
	uint32_t nsets = 1;
	while (nsets * MEMO_WAYS < entries)
		nsets <<= 1;
	uint32_t rsize = 1;
	while (rsize < in_flight)
		rsize <<= 1;
	p->sets = calloc(nsets, sizeof(*p->sets));
	p->slot = calloc(in_flight, sizeof(*p->slot));
	p->ready = calloc(rsize, sizeof(*p->ready));
	p->md = EVP_MD_CTX_new();
	if (!p->sets || !p->slot || !p->ready || !p->md || !tw_md_sha256()) {
		memo_off(p);
		return -1;
	}
	p->set_mask = nsets - 1;
	p->nslots = in_flight;
	for (uint32_t i = 0; i < in_flight; i++)
		p->slot[i].next_free = i + 1;
	p->free_head = 0;
	p->rmask = rsize - 1;
	p->rhead = p->rtail = 0;
	return 0;
}

void tw_crypto_pipe_free(struct tw_crypto_pipe *p)
{
	if (!p)
		return;
	if (p->be.destroy)
		p->be.destroy(p->be.state);
	memo_off(p);
	free(p);
}

const char *tw_crypto_pipe_backend(const struct tw_crypto_pipe *p)
{
	return p->be.name;
}

/* The job's digest; false when hashing failed (the job then skips the memo). */
static bool memo_digest(struct tw_crypto_pipe *p, const struct tw_crypto_job *j, uint64_t d[4])
{
	uint8_t head[14];
	uint64_t id = j->key->id;
	for (int i = 0; i < 8; i++)
		head[i] = (uint8_t)(id >> (8 * i));
	head[8] = (uint8_t)(j->sig_len >> 8);
	head[9] = (uint8_t)j->sig_len;
	head[10] = (uint8_t)(j->data_len >> 24);
	head[11] = (uint8_t)(j->data_len >> 16);
	head[12] = (uint8_t)(j->data_len >> 8);
	head[13] = (uint8_t)j->data_len;
	unsigned n = 0;
	return EVP_DigestInit_ex(p->md, tw_md_sha256(), NULL) &&
	       EVP_DigestUpdate(p->md, head, sizeof(head)) &&
	       EVP_DigestUpdate(p->md, j->sig, j->sig_len) &&
	       EVP_DigestUpdate(p->md, j->data, j->data_len) &&
	       EVP_DigestFinal_ex(p->md, (unsigned char *)d, &n) && n == 32;
}

static struct memo_set *memo_set_of(const struct tw_crypto_pipe *p, const uint64_t d[4])
{
	return &p->sets[d[0] & p->set_mask];
}

static int memo_get(const struct tw_crypto_pipe *p, const uint64_t d[4])
{
	const struct memo_set *s = memo_set_of(p, d);
	for (unsigned w = 0; w < MEMO_WAYS; w++) {
		const struct memo_ent *e = &s->e[w];
		if (e->used && e->d[0] == d[0] && e->d[1] == d[1] && e->d[2] == d[2] &&
		    e->d[3] == d[3])
			return e->result;
	}
	return -1;
}

static void memo_put(struct tw_crypto_pipe *p, const uint64_t d[4], enum tw_crypto_result r)
{
	struct memo_set *s = memo_set_of(p, d);
	struct memo_ent *e = NULL;
	for (unsigned w = 0; w < MEMO_WAYS && !e; w++)
		if (!s->e[w].used ||
		    (s->e[w].d[0] == d[0] && s->e[w].d[1] == d[1] && s->e[w].d[2] == d[2] &&
		     s->e[w].d[3] == d[3]))
			e = &s->e[w];
	if (!e) {
		e = &s->e[s->next];
		s->next = (uint8_t)((s->next + 1) % MEMO_WAYS);
		p->st.memo_evictions++;
	}
	memcpy(e->d, d, sizeof(e->d));
	e->used = 1;
	e->result = (uint8_t)r;
}

static void count_submitted(struct tw_crypto_pipe *p, unsigned k)
{
	p->in_flight += k;
	p->since_flush += k;
}

/* Enqueue through the memo, in chunks: a job whose digest is known goes to the
 * ready queue, the others to the back-end with a slot's index as cookie. Burst
 * semantics hold: the jobs accepted are a prefix of jobs[], so a chunk is cut
 * at the first job the back-end (or the slot table) refused. */
static unsigned memo_enqueue(struct tw_crypto_pipe *p, const struct tw_crypto_job *jobs,
			     unsigned n)
{
	enum { CHUNK = 64 };
	unsigned done = 0;
	while (done < n) {
		unsigned m = n - done < CHUNK ? n - done : CHUNK;
		struct tw_crypto_job sub[CHUNK];
		uint32_t sub_at[CHUNK], sub_slot[CHUNK];
		int known[CHUNK];
		unsigned nsub = 0, cut = m, nknown = 0;
		for (unsigned i = 0; i < m; i++) {
			const struct tw_crypto_job *j = &jobs[done + i];
			uint64_t d[4];
			known[i] = -1;
			bool hashed = j->key && memo_digest(p, j, d);
			if (hashed && (known[i] = memo_get(p, d)) >= 0) {
				if (p->rtail - p->rhead + nknown > p->rmask) {
					cut = i; /* the ready queue is full */
					break;
				}
				nknown++;
				continue;
			}
			if (p->free_head >= p->nslots) {
				cut = i; /* every slot in use */
				break;
			}
			uint32_t s = p->free_head;
			p->free_head = p->slot[s].next_free;
			p->slot[s].cookie = j->cookie;
			if (hashed)
				memcpy(p->slot[s].d, d, sizeof(d));
			else /* not to be remembered: marked by an all-ones digest */
				memset(p->slot[s].d, 0xFF, sizeof(d));
			sub[nsub] = *j;
			sub[nsub].cookie = s;
			sub_at[nsub] = i;
			sub_slot[nsub] = s;
			nsub++;
		}
		unsigned k = nsub ? p->be.submit(p->be.state, sub, nsub) : 0;
		if (k < nsub && sub_at[k] < cut)
			cut = sub_at[k];
		for (unsigned x = nsub; x-- > k;) { /* refused: slots back, newest first */
			p->slot[sub_slot[x]].next_free = p->free_head;
			p->free_head = sub_slot[x];
		}
		count_submitted(p, k);
		for (unsigned i = 0; i < cut; i++) {
			if (known[i] < 0)
				continue;
			struct tw_crypto_result_rec *r = &p->ready[p->rtail++ & p->rmask];
			r->cookie = jobs[done + i].cookie;
			r->result = (enum tw_crypto_result)known[i];
			p->in_flight++;
			p->st.memo_hits++;
		}
		p->st.jobs += cut;
		done += cut;
		if (cut < m)
			break;
	}
	return done;
}

unsigned tw_crypto_pipe_enqueue_burst(struct tw_crypto_pipe *p,
				      const struct tw_crypto_job *jobs, unsigned n)
{
	if (p->sets)
		return memo_enqueue(p, jobs, n);
	unsigned k = p->be.submit(p->be.state, jobs, n);
	count_submitted(p, k);
	p->st.jobs += k;
	return k;
}

void tw_crypto_pipe_flush(struct tw_crypto_pipe *p)
{
	if (p->since_flush == 0)
		return;
	unsigned b = 0;
	for (unsigned n = p->since_flush; n > 1 && b < 8; n >>= 1)
		b++;
	p->st.batch_hist[b]++;
	p->st.flushes++;
	p->since_flush = 0;
	p->be.flush(p->be.state);
}

unsigned tw_crypto_pipe_dequeue_burst(struct tw_crypto_pipe *p,
				      struct tw_crypto_result_rec *out, unsigned max)
{
	unsigned k = 0;
	while (k < max && p->rhead != p->rtail)
		out[k++] = p->ready[p->rhead++ & p->rmask];
	unsigned from_be = k < max ? p->be.poll(p->be.state, out + k, max - k) : 0;
	if (p->sets) {
		for (unsigned i = k; i < k + from_be; i++) {
			struct memo_slot *s = &p->slot[out[i].cookie];
			if (out[i].result != TW_CRYPTO_UNSUPPORTED &&
			    (s->d[0] & s->d[1] & s->d[2] & s->d[3]) != UINT64_MAX)
				memo_put(p, s->d, out[i].result);
			out[i].cookie = s->cookie;
			s->next_free = p->free_head;
			p->free_head = (uint32_t)(s - p->slot);
		}
	}
	k += from_be;
	for (unsigned i = 0; i < k; i++) {
		switch (out[i].result) {
		case TW_CRYPTO_VALID:
			p->st.valid++;
			break;
		case TW_CRYPTO_INVALID:
			p->st.invalid++;
			break;
		default:
			p->st.unsupported++;
			break;
		}
	}
	p->in_flight -= k;
	return k;
}

unsigned tw_crypto_pipe_in_flight(const struct tw_crypto_pipe *p)
{
	return p->in_flight;
}

const struct tw_crypto_pipe_stats *tw_crypto_pipe_stats(const struct tw_crypto_pipe *p)
{
	return &p->st;
}
