/* The frame layer (dataplane/net.h) on frames built byte by byte here: ARP, ICMP
 * and ICMPv6 echo, neighbour solicitation and advertisement, UDP over IPv4 and
 * IPv6, 802.1Q and QinQ tags, every drop and exception with its reason,
 * truncation at every length, the reply and origination paths checked by a second
 * context on the other side of the wire and by a plain RFC 1071 checksum written
 * here, the neighbour table's expiry and replacement, and 100k random frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dataplane/net.h"
#include "dns/error.h"

#define NOW 1000000u
#define TTL_MS 300000u

/* ---- the link: us, a client, an upstream resolver on-link, the gateway -------------- */

static const uint8_t MAC_US[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_CLIENT[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_UP[6] = { 0x02, 0, 0, 0, 0, 0x53 };
static const uint8_t MAC_GW[6] = { 0x02, 0, 0, 0, 0, 0xfe };
static const uint8_t MAC_OTHER[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MAC_ZERO[6] = { 0 };

/* 16 octets, IPv4 in the first 4 (the API's form) */
static const uint8_t US4[16] = { 192, 0, 2, 1 };
static const uint8_t CLIENT4[16] = { 192, 0, 2, 10 };
static const uint8_t UP4[16] = { 192, 0, 2, 53 };
static const uint8_t GW4[16] = { 192, 0, 2, 254 };
static const uint8_t OTHER4[16] = { 192, 0, 2, 99 };
static const uint8_t FAR4[16] = { 198, 51, 100, 7 };

static const uint8_t US6[16] = { 0x20, 0x01, 0x0d, 0xb8, [13] = 0x0a, [15] = 0x01 };
static const uint8_t CLIENT6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
static const uint8_t UP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
static const uint8_t OTHER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x99 };
static const uint8_t FAR6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x53 };
/* RFC 4291 App. A by hand: 02:00:00:00:00:01 -> 00:00:00:ff:fe:00:00:01 */
static const uint8_t LL_US[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 0x01 };
static const uint8_t LL_CLIENT[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 0x02 };
static const uint8_t LL_GW[16] = { 0xfe, 0x80, [15] = 0xfe };
static const uint8_t ALL_NODES[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t UNSPEC[16] = { 0 };

/* The solicited-node group of a (RFC 4291 §2.7.1) and its MAC (RFC 2464 §7). */
static void snm(const uint8_t *a, uint8_t g[16], uint8_t mac[6])
{
	static const uint8_t pre[13] = { 0xff, 0x02, [11] = 1, [12] = 0xff };
	memset(g, 0, 16);
	memcpy(g, pre, 13);
	memcpy(g + 13, a + 13, 3);
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, g + 12, 4);
}

static struct tw_net_ctx *ctx_for(const uint8_t *mac, const uint8_t *ip4, const uint8_t *ip6,
				  uint16_t vlan, uint16_t svlan, uint32_t neigh_max)
{
	struct tw_net_if_conf c;
	tw_net_if_conf_init(&c);
	memcpy(c.mac, mac, 6);
	c.vlan = vlan;
	c.svlan = svlan;
	memcpy(c.ip4, ip4, 4);
	c.ip4_prefix = 24;
	memcpy(c.gw4, GW4, 4);
	c.ip6 = true;
	memcpy(c.ip6_global, ip6, 16);
	c.ip6_prefix = 64;
	memcpy(c.gw6, LL_GW, 16);
	if (neigh_max)
		c.neigh_max = neigh_max;
	c.neigh_ttl_ms = TTL_MS;
	char err[160];
	struct tw_net_ctx *ctx = tw_net_ctx_new(&c, err, sizeof(err));
	if (!ctx)
		fail_msg("%s", err);
	return ctx;
}

static struct tw_net_ctx *server(void)
{
	return ctx_for(MAC_US, US4, US6, 0, 0, 0);
}

/* ---- an independent RFC 1071 checksum: 16-bit big-endian words, one at a time ------- */

static uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The checksum of an upper-layer message with its pseudo-header (RFC 768, RFC
 * 8200 §8.1); proto 1 (ICMPv4) has none. */
static uint16_t ref_l4(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		       const uint8_t *l4, size_t len)
{
	uint32_t acc = 0;
	if (proto != 1) {
		size_t al = family == AF_INET ? 4 : 16;
		acc = ref_add(acc, src, al);
		acc = ref_add(acc, dst, al);
		acc += proto + (uint32_t)len;
	}
	return (uint16_t)~ref_fold(ref_add(acc, l4, len));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- frames ------------------------------------------------------------------------- */

/* Who sends what to whom, at L2 and L3. */
struct spec {
	const uint8_t *dmac, *smac;
	int tags;              /* 0, 1 (tci) or 2 (outer, tci) */
	uint16_t outer, tci;
	int family;
	const uint8_t *src, *dst;
	uint8_t ttl;
	uint16_t frag;         /* IPv4 flags and fragment offset */
	uint8_t ihl;           /* IPv4 header words; 0: 5 */
};

static struct spec v4(void)
{
	return (struct spec){ .dmac = MAC_US, .smac = MAC_CLIENT, .family = AF_INET,
			      .src = CLIENT4, .dst = US4, .ttl = 57 };
}

static struct spec v6(void)
{
	return (struct spec){ .dmac = MAC_US, .smac = MAC_CLIENT, .family = AF_INET6,
			      .src = CLIENT6, .dst = US6, .ttl = 61 };
}

/* Ethernet and tags; returns the L3 offset. */
static size_t mk_l2(uint8_t *f, const struct spec *s, uint16_t et)
{
	size_t off = 12;
	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	if (s->tags == 2) {
		set16(f + off, 0x88a8);
		set16(f + off + 2, s->outer);
		off += 4;
	}
	if (s->tags >= 1) {
		set16(f + off, 0x8100);
		set16(f + off + 2, s->tci);
		off += 4;
	}
	set16(f + off, et);
	return off + 2;
}

/* An IP packet carrying l4 (checksums already in it); returns the frame length. */
static size_t mk_ip(uint8_t *f, const struct spec *s, uint8_t proto, const uint8_t *l4,
		    size_t l4len)
{
	size_t l3 = mk_l2(f, s, s->family == AF_INET ? 0x0800 : 0x86dd);
	uint8_t *ip = f + l3;
	if (s->family == AF_INET) {
		size_t hl = (s->ihl ? s->ihl : 5) * 4u;
		memset(ip, 0, hl);
		ip[0] = (uint8_t)(0x40 | (hl / 4));
		set16(ip + 2, (uint16_t)(hl + l4len));
		set16(ip + 4, 0x4321);
		set16(ip + 6, s->frag);
		ip[8] = s->ttl;
		ip[9] = proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		if (hl > 20)
			ip[20] = 1; /* NOP options */
		set16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, hl)));
		memcpy(ip + hl, l4, l4len);
		return l3 + hl + l4len;
	}
	memset(ip, 0, 40);
	ip[0] = 0x60;
	set16(ip + 4, (uint16_t)l4len);
	ip[6] = proto;
	ip[7] = s->ttl;
	memcpy(ip + 8, s->src, 16);
	memcpy(ip + 24, s->dst, 16);
	memcpy(ip + 40, l4, l4len);
	return l3 + 40 + l4len;
}

static size_t mk_udp(uint8_t *f, const struct spec *s, uint16_t sport, uint16_t dport,
		     const void *pl, size_t plen)
{
	uint8_t u[1600];
	set16(u, sport);
	set16(u + 2, dport);
	set16(u + 4, (uint16_t)(8 + plen));
	set16(u + 6, 0);
	memcpy(u + 8, pl, plen);
	uint16_t c = ref_l4(s->family, s->src, s->dst, 17, u, 8 + plen);
	set16(u + 6, c ? c : 0xffff);
	return mk_ip(f, s, 17, u, 8 + plen);
}

/* ICMP (v4) or ICMPv6: type, code, checksum, then body. */
static size_t mk_icmp(uint8_t *f, const struct spec *s, uint8_t type, uint8_t code,
		      const void *body, size_t blen)
{
	uint8_t m[1600];
	uint8_t proto = s->family == AF_INET ? 1 : 58;
	m[0] = type;
	m[1] = code;
	set16(m + 2, 0);
	memcpy(m + 4, body, blen);
	set16(m + 2, ref_l4(s->family, s->src, s->dst, proto, m, 4 + blen));
	return mk_ip(f, s, proto, m, 4 + blen);
}

/* identifier, sequence number, data */
static const uint8_t ECHO_BODY[12] = {
	0x12, 0x34, 0x00, 0x01, 'p', 'i', 'n', 'g', 'd', 'a', 't', 'a',
};

/* NS/NA body after the checksum: flags (NA) or reserved, target, one link-layer
 * option of type opt (0: none) with mac. */
static size_t nd_body(uint8_t *b, uint8_t flags, const uint8_t *target, uint8_t opt,
		      const uint8_t *mac)
{
	memset(b, 0, 20);
	b[0] = flags;
	memcpy(b + 4, target, 16);
	if (!opt)
		return 20;
	b[20] = opt;
	b[21] = 1;
	memcpy(b + 22, mac, 6);
	return 28;
}

static size_t mk_ns(uint8_t *f, const struct spec *s, const uint8_t *target, bool slla)
{
	uint8_t b[64];
	size_t n = nd_body(b, 0, target, slla ? 1 : 0, s->smac);
	return mk_icmp(f, s, 135, 0, b, n);
}

static size_t mk_na(uint8_t *f, const struct spec *s, uint8_t flags, const uint8_t *target,
		    const uint8_t *tlla)
{
	uint8_t b[64];
	size_t n = nd_body(b, flags, target, tlla ? 2 : 0, tlla);
	return mk_icmp(f, s, 136, 0, b, n);
}

