/* tsign: an in-memory DNSSEC zone signer and response builder for tests (tsign.h). */
#include "tsign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "crypto/alg.h"
#include "crypto/digest.h"
#include "crypto/key.h"
#include "crypto/sigdata.h"
#include "dns/build.h"
#include "dns/codec.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#define SIG_MAX 1024         /* RSA up to 8192 bits */
#define DEFAULT_TTL 3600
#define MSG_ID 0x2a2a

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "tsign: out of memory\n");
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "tsign: out of memory\n");
		abort();
	}
	return p;
}

static uint8_t *xmemdup(const uint8_t *p, size_t n)
{
	uint8_t *q = xmalloc(n);
	if (n)
		memcpy(q, p, n);
	return q;
}

static const char *name_str(const uint8_t *name, char *buf)
{
	if (tw_dns_name_to_str(name, buf, TW_DNS_NAME_STRLEN) < 0)
		strcpy(buf, "?");
	return buf;
}

/* ------------------------------------------------------------------ keys */

struct ts_key {
	EVP_PKEY *pkey; /* NULL: public only */
	uint8_t alg;
	uint16_t flags;
	uint8_t *dnskey;
	uint16_t dnskey_len;
	uint16_t tag;
};

static bool is_rsa(uint8_t alg)
{
	return alg == TW_ALG_RSASHA1 || alg == TW_ALG_RSASHA1_NSEC3_SHA1 ||
	       alg == TW_ALG_RSASHA256 || alg == TW_ALG_RSASHA512;
}

static bool is_ecdsa(uint8_t alg)
{
	return alg == TW_ALG_ECDSAP256SHA256 || alg == TW_ALG_ECDSAP384SHA384;
}

static const EVP_MD *alg_md(uint8_t alg)
{
	switch (alg) {
	case TW_ALG_RSASHA1:
	case TW_ALG_RSASHA1_NSEC3_SHA1:
		return EVP_sha1();
	case TW_ALG_RSASHA256:
	case TW_ALG_ECDSAP256SHA256:
		return EVP_sha256();
	case TW_ALG_ECDSAP384SHA384:
		return EVP_sha384();
	case TW_ALG_RSASHA512:
		return EVP_sha512();
	default:
		return NULL; /* EdDSA signs the message itself (RFC 8080 §4) */
	}
}

/* Octets of an ECDSA coordinate (RFC 6605 §4), 0 for other algorithms. */
static size_t ec_width(uint8_t alg)
{
	return alg == TW_ALG_ECDSAP256SHA256 ? 32 : alg == TW_ALG_ECDSAP384SHA384 ? 48 : 0;
}

static EVP_PKEY *gen_pkey(uint8_t alg, unsigned rsa_bits)
{
	EVP_PKEY *k = NULL;
	if (is_rsa(alg)) {
		EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		if (c && EVP_PKEY_keygen_init(c) > 0 &&
		    EVP_PKEY_CTX_set_rsa_keygen_bits(c, (int)rsa_bits) > 0)
			(void)EVP_PKEY_generate(c, &k);
		EVP_PKEY_CTX_free(c);
		return k;
	}
	switch (alg) {
	case TW_ALG_ECDSAP256SHA256:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case TW_ALG_ECDSAP384SHA384:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	case TW_ALG_ED25519:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	case TW_ALG_ED448:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
	default:
		return NULL;
	}
}

/* Public key in DNSKEY form: RFC 3110 §2, RFC 6605 §4, RFC 8080 §3. Returns its
 * length or 0. */
static size_t public_key(EVP_PKEY *pk, uint8_t alg, uint8_t *out, size_t cap)
{
	if (is_rsa(alg)) {
		BIGNUM *n = NULL, *e = NULL;
		size_t len = 0;
		if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) &&
		    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e)) {
			size_t el = (size_t)BN_num_bytes(e), nl = (size_t)BN_num_bytes(n);
			size_t hl = el <= 255 ? 1 : 3;
			if (hl + el + nl <= cap) {
				if (hl == 1) {
					out[0] = (uint8_t)el;
				} else {
					out[0] = 0;
					put16(out + 1, (uint16_t)el);
				}
				BN_bn2bin(e, out + hl);
				BN_bn2bin(n, out + hl + el);
				len = hl + el + nl;
			}
		}
		BN_free(n);
		BN_free(e);
		return len;
	}
	if (is_ecdsa(alg)) {
		uint8_t pt[1 + 2 * 48];
		size_t len = 0;
		if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt),
						     &len) ||
		    len != 1 + 2 * ec_width(alg) || pt[0] != 4 || len - 1 > cap)
			return 0;
		memcpy(out, pt + 1, len - 1);
		return len - 1;
	}
	size_t len = cap;
	if (!EVP_PKEY_get_raw_public_key(pk, out, &len))
		return 0;
	return len;
}

static struct ts_key *key_wrap(EVP_PKEY *pk, uint8_t alg, uint16_t flags, const uint8_t *pub,
			       size_t pub_len)
{
	struct ts_key *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->pkey = pk;
	k->alg = alg;
	k->flags = flags;
	k->dnskey_len = (uint16_t)(4 + pub_len);
	k->dnskey = xmalloc(k->dnskey_len);
	put16(k->dnskey, flags);
	k->dnskey[2] = 3; /* RFC 4034 §2.1.2 */
	k->dnskey[3] = alg;
	memcpy(k->dnskey + 4, pub, pub_len);
	k->tag = tw_crypto_keytag(k->dnskey, k->dnskey_len);
	return k;
}

struct ts_key *ts_key_new_bits(uint8_t alg, uint16_t flags, unsigned rsa_bits)
{
	EVP_PKEY *pk = gen_pkey(alg, rsa_bits);
	if (!pk) {
		fprintf(stderr, "tsign: cannot generate a key of algorithm %u\n", alg);
		return NULL;
	}
	uint8_t pub[1100];
	size_t len = public_key(pk, alg, pub, sizeof(pub));
	if (!len) {
		fprintf(stderr, "tsign: cannot export the public key of algorithm %u\n", alg);
		EVP_PKEY_free(pk);
		return NULL;
	}
	struct ts_key *k = key_wrap(pk, alg, flags, pub, len);
	if (!k)
		EVP_PKEY_free(pk);
	return k;
}

struct ts_key *ts_key_new(uint8_t alg, uint16_t flags)
{
	return ts_key_new_bits(alg, flags, 1024);
}

struct ts_key *ts_key_from_dnskey(const uint8_t *rdata, uint16_t len)
{
	if (!rdata || len < 4)
		return NULL;
	return key_wrap(NULL, rdata[3], get16(rdata), rdata + 4, len - 4u);
}

void ts_key_free(struct ts_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->dnskey);
	free(k);
}

const uint8_t *ts_key_dnskey(const struct ts_key *k, uint16_t *len)
{
	*len = k->dnskey_len;
	return k->dnskey;
}

uint16_t ts_key_tag(const struct ts_key *k)
{
	return k->tag;
}

uint8_t ts_key_alg(const struct ts_key *k)
{
	return k->alg;
}

bool ts_key_can_sign(const struct ts_key *k)
{
	return k->pkey != NULL;
}

int ts_key_ds(const struct ts_key *k, const uint8_t *owner, uint8_t digest_type, uint8_t *out,
	      size_t cap)
{
	uint8_t d[TW_DS_DIGEST_MAXLEN];
	int n = tw_crypto_ds_digest(digest_type, owner, k->dnskey, k->dnskey_len, d);
	if (n < 0) {
		fprintf(stderr, "tsign: DS digest type %u: %s\n", digest_type, tw_strerror(n));
		return -1;
	}
	if ((size_t)n + 4 > cap)
		return -1;
	put16(out, k->tag);
	out[2] = k->alg;
	out[3] = digest_type;
	memcpy(out + 4, d, (size_t)n);
	return n + 4;
}

/* Is this public key well-formed to the project's own key parser? */
static bool dnskey_parses(const uint8_t *rdata, size_t len)
{
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	p.rsa_min_bits = 512;
	p.rsa_max_bits = 16384;
	struct tw_crypto_key *k = NULL;
	enum tw_key_status st;
	if (tw_crypto_key_new(&p, rdata, len, &k, &st) != 0)
		return false;
	tw_crypto_key_free(k);
	return st == TW_KEY_OK;
}

/* Sets rdata[at], rdata[at+1] so that the key tag becomes tag (RFC 4034
 * Appendix B: at even, the pair is one 16-bit column of the sum). */
