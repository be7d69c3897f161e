/* Ports: the DPDK ethdev the appliance serves on, set up with one rx and one tx
 * queue per worker, RSS on the UDP 4-tuple when there is more than one. */
#include "dataplane/port.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>

#include "dataplane/net.h"
#include "mgmt/config.h"

#define RX_DESC 1024
#define TX_DESC 1024

int tw_port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp, struct tw_port_info *info,
		  char *err, size_t errcap)
{
	struct rte_eth_dev_info di;
	int rc = rte_eth_dev_info_get(port, &di);
	if (rc != 0) {
		snprintf(err, errcap, "port %u: no device info: %s", port, rte_strerror(-rc));
		return -1;
	}
	if (nq > di.max_rx_queues || nq > di.max_tx_queues) {
		snprintf(err, errcap,
			 "port %u (%s): %u workers need %u rx and tx queues, the device has %u "
			 "and %u (for net_af_packet add qpairs=%u to its --vdev)",
			 port, di.driver_name, nq, nq, di.max_rx_queues, di.max_tx_queues, nq);
		return -1;
	}
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	if (nq > 1) {
		/* RSS on addresses and ports, so that one client's queries stay on one
		 * worker; upstream answers reach their worker by source port range
		 * (dataplane/worker.c) whatever queue they arrive on. */
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & di.flow_type_rss_offloads;
		if (hf) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = hf;
		}
	}
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0) {
		snprintf(err, errcap, "port %u (%s): configure with %u queues: %s", port,
			 di.driver_name, nq, rte_strerror(-rc));
		return -1;
	}
	uint16_t nrx = RX_DESC, ntx = TX_DESC;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (rc != 0) {
		snprintf(err, errcap, "port %u: descriptor counts: %s", port, rte_strerror(-rc));
		return -1;
	}
	int socket = rte_eth_dev_socket_id(port);
	for (uint16_t q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nrx, socket < 0 ? 0 : (unsigned)socket, NULL, mp);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, ntx, socket < 0 ? 0 : (unsigned)socket,
						    NULL);
		if (rc != 0) {
			snprintf(err, errcap, "port %u: queue %u setup: %s", port, q,
				 rte_strerror(-rc));
			return -1;
		}
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0) {
		snprintf(err, errcap, "port %u (%s): start: %s", port, di.driver_name,
			 rte_strerror(-rc));
		return -1;
	}
	/* neighbour solicitations go to solicited-node multicast addresses */
	(void)rte_eth_allmulticast_enable(port);
	struct rte_ether_addr mac;
	rc = rte_eth_macaddr_get(port, &mac);
	if (rc != 0) {
		snprintf(err, errcap, "port %u: no MAC address: %s", port, rte_strerror(-rc));
		return -1;
	}
	memcpy(info->mac, mac.addr_bytes, 6);
	snprintf(info->driver, sizeof(info->driver), "%s", di.driver_name);
	info->queues = nq;
	return 0;
}

void tw_port_netconf(const struct tw_config *cfg, const uint8_t port_mac[6],
		     struct tw_net_if_conf *nc)
{
	tw_net_if_conf_init(nc);
	memcpy(nc->mac, cfg->port.mac_set ? cfg->port.mac : port_mac, 6);
	nc->vlan = cfg->port.vlan;
	if (cfg->port.ip.family == AF_INET) {
		memcpy(nc->ip4, cfg->port.ip.addr, 4);
		nc->ip4_prefix = cfg->port.ip.prefix;
		if (cfg->port.gateway.family == AF_INET)
			memcpy(nc->gw4, cfg->port.gateway.addr, 4);
	}
	if (cfg->port.ip6.family == AF_INET6) {
		nc->ip6 = true;
		memcpy(nc->ip6_global, cfg->port.ip6.addr, 16);
		nc->ip6_prefix = cfg->port.ip6.prefix;
		if (cfg->port.gateway6.family == AF_INET6)
			memcpy(nc->gw6, cfg->port.gateway6.addr, 16);
	}
}

void tw_port_stop(uint16_t port)
{
	(void)rte_eth_dev_stop(port);
	(void)rte_eth_dev_close(port);
}

