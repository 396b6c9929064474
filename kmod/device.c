// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: ESP (IPsec) tunnel interfaces - the net_device side.
 */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/rtnetlink.h>

#include "device.h"

/*
 * No security association is installed yet, and an espif interface never
 * sends cleartext: everything routed into it is dropped and counted.
 */
static netdev_tx_t espif_xmit(struct sk_buff *skb, struct net_device *dev)
{
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops espif_netdev_ops = {
	.ndo_start_xmit		= espif_xmit,
};

static void espif_setup(struct net_device *dev)
{
	struct espif_dev *espif = netdev_priv(dev);

	espif->dev = dev;
	dev->netdev_ops = &espif_netdev_ops;
	dev->needs_free_netdev = true;

	/* A layer-3 tunnel: no link-layer header, no ARP, no multicast. */
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ESPIF_DEFAULT_MTU;
	dev->min_mtu = ESPIF_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - ESPIF_MAX_OVERHEAD;
}

struct rtnl_link_ops espif_link_ops __read_mostly = {
	.kind		= KBUILD_MODNAME,
	.priv_size	= sizeof(struct espif_dev),
	.setup		= espif_setup,
};

bool espif_dev_is_espif(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &espif_link_ops;
}

int espif_device_init(void)
{
	return rtnl_link_register(&espif_link_ops);
}

/*
 * rtnl_link_unregister() deletes every espif interface in every network
 * namespace before it returns, so nothing outlives the module.
 */
void espif_device_uninit(void)
{
	rtnl_link_unregister(&espif_link_ops);
}
