// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikehelper daemon: run the IKE engine (ike.c) for one espif interface in
 * the foreground, on UDP ports 500 and 4500 (IPv4), and program the Child
 * SAs into espif.
 *
 *   ikehelper daemon [-v] -c FILE IFNAME
 *
 * The 4500 socket is handed to espif (sock-attach): the kernel decrypts
 * the ESP arriving on it and passes up only what carries the non-ESP
 * marker (RFC 3948 2.2), which is IKE.  SIGINT/SIGTERM delete every IKE
 * SA (telling the peers) and remove the peers from the interface.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include <linux/espif.h>

#include "config.h"
#include "ike.h"
#include "ikev2.h"
#include "ikehelper.h"
#include "kernel.h"

struct daemon {
	struct ike_ctx ctx;
	struct config cfg;
	struct espif_nl *nl;
	uint32_t ifindex;
	int s500, s4500;
	bool peer_made[CONFIG_MAX_PEERS];
	time_t start_at[CONFIG_MAX_PEERS];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Read a whole file of at most 1 MiB (NUL-terminated for PEM parsers).
 * @secret: it holds keys, so a file others can read is refused, as ssh
 * refuses a readable private key.  Errors are printed here.
 */
static int read_file(const char *path, bool secret, char **out, size_t *len)
{
	struct stat st;
	char *text;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > 1 << 20) {
		fprintf(stderr, "%s: %s: not a regular file of at most 1 MiB\n",
			PROG_NAME, path);
		close(fd);
		return -1;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		fprintf(stderr, "%s: %s: readable by others (mode %03o); it holds keys: chmod 600 it\n",
			PROG_NAME, path, st.st_mode & 0777);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		close(fd);
		return -1;
	}
	n = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		fprintf(stderr, "%s: %s: short read\n", PROG_NAME, path);
		free(text);
		return -1;
	}
	text[n] = 0;
	*out = text;
	*len = (size_t)n;
	return 0;
}