/* Linux's in6_ifreq (linux/ipv6.h), for SIOCSIFADDR on an AF_INET6 socket. */
struct tw_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static int kernel_addrs(const char *ifname, const uint8_t ip4[4], uint8_t prefix4,
			const uint8_t gw4[4], const uint8_t ip6[16], uint8_t prefix6, char *err,
			size_t errcap)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errcap, "exception port %s: socket: %s", ifname, strerror(errno));
		return -1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int rc = 0;
	const char *step = "";
	if (ip4 && prefix4) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ifr.ifr_addr;
		a->sin_family = AF_INET;
		memcpy(&a->sin_addr, ip4, 4);
		step = "IPv4 address";
		rc = ioctl(fd, SIOCSIFADDR, &ifr);
		if (rc == 0) {
			uint32_t mask = prefix4 >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> prefix4);
			a->sin_addr.s_addr = htonl(mask);
			step = "IPv4 netmask";
			rc = ioctl(fd, SIOCSIFNETMASK, &ifr);
		}
	}
	if (rc == 0) {
		step = "flags";
		rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
		if (rc == 0) {
			ifr.ifr_flags |= IFF_UP;
			step = "up";
			rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
		}
	}
	if (rc == 0 && ip4 && prefix4 && gw4 && (gw4[0] | gw4[1] | gw4[2] | gw4[3])) {
		/* the kernel's default route: the port's gateway */
		struct rtentry rt;
		memset(&rt, 0, sizeof(rt));
		struct sockaddr_in *d = (struct sockaddr_in *)&rt.rt_dst;
		struct sockaddr_in *g = (struct sockaddr_in *)&rt.rt_gateway;
		struct sockaddr_in *m = (struct sockaddr_in *)&rt.rt_genmask;
		d->sin_family = g->sin_family = m->sin_family = AF_INET;
		memcpy(&g->sin_addr, gw4, 4);
		rt.rt_flags = RTF_UP | RTF_GATEWAY;
		rt.rt_dev = (char *)(uintptr_t)ifname;
		step = "IPv4 default route";
		rc = ioctl(fd, SIOCADDRT, &rt);
		if (rc != 0 && errno == EEXIST)
			rc = 0; /* the host has one already: keep it */
	}
	if (rc == 0 && ip6 && prefix6) {
		int fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct tw_in6_ifreq r6;
		memset(&r6, 0, sizeof(r6));
		memcpy(&r6.addr, ip6, 16);
		r6.prefixlen = prefix6;
		r6.ifindex = (int)if_nametoindex(ifname);
		step = "IPv6 address";
		rc = fd6 < 0 ? -1 : ioctl(fd6, SIOCSIFADDR, &r6);
		if (fd6 >= 0)
			close(fd6);
	}
	if (rc != 0)
		snprintf(err, errcap, "exception port %s: %s: %s", ifname, step, strerror(errno));
	close(fd);
	return rc;
}

int tw_tap_setup(const char *ifname, const uint8_t mac[6], uint16_t ntx, struct rte_mempool *mp,
		 const uint8_t ip4[4], uint8_t prefix4, const uint8_t gw4[4], const uint8_t ip6[16],
		 uint8_t prefix6, uint16_t *port, char *err, size_t errcap)
{
	char args[192], name[64];
	snprintf(name, sizeof(name), "net_tap_%s", ifname);
	snprintf(args, sizeof(args), "%s,iface=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x", name, ifname,
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	int rc = rte_dev_probe(args);
	if (rc != 0) {
		snprintf(err, errcap, "exception port: probing %s: %s", args, rte_strerror(-rc));
		return -1;
	}
	if (rte_eth_dev_get_port_by_name(name, port) != 0) {
		snprintf(err, errcap, "exception port: %s made no port", name);
		return -1;
	}
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	/* net_tap wants as many rx queues as tx queues: one pair per worker */
	rc = rte_eth_dev_configure(*port, ntx, ntx, &conf);
	for (uint16_t q = 0; rc == 0 && q < ntx; q++)
		rc = rte_eth_rx_queue_setup(*port, q, 512, 0, NULL, mp);
	for (uint16_t q = 0; rc == 0 && q < ntx; q++)
		rc = rte_eth_tx_queue_setup(*port, q, 512, 0, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(*port);
	if (rc != 0) {
		snprintf(err, errcap, "exception port %s: setup: %s", ifname, rte_strerror(-rc));
		return -1;
	}
	return kernel_addrs(ifname, ip4, prefix4, gw4, ip6, prefix6, err, errcap);
}