static bool solve_tag(uint8_t *rdata, size_t len, size_t at, uint16_t tag)
{
	for (unsigned v = 0; v < 0x10000; v++) {
		rdata[at] = (uint8_t)(v >> 8);
		rdata[at + 1] = (uint8_t)v;
		if (tw_crypto_keytag(rdata, len) == tag)
			return true;
	}
	return false;
}

/* ECDSA: public points P + iG until the tag matches. */
static struct ts_key *forge_ecdsa(const struct ts_key *k, uint16_t tag)
{
	size_t w = ec_width(k->alg);
	int nid = k->alg == TW_ALG_ECDSAP256SHA256 ? NID_X9_62_prime256v1 : NID_secp384r1;
	EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
	EC_POINT *p = g ? EC_POINT_new(g) : NULL;
	BN_CTX *bc = BN_CTX_new();
	struct ts_key *out = NULL;
	uint8_t oct[1 + 2 * 48];
	oct[0] = 4;
	memcpy(oct + 1, k->dnskey + 4, 2 * w);
	if (!p || !bc || !EC_POINT_oct2point(g, p, oct, 1 + 2 * w, bc))
		goto done;
	uint8_t *rd = xmemdup(k->dnskey, k->dnskey_len);
	for (unsigned i = 0; i < 1u << 20 && !out; i++) {
		if (!EC_POINT_add(g, p, p, EC_GROUP_get0_generator(g), bc) ||
		    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, oct, sizeof(oct), bc) !=
			    1 + 2 * w)
			break;
		memcpy(rd + 4, oct + 1, 2 * w);
		if (tw_crypto_keytag(rd, k->dnskey_len) == tag)
			out = ts_key_from_dnskey(rd, k->dnskey_len);
	}
	free(rd);
done:
	BN_CTX_free(bc);
	EC_POINT_free(p);
	EC_GROUP_free(g);
	return out;
}

struct ts_key *ts_key_forge_tag(const struct ts_key *k, uint16_t tag)
{
	if (is_ecdsa(k->alg))
		return forge_ecdsa(k, tag);
	if (is_rsa(k->alg)) {
		/* RFC 3110 §2: exponent 0x01 XX YY 0x01 (odd, > 1, 4 octets), same modulus */
		const uint8_t *key = k->dnskey + 4;
		size_t klen = k->dnskey_len - 4u;
		if (klen < 4)
			return NULL;
		size_t hl = key[0] ? 1 : 3, el = key[0] ? key[0] : get16(key + 1);
		if (hl + el >= klen)
			return NULL;
		size_t nl = klen - hl - el;
		size_t len = 4 + 1 + 4 + nl;
		uint8_t *rd = xmalloc(len);
		memcpy(rd, k->dnskey, 4);
		rd[4] = 4;
		rd[5] = 1;
		rd[8] = 1;
		memcpy(rd + 9, key + hl + el, nl);
		struct ts_key *out = NULL;
		if (solve_tag(rd, len, 6, tag) && dnskey_parses(rd, len))
			out = ts_key_from_dnskey(rd, (uint16_t)len);
		free(rd);
		return out;
	}
	if ((k->alg != TW_ALG_ED25519 && k->alg != TW_ALG_ED448) || k->dnskey_len < 6)
		return NULL;
	/* EdDSA: random octets with two of them solved for the tag, until the point
	 * decodes (about half of all encodings do) */
	uint8_t *rd = xmemdup(k->dnskey, k->dnskey_len);
	struct ts_key *out = NULL;
	for (int tries = 0; tries < 256 && !out; tries++) {
		if (RAND_bytes(rd + 4, k->dnskey_len - 4) != 1)
			break;
		if (k->alg == TW_ALG_ED448)
			rd[k->dnskey_len - 1] &= 0x80; /* RFC 8032 §5.2.2: only the sign bit */
		if (solve_tag(rd, k->dnskey_len, 4, tag) &&
		    dnskey_parses(rd, k->dnskey_len))
			out = ts_key_from_dnskey(rd, k->dnskey_len);
	}
	free(rd);
	return out;
}

/* Signature length an algorithm produces (for pseudo-random signatures). */
static size_t sig_len_of(const struct ts_key *k)
{
	if (is_rsa(k->alg) && k->dnskey_len > 5) {
		const uint8_t *key = k->dnskey + 4;
		size_t klen = k->dnskey_len - 4u;
		size_t hl = key[0] ? 1 : 3;
		size_t el = key[0] ? key[0] : (klen >= 3 ? get16(key + 1) : 0);
		if (hl + el < klen && klen - hl - el <= SIG_MAX)
			return klen - hl - el;
		return 128;
	}
	if (is_ecdsa(k->alg))
		return 2 * ec_width(k->alg);
	return k->alg == TW_ALG_ED448 ? 114 : 64;
}

/* Signs data with k in DNSSEC wire form into out (capacity SIG_MAX). Returns the
 * signature length or 0. */
static size_t key_sign(const struct ts_key *k, const uint8_t *data, size_t len, uint8_t *out)
{
	if (!k->pkey) {
		size_t n = sig_len_of(k);
		return RAND_bytes(out, (int)n) == 1 ? n : 0;
	}
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t der[SIG_MAX];
	size_t dl = sizeof(der), n = 0;
	if (!c || EVP_DigestSignInit(c, NULL, alg_md(k->alg), NULL, k->pkey) <= 0 ||
	    EVP_DigestSign(c, der, &dl, data, len) <= 0) {
		fprintf(stderr, "tsign: OpenSSL signing failed (algorithm %u)\n", k->alg);
		goto done;
	}
	if (is_ecdsa(k->alg)) {
		/* RFC 6605 §4: r | s, each zero-padded to the curve width */
		size_t w = ec_width(k->alg);
		const uint8_t *p = der;
		ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)dl);
		const BIGNUM *r = NULL, *sv = NULL;
		if (s) {
			ECDSA_SIG_get0(s, &r, &sv);
			if (BN_bn2binpad(r, out, (int)w) == (int)w &&
			    BN_bn2binpad(sv, out + w, (int)w) == (int)w)
				n = 2 * w;
			ECDSA_SIG_free(s);
		}
	} else {
		memcpy(out, der, dl);
		n = dl;
	}
done:
	EVP_MD_CTX_free(c);
	return n;
}

/* ------------------------------------------------------------------ zones */

struct ts_rd {
	uint8_t *d;
	uint16_t len;
};

struct ts_set {
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	uint16_t type;
	uint32_t ttl;
	struct ts_rd *rr;
	size_t n, rcap;
	struct ts_rd *sig; /* RRSIG RDATA covering this set */
	size_t nsig, scap;
};

struct ts_zkey {
	struct ts_key *k;
	bool dnskey, data;
};

struct ts_zone {
	uint8_t origin[TW_DNS_NAME_MAXLEN];
	struct ts_set **set; /* never shrinks: removed sets stay, empty */
	size_t nset, setcap;
	uint32_t *tab;       /* open addressing over (owner, type): set index + 1 */
	size_t tabcap;
	struct ts_zkey *key;
	size_t nkey;
	struct tw_dns_zreader rd; /* carries $ORIGIN, $TTL, last owner across adds */
	bool chain_nsec3;
	bool has_chain;
	uint16_t n3_iter;
	uint8_t n3_salt[255];
	uint8_t n3_salt_len;
};

static bool set_empty(const struct ts_set *s)
{
	return s->n == 0 && s->nsig == 0;
}

static void rd_push(struct ts_rd **a, size_t *n, size_t *cap, const uint8_t *d, uint16_t len)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		*a = xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[*n].d = xmemdup(d, len);
	(*a)[*n].len = len;
	(*n)++;
}

static bool rd_has(const struct ts_rd *a, size_t n, const uint8_t *d, uint16_t len)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].len == len && (len == 0 || memcmp(a[i].d, d, len) == 0))
			return true;
	return false;
}

static void rd_clear(struct ts_rd *a, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free(a[i].d);
	*n = 0;
}

static uint64_t set_hash(const uint8_t *owner, uint16_t type)
{
	return tw_dns_name_hash(owner, 0x7473u) ^ ((uint64_t)type * 0x9E3779B97F4A7C15ull);
}

static void tab_insert(struct ts_zone *z, size_t idx)
{
	size_t mask = z->tabcap - 1;
	size_t h = (size_t)set_hash(z->set[idx]->owner, z->set[idx]->type) & mask;
	while (z->tab[h])
		h = (h + 1) & mask;
	z->tab[h] = (uint32_t)(idx + 1);
}

