/* Trust anchor files: zone-file DS/DNSKEY lines through the validator's own
 * reader, and IANA's root-anchors.xml (RFC 9718) through a small strict reader. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/validator.h"
#include "dns/codec.h"
#include "dns/error.h"
#include "dns/rrtype.h"
#include "mgmt/anchors.h"
#include "mgmt/file.h"

#define ANCHOR_FILE_MAX_BYTES (1u << 20)
#define XML_TEXT_MAX 4096   /* longest element text: an RSA-16384 key in base64 fits */
#define XML_ATTR_MAX 8
#define XML_ATTR_VALUE_MAX 256
#define XML_NAME_MAX 32

/* ---- the reader's position and failure -------------------------------------------- */

struct xr {
	const char *s;
	size_t len;
	size_t pos;
	unsigned line;
	const char *file;
	char *err;
	size_t errcap;
};

__attribute__((format(printf, 3, 4)))
static int xfail(struct xr *x, unsigned line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->err, x->errcap, "%s:%u: %s", x->file, line, msg);
	return -TW_EINVAL;
}

static bool x_eof(const struct xr *x)
{
	return x->pos >= x->len;
}

static char x_peek(const struct xr *x)
{
	return x_eof(x) ? 0 : x->s[x->pos];
}

static bool x_at(const struct xr *x, const char *lit)
{
	size_t n = strlen(lit);
	return x->len - x->pos >= n && memcmp(x->s + x->pos, lit, n) == 0;
}

static void x_advance(struct xr *x, size_t n)
{
	for (; n && x->pos < x->len; n--)
		x->line += x->s[x->pos++] == '\n';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void x_skip_space(struct xr *x)
{
	while (!x_eof(x) && is_space(x_peek(x)))
		x_advance(x, 1);
}

/* Moves past the next occurrence of lit; false (at the end) when there is none. */
static bool x_skip_past(struct xr *x, const char *lit)
{
	while (!x_eof(x)) {
		if (x_at(x, lit)) {
			x_advance(x, strlen(lit));
			return true;
		}
		x_advance(x, 1);
	}
	return false;
}

/* White space and comments between elements. */
static int x_skip_misc(struct xr *x)
{
	for (;;) {
		x_skip_space(x);
		if (!x_at(x, "<!--"))
			return 0;
		unsigned line = x->line;
		x_advance(x, 4);
		if (!x_skip_past(x, "-->"))
			return xfail(x, line, "comment is not closed");
	}
}

/* ---- tags and text ------------------------------------------------------------------------ */

struct xattr {
	char name[XML_NAME_MAX];
	char value[XML_ATTR_VALUE_MAX];
};

struct xtag {
	char name[XML_NAME_MAX];
	struct xattr attr[XML_ATTR_MAX];
	unsigned nattr;
	bool empty;       /* <Name/> */
	unsigned line;
};

static bool name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int x_name(struct xr *x, char *out)
{
	size_t n = 0;
	if (!name_start(x_peek(x)))
		return xfail(x, x->line, "expected an element or attribute name");
	while (!x_eof(x) && name_char(x_peek(x))) {
		if (n + 1 >= XML_NAME_MAX)
			return xfail(x, x->line, "name longer than %d characters",
				     XML_NAME_MAX - 1);
		out[n++] = x_peek(x);
		x_advance(x, 1);
	}
	out[n] = 0;
	return 0;
}

/* The five predefined entities and ASCII character references (XML 1.0 §4.1,
 * §4.6); at '&'. Appends the character to out. */
static int x_entity(struct xr *x, char *out, size_t *n, size_t cap)
{
	static const struct {
		const char *ref;
		char ch;
	} named[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		      { "&quot;", '"' }, { "&apos;", '\'' } };
	unsigned line = x->line;
	char ch = 0;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && !ch; i++) {
		if (x_at(x, named[i].ref)) {
			ch = named[i].ch;
			x_advance(x, strlen(named[i].ref));
		}
	}
	if (!ch && x_at(x, "&#")) {
		x_advance(x, 2);
		unsigned base = 10, v = 0, digits = 0;
		if (x_peek(x) == 'x') {
			base = 16;
			x_advance(x, 1);
		}
		for (; !x_eof(x) && x_peek(x) != ';' && digits < 8; digits++) {
			char c = x_peek(x);
			unsigned d = c >= '0' && c <= '9'		  ? (unsigned)(c - '0')
				     : base == 16 && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				     : base == 16 && c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
									  : 99;
			if (d == 99)
				return xfail(x, line, "malformed character reference");
			v = v * base + d;
			x_advance(x, 1);
		}
		if (x_peek(x) != ';' || digits == 0)
			return xfail(x, line, "malformed character reference");
		x_advance(x, 1);
		if (v == 0 || v > 0x7f)
			return xfail(x, line, "character reference &#%u; is not ASCII", v);
		ch = (char)v;
	}
	if (!ch)
		return xfail(x, line, "unknown entity (only &lt; &gt; &amp; &quot; &apos; &#N;)");
	if (*n + 1 >= cap)
		return xfail(x, line, "text longer than %zu characters", cap - 1);
	out[(*n)++] = ch;
	out[*n] = 0;
	return 0;
}