/* An NS from the client to our global address's solicited-node group. */
static struct spec ns_spec(const uint8_t *src, const uint8_t *target, uint8_t g[16],
			   uint8_t gmac[6])
{
	snm(target, g, gmac);
	struct spec s = v6();
	s.dmac = gmac;
	s.src = src;
	s.dst = g;
	s.ttl = 255;
	return s;
}

static size_t mk_arp(uint8_t *f, const struct spec *s, uint16_t op, const uint8_t *sha,
		     const uint8_t *spa, const uint8_t *tha, const uint8_t *tpa)
{
	size_t l3 = mk_l2(f, s, 0x0806);
	uint8_t *a = f + l3;
	set16(a, 1);
	set16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	set16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, tpa, 4);
	return l3 + 28;
}

static size_t arp_request(uint8_t *f, const uint8_t *smac, const uint8_t *spa, const uint8_t *tpa)
{
	struct spec s = v4();
	s.dmac = MAC_BCAST;
	s.smac = smac;
	return mk_arp(f, &s, 1, smac, spa, MAC_ZERO, tpa);
}

static enum tw_net_verdict input(struct tw_net_ctx *ctx, uint8_t *f, size_t n, uint64_t now,
				 struct tw_net_pkt *p)
{
	return tw_net_input(ctx, f, n, 2048, now, p);
}

static void assert_drop(struct tw_net_ctx *ctx, uint8_t *f, size_t n, enum tw_net_drop why)
{
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_DROP);
	if (p.drop != why)
		fail_msg("drop %s, expected %s", tw_net_drop_str(p.drop), tw_net_drop_str(why));
}

static void assert_exception(struct tw_net_ctx *ctx, uint8_t *f, size_t n,
			     enum tw_net_exception what)
{
	struct tw_net_pkt p;
	enum tw_net_verdict v = input(ctx, f, n, NOW, &p);
	if (v != TW_NET_EXCEPTION || p.exception != what)
		fail_msg("verdict %d (drop %s), expected exception %s", v, tw_net_drop_str(p.drop),
			 tw_net_exception_str(what));
}

static void assert_neigh(struct tw_net_ctx *ctx, int family, const uint8_t *ip, uint64_t now,
			 const uint8_t *mac)
{
	uint8_t got[6];
	assert_int_equal(tw_net_neigh_lookup(ctx, family, ip, now, got), 0);
	assert_memory_equal(got, mac, 6);
}

static void assert_no_neigh(struct tw_net_ctx *ctx, int family, const uint8_t *ip, uint64_t now)
{
	uint8_t got[6];
	assert_int_equal(tw_net_neigh_lookup(ctx, family, ip, now, got), -TW_ENOENT);
}

/* Walks a frame we sent (tags, IP) and checks every checksum in it with the
 * reference; returns the L3 offset and sets *et. */
static size_t check_sums(const uint8_t *f, size_t n, uint16_t *et)
{
	size_t off = 12;
	*et = get16(f + off);
	while (*et == 0x8100 || *et == 0x88a8) {
		off += 4;
		*et = get16(f + off);
	}
	size_t l3 = off + 2;
	const uint8_t *ip = f + l3;
	if (*et == 0x0800) {
		size_t hl = (ip[0] & 15) * 4u, tot = get16(ip + 2);
		assert_true(l3 + tot <= n);
		assert_int_equal(ref_fold(ref_add(0, ip, hl)), 0xffff);
		if (ip[9] == 1)
			assert_int_equal(ref_fold(ref_add(0, ip + hl, tot - hl)), 0xffff);
		if (ip[9] == 17)
			assert_int_equal(ref_l4(AF_INET, ip + 12, ip + 16, 17, ip + hl, tot - hl), 0);
	} else if (*et == 0x86dd) {
		size_t plen = get16(ip + 4);
		assert_true(l3 + 40 + plen <= n);
		assert_int_equal(ref_l4(AF_INET6, ip + 8, ip + 24, ip[6], ip + 40, plen), 0);
	}
	return l3;
}

/* ---- checksum helpers --------------------------------------------------------------- */

static void test_csum_matches_reference_at_every_length_and_alignment(void **state)
{
	(void)state;
	uint8_t buf[300];
	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len <= 280; len++) {
			uint16_t c = tw_csum_fold(tw_csum_partial(buf + off, len, 0));
			uint8_t b[2];
			memcpy(b, &c, 2);
			assert_int_equal(get16(b), (uint16_t)~ref_fold(ref_add(0, buf + off, len)));
		}
	}
	/* all ones: sums that overflow every stage */
	memset(buf, 0xff, sizeof(buf));
	uint16_t c = tw_csum_fold(tw_csum_partial(buf, 257, 0xffff));
	uint8_t b[2];
	memcpy(b, &c, 2);
	assert_int_equal(get16(b), (uint16_t)~ref_fold(ref_add(0xffff, buf, 257)));
}

static void test_csum_adjust_equals_recomputation(void **state)
{
	(void)state;
	uint8_t m[64];
	srand(11);
	for (int round = 0; round < 1000; round++) {
		for (size_t i = 0; i < sizeof(m); i++)
			m[i] = (uint8_t)rand();
		m[2] = m[3] = 0;
		uint16_t c = tw_csum_fold(tw_csum_partial(m, sizeof(m), 0));
		memcpy(m + 2, &c, 2);
		size_t w = 2 * (size_t)(rand() % 32);
		if (w == 2)
			w = 0;
		uint16_t old_w, new_w;
		memcpy(&old_w, m + w, 2);
		m[w] = (uint8_t)rand();
		m[w + 1] = (uint8_t)rand();
		memcpy(&new_w, m + w, 2);
		memcpy(&c, m + 2, 2);
		c = tw_csum_adjust(c, old_w, new_w);
		memcpy(m + 2, &c, 2);
		assert_int_equal(ref_fold(ref_add(0, m, sizeof(m))), 0xffff);
	}
}

/* ---- ARP (RFC 826) ------------------------------------------------------------------ */

static void test_arp_request_for_us_gets_exact_reply_and_teaches_sender(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	size_t n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	memset(f + n, 0xaa, 60 - n); /* padding from the sender's NIC */
	struct tw_net_pkt p;
	assert_no_neigh(ctx, AF_INET, CLIENT4, NOW);
	assert_int_equal(input(ctx, f, 60, NOW, &p), TW_NET_REPLY);
	assert_int_equal(p.reply_len, 60);
	static const uint8_t want[60] = {
		0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x02,
		0x02, 0, 0, 0, 0, 0x01, 192, 0, 2, 1,
		0x02, 0, 0, 0, 0, 0x02, 192, 0, 2, 10,
		/* 18 octets of zero padding */
	};
	assert_memory_equal(f, want, 60);
	assert_neigh(ctx, AF_INET, CLIENT4, NOW, MAC_CLIENT);
	tw_net_ctx_free(ctx);
}

static void test_arp_for_another_address_is_dropped_but_refreshes_a_known_sender(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	static const uint8_t moved[6] = { 0x02, 0, 0, 0, 0, 0x22 };
	size_t n = arp_request(f, MAC_CLIENT, CLIENT4, OTHER4);
	assert_drop(ctx, f, n, TW_NET_DROP_ARP_NOT_US);
	assert_no_neigh(ctx, AF_INET, CLIENT4, NOW); /* unknown senders are not added */

	n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	/* RFC 826 merge: the client's new MAC, announced to someone else */
	n = arp_request(f, moved, CLIENT4, OTHER4);
	assert_int_equal(input(ctx, f, n, NOW + 1000, &p), TW_NET_DROP);
	assert_int_equal(p.drop, TW_NET_DROP_ARP_NOT_US);
	assert_neigh(ctx, AF_INET, CLIENT4, NOW + 1000, moved);
	tw_net_ctx_free(ctx);
}

static void test_arp_reply_to_us_teaches_and_is_consumed(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v4();
	s.smac = MAC_UP;
	size_t n = mk_arp(f, &s, 2, MAC_UP, UP4, MAC_US, US4);
	assert_drop(ctx, f, n, TW_NET_DROP_CONSUMED);
	assert_neigh(ctx, AF_INET, UP4, NOW, MAC_UP);
	tw_net_ctx_free(ctx);
}

static void test_arp_from_outside_our_prefix_is_answered_not_learned(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	size_t n = arp_request(f, MAC_CLIENT, FAR4, US4);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_no_neigh(ctx, AF_INET, FAR4, NOW);
	tw_net_ctx_free(ctx);
}

static void test_arp_malformed_or_conflicting_is_dropped_with_its_reason(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	size_t n = arp_request(f, MAC_CLIENT, US4, OTHER4); /* claims our address */
	assert_drop(ctx, f, n, TW_NET_DROP_CONFLICT);

	n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	f[15] = 6; /* hardware type IEEE 802 */
	assert_drop(ctx, f, n, TW_NET_DROP_ARP_BAD);
	n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	f[21] = 3; /* RARP request */
	assert_drop(ctx, f, n, TW_NET_DROP_ARP_BAD);
	n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	memcpy(f, MAC_OTHER, 6); /* unicast to another host */
	assert_drop(ctx, f, n, TW_NET_DROP_DST_MAC);
	n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	assert_drop(ctx, f, n - 1, TW_NET_DROP_SHORT);
	tw_net_ctx_free(ctx);
}

/* ---- ICMP and ICMPv6 echo ----------------------------------------------------------- */

