/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: the "espif" generic netlink family.
 */
#ifndef _ESPIF_NETLINK_H
#define _ESPIF_NETLINK_H

int espif_nl_register(void);
void espif_nl_unregister(void);

#endif /* _ESPIF_NETLINK_H */
