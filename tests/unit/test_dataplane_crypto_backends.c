/* Unit tests for the crypto pipeline back-ends: the same cases run on the inline
 * back-end (crypto/), the ring back-end (a crypto lcore on lcore 1) and the
 * cryptodev back-end (the crypto_openssl virtual device), each result checked
 * against tw_crypto_verify() on the same job, plus a few cases per back-end.
 *
 * The test starts DPDK's EAL itself with
 *   -l 0-1 --no-huge -m 256 --no-pci --vdev crypto_openssl0
 *   --log-level=lib.eal:warning --file-prefix=twtest --no-shconf
 * (run as root; lcore 0 is the worker, lcore 1 the ring back-end's crypto lcore).
 * --no-huge needs no hugepage reservation. --no-shconf keeps EAL from locking
 * /var/run/dpdk/twtest/config, so two runs at once (two build directories) do
 * not refuse each other; --in-memory would do that too but EAL rejects it with
 * --no-huge (which implies --legacy-mem).
 * Under ASan/UBSan this needs nothing else: with --no-huge EAL maps its memory
 * anonymously, away from ASan's shadow, so no --legacy-mem, --iova-mode or
 * ASAN_OPTIONS setting is needed, and with rte_eal_cleanup() at the end
 * LeakSanitizer (ASAN_OPTIONS=detect_leaks=1:abort_on_error=1, as CI runs it)
 * finds nothing in EAL's initialisation: no suppression is needed.
 *
 * Keys are generated with OpenSSL at start: algorithms 8 and 10 (RSA-2048),
 * 5 (RSA-1024, the policy minimum), 13, 14, 15, 16; more RSA-1024 keys for the
 * session cache cases, and one RSA-4160 key (three primes, for speed) that the
 * cryptodev back-end does not send to the device.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "crypto/alg.h"
#include "crypto/key.h"
#include "crypto/pipeline.h"
#include "crypto/verify.h"
#include "dataplane/crypto_backend.h"
#include "dns/error.h"

#define NJOBS 600
#define COOKIE0 5000
#define MSG_MAX 96
#define SIG_MAX 520      /* RSA-4160 */
#define NSIGNERS 7
#define NEXTRA 5         /* RSA-1024 keys for the session cache cases */
#define NENC 5           /* hand-made encoded messages */
#define WAIT_SECONDS 20  /* how long a test waits for results before failing */
#define CRYPTO_LCORE 1

/* ---- keys and jobs ----------------------------------------------------- */

struct signer {
	EVP_PKEY *pkey;
	struct tw_crypto_key *key;
	uint8_t alg;
};

static const EVP_MD *sign_md(uint8_t alg)
{
	switch (alg) {
	case TW_ALG_RSASHA1:
		return EVP_sha1();
	case TW_ALG_RSASHA256:
	case TW_ALG_ECDSAP256SHA256:
		return EVP_sha256();
	case TW_ALG_RSASHA512:
		return EVP_sha512();
	case TW_ALG_ECDSAP384SHA384:
		return EVP_sha384();
	default:
		return NULL; /* EdDSA */
	}
}

static bool alg_is_rsa(uint8_t alg)
{
	return alg == TW_ALG_RSASHA1 || alg == TW_ALG_RSASHA256 || alg == TW_ALG_RSASHA512;
}

static EVP_PKEY *rsa_keygen(unsigned bits, unsigned primes)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	assert_non_null(c);
	assert_int_equal(EVP_PKEY_keygen_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(c, (int)bits), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_primes(c, (int)primes), 1);
	assert_int_equal(EVP_PKEY_keygen(c, &pk), 1);
	EVP_PKEY_CTX_free(c);
	return pk;
}

/* Generates a key pair and prepares the key of its DNSKEY RDATA (flags 256,
 * protocol 3) under policy p. */
static void make_signer(struct signer *s, uint8_t alg, unsigned rsa_bits, unsigned primes,
			const struct tw_crypto_policy *p)
{
	uint8_t rd[4 + 3 + 3 + SIG_MAX] = { 1, 0, 3, alg };
	size_t len = 4;
	s->alg = alg;
	if (alg_is_rsa(alg)) {
		s->pkey = rsa_keygen(rsa_bits, primes);
		BIGNUM *n = NULL, *e = NULL;
		assert_int_equal(EVP_PKEY_get_bn_param(s->pkey, OSSL_PKEY_PARAM_RSA_N, &n), 1);
		assert_int_equal(EVP_PKEY_get_bn_param(s->pkey, OSSL_PKEY_PARAM_RSA_E, &e), 1);
		/* RFC 3110 §2: exponent length, exponent, modulus */
		rd[len++] = (uint8_t)BN_num_bytes(e);
		len += (size_t)BN_bn2bin(e, rd + len);
		len += (size_t)BN_bn2bin(n, rd + len);
		BN_free(n);
		BN_free(e);
	} else if (alg == TW_ALG_ECDSAP256SHA256 || alg == TW_ALG_ECDSAP384SHA384) {
		const char *curve = alg == TW_ALG_ECDSAP256SHA256 ? "P-256" : "P-384";
		size_t coord = alg == TW_ALG_ECDSAP256SHA256 ? 32 : 48, got = 0;
		uint8_t pub[1 + 2 * 48];
		s->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
		assert_non_null(s->pkey);
		assert_int_equal(EVP_PKEY_get_octet_string_param(s->pkey, OSSL_PKEY_PARAM_PUB_KEY, pub,
								 sizeof(pub), &got),
				 1);
		assert_int_equal(got, 1 + 2 * coord);
		memcpy(rd + len, pub + 1, 2 * coord); /* RFC 6605 §4: X | Y */
		len += 2 * coord;
	} else {
		size_t klen = alg == TW_ALG_ED25519 ? 32 : 57;
		s->pkey = EVP_PKEY_Q_keygen(NULL, NULL, alg == TW_ALG_ED25519 ? "ED25519" : "ED448");
		assert_non_null(s->pkey);
		assert_int_equal(EVP_PKEY_get_raw_public_key(s->pkey, rd + len, &klen), 1);
		len += klen;
	}
	enum tw_key_status st;
	assert_int_equal(tw_crypto_key_new(p, rd, len, &s->key, &st), 0);
	assert_int_equal(st, TW_KEY_OK);
}