static struct ts_set *set_find(const struct ts_zone *z, const uint8_t *owner, uint16_t type)
{
	if (!z->tabcap)
		return NULL;
	size_t mask = z->tabcap - 1;
	for (size_t h = (size_t)set_hash(owner, type) & mask; z->tab[h]; h = (h + 1) & mask) {
		struct ts_set *s = z->set[z->tab[h] - 1];
		if (s->type == type && tw_dns_name_equal(s->owner, owner))
			return s;
	}
	return NULL;
}

static struct ts_set *set_get(struct ts_zone *z, const uint8_t *owner, uint16_t type,
			      uint32_t ttl)
{
	struct ts_set *s = set_find(z, owner, type);
	if (s) {
		if (set_empty(s)) {
			s->ttl = ttl;
			memcpy(s->owner, owner, tw_dns_name_len(owner));
		}
		return s;
	}
	if (z->nset == z->setcap) {
		z->setcap = z->setcap ? z->setcap * 2 : 64;
		z->set = xrealloc(z->set, z->setcap * sizeof(*z->set));
	}
	if ((z->nset + 1) * 2 > z->tabcap) {
		free(z->tab);
		z->tabcap = z->tabcap ? z->tabcap * 2 : 256;
		z->tab = calloc(z->tabcap, sizeof(*z->tab));
		if (!z->tab)
			abort();
		for (size_t i = 0; i < z->nset; i++)
			tab_insert(z, i);
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	memcpy(s->owner, owner, tw_dns_name_len(owner));
	s->type = type;
	s->ttl = ttl;
	z->set[z->nset] = s;
	tab_insert(z, z->nset);
	z->nset++;
	return s;
}

static bool has_data(const struct ts_zone *z, const uint8_t *owner, uint16_t type)
{
	const struct ts_set *s = set_find(z, owner, type);
	return s && s->n > 0;
}

static bool in_zone(const struct ts_zone *z, const uint8_t *name)
{
	return tw_dns_name_is_subdomain(name, z->origin);
}

/* A delegation point: NS below the apex (RFC 4035 §2.2). */
static bool is_cut(const struct ts_zone *z, const uint8_t *name)
{
	return !tw_dns_name_equal(name, z->origin) && has_data(z, name, TW_DNS_T_NS);
}

/* Strictly below a delegation point: not authoritative (glue at most). */
static bool below_cut(const struct ts_zone *z, const uint8_t *name)
{
	for (const uint8_t *p = tw_dns_name_parent(name);
	     p && in_zone(z, p) && !tw_dns_name_equal(p, z->origin); p = tw_dns_name_parent(p))
		if (is_cut(z, p))
			return true;
	return false;
}

/* RFC 4035 §2.2: every authoritative RRset is signed; at a delegation point only
 * the DS and the denial records are. */
static bool signable(const struct ts_zone *z, const struct ts_set *s)
{
	if (!in_zone(z, s->owner) || below_cut(z, s->owner))
		return false;
	if (is_cut(z, s->owner))
		return s->type == TW_DNS_T_DS || s->type == TW_DNS_T_NSEC ||
		       s->type == TW_DNS_T_NSEC3;
	return true;
}

/* Parses owner text relative to the origin; prints why not. Returns 0 or -1. */
static int zone_name(const struct ts_zone *z, const char *text, uint8_t *out)
{
	size_t len;
	int rc = tw_dns_name_from_str(text, strlen(text), z->origin, out, &len);
	if (rc < 0) {
		fprintf(stderr, "tsign: name \"%s\": %s\n", text, tw_strerror(rc));
		return -1;
	}
	return 0;
}

int ts_name(const char *text, uint8_t *out)
{
	static const uint8_t root[1] = { 0 };
	size_t len;
	int rc = tw_dns_name_from_str(text, strlen(text), root, out, &len);
	if (rc < 0) {
		fprintf(stderr, "tsign: name \"%s\": %s\n", text, tw_strerror(rc));
		return -1;
	}
	return (int)len;
}

struct ts_zone *ts_zone_new(const char *origin)
{
	uint8_t o[TW_DNS_NAME_MAXLEN];
	if (ts_name(origin, o) < 0)
		return NULL;
	struct ts_zone *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	tw_dns_name_copy_lower(z->origin, o);
	tw_dns_zreader_init(&z->rd, "", 0, "ts_zone_add", z->origin, DEFAULT_TTL);
	return z;
}

void ts_zone_free(struct ts_zone *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < z->nset; i++) {
		struct ts_set *s = z->set[i];
		rd_clear(s->rr, &s->n);
		rd_clear(s->sig, &s->nsig);
		free(s->rr);
		free(s->sig);
		free(s);
	}
	for (size_t i = 0; i < z->nkey; i++)
		ts_key_free(z->key[i].k);
	free(z->key);
	free(z->set);
	free(z->tab);
	free(z);
}

const uint8_t *ts_zone_origin(const struct ts_zone *z)
{
	return z->origin;
}

int ts_zone_add_rr(struct ts_zone *z, const uint8_t *owner, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, uint16_t len)
{
	char buf[TW_DNS_NAME_STRLEN];
	if (!in_zone(z, owner)) {
		char ob[TW_DNS_NAME_STRLEN];
		fprintf(stderr, "tsign: %s is out of zone %s\n", name_str(owner, buf),
			name_str(z->origin, ob));
		return -1;
	}
	if (type == TW_DNS_T_RRSIG) {
		if (len < TW_RRSIG_FIXED_LEN + 1) {
			fprintf(stderr, "tsign: %s: RRSIG RDATA too short\n", name_str(owner, buf));
			return -1;
		}
		uint32_t orig = (uint32_t)rdata[4] << 24 | (uint32_t)rdata[5] << 16 |
				(uint32_t)rdata[6] << 8 | rdata[7];
		struct ts_set *s = set_get(z, owner, get16(rdata), orig);
		if (!rd_has(s->sig, s->nsig, rdata, len))
			rd_push(&s->sig, &s->nsig, &s->scap, rdata, len);
		return 0;
	}
	struct ts_set *s = set_get(z, owner, type, ttl);
	if (s->n == 0)
		s->ttl = ttl;
	if (!rd_has(s->rr, s->n, rdata, len))
		rd_push(&s->rr, &s->n, &s->rcap, rdata, len);
	return 0;
}

int ts_zone_add(struct ts_zone *z, const char *line)
{
	/* a fresh reader over the text that keeps $ORIGIN, $TTL and the previous
	 * owner, TTL and class of the last call (RFC 1035 §5.1) */
	struct tw_dns_zreader r;
	tw_dns_zreader_init(&r, line, strlen(line), "ts_zone_add", NULL, DEFAULT_TTL);
	memcpy(r.origin, z->rd.origin, sizeof(r.origin));
	r.has_origin = z->rd.has_origin;
	r.default_ttl = z->rd.default_ttl;
	r.has_ttl = z->rd.has_ttl;
	memcpy(r.last_owner, z->rd.last_owner, sizeof(r.last_owner));
	r.has_owner = z->rd.has_owner;
	r.last_cls = z->rd.last_cls;

	uint8_t *rdata = xmalloc(65536);
	struct tw_dns_zrr rr;
	int rc, ret = 0;
	while ((rc = tw_dns_zreader_next(&r, &rr, rdata, 65536)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "tsign: %s\n", r.err);
			ret = -1;
			continue;
		}
		if (rr.cls != TW_DNS_C_IN) {
			fprintf(stderr, "tsign: ts_zone_add:%u: class %u: only IN\n", rr.line, rr.cls);
			ret = -1;
			continue;
		}
		if (ts_zone_add_rr(z, rr.owner, rr.type, rr.ttl, rr.rdata, rr.rdlen) < 0)
			ret = -1;
	}
	free(rdata);
	z->rd = r;
	return ret;
}

void ts_zone_add_key(struct ts_zone *z, struct ts_key *k, bool signs_dnskey, bool signs_data)
{
	z->key = xrealloc(z->key, (z->nkey + 1) * sizeof(*z->key));
	z->key[z->nkey].k = k;
	z->key[z->nkey].dnskey = signs_dnskey;
	z->key[z->nkey].data = signs_data;
	z->nkey++;
	const struct ts_set *s = set_find(z, z->origin, TW_DNS_T_DNSKEY);
	uint32_t ttl = s && s->n ? s->ttl : DEFAULT_TTL;
	(void)ts_zone_add_rr(z, z->origin, TW_DNS_T_DNSKEY, ttl, k->dnskey, k->dnskey_len);
}

