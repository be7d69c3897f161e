/* Frames of one port on a worker lcore: Ethernet and VLAN tags, ARP, IPv4, ICMP
 * echo, IPv6, ICMPv6 echo and neighbour discovery, UDP; the neighbour table; the
 * Internet checksum.
 *
 * Parsing reads fixed-layout headers: one length check covers a whole header,
 * then its fields are read at named offsets with memcpy-based loads
 * (dns/wire.h). A length from the wire is compared with what the frame holds
 * before anything is read through it.
 *
 * The neighbour table is set-associative: a power of two of sets of
 * NEIGH_WAYS entries, the set chosen by a hash of the address. A lookup reads one
 * set (four cache lines); a new neighbour takes an empty way or the way learned
 * longest ago (an expired one first, as it is older than any live one).
 */
#include "dataplane/net.h"

#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/error.h"
#include "dns/wire.h"

enum {
	ETH_HDR = 14,      /* destination, source, ethertype */
	ETH_MIN = 60,      /* shortest frame without FCS (IEEE 802.3) */
	TAG_LEN = 4,       /* TPID + TCI */
	ARP_LEN = 28,      /* RFC 826 for Ethernet/IPv4 */
	IP4_HDR = 20,
	IP6_HDR = 40,
	UDP_HDR = 8,
	ICMP_MIN = 8,      /* type, code, checksum and 4 octets (RFC 792, RFC 4443 §4) */
	ICMP6_MIN = 4,     /* type, code, checksum (RFC 4443 §2.1) */
	ND_HDR = 24,       /* NS/NA up to and with the target (RFC 4861 §4.3, §4.4) */
	ND_LLA_OPT = 8,    /* link-layer address option for Ethernet (RFC 4861 §4.6.1) */
};

enum {
	ET_IP4 = 0x0800,
	ET_ARP = 0x0806,
	ET_CTAG = 0x8100,  /* 802.1Q */
	ET_STAG = 0x88a8,  /* 802.1ad */
	ET_IP6 = 0x86dd,
};

enum { PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMP6 = 58 };

enum {
	ARP_REQUEST = 1,
	ARP_REPLY = 2,
	ICMP_ECHO_REPLY = 0,
	ICMP_ECHO = 8,
	ICMP6_ECHO = 128,
	ICMP6_ECHO_REPLY = 129,
	ND_NS = 135,
	ND_NA = 136,
	ND_OPT_SLLA = 1,
	ND_OPT_TLLA = 2,
	NA_FLAG_S = 0x40,  /* solicited (RFC 4861 §4.4) */
	NA_FLAG_O = 0x20,  /* override */
};

#define TTL_OUT 64         /* TTL / hop limit of what we send */
#define ND_HOP_LIMIT 255   /* RFC 4861 §7.1: proves the sender is on-link */
#define IP4_DF 0x4000
#define IP4_FRAG_MASK 0x3fff /* MF and the fragment offset */
#define NEIGH_WAYS 8
#define NEIGH_MAX_ENTRIES (1u << 20)

struct neigh {
	uint8_t ip[16];       /* neigh_key() */
	uint8_t mac[6];
	bool used;
	uint64_t learned_ms;  /* last learned or confirmed */
};

struct tw_net_ctx {
	struct tw_net_if_conf conf;
	bool v4;              /* IPv4 configured */
	bool global6;         /* an IPv6 global address configured */
	uint32_t ip4;         /* host order */
	uint32_t mask4;
	uint32_t gw4;
	uint8_t ll6[16];      /* fe80::/64 + EUI-64 of the MAC */
	uint16_t ip_id;       /* IPv4 ID of datagrams we originate */
	uint32_t set_mask;    /* sets - 1 */
	/* (set_mask + 1) * NEIGH_WAYS; a set of 8 entries of 32 octets fills four
	 * whole cache lines */
	struct neigh neigh[] __attribute__((aligned(64)));
};

static const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MAC_ALL_NODES[6] = { 0x33, 0x33, 0, 0, 0, 1 };
static const uint8_t IP6_ALL_NODES[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t IP6_LOOPBACK[16] = { [15] = 1 };
static const uint8_t IP6_V4MAPPED[12] = { [10] = 0xff, [11] = 0xff };
/* ff02::1:ff00:0/104 (RFC 4291 §2.7.1) */
static const uint8_t IP6_SNM_PREFIX[13] = { 0xff, 0x02, [11] = 1, [12] = 0xff };

/* ---- Internet checksum (RFC 1071: dns/csum.h) ---------------------------------------- */

static bool csum_ok(const uint8_t *p, size_t len, uint32_t sum)
{
	return tw_csum_fold(tw_csum_partial(p, len, sum)) == 0;
}

/* Sum of the pseudo-header (RFC 768; RFC 8200 §8.1): the addresses, which lie
 * next to each other in both IP headers, the protocol and the upper-layer length. */
static uint32_t pseudo_sum(const uint8_t *addrs, size_t addrs_len, uint8_t proto, size_t l4len)
{
	return tw_csum_partial(addrs, addrs_len, 0) + htobe16(proto) + htobe16((uint16_t)l4len);
}

static void ip4_set_csum(uint8_t *ip)
{
	ip[10] = 0;
	ip[11] = 0;
	uint16_t c = tw_csum_fold(tw_csum_partial(ip, IP4_HDR, 0));
	memcpy(ip + 10, &c, 2);
}

/* Writes the UDP checksum of the ulen octets at u; addrs: the IP header's address
 * pair (8 or 32 octets). */
static void udp_set_csum(uint8_t *u, size_t ulen, const uint8_t *addrs, size_t addrs_len)
{
	u[6] = 0;
	u[7] = 0;
	uint16_t c = tw_csum_fold(
		tw_csum_partial(u, ulen, pseudo_sum(addrs, addrs_len, PROTO_UDP, ulen)));
	if (c == 0)
		c = 0xffff; /* RFC 768: a computed zero is sent as all ones; zero means none */
	memcpy(u + 6, &c, 2);
}

static void icmp6_set_csum(uint8_t *ip, size_t plen)
{
	uint8_t *ic = ip + IP6_HDR;
	ic[2] = 0;
	ic[3] = 0;
	uint16_t c = tw_csum_fold(
		tw_csum_partial(ic, plen, pseudo_sum(ip + 8, 32, PROTO_ICMP6, plen)));
	memcpy(ic + 2, &c, 2);
}

/* The first byte of a message changed from its old type: RFC 1624 update of the
 * checksum at ic + 2 (the type and the code share the first 16-bit word). */
static void icmp_set_type(uint8_t *ic, uint8_t type)
{
	uint16_t old_w, new_w, c;
	memcpy(&old_w, ic, 2);
	ic[0] = type;
	memcpy(&new_w, ic, 2);
	memcpy(&c, ic + 2, 2);
	c = tw_csum_adjust(c, old_w, new_w);
	/* RFC 1624 eqn. 3 gives 0x0000 for a message of all zeros, where only
	 * 0xffff verifies; 0xffff verifies for any message whose sum is zero */
	if (c == 0)
		c = 0xffff;
	memcpy(ic + 2, &c, 2);
}

/* ---- addresses ---------------------------------------------------------------------- */

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 6) == 0;
}