static void test_icmp_echo_gets_reply_with_valid_checksums(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v4();
	size_t n = mk_icmp(f, &s, 8, 0, ECHO_BODY, sizeof(ECHO_BODY));
	struct tw_net_pkt p;
	assert_int_equal(n, 50);
	memset(f + n, 0xaa, 10);
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_int_equal(p.reply_len, 60); /* padded with zeros */
	static const uint8_t zero[10];
	assert_memory_equal(f + n, zero, 10);
	assert_memory_equal(f, MAC_CLIENT, 6);
	assert_memory_equal(f + 6, MAC_US, 6);
	const uint8_t *ip = f + 14;
	assert_memory_equal(ip + 12, US4, 4);
	assert_memory_equal(ip + 16, CLIENT4, 4);
	assert_int_equal(ip[8], 64);
	assert_int_equal(ip[20], 0); /* type echo reply */
	assert_int_equal(ip[21], 0);
	assert_memory_equal(ip + 24, ECHO_BODY, sizeof(ECHO_BODY));
	uint16_t et;
	check_sums(f, p.reply_len, &et);
	assert_int_equal(et, 0x0800);

	n = mk_icmp(f, &s, 8, 0, ECHO_BODY, sizeof(ECHO_BODY));
	f[n - 1] ^= 1;
	assert_drop(ctx, f, n, TW_NET_DROP_ICMP_CSUM);
	n = mk_icmp(f, &s, 3, 3, ECHO_BODY, sizeof(ECHO_BODY)); /* port unreachable */
	assert_exception(ctx, f, n, TW_NET_EXC_ICMP);
	n = mk_icmp(f, &s, 8, 0, ECHO_BODY, 2); /* 6 octets: no room for id and sequence */
	assert_drop(ctx, f, n, TW_NET_DROP_ICMP_BAD);
	tw_net_ctx_free(ctx);
}

static void test_icmp6_echo_gets_reply_with_valid_checksum(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v6();
	size_t n = mk_icmp(f, &s, 128, 0, ECHO_BODY, sizeof(ECHO_BODY));
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_int_equal(p.reply_len, n);
	assert_memory_equal(f, MAC_CLIENT, 6);
	assert_memory_equal(f + 6, MAC_US, 6);
	const uint8_t *ip = f + 14;
	assert_int_equal(ip[7], 64);
	assert_memory_equal(ip + 8, US6, 16);
	assert_memory_equal(ip + 24, CLIENT6, 16);
	assert_int_equal(ip[40], 129);
	assert_memory_equal(ip + 44, ECHO_BODY, sizeof(ECHO_BODY));
	uint16_t et;
	check_sums(f, n, &et);

	/* to our link-local address from the client's */
	s.src = LL_CLIENT;
	s.dst = LL_US;
	n = mk_icmp(f, &s, 128, 0, ECHO_BODY, sizeof(ECHO_BODY));
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_memory_equal(f + 14 + 8, LL_US, 16);
	check_sums(f, n, &et);

	s = v6();
	n = mk_icmp(f, &s, 128, 0, ECHO_BODY, sizeof(ECHO_BODY));
	f[14 + 8] ^= 0x40; /* the source changed: the pseudo-header sum no longer holds */
	assert_drop(ctx, f, n, TW_NET_DROP_ICMP6_CSUM);
	/* echo to all-nodes is the kernel's call */
	s.dst = ALL_NODES;
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	s.dmac = all_mac;
	n = mk_icmp(f, &s, 128, 0, ECHO_BODY, sizeof(ECHO_BODY));
	assert_exception(ctx, f, n, TW_NET_EXC_ICMP);
	s = v6();
	n = mk_icmp(f, &s, 2, 0, ECHO_BODY, sizeof(ECHO_BODY)); /* packet too big */
	assert_exception(ctx, f, n, TW_NET_EXC_ICMP);
	s.src = UNSPEC; /* only DAD solicitations come from :: */
	n = mk_icmp(f, &s, 128, 0, ECHO_BODY, sizeof(ECHO_BODY));
	assert_drop(ctx, f, n, TW_NET_DROP_SRC_ADDR);
	s = v6();
	n = mk_icmp(f, &s, 128, 0, ECHO_BODY, 2); /* no room for id and sequence */
	assert_drop(ctx, f, n, TW_NET_DROP_ICMP_BAD);
	tw_net_ctx_free(ctx);
}

/* ---- neighbour discovery (RFC 4861) ------------------------------------------------- */

/* The advertisement we answered with: to (dmac, dst) from target, flags, our
 * target link-layer option, valid checksum. */
static void check_na(const uint8_t *f, size_t n, const uint8_t *dmac, const uint8_t *dst,
		     const uint8_t *target, uint8_t flags)
{
	assert_int_equal(n, 14 + 40 + 32);
	assert_memory_equal(f, dmac, 6);
	assert_memory_equal(f + 6, MAC_US, 6);
	assert_int_equal(get16(f + 12), 0x86dd);
	const uint8_t *ip = f + 14, *ic = ip + 40;
	assert_int_equal(ip[0] >> 4, 6);
	assert_int_equal(get16(ip + 4), 32);
	assert_int_equal(ip[6], 58);
	assert_int_equal(ip[7], 255);
	assert_memory_equal(ip + 8, target, 16);
	assert_memory_equal(ip + 24, dst, 16);
	assert_int_equal(ic[0], 136);
	assert_int_equal(ic[1], 0);
	assert_int_equal(ic[4], flags);
	assert_memory_equal(ic + 8, target, 16);
	static const uint8_t opt[2] = { 2, 1 };
	assert_memory_equal(ic + 24, opt, 2);
	assert_memory_equal(ic + 26, MAC_US, 6);
	assert_int_equal(ref_l4(AF_INET6, ip + 8, ip + 24, 58, ic, 32), 0);
}

static void test_ns_for_global_address_gets_solicited_na_and_teaches_sender(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048], g[16], gmac[6];
	struct spec s = ns_spec(CLIENT6, US6, g, gmac);
	assert_int_equal(gmac[5], 0x01);
	assert_int_equal(gmac[3], 0x0a);
	size_t n = mk_ns(f, &s, US6, true);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	check_na(f, p.reply_len, MAC_CLIENT, CLIENT6, US6, 0x60); /* S and O */
	assert_neigh(ctx, AF_INET6, CLIENT6, NOW, MAC_CLIENT);
	tw_net_ctx_free(ctx);
}

static void test_ns_for_link_local_via_solicited_node_group_gets_na(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048], g[16], gmac[6];
	struct spec s = ns_spec(LL_CLIENT, LL_US, g, gmac);
	static const uint8_t want_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 0x01 };
	assert_memory_equal(gmac, want_mac, 6);
	size_t n = mk_ns(f, &s, LL_US, true);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	check_na(f, p.reply_len, MAC_CLIENT, LL_CLIENT, LL_US, 0x60);
	assert_neigh(ctx, AF_INET6, LL_CLIENT, NOW, MAC_CLIENT);

	/* a group of an address we do not have */
	s = ns_spec(LL_CLIENT, OTHER6, g, gmac);
	n = mk_ns(f, &s, OTHER6, true);
	assert_drop(ctx, f, n, TW_NET_DROP_NOT_US);
	/* the group's MAC not matching the group */
	s = ns_spec(LL_CLIENT, LL_US, g, gmac);
	gmac[5] ^= 1;
	n = mk_ns(f, &s, LL_US, true);
	assert_drop(ctx, f, n, TW_NET_DROP_DST_MAC);
	tw_net_ctx_free(ctx);
}

static void test_ns_for_dad_gets_na_to_all_nodes_without_s(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048], g[16], gmac[6];
	struct spec s = ns_spec(UNSPEC, US6, g, gmac);
	size_t n = mk_ns(f, &s, US6, false);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	check_na(f, p.reply_len, all_mac, ALL_NODES, US6, 0x20); /* O only */

	/* RFC 4861 §7.1.1: no source link-layer option from the unspecified address */
	n = mk_ns(f, &s, US6, true);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	/* nor to a unicast destination */
	s.dst = US6;
	s.dmac = MAC_US;
	n = mk_ns(f, &s, US6, false);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	tw_net_ctx_free(ctx);
}

static void test_nd_with_hop_limit_below_255_is_dropped(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048], g[16], gmac[6];
	struct spec s = ns_spec(CLIENT6, US6, g, gmac);
	s.ttl = 64;
	size_t n = mk_ns(f, &s, US6, true);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_HOP_LIMIT);
	assert_no_neigh(ctx, AF_INET6, CLIENT6, NOW);
	s = v6();
	s.ttl = 254;
	n = mk_na(f, &s, 0x60, CLIENT6, MAC_CLIENT);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_HOP_LIMIT);
	assert_no_neigh(ctx, AF_INET6, CLIENT6, NOW);
	tw_net_ctx_free(ctx);
}

static void test_ns_malformed_or_for_another_target_is_dropped(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048], b[64];
	struct spec s = v6();
	s.ttl = 255;
	size_t n = mk_ns(f, &s, OTHER6, true);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_NOT_US);

	size_t bl = nd_body(b, 0, US6, 1, MAC_CLIENT);
	b[21] = 0; /* option of length zero */
	n = mk_icmp(f, &s, 135, 0, b, bl);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	bl = nd_body(b, 0, US6, 1, MAC_CLIENT);
	b[21] = 2; /* option running past the message */
	n = mk_icmp(f, &s, 135, 0, b, bl);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	n = mk_ns(f, &s, ALL_NODES, true); /* multicast target */
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	bl = nd_body(b, 0, US6, 1, MAC_CLIENT);
	n = mk_icmp(f, &s, 135, 1, b, bl); /* code 1 */
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	n = mk_icmp(f, &s, 135, 0, b, 16); /* 20 octets: short of the target */
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	n = mk_ns(f, &s, US6, true);
	f[n - 1] ^= 0xff;
	assert_drop(ctx, f, n, TW_NET_DROP_ICMP6_CSUM);
	tw_net_ctx_free(ctx);
}

static void test_ns_without_source_option_needs_room_to_grow(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v6();
	s.ttl = 255;
	size_t n = mk_ns(f, &s, US6, false); /* unicast NUD probe: 78 octets */
	assert_int_equal(n, 78);
	struct tw_net_pkt p;
	assert_int_equal(tw_net_input(ctx, f, n, n, NOW, &p), TW_NET_DROP);
	assert_int_equal(p.drop, TW_NET_DROP_NO_ROOM);
	assert_int_equal(tw_net_input(ctx, f, n, 86, NOW, &p), TW_NET_REPLY);
	check_na(f, p.reply_len, MAC_CLIENT, CLIENT6, US6, 0x60);
	assert_no_neigh(ctx, AF_INET6, CLIENT6, NOW); /* no option, nothing learned */
	tw_net_ctx_free(ctx);
}

