/* The per-packet L2/L3/L4 layer of a worker lcore, on frames in memory: Ethernet
 * with 802.1Q (and 802.1ad QinQ) tags, ARP, IPv4, ICMP echo, IPv6, ICMPv6 echo
 * and neighbour discovery, UDP; the neighbour table; the Internet checksum.
 *
 * A frame is a pointer and a length (the worker passes rte_pktmbuf_mtod() of a
 * single-segment mbuf): nothing here knows DPDK. Every read is checked against
 * the frame's length; lengths found in headers are checked before they are used.
 * No allocation, lock or system call per packet.
 *
 * tw_net_input() sorts a received frame into one of four verdicts:
 *   TW_NET_UDP        a UDP datagram for one of our addresses, parsed into a
 *                     struct tw_net_pkt; the caller handles its payload
 *   TW_NET_REPLY      the frame was rewritten in place into the answer to send
 *                     back out the same port: ARP reply, ICMP/ICMPv6 echo reply,
 *                     neighbour advertisement
 *   TW_NET_EXCEPTION  legitimate traffic not handled in the fast path (fragments,
 *                     TCP, IPv4 options, IPv6 extension headers, other ethertypes,
 *                     ICMP errors, router advertisements...): the worker passes it
 *                     to the kernel (TAP port) or counts and drops it
 *   TW_NET_DROP       with a reason (enum tw_net_drop) for the counters
 * ARP packets and neighbour advertisements teach the neighbour table and are
 * then dropped (TW_NET_DROP_CONSUMED, or TW_NET_DROP_ARP_NOT_US for ARP about
 * other hosts: see tw_net_input()).
 *
 * Addresses, as everywhere in trustwire (mgmt/config.h, dataplane/pending.h): a
 * family, AF_INET or AF_INET6 (<sys/socket.h>), and 16 octets in network order,
 * IPv4 in the first 4 octets and the rest zero.
 *
 * Concurrency contracts use fixed sentences: "Setup time, any thread." (may
 * allocate), "Worker lcore only." (the lcore that owns the context: one context
 * per lcore and port, nothing shared), "Any thread." (pure functions).
 */
#ifndef TW_DATAPLANE_NET_H
#define TW_DATAPLANE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns/csum.h"

/* ---- configuration and life --------------------------------------------------------- */

/* The appliance's own addressing on one port. Addresses in network order. */
struct tw_net_if_conf {
	uint8_t mac[6];           /* our unicast MAC */
	uint16_t vlan;            /* 802.1Q VID 1..4094 frames must carry; 0: untagged */
	uint16_t svlan;           /* 802.1ad outer VID (TPID 0x88a8) before the 802.1Q
				   * tag; 0: no outer tag. Needs vlan. */
	uint8_t pcp;              /* 802.1p priority of frames we originate (0..7);
				   * replies keep the query's */
	/* IPv4: off when ip4 is 0.0.0.0 */
	uint8_t ip4[4];
	uint8_t ip4_prefix;       /* 1..32 */
	uint8_t gw4[4];           /* inside the prefix; 0.0.0.0: on-link only */
	/* IPv6: the link-local address fe80::/64 + EUI-64 of mac (RFC 4291 App. A)
	 * is always ours when ip6 is on */
	bool ip6;
	uint8_t ip6_global[16];   /* all zero: link-local only */
	uint8_t ip6_prefix;       /* 1..128, for ip6_global */
	uint8_t gw6[16];          /* usually the router's link-local; zero: none */
	/* neighbour table */
	uint32_t neigh_max;       /* entries (256), rounded up to whole sets of 8 */
	uint32_t neigh_ttl_ms;    /* an entry expires this long after it was last
				   * learned or confirmed (300000) */
};

/* Fills c with the defaults above and no address (both families off). */
void tw_net_if_conf_init(struct tw_net_if_conf *c);

struct tw_net_ctx;

/* New context for one port on one lcore: the configuration and an empty
 * neighbour table, cache-line aligned. Create it on the lcore that will use it so
 * its memory is local. NULL with err (capacity errcap) saying why: a bad
 * configuration (multicast MAC, VID above 4094, svlan without vlan, prefix out of
 * range, gateway outside the prefix...) or out of memory. Setup time, any thread. */
