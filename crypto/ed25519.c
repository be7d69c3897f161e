/* Ed25519 signature verification (RFC 8032 §5.1.7) in our own field and group
 * arithmetic, with per-key precomputation; see crypto/ed25519.h for exactly what
 * it accepts.
 *
 * Variable time throughout, deliberately: verification only ever touches public
 * data (keys, signatures, signed data), so branches and table indices that
 * depend on it leak nothing. Never reuse this code for signing.
 *
 * Shape: GF(2^255 - 19) in five 51-bit limbs with 128-bit products; points in
 * extended twisted Edwards coordinates (a = -1; the unified formulas are
 * complete, so small-order and mixed-order keys need no special case). The
 * double-scalar product [S]B + [k](-A) splits both scalars at bit 128 (the
 * wNAF digits at positions >= 128 use tables of 2^128 B and -2^128 A), which
 * halves the doublings: 127 instead of 253. Tables for B are built at first
 * use, those for -A when a key is prepared; all are affine, so every addition
 * is a mixed one.
 */
#include "crypto/ed25519.h"
#include "dns/error.h"

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/md.h"

typedef unsigned __int128 u128;
typedef uint64_t fe[5];

#define MASK51 ((UINT64_C(1) << 51) - 1)

/* Window width for B's digits: tables of 2^(w-2) odd multiples of B and 2^128 B. */
#define B_WINDOW 8
#define B_TABLE (1 << (B_WINDOW - 2))

/* d = -121665/121666, 2d and sqrt(-1) = 2^((p-1)/4), computed mod p offline. */
static const fe fe_d = {0x34dca135978a3, 0x1a8283b156ebd, 0x5e7a26001c029, 0x739c663a03cbb,
			0x52036cee2b6ff};
static const fe fe_d2 = {0x69b9426b2f159, 0x35050762add7a, 0x3cf44c0038052, 0x6738cc7407977,
			 0x2406d9dc56dff};
static const fe fe_sqrtm1 = {0x61b274a0ea0b0, 0x0d5a5fc8f189d, 0x7ef5e9cbd0c60,
			     0x78595a6804c9e, 0x2b8324804fc1d};

/* ---- GF(2^255 - 19) ----
 * Limbs of a "carried" element are < 2^51 + 2^15. fe_add does not carry: its
 * result may only feed fe_mul/fe_sq or be the first operand of fe_sub. fe_sub
 * and the products carry. */

static inline void fe_copy(fe h, const fe f)
{
	memcpy(h, f, sizeof(fe));
}

static inline void fe_0(fe h)
{
	h[0] = h[1] = h[2] = h[3] = h[4] = 0;
}

static inline void fe_1(fe h)
{
	h[0] = 1;
	h[1] = h[2] = h[3] = h[4] = 0;
}

static inline void fe_add(fe h, const fe f, const fe g)
{
	for (int i = 0; i < 5; i++)
		h[i] = f[i] + g[i];
}

/* h = f - g, with g's limbs < 2^54: adds 8p first so nothing goes negative. */
static inline void fe_sub(fe h, const fe f, const fe g)
{
	uint64_t h0 = f[0] + 0x3fffffffffff68 - g[0];
	uint64_t h1 = f[1] + 0x3ffffffffffff8 - g[1];
	uint64_t h2 = f[2] + 0x3ffffffffffff8 - g[2];
	uint64_t h3 = f[3] + 0x3ffffffffffff8 - g[3];
	uint64_t h4 = f[4] + 0x3ffffffffffff8 - g[4];
	h1 += h0 >> 51;
	h0 &= MASK51;
	h2 += h1 >> 51;
	h1 &= MASK51;
	h3 += h2 >> 51;
	h2 &= MASK51;
	h4 += h3 >> 51;
	h3 &= MASK51;
	h0 += 19 * (h4 >> 51);
	h4 &= MASK51;
	h[0] = h0;
	h[1] = h1;
	h[2] = h2;
	h[3] = h3;
	h[4] = h4;
}

