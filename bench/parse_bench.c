/* parse_bench: DNS message parsing throughput of trustwire's dns/ against libknot's
 * knot_pkt_parse(), on the same bytes, per message class, all measured in one run.
 *
 * Usage: parse_bench [--seconds N] [--json] [--case NAME[,NAME...]] [--knot-canon]
 *
 * The messages are built at start-up from zone-file text in this file: read with
 * tw_dns_zreader (dns/zone.h) and assembled with tw_dns_build (dns/build.h), so
 * they are real wire format with real name compression. Before anything is timed,
 * both parsers must accept every message and agree on it record by record (section
 * counts, owner, type, class, TTL and the decompressed RDATA); otherwise the run
 * stops with exit status 1, as it does if a parse fails while timing.
 *
 * What each side does per message (this is what the figures compare):
 *
 *   ours, "parse": tw_dns_msg_parse() into a caller array of struct tw_dns_rr.
 *     Header and question, then per RR: the owner name walked (pointers followed
 *     and checked, nothing copied), the fixed fields read, the RDATA checked
 *     against its type's layout (embedded names walked, NSEC/NSEC3 bitmaps and
 *     TXT strings checked), the OPT record and its options checked. The result is
 *     an index of 16-octet entries of offsets into the caller's buffer: no copy,
 *     no allocation.
 *
 *   ours, "+group": the same parse, then tw_dns_rrsets_group() over the answer,
 *     authority and additional sections: RRs linked into RRsets by owner, type and
 *     class, each RRSIG attached to the set it covers. This is more work than
 *     libknot's parse does (see below), shown so the cost of grouping is visible.
 *
 *   libknot, knot_pkt_parse() (libknot/packet/pkt.h): header and question (QNAME
 *     checked, and copied lower-cased into pkt->lower_qname), then per RR
 *     knot_rrset_rr_from_wire(): the owner checked, decompressed into a stack
 *     buffer and copied into memory from the packet's mm context; the RDATA
 *     walked by its descriptor into a stack buffer (fixed blocks copied, every
 *     embedded name decompressed), then copied into a knot_rdataset allocated
 *     from mm. So two allocations per RR, and owner and RDATA are each copied
 *     twice. OPT is checked and a 144-octet EDNS option index allocated (and the
 *     packet's RR arrays, 76 octets per RR, on its first use). Every RR becomes
 *     its own knot_rrset_t holding one RDATA: knot_pkt_parse does NOT merge RRs
 *     into RRsets and does not attach RRSIGs, so "parse" is the like-for-like row.
 *     libknot is given its cheapest legitimate way to parse repeatedly:
 *       - the mm context is a bump arena whose free() does nothing and which is
 *         rewound between messages (what knotd does with its per-request
 *         mempool), so no malloc/free is timed;
 *       - it is timed in two ways and the faster one is the peer figure:
 *         "new": per message knot_pkt_new() over libknot's copy of the wire in
 *         the rewound arena, then knot_pkt_parse(), as knotd's UDP handler does
 *         per datagram (knot_pkt_new zeroes the whole 464-octet knot_pkt_t);
 *         "reuse": one knot_pkt_t made once; per message knot_pkt_clear() (which
 *         frees the RRs and zeroes the 12 header octets of the wire), the header
 *         restored, pkt->size set back to the length, then knot_pkt_parse() (the
 *         RR arrays sized by the first parse are kept);
 *       - KNOT_PF_NOCANON: owners and RDATA names keep their case, as ours do
 *         (--knot-canon parses with flags 0, lower-casing them: more work).
 *     libknot parses its own copies of the same octets (knot_pkt_clear writes).
 *
 * Figures are messages per second of wall-clock time (CLOCK_MONOTONIC): the median
 * over rounds in which every case runs ours, ours+group and both libknot ways for
 * a short slice each, in an order that rotates from round to round, so that a
 * busy, shared machine slows both sides alike. A checksum of the results is
 * printed to stderr so that no parse can be optimised away.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libknot/libknot.h>

#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#define DEFAULT_SECONDS 30.0
#define SLICE_SECONDS 0.050 /* one runner on one case, per round */
#define MIN_SLICE 0.002
#define MIN_ROUNDS 7
#define MAX_ROUNDS 201
#define BATCH 32            /* parses between two clock reads */
#define MSG_MAX 4096
#define RR_CAP 128
#define SET_CAP 128
#define ARENA_SIZE (256 * 1024)

/* ---- fixtures ------------------------------------------------------------ */

/* Placeholder signatures below are marked "(placeholder)": 64 octets of filler of
 * an ECDSA P-256 / RSA-512 signature's size (SHA-256 of a label, iterated), not
 * valid signatures. Parsing does not verify, so only the size matters.
 *
 * Records marked "genuine root" are copied verbatim from
 * ../shared/data/dnssec/root-2026093001-apex-excerpt.zone: ICANN/IANA root zone
 * data, serial 2026093001, redistribution permitted. The root-servers.net glue is
 * from the IANA root hints file (/usr/share/dns/root.hints, Debian dns-root-data)
 * with the root zone's TTL. The www.example.net A RRSIG is the genuine RFC 6605
 * §6.1 example. The NSEC3 response follows RFC 5155 Appendix B.1 (name error for
 * a.c.x.w.example): hashes, salt, iterations and type bitmaps as in the RFC. */

