/* Presentation (zone-file) format: tokenizer, record reader and printer, both
 * driven field by field by the RDATA layout table of dns/rrtype.c. */
#include "dns/zone.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns/codec.h"
#include "dns/error.h"
#include "dns/rdata_field.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

#define RDATA_MAX 65535u
#define SHOW_MAX 40 /* characters of offending input quoted in a message */

/* ---- tokenizer (RFC 1035 §5.1) */

struct lex {
	const char *s;
	size_t len;
	size_t pos;
	unsigned line;       /* physical line of s[pos], 1-based */
	unsigned depth;      /* open parentheses */
	unsigned paren_line; /* line of the outermost open '(' */
	bool nl_is_space;    /* tw_dns_rdata_from_str: a newline never ends the RDATA */
	const char *why;     /* reason of the last error */
	unsigned why_line;
};

struct tok {
	const char *s; /* for a quoted string: the text between the quotes */
	size_t len;
	unsigned line;
	bool quoted;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool ends_bare(char c)
{
	return is_blank(c) || c == '\n' || c == ';' || c == '(' || c == ')' || c == '"';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int lex_fail(struct lex *lx, unsigned line, const char *why)
{
	lx->why = why;
	lx->why_line = line;
	return -TW_EDNS_SYNTAX;
}

static int lex_quoted(struct lex *lx, struct tok *t)
{
	size_t start = ++lx->pos;
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (c == '"') {
			t->s = lx->s + start;
			t->len = lx->pos - start;
			t->quoted = true;
			lx->pos++;
			return 1;
		}
		if (c == '\n')
			break; /* a string never spans lines: resynchronise at the newline */
		if (c == '\\' && lx->pos + 1 < lx->len && lx->s[lx->pos + 1] != '\n')
			lx->pos++;
		lx->pos++;
	}
	return lex_fail(lx, t->line, "unterminated quoted string");
}

/* Next token of the logical line: 1 with *t, 0 at its end (a newline outside
 * parentheses, left unconsumed, or the end of the text), or -TW_EDNS_SYNTAX with
 * lx->why. Comments run from ';' to the end of the physical line; '(' and ')'
 * let a record continue over newlines. Every call that does not return 0
 * consumes input or closes the parentheses, so callers always make progress. */
static int lex_next(struct lex *lx, struct tok *t)
{
	while (lx->pos < lx->len) {
		char c = lx->s[lx->pos];
		if (is_blank(c)) {
			lx->pos++;
		} else if (c == ';') {
			while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
				lx->pos++;
		} else if (c == '\n') {
			if (lx->depth == 0 && !lx->nl_is_space)
				return 0;
			lx->pos++;
			lx->line++;
		} else if (c == '(') {
			if (lx->depth++ == 0)
				lx->paren_line = lx->line;
			lx->pos++;
		} else if (c == ')') {
			lx->pos++;
			if (lx->depth == 0)
				return lex_fail(lx, lx->line, "unbalanced ')'");
			lx->depth--;
		} else {
			t->line = lx->line;
			if (c == '"')
				return lex_quoted(lx, t);
			size_t start = lx->pos;
			while (lx->pos < lx->len && !ends_bare(lx->s[lx->pos])) {
				/* \X keeps X in the token, whatever X is; \DDD needs nothing
				 * special here: digits never end a token */
				if (lx->s[lx->pos] == '\\' && lx->pos + 1 < lx->len &&
				    lx->s[lx->pos + 1] != '\n')
					lx->pos++;
				lx->pos++;
			}
			t->s = lx->s + start;
			t->len = lx->pos - start;
			t->quoted = false;
			return 1;
		}
	}
	if (lx->depth > 0) {
		lx->depth = 0;
		return lex_fail(lx, lx->paren_line, "unbalanced '(': no ')' before the end");
	}
	return 0;
}

/* Steps over the newline that ended a logical line. */
static void lex_end_line(struct lex *lx)
{
	if (lx->pos < lx->len && lx->s[lx->pos] == '\n') {
		lx->pos++;
		lx->line++;
	}
}

/* After an error: drops the rest of the logical line (parenthesised block). */
static void lex_skip_record(struct lex *lx)
{
	struct tok t;
	while (lex_next(lx, &t) != 0)
		;
	lex_end_line(lx);
}

static bool tok_is(const struct tok *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) && strncasecmp(t->s, word, t->len) == 0;
}

/* The token as it may appear in a message: at most SHOW_MAX characters,
 * non-printable ones and '"' replaced by '?'. */
static const char *show(const struct tok *t, char buf[SHOW_MAX + 4])
{
	size_t n = t->len < SHOW_MAX ? t->len : SHOW_MAX;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t->s[i];
		buf[i] = c < 0x20 || c >= 0x7f || c == '"' ? '?' : (char)c;
	}
	if (t->len > SHOW_MAX) {
		memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = 0;
	return buf;
}

/* ---- parse context and messages */

#define FIELD_RDATA 0xFE   /* message about the RDATA as a whole */
#define FIELD_GENERIC 0xFF /* inside the RFC 3597 "\#" form */

struct pctx {
	struct lex *lx;
	const uint8_t *origin;
	uint16_t type;
	unsigned field;      /* index of the RDATA field being read, or FIELD_* */
	struct tw_wire_wr w; /* the RDATA being written */
	uint8_t *out;
	size_t cap;          /* what the caller offered */
	bool pushed;         /* one token of lookahead */
	struct tok push;
	unsigned err_line;
	char msg[TW_DNS_ZONE_ERRLEN]; /* "FIELD: reason" */
};

/* Field names for the messages of the types operators edit by hand; the other
 * types are described by position and kind ("CAA field 2 (string)"). Names
 * are '|'-separated in layout order. */
static const struct {
	uint16_t type;
	const char *names;
} field_names[] = {
	{ TW_DNS_T_SOA, "mname|rname|serial|refresh|retry|expire|minimum" },
	{ TW_DNS_T_MX, "preference|exchange" },
	{ TW_DNS_T_SIG, "type covered|algorithm|labels|original TTL|expiration|inception|"
			"key tag|signer|signature" },
	{ TW_DNS_T_KEY, "flags|protocol|algorithm|public key" },
	{ TW_DNS_T_SRV, "priority|weight|port|target" },
	{ TW_DNS_T_DS, "key tag|algorithm|digest type|digest" },
	{ TW_DNS_T_RRSIG, "type covered|algorithm|labels|original TTL|expiration|inception|"
			  "key tag|signer|signature" },
	{ TW_DNS_T_NSEC, "next name|type bitmap" },
	{ TW_DNS_T_DNSKEY, "flags|protocol|algorithm|public key" },
	{ TW_DNS_T_NSEC3, "hash algorithm|flags|iterations|salt|next hashed owner|type bitmap" },
	{ TW_DNS_T_NSEC3PARAM, "hash algorithm|flags|iterations|salt" },
	{ TW_DNS_T_TLSA, "usage|selector|matching type|data" },
	{ TW_DNS_T_CDS, "key tag|algorithm|digest type|digest" },
	{ TW_DNS_T_CDNSKEY, "flags|protocol|algorithm|public key" },
	{ TW_DNS_T_ZONEMD, "serial|scheme|hash algorithm|digest" },
	{ TW_DNS_T_CAA, "flags|tag|value" },
};

