/* The trustwired configuration: the YAML file (libyaml's document API), the
 * command-line overrides, the checks across keys and the dump. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "dns/error.h"
#include "dns/name.h"
#include "mgmt/anchors.h"
#include "mgmt/config.h"
#include "mgmt/file.h"

#define CONFIG_MAX_BYTES (1u << 20)
#define PATH_TEXT_MAX 4096      /* longest file path a list accepts */
#define KEYPATH_MAX 96          /* "upstreams[15].address" and the like */
#define SHOWN_VALUE_MAX 80      /* a value quoted in a message is cut here */

/* ---- names of enumerated values ------------------------------------------------ */

struct enum_name {
	const char *name;
	int value;
};

static const struct enum_name crypto_names[] = {
	{ "inline", TW_CONFIG_CRYPTO_INLINE },
	{ "ring", TW_CONFIG_CRYPTO_RING },
	{ "cryptodev", TW_CONFIG_CRYPTO_CRYPTODEV },
	{ NULL, 0 },
};

static const struct enum_name log_names[] = {
	{ "error", TW_CONFIG_LOG_ERROR },
	{ "warning", TW_CONFIG_LOG_WARNING },
	{ "notice", TW_CONFIG_LOG_NOTICE },
	{ "info", TW_CONFIG_LOG_INFO },
	{ "debug", TW_CONFIG_LOG_DEBUG },
	{ NULL, 0 },
};

static const struct enum_name exception_names[] = {
	{ "drop", TW_CONFIG_EXCEPTION_DROP },
	{ "tap", TW_CONFIG_EXCEPTION_TAP },
	{ NULL, 0 },
};

static const char *enum_str(const struct enum_name *t, int v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return "?";
}

const char *tw_config_log_level_str(enum tw_config_log_level l)
{
	return enum_str(log_names, (int)l);
}

const char *tw_config_exception_str(enum tw_config_exception e)
{
	return enum_str(exception_names, (int)e);
}

const char *tw_config_crypto_str(enum tw_config_crypto k)
{
	return enum_str(crypto_names, (int)k);
}

/* "is not one of a, b, c" for an enum's names. */
static const char *enum_reason(const struct enum_name *t, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "is not one of");
	for (const struct enum_name *e = t; e->name && n < cap; e++)
		n += (size_t)snprintf(buf + n, cap - n, "%s %s", e == t ? "" : ",", e->name);
	return buf;
}

static bool enum_parse(const struct enum_name *t, const char *s, int *out)
{
	for (; t->name; t++) {
		if (strcmp(t->name, s) == 0) {
			*out = t->value;
			return true;
		}
	}
	return false;
}

/* ---- values: shared by the file and the command line ---------------------------- *
 * Each parser returns NULL on success, or the reason the value is refused, worded
 * to follow the quoted value: `"99999" is not a port (1..65535)`. */

/* Decimal digits only: no sign, no space, no hex. */
static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* A number in min..max; `what` ("a port") names it in the reason, NULL for "a
 * number". reason: storage for the text. */
static const char *parse_ranged(const char *s, uint64_t min, uint64_t max, const char *what,
				uint64_t *out, char *reason, size_t cap)
{
	uint64_t v;
	bool num = parse_u64(s, &v);
	if (num && v >= min && v <= max) {
		*out = v;
		return NULL;
	}
	if (what)
		snprintf(reason, cap, "is not %s (%" PRIu64 "..%" PRIu64 ")", what, min, max);
	else if (num)
		snprintf(reason, cap, "is out of range (%" PRIu64 "..%" PRIu64 ")", min, max);
	else
		snprintf(reason, cap, "is not a number (%" PRIu64 "..%" PRIu64 ")", min, max);
	return reason;
}

#define SIZE_MIN_BYTES (1ull << 20)
#define SIZE_MAX_BYTES (1ull << 40)

/* Bytes, or a number with a K, M or G suffix (powers of 1024). */
static const char *parse_size(const char *s, uint64_t *out)
{
	char digits[24];
	size_t n = strlen(s);
	unsigned shift = 0;
	if (n > 0) {
		switch (s[n - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: break;
		}
	}
	if (shift)
		n--;
	uint64_t v;
	if (n == 0 || n >= sizeof(digits))
		return "is not a size (bytes, or a number with K, M or G)";
	memcpy(digits, s, n);
	digits[n] = 0;
	if (!parse_u64(digits, &v))
		return "is not a size (bytes, or a number with K, M or G)";
	if (v > (SIZE_MAX_BYTES >> shift) || (v << shift) < SIZE_MIN_BYTES)
		return "is out of range (1M..1024G)";
	*out = v << shift;
	return NULL;
}

static const char *parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	for (unsigned i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return NULL;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return NULL;
		}
	}
	return "is not a boolean (true or false)";
}

/* Unicast addresses a DPDK port can use: not unspecified, loopback, "this
 * network" (0/8), multicast, reserved (240/4) or broadcast. */
static bool usable_unicast(const struct tw_config_addr *a)
{
	static const uint8_t zero[16];
	if (a->family == AF_INET)
		return a->addr[0] != 0 && a->addr[0] != 127 && a->addr[0] < 224;
	if (memcmp(a->addr, zero, 16) == 0)
		return false;
	if (memcmp(a->addr, zero, 15) == 0 && a->addr[15] == 1) /* ::1 */
		return false;
	return a->addr[0] != 0xff;
}

/* A bare IPv4 or IPv6 address (family 0: either). */
static bool addr_from_text(const char *s, int family, struct tw_config_addr *a)
{
	memset(a->addr, 0, sizeof(a->addr));
	if ((family == 0 || family == AF_INET) && inet_pton(AF_INET, s, a->addr) == 1) {
		a->family = AF_INET;
		return true;
	}
	if ((family == 0 || family == AF_INET6) && inet_pton(AF_INET6, s, a->addr) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

/* ADDR, ADDR4:PORT, [ADDR6] or [ADDR6]:PORT; the port defaults to 53. */
static const char *parse_endpoint(const char *s, struct tw_config_addr *a)
{
	char host[64];
	const char *port = NULL;
	struct tw_config_addr r = { .port = TW_CONFIG_DNS_PORT };
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (size_t)(close - s - 1) >= sizeof(host))
			return "is not an IP address";
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = 0;
		if (!addr_from_text(host, AF_INET6, &r))
			return "is not an IP address (brackets hold IPv6: [2001:db8::1]:53)";
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != 0)
			return "is not an IP address";
	} else if (!addr_from_text(s, 0, &r)) {
		const char *colon = strchr(s, ':');
		if (!colon || strchr(colon + 1, ':') || (size_t)(colon - s) >= sizeof(host))
			return "is not an IP address";
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		if (!addr_from_text(host, AF_INET, &r))
			return "is not an IP address";
		port = colon + 1;
	}
	if (port) {
		uint64_t p;
		if (!parse_u64(port, &p) || p < 1 || p > 65535)
			return "is not a port (1..65535)";
		r.port = (uint16_t)p;
	}
	if (!usable_unicast(&r))
		return "is not a unicast address";
	*a = r;
	return NULL;
}

/* A bare host address of the given family (0: either). */
static const char *parse_host(const char *s, int family, struct tw_config_addr *a)
{
	struct tw_config_addr r = { 0 };
	if (!addr_from_text(s, family, &r))
		return family == AF_INET ? "is not an IPv4 address"
		       : family == AF_INET6 ? "is not an IPv6 address"
					    : "is not an IP address";
	if (!usable_unicast(&r))
		return "is not a unicast address";
	*a = r;
	return NULL;
}

/* ADDR/PREFIX: an interface address, so not the network or broadcast address
 * of its IPv4 prefix (up to /30; /31 has no such addresses, RFC 3021). */
