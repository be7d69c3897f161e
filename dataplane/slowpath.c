/* The slow path thread: questions whose UDP answer came back truncated are asked
 * again over TCP with kernel sockets, one at a time, and the answers handed back
 * to the worker that asked, through rings and a pool of fixed slots (nothing is
 * allocated per question on either side). */
#define _GNU_SOURCE /* pthread_setname_np */
#include "dataplane/slowpath.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <rte_errno.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dns/build.h"
#include "dns/error.h"
#include "dns/msg.h"
#include "dns/rrtype.h"

#define SLOW_MSG_MAX 65535u

/* A slot: an upstream question and its answer, or a client's TCP query and its
 * answer. */
struct sp_obj {
	union {                        /* first: what a worker sees */
		struct tw_slowpath_answer a;
		struct tw_slowpath_query q;
	};
	unsigned worker;
	unsigned upstream;
	uint32_t conn, conn_gen;       /* TCP client: its connection */
	uint8_t buf[SLOW_MSG_MAX];
};

#define SLOW_LISTEN_MAX 8
#define SLOW_CONN_MAX 64
#define SLOW_IDLE_MS 10000u        /* RFC 7766 §6.2.3: close idle connections */

struct sp_conn {
	int fd;                        /* -1: free */
	uint32_t gen;
	uint32_t outstanding;          /* queries handed to workers */
	uint64_t last_ms;
	uint32_t rlen;
	uint8_t rbuf[2 + SLOW_MSG_MAX];
};

struct tw_slowpath {
	struct tw_slowpath_stats st;
	unsigned nworkers, nup, timeout_ms;
	struct tw_slowpath_upstream up[16];
	struct rte_mempool *pool;
	struct rte_ring *req;                       /* workers -> thread */
	struct rte_ring *resp[TW_SLOWPATH_WORKERS]; /* thread -> worker i */
	struct rte_ring *tcpq[TW_SLOWPATH_WORKERS]; /* client queries -> worker i */
	struct rte_ring *tcpa;                      /* workers -> thread: answers */
	unsigned next_worker;
	int lfd[SLOW_LISTEN_MAX];
	unsigned nlisten;
	struct sp_conn *conns;                      /* SLOW_CONN_MAX */
	pthread_t thread;
	bool started;
	volatile bool stop;
};

static int64_t ms_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes. */
static bool wait_fd(int fd, short events, const struct timespec *deadline)
{
	for (;;) {
		int64_t left = ms_left(deadline);
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = events };
		int rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return (p.revents & (events | POLLHUP | POLLERR)) != 0;
		if (rc < 0 && errno != EINTR)
			return false;
	}
}

static bool io_all(int fd, uint8_t *buf, size_t len, bool out, const struct timespec *deadline)
{
	size_t done = 0;
	while (done < len) {
		if (!wait_fd(fd, out ? POLLOUT : POLLIN, deadline))
			return false;
		ssize_t n = out ? send(fd, buf + done, len - done, MSG_NOSIGNAL) :
				  recv(fd, buf + done, len - done, 0);
		if (n > 0)
			done += (size_t)n;
		else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return false;
	}
	return true;
}

/* One question over TCP (RFC 1035 §4.2.2: two-octet length prefix), DO=1 CD=1
 * RD=1, a fresh random ID; the answer must carry that ID and the question.
 * Returns the answer's length in o->buf, or 0. */
