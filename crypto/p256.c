/* ECDSA P-256 verification (RFC 6605, SEC 1 §4.1.4) with per-key fixed-base tables.
 *
 * VARIABLE TIME: everything here works on public data only (public keys,
 * signatures, digests), so branches and table indices depend on the data on
 * purpose. Never reuse this code for signing or anything holding a secret.
 *
 * Field elements mod p are 4 little-endian 64-bit limbs in Montgomery form
 * (R = 2^256); scalars mod n likewise when they need multiplying. Points are
 * Jacobian (X/Z^2, Y/Z^3) while summing and affine in the tables.
 *
 * [u1]G + [u2]Q without any doubling: each scalar is recoded into signed
 * digits d_i in [-2^(W-1), 2^(W-1)] of W bits, and each table holds
 * j * 2^(W*i) * P for every window i and j = 1..2^(W-1). The sum is then one
 * mixed addition per non-zero digit, about 2 * 256 / W in all. G's table is
 * built on first use; Q's when the key is prepared.
 */
#include "crypto/p256.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dns/error.h"

#ifndef TW_P256_W
#define TW_P256_W 7 /* window width; bench/p256_bench.c measures 4..7 */
#endif
#define W TW_P256_W
#define HALF (1 << (W - 1))   /* table entries per window */
#define NWIN (256 / W + 1)    /* windows: enough for the carry of the signed recoding */

typedef uint64_t fe[4];
typedef unsigned __int128 u128;

struct aff {
	fe x, y;
};

struct jac {
	fe x, y, z;
	bool inf;
};

struct tw_p256_key {
	struct aff tab[NWIN][HALF];
};

/* p = 2^256 - 2^224 + 2^192 + 2^96 - 1; n the group order; b the curve's b. */
static const fe P = { 0xffffffffffffffffULL, 0x00000000ffffffffULL, 0x0000000000000000ULL,
		      0xffffffff00000001ULL };
static const fe N = { 0xf3b9cac2fc632551ULL, 0xbce6faada7179e84ULL, 0xffffffffffffffffULL,
		      0xffffffff00000000ULL };
static const fe B = { 0x3bce3c3e27d2604bULL, 0x651d06b0cc53b0f6ULL, 0xb3ebbd55769886bcULL,
		      0x5ac635d8aa3a93e7ULL };
static const fe GX = { 0xf4a13945d898c296ULL, 0x77037d812deb33a0ULL, 0xf8bce6e563a440f2ULL,
		       0x6b17d1f2e12c4247ULL };
static const fe GY = { 0xcbb6406837bf51f5ULL, 0x2bce33576b315eceULL, 0x8ee7eb4a7c0f9e16ULL,
		       0x4fe342e2fe1a7f9bULL };

/* Derived at first use (init_once): R^2 mod p, R^2 mod n, -n^-1 mod 2^64, b*R mod p. */
static fe R2P, R2N, BM;
static uint64_t N0;
static struct aff g_tab[NWIN][HALF] __attribute__((aligned(64)));
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_ok;

/* ---- 256-bit integers ---- */

static inline bool is_zero(const fe a)
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static inline bool eq(const fe a, const fe b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
}

/* a >= b */
static inline bool geq(const fe a, const fe b)
{
#pragma GCC unroll 4
	for (int i = 3; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] > b[i];
	return true;
}

/* r = a + b; returns the carry */
static inline uint64_t add4(fe r, const fe a, const fe b)
{
	u128 c = 0;
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		c += (u128)a[i] + b[i];
		r[i] = (uint64_t)c;
		c >>= 64;
	}
	return (uint64_t)c;
}

/* r = a - b; returns the borrow */
static inline uint64_t sub4(fe r, const fe a, const fe b)
{
	uint64_t borrow = 0;
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		u128 d = (u128)a[i] - b[i] - borrow;
		r[i] = (uint64_t)d;
		borrow = (uint64_t)(d >> 64) & 1;
	}
	return borrow;
}