static const char *parse_prefix(const char *s, int family, struct tw_config_addr *a)
{
	char host[64];
	const char *slash = strchr(s, '/');
	const char *form = family == AF_INET6 ? "is not an IPv6 address with a prefix length "
						"(2001:db8::1/64)"
			   : family == AF_INET	  ? "is not an IPv4 address with a prefix length "
						"(198.18.0.1/24)"
						: "is not an address with a prefix length "
						"(198.18.0.1/24 or 2001:db8::1/64)";
	struct tw_config_addr r = { 0 };
	if (!slash || (size_t)(slash - s) >= sizeof(host))
		return form;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = 0;
	if (!addr_from_text(host, family, &r))
		return form;
	uint64_t len;
	unsigned bits = r.family == AF_INET ? 32 : 128;
	if (!parse_u64(slash + 1, &len) || len < 1 || len > bits)
		return r.family == AF_INET ? "has a prefix length out of range (1..32)"
					   : "has a prefix length out of range (1..128)";
	r.prefix = (uint8_t)len;
	if (!usable_unicast(&r))
		return "is not a unicast address";
	if (r.family == AF_INET && len <= 30) {
		uint32_t v, host_mask = (uint32_t)(0xffffffffu >> len);
		memcpy(&v, r.addr, 4);
		v = ntohl(v) & host_mask;
		if (v == 0)
			return "is the network address of its prefix (an interface needs a host address)";
		if (v == host_mask)
			return "is the broadcast address of its prefix";
	}
	*a = r;
	return NULL;
}

static const char *parse_mac(const char *s, bool *set, uint8_t mac[6])
{
	if (strcmp(s, "auto") == 0) {
		*set = false;
		memset(mac, 0, 6);
		return NULL;
	}
	uint8_t m[6];
	for (unsigned i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		unsigned v = 0;
		for (unsigned k = 0; k < 2; k++) {
			char c = p[k];
			unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
				     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
				     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
							    : 16;
			if (d == 16)
				return "is not a MAC address (aa:bb:cc:dd:ee:ff, or auto)";
			v = v * 16 + d;
		}
		if (p[2] != (i == 5 ? 0 : ':'))
			return "is not a MAC address (aa:bb:cc:dd:ee:ff, or auto)";
		m[i] = (uint8_t)v;
	}
	if (m[0] & 1)
		return "is a multicast MAC address";
	if ((m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0)
		return "is the all-zero MAC address";
	*set = true;
	memcpy(mac, m, 6);
	return NULL;
}

/* An RFC 7646 name, relative names taken from the root; out: capacity 255. */
static const char *parse_nta(const char *s, uint8_t *out)
{
	static const uint8_t root[1] = { 0 };
	size_t len;
	if (tw_dns_name_from_str(s, strlen(s), root, out, &len) != 0)
		return "is not a domain name";
	if (len == 1)
		return "is the root: a negative trust anchor there would turn validation off";
	return NULL;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 §4), 0 if none. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		   : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0; /* overlong, surrogate, above U+10FFFF */
	return n;
}

/* Paths from the file are UTF-8 already (libyaml checks); from the command line
 * they must be too, or the dump could not carry them. */
static const char *parse_path(const char *s)
{
	if (!*s || strlen(s) >= PATH_TEXT_MAX)
		return "is not a file path";
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);
		if (!n)
			return "is not UTF-8 text (the configuration is UTF-8)";
		p += n;
	}
	return NULL;
}

/* ---- addresses as text ------------------------------------------------------------ */

const char *tw_config_addr_str(const struct tw_config_addr *a, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	if (a->family == AF_INET || a->family == AF_INET6)
		inet_ntop(a->family, a->addr, ip, sizeof(ip));
	else
		snprintf(ip, sizeof(ip), "unset");
	if (a->prefix)
		snprintf(buf, cap, "%s/%u", ip, a->prefix);
	else if (a->port && a->family == AF_INET6)
		snprintf(buf, cap, "[%s]:%u", ip, a->port);
	else if (a->port)
		snprintf(buf, cap, "%s:%u", ip, a->port);
	else
		snprintf(buf, cap, "%s", ip);
	return buf;
}

/* ---- life ---------------------------------------------------------------------------- */

static void free_strings(char **v, unsigned *n)
{
	for (unsigned i = 0; i < *n; i++) {
		free(v[i]);
		v[i] = NULL;
	}
	*n = 0;
}

void tw_config_fini(struct tw_config *cfg)
{
	if (!cfg)
		return;
	free_strings(cfg->trust_anchors, &cfg->ntrust_anchors);
	free(cfg->file);
	memset(cfg, 0, sizeof(*cfg));
}

int tw_config_init(struct tw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	tw_cache_conf_init(&cfg->cache);
	cfg->workers.crypto = TW_CONFIG_CRYPTO_INLINE;
	cfg->workers.verify_memo = 8192;
	cfg->limits = (struct tw_config_limits){
		.pending = 4096,
		.timeout_ms = 800,
		.retries = 2,
		.waiters = 64,
	};
	cfg->exception = TW_CONFIG_EXCEPTION_DROP;
	cfg->tcp_enabled = true;
	cfg->log_level = TW_CONFIG_LOG_INFO;
	cfg->trust_anchors[0] = strdup(TW_ANCHORS_DEFAULT_FILE);
	if (!cfg->trust_anchors[0])
		return -TW_ENOMEM;
	cfg->ntrust_anchors = 1;
	return 0;
}

/* Deep copy of src into dst (uninitialised). Returns 0 or -TW_ENOMEM (dst then
 * holds nothing to free). */
static int config_copy(struct tw_config *dst, const struct tw_config *src)
{
	*dst = *src;
	dst->file = NULL;
	for (unsigned i = 0; i < src->ntrust_anchors; i++)
		dst->trust_anchors[i] = NULL;
	bool ok = !src->file || (dst->file = strdup(src->file));
	for (unsigned i = 0; ok && i < src->ntrust_anchors; i++)
		ok = (dst->trust_anchors[i] = strdup(src->trust_anchors[i])) != NULL;
	if (!ok) {
		tw_config_fini(dst);
		return -TW_ENOMEM;
	}
	return 0;
}

/* ---- the file -------------------------------------------------------------------------- */

struct loader {
	struct tw_config *cfg;
	const char *name;       /* the file, in messages */
	const char *text;       /* its bytes (for lines of reader errors) */
	size_t len;
	yaml_document_t *doc;
	char *err;
	size_t errcap;
};

struct key_def;
typedef int (*key_fn)(struct loader *L, yaml_node_t *v, const char *path,
		      const struct key_def *d, void *base);

/* One key of a mapping: what reads its value and where the value goes. */
struct key_def {
	const char *name;
	key_fn fn;
	size_t off;                    /* the field, from the mapping's base */
	uint8_t width;                 /* numbers and enums: the field's size */
	uint64_t min, max;             /* numbers */
	const char *what;              /* numbers: noun for messages; NULL: a number */
	const struct key_def *sub;     /* sections: their keys, NULL-name terminated */
	const struct enum_name *names; /* enums */
	size_t line_off;               /* where in struct tw_config to note the key's
					* line (0: nowhere) */
};