static inline void fe_neg(fe h, const fe f)
{
	static const fe zero = {0};
	fe_sub(h, zero, f);
}

/* The carry chain after a product; the top carry can exceed 64 bits once
 * multiplied by 19, so it is folded in 128 bits. */
static inline void fe_carry_wide(fe h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
	r1 += (uint64_t)(r0 >> 51);
	uint64_t h0 = (uint64_t)r0 & MASK51;
	r2 += (uint64_t)(r1 >> 51);
	uint64_t h1 = (uint64_t)r1 & MASK51;
	r3 += (uint64_t)(r2 >> 51);
	uint64_t h2 = (uint64_t)r2 & MASK51;
	r4 += (uint64_t)(r3 >> 51);
	uint64_t h3 = (uint64_t)r3 & MASK51;
	u128 c = (u128)(uint64_t)(r4 >> 51) * 19 + h0;
	uint64_t h4 = (uint64_t)r4 & MASK51;
	h0 = (uint64_t)c & MASK51;
	h1 += (uint64_t)(c >> 51);
	h[0] = h0;
	h[1] = h1;
	h[2] = h2;
	h[3] = h3;
	h[4] = h4;
}

/* Operands' limbs must be < 2^54 (any mix of carried values and fe_add sums). */
static inline void fe_mul(fe h, const fe f, const fe g)
{
	uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
	uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
	u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 +
		  (u128)f4 * g1_19;
	u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 +
		  (u128)f4 * g2_19;
	u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 +
		  (u128)f4 * g3_19;
	u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 +
		  (u128)f4 * g4_19;
	u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 +
		  (u128)f4 * g0;
	fe_carry_wide(h, r0, r1, r2, r3, r4);
}

static inline void fe_sq(fe h, const fe f)
{
	uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
	uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
	uint64_t f1_38 = 38 * f1, f2_38 = 38 * f2, f3_38 = 38 * f3;
	uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
	u128 r0 = (u128)f0 * f0 + (u128)f1_38 * f4 + (u128)f2_38 * f3;
	u128 r1 = (u128)f0_2 * f1 + (u128)f2_38 * f4 + (u128)f3_19 * f3;
	u128 r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)f3_38 * f4;
	u128 r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4_19 * f4;
	u128 r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
	fe_carry_wide(h, r0, r1, r2, r3, r4);
}

static void fe_sqn(fe h, const fe f, int n)
{
	fe_sq(h, f);
	while (--n > 0)
		fe_sq(h, h);
}

/* Bit 255 ignored; the other 255 bits taken as they are, so a value >= p is
 * kept (it is that value mod p), as OpenSSL's fe_frombytes does. */
static void fe_frombytes(fe h, const uint8_t s[32])
{
	uint64_t w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = 0;
		for (int j = 7; j >= 0; j--)
			w[i] = (w[i] << 8) | s[8 * i + j];
	}
	h[0] = w[0] & MASK51;
	h[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
	h[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
	h[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
	h[4] = (w[3] >> 12) & MASK51;
}

/* The canonical (fully reduced) little-endian encoding of h. */
static void fe_tobytes(uint8_t s[32], const fe f)
{
	uint64_t h[5];
	fe_copy(h, f);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 4; i++) {
			h[i + 1] += h[i] >> 51;
			h[i] &= MASK51;
		}
		h[0] += 19 * (h[4] >> 51);
		h[4] &= MASK51;
	}
	/* now h < 2^255 with every limb < 2^51; q = 1 exactly when h >= p */
	uint64_t q = (h[0] + 19) >> 51;
	for (int i = 1; i < 5; i++)
		q = (h[i] + q) >> 51;
	h[0] += 19 * q;
	for (int i = 0; i < 4; i++) {
		h[i + 1] += h[i] >> 51;
		h[i] &= MASK51;
	}
	h[4] &= MASK51;
	uint64_t w[4] = {
		h[0] | (h[1] << 51),
		(h[1] >> 13) | (h[2] << 38),
		(h[2] >> 26) | (h[3] << 25),
		(h[3] >> 39) | (h[4] << 12),
	};
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 8; j++)
			s[8 * i + j] = (uint8_t)(w[i] >> (8 * j));
}

