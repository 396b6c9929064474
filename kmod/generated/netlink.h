/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/espif.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_ESPIF_GEN_H
#define _LINUX_ESPIF_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/espif.h>

/* Common nested types */
extern const struct nla_policy espif_selector_nl_policy[ESPIF_A_SELECTOR_PREFIX_LEN + 1];

extern const struct nla_policy espif_dev_get_nl_policy[ESPIF_A_DEV_IFINDEX + 1];

extern const struct nla_policy espif_sock_attach_nl_policy[ESPIF_A_DEV_SOCK_FD + 1];

extern const struct nla_policy espif_peer_new_nl_policy[ESPIF_A_PEER_SELECTOR + 1];

extern const struct nla_policy espif_peer_set_nl_policy[ESPIF_A_PEER_SELECTOR + 1];

extern const struct nla_policy espif_peer_get_nl_policy[ESPIF_A_PEER_ID + 1];

extern const struct nla_policy espif_peer_del_nl_policy[ESPIF_A_PEER_ID + 1];

extern const struct nla_policy espif_sa_new_nl_policy[ESPIF_A_SA_SEQ + 1];

extern const struct nla_policy espif_sa_set_nl_policy[ESPIF_A_SA_HARD_PACKETS + 1];

extern const struct nla_policy espif_sa_get_nl_policy[ESPIF_A_SA_DIR + 1];

extern const struct nla_policy espif_sa_del_nl_policy[ESPIF_A_SA_DIR + 1];

/* Ops table for espif */
extern const struct genl_ops espif_nl_ops[10];

int espif_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int espif_nl_sock_attach_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_peer_new_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_peer_get_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_peer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int espif_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_sa_new_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_sa_set_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_sa_get_doit(struct sk_buff *skb, struct genl_info *info);
int espif_nl_sa_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int espif_nl_sa_del_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	ESPIF_NLGRP_NOTIFY,
};

#endif /* _LINUX_ESPIF_GEN_H */