static const char *kind_desc(enum tw_dns_rdf k)
{
	switch (k) {
	case TW_RDF_U8: return "number 0..255";
	case TW_RDF_U16: return "number 0..65535";
	case TW_RDF_U32: return "number 0..4294967295";
	case TW_RDF_A: return "IPv4 address";
	case TW_RDF_AAAA: return "IPv6 address";
	case TW_RDF_NAME: return "domain name";
	case TW_RDF_STR: return "string";
	case TW_RDF_TYPE: return "type";
	case TW_RDF_TIME: return "time";
	case TW_RDF_SALT: return "salt";
	case TW_RDF_HASH: return "hash";
	case TW_RDF_STRS: return "strings";
	case TW_RDF_STR_REST: return "string";
	case TW_RDF_B64: return "base64";
	case TW_RDF_HEX: return "hex";
	case TW_RDF_BITMAP: return "type list";
	case TW_RDF_OPAQUE: return "data";
	case TW_RDF_END: break;
	}
	return "field";
}

/* "DS digest", "CAA field 2 (string)", "TYPE65280 RDATA". */
static void field_label(uint16_t type, unsigned idx, char *buf, size_t cap)
{
	char tb[12];
	const char *tn = tw_dns_type_to_str(type, tb);
	const struct tw_dns_rdesc *d = tw_dns_rdesc(type);
	unsigned nf = 0;
	while (d && nf < TW_DNS_RDESC_MAXFIELDS && d->field[nf] != TW_RDF_END)
		nf++;
	if (idx == FIELD_GENERIC) {
		snprintf(buf, cap, "%s generic RDATA", tn);
		return;
	}
	if (idx >= nf) {
		snprintf(buf, cap, "%s RDATA", tn);
		return;
	}
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++) {
		if (field_names[i].type != type)
			continue;
		const char *p = field_names[i].names;
		for (unsigned k = 0; k < idx && p; k++) {
			p = strchr(p, '|');
			if (p)
				p++;
		}
		if (!p)
			break;
		const char *e = strchr(p, '|');
		int n = e ? (int)(e - p) : (int)strlen(p);
		snprintf(buf, cap, "%s %.*s", tn, n, p);
		return;
	}
	snprintf(buf, cap, "%s field %u (%s)", tn, idx + 1, kind_desc(TW_RDF_KIND(d->field[idx])));
}

__attribute__((format(printf, 5, 0))) static int vfail(struct pctx *c, int rc, unsigned line,
							 const char *field, const char *fmt,
							 va_list ap)
{
	int n = snprintf(c->msg, sizeof(c->msg), "%s: ", field);
	if (n < 0 || (size_t)n >= sizeof(c->msg))
		n = 0;
	vsnprintf(c->msg + n, sizeof(c->msg) - (size_t)n, fmt, ap);
	c->err_line = line;
	return rc;
}

/* Records "field: reason" for a record-level field (owner, TTL, ...); returns rc. */
__attribute__((format(printf, 5, 6))) static int fail(struct pctx *c, int rc, unsigned line,
						      const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(c, rc, line, field, fmt, ap);
	va_end(ap);
	return rc;
}

/* As fail() for the RDATA field c->field of c->type. */
__attribute__((format(printf, 4, 5))) static int rd_fail(struct pctx *c, int rc, unsigned line,
							 const char *fmt, ...)
{
	char field[64];
	field_label(c->type, c->field, field, sizeof(field));
	va_list ap;
	va_start(ap, fmt);
	vfail(c, rc, line, field, fmt, ap);
	va_end(ap);
	return rc;
}

/* Next RDATA token: 1, 0 at the end of the record, or an error for c->field. */
static int next_tok(struct pctx *c, struct tok *t)
{
	if (c->pushed) {
		*t = c->push;
		c->pushed = false;
		return 1;
	}
	int rc = lex_next(c->lx, t);
	if (rc < 0)
		return rd_fail(c, rc, c->lx->why_line, "%s", c->lx->why);
	return rc;
}

/* The token the current field needs; a missing one is an error. */
static int need_tok(struct pctx *c, struct tok *t)
{
	int rc = next_tok(c, t);
	if (rc == 0)
		return rd_fail(c, -TW_EDNS_SYNTAX, c->lx->line, "missing (the record ends before it)");
	if (rc < 0)
		return rc;
	if (t->quoted && c->field == FIELD_GENERIC) {
		char sb[SHOW_MAX + 4];
		return rd_fail(c, -TW_EDNS_SYNTAX, t->line, "quoted string \"%s\" in the generic form",
			       show(t, sb));
	}
	if (t->quoted) {
		const struct tw_dns_rdesc *d = tw_dns_rdesc(c->type);
		enum tw_dns_rdf k = TW_RDF_KIND(d->field[c->field]);
		if (k != TW_RDF_STR && k != TW_RDF_STRS && k != TW_RDF_STR_REST) {
			char sb[SHOW_MAX + 4];
			return rd_fail(c, -TW_EDNS_SYNTAX, t->line,
				       "quoted string \"%s\" where the field wants a %s",
				       show(t, sb), kind_desc(k));
		}
	}
	return 0;
}

/* ---- numbers, TTLs, times */

/* Decimal digits only: 0, 1 (not a number) or 2 (above max). */
static int dec_parse(const char *s, size_t len, uint32_t max, uint32_t *v)
{
	if (len == 0)
		return 1;
	uint64_t x = 0;
	bool big = false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return 1;
		if (!big) {
			x = x * 10 + (uint64_t)(s[i] - '0');
			big = x > max;
		}
	}
	if (big)
		return 2;
	*v = (uint32_t)x;
	return 0;
}

/* A TTL as seconds ("3600") or, as BIND writes them, numbers with units
 * ("1h30m", "1d", "2w"; s m h d w, any case). RFC 2181 §8 allows 0..2^32-1 in
 * the field; the caller decides what a large value means. */