static const char root_dnskey_an[] =
	/* genuine root */
	".	172800	IN	DNSKEY	256 3 8 AwEAAcorNxNc9t0ue1ZenPjVMRujlQ2YLBJ0pR/4XMjHby9vr03cRxFSKnWpxeg5PL384D9VeqdS1bjrGyTsHtoagzI3NiXFd8sjHMOnZxu5pp/+UBIg7tasYgVMMdUiM1Yu/c+t30d1Qw/v6NYLNnOnywTu6HuUh7Y1sZRq/GZcrxLENXHQoyKpOrOr8R3+qd6wK69IKB80ZBZtkX9rdEqKJk+yYXjEZzZ0zkAFthmNgCreAoU9PVlU66dyOsaLjf3wKUlUm9SNOKs+tK6LuSmRbK6+1T/tPaRaMBSEuv2G6vXfnJ1uyMbGvtpRn/YDcvTjrp6DzE6XyF44QdwJ3oKx4ek=\n"
	".	172800	IN	DNSKEY	256 3 8 AwEAAeCYD6Z7WWKVLeuWgowKP+3g+Gs1cnLKq7a3CaQxQpv8bfuFVI0WnG33qaSH/Mw9IBgifrdzf4XY/DQLnyBJ9MfaOyAWuEaEmYJ+GQPiwVVfstGwSA1McfFJUttTgq2Huu74KARhtA8wPo/N3XcyYQtNhz+qCM5NBb3ecx/naw6sYab9LxS6f2cU0q03++BP5Ks0Uef8WJCa/1izCYE+vMkwoltV+tENa3hpXiZ7jle/xdgaZrPi5ZGmyLVI34g1XVYrNlsCCTmNvFQIfzW5STFQFsQpizczyFn9r3LzSxxPCNwdlCG84bER0BmdwqbF6Tanv+FxMOavrahkj4wIy5k=\n"
	".	172800	IN	DNSKEY	257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=\n"
	".	172800	IN	DNSKEY	257 3 8 AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=\n"
	".	172800	IN	RRSIG	DNSKEY 8 0 172800 20261010000000 20260919000000 20326 . SeT2U+BKi7S4R7OPnQ0EBjS6DtsNPasISEAE3iOUQWl552IWiqHLBYkZOa5au73wjV5oH9vQleMBgtIQleByqX74kORDKMmx+EIhhDmiNOf9w33OqM4+s0Etem28QjqQ9e4QgsKI6N39HDMedL31iybJn6ghPcDT73IyzgTs6mtyV+Lpu1ZqH1yXNNB34YsEzgquGDKU7QkAlQMupqKlZOhJC2pj4724FzjrMXq68MYAitHMmfnrm2/iqP8i0jIrIQgIl4mVOO4VxMZEsQa+ESJWEBQJ3Fu3jLRII/xIEq1qXb8F87yhBvKhzuyLfQGaKttdkN9oudecqKuNezNp0g==\n";

static const char a_ns_an[] =
	"www.example.net.	3600	IN	A	192.0.2.1\n"
	/* genuine: RFC 6605 §6.1 */
	"www.example.net.	3600	IN	RRSIG	A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==\n";
static const char a_ns_ns[] =
	"example.net.	3600	IN	NS	ns1.example.net.\n"
	"example.net.	3600	IN	NS	ns2.example.net.\n"
	"example.net.	3600	IN	RRSIG	NS 13 2 3600 20100909100439 20100812100439 55648 example.net. ( ; (placeholder)\n"
	"	aSz5DpI0JBIp4Rl0cRnCbU5j8riaAb97lEQjlusQBrhgidovfKTaPds5spKThQXQ3Ru5B03hV5cS/EjxIbVIwg== )\n";
static const char a_ns_ar[] =
	"ns1.example.net.	3600	IN	A	192.0.2.53\n"
	"ns1.example.net.	3600	IN	AAAA	2001:db8::53\n"
	"ns2.example.net.	3600	IN	A	198.51.100.53\n"
	"ns2.example.net.	3600	IN	AAAA	2001:db8:1::53\n";

static const char cname_an[] =
	"www.example.com.	300	IN	CNAME	www.example.org.\n"
	"www.example.com.	300	IN	RRSIG	CNAME 13 3 300 20261013120000 20260930110000 31589 example.com. ( ; (placeholder)\n"
	"	vbVWm9esYbYvSq0Y97yCAsNYvCDYcUVl3qMXIWrMnE7r8EeGKNCcx2U0WLWF5MxD5lSVSVWMIahNZRPH58ttmg== )\n"
	"www.example.org.	300	IN	CNAME	www.example.net.\n"
	"www.example.org.	300	IN	RRSIG	CNAME 13 3 300 20261013120000 20260930110000 47005 example.org. ( ; (placeholder)\n"
	"	/X5t7guKFY6YG4OZGUyHr/1ddLAm5LfCapglgkkxX1rIfVBx4w5N6N7xQ+/vLSoIybIWoMRR7eFhRlBgdj0SPQ== )\n"
	"www.example.net.	3600	IN	A	192.0.2.1\n"
	/* genuine: RFC 6605 §6.1 */
	"www.example.net.	3600	IN	RRSIG	A 13 3 3600 20100909100439 20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==\n";

/* RFC 5155 Appendix B.1: the closest encloser x.w.example (b4um86...) matched, the
 * next closer c.x.w.example (0va5bp...) covered by the apex's NSEC3, the wildcard
 * *.x.w.example (92pqne...) covered by a.example's. Signatures: algorithm 7 with
 * the RFC's 512-bit key, so 64 octets; here placeholders. */
static const char nsec3_ns[] =
	"$ORIGIN example.\n"
	"@	3600	IN	SOA	ns1 bugs.x.w 1 3600 300 3600000 3600\n"
	"@	3600	IN	RRSIG	SOA 7 1 3600 20150420235959 20051021000000 40430 example. ( ; (placeholder)\n"
	"	D1FEOqApDdqlKPokqVyNwT2dTysuUn6GLwKgsayIgm0nMI0sScRIikU+Pz5n++6bdMqGTNGEV0cdyoRfkrG06g== )\n"
	"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom	3600	IN	NSEC3	1 1 12 aabbccdd (\n"
	"	2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM )\n"
	"0p9mhaveqvm6t7vbl5lop2u3t2rp3tom	3600	IN	RRSIG	NSEC3 7 2 3600 20150420235959 20051021000000 40430 example. ( ; (placeholder)\n"
	"	65WmYTLCwiLiVMuTCG0WgWvj8DQ1htl+buGKWEoavAyWmzczdTihHuRXQYf+dBAmsizMkHoiAKDarIpo8KvWWQ== )\n"
	"b4um86eghhds6nea196smvmlo4ors995	3600	IN	NSEC3	1 1 12 aabbccdd (\n"
	"	gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG )\n"
	"b4um86eghhds6nea196smvmlo4ors995	3600	IN	RRSIG	NSEC3 7 2 3600 20150420235959 20051021000000 40430 example. ( ; (placeholder)\n"
	"	V3VIJBI8ut+OVgnCUD9FpBJ2QbW9sYUc9v5+jLRq8qWvDBH6Cs8yy6LjoNDPM3GINGuoLqISq3lM76FKQ8ZBXw== )\n"
	"35mthgpgcu1qg68fab165klnsnk3dpvl	3600	IN	NSEC3	1 1 12 aabbccdd (\n"
	"	b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG )\n"
	"35mthgpgcu1qg68fab165klnsnk3dpvl	3600	IN	RRSIG	NSEC3 7 2 3600 20150420235959 20051021000000 40430 example. ( ; (placeholder)\n"
	"	wW0EtTgF9gHbtAFOc9cZa3HzKuxAqj5dl1xK1w3OffZyfsn/FtWrVFMVIRCOAVzsccnFfxNihFfvTaL3iIVWEQ== )\n";

