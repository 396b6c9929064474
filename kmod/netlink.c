// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: the "espif" generic netlink family.
 *
 * Policies and the ops table are generated from uapi/espif.yaml into
 * generated/netlink.c; this file holds the family and the handlers.  Every
 * request that is refused says why in an extack message and points at the
 * offending attribute.  Key material goes from the request into the
 * transform and never comes back out.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "device.h"
#include "generated/netlink.h"
#include "netlink.h"
#include "peer.h"
#include "sa.h"
#include "udp.h"

/*
 * NL_SET_ERR_MSG_ATTR() with the module prefix every other message has.
 * The local must not be called __extack: NL_SET_ERR_MSG() declares one of
 * that name and would initialise it from itself.
 */
#define espif_nl_attr_error(extack, attr, msg) do {	\
	struct netlink_ext_ack *__espif_ea = (extack);	\
							\
	NL_SET_ERR_MSG_MOD(__espif_ea, msg);		\
	NL_SET_BAD_ATTR(__espif_ea, attr);		\
} while (0)

static const struct genl_multicast_group espif_nl_family_mcgrps[] = {
	[ESPIF_NLGRP_NOTIFY] = { .name = ESPIF_MCGRP_NOTIFY, },
};

/*
 * The family struct is written here rather than generated: per-op policies
 * (see uapi/espif.yaml) make the generator leave it to us.  Its fields are
 * those the generator writes for a "genetlink" family.
 */
static struct genl_family espif_nl_family __ro_after_init = {
	.name		= ESPIF_FAMILY_NAME,
	.version	= ESPIF_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= espif_nl_ops,
	.n_ops		= ARRAY_SIZE(espif_nl_ops),
	.mcgrps		= espif_nl_family_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(espif_nl_family_mcgrps),
};

/**
 * espif_nl_dev_get - resolve an interface index attribute
 * @net: network namespace of the requester
 * @attr: the index attribute, or NULL when the request has none
 * @type: the index attribute's type in the request's attribute set
 * @extack: where to say why not
 *
 * Return: the device with a reference held (release with dev_put()), or an
 * ERR_PTR with the reason set in @extack.
 */
static struct net_device *espif_nl_dev_get(struct net *net,
					   const struct nlattr *attr, int type,
					   struct netlink_ext_ack *extack)
{
	struct net_device *dev;