static bool ttl_parse(const char *s, size_t len, uint32_t *out)
{
	if (dec_parse(s, len, UINT32_MAX, out) == 0)
		return true;
	uint64_t total = 0;
	size_t i = 0;
	if (len == 0)
		return false;
	while (i < len) {
		uint64_t n = 0;
		size_t digits = 0;
		while (i < len && is_digit(s[i])) {
			n = n * 10 + (uint64_t)(s[i++] - '0');
			if (n > UINT32_MAX)
				return false;
			digits++;
		}
		if (digits == 0 || i == len)
			return false; /* a unit without a number, or a number without a unit */
		uint64_t mult;
		switch (s[i++] | 0x20) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		case 'w': mult = 604800; break;
		default: return false;
		}
		total += n * mult;
		if (total > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

static bool is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const uint8_t md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

static unsigned leaps_before(unsigned y) /* leap years in 1..y-1 */
{
	unsigned n = y - 1;
	return n / 4 - n / 100 + n / 400;
}

/* RFC 4034 §3.2: YYYYMMDDHHmmSS in UTC, the seconds since 1970-01-01 modulo
 * 2^32 (serial number arithmetic, RFC 1982), so dates after 2106 wrap. */
static bool time_parse(const char *s, uint32_t *out)
{
	unsigned v[6], w[6] = { 4, 2, 2, 2, 2, 2 };
	size_t p = 0;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (unsigned k = 0; k < w[i]; k++)
			v[i] = v[i] * 10 + (unsigned)(s[p++] - '0');
	}
	unsigned y = v[0], mo = v[1], d = v[2];
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || v[3] > 23 ||
	    v[4] > 59 || v[5] > 59)
		return false;
	uint64_t days = 365ull * (y - 1970) + leaps_before(y) - leaps_before(1970);
	for (unsigned m = 1; m < mo; m++)
		days += month_days(y, m);
	days += d - 1;
	uint64_t secs = days * 86400 + v[3] * 3600ull + v[4] * 60ull + v[5];
	*out = (uint32_t)secs;
	return true;
}

