/* p384_bench: ECDSA P-384 verification (DNSSEC algorithm 14) by crypto/p384.c
 * against OpenSSL 3 EVP_PKEY_verify, one key verifying many signatures.
 *
 * Usage: p384_bench [--seconds N] [--sigs N]
 *
 * One key, N signatures over random digests (made with OpenSSL and checked by both
 * sides before timing). Each round verifies all N with ours, then with OpenSSL
 * (a verify context made once and reused, the r | s to DER conversion
 * crypto/verify.c does included), the order alternating from round to round; the
 * figure is the median ns per verification over the rounds. A failed verification
 * while timing ends the run with exit status 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/p384.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t der_int(uint8_t *out, const uint8_t *v, size_t len)
{
	while (len > 1 && v[0] == 0) {
		v++;
		len--;
	}
	size_t pad = (v[0] & 0x80) ? 1 : 0;
	out[0] = 0x02;
	out[1] = (uint8_t)(len + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, v, len);
	return 2 + pad + len;
}

static bool ossl_verify(EVP_PKEY_CTX *c, const uint8_t digest[48], const uint8_t sig[96])
{
	uint8_t der[112];
	size_t n = 2;
	n += der_int(der + n, sig, 48);
	n += der_int(der + n, sig + 48, 48);
	der[0] = 0x30;
	der[1] = (uint8_t)(n - 2);
	return EVP_PKEY_verify(c, der, n, digest, 48) == 1;
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
	fprintf(stderr, "p384_bench: %s\n", what);
	exit(1);
}

int main(int argc, char **argv)
{
	double seconds = 10;
	int nsig = 256;
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
	if (nsig < 1 || seconds <= 0)
		die("--sigs and --seconds must be positive");

	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	uint8_t pt[97], pub[96];
	size_t len = 0;
	if (!pk || !EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &len) ||
	    len != 97)
		die("OpenSSL key generation failed");
	memcpy(pub, pt + 1, 96);

	uint8_t (*dg)[48] = malloc((size_t)nsig * 48), (*sig)[96] = malloc((size_t)nsig * 96);
	EVP_PKEY_CTX *sc = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	if (!dg || !sig || !sc || EVP_PKEY_sign_init(sc) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(sc, EVP_sha384()) <= 0)
		die("OpenSSL signing set-up failed");
	for (int i = 0; i < nsig; i++) {
		uint8_t der[112];
		size_t dl = sizeof(der);
		if (RAND_bytes(dg[i], 48) != 1 || EVP_PKEY_sign(sc, der, &dl, dg[i], 48) <= 0)
			die("OpenSSL signing failed");
		const uint8_t *p = der;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
		if (!es || BN_bn2binpad(ECDSA_SIG_get0_r(es), sig[i], 48) != 48 ||
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig[i] + 48, 48) != 48)
			die("signature conversion failed");
		ECDSA_SIG_free(es);
	}
	EVP_PKEY_CTX_free(sc);

	/* the one-off costs: G's table (first use) and this key's table */
	double t0 = now();
	struct tw_p384_key *k;
	if (tw_p384_prepare(&k, pub) != 0)
		die("tw_p384_prepare refused an OpenSSL key");
	double t_first = now() - t0;
	t0 = now();
	struct tw_p384_key *k2;
	if (tw_p384_prepare(&k2, pub) != 0)
		die("tw_p384_prepare failed");
	double t_prep = now() - t0;
	tw_p384_key_free(k2);

	EVP_PKEY_CTX *vc = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	if (!vc || EVP_PKEY_verify_init(vc) <= 0 ||
	    EVP_PKEY_CTX_set_signature_md(vc, EVP_sha384()) <= 0)
		die("OpenSSL verify set-up failed");
	for (int i = 0; i < nsig; i++) {
		uint8_t bad[96];
		memcpy(bad, sig[i], 96);
		bad[95] ^= 1;
		if (!tw_p384_verify(k, dg[i], sig[i]) || !ossl_verify(vc, dg[i], sig[i]) ||
		    tw_p384_verify(k, dg[i], bad) || ossl_verify(vc, dg[i], bad))
			die("fixture check failed");
	}
	ERR_clear_error();

	size_t cap = 100000, rounds = 0;
	double *ours = malloc(cap * sizeof(double)), *theirs = malloc(cap * sizeof(double));
	if (!ours || !theirs)
		die("out of memory");
	double end = now() + seconds;
	while ((now() < end || rounds < 3) && rounds < cap) {
		for (int side = 0; side < 2; side++) {
			bool us = (side == 0) == (rounds % 2 == 0);
			double a = now();
			bool ok = true;
			if (us) {
				for (int i = 0; i < nsig; i++)
					ok &= tw_p384_verify(k, dg[i], sig[i]);
			} else {
				for (int i = 0; i < nsig; i++)
					ok &= ossl_verify(vc, dg[i], sig[i]);
			}
			double ns = (now() - a) * 1e9 / nsig;
			if (!ok)
				die("a verification failed while timing");
			(us ? ours : theirs)[rounds] = ns;
		}
		rounds++;
	}
	double mo = median(ours, rounds), mt = median(theirs, rounds);
	printf("p384_bench: %zu rounds of %d verifications each side, one key\n", rounds, nsig);
	printf("  ours     %9.0f ns/verify  %9.0f verify/s\n", mo, 1e9 / mo);
	printf("  OpenSSL  %9.0f ns/verify  %9.0f verify/s  (%s, EVP_PKEY_verify)\n", mt, 1e9 / mt,
	       OpenSSL_version(OPENSSL_VERSION));
	printf("  ratio    %9.2f x (OpenSSL time / ours)\n", mt / mo);
	printf("  per-key table %zu bytes; prepare %.0f us (first call, with G's table: %.0f us)\n",
	       tw_p384_key_size(), t_prep * 1e6, t_first * 1e6);
	free(ours);
	free(theirs);
	free(dg);
	free(sig);
	tw_p384_key_free(k);
	EVP_PKEY_CTX_free(vc);
	EVP_PKEY_free(pk);
	return 0;
}
