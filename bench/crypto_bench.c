/* crypto_bench: DNSSEC signature verification throughput of trustwire's crypto/
 * against raw OpenSSL EVP (the "openssl speed" figure) and libdnssec, for the
 * algorithms 8, 10, 13, 14, 15, 16 and 5, all measured in one run.
 *
 * Usage: crypto_bench [--seconds N] [--rounds N] [--json] [--openssl-cli]
 *                     [--alg N,...] [--case NAME,...]   (a subset, e.g. to profile)
 *
 * Every figure is verifications per second of wall-clock time (CLOCK_MONOTONIC):
 * the median over short rounds in which every case of every algorithm runs for a
 * slice in turn, so that a busy, shared machine slows the peers and us alike.
 * Fixtures are made at start-up: keys generated with OpenSSL, RRsets signed with
 * them, and every signature checked by every verifier (and a corrupted one
 * refused by all) before anything is timed; a failed verification while timing
 * ends the run with exit status 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <libdnssec/binary.h>
#include <libdnssec/crypto.h>
#include <libdnssec/error.h>
#include <libdnssec/key.h>
#include <libdnssec/sign.h>
#include <libdnssec/version.h>

#include "crypto/alg.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/pipeline.h"
#include "crypto/sigdata.h"
#include "crypto/verify.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

#define DEFAULT_SECONDS 40.0
#define SLICE_TARGET 0.020 /* seconds per case per round when --rounds is not given */
#define MIN_ROUNDS 5
#define MAX_ROUNDS 101
#define MAX_BATCH 128
#define DNSKEY_MAX 600   /* DNSKEY RDATA: 4 + RFC 3110 key of 2048 bits fits */
#define RRSIG_MAX 1024   /* RRSIG RDATA: 18 + signer + signature */
#define SIGDATA_MAX 2048 /* signed data of our largest RRset (RSA DNSKEY set) */
#define SHORT_MSG_LEN 20 /* what "openssl speed" signs for EdDSA */

/* The measurements, in the order of the table's columns. */
enum bench_case {
	C_PEER,      /* raw OpenSSL EVP verify */
	C_SINGLE,    /* tw_crypto_verify_rrsig, one at a time */
	C_BATCH1,    /* the inline pipeline, bursts of 1, 8, 32, 128 */
	C_BATCH8,
	C_BATCH32,
	C_BATCH128,
	C_LIBDNSSEC, /* libdnssec on pre-built signed data */
	NCASES,
};

static const char *const case_name[NCASES] = {
	"openssl-evp", "single", "batch1", "batch8", "batch32", "batch128", "libdnssec",
};

static const unsigned case_batch[NCASES] = {
	[C_BATCH1] = 1, [C_BATCH8] = 8, [C_BATCH32] = 32, [C_BATCH128] = 128,
};

/* Each algorithm signs two RRsets, and every case alternates between them: the
 * A RRset a validator checks for an answer, signed by the ZSK, and the DNSKEY
 * RRset it checks for the chain, signed by the KSK. */
enum { SET_A, SET_DNSKEY, NSETS };
enum { KEY_ZSK, KEY_KSK, NKEYS };

struct key_fixture {
	EVP_PKEY *priv;                /* the generated pair: signs the fixtures */
	EVP_PKEY *pub;                 /* its public half alone: the OpenSSL peer's key */
	EVP_PKEY_CTX *peer_ctx;        /* RSA/ECDSA: verify-initialised once, reused */
	EVP_MD_CTX *peer_md;           /* EdDSA: DigestVerifyInit'ed per call (one per
					* key: OpenSSL 3.0 keeps a used context's key) */
	uint8_t rdata[DNSKEY_MAX];     /* DNSKEY RDATA */
	size_t rdlen;
	struct tw_crypto_key *tw;      /* trustwire's prepared key */
	dnssec_key_t *ld;              /* libdnssec's key and its reused context */
	dnssec_sign_ctx_t *ld_ctx;
};

struct rrset_fixture {
	const uint8_t *owner;          /* as received: mixed case */
	uint16_t type;
	uint32_t ttl;
	unsigned key;                  /* KEY_ZSK or KEY_KSK: the signer */
	struct tw_crypto_rr rr[2];     /* in received order, not canonical */
	size_t nrr;
	uint8_t rrsig[RRSIG_MAX];      /* the whole RRSIG RDATA */
	size_t rrsig_len;
	const uint8_t *sig;            /* its signature field (DNSSEC wire form) */
	size_t sig_len;
	uint8_t sigdata[SIGDATA_MAX];  /* signed data, built once for libdnssec */
	size_t sigdata_len;
	uint8_t digest[EVP_MAX_MD_SIZE]; /* RSA/ECDSA peer: digest of sigdata */
	unsigned digest_len;
	uint8_t peer_sig[RRSIG_MAX];   /* RSA: = sig; ECDSA: its DER form; EdDSA: the
					* signature of short_msg */
	size_t peer_sig_len;
};

struct alg_bench {
	uint8_t alg;
	const char *label;
	bool on;                       /* selected (--alg) */
	const EVP_MD *md;              /* pre-hash; NULL for EdDSA */
	bool ld_ok;                    /* libdnssec implements the algorithm */
	struct key_fixture key[NKEYS];
	uint8_t a_rdata[2][4];
	struct rrset_fixture set[NSETS];
	double rate[NCASES][MAX_ROUNDS];
	unsigned nrate[NCASES];
	double median[NCASES];
	double spread[NCASES];         /* interquartile range / median */
	double cli;                    /* "openssl speed" verify/s; 0: not run */
};