	if (!attr) {
		NL_SET_ERR_MSG_MOD(extack, "missing interface index (ifindex)");
		NL_SET_ERR_ATTR_MISS(extack, NULL, type);
		return ERR_PTR(-EINVAL);
	}
	dev = dev_get_by_index(net, nla_get_u32(attr));
	if (!dev) {
		NL_SET_ERR_MSG_MOD(extack,
				   "no interface with this index in the requester's network namespace");
		NL_SET_BAD_ATTR(extack, attr);
		return ERR_PTR(-ENODEV);
	}
	if (!espif_dev_is_espif(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_MOD(extack, "interface is not an espif interface");
		NL_SET_BAD_ATTR(extack, attr);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

/*
 * The interface of a configuration request, with espif_cfg_lock held and a
 * reference on its net_device; release with espif_nl_unlock().
 */
static struct espif_dev *espif_nl_lock(struct genl_info *info, int type)
{
	struct net_device *dev;
	struct espif_dev *edev;

	dev = espif_nl_dev_get(genl_info_net(info), info->attrs[type], type,
			       info->extack);
	if (IS_ERR(dev))
		return ERR_CAST(dev);
	edev = netdev_priv(dev);
	mutex_lock(&espif_cfg_lock);
	if (edev->dead) {
		mutex_unlock(&espif_cfg_lock);
		dev_put(dev);
		NL_SET_ERR_MSG_MOD(info->extack, "the interface is being deleted");
		return ERR_PTR(-ENODEV);
	}
	return edev;
}

static void espif_nl_unlock(struct espif_dev *edev)
{
	mutex_unlock(&espif_cfg_lock);
	dev_put(edev->dev);
}

/*
 * An attribute of a dump request.  The core validated the request against
 * the op's policy; looking the attribute up here spares a compat shim for
 * where the parsed attributes live (genl_dumpit_info changed in 6.6).
 */
static const struct nlattr *espif_nl_dump_attr(struct netlink_callback *cb,
					       int type)
{
	return nla_find(nlmsg_attrdata(cb->nlh, GENL_HDRLEN),
			nlmsg_attrlen(cb->nlh, GENL_HDRLEN), type);
}

/* --- dev ---------------------------------------------------------------- */

static int espif_nl_put_stats(struct sk_buff *skb, struct espif_dev *edev)
{
	const struct espif_dev_stats *st = &edev->stats;
	const struct {
		int attr;
		const atomic64_t *v;
	} c[] = {
		{ ESPIF_A_DEV_STATS_TX_NO_PEER, &st->tx_no_peer },
		{ ESPIF_A_DEV_STATS_TX_NO_SA, &st->tx_no_sa },
		{ ESPIF_A_DEV_STATS_TX_ERRORS, &st->tx_errors },
		{ ESPIF_A_DEV_STATS_TX_TOO_BIG, &st->tx_too_big },
		{ ESPIF_A_DEV_STATS_RX_NO_SA, &st->rx_no_sa },
		{ ESPIF_A_DEV_STATS_RX_MALFORMED, &st->rx_malformed },
		{ ESPIF_A_DEV_STATS_RX_SPOOFED, &st->rx_spoofed },
	};
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, ESPIF_A_DEV_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		if (nla_put_u64_64bit(skb, c[i].attr, atomic64_read(c[i].v),
				      ESPIF_A_DEV_STATS_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Called under RCU or with a reference on @dev: the name may not change. */
static int espif_nl_dev_fill(struct sk_buff *skb, struct net_device *dev,
			     u32 portid, u32 seq, int flags)
{
	struct espif_dev *edev = netdev_priv(dev);
	__be16 ports[2];
	void *hdr;
	int i, n;

	hdr = genlmsg_put(skb, portid, seq, &espif_nl_family, flags,
			  ESPIF_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, ESPIF_A_DEV_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, ESPIF_A_DEV_IFNAME, dev->name) ||
	    espif_nl_put_stats(skb, edev))
		goto err;
	n = espif_udp_ports(edev, ports);
	for (i = 0; i < n; i++)
		if (nla_put_be16(skb, ESPIF_A_DEV_SOCK_PORT, ports[i]))
			goto err;

	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int espif_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	int ret;

	dev = espif_nl_dev_get(genl_info_net(info),
			       info->attrs[ESPIF_A_DEV_IFINDEX],
			       ESPIF_A_DEV_IFINDEX, info->extack);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_put;
	}

	rcu_read_lock();
	ret = espif_nl_dev_fill(msg, dev, info->snd_portid, info->snd_seq, 0);
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		goto out_put;
	}

	ret = genlmsg_reply(msg, info);
out_put:
	dev_put(dev);
	return ret;
}

/*
 * Dump every espif interface of the requester's namespace.  cb->args[0]
 * counts the espif interfaces already sent, so that a dump split over several
 * messages resumes where it stopped.
 */
int espif_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	long skip = cb->args[0], idx = 0;
	struct net_device *dev;
	int ret = 0;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (!espif_dev_is_espif(dev))
			continue;
		if (idx++ < skip)
			continue;
		ret = espif_nl_dev_fill(skb, dev, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();

	cb->args[0] = idx;
	/* A full message ends this part; the core calls us again for more. */
	if (ret && ret != -EMSGSIZE)
		return ret;
	return skb->len;
}

int espif_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_dev *edev;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_DEV_SOCK_FD)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing socket (sock-fd)");
		return -EINVAL;
	}
	edev = espif_nl_lock(info, ESPIF_A_DEV_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	ret = espif_udp_attach(edev, nla_get_u32(info->attrs[ESPIF_A_DEV_SOCK_FD]),
			       info->extack);
	if (ret)
		NL_SET_BAD_ATTR(info->extack, info->attrs[ESPIF_A_DEV_SOCK_FD]);
	espif_nl_unlock(edev);
	return ret;
}

/* --- peer --------------------------------------------------------------- */

/* An outer or inner address: 4 bytes for IPv4, 16 for IPv6. */
static int espif_nl_get_addr(const struct nlattr *attr, union espif_addr *a,
			     struct netlink_ext_ack *extack)
{
	memset(a, 0, sizeof(*a));
	switch (nla_len(attr)) {
	case 4:
		a->ip4 = nla_get_in_addr(attr);
		return AF_INET;
	case 16:
		a->ip6 = nla_get_in6_addr(attr);
		return AF_INET6;
	}
	espif_nl_attr_error(extack, attr,
			    "an address is 4 (IPv4) or 16 (IPv6) bytes long");
	return -EINVAL;
}

static int espif_nl_parse_endpoint(struct genl_info *info,
				   struct espif_endpoint *ep)
{
	struct nlattr **attrs = info->attrs;
	union espif_addr local;
	int family;

