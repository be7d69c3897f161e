/* Canonical signed data of an RRset under one RRSIG. */
#include "crypto/sigdata.h"

#include <stdlib.h>
#include <string.h>

#include "dns/error.h"
#include "dns/name.h"
#include "dns/wire.h"

int tw_crypto_rr_cmp(const struct tw_crypto_rr *a, const struct tw_crypto_rr *b)
{
	size_t m = a->rdlen < b->rdlen ? a->rdlen : b->rdlen;
	int d = m ? memcmp(a->rdata, b->rdata, m) : 0;
	if (d)
		return d;
	/* RFC 4034 §6.3: the absence of an octet sorts before a zero octet */
	return (int)a->rdlen - (int)b->rdlen;
}

static int cmp_qsort(const void *a, const void *b)
{
	return tw_crypto_rr_cmp(a, b);
}

static void sort_rrs(struct tw_crypto_rr *rrs, size_t n)
{
	if (n > 16) {
		qsort(rrs, n, sizeof(*rrs), cmp_qsort);
		return;
	}
	/* most RRsets have a handful of records: insertion sort, no calls */
	for (size_t i = 1; i < n; i++) {
		struct tw_crypto_rr x = rrs[i];
		size_t j = i;
		while (j > 0 && tw_crypto_rr_cmp(&rrs[j - 1], &x) > 0) {
			rrs[j] = rrs[j - 1];
			j--;
		}
		rrs[j] = x;
	}
}

int tw_crypto_sigdata(const uint8_t *sig, size_t sig_len, const uint8_t *owner, uint16_t cls,
		      struct tw_crypto_rr *rrs, size_t n, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	(void)sig_len;
	struct tw_wire_wr w;
	tw_wire_wr_init(&w, out, cap);

	/* RRSIG RDATA without the signature, signer's name in canonical form */
	const uint8_t *signer = sig + TW_RRSIG_FIXED_LEN;
	uint8_t *p = tw_wire_wr_take(&w, TW_RRSIG_FIXED_LEN + tw_dns_name_len(signer));
	if (!p)
		return -TW_ENOSPC;
	memcpy(p, sig, TW_RRSIG_FIXED_LEN);
	tw_dns_name_copy_lower(p + TW_RRSIG_FIXED_LEN, signer);

	/* RFC 4035 §5.3.2: owner rebuilt from the Labels field */
	unsigned labels = sig[3];
	unsigned have = tw_dns_name_labels(owner);
	uint8_t name[TW_DNS_NAME_MAXLEN];
	size_t nlen;
	if (labels > have)
		return -TW_ECRYPTO_LABELS;
	if (labels < have) {
		name[0] = 1;
		name[1] = '*';
		nlen = 2 + tw_dns_name_copy_lower(name + 2, tw_dns_name_suffix(owner, labels));
	} else {
		nlen = tw_dns_name_copy_lower(name, owner);
	}

	uint8_t fixed[8];
	memcpy(fixed, sig, 2); /* type covered */
	tw_wire_put16(fixed + 2, cls);
	memcpy(fixed + 4, sig + 4, 4); /* original TTL */

	sort_rrs(rrs, n);
	for (size_t i = 0; i < n; i++) {
		/* RFC 4034 §6.3: duplicate RRs are left out */
		if (i > 0 && tw_crypto_rr_cmp(&rrs[i - 1], &rrs[i]) == 0)
			continue;
		tw_wire_wr_bytes(&w, name, nlen);
		tw_wire_wr_bytes(&w, fixed, sizeof(fixed));
		tw_wire_wr_u16(&w, rrs[i].rdlen);
		tw_wire_wr_bytes(&w, rrs[i].rdata, rrs[i].rdlen);
	}
	if (w.err)
		return -TW_ENOSPC;
	*out_len = (size_t)(w.pos - out);
	return 0;
}