int ts_zone_add_ds(struct ts_zone *z, const char *owner, const struct ts_key *k,
		   uint8_t digest_type)
{
	uint8_t name[TW_DNS_NAME_MAXLEN], ds[4 + TW_DS_DIGEST_MAXLEN];
	if (zone_name(z, owner, name) < 0)
		return -1;
	int n = ts_key_ds(k, name, digest_type, ds, sizeof(ds));
	if (n < 0)
		return -1;
	return ts_zone_add_rr(z, name, TW_DNS_T_DS, DEFAULT_TTL, ds, (uint16_t)n);
}

/* ---- denial chains */

static int cmp_set_ptr(const void *a, const void *b)
{
	const struct ts_set *x = *(const struct ts_set *const *)a;
	const struct ts_set *y = *(const struct ts_set *const *)b;
	int d = tw_dns_name_cmp(x->owner, y->owner);
	return d ? d : (int)x->type - (int)y->type;
}

/* The zone's sets with records (or RRSIGs when with_sigs), sorted by owner then
 * type; skip_chain leaves NSEC and NSEC3 out. Caller frees. */
static struct ts_set **sorted_sets(const struct ts_zone *z, bool with_sigs, bool skip_chain,
				   size_t *n)
{
	struct ts_set **v = xmalloc((z->nset + 1) * sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < z->nset; i++) {
		struct ts_set *s = z->set[i];
		if (!(s->n > 0 || (with_sigs && s->nsig > 0)))
			continue;
		if (skip_chain && (s->type == TW_DNS_T_NSEC || s->type == TW_DNS_T_NSEC3))
			continue;
		v[k++] = s;
	}
	qsort(v, k, sizeof(*v), cmp_set_ptr);
	*n = k;
	return v;
}

/* One name of a denial chain with the types its bitmap will list. */
struct chain_name {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint16_t *types;
	size_t ntypes;
	bool ent;    /* empty non-terminal (NSEC3 only) */
	bool cut;
	bool secure; /* a delegation with DS, or any other name with data */
	uint8_t hash[TW_NSEC3_HASH_LEN];
};

static void push_type(struct chain_name *c, uint16_t t, size_t *cap)
{
	if (c->ntypes == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		c->types = xrealloc(c->types, *cap * sizeof(*c->types));
	}
	c->types[c->ntypes++] = t;
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* RFC 4034 §4.1.2 type bitmap of the (unsorted) types; out: capacity 8704. */
static size_t bitmap_encode(uint16_t *types, size_t n, uint8_t *out)
{
	if (n == 0)
		return 0;
	qsort(types, n, sizeof(*types), cmp_u16);
	size_t len = 0;
	for (size_t i = 0; i < n;) {
		unsigned win = types[i] >> 8;
		uint8_t bits[32] = { 0 };
		unsigned blen = 0;
		for (; i < n && (types[i] >> 8) == win; i++) {
			unsigned b = types[i] & 0xFF;
			bits[b / 8] |= (uint8_t)(0x80 >> (b % 8));
			if (b / 8 + 1 > blen)
				blen = b / 8 + 1;
		}
		out[len++] = (uint8_t)win;
		out[len++] = (uint8_t)blen;
		memcpy(out + len, bits, blen);
		len += blen;
	}
	return len;
}

static uint32_t chain_ttl(const struct ts_zone *z)
{
	const struct ts_set *s = set_find(z, z->origin, TW_DNS_T_SOA);
	struct tw_dns_soa soa;
	if (s && s->n && tw_dns_soa_view(s->rr[0].d, s->rr[0].len, 0, s->rr[0].len, &soa) == 0)
		return soa.minimum;
	return DEFAULT_TTL;
}

static void clear_chain(struct ts_zone *z)
{
	for (size_t i = 0; i < z->nset; i++) {
		struct ts_set *s = z->set[i];
		if (s->type == TW_DNS_T_NSEC || s->type == TW_DNS_T_NSEC3 ||
		    s->type == TW_DNS_T_NSEC3PARAM) {
			rd_clear(s->rr, &s->n);
			rd_clear(s->sig, &s->nsig);
		}
	}
	z->has_chain = false;
}

/* The names a chain covers, in canonical order: every name with data that is
 * authoritative or a delegation point; glue and out-of-zone data left out. */
static struct chain_name *chain_names(const struct ts_zone *z, size_t *count)
{
	size_t ns;
	struct ts_set **v = sorted_sets(z, false, true, &ns);
	struct chain_name *c = calloc(ns + 1, sizeof(*c));
	if (!c)
		abort();
	size_t n = 0;
	for (size_t i = 0; i < ns;) {
		size_t j = i;
		while (j < ns && tw_dns_name_equal(v[j]->owner, v[i]->owner))
			j++;
		const uint8_t *owner = v[i]->owner;
		if (in_zone(z, owner) && !below_cut(z, owner)) {
			struct chain_name *x = &c[n++];
			size_t cap = 0;
			memcpy(x->name, owner, tw_dns_name_len(owner));
			x->cut = is_cut(z, owner);
			x->secure = !x->cut || has_data(z, owner, TW_DNS_T_DS);
			for (size_t k = i; k < j; k++) {
				/* RFC 4035 §2.3: at a delegation only NS and DS */
				if (x->cut && v[k]->type != TW_DNS_T_NS && v[k]->type != TW_DNS_T_DS)
					continue;
				push_type(x, v[k]->type, &cap);
			}
		}
		i = j;
	}
	free(v);
	*count = n;
	return c;
}

static void free_names(struct chain_name *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].types);
	free(c);
}

int ts_zone_nsec(struct ts_zone *z)
{
	clear_chain(z);
	size_t n;
	struct chain_name *c = chain_names(z, &n);
	uint32_t ttl = chain_ttl(z);
	uint8_t *rd = xmalloc(TW_DNS_NAME_MAXLEN + 8704);
	int ret = 0;
	for (size_t i = 0; i < n && ret == 0; i++) {
		size_t cap = c[i].ntypes;
		push_type(&c[i], TW_DNS_T_RRSIG, &cap);
		push_type(&c[i], TW_DNS_T_NSEC, &cap);
		/* RFC 4034 §4.1.1: the last NSEC points back to the apex (here: the first
		 * name, which is the apex whenever the apex has data) */
		const uint8_t *next = c[(i + 1) % n].name;
		size_t nl = tw_dns_name_copy_lower(rd, next);
		size_t bl = bitmap_encode(c[i].types, c[i].ntypes, rd + nl);
		ret = ts_zone_add_rr(z, c[i].name, TW_DNS_T_NSEC, ttl, rd, (uint16_t)(nl + bl));
	}
	free(rd);
	free_names(c, n);
	z->has_chain = ret == 0;
	z->chain_nsec3 = false;
	return ret;
}

static int cmp_name(const void *a, const void *b)
{
	const struct chain_name *x = a, *y = b;
	int d = tw_dns_name_cmp(x->name, y->name);
	return d ? d : (int)x->ent - (int)y->ent; /* a name with data before its ENT copy */
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(((const struct chain_name *)a)->hash, ((const struct chain_name *)b)->hash,
		      TW_NSEC3_HASH_LEN);
}

static int zone_hash(const struct ts_zone *z, const uint8_t *name, uint8_t *out)
{
	struct tw_crypto_policy p;
	tw_crypto_policy_default(&p);
	p.nsec3_max_iterations = 65535;
	int rc = tw_crypto_nsec3_hash(&p, TW_NSEC3_SHA1, z->n3_iter, z->n3_salt, z->n3_salt_len,
				      name, out);
	if (rc < 0) {
		fprintf(stderr, "tsign: NSEC3 hash: %s\n", tw_strerror(rc));
		return -1;
	}
	return 0;
}

/* base32hex(hash).origin, lower case (RFC 5155 §3.3). */
static int hashed_owner(const struct ts_zone *z, const uint8_t *hash, uint8_t *out)
{
	char b32[40];
	int l = tw_base32hex_encode(hash, TW_NSEC3_HASH_LEN, b32, sizeof(b32));
	if (l < 0)
		return -1;
	size_t ol = tw_dns_name_len(z->origin);
	if (1 + (size_t)l + ol > TW_DNS_NAME_MAXLEN)
		return -1;
	out[0] = (uint8_t)l;
	for (int i = 0; i < l; i++)
		out[1 + i] = (uint8_t)(b32[i] >= 'A' && b32[i] <= 'Z' ? b32[i] + 32 : b32[i]);
	memcpy(out + 1 + l, z->origin, ol);
	return 0;
}