static uint32_t tcp_ask(struct tw_slowpath *sp, struct sp_obj *o)
{
	const struct tw_slowpath_upstream *u = &sp->up[o->upstream];
	uint16_t id;
	if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1)
		return 0;
	uint8_t q[2 + 512];
	struct tw_dns_build b;
	if (tw_dns_build_init(&b, q + 2, sizeof(q) - 2, sizeof(q) - 2, id, TW_DNS_F_RD | TW_DNS_F_CD,
			      TW_DNS_OPT_FIXED_LEN) != 0 ||
	    tw_dns_build_question(&b, o->a.qname, o->a.qtype, TW_DNS_C_IN) != 0 ||
	    tw_dns_build_opt(&b, 1232, TW_DNS_EDNS_DO, 0, TW_EDE_NONE, NULL, 0) != 0)
		return 0;
	size_t qlen = tw_dns_build_finish(&b);
	q[0] = (uint8_t)(qlen >> 8);
	q[1] = (uint8_t)qlen;

	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (u->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(u->port);
		memcpy(&a->sin_addr, u->addr, 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(u->port);
		memcpy(&a->sin6_addr, u->addr, 16);
		sl = sizeof(*a);
	}
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += sp->timeout_ms / 1000;
	deadline.tv_nsec += (long)(sp->timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	int fd = socket(u->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	uint32_t got = 0;
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS)
		goto out;
	if (!wait_fd(fd, POLLOUT, &deadline))
		goto out;
	int soerr = 0;
	socklen_t el = sizeof(soerr);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el) != 0 || soerr != 0)
		goto out;
	if (!io_all(fd, q, qlen + 2, true, &deadline))
		goto out;
	uint8_t lb[2];
	if (!io_all(fd, lb, 2, false, &deadline))
		goto out;
	uint32_t rlen = (uint32_t)lb[0] << 8 | lb[1];
	if (rlen < 12 || !io_all(fd, o->buf, rlen, false, &deadline))
		goto out;
	struct tw_dns_msg m;
	uint8_t name[TW_DNS_NAME_MAXLEN];
	if (tw_dns_msg_parse_question(&m, o->buf, rlen) != 0 || m.id != id ||
	    !(m.flags & TW_DNS_F_QR) || m.qdcount != 1 || m.qtype != o->a.qtype ||
	    m.qclass != TW_DNS_C_IN ||
	    tw_dns_name_unpack(o->buf, rlen, m.qname, name, NULL, NULL) != 0 ||
	    !tw_dns_name_equal(name, o->a.qname))
		goto out;
	got = rlen;
out:
	close(fd);
	return got;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void conn_close(struct tw_slowpath *sp, struct sp_conn *c)
{
	(void)sp;
	close(c->fd);
	c->fd = -1;
	c->gen++;
	c->rlen = 0;
	c->outstanding = 0;
}

/* Every whole length-prefixed query in c's buffer goes to a worker. */
static void conn_queries(struct tw_slowpath *sp, struct sp_conn *c, uint32_t ci)
{
	for (;;) {
		if (c->rlen < 2)
			return;
		uint32_t mlen = (uint32_t)c->rbuf[0] << 8 | c->rbuf[1];
		if (c->rlen < 2 + mlen)
			return;
		void *p;
		unsigned wk = sp->next_worker++ % sp->nworkers;
		if (mlen == 0 || rte_mempool_get(sp->pool, &p) != 0) {
			sp->st.tcp_refused++;
			conn_close(sp, c);
			return;
		}
		struct sp_obj *o = p;
		memcpy(o->buf, c->rbuf + 2, mlen);
		o->q.wire = o->buf;
		o->q.len = mlen;
		o->conn = ci;
		o->conn_gen = c->gen;
		o->worker = wk;
		if (rte_ring_sp_enqueue(sp->tcpq[wk], o) != 0) {
			rte_mempool_put(sp->pool, o);
			sp->st.tcp_refused++;
			conn_close(sp, c);
			return;
		}
		sp->st.tcp_queries++;
		c->outstanding++;
		memmove(c->rbuf, c->rbuf + 2 + mlen, c->rlen - 2 - mlen);
		c->rlen -= 2 + mlen;
	}
}

