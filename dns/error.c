/* Text for the shared TW_E* error codes. */
#include "dns/error.h"

const char *tw_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch ((enum tw_err)err) {
	case TW_OK: return "success";
	case TW_EINVAL: return "invalid argument";
	case TW_ENOMEM: return "out of memory";
	case TW_ENOSPC: return "no space left in the output buffer";
	case TW_ENOENT: return "no such entry";
	case TW_EEXIST: return "entry already exists";
	case TW_ERANGE: return "value out of range";
	case TW_EIO: return "input/output error";
	case TW_EDNS_TRUNC: return "DNS data truncated";
	case TW_EDNS_LABEL_LEN: return "DNS label longer than 63 octets";
	case TW_EDNS_NAME_LEN: return "DNS name longer than 255 octets";
	case TW_EDNS_PTR_LOOP: return "DNS compression pointer loops or points forward";
	case TW_EDNS_PTR_BAD: return "DNS compression pointer where none is allowed";
	case TW_EDNS_LABEL_TYPE: return "DNS label of a reserved type";
	case TW_EDNS_RDATA: return "RDATA does not match its type";
	case TW_EDNS_RDLEN: return "RDLENGTH runs past the end of the message";
	case TW_EDNS_COUNT: return "section counts exceed the records present";
	case TW_EDNS_QDCOUNT: return "more than one question";
	case TW_EDNS_OPT: return "malformed or misplaced OPT record";
	case TW_EDNS_TOO_MANY: return "more records than the index holds";
	case TW_EDNS_TC: return "record does not fit; message truncated";
	case TW_EDNS_SECTION: return "records written out of section order";
	case TW_EDNS_SYNTAX: return "presentation-format syntax error";
	case TW_EDNS_TYPE: return "unknown type or class";
	case TW_EDNS_TRAILING: return "octets after the last record";
	case TW_ECRYPTO_UNSUPPORTED: return "algorithm or digest type not supported";
	case TW_ECRYPTO_ITERATIONS: return "NSEC3 iterations above the configured limit";
	case TW_ECRYPTO_LABELS: return "RRSIG labels exceed the owner name's labels";
	case TW_ECRYPTO_LIBRARY: return "crypto library failure";
	case TW_ECRYPTO_KEY: return "DNSKEY malformed or of refused size";
	}
	return "unknown error";
}
