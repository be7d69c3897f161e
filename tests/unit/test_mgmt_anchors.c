/* Unit tests for mgmt/anchors.h: Debian's dns-root-data files, IANA's
 * root-anchors.xml (validity windows, the exact anchors it gives, every kind of
 * malformed input with its line), empty files and missing files, several files
 * at once, and seeded random mutations of the XML. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/val_internal.h" /* to compare the anchors the engine holds */
#include "crypto/validator.h"
#include "dns/error.h"
#include "dns/rrtype.h"
#include "mgmt/anchors.h"

#define ERRCAP 1024

/* 2025-06-01T00:00:00Z: 20326 and 38696 valid, 19036 expired (2019-01-11). */
#define NOW_2025 1748736000u
#define T_2017_02_02 1485993600  /* 20326 validFrom */
#define T_2024_07_18 1721260800  /* 38696 validFrom */
#define T_2010_07_15 1279152000  /* 19036 validFrom */
#define T_2019_01_11 1547164800  /* 19036 validUntil */

/* The root KSK digests, as /usr/share/dns/root.ds holds them. */
static const char ksk20326[] = "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";
static const char ksk38696[] = "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16";
static const char ksk19036[] = "49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5";

/* IANA's root-anchors.xml as RFC 9718 §2 shapes it, with the two KSKs in use,
 * the retired 2010 KSK (expired) and a made-up key not yet valid. */
static const char root_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                   /* 1 */
	"<TrustAnchor id=\"0C05FDD6-422C-4910-8ED6-430ED15E11C2\" "
	"source=\"http://data.iana.org/root-anchors/root-anchors.xml\">\n"              /* 2 */
	"<Zone>.</Zone>\n"                                                              /* 3 */
	"<KeyDigest id=\"Kjqmt7v\" validFrom=\"2010-07-15T00:00:00+00:00\" "
	"validUntil=\"2019-01-11T00:00:00+00:00\">\n"                                   /* 4 */
	"<KeyTag>19036</KeyTag>\n"                                                      /* 5 */
	"<Algorithm>8</Algorithm>\n"                                                    /* 6 */
	"<DigestType>2</DigestType>\n"                                                  /* 7 */
	"<Digest>49AAC11D7B6F6446702E54A1607371607A1A41855200FD2CE1CDDE32F24E8FB5</Digest>\n" /* 8 */
	"</KeyDigest>\n"                                                                /* 9 */
	"<KeyDigest id=\"Klajeyz\" validFrom=\"2017-02-02T00:00:00+00:00\">\n"          /* 10 */
	"<KeyTag>20326</KeyTag>\n"                                                      /* 11 */
	"<Algorithm>8</Algorithm>\n"                                                    /* 12 */
	"<DigestType>2</DigestType>\n"                                                  /* 13 */
	"<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>\n" /* 14 */
	"</KeyDigest>\n"                                                                /* 15 */
	"<!-- the 2024 KSK, with RFC 9718's optional key and flags -->\n"              /* 16 */
	"<KeyDigest id=\"Kmyv6jo\" validFrom=\"2024-07-18T00:00:00+00:00\">\n"          /* 17 */
	"<KeyTag>38696</KeyTag>\n"                                                      /* 18 */
	"<Algorithm>8</Algorithm>\n"                                                    /* 19 */
	"<DigestType>2</DigestType>\n"                                                  /* 20 */
	"<Digest>683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16</Digest>\n" /* 21 */
	"<PublicKey>AwEAAa96jeuknZlaeSrvyAJj6ZHv28hhOKkx3rLGXVaC6rXTsDc449/cidltpkyGwCJNnOAlFNKF2jBosZBU5eeHspaQWOmOElZsjICMQMC3aeHbGiShvZsx4wMYSjH8e7Vrhbu6irwCzVBApESjbUdpWWmEnhathWu1jo+siFUiRAAxm9qyJNg/wOZqqzL/dL/q8PkcRU5oUKEpUge71M3ej2/7CPqpdVwuMoTvoB+ZOT4YeGyxMvHmbrxlFzGOHOijtzN+u1TQNatX2XBuzZNQ1K+s2CXkPIZo7s6JgZyvaBevYtxPvYLw4z9mR7K2vaF18UYH9Z9GNUUeayffKC73PYc=</PublicKey>\n" /* 22 */
	"<Flags>257</Flags>\n"                                                          /* 23 */
	"</KeyDigest>\n"                                                                /* 24 */
	"<KeyDigest id=\"Kfuture\" validFrom=\"2099-01-01T00:00:00+00:00\">\n"          /* 25 */
	"<KeyTag>12345</KeyTag>\n"                                                      /* 26 */
	"<Algorithm>13</Algorithm>\n"                                                   /* 27 */
	"<DigestType>2</DigestType>\n"                                                  /* 28 */
	"<Digest>0000000000000000000000000000000000000000000000000000000000000000</Digest>\n" /* 29 */
	"</KeyDigest>\n"                                                                /* 30 */
	"</TrustAnchor>\n";                                                             /* 31 */