/* Signs msg in DNSSEC wire form (r | s for ECDSA); returns the length. */
static size_t sign(const struct signer *s, const uint8_t *msg, size_t len, uint8_t *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[SIG_MAX];
	size_t dlen = sizeof(der);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, sign_md(s->alg), NULL, s->pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &dlen, msg, len), 1);
	EVP_MD_CTX_free(ctx);
	if (s->alg != TW_ALG_ECDSAP256SHA256 && s->alg != TW_ALG_ECDSAP384SHA384) {
		memcpy(sig, der, dlen);
		return dlen;
	}
	int half = s->alg == TW_ALG_ECDSAP256SHA256 ? 32 : 48;
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	assert_non_null(es);
	BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, half);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + half, half);
	ECDSA_SIG_free(es);
	return (size_t)(2 * half);
}

/* What each job is made to be. */
enum job_kind {
	JOB_VALID,
	JOB_NO_KEY,     /* key NULL: unsupported */
	JOB_BAD_SIG,    /* one signature bit flipped */
	JOB_BAD_DATA,   /* signed data changed after signing */
	JOB_SHORT_SIG,  /* signature one octet short */
	JOB_SIG_ALL_FF, /* every signature octet 0xff (for RSA: not below n) */
};

static enum job_kind plan(unsigned i)
{
	if (i % 11 == 0)
		return JOB_NO_KEY;
	if (i % 5 == 1)
		return JOB_BAD_SIG;
	if (i % 13 == 2)
		return JOB_BAD_DATA;
	if (i % 17 == 4)
		return JOB_SHORT_SIG;
	if (i % 19 == 6)
		return JOB_SIG_ALL_FF;
	return JOB_VALID;
}

struct fixture {
	struct signer s[NSIGNERS];
	struct signer extra[NEXTRA]; /* RSASHA256, 1024 bits */
	struct signer big;           /* RSASHA256, 4160 bits */
	uint8_t msg[NJOBS][MSG_MAX];
	uint8_t sig[NJOBS][SIG_MAX];
	struct tw_crypto_job job[NJOBS];
	enum tw_crypto_result want[NJOBS]; /* tw_crypto_verify() on the job */
	/* the extra keys' jobs: extra_job[k][0] valid, [1] bit flipped */
	uint8_t extra_msg[MSG_MAX];
	uint8_t extra_sig[NEXTRA][2][SIG_MAX];
	struct tw_crypto_job extra_job[NEXTRA][2];
	uint8_t big_sig[2][SIG_MAX];
	struct tw_crypto_job big_job[4];   /* valid, bad sig, valid, bad data */
	uint8_t big_msg_bad[MSG_MAX];
	enum tw_crypto_result big_want[4];
	/* hand-made PKCS#1 v1.5 encodings signed with extra[0] (RSA_NO_PADDING) */
	uint8_t enc_sig[NENC][128];
	struct tw_crypto_job enc_job[NENC];
	enum tw_crypto_result enc_want[NENC];
	unsigned n_want[3];                /* jobs per result */
	unsigned n_device;                 /* jobs the cryptodev back-end sends to the device */
};

static struct fixture fx;

static const uint8_t algs[NSIGNERS] = {
	TW_ALG_RSASHA256, TW_ALG_RSASHA512, TW_ALG_RSASHA1, TW_ALG_ECDSAP256SHA256,
	TW_ALG_ECDSAP384SHA384, TW_ALG_ED25519, TW_ALG_ED448,
};

static struct tw_crypto_job job_for(const struct signer *s, const uint8_t *msg, size_t len,
				    const uint8_t *sig, size_t sig_len, uint64_t cookie)
{
	return (struct tw_crypto_job){
		.key = s ? s->key : NULL,
		.data = msg,
		.data_len = (uint32_t)len,
		.sig = sig,
		.sig_len = (uint16_t)sig_len,
		.cookie = cookie,
	};
}

/* RFC 8017 §9.2 note 1: DigestInfo prefixes. */
static const uint8_t di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
				   0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const uint8_t di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
				     0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
				     0x01, 0x05, 0x00, 0x04, 0x20 };

/* em = 0x00 || bt || ps_len 0xff octets || sep || di || h || garbage up to k. */
static void encode(uint8_t *em, size_t k, uint8_t bt, size_t ps_len, int sep,
		   const uint8_t *di, size_t dlen, const uint8_t *h, size_t hlen)
{
	size_t n = 0;
	memset(em, 0, k);
	em[n++] = 0x00;
	em[n++] = bt;
	memset(em + n, 0xff, ps_len);
	n += ps_len;
	if (sep >= 0)
		em[n++] = (uint8_t)sep;
	memcpy(em + n, di, dlen);
	n += dlen;
	memcpy(em + n, h, hlen);
	n += hlen;
	for (; n < k; n++)
		em[n] = (uint8_t)n; /* trailing garbage, if any room is left */
}

