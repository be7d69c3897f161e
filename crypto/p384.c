/* ECDSA P-384 verification (RFC 6605, SEC 1 §4.1.4) with per-key fixed-base tables.
 *
 * VARIABLE TIME: everything here works on public data only (public keys,
 * signatures, digests), so branches and table indices depend on the data on
 * purpose. Never reuse this code for signing or anything holding a secret.
 *
 * Same design as crypto/p256.c, at 384 bits: field elements mod p are 6
 * little-endian 64-bit limbs in Montgomery form (R = 2^384); scalars mod n
 * likewise when they need multiplying. Points are Jacobian (X/Z^2, Y/Z^3)
 * while summing and affine in the tables.
 *
 * [u1]G + [u2]Q without any doubling: each scalar is recoded into signed
 * digits d_i in [-2^(W-1), 2^(W-1)] of W bits, and each table holds
 * j * 2^(W*i) * P for every window i and j = 1..2^(W-1). The sum is then one
 * mixed addition per non-zero digit, about 2 * 384 / W in all. G's table is
 * built on first use; Q's when the key is prepared. W = 6 gives 65 windows of
 * 32 affine points of 96 bytes: 199,680 bytes per key (W = 7 would be 337,920).
 */
#include "crypto/p384.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dns/error.h"

#ifndef TW_P384_W
#define TW_P384_W 6 /* window width: the widest whose per-key table stays under 256 KB */
#endif
#define W TW_P384_W
#define L 6                   /* 64-bit limbs per element */
#define HALF (1 << (W - 1))   /* table entries per window */
#define NWIN (384 / W + 1)    /* windows: enough for the carry of the signed recoding */

typedef uint64_t fe[L];
typedef unsigned __int128 u128;

struct aff {
	fe x, y;
};

struct jac {
	fe x, y, z;
	bool inf;
};

struct tw_p384_key {
	struct aff tab[NWIN][HALF];
};

/* FIPS 186-4 D.1.2.4 / SEC 2 §2.5.1: p = 2^384 - 2^128 - 2^96 + 2^32 - 1, the
 * order n, the curve's b (a = -3) and the base point G, least significant limb first. */
static const fe P = { 0x00000000ffffffffULL, 0xffffffff00000000ULL, 0xfffffffffffffffeULL,
		      0xffffffffffffffffULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL };
static const fe N = { 0xecec196accc52973ULL, 0x581a0db248b0a77aULL, 0xc7634d81f4372ddfULL,
		      0xffffffffffffffffULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL };
static const fe B = { 0x2a85c8edd3ec2aefULL, 0xc656398d8a2ed19dULL, 0x0314088f5013875aULL,
		      0x181d9c6efe814112ULL, 0x988e056be3f82d19ULL, 0xb3312fa7e23ee7e4ULL };
static const fe GX = { 0x3a545e3872760ab7ULL, 0x5502f25dbf55296cULL, 0x59f741e082542a38ULL,
		       0x6e1d3b628ba79b98ULL, 0x8eb1c71ef320ad74ULL, 0xaa87ca22be8b0537ULL };
static const fe GY = { 0x7a431d7c90ea0e5fULL, 0x0a60b1ce1d7e819dULL, 0xe9da3113b5f0b8c0ULL,
		       0xf8f41dbd289a147cULL, 0x5d9e98bf9292dc29ULL, 0x3617de4a96262c6fULL };

/* Derived at first use (init_once): R^2 mod p and mod n, -p^-1 and -n^-1 mod
 * 2^64, b*R mod p. */
static fe R2P, R2N, BM;
static uint64_t P0, N0;
static struct aff g_tab[NWIN][HALF] __attribute__((aligned(64)));
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static bool g_ok;

/* ---- 384-bit integers ---- */

static inline bool is_zero(const fe a)
{
	return (a[0] | a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}

static inline bool eq(const fe a, const fe b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) |
		(a[5] ^ b[5])) == 0;
}