/* Answers the workers made go back on their connections. */
static unsigned tcp_answers(struct tw_slowpath *sp)
{
	void *p;
	unsigned n = 0;
	while (rte_ring_sc_dequeue(sp->tcpa, &p) == 0) {
		struct sp_obj *o = p;
		struct sp_conn *c = &sp->conns[o->conn];
		n++;
		if (c->fd >= 0 && c->gen == o->conn_gen) {
			c->outstanding--;
			c->last_ms = mono_ms();
			struct timespec dl;
			clock_gettime(CLOCK_MONOTONIC, &dl);
			dl.tv_sec += 2;
			uint8_t lb[2] = { (uint8_t)(o->q.len >> 8), (uint8_t)o->q.len };
			if (o->q.len == 0 || !io_all(c->fd, lb, 2, true, &dl) ||
			    !io_all(c->fd, o->buf, o->q.len, true, &dl))
				conn_close(sp, c);
			else
				sp->st.tcp_answers++;
		}
		rte_mempool_put(sp->pool, o);
	}
	return n;
}

/* Accepts, reads and expires TCP client connections; waits at most wait_ms. */
static void tcp_io(struct tw_slowpath *sp, int wait_ms)
{
	struct pollfd pf[SLOW_LISTEN_MAX + SLOW_CONN_MAX];
	uint32_t who[SLOW_LISTEN_MAX + SLOW_CONN_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < sp->nlisten; i++) {
		pf[n] = (struct pollfd){ .fd = sp->lfd[i], .events = POLLIN };
		who[n++] = UINT32_MAX;
	}
	for (uint32_t i = 0; i < SLOW_CONN_MAX; i++)
		if (sp->conns[i].fd >= 0) {
			pf[n] = (struct pollfd){ .fd = sp->conns[i].fd, .events = POLLIN };
			who[n++] = i;
		}
	if (n == 0) {
		if (wait_ms)
			usleep((useconds_t)wait_ms * 1000u);
		return;
	}
	if (poll(pf, n, wait_ms) <= 0)
		goto idle;
	uint64_t now = mono_ms();
	for (unsigned k = 0; k < n; k++) {
		if (!pf[k].revents)
			continue;
		if (who[k] == UINT32_MAX) {
			int fd = accept4(pf[k].fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			uint32_t ci = 0;
			while (ci < SLOW_CONN_MAX && sp->conns[ci].fd >= 0)
				ci++;
			if (ci == SLOW_CONN_MAX) {
				sp->st.tcp_refused++;
				close(fd);
				continue;
			}
			struct sp_conn *c = &sp->conns[ci];
			c->fd = fd;
			c->rlen = 0;
			c->outstanding = 0;
			c->last_ms = now;
			sp->st.tcp_accepted++;
			continue;
		}
		struct sp_conn *c = &sp->conns[who[k]];
		ssize_t r = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
		if (r <= 0) {
			if (r == 0 || (errno != EAGAIN && errno != EINTR))
				conn_close(sp, c);
			continue;
		}
		c->rlen += (uint32_t)r;
		c->last_ms = now;
		conn_queries(sp, c, who[k]);
	}
idle:
	now = mono_ms();
	for (uint32_t i = 0; i < SLOW_CONN_MAX; i++) {
		struct sp_conn *c = &sp->conns[i];
		if (c->fd >= 0 && c->outstanding == 0 && now - c->last_ms > SLOW_IDLE_MS) {
			sp->st.tcp_closed_idle++;
			conn_close(sp, c);
		}
	}
}

static void *slow_main(void *arg)
{
	struct tw_slowpath *sp = arg;
	for (;;) {
		bool stopping = __atomic_load_n(&sp->stop, __ATOMIC_ACQUIRE);
		unsigned work = tcp_answers(sp);
		void *p;
		if (rte_ring_sc_dequeue(sp->req, &p) == 0) {
			struct sp_obj *o = p;
			o->a.len = stopping ? 0 : tcp_ask(sp, o);
			o->a.wire = o->buf;
			if (o->a.len)
				sp->st.answered++;
			else
				sp->st.failed++;
			/* the ring holds every slot: never full */
			(void)rte_ring_sp_enqueue(sp->resp[o->worker], o);
			work++;
		} else if (stopping) {
			break;
		}
		tcp_io(sp, work ? 0 : 1);
	}
	return NULL;
}

struct tw_slowpath *tw_slowpath_new(unsigned nworkers, const struct tw_slowpath_upstream *up,
				    unsigned nup, unsigned slots, unsigned timeout_ms, char *err,
				    size_t errcap)
{
	static unsigned serial;
	if (nworkers == 0 || nworkers > TW_SLOWPATH_WORKERS || nup == 0 || nup > 16 || slots == 0) {
		snprintf(err, errcap, "slow path: bad arguments");
		return NULL;
	}
	struct tw_slowpath *sp = calloc(1, sizeof(*sp));
	if (!sp) {
		snprintf(err, errcap, "slow path: out of memory");
		return NULL;
	}
	sp->nworkers = nworkers;
	sp->nup = nup;
	sp->timeout_ms = timeout_ms ? timeout_ms : 2000;
	memcpy(sp->up, up, nup * sizeof(*up));
	unsigned id = __atomic_fetch_add(&serial, 1, __ATOMIC_RELAXED);
	char name[32];
	unsigned ringsz = rte_align32pow2(slots + 1);
	snprintf(name, sizeof(name), "tw_slow_pool%u", id);
	/* no per-lcore cache: workers take and give back, the thread only passes
	 * slots along */
	sp->pool = rte_mempool_create(name, slots, sizeof(struct sp_obj), 0, 0, NULL, NULL, NULL,
				      NULL, SOCKET_ID_ANY, 0);
	snprintf(name, sizeof(name), "tw_slow_tcpa%u", id);
	sp->tcpa = rte_ring_create(name, ringsz, SOCKET_ID_ANY, RING_F_SC_DEQ);
	sp->conns = calloc(SLOW_CONN_MAX, sizeof(*sp->conns));
	for (unsigned i = 0; sp->conns && i < SLOW_CONN_MAX; i++)
		sp->conns[i].fd = -1;
	for (unsigned i = 0; i < SLOW_LISTEN_MAX; i++)
		sp->lfd[i] = -1;
	snprintf(name, sizeof(name), "tw_slow_req%u", id);
	sp->req = rte_ring_create(name, ringsz, SOCKET_ID_ANY, RING_F_SC_DEQ);
	bool ok = sp->pool && sp->req && sp->tcpa && sp->conns;
	for (unsigned i = 0; ok && i < nworkers; i++) {
		snprintf(name, sizeof(name), "tw_slow_resp%u_%u", id, i);
		sp->resp[i] = rte_ring_create(name, ringsz, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "tw_slow_tcpq%u_%u", id, i);
		sp->tcpq[i] = rte_ring_create(name, ringsz, SOCKET_ID_ANY,
					      RING_F_SP_ENQ | RING_F_SC_DEQ);
		ok = sp->resp[i] && sp->tcpq[i];
	}
	if (!ok) {
		snprintf(err, errcap, "slow path: no memory for its pool and rings: %s",
			 rte_strerror(rte_errno));
		tw_slowpath_free(sp);
		return NULL;
	}
	return sp;
}

int tw_slowpath_start(struct tw_slowpath *sp, char *err, size_t errcap)
{
	int rc = pthread_create(&sp->thread, NULL, slow_main, sp);
	if (rc != 0) {
		snprintf(err, errcap, "slow path: cannot start its thread: %s", strerror(rc));
		return -1;
	}
	(void)pthread_setname_np(sp->thread, "tw-slowpath");
	sp->started = true;
	return 0;
}

void tw_slowpath_stop(struct tw_slowpath *sp)
{
	if (!sp || !sp->started)
		return;
	__atomic_store_n(&sp->stop, true, __ATOMIC_RELEASE);
	pthread_join(sp->thread, NULL);
	sp->started = false;
}

void tw_slowpath_free(struct tw_slowpath *sp)
{
	if (!sp)
		return;
	tw_slowpath_stop(sp);
	for (unsigned i = 0; i < TW_SLOWPATH_WORKERS; i++) {
		rte_ring_free(sp->resp[i]);
		rte_ring_free(sp->tcpq[i]);
	}
	rte_ring_free(sp->tcpa);
	for (unsigned i = 0; i < sp->nlisten; i++)
		close(sp->lfd[i]);
	for (unsigned i = 0; sp->conns && i < SLOW_CONN_MAX; i++)
		if (sp->conns[i].fd >= 0)
			close(sp->conns[i].fd);
	free(sp->conns);
	rte_ring_free(sp->req);
	rte_mempool_free(sp->pool);
	free(sp);
}

int tw_slowpath_ask(struct tw_slowpath *sp, unsigned worker, uint64_t owner,
		    const uint8_t *qname, uint16_t qtype, unsigned upstream)
{
	void *p;
	if (worker >= sp->nworkers || upstream >= sp->nup || rte_mempool_get(sp->pool, &p) != 0)
		return -TW_ENOSPC;
	struct sp_obj *o = p;
	o->a.owner = owner;
	o->a.qtype = qtype;
	tw_dns_name_copy_lower(o->a.qname, qname);
	o->a.len = 0;
	o->worker = worker;
	o->upstream = upstream;
	if (rte_ring_mp_enqueue(sp->req, o) != 0) {
		rte_mempool_put(sp->pool, o);
		return -TW_ENOSPC;
	}
	return 0;
}

unsigned tw_slowpath_poll(struct tw_slowpath *sp, unsigned worker,
			  struct tw_slowpath_answer **out, unsigned max)
{
	return rte_ring_sc_dequeue_burst(sp->resp[worker], (void **)out, max, NULL);
}

void tw_slowpath_release(struct tw_slowpath *sp, struct tw_slowpath_answer *a)
{
	rte_mempool_put(sp->pool, a);
}

const struct tw_slowpath_stats *tw_slowpath_stats(const struct tw_slowpath *sp)
{
	return &sp->st;
}

int tw_slowpath_listen(struct tw_slowpath *sp, int family, const uint8_t addr[16], uint16_t port,
		       char *err, size_t errcap)
{
	if (sp->nlisten == SLOW_LISTEN_MAX) {
		snprintf(err, errcap, "slow path: more than %d TCP service addresses", SLOW_LISTEN_MAX);
		return -1;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, addr, 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, addr, 16);
		sl = sizeof(*a);
	}
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd >= 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* the address appears on the exception interface after we start */
		(void)setsockopt(fd, family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
				 family == AF_INET ? IP_FREEBIND : IPV6_FREEBIND, &one, sizeof(one));
		if (family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 64) != 0) {
		char a[64];
		inet_ntop(family, addr, a, sizeof(a));
		snprintf(err, errcap, "slow path: cannot listen on TCP %s port %u: %s", a, port,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sp->lfd[sp->nlisten++] = fd;
	return 0;
}

unsigned tw_slowpath_tcp_poll(struct tw_slowpath *sp, unsigned worker,
			      struct tw_slowpath_query **out, unsigned max)
{
	return rte_ring_sc_dequeue_burst(sp->tcpq[worker], (void **)out, max, NULL);
}

void tw_slowpath_tcp_answer(struct tw_slowpath *sp, struct tw_slowpath_query *q,
			    const uint8_t *answer, size_t len)
{
	struct sp_obj *o = (struct sp_obj *)q;
	if (len > SLOW_MSG_MAX)
		len = 0;
	if (len)
		memcpy(o->buf, answer, len);
	o->q.len = (uint32_t)len;
	/* room for every slot: never full */
	(void)rte_ring_mp_enqueue(sp->tcpa, o);
}
