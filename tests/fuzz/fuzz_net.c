/* libFuzzer target: hostile Ethernet frames through a worker's frame layer
 * (dataplane/net.h). tw_net_input() runs on one of four ports (untagged, 802.1Q,
 * QinQ, IPv6 link-local only) and every verdict is held to what the header
 * promises: a frame that is not answered is left as it came, a UDP datagram's
 * offsets lie inside the frame, a reply fits the buffer, carries checksums that
 * verify (tw_csum_*() and a plain RFC 1071 sum written here must agree) and
 * is understood by a second context configured as the host it goes to. A UDP
 * datagram is then answered (tw_net_udp_reply()) and the answer checked the same
 * way; last, the sending path (tw_net_udp_header(), tw_net_solicit()) is driven
 * towards the frame's sender, a solicitation answered by that peer and the
 * answer fed back, after which the neighbour must be known.
 *
 * Input: octet 0 chooses the port (bits 0-1), the spare room after the frame in
 * its buffer (bits 2-3: 1, 7, 64 or 2048 octets; the worker's mbufs have room,
 * and a reply is written in place), the sizes of the answers (bits 4-5), whether
 * the checksums of the frame are made right before it is handed over (bit 6:
 * else nearly every mutation ends at a checksum drop) and whether the clock
 * jumps 200 s (bit 7: neighbours expire); the frame follows. The contexts live
 * for the whole process: their neighbour tables are fixed-size, so the state
 * carried between inputs stays bounded. */
#include <endian.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/net.h"
#include "dns/error.h"
#include "dns/wire.h"

