/* Unit tests for mgmt/config.h: defaults without a file, every key of a full
 * example, the exact message of each kind of error, checks across keys,
 * command-line overrides, the dump's round trip and seeded random mutations. */
#define _GNU_SOURCE
#include <arpa/inet.h>
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

#include "dns/error.h"
#include "dns/name.h"
#include "mgmt/anchors.h"
#include "mgmt/config.h"

#define ERRCAP 1024

static char tmpdir[256];

/* Writes text to tmpdir/name; returns the path (static storage, one per name
 * slot: callers copy it if they need two at once). */
static const char *write_file(const char *name, const char *text, size_t len)
{
	static char path[8][512];
	static unsigned slot;
	char *p = path[slot++ % 8];
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
	snprintf(tmpdir, sizeof(tmpdir), "%s/tw_config_XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* The dump as a heap string. */
static char *dump_str(const struct tw_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	tw_config_dump(c, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The dump without its leading comment lines (they name the file). */
static const char *dump_body(const char *d)
{
	while (*d == '#') {
		const char *nl = strchr(d, '\n');
		assert_non_null(nl);
		d = nl + 1;
	}
	return d;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay)
		fail_msg("NULL does not contain \"%s\"", needle);
	if (!strstr(hay, needle))
		fail_msg("\"%s\"\n  does not contain\n\"%s\"", hay, needle);
}

static void assert_addr(const struct tw_config_addr *a, const char *want)
{
	char buf[64];
	assert_string_equal(tw_config_addr_str(a, buf, sizeof(buf)), want);
}

/* Loads text from file t.yaml into fresh defaults; the load must fail with
 * -TW_EINVAL and the message must be exactly "PATH" + want. */
static void expect_error_exact(const char *text, const char *want)
{
	struct tw_config c;
	char err[ERRCAP] = "", full[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	const char *path = write_text("t.yaml", text);
	int rc = tw_config_load(&c, path, err, sizeof(err));
	if (rc != -TW_EINVAL)
		fail_msg("rc %d for:\n%s\nerr: %s", rc, text, err);
	snprintf(full, sizeof(full), "%s%s", path, want);
	assert_string_equal(err, full);
	tw_config_fini(&c);
}

/* As expect_error_exact, with "PATH:LINE: " then substrings of the rest. */
static void expect_error_at(const char *text, unsigned line, const char *sub1, const char *sub2)
{
	struct tw_config c;
	char err[ERRCAP] = "", prefix[600];
	assert_int_equal(tw_config_init(&c), 0);
	const char *path = write_text("t.yaml", text);
	int rc = tw_config_load(&c, path, err, sizeof(err));
	if (rc != -TW_EINVAL)
		fail_msg("rc %d for:\n%s\nerr: %s", rc, text, err);
	snprintf(prefix, sizeof(prefix), "%s:%u: ", path, line);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", err, prefix);
	if (sub1)
		assert_contains(err, sub1);
	if (sub2)
		assert_contains(err, sub2);
	tw_config_fini(&c);
}

/* The full example: every key, none at its default. */
static const char example[] =
	"# trustwired example: every key\n"          /* 1 */
	"listen:\n"                                   /* 2 */
	"  - 198.18.0.1\n"                            /* 3 */
	"  - \"[2001:db8::1]:5353\"\n"                /* 4 */
	"  - address: 198.18.0.2\n"                   /* 5 */
	"    port: 8053\n"                            /* 6 */
	"port:\n"                                     /* 7 */
	"  ip: 198.18.0.1/24\n"                       /* 8 */
	"  gateway: 198.18.0.254\n"                   /* 9 */
	"  ip6: 2001:db8::1/64\n"                     /* 10 */
	"  gateway6: fe80::1\n"                       /* 11 */
	"  vlan: 42\n"                                /* 12 */
	"  mac: 02:00:5e:10:00:01\n"                  /* 13 */
	"upstreams:\n"                                /* 14 */
	"  - 198.18.1.1\n"                            /* 15 */
	"  - address: 198.18.1.2\n"                   /* 16 */
	"    port: 5353\n"                            /* 17 */
	"  - \"[2001:db8:1::53]:53\"\n"               /* 18 */
	"trust_anchors:\n"                            /* 19 */
	"  - /usr/share/dns/root.ds\n"                /* 20 */
	"  - /etc/trustwire/root-anchors.xml\n"       /* 21 */
	"negative_trust_anchors: [example.com, broken.example.net.]\n" /* 22 */
	"cache:\n"                                    /* 23 */
	"  memory: 512M\n"                            /* 24 */
	"  max_ttl: 3600\n"                           /* 25 */
	"  min_ttl: 5\n"                              /* 26 */
	"  bogus_ttl: 30\n"                           /* 27 */
	"  aggressive: false\n"                       /* 28 */
	"  nsec3_max_iterations: 50\n"                /* 29 */
	"workers:\n"                                  /* 30 */
	"  crypto: ring\n"                            /* 31 */
	"  crypto_lcores: 2\n"                        /* 32 */
	"limits:\n"                                   /* 33 */
	"  pending: 8192\n"                           /* 34 */
	"  timeout_ms: 500\n"                         /* 35 */
	"  retries: 3\n"                              /* 36 */
	"  waiters: 32\n"                             /* 37 */
	"exception: tap\n"                            /* 38 */
	"tcp:\n"                                      /* 39 */
	"  enabled: false\n"                          /* 40 */
	"log:\n"                                      /* 41 */
	"  level: debug\n"                            /* 42 */
	"stats:\n"                                    /* 43 */
	"  interval: 10\n";                           /* 44 */

static void load_example(struct tw_config *c)
{
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(c), 0);
	const char *path = write_text("example.yaml", example);
	int rc = tw_config_load(c, path, err, sizeof(err));
	if (rc != 0)
		fail_msg("example: %d: %s", rc, err);
}

/* tw_config_parse_args over the NULL-terminated words after the program name. */
static int parse(struct tw_config *c, char *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, err);
	argv[argc++] = (char *)"trustwired";
	for (char *a; (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return tw_config_parse_args(c, argc, argv, err, ERRCAP);
}

/* ---- defaults ------------------------------------------------------------------------- */

static void test_defaults_need_no_file(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	assert_int_equal(c.nlisten, 0);
	assert_int_equal(c.port.ip.family, 0);
	assert_int_equal(c.port.ip6.family, 0);
	assert_int_equal(c.port.vlan, 0);
	assert_false(c.port.mac_set);
	assert_int_equal(c.nupstreams, 0);
	assert_int_equal(c.ntrust_anchors, 1);
	assert_string_equal(c.trust_anchors[0], "/usr/share/dns/root.ds");
	assert_int_equal(c.nntas, 0);
	assert_int_equal(c.cache.mem_limit, 256ull << 20);
	assert_int_equal(c.cache.max_ttl, 86400);
	assert_int_equal(c.cache.min_ttl, 0);
	assert_int_equal(c.cache.bogus_ttl, 60);
	assert_true(c.cache.aggressive);
	assert_int_equal(c.cache.nsec3_max_iterations, 100);
	assert_int_equal(c.workers.crypto, TW_CONFIG_CRYPTO_INLINE);
	assert_int_equal(c.workers.crypto_lcores, 0);
	assert_int_equal(c.limits.pending, 4096);
	assert_int_equal(c.limits.timeout_ms, 800);
	assert_int_equal(c.limits.retries, 2);
	assert_int_equal(c.limits.waiters, 64);
	assert_int_equal(c.exception, TW_CONFIG_EXCEPTION_DROP);
	assert_true(c.tcp_enabled);
	assert_int_equal(c.log_level, TW_CONFIG_LOG_INFO);
	assert_int_equal(c.stats_interval, 0);
	assert_null(c.file);
	/* the defaults alone are not enough to run: the port address comes first */
	assert_int_equal(tw_config_validate(&c, err, sizeof(err)), -TW_EINVAL);
	assert_contains(err, "port.ip: not set");
	assert_contains(err, "--port-ip ADDR/PREFIX");
	tw_config_fini(&c);
	tw_config_fini(NULL);
}

static void test_empty_and_comment_only_files_give_defaults(void **state)
{
	(void)state;
	static const char *const texts[] = { "", "# nothing yet\n\n", "---\n", "~\n", "\n\n\n" };
	struct tw_config d;
	assert_int_equal(tw_config_init(&d), 0);
	char *want = dump_str(&d);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct tw_config c;
		char err[ERRCAP] = "";
		assert_int_equal(tw_config_init(&c), 0);
		const char *path = write_text("empty.yaml", texts[i]);
		int rc = tw_config_load(&c, path, err, sizeof(err));
		if (rc != 0)
			fail_msg("\"%s\": %d %s", texts[i], rc, err);
		assert_string_equal(c.file, path);
		char *got = dump_str(&c);
		assert_string_equal(dump_body(got), dump_body(want));
		free(got);
		tw_config_fini(&c);
	}
	free(want);
	tw_config_fini(&d);
}

/* ---- the full example ---------------------------------------------------------------- */

static void test_full_example_sets_every_key(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	load_example(&c);
	assert_int_equal(c.nlisten, 3);
	assert_addr(&c.listen[0], "198.18.0.1:53");
	assert_int_equal(c.listen[0].family, AF_INET);
	assert_int_equal(c.listen[0].line, 3);
	assert_addr(&c.listen[1], "[2001:db8::1]:5353");
	assert_int_equal(c.listen[1].family, AF_INET6);
	assert_addr(&c.listen[2], "198.18.0.2:8053");
	assert_int_equal(c.listen[2].line, 5);
	assert_addr(&c.port.ip, "198.18.0.1/24");
	assert_int_equal(c.port.ip.prefix, 24);
	assert_int_equal(c.port.ip.port, 0);
	static const uint8_t ip4[4] = { 198, 18, 0, 1 };
	assert_memory_equal(c.port.ip.addr, ip4, 4);
	assert_addr(&c.port.gateway, "198.18.0.254");
	assert_int_equal(c.port.gateway.line, 9);
	assert_addr(&c.port.ip6, "2001:db8::1/64");
	assert_addr(&c.port.gateway6, "fe80::1");
	assert_int_equal(c.port.vlan, 42);
	assert_true(c.port.mac_set);
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	assert_memory_equal(c.port.mac, mac, 6);
	assert_int_equal(c.nupstreams, 3);
	assert_addr(&c.upstreams[0], "198.18.1.1:53");
	assert_addr(&c.upstreams[1], "198.18.1.2:5353");
	assert_addr(&c.upstreams[2], "[2001:db8:1::53]:53");
	assert_int_equal(c.ntrust_anchors, 2);
	assert_string_equal(c.trust_anchors[0], "/usr/share/dns/root.ds");
	assert_string_equal(c.trust_anchors[1], "/etc/trustwire/root-anchors.xml");
	assert_int_equal(c.lines.trust_anchors, 19);
	assert_int_equal(c.nntas, 2);
	static const uint8_t nta0[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	static const uint8_t nta1[] = { 6, 'b', 'r', 'o', 'k', 'e', 'n', 7, 'e', 'x', 'a', 'm', 'p',
					'l', 'e', 3, 'n', 'e', 't', 0 };
	assert_memory_equal(c.ntas[0], nta0, sizeof(nta0));
	assert_memory_equal(c.ntas[1], nta1, sizeof(nta1));
	assert_int_equal(c.cache.mem_limit, 512ull << 20);
	assert_int_equal(c.cache.max_ttl, 3600);
	assert_int_equal(c.cache.min_ttl, 5);
	assert_int_equal(c.lines.min_ttl, 26);
	assert_int_equal(c.cache.bogus_ttl, 30);
	assert_false(c.cache.aggressive);
	assert_int_equal(c.cache.nsec3_max_iterations, 50);
	assert_int_equal(c.workers.crypto, TW_CONFIG_CRYPTO_RING);
	assert_int_equal(c.workers.crypto_lcores, 2);
	assert_int_equal(c.limits.pending, 8192);
	assert_int_equal(c.limits.timeout_ms, 500);
	assert_int_equal(c.limits.retries, 3);
	assert_int_equal(c.limits.waiters, 32);
	assert_int_equal(c.exception, TW_CONFIG_EXCEPTION_TAP);
	assert_false(c.tcp_enabled);
	assert_int_equal(c.log_level, TW_CONFIG_LOG_DEBUG);
	assert_int_equal(c.stats_interval, 10);
	/* cache settings the file does not name keep tw_cache_conf_init's values */
	struct tw_cache_conf cc;
	tw_cache_conf_init(&cc);
	assert_int_equal(c.cache.neg_max_ranges, cc.neg_max_ranges);
	assert_int_equal(c.cache.max_threads, cc.max_threads);
	int rc = tw_config_validate(&c, err, sizeof(err));
	if (rc != 0)
		fail_msg("validate: %s", err);
	tw_config_fini(&c);
}

static void test_value_forms_accepted(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(&c), 0);
	const char *text = "listen: 198.18.0.9:5300\n"           /* a single value: a list of one */
			   "upstreams: [\"198.18.1.1\", '[2001:db8::53]']\n"
			   "trust_anchors: /etc/a.ds\n"
			   "cache: {memory: \"1G\", max_ttl: '600', aggressive: Yes, min_ttl: 0}\n"
			   "tcp: {enabled: off}\n"
			   "port:\n"
			   "  ip: 10.0.0.1/31\n"      /* /31: no network or broadcast address */
			   "  mac: AUTO\n";
	int rc = tw_config_load_text(&c, text, strlen(text), "mem.yaml", err, sizeof(err));
	/* "AUTO" is not "auto": the MAC keyword is lower case */
	assert_int_equal(rc, -TW_EINVAL);
	assert_string_equal(err, "mem.yaml:8: port.mac: \"AUTO\" is not a MAC address "
				 "(aa:bb:cc:dd:ee:ff, or auto)");
	text = "listen: 198.18.0.9:5300\n"
	       "upstreams: [\"198.18.1.1\", '[2001:db8::53]']\n"
	       "trust_anchors: /etc/a.ds\n"
	       "cache: {memory: \"1G\", max_ttl: '600', aggressive: Yes, min_ttl: 0}\n"
	       "tcp: {enabled: off}\n"
	       "port:\n"
	       "  ip: 10.0.0.1/31\n"
	       "  mac: auto\n"
	       "negative_trust_anchors:\n"
	       "limits:\n";
	rc = tw_config_load_text(&c, text, strlen(text), "mem.yaml", err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	assert_string_equal(c.file, "mem.yaml");
	assert_int_equal(c.nlisten, 1);
	assert_addr(&c.listen[0], "198.18.0.9:5300");
	assert_int_equal(c.nupstreams, 2);
	assert_addr(&c.upstreams[1], "[2001:db8::53]:53");
	assert_int_equal(c.ntrust_anchors, 1);
	assert_string_equal(c.trust_anchors[0], "/etc/a.ds");
	assert_int_equal(c.cache.mem_limit, 1ull << 30);
	assert_int_equal(c.cache.max_ttl, 600);
	assert_true(c.cache.aggressive);
	assert_false(c.tcp_enabled);
	assert_addr(&c.port.ip, "10.0.0.1/31");
	assert_int_equal(c.nntas, 0);
	tw_config_fini(&c);
}

/* ---- errors: exact messages -------------------------------------------------------------- */

static void test_error_port_out_of_range_names_file_line_key(void **state)
{
	(void)state;
	/* the example message of the configuration's documentation, at line 14 */
	const char *text = "# trustwired\n"
			   "port:\n"
			   "  ip: 198.18.0.1/24\n"
			   "  gateway: 198.18.0.254\n"
			   "\n"
			   "listen:\n"
			   "  - 198.18.0.1\n"
			   "\n"
			   "# the farm\n"
			   "upstreams:\n"
			   "  - 198.18.1.1\n"
			   "  -\n"
			   "    address: 198.18.1.2\n"
			   "    port: \"99999\"\n";
	expect_error_exact(text, ":14: upstreams[1].port: \"99999\" is not a port (1..65535)");
	expect_error_exact("listen: [\"198.18.0.1:0\"]\n",
			   ":1: listen[0]: \"198.18.0.1:0\" is not a port (1..65535)");
	expect_error_exact("upstreams:\n  - \"[2001:db8::1]:65536\"\n",
			   ":2: upstreams[0]: \"[2001:db8::1]:65536\" is not a port (1..65535)");
}

static void test_error_unknown_keys_suggest_the_near_one(void **state)
{
	(void)state;
	expect_error_exact("port:\n  ip: 198.18.0.1/24\nlsiten: [198.18.0.1]\n",
			   ":3: lsiten: unknown key (did you mean \"listen\"?)");
	expect_error_exact("cache:\n  memory: 1G\n  max_tl: 60\n",
			   ":3: cache.max_tl: unknown key (did you mean \"max_ttl\"?)");
	expect_error_exact("upstreams:\n  - adress: 198.18.1.1\n",
			   ":2: upstreams[0].adress: unknown key (did you mean \"address\"?)");
	expect_error_exact("tcp:\n  frobnicate: 1\n",
			   ":2: tcp.frobnicate: unknown key (known here: enabled)");
	expect_error_at("resolvers: [1.2.3.4]\n", 1, "resolvers: unknown key (known here: listen, port, "
				"upstreams, trust_anchors,", NULL);
}

static void test_error_wrong_types(void **state)
{
	(void)state;
	expect_error_exact("cache:\n  memory:\n    - 1G\n    - 2G\n",
			   ":3: cache.memory: expected a single value, found a list");
	expect_error_exact("log:\n  level: {a: b}\n",
			   ":2: log.level: expected a single value, found a mapping");
	expect_error_exact("port: [198.18.0.1]\n",
			   ":1: port: expected a mapping of keys, found a list");
	expect_error_exact("upstreams: {address: 198.18.1.1}\n",
			   ":1: upstreams: expected a list, found a mapping");
	expect_error_exact("listen:\n  - [198.18.0.1]\n",
			   ":2: listen[0]: expected a single value, found a list");
	expect_error_exact("- 1\n- 2\n",
			   ":1: expected a mapping of keys (listen:, port:, upstreams:, ...), found a list");
	expect_error_exact("hello\n",
			   ":1: expected a mapping of keys (listen:, port:, upstreams:, ...), found a single "
			   "value");
	expect_error_exact("cache:\n  max_ttl:\n", ":2: cache.max_ttl: no value given");
	expect_error_exact("upstreams:\n  - port: 53\n",
			   ":2: upstreams[0]: no address: (the mapping form is {address: ADDR, port: N})");
	expect_error_exact("? [a, b]\n: 1\n", ":1: a key must be a plain name, found a list");
}

static void test_error_duplicate_keys(void **state)
{
	(void)state;
	expect_error_exact("cache:\n  max_ttl: 60\n  min_ttl: 0\n  max_ttl: 120\n",
			   ":4: cache.max_ttl: duplicate key (first at line 2)");
	expect_error_exact("listen: [198.18.0.1]\nport: {ip: 198.18.0.1/24}\nlisten: []\n",
			   ":3: listen: duplicate key (first at line 1)");
	expect_error_exact("upstreams:\n  - address: 198.18.1.1\n    address: 198.18.1.2\n",
			   ":3: upstreams[0].address: duplicate key (first at line 2)");
}

static void test_error_yaml_syntax_reports_libyaml_problem_and_line(void **state)
{
	(void)state;
	expect_error_at("listen: [198.18.0.1\nport:\n  ip: 198.18.0.1/24\n", 2, "YAML syntax: ",
			"flow sequence");
	expect_error_at("cache:\n  max_ttl: 60\n min_ttl: 5\n", 3, "YAML syntax: ", NULL);
	expect_error_at("log:\n  level: \"info\n", 3, "YAML syntax: ", "quoted scalar");
	expect_error_at("listen: *nowhere\n", 1, "YAML syntax: ", "undefined alias");
	/* the reader's own errors come with a byte offset: the line is counted */
	expect_error_at("log:\n  level: info\nstats:\n  interval: \xff\xfe\n", 4, "YAML syntax: ",
			NULL);
	/* a NUL byte is a control character YAML refuses */
	struct tw_config c;
	char err[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	static const char nul[] = "log:\n  level: in\0fo\n";
	const char *path = write_file("nul.yaml", nul, sizeof(nul) - 1);
	assert_int_equal(tw_config_load(&c, path, err, sizeof(err)), -TW_EINVAL);
	assert_contains(err, ":2: YAML syntax: ");
	/* a NUL through an escape reaches the value: refused, not cut short */
	expect_error_exact("log:\n  level: \"info\\0x\"\n", ":2: log.level: the value holds a NUL character");
	/* one document per file */
	expect_error_exact("log: {level: info}\n---\nlog: {level: debug}\n",
			   ":2: a second YAML document (a file holds one)");
	tw_config_fini(&c);
}

static void test_error_file_missing_or_unreadable(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP], want[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/no-such.yaml", tmpdir);
	assert_int_equal(tw_config_load(&c, path, err, sizeof(err)), -TW_EIO);
	snprintf(want, sizeof(want), "%s: cannot open: %s", path, strerror(ENOENT));
	assert_string_equal(err, want);
	/* a directory */
	assert_int_equal(tw_config_load(&c, tmpdir, err, sizeof(err)), -TW_EIO);
	snprintf(want, sizeof(want), "%s: not a regular file", tmpdir);
	assert_string_equal(err, want);
	/* no permission: only meaningful when not root */
	if (geteuid() != 0) {
		char p[600];
		snprintf(p, sizeof(p), "%s", write_text("secret.yaml", "log: {level: info}\n"));
		assert_int_equal(chmod(p, 0), 0);
		assert_int_equal(tw_config_load(&c, p, err, sizeof(err)), -TW_EIO);
		snprintf(want, sizeof(want), "%s: cannot open: %s", p, strerror(EACCES));
		assert_string_equal(err, want);
		assert_int_equal(chmod(p, 0600), 0);
	}
	/* nothing changed */
	assert_null(c.file);
	assert_int_equal(c.ntrust_anchors, 1);
	tw_config_fini(&c);
}

static void test_error_numbers_out_of_range(void **state)
{
	(void)state;
	expect_error_exact("cache: {max_ttl: 0}\n",
			   ":1: cache.max_ttl: \"0\" is out of range (1..2147483647)");
	expect_error_exact("cache:\n  max_ttl: 2147483648\n",
			   ":2: cache.max_ttl: \"2147483648\" is out of range (1..2147483647)");
	expect_error_exact("limits:\n  retries: -1\n",
			   ":2: limits.retries: \"-1\" is not a number (0..10)");
	expect_error_exact("limits:\n  retries: 0x3\n",
			   ":2: limits.retries: \"0x3\" is not a number (0..10)");
	expect_error_exact("limits:\n  pending: 99999999999999999999999\n",
			   ":2: limits.pending: \"99999999999999999999999\" is not a number (16..1048576)");
	expect_error_exact("limits:\n  waiters: 0\n", ":2: limits.waiters: \"0\" is out of range (1..1024)");
	expect_error_exact("limits:\n  timeout_ms: 60001\n",
			   ":2: limits.timeout_ms: \"60001\" is out of range (10..60000)");
	expect_error_exact("stats: {interval: 1.5}\n",
			   ":1: stats.interval: \"1.5\" is not a number (0..86400)");
	expect_error_exact("workers: {crypto_lcores: 65}\n",
			   ":1: workers.crypto_lcores: \"65\" is out of range (0..64)");
	expect_error_exact("cache: {nsec3_max_iterations: 2501}\n",
			   ":1: cache.nsec3_max_iterations: \"2501\" is out of range (0..2500)");
	expect_error_exact("cache: {memory: 256Q}\n",
			   ":1: cache.memory: \"256Q\" is not a size (bytes, or a number with K, M or G)");
	expect_error_exact("cache: {memory: 512K}\n",
			   ":1: cache.memory: \"512K\" is out of range (1M..1024G)");
	expect_error_exact("cache: {memory: 2048G}\n",
			   ":1: cache.memory: \"2048G\" is out of range (1M..1024G)");
	expect_error_exact("cache: {aggressive: maybe}\n",
			   ":1: cache.aggressive: \"maybe\" is not a boolean (true or false)");
	expect_error_exact("workers:\n  crypto: gpu\n",
			   ":2: workers.crypto: \"gpu\" is not one of inline, ring, cryptodev");
	expect_error_exact("log: {level: verbose}\n",
			   ":1: log.level: \"verbose\" is not one of error, warning, notice, info, debug");
	expect_error_exact("exception: forward\n",
			   ":1: exception: \"forward\" is not one of drop, tap");
	expect_error_exact("port:\n  vlan: 4095\n", ":2: port.vlan: \"4095\" is not a VLAN id (0..4094)");
}

static void test_error_bad_addresses_and_prefixes(void **state)
{
	(void)state;
	expect_error_exact("listen: [1.2.3]\n", ":1: listen[0]: \"1.2.3\" is not an IP address");
	expect_error_exact("listen: [\"2001:db8::1]:53\"]\n",
			   ":1: listen[0]: \"2001:db8::1]:53\" is not an IP address");
	expect_error_exact("listen: [\"[198.18.0.1]:53\"]\n",
			   ":1: listen[0]: \"[198.18.0.1]:53\" is not an IP address (brackets hold IPv6: "
			   "[2001:db8::1]:53)");
	expect_error_exact("upstreams: [224.0.0.53]\n",
			   ":1: upstreams[0]: \"224.0.0.53\" is not a unicast address");
	expect_error_exact("upstreams: [\"::\"]\n", ":1: upstreams[0]: \"::\" is not a unicast address");
	expect_error_exact("upstreams: [127.0.0.1]\n",
			   ":1: upstreams[0]: \"127.0.0.1\" is not a unicast address");
	expect_error_exact("port:\n  ip: 198.18.0.1\n",
			   ":2: port.ip: \"198.18.0.1\" is not an IPv4 address with a prefix length "
			   "(198.18.0.1/24)");
	expect_error_exact("port:\n  ip: 198.18.0.1/33\n",
			   ":2: port.ip: \"198.18.0.1/33\" has a prefix length out of range (1..32)");
	expect_error_exact("port:\n  ip: 198.18.0.1/0\n",
			   ":2: port.ip: \"198.18.0.1/0\" has a prefix length out of range (1..32)");
	expect_error_exact("port:\n  ip: 198.18.0.0/24\n",
			   ":2: port.ip: \"198.18.0.0/24\" is the network address of its prefix (an "
			   "interface needs a host address)");
	expect_error_exact("port:\n  ip: 198.18.0.255/24\n",
			   ":2: port.ip: \"198.18.0.255/24\" is the broadcast address of its prefix");
	expect_error_exact("port:\n  ip: 2001:db8::1/64\n",
			   ":2: port.ip: \"2001:db8::1/64\" is not an IPv4 address with a prefix length "
			   "(198.18.0.1/24)");
	expect_error_exact("port:\n  ip6: 2001:db8::1/129\n",
			   ":2: port.ip6: \"2001:db8::1/129\" has a prefix length out of range (1..128)");
	expect_error_exact("port:\n  ip6: 198.18.0.1/24\n",
			   ":2: port.ip6: \"198.18.0.1/24\" is not an IPv6 address with a prefix length "
			   "(2001:db8::1/64)");
	expect_error_exact("port:\n  gateway: 2001:db8::fe\n",
			   ":2: port.gateway: \"2001:db8::fe\" is not an IPv4 address");
	expect_error_exact("port:\n  gateway6: 198.18.0.254\n",
			   ":2: port.gateway6: \"198.18.0.254\" is not an IPv6 address");
	expect_error_exact("port:\n  mac: 01:00:5e:00:00:01\n",
			   ":2: port.mac: \"01:00:5e:00:00:01\" is a multicast MAC address");
	expect_error_exact("port:\n  mac: \"00:00:00:00:00:00\"\n",
			   ":2: port.mac: \"00:00:00:00:00:00\" is the all-zero MAC address");
	expect_error_exact("port:\n  mac: 02:00:5e:10:00\n",
			   ":2: port.mac: \"02:00:5e:10:00\" is not a MAC address (aa:bb:cc:dd:ee:ff, or auto)");
	expect_error_exact("negative_trust_anchors: [\"a..b\"]\n",
			   ":1: negative_trust_anchors[0]: \"a..b\" is not a domain name");
	expect_error_exact("negative_trust_anchors: [\".\"]\n",
			   ":1: negative_trust_anchors[0]: \".\" is the root: a negative trust anchor there "
			   "would turn validation off");
	expect_error_exact("trust_anchors: [\"\"]\n", ":1: trust_anchors[0]: \"\" is not a file path");
	/* a long value is cut in the message, control characters escaped */
	expect_error_at("listen: [\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]\n",
			1, "aaaaaaaaaaaaaaaaaaaa...\" is not an IP address", NULL);
	expect_error_exact("listen: [\"1.2.3.4\\t\"]\n", ":1: listen[0]: \"1.2.3.4\\x09\" is not an IP address");
}

static void test_error_more_than_16_upstreams(void **state)
{
	(void)state;
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof(text), "upstreams:\n");
	for (unsigned i = 0; i < 17; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  - 198.18.1.%u\n", i + 1);
	/* the 17th entry is on line 18 */
	expect_error_exact(text, ":18: upstreams: more than 16 entries (at most 16)");
	/* 16 are fine */
	struct tw_config c;
	char err[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	text[strlen(text) - strlen("  - 198.18.1.17\n")] = 0;
	assert_int_equal(tw_config_load_text(&c, text, strlen(text), "16.yaml", err, sizeof(err)), 0);
	assert_int_equal(c.nupstreams, 16);
	tw_config_fini(&c);
}

static void test_failed_load_leaves_config_unchanged(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP];
	load_example(&c);
	char *before = dump_str(&c);
	/* good keys first, then a bad one: nothing of it may stick */
	const char *text = "upstreams: [203.0.113.1]\ntrust_anchors: [/x]\ncache: {max_ttl: 0}\n";
	assert_int_equal(tw_config_load_text(&c, text, strlen(text), "bad.yaml", err, sizeof(err)),
			 -TW_EINVAL);
	char *after = dump_str(&c);
	assert_string_equal(before, after);
	assert_contains(c.file, "example.yaml");
	free(before);
	free(after);
	tw_config_fini(&c);
}

/* ---- checks across keys ------------------------------------------------------------------- */

/* Loads text into fresh defaults (must succeed); validate must fail with
 * exactly want, after "PATH:LINE: " when line is not 0 (the key came from the
 * file) and nothing before it otherwise. */
static void expect_invalid(const char *text, unsigned line, const char *want)
{
	struct tw_config c;
	char err[ERRCAP] = "", full[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	const char *path = write_text("v.yaml", text);
	int rc = tw_config_load(&c, path, err, sizeof(err));
	if (rc != 0)
		fail_msg("load: %s", err);
	assert_int_equal(tw_config_validate(&c, err, sizeof(err)), -TW_EINVAL);
	if (line)
		snprintf(full, sizeof(full), "%s:%u: %s", path, line, want);
	else
		snprintf(full, sizeof(full), "%s", want);
	assert_string_equal(err, full);
	tw_config_fini(&c);
}

static void expect_valid(const char *text)
{
	struct tw_config c;
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(&c), 0);
	int rc = tw_config_load_text(&c, text, strlen(text), "ok.yaml", err, sizeof(err));
	if (rc != 0)
		fail_msg("load: %s", err);
	rc = tw_config_validate(&c, err, sizeof(err));
	if (rc != 0)
		fail_msg("validate: %s\n%s", err, text);
	tw_config_fini(&c);
}

static void test_validate_says_what_is_missing(void **state)
{
	(void)state;
	expect_invalid("upstreams: [198.18.1.1]\n", 0,
		       "port.ip: not set: the appliance needs an address on its port (port: {ip: "
		       "198.18.0.1/24} in the file, or --port-ip ADDR/PREFIX)");
	expect_invalid("port: {ip: 198.18.0.1/24}\n", 0,
		       "upstreams: none given: trustwired forwards to a resolver farm (upstreams: in "
		       "the file, or --upstream ADDR[:PORT])");
	expect_invalid("port: {ip: 198.18.0.1/24}\nupstreams: [198.18.1.1]\n\ntrust_anchors: []\n",
		       4, "trust_anchors: no file given: trustwired does not run without a DNSSEC "
		       "trust anchor (default /usr/share/dns/root.ds; --trust-anchor FILE)");
}

static void test_validate_checks_across_keys(void **state)
{
	(void)state;
	expect_invalid("port:\n  ip: 198.18.0.1/24\n  gateway: 10.0.0.1\nupstreams: [198.18.1.1]\n",
		       3, "port.gateway: 10.0.0.1 is not inside port.ip 198.18.0.1/24");
	expect_invalid("port:\n  ip6: 2001:db8::1/64\n  gateway: 10.0.0.1\nupstreams: [\"2001:db8::53\"]\n",
		       3, "port.gateway: 10.0.0.1 given but port.ip is not set");
	expect_invalid("port:\n  ip: 198.18.0.1/24\n  gateway: 198.18.0.1\nupstreams: [198.18.1.1]\n",
		       3, "port.gateway: 198.18.0.1 is the port's own address (port.ip)");
	expect_invalid("port:\n  ip6: 2001:db8::1/64\n  gateway6: 2001:db9::1\n"
		       "upstreams: [\"2001:db8::53\"]\n",
		       3, "port.gateway6: 2001:db9::1 is not inside port.ip6 2001:db8::1/64 (nor "
		       "link-local)");
	expect_invalid("port: {ip: 198.18.0.1/24}\nupstreams:\n  - 198.18.1.1\n  - \"2001:db8::53\"\n",
		       4, "upstreams[1]: [2001:db8::53]:53 is IPv6 but port.ip6 is not set (the port "
		       "needs an IPv6 address to reach it)");
	expect_invalid("port: {ip6: 2001:db8::1/64}\nlisten: [198.18.0.1]\nupstreams: [\"2001:db8::53\"]\n",
		       2, "listen[0]: 198.18.0.1:53 is IPv4 but port.ip is not set (the port needs an "
		       "IPv4 address to answer on it)");
	expect_invalid("port: {ip: 198.18.0.1/24}\nupstreams: [198.18.1.1, 198.18.0.1]\n",
		       2, "upstreams[1]: 198.18.0.1:53 is the appliance's own address: questions "
		       "would loop");
	expect_invalid("port: {ip: 198.18.0.1/24}\nlisten: [192.0.2.53]\nupstreams: [\"192.0.2.53:5353\"]\n",
		       3, "upstreams[0]: 192.0.2.53:5353 is also listen[0]: questions would loop");
	expect_invalid("port: {ip: 198.18.0.1/24}\nupstreams:\n  - 198.18.1.1\n  - 198.18.1.1:53\n",
		       4, "upstreams[1]: 198.18.1.1:53 is listed twice (also upstreams[0])");
	expect_invalid("port: {ip: 198.18.0.1/24}\nupstreams: [198.18.1.1]\ncache:\n  max_ttl: 60\n"
		       "  min_ttl: 120\n",
		       5, "cache.min_ttl: 120 is above cache.max_ttl 60");
	expect_invalid("port: {ip: 198.18.0.1/24}\nupstreams: [198.18.1.1]\nworkers: {crypto: ring}\n", 0,
		       "workers.crypto_lcores: 0, but crypto: ring needs at least one crypto lcore");
}

static void test_listen_defaults_to_the_port_addresses(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	struct tw_config_addr eff[TW_CONFIG_MAX_LISTEN];
	assert_int_equal(tw_config_init(&c), 0);
	assert_int_equal(tw_config_listen(&c, eff), 0);
	assert_int_equal(parse(&c, err, "--port-ip", "198.18.0.1/24", "--port-ip", "2001:db8::1/64",
			       NULL),
			 0);
	assert_int_equal(c.nlisten, 0);
	assert_int_equal(tw_config_listen(&c, eff), 2);
	assert_addr(&eff[0], "198.18.0.1:53");
	assert_addr(&eff[1], "[2001:db8::1]:53");
	/* given addresses replace the default, ports and all */
	assert_int_equal(parse(&c, err, "--listen", "192.0.2.53:5353", NULL), 0);
	assert_int_equal(tw_config_listen(&c, eff), 1);
	assert_addr(&eff[0], "192.0.2.53:5353");
	tw_config_fini(&c);
}

static void test_validate_accepts_routed_service_addresses(void **state)
{
	(void)state;
	/* an anycast service address outside the port's prefix: routed to us */
	expect_valid("port: {ip: 198.18.0.1/24, gateway: 198.18.0.254}\n"
		     "listen: [192.0.2.53, \"192.0.2.54:5353\"]\nupstreams: [198.18.1.1]\n");
	/* IPv6 only, a link-local router (RFC 4861 §4.2) */
	expect_valid("port: {ip6: 2001:db8::1/64, gateway6: fe80::1}\n"
		     "listen: [\"[2001:db8:53::1]:53\"]\nupstreams: [\"2001:db8:1::53\"]\n");
	/* the same address on two ports is two listeners */
	expect_valid("port: {ip: 198.18.0.1/24}\nlisten: [198.18.0.1, \"198.18.0.1:5353\"]\n"
		     "upstreams: [198.18.1.1]\n");
}

/* ---- the command line -------------------------------------------------------------------- */


static void test_overrides_alone_make_a_valid_config(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(&c), 0);
	int rc = parse(&c, err, "--port-ip", "198.18.0.1/24", "--gateway=198.18.0.254", "--upstream",
		       "198.18.1.1", "--port-ip", "2001:db8::1/64", "--gateway", "fe80::1", "--vlan",
		       "7", "--cache-memory", "64M", "--crypto", "cryptodev", "--log-level=debug",
		       "--listen", "[2001:db8::53]:5353", "--trust-anchor", "/tmp/x.xml", NULL);
	if (rc != 0)
		fail_msg("%s", err);
	assert_null(c.file);
	assert_addr(&c.port.ip, "198.18.0.1/24");
	assert_int_equal(c.port.ip.line, 0);
	assert_addr(&c.port.gateway, "198.18.0.254");
	assert_addr(&c.port.ip6, "2001:db8::1/64");
	assert_addr(&c.port.gateway6, "fe80::1");
	assert_int_equal(c.port.vlan, 7);
	assert_int_equal(c.cache.mem_limit, 64ull << 20);
	assert_int_equal(c.workers.crypto, TW_CONFIG_CRYPTO_CRYPTODEV);
	assert_int_equal(c.log_level, TW_CONFIG_LOG_DEBUG);
	assert_int_equal(c.nlisten, 1);
	assert_addr(&c.listen[0], "[2001:db8::53]:5353");
	assert_int_equal(c.nupstreams, 1);
	assert_int_equal(c.ntrust_anchors, 1);
	assert_string_equal(c.trust_anchors[0], "/tmp/x.xml");
	rc = tw_config_validate(&c, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	/* no arguments at all: nothing changes */
	char *before = dump_str(&c);
	char *argv0[] = { (char *)"trustwired", NULL };
	assert_int_equal(tw_config_parse_args(&c, 1, argv0, err, sizeof(err)), 0);
	char *after = dump_str(&c);
	assert_string_equal(before, after);
	free(before);
	free(after);
	tw_config_fini(&c);
}

static void test_overrides_first_use_replaces_then_appends(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(&c), 0);
	const char *path = write_text("example.yaml", example);
	char cfgpath[600];
	snprintf(cfgpath, sizeof(cfgpath), "%s", path);
	/* --config comes last but is read first; the overrides then win */
	int rc = parse(&c, err, "--upstream", "203.0.113.1", "--listen", "192.0.2.1",
		       "--upstream=[2001:db8:2::53]:5353", "--trust-anchor", "/a.ds",
		       "--trust-anchor", "/b.key", "--listen", "192.0.2.2:5353", "--vlan", "0",
		       "--config", cfgpath, NULL);
	if (rc != 0)
		fail_msg("%s", err);
	assert_string_equal(c.file, cfgpath);
	assert_int_equal(c.nupstreams, 2);
	assert_addr(&c.upstreams[0], "203.0.113.1:53");
	assert_addr(&c.upstreams[1], "[2001:db8:2::53]:5353");
	assert_int_equal(c.upstreams[0].line, 0);
	assert_int_equal(c.nlisten, 2);
	assert_addr(&c.listen[0], "192.0.2.1:53");
	assert_addr(&c.listen[1], "192.0.2.2:5353");
	assert_int_equal(c.ntrust_anchors, 2);
	assert_string_equal(c.trust_anchors[0], "/a.ds");
	assert_string_equal(c.trust_anchors[1], "/b.key");
	assert_int_equal(c.lines.trust_anchors, 0);
	assert_int_equal(c.port.vlan, 0);
	/* keys not overridden come from the file */
	assert_int_equal(c.cache.max_ttl, 3600);
	assert_int_equal(c.workers.crypto, TW_CONFIG_CRYPTO_RING);
	/* a later override of the port address moves validate's message off the file */
	rc = parse(&c, err, "--port-ip", "10.1.0.1/16", NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(tw_config_validate(&c, err, sizeof(err)), -TW_EINVAL);
	snprintf(cfgpath + strlen(cfgpath), sizeof(cfgpath) - strlen(cfgpath), ":9: ");
	assert_string_equal(err, strcat(cfgpath, "port.gateway: 198.18.0.254 is not inside port.ip "
						 "10.1.0.1/16"));
	tw_config_fini(&c);
}

static void test_override_errors_name_the_option(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	load_example(&c);
	char *before = dump_str(&c);
	assert_int_equal(parse(&c, err, "--upstream", "198.18.1.9", "--upstream", "1.2.3.4:99999",
			       NULL),
			 -TW_EINVAL);
	assert_string_equal(err, "--upstream: \"1.2.3.4:99999\" is not a port (1..65535)");
	assert_int_equal(parse(&c, err, "--lisen", "1.2.3.4", NULL), -TW_EINVAL);
	assert_string_equal(err, "unknown option --lisen (did you mean --listen?)");
	assert_int_equal(parse(&c, err, "--frobnicate", NULL), -TW_EINVAL);
	assert_string_equal(err, "unknown option --frobnicate (see --help)");
	assert_int_equal(parse(&c, err, "--listen", NULL), -TW_EINVAL);
	assert_string_equal(err, "--listen needs a value (--listen ADDR[:PORT])");
	assert_int_equal(parse(&c, err, "--listen", "--vlan", "3", NULL), -TW_EINVAL);
	assert_string_equal(err, "--listen needs a value (--listen ADDR[:PORT])");
	assert_int_equal(parse(&c, err, "--help=yes", NULL), -TW_EINVAL);
	assert_string_equal(err, "--help takes no value");
	assert_int_equal(parse(&c, err, "--config", "a.yaml", "--config=b.yaml", NULL), -TW_EINVAL);
	assert_string_equal(err, "--config given twice");
	assert_int_equal(parse(&c, err, "198.18.0.1", NULL), -TW_EINVAL);
	assert_string_equal(err, "unexpected argument \"198.18.0.1\" (options start with --; see --help)");
	assert_int_equal(parse(&c, err, "--port-ip", "198.18.0.1", NULL), -TW_EINVAL);
	assert_string_equal(err, "--port-ip: \"198.18.0.1\" is not an address with a prefix length "
				 "(198.18.0.1/24 or 2001:db8::1/64)");
	assert_int_equal(parse(&c, err, "--gateway", "fe80::1%eth0", NULL), -TW_EINVAL);
	assert_string_equal(err, "--gateway: \"fe80::1%eth0\" is not an IP address");
	assert_int_equal(parse(&c, err, "--crypto", "gpu", NULL), -TW_EINVAL);
	assert_string_equal(err, "--crypto: \"gpu\" is not one of inline, ring, cryptodev");
	assert_int_equal(parse(&c, err, "--log-level", "loud", NULL), -TW_EINVAL);
	assert_string_equal(err, "--log-level: \"loud\" is not one of error, warning, notice, info, debug");
	assert_int_equal(parse(&c, err, "--vlan", "4095", NULL), -TW_EINVAL);
	assert_string_equal(err, "--vlan: \"4095\" is not a VLAN id (0..4094)");
	assert_int_equal(parse(&c, err, "--cache-memory", "12X", NULL), -TW_EINVAL);
	assert_string_equal(err, "--cache-memory: \"12X\" is not a size (bytes, or a number with K, M or G)");
	assert_int_equal(parse(&c, err, "--trust-anchor=", NULL), -TW_EINVAL);
	assert_string_equal(err, "--trust-anchor: \"\" is not a file path");
	char over[TW_CONFIG_MAX_ANCHOR_FILES + 2][16];
	char *argv[2 * (TW_CONFIG_MAX_ANCHOR_FILES + 2) + 2];
	int argc = 0;
	argv[argc++] = (char *)"trustwired";
	for (unsigned i = 0; i < TW_CONFIG_MAX_ANCHOR_FILES + 1; i++) {
		snprintf(over[i], sizeof(over[i]), "/a%u", i);
		argv[argc++] = (char *)"--trust-anchor";
		argv[argc++] = over[i];
	}
	assert_int_equal(tw_config_parse_args(&c, argc, argv, err, sizeof(err)), -TW_EINVAL);
	assert_string_equal(err, "--trust-anchor: more than 8 given (at most 8)");
	/* the file's own error, and a file that is not there */
	const char *bad = write_text("bad.yaml", "cache:\n  max_ttl: zero\n");
	char badpath[600];
	snprintf(badpath, sizeof(badpath), "%s", bad);
	assert_int_equal(parse(&c, err, "--config", badpath, NULL), -TW_EINVAL);
	assert_contains(err, ":2: cache.max_ttl: \"zero\" is not a number (1..2147483647)");
	assert_int_equal(parse(&c, err, "--config", "/nonexistent/t.yaml", NULL), -TW_EIO);
	assert_contains(err, "/nonexistent/t.yaml: cannot open: ");
	/* none of it changed anything */
	char *after = dump_str(&c);
	assert_string_equal(before, after);
	free(before);
	free(after);
	tw_config_fini(&c);
}

static void test_help_applies_nothing(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(&c), 0);
	assert_int_equal(parse(&c, err, "--upstream", "198.18.1.1", "--help", "--bogus", NULL),
			 TW_CONFIG_HELP);
	assert_int_equal(c.nupstreams, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	tw_config_usage(f);
	fclose(f);
	static const char *const opts[] = { "--config FILE", "--listen ADDR[:PORT]",
					    "--upstream ADDR[:PORT]", "--trust-anchor FILE",
					    "--port-ip ADDR/PREFIX", "--gateway ADDR",
					    "--cache-memory SIZE", "--crypto inline|ring|cryptodev",
					    "--log-level LEVEL", "--vlan N", "--help" };
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		assert_contains(buf, opts[i]);
	free(buf);
	tw_config_fini(&c);
}

static void test_second_file_keeps_values_and_forgets_lines(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP] = "";
	load_example(&c);
	assert_int_equal(c.port.gateway.line, 9);
	const char *text = "log: {level: warning}\ncache: {max_ttl: 30}\n";
	assert_int_equal(tw_config_load_text(&c, text, strlen(text), "second.yaml", err, sizeof(err)),
			 0);
	assert_string_equal(c.file, "second.yaml");
	assert_int_equal(c.log_level, TW_CONFIG_LOG_WARNING);
	/* the first file's values stay, its lines do not: second.yaml:9 would be wrong */
	assert_addr(&c.port.gateway, "198.18.0.254");
	assert_int_equal(c.port.gateway.line, 0);
	assert_int_equal(c.upstreams[0].line, 0);
	assert_int_equal(c.lines.trust_anchors, 0);
	assert_int_equal(c.cache.min_ttl, 5);
	assert_int_equal(c.cache.max_ttl, 30);
	assert_int_equal(tw_config_validate(&c, err, sizeof(err)), 0);
	assert_int_equal(parse(&c, err, "--port-ip", "10.1.0.1/16", NULL), 0);
	assert_int_equal(tw_config_validate(&c, err, sizeof(err)), -TW_EINVAL);
	assert_string_equal(err, "port.gateway: 198.18.0.254 is not inside port.ip 10.1.0.1/16");
	tw_config_fini(&c);
}

/* ---- the dump ----------------------------------------------------------------------------- */

/* Dumps c, loads the dump into fresh defaults, dumps that: both dumps equal. */
static void assert_round_trip(const struct tw_config *c)
{
	char *d1 = dump_str(c);
	struct tw_config r;
	char err[ERRCAP] = "";
	assert_int_equal(tw_config_init(&r), 0);
	const char *path = write_text("dump.yaml", d1);
	int rc = tw_config_load(&r, path, err, sizeof(err));
	if (rc != 0)
		fail_msg("the dump does not load: %s\n%s", err, d1);
	char *d2 = dump_str(&r);
	assert_string_equal(dump_body(d1), dump_body(d2));
	/* field by field where the dump could hide a difference */
	assert_int_equal(r.nlisten, c->nlisten);
	for (unsigned i = 0; i < c->nlisten; i++) {
		assert_int_equal(r.listen[i].family, c->listen[i].family);
		assert_memory_equal(r.listen[i].addr, c->listen[i].addr, 16);
		assert_int_equal(r.listen[i].port, c->listen[i].port);
	}
	assert_int_equal(r.nupstreams, c->nupstreams);
	for (unsigned i = 0; i < c->nupstreams; i++) {
		assert_memory_equal(r.upstreams[i].addr, c->upstreams[i].addr, 16);
		assert_int_equal(r.upstreams[i].port, c->upstreams[i].port);
	}
	assert_memory_equal(r.port.ip.addr, c->port.ip.addr, 16);
	assert_int_equal(r.port.ip.prefix, c->port.ip.prefix);
	assert_memory_equal(r.port.ip6.addr, c->port.ip6.addr, 16);
	assert_int_equal(r.port.ip6.prefix, c->port.ip6.prefix);
	assert_int_equal(r.port.mac_set, c->port.mac_set);
	assert_memory_equal(r.port.mac, c->port.mac, 6);
	assert_int_equal(r.ntrust_anchors, c->ntrust_anchors);
	for (unsigned i = 0; i < c->ntrust_anchors; i++)
		assert_string_equal(r.trust_anchors[i], c->trust_anchors[i]);
	assert_int_equal(r.nntas, c->nntas);
	for (unsigned i = 0; i < c->nntas; i++)
		assert_memory_equal(r.ntas[i], c->ntas[i], tw_dns_name_len(c->ntas[i]));
	assert_memory_equal(&r.cache, &c->cache, sizeof(r.cache));
	assert_memory_equal(&r.workers, &c->workers, sizeof(r.workers));
	assert_memory_equal(&r.limits, &c->limits, sizeof(r.limits));
	assert_int_equal(r.exception, c->exception);
	assert_int_equal(r.tcp_enabled, c->tcp_enabled);
	assert_int_equal(r.log_level, c->log_level);
	assert_int_equal(r.stats_interval, c->stats_interval);
	free(d1);
	free(d2);
	tw_config_fini(&r);
}

static void test_dump_round_trips(void **state)
{
	(void)state;
	struct tw_config c;
	char err[ERRCAP];
	assert_int_equal(tw_config_init(&c), 0);
	assert_round_trip(&c);
	tw_config_fini(&c);

	load_example(&c);
	assert_round_trip(&c);
	char *d = dump_str(&c);
	assert_contains(d, "  - \"[2001:db8::1]:5353\"\n");
	assert_contains(d, "  memory: 512M\n");
	assert_contains(d, "  mac: \"02:00:5e:10:00:01\"\n");
	free(d);
	/* strings YAML would otherwise take apart; a size that is no round unit */
	const char *text = "trust_anchors:\n  - \"/tmp/a \\\"b\\\" #c: d\\\\e [f]\"\n  - \"- x\"\n"
			   "  - \"caf\xc3\xa9\"\n"
			   "negative_trust_anchors: [\"*.example\", \"a\\\\.b.example\"]\n"
			   "cache: {memory: 1048577}\n";
	assert_int_equal(tw_config_load_text(&c, text, strlen(text), "odd.yaml", err, sizeof(err)), 0);
	assert_string_equal(c.trust_anchors[0], "/tmp/a \"b\" #c: d\\e [f]");
	static const uint8_t dotted[] = { 3, 'a', '.', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	assert_memory_equal(c.ntas[1], dotted, sizeof(dotted));
	assert_int_equal(c.cache.mem_limit, 1048577);
	assert_round_trip(&c);
	/* an override's strings too */
	assert_int_equal(parse(&c, err, "--trust-anchor", "/x\ty\"z", NULL), 0);
	assert_round_trip(&c);
	tw_config_fini(&c);
}

/* ---- robustness --------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: seeded, so a failure can be replayed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static const char *const tokens[] = {
	"[", "]", "{", "}", ":", ": ", "- ", "\n", "  ", "&a ", "*a", "!!str ", "\"", "'", "#",
	"99999", "-1", "0", "1.2.3.4", "::", "/", "ring", "~", "\t", "\xff", "\xc3\xa9", "? ",
	"---\n", "...", "|\n", ">\n", ",", "%YAML 1.1\n", "\\", "\0", "listen", "port", "cache",
	"256G", "2001:db8::1", "[2001:db8::1]:53", "yes", "null", "&b [*b]", "<<: *a\n",
};

/* One mutant of the example: 1 to 4 edits. Returns its length. */
static size_t mutate(char *out, size_t cap)
{
	size_t len = sizeof(example) - 1;
	memcpy(out, example, len);
	unsigned edits = 1 + (unsigned)(rng() % 4);
	for (unsigned e = 0; e < edits; e++) {
		size_t at = len ? (size_t)(rng() % len) : 0;
		switch (rng() % 6) {
		case 0: /* one byte replaced by any byte */
			if (len)
				out[at] = (char)(rng() & 0xff);
			break;
		case 1: { /* a span deleted */
			size_t n = 1 + (size_t)(rng() % 12);
			if (at + n > len)
				n = len - at;
			memmove(out + at, out + at + n, len - at - n);
			len -= n;
			break;
		}
		case 2:
		case 3: { /* a YAML-ish token inserted */
			const char *t = tokens[rng() % (sizeof(tokens) / sizeof(tokens[0]))];
			size_t n = *t ? strlen(t) : 1;
			if (len + n >= cap)
				break;
			memmove(out + at + n, out + at, len - at);
			memcpy(out + at, t, n);
			len += n;
			break;
		}
		case 4: { /* a line copied elsewhere (duplicate keys, bad nesting) */
			size_t b = at;
			while (b > 0 && out[b - 1] != '\n')
				b--;
			size_t end = at;
			while (end < len && out[end] != '\n')
				end++;
			size_t n = end - b + (end < len);
			size_t to = len ? (size_t)(rng() % len) : 0;
			if (len + n >= cap || n == 0)
				break;
			char line[512];
			if (n > sizeof(line))
				break;
			memcpy(line, out + b, n);
			memmove(out + to + n, out + to, len - to);
			memcpy(out + to, line, n);
			len += n;
			break;
		}
		default: /* indentation shifted */
			if (len + 2 < cap) {
				memmove(out + at + 2, out + at, len - at);
				out[at] = ' ';
				out[at + 1] = ' ';
				len += 2;
			}
			break;
		}
	}
	return len;
}

static void test_mutated_files_load_or_fail_with_a_line(void **state)
{
	(void)state;
	static char text[sizeof(example) + 4096];
	unsigned loaded = 0;
	rng_state = 0x7477636f6e666967ull; /* "twconfig" */
	for (unsigned i = 0; i < 2000; i++) {
		size_t len = mutate(text, sizeof(text));
		const char *path = write_file("mutant.yaml", text, len);
		struct tw_config c;
		char err[ERRCAP] = "";
		assert_int_equal(tw_config_init(&c), 0);
		int rc = tw_config_load(&c, path, err, sizeof(err));
		if (rc == 0) {
			loaded++;
			assert_round_trip(&c);
			/* validate never crashes either, whatever it says */
			(void)tw_config_validate(&c, err, sizeof(err));
		} else {
			if (rc != -TW_EINVAL)
				fail_msg("mutant %u: rc %d: %s", i, rc, err);
			size_t pl = strlen(path);
			const char *p = err + pl;
			if (strncmp(err, path, pl) != 0 || p[0] != ':' || p[1] < '1' || p[1] > '9')
				fail_msg("mutant %u: no line in \"%s\"", i, err);
			p++;
			while (*p >= '0' && *p <= '9')
				p++;
			if (p[0] != ':' || p[1] != ' ')
				fail_msg("mutant %u: no line in \"%s\"", i, err);
		}
		tw_config_fini(&c);
	}
	print_message("%u of 2000 mutants loaded\n", loaded);
	/* the mutations are mild enough that some survive: both paths are exercised */
	assert_true(loaded > 50);
	assert_true(loaded < 1950);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_need_no_file),
		cmocka_unit_test(test_empty_and_comment_only_files_give_defaults),
		cmocka_unit_test(test_full_example_sets_every_key),
		cmocka_unit_test(test_value_forms_accepted),
		cmocka_unit_test(test_error_port_out_of_range_names_file_line_key),
		cmocka_unit_test(test_error_unknown_keys_suggest_the_near_one),
		cmocka_unit_test(test_error_wrong_types),
		cmocka_unit_test(test_error_duplicate_keys),
		cmocka_unit_test(test_error_yaml_syntax_reports_libyaml_problem_and_line),
		cmocka_unit_test(test_error_file_missing_or_unreadable),
		cmocka_unit_test(test_error_numbers_out_of_range),
		cmocka_unit_test(test_error_bad_addresses_and_prefixes),
		cmocka_unit_test(test_error_more_than_16_upstreams),
		cmocka_unit_test(test_failed_load_leaves_config_unchanged),
		cmocka_unit_test(test_second_file_keeps_values_and_forgets_lines),
		cmocka_unit_test(test_validate_says_what_is_missing),
		cmocka_unit_test(test_validate_checks_across_keys),
		cmocka_unit_test(test_validate_accepts_routed_service_addresses),
		cmocka_unit_test(test_listen_defaults_to_the_port_addresses),
		cmocka_unit_test(test_overrides_alone_make_a_valid_config),
		cmocka_unit_test(test_overrides_first_use_replaces_then_appends),
		cmocka_unit_test(test_override_errors_name_the_option),
		cmocka_unit_test(test_help_applies_nothing),
		cmocka_unit_test(test_dump_round_trips),
		cmocka_unit_test(test_mutated_files_load_or_fail_with_a_line),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