int ts_zone_nsec3(struct ts_zone *z, uint16_t iterations, const char *salt_hex, bool optout)
{
	clear_chain(z);
	size_t salt_len = 0;
	if (salt_hex && strcmp(salt_hex, "-") != 0 &&
	    (tw_hex_decode(salt_hex, strlen(salt_hex), z->n3_salt, sizeof(z->n3_salt),
			   &salt_len) < 0)) {
		fprintf(stderr, "tsign: NSEC3 salt \"%s\": not hex\n", salt_hex);
		return -1;
	}
	z->n3_salt_len = (uint8_t)salt_len;
	z->n3_iter = iterations;
	uint32_t ttl = chain_ttl(z);

	/* RFC 5155 §4: NSEC3PARAM at the apex, flags 0 */
	uint8_t param[5 + 255];
	param[0] = TW_NSEC3_SHA1;
	param[1] = 0;
	put16(param + 2, iterations);
	param[4] = (uint8_t)salt_len;
	memcpy(param + 5, z->n3_salt, salt_len);
	(void)ts_zone_add_rr(z, z->origin, TW_DNS_T_NSEC3PARAM, ttl, param,
			     (uint16_t)(5 + salt_len));

	size_t nd;
	struct chain_name *d = chain_names(z, &nd);
	/* RFC 5155 §7.1: opt-out leaves unsigned delegations out; every empty
	 * non-terminal above a name in the chain gets an NSEC3 of its own */
	size_t cap = nd * 2 + 1, n = 0;
	struct chain_name *c = calloc(cap, sizeof(*c));
	if (!c)
		abort();
	for (size_t i = 0; i < nd; i++) {
		if (optout && d[i].cut && !d[i].secure)
			continue;
		for (const uint8_t *p = tw_dns_name_parent(d[i].name);
		     p && in_zone(z, p) && !tw_dns_name_equal(p, z->origin);
		     p = tw_dns_name_parent(p)) {
			if (n == cap) {
				cap *= 2;
				c = xrealloc(c, cap * sizeof(*c));
			}
			memset(&c[n], 0, sizeof(c[n]));
			memcpy(c[n].name, p, tw_dns_name_len(p));
			c[n].ent = true;
			n++;
		}
		if (n == cap) {
			cap *= 2;
			c = xrealloc(c, cap * sizeof(*c));
		}
		c[n++] = d[i];
		memset(&d[i], 0, sizeof(d[i])); /* types moved */
	}
	free_names(d, nd);
	qsort(c, n, sizeof(*c), cmp_name);
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		if (u > 0 && tw_dns_name_equal(c[u - 1].name, c[i].name)) {
			free(c[i].types);
			continue;
		}
		c[u++] = c[i];
	}
	n = u;
	for (size_t i = 0; i < n; i++) {
		if (zone_hash(z, c[i].name, c[i].hash) < 0) {
			free_names(c, n);
			return -1;
		}
	}
	qsort(c, n, sizeof(*c), cmp_hash);

	uint8_t *rd = xmalloc(6 + 255 + 1 + TW_NSEC3_HASH_LEN + 8704);
	int ret = 0;
	for (size_t i = 0; i < n; i++) {
		struct chain_name *x = &c[i];
		size_t tcap = x->ntypes;
		/* RFC 5155 §3.2.1: RRSIG where the owner has signed data; never NSEC3 */
		if (x->ntypes > 0 && x->secure)
			push_type(x, TW_DNS_T_RRSIG, &tcap);
		size_t l = 0;
		rd[l++] = TW_NSEC3_SHA1;
		rd[l++] = optout ? TW_DNS_NSEC3_F_OPTOUT : 0;
		put16(rd + l, iterations);
		l += 2;
		rd[l++] = (uint8_t)salt_len;
		memcpy(rd + l, z->n3_salt, salt_len);
		l += salt_len;
		rd[l++] = TW_NSEC3_HASH_LEN;
		memcpy(rd + l, c[(i + 1) % n].hash, TW_NSEC3_HASH_LEN);
		l += TW_NSEC3_HASH_LEN;
		l += bitmap_encode(x->types, x->ntypes, rd + l);
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		if (hashed_owner(z, x->hash, owner) < 0 ||
		    ts_zone_add_rr(z, owner, TW_DNS_T_NSEC3, ttl, rd, (uint16_t)l) < 0) {
			ret = -1;
			break;
		}
	}
	free(rd);
	free_names(c, n);
	if (ret == 0) {
		z->has_chain = true;
		z->chain_nsec3 = true;
	}
	return ret;
}

int ts_zone_nsec3_hash(const struct ts_zone *z, const char *name, uint8_t *out, char *buf)
{
	uint8_t n[TW_DNS_NAME_MAXLEN], owner[TW_DNS_NAME_MAXLEN];
	if (!z->has_chain || !z->chain_nsec3) {
		fprintf(stderr, "tsign: ts_zone_nsec3_hash: the zone has no NSEC3 chain\n");
		return -1;
	}
	if (zone_name(z, name, n) < 0 || zone_hash(z, n, out) < 0)
		return -1;
	if (buf) {
		if (hashed_owner(z, out, owner) < 0)
			return -1;
		name_str(owner, buf);
	}
	return 0;
}

/* ---- signing */

void ts_sig_opts_init(struct ts_sig_opts *o, uint32_t inception, uint32_t expiration)
{
	memset(o, 0, sizeof(*o));
	o->inception = inception;
	o->expiration = expiration;
	o->labels = -1;
	o->orig_ttl = -1;
	o->key_tag = -1;
	o->alg = -1;
	o->signer = NULL;
}

/* Makes the RRSIG RDATA of set s with key k (RFC 4034 §3.1, RFC 4035 §2.2) into a
 * new buffer. Returns 0 or -1. */
static int make_rrsig(const struct ts_zone *z, const struct ts_set *s, const struct ts_key *k,
		      const struct ts_sig_opts *o, struct ts_rd *out)
{
	uint8_t signer[TW_DNS_NAME_MAXLEN];
	if (o->signer) {
		if (zone_name(z, o->signer, signer) < 0)
			return -1;
	} else {
		tw_dns_name_copy_lower(signer, z->origin);
	}
	size_t sl = tw_dns_name_len(signer);
	size_t pl = TW_RRSIG_FIXED_LEN + sl;
	uint8_t *rr = xmalloc(pl + SIG_MAX);
	put16(rr, s->type);
	rr[2] = o->alg >= 0 ? (uint8_t)o->alg : k->alg;
	rr[3] = o->labels >= 0 ? (uint8_t)o->labels : (uint8_t)tw_dns_name_rrsig_labels(s->owner);
	put32(rr + 4, o->orig_ttl >= 0 ? (uint32_t)o->orig_ttl : s->ttl);
	put32(rr + 8, o->expiration);
	put32(rr + 12, o->inception);
	put16(rr + 16, o->key_tag >= 0 ? (uint16_t)o->key_tag : k->tag);
	memcpy(rr + TW_RRSIG_FIXED_LEN, signer, sl);

	/* RFC 4034 §6.2: the RRset in canonical form; RDATA that does not match its
	 * type's layout is signed as it is */
	struct tw_crypto_rr *rrs = xmalloc((s->n + 1) * sizeof(*rrs));
	uint8_t **bufs = xmalloc((s->n + 1) * sizeof(*bufs));
	size_t total = pl;
	for (size_t i = 0; i < s->n; i++) {
		size_t cl;
		bufs[i] = xmalloc(s->rr[i].len + 1u);
		if (tw_dns_rdata_canonical(s->type, s->rr[i].d, s->rr[i].len, 0, s->rr[i].len,
					   bufs[i], s->rr[i].len + 1u, &cl) != 0) {
			memcpy(bufs[i], s->rr[i].d, s->rr[i].len);
			cl = s->rr[i].len;
		}
		rrs[i].rdata = bufs[i];
		rrs[i].rdlen = (uint16_t)cl;
		total += TW_DNS_NAME_MAXLEN + 10 + cl;
	}
	uint8_t *data = xmalloc(total);
	size_t dl = 0, siglen = 0;
	int rc = tw_crypto_sigdata(rr, pl, s->owner, TW_DNS_C_IN, rrs, s->n, data, total, &dl);
	if (rc == -TW_ECRYPTO_LABELS) {
		/* Labels larger than the owner's: no signed data exists */
		siglen = sig_len_of(k);
		if (RAND_bytes(rr + pl, (int)siglen) != 1)
			siglen = 0;
	} else if (rc == 0) {
		siglen = key_sign(k, data, dl, rr + pl);
	} else {
		fprintf(stderr, "tsign: signed data: %s\n", tw_strerror(rc));
	}
	for (size_t i = 0; i < s->n; i++)
		free(bufs[i]);
	free(bufs);
	free(rrs);
	free(data);
	if (!siglen) {
		free(rr);
		return -1;
	}
	out->d = rr;
	out->len = (uint16_t)(pl + siglen);
	return 0;
}

