/* The DPDK port trustwired serves on: configured with one rx and one tx queue per
 * worker (RSS over them), started, its MAC address read. Setup time only. */
#ifndef TW_DATAPLANE_PORT_H
#define TW_DATAPLANE_PORT_H

#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

struct tw_port_info {
	uint8_t mac[6];
	char driver[32];
	uint16_t queues;
};

/* Configures port with nq rx/tx queue pairs drawing mbufs from mp, starts it and
 * fills info. Returns 0, or -1 with err saying which step failed and why. */
int tw_port_setup(uint16_t port, uint16_t nq, struct rte_mempool *mp, struct tw_port_info *info,
		  char *err, size_t errcap);

/* Stops and closes the port. */
void tw_port_stop(uint16_t port);

#endif