static void time_print(uint32_t t, char *buf, size_t cap)
{
	uint32_t days = t / 86400, rem = t % 86400;
	unsigned y = 1970, m = 1;
	while (days >= (is_leap(y) ? 366u : 365u))
		days -= is_leap(y++) ? 366u : 365u;
	while (days >= month_days(y, m))
		days -= month_days(y, m++);
	snprintf(buf, cap, "%04u%02u%02u%02u%02u%02u", y, m, (unsigned)days + 1,
		 (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

/* DNSSEC algorithm mnemonics (RFC 4034 Appendix A.1 and the IANA registry:
 * RFC 5155 §2, RFC 5702, RFC 5933, RFC 6605, RFC 8080). */
static const struct {
	uint8_t num;
	const char *name;
} algorithms[] = {
	{ 1, "RSAMD5" },	   { 3, "DSA" },		 { 5, "RSASHA1" },
	{ 6, "DSA-NSEC3-SHA1" }, { 7, "RSASHA1-NSEC3-SHA1" }, { 8, "RSASHA256" },
	{ 10, "RSASHA512" },	   { 12, "ECC-GOST" },		 { 13, "ECDSAP256SHA256" },
	{ 14, "ECDSAP384SHA384" }, { 15, "ED25519" },		 { 16, "ED448" },
	{ 252, "INDIRECT" },	   { 253, "PRIVATEDNS" },	 { 254, "PRIVATEOID" },
};

enum num_extra { X_NONE, X_ALG, X_TTL };

/* Number fields whose text may be more than decimal: the algorithm of the
 * DNSSEC key, signature and delegation records, and the SOA timers, which BIND
 * and NSD accept with TTL units. */
static enum num_extra num_extra(uint16_t type, unsigned idx)
{
	switch (type) {
	case TW_DNS_T_DS:
	case TW_DNS_T_CDS:
	case TW_DNS_T_RRSIG:
	case TW_DNS_T_SIG:
		return idx == 1 ? X_ALG : X_NONE;
	case TW_DNS_T_DNSKEY:
	case TW_DNS_T_CDNSKEY:
	case TW_DNS_T_KEY:
		return idx == 2 ? X_ALG : X_NONE;
	case TW_DNS_T_SOA:
		return idx >= 3 ? X_TTL : X_NONE;
	default:
		return X_NONE;
	}
}

static int parse_number(struct pctx *c, const struct tok *t, uint32_t max, uint32_t *v)
{
	char sb[SHOW_MAX + 4];
	enum num_extra x = num_extra(c->type, c->field);
	int rc = dec_parse(t->s, t->len, max, v);
	if (rc == 0)
		return 0;
	if (rc == 2)
		return rd_fail(c, -TW_EDNS_SYNTAX, t->line, "%s is out of range 0..%u",
			       show(t, sb), (unsigned)max);
	if (x == X_ALG) {
		for (size_t i = 0; i < sizeof(algorithms) / sizeof(algorithms[0]); i++) {
			if (tok_is(t, algorithms[i].name)) {
				*v = algorithms[i].num;
				return 0;
			}
		}
		return rd_fail(c, -TW_EDNS_SYNTAX, t->line,
			       "\"%s\" is neither a number nor an algorithm mnemonic", show(t, sb));
	}
	if (x == X_TTL && ttl_parse(t->s, t->len, v))
		return 0;
	return rd_fail(c, -TW_EDNS_SYNTAX, t->line, "\"%s\" is not a number", show(t, sb));
}

/* ---- names and strings */

/* True when the text ends in a '.' that no backslash escapes. */
static bool name_text_absolute(const char *s, size_t len)
{
	if (len == 0 || s[len - 1] != '.')
		return false;
	size_t bs = 0;
	while (bs + 1 < len && s[len - 2 - bs] == '\\')
		bs++;
	return bs % 2 == 0;
}

/* A domain name relative to c->origin; `field` NULL means the RDATA field. */
static int parse_name(struct pctx *c, const struct tok *t, const char *field, uint8_t *out,
		      size_t *olen)
{
	char sb[SHOW_MAX + 4], fb[64];
	if (!field) {
		field_label(c->type, c->field, fb, sizeof(fb));
		field = fb;
	}
	if (t->quoted)
		return fail(c, -TW_EDNS_SYNTAX, t->line, field,
			    "quoted string \"%s\" where a domain name is expected", show(t, sb));
	int rc = tw_dns_name_from_str(t->s, t->len, c->origin, out, olen);
	switch (rc) {
	case 0:
		return 0;
	case -TW_EDNS_LABEL_LEN:
		return fail(c, rc, t->line, field, "\"%s\": label longer than 63 octets",
			    show(t, sb));
	case -TW_EDNS_NAME_LEN:
		return fail(c, rc, t->line, field, "\"%s\": name longer than 255 octets",
			    show(t, sb));
	default:
		if (!c->origin && !name_text_absolute(t->s, t->len))
			return fail(c, -TW_EDNS_SYNTAX, t->line, field,
				    "relative name \"%s\" and no $ORIGIN", show(t, sb));
		return fail(c, -TW_EDNS_SYNTAX, t->line, field,
			    "\"%s\" is not a domain name (empty label or bad escape)", show(t, sb));
	}
}

/* Appends the octets of a <character-string> token to c->w (RFC 1035 §5.1:
 * "\X" is X, "\DDD" the octet with decimal value DDD); *n receives their count. */
static int put_text(struct pctx *c, const struct tok *t, size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < t->len; i++, k++) {
		uint8_t o = (uint8_t)t->s[i];
		if (o == '\\') {
			if (i + 1 >= t->len)
				return rd_fail(c, -TW_EDNS_SYNTAX, t->line,
					       "string ends in a lone backslash");
			if (is_digit(t->s[i + 1])) {
				if (i + 3 >= t->len || !is_digit(t->s[i + 2]) ||
				    !is_digit(t->s[i + 3]))
					return rd_fail(c, -TW_EDNS_SYNTAX, t->line,
						       "escape \\DDD needs three digits");
				unsigned v = (unsigned)(t->s[i + 1] - '0') * 100 +
					     (unsigned)(t->s[i + 2] - '0') * 10 +
					     (unsigned)(t->s[i + 3] - '0');
				if (v > 255)
					return rd_fail(c, -TW_EDNS_SYNTAX, t->line,
						       "escape \\%.3s is above 255", t->s + i + 1);
				o = (uint8_t)v;
				i += 3;
			} else {
				o = (uint8_t)t->s[++i];
			}
		}
		tw_wire_wr_u8(&c->w, o);
	}
	*n = k;
	return 0;
}

/* A <character-string>: length octet and at most 255 octets. */
static int put_charstr(struct pctx *c, const struct tok *t)
{
	uint8_t *lenp = tw_wire_wr_take(&c->w, 1);
	size_t n;
	int rc = put_text(c, t, &n);
	if (rc)
		return rc;
	if (n > 255)
		return rd_fail(c, -TW_EDNS_SYNTAX, t->line,
			       "string of %zu octets; a character-string holds at most 255", n);
	if (lenp)
		*lenp = (uint8_t)n;
	return 0;
}

/* ---- base64 and hex over several tokens */

/* The tokens of a base64 or hex field are one text split at any place; this
 * carries the characters of an incomplete group over to the next token. */
struct chunker {
	bool b64;
	bool done; /* base64 padding seen: nothing may follow */
	unsigned nc;
	char carry[4];
	unsigned line; /* of the token the carried characters came from */
};

static bool b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' ||
	       c == '/' || c == '=';
}

static bool hex_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A character for a message: itself when printable, else \DDD. */
static const char *show_char(char c, char buf[8])
{
	unsigned char u = (unsigned char)c;
	if (u > 0x20 && u < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\%03u", u);
	return buf;
}

static int chunk_piece(struct pctx *c, struct chunker *k, const char *s, size_t n,
		       unsigned line)
{
	if (k->done)
		return rd_fail(c, -TW_EDNS_SYNTAX, line, "base64 continues after its '=' padding");
	size_t out = n / 2;
	if (k->b64) {
		size_t pad = s[n - 1] != '=' ? 0 : s[n - 2] == '=' ? 2 : 1;
		out = n / 4 * 3 - pad;
		k->done = pad > 0;
	}
	uint8_t *dst = tw_wire_wr_take(&c->w, out);
	if (!dst)
		return 0; /* too long: reported once the field ends */
	size_t got;
	int rc = k->b64 ? tw_base64_decode(s, n, dst, out, &got)
			: tw_hex_decode(s, n, dst, out, &got);
	if (rc)
		return rd_fail(c, -TW_EDNS_SYNTAX, line, "%s",
			       k->b64 ? "bad base64: misplaced '=' or padding bits not zero"
				      : "bad hex");
	return 0;
}

static int chunk_feed(struct pctx *c, struct chunker *k, const struct tok *t)
{
	unsigned q = k->b64 ? 4 : 2;
	char cb[8], sb[SHOW_MAX + 4];
	if (t->quoted)
		return rd_fail(c, -TW_EDNS_SYNTAX, t->line, "quoted string \"%s\" where %s is expected",
			       show(t, sb), k->b64 ? "base64" : "hex");
	for (size_t i = 0; i < t->len; i++)
		if (k->b64 ? !b64_char(t->s[i]) : !hex_char(t->s[i]))
			return rd_fail(c, -TW_EDNS_SYNTAX, t->line, "invalid %s character '%s'",
				       k->b64 ? "base64" : "hex", show_char(t->s[i], cb));
	size_t i = 0;
	if (k->nc) {
		while (k->nc < q && i < t->len)
			k->carry[k->nc++] = t->s[i++];
		if (k->nc < q)
			return 0;
		k->nc = 0;
		int rc = chunk_piece(c, k, k->carry, q, k->line);
		if (rc)
			return rc;
	}
	size_t bulk = (t->len - i) / q * q;
	if (bulk) {
		int rc = chunk_piece(c, k, t->s + i, bulk, t->line);
		if (rc)
			return rc;
		i += bulk;
	}
	if (i < t->len)
		k->line = t->line;
	while (i < t->len)
		k->carry[k->nc++] = t->s[i++];
	return 0;
}

static int chunk_end(struct pctx *c, struct chunker *k)
{
	if (k->nc == 0)
		return 0;
	return rd_fail(c, -TW_EDNS_SYNTAX, k->line,
		       k->b64 ? "base64 length is not a multiple of 4" : "odd number of hex digits");
}

/* B64 and HEX: every remaining token, at least one. */
static int parse_encoded_rest(struct pctx *c, bool b64)
{
	struct chunker k = { .b64 = b64 };
	struct tok t;
	int rc = need_tok(c, &t);
	while (rc == 0) {
		rc = chunk_feed(c, &k, &t);
		if (rc)
			return rc;
		rc = next_tok(c, &t);
		if (rc < 0)
			return rc;
		rc = rc == 1 ? 0 : 1;
	}
	if (rc < 0)
		return rc;
	return chunk_end(c, &k);
}

/* ---- the RDATA fields */

/* RFC 4034 §4.1.2: the types present, as windows in increasing order; windows
 * without types are left out and each keeps only up to its last non-zero
 * octet. An empty list is allowed (NSEC3 of an empty non-terminal). */
static int parse_bitmap(struct pctx *c)
{
	uint8_t bits[256][32];
	bool used[256] = { false };
	struct tok t;
	int rc;
	memset(bits, 0, sizeof(bits));
	while ((rc = next_tok(c, &t)) == 1) {
		uint16_t type;
		char sb[SHOW_MAX + 4];
		if (t.quoted || tw_dns_type_from_str(t.s, t.len, &type) != 0)
			return rd_fail(c, -TW_EDNS_TYPE, t.line, "unknown type \"%s\"", show(&t, sb));
		bits[type >> 8][(type & 0xFF) / 8] |= (uint8_t)(0x80 >> (type & 7));
		used[type >> 8] = true;
	}
	if (rc < 0)
		return rc;
	for (unsigned win = 0; win < 256; win++) {
		if (!used[win])
			continue;
		unsigned len = 32;
		while (bits[win][len - 1] == 0)
			len--;
		tw_wire_wr_u8(&c->w, (uint8_t)win);
		tw_wire_wr_u8(&c->w, (uint8_t)len);
		tw_wire_wr_bytes(&c->w, bits[win], len);
	}
	return 0;
}

static int parse_field(struct pctx *c, uint8_t f)
{
	struct tok t;
	char sb[SHOW_MAX + 4], cb[8];
	uint32_t v;
	int rc;
	enum tw_dns_rdf kind = TW_RDF_KIND(f);
	switch (kind) {
	case TW_RDF_STRS:
	case TW_RDF_STR_REST:
	case TW_RDF_B64:
	case TW_RDF_HEX:
	case TW_RDF_BITMAP:
	case TW_RDF_OPAQUE:
	case TW_RDF_END:
		break;
	default:
		rc = need_tok(c, &t);
		if (rc)
			return rc;
	}
	switch (kind) {
	case TW_RDF_U8:
	case TW_RDF_U16:
	case TW_RDF_U32: {
		uint32_t max = kind == TW_RDF_U8 ? 0xFF : kind == TW_RDF_U16 ? 0xFFFF : UINT32_MAX;
		rc = parse_number(c, &t, max, &v);
		if (rc)
			return rc;
		if (kind == TW_RDF_U8)
			tw_wire_wr_u8(&c->w, (uint8_t)v);
		else if (kind == TW_RDF_U16)
			tw_wire_wr_u16(&c->w, (uint16_t)v);
		else
			tw_wire_wr_u32(&c->w, v);
		return 0;
	}
	case TW_RDF_A:
	case TW_RDF_AAAA: {
		bool six = kind == TW_RDF_AAAA;
		char buf[INET6_ADDRSTRLEN];
		uint8_t addr[16];
		bool ok = t.len < sizeof(buf);
		for (size_t i = 0; ok && i < t.len; i++)
			ok = is_digit(t.s[i]) || t.s[i] == '.' ||
			     (six && (hex_char(t.s[i]) || t.s[i] == ':'));
		if (ok) {
			memcpy(buf, t.s, t.len);
			buf[t.len] = 0;
			ok = inet_pton(six ? AF_INET6 : AF_INET, buf, addr) == 1;
		}
		if (!ok)
			return rd_fail(c, -TW_EDNS_SYNTAX, t.line, "\"%s\" is not an %s address",
				       show(&t, sb), six ? "IPv6" : "IPv4");
		tw_wire_wr_bytes(&c->w, addr, six ? 16 : 4);
		return 0;
	}
	case TW_RDF_NAME: {
		uint8_t name[TW_DNS_NAME_MAXLEN];
		size_t nlen;
		rc = parse_name(c, &t, NULL, name, &nlen);
		if (rc)
			return rc;
		tw_wire_wr_bytes(&c->w, name, nlen);
		return 0;
	}
	case TW_RDF_STR:
		return put_charstr(c, &t);
	case TW_RDF_TYPE: {
		uint16_t type;
		if (tw_dns_type_from_str(t.s, t.len, &type) != 0)
			return rd_fail(c, -TW_EDNS_TYPE, t.line, "unknown type \"%s\"", show(&t, sb));
		tw_wire_wr_u16(&c->w, type);
		return 0;
	}
	case TW_RDF_TIME: {
		/* RFC 4034 §3.2: fourteen digits are always a date, anything else a
		 * number of seconds */
		bool digits = t.len > 0;
		for (size_t i = 0; i < t.len; i++)
			digits = digits && is_digit(t.s[i]);
		if ((digits && t.len == 14) ? !time_parse(t.s, &v)
					    : dec_parse(t.s, t.len, UINT32_MAX, &v) != 0)
			return rd_fail(c, -TW_EDNS_SYNTAX, t.line,
				       "\"%s\" is neither YYYYMMDDHHmmSS nor seconds since 1970",
				       show(&t, sb));
		tw_wire_wr_u32(&c->w, v);
		return 0;
	}
	case TW_RDF_SALT: {
		/* RFC 5155 §3.3: "-" for an empty salt */
		if (t.len == 1 && t.s[0] == '-') {
			tw_wire_wr_u8(&c->w, 0);
			return 0;
		}
		if (t.len > 2 * 255)
			return rd_fail(c, -TW_EDNS_SYNTAX, t.line, "longer than 255 octets");
		struct chunker k = { .b64 = false };
		tw_wire_wr_u8(&c->w, (uint8_t)(t.len / 2));
		rc = chunk_feed(c, &k, &t);
		return rc ? rc : chunk_end(c, &k);
	}
	case TW_RDF_HASH: {
		/* RFC 5155 §3.3: unpadded base32hex, 1..255 octets */
		uint8_t h[255];
		size_t hl;
		for (size_t i = 0; i < t.len; i++) {
			char ch = t.s[i];
			if (!is_digit(ch) && !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'v'))
				return rd_fail(c, -TW_EDNS_SYNTAX, t.line,
					       "invalid base32hex character '%s'",
					       show_char(ch, cb));
		}
		if (t.len > 408)
			return rd_fail(c, -TW_EDNS_SYNTAX, t.line, "longer than 255 octets");
		if (tw_base32hex_decode(t.s, t.len, h, sizeof(h), &hl) != 0 || hl == 0)
			return rd_fail(c, -TW_EDNS_SYNTAX, t.line,
				       "\"%s\" is not base32hex (bad length or trailing bits)",
				       show(&t, sb));
		tw_wire_wr_u8(&c->w, (uint8_t)hl);
		tw_wire_wr_bytes(&c->w, h, hl);
		return 0;
	}
	case TW_RDF_STRS: {
		/* TXT: one or more <character-string>s */
		rc = need_tok(c, &t);
		while (rc == 0) {
			rc = put_charstr(c, &t);
			if (rc)
				return rc;
			rc = next_tok(c, &t);
			if (rc < 0)
				return rc;
			rc = rc == 1 ? 0 : 1;
		}
		return rc < 0 ? rc : 0;
	}
	case TW_RDF_STR_REST: {
		size_t n;
		rc = need_tok(c, &t);
		return rc ? rc : put_text(c, &t, &n);
	}
	case TW_RDF_B64:
		return parse_encoded_rest(c, true);
	case TW_RDF_HEX:
		return parse_encoded_rest(c, false);
	case TW_RDF_BITMAP:
		return parse_bitmap(c);
	case TW_RDF_OPAQUE:
	case TW_RDF_END:
		break;
	}
	return rd_fail(c, -TW_EDNS_SYNTAX, c->lx->line, "no presentation format");
}

static bool layout_has_opaque(const struct tw_dns_rdesc *d)
{
	for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END; i++)
		if (TW_RDF_KIND(d->field[i]) == TW_RDF_OPAQUE)
			return true;
	return false;
}

