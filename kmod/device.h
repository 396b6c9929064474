/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: ESP (IPsec) tunnel interfaces.
 */
#ifndef _ESPIF_DEVICE_H
#define _ESPIF_DEVICE_H

#include <linux/netdevice.h>

/*
 * Worst-case tunnel overhead, used for the default MTU so that a full-size
 * inner packet still fits a 1500-byte outer link:
 *   outer IPv6 header (40) + UDP for NAT-T, RFC 3948 (8)
 *   + ESP header, RFC 4303 section 2 (8) + IV (16, AES-CBC)
 *   + padding to the 16-byte cipher block (15) + pad length and next header (2)
 *   + ICV (16).
 */
enum espif_limits {
	ESPIF_MAX_OVERHEAD = 40 + 8 + 8 + 16 + 15 + 2 + 16,
	ESPIF_DEFAULT_MTU = ETH_DATA_LEN - ESPIF_MAX_OVERHEAD,
	ESPIF_MIN_MTU = 576,	/* RFC 791: every IPv4 host must accept 576 */
};

/**
 * struct espif_dev - private state of one espif interface
 * @dev: the net_device this state belongs to
 *
 * Lifetime: allocated with the net_device by rtnl (alloc_netdev via
 * rtnl_link_ops), freed with it (needs_free_netdev).  Netlink handlers find
 * it under RCU or RTNL from an ifindex and hold a reference on the
 * net_device while they use it.
 */
struct espif_dev {
	struct net_device *dev;
};

extern struct rtnl_link_ops espif_link_ops;

bool espif_dev_is_espif(const struct net_device *dev);
int espif_device_init(void);
void espif_device_uninit(void);

#endif /* _ESPIF_DEVICE_H */
