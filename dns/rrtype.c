/* RR type table: mnemonics and RDATA layouts, layout checks and canonical form. */
#include "dns/rrtype.h"

#include <stdio.h>
#include <strings.h>

#include "dns/error.h"
#include "dns/name.h"
#include "dns/rdata_field.h"
#include "dns/wire.h"

#define N_C (TW_RDF_NAME | TW_RDF_F_DECOMPRESS | TW_RDF_F_COMPRESS | TW_RDF_F_LOWER)
#define N_D (TW_RDF_NAME | TW_RDF_F_DECOMPRESS | TW_RDF_F_LOWER)
#define N_L (TW_RDF_NAME | TW_RDF_F_LOWER)
#define N_K (TW_RDF_NAME) /* neither compressed nor lower-cased */

/* Layouts from the defining RFCs; the flags follow RFC 3597 §4 (which names may
 * arrive compressed), RFC 1035 (which we may compress) and RFC 4034 §6.2 as
 * corrected by RFC 6840 §5.1 (NSEC's next name is not lower-cased). */
/* Indexed by type number: one load finds a layout on the parse path. */
static const struct tw_dns_rdesc types[TW_DNS_T_CAA + 1] = {
	[TW_DNS_T_A] = { "A", { TW_RDF_A } },
	[TW_DNS_T_NS] = { "NS", { N_C } },
	[TW_DNS_T_MD] = { "MD", { N_C } },
	[TW_DNS_T_MF] = { "MF", { N_C } },
	[TW_DNS_T_CNAME] = { "CNAME", { N_C } },
	[TW_DNS_T_SOA] = { "SOA", { N_C, N_C, TW_RDF_U32, TW_RDF_U32, TW_RDF_U32, TW_RDF_U32,
				   TW_RDF_U32 } },
	[TW_DNS_T_MB] = { "MB", { N_C } },
	[TW_DNS_T_MG] = { "MG", { N_C } },
	[TW_DNS_T_MR] = { "MR", { N_C } },
	[TW_DNS_T_NULL] = { "NULL", { TW_RDF_OPAQUE } },
	[TW_DNS_T_PTR] = { "PTR", { N_C } },
	[TW_DNS_T_HINFO] = { "HINFO", { TW_RDF_STR, TW_RDF_STR } },
	[TW_DNS_T_MINFO] = { "MINFO", { N_C, N_C } },
	[TW_DNS_T_MX] = { "MX", { TW_RDF_U16, N_C } },
	[TW_DNS_T_TXT] = { "TXT", { TW_RDF_STRS } },
	[TW_DNS_T_RP] = { "RP", { N_D, N_D } },
	[TW_DNS_T_AFSDB] = { "AFSDB", { TW_RDF_U16, N_D } },
	[TW_DNS_T_RT] = { "RT", { TW_RDF_U16, N_D } },
	[TW_DNS_T_SIG] = { "SIG", { TW_RDF_TYPE, TW_RDF_U8, TW_RDF_U8, TW_RDF_U32, TW_RDF_TIME,
				   TW_RDF_TIME, TW_RDF_U16, N_D, TW_RDF_B64 } },
	[TW_DNS_T_KEY] = { "KEY", { TW_RDF_U16, TW_RDF_U8, TW_RDF_U8, TW_RDF_B64 } },
	[TW_DNS_T_PX] = { "PX", { TW_RDF_U16, N_D, N_D } },
	[TW_DNS_T_AAAA] = { "AAAA", { TW_RDF_AAAA } },
	[TW_DNS_T_SRV] = { "SRV", { TW_RDF_U16, TW_RDF_U16, TW_RDF_U16, N_D } },
	[TW_DNS_T_NAPTR] = { "NAPTR", { TW_RDF_U16, TW_RDF_U16, TW_RDF_STR, TW_RDF_STR,
				       TW_RDF_STR, N_D } },
	[TW_DNS_T_KX] = { "KX", { TW_RDF_U16, N_L } },
	[TW_DNS_T_CERT] = { "CERT", { TW_RDF_U16, TW_RDF_U16, TW_RDF_U8, TW_RDF_B64 } },
	[TW_DNS_T_DNAME] = { "DNAME", { N_L } },
	[TW_DNS_T_OPT] = { "OPT", { TW_RDF_OPAQUE } },
	[TW_DNS_T_DS] = { "DS", { TW_RDF_U16, TW_RDF_U8, TW_RDF_U8, TW_RDF_HEX } },
	[TW_DNS_T_SSHFP] = { "SSHFP", { TW_RDF_U8, TW_RDF_U8, TW_RDF_HEX } },
	[TW_DNS_T_RRSIG] = { "RRSIG", { TW_RDF_TYPE, TW_RDF_U8, TW_RDF_U8, TW_RDF_U32,
				       TW_RDF_TIME, TW_RDF_TIME, TW_RDF_U16, N_L,
				       TW_RDF_B64 } },
	[TW_DNS_T_NSEC] = { "NSEC", { N_K, TW_RDF_BITMAP } },
	[TW_DNS_T_DNSKEY] = { "DNSKEY", { TW_RDF_U16, TW_RDF_U8, TW_RDF_U8, TW_RDF_B64 } },
	[TW_DNS_T_DHCID] = { "DHCID", { TW_RDF_B64 } },
	[TW_DNS_T_NSEC3] = { "NSEC3", { TW_RDF_U8, TW_RDF_U8, TW_RDF_U16, TW_RDF_SALT,
				       TW_RDF_HASH, TW_RDF_BITMAP } },
	[TW_DNS_T_NSEC3PARAM] = { "NSEC3PARAM", { TW_RDF_U8, TW_RDF_U8, TW_RDF_U16,
						 TW_RDF_SALT } },
	[TW_DNS_T_TLSA] = { "TLSA", { TW_RDF_U8, TW_RDF_U8, TW_RDF_U8, TW_RDF_HEX } },
	[TW_DNS_T_SMIMEA] = { "SMIMEA", { TW_RDF_U8, TW_RDF_U8, TW_RDF_U8, TW_RDF_HEX } },
	[TW_DNS_T_CDS] = { "CDS", { TW_RDF_U16, TW_RDF_U8, TW_RDF_U8, TW_RDF_HEX } },
	[TW_DNS_T_CDNSKEY] = { "CDNSKEY", { TW_RDF_U16, TW_RDF_U8, TW_RDF_U8, TW_RDF_B64 } },
	[TW_DNS_T_OPENPGPKEY] = { "OPENPGPKEY", { TW_RDF_B64 } },
	[TW_DNS_T_CSYNC] = { "CSYNC", { TW_RDF_U32, TW_RDF_U16, TW_RDF_BITMAP } },
	[TW_DNS_T_ZONEMD] = { "ZONEMD", { TW_RDF_U32, TW_RDF_U8, TW_RDF_U8, TW_RDF_HEX } },
	/* SVCB/HTTPS: priority and target are structured (RFC 9460 §2.2: target not
	 * compressed); the parameters stay opaque and print in generic form. */
	[TW_DNS_T_SVCB] = { "SVCB", { TW_RDF_U16, N_K, TW_RDF_OPAQUE } },
	[TW_DNS_T_HTTPS] = { "HTTPS", { TW_RDF_U16, N_K, TW_RDF_OPAQUE } },
	[TW_DNS_T_SPF] = { "SPF", { TW_RDF_STRS } },
	[TW_DNS_T_TSIG] = { "TSIG", { TW_RDF_OPAQUE } },
	[TW_DNS_T_IXFR] = { "IXFR", { TW_RDF_OPAQUE } },
	[TW_DNS_T_AXFR] = { "AXFR", { TW_RDF_OPAQUE } },
	[TW_DNS_T_ANY] = { "ANY", { TW_RDF_OPAQUE } },
	[TW_DNS_T_URI] = { "URI", { TW_RDF_U16, TW_RDF_U16, TW_RDF_STR_REST } },
	[TW_DNS_T_CAA] = { "CAA", { TW_RDF_U8, TW_RDF_STR, TW_RDF_STR_REST } },
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

static inline const struct tw_dns_rdesc *lookup(uint16_t type)
{
	return type < NTYPES && types[type].mnemonic ? &types[type] : NULL;
}

const struct tw_dns_rdesc *tw_dns_rdesc(uint16_t type)
{
	return lookup(type);
}

const char *tw_dns_type_to_str(uint16_t type, char *buf)
{
	const struct tw_dns_rdesc *d = lookup(type);
	if (d)
		return d->mnemonic;
	snprintf(buf, 12, "TYPE%u", (unsigned)type);
	return buf;
}

/* Parses a decimal number of at most 5 digits <= 65535 from s[0..len). */
static int parse_u16(const char *s, size_t len, uint16_t *out)
{
	if (len == 0 || len > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int tw_dns_type_from_str(const char *s, size_t len, uint16_t *type)
{
	if (len > 4 && strncasecmp(s, "TYPE", 4) == 0)
		return parse_u16(s + 4, len - 4, type) == 0 ? 0 : -TW_EDNS_TYPE;
	for (size_t i = 0; i < NTYPES; i++) {
		const char *m = types[i].mnemonic;
		if (m && strlen(m) == len && strncasecmp(m, s, len) == 0) {
			*type = (uint16_t)i;
			return 0;
		}
	}
	return -TW_EDNS_TYPE;
}

static const struct {
	uint16_t cls;
	const char *name;
} classes[] = {
	{ TW_DNS_C_IN, "IN" }, { TW_DNS_C_CH, "CH" },     { TW_DNS_C_HS, "HS" },
	{ TW_DNS_C_NONE, "NONE" }, { TW_DNS_C_ANY, "ANY" },
};

const char *tw_dns_class_to_str(uint16_t cls, char *buf)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].cls == cls)
			return classes[i].name;
	snprintf(buf, 12, "CLASS%u", (unsigned)cls);
	return buf;
}

