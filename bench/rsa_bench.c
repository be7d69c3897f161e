/* rsa_bench: RSA PKCS#1 v1.5 verification (DNSSEC algorithm 8, RSASHA256) by
 * crypto/rsa.c against OpenSSL 3 EVP_PKEY_verify, for 2048- and 4096-bit keys
 * with e = 65537.
 *
 * Usage: rsa_bench [--seconds N] [--sigs N]
 *
 * Per key size: one key from OpenSSL's key generation, N signatures over random
 * SHA-256 digests (made with OpenSSL, checked by both sides, and a corrupted one
 * refused by both, before timing). Each round verifies all N with ours and with
 * OpenSSL (a verify context made once and reused, as crypto/verify.c does), the
 * order alternating from round to round and both key sizes in every round; the
 * figure is the median ns per verification over the rounds. Allocations are
 * OpenSSL's (CRYPTO_set_mem_functions) per verification, counted over one round;
 * ours makes none of its own. A failed verification while timing ends the run
 * with exit status 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto/rsa.h"

#define MAX_ROUNDS 100000

static unsigned long allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what)
{
	fprintf(stderr, "rsa_bench: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

struct fixture {
	int bits;
	size_t k;                 /* signature octets */
	EVP_PKEY *pk;
	EVP_PKEY_CTX *vc;         /* OpenSSL's verify context, reused */
	struct tw_rsa_key *tw;
	uint8_t (*dg)[32];
	uint8_t *sig;             /* nsig signatures of k octets */
	double *ours, *theirs;    /* ns per verification, per round */
	unsigned long allocs_ours, allocs_theirs;
};

static const EVP_MD *sha256;
static struct tw_rsa_scratch *scr;

static bool run_ours(struct fixture *f, int nsig)
{
	bool ok = true;
	for (int i = 0; i < nsig; i++)
		ok &= tw_rsa_verify(scr, f->tw, sha256, f->dg[i], 32, f->sig + (size_t)i * f->k,
				    f->k);
	return ok;
}

static bool run_theirs(struct fixture *f, int nsig)
{
	bool ok = true;
	for (int i = 0; i < nsig; i++)
		ok &= EVP_PKEY_verify(f->vc, f->sig + (size_t)i * f->k, f->k, f->dg[i], 32) == 1;
	return ok;
}