static char tmpdir[256];

static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[4][512];
	static unsigned slot;
	char *p = path[slot++ % 4];
	snprintf(p, 512, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return p;
}

static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/tw_anchors_XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\"\n  does not contain\n\"%s\"", hay, needle);
}

/* Hex digits (test-local) to octets; returns the count. */
static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* The DS RDATA (RFC 4034 §5.1) for a root KSK with algorithm 8, digest type 2. */
static uint16_t ds_rdata(uint16_t tag, const char *hex, uint8_t *out)
{
	out[0] = (uint8_t)(tag >> 8);
	out[1] = (uint8_t)tag;
	out[2] = 8;
	out[3] = 2;
	return (uint16_t)(4 + unhex(hex, out + 4));
}

/* The engine holds exactly these DS anchors at the root, in this order. */
static void assert_root_ds(const struct tw_val_conf *vc, const uint16_t *tags,
			   const char *const *hex, unsigned n)
{
	assert_int_equal(vc->nanchors, n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t want[64];
		uint16_t wl = ds_rdata(tags[i], hex[i], want);
		assert_int_equal(vc->anchors[i].type, TW_DNS_T_DS);
		assert_int_equal(vc->anchors[i].owner[0], 0);
		assert_int_equal(vc->anchors[i].rdlen, wl);
		assert_memory_equal(vc->anchors[i].rdata, want, wl);
	}
}

/* Replaces the first `from` in root_xml by `to`; the result is static. */
static const char *variant(const char *from, const char *to)
{
	static char buf[sizeof(root_xml) + 1024];
	const char *at = strstr(root_xml, from);
	if (!at)
		fail_msg("\"%s\" is not in the XML", from);
	size_t pre = (size_t)(at - root_xml);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, root_xml, to, at + strlen(from));
	return buf;
}

/* ---- Debian's dns-root-data ----------------------------------------------------------- */

static void test_debian_root_files_load(void **state)
{
	(void)state;
	/* trustwired's default anchors: scripts/install-deps installs dns-root-data,
	 * and a host without it has no default to start with */
	if (access(TW_ANCHORS_DEFAULT_FILE, R_OK) != 0 ||
	    access(TW_ANCHORS_DEBIAN_ROOT_KEY, R_OK) != 0)
		fail_msg("%s or %s missing: install dns-root-data (scripts/install-deps)",
			 TW_ANCHORS_DEFAULT_FILE, TW_ANCHORS_DEBIAN_ROOT_KEY);
	char err[ERRCAP] = "";
	struct tw_val_conf *vc = tw_val_conf_new();
	assert_non_null(vc);
	int rc = tw_anchors_load(vc, TW_ANCHORS_DEFAULT_FILE, NOW_2025, err, sizeof(err));
	if (rc < 1)
		fail_msg("%d: %s", rc, err);
	assert_int_equal(tw_val_conf_anchor_zones(vc), 1);
	/* the same digests the XML gives at a time both KSKs are valid */
	struct tw_val_conf *vx = tw_val_conf_new();
	assert_non_null(vx);
	const char *x = write_text("root-anchors.xml", root_xml);
	assert_int_equal(tw_anchors_load(vx, x, NOW_2025, err, sizeof(err)), 2);
	assert_int_equal(vc->nanchors, (unsigned)rc);
	for (unsigned i = 0; i < vx->nanchors; i++) {
		bool found = false;
		for (unsigned j = 0; j < vc->nanchors && !found; j++)
			found = vc->anchors[j].type == TW_DNS_T_DS &&
				vc->anchors[j].rdlen == vx->anchors[i].rdlen &&
				memcmp(vc->anchors[j].rdata, vx->anchors[i].rdata,
				       vx->anchors[i].rdlen) == 0;
		if (!found)
			fail_msg("XML anchor %u is not in %s", i, TW_ANCHORS_DEFAULT_FILE);
	}
	/* root.key: DNSKEY lines, the same route */
	rc = tw_anchors_load(vc, TW_ANCHORS_DEBIAN_ROOT_KEY, NOW_2025, err, sizeof(err));
	if (rc < 1)
		fail_msg("%d: %s", rc, err);
	assert_int_equal(vc->anchors[vc->nanchors - 1].type, TW_DNS_T_DNSKEY);
	assert_int_equal(tw_val_conf_anchor_zones(vc), 1);
	tw_val_conf_free(vc);
	tw_val_conf_free(vx);
}

/* ---- root-anchors.xml ------------------------------------------------------------------- */

