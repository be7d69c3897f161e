/* validator_bench: validated answers per second per core through the whole
 * validation engine (crypto/validator.h) with a warm key store, beside the bare
 * signature work of the same answers (tw_crypto_verify on the same keys, signed
 * data and signatures) measured in the same run. ratio = engine / bare: 1.0
 * means validation costs nothing beyond its signatures.
 *
 * The answers are signed in process (tests/lib/tsign.h): three leaf zones with
 * the algorithms that sign most of the DNS (RSASHA256 2048-bit, ECDSAP256SHA256,
 * ED25519) under a root and a TLD; per zone a positive answer (one RRSIG) and an
 * NSEC3 NXDOMAIN (SOA and three NSEC3 RRSIGs), mixed 4:1.
 *
 * Usage: validator_bench [--seconds N] [--json]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/validator.h"
#include "crypto/verify.h"
#include "dns/msg.h"
#include "dns/name.h"
#include "dns/rrtype.h"
#include "tests/lib/tsign.h"

#define DAY 86400u
#define MAX_ANS 16

struct answer {
	const char *label;
	uint8_t qname[TW_DNS_NAME_MAXLEN];
	uint16_t qtype;
	struct ts_msg *m;
	const uint8_t *wire;
	size_t len;
	enum tw_val_verdict want;
	/* the bare signature work of the answer */
	struct tw_crypto_job jobs[8];
	unsigned njobs;
};

static struct answer answers[MAX_ANS];
static unsigned nanswers;
static uint32_t now;

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "validator_bench: %s\n", what);
	exit(1);
}

static struct ts_zone *zone(const char *origin, uint8_t alg, unsigned bits, const char **lines,
			    size_t n, struct ts_key **ksk_out)
{
	struct ts_zone *z = ts_zone_new(origin);
	if (!z)
		die("zone");
	for (size_t i = 0; i < n; i++)
		if (ts_zone_add(z, lines[i]) < 0)
			die(lines[i]);
	struct ts_key *k = bits ? ts_key_new_bits(alg, 257, bits) : ts_key_new(alg, 257);
	struct ts_key *zk = bits ? ts_key_new_bits(alg, 256, bits) : ts_key_new(alg, 256);
	if (!k || !zk)
		die("key");
	ts_zone_add_key(z, k, true, false);
	ts_zone_add_key(z, zk, false, true);
	*ksk_out = k;
	return z;
}

struct farm_entry {
	uint8_t name[TW_DNS_NAME_MAXLEN];
	uint16_t type;
	struct ts_msg *m;
};
static struct farm_entry farm[64];
static unsigned nfarm;

static void put(const char *name, uint16_t type, struct ts_msg *m)
{
	if (ts_name(name, farm[nfarm].name) <= 0)
		die(name);
	farm[nfarm].type = type;
	farm[nfarm++].m = m;
}

static struct ts_msg *positive(struct ts_zone *z, const char *owner, uint16_t type)
{
	struct ts_msg *m = ts_msg_new(owner, type, 0);
	if (!m || ts_msg_add_rrset(m, TW_DNS_SEC_AN, z, owner, type) < 0)
		die(owner);
	return m;
}

static const uint8_t *farm_find(const uint8_t *name, uint16_t type, size_t *len)
{
	for (unsigned i = 0; i < nfarm; i++)
		if (farm[i].type == type && tw_dns_name_equal(farm[i].name, name))
			return ts_msg_wire(farm[i].m, len);
	return NULL;
}

/* Runs one query to the end; when capture, keeps copies of its jobs. */
static enum tw_val_verdict run_one(const struct tw_val_conf *conf, struct tw_val_keystore *ks,
				   struct tw_crypto_verifier *v, struct answer *a, bool capture)
{
	struct tw_val_query *q = tw_val_query_new(conf, ks, a->qname, a->qtype, 1, false);
	if (!q)
		die("out of memory");
	enum tw_val_status st;
	while ((st = tw_val_query_run(q, now)) != TW_VAL_DONE) {
		const uint8_t *name;
		uint16_t type;
		while (tw_val_query_next_upstream(q, &name, &type)) {
			size_t len = 0;
			const uint8_t *w = tw_dns_name_equal(name, a->qname) && type == a->qtype
						   ? a->wire
						   : farm_find(name, type, &len);
			if (w == a->wire)
				len = a->len;
			tw_val_query_answer_upstream(q, name, type, w, len);
		}
		if (!capture) {
			tw_val_query_verify_all(q, v);
			continue;
		}
		struct tw_crypto_job jobs[32];
		unsigned n;
		while ((n = tw_val_query_jobs(q, jobs, 32)) > 0) {
			for (unsigned i = 0; i < n; i++) {
				if (a->njobs < 8) {
					struct tw_crypto_job *c = &a->jobs[a->njobs++];
					*c = jobs[i];
					uint8_t *d = malloc(jobs[i].data_len), *s = malloc(jobs[i].sig_len);
					if (!d || !s)
						die("out of memory");
					memcpy(d, jobs[i].data, jobs[i].data_len);
					memcpy(s, jobs[i].sig, jobs[i].sig_len);
					c->data = d;
					c->sig = s;
				}
				tw_val_query_job_done(q, jobs[i].cookie,
						      tw_crypto_verify(v, jobs[i].key, jobs[i].data,
								       jobs[i].data_len, jobs[i].sig,
								       jobs[i].sig_len));
			}
		}
	}
	enum tw_val_verdict verdict = tw_val_query_result(q)->verdict;
	if (verdict != a->want) {
		fprintf(stderr, "validator_bench: %s: %s (%s)\n", a->label,
			tw_val_verdict_str(verdict), tw_val_query_result(q)->reason);
		exit(1);
	}
	tw_val_query_free(q);
	return verdict;
}

