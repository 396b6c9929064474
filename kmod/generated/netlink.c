// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/espif.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink.h"

#include <uapi/linux/espif.h>

/* Common nested types */
const struct nla_policy espif_selector_nl_policy[ESPIF_A_SELECTOR_PREFIX_LEN + 1] = {
	[ESPIF_A_SELECTOR_ADDR] = { .type = NLA_BINARY, },
	[ESPIF_A_SELECTOR_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* ESPIF_CMD_DEV_GET - do */
const struct nla_policy espif_dev_get_nl_policy[ESPIF_A_DEV_IFINDEX + 1] = {
	[ESPIF_A_DEV_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ESPIF_CMD_SOCK_ATTACH - do */
const struct nla_policy espif_sock_attach_nl_policy[ESPIF_A_DEV_SOCK_FD + 1] = {
	[ESPIF_A_DEV_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_DEV_SOCK_FD] = { .type = NLA_U32, },
};

/* ESPIF_CMD_PEER_NEW - do */
const struct nla_policy espif_peer_new_nl_policy[ESPIF_A_PEER_SELECTOR + 1] = {
	[ESPIF_A_PEER_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_PEER_REMOTE] = { .type = NLA_BINARY, },
	[ESPIF_A_PEER_LOCAL] = { .type = NLA_BINARY, },
	[ESPIF_A_PEER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[ESPIF_A_PEER_SELECTOR] = NLA_POLICY_NESTED(espif_selector_nl_policy),
};

/* ESPIF_CMD_PEER_SET - do */
const struct nla_policy espif_peer_set_nl_policy[ESPIF_A_PEER_SELECTOR + 1] = {
	[ESPIF_A_PEER_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_PEER_REMOTE] = { .type = NLA_BINARY, },
	[ESPIF_A_PEER_LOCAL] = { .type = NLA_BINARY, },
	[ESPIF_A_PEER_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
	[ESPIF_A_PEER_SELECTOR] = NLA_POLICY_NESTED(espif_selector_nl_policy),
};

/* ESPIF_CMD_PEER_GET - do */
const struct nla_policy espif_peer_get_nl_policy[ESPIF_A_PEER_ID + 1] = {
	[ESPIF_A_PEER_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ESPIF_CMD_PEER_DEL - do */
const struct nla_policy espif_peer_del_nl_policy[ESPIF_A_PEER_ID + 1] = {
	[ESPIF_A_PEER_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ESPIF_CMD_SA_NEW - do */
const struct nla_policy espif_sa_new_nl_policy[ESPIF_A_SA_SEQ + 1] = {
	[ESPIF_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_SPI] = { .type = NLA_U32, },
	[ESPIF_A_SA_DIR] = NLA_POLICY_MAX(NLA_U32, 1),
	[ESPIF_A_SA_ALG] = NLA_POLICY_MAX(NLA_U32, 2),
	[ESPIF_A_SA_KEY] = { .type = NLA_BINARY, },
	[ESPIF_A_SA_AUTH_KEY] = NLA_POLICY_EXACT_LEN(32),
	[ESPIF_A_SA_ESN] = { .type = NLA_FLAG, },
	[ESPIF_A_SA_REPLAY_WINDOW] = { .type = NLA_U32, },
	[ESPIF_A_SA_SOFT_BYTES] = { .type = NLA_U64, },
	[ESPIF_A_SA_HARD_BYTES] = { .type = NLA_U64, },
	[ESPIF_A_SA_SOFT_PACKETS] = { .type = NLA_U64, },
	[ESPIF_A_SA_HARD_PACKETS] = { .type = NLA_U64, },
	[ESPIF_A_SA_SEQ] = { .type = NLA_U64, },
};

/* ESPIF_CMD_SA_SET - do */
const struct nla_policy espif_sa_set_nl_policy[ESPIF_A_SA_HARD_PACKETS + 1] = {
	[ESPIF_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_SPI] = { .type = NLA_U32, },
	[ESPIF_A_SA_DIR] = NLA_POLICY_MAX(NLA_U32, 1),
	[ESPIF_A_SA_SOFT_BYTES] = { .type = NLA_U64, },
	[ESPIF_A_SA_HARD_BYTES] = { .type = NLA_U64, },
	[ESPIF_A_SA_SOFT_PACKETS] = { .type = NLA_U64, },
	[ESPIF_A_SA_HARD_PACKETS] = { .type = NLA_U64, },
};

/* ESPIF_CMD_SA_GET - do */
const struct nla_policy espif_sa_get_nl_policy[ESPIF_A_SA_DIR + 1] = {
	[ESPIF_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_SPI] = { .type = NLA_U32, },
	[ESPIF_A_SA_DIR] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* ESPIF_CMD_SA_DEL - do */
const struct nla_policy espif_sa_del_nl_policy[ESPIF_A_SA_DIR + 1] = {
	[ESPIF_A_SA_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_PEER_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ESPIF_A_SA_SPI] = { .type = NLA_U32, },
	[ESPIF_A_SA_DIR] = NLA_POLICY_MAX(NLA_U32, 1),
};

/* Ops table for espif */
const struct genl_ops espif_nl_ops[10] = {
	{
		.cmd		= ESPIF_CMD_DEV_GET,
		.doit		= espif_nl_dev_get_doit,
		.dumpit		= espif_nl_dev_get_dumpit,
		.policy		= espif_dev_get_nl_policy,
		.maxattr	= ESPIF_A_DEV_IFINDEX,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_SOCK_ATTACH,
		.doit		= espif_nl_sock_attach_doit,
		.policy		= espif_sock_attach_nl_policy,
		.maxattr	= ESPIF_A_DEV_SOCK_FD,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_PEER_NEW,
		.doit		= espif_nl_peer_new_doit,
		.policy		= espif_peer_new_nl_policy,
		.maxattr	= ESPIF_A_PEER_SELECTOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_PEER_SET,
		.doit		= espif_nl_peer_set_doit,
		.policy		= espif_peer_set_nl_policy,
		.maxattr	= ESPIF_A_PEER_SELECTOR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_PEER_GET,
		.doit		= espif_nl_peer_get_doit,
		.dumpit		= espif_nl_peer_get_dumpit,
		.policy		= espif_peer_get_nl_policy,
		.maxattr	= ESPIF_A_PEER_ID,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_PEER_DEL,
		.doit		= espif_nl_peer_del_doit,
		.policy		= espif_peer_del_nl_policy,
		.maxattr	= ESPIF_A_PEER_ID,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_SA_NEW,
		.doit		= espif_nl_sa_new_doit,
		.policy		= espif_sa_new_nl_policy,
		.maxattr	= ESPIF_A_SA_SEQ,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_SA_SET,
		.doit		= espif_nl_sa_set_doit,
		.policy		= espif_sa_set_nl_policy,
		.maxattr	= ESPIF_A_SA_HARD_PACKETS,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_SA_GET,
		.doit		= espif_nl_sa_get_doit,
		.dumpit		= espif_nl_sa_get_dumpit,
		.policy		= espif_sa_get_nl_policy,
		.maxattr	= ESPIF_A_SA_DIR,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= ESPIF_CMD_SA_DEL,
		.doit		= espif_nl_sa_del_doit,
		.policy		= espif_sa_del_nl_policy,
		.maxattr	= ESPIF_A_SA_DIR,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group espif_nl_mcgrps[] = {
	[ESPIF_NLGRP_NOTIFY] = { "notify", },
};