/* NODATA for ". A" from a root server: all genuine root. */
static const char nsec_ns[] =
	".	86400	IN	SOA	a.root-servers.net. nstld.verisign-grs.com. 2026093001 1800 900 604800 86400\n"
	".	86400	IN	RRSIG	SOA 8 0 86400 20261013120000 20260930110000 57780 . X0nN9RXIlRf6VKQGmHnjaERv+5jtT7wnZz/x5/fN231xounV3blSXMJucxYuuUxsQEidIhvP1X22G9XGqMirB/eVi/9HTnRenqpUoDfzBql1ZJCStho7w7wpnqD+fPXyWxKzQHCgoiKsQcYufE0vD9Glg0AiHw3Ie+Celqg4cDZm2O6Ke3EnVYLiujMnrtXK15rW/wpjViv6SShqaCFZvbSQolQmhiZtjy0DefI8DQRg0ai9IzJBq6frZArpTN1iJvGO9itTLX+l+2Nlrw0GVUr6XFWlLEfJyT/0Qc6is4zBltqCrqGLFwvZDLLAxrnO/D1rlbV1l6XQIgIoHwHvEg==\n"
	".	86400	IN	NSEC	aaa. NS SOA RRSIG NSEC DNSKEY ZONEMD\n"
	".	86400	IN	RRSIG	NSEC 8 0 86400 20261013120000 20260930110000 57780 . sJHlGHh8jc7cNFCKFEd2aEzARNtqbgl3up6KqOON3dwCUIyF/rxW709xMHqeUrsr5oLsFUcs0eNPZXTix3yhcIY1DMa7vuxB0yb6YdlnDXiq7Rxu1fgM/+NGiGZFl0oeem936Vu0Xvu6hPlH378XuwV/cUzOyGbhmR+NJ8Y5WGj9cs5667czt9PtDwCPuNwI1tw2F5pI5rne/Ofc8t4zvCr56D37jeGJnUTamA/p7wXxPcIXqPUsTEJxUDlTAXYL5WGdtZ/ne+DEEnM6p4t2rqAe/wQJgXaA3kwFSnmiPf14xlnHXd0k1D6zrBRUiwsY5//SzcAJuVLaRwNQ26/Nzw==\n";

/* The priming response (". NS" with DO): 13 NS and their genuine RRSIG, 26 glue
 * records; 39 compressed names. */
static const char priming_an[] =
	"$ORIGIN root-servers.net.\n"
	".	518400	IN	NS	a\n"
	".	518400	IN	NS	b\n"
	".	518400	IN	NS	c\n"
	".	518400	IN	NS	d\n"
	".	518400	IN	NS	e\n"
	".	518400	IN	NS	f\n"
	".	518400	IN	NS	g\n"
	".	518400	IN	NS	h\n"
	".	518400	IN	NS	i\n"
	".	518400	IN	NS	j\n"
	".	518400	IN	NS	k\n"
	".	518400	IN	NS	l\n"
	".	518400	IN	NS	m\n"
	/* genuine root */
	".	518400	IN	RRSIG	NS 8 0 518400 20261013120000 20260930110000 57780 . T7vhha8aHMNAEEktBOeInhx4fcDCuMhdxNwQIBo/cxied9Xjwc1d8JeJVv64dMwtuqiWOyCnA242UVM4IxM6fT7LDPayuV2eW3plD+5RVyv+xeLCTL/+FDYYflFHqp8f2rF3wOYtRTdXHDznP6ARAaOwZNq2VMSKY4gfrxR5ir/le7pQE14SPqCWx5TXjt7v2OKNrXGS9V1DdDIsK92oP/0t5DgdPQ3K7aYxUjULzqrWsbJaZMQ6e/CBvfYcO/UupkBX5/QveI8i2itJm7pZ0dHgp6CKPiRm1rH8ow/gtZvGCrHWwpyZ8tVBGltLWaWGwQtsVNIz557TsJJcMYeqqQ==\n";
static const char priming_ar[] =
	"$ORIGIN root-servers.net.\n"
	"a	518400	IN	A	198.41.0.4\n"
	"b	518400	IN	A	170.247.170.2\n"
	"c	518400	IN	A	192.33.4.12\n"
	"d	518400	IN	A	199.7.91.13\n"
	"e	518400	IN	A	192.203.230.10\n"
	"f	518400	IN	A	192.5.5.241\n"
	"g	518400	IN	A	192.112.36.4\n"
	"h	518400	IN	A	198.97.190.53\n"
	"i	518400	IN	A	192.36.148.17\n"
	"j	518400	IN	A	192.58.128.30\n"
	"k	518400	IN	A	193.0.14.129\n"
	"l	518400	IN	A	199.7.83.42\n"
	"m	518400	IN	A	202.12.27.33\n"
	"a	518400	IN	AAAA	2001:503:ba3e::2:30\n"
	"b	518400	IN	AAAA	2801:1b8:10::b\n"
	"c	518400	IN	AAAA	2001:500:2::c\n"
	"d	518400	IN	AAAA	2001:500:2d::d\n"
	"e	518400	IN	AAAA	2001:500:a8::e\n"
	"f	518400	IN	AAAA	2001:500:2f::f\n"
	"g	518400	IN	AAAA	2001:500:12::d0d\n"
	"h	518400	IN	AAAA	2001:500:1::53\n"
	"i	518400	IN	AAAA	2001:7fe::53\n"
	"j	518400	IN	AAAA	2001:503:c27::2:30\n"
	"k	518400	IN	AAAA	2001:7fd::1\n"
	"l	518400	IN	AAAA	2001:500:9f::42\n"
	"m	518400	IN	AAAA	2001:dc3::35\n";