	if (attrs[ESPIF_A_PEER_REMOTE]) {
		family = espif_nl_get_addr(attrs[ESPIF_A_PEER_REMOTE],
					   &ep->remote, info->extack);
		if (family < 0)
			return family;
		if ((family == AF_INET && ipv4_is_zeronet(ep->remote.ip4)) ||
		    (family == AF_INET6 && ipv6_addr_any(&ep->remote.ip6))) {
			espif_nl_attr_error(info->extack,
					    attrs[ESPIF_A_PEER_REMOTE],
					    "the remote address must be a unicast address");
			return -EINVAL;
		}
		ep->family = family;
		/* A new remote replaces the whole endpoint. */
		memset(&ep->local, 0, sizeof(ep->local));
		ep->port = 0;
	}
	if (attrs[ESPIF_A_PEER_LOCAL]) {
		family = espif_nl_get_addr(attrs[ESPIF_A_PEER_LOCAL], &local,
					   info->extack);
		if (family < 0)
			return family;
		if (family != ep->family) {
			espif_nl_attr_error(info->extack,
					    attrs[ESPIF_A_PEER_LOCAL],
					    "the local and remote addresses are of different families");
			return -EINVAL;
		}
		ep->local = local;
	}
	if (attrs[ESPIF_A_PEER_PORT])
		ep->port = nla_get_be16(attrs[ESPIF_A_PEER_PORT]);
	return 0;
}

/* Collect every selector of the request.  Return: count or -errno. */
static int espif_nl_parse_selectors(struct genl_info *info,
				    struct espif_selector **out)
{
	struct nlattr *tb[ESPIF_A_SELECTOR_MAX + 1];
	struct espif_selector *sel;
	struct nlattr *attr;
	int n = 0, rem, family, ret;

	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem)
		if (nla_type(attr) == ESPIF_A_PEER_SELECTOR)
			n++;
	if (n > ESPIF_MAX_SELECTORS) {
		NL_SET_ERR_MSG_MOD(info->extack, "too many selectors for one peer");
		return -E2BIG;
	}
	*out = NULL;
	if (!n)
		return 0;
	sel = kcalloc(n, sizeof(*sel), GFP_KERNEL);
	if (!sel)
		return -ENOMEM;

	n = 0;
	nla_for_each_attr(attr, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(attr) != ESPIF_A_PEER_SELECTOR)
			continue;
		ret = nla_parse_nested(tb, ESPIF_A_SELECTOR_MAX, attr,
				       espif_selector_nl_policy, info->extack);
		if (ret)
			goto err;
		ret = -EINVAL;
		if (!tb[ESPIF_A_SELECTOR_ADDR] ||
		    !tb[ESPIF_A_SELECTOR_PREFIX_LEN]) {
			espif_nl_attr_error(info->extack, attr,
					    "a selector needs addr and prefix-len");
			goto err;
		}
		family = espif_nl_get_addr(tb[ESPIF_A_SELECTOR_ADDR],
					   &sel[n].addr, info->extack);
		if (family < 0)
			goto err;
		sel[n].family = family;
		sel[n].plen = nla_get_u8(tb[ESPIF_A_SELECTOR_PREFIX_LEN]);
		if (!espif_selector_valid(&sel[n])) {
			espif_nl_attr_error(info->extack, attr,
					    "the prefix length is too long for the address family, or the address has bits set beyond it");
			goto err;
		}
		n++;
	}
	*out = sel;
	return n;
err:
	kfree(sel);
	return ret;
}

static struct espif_peer *espif_nl_find_peer(struct espif_dev *edev,
					     struct genl_info *info, int type)
{
	struct espif_peer *peer;

	peer = espif_peer_find(edev, nla_get_u32(info->attrs[type]));
	if (!peer)
		espif_nl_attr_error(info->extack, info->attrs[type],
				    "no peer with this id on the interface");
	return peer;
}

int espif_nl_peer_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_endpoint ep = {};
	struct espif_selector *sel;
	struct espif_peer *peer;
	struct espif_dev *edev;
	int n, ret;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_PEER_ID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing peer id");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_PEER_REMOTE)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing remote address");
		return -EINVAL;
	}
	ret = espif_nl_parse_endpoint(info, &ep);
	if (ret)
		return ret;
	n = espif_nl_parse_selectors(info, &sel);
	if (n < 0)
		return n;

	edev = espif_nl_lock(info, ESPIF_A_PEER_IFINDEX);
	if (IS_ERR(edev)) {
		kfree(sel);
		return PTR_ERR(edev);
	}
	if (espif_peer_find(edev, nla_get_u32(info->attrs[ESPIF_A_PEER_ID]))) {
		espif_nl_attr_error(info->extack, info->attrs[ESPIF_A_PEER_ID],
				    "a peer with this id already exists");
		kfree(sel);
		ret = -EEXIST;
		goto out;
	}
	peer = espif_peer_new(edev, nla_get_u32(info->attrs[ESPIF_A_PEER_ID]));
	if (!peer) {
		kfree(sel);
		ret = -ENOMEM;
		goto out;
	}
	espif_peer_set_endpoint(peer, &ep);
	ret = espif_peer_set_selectors(peer, sel, n, info->extack);
	if (ret)
		espif_peer_del(peer);