/* At '<' of a start tag: reads <Name attr="v" ...> or <Name .../>. */
static int x_start_tag(struct xr *x, struct xtag *t)
{
	int rc;
	memset(t, 0, sizeof(*t));
	t->line = x->line;
	if (x_at(x, "<!DOCTYPE"))
		return xfail(x, x->line, "DOCTYPE is not accepted in a trust anchor file");
	if (x_at(x, "<![CDATA["))
		return xfail(x, x->line, "CDATA is not accepted in a trust anchor file");
	if (x_at(x, "<?") || x_at(x, "<!"))
		return xfail(x, x->line, "unexpected markup (only elements and comments here)");
	x_advance(x, 1);
	if ((rc = x_name(x, t->name)) < 0)
		return rc;
	for (;;) {
		bool spaced = is_space(x_peek(x));
		x_skip_space(x);
		if (x_at(x, "/>")) {
			x_advance(x, 2);
			t->empty = true;
			return 0;
		}
		if (x_peek(x) == '>') {
			x_advance(x, 1);
			return 0;
		}
		if (x_eof(x))
			return xfail(x, t->line, "<%s> tag is not closed", t->name);
		if (!spaced || !name_start(x_peek(x)))
			return xfail(x, x->line, "malformed <%s> tag (no '>'?)", t->name);
		if (t->nattr == XML_ATTR_MAX)
			return xfail(x, x->line, "too many attributes in <%s>", t->name);
		struct xattr *a = &t->attr[t->nattr];
		if ((rc = x_name(x, a->name)) < 0)
			return rc;
		for (unsigned i = 0; i < t->nattr; i++)
			if (strcmp(t->attr[i].name, a->name) == 0)
				return xfail(x, x->line, "<%s>: attribute %s given twice", t->name,
					     a->name);
		x_skip_space(x);
		if (x_peek(x) != '=')
			return xfail(x, x->line, "<%s>: attribute %s has no value", t->name, a->name);
		x_advance(x, 1);
		x_skip_space(x);
		char q = x_peek(x);
		if (q != '"' && q != '\'')
			return xfail(x, x->line, "<%s>: attribute %s: value not in quotes", t->name,
				     a->name);
		x_advance(x, 1);
		size_t n = 0;
		while (!x_eof(x) && x_peek(x) != q) {
			char c = x_peek(x);
			if (c == '<')
				return xfail(x, x->line, "<%s>: attribute %s: '<' in its value",
					     t->name, a->name);
			if (c == '&') {
				if ((rc = x_entity(x, a->value, &n, sizeof(a->value))) < 0)
					return rc;
				continue;
			}
			if (n + 1 >= sizeof(a->value))
				return xfail(x, x->line, "<%s>: attribute %s: value too long", t->name,
					     a->name);
			a->value[n++] = c;
			x_advance(x, 1);
		}
		if (x_eof(x))
			return xfail(x, t->line, "<%s>: attribute %s: value is not closed", t->name,
				     a->name);
		a->value[n] = 0;
		x_advance(x, 1);
		t->nattr++;
	}
}

