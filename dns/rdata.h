/* Typed views of RDATA: small structs that point into the bytes they describe.
 *
 * Every view function reads the RDATA at msg[rd_off .. rd_off+rdlen); for
 * stand-alone RDATA (from a cache or a zone file) pass msg = rdata, rd_off = 0.
 * Names that may be compressed (NS, CNAME, SOA, MX, PTR, SRV) are copied out,
 * decompressed, into the view (DNAME's target too, through the same
 * tw_dns_target view); names that RFC 4034 forbids compressing (RRSIG signer,
 * NSEC next) and binary fields point into msg and stay valid as long as msg does. Each returns 0 or the error of tw_dns_rdata_check().
 *
 * Pure functions: any thread.
 */
#ifndef TW_DNS_RDATA_H
#define TW_DNS_RDATA_H

#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

struct tw_dns_rrsig {
	uint16_t type_covered;
	uint8_t algorithm;
	uint8_t labels;
	uint32_t original_ttl;
	uint32_t expiration; /* serial-number arithmetic, RFC 4034 §3.1.5 */
	uint32_t inception;
	uint16_t key_tag;
	const uint8_t *signer; /* uncompressed name inside msg */
	size_t signer_len;
	const uint8_t *signature;
	size_t signature_len;
};

struct tw_dns_dnskey { /* also CDNSKEY */
	uint16_t flags;
	uint8_t protocol;
	uint8_t algorithm;
	const uint8_t *key;
	size_t key_len;
};

#define TW_DNS_DNSKEY_F_ZONE 0x0100   /* RFC 4034 §2.1.1 */
#define TW_DNS_DNSKEY_F_SEP 0x0001    /* RFC 4034 §2.1.1 */
#define TW_DNS_DNSKEY_F_REVOKE 0x0080 /* RFC 5011 §3 */

struct tw_dns_ds { /* also CDS */
	uint16_t key_tag;
	uint8_t algorithm;
	uint8_t digest_type;
	const uint8_t *digest;
	size_t digest_len;
};

struct tw_dns_nsec {
	const uint8_t *next; /* uncompressed, case as signed */
	size_t next_len;
	const uint8_t *bitmap;
	size_t bitmap_len;
};

struct tw_dns_nsec3 {
	uint8_t hash_alg;
	uint8_t flags; /* TW_DNS_NSEC3_F_OPTOUT */
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t salt_len;
	const uint8_t *next_hash; /* raw hash octets, not base32 */
	uint8_t hash_len;
	const uint8_t *bitmap;
	size_t bitmap_len;
};

#define TW_DNS_NSEC3_F_OPTOUT 0x01 /* RFC 5155 §3.1.2.1 */

struct tw_dns_nsec3param {
	uint8_t hash_alg;
	uint8_t flags;
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t salt_len;
};

struct tw_dns_soa {
	uint8_t mname[TW_DNS_NAME_MAXLEN];
	uint8_t rname[TW_DNS_NAME_MAXLEN];
	uint32_t serial, refresh, retry, expire, minimum;
};

/* NS, CNAME, PTR, DNAME: one target name. */
struct tw_dns_target {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	size_t name_len;
};

struct tw_dns_mx {
	uint16_t preference;
	uint8_t exchange[TW_DNS_NAME_MAXLEN];
};

struct tw_dns_srv {
	uint16_t priority, weight, port;
	uint8_t target[TW_DNS_NAME_MAXLEN];
};

struct tw_dns_tlsa {
	uint8_t usage, selector, matching_type;
	const uint8_t *data;
	size_t data_len;
};

int tw_dns_rrsig_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		      struct tw_dns_rrsig *out);
/* DNSKEY and CDNSKEY share a layout; `type` says which is being read. */
int tw_dns_dnskey_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		       uint16_t rdlen, struct tw_dns_dnskey *out);
/* DS and CDS share a layout; `type` says which is being read. */
int tw_dns_ds_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		   uint16_t rdlen, struct tw_dns_ds *out);
int tw_dns_nsec_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		     struct tw_dns_nsec *out);
int tw_dns_nsec3_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		      struct tw_dns_nsec3 *out);
int tw_dns_nsec3param_view(const uint8_t *msg, size_t msg_len, size_t rd_off,
			   uint16_t rdlen, struct tw_dns_nsec3param *out);
int tw_dns_soa_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		    struct tw_dns_soa *out);
/* type: NS, CNAME, PTR or DNAME (else -TW_EINVAL). */
int tw_dns_target_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		       uint16_t rdlen, struct tw_dns_target *out);
int tw_dns_mx_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		   struct tw_dns_mx *out);
int tw_dns_srv_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		    struct tw_dns_srv *out);
/* TLSA and SMIMEA share a layout. */
int tw_dns_tlsa_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		     uint16_t rdlen, struct tw_dns_tlsa *out);

/* A and AAAA: the address octets (4 or 16), or NULL when rdlen is wrong. */
const uint8_t *tw_dns_a_view(const uint8_t *msg, size_t rd_off, uint16_t rdlen);
const uint8_t *tw_dns_aaaa_view(const uint8_t *msg, size_t rd_off, uint16_t rdlen);

/* Iterates the <character-string>s of TXT/SPF/HINFO RDATA.
 * *pos: in/out, starts at 0. str, len: out. Returns 1 while there is a string, 0
 * at the end, -TW_EDNS_RDATA when a string runs past rdlen. */
int tw_dns_txt_next(const uint8_t *rdata, uint16_t rdlen, size_t *pos, const uint8_t **str,
		    uint8_t *len);

#endif