/* A signed AAAA set of 38 addresses: 1216 octets with OPT, just under 1232. */
static const char aaaa_an[] =
	"$ORIGIN example.net.\n"
	"pool	300	IN	AAAA	2001:db8:0:1::1\n"
	"	300	IN	AAAA	2001:db8:0:1::2\n"
	"	300	IN	AAAA	2001:db8:0:1::3\n"
	"	300	IN	AAAA	2001:db8:0:1::4\n"
	"	300	IN	AAAA	2001:db8:0:1::5\n"
	"	300	IN	AAAA	2001:db8:0:1::6\n"
	"	300	IN	AAAA	2001:db8:0:1::7\n"
	"	300	IN	AAAA	2001:db8:0:1::8\n"
	"	300	IN	AAAA	2001:db8:0:1::9\n"
	"	300	IN	AAAA	2001:db8:0:1::a\n"
	"	300	IN	AAAA	2001:db8:0:1::b\n"
	"	300	IN	AAAA	2001:db8:0:1::c\n"
	"	300	IN	AAAA	2001:db8:0:1::d\n"
	"	300	IN	AAAA	2001:db8:0:1::e\n"
	"	300	IN	AAAA	2001:db8:0:1::f\n"
	"	300	IN	AAAA	2001:db8:0:1::10\n"
	"	300	IN	AAAA	2001:db8:0:1::11\n"
	"	300	IN	AAAA	2001:db8:0:1::12\n"
	"	300	IN	AAAA	2001:db8:0:1::13\n"
	"	300	IN	AAAA	2001:db8:0:2::1\n"
	"	300	IN	AAAA	2001:db8:0:2::2\n"
	"	300	IN	AAAA	2001:db8:0:2::3\n"
	"	300	IN	AAAA	2001:db8:0:2::4\n"
	"	300	IN	AAAA	2001:db8:0:2::5\n"
	"	300	IN	AAAA	2001:db8:0:2::6\n"
	"	300	IN	AAAA	2001:db8:0:2::7\n"
	"	300	IN	AAAA	2001:db8:0:2::8\n"
	"	300	IN	AAAA	2001:db8:0:2::9\n"
	"	300	IN	AAAA	2001:db8:0:2::a\n"
	"	300	IN	AAAA	2001:db8:0:2::b\n"
	"	300	IN	AAAA	2001:db8:0:2::c\n"
	"	300	IN	AAAA	2001:db8:0:2::d\n"
	"	300	IN	AAAA	2001:db8:0:2::e\n"
	"	300	IN	AAAA	2001:db8:0:2::f\n"
	"	300	IN	AAAA	2001:db8:0:2::10\n"
	"	300	IN	AAAA	2001:db8:0:2::11\n"
	"	300	IN	AAAA	2001:db8:0:2::12\n"
	"	300	IN	AAAA	2001:db8:0:2::13\n"
	"	300	IN	RRSIG	AAAA 13 3 300 20261013120000 20260930110000 55648 example.net. ( ; (placeholder)\n"
	"	mhGQFYEGSELH9E6R8rxq00yjVTdns0QKWiHuGmZ5idUvtNv1lznflbJSyPG79EZKzV7LZ/7K6g+1d0vsJ7eyKg== )\n";

enum edns_kind {
	EDNS_NONE,
	EDNS_DO,        /* OPT with DO, no options (tw_dns_build_opt) */
	EDNS_DO_COOKIE, /* OPT with DO and a client + server COOKIE (RFC 7873 §4) */
};

struct case_spec {
	const char *name;      /* "class detail", the JSON "case" */
	const char *qname;     /* presentation format, absolute */
	uint16_t qtype;
	uint16_t flags;        /* header flags, rcode included */
	const char *sec[3];    /* zone text of the answer, authority, additional
				* sections (NULL: empty) */
	enum edns_kind edns;
	uint16_t limit;        /* largest message the builder may write */
	uint16_t expect[3];    /* AN, NS, AR counts the fixture must come out with */
};

#define F_RESP_AA (TW_DNS_F_QR | TW_DNS_F_AA)
#define F_RESP_RA (TW_DNS_F_QR | TW_DNS_F_RD | TW_DNS_F_RA)

static const struct case_spec specs[] = {
	{ "query a", "www.example.com.", TW_DNS_T_A, TW_DNS_F_RD, { NULL, NULL, NULL },
	  EDNS_NONE, 512, { 0, 0, 0 } },
	{ "query edns-do-cookie", "www.example.com.", TW_DNS_T_A, TW_DNS_F_RD,
	  { NULL, NULL, NULL }, EDNS_DO_COOKIE, 512, { 0, 0, 1 } },
	/* 1414 octets: over 1232, as a root server answers over TCP or a 4096 EDNS size */
	{ "signed-answer dnskey", ".", TW_DNS_T_DNSKEY, F_RESP_AA,
	  { root_dnskey_an, NULL, NULL }, EDNS_DO, 4096, { 5, 0, 1 } },
	{ "signed-answer a+ns", "www.example.net.", TW_DNS_T_A, F_RESP_AA,
	  { a_ns_an, a_ns_ns, a_ns_ar }, EDNS_DO, 1232, { 2, 3, 5 } },
	{ "signed-answer cname-chain", "www.example.com.", TW_DNS_T_A, F_RESP_RA,
	  { cname_an, NULL, NULL }, EDNS_DO, 1232, { 6, 0, 1 } },
	{ "nsec3 nxdomain", "a.c.x.w.example.", TW_DNS_T_A, F_RESP_AA | TW_DNS_R_NXDOMAIN,
	  { NULL, nsec3_ns, NULL }, EDNS_DO, 1232, { 0, 8, 1 } },
	{ "nsec nodata", ".", TW_DNS_T_A, F_RESP_AA, { NULL, nsec_ns, NULL }, EDNS_DO, 1232,
	  { 0, 4, 1 } },
	{ "large priming", ".", TW_DNS_T_NS, F_RESP_AA, { priming_an, NULL, priming_ar },
	  EDNS_DO, 1232, { 14, 0, 27 } },
	{ "large aaaa-set", "pool.example.net.", TW_DNS_T_AAAA, F_RESP_AA,
	  { aaaa_an, NULL, NULL }, EDNS_DO, 1232, { 39, 0, 1 } },
};

