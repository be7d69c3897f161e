/* base64 (RFC 4648 §4), unpadded base32hex (RFC 4648 §7) and hex: strict codecs. */
#include "dns/codec.h"

#include <limits.h>
#include <stdbool.h>

#include "dns/error.h"

static const char b64_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32hex_alpha[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
static const char hex_alpha[] = "0123456789ABCDEF";

/* Value of a base64 character, or -1 ('=' included: the caller handles padding). */
static int b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* RFC 4648 §7 "Extended Hex" alphabet, either case. */
static int b32hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	return -1;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tw_base64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return -TW_ENOSPC;
	size_t need = (len + 2) / 3 * 4;
	if (need + 1 > cap)
		return -TW_ENOSPC;
	size_t o = 0, i = 0;
	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_alpha[v >> 18];
		out[o++] = b64_alpha[(v >> 12) & 63];
		out[o++] = b64_alpha[(v >> 6) & 63];
		out[o++] = b64_alpha[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64_alpha[v >> 18];
		out[o++] = b64_alpha[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64_alpha[v >> 18];
		out[o++] = b64_alpha[(v >> 12) & 63];
		out[o++] = b64_alpha[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = 0;
	return (int)o;
}

/* RFC 4648 §4: groups of 4 characters; "=" only as the last one or two characters
 * of the input, and the bits the padding leaves over must be zero (§3.5), so that
 * every octet string has exactly one accepted encoding. */
int tw_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	if (len % 4 != 0)
		return -TW_EDNS_SYNTAX;
	size_t pad = 0;
	if (len >= 4 && in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	size_t n = len / 4 * 3 - pad;
	size_t o = 0;
	for (size_t i = 0; i < len; i += 4) {
		bool last = i + 4 == len;
		size_t chars = last ? 4 - pad : 4;
		uint32_t v = 0;
		for (size_t k = 0; k < 4; k++) {
			int d = k < chars ? b64_val(in[i + k]) : 0;
			if (d < 0)
				return -TW_EDNS_SYNTAX; /* bad character, or '=' too early */
			v = v << 6 | (uint32_t)d;
		}
		if (pad == 2 && last && (v & 0xFFFF) != 0)
			return -TW_EDNS_SYNTAX;
		if (pad == 1 && last && (v & 0xFF) != 0)
			return -TW_EDNS_SYNTAX;
		uint8_t b[3] = { (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
		for (size_t k = 0; k < 3 - (last ? pad : 0); k++, o++)
			if (o < cap)
				out[o] = b[k];
	}
	if (n > cap)
		return -TW_ENOSPC;
	*out_len = n;
	return 0;
}

/* RFC 4648 §7 without the "=" padding, as NSEC3 uses it (RFC 5155 §3.3). */
int tw_base32hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (len > (size_t)INT_MAX / 8 * 5 - 5)
		return -TW_ENOSPC;
	size_t need = (len * 8 + 4) / 5;
	if (need + 1 > cap)
		return -TW_ENOSPC;
	size_t o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xFFFF;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32hex_alpha[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[o++] = b32hex_alpha[(acc << (5 - bits)) & 31];
	out[o] = 0;
	return (int)o;
}

/* A length of 1, 3 or 6 (mod 8) characters encodes no whole number of octets;
 * the bits after the last whole octet must be zero (RFC 4648 §3.5). */
int tw_base32hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t rem = len % 8;
	if (rem == 1 || rem == 3 || rem == 6)
		return -TW_EDNS_SYNTAX;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int d = b32hex_val(in[i]);
		if (d < 0)
			return -TW_EDNS_SYNTAX;
		acc = (acc << 5 | (uint32_t)d) & 0x1FFF;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (o < cap)
				out[o] = (uint8_t)(acc >> bits);
			o++;
		}
	}
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -TW_EDNS_SYNTAX;
	if (o > cap)
		return -TW_ENOSPC;
	*out_len = o;
	return 0;
}

int tw_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (len > (size_t)INT_MAX / 2 || len * 2 + 1 > cap)
		return -TW_ENOSPC;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex_alpha[in[i] >> 4];
		out[2 * i + 1] = hex_alpha[in[i] & 15];
	}
	out[2 * len] = 0;
	return (int)(2 * len);
}

int tw_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	if (len % 2 != 0)
		return -TW_EDNS_SYNTAX;
	for (size_t i = 0; i < len; i += 2) {
		int hi = hex_val(in[i]), lo = hex_val(in[i + 1]);
		if (hi < 0 || lo < 0)
			return -TW_EDNS_SYNTAX;
		if (i / 2 < cap)
			out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	if (len / 2 > cap)
		return -TW_ENOSPC;
	*out_len = len / 2;
	return 0;
}