out:
	espif_nl_unlock(edev);
	return ret;
}

int espif_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_selector *sel;
	struct espif_endpoint ep;
	struct espif_peer *peer;
	struct espif_dev *edev;
	int n, ret;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_PEER_ID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing peer id");
		return -EINVAL;
	}
	n = espif_nl_parse_selectors(info, &sel);
	if (n < 0)
		return n;
	edev = espif_nl_lock(info, ESPIF_A_PEER_IFINDEX);
	if (IS_ERR(edev)) {
		kfree(sel);
		return PTR_ERR(edev);
	}
	ret = -ENOENT;
	peer = espif_nl_find_peer(edev, info, ESPIF_A_PEER_ID);
	if (!peer) {
		kfree(sel);
		goto out;
	}
	espif_peer_get_endpoint(peer, &ep);
	ret = espif_nl_parse_endpoint(info, &ep);
	if (ret) {
		kfree(sel);
		goto out;
	}
	if (n) {
		ret = espif_peer_set_selectors(peer, sel, n, info->extack);
		if (ret)
			goto out;
	}
	espif_peer_set_endpoint(peer, &ep);
out:
	espif_nl_unlock(edev);
	return ret;
}

static int espif_nl_put_addr(struct sk_buff *skb, int type, u8 family,
			     const union espif_addr *a)
{
	return nla_put(skb, type, family == AF_INET ? 4 : 16, a);
}

static int espif_nl_peer_fill(struct sk_buff *skb, struct espif_peer *peer,
			      u32 portid, u32 seq, int flags)
{
	struct espif_endpoint ep;
	struct espif_sa *tx;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &espif_nl_family, flags,
			  ESPIF_CMD_PEER_GET);
	if (!hdr)
		return -EMSGSIZE;
	espif_peer_get_endpoint(peer, &ep);
	if (nla_put_u32(skb, ESPIF_A_PEER_IFINDEX, peer->edev->dev->ifindex) ||
	    nla_put_u32(skb, ESPIF_A_PEER_ID, peer->id) ||
	    espif_nl_put_addr(skb, ESPIF_A_PEER_REMOTE, ep.family, &ep.remote))
		goto err;
	if (memchr_inv(&ep.local, 0, sizeof(ep.local)) &&
	    espif_nl_put_addr(skb, ESPIF_A_PEER_LOCAL, ep.family, &ep.local))
		goto err;
	if (ep.port && nla_put_be16(skb, ESPIF_A_PEER_PORT, ep.port))
		goto err;
	for (i = 0; i < peer->n_sel; i++) {
		nest = nla_nest_start(skb, ESPIF_A_PEER_SELECTOR);
		if (!nest ||
		    espif_nl_put_addr(skb, ESPIF_A_SELECTOR_ADDR,
				      peer->sel[i].family, &peer->sel[i].addr) ||
		    nla_put_u8(skb, ESPIF_A_SELECTOR_PREFIX_LEN,
			       peer->sel[i].plen))
			goto err;
		nla_nest_end(skb, nest);
	}
	tx = rcu_dereference_protected(peer->tx_sa,
				       lockdep_is_held(&espif_cfg_lock));
	if (tx && nla_put_be32(skb, ESPIF_A_PEER_TX_SPI, tx->spi))
		goto err;
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int espif_nl_peer_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_peer *peer;
	struct espif_dev *edev;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_PEER_ID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing peer id");
		return -EINVAL;
	}
	edev = espif_nl_lock(info, ESPIF_A_PEER_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	ret = -ENOENT;
	peer = espif_nl_find_peer(edev, info, ESPIF_A_PEER_ID);
	if (!peer)
		goto out;
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = espif_nl_peer_fill(msg, peer, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	espif_nl_unlock(edev);
	return ret;
}

/*
 * Dumps of peers and SAs are per interface (ifindex in the request).  The
 * configuration lock is held while filling, so the lists are stable;
 * cb->args[0] counts what was sent to resume after a full message.
 */
static struct espif_dev *espif_nl_dump_lock(struct sk_buff *skb,
					    struct netlink_callback *cb,
					    int type)
{
	struct net_device *dev;
	struct espif_dev *edev;

	dev = espif_nl_dev_get(sock_net(skb->sk), espif_nl_dump_attr(cb, type),
			       type, cb->extack);
	if (IS_ERR(dev))
		return ERR_CAST(dev);
	edev = netdev_priv(dev);
	mutex_lock(&espif_cfg_lock);
	return edev;
}

int espif_nl_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	long skip = cb->args[0], idx = 0;
	struct espif_peer *peer;
	struct espif_dev *edev;
	int ret = 0;

	edev = espif_nl_dump_lock(skb, cb, ESPIF_A_PEER_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	list_for_each_entry(peer, &edev->peers, node) {
		if (idx++ < skip)
			continue;
		ret = espif_nl_peer_fill(skb, peer, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret) {
			idx--;
			break;
		}
	}
	espif_nl_unlock(edev);
	cb->args[0] = idx;
	if (ret && ret != -EMSGSIZE)
		return ret;
	return skb->len;
}

int espif_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_peer *peer;
	struct espif_dev *edev;
	int ret = 0;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_PEER_ID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing peer id");
		return -EINVAL;
	}
	edev = espif_nl_lock(info, ESPIF_A_PEER_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	peer = espif_nl_find_peer(edev, info, ESPIF_A_PEER_ID);
	if (peer)
		espif_peer_del(peer);
	else
		ret = -ENOENT;
	espif_nl_unlock(edev);
	return ret;
}