/* Stand-alone RDATA as the zone reader hands it out and the printer expects:
 * tw_dns_rdata_check(), and no compressed name anywhere (tw_dns_rdata_check
 * accepts a backward pointer inside the RDATA where RFC 3597 §4 allows
 * compression on the wire, but stand-alone RDATA has nothing to point to). */
static int rdata_standalone_check(uint16_t type, const uint8_t *rd, size_t len)
{
	int rc = tw_dns_rdata_check(type, rd, len, 0, (uint16_t)len);
	const struct tw_dns_rdesc *d = tw_dns_rdesc(type);
	if (rc || !d)
		return rc;
	size_t pos = 0, n;
	for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END; i++) {
		rc = tw_dns_rdf_measure((uint8_t)(d->field[i] & ~TW_RDF_F_DECOMPRESS), rd, len,
					pos, len, &n);
		if (rc)
			return rc;
		pos += n;
	}
	return 0;
}

/* RFC 3597 §5: "\# <length> <hex>...", the "\#" already read. */
static int parse_generic(struct pctx *c)
{
	struct tok t;
	uint32_t len;
	char sb[SHOW_MAX + 4];
	c->field = FIELD_GENERIC;
	int rc = need_tok(c, &t);
	if (rc)
		return rc;
	if (dec_parse(t.s, t.len, RDATA_MAX, &len) != 0)
		return rd_fail(c, -TW_EDNS_SYNTAX, t.line, "length \"%s\" is not a number 0..65535",
			       show(&t, sb));
	struct chunker k = { .b64 = false };
	while ((rc = next_tok(c, &t)) == 1) {
		rc = chunk_feed(c, &k, &t);
		if (rc)
			return rc;
	}
	if (rc < 0)
		return rc;
	rc = chunk_end(c, &k);
	if (rc)
		return rc;
	size_t got = (size_t)(c->w.pos - c->out);
	if (c->w.err && c->cap < len)
		return rd_fail(c, -TW_ENOSPC, t.line, "%u octets do not fit in a %zu-octet buffer",
			       (unsigned)len, c->cap);
	if (c->w.err || got != len)
		return rd_fail(c, -TW_EDNS_SYNTAX, t.line,
			       "length %u does not match the %s%zu octets of hex data", (unsigned)len,
			       c->w.err ? "more than " : "", got);
	if (tw_dns_rdesc(c->type) && rdata_standalone_check(c->type, c->out, got) != 0)
		return rd_fail(c, -TW_EDNS_SYNTAX, t.line,
			       "%u octets do not match the layout of the type (a field too long, "
			       "too short or malformed)",
			       (unsigned)len);
	return 0;
}

