/* Ed448 signature verification (RFC 8032 §5.2.7) in our own field and group
 * arithmetic, with per-key precomputation; see crypto/ed448.h for exactly what
 * it accepts.
 *
 * Variable time throughout, deliberately: verification only ever touches public
 * data (keys, signatures, signed data), so branches and table indices that
 * depend on it leak nothing. Never reuse this code for signing.
 *
 * Shape: GF(2^448 - 2^224 - 1) in eight 56-bit limbs with 128-bit products,
 * multiplied Karatsuba-wise over phi = 2^224 (phi^2 = phi + 1, the "Goldilocks"
 * structure, so a product costs three 4x4 limb products and the reduction is
 * two shifted additions). Points in extended coordinates on the untwisted curve
 * x^2 + y^2 = 1 + d x^2 y^2, d = -39081; its unified addition is complete (d is
 * not a square), so small-order and mixed-order keys need no special case. The
 * double-scalar product [S]B + [k](-A) splits both scalars at bit 224 (digits
 * of the upper halves use tables of 2^224 B and -2^224 A), which halves the
 * doublings. Tables for B are built at first use, those for -A when a key is
 * prepared; all are affine, so every addition is a mixed one.
 */
#include "crypto/ed448.h"
#include "dns/error.h"

#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/md.h"

typedef unsigned __int128 u128;
typedef uint64_t fe[8];

#define M56 ((UINT64_C(1) << 56) - 1)

/* Window width for B's digits: tables of 2^(w-2) odd multiples of B and 2^224 B. */
#define B_WINDOW 7
#define B_TABLE (1 << (B_WINDOW - 2))

#define HALF 224                  /* scalars split at bit 224 */
#define NDIGITS (HALF + 1)        /* wNAF of a 224-bit half */

/* d = -39081 mod p, and the base point of RFC 8032 §5.2 (x, y as there in
 * decimal), in radix 2^56; tests/unit/test_crypto_ed448.c checks them. */
static const fe fe_d = {0xffffffffff6756, M56, M56, M56, 0xfffffffffffffe, M56, M56, M56};
static const fe base_x = {0x26a82bc70cc05e, 0x80e18b00938e26, 0xf72ab66511433b,
			  0xa3d3a46412ae1a, 0x0f1767ea6de324, 0x36da9e14657047,
			  0xed221d15a622bf, 0x4f1970c66bed0d};
static const fe base_y = {0x08795bf230fa14, 0x132c4ed7c8ad98, 0x1ce67c39c4fdbd,
			  0x05a0c2d73ad3ff, 0xa3984087789c1e, 0xc7624bea73736c,
			  0x248876203756c9, 0x693f46716eb6bc};

/* L = 2^446 - c, little-endian octets and 64-bit words. */
static const uint8_t l_octets[57] = {
	0xf3, 0x44, 0x58, 0xab, 0x92, 0xc2, 0x78, 0x23, 0x55, 0x8f, 0xc5, 0x8d, 0x72, 0xc2, 0x6c,
	0x21, 0x90, 0x36, 0xd6, 0xae, 0x49, 0xdb, 0x4e, 0xc4, 0xe9, 0x23, 0xca, 0x7c, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f, 0x00,
};
static const uint64_t l_words[7] = {0x2378c292ab5844f3, 0x216cc2728dc58f55, 0xc44edb49aed63690,
				    0xffffffff7cca23e9, 0xffffffffffffffff, 0xffffffffffffffff,
				    0x3fffffffffffffff};
static const uint64_t c_words[4] = {0xdc873d6d54a7bb0d, 0xde933d8d723a70aa, 0x3bb124b65129c96f,
				    0x8335dc16};

/* ---- GF(2^448 - 2^224 - 1) ----
 * A "carried" element has limbs < 2^56 + 2^16. fe_add and fe_sub do not carry;
 * fe_mul and fe_sq take limbs < 2^59 and return carried results. fe_sub's
 * subtrahend must have limbs < 2^58 (a carried element or the sum of two).
 * The loops are unrolled by pragma: at -O2 GCC keeps 128-bit column arrays in
 * memory otherwise, which made verification 2.8 times slower. */