/* a >= b */
static inline bool geq(const fe a, const fe b)
{
	for (int i = L - 1; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] > b[i];
	return true;
}

/* r = a + b; returns the carry */
static inline uint64_t add6(fe r, const fe a, const fe b)
{
	u128 c = 0;
#pragma GCC unroll 6
	for (int i = 0; i < L; i++) {
		c += (u128)a[i] + b[i];
		r[i] = (uint64_t)c;
		c >>= 64;
	}
	return (uint64_t)c;
}

/* r = a - b; returns the borrow */
static inline uint64_t sub6(fe r, const fe a, const fe b)
{
	uint64_t borrow = 0;
#pragma GCC unroll 6
	for (int i = 0; i < L; i++) {
		u128 d = (u128)a[i] - b[i] - borrow;
		r[i] = (uint64_t)d;
		borrow = (uint64_t)(d >> 64) & 1;
	}
	return borrow;
}

static void from_be(fe r, const uint8_t b[48])
{
	for (int i = 0; i < L; i++) {
		uint64_t v = 0;
		for (int j = 0; j < 8; j++)
			v = v << 8 | b[(L - 1 - i) * 8 + j];
		r[i] = v;
	}
}

/* ---- arithmetic mod m (p or n), inputs < m ---- */

static inline void mod_add(fe r, const fe a, const fe b, const fe m)
{
	uint64_t c = add6(r, a, b);
	if (c || geq(r, m))
		sub6(r, r, m);
}

static inline void mod_sub(fe r, const fe a, const fe b, const fe m)
{
	if (sub6(r, a, b))
		add6(r, r, m);
}

/* Montgomery product a * b / 2^384 mod m (CIOS); a < 2^384, b < m; result < m.
 * m0 = -m^-1 mod 2^64. The running sum t stays below 2m, so one extra limb
 * (t[L]) and one conditional subtraction suffice. */
static inline __attribute__((always_inline)) void mont_mul(fe r, const fe a, const fe b,
							    const fe m, uint64_t m0)
{
	uint64_t t[L + 2] = { 0 };
#pragma GCC unroll 6
	for (int i = 0; i < L; i++) {
		u128 c = 0;
		uint64_t bi = b[i];
#pragma GCC unroll 6
		for (int j = 0; j < L; j++) {
			c = (u128)a[j] * bi + t[j] + (uint64_t)(c >> 64);
			t[j] = (uint64_t)c;
		}
		c = (u128)t[L] + (uint64_t)(c >> 64);
		t[L] = (uint64_t)c;
		t[L + 1] = (uint64_t)(c >> 64);

		uint64_t q = t[0] * m0;
		c = (u128)q * m[0] + t[0];
#pragma GCC unroll 6
		for (int j = 1; j < L; j++) {
			c = (u128)q * m[j] + t[j] + (uint64_t)(c >> 64);
			t[j - 1] = (uint64_t)c;
		}
		c = (u128)t[L] + (uint64_t)(c >> 64);
		t[L - 1] = (uint64_t)c;
		t[L] = t[L + 1] + (uint64_t)(c >> 64);
	}
	fe o;
	memcpy(o, t, sizeof(fe));
	if (t[L] || geq(o, m))
		sub6(o, o, m);
	memcpy(r, o, sizeof(fe));
}

/* ---- field mod p, Montgomery form ---- */

/* Out of line on purpose: inlined into every point formula (gcc -O3 does so),
 * the products bloat the code several-fold and verification runs ~40% slower,
 * prepare 3x slower. */
static __attribute__((noinline)) void fmul(fe r, const fe a, const fe b)
{
	mont_mul(r, a, b, P, P0);
}

static __attribute__((noinline)) void fsqr(fe r, const fe a)
{
	mont_mul(r, a, a, P, P0);
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
		sub6(r, P, a);
}

/* a < p into Montgomery form */
static inline void fto(fe r, const fe a)
{
	fmul(r, a, R2P);
}