static bool mac_unicast(const uint8_t *m)
{
	return !(m[0] & 1) && !is_zero(m, 6);
}

static bool in_subnet4(const struct tw_net_ctx *ctx, uint32_t a)
{
	return ((a ^ ctx->ip4) & ctx->mask4) == 0;
}

/* Addresses that are never a neighbour's source nor a destination of ours. */
static bool martian4(const struct tw_net_ctx *ctx, uint32_t a)
{
	/* RFC 1122 §3.2.1.3: 0/8 ("this network"), 127/8, class D and E (with
	 * 255.255.255.255) */
	if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) >= 0xe)
		return true;
	if (a == ctx->ip4)
		return true;
	/* our subnet's broadcast and network address (RFC 919, RFC 922); /31 and /32
	 * have neither (RFC 3021) */
	if (ctx->conf.ip4_prefix <= 30 && in_subnet4(ctx, a)) {
		uint32_t host = a & ~ctx->mask4;
		if (host == 0 || host == ~ctx->mask4)
			return true;
	}
	return false;
}

/* ::ffff:0:0/96 (RFC 4291 §2.5.5.2): never on the wire; our neighbour table's
 * form of IPv4 addresses */
static bool is_v4mapped6(const uint8_t *a)
{
	return memcmp(a, IP6_V4MAPPED, sizeof(IP6_V4MAPPED)) == 0;
}