static unsigned node_line(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

/* The value as a message shows it: quoted, escaped, cut. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t o = 0, i = 0;
	buf[o++] = '"';
	for (; s[i] && i < SHOWN_VALUE_MAX && o + 6 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (s[i] && o + 5 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = 0;
	return buf;
}

__attribute__((format(printf, 4, 5)))
static int fail_at(struct loader *L, unsigned line, const char *path, const char *fmt, ...)
{
	char msg[TW_CONFIG_ERRLEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path)
		snprintf(L->err, L->errcap, "%s:%u: %s: %s", L->name, line, path, msg);
	else
		snprintf(L->err, L->errcap, "%s:%u: %s", L->name, line, msg);
	return -TW_EINVAL;
}

static int fail_value(struct loader *L, const yaml_node_t *n, const char *path, const char *value,
		      const char *reason)
{
	char q[SHOWN_VALUE_MAX * 4 + 8];
	return fail_at(L, node_line(n), path, "%s %s", shown(value, q, sizeof(q)), reason);
}

static const char *node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a single value";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* A plain empty value, "~" or "null": the key is there without a value. */
static bool node_is_null(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)n->data.scalar.value;
	return n->data.scalar.length == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* The text of a scalar node that must hold a value; NULL with the error set. */
static const char *scalar_of(struct loader *L, yaml_node_t *n, const char *path, int *rc)
{
	if (n->type != YAML_SCALAR_NODE) {
		*rc = fail_at(L, node_line(n), path, "expected a single value, found %s",
			      node_kind(n));
		return NULL;
	}
	if (node_is_null(n)) {
		*rc = fail_at(L, node_line(n), path, "no value given");
		return NULL;
	}
	const char *s = (const char *)n->data.scalar.value;
	if (strlen(s) != n->data.scalar.length) {
		*rc = fail_at(L, node_line(n), path, "the value holds a NUL character");
		return NULL;
	}
	return s;
}

static void store_uint(void *field, uint8_t width, uint64_t v)
{
	switch (width) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(field, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(field, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(field, &x, 4); break; }
	default: memcpy(field, &v, 8); break;
	}
}

static int key_uint(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		    void *base)
{
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	char why[96];
	uint64_t x;
	const char *reason = parse_ranged(s, d->min, d->max, d->what, &x, why, sizeof(why));
	if (reason)
		return fail_value(L, v, path, s, reason);
	store_uint((char *)base + d->off, d->width, x);
	return 0;
}

static int key_size(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		    void *base)
{
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	uint64_t x;
	const char *reason = parse_size(s, &x);
	if (reason)
		return fail_value(L, v, path, s, reason);
	memcpy((char *)base + d->off, &x, sizeof(x));
	return 0;
}

static int key_bool(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		    void *base)
{
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	bool b;
	const char *reason = parse_bool(s, &b);
	if (reason)
		return fail_value(L, v, path, s, reason);
	memcpy((char *)base + d->off, &b, sizeof(b));
	return 0;
}

static int key_enum(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		    void *base)
{
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	int x;
	char why[96];
	if (!enum_parse(d->names, s, &x))
		return fail_value(L, v, path, s, enum_reason(d->names, why, sizeof(why)));
	store_uint((char *)base + d->off, d->width, (uint64_t)(unsigned)x);
	return 0;
}

/* Address keys: d->min is the family (0: either); the line is noted in the
 * struct tw_config_addr for tw_config_validate. */
static int key_prefix(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		      void *base)
{
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	struct tw_config_addr a;
	const char *reason = parse_prefix(s, (int)d->min, &a);
	if (reason)
		return fail_value(L, v, path, s, reason);
	a.line = node_line(v);
	memcpy((char *)base + d->off, &a, sizeof(a));
	return 0;
}

static int key_host(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		    void *base)
{
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	struct tw_config_addr a;
	const char *reason = parse_host(s, (int)d->min, &a);
	if (reason)
		return fail_value(L, v, path, s, reason);
	a.line = node_line(v);
	memcpy((char *)base + d->off, &a, sizeof(a));
	return 0;
}

static int key_mac(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		   void *base)
{
	(void)d;
	int rc = 0;
	const char *s = scalar_of(L, v, path, &rc);
	if (!s)
		return rc;
	struct tw_config_port *p = base;
	const char *reason = parse_mac(s, &p->mac_set, p->mac);
	if (reason)
		return fail_value(L, v, path, s, reason);
	return 0;
}

/* Levenshtein distance, for "did you mean"; keys are short. */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned row[KEYPATH_MAX + 1];
	size_t la = strlen(a), lb = strlen(b);
	if (la > KEYPATH_MAX || lb > KEYPATH_MAX)
		return UINT32_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest of names (at most 2 edits away), or NULL. */
static const char *closest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	unsigned best_d = 3;
	for (size_t i = 0; i < n; i++) {
		unsigned d = edit_distance(s, names[i]);
		if (d < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}

static int unknown_key(struct loader *L, yaml_node_t *k, const char *path, const char *key,
		       const struct key_def *defs)
{
	const char *names[32];
	size_t n = 0;
	for (const struct key_def *d = defs; d->name && n < 32; d++)
		names[n++] = d->name;
	const char *near = closest(key, names, n);
	char full[KEYPATH_MAX * 2];
	snprintf(full, sizeof(full), "%s%s%s", path, *path ? "." : "", key);
	if (near)
		return fail_at(L, node_line(k), NULL, "%s: unknown key (did you mean \"%s\"?)",
			       full, near);
	char list[400];
	size_t o = 0;
	for (size_t i = 0; i < n && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", names[i]);
	return fail_at(L, node_line(k), NULL, "%s: unknown key (known here: %s)", full, list);
}

/* Walks a mapping against defs: every key known and given once. A null value
 * stands for an empty mapping. */
static int walk_map(struct loader *L, yaml_node_t *m, const char *path,
		    const struct key_def *defs, void *base)
{
	if (node_is_null(m))
		return 0;
	if (m->type != YAML_MAPPING_NODE)
		return fail_at(L, node_line(m), path, "expected a mapping of keys, found %s",
			       node_kind(m));
	yaml_node_pair_t *first = m->data.mapping.pairs.start;
	for (yaml_node_pair_t *p = first; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
		if (!k || !v || k->type != YAML_SCALAR_NODE)
			return fail_at(L, k ? node_line(k) : node_line(m), path,
				       "a key must be a plain name, found %s",
				       k ? node_kind(k) : "nothing");
		const char *key = (const char *)k->data.scalar.value;
		for (yaml_node_pair_t *q = first; q < p; q++) {
			yaml_node_t *k2 = yaml_document_get_node(L->doc, q->key);
			if (k2 && k2->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)k2->data.scalar.value, key) == 0)
				return fail_at(L, node_line(k), NULL,
					       "%s%s%s: duplicate key (first at line %u)", path,
					       *path ? "." : "", key, node_line(k2));
		}
		const struct key_def *d = defs;
		while (d->name && strcmp(d->name, key) != 0)
			d++;
		if (!d->name)
			return unknown_key(L, k, path, key, defs);
		char child[KEYPATH_MAX];
		snprintf(child, sizeof(child), "%s%s%s", path, *path ? "." : "", key);
		int rc = d->fn(L, v, child, d, base);
		if (rc < 0)
			return rc;
		if (d->line_off) {
			uint32_t line = node_line(k);
			memcpy((char *)L->cfg + d->line_off, &line, sizeof(line));
		}
	}
	return 0;
}

static int key_section(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		       void *base)
{
	return walk_map(L, v, path, d->sub, (char *)base + d->off);
}

/* The items of a list-valued key: a list, a single value (a list of one) or
 * nothing (an empty list). *items points at node ids, *n their count; one_id is
 * storage for the single-value case. */
static int list_items(struct loader *L, yaml_node_t *v, const char *path, yaml_node_item_t **items,
		      size_t *n, yaml_node_item_t *one_id, size_t cap)
{
	if (node_is_null(v)) {
		*n = 0;
		return 0;
	}
	if (v->type == YAML_SCALAR_NODE) {
		*one_id = (yaml_node_item_t)(v - L->doc->nodes.start) + 1;
		*items = one_id;
		*n = 1;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return fail_at(L, node_line(v), path, "expected a list, found %s", node_kind(v));
	*items = v->data.sequence.items.start;
	*n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (*n > cap) {
		yaml_node_t *extra = yaml_document_get_node(L->doc, (*items)[cap]);
		return fail_at(L, extra ? node_line(extra) : node_line(v), path,
			       "more than %zu entries (at most %zu)", cap, cap);
	}
	return 0;
}

/* An endpoint written as a mapping: {address: ADDR, port: N}. */
struct endpoint_src {
	struct tw_config_addr addr;
	uint16_t port;
	bool port_given;
};

static int key_port_number(struct loader *L, yaml_node_t *v, const char *path,
			   const struct key_def *d, void *base)
{
	struct endpoint_src *e = base;
	int rc = key_uint(L, v, path, d, base);
	if (rc == 0)
		e->port_given = true;
	return rc;
}

static const struct key_def endpoint_keys[] = {
	{ .name = "address", .fn = key_host, .off = offsetof(struct endpoint_src, addr) },
	{ .name = "port", .fn = key_port_number, .off = offsetof(struct endpoint_src, port),
	  .width = 2, .min = 1, .max = 65535, .what = "a port" },
	{ .name = NULL },
};

static int endpoint_list(struct loader *L, yaml_node_t *v, const char *path,
			 struct tw_config_addr *arr, unsigned *count, size_t cap)
{
	yaml_node_item_t *items, one;
	size_t n;
	int rc = list_items(L, v, path, &items, &n, &one, cap);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = yaml_document_get_node(L->doc, items[i]);
		char ipath[KEYPATH_MAX];
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!it)
			return fail_at(L, node_line(v), ipath, "missing entry");
		struct tw_config_addr a;
		if (it->type == YAML_MAPPING_NODE) {
			struct endpoint_src e = { 0 };
			rc = walk_map(L, it, ipath, endpoint_keys, &e);
			if (rc < 0)
				return rc;
			if (!e.addr.family)
				return fail_at(L, node_line(it), ipath,
					       "no address: (the mapping form is {address: ADDR, "
					       "port: N})");
			a = e.addr;
			a.port = e.port_given ? e.port : TW_CONFIG_DNS_PORT;
		} else {
			const char *s = scalar_of(L, it, ipath, &rc);
			if (!s)
				return rc;
			const char *reason = parse_endpoint(s, &a);
			if (reason)
				return fail_value(L, it, ipath, s, reason);
		}
		a.line = node_line(it);
		arr[i] = a;
	}
	*count = (unsigned)n;
	return 0;
}

