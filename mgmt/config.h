/* The trustwired configuration: a YAML file (libyaml), command-line overrides
 * after DPDK's "--", checks across keys, and a dump that loads back.
 *
 *   trustwired [EAL args] -- [--config FILE] [overrides]
 *
 * Everything has a default, so a first run or a test needs no file at all: the
 * command line can carry the keys that have no useful default (the port's
 * address, the upstreams). The order is fixed: tw_config_init(), then
 * tw_config_parse_args() (which loads --config first, wherever it appears, then
 * applies the overrides in the order given), then tw_config_validate(), which
 * says what is still missing or contradictory.
 *
 * The file (every key optional; the values shown are the defaults, except where
 * a comment says "no default"):
 *
 *   listen:                  # service addresses clients send to, at most 16;
 *     - 198.18.0.1           #   ADDR, ADDR:PORT, [ADDR6]:PORT, or a mapping
 *     - "[2001:db8::1]:53"   #   {address: ADDR, port: N}; port 53 if not given.
 *                            #   Default: empty = the port's own addresses on
 *                            #   port 53 (tw_config_listen)
 *   port:                    # the appliance's own addressing on its DPDK port
 *     ip: 198.18.0.1/24      # IPv4/prefix (no default; ip or ip6 required)
 *     gateway: 198.18.0.254  # IPv4 next hop, inside ip's prefix (no default)
 *     ip6: 2001:db8::1/64    # IPv6/prefix (no default)
 *     gateway6: fe80::1      # inside ip6's prefix, or link-local (no default)
 *     vlan: 0                # 802.1Q VLAN id 1..4094; 0: untagged
 *     mac: auto              # or aa:bb:cc:dd:ee:ff to override the port's own
 *   upstreams:               # the resolver farm, 1..16 (no default); port 53
 *     - 198.18.1.1           #   if not given; same forms as listen
 *     - address: 198.18.1.2
 *       port: 5353
 *   trust_anchors:           # files (mgmt/anchors.h): zone-file DS/DNSKEY lines
 *     - /usr/share/dns/root.ds  # or IANA root-anchors.xml, at most 8
 *   negative_trust_anchors:  # RFC 7646 names, at most 64; they last until
 *     - example.com          #   trustwired restarts (default: none)
 *   cache:
 *     memory: 256M           # bytes, or with a K, M or G suffix (x1024); >= 1M
 *     max_ttl: 86400         # 1..2147483647 (RFC 2181 §8)
 *     min_ttl: 0             # 0..86400, at most max_ttl
 *     bogus_ttl: 60          # 1..86400
 *     aggressive: true       # RFC 8198 synthesis from NSEC/NSEC3 ranges
 *     nsec3_max_iterations: 100  # 0..2500 (RFC 9276 §3.2)
 *   workers:
 *     crypto: inline         # inline | ring | cryptodev
 *     crypto_lcores: 0       # 0..64: lcores for "ring" (needs >= 1); else ignored
 *     verify_memo: 8192      # 0..1048576 verification results kept per worker
 *                            #   (crypto/pipeline.h tw_crypto_pipe_set_memo; 0: off)
 *   limits:
 *     pending: 4096          # outstanding upstream questions per worker, 16..1048576
 *     timeout_ms: 800        # per upstream try, 10..60000
 *     retries: 2             # further tries after a timeout, 0..10
 *     waiters: 64            # clients coalesced on one question, 1..1024
 *   exception: drop          # drop | tap: fragments, TCP, other traffic
 *   tcp:
 *     enabled: true          # the kernel-socket slow path (TCP, truncated answers)
 *   log:
 *     level: info            # error | warning | notice | info | debug
 *   stats:
 *     interval: 0            # seconds between counter dumps, 0..86400
 *                            #   (0: only on SIGUSR1 and at exit)
 *
 * Rules. Unknown keys, duplicate keys, a mapping or a list where a single value
 * belongs, numbers out of range and malformed addresses are errors, each as
 * "FILE:LINE: KEY: "VALUE" reason", for example
 *   trustwired.yaml:14: upstreams[1].port: "99999" is not a port (1..65535)
 * (list indexes count from 0). A single value where a list belongs is a list of
 * one; an empty value or [] is an empty list. Numbers may be quoted. Booleans are
 * true/false (yes/no and on/off are accepted too). An empty file gives the
 * defaults. A file is a single YAML document of at most 1 MiB.
 *
 * Listen addresses need not be the port's own addresses: an ISP routes service
 * addresses (anycast or VIPs) to the appliance through its gateway, so any
 * unicast address is accepted. Only the family matters: an IPv4 listen address
 * or upstream needs port.ip, an IPv6 one port.ip6 (tw_config_validate).
 *
 * Command-line overrides (tw_config_usage prints this list): --listen ADDR[:PORT],
 * --upstream ADDR[:PORT] and --trust-anchor FILE are repeatable: the first use
 * replaces the file's list, later uses append. --port-ip ADDR/PREFIX and
 * --gateway ADDR set the IPv4 or IPv6 key by the address's form. --cache-memory
 * SIZE, --crypto inline|ring|cryptodev, --log-level L, --vlan N. "--opt=VALUE"
 * works as well as "--opt VALUE". IPv6 with a port takes brackets, in the file as
 * on the command line: [2001:db8::1]:53 (2001:db8::1:53 is an address, no port).
 *
 * Concurrency: the functions here work on one struct tw_config owned by the
 * caller. Setup time, any thread.
 */
