/* ed448_bench: Ed448 verification throughput of crypto/ed448 (our own
 * arithmetic, prepared keys) against OpenSSL 3's EVP (as crypto/verify.c calls
 * it: DigestVerifyInit, DigestVerify, reset), side by side in one run.
 *
 * Usage: ed448_bench [--seconds N] [--keys N] [--len N]
 *
 * Rounds alternate between the two (a slice of each per round, the order
 * swapped every round) so that a busy, shared machine slows both alike; the
 * figures are the medians of the rounds' verifications per second, and the
 * ratio is the median of the per-round ratios. Fixtures: keys from fixed seeds,
 * messages of --len random octets signed with OpenSSL, every signature checked
 * by both before timing; a failed verification while timing exits with 1.
 * Also timed, once: key preparation, and SHAKE256 of dom4 || R || A || M
 * (114 octets) with a reused context and a fetched digest (what
 * crypto/ed448.c does), the floor under both.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/ed448.h"
#include "crypto/md.h"

#define MAX_KEYS 64
#define MAX_LEN 4096
#define SLICE 0.050 /* seconds per case per round */

struct fixture {
	EVP_PKEY *pub;
	EVP_MD_CTX *md;
	struct tw_ed448_key key;
	uint8_t pubraw[57];
	uint8_t msg[MAX_LEN];
	uint8_t sig[114];
};

static struct fixture fx[MAX_KEYS];
static unsigned nkeys = 8;
static size_t msg_len = 100;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool openssl_one(struct fixture *f)
{
	bool ok = EVP_DigestVerifyInit(f->md, NULL, NULL, NULL, f->pub) > 0 &&
		  EVP_DigestVerify(f->md, f->sig, 114, f->msg, msg_len) == 1;
	EVP_MD_CTX_reset(f->md);
	return ok;
}

static bool ours_one(struct fixture *f)
{
	return tw_ed448_verify(&f->key, f->msg, msg_len, f->sig);
}

/* Verifications per second over about `slice` seconds. */
static double run(bool (*one)(struct fixture *), double slice)
{
	unsigned long n = 0;
	double t0 = now(), t;
	do {
		for (unsigned i = 0; i < 64; i++, n++) {
			if (!one(&fx[n % nkeys])) {
				fprintf(stderr, "verification failed while timing\n");
				exit(1);
			}
		}
		t = now();
	} while (t - t0 < slice);
	return (double)n / (t - t0);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void make_fixtures(void)
{
	srand(1);
	for (unsigned i = 0; i < nkeys; i++) {
		struct fixture *f = &fx[i];
		uint8_t seed[57];
		size_t publen = 57, siglen = 114;
		for (int j = 0; j < 57; j++)
			seed[j] = (uint8_t)(i * 37 + j);
		for (size_t j = 0; j < msg_len; j++)
			f->msg[j] = (uint8_t)rand();
		EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED448, NULL, seed, 57);
		EVP_MD_CTX *sctx = EVP_MD_CTX_new();
		if (!priv || !sctx || EVP_PKEY_get_raw_public_key(priv, f->pubraw, &publen) != 1 ||
		    EVP_DigestSignInit(sctx, NULL, NULL, NULL, priv) != 1 ||
		    EVP_DigestSign(sctx, f->sig, &siglen, f->msg, msg_len) != 1) {
			fprintf(stderr, "fixture %u: OpenSSL could not sign\n", i);
			exit(1);
		}
		EVP_MD_CTX_free(sctx);
		EVP_PKEY_free(priv);
		f->pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL, f->pubraw, 57);
		f->md = EVP_MD_CTX_new();
		if (!f->pub || !f->md || tw_ed448_prepare(&f->key, f->pubraw) != 0 ||
		    !openssl_one(f) || !ours_one(f)) {
			fprintf(stderr, "fixture %u does not verify\n", i);
			exit(1);
		}
		f->sig[5] ^= 1; /* and a corrupted one is refused by both */
		if (openssl_one(f) || ours_one(f)) {
			fprintf(stderr, "fixture %u: corrupted signature verifies\n", i);
			exit(1);
		}
		f->sig[5] ^= 1;
		ERR_clear_error();
	}
}