static int key_listen(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		      void *base)
{
	(void)d;
	struct tw_config *c = base;
	return endpoint_list(L, v, path, c->listen, &c->nlisten, TW_CONFIG_MAX_LISTEN);
}

static int key_upstreams(struct loader *L, yaml_node_t *v, const char *path,
			 const struct key_def *d, void *base)
{
	(void)d;
	struct tw_config *c = base;
	return endpoint_list(L, v, path, c->upstreams, &c->nupstreams, TW_CONFIG_MAX_UPSTREAMS);
}

/* trust_anchors: file paths; the list is replaced whole. */
static int key_anchor_files(struct loader *L, yaml_node_t *v, const char *path,
			    const struct key_def *d, void *base)
{
	(void)d;
	struct tw_config *c = base;
	yaml_node_item_t *items, one;
	size_t n;
	int rc = list_items(L, v, path, &items, &n, &one, TW_CONFIG_MAX_ANCHOR_FILES);
	if (rc < 0)
		return rc;
	const char *vals[TW_CONFIG_MAX_ANCHOR_FILES];
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = yaml_document_get_node(L->doc, items[i]);
		char ipath[KEYPATH_MAX];
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!it)
			return fail_at(L, node_line(v), ipath, "missing entry");
		const char *s = scalar_of(L, it, ipath, &rc);
		if (!s)
			return rc;
		const char *reason = parse_path(s);
		if (reason)
			return fail_value(L, it, ipath, s, reason);
		vals[i] = s;
	}
	free_strings(c->trust_anchors, &c->ntrust_anchors);
	for (size_t i = 0; i < n; i++) {
		c->trust_anchors[i] = strdup(vals[i]);
		if (!c->trust_anchors[i]) {
			snprintf(L->err, L->errcap, "%s: out of memory", L->name);
			return -TW_ENOMEM;
		}
		c->ntrust_anchors = (unsigned)i + 1;
	}
	return 0;
}

static int key_ntas(struct loader *L, yaml_node_t *v, const char *path, const struct key_def *d,
		    void *base)
{
	(void)d;
	struct tw_config *c = base;
	yaml_node_item_t *items, one;
	size_t n;
	int rc = list_items(L, v, path, &items, &n, &one, TW_CONFIG_MAX_NTAS);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *it = yaml_document_get_node(L->doc, items[i]);
		char ipath[KEYPATH_MAX];
		snprintf(ipath, sizeof(ipath), "%s[%zu]", path, i);
		if (!it)
			return fail_at(L, node_line(v), ipath, "missing entry");
		const char *s = scalar_of(L, it, ipath, &rc);
		if (!s)
			return rc;
		/* straight into place: the working copy is thrown away on failure */
		const char *reason = parse_nta(s, c->ntas[i]);
		if (reason)
			return fail_value(L, it, ipath, s, reason);
	}
	c->nntas = (unsigned)n;
	return 0;
}

#define CFG(f) offsetof(struct tw_config, f)
#define FIELD_WIDTH(type, f) ((uint8_t)sizeof(((type *)0)->f))

static const struct key_def port_keys[] = {
	{ .name = "ip", .fn = key_prefix, .off = offsetof(struct tw_config_port, ip),
	  .min = AF_INET },
	{ .name = "gateway", .fn = key_host, .off = offsetof(struct tw_config_port, gateway),
	  .min = AF_INET },
	{ .name = "ip6", .fn = key_prefix, .off = offsetof(struct tw_config_port, ip6),
	  .min = AF_INET6 },
	{ .name = "gateway6", .fn = key_host, .off = offsetof(struct tw_config_port, gateway6),
	  .min = AF_INET6 },
	{ .name = "vlan", .fn = key_uint, .off = offsetof(struct tw_config_port, vlan),
	  .width = FIELD_WIDTH(struct tw_config_port, vlan), .min = 0, .max = 4094,
	  .what = "a VLAN id" },
	{ .name = "mac", .fn = key_mac },
	{ .name = NULL },
};

static const struct key_def cache_keys[] = {
	{ .name = "memory", .fn = key_size, .off = offsetof(struct tw_cache_conf, mem_limit) },
	{ .name = "max_ttl", .fn = key_uint, .off = offsetof(struct tw_cache_conf, max_ttl),
	  .width = FIELD_WIDTH(struct tw_cache_conf, max_ttl), .min = 1, .max = INT32_MAX },
	{ .name = "min_ttl", .fn = key_uint, .off = offsetof(struct tw_cache_conf, min_ttl),
	  .width = FIELD_WIDTH(struct tw_cache_conf, min_ttl), .min = 0, .max = 86400,
	  .line_off = CFG(lines.min_ttl) },
	{ .name = "bogus_ttl", .fn = key_uint, .off = offsetof(struct tw_cache_conf, bogus_ttl),
	  .width = FIELD_WIDTH(struct tw_cache_conf, bogus_ttl), .min = 1, .max = 86400 },
	{ .name = "aggressive", .fn = key_bool, .off = offsetof(struct tw_cache_conf, aggressive) },
	{ .name = "nsec3_max_iterations", .fn = key_uint,
	  .off = offsetof(struct tw_cache_conf, nsec3_max_iterations),
	  .width = FIELD_WIDTH(struct tw_cache_conf, nsec3_max_iterations), .min = 0,
	  .max = 2500 },
	{ .name = NULL },
};