static void test_na_teaches_target_and_is_consumed(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v6();
	s.smac = MAC_UP;
	s.src = UP6;
	s.ttl = 255;
	size_t n = mk_na(f, &s, 0x60, UP6, MAC_UP);
	assert_drop(ctx, f, n, TW_NET_DROP_CONSUMED);
	assert_neigh(ctx, AF_INET6, UP6, NOW, MAC_UP);

	/* unsolicited to all-nodes: refreshes what is known, adds nothing */
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const uint8_t moved[6] = { 0x02, 0, 0, 0, 0, 0x54 };
	s.dst = ALL_NODES;
	s.dmac = all_mac;
	n = mk_na(f, &s, 0x20, UP6, moved);
	assert_drop(ctx, f, n, TW_NET_DROP_CONSUMED);
	assert_neigh(ctx, AF_INET6, UP6, NOW, moved);
	n = mk_na(f, &s, 0x20, CLIENT6, MAC_CLIENT);
	assert_drop(ctx, f, n, TW_NET_DROP_CONSUMED);
	assert_no_neigh(ctx, AF_INET6, CLIENT6, NOW);
	/* RFC 4861 §7.1.2: S on a multicast advertisement */
	n = mk_na(f, &s, 0x60, UP6, MAC_UP);
	assert_drop(ctx, f, n, TW_NET_DROP_ND_BAD);
	/* someone advertising our address */
	s = v6();
	s.ttl = 255;
	n = mk_na(f, &s, 0x20, US6, MAC_CLIENT);
	assert_drop(ctx, f, n, TW_NET_DROP_CONFLICT);
	tw_net_ctx_free(ctx);
}

/* ---- UDP ---------------------------------------------------------------------------- */

static const char QUERY[] = "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
			    "\x07" "example" "\x03" "com" "\x00\x00\x01\x00\x01";
#define QLEN (sizeof(QUERY) - 1)

static void test_udp4_to_us_is_parsed_with_offsets(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v4();
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.family, AF_INET);
	assert_memory_equal(p.src, CLIENT4, 16);
	assert_memory_equal(p.dst, US4, 16);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.l3, 14);
	assert_int_equal(p.l4, 34);
	assert_int_equal(p.payload, 42);
	assert_int_equal(p.payload_len, QLEN);
	assert_memory_equal(f + p.payload, QUERY, QLEN);
	assert_memory_equal(p.src_mac, MAC_CLIENT, 6);
	assert_memory_equal(p.dst_mac, MAC_US, 6);
	assert_int_equal(p.tags, 0);
	assert_int_equal(p.hop_limit, 57);

	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	f[n - 1] ^= 1;
	assert_drop(ctx, f, n, TW_NET_DROP_UDP_CSUM);
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	f[14 + 8] ^= 1; /* TTL, header checksum not updated */
	assert_drop(ctx, f, n, TW_NET_DROP_IP4_CSUM);
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	set16(f + 34 + 6, 0); /* RFC 768: no checksum */
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.payload_len, QLEN);
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	set16(f + 34 + 4, (uint16_t)(8 + QLEN + 1)); /* UDP longer than the IP payload */
	assert_drop(ctx, f, n, TW_NET_DROP_UDP_BAD);
	n = mk_udp(f, &s, 0, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_UDP_BAD);
	tw_net_ctx_free(ctx);
}

static void test_udp6_to_us_is_parsed_and_zero_checksum_refused(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v6();
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.family, AF_INET6);
	assert_memory_equal(p.src, CLIENT6, 16);
	assert_memory_equal(p.dst, US6, 16);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.l3, 14);
	assert_int_equal(p.l4, 54);
	assert_int_equal(p.payload, 62);
	assert_int_equal(p.payload_len, QLEN);
	assert_int_equal(p.hop_limit, 61);

	set16(f + 54 + 6, 0);
	assert_drop(ctx, f, n, TW_NET_DROP_UDP_CSUM_ZERO);
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	f[n - 3] ^= 0x10;
	assert_drop(ctx, f, n, TW_NET_DROP_UDP_CSUM);
	/* to our link-local address */
	s.src = LL_CLIENT;
	s.dst = LL_US;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	tw_net_ctx_free(ctx);
}

static void test_padded_short_frame_is_accepted(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v4();
	size_t n = mk_udp(f, &s, 40000, 53, "hi", 2);
	assert_int_equal(n, 44);
	memset(f + n, 0xee, 60 - n);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, 60, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.payload_len, 2);
	/* the same over IPv6 with trailing octets */
	s = v6();
	n = mk_udp(f, &s, 40000, 53, "hi", 2);
	memset(f + n, 0xee, 16);
	assert_int_equal(input(ctx, f, n + 16, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.payload_len, 2);
	/* and an echo request padded */
	s = v4();
	n = mk_icmp(f, &s, 8, 0, ECHO_BODY, 4);
	memset(f + n, 0xee, 60 - n);
	assert_int_equal(input(ctx, f, 60, NOW, &p), TW_NET_REPLY);
	uint16_t et;
	check_sums(f, p.reply_len, &et);
	tw_net_ctx_free(ctx);
}

/* ---- VLANs -------------------------------------------------------------------------- */

static void test_vlan_port_takes_its_tag_and_replies_keep_it(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = ctx_for(MAC_US, US4, US6, 100, 0, 0);
	uint8_t f[2048];
	struct spec s = v4();
	s.tags = 1;
	s.tci = 0xa000 | 100; /* PCP 5 */
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.tags, 1);
	assert_int_equal(p.tci, 0xa000 | 100);
	assert_int_equal(p.l3, 18);
	assert_int_equal(p.payload, 46);
	size_t rn = tw_net_udp_reply(&p, f, (uint16_t)QLEN);
	static const uint8_t tag[4] = { 0x81, 0x00, 0xa0, 100 };
	assert_memory_equal(f + 12, tag, 4);
	uint16_t et;
	check_sums(f, rn, &et);
	assert_int_equal(et, 0x0800);

	n = mk_icmp(f, &s, 8, 0, ECHO_BODY, sizeof(ECHO_BODY));
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_memory_equal(f + 12, tag, 4);
	n = mk_arp(f, &s, 1, MAC_CLIENT, CLIENT4, MAC_ZERO, US4);
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_memory_equal(f + 12, tag, 4);
	assert_int_equal(get16(f + 16), 0x0806);
	assert_int_equal(get16(f + 18 + 6), 2);

	s.tci = 200;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_VLAN);
	s.tags = 0;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_VLAN);
	tw_net_ctx_free(ctx);

	/* an untagged port: tagged frames are not ours, priority tags (VID 0) are */
	ctx = server();
	s.tags = 1;
	s.tci = 100;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_VLAN);
	s.tci = 0x6000;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.tci, 0x6000);
	tw_net_ctx_free(ctx);
}

static void test_qinq_port_takes_both_tags(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = ctx_for(MAC_US, US4, US6, 100, 10, 0);
	uint8_t f[2048];
	struct spec s = v6();
	s.tags = 2;
	s.outer = 10;
	s.tci = 0x2000 | 100;
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.tags, 2);
	assert_int_equal(p.outer_tci, 10);
	assert_int_equal(p.tci, 0x2000 | 100);
	assert_int_equal(p.l3, 22);
	size_t rn = tw_net_udp_reply(&p, f, (uint16_t)QLEN);
	static const uint8_t tags[8] = { 0x88, 0xa8, 0, 10, 0x81, 0x00, 0x20, 100 };
	assert_memory_equal(f + 12, tags, 8);
	uint16_t et;
	check_sums(f, rn, &et);
	assert_int_equal(et, 0x86dd);

	s.outer = 11;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_VLAN);
	s.tags = 1;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_VLAN);
	tw_net_ctx_free(ctx);

	/* an 802.1ad tag on a plain 802.1Q port */
	ctx = ctx_for(MAC_US, US4, US6, 100, 0, 0);
	s.tags = 2;
	s.outer = 10;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_VLAN);
	tw_net_ctx_free(ctx);
}

/* ---- exceptions and drops ----------------------------------------------------------- */

static void test_traffic_for_the_kernel_is_an_exception(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048], seg[40] = { 0 };
	struct spec s = v4();
	s.frag = 0x2000; /* MF */
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_exception(ctx, f, n, TW_NET_EXC_IP4_FRAG);
	s.frag = 0x0010; /* a later fragment */
	n = mk_ip(f, &s, 17, seg, sizeof(seg));
	assert_exception(ctx, f, n, TW_NET_EXC_IP4_FRAG);
	s = v4();
	n = mk_ip(f, &s, 6, seg, sizeof(seg));
	assert_exception(ctx, f, n, TW_NET_EXC_TCP);
	n = mk_ip(f, &s, 47, seg, sizeof(seg)); /* GRE */
	assert_exception(ctx, f, n, TW_NET_EXC_PROTO);
	s.ihl = 6;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_exception(ctx, f, n, TW_NET_EXC_IP4_OPTIONS);

	s = v6();
	n = mk_ip(f, &s, 6, seg, sizeof(seg));
	assert_exception(ctx, f, n, TW_NET_EXC_TCP);
	n = mk_ip(f, &s, 44, seg, sizeof(seg)); /* fragment header */
	assert_exception(ctx, f, n, TW_NET_EXC_IP6_EXT);
	n = mk_ip(f, &s, 0, seg, sizeof(seg)); /* hop-by-hop */
	assert_exception(ctx, f, n, TW_NET_EXC_IP6_EXT);
	n = mk_ip(f, &s, 132, seg, sizeof(seg)); /* SCTP */
	assert_exception(ctx, f, n, TW_NET_EXC_PROTO);

	/* LLDP to its link-local group */
	static const uint8_t lldp[6] = { 0x01, 0x80, 0xc2, 0, 0, 0x0e };
	s.dmac = lldp;
	n = mk_l2(f, &s, 0x88cc);
	memset(f + n, 0, 46);
	assert_exception(ctx, f, n + 46, TW_NET_EXC_ETHERTYPE);
	tw_net_ctx_free(ctx);

	/* a port without IPv6 */
	struct tw_net_if_conf c;
	tw_net_if_conf_init(&c);
	memcpy(c.mac, MAC_US, 6);
	memcpy(c.ip4, US4, 4);
	c.ip4_prefix = 24;
	ctx = tw_net_ctx_new(&c, NULL, 0);
	assert_non_null(ctx);
	s = v6();
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_exception(ctx, f, n, TW_NET_EXC_FAMILY_OFF);
	tw_net_ctx_free(ctx);
}