/* Refuses attributes other than those listed (NULL-terminated). */
static int x_only_attrs(struct xr *x, const struct xtag *t, const char *const *allowed)
{
	for (unsigned i = 0; i < t->nattr; i++) {
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, t->attr[i].name) == 0;
		if (!ok)
			return xfail(x, t->line, "<%s>: unknown attribute %s", t->name,
				     t->attr[i].name);
	}
	return 0;
}

static const char *x_attr(const struct xtag *t, const char *name)
{
	for (unsigned i = 0; i < t->nattr; i++)
		if (strcmp(t->attr[i].name, name) == 0)
			return t->attr[i].value;
	return NULL;
}

/* At "</": reads </name>. */
static int x_end_tag(struct xr *x, const struct xtag *open)
{
	char name[XML_NAME_MAX];
	unsigned line = x->line;
	x_advance(x, 2);
	int rc = x_name(x, name);
	if (rc < 0)
		return rc;
	x_skip_space(x);
	if (x_peek(x) != '>')
		return xfail(x, line, "malformed </%s> tag", name);
	x_advance(x, 1);
	if (strcmp(name, open->name) != 0)
		return xfail(x, line, "</%s> closes <%s> opened at line %u", name, open->name,
			     open->line);
	return 0;
}

/* The text of a leaf element whose start tag t was just read, up to and
 * including its end tag, without leading and trailing white space. */
static int x_leaf_text(struct xr *x, const struct xtag *t, char *out, size_t cap)
{
	size_t n = 0;
	int rc;
	out[0] = 0;
	if (t->empty)
		return 0;
	while (!x_eof(x) && x_peek(x) != '<') {
		if (x_peek(x) == '&') {
			if ((rc = x_entity(x, out, &n, cap)) < 0)
				return rc;
			continue;
		}
		if (n + 1 >= cap)
			return xfail(x, x->line, "<%s>: text longer than %zu characters", t->name,
				     cap - 1);
		out[n++] = x_peek(x);
		x_advance(x, 1);
	}
	out[n] = 0;
	if (x_eof(x))
		return xfail(x, t->line, "<%s> is not closed: the file ends inside it", t->name);
	if (!x_at(x, "</"))
		return xfail(x, x->line, "markup inside <%s>, which holds only text", t->name);
	if ((rc = x_end_tag(x, t)) < 0)
		return rc;
	size_t b = 0;
	while (b < n && is_space(out[b]))
		b++;
	while (n > b && is_space(out[n - 1]))
		n--;
	memmove(out, out + b, n - b);
	out[n - b] = 0;
	return 0;
}

/* Inside a container element: white space and comments, then "<": true at a
 * child's start tag, false at the container's end tag. Text is refused. */
static int x_next_child(struct xr *x, const struct xtag *parent, bool *child)
{
	int rc = x_skip_misc(x);
	if (rc < 0)
		return rc;
	if (x_eof(x))
		return xfail(x, parent->line, "<%s> is not closed: the file ends inside it",
			     parent->name);
	if (x_peek(x) != '<')
		return xfail(x, x->line, "text inside <%s>, which holds only elements",
			     parent->name);
	*child = !x_at(x, "</");
	return 0;
}

/* ---- values ---------------------------------------------------------------------------------- */

/* Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic
 * Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const char *s, unsigned n, unsigned *out)
{
	unsigned v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* RFC 3339 §5.6 date-time: 2017-02-02T00:00:00+00:00, fractions and "Z" allowed;
 * a leap second (:60) counts as :59. Seconds since the epoch. */
