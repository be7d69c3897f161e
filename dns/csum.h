/* The Internet checksum (RFC 1071): one's complement sums of 16-bit words. */
#ifndef TW_DNS_CSUM_H
#define TW_DNS_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* One's complement sum of len octets at buf as 16-bit words, added to sum: 8
 * octets per step with the carries folded back (RFC 1071 §4.1 and §2(B): the sum
 * does not depend on byte order, so words are loaded in host order and stored
 * back the same way). An odd last octet is padded with zero, so only the last
 * piece of a concatenation may have an odd length. Returns the sum folded to 16
 * bits: a caller may add a few more 16-bit words (in host order of their network
 * bytes, e.g. htons(17)) before tw_csum_fold(). Any thread. */
uint32_t tw_csum_partial(const void *buf, size_t len, uint32_t sum);

/* The checksum to store for a sum: folded to 16 bits and complemented, in the
 * host order of its network bytes (memcpy it into the header). Over data that
 * includes a correct checksum it is 0. Any thread. */
uint16_t tw_csum_fold(uint32_t sum);

/* RFC 1624 §3 incremental update: the checksum csum after one 16-bit word of the
 * data changed from old_word to new_word (all three as stored). Any thread. */
uint16_t tw_csum_adjust(uint16_t csum, uint16_t old_word, uint16_t new_word);

#endif
