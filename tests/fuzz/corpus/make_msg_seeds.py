#!/usr/bin/env python3
"""Writes the seed corpus of tests/fuzz/fuzz_msg.c into corpus/msg/: small DNS messages
assembled by hand (seed_*.bin), and the inputs that show bugs found by fuzzing
(regress_*.bin). Python 3 standard library only. Run from anywhere:
    python3 tests/fuzz/corpus/make_msg_seeds.py
The DNSSEC records are the RFC examples of ../shared/data/dnssec/rfc-signature-vectors.zone
(RFC 4034 §4.3 and §5.4, RFC 4509 §2.3, RFC 5155 Appendix A, RFC 5702 §6.1), encoded here."""
import base64
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "msg")

# RR types and classes used below
A, NS, CNAME, SOA, PTR, HINFO, MX, TXT, AAAA, SRV, NAPTR = 1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 35
DNAME, OPT, DS, SSHFP, RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM = 39, 41, 43, 44, 46, 47, 48, 50, 51
TLSA, SVCB, HTTPS, URI, CAA = 52, 64, 65, 256, 257
IN = 1
QR, AA, TC, RD, RA, AD, CD = 0x8000, 0x0400, 0x0200, 0x0100, 0x0080, 0x0020, 0x0010
EDNS_DO = 0x8000
HDR = 12  # the question name starts here


def name(s):
    """Presentation name (absolute, no escapes) -> uncompressed wire name."""
    out = b""
    if s != ".":
        for label in s.rstrip(".").split("."):
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def ptr(off):
    return struct.pack(">H", 0xC000 | off)


def hdr(ident, flags, qd=0, an=0, ns=0, ar=0):
    return struct.pack(">6H", ident, flags, qd, an, ns, ar)


def question(qname, qtype, qclass=IN):
    return qname + struct.pack(">HH", qtype, qclass)


def rr(owner, rtype, rdata, ttl=3600, cls=IN):
    return owner + struct.pack(">HHIH", rtype, cls, ttl, len(rdata)) + rdata


def option(code, data):
    return struct.pack(">HH", code, len(data)) + data


def opt(udp=1232, ext_rcode=0, version=0, flags=0, options=b""):
    return rr(b"\0", OPT, options, ttl=(ext_rcode << 24) | (version << 16) | flags, cls=udp)


def ede(code, text=b""):
    return option(15, struct.pack(">H", code) + text)


def bitmap(types):
    """RFC 4034 §4.1.2 type bitmap."""
    windows = {}
    for t in sorted(types):
        win = windows.setdefault(t >> 8, bytearray(32))
        win[(t & 0xFF) >> 3] |= 0x80 >> (t & 7)
    out = b""
    for w in sorted(windows):
        octets = bytes(windows[w]).rstrip(b"\0")
        out += bytes([w, len(octets)]) + octets
    return out


def rrsig(covered, alg, labels, ttl, expiration, inception, tag, signer, sig):
    return struct.pack(">HBBIIIH", covered, alg, labels, ttl, expiration, inception, tag) + signer + sig


def soa(mname, rname, serial=2024010101, refresh=7200, retry=3600, expire=1209600, minimum=300):
    return mname + rname + struct.pack(">5I", serial, refresh, retry, expire, minimum)


# RFC 4034 §5.4 DNSKEY and DS, RFC 4509 §2.3 DS (SHA-256)
RFC4034_KEY = base64.b64decode(
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMm"
    "mAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==")
RFC4034_DNSKEY = struct.pack(">HBB", 256, 3, 5) + RFC4034_KEY
RFC4034_DS1 = struct.pack(">HBB", 60485, 5, 1) + bytes.fromhex("2BB183AF5F22588179A53B0A98631FAD1A292118")
RFC4509_DS2 = struct.pack(">HBB", 60485, 5, 2) + bytes.fromhex(
    "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A")
# RFC 5702 §6.1 RSASHA256 key and signature over www.example.net. A 192.0.2.91
RFC5702_DNSKEY = struct.pack(">HBB", 256, 3, 8) + base64.b64decode(
    "AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk=")
RFC5702_RRSIG = rrsig(A, 8, 3, 3600, 1893456000, 946684800, 9033, name("example.net."),
                      base64.b64decode("kRCOH6u7l0QGy9qpC9l1sLncJcOKFLJ7GhiUOibu4teYp5VE9RncriShZNz8"
                                       "5mwlMgNEacFYK/lPtPiVYP4bwg=="))