/* Raw RSA signature of a k-octet encoded message (no padding added). */
static void sign_raw(const struct signer *s, const uint8_t *em, size_t k, uint8_t *sig)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(s->pkey, NULL);
	size_t sl = k;
	assert_non_null(c);
	assert_int_equal(EVP_PKEY_sign_init(c), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING), 1);
	assert_int_equal(EVP_PKEY_sign(c, sig, &sl, em, k), 1);
	assert_int_equal(sl, k);
	EVP_PKEY_CTX_free(c);
}

/* Five encodings for RSASHA256 with a 1024-bit key (k = 128): the right one,
 * then ones a lax check would accept. */
static void make_encodings(struct tw_crypto_verifier *v)
{
	const size_t k = 128;
	uint8_t h256[32], h1[20], em[128];
	const struct signer *s = &fx.extra[0];
	assert_int_equal(EVP_Digest(fx.extra_msg, sizeof(fx.extra_msg), h256, NULL, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_Digest(fx.extra_msg, sizeof(fx.extra_msg), h1, NULL, EVP_sha1(), NULL), 1);
	for (unsigned e = 0; e < NENC; e++) {
		switch (e) {
		case 0: /* RFC 8017 §9.2: PS fills the rest */
			encode(em, k, 0x01, k - 3 - 19 - 32, 0x00, di_sha256, 19, h256, 32);
			break;
		case 1: /* short PS, garbage after the digest */
			encode(em, k, 0x01, 8, 0x00, di_sha256, 19, h256, 32);
			break;
		case 2: /* block type 2 */
			encode(em, k, 0x02, k - 3 - 19 - 32, 0x00, di_sha256, 19, h256, 32);
			break;
		case 3: /* a SHA-1 DigestInfo and digest under an RSASHA256 key */
			encode(em, k, 0x01, k - 3 - 15 - 20, 0x00, di_sha1, 15, h1, 20);
			break;
		default: /* no zero octet between PS and DigestInfo */
			encode(em, k, 0x01, k - 2 - 19 - 32, -1, di_sha256, 19, h256, 32);
			break;
		}
		sign_raw(s, em, k, fx.enc_sig[e]);
		fx.enc_job[e] = job_for(s, fx.extra_msg, sizeof(fx.extra_msg), fx.enc_sig[e], k, e);
		fx.enc_want[e] = tw_crypto_verify(v, s->key, fx.extra_msg, sizeof(fx.extra_msg),
						  fx.enc_sig[e], k);
	}
}

static void fixture_make(void)
{
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	for (unsigned a = 0; a < NSIGNERS; a++)
		make_signer(&fx.s[a], algs[a], algs[a] == TW_ALG_RSASHA1 ? 1024 : 2048, 2, &p);
	for (unsigned k = 0; k < NEXTRA; k++)
		make_signer(&fx.extra[k], TW_ALG_RSASHA256, 1024, 2, &p);
	struct tw_crypto_policy big = p;
	big.rsa_max_bits = 8192;
	make_signer(&fx.big, TW_ALG_RSASHA256, 4160, 3, &big);

	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	assert_non_null(v);
	for (unsigned i = 0; i < NJOBS; i++) {
		const struct signer *s = &fx.s[i % NSIGNERS];
		size_t len = 40 + i % 50;
		for (size_t b = 0; b < len; b++)
			fx.msg[i][b] = (uint8_t)(i * 7 + b);
		size_t sl = sign(s, fx.msg[i], len, fx.sig[i]);
		enum job_kind kind = plan(i);
		switch (kind) {
		case JOB_BAD_SIG:
			fx.sig[i][10] ^= 0x40;
			break;
		case JOB_BAD_DATA:
			fx.msg[i][len / 2] ^= 0x01;
			break;
		case JOB_SHORT_SIG:
			sl--;
			break;
		case JOB_SIG_ALL_FF:
			memset(fx.sig[i], 0xff, sl);
			break;
		default:
			break;
		}
		fx.job[i] = job_for(kind == JOB_NO_KEY ? NULL : s, fx.msg[i], len, fx.sig[i], sl,
				    COOKIE0 + i);
		fx.want[i] = tw_crypto_verify(v, fx.job[i].key, fx.msg[i], len, fx.sig[i], sl);
		fx.n_want[fx.want[i]]++;
		if (alg_is_rsa(s->alg) &&
		    (kind == JOB_VALID || kind == JOB_BAD_SIG || kind == JOB_BAD_DATA))
			fx.n_device++;
	}

	memset(fx.extra_msg, 0x5a, sizeof(fx.extra_msg));
	for (unsigned k = 0; k < NEXTRA; k++) {
		size_t sl = sign(&fx.extra[k], fx.extra_msg, sizeof(fx.extra_msg), fx.extra_sig[k][0]);
		memcpy(fx.extra_sig[k][1], fx.extra_sig[k][0], sl);
		fx.extra_sig[k][1][20] ^= 0x01;
		for (unsigned b = 0; b < 2; b++)
			fx.extra_job[k][b] = job_for(&fx.extra[k], fx.extra_msg, sizeof(fx.extra_msg),
						     fx.extra_sig[k][b], sl, 100 * k + b);
	}

	size_t sl = sign(&fx.big, fx.extra_msg, sizeof(fx.extra_msg), fx.big_sig[0]);
	assert_int_equal(sl, 520);
	memcpy(fx.big_sig[1], fx.big_sig[0], sl);
	fx.big_sig[1][100] ^= 0x08;
	memcpy(fx.big_msg_bad, fx.extra_msg, sizeof(fx.big_msg_bad));
	fx.big_msg_bad[3] ^= 0x10;
	fx.big_job[0] = job_for(&fx.big, fx.extra_msg, sizeof(fx.extra_msg), fx.big_sig[0], sl, 0);
	fx.big_job[1] = job_for(&fx.big, fx.extra_msg, sizeof(fx.extra_msg), fx.big_sig[1], sl, 1);
	fx.big_job[2] = job_for(&fx.big, fx.extra_msg, sizeof(fx.extra_msg), fx.big_sig[0], sl, 2);
	fx.big_job[3] = job_for(&fx.big, fx.big_msg_bad, sizeof(fx.big_msg_bad), fx.big_sig[0], sl, 3);
	for (unsigned j = 0; j < 4; j++)
		fx.big_want[j] = tw_crypto_verify(v, fx.big_job[j].key, fx.big_job[j].data,
						  fx.big_job[j].data_len, fx.big_job[j].sig,
						  fx.big_job[j].sig_len);
	make_encodings(v);
	tw_crypto_verifier_free(v);
}

static void fixture_free(void)
{
	for (unsigned a = 0; a < NSIGNERS; a++) {
		tw_crypto_key_free(fx.s[a].key);
		EVP_PKEY_free(fx.s[a].pkey);
	}
	for (unsigned k = 0; k < NEXTRA; k++) {
		tw_crypto_key_free(fx.extra[k].key);
		EVP_PKEY_free(fx.extra[k].pkey);
	}
	tw_crypto_key_free(fx.big.key);
	EVP_PKEY_free(fx.big.pkey);
}

/* ---- back-ends ----------------------------------------------------------- */

/* Each back-end is chosen by its configuration name, through the same knob
 * trustwired's configuration uses (tw_crypto_backend_from_str). */
struct backend {
	const char *name;
};

static struct backend be_inline = { "inline" };
static struct backend be_ring = { "ring" };
static struct backend be_cryptodev = { "cryptodev" };

static struct tw_crypto_ring_service *svc;
static struct tw_crypto_cryptodev *cd;

#define RING_PLACES 4
#define CD_QPS 2

/* A pipeline of back-end b with room for depth jobs; qp: the cryptodev queue
 * pair (or the second pipeline of a test: any value other than 0). */
static struct tw_crypto_pipe *pipe_new(const struct backend *b, unsigned depth, uint16_t qp)
{
	struct tw_crypto_pipe_conf c = { .depth = depth, .ring = svc, .cryptodev = cd, .qp = qp };
	assert_int_equal(tw_crypto_backend_from_str(b->name, &c.kind), 0);
	struct tw_crypto_pipe *p = tw_crypto_pipe_create(&c);
	assert_non_null(p);
	assert_string_equal(tw_crypto_pipe_backend(p), b->name);
	return p;
}

static void test_backend_knob_names_and_refusals(void **state)
{
	(void)state;
	enum tw_crypto_backend_kind k;
	assert_int_equal(tw_crypto_backend_from_str("ring", &k), 0);
	assert_int_equal(k, TW_CRYPTO_BACKEND_RING);
	assert_int_equal(tw_crypto_backend_from_str("cryptodev", &k), 0);
	assert_int_equal(k, TW_CRYPTO_BACKEND_CRYPTODEV);
	assert_int_equal(tw_crypto_backend_from_str("inline", &k), 0);
	assert_int_equal(k, TW_CRYPTO_BACKEND_INLINE);
	assert_int_equal(tw_crypto_backend_from_str("qat", &k), -TW_EINVAL);
	assert_int_equal(tw_crypto_backend_from_str("", &k), -TW_EINVAL);
	/* a back-end whose service or device was not set up makes no pipeline */
	struct tw_crypto_pipe_conf c = { .kind = TW_CRYPTO_BACKEND_RING, .depth = 256 };
	assert_null(tw_crypto_pipe_create(&c));
	c.kind = TW_CRYPTO_BACKEND_CRYPTODEV;
	assert_null(tw_crypto_pipe_create(&c));
}

static uint64_t deadline(void)
{
	return rte_get_timer_cycles() + WAIT_SECONDS * rte_get_timer_hz();
}

/* Results seen so far, by job index. */
struct tally {
	bool seen[NJOBS];
	unsigned got;
};

/* Dequeues exactly n more results (failing after WAIT_SECONDS), each a job of
 * fx.job[] seen for the first time with the result tw_crypto_verify() gave. */
static void collect(struct tw_crypto_pipe *p, struct tally *t, unsigned n)
{
	struct tw_crypto_result_rec out[64];
	uint64_t end = deadline();
	unsigned want = t->got + n;
	while (t->got < want) {
		unsigned max = want - t->got < 64 ? want - t->got : 64;
		unsigned k = tw_crypto_pipe_dequeue_burst(p, out, max);
		assert_true(k <= max);
		for (unsigned j = 0; j < k; j++) {
			assert_true(out[j].cookie >= COOKIE0 && out[j].cookie < COOKIE0 + NJOBS);
			unsigned idx = (unsigned)(out[j].cookie - COOKIE0);
			assert_false(t->seen[idx]);
			t->seen[idx] = true;
			assert_int_equal(out[j].result, fx.want[idx]);
		}
		t->got += k;
		if (k == 0) {
			assert_true(rte_get_timer_cycles() < end);
			rte_pause();
		}
	}
}

/* Dequeues whatever is ready now, checking it as collect() does. */
static void collect_ready(struct tw_crypto_pipe *p, struct tally *t)
{
	struct tw_crypto_result_rec out[64];
	unsigned k;
	while ((k = tw_crypto_pipe_dequeue_burst(p, out, 64)) > 0) {
		for (unsigned j = 0; j < k; j++) {
			unsigned idx = (unsigned)(out[j].cookie - COOKIE0);
			assert_true(idx < NJOBS);
			assert_false(t->seen[idx]);
			t->seen[idx] = true;
			assert_int_equal(out[j].result, fx.want[idx]);
		}
		t->got += k;
	}
}

/* Dequeues exactly n results of arbitrary jobs (failing after WAIT_SECONDS);
 * returns them in out. */
static void collect_any(struct tw_crypto_pipe *p, struct tw_crypto_result_rec *out, unsigned n)
{
	uint64_t end = deadline();
	unsigned got = 0;
	while (got < n) {
		unsigned k = tw_crypto_pipe_dequeue_burst(p, out + got, n - got);
		got += k;
		if (k == 0) {
			assert_true(rte_get_timer_cycles() < end);
			rte_pause();
		}
	}
}

/* Polls for ms milliseconds and insists that nothing comes. */
static void expect_nothing_for(struct tw_crypto_pipe *p, unsigned ms)
{
	struct tw_crypto_result_rec out[8];
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz() * ms / 1000;
	while (rte_get_timer_cycles() < end)
		assert_int_equal(tw_crypto_pipe_dequeue_burst(p, out, 8), 0);
}

/* Enqueues n jobs, flushes, and checks that every cookie comes back once with
 * the wanted result. */
static void run_jobs(struct tw_crypto_pipe *p, const struct tw_crypto_job *jobs,
		     const enum tw_crypto_result *want, unsigned n)
{
	struct tw_crypto_result_rec out[16];
	assert_true(n <= 16);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, jobs, n), n);
	tw_crypto_pipe_flush(p);
	collect_any(p, out, n);
	bool seen[16] = { false };
	for (unsigned j = 0; j < n; j++) {
		unsigned k;
		for (k = 0; k < n && jobs[k].cookie != out[j].cookie; k++)
			;
		assert_true(k < n);
		assert_false(seen[k]);
		seen[k] = true;
		assert_int_equal(out[j].result, want[k]);
	}
}