static bool fe_iszero(const fe f)
{
	uint8_t s[32];
	fe_tobytes(s, f);
	uint8_t acc = 0;
	for (int i = 0; i < 32; i++)
		acc |= s[i];
	return acc == 0;
}

static int fe_isnegative(const fe f)
{
	uint8_t s[32];
	fe_tobytes(s, f);
	return s[0] & 1;
}

/* z^(2^250 - 1), and z^11 on the way (for the inverse). */
static void fe_pow2_250_1(fe out, fe z11, const fe z)
{
	fe z2, z9, t, a, b;
	fe_sq(z2, z);            /* z^2 */
	fe_sqn(t, z2, 2);        /* z^8 */
	fe_mul(z9, t, z);        /* z^9 */
	fe_mul(z11, z9, z2);     /* z^11 */
	fe_sq(t, z11);           /* z^22 */
	fe_mul(a, t, z9);        /* z^(2^5 - 1) */
	fe_sqn(t, a, 5);
	fe_mul(a, t, a);         /* z^(2^10 - 1) */
	fe_sqn(t, a, 10);
	fe_mul(b, t, a);         /* z^(2^20 - 1) */
	fe_sqn(t, b, 20);
	fe_mul(t, t, b);         /* z^(2^40 - 1) */
	fe_sqn(t, t, 10);
	fe_mul(a, t, a);         /* z^(2^50 - 1) */
	fe_sqn(t, a, 50);
	fe_mul(b, t, a);         /* z^(2^100 - 1) */
	fe_sqn(t, b, 100);
	fe_mul(t, t, b);         /* z^(2^200 - 1) */
	fe_sqn(t, t, 50);
	fe_mul(out, t, a);       /* z^(2^250 - 1) */
}

/* z^(p - 2) = z^(2^255 - 21) = 1/z */
static void fe_invert(fe out, const fe z)
{
	fe t, z11;
	fe_pow2_250_1(t, z11, z);
	fe_sqn(t, t, 5);
	fe_mul(out, t, z11);
}

/* z^((p - 5) / 8) = z^(2^252 - 3) */
static void fe_pow22523(fe out, const fe z)
{
	fe t, z11;
	fe_pow2_250_1(t, z11, z);
	fe_sqn(t, t, 2);
	fe_mul(out, t, z);
}

/* ---- the group ---- */

struct ge_p2 { fe X, Y, Z; };             /* x = X/Z, y = Y/Z */
struct ge_p3 { fe X, Y, Z, T; };          /* and xy = T/Z */
struct ge_p1p1 { fe X, Y, Z, T; };        /* x = X/Z, y = Y/T */

static void p1p1_to_p2(struct ge_p2 *r, const struct ge_p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
}

static void p1p1_to_p3(struct ge_p3 *r, const struct ge_p1p1 *p)
{
	fe_mul(r->X, p->X, p->T);
	fe_mul(r->Y, p->Y, p->Z);
	fe_mul(r->Z, p->Z, p->T);
	fe_mul(r->T, p->X, p->Y);
}

static void p3_to_p2(struct ge_p2 *r, const struct ge_p3 *p)
{
	fe_copy(r->X, p->X);
	fe_copy(r->Y, p->Y);
	fe_copy(r->Z, p->Z);
}

/* 2P (dbl-2008-hwcd with a = -1, signs arranged to avoid negations). */
static void p2_dbl(struct ge_p1p1 *r, const struct ge_p2 *p)
{
	fe xx, yy, zz2, s;
	fe_sq(xx, p->X);
	fe_sq(yy, p->Y);
	fe_sq(zz2, p->Z);
	fe_add(zz2, zz2, zz2);
	fe_add(s, p->X, p->Y);
	fe_sq(s, s);
	fe_add(r->Y, yy, xx);       /* -H */
	fe_sub(r->Z, yy, xx);       /* G */
	fe_sub(r->X, s, r->Y);      /* E */
	fe_sub(r->T, zz2, r->Z);    /* -F */
}