static void add_sig(struct ts_set *s, struct ts_rd *sig)
{
	if (s->nsig == s->scap) {
		s->scap = s->scap ? s->scap * 2 : 4;
		s->sig = xrealloc(s->sig, s->scap * sizeof(*s->sig));
	}
	s->sig[s->nsig++] = *sig;
}

int ts_zone_sign(struct ts_zone *z, uint32_t inception, uint32_t expiration)
{
	struct ts_sig_opts o;
	ts_sig_opts_init(&o, inception, expiration);
	for (size_t i = 0; i < z->nset; i++)
		rd_clear(z->set[i]->sig, &z->set[i]->nsig);
	for (size_t i = 0; i < z->nset; i++) {
		struct ts_set *s = z->set[i];
		if (s->n == 0 || !signable(z, s))
			continue;
		for (size_t j = 0; j < z->nkey; j++) {
			bool use = s->type == TW_DNS_T_DNSKEY ? z->key[j].dnskey : z->key[j].data;
			struct ts_rd sig;
			if (!use)
				continue;
			if (make_rrsig(z, s, z->key[j].k, &o, &sig) < 0)
				return -1;
			add_sig(s, &sig);
		}
	}
	return 0;
}

static struct ts_set *find_text(const struct ts_zone *z, const char *owner, uint16_t type)
{
	uint8_t name[TW_DNS_NAME_MAXLEN];
	if (zone_name(z, owner, name) < 0)
		return NULL;
	return set_find(z, name, type);
}

int ts_zone_sign_rrset_opts(struct ts_zone *z, const char *owner, uint16_t type,
			    struct ts_key *k, const struct ts_sig_opts *o, bool replace)
{
	struct ts_set *s = find_text(z, owner, type);
	if (!s || s->n == 0) {
		fprintf(stderr, "tsign: ts_zone_sign_rrset: no RRset %s type %u\n", owner, type);
		return -1;
	}
	struct ts_rd sig;
	if (make_rrsig(z, s, k, o, &sig) < 0)
		return -1;
	if (replace)
		rd_clear(s->sig, &s->nsig);
	add_sig(s, &sig);
	return 0;
}

int ts_zone_sign_rrset(struct ts_zone *z, const char *owner, uint16_t type, struct ts_key *k,
		       uint32_t inception, uint32_t expiration, bool replace)
{
	struct ts_sig_opts o;
	ts_sig_opts_init(&o, inception, expiration);
	return ts_zone_sign_rrset_opts(z, owner, type, k, &o, replace);
}

int ts_zone_remove(struct ts_zone *z, const char *owner, uint16_t type)
{
	if (type == TW_DNS_T_RRSIG) {
		fprintf(stderr, "tsign: ts_zone_remove: use ts_zone_remove_sigs for RRSIG\n");
		return -1;
	}
	struct ts_set *s = find_text(z, owner, type);
	if (!s || s->n == 0)
		return -1;
	rd_clear(s->rr, &s->n);
	rd_clear(s->sig, &s->nsig);
	return 0;
}

int ts_zone_remove_sigs(struct ts_zone *z, const char *owner, uint16_t covered)
{
	struct ts_set *s = find_text(z, owner, covered);
	if (!s || s->nsig == 0)
		return -1;
	rd_clear(s->sig, &s->nsig);
	return 0;
}

int ts_zone_corrupt_sig(struct ts_zone *z, const char *owner, uint16_t covered)
{
	struct ts_set *s = find_text(z, owner, covered);
	if (!s || s->nsig == 0)
		return -1;
	for (size_t i = 0; i < s->nsig; i++) {
		struct ts_rd *r = &s->sig[i];
		size_t start = TW_RRSIG_FIXED_LEN + tw_dns_name_len(r->d + TW_RRSIG_FIXED_LEN);
		if (start >= r->len)
			return -1;
		r->d[start + (r->len - start) / 2] ^= 0x10;
	}
	return 0;
}

size_t ts_zone_rrset_count(const struct ts_zone *z)
{
	size_t n = 0;
	for (size_t i = 0; i < z->nset; i++)
		n += z->set[i]->n > 0;
	return n;
}

size_t ts_zone_sig_count(const struct ts_zone *z)
{
	size_t n = 0;
	for (size_t i = 0; i < z->nset; i++)
		n += z->set[i]->nsig;
	return n;
}

/* ------------------------------------------------------------------ messages */

struct ts_mrr {
	uint8_t owner[TW_DNS_NAME_MAXLEN];
	uint16_t type;
	uint32_t ttl;
	uint8_t *rdata;
	uint16_t len;
};

struct ts_msg {
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	uint16_t qtype;
	uint16_t rcode;
	uint16_t id;
	uint16_t flags;
	bool edns;
	uint16_t udp_size;
	uint16_t edns_flags;
	uint16_t ede;
	char *ede_text;
	struct ts_mrr *rr[3];
	size_t n[3], cap[3];
	uint8_t *wire;
};

struct ts_msg *ts_msg_new(const char *qname, uint16_t qtype, uint16_t rcode)
{
	uint8_t q[TW_DNS_NAME_MAXLEN];
	if (ts_name(qname, q) < 0)
		return NULL;
	struct ts_msg *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	memcpy(m->qname, q, tw_dns_name_len(q));
	m->qtype = qtype;
	m->rcode = rcode;
	m->id = MSG_ID;
	m->flags = TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA | TW_DNS_F_CD;
	m->edns = true;
	m->udp_size = 1232;
	m->edns_flags = TW_DNS_EDNS_DO;
	m->ede = TW_EDE_NONE;
	m->wire = xmalloc(TW_DNS_MSG_MAXLEN);
	return m;
}

void ts_msg_free(struct ts_msg *m)
{
	if (!m)
		return;
	for (int s = 0; s < 3; s++) {
		for (size_t i = 0; i < m->n[s]; i++)
			free(m->rr[s][i].rdata);
		free(m->rr[s]);
	}
	free(m->ede_text);
	free(m->wire);
	free(m);
}

void ts_msg_set_id(struct ts_msg *m, uint16_t id)
{
	m->id = id;
}

void ts_msg_set_flags(struct ts_msg *m, uint16_t flags)
{
	m->flags = flags;
}

void ts_msg_set_edns(struct ts_msg *m, bool present, uint16_t udp_size, uint16_t edns_flags)
{
	m->edns = present;
	m->udp_size = udp_size;
	m->edns_flags = edns_flags;
}

void ts_msg_set_ede(struct ts_msg *m, uint16_t code, const char *text)
{
	free(m->ede_text);
	m->ede = code;
	m->ede_text = text ? strdup(text) : NULL;
}

size_t ts_msg_count(const struct ts_msg *m, enum tw_dns_section sec)
{
	return m->n[sec];
}

static bool msg_has(const struct ts_msg *m, enum tw_dns_section sec, const uint8_t *owner,
		    uint16_t type, const uint8_t *rdata, uint16_t len)
{
	for (size_t i = 0; i < m->n[sec]; i++) {
		const struct ts_mrr *r = &m->rr[sec][i];
		if (r->type == type && r->len == len && tw_dns_name_equal(r->owner, owner) &&
		    (len == 0 || memcmp(r->rdata, rdata, len) == 0))
			return true;
	}
	return false;
}

int ts_msg_add_rr(struct ts_msg *m, enum tw_dns_section sec, const uint8_t *owner,
		  uint16_t type, uint32_t ttl, const uint8_t *rdata, uint16_t len)
{
	if (m->n[sec] == m->cap[sec]) {
		m->cap[sec] = m->cap[sec] ? m->cap[sec] * 2 : 16;
		m->rr[sec] = xrealloc(m->rr[sec], m->cap[sec] * sizeof(*m->rr[sec]));
	}
	struct ts_mrr *r = &m->rr[sec][m->n[sec]++];
	memcpy(r->owner, owner, tw_dns_name_len(owner));
	r->type = type;
	r->ttl = ttl;
	r->rdata = xmemdup(rdata, len);
	r->len = len;
	return 0;
}

/* Copies set s (records when recs, RRSIGs when sigs) under owner. */
static void msg_copy(struct ts_msg *m, enum tw_dns_section sec, const struct ts_set *s,
		     const uint8_t *owner, bool recs, bool sigs, bool dedup)
{
	for (size_t i = 0; recs && i < s->n; i++)
		if (!dedup || !msg_has(m, sec, owner, s->type, s->rr[i].d, s->rr[i].len))
			ts_msg_add_rr(m, sec, owner, s->type, s->ttl, s->rr[i].d, s->rr[i].len);
	for (size_t i = 0; sigs && i < s->nsig; i++)
		if (!dedup || !msg_has(m, sec, owner, TW_DNS_T_RRSIG, s->sig[i].d, s->sig[i].len))
			ts_msg_add_rr(m, sec, owner, TW_DNS_T_RRSIG, s->ttl, s->sig[i].d,
				      s->sig[i].len);
}