/* --- sa ----------------------------------------------------------------- */

static const int espif_nl_limit_attr[ESPIF_LIM_N] = {
	[ESPIF_LIM_SOFT_BYTES] = ESPIF_A_SA_SOFT_BYTES,
	[ESPIF_LIM_HARD_BYTES] = ESPIF_A_SA_HARD_BYTES,
	[ESPIF_LIM_SOFT_PACKETS] = ESPIF_A_SA_SOFT_PACKETS,
	[ESPIF_LIM_HARD_PACKETS] = ESPIF_A_SA_HARD_PACKETS,
};

/* Lifetimes from the request over @lim; a soft limit must not exceed a hard one. */
static int espif_nl_parse_limits(struct genl_info *info, u64 *lim)
{
	int i;

	for (i = 0; i < ESPIF_LIM_N; i++)
		if (info->attrs[espif_nl_limit_attr[i]])
			lim[i] = nla_get_u64(info->attrs[espif_nl_limit_attr[i]]);
	if ((lim[ESPIF_LIM_HARD_BYTES] &&
	     lim[ESPIF_LIM_SOFT_BYTES] > lim[ESPIF_LIM_HARD_BYTES]) ||
	    (lim[ESPIF_LIM_HARD_PACKETS] &&
	     lim[ESPIF_LIM_SOFT_PACKETS] > lim[ESPIF_LIM_HARD_PACKETS])) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "a soft lifetime is larger than the hard one");
		return -EINVAL;
	}
	return 0;
}

/* RFC 4303 2.1: SPI 0 is reserved, 1-255 are reserved by IANA. */
static int espif_nl_get_spi(struct genl_info *info, __be32 *spi)
{
	*spi = nla_get_be32(info->attrs[ESPIF_A_SA_SPI]);
	if (ntohl(*spi) < 256) {
		espif_nl_attr_error(info->extack, info->attrs[ESPIF_A_SA_SPI],
				    "SPIs 0-255 are reserved (RFC 4303 2.1)");
		return -EINVAL;
	}
	return 0;
}

/* Key lengths per transform, in bytes (with the 4-byte salt for AEADs). */
static int espif_nl_check_keys(struct genl_info *info,
			       struct espif_sa_params *p)
{
	struct nlattr *key = info->attrs[ESPIF_A_SA_KEY];
	struct nlattr *akey = info->attrs[ESPIF_A_SA_AUTH_KEY];

	p->key = nla_data(key);
	p->keylen = nla_len(key);
	switch (p->alg) {
	case ESPIF_ALG_AES_GCM:
		if (p->keylen != 16 + 4 && p->keylen != 32 + 4) {
			espif_nl_attr_error(info->extack, key,
					    "aes-gcm takes a 20- or 36-byte key (AES-128/256 key and 4-byte salt)");
			return -EINVAL;
		}
		break;
	case ESPIF_ALG_CHACHA20_POLY1305:
		if (p->keylen != 32 + 4) {
			espif_nl_attr_error(info->extack, key,
					    "chacha20-poly1305 takes a 36-byte key (32-byte key and 4-byte salt)");
			return -EINVAL;
		}
		break;
	case ESPIF_ALG_AES_CBC_HMAC_SHA256:
		if (p->keylen != 16 && p->keylen != 32) {
			espif_nl_attr_error(info->extack, key,
					    "aes-cbc-hmac-sha256 takes a 16- or 32-byte key");
			return -EINVAL;
		}
		if (!akey) {
			NL_SET_ERR_MSG_MOD(info->extack,
					   "aes-cbc-hmac-sha256 needs an auth-key (32 bytes)");
			NL_SET_ERR_ATTR_MISS(info->extack, NULL,
					     ESPIF_A_SA_AUTH_KEY);
			return -EINVAL;
		}
		p->akey = nla_data(akey);
		p->akeylen = nla_len(akey);
		return 0;
	}
	if (akey) {
		espif_nl_attr_error(info->extack, akey,
				    "an AEAD transform takes no auth-key");
		return -EINVAL;
	}
	return 0;
}

