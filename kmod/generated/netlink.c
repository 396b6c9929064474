// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	uapi/espif.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink.h"

#include <uapi/linux/espif.h>

/* ESPIF_CMD_DEV_GET - do */
const struct nla_policy espif_dev_get_nl_policy[ESPIF_A_DEV_IFINDEX + 1] = {
	[ESPIF_A_DEV_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for espif */
const struct genl_ops espif_nl_ops[1] = {
	{
		.cmd		= ESPIF_CMD_DEV_GET,
		.doit		= espif_nl_dev_get_doit,
		.dumpit		= espif_nl_dev_get_dumpit,
		.policy		= espif_dev_get_nl_policy,
		.maxattr	= ESPIF_A_DEV_IFINDEX,
		.flags		= GENL_ADMIN_PERM,
	},
};
