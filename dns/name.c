/* Domain names: decompression, canonical form and ordering, presentation format. */
#include "dns/name.h"

#include <string.h>

#include "dns/error.h"

/* ASCII-only lower-casing: RFC 4343 says DNS case-insensitivity covers A-Z
 * only; other octets are compared as they are. */
static inline uint8_t lc(uint8_t c)
{
	return (uint8_t)((unsigned)(c - 'A') < 26u ? c + 32 : c);
}

int tw_dns_name_unpack(const uint8_t *msg, size_t msg_len, size_t off, uint8_t *out,
		       size_t *name_len, size_t *wire_len)
{
	size_t pos = off;
	size_t limit = off; /* a pointer must land strictly before this */
	size_t olen = 0;
	size_t consumed = 0;
	bool jumped = false;

	for (;;) {
		if (pos >= msg_len)
			return -TW_EDNS_TRUNC;
		uint8_t c = msg[pos];
		if (c == 0) {
			if (olen + 1 > TW_DNS_NAME_MAXLEN)
				return -TW_EDNS_NAME_LEN;
			if (out)
				out[olen] = 0;
			olen++;
			if (!jumped)
				consumed = pos + 1 - off;
			break;
		}
		switch (c & 0xC0) {
		case 0xC0: {
			if (pos + 1 >= msg_len)
				return -TW_EDNS_TRUNC;
			size_t target = ((size_t)(c & 0x3F) << 8) | msg[pos + 1];
			/* RFC 1035 §4.1.4 points to a prior occurrence; requiring every jump
			 * to land before the run it came from makes loops impossible. */
			if (target >= limit)
				return -TW_EDNS_PTR_LOOP;
			if (!jumped)
				consumed = pos + 2 - off;
			jumped = true;
			limit = target;
			pos = target;
			continue;
		}
		case 0x40:
		case 0x80:
			return -TW_EDNS_LABEL_TYPE; /* RFC 6891 §5: extended label types */
		default:
			break;
		}
		/* c <= 63 here */
		if (pos + 1 + c > msg_len)
			return -TW_EDNS_TRUNC;
		if (olen + 1 + c + 1 > TW_DNS_NAME_MAXLEN)
			return -TW_EDNS_NAME_LEN;
		if (out)
			memcpy(out + olen, msg + pos, 1 + (size_t)c);
		olen += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
	if (name_len)
		*name_len = olen;
	if (wire_len)
		*wire_len = consumed;
	return 0;
}

int tw_dns_name_check(const uint8_t *p, size_t len, size_t *name_len)
{
	size_t pos = 0;
	for (;;) {
		if (pos >= len)
			return -TW_EDNS_TRUNC;
		uint8_t c = p[pos];
		if (c == 0)
			break;
		if ((c & 0xC0) == 0xC0)
			return -TW_EDNS_PTR_BAD;
		if (c & 0xC0)
			return -TW_EDNS_LABEL_TYPE;
		if (pos + 1 + c > len)
			return -TW_EDNS_TRUNC;
		pos += 1 + (size_t)c;
		if (pos + 1 > TW_DNS_NAME_MAXLEN)
			return -TW_EDNS_NAME_LEN;
	}
	if (name_len)
		*name_len = pos + 1;
	return 0;
}

size_t tw_dns_name_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p)
		p += 1 + *p;
	return (size_t)(p - name) + 1;
}

unsigned tw_dns_name_labels(const uint8_t *name)
{
	unsigned n = 0;
	for (const uint8_t *p = name; *p; p += 1 + *p)
		n++;
	return n;
}

bool tw_dns_name_is_wildcard(const uint8_t *name)
{
	return name[0] == 1 && name[1] == '*';
}

unsigned tw_dns_name_rrsig_labels(const uint8_t *name)
{
	unsigned n = tw_dns_name_labels(name);
	return tw_dns_name_is_wildcard(name) ? n - 1 : n;
}

void tw_dns_name_lower(uint8_t *name)
{
	for (uint8_t *p = name; *p; p += 1 + *p)
		for (unsigned i = 1; i <= *p; i++)
			p[i] = lc(p[i]);
}

