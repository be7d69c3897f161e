/* The client's answer: what a worker sends back once the validation engine
 * (crypto/validator.h) has judged the resolver farm's message, or when it answers
 * without the engine (pending table full, a class other than IN, a malformed query).
 *
 * A query is remembered as a struct tw_answer_query (ID, flags, EDNS, the question
 * name with the case the client sent it in), kept for instance in the pending
 * table while the farm is asked. tw_answer_build() then re-encodes the farm's
 * records with the message builder (dns/build.h: its own compression, truncation,
 * OPT space reserved for the Extended DNS Error), so no name in the answer points
 * into anything the farm chose.
 *
 * What goes out, per verdict:
 *   SECURE        the farm's records; AD when the client set DO or AD
 *   INSECURE      the farm's records, AD clear, the engine's EDE if it gave one
 *   UNCHECKED     (the client set CD) the farm's records, AD clear, CD echoed
 *   BOGUS         SERVFAIL, the question only, EDE with the engine's reason
 *   INDETERMINATE the engine's SERVFAIL (farm silent: EDE 22), or no farm
 *                 message: the question only, with the EDE; otherwise (no trust
 *                 anchor above the name, or the farm's own error rcode) the
 *                 farm's records as for INSECURE (RFC 4035 §4.3)
 * and everywhere: RRSIG/NSEC/NSEC3 only for DO queries or when asked for by type,
 * an OPT record exactly when the query had one.
 *
 * No allocation, no lock, no system call: every function writes into caller
 * storage. Any lcore, lock-free.
 */
#ifndef TW_DATAPLANE_ANSWER_H
#define TW_DATAPLANE_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

struct tw_dns_msg;
struct tw_val_result;

/* The longest EXTRA-TEXT put into an Extended DNS Error (RFC 8914 §2), in octets:
 * with a 255-octet question and the OPT record it still fits in 512 octets. */
#define TW_ANSWER_EDE_TEXT_MAX 200

/* Smallest UDP answer every client takes (RFC 1035 §2.3.4, RFC 6891 §6.2.5). */
#define TW_ANSWER_UDP_MIN 512

/* What the client asked, enough to answer it later. */
struct tw_answer_query {
	uint16_t id;
	uint16_t qtype;
	uint16_t qclass;
	uint16_t udp_size;    /* the client's EDNS payload size as sent (when edns) */
	uint8_t opcode;       /* echoed (RFC 1035 §4.1.1) */
	bool rd;
	bool cd;
	bool ad;              /* AD in the query: the client understands AD (RFC 6840 §5.7) */
	bool edns;            /* the query had an OPT record */
	bool tcp;             /* asked over TCP: the answer may take 65535 octets
			       * (RFC 7766 §8); from_msg sets false, the caller
			       * sets it */
	bool dnssec_ok;       /* its DO bit (RFC 3225) */
	uint8_t edns_version; /* the caller answers BADVERS above 0 (RFC 6891 §6.1.3) */
	uint8_t variant;      /* tw_cache_pkt_variant() of the query (cache/cache.h) */
	uint8_t qname_len;    /* 1..255 */
	uint8_t qname[TW_DNS_NAME_MAXLEN]; /* uncompressed, the client's case kept
					    * (RFC 4343 §4.1; clients that randomise
					    * case check it, "DNS 0x20") */
};

/* Scratch for one decompressed RDATA (65535 octets, plus room for the decoder to
 * see it would not fit). A worker keeps one per lcore, next to its other state;
 * nothing in it survives a call. */
#define TW_ANSWER_SCRATCH_LEN (65536 + 256)
struct tw_answer_scratch {
	uint8_t rdata[TW_ANSWER_SCRATCH_LEN];
};

/* Fills *out (out-parameter) from the client's query q, parsed by
 * tw_dns_msg_parse() (tw_dns_msg_parse_question() leaves the OPT record unread,
 * so EDNS would be missed). The question name is copied as it is on the wire; a
 * compressed question name is expected to have been refused by the caller
 * already (the packet cache cannot serve one either), though it is decompressed
 * correctly if it comes. Nothing in *out points into q. Returns:
 *   0            done
 *   -TW_EINVAL   QDCOUNT is not 1: answer it with tw_answer_formerr()
 *   a negative tw_dns_name_unpack() error when the question name is bad
 *   (impossible after a successful parse)
 * Any lcore, lock-free. */
int tw_answer_query_from_msg(const struct tw_dns_msg *q, struct tw_answer_query *out);

/* The largest answer c may get: 512 without EDNS, else the client's size raised
 * to 512 and capped at server_udp_size (RFC 6891 §6.2.5), never below 512.
 * Any lcore, lock-free. */