static void test_xml_only_key_digests_valid_now_become_ds(void **state)
{
	(void)state;
	static struct tw_anchors_xml ax;
	char err[ERRCAP] = "";
	int rc = tw_anchors_xml_parse(root_xml, sizeof(root_xml) - 1, "root-anchors.xml", NOW_2025,
				      &ax, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	assert_int_equal(ax.zone[0], 0); /* the root */
	assert_int_equal(ax.n, 4);
	assert_int_equal(ax.valid, 2);
	assert_int_equal(ax.expired, 1);
	assert_int_equal(ax.not_yet_valid, 1);
	assert_string_equal(ax.kd[0].id, "Kjqmt7v");
	assert_int_equal(ax.kd[0].key_tag, 19036);
	assert_int_equal(ax.kd[0].valid_from, T_2010_07_15);
	assert_int_equal(ax.kd[0].valid_until, T_2019_01_11);
	assert_false(ax.kd[0].valid);
	assert_int_equal(ax.kd[0].line, 4);
	assert_string_equal(ax.kd[1].id, "Klajeyz");
	assert_int_equal(ax.kd[1].key_tag, 20326);
	assert_int_equal(ax.kd[1].algorithm, 8);
	assert_int_equal(ax.kd[1].digest_type, 2);
	assert_int_equal(ax.kd[1].digest_len, 32);
	uint8_t d[32];
	unhex(ksk20326, d);
	assert_memory_equal(ax.kd[1].digest, d, 32);
	assert_int_equal(ax.kd[1].valid_from, T_2017_02_02);
	assert_int_equal(ax.kd[1].valid_until, INT64_MAX);
	assert_true(ax.kd[1].valid);
	assert_int_equal(ax.kd[2].key_tag, 38696);
	assert_int_equal(ax.kd[2].valid_from, T_2024_07_18);
	assert_true(ax.kd[2].valid);
	assert_int_equal(ax.kd[2].line, 17);
	assert_int_equal(ax.kd[3].algorithm, 13);
	assert_false(ax.kd[3].valid);

	/* through a file into the engine: the two KSKs in use, as DS at the root */
	struct tw_val_conf *vc = tw_val_conf_new();
	assert_non_null(vc);
	const char *path = write_text("root-anchors.xml", root_xml);
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), 2);
	static const uint16_t tags[] = { 20326, 38696 };
	static const char *const hex[] = { ksk20326, ksk38696 };
	assert_root_ds(vc, tags, hex, 2);
	tw_val_conf_free(vc);
}

static void test_xml_validity_window_edges(void **state)
{
	(void)state;
	static struct tw_anchors_xml ax;
	char err[ERRCAP] = "";
	/* the last second of 19036, before 38696: 19036 and 20326 */
	assert_int_equal(tw_anchors_xml_parse(root_xml, sizeof(root_xml) - 1, "x", T_2019_01_11 - 1,
					      &ax, err, sizeof(err)),
			 0);
	assert_int_equal(ax.valid, 2);
	assert_true(ax.kd[0].valid);
	assert_true(ax.kd[1].valid);
	assert_int_equal(ax.not_yet_valid, 2);
	/* validUntil itself is outside (now < validUntil) */
	assert_int_equal(tw_anchors_xml_parse(root_xml, sizeof(root_xml) - 1, "x", T_2019_01_11, &ax,
					      err, sizeof(err)),
			 0);
	assert_false(ax.kd[0].valid);
	assert_int_equal(ax.expired, 1);
	/* validFrom itself is inside; a second before is not */
	assert_int_equal(tw_anchors_xml_parse(root_xml, sizeof(root_xml) - 1, "x", T_2024_07_18, &ax,
					      err, sizeof(err)),
			 0);
	assert_true(ax.kd[2].valid);
	assert_int_equal(tw_anchors_xml_parse(root_xml, sizeof(root_xml) - 1, "x", T_2024_07_18 - 1,
					      &ax, err, sizeof(err)),
			 0);
	assert_false(ax.kd[2].valid);
	/* in 2018 the engine gets 19036 and 20326 */
	struct tw_val_conf *vc = tw_val_conf_new();
	const char *path = write_text("root-anchors.xml", root_xml);
	assert_int_equal(tw_anchors_load(vc, path, 1514764800u /* 2018-01-01 */, err, sizeof(err)), 2);
	static const uint16_t tags[] = { 19036, 20326 };
	static const char *const hex[] = { ksk19036, ksk20326 };
	assert_root_ds(vc, tags, hex, 2);
	tw_val_conf_free(vc);
}

