/* Unit tests for crypto/pipeline.h: results, cookies, burst limits and counters
 * of the batched verification pipeline, checked against direct verification. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "crypto/alg.h"
#include "crypto/key.h"
#include "crypto/pipeline.h"
#include "crypto/verify.h"

#define NJOBS 300

struct signer {
	EVP_PKEY *pkey;
	struct tw_crypto_key *key;
	uint8_t alg;
};

/* Generates a key pair and the prepared key of its DNSKEY RDATA. */
static void make_signer(struct signer *s, uint8_t alg)
{
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	uint8_t rd[4 + 65] = { 1, 0, 3, alg };
	size_t klen;
	s->alg = alg;
	if (alg == TW_ALG_ECDSAP256SHA256) {
		s->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		uint8_t pub[65];
		assert_int_equal(EVP_PKEY_get_octet_string_param(s->pkey, OSSL_PKEY_PARAM_PUB_KEY,
								 pub, sizeof(pub), &klen), 1);
		assert_int_equal(klen, 65);
		memcpy(rd + 4, pub + 1, 64); /* RFC 6605 §4: X | Y */
		klen = 64;
	} else {
		s->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		klen = 32;
		assert_int_equal(EVP_PKEY_get_raw_public_key(s->pkey, rd + 4, &klen), 1);
	}
	assert_non_null(s->pkey);
	enum tw_key_status st;
	assert_int_equal(tw_crypto_key_new(&p, rd, 4 + klen, &s->key, &st), 0);
	assert_int_equal(st, TW_KEY_OK);
}

/* Signs msg in DNSSEC wire form (r|s for ECDSA); returns the length. */
static size_t sign(const struct signer *s, const uint8_t *msg, size_t len, uint8_t *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[128];
	size_t dlen = sizeof(der);
	const EVP_MD *md = s->alg == TW_ALG_ECDSAP256SHA256 ? EVP_sha256() : NULL;
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, s->pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &dlen, msg, len), 1);
	EVP_MD_CTX_free(ctx);
	if (s->alg != TW_ALG_ECDSAP256SHA256) {
		memcpy(sig, der, dlen);
		return dlen;
	}
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	assert_non_null(es);
	BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32);
	ECDSA_SIG_free(es);
	return 64;
}

struct fixture {
	struct signer s[2];
	uint8_t msg[NJOBS][40];
	uint8_t sig[NJOBS][64];
	struct tw_crypto_job job[NJOBS];
	enum tw_crypto_result want[NJOBS];
};

static struct fixture fx;

static int setup(void **state)
{
	(void)state;
	make_signer(&fx.s[0], TW_ALG_ECDSAP256SHA256);
	make_signer(&fx.s[1], TW_ALG_ED25519);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	for (unsigned i = 0; i < NJOBS; i++) {
		const struct signer *s = &fx.s[i % 2];
		memset(fx.msg[i], (int)i, sizeof(fx.msg[i]));
		size_t sl = sign(s, fx.msg[i], sizeof(fx.msg[i]), fx.sig[i]);
		if (i % 5 == 0)
			fx.sig[i][10] ^= 0x40; /* corrupted */
		fx.job[i] = (struct tw_crypto_job){
			.key = i % 7 == 0 ? NULL : s->key,
			.data = fx.msg[i],
			.data_len = sizeof(fx.msg[i]),
			.sig = fx.sig[i],
			.sig_len = (uint16_t)sl,
			.cookie = 1000 + i,
		};
		fx.want[i] = tw_crypto_verify(v, fx.job[i].key, fx.msg[i], sizeof(fx.msg[i]),
					      fx.sig[i], (uint16_t)sl);
	}
	tw_crypto_verifier_free(v);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) {
		tw_crypto_key_free(fx.s[i].key);
		EVP_PKEY_free(fx.s[i].pkey);
	}
	return 0;
}

static void test_eddsa_context_never_keeps_the_previous_key(void **state)
{
	(void)state;
	/* OpenSSL 3.0 keeps the first key when a used EdDSA context is initialised
	 * again with another: key B must not accept key A's signature after A was
	 * used on the same verifier. */
	struct signer b;
	make_signer(&b, TW_ALG_ED25519);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	const struct tw_crypto_job *ja = &fx.job[1]; /* Ed25519, valid, key A */
	assert_int_equal(fx.want[1], TW_CRYPTO_VALID);
	assert_int_equal(tw_crypto_verify(v, ja->key, ja->data, ja->data_len, ja->sig, ja->sig_len),
			 TW_CRYPTO_VALID);
	assert_int_equal(tw_crypto_verify(v, b.key, ja->data, ja->data_len, ja->sig, ja->sig_len),
			 TW_CRYPTO_INVALID);
	/* and the other way round after a failure */
	assert_int_equal(tw_crypto_verify(v, ja->key, ja->data, ja->data_len, ja->sig, ja->sig_len),
			 TW_CRYPTO_VALID);
	tw_crypto_verifier_free(v);
	tw_crypto_key_free(b.key);
	EVP_PKEY_free(b.pkey);
}