static inline void fe_copy(fe h, const fe f)
{
	memcpy(h, f, sizeof(fe));
}

static inline void fe_0(fe h)
{
	memset(h, 0, sizeof(fe));
}

static inline void fe_1(fe h)
{
	fe_0(h);
	h[0] = 1;
}

static inline void fe_add(fe h, const fe f, const fe g)
{
	#pragma GCC unroll 16
	for (int i = 0; i < 8; i++)
		h[i] = f[i] + g[i];
}

/* h = f + 4p - g */
static inline void fe_sub(fe h, const fe f, const fe g)
{
	#pragma GCC unroll 16
	for (int i = 0; i < 8; i++)
		h[i] = f[i] + (i == 4 ? 4 * (M56 - 1) : 4 * M56) - g[i];
}

/* Carries 128-bit columns into h; 2^448 = 2^224 + 1 folds the top carry back. */
static inline void fe_carry128(fe h, u128 c[8])
{
	#pragma GCC unroll 16
	for (int i = 0; i < 7; i++) {
		c[i + 1] += c[i] >> 56;
		c[i] &= M56;
	}
	u128 top = c[7] >> 56;
	c[7] &= M56;
	c[0] += top;
	c[4] += top;
	c[1] += c[0] >> 56;
	c[0] &= M56;
	c[5] += c[4] >> 56;
	c[4] &= M56;
	#pragma GCC unroll 16
	for (int i = 0; i < 8; i++)
		h[i] = (uint64_t)c[i];
}

static inline void mul4(u128 r[7], const uint64_t *a, const uint64_t *b)
{
	#pragma GCC unroll 16
	for (int i = 0; i < 7; i++)
		r[i] = 0;
	#pragma GCC unroll 16
	for (int i = 0; i < 4; i++)
		#pragma GCC unroll 16
		for (int j = 0; j < 4; j++)
			r[i + j] += (u128)a[i] * b[j];
}

static inline void sq4(u128 r[7], const uint64_t *a)
{
	uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
	uint64_t d0 = 2 * a0, d1 = 2 * a1, d2 = 2 * a2;
	r[0] = (u128)a0 * a0;
	r[1] = (u128)d0 * a1;
	r[2] = (u128)d0 * a2 + (u128)a1 * a1;
	r[3] = (u128)d0 * a3 + (u128)d1 * a2;
	r[4] = (u128)d1 * a3 + (u128)a2 * a2;
	r[5] = (u128)d2 * a3;
	r[6] = (u128)a3 * a3;
}

/* (a0 + a1 phi)(b0 + b1 phi) = a0 b0 + a1 b1 + ((a0 + a1)(b0 + b1) - a0 b0) phi */
static inline void fe_combine(fe h, const u128 p0[7], const u128 p1[7], const u128 p2[7])
{
	u128 r[11];
	#pragma GCC unroll 16
	for (int k = 0; k < 7; k++)
		r[k] = p0[k] + p1[k];
	r[7] = r[8] = r[9] = r[10] = 0;
	#pragma GCC unroll 16
	for (int k = 0; k < 7; k++)
		r[k + 4] += p2[k] - p0[k];
	#pragma GCC unroll 16
	for (int k = 10; k >= 8; k--) { /* 2^(448 + 56j) = 2^(224 + 56j) + 2^(56j) */
		r[k - 4] += r[k];
		r[k - 8] += r[k];
	}
	fe_carry128(h, r);
}

static void fe_mul(fe h, const fe a, const fe b)
{
	uint64_t as[4], bs[4];
	u128 p0[7], p1[7], p2[7];
	#pragma GCC unroll 16
	for (int i = 0; i < 4; i++) {
		as[i] = a[i] + a[i + 4];
		bs[i] = b[i] + b[i + 4];
	}
	mul4(p0, a, b);
	mul4(p1, a + 4, b + 4);
	mul4(p2, as, bs);
	fe_combine(h, p0, p1, p2);
}

