// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikehelper: the "espif" generic netlink family through libnl-3.
 *
 * Extended acks are switched on so that the kernel's reason for refusing a
 * request (NLMSGERR_ATTR_MSG) reaches the user; see kernel.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/espif.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "kernel.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct espif_nl {
	struct nl_sock *sk;
	int family;
	int err;		/* last error, -errno, from the error callback */
	char msg[256];		/* the kernel's extack message, if any */
};

/* One call's reply collector. */
struct dev_collect {
	struct espif_dev_info *devs;
	size_t n, cap;
	int err;
	int done;		/* the ack, NLMSG_DONE or an error arrived */
	struct espif_nl *nl;
};

int espif_nl_open(struct espif_nl **nlp)
{
	struct espif_nl *nl;
	int one = 1, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = genl_connect(nl->sk);
	if (ret) {
		ret = -ECONNREFUSED;
		goto err_sock;
	}
	/* Best effort: without it errors still arrive, only without text. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, ESPIF_FAMILY_NAME);
	if (nl->family < 0) {
		/* The family exists exactly while espif.ko is loaded. */
		ret = -ENOENT;
		goto err_sock;
	}
	*nlp = nl;
	return 0;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return ret;
}

void espif_nl_close(struct espif_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *espif_nl_error(const struct espif_nl *nl)
{
	return nl->msg;
}

/* Keep the kernel's errno and its extack message (NLMSGERR_ATTR_MSG). */
static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct dev_collect *c = arg;
	struct espif_nl *nl = c->nl;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int len = nlh->nlmsg_len, ack_len = sizeof(*nlh) + sizeof(*e);
	struct nlattr *attrs;

	(void)nla;
	nl->err = e->error;
	c->done = 1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	/* Without NLM_F_CAPPED the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (len <= ack_len)
		return NL_STOP;
	attrs = (struct nlattr *)((char *)nlh + ack_len);
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len - ack_len, NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG]) {
		snprintf(nl->msg, sizeof(nl->msg), "%.*s",
			 nla_len(tb[NLMSGERR_ATTR_MSG]),
			 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
		/* The kernel NUL-terminates; drop a trailing newline, if any. */
		nl->msg[strcspn(nl->msg, "\n")] = '\0';
	}
	return NL_STOP;
}

static int done_cb(struct nl_msg *msg, void *arg)
{
	struct dev_collect *c = arg;

	(void)msg;
	c->done = 1;
	return NL_STOP;
}

static int dev_parse_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ESPIF_A_DEV_MAX + 1];
	struct dev_collect *c = arg;
	struct espif_dev_info *d;
	int ret;

	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, ESPIF_A_DEV_MAX, NULL);
	if (ret || !tb[ESPIF_A_DEV_IFINDEX] || !tb[ESPIF_A_DEV_IFNAME]) {
		c->err = -EBADMSG;
		return NL_STOP;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 8;

		d = reallocarray(c->devs, cap, sizeof(*d));
		if (!d) {
			c->err = -ENOMEM;
			return NL_STOP;
		}
		c->devs = d;
		c->cap = cap;
	}
	d = &c->devs[c->n++];
	memset(d, 0, sizeof(*d));
	d->ifindex = nla_get_u32(tb[ESPIF_A_DEV_IFINDEX]);
	nla_strlcpy(d->ifname, tb[ESPIF_A_DEV_IFNAME], sizeof(d->ifname));
	return NL_OK;
}

/*
 * Send a dev-get request (a dump when ifindex is 0) and collect the replies.
 * Returns 0 or -errno; the kernel's extack text is left in nl->msg.
 */
static int dev_request(struct espif_nl *nl, uint32_t ifindex,
		       struct dev_collect *c)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	nl->err = 0;
	nl->msg[0] = '\0';
	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 ifindex ? NLM_F_ACK : NLM_F_DUMP, ESPIF_CMD_DEV_GET,
			 ESPIF_FAMILY_VERSION) ||
	    (ifindex && nla_put_u32(msg, ESPIF_A_DEV_IFINDEX, ifindex))) {
		ret = -EMSGSIZE;
		goto out;
	}
	c->nl = nl;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dev_parse_cb, c);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, c);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, done_cb, c);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, c);

	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = -EIO;
		goto out;
	}
	/* Receive until the ack, the end of the dump, or an error. */
	ret = 0;
	while (!c->done && !c->err && ret >= 0)
		ret = nl_recvmsgs(nl->sk, cb);
	if (nl->err)
		ret = nl->err;
	else if (c->err)
		ret = c->err;
	else if (ret < 0)
		ret = -EIO;
	else
		ret = 0;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

int espif_dev_get(struct espif_nl *nl, uint32_t ifindex,
		  struct espif_dev_info *info)
{
	struct dev_collect c = { 0 };
	int ret;

	if (!ifindex)
		return -EINVAL;
	ret = dev_request(nl, ifindex, &c);
	if (!ret && c.n != 1)
		ret = -EBADMSG;
	if (!ret)
		*info = c.devs[0];
	free(c.devs);
	return ret;
}

