// SPDX-License-Identifier: GPL-2.0-only
/*
 * espif: ESP (IPsec, RFC 4303) tunnel interfaces with their own security
 * associations, keyed over the "espif" generic netlink family.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <uapi/linux/espif.h>

#include "device.h"
#include "netlink.h"
#include "proto.h"

static int __init espif_init(void)
{
	int ret;

	ret = espif_device_init();
	if (ret)
		goto err_device;

	ret = espif_proto_init();
	if (ret)
		goto err_proto;

	ret = espif_nl_register();
	if (ret)
		goto err_netlink;

	pr_info("ESP tunnel interfaces loaded\n");
	return 0;

err_netlink:
	espif_proto_uninit();
err_proto:
	espif_device_uninit();
err_device:
	pr_err("cannot initialise: %d\n", ret);
	return ret;
}

static void __exit espif_exit(void)
{
	/*
	 * Netlink first: no new request may find an interface while
	 * rtnl_link_unregister() tears them all down; then the ESP handler,
	 * so that no packet enters the SAs about to go.
	 */
	espif_nl_unregister();
	espif_proto_uninit();
	espif_device_uninit();
}

module_init(espif_init);
module_exit(espif_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ESP (IPsec) tunnel interfaces");
MODULE_AUTHOR("The espif developers");
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(ESPIF_FAMILY_NAME);