static void fe_sq(fe h, const fe a)
{
	uint64_t as[4];
	u128 p0[7], p1[7], p2[7];
	#pragma GCC unroll 16
	for (int i = 0; i < 4; i++)
		as[i] = a[i] + a[i + 4];
	sq4(p0, a);
	sq4(p1, a + 4);
	sq4(p2, as);
	fe_combine(h, p0, p1, p2);
}

static void fe_sqn(fe h, const fe a, int n)
{
	fe_sq(h, a);
	while (--n > 0)
		fe_sq(h, h);
}

/* The canonical representative: limbs < 2^56, value < p. */
static void fe_canon(fe h, const fe f)
{
	uint64_t t[8];
	memcpy(t, f, sizeof(t));
	for (;;) {
		for (int i = 0; i < 7; i++) {
			t[i + 1] += t[i] >> 56;
			t[i] &= M56;
		}
		uint64_t top = t[7] >> 56;
		t[7] &= M56;
		if (!top)
			break;
		t[0] += top;
		t[4] += top;
	}
	/* now t < 2^448 < 2p: subtract p once if t >= p */
	uint64_t s[8], borrow = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t pi = i == 4 ? M56 - 1 : M56;
		uint64_t v = t[i] - pi - borrow;
		borrow = v >> 63;
		s[i] = v & M56;
	}
	memcpy(h, borrow ? t : s, sizeof(fe));
}

static bool fe_eq(const fe f, const fe g)
{
	fe a, b;
	fe_canon(a, f);
	fe_canon(b, g);
	return memcmp(a, b, sizeof(fe)) == 0;
}

static bool fe_is_zero(const fe f)
{
	fe a;
	fe_canon(a, f);
	for (int i = 0; i < 8; i++)
		if (a[i])
			return false;
	return true;
}

static void fe_neg(fe h, const fe f)
{
	fe z;
	fe_0(z);
	fe_sub(h, z, f);
}

/* 56 octets, little-endian, 7 to a limb; any value < 2^448. */
static void fe_frombytes(fe h, const uint8_t s[56])
{
	for (int i = 0; i < 8; i++) {
		uint64_t v = 0;
		for (int j = 6; j >= 0; j--)
			v = v << 8 | s[7 * i + j];
		h[i] = v;
	}
}

/* True when the 56 little-endian octets are < p = 2^448 - 2^224 - 1 (octet 28
 * is 0xfe, every other one 0xff). */
static bool octets_below_p(const uint8_t s[56])
{
	for (int i = 55; i >= 0; i--) {
		uint8_t pi = i == 28 ? 0xfe : 0xff;
		if (s[i] != pi)
			return s[i] < pi;
	}
	return false;
}

/* x2 = a^(2^2 - 1), returns a^(2^222 - 1): the common head of inversion and
 * square root. */
static void fe_pow222(fe x222, fe x2, const fe a)
{
	fe x3, x6, x12, x24, x30, x48, x96, x192, t;
	fe_sq(t, a);
	fe_mul(x2, t, a);
	fe_sq(t, x2);
	fe_mul(x3, t, a);
	fe_sqn(t, x3, 3);
	fe_mul(x6, t, x3);
	fe_sqn(t, x6, 6);
	fe_mul(x12, t, x6);
	fe_sqn(t, x12, 12);
	fe_mul(x24, t, x12);
	fe_sqn(t, x24, 6);
	fe_mul(x30, t, x6);
	fe_sqn(t, x24, 24);
	fe_mul(x48, t, x24);
	fe_sqn(t, x48, 48);
	fe_mul(x96, t, x48);
	fe_sqn(t, x96, 96);
	fe_mul(x192, t, x96);
	fe_sqn(t, x192, 30);
	fe_mul(x222, t, x30);
}