static void from_be(fe r, const uint8_t b[32])
{
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		uint64_t v = 0;
		for (int j = 0; j < 8; j++)
			v = v << 8 | b[(3 - i) * 8 + j];
		r[i] = v;
	}
}

/* ---- arithmetic mod m (p or n), inputs < m unless said ---- */

static inline void mod_add(fe r, const fe a, const fe b, const fe m)
{
	uint64_t c = add4(r, a, b);
	if (c || geq(r, m))
		sub4(r, r, m);
}

static inline void mod_sub(fe r, const fe a, const fe b, const fe m)
{
	if (sub4(r, a, b))
		add4(r, r, m);
}

/* Montgomery product a * b / 2^256 mod m (CIOS); a < 2^256, b < m; result < m.
 * m0 = -m^-1 mod 2^64. */
static inline __attribute__((always_inline)) void mont_mul(fe r, const fe a, const fe b,
							    const fe m, uint64_t m0)
{
	uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		u128 c;
		uint64_t bi = b[i];
		c = (u128)a[0] * bi + t0;
		t0 = (uint64_t)c;
		c = (u128)a[1] * bi + t1 + (c >> 64);
		t1 = (uint64_t)c;
		c = (u128)a[2] * bi + t2 + (c >> 64);
		t2 = (uint64_t)c;
		c = (u128)a[3] * bi + t3 + (c >> 64);
		t3 = (uint64_t)c;
		c = (u128)t4 + (c >> 64);
		t4 = (uint64_t)c;
		uint64_t t5 = (uint64_t)(c >> 64);

		uint64_t q = t0 * m0;
		c = (u128)q * m[0] + t0;
		c = (u128)q * m[1] + t1 + (c >> 64);
		t0 = (uint64_t)c;
		c = (u128)q * m[2] + t2 + (c >> 64);
		t1 = (uint64_t)c;
		c = (u128)q * m[3] + t3 + (c >> 64);
		t2 = (uint64_t)c;
		c = (u128)t4 + (c >> 64);
		t3 = (uint64_t)c;
		t4 = t5 + (uint64_t)(c >> 64);
	}
	fe t = { t0, t1, t2, t3 };
	if (t4 || geq(t, m))
		sub4(t, t, m);
	memcpy(r, t, sizeof(fe));
}

/* ---- field mod p, Montgomery form ---- */

/* Montgomery product mod p, CIOS with p's form doing the reduction: p = -1 mod
 * 2^64 makes q = t0; t0 + q (2^64 - 1) = q 2^64 carries q into limb 1, where
 * q (2^32 - 1) + q = q 2^32; limb 2 of p is 0; only limb 3 needs a product. */
static inline __attribute__((always_inline)) void fmul(fe r, const fe a, const fe b)
{
	uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
#pragma GCC unroll 4
	for (int i = 0; i < 4; i++) {
		u128 c;
		uint64_t bi = b[i];
		c = (u128)a[0] * bi + t0;
		t0 = (uint64_t)c;
		c = (u128)a[1] * bi + t1 + (c >> 64);
		t1 = (uint64_t)c;
		c = (u128)a[2] * bi + t2 + (c >> 64);
		t2 = (uint64_t)c;
		c = (u128)a[3] * bi + t3 + (c >> 64);
		t3 = (uint64_t)c;
		c = (u128)t4 + (c >> 64);
		t4 = (uint64_t)c;
		uint64_t t5 = (uint64_t)(c >> 64);

		uint64_t q = t0;
		c = (u128)t1 + ((u128)q << 32);
		t0 = (uint64_t)c;
		c = (u128)t2 + (c >> 64);
		t1 = (uint64_t)c;
		c = (u128)q * P[3] + t3 + (c >> 64);
		t2 = (uint64_t)c;
		c = (u128)t4 + (c >> 64);
		t3 = (uint64_t)c;
		t4 = t5 + (uint64_t)(c >> 64);
	}
	fe t = { t0, t1, t2, t3 };
	if (t4 || geq(t, P))
		sub4(t, t, P);
	memcpy(r, t, sizeof(fe));
}