/* State shared by all cases: one verifier and one pipeline, as one lcore has. */
struct bench {
	struct tw_crypto_verifier *v;
	struct tw_crypto_pipe *pipe;
	struct tw_crypto_rr rr[MAX_BATCH][2];
	uint8_t (*data)[SIGDATA_MAX];  /* per-job signed data, MAX_BATCH of them */
	struct tw_crypto_job job[MAX_BATCH];
	struct tw_crypto_result_rec res[MAX_BATCH];
	uint64_t verified;             /* every successful verification, so that none
					* can be optimised away; printed at the end */
};

static const uint8_t owner_www[] = { 3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e',
				     3, 'c', 'o', 'm', 0 };
static const uint8_t owner_apex[] = { 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'C', 'O', 'M', 0 };
static const uint8_t signer_name[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t short_msg[SHORT_MSG_LEN] = "trustwire benchmark";

static struct alg_bench algs[] = {
	{ .alg = TW_ALG_RSASHA256, .label = "RSASHA256 2048" },
	{ .alg = TW_ALG_RSASHA512, .label = "RSASHA512 2048" },
	{ .alg = TW_ALG_ECDSAP256SHA256, .label = "ECDSAP256SHA256" },
	{ .alg = TW_ALG_ECDSAP384SHA384, .label = "ECDSAP384SHA384" },
	{ .alg = TW_ALG_ED25519, .label = "ED25519" },
	{ .alg = TW_ALG_ED448, .label = "ED448" },
	{ .alg = TW_ALG_RSASHA1, .label = "RSASHA1 2048" },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

static bool case_on[NCASES]; /* selected (--case) */

/* Is case c of b measured in this run? */
static bool measured(const struct alg_bench *b, unsigned c)
{
	return b->on && case_on[c] && (c != C_LIBDNSSEC || b->ld_ok);
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Every rate is work over wall-clock time. */
static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static void die(unsigned alg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(unsigned alg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "crypto_bench: algorithm %u: ", alg);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static bool is_rsa(uint8_t alg)
{
	return alg == TW_ALG_RSASHA1 || alg == TW_ALG_RSASHA256 || alg == TW_ALG_RSASHA512;
}

static bool is_ecdsa(uint8_t alg)
{
	return alg == TW_ALG_ECDSAP256SHA256 || alg == TW_ALG_ECDSAP384SHA384;
}

static size_t ec_coord(uint8_t alg)
{
	return alg == TW_ALG_ECDSAP256SHA256 ? 32 : 48;
}

static const EVP_MD *alg_md(uint8_t alg)
{
	switch (alg) {
	case TW_ALG_RSASHA1: return EVP_sha1();
	case TW_ALG_RSASHA256:
	case TW_ALG_ECDSAP256SHA256: return EVP_sha256();
	case TW_ALG_ECDSAP384SHA384: return EVP_sha384();
	case TW_ALG_RSASHA512: return EVP_sha512();
	default: return NULL;
	}
}

/* A fresh key pair for alg: RSA 2048 bits (e = 65537), the curve, or EdDSA. */
static EVP_PKEY *keygen(uint8_t alg)
{
	const char *type = is_rsa(alg) ? "RSA" : is_ecdsa(alg) ? "EC"
			   : alg == TW_ALG_ED25519 ? "ED25519" : "ED448";
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	bool ok = c && EVP_PKEY_keygen_init(c) > 0;
	if (ok && is_rsa(alg))
		ok = EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) > 0;
	if (ok && is_ecdsa(alg))
		ok = EVP_PKEY_CTX_set_group_name(c, alg == TW_ALG_ECDSAP256SHA256 ? "P-256"
										 : "P-384") > 0;
	if (!ok || EVP_PKEY_keygen(c, &k) <= 0)
		die(alg, "%s key generation failed", type);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* DNSKEY RDATA of k: RFC 3110 §2 (RSA), RFC 6605 §4 (X | Y), RFC 8080 §3 (raw). */
static size_t dnskey_rdata(uint8_t *out, uint16_t flags, uint8_t alg, EVP_PKEY *k)
{
	tw_wire_put16(out, flags);
	out[2] = 3; /* RFC 4034 §2.1.2 */
	out[3] = alg;
	uint8_t *p = out + 4;
	size_t len;
	if (is_rsa(alg)) {
		BIGNUM *n = NULL, *e = NULL;
		if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
		    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) || BN_num_bytes(e) > 255 ||
		    1 + BN_num_bytes(e) + BN_num_bytes(n) > DNSKEY_MAX - 4)
			die(alg, "DNSKEY: cannot read the RSA public key");
		p[0] = (uint8_t)BN_num_bytes(e);
		BN_bn2bin(e, p + 1);
		BN_bn2bin(n, p + 1 + p[0]);
		len = 1 + (size_t)BN_num_bytes(e) + (size_t)BN_num_bytes(n);
		BN_free(n);
		BN_free(e);
	} else if (is_ecdsa(alg)) {
		BIGNUM *x = NULL, *y = NULL;
		size_t c = ec_coord(alg);
		if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
		    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
		    BN_bn2binpad(x, p, (int)c) < 0 || BN_bn2binpad(y, p + c, (int)c) < 0)
			die(alg, "DNSKEY: cannot read the EC public key");
		len = 2 * c;
		BN_free(x);
		BN_free(y);
	} else {
		len = DNSKEY_MAX - 4;
		if (!EVP_PKEY_get_raw_public_key(k, p, &len))
			die(alg, "DNSKEY: cannot read the EdDSA public key");
	}
	return 4 + len;
}

/* The public half of k alone, as a validator holds it. */
static EVP_PKEY *public_only(EVP_PKEY *k, uint8_t alg)
{
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(k, &der);
	const unsigned char *p = der;
	EVP_PKEY *pub = len > 0 ? d2i_PUBKEY(NULL, &p, len) : NULL;
	OPENSSL_free(der);
	if (!pub)
		die(alg, "SubjectPublicKeyInfo: cannot split off the public key");
	return pub;
}

/* Signs data with k the way a DNSSEC signer does; the signature in DNSSEC wire
 * form goes to sig, and for ECDSA the DER form OpenSSL made goes to der. */
static size_t sign(uint8_t alg, EVP_PKEY *k, const uint8_t *data, size_t len, uint8_t *sig,
		   uint8_t *der, size_t *der_len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t raw[RRSIG_MAX];
	size_t raw_len = sizeof(raw);
	if (!c || EVP_DigestSignInit(c, NULL, alg_md(alg), NULL, k) <= 0 ||
	    EVP_DigestSign(c, raw, &raw_len, data, len) <= 0)
		die(alg, "signing failed");
	EVP_MD_CTX_free(c);
	if (!is_ecdsa(alg)) {
		memcpy(sig, raw, raw_len);
		return raw_len;
	}
	/* RFC 6605 §4: r | s, each the size of the curve */
	size_t coord = ec_coord(alg);
	const unsigned char *p = raw;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)raw_len);
	const BIGNUM *r, *s;
	if (!es)
		die(alg, "ECDSA: OpenSSL made a signature it cannot parse");
	ECDSA_SIG_get0(es, &r, &s);
	if (BN_bn2binpad(r, sig, (int)coord) < 0 || BN_bn2binpad(s, sig + coord, (int)coord) < 0)
		die(alg, "ECDSA: r or s wider than the curve");
	ECDSA_SIG_free(es);
	memcpy(der, raw, raw_len);
	*der_len = raw_len;
	return 2 * coord;
}