#define NCASES (sizeof(specs) / sizeof(specs[0]))

/* ---- libknot's side: a bump arena as its mm context ---------------------- */

struct arena {
	uint8_t *base;
	size_t cap;
	size_t used;
	size_t mark; /* reuse mode: what the packet's own arrays occupy */
};

static void *arena_alloc(void *ctx, size_t len)
{
	struct arena *a = ctx;
	size_t n = (len + 15) & ~(size_t)15;
	if (n > a->cap - a->used)
		return NULL;
	void *p = a->base + a->used;
	a->used += n;
	return p;
}

static void arena_free(void *p)
{
	(void)p; /* everything goes when the arena is rewound */
}

enum knot_mode { KNOT_NEW, KNOT_REUSE };

struct knot_side {
	_Alignas(64) uint8_t wire[MSG_MAX]; /* libknot's own copy of the message */
	enum knot_mode mode;
	uint8_t hdr[TW_DNS_HDR_LEN]; /* its header, which knot_pkt_clear zeroes */
	uint16_t len;
	knot_pkt_t *pkt;       /* reuse: made once; new: the last one parsed */
	struct arena arena;
	knot_mm_t mm;
};

static unsigned knot_flags = KNOT_PF_NOCANON;

static int knot_side_init(struct knot_side *k, enum knot_mode mode, const uint8_t *wire,
			  uint16_t len)
{
	k->mode = mode;
	memcpy(k->wire, wire, len);
	memcpy(k->hdr, wire, TW_DNS_HDR_LEN);
	k->len = len;
	k->arena.base = aligned_alloc(64, ARENA_SIZE);
	if (!k->arena.base)
		return KNOT_ENOMEM;
	k->arena.cap = ARENA_SIZE;
	k->arena.used = 0;
	k->arena.mark = 0;
	k->mm = (knot_mm_t){ .ctx = &k->arena, .alloc = arena_alloc, .free = arena_free };
	if (mode == KNOT_REUSE) {
		k->pkt = knot_pkt_new(k->wire, len, &k->mm);
		if (!k->pkt)
			return KNOT_ENOMEM;
		/* the first parse sizes the packet's RR arrays; they stay below the mark */
		int rc = knot_pkt_parse(k->pkt, knot_flags);
		k->arena.mark = k->arena.used;
		return rc;
	}
	return KNOT_EOK;
}

/* One parse of the message by libknot, in the way `mode` says (a constant where
 * this is inlined into the timed loops). */
static inline __attribute__((always_inline)) int knot_side_parse(struct knot_side *k,
								 enum knot_mode mode)
{
	if (mode == KNOT_NEW) {
		k->arena.used = 0;
		k->pkt = knot_pkt_new(k->wire, k->len, &k->mm);
		if (!k->pkt)
			return KNOT_ENOMEM;
		return knot_pkt_parse(k->pkt, knot_flags);
	}
	knot_pkt_clear(k->pkt); /* frees the RRs, zeroes the header, size = 12 */
	k->arena.used = k->arena.mark;
	memcpy(k->wire, k->hdr, TW_DNS_HDR_LEN);
	k->pkt->size = k->len;
	return knot_pkt_parse(k->pkt, knot_flags);
}

/* ---- the cases ------------------------------------------------------------ */

enum runner { R_OURS, R_GROUP, R_KNOT_NEW, R_KNOT_REUSE, NRUNNERS };

static const char *const runner_name[NRUNNERS] = { "ours", "ours+group", "libknot new",
						   "libknot reuse" };

struct bench_case {
	_Alignas(64) uint8_t wire[MSG_MAX]; /* ours: both sides' buffers 64-aligned */
	const struct case_spec *spec;
	bool on;
	uint16_t len;
	uint16_t nrr;
	struct knot_side knot[2]; /* [KNOT_NEW], [KNOT_REUSE] */
	double rate[NRUNNERS][MAX_ROUNDS];
	unsigned nrate[NRUNNERS];
	double median[NRUNNERS];
	double spread[NRUNNERS];
	double peer;              /* the better of libknot's two medians */
};

static struct bench_case cases[NCASES];
static uint64_t checksum;

