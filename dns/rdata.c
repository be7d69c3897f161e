/* Typed RDATA views: each checks the layout once, then reads fixed offsets. */
#include "dns/rdata.h"

#include "dns/error.h"
#include "dns/rrtype.h"
#include "dns/wire.h"

int tw_dns_rrsig_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		      struct tw_dns_rrsig *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_RRSIG, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->type_covered = tw_wire_get16(p);
	out->algorithm = p[2];
	out->labels = p[3];
	out->original_ttl = tw_wire_get32(p + 4);
	out->expiration = tw_wire_get32(p + 8);
	out->inception = tw_wire_get32(p + 12);
	out->key_tag = tw_wire_get16(p + 16);
	out->signer = p + 18;
	out->signer_len = tw_dns_name_len(out->signer);
	out->signature = out->signer + out->signer_len;
	out->signature_len = rdlen - 18 - out->signer_len;
	return 0;
}

int tw_dns_dnskey_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		       uint16_t rdlen, struct tw_dns_dnskey *out)
{
	if (type != TW_DNS_T_DNSKEY && type != TW_DNS_T_CDNSKEY)
		return -TW_EINVAL;
	int rc = tw_dns_rdata_check(type, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->flags = tw_wire_get16(p);
	out->protocol = p[2];
	out->algorithm = p[3];
	out->key = p + 4;
	out->key_len = rdlen - 4u;
	return 0;
}

int tw_dns_ds_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		   uint16_t rdlen, struct tw_dns_ds *out)
{
	if (type != TW_DNS_T_DS && type != TW_DNS_T_CDS)
		return -TW_EINVAL;
	int rc = tw_dns_rdata_check(type, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->key_tag = tw_wire_get16(p);
	out->algorithm = p[2];
	out->digest_type = p[3];
	out->digest = p + 4;
	out->digest_len = rdlen - 4u;
	return 0;
}

int tw_dns_nsec_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		     struct tw_dns_nsec *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_NSEC, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	out->next = msg + rd_off;
	out->next_len = tw_dns_name_len(out->next);
	out->bitmap = out->next + out->next_len;
	out->bitmap_len = rdlen - out->next_len;
	return 0;
}

int tw_dns_nsec3_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		      struct tw_dns_nsec3 *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_NSEC3, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->hash_alg = p[0];
	out->flags = p[1];
	out->iterations = tw_wire_get16(p + 2);
	out->salt_len = p[4];
	out->salt = p + 5;
	out->hash_len = p[5 + out->salt_len];
	out->next_hash = p + 6 + out->salt_len;
	out->bitmap = out->next_hash + out->hash_len;
	out->bitmap_len = (size_t)rdlen - 6 - out->salt_len - out->hash_len;
	return 0;
}

int tw_dns_nsec3param_view(const uint8_t *msg, size_t msg_len, size_t rd_off,
			   uint16_t rdlen, struct tw_dns_nsec3param *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_NSEC3PARAM, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->hash_alg = p[0];
	out->flags = p[1];
	out->iterations = tw_wire_get16(p + 2);
	out->salt_len = p[4];
	out->salt = p + 5;
	return 0;
}

/* Unpacks the (possibly compressed) name at pos, which ends by `end`; the RDATA
 * was checked, so this cannot fail. Returns the octets it occupies at pos. */
static size_t read_name(const uint8_t *msg, size_t end, size_t pos, uint8_t *out,
			size_t *name_len)
{
	size_t wire = 0;
	(void)tw_dns_name_unpack(msg, end, pos, out, name_len, &wire);
	return wire;
}

int tw_dns_soa_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		    struct tw_dns_soa *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_SOA, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	size_t end = rd_off + rdlen, pos = rd_off;
	pos += read_name(msg, end, pos, out->mname, NULL);
	pos += read_name(msg, end, pos, out->rname, NULL);
	const uint8_t *p = msg + pos;
	out->serial = tw_wire_get32(p);
	out->refresh = tw_wire_get32(p + 4);
	out->retry = tw_wire_get32(p + 8);
	out->expire = tw_wire_get32(p + 12);
	out->minimum = tw_wire_get32(p + 16);
	return 0;
}

int tw_dns_target_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		       uint16_t rdlen, struct tw_dns_target *out)
{
	if (type != TW_DNS_T_NS && type != TW_DNS_T_CNAME && type != TW_DNS_T_PTR &&
	    type != TW_DNS_T_DNAME)
		return -TW_EINVAL;
	int rc = tw_dns_rdata_check(type, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	read_name(msg, rd_off + rdlen, rd_off, out->name, &out->name_len);
	return 0;
}

int tw_dns_mx_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		   struct tw_dns_mx *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_MX, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	out->preference = tw_wire_get16(msg + rd_off);
	read_name(msg, rd_off + rdlen, rd_off + 2, out->exchange, NULL);
	return 0;
}

int tw_dns_srv_view(const uint8_t *msg, size_t msg_len, size_t rd_off, uint16_t rdlen,
		    struct tw_dns_srv *out)
{
	int rc = tw_dns_rdata_check(TW_DNS_T_SRV, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->priority = tw_wire_get16(p);
	out->weight = tw_wire_get16(p + 2);
	out->port = tw_wire_get16(p + 4);
	read_name(msg, rd_off + rdlen, rd_off + 6, out->target, NULL);
	return 0;
}

int tw_dns_tlsa_view(uint16_t type, const uint8_t *msg, size_t msg_len, size_t rd_off,
		     uint16_t rdlen, struct tw_dns_tlsa *out)
{
	if (type != TW_DNS_T_TLSA && type != TW_DNS_T_SMIMEA)
		return -TW_EINVAL;
	int rc = tw_dns_rdata_check(type, msg, msg_len, rd_off, rdlen);
	if (rc)
		return rc;
	const uint8_t *p = msg + rd_off;
	out->usage = p[0];
	out->selector = p[1];
	out->matching_type = p[2];
	out->data = p + 3;
	out->data_len = rdlen - 3u;
	return 0;
}

const uint8_t *tw_dns_a_view(const uint8_t *msg, size_t rd_off, uint16_t rdlen)
{
	return rdlen == 4 ? msg + rd_off : NULL;
}

const uint8_t *tw_dns_aaaa_view(const uint8_t *msg, size_t rd_off, uint16_t rdlen)
{
	return rdlen == 16 ? msg + rd_off : NULL;
}

int tw_dns_txt_next(const uint8_t *rdata, uint16_t rdlen, size_t *pos, const uint8_t **str,
		    uint8_t *len)
{
	if (*pos >= rdlen)
		return 0;
	uint8_t l = rdata[*pos];
	if (*pos + 1 + l > rdlen)
		return -TW_EDNS_RDATA;
	*str = rdata + *pos + 1;
	*len = l;
	*pos += 1 + (size_t)l;
	return 1;
}
