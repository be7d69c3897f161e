/* Trust anchor files: reading them into the validation engine's configuration
 * (crypto/validator.h).
 *
 * Two formats, told apart by content (the first character after an optional
 * UTF-8 byte order mark and white space: "<" is XML, anything else zone file):
 *  - zone-file DS and DNSKEY lines, as Debian's dns-root-data ships them
 *    (/usr/share/dns/root.ds, /usr/share/dns/root.key), handed whole to
 *    tw_val_conf_load_anchors();
 *  - IANA's root-anchors.xml (RFC 9718 §2): a <TrustAnchor> with one <Zone> and
 *    <KeyDigest> entries. Only entries valid at `now` (validFrom <= now, and
 *    now < validUntil when given) become DS anchors for the zone; the others are
 *    counted and skipped.
 *
 * The XML reader is small and strict, made for this one shape and no other:
 * an optional <?xml ...?> declaration, comments, elements, attributes in single
 * or double quotes, the five predefined entities and ASCII character references.
 * It refuses DOCTYPE, CDATA, processing instructions after the declaration,
 * elements and attributes the format does not define, text where no text
 * belongs, a missing or repeated <KeyTag>, <Algorithm>, <DigestType> or <Digest>,
 * a digest that is not hex or not the size its type gives (SHA-1 20, SHA-256 32,
 * SHA-384 48 octets), dates that are not RFC 3339 date-times, validUntil not
 * after validFrom, and duplicate KeyDigest ids. <PublicKey> (base64) and <Flags>
 * (RFC 9718 additions) are checked and otherwise unused: the digest is the anchor.
 *
 * No anchor is an error: trustwired does not start without a trust anchor.
 * An empty file, an XML file whose every KeyDigest is expired or not yet valid,
 * and an empty list of files all fail with -TW_ENOENT and a message saying so.
 *
 * Concurrency: the functions here change the tw_val_conf they are given, before
 * it is shared. Setup time, any thread.
 */
#ifndef TW_MGMT_ANCHORS_H
#define TW_MGMT_ANCHORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/name.h"

struct tw_val_conf;

/* Debian's dns-root-data: the root KSK as DS lines, and as DNSKEY lines. The
 * first is the configuration's default (mgmt/config.h). */
#define TW_ANCHORS_DEFAULT_FILE "/usr/share/dns/root.ds"
#define TW_ANCHORS_DEBIAN_ROOT_KEY "/usr/share/dns/root.key"

/* KeyDigest entries one root-anchors.xml may hold. */
#define TW_ANCHORS_XML_MAX 32
/* Longest digest accepted for a digest type this reader does not know. */
#define TW_ANCHORS_DIGEST_MAX 64

/* One <KeyDigest> of a root-anchors.xml. */
struct tw_anchor_digest {
	char id[32];            /* the id attribute */
	uint16_t key_tag;
	uint8_t algorithm;
	uint8_t digest_type;
	uint8_t digest[TW_ANCHORS_DIGEST_MAX];
	uint16_t digest_len;
	int64_t valid_from;     /* seconds since the epoch */
	int64_t valid_until;    /* seconds since the epoch; INT64_MAX: no end given */
	bool valid;             /* valid at the `now` it was read for */
	unsigned line;          /* line of its <KeyDigest> tag */
};

/* A root-anchors.xml, read. */
struct tw_anchors_xml {
	uint8_t zone[TW_DNS_NAME_MAXLEN]; /* <Zone>, wire form */
	unsigned n;                       /* entries in kd[] */
	unsigned valid;                   /* of which valid at `now` */
	unsigned expired;                 /* now >= validUntil */
	unsigned not_yet_valid;           /* now < validFrom */
	struct tw_anchor_digest kd[TW_ANCHORS_XML_MAX];
};

/* Reads root-anchors.xml text[0..len) into *out (caller storage) and marks the
 * entries valid at now (seconds since the epoch). file names the text in
 * messages (may be NULL). Nothing is added anywhere. Returns
 *   0            read, whatever out->valid is
 *   -TW_EINVAL   not the format: err says "FILE:LINE: where: reason"
 *   -TW_ENOSPC   more than TW_ANCHORS_XML_MAX KeyDigest entries */
int tw_anchors_xml_parse(const char *text, size_t len, const char *file, uint32_t now,
			 struct tw_anchors_xml *out, char *err, size_t errcap);

/* Reads the trust anchor file at path (either format) into vc as of now (seconds
 * since the epoch; XML validity only). Returns the number of anchors added
 * (>= 1), or on failure a negative code with err (capacity errcap) naming the
 * file, and the line where there is one:
 *   -TW_EIO      cannot open or read it, not a regular file, larger than 1 MiB
 *   -TW_ENOENT   no anchor in it: empty, or no KeyDigest valid at now (the
 *                message counts the expired and the not yet valid ones)
 *   -TW_EINVAL   malformed XML, or a zone-file record that is not DS or DNSKEY
 *   -TW_ENOSPC   vc holds no more anchors (crypto/validator.h)
 *   -TW_ENOMEM   out of memory
 *   -TW_EDNS_SYNTAX, -TW_EDNS_TYPE, -TW_EDNS_LABEL_LEN, -TW_EDNS_NAME_LEN
 *                a zone-file line the reader refuses (dns/zone.h)
 * XML is all or nothing; a zone file may leave the records before a bad line
 * added (tw_val_conf_load_anchors). Either way trustwired must not start. */
int tw_anchors_load(struct tw_val_conf *vc, const char *path, uint32_t now, char *err,
		    size_t errcap);

/* tw_anchors_load for each of paths[0..n) in turn, stopping at the first
 * failure. Returns the total added (>= 1), -TW_ENOENT with err when n is 0, or
 * the first failure's code and message. */
int tw_anchors_load_all(struct tw_val_conf *vc, const char *const paths[], unsigned n,
			uint32_t now, char *err, size_t errcap);

#endif