static void die(const struct bench_case *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(const struct bench_case *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "parse_bench: %s: ", c ? c->spec->name : "setup");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Appends the records of one section's zone text to the message. */
static void add_section(struct bench_case *c, struct tw_dns_build *b, enum tw_dns_section sec,
			const char *text)
{
	static const char *const sec_name[] = { "answer", "authority", "additional" };
	static uint8_t rdata[65535];
	struct tw_dns_zreader r;
	struct tw_dns_zrr rr;
	tw_dns_zreader_init(&r, text, strlen(text), sec_name[sec], NULL, 3600);
	for (;;) {
		int rc = tw_dns_zreader_next(&r, &rr, rdata, sizeof(rdata));
		if (rc == 0)
			break;
		if (rc < 0)
			die(c, "fixture text: %s (%s)", r.err, tw_strerror(rc));
		rc = tw_dns_build_rr(b, sec, rr.owner, rr.type, rr.cls, rr.ttl, rr.rdata,
				     rr.rdlen);
		if (rc)
			die(c, "%s line %u does not fit the message: %s", sec_name[sec], rr.line,
			    tw_strerror(rc));
	}
}

static void build_case(struct bench_case *c)
{
	const struct case_spec *s = c->spec;
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	size_t qlen;
	int rc = tw_dns_name_from_str(s->qname, strlen(s->qname), NULL, qname, &qlen);
	if (rc)
		die(c, "qname \"%s\": %s", s->qname, tw_strerror(rc));

	struct tw_dns_build b;
	size_t reserve = s->edns == EDNS_DO ? TW_DNS_OPT_FIXED_LEN : 0;
	rc = tw_dns_build_init(&b, c->wire, sizeof(c->wire), s->limit, 0x5a17, s->flags,
			       reserve);
	if (rc == 0)
		rc = tw_dns_build_question(&b, qname, s->qtype, TW_DNS_C_IN);
	if (rc)
		die(c, "header/question: %s", tw_strerror(rc));
	for (unsigned sec = 0; sec < 3; sec++)
		if (s->sec[sec])
			add_section(c, &b, (enum tw_dns_section)sec, s->sec[sec]);

	if (s->edns == EDNS_DO) {
		rc = tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, TW_DNS_RCODE(s->flags), TW_EDE_NONE,
				      NULL, 0);
	} else if (s->edns == EDNS_DO_COOKIE) {
		/* RFC 7873 §4: COOKIE option, 8-octet client + 16-octet server cookie; the
		 * builder's OPT helper writes only EDE, so the OPT goes in as a record */
		static const uint8_t opt[] = {
			0x00, 0x0a, 0x00, 0x18,
			0xd7, 0xe8, 0x3e, 0x28, 0xa0, 0x4b, 0x53, 0x7e, /* client */
			0x01, 0x00, 0x00, 0x00, 0x6a, 0x1c, 0x2f, 0x80, /* server: version 1, */
			0x64, 0x42, 0x45, 0x46, 0xb1, 0x4c, 0xaf, 0x9b, /* time, hash */
		};
		static const uint8_t root = 0;
		rc = tw_dns_build_rr(&b, TW_DNS_SEC_AR, &root, TW_DNS_T_OPT, 1232, TW_DNS_EDNS_DO,
				     opt, sizeof(opt));
	}
	if (rc)
		die(c, "OPT record: %s", tw_strerror(rc));
	c->len = (uint16_t)tw_dns_build_finish(&b);
	if (b.tc)
		die(c, "the fixture was truncated (TC) at %u octets", (unsigned)s->limit);
	for (unsigned i = 0; i < 3; i++)
		if (b.count[i + 1] != s->expect[i])
			die(c, "section %u has %u records, the fixture expects %u", i,
			    (unsigned)b.count[i + 1], (unsigned)s->expect[i]);
	c->nrr = (uint16_t)(b.count[1] + b.count[2] + b.count[3]);
}

/* ---- agreement, before anything is timed ---------------------------------- */

/* Dies unless libknot's parse of the message matches ours record by record. */
static void knot_agrees(const struct bench_case *c, const struct tw_dns_msg *m,
			const knot_pkt_t *pkt, const char *how)
{
	if (pkt->parsed != c->len)
		die(c, "libknot (%s) parsed %zu of %u octets", how, pkt->parsed,
		    (unsigned)c->len);
	if (knot_pkt_qtype(pkt) != m->qtype || pkt->qname_size != m->qname_len)
		die(c, "libknot (%s) and trustwire disagree on the question", how);
	if ((pkt->opt_rr != NULL) != m->has_opt)
		die(c, "libknot (%s) and trustwire disagree on EDNS", how);

	for (unsigned sec = 0; sec < 3; sec++) {
		uint16_t first, count;
		tw_dns_msg_section(m, (enum tw_dns_section)sec, &first, &count);
		const knot_pktsection_t *ks =
			knot_pkt_section(pkt, (knot_section_t)(KNOT_ANSWER + sec));
		if (ks->count != count)
			die(c, "section %u: trustwire has %u records, libknot (%s) %u", sec,
			    (unsigned)count, how, (unsigned)ks->count);
		for (uint16_t i = 0; i < count; i++) {
			const struct tw_dns_rr *rr = &m->rr[first + i];
			const knot_rrset_t *kr = knot_pkt_rr(ks, i);
			if (kr->type != rr->type || kr->rclass != rr->cls || kr->ttl != rr->ttl ||
			    kr->rrs.count != 1)
				die(c, "section %u record %u: type, class or TTL differ (%s)", sec, i,
				    how);
			uint8_t owner[TW_DNS_NAME_MAXLEN];
			size_t olen;
			int rc = tw_dns_name_unpack(m->wire, m->len, rr->owner, owner, &olen, NULL);
			bool same = rc == 0 && knot_dname_size(kr->owner) == olen &&
				    ((knot_flags & KNOT_PF_NOCANON)
					     ? memcmp(owner, kr->owner, olen) == 0
					     : tw_dns_name_equal(owner, kr->owner));
			if (!same)
				die(c, "section %u record %u: the owners differ (%s)", sec, i, how);
			/* libknot keeps RDATA decompressed: compare with ours decompressed */
			static uint8_t rd[65535];
			size_t rdlen;
			rc = (knot_flags & KNOT_PF_NOCANON)
				     ? tw_dns_rdata_decompress(rr->type, m->wire, m->len, rr->rdata,
							       rr->rdlen, rd, sizeof(rd), &rdlen)
				     : tw_dns_rdata_canonical(rr->type, m->wire, m->len, rr->rdata,
							      rr->rdlen, rd, sizeof(rd), &rdlen);
			const knot_rdata_t *kd = kr->rrs.rdata;
			if (rc || kd->len != rdlen || memcmp(kd->data, rd, rdlen) != 0)
				die(c, "section %u record %u: the RDATA differ (%s)", sec, i, how);
		}
	}
}