static void add_answer(const char *label, const char *qname, uint16_t qtype, struct ts_msg *m)
{
	struct answer *a = &answers[nanswers++];
	a->label = label;
	ts_name(qname, a->qname);
	a->qtype = qtype;
	a->m = m;
	a->wire = ts_msg_wire(m, &a->len);
	a->want = TW_VAL_SECURE;
}

int main(int argc, char **argv)
{
	double seconds = 10;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else {
			fprintf(stderr, "usage: validator_bench [--seconds N] [--json]\n");
			return 2;
		}
	}
	now = (uint32_t)time(NULL);
	uint32_t inc = now - DAY, exp = now + 30 * DAY;

	/* three leaves, a TLD, the root */
	static const struct {
		const char *origin, *label;
		uint8_t alg;
		unsigned bits;
	} leaves[] = {
		{ "rsa.test.", "RSASHA256-2048", 8, 2048 },
		{ "ec.test.", "ECDSAP256SHA256", 13, 0 },
		{ "ed.test.", "ED25519", 15, 0 },
	};
	struct ts_zone *leaf[3];
	struct ts_key *lksk[3], *tksk, *rksk;
	const char *tld_lines[16];
	unsigned ntl = 0;
	tld_lines[ntl++] = "@ 3600 IN SOA ns.test. admin.test. 1 3600 900 604800 300";
	tld_lines[ntl++] = "@ 3600 IN NS ns.test.";
	tld_lines[ntl++] = "ns 3600 IN A 192.0.2.10";
	tld_lines[ntl++] = "rsa 3600 IN NS ns.rsa.test.";
	tld_lines[ntl++] = "ec 3600 IN NS ns.ec.test.";
	tld_lines[ntl++] = "ed 3600 IN NS ns.ed.test.";
	for (int i = 0; i < 3; i++) {
		const char *lines[] = {
			"@ 3600 IN SOA ns admin 1 3600 900 604800 300",
			"@ 3600 IN NS ns",
			"ns 3600 IN A 192.0.2.53",
			"www 3600 IN A 192.0.2.1",
			"mail 3600 IN A 192.0.2.2",
		};
		leaf[i] = zone(leaves[i].origin, leaves[i].alg, leaves[i].bits, lines, 5, &lksk[i]);
		if (ts_zone_nsec3(leaf[i], 0, "-", false) < 0 || ts_zone_sign(leaf[i], inc, exp) < 0)
			die("sign");
	}
	struct ts_zone *tld = zone("test.", 13, 0, tld_lines, ntl, &tksk);
	for (int i = 0; i < 3; i++)
		ts_zone_add_ds(tld, leaves[i].origin, lksk[i], 2);
	const char *root_lines[] = {
		". 86400 IN SOA a.root. admin.root. 1 1800 900 604800 86400",
		". 86400 IN NS a.root.",
		"a.root. 86400 IN A 192.0.2.100",
		"test. 86400 IN NS ns.test.",
	};
	struct ts_zone *root = zone(".", 13, 0, root_lines, 4, &rksk);
	ts_zone_add_ds(root, "test.", tksk, 2);
	if (ts_zone_nsec(tld) < 0 || ts_zone_nsec(root) < 0 || ts_zone_sign(tld, inc, exp) < 0 ||
	    ts_zone_sign(root, inc, exp) < 0)
		die("sign");

	put(".", TW_DNS_T_DNSKEY, positive(root, ".", TW_DNS_T_DNSKEY));
	put("test.", TW_DNS_T_DS, positive(root, "test.", TW_DNS_T_DS));
	put("test.", TW_DNS_T_DNSKEY, positive(tld, "test.", TW_DNS_T_DNSKEY));
	static char names[3][2][64];
	for (int i = 0; i < 3; i++) {
		put(leaves[i].origin, TW_DNS_T_DS, positive(tld, leaves[i].origin, TW_DNS_T_DS));
		put(leaves[i].origin, TW_DNS_T_DNSKEY,
		    positive(leaf[i], leaves[i].origin, TW_DNS_T_DNSKEY));
		snprintf(names[i][0], 64, "www.%s", leaves[i].origin);
		snprintf(names[i][1], 64, "nope.%s", leaves[i].origin);
		/* 4 positive answers : 1 NXDOMAIN */
		for (int k = 0; k < 4; k++)
			add_answer(leaves[i].label, names[i][0], TW_DNS_T_A,
				   positive(leaf[i], names[i][0], TW_DNS_T_A));
		struct ts_msg *nx = ts_msg_new(names[i][1], TW_DNS_T_A, TW_DNS_R_NXDOMAIN);
		char wc[80];
		snprintf(wc, sizeof(wc), "*.%s", leaves[i].origin);
		if (!nx || ts_msg_add_rrset(nx, TW_DNS_SEC_NS, leaf[i], leaves[i].origin, TW_DNS_T_SOA) < 0 ||
		    ts_msg_add_nsec_matching(nx, leaf[i], leaves[i].origin) < 0 ||
		    ts_msg_add_nsec_covering(nx, leaf[i], names[i][1]) < 0 ||
		    ts_msg_add_nsec_covering(nx, leaf[i], wc) < 0)
			die("nxdomain");
		add_answer(leaves[i].label, names[i][1], TW_DNS_T_A, nx);
	}

	struct tw_val_conf *conf = tw_val_conf_new();
	uint8_t rootn[1] = { 0 }, ds[128];
	int dl = ts_key_ds(rksk, rootn, 2, ds, sizeof(ds));
	if (!conf || dl <= 0 ||
	    tw_val_conf_add_anchor(conf, rootn, TW_DNS_T_DS, ds, (uint16_t)dl) < 0)
		die("anchor");
	struct tw_val_keystore *ks = tw_val_keystore_mem_new(64);
	struct tw_crypto_verifier *v = tw_crypto_verifier_new();
	if (!ks || !v)
		die("out of memory");
	/* warm the key store, then capture each answer's own signature work */
	for (unsigned i = 0; i < nanswers; i++)
		run_one(conf, ks, v, &answers[i], false);
	unsigned total_jobs = 0;
	for (unsigned i = 0; i < nanswers; i++) {
		run_one(conf, ks, v, &answers[i], true);
		total_jobs += answers[i].njobs;
	}

	/* alternate slices of engine and bare work so that both see the same machine */
	double t_engine = 0, t_bare = 0;
	uint64_t n_engine = 0, n_bare = 0;
	double end = seconds_now() + seconds;
	while (seconds_now() < end) {
		double t0 = seconds_now();
		for (int rep = 0; rep < 20; rep++)
			for (unsigned i = 0; i < nanswers; i++)
				run_one(conf, ks, v, &answers[i], false);
		double t1 = seconds_now();
		for (int rep = 0; rep < 20; rep++)
			for (unsigned i = 0; i < nanswers; i++)
				for (unsigned j = 0; j < answers[i].njobs; j++) {
					const struct tw_crypto_job *jb = &answers[i].jobs[j];
					if (tw_crypto_verify(v, jb->key, jb->data, jb->data_len, jb->sig,
							     jb->sig_len) != TW_CRYPTO_VALID)
						die("bare verification failed");
				}
		double t2 = seconds_now();
		t_engine += t1 - t0;
		t_bare += t2 - t1;
		n_engine += 20u * nanswers;
		n_bare += 20u * nanswers;
	}
	double engine = (double)n_engine / t_engine, bare = (double)n_bare / t_bare;
	char case_name[128];
	snprintf(case_name, sizeof(case_name),
		 "mix rsa2048/p256/ed25519, 4 positive : 1 nsec3 nxdomain, %.2f sigs/answer",
		 (double)total_jobs / nanswers);
	if (json)
		printf("{\"bench\":\"validator\",\"case\":\"%s\",\"value\":%.1f,\"unit\":\"answers/s\","
		       "\"peer\":\"bare-verify\",\"peer_value\":%.1f,\"ratio\":%.3f}\n",
		       case_name, engine, bare, engine / bare);
	else
		printf("%-72s %12s %12s %7s\n%-72s %12.0f %12.0f %7.3f\n", "case",
		       "engine/s", "bare/s", "ratio", case_name, engine, bare, engine / bare);

	for (unsigned i = 0; i < nanswers; i++)
		for (unsigned j = 0; j < answers[i].njobs; j++) {
			free((void *)answers[i].jobs[j].data);
			free((void *)answers[i].jobs[j].sig);
		}
	tw_crypto_verifier_free(v);
	tw_val_keystore_mem_free(ks);
	tw_val_conf_free(conf);
	for (unsigned i = 0; i < nfarm; i++)
		ts_msg_free(farm[i].m);
	for (unsigned i = 0; i < nanswers; i++)
		ts_msg_free(answers[i].m);
	ts_zone_free(root);
	ts_zone_free(tld);
	for (int i = 0; i < 3; i++)
		ts_zone_free(leaf[i]);
	return 0;
}