# RFC 4034 §4.3 NSEC: alfa.example.com. NSEC host.example.com. A MX RRSIG NSEC TYPE1234
RFC4034_NSEC = name("host.example.com.") + bitmap([A, MX, RRSIG, NSEC, 1234])
# RFC 5155 Appendix A: NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM
RFC5155_HASH = base64.b32hexdecode("2T7B4G4VSA5SMI47K61MV5BV1A22BOJR")
RFC5155_NSEC3 = (bytes([1, 1, 0, 12, 4]) + bytes.fromhex("aabbccdd") + bytes([len(RFC5155_HASH)]) +
                 RFC5155_HASH + bitmap([NS, SOA, MX, RRSIG, DNSKEY, NSEC3PARAM]))
FAKE_SIG = bytes(range(64))  # stands in for signatures nobody verifies here


def seeds():
    s = {}
    www_com = name("www.example.com.")  # at 12: "example.com." at 16, "com." at 24
    www_net = name("www.example.net.")

    s["query_a_rd"] = hdr(0x1A2B, RD, qd=1) + question(www_com, A)
    s["query_dnskey_edns_do_cookie"] = (
        hdr(0x0001, RD | AD, qd=1, ar=1) + question(name("example.net."), DNSKEY) +
        opt(flags=EDNS_DO, options=option(10, bytes.fromhex("0123456789abcdef"))))
    s["response_a_owner_compressed"] = (
        hdr(0x1A2B, QR | RD | RA, qd=1, an=2) + question(www_com, A) +
        rr(ptr(HDR), A, bytes([192, 0, 2, 1]), ttl=300) +
        rr(ptr(HDR), A, bytes([192, 0, 2, 2]), ttl=200))
    # www.example.com CNAME web.example.com (web + pointer), web CNAME cdn.example.net., A
    m = hdr(0x2222, QR | RD | RA, qd=1, an=3) + question(www_com, A)
    web_at = len(m) + 12  # where the first CNAME's RDATA starts
    m += rr(ptr(HDR), CNAME, b"\3web" + ptr(16))
    cdn_at = len(m) + 2 + 10
    m += rr(ptr(web_at), CNAME, name("cdn.example.net."))
    m += rr(ptr(cdn_at), A, bytes([198, 51, 100, 7]), ttl=60)
    s["response_cname_chain_compressed"] = m
    # RFC 5702 §6.1: signed A, and the key in the additional section
    m = hdr(0x5702, QR | RD | RA | AD, qd=1, an=2, ar=2) + question(www_net, A)
    m += rr(ptr(HDR), A, bytes([192, 0, 2, 91]))
    m += rr(ptr(HDR), RRSIG, RFC5702_RRSIG)
    m += rr(ptr(16), DNSKEY, RFC5702_DNSKEY)
    m += opt(flags=EDNS_DO)
    s["response_rfc5702_signed_a_with_dnskey"] = m
    # RFC 4034 §5.4: DNSKEY and its two DS records
    dskey = name("dskey.example.com.")
    s["response_rfc4034_dnskey"] = (
        hdr(0x4034, QR | AA, qd=1, an=2, ar=1) + question(dskey, DNSKEY) +
        rr(ptr(HDR), DNSKEY, RFC4034_DNSKEY, ttl=86400) +
        rr(ptr(HDR), RRSIG, rrsig(DNSKEY, 5, 3, 86400, 1893456000, 946684800, 60485,
                                  name("dskey.example.com."), FAKE_SIG), ttl=86400) +
        opt(flags=EDNS_DO))
    s["response_rfc4034_rfc4509_ds"] = (
        hdr(0x4509, QR | AA, qd=1, an=3) + question(dskey, DS) +
        rr(ptr(HDR), DS, RFC4034_DS1, ttl=86400) + rr(ptr(HDR), DS, RFC4509_DS2, ttl=86400) +
        rr(ptr(HDR), RRSIG, rrsig(DS, 5, 2, 86400, 1893456000, 946684800, 12345,
                                  name("example.com."), FAKE_SIG), ttl=86400))
    # NXDOMAIN with SOA (compressed names) and the RFC 4034 §4.3 NSEC
    m = hdr(0x0003, QR | AA | 3, qd=1, ns=3, ar=1) + question(name("ghost.example.com."), A)
    m += rr(ptr(18), SOA, soa(b"\2ns" + ptr(18), b"\12hostmaster" + ptr(18)), ttl=300)
    m += rr(b"\4alfa" + ptr(18), NSEC, RFC4034_NSEC, ttl=300)
    m += rr(b"\4ALFA" + ptr(18), RRSIG, rrsig(NSEC, 13, 3, 300, 1893456000, 946684800, 55648,
                                              name("example.com."), FAKE_SIG), ttl=300)
    m += opt(flags=EDNS_DO)
    s["nxdomain_soa_nsec_rrsig"] = m
    # NXDOMAIN with the RFC 5155 Appendix A NSEC3
    m = hdr(0x5155, QR | AA | 3, qd=1, ns=3) + question(name("a.c.x.w.example."), A)
    ex = HDR + 8  # "example." inside the question name
    m += rr(ptr(ex), SOA, soa(b"\3ns1" + ptr(ex), b"\4bugs\1x\1w" + ptr(ex)), ttl=3600)
    n3 = b"\x200p9mhaveqvm6t7vbl5lop2u3t2rp3tom" + ptr(ex)
    m += rr(n3, NSEC3, RFC5155_NSEC3)
    m += rr(n3, RRSIG, rrsig(NSEC3, 7, 2, 3600, 1893456000, 946684800, 40430,
                             name("example."), FAKE_SIG))
    s["nxdomain_rfc5155_nsec3"] = m
    s["response_nsec3param"] = (
        hdr(0x0051, QR | AA, qd=1, an=1) + question(name("example."), NSEC3PARAM) +
        rr(ptr(HDR), NSEC3PARAM, bytes([1, 0, 0, 12, 4]) + bytes.fromhex("aabbccdd"), ttl=0))
    s["servfail_ede_dnssec_bogus"] = (
        hdr(0xBAD0, QR | RD | RA | 2, qd=1, ar=1) + question(www_com, A) +
        opt(options=ede(6, b"RRSIG over www.example.com/A did not verify")))
    # one of almost every type with a layout, compressed where RFC 3597 allows
    m = hdr(0x0011, QR | AA, qd=1, an=16) + question(name("example.org."), 255)
    o = ptr(HDR)
    m += rr(o, MX, struct.pack(">H", 10) + b"\4mail" + ptr(HDR))
    m += rr(b"\4_sip\4_tcp" + o, SRV, struct.pack(">HHH", 0, 5, 5060) + b"\3sip" + ptr(HDR))
    m += rr(o, TXT, b"\x0bv=spf1 -all\0\x05Hello")
    m += rr(b"\3www" + o, AAAA, bytes.fromhex("20010db8000000000000000000000001"))
    m += rr(name("1.2.0.192.in-addr.arpa."), PTR, b"\3www" + ptr(HDR))
    m += rr(b"\3old" + o, DNAME, name("example.net."))
    m += rr(b"\4_443\4_tcp\3www" + o, TLSA, bytes([3, 1, 1]) + bytes(range(32)))
    m += rr(o, CAA, b"\0\5issueletsencrypt.org")
    m += rr(b"\4host" + o, SSHFP, bytes([4, 2]) + bytes(range(32)))
    m += rr(b"\4host" + o, HINFO, b"\3x86\5Linux")
    m += rr(o, SOA, soa(b"\2ns" + o, b"\4root" + o))
    m += rr(b"\x01" + b"4" + o, NAPTR, struct.pack(">HH", 100, 10) + b"\1U\7E2U+sip\0" + ptr(HDR))
    m += rr(b"\4_dns" + o, SVCB, struct.pack(">H", 1) + name("dns.example.org.") + option(1, b"\3dot"))
    m += rr(o, HTTPS, struct.pack(">H", 1) + b"\0" + option(1, b"\2h2"))
    m += rr(b"\4_ftp" + o, URI, struct.pack(">HH", 10, 1) + b"ftp://ftp.example.org/")
    m += rr(o, 65534, b"\x01\x02\x03opaque", cls=7)
    s["response_many_types"] = m
    # referral with DS, glue, EDNS
    m = hdr(0x0E0E, QR, qd=1, ns=3, ar=3) + question(name("www.sub.example.com."), A)
    sub = HDR + 4
    ns1_at = len(m) + 2 + 10  # the NS RDATA: owner pointer, fixed part
    m += rr(ptr(sub), NS, b"\3ns1" + ptr(sub), ttl=86400)
    m += rr(ptr(sub), DS, RFC4509_DS2, ttl=86400)
    m += rr(ptr(sub), RRSIG, rrsig(DS, 8, 3, 86400, 1893456000, 946684800, 9033,
                                   name("example.com."), FAKE_SIG), ttl=86400)
    m += rr(ptr(ns1_at), A, bytes([192, 0, 2, 53]))
    m += rr(ptr(ns1_at), AAAA, bytes.fromhex("20010db8000000000000000000000035"))
    m += opt(udp=4096, flags=EDNS_DO)
    s["referral_ns_ds_glue"] = m
    s["badvers_extended_rcode"] = (
        hdr(0x0016, QR, qd=1, ar=1) + question(www_com, A) + opt(udp=512, ext_rcode=1, version=1))
    s["tc_empty_response_edns"] = (
        hdr(0x00C7, QR | TC | RD | RA, qd=1, ar=1) + question(www_com, TXT) + opt(udp=512))
    s["trailing_octets_after_query"] = hdr(0x7777, 0, qd=1) + question(www_com, A) + b"\xde\xad\xbe"
    # names pointing into an NS RDATA, mixed case
    m = hdr(0x0C0C, QR, qd=1, an=1, ar=1) + question(name("ExAmPle.CoM."), NS)
    ns_rd = len(m) + 2 + 10
    m += rr(ptr(HDR), NS, b"\3NS1" + ptr(HDR))
    m += rr(ptr(ns_rd), A, bytes([203, 0, 113, 1]))
    s["compression_into_rdata_mixed_case"] = m
    s["opt_cookie_padding_two_edes"] = (
        hdr(0x00E0, QR | 2, qd=1, ar=1) + question(www_com, A) +
        opt(flags=EDNS_DO, options=option(10, bytes(16)) + ede(9, b"no DNSKEY") + ede(22) +
            option(12, bytes(8))))
    # EDE INFO-CODE 65535 (private use, RFC 8914 §5.2) equals TW_EDE_NONE; a second EDE follows
    s["opt_ede_private_use_65535_then_ede_6"] = (
        hdr(0xEDE0, QR | 2, qd=1, ar=1) + question(www_com, A) +
        opt(options=ede(65535, b"private") + ede(6, b"bogus")))

    # hostile ones: every one of these must be refused by the parser
    full = s["response_a_owner_compressed"]
    s["bad_truncated_inside_rdata"] = full[:-2]
    s["bad_truncated_header"] = full[:5]
    s["bad_qname_points_at_itself"] = hdr(1, 0, qd=1) + ptr(HDR) + struct.pack(">HH", A, IN)
    # a CNAME pointing back at "a" + pointer hidden in an earlier TXT string, whose
    # pointer leads forward to the CNAME RDATA again
    m = hdr(2, QR, qd=1, an=2) + question(www_com, A)
    hidden = len(m) + 2 + 10 + 1  # inside the TXT RDATA, after the string length
    cname_rd = hidden - 1 + 5 + 2 + 10
    m += rr(ptr(HDR), TXT, b"\4\1a" + ptr(cname_rd))
    m += rr(ptr(HDR), CNAME, ptr(hidden))
    assert m[cname_rd:] == ptr(hidden)
    s["bad_pointer_loop_through_rdata"] = m
    s["bad_owner_points_forward"] = hdr(3, QR, an=1) + rr(ptr(28), A, bytes(4)) + name("x.")
    s["bad_rrsig_compressed_signer"] = (
        hdr(4, QR, qd=1, an=1) + question(www_com, A) +
        rr(ptr(HDR), RRSIG, rrsig(A, 8, 3, 3600, 1893456000, 946684800, 1, ptr(16), FAKE_SIG[:8])))
    s["bad_nsec_windows_out_of_order"] = (
        hdr(5, QR, an=1) + rr(name("a.example."), NSEC, name("b.example.") + b"\1\1\x40\0\1\x40"))
    s["bad_opt_in_answer"] = hdr(6, QR, an=1) + opt()
    s["bad_two_opts"] = hdr(7, QR, ar=2) + opt() + opt()
    s["bad_nsec3_zero_length_hash"] = (
        hdr(8, QR, an=1) + rr(name("x.example."), NSEC3, bytes([1, 0, 0, 0, 0, 0]) + bitmap([A])))
    s["bad_empty_txt"] = hdr(9, QR, an=1) + rr(name("t.example."), TXT, b"")
    return s