static void test_xml_dates_offsets_fractions_leap_second(void **state)
{
	(void)state;
	static struct tw_anchors_xml ax;
	char err[ERRCAP] = "";
	static const struct {
		const char *text;
		int64_t t;
	} cases[] = {
		{ "2017-02-01T19:00:00-05:00", T_2017_02_02 },
		{ "2017-02-02T05:30:00+05:30", T_2017_02_02 },
		{ "2017-02-02T00:00:00Z", T_2017_02_02 },
		{ "2017-02-02t00:00:00z", T_2017_02_02 },
		{ "2017-02-02T00:00:00.999+00:00", T_2017_02_02 },
		{ "2016-12-31T23:59:60Z", 1483228799 }, /* leap second: counted as :59 */
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "1970-01-01T00:00:00Z", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char attr[96];
		snprintf(attr, sizeof(attr), "validFrom=\"%s\"", cases[i].text);
		const char *x = variant("validFrom=\"2017-02-02T00:00:00+00:00\"", attr);
		int rc = tw_anchors_xml_parse(x, strlen(x), "x", NOW_2025, &ax, err, sizeof(err));
		if (rc != 0)
			fail_msg("%s: %s", cases[i].text, err);
		assert_int_equal(ax.kd[1].valid_from, cases[i].t);
	}
}

static void test_xml_bom_entities_comments_single_quotes(void **state)
{
	(void)state;
	static struct tw_anchors_xml ax;
	char err[ERRCAP] = "";
	static const char x[] =
		"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- a comment -->\n"
		"<TrustAnchor id='a&amp;b' source='http://x/?a=1&amp;b=2'>\n"
		"  <Zone>\n    example&#46;com.\n  </Zone>\n"
		"  <KeyDigest id='k&#x31;' validFrom='2017-02-02T00:00:00Z' >\n"
		"    <!-- inside -->\n"
		"    <KeyTag>  1  </KeyTag>\n    <Algorithm>13</Algorithm>\n"
		"    <DigestType>4</DigestType>\n"
		"    <Digest>000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
		"000102030405060708090a0b0c0d0e0f</Digest>\n"
		"    <Flags>257</Flags>\n"
		"  </KeyDigest>\n"
		"</TrustAnchor>\n<!-- trailing -->\n";
	int rc = tw_anchors_xml_parse(x, sizeof(x) - 1, "x", NOW_2025, &ax, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	static const uint8_t zone[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	assert_memory_equal(ax.zone, zone, sizeof(zone));
	assert_string_equal(ax.kd[0].id, "k1");
	assert_int_equal(ax.kd[0].key_tag, 1);
	assert_int_equal(ax.kd[0].digest_len, 48);
	assert_int_equal(ax.valid, 1);
	/* the engine takes the anchor at example.com */
	struct tw_val_conf *vc = tw_val_conf_new();
	const char *path = write_file("example.xml", x, sizeof(x) - 1);
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), 1);
	assert_memory_equal(vc->anchors[0].owner, zone, sizeof(zone));
	assert_int_equal(vc->anchors[0].rdlen, 4 + 48);
	tw_val_conf_free(vc);
}