static const struct key_def workers_keys[] = {
	{ .name = "crypto", .fn = key_enum, .off = offsetof(struct tw_config_workers, crypto),
	  .width = FIELD_WIDTH(struct tw_config_workers, crypto), .names = crypto_names },
	{ .name = "crypto_lcores", .fn = key_uint,
	  .off = offsetof(struct tw_config_workers, crypto_lcores),
	  .width = FIELD_WIDTH(struct tw_config_workers, crypto_lcores), .min = 0, .max = 64,
	  .line_off = CFG(lines.crypto_lcores) },
	{ .name = "verify_memo", .fn = key_uint,
	  .off = offsetof(struct tw_config_workers, verify_memo),
	  .width = FIELD_WIDTH(struct tw_config_workers, verify_memo), .min = 0, .max = 1048576 },
	{ .name = NULL },
};

static const struct key_def limits_keys[] = {
	{ .name = "pending", .fn = key_uint, .off = offsetof(struct tw_config_limits, pending),
	  .width = FIELD_WIDTH(struct tw_config_limits, pending), .min = 16, .max = 1048576 },
	{ .name = "timeout_ms", .fn = key_uint,
	  .off = offsetof(struct tw_config_limits, timeout_ms),
	  .width = FIELD_WIDTH(struct tw_config_limits, timeout_ms), .min = 10, .max = 60000 },
	{ .name = "retries", .fn = key_uint, .off = offsetof(struct tw_config_limits, retries),
	  .width = FIELD_WIDTH(struct tw_config_limits, retries), .min = 0, .max = 10 },
	{ .name = "waiters", .fn = key_uint, .off = offsetof(struct tw_config_limits, waiters),
	  .width = FIELD_WIDTH(struct tw_config_limits, waiters), .min = 1, .max = 1024 },
	{ .name = NULL },
};

static const struct key_def tcp_keys[] = {
	{ .name = "enabled", .fn = key_bool, .off = 0 },
	{ .name = NULL },
};

static const struct key_def log_keys[] = {
	{ .name = "level", .fn = key_enum, .off = 0,
	  .width = FIELD_WIDTH(struct tw_config, log_level), .names = log_names },
	{ .name = NULL },
};

static const struct key_def stats_keys[] = {
	{ .name = "interval", .fn = key_uint, .off = 0,
	  .width = FIELD_WIDTH(struct tw_config, stats_interval), .min = 0, .max = 86400 },
	{ .name = NULL },
};

static const struct key_def top_keys[] = {
	{ .name = "listen", .fn = key_listen },
	{ .name = "port", .fn = key_section, .off = CFG(port), .sub = port_keys },
	{ .name = "upstreams", .fn = key_upstreams },
	{ .name = "trust_anchors", .fn = key_anchor_files,
	  .line_off = CFG(lines.trust_anchors) },
	{ .name = "negative_trust_anchors", .fn = key_ntas },
	{ .name = "cache", .fn = key_section, .off = CFG(cache), .sub = cache_keys },
	{ .name = "workers", .fn = key_section, .off = CFG(workers), .sub = workers_keys },
	{ .name = "limits", .fn = key_section, .off = CFG(limits), .sub = limits_keys },
	{ .name = "exception", .fn = key_enum, .off = CFG(exception),
	  .width = FIELD_WIDTH(struct tw_config, exception), .names = exception_names },
	{ .name = "tcp", .fn = key_section, .off = CFG(tcp_enabled), .sub = tcp_keys },
	{ .name = "log", .fn = key_section, .off = CFG(log_level), .sub = log_keys },
	{ .name = "stats", .fn = key_section, .off = CFG(stats_interval), .sub = stats_keys },
	{ .name = NULL },
};

/* libyaml's complaint as "NAME:LINE: YAML: problem (context at line N)". */
static int yaml_failure(struct loader *L, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR) {
		snprintf(L->err, L->errcap, "%s: out of memory reading YAML", L->name);
		return -TW_ENOMEM;
	}
	unsigned line;
	if (p->error == YAML_READER_ERROR) {
		/* the reader reports a byte offset, not a mark */
		line = 1;
		for (size_t i = 0; i < p->problem_offset && i < L->len; i++)
			line += L->text[i] == '\n';
	} else {
		line = (unsigned)p->problem_mark.line + 1;
	}
	const char *problem = p->problem ? p->problem : "malformed";
	if (p->context)
		return fail_at(L, line, NULL, "YAML syntax: %s (%s at line %u)", problem, p->context,
			       (unsigned)p->context_mark.line + 1);
	return fail_at(L, line, NULL, "YAML syntax: %s", problem);
}

static int load_document(struct loader *L)
{
	yaml_parser_t p;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&p)) {
		snprintf(L->err, L->errcap, "%s: out of memory reading YAML", L->name);
		return -TW_ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)L->text, L->len);
	if (!yaml_parser_load(&p, &doc)) {
		int rc = yaml_failure(L, &p);
		yaml_parser_delete(&p);
		return rc;
	}
	L->doc = &doc;
	int rc = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && !node_is_null(root)) {
		if (root->type != YAML_MAPPING_NODE)
			rc = fail_at(L, node_line(root), NULL,
				     "expected a mapping of keys (listen:, port:, upstreams:, ...), "
				     "found %s",
				     node_kind(root));
		else
			rc = walk_map(L, root, "", top_keys, L->cfg);
	}
	yaml_document_delete(&doc);
	L->doc = NULL;
	if (rc == 0 && root) {
		/* one document per file: a second one is a mistake, not ignored */
		yaml_document_t more;
		if (!yaml_parser_load(&p, &more)) {
			rc = yaml_failure(L, &p);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&more);
			if (r2)
				rc = fail_at(L, (unsigned)more.start_mark.line + 1, NULL,
					     "a second YAML document (a file holds one)");
			yaml_document_delete(&more);
		}
	}
	yaml_parser_delete(&p);
	return rc;
}

/* Forgets where keys were read: lines kept from an earlier file would be
 * reported under the name of the next one. */
static void clear_lines(struct tw_config *c)
{
	for (unsigned i = 0; i < c->nlisten; i++)
		c->listen[i].line = 0;
	for (unsigned i = 0; i < c->nupstreams; i++)
		c->upstreams[i].line = 0;
	c->port.ip.line = c->port.gateway.line = 0;
	c->port.ip6.line = c->port.gateway6.line = 0;
	memset(&c->lines, 0, sizeof(c->lines));
}

int tw_config_load_text(struct tw_config *cfg, const char *text, size_t len, const char *name,
			char *err, size_t errcap)
{
	struct tw_config work;
	if (!name)
		name = "<config>";
	if (config_copy(&work, cfg) < 0) {
		snprintf(err, errcap, "%s: out of memory", name);
		return -TW_ENOMEM;
	}
	clear_lines(&work);
	struct loader L = {
		.cfg = &work, .name = name, .text = text, .len = len, .err = err, .errcap = errcap,
	};
	int rc = load_document(&L);
	if (rc == 0) {
		free(work.file);
		work.file = strdup(name);
		if (!work.file) {
			snprintf(err, errcap, "%s: out of memory", name);
			rc = -TW_ENOMEM;
		}
	}
	if (rc < 0) {
		tw_config_fini(&work);
		return rc;
	}
	tw_config_fini(cfg);
	*cfg = work;
	return 0;
}