static void test_frames_not_for_us_or_malformed_are_dropped_with_reason(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	struct spec s = v4();
	s.dst = OTHER4;
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_NOT_US);
	s = v4();
	s.dmac = MAC_OTHER;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_DST_MAC);
	s.dmac = MAC_BCAST; /* IPv4 takes no broadcast */
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_DST_MAC);
	s = v4();
	s.smac = MAC_BCAST;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_SRC_MAC);
	s.smac = MAC_US; /* our own frame back: a loop */
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_SRC_MAC);

	/* sources we must never answer (a reflected answer would go to many) */
	static const uint8_t bcast4[4] = { 255, 255, 255, 255 }, subnet_bcast[4] = { 192, 0, 2, 255 },
			     loop4[4] = { 127, 0, 0, 1 }, mcast4[4] = { 224, 0, 0, 251 };
	const uint8_t *bad_src[] = { bcast4, subnet_bcast, loop4, mcast4, US4 };
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		s = v4();
		s.src = bad_src[i];
		n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
		assert_drop(ctx, f, n, TW_NET_DROP_SRC_ADDR);
	}
	s = v6();
	static const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 10 };
	const uint8_t *bad_src6[] = { ALL_NODES, US6, LL_US, mapped, UNSPEC };
	for (size_t i = 0; i < sizeof(bad_src6) / sizeof(bad_src6[0]); i++) {
		s.src = bad_src6[i];
		n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
		assert_drop(ctx, f, n, TW_NET_DROP_SRC_ADDR);
	}

	/* IPv4 header fields */
	s = v4();
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	f[14] = 0x55; /* version 5 */
	assert_drop(ctx, f, n, TW_NET_DROP_IP4_HDR);
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	f[14] = 0x44; /* IHL 4 */
	assert_drop(ctx, f, n, TW_NET_DROP_IP4_HDR);
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n - 1, TW_NET_DROP_IP4_HDR); /* total length past the frame */
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	set16(f + 16, 19); /* total length inside the header */
	assert_drop(ctx, f, n, TW_NET_DROP_IP4_HDR);

	/* IPv6 */
	s = v6();
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n - 1, TW_NET_DROP_IP6_HDR);
	f[14] = 0x40;
	assert_drop(ctx, f, n, TW_NET_DROP_IP6_HDR);
	s.dst = OTHER6;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_NOT_US);
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	static const uint8_t ar_mac[6] = { 0x33, 0x33, 0, 0, 0, 2 };
	s.dst = all_routers;
	s.dmac = ar_mac;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_NOT_US);
	s.dst = ALL_NODES; /* UDP to all-nodes: we join groups for ND only */
	s.dmac = ar_mac;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_DST_MAC); /* and its MAC does not match */
	static const uint8_t an_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	s.dmac = an_mac;
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_drop(ctx, f, n, TW_NET_DROP_NOT_US);

	/* frames shorter than Ethernet */
	assert_drop(ctx, f, 0, TW_NET_DROP_SHORT);
	assert_drop(ctx, f, 13, TW_NET_DROP_SHORT);
	tw_net_ctx_free(ctx);
}

/* Every valid frame of every kind, cut short at every length, into a buffer of
 * exactly that length (ASan sees any read past it): always a drop. */
static void test_truncated_frames_at_every_length_are_dropped(void **state)
{
	(void)state;
	struct tw_net_ctx *plain = server(), *tagged = ctx_for(MAC_US, US4, US6, 100, 0, 0),
			  *qinq = ctx_for(MAC_US, US4, US6, 100, 10, 0);
	struct {
		uint8_t f[256];
		size_t n;
		struct tw_net_ctx *ctx;
	} k[16];
	unsigned nk = 0;
	uint8_t g[16], gmac[6];
	struct spec s;

	k[nk].n = arp_request(k[nk].f, MAC_CLIENT, CLIENT4, US4), k[nk++].ctx = plain;
	s = v4();
	k[nk].n = mk_arp(k[nk].f, &s, 2, MAC_UP, UP4, MAC_US, US4), k[nk++].ctx = plain;
	k[nk].n = mk_icmp(k[nk].f, &s, 8, 0, ECHO_BODY, sizeof(ECHO_BODY)), k[nk++].ctx = plain;
	k[nk].n = mk_udp(k[nk].f, &s, 40000, 53, QUERY, QLEN), k[nk++].ctx = plain;
	s = v6();
	k[nk].n = mk_icmp(k[nk].f, &s, 128, 0, ECHO_BODY, sizeof(ECHO_BODY)), k[nk++].ctx = plain;
	k[nk].n = mk_udp(k[nk].f, &s, 40000, 53, QUERY, QLEN), k[nk++].ctx = plain;
	s.ttl = 255;
	k[nk].n = mk_na(k[nk].f, &s, 0x60, CLIENT6, MAC_CLIENT), k[nk++].ctx = plain;
	s = ns_spec(CLIENT6, US6, g, gmac);
	k[nk].n = mk_ns(k[nk].f, &s, US6, true), k[nk++].ctx = plain;
	s = ns_spec(LL_CLIENT, LL_US, g, gmac);
	k[nk].n = mk_ns(k[nk].f, &s, LL_US, true), k[nk++].ctx = plain;
	s = v4();
	s.tags = 1;
	s.tci = 100;
	k[nk].n = mk_udp(k[nk].f, &s, 40000, 53, QUERY, QLEN), k[nk++].ctx = tagged;
	k[nk].n = mk_arp(k[nk].f, &s, 1, MAC_CLIENT, CLIENT4, MAC_ZERO, US4), k[nk++].ctx = tagged;
	s = v6();
	s.tags = 2;
	s.outer = 10;
	s.tci = 100;
	k[nk].n = mk_udp(k[nk].f, &s, 40000, 53, QUERY, QLEN), k[nk++].ctx = qinq;

	for (unsigned i = 0; i < nk; i++) {
		struct tw_net_pkt p;
		uint8_t full[256];
		memcpy(full, k[i].f, k[i].n);
		enum tw_net_verdict v = tw_net_input(k[i].ctx, full, k[i].n, k[i].n, NOW, &p);
		assert_true(v != TW_NET_DROP || p.drop == TW_NET_DROP_CONSUMED);
		for (size_t len = 0; len < k[i].n; len++) {
			uint8_t *b = malloc(len ? len : 1);
			assert_non_null(b);
			memcpy(b, k[i].f, len);
			v = tw_net_input(k[i].ctx, b, len, len, NOW, &p);
			if (v != TW_NET_DROP || p.drop == TW_NET_DROP_CONSUMED)
				fail_msg("frame %u cut at %zu of %zu: verdict %d drop %s", i, len,
					 k[i].n, v, tw_net_drop_str(p.drop));
			free(b);
		}
	}
	tw_net_ctx_free(plain);
	tw_net_ctx_free(tagged);
	tw_net_ctx_free(qinq);
}

/* ---- replies to clients ------------------------------------------------------------- */

static const char ANSWER[] = "an answer longer than the question it answers, as answers are: "
			     "0123456789abcdef0123456789abcdef";
#define ALEN (sizeof(ANSWER) - 1)

/* A query through the server, its answer through udp_reply, the reply through a
 * context configured as the client: what the client receives. */
static void round_trip(struct spec s, struct tw_net_ctx *srv, struct tw_net_ctx *cli)
{
	uint8_t f[2048];
	size_t n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	/* the query marked ECN CE, which the answer must not repeat */
	uint8_t *ip = f + 14 + 4 * s.tags;
	if (s.family == AF_INET) {
		ip[1] |= 0x03;
		set16(ip + 10, 0);
		set16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, 20)));
	} else {
		ip[1] |= 0x30;
	}
	struct tw_net_pkt q, r;
	assert_int_equal(input(srv, f, n, NOW, &q), TW_NET_UDP);
	memcpy(f + q.payload, ANSWER, ALEN);
	size_t rn = tw_net_udp_reply(&q, f, (uint16_t)ALEN);
	assert_int_equal(rn, q.payload + ALEN);
	assert_int_equal(input(cli, f, rn, NOW, &r), TW_NET_UDP);
	assert_int_equal(r.family, s.family);
	assert_memory_equal(r.src, s.dst, s.family == AF_INET ? 4 : 16);
	assert_memory_equal(r.dst, s.src, s.family == AF_INET ? 4 : 16);
	assert_int_equal(r.sport, 53);
	assert_int_equal(r.dport, 40000);
	assert_int_equal(r.payload_len, ALEN);
	assert_memory_equal(f + r.payload, ANSWER, ALEN);
	assert_memory_equal(r.src_mac, MAC_US, 6);
	assert_memory_equal(r.dst_mac, s.smac, 6);
	assert_int_equal(r.tags, s.tags);
	assert_int_equal(r.tci, s.tci);
	assert_int_equal(r.hop_limit, 64);
	uint16_t et;
	size_t l3 = check_sums(f, rn, &et);
	if (s.family == AF_INET) {
		assert_int_equal(get16(f + l3 + 6), 0x4000); /* DF */
		assert_int_equal(f[l3 + 1] & 0x03, 0);
	} else {
		assert_int_equal(f[l3 + 1] & 0x30, 0);
	}
}