int espif_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_sa_params p = { .window = 128 };
	struct espif_peer *peer;
	struct espif_dev *edev;
	struct espif_sa *sa;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_PEER_ID) ||
	    GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_SPI) ||
	    GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_DIR) ||
	    GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_ALG) ||
	    GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_KEY)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "an SA needs peer-id, spi, dir, alg and key");
		return -EINVAL;
	}
	ret = espif_nl_get_spi(info, &p.spi);
	if (ret)
		return ret;
	p.dir = nla_get_u32(info->attrs[ESPIF_A_SA_DIR]);
	p.alg = nla_get_u32(info->attrs[ESPIF_A_SA_ALG]);
	ret = espif_nl_check_keys(info, &p);
	if (ret)
		return ret;
	p.esn = nla_get_flag(info->attrs[ESPIF_A_SA_ESN]);
	if (info->attrs[ESPIF_A_SA_REPLAY_WINDOW])
		p.window = nla_get_u32(info->attrs[ESPIF_A_SA_REPLAY_WINDOW]);
	if (p.window > ESPIF_REPLAY_MAX) {
		/* Checked here: 6.1's NLA_POLICY_FULL_RANGE takes no const. */
		espif_nl_attr_error(info->extack,
				    info->attrs[ESPIF_A_SA_REPLAY_WINDOW],
				    "the replay window is at most 65536 packets");
		return -EINVAL;
	}
	if (p.esn && !p.window && p.dir == ESPIF_DIR_IN) {
		espif_nl_attr_error(info->extack,
				    info->attrs[ESPIF_A_SA_REPLAY_WINDOW],
				    "ESN needs a replay window to infer the high sequence bits");
		return -EINVAL;
	}
	ret = espif_nl_parse_limits(info, p.limits);
	if (ret)
		return ret;
	if (info->attrs[ESPIF_A_SA_SEQ]) {
		p.seq = nla_get_u64(info->attrs[ESPIF_A_SA_SEQ]);
		if (!p.esn && p.seq > U32_MAX) {
			espif_nl_attr_error(info->extack,
					    info->attrs[ESPIF_A_SA_SEQ],
					    "without esn a sequence number has 32 bits");
			return -EINVAL;
		}
	}

	edev = espif_nl_lock(info, ESPIF_A_SA_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	ret = -ENOENT;
	peer = espif_nl_find_peer(edev, info, ESPIF_A_SA_PEER_ID);
	if (!peer)
		goto out;
	ret = espif_sa_create(peer, &p, &sa, info->extack);
	if (ret)
		goto out;
	ret = espif_sa_link(sa, info->extack);
	if (ret) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[ESPIF_A_SA_SPI]);
		espif_sa_put(sa);
	}
out:
	espif_nl_unlock(edev);
	return ret;
}

/* The SA a request names: inbound by spi, outbound by peer-id and spi. */
static struct espif_sa *espif_nl_find_sa(struct espif_dev *edev,
					 struct genl_info *info)
{
	u32 peer_id = 0;
	struct espif_sa *sa;
	__be32 spi;
	u8 dir;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_SPI) ||
	    GENL_REQ_ATTR_CHECK(info, ESPIF_A_SA_DIR)) {
		NL_SET_ERR_MSG_MOD(info->extack, "an SA is named by spi and dir");
		return ERR_PTR(-EINVAL);
	}
	spi = nla_get_be32(info->attrs[ESPIF_A_SA_SPI]);
	dir = nla_get_u32(info->attrs[ESPIF_A_SA_DIR]);
	if (info->attrs[ESPIF_A_SA_PEER_ID])
		peer_id = nla_get_u32(info->attrs[ESPIF_A_SA_PEER_ID]);
	if (dir == ESPIF_DIR_OUT && !peer_id) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "an outbound SA is named by peer-id and spi");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, ESPIF_A_SA_PEER_ID);
		return ERR_PTR(-EINVAL);
	}
	sa = espif_sa_find(edev, dir, spi, peer_id);
	if (!sa) {
		espif_nl_attr_error(info->extack, info->attrs[ESPIF_A_SA_SPI],
				    "no such SA on the interface");
		return ERR_PTR(-ENOENT);
	}
	return sa;
}