/* h = a^(p - 2) = a^((2^223 - 1) 2^225 + 2^224 - 3); 0 for a = 0. */
static void fe_inv(fe h, const fe a)
{
	fe x222, x2, x223, lo, t;
	fe_pow222(x222, x2, a);
	fe_sq(t, x222);
	fe_mul(x223, t, a);  /* a^(2^223 - 1) */
	fe_sq(t, t);
	fe_mul(lo, t, a);    /* a^(2^224 - 3) */
	fe_sqn(t, x223, 225);
	fe_mul(h, t, lo);
}

/* h = a^((p - 3) / 4) = a^((2^223 - 1) 2^223 + 2^222 - 1). */
static void fe_pow_p34(fe h, const fe a)
{
	fe x222, x2, x223, t;
	fe_pow222(x222, x2, a);
	fe_sq(t, x222);
	fe_mul(x223, t, a);
	fe_sqn(t, x223, 223);
	fe_mul(h, t, x222);
}

/* ---- points ---- */

struct pt {
	fe X, Y, Z, T; /* x = X/Z, y = Y/Z, xy = T/Z */
};

static void pt_identity(struct pt *p)
{
	fe_0(p->X);
	fe_1(p->Y);
	fe_1(p->Z);
	fe_0(p->T);
}

/* r = 2p (dbl-2008-bbjlp, a = 1); T only when with_t, it costs a product. */
static inline void pt_dbl(struct pt *r, const struct pt *p, bool with_t)
{
	fe c, d, b, h, e, j, bme, cmd, s;
	fe_sq(c, p->X);
	fe_sq(d, p->Y);
	fe_add(s, p->X, p->Y);
	fe_sq(b, s);
	fe_sq(h, p->Z);
	fe_add(e, c, d);
	fe_add(h, h, h);
	fe_sub(j, e, h);
	fe_sub(bme, b, e);
	fe_sub(cmd, c, d);
	fe_mul(r->X, bme, j);
	fe_mul(r->Y, e, cmd);
	fe_mul(r->Z, e, j);
	if (with_t)
		fe_mul(r->T, bme, cmd);
}

/* r = p + q or p - q (neg) for affine q (add-2008-hwcd, a = 1, Z2 = 1). */
static inline void pt_add_affine(struct pt *r, const struct pt *p,
				 const struct tw_ed448_affine *q, bool neg, bool with_t)
{
	fe a, b, c, m, sx, qs, e, f, g, h, t;
	fe_mul(a, p->X, q->x);
	fe_mul(b, p->Y, q->y);
	fe_mul(c, p->T, q->dxy);
	fe_add(sx, p->X, p->Y);
	if (neg)
		fe_sub(qs, q->y, q->x);
	else
		fe_add(qs, q->y, q->x);
	fe_mul(m, sx, qs);
	if (neg) { /* x -> -x: a, c and the cross term change sign */
		fe_add(t, m, a);
		fe_sub(e, t, b);
		fe_add(h, b, a);
		fe_add(f, p->Z, c);
		fe_sub(g, p->Z, c);
	} else {
		fe_add(t, a, b);
		fe_sub(e, m, t);
		fe_sub(h, b, a);
		fe_sub(f, p->Z, c);
		fe_add(g, p->Z, c);
	}
	fe_mul(r->X, e, f);
	fe_mul(r->Y, g, h);
	fe_mul(r->Z, f, g);
	if (with_t)
		fe_mul(r->T, e, h);
}

/* r = p + q, both extended (for building tables). */
static void pt_add(struct pt *r, const struct pt *p, const struct pt *q)
{
	fe a, b, c, dd, s1, s2, m, e, f, g, h, t;
	fe_mul(a, p->X, q->X);
	fe_mul(b, p->Y, q->Y);
	fe_mul(t, p->T, q->T);
	fe_mul(c, t, fe_d);
	fe_mul(dd, p->Z, q->Z);
	fe_add(s1, p->X, p->Y);
	fe_add(s2, q->X, q->Y);
	fe_mul(m, s1, s2);
	fe_add(t, a, b);
	fe_sub(e, m, t);
	fe_sub(h, b, a);
	fe_sub(f, dd, c);
	fe_add(g, dd, c);
	fe_mul(r->X, e, f);
	fe_mul(r->Y, g, h);
	fe_mul(r->Z, f, g);
	fe_mul(r->T, e, h);
}

