/* DNS message builder with name compression and truncation. */
#include "dns/build.h"

#include <string.h>

#include "dns/error.h"
#include "dns/name.h"
#include "dns/rdata_field.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

int tw_dns_build_init(struct tw_dns_build *b, uint8_t *buf, size_t cap, size_t limit,
		      uint16_t id, uint16_t flags, size_t reserve)
{
	size_t max = cap < limit ? cap : limit;
	if (max > TW_DNS_MSG_MAXLEN)
		max = TW_DNS_MSG_MAXLEN;
	if (max < TW_DNS_HDR_LEN + reserve)
		return -TW_ENOSPC;
	b->buf = buf;
	b->limit = (uint16_t)max;
	b->len = TW_DNS_HDR_LEN;
	b->reserve = (uint16_t)reserve;
	b->section = 0;
	b->tc = false;
	memset(b->count, 0, sizeof(b->count));
	b->ncomp = 0;
	memset(buf, 0, TW_DNS_HDR_LEN);
	tw_wire_put16(buf, id);
	tw_wire_put16(buf + 2, flags);
	return 0;
}

static size_t room(const struct tw_dns_build *b)
{
	return (size_t)b->limit - b->reserve - b->len;
}

static uint32_t label_hash(const uint8_t *label)
{
	uint32_t h = 2166136261u;
	for (unsigned i = 0; i <= label[0]; i++) {
		h ^= label[i];
		h *= 16777619u;
	}
	return h;
}

/* True when the uncompressed name `name` equals, octet for octet, the name
 * written at buf[off] (following our own pointers). */
static bool same_as_written(const uint8_t *buf, size_t off, const uint8_t *name)
{
	for (;;) {
		while ((buf[off] & 0xC0) == 0xC0)
			off = ((size_t)(buf[off] & 0x3F) << 8) | buf[off + 1];
		uint8_t l = buf[off];
		if (l != name[0])
			return false;
		if (l == 0)
			return true;
		if (memcmp(buf + off + 1, name + 1, l) != 0)
			return false;
		off += 1 + (size_t)l;
		name += 1 + l;
	}
}

/* Writes `name` at b->len, compressed against names already written when
 * `compress`; remembers the new label positions. Returns 0 or -TW_ENOSPC. */
static int put_name(struct tw_dns_build *b, const uint8_t *name, bool compress)
{
	uint8_t offs[TW_DNS_NAME_MAXLABELS];
	uint32_t hash[TW_DNS_NAME_MAXLABELS + 1];
	unsigned nl = 0;
	for (unsigned i = 0; name[i]; i += 1 + name[i])
		offs[nl++] = (uint8_t)i;
	/* suffix hashes, right to left: hash[i] covers labels i..nl-1 */
	hash[nl] = 0x9E3779B9u;
	for (unsigned i = nl; i-- > 0;)
		hash[i] = (hash[i + 1] * 0x01000193u) ^ label_hash(name + offs[i]);

	unsigned match = nl; /* first label covered by a pointer; nl = none */
	uint16_t target = 0;
	if (compress) {
		for (unsigned i = 0; i < nl && match == nl; i++) {
			for (unsigned k = 0; k < b->ncomp; k++) {
				const struct tw_dns_build_comp *c = &b->comp[k];
				if (c->labels == nl - i && c->hash == hash[i] &&
				    same_as_written(b->buf, c->off, name + offs[i])) {
					match = i;
					target = c->off;
					break;
				}
			}
		}
	}
	size_t head = match < nl ? offs[match] : tw_dns_name_len(name);
	size_t need = head + (match < nl ? 2 : 0);
	if (need > room(b))
		return -TW_ENOSPC;
	size_t start = b->len;
	memcpy(b->buf + start, name, head);
	if (match < nl)
		tw_wire_put16(b->buf + start + head, (uint16_t)(0xC000 | target));
	b->len = (uint16_t)(start + need);
	for (unsigned i = 0; i < match; i++) {
		size_t off = start + offs[i];
		if (off >= 0x4000 || b->ncomp == TW_DNS_BUILD_COMP_MAX)
			break;
		b->comp[b->ncomp++] = (struct tw_dns_build_comp){
			.off = (uint16_t)off,
			.labels = (uint8_t)(nl - i),
			.hash = hash[i],
		};
	}
	return 0;
}

static int put_bytes(struct tw_dns_build *b, const void *p, size_t n)
{
	if (n > room(b))
		return -TW_ENOSPC;
	memcpy(b->buf + b->len, p, n);
	b->len = (uint16_t)(b->len + n);
	return 0;
}

int tw_dns_build_question(struct tw_dns_build *b, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass)
{
	if (b->section > 0)
		return -TW_EDNS_SECTION;
	uint16_t save_len = b->len, save_comp = b->ncomp;
	uint8_t tail[4];
	tw_wire_put16(tail, qtype);
	tw_wire_put16(tail + 2, qclass);
	int rc = put_name(b, qname, true);
	if (rc == 0)
		rc = put_bytes(b, tail, 4);
	if (rc) {
		b->len = save_len;
		b->ncomp = save_comp;
		return rc;
	}
	b->count[0]++;
	return 0;
}