static void test_udp_reply_round_trips_to_the_client(void **state)
{
	(void)state;
	struct tw_net_ctx *srv = server(), *cli = ctx_for(MAC_CLIENT, CLIENT4, CLIENT6, 0, 0, 0);
	round_trip(v4(), srv, cli);
	round_trip(v6(), srv, cli);
	struct spec s = v6();
	s.src = LL_CLIENT;
	s.dst = LL_US;
	round_trip(s, srv, cli);
	tw_net_ctx_free(srv);
	tw_net_ctx_free(cli);

	srv = ctx_for(MAC_US, US4, US6, 100, 0, 0);
	cli = ctx_for(MAC_CLIENT, CLIENT4, CLIENT6, 100, 0, 0);
	s = v4();
	s.tags = 1;
	s.tci = 0xe000 | 100;
	round_trip(s, srv, cli);
	s = v6();
	s.tags = 1;
	s.tci = 100;
	round_trip(s, srv, cli);
	tw_net_ctx_free(srv);
	tw_net_ctx_free(cli);
}

/* ---- datagrams to upstreams --------------------------------------------------------- */

/* Sends a datagram from srv to (family, dst) and has it read by rcv (when not
 * NULL); checks its headers and checksums either way. */
static void send_upstream(struct tw_net_ctx *srv, int family, const uint8_t *dst,
			  const uint8_t *next_mac, const uint8_t *src, struct tw_net_ctx *rcv)
{
	uint8_t f[2048];
	size_t hl;
	assert_int_equal(tw_net_udp_header(srv, family, dst, 51000, 53, NOW, f, sizeof(f), &hl), 0);
	assert_int_equal(hl, family == AF_INET ? 42 : 62);
	memcpy(f + hl, QUERY, QLEN);
	size_t n = tw_net_udp_finish(f, hl, QLEN);
	assert_int_equal(n, hl + QLEN);
	assert_memory_equal(f, next_mac, 6);
	assert_memory_equal(f + 6, MAC_US, 6);
	uint16_t et;
	size_t l3 = check_sums(f, n, &et);
	if (family == AF_INET) {
		assert_memory_equal(f + l3 + 12, src, 4);
		assert_memory_equal(f + l3 + 16, dst, 4);
		assert_int_equal(f[l3 + 8], 64);
	} else {
		assert_memory_equal(f + l3 + 8, src, 16);
		assert_memory_equal(f + l3 + 24, dst, 16);
		assert_int_equal(f[l3 + 7], 64);
	}
	if (!rcv)
		return;
	struct tw_net_pkt p;
	assert_int_equal(input(rcv, f, n, NOW, &p), TW_NET_UDP);
	assert_memory_equal(p.src, src, family == AF_INET ? 4 : 16);
	assert_int_equal(p.sport, 51000);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.payload_len, QLEN);
	assert_memory_equal(f + p.payload, QUERY, QLEN);
}

static void test_udp_header_v4_needs_the_next_hop_learned(void **state)
{
	(void)state;
	struct tw_net_ctx *srv = server(), *up = ctx_for(MAC_UP, UP4, UP6, 0, 0, 0);
	uint8_t f[2048];
	size_t hl;
	assert_int_equal(tw_net_udp_header(srv, AF_INET, UP4, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_ENOENT);
	assert_false(tw_net_neigh_known(srv, AF_INET, UP4, NOW));

	/* the ARP request, answered by the upstream, the answer learned */
	size_t n = tw_net_solicit(srv, AF_INET, UP4, f, sizeof(f));
	assert_int_equal(n, 60);
	static const uint8_t want[42] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06,
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
		0x02, 0, 0, 0, 0, 0x01, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 53,
	};
	assert_memory_equal(f, want, 42);
	struct tw_net_pkt p;
	assert_int_equal(input(up, f, n, NOW, &p), TW_NET_REPLY);
	assert_int_equal(input(srv, f, p.reply_len, NOW, &p), TW_NET_DROP);
	assert_int_equal(p.drop, TW_NET_DROP_CONSUMED);
	assert_true(tw_net_neigh_known(srv, AF_INET, UP4, NOW));
	send_upstream(srv, AF_INET, UP4, MAC_UP, US4, up);

	/* beyond the prefix: the gateway's MAC, learned from its ARP request */
	assert_int_equal(tw_net_udp_header(srv, AF_INET, FAR4, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_ENOENT);
	n = tw_net_solicit(srv, AF_INET, FAR4, f, sizeof(f));
	assert_int_equal(n, 60);
	assert_memory_equal(f + 38, GW4, 4); /* asks for the gateway */
	n = arp_request(f, MAC_GW, GW4, US4);
	assert_int_equal(input(srv, f, n, NOW, &p), TW_NET_REPLY);
	send_upstream(srv, AF_INET, FAR4, MAC_GW, US4, NULL);

	/* a buffer too small, a port 0, an unknown family */
	assert_int_equal(tw_net_udp_header(srv, AF_INET, UP4, 51000, 53, NOW, f, 41, &hl),
			 -TW_ENOSPC);
	assert_int_equal(tw_net_udp_header(srv, AF_INET, UP4, 0, 53, NOW, f, sizeof(f), &hl),
			 -TW_EINVAL);
	assert_int_equal(tw_net_udp_header(srv, AF_UNIX, UP4, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_EINVAL);
	assert_int_equal(tw_net_solicit(srv, AF_INET, UP4, f, 20), 0);
	tw_net_ctx_free(srv);
	tw_net_ctx_free(up);
}

static void test_udp_header_v6_needs_the_next_hop_learned(void **state)
{
	(void)state;
	struct tw_net_ctx *srv = server(), *up = ctx_for(MAC_UP, UP4, UP6, 0, 0, 0);
	uint8_t f[2048];
	size_t hl;
	assert_int_equal(tw_net_udp_header(srv, AF_INET6, UP6, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_ENOENT);

	/* the solicitation, answered by the upstream's advertisement, learned */
	size_t n = tw_net_solicit(srv, AF_INET6, UP6, f, sizeof(f));
	assert_int_equal(n, 86);
	uint8_t g[16], gmac[6];
	snm(UP6, g, gmac);
	assert_memory_equal(f, gmac, 6);
	const uint8_t *ip = f + 14, *ic = ip + 40;
	assert_int_equal(ip[7], 255);
	assert_memory_equal(ip + 8, US6, 16);
	assert_memory_equal(ip + 24, g, 16);
	assert_int_equal(ic[0], 135);
	assert_memory_equal(ic + 8, UP6, 16);
	assert_int_equal(ic[24], 1);
	assert_int_equal(ic[25], 1);
	assert_memory_equal(ic + 26, MAC_US, 6);
	uint16_t et;
	check_sums(f, n, &et);
	struct tw_net_pkt p;
	assert_int_equal(input(up, f, n, NOW, &p), TW_NET_REPLY);
	assert_memory_equal(f, MAC_US, 6);
	assert_int_equal(input(srv, f, p.reply_len, NOW, &p), TW_NET_DROP);
	assert_int_equal(p.drop, TW_NET_DROP_CONSUMED);
	send_upstream(srv, AF_INET6, UP6, MAC_UP, US6, up);

	/* beyond the prefix: the gateway's link-local address, asked from ours */
	assert_int_equal(tw_net_udp_header(srv, AF_INET6, FAR6, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_ENOENT);
	n = tw_net_solicit(srv, AF_INET6, FAR6, f, sizeof(f));
	assert_int_equal(n, 86);
	assert_memory_equal(f + 14 + 8, LL_US, 16);
	assert_memory_equal(f + 14 + 40 + 8, LL_GW, 16);
	struct spec s = v6();
	s.smac = MAC_GW;
	s.src = LL_GW;
	s.dst = LL_US;
	s.ttl = 255;
	n = mk_na(f, &s, 0xe0, LL_GW, MAC_GW); /* R, S, O */
	assert_drop(srv, f, n, TW_NET_DROP_CONSUMED);
	send_upstream(srv, AF_INET6, FAR6, MAC_GW, US6, NULL);
	tw_net_ctx_free(srv);
	tw_net_ctx_free(up);
}

static void test_udp_header_on_a_qinq_port_writes_our_tags(void **state)
{
	(void)state;
	struct tw_net_if_conf c;
	tw_net_if_conf_init(&c);
	memcpy(c.mac, MAC_US, 6);
	c.svlan = 10;
	c.vlan = 100;
	c.pcp = 5;
	memcpy(c.ip4, US4, 4);
	c.ip4_prefix = 24;
	c.ip6 = true;
	struct tw_net_ctx *srv = tw_net_ctx_new(&c, NULL, 0),
			  *up = ctx_for(MAC_UP, UP4, UP6, 100, 10, 0);
	assert_non_null(srv);
	static const uint8_t tags[8] = { 0x88, 0xa8, 0xa0, 10, 0x81, 0x00, 0xa0, 100 };
	uint8_t f[2048];
	size_t n = tw_net_solicit(srv, AF_INET, UP4, f, sizeof(f));
	assert_int_equal(n, 60); /* 14 + 8 + 28, padded */
	assert_memory_equal(f + 12, tags, 8);
	struct tw_net_pkt p;
	assert_int_equal(input(up, f, n, NOW, &p), TW_NET_REPLY);
	assert_int_equal(input(srv, f, p.reply_len, NOW, &p), TW_NET_DROP);
	assert_int_equal(p.drop, TW_NET_DROP_CONSUMED);

	size_t hl;
	assert_int_equal(tw_net_udp_header(srv, AF_INET, UP4, 51000, 53, NOW, f, sizeof(f), &hl), 0);
	assert_int_equal(hl, 14 + 8 + 20 + 8);
	memcpy(f + hl, QUERY, QLEN);
	n = tw_net_udp_finish(f, hl, QLEN);
	assert_memory_equal(f + 12, tags, 8);
	assert_int_equal(input(up, f, n, NOW, &p), TW_NET_UDP);
	assert_int_equal(p.tags, 2);
	assert_int_equal(p.payload, hl);
	assert_int_equal(p.payload_len, QLEN);

	/* link-local only: an NS from the link-local address, with our tags */
	n = tw_net_solicit(srv, AF_INET6, LL_GW, f, sizeof(f));
	assert_int_equal(n, 14 + 8 + 40 + 32);
	assert_memory_equal(f + 12, tags, 8);
	assert_memory_equal(f + 22 + 8, LL_US, 16);
	uint16_t et;
	check_sums(f, n, &et);
	assert_int_equal(et, 0x86dd);
	tw_net_ctx_free(srv);
	tw_net_ctx_free(up);
}

static void test_no_route_without_gateway_or_family(void **state)
{
	(void)state;
	struct tw_net_if_conf c;
	tw_net_if_conf_init(&c);
	memcpy(c.mac, MAC_US, 6);
	memcpy(c.ip4, US4, 4);
	c.ip4_prefix = 24;
	c.ip6 = true; /* link-local only */
	struct tw_net_ctx *ctx = tw_net_ctx_new(&c, NULL, 0);
	assert_non_null(ctx);
	uint8_t f[2048], hop[16];
	size_t hl, n;
	assert_int_equal(tw_net_udp_header(ctx, AF_INET, FAR4, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_EINVAL);
	assert_int_equal(tw_net_solicit(ctx, AF_INET, FAR4, f, sizeof(f)), 0);
	assert_int_equal(tw_net_udp_header(ctx, AF_INET6, UP6, 51000, 53, NOW, f, sizeof(f), &hl),
			 -TW_EINVAL);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET6, LL_CLIENT, hop), 0);
	assert_memory_equal(hop, LL_CLIENT, 16);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET, UP4, hop), 0);
	assert_memory_equal(hop, UP4, 16);
	static const uint8_t bcast[16] = { 192, 0, 2, 255 };
	assert_int_equal(tw_net_next_hop(ctx, AF_INET, bcast, hop), -TW_EINVAL);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET, US4, hop), -TW_EINVAL);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET6, ALL_NODES, hop), -TW_EINVAL);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET6, LL_US, hop), -TW_EINVAL);
	assert_false(tw_net_neigh_known(ctx, AF_INET, FAR4, NOW));
	tw_net_ctx_free(ctx);

	/* IPv6 only, a prefix that ends inside an octet: 2001:db8:0:10::/60 */
	tw_net_if_conf_init(&c);
	memcpy(c.mac, MAC_US, 6);
	c.ip6 = true;
	static const uint8_t g60[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x10, [15] = 1 };
	static const uint8_t in60[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x1f, [15] = 9 };
	static const uint8_t out60[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x20, [15] = 9 };
	memcpy(c.ip6_global, g60, 16);
	c.ip6_prefix = 60;
	memcpy(c.gw6, LL_GW, 16);
	ctx = tw_net_ctx_new(&c, NULL, 0);
	assert_non_null(ctx);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET6, in60, hop), 0);
	assert_memory_equal(hop, in60, 16);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET6, out60, hop), 0);
	assert_memory_equal(hop, LL_GW, 16);
	assert_int_equal(tw_net_next_hop(ctx, AF_INET, UP4, hop), -TW_EINVAL);
	/* ARP and IPv4 are the kernel's on this port */
	n = arp_request(f, MAC_CLIENT, CLIENT4, US4);
	assert_exception(ctx, f, n, TW_NET_EXC_FAMILY_OFF);
	struct spec s = v4();
	n = mk_udp(f, &s, 40000, 53, QUERY, QLEN);
	assert_exception(ctx, f, n, TW_NET_EXC_FAMILY_OFF);
	tw_net_ctx_free(ctx);
}

