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
#include "io.h"
#include "peer.h"
#include "udp.h"

/* See device.h: every configuration change, never the data path. */
DEFINE_MUTEX(espif_cfg_lock);
struct workqueue_struct *espif_wq;

static int espif_dev_init(struct net_device *dev)
{
	struct espif_dev *edev = netdev_priv(dev);
	int ret;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	ret = gro_cells_init(&edev->gro_cells, dev);
	if (ret) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
	}
	return ret;
}

/*
 * Unregistration (ip link del, netns exit, rmmod): remove every peer, SA
 * and socket, so that nothing finds the interface any more.  Packets in
 * flight hold the net_device and finish first.
 */
static void espif_dev_uninit(struct net_device *dev)
{
	struct espif_dev *edev = netdev_priv(dev);

	mutex_lock(&espif_cfg_lock);
	edev->dead = true;
	espif_udp_detach_all(edev);
	espif_peers_flush(edev);
	mutex_unlock(&espif_cfg_lock);
	gro_cells_destroy(&edev->gro_cells);
}

static void espif_dev_free(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static const struct net_device_ops espif_netdev_ops = {
	.ndo_init		= espif_dev_init,
	.ndo_uninit		= espif_dev_uninit,
	.ndo_start_xmit		= espif_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

/*
 * GSO packets are segmented in espif_xmit, after one lookup for them all:
 * the stack above runs once per 64 KiB instead of once per packet.
 */
#define ESPIF_FEATURES (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_RXCSUM | \
			NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE)

static void espif_setup(struct net_device *dev)
{
	struct espif_dev *edev = netdev_priv(dev);

	edev->dev = dev;
	INIT_LIST_HEAD(&edev->peers);
	dev->netdev_ops = &espif_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = espif_dev_free;

	/* A layer-3 tunnel: no link-layer header, no ARP, no multicast. */
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = ESPIF_DEFAULT_MTU;
	dev->min_mtu = ESPIF_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - ESPIF_MAX_OVERHEAD;
	dev->needed_headroom = ESPIF_OUTER_HEADROOM + 8 + 16;
	dev->needed_tailroom = 15 + 2 + 16;

	dev->features |= ESPIF_FEATURES;
	dev->hw_features |= ESPIF_FEATURES;
	dev->hw_enc_features |= ESPIF_FEATURES;
	/* Transmission is lockless: SAs serialise what must be. */
	espif_dev_set_lltx(dev);
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
	int ret;

	espif_wq = alloc_workqueue("espif", WQ_UNBOUND, 0);
	if (!espif_wq)
		return -ENOMEM;
	ret = rtnl_link_register(&espif_link_ops);
	if (ret)
		destroy_workqueue(espif_wq);
	return ret;
}

/*
 * rtnl_link_unregister() deletes every espif interface in every network
 * namespace before it returns, so nothing outlives the module; the last
 * SAs and peers are freed by RCU work, drained here.
 */
void espif_device_uninit(void)
{
	int i;

	rtnl_link_unregister(&espif_link_ops);
	/* Twice: an SA's free work puts its peer, which queues another. */
	for (i = 0; i < 2; i++) {
		rcu_barrier();
		flush_workqueue(espif_wq);
	}
	destroy_workqueue(espif_wq);
}
