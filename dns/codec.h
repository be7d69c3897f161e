/* Text encodings used by presentation format and DNSSEC: base64 (RFC 4648 §4),
 * base32hex without padding (RFC 4648 §7, as NSEC3 owner labels use it, RFC 5155
 * §3.3) and hex. Decoders accept upper and lower case where the alphabet allows.
 *
 * Pure functions: any thread.
 */
#ifndef TW_DNS_CODEC_H
#define TW_DNS_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* Each encoder writes a NUL-terminated string into out (capacity cap) and returns
 * its length without the NUL, or -TW_ENOSPC. */
int tw_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap);
int tw_base32hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);
int tw_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/* Each decoder reads `len` characters of `in` into out (capacity cap), sets
 * *out_len, and returns 0, -TW_EDNS_SYNTAX (bad character, bad length or
 * padding) or -TW_ENOSPC. base64 ignores no whitespace: callers join the tokens. */
int tw_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);
int tw_base32hex_decode(const char *in, size_t len, uint8_t *out, size_t cap,
			size_t *out_len);
int tw_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