/* ---- the neighbour table ------------------------------------------------------------ */

static void test_neighbour_expires_and_is_due_for_refresh_at_half_life(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = server();
	uint8_t f[2048];
	size_t n = arp_request(f, MAC_UP, UP4, US4);
	struct tw_net_pkt p;
	assert_int_equal(input(ctx, f, n, NOW, &p), TW_NET_REPLY);
	assert_true(tw_net_neigh_known(ctx, AF_INET, UP4, NOW + TTL_MS / 2 - 1));
	assert_false(tw_net_neigh_known(ctx, AF_INET, UP4, NOW + TTL_MS / 2));
	assert_neigh(ctx, AF_INET, UP4, NOW + TTL_MS - 1, MAC_UP);
	assert_no_neigh(ctx, AF_INET, UP4, NOW + TTL_MS);
	size_t hl;
	assert_int_equal(tw_net_udp_header(ctx, AF_INET, UP4, 51000, 53, NOW + TTL_MS, f,
					   sizeof(f), &hl), -TW_ENOENT);
	/* a reply to us renews it */
	struct spec s = v4();
	s.smac = MAC_UP;
	n = mk_arp(f, &s, 2, MAC_UP, UP4, MAC_US, US4);
	assert_int_equal(input(ctx, f, n, NOW + TTL_MS, &p), TW_NET_DROP);
	assert_neigh(ctx, AF_INET, UP4, NOW + 2 * TTL_MS - 1, MAC_UP);
	/* IPv4 and IPv6 keys do not meet: 192.0.2.53 as the first octets of an IPv6 address */
	assert_no_neigh(ctx, AF_INET6, UP4, NOW + TTL_MS);
	tw_net_ctx_free(ctx);
}

static void test_full_neighbour_table_replaces_the_oldest(void **state)
{
	(void)state;
	struct tw_net_ctx *ctx = ctx_for(MAC_US, US4, US6, 0, 0, 8); /* one set of 8 */
	uint8_t f[2048], ip[16] = { 192, 0, 2, 100 }, mac[6] = { 0x02, 0, 0, 0, 1, 0 };
	struct tw_net_pkt p;
	for (uint8_t i = 0; i < 10; i++) {
		ip[3] = (uint8_t)(100 + i);
		mac[5] = i;
		size_t n = arp_request(f, mac, ip, US4);
		assert_int_equal(input(ctx, f, n, NOW + i, &p), TW_NET_REPLY);
		if (i == 7) {
			/* .101 renewed: now younger than .102 */
			ip[3] = 101;
			mac[5] = 1;
			n = arp_request(f, mac, ip, US4);
			assert_int_equal(input(ctx, f, n, NOW + 7, &p), TW_NET_REPLY);
		}
	}
	/* .108 pushed out .100 (the oldest), .109 pushed out .102 */
	for (uint8_t i = 0; i < 10; i++) {
		ip[3] = (uint8_t)(100 + i);
		mac[5] = i;
		if (i == 0 || i == 2)
			assert_no_neigh(ctx, AF_INET, ip, NOW + 10);
		else
			assert_neigh(ctx, AF_INET, ip, NOW + 10, mac);
	}
	tw_net_ctx_free(ctx);
}

/* ---- configuration and names -------------------------------------------------------- */

static void test_bad_configuration_is_refused_with_reason(void **state)
{
	(void)state;
	struct tw_net_if_conf good, c;
	tw_net_if_conf_init(&good);
	memcpy(good.mac, MAC_US, 6);
	memcpy(good.ip4, US4, 4);
	good.ip4_prefix = 24;
	memcpy(good.gw4, GW4, 4);
	good.ip6 = true;
	memcpy(good.ip6_global, US6, 16);
	good.ip6_prefix = 64;
	memcpy(good.gw6, LL_GW, 16);
	char err[160];
	struct tw_net_ctx *ctx = tw_net_ctx_new(&good, err, sizeof(err));
	assert_non_null(ctx);
	tw_net_ctx_free(ctx);
	tw_net_ctx_free(NULL);

	static const char *const what[] = { "mac", "vlan", "svlan", "pcp", "ip4_prefix", "ip4",
					    "gw4", "ip6_global", "ip6_global", "gw6", "neigh_max",
					    "neigh_ttl_ms" };
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		c = good;
		switch (i) {
		case 0: c.mac[0] = 0x01; break;                  /* multicast */
		case 1: c.vlan = 4095; break;
		case 2: c.svlan = 10; c.vlan = 0; break;
		case 3: c.pcp = 8; break;
		case 4: c.ip4_prefix = 0; break;
		case 5: c.ip4[3] = 255; break;                   /* the subnet's broadcast */
		case 6: c.gw4[2] = 3; break;                     /* outside the prefix */
		case 7: c.ip6 = false; memset(c.gw6, 0, 16); break;
		case 8: c.ip6_global[0] = 0xff; break;
		case 9: c.gw6[0] = 0x20; c.gw6[1] = 0x02; break; /* neither link-local nor on-link */
		case 10: c.neigh_max = 0; break;
		case 11: c.neigh_ttl_ms = 0; break;
		}
		err[0] = 0;
		assert_null(tw_net_ctx_new(&c, err, sizeof(err)));
		if (strncmp(err, "net: ", 5) != 0 || !strstr(err, what[i]))
			fail_msg("case %zu: \"%s\" does not name %s", i, err, what[i]);
	}
}