static bool parse_datetime(const char *s, int64_t *out)
{
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	int sign = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == 0) {
		sign = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && digits(p + 1, 2, &oh) &&
		   p[3] == ':' && digits(p + 4, 2, &om)) {
		sign = *p == '+' ? 1 : -1;
	} else {
		return false;
	}
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59)
		return false;
	if (sec == 60)
		sec = 59;
	int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	*out = t - sign * (int64_t)(oh * 3600 + om * 60);
	return true;
}

static void format_time(int64_t t, char *buf, size_t cap)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, y;
	int64_t secs = t - days * 86400;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, cap, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, m, d,
		 (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}

static bool parse_number(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	if (!*s || strlen(s) > 6)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Digest sizes by DS digest type (RFC 4034 §5.1.4, RFC 4509, RFC 5933, RFC 6605);
 * 0: not known here, any size up to TW_ANCHORS_DIGEST_MAX. */
static unsigned digest_size(uint8_t type)
{
	switch (type) {
	case 1: return 20;
	case 2: return 32;
	case 3: return 32;
	case 4: return 48;
	default: return 0;
	}
}

/* ---- <KeyDigest> ---------------------------------------------------------------------------- */

enum kd_field { KD_KEYTAG, KD_ALGORITHM, KD_DIGESTTYPE, KD_DIGEST, KD_PUBLICKEY, KD_FLAGS, KD_N };

static const char *const kd_names[KD_N] = {
	"KeyTag", "Algorithm", "DigestType", "Digest", "PublicKey", "Flags",
};

static int kd_value_fail(struct xr *x, unsigned line, const struct tw_anchor_digest *kd,
			 const char *field, const char *value, const char *reason)
{
	return xfail(x, line, "KeyDigest[%s].%s: \"%.80s%s\" %s", kd->id, field, value,
		     strlen(value) > 80 ? "..." : "", reason);
}

static int x_key_digest(struct xr *x, const struct xtag *t, uint32_t now,
			struct tw_anchor_digest *kd)
{
	static const char *const attrs[] = { "id", "validFrom", "validUntil", NULL };
	char text[XML_TEXT_MAX];
	uint8_t key[XML_TEXT_MAX];
	int rc = x_only_attrs(x, t, attrs);
	if (rc < 0)
		return rc;
	memset(kd, 0, sizeof(*kd));
	kd->line = t->line;
	const char *id = x_attr(t, "id"), *from = x_attr(t, "validFrom"),
		   *until = x_attr(t, "validUntil");
	if (!id || !*id)
		return xfail(x, t->line, "<KeyDigest>: no id attribute");
	if (strlen(id) >= sizeof(kd->id))
		return xfail(x, t->line, "<KeyDigest>: id \"%.40s...\" longer than %zu characters",
			     id, sizeof(kd->id) - 1);
	snprintf(kd->id, sizeof(kd->id), "%s", id);
	if (!from)
		return xfail(x, t->line, "KeyDigest[%s]: no validFrom attribute", kd->id);
	if (!parse_datetime(from, &kd->valid_from))
		return kd_value_fail(x, t->line, kd, "validFrom", from,
				     "is not an RFC 3339 date-time (2017-02-02T00:00:00+00:00)");
	kd->valid_until = INT64_MAX;
	if (until && !parse_datetime(until, &kd->valid_until))
		return kd_value_fail(x, t->line, kd, "validUntil", until,
				     "is not an RFC 3339 date-time (2017-02-02T00:00:00+00:00)");
	if (kd->valid_until <= kd->valid_from)
		return kd_value_fail(x, t->line, kd, "validUntil", until,
				     "is not after validFrom");
	if (t->empty)
		return xfail(x, t->line, "KeyDigest[%s]: empty: no <Digest>", kd->id);

	unsigned seen[KD_N] = { 0 };
	unsigned v;
	bool child;
	for (;;) {
		if ((rc = x_next_child(x, t, &child)) < 0)
			return rc;
		if (!child) {
			if ((rc = x_end_tag(x, t)) < 0)
				return rc;
			break;
		}
		struct xtag c;
		if ((rc = x_start_tag(x, &c)) < 0)
			return rc;
		unsigned f = 0;
		while (f < KD_N && strcmp(kd_names[f], c.name) != 0)
			f++;
		if (f == KD_N && strcmp(c.name, "KeyDigest") == 0)
			return xfail(x, c.line, "<KeyDigest> inside <KeyDigest> %s (no </KeyDigest>?)",
				     kd->id);
		if (f == KD_N)
			return xfail(x, c.line, "KeyDigest[%s]: unknown element <%s>", kd->id, c.name);
		if (seen[f])
			return xfail(x, c.line, "KeyDigest[%s]: second <%s> (first at line %u)", kd->id,
				     c.name, seen[f]);
		seen[f] = c.line;
		if (c.nattr)
			return xfail(x, c.line, "KeyDigest[%s].%s: unexpected attribute %s", kd->id,
				     c.name, c.attr[0].name);
		if ((rc = x_leaf_text(x, &c, text, sizeof(text))) < 0)
			return rc;
		switch ((enum kd_field)f) {
		case KD_KEYTAG:
			if (!parse_number(text, 65535, &v))
				return kd_value_fail(x, c.line, kd, c.name, text,
						     "is not a key tag (0..65535)");
			kd->key_tag = (uint16_t)v;
			break;
		case KD_ALGORITHM:
			if (!parse_number(text, 255, &v) || v == 0)
				return kd_value_fail(x, c.line, kd, c.name, text,
						     "is not an algorithm number (1..255)");
			kd->algorithm = (uint8_t)v;
			break;
		case KD_DIGESTTYPE:
			if (!parse_number(text, 255, &v) || v == 0)
				return kd_value_fail(x, c.line, kd, c.name, text,
						     "is not a digest type (1..255)");
			kd->digest_type = (uint8_t)v;
			break;
		case KD_DIGEST: {
			size_t dl;
			if (!*text || tw_hex_decode(text, strlen(text), kd->digest, sizeof(kd->digest),
						    &dl) != 0)
				return kd_value_fail(x, c.line, kd, c.name, text,
						     "is not hex digits (at most 64 octets)");
			kd->digest_len = (uint16_t)dl;
			break;
		}
		case KD_PUBLICKEY: {
			/* RFC 9718 §2.2: the key itself, for reference; base64 may wrap */
			size_t n = 0, kl;
			for (size_t i = 0; text[i]; i++)
				if (!is_space(text[i]))
					text[n++] = text[i];
			text[n] = 0;
			if (!n || tw_base64_decode(text, n, key, sizeof(key), &kl) != 0)
				return kd_value_fail(x, c.line, kd, c.name, text, "is not base64");
			break;
		}
		case KD_FLAGS:
			if (!parse_number(text, 65535, &v))
				return kd_value_fail(x, c.line, kd, c.name, text,
						     "is not a flags value (0..65535)");
			break;
		case KD_N:
			break;
		}
	}
	for (unsigned f = KD_KEYTAG; f <= KD_DIGEST; f++)
		if (!seen[f])
			return xfail(x, t->line, "KeyDigest[%s]: no <%s>", kd->id, kd_names[f]);
	unsigned want = digest_size(kd->digest_type);
	if (want && kd->digest_len != want)
		return xfail(x, seen[KD_DIGEST],
			     "KeyDigest[%s].Digest: %u octets, but digest type %u takes %u", kd->id,
			     kd->digest_len, kd->digest_type, want);
	kd->valid = kd->valid_from <= (int64_t)now && (int64_t)now < kd->valid_until;
	return 0;
}

/* ---- the document ------------------------------------------------------------------------- */

static void skip_bom(const char **text, size_t *len)
{
	if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
		*text += 3;
		*len -= 3;
	}
}