/* Both parsers must accept the message and agree on it; grouping must work. */
static void cross_check(struct bench_case *c)
{
	struct tw_dns_rr rrs[RR_CAP];
	struct tw_dns_msg m;
	int rc = tw_dns_msg_parse(&m, c->wire, c->len, rrs, RR_CAP);
	if (rc)
		die(c, "trustwire refuses the message: %s", tw_strerror(rc));
	if (m.trailing)
		die(c, "trustwire sees %u trailing octets", (unsigned)m.trailing);
	if (m.rr_count != c->nrr)
		die(c, "trustwire indexes %u RRs, the builder wrote %u", (unsigned)m.rr_count,
		    (unsigned)c->nrr);

	for (unsigned mode = KNOT_NEW; mode <= KNOT_REUSE; mode++) {
		struct knot_side *k = &c->knot[mode];
		const char *how = runner_name[R_KNOT_NEW + mode];
		rc = knot_side_init(k, (enum knot_mode)mode, c->wire, c->len);
		/* twice: the reuse way's second parse is the first through knot_pkt_clear */
		for (unsigned i = 0; i < 2 && rc == KNOT_EOK; i++)
			rc = knot_side_parse(k, k->mode);
		if (rc != KNOT_EOK)
			die(c, "%s refuses the message: %s", how, knot_strerror(rc));
		knot_agrees(c, &m, k->pkt, how);
	}

	struct tw_dns_rrset sets[SET_CAP];
	uint16_t next[RR_CAP];
	size_t used = 0;
	for (unsigned sec = 0; sec < 3; sec++) {
		size_t n;
		rc = tw_dns_rrsets_group(&m, (enum tw_dns_section)sec, sets + used, SET_CAP - used,
					 next, &n);
		if (rc)
			die(c, "grouping section %u: %s", sec, tw_strerror(rc));
		used += n;
	}
}

/* ---- timed loops ----------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t loop_ours(struct bench_case *c, unsigned n)
{
	struct tw_dns_rr rrs[RR_CAP];
	struct tw_dns_msg m;
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++) {
		int rc = tw_dns_msg_parse(&m, c->wire, c->len, rrs, RR_CAP);
		if (rc)
			die(c, "trustwire failed while timing: %s", tw_strerror(rc));
		sum += m.rr_count + m.qtype + (m.rr_count ? rrs[m.rr_count - 1].rdlen : 0);
	}
	return sum;
}

static uint64_t loop_group(struct bench_case *c, unsigned n)
{
	struct tw_dns_rr rrs[RR_CAP];
	struct tw_dns_rrset sets[SET_CAP];
	uint16_t next[RR_CAP];
	struct tw_dns_msg m;
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++) {
		int rc = tw_dns_msg_parse(&m, c->wire, c->len, rrs, RR_CAP);
		if (rc)
			die(c, "trustwire failed while timing: %s", tw_strerror(rc));
		size_t used = 0;
		for (unsigned sec = 0; sec < 3; sec++) {
			size_t k;
			rc = tw_dns_rrsets_group(&m, (enum tw_dns_section)sec, sets + used,
						 SET_CAP - used, next, &k);
			if (rc)
				die(c, "grouping failed while timing: %s", tw_strerror(rc));
			used += k;
		}
		sum += used + (used ? sets[used - 1].count : 0);
	}
	return sum;
}

static uint64_t loop_knot(struct bench_case *c, unsigned n, enum knot_mode mode)
{
	struct knot_side *k = &c->knot[mode];
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++) {
		int rc = knot_side_parse(k, mode);
		if (rc != KNOT_EOK)
			die(c, "libknot failed while timing: %s", knot_strerror(rc));
		sum += k->pkt->rrset_count + k->pkt->parsed;
	}
	return sum;
}

/* Runs one runner on one case for about `slice` seconds; returns messages/s. */
static double run_slice(struct bench_case *c, enum runner r, double slice)
{
	uint64_t budget = (uint64_t)(slice * 1e9), t0 = now_ns(), t, n = 0;
	do {
		switch (r) {
		case R_OURS:
			checksum += loop_ours(c, BATCH);
			break;
		case R_GROUP:
			checksum += loop_group(c, BATCH);
			break;
		case R_KNOT_NEW:
			checksum += loop_knot(c, BATCH, KNOT_NEW);
			break;
		default:
			checksum += loop_knot(c, BATCH, KNOT_REUSE);
			break;
		}
		n += BATCH;
		t = now_ns();
	} while (t - t0 < budget);
	return (double)n * 1e9 / (double)(t - t0);
}

/* ---- statistics and output ------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double quantile(const double *sorted, unsigned n, double q)
{
	double pos = q * (n - 1);
	unsigned i = (unsigned)pos;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + (pos - i) * (sorted[i + 1] - sorted[i]);
}

static void summarise(struct bench_case *c)
{
	for (unsigned r = 0; r < NRUNNERS; r++) {
		unsigned n = c->nrate[r];
		double v[MAX_ROUNDS];
		memcpy(v, c->rate[r], n * sizeof(double));
		qsort(v, n, sizeof(double), cmp_double);
		c->median[r] = quantile(v, n, 0.5);
		c->spread[r] = (quantile(v, n, 0.75) - quantile(v, n, 0.25)) / c->median[r];
	}
	c->peer = c->median[R_KNOT_NEW] > c->median[R_KNOT_REUSE] ? c->median[R_KNOT_NEW]
								  : c->median[R_KNOT_REUSE];
}

static void print_json(void)
{
	for (unsigned i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		if (!c->on)
			continue;
		double peer = c->peer;
		printf("{\"bench\":\"parse\",\"case\":\"%s\",\"value\":%.1f,\"unit\":\"msgs/s\","
		       "\"peer\":\"libknot\",\"peer_value\":%.1f,\"ratio\":%.3f}\n",
		       c->spec->name, c->median[R_OURS], peer, c->median[R_OURS] / peer);
		printf("{\"bench\":\"parse\",\"case\":\"%s +group\",\"value\":%.1f,"
		       "\"unit\":\"msgs/s\",\"peer\":\"libknot\",\"peer_value\":%.1f,"
		       "\"ratio\":%.3f}\n",
		       c->spec->name, c->median[R_GROUP], peer, c->median[R_GROUP] / peer);
	}
}

static void print_table(unsigned rounds, double slice)
{
	printf("parse_bench: DNS messages parsed per second, median of %u alternating rounds "
	       "of %.0f ms slices (wall clock)\n",
	       rounds, slice * 1e3);
	printf("libknot %d.%d.%d: knot_pkt_parse(%s), bump-arena mm rewound per message; "
	       "peer = the faster of\n"
	       "  kn-new (knot_pkt_new per message) and kn-reuse (one packet, "
	       "knot_pkt_clear per message)\n\n",
	       KNOT_VERSION_MAJOR, KNOT_VERSION_MINOR, KNOT_VERSION_PATCH,
	       knot_flags & KNOT_PF_NOCANON ? "KNOT_PF_NOCANON" : "0");
	printf("%-26s %5s %4s %11s %11s %11s %11s %7s %7s\n", "case", "bytes", "RRs", "ours",
	       "ours+group", "kn-new", "kn-reuse", "ours/kn", "grp/kn");
	double worst = 0;
	const char *worst_case = "", *worst_runner = "";
	for (unsigned i = 0; i < NCASES; i++) {
		const struct bench_case *c = &cases[i];
		if (!c->on)
			continue;
		printf("%-26s %5u %4u %11.0f %11.0f %11.0f %11.0f %7.2f %7.2f\n", c->spec->name,
		       (unsigned)c->len, (unsigned)c->nrr, c->median[R_OURS], c->median[R_GROUP],
		       c->median[R_KNOT_NEW], c->median[R_KNOT_REUSE], c->median[R_OURS] / c->peer,
		       c->median[R_GROUP] / c->peer);
		for (unsigned r = 0; r < NRUNNERS; r++)
			if (c->spread[r] > worst) {
				worst = c->spread[r];
				worst_case = c->spec->name;
				worst_runner = runner_name[r];
			}
	}
	printf("\nlargest interquartile spread: %.1f%% of the median (%s, %s)\n", worst * 100,
	       worst_case, worst_runner);
	printf("ours: tw_dns_msg_parse into a caller RR index (offsets, no copy, no "
	       "allocation).\n"
	       "ours+group: the same, then tw_dns_rrsets_group over all three sections.\n"
	       "libknot: every RR decompressed and copied (owner and RDATA) into arena "
	       "memory as its own\n"
	       "  one-RR knot_rrset_t; libknot does not group RRsets, so ours/kn is the "
	       "like-for-like ratio.\n"
	       "ratios: ours over the faster libknot way, measured in the same rounds; above "
	       "1 is faster.\n");
}

/* ---- main ------------------------------------------------------------------- */