static void setup(struct fixture *f, int bits, int nsig)
{
	f->bits = bits;
	f->pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	BIGNUM *n = NULL, *e = NULL;
	if (!f->pk || !EVP_PKEY_get_bn_param(f->pk, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(f->pk, OSSL_PKEY_PARAM_RSA_E, &e) || !BN_is_word(e, 65537))
		die("OpenSSL key generation failed");
	f->k = (size_t)BN_num_bytes(n);
	uint8_t nb[TW_RSA_MAX_BITS / 8], eb[8];
	BN_bn2bin(n, nb);
	int el = BN_bn2bin(e, eb);
	if (tw_rsa_prepare(&f->tw, nb, f->k, eb, (size_t)el) != 0)
		die("tw_rsa_prepare refused an OpenSSL key");
	BN_free(n);
	BN_free(e);

	f->dg = malloc((size_t)nsig * 32);
	f->sig = malloc((size_t)nsig * f->k);
	f->ours = malloc(MAX_ROUNDS * sizeof(double));
	f->theirs = malloc(MAX_ROUNDS * sizeof(double));
	EVP_PKEY_CTX *sc = EVP_PKEY_CTX_new_from_pkey(NULL, f->pk, NULL);
	if (!f->dg || !f->sig || !f->ours || !f->theirs || !sc || EVP_PKEY_sign_init(sc) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(sc, sha256) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(sc, RSA_PKCS1_PADDING) <= 0)
		die("OpenSSL signing set-up failed");
	for (int i = 0; i < nsig; i++) {
		size_t len = f->k;
		if (RAND_bytes(f->dg[i], 32) != 1 ||
		    EVP_PKEY_sign(sc, f->sig + (size_t)i * f->k, &len, f->dg[i], 32) <= 0 ||
		    len != f->k)
			die("OpenSSL signing failed");
	}
	EVP_PKEY_CTX_free(sc);

	f->vc = EVP_PKEY_CTX_new_from_pkey(NULL, f->pk, NULL);
	if (!f->vc || EVP_PKEY_verify_init(f->vc) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(f->vc, sha256) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(f->vc, RSA_PKCS1_PADDING) <= 0)
		die("OpenSSL verify set-up failed");

	/* both accept every signature and refuse a corrupted one */
	if (!run_ours(f, nsig) || !run_theirs(f, nsig))
		die("fixture check failed: a valid signature refused");
	uint8_t *bad = malloc(f->k);
	if (!bad)
		die("out of memory");
	memcpy(bad, f->sig, f->k);
	bad[f->k / 2] ^= 1;
	if (tw_rsa_verify(scr, f->tw, sha256, f->dg[0], 32, bad, f->k) ||
	    EVP_PKEY_verify(f->vc, bad, f->k, f->dg[0], 32) == 1)
		die("fixture check failed: a corrupted signature accepted");
	free(bad);
	ERR_clear_error();
}

int main(int argc, char **argv)
{
	/* before OpenSSL allocates anything */
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		die("CRYPTO_set_mem_functions failed");
	double seconds = 10;
	int nsig = 64;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--sigs") && i + 1 < argc)
			nsig = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--seconds N] [--sigs N]\n", argv[0]);
			return 2;
		}
	}
	if (nsig < 1 || !(seconds > 0))
		die("--sigs and --seconds must be positive");

	/* fetched once, as crypto/md.c does for the verifier */
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	scr = tw_rsa_scratch_new();
	if (!sha256 || !scr)
		die("set-up failed");
	fprintf(stderr, "rsa_bench: generating 2048- and 4096-bit keys...\n");
	static struct fixture fx[2];
	setup(&fx[0], 2048, nsig);
	setup(&fx[1], 4096, nsig);

	/* warm-up, not counted; then one round counts allocations */
	for (int j = 0; j < 2; j++) {
		run_ours(&fx[j], nsig);
		run_theirs(&fx[j], nsig);
		unsigned long a0 = allocs;
		run_ours(&fx[j], nsig);
		unsigned long a1 = allocs;
		run_theirs(&fx[j], nsig);
		fx[j].allocs_ours = a1 - a0;
		fx[j].allocs_theirs = allocs - a1;
	}

	size_t rounds = 0;
	double end = now() + seconds;
	while ((now() < end || rounds < 3) && rounds < MAX_ROUNDS) {
		for (int j = 0; j < 2; j++) {
			struct fixture *f = &fx[j];
			for (int side = 0; side < 2; side++) {
				bool us = (side == 0) == (rounds % 2 == 0);
				double a = now();
				bool ok = us ? run_ours(f, nsig) : run_theirs(f, nsig);
				double ns = (now() - a) * 1e9 / nsig;
				if (!ok)
					die("a verification failed while timing");
				(us ? f->ours : f->theirs)[rounds] = ns;
			}
		}
		rounds++;
	}

	printf("rsa_bench: %zu rounds of %d verifications each side and key size, e = 65537, "
	       "SHA-256\n",
	       rounds, nsig);
	printf("OpenSSL: %s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("%-5s %11s %11s %11s %11s %7s %8s %8s\n", "bits", "ours ns", "evp ns", "ours/s",
	       "evp/s", "ratio", "ours mal", "evp mal");
	for (int j = 0; j < 2; j++) {
		struct fixture *f = &fx[j];
		double mo = median(f->ours, rounds), mt = median(f->theirs, rounds);
		printf("%-5d %11.0f %11.0f %11.0f %11.0f %7.3f %8.1f %8.1f\n", f->bits, mo, mt,
		       1e9 / mo, 1e9 / mt, mt / mo, (double)f->allocs_ours / nsig,
		       (double)f->allocs_theirs / nsig);
	}
	printf("ratio: ours verify/s / EVP_PKEY_verify verify/s (median ns per round, rounds "
	       "alternating);\n"
	       "mal: OpenSSL allocations per verification (CRYPTO_set_mem_functions)\n");

	for (int j = 0; j < 2; j++) {
		struct fixture *f = &fx[j];
		tw_rsa_key_free(f->tw);
		EVP_PKEY_CTX_free(f->vc);
		EVP_PKEY_free(f->pk);
		free(f->dg);
		free(f->sig);
		free(f->ours);
		free(f->theirs);
	}
	tw_rsa_scratch_free(scr);
	EVP_MD_free((EVP_MD *)sha256);
	return 0;
}
