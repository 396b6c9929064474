/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	uapi/espif.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_ESPIF_H
#define _UAPI_LINUX_ESPIF_H

#define ESPIF_FAMILY_NAME	"espif"
#define ESPIF_FAMILY_VERSION	1

enum {
	ESPIF_A_DEV_IFINDEX = 1,
	ESPIF_A_DEV_IFNAME,

	__ESPIF_A_DEV_MAX,
	ESPIF_A_DEV_MAX = (__ESPIF_A_DEV_MAX - 1)
};

enum {
	ESPIF_CMD_DEV_GET = 1,

	__ESPIF_CMD_MAX,
	ESPIF_CMD_MAX = (__ESPIF_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_ESPIF_H */
