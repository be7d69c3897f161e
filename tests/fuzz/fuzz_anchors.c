/* libFuzzer target: hostile trust anchor files (mgmt/anchors.h). The input is
 * read as IANA's root-anchors.xml by tw_anchors_xml_parse() at three clocks
 * (now, the epoch, the end of 32-bit time): the entries must not depend on the
 * clock, only their validity, and every entry must be what the reader promises
 * (digest sizes, dates in order, distinct ids, counts that add up); the valid
 * ones are added to a validator configuration as tw_anchors_load() does, which
 * must take them. The same input is then read as a zone file, the route
 * tw_anchors_load() takes for anything that is not XML, by
 * tw_val_conf_load_anchors() (crypto/validator.h) into a fresh configuration.
 * A refusal says why, under the file's name and a line. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/validator.h"
#include "dns/error.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "mgmt/anchors.h"

#define CHECK(x)                                                                \
	do {                                                                    \
		if (!(x)) {                                                     \
			fprintf(stderr, "fuzz_anchors.c:%d: %s\n", __LINE__, #x); \
			abort();                                                \
		}                                                               \
	} while (0)

#define XML_NAME "root-anchors.xml"
#define ZONE_NAME "root.ds"
#define NOW 1748736000u /* 2025-06-01T00:00:00Z: the 2017 and 2024 root KSKs valid */
#define ERRCAP 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "NAME:LINE: reason", the line at least 1 and within the text. */
static void check_message(const char *err, const char *name, size_t input_len)
{
	size_t nl = strlen(name);
	CHECK(strnlen(err, ERRCAP) < ERRCAP);
	CHECK(strncmp(err, name, nl) == 0 && err[nl] == ':');
	const char *p = err + nl + 1;
	if (*p == ' ')
		return; /* "NAME: reason": about the whole text */
	unsigned long line = 0;
	size_t digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		line = line * 10 + (unsigned long)(*p - '0');
	CHECK(digits > 0 && p[0] == ':' && p[1] == ' ' && p[2] != 0);
	CHECK(line >= 1 && line <= input_len + 1);
}

/* RFC 4034 §5.1.4 and its successors: the sizes the reader enforces. */
static unsigned digest_size(uint8_t type)
{
	switch (type) {
	case 1: return 20;
	case 2: return 32;
	case 3: return 32;
	case 4: return 48;
	default: return 0;
	}
}

static void check_xml(const struct tw_anchors_xml *ax, uint32_t now, size_t input_len)
{
	CHECK(ax->n >= 1 && ax->n <= TW_ANCHORS_XML_MAX);
	CHECK(ax->valid + ax->expired + ax->not_yet_valid == ax->n);
	CHECK(tw_dns_name_len(ax->zone) <= TW_DNS_NAME_MAXLEN);
	unsigned valid = 0, expired = 0, early = 0;
	for (unsigned i = 0; i < ax->n; i++) {
		const struct tw_anchor_digest *kd = &ax->kd[i];
		CHECK(kd->digest_len >= 1 && kd->digest_len <= TW_ANCHORS_DIGEST_MAX);
		unsigned want = digest_size(kd->digest_type);
		CHECK(!want || kd->digest_len == want);
		CHECK(kd->algorithm >= 1 && kd->digest_type >= 1);
		CHECK(kd->valid_from < kd->valid_until);
		int64_t t = now;
		CHECK(kd->valid == (kd->valid_from <= t && t < kd->valid_until));
		valid += kd->valid;
		expired += !kd->valid && t >= kd->valid_until;
		early += t < kd->valid_from;
		CHECK(strnlen(kd->id, sizeof(kd->id)) < sizeof(kd->id) && kd->id[0]);
		CHECK(kd->line >= 1 && kd->line <= input_len + 1);
		for (unsigned j = 0; j < i; j++)
			CHECK(strcmp(ax->kd[j].id, kd->id) != 0);
	}
	CHECK(valid == ax->valid && expired == ax->expired && early == ax->not_yet_valid);
}