/* P + Q and P - Q for an affine Q (add-2008-hwcd-3 with Z2 = 1). */
static void p3_madd(struct ge_p1p1 *r, const struct ge_p3 *p, const struct tw_ed25519_niels *q)
{
	fe a, b, c, d2z;
	fe_add(a, p->Y, p->X);
	fe_sub(b, p->Y, p->X);
	fe_mul(a, a, q->ypx);
	fe_mul(b, b, q->ymx);
	fe_mul(c, p->T, q->xy2d);
	fe_add(d2z, p->Z, p->Z);
	fe_sub(r->X, a, b);         /* E */
	fe_add(r->Y, a, b);         /* H */
	fe_add(r->Z, d2z, c);       /* G */
	fe_sub(r->T, d2z, c);       /* F */
}

static void p3_msub(struct ge_p1p1 *r, const struct ge_p3 *p, const struct tw_ed25519_niels *q)
{
	fe a, b, c, d2z;
	fe_add(a, p->Y, p->X);
	fe_sub(b, p->Y, p->X);
	fe_mul(a, a, q->ymx);
	fe_mul(b, b, q->ypx);
	fe_mul(c, p->T, q->xy2d);
	fe_add(d2z, p->Z, p->Z);
	fe_sub(r->X, a, b);
	fe_add(r->Y, a, b);
	fe_sub(r->Z, d2z, c);
	fe_add(r->T, d2z, c);
}

/* P + Q, both projective (only to build tables). */
static void p3_add(struct ge_p3 *r, const struct ge_p3 *p, const struct ge_p3 *q)
{
	fe a, b, t1, t2, c, d, e, f, g, h;
	fe_sub(t1, p->Y, p->X);
	fe_sub(t2, q->Y, q->X);
	fe_mul(a, t1, t2);
	fe_add(t1, p->Y, p->X);
	fe_add(t2, q->Y, q->X);
	fe_mul(b, t1, t2);
	fe_mul(c, p->T, q->T);
	fe_mul(c, c, fe_d2);
	fe_mul(d, p->Z, q->Z);
	fe_add(d, d, d);
	fe_sub(e, b, a);
	fe_sub(f, d, c);
	fe_add(g, d, c);
	fe_add(h, b, a);
	fe_mul(r->X, e, f);
	fe_mul(r->Y, g, h);
	fe_mul(r->Z, f, g);
	fe_mul(r->T, e, h);
}

static void p3_dbl(struct ge_p3 *r, const struct ge_p3 *p)
{
	struct ge_p2 q;
	struct ge_p1p1 t;
	p3_to_p2(&q, p);
	p2_dbl(&t, &q);
	p1p1_to_p3(r, &t);
}

static void p2_tobytes(uint8_t s[32], const struct ge_p2 *p)
{
	fe zi, x, y;
	fe_invert(zi, p->Z);
	fe_mul(x, p->X, zi);
	fe_mul(y, p->Y, zi);
	fe_tobytes(s, y);
	s[31] ^= (uint8_t)(fe_isnegative(x) << 7);
}

/* Decodes as OpenSSL's ge_frombytes_vartime: y = the low 255 bits mod p,
 * x = sqrt((y^2 - 1) / (d y^2 + 1)) with the sign of bit 255, where x = 0 keeps
 * x = 0 whatever the sign bit says. -1 when there is no such x. */
