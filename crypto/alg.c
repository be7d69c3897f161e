/* DNSSEC algorithm policy. */
#include "crypto/alg.h"

#include <stddef.h>

#define BIT(n) (1u << (n))

static const uint32_t implemented_algs =
	BIT(TW_ALG_RSASHA1) | BIT(TW_ALG_RSASHA1_NSEC3_SHA1) | BIT(TW_ALG_RSASHA256) |
	BIT(TW_ALG_RSASHA512) | BIT(TW_ALG_ECDSAP256SHA256) | BIT(TW_ALG_ECDSAP384SHA384) |
	BIT(TW_ALG_ED25519) | BIT(TW_ALG_ED448);

static const uint8_t implemented_digests = BIT(TW_DS_SHA1) | BIT(TW_DS_SHA256) | BIT(TW_DS_SHA384);

void tw_crypto_policy_default(struct tw_crypto_policy *p)
{
	/* RFC 8624 §3.1: 5 and 7 are NOT RECOMMENDED to validate but still in use;
	 * an operator turns them off by clearing their bits. */
	p->alg_enabled = implemented_algs;
	/* RFC 8624 §3.3: SHA-1 MUST still be validated; GOST is not implemented */
	p->digest_enabled = implemented_digests;
	p->rsa_min_bits = 1024;
	p->rsa_max_bits = 4096;
	p->nsec3_max_iterations = 150;
	p->ecdsa_tables = true;
}

bool tw_crypto_alg_implemented(uint8_t alg)
{
	return alg < 32 && (implemented_algs & BIT(alg));
}

bool tw_crypto_alg_enabled(const struct tw_crypto_policy *p, uint8_t alg)
{
	return tw_crypto_alg_implemented(alg) && (p->alg_enabled & BIT(alg));
}

bool tw_crypto_digest_enabled(const struct tw_crypto_policy *p, uint8_t digest_type)
{
	return digest_type < 8 && (implemented_digests & BIT(digest_type)) &&
	       (p->digest_enabled & BIT(digest_type));
}

const char *tw_crypto_alg_name(uint8_t alg)
{
	static const char *const names[] = {
		[TW_ALG_RSAMD5] = "RSAMD5",
		[TW_ALG_DSA] = "DSA",
		[TW_ALG_RSASHA1] = "RSASHA1",
		[TW_ALG_DSA_NSEC3_SHA1] = "DSA-NSEC3-SHA1",
		[TW_ALG_RSASHA1_NSEC3_SHA1] = "RSASHA1-NSEC3-SHA1",
		[TW_ALG_RSASHA256] = "RSASHA256",
		[TW_ALG_RSASHA512] = "RSASHA512",
		[TW_ALG_ECC_GOST] = "ECC-GOST",
		[TW_ALG_ECDSAP256SHA256] = "ECDSAP256SHA256",
		[TW_ALG_ECDSAP384SHA384] = "ECDSAP384SHA384",
		[TW_ALG_ED25519] = "ED25519",
		[TW_ALG_ED448] = "ED448",
	};
	return alg < sizeof(names) / sizeof(names[0]) ? names[alg] : NULL;
}
