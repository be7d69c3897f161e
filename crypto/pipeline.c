/* The pipeline front: counters and the hand-off to whichever back-end runs it. */
#include "crypto/pipeline.h"

#include <stdlib.h>

struct tw_crypto_pipe {
	struct tw_crypto_backend be;
	unsigned in_flight;
	unsigned since_flush;
	struct tw_crypto_pipe_stats st;
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

void tw_crypto_pipe_free(struct tw_crypto_pipe *p)
{
	if (!p)
		return;
	if (p->be.destroy)
		p->be.destroy(p->be.state);
	free(p);
}

const char *tw_crypto_pipe_backend(const struct tw_crypto_pipe *p)
{
	return p->be.name;
}

unsigned tw_crypto_pipe_enqueue_burst(struct tw_crypto_pipe *p,
				      const struct tw_crypto_job *jobs, unsigned n)
{
	unsigned k = p->be.submit(p->be.state, jobs, n);
	p->in_flight += k;
	p->since_flush += k;
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
	unsigned k = p->be.poll(p->be.state, out, max);
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