int tw_anchors_xml_parse(const char *text, size_t len, const char *file, uint32_t now,
			 struct tw_anchors_xml *out, char *err, size_t errcap)
{
	static const char *const ta_attrs[] = { "id", "source", NULL };
	struct xr xs = { .s = text, .len = len, .line = 1, .file = file ? file : "<input>",
			 .err = err, .errcap = errcap };
	struct xr *x = &xs;
	struct xtag root, c;
	char ztext[TW_DNS_NAME_STRLEN];
	bool child, have_zone = false;
	int rc;

	memset(out, 0, sizeof(*out));
	skip_bom(&xs.s, &xs.len);
	x_skip_space(x);
	if (x_at(x, "<?xml") && is_space(x->len - x->pos > 5 ? x->s[x->pos + 5] : 0)) {
		unsigned line = x->line;
		if (!x_skip_past(x, "?>"))
			return xfail(x, line, "<?xml declaration is not closed");
	}
	if ((rc = x_skip_misc(x)) < 0)
		return rc;
	if (x_peek(x) != '<' || x_at(x, "</"))
		return xfail(x, x->line, "expected <TrustAnchor>");
	if ((rc = x_start_tag(x, &root)) < 0)
		return rc;
	if (strcmp(root.name, "TrustAnchor") != 0)
		return xfail(x, root.line, "expected <TrustAnchor>, found <%s>", root.name);
	if ((rc = x_only_attrs(x, &root, ta_attrs)) < 0)
		return rc;
	if (root.empty)
		return xfail(x, root.line, "<TrustAnchor/> is empty: no <Zone>");
	for (;;) {
		if ((rc = x_next_child(x, &root, &child)) < 0)
			return rc;
		if (!child) {
			if ((rc = x_end_tag(x, &root)) < 0)
				return rc;
			break;
		}
		if ((rc = x_start_tag(x, &c)) < 0)
			return rc;
		if (strcmp(c.name, "Zone") == 0) {
			if (have_zone)
				return xfail(x, c.line, "second <Zone>: a file anchors one zone");
			if (c.nattr)
				return xfail(x, c.line, "<Zone>: unexpected attribute %s",
					     c.attr[0].name);
			if ((rc = x_leaf_text(x, &c, ztext, sizeof(ztext))) < 0)
				return rc;
			static const uint8_t root_name[1] = { 0 };
			size_t zlen;
			if (!*ztext || tw_dns_name_from_str(ztext, strlen(ztext), root_name, out->zone,
							    &zlen) != 0)
				return xfail(x, c.line, "Zone: \"%.80s\" is not a domain name", ztext);
			have_zone = true;
		} else if (strcmp(c.name, "KeyDigest") == 0) {
			if (!have_zone)
				return xfail(x, c.line, "<KeyDigest> before <Zone>");
			if (out->n == TW_ANCHORS_XML_MAX) {
				xfail(x, c.line, "more than %d <KeyDigest> entries", TW_ANCHORS_XML_MAX);
				return -TW_ENOSPC;
			}
			struct tw_anchor_digest *kd = &out->kd[out->n];
			if ((rc = x_key_digest(x, &c, now, kd)) < 0)
				return rc;
			for (unsigned i = 0; i < out->n; i++)
				if (strcmp(out->kd[i].id, kd->id) == 0)
					return xfail(x, c.line,
						     "KeyDigest[%s]: id used twice (first at line %u)",
						     kd->id, out->kd[i].line);
			out->n++;
			if (kd->valid)
				out->valid++;
			else if ((int64_t)now < kd->valid_from)
				out->not_yet_valid++;
			else
				out->expired++;
		} else {
			return xfail(x, c.line, "unknown element <%s> in <TrustAnchor>", c.name);
		}
	}
	if ((rc = x_skip_misc(x)) < 0)
		return rc;
	if (!x_eof(x))
		return xfail(x, x->line, "content after </TrustAnchor>");
	if (!have_zone)
		return xfail(x, root.line, "<TrustAnchor> has no <Zone>");
	if (out->n == 0)
		return xfail(x, root.line, "<TrustAnchor> has no <KeyDigest>");
	return 0;
}