#define CHECK(x)                                                            \
	do {                                                                \
		if (!(x)) {                                                 \
			fprintf(stderr, "fuzz_net.c:%d: %s\n", __LINE__, #x); \
			abort();                                            \
		}                                                           \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { ETH = 14, TAG = 4, ARP_LEN = 28, IP4 = 20, IP6 = 40, UDP = 8, ND = 24, LLA = 8 };
enum { ETH_MIN = 60 };
enum { ET_IP4 = 0x0800, ET_ARP = 0x0806, ET_CTAG = 0x8100, ET_STAG = 0x88a8, ET_IP6 = 0x86dd };
enum { P_ICMP = 1, P_UDP = 17, P_ICMP6 = 58 };

/* us, 198.18.0.1/24 via 198.18.0.254, 2001:db8::1/64 via fe80::1 */
static const uint8_t MAC_US[6] = { 0x02, 0, 0, 0, 0, 0x01 };
/* whoever answers our solicitations */
static const uint8_t MAC_PEER[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t MAC_BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MAC_ALL_NODES[6] = { 0x33, 0x33, 0, 0, 0, 1 };
static const uint8_t US4[4] = { 198, 18, 0, 1 };
static const uint8_t GW4[4] = { 198, 18, 0, 254 };
static const uint8_t US6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t GW6[16] = { 0xfe, 0x80, [15] = 1 };
static const uint8_t ALL_NODES[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t V4MAPPED[12] = { [10] = 0xff, [11] = 0xff };

/* The ports: tags they expect, whether they have IPv4 and a global IPv6 address. */
struct setup {
	uint16_t vlan, svlan;
	bool v4, global6;
};
static const struct setup setups[4] = {
	{ 0, 0, true, true },
	{ 100, 0, true, true },
	{ 100, 200, true, true },
	{ 0, 0, false, false }, /* IPv6 link-local only: ARP and IPv4 are "family off" */
};
static struct tw_net_ctx *ctxs[4];
static uint8_t ll_us[16];
static uint64_t now = 1000000; /* ms; advances by ~1 s per input: entries expire */

/* ---- helpers -------------------------------------------------------------------- */

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static bool unicast_mac(const uint8_t *m)
{
	return !(m[0] & 1) && !is_zero(m, 6);
}

/* RFC 4291 App. A: fe80::/64 and the modified EUI-64 of mac. */
static void eui64_ll(const uint8_t mac[6], uint8_t ll[16])
{
	memset(ll, 0, 16);
	ll[0] = 0xfe;
	ll[1] = 0x80;
	ll[8] = mac[0] ^ 0x02;
	ll[9] = mac[1];
	ll[10] = mac[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	memcpy(ll + 13, mac + 3, 3);
}

static bool is_link_local6(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static size_t l2_len(const struct setup *s)
{
	return ETH + (s->svlan ? 2 * TAG : s->vlan ? TAG : 0);
}

static struct tw_net_ctx *port(unsigned i)
{
	if (!ctxs[i]) {
		const struct setup *s = &setups[i];
		struct tw_net_if_conf c;
		tw_net_if_conf_init(&c);
		memcpy(c.mac, MAC_US, 6);
		c.vlan = s->vlan;
		c.svlan = s->svlan;
		if (s->v4) {
			memcpy(c.ip4, US4, 4);
			c.ip4_prefix = 24;
			memcpy(c.gw4, GW4, 4);
		}
		c.ip6 = true;
		if (s->global6) {
			memcpy(c.ip6_global, US6, 16);
			c.ip6_prefix = 64;
			memcpy(c.gw6, GW6, 16);
		}
		c.neigh_max = 64; /* 8 sets of 8: replacement happens */
		char err[160];
		ctxs[i] = tw_net_ctx_new(&c, err, sizeof(err));
		if (!ctxs[i])
			fprintf(stderr, "%s\n", err);
		CHECK(ctxs[i]);
		eui64_ll(MAC_US, ll_us);
	}
	return ctxs[i];
}

/* A context for the host (family, addr) with MAC mac on the same link: the peer
 * that receives what we send. NULL when no port can be configured so: a MAC or
 * an address no interface has, ours, or a link-local address that is not mac's
 * EUI-64 (addr NULL: IPv6 link-local only). The caller frees it. */
static struct tw_net_ctx *peer_new(const struct setup *s, const uint8_t mac[6], int family,
				   const uint8_t *addr)
{
	struct tw_net_if_conf c;
	tw_net_if_conf_init(&c);
	if (memcmp(mac, MAC_US, 6) == 0)
		return NULL;
	memcpy(c.mac, mac, 6);
	c.vlan = s->vlan;
	c.svlan = s->svlan;
	c.neigh_max = 8;
	if (family == AF_INET) {
		if (is_zero(addr, 4))
			return NULL;
		memcpy(c.ip4, addr, 4);
		c.ip4_prefix = 32;
	} else {
		c.ip6 = true;
		if (addr && is_link_local6(addr)) {
			uint8_t ll[16];
			eui64_ll(mac, ll);
			if (memcmp(ll, addr, 16) != 0)
				return NULL;
		} else if (addr) {
			memcpy(c.ip6_global, addr, 16);
			c.ip6_prefix = 128;
		}
	}
	char err[160];
	return tw_net_ctx_new(&c, err, sizeof(err));
}

/* f[0..n) received by peer; a private copy, as the peer may answer in place. */
static enum tw_net_verdict peer_input(struct tw_net_ctx *peer, const uint8_t *f, size_t n,
				      struct tw_net_pkt *q, uint8_t *reply, size_t reply_cap,
				      size_t *reply_len)
{
	size_t cap = n + 64;
	uint8_t *copy = malloc(cap);
	CHECK(copy);
	memcpy(copy, f, n);
	enum tw_net_verdict v = tw_net_input(peer, copy, n, cap, now, q);
	if (v == TW_NET_REPLY && reply) {
		CHECK(q->reply_len <= reply_cap);
		memcpy(reply, copy, q->reply_len);
		*reply_len = q->reply_len;
	}
	free(copy);
	return v;
}

/* What the peer made of a frame, when it is not what the target expected. */
static void say_peer(enum tw_net_verdict v, const struct tw_net_pkt *q)
{
	fprintf(stderr, "peer: verdict %d, drop %s, exception %s\n", v,
		tw_net_drop_str((enum tw_net_drop)q->drop),
		tw_net_exception_str((enum tw_net_exception)q->exception));
}

/* ---- checksums: tw_csum_*() against 16-bit big-endian words one at a time ----- */

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

/* Whether the n octets at p (with the pseudo-header of the address pair addrs and
 * proto when addrs is given, RFC 768 and RFC 8200 §8.1) carry a correct checksum.
 * Both sums must say the same. */
static bool sum_ok(const uint8_t *p, size_t n, const uint8_t *addrs, size_t alen, uint8_t proto)
{
	uint32_t s = 0, r = 0;
	if (addrs) {
		s = tw_csum_partial(addrs, alen, 0) + htobe16(proto) + htobe16((uint16_t)n);
		r = ref_add(0, addrs, alen) + proto + (uint32_t)n;
	}
	bool ok = tw_csum_fold(tw_csum_partial(p, n, s)) == 0;
	CHECK(ok == (ref_fold(ref_add(r, p, n)) == 0xffff));
	return ok;
}

/* The checksum functions on the raw input at four alignments, and the RFC 1624
 * update against a full recomputation. */
static void csum_differential(const uint8_t *d, size_t n)
{
	static uint8_t scratch[4096];
	if (n > sizeof(scratch))
		n = sizeof(scratch);
	for (size_t k = 0; k < 4 && k <= n; k++) {
		uint16_t seed = (uint16_t)(0x1234 * k);
		uint16_t c = tw_csum_fold(tw_csum_partial(d + k, n - k, htobe16(seed)));
		uint16_t want = (uint16_t)~ref_fold(ref_add(seed, d + k, n - k));
		uint8_t b[2];
		memcpy(b, &c, 2);
		CHECK(b[0] == want >> 8 && b[1] == (want & 0xff));
	}
	if (n < 2)
		return;
	memcpy(scratch, d, n);
	size_t o = (n / 2) & ~(size_t)1;
	uint16_t c0 = tw_csum_fold(tw_csum_partial(scratch, n, 0)), old_w, new_w;
	memcpy(&old_w, scratch + o, 2);
	new_w = (uint16_t)(old_w * 31 + 7);
	memcpy(scratch + o, &new_w, 2);
	uint16_t c1 = tw_csum_fold(tw_csum_partial(scratch, n, 0));
	uint16_t adj = tw_csum_adjust(c0, old_w, new_w);
	/* 0 and 0xffff are the two zeros of one's complement: both verify */
	CHECK(adj == c1 || ((adj == 0 || adj == 0xffff) && (c1 == 0 || c1 == 0xffff)));
}

/* A frame we wrote, parsed as a receiver would: at most two tags, then ARP, or
 * IPv4/IPv6 carrying UDP, ICMP or ICMPv6 whose lengths fit the frame and whose
 * checksums verify. Returns the L3 offset; *et gets the ethertype. */
static size_t frame_check(const uint8_t *f, size_t n, uint16_t *et_out)
{
	CHECK(n >= ETH);
	size_t off = 12;
	uint16_t et = tw_wire_get16(f + off);
	if (et == ET_STAG) {
		off += TAG;
		CHECK(n >= off + 2);
		et = tw_wire_get16(f + off);
		CHECK(et == ET_CTAG);
	}
	if (et == ET_CTAG) {
		off += TAG;
		CHECK(n >= off + 2);
		et = tw_wire_get16(f + off);
	}
	size_t l3 = off + 2;
	const uint8_t *ip = f + l3;
	switch (et) {
	case ET_ARP:
		CHECK(n >= l3 + ARP_LEN);
		break;
	case ET_IP4: {
		CHECK(n >= l3 + IP4);
		CHECK(ip[0] == 0x45);
		size_t total = tw_wire_get16(ip + 2);
		CHECK(total >= IP4 && l3 + total <= n);
		CHECK(sum_ok(ip, IP4, NULL, 0, 0));
		const uint8_t *l4 = ip + IP4;
		size_t l4len = total - IP4;
		if (ip[9] == P_UDP) {
			CHECK(l4len >= UDP && tw_wire_get16(l4 + 4) == l4len);
			CHECK((l4[6] | l4[7]) != 0); /* we always compute it */
			CHECK(sum_ok(l4, l4len, ip + 12, 8, P_UDP));
		} else {
			CHECK(ip[9] == P_ICMP);
			CHECK(l4len >= 8 && sum_ok(l4, l4len, NULL, 0, 0));
		}
		break;
	}
	case ET_IP6: {
		CHECK(n >= l3 + IP6);
		CHECK(ip[0] >> 4 == 6);
		size_t plen = tw_wire_get16(ip + 4);
		CHECK(l3 + IP6 + plen <= n);
		const uint8_t *l4 = ip + IP6;
		if (ip[6] == P_UDP) {
			CHECK(plen >= UDP && tw_wire_get16(l4 + 4) == plen);
			CHECK((l4[6] | l4[7]) != 0);
			CHECK(sum_ok(l4, plen, ip + 8, 32, P_UDP));
		} else {
			CHECK(ip[6] == P_ICMP6);
			CHECK(plen >= 4 && sum_ok(l4, plen, ip + 8, 32, P_ICMP6));
		}
		break;
	}
	default:
		CHECK(!"ethertype we never send");
	}
	*et_out = et;
	return l3;
}

/* The tags of an accepted frame are those the port expects (vlan_ok in net.c). */
static void check_tags(const struct setup *s, const struct tw_net_pkt *p)
{
	uint16_t vid = p->tci & 0x0fff;
	if (s->svlan)
		CHECK(p->tags == 2 && (p->outer_tci & 0x0fff) == s->svlan && vid == s->vlan);
	else if (s->vlan)
		CHECK(p->tags == 1 && vid == s->vlan);
	else
		CHECK(p->tags == 0 || (p->tags == 1 && vid == 0));
}

static bool ours6(const struct setup *s, const uint8_t *a)
{
	return memcmp(a, ll_us, 16) == 0 || (s->global6 && memcmp(a, US6, 16) == 0);
}

/* An IPv4 address the port learns ARP senders from: inside 198.18.0.0/24, not
 * its network or broadcast address, not ours. */
static bool learnable4(const uint8_t *a)
{
	return a[0] == 198 && a[1] == 18 && a[2] == 0 && a[3] != 0 && a[3] != 255 && a[3] != 1;
}

static void check_neigh(struct tw_net_ctx *ctx, int family, const uint8_t *ip, const uint8_t *mac)
{
	uint8_t a[16] = { 0 }, m[6];
	memcpy(a, ip, family == AF_INET ? 4 : 16);
	CHECK(tw_net_neigh_lookup(ctx, family, a, now, m) == 0);
	CHECK(memcmp(m, mac, 6) == 0);
}

/* The first option of type `want` in well-formed ND options (the frame was accepted). */
static const uint8_t *nd_option(const uint8_t *o, size_t n, uint8_t want)
{
	while (n >= 2 && o[1] && (size_t)o[1] * 8 <= n) {
		if (o[0] == want)
			return o + 2;
		n -= (size_t)o[1] * 8;
		o += (size_t)o[1] * 8;
	}
	return NULL;
}

/* ---- TW_NET_REPLY ---------------------------------------------------------------- */

/* The padding of a reply: none, or zeros up to 60 octets when the buffer has room. */
static void check_padding(const uint8_t *f, size_t n, size_t rl, size_t cap)
{
	if (n < ETH_MIN && cap >= ETH_MIN)
		CHECK(rl == ETH_MIN && is_zero(f + n, ETH_MIN - n));
	else
		CHECK(rl == n);
}

/* o: the frame as received (len octets); f: the reply in the buffer of cap. */
static void check_reply(unsigned si, struct tw_net_ctx *ctx, const uint8_t *o, size_t len,
			const uint8_t *f, size_t cap, const struct tw_net_pkt *p)
{
	const struct setup *s = &setups[si];
	size_t rl = p->reply_len;
	if (cap > UINT16_MAX)
		cap = UINT16_MAX;
	CHECK(rl >= ETH && rl <= cap);
	CHECK(p->drop == 0 && p->exception == 0);
	check_tags(s, p);
	uint16_t et;
	size_t l3 = frame_check(f, rl, &et);
	CHECK(l3 == p->l3 && l3 < len);
	CHECK(memcmp(f + 12, o + 12, l3 - 12) == 0); /* tags and ethertype as received */
	CHECK(memcmp(f + 6, MAC_US, 6) == 0);
	const uint8_t *oi = o + l3, *ip = f + l3;
	struct tw_net_ctx *peer = NULL;
	enum tw_net_verdict want = TW_NET_DROP;
	uint8_t want_why = 0;

	if (et == ET_ARP) {
		/* RFC 826: a request for our address, turned around */
		CHECK(s->v4 && tw_wire_get16(oi + 6) == 1 && memcmp(oi + 24, US4, 4) == 0);
		check_padding(f, l3 + ARP_LEN, rl, cap);
		CHECK(tw_wire_get16(ip) == 1 && tw_wire_get16(ip + 2) == ET_IP4 && ip[4] == 6 &&
		      ip[5] == 4 && tw_wire_get16(ip + 6) == 2);
		CHECK(memcmp(ip + 8, MAC_US, 6) == 0 && memcmp(ip + 14, US4, 4) == 0);
		CHECK(memcmp(ip + 18, oi + 8, 6) == 0 && memcmp(ip + 24, oi + 14, 4) == 0);
		CHECK(memcmp(f, oi + 8, 6) == 0);
		if (learnable4(oi + 14))
			check_neigh(ctx, AF_INET, oi + 14, oi + 8);
		peer = peer_new(s, oi + 8, AF_INET, oi + 14);
		want_why = TW_NET_DROP_CONSUMED;
	} else if (et == ET_IP4) {
		/* RFC 792 echo to our address: same data, type 0, addresses swapped */
		size_t total = tw_wire_get16(oi + 2);
		const uint8_t *oic = oi + IP4, *ic = ip + IP4;
		CHECK(s->v4 && oi[9] == P_ICMP && oic[0] == 8 && memcmp(oi + 16, US4, 4) == 0);
		check_padding(f, l3 + total, rl, cap);
		CHECK(memcmp(ip, oi, 8) == 0 && ip[8] == 64 && ip[9] == P_ICMP);
		CHECK(memcmp(ip + 12, US4, 4) == 0 && memcmp(ip + 16, oi + 12, 4) == 0);
		CHECK(ic[0] == 0 && ic[1] == oic[1]);
		CHECK(memcmp(ic + 4, oic + 4, total - IP4 - 4) == 0);
		CHECK(memcmp(f, o + 6, 6) == 0);
		peer = peer_new(s, o + 6, AF_INET, oi + 12);
		want = TW_NET_EXCEPTION;
		want_why = TW_NET_EXC_ICMP;
	} else {
		size_t oplen = tw_wire_get16(oi + 4), plen = tw_wire_get16(ip + 4);
		const uint8_t *oic = oi + IP6, *ic = ip + IP6;
		CHECK(oi[6] == P_ICMP6 && ip[6] == P_ICMP6);
		if (oic[0] == 128) {
			/* RFC 4443 §4.2: echo to one of our unicast addresses */
			CHECK(ours6(s, oi + 24) && plen == oplen);
			check_padding(f, l3 + IP6 + plen, rl, cap);
			CHECK(memcmp(ip, oi, 4) == 0 && ip[7] == 64);
			CHECK(memcmp(ip + 8, oi + 24, 16) == 0 && memcmp(ip + 24, oi + 8, 16) == 0);
			CHECK(ic[0] == 129 && ic[1] == oic[1]);
			CHECK(memcmp(ic + 4, oic + 4, plen - 4) == 0);
			CHECK(memcmp(f, o + 6, 6) == 0);
			peer = peer_new(s, o + 6, AF_INET6, oi + 8);
			want = TW_NET_EXCEPTION;
			want_why = TW_NET_EXC_ICMP;
		} else {
			/* RFC 4861 §7.2.4: a solicitation for one of our addresses, advertised */
			CHECK(oic[0] == 135 && ours6(s, oic + 8) && oi[7] == 255);
			bool dad = is_zero(oi + 8, 16);
			CHECK(plen == ND + LLA);
			check_padding(f, l3 + IP6 + ND + LLA, rl, cap);
			CHECK(tw_wire_get32(ip) == 0x60000000u && ip[7] == 255);
			CHECK(memcmp(ip + 8, oic + 8, 16) == 0);
			CHECK(memcmp(ip + 24, dad ? ALL_NODES : oi + 8, 16) == 0);
			CHECK(ic[0] == 136 && ic[1] == 0 && ic[4] == (dad ? 0x20 : 0x60));
			CHECK(is_zero(ic + 5, 3) && memcmp(ic + 8, oic + 8, 16) == 0);
			CHECK(ic[ND] == 2 && ic[ND + 1] == 1);
			CHECK(memcmp(ic + ND + 2, MAC_US, 6) == 0);
			CHECK(memcmp(f, dad ? MAC_ALL_NODES : o + 6, 6) == 0);
			if (!dad) {
				const uint8_t *slla = nd_option(oic + ND, oplen - ND, 1);
				if (slla && unicast_mac(slla))
					check_neigh(ctx, AF_INET6, oi + 8, slla);
			}
			peer = dad ? peer_new(s, MAC_PEER, AF_INET6, NULL)
				   : peer_new(s, o + 6, AF_INET6, oi + 8);
			want_why = TW_NET_DROP_CONSUMED;
		}
	}
	if (!peer)
		return;
	struct tw_net_pkt q;
	enum tw_net_verdict v = peer_input(peer, f, rl, &q, NULL, 0, NULL);
	if (v != want || (want == TW_NET_DROP ? q.drop : q.exception) != want_why)
		say_peer(v, &q);
	CHECK(v == want);
	CHECK((want == TW_NET_DROP ? q.drop : q.exception) == want_why);
	tw_net_ctx_free(peer);
}

/* ---- TW_NET_UDP and the answer ----------------------------------------------------- */

static void check_udp(unsigned si, const uint8_t *o, size_t len, uint8_t *f, size_t cap,
		      const struct tw_net_pkt *p, unsigned sel)
{
	const struct setup *s = &setups[si];
	bool v4 = p->family == AF_INET;
	CHECK(v4 || p->family == AF_INET6);
	CHECK(p->drop == 0 && p->exception == 0 && p->reply_len == 0);
	CHECK(p->l3 >= ETH && p->l3 < p->l4 && p->l4 < p->payload);
	CHECK(p->l4 == p->l3 + (v4 ? IP4 : IP6) && p->payload == p->l4 + UDP);
	CHECK((size_t)p->payload + p->payload_len <= len);
	CHECK(memcmp(f, o, len) == 0);
	CHECK(p->sport && p->dport);
	check_tags(s, p);
	const uint8_t *ip = f + p->l3, *u = f + p->l4;
	CHECK(tw_wire_get16(u) == p->sport && tw_wire_get16(u + 2) == p->dport);
	CHECK(tw_wire_get16(u + 4) == p->payload_len + UDP);
	CHECK(memcmp(p->dst_mac, MAC_US, 6) == 0 && memcmp(p->src_mac, o + 6, 6) == 0);
	if (v4) {
		CHECK(s->v4 && memcmp(p->dst, US4, 4) == 0 && is_zero(p->dst + 4, 12));
		CHECK(memcmp(p->src, ip + 12, 4) == 0 && is_zero(p->src + 4, 12));
		CHECK(p->hop_limit == ip[8] && sum_ok(ip, IP4, NULL, 0, 0));
		CHECK((u[6] | u[7]) == 0 || sum_ok(u, p->payload_len + UDP, ip + 12, 8, P_UDP));
	} else {
		CHECK(ours6(s, p->dst) && memcmp(p->dst, ip + 24, 16) == 0);
		CHECK(memcmp(p->src, ip + 8, 16) == 0 && p->hop_limit == ip[7]);
		CHECK((u[6] | u[7]) != 0 && sum_ok(u, p->payload_len + UDP, ip + 8, 32, P_UDP));
	}

	/* the answer, payload_len octets written over the query's payload */
	size_t room = cap - p->payload;
	size_t some = p->payload_len >= 2 ? tw_wire_get16(o + p->payload) : len;
	size_t plen = sel == 0 ? 0 : sel == 1 ? p->payload_len : sel == 2 ? room
		    : some % (room + 1);
	if (plen > UINT16_MAX)
		plen = UINT16_MAX;
	for (size_t i = 0; i < plen; i++)
		f[p->payload + i] = (uint8_t)(i * 7 + sel);
	size_t rl = tw_net_udp_reply(p, f, (uint16_t)plen);
	if (UDP + plen > (v4 ? UINT16_MAX - IP4 : UINT16_MAX)) {
		CHECK(rl == 0);
		return;
	}
	CHECK(rl == p->payload + plen && rl <= cap);
	uint16_t et;
	CHECK(frame_check(f, rl, &et) == p->l3 && et == (v4 ? ET_IP4 : ET_IP6));
	CHECK(memcmp(f, o + 6, 6) == 0 && memcmp(f + 6, MAC_US, 6) == 0);
	CHECK(memcmp(f + 12, o + 12, p->l3 - 12) == 0);
	const uint8_t *oi = o + p->l3;
	if (v4) {
		/* DSCP kept, ECN cleared, ID kept, DF, TTL 64 */
		CHECK(ip[0] == 0x45 && ip[1] == (oi[1] & 0xfc) && memcmp(ip + 4, oi + 4, 2) == 0);
		CHECK(tw_wire_get16(ip + 2) == IP4 + UDP + plen && tw_wire_get16(ip + 6) == 0x4000);
		CHECK(ip[8] == 64 && ip[9] == P_UDP);
		CHECK(memcmp(ip + 12, p->dst, 4) == 0 && memcmp(ip + 16, p->src, 4) == 0);
	} else {
		/* traffic class without ECN, flow label kept */
		CHECK(ip[0] == (0x60 | (oi[0] & 0x0f)) && ip[1] == (oi[1] & 0xcf));
		CHECK(memcmp(ip + 2, oi + 2, 2) == 0 && tw_wire_get16(ip + 4) == UDP + plen);
		CHECK(ip[6] == P_UDP && ip[7] == 64);
		CHECK(memcmp(ip + 8, p->dst, 16) == 0 && memcmp(ip + 24, p->src, 16) == 0);
	}
	CHECK(tw_wire_get16(u) == p->dport && tw_wire_get16(u + 2) == p->sport);
	for (size_t i = 0; i < plen; i++)
		CHECK(f[p->payload + i] == (uint8_t)(i * 7 + sel));

	/* the client receives it as the answer to its question */
	struct tw_net_ctx *peer = peer_new(s, p->src_mac, p->family, p->src);
	if (!peer || rl > UINT16_MAX) {
		tw_net_ctx_free(peer);
		return;
	}
	struct tw_net_pkt q;
	enum tw_net_verdict v = peer_input(peer, f, rl, &q, NULL, 0, NULL);
	if (v != TW_NET_UDP)
		say_peer(v, &q);
	CHECK(v == TW_NET_UDP);
	CHECK(q.sport == p->dport && q.dport == p->sport && q.payload == p->payload &&
	      q.payload_len == plen && q.tags == p->tags && q.tci == p->tci);
	CHECK(memcmp(q.src, p->dst, 16) == 0 && memcmp(q.dst, p->src, 16) == 0);
	tw_net_ctx_free(peer);
}

/* ---- sending towards the frame's sender ------------------------------------------------ */

/* The solicitation f[0..n) for hop, answered by a peer at hop (MAC_PEER); the
 * answer fed back to us must teach hop's MAC. */
static void solicit_round_trip(unsigned si, struct tw_net_ctx *ctx, int family,
			       const uint8_t *hop, const uint8_t *f, size_t n)
{
	const struct setup *s = &setups[si];
	struct tw_net_ctx *peer = peer_new(s, MAC_PEER, family, hop);
	if (!peer)
		return;
	static uint8_t answer[ETH_MIN + 128];
	size_t alen = 0;
	struct tw_net_pkt q, r;
	enum tw_net_verdict v = peer_input(peer, f, n, &q, answer, sizeof(answer), &alen);
	tw_net_ctx_free(peer);
	if (v != TW_NET_REPLY)
		say_peer(v, &q);
	CHECK(v == TW_NET_REPLY && alen <= sizeof(answer));
	uint8_t *copy = malloc(alen + 64);
	CHECK(copy);
	memcpy(copy, answer, alen);
	v = tw_net_input(ctx, copy, alen, alen + 64, now, &r);
	free(copy);
	CHECK(v == TW_NET_DROP && r.drop == TW_NET_DROP_CONSUMED);
	check_neigh(ctx, family, hop, MAC_PEER);
}

/* A datagram from us to the frame's source (p->src): headers, payload, lengths
 * and checksums; or, the next hop's MAC unknown, a solicitation for it. */
static void originate(unsigned si, struct tw_net_ctx *ctx, const struct tw_net_pkt *p,
		      const uint8_t *payload, size_t payload_len, unsigned sel)
{
	static const size_t caps[4] = { 40, 62, 90, 1500 };
	const struct setup *s = &setups[si];
	int family = p->family;
	bool v4 = family == AF_INET;
	uint8_t dst[16], hop[16], mac[6];
	memcpy(dst, p->src, 16);
	int nh = tw_net_next_hop(ctx, family, dst, hop);
	CHECK(nh == 0 || nh == -TW_EINVAL);
	int lk = nh ? -TW_EINVAL : tw_net_neigh_lookup(ctx, family, hop, now, mac);
	CHECK(lk == 0 || lk == -TW_ENOENT || lk == -TW_EINVAL);
	if (tw_net_neigh_known(ctx, family, dst, now))
		CHECK(lk == 0);

	size_t scap = caps[sel & 3], hdr = 0, l3 = l2_len(s);
	size_t need = l3 + (v4 ? IP4 : IP6) + UDP;
	uint8_t *f = malloc(scap); /* exactly scap: a write past it is caught */
	CHECK(f);
	int rc = tw_net_udp_header(ctx, family, dst, 5353, 53, now, f, scap, &hdr);
	if (nh) {
		CHECK(rc == -TW_EINVAL && tw_net_solicit(ctx, family, dst, f, scap) == 0);
	} else if (lk == 0 && scap < need) {
		CHECK(rc == -TW_ENOSPC);
	} else if (lk == 0) {
		CHECK(rc == 0 && hdr == need);
		size_t k = scap - hdr < payload_len ? scap - hdr : payload_len;
		memcpy(f + hdr, payload, k);
		size_t n = tw_net_udp_finish(f, hdr, k);
		CHECK(n == hdr + k);
		uint16_t et;
		CHECK(frame_check(f, n, &et) == l3 && et == (v4 ? ET_IP4 : ET_IP6));
		CHECK(memcmp(f, mac, 6) == 0 && memcmp(f + 6, MAC_US, 6) == 0);
		/* our tags, priority conf.pcp = 0 */
		if (s->svlan) {
			CHECK(tw_wire_get16(f + 12) == ET_STAG);
			CHECK(tw_wire_get16(f + 14) == s->svlan);
			CHECK(tw_wire_get16(f + 16) == ET_CTAG && tw_wire_get16(f + 18) == s->vlan);
		} else if (s->vlan) {
			CHECK(tw_wire_get16(f + 12) == ET_CTAG && tw_wire_get16(f + 14) == s->vlan);
		}
		const uint8_t *ip = f + l3, *u = ip + (v4 ? IP4 : IP6);
		const uint8_t *src6 = is_link_local6(dst) || !s->global6 ? ll_us : US6;
		if (v4)
			CHECK(memcmp(ip + 12, US4, 4) == 0 && memcmp(ip + 16, dst, 4) == 0 &&
			      tw_wire_get16(ip + 6) == 0x4000 && ip[8] == 64);
		else
			CHECK(memcmp(ip + 8, src6, 16) == 0 && memcmp(ip + 24, dst, 16) == 0 &&
			      ip[7] == 64);
		CHECK(tw_wire_get16(u) == 5353 && tw_wire_get16(u + 2) == 53);
		CHECK(memcmp(u + UDP, payload, k) == 0);
		/* on-link: the destination itself receives it */
		struct tw_net_ctx *peer =
			memcmp(hop, dst, 16) == 0 ? peer_new(s, mac, family, dst) : NULL;
		if (peer) {
			struct tw_net_pkt q;
			enum tw_net_verdict v = peer_input(peer, f, n, &q, NULL, 0, NULL);
			CHECK(v == TW_NET_UDP && q.sport == 5353 && q.dport == 53 &&
			      q.payload == hdr && q.payload_len == k);
			tw_net_ctx_free(peer);
		}
	} else {
		CHECK(rc == -TW_ENOENT);
		CHECK(!tw_net_neigh_known(ctx, family, dst, now));
		size_t n = tw_net_solicit(ctx, family, dst, f, scap);
		size_t want = l3 + (v4 ? ARP_LEN : IP6 + ND + LLA);
		if (scap < want) {
			CHECK(n == 0);
		} else {
			bool pad = v4 && want < ETH_MIN && scap >= ETH_MIN;
			CHECK(n == (pad ? (size_t)ETH_MIN : want));
			uint16_t et;
			CHECK(frame_check(f, n, &et) == l3 && et == (v4 ? ET_ARP : ET_IP6));
			CHECK(memcmp(f + 6, MAC_US, 6) == 0);
			const uint8_t *a = f + l3;
			if (v4) {
				/* RFC 826 request, broadcast, target MAC unknown */
				CHECK(memcmp(f, MAC_BCAST, 6) == 0 && tw_wire_get16(a + 6) == 1);
				CHECK(memcmp(a + 8, MAC_US, 6) == 0 && memcmp(a + 14, US4, 4) == 0);
				CHECK(is_zero(a + 18, 6) && memcmp(a + 24, hop, 4) == 0);
				CHECK(is_zero(f + want, n - want));
			} else {
				/* RFC 4861 §7.2.2: to hop's solicited-node group */
				const uint8_t *ic = a + IP6;
				CHECK(f[0] == 0x33 && f[1] == 0x33 && f[2] == 0xff &&
				      memcmp(f + 3, hop + 13, 3) == 0);
				CHECK(a[7] == 255 && a[24] == 0xff && a[25] == 0x02 && a[35] == 1);
				CHECK(a[36] == 0xff && memcmp(a + 37, hop + 13, 3) == 0);
				CHECK(ic[0] == 135 && memcmp(ic + 8, hop, 16) == 0);
				CHECK(ic[ND] == 1 && ic[ND + 1] == 1 &&
				      memcmp(ic + ND + 2, MAC_US, 6) == 0);
			}
			solicit_round_trip(si, ctx, family, hop, f, n);
		}
	}
	free(f);
}

/* ---- making a hostile frame's checksums right ------------------------------------------ */

static void put_csum(uint8_t *at, uint32_t acc)
{
	tw_wire_put16(at, (uint16_t)~ref_fold(acc));
}

/* Writes correct IPv4 header, UDP, ICMP and ICMPv6 checksums into f[0..len) as
 * far as its lengths allow (a zero IPv4 UDP checksum stays zero: none). */
static void fix_checksums(uint8_t *f, size_t len)
{
	size_t off = 12;
	if (len < ETH)
		return;
	uint16_t et = tw_wire_get16(f + off);
	for (int i = 0; i < 2 && (et == ET_STAG || et == ET_CTAG) && len >= off + TAG + 2; i++) {
		off += TAG;
		et = tw_wire_get16(f + off);
	}
	size_t l3 = off + 2;
	uint8_t *ip = f + l3;
	if (et == ET_IP4 && len >= l3 + IP4) {
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4, total = tw_wire_get16(ip + 2);
		if (ihl < IP4 || l3 + ihl > len)
			return;
		memset(ip + 10, 0, 2);
		put_csum(ip + 10, ref_add(0, ip, ihl));
		if (total < ihl || l3 + total > len || (tw_wire_get16(ip + 6) & 0x3fff))
			return;
		uint8_t *l4 = ip + ihl;
		size_t l4len = total - ihl;
		if (ip[9] == P_UDP && l4len >= UDP) {
			size_t ulen = tw_wire_get16(l4 + 4);
			if (ulen < UDP || ulen > l4len || (l4[6] | l4[7]) == 0)
				return;
			uint32_t pseudo = ref_add(0, ip + 12, 8) + P_UDP + (uint32_t)ulen;
			memset(l4 + 6, 0, 2);
			put_csum(l4 + 6, ref_add(pseudo, l4, ulen));
			if ((l4[6] | l4[7]) == 0)
				memset(l4 + 6, 0xff, 2);
		} else if (ip[9] == P_ICMP && l4len >= 4) {
			memset(l4 + 2, 0, 2);
			put_csum(l4 + 2, ref_add(0, l4, l4len));
		}
	} else if (et == ET_IP6 && len >= l3 + IP6) {
		size_t plen = tw_wire_get16(ip + 4);
		uint8_t *l4 = ip + IP6;
		if (l3 + IP6 + plen > len)
			return;
		uint32_t pseudo = ref_add(0, ip + 8, 32) + ip[6] + (uint32_t)plen;
		if (ip[6] == P_UDP && plen >= UDP) {
			size_t ulen = tw_wire_get16(l4 + 4);
			if (ulen < UDP || ulen > plen)
				return;
			pseudo = ref_add(0, ip + 8, 32) + P_UDP + (uint32_t)ulen;
			memset(l4 + 6, 0, 2);
			put_csum(l4 + 6, ref_add(pseudo, l4, ulen));
			if ((l4[6] | l4[7]) == 0)
				memset(l4 + 6, 0xff, 2);
		} else if (ip[6] == P_ICMP6 && plen >= 4) {
			memset(l4 + 2, 0, 2);
			put_csum(l4 + 2, ref_add(pseudo, l4, plen));
		}
	}
}

/* ---- the entry point ------------------------------------------------------------------ */

/* IPv6 never teaches the IPv4 neighbour table (net.c keys IPv4 neighbours as
 * ::ffff:a.b.c.d): the v4-mapped target of a neighbour advertisement, if the
 * frame is one, whose IPv4 entry must come out of tw_net_input() unchanged. */
static bool na_mapped_target(const uint8_t *f, size_t len, uint8_t v4[4])
{
	size_t off = 12;
	if (len < ETH)
		return false;
	uint16_t et = tw_wire_get16(f + off);
	for (int i = 0; i < 2 && (et == ET_STAG || et == ET_CTAG) && len >= off + TAG + 2; i++) {
		off += TAG;
		et = tw_wire_get16(f + off);
	}
	const uint8_t *ip = f + off + 2, *ic = ip + IP6;
	if (et != ET_IP6 || len < off + 2 + IP6 + ND || ip[6] != P_ICMP6 || ic[0] != 136 ||
	    memcmp(ic + 8, V4MAPPED, sizeof(V4MAPPED)) != 0)
		return false;
	memcpy(v4, ic + 8 + 12, 4);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t extra[4] = { 1, 7, 64, 2048 };
	if (size < 1)
		return 0;
	unsigned si = data[0] & 3, sel = (data[0] >> 4) & 3;
	struct tw_net_ctx *ctx = port(si);
	size_t len = size - 1, cap = len + extra[(data[0] >> 2) & 3];
	now += data[0] & 0x80 ? 200000 : 997;
	csum_differential(data + 1, len);
	uint8_t *o = malloc(len ? len : 1);
	CHECK(o);
	memcpy(o, data + 1, len);
	if (data[0] & 0x40)
		fix_checksums(o, len);

	/* the worker's buffer: the frame, then room the reply may use */
	uint8_t *f = malloc(cap);
	CHECK(f);
	memcpy(f, o, len);
	memset(f + len, 0xa5, cap - len);

	uint8_t mapped[16] = { 0 }, mac_before[6], mac_after[6];
	bool na4 = na_mapped_target(o, len, mapped);
	int before = na4 ? tw_net_neigh_lookup(ctx, AF_INET, mapped, now, mac_before) : 0;

	struct tw_net_pkt p;
	enum tw_net_verdict v = tw_net_input(ctx, f, len, cap, now, &p);
	CHECK(p.drop < TW_NET_DROP_REASONS && p.exception < TW_NET_EXCEPTIONS && p.tags <= 2);
	CHECK(strcmp(tw_net_drop_str((enum tw_net_drop)p.drop), "?") != 0);
	CHECK(strcmp(tw_net_exception_str((enum tw_net_exception)p.exception), "?") != 0);
	CHECK(p.family == 0 || p.family == AF_INET || p.family == AF_INET6);
	if (na4) {
		int after = tw_net_neigh_lookup(ctx, AF_INET, mapped, now, mac_after);
		if (after != before || (after == 0 && memcmp(mac_before, mac_after, 6) != 0))
			fprintf(stderr,
				"an IPv6 advertisement for ::ffff:%u.%u.%u.%u changed the IPv4 "
				"neighbour %u.%u.%u.%u\n",
				mapped[0], mapped[1], mapped[2], mapped[3], mapped[0], mapped[1],
				mapped[2], mapped[3]);
		CHECK(after == before && (after != 0 || memcmp(mac_before, mac_after, 6) == 0));
	}
	switch (v) {
	case TW_NET_DROP:
		/* dropped and passed-on frames are left as they came */
		CHECK(p.drop != TW_NET_DROP_NONE && p.exception == 0 && p.reply_len == 0);
		CHECK(memcmp(f, o, len) == 0);
		break;
	case TW_NET_EXCEPTION:
		CHECK(p.exception != TW_NET_EXC_NONE && p.drop == 0 && p.reply_len == 0);
		CHECK(p.exception != TW_NET_EXC_FAMILY_OFF || !setups[si].v4);
		CHECK(memcmp(f, o, len) == 0);
		check_tags(&setups[si], &p);
		break;
	case TW_NET_UDP:
		check_udp(si, o, len, f, cap, &p, sel);
		break;
	case TW_NET_REPLY:
		check_reply(si, ctx, o, len, f, cap, &p);
		break;
	default:
		CHECK(!"verdict out of the enum");
	}
	if (p.family)
		originate(si, ctx, &p, o, len, sel);
	free(f);
	free(o);
	return 0;
}
