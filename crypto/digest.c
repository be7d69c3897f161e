/* Key tags, DS digests and NSEC3 hashing. */
#include "crypto/digest.h"

#include <string.h>

#include <openssl/evp.h>

#include "crypto/md.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/wire.h"

uint16_t tw_crypto_keytag(const uint8_t *rdata, size_t rdlen)
{
	if (rdlen >= 4 && rdata[3] == TW_ALG_RSAMD5) {
		/* RFC 4034 Appendix B.1: the most significant 16 of the least
		 * significant 24 bits of the modulus */
		return rdlen >= 3 ? (uint16_t)((rdata[rdlen - 3] << 8) | rdata[rdlen - 2]) : 0;
	}
	uint32_t ac = 0;
	for (size_t i = 0; i < rdlen; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

static const EVP_MD *ds_md(uint8_t type)
{
	switch (type) {
	case TW_DS_SHA1:
		return tw_md_sha1();
	case TW_DS_SHA256:
		return tw_md_sha256();
	case TW_DS_SHA384:
		return tw_md_sha384();
	default:
		return NULL;
	}
}

int tw_crypto_ds_digest(uint8_t type, const uint8_t *owner, const uint8_t *rdata, size_t rdlen,
			uint8_t *out)
{
	const EVP_MD *md = ds_md(type);
	if (!md)
		return -TW_ECRYPTO_UNSUPPORTED;
	uint8_t canon[TW_DNS_NAME_MAXLEN];
	size_t olen = tw_dns_name_copy_lower(canon, owner);
	EVP_MD_CTX *ctx = tw_md_ctx();
	unsigned int n = 0;
	if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, canon, olen) ||
	    !EVP_DigestUpdate(ctx, rdata, rdlen) || !EVP_DigestFinal_ex(ctx, out, &n))
		return -TW_ECRYPTO_LIBRARY;
	return (int)n;
}

enum tw_ds_match tw_crypto_ds_match(const struct tw_crypto_policy *p, const uint8_t *owner,
				    const uint8_t *ds, size_t ds_len, const uint8_t *key,
				    size_t key_len)
{
	if (ds_len < 4 || key_len < 4)
		return TW_DS_MISMATCH;
	uint8_t type = ds[3];
	if (!tw_crypto_digest_enabled(p, type))
		return TW_DS_UNSUPPORTED;
	/* RFC 4034 §5.2: key tag and algorithm must match the DNSKEY */
	if (tw_wire_get16(ds) != tw_crypto_keytag(key, key_len) || ds[2] != key[3])
		return TW_DS_MISMATCH;
	uint8_t d[TW_DS_DIGEST_MAXLEN];
	int n = tw_crypto_ds_digest(type, owner, key, key_len, d);
	if (n < 0)
		return TW_DS_MISMATCH;
	if ((size_t)n != ds_len - 4 || memcmp(d, ds + 4, (size_t)n) != 0)
		return TW_DS_MISMATCH;
	return TW_DS_MATCH;
}

int tw_crypto_nsec3_hash(const struct tw_crypto_policy *p, uint8_t hash_alg,
			 uint16_t iterations, const uint8_t *salt, size_t salt_len,
			 const uint8_t *name, uint8_t *out)
{
	if (hash_alg != TW_NSEC3_SHA1)
		return -TW_ECRYPTO_UNSUPPORTED;
	/* RFC 9276 §3.2 and CVE-2023-50868: refuse before doing any work */
	if (iterations > p->nsec3_max_iterations)
		return -TW_ECRYPTO_ITERATIONS;
	uint8_t canon[TW_DNS_NAME_MAXLEN];
	size_t nlen = tw_dns_name_copy_lower(canon, name);
	EVP_MD_CTX *ctx = tw_md_ctx();
	const EVP_MD *md = tw_md_sha1();
	unsigned int n;
	if (!ctx || !EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, canon, nlen) ||
	    !EVP_DigestUpdate(ctx, salt, salt_len) || !EVP_DigestFinal_ex(ctx, out, &n))
		return -TW_ECRYPTO_LIBRARY;
	/* RFC 5155 §5: IH(salt, x, k) = H(IH(salt, x, k-1) || salt) */
	for (unsigned i = 0; i < iterations; i++) {
		if (!EVP_DigestInit_ex(ctx, md, NULL) ||
		    !EVP_DigestUpdate(ctx, out, TW_NSEC3_HASH_LEN) ||
		    !EVP_DigestUpdate(ctx, salt, salt_len) || !EVP_DigestFinal_ex(ctx, out, &n))
			return -TW_ECRYPTO_LIBRARY;
	}
	return 0;
}