int tw_dns_class_from_str(const char *s, size_t len, uint16_t *cls)
{
	if (len > 5 && strncasecmp(s, "CLASS", 5) == 0)
		return parse_u16(s + 5, len - 5, cls) == 0 ? 0 : -TW_EDNS_TYPE;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (strlen(classes[i].name) == len && strncasecmp(classes[i].name, s, len) == 0) {
			*cls = classes[i].cls;
			return 0;
		}
	}
	return -TW_EDNS_TYPE;
}

bool tw_dns_type_is_meta(uint16_t type)
{
	/* RFC 6895 §3.1: 128..255 are meta/query types; OPT is meta too. */
	return type == TW_DNS_T_OPT || (type >= 128 && type <= 255);
}

/* RFC 4034 §4.1.2: windows in increasing order, each 1..32 octets. */
static int bitmap_check(const uint8_t *p, size_t len)
{
	size_t pos = 0;
	int last = -1;
	while (pos < len) {
		if (len - pos < 2)
			return -TW_EDNS_RDATA;
		unsigned win = p[pos], blen = p[pos + 1];
		if ((int)win <= last || blen == 0 || blen > 32 || len - pos - 2 < blen)
			return -TW_EDNS_RDATA;
		last = (int)win;
		pos += 2 + blen;
	}
	return 0;
}

