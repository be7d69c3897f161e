/* trustwire-check: validates one name and type through a resolver with the
 * validation engine (crypto/validator.h), over ordinary sockets, and prints the
 * verdict, the answer as it would be served and the chain of trust it walked.
 *
 *   trustwire-check [-a ANCHOR_FILE] [-p PORT] [-t SECONDS] [-T EPOCH] [+cd]
 *                   @SERVER NAME [TYPE]
 *
 * Exit status: 0 secure, 1 insecure (or unchecked with +cd), 2 bogus,
 * 3 indeterminate or error. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/key.h"
#include "crypto/validator.h"
#include "crypto/verify.h"
#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "dns/zone.h"

#define DEFAULT_ANCHOR "/usr/share/dns/root.key"

struct upstream {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int timeout_ms;
	int tries;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: trustwire-check [-a ANCHOR_FILE] [-p PORT] [-t SECONDS] [-T EPOCH] [+cd]\n"
		"                       @SERVER NAME [TYPE]\n"
		"  -a FILE    trust anchors: DS or DNSKEY zone-file lines (default %s)\n"
		"  -p PORT    the server's port (default 53)\n"
		"  -t SECONDS time to wait for each answer (default 3)\n"
		"  -T EPOCH   validate as if the clock said EPOCH (seconds)\n"
		"  +cd        checking disabled: show the answer unvalidated\n"
		"exit status: 0 secure, 1 insecure, 2 bogus, 3 indeterminate or error\n",
		DEFAULT_ANCHOR);
}

static int parse_server(const char *s, unsigned port, struct upstream *u)
{
	memset(&u->addr, 0, sizeof(u->addr));
	struct sockaddr_in *a4 = (struct sockaddr_in *)&u->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&u->addr;
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		u->addr_len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		u->addr_len = sizeof(*a6);
		return 0;
	}
	return -1;
}

static size_t make_query(uint8_t *buf, size_t cap, uint16_t id, const uint8_t *name,
			 uint16_t type)
{
	struct tw_dns_build b;
	if (tw_dns_build_init(&b, buf, cap, cap, id, TW_DNS_F_RD | TW_DNS_F_CD,
			      TW_DNS_OPT_FIXED_LEN) < 0 ||
	    tw_dns_build_question(&b, name, type, 1) < 0 ||
	    tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, 0, TW_EDE_NONE, NULL, 0) < 0)
		return 0;
	return tw_dns_build_finish(&b);
}

/* Does the answer belong to the question? (RFC 5452 §9.1: ID and question) */
static bool matches(const uint8_t *ans, size_t len, uint16_t id, const uint8_t *name,
		    uint16_t type)
{
	struct tw_dns_msg m;
	if (tw_dns_msg_parse_question(&m, ans, len) < 0 || m.id != id ||
	    !(m.flags & TW_DNS_F_QR) || m.qdcount != 1 || m.qtype != type)
		return false;
	uint8_t qn[TW_DNS_NAME_MAXLEN];
	if (tw_dns_name_unpack(ans, len, m.qname, qn, NULL, NULL) < 0)
		return false;
	return tw_dns_name_equal(qn, name);
}