static void test_pipeline_depth_is_bounded(void **state)
{
	(void)state;
	assert_null(tw_crypto_pipe_new_inline(TW_CRYPTO_PIPE_MAX_DEPTH + 1));
	assert_null(tw_crypto_pipe_new_inline(0xFFFFFFFFu));
}

static void test_direct_results_cover_all_three_outcomes(void **state)
{
	(void)state;
	unsigned n[3] = { 0, 0, 0 };
	for (unsigned i = 0; i < NJOBS; i++)
		n[fx.want[i]]++;
	/* i % 7 == 0 unsupported (43); of the rest, i % 5 == 0 invalid (51) */
	assert_int_equal(n[TW_CRYPTO_UNSUPPORTED], 43);
	assert_int_equal(n[TW_CRYPTO_INVALID], 51);
	assert_int_equal(n[TW_CRYPTO_VALID], NJOBS - 43 - 51);
}

static void test_pipeline_returns_every_cookie_with_the_direct_result(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_inline(512);
	assert_non_null(p);
	assert_string_equal(tw_crypto_pipe_backend(p), "inline");
	bool seen[NJOBS] = { false };
	unsigned got = 0;
	struct tw_crypto_result_rec out[64];
	for (unsigned i = 0; i < NJOBS; i += 32) {
		unsigned n = NJOBS - i < 32 ? NJOBS - i : 32;
		assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[i], n), n);
		tw_crypto_pipe_flush(p);
		unsigned k;
		while ((k = tw_crypto_pipe_dequeue_burst(p, out, 64)) > 0) {
			for (unsigned j = 0; j < k; j++) {
				unsigned idx = (unsigned)(out[j].cookie - 1000);
				assert_true(idx < NJOBS);
				assert_false(seen[idx]);
				seen[idx] = true;
				assert_int_equal(out[j].result, fx.want[idx]);
				got++;
			}
		}
	}
	assert_int_equal(got, NJOBS);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	const struct tw_crypto_pipe_stats *st = tw_crypto_pipe_stats(p);
	assert_int_equal(st->jobs, NJOBS);
	assert_int_equal(st->unsupported, 43);
	assert_int_equal(st->invalid, 51);
	assert_int_equal(st->valid, NJOBS - 94);
	assert_int_equal(st->flushes, 10);
	assert_int_equal(st->batch_hist[5], 9); /* nine flushes of 32 */
	assert_int_equal(st->batch_hist[3], 1); /* and one of 12 */
	tw_crypto_pipe_free(p);
}

static void test_enqueue_takes_only_what_fits(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_inline(1); /* rounds up to 256 */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, NJOBS), 256);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, 1), 0);
	/* nothing runs before flush */
	struct tw_crypto_result_rec out[256];
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 256), 0);
	tw_crypto_pipe_flush(p);
	/* results still occupy the pipeline until dequeued */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, 1), 0);
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 100), 100);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 156);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, NJOBS), 100);
	tw_crypto_pipe_flush(p);
	unsigned total = 0, k;
	while ((k = tw_crypto_pipe_dequeue_burst(p, out, 256)) > 0)
		total += k;
	assert_int_equal(total, 256);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	/* a flush with nothing enqueued is not counted */
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_stats(p)->flushes, 2);
	tw_crypto_pipe_free(p);
	tw_crypto_pipe_free(NULL);
}

/* Drains p, checking each result against want[cookie - base]; returns how many. */
static unsigned drain_checked(struct tw_crypto_pipe *p, uint64_t base, bool *seen)
{
	struct tw_crypto_result_rec out[64];
	unsigned got = 0, k;
	while ((k = tw_crypto_pipe_dequeue_burst(p, out, 64)) > 0) {
		for (unsigned j = 0; j < k; j++) {
			unsigned idx = (unsigned)(out[j].cookie - base);
			assert_true(idx < NJOBS);
			assert_false(seen[idx]);
			seen[idx] = true;
			assert_int_equal(out[j].result, fx.want[idx]);
			got++;
		}
	}
	return got;
}

static void test_memo_answers_a_repeated_job_with_the_verified_result(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_inline(512);
	assert_non_null(p);
	assert_int_equal(tw_crypto_pipe_set_memo(p, 65536, 512), 0);
	static struct tw_crypto_job again[NJOBS];
	for (unsigned pass = 0; pass < 2; pass++) {
		bool seen[NJOBS] = { false };
		unsigned got = 0;
		for (unsigned i = 0; i < NJOBS; i++) {
			again[i] = fx.job[i];
			again[i].cookie = 5000 * pass + i;
		}
		for (unsigned i = 0; i < NJOBS; i += 32) {
			unsigned n = NJOBS - i < 32 ? NJOBS - i : 32;
			assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &again[i], n), n);
			tw_crypto_pipe_flush(p);
			got += drain_checked(p, 5000 * pass, seen);
		}
		assert_int_equal(got, NJOBS);
	}
	/* the fixture repeats itself: messages are memset(i), so job i + 256 signs job
	 * i's message, and Ed25519 signatures are deterministic; such a job is
	 * answered from the memo in the first pass already (its twin's burst was
	 * drained before) */
	unsigned twins = 0;
	for (unsigned i = 256; i < NJOBS; i++)
		if (fx.job[i].key && fx.job[i].key == fx.job[i - 256].key &&
		    memcmp(fx.sig[i], fx.sig[i - 256], fx.job[i].sig_len) == 0)
			twins++;
	assert_true(twins > 0);
	const struct tw_crypto_pipe_stats *st = tw_crypto_pipe_stats(p);
	assert_int_equal(st->jobs, 2 * NJOBS);
	/* in the second pass everything but the 43 unsupported jobs (no key) was
	 * remembered */
	assert_int_equal(st->memo_hits, NJOBS - 43 + twins);
	assert_int_equal(st->memo_evictions, 0);
	assert_int_equal(st->invalid, 2 * 51);
	assert_int_equal(st->unsupported, 2 * 43);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	/* the second pass sent only the unsupported jobs to the back-end: ten
	 * flushes with 3..5 of them each */
	assert_int_equal(st->flushes, 20);
	tw_crypto_pipe_free(p);
}