/* Reads the RDATA of c->type from the lexer up to the end of the record. */
static int rdata_parse(struct pctx *c, size_t *out_len)
{
	const struct tw_dns_rdesc *d = tw_dns_rdesc(c->type);
	struct tok t;
	char sb[SHOW_MAX + 4];
	int rc;
	tw_wire_wr_init(&c->w, c->out, c->cap < RDATA_MAX ? c->cap : RDATA_MAX);
	c->field = 0;
	c->pushed = false;
	rc = next_tok(c, &t);
	if (rc < 0)
		return rc;
	if (rc == 1 && !t.quoted && t.len == 2 && t.s[0] == '\\' && t.s[1] == '#') {
		rc = parse_generic(c);
	} else {
		if (rc == 1) {
			c->push = t;
			c->pushed = true;
		}
		if (!d || layout_has_opaque(d)) {
			c->field = FIELD_RDATA;
			return rd_fail(c, -TW_EDNS_SYNTAX, rc == 1 ? t.line : c->lx->line,
				       "no presentation format is known: use the generic form "
				       "\"\\# <length> <hex>\" (RFC 3597 §5)");
		}
		for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END; i++) {
			c->field = i;
			rc = parse_field(c, d->field[i]);
			if (rc)
				return rc;
		}
		c->field = FIELD_RDATA;
		rc = next_tok(c, &t);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return rd_fail(c, -TW_EDNS_SYNTAX, t.line,
				       "\"%s\" after the last field", show(&t, sb));
	}
	if (rc)
		return rc;
	if (c->w.err) {
		c->field = FIELD_RDATA;
		if (c->cap < RDATA_MAX)
			return rd_fail(c, -TW_ENOSPC, c->lx->line,
				       "does not fit in the %zu-octet buffer", c->cap);
		return rd_fail(c, -TW_EDNS_SYNTAX, c->lx->line, "longer than 65535 octets");
	}
	*out_len = (size_t)(c->w.pos - c->out);
	return 0;
}

int tw_dns_rdata_from_str(uint16_t type, const char *s, size_t len, const uint8_t *origin,
			  uint8_t *out, size_t cap, size_t *out_len, char *err)
{
	struct lex lx = { .s = s, .len = len, .line = 1, .nl_is_space = true };
	struct pctx c = { .lx = &lx, .origin = origin, .type = type, .out = out, .cap = cap };
	int rc = rdata_parse(&c, out_len);
	if (rc && err)
		snprintf(err, TW_DNS_ZONE_ERRLEN, "%s", c.msg);
	return rc;
}

/* ---- the record reader */

void tw_dns_zreader_init(struct tw_dns_zreader *r, const char *text, size_t len,
			 const char *file, const uint8_t *origin, uint32_t default_ttl)
{
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->len = len;
	r->line = 1;
	r->file = file;
	if (origin) {
		memcpy(r->origin, origin, tw_dns_name_len(origin));
		r->has_origin = true;
	}
	/* has_ttl says a $TTL line was read: until then an omitted TTL is the
	 * previous record's (RFC 1035 §5.1), afterwards the $TTL (RFC 2308 §4) */
	r->default_ttl = default_ttl;
	r->last_cls = TW_DNS_C_IN;
}

/* $ORIGIN, $TTL; $INCLUDE is refused. Returns 0 or an error. */
static int directive(struct tw_dns_zreader *r, struct pctx *c, const struct tok *d)
{
	struct tok t;
	char sb[SHOW_MAX + 4];
	bool is_origin = tok_is(d, "$ORIGIN");
	const char *field = is_origin ? "$ORIGIN" : tok_is(d, "$TTL") ? "$TTL" : NULL;
	if (tok_is(d, "$INCLUDE"))
		return fail(c, -TW_EDNS_SYNTAX, d->line, "$INCLUDE",
			    "not supported: the reader opens no files (concatenate them instead)");
	if (!field)
		return fail(c, -TW_EDNS_SYNTAX, d->line, "directive", "unknown directive \"%s\"",
			    show(d, sb));
	int rc = lex_next(c->lx, &t);
	if (rc < 0)
		return fail(c, rc, c->lx->why_line, field, "%s", c->lx->why);
	if (rc == 0)
		return fail(c, -TW_EDNS_SYNTAX, d->line, field, "missing its argument");
	uint8_t origin[TW_DNS_NAME_MAXLEN];
	size_t olen;
	uint32_t ttl = 0;
	rc = 0;
	if (is_origin)
		rc = parse_name(c, &t, field, origin, &olen);
	else if (t.quoted || !ttl_parse(t.s, t.len, &ttl))
		rc = fail(c, -TW_EDNS_SYNTAX, t.line, field, "\"%s\" is not a TTL", show(&t, sb));
	if (rc)
		return rc;
	struct tok extra;
	rc = lex_next(c->lx, &extra);
	if (rc < 0)
		return fail(c, rc, c->lx->why_line, field, "%s", c->lx->why);
	if (rc == 1)
		return fail(c, -TW_EDNS_SYNTAX, extra.line, field, "unexpected \"%s\"",
			    show(&extra, sb));
	if (is_origin) {
		memcpy(r->origin, origin, olen);
		r->has_origin = true;
	} else {
		r->default_ttl = ttl;
		r->has_ttl = true;
	}
	return 0;
}

