/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: the "espif" generic netlink family.
 */
#ifndef _ESPIF_NETLINK_H
#define _ESPIF_NETLINK_H

#include <linux/types.h>

struct espif_peer;
struct espif_sa;
union espif_addr;

int espif_nl_register(void);
void espif_nl_unregister(void);

void espif_nl_notify_expire(struct espif_sa *sa, u32 reason);
void espif_nl_notify_mapping(struct espif_sa *sa, u8 family,
			     const union espif_addr *addr, __be16 port);
void espif_nl_notify_acquire(struct espif_peer *peer);

#endif /* _ESPIF_NETLINK_H */