static inline void fsqr(fe r, const fe a)
{
	fmul(r, a, a);
}

static inline void fadd(fe r, const fe a, const fe b)
{
	mod_add(r, a, b, P);
}

static inline void fsub(fe r, const fe a, const fe b)
{
	mod_sub(r, a, b, P);
}

static inline void fneg(fe r, const fe a)
{
	if (is_zero(a))
		memset(r, 0, sizeof(fe));
	else
		sub4(r, P, a);
}

/* a < p into Montgomery form */
static inline void fto(fe r, const fe a)
{
	fmul(r, a, R2P);
}

/* r = a^e (Montgomery form in and out), square-and-multiply over e's bits */
static void mont_pow(fe r, const fe a, const fe e, const fe m, uint64_t m0, const fe one)
{
	/* fixed 4-bit window: 256 squarings and at most 64 products */
	fe tab[16];
	memcpy(tab[0], one, sizeof(fe));
	memcpy(tab[1], a, sizeof(fe));
	for (int i = 2; i < 16; i++)
		mont_mul(tab[i], tab[i - 1], a, m, m0);
	fe acc;
	memcpy(acc, one, sizeof(fe));
	for (int i = 63; i >= 0; i--) {
		for (int k = 0; k < 4; k++)
			mont_mul(acc, acc, acc, m, m0);
		unsigned d = (unsigned)(e[i / 16] >> ((i % 16) * 4)) & 15;
		if (d)
			mont_mul(acc, acc, tab[d], m, m0);
	}
	memcpy(r, acc, sizeof(fe));
}

/* R mod m = 2^256 - m for a 256-bit m (the Montgomery form of 1) */
static void mont_one(fe r, const fe m)
{
	const fe zero = { 0, 0, 0, 0 };
	sub4(r, zero, m);
}

/* 1 / a mod p (Montgomery form in and out; a != 0), by Fermat */
static void finv(fe r, const fe a)
{
	fe e, one;
	const fe two = { 2, 0, 0, 0 };
	sub4(e, P, two);
	mont_one(one, P);
	mont_pow(r, a, e, P, 1, one);
}

/* ---- scalars mod n ---- */

static inline bool is_one(const fe a)
{
	return ((a[0] ^ 1) | a[1] | a[2] | a[3]) == 0;
}

/* a = a / 2 mod n, for a < n */
static inline void half_mod_n(fe a)
{
	uint64_t top = 0;
	if (a[0] & 1)
		top = add4(a, a, N);
	a[0] = a[0] >> 1 | a[1] << 63;
	a[1] = a[1] >> 1 | a[2] << 63;
	a[2] = a[2] >> 1 | a[3] << 63;
	a[3] = a[3] >> 1 | top << 63;
}

static inline void shr1(fe a)
{
	a[0] = a[0] >> 1 | a[1] << 63;
	a[1] = a[1] >> 1 | a[2] << 63;
	a[2] = a[2] >> 1 | a[3] << 63;
	a[3] >>= 1;
}

/* 1 / a mod n for 0 < a < n (plain form), by the binary extended Euclidean
 * algorithm: x1 a = u and x2 a = v (mod n) throughout. n is prime, so
 * gcd(a, n) = 1 and u or v reaches 1 before either could reach 0. */
static void sc_inv(fe r, const fe a)
{
	fe u, v, x1 = { 1, 0, 0, 0 }, x2 = { 0, 0, 0, 0 };
	memcpy(u, a, sizeof(fe));
	memcpy(v, N, sizeof(fe));
	while (!is_one(u) && !is_one(v)) {
		while (!(u[0] & 1)) {
			shr1(u);
			half_mod_n(x1);
		}
		while (!(v[0] & 1)) {
			shr1(v);
			half_mod_n(x2);
		}
		if (geq(u, v)) {
			sub4(u, u, v);
			mod_sub(x1, x1, x2, N);
		} else {
			sub4(v, v, u);
			mod_sub(x2, x2, x1, N);
		}
	}
	memcpy(r, is_one(u) ? x1 : x2, sizeof(fe));
}