/* The XML must fail with -TW_EINVAL and "FILE:line: " + a message holding sub. */
static void expect_xml_error(const char *x, unsigned line, const char *sub)
{
	static struct tw_anchors_xml ax;
	char err[ERRCAP] = "", prefix[64];
	int rc = tw_anchors_xml_parse(x, strlen(x), "ra.xml", NOW_2025, &ax, err, sizeof(err));
	if (rc != -TW_EINVAL)
		fail_msg("rc %d for \"%s\" (%s)", rc, sub, err);
	snprintf(prefix, sizeof(prefix), "ra.xml:%u: ", line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", err, prefix);
	assert_contains(err, sub);
}

static void test_xml_malformed_names_line_and_reason(void **state)
{
	(void)state;
	/* unclosed tags */
	expect_xml_error(variant("<KeyTag>20326</KeyTag>", "<KeyTag>20326</KeyTag"), 11,
			 "malformed </KeyTag> tag");
	expect_xml_error(variant("</TrustAnchor>\n", ""), 2,
			 "<TrustAnchor> is not closed: the file ends inside it");
	expect_xml_error(variant("<KeyTag>20326", "<KeyTag 20326"), 11,
			 "malformed <KeyTag> tag (no '>'?)");
	expect_xml_error(variant("</KeyDigest>\n<KeyDigest id=\"Klajeyz\"", "<KeyDigest id=\"Klajeyz\""),
			 9, "<KeyDigest> inside <KeyDigest>");
	expect_xml_error(variant("</Algorithm>\n<DigestType>2</DigestType>\n<Digest>E06D",
				 "</Algorithm>\n<DigestType>2</DigestTyp>\n<Digest>E06D"),
			 13, "</DigestTyp> closes <DigestType> opened at line 13");
	expect_xml_error(variant("<TrustAnchor id", "<TrustAnchor  id=\"x\" id"), 2,
			 "<TrustAnchor>: attribute id given twice");
	expect_xml_error(variant("id=\"Klajeyz\"", "id=Klajeyz"), 10,
			 "<KeyDigest>: attribute id: value not in quotes");
	expect_xml_error(variant("<!-- the 2024", "<!- the 2024"), 16, "unexpected markup");
	expect_xml_error(variant("<!-- the 2024 KSK, with RFC 9718's optional key and flags -->",
				 "<!-- the 2024"),
			 16, "comment is not closed");
	/* what a KeyDigest must hold */
	expect_xml_error(variant("<Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>\n", ""),
			 10, "KeyDigest[Klajeyz]: no <Digest>");
	expect_xml_error(variant("<KeyTag>20326</KeyTag>", ""), 10, "KeyDigest[Klajeyz]: no <KeyTag>");
	expect_xml_error(variant("<KeyTag>20326</KeyTag>", "<KeyTag>20326</KeyTag><KeyTag>1</KeyTag>"),
			 11, "KeyDigest[Klajeyz]: second <KeyTag> (first at line 11)");
	expect_xml_error(variant("<Digest>E06D", "<Digest/><Digest>E06D"), 14,
			 "KeyDigest[Klajeyz].Digest: \"\" is not hex digits");
	expect_xml_error(variant("E06D44B8", "E06DZZB8"), 14,
			 "KeyDigest[Klajeyz].Digest: \"E06DZZB80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\" is not hex digits");
	expect_xml_error(variant("C7F8EC8D<", "C7F8EC8<"), 14,
			 "KeyDigest[Klajeyz].Digest: \"E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8\" is not hex digits");
	expect_xml_error(variant("C7F8EC8D<", "C7F8EC<"), 14,
			 "KeyDigest[Klajeyz].Digest: 31 octets, but digest type 2 takes 32");
	expect_xml_error(variant("<KeyTag>20326<", "<KeyTag>65536<"), 11,
			 "KeyDigest[Klajeyz].KeyTag: \"65536\" is not a key tag (0..65535)");
	expect_xml_error(variant("<KeyTag>20326<", "<KeyTag>-1<"), 11, "is not a key tag");
	expect_xml_error(variant("<Algorithm>8</Algorithm>\n<DigestType>2</DigestType>\n<Digest>E06D",
				 "<Algorithm>0</Algorithm>\n<DigestType>2</DigestType>\n<Digest>E06D"),
			 12, "KeyDigest[Klajeyz].Algorithm: \"0\" is not an algorithm number (1..255)");
	expect_xml_error(variant("<Flags>257</Flags>", "<Flags>x</Flags>"), 23,
			 "KeyDigest[Kmyv6jo].Flags: \"x\" is not a flags value");
	expect_xml_error(variant("<PublicKey>AwEAAa96", "<PublicKey>!AwEAAa96"), 22,
			 "KeyDigest[Kmyv6jo].PublicKey: \"!AwEAAa96");
	expect_xml_error(variant("<Flags>257</Flags>", "<Note>x</Note>"), 23,
			 "KeyDigest[Kmyv6jo]: unknown element <Note>");
	expect_xml_error(variant("<KeyTag>20326</KeyTag>", "<KeyTag x=\"1\">20326</KeyTag>"), 11,
			 "KeyDigest[Klajeyz].KeyTag: unexpected attribute x");
	expect_xml_error(variant("<KeyTag>20326</KeyTag>", "<KeyTag>20326<b/></KeyTag>"), 11,
			 "markup inside <KeyTag>, which holds only text");
	/* dates */
	expect_xml_error(variant("2017-02-02T00:00:00+00:00", "2017-02-30T00:00:00+00:00"), 10,
			 "KeyDigest[Klajeyz].validFrom: \"2017-02-30T00:00:00+00:00\" is not an RFC 3339 "
			 "date-time (2017-02-02T00:00:00+00:00)");
	expect_xml_error(variant("2017-02-02T00:00:00+00:00", "2017-02-02T00:00:00"), 10,
			 "validFrom: \"2017-02-02T00:00:00\" is not an RFC 3339");
	expect_xml_error(variant("2017-02-02T00:00:00+00:00", "2017-02-02 00:00:00+00:00"), 10,
			 "is not an RFC 3339");
	expect_xml_error(variant("2017-02-02T00:00:00+00:00", "2017-13-02T00:00:00+00:00"), 10,
			 "is not an RFC 3339");
	expect_xml_error(variant("2017-02-02T00:00:00+00:00", "2017-02-02T24:00:00+00:00"), 10,
			 "is not an RFC 3339");
	expect_xml_error(variant("2017-02-02T00:00:00+00:00", "2017-02-29T00:00:00+00:00"), 10,
			 "is not an RFC 3339");
	expect_xml_error(variant("validUntil=\"2019-01-11T00:00:00+00:00\"",
				 "validUntil=\"2009-01-11T00:00:00+00:00\""),
			 4, "KeyDigest[Kjqmt7v].validUntil: \"2009-01-11T00:00:00+00:00\" is not after validFrom");
	expect_xml_error(variant(" validFrom=\"2017-02-02T00:00:00+00:00\"", ""), 10,
			 "KeyDigest[Klajeyz]: no validFrom attribute");
	expect_xml_error(variant("id=\"Klajeyz\" ", ""), 10, "<KeyDigest>: no id attribute");
	expect_xml_error(variant("id=\"Klajeyz\"", "id=\"Kjqmt7v\""), 10,
			 "KeyDigest[Kjqmt7v]: id used twice (first at line 4)");
	expect_xml_error(variant("id=\"Klajeyz\"", "id=\"Klajeyz\" trust=\"yes\""), 10,
			 "<KeyDigest>: unknown attribute trust");
	/* the document's shape */
	expect_xml_error(variant("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
				 "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]>\n"),
			 2, "DOCTYPE is not accepted");
	expect_xml_error(variant("<Zone>.</Zone>", "<Zone><![CDATA[.]]></Zone>"), 3,
			 "markup inside <Zone>");
	expect_xml_error(variant("<Zone>.</Zone>", "<Zone>.</Zone>stray"), 3,
			 "text inside <TrustAnchor>, which holds only elements");
	expect_xml_error(variant("<Zone>.</Zone>", "<Zone>&nbsp;.</Zone>"), 3, "unknown entity");
	expect_xml_error(variant("<Zone>.</Zone>", "<Zone>&#233;.</Zone>"), 3,
			 "character reference &#233; is not ASCII");
	expect_xml_error(variant("<Zone>.</Zone>", "<Zone>a..b</Zone>"), 3,
			 "Zone: \"a..b\" is not a domain name");
	expect_xml_error(variant("<Zone>.</Zone>\n", ""), 3, "<KeyDigest> before <Zone>");
	expect_xml_error(variant("<Zone>.</Zone>", "<Zone>.</Zone><Zone>com.</Zone>"), 3,
			 "second <Zone>: a file anchors one zone");
	expect_xml_error(variant("</TrustAnchor>\n", "</TrustAnchor>\n<TrustAnchor/>\n"), 32,
			 "content after </TrustAnchor>");
	expect_xml_error(variant("<TrustAnchor id", "<TrustAnchors id"), 2,
			 "expected <TrustAnchor>, found <TrustAnchors>");
	expect_xml_error(variant("<KeyDigest id=\"Kfuture\"", "<Key id=\"Kfuture\""), 25,
			 "unknown element <Key> in <TrustAnchor>");
	expect_xml_error("<?xml version=\"1.0\"?>\n<TrustAnchor id=\"x\">\n<Zone>.</Zone>\n</TrustAnchor>\n",
			 2, "<TrustAnchor> has no <KeyDigest>");
	expect_xml_error("<TrustAnchor/>", 1, "<TrustAnchor/> is empty: no <Zone>");
	expect_xml_error("<?xml version=\"1.0\"\n", 1, "<?xml declaration is not closed");
	expect_xml_error("<", 1, "expected an element or attribute name");
	/* the load names the file */
	char err[ERRCAP] = "";
	struct tw_val_conf *vc = tw_val_conf_new();
	const char *path = write_text("bad.xml", variant("E06D44B8", "E06DZZB8"));
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_EINVAL);
	char want[600];
	snprintf(want, sizeof(want), "%s:14: KeyDigest[Klajeyz].Digest: ", path);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	assert_int_equal(vc->nanchors, 0); /* all or nothing */
	tw_val_conf_free(vc);
}

