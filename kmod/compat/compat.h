/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * espif: differences between the kernels espif builds against (6.1 and
 * newer), force-included into every file by kmod/Kbuild so that the rest of
 * the code is written against the newest API and stays free of version
 * checks.  Probe for the feature (a macro, a header) rather than for a
 * version number wherever that is possible.
 */
#ifndef _ESPIF_COMPAT_H
#define _ESPIF_COMPAT_H

#include <linux/version.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>

/*
 * The floor: 6.1 is the oldest kernel espif is tested on.  Its newest
 * netlink helper that espif relies on is GENL_REQ_ATTR_CHECK (6.1); older
 * kernels lack it and fail here with a clear message rather than deep in
 * the generated code.  dkms.conf refuses them before building.
 */
#ifndef GENL_REQ_ATTR_CHECK
#error "espif needs Linux 6.1 or newer (dkms.conf: BUILD_EXCLUSIVE_KERNEL_MIN)"
#endif

/* <asm/unaligned.h> moved to <linux/unaligned.h> in 6.12. */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* skb_gso_segment() moved to <net/gso.h> in 6.4. */
#if __has_include("net/gso.h")
#include <net/gso.h>
#endif

/*
 * Crypto completion callbacks get the request's data since 6.3, the
 * request itself before.  A change of a typedef leaves no macro to probe,
 * hence the one version check (checkpatch's LINUX_VERSION_CODE warnings
 * are waived for this file only, in selftests/check.sh).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
#define ESPIF_CRYPTO_CB_ARG struct crypto_async_request *
#define espif_crypto_cb_data(arg) ((arg)->data)
#else
#define ESPIF_CRYPTO_CB_ARG void *
#define espif_crypto_cb_data(arg) (arg)
#endif

/* NETIF_F_LLTX became the net_device.lltx flag in 6.11. */
#ifdef NETIF_F_LLTX
#define espif_dev_set_lltx(dev) ((dev)->features |= NETIF_F_LLTX)
#else
#define espif_dev_set_lltx(dev) ((dev)->lltx = true)
#endif

#endif /* _ESPIF_COMPAT_H */