/* Read the configuration; it may hold pre-shared keys. */
static int load_config(const char *path, struct config *cfg)
{
	struct config_error err;
	size_t n;
	char *text;
	int ret;

	if (read_file(path, true, &text, &n))
		return -1;
	ret = config_parse(text, n, cfg, &err);
	explicit_bzero(text, n);
	free(text);
	if (ret) {
		if (err.line)
			fprintf(stderr, "%s: %s:%u: %s\n", PROG_NAME, path, err.line,
				err.msg);
		else
			fprintf(stderr, "%s: %s: %s\n", PROG_NAME, path,
				ret == -ENOMEM ? "out of memory" : err.msg);
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* One peer's certificate, key and anchors, checked against its LocalId. */
static int load_cred(const struct config_peer *p, struct cred **out)
{
	char *cert = NULL, *key = NULL, *ca = NULL, err[256];
	size_t certlen, keylen, calen;
	uint8_t id[CRED_ID_MAX];
	int ret = -1, idlen;

	if (read_file(p->creds.cert, false, &cert, &certlen) ||
	    read_file(p->creds.key, true, &key, &keylen) ||
	    read_file(p->creds.ca, false, &ca, &calen))
		goto out;
	if (cred_load(cert, certlen, key, keylen, ca, calen, out, err,
		      sizeof(err))) {
		fprintf(stderr, "%s: %s, %s: %s\n", PROG_NAME, p->creds.cert,
			p->creds.key, err);
		goto out;
	}
	/* Peers check that our ID is in our certificate (RFC 4945 3.1). */
	idlen = cred_id_encode(p->local_id, *out, id, sizeof(id));
	if (idlen < 0) {
		fprintf(stderr, "%s: LocalId %s: not a valid identity\n",
			PROG_NAME, p->local_id);
	} else if (cred_check_own_id(*out, id, (size_t)idlen, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, p->creds.cert, err);
	} else {
		ret = 0;
	}
	if (ret) {
		cred_free(*out);
		*out = NULL;
	}
out:
	free(cert);
	free(ca);
	if (key) {
		explicit_bzero(key, keylen);
		free(key);
	}
	return ret;
}

static bool same_creds(const struct config_peer *a, const struct config_peer *b)
{
	return !strcmp(a->creds.cert, b->creds.cert) &&
	       !strcmp(a->creds.key, b->creds.key) &&
	       !strcmp(a->creds.ca, b->creds.ca) &&
	       !strcmp(a->local_id, b->local_id);
}

/* Credentials of every Auth = pubkey peer; peers with the same files share. */
static int load_creds(struct daemon *d)
{
	unsigned int i, j;

	d->ctx.creds = calloc(d->cfg.npeers ? d->cfg.npeers : 1,
			      sizeof(*d->ctx.creds));
	if (!d->ctx.creds)
		return -1;
	for (i = 0; i < d->cfg.npeers; i++) {
		const struct config_peer *p = &d->cfg.peers[i];

		if (p->auth != CONFIG_AUTH_PUBKEY)
			continue;
		for (j = 0; j < i; j++)
			if (d->ctx.creds[j] && same_creds(&d->cfg.peers[j], p))
				break;
		if (j < i)
			d->ctx.creds[i] = d->ctx.creds[j];
		else if (load_cred(p, &d->ctx.creds[i]))
			return -1;
	}
	return 0;
}

static void free_creds(struct daemon *d)
{
	unsigned int i, j;

	if (!d->ctx.creds)
		return;
	for (i = 0; i < d->cfg.npeers; i++) {
		for (j = 0; j < i; j++)
			if (d->ctx.creds[j] == d->ctx.creds[i])
				break;
		if (j == i)
			cred_free(d->ctx.creds[i]);
	}
	free(d->ctx.creds);
	d->ctx.creds = NULL;
}

static int udp_socket(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* ike_backend.send: on 4500 with the non-ESP marker, else on 500. */
static int be_send(struct ike_ctx *ctx, const struct ike_sa *sa,
		   const uint8_t *buf, size_t len)
{
	struct daemon *d = ctx->priv;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(sa->remote.port) };
	static const uint8_t marker[4];
	struct iovec iov[2] = {
		{ (void *)marker, 4 },
		{ (void *)buf, len },
	};
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to) };

	if (sa->remote.family != 4)
		return -EAFNOSUPPORT;
	memcpy(&to.sin_addr, sa->remote.addr, 4);
	mh.msg_iov = sa->natt ? iov : iov + 1;
	mh.msg_iovlen = sa->natt ? 2 : 1;
	if (sendmsg(sa->natt ? d->s4500 : d->s500, &mh, 0) < 0)
		return -errno;
	return 0;
}

/* ike_backend.child_up: the peer (endpoint, selectors), then both SAs. */
static int be_child_up(struct ike_ctx *ctx, const struct ike_sa *sa,
		       const struct ike_child *c)
{
	struct daemon *d = ctx->priv;
	struct espif_prefix sel[CONFIG_MAX_SEL];
	struct espif_peer_cfg pc = {
		.ifindex = d->ifindex,
		.id = sa->peer_idx + 1,
		.family = sa->remote.family,
		.port = c->natt ? sa->remote.port : 0,
		.nsel = c->n_remote,
		.sel = sel,
	};
	struct espif_sa_cfg in = {
		.ifindex = d->ifindex, .peer_id = pc.id, .spi = c->spi_in,
		.dir = ESPIF_DIR_IN, .alg = c->alg, .key = c->key_in,
		.keylen = c->keylen, .akey = c->akey_in, .akeylen = c->akeylen,
		.esn = c->esn,
	};
	struct espif_sa_cfg out = in;
	unsigned int i;
	int ret;

	memcpy(pc.remote, sa->remote.addr, 16);
	for (i = 0; i < c->n_remote; i++) {
		sel[i].family = c->remote[i].family;
		sel[i].plen = c->remote[i].plen;
		memcpy(sel[i].addr, c->remote[i].addr, 16);
	}
	ret = espif_peer_put(d->nl, &pc, d->peer_made[sa->peer_idx]);
	if (ret == -EEXIST && !d->peer_made[sa->peer_idx])
		ret = espif_peer_put(d->nl, &pc, 1);
	if (ret)
		goto err;
	d->peer_made[sa->peer_idx] = true;
	ret = espif_sa_new(d->nl, &in);
	if (ret)
		goto err;
	if (c->out_later)
		return 0;
	out.spi = c->spi_out;
	out.dir = ESPIF_DIR_OUT;
	out.key = c->key_out;
	out.akey = c->akey_out;
	ret = espif_sa_new(d->nl, &out);
	if (!ret)
		return 0;
	espif_sa_del(d->nl, d->ifindex, pc.id, c->spi_in, ESPIF_DIR_IN);
err:
	fprintf(stderr, "%s: %s: espif refused the Child SA: %s%s%s\n",
		PROG_NAME, ike_peer_name(sa), strerror(-ret),
		*espif_nl_error(d->nl) ? ": " : "", espif_nl_error(d->nl));
	return ret;
}