static void test_xml_with_no_valid_entry_is_no_anchor(void **state)
{
	(void)state;
	char err[ERRCAP] = "", want[ERRCAP];
	struct tw_val_conf *vc = tw_val_conf_new();
	const char *path = write_text("root-anchors.xml", root_xml);
	/* in 2009 no entry was valid yet */
	assert_int_equal(tw_anchors_load(vc, path, 1230768000u /* 2009-01-01 */, err, sizeof(err)),
			 -TW_ENOENT);
	snprintf(want, sizeof(want),
		 "%s: no KeyDigest valid at 2009-01-01T00:00:00Z (0 expired, 4 not yet valid): no "
		 "trust anchor",
		 path);
	assert_string_equal(err, want);
	/* the retired KSK and the future one only: one expired, one not yet valid */
	static char only_old[sizeof(root_xml)];
	const char *cut = strstr(root_xml, "<KeyDigest id=\"Klajeyz\"");
	const char *resume = strstr(root_xml, "<KeyDigest id=\"Kfuture\"");
	snprintf(only_old, sizeof(only_old), "%.*s%s", (int)(cut - root_xml), root_xml, resume);
	path = write_text("old.xml", only_old);
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_ENOENT);
	snprintf(want, sizeof(want),
		 "%s: no KeyDigest valid at 2025-06-01T00:00:00Z (1 expired, 1 not yet valid): no "
		 "trust anchor",
		 path);
	assert_string_equal(err, want);
	assert_int_equal(vc->nanchors, 0);
	tw_val_conf_free(vc);
}