/* ---- the fixture itself ---------------------------------------------------- */

static void test_fixture_direct_results_follow_the_job_plan(void **state)
{
	(void)state;
	unsigned valid[NSIGNERS] = { 0 }, invalid[NSIGNERS] = { 0 };
	for (unsigned i = 0; i < NJOBS; i++) {
		enum job_kind kind = plan(i);
		enum tw_crypto_result r = kind == JOB_VALID    ? TW_CRYPTO_VALID
					  : kind == JOB_NO_KEY ? TW_CRYPTO_UNSUPPORTED
							       : TW_CRYPTO_INVALID;
		assert_int_equal(fx.want[i], r);
		valid[i % NSIGNERS] += r == TW_CRYPTO_VALID;
		invalid[i % NSIGNERS] += r == TW_CRYPTO_INVALID;
	}
	for (unsigned a = 0; a < NSIGNERS; a++) {
		assert_true(valid[a] > 0);
		assert_true(invalid[a] > 0);
	}
	assert_int_equal(fx.big_want[0], TW_CRYPTO_VALID);
	assert_int_equal(fx.big_want[1], TW_CRYPTO_INVALID);
	assert_int_equal(fx.big_want[2], TW_CRYPTO_VALID);
	assert_int_equal(fx.big_want[3], TW_CRYPTO_INVALID);
	assert_int_equal(fx.enc_want[0], TW_CRYPTO_VALID);
	for (unsigned e = 1; e < NENC; e++)
		assert_int_equal(fx.enc_want[e], TW_CRYPTO_INVALID);
}