/* R mod m = 2^384 - m for a 384-bit m (the Montgomery form of 1) */
static void mont_one(fe r, const fe m)
{
	const fe zero = { 0 };
	sub6(r, zero, m);
}

/* 1 / a mod p (Montgomery form in and out; a != 0), by Fermat: a^(p-2) with a
 * fixed 4-bit window, 384 squarings and at most 96 products. */
static void finv(fe r, const fe a)
{
	fe e, tab[16], acc;
	const fe two = { 2 };
	sub6(e, P, two);
	mont_one(tab[0], P);
	memcpy(tab[1], a, sizeof(fe));
	for (int i = 2; i < 16; i++)
		fmul(tab[i], tab[i - 1], a);
	memcpy(acc, tab[0], sizeof(fe));
	for (int i = 384 / 4 - 1; i >= 0; i--) {
		for (int k = 0; k < 4; k++)
			fsqr(acc, acc);
		unsigned d = (unsigned)(e[i / 16] >> ((i % 16) * 4)) & 15;
		if (d)
			fmul(acc, acc, tab[d]);
	}
	memcpy(r, acc, sizeof(fe));
}

/* ---- scalars mod n ---- */

static inline bool is_one(const fe a)
{
	return ((a[0] ^ 1) | a[1] | a[2] | a[3] | a[4] | a[5]) == 0;
}

/* a = a >> 1, top the bit shifted in at the top */
static inline void shr1(fe a, uint64_t top)
{
	for (int i = 0; i < L - 1; i++)
		a[i] = a[i] >> 1 | a[i + 1] << 63;
	a[L - 1] = a[L - 1] >> 1 | top << 63;
}

/* a = a / 2 mod n, for a < n */
static inline void half_mod_n(fe a)
{
	uint64_t top = 0;
	if (a[0] & 1)
		top = add6(a, a, N);
	shr1(a, top);
}

/* 1 / a mod n for 0 < a < n (plain form), by the binary extended Euclidean
 * algorithm: x1 a = u and x2 a = v (mod n) throughout. n is prime, so
 * gcd(a, n) = 1 and u or v reaches 1 before either could reach 0. */
static void sc_inv(fe r, const fe a)
{
	fe u, v, x1 = { 1 }, x2 = { 0 };
	memcpy(u, a, sizeof(fe));
	memcpy(v, N, sizeof(fe));
	while (!is_one(u) && !is_one(v)) {
		while (!(u[0] & 1)) {
			shr1(u, 0);
			half_mod_n(x1);
		}
		while (!(v[0] & 1)) {
			shr1(v, 0);
			half_mod_n(x2);
		}
		if (geq(u, v)) {
			sub6(u, u, v);
			mod_sub(x1, x1, x2, N);
		} else {
			sub6(v, v, u);
			mod_sub(x2, x2, x1, N);
		}
	}
	memcpy(r, is_one(u) ? x1 : x2, sizeof(fe));
}

/* ---- points ---- */

/* a = -3 doubling (dbl-2001-b). r may alias a. */
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
	fadd(alpha, t1, alpha); /* 3 (x - delta)(x + delta) */
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
	fsub(t, t, v);          /* X3 = rr^2 - h^3 - 2 x1 h^2 */
	fsub(v, v, t);
	fmul(v, rr, v);
	fmul(hhh, a->y, hhh);
	fsub(r->y, v, hhh);     /* Y3 = rr (x1 h^2 - X3) - y1 h^3 */
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
 * order n (the cofactor is 1), so no entry is the point at infinity.
 * Returns false when out of memory. */
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

/* y^2 == x^3 - 3x + b for (x, y) in Montgomery form */
static bool on_curve(const fe xm, const fe ym)
{
	fe lhs, rhs, t;
	fsqr(lhs, ym);
	fsqr(rhs, xm);
	fmul(rhs, rhs, xm);
	fadd(t, xm, xm);
	fadd(t, t, xm);
	fsub(rhs, rhs, t);
	fadd(rhs, rhs, BM);
	return eq(lhs, rhs);
}