int ts_msg_add_rrset(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
		     const char *owner, uint16_t type)
{
	const struct ts_set *s = find_text(z, owner, type);
	if (!s || s->n == 0)
		return -1;
	msg_copy(m, sec, s, s->owner, true, true, false);
	return 0;
}

int ts_msg_add_sigs(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
		    const char *owner, uint16_t covered)
{
	const struct ts_set *s = find_text(z, owner, covered);
	if (!s || s->nsig == 0)
		return -1;
	msg_copy(m, sec, s, s->owner, false, true, false);
	return 0;
}

int ts_msg_add_expanded(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
			const char *wildcard_owner, uint16_t type, const char *as)
{
	uint8_t name[TW_DNS_NAME_MAXLEN];
	const struct ts_set *s = find_text(z, wildcard_owner, type);
	if (!s || s->n == 0 || zone_name(z, as, name) < 0)
		return -1;
	msg_copy(m, sec, s, name, true, true, false);
	return 0;
}

int ts_msg_add_line(struct ts_msg *m, enum tw_dns_section sec, const char *line)
{
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	uint8_t *rdata = xmalloc(65536);
	tw_dns_zreader_init(&r, line, strlen(line), "ts_msg_add_line", NULL, DEFAULT_TTL);
	int rc, ret = 0, added = 0;
	while ((rc = tw_dns_zreader_next(&r, &rr, rdata, 65536)) != 0) {
		if (rc < 0) {
			fprintf(stderr, "tsign: %s\n", r.err);
			ret = -1;
			continue;
		}
		ts_msg_add_rr(m, sec, rr.owner, rr.type, rr.ttl, rr.rdata, rr.rdlen);
		added++;
	}
	free(rdata);
	return added ? ret : -1;
}

int ts_msg_add_zone(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z)
{
	size_t n;
	struct ts_set **v = sorted_sets(z, true, false, &n);
	for (size_t i = 0; i < n; i++)
		msg_copy(m, sec, v[i], v[i]->owner, true, true, false);
	free(v);
	return 0;
}

/* The owner hash of an NSEC3 owner name (its first label, base32hex). */
static bool owner_hash(const uint8_t *owner, uint8_t *out)
{
	size_t len;
	return owner[0] > 0 &&
	       tw_base32hex_decode((const char *)owner + 1, owner[0], out, TW_NSEC3_HASH_LEN,
				   &len) == 0 &&
	       len == TW_NSEC3_HASH_LEN;
}

/* The NSEC3 set matching (covering when !match) H(name), or NULL. */
static const struct ts_set *find_nsec3(const struct ts_zone *z, const uint8_t *name, bool match)
{
	uint8_t h[TW_NSEC3_HASH_LEN];
	if (zone_hash(z, name, h) < 0)
		return NULL;
	for (size_t i = 0; i < z->nset; i++) {
		const struct ts_set *s = z->set[i];
		uint8_t oh[TW_NSEC3_HASH_LEN];
		struct tw_dns_nsec3 v;
		if (s->type != TW_DNS_T_NSEC3 || s->n == 0 || !owner_hash(s->owner, oh))
			continue;
		int c = memcmp(oh, h, sizeof(h));
		if (match) {
			if (c == 0)
				return s;
			continue;
		}
		if (tw_dns_nsec3_view(s->rr[0].d, s->rr[0].len, 0, s->rr[0].len, &v) != 0 ||
		    v.hash_len != TW_NSEC3_HASH_LEN)
			continue;
		int cn = memcmp(h, v.next_hash, sizeof(h));
		bool wraps = memcmp(v.next_hash, oh, sizeof(h)) <= 0;
		/* RFC 5155 §3.1.7: owner < H < next; the last NSEC3 wraps around */
		if (c != 0 && (wraps ? (c < 0 || cn < 0) : (c < 0 && cn < 0)))
			return s;
	}
	return NULL;
}

/* The NSEC owned by name (match) or covering it, or NULL. */
static const struct ts_set *find_nsec(const struct ts_zone *z, const uint8_t *name, bool match)
{
	if (match) {
		const struct ts_set *s = set_find(z, name, TW_DNS_T_NSEC);
		return s && s->n ? s : NULL;
	}
	for (size_t i = 0; i < z->nset; i++) {
		const struct ts_set *s = z->set[i];
		struct tw_dns_nsec v;
		if (s->type != TW_DNS_T_NSEC || s->n == 0 ||
		    tw_dns_nsec_view(s->rr[0].d, s->rr[0].len, 0, s->rr[0].len, &v) != 0)
			continue;
		int c = tw_dns_name_cmp(s->owner, name);
		int cn = tw_dns_name_cmp(name, v.next);
		bool wraps = tw_dns_name_cmp(v.next, s->owner) <= 0;
		/* RFC 4034 §4.1.1: owner < name < next; the last NSEC wraps around */
		if (c != 0 && (wraps ? (c < 0 || cn < 0) : (c < 0 && cn < 0)))
			return s;
	}
	return NULL;
}

/* Adds the NSEC/NSEC3 matching (or covering) a wire name, with its RRSIGs, to the
 * authority section once. Returns 0, or -1 (said on stderr unless quiet). */
static int add_denial_name(struct ts_msg *m, const struct ts_zone *z, const uint8_t *name,
			   bool match, bool quiet)
{
	char nb[TW_DNS_NAME_STRLEN];
	if (!z->has_chain) {
		if (!quiet)
			fprintf(stderr, "tsign: the zone has no NSEC or NSEC3 chain\n");
		return -1;
	}
	const struct ts_set *s = z->chain_nsec3 ? find_nsec3(z, name, match)
						: find_nsec(z, name, match);
	if (!s) {
		if (!quiet)
			fprintf(stderr, "tsign: no %s %s %s\n", z->chain_nsec3 ? "NSEC3" : "NSEC",
				match ? "matching" : "covering", name_str(name, nb));
		return -1;
	}
	msg_copy(m, TW_DNS_SEC_NS, s, s->owner, true, true, true);
	return 0;
}

static int add_denial(struct ts_msg *m, const struct ts_zone *z, const char *text, bool match)
{
	uint8_t name[TW_DNS_NAME_MAXLEN];
	if (zone_name(z, text, name) < 0)
		return -1;
	return add_denial_name(m, z, name, match, false);
}

int ts_msg_add_nsec_covering(struct ts_msg *m, const struct ts_zone *z, const char *name)
{
	return add_denial(m, z, name, false);
}

int ts_msg_add_nsec_matching(struct ts_msg *m, const struct ts_zone *z, const char *name)
{
	return add_denial(m, z, name, true);
}

/* ---- whole responses */

enum name_state { NAME_NONE, NAME_ENT, NAME_DATA };

/* Does name own data (NSEC3 records aside), or only names below it? */
static enum name_state name_state(const struct ts_zone *z, const uint8_t *name)
{
	enum name_state st = NAME_NONE;
	for (size_t i = 0; i < z->nset && st != NAME_DATA; i++) {
		const struct ts_set *s = z->set[i];
		if (s->n == 0 || s->type == TW_DNS_T_NSEC3)
			continue;
		if (tw_dns_name_equal(s->owner, name))
			st = NAME_DATA;
		else if (tw_dns_name_is_subdomain(s->owner, name))
			st = NAME_ENT;
	}
	return st;
}

/* Copies set (owner, type) with its RRSIGs into sec when it has records. */
static bool add_set(struct ts_msg *m, enum tw_dns_section sec, const struct ts_zone *z,
		    const uint8_t *owner, uint16_t type, const uint8_t *as)
{
	const struct ts_set *s = set_find(z, owner, type);
	if (!s || s->n == 0)
		return false;
	msg_copy(m, sec, s, as ? as : s->owner, true, true, true);
	return true;
}

/* RFC 5155 §7.2.1: the closest provable encloser of name matched, the next closer
 * name covered. ce: out, the encloser. */
static void nsec3_closest_encloser(struct ts_msg *m, const struct ts_zone *z,
				   const uint8_t *name, uint8_t *ce)
{
	const uint8_t *nc = name;
	for (const uint8_t *p = tw_dns_name_parent(name); p && in_zone(z, p);
	     nc = p, p = tw_dns_name_parent(p)) {
		if (find_nsec3(z, p, true)) {
			memcpy(ce, p, tw_dns_name_len(p));
			(void)add_denial_name(m, z, p, true, true);
			(void)add_denial_name(m, z, nc, false, true);
			return;
		}
	}
	memcpy(ce, z->origin, tw_dns_name_len(z->origin));
}