/* ---- cases run on every back-end ------------------------------------------ */

static void test_every_cookie_returns_once_with_the_direct_result(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 1024, 0); /* room for all: the ring may lag */
	struct tally *t = test_calloc(1, sizeof(*t));
	for (unsigned i = 0; i < NJOBS; i += 32) {
		unsigned n = NJOBS - i < 32 ? NJOBS - i : 32;
		assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[i], n), n);
		tw_crypto_pipe_flush(p);
		collect_ready(p, t);
	}
	collect(p, t, NJOBS - t->got);
	assert_int_equal(t->got, NJOBS);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	const struct tw_crypto_pipe_stats *st = tw_crypto_pipe_stats(p);
	assert_int_equal(st->jobs, NJOBS);
	assert_int_equal(st->valid, fx.n_want[TW_CRYPTO_VALID]);
	assert_int_equal(st->invalid, fx.n_want[TW_CRYPTO_INVALID]);
	assert_int_equal(st->unsupported, fx.n_want[TW_CRYPTO_UNSUPPORTED]);
	assert_int_equal(st->flushes, 19);
	assert_int_equal(st->batch_hist[5], 18); /* eighteen flushes of 32 */
	assert_int_equal(st->batch_hist[4], 1);  /* and one of 24 */
	test_free(t);
	tw_crypto_pipe_free(p);
}

static void test_enqueue_beyond_depth_returns_the_count_that_fit(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 1, 0); /* rounds up to 256 */
	struct tally *t = test_calloc(1, sizeof(*t));
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, NJOBS), 256);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[256], 1), 0);
	/* nothing is verified before flush */
	expect_nothing_for(p, 20);
	tw_crypto_pipe_flush(p);
	/* results occupy the pipeline until dequeued */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[256], 1), 0);
	collect(p, t, 100);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 156);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[256], NJOBS - 256), 100);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 256);
	tw_crypto_pipe_flush(p);
	collect(p, t, 256);
	assert_int_equal(t->got, 356);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	/* a flush with nothing enqueued is not counted */
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_stats(p)->flushes, 2);
	test_free(t);
	tw_crypto_pipe_free(p);
	tw_crypto_pipe_free(NULL);
}