int espif_nl_sa_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_dev *edev;
	u64 lim[ESPIF_LIM_N];
	struct espif_sa *sa;
	int ret;

	edev = espif_nl_lock(info, ESPIF_A_SA_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	sa = espif_nl_find_sa(edev, info);
	if (IS_ERR(sa)) {
		ret = PTR_ERR(sa);
		goto out;
	}
	spin_lock_bh(&sa->lock);
	memcpy(lim, sa->limits, sizeof(lim));
	spin_unlock_bh(&sa->lock);
	ret = espif_nl_parse_limits(info, lim);
	if (ret)
		goto out;
	spin_lock_bh(&sa->lock);
	memcpy(sa->limits, lim, sizeof(lim));
	spin_unlock_bh(&sa->lock);
out:
	espif_nl_unlock(edev);
	return ret;
}

static u32 espif_nl_sa_state(u32 events)
{
	if (events & ESPIF_EV_EXHAUSTED)
		return ESPIF_EXPIRE_SEQ_EXHAUSTED;
	if (events & ESPIF_EV_HARD)
		return ESPIF_EXPIRE_HARD;
	return ESPIF_EXPIRE_SOFT;
}

static int espif_nl_sa_fill(struct sk_buff *skb, struct espif_sa *sa,
			    u32 portid, u32 seq, int flags)
{
	struct espif_peer *peer = sa->peer;
	u64 v[ESPIF_LIM_N], cnt[6];
	u32 events, window;
	bool active;
	void *hdr;
	int i;

	spin_lock_bh(&sa->lock);
	memcpy(v, sa->limits, sizeof(v));
	cnt[0] = sa->dir == ESPIF_DIR_OUT ? sa->seq : sa->replay.top;
	cnt[1] = sa->packets;
	cnt[2] = sa->bytes;
	cnt[3] = sa->replay_drops;
	cnt[4] = sa->auth_fails;
	cnt[5] = sa->last_used;
	events = sa->events;
	window = sa->replay.window;
	spin_unlock_bh(&sa->lock);
	active = rcu_access_pointer(peer->tx_sa) == sa;

	hdr = genlmsg_put(skb, portid, seq, &espif_nl_family, flags,
			  ESPIF_CMD_SA_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, ESPIF_A_SA_IFINDEX, peer->edev->dev->ifindex) ||
	    nla_put_u32(skb, ESPIF_A_SA_PEER_ID, peer->id) ||
	    nla_put_be32(skb, ESPIF_A_SA_SPI, sa->spi) ||
	    nla_put_u32(skb, ESPIF_A_SA_DIR, sa->dir) ||
	    nla_put_u32(skb, ESPIF_A_SA_ALG, sa->alg) ||
	    (sa->esn && nla_put_flag(skb, ESPIF_A_SA_ESN)) ||
	    (sa->dir == ESPIF_DIR_IN &&
	     nla_put_u32(skb, ESPIF_A_SA_REPLAY_WINDOW, window)) ||
	    (active && nla_put_flag(skb, ESPIF_A_SA_ACTIVE)) ||
	    (events && nla_put_u32(skb, ESPIF_A_SA_EXPIRE,
				   espif_nl_sa_state(events))))
		goto err;
	for (i = 0; i < ESPIF_LIM_N; i++)
		if (v[i] && nla_put_u64_64bit(skb, espif_nl_limit_attr[i], v[i],
					      ESPIF_A_SA_PAD))
			goto err;
	if (nla_put_u64_64bit(skb, ESPIF_A_SA_SEQ, cnt[0], ESPIF_A_SA_PAD) ||
	    nla_put_u64_64bit(skb, ESPIF_A_SA_PACKETS, cnt[1], ESPIF_A_SA_PAD) ||
	    nla_put_u64_64bit(skb, ESPIF_A_SA_BYTES, cnt[2], ESPIF_A_SA_PAD) ||
	    nla_put_u64_64bit(skb, ESPIF_A_SA_REPLAY_DROPS, cnt[3],
			      ESPIF_A_SA_PAD) ||
	    nla_put_u64_64bit(skb, ESPIF_A_SA_AUTH_FAILS, cnt[4],
			      ESPIF_A_SA_PAD) ||
	    nla_put_u64_64bit(skb, ESPIF_A_SA_LAST_USED, cnt[5],
			      ESPIF_A_SA_PAD))
		goto err;
	genlmsg_end(skb, hdr);
	return 0;