int tw_config_load(struct tw_config *cfg, const char *path, char *err, size_t errcap)
{
	char *text;
	size_t len;
	int rc = tw_mgmt_read_file(path, CONFIG_MAX_BYTES, "a configuration file", &text,
				   &len, err, errcap);
	if (rc < 0)
		return rc;
	rc = tw_config_load_text(cfg, text, len, path, err, errcap);
	free(text);
	return rc;
}

/* ---- the command line ------------------------------------------------------------- */

enum opt_id {
	OPT_CONFIG,
	OPT_LISTEN,
	OPT_UPSTREAM,
	OPT_TRUST_ANCHOR,
	OPT_PORT_IP,
	OPT_GATEWAY,
	OPT_CACHE_MEMORY,
	OPT_CRYPTO,
	OPT_LOG_LEVEL,
	OPT_VLAN,
	OPT_HELP,
};

struct opt_def {
	const char *name;
	enum opt_id id;
	const char *arg;   /* NULL: takes no value */
	const char *help;
};

static const struct opt_def opts[] = {
	{ "--config", OPT_CONFIG, "FILE", "YAML configuration, read before the rest" },
	{ "--listen", OPT_LISTEN, "ADDR[:PORT]", "service address (list: listen)" },
	{ "--upstream", OPT_UPSTREAM, "ADDR[:PORT]", "resolver to forward to (list: upstreams)" },
	{ "--trust-anchor", OPT_TRUST_ANCHOR, "FILE",
	  "DS/DNSKEY lines or root-anchors.xml (list: trust_anchors)" },
	{ "--port-ip", OPT_PORT_IP, "ADDR/PREFIX", "the port's address (port.ip or port.ip6)" },
	{ "--gateway", OPT_GATEWAY, "ADDR", "next hop (port.gateway or port.gateway6)" },
	{ "--cache-memory", OPT_CACHE_MEMORY, "SIZE", "bytes, or with K, M, G (cache.memory)" },
	{ "--crypto", OPT_CRYPTO, "inline|ring|cryptodev", "signature checks (workers.crypto)" },
	{ "--log-level", OPT_LOG_LEVEL, "LEVEL", "error|warning|notice|info|debug (log.level)" },
	{ "--vlan", OPT_VLAN, "N", "802.1Q VLAN id, 0 untagged (port.vlan)" },
	{ "--help", OPT_HELP, NULL, "print this and exit" },
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

void tw_config_usage(FILE *out)
{
	fprintf(out, "usage: trustwired [EAL options] -- [--config FILE] [options]\n"
		     "Options, applied after the file in the order given:\n");
	for (size_t i = 0; i < N_OPTS; i++) {
		char lhs[64];
		snprintf(lhs, sizeof(lhs), "%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(out, "  %-32s %s\n", lhs, opts[i].help);
	}
	fprintf(out, "A list option may repeat: its first use replaces the file's list, the\n"
		     "others append. IPv6 with a port takes brackets: [2001:db8::1]:53.\n"
		     "Every key has a default but the port's address and the upstreams.\n");
}

struct opt_use {
	const struct opt_def *def;
	const char *value;
};

__attribute__((format(printf, 3, 4)))
static int fail_msg(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
	return -TW_EINVAL;
}

static int fail_msg_value(char *err, size_t errcap, const struct opt_def *d, const char *value,
			  const char *reason)
{
	char q[SHOWN_VALUE_MAX * 4 + 8];
	return fail_msg(err, errcap, "%s: %s %s", d->name, shown(value, q, sizeof(q)), reason);
}

/* Appends to a list option's list; the first use of the option empties it. */
static int arg_endpoint(const struct opt_use *u, bool *seen,
			struct tw_config_addr *arr, unsigned *n, unsigned cap, char *err,
			size_t errcap)
{
	struct tw_config_addr a;
	const char *reason = parse_endpoint(u->value, &a);
	if (reason)
		return fail_msg_value(err, errcap, u->def, u->value, reason);
	if (!*seen) {
		*n = 0;
		*seen = true;
	}
	if (*n == cap)
		return fail_msg(err, errcap, "%s: more than %u given (at most %u)", u->def->name, cap,
				cap);
	a.line = 0;
	arr[(*n)++] = a;
	return 0;
}

static int apply_arg(struct tw_config *c, const struct opt_use *u, bool seen[], char *err,
		     size_t errcap)
{
	const char *reason = NULL;
	const char *v = u->value;
	char why[96];
	uint64_t x;
	int e;
	struct tw_config_addr a;
	switch (u->def->id) {
	case OPT_CONFIG:
	case OPT_HELP:
		return 0;
	case OPT_LISTEN:
		return arg_endpoint(u, &seen[OPT_LISTEN], c->listen, &c->nlisten,
				    TW_CONFIG_MAX_LISTEN, err, errcap);
	case OPT_UPSTREAM:
		return arg_endpoint(u, &seen[OPT_UPSTREAM], c->upstreams, &c->nupstreams,
				    TW_CONFIG_MAX_UPSTREAMS, err, errcap);
	case OPT_TRUST_ANCHOR: {
		reason = parse_path(v);
		if (reason)
			break;
		if (!seen[OPT_TRUST_ANCHOR]) {
			free_strings(c->trust_anchors, &c->ntrust_anchors);
			c->lines.trust_anchors = 0;
			seen[OPT_TRUST_ANCHOR] = true;
		}
		if (c->ntrust_anchors == TW_CONFIG_MAX_ANCHOR_FILES)
			return fail_msg(err, errcap, "%s: more than %u given (at most %u)",
					u->def->name, TW_CONFIG_MAX_ANCHOR_FILES,
					TW_CONFIG_MAX_ANCHOR_FILES);
		char *copy = strdup(v);
		if (!copy) {
			snprintf(err, errcap, "%s: out of memory", u->def->name);
			return -TW_ENOMEM;
		}
		c->trust_anchors[c->ntrust_anchors++] = copy;
		return 0;
	}
	case OPT_PORT_IP:
		reason = parse_prefix(v, 0, &a);
		if (reason)
			break;
		if (a.family == AF_INET)
			c->port.ip = a;
		else
			c->port.ip6 = a;
		return 0;
	case OPT_GATEWAY:
		reason = parse_host(v, 0, &a);
		if (reason)
			break;
		if (a.family == AF_INET)
			c->port.gateway = a;
		else
			c->port.gateway6 = a;
		return 0;
	case OPT_CACHE_MEMORY:
		reason = parse_size(v, &x);
		if (!reason)
			c->cache.mem_limit = x;
		break;
	case OPT_CRYPTO:
		if (!enum_parse(crypto_names, v, &e))
			reason = enum_reason(crypto_names, why, sizeof(why));
		else
			c->workers.crypto = (enum tw_config_crypto)e;
		break;
	case OPT_LOG_LEVEL:
		if (!enum_parse(log_names, v, &e))
			reason = enum_reason(log_names, why, sizeof(why));
		else
			c->log_level = (enum tw_config_log_level)e;
		break;
	case OPT_VLAN:
		reason = parse_ranged(v, 0, 4094, "a VLAN id", &x, why, sizeof(why));
		if (!reason)
			c->port.vlan = (uint16_t)x;
		break;
	}
	if (reason)
		return fail_msg_value(err, errcap, u->def, v, reason);
	return 0;
}

int tw_config_parse_args(struct tw_config *cfg, int argc, char *const argv[], char *err,
			 size_t errcap)
{
	if (argc <= 1)
		return 0;
	struct opt_use *uses = calloc((size_t)argc, sizeof(*uses));
	if (!uses) {
		snprintf(err, errcap, "command line: out of memory");
		return -TW_ENOMEM;
	}
	size_t nuses = 0;
	const char *config = NULL;
	int rc = 0;
	/* first pass: the words into options and values, nothing applied yet */
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *w = argv[i];
		if (strncmp(w, "--", 2) != 0 || w[2] == 0) {
			char q[SHOWN_VALUE_MAX * 4 + 8];
			rc = fail_msg(err, errcap, "unexpected argument %s (options start with --; "
				      "see --help)", shown(w, q, sizeof(q)));
			break;
		}
		const char *eq = strchr(w, '=');
		size_t nlen = eq ? (size_t)(eq - w) : strlen(w);
		const struct opt_def *d = NULL;
		for (size_t k = 0; k < N_OPTS && !d; k++)
			if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, w, nlen) == 0)
				d = &opts[k];
		if (!d) {
			char name[KEYPATH_MAX];
			const char *names[N_OPTS];
			snprintf(name, sizeof(name), "%.*s", (int)(nlen < 80 ? nlen : 80), w);
			for (size_t k = 0; k < N_OPTS; k++)
				names[k] = opts[k].name;
			const char *near = closest(name, names, N_OPTS);
			if (near)
				rc = fail_msg(err, errcap, "unknown option %s (did you mean %s?)", name,
					      near);
			else
				rc = fail_msg(err, errcap, "unknown option %s (see --help)", name);
			break;
		}
		const char *value = NULL;
		if (d->arg && eq) {
			value = eq + 1;
		} else if (d->arg) {
			if (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0) {
				rc = fail_msg(err, errcap, "%s needs a value (%s %s)", d->name, d->name,
					      d->arg);
				break;
			}
			value = argv[++i];
		} else if (eq) {
			rc = fail_msg(err, errcap, "%s takes no value", d->name);
			break;
		}
		if (d->id == OPT_HELP) {
			rc = TW_CONFIG_HELP;
			break;
		}
		if (d->id == OPT_CONFIG) {
			if (config) {
				rc = fail_msg(err, errcap, "--config given twice");
				break;
			}
			config = value;
		}
		uses[nuses++] = (struct opt_use){ d, value };
	}
	/* --help wins over what follows it; an error before it is still an error */
	if (rc != 0) {
		free(uses);
		return rc;
	}
	struct tw_config work;
	if (config_copy(&work, cfg) < 0) {
		free(uses);
		snprintf(err, errcap, "command line: out of memory");
		return -TW_ENOMEM;
	}
	if (config)
		rc = tw_config_load(&work, config, err, errcap);
	bool seen[OPT_HELP + 1] = { false };
	for (size_t i = 0; i < nuses && rc == 0; i++)
		rc = apply_arg(&work, &uses[i], seen, err, errcap);
	free(uses);
	if (rc < 0) {
		tw_config_fini(&work);
		return rc;
	}
	tw_config_fini(cfg);
	*cfg = work;
	return 0;
}