size_t tw_dns_name_copy_lower(uint8_t *out, const uint8_t *name)
{
	size_t len = tw_dns_name_len(name);
	size_t i = 0;
	while (name[i]) {
		uint8_t l = name[i];
		out[i] = l;
		for (unsigned k = 1; k <= l; k++)
			out[i + k] = lc(name[i + k]);
		i += 1 + (size_t)l;
	}
	out[i] = 0;
	return len;
}

bool tw_dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		uint8_t l = *a;
		if (l == 0)
			return true;
		for (unsigned i = 1; i <= l; i++)
			if (lc(a[i]) != lc(b[i]))
				return false;
		a += 1 + l;
		b += 1 + l;
	}
}

/* Fills `offs` with the offset of each label (root excluded); returns the count. */
static unsigned label_offsets(const uint8_t *name, uint8_t offs[TW_DNS_NAME_MAXLABELS])
{
	unsigned n = 0;
	for (unsigned i = 0; name[i]; i += 1 + name[i])
		offs[n++] = (uint8_t)i;
	return n;
}

static int label_cmp(const uint8_t *a, const uint8_t *b)
{
	unsigned la = a[0], lb = b[0];
	unsigned m = la < lb ? la : lb;
	for (unsigned i = 1; i <= m; i++) {
		int d = (int)lc(a[i]) - (int)lc(b[i]);
		if (d)
			return d;
	}
	return (int)la - (int)lb;
}

int tw_dns_name_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[TW_DNS_NAME_MAXLABELS], ob[TW_DNS_NAME_MAXLABELS];
	unsigned na = label_offsets(a, oa);
	unsigned nb = label_offsets(b, ob);
	while (na && nb) {
		int d = label_cmp(a + oa[--na], b + ob[--nb]);
		if (d)
			return d;
	}
	/* RFC 4034 §6.1: the name with fewer labels sorts first */
	return (int)na - (int)nb;
}

const uint8_t *tw_dns_name_parent(const uint8_t *name)
{
	return name[0] ? name + 1 + name[0] : NULL;
}

const uint8_t *tw_dns_name_suffix(const uint8_t *name, unsigned nlabels)
{
	unsigned n = tw_dns_name_labels(name);
	if (nlabels > n)
		return NULL;
	for (unsigned skip = n - nlabels; skip; skip--)
		name += 1 + name[0];
	return name;
}

bool tw_dns_name_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	unsigned nz = tw_dns_name_labels(zone);
	const uint8_t *s = tw_dns_name_suffix(name, nz);
	return s && tw_dns_name_equal(s, zone);
}

unsigned tw_dns_name_common_labels(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[TW_DNS_NAME_MAXLABELS], ob[TW_DNS_NAME_MAXLABELS];
	unsigned na = label_offsets(a, oa);
	unsigned nb = label_offsets(b, ob);
	unsigned common = 0;
	while (na && nb) {
		const uint8_t *la = a + oa[--na], *lb = b + ob[--nb];
		if (la[0] != lb[0] || label_cmp(la, lb) != 0)
			break;
		common++;
	}
	return common;
}