static void test_results_arrive_for_jobs_spread_over_several_flushes(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 256, 0);
	struct tally *t = test_calloc(1, sizeof(*t));
	for (unsigned f = 0; f < 5; f++) {
		assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[f * 20], 20), 20);
		tw_crypto_pipe_flush(p);
	}
	collect(p, t, 100);
	for (unsigned i = 0; i < 100; i++)
		assert_true(t->seen[i]);
	/* jobs enqueued but not flushed stay unanswered... */
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[100], 10), 10);
	expect_nothing_for(p, 20);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 10);
	/* ...until the flush */
	tw_crypto_pipe_flush(p);
	collect(p, t, 10);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	assert_int_equal(tw_crypto_pipe_stats(p)->flushes, 6);
	assert_int_equal(tw_crypto_pipe_stats(p)->batch_hist[4], 5); /* 16..31 */
	assert_int_equal(tw_crypto_pipe_stats(p)->batch_hist[3], 1); /* 8..15 */
	test_free(t);
	tw_crypto_pipe_free(p);
}

static void test_in_flight_counts_jobs_until_their_results_are_dequeued(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 256, 0);
	struct tally *t = test_calloc(1, sizeof(*t));
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[200], 40), 40);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 40);
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 40);
	collect(p, t, 15);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 25);
	collect(p, t, 25);
	assert_int_equal(tw_crypto_pipe_in_flight(p), 0);
	for (unsigned i = 200; i < 240; i++)
		assert_true(t->seen[i]);
	test_free(t);
	tw_crypto_pipe_free(p);
}

static void test_two_pipelines_get_only_their_own_results(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p[2] = { pipe_new(b, 256, 0), pipe_new(b, 256, 1) };
	struct tally *t = test_calloc(1, sizeof(*t));
	/* even jobs to the first pipeline, odd ones to the second */
	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(tw_crypto_pipe_enqueue_burst(p[i % 2], &fx.job[i], 1), 1);
	tw_crypto_pipe_flush(p[0]);
	tw_crypto_pipe_flush(p[1]);
	struct tw_crypto_result_rec out[100];
	for (unsigned k = 0; k < 2; k++) {
		collect_any(p[k], out, 100);
		for (unsigned j = 0; j < 100; j++) {
			unsigned idx = (unsigned)(out[j].cookie - COOKIE0);
			assert_true(idx < 200);
			assert_int_equal(idx % 2, k);
			assert_false(t->seen[idx]);
			t->seen[idx] = true;
			assert_int_equal(out[j].result, fx.want[idx]);
		}
		assert_int_equal(tw_crypto_pipe_in_flight(p[k]), 0);
	}
	test_free(t);
	tw_crypto_pipe_free(p[0]);
	tw_crypto_pipe_free(p[1]);
}

static void test_freeing_a_pipeline_with_jobs_in_flight_drops_their_results(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 256, 0);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, 150), 150);
	tw_crypto_pipe_flush(p);
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[150], 50), 50); /* not flushed */
	tw_crypto_pipe_free(p);
	/* the place (ring) or queue pair (cryptodev) is free again and clean */
	p = pipe_new(b, 256, 0);
	struct tally *t = test_calloc(1, sizeof(*t));
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, &fx.job[300], 30), 30);
	tw_crypto_pipe_flush(p);
	collect(p, t, 30);
	expect_nothing_for(p, 20);
	test_free(t);
	tw_crypto_pipe_free(p);
}

static void test_only_the_exact_pkcs1_encoding_verifies(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 256, 0);
	run_jobs(p, fx.enc_job, fx.enc_want, NENC);
	if (b == &be_cryptodev) {
		/* all five went through the device's modular exponentiation */
		assert_int_equal(tw_crypto_cryptodev_stats(cd, 0)->device_ops, NENC);
		assert_int_equal(tw_crypto_cryptodev_stats(cd, 0)->software, 0);
	}
	tw_crypto_pipe_free(p);
}

/* ---- ring ------------------------------------------------------------------ */

static int ring_setup(void **state)
{
	svc = tw_crypto_ring_service_new(RING_PLACES, 1, SOCKET_ID_ANY);
	if (!svc || rte_eal_remote_launch(tw_crypto_ring_service_lcore, svc, CRYPTO_LCORE) != 0)
		return -1;
	*state = &be_ring;
	return 0;
}

static int ring_teardown(void **state)
{
	(void)state;
	tw_crypto_ring_service_stop(svc);
	int rc = rte_eal_wait_lcore(CRYPTO_LCORE);
	tw_crypto_ring_service_free(svc);
	svc = NULL;
	return rc == 0 ? 0 : -1;
}

static void test_ring_crypto_lcore_verifies_every_job(void **state)
{
	const struct backend *b = *state;
	const struct tw_crypto_ring_lcore_stats *ls = tw_crypto_ring_service_stats(svc, 0);
	assert_non_null(ls);
	assert_null(tw_crypto_ring_service_stats(svc, 1));
	uint64_t before = ls->jobs;
	struct tw_crypto_pipe *p = pipe_new(b, 256, 0);
	struct tally *t = test_calloc(1, sizeof(*t));
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, 256), 256);
	tw_crypto_pipe_flush(p);
	collect(p, t, 256);
	/* the crypto lcore wrote the results before giving the slots back */
	assert_int_equal(ls->jobs - before, 256);
	test_free(t);
	tw_crypto_pipe_free(p);
}

