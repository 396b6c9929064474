/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: ESP in UDP (RFC 3948) on a socket userspace owns.
 */
#ifndef _ESPIF_UDP_H
#define _ESPIF_UDP_H

#include <linux/types.h>

struct espif_dev;
struct netlink_ext_ack;

int espif_udp_attach(struct espif_dev *edev, int fd,
		     struct netlink_ext_ack *extack);
void espif_udp_detach_all(struct espif_dev *edev);
int espif_udp_sport(struct espif_dev *edev, u8 family, __be16 *sport);
int espif_udp_ports(struct espif_dev *edev, __be16 *ports);

#endif /* _ESPIF_UDP_H */