/* ---- points ---- */

/* a = -3 doubling (dbl-2001-b). */
static void pt_dbl(struct jac *r, const struct jac *a)
{
	if (a->inf) {
		r->inf = true;
		return;
	}
	fe delta, gamma, beta, alpha, t1, t2, x3, y3, z3;
	fsqr(delta, a->z);
	fsqr(gamma, a->y);
	fmul(beta, a->x, gamma);
	fsub(t1, a->x, delta);
	fadd(t2, a->x, delta);
	fmul(alpha, t1, t2);
	fadd(t1, alpha, alpha);
	fadd(alpha, t1, alpha);
	fsqr(x3, alpha);
	fadd(t1, beta, beta);   /* 2 beta */
	fadd(t1, t1, t1);       /* 4 beta */
	fadd(t2, t1, t1);       /* 8 beta */
	fsub(x3, x3, t2);
	fadd(t2, a->y, a->z);
	fsqr(z3, t2);
	fsub(z3, z3, gamma);
	fsub(z3, z3, delta);
	fsub(t1, t1, x3);
	fmul(y3, alpha, t1);
	fsqr(t2, gamma);
	fadd(t2, t2, t2);
	fadd(t2, t2, t2);
	fadd(t2, t2, t2);       /* 8 gamma^2 */
	fsub(y3, y3, t2);
	memcpy(r->x, x3, sizeof(fe));
	memcpy(r->y, y3, sizeof(fe));
	memcpy(r->z, z3, sizeof(fe));
	r->inf = false;
}

/* r = a + (x2, y2): Jacobian plus affine, every special case handled (a at
 * infinity, a equal to the point, a its negation). r may alias a. */
static void pt_madd(struct jac *r, const struct jac *a, const fe x2, const fe y2)
{
	if (a->inf) {
		memcpy(r->x, x2, sizeof(fe));
		memcpy(r->y, y2, sizeof(fe));
		mont_one(r->z, P);
		r->inf = false;
		return;
	}
	fe z1z1, u2, s2, h, rr, hh, hhh, v, t;
	fsqr(z1z1, a->z);
	fmul(u2, x2, z1z1);
	fmul(s2, y2, a->z);
	fmul(s2, s2, z1z1);
	fsub(h, u2, a->x);
	fsub(rr, s2, a->y);
	if (is_zero(h)) {
		if (is_zero(rr))
			pt_dbl(r, a);
		else
			r->inf = true;
		return;
	}
	fsqr(hh, h);
	fmul(hhh, h, hh);
	fmul(v, a->x, hh);
	fmul(r->z, a->z, h);
	fsqr(t, rr);
	fsub(t, t, hhh);
	fsub(t, t, v);
	fsub(t, t, v);          /* X3 */
	fsub(v, v, t);
	fmul(v, rr, v);
	fmul(hhh, a->y, hhh);
	fsub(r->y, v, hhh);
	memcpy(r->x, t, sizeof(fe));
	r->inf = false;
}

/* r = a + b, both Jacobian (table building only). r may alias a or b. */
static void pt_add(struct jac *r, const struct jac *a, const struct jac *b)
{
	if (a->inf) {
		*r = *b;
		return;
	}
	if (b->inf) {
		*r = *a;
		return;
	}
	fe z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, t, z3;
	fsqr(z1z1, a->z);
	fsqr(z2z2, b->z);
	fmul(u1, a->x, z2z2);
	fmul(u2, b->x, z1z1);
	fmul(s1, a->y, b->z);
	fmul(s1, s1, z2z2);
	fmul(s2, b->y, a->z);
	fmul(s2, s2, z1z1);
	fsub(h, u2, u1);
	fsub(rr, s2, s1);
	if (is_zero(h)) {
		if (is_zero(rr))
			pt_dbl(r, a);
		else
			r->inf = true;
		return;
	}
	fsqr(hh, h);
	fmul(hhh, h, hh);
	fmul(v, u1, hh);
	fmul(z3, a->z, b->z);
	fmul(z3, z3, h);
	fsqr(t, rr);
	fsub(t, t, hhh);
	fsub(t, t, v);
	fsub(t, t, v);
	fsub(v, v, t);
	fmul(v, rr, v);
	fmul(s1, s1, hhh);
	fsub(r->y, v, s1);
	memcpy(r->x, t, sizeof(fe));
	memcpy(r->z, z3, sizeof(fe));
	r->inf = false;
}