/* tab[i] = (2i + 1) p, affine, with one inversion for the whole table. */
static void build_table(struct tw_ed448_affine *tab, int n, const struct pt *p)
{
	struct pt m[B_TABLE], p2;
	fe acc[B_TABLE], inv, zi, t;
	m[0] = *p;
	pt_dbl(&p2, p, true);
	for (int i = 1; i < n; i++)
		pt_add(&m[i], &m[i - 1], &p2);
	/* Montgomery's trick: acc[i] = Z0 .. Zi */
	fe_copy(acc[0], m[0].Z);
	for (int i = 1; i < n; i++)
		fe_mul(acc[i], acc[i - 1], m[i].Z);
	fe_inv(inv, acc[n - 1]);
	for (int i = n - 1; i >= 0; i--) {
		if (i > 0) {
			fe_mul(zi, inv, acc[i - 1]);
			fe_mul(inv, inv, m[i].Z);
		} else {
			fe_copy(zi, inv);
		}
		fe_mul(t, m[i].X, zi);
		fe_canon(tab[i].x, t);
		fe_mul(t, m[i].Y, zi);
		fe_canon(tab[i].y, t);
		fe_mul(t, tab[i].x, tab[i].y);
		fe_mul(t, t, fe_d);
		fe_canon(tab[i].dxy, t);
	}
}

static void pt_dbl_n(struct pt *r, const struct pt *p, int n)
{
	*r = *p;
	for (int i = 0; i < n; i++)
		pt_dbl(r, r, true);
}

static struct tw_ed448_affine base_tab[2][B_TABLE]; /* B, 2^224 B */
static pthread_once_t base_once = PTHREAD_ONCE_INIT;
static EVP_MD *shake256;

static void base_init(void)
{
	struct pt b, b224;
	fe_copy(b.X, base_x);
	fe_copy(b.Y, base_y);
	fe_1(b.Z);
	fe_mul(b.T, base_x, base_y);
	build_table(base_tab[0], B_TABLE, &b);
	pt_dbl_n(&b224, &b, HALF);
	build_table(base_tab[1], B_TABLE, &b224);
	shake256 = EVP_MD_fetch(NULL, "SHAKE256", NULL);
}

/* RFC 8032 §5.2.3 decoding, with OpenSSL's leniency for x = 0 (crypto/ed448.h). */
static bool pt_decode(struct pt *p, const uint8_t s[57])
{
	if (s[56] & 0x7f || !octets_below_p(s))
		return false;
	fe y, yy, u, v, u3v, u5v3, t, x;
	fe_frombytes(y, s);
	fe_sq(yy, y);
	fe_1(t);
	fe_sub(u, t, yy);          /* 1 - y^2 */
	fe_mul(v, yy, fe_d);
	fe_sub(v, t, v);           /* 1 - d y^2 */
	fe_sq(t, u);
	fe_mul(t, t, u);
	fe_mul(u3v, t, v);         /* u^3 v */
	fe_sq(t, u);
	fe_mul(t, t, u3v);
	fe_sq(u5v3, v);
	fe_mul(u5v3, u5v3, t);     /* u^5 v^3 */
	fe_pow_p34(t, u5v3);
	fe_mul(x, u3v, t);         /* (u/v)^((p + 1) / 4) when u/v is a square */
	fe_sq(t, x);
	fe_mul(t, t, v);
	if (!fe_eq(t, u))
		return false;
	if (fe_is_zero(x)) /* (0, 1) and (0, -1): OpenSSL refuses them */
		return false;
	fe_canon(x, x);
	if ((x[0] & 1) != (uint64_t)(s[56] >> 7))
		fe_neg(x, x);
	fe_canon(p->X, x);
	fe_canon(p->Y, y);
	fe_1(p->Z);
	fe_mul(p->T, p->X, p->Y);
	return true;
}