static int p3_frombytes(struct ge_p3 *h, const uint8_t s[32])
{
	fe u, v, v3, vxx, check;
	fe_frombytes(h->Y, s);
	fe_1(h->Z);
	fe_sq(u, h->Y);
	fe_mul(v, u, fe_d);
	fe_sub(u, u, h->Z);               /* y^2 - 1 */
	fe_add(v, v, h->Z);               /* d y^2 + 1 */
	fe_sq(v3, v);
	fe_mul(v3, v3, v);                /* v^3 */
	fe_sq(h->X, v3);
	fe_mul(h->X, h->X, v);
	fe_mul(h->X, h->X, u);            /* u v^7 */
	fe_pow22523(h->X, h->X);          /* (u v^7)^((p-5)/8) */
	fe_mul(h->X, h->X, v3);
	fe_mul(h->X, h->X, u);            /* RFC 8032 §5.1.3 step 2 candidate */
	fe_sq(vxx, h->X);
	fe_mul(vxx, vxx, v);
	fe_sub(check, vxx, u);
	if (!fe_iszero(check)) {
		fe_add(check, vxx, u);
		if (!fe_iszero(check))
			return -1;
		fe_mul(h->X, h->X, fe_sqrtm1);
	}
	if (fe_isnegative(h->X) != (s[31] >> 7))
		fe_neg(h->X, h->X);
	fe_mul(h->T, h->X, h->Y);
	return 0;
}

/* Affine Niels forms of n projective points, with one inversion (Montgomery's
 * trick). n <= 2 * B_TABLE. */
static void to_niels(struct tw_ed25519_niels *out, const struct ge_p3 *p, size_t n)
{
	fe acc[2 * B_TABLE], inv, zi, x, y, t;
	fe_copy(acc[0], p[0].Z);
	for (size_t i = 1; i < n; i++)
		fe_mul(acc[i], acc[i - 1], p[i].Z);
	fe_invert(inv, acc[n - 1]);
	for (size_t i = n; i-- > 0;) {
		if (i > 0) {
			fe_mul(zi, inv, acc[i - 1]);
			fe_mul(inv, inv, p[i].Z);
		} else {
			fe_copy(zi, inv);
		}
		fe_mul(x, p[i].X, zi);
		fe_mul(y, p[i].Y, zi);
		fe_add(out[i].ypx, y, x); /* uncarried: only ever a product's operand */
		fe_sub(out[i].ymx, y, x);
		fe_mul(t, x, y);
		fe_mul(out[i].xy2d, t, fe_d2);
	}
}

/* P, 3P, 5P, .. (2n - 1)P into out[0..n). */
static void odd_multiples(struct ge_p3 *out, const struct ge_p3 *p, size_t n)
{
	struct ge_p3 p2;
	p3_dbl(&p2, p);
	out[0] = *p;
	for (size_t i = 1; i < n; i++)
		p3_add(&out[i], &out[i - 1], &p2);
}

/* Odd multiples of P (tab[0]) and of 2^128 P (tab[1]), affine. */
static void build_tables(struct tw_ed25519_niels *tab0, struct tw_ed25519_niels *tab1,
			 const struct ge_p3 *p, size_t n)
{
	struct ge_p3 pts[2 * B_TABLE], hi = *p;
	for (int i = 0; i < 128; i++)
		p3_dbl(&hi, &hi);
	odd_multiples(pts, p, n);
	odd_multiples(pts + n, &hi, n);
	struct tw_ed25519_niels all[2 * B_TABLE];
	to_niels(all, pts, 2 * n);
	memcpy(tab0, all, n * sizeof(*tab0));
	memcpy(tab1, all + n, n * sizeof(*tab1));
}

static struct tw_ed25519_niels base_table[2][B_TABLE];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

/* RFC 8032 §5.1: B is the point with y = 4/5 and x positive (even). */
static void base_init(void)
{
	uint8_t enc[32];
	struct ge_p3 b;
	memset(enc, 0x66, sizeof(enc));
	enc[0] = 0x58;
	p3_frombytes(&b, enc);
	build_tables(base_table[0], base_table[1], &b, B_TABLE);
}

