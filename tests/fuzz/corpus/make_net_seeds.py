#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_net.c into corpus/net/: Ethernet
frames built field by field, each after the target's selector octet (bits 0-1:
the port: 0 untagged, 1 802.1Q VLAN 100, 2 QinQ S-VLAN 200 + VLAN 100, 3 untagged
with IPv6 link-local only; bits 2-3: the spare room after the frame; bits 4-5:
the size of the UDP answer; bit 6: the target makes the frame's checksums right
first, so that mutations get past them; bit 7: the clock jumps 200 s). Python 3
standard library only. Run from anywhere:
    python3 tests/fuzz/corpus/make_net_seeds.py
The addresses are those of the target: us 02:00:00:00:00:01, 198.18.0.1/24,
2001:db8::1/64 and fe80::ff:fe00:1; a client 02:00:00:00:00:02, 198.18.0.10,
2001:db8::10 and fe80::ff:fe00:2 (its EUI-64 link-local address, RFC 4291 App. A);
the gateway 02:00:00:00:00:fe, 198.18.0.254, fe80::1."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "net")

UNTAGGED, VLAN, QINQ, LL_ONLY = 0, 1, 2, 3
ROOM_1, ROOM_7, ROOM_64, ROOM_2048 = 0, 4, 8, 12
ANSWER_EMPTY, ANSWER_SAME, ANSWER_ALL_ROOM, ANSWER_FROM_INPUT = 0x00, 0x10, 0x20, 0x30
FIX_CSUM, CLOCK_JUMP = 0x40, 0x80

MAC_US = bytes.fromhex("020000000001")
MAC_CLIENT = bytes.fromhex("020000000002")
MAC_GW = bytes.fromhex("0200000000fe")
MAC_BCAST = b"\xff" * 6
US4, CLIENT4 = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 10])
OTHER4, GW4 = bytes([198, 18, 0, 99]), bytes([198, 18, 0, 254])
FAR4 = bytes([203, 0, 113, 7])


def ip6(s):
    """IPv6 text (hex groups, at most one "::", no embedded IPv4) to 16 octets."""
    head, _, tail = s.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack(">8H", *(h + [0] * (8 - len(h) - len(t)) + t))


US6, CLIENT6, FAR6 = ip6("2001:db8::1"), ip6("2001:db8::10"), ip6("2001:db8:1::53")
LL_US, LL_CLIENT, LL_GW = ip6("fe80::ff:fe00:1"), ip6("fe80::ff:fe00:2"), ip6("fe80::1")
ALL_NODES, UNSPEC = ip6("ff02::1"), bytes(16)


def snm(a):
    """Solicited-node group (RFC 4291 §2.7.1) and its MAC (RFC 2464 §7)."""
    g = ip6("ff02::1:ff00:0")[:13] + a[13:]
    return g, b"\x33\x33" + g[12:]