int tw_ed448_prepare(struct tw_ed448_key *k, const uint8_t pub[57])
{
	pthread_once(&base_once, base_init);
	memcpy(k->pub, pub, 57);
	k->valid = false;
	struct pt a, a224;
	if (!pt_decode(&a, pub))
		return -TW_ECRYPTO_KEY;
	fe_neg(a.X, a.X);
	fe_neg(a.T, a.T);
	build_table(k->neg_a[0], TW_ED448_A_TABLE, &a);
	pt_dbl_n(&a224, &a, HALF);
	build_table(k->neg_a[1], TW_ED448_A_TABLE, &a224);
	k->valid = true;
	return 0;
}

/* ---- scalars mod L ---- */

/* r = the n-word little-endian number x (n <= 15) mod L: fold the bits above
 * 446 back with 2^446 = c (mod L) until none are left, then subtract L. */
static void mod_l(uint64_t r[7], const uint64_t *x, int n)
{
	uint64_t v[16] = {0};
	memcpy(v, x, (size_t)n * 8);
	for (;;) {
		uint64_t hi[10] = {0};
		int hn = 0;
		for (int j = 0; j + 6 < n; j++) {
			hi[j] = v[6 + j] >> 62 | (j + 7 < n ? v[7 + j] << 2 : 0);
			if (hi[j])
				hn = j + 1;
		}
		if (!hn)
			break;
		for (int i = 7; i < 16; i++)
			v[i] = 0;
		v[6] &= (UINT64_C(1) << 62) - 1;
		for (int j = 0; j < hn; j++) {
			uint64_t carry = 0;
			for (int i = 0; i < 4; i++) {
				u128 t = (u128)hi[j] * c_words[i] + v[i + j] + carry;
				v[i + j] = (uint64_t)t;
				carry = (uint64_t)(t >> 64);
			}
			for (int i = j + 4; carry; i++) {
				v[i] += carry;
				carry = v[i] < carry;
			}
		}
		n = hn + 5 > 7 ? hn + 5 : 7;
	}
	for (;;) { /* v < 2^446 < 2L */
		uint64_t s[7], borrow = 0;
		for (int i = 0; i < 7; i++) {
			u128 t = (u128)v[i] - l_words[i] - borrow;
			s[i] = (uint64_t)t;
			borrow = (uint64_t)(t >> 64) & 1;
		}
		if (borrow)
			break;
		memcpy(v, s, sizeof(s));
	}
	memcpy(r, v, 7 * 8);
}

static inline unsigned scalar_bit(const uint64_t s[7], int b)
{
	return b < 448 ? (unsigned)(s[b / 64] >> (b % 64)) & 1 : 0;
}

/* Signed digits (odd, |d| < 2^(w-1)) of bits [start, start + HALF) of s. */
static void wnaf(int8_t out[NDIGITS], const uint64_t s[7], int start, int w)
{
	int carry = 0, bit = 0;
	memset(out, 0, NDIGITS);
	while (bit < NDIGITS) {
		unsigned b = bit < HALF ? scalar_bit(s, start + bit) : 0;
		if ((int)b == carry) {
			bit++;
			continue;
		}
		int now = w < NDIGITS - bit ? w : NDIGITS - bit;
		int word = carry;
		for (int i = 0; i < now; i++)
			if (bit + i < HALF)
				word += (int)scalar_bit(s, start + bit + i) << i;
		carry = (word >> (w - 1)) & 1;
		word -= carry << w;
		out[bit] = (int8_t)word;
		bit += now;
	}
}

static void words_from_octets(uint64_t *w, int n, const uint8_t *s, size_t len)
{
	memset(w, 0, (size_t)n * 8);
	for (size_t i = 0; i < len; i++)
		w[i / 8] |= (uint64_t)s[i] << (8 * (i % 8));
}