/* ---- checks across keys ------------------------------------------------------------ */

unsigned tw_config_listen(const struct tw_config *c, struct tw_config_addr *out)
{
	unsigned n = 0;
	if (c->nlisten) {
		memcpy(out, c->listen, c->nlisten * sizeof(*out));
		return c->nlisten;
	}
	const struct tw_config_addr *own[2] = { &c->port.ip, &c->port.ip6 };
	for (unsigned i = 0; i < 2; i++) {
		if (!own[i]->family)
			continue;
		out[n] = *own[i];
		out[n].prefix = 0;
		out[n].port = TW_CONFIG_DNS_PORT;
		n++;
	}
	return n;
}

static bool in_prefix(const struct tw_config_addr *net, const struct tw_config_addr *a)
{
	if (net->family != a->family)
		return false;
	unsigned bits = net->prefix, i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (net->addr[i] != a->addr[i])
			return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return (net->addr[i] & mask) == (a->addr[i] & mask);
}

static bool same_host(const struct tw_config_addr *a, const struct tw_config_addr *b)
{
	return a->family && a->family == b->family && memcmp(a->addr, b->addr, 16) == 0;
}

/* "FILE:LINE: " when the key came from the file, else "". */
static const char *where(const struct tw_config *c, uint32_t line, char *buf, size_t cap)
{
	if (line && c->file)
		snprintf(buf, cap, "%s:%u: ", c->file, line);
	else
		buf[0] = 0;
	return buf;
}

static int check_gateway(const struct tw_config *c, const struct tw_config_addr *gw,
			 const struct tw_config_addr *ip, const char *gw_key, const char *ip_key,
			 bool link_local_ok, char *err, size_t errcap)
{
	char w[PATH_TEXT_MAX + 16], gs[64], is[64];
	if (!gw->family)
		return 0;
	where(c, gw->line, w, sizeof(w));
	tw_config_addr_str(gw, gs, sizeof(gs));
	if (!ip->family)
		return fail_msg(err, errcap, "%s%s: %s given but %s is not set", w, gw_key, gs,
				ip_key);
	tw_config_addr_str(ip, is, sizeof(is));
	if (same_host(gw, ip))
		return fail_msg(err, errcap, "%s%s: %s is the port's own address (%s)", w, gw_key,
				gs, ip_key);
	/* RFC 4861 §4.2: routers advertise from link-local addresses */
	bool link_local = gw->addr[0] == 0xfe && (gw->addr[1] & 0xc0) == 0x80;
	if (!in_prefix(ip, gw) && !(link_local_ok && link_local))
		return fail_msg(err, errcap, "%s%s: %s is not inside %s %s%s", w, gw_key, gs, ip_key,
				is, link_local_ok ? " (nor link-local)" : "");
	return 0;
}

/* Listen addresses or upstreams: family served, no duplicates, upstreams not
 * the appliance itself. */
static int check_endpoints(const struct tw_config *c, const struct tw_config_addr *arr,
			   unsigned n, const char *key, bool upstream, char *err, size_t errcap)
{
	char w[PATH_TEXT_MAX + 16], s[64];
	for (unsigned i = 0; i < n; i++) {
		const struct tw_config_addr *a = &arr[i];
		where(c, a->line, w, sizeof(w));
		tw_config_addr_str(a, s, sizeof(s));
		if (a->family == AF_INET && !c->port.ip.family)
			return fail_msg(err, errcap,
					"%s%s[%u]: %s is IPv4 but port.ip is not set (the port "
					"needs an IPv4 address to %s)",
					w, key, i, s, upstream ? "reach it" : "answer on it");
		if (a->family == AF_INET6 && !c->port.ip6.family)
			return fail_msg(err, errcap,
					"%s%s[%u]: %s is IPv6 but port.ip6 is not set (the port "
					"needs an IPv6 address to %s)",
					w, key, i, s, upstream ? "reach it" : "answer on it");
		for (unsigned j = 0; j < i; j++)
			if (same_host(a, &arr[j]) && a->port == arr[j].port)
				return fail_msg(err, errcap, "%s%s[%u]: %s is listed twice (also %s[%u])",
						w, key, i, s, key, j);
		if (!upstream)
			continue;
		if (same_host(a, &c->port.ip) || same_host(a, &c->port.ip6))
			return fail_msg(err, errcap,
					"%s%s[%u]: %s is the appliance's own address: questions "
					"would loop",
					w, key, i, s);
		for (unsigned j = 0; j < c->nlisten; j++)
			if (same_host(a, &c->listen[j]))
				return fail_msg(err, errcap,
						"%s%s[%u]: %s is also listen[%u]: questions would "
						"loop",
						w, key, i, s, j);
	}
	return 0;
}