static void test_ring_service_has_a_fixed_number_of_pipeline_places(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p[RING_PLACES];
	for (unsigned i = 0; i < RING_PLACES; i++)
		assert_non_null(p[i] = tw_crypto_pipe_new_ring(svc, 256));
	assert_null(tw_crypto_pipe_new_ring(svc, 256));
	tw_crypto_pipe_free(p[1]);
	assert_non_null(p[1] = tw_crypto_pipe_new_ring(svc, 256));
	for (unsigned i = 0; i < RING_PLACES; i++)
		tw_crypto_pipe_free(p[i]);
}

static void test_ring_lcore_beyond_the_service_lcore_count_returns_erange(void **state)
{
	(void)state;
	/* the service was made for one lcore and lcore 1 runs it */
	assert_int_equal(tw_crypto_ring_service_lcore(svc), -TW_ERANGE);
}

static void test_ring_service_new_refuses_zero_sizes(void **state)
{
	(void)state;
	assert_null(tw_crypto_ring_service_new(0, 1, SOCKET_ID_ANY));
	assert_null(tw_crypto_ring_service_new(1, 0, SOCKET_ID_ANY));
	tw_crypto_ring_service_free(NULL);
}

/* ---- cryptodev -------------------------------------------------------------- */

static int cryptodev_setup(void **state)
{
	int dev = rte_cryptodev_get_dev_id("crypto_openssl0");
	if (dev < 0)
		return -1;
	struct tw_crypto_cryptodev_conf conf = {
		.dev_id = (uint8_t)dev,
		.nb_qps = CD_QPS,
		.qp_descriptors = 0,
		.socket = SOCKET_ID_ANY,
	};
	cd = tw_crypto_cryptodev_new(&conf);
	if (!cd)
		return -1;
	*state = &be_cryptodev;
	return 0;
}

static int cryptodev_teardown(void **state)
{
	(void)state;
	tw_crypto_cryptodev_free(cd);
	cd = NULL;
	return 0;
}

static void test_cryptodev_offloads_rsa_algorithms_only(void **state)
{
	(void)state;
	assert_true(tw_crypto_cryptodev_offloads(cd, TW_ALG_RSASHA1));
	assert_true(tw_crypto_cryptodev_offloads(cd, TW_ALG_RSASHA1_NSEC3_SHA1));
	assert_true(tw_crypto_cryptodev_offloads(cd, TW_ALG_RSASHA256));
	assert_true(tw_crypto_cryptodev_offloads(cd, TW_ALG_RSASHA512));
	assert_false(tw_crypto_cryptodev_offloads(cd, TW_ALG_ECDSAP256SHA256));
	assert_false(tw_crypto_cryptodev_offloads(cd, TW_ALG_ECDSAP384SHA384));
	assert_false(tw_crypto_cryptodev_offloads(cd, TW_ALG_ED25519));
	assert_false(tw_crypto_cryptodev_offloads(cd, TW_ALG_ED448));
}

static void test_cryptodev_sends_rsa_jobs_to_the_device_and_the_rest_to_software(void **state)
{
	const struct backend *b = *state;
	struct tw_crypto_pipe *p = pipe_new(b, 1024, 0);
	struct tally *t = test_calloc(1, sizeof(*t));
	assert_int_equal(tw_crypto_pipe_enqueue_burst(p, fx.job, NJOBS), NJOBS);
	tw_crypto_pipe_flush(p);
	collect(p, t, NJOBS);
	const struct tw_crypto_cryptodev_stats *st = tw_crypto_cryptodev_stats(cd, 0);
	assert_non_null(st);
	/* RSA with a full-length signature below n: the device; short or
	 * out-of-range signatures, other algorithms and NULL keys: software */
	assert_int_equal(st->device_ops, fx.n_device);
	assert_int_equal(st->software, NJOBS - fx.n_device);
	assert_int_equal(st->device_errors, 0);
	assert_int_equal(st->sessions_created, 3);
	assert_int_equal(st->sessions_retired, 0);
	assert_int_equal(st->sessions_refused, 0);
	assert_null(tw_crypto_cryptodev_stats(cd, CD_QPS));
	test_free(t);
	tw_crypto_pipe_free(p);
}

static void test_cryptodev_session_cache_evicts_the_least_recently_used_key(void **state)
{
	(void)state;
	/* 4 sessions: one set of four ways */
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_cryptodev(cd, 0, 256, 4, 0);
	assert_non_null(p);
	const struct tw_crypto_cryptodev_stats *st = tw_crypto_cryptodev_stats(cd, 0);
	struct tw_crypto_job jobs[NEXTRA];
	enum tw_crypto_result want[NEXTRA];
	for (unsigned k = 0; k < NEXTRA; k++) {
		jobs[k] = fx.extra_job[k][0];
		want[k] = TW_CRYPTO_VALID;
	}
	/* keys 0..3 fill the set, key 4 evicts key 0 */
	run_jobs(p, jobs, want, NEXTRA);
	assert_int_equal(st->sessions_created, 5);
	assert_int_equal(st->sessions_retired, 1);
	/* key 0 again: a new session, evicting key 1 */
	enum tw_crypto_result invalid = TW_CRYPTO_INVALID;
	run_jobs(p, &fx.extra_job[0][1], &invalid, 1);
	assert_int_equal(st->sessions_created, 6);
	assert_int_equal(st->sessions_retired, 2);
	/* key 4 is still cached */
	run_jobs(p, &fx.extra_job[4][1], &invalid, 1);
	assert_int_equal(st->sessions_created, 6);
	assert_int_equal(st->device_ops, 7);
	assert_int_equal(st->software, 0);
	tw_crypto_pipe_free(p);
}

