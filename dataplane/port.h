/* The DPDK port trustwired serves on: configured with one rx and one tx queue per
 * worker (RSS over them), started, its MAC address read. Setup time only. */
#ifndef TW_DATAPLANE_PORT_H
#define TW_DATAPLANE_PORT_H

#include <stddef.h>
#include <stdint.h>

struct rte_mempool;
struct tw_config;
struct tw_net_if_conf;

struct tw_port_info {
	uint8_t mac[6];
	char driver[32];
	uint16_t queues;
};

/* Configures port with nq rx/tx queue pairs drawing mbufs from mp, starts it and
 * fills info. Returns 0, or -1 with err saying which step failed and why. */
int tw_port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp, struct tw_port_info *info,
		  char *err, size_t errcap);

/* The port's addressing for dataplane/net.c from the configuration: its MAC
 * (port_mac unless the configuration sets one), VLAN, IPv4 and IPv6 addresses,
 * prefixes and gateways. */
void tw_port_netconf(const struct tw_config *cfg, const uint8_t port_mac[6],
		     struct tw_net_if_conf *nc);

/* Stops and closes the port. */
void tw_port_stop(uint16_t port);

/* The exception port: a TAP device (DPDK's net_tap) named ifname with the
 * service port's MAC and ntx queue pairs (one per worker: the kernel spreads
 * what it sends over them), so that the kernel sees what the workers do not handle (TCP, IPv4
 * fragments, other protocols) and can answer through the DPDK port. Also gives
 * the kernel interface the appliance's addresses (ip4/prefix, ip6/prefix; zero
 * family: none), the IPv4 gateway as its default route (gw4 NULL or zero: none),
 * and brings it up. *port: its DPDK port id. Returns 0 or -1 with
 * err. Setup time. */
int tw_tap_setup(const char *ifname, const uint8_t mac[6], uint16_t ntx, struct rte_mempool *mp,
		 const uint8_t ip4[4], uint8_t prefix4, const uint8_t gw4[4], const uint8_t ip6[16],
		 uint8_t prefix6, uint16_t *port, char *err, size_t errcap);

#endif