int tw_config_validate(const struct tw_config *c, char *err, size_t errcap)
{
	char w[PATH_TEXT_MAX + 16];
	int rc;
	if (!c->port.ip.family && !c->port.ip6.family)
		return fail_msg(err, errcap,
				"port.ip: not set: the appliance needs an address on its port "
				"(port: {ip: 198.18.0.1/24} in the file, or --port-ip ADDR/PREFIX)");
	rc = check_gateway(c, &c->port.gateway, &c->port.ip, "port.gateway", "port.ip", false, err,
			   errcap);
	if (rc < 0)
		return rc;
	rc = check_gateway(c, &c->port.gateway6, &c->port.ip6, "port.gateway6", "port.ip6", true,
			   err, errcap);
	if (rc < 0)
		return rc;
	if (c->nupstreams == 0)
		return fail_msg(err, errcap,
				"upstreams: none given: trustwired forwards to a resolver farm "
				"(upstreams: in the file, or --upstream ADDR[:PORT])");
	rc = check_endpoints(c, c->listen, c->nlisten, "listen", false, err, errcap);
	if (rc < 0)
		return rc;
	rc = check_endpoints(c, c->upstreams, c->nupstreams, "upstreams", true, err, errcap);
	if (rc < 0)
		return rc;
	if (c->ntrust_anchors == 0)
		return fail_msg(err, errcap,
				"%strust_anchors: no file given: trustwired does not run without "
				"a DNSSEC trust anchor (default %s; --trust-anchor FILE)",
				where(c, c->lines.trust_anchors, w, sizeof(w)),
				TW_ANCHORS_DEFAULT_FILE);
	if (c->cache.min_ttl > c->cache.max_ttl)
		return fail_msg(err, errcap, "%scache.min_ttl: %u is above cache.max_ttl %u",
				where(c, c->lines.min_ttl, w, sizeof(w)), c->cache.min_ttl,
				c->cache.max_ttl);
	if (c->workers.crypto == TW_CONFIG_CRYPTO_RING && c->workers.crypto_lcores == 0)
		return fail_msg(err, errcap,
				"%sworkers.crypto_lcores: 0, but crypto: ring needs at least one "
				"crypto lcore",
				where(c, c->lines.crypto_lcores, w, sizeof(w)));
	return 0;
}

/* ---- the dump ------------------------------------------------------------------------ */

/* A YAML double-quoted scalar (YAML 1.2 §5.1, §7.3.1): escapes for what may not
 * appear raw (C0 and C1 controls, DEL, and NEL, LS, PS, which YAML 1.1 reads as
 * line breaks, BOM, U+FFFE/FFFF). Strings here are UTF-8 (parse_path); a byte
 * that is not (only possible in the comment naming the file) prints as \xNN. */
static void put_quoted(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	fputc('"', out);
	while (*s) {
		size_t n = utf8_len(s);
		if (s[0] == '"' || s[0] == '\\')
			fprintf(out, "\\%c", s[0]);
		else if (s[0] < 0x20 || s[0] == 0x7f || n == 0)
			fprintf(out, "\\x%02x", s[0]);
		else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
			fprintf(out, "\\x%02x", s[1]);
		else if (n == 3 && ((s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)) ||
				    (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) ||
				    (s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)))
			fprintf(out, "\\u%04x",
				((unsigned)(s[0] & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) |
					(s[2] & 0x3f));
		else
			fwrite(s, 1, n, out);
		s += n ? n : 1;
	}
	fputc('"', out);
}

static void put_size(FILE *out, uint64_t v)
{
	if (v && v % (1ull << 30) == 0)
		fprintf(out, "%" PRIu64 "G", v >> 30);
	else if (v && v % (1ull << 20) == 0)
		fprintf(out, "%" PRIu64 "M", v >> 20);
	else if (v && v % (1ull << 10) == 0)
		fprintf(out, "%" PRIu64 "K", v >> 10);
	else
		fprintf(out, "%" PRIu64, v);
}

static void put_addr_list(FILE *out, const char *key, const struct tw_config_addr *arr,
			  unsigned n, const char *empty_note)
{
	char s[64];
	if (n == 0) {
		fprintf(out, "%s: []%s\n", key, empty_note);
		return;
	}
	fprintf(out, "%s:\n", key);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "  - \"%s\"\n", tw_config_addr_str(&arr[i], s, sizeof(s)));
}

static void put_string_list(FILE *out, const char *key, char *const *arr, unsigned n)
{
	if (n == 0) {
		fprintf(out, "%s: []\n", key);
		return;
	}
	fprintf(out, "%s:\n", key);
	for (unsigned i = 0; i < n; i++) {
		fprintf(out, "  - ");
		put_quoted(out, arr[i]);
		fputc('\n', out);
	}
}

static void put_port_addr(FILE *out, const char *key, const struct tw_config_addr *a)
{
	char s[64];
	if (a->family)
		fprintf(out, "  %s: \"%s\"\n", key, tw_config_addr_str(a, s, sizeof(s)));
}

void tw_config_dump(const struct tw_config *c, FILE *out)
{
	fprintf(out, "# trustwired configuration in effect\n");
	if (c->file) {
		fprintf(out, "# loaded from ");
		put_quoted(out, c->file);
		fprintf(out, ", then the command line\n");
	}
	put_addr_list(out, "listen", c->listen, c->nlisten,
		      "   # the port's own addresses, port 53");
	fprintf(out, "port:\n");
	put_port_addr(out, "ip", &c->port.ip);
	put_port_addr(out, "gateway", &c->port.gateway);
	put_port_addr(out, "ip6", &c->port.ip6);
	put_port_addr(out, "gateway6", &c->port.gateway6);
	fprintf(out, "  vlan: %u\n", c->port.vlan);
	if (c->port.mac_set)
		fprintf(out, "  mac: \"%02x:%02x:%02x:%02x:%02x:%02x\"\n", c->port.mac[0],
			c->port.mac[1], c->port.mac[2], c->port.mac[3], c->port.mac[4],
			c->port.mac[5]);
	else
		fprintf(out, "  mac: auto\n");
	put_addr_list(out, "upstreams", c->upstreams, c->nupstreams, "");
	put_string_list(out, "trust_anchors", c->trust_anchors, c->ntrust_anchors);
	if (c->nntas == 0) {
		fprintf(out, "negative_trust_anchors: []\n");
	} else {
		fprintf(out, "negative_trust_anchors:\n");
		for (unsigned i = 0; i < c->nntas; i++) {
			char name[TW_DNS_NAME_STRLEN];
			if (tw_dns_name_to_str(c->ntas[i], name, sizeof(name)) < 0)
				snprintf(name, sizeof(name), "?");
			fprintf(out, "  - ");
			put_quoted(out, name);
			fputc('\n', out);
		}
	}
	fprintf(out, "cache:\n  memory: ");
	put_size(out, c->cache.mem_limit);
	fprintf(out, "\n  max_ttl: %u\n  min_ttl: %u\n  bogus_ttl: %u\n  aggressive: %s\n"
		     "  nsec3_max_iterations: %u\n",
		c->cache.max_ttl, c->cache.min_ttl, c->cache.bogus_ttl,
		c->cache.aggressive ? "true" : "false", c->cache.nsec3_max_iterations);
	fprintf(out, "workers:\n  crypto: %s\n  crypto_lcores: %u\n  verify_memo: %u\n",
		tw_config_crypto_str(c->workers.crypto), c->workers.crypto_lcores,
		c->workers.verify_memo);
	fprintf(out, "limits:\n  pending: %u\n  timeout_ms: %u\n  retries: %u\n  waiters: %u\n",
		c->limits.pending, c->limits.timeout_ms, c->limits.retries, c->limits.waiters);
	fprintf(out, "exception: %s\n", tw_config_exception_str(c->exception));
	fprintf(out, "tcp:\n  enabled: %s\n", c->tcp_enabled ? "true" : "false");
	fprintf(out, "log:\n  level: %s\n", tw_config_log_level_str(c->log_level));
	fprintf(out, "stats:\n  interval: %u\n", c->stats_interval);
}