/* Fills tab[i][j] = (j + 1) * 2^(W*i) * (x, y) in affine form, with one field
 * inversion for the whole table (Montgomery's trick). (x, y) is a point of
 * order n, so no entry is the point at infinity. Returns false when out of memory. */
static bool build_table(struct aff tab[NWIN][HALF], const fe x, const fe y)
{
	const size_t cnt = (size_t)NWIN * HALF;
	struct jac *j = malloc(cnt * sizeof(*j));
	fe *pre = malloc(cnt * sizeof(fe));
	if (!j || !pre) {
		free(j);
		free(pre);
		return false;
	}
	struct jac base;
	memcpy(base.x, x, sizeof(fe));
	memcpy(base.y, y, sizeof(fe));
	mont_one(base.z, P);
	base.inf = false;
	for (int i = 0; i < NWIN; i++) {
		struct jac *row = j + (size_t)i * HALF;
		row[0] = base;
		pt_dbl(&row[1], &base);
		for (int k = 2; k < HALF; k++)
			pt_add(&row[k], &row[k - 1], &base);
		pt_dbl(&base, &row[HALF - 1]); /* 2^W times this window's base */
	}
	/* pre[i] = z_0 * ... * z_i; invert once; walk back */
	memcpy(pre[0], j[0].z, sizeof(fe));
	for (size_t i = 1; i < cnt; i++)
		fmul(pre[i], pre[i - 1], j[i].z);
	fe inv, zi, zi2;
	finv(inv, pre[cnt - 1]);
	for (size_t i = cnt; i-- > 0;) {
		if (i > 0) {
			fmul(zi, inv, pre[i - 1]);
			fmul(inv, inv, j[i].z);
		} else {
			memcpy(zi, inv, sizeof(fe));
		}
		struct aff *o = &tab[i / HALF][i % HALF];
		fsqr(zi2, zi);
		fmul(o->x, j[i].x, zi2);
		fmul(zi2, zi2, zi);
		fmul(o->y, j[i].y, zi2);
	}
	free(j);
	free(pre);
	return true;
}

static void init_once(void)
{
	/* R^2 mod m: R mod m doubled 256 times */
	const fe *mods[2] = { &P, &N };
	fe *r2[2] = { &R2P, &R2N };
	for (int k = 0; k < 2; k++) {
		fe t;
		mont_one(t, *mods[k]);
		for (int i = 0; i < 256; i++)
			mod_add(t, t, t, *mods[k]);
		memcpy(*r2[k], t, sizeof(fe));
	}
	/* -n^-1 mod 2^64 by Newton's iteration (each step doubles the good bits) */
	uint64_t inv = 1;
	for (int i = 0; i < 7; i++)
		inv *= 2 - N[0] * inv;
	N0 = (uint64_t)0 - inv;
	fto(BM, B);
	fe gx, gy;
	fto(gx, GX);
	fto(gy, GY);
	g_ok = build_table(g_tab, gx, gy);
}

static bool init(void)
{
	pthread_once(&g_once, init_once);
	return g_ok;
}

/* ---- keys ---- */

size_t tw_p256_key_size(void)
{
	return sizeof(struct tw_p256_key);
}