static void test_every_reason_has_a_distinct_name(void **state)
{
	(void)state;
	for (int i = 0; i < TW_NET_DROP_REASONS; i++) {
		const char *a = tw_net_drop_str((enum tw_net_drop)i);
		assert_string_not_equal(a, "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a, tw_net_drop_str((enum tw_net_drop)j));
	}
	for (int i = 0; i < TW_NET_EXCEPTIONS; i++) {
		const char *a = tw_net_exception_str((enum tw_net_exception)i);
		assert_string_not_equal(a, "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a, tw_net_exception_str((enum tw_net_exception)j));
	}
	assert_string_equal(tw_net_drop_str(TW_NET_DROP_REASONS), "?");
	assert_string_equal(tw_net_exception_str((enum tw_net_exception)200), "?");
}

/* ---- random frames ------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Recomputes what checksums a mutated frame still has room for, so mutations
 * reach the layers behind them. */
static void fix_sums(uint8_t *f, size_t n)
{
	size_t off = 12;
	if (n < 14)
		return;
	uint16_t et = get16(f + off);
	while ((et == 0x8100 || et == 0x88a8) && off + 6 <= n) {
		off += 4;
		et = get16(f + off);
	}
	size_t l3 = off + 2;
	uint8_t *ip = f + l3;
	if (et == 0x0800 && l3 + 20 <= n) {
		size_t hl = (ip[0] & 15) * 4u, tot = get16(ip + 2);
		if (hl < 20 || l3 + hl > n)
			return;
		set16(ip + 10, 0);
		set16(ip + 10, (uint16_t)~ref_fold(ref_add(0, ip, hl)));
		if (tot < hl || l3 + tot > n)
			return;
		uint8_t *l4 = ip + hl;
		size_t len = tot - hl;
		if (ip[9] == 1 && len >= 4) {
			set16(l4 + 2, 0);
			set16(l4 + 2, (uint16_t)~ref_fold(ref_add(0, l4, len)));
		} else if (ip[9] == 17 && len >= 8) {
			size_t ulen = get16(l4 + 4);
			if (ulen >= 8 && ulen <= len) {
				set16(l4 + 6, 0);
				set16(l4 + 6, ref_l4(AF_INET, ip + 12, ip + 16, 17, l4, ulen));
			}
		}
	} else if (et == 0x86dd && l3 + 40 <= n) {
		size_t plen = get16(ip + 4);
		uint8_t *l4 = ip + 40;
		if (l3 + 40 + plen > n)
			return;
		if (ip[6] == 58 && plen >= 4) {
			set16(l4 + 2, 0);
			set16(l4 + 2, ref_l4(AF_INET6, ip + 8, ip + 24, 58, l4, plen));
		} else if (ip[6] == 17 && plen >= 8) {
			size_t ulen = get16(l4 + 4);
			if (ulen >= 8 && ulen <= plen) {
				set16(l4 + 6, 0);
				set16(l4 + 6, ref_l4(AF_INET6, ip + 8, ip + 24, 17, l4, ulen));
			}
		}
	}
}

static void test_random_and_mutated_frames_are_handled_safely(void **state)
{
	(void)state;
	struct tw_net_ctx *ctxs[3] = { server(), ctx_for(MAC_US, US4, US6, 100, 0, 16),
				       ctx_for(MAC_US, US4, US6, 100, 10, 0) };
	/* seeds: one valid frame of each kind on each context's tagging */
	uint8_t seeds[24][300];
	size_t seed_n[24];
	unsigned ns = 0;
	for (int t = 0; t < 3; t++) {
		uint8_t g[16], gmac[6];
		struct spec s4 = v4(), s6 = v6(), sn = ns_spec(CLIENT6, US6, g, gmac);
		s4.tags = s6.tags = sn.tags = t;
		s4.tci = s6.tci = sn.tci = 100;
		s4.outer = s6.outer = sn.outer = 10;
		seed_n[ns] = mk_arp(seeds[ns], &s4, 1, MAC_CLIENT, CLIENT4, MAC_ZERO, US4), ns++;
		seed_n[ns] = mk_icmp(seeds[ns], &s4, 8, 0, ECHO_BODY, sizeof(ECHO_BODY)), ns++;
		seed_n[ns] = mk_udp(seeds[ns], &s4, 40000, 53, QUERY, QLEN), ns++;
		seed_n[ns] = mk_icmp(seeds[ns], &s6, 128, 0, ECHO_BODY, sizeof(ECHO_BODY)), ns++;
		seed_n[ns] = mk_udp(seeds[ns], &s6, 40000, 53, QUERY, QLEN), ns++;
		seed_n[ns] = mk_ns(seeds[ns], &sn, US6, true), ns++;
		s6.ttl = 255;
		seed_n[ns] = mk_na(seeds[ns], &s6, 0x60, CLIENT6, MAC_CLIENT), ns++;
		seed_n[ns] = mk_ns(seeds[ns], &s6, US6, false), ns++;
	}
	rng_state = 0x7477697265ull; /* fixed: a failure replays */
	unsigned counts[4] = { 0 };
	for (unsigned iter = 0; iter < 100000; iter++) {
		uint8_t tmp[400];
		size_t n;
		unsigned si = (unsigned)(rnd() % ns);
		if (rnd() % 8 == 0) {
			/* random bytes behind a plausible header */
			n = rnd() % sizeof(tmp);
			for (size_t i = 0; i < n; i++)
				tmp[i] = (uint8_t)rnd();
			if (n >= 14)
				memcpy(tmp, seeds[si], 14);
		} else {
			n = seed_n[si];
			memcpy(tmp, seeds[si], n);
			unsigned flips = 1 + (unsigned)(rnd() % 4);
			for (unsigned i = 0; i < flips; i++) {
				size_t at = rnd() % n;
				tmp[at] = rnd() % 4 ? (uint8_t)(tmp[at] ^ (1u << (rnd() % 8)))
						    : (uint8_t)rnd();
			}
			if (rnd() % 4 == 0)
				n = rnd() % (n + 1);
			else if (rnd() % 4 == 0) {
				size_t extra = rnd() % 40;
				for (size_t i = 0; i < extra; i++)
					tmp[n + i] = (uint8_t)rnd();
				n += extra;
			}
		}
		if (rnd() % 2)
			fix_sums(tmp, n);
		size_t cap = n + rnd() % 64;
		uint8_t *b = malloc(cap ? cap : 1);
		assert_non_null(b);
		memcpy(b, tmp, n);
		struct tw_net_ctx *ctx = ctxs[rnd() % 3];
		struct tw_net_pkt p;
		enum tw_net_verdict v = tw_net_input(ctx, b, n, cap, NOW + iter, &p);
		assert_true(v <= TW_NET_EXCEPTION);
		counts[v]++;
		uint16_t et;
		switch (v) {
		case TW_NET_DROP:
			assert_true(p.drop > TW_NET_DROP_NONE && p.drop < TW_NET_DROP_REASONS);
			break;
		case TW_NET_EXCEPTION:
			assert_true(p.exception > TW_NET_EXC_NONE && p.exception < TW_NET_EXCEPTIONS);
			break;
		case TW_NET_REPLY:
			assert_true(p.reply_len >= 14 && p.reply_len <= cap);
			check_sums(b, p.reply_len, &et);
			break;
		case TW_NET_UDP:
			assert_true(p.payload == p.l4 + 8 &&
				    (size_t)p.payload + p.payload_len <= n);
			/* answering it in place keeps within the frame and sums right */
			check_sums(b, tw_net_udp_reply(&p, b, p.payload_len), &et);
			break;
		}
		free(b);
	}
	/* every verdict was reached */
	for (int v = 0; v < 4; v++)
		assert_true(counts[v] > 100);
	for (int i = 0; i < 3; i++)
		tw_net_ctx_free(ctxs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_matches_reference_at_every_length_and_alignment),
		cmocka_unit_test(test_csum_adjust_equals_recomputation),
		cmocka_unit_test(test_arp_request_for_us_gets_exact_reply_and_teaches_sender),
		cmocka_unit_test(test_arp_for_another_address_is_dropped_but_refreshes_a_known_sender),
		cmocka_unit_test(test_arp_reply_to_us_teaches_and_is_consumed),
		cmocka_unit_test(test_arp_from_outside_our_prefix_is_answered_not_learned),
		cmocka_unit_test(test_arp_malformed_or_conflicting_is_dropped_with_its_reason),
		cmocka_unit_test(test_icmp_echo_gets_reply_with_valid_checksums),
		cmocka_unit_test(test_icmp6_echo_gets_reply_with_valid_checksum),
		cmocka_unit_test(test_ns_for_global_address_gets_solicited_na_and_teaches_sender),
		cmocka_unit_test(test_ns_for_link_local_via_solicited_node_group_gets_na),
		cmocka_unit_test(test_ns_for_dad_gets_na_to_all_nodes_without_s),
		cmocka_unit_test(test_nd_with_hop_limit_below_255_is_dropped),
		cmocka_unit_test(test_ns_malformed_or_for_another_target_is_dropped),
		cmocka_unit_test(test_ns_without_source_option_needs_room_to_grow),
		cmocka_unit_test(test_na_teaches_target_and_is_consumed),
		cmocka_unit_test(test_udp4_to_us_is_parsed_with_offsets),
		cmocka_unit_test(test_udp6_to_us_is_parsed_and_zero_checksum_refused),
		cmocka_unit_test(test_padded_short_frame_is_accepted),
		cmocka_unit_test(test_vlan_port_takes_its_tag_and_replies_keep_it),
		cmocka_unit_test(test_qinq_port_takes_both_tags),
		cmocka_unit_test(test_traffic_for_the_kernel_is_an_exception),
		cmocka_unit_test(test_frames_not_for_us_or_malformed_are_dropped_with_reason),
		cmocka_unit_test(test_truncated_frames_at_every_length_are_dropped),
		cmocka_unit_test(test_udp_reply_round_trips_to_the_client),
		cmocka_unit_test(test_udp_header_v4_needs_the_next_hop_learned),
		cmocka_unit_test(test_udp_header_v6_needs_the_next_hop_learned),
		cmocka_unit_test(test_udp_header_on_a_qinq_port_writes_our_tags),
		cmocka_unit_test(test_no_route_without_gateway_or_family),
		cmocka_unit_test(test_neighbour_expires_and_is_due_for_refresh_at_half_life),
		cmocka_unit_test(test_full_neighbour_table_replaces_the_oldest),
		cmocka_unit_test(test_bad_configuration_is_refused_with_reason),
		cmocka_unit_test(test_every_reason_has_a_distinct_name),
		cmocka_unit_test(test_random_and_mutated_frames_are_handled_safely),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