/* RRSIG RDATA without its signature (RFC 4034 §3.1); returns its length. */
static size_t rrsig_head(uint8_t *out, uint16_t covered, uint8_t alg, const uint8_t *owner,
			 uint32_t ttl, uint16_t tag)
{
	uint32_t t = (uint32_t)time(NULL);
	tw_wire_put16(out, covered);
	out[2] = alg;
	out[3] = (uint8_t)tw_dns_name_rrsig_labels(owner);
	tw_wire_put32(out + 4, ttl);
	tw_wire_put32(out + 8, t + 30 * 86400); /* expiration */
	tw_wire_put32(out + 12, t - 3600);      /* inception */
	tw_wire_put16(out + 16, tag);
	memcpy(out + TW_RRSIG_FIXED_LEN, signer_name, sizeof(signer_name));
	return TW_RRSIG_FIXED_LEN + sizeof(signer_name);
}

static void make_rrset(struct alg_bench *b, struct rrset_fixture *s)
{
	struct key_fixture *k = &b->key[s->key];
	uint8_t alg = b->alg;
	size_t head = rrsig_head(s->rrsig, s->type, alg, s->owner, s->ttl,
				 tw_crypto_keytag(k->rdata, k->rdlen));

	/* the signed data, built by trustwire from the unsigned RRSIG */
	struct tw_crypto_rr rr[2];
	memcpy(rr, s->rr, sizeof(rr));
	if (tw_crypto_sigdata(s->rrsig, head, s->owner, TW_DNS_C_IN, rr, s->nrr, s->sigdata,
			      sizeof(s->sigdata), &s->sigdata_len) != 0)
		die(alg, "tw_crypto_sigdata failed");

	size_t der_len = 0;
	s->sig = s->rrsig + head;
	s->sig_len = sign(alg, k->priv, s->sigdata, s->sigdata_len, s->rrsig + head,
			  s->peer_sig, &der_len);
	s->rrsig_len = head + s->sig_len;
	if (s->rrsig_len > sizeof(s->rrsig))
		die(alg, "RRSIG too long");

	if (b->md) {
		if (!EVP_Digest(s->sigdata, s->sigdata_len, s->digest, &s->digest_len, b->md, NULL))
			die(alg, "EVP_Digest failed");
		if (is_rsa(alg)) {
			memcpy(s->peer_sig, s->sig, s->sig_len);
			s->peer_sig_len = s->sig_len;
		} else {
			s->peer_sig_len = der_len;
		}
	} else {
		s->peer_sig_len = sign(alg, k->priv, short_msg, sizeof(short_msg), s->peer_sig,
				       NULL, NULL);
	}
}