#ifndef TW_MGMT_CONFIG_H
#define TW_MGMT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cache/cache.h"
#include "dns/name.h"

#define TW_CONFIG_MAX_LISTEN 16
#define TW_CONFIG_MAX_UPSTREAMS 16
#define TW_CONFIG_MAX_ANCHOR_FILES 8
#define TW_CONFIG_MAX_NTAS 64
#define TW_CONFIG_DNS_PORT 53
/* A good size for err: messages are cut to errcap, and this holds any of them
 * unless the file's path is very long (values shown in messages are cut). */
#define TW_CONFIG_ERRLEN 512
/* tw_config_parse_args: --help was given; nothing else was done. */
#define TW_CONFIG_HELP 1

/* An IP address with, where it applies, a port or a prefix length. */
struct tw_config_addr {
	int family;         /* AF_INET or AF_INET6; 0: not set */
	uint8_t addr[16];   /* network order; IPv4 in the first 4 octets, rest 0 */
	uint16_t port;      /* host order; listen and upstreams only, else 0 */
	uint8_t prefix;     /* prefix length; port.ip and port.ip6 only, else 0 */
	uint32_t line;      /* line of the file it was read from; 0: default or
			     * command line (for tw_config_validate's messages) */
};

enum tw_config_exception {
	TW_CONFIG_EXCEPTION_DROP = 0, /* dropped and counted */
	TW_CONFIG_EXCEPTION_TAP,      /* handed to the kernel through a TAP device */
};

/* Syslog severities (RFC 5424 §6.2.1); DPDK's RTE_LOG_* level is this + 1. */
enum tw_config_log_level {
	TW_CONFIG_LOG_ERROR = 3,
	TW_CONFIG_LOG_WARNING = 4,
	TW_CONFIG_LOG_NOTICE = 5,
	TW_CONFIG_LOG_INFO = 6,
	TW_CONFIG_LOG_DEBUG = 7,
};

/* Where DNSSEC signatures are verified; the names and order of enum
 * tw_crypto_backend_kind (dataplane/crypto_backend.h), kept apart so that mgmt/
 * does not need DPDK's headers. */
enum tw_config_crypto {
	TW_CONFIG_CRYPTO_INLINE = 0, /* on the worker lcore */
	TW_CONFIG_CRYPTO_RING,       /* dedicated crypto lcores through rte_ring */
	TW_CONFIG_CRYPTO_CRYPTODEV,  /* rte_cryptodev, software for what it lacks */
};

struct tw_config_port {
	struct tw_config_addr ip;       /* AF_INET with prefix, or unset */
	struct tw_config_addr gateway;  /* AF_INET, or unset */
	struct tw_config_addr ip6;      /* AF_INET6 with prefix, or unset */
	struct tw_config_addr gateway6; /* AF_INET6, or unset */
	uint16_t vlan;                  /* 1..4094; 0: untagged */
	bool mac_set;                   /* false: the port's own MAC ("auto") */
	uint8_t mac[6];                 /* when mac_set: unicast, not all zero */
};

struct tw_config_workers {
	enum tw_config_crypto crypto;
	uint16_t crypto_lcores;         /* crypto RING: how many (>= 1); else unused */
	uint32_t verify_memo;           /* verification memo entries per worker; 0: off */
};

struct tw_config_limits {
	uint32_t pending;     /* outstanding upstream questions per worker */
	uint32_t timeout_ms;  /* per upstream try */
	uint16_t retries;     /* tries after the first */
	uint16_t waiters;     /* clients waiting on one upstream question */
};

/* Lines of the file where keys that tw_config_validate checks against others
 * were set; 0: default or command line. */
struct tw_config_lines {
	uint32_t trust_anchors;
	uint32_t min_ttl;
	uint32_t crypto_lcores;
};

/* The configuration in parsed form. The file paths (trust_anchors, file) are
 * owned by the struct (heap), freed by tw_config_fini. Read it freely; change it
 * through the functions here (they keep the ownership straight). */