/* Writes stand-alone rdata, compressing names where RFC 1035 allows. */
static int put_rdata(struct tw_dns_build *b, uint16_t type, const uint8_t *rdata,
		     uint16_t rdlen)
{
	const struct tw_dns_rdesc *d = tw_dns_rdesc(type);
	size_t pos = 0;
	if (d) {
		for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END;
		     i++) {
			uint8_t f = d->field[i];
			size_t n;
			/* stand-alone RDATA: names must be uncompressed */
			int rc = tw_dns_rdf_measure(f & ~TW_RDF_F_DECOMPRESS, rdata, rdlen, pos,
						    rdlen, &n);
			if (rc)
				return -TW_EDNS_RDATA;
			if (TW_RDF_KIND(f) == TW_RDF_NAME)
				rc = put_name(b, rdata + pos, (f & TW_RDF_F_COMPRESS) != 0);
			else
				rc = put_bytes(b, rdata + pos, n);
			if (rc)
				return rc;
			pos += n;
		}
		if (pos != rdlen && TW_RDF_KIND(d->field[0]) != TW_RDF_END)
			return -TW_EDNS_RDATA;
	}
	return put_bytes(b, rdata + pos, rdlen - pos);
}

int tw_dns_build_rr(struct tw_dns_build *b, enum tw_dns_section sec, const uint8_t *owner,
		    uint16_t type, uint16_t cls, uint32_t ttl, const uint8_t *rdata,
		    uint16_t rdlen)
{
	unsigned s = (unsigned)sec + 1;
	if (s < b->section)
		return -TW_EDNS_SECTION;
	if (b->tc && s < 3)
		return -TW_EDNS_TC;
	b->section = (uint8_t)s;
	uint16_t save_len = b->len, save_comp = b->ncomp;
	uint8_t fixed[10];
	tw_wire_put16(fixed, type);
	tw_wire_put16(fixed + 2, cls);
	tw_wire_put32(fixed + 4, ttl);
	int rc = put_name(b, owner, true);
	size_t rdlen_at = b->len + 8u;
	if (rc == 0)
		rc = put_bytes(b, fixed, sizeof(fixed));
	size_t rd_start = b->len;
	if (rc == 0)
		rc = put_rdata(b, type, rdata, rdlen);
	if (rc) {
		b->len = save_len;
		b->ncomp = save_comp;
		if (rc == -TW_ENOSPC && s < 3) {
			b->tc = true;
			return -TW_EDNS_TC;
		}
		return rc;
	}
	tw_wire_put16(b->buf + rdlen_at, (uint16_t)(b->len - rd_start));
	b->count[s]++;
	return 0;
}

int tw_dns_build_opt(struct tw_dns_build *b, uint16_t udp_size, uint16_t edns_flags,
		     uint16_t rcode, uint16_t ede_code, const char *ede_text, size_t text_len)
{
	size_t optlen = ede_code == TW_EDE_NONE ? 0 : 6 + text_len;
	size_t need = TW_DNS_OPT_FIXED_LEN + optlen;
	if (optlen > 0xFFFF || need > (size_t)b->limit - b->len)
		return -TW_ENOSPC;
	uint8_t *p = b->buf + b->len;
	p[0] = 0; /* root owner */
	tw_wire_put16(p + 1, TW_DNS_T_OPT);
	tw_wire_put16(p + 3, udp_size);
	/* RFC 6891 §6.1.3: EXTENDED-RCODE, VERSION 0, flags */
	tw_wire_put32(p + 5, ((uint32_t)(rcode >> 4) << 24) | edns_flags);
	tw_wire_put16(p + 9, (uint16_t)optlen);
	if (optlen) {
		tw_wire_put16(p + 11, TW_DNS_OPT_EDE);
		tw_wire_put16(p + 13, (uint16_t)(2 + text_len));
		tw_wire_put16(p + 15, ede_code);
		if (text_len)
			memcpy(p + 17, ede_text, text_len);
	}
	b->len = (uint16_t)(b->len + need);
	b->reserve = 0;
	b->section = 3;
	b->count[3]++;
	tw_dns_build_set_rcode(b, (uint8_t)(rcode & 0xF));
	return 0;
}

void tw_dns_build_set_rcode(struct tw_dns_build *b, uint8_t rcode)
{
	uint16_t flags = tw_wire_get16(b->buf + 2);
	flags = (uint16_t)((flags & ~0xFu) | (rcode & 0xF));
	tw_wire_put16(b->buf + 2, flags);
}

size_t tw_dns_build_finish(struct tw_dns_build *b)
{
	uint16_t flags = tw_wire_get16(b->buf + 2);
	if (b->tc)
		flags |= TW_DNS_F_TC;
	tw_wire_put16(b->buf + 2, flags);
	for (unsigned i = 0; i < 4; i++)
		tw_wire_put16(b->buf + 4 + 2 * i, b->count[i]);
	return b->len;
}