static void make_keys(struct alg_bench *b)
{
	uint8_t alg = b->alg;
	for (unsigned i = 0; i < NKEYS; i++) {
		struct key_fixture *k = &b->key[i];
		k->priv = keygen(alg);
		k->pub = public_only(k->priv, alg);
		k->rdlen = dnskey_rdata(k->rdata, i == KEY_KSK ? 257 : 256, alg, k->priv);

		struct tw_crypto_policy pol;
		tw_crypto_policy_default(&pol);
		enum tw_key_status st;
		if (tw_crypto_key_new(&pol, k->rdata, k->rdlen, &k->tw, &st) != 0 ||
		    st != TW_KEY_OK)
			die(alg, "trustwire refuses the DNSKEY: %s", tw_crypto_key_status_str(st));

		if (b->md) {
			k->peer_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pub, NULL);
			if (!k->peer_ctx || EVP_PKEY_verify_init(k->peer_ctx) <= 0 ||
			    EVP_PKEY_CTX_set_signature_md(k->peer_ctx, b->md) <= 0 ||
			    (is_rsa(alg) &&
			     EVP_PKEY_CTX_set_rsa_padding(k->peer_ctx, RSA_PKCS1_PADDING) <= 0))
				die(alg, "openssl-evp: verify context set-up failed");
		} else if (!(k->peer_md = EVP_MD_CTX_new())) {
			die(alg, "openssl-evp: out of memory");
		}

		if (b->ld_ok) {
			dnssec_binary_t rd = { .size = k->rdlen, .data = k->rdata };
			int r = dnssec_key_new(&k->ld);
			if (r == DNSSEC_EOK)
				r = dnssec_key_set_rdata(k->ld, &rd);
			if (r == DNSSEC_EOK)
				r = dnssec_sign_new(&k->ld_ctx, k->ld);
			if (r != DNSSEC_EOK)
				die(alg, "libdnssec refuses the DNSKEY: %s", dnssec_strerror(r));
		}
	}
}

static void make_fixtures(struct alg_bench *b)
{
	b->md = alg_md(b->alg);
	b->ld_ok = dnssec_algorithm_key_support(b->alg);
	make_keys(b);

	/* www.Example.com. 300 IN A 192.0.2.10 / 192.0.2.1, received out of order */
	static const uint8_t a0[4] = { 192, 0, 2, 10 }, a1[4] = { 192, 0, 2, 1 };
	memcpy(b->a_rdata[0], a0, 4);
	memcpy(b->a_rdata[1], a1, 4);
	struct rrset_fixture *s = &b->set[SET_A];
	s->owner = owner_www;
	s->type = TW_DNS_T_A;
	s->ttl = 300;
	s->key = KEY_ZSK;
	s->rr[0] = (struct tw_crypto_rr){ b->a_rdata[0], 4 };
	s->rr[1] = (struct tw_crypto_rr){ b->a_rdata[1], 4 };
	s->nrr = 2;
	make_rrset(b, s);

	/* Example.COM. 3600 IN DNSKEY: KSK then ZSK, signed by the KSK */
	s = &b->set[SET_DNSKEY];
	s->owner = owner_apex;
	s->type = TW_DNS_T_DNSKEY;
	s->ttl = 3600;
	s->key = KEY_KSK;
	s->rr[0] = (struct tw_crypto_rr){ b->key[KEY_KSK].rdata, (uint16_t)b->key[KEY_KSK].rdlen };
	s->rr[1] = (struct tw_crypto_rr){ b->key[KEY_ZSK].rdata, (uint16_t)b->key[KEY_ZSK].rdlen };
	s->nrr = 2;
	make_rrset(b, s);
}

static bool peer_verify(struct alg_bench *b, const struct rrset_fixture *s)
{
	struct key_fixture *k = &b->key[s->key];
	if (b->md)
		/* what "openssl speed rsa2048 / ecdsap256" times: a verify of a
		 * precomputed digest through a reused EVP_PKEY_CTX */
		return EVP_PKEY_verify(k->peer_ctx, s->peer_sig, s->peer_sig_len, s->digest,
				       s->digest_len) == 1;
	/* what "openssl speed ed25519" times: init, then a one-shot verify of a
	 * short message */
	return EVP_DigestVerifyInit(k->peer_md, NULL, NULL, NULL, k->pub) > 0 &&
	       EVP_DigestVerify(k->peer_md, s->peer_sig, s->peer_sig_len, short_msg,
				sizeof(short_msg)) == 1;
}

static bool ld_verify(struct alg_bench *b, const struct rrset_fixture *s)
{
	dnssec_sign_ctx_t *c = b->key[s->key].ld_ctx;
	dnssec_binary_t data = { .size = s->sigdata_len, .data = (uint8_t *)s->sigdata };
	dnssec_binary_t sig = { .size = s->sig_len, .data = (uint8_t *)s->sig };
	return dnssec_sign_init(c) == DNSSEC_EOK && dnssec_sign_add(c, &data) == DNSSEC_EOK &&
	       dnssec_sign_verify(c, false, &sig) == DNSSEC_EOK;
}