static void test_xml_too_many_entries(void **state)
{
	(void)state;
	static char x[TW_ANCHORS_XML_MAX * 300 + 512];
	static struct tw_anchors_xml ax;
	char err[ERRCAP] = "";
	size_t n = (size_t)snprintf(x, sizeof(x), "<TrustAnchor id=\"x\">\n<Zone>.</Zone>\n");
	for (unsigned i = 0; i <= TW_ANCHORS_XML_MAX; i++)
		n += (size_t)snprintf(x + n, sizeof(x) - n,
				      "<KeyDigest id=\"k%u\" validFrom=\"2017-02-02T00:00:00Z\">"
				      "<KeyTag>%u</KeyTag><Algorithm>8</Algorithm><DigestType>2"
				      "</DigestType><Digest>%s</Digest></KeyDigest>\n",
				      i, i, ksk20326);
	n += (size_t)snprintf(x + n, sizeof(x) - n, "</TrustAnchor>\n");
	assert_int_equal(tw_anchors_xml_parse(x, n, "many.xml", NOW_2025, &ax, err, sizeof(err)),
			 -TW_ENOSPC);
	assert_string_equal(err, "many.xml:35: more than 32 <KeyDigest> entries");
}

/* ---- files ------------------------------------------------------------------------------------- */

static void test_empty_files_are_no_anchor(void **state)
{
	(void)state;
	char err[ERRCAP] = "", want[ERRCAP];
	struct tw_val_conf *vc = tw_val_conf_new();
	const char *path = write_text("empty.ds", "");
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_ENOENT);
	snprintf(want, sizeof(want), "%s: empty file: no trust anchor in it", path);
	assert_string_equal(err, want);
	path = write_text("bom.ds", "\xef\xbb\xbf");
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_ENOENT);
	assert_contains(err, "empty file");
	/* comments and blank lines only: the zone reader finds no record */
	path = write_text("comments.ds", "; root anchors go here\n\n   \n");
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_ENOENT);
	snprintf(want, sizeof(want), "%s: no DS or DNSKEY record", path);
	assert_string_equal(err, want);
	assert_int_equal(vc->nanchors, 0);
	tw_val_conf_free(vc);
}

static void test_zone_file_lines_go_to_the_zone_reader(void **state)
{
	(void)state;
	char err[ERRCAP] = "", text[512];
	struct tw_val_conf *vc = tw_val_conf_new();
	/* a BOM is not part of the first owner name */
	snprintf(text, sizeof(text), "\xef\xbb\xbf. IN DS 20326 8 2 %s\n. 3600 IN DS 38696 8 2 %s\n",
		 ksk20326, ksk38696);
	const char *path = write_text("root.ds", text);
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), 2);
	static const uint16_t tags[] = { 20326, 38696 };
	static const char *const hex[] = { ksk20326, ksk38696 };
	assert_root_ds(vc, tags, hex, 2);
	tw_val_conf_free(vc);

	vc = tw_val_conf_new();
	path = write_text("a.zone", "; anchors\nexample. 3600 IN A 192.0.2.1\n");
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_EINVAL);
	assert_contains(err, "a.zone:2: type: A is not a trust anchor (DS or DNSKEY)");
	path = write_text("b.ds", ". IN DS 20326 8 2 E06D\n. IN DS twenty 8 2 E06D\n");
	int rc = tw_anchors_load(vc, path, NOW_2025, err, sizeof(err));
	assert_true(rc < 0);
	assert_contains(err, "b.ds:");
	tw_val_conf_free(vc);
}

static void test_missing_and_unreadable_files(void **state)
{
	(void)state;
	char err[ERRCAP] = "", want[ERRCAP], path[600];
	struct tw_val_conf *vc = tw_val_conf_new();
	snprintf(path, sizeof(path), "%s/no-such.ds", tmpdir);
	assert_int_equal(tw_anchors_load(vc, path, NOW_2025, err, sizeof(err)), -TW_EIO);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	assert_int_equal(tw_anchors_load(vc, tmpdir, NOW_2025, err, sizeof(err)), -TW_EIO);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	assert_string_equal(err, want);
	tw_val_conf_free(vc);
}