static void test_cryptodev_replaces_a_session_after_session_ops_ops(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_cryptodev(cd, 0, 256, 0, 3);
	assert_non_null(p);
	const struct tw_crypto_cryptodev_stats *st = tw_crypto_cryptodev_stats(cd, 0);
	struct tw_crypto_job jobs[7];
	enum tw_crypto_result want[7];
	for (unsigned j = 0; j < 7; j++) {
		jobs[j] = fx.extra_job[2][j % 2];
		jobs[j].cookie = j;
		want[j] = j % 2 ? TW_CRYPTO_INVALID : TW_CRYPTO_VALID;
	}
	/* ops 1-3 on the first session, 4-6 on the second, 7 on the third */
	run_jobs(p, jobs, want, 7);
	assert_int_equal(st->sessions_created, 3);
	assert_int_equal(st->sessions_retired, 2);
	assert_int_equal(st->device_ops, 7);
	tw_crypto_pipe_free(p);
}

static void test_cryptodev_key_the_device_does_not_take_is_verified_in_software(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_cryptodev(cd, 0, 256, 0, 0);
	assert_non_null(p);
	const struct tw_crypto_cryptodev_stats *st = tw_crypto_cryptodev_stats(cd, 0);
	/* RSA-4160: a modulus beyond the 512 octets the back-end sends */
	run_jobs(p, fx.big_job, fx.big_want, 4);
	assert_int_equal(st->sessions_refused, 1);
	assert_int_equal(st->sessions_created, 0);
	assert_int_equal(st->device_ops, 0);
	assert_int_equal(st->software, 4);
	tw_crypto_pipe_free(p);
}

static void test_cryptodev_queue_pair_serves_one_pipeline(void **state)
{
	(void)state;
	struct tw_crypto_pipe *p = tw_crypto_pipe_new_cryptodev(cd, 0, 256, 0, 0);
	assert_non_null(p);
	assert_null(tw_crypto_pipe_new_cryptodev(cd, 0, 256, 0, 0));
	assert_null(tw_crypto_pipe_new_cryptodev(cd, CD_QPS, 256, 0, 0));
	tw_crypto_pipe_free(p);
	p = tw_crypto_pipe_new_cryptodev(cd, 0, 256, 0, 0);
	assert_non_null(p);
	tw_crypto_pipe_free(p);
}

/* ---- runner ------------------------------------------------------------------ */

static int inline_setup(void **state)
{
	*state = &be_inline;
	return 0;
}

/* The cases every back-end runs, in the same order. */
#define COMMON_TESTS                                                                   \
	cmocka_unit_test(test_every_cookie_returns_once_with_the_direct_result),        \
	cmocka_unit_test(test_enqueue_beyond_depth_returns_the_count_that_fit),          \
	cmocka_unit_test(test_results_arrive_for_jobs_spread_over_several_flushes),      \
	cmocka_unit_test(test_in_flight_counts_jobs_until_their_results_are_dequeued),   \
	cmocka_unit_test(test_two_pipelines_get_only_their_own_results),                 \
	cmocka_unit_test(test_freeing_a_pipeline_with_jobs_in_flight_drops_their_results), \
	cmocka_unit_test(test_only_the_exact_pkcs1_encoding_verifies)

int main(void)
{
	char *eal_args[] = {
		"test_dataplane_crypto_backends", "-l", "0-1", "--no-huge", "-m", "256",
		"--no-pci", "--vdev", "crypto_openssl0", "--log-level=lib.eal:warning",
		"--file-prefix=twtest", "--no-shconf",
	};
	int eal_argc = (int)(sizeof(eal_args) / sizeof(eal_args[0]));
	if (rte_eal_init(eal_argc, eal_args) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	fixture_make();

	const struct CMUnitTest fixture_tests[] = {
		cmocka_unit_test(test_fixture_direct_results_follow_the_job_plan),
		cmocka_unit_test(test_backend_knob_names_and_refusals),
	};
	const struct CMUnitTest inline_tests[] = {
		COMMON_TESTS,
	};
	const struct CMUnitTest ring_tests[] = {
		COMMON_TESTS,
		cmocka_unit_test(test_ring_crypto_lcore_verifies_every_job),
		cmocka_unit_test(test_ring_service_has_a_fixed_number_of_pipeline_places),
		cmocka_unit_test(test_ring_lcore_beyond_the_service_lcore_count_returns_erange),
		cmocka_unit_test(test_ring_service_new_refuses_zero_sizes),
	};
	const struct CMUnitTest cryptodev_tests[] = {
		COMMON_TESTS,
		cmocka_unit_test(test_cryptodev_offloads_rsa_algorithms_only),
		cmocka_unit_test(test_cryptodev_sends_rsa_jobs_to_the_device_and_the_rest_to_software),
		cmocka_unit_test(test_cryptodev_session_cache_evicts_the_least_recently_used_key),
		cmocka_unit_test(test_cryptodev_replaces_a_session_after_session_ops_ops),
		cmocka_unit_test(test_cryptodev_key_the_device_does_not_take_is_verified_in_software),
		cmocka_unit_test(test_cryptodev_queue_pair_serves_one_pipeline),
	};
	int failed = cmocka_run_group_tests_name("fixture", fixture_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("inline", inline_tests, inline_setup, NULL);
	failed += cmocka_run_group_tests_name("ring", ring_tests, ring_setup, ring_teardown);
	failed += cmocka_run_group_tests_name("cryptodev", cryptodev_tests, cryptodev_setup,
					      cryptodev_teardown);

	fixture_free();
	rte_eal_cleanup();
	return failed;
}
