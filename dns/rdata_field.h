/* Private to dns/: measuring one RDATA field on the wire, shared by the layout
 * checker, the canonical-form writer, the message builder and the printer. */
#ifndef TW_DNS_RDATA_FIELD_H
#define TW_DNS_RDATA_FIELD_H

#include <stddef.h>
#include <stdint.h>

/* Measures the field `field` (kind | flags) at msg[pos], which must end by `end`
 * (the RDATA end). len: out, the octets it occupies at pos (a compressed name
 * counts up to its first pointer). Returns 0, -TW_EDNS_RDATA, -TW_EDNS_PTR_BAD or
 * a tw_dns_name_unpack error. */
int tw_dns_rdf_measure(uint8_t field, const uint8_t *msg, size_t msg_len, size_t pos,
		       size_t end, size_t *len);

#endif