/* Once, outside the rounds: key preparation, and the two ways to hash. */
static void side_figures(void)
{
	struct tw_ed448_key k;
	unsigned long n = 0;
	double t0 = now();
	while (now() - t0 < 0.3)
		for (unsigned i = 0; i < 16; i++, n++)
			tw_ed448_prepare(&k, fx[n % nkeys].pubraw);
	printf("tw_ed448_prepare: %.0f keys/s\n", (double)n / (now() - t0));

	static const uint8_t dom4[10] = {'S', 'i', 'g', 'E', 'd', '4', '4', '8', 0, 0};
	uint8_t h[114];
	EVP_MD *shake = EVP_MD_fetch(NULL, "SHAKE256", NULL);
	EVP_MD_CTX *md = tw_md_ctx();
	if (!shake || !md)
		exit(1);
	n = 0;
	t0 = now();
	while (now() - t0 < 0.2)
		for (unsigned i = 0; i < 64; i++, n++) {
			EVP_DigestInit_ex(md, shake, NULL);
			EVP_DigestUpdate(md, dom4, sizeof(dom4));
			EVP_DigestUpdate(md, fx[0].sig, 57);
			EVP_DigestUpdate(md, fx[0].pubraw, 57);
			EVP_DigestUpdate(md, fx[0].msg, msg_len);
			EVP_DigestFinalXOF(md, h, sizeof(h));
		}
	printf("SHAKE256 of dom4 || R || A || M, reused context: %.0f/s\n",
	       (double)n / (now() - t0));
	EVP_MD_free(shake);
}

int main(int argc, char **argv)
{
	double seconds = 10;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--keys") && i + 1 < argc)
			nkeys = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--len") && i + 1 < argc)
			msg_len = (size_t)atol(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--seconds N] [--keys N] [--len N]\n", argv[0]);
			return 2;
		}
	}
	if (nkeys < 1 || nkeys > MAX_KEYS || msg_len > MAX_LEN || seconds <= 0) {
		fprintf(stderr, "--keys 1..%d, --len 0..%d, --seconds > 0\n", MAX_KEYS, MAX_LEN);
		return 2;
	}
	make_fixtures();
	printf("%s; %u keys, %zu-octet messages\n", OpenSSL_version(OPENSSL_VERSION), nkeys,
	       msg_len);
	side_figures();

	size_t rounds = (size_t)(seconds / (2 * SLICE));
	if (rounds < 3)
		rounds = 3;
	double *o = calloc(rounds, sizeof(double)), *t = calloc(rounds, sizeof(double));
	double *r = calloc(rounds, sizeof(double));
	if (!o || !t || !r)
		return 1;
	for (size_t i = 0; i < rounds; i++) {
		if (i % 2) {
			t[i] = run(ours_one, SLICE);
			o[i] = run(openssl_one, SLICE);
		} else {
			o[i] = run(openssl_one, SLICE);
			t[i] = run(ours_one, SLICE);
		}
		r[i] = t[i] / o[i];
	}
	double mo = median(o, rounds), mt = median(t, rounds), mr = median(r, rounds);
	printf("rounds %zu of %.0f ms each\n", rounds, 2000 * SLICE);
	printf("openssl-evp   %10.0f verify/s  (%.2f us)\n", mo, 1e6 / mo);
	printf("tw_ed448      %10.0f verify/s  (%.2f us)\n", mt, 1e6 / mt);
	printf("ratio (median of per-round ratios): %.3f\n", mr);
	for (unsigned i = 0; i < nkeys; i++) {
		EVP_PKEY_free(fx[i].pub);
		EVP_MD_CTX_free(fx[i].md);
	}
	free(o);
	free(t);
	free(r);
	return 0;
}