uint64_t tw_dns_name_hash(const uint8_t *name, uint64_t seed)
{
	/* FNV-1a over the lower-cased octets, then a 64-bit finaliser (splitmix) so
	 * that low bits are usable as a bucket index. */
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t len = tw_dns_name_len(name);
	for (size_t i = 0; i < len; i++) {
		h ^= lc(name[i]);
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/* Follows pointers at `off` until a label or the root; the name was checked. */
static size_t follow(const uint8_t *msg, size_t off)
{
	while ((msg[off] & 0xC0) == 0xC0)
		off = ((size_t)(msg[off] & 0x3F) << 8) | msg[off + 1];
	return off;
}

bool tw_dns_name_equal_wire(const uint8_t *msg, size_t msg_len, size_t a, size_t b)
{
	(void)msg_len;
	for (;;) {
		a = follow(msg, a);
		b = follow(msg, b);
		if (a == b)
			return true;
		uint8_t l = msg[a];
		if (l != msg[b])
			return false;
		if (l == 0)
			return true;
		for (unsigned i = 1; i <= l; i++)
			if (lc(msg[a + i]) != lc(msg[b + i]))
				return false;
		a += 1 + (size_t)l;
		b += 1 + (size_t)l;
	}
}

static int digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

int tw_dns_name_from_str(const char *s, size_t slen, const uint8_t *origin, uint8_t *out,
			 size_t *out_len)
{
	if (slen == 0)
		return -TW_EDNS_SYNTAX;
	if (slen == 1 && s[0] == '@') {
		if (!origin)
			return -TW_EDNS_SYNTAX;
		size_t n = tw_dns_name_len(origin);
		memmove(out, origin, n);
		*out_len = n;
		return 0;
	}
	if (slen == 1 && s[0] == '.') {
		out[0] = 0;
		*out_len = 1;
		return 0;
	}
	size_t olen = 0;   /* octets written, the current label's length octet included */
	size_t lab = 0;    /* offset of the current label's length octet */
	unsigned llen = 0; /* current label length */
	bool absolute = false;
	out[0] = 0;
	olen = 1;
	for (size_t i = 0; i < slen; i++) {
		char c = s[i];
		uint8_t octet;
		if (c == '.') {
			if (llen == 0)
				return -TW_EDNS_SYNTAX; /* empty label, or leading dot */
			out[lab] = (uint8_t)llen;
			if (i == slen - 1) {
				absolute = true;
				break;
			}
			lab = olen;
			if (olen + 1 > TW_DNS_NAME_MAXLEN)
				return -TW_EDNS_NAME_LEN;
			out[olen++] = 0;
			llen = 0;
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= slen)
				return -TW_EDNS_SYNTAX;
			int d0 = digit(s[i + 1]);
			if (d0 >= 0) {
				if (i + 3 >= slen)
					return -TW_EDNS_SYNTAX;
				int d1 = digit(s[i + 2]), d2 = digit(s[i + 3]);
				if (d1 < 0 || d2 < 0)
					return -TW_EDNS_SYNTAX;
				int v = d0 * 100 + d1 * 10 + d2;
				if (v > 255)
					return -TW_EDNS_SYNTAX;
				octet = (uint8_t)v;
				i += 3;
			} else {
				octet = (uint8_t)s[i + 1];
				i += 1;
			}
		} else {
			octet = (uint8_t)c;
		}
		if (llen == TW_DNS_LABEL_MAXLEN)
			return -TW_EDNS_LABEL_LEN;
		if (olen + 1 > TW_DNS_NAME_MAXLEN - 1)
			return -TW_EDNS_NAME_LEN;
		out[olen++] = octet;
		llen++;
	}
	if (!absolute) {
		out[lab] = (uint8_t)llen;
		if (!origin)
			return -TW_EDNS_SYNTAX;
		size_t on = tw_dns_name_len(origin);
		if (olen + on > TW_DNS_NAME_MAXLEN)
			return -TW_EDNS_NAME_LEN;
		memmove(out + olen, origin, on);
		olen += on;
	} else {
		if (olen + 1 > TW_DNS_NAME_MAXLEN)
			return -TW_EDNS_NAME_LEN;
		out[olen++] = 0;
	}
	*out_len = olen;
	return 0;
}

int tw_dns_name_to_str(const uint8_t *name, char *buf, size_t cap)
{
	char tmp[TW_DNS_NAME_STRLEN];
	size_t n = 0;
	if (name[0] == 0)
		tmp[n++] = '.';
	for (const uint8_t *p = name; *p; p += 1 + *p) {
		for (unsigned i = 1; i <= *p; i++) {
			uint8_t c = p[i];
			if (c <= 0x20 || c >= 0x7f) {
				tmp[n++] = '\\';
				tmp[n++] = (char)('0' + c / 100);
				tmp[n++] = (char)('0' + (c / 10) % 10);
				tmp[n++] = (char)('0' + c % 10);
			} else if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' ||
				   c == ';' || c == '@' || c == '$') {
				tmp[n++] = '\\';
				tmp[n++] = (char)c;
			} else {
				tmp[n++] = (char)c;
			}
		}
		tmp[n++] = '.';
	}
	/* at most 4 characters per octet of a <= 255-octet name: tmp cannot overflow */
	if (n + 1 > cap)
		return -TW_ENOSPC;
	memcpy(buf, tmp, n);
	buf[n] = 0;
	return (int)n;
}