/* ---- files ------------------------------------------------------------------------------------ */


static bool looks_like_xml(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && is_space(text[i]))
		i++;
	return i < len && text[i] == '<';
}

/* The valid KeyDigests of a read root-anchors.xml as DS anchors (RFC 4034 §5.1). */
static int add_xml_anchors(struct tw_val_conf *vc, const struct tw_anchors_xml *ax,
			   const char *path, char *err, size_t errcap)
{
	int added = 0;
	for (unsigned i = 0; i < ax->n; i++) {
		const struct tw_anchor_digest *kd = &ax->kd[i];
		if (!kd->valid)
			continue;
		uint8_t rdata[4 + TW_ANCHORS_DIGEST_MAX];
		rdata[0] = (uint8_t)(kd->key_tag >> 8);
		rdata[1] = (uint8_t)kd->key_tag;
		rdata[2] = kd->algorithm;
		rdata[3] = kd->digest_type;
		memcpy(rdata + 4, kd->digest, kd->digest_len);
		int rc = tw_val_conf_add_anchor(vc, ax->zone, TW_DNS_T_DS, rdata,
						(uint16_t)(4 + kd->digest_len));
		if (rc < 0) {
			snprintf(err, errcap, "%s:%u: KeyDigest[%s]: cannot add the anchor: %s", path,
				 kd->line, kd->id, tw_strerror(rc));
			return rc;
		}
		added++;
	}
	return added;
}

