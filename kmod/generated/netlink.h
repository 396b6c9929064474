/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/espif.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_ESPIF_GEN_H
#define _LINUX_ESPIF_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/espif.h>

extern const struct nla_policy espif_dev_get_nl_policy[ESPIF_A_DEV_IFINDEX + 1];

/* Ops table for espif */
extern const struct genl_ops espif_nl_ops[1];

int espif_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

#endif /* _LINUX_ESPIF_GEN_H */