static enum tw_crypto_result tw_single(struct bench *g, struct alg_bench *b,
				       const struct rrset_fixture *s)
{
	/* a fresh RR array as a parsed message would give: sigdata sorts it */
	memcpy(g->rr[0], s->rr, sizeof(s->rr));
	return tw_crypto_verify_rrsig(g->v, b->key[s->key].tw, s->rrsig, s->rrsig_len,
				      s->owner, TW_DNS_C_IN, g->rr[0], s->nrr);
}

/* One burst through the pipeline: signed data built per job as a worker would
 * while processing its burst, then enqueue, flush, dequeue. first: which RRset
 * the first job takes (the rest alternate). Returns the count of valid results;
 * invalid: receives the count of other results. */
static unsigned tw_burst(struct bench *g, struct alg_bench *b, unsigned n, unsigned first,
			 unsigned *invalid)
{
	for (unsigned j = 0; j < n; j++) {
		const struct rrset_fixture *s = &b->set[(first + j) % NSETS];
		size_t len;
		memcpy(g->rr[j], s->rr, sizeof(s->rr));
		if (tw_crypto_sigdata(s->rrsig, s->rrsig_len, s->owner, TW_DNS_C_IN, g->rr[j],
				      s->nrr, g->data[j], SIGDATA_MAX, &len) != 0)
			die(b->alg, "tw_crypto_sigdata failed while timing");
		g->job[j] = (struct tw_crypto_job){
			.key = b->key[s->key].tw,
			.data = g->data[j],
			.sig = s->sig,
			.data_len = (uint32_t)len,
			.sig_len = (uint16_t)s->sig_len,
			.cookie = j,
		};
	}
	if (tw_crypto_pipe_enqueue_burst(g->pipe, g->job, n) != n)
		die(b->alg, "enqueue: the pipeline refused jobs");
	tw_crypto_pipe_flush(g->pipe);
	unsigned got = 0, valid = 0;
	while (got < n) {
		unsigned k = tw_crypto_pipe_dequeue_burst(g->pipe, g->res + got, n - got);
		if (k == 0)
			die(b->alg, "dequeue: results missing after flush");
		for (unsigned i = 0; i < k; i++)
			valid += g->res[got + i].result == TW_CRYPTO_VALID;
		got += k;
	}
	*invalid = n - valid;
	return valid;
}

/* Runs one unit of case c (one verification, or one burst); turn alternates the
 * RRsets. Returns the verifications done; dies on a failed one. */
static unsigned run_unit(struct bench *g, struct alg_bench *b, enum bench_case c,
			 unsigned turn)
{
	const struct rrset_fixture *s = &b->set[turn % NSETS];
	switch (c) {
	case C_PEER:
		if (!peer_verify(b, s))
			die(b->alg, "%s: a signature did not verify", case_name[c]);
		return 1;
	case C_SINGLE:
		if (tw_single(g, b, s) != TW_CRYPTO_VALID)
			die(b->alg, "%s: a signature did not verify", case_name[c]);
		return 1;
	case C_LIBDNSSEC:
		if (!ld_verify(b, s))
			die(b->alg, "%s: a signature did not verify", case_name[c]);
		return 1;
	default: {
		unsigned n = case_batch[c], bad;
		unsigned ok = tw_burst(g, b, n, turn * n, &bad);
		if (bad)
			die(b->alg, "%s: a signature did not verify", case_name[c]);
		return ok;
	}
	}
}

/* Verifications per second of case c over at least `slice` seconds. Kept out of
 * line so that a profiler can select the timed part alone
 * (valgrind --tool=callgrind --toggle-collect='run_slice*'). */
__attribute__((noinline)) static double run_slice(struct bench *g, struct alg_bench *b,
						  enum bench_case c, double slice)
{
	uint64_t ops = 0;
	unsigned turn = 0;
	double t0 = now(), t;
	do {
		ops += run_unit(g, b, c, turn++);
		t = now();
	} while (t - t0 < slice);
	g->verified += ops;
	return (double)ops / (t - t0);
}