static void test_memo_tells_another_signature_data_or_key_apart(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_inline(256);
	assert_int_equal(tw_crypto_pipe_set_memo(p, 1024, 256), 0);
	unsigned v = 1; /* a valid job: key, not corrupted */
	assert_int_equal(fx.want[v], TW_CRYPTO_VALID);
	struct tw_crypto_result_rec out[4];
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[v], 1), 1);
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 4), 1);
	assert_int_equal(out[0].result, TW_CRYPTO_VALID);

	uint8_t sig[64], msg[40];
	struct tw_crypto_job j[3];
	memcpy(sig, fx.sig[v], sizeof(sig));
	sig[20] ^= 1;
	memcpy(msg, fx.msg[v], sizeof(msg));
	msg[39] ^= 1;
	j[0] = fx.job[v]; /* another signature */
	j[0].sig = sig;
	j[1] = fx.job[v]; /* other data */
	j[1].data = msg;
	j[2] = fx.job[v]; /* another key (P-256, whose signatures are 64 octets too) */
	j[2].key = fx.job[2].key;
	assert_ptr_not_equal(j[2].key, fx.job[v].key);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, j, 3), 3);
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 4), 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(out[i].result, TW_CRYPTO_INVALID);
	assert_int_equal(tw_crypto_pipe_stats(p)->memo_hits, 0);
	/* and the invalid outcome is remembered as well */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &j[0], 1), 1);
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 4), 1); /* no flush needed */
	assert_int_equal(out[0].result, TW_CRYPTO_INVALID);
	assert_int_equal(tw_crypto_pipe_stats(p)->memo_hits, 1);
	tw_crypto_pipe_free(p);
}

static void test_memo_keeps_burst_semantics_when_slots_run_out(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_inline(256);
	assert_int_equal(tw_crypto_pipe_set_memo(p, 4096, 8), 0);
	struct tw_crypto_result_rec out[16];
	/* jobs 1 and 2 remembered */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[1], 2), 2);
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 16), 2);
	/* eight new jobs take every slot; the ninth is refused */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[10], 9), 8);
	/* known, known, new, known: the prefix before the new job is taken */
	struct tw_crypto_job mix[4] = { fx.job[1], fx.job[2], fx.job[30], fx.job[1] };
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, mix, 4), 2);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 10);
	/* setting the memo while jobs are in flight is refused */
	assert_int_equal(tw_crypto_pipe_set_memo(p, 0, 8), -1);
	tw_crypto_pipe_flush(p);
	bool seen[NJOBS] = { false };
	unsigned got = 0, k;
	while ((k = tw_crypto_pipe_dequeue_burst(p, out, 16)) > 0)
		for (unsigned i = 0; i < k; i++) {
			unsigned idx = (unsigned)(out[i].cookie - 1000);
			assert_int_equal(out[i].result, fx.want[idx]);
			if (idx >= 10) {
				assert_false(seen[idx]);
				seen[idx] = true;
			}
			got++;
		}
	assert_int_equal(got, 10);
	/* the ready queue holds at most as many answers as there are slots */
	struct tw_crypto_job known[12];
	for (unsigned i = 0; i < 12; i++)
		known[i] = fx.job[1 + i % 2];
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, known, 12), 8);
	assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 16), 8);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	/* off again */
	assert_int_equal(tw_crypto_pipe_set_memo(p, 0, 8), 0);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, known, 12), 12);
	tw_crypto_pipe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eddsa_context_never_keeps_the_previous_key),
		cmocka_unit_test(test_pipeline_depth_is_bounded),
		cmocka_unit_test(test_direct_results_cover_all_three_outcomes),
		cmocka_unit_test(test_pipeline_returns_every_cookie_with_the_direct_result),
		cmocka_unit_test(test_enqueue_takes_only_what_fits),
		cmocka_unit_test(test_memo_answers_a_repeated_job_with_the_verified_result),
		cmocka_unit_test(test_memo_tells_another_signature_data_or_key_apart),
		cmocka_unit_test(test_memo_keeps_burst_semantics_when_slots_run_out),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