/* ike_backend.child_out: the outbound SA of a pair, after its inbound. */
static int be_child_out(struct ike_ctx *ctx, const struct ike_sa *sa,
			const struct ike_child *c)
{
	struct daemon *d = ctx->priv;
	struct espif_sa_cfg out = {
		.ifindex = d->ifindex, .peer_id = sa->peer_idx + 1,
		.spi = c->spi_out, .dir = ESPIF_DIR_OUT, .alg = c->alg,
		.key = c->key_out, .keylen = c->keylen, .akey = c->akey_out,
		.akeylen = c->akeylen, .esn = c->esn,
	};
	int ret = espif_sa_new(d->nl, &out);

	if (ret)
		fprintf(stderr, "%s: %s: espif refused the outbound SA: %s%s%s\n",
			PROG_NAME, ike_peer_name(sa), strerror(-ret),
			*espif_nl_error(d->nl) ? ": " : "", espif_nl_error(d->nl));
	return ret;
}

static void be_child_down(struct ike_ctx *ctx, const struct ike_sa *sa,
			  const struct ike_child *c)
{
	struct daemon *d = ctx->priv;
	uint32_t id = sa->peer_idx + 1;

	espif_sa_del(d->nl, d->ifindex, id, c->spi_out, ESPIF_DIR_OUT);
	espif_sa_del(d->nl, d->ifindex, id, c->spi_in, ESPIF_DIR_IN);
}

static const struct ike_backend daemon_backend = {
	.send = be_send,
	.child_up = be_child_up,
	.child_out = be_child_out,
	.child_down = be_child_down,
};

/* Receive one datagram with its destination address (IP_PKTINFO). */
static void receive(struct daemon *d, int fd, bool natt)
{
	uint8_t buf[IKEV2_MAX_MSG + 4];
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_in from;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct ike_addr local = { .family = 4, .port = natt ? 4500 : d->cfg.port };
	struct ike_addr remote = { .family = 4 };
	struct cmsghdr *cm;
	ssize_t n;
	uint8_t *p = buf;

	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n <= 0)
		return;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(local.addr, &pi.ipi_addr, 4);
		}
	}
	memcpy(remote.addr, &from.sin_addr, 4);
	remote.port = ntohs(from.sin_port);
	if (natt) {
		/* RFC 3948 2.2: IKE behind the four-byte non-ESP marker. */
		if (n < 4 || p[0] || p[1] || p[2] || p[3])
			return;
		p += 4;
		n -= 4;
	}
	d->ctx.now = now_s();
	ike_input(&d->ctx, p, (size_t)n, &local, &remote, natt);
}

/* The local address routing picks towards @remote (for NAT detection). */
static int local_for(const struct ike_addr *remote, struct ike_addr *local)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(500) };
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	int fd, ret = 0;

	memcpy(&to.sin_addr, remote->addr, 4);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) ||
	    getsockname(fd, (struct sockaddr *)&me, &len))
		ret = -errno;
	else
		memcpy(local->addr, &me.sin_addr, 4);
	close(fd);
	return ret;
}