int tw_p256_prepare(struct tw_p256_key **out, const uint8_t pub[64])
{
	*out = NULL;
	if (!init())
		return -TW_ENOMEM;
	fe x, y, xm, ym, lhs, rhs, t;
	from_be(x, pub);
	from_be(y, pub + 32);
	if (geq(x, P) || geq(y, P))
		return -TW_ECRYPTO_KEY;
	fto(xm, x);
	fto(ym, y);
	/* y^2 = x^3 - 3x + b */
	fsqr(lhs, ym);
	fsqr(rhs, xm);
	fmul(rhs, rhs, xm);
	fadd(t, xm, xm);
	fadd(t, t, xm);
	fsub(rhs, rhs, t);
	fadd(rhs, rhs, BM);
	if (!eq(lhs, rhs))
		return -TW_ECRYPTO_KEY;
	struct tw_p256_key *k = aligned_alloc(64, sizeof(*k));
	if (!k)
		return -TW_ENOMEM;
	if (!build_table(k->tab, xm, ym)) {
		free(k);
		return -TW_ENOMEM;
	}
	*out = k;
	return 0;
}

void tw_p256_key_free(struct tw_p256_key *k)
{
	free(k);
}

/* ---- verification ---- */

/* Signed base-2^W digits of k < 2^256: k = sum d[i] * 2^(W*i), |d[i]| <= 2^(W-1). */
static void recode(int8_t d[NWIN], const fe k)
{
	unsigned carry = 0;
	for (int i = 0; i < NWIN; i++) {
		unsigned pos = (unsigned)(W * i), limb = pos / 64, off = pos % 64;
		uint64_t v = 0;
		if (limb < 4) {
			v = k[limb] >> off;
			if (off + W > 64 && limb + 1 < 4)
				v |= k[limb + 1] << (64 - off);
		}
		int x = (int)(v & ((1u << W) - 1)) + (int)carry;
		carry = x > HALF;
		if (carry)
			x -= 1 << W;
		d[i] = (int8_t)x;
	}
}

static inline void add_digit(struct jac *acc, const struct aff row[HALF], int d)
{
	if (d > 0) {
		pt_madd(acc, acc, row[d - 1].x, row[d - 1].y);
	} else if (d < 0) {
		fe ny;
		fneg(ny, row[-d - 1].y);
		pt_madd(acc, acc, row[-d - 1].x, ny);
	}
}

/* SEC 1 §4.1.4 step 7: x(R) mod n == r, for R = (X/Z^2, .) not at infinity,
 * without inverting Z: x(R) is in [0, p), so x(R) mod n == r exactly when
 * X == r Z^2 or (r + n < p and X == (r + n) Z^2). */
static bool x_matches(const struct jac *R, const fe r)
{
	fe z2, t, rm;
	fsqr(z2, R->z);
	fto(rm, r);
	fmul(t, rm, z2);
	if (eq(t, R->x))
		return true;
	fe rn;
	if (add4(rn, r, N) || geq(rn, P))
		return false;
	fto(rm, rn);
	fmul(t, rm, z2);
	return eq(t, R->x);
}

bool tw_p256_verify(const struct tw_p256_key *k, const uint8_t digest[32],
		    const uint8_t sig[64])
{
	if (!init())
		return false;
	fe r, s, e;
	from_be(r, sig);
	from_be(s, sig + 32);
	if (is_zero(r) || is_zero(s) || geq(r, N) || geq(s, N))
		return false;
	from_be(e, digest);
	if (geq(e, N)) /* e < 2^256 < 2n */
		sub4(e, e, N);

	/* w = s^-1 R mod n (Montgomery form), so that u1 = e w and u2 = r w come out
	 * plain from one Montgomery product each */
	fe w, u1, u2;
	sc_inv(w, s);
	mont_mul(w, w, R2N, N, N0);
	mont_mul(u1, e, w, N, N0);
	mont_mul(u2, r, w, N, N0);

	int8_t d1[NWIN], d2[NWIN];
	recode(d1, u1);
	recode(d2, u2);
	struct jac acc;
	acc.inf = true;
	for (int i = 0; i < NWIN; i++) {
		add_digit(&acc, g_tab[i], d1[i]);
		add_digit(&acc, k->tab[i], d2[i]);
	}
	if (acc.inf)
		return false;
	return x_matches(&acc, r);
}
