/* The configuration knob: one back-end chosen by name for every worker pipeline. */
#include "dataplane/crypto_backend.h"

#include <stddef.h>
#include <string.h>

#include "crypto/pipeline.h"
#include "dns/error.h"

static const char *const kind_names[] = {
	[TW_CRYPTO_BACKEND_INLINE] = "inline",
	[TW_CRYPTO_BACKEND_RING] = "ring",
	[TW_CRYPTO_BACKEND_CRYPTODEV] = "cryptodev",
};

int tw_crypto_backend_from_str(const char *s, enum tw_crypto_backend_kind *out)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum tw_crypto_backend_kind)i;
			return 0;
		}
	}
	return -TW_EINVAL;
}

struct tw_crypto_pipe *tw_crypto_pipe_create(const struct tw_crypto_pipe_conf *c)
{
	switch (c->kind) {
	case TW_CRYPTO_BACKEND_INLINE:
		return tw_crypto_pipe_new_inline(c->depth);
	case TW_CRYPTO_BACKEND_RING:
		return c->ring ? tw_crypto_pipe_new_ring(c->ring, c->depth) : NULL;
	case TW_CRYPTO_BACKEND_CRYPTODEV:
		return c->cryptodev ? tw_crypto_pipe_new_cryptodev(c->cryptodev, c->qp, c->depth,
								  c->sessions, c->session_ops)
				    : NULL;
	}
	return NULL;
}