int tw_ed25519_prepare(struct tw_ed25519_key *k, const uint8_t pub[32])
{
	struct ge_p3 a;
	/* every verification runs after a prepare: this orders the tables' writes
	 * before any read, also across threads (the key is handed over). */
	pthread_once(&base_once, base_init);
	memcpy(k->pub, pub, 32);
	k->valid = false;
	if (p3_frombytes(&a, pub) != 0)
		return -TW_ECRYPTO_KEY;
	fe_neg(a.X, a.X);
	fe_neg(a.T, a.T);
	build_tables(k->neg_a[0], k->neg_a[1], &a, TW_ED25519_A_TABLE);
	k->valid = true;
	return 0;
}

/* ---- scalars mod L = 2^252 + 27742317777372353535851937790883648493 ---- */

static const uint64_t L64[4] = {0x5812631a5cf5d3ed, 0x14def9dea2f79cd6, 0, 0x1000000000000000};
/* floor(2^512 / L), for Barrett reduction (HAC 14.42 with b = 2^64, k = 4) */
static const uint64_t MU[5] = {0xed9ce5a30a2c131b, 0x2106215d086329a7, 0xffffffffffffffeb,
			       0xffffffffffffffff, 0xf};

static uint64_t load64(const uint8_t *p)
{
	uint64_t w = 0;
	for (int j = 7; j >= 0; j--)
		w = (w << 8) | p[j];
	return w;
}

/* S < L, S read little-endian (RFC 8032 §5.1.7 step 1). */
static bool scalar_is_canonical(const uint8_t s[32])
{
	for (int i = 3; i >= 0; i--) {
		uint64_t w = load64(s + 8 * i);
		if (w != L64[i])
			return w < L64[i];
	}
	return false; /* S = L */
}

/* r = x mod L for the 512-bit little-endian x; r as four 64-bit limbs. */
static void scalar_reduce512(uint64_t r[4], const uint8_t in[64])
{
	uint64_t x[8], q2[10] = {0}, r2[5] = {0}, rr[5];
	for (int i = 0; i < 8; i++)
		x[i] = load64(in + 8 * i);
	/* q3 = floor(floor(x / 2^192) * mu / 2^320): at most 2 below x / L */
	for (int i = 0; i < 5; i++) {
		uint64_t carry = 0;
		for (int j = 0; j < 5; j++) {
			u128 t = (u128)x[3 + i] * MU[j] + q2[i + j] + carry;
			q2[i + j] = (uint64_t)t;
			carry = (uint64_t)(t >> 64);
		}
		q2[i + 5] = carry;
	}
	const uint64_t *q3 = q2 + 5;
	/* r2 = q3 * L mod 2^320 */
	for (int i = 0; i < 5; i++) {
		uint64_t carry = 0;
		for (int j = 0; i + j < 5 && j < 4; j++) {
			u128 t = (u128)q3[i] * L64[j] + r2[i + j] + carry;
			r2[i + j] = (uint64_t)t;
			carry = (uint64_t)(t >> 64);
		}
		if (i + 4 < 5)
			r2[i + 4] += carry;
	}
	/* rr = x - r2 mod 2^320 */
	uint64_t borrow = 0;
	for (int i = 0; i < 5; i++) {
		u128 t = (u128)x[i] - r2[i] - borrow;
		rr[i] = (uint64_t)t;
		borrow = (uint64_t)(t >> 64) & 1;
	}
	for (;;) { /* at most twice */
		bool ge = rr[4] != 0;
		if (!ge) {
			ge = true; /* equal counts as >= */
			for (int i = 3; i >= 0; i--) {
				if (rr[i] != L64[i]) {
					ge = rr[i] > L64[i];
					break;
				}
			}
		}
		if (!ge)
			break;
		borrow = 0;
		for (int i = 0; i < 5; i++) {
			u128 t = (u128)rr[i] - (i < 4 ? L64[i] : 0) - borrow;
			rr[i] = (uint64_t)t;
			borrow = (uint64_t)(t >> 64) & 1;
		}
	}
	memcpy(r, rr, 4 * sizeof(uint64_t));
}

