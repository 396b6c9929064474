// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: the "espif" generic netlink family.
 *
 * Policies and the ops table are generated from uapi/espif.yaml into
 * generated/netlink.c; this file holds the family and the handlers.  Every
 * request that is refused says why in an extack message and points at the
 * offending attribute.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "device.h"
#include "generated/netlink.h"
#include "netlink.h"

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
};

/**
 * espif_nl_dev_get_by_attr - resolve ESPIF_A_DEV_IFINDEX to an espif device
 * @net: network namespace of the requester
 * @info: the request
 *
 * Return: the device with a reference held (release with dev_put()), or an
 * ERR_PTR with the reason set in @info->extack.
 */
static struct net_device *espif_nl_dev_get_by_attr(struct net *net,
						   struct genl_info *info)
{
	struct net_device *dev;
	struct nlattr *attr;

	if (GENL_REQ_ATTR_CHECK(info, ESPIF_A_DEV_IFINDEX)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "missing interface index (ESPIF_A_DEV_IFINDEX)");
		return ERR_PTR(-EINVAL);
	}
	attr = info->attrs[ESPIF_A_DEV_IFINDEX];

	dev = dev_get_by_index(net, nla_get_u32(attr));
	if (!dev) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "no interface with this index in the requester's network namespace");
		NL_SET_BAD_ATTR(info->extack, attr);
		return ERR_PTR(-ENODEV);
	}
	if (!espif_dev_is_espif(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_MOD(info->extack,
				   "interface is not an espif interface");
		NL_SET_BAD_ATTR(info->extack, attr);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

/* Called under RCU or with a reference on @dev: the name may not change. */
static int espif_nl_dev_fill(struct sk_buff *skb, struct net_device *dev,
			     u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &espif_nl_family, flags,
			  ESPIF_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;

	if (nla_put_u32(skb, ESPIF_A_DEV_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, ESPIF_A_DEV_IFNAME, dev->name)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}

	genlmsg_end(skb, hdr);
	return 0;
}

int espif_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev;
	struct sk_buff *msg;
	int ret;

	dev = espif_nl_dev_get_by_attr(genl_info_net(info), info);
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

int __init espif_nl_register(void)
{
	return genl_register_family(&espif_nl_family);
}

void espif_nl_unregister(void)
{
	genl_unregister_family(&espif_nl_family);
}
