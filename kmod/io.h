/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: the data path.
 */
#ifndef _ESPIF_IO_H
#define _ESPIF_IO_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

struct espif_sa;

netdev_tx_t espif_xmit(struct sk_buff *skb, struct net_device *dev);
void espif_input(struct sk_buff *skb, struct espif_sa *sa, __be16 sport);

#endif /* _ESPIF_IO_H */