int tw_dns_rdf_measure(uint8_t field, const uint8_t *msg, size_t msg_len, size_t pos,
		       size_t end, size_t *len)
{
	size_t left = end - pos;
	size_t n;
	switch (TW_RDF_KIND(field)) {
	case TW_RDF_U8:
		n = 1;
		break;
	case TW_RDF_U16:
	case TW_RDF_TYPE:
		n = 2;
		break;
	case TW_RDF_U32:
	case TW_RDF_TIME:
	case TW_RDF_A:
		n = 4;
		break;
	case TW_RDF_AAAA:
		n = 16;
		break;
	case TW_RDF_NAME: {
		int rc;
		if (field & TW_RDF_F_DECOMPRESS) {
			/* the name may continue anywhere earlier in the message, but the
			 * octets it occupies here must stay inside the RDATA */
			rc = tw_dns_name_unpack(msg, end, pos, NULL, NULL, &n);
		} else {
			rc = tw_dns_name_check(msg + pos, left, &n);
		}
		(void)msg_len;
		if (rc == -TW_EDNS_TRUNC)
			return -TW_EDNS_RDATA;
		if (rc)
			return rc;
		break;
	}
	case TW_RDF_STR:
	case TW_RDF_SALT:
		if (left < 1)
			return -TW_EDNS_RDATA;
		n = 1 + (size_t)msg[pos];
		break;
	case TW_RDF_HASH:
		if (left < 1 || msg[pos] == 0)
			return -TW_EDNS_RDATA;
		n = 1 + (size_t)msg[pos];
		break;
	case TW_RDF_STRS: {
		if (left == 0)
			return -TW_EDNS_RDATA;
		size_t p = 0;
		while (p < left)
			p += 1 + (size_t)msg[pos + p];
		if (p != left)
			return -TW_EDNS_RDATA;
		n = left;
		break;
	}
	case TW_RDF_BITMAP: {
		int rc = bitmap_check(msg + pos, left);
		if (rc)
			return rc;
		n = left;
		break;
	}
	case TW_RDF_STR_REST:
	case TW_RDF_B64:
	case TW_RDF_HEX:
	case TW_RDF_OPAQUE:
		n = left;
		break;
	default:
		return -TW_EDNS_RDATA;
	}
	if (n > left)
		return -TW_EDNS_RDATA;
	*len = n;
	return 0;
}