def csum(data):
    """RFC 1071."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def eth(dst, src, ethertype, payload, tags=UNTAGGED, pcp=0, vid=None):
    """Ethernet with the tags of a port setup (802.1Q VLAN 100; QinQ 200 + 100)."""
    hdr = dst + src
    if tags == QINQ:
        hdr += struct.pack(">HH", 0x88A8, 200) + struct.pack(">HH", 0x8100, (pcp << 13) | 100)
    elif tags == VLAN:
        hdr += struct.pack(">HH", 0x8100, (pcp << 13) | 100)
    elif vid is not None:  # priority tag on an untagged port
        hdr += struct.pack(">HH", 0x8100, (pcp << 13) | vid)
    return hdr + struct.pack(">H", ethertype) + payload


def arp(op, sha, spa, tha, tpa):
    return struct.pack(">HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa


def ipv4(src, dst, proto, payload, ttl=64, ident=0x1234, flags=0, options=b"", tos=0, good=True):
    ihl = 5 + len(options) // 4
    hdr = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, tos, ihl * 4 + len(payload), ident, flags, ttl,
                      proto, 0, src, dst) + options
    c = csum(hdr) if good else 0xBEEF
    return hdr[:10] + struct.pack(">H", c) + hdr[12:] + payload


def ipv6(src, dst, nh, payload, hlim=64, tc=0, flow=0):
    return struct.pack(">IHBB", (6 << 28) | (tc << 20) | flow, len(payload), nh, hlim) + src + dst + payload


def udp4(src, dst, sport, dport, data, zero=False):
    u = struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data
    if zero:
        return u
    c = csum(src + dst + struct.pack(">BBH", 0, 17, len(u)) + u) or 0xFFFF
    return u[:6] + struct.pack(">H", c) + u[8:]


def l4_6(src, dst, nh, msg, csum_at):
    c = csum(src + dst + struct.pack(">IxxxB", len(msg), nh) + msg)
    if nh == 17:
        c = c or 0xFFFF
    return msg[:csum_at] + struct.pack(">H", c) + msg[csum_at + 2:]


def udp6(src, dst, sport, dport, data, zero=False):
    u = struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data
    return u if zero else l4_6(src, dst, 17, u, 6)


def icmp4(typ, code, rest):
    m = struct.pack(">BBH", typ, code, 0) + rest
    return m[:2] + struct.pack(">H", csum(m)) + m[4:]


def icmp6(src, dst, typ, code, rest):
    return l4_6(src, dst, 58, struct.pack(">BBH", typ, code, 0) + rest, 2)


def dns_query(ident, qname, qtype=1):
    q = b"".join(bytes([len(l)]) + l.encode() for l in qname.split(".")) + b"\0"
    return struct.pack(">6H", ident, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", qtype, 1)


def tcp_syn(sport, dport):
    # checksums of TCP are not checked in the fast path (the kernel gets it)
    return struct.pack(">HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 65535, 0, 0)


QUERY = dns_query(0x1A2B, "www.example.com")
QUERY_AAAA = dns_query(0x2B3C, "example.org", 28)
PING = struct.pack(">HH", 0x4242, 1) + bytes(range(56))


def seeds():
    s = {}
    sel = ROOM_2048 | FIX_CSUM  # mutations keep their checksums right

    def put(name, setup, frame, extra=sel):
        s[name] = bytes([setup | extra]) + frame

    # ARP (RFC 826, RFC 5227)
    req = arp(1, MAC_CLIENT, CLIENT4, bytes(6), US4)
    put("arp_request_for_us", UNTAGGED, eth(MAC_BCAST, MAC_CLIENT, 0x0806, req))
    put("arp_request_for_us_vlan", VLAN, eth(MAC_BCAST, MAC_CLIENT, 0x0806, req, VLAN, pcp=5))
    put("arp_request_for_us_qinq_no_room_to_pad", QINQ, eth(MAC_BCAST, MAC_CLIENT, 0x0806, req, QINQ),
        ROOM_1)
    put("arp_reply_from_gateway", UNTAGGED,
        eth(MAC_US, MAC_GW, 0x0806, arp(2, MAC_GW, GW4, MAC_US, US4)))
    put("arp_request_for_other_host", UNTAGGED,
        eth(MAC_BCAST, MAC_CLIENT, 0x0806, arp(1, MAC_CLIENT, CLIENT4, bytes(6), OTHER4)))
    put("arp_probe_unspecified_sender", UNTAGGED,
        eth(MAC_BCAST, MAC_CLIENT, 0x0806, arp(1, MAC_CLIENT, bytes(4), bytes(6), US4)))
    put("arp_gratuitous_claims_our_address", UNTAGGED,
        eth(MAC_BCAST, MAC_CLIENT, 0x0806, arp(1, MAC_CLIENT, US4, bytes(6), US4)))
    put("arp_on_ipv6_only_port", LL_ONLY, eth(MAC_BCAST, MAC_CLIENT, 0x0806, req))

    # ICMP echo (RFC 792, RFC 4443 §4)
    echo4 = ipv4(CLIENT4, US4, 1, icmp4(8, 0, PING), tos=0x03)
    put("icmp4_echo", UNTAGGED, eth(MAC_US, MAC_CLIENT, 0x0800, echo4))
    small = eth(MAC_US, MAC_CLIENT, 0x0800, ipv4(FAR4, US4, 1, icmp4(8, 0, b"\0\1\0\1")))
    put("icmp4_echo_minimal_ethernet_padding", UNTAGGED, small + bytes(60 - len(small)), ROOM_7)
    put("icmp4_dest_unreachable", UNTAGGED,
        eth(MAC_US, MAC_GW, 0x0800, ipv4(GW4, US4, 1, icmp4(3, 3, bytes(4) + echo4[:28]))))
    echo6 = ipv6(CLIENT6, US6, 58, icmp6(CLIENT6, US6, 128, 0, PING), tc=0x0B, flow=0x12345)
    put("icmp6_echo_global_qinq", QINQ, eth(MAC_US, MAC_CLIENT, 0x86DD, echo6, QINQ))
    put("icmp6_echo_link_local", LL_ONLY,
        eth(MAC_US, MAC_CLIENT, 0x86DD,
            ipv6(LL_CLIENT, LL_US, 58, icmp6(LL_CLIENT, LL_US, 128, 0, PING))))
    put("icmp6_echo_to_all_nodes", UNTAGGED,
        eth(bytes.fromhex("333300000001"), MAC_CLIENT, 0x86DD,
            ipv6(LL_CLIENT, ALL_NODES, 58, icmp6(LL_CLIENT, ALL_NODES, 128, 0, PING))))

    # neighbour discovery (RFC 4861 §4.3, §4.4, §7)
    for name, setup, src, target in (("global", UNTAGGED, CLIENT6, US6),
                                     ("link_local", VLAN, LL_CLIENT, LL_US),
                                     ("link_local_only_port", LL_ONLY, LL_CLIENT, LL_US)):
        g, gmac = snm(target)
        ns = icmp6(src, g, 135, 0, bytes(4) + target + b"\x01\x01" + MAC_CLIENT)
        put("nd_solicitation_" + name, setup,
            eth(gmac, MAC_CLIENT, 0x86DD, ipv6(src, g, 58, ns, hlim=255), setup))
    g, gmac = snm(US6)
    ns = icmp6(UNSPEC, g, 135, 0, bytes(4) + US6)
    put("nd_solicitation_dad", UNTAGGED, eth(gmac, MAC_CLIENT, 0x86DD, ipv6(UNSPEC, g, 58, ns, hlim=255)))
    ns = icmp6(CLIENT6, US6, 135, 0, bytes(4) + US6 + b"\x01\x01" + MAC_CLIENT)
    put("nd_solicitation_unicast_no_room", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x86DD, ipv6(CLIENT6, US6, 58, ns, hlim=255)), ROOM_1)
    na = icmp6(LL_GW, LL_US, 136, 0, b"\x60\0\0\0" + LL_GW + b"\x02\x01" + MAC_GW)
    put("nd_advertisement_solicited", UNTAGGED,
        eth(MAC_US, MAC_GW, 0x86DD, ipv6(LL_GW, LL_US, 58, na, hlim=255)))
    na = icmp6(LL_GW, ALL_NODES, 136, 0, b"\x20\0\0\0" + LL_GW + b"\x02\x01" + MAC_GW)
    put("nd_advertisement_unsolicited_all_nodes", UNTAGGED,
        eth(bytes.fromhex("333300000001"), MAC_GW, 0x86DD, ipv6(LL_GW, ALL_NODES, 58, na, hlim=255)))

    # UDP: DNS queries, with every answer size the selector gives
    q4 = ipv4(CLIENT4, US4, 17, udp4(CLIENT4, US4, 40000, 53, QUERY), tos=0xB9)
    put("udp4_dns_query_answer_empty", UNTAGGED, eth(MAC_US, MAC_CLIENT, 0x0800, q4), sel | ANSWER_EMPTY)
    put("udp4_dns_query_answer_same_size_no_fixup", UNTAGGED, eth(MAC_US, MAC_CLIENT, 0x0800, q4),
        ROOM_2048 | ANSWER_SAME)
    put("udp4_dns_query_vlan_answer_fills_room", VLAN, eth(MAC_US, MAC_CLIENT, 0x0800, q4, VLAN, pcp=7),
        ROOM_64 | FIX_CSUM | ANSWER_ALL_ROOM)
    put("udp4_dns_query_qinq_answer_from_input", QINQ, eth(MAC_US, MAC_CLIENT, 0x0800, q4, QINQ),
        sel | ANSWER_FROM_INPUT)
    put("udp4_dns_query_priority_tagged_clock_jump", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800, q4, vid=0, pcp=6), sel | ANSWER_SAME | CLOCK_JUMP)
    put("udp4_dns_query_from_beyond_gateway", UNTAGGED,
        eth(MAC_US, MAC_GW, 0x0800, ipv4(FAR4, US4, 17, udp4(FAR4, US4, 5353, 53, QUERY_AAAA))))
    put("udp4_zero_checksum", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800,
            ipv4(CLIENT4, US4, 17, udp4(CLIENT4, US4, 40001, 53, QUERY, zero=True))))
    put("udp4_ethernet_padding_after_datagram", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800, ipv4(CLIENT4, US4, 17, udp4(CLIENT4, US4, 40002, 53, b"x")))
        + bytes(20))
    q6 = ipv6(CLIENT6, US6, 17, udp6(CLIENT6, US6, 40000, 53, QUERY_AAAA), tc=0x2E, flow=0xABCDE)
    put("udp6_dns_query_global", UNTAGGED, eth(MAC_US, MAC_CLIENT, 0x86DD, q6), sel | ANSWER_SAME)
    put("udp6_dns_query_link_local", LL_ONLY,
        eth(MAC_US, MAC_CLIENT, 0x86DD, ipv6(LL_CLIENT, LL_US, 17, udp6(LL_CLIENT, LL_US, 40000, 53, QUERY))))
    put("udp6_zero_checksum", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x86DD,
            ipv6(CLIENT6, US6, 17, udp6(CLIENT6, US6, 40000, 53, QUERY, zero=True))),
        ROOM_2048)

    # exceptions: fragments, options, TCP, extension headers, other ethertypes
    whole = udp4(CLIENT4, US4, 40000, 53, QUERY + bytes(64))
    put("ip4_first_fragment", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800, ipv4(CLIENT4, US4, 17, whole[:48], flags=0x2000)))
    put("ip4_options_record_route", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800,
            ipv4(CLIENT4, US4, 17, udp4(CLIENT4, US4, 40000, 53, QUERY),
                 options=b"\x07\x07\x04" + bytes(4) + b"\x00")))
    put("tcp4_syn_port_53", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800, ipv4(CLIENT4, US4, 6, tcp_syn(40000, 53))))
    put("ip6_hop_by_hop_then_udp", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x86DD,
            ipv6(CLIENT6, US6, 0, b"\x11\x00" + bytes(6) + udp6(CLIENT6, US6, 40000, 53, QUERY))))
    put("lldp", UNTAGGED,
        eth(bytes.fromhex("0180c200000e"), MAC_GW, 0x88CC, bytes.fromhex("020704") + MAC_GW + bytes(40)))

    # drops
    put("ip4_bad_header_checksum", UNTAGGED,
        eth(MAC_US, MAC_CLIENT, 0x0800,
            ipv4(CLIENT4, US4, 17, udp4(CLIENT4, US4, 40000, 53, QUERY), good=False)),
        ROOM_2048)
    put("udp4_truncated_inside_header", UNTAGGED, eth(MAC_US, MAC_CLIENT, 0x0800, q4)[:14 + 20 + 5])
    put("udp4_wrong_vlan", VLAN, eth(MAC_US, MAC_CLIENT, 0x0800, q4, QINQ))
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.startswith("seed_"):
            os.remove(os.path.join(OUT, old))
    for name, frame in seeds().items():
        with open(os.path.join(OUT, "seed_" + name + ".bin"), "wb") as f:
            f.write(frame)


if __name__ == "__main__":
    main()