/* Peers with Start = start get an IKE SA whenever they have none. */
static void start_peers(struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->cfg.npeers; i++) {
		const struct config_peer *p = &d->cfg.peers[i];
		struct ike_addr local = { .family = 4, .port = d->cfg.port };
		struct ike_addr remote = { .family = p->ep_family,
					   .port = p->ep_port };
		struct ike_sa *sa;
		bool live = false;

		if (p->start != CONFIG_START_START || !p->has_endpoint ||
		    p->ep_family != 4 || d->ctx.now < d->start_at[i])
			continue;
		for (sa = d->ctx.sas; sa; sa = sa->next)
			if (sa->peer_idx == i && sa->state != IKE_DEAD)
				live = true;
		if (live)
			continue;
		d->start_at[i] = d->ctx.now + 5;
		memcpy(remote.addr, p->ep_addr, 16);
		if (local_for(&remote, &local)) {
			fprintf(stderr, "%s: %s: no route to the peer\n", PROG_NAME,
				p->name[0] ? p->name : p->remote_id);
			continue;
		}
		ike_initiate(&d->ctx, i, &local, &remote);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s daemon [-v] -c FILE IFNAME\n", PROG_NAME);
}

int daemon_main(int argc, char *argv[])
{
	struct espif_dev_info info;
	struct daemon d = { .s500 = -1, .s4500 = -1 };
	const char *conf = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	int opt, ret = 1, verbose = 0;
	unsigned int i;

	while ((opt = getopt(argc, argv, "c:vh")) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!conf || optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (load_config(conf, &d.cfg))
		return 1;
	if (load_creds(&d))
		goto out;
	d.ifindex = if_nametoindex(argv[optind]);
	if (!d.ifindex) {
		fprintf(stderr, "%s: %s: no such interface\n", PROG_NAME, argv[optind]);
		goto out;
	}
	ret = espif_nl_open(&d.nl);
	if (ret) {
		fprintf(stderr, "%s: cannot reach espif: %s\n", PROG_NAME,
			ret == -ENOENT ? "module not loaded" : strerror(-ret));
		ret = 1;
		goto out;
	}
	if (espif_dev_get(d.nl, d.ifindex, &info)) {
		fprintf(stderr, "%s: %s: %s\n", PROG_NAME, argv[optind],
			espif_nl_error(d.nl)[0] ? espif_nl_error(d.nl) :
			"not an espif interface");
		ret = 1;
		goto out;
	}
	ret = 1;
	d.s500 = udp_socket(d.cfg.port);
	d.s4500 = udp_socket(4500);
	if (d.s500 < 0 || d.s4500 < 0) {
		fprintf(stderr, "%s: cannot bind UDP %u and 4500: %s\n", PROG_NAME,
			d.cfg.port, strerror(-(d.s500 < 0 ? d.s500 : d.s4500)));
		goto out;
	}
	if (espif_sock_attach(d.nl, d.ifindex, d.s4500)) {
		fprintf(stderr, "%s: sock-attach: %s\n", PROG_NAME,
			espif_nl_error(d.nl));
		goto out;
	}
	d.ctx.cfg = &d.cfg;
	d.ctx.be = &daemon_backend;
	d.ctx.priv = &d;
	d.ctx.verbose = verbose;
	d.ctx.now = now_s();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fprintf(stderr, "%s: %s: %u peer(s), IKE on UDP %u and 4500\n", PROG_NAME,
		argv[optind], d.cfg.npeers, d.cfg.port);

	while (!stop) {
		struct pollfd pfd[2] = {
			{ .fd = d.s500, .events = POLLIN },
			{ .fd = d.s4500, .events = POLLIN },
		};

		d.ctx.now = now_s();
		start_peers(&d);
		if (poll(pfd, 2, 1000) > 0) {
			if (pfd[0].revents & POLLIN)
				receive(&d, d.s500, false);
			if (pfd[1].revents & POLLIN)
				receive(&d, d.s4500, true);
		}
		d.ctx.now = now_s();
		ike_tick(&d.ctx);
	}
	fprintf(stderr, "%s: stopping\n", PROG_NAME);
	{
		struct ike_sa *s;

		for (s = d.ctx.sas; s; s = s->next)
			ike_delete(s);
	}
	ret = 0;
out:
	ike_free_all(&d.ctx);
	free_creds(&d);
	if (d.nl)
		for (i = 0; i < d.cfg.npeers; i++)
			if (d.peer_made[i])
				espif_peer_del(d.nl, d.ifindex, i + 1);
	if (d.s500 >= 0)
		close(d.s500);
	if (d.s4500 >= 0)
		close(d.s4500);
	espif_nl_close(d.nl);
	config_free(&d.cfg);
	return ret;
}