struct tw_config {
	struct tw_config_addr listen[TW_CONFIG_MAX_LISTEN]; /* as written: empty means
							     * tw_config_listen's default */
	unsigned nlisten;
	struct tw_config_port port;
	struct tw_config_addr upstreams[TW_CONFIG_MAX_UPSTREAMS];
	unsigned nupstreams;
	char *trust_anchors[TW_CONFIG_MAX_ANCHOR_FILES]; /* file paths */
	unsigned ntrust_anchors;
	/* wire form (dns/name.h), case kept: what tw_val_conf_add_nta takes */
	uint8_t ntas[TW_CONFIG_MAX_NTAS][TW_DNS_NAME_MAXLEN];
	unsigned nntas;
	struct tw_cache_conf cache;     /* memory, TTLs, aggressive, NSEC3 limit from
					 * the file; the rest (max_threads, seed,
					 * neg_max_ranges) tw_cache_conf_init's, for
					 * the caller to set */
	struct tw_config_workers workers;
	struct tw_config_limits limits;
	enum tw_config_exception exception;
	bool tcp_enabled;
	enum tw_config_log_level log_level;
	uint32_t stats_interval;        /* seconds; 0: SIGUSR1 and exit only */
	char *file;                     /* the file loaded last, or NULL */
	struct tw_config_lines lines;
};

/* Fills cfg with the defaults (the file format above; trust_anchors holds
 * TW_ANCHORS_DEFAULT_FILE, mgmt/anchors.h). Returns 0, or -TW_ENOMEM (no trust
 * anchor file then; tw_config_fini is still fine). */
int tw_config_init(struct tw_config *cfg);

/* Frees what cfg owns and leaves it zeroed; NULL is fine. */
void tw_config_fini(struct tw_config *cfg);

/* Reads the YAML file at path over cfg's current values: keys in the file
 * replace them, lists are replaced whole. All or nothing: on error cfg is
 * unchanged and err (capacity errcap) says "PATH:LINE: KEY: reason" (or
 * "PATH: reason" when the file cannot be read). Returns
 *   0            loaded (cfg->file is a copy of path)
 *   -TW_EIO      the file cannot be opened or read, is not a regular file or is
 *                larger than 1 MiB
 *   -TW_EINVAL   YAML syntax error, or a key or value the format refuses
 *   -TW_ENOMEM   out of memory */
int tw_config_load(struct tw_config *cfg, const char *path, char *err, size_t errcap);

/* As tw_config_load, from text[0..len) in memory; name stands for the file in
 * messages and becomes cfg->file. Returns 0, -TW_EINVAL or -TW_ENOMEM. */
int tw_config_load_text(struct tw_config *cfg, const char *text, size_t len, const char *name,
			char *err, size_t errcap);

/* Applies trustwired's own arguments (those after DPDK's "--"; argv[0] is the
 * program name and is skipped): --config FILE first, wherever it is, then each
 * override in order. All or nothing: on error cfg is unchanged. Does not call
 * tw_config_validate. Returns
 *   0                 applied
 *   TW_CONFIG_HELP    --help was among them: nothing applied; print
 *                     tw_config_usage() and exit
 *   -TW_EINVAL        unknown option, missing or malformed value, --config twice,
 *                     a list option used more times than the list holds, or the
 *                     file's own error (err names the option or the file line)
 *   -TW_EIO           the --config file cannot be read
 *   -TW_ENOMEM        out of memory */
int tw_config_parse_args(struct tw_config *cfg, int argc, char *const argv[], char *err,
			 size_t errcap);

/* Prints the command-line help (the options above, one line each) to out. */
void tw_config_usage(FILE *out);

/* Checks what no single key can: at least one of port.ip and port.ip6, gateways
 * inside their prefix (gateway6 may be link-local instead) and only with their
 * address, at least one upstream, listen addresses and upstreams of a family the
 * port has an address in, no upstream that is one of the appliance's own
 * addresses, no address listed twice, at least one trust anchor file,
 * cache.min_ttl <= cache.max_ttl, crypto_lcores >= 1 for "ring". Returns 0, or
 * -TW_EINVAL with err saying what ("PATH:LINE: KEY: reason" when the key came
 * from the file, "KEY: reason" otherwise) and how to give it. */
int tw_config_validate(const struct tw_config *cfg, char *err, size_t errcap);

/* The service addresses in effect: listen as given, or when it is empty, port.ip
 * and port.ip6 (those set) on port 53, without prefix. out: capacity
 * TW_CONFIG_MAX_LISTEN. Returns how many were written. */
unsigned tw_config_listen(const struct tw_config *cfg, struct tw_config_addr *out);

/* Prints the effective configuration to out as YAML that tw_config_load reads
 * back to the same values: every key of the file format, defaults included. */
void tw_config_dump(const struct tw_config *cfg, FILE *out);

/* Writes a as text: "198.18.0.1", "198.18.0.1:53", "[2001:db8::1]:53",
 * "198.18.0.1/24" (the port and prefix when set). NUL-terminated; returns buf.
 * 64 bytes always suffice. */
const char *tw_config_addr_str(const struct tw_config_addr *a, char *buf, size_t cap);

/* Name of a level ("info"), an exception mode ("drop"), a crypto back-end
 * ("inline"). Static strings, never NULL ("?" for a value out of the enum). */
const char *tw_config_log_level_str(enum tw_config_log_level l);
const char *tw_config_exception_str(enum tw_config_exception e);
const char *tw_config_crypto_str(enum tw_config_crypto k);

#endif