struct tw_net_ctx *tw_net_ctx_new(const struct tw_net_if_conf *conf, char *err, size_t errcap);

/* Frees the context; NULL is fine. Setup time, any thread. */
void tw_net_ctx_free(struct tw_net_ctx *ctx);

/* ---- receiving ---------------------------------------------------------------------- */

enum tw_net_verdict {
	TW_NET_DROP = 0,
	TW_NET_UDP = 1,
	TW_NET_REPLY = 2,
	TW_NET_EXCEPTION = 3,
};

/* Why a frame was dropped: index of the worker's counters. */
enum tw_net_drop {
	TW_NET_DROP_NONE = 0,
	TW_NET_DROP_SHORT,        /* the frame ends inside a header */
	TW_NET_DROP_LONG,         /* longer than 65535 octets */
	TW_NET_DROP_SRC_MAC,      /* source MAC multicast, or ours (a loop) */
	TW_NET_DROP_VLAN,         /* tag missing, unexpected, or of another VLAN */
	TW_NET_DROP_DST_MAC,      /* destination MAC not ours, nor a group we are in */
	TW_NET_DROP_ARP_BAD,      /* ARP not Ethernet/IPv4, unknown operation */
	TW_NET_DROP_ARP_NOT_US,   /* ARP whose target address is not ours */
	TW_NET_DROP_CONFLICT,     /* another host claims one of our addresses */
	TW_NET_DROP_CONSUMED,     /* ARP reply or neighbour advertisement, learned */
	TW_NET_DROP_IP4_HDR,      /* version, IHL, total length short or past the frame */
	TW_NET_DROP_IP4_CSUM,     /* IPv4 header checksum */
	TW_NET_DROP_IP6_HDR,      /* version, payload length past the frame */
	TW_NET_DROP_NOT_US,       /* IP destination not ours */
	TW_NET_DROP_SRC_ADDR,     /* IP source multicast, broadcast, loopback,
				   * unspecified (outside DAD) or ours */
	TW_NET_DROP_UDP_BAD,      /* UDP length below 8 or past the IP payload; port 0 */
	TW_NET_DROP_UDP_CSUM,     /* UDP checksum wrong */
	TW_NET_DROP_UDP_CSUM_ZERO, /* IPv6 UDP without checksum (RFC 8200 §8.1) */
	TW_NET_DROP_ICMP_BAD,     /* ICMP/ICMPv6 message too short for its type */
	TW_NET_DROP_ICMP_CSUM,    /* ICMP checksum wrong */
	TW_NET_DROP_ICMP6_CSUM,   /* ICMPv6 checksum wrong (pseudo-header included) */
	TW_NET_DROP_ND_HOP_LIMIT, /* ND with hop limit other than 255 (RFC 4861 §7.1) */
	TW_NET_DROP_ND_BAD,       /* ND failing RFC 4861 §7.1.1/§7.1.2 validation */
	TW_NET_DROP_ND_NOT_US,    /* neighbour solicitation for another target */
	TW_NET_DROP_NO_ROOM,      /* the reply would not fit the buffer (cap) */
	TW_NET_DROP_REASONS
};

/* What kind of traffic an exception is: index of the worker's counters. */
enum tw_net_exception {
	TW_NET_EXC_NONE = 0,
	TW_NET_EXC_ETHERTYPE,     /* neither ARP, IPv4 nor IPv6 (LLDP, 802.3 LLC...) */
	TW_NET_EXC_FAMILY_OFF,    /* ARP/IPv4 or IPv6 on a port without that family */
	TW_NET_EXC_IP4_FRAG,      /* IPv4 fragment (MF or offset) */
	TW_NET_EXC_IP4_OPTIONS,   /* IPv4 header with options (IHL > 5) */
	TW_NET_EXC_IP6_EXT,       /* IPv6 extension header (not walked here) */
	TW_NET_EXC_TCP,           /* TCP to one of our addresses */
	TW_NET_EXC_PROTO,         /* another IP protocol to one of our addresses */
	TW_NET_EXC_ICMP,          /* ICMP/ICMPv6 not answered here (errors, RA, MLD,
				   * echo to a multicast group) */
	TW_NET_EXCEPTIONS
};