int tw_anchors_load(struct tw_val_conf *vc, const char *path, uint32_t now, char *err,
		    size_t errcap)
{
	char *buf;
	size_t len;
	int rc = tw_mgmt_read_file(path, ANCHOR_FILE_MAX_BYTES, "a trust anchor file", &buf, &len,
				   err, errcap);
	if (rc < 0)
		return rc;
	const char *text = buf;
	skip_bom(&text, &len);
	if (len == 0) {
		snprintf(err, errcap, "%s: empty file: no trust anchor in it", path);
		rc = -TW_ENOENT;
	} else if (looks_like_xml(text, len)) {
		struct tw_anchors_xml *ax = malloc(sizeof(*ax));
		if (!ax) {
			snprintf(err, errcap, "%s: out of memory", path);
			free(buf);
			return -TW_ENOMEM;
		}
		rc = tw_anchors_xml_parse(text, len, path, now, ax, err, errcap);
		if (rc == 0 && ax->valid == 0) {
			char when[32];
			format_time(now, when, sizeof(when));
			snprintf(err, errcap,
				 "%s: no KeyDigest valid at %s (%u expired, %u not yet valid): "
				 "no trust anchor",
				 path, when, ax->expired, ax->not_yet_valid);
			rc = -TW_ENOENT;
		} else if (rc == 0) {
			rc = add_xml_anchors(vc, ax, path, err, errcap);
		}
		free(ax);
	} else {
		rc = tw_val_conf_load_anchors(vc, text, len, path, err, errcap);
	}
	free(buf);
	return rc;
}

int tw_anchors_load_all(struct tw_val_conf *vc, const char *const paths[], unsigned n,
			uint32_t now, char *err, size_t errcap)
{
	if (n == 0) {
		snprintf(err, errcap,
			 "trust anchors: no file given: trustwired does not run without one");
		return -TW_ENOENT;
	}
	int total = 0;
	for (unsigned i = 0; i < n; i++) {
		int rc = tw_anchors_load(vc, paths[i], now, err, errcap);
		if (rc < 0)
			return rc;
		total += rc;
	}
	return total;
}