static void check_fixtures(struct bench *g, struct alg_bench *b)
{
	for (unsigned i = 0; i < NSETS; i++) {
		struct rrset_fixture *s = &b->set[i];
		const char *what = i == SET_A ? "A RRset" : "DNSKEY RRset";
		unsigned bad;
		if (tw_single(g, b, s) != TW_CRYPTO_VALID)
			die(b->alg, "tw_crypto_verify_rrsig rejects the %s", what);
		if (tw_burst(g, b, 1, i, &bad) != 1)
			die(b->alg, "the pipeline rejects the %s", what);
		if (!peer_verify(b, s))
			die(b->alg, "OpenSSL EVP rejects the %s", what);
		if (b->ld_ok && !ld_verify(b, s))
			die(b->alg, "libdnssec rejects the %s", what);

		/* a corrupted signature must fail everywhere, or the figures mean
		 * nothing */
		uint8_t keep = s->rrsig[s->rrsig_len - s->sig_len / 2];
		s->rrsig[s->rrsig_len - s->sig_len / 2] ^= 0x40;
		s->peer_sig[s->peer_sig_len - s->peer_sig_len / 2] ^= 0x40;
		if (tw_single(g, b, s) != TW_CRYPTO_INVALID)
			die(b->alg, "tw_crypto_verify_rrsig accepts a corrupted signature (%s)", what);
		if (tw_burst(g, b, 1, i, &bad) != 0 || bad != 1)
			die(b->alg, "the pipeline accepts a corrupted signature (%s)", what);
		if (peer_verify(b, s))
			die(b->alg, "OpenSSL EVP accepts a corrupted signature (%s)", what);
		if (b->ld_ok && ld_verify(b, s))
			die(b->alg, "libdnssec accepts a corrupted signature (%s)", what);
		s->rrsig[s->rrsig_len - s->sig_len / 2] = keep;
		s->peer_sig[s->peer_sig_len - s->peer_sig_len / 2] ^= 0x40;
		if (tw_single(g, b, s) != TW_CRYPTO_VALID || !peer_verify(b, s))
			die(b->alg, "%s no longer verifies after the corruption test", what);
	}
	ERR_clear_error();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double quantile(const double *sorted, unsigned n, double q)
{
	double pos = q * (n - 1);
	unsigned i = (unsigned)pos;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

static void summarise(struct alg_bench *b)
{
	for (unsigned c = 0; c < NCASES; c++) {
		unsigned n = b->nrate[c];
		if (n == 0)
			continue;
		double v[MAX_ROUNDS];
		memcpy(v, b->rate[c], n * sizeof(double));
		qsort(v, n, sizeof(double), cmp_double);
		b->median[c] = quantile(v, n, 0.5);
		b->spread[c] = (quantile(v, n, 0.75) - quantile(v, n, 0.25)) / b->median[c];
	}
}

static void print_json(void)
{
	for (unsigned a = 0; a < NALGS; a++) {
		const struct alg_bench *b = &algs[a];
		double peer = b->median[C_PEER];
		for (unsigned c = 0; c < NCASES; c++) {
			if (!measured(b, c))
				continue;
			/* the peer's own line, or one measured without the peer, has no
			 * ratio */
			if (c == C_PEER || !measured(b, C_PEER)) {
				printf("{\"bench\":\"crypto\",\"case\":\"alg%u %s\",\"value\":%.1f,"
				       "\"unit\":\"verifies/s\"}\n",
				       b->alg, case_name[c], b->median[c]);
				continue;
			}
			printf("{\"bench\":\"crypto\",\"case\":\"alg%u %s\",\"value\":%.1f,"
			       "\"unit\":\"verifies/s\",\"peer\":\"openssl-evp\",\"peer_value\":%.1f,"
			       "\"ratio\":%.3f}\n",
			       b->alg, case_name[c], b->median[c], peer, b->median[c] / peer);
		}
	}
}

static void print_table(double seconds, unsigned rounds, bool cli, double cpu_share)
{
	printf("crypto_bench: DNSSEC verifications per second, median of %u rounds "
	       "(%.1f s budget, wall clock)\n",
	       rounds, seconds);
	printf("OpenSSL: %s; libdnssec %d.%d.%d (GnuTLS/Nettle back-end)\n\n",
	       OpenSSL_version(OPENSSL_VERSION), DNSSEC_VERSION_MAJOR, DNSSEC_VERSION_MINOR,
	       DNSSEC_VERSION_PATCH);
	printf("%-3s %-16s %11s %9s %9s %9s %9s %9s %9s %7s", "alg", "name", "openssl-evp",
	       "single", "batch1", "batch8", "batch32", "batch128", "libdnssec", "b32/evp");
	if (cli)
		printf(" %13s", "openssl-speed");
	putchar('\n');
	for (unsigned a = 0; a < NALGS; a++) {
		const struct alg_bench *b = &algs[a];
		if (!b->on)
			continue;
		printf("%3u %-16s", b->alg, b->label);
		for (unsigned c = 0; c < NCASES; c++) {
			int w = c == C_PEER ? 11 : 9;
			if (measured(b, c))
				printf(" %*.0f", w, b->median[c]);
			else
				printf(" %*s", w, "n/a");
		}
		if (measured(b, C_BATCH32) && measured(b, C_PEER))
			printf(" %7.2f", b->median[C_BATCH32] / b->median[C_PEER]);
		else
			printf(" %7s", "n/a");
		if (cli) {
			if (b->cli > 0)
				printf(" %13.0f", b->cli);
			else
				printf(" %13s", "n/a");
		}
		putchar('\n');
	}

	double worst = 0;
	const char *worst_case = "";
	unsigned worst_alg = 0;
	for (unsigned a = 0; a < NALGS; a++)
		for (unsigned c = 0; c < NCASES; c++)
			if (measured(&algs[a], c) && algs[a].spread[c] > worst) {
				worst = algs[a].spread[c];
				worst_case = case_name[c];
				worst_alg = algs[a].alg;
			}
	printf("\nlargest interquartile spread: %.1f%% of the median (alg %u %s); "
	       "CPU share while measuring: %.0f%%%s\n",
	       worst * 100, worst_alg, worst_case, cpu_share * 100,
	       cpu_share < 0.9 ? " (machine busy: figures low and noisy)" : "");
	printf("openssl-evp: raw OpenSSL EVP verify as \"openssl speed\" times it: RSA/ECDSA "
	       "EVP_PKEY_verify of a\n"
	       "  precomputed digest, reused EVP_PKEY_CTX; EdDSA EVP_DigestVerifyInit + "
	       "EVP_DigestVerify of %d octets.\n",
	       SHORT_MSG_LEN);
	printf("single, batchN: trustwire's whole job: canonical signed data (tw_crypto_sigdata) "
	       "+ digest + verify;\n"
	       "  single through tw_crypto_verify_rrsig, batchN through the inline pipeline in "
	       "bursts of N.\n");
	printf("libdnssec: dnssec_sign_init/add/verify on signed data built in advance: "
	       "libdnssec does not build\n"
	       "  signed data itself, so it does less work than trustwire's figures.\n");
	printf("Every case alternates an A RRset (2 RRs, signed by a ZSK) and the DNSKEY RRset "
	       "(signed by a KSK).\n");
	if (cli)
		printf("openssl-speed: \"openssl speed -seconds 3 rsa2048 ecdsap256 ecdsap384 "
		       "ed25519 ed448\" run once after\n"
		       "  the rounds (per CPU-second of the process, not interleaved; rsa2048 "
		       "without a digest serves 5, 8, 10).\n");
}

static bool have_openssl_cli(void)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char dir[4096];
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n < sizeof(dir) - 9) {
			memcpy(dir, path, n);
			memcpy(dir + n, "/openssl", 9);
			if (access(dir, X_OK) == 0)
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

static double last_number(const char *line)
{
	const char *end = line + strlen(line);
	while (end > line && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *p = end;
	while (p > line && p[-1] != ' ')
		p--;
	return strtod(p, NULL);
}

static void run_openssl_cli(void)
{
	if (!have_openssl_cli()) {
		fprintf(stderr, "crypto_bench: no openssl binary in PATH: --openssl-cli skipped\n");
		return;
	}
	fprintf(stderr, "crypto_bench: running openssl speed (about 30 s)...\n");
	FILE *f = popen("openssl speed -seconds 3 rsa2048 ecdsap256 ecdsap384 ed25519 ed448 "
			"2>/dev/null",
			"r");
	if (!f) {
		fprintf(stderr, "crypto_bench: popen(openssl speed): %s\n", strerror(errno));
		return;
	}
	static const struct {
		const char *tag;
		uint8_t alg[3];
	} rows[] = {
		{ "rsa 2048 bits", { TW_ALG_RSASHA256, TW_ALG_RSASHA512, TW_ALG_RSASHA1 } },
		{ "(nistp256)", { TW_ALG_ECDSAP256SHA256 } },
		{ "(nistp384)", { TW_ALG_ECDSAP384SHA384 } },
		{ "(Ed25519)", { TW_ALG_ED25519 } },
		{ "(Ed448)", { TW_ALG_ED448 } },
	};
	char line[512];
	while (fgets(line, sizeof(line), f)) {
		for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			if (!strstr(line, rows[r].tag))
				continue;
			double v = last_number(line);
			for (unsigned i = 0; i < 3 && rows[r].alg[i]; i++)
				for (unsigned a = 0; a < NALGS; a++)
					if (algs[a].alg == rows[r].alg[i])
						algs[a].cli = v;
		}
	}
	pclose(f);
}

/* --alg 13,8: only these algorithms. Returns 0 or -1 (message printed). */
static int select_algs(const char *list)
{
	for (unsigned a = 0; a < NALGS; a++)
		algs[a].on = false;
	while (*list) {
		char *end;
		unsigned long v = strtoul(list, &end, 10);
		unsigned a = 0;
		while (a < NALGS && (end == list || algs[a].alg != v))
			a++;
		if (a == NALGS || (*end && *end != ',')) {
			fprintf(stderr, "crypto_bench: --alg: \"%s\": not one of 5 8 10 13 14 15 16\n",
				list);
			return -1;
		}
		algs[a].on = true;
		list = *end ? end + 1 : end;
	}
	return 0;
}

/* --case batch32,openssl-evp: only these cases. Returns 0 or -1. */
static int select_cases(const char *list)
{
	for (unsigned c = 0; c < NCASES; c++)
		case_on[c] = false;
	while (*list) {
		size_t n = strcspn(list, ",");
		unsigned c = 0;
		while (c < NCASES && (strlen(case_name[c]) != n || strncmp(case_name[c], list, n)))
			c++;
		if (c == NCASES) {
			fprintf(stderr, "crypto_bench: --case: \"%.*s\" is not a case\n", (int)n,
				list);
			return -1;
		}
		case_on[c] = true;
		list += n;
		if (*list == ',')
			list++;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: crypto_bench [--seconds N] [--rounds N] [--json] [--openssl-cli]\n"
		"                    [--alg N[,N...]] [--case NAME[,NAME...]]\n"
		"  --seconds N    time budget of the measurements (default %.0f)\n"
		"  --rounds N     alternating rounds, the median is reported (default: as\n"
		"                 many as give slices of about %.0f ms, at least %d)\n"
		"  --json         one JSON object per measurement and line\n"
		"  --openssl-cli  also run \"openssl speed\" once and show it (table only)\n"
		"  --alg, --case  measure only these algorithms (5 8 10 13 14 15 16) or cases\n"
		"                 (openssl-evp single batch1 batch8 batch32 batch128 libdnssec),\n"
		"                 e.g. to profile one of them; the budget is shared by fewer\n",
		DEFAULT_SECONDS, SLICE_TARGET * 1e3, MIN_ROUNDS);
}

int main(int argc, char **argv)
{
	double seconds = DEFAULT_SECONDS;
	unsigned rounds = 0; /* 0: from the budget */
	bool json = false, cli = false;
	for (unsigned a = 0; a < NALGS; a++)
		algs[a].on = true;
	for (unsigned c = 0; c < NCASES; c++)
		case_on[c] = true;
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = strtod(argv[++i], &end);
			if (*end || !(seconds > 0)) {
				fprintf(stderr, "crypto_bench: --seconds %s: not a positive number\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
			unsigned long r = strtoul(argv[++i], &end, 10);
			if (*end || r < 1 || r > MAX_ROUNDS) {
				fprintf(stderr, "crypto_bench: --rounds %s: not in 1..%d\n", argv[i],
					MAX_ROUNDS);
				return 2;
			}
			rounds = (unsigned)r;
		} else if (!strcmp(argv[i], "--alg") && i + 1 < argc) {
			if (select_algs(argv[++i]) != 0)
				return 2;
		} else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
			if (select_cases(argv[++i]) != 0)
				return 2;
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--openssl-cli")) {
			cli = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "crypto_bench: unknown argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}

	dnssec_crypto_init();
	static struct bench g;
	g.v = tw_crypto_verifier_new();
	g.pipe = tw_crypto_pipe_new_inline(MAX_BATCH);
	g.data = malloc(MAX_BATCH * sizeof(*g.data));
	if (!g.v || !g.pipe || !g.data) {
		fprintf(stderr, "crypto_bench: out of memory\n");
		return 1;
	}

	fprintf(stderr, "crypto_bench: generating keys and signing fixtures...\n");
	for (unsigned a = 0; a < NALGS; a++) {
		if (!algs[a].on)
			continue;
		make_fixtures(&algs[a]);
		check_fixtures(&g, &algs[a]);
		if (!algs[a].ld_ok)
			fprintf(stderr, "crypto_bench: libdnssec does not implement algorithm %u\n",
				algs[a].alg);
	}

	/* a warm-up round, not counted: caches, contexts, CPU frequency */
	unsigned ncase_total = 0;
	for (unsigned a = 0; a < NALGS; a++)
		for (unsigned c = 0; c < NCASES; c++)
			if (measured(&algs[a], c)) {
				run_slice(&g, &algs[a], (enum bench_case)c, 0.005);
				ncase_total++;
			}
	if (ncase_total == 0) {
		fprintf(stderr, "crypto_bench: nothing selected to measure\n");
		return 2;
	}
	/* many short rounds: the median then rests on many samples, and a burst of
	 * load from elsewhere falls on all cases alike rather than on a few */
	if (rounds == 0) {
		double r = seconds / (ncase_total * SLICE_TARGET);
		rounds = r < MIN_ROUNDS ? MIN_ROUNDS : r > MAX_ROUNDS ? MAX_ROUNDS : (unsigned)r;
		rounds |= 1; /* odd: the median is one of the samples */
		if (rounds > MAX_ROUNDS)
			rounds = MAX_ROUNDS;
	}
	double slice = seconds / ((double)rounds * ncase_total);
	fprintf(stderr, "crypto_bench: %u rounds of %u slices of %.1f ms...\n", rounds,
		ncase_total, slice * 1e3);
	double t0 = now(), cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned a = 0; a < NALGS; a++) {
			struct alg_bench *b = &algs[a];
			/* rotate the order so no case always follows the same one */
			for (unsigned i = 0; i < NCASES; i++) {
				enum bench_case c = (enum bench_case)((i + r) % NCASES);
				if (!measured(b, c))
					continue;
				b->rate[c][b->nrate[c]++] = run_slice(&g, b, c, slice);
			}
		}
	}
	double wall = now() - t0;
	/* the share of the wall clock this process had: under 100 % the machine was
	 * busy and every figure here is low and noisy alike */
	double cpu_share = (clock_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / wall;
	fprintf(stderr, "crypto_bench: measured for %.1f s, %llu verifications, %.0f%% CPU\n",
		wall, (unsigned long long)g.verified, cpu_share * 100);

	for (unsigned a = 0; a < NALGS; a++)
		if (algs[a].on)
			summarise(&algs[a]);
	if (json) {
		print_json();
	} else {
		if (cli)
			run_openssl_cli();
		print_table(seconds, rounds, cli, cpu_share);
	}

	if (tw_crypto_verifier_failures(g.v) != 0) {
		fprintf(stderr, "crypto_bench: the verifier counted internal OpenSSL failures\n");
		return 1;
	}
	for (unsigned a = 0; a < NALGS; a++) {
		for (unsigned k = 0; k < NKEYS; k++) {
			struct key_fixture *kf = &algs[a].key[k];
			if (!algs[a].on)
				continue;
			dnssec_sign_free(kf->ld_ctx);
			dnssec_key_free(kf->ld);
			tw_crypto_key_free(kf->tw);
			EVP_PKEY_CTX_free(kf->peer_ctx);
			EVP_MD_CTX_free(kf->peer_md);
			EVP_PKEY_free(kf->pub);
			EVP_PKEY_free(kf->priv);
		}
	}
	tw_crypto_pipe_free(g.pipe);
	tw_crypto_verifier_free(g.v);
	free(g.data);
	dnssec_crypto_cleanup();
	return 0;
}