static bool is_link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static bool in_prefix6(const uint8_t *a, const uint8_t *p, unsigned plen)
{
	unsigned whole = plen / 8, rest = plen % 8;
	if (memcmp(a, p, whole) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((a[whole] ^ p[whole]) & mask) == 0;
}

static bool is_ours6(const struct tw_net_ctx *ctx, const uint8_t *a)
{
	return memcmp(a, ctx->ll6, 16) == 0 ||
	       (ctx->global6 && memcmp(a, ctx->conf.ip6_global, 16) == 0);
}

static bool is_snm6(const uint8_t *a)
{
	return memcmp(a, IP6_SNM_PREFIX, sizeof(IP6_SNM_PREFIX)) == 0;
}

/* One of the solicited-node groups we are in: those of our addresses. */
static bool is_our_snm6(const struct tw_net_ctx *ctx, const uint8_t *a)
{
	return is_snm6(a) && (memcmp(a + 13, ctx->ll6 + 13, 3) == 0 ||
			      (ctx->global6 && memcmp(a + 13, ctx->conf.ip6_global + 13, 3) == 0));
}

/* RFC 4291 §2.7.1: ff02::1:ff00:0/104 and the address's low 24 bits. */
static void snm6(const uint8_t *a, uint8_t group[16])
{
	memset(group, 0, 16);
	memcpy(group, IP6_SNM_PREFIX, sizeof(IP6_SNM_PREFIX));
	memcpy(group + 13, a + 13, 3);
}

/* Our source address towards dst: the link-local one for link-local destinations
 * (RFC 6724 §5 rule 2, scope), else the global one when there is one. */
static const uint8_t *src6_for(const struct tw_net_ctx *ctx, const uint8_t *dst)
{
	if (is_link_local6(dst) || !ctx->global6)
		return ctx->ll6;
	return ctx->conf.ip6_global;
}

/* ---- neighbour table ---------------------------------------------------------------- */

/* One key space for both families: IPv4 addresses v4-mapped, which no IPv6
 * neighbour has (ip6_input() drops such sources). */
static void neigh_key(int family, const uint8_t *a, uint8_t key[16])
{
	if (family == AF_INET) {
		memcpy(key, IP6_V4MAPPED, sizeof(IP6_V4MAPPED));
		memcpy(key + 12, a, 4);
	} else {
		memcpy(key, a, 16);
	}
}

/* Index of the first entry of the key's set. */
static size_t neigh_set(const struct tw_net_ctx *ctx, const uint8_t key[16])
{
	uint64_t a, b;
	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	uint64_t h = (a ^ b) * 0x9e3779b97f4a7c15ull; /* Fibonacci hashing: high bits mix all */
	return (size_t)((uint32_t)(h >> 40) & ctx->set_mask) * NEIGH_WAYS;
}

static bool neigh_fresh(const struct tw_net_ctx *ctx, const struct neigh *e, uint64_t now)
{
	return now < e->learned_ms || now - e->learned_ms < ctx->conf.neigh_ttl_ms;
}

/* Sets ip's MAC: updates the entry when there is one; adds it when `add`. */
static void neigh_learn(struct tw_net_ctx *ctx, const uint8_t ip[16], const uint8_t *mac,
			uint64_t now, bool add)
{
	if (!mac_unicast(mac))
		return;
	struct neigh *set = &ctx->neigh[neigh_set(ctx, ip)], *victim = NULL;
	for (unsigned i = 0; i < NEIGH_WAYS; i++) {
		struct neigh *e = &set[i];
		if (e->used && memcmp(e->ip, ip, 16) == 0) {
			memcpy(e->mac, mac, 6);
			e->learned_ms = now;
			return;
		}
		if (!victim || (victim->used && (!e->used || e->learned_ms < victim->learned_ms)))
			victim = e;
	}
	if (!add)
		return;
	memcpy(victim->ip, ip, 16);
	memcpy(victim->mac, mac, 6);
	victim->used = true;
	victim->learned_ms = now;
}

static const struct neigh *neigh_find(const struct tw_net_ctx *ctx, int family,
				       const uint8_t *ip, uint64_t now)
{
	uint8_t key[16];
	neigh_key(family, ip, key);
	const struct neigh *set = &ctx->neigh[neigh_set(ctx, key)];
	for (unsigned i = 0; i < NEIGH_WAYS; i++) {
		const struct neigh *e = &set[i];
		if (e->used && memcmp(e->ip, key, 16) == 0 && neigh_fresh(ctx, e, now))
			return e;
	}
	return NULL;
}

int tw_net_neigh_lookup(const struct tw_net_ctx *ctx, int family, const uint8_t ip[16],
			uint64_t now_ms, uint8_t mac[6])
{
	if (family != AF_INET && family != AF_INET6)
		return -TW_EINVAL;
	const struct neigh *e = neigh_find(ctx, family, ip, now_ms);
	if (!e)
		return -TW_ENOENT;
	memcpy(mac, e->mac, 6);
	return 0;
}

bool tw_net_neigh_known(const struct tw_net_ctx *ctx, int family, const uint8_t dst[16],
			uint64_t now_ms)
{
	uint8_t hop[16];
	if (tw_net_next_hop(ctx, family, dst, hop) != 0)
		return false;
	const struct neigh *e = neigh_find(ctx, family, hop, now_ms);
	return e && (now_ms < e->learned_ms || now_ms - e->learned_ms < ctx->conf.neigh_ttl_ms / 2);
}

/* ---- configuration and life --------------------------------------------------------- */

void tw_net_if_conf_init(struct tw_net_if_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->neigh_max = 256;
	c->neigh_ttl_ms = 300000;
}

static void *conf_fail(char *err, size_t errcap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void *conf_fail(char *err, size_t errcap, const char *fmt, ...)
{
	if (err && errcap) {
		int n = snprintf(err, errcap, "net: ");
		va_list ap;
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < errcap)
			vsnprintf(err + n, errcap - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

struct tw_net_ctx *tw_net_ctx_new(const struct tw_net_if_conf *c, char *err, size_t errcap)
{
	if (!mac_unicast(c->mac))
		return conf_fail(err, errcap, "mac: must be a unicast address, not zero");
	if (c->vlan > 4094)
		return conf_fail(err, errcap, "vlan: %u is not a VLAN id (1..4094)", c->vlan);
	if (c->svlan > 4094)
		return conf_fail(err, errcap, "svlan: %u is not a VLAN id (1..4094)", c->svlan);
	if (c->svlan && !c->vlan)
		return conf_fail(err, errcap, "svlan: set without vlan (the inner 802.1Q tag)");
	if (c->pcp > 7)
		return conf_fail(err, errcap, "pcp: %u is not a priority (0..7)", c->pcp);
	if (c->neigh_max == 0 || c->neigh_max > NEIGH_MAX_ENTRIES)
		return conf_fail(err, errcap, "neigh_max: %u is not in 1..%u", c->neigh_max,
				 NEIGH_MAX_ENTRIES);
	if (c->neigh_ttl_ms == 0)
		return conf_fail(err, errcap, "neigh_ttl_ms: must not be 0");

	uint32_t sets = 1;
	while ((uint64_t)sets * NEIGH_WAYS < c->neigh_max)
		sets *= 2;
	size_t size = sizeof(struct tw_net_ctx) + (size_t)sets * NEIGH_WAYS * sizeof(struct neigh);
	size = (size + 63) & ~(size_t)63;
	struct tw_net_ctx *ctx = aligned_alloc(64, size);
	if (!ctx)
		return conf_fail(err, errcap, "out of memory for the neighbour table");
	memset(ctx, 0, size);
	ctx->conf = *c;
	ctx->set_mask = sets - 1;

	ctx->ip4 = tw_wire_get32(c->ip4);
	ctx->gw4 = tw_wire_get32(c->gw4);
	ctx->v4 = ctx->ip4 != 0;
	const char *why = NULL;
	if (ctx->v4) {
		if (c->ip4_prefix < 1 || c->ip4_prefix > 32) {
			why = "ip4_prefix: not in 1..32";
		} else {
			ctx->mask4 = 0xffffffffu << (32 - c->ip4_prefix);
			uint32_t a = ctx->ip4, host = a & ~ctx->mask4;
			if ((a >> 24) == 0 || (a >> 24) == 127 || (a >> 28) >= 0xe ||
			    (c->ip4_prefix <= 30 && (host == 0 || host == ~ctx->mask4)))
				why = "ip4: not a unicast host address of its prefix";
			else if (ctx->gw4 &&
				 (!in_subnet4(ctx, ctx->gw4) || martian4(ctx, ctx->gw4)))
				why = "gw4: not a host inside the ip4 prefix";
		}
	} else if (ctx->gw4) {
		why = "gw4: set without ip4";
	}

	ctx->global6 = !is_zero(c->ip6_global, 16);
	if (!why && !c->ip6 && (ctx->global6 || !is_zero(c->gw6, 16)))
		why = "ip6_global/gw6: set while ip6 is off";
	if (!why && ctx->global6) {
		if (c->ip6_prefix < 1 || c->ip6_prefix > 128)
			why = "ip6_prefix: not in 1..128";
		else if (c->ip6_global[0] == 0xff || is_link_local6(c->ip6_global) ||
			 memcmp(c->ip6_global, IP6_LOOPBACK, 16) == 0 || is_v4mapped6(c->ip6_global))
			why = "ip6_global: not a global unicast address";
	}
	if (!why && !is_zero(c->gw6, 16)) {
		if (!ctx->global6)
			why = "gw6: needs ip6_global (a source address beyond the link)";
		else if (c->gw6[0] == 0xff ||
			 (!is_link_local6(c->gw6) && !in_prefix6(c->gw6, c->ip6_global, c->ip6_prefix)))
			why = "gw6: neither link-local nor inside the ip6 prefix";
	}
	if (why) {
		free(ctx);
		return conf_fail(err, errcap, "%s", why);
	}

	/* RFC 4291 App. A: interface identifier from the MAC, universal/local bit
	 * inverted, ff:fe in the middle */
	ctx->ll6[0] = 0xfe;
	ctx->ll6[1] = 0x80;
	ctx->ll6[8] = c->mac[0] ^ 0x02;
	ctx->ll6[9] = c->mac[1];
	ctx->ll6[10] = c->mac[2];
	ctx->ll6[11] = 0xff;
	ctx->ll6[12] = 0xfe;
	memcpy(ctx->ll6 + 13, c->mac + 3, 3);
	return ctx;
}

void tw_net_ctx_free(struct tw_net_ctx *ctx)
{
	free(ctx);
}

/* ---- names -------------------------------------------------------------------------- */

static const char *const drop_names[TW_NET_DROP_REASONS] = {
	[TW_NET_DROP_NONE] = "none",
	[TW_NET_DROP_SHORT] = "short",
	[TW_NET_DROP_LONG] = "long",
	[TW_NET_DROP_SRC_MAC] = "src-mac",
	[TW_NET_DROP_VLAN] = "vlan",
	[TW_NET_DROP_DST_MAC] = "dst-mac",
	[TW_NET_DROP_ARP_BAD] = "arp-bad",
	[TW_NET_DROP_ARP_NOT_US] = "arp-not-us",
	[TW_NET_DROP_CONFLICT] = "addr-conflict",
	[TW_NET_DROP_CONSUMED] = "neigh-consumed",
	[TW_NET_DROP_IP4_HDR] = "ip4-hdr",
	[TW_NET_DROP_IP4_CSUM] = "ip4-csum",
	[TW_NET_DROP_IP6_HDR] = "ip6-hdr",
	[TW_NET_DROP_NOT_US] = "not-us",
	[TW_NET_DROP_SRC_ADDR] = "src-addr",
	[TW_NET_DROP_UDP_BAD] = "udp-bad",
	[TW_NET_DROP_UDP_CSUM] = "udp-csum",
	[TW_NET_DROP_UDP_CSUM_ZERO] = "udp6-csum-zero",
	[TW_NET_DROP_ICMP_BAD] = "icmp-bad",
	[TW_NET_DROP_ICMP_CSUM] = "icmp-csum",
	[TW_NET_DROP_ICMP6_CSUM] = "icmp6-csum",
	[TW_NET_DROP_ND_HOP_LIMIT] = "nd-hop-limit",
	[TW_NET_DROP_ND_BAD] = "nd-bad",
	[TW_NET_DROP_ND_NOT_US] = "nd-not-us",
	[TW_NET_DROP_NO_ROOM] = "no-room",
};

static const char *const exc_names[TW_NET_EXCEPTIONS] = {
	[TW_NET_EXC_NONE] = "none",
	[TW_NET_EXC_ETHERTYPE] = "ethertype",
	[TW_NET_EXC_FAMILY_OFF] = "family-off",
	[TW_NET_EXC_IP4_FRAG] = "ip4-frag",
	[TW_NET_EXC_IP4_OPTIONS] = "ip4-options",
	[TW_NET_EXC_IP6_EXT] = "ip6-ext",
	[TW_NET_EXC_TCP] = "tcp",
	[TW_NET_EXC_PROTO] = "proto",
	[TW_NET_EXC_ICMP] = "icmp",
};

const char *tw_net_drop_str(enum tw_net_drop d)
{
	if ((unsigned)d >= TW_NET_DROP_REASONS || !drop_names[d])
		return "?";
	return drop_names[d];
}

const char *tw_net_exception_str(enum tw_net_exception e)
{
	if ((unsigned)e >= TW_NET_EXCEPTIONS || !exc_names[e])
		return "?";
	return exc_names[e];
}

/* ---- receiving ---------------------------------------------------------------------- */

/* One received frame on its way through the layers. */
struct rx {
	struct tw_net_ctx *ctx;
	uint8_t *f;
	size_t len;
	size_t cap;
	uint64_t now;
	struct tw_net_pkt *out;
};

static enum tw_net_verdict drop(struct rx *r, enum tw_net_drop why)
{
	r->out->drop = (uint8_t)why;
	return TW_NET_DROP;
}

static enum tw_net_verdict exception(struct rx *r, enum tw_net_exception what)
{
	r->out->exception = (uint8_t)what;
	return TW_NET_EXCEPTION;
}

/* Readdresses the frame to dst_mac from our MAC (tags untouched). */
static void eth_turn(struct rx *r, const uint8_t *dst_mac)
{
	memcpy(r->f, dst_mac, 6);
	memcpy(r->f + 6, r->ctx->conf.mac, 6);
}

static enum tw_net_verdict reply(struct rx *r, size_t len)
{
	/* ARP and small echoes are shorter than an Ethernet frame: pad with zeros
	 * rather than leave the NIC to send whatever follows in the buffer */
	if (len < ETH_MIN && r->cap >= ETH_MIN) {
		memset(r->f + len, 0, ETH_MIN - len);
		len = ETH_MIN;
	}
	r->out->reply_len = (uint16_t)len;
	return TW_NET_REPLY;
}

static enum tw_net_verdict arp_input(struct rx *r, size_t l3)
{
	struct tw_net_ctx *ctx = r->ctx;
	if (r->len - l3 < ARP_LEN)
		return drop(r, TW_NET_DROP_SHORT);
	uint8_t *a = r->f + l3;
	/* RFC 826: Ethernet hardware (1), IPv4 protocol, 6- and 4-octet addresses */
	uint16_t op = tw_wire_get16(a + 6);
	if (tw_wire_get16(a) != 1 || tw_wire_get16(a + 2) != ET_IP4 || a[4] != 6 || a[5] != 4 ||
	    (op != ARP_REQUEST && op != ARP_REPLY) || !mac_unicast(a + 8))
		return drop(r, TW_NET_DROP_ARP_BAD);
	uint8_t *sha = a + 8, *spa = a + 14, *tha = a + 18, *tpa = a + 24;
	uint32_t sip = tw_wire_get32(spa), tip = tw_wire_get32(tpa);
	r->out->family = AF_INET;
	r->out->l3 = (uint16_t)l3;
	memcpy(r->out->src, spa, 4);
	memcpy(r->out->dst, tpa, 4);

	/* RFC 5227 §2.4: someone else announcing or answering for our address */
	if (sip == ctx->ip4)
		return drop(r, TW_NET_DROP_CONFLICT);
	/* RFC 826 "Packet Reception": a sender already known is updated whoever the
	 * target is (the merge flag); a new one is added only when we are the target.
	 * Only neighbours inside our prefix: nothing else is reached directly. */
	bool for_us = tip == ctx->ip4;
	if (sip && in_subnet4(ctx, sip) && !martian4(ctx, sip)) {
		uint8_t key[16];
		neigh_key(AF_INET, spa, key);
		neigh_learn(ctx, key, sha, r->now, for_us);
	}
	if (!for_us)
		return drop(r, TW_NET_DROP_ARP_NOT_US);
	if (op == ARP_REPLY)
		return drop(r, TW_NET_DROP_CONSUMED);

	/* the reply: sender becomes target, we the sender (an RFC 5227 probe from
	 * 0.0.0.0 gets its answer with target 0.0.0.0, to its MAC) */
	memcpy(tha, sha, 6);
	memcpy(tpa, spa, 4);
	memcpy(sha, ctx->conf.mac, 6);
	tw_wire_put32(spa, ctx->ip4);
	tw_wire_put16(a + 6, ARP_REPLY);
	eth_turn(r, tha);
	return reply(r, l3 + ARP_LEN);
}

/* UDP at l4 with l4len octets of IP payload; addrs: the IP address pair. */
static enum tw_net_verdict udp_input(struct rx *r, size_t l4, size_t l4len, const uint8_t *addrs,
				     size_t addrs_len)
{
	struct tw_net_pkt *out = r->out;
	if (l4len < UDP_HDR)
		return drop(r, TW_NET_DROP_UDP_BAD);
	const uint8_t *u = r->f + l4;
	size_t ulen = tw_wire_get16(u + 4);
	/* RFC 768: the length counts header and data; anything after it in the IP
	 * payload is not part of the datagram */
	if (ulen < UDP_HDR || ulen > l4len)
		return drop(r, TW_NET_DROP_UDP_BAD);
	uint16_t csum;
	memcpy(&csum, u + 6, 2);
	if (csum == 0) {
		/* RFC 768: IPv4 may go without; RFC 8200 §8.1: IPv6 may not */
		if (out->family == AF_INET6)
			return drop(r, TW_NET_DROP_UDP_CSUM_ZERO);
	} else if (!csum_ok(u, ulen, pseudo_sum(addrs, addrs_len, PROTO_UDP, ulen))) {
		return drop(r, TW_NET_DROP_UDP_CSUM);
	}
	out->sport = tw_wire_get16(u);
	out->dport = tw_wire_get16(u + 2);
	/* port 0 is reserved: no answer could reach it */
	if (out->sport == 0 || out->dport == 0)
		return drop(r, TW_NET_DROP_UDP_BAD);
	out->l4 = (uint16_t)l4;
	out->payload = (uint16_t)(l4 + UDP_HDR);
	out->payload_len = (uint16_t)(ulen - UDP_HDR);
	return TW_NET_UDP;
}

static enum tw_net_verdict icmp4_input(struct rx *r, size_t l3, size_t l4len)
{
	uint8_t *ip = r->f + l3, *ic = ip + IP4_HDR;
	if (l4len < ICMP_MIN)
		return drop(r, TW_NET_DROP_ICMP_BAD);
	if (!csum_ok(ic, l4len, 0))
		return drop(r, TW_NET_DROP_ICMP_CSUM);
	if (ic[0] != ICMP_ECHO)
		return exception(r, TW_NET_EXC_ICMP);

	/* RFC 792 echo: the data returned, type 0, addresses reversed; RFC 1122
	 * §3.2.2.6: the reply's source is the request's (specific) destination */
	icmp_set_type(ic, ICMP_ECHO_REPLY);
	uint8_t a[4];
	memcpy(a, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, a, 4);
	ip[8] = TTL_OUT;
	ip4_set_csum(ip);
	eth_turn(r, r->f + 6);
	return reply(r, l3 + IP4_HDR + l4len);
}

static enum tw_net_verdict ip4_input(struct rx *r, size_t l3)
{
	struct tw_net_ctx *ctx = r->ctx;
	struct tw_net_pkt *out = r->out;
	if (r->len - l3 < IP4_HDR)
		return drop(r, TW_NET_DROP_SHORT);
	uint8_t *ip = r->f + l3;
	size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
	size_t total = tw_wire_get16(ip + 2);
	/* RFC 791 §3.1: version 4, at least 5 header words, a total length that
	 * holds the header; what the frame holds beyond it is Ethernet padding */
	if ((ip[0] >> 4) != 4 || ihl < IP4_HDR || total < ihl || total > r->len - l3)
		return drop(r, TW_NET_DROP_IP4_HDR);
	if (!csum_ok(ip, ihl, 0))
		return drop(r, TW_NET_DROP_IP4_CSUM);
	out->family = AF_INET;
	out->l3 = (uint16_t)l3;
	out->hop_limit = ip[8]; /* any TTL will do (RFC 1122 §3.2.1.7) */
	memcpy(out->src, ip + 12, 4);
	memcpy(out->dst, ip + 16, 4);
	if (tw_wire_get32(ip + 16) != ctx->ip4)
		return drop(r, TW_NET_DROP_NOT_US);
	if (martian4(ctx, tw_wire_get32(ip + 12)))
		return drop(r, TW_NET_DROP_SRC_ADDR);
	if (tw_wire_get16(ip + 6) & IP4_FRAG_MASK)
		return exception(r, TW_NET_EXC_IP4_FRAG);
	/* options are rare on queries, and a reply would have to reverse a source
	 * route (RFC 1122 §3.2.1.8): the kernel's business */
	if (ihl != IP4_HDR)
		return exception(r, TW_NET_EXC_IP4_OPTIONS);

	size_t l4 = l3 + IP4_HDR, l4len = total - IP4_HDR;
	switch (ip[9]) {
	case PROTO_UDP:
		return udp_input(r, l4, l4len, ip + 12, 8);
	case PROTO_ICMP:
		return icmp4_input(r, l3, l4len);
	case PROTO_TCP:
		return exception(r, TW_NET_EXC_TCP);
	default:
		return exception(r, TW_NET_EXC_PROTO);
	}
}

/* RFC 4861 §4.6: options in units of 8 octets, none of length zero (§7.1.1,
 * §7.1.2). Sets *lla to the address in the first option of type `want` (NULL if
 * none). False when the options are malformed. */
static bool nd_options(const uint8_t *o, size_t n, uint8_t want, const uint8_t **lla)
{
	*lla = NULL;
	while (n) {
		if (n < 2)
			return false;
		size_t olen = (size_t)o[1] * 8;
		if (olen == 0 || olen > n)
			return false;
		if (o[0] == want && !*lla)
			*lla = o + 2; /* olen >= 8 holds the 6-octet MAC */
		o += olen;
		n -= olen;
	}
	return true;
}

/* Neighbour solicitation (RFC 4861 §7.1.1 validation, §7.2.3 receipt, §7.2.4
 * the advertisement in reply), rewritten into the advertisement in place. */
static enum tw_net_verdict ns_input(struct rx *r, size_t l3, size_t plen, bool unspec)
{
	struct tw_net_ctx *ctx = r->ctx;
	uint8_t *ip = r->f + l3, *ic = ip + IP6_HDR;
	if (ip[7] != ND_HOP_LIMIT)
		return drop(r, TW_NET_DROP_ND_HOP_LIMIT);
	if (ic[1] != 0 || plen < ND_HDR)
		return drop(r, TW_NET_DROP_ND_BAD);
	const uint8_t *target = ic + 8, *slla;
	if (target[0] == 0xff || !nd_options(ic + ND_HDR, plen - ND_HDR, ND_OPT_SLLA, &slla))
		return drop(r, TW_NET_DROP_ND_BAD);
	/* duplicate address detection: to a solicited-node group, no source option */
	if (unspec && (!is_snm6(ip + 24) || slla))
		return drop(r, TW_NET_DROP_ND_BAD);
	if (!is_ours6(ctx, target))
		return drop(r, TW_NET_DROP_ND_NOT_US);
	if (!unspec && slla)
		neigh_learn(ctx, ip + 8, slla, r->now, true);

	size_t n = l3 + IP6_HDR + ND_HDR + ND_LLA_OPT;
	if (n > r->cap)
		return drop(r, TW_NET_DROP_NO_ROOM);
	uint8_t tgt[16], peer[16], peer_mac[6];
	memcpy(tgt, target, 16);
	/* §7.2.4: to the solicitation's source, or to all-nodes with S clear when it
	 * came from the unspecified address (DAD) */
	if (unspec) {
		memcpy(peer, IP6_ALL_NODES, 16);
		memcpy(peer_mac, MAC_ALL_NODES, 6);
	} else {
		memcpy(peer, ip + 8, 16);
		memcpy(peer_mac, r->f + 6, 6);
	}
	eth_turn(r, peer_mac);
	tw_wire_put32(ip, 0x60000000u);
	tw_wire_put16(ip + 4, ND_HDR + ND_LLA_OPT);
	ip[6] = PROTO_ICMP6;
	ip[7] = ND_HOP_LIMIT;
	memcpy(ip + 8, tgt, 16);
	memcpy(ip + 24, peer, 16);
	memset(ic, 0, ND_HDR);
	ic[0] = ND_NA;
	/* R clear: not a router; O set: ours, not an anycast or proxied address */
	ic[4] = (unspec ? 0 : NA_FLAG_S) | NA_FLAG_O;
	memcpy(ic + 8, tgt, 16);
	ic[ND_HDR] = ND_OPT_TLLA;
	ic[ND_HDR + 1] = 1;
	memcpy(ic + ND_HDR + 2, ctx->conf.mac, 6);
	icmp6_set_csum(ip, ND_HDR + ND_LLA_OPT);
	return reply(r, n);
}

/* Neighbour advertisement (RFC 4861 §7.1.2 validation, §7.2.5 receipt). Without
 * INCOMPLETE entries of our own, one addressed to us (the answer to our
 * solicitation) adds its target; a multicast one only refreshes. */
static enum tw_net_verdict na_input(struct rx *r, size_t l3, size_t plen, bool group)
{
	uint8_t *ip = r->f + l3, *ic = ip + IP6_HDR;
	if (ip[7] != ND_HOP_LIMIT)
		return drop(r, TW_NET_DROP_ND_HOP_LIMIT);
	if (ic[1] != 0 || plen < ND_HDR)
		return drop(r, TW_NET_DROP_ND_BAD);
	const uint8_t *target = ic + 8, *tlla;
	/* RFC 4291 §2.5.5.2: v4-mapped addresses never appear on the wire, and the
	 * neighbour table keeps IPv4 neighbours under them: an advertisement for
	 * one would rewrite an ARP entry */
	if (target[0] == 0xff || is_v4mapped6(target) ||
	    !nd_options(ic + ND_HDR, plen - ND_HDR, ND_OPT_TLLA, &tlla) ||
	    (group && (ic[4] & NA_FLAG_S)))
		return drop(r, TW_NET_DROP_ND_BAD);
	if (is_ours6(r->ctx, target))
		return drop(r, TW_NET_DROP_CONFLICT);
	if (tlla)
		neigh_learn(r->ctx, target, tlla, r->now, !group);
	return drop(r, TW_NET_DROP_CONSUMED);
}

static enum tw_net_verdict icmp6_input(struct rx *r, size_t l3, size_t plen, bool group,
				       bool unspec)
{
	uint8_t *ip = r->f + l3, *ic = ip + IP6_HDR;
	if (plen < ICMP6_MIN)
		return drop(r, TW_NET_DROP_ICMP_BAD);
	/* RFC 4443 §2.3: over the pseudo-header (RFC 8200 §8.1) and the message */
	if (!csum_ok(ic, plen, pseudo_sum(ip + 8, 32, PROTO_ICMP6, plen)))
		return drop(r, TW_NET_DROP_ICMP6_CSUM);
	if (ic[0] == ND_NS)
		return ns_input(r, l3, plen, unspec);
	/* RFC 4291 §2.5.2: the unspecified source is for DAD solicitations only */
	if (unspec)
		return drop(r, TW_NET_DROP_SRC_ADDR);
	if (ic[0] == ND_NA)
		return na_input(r, l3, plen, group);
	if (ic[0] != ICMP6_ECHO || group)
		return exception(r, TW_NET_EXC_ICMP);
	if (plen < ICMP_MIN)
		return drop(r, TW_NET_DROP_ICMP_BAD);

	/* RFC 4443 §4.2: the reply carries the request's data, from the address the
	 * request went to; swapping the addresses leaves the pseudo-header sum alone */
	icmp_set_type(ic, ICMP6_ECHO_REPLY);
	uint8_t a[16];
	memcpy(a, ip + 8, 16);
	memcpy(ip + 8, ip + 24, 16);
	memcpy(ip + 24, a, 16);
	ip[7] = TTL_OUT;
	eth_turn(r, r->f + 6);
	return reply(r, l3 + IP6_HDR + plen);
}

static enum tw_net_verdict ip6_input(struct rx *r, size_t l3, bool mac_ours)
{
	struct tw_net_ctx *ctx = r->ctx;
	struct tw_net_pkt *out = r->out;
	if (r->len - l3 < IP6_HDR)
		return drop(r, TW_NET_DROP_SHORT);
	uint8_t *ip = r->f + l3;
	size_t plen = tw_wire_get16(ip + 4);
	/* RFC 8200 §3: the payload length counts what follows the header; beyond it
	 * is Ethernet padding */
	if ((ip[0] >> 4) != 6 || plen > r->len - l3 - IP6_HDR)
		return drop(r, TW_NET_DROP_IP6_HDR);
	const uint8_t *src = ip + 8, *dst = ip + 24;
	out->family = AF_INET6;
	out->l3 = (uint16_t)l3;
	out->hop_limit = ip[7];
	memcpy(out->src, src, 16);
	memcpy(out->dst, dst, 16);

	bool group = dst[0] == 0xff;
	if (group) {
		/* RFC 2464 §7: a group travels to 33:33 and its last 32 bits */
		if (r->f[0] != 0x33 || r->f[1] != 0x33 || memcmp(r->f + 2, dst + 12, 4) != 0)
			return drop(r, TW_NET_DROP_DST_MAC);
		if (memcmp(dst, IP6_ALL_NODES, 16) != 0 && !is_our_snm6(ctx, dst))
			return drop(r, TW_NET_DROP_NOT_US);
	} else {
		if (!mac_ours)
			return drop(r, TW_NET_DROP_DST_MAC);
		if (!is_ours6(ctx, dst))
			return drop(r, TW_NET_DROP_NOT_US);
	}
	if (src[0] == 0xff || memcmp(src, IP6_LOOPBACK, 16) == 0 || is_ours6(ctx, src) ||
	    is_v4mapped6(src))
		return drop(r, TW_NET_DROP_SRC_ADDR);
	bool unspec = is_zero(src, 16);

	uint8_t nh = ip[6];
	switch (nh) {
	case PROTO_ICMP6:
		return icmp6_input(r, l3, plen, group, unspec);
	/* RFC 8200 §4 and the IANA list: hop-by-hop, routing, fragment, ESP, AH,
	 * destination options, mobility, HIP, shim6 */
	case 0: case 43: case 44: case 50: case 51: case 60: case 135: case 139: case 140:
		return exception(r, TW_NET_EXC_IP6_EXT);
	}
	if (unspec)
		return drop(r, TW_NET_DROP_SRC_ADDR);
	if (group)
		return drop(r, TW_NET_DROP_NOT_US); /* we join groups for ND only */
	if (nh == PROTO_UDP)
		return udp_input(r, l3 + IP6_HDR, plen, ip + 8, 32);
	if (nh == PROTO_TCP)
		return exception(r, TW_NET_EXC_TCP);
	return exception(r, TW_NET_EXC_PROTO);
}

/* Tags the port expects: 802.1ad S-tag + 802.1Q C-tag, one C-tag, or none (a
 * priority-tagged frame, VID 0, counts as untagged: IEEE 802.1Q). */
static bool vlan_ok(const struct tw_net_if_conf *c, const struct tw_net_pkt *out)
{
	uint16_t vid = out->tci & 0x0fff;
	if (c->svlan)
		return out->tags == 2 && (out->outer_tci & 0x0fff) == c->svlan && vid == c->vlan;
	if (c->vlan)
		return out->tags == 1 && vid == c->vlan;
	return out->tags == 0 || (out->tags == 1 && vid == 0);
}

enum tw_net_verdict tw_net_input(struct tw_net_ctx *ctx, uint8_t *frame, size_t len, size_t cap,
				 uint64_t now_ms, struct tw_net_pkt *out)
{
	memset(out, 0, sizeof(*out));
	struct rx r = { ctx, frame, len, cap < len ? len : cap, now_ms, out };
	if (len < ETH_HDR)
		return drop(&r, TW_NET_DROP_SHORT);
	/* offsets travel as 16 bits (an mbuf segment holds at most 65535 octets) */
	if (len > UINT16_MAX)
		return drop(&r, TW_NET_DROP_LONG);
	if (r.cap > UINT16_MAX)
		r.cap = UINT16_MAX;
	memcpy(out->dst_mac, frame, 6);
	memcpy(out->src_mac, frame + 6, 6);
	if ((frame[6] & 1) || mac_eq(frame + 6, ctx->conf.mac))
		return drop(&r, TW_NET_DROP_SRC_MAC);

	size_t off = 12;
	uint16_t et = tw_wire_get16(frame + off);
	if (et == ET_STAG) {
		if (len < off + TAG_LEN + 2)
			return drop(&r, TW_NET_DROP_SHORT);
		out->outer_tci = tw_wire_get16(frame + off + 2);
		out->tags = 1;
		off += TAG_LEN;
		et = tw_wire_get16(frame + off);
		if (et != ET_CTAG) /* an S-tag alone is no VLAN of ours */
			return drop(&r, TW_NET_DROP_VLAN);
	}
	if (et == ET_CTAG) {
		if (len < off + TAG_LEN + 2)
			return drop(&r, TW_NET_DROP_SHORT);
		out->tci = tw_wire_get16(frame + off + 2);
		out->tags++;
		off += TAG_LEN;
		et = tw_wire_get16(frame + off);
	}
	if (et == ET_CTAG || et == ET_STAG || !vlan_ok(&ctx->conf, out))
		return drop(&r, TW_NET_DROP_VLAN);
	size_t l3 = off + 2;

	bool mac_ours = mac_eq(frame, ctx->conf.mac);
	if (!mac_ours && !(frame[0] & 1))
		return drop(&r, TW_NET_DROP_DST_MAC);
	switch (et) {
	case ET_ARP:
		if (!ctx->v4)
			return exception(&r, TW_NET_EXC_FAMILY_OFF);
		if (!mac_ours && !mac_eq(frame, MAC_BCAST))
			return drop(&r, TW_NET_DROP_DST_MAC);
		return arp_input(&r, l3);
	case ET_IP4:
		if (!ctx->v4)
			return exception(&r, TW_NET_EXC_FAMILY_OFF);
		if (!mac_ours) /* we are in no IPv4 group and ignore broadcasts */
			return drop(&r, TW_NET_DROP_DST_MAC);
		return ip4_input(&r, l3);
	case ET_IP6:
		if (!ctx->conf.ip6)
			return exception(&r, TW_NET_EXC_FAMILY_OFF);
		return ip6_input(&r, l3, mac_ours);
	default:
		return exception(&r, TW_NET_EXC_ETHERTYPE);
	}
}

/* ---- sending ------------------------------------------------------------------------ */

static size_t l2_len(const struct tw_net_ctx *ctx)
{
	return ETH_HDR + (ctx->conf.svlan ? 2 * TAG_LEN : ctx->conf.vlan ? TAG_LEN : 0);
}

/* Writes the Ethernet header and our tags; returns the L3 offset. */
static size_t eth_write(const struct tw_net_ctx *ctx, uint8_t *f, const uint8_t *dst_mac,
			uint16_t et)
{
	const struct tw_net_if_conf *c = &ctx->conf;
	uint16_t prio = (uint16_t)(c->pcp << 13);
	size_t off = 12;
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, c->mac, 6);
	if (c->svlan) {
		tw_wire_put16(f + off, ET_STAG);
		tw_wire_put16(f + off + 2, prio | c->svlan);
		off += TAG_LEN;
	}
	if (c->vlan) {
		tw_wire_put16(f + off, ET_CTAG);
		tw_wire_put16(f + off + 2, prio | c->vlan);
		off += TAG_LEN;
	}
	tw_wire_put16(f + off, et);
	return off + 2;
}

int tw_net_next_hop(const struct tw_net_ctx *ctx, int family, const uint8_t dst[16],
		    uint8_t hop[16])
{
	if (family == AF_INET) {
		uint32_t a = tw_wire_get32(dst);
		if (!ctx->v4 || martian4(ctx, a))
			return -TW_EINVAL;
		bool on_link = in_subnet4(ctx, a);
		if (!on_link && !ctx->gw4)
			return -TW_EINVAL;
		memset(hop, 0, 16);
		memcpy(hop, on_link ? dst : ctx->conf.gw4, 4);
		return 0;
	}
	if (family != AF_INET6 || !ctx->conf.ip6 || dst[0] == 0xff || is_zero(dst, 16) ||
	    memcmp(dst, IP6_LOOPBACK, 16) == 0 || is_v4mapped6(dst) || is_ours6(ctx, dst))
		return -TW_EINVAL;
	if (is_link_local6(dst) ||
	    (ctx->global6 && in_prefix6(dst, ctx->conf.ip6_global, ctx->conf.ip6_prefix))) {
		memcpy(hop, dst, 16);
		return 0;
	}
	if (!ctx->global6 || is_zero(ctx->conf.gw6, 16))
		return -TW_EINVAL;
	memcpy(hop, ctx->conf.gw6, 16);
	return 0;
}

int tw_net_udp_header(struct tw_net_ctx *ctx, int family, const uint8_t dst[16], uint16_t sport,
		      uint16_t dport, uint64_t now_ms, uint8_t *frame, size_t cap, size_t *hdr_len)
{
	uint8_t hop[16], mac[6];
	if (sport == 0 || dport == 0)
		return -TW_EINVAL;
	int rc = tw_net_next_hop(ctx, family, dst, hop);
	if (rc)
		return rc;
	rc = tw_net_neigh_lookup(ctx, family, hop, now_ms, mac);
	if (rc)
		return rc;
	bool v4 = family == AF_INET;
	size_t l3 = l2_len(ctx), n = l3 + (v4 ? IP4_HDR : IP6_HDR) + UDP_HDR;
	if (cap < n)
		return -TW_ENOSPC;

	eth_write(ctx, frame, mac, v4 ? ET_IP4 : ET_IP6);
	uint8_t *ip = frame + l3;
	if (v4) {
		/* RFC 791 §3.1; DF set, so the ID only has to tell apart what is in
		 * flight (RFC 6864 §4.1); lengths and checksum in tw_net_udp_finish() */
		memset(ip, 0, IP4_HDR);
		ip[0] = 0x45;
		tw_wire_put16(ip + 4, ctx->ip_id++);
		tw_wire_put16(ip + 6, IP4_DF);
		ip[8] = TTL_OUT;
		ip[9] = PROTO_UDP;
		tw_wire_put32(ip + 12, ctx->ip4);
		memcpy(ip + 16, dst, 4);
	} else {
		tw_wire_put32(ip, 0x60000000u);
		tw_wire_put16(ip + 4, 0);
		ip[6] = PROTO_UDP;
		ip[7] = TTL_OUT;
		memcpy(ip + 8, src6_for(ctx, dst), 16);
		memcpy(ip + 24, dst, 16);
	}
	uint8_t *u = frame + n - UDP_HDR;
	tw_wire_put16(u, sport);
	tw_wire_put16(u + 2, dport);
	memset(u + 4, 0, 4);
	*hdr_len = n;
	return 0;
}

size_t tw_net_udp_finish(uint8_t *frame, size_t hdr_len, size_t payload_len)
{
	/* the frame is ours (tw_net_udp_header()): at most two tags before the IP header */
	size_t off = 12;
	uint16_t et = tw_wire_get16(frame + off);
	while ((et == ET_STAG || et == ET_CTAG) && off + TAG_LEN < hdr_len) {
		off += TAG_LEN;
		et = tw_wire_get16(frame + off);
	}
	uint8_t *ip = frame + off + 2, *u = frame + hdr_len - UDP_HDR;
	size_t ulen = UDP_HDR + payload_len;
	if (et == ET_IP4) {
		if (ulen > UINT16_MAX - IP4_HDR)
			return 0;
		tw_wire_put16(ip + 2, (uint16_t)(IP4_HDR + ulen));
		ip4_set_csum(ip);
		tw_wire_put16(u + 4, (uint16_t)ulen);
		udp_set_csum(u, ulen, ip + 12, 8);
	} else {
		if (ulen > UINT16_MAX)
			return 0;
		tw_wire_put16(ip + 4, (uint16_t)ulen);
		tw_wire_put16(u + 4, (uint16_t)ulen);
		udp_set_csum(u, ulen, ip + 8, 32);
	}
	return hdr_len + payload_len;
}

size_t tw_net_udp_reply(const struct tw_net_pkt *in, uint8_t *frame, uint16_t payload_len)
{
	return tw_net_udp_reply_sum(in, frame, payload_len,
				    tw_csum_partial(frame + in->payload, payload_len, 0));
}

/* Adds the 16-bit words of a 32-bit value (host order of network bytes). */
static inline uint32_t sum32(uint32_t v)
{
	return (v & 0xffffu) + (v >> 16);
}

size_t tw_net_udp_reply_sum(const struct tw_net_pkt *in, uint8_t *frame, uint16_t payload_len,
			    uint32_t payload_sum)
{
	size_t ulen = UDP_HDR + (size_t)payload_len;
	uint8_t *ip = frame + in->l3, *u = frame + in->l4;
	/* The checksums are summed from the values, not read back from the
	 * headers just written: a wide load over narrower stores still in flight
	 * cannot be forwarded and stalls. The address pair sums the same either
	 * way round, for the IPv4 header and for both pseudo-headers. */
	uint64_t addrs;
	if (in->family == AF_INET) {
		if (ulen > UINT16_MAX - IP4_HDR)
			return 0;
		uint32_t a, b;
		memcpy(&a, in->src, 4);
		memcpy(&b, in->dst, 4);
		addrs = (uint64_t)sum32(a) + sum32(b);
		/* DSCP kept, ECN cleared: we are not ECN-capable (RFC 3168 §5) */
		uint16_t w0 = htobe16((uint16_t)(0x4500 | (ip[1] & 0xfc)));
		uint16_t tot = htobe16((uint16_t)(IP4_HDR + ulen));
		/* DF: an answer too big for the path is better truncated than
		 * fragmented (RFC 9715); the query's ID serves (RFC 6864 §4.1) */
		uint16_t id, df = htobe16(IP4_DF), tp = htobe16(TTL_OUT << 8 | PROTO_UDP);
		memcpy(&id, ip + 4, 2);
		uint16_t hc = tw_csum_fold((uint32_t)(addrs + w0 + tot + id + df + tp));
		memcpy(ip, &w0, 2);
		memcpy(ip + 2, &tot, 2);
		memcpy(ip + 6, &df, 2);
		memcpy(ip + 8, &tp, 2);
		memcpy(ip + 10, &hc, 2);
		memcpy(ip + 12, &b, 4);
		memcpy(ip + 16, &a, 4);
	} else {
		if (ulen > UINT16_MAX)
			return 0;
		uint64_t a[2], b[2];
		memcpy(a, in->src, 16);
		memcpy(b, in->dst, 16);
		addrs = tw_csum_partial(in->src, 16, tw_csum_partial(in->dst, 16, 0));
		/* traffic class kept without its ECN bits, flow label kept */
		ip[0] = (uint8_t)(0x60 | (ip[0] & 0x0f));
		ip[1] &= 0xcf;
		tw_wire_put16(ip + 4, (uint16_t)ulen);
		ip[6] = PROTO_UDP;
		ip[7] = TTL_OUT;
		memcpy(ip + 8, b, 16);
		memcpy(ip + 24, a, 16);
	}
	memcpy(frame, in->src_mac, 6);
	memcpy(frame + 6, in->dst_mac, 6);
	uint16_t sp = htobe16(in->dport), dp = htobe16(in->sport), ul = htobe16((uint16_t)ulen);
	/* pseudo-header (addresses, protocol, length), the header, the payload */
	uint64_t us = addrs + htobe16(PROTO_UDP) + ul + sp + dp + ul + payload_sum;
	us = (us & 0xffffffffu) + (us >> 32);
	uint16_t uc = tw_csum_fold((uint32_t)((us & 0xffffu) + (us >> 16)));
	if (uc == 0)
		uc = 0xffff; /* RFC 768: a computed zero is sent as all ones; zero means none */
	memcpy(u, &sp, 2);
	memcpy(u + 2, &dp, 2);
	memcpy(u + 4, &ul, 2);
	memcpy(u + 6, &uc, 2);
	return (size_t)in->payload + payload_len;
}

size_t tw_net_solicit(struct tw_net_ctx *ctx, int family, const uint8_t dst[16], uint8_t *frame,
		      size_t cap)
{
	uint8_t hop[16];
	if (tw_net_next_hop(ctx, family, dst, hop))
		return 0;
	size_t l3 = l2_len(ctx);
	if (family == AF_INET) {
		size_t n = l3 + ARP_LEN;
		if (cap < n)
			return 0;
		/* RFC 826: broadcast request, target hardware address unknown (zero) */
		eth_write(ctx, frame, MAC_BCAST, ET_ARP);
		uint8_t *a = frame + l3;
		tw_wire_put16(a, 1);
		tw_wire_put16(a + 2, ET_IP4);
		a[4] = 6;
		a[5] = 4;
		tw_wire_put16(a + 6, ARP_REQUEST);
		memcpy(a + 8, ctx->conf.mac, 6);
		tw_wire_put32(a + 14, ctx->ip4);
		memset(a + 18, 0, 6);
		memcpy(a + 24, hop, 4);
		if (n < ETH_MIN && cap >= ETH_MIN) {
			memset(frame + n, 0, ETH_MIN - n);
			n = ETH_MIN;
		}
		return n;
	}

	size_t plen = ND_HDR + ND_LLA_OPT, n = l3 + IP6_HDR + plen;
	if (cap < n)
		return 0;
	/* RFC 4861 §7.2.2: to the target's solicited-node group (RFC 2464 §7 MAC),
	 * hop limit 255, our link-layer address in a source option */
	uint8_t group[16], group_mac[6] = { 0x33, 0x33 };
	snm6(hop, group);
	memcpy(group_mac + 2, group + 12, 4);
	eth_write(ctx, frame, group_mac, ET_IP6);
	uint8_t *ip = frame + l3, *ic = ip + IP6_HDR;
	tw_wire_put32(ip, 0x60000000u);
	tw_wire_put16(ip + 4, (uint16_t)plen);
	ip[6] = PROTO_ICMP6;
	ip[7] = ND_HOP_LIMIT;
	memcpy(ip + 8, src6_for(ctx, hop), 16);
	memcpy(ip + 24, group, 16);
	memset(ic, 0, ND_HDR);
	ic[0] = ND_NS;
	memcpy(ic + 8, hop, 16);
	ic[ND_HDR] = ND_OPT_SLLA;
	ic[ND_HDR + 1] = 1;
	memcpy(ic + ND_HDR + 2, ctx->conf.mac, 6);
	icmp6_set_csum(ip, plen);
	return n;
}