static int select_cases(const char *list)
{
	for (unsigned i = 0; i < NCASES; i++)
		cases[i].on = false;
	while (*list) {
		size_t n = strcspn(list, ",");
		unsigned i = 0;
		while (i < NCASES &&
		       !(strlen(specs[i].name) == n && strncmp(specs[i].name, list, n) == 0))
			i++;
		if (i == NCASES) {
			fprintf(stderr, "parse_bench: --case: \"%.*s\" is not a case\n", (int)n,
				list);
			return -1;
		}
		cases[i].on = true;
		list += n;
		if (*list == ',')
			list++;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: parse_bench [--seconds N] [--json] [--case NAME[,NAME...]] [--knot-canon]\n"
		"  --seconds N    time budget of the measurements (default %.0f)\n"
		"  --json         one JSON object per measurement and line\n"
		"  --case         measure only these cases, e.g. to profile one:\n",
		DEFAULT_SECONDS);
	for (unsigned i = 0; i < NCASES; i++)
		fprintf(f, "                   \"%s\"\n", specs[i].name);
	fprintf(f, "  --knot-canon   let libknot lower-case names while parsing (flags 0)\n");
}

int main(int argc, char **argv)
{
	double seconds = DEFAULT_SECONDS;
	bool json = false;
	for (unsigned i = 0; i < NCASES; i++) {
		cases[i].spec = &specs[i];
		cases[i].on = true;
	}
	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = strtod(argv[++i], &end);
			if (*end || !(seconds > 0)) {
				fprintf(stderr, "parse_bench: --seconds %s: not a positive number\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
			if (select_cases(argv[++i]) != 0)
				return 2;
		} else if (!strcmp(argv[i], "--knot-canon")) {
			knot_flags = 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "parse_bench: unknown argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}

	unsigned active = 0;
	for (unsigned i = 0; i < NCASES; i++) {
		struct bench_case *c = &cases[i];
		if (!c->on)
			continue;
		build_case(c);
		cross_check(c);
		active++;
	}
	if (active == 0) {
		fprintf(stderr, "parse_bench: nothing selected to measure\n");
		return 2;
	}

	unsigned slots = active * NRUNNERS;
	double slice = SLICE_SECONDS;
	unsigned rounds = (unsigned)(seconds / (slots * slice));
	if (rounds < MIN_ROUNDS) {
		rounds = MIN_ROUNDS;
		slice = seconds / (slots * rounds);
		if (slice < MIN_SLICE)
			slice = MIN_SLICE;
	}
	if (rounds > MAX_ROUNDS)
		rounds = MAX_ROUNDS;

	/* a warm-up pass, not counted: caches, branch predictors, CPU frequency */
	for (unsigned i = 0; i < NCASES; i++)
		if (cases[i].on)
			for (unsigned r = 0; r < NRUNNERS; r++)
				run_slice(&cases[i], (enum runner)r, slice / 4);

	fprintf(stderr, "parse_bench: %u cases agree; %u rounds of %u slices of %.1f ms...\n",
		active, rounds, slots, slice * 1e3);
	uint64_t t0 = now_ns();
	for (unsigned round = 0; round < rounds; round++) {
		for (unsigned i = 0; i < NCASES; i++) {
			struct bench_case *c = &cases[i];
			if (!c->on)
				continue;
			/* rotate the order so that no runner always goes first */
			for (unsigned k = 0; k < NRUNNERS; k++) {
				enum runner r = (enum runner)((k + round + i) % NRUNNERS);
				c->rate[r][c->nrate[r]++] = run_slice(c, r, slice);
			}
		}
	}
	fprintf(stderr, "parse_bench: measured for %.1f s; checksum %016llx\n",
		(double)(now_ns() - t0) / 1e9, (unsigned long long)checksum);

	for (unsigned i = 0; i < NCASES; i++)
		if (cases[i].on)
			summarise(&cases[i]);
	if (json)
		print_json();
	else
		print_table(rounds, slice);

	for (unsigned i = 0; i < NCASES; i++) {
		if (!cases[i].on)
			continue;
		/* everything libknot allocated lives in the arenas */
		for (unsigned mode = KNOT_NEW; mode <= KNOT_REUSE; mode++)
			free(cases[i].knot[mode].arena.base);
	}
	return 0;
}