/* RFC 8032 §5.2.7, checked the way OpenSSL checks it (crypto/ed448.h). */
bool tw_ed448_verify(const struct tw_ed448_key *k, const uint8_t *msg, size_t len,
		     const uint8_t sig[114])
{
	if (!k->valid)
		return false;
	const uint8_t *r_enc = sig, *s_enc = sig + 57;
	for (int i = 56;; i--) { /* S < L */
		if (s_enc[i] != l_octets[i]) {
			if (s_enc[i] > l_octets[i])
				return false;
			break;
		}
		if (i == 0)
			return false;
	}
	if (r_enc[56] & 0x7f || !octets_below_p(r_enc))
		return false;

	static const uint8_t dom4[10] = {'S', 'i', 'g', 'E', 'd', '4', '4', '8', 0, 0};
	uint8_t h[114];
	EVP_MD_CTX *md = tw_md_ctx();
	if (!md || !shake256 || !EVP_DigestInit_ex(md, shake256, NULL) ||
	    !EVP_DigestUpdate(md, dom4, sizeof(dom4)) || !EVP_DigestUpdate(md, r_enc, 57) ||
	    !EVP_DigestUpdate(md, k->pub, 57) || !EVP_DigestUpdate(md, msg, len) ||
	    !EVP_DigestFinalXOF(md, h, sizeof(h)))
		return false;

	uint64_t hw[15], kk[7], ss[7];
	words_from_octets(hw, 15, h, sizeof(h));
	mod_l(kk, hw, 15);
	words_from_octets(ss, 7, s_enc, 56); /* octet 56 of S < L is 0 */

	int8_t dg[4][NDIGITS];
	wnaf(dg[0], ss, 0, B_WINDOW);
	wnaf(dg[1], ss, HALF, B_WINDOW);
	wnaf(dg[2], kk, 0, TW_ED448_A_WINDOW);
	wnaf(dg[3], kk, HALF, TW_ED448_A_WINDOW);
	const struct tw_ed448_affine *tab[4] = {base_tab[0], base_tab[1], k->neg_a[0],
						k->neg_a[1]};

	struct pt q;
	bool started = false;
	for (int i = NDIGITS - 1; i >= 0; i--) {
		int adds = (dg[0][i] != 0) + (dg[1][i] != 0) + (dg[2][i] != 0) + (dg[3][i] != 0);
		if (started)
			pt_dbl(&q, &q, adds > 0);
		for (int t = 0; t < 4; t++) {
			int d = dg[t][i];
			if (!d)
				continue;
			adds--;
			const struct tw_ed448_affine *e = &tab[t][(d < 0 ? -d : d) >> 1];
			if (!started) {
				fe_copy(q.X, e->x);
				if (d < 0)
					fe_neg(q.X, q.X);
				fe_copy(q.Y, e->y);
				fe_1(q.Z);
				fe_mul(q.T, q.X, q.Y);
				started = true;
			} else {
				pt_add_affine(&q, &q, e, d < 0, adds > 0);
			}
		}
	}
	if (!started)
		pt_identity(&q);

	/* R must be one of Q, Q + (0, -1) = (-x, -y), Q + (1, 0) = (y, -x) and
	 * Q - (1, 0) = (-y, x), encoded as OpenSSL decodes. */
	fe zi, x, y, nx, ny;
	fe_inv(zi, q.Z);
	fe_mul(x, q.X, zi);
	fe_mul(y, q.Y, zi);
	fe_canon(x, x);
	fe_canon(y, y);
	fe_neg(nx, x);
	fe_canon(nx, nx);
	fe_neg(ny, y);
	fe_canon(ny, ny);
	const uint64_t *cand[4][2] = {{x, y}, {nx, ny}, {y, nx}, {ny, x}};
	fe ry;
	fe_frombytes(ry, r_enc);
	unsigned sign = r_enc[56] >> 7;
	for (int c = 0; c < 4; c++) {
		const uint64_t *cx = cand[c][0], *cy = cand[c][1];
		if (memcmp(cy, ry, sizeof(fe)) != 0)
			continue;
		bool x0 = true;
		for (int i = 0; i < 8; i++)
			x0 &= cx[i] == 0;
		if (!x0 && (cx[0] & 1) == sign) /* x = 0 does not decode */
			return true;
	}
	return false;
}