/* One record whose first token is `t`, its line starting with a blank or not.
 * RFC 1035 §5.1: <owner> [<TTL>] [<class>] <type> <RDATA>, TTL and class in
 * either order, each optional. */
static int record(struct tw_dns_zreader *r, struct pctx *c, struct tok t, bool blank,
		  struct tw_dns_zrr *rr, size_t *rdlen)
{
	char sb[SHOW_MAX + 4];
	int rc;
	rr->line = t.line;
	if (blank) {
		if (!r->has_owner)
			return fail(c, -TW_EDNS_SYNTAX, t.line, "owner",
				    "line starts with a blank but no earlier record has an owner");
		rr->owner_len = tw_dns_name_len(r->last_owner);
		memcpy(rr->owner, r->last_owner, rr->owner_len);
	} else {
		rc = parse_name(c, &t, "owner", rr->owner, &rr->owner_len);
		if (rc)
			return rc;
		memcpy(r->last_owner, rr->owner, rr->owner_len);
		r->has_owner = true;
		rc = lex_next(c->lx, &t);
		if (rc < 0)
			return fail(c, rc, c->lx->why_line, "type", "%s", c->lx->why);
		if (rc == 0)
			return fail(c, -TW_EDNS_SYNTAX, rr->line, "type",
				    "missing (the line holds only an owner)");
	}
	bool has_ttl = false, has_cls = false;
	uint32_t ttl = 0;
	uint16_t cls = r->last_cls;
	for (;;) {
		if (!t.quoted && t.len > 0 && is_digit(t.s[0])) {
			if (has_ttl)
				return fail(c, -TW_EDNS_SYNTAX, t.line, "type",
					    "\"%s\" is not a type (a TTL was already given)",
					    show(&t, sb));
			if (!ttl_parse(t.s, t.len, &ttl))
				return fail(c, -TW_EDNS_SYNTAX, t.line, "TTL",
					    "\"%s\" is not a TTL", show(&t, sb));
			has_ttl = true;
		} else if (!has_cls && !t.quoted && tw_dns_class_from_str(t.s, t.len, &cls) == 0) {
			has_cls = true;
		} else if (!has_cls && !t.quoted && t.len >= 5 && strncasecmp(t.s, "CLASS", 5) == 0) {
			return fail(c, -TW_EDNS_TYPE, t.line, "class", "unknown class \"%s\"",
				    show(&t, sb));
		} else {
			if (t.quoted || tw_dns_type_from_str(t.s, t.len, &rr->type) != 0)
				return fail(c, -TW_EDNS_TYPE, t.line, "type", "unknown type \"%s\"",
					    show(&t, sb));
			break;
		}
		rc = lex_next(c->lx, &t);
		if (rc < 0)
			return fail(c, rc, c->lx->why_line, "type", "%s", c->lx->why);
		if (rc == 0)
			return fail(c, -TW_EDNS_SYNTAX, c->lx->line, "type", "missing");
	}
	if (!has_ttl)
		ttl = r->default_ttl;
	else if (!r->has_ttl)
		r->default_ttl = ttl;
	r->last_cls = cls;
	rr->ttl = ttl;
	rr->cls = cls;
	c->type = rr->type;
	return rdata_parse(c, rdlen);
}

int tw_dns_zreader_next(struct tw_dns_zreader *r, struct tw_dns_zrr *rr, uint8_t *rdata,
			size_t cap)
{
	struct lex lx = { .s = r->text, .len = r->len, .pos = r->pos, .line = r->line };
	struct pctx c = { .lx = &lx, .out = rdata, .cap = cap };
	int rc;
	r->err[0] = 0;
	for (;;) {
		if (lx.pos >= lx.len) {
			rc = 0;
			break;
		}
		bool blank = is_blank(lx.s[lx.pos]);
		struct tok t;
		c.origin = r->has_origin ? r->origin : NULL;
		rc = lex_next(&lx, &t);
		if (rc == 0) {
			lex_end_line(&lx); /* blank or comment-only line */
			continue;
		}
		if (rc < 0) {
			fail(&c, rc, lx.why_line, "record", "%s", lx.why);
		} else if (!blank && !t.quoted && t.s[0] == '$') {
			rc = directive(r, &c, &t);
			if (rc == 0) {
				lex_end_line(&lx);
				continue;
			}
		} else {
			size_t rdlen = 0;
			rc = record(r, &c, t, blank, rr, &rdlen);
			if (rc == 0) {
				lex_end_line(&lx);
				rr->rdata = rdata;
				rr->rdlen = (uint16_t)rdlen;
				rc = 1;
				break;
			}
		}
		/* an error: report it, resume after this record */
		lex_skip_record(&lx);
		int n = snprintf(r->err, sizeof(r->err), "%s:%u: ", r->file ? r->file : "<input>",
				 c.err_line);
		if (n >= 0 && (size_t)n < sizeof(r->err)) {
			/* the message may lose its end, never the file and line */
			size_t room = sizeof(r->err) - (size_t)n - 1, ml = strlen(c.msg);
			memcpy(r->err + n, c.msg, ml < room ? ml : room);
			r->err[(size_t)n + (ml < room ? ml : room)] = 0;
		}
		break;
	}
	r->pos = lx.pos;
	r->line = lx.line;
	return rc;
}

/* ---- the printer */

struct out {
	char *buf;
	size_t cap;
	size_t n;  /* n < cap whenever !full: room for the NUL */
	bool full;
};

/* Room for `n` more characters and the NUL, or marks the output full. */
static char *out_room(struct out *o, size_t n)
{
	if (o->full || o->cap - o->n <= n) {
		o->full = true;
		return NULL;
	}
	return o->buf + o->n;
}

static void out_mem(struct out *o, const char *s, size_t n)
{
	char *p = out_room(o, n);
	if (p) {
		memcpy(p, s, n);
		o->n += n;
	}
}