static void test_load_all_sums_and_stops_at_the_first_failure(void **state)
{
	(void)state;
	char err[ERRCAP] = "", text[512], xml[600], ds[600], missing[600];
	struct tw_val_conf *vc = tw_val_conf_new();
	assert_int_equal(tw_anchors_load_all(vc, NULL, 0, NOW_2025, err, sizeof(err)), -TW_ENOENT);
	assert_string_equal(err, "trust anchors: no file given: trustwired does not run without one");
	snprintf(xml, sizeof(xml), "%s", write_text("root-anchors.xml", root_xml));
	snprintf(text, sizeof(text), ". IN DS 20326 8 2 %s\n", ksk20326);
	snprintf(ds, sizeof(ds), "%s", write_text("one.ds", text));
	snprintf(missing, sizeof(missing), "%s/gone.ds", tmpdir);
	const char *const both[] = { xml, ds };
	assert_int_equal(tw_anchors_load_all(vc, both, 2, NOW_2025, err, sizeof(err)), 3);
	assert_int_equal(tw_val_conf_anchor_zones(vc), 1);
	const char *const bad[] = { ds, missing, xml };
	assert_int_equal(tw_anchors_load_all(vc, bad, 3, NOW_2025, err, sizeof(err)), -TW_EIO);
	assert_contains(err, "gone.ds: cannot open: ");
	assert_int_equal(vc->nanchors, 4); /* the first file's, before the failure */
	tw_val_conf_free(vc);
}

/* ---- robustness --------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static const char *const tokens[] = {
	"<", ">", "/>", "</", "<!--", "-->", "&", "&amp;", "&#x41;", "&#", "\"", "'", "=", " ",
	"\n", "<KeyDigest>", "</KeyDigest>", "<Digest>", "</Digest>", "<Zone>.</Zone>", "<?",
	"<!DOCTYPE", "<![CDATA[", "\0", "\xff", "Z", "+25:00", "99999999", "T", "-",
};

static void test_mutated_xml_never_crashes(void **state)
{
	(void)state;
	static char x[sizeof(root_xml) + 2048];
	static struct tw_anchors_xml ax;
	unsigned ok = 0;
	rng_state = 0x74776163686f7273ull; /* "twachors" */
	for (unsigned i = 0; i < 2000; i++) {
		size_t len = sizeof(root_xml) - 1;
		memcpy(x, root_xml, len);
		for (unsigned e = 0, edits = 1 + (unsigned)(rng() % 3); e < edits; e++) {
			size_t at = (size_t)(rng() % (len + 1));
			switch (rng() % 3) {
			case 0:
				if (at < len)
					x[at] = (char)(rng() & 0xff);
				break;
			case 1: {
				size_t n = 1 + (size_t)(rng() % 16);
				if (at + n > len)
					n = len - at;
				memmove(x + at, x + at + n, len - at - n);
				len -= n;
				break;
			}
			default: {
				const char *t = tokens[rng() % (sizeof(tokens) / sizeof(tokens[0]))];
				size_t n = *t ? strlen(t) : 1;
				memmove(x + at + n, x + at, len - at);
				memcpy(x + at, t, n);
				len += n;
				break;
			}
			}
		}
		char err[ERRCAP] = "";
		int rc = tw_anchors_xml_parse(x, len, "m.xml", NOW_2025, &ax, err, sizeof(err));
		if (rc == 0) {
			ok++;
			assert_true(ax.n >= 1 && ax.n <= TW_ANCHORS_XML_MAX);
			assert_int_equal(ax.valid + ax.expired + ax.not_yet_valid, ax.n);
			continue;
		}
		if (rc != -TW_EINVAL)
			fail_msg("mutant %u: rc %d: %s", i, rc, err);
		const char *p = err + strlen("m.xml");
		if (strncmp(err, "m.xml:", 6) != 0 || p[1] < '1' || p[1] > '9')
			fail_msg("mutant %u: no line in \"%s\"", i, err);
	}
	print_message("%u of 2000 mutants parsed\n", ok);
	assert_true(ok > 20);
	assert_true(ok < 1980);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_root_files_load),
		cmocka_unit_test(test_xml_only_key_digests_valid_now_become_ds),
		cmocka_unit_test(test_xml_validity_window_edges),
		cmocka_unit_test(test_xml_dates_offsets_fractions_leap_second),
		cmocka_unit_test(test_xml_bom_entities_comments_single_quotes),
		cmocka_unit_test(test_xml_malformed_names_line_and_reason),
		cmocka_unit_test(test_xml_with_no_valid_entry_is_no_anchor),
		cmocka_unit_test(test_xml_too_many_entries),
		cmocka_unit_test(test_empty_files_are_no_anchor),
		cmocka_unit_test(test_zone_file_lines_go_to_the_zone_reader),
		cmocka_unit_test(test_missing_and_unreadable_files),
		cmocka_unit_test(test_load_all_sums_and_stops_at_the_first_failure),
		cmocka_unit_test(test_mutated_xml_never_crashes),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