size_t tw_answer_size_limit(const struct tw_answer_query *c, uint16_t server_udp_size);

/* Writes the answer to c from the engine's result r and the farm's message farm
 * (NULL: the farm did not answer) into out (capacity cap). The farm's answer,
 * authority and additional records go out in order (its OPT, TSIG and other meta
 * records never), each with TTL ttls[i] (indexed like farm->rr, as
 * tw_val_query_answer() gives them; NULL: the farm's own TTLs; above 2^31-1: 0,
 * RFC 2181 §8). scratch: the caller's (struct tw_answer_scratch), used during the
 * call only. server_udp_size: the payload size we advertise and the cap on the
 * client's (1232 is the usual choice). out must not overlap farm->wire.
 *
 * Header: c's ID, opcode, RD and CD; QR, RA; AA clear; AD as above (RFC 4035
 * §3.2.3, RFC 6840 §5.8); TC when an answer or authority record did not fit
 * (RFC 2181 §9), after which no record is added; additional records that do not
 * fit are left out. RCODE: r->rcode (full 12 bits through the OPT record);
 * SERVFAIL for BOGUS whatever r->rcode says, for NOERROR/NXDOMAIN with no farm
 * message to show, and for an extended rcode the client cannot receive (no
 * EDNS). The question is c's, in c's case. The OPT record (only if c had one)
 * carries server_udp_size, c's DO bit and, when r->ede is not TW_EDE_NONE, the EDE
 * with r->reason as EXTRA-TEXT (valid UTF-8, at most TW_ANSWER_EDE_TEXT_MAX
 * octets; octets that are not UTF-8 become '?'); it is there in a truncated
 * answer too.
 *
 * Returns the answer's length, at most min(cap, tw_answer_size_limit()). When cap
 * is too small for the question and the OPT record they are given up, EDE text
 * first, then the EDE, then OPT, then the question; 0 only when cap < 12.
 * Any lcore, lock-free. */
size_t tw_answer_build(const struct tw_answer_query *c, const struct tw_val_result *r,
		       const struct tw_dns_msg *farm, const uint32_t *ttls,
		       uint16_t server_udp_size, uint8_t *out, size_t cap,
		       struct tw_answer_scratch *scratch);

/* An answer without records, made without the engine: rcode (e.g. SERVFAIL with
 * ede TW_EDE_OTHER and text "pending table full"; REFUSED for a class other than
 * IN; NOTIMP for another opcode; BADVERS for an EDNS version above 0), the
 * question, and for an EDNS query the OPT record with the EDE when ede is not
 * TW_EDE_NONE (text: NUL-terminated or NULL, cut as in tw_answer_build()).
 * Header, size and return value as tw_answer_build(). Any lcore, lock-free. */
/* The answer to c from cached NSEC/NSEC3 proofs (cache/cache.h
 * tw_cache_synth_lookup, RFC 8198): rcode NXDOMAIN or NOERROR, a wildcard's
 * RRset at the query name, the SOA and the proofs in the authority section,
 * every RRset with s->ttl; AD as for a secure verdict; RRSIGs and NSEC/NSEC3
 * only with DO. Returns the length (0 when cap is below 12). */
struct tw_cache_synth;
size_t tw_answer_from_synth(const struct tw_answer_query *c, const struct tw_cache_synth *s,
			    uint16_t server_udp_size, uint8_t *out, size_t cap);

size_t tw_answer_servfail(const struct tw_answer_query *c, uint16_t rcode, uint16_t ede,
			  const char *text, uint16_t server_udp_size, uint8_t *out, size_t cap);

/* FORMERR for a query that did not parse but has a header: its ID, opcode, RD
 * and CD echoed, QR and RA set, and its question when QDCOUNT is 1 and the name
 * and QTYPE/QCLASS can be read; no OPT (the query's EDNS could not be trusted).
 * At most 512 octets. Returns the length, or 0 when len < 12 (nothing to echo:
 * drop the packet) or cap < 12. Any lcore, lock-free. */
size_t tw_answer_formerr(const uint8_t *query, size_t len, uint8_t *out, size_t cap);

/* True when an answer of length len built for c fits every client of c's packet
 * cache variant, so that tw_cache_pkt_insert() may share it: the variant only
 * records whether the EDNS size was at least 1232, so an answer is shareable up
 * to 512 octets, or up to min(1232, server_udp_size) for that large-size variant.
 * Any lcore, lock-free. */
bool tw_answer_fits_variant(const struct tw_answer_query *c, size_t len,
			    uint16_t server_udp_size);

#endif