static void out_str(struct out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_chr(struct out *o, char ch)
{
	out_mem(o, &ch, 1);
}

/* Appends what an encoder (tw_*_encode) writes, or marks the output full. */
static void out_encoded(struct out *o, int (*enc)(const uint8_t *, size_t, char *, size_t),
			const uint8_t *p, size_t n)
{
	if (o->full)
		return;
	int rc = enc(p, n, o->buf + o->n, o->cap - o->n);
	if (rc < 0)
		o->full = true;
	else
		o->n += (size_t)rc;
}

/* A character-string in quotes: '"' and '\' escaped, octets outside printable
 * ASCII as \DDD (RFC 1035 §5.1). */
static void out_quoted(struct out *o, const uint8_t *p, size_t n)
{
	out_chr(o, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];
		if (ch == '"' || ch == '\\') {
			char e[2] = { '\\', (char)ch };
			out_mem(o, e, 2);
		} else if (ch < 0x20 || ch >= 0x7f) {
			char e[4] = { '\\', (char)('0' + ch / 100), (char)('0' + ch / 10 % 10),
				      (char)('0' + ch % 10) };
			out_mem(o, e, 4);
		} else {
			out_chr(o, (char)ch);
		}
	}
	out_chr(o, '"');
}

static void out_generic(struct out *o, const uint8_t *rd, size_t len)
{
	char b[16];
	snprintf(b, sizeof(b), "\\# %u", (unsigned)len);
	out_str(o, b);
	if (len) {
		out_chr(o, ' ');
		out_encoded(o, tw_hex_encode, rd, len);
	}
}

/* Prints checked stand-alone RDATA field by field. Returns 1 instead when only
 * the generic form can round-trip it: an empty base64/hex field (whose text
 * would be nothing) or a type bitmap that is not in the canonical form
 * RFC 4034 §4.1.2 requires (the reader always writes the canonical form). */
static int out_fields(struct out *o, const struct tw_dns_rdesc *d, const uint8_t *rd,
		      size_t len)
{
	size_t pos = 0;
	for (unsigned i = 0; i < TW_DNS_RDESC_MAXFIELDS && d->field[i] != TW_RDF_END; i++) {
		uint8_t f = d->field[i];
		enum tw_dns_rdf kind = TW_RDF_KIND(f);
		char tmp[TW_DNS_NAME_STRLEN];
		size_t n = 0;
		(void)tw_dns_rdf_measure((uint8_t)(f & ~TW_RDF_F_DECOMPRESS), rd, len, pos, len, &n);
		const uint8_t *p = rd + pos;
		if (i > 0 && kind != TW_RDF_BITMAP)
			out_chr(o, ' ');
		switch (kind) {
		case TW_RDF_U8:
			snprintf(tmp, sizeof(tmp), "%u", p[0]);
			out_str(o, tmp);
			break;
		case TW_RDF_U16:
			snprintf(tmp, sizeof(tmp), "%u", tw_wire_get16(p));
			out_str(o, tmp);
			break;
		case TW_RDF_U32:
			snprintf(tmp, sizeof(tmp), "%u", tw_wire_get32(p));
			out_str(o, tmp);
			break;
		case TW_RDF_A:
		case TW_RDF_AAAA:
			inet_ntop(kind == TW_RDF_A ? AF_INET : AF_INET6, p, tmp, sizeof(tmp));
			out_str(o, tmp);
			break;
		case TW_RDF_NAME:
			tw_dns_name_to_str(p, tmp, sizeof(tmp));
			out_str(o, tmp);
			break;
		case TW_RDF_STR:
			out_quoted(o, p + 1, p[0]);
			break;
		case TW_RDF_TYPE:
			out_str(o, tw_dns_type_to_str(tw_wire_get16(p), tmp));
			break;
		case TW_RDF_TIME:
			time_print(tw_wire_get32(p), tmp, sizeof(tmp));
			out_str(o, tmp);
			break;
		case TW_RDF_SALT:
			if (p[0] == 0)
				out_chr(o, '-');
			else
				out_encoded(o, tw_hex_encode, p + 1, p[0]);
			break;
		case TW_RDF_HASH:
			out_encoded(o, tw_base32hex_encode, p + 1, p[0]);
			break;
		case TW_RDF_STRS:
			for (size_t k = 0; k < n; k += 1 + (size_t)p[k]) {
				if (k)
					out_chr(o, ' ');
				out_quoted(o, p + k + 1, p[k]);
			}
			break;
		case TW_RDF_STR_REST:
			out_quoted(o, p, n);
			break;
		case TW_RDF_B64:
		case TW_RDF_HEX:
			if (n == 0)
				return 1;
			out_encoded(o, kind == TW_RDF_B64 ? tw_base64_encode : tw_hex_encode, p, n);
			break;
		case TW_RDF_BITMAP:
			for (size_t k = 0; k < n; k += 2 + (size_t)p[k + 1]) {
				unsigned blen = p[k + 1];
				if (p[k + 1 + blen] == 0)
					return 1;
				for (unsigned b = 0; b < blen * 8; b++) {
					if (!(p[k + 2 + b / 8] & (0x80 >> (b % 8))))
						continue;
					out_chr(o, ' ');
					out_str(o, tw_dns_type_to_str((uint16_t)((unsigned)p[k] << 8 | b), tmp));
				}
			}
			break;
		case TW_RDF_OPAQUE:
		case TW_RDF_END:
			return 1;
		}
		pos += n;
	}
	return 0;
}

/* Field by field, or the generic form for types without a layout, layouts with
 * opaque parts, RDATA that does not match its layout and what out_fields()
 * refuses. */
static void out_rdata(struct out *o, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	const struct tw_dns_rdesc *d = tw_dns_rdesc(type);
	size_t start = o->n;
	bool was_full = o->full;
	if (d && !layout_has_opaque(d) && rdata_standalone_check(type, rd, rdlen) == 0 &&
	    out_fields(o, d, rd, rdlen) == 0)
		return;
	o->n = start;
	o->full = was_full;
	out_generic(o, rd, rdlen);
}

static int out_finish(struct out *o)
{
	if (o->full || o->cap == 0)
		return -TW_ENOSPC;
	o->buf[o->n] = 0;
	return (int)o->n;
}

int tw_dns_rdata_to_str(uint16_t type, const uint8_t *rdata, uint16_t rdlen, char *buf,
			size_t cap)
{
	struct out o = { .buf = buf, .cap = cap, .full = cap == 0 };
	out_rdata(&o, type, rdata, rdlen);
	return out_finish(&o);
}

int tw_dns_rr_to_str(const uint8_t *owner, uint16_t type, uint16_t cls, uint32_t ttl,
		     const uint8_t *rdata, uint16_t rdlen, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap, .full = cap == 0 };
	char name[TW_DNS_NAME_STRLEN], head[64], tb[12], cb[12];
	tw_dns_name_to_str(owner, name, sizeof(name));
	out_str(&o, name);
	snprintf(head, sizeof(head), "\t%u\t%s\t%s\t", (unsigned)ttl,
		 tw_dns_class_to_str(cls, cb), tw_dns_type_to_str(type, tb));
	out_str(&o, head);
	out_rdata(&o, type, rdata, rdlen);
	return out_finish(&o);
}