/* "*." + name into out; false when too long. */
static bool wildcard_of(const uint8_t *name, uint8_t *out)
{
	size_t l = tw_dns_name_len(name);
	if (l + 2 > TW_DNS_NAME_MAXLEN)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, l);
	return true;
}

/* RFC 4035 §3.1.4 / RFC 5155 §7.2.7: proof that a delegation has no DS. */
static void add_no_ds_proof(struct ts_msg *m, const struct ts_zone *z, const uint8_t *cut)
{
	if (add_denial_name(m, z, cut, true, true) == 0 || !z->chain_nsec3)
		return;
	uint8_t ce[TW_DNS_NAME_MAXLEN];
	nsec3_closest_encloser(m, z, cut, ce); /* opt-out span (RFC 5155 §6) */
}

struct ts_msg *ts_zone_answer(const struct ts_zone *z, const char *qname_text, uint16_t qtype)
{
	uint8_t qname[TW_DNS_NAME_MAXLEN], wild[TW_DNS_NAME_MAXLEN], ce[TW_DNS_NAME_MAXLEN];
	char qs[TW_DNS_NAME_STRLEN];
	if (zone_name(z, qname_text, qname) < 0)
		return NULL;
	if (!in_zone(z, qname)) {
		char os[TW_DNS_NAME_STRLEN];
		fprintf(stderr, "tsign: ts_zone_answer: %s is not in zone %s\n",
			name_str(qname, qs), name_str(z->origin, os));
		return NULL;
	}
	name_str(qname, qs);
	struct ts_msg *m = ts_msg_new(qs, qtype, TW_DNS_R_NOERROR);
	if (!m)
		return NULL;

	/* RFC 4035 §3.1.4: the topmost delegation at or above qname answers with a
	 * referral, except for DS at the cut itself, which the parent owns */
	const uint8_t *cut = NULL;
	for (const uint8_t *p = qname; p && in_zone(z, p) && !tw_dns_name_equal(p, z->origin);
	     p = tw_dns_name_parent(p))
		if (is_cut(z, p))
			cut = p;
	if (cut && !(qtype == TW_DNS_T_DS && tw_dns_name_equal(cut, qname))) {
		const struct ts_set *ns = set_find(z, cut, TW_DNS_T_NS);
		msg_copy(m, TW_DNS_SEC_NS, ns, ns->owner, true, false, false);
		if (!add_set(m, TW_DNS_SEC_NS, z, cut, TW_DNS_T_DS, NULL))
			add_no_ds_proof(m, z, cut);
		for (size_t i = 0; i < ns->n; i++) { /* glue */
			struct tw_dns_target t;
			if (tw_dns_target_view(TW_DNS_T_NS, ns->rr[i].d, ns->rr[i].len, 0,
					       ns->rr[i].len, &t) != 0 ||
			    !tw_dns_name_is_subdomain(t.name, cut))
				continue;
			(void)add_set(m, TW_DNS_SEC_AR, z, t.name, TW_DNS_T_A, NULL);
			(void)add_set(m, TW_DNS_SEC_AR, z, t.name, TW_DNS_T_AAAA, NULL);
		}
		return m;
	}

	enum name_state st = name_state(z, qname);
	if (st == NAME_DATA) {
		if (add_set(m, TW_DNS_SEC_AN, z, qname, qtype, NULL) ||
		    (qtype != TW_DNS_T_ANY &&
		     add_set(m, TW_DNS_SEC_AN, z, qname, TW_DNS_T_CNAME, NULL)))
			return m;
		/* RFC 4035 §3.1.3.1 / RFC 5155 §7.2.3-4: NODATA */
		(void)add_set(m, TW_DNS_SEC_NS, z, z->origin, TW_DNS_T_SOA, NULL);
		if (qtype == TW_DNS_T_DS && cut)
			add_no_ds_proof(m, z, qname);
		else
			(void)add_denial_name(m, z, qname, true, true);
		return m;
	}
	if (st == NAME_ENT) {
		/* empty non-terminal: NODATA; NSEC3 has a record for it, NSEC covers it */
		(void)add_set(m, TW_DNS_SEC_NS, z, z->origin, TW_DNS_T_SOA, NULL);
		(void)add_denial_name(m, z, qname, z->chain_nsec3, true);
		return m;
	}

	/* the closest encloser: the longest existing ancestor (RFC 4592 §3.3.1) */
	const uint8_t *enc = tw_dns_name_equal(qname, z->origin) ? z->origin
								 : tw_dns_name_parent(qname);
	while (enc && !tw_dns_name_equal(enc, z->origin) && name_state(z, enc) == NAME_NONE)
		enc = tw_dns_name_parent(enc);
	if (!enc)
		enc = z->origin;
	bool have_wild = wildcard_of(enc, wild) && name_state(z, wild) == NAME_DATA;
	if (have_wild && (add_set(m, TW_DNS_SEC_AN, z, wild, qtype, qname) ||
			  (qtype != TW_DNS_T_ANY &&
			   add_set(m, TW_DNS_SEC_AN, z, wild, TW_DNS_T_CNAME, qname)))) {
		/* RFC 4035 §3.1.3.3, RFC 5155 §7.2.6: a wildcard answer proves that the
		 * next closer name does not exist (the encloser is in the RRSIG) */
		if (z->chain_nsec3)
			(void)add_denial_name(m, z, tw_dns_name_suffix(qname,
								       tw_dns_name_labels(enc) + 1),
					      false, true);
		else
			(void)add_denial_name(m, z, qname, false, true);
		return m;
	}
	if (!have_wild)
		m->rcode = TW_DNS_R_NXDOMAIN;
	(void)add_set(m, TW_DNS_SEC_NS, z, z->origin, TW_DNS_T_SOA, NULL);
	/* qname does not exist: NSEC covering it, or the NSEC3 closest encloser
	 * proof (RFC 5155 §7.2.1) */
	if (z->chain_nsec3)
		nsec3_closest_encloser(m, z, qname, ce);
	else
		(void)add_denial_name(m, z, qname, false, true);
	/* RFC 4035 §3.1.3.4, RFC 5155 §7.2.5: wildcard NODATA, the wildcard matched;
	 * RFC 4035 §3.1.3.2, RFC 5155 §7.2.2: NXDOMAIN, the wildcard covered */
	if (have_wild)
		(void)add_denial_name(m, z, wild, true, true);
	else if (wildcard_of(z->chain_nsec3 ? ce : enc, wild))
		(void)add_denial_name(m, z, wild, false, true);
	return m;
}

const uint8_t *ts_msg_wire(struct ts_msg *m, size_t *len)
{
	struct tw_dns_build b;
	size_t tl = m->ede_text ? strlen(m->ede_text) : 0;
	size_t reserve = m->edns ? TW_DNS_OPT_FIXED_LEN + (m->ede != TW_EDE_NONE ? 6 + tl : 0) : 0;
	uint16_t flags = (uint16_t)((m->flags & ~0xFu) | (m->rcode & 0xF));
	char nb[TW_DNS_NAME_STRLEN];
	if (tw_dns_build_init(&b, m->wire, TW_DNS_MSG_MAXLEN, TW_DNS_MSG_MAXLEN, m->id, flags,
			      reserve) < 0 ||
	    tw_dns_build_question(&b, m->qname, m->qtype, TW_DNS_C_IN) < 0) {
		fprintf(stderr, "tsign: ts_msg_wire: header does not fit\n");
		return NULL;
	}
	for (int s = 0; s < 3; s++) {
		for (size_t i = 0; i < m->n[s]; i++) {
			const struct ts_mrr *r = &m->rr[s][i];
			int rc = tw_dns_build_rr(&b, (enum tw_dns_section)s, r->owner, r->type,
						 TW_DNS_C_IN, r->ttl, r->rdata, r->len);
			if (rc < 0) {
				fprintf(stderr, "tsign: ts_msg_wire: %s type %u: %s\n",
					name_str(r->owner, nb), r->type, tw_strerror(rc));
				return NULL;
			}
		}
	}
	if (m->edns && tw_dns_build_opt(&b, m->udp_size, m->edns_flags, m->rcode, m->ede,
					m->ede_text, tl) < 0) {
		fprintf(stderr, "tsign: ts_msg_wire: OPT does not fit\n");
		return NULL;
	}
	*len = tw_dns_build_finish(&b);
	return m->wire;
}
