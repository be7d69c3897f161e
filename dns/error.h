/* trustwire error codes: one enum shared by every module, in short per-module ranges.
 *
 * A function that can fail returns int: 0 on success or a negative TW_E* value.
 * Validation outcomes (secure, insecure, bogus) are verdicts, never errors: they
 * travel in their own result structs, not in this enum.
 */
#ifndef TW_DNS_ERROR_H
#define TW_DNS_ERROR_H

enum tw_err {
	TW_OK = 0,

	/* generic: 1..99 */
	TW_EINVAL = 1,          /* bad argument from the caller */
	TW_ENOMEM = 2,          /* allocation failed or caller storage too small */
	TW_ENOSPC = 3,          /* output buffer too small */
	TW_ENOENT = 4,          /* no such item */
	TW_EEXIST = 5,          /* item already present */
	TW_ERANGE = 6,          /* value out of range */
	TW_EIO = 7,             /* operating-system I/O failed */

	/* dns/ wire format: 100..199 */
	TW_EDNS_TRUNC = 100,    /* message or field ends before its declared end */
	TW_EDNS_LABEL_LEN = 101, /* label longer than 63 octets */
	TW_EDNS_NAME_LEN = 102, /* name longer than 255 octets */
	TW_EDNS_PTR_LOOP = 103, /* compression pointer does not point strictly backwards */
	TW_EDNS_PTR_BAD = 104,  /* compression pointer where none is allowed */
	TW_EDNS_LABEL_TYPE = 105, /* reserved label type (0x40 / 0x80) */
	TW_EDNS_RDATA = 106,    /* RDATA does not match its type's layout */
	TW_EDNS_RDLEN = 107,    /* RDLENGTH runs past the end of the message */
	TW_EDNS_COUNT = 108,    /* section count larger than the message holds */
	TW_EDNS_QDCOUNT = 109,  /* QDCOUNT other than 0 or 1 */
	TW_EDNS_OPT = 110,      /* OPT record misplaced, duplicated or malformed */
	TW_EDNS_TOO_MANY = 111, /* more RRs than the caller's RR array holds */
	TW_EDNS_TC = 112,       /* builder: record did not fit, TC set */
	TW_EDNS_SECTION = 113,  /* builder: sections written out of order */
	TW_EDNS_SYNTAX = 114,   /* presentation format: syntax error */
	TW_EDNS_TYPE = 115,     /* unknown type or class mnemonic */
	TW_EDNS_TRAILING = 116, /* octets after the last counted record */

	/* crypto/: 200..299 */
	TW_ECRYPTO_UNSUPPORTED = 200, /* algorithm or digest type not implemented/enabled */
	TW_ECRYPTO_ITERATIONS = 201,  /* NSEC3 iterations above the policy limit */
	TW_ECRYPTO_LABELS = 202,      /* RRSIG Labels larger than the owner's labels */
	TW_ECRYPTO_LIBRARY = 203,     /* the crypto library failed internally */
	TW_ECRYPTO_KEY = 204,         /* DNSKEY material malformed or of refused size */
	/* validator: 300..399 */
	/* cache/: 400..499 */
	/* dataplane/: 500..599 */
	/* mgmt/: 600..699 */
};

/* Static English text for a TW_E* code (given negative or positive); never NULL.
 * Any thread. */
const char *tw_strerror(int err);

#endif