/* Short static names ("short", "ip4-csum", ...); never NULL, "?" out of range.
 * Any thread. */
const char *tw_net_drop_str(enum tw_net_drop d);
const char *tw_net_exception_str(enum tw_net_exception e);

/* A frame as tw_net_input() parsed it. For TW_NET_UDP every field is set. For
 * the other verdicts the fields parsed before the decision are set and the rest
 * zero; drop, exception and reply_len go with their verdict. */
struct tw_net_pkt {
	uint8_t family;           /* AF_INET or AF_INET6; 0 before L3 */
	uint8_t drop;             /* enum tw_net_drop */
	uint8_t exception;        /* enum tw_net_exception */
	uint8_t tags;             /* VLAN tags: 0, 1 (802.1Q) or 2 (802.1ad + 802.1Q) */
	uint16_t tci;             /* the 802.1Q tag's PCP/DEI/VID (tags >= 1) */
	uint16_t outer_tci;       /* the 802.1ad tag's (tags == 2) */
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint8_t src[16];          /* IP addresses; IPv4 in the first 4 octets */
	uint8_t dst[16];
	uint16_t sport;           /* UDP ports, host order */
	uint16_t dport;
	uint16_t l3;              /* offsets in the frame: the IP header, */
	uint16_t l4;              /* the UDP header */
	uint16_t payload;         /* and the UDP payload */
	uint16_t payload_len;     /* from the UDP length: Ethernet padding excluded */
	uint16_t reply_len;       /* TW_NET_REPLY: the reply's frame length */
	uint8_t hop_limit;        /* TTL or hop limit as received */
};

/* Handles one received frame (len octets at frame, in a buffer of cap octets:
 * cap >= len; a reply may grow the frame up to cap) at time now_ms (a monotonic
 * millisecond clock; it ages the neighbour table). Fills *out and returns the
 * verdict:
 *   TW_NET_UDP        a UDP datagram to our unicast address with a valid IPv4
 *                     header checksum and a valid UDP checksum (IPv4: unless zero;
 *                     IPv6: zero is invalid, RFC 8200 §8.1), source and
 *                     destination ports nonzero; Ethernet padding after the IP
 *                     datagram is ignored
 *   TW_NET_REPLY      frame[0..out->reply_len) is the reply to transmit on the
 *                     same port; VLAN tags kept as received (PCP included); a
 *                     reply under 60 octets is zero-padded to 60 when cap allows
 *   TW_NET_EXCEPTION  out->exception says what
 *   TW_NET_DROP       out->drop says why
 * Neighbours are learned from (RFC 826 "merge"): any ARP packet whose sender is
 * already in the table refreshes it, ARP requests and replies whose target is our
 * address add their sender when it lies inside our IPv4 prefix; neighbour
 * solicitations with a source link-layer option add their source, advertisements
 * addressed to us add their target and multicast ones refresh an existing entry
 * (RFC 4861 §7.2.3, §7.2.5). ARP about other hosts is therefore learned from and
 * still dropped (TW_NET_DROP_ARP_NOT_US). Worker lcore only. */
enum tw_net_verdict tw_net_input(struct tw_net_ctx *ctx, uint8_t *frame, size_t len, size_t cap,
				 uint64_t now_ms, struct tw_net_pkt *out);

/* ---- sending UDP -------------------------------------------------------------------- */

/* Turns the datagram that tw_net_input() parsed into `in` (TW_NET_UDP), whose
 * payload the caller has overwritten with payload_len octets at in->payload,
 * into the reply: MACs, addresses and ports swapped, VLAN tags as received, IP
 * total/payload length, TTL/hop limit 64, IPv4 DF set and ECN cleared, header
 * checksum, UDP length and checksum (computed for IPv4 too). The Ethernet, IP and
 * UDP headers are written from `in`, so the frame only needs the original tags
 * and IPv4 TOS/ID or IPv6 traffic class/flow label. The caller guarantees the
 * buffer holds in->payload + payload_len octets. Returns the frame length, or
 * 0 when payload_len does not fit the IP length field. Any thread. */
