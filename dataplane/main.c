/* trustwired: the appliance. DPDK EAL, one port with a queue pair per worker
 * lcore, the shared cache, the validation engine's configuration with its trust
 * anchors, and the worker loops; the main lcore waits for signals: SIGUSR1
 * prints the counters, SIGINT/SIGTERM stop the workers (clients still waiting
 * get SERVFAIL), and the counters are printed once more at exit.
 *
 *   trustwired [EAL arguments] -- [--config FILE] [overrides]   (--help) */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <rte_cryptodev.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "cache/cache.h"
#include "crypto/pipeline.h"
#include "crypto/validator.h"
#include "dataplane/crypto_backend.h"
#include "dataplane/port.h"
#include "dataplane/slowpath.h"
#include "dataplane/worker.h"
#include "dns/error.h"
#include "dns/name.h"
#include "mgmt/anchors.h"
#include "mgmt/config.h"

/* The kernel interface of the exception port. */
#define TAP_IFNAME "tw-exc0"

static volatile sig_atomic_t got_stop, got_usr1;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "trustwired: %s\n", what);
	rte_eal_cleanup();
	exit(1);
}

int main(int argc, char **argv)
{
	char err[512];
	int used = rte_eal_init(argc, argv);
	if (used < 0) {
		fprintf(stderr, "trustwired: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	argc -= used;
	argv += used;

	struct tw_config cfg;
	if (tw_config_init(&cfg) != 0)
		die("out of memory");
	int rc = tw_config_parse_args(&cfg, argc, argv, err, sizeof(err));
	if (rc == TW_CONFIG_HELP) {
		tw_config_usage(stdout);
		tw_config_fini(&cfg);
		rte_eal_cleanup();
		return 0;
	}
	if (rc != 0 || tw_config_validate(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "trustwired: %s\n", err);
		tw_config_fini(&cfg);
		rte_eal_cleanup();
		return 2;
	}

	/* the validation engine: anchors from the configured files */
	struct tw_val_conf *vc = tw_val_conf_new();
	if (!vc)
		die("out of memory");
	int na = tw_anchors_load_all(vc, (const char *const *)cfg.trust_anchors,
				     cfg.ntrust_anchors, (uint32_t)time(NULL), err, sizeof(err));
	if (na < 0)
		die(err);
	for (unsigned i = 0; i < cfg.nntas; i++)
		if (tw_val_conf_add_nta(vc, cfg.ntas[i], UINT32_MAX) != 0)
			die("out of memory for the negative trust anchors");
	struct tw_val_limits *lim = tw_val_conf_limits(vc);
	lim->max_ttl = cfg.cache.max_ttl;
	lim->bogus_ttl = cfg.cache.bogus_ttl;

	/* the cache */
	struct tw_cache_conf cc = cfg.cache;
	cc.max_threads = RTE_MAX_LCORE < 64 ? RTE_MAX_LCORE : 64;
	struct tw_cache *cache = tw_cache_new(&cc, err, sizeof(err));
	if (!cache)
		die(err);

	/* workers: every lcore but the main one, less the last crypto_lcores ones
	 * when crypto: ring (those run the crypto service) */
	static struct tw_dp_shared sh;
	unsigned nall = 0, nw, ncrypto = 0;
	unsigned all[RTE_MAX_LCORE], *lcores = all;
	unsigned lc;
	RTE_LCORE_FOREACH_WORKER(lc) {
		all[nall++] = lc;
	}
	if (cfg.workers.crypto == TW_CONFIG_CRYPTO_RING)
		ncrypto = cfg.workers.crypto_lcores;
	if (nall <= ncrypto) {
		char why[256];
		snprintf(why, sizeof(why),
			 "no worker lcore: give EAL at least %u lcores (e.g. -l 0-%u): the first is "
			 "the main lcore, %sthe others run workers",
			 ncrypto + 2, ncrypto + 1,
			 ncrypto ? "the last workers.crypto_lcores run the crypto service, " : "");
		die(why);
	}
	nw = nall - ncrypto < TW_WORKER_MAX ? nall - ncrypto : TW_WORKER_MAX;
	const unsigned *crypto_lcores = all + nall - ncrypto;
	if (rte_eth_dev_count_avail() == 0)
		die("no DPDK port: bind a NIC to vfio-pci, or add a virtual device, e.g. "
		    "--no-pci --vdev=net_af_packet0,iface=veth0");
	sh.port = 0;
	sh.nworkers = nw;
	sh.cache = cache;
	sh.vconf = vc;
	/* every client waiting holds its query's mbuf until its answer goes out */
	unsigned nmbuf = 8192u + nw * (cfg.limits.pending * 6u + 4096u);
	sh.mp = rte_pktmbuf_pool_create("tw_mbufs", nmbuf, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	if (!sh.mp)
		die("no memory for the mbuf pool (hugepages reserved? else --no-huge -m 512)");
	struct tw_port_info pi;
	if (tw_port_setup(sh.port, (uint16_t)nw, sh.mp, &pi, err, sizeof(err)) != 0)
		die(err);

	/* addressing, service, farm, limits and clock */
	tw_dp_shared_config(&sh, &cfg, pi.mac);

	/* the exception port: the kernel gets TCP (clients' and the slow path's own),
	 * fragments and other traffic, with the appliance's addresses */
	sh.tap_port = -1;
	if (cfg.tcp_enabled || cfg.exception == TW_CONFIG_EXCEPTION_TAP) {
		uint16_t tp;
		if (tw_tap_setup(TAP_IFNAME, sh.netconf.mac, (uint16_t)nw, sh.mp,
				 cfg.port.ip.family ? cfg.port.ip.addr : NULL, cfg.port.ip.prefix,
				 cfg.port.gateway.family ? cfg.port.gateway.addr : NULL,
				 cfg.port.ip6.family ? cfg.port.ip6.addr : NULL, cfg.port.ip6.prefix,
				 &tp, err, sizeof(err)) != 0)
			die(err);
		sh.tap_port = tp;
	}
	/* the slow path: TCP to the farm for truncated answers and TCP clients,
	 * kernel sockets */
	if (cfg.tcp_enabled) {
		struct tw_slowpath_upstream su[TW_UPSTREAM_MAX];
		for (unsigned i = 0; i < sh.nupstreams; i++) {
			su[i].family = sh.upstream[i].family;
			memcpy(su[i].addr, sh.upstream[i].addr, 16);
			su[i].port = sh.upstream[i].port;
		}
		sh.slow = tw_slowpath_new(nw, su, sh.nupstreams, 128, 2000, err, sizeof(err));
		if (!sh.slow)
			die(err);
		for (unsigned i = 0; i < sh.nlisten; i++)
			if (tw_slowpath_listen(sh.slow, sh.listen[i].family, sh.listen[i].addr,
					       sh.listen[i].port, err, sizeof(err)) != 0)
				die(err);
		if (tw_slowpath_start(sh.slow, err, sizeof(err)) != 0)
			die(err);
	}
	/* the workers' crypto pipelines, on the configured back-end */
	struct tw_crypto_pipe_conf pc = { .kind = TW_CRYPTO_BACKEND_INLINE, .depth = 4096 };
	struct tw_crypto_ring_service *svc = NULL;
	struct tw_crypto_cryptodev *cdev = NULL;
	if (cfg.workers.crypto == TW_CONFIG_CRYPTO_RING) {
		svc = tw_crypto_ring_service_new(nw, ncrypto, (int)rte_socket_id());
		if (!svc)
			die("out of memory for the crypto ring service");
		pc.kind = TW_CRYPTO_BACKEND_RING;
		pc.ring = svc;
		for (unsigned i = 0; i < ncrypto; i++)
			if (rte_eal_remote_launch(tw_crypto_ring_service_lcore, svc,
						  crypto_lcores[i]) != 0)
				die("could not launch a crypto lcore");
	} else if (cfg.workers.crypto == TW_CONFIG_CRYPTO_CRYPTODEV) {
		if (rte_cryptodev_count() == 0)
			die("crypto: cryptodev, but EAL has no crypto device: bind one, or add a "
			    "virtual one, e.g. --vdev crypto_openssl0");
		struct tw_crypto_cryptodev_conf dc = {
			.dev_id = 0,
			.nb_qps = (uint16_t)nw,
			.socket = (int)rte_socket_id(),
		};
		cdev = tw_crypto_cryptodev_new(&dc);
		if (!cdev)
			die("crypto: cryptodev: the first crypto device refused the configuration "
			    "(see the log above)");
		pc.kind = TW_CRYPTO_BACKEND_CRYPTODEV;
		pc.cryptodev = cdev;
	}
	for (unsigned i = 0; i < nw; i++) {
		pc.qp = (uint16_t)i;
		struct tw_crypto_pipe *pipe = tw_crypto_pipe_create(&pc);
		if (!pipe || tw_crypto_pipe_set_memo(pipe, cfg.workers.verify_memo, pc.depth) != 0)
			die("out of memory for a crypto pipeline");
		sh.workers[i] = tw_worker_new(&sh, i, pipe, err, sizeof(err));
		if (!sh.workers[i])
			die(err);
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	for (unsigned i = 0; i < nw; i++)
		if (rte_eal_remote_launch(tw_worker_main, sh.workers[i], lcores[i]) != 0)
			die("could not launch a worker lcore");
	char on[48] = "";
	if (ncrypto)
		snprintf(on, sizeof(on), " on %u crypto lcore(s)", ncrypto);
	printf("trustwired: serving on port %u (%s, %02x:%02x:%02x:%02x:%02x:%02x), %u worker(s), "
	       "crypto %s%s, %u upstream(s), %d trust anchor(s), cache %llu MiB\n",
	       sh.port, pi.driver, pi.mac[0], pi.mac[1], pi.mac[2], pi.mac[3], pi.mac[4], pi.mac[5],
	       nw, tw_config_crypto_str(cfg.workers.crypto), on,
	       sh.nupstreams, na, (unsigned long long)(cc.mem_limit >> 20));
	fflush(stdout);

	while (!got_stop) {
		usleep(50 * 1000);
		if (got_usr1) {
			got_usr1 = 0;
			tw_worker_print_stats(&sh, stdout);
			fflush(stdout);
		}
	}
	__atomic_store_n(&sh.stop, true, __ATOMIC_RELAXED);
	/* the workers first: they drain their pipelines, which the crypto lcores
	 * serve until told to stop */
	for (unsigned i = 0; i < nw; i++)
		rte_eal_wait_lcore(lcores[i]);
	if (svc)
		tw_crypto_ring_service_stop(svc);
	rte_eal_mp_wait_lcore();
	tw_slowpath_stop(sh.slow);
	tw_worker_print_stats(&sh, stdout);
	printf("trustwired: stopped\n");
	fflush(stdout);

	tw_port_stop(sh.port);
	if (sh.tap_port >= 0)
		tw_port_stop((uint16_t)sh.tap_port);
	for (unsigned i = 0; i < nw; i++)
		tw_worker_free(sh.workers[i]);
	tw_crypto_ring_service_free(svc);
	tw_crypto_cryptodev_free(cdev);
	tw_slowpath_free(sh.slow);
	tw_cache_free(cache);
	tw_val_conf_free(vc);
	tw_config_fini(&cfg);
	rte_mempool_free(sh.mp);
	rte_eal_cleanup();
	return 0;
}
