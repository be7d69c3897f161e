/* libFuzzer target: hostile YAML through the configuration loader (mgmt/config.h).
 * tw_config_load_text() reads the input over the defaults. Refused: the message
 * names the file (and a line of it, when it gives one) and the configuration is
 * left as it was. Loaded: it is validated (a verdict, with a message when it
 * fails), dumped, the dump loaded into fresh defaults and dumped again, and the
 * two dumps must be the same octets, with the same verdict; loading the input a
 * second time over what it produced changes nothing (keys replace, lists are
 * replaced whole). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/error.h"
#include "mgmt/config.h"

#define CHECK(x)                                                               \
	do {                                                                   \
		if (!(x)) {                                                    \
			fprintf(stderr, "fuzz_config.c:%d: %s\n", __LINE__, #x); \
			abort();                                               \
		}                                                              \
	} while (0)

#define NAME "fuzz.yaml"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The dump as a heap string of *len octets. */
static char *dump(const struct tw_config *c, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	CHECK(f);
	tw_config_dump(c, f);
	CHECK(fclose(f) == 0);
	*len = n;
	return buf;
}

/* A message that names the file starts "NAME:" and goes on with " reason" or
 * "LINE: ..."; a line is at least 1 and within the text. Returns whether it
 * names the file. */
static bool check_where(const char *err, size_t input_len)
{
	size_t nl = strlen(NAME);
	if (strncmp(err, NAME ":", nl + 1) != 0)
		return false;
	const char *p = err + nl + 1;
	if (*p == ' ')
		return true;
	unsigned long line = 0;
	size_t digits = 0;
	for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		line = line * 10 + (unsigned long)(*p - '0');
	CHECK(digits > 0 && p[0] == ':' && p[1] == ' ' && p[2] != 0);
	CHECK(line >= 1 && line <= input_len + 2);
	return true;
}

/* err after a failure: terminated inside its buffer, not empty. */
static void check_message(const char *err, size_t cap)
{
	CHECK(strnlen(err, cap) < cap);
	CHECK(err[0] != 0);
}

static void check_values(const struct tw_config *c)
{
	struct tw_config_addr eff[TW_CONFIG_MAX_LISTEN];
	CHECK(c->nlisten <= TW_CONFIG_MAX_LISTEN && c->nupstreams <= TW_CONFIG_MAX_UPSTREAMS);
	CHECK(c->ntrust_anchors <= TW_CONFIG_MAX_ANCHOR_FILES && c->nntas <= TW_CONFIG_MAX_NTAS);
	for (unsigned i = 0; i < c->ntrust_anchors; i++)
		CHECK(c->trust_anchors[i] && c->trust_anchors[i][0]);
	for (unsigned i = 0; i < c->nupstreams; i++)
		CHECK((c->upstreams[i].family == AF_INET || c->upstreams[i].family == AF_INET6) &&
		      c->upstreams[i].port != 0 && c->upstreams[i].prefix == 0);
	CHECK(c->port.vlan <= 4094);
	CHECK(!c->port.ip.family || (c->port.ip.family == AF_INET && c->port.ip.prefix >= 1 &&
				     c->port.ip.prefix <= 32));
	CHECK(!c->port.ip6.family || (c->port.ip6.family == AF_INET6 && c->port.ip6.prefix >= 1 &&
				      c->port.ip6.prefix <= 128));
	CHECK(!c->port.mac_set || !(c->port.mac[0] & 1));
	CHECK(strcmp(tw_config_crypto_str(c->workers.crypto), "?") != 0);
	CHECK(strcmp(tw_config_log_level_str(c->log_level), "?") != 0);
	CHECK(strcmp(tw_config_exception_str(c->exception), "?") != 0);
	unsigned n = tw_config_listen(c, eff);
	CHECK(n <= TW_CONFIG_MAX_LISTEN && (c->nlisten == 0 || n == c->nlisten));
	for (unsigned i = 0; i < n; i++) {
		char s[64];
		CHECK((eff[i].family == AF_INET || eff[i].family == AF_INET6) && eff[i].port != 0 &&
		      eff[i].prefix == 0);
		CHECK(strlen(tw_config_addr_str(&eff[i], s, sizeof(s))) < sizeof(s));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *defaults;
	static size_t defaults_len;
	struct tw_config c, c2;
	char err[TW_CONFIG_ERRLEN];
	size_t l1, l2;

	CHECK(tw_config_init(&c) == 0);
	if (!defaults)
		defaults = dump(&c, &defaults_len);
	err[0] = 0;
	int rc = tw_config_load_text(&c, (const char *)data, size, NAME, err, sizeof(err));
	CHECK(rc == 0 || rc == -TW_EINVAL || rc == -TW_ENOMEM);
	if (rc < 0) {
		check_message(err, sizeof(err));
		CHECK(check_where(err, size));
		/* all or nothing: still the defaults */
		char *d = dump(&c, &l1);
		CHECK(c.file == NULL && l1 == defaults_len && memcmp(d, defaults, l1) == 0);
		free(d);
		tw_config_fini(&c);
		return 0;
	}
	CHECK(c.file && strcmp(c.file, NAME) == 0);
	check_values(&c);

	err[0] = 0;
	int valid = tw_config_validate(&c, err, sizeof(err));
	CHECK(valid == 0 || valid == -TW_EINVAL);
	if (valid < 0) {
		check_message(err, sizeof(err));
		check_where(err, size);
	}

	/* the dump loads back to the same configuration */
	char *d1 = dump(&c, &l1);
	CHECK(tw_config_init(&c2) == 0);
	rc = tw_config_load_text(&c2, d1, l1, NAME, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "the dump does not load: %s\n---\n%.*s---\n", err, (int)l1, d1);
	CHECK(rc == 0);
	char *d2 = dump(&c2, &l2);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0)
		fprintf(stderr, "dumps differ:\n---\n%.*s---\n%.*s---\n", (int)l1, d1, (int)l2, d2);
	CHECK(l1 == l2 && memcmp(d1, d2, l1) == 0);
	CHECK(tw_config_validate(&c2, err, sizeof(err)) == valid);
	free(d2);

	/* the input again over its own result: nothing changes */
	rc = tw_config_load_text(&c2, (const char *)data, size, NAME, err, sizeof(err));
	CHECK(rc == 0);
	d2 = dump(&c2, &l2);
	CHECK(l1 == l2 && memcmp(d1, d2, l1) == 0);
	free(d1);
	free(d2);
	tw_config_fini(&c2);
	tw_config_fini(&c);
	return 0;
}