int tw_dns_rdata_check(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		       uint16_t rdlen)
{
	const struct tw_dns_rdesc *d = lookup(type);
	size_t end = rd_off + rdlen;
	if (end > msg_len)
		return -TW_EDNS_RDLEN;
	if (!d)
		return 0;
	size_t pos = rd_off;
	for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END; i++) {
		size_t n;
		/* fixed-size fields inline: they are most fields of most records */
		switch (TW_RDF_KIND(d->field[i])) {
		case TW_RDF_U8:
			n = 1;
			break;
		case TW_RDF_U16:
		case TW_RDF_TYPE:
			n = 2;
			break;
		case TW_RDF_U32:
		case TW_RDF_TIME:
		case TW_RDF_A:
			n = 4;
			break;
		case TW_RDF_AAAA:
			n = 16;
			break;
		default: {
			int rc = tw_dns_rdf_measure(d->field[i], msg, msg_len, pos, end, &n);
			if (rc)
				return rc;
			break;
		}
		}
		if (n > end - pos)
			return -TW_EDNS_RDATA;
		pos += n;
	}
	return pos == end ? 0 : -TW_EDNS_RDATA;
}

static int rdata_standalone(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
			    uint16_t rdlen, uint8_t *out, size_t cap, size_t *out_len,
			    bool canonical)
{
	const struct tw_dns_rdesc *d = lookup(type);
	size_t end = rd_off + rdlen;
	struct tw_wire_wr w;
	tw_wire_wr_init(&w, out, cap);
	size_t pos = rd_off;
	if (d) {
		for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END;
		     i++) {
			uint8_t f = d->field[i];
			size_t n;
			int rc = tw_dns_rdf_measure(f, msg, msg_len, pos, end, &n);
			if (rc)
				return rc;
			if (TW_RDF_KIND(f) == TW_RDF_NAME) {
				uint8_t name[TW_DNS_NAME_MAXLEN];
				size_t nlen;
				rc = tw_dns_name_unpack(msg, end, pos, name, &nlen, NULL);
				if (rc)
					return rc;
				if (canonical && (f & TW_RDF_F_LOWER))
					tw_dns_name_lower(name);
				tw_wire_wr_bytes(&w, name, nlen);
			} else {
				tw_wire_wr_bytes(&w, msg + pos, n);
			}
			pos += n;
		}
	}
	tw_wire_wr_bytes(&w, msg + pos, end - pos);
	if (w.err)
		return w.err;
	*out_len = (size_t)(w.pos - out);
	/* decompressed names can grow RDATA past what RDLENGTH can express */
	if (*out_len > UINT16_MAX)
		return -TW_EDNS_RDATA;
	return 0;
}

int tw_dns_rdata_canonical(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
			   uint16_t rdlen, uint8_t *out, size_t cap, size_t *out_len)
{
	return rdata_standalone(type, msg, msg_len, rd_off, rdlen, out, cap, out_len, true);
}

int tw_dns_rdata_decompress(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
			    uint16_t rdlen, uint8_t *out, size_t cap, size_t *out_len)
{
	return rdata_standalone(type, msg, msg_len, rd_off, rdlen, out, cap, out_len, false);
}

bool tw_dns_bitmap_has(const uint8_t *bitmap, size_t len, uint16_t type)
{
	unsigned want_win = type >> 8, bit = type & 0xFF;
	size_t pos = 0;
	while (pos + 2 <= len) {
		unsigned win = bitmap[pos], blen = bitmap[pos + 1];
		if (pos + 2 + blen > len)
			return false;
		if (win == want_win) {
			if (bit / 8 >= blen)
				return false;
			return (bitmap[pos + 2 + bit / 8] >> (7 - bit % 8)) & 1;
		}
		if (win > want_win)
			return false;
		pos += 2 + blen;
	}
	return false;
}
