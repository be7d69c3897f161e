/* Bounded cursors over wire-format bytes, with a sticky error.
 *
 * Every read checks the remaining length first. A read that does not fit sets
 * `err` to -TW_EDNS_TRUNC and returns 0; every later read does nothing, so a
 * parser reads a whole structure and checks `err` once at the end. Integers are
 * read with memcpy and converted from network order: never through pointer casts.
 */
#ifndef TW_DNS_WIRE_H
#define TW_DNS_WIRE_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns/error.h"

struct tw_wire_rd {
	const uint8_t *pos;
	const uint8_t *end;
	int err; /* 0 or the first negative TW_E* code */
};

struct tw_wire_wr {
	uint8_t *pos;
	uint8_t *end;
	int err; /* 0 or -TW_ENOSPC */
};

static inline void tw_wire_rd_init(struct tw_wire_rd *r, const uint8_t *p, size_t len)
{
	r->pos = p;
	r->end = p + len;
	r->err = 0;
}

static inline size_t tw_wire_rd_left(const struct tw_wire_rd *r)
{
	return r->err ? 0 : (size_t)(r->end - r->pos);
}

/* Consumes n octets and returns where they start, or NULL (sticky error). */
static inline const uint8_t *tw_wire_rd_take(struct tw_wire_rd *r, size_t n)
{
	if (r->err || (size_t)(r->end - r->pos) < n) {
		if (!r->err)
			r->err = -TW_EDNS_TRUNC;
		return NULL;
	}
	const uint8_t *p = r->pos;
	r->pos += n;
	return p;
}

static inline uint8_t tw_wire_rd_u8(struct tw_wire_rd *r)
{
	const uint8_t *p = tw_wire_rd_take(r, 1);
	return p ? p[0] : 0;
}

static inline uint16_t tw_wire_rd_u16(struct tw_wire_rd *r)
{
	const uint8_t *p = tw_wire_rd_take(r, 2);
	uint16_t v = 0;
	if (p)
		memcpy(&v, p, 2);
	return be16toh(v);
}

static inline uint32_t tw_wire_rd_u32(struct tw_wire_rd *r)
{
	const uint8_t *p = tw_wire_rd_take(r, 4);
	uint32_t v = 0;
	if (p)
		memcpy(&v, p, 4);
	return be32toh(v);
}

static inline void tw_wire_wr_init(struct tw_wire_wr *w, uint8_t *p, size_t cap)
{
	w->pos = p;
	w->end = p + cap;
	w->err = 0;
}

/* Reserves n octets and returns where they start, or NULL (sticky error). */
static inline uint8_t *tw_wire_wr_take(struct tw_wire_wr *w, size_t n)
{
	if (w->err || (size_t)(w->end - w->pos) < n) {
		w->err = -TW_ENOSPC;
		return NULL;
	}
	uint8_t *p = w->pos;
	w->pos += n;
	return p;
}

static inline void tw_wire_wr_bytes(struct tw_wire_wr *w, const void *src, size_t n)
{
	uint8_t *p = tw_wire_wr_take(w, n);
	if (p && n)
		memcpy(p, src, n);
}

static inline void tw_wire_wr_u8(struct tw_wire_wr *w, uint8_t v)
{
	uint8_t *p = tw_wire_wr_take(w, 1);
	if (p)
		p[0] = v;
}

static inline void tw_wire_wr_u16(struct tw_wire_wr *w, uint16_t v)
{
	uint8_t *p = tw_wire_wr_take(w, 2);
	v = htobe16(v);
	if (p)
		memcpy(p, &v, 2);
}

static inline void tw_wire_wr_u32(struct tw_wire_wr *w, uint32_t v)
{
	uint8_t *p = tw_wire_wr_take(w, 4);
	v = htobe32(v);
	if (p)
		memcpy(p, &v, 4);
}

/* Unchecked big-endian loads and stores, for offsets already bounds-checked. */
static inline uint16_t tw_wire_get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return be16toh(v);
}

static inline uint32_t tw_wire_get32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return be32toh(v);
}

static inline void tw_wire_put16(uint8_t *p, uint16_t v)
{
	v = htobe16(v);
	memcpy(p, &v, 2);
}

static inline void tw_wire_put32(uint8_t *p, uint32_t v)
{
	v = htobe32(v);
	memcpy(p, &v, 4);
}

#endif