/* Width-w non-adjacent form of x < 2^253: x = sum naf[i] 2^i with every nonzero
 * digit odd, |digit| < 2^(w-1), and any w consecutive digits holding at most one
 * nonzero. For x < 2^253 and w <= 8 the last digit lands below position 256. */
static void scalar_wnaf(int8_t naf[256], const uint64_t x4[4], int w)
{
	uint64_t x[5] = {x4[0], x4[1], x4[2], x4[3], 0};
	const uint64_t width = UINT64_C(1) << w, mask = width - 1;
	uint64_t carry = 0;
	memset(naf, 0, 256);
	for (unsigned pos = 0; pos < 256;) {
		unsigned idx = pos / 64, bit = pos % 64;
		uint64_t buf = x[idx] >> bit;
		if (bit > 64 - (unsigned)w)
			buf |= x[idx + 1] << (64 - bit);
		uint64_t win = carry + (buf & mask);
		if (!(win & 1)) {
			pos++;
			continue;
		}
		if (win < width / 2) {
			carry = 0;
			naf[pos] = (int8_t)win;
		} else {
			carry = 1;
			naf[pos] = (int8_t)((int64_t)win - (int64_t)width);
		}
		pos += (unsigned)w;
	}
}

static inline void add_digit(struct ge_p1p1 *t, struct ge_p3 *u, int digit,
			     const struct tw_ed25519_niels *tab)
{
	p1p1_to_p3(u, t);
	if (digit > 0)
		p3_madd(t, u, &tab[digit / 2]);
	else
		p3_msub(t, u, &tab[-digit / 2]);
}

bool tw_ed25519_verify(const struct tw_ed25519_key *k, const uint8_t *msg, size_t len,
		       const uint8_t sig[64])
{
	if (!k->valid || !scalar_is_canonical(sig + 32))
		return false;

	/* RFC 8032 §5.1.7 step 2: k = SHA-512(dom2(F, C) || R || A || PH(M)), with
	 * empty dom2 and identity PH for Ed25519 */
	uint8_t h[64];
	unsigned int hlen = 0;
	EVP_MD_CTX *md = tw_md_ctx();
	if (!md || !EVP_DigestInit_ex(md, tw_md_sha512(), NULL) ||
	    !EVP_DigestUpdate(md, sig, 32) || !EVP_DigestUpdate(md, k->pub, 32) ||
	    !EVP_DigestUpdate(md, msg, len) || !EVP_DigestFinal_ex(md, h, &hlen) || hlen != 64)
		return false;
	uint64_t hk[4], s4[4];
	scalar_reduce512(hk, h);
	for (int i = 0; i < 4; i++)
		s4[i] = load64(sig + 32 + 8 * i);

	int8_t na[256], nb[256];
	scalar_wnaf(na, hk, TW_ED25519_A_WINDOW);
	scalar_wnaf(nb, s4, B_WINDOW);

	/* step 3: R' = [S]B + [k](-A), digits at i and i + 128 in one pass */
	int top = 127;
	while (top >= 0 && !na[top] && !na[top + 128] && !nb[top] && !nb[top + 128])
		top--;
	struct ge_p2 r;
	fe_0(r.X);
	fe_1(r.Y);
	fe_1(r.Z);
	struct ge_p1p1 t;
	struct ge_p3 u;
	for (int i = top; i >= 0; i--) {
		p2_dbl(&t, &r);
		if (na[i])
			add_digit(&t, &u, na[i], k->neg_a[0]);
		if (na[i + 128])
			add_digit(&t, &u, na[i + 128], k->neg_a[1]);
		if (nb[i])
			add_digit(&t, &u, nb[i], base_table[0]);
		if (nb[i + 128])
			add_digit(&t, &u, nb[i + 128], base_table[1]);
		p1p1_to_p2(&r, &t);
	}

	/* step 3 as OpenSSL does it: R's canonical encoding must be sig's R */
	uint8_t rcheck[32];
	p2_tobytes(rcheck, &r);
	return memcmp(rcheck, sig, 32) == 0;
}
