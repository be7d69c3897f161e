/* Inline back-end: jobs wait in a ring until flush, then run on the calling lcore
 * as one batch, grouped by key so consecutive verifications share a key's
 * prepared contexts. */
#include <stdlib.h>

#include "crypto/key_impl.h"
#include "crypto/pipeline.h"

struct inline_be {
	struct tw_crypto_verifier *v;
	unsigned mask;
	unsigned jhead, jtail; /* submitted, not yet run */
	unsigned rhead, rtail; /* results not yet polled */
	struct tw_crypto_job *job;
	struct tw_crypto_result_rec *res;
	uint32_t *idx, *tmp;   /* flush scratch: job order */
};

static unsigned used(const struct inline_be *b)
{
	return (b->jtail - b->jhead) + (b->rtail - b->rhead);
}

static unsigned inline_submit(void *state, const struct tw_crypto_job *jobs, unsigned n)
{
	struct inline_be *b = state;
	unsigned room = b->mask + 1 - used(b);
	if (n > room)
		n = room;
	for (unsigned i = 0; i < n; i++)
		b->job[(b->jtail + i) & b->mask] = jobs[i];
	b->jtail += n;
	return n;
}

static uint64_t job_key(const struct inline_be *b, uint32_t i)
{
	const struct tw_crypto_key *k = b->job[i & b->mask].key;
	return k ? k->id : 0;
}

/* Stable bottom-up merge sort of idx[0..n) by key id, no allocation. */
static void sort_by_key(struct inline_be *b, unsigned n)
{
	uint32_t *src = b->idx, *dst = b->tmp;
	for (unsigned w = 1; w < n; w *= 2) {
		for (unsigned lo = 0; lo < n; lo += 2 * w) {
			unsigned mid = lo + w < n ? lo + w : n;
			unsigned hi = lo + 2 * w < n ? lo + 2 * w : n;
			unsigned i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = job_key(b, src[j]) < job_key(b, src[i]) ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		uint32_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != b->idx)
		for (unsigned i = 0; i < n; i++)
			b->idx[i] = src[i];
}

static void inline_flush(void *state)
{
	struct inline_be *b = state;
	unsigned n = b->jtail - b->jhead;
	for (unsigned i = 0; i < n; i++)
		b->idx[i] = b->jhead + i;
	sort_by_key(b, n);
	for (unsigned i = 0; i < n; i++) {
		const struct tw_crypto_job *j = &b->job[b->idx[i] & b->mask];
		struct tw_crypto_result_rec *r = &b->res[b->rtail++ & b->mask];
		r->cookie = j->cookie;
		r->result = tw_crypto_verify(b->v, j->key, j->data, j->data_len, j->sig, j->sig_len);
	}
	b->jhead += n;
}

static unsigned inline_poll(void *state, struct tw_crypto_result_rec *out, unsigned max)
{
	struct inline_be *b = state;
	unsigned n = b->rtail - b->rhead;
	if (n > max)
		n = max;
	for (unsigned i = 0; i < n; i++)
		out[i] = b->res[(b->rhead + i) & b->mask];
	b->rhead += n;
	return n;
}

static void inline_destroy(void *state)
{
	struct inline_be *b = state;
	if (!b)
		return;
	tw_crypto_verifier_free(b->v);
	free(b->job);
	free(b->res);
	free(b->idx);
	free(b->tmp);
	free(b);
}

struct tw_crypto_pipe *tw_crypto_pipe_new_inline(unsigned depth)
{
	unsigned size = TW_CRYPTO_PIPE_MAX_BURST;
	if (depth > TW_CRYPTO_PIPE_MAX_DEPTH)
		return NULL;
	while (size < depth)
		size *= 2;
	struct inline_be *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->mask = size - 1;
	b->v = tw_crypto_verifier_new();
	b->job = calloc(size, sizeof(*b->job));
	b->res = calloc(size, sizeof(*b->res));
	b->idx = calloc(size, sizeof(*b->idx));
	b->tmp = calloc(size, sizeof(*b->tmp));
	if (!b->v || !b->job || !b->res || !b->idx || !b->tmp) {
		inline_destroy(b);
		return NULL;
	}
	struct tw_crypto_backend be = {
		.name = "inline",
		.state = b,
		.submit = inline_submit,
		.flush = inline_flush,
		.poll = inline_poll,
		.destroy = inline_destroy,
	};
	return tw_crypto_pipe_new(&be);
}