static ssize_t ask_tcp(const struct upstream *u, const uint8_t *query, size_t qlen,
		       uint8_t *ans, size_t cap, uint16_t id, const uint8_t *name, uint16_t type)
{
	int fd = socket(u->addr.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = { .tv_sec = u->timeout_ms / 1000,
			      .tv_usec = (u->timeout_ms % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ssize_t ret = -1;
	uint8_t hdr[2] = { (uint8_t)(qlen >> 8), (uint8_t)qlen };
	if (connect(fd, (const struct sockaddr *)&u->addr, u->addr_len) < 0 ||
	    send(fd, hdr, 2, MSG_MORE) != 2 || send(fd, query, qlen, 0) != (ssize_t)qlen)
		goto out;
	size_t got = 0;
	while (got < 2) {
		ssize_t n = recv(fd, hdr + got, 2 - got, 0);
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	size_t want = (size_t)hdr[0] << 8 | hdr[1];
	if (want > cap)
		goto out;
	got = 0;
	while (got < want) {
		ssize_t n = recv(fd, ans + got, want - got, 0);
		if (n <= 0)
			goto out;
		got += (size_t)n;
	}
	if (matches(ans, want, id, name, type))
		ret = (ssize_t)want;
out:
	close(fd);
	return ret;
}

/* Asks (name, type) over UDP, TCP when truncated. Returns the answer length or -1. */
static ssize_t ask(const struct upstream *u, const uint8_t *name, uint16_t type, uint8_t *ans,
		   size_t cap)
{
	uint8_t query[512];
	uint16_t id;
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)rand();
	size_t qlen = make_query(query, sizeof(query), id, name, type);
	if (!qlen)
		return -1;
	int fd = socket(u->addr.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	ssize_t ret = -1;
	for (int t = 0; t < u->tries && ret < 0; t++) {
		if (sendto(fd, query, qlen, 0, (const struct sockaddr *)&u->addr, u->addr_len) < 0)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		while (poll(&pfd, 1, u->timeout_ms) == 1) {
			ssize_t n = recv(fd, ans, cap, 0);
			if (n < 0)
				break;
			if (!matches(ans, (size_t)n, id, name, type))
				continue; /* stray or spoofed: keep waiting */
			struct tw_dns_msg m;
			tw_dns_msg_parse_question(&m, ans, (size_t)n);
			if (m.flags & TW_DNS_F_TC)
				n = ask_tcp(u, query, qlen, ans, cap, id, name, type);
			ret = n;
			break;
		}
	}
	close(fd);
	return ret;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

static void print_time(uint32_t t, char *out, size_t cap)
{
	time_t tt = t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print_answer(const struct tw_dns_msg *m, const uint32_t *ttls)
{
	static char line[70000];
	static uint8_t rd[65535 + 512];
	for (unsigned i = 0; i < m->rr_count; i++) {
		const struct tw_dns_rr *rr = &m->rr[i];
		if (rr->type == TW_DNS_T_OPT || rr->section == TW_DNS_SEC_AR)
			continue;
		uint8_t owner[TW_DNS_NAME_MAXLEN];
		size_t rdlen;
		if (tw_dns_name_unpack(m->wire, m->len, rr->owner, owner, NULL, NULL) < 0 ||
		    tw_dns_rdata_decompress(rr->type, m->wire, m->len, rr->rdata, rr->rdlen, rd,
					    sizeof(rd), &rdlen) < 0)
			continue;
		if (tw_dns_rr_to_str(owner, rr->type, rr->cls, ttls ? ttls[i] : rr->ttl, rd,
				     (uint16_t)rdlen, line, sizeof(line)) >= 0)
			printf("%s%s\n", rr->section == TW_DNS_SEC_NS ? ";; authority: " : "",
			       line);
	}
}

static void print_chain(const struct tw_val_query *q)
{
	const struct tw_val_zone *chain[64];
	unsigned n = tw_val_query_chain(q, chain, 64);
	if (!n)
		return;
	printf(";; chain of trust:\n");
	for (unsigned i = 0; i < n; i++) {
		const struct tw_val_zone *z = chain[i];
		char nb[TW_DNS_NAME_STRLEN];
		tw_dns_name_to_str(tw_val_zone_name(z), nb, sizeof(nb));
		switch (tw_val_zone_status(z)) {
		case TW_VAL_ZONE_SECURE: {
			printf(";;   %-24s secure  DNSKEY", nb);
			for (unsigned k = 0; k < tw_val_zone_nkeys(z); k++) {
				const struct tw_val_zone_key *zk = tw_val_zone_key(z, k);
				printf(" %u/%u%s%s%s", zk->tag, zk->alg,
				       (zk->flags & 1) ? "/ksk" : "",
				       zk->trusted ? "*" : "", zk->key ? "" : "(unusable)");
			}
			uint32_t inc, exp;
			tw_val_zone_sig_window(z, &inc, &exp);
			char a[32], b[32];
			print_time(inc, a, sizeof(a));
			print_time(exp, b, sizeof(b));
			printf("  signed %s..%s\n", a, b);
			break;
		}
		case TW_VAL_ZONE_INSECURE:
			printf(";;   %-24s insecure  %s\n", nb, tw_val_zone_reason(z));
			break;
		case TW_VAL_ZONE_BOGUS:
			printf(";;   %-24s bogus  %s\n", nb, tw_val_zone_reason(z));
			break;
		case TW_VAL_ZONE_DS:
			printf(";;   %-24s DS set (%u) from the cache\n", nb, tw_val_zone_nds(z));
			break;
		}
	}
	printf(";;   (* = authenticated by the DS set or a trust anchor)\n");
}

int main(int argc, char **argv)
{
	const char *anchor_file = DEFAULT_ANCHOR, *server = NULL, *qname_s = NULL,
		   *qtype_s = "A";
	unsigned port = 53, timeout = 3;
	bool cd = false, type_given = false;
	long long clock_override = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-a") == 0 && i + 1 < argc)
			anchor_file = argv[++i];
		else if (strcmp(a, "-p") == 0 && i + 1 < argc)
			port = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "-t") == 0 && i + 1 < argc)
			timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "-T") == 0 && i + 1 < argc)
			clock_override = strtoll(argv[++i], NULL, 10);
		else if (strcmp(a, "+cd") == 0)
			cd = true;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage();
			return 0;
		} else if (a[0] == '@' && !server)
			server = a + 1;
		else if (a[0] != '-' && a[0] != '+' && !qname_s)
			qname_s = a;
		else if (a[0] != '-' && a[0] != '+' && !type_given) {
			qtype_s = a;
			type_given = true;
		} else {
			fprintf(stderr, "trustwire-check: unexpected argument \"%s\"\n", a);
			usage();
			return 3;
		}
	}
	if (!server || !qname_s || port == 0 || port > 65535 || timeout == 0) {
		usage();
		return 3;
	}
	struct upstream up = { .timeout_ms = (int)timeout * 1000, .tries = 2 };
	if (parse_server(server, port, &up) < 0) {
		fprintf(stderr, "trustwire-check: \"%s\" is not an IPv4 or IPv6 address\n", server);
		return 3;
	}
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	size_t qlen;
	if (tw_dns_name_from_str(qname_s, strlen(qname_s), (const uint8_t *)"", qname, &qlen) <
	    0) {
		fprintf(stderr, "trustwire-check: \"%s\" is not a domain name\n", qname_s);
		return 3;
	}
	uint16_t qtype;
	if (tw_dns_type_from_str(qtype_s, strlen(qtype_s), &qtype) < 0) {
		fprintf(stderr, "trustwire-check: \"%s\" is not a record type\n", qtype_s);
		return 3;
	}

	struct tw_val_conf *conf = tw_val_conf_new();
	size_t alen;
	char *atext = read_file(anchor_file, &alen);
	if (!conf || !atext) {
		fprintf(stderr, "trustwire-check: %s: %s\n", anchor_file, strerror(errno));
		return 3;
	}
	char err[512];
	int rc = tw_val_conf_load_anchors(conf, atext, alen, anchor_file, err, sizeof(err));
	free(atext);
	if (rc < 0) {
		fprintf(stderr, "trustwire-check: %s\n", err);
		tw_val_conf_free(conf);
		return 3;
	}

	struct tw_val_keystore *ks = tw_val_keystore_mem_new(256);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	struct tw_val_query *q = tw_val_query_new(conf, ks, qname, qtype, 1, cd);
	static uint8_t ans[65535];
	int status = 3;
	if (!ks || !v || !q) {
		fprintf(stderr, "trustwire-check: out of memory\n");
		goto out;
	}
	for (;;) {
		uint32_t now = clock_override >= 0 ? (uint32_t)clock_override : (uint32_t)time(NULL);
		enum tw_val_status st = tw_val_query_run(q, now);
		if (st == TW_VAL_DONE)
			break;
		const uint8_t *name;
		uint16_t type;
		while (tw_val_query_next_upstream(q, &name, &type)) {
			ssize_t n = ask(&up, name, type, ans, sizeof(ans));
			tw_val_query_answer_upstream(q, name, type, n < 0 ? NULL : ans,
						     n < 0 ? 0 : (size_t)n);
		}
		tw_val_query_verify_all(q, v);
	}

	const struct tw_val_result *r = tw_val_query_result(q);
	char rb[16];
	const char *rcode = tw_dns_rcode_to_str(r->rcode, rb);
	if (r->ede != TW_EDE_NONE)
		printf("; %s %s (EDE %u: %s)\n", tw_val_verdict_str(r->verdict), rcode, r->ede,
		       r->reason);
	else
		printf("; %s %s\n", tw_val_verdict_str(r->verdict), rcode);
	if (r->ede == TW_EDE_NONE && r->reason[0])
		printf(";; reason: %s\n", r->reason);
	const uint32_t *ttls;
	const struct tw_dns_msg *m = tw_val_query_answer(q, &ttls);
	if (m && r->verdict != TW_VAL_BOGUS)
		print_answer(m, ttls);
	print_chain(q);
	printf(";; %u upstream questions, %u signature verifications (%u failed), %u NSEC3 "
	       "hashes, ttl %u\n",
	       r->stats.upstream, r->stats.verifications, r->stats.failed, r->stats.nsec3_hashes,
	       r->ttl);
	switch (r->verdict) {
	case TW_VAL_SECURE:
		status = 0;
		break;
	case TW_VAL_INSECURE:
	case TW_VAL_UNCHECKED:
		status = 1;
		break;
	case TW_VAL_BOGUS:
		status = 2;
		break;
	case TW_VAL_INDETERMINATE:
		status = 3;
		break;
	}
out:
	tw_val_query_free(q);
	tw_crypto_verifier_free(v);
	tw_val_keystore_mem_free(ks);
	tw_val_conf_free(conf);
	return status;
}