size_t tw_net_udp_reply(const struct tw_net_pkt *in, uint8_t *frame, uint16_t payload_len);

/* tw_net_udp_reply() for a payload whose one's complement sum the caller has
 * (tw_csum_partial() of its octets, 0 to 0x1ffff; a ready answer keeps its own):
 * the payload is not read again. Any thread. */
size_t tw_net_udp_reply_sum(const struct tw_net_pkt *in, uint8_t *frame, uint16_t payload_len,
			    uint32_t payload_sum);

/* The next hop towards (family, dst): dst itself inside an on-link prefix (our
 * IPv4 prefix; our IPv6 prefix or fe80::/10), else the gateway. Writes it to hop
 * (16 octets, same family). Returns
 *   0            hop written
 *   -TW_EINVAL   no route: family unknown or off, no gateway, or dst unspecified,
 *                loopback, multicast, broadcast or ours
 * Worker lcore only. */
int tw_net_next_hop(const struct tw_net_ctx *ctx, int family, const uint8_t dst[16],
		    uint8_t hop[16]);

/* Writes the Ethernet (our MAC to the next hop's as known at now_ms), tags
 * (conf.pcp), IP (from our address: the link-local one towards link-local
 * destinations; TTL/hop limit 64, IPv4 DF) and UDP headers of a new datagram to
 * (family, dst):dport from sport into frame (capacity cap); *hdr_len gets their
 * length. The caller then writes the payload at frame + *hdr_len and calls
 * tw_net_udp_finish(). Returns
 *   0            headers written
 *   -TW_EINVAL   no route (tw_net_next_hop()) or a port 0
 *   -TW_ENOENT   the next hop's MAC is unknown or expired: send tw_net_solicit()
 *   -TW_ENOSPC   cap is smaller than the headers
 * nothing usable written on error. Worker lcore only. */
int tw_net_udp_header(struct tw_net_ctx *ctx, int family, const uint8_t dst[16], uint16_t sport,
		      uint16_t dport, uint64_t now_ms, uint8_t *frame, size_t cap, size_t *hdr_len);

/* Sets the IP and UDP lengths and checksums of a frame made by
 * tw_net_udp_header() (hdr_len octets of headers, payload_len of payload after
 * them). Returns the frame length, or 0 when payload_len does not fit the IP
 * length field. Any thread. */
size_t tw_net_udp_finish(uint8_t *frame, size_t hdr_len, size_t payload_len);

/* Builds into frame (capacity cap) the request for the next hop's MAC towards
 * (family, dst): an ARP request (broadcast, RFC 826; zero-padded to 60 octets
 * when cap allows) or a neighbour solicitation to the next hop's solicited-node
 * group with our source link-layer option (RFC 4861 §7.2.2). Returns its length,
 * or 0 when there is no route or cap is too small.
 * The caller rate-limits (tw_net_neigh_known() says when one is due).
 * Worker lcore only. */
size_t tw_net_solicit(struct tw_net_ctx *ctx, int family, const uint8_t dst[16], uint8_t *frame,
		      size_t cap);

/* ---- neighbour table ---------------------------------------------------------------- */

/* Copies the MAC learned for the neighbour (family, ip) to mac. Returns
 *   0            found and unexpired at now_ms
 *   -TW_ENOENT   unknown or expired
 *   -TW_EINVAL   family neither AF_INET nor AF_INET6
 * Worker lcore only. */
int tw_net_neigh_lookup(const struct tw_net_ctx *ctx, int family, const uint8_t ip[16],
			uint64_t now_ms, uint8_t mac[6]);

/* Whether the next hop towards (family, dst) needs no solicitation at now_ms:
 * true while its MAC was learned less than half of conf.neigh_ttl_ms ago. False
 * when it is unknown, expired, or in the second half of its life: a
 * tw_net_solicit() now refreshes it before it expires (until then it still
 * serves tw_net_udp_header()); also false when there is no route. A worker
 * calls it on a timer for each upstream and solicits on false.
 * Worker lcore only. */
bool tw_net_neigh_known(const struct tw_net_ctx *ctx, int family, const uint8_t dst[16],
			uint64_t now_ms);

#endif
