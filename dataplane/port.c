/* Ports: the DPDK ethdev the appliance serves on, set up with one rx and one tx
 * queue per worker, RSS on the UDP 4-tuple when there is more than one. */
#include "dataplane/port.h"

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

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

void tw_port_stop(uint16_t port)
{
	(void)rte_eth_dev_stop(port);
	(void)rte_eth_dev_close(port);
}