/* -m^-1 mod 2^64 for odd m0 by Newton's iteration (each step doubles the good bits) */
static uint64_t neg_inv64(uint64_t m0)
{
	uint64_t inv = 1;
	for (int i = 0; i < 7; i++)
		inv *= 2 - m0 * inv;
	return (uint64_t)0 - inv;
}

static void init_once(void)
{
	/* R^2 mod m: R mod m doubled 384 times */
	const fe *mods[2] = { &P, &N };
	fe *r2[2] = { &R2P, &R2N };
	for (int k = 0; k < 2; k++) {
		fe t;
		mont_one(t, *mods[k]);
		for (int i = 0; i < 384; i++)
			mod_add(t, t, t, *mods[k]);
		memcpy(*r2[k], t, sizeof(fe));
	}
	P0 = neg_inv64(P[0]);
	N0 = neg_inv64(N[0]);
	fto(BM, B);
	fe gx, gy;
	fto(gx, GX);
	fto(gy, GY);
	/* a transcription slip in the constants would fail here, not verify wrongly */
	if (!on_curve(gx, gy))
		return;
	g_ok = build_table(g_tab, gx, gy);
}

static bool init(void)
{
	pthread_once(&g_once, init_once);
	return g_ok;
}

/* ---- keys ---- */

size_t tw_p384_key_size(void)
{
	return sizeof(struct tw_p384_key);
}

int tw_p384_prepare(struct tw_p384_key **out, const uint8_t pub[96])
{
	*out = NULL;
	if (!init())
		return -TW_ENOMEM;
	fe x, y, xm, ym;
	from_be(x, pub);
	from_be(y, pub + 48);
	if (geq(x, P) || geq(y, P))
		return -TW_ECRYPTO_KEY;
	fto(xm, x);
	fto(ym, y);
	if (!on_curve(xm, ym))
		return -TW_ECRYPTO_KEY;
	struct tw_p384_key *k = aligned_alloc(64, sizeof(*k));
	if (!k)
		return -TW_ENOMEM;
	if (!build_table(k->tab, xm, ym)) {
		free(k);
		return -TW_ENOMEM;
	}
	*out = k;
	return 0;
}

void tw_p384_key_free(struct tw_p384_key *k)
{
	free(k);
}

/* ---- verification ---- */

/* Signed base-2^W digits of k < 2^384: k = sum d[i] * 2^(W*i), |d[i]| <= 2^(W-1). */
static void recode(int8_t d[NWIN], const fe k)
{
	unsigned carry = 0;
	for (int i = 0; i < NWIN; i++) {
		unsigned pos = (unsigned)(W * i), limb = pos / 64, off = pos % 64;
		uint64_t v = 0;
		if (limb < L) {
			v = k[limb] >> off;
			if (off + W > 64 && limb + 1 < L)
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
 * without inverting Z: x(R) is in [0, p) and p < 2n, so x(R) mod n == r exactly
 * when X == r Z^2 or (r + n < p and X == (r + n) Z^2). */
static bool x_matches(const struct jac *R, const fe r)
{
	fe z2, t, rm;
	fsqr(z2, R->z);
	fto(rm, r);
	fmul(t, rm, z2);
	if (eq(t, R->x))
		return true;
	fe rn;
	if (add6(rn, r, N) || geq(rn, P))
		return false;
	fto(rm, rn);
	fmul(t, rm, z2);
	return eq(t, R->x);
}

bool tw_p384_verify(const struct tw_p384_key *k, const uint8_t digest[48],
		    const uint8_t sig[96])
{
	if (!init())
		return false;
	fe r, s, e;
	from_be(r, sig);
	from_be(s, sig + 48);
	if (is_zero(r) || is_zero(s) || geq(r, N) || geq(s, N))
		return false;
	/* the order has 384 bits: the whole digest is e (SEC 1 §4.1.4 step 3), and
	 * e < 2^384 < 2n, so one subtraction reduces it */
	from_be(e, digest);
	if (geq(e, N))
		sub6(e, e, N);

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