/* The same entries whatever the clock said: only validity differs. */
static bool same_entries(const struct tw_anchors_xml *a, const struct tw_anchors_xml *b)
{
	if (a->n != b->n || tw_dns_name_len(a->zone) != tw_dns_name_len(b->zone) ||
	    memcmp(a->zone, b->zone, tw_dns_name_len(a->zone)) != 0)
		return false;
	for (unsigned i = 0; i < a->n; i++) {
		struct tw_anchor_digest x = a->kd[i], y = b->kd[i];
		x.valid = y.valid = false;
		if (strcmp(x.id, y.id) || x.key_tag != y.key_tag || x.algorithm != y.algorithm ||
		    x.digest_type != y.digest_type || x.digest_len != y.digest_len ||
		    memcmp(x.digest, y.digest, x.digest_len) || x.valid_from != y.valid_from ||
		    x.valid_until != y.valid_until || x.line != y.line)
			return false;
	}
	return true;
}

/* tw_anchors_load()'s add_xml_anchors(): each valid entry as a DS anchor. */
static void add_valid(const struct tw_anchors_xml *ax)
{
	struct tw_val_conf *vc = tw_val_conf_new();
	CHECK(vc);
	unsigned added = 0;
	for (unsigned i = 0; i < ax->n; i++) {
		const struct tw_anchor_digest *kd = &ax->kd[i];
		if (!kd->valid)
			continue;
		uint8_t rdata[4 + TW_ANCHORS_DIGEST_MAX];
		rdata[0] = (uint8_t)(kd->key_tag >> 8);
		rdata[1] = (uint8_t)kd->key_tag;
		rdata[2] = kd->algorithm;
		rdata[3] = kd->digest_type;
		memcpy(rdata + 4, kd->digest, kd->digest_len);
		int rc = tw_val_conf_add_anchor(vc, ax->zone, TW_DNS_T_DS, rdata,
						(uint16_t)(4 + kd->digest_len));
		if (rc != 0)
			fprintf(stderr, "KeyDigest[%s] (line %u) read but not added: %s\n", kd->id,
				kd->line, tw_strerror(rc));
		CHECK(rc == 0);
		added++;
	}
	CHECK(added == ax->valid);
	CHECK(tw_val_conf_anchor_zones(vc) == (added ? 1u : 0u));
	tw_val_conf_free(vc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tw_anchors_xml ax, at_epoch, at_end;
	static const uint32_t clocks[2] = { 0, UINT32_MAX };
	struct tw_anchors_xml *other[2] = { &at_epoch, &at_end };
	const char *text = (const char *)data;
	char err[ERRCAP];

	err[0] = 0;
	int rc = tw_anchors_xml_parse(text, size, XML_NAME, NOW, &ax, err, sizeof(err));
	CHECK(rc == 0 || rc == -TW_EINVAL || rc == -TW_ENOSPC);
	CHECK(ax.n <= TW_ANCHORS_XML_MAX && ax.valid + ax.expired + ax.not_yet_valid <= ax.n);
	for (unsigned i = 0; i < ax.n; i++)
		CHECK(ax.kd[i].digest_len <= TW_ANCHORS_DIGEST_MAX);
	if (rc == 0) {
		check_xml(&ax, NOW, size);
		add_valid(&ax);
	} else {
		check_message(err, XML_NAME, size);
	}
	for (unsigned k = 0; k < 2; k++) {
		char err2[ERRCAP];
		int rc2 = tw_anchors_xml_parse(text, size, XML_NAME, clocks[k], other[k], err2,
					       sizeof(err2));
		CHECK(rc2 == rc);
		if (rc == 0) {
			check_xml(other[k], clocks[k], size);
			CHECK(same_entries(&ax, other[k]));
		} else {
			CHECK(strcmp(err, err2) == 0);
		}
	}

	/* the zone-file route: DS and DNSKEY lines */
	struct tw_val_conf *vc = tw_val_conf_new();
	CHECK(vc);
	err[0] = 0;
	rc = tw_val_conf_load_anchors(vc, text, size, ZONE_NAME, err, sizeof(err));
	if (rc > 0) {
		unsigned zones = tw_val_conf_anchor_zones(vc);
		CHECK(zones >= 1 && zones <= (unsigned)rc);
	} else {
		CHECK(rc < 0);
		check_message(err, ZONE_NAME, size);
	}
	tw_val_conf_free(vc);
	return 0;
}