err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int espif_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_dev *edev;
	struct espif_sa *sa;
	struct sk_buff *msg;
	int ret;

	edev = espif_nl_lock(info, ESPIF_A_SA_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	sa = espif_nl_find_sa(edev, info);
	if (IS_ERR(sa)) {
		ret = PTR_ERR(sa);
		goto out;
	}
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = espif_nl_sa_fill(msg, sa, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	espif_nl_unlock(edev);
	return ret;
}

int espif_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	long skip = cb->args[0], idx = 0;
	struct espif_peer *peer;
	struct espif_dev *edev;
	struct espif_sa *sa;
	int ret = 0;

	edev = espif_nl_dump_lock(skb, cb, ESPIF_A_SA_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	list_for_each_entry(peer, &edev->peers, node) {
		list_for_each_entry(sa, &peer->sas, node) {
			if (idx++ < skip)
				continue;
			ret = espif_nl_sa_fill(skb, sa,
					       NETLINK_CB(cb->skb).portid,
					       cb->nlh->nlmsg_seq, NLM_F_MULTI);
			if (ret) {
				idx--;
				goto out;
			}
		}
	}
out:
	espif_nl_unlock(edev);
	cb->args[0] = idx;
	if (ret && ret != -EMSGSIZE)
		return ret;
	return skb->len;
}

int espif_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct espif_dev *edev;
	struct espif_sa *sa;
	int ret = 0;

	edev = espif_nl_lock(info, ESPIF_A_SA_IFINDEX);
	if (IS_ERR(edev))
		return PTR_ERR(edev);
	sa = espif_nl_find_sa(edev, info);
	if (IS_ERR(sa))
		ret = PTR_ERR(sa);
	else
		espif_sa_unlink(sa);
	espif_nl_unlock(edev);
	return ret;
}

/* --- notifications (any context) --------------------------------------- */

static struct sk_buff *espif_nl_ntf_new(struct net *net, u8 cmd, void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&espif_nl_family, net, ESPIF_NLGRP_NOTIFY))
		return NULL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &espif_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void espif_nl_ntf_send(struct net *net, struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&espif_nl_family, net, msg, 0,
				ESPIF_NLGRP_NOTIFY, GFP_ATOMIC);
}

void espif_nl_notify_expire(struct espif_sa *sa, u32 reason)
{
	struct net_device *dev = sa->peer->edev->dev;
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	msg = espif_nl_ntf_new(net, ESPIF_CMD_EXPIRE_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, ESPIF_A_SA_IFINDEX, dev->ifindex) ||
	    nla_put_u32(msg, ESPIF_A_SA_PEER_ID, sa->peer->id) ||
	    nla_put_be32(msg, ESPIF_A_SA_SPI, sa->spi) ||
	    nla_put_u32(msg, ESPIF_A_SA_DIR, sa->dir) ||
	    nla_put_u32(msg, ESPIF_A_SA_EXPIRE, reason)) {
		nlmsg_free(msg);
		return;
	}
	espif_nl_ntf_send(net, msg, hdr);
}

void espif_nl_notify_mapping(struct espif_sa *sa, u8 family,
			     const union espif_addr *addr, __be16 port)
{
	struct net_device *dev = sa->peer->edev->dev;
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	msg = espif_nl_ntf_new(net, ESPIF_CMD_MAPPING_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, ESPIF_A_MAPPING_IFINDEX, dev->ifindex) ||
	    nla_put_u32(msg, ESPIF_A_MAPPING_PEER_ID, sa->peer->id) ||
	    nla_put_be32(msg, ESPIF_A_MAPPING_SPI, sa->spi) ||
	    espif_nl_put_addr(msg, ESPIF_A_MAPPING_REMOTE, family, addr) ||
	    nla_put_be16(msg, ESPIF_A_MAPPING_PORT, port)) {
		nlmsg_free(msg);
		return;
	}
	espif_nl_ntf_send(net, msg, hdr);
}

void espif_nl_notify_acquire(struct espif_peer *peer)
{
	struct net_device *dev = peer->edev->dev;
	struct net *net = dev_net(dev);
	struct sk_buff *msg;
	void *hdr;

	msg = espif_nl_ntf_new(net, ESPIF_CMD_ACQUIRE_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u32(msg, ESPIF_A_PEER_IFINDEX, dev->ifindex) ||
	    nla_put_u32(msg, ESPIF_A_PEER_ID, peer->id)) {
		nlmsg_free(msg);
		return;
	}
	espif_nl_ntf_send(net, msg, hdr);
}

int __init espif_nl_register(void)
{
	return genl_register_family(&espif_nl_family);
}

void espif_nl_unregister(void)
{
	genl_unregister_family(&espif_nl_family);
}

#if IS_ENABLED(CONFIG_ESPIF_KUNIT_TEST)
#include "tests/netlink_kunit.c"
#endif