int espif_dev_list(struct espif_nl *nl, struct espif_dev_info **devs,
		   size_t *n)
{
	struct dev_collect c = { 0 };
	int ret;

	ret = dev_request(nl, 0, &c);
	if (ret) {
		free(c.devs);
		return ret;
	}
	*devs = c.devs;
	*n = c.n;
	return 0;
}

/* --- configuration requests: one message, an ack -------------------------- */

/* Send @msg (consumed) with NLM_F_ACK; 0 or the kernel's -errno. */
static int espif_nl_do(struct espif_nl *nl, struct nl_msg *msg)
{
	struct dev_collect c = { 0 };
	struct nl_cb *cb;
	int ret;

	nl->err = 0;
	nl->msg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		ret = -ENOMEM;
		goto out;
	}
	c.nl = nl;
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, done_cb, &c);
	nl_cb_err(cb, NL_CB_CUSTOM, error_cb, &c);
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = -EIO;
		goto out;
	}
	ret = 0;
	while (!c.done && ret >= 0)
		ret = nl_recvmsgs(nl->sk, cb);
	ret = nl->err ? nl->err : ret < 0 ? -EIO : 0;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static struct nl_msg *espif_nl_msg(struct espif_nl *nl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				NLM_F_ACK, cmd, ESPIF_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int espif_sock_attach(struct espif_nl *nl, uint32_t ifindex, int fd)
{
	struct nl_msg *msg = espif_nl_msg(nl, ESPIF_CMD_SOCK_ATTACH);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ESPIF_A_DEV_IFINDEX, ifindex) ||
	    nla_put_u32(msg, ESPIF_A_DEV_SOCK_FD, (uint32_t)fd)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return espif_nl_do(nl, msg);
}

/* peer-new, or peer-set when @set: endpoint and selectors. */
int espif_peer_put(struct espif_nl *nl, const struct espif_peer_cfg *p,
		   int set)
{
	struct nl_msg *msg;
	struct nlattr *sel;
	unsigned int i;
	int alen = p->family == 4 ? 4 : 16;

	msg = espif_nl_msg(nl, set ? ESPIF_CMD_PEER_SET : ESPIF_CMD_PEER_NEW);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ESPIF_A_PEER_IFINDEX, p->ifindex) ||
	    nla_put_u32(msg, ESPIF_A_PEER_ID, p->id) ||
	    nla_put(msg, ESPIF_A_PEER_REMOTE, alen, p->remote) ||
	    (p->has_local && nla_put(msg, ESPIF_A_PEER_LOCAL, alen, p->local)) ||
	    (p->port && nla_put_u16(msg, ESPIF_A_PEER_PORT, htons(p->port))))
		goto nospace;
	for (i = 0; i < p->nsel; i++) {
		int slen = p->sel[i].family == 4 ? 4 : 16;

		sel = nla_nest_start(msg, ESPIF_A_PEER_SELECTOR);
		if (!sel ||
		    nla_put(msg, ESPIF_A_SELECTOR_ADDR, slen, p->sel[i].addr) ||
		    nla_put_u8(msg, ESPIF_A_SELECTOR_PREFIX_LEN, p->sel[i].plen))
			goto nospace;
		nla_nest_end(msg, sel);
	}
	return espif_nl_do(nl, msg);
nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int espif_peer_del(struct espif_nl *nl, uint32_t ifindex, uint32_t id)
{
	struct nl_msg *msg = espif_nl_msg(nl, ESPIF_CMD_PEER_DEL);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ESPIF_A_PEER_IFINDEX, ifindex) ||
	    nla_put_u32(msg, ESPIF_A_PEER_ID, id)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return espif_nl_do(nl, msg);
}

int espif_sa_new(struct espif_nl *nl, const struct espif_sa_cfg *s)
{
	struct nl_msg *msg = espif_nl_msg(nl, ESPIF_CMD_SA_NEW);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ESPIF_A_SA_IFINDEX, s->ifindex) ||
	    nla_put_u32(msg, ESPIF_A_SA_PEER_ID, s->peer_id) ||
	    nla_put_u32(msg, ESPIF_A_SA_SPI, htonl(s->spi)) ||
	    nla_put_u32(msg, ESPIF_A_SA_DIR, s->dir) ||
	    nla_put_u32(msg, ESPIF_A_SA_ALG, s->alg) ||
	    nla_put(msg, ESPIF_A_SA_KEY, (int)s->keylen, s->key) ||
	    (s->akeylen && nla_put(msg, ESPIF_A_SA_AUTH_KEY, (int)s->akeylen,
				   s->akey)) ||
	    (s->esn && nla_put_flag(msg, ESPIF_A_SA_ESN))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return espif_nl_do(nl, msg);
}

int espif_sa_del(struct espif_nl *nl, uint32_t ifindex, uint32_t peer_id,
		 uint32_t spi, uint32_t dir)
{
	struct nl_msg *msg = espif_nl_msg(nl, ESPIF_CMD_SA_DEL);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ESPIF_A_SA_IFINDEX, ifindex) ||
	    nla_put_u32(msg, ESPIF_A_SA_PEER_ID, peer_id) ||
	    nla_put_u32(msg, ESPIF_A_SA_SPI, htonl(spi)) ||
	    nla_put_u32(msg, ESPIF_A_SA_DIR, dir)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return espif_nl_do(nl, msg);
}