def findings():
    """Inputs that showed a bug found while fuzzing, kept as regression tests."""
    f = {}
    # One SIG record (RFC 2535; its signer may arrive compressed, RFC 3597 §4) whose
    # signer is a pointer to offset 14: the low octet of the record's TYPE (0x18 = 24)
    # read as a label length, so the label is the record's CLASS, TTL, RDLENGTH and
    # the first 16 octets of the SIG's fixed fields, ended by the key tag's high
    # octet (0). RDATA: 65512 octets on the wire, 65536 decompressed: more than
    # RDLENGTH can say, so tw_dns_rdata_canonical() must refuse it (-TW_EDNS_RDATA).
    rd_off = HDR + 1 + 10
    rdlen = 65535 - rd_off
    wire = hdr(0x5151, QR, an=1) + b"\0" + struct.pack(">HHIH", 24, IN, 0, rdlen)
    wire += bytes(18) + ptr(14) + b"\xab" * (rdlen - 20)
    assert len(wire) == 65535
    f["regress_sig_signer_decompresses_past_65535"] = wire
    return f


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.startswith(("seed_", "regress_")):
            os.remove(os.path.join(OUT, old))
    files = {"seed_" + k: v for k, v in seeds().items()}
    files.update(findings())
    for fname, wire in files.items():
        assert len(wire) <= 65535, fname
        with open(os.path.join(OUT, fname + ".bin"), "wb") as f:
            f.write(wire)


if __name__ == "__main__":
    main()
